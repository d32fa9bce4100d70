#include "kapal/aid/eligibility.hpp"

#include "kapal/core/text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace kapal::aid {
namespace detail {

/// Every attribute a rule can name, resolved once at parse time.
enum class Attr : std::uint8_t {
    Age,
    CategoryCount,
    OnsetYear,
    WgSeeing,
    WgHearing,
    WgWalking,
    WgCognition,
    WgSelfCare,
    WgCommunication,
    Sex,
    Severity,
    Status,
    Onset,
    Cause,
    Kelurahan,
    Kecamatan,
    Kota,
    Dtks,
    HasAccount,
    ConsentBansos,
    HasCaregiver,
    HasLocation,
    WgDisability,
    Categories,
    AssistiveDevices,
    Therapies,
};

enum class Type : std::uint8_t { Int, Enum, Code, Bool, Set };

enum class Cmp : std::uint8_t { Eq, Ne, Lt, Le, Gt, Ge, In };

enum class Kind : std::uint8_t { And, Or, Not, Const, Bool, IntCmp, IntIn, EnumMask, Code, SetHas };

/// One node of the checked rule. Leaves keep their literals in canonical spelling (for
/// canonical()) next to the compiled form evaluated per record (mask, number, codes).
struct Node {
    Kind kind = Kind::Const;
    Attr attr = Attr::Age;
    Cmp cmp = Cmp::Eq;
    bool value = false;                  ///< Const
    std::int64_t number = 0;             ///< IntCmp
    std::uint32_t mask = 0;              ///< EnumMask (bit = ordinal), SetHas on categories
    std::vector<std::int64_t> ints;      ///< IntIn values; EnumMask literal ordinals (sorted)
    std::vector<std::string> strings;    ///< Code values (sorted); SetHas code
    std::vector<std::uint32_t> children; ///< And, Or (two or more), Not (one)
};

struct Program {
    std::string text;
    std::vector<Node> nodes;
    std::uint32_t root = 0;
};

} // namespace detail

namespace {

using detail::Attr;
using detail::Cmp;
using detail::Kind;
using detail::Node;
using detail::Program;
using detail::Type;

struct AttrInfo {
    std::string_view name;
    Attr attr;
    Type type;
};

constexpr std::array<AttrInfo, 26> kAttrs = {{
    {"age", Attr::Age, Type::Int},
    {"category_count", Attr::CategoryCount, Type::Int},
    {"onset_year", Attr::OnsetYear, Type::Int},
    {"wg_seeing", Attr::WgSeeing, Type::Int},
    {"wg_hearing", Attr::WgHearing, Type::Int},
    {"wg_walking", Attr::WgWalking, Type::Int},
    {"wg_cognition", Attr::WgCognition, Type::Int},
    {"wg_self_care", Attr::WgSelfCare, Type::Int},
    {"wg_communication", Attr::WgCommunication, Type::Int},
    {"sex", Attr::Sex, Type::Enum},
    {"severity", Attr::Severity, Type::Enum},
    {"status", Attr::Status, Type::Enum},
    {"onset", Attr::Onset, Type::Enum},
    {"cause", Attr::Cause, Type::Enum},
    {"kelurahan", Attr::Kelurahan, Type::Code},
    {"kecamatan", Attr::Kecamatan, Type::Code},
    {"kota", Attr::Kota, Type::Code},
    {"dtks", Attr::Dtks, Type::Bool},
    {"has_account", Attr::HasAccount, Type::Bool},
    {"consent_bansos", Attr::ConsentBansos, Type::Bool},
    {"has_caregiver", Attr::HasCaregiver, Type::Bool},
    {"has_location", Attr::HasLocation, Type::Bool},
    {"wg_disability", Attr::WgDisability, Type::Bool},
    {"categories", Attr::Categories, Type::Set},
    {"assistive_devices", Attr::AssistiveDevices, Type::Set},
    {"therapies", Attr::Therapies, Type::Set},
}};

const AttrInfo& info_of(Attr attr) {
    return kAttrs[static_cast<std::size_t>(attr)];
}

bool is_wg(Attr a) {
    return a >= Attr::WgSeeing && a <= Attr::WgCommunication;
}

// --- enumerations: canonical names in ordinal order, and the API's parser for each ----------

std::vector<std::string_view> enum_names(Attr attr) {
    std::vector<std::string_view> out;
    switch (attr) {
    case Attr::Sex:
        out = {"L", "P"};
        break;
    case Attr::Severity:
        for (auto v : core::kAllSeverities) {
            out.push_back(core::to_string(v));
        }
        break;
    case Attr::Status:
        for (auto v : core::kAllStatuses) {
            out.push_back(core::to_string(v));
        }
        break;
    case Attr::Onset:
        out = {core::to_string(core::Onset::SejakLahir), core::to_string(core::Onset::Didapat)};
        break;
    case Attr::Cause:
        for (auto v : {core::Cause::Bawaan,
                       core::Cause::Penyakit,
                       core::Cause::Kecelakaan,
                       core::Cause::Bencana,
                       core::Cause::Konflik,
                       core::Cause::Lainnya}) {
            out.push_back(core::to_string(v));
        }
        break;
    case Attr::Categories:
        for (auto v : core::kAllCategories) {
            out.push_back(core::to_string(v));
        }
        break;
    case Attr::AssistiveDevices:
        out.assign(core::kAssistiveDevices.begin(), core::kAssistiveDevices.end());
        break;
    case Attr::Therapies:
        out.assign(core::kTherapies.begin(), core::kTherapies.end());
        break;
    default:
        break;
    }
    return out;
}

/// The ordinal of a spelling the API accepts for this enumeration or set, or nullopt.
std::optional<int> enum_ordinal(Attr attr, std::string_view text) {
    const auto ord = [](auto v) -> std::optional<int> {
        if (!v) {
            return std::nullopt;
        }
        return static_cast<int>(*v);
    };
    switch (attr) {
    case Attr::Sex:
        return ord(core::parse_sex(text));
    case Attr::Severity:
        return ord(core::parse_severity(text));
    case Attr::Status:
        return ord(core::parse_status(text));
    case Attr::Onset:
        return ord(core::parse_onset(text));
    case Attr::Cause:
        return ord(core::parse_cause(text));
    case Attr::Categories:
        return ord(core::parse_category(text));
    case Attr::AssistiveDevices:
    case Attr::Therapies: {
        const auto names = enum_names(attr);
        const std::string key = core::to_lower(text);
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (names[i] == key) {
                return static_cast<int>(i);
            }
        }
        return std::nullopt;
    }
    default:
        return std::nullopt;
    }
}

