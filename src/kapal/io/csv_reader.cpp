#include "kapal/io/csv_reader.hpp"

#include "kapal/io/encoding.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace kapal::io {
namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 18;

constexpr std::array<bool, 256> make_quoted_special() {
    std::array<bool, 256> t{};
    t['"'] = true;
    t['\r'] = true;
    t['\n'] = true;
    t[0] = true;
    return t;
}

constexpr std::array<bool, 256> kQuotedSpecial = make_quoted_special();

bool only_blanks(const std::string& s) noexcept {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

bool blank_fields(const std::vector<std::string>& fields, std::size_t count) noexcept {
    const auto end = fields.begin() + static_cast<std::ptrdiff_t>(count);
    return std::all_of(fields.begin(), end, [](const std::string& f) { return only_blanks(f); });
}

std::string with_line(std::size_t line, const char* fmt, std::size_t a = 0, std::size_t b = 0) {
    std::array<char, 160> what{};
    std::snprintf(what.data(), what.size(), fmt, a, b);
    return "line " + std::to_string(line) + ": " + what.data();
}

} // namespace

bool CsvRecord::is_blank() const noexcept {
    return std::all_of(
        fields.begin(), fields.end(), [](const std::string& f) { return only_blanks(f); });
}

Result<CsvReader> CsvReader::open(const std::string& path, CsvReaderOptions options) {
    auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!file->is_open()) {
        return fail(ErrorCode::ImportFileUnreadable, "cannot open '" + path + "'");
    }
    CsvReader reader(*file, options);
    reader.owned_ = std::move(file);
    return {std::move(reader)};
}

CsvReader::CsvReader(std::istream& in, CsvReaderOptions options)
    : in_(&in)
    , options_(options)
    , buf_(kChunkBytes) {}

CsvReader::CsvReader(CsvReader&&) noexcept = default;
CsvReader& CsvReader::operator=(CsvReader&&) noexcept = default;
CsvReader::~CsvReader() = default;

bool CsvReader::fill() {
    pos_ = 0;
    end_ = 0;
    if (eof_) {
        return false;
    }
    in_->read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    const auto got = in_->gcount();
    end_ = got > 0 ? static_cast<std::size_t>(got) : 0;
    if (end_ < buf_.size()) {
        eof_ = true;
        io_failed_ = in_->bad();
    }
    return end_ > 0;
}

void CsvReader::start() {
    started_ = true;
    fill();
    utf16_ = end_ >= 2 &&
             ((buf_[0] == '\xFF' && buf_[1] == '\xFE') || (buf_[0] == '\xFE' && buf_[1] == '\xFF'));
    if (end_ - pos_ >= 3 && buf_[0] == '\xEF' && buf_[1] == '\xBB' && buf_[2] == '\xBF') {
        pos_ += 3;
    }
    if (options_.separator) {
        sep_ = *options_.separator;
    } else {
        detect_separator();
    }
    special_ = {};
    special_[static_cast<unsigned char>(sep_)] = true;
    special_['\r'] = true;
    special_['\n'] = true;
    special_[0] = true;
}

void CsvReader::detect_separator() {
    // Count candidates outside quotes on the first line with any content. Only the first chunk
    // is looked at: a header line longer than that is not a header.
    std::size_t comma = 0;
    std::size_t semicolon = 0;
    std::size_t tab = 0;
    bool in_quotes = false;
    bool content = false;
    for (std::size_t i = pos_; i < end_; ++i) {
        const char c = buf_[i];
        if (c == '"') {
            in_quotes = !in_quotes;
            content = true;
        } else if (in_quotes) {
            continue;
        } else if (c == '\r' || c == '\n') {
            if (content) {
                break;
            }
            comma = semicolon = tab = 0; // a line of spaces and tabs is blank
        } else if (c == ',') {
            ++comma;
            content = true;
        } else if (c == ';') {
            ++semicolon;
            content = true;
        } else if (c == '\t') {
            ++tab;
        } else if (c != ' ') {
            content = true;
        }
    }
    sep_ = ',';
    if (semicolon > 0 && semicolon >= tab && semicolon >= comma) {
        sep_ = ';';
    } else if (tab > 0 && tab >= comma) {
        sep_ = '\t';
    }
}

char CsvReader::separator() {
    if (!started_) {
        start();
    }
    return sep_;
}

unexpected<Error> CsvReader::fail_at(ErrorCode code, std::size_t line, const std::string& what) {
    error_line_ = line;
    error_ = Error{code, what, {}};
    return fail(*error_);
}

Result<bool> CsvReader::next(CsvRecord& out) {
    if (error_) {
        return fail(*error_);
    }
    if (!started_) {
        start();
    }
    if (utf16_) {

        return fail_at(ErrorCode::ImportFileUnreadable,
                       1,
                       "line 1: the file is UTF-16 (Excel \"Unicode Text\"); save it as "
                       "\"CSV UTF-8\" or \"CSV (comma delimited)\"");
    }
    auto result = parse_record(out);
    if (io_failed_) {
        return fail_at(ErrorCode::Io, line_, with_line(line_, "read error"));
    }
    return result;
}

