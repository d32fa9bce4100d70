#pragma once
// Printable reports as PDF (A4): a title, a few lines of context, and tables whose cells wrap
// and whose header repeats on every page, bar charts and choropleth maps, with page numbers. Drawn
// with Cairo (the only file of the program that includes it is pdf_report.cpp); text in DejaVu
// Sans, so Indonesian text and any UTF-8 print as written.

#include "kapal/core/result.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
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

/// One series of a bar chart: a value per label.
struct PdfBarSeries {
    std::string name;
    std::vector<double> values; ///< >= 0, one per label
    bool below = false;         ///< drawn down from the axis (a diverging chart: out below in)
    bool hatched = false;       ///< hatched as well as coloured (not colour alone)
};

/// Grouped bars per label, with a legend and a value axis.
struct PdfBarChart {
    std::string heading;
    std::vector<std::string> labels;
    std::vector<PdfBarSeries> series; ///< at most 6
    double height_mm = 60;
};

/// A ring of (lon, lat) positions.
using PdfRing = std::vector<std::pair<double, double>>;

/// An area of a choropleth: its polygons (outer rings and holes, drawn even-odd) and value.
struct PdfMapArea {
    std::string label; ///< written at the area's largest ring's centre
    std::vector<PdfRing> rings;
    std::optional<double> value; ///< nullopt: no data (grey)
};

/// A choropleth map in five equal classes between the smallest and largest value, with a
/// hatched overlay (e.g. hazard zones) and a legend.
struct PdfMap {
    std::string heading;
    std::vector<PdfMapArea> areas;
    std::vector<std::vector<PdfRing>> overlay; ///< polygons drawn hatched in red over the areas
    std::string value_title;                   ///< the legend's title, e.g. "Terdaftar"
    std::string overlay_title;                 ///< the overlay's legend entry
    int decimals = 0;                          ///< of the legend's class bounds
    double height_mm = 110;
};

/// A part of the document after `tables`: a table, a chart or a map, with a note under it
/// (e.g. the query that gives its figures).
struct PdfBlock {
    std::optional<PdfTable> table;
    std::optional<PdfBarChart> chart;
    std::optional<PdfMap> map;
    std::string note;
    bool new_page = false; ///< start it on a new page
};

struct PdfDocument {
    std::string title;
    std::vector<std::string> lines; ///< under the title: what, where, when, by whom
    std::vector<PdfTable> tables;
    std::vector<PdfBlock> blocks; ///< after the tables
    std::string footer; ///< left of the page number on every page, e.g. "Kapal Si Geo · 2026-11-28"
    bool landscape = false;
};

/// The document as PDF bytes. Errors: Internal (Cairo failed).
Result<std::string> render_pdf(const PdfDocument& document);

/// Renders and writes to `file`. Errors: Internal, Io (cannot write).
Result<void> write_pdf(const PdfDocument& document, const std::filesystem::path& file);

} // namespace kapal::io
