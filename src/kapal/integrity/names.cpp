#include "kapal/integrity/names.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace kapal::integrity {
namespace {

/// Titles written before a name (lower case, dots removed): religious, academic, honorific,
/// and the forms of address of a registration form.
constexpr std::array<std::string_view, 34> kTitles = {
    "h",       "hj",  "hjh",  "haji",     "hajah",      "hajjah", "drs",   "dra",
    "dr",      "ir",  "prof", "kh",       "ust",        "ustadz", "ustaz", "ustadzah",
    "ustazah", "tn",  "ny",   "nn",       "sdr",        "sdri",   "bpk",   "bapak",
    "ibu",     "alm", "almh", "almarhum", "almarhumah", "raden",  "rd",    "rr"};

/// Degrees written after a name (lower case, dots removed). Short ones that are also name
/// parts (se, sh, st, ma) count only after a comma or when written with dots ("S.H.").
constexpr std::array<std::string_view, 52> kDegrees = {
    "spd",   "spdi",   "skom",   "se",   "sh",   "mm",   "amd",  "ama", "ssos", "msi", "mpd",
    "ssi",   "st",     "skep",   "ked",  "sked", "ag",   "sag",  "mag", "sip",  "mh",  "mkes",
    "skm",   "sfarm",  "apt",    "mt",   "ssn",  "spsi", "mkom", "shi", "sthi", "sei", "ners",
    "drg",   "ak",     "sst",    "sstp", "ip",   "msc",  "ma",   "mba", "phd",  "sp",  "amkeb",
    "amkep", "amdkeb", "amdkep", "bsc",  "ba",   "sk",   "spt",  "stp"};

/// Degrees recognised at the end of a name even without a comma or dots ("Ahmad SPd").
constexpr std::array<std::string_view, 12> kUnmistakableDegrees = {
    "spd", "spdi", "skom", "ssos", "amd", "msi", "mpd", "skep", "sked", "mkes", "amkeb", "amkep"};

/// The written forms of Muhammad (after the old-spelling rules).
constexpr std::array<std::string_view, 16> kMuhammad = {"muhammad",
                                                        "muhamad",
                                                        "mohammad",
                                                        "mohamad",
                                                        "mohammed",
                                                        "muhammed",
                                                        "mokhammad",
                                                        "mokhamad",
                                                        "mukhammad",
                                                        "mukhamad",
                                                        "mohamed",
                                                        "moh",
                                                        "muh",
                                                        "mhd",
                                                        "mhmd",
                                                        "mokh"};

/// Words that put the father's name after them.
constexpr std::array<std::string_view, 6> kPatronymic = {
    "bin", "binti", "bt", "bte", "binte", "bint"};

template <std::size_t N>
bool among(const std::array<std::string_view, N>& list, std::string_view word) {
    return std::find(list.begin(), list.end(), word) != list.end();
}

/// ASCII lower case; Latin-1 letters in UTF-8 folded to their base letter; apostrophes (also
/// U+2018/U+2019 and the backtick) dropped ("Ma'ruf" is "maruf"); every other character but ','
/// and '.' (which the caller reads) becomes a space.
std::string fold(std::string_view text) {
    // Latin-1 Supplement U+00C0..U+00FF → base letter ('\0': none).
    using namespace std::string_view_literals;
    static constexpr std::string_view kLatin1 = "aaaaaaaceeeeiiiidnooooo\0ouuuuyts"
                                                "aaaaaaaceeeeiiiidnooooo\0ouuuuyty"sv;
    static_assert(kLatin1.size() == 64);
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z') {
                out += static_cast<char>(c - 'A' + 'a');
            } else if ((c >= 'a' && c <= 'z') || c == ',' || c == '.') {
                out += static_cast<char>(c);
            } else if (c != '\'' && c != '`') {
                out += ' ';
            }
            continue;
        }
        // Two-byte sequences for U+00C0..U+00FF; U+2018/U+2019 (E2 80 98/99) are apostrophes.
        if ((c == 0xC3) && i + 1 < text.size()) {
            const auto next = static_cast<unsigned char>(text[i + 1]);
            const std::size_t at = static_cast<std::size_t>(next) - 0x80;
            if (next >= 0x80 && next <= 0xBF && kLatin1[at] != '\0') {
                out += kLatin1[at];
            }
            ++i;
            continue;
        }
        if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
            (static_cast<unsigned char>(text[i + 2]) == 0x98 ||
             static_cast<unsigned char>(text[i + 2]) == 0x99)) {
            i += 2;
            continue;
        }
        // Any other non-ASCII character: a separator; skip its continuation bytes.
        out += ' ';
        while (i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) {
            ++i;
        }
    }
    return out;
}

std::vector<std::string> split(std::string_view text, std::string_view separators) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find_first_of(separators, start);
        const std::size_t stop = end == std::string_view::npos ? text.size() : end;
        if (stop > start) {
            out.emplace_back(text.substr(start, stop - start));
        }
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }
    return out;
}

