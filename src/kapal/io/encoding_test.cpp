#include "kapal/io/encoding.hpp"

#include <gtest/gtest.h>

namespace kapal::io {
namespace {

TEST(Encoding, AcceptsWellFormedUtf8) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("Bontang"));
    EXPECT_TRUE(is_valid_utf8("Jos\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
}

TEST(Encoding, RejectsMalformedUtf8) {
    EXPECT_FALSE(is_valid_utf8("Jos\xE9"));          // Windows-1252 e-acute
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));         // overlong "/"
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));     // surrogate
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80")); // above U+10FFFF
    EXPECT_FALSE(is_valid_utf8("\xE2\x82"));         // truncated
    EXPECT_FALSE(is_valid_utf8("\x80"));             // lone continuation byte
}

TEST(Encoding, DecodesWindows1252) {
    EXPECT_EQ(windows1252_to_utf8("Pe\xF1"
                                  "a"),
              "Pe\xC3\xB1"
              "a");
    EXPECT_EQ(windows1252_to_utf8("\x80"), "\xE2\x82\xAC");
    EXPECT_EQ(windows1252_to_utf8("\x81"), "\xEF\xBF\xBD"); // undefined byte
    EXPECT_EQ(windows1252_to_utf8("\xA0\xFF"), "\xC2\xA0\xC3\xBF");
}

TEST(Encoding, EnsureUtf8OnlyDecodesInvalidText) {
    std::string good = "Jos\xC3\xA9";
    EXPECT_FALSE(ensure_utf8(good));
    EXPECT_EQ(good, "Jos\xC3\xA9");
    std::string bad = "Jos\xE9";
    EXPECT_TRUE(ensure_utf8(bad));
    EXPECT_EQ(bad, "Jos\xC3\xA9");
}

} // namespace
} // namespace kapal::io
