#include "kapal/io/pdf_report.hpp"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>

namespace kapal::io {
namespace {

constexpr double kPointsPerMm = 72.0 / 25.4;
constexpr double kMarginMm = 15;
constexpr double kTitleSize = 14;
constexpr double kTextSize = 8.5;
constexpr double kLineGap = 1.35; ///< line height as a multiple of the font size
constexpr double kCellPad = 2.5;  ///< points, inside each cell
constexpr const char* kFont = "DejaVu Sans";

double mm(double v) {
    return v * kPointsPerMm;
}

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

struct SurfaceDestroyer {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};

struct ContextDestroyer {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};

/// Lays out text on pages of one surface: a cursor moving down, a new page when full.
class Writer {
  public:
    Writer(cairo_t* cr, double width, double height, std::string footer)
        : cr_(cr)
        , width_(width)
        , height_(height)
        , footer_(std::move(footer)) {
        y_ = mm(kMarginMm);
    }

    double text_width() const { return width_ - 2 * mm(kMarginMm); }

    void font(double size, bool bold) {
        cairo_select_font_face(cr_,
                               kFont,
                               CAIRO_FONT_SLANT_NORMAL,
                               bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr_, size);
        size_ = size;
    }

    double line_height() const { return size_ * kLineGap; }

    double measure(const std::string& text) const {
        cairo_text_extents_t e;
        cairo_text_extents(cr_, text.c_str(), &e);
        return e.x_advance;
    }

    /// `text` broken into lines no wider than `width` (at spaces; a word wider than the line
    /// is cut between characters, never inside a UTF-8 sequence).
    std::vector<std::string> wrap(const std::string& text, double width) const {
        std::vector<std::string> lines;
        std::size_t start = 0;
        while (start <= text.size()) {
            const std::size_t newline = text.find('\n', start);
            const std::string paragraph = text.substr(
                start, newline == std::string::npos ? std::string::npos : newline - start);
            wrap_paragraph(paragraph, width, lines);
            if (newline == std::string::npos) {
                break;
            }
            start = newline + 1;
        }
        return lines;
    }

    /// Starts a new page when less than `needed` points are left above the footer.
    bool ensure(double needed) {
        if (y_ + needed <= height_ - mm(kMarginMm) - line_height() * 2) {
            return false;
        }
        new_page();
        return true;
    }

    void new_page() {
        finish_page();
        cairo_show_page(cr_);
        y_ = mm(kMarginMm);
    }

    void line(const std::string& text, double size, bool bold) {
        font(size, bold);
        for (const auto& l : wrap(text, text_width())) {
            ensure(line_height());
            cairo_move_to(cr_, mm(kMarginMm), y_ + size_);
            cairo_show_text(cr_, l.c_str());
            y_ += line_height();
        }
    }

    void space(double points) { y_ += points; }

    void table(const PdfTable& table) {
        if (table.columns.empty()) {
            return;
        }
        double total = 0;
        for (const auto& c : table.columns) {
            total += mm(c.width_mm);
        }
        const double scale = total > text_width() ? text_width() / total : 1.0;
        std::vector<double> widths;
        for (const auto& c : table.columns) {
            widths.push_back(mm(c.width_mm) * scale);
        }
        std::vector<std::string> header;
        for (const auto& c : table.columns) {
            header.push_back(c.title);
        }
        font(kTextSize, true);
        const double header_height = row_height(header, widths);
        font(kTextSize, false);
        const double first_row = table.rows.empty() ? 0 : row_height(table.rows.front(), widths);
        if (!table.heading.empty()) {
            ensure(line_height() * 1.6 + header_height + first_row);
            line(table.heading, kTextSize + 1.5, true);
        }
        ensure(header_height + first_row);
        draw_row(header, widths, true);
        for (const auto& row : table.rows) {
            font(kTextSize, false);
            if (ensure(row_height(row, widths))) {
                draw_row(header, widths, true); // the header again on the new page
            }
            draw_row(row, widths, false);
        }
        space(line_height());
    }