std::string join_names(const std::vector<std::string_view>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        out += i == 0 ? "" : (i + 1 == names.size() ? " atau " : ", ");
        out += names[i];
    }
    return out;
}

// --- lexer ------------------------------------------------------------------------------------

enum class Tok : std::uint8_t { Ident, String, Number, LParen, RParen, Comma, Op, End, Bad };

struct Token {
    Tok kind = Tok::End;
    std::size_t offset = 0;
    std::string text; ///< Ident: lower case; String: content; Bad: the problem (Indonesian)
    std::int64_t number = 0;
    Cmp cmp = Cmp::Eq;
};

constexpr std::size_t kMaxDigits = 9;

/// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates),
/// or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) {
        return static_cast<unsigned char>(s[k]);
    };
    const unsigned char c = b(i);
    if (c < 0x80) {
        return 1;
    }
    std::size_t n = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (i + n > s.size() || b(i + 1) < lo || b(i + 1) > hi) {
        return 0;
    }
    for (std::size_t k = 2; k < n; ++k) {
        if (b(i + k) < 0x80 || b(i + k) > 0xBF) {
            return 0;
        }
    }
    return n;
}

/// The problem with the content of a quoted text, or empty: it is echoed in messages and kept
/// in the rule's text, which must stay printable UTF-8.
std::string_view string_problem(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x20 || s[i] == 0x7f) {
            return "karakter kendali di dalam teks; diharapkan huruf, angka atau tanda baca";
        }
        const std::size_t n = utf8_length(s, i);
        if (n == 0) {
            return "teks bukan UTF-8 yang sah";
        }
        i += n;
    }
    return {};
}

/// A name or value as echoed in a message: at most 40 characters.
std::string shown(std::string_view s) {
    constexpr std::size_t kMaxShown = 40;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0U) != 0x80U && ++chars > kMaxShown) {
            return std::string(s.substr(0, i)) + "...";
        }
    }
    return std::string(s);
}