std::string without_dots(std::string_view word) {
    std::string out;
    for (const char c : word) {
        if (c != '.') {
            out += c;
        }
    }
    return out;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (std::size_t at = s.find(from); at != std::string::npos;
         at = s.find(from, at + to.size())) {
        s.replace(at, from.size(), to);
    }
}

/// The new spelling (EYD) of the old one: oe → u, dj → j, tj → c, sj → sy, nj → ny, ch → kh.
std::string new_spelling(std::string word) {
    replace_all(word, "oe", "u");
    replace_all(word, "dj", "j");
    replace_all(word, "tj", "c");
    replace_all(word, "sj", "sy");
    replace_all(word, "nj", "ny");
    replace_all(word, "ch", "kh");
    return word;
}

/// The words of one comma-separated part: raw tokens split at spaces, a dotted degree after the
/// first word dropped ("S.Pd"), the rest split at dots ("H.Ahmad" is "h", "ahmad").
std::vector<std::string> words_of(std::string_view part, bool degrees_only_dotted) {
    std::vector<std::string> out;
    const auto raw = split(part, " ");
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const std::string bare = without_dots(raw[i]);
        const bool dotted = raw[i].find('.') != std::string::npos && raw[i].size() > 1 &&
                            raw[i].find('.') < raw[i].size() - 1;
        if (i > 0 && among(kDegrees, bare) && (dotted || !degrees_only_dotted)) {
            continue;
        }
        for (auto& w : split(raw[i], ".")) {
            out.push_back(std::move(w));
        }
    }
    return out;
}

} // namespace

std::string joined(const std::vector<std::string>& tokens) {
    std::string out;
    for (const auto& t : tokens) {
        out += (out.empty() ? "" : " ") + t;
    }
    return out;
}

std::string phonetic_key(std::string_view token) {
    std::string s(token);
    replace_all(s, "kh", "h");
    for (const auto& [from, to] :
         std::array<std::pair<std::string_view, std::string_view>, 13>{{{"ph", "f"},
                                                                        {"sy", "s"},
                                                                        {"sh", "s"},
                                                                        {"ts", "s"},
                                                                        {"th", "t"},
                                                                        {"dh", "d"},
                                                                        {"gh", "g"},
                                                                        {"dz", "z"},
                                                                        {"q", "k"},
                                                                        {"x", "ks"},
                                                                        {"v", "f"},
                                                                        {"f", "p"},
                                                                        {"z", "s"}}}) {
        replace_all(s, from, to);
    }
    if (s.size() > 1 && s.back() == 'y') {
        s.back() = 'i';
    }
    if (s.size() > 2 && s.back() == 'h') {
        s.pop_back();
    }
    std::string out;
    for (const char c : s) {
        if (out.empty() || out.back() != c) {
            out += c;
        }
    }
    return out;
}

NormalizedName normalize_name(std::string_view written) {
    const std::string folded = fold(written);
    const auto parts = split(folded, ",");
    std::vector<std::string> words;
    for (std::size_t p = 0; p < parts.size(); ++p) {
        if (p == 0) {
            words = words_of(parts[p], true);
            continue;
        }
        // After a comma: degrees ("S.Pd., M.Si."), else more of the name ("Yani, Ahmad").
        const auto raw = split(parts[p], " ");
        const bool degrees = std::all_of(raw.begin(), raw.end(), [](const std::string& r) {
            const std::string bare = without_dots(r);
            return among(kDegrees, bare) || bare.size() <= 2;
        });
        if (!degrees) {
            const auto more = words_of(parts[p], false);
            words.insert(words.end(), more.begin(), more.end());
        }
    }
    // Unmistakable degrees written without dots at the end ("Ahmad SPd").
    while (words.size() > 1 && among(kUnmistakableDegrees, words.back())) {
        words.pop_back();
    }
    // Titles in front, as long as a name remains.
    std::size_t first = 0;
    while (first + 1 < words.size() && among(kTitles, words[first])) {
        ++first;
    }
    NormalizedName name;
    bool after_bin = false;
    for (std::size_t i = first; i < words.size(); ++i) {
        if (i > first && among(kPatronymic, words[i])) {
            after_bin = true;
            continue;
        }
        if (after_bin && name.patronym.empty() && i + 1 < words.size() &&
            among(kTitles, words[i])) {
            continue; // "binti H. Umar": the father's title
        }
        std::string w = new_spelling(words[i]);
        auto& into = after_bin ? name.patronym : name.tokens;
        const bool leading = into.empty() && i + 1 < words.size();
        if (among(kMuhammad, w) || (leading && (w == "m" || w == "md"))) {
            w = "muhammad";
        } else if (w == "abd") {
            w = "abdul";
        } else if (leading && w == "st") {
            w = "siti";
        }
        into.push_back(std::move(w));
    }
    for (const auto& t : name.tokens) {
        name.phonetic.push_back(phonetic_key(t));
    }
    auto sorted = name.phonetic;
    std::sort(sorted.begin(), sorted.end());
    name.phonetic_set = joined(sorted);
    return name;
}

} // namespace kapal::integrity