    /// A grouped (or diverging) bar chart across the text width.
    void chart(const PdfBarChart& chart) {
        const double height = mm(chart.height_mm);
        font(kTextSize, false);
        ensure(line_height() * 4 + height);
        if (!chart.heading.empty()) {
            line(chart.heading, kTextSize + 1.5, true);
        }
        legend(chart);
        double up = 0;
        double down = 0;
        for (const auto& series : chart.series) {
            for (const double v : series.values) {
                (series.below ? down : up) = std::max(series.below ? down : up, v);
            }
        }
        const double step = nice_step(std::max(up, down));
        up = std::ceil(up / step) * step;
        down = std::ceil(down / step) * step;
        if (up + down <= 0) {
            up = step;
        }
        const double label_room = mm(14); // rotated labels under the plot
        const double axis_room = mm(12);  // values left of the plot
        const double left = mm(kMarginMm) + axis_room;
        const double width = text_width() - axis_room;
        const double plot = height - label_room;
        const double top = y_;
        const double zero = top + plot * up / (up + down);
        const auto y_of = [&](double v) {
            return zero - v / (up + down) * plot;
        };
        // Grid and value axis.
        font(kTextSize - 1.5, false);
        cairo_set_line_width(cr_, 0.3);
        for (double v = -down; v <= up + step / 2; v += step) {
            const double y = y_of(v);
            cairo_set_source_rgb(cr_, 0.85, 0.85, 0.85);
            cairo_move_to(cr_, left, y);
            cairo_line_to(cr_, left + width, y);
            cairo_stroke(cr_);
            cairo_set_source_rgb(cr_, 0.2, 0.2, 0.2);
            const std::string text = format_number(std::abs(v));
            cairo_move_to(cr_, left - measure(text) - 2, y + size_ / 3);
            cairo_show_text(cr_, text.c_str());
        }
        const std::size_t n = chart.labels.size();
        const double slot = n == 0 ? width : width / static_cast<double>(n);
        const std::size_t k = std::max<std::size_t>(1, chart.series.size());
        const double bar = slot * 0.8 / static_cast<double>(k);
        for (std::size_t i = 0; i < n; ++i) {
            const double x0 = left + slot * static_cast<double>(i) + slot * 0.1;
            for (std::size_t j = 0; j < chart.series.size(); ++j) {
                const auto& series = chart.series[j];
                const double v = i < series.values.size() ? series.values[i] : 0;
                const double x = x0 + bar * static_cast<double>(j);
                const double y = series.below ? zero : y_of(v);
                const double h = std::abs(y_of(v) - zero);
                fill_series(j, series.hatched, x, y, bar * 0.92, h);
            }
            // The label, rotated, under the plot.
            cairo_save(cr_);
            cairo_set_source_rgb(cr_, 0, 0, 0);
            cairo_move_to(cr_, x0 + slot * 0.4, top + plot + 3);
            cairo_rotate(cr_, 0.6);
            cairo_show_text(cr_, chart.labels[i].c_str());
            cairo_restore(cr_);
        }
        cairo_set_source_rgb(cr_, 0, 0, 0);
        cairo_set_line_width(cr_, 0.8);
        cairo_move_to(cr_, left, zero);
        cairo_line_to(cr_, left + width, zero);
        cairo_stroke(cr_);
        y_ = top + height + line_height();
    }

