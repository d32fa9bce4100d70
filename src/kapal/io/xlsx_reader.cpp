#include "kapal/io/xlsx_reader.hpp"

#include "kapal/core/text.hpp"

#include <expat.h>
#include <unzip.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <optional>

namespace kapal::io {
namespace {

constexpr std::size_t kMaxColumns = 16384; // A..XFD
constexpr std::size_t kReadChunk = std::size_t{64} * 1024;
constexpr std::size_t kFeedPiece = 2048;

std::string_view local_name(const char* qname) {
    std::string_view n(qname);
    if (const auto colon = n.rfind(':'); colon != std::string_view::npos) {
        n.remove_prefix(colon + 1);
    }
    return n;
}

const char* attr(const char** attrs, std::string_view name) {
    for (std::size_t i = 0; attrs[i] != nullptr; i += 2) {
        if (local_name(attrs[i]) == name) {
            return attrs[i + 1];
        }
    }
    return nullptr;
}

std::optional<std::size_t> parse_size(const char* s) {
    if (s == nullptr || *s == '\0') {
        return std::nullopt;
    }
    std::size_t v = 0;
    for (; *s != '\0'; ++s) {
        if (*s < '0' || *s > '9' || v > (std::size_t{1} << 40)) {
            return std::nullopt;
        }
        v = v * 10 + static_cast<std::size_t>(*s - '0');
    }
    return v;
}

std::string column_name(std::size_t index) {
    std::string s;
    ++index;
    while (index > 0) {
        --index;
        s.insert(s.begin(), static_cast<char>('A' + index % 26));
        index /= 26;
    }
    return s;
}

// "C7" -> 2. nullopt if there are no letters or the column is past XFD.
std::optional<std::size_t> column_of(const char* ref) {
    std::size_t col = 0;
    std::size_t letters = 0;
    for (; *ref != '\0'; ++ref) {
        char c = *ref;
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
        if (c < 'A' || c > 'Z') {
            break;
        }
        if (++letters > 3) {
            return std::nullopt;
        }
        col = col * 26 + static_cast<std::size_t>(c - 'A' + 1);
    }
    if (letters == 0 || col > kMaxColumns) {
        return std::nullopt;
    }
    return col - 1;
}

// Excel writes characters XML cannot carry as _xHHHH_ (ST_Xstring); "_x005F_" is "_".
void decode_xstring(std::string& s) {
    if (s.find("_x") == std::string::npos) {
        return;
    }
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        if (s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && s[i + 6] == '_') {
            unsigned cp = 0;
            bool ok = true;
            for (std::size_t k = 2; k < 6; ++k) {
                const int h = core::hex_value(s[i + k]);
                ok = ok && h >= 0;
                cp = cp * 16 + static_cast<unsigned>(h < 0 ? 0 : h);
            }
            if (ok && (cp < 0xD800 || cp > 0xDFFF)) {
                core::append_utf8(out, cp);
                i += 7;
                continue;
            }
        }
        out.push_back(s[i++]);
    }
    s = std::move(out);
}

// ---- expat glue ---------------------------------------------------------------------------

class XmlHandler {
  public:
    virtual ~XmlHandler() = default;
    XmlHandler() = default;
    XmlHandler(const XmlHandler&) = delete;
    XmlHandler& operator=(const XmlHandler&) = delete;
    XmlHandler(XmlHandler&&) = delete;
    XmlHandler& operator=(XmlHandler&&) = delete;

    virtual void start(std::string_view name, const char** attrs) = 0;
    virtual void end(std::string_view name) = 0;
    virtual void text(const char* s, int len) = 0;

    std::optional<Error> error; ///< set by a handler to stop the parse
};

class XmlParser {
  public:
    explicit XmlParser(XmlHandler& handler)
        : parser_(XML_ParserCreate("UTF-8"))
        , h_(&handler) {
        XML_SetUserData(parser_, this);
        XML_SetElementHandler(parser_, &XmlParser::on_start, &XmlParser::on_end);
        XML_SetCharacterDataHandler(parser_, &XmlParser::on_text);
    }