bool is_ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_ident_char(char c) {
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

/// Splits the text into tokens. A lexical problem becomes a Bad token at its place, so that
/// the parser reports problems in the order a reader meets them.
std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (true) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) {
            ++i;
        }
        Token t;
        t.offset = i;
        if (i >= s.size()) {
            t.kind = Tok::End;
            out.push_back(std::move(t));
            return out;
        }
        const char c = s[i];
        if (is_ident_start(c)) {
            std::size_t j = i;
            while (j < s.size() && is_ident_char(s[j])) {
                ++j;
            }
            t.kind = Tok::Ident;
            t.text = core::to_lower(s.substr(i, j - i));
            i = j;
        } else if (c >= '0' && c <= '9') {
            std::size_t j = i;
            while (j < s.size() && s[j] >= '0' && s[j] <= '9') {
                ++j;
            }
            if (j < s.size() && is_ident_char(s[j])) {
                t.kind = Tok::Bad;
                t.text = "angka diikuti huruf; diharapkan angka bulat seperti 18";
            } else if (j - i > kMaxDigits) {
                t.kind = Tok::Bad;
                t.text = "angka terlalu besar (paling banyak 9 digit)";
            } else {
                t.kind = Tok::Number;
                for (std::size_t k = i; k < j; ++k) {
                    t.number = t.number * 10 + (s[k] - '0');
                }
            }
            i = j;
        } else if (c == '"' || c == '\'') {
            const std::size_t close = s.find(c, i + 1);
            if (close == std::string_view::npos) {
                t.kind = Tok::Bad;
                t.text = std::string("teks tidak ditutup; diharapkan ") + c + " penutup";
                i = s.size();
            } else {
                const std::string_view content = s.substr(i + 1, close - i - 1);
                const std::string_view problem = string_problem(content);
                t.kind = problem.empty() ? Tok::String : Tok::Bad;
                t.text = problem.empty() ? std::string(content) : std::string(problem);
                i = close + 1;
            }
        } else if (c == '(' || c == ')' || c == ',') {
            t.kind = c == '(' ? Tok::LParen : (c == ')' ? Tok::RParen : Tok::Comma);
            ++i;
        } else if (c == '=' || c == '!' || c == '<' || c == '>') {
            const bool eq_next = i + 1 < s.size() && s[i + 1] == '=';
            t.kind = Tok::Op;
            if (c == '=') {
                t.cmp = Cmp::Eq;
                i += eq_next ? 2 : 1; // "==" is read as "="
            } else if (c == '!') {
                if (!eq_next) {
                    t.kind = Tok::Bad;
                    t.text = "'!' tanpa '='; tulis '!=' atau 'not'";
                    ++i;
                } else {
                    t.cmp = Cmp::Ne;
                    i += 2;
                }
            } else if (c == '<' && i + 1 < s.size() && s[i + 1] == '>') {
                t.cmp = Cmp::Ne; // "<>" as in SQL and spreadsheets
                i += 2;
            } else {
                t.cmp = c == '<' ? (eq_next ? Cmp::Le : Cmp::Lt) : (eq_next ? Cmp::Ge : Cmp::Gt);
                i += eq_next ? 2 : 1;
            }
        } else {
            t.kind = Tok::Bad;
            const auto byte = static_cast<unsigned char>(c);
            if (byte >= 0x21 && byte < 0x7f) {
                t.text = std::string("karakter '") + c + "' tidak dikenal";
            } else {
                t.text = "karakter tidak dikenal (di luar teks dalam tanda kutip hanya huruf, "
                         "angka, spasi dan ( ) , = ! < > yang dipakai)";
            }
            ++i;
        }
        out.push_back(std::move(t));
    }
}

bool is_keyword(const Token& t, std::string_view en, std::string_view id) {
    return t.kind == Tok::Ident && (t.text == en || t.text == id);
}

bool is_reserved(std::string_view w) {
    for (std::string_view k : {"and", "dan", "or", "atau", "not", "bukan", "in", "true", "false"}) {
        if (w == k) {
            return true;
        }
    }
    return false;
}

std::string_view cmp_text(Cmp c) {
    switch (c) {
    case Cmp::Eq:
        return "=";
    case Cmp::Ne:
        return "!=";
    case Cmp::Lt:
        return "<";
    case Cmp::Le:
        return "<=";
    case Cmp::Gt:
        return ">";
    case Cmp::Ge:
        return ">=";
    case Cmp::In:
        return "in";
    }
    return "=";
}

template <class T> bool compare(T a, Cmp c, T b) {
    switch (c) {
    case Cmp::Eq:
        return a == b;
    case Cmp::Ne:
        return a != b;
    case Cmp::Lt:
        return a < b;
    case Cmp::Le:
        return a <= b;
    case Cmp::Gt:
        return a > b;
    case Cmp::Ge:
        return a >= b;
    case Cmp::In:
        return false;
    }
    return false;
}

/// A Kemendagri dotted code of `groups` digit groups: 2 (kota), 3 (kecamatan), 4 (kelurahan).
bool is_region_code(std::string_view s, int groups) {
    static constexpr std::array<std::size_t, 4> kWidths = {2, 2, 2, 4};
    std::size_t at = 0;
    for (int g = 0; g < groups; ++g) {
        if (g > 0) {
            if (at >= s.size() || s[at] != '.') {
                return false;
            }
            ++at;
        }
        const std::size_t w = kWidths[static_cast<std::size_t>(g)];
        if (at + w > s.size() || !core::all_digits(s.substr(at, w))) {
            return false;
        }
        at += w;
    }
    return at == s.size();
}