    /// A choropleth map with its legend, fitted into the text width and the map's height.
    void map(const PdfMap& map) {
        const double height = mm(map.height_mm);
        font(kTextSize, false);
        ensure(line_height() * 2 + height);
        if (!map.heading.empty()) {
            line(map.heading, kTextSize + 1.5, true);
        }
        double min_lon = 1e9, max_lon = -1e9, min_lat = 1e9, max_lat = -1e9;
        for (const auto& a : map.areas) {
            for (const auto& ring : a.rings) {
                for (const auto& [lon, lat] : ring) {
                    min_lon = std::min(min_lon, lon);
                    max_lon = std::max(max_lon, lon);
                    min_lat = std::min(min_lat, lat);
                    max_lat = std::max(max_lat, lat);
                }
            }
        }
        if (min_lon > max_lon) {
            return;
        }
        const double legend_width = mm(45);
        const double box_w = text_width() - legend_width;
        const double kx = std::cos((min_lat + max_lat) / 2 * 3.14159265358979 / 180);
        const double span_x = std::max(1e-9, (max_lon - min_lon) * kx);
        const double span_y = std::max(1e-9, max_lat - min_lat);
        const double scale = std::min(box_w / span_x, height / span_y);
        const double left = mm(kMarginMm);
        const double top = y_;
        const auto px = [&](double lon) {
            return left + (lon - min_lon) * kx * scale;
        };
        const auto py = [&](double lat) {
            return top + (max_lat - lat) * scale;
        };
        const auto trace = [&](const std::vector<PdfRing>& rings) {
            for (const auto& ring : rings) {
                for (std::size_t i = 0; i < ring.size(); ++i) {
                    const double x = px(ring[i].first);
                    const double y = py(ring[i].second);
                    i == 0 ? cairo_move_to(cr_, x, y) : cairo_line_to(cr_, x, y);
                }
                cairo_close_path(cr_);
            }
        };
        double lo = 1e300, hi = -1e300;
        for (const auto& a : map.areas) {
            if (a.value) {
                lo = std::min(lo, *a.value);
                hi = std::max(hi, *a.value);
            }
        }
        const auto klass = [&](double v) {
            if (hi <= lo) {
                return 2;
            }
            return std::min(4, static_cast<int>((v - lo) / (hi - lo) * 5));
        };
        cairo_set_fill_rule(cr_, CAIRO_FILL_RULE_EVEN_ODD);
        for (const auto& a : map.areas) {
            trace(a.rings);
            if (a.value) {
                const auto& c = kBlues[static_cast<std::size_t>(klass(*a.value))];
                cairo_set_source_rgb(cr_, c[0], c[1], c[2]);
            } else {
                cairo_set_source_rgb(cr_, 0.85, 0.85, 0.85);
            }
            cairo_fill_preserve(cr_);
            cairo_set_source_rgb(cr_, 0.3, 0.3, 0.3);
            cairo_set_line_width(cr_, 0.5);
            cairo_stroke(cr_);
        }
        for (const auto& polygon : map.overlay) {
            cairo_save(cr_);
            trace(polygon);
            cairo_clip_preserve(cr_);
            cairo_set_source_rgb(cr_, 0.8, 0.1, 0.1);
            cairo_set_line_width(cr_, 0.8);
            cairo_stroke(cr_);
            hatch(left, top, box_w, height, 0.8, 0.1, 0.1);
            cairo_restore(cr_);
        }
        font(kTextSize - 2, false);
        for (const auto& a : map.areas) {
            const PdfRing* largest = nullptr;
            for (const auto& ring : a.rings) {
                if (largest == nullptr || ring.size() > largest->size()) {
                    largest = &ring;
                }
            }
            if (largest == nullptr || largest->empty() || a.label.empty()) {
                continue;
            }
            double cx = 0, cy = 0;
            for (const auto& [lon, lat] : *largest) {
                cx += px(lon);
                cy += py(lat);
            }
            cx /= static_cast<double>(largest->size());
            cy /= static_cast<double>(largest->size());
            const double w = measure(a.label);
            cairo_set_source_rgba(cr_, 1, 1, 1, 0.75);
            cairo_rectangle(cr_, cx - w / 2 - 1, cy - size_, w + 2, size_ * 1.3);
            cairo_fill(cr_);
            cairo_set_source_rgb(cr_, 0, 0, 0);
            cairo_move_to(cr_, cx - w / 2, cy);
            cairo_show_text(cr_, a.label.c_str());
        }
        // Legend, right of the map.
        font(kTextSize - 1, true);
        double ly = top + size_;
        const double lx = left + box_w + mm(4);
        cairo_move_to(cr_, lx, ly);
        cairo_show_text(cr_, map.value_title.c_str());
        font(kTextSize - 1, false);
        ly += line_height();
        const int classes = hi <= lo ? (hi < lo ? 0 : 1) : 5;
        for (int c = 0; c < classes; ++c) {
            const auto& colour = kBlues[static_cast<std::size_t>(hi <= lo ? 2 : c)];
            cairo_set_source_rgb(cr_, colour[0], colour[1], colour[2]);
            cairo_rectangle(cr_, lx, ly - size_, size_ * 1.4, size_);
            cairo_fill_preserve(cr_);
            cairo_set_source_rgb(cr_, 0.3, 0.3, 0.3);
            cairo_set_line_width(cr_, 0.4);
            cairo_stroke(cr_);
            const double a = lo + (hi - lo) * c / 5.0;
            const double b = lo + (hi - lo) * (c + 1) / 5.0;
            const std::string text =
                hi <= lo ? format_fixed(lo, map.decimals)
                         : format_fixed(a, map.decimals) + " – " + format_fixed(b, map.decimals);
            cairo_move_to(cr_, lx + size_ * 2, ly);
            cairo_show_text(cr_, text.c_str());
            ly += line_height();
        }
        cairo_set_source_rgb(cr_, 0.85, 0.85, 0.85);
        cairo_rectangle(cr_, lx, ly - size_, size_ * 1.4, size_);
        cairo_fill(cr_);
        cairo_set_source_rgb(cr_, 0, 0, 0);
        cairo_move_to(cr_, lx + size_ * 2, ly);
        cairo_show_text(cr_, "tidak ada data");
        ly += line_height();
        if (!map.overlay_title.empty()) {
            cairo_save(cr_);
            cairo_rectangle(cr_, lx, ly - size_, size_ * 1.4, size_);
            cairo_clip_preserve(cr_);
            cairo_set_source_rgb(cr_, 0.8, 0.1, 0.1);
            cairo_set_line_width(cr_, 0.8);
            cairo_stroke(cr_);
            hatch(lx, ly - size_, size_ * 1.4, size_, 0.8, 0.1, 0.1);
            cairo_restore(cr_);
            cairo_set_source_rgb(cr_, 0, 0, 0);
            cairo_move_to(cr_, lx + size_ * 2, ly);
            cairo_show_text(cr_, map.overlay_title.c_str());
        }
        y_ = top + std::min(height, span_y * scale) + line_height();
    }

