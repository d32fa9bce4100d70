#include "kapal/card/base45.hpp"

#include <gtest/gtest.h>

#include <random>

namespace kapal::card {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view s) {
    return {s.begin(), s.end()};
}

TEST(Base45, EncodesTheExamplesOfRfc9285) {
    EXPECT_EQ(base45_encode(bytes_of("AB")), "BB8");
    EXPECT_EQ(base45_encode(bytes_of("Hello!!")), "%69 VD92EX0");
    EXPECT_EQ(base45_encode(bytes_of("base-45")), "UJCLQE7W581");
    EXPECT_EQ(base45_encode(bytes_of("")), "");
}

TEST(Base45, DecodesTheExamplesOfRfc9285) {
    EXPECT_EQ(base45_decode("QED8WEX0").value(), bytes_of("ietf!"));
    EXPECT_EQ(base45_decode("BB8").value(), bytes_of("AB"));
}

TEST(Base45, RoundTripsRandomBytes) {
    std::mt19937 rng(45);
    for (int n = 0; n < 300; ++n) {
        std::vector<std::uint8_t> b(static_cast<std::size_t>(n));
        for (auto& x : b) {
            x = static_cast<std::uint8_t>(rng());
        }
        EXPECT_EQ(base45_decode(base45_encode(b)).value(), b) << "length " << n;
    }
}

TEST(Base45, RefusesCharactersOutsideTheAlphabetNamingThePosition) {
    auto r = base45_decode("BB8bb8");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::CredentialMalformed);
    ASSERT_EQ(r.error().fields.size(), 1U);
    EXPECT_EQ(r.error().fields[0].field, "base45");
    EXPECT_NE(r.error().fields[0].detail.find("character 4"), std::string::npos);
}

TEST(Base45, RefusesALengthOf3nPlus1) {
    EXPECT_FALSE(base45_decode("BB8B"));
}

TEST(Base45, RefusesGroupsBeyondTheirBytes) {
    EXPECT_FALSE(base45_decode("GGW")); // 65536
    EXPECT_TRUE(base45_decode("FGW"));  // 65535
    EXPECT_FALSE(base45_decode("::"));  // 44 + 44*45 > 255
}

} // namespace
} // namespace kapal::card