    ~XmlParser() {
        if (parser_ != nullptr) {
            XML_ParserFree(parser_);
        }
    }

    XmlParser(const XmlParser&) = delete;
    XmlParser& operator=(const XmlParser&) = delete;
    XmlParser(XmlParser&&) = delete;
    XmlParser& operator=(XmlParser&&) = delete;

    Result<void> feed(const char* data, std::size_t len, bool is_final, const std::string& part) {
        if (parser_ == nullptr) {
            return fail(ErrorCode::Internal, "out of memory creating an XML parser");
        }
        const auto status = XML_Parse(parser_, data, static_cast<int>(len), is_final ? 1 : 0);
        if (h_->error) {
            return fail(*h_->error);
        }
        if (status != XML_STATUS_OK) {
            return fail(ErrorCode::ImportFileUnreadable,
                        "broken XML in " + part + " at line " +
                            std::to_string(XML_GetCurrentLineNumber(parser_)) + ": " +
                            XML_ErrorString(XML_GetErrorCode(parser_)));
        }
        return {};
    }

  private:
    static void on_start(void* self, const XML_Char* name, const XML_Char** attrs) {
        auto* p = static_cast<XmlParser*>(self);
        if (!p->h_->error) {
            p->h_->start(local_name(name), attrs);
        }
        p->stop_if_failed();
    }

    static void on_end(void* self, const XML_Char* name) {
        auto* p = static_cast<XmlParser*>(self);
        if (!p->h_->error) {
            p->h_->end(local_name(name));
        }
        p->stop_if_failed();
    }

    static void on_text(void* self, const XML_Char* s, int len) {
        auto* p = static_cast<XmlParser*>(self);
        if (!p->h_->error) {
            p->h_->text(s, len);
        }
        p->stop_if_failed();
    }

    void stop_if_failed() {
        if (h_->error) {
            XML_StopParser(parser_, XML_FALSE);
        }
    }

    XML_Parser parser_;
    XmlHandler* h_;
};

// ---- handlers for the workbook parts ------------------------------------------------------

struct Relationship {
    std::string id;
    std::string type;
    std::string target;
};

class RelsHandler final : public XmlHandler {
  public:
    std::vector<Relationship> rels;

    void start(std::string_view name, const char** attrs) override {
        if (name == "Relationship") {
            const char* id = attr(attrs, "Id");
            const char* type = attr(attrs, "Type");
            const char* target = attr(attrs, "Target");
            if (id != nullptr && target != nullptr) {
                rels.push_back({id, type != nullptr ? type : "", target});
            }
        }
    }

    void end(std::string_view /*name*/) override {}

    void text(const char* /*s*/, int /*len*/) override {}
};

struct SheetRef {
    std::string name;
    std::string rel_id;
};

class WorkbookHandler final : public XmlHandler {
  public:
    std::vector<SheetRef> sheets;

    void start(std::string_view name, const char** attrs) override {
        if (name == "sheet") {
            const char* n = attr(attrs, "name");
            const char* id = attr(attrs, "id"); // r:id
            if (n != nullptr && id != nullptr) {
                sheets.push_back({n, id});
            }
        }
    }

    void end(std::string_view /*name*/) override {}

    void text(const char* /*s*/, int /*len*/) override {}
};

class SharedStringsHandler final : public XmlHandler {
  public:
    explicit SharedStringsHandler(std::size_t max_cell)
        : max_cell_(max_cell) {}

    std::vector<std::string> strings;

    void start(std::string_view name, const char** /*attrs*/) override {
        if (name == "si") {
            strings.emplace_back();
            in_si_ = true;
        } else if (name == "rPh") {
            ++phonetic_;
        } else if (name == "t" && in_si_ && phonetic_ == 0) {
            in_t_ = true;
        }
    }