    void finish_page() {
        ++page_;
        font(kTextSize - 1, false);
        const double y = height_ - mm(kMarginMm) + size_;
        cairo_move_to(cr_, mm(kMarginMm), y);
        cairo_show_text(cr_, footer_.c_str());
        const std::string number = "Halaman " + std::to_string(page_);
        cairo_move_to(cr_, width_ - mm(kMarginMm) - measure(number), y);
        cairo_show_text(cr_, number.c_str());
    }

  private:
    static constexpr std::array<std::array<double, 3>, 5> kBlues = {{{0.937, 0.953, 1.0},
                                                                     {0.741, 0.843, 0.906},
                                                                     {0.420, 0.682, 0.839},
                                                                     {0.192, 0.510, 0.741},
                                                                     {0.031, 0.318, 0.612}}};
    /// Series colours (colour-blind safe) of the charts.
    static constexpr std::array<std::array<double, 3>, 6> kSeries = {{{0.000, 0.447, 0.698},
                                                                      {0.835, 0.369, 0.000},
                                                                      {0.000, 0.620, 0.451},
                                                                      {0.800, 0.475, 0.655},
                                                                      {0.941, 0.894, 0.259},
                                                                      {0.337, 0.706, 0.914}}};

    static double nice_step(double max) {
        if (max <= 0) {
            return 1;
        }
        const double raw = max / 4;
        const double p = std::pow(10.0, std::floor(std::log10(raw)));
        for (const double m : {1.0, 2.0, 5.0, 10.0}) {
            if (raw <= m * p) {
                return std::max(1.0, m * p);
            }
        }
        return std::max(1.0, 10 * p);
    }

