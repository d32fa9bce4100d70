#include "kapal/io/csv_reader.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace kapal::io {
namespace {

struct Read {
    std::vector<CsvRecord> records;
    std::optional<Error> error;
    std::size_t error_line = 0;
    char separator = 0;
};

Read read_all(const std::string& bytes, CsvReaderOptions options = {}) {
    std::istringstream in(bytes);
    CsvReader reader(in, options);
    Read r;
    CsvRecord rec;
    for (;;) {
        auto got = reader.next(rec);
        if (!got) {
            r.error = got.error();
            r.error_line = reader.error_line();
            break;
        }
        if (!*got) {
            break;
        }
        r.records.push_back(rec);
    }
    r.separator = reader.separator();
    return r;
}

using Fields = std::vector<std::string>;

// What the Dinas actually sends: Excel (Indonesian locale) "CSV UTF-8" re-saved by someone in
// Notepad, with a BOM, `;`, CRLF, an address with a line break, blank lines, stray spaces, a
// NIK that Excel turned into scientific notation, and a name typed on a Windows-1252 machine.
TEST(CsvReader, ReadsTheMessyDinasExportExactly) {
    const std::string file = "\xEF\xBB\xBF"
                             "NIK;Nama;Alamat;Tgl Lahir\r\n"                    // line 1
                             "6474010101900001;Siti Aminah;\"Jl. Merdeka 1\r\n" // line 2
                             "RT 01 RW 02\";17/08/1945\r\n"                     // line 3
                             "\r\n"                                             // line 4
                             " 6.47401E+15 ; Budi ;Gg. Mawar;01-01-1980\r\n"    // line 5
                             "   \r\n"                                          // line 6
                             "6474014101900002;Jos\xE9 Pe\xF1"
                             "a;\"Jl. \"\"Kenari\"\"\";1 Mei 2001\r\n" // line 7
                             "\r\n";                                   // line 8
    const Read r = read_all(file);
    ASSERT_FALSE(r.error) << r.error->message;
    EXPECT_EQ(r.separator, ';');
    ASSERT_EQ(r.records.size(), 4u);

    EXPECT_EQ(r.records[0].fields, (Fields{"NIK", "Nama", "Alamat", "Tgl Lahir"}));
    EXPECT_EQ(r.records[0].line, 1u);
    EXPECT_EQ(r.records[0].record_index, 0u);

    EXPECT_EQ(
        r.records[1].fields,
        (Fields{"6474010101900001", "Siti Aminah", "Jl. Merdeka 1\r\nRT 01 RW 02", "17/08/1945"}));
    EXPECT_EQ(r.records[1].line, 2u);
    EXPECT_FALSE(r.records[1].windows1252);

    EXPECT_EQ(r.records[2].fields, (Fields{" 6.47401E+15 ", " Budi ", "Gg. Mawar", "01-01-1980"}));
    EXPECT_EQ(r.records[2].line, 5u);
    EXPECT_EQ(r.records[2].record_index, 2u);

    EXPECT_EQ(r.records[3].fields,
              (Fields{"6474014101900002",
                      "Jos\xC3\xA9 Pe\xC3\xB1"
                      "a",
                      "Jl. \"Kenari\"",
                      "1 Mei 2001"}));
    EXPECT_EQ(r.records[3].line, 7u);
    EXPECT_TRUE(r.records[3].windows1252);
}

TEST(CsvReader, DetectsCommaSemicolonAndTab) {
    EXPECT_EQ(read_all("a,b,c\n1,2,3\n").separator, ',');
    EXPECT_EQ(read_all("a;b;c\n").separator, ';');
    EXPECT_EQ(read_all("a\tb\tc\n").separator, '\t');
    // Commas inside quotes do not count.
    EXPECT_EQ(read_all("\"Jl. A, B, C\";x\n").separator, ';');
    // Detection skips leading blank lines.
    EXPECT_EQ(read_all("\n\r\n  \na;b\n").separator, ';');
    // A tie prefers `;` (Indonesian Excel), no candidate at all gives `,`.
    EXPECT_EQ(read_all("Nama;Alamat, Jalan\n").separator, ';');
    EXPECT_EQ(read_all("Nama\n").separator, ',');
    EXPECT_EQ(read_all("").separator, ',');
}

TEST(CsvReader, SeparatorCanBeFixed) {
    CsvReaderOptions opt;
    opt.separator = ',';
    const Read r = read_all("a;b,c\n", opt);
    ASSERT_EQ(r.records.size(), 1u);
    EXPECT_EQ(r.records[0].fields, (Fields{"a;b", "c"}));
}

TEST(CsvReader, HandlesLfCrlfAndLoneCrLineEnds) {
    const Read r = read_all("a,b\rc,d\r\ne,f\ng,h");
    ASSERT_FALSE(r.error);
    ASSERT_EQ(r.records.size(), 4u);
    EXPECT_EQ(r.records[0].fields, (Fields{"a", "b"}));
    EXPECT_EQ(r.records[3].fields, (Fields{"g", "h"}));
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(r.records[i].line, i + 1);
    }
}

