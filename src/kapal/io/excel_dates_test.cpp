#include "kapal/io/excel_dates.hpp"

#include <gtest/gtest.h>

namespace kapal::io {
namespace {

core::Date ymd(int y, unsigned m, unsigned d) {
    return core::make_date(y, m, d);
}

TEST(ExcelSerial, ConvertsTheSerialsExcelShows) {
    EXPECT_EQ(from_excel_serial(1), ymd(1900, 1, 1));
    EXPECT_EQ(from_excel_serial(59), ymd(1900, 2, 28));
    EXPECT_EQ(from_excel_serial(61), ymd(1900, 3, 1));
    EXPECT_EQ(from_excel_serial(16666), ymd(1945, 8, 17));
    EXPECT_EQ(from_excel_serial(25569), ymd(1970, 1, 1));
    EXPECT_EQ(from_excel_serial(36585), ymd(2000, 2, 29));
    EXPECT_EQ(from_excel_serial(45658), ymd(2025, 1, 1));
    EXPECT_EQ(from_excel_serial(2958465), ymd(9999, 12, 31));
}

TEST(ExcelSerial, DropsTheTimeOfDay) {
    EXPECT_EQ(from_excel_serial(25569.99), ymd(1970, 1, 1));
}

TEST(ExcelSerial, RefusesTheFakeLeapDayAndOutOfRange) {
    EXPECT_FALSE(from_excel_serial(60));
    EXPECT_FALSE(from_excel_serial(0));
    EXPECT_FALSE(from_excel_serial(-5));
    EXPECT_FALSE(from_excel_serial(2958466));
    EXPECT_FALSE(from_excel_serial(std::numeric_limits<double>::quiet_NaN()));
}

TEST(ExcelSerial, ParsesTheCellText) {
    EXPECT_EQ(from_excel_serial_text("16666"), ymd(1945, 8, 17));
    EXPECT_EQ(from_excel_serial_text("16666.5"), ymd(1945, 8, 17));
    EXPECT_FALSE(from_excel_serial_text("17/08/1945"));
    EXPECT_FALSE(from_excel_serial_text(""));
}

TEST(LenientDate, SlashDashAndDotDayFirst) {
    EXPECT_EQ(parse_date_lenient("17/08/1945"), ymd(1945, 8, 17));
    EXPECT_EQ(parse_date_lenient("7/8/1945"), ymd(1945, 8, 7));
    EXPECT_EQ(parse_date_lenient("17-08-1945"), ymd(1945, 8, 17));
    EXPECT_EQ(parse_date_lenient("17.08.1945"), ymd(1945, 8, 17));
    EXPECT_EQ(parse_date_lenient("  03/04/2000 "), ymd(2000, 4, 3)); // 3 April, day first
}

TEST(LenientDate, IsoYearFirst) {
    EXPECT_EQ(parse_date_lenient("1945-08-17"), ymd(1945, 8, 17));
    EXPECT_EQ(parse_date_lenient("2000/2/29"), ymd(2000, 2, 29));
}

TEST(LenientDate, IndonesianAndEnglishMonthNames) {
    EXPECT_EQ(parse_date_lenient("17 Agustus 1945"), ymd(1945, 8, 17));
    EXPECT_EQ(parse_date_lenient("17 Agt 1945"), ymd(1945, 8, 17));
    EXPECT_EQ(parse_date_lenient("17 agt. 1945"), ymd(1945, 8, 17));
    EXPECT_EQ(parse_date_lenient("17-Jan-1980"), ymd(1980, 1, 17));
    EXPECT_EQ(parse_date_lenient("1 Mei 2001"), ymd(2001, 5, 1));
    EXPECT_EQ(parse_date_lenient("1 MAY 2001"), ymd(2001, 5, 1));
    EXPECT_EQ(parse_date_lenient("10 Nopember 1945"), ymd(1945, 11, 10));
    EXPECT_EQ(parse_date_lenient("25 Des 2020"), ymd(2020, 12, 25));
    EXPECT_EQ(parse_date_lenient("25 Dec 2020"), ymd(2020, 12, 25));
    EXPECT_EQ(parse_date_lenient("5 Okt 1999"), ymd(1999, 10, 5));
    EXPECT_EQ(parse_date_lenient("29 Pebruari 2000"), ymd(2000, 2, 29));
}

TEST(LenientDate, IgnoresATrailingTime) {
    EXPECT_EQ(parse_date_lenient("17/08/1945 00:00"), ymd(1945, 8, 17));
    EXPECT_EQ(parse_date_lenient("1945-08-17 10:30:00"), ymd(1945, 8, 17));
}

TEST(LenientDate, RefusesImpossibleAndAmbiguousDates) {
    EXPECT_FALSE(parse_date_lenient("31/02/2000"));
    EXPECT_FALSE(parse_date_lenient("29/02/1900"));
    EXPECT_FALSE(parse_date_lenient("32/01/2000"));
    EXPECT_FALSE(parse_date_lenient("12/13/2000")); // no month 13, not read month-first
    EXPECT_FALSE(parse_date_lenient("17/08/45"));   // two-digit year
    EXPECT_FALSE(parse_date_lenient("17 Agustusan 1945"));
    EXPECT_FALSE(parse_date_lenient("17//08/1945"));
    EXPECT_FALSE(parse_date_lenient(""));
    EXPECT_FALSE(parse_date_lenient("kemarin"));
    EXPECT_FALSE(parse_date_lenient("1/2/3/4"));
}

} // namespace
} // namespace kapal::io
