#include "kapal/io/xlsx_reader.hpp"

#include "kapal/io/xlsx_test_util.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace kapal::io {
namespace {

using testing::TempPath;
using testing::write_zip;
using Entries = std::vector<std::pair<std::string, std::string>>;

const std::string kRootRels =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>)";

const std::string kWorkbook =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Data" sheetId="1" r:id="rId1"/><sheet name="Kedua" sheetId="2" r:id="rId2"/></sheets>
</workbook>)";

const std::string kWorkbookRels =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>)";

const std::string kShared =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">
<si><t>NIK</t></si>
<si><t>Nama</t></si>
<si><r><rPr><b/></rPr><t xml:space="preserve">Siti </t></r><r><t>Aminah</t></r><rPh sb="0" eb="1"><t>XX</t></rPh></si>
<si><t>Jl. A_x000D_
RT 01 &amp; "02"</t></si>
</sst>)";

const std::string kStyles =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="0.00"/><numFmt numFmtId="166" formatCode="&quot;day&quot;0"/></numFmts>
<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/></cellXfs>
</styleSheet>)";

const std::string kSheet1 =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>
<row r="2"><c r="A2"><v>6474010101900001</v></c><c r="B2" t="s"><v>2</v></c><c r="D2" t="inlineStr"><is><r><t>In</t></r><r><t>line</t></r></is></c><c r="E2" t="b"><v>1</v></c><c r="F2" t="e"><v>#N/A</v></c></row>
<row r="4"><c t="s"><v>3</v></c><c><v>6.47401E+15</v></c><c s="1"><v>16666</v></c><c s="2"><v>16666</v></c><c s="3"><v>1.5</v></c><c s="4"><v>5</v></c><c t="str"><f>A1&amp;"x"</f><v>NIKx</v></c><c r="AA4" s="1"/></row>
<row r="5"/>
</sheetData>
</worksheet>)";

const std::string kSheet2 =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:sheetData><x:row r="3"><x:c r="B3" t="inlineStr"><x:is><x:t>kedua</x:t></x:is></x:c></x:row></x:sheetData>
</x:worksheet>)";

Entries good_workbook() {
    return {{"_rels/.rels", kRootRels},
            {"xl/workbook.xml", kWorkbook},
            {"xl/_rels/workbook.xml.rels", kWorkbookRels},
            {"xl/sharedStrings.xml", kShared},
            {"xl/styles.xml", kStyles},
            {"xl/worksheets/sheet1.xml", kSheet1},
            {"xl/worksheets/sheet2.xml", kSheet2}};
}

std::vector<XlsxRow> read_rows(XlsxReader& reader) {
    std::vector<XlsxRow> rows;
    XlsxRow row;
    for (;;) {
        auto got = reader.next(row);
        EXPECT_TRUE(got.has_value()) << got.error().message;
        if (!got || !*got) {
            return rows;
        }
        rows.push_back(row);
    }
}