    void end(std::string_view name) override {
        if (name == "si") {
            decode_xstring(strings.back());
            in_si_ = false;
        } else if (name == "rPh") {
            --phonetic_;
        } else if (name == "t") {
            in_t_ = false;
        }
    }

    void text(const char* s, int len) override {
        if (in_t_) {
            strings.back().append(s, static_cast<std::size_t>(len));
            if (strings.back().size() > max_cell_) {
                error = Error{ErrorCode::ImportCellInvalid,
                              "shared string " + std::to_string(strings.size() - 1) +
                                  " is longer than " + std::to_string(max_cell_) + " bytes",
                              {}};
            }
        }
    }

  private:
    std::size_t max_cell_;
    bool in_si_ = false;
    bool in_t_ = false;
    int phonetic_ = 0;
};

class StylesHandler final : public XmlHandler {
  public:
    std::vector<bool> xf_is_date;

    void start(std::string_view name, const char** attrs) override {
        if (name == "numFmt") {
            const auto id = parse_size(attr(attrs, "numFmtId"));
            const char* code = attr(attrs, "formatCode");
            if (id && code != nullptr && custom_.size() < 100000) {
                custom_.emplace_back(*id, code);
            }
        } else if (name == "cellXfs") {
            in_cell_xfs_ = true;
        } else if (name == "xf" && in_cell_xfs_ && xf_is_date.size() < 1000000) {
            const auto id = parse_size(attr(attrs, "numFmtId")).value_or(0);
            std::string_view code;
            for (const auto& [cid, ccode] : custom_) {
                if (cid == id) {
                    code = ccode;
                }
            }
            xf_is_date.push_back(
                is_date_format(static_cast<int>(std::min<std::size_t>(id, 1U << 20)), code));
        }
    }

    void end(std::string_view name) override {
        if (name == "cellXfs") {
            in_cell_xfs_ = false;
        }
    }

    void text(const char* /*s*/, int /*len*/) override {}

  private:
    std::vector<std::pair<std::size_t, std::string>> custom_;
    bool in_cell_xfs_ = false;
};

class SheetHandler final : public XmlHandler {
  public:
    SheetHandler(const std::vector<std::string>* shared,
                 const std::vector<bool>* xf_is_date,
                 std::size_t max_cell,
                 std::size_t max_cells)
        : shared_(shared)
        , xf_is_date_(xf_is_date)
        , max_cell_(max_cell)
        , max_cells_(max_cells) {}

    std::deque<XlsxRow> ready;

    void start(std::string_view name, const char** attrs) override {
        if (name == "row") {
            row_ = XlsxRow{};
            const auto r = parse_size(attr(attrs, "r"));
            row_.row = r ? *r : last_row_ + 1;
            last_row_ = row_.row;
            next_col_ = 0;
            in_row_ = true;
        } else if (name == "c" && in_row_) {
            in_cell_ = true;
            value_.clear();
            inline_.clear();
            has_value_ = false;
            const char* t = attr(attrs, "t");
            type_ = t != nullptr ? t : "n";
            col_ = next_col_;
            if (const char* ref = attr(attrs, "r")) {
                const auto c = column_of(ref);
                if (!c) {
                    fail_row("cell reference '" + std::string(ref).substr(0, 20) +
                             "' is not a column A..XFD");
                    return;
                }
                col_ = *c;
            }
            if (col_ >= kMaxColumns) {
                fail_row("more than 16384 columns");
                return;
            }
            date_ = false;
            if (const auto s = parse_size(attr(attrs, "s")); s && *s < xf_is_date_->size()) {
                date_ = (*xf_is_date_)[*s];
            }
        } else if (in_cell_ && name == "v") {
            in_v_ = true;
            has_value_ = true;
        } else if (in_cell_ && name == "is") {
            in_is_ = true;
            has_value_ = true;
        } else if (in_is_ && name == "rPh") {
            ++phonetic_;
        } else if (in_is_ && name == "t" && phonetic_ == 0) {
            in_t_ = true;
        }
    }

