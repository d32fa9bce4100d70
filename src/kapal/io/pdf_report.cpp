#include "kapal/io/pdf_report.hpp"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
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