TEST(XlsxReader, ReadsTypesGapsAndRowNumbersOfTheFirstSheet) {
    TempPath file(".xlsx");
    ASSERT_TRUE(write_zip(file.str(), good_workbook()));
    auto reader = XlsxReader::open(file.str());
    ASSERT_TRUE(reader.has_value()) << reader.error().message;
    EXPECT_EQ(reader->sheet_names(), (std::vector<std::string>{"Data", "Kedua"}));
    const auto rows = read_rows(*reader);
    ASSERT_EQ(rows.size(), 4u);

    EXPECT_EQ(rows[0].row, 1u);
    ASSERT_EQ(rows[0].cells.size(), 2u);
    EXPECT_EQ(rows[0].cells[0].text, "NIK");
    EXPECT_EQ(rows[0].cells[0].type, XlsxCellType::String);

    const auto& r2 = rows[1].cells;
    EXPECT_EQ(rows[1].row, 2u);
    ASSERT_EQ(r2.size(), 6u);
    EXPECT_EQ(r2[0].type, XlsxCellType::Number);
    EXPECT_EQ(r2[0].text, "6474010101900001");
    EXPECT_EQ(r2[1].text, "Siti Aminah");       // rich runs joined, phonetic run dropped
    EXPECT_EQ(r2[2].type, XlsxCellType::Empty); // column gap C2
    EXPECT_EQ(r2[3].type, XlsxCellType::String);
    EXPECT_EQ(r2[3].text, "Inline");
    EXPECT_EQ(r2[4].type, XlsxCellType::Bool);
    EXPECT_EQ(r2[4].text, "1");
    EXPECT_EQ(r2[5].type, XlsxCellType::Error);
    EXPECT_EQ(r2[5].text, "#N/A");

    const auto& r4 = rows[2].cells;
    EXPECT_EQ(rows[2].row, 4u); // row 3 is absent in the sheet
    ASSERT_EQ(r4.size(), 27u);  // up to AA
    EXPECT_EQ(r4[0].text, "Jl. A\r\nRT 01 & \"02\"");
    EXPECT_EQ(r4[1].type, XlsxCellType::Number);
    EXPECT_EQ(r4[1].text, "6.47401E+15"); // verbatim, for the caller to reject
    EXPECT_TRUE(r4[2].date_format);       // built-in 14
    EXPECT_EQ(r4[2].text, "16666");
    EXPECT_TRUE(r4[3].date_format); // custom dd/mm/yyyy
    EXPECT_FALSE(r4[4].date_format);
    EXPECT_FALSE(r4[5].date_format); // "day" is quoted text
    EXPECT_EQ(r4[6].type, XlsxCellType::String);
    EXPECT_EQ(r4[6].text, "NIKx"); // cached formula result
    EXPECT_EQ(r4[26].type, XlsxCellType::Empty);
    EXPECT_FALSE(rows[2].is_blank());

    EXPECT_EQ(rows[3].row, 5u);
    EXPECT_TRUE(rows[3].cells.empty());
    EXPECT_TRUE(rows[3].is_blank());
}

TEST(XlsxReader, SelectsASheetByNameWithPrefixedXml) {
    TempPath file(".xlsx");
    ASSERT_TRUE(write_zip(file.str(), good_workbook()));
    auto reader = XlsxReader::open(file.str());
    ASSERT_TRUE(reader.has_value());
    ASSERT_TRUE(reader->select_sheet("kedua").has_value()); // case-insensitive fallback
    const auto rows = read_rows(*reader);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].row, 3u);
    ASSERT_EQ(rows[0].cells.size(), 2u);
    EXPECT_EQ(rows[0].cells[1].text, "kedua");

    auto missing = reader->select_sheet("Tidak Ada");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, ErrorCode::ImportFileUnreadable);
}

TEST(XlsxReader, OpensFromMemory) {
    TempPath file(".xlsx");
    ASSERT_TRUE(write_zip(file.str(), good_workbook()));
    std::ifstream in(file.str(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    auto reader = XlsxReader::open_memory(bytes.str());
    ASSERT_TRUE(reader.has_value()) << reader.error().message;
    EXPECT_EQ(read_rows(*reader).size(), 4u);
}

TEST(XlsxReader, RefusesAFileThatIsNotAZip) {
    TempPath file(".xlsx");
    std::ofstream(file.str()) << "NIK;Nama\n1;2\n";
    auto r = XlsxReader::open(file.str());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::ImportFileUnreadable);
    auto m = XlsxReader::open_memory("PK\x03\x04garbage");
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error().code, ErrorCode::ImportFileUnreadable);
    EXPECT_FALSE(XlsxReader::open("/nonexistent/x.xlsx").has_value());
}

TEST(XlsxReader, RefusesAZipWithoutAWorkbook) {
    TempPath file(".xlsx");
    ASSERT_TRUE(write_zip(file.str(), {{"word/document.xml", "<w/>"}}));
    auto r = XlsxReader::open(file.str());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::ImportFileUnreadable);
    EXPECT_NE(r.error().message.find("xl/workbook.xml"), std::string::npos) << r.error().message;
}

TEST(XlsxReader, BrokenXmlNamesThePart) {
    auto entries = good_workbook();
    entries.back().second = "<worksheet><sheetData><row></sheetData>";
    TempPath file(".xlsx");
    ASSERT_TRUE(write_zip(file.str(), entries));
    auto reader = XlsxReader::open(file.str());
    ASSERT_TRUE(reader.has_value());
    ASSERT_TRUE(reader->select_sheet(1).has_value());
    XlsxRow row;
    auto got = reader->next(row);
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().code, ErrorCode::ImportFileUnreadable);
    EXPECT_NE(got.error().message.find("sheet2.xml"), std::string::npos);
}

