#include "kapal/card/card_key_list.hpp"

#include <gtest/gtest.h>

namespace kapal::card {
namespace {

CardKey key(std::uint8_t fill) {
    std::array<std::uint8_t, 32> seed{};
    seed.fill(fill);
    return card_key_from_seed(seed);
}

TEST(CardKeyList, RoundTripsCurrentAndRetiredKeys) {
    const auto a = key(1);
    const auto b = key(2);
    std::vector<PublishedCardKey> keys{
        {a.kid, a.public_key, core::from_unix_ms(1700000000000), core::from_unix_ms(1790000000000)},
        {b.kid, b.public_key, core::from_unix_ms(1790000000000), std::nullopt}};
    auto parsed = parse_card_key_list(format_card_key_list(keys));
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(*parsed, keys);
    EXPECT_EQ(verification_keys(*parsed).size(), 2U);
}

TEST(CardKeyList, RefusesAKidThatIsNotItsKeysAndNamesTheLine) {
    const auto a = key(1);
    const auto b = key(2);
    const std::string text =
        "# comment\n" + b.kid + " EdDSA " + to_hex(a.public_key) + " 2026-01-01T00:00:00Z\n";
    auto parsed = parse_card_key_list(text);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code, ErrorCode::ConfigInvalid);
    EXPECT_EQ(parsed.error().fields.at(0).field, "line 2");
}

TEST(CardKeyList, RefusesMalformedLinesAndRepeatedKids) {
    const auto a = key(1);
    const std::string line = a.kid + " EdDSA " + to_hex(a.public_key) + " 2026-01-01T00:00:00Z\n";
    EXPECT_FALSE(parse_card_key_list(line + line));
    EXPECT_FALSE(parse_card_key_list(a.kid + " ES256 " + to_hex(a.public_key) + " 2026-01-01\n"));
    EXPECT_FALSE(parse_card_key_list(a.kid + " EdDSA abc 2026-01-01\n"));
    EXPECT_FALSE(parse_card_key_list(a.kid + " EdDSA " + to_hex(a.public_key) + " yesterday\n"));
}

TEST(CardKeyList, Base64urlHasNoPadding) {
    const std::vector<std::uint8_t> b{0xfb, 0xff};
    EXPECT_EQ(to_base64url(b), "-_8");
    const std::vector<std::uint8_t> c{'f', 'o', 'o', 'b'};
    EXPECT_EQ(to_base64url(c), "Zm9vYg");
}

} // namespace
} // namespace kapal::card
