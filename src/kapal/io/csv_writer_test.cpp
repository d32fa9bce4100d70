#include "kapal/io/csv_writer.hpp"

#include "kapal/io/csv_reader.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <sstream>

namespace kapal::io {
namespace {

using Fields = std::vector<std::string>;

std::string write(const std::vector<Fields>& rows, CsvWriterOptions opt = {}) {
    std::ostringstream out;
    CsvWriter w(out, opt);
    for (const auto& row : rows) {
        w.write_row(row);
    }
    EXPECT_TRUE(w.good());
    return out.str();
}

TEST(CsvWriter, QuotesOnlyWhenNeeded) {
    EXPECT_EQ(write({{"a", "b c", "6474010101900001"}}), "a,b c,6474010101900001\r\n");
    EXPECT_EQ(write({{"a,b", "say \"hi\"", "x\ny", "r\rs"}}),
              "\"a,b\",\"say \"\"hi\"\"\",\"x\ny\",\"r\rs\"\r\n");
    EXPECT_EQ(write({{" lead", "trail ", "\ttab"}}), "\" lead\",\"trail \",\"\ttab\"\r\n");
    // A comma is plain text when the separator is `;`.
    EXPECT_EQ(write({{"a,b", "c;d"}}, {';', false, false}), "a,b;\"c;d\"\r\n");
}

TEST(CsvWriter, WritesBomWhenAsked) {
    std::ostringstream out;
    CsvWriter w(out, ';', true);
    w.write_row(Fields{"x"});
    EXPECT_EQ(out.str(), "\xEF\xBB\xBFx\r\n");
}

TEST(CsvWriter, SingleEmptyFieldIsQuotedSoItIsNotABlankLine) {
    EXPECT_EQ(write({{""}}), "\"\"\r\n");
    EXPECT_EQ(write({{"", ""}}), "\"\",\r\n");
    EXPECT_EQ(write({{"", "x"}}), ",x\r\n");
    EXPECT_EQ(write({{}}), "\r\n");
}

TEST(CsvWriter, FormulaGuardPrefixesAnApostrophe) {
    CsvWriterOptions opt;
    opt.guard_formulas = true;
    EXPECT_EQ(write({{"=1+1", "@SUM(A1)", "+cmd|'/c calc'!A0", "-2+3"}}, opt),
              "'=1+1,'@SUM(A1),'+cmd|'/c calc'!A0,'-2+3\r\n");
    // Plain numbers and phone numbers are data, not formulas.
    EXPECT_EQ(write({{"-5", "+6281234567", "-1.5", "Budi"}}, opt), "-5,+6281234567,-1.5,Budi\r\n");
    // Off by default: the file can be imported again unchanged.
    EXPECT_EQ(write({{"=1+1"}}), "=1+1\r\n");
}

TEST(CsvWriter, StringViewRowsWriteTheSame) {
    std::ostringstream out;
    CsvWriter w(out);
    w.write_row(std::vector<std::string_view>{"a", "b,c"});
    EXPECT_EQ(out.str(), "a,\"b,c\"\r\n");
}

unsigned test_seed() {
    if (const char* s = std::getenv("KAPAL_TEST_SEED")) {
        return static_cast<unsigned>(std::strtoul(s, nullptr, 10));
    }
    return 20240817u;
}

std::string random_field(std::mt19937& rng) {
    static const std::vector<std::string> atoms = {"a",
                                                   "Z",
                                                   "7",
                                                   " ",
                                                   "\t",
                                                   ",",
                                                   ";",
                                                   "\"",
                                                   "\n",
                                                   "\r",
                                                   "\r\n",
                                                   "=",
                                                   "-",
                                                   "@",
                                                   "+",
                                                   "\xC3\xA9",
                                                   "\xE2\x82\xAC",
                                                   "Jl.",
                                                   "RT 01",
                                                   "\xF0\x9F\x98\x80"};
    std::uniform_int_distribution<int> len(0, 12);
    std::uniform_int_distribution<std::size_t> pick(0, atoms.size() - 1);
    std::string s;
    const int n = len(rng);
    for (int i = 0; i < n; ++i) {
        s += atoms[pick(rng)];
    }
    return s;
}

void round_trip(char sep) {
    const unsigned seed = test_seed();
    SCOPED_TRACE("KAPAL_TEST_SEED=" + std::to_string(seed));
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> cols(1, 6);
    std::vector<Fields> rows;
    for (int r = 0; r < 2000; ++r) {
        Fields row;
        const int n = cols(rng);
        for (int c = 0; c < n; ++c) {
            row.push_back(random_field(rng));
        }
        rows.push_back(std::move(row));
    }
    const std::string bytes = write(rows, {sep, true, false});

    std::istringstream in(bytes);
    CsvReaderOptions opt;
    opt.separator = sep;
    CsvReader reader(in, opt);
    CsvRecord rec;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto got = reader.next(rec);
        ASSERT_TRUE(got.has_value()) << got.error().message;
        ASSERT_TRUE(*got) << "missing row " << i;
        ASSERT_EQ(rec.fields, rows[i]) << "row " << i;
        ASSERT_EQ(rec.record_index, i);
    }
    auto end = reader.next(rec);
    ASSERT_TRUE(end.has_value());
    EXPECT_FALSE(*end);
}

TEST(CsvWriter, RoundTripsRandomTextThroughTheReaderWithComma) {
    round_trip(',');
}

TEST(CsvWriter, RoundTripsRandomTextThroughTheReaderWithSemicolon) {
    round_trip(';');
}

TEST(CsvWriter, RoundTripsRandomTextThroughTheReaderWithTab) {
    round_trip('\t');
}

} // namespace
} // namespace kapal::io