    void end(std::string_view name) override {
        if (name == "row" && in_row_) {
            in_row_ = false;
            total_cells_ += row_.cells.size();
            if (total_cells_ > max_cells_) {
                fail_row("the sheet has more than " + std::to_string(max_cells_) + " cells");
                return;
            }
            ready.push_back(std::move(row_));
        } else if (name == "c" && in_cell_) {
            in_cell_ = false;
            finish_cell();
        } else if (name == "v") {
            in_v_ = false;
        } else if (name == "is") {
            in_is_ = false;
        } else if (name == "rPh" && in_is_) {
            --phonetic_;
        } else if (name == "t") {
            in_t_ = false;
        }
    }

    void text(const char* s, int len) override {
        std::string* target = in_v_ ? &value_ : (in_t_ ? &inline_ : nullptr);
        if (target != nullptr) {
            target->append(s, static_cast<std::size_t>(len));
            if (target->size() > max_cell_) {
                fail_row("cell " + column_name(col_) + " is longer than " +
                         std::to_string(max_cell_) + " bytes");
            }
        }
    }

  private:
    void fail_row(const std::string& what) {
        error = Error{
            ErrorCode::ImportCellInvalid, "row " + std::to_string(row_.row) + ": " + what, {}};
    }

    void finish_cell() {
        XlsxCell cell;
        cell.date_format = date_;
        if (type_ == "s") {
            if (has_value_) {
                const std::string idx_text(core::trim(value_));
                const auto idx = parse_size(idx_text.c_str());
                if (!idx || *idx >= shared_->size()) {
                    fail_row("cell " + column_name(col_) + " points to shared string '" +
                             value_.substr(0, 20) + "', which does not exist");
                    return;
                }
                cell.type = XlsxCellType::String;
                cell.text = (*shared_)[*idx];
            }
        } else if (type_ == "inlineStr") {
            if (has_value_) {
                cell.type = XlsxCellType::String;
                cell.text = std::move(inline_);
                decode_xstring(cell.text);
            }
        } else if (type_ == "str") {
            cell.type = XlsxCellType::String;
            cell.text = std::move(value_);
            decode_xstring(cell.text);
        } else if (type_ == "b") {
            if (has_value_) {
                cell.type = XlsxCellType::Bool;
                cell.text = std::move(value_);
            }
        } else if (type_ == "e") {
            cell.type = XlsxCellType::Error;
            cell.text = std::move(value_);
        } else if (type_ == "d") {
            if (has_value_) {
                cell.type = XlsxCellType::String;
                cell.text = std::move(value_);
                cell.date_format = true;
            }
        } else if (has_value_ && !value_.empty()) {
            cell.type = XlsxCellType::Number;
            cell.text = std::move(value_);
        }
        if (row_.cells.size() <= col_) {
            row_.cells.resize(col_ + 1);
        }
        row_.cells[col_] = std::move(cell);
        next_col_ = col_ + 1;
    }

