#include "kapal/card/cbor_guard.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace kapal::card::detail {
namespace {

using B = std::vector<std::uint8_t>;

TEST(CborGuard, AcceptsWellFormedItems) {
    EXPECT_EQ(cbor_guard(B{0x82, 0x01, 0x62, 'h', 'i'}), "");               // [1, "hi"]
    EXPECT_EQ(cbor_guard(B{0xD2, 0xA1, 0x01, 0x27}), "");                   // 18({1: -8})
    EXPECT_EQ(cbor_guard(B{0x9F, 0x01, 0x5F, 0x41, 0x00, 0xFF, 0xFF}), ""); // indefinite
    EXPECT_EQ(cbor_guard(B{0xFB, 0, 0, 0, 0, 0, 0, 0, 0}), "");             // a double
}

TEST(CborGuard, RefusesLengthsTheInputCannotHold) {
    // An array declaring 2^32 entries in 5 bytes: libcbor would allocate 32 GB for it.
    EXPECT_NE(cbor_guard(B{0x9A, 0xFF, 0xFF, 0xFF, 0xFF}).find("overruns"), std::string::npos);
    EXPECT_NE(cbor_guard(B{0x5A, 0x00, 0x01, 0x00, 0x00, 0x00}).find("overruns"),
              std::string::npos);
    EXPECT_NE(cbor_guard(B{0xBB, 0, 0, 0, 1, 0, 0, 0, 0}).find("overruns"), std::string::npos);
}

TEST(CborGuard, RefusesDeepNestingTruncationReservedAndTrailingBytes) {
    EXPECT_NE(cbor_guard(B(40, 0x81)).find("nesting"), std::string::npos);
    EXPECT_NE(cbor_guard(B{0x82, 0x01}).find("overruns"), std::string::npos);
    EXPECT_NE(cbor_guard(B{0x19, 0x01}).find("truncated"), std::string::npos);
    EXPECT_NE(cbor_guard(B{0x82, 0x81, 0x01}).find("truncated"), std::string::npos);
    EXPECT_NE(cbor_guard(B{0x1C}).find("reserved"), std::string::npos);
    EXPECT_NE(cbor_guard(B{0x01, 0x02}).find("trailing"), std::string::npos);
    EXPECT_NE(cbor_guard(B{0xFF}).find("break"), std::string::npos);
    EXPECT_NE(cbor_guard(B{0x1F}).find("indefinite"), std::string::npos);
    EXPECT_NE(cbor_guard(B{}).find("truncated"), std::string::npos);
}

} // namespace
} // namespace kapal::card::detail