TEST(XlsxReader, SharedStringIndexOutOfRangeNamesTheRow) {
    auto entries = good_workbook();
    entries[5].second =
        R"(<worksheet><sheetData><row r="7"><c r="B7" t="s"><v>99</v></c></row></sheetData></worksheet>)";
    TempPath file(".xlsx");
    ASSERT_TRUE(write_zip(file.str(), entries));
    auto rows = read_xlsx_sheet(file.str());
    ASSERT_FALSE(rows.has_value());
    EXPECT_EQ(rows.error().code, ErrorCode::ImportCellInvalid);
    EXPECT_NE(rows.error().message.find("row 7"), std::string::npos) << rows.error().message;
}

TEST(XlsxReader, ZipBombGuardStopsInflating) {
    auto entries = good_workbook();
    std::string big = "<worksheet><sheetData>";
    for (int i = 1; i <= 20000; ++i) {
        big += "<row r=\"" + std::to_string(i) + "\"><c r=\"A" + std::to_string(i) +
               "\"><v>1</v></c></row>";
    }
    big += "</sheetData></worksheet>";
    entries[5].second = big; // ~800 KB that deflates to a few KB
    TempPath file(".xlsx");
    ASSERT_TRUE(write_zip(file.str(), entries));
    XlsxReaderOptions opt;
    opt.max_uncompressed_bytes = 100 * 1024;
    auto rows = read_xlsx_sheet(file.str(), {}, opt);
    ASSERT_FALSE(rows.has_value());
    EXPECT_EQ(rows.error().code, ErrorCode::ImportFileUnreadable);
    EXPECT_NE(rows.error().message.find("zip bomb"), std::string::npos);
    // The same file reads fine with the default limit.
    auto ok = read_xlsx_sheet(file.str());
    ASSERT_TRUE(ok.has_value()) << ok.error().message;
    EXPECT_EQ(ok->size(), 20000u);
}

TEST(XlsxReader, CellCountLimitGuardsAgainstWideGaps) {
    auto entries = good_workbook();
    std::string sheet = "<worksheet><sheetData>";
    for (int i = 1; i <= 100; ++i) {
        sheet += "<row><c r=\"XFD" + std::to_string(i) + "\"/></row>";
    }
    entries[5].second = sheet + "</sheetData></worksheet>";
    TempPath file(".xlsx");
    ASSERT_TRUE(write_zip(file.str(), entries));
    XlsxReaderOptions opt;
    opt.max_cells = 50 * 16384;
    auto rows = read_xlsx_sheet(file.str(), {}, opt);
    ASSERT_FALSE(rows.has_value());
    EXPECT_EQ(rows.error().code, ErrorCode::ImportCellInvalid);
}

TEST(XlsxReader, ColumnPastXfdIsAnError) {
    auto entries = good_workbook();
    entries[5].second =
        R"(<worksheet><sheetData><row r="2"><c r="XFE2"><v>1</v></c></row></sheetData></worksheet>)";
    TempPath file(".xlsx");
    ASSERT_TRUE(write_zip(file.str(), entries));
    auto rows = read_xlsx_sheet(file.str());
    ASSERT_FALSE(rows.has_value());
    EXPECT_NE(rows.error().message.find("row 2"), std::string::npos);
}

TEST(XlsxDateFormat, BuiltInAndCustomCodes) {
    EXPECT_TRUE(is_date_format(14, ""));
    EXPECT_TRUE(is_date_format(22, ""));
    EXPECT_TRUE(is_date_format(45, ""));
    EXPECT_FALSE(is_date_format(0, ""));
    EXPECT_FALSE(is_date_format(49, "")); // text
    EXPECT_TRUE(is_date_format(164, "dd/mm/yyyy"));
    EXPECT_TRUE(is_date_format(164, "[$-421]d mmmm yyyy")); // Indonesian locale date
    EXPECT_FALSE(is_date_format(164, "[Red]0.00"));
    EXPECT_FALSE(is_date_format(164, "\"Rp\" #,##0"));
    EXPECT_FALSE(is_date_format(164, "0\\d"));
    EXPECT_FALSE(is_date_format(164, "General"));
}

} // namespace
} // namespace kapal::io