int code_groups(Attr a) {
    return a == Attr::Kota ? 2 : (a == Attr::Kecamatan ? 3 : 4);
}

// --- parser -----------------------------------------------------------------------------------

struct ParseFailure {
    std::size_t offset;
    std::string detail;
};

class Parser {
  public:
    explicit Parser(std::string_view text)
        : text_(text)
        , tokens_(tokenize(text)) {}

    Program run() {
        program_.text = std::string(text_);
        if (peek().kind == Tok::End) {
            fail_here("aturan kosong; diharapkan syarat seperti age >= 18");
        }
        program_.root = parse_or(0);
        if (peek().kind != Tok::End) {
            fail_here("diharapkan 'and', 'or' atau akhir aturan");
        }
        return std::move(program_);
    }

  private:
    const Token& peek(std::size_t ahead = 0) const {
        return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
    }

    const Token& take() {
        const Token& t = peek();
        if (t.kind == Tok::Bad) {
            throw ParseFailure{t.offset, t.text};
        }
        if (pos_ + 1 < tokens_.size()) {
            ++pos_;
        }
        return t;
    }

    [[noreturn]] void fail_at(const Token& t, std::string detail) const {
        throw ParseFailure{t.offset, t.kind == Tok::Bad ? t.text : std::move(detail)};
    }

    [[noreturn]] void fail_here(std::string detail) const { fail_at(peek(), std::move(detail)); }

    std::uint32_t add(Node n) {
        program_.nodes.push_back(std::move(n));
        return static_cast<std::uint32_t>(program_.nodes.size() - 1);
    }

    /// And/Or of the operands; a nested node of the same kind is flattened into it.
    std::uint32_t add_chain(Kind kind, const std::vector<std::uint32_t>& operands) {
        if (operands.size() == 1) {
            return operands.front();
        }
        Node n;
        n.kind = kind;
        for (const auto c : operands) {
            if (program_.nodes[c].kind == kind) {
                const auto inner = program_.nodes[c].children;
                n.children.insert(n.children.end(), inner.begin(), inner.end());
            } else {
                n.children.push_back(c);
            }
        }
        return add(std::move(n));
    }

    std::uint32_t add_not(std::uint32_t child) {
        if (program_.nodes[child].kind == Kind::Not) {
            return program_.nodes[child].children.front(); // not not x = x
        }
        Node n;
        n.kind = Kind::Not;
        n.children.push_back(child);
        return add(std::move(n));
    }

    void enter(int depth) const {
        if (depth >= kMaxRuleDepth) {
            fail_here("terlalu dalam: paling banyak " + std::to_string(kMaxRuleDepth) +
                      " tingkat kurung dan 'not'");
        }
    }

    std::uint32_t parse_or(int depth) {
        std::vector<std::uint32_t> operands{parse_and(depth)};
        while (is_keyword(peek(), "or", "atau")) {
            take();
            operands.push_back(parse_and(depth));
        }
        return add_chain(Kind::Or, operands);
    }

    std::uint32_t parse_and(int depth) {
        std::vector<std::uint32_t> operands{parse_not(depth)};
        while (is_keyword(peek(), "and", "dan")) {
            take();
            operands.push_back(parse_not(depth));
        }
        return add_chain(Kind::And, operands);
    }

    std::uint32_t parse_not(int depth) {
        if (is_keyword(peek(), "not", "bukan")) {
            enter(depth);
            take();
            return add_not(parse_not(depth + 1));
        }
        return parse_primary(depth);
    }

    static constexpr std::string_view kExpectTerm =
        "diharapkan syarat: nama atribut, 'not', '(', 'true', 'false' atau teks dalam tanda "
        "kutip";

    std::uint32_t parse_primary(int depth) {
        const Token& t = peek();
        switch (t.kind) {
        case Tok::LParen: {
            enter(depth);
            take();
            const std::uint32_t inner = parse_or(depth + 1);
            if (peek().kind != Tok::RParen) {
                fail_here("diharapkan 'and', 'or' atau ')'");
            }
            take();
            return inner;
        }
        case Tok::String:
            return parse_value_in_set();
        case Tok::Ident:
            break;
        case Tok::Number:
            fail_at(t, std::string(kExpectTerm) + "; angka hanya di sebelah kanan perbandingan");
        case Tok::End:
            fail_at(t, std::string(kExpectTerm) + ", bukan akhir aturan");
        default:
            fail_at(t, std::string(kExpectTerm));
        }
        if (t.text == "true" || t.text == "false") {
            Node n;
            n.kind = Kind::Const;
            n.value = t.text == "true";
            take();
            return add(std::move(n));
        }
        if (is_reserved(t.text)) {
            fail_at(t, std::string(kExpectTerm) + ", bukan '" + t.text + "'");
        }
        const AttrInfo& a = attribute(t);
        const Token& name = take();
        switch (a.type) {
        case Type::Bool:
            return parse_bool(a, name);
        case Type::Set:
            fail_at(name,
                    "'" + std::string(a.name) + "' adalah himpunan; tulis \"nilai\" in " +
                        std::string(a.name));
        default:
            break;
        }
        // attribute [not] in (...), or attribute op value
        if (is_keyword(peek(), "not", "bukan") && is_keyword(peek(1), "in", "in")) {
            enter(depth);
            take();
            take();
            return add_not(parse_list(a));
        }
        if (is_keyword(peek(), "in", "in")) {
            take();
            return parse_list(a);
        }
        if (peek().kind != Tok::Op) {
            fail_here("diharapkan perbandingan (=, !=, <, <=, >, >=) atau 'in' setelah '" +
                      std::string(a.name) + "'");
        }
        const Token& op = take();
        return parse_comparison(a, op);
    }

