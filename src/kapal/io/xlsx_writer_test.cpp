#include "kapal/io/xlsx_writer.hpp"

#include "kapal/io/xlsx_reader.hpp"
#include "kapal/io/xlsx_test_util.hpp"

#include <gtest/gtest.h>

namespace kapal::io {
namespace {

using testing::read_zip_entry;
using testing::TempPath;
using Rows = std::vector<std::vector<std::string>>;

XlsxSheet person_sheet() {
    XlsxSheet s;
    s.name = "Penyandang";
    s.header = {"NIK", "Nama", "Jenis Kelamin", "RT", "Alamat"};
    s.rows = {{"6474010101900001", "Siti Aminah", "P", "001", "Jl. Merdeka\nRT 01"},
              {"6474014101900002",
               "Jos\xC3\xA9 Pe\xC3\xB1"
               "a",
               "L",
               "",
               "=1+1"},
              {"0012", "Budi & \"Ani\" <x>", "L", "17/08/1945", " spasi "}};
    s.dropdowns = {{2, {"L", "P"}, 500}};
    return s;
}

std::vector<std::vector<std::string>> texts(const std::vector<XlsxRow>& rows) {
    std::vector<std::vector<std::string>> out;
    for (const auto& r : rows) {
        std::vector<std::string> line;
        for (const auto& c : r.cells) {
            line.push_back(c.text);
        }
        out.push_back(line);
    }
    return out;
}

TEST(XlsxWriter, RoundTripsThroughTheReaderAsText) {
    TempPath file(".xlsx");
    XlsxSheet second;
    second.name = "Kode";
    second.header = {"Kode", "Kelurahan"};
    second.rows = {{"64.74.02.1003", "Api-Api"}};
    ASSERT_TRUE(write_xlsx(file.str(), {person_sheet(), second}).has_value());

    auto reader = XlsxReader::open(file.str());
    ASSERT_TRUE(reader.has_value()) << reader.error().message;
    EXPECT_EQ(reader->sheet_names(), (std::vector<std::string>{"Penyandang", "Kode"}));

    auto rows = read_xlsx_sheet(file.str());
    ASSERT_TRUE(rows.has_value()) << rows.error().message;
    ASSERT_EQ(rows->size(), 4u);
    const XlsxSheet expected = person_sheet();
    EXPECT_EQ(texts(*rows)[0], expected.header);
    for (std::size_t r = 0; r < expected.rows.size(); ++r) {
        const auto& row = (*rows)[r + 1];
        EXPECT_EQ(row.row, r + 2);
        ASSERT_EQ(row.cells.size(), expected.rows[r].size()) << "row " << r;
        for (std::size_t c = 0; c < row.cells.size(); ++c) {
            EXPECT_EQ(row.cells[c].text, expected.rows[r][c]) << r << "," << c;
            // Every non-empty cell is a string: the NIK never becomes a number.
            EXPECT_EQ(row.cells[c].type,
                      expected.rows[r][c].empty() ? XlsxCellType::Empty : XlsxCellType::String);
        }
    }

    auto kode = read_xlsx_sheet(file.str(), "Kode");
    ASSERT_TRUE(kode.has_value());
    EXPECT_EQ(texts(*kode), (Rows{{"Kode", "Kelurahan"}, {"64.74.02.1003", "Api-Api"}}));
}

TEST(XlsxWriter, SheetHasFrozenHeaderFilterTextFormatAndDropdown) {
    TempPath file(".xlsx");
    ASSERT_TRUE(write_xlsx(file.str(), {person_sheet()}).has_value());
    const std::string sheet = read_zip_entry(file.str(), "xl/worksheets/sheet1.xml");
    ASSERT_FALSE(sheet.empty());
    EXPECT_NE(sheet.find("ySplit=\"1\""), std::string::npos);
    EXPECT_NE(sheet.find("state=\"frozen\""), std::string::npos);
    EXPECT_NE(sheet.find("<autoFilter ref=\"A1:E4\""), std::string::npos);
    EXPECT_NE(sheet.find("<dataValidation type=\"list\""), std::string::npos);
    EXPECT_NE(sheet.find("sqref=\"C2:C501\""), std::string::npos);
    EXPECT_NE(sheet.find("\"L,P\""), std::string::npos);
    EXPECT_NE(sheet.find("<col "), std::string::npos);
    const std::string styles = read_zip_entry(file.str(), "xl/styles.xml");
    EXPECT_NE(styles.find("numFmtId=\"49\""), std::string::npos); // Text format "@"
    EXPECT_NE(styles.find("<b/>"), std::string::npos);
}

TEST(XlsxWriter, LongDropdownListsGoToAHiddenSheet) {
    TempPath file(".xlsx");
    XlsxSheet s;
    s.name = "Template";
    s.header = {"Kelurahan"};
    XlsxDropdown d;
    d.column = 0;
    for (int i = 0; i < 40; ++i) {
        d.values.push_back("Kelurahan Nomor " + std::to_string(i));
    }
    s.dropdowns = {d};
    ASSERT_TRUE(write_xlsx(file.str(), {s}).has_value());
    const std::string sheet = read_zip_entry(file.str(), "xl/worksheets/sheet1.xml");
    EXPECT_NE(sheet.find("kapal_lists!$A$1:$A$40"), std::string::npos);
    const std::string workbook = read_zip_entry(file.str(), "xl/workbook.xml");
    EXPECT_NE(workbook.find("state=\"hidden\""), std::string::npos);
}

TEST(XlsxWriter, RefusesBadSheetNamesAndOverlongCells) {
    TempPath file(".xlsx");
    XlsxSheet s = person_sheet();
    s.name = "a/b";
    auto r = write_xlsx(file.str(), {s});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);

    s.name = std::string(32, 'x');
    EXPECT_FALSE(write_xlsx(file.str(), {s}).has_value());

    XlsxSheet t = person_sheet();
    EXPECT_FALSE(write_xlsx(file.str(), {t, t}).has_value()); // duplicate name

    t.rows[0][1] = std::string(40000, 'x');
    auto longer = write_xlsx(file.str(), {t});
    ASSERT_FALSE(longer.has_value());
    EXPECT_NE(longer.error().message.find("B2"), std::string::npos) << longer.error().message;

    EXPECT_FALSE(write_xlsx(file.str(), {}).has_value());
}

TEST(XlsxWriter, UnwritablePathIsAnIoError) {
    auto r = write_xlsx("/nonexistent/dir/out.xlsx", {person_sheet()});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::Io);
}

} // namespace
} // namespace kapal::io
