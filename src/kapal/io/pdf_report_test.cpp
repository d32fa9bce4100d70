#include "kapal/io/pdf_report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace kapal::io {
namespace {

namespace fs = std::filesystem;

/// The output of a command (poppler-utils' pdftotext and pdfinfo read the PDF back).
std::string run(const std::string& command) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return out;
    }
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
        out.append(buf, n);
    }
    ::pclose(pipe);
    return out;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

TEST(PdfReport, TablesWrapAndRepeatTheirHeaderOnEveryPageAndTheTextReadsBack) {
    PdfDocument doc;
    doc.title = "Daftar evakuasi: Rawan banjir Guntung";
    doc.lines = {"Tingkat tinggi · 120 orang", "Dicetak 2026-11-28 oleh operator"};
    doc.footer = "Kapal Si Geo";
    PdfTable table;
    table.heading = "RT 003 / RW 01";
    table.columns = {{"No", 10}, {"Nama", 50}, {"Kebutuhan", 70}, {"Telepon", 50}};
    for (int i = 1; i <= 120; ++i) {
        table.rows.push_back({std::to_string(i),
                              "Siti Nurhaliza binti Abdurrahman " + std::to_string(i),
                              i == 7 ? "kursi roda, pendamping: Ibu Ratna (ibu), "
                                       "Supercalifragilisticexpialidocious-tanpa-spasi-sama-sekali"
                                     : "tongkat netra",
                              "0812-5555-" + std::to_string(1000 + i)});
    }
    doc.tables.push_back(table);
    auto bytes = render_pdf(doc);
    ASSERT_TRUE(bytes.has_value()) << bytes.error().message;
    ASSERT_GT(bytes->size(), 1000U);
    EXPECT_EQ(bytes->substr(0, 5), "%PDF-");

    const fs::path file =
        fs::temp_directory_path() / ("kapal_pdf_" + std::to_string(::getpid()) + ".pdf");
    ASSERT_TRUE(write_pdf(doc, file).has_value());
    const std::string info = run("pdfinfo '" + file.string() + "'");
    const auto pages_at = info.find("Pages:");
    ASSERT_NE(pages_at, std::string::npos) << "pdfinfo (poppler-utils) could not read it: " << info;
    const int pages = std::stoi(info.substr(pages_at + 6));
    EXPECT_GE(pages, 3) << "120 rows do not fit one page";
    EXPECT_NE(info.find("Daftar evakuasi"), std::string::npos) << "the title is in the metadata";

    const std::string text = run("pdftotext -enc UTF-8 '" + file.string() + "' -");
    EXPECT_NE(text.find("Rawan banjir Guntung"), std::string::npos);
    EXPECT_NE(text.find("0812-5555-1120"), std::string::npos) << "the last row is printed";
    EXPECT_EQ(count(text, "Kebutuhan"), static_cast<std::size_t>(pages))
        << "the header repeats on every page";
    EXPECT_NE(text.find("Halaman " + std::to_string(pages)), std::string::npos);
    EXPECT_NE(text.find("Supercalif"), std::string::npos) << "a long word is cut, not lost";
    fs::remove(file);
}

TEST(PdfReport, AnEmptyDocumentIsOnePage) {
    PdfDocument doc;
    doc.title = "Kosong";
    auto bytes = render_pdf(doc);
    ASSERT_TRUE(bytes.has_value()) << bytes.error().message;
    EXPECT_EQ(count(*bytes, "/Type /Page\n") + count(*bytes, "/Type /Page ") +
                  count(*bytes, "/Type /Page>"),
              1U);
}

} // namespace
} // namespace kapal::io