    const AttrInfo& attribute(const Token& t) const {
        for (const auto& a : kAttrs) {
            if (a.name == t.text) {
                return a;
            }
        }
        std::vector<std::string_view> names;
        for (const auto& a : kAttrs) {
            names.push_back(a.name);
        }
        fail_at(t,
                "atribut '" + shown(t.text) +
                    "' tidak dikenal; yang tersedia: " + join_names(names));
    }

    std::uint32_t parse_bool(const AttrInfo& a, const Token& name) {
        Node n;
        n.kind = Kind::Bool;
        n.attr = a.attr;
        const Token& next = peek();
        if (next.kind == Tok::Op && (next.cmp == Cmp::Eq || next.cmp == Cmp::Ne)) {
            const bool negate_op = next.cmp == Cmp::Ne;
            take();
            const Token& v = peek();
            if (v.kind != Tok::Ident || (v.text != "true" && v.text != "false")) {
                fail_at(v,
                        "'" + std::string(a.name) +
                            "' bernilai ya/tidak; diharapkan true atau false");
            }
            const bool want = (v.text == "true") != negate_op;
            take();
            const std::uint32_t leaf = add(std::move(n));
            return want ? leaf : add_not(leaf);
        }
        if ((next.kind == Tok::Op) || is_keyword(next, "in", "in")) {
            fail_at(next,
                    "'" + std::string(a.name) + "' bernilai ya/tidak; tulis '" +
                        std::string(a.name) + "' atau 'not " + std::string(a.name) +
                        "' (atau '= true', '= false')");
        }
        (void)name;
        return add(std::move(n));
    }

    /// One literal for attribute `a`, checked and in canonical form: an int for Int and Enum
    /// (the ordinal), a string for Code.
    struct Literal {
        std::int64_t number = 0;
        std::string code;
    };

    Literal parse_literal(const AttrInfo& a) {
        const Token& v = peek();
        const std::string name(a.name);
        Literal out;
        switch (a.type) {
        case Type::Int:
            if (v.kind != Tok::Number) {
                fail_at(v, "'" + name + "' berupa angka; diharapkan angka bulat seperti 18");
            }
            if (is_wg(a.attr) && (v.number < 1 || v.number > 4)) {
                fail_at(v,
                        "jawaban Washington Group '" + name +
                            "' bernilai 1 sampai 4; diharapkan angka 1, 2, 3 atau 4");
            }
            out.number = v.number;
            break;
        case Type::Enum: {
            const auto names = enum_names(a.attr);
            if (v.kind != Tok::String) {
                fail_at(v,
                        "'" + name + "' berupa teks; diharapkan teks dalam tanda kutip: " +
                            join_names(names));
            }
            const auto ord = enum_ordinal(a.attr, v.text);
            if (!ord) {
                fail_at(v,
                        "nilai \"" + shown(v.text) + "\" tidak dikenal untuk '" + name +
                            "'; diharapkan " + join_names(names));
            }
            out.number = *ord;
            break;
        }
        case Type::Code:
            if (v.kind != Tok::String) {
                fail_at(v, "'" + name + "' berupa kode wilayah; diharapkan teks dalam tanda kutip");
            }
            if (!is_region_code(v.text, code_groups(a.attr))) {
                std::string hint = a.attr == Attr::Kota        ? "\"64.74\""
                                   : a.attr == Attr::Kecamatan ? "\"64.74.01\""
                                                               : "\"64.74.01.1003\"";
                std::string more;
                if (a.attr != Attr::Kota && is_region_code(v.text, 2)) {
                    more = "; untuk satu kota tulis kota = \"" + v.text + "\"";
                } else if (a.attr == Attr::Kelurahan && is_region_code(v.text, 3)) {
                    more = "; untuk satu kecamatan tulis kecamatan = \"" + v.text + "\"";
                }
                fail_at(v,
                        "\"" + shown(v.text) + "\" bukan kode " + name +
                            "; diharapkan kode seperti " + hint + more);
            }
            out.code = v.text;
            break;
        default:
            break;
        }
        take();
        return out;
    }

