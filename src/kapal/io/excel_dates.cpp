#include "kapal/io/excel_dates.hpp"

#include "kapal/core/text.hpp"

#include <array>
#include <cmath>
#include <cstdlib>
#include <string>

namespace kapal::io {
namespace {

struct MonthName {
    std::string_view name;
    unsigned month;
};

constexpr std::array<MonthName, 42> kMonths = {{
    {"januari", 1},   {"january", 1},  {"jan", 1},       {"februari", 2},  {"pebruari", 2},
    {"february", 2},  {"feb", 2},      {"peb", 2},       {"maret", 3},     {"march", 3},
    {"mar", 3},       {"april", 4},    {"apr", 4},       {"mei", 5},       {"may", 5},
    {"juni", 6},      {"june", 6},     {"jun", 6},       {"juli", 7},      {"july", 7},
    {"jul", 7},       {"agustus", 8},  {"august", 8},    {"agu", 8},       {"agt", 8},
    {"ags", 8},       {"aug", 8},      {"september", 9}, {"sept", 9},      {"sep", 9},
    {"oktober", 10},  {"october", 10}, {"okt", 10},      {"oct", 10},      {"november", 11},
    {"nopember", 11}, {"nov", 11},     {"nop", 11},      {"desember", 12}, {"des", 12},
    {"december", 12}, {"dec", 12},
}};

std::optional<unsigned> month_from_name(std::string_view word) {
    if (!word.empty() && word.back() == '.') {
        word.remove_suffix(1);
    }
    const std::string lower = core::to_lower(word);
    for (const auto& m : kMonths) {
        if (m.name == lower) {
            return m.month;
        }
    }
    return std::nullopt;
}

std::optional<int> number(std::string_view s, std::size_t min_len, std::size_t max_len) {
    if (s.size() < min_len || s.size() > max_len) {
        return std::nullopt;
    }
    int v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        v = v * 10 + (c - '0');
    }
    return v;
}

std::optional<core::Date> checked(int y, int m, int d) {
    if (m < 1 || m > 12 || d < 1 || d > 31) {
        return std::nullopt;
    }
    const core::Date date = core::make_date(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    if (!date.ok()) {
        return std::nullopt;
    }
    return date;
}

bool is_time(std::string_view s) {
    // hh:mm or hh:mm:ss (optionally with fractional seconds), nothing else.
    std::size_t colons = 0;
    for (const char c : s) {
        if (c == ':') {
            ++colons;
        } else if ((c < '0' || c > '9') && c != '.') {
            return false;
        }
    }
    return colons == 1 || colons == 2;
}

} // namespace

std::optional<core::Date> from_excel_serial(double serial) {
    if (!std::isfinite(serial) || serial < 1.0 || serial >= 2958466.0) {
        return std::nullopt;
    }
    const auto whole = static_cast<long>(std::floor(serial));
    if (whole == 60) {
        return std::nullopt;
    }
    using namespace std::chrono;
    // Serial 1 is 1900-01-01, so day 0 is 1899-12-31; past the fake leap day, one day less.
    const sys_days base = sys_days{year{1899} / December / 31};
    const long offset = whole < 60 ? whole : whole - 1;
    return core::Date{base + days{offset}};
}

std::optional<core::Date> from_excel_serial_text(std::string_view text) {
    text = core::trim(text);
    if (text.empty() || text.size() > 64) {
        return std::nullopt;
    }
    const std::string copy(text);
    char* end = nullptr;
    const double v = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size()) {
        return std::nullopt;
    }
    return from_excel_serial(v);
}

std::optional<core::Date> parse_date_lenient(std::string_view text) {
    text = core::trim(text);
    // Drop a trailing time: the last space-separated word, if it looks like one.
    if (const auto space = text.rfind(' '); space != std::string_view::npos) {
        if (is_time(text.substr(space + 1))) {
            text = core::trim(text.substr(0, space));
        }
    }
    if (text.empty() || text.size() > 40) {
        return std::nullopt;
    }
    // Split into exactly three parts on one separator kind between each part.
    std::array<std::string_view, 3> parts{};
    std::size_t n = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (n == 3) {
            return std::nullopt;
        }
        std::size_t j = i;
        while (j < text.size() && text[j] != ' ' && text[j] != '/' && text[j] != '-' &&
               text[j] != '.' && text[j] != ',') {
            ++j;
        }
        // A dot that ends a month abbreviation ("Agt.") belongs to the word.
        std::size_t word_end = j;
        if (j < text.size() && text[j] == '.' && j > i && (text[i] < '0' || text[i] > '9')) {
            word_end = j + 1;
        }
        parts[n++] = text.substr(i, word_end - i);
        if (parts[n - 1].empty()) {
            return std::nullopt;
        }
        i = j;
        // Skip one separator and any spaces around it ("17 - Agt - 1945", "Agt. 1945").
        bool sep_seen = false;
        while (i < text.size() && (text[i] == ' ' || text[i] == '/' || text[i] == '-' ||
                                   text[i] == '.' || text[i] == ',')) {
            if (text[i] != ' ') {
                if (sep_seen) {
                    return std::nullopt;
                }
                sep_seen = true;
            }
            ++i;
        }
    }
    if (n != 3) {
        return std::nullopt;
    }
    if (const auto y = number(parts[0], 4, 4)) {
        const auto m = number(parts[1], 1, 2);
        const auto d = number(parts[2], 1, 2);
        if (!m || !d) {
            return std::nullopt;
        }
        return checked(*y, *m, *d);
    }
    const auto d = number(parts[0], 1, 2);
    const auto y = number(parts[2], 4, 4);
    if (!d || !y) {
        return std::nullopt;
    }
    if (const auto m = number(parts[1], 1, 2)) {
        return checked(*y, *m, *d);
    }
    if (const auto m = month_from_name(parts[1])) {
        return checked(*y, static_cast<int>(*m), *d);
    }
    return std::nullopt;
}

} // namespace kapal::io
