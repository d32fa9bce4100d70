#include "kapal/core/ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace kapal::core {
namespace {

TEST(UuidV7, EncodesTheTimeInTheFirstFortyEightBits) {
    const auto id = format_uuid_v7(from_unix_ms(0x0190'1234'5678), 0xABC, 0x1234'5678'9ABC'DEF0);
    EXPECT_EQ(id.substr(0, 13), "01901234-5678");
    EXPECT_TRUE(is_uuid_v7(id)) << id;
}

TEST(UuidV7, GeneratedIdsAreUniqueAndOrderedByTime) {
    IdGenerator gen(42);
    std::set<std::string> seen;
    std::string previous;
    for (int i = 0; i < 1000; ++i) {
        const auto id = gen.next(from_unix_ms(1'700'000'000'000 + i));
        EXPECT_TRUE(is_uuid_v7(id));
        EXPECT_TRUE(seen.insert(id).second);
        EXPECT_LT(previous, id);
        previous = id;
    }
}

TEST(UuidV7, IdsWithinOneMillisecondOrAfterAClockStepBackStillIncrease) {
    IdGenerator gen(7);
    const auto t = from_unix_ms(1'700'000'000'000);
    std::string previous = gen.next(t);
    for (int i = 0; i < 10000; ++i) {
        const auto id = gen.next(i == 5000 ? t - std::chrono::seconds(1) : t);
        EXPECT_TRUE(is_uuid_v7(id)) << id;
        ASSERT_LT(previous, id);
        previous = id;
    }
}

TEST(UuidV7, RejectsOtherText) {
    EXPECT_FALSE(is_uuid_v7("not-a-uuid"));
    EXPECT_FALSE(is_uuid_v7("01901234-5678-4abc-8234-56789abcdef0")); // version 4
    EXPECT_FALSE(is_uuid_v7("01901234-5678-7ABC-8234-56789ABCDEF0")); // upper case
}

} // namespace
} // namespace kapal::core
