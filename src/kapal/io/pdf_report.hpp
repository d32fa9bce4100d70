#pragma once
// Printable reports as PDF (A4): a title, a few lines of context, and tables whose cells wrap
// and whose header repeats on every page, with page numbers. Drawn with Cairo (the only file of
// the program that includes it is pdf_report.cpp); text in DejaVu Sans, so Indonesian text and
// any UTF-8 print as written.

#include "kapal/core/result.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace kapal::io {

struct PdfColumn {
    std::string title;
    double width_mm = 30; ///< the columns of a table should add up to the page's text width
                          ///< (180 mm portrait, 267 mm landscape); wider tables are scaled down
};

/// A table with an optional heading above it (e.g. "RT 003 / RW 01 — 4 orang").
struct PdfTable {
    std::string heading;
    std::vector<PdfColumn> columns;
    std::vector<std::vector<std::string>> rows; ///< one text per column; missing cells are empty
};

struct PdfDocument {
    std::string title;
    std::vector<std::string> lines; ///< under the title: what, where, when, by whom
    std::vector<PdfTable> tables;
    std::string footer; ///< left of the page number on every page, e.g. "Kapal Si Geo · 2026-11-28"
    bool landscape = false;
};

/// The document as PDF bytes. Errors: Internal (Cairo failed).
Result<std::string> render_pdf(const PdfDocument& document);

/// Renders and writes to `file`. Errors: Internal, Io (cannot write).
Result<void> write_pdf(const PdfDocument& document, const std::filesystem::path& file);

} // namespace kapal::io