TEST(CsvReader, QuotedNewlinesAdvanceLineNumbers) {
    const Read r = read_all("\"x\ny\rz\r\nw\",1\nnext,2\n");
    ASSERT_EQ(r.records.size(), 2u);
    EXPECT_EQ(r.records[0].fields[0], "x\ny\rz\r\nw");
    EXPECT_EQ(r.records[0].line, 1u);
    EXPECT_EQ(r.records[1].line, 5u);
}

TEST(CsvReader, EmptyFieldsAndTrailingSeparatorAreKept) {
    const Read r = read_all("a,,c,\n,\n;;;\n");
    ASSERT_EQ(r.records.size(), 3u);
    EXPECT_EQ(r.records[0].fields, (Fields{"a", "", "c", ""}));
    EXPECT_EQ(r.records[1].fields, (Fields{"", ""}));
    EXPECT_TRUE(r.records[1].is_blank());
    EXPECT_EQ(r.records[2].fields, (Fields{";;;"}));
    EXPECT_FALSE(r.records[2].is_blank());
}

TEST(CsvReader, QuotedEmptyFieldIsARecordNotABlankLine) {
    const Read r = read_all("\"\"\n\n\" \"\n");
    ASSERT_EQ(r.records.size(), 2u);
    EXPECT_EQ(r.records[0].fields, (Fields{""}));
    EXPECT_EQ(r.records[1].fields, (Fields{" "}));
    EXPECT_EQ(r.records[1].line, 3u);
}

TEST(CsvReader, LenientWithTextAroundQuotes) {
    const Read r = read_all("\"a\"b,c\"d\"e,\"f\" \n");
    ASSERT_FALSE(r.error);
    ASSERT_EQ(r.records.size(), 1u);
    EXPECT_EQ(r.records[0].fields, (Fields{"ab", "c\"d\"e", "f "}));
}

TEST(CsvReader, UnterminatedQuoteNamesTheLineWhereItOpened) {
    const Read r = read_all("h1,h2\nok,1\nbad,\"Jl. Merdeka\n\nRT 01\nmore\n");
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, ErrorCode::ImportFileUnreadable);
    EXPECT_EQ(r.error_line, 3u);
    EXPECT_NE(r.error->message.find("line 3"), std::string::npos) << r.error->message;
    EXPECT_EQ(r.records.size(), 2u); // the good records before it were delivered
}

TEST(CsvReader, NulByteIsAnErrorNamingTheLine) {
    const Read r = read_all(std::string("a,b\nc,d\ne,f\0g\n", 14));
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, ErrorCode::ImportFileUnreadable);
    EXPECT_EQ(r.error_line, 3u);
    EXPECT_EQ(r.records.size(), 2u);
}

TEST(CsvReader, NulByteInsideQuotesIsAnError) {
    const Read r = read_all(std::string("\"a\0\"\n", 5));
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error_line, 1u);
}

TEST(CsvReader, Utf16FileIsRefusedWithAHint) {
    const Read r = read_all(std::string("\xFF\xFEN\0I\0K\0", 8));
    ASSERT_TRUE(r.error);
    EXPECT_NE(r.error->message.find("UTF-16"), std::string::npos);
}

