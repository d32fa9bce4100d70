#include "kapal/core/nik.hpp"

#include <gtest/gtest.h>

namespace kapal::core {
namespace {

RegionRegistry bontang_regions() {
    RegionRegistry r;
    r.add_nik_prefix("647401");
    r.add_nik_prefix("647402");
    r.add_nik_prefix("910101"); // a historical Merauke code, no longer current
    return r;
}

TEST(Nik, AcceptsValidMale) {
    const auto nik = parse_nik("6474011503850001");
    ASSERT_TRUE(nik.has_value());
    EXPECT_EQ(nik->region, "647401");
    EXPECT_EQ(nik->day, 15U);
    EXPECT_EQ(nik->month, 3U);
    EXPECT_EQ(nik->yy, 85U);
    EXPECT_FALSE(nik->female);
    EXPECT_EQ(nik->serial, 1U);
}

TEST(Nik, AcceptsValidFemaleWithDayPlusForty) {
    const auto nik = parse_nik("6474014703850002");
    ASSERT_TRUE(nik.has_value());
    EXPECT_TRUE(nik->female);
    EXPECT_EQ(nik->day, 7U);
}

TEST(Nik, ToleratesGroupSeparators) {
    EXPECT_TRUE(parse_nik(" 6474 0147 0385 0002 ").has_value());
    EXPECT_TRUE(parse_nik("6474.0147.0385.0002").has_value());
}

TEST(Nik, RejectsThirtyFirstFebruary) {
    const auto nik = parse_nik("6474013102850001");
    ASSERT_FALSE(nik.has_value());
    EXPECT_EQ(nik.error().code, ErrorCode::NikBirthDateInvalid);
}

TEST(Nik, RejectsFemaleDayBeyondSeventyOne) {
    EXPECT_EQ(parse_nik("6474017203850001").error().code, ErrorCode::NikBirthDateInvalid);
    EXPECT_EQ(parse_nik("6474010003850001").error().code, ErrorCode::NikBirthDateInvalid);
    EXPECT_EQ(parse_nik("6474011513850001").error().code, ErrorCode::NikBirthDateInvalid);
}

TEST(Nik, AcceptsTwentyNinthFebruaryOnlyWhenSomeCenturyIsLeap) {
    EXPECT_TRUE(parse_nik("6474012902000001").has_value());  // 2000 leap
    EXPECT_TRUE(parse_nik("6474016902040001").has_value());  // woman, 1904/2004 leap
    EXPECT_FALSE(parse_nik("6474012902010001").has_value()); // 1901, 2001 not leap
}

TEST(Nik, RejectsFifteenAndSeventeenDigits) {
    const auto short_nik = parse_nik("647401150385001");
    ASSERT_FALSE(short_nik.has_value());
    EXPECT_EQ(short_nik.error().code, ErrorCode::NikLength);
    EXPECT_NE(short_nik.error().message.find("15"), std::string::npos);
    EXPECT_EQ(parse_nik("64740115038500011").error().code, ErrorCode::NikLength);
}

TEST(Nik, RejectsLetters) {
    EXPECT_EQ(parse_nik("64740115O3850001").error().code, ErrorCode::NikNotDigits);
    EXPECT_EQ(parse_nik("").error().code, ErrorCode::NikNotDigits);
}

TEST(Nik, RejectsExcelScientificNotationWithoutRepairing) {
    EXPECT_EQ(parse_nik("6.47401E+15").error().code, ErrorCode::NikScientificNotation);
    EXPECT_EQ(parse_nik("6,47401E+15").error().code, ErrorCode::NikScientificNotation);
    EXPECT_TRUE(looks_like_scientific_notation("6.474011503850001e15"));
    EXPECT_FALSE(looks_like_scientific_notation("6474011503850001"));
}

TEST(Nik, RejectsSerialZero) {
    EXPECT_EQ(parse_nik("6474011503850000").error().code, ErrorCode::NikSerialZero);
}

TEST(Nik, WarnsOnUnknownRegion) {
    const auto nik = parse_nik("9999011503850001");
    ASSERT_TRUE(nik.has_value());
    const auto w = nik_warnings(*nik, make_date(1985, 3, 15), Sex::Male, bontang_regions());
    ASSERT_EQ(w.size(), 1U);
    EXPECT_EQ(w[0].code, ErrorCode::NikRegionUnknown);
}

TEST(Nik, AcceptsHistoricalRegionWithoutWarning) {
    const auto nik = parse_nik("9101011503850001");
    ASSERT_TRUE(nik.has_value());
    EXPECT_TRUE(nik_warnings(*nik, make_date(1985, 3, 15), Sex::Male, bontang_regions()).empty());
}

TEST(Nik, WarnsWhenBirthDateDisagrees) {
    const auto nik = parse_nik("6474011503850001");
    const auto w = nik_warnings(*nik, make_date(1985, 3, 16), Sex::Male, bontang_regions());
    ASSERT_EQ(w.size(), 1U);
    EXPECT_EQ(w[0].code, ErrorCode::NikBirthDateMismatch);
    // same day and month, other century: agrees (the century comes from the birth date)
    EXPECT_TRUE(nik_warnings(*nik, make_date(1885, 3, 15), Sex::Male, bontang_regions()).empty());
}

TEST(Nik, WarnsWhenSexDisagrees) {
    const auto nik = parse_nik("6474014703850002"); // woman
    const auto w = nik_warnings(*nik, make_date(1985, 3, 7), Sex::Male, bontang_regions());
    ASSERT_EQ(w.size(), 1U);
    EXPECT_EQ(w[0].code, ErrorCode::NikSexMismatch);
}

TEST(Kk, AcceptsSixteenDigitsAndIgnoresItsDatePart) {
    // 99 as a "day" would be impossible in a NIK; a KK's date part is not interpreted.
    EXPECT_TRUE(parse_kk("6474019999990001").has_value());
}

TEST(Kk, RejectsWrongLengthLettersAndScientificNotation) {
    EXPECT_EQ(parse_kk("647401999999001").error().code, ErrorCode::KkLength);
    EXPECT_EQ(parse_kk("64740199999900x1").error().code, ErrorCode::KkNotDigits);
    EXPECT_EQ(parse_kk("6.47401E+15").error().code, ErrorCode::KkScientificNotation);
}

TEST(Kk, WarnsOnUnknownRegion) {
    EXPECT_EQ(kk_warnings("1234560101010001", bontang_regions()).size(), 1U);
    EXPECT_TRUE(kk_warnings("6474010101010001", bontang_regions()).empty());
}

TEST(IdNumber, MasksAllButFirstFourAndLastTwo) {
    EXPECT_EQ(mask_id_number("6474011503850012"), "6474**********12");
}

} // namespace
} // namespace kapal::core