    const std::vector<std::string>* shared_;
    const std::vector<bool>* xf_is_date_;
    std::size_t max_cell_;
    std::size_t max_cells_;
    std::size_t total_cells_ = 0;
    XlsxRow row_;
    std::size_t last_row_ = 0;
    std::size_t next_col_ = 0;
    std::size_t col_ = 0;
    bool in_row_ = false;
    bool in_cell_ = false;
    bool in_v_ = false;
    bool in_is_ = false;
    bool in_t_ = false;
    int phonetic_ = 0;
    bool has_value_ = false;
    bool date_ = false;
    std::string type_;
    std::string value_;
    std::string inline_;
};

// ---- zip from memory ----------------------------------------------------------------------

struct MemoryFile {
    std::string bytes;
    std::uint64_t pos = 0;
};

voidpf ZCALLBACK mem_open(voidpf opaque, const void* /*filename*/, int /*mode*/) {
    return opaque;
}

uLong ZCALLBACK mem_read(voidpf /*opaque*/, voidpf stream, void* buf, uLong size) {
    auto* f = static_cast<MemoryFile*>(stream);
    const std::uint64_t left = f->bytes.size() - std::min<std::uint64_t>(f->pos, f->bytes.size());
    const std::uint64_t n = std::min<std::uint64_t>(size, left);
    std::memcpy(buf, f->bytes.data() + f->pos, static_cast<std::size_t>(n));
    f->pos += n;
    return static_cast<uLong>(n);
}

uLong ZCALLBACK mem_write(voidpf /*opaque*/,
                          voidpf /*stream*/,
                          const void* /*buf*/,
                          uLong /*size*/) {
    return 0;
}

ZPOS64_T ZCALLBACK mem_tell(voidpf /*opaque*/, voidpf stream) {
    return static_cast<MemoryFile*>(stream)->pos;
}

long ZCALLBACK mem_seek(voidpf /*opaque*/, voidpf stream, ZPOS64_T offset, int origin) {
    auto* f = static_cast<MemoryFile*>(stream);
    std::uint64_t base = 0;
    if (origin == ZLIB_FILEFUNC_SEEK_CUR) {
        base = f->pos;
    } else if (origin == ZLIB_FILEFUNC_SEEK_END) {
        base = f->bytes.size();
    }
    const std::uint64_t target = base + offset;
    if (target > f->bytes.size() || target < base) {
        return -1;
    }
    f->pos = target;
    return 0;
}

int ZCALLBACK mem_close(voidpf /*opaque*/, voidpf /*stream*/) {
    return 0;
}

int ZCALLBACK mem_error(voidpf /*opaque*/, voidpf /*stream*/) {
    return 0;
}

std::string resolve(const std::string& base_dir, const std::string& target) {
    std::string path = target;
    if (!path.empty() && path.front() == '/') {
        path.erase(0, 1);
    } else {
        path = base_dir + path;
    }
    // Normalise "./" and "../" segments.
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i <= path.size()) {
        const std::size_t j = std::min(path.find('/', i), path.size());
        const std::string seg = path.substr(i, j - i);
        if (seg == "..") {
            if (!parts.empty()) {
                parts.pop_back();
            }
        } else if (!seg.empty() && seg != ".") {
            parts.push_back(seg);
        }
        i = j + 1;
    }
    std::string out;
    for (const auto& p : parts) {
        out += (out.empty() ? "" : "/") + p;
    }
    return out;
}

std::string dir_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

} // namespace

bool is_date_format(int num_fmt_id, std::string_view format_code) {
    if ((num_fmt_id >= 14 && num_fmt_id <= 22) || (num_fmt_id >= 45 && num_fmt_id <= 47)) {
        return true;
    }
    if (num_fmt_id < 164 && format_code.empty()) {
        return false; // another built-in format
    }
    bool in_quotes = false;
    bool in_brackets = false;
    for (std::size_t i = 0; i < format_code.size(); ++i) {
        const char c = format_code[i];
        if (in_quotes) {
            in_quotes = c != '"';
        } else if (in_brackets) {
            in_brackets = c != ']';
        } else if (c == '"') {
            in_quotes = true;
        } else if (c == '[') {
            in_brackets = true;
        } else if (c == '\\' || c == '_' || c == '*') {
            ++i; // the next character is literal (or padding)
        } else if (c == 'd' || c == 'D' || c == 'm' || c == 'M' || c == 'y' || c == 'Y') {
            return true;
        }
    }
    return false;
}

bool XlsxRow::is_blank() const noexcept {
    return std::all_of(cells.begin(), cells.end(), [](const XlsxCell& c) {
        return c.type == XlsxCellType::Empty || core::trim(c.text).empty();
    });
}