TEST(CsvReader, OverlongFieldIsAnErrorNotACrash) {
    CsvReaderOptions opt;
    opt.max_field_bytes = 100;
    const Read r = read_all("a,b\n1," + std::string(101, 'x') + "\n", opt);
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, ErrorCode::ImportCellInvalid);
    EXPECT_EQ(r.error_line, 2u);
    EXPECT_EQ(read_all("1," + std::string(100, 'x') + "\n", opt).records.size(), 1u);
}

TEST(CsvReader, DefaultLimitRefusesA100KiBField) {
    const Read r = read_all("a,\"" + std::string(100 * 1024, 'x') + "\"\n");
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, ErrorCode::ImportCellInvalid);
    EXPECT_EQ(r.error_line, 1u);
}

TEST(CsvReader, TooManyFieldsIsAnError) {
    CsvReaderOptions opt;
    opt.max_fields = 3;
    const Read r = read_all("a,b,c\na,b,c,d\n", opt);
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error_line, 2u);
    EXPECT_EQ(r.records.size(), 1u);
}

TEST(CsvReader, ErrorIsSticky) {
    std::istringstream in("\"open\n");
    CsvReader reader(in);
    CsvRecord rec;
    EXPECT_FALSE(reader.next(rec).has_value());
    EXPECT_FALSE(reader.next(rec).has_value());
}

TEST(CsvReader, ValidUtf8IsKeptAndWindows1252Decoded) {
    const Read r = read_all("Jos\xC3\xA9,Jos\xE9,\x80\x93\n");
    ASSERT_EQ(r.records.size(), 1u);
    EXPECT_EQ(r.records[0].fields[0], "Jos\xC3\xA9");
    EXPECT_EQ(r.records[0].fields[1], "Jos\xC3\xA9");
    EXPECT_EQ(r.records[0].fields[2], "\xE2\x82\xAC\xE2\x80\x9C"); // euro sign, left quote
    EXPECT_TRUE(r.records[0].windows1252);
}

TEST(CsvReader, ForcedWindows1252DecodesEvenUtf8LookingBytes) {
    CsvReaderOptions opt;
    opt.encoding = CsvEncoding::Windows1252;
    const Read r = read_all("\xC3\xA9\n", opt);
    ASSERT_EQ(r.records.size(), 1u);
    EXPECT_EQ(r.records[0].fields[0], "\xC3\x83\xC2\xA9"); // "Ã©"
}

TEST(CsvReader, EmptyAndBlankOnlyInputsHaveNoRecords) {
    EXPECT_TRUE(read_all("").records.empty());
    EXPECT_TRUE(read_all("\xEF\xBB\xBF").records.empty());
    EXPECT_TRUE(read_all("\r\n\n\r  \t \n").records.empty());
    EXPECT_TRUE(read_all("\t\t\n  \n", CsvReaderOptions{'\t'}).records.empty());
    EXPECT_EQ(read_all("\n \t \na\tb\n").separator, '\t');
}

TEST(CsvReader, RecordsSpanningChunkBoundariesAreIntact) {
    // 256 KiB chunks: write enough rows that many straddle a boundary, with CRLF and quotes.
    std::string file;
    const int rows = 40000;
    for (int i = 0; i < rows; ++i) {
        file += std::to_string(i) + ";\"q\"\"" + std::to_string(i) + "\r\nx\";tail\r\n";
    }
    const Read r = read_all(file);
    ASSERT_FALSE(r.error);
    ASSERT_EQ(r.records.size(), static_cast<std::size_t>(rows));
    for (int i = 0; i < rows; ++i) {
        const auto& rec = r.records[static_cast<std::size_t>(i)];
        ASSERT_EQ(rec.fields,
                  (Fields{std::to_string(i), "q\"" + std::to_string(i) + "\r\nx", "tail"}));
        ASSERT_EQ(rec.line, static_cast<std::size_t>(2 * i + 1));
    }
}

TEST(CsvReader, OpenReportsAMissingFile) {
    auto r = CsvReader::open("/nonexistent/kapal/file.csv");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::ImportFileUnreadable);
}

} // namespace
} // namespace kapal::io