    static std::string format_number(double v) { return format_fixed(v, 0); }

    /// `v` with `decimals` places, thousands with dots and decimals with a comma (Indonesian).
    static std::string format_fixed(double v, int decimals) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
        std::string text = buf;
        const auto point = text.find('.');
        std::string whole = text.substr(0, point);
        std::string out;
        const bool negative = !whole.empty() && whole[0] == '-';
        if (negative) {
            whole.erase(0, 1);
        }
        for (std::size_t i = 0; i < whole.size(); ++i) {
            if (i > 0 && (whole.size() - i) % 3 == 0) {
                out += '.';
            }
            out += whole[i];
        }
        if (point != std::string::npos) {
            out += ',' + text.substr(point + 1);
        }
        return negative ? "-" + out : out;
    }

    void legend(const PdfBarChart& chart) {
        font(kTextSize - 1, false);
        double x = mm(kMarginMm);
        for (std::size_t j = 0; j < chart.series.size(); ++j) {
            fill_series(j, chart.series[j].hatched, x, y_, size_ * 1.4, size_);
            cairo_set_source_rgb(cr_, 0, 0, 0);
            cairo_move_to(cr_, x + size_ * 2, y_ + size_);
            cairo_show_text(cr_, chart.series[j].name.c_str());
            x += size_ * 3 + measure(chart.series[j].name);
        }
        y_ += line_height() * 1.5;
    }

    void fill_series(std::size_t j, bool hatched, double x, double y, double w, double h) {
        const auto& c = kSeries[j % kSeries.size()];
        cairo_set_source_rgb(cr_, c[0], c[1], c[2]);
        cairo_rectangle(cr_, x, y, w, h);
        cairo_fill(cr_);
        if (hatched) {
            cairo_save(cr_);
            cairo_rectangle(cr_, x, y, w, h);
            cairo_clip(cr_);
            hatch(x, y, w, h, 1, 1, 1);
            cairo_restore(cr_);
        }
    }

    /// Diagonal lines over the box (drawn inside the current clip).
    void hatch(double x, double y, double w, double h, double r, double g, double b) {
        cairo_set_source_rgb(cr_, r, g, b);
        cairo_set_line_width(cr_, 0.6);
        for (double d = -h; d < w; d += 3) {
            cairo_move_to(cr_, x + d, y + h);
            cairo_line_to(cr_, x + d + h, y);
        }
        cairo_stroke(cr_);
    }

    void
    wrap_paragraph(const std::string& text, double width, std::vector<std::string>& lines) const {
        std::string current;
        std::size_t i = 0;
        while (i < text.size()) {
            const std::size_t space = text.find(' ', i);
            const std::string word =
                text.substr(i, space == std::string::npos ? std::string::npos : space - i);
            i = space == std::string::npos ? text.size() : space + 1;
            const std::string candidate = current.empty() ? word : current + " " + word;
            if (measure(candidate) <= width) {
                current = candidate;
                continue;
            }
            if (!current.empty()) {
                lines.push_back(current);
            }
            current = word;
            // A single word wider than the line: cut it at character boundaries.
            while (measure(current) > width && current.size() > 1) {
                std::size_t cut = current.size();
                while (cut > 1 && measure(current.substr(0, cut)) > width) {
                    do {
                        --cut;
                    } while (cut > 1 && (static_cast<unsigned char>(current[cut]) & 0xC0) == 0x80);
                }
                lines.push_back(current.substr(0, cut));
                current = current.substr(cut);
            }
        }
        lines.push_back(current);
    }

    double row_height(const std::vector<std::string>& cells, const std::vector<double>& widths) {
        std::size_t most = 1;
        for (std::size_t c = 0; c < widths.size(); ++c) {
            const std::string& text = c < cells.size() ? cells[c] : empty_;
            most = std::max(most, wrap(text, widths[c] - 2 * kCellPad).size());
        }
        return static_cast<double>(most) * line_height() + 2 * kCellPad;
    }