    std::uint32_t parse_comparison(const AttrInfo& a, const Token& op) {
        const bool ordered =
            a.type == Type::Int || (a.type == Type::Enum && a.attr == Attr::Severity);
        if (!ordered && op.cmp != Cmp::Eq && op.cmp != Cmp::Ne) {
            fail_at(op,
                    "'" + std::string(a.name) +
                        "' hanya dapat dibandingkan dengan '=', '!=' atau 'in'");
        }
        const Literal lit = parse_literal(a);
        Node n;
        n.attr = a.attr;
        n.cmp = op.cmp;
        switch (a.type) {
        case Type::Int:
            n.kind = Kind::IntCmp;
            n.number = lit.number;
            break;
        case Type::Enum: {
            n.kind = Kind::EnumMask;
            n.ints.push_back(lit.number);
            const auto count = static_cast<std::int64_t>(enum_names(a.attr).size());
            for (std::int64_t v = 0; v < count; ++v) {
                if (compare(v, op.cmp, lit.number)) {
                    n.mask |= 1U << v;
                }
            }
            break;
        }
        default:
            n.kind = Kind::Code;
            n.strings.push_back(lit.code);
            break;
        }
        return add(std::move(n));
    }

    std::uint32_t parse_list(const AttrInfo& a) {
        if (peek().kind != Tok::LParen) {
            fail_here("diharapkan '(' setelah 'in', lalu nilai dipisah koma, mis. (\"sedang\", "
                      "\"berat\")");
        }
        take();
        Node n;
        n.attr = a.attr;
        n.cmp = Cmp::In;
        n.kind = a.type == Type::Int ? Kind::IntIn
                                     : (a.type == Type::Enum ? Kind::EnumMask : Kind::Code);
        while (true) {
            const Literal lit = parse_literal(a);
            if (a.type == Type::Code) {
                n.strings.push_back(lit.code);
            } else {
                n.ints.push_back(lit.number);
            }
            if (peek().kind == Tok::Comma) {
                take();
                continue;
            }
            if (peek().kind != Tok::RParen) {
                fail_here("diharapkan ',' atau ')' dalam daftar nilai");
            }
            take();
            break;
        }
        std::sort(n.ints.begin(), n.ints.end());
        n.ints.erase(std::unique(n.ints.begin(), n.ints.end()), n.ints.end());
        std::sort(n.strings.begin(), n.strings.end());
        n.strings.erase(std::unique(n.strings.begin(), n.strings.end()), n.strings.end());
        if (n.kind == Kind::EnumMask) {
            for (const auto v : n.ints) {
                n.mask |= 1U << v;
            }
        }
        return add(std::move(n));
    }

    std::uint32_t parse_value_in_set() {
        const Token& value = take();
        if (!is_keyword(peek(), "in", "in")) {
            fail_here("diharapkan 'in' setelah teks, mis. \"fisik\" in categories");
        }
        take();
        const Token& set = peek();
        if (set.kind != Tok::Ident || is_reserved(set.text)) {
            fail_at(set, "diharapkan categories, assistive_devices atau therapies setelah 'in'");
        }
        const AttrInfo& a = attribute(set);
        if (a.type != Type::Set) {
            fail_at(set,
                    "'" + std::string(a.name) +
                        "' bukan himpunan; diharapkan categories, assistive_devices atau "
                        "therapies (untuk daftar nilai tulis " +
                        std::string(a.name) + " in (...))");
        }
        const auto ord = enum_ordinal(a.attr, value.text);
        if (!ord) {
            fail_at(value,
                    "nilai \"" + shown(value.text) + "\" tidak dikenal untuk '" +
                        std::string(a.name) + "'; diharapkan " + join_names(enum_names(a.attr)));
        }
        take();
        Node n;
        n.kind = Kind::SetHas;
        n.attr = a.attr;
        n.cmp = Cmp::In;
        n.ints.push_back(*ord);
        n.strings.emplace_back(enum_names(a.attr)[static_cast<std::size_t>(*ord)]);
        n.mask = 1U << *ord;
        return add(std::move(n));
    }

    std::string_view text_;
    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
    Program program_;
};

/// 1-based position in characters (UTF-8 code points) of a byte offset.
std::size_t char_position(std::string_view text, std::size_t offset) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
            ++chars;
        }
    }
    return chars + 1;
}

// --- evaluation -------------------------------------------------------------------------------

/// The record and what is derived from it, worked out on first use only (a rule that fails on
/// age never reads the categories, which live in another cache line).
class Facts {
  public:
    Facts(const core::PersonRecord& record, const RuleContext& context)
        : record_(record)
        , context_(context) {}