struct XlsxReader::Impl {
    XlsxReaderOptions options;
    std::unique_ptr<MemoryFile> memory;
    unzFile zip = nullptr;
    std::uint64_t inflated = 0;
    std::vector<std::string> names;
    std::vector<std::string> sheet_paths;
    std::vector<std::string> shared;
    std::vector<bool> xf_is_date;

    // The sheet being streamed.
    bool selected = false;
    bool sheet_open = false;
    bool sheet_done = false;
    std::string sheet_path;
    std::unique_ptr<SheetHandler> handler;
    std::unique_ptr<XmlParser> parser;
    std::vector<char> chunk;
    std::size_t chunk_pos = 0;
    std::size_t chunk_len = 0;
    std::optional<Error> error;

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    Impl(Impl&&) = delete;
    Impl& operator=(Impl&&) = delete;

    ~Impl() {
        if (zip != nullptr) {
            if (sheet_open) {
                unzCloseCurrentFile(zip);
            }
            unzClose(zip);
        }
    }

    static unexpected<Error> broken(const std::string& what) {
        return fail(ErrorCode::ImportFileUnreadable, what);
    }

    bool has_part(const std::string& name) const {
        return unzLocateFile(zip, name.c_str(), 2) == UNZ_OK;
    }

    Result<void> open_part(const std::string& name) {
        if (unzLocateFile(zip, name.c_str(), 2) != UNZ_OK) {
            return broken("not a valid .xlsx: part '" + name + "' is missing");
        }
        unz_file_info64 info{};
        if (unzGetCurrentFileInfo64(zip, &info, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK) {
            return broken("not a valid .xlsx: cannot read the zip entry of '" + name + "'");
        }
        if (info.uncompressed_size > options.max_uncompressed_bytes - inflated) {
            return bomb();
        }
        if (unzOpenCurrentFile(zip) != UNZ_OK) {
            return broken("not a valid .xlsx: cannot open part '" + name +
                          "' (encrypted or unknown compression?)");
        }
        return {};
    }

    unexpected<Error> bomb() const {
        return broken("the .xlsx unpacks to more than " +
                      std::to_string(options.max_uncompressed_bytes >> 20) +
                      " MiB; refused (zip bomb guard)");
    }

    // Reads some of the open part; 0 at its end (after checking the CRC).
    Result<std::size_t> read_some(char* buf, std::size_t len, const std::string& name) {
        const int n = unzReadCurrentFile(zip, buf, static_cast<unsigned>(len));
        if (n < 0) {
            unzCloseCurrentFile(zip);
            return broken("not a valid .xlsx: part '" + name + "' is corrupt (zip error " +
                          std::to_string(n) + ")");
        }
        if (n == 0) {
            if (unzCloseCurrentFile(zip) != UNZ_OK) {
                return broken("not a valid .xlsx: part '" + name + "' fails its checksum");
            }
            return std::size_t{0};
        }
        inflated += static_cast<std::uint64_t>(n);
        if (inflated > options.max_uncompressed_bytes) {
            unzCloseCurrentFile(zip);
            return bomb();
        }
        return static_cast<std::size_t>(n);
    }

    Result<void> parse_part(const std::string& name, XmlHandler& h) {
        KAPAL_TRY(open_part(name));
        XmlParser part_parser(h);
        std::vector<char> buf(kReadChunk);
        for (;;) {
            auto n = read_some(buf.data(), buf.size(), name);
            if (!n) {
                return fail(std::move(n).error());
            }
            KAPAL_TRY(part_parser.feed(buf.data(), *n, *n == 0, name));
            if (*n == 0) {
                return {};
            }
        }
    }

    Result<void> load() {
        if (zip == nullptr) {
            return broken("not a valid .xlsx file (not a zip archive)");
        }
        // The workbook part, from the package relationships (almost always xl/workbook.xml).
        std::string workbook = "xl/workbook.xml";
        if (has_part("_rels/.rels")) {
            RelsHandler root;
            KAPAL_TRY(parse_part("_rels/.rels", root));
            for (const auto& r : root.rels) {
                if (ends_with(r.type, "/officeDocument")) {
                    workbook = resolve("", r.target);
                }
            }
        }
        WorkbookHandler wb;
        KAPAL_TRY(parse_part(workbook, wb));
        const std::string base = dir_of(workbook);
        const std::string rels_path = base + "_rels/" + workbook.substr(base.size()) + ".rels";
        RelsHandler rels;
        KAPAL_TRY(parse_part(rels_path, rels));

        std::string shared_path;
        std::string styles_path;
        for (const auto& r : rels.rels) {
            if (ends_with(r.type, "/sharedStrings")) {
                shared_path = resolve(base, r.target);
            } else if (ends_with(r.type, "/styles")) {
                styles_path = resolve(base, r.target);
            }
        }
        for (const auto& s : wb.sheets) {
            const auto it = std::find_if(rels.rels.begin(),
                                         rels.rels.end(),
                                         [&](const Relationship& r) { return r.id == s.rel_id; });
            if (it == rels.rels.end() || !ends_with(it->type, "/worksheet")) {
                continue; // a chart sheet or a dangling reference: not a table
            }
            names.push_back(s.name);
            sheet_paths.push_back(resolve(base, it->target));
        }
        if (names.empty()) {
            return broken("the workbook has no worksheet");
        }
        if (!shared_path.empty() && has_part(shared_path)) {
            SharedStringsHandler h(options.max_cell_bytes);
            KAPAL_TRY(parse_part(shared_path, h));
            shared = std::move(h.strings);
        }
        if (!styles_path.empty() && has_part(styles_path)) {
            StylesHandler h;
            KAPAL_TRY(parse_part(styles_path, h));
            xf_is_date = std::move(h.xf_is_date);
        }
        return {};
    }

    Result<void> select(std::size_t index) {
        if (sheet_open) {
            unzCloseCurrentFile(zip);
            sheet_open = false;
        }
        error.reset();
        sheet_path = sheet_paths[index];
        KAPAL_TRY(open_part(sheet_path));
        sheet_open = true;
        sheet_done = false;
        selected = true;
        chunk_pos = 0;
        chunk_len = 0;
        handler = std::make_unique<SheetHandler>(
            &shared, &xf_is_date, options.max_cell_bytes, options.max_cells);
        parser = std::make_unique<XmlParser>(*handler);
        chunk.resize(kReadChunk);
        return {};
    }

    Result<bool> next(XlsxRow& out) {
        if (error) {
            return fail(*error);
        }
        if (!selected) {
            KAPAL_TRY(select(0));
        }
        // Feed the parser in small pieces and stop as soon as a row is complete, so that a
        // sheet of very wide rows never piles up in memory.
        while (handler->ready.empty() && !(sheet_done && chunk_pos == chunk_len)) {
            if (chunk_pos == chunk_len) {
                auto n = read_some(chunk.data(), chunk.size(), sheet_path);
                if (!n) {
                    sheet_open = false;
                    error = n.error();
                    return fail(*error);
                }
                chunk_pos = 0;
                chunk_len = *n;
                if (*n == 0) {
                    sheet_open = false;
                    sheet_done = true;
                }
            }
            const std::size_t piece = std::min<std::size_t>(kFeedPiece, chunk_len - chunk_pos);
            const bool is_final = sheet_done && chunk_pos + piece == chunk_len;
            if (auto fed = parser->feed(chunk.data() + chunk_pos, piece, is_final, sheet_path);
                !fed) {
                error = fed.error();
                return fail(*error);
            }
            chunk_pos += piece;
        }
        if (handler->ready.empty()) {
            return false;
        }
        out = std::move(handler->ready.front());
        handler->ready.pop_front();
        return true;
    }
};

XlsxReader::XlsxReader(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

XlsxReader::XlsxReader(XlsxReader&&) noexcept = default;
XlsxReader& XlsxReader::operator=(XlsxReader&&) noexcept = default;
XlsxReader::~XlsxReader() = default;

Result<XlsxReader> XlsxReader::finish_open(std::unique_ptr<Impl> impl) {
    try {
        KAPAL_TRY(impl->load());
    } catch (const std::bad_alloc&) {
        return fail(ErrorCode::ImportFileUnreadable, "the .xlsx is too large to read");
    }
    return {XlsxReader(std::move(impl))};
}

Result<XlsxReader> XlsxReader::open(const std::string& path, XlsxReaderOptions options) {
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->zip = unzOpen64(path.c_str());
    if (impl->zip == nullptr) {
        return fail(ErrorCode::ImportFileUnreadable,
                    "cannot open '" + path + "' as .xlsx (missing, unreadable or not a zip)");
    }
    return finish_open(std::move(impl));
}

Result<XlsxReader> XlsxReader::open_memory(std::string bytes, XlsxReaderOptions options) {
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->memory = std::make_unique<MemoryFile>();
    impl->memory->bytes = std::move(bytes);
    zlib_filefunc64_def funcs{};
    funcs.zopen64_file = mem_open;
    funcs.zread_file = mem_read;
    funcs.zwrite_file = mem_write;
    funcs.ztell64_file = mem_tell;
    funcs.zseek64_file = mem_seek;
    funcs.zclose_file = mem_close;
    funcs.zerror_file = mem_error;
    funcs.opaque = impl->memory.get();
    impl->zip = unzOpen2_64("memory.xlsx", &funcs);
    return finish_open(std::move(impl));
}

const std::vector<std::string>& XlsxReader::sheet_names() const {
    return impl_->names;
}

Result<void> XlsxReader::select_sheet(std::string_view name) {
    for (std::size_t i = 0; i < impl_->names.size(); ++i) {
        if (impl_->names[i] == name) {
            return select_sheet(i);
        }
    }
    const std::string folded = core::to_lower(name);
    for (std::size_t i = 0; i < impl_->names.size(); ++i) {
        if (core::to_lower(impl_->names[i]) == folded) {
            return select_sheet(i);
        }
    }
    return fail(ErrorCode::ImportFileUnreadable,
                "the workbook has no sheet named '" + std::string(name) + "'");
}

Result<void> XlsxReader::select_sheet(std::size_t index) {
    if (index >= impl_->names.size()) {
        return fail(ErrorCode::ImportFileUnreadable,
                    "the workbook has no sheet number " + std::to_string(index + 1));
    }
    try {
        return impl_->select(index);
    } catch (const std::bad_alloc&) {
        return fail(ErrorCode::ImportFileUnreadable, "the .xlsx is too large to read");
    }
}

Result<bool> XlsxReader::next(XlsxRow& out) {
    try {
        return impl_->next(out);
    } catch (const std::bad_alloc&) {
        return fail(ErrorCode::ImportFileUnreadable, "the .xlsx is too large to read");
    }
}

Result<std::vector<XlsxRow>>
read_xlsx_sheet(const std::string& path, std::string_view sheet, XlsxReaderOptions options) {
    auto reader = XlsxReader::open(path, options);
    if (!reader) {
        return fail(std::move(reader).error());
    }
    if (!sheet.empty()) {
        KAPAL_TRY(reader->select_sheet(sheet));
    }
    std::vector<XlsxRow> rows;
    XlsxRow row;
    for (;;) {
        auto got = reader->next(row);
        if (!got) {
            return fail(std::move(got).error());
        }
        if (!*got) {
            return rows;
        }
        rows.push_back(std::move(row));
    }
}

} // namespace kapal::io
