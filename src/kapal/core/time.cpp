#include "kapal/core/time.hpp"

#include <array>
#include <charconv>
#include <cstdio>

namespace kapal::core {
namespace {

std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t len) {
    if (pos + len > text.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
        const char c = text[i];
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    return value;
}

} // namespace

std::string format_date(Date d) {
    const int year = static_cast<int>(d.year());
    const auto month = static_cast<unsigned>(d.month());
    const auto day = static_cast<unsigned>(d.day());
    if (year >= 0 && year <= 9999 && month <= 99 && day <= 99) {
        // The common case without printf (a bulk import formats millions of dates).
        const auto digit = [](unsigned v) {
            return static_cast<char>('0' + v % 10);
        };
        const auto y = static_cast<unsigned>(year);
        return {digit(y / 1000),
                digit(y / 100),
                digit(y / 10),
                digit(y),
                '-',
                digit(month / 10),
                digit(month),
                '-',
                digit(day / 10),
                digit(day)};
    }
    std::array<char, 16> buf{};
    std::snprintf(buf.data(),
                  buf.size(),
                  "%04d-%02u-%02u",
                  static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return buf.data();
}

std::optional<Date> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
        return std::nullopt;
    }
    const auto y = digits(text, 0, 4);
    const auto m = digits(text, 5, 2);
    const auto d = digits(text, 8, 2);
    if (!y || !m || !d) {
        return std::nullopt;
    }
    const Date date = make_date(*y, static_cast<unsigned>(*m), static_cast<unsigned>(*d));
    if (!date.ok()) {
        return std::nullopt;
    }
    return date;
}

std::string format_timestamp(Timestamp t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const Date date{day};
    const hh_mm_ss<milliseconds> tod{t - day};
    std::array<char, 40> buf{};
    std::snprintf(buf.data(),
                  buf.size(),
                  "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                  static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()),
                  static_cast<int>(tod.hours().count()),
                  static_cast<int>(tod.minutes().count()),
                  static_cast<int>(tod.seconds().count()),
                  static_cast<int>(tod.subseconds().count()));
    return buf.data();
}

std::optional<Timestamp> parse_timestamp(std::string_view text) {
    using namespace std::chrono;
    const auto date = parse_date(text.substr(0, 10));
    if (!date) {
        return std::nullopt;
    }
    Timestamp t = time_point_cast<milliseconds>(sys_days{*date});
    if (text.size() == 10) {
        return t;
    }
    // T hh:mm:ss [.mmm] Z
    if (text.size() < 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
        text.back() != 'Z') {
        return std::nullopt;
    }
    const auto h = digits(text, 11, 2);
    const auto mi = digits(text, 14, 2);
    const auto s = digits(text, 17, 2);
    if (!h || !mi || !s || *h > 23 || *mi > 59 || *s > 60) {
        return std::nullopt;
    }
    int ms = 0;
    if (text.size() == 24 && text[19] == '.') {
        const auto frac = digits(text, 20, 3);
        if (!frac) {
            return std::nullopt;
        }
        ms = *frac;
    } else if (text.size() != 20) {
        return std::nullopt;
    }
    t += hours{*h} + minutes{*mi} + seconds{*s} + milliseconds{ms};
    return t;
}

Date wita_date(Timestamp t) {
    using namespace std::chrono;
    return Date{floor<days>(t + kWitaOffset)};
}

int age_on(Date birth, Date on) {
    int age = static_cast<int>(on.year()) - static_cast<int>(birth.year());
    if (on.month() < birth.month() || (on.month() == birth.month() && on.day() < birth.day())) {
        --age;
    }
    return age;
}

} // namespace kapal::core
