#pragma once
// Dates and instants. Instants are stored as UTC milliseconds; people see WITA (UTC+8).
// GCC 12 has the C++20 calendar types but neither std::format nor chrono::parse, so the
// text forms are written here.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kapal::core {

/// A calendar date (no time zone), e.g. a birth date.
using Date = std::chrono::year_month_day;

/// An instant, UTC, millisecond precision.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

/// Asia/Makassar (WITA) has no daylight saving: always UTC+8.
inline constexpr std::chrono::hours kWitaOffset{8};

/// "YYYY-MM-DD". Precondition: d.ok().
std::string format_date(Date d);

/// Strict ISO "YYYY-MM-DD"; nullopt for anything else or a date that does not exist.
std::optional<Date> parse_date(std::string_view text);

/// "2026-11-28T06:46:08.123Z".
std::string format_timestamp(Timestamp t);

/// ISO 8601 UTC instant as written by format_timestamp, also without milliseconds, and a plain
/// date (midnight UTC). nullopt for anything else.
std::optional<Timestamp> parse_timestamp(std::string_view text);

/// Milliseconds since the Unix epoch.
inline std::int64_t to_unix_ms(Timestamp t) {
    return t.time_since_epoch().count();
}

inline Timestamp from_unix_ms(std::int64_t ms) {
    return Timestamp{std::chrono::milliseconds{ms}};
}

/// The WITA calendar date of an instant (what "today" means in Bontang).
Date wita_date(Timestamp t);

/// Whole years between birth and on (age at a date). Precondition: both ok().
int age_on(Date birth, Date on);

/// Makes a date from numbers; the result may be !ok() (31 February).
inline Date make_date(int y, unsigned m, unsigned d) {
    return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

} // namespace kapal::core