    const core::PersonRecord& record() const { return record_; }

    const core::Person& person() const { return record_.person; }

    /// Whole years at the reference date; nullopt without both dates or before birth.
    std::optional<std::int64_t> age() {
        if (!age_known_) {
            age_known_ = true;
            const core::Date birth = record_.person.birth_date;
            if (birth.ok() && context_.on.ok()) {
                const int years = core::age_on(birth, context_.on);
                age_ = years >= 0 ? std::optional<std::int64_t>(years) : std::nullopt;
            }
        }
        return age_;
    }

    /// Bit c is set when the person has category c.
    std::uint32_t categories() {
        if (!categories_known_) {
            categories_known_ = true;
            for (const auto c : record_.person.categories) {
                categories_ |= 1U << static_cast<unsigned>(c);
            }
        }
        return categories_;
    }

  private:
    const core::PersonRecord& record_;
    const RuleContext& context_;
    std::optional<std::int64_t> age_;
    std::uint32_t categories_ = 0;
    bool age_known_ = false;
    bool categories_known_ = false;
};

std::optional<std::int64_t> int_value(Attr a, Facts& f) {
    const core::Person& p = f.person();
    switch (a) {
    case Attr::Age:
        return f.age();
    case Attr::CategoryCount:
        return static_cast<std::int64_t>(p.categories.size());
    case Attr::OnsetYear:
        return p.onset_year ? std::optional<std::int64_t>(*p.onset_year) : std::nullopt;
    default: {
        const auto& answer = p.wgss[static_cast<std::size_t>(static_cast<int>(a) -
                                                             static_cast<int>(Attr::WgSeeing))];
        return answer ? std::optional<std::int64_t>(*answer) : std::nullopt;
    }
    }
}

/// The ordinal of an enumeration attribute, or -1 when absent.
int enum_value(Attr a, const core::Person& p) {
    const auto ord = [](const auto& v) {
        return v ? static_cast<int>(*v) : -1;
    };
    switch (a) {
    case Attr::Sex:
        return static_cast<int>(p.sex);
    case Attr::Severity:
        return ord(p.severity);
    case Attr::Status:
        return static_cast<int>(p.status);
    case Attr::Onset:
        return ord(p.onset);
    default:
        return ord(p.cause);
    }
}

std::string_view code_value(Attr a, const core::PersonRecord& r) {
    const std::string_view kel = r.person.address.kelurahan_code;
    if (a == Attr::Kelurahan) {
        return kel;
    }
    std::string_view kec = r.kecamatan_code;
    if (kec.empty() && kel.size() == 13) {
        kec = kel.substr(0, 8);
    }
    if (a == Attr::Kecamatan) {
        return kec;
    }
    return kec.size() >= 5 ? kec.substr(0, 5) : std::string_view{};
}

bool bool_value(Attr a, const core::Person& p) {
    switch (a) {
    case Attr::Dtks:
        return p.dtks;
    case Attr::HasAccount:
        return p.account.has_value() && !p.account->number.empty();
    case Attr::ConsentBansos:
        return p.consent.covers(core::ConsentPurpose::SocialAssistance);
    case Attr::HasCaregiver:
        return p.caregiver.has_value();
    case Attr::HasLocation:
        return p.home.has_value();
    default:
        return core::wgss_identifies_disability(p);
    }
}

bool contains(const std::vector<std::string>& values, std::string_view v) {
    return std::any_of(values.begin(), values.end(), [&](const std::string& s) { return s == v; });
}

bool eval(const Program& prog, const Node& n, Facts& f) {
    switch (n.kind) {
    case Kind::And:
        for (const auto c : n.children) {
            if (!eval(prog, prog.nodes[c], f)) {
                return false;
            }
        }
        return true;
    case Kind::Or:
        for (const auto c : n.children) {
            if (eval(prog, prog.nodes[c], f)) {
                return true;
            }
        }
        return false;
    case Kind::Not:
        return !eval(prog, prog.nodes[n.children.front()], f);
    case Kind::Const:
        return n.value;
    case Kind::Bool:
        return bool_value(n.attr, f.person());
    case Kind::IntCmp: {
        const auto v = int_value(n.attr, f);
        return v && compare(*v, n.cmp, n.number);
    }
    case Kind::IntIn: {
        const auto v = int_value(n.attr, f);
        return v && std::binary_search(n.ints.begin(), n.ints.end(), *v);
    }
    case Kind::EnumMask: {
        const int v = enum_value(n.attr, f.person());
        return v >= 0 && ((n.mask >> v) & 1U) != 0;
    }
    case Kind::Code: {
        const std::string_view v = code_value(n.attr, f.record());
        if (v.empty()) {
            return false;
        }
        if (n.cmp == Cmp::Ne) {
            return v != n.strings.front();
        }
        return contains(n.strings, v);
    }
    case Kind::SetHas:
        if (n.attr == Attr::Categories) {
            return (f.categories() & n.mask) != 0;
        }
        return contains(n.attr == Attr::AssistiveDevices ? f.person().assistive_devices
                                                         : f.person().therapies,
                        n.strings.front());
    }
    return false;
}