Result<bool> CsvReader::scan_run(std::string& field,
                                 const std::array<bool, 256>& special,
                                 std::size_t line,
                                 std::size_t count) {
    // The hot loop of the reader: copy the run of ordinary bytes in one append.
    const char* const base = buf_.data();
    const char* p = base + pos_;
    const char* const e = base + end_;
    const char* const s = p;
    while (p < e && !special[static_cast<unsigned char>(*p)]) {
        ++p;
    }
    field.append(s, p);
    pos_ = static_cast<std::size_t>(p - base);
    if (field.size() > options_.max_field_bytes) {
        return fail_at(
            ErrorCode::ImportCellInvalid,
            line,
            with_line(line, "field %zu is longer than %zu bytes", count, options_.max_field_bytes));
    }
    return p != e;
}

Result<bool> CsvReader::parse_record(CsvRecord& out) {
    for (;;) {
        // Skip empty lines.
        for (;;) {
            if (!more()) {
                return false;
            }
            const char c = buf_[pos_];
            if (c == '\n') {
                ++pos_;
                ++line_;
            } else if (c == '\r') {
                ++pos_;
                if (more() && buf_[pos_] == '\n') {
                    ++pos_;
                }
                ++line_;
            } else {
                break;
            }
        }

        const std::size_t start_line = line_;
        std::size_t count = 0;
        std::size_t record_bytes = 0;
        bool any_quoted = false;
        bool decoded = false;
        bool end_of_record = false;
        while (!end_of_record) {
            if (count == options_.max_fields) {
                return fail_at(ErrorCode::ImportCellInvalid,
                               start_line,
                               with_line(start_line,
                                         "more than %zu fields in one record",
                                         options_.max_fields));
            }
            if (count == out.fields.size()) {
                out.fields.emplace_back();
            }
            std::string& field = out.fields[count++];
            field.clear();

            if (more() && buf_[pos_] == '"') {
                any_quoted = true;
                ++pos_;
                const std::size_t quote_line = line_;
                for (;;) {
                    if (!more()) {
                        return fail_at(
                            ErrorCode::ImportFileUnreadable,
                            quote_line,
                            with_line(quote_line,
                                      "the quote opened here is never closed (field %zu)",
                                      count));
                    }
                    auto stopped = scan_run(field, kQuotedSpecial, quote_line, count);
                    if (!stopped) {
                        return fail(std::move(stopped).error());
                    }
                    if (!*stopped) {
                        continue;
                    }
                    const char c = buf_[pos_];
                    ++pos_;
                    if (c == '"') {
                        if (more() && buf_[pos_] == '"') {
                            field.push_back('"');
                            ++pos_;
                            continue;
                        }
                        break;
                    }
                    if (c == '\0') {
                        return fail_at(
                            ErrorCode::ImportFileUnreadable,
                            line_,
                            with_line(line_, "NUL byte in field %zu (not a text file?)", count));
                    }
                    field.push_back(c);
                    if (c == '\r' && more() && buf_[pos_] == '\n') {
                        field.push_back('\n');
                        ++pos_;
                    }
                    ++line_;
                }
            }

            // Unquoted field, or what follows a closing quote, up to a separator or line end.
            for (;;) {
                if (!more()) {
                    end_of_record = true;
                    break;
                }
                auto stopped = scan_run(field, special_, line_, count);
                if (!stopped) {
                    return fail(std::move(stopped).error());
                }
                if (!*stopped) {
                    continue;
                }
                const char c = buf_[pos_];
                ++pos_;
                if (c == sep_) {
                    break;
                }
                if (c == '\n') {
                    ++line_;
                    end_of_record = true;
                    break;
                }
                if (c == '\r') {
                    if (more() && buf_[pos_] == '\n') {
                        ++pos_;
                    }
                    ++line_;
                    end_of_record = true;
                    break;
                }
                return fail_at(ErrorCode::ImportFileUnreadable,
                               line_,
                               with_line(line_, "NUL byte in field %zu (not a text file?)", count));
            }

            record_bytes += field.size();
            if (record_bytes > options_.max_record_bytes) {
                return fail_at(ErrorCode::ImportCellInvalid,
                               start_line,
                               with_line(start_line,
                                         "record is longer than %zu bytes",
                                         options_.max_record_bytes));
            }
            if (options_.encoding == CsvEncoding::Windows1252) {
                if (!is_ascii(field)) {
                    field = windows1252_to_utf8(field);
                    decoded = true;
                }
            } else {
                decoded = ensure_utf8(field) || decoded;
            }
        }

        if (!any_quoted && (count == 1 || sep_ == '\t') && blank_fields(out.fields, count)) {
            continue; // a line of spaces and tabs only: blank
        }
        out.fields.resize(count);
        out.line = start_line;
        out.record_index = records_++;
        out.windows1252 = decoded;
        return true;
    }
}

} // namespace kapal::io
