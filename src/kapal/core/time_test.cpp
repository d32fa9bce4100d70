#include "kapal/core/time.hpp"

#include <gtest/gtest.h>

namespace kapal::core {
namespace {

TEST(Time, ParsesAndFormatsIsoDates) {
    const auto d = parse_date("1985-03-15");
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(format_date(*d), "1985-03-15");
    EXPECT_FALSE(parse_date("1985-02-30").has_value());
    EXPECT_FALSE(parse_date("15/03/1985").has_value());
    EXPECT_FALSE(parse_date("1985-3-15").has_value());
}

TEST(Time, TimestampsRoundTripInUtc) {
    const auto t = parse_timestamp("2026-11-28T06:46:08.123Z");
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(format_timestamp(*t), "2026-11-28T06:46:08.123Z");
    EXPECT_EQ(format_timestamp(*parse_timestamp("2026-11-28T06:46:08Z")),
              "2026-11-28T06:46:08.000Z");
    EXPECT_FALSE(parse_timestamp("2026-11-28T25:00:00Z").has_value());
}

TEST(Time, WitaDateIsUtcPlusEight) {
    // 17:00 UTC on the 27th is 01:00 WITA on the 28th.
    EXPECT_EQ(format_date(wita_date(*parse_timestamp("2026-11-27T17:00:00Z"))), "2026-11-28");
    EXPECT_EQ(format_date(wita_date(*parse_timestamp("2026-11-27T15:59:59Z"))), "2026-11-27");
}

TEST(Time, AgeCountsWholeYears) {
    EXPECT_EQ(age_on(make_date(2000, 2, 29), make_date(2018, 2, 28)), 17);
    EXPECT_EQ(age_on(make_date(2000, 2, 29), make_date(2018, 3, 1)), 18);
}

} // namespace
} // namespace kapal::core