// --- canonical form ---------------------------------------------------------------------------

int precedence(Kind k) {
    switch (k) {
    case Kind::Or:
        return 1;
    case Kind::And:
        return 2;
    case Kind::Not:
        return 3;
    default:
        return 4;
    }
}

std::string quoted(std::string_view s) {
    return "\"" + std::string(s) + "\"";
}

void print(const Program& prog, const Node& n, std::string& out) {
    const auto child = [&](std::uint32_t c, int min_prec) {
        const Node& cn = prog.nodes[c];
        const bool parens = precedence(cn.kind) < min_prec;
        out += parens ? "(" : "";
        print(prog, cn, out);
        out += parens ? ")" : "";
    };
    const std::string name(info_of(n.attr).name);
    switch (n.kind) {
    case Kind::And:
    case Kind::Or:
        for (std::size_t i = 0; i < n.children.size(); ++i) {
            out += i == 0 ? "" : (n.kind == Kind::And ? " and " : " or ");
            child(n.children[i], precedence(n.kind) + 1);
        }
        return;
    case Kind::Not:
        out += "not ";
        child(n.children.front(), precedence(Kind::Not));
        return;
    case Kind::Const:
        out += n.value ? "true" : "false";
        return;
    case Kind::Bool:
        out += name;
        return;
    case Kind::IntCmp:
        out += name + " " + std::string(cmp_text(n.cmp)) + " " + std::to_string(n.number);
        return;
    case Kind::IntIn:
    case Kind::EnumMask:
    case Kind::Code: {
        out += name + " " + std::string(cmp_text(n.cmp)) + " ";
        std::vector<std::string> items;
        if (n.kind == Kind::IntIn) {
            for (const auto v : n.ints) {
                items.push_back(std::to_string(v));
            }
        } else if (n.kind == Kind::EnumMask) {
            const auto names = enum_names(n.attr);
            for (const auto v : n.ints) {
                items.push_back(quoted(names[static_cast<std::size_t>(v)]));
            }
        } else {
            for (const auto& s : n.strings) {
                items.push_back(quoted(s));
            }
        }
        if (n.cmp != Cmp::In) {
            out += items.front();
            return;
        }
        out += "(";
        for (std::size_t i = 0; i < items.size(); ++i) {
            out += (i == 0 ? "" : ", ") + items[i];
        }
        out += ")";
        return;
    }
    case Kind::SetHas:
        out += quoted(n.strings.front()) + " in " + name;
        return;
    }
}

} // namespace

Rule::Rule(std::shared_ptr<const detail::Program> program)
    : program_(std::move(program)) {}

const std::string& Rule::text() const {
    return program_->text;
}

std::string Rule::canonical() const {
    std::string out;
    print(*program_, program_->nodes[program_->root], out);
    return out;
}

bool Rule::matches(const core::PersonRecord& record, const RuleContext& context) const {
    const Program& prog = *program_;
    Facts facts(record, context);
    return eval(prog, prog.nodes[prog.root], facts);
}

Result<Rule> parse_rule(std::string_view text) {
    const auto invalid = [&](std::size_t offset, const std::string& detail) {
        const std::size_t at = char_position(text, offset);
        return fail(ErrorCode::AidRuleInvalid,
                    "eligibility rule invalid at character " + std::to_string(at),
                    {FieldIssue{"rule",
                                ErrorCode::AidRuleInvalid,
                                "posisi " + std::to_string(at) + ": " + detail}});
    };
    if (text.size() > kMaxRuleLength) {
        return invalid(kMaxRuleLength,
                       "aturan terlalu panjang: " + std::to_string(text.size()) +
                           " byte, paling banyak " + std::to_string(kMaxRuleLength));
    }
    try {
        Parser parser(text);
        return Rule(std::make_shared<const Program>(parser.run()));
    } catch (const ParseFailure& f) {
        return invalid(f.offset, f.detail);
    }
}

RulePreview preview_rule(const Rule& rule,
                         std::span<const core::PersonRecord> records,
                         const RuleContext& context) {
    RulePreview out;
    out.evaluated = records.size();
    for (const auto& r : records) {
        if (rule.matches(r, context)) {
            ++out.matched;
            ++out.per_kelurahan[r.person.address.kelurahan_code];
        }
    }
    return out;
}

} // namespace kapal::aid