    void draw_row(const std::vector<std::string>& cells,
                  const std::vector<double>& widths,
                  bool header) {
        font(kTextSize, header);
        const double h = row_height(cells, widths);
        double x = mm(kMarginMm);
        for (std::size_t c = 0; c < widths.size(); ++c) {
            if (header) {
                cairo_set_source_rgb(cr_, 0.88, 0.90, 0.93);
                cairo_rectangle(cr_, x, y_, widths[c], h);
                cairo_fill(cr_);
            }
            cairo_set_source_rgb(cr_, 0.55, 0.55, 0.55);
            cairo_set_line_width(cr_, 0.5);
            cairo_rectangle(cr_, x, y_, widths[c], h);
            cairo_stroke(cr_);
            cairo_set_source_rgb(cr_, 0, 0, 0);
            const std::string& text = c < cells.size() ? cells[c] : empty_;
            double ly = y_ + kCellPad;
            for (const auto& l : wrap(text, widths[c] - 2 * kCellPad)) {
                cairo_move_to(cr_, x + kCellPad, ly + size_);
                cairo_show_text(cr_, l.c_str());
                ly += line_height();
            }
            x += widths[c];
        }
        y_ += h;
    }

    cairo_t* cr_;
    double width_;
    double height_;
    std::string footer_;
    double y_ = 0;
    double size_ = kTextSize;
    int page_ = 0;
    std::string empty_;
};

} // namespace

Result<std::string> render_pdf(const PdfDocument& document) {
    const double a4_short = mm(210);
    const double a4_long = mm(297);
    const double width = document.landscape ? a4_long : a4_short;
    const double height = document.landscape ? a4_short : a4_long;
    std::string bytes;
    {
        std::unique_ptr<cairo_surface_t, SurfaceDestroyer> surface(
            cairo_pdf_surface_create_for_stream(append_to_string, &bytes, width, height));
        if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
            return fail(ErrorCode::Internal,
                        std::string("cannot create a PDF: ") +
                            cairo_status_to_string(cairo_surface_status(surface.get())));
        }
        cairo_pdf_surface_set_metadata(
            surface.get(), CAIRO_PDF_METADATA_TITLE, document.title.c_str());
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "Kapal Si Geo");
        std::unique_ptr<cairo_t, ContextDestroyer> cr(cairo_create(surface.get()));
        Writer w(cr.get(), width, height, document.footer);
        w.line(document.title, kTitleSize, true);
        w.space(2);
        for (const auto& l : document.lines) {
            w.line(l, kTextSize + 0.5, false);
        }
        w.space(6);
        for (const auto& t : document.tables) {
            w.table(t);
        }
        for (const auto& b : document.blocks) {
            if (b.new_page) {
                w.new_page();
            }
            if (b.table) {
                w.table(*b.table);
            }
            if (b.chart) {
                w.chart(*b.chart);
            }
            if (b.map) {
                w.map(*b.map);
            }
            if (!b.note.empty()) {
                w.line(b.note, kTextSize - 1, false);
                w.space(6);
            }
        }
        w.finish_page();
        cairo_show_page(cr.get());
        const cairo_status_t status = cairo_status(cr.get());
        if (status != CAIRO_STATUS_SUCCESS) {
            return fail(ErrorCode::Internal,
                        std::string("cannot draw the PDF: ") + cairo_status_to_string(status));
        }
        cr.reset();
        cairo_surface_finish(surface.get());
    }
    return bytes;
}

Result<void> write_pdf(const PdfDocument& document, const std::filesystem::path& file) {
    auto bytes = render_pdf(document);
    if (!bytes) {
        return fail(std::move(bytes).error());
    }
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
    if (!out.flush()) {
        return fail(ErrorCode::Io, "cannot write " + file.string());
    }
    return {};
}

} // namespace kapal::io
