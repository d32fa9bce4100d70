#include "kapal/card/render.hpp"

#include "kapal/card/picture.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>
#include <numbers>
#include <optional>
#include <string_view>

namespace kapal::card {
namespace {

// Everything is drawn in millimetres from the card's top-left corner; the surface's scale
// turns them into pixels (PNG) or points (PDF).
constexpr double kPxPerMm = kCardDpi / 25.4;
constexpr double kPtPerMm = 72.0 / 25.4;
constexpr double kA4WidthMm = 210.0;
constexpr double kA4HeightMm = 297.0;

// DejaVu Sans Condensed (fonts-dejavu-extra) keeps long Indonesian names and service lists
// readable at 5-9 pt on an 85 mm card; the card number is in DejaVu Sans Mono so that its
// digits line up and cannot be misread. Both are Debian fonts, so the output is the same on
// every machine that installs scripts/install-deps.sh.
constexpr const char* kSans = "DejaVu Sans Condensed";
constexpr const char* kMono = "DejaVu Sans Mono";

struct Rgb {
    double r, g, b;
};

constexpr Rgb rgb(unsigned hex) {
    return {((hex >> 16) & 0xff) / 255.0, ((hex >> 8) & 0xff) / 255.0, (hex & 0xff) / 255.0};
}

constexpr Rgb kInk = rgb(0x1a1a1a);
constexpr Rgb kMuted = rgb(0x4d4d4d);
constexpr Rgb kBand = rgb(0x1f3a5f);
constexpr Rgb kWhite = rgb(0xffffff);
constexpr Rgb kPanel = rgb(0xeef2f7);
constexpr Rgb kRule = rgb(0xb8c2cf);
constexpr Rgb kPhotoBack = rgb(0xe3e7ed);
constexpr Rgb kSilhouette = rgb(0xaab3c0);

// A box in mm.
struct Box {
    double x, y, w, h;
};

// ---------------------------------------------------------------- ownership of C objects

struct SurfaceFree {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};

using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceFree>;

struct CairoFree {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};

using CairoPtr = std::unique_ptr<cairo_t, CairoFree>;

struct GObjectFree {
    void operator()(void* o) const { g_object_unref(o); }
};

using LayoutPtr = std::unique_ptr<PangoLayout, GObjectFree>;

struct FontFree {
    void operator()(PangoFontDescription* f) const { pango_font_description_free(f); }
};

using FontPtr = std::unique_ptr<PangoFontDescription, FontFree>;

struct QrFree {
    void operator()(QRcode* q) const { QRcode_free(q); }
};

using QrPtr = std::unique_ptr<QRcode, QrFree>;

struct QrInputFree {
    void operator()(QRinput* q) const { QRinput_free(q); }
};

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
    auto* out = static_cast<std::vector<std::uint8_t>*>(closure);
    out->insert(out->end(), data, data + length);
    return CAIRO_STATUS_SUCCESS;
}

void set_colour(cairo_t* cr, Rgb c) {
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

void rounded_rect(cairo_t* cr, Box b, double radius) {
    const double r = std::min({radius, b.w / 2, b.h / 2});
    constexpr double kPi = std::numbers::pi;
    cairo_new_sub_path(cr);
    cairo_arc(cr, b.x + b.w - r, b.y + r, r, -kPi / 2, 0);
    cairo_arc(cr, b.x + b.w - r, b.y + b.h - r, r, 0, kPi / 2);
    cairo_arc(cr, b.x + r, b.y + b.h - r, r, kPi / 2, kPi);
    cairo_arc(cr, b.x + r, b.y + r, r, kPi, 3 * kPi / 2);
    cairo_close_path(cr);
}

// ---------------------------------------------------------------- what a face needs

/// A face checked and with its photo and QR code decoded, ready to draw any number of times.
struct PreparedFace {
    const CardFace* face = nullptr;
    SurfacePtr photo; ///< null: draw the silhouette
    QrPtr qr;         ///< null only when the face was prepared for the back alone
};

unexpected<Error> invalid_field(ErrorCode code, const std::string& field, const std::string& what) {
    return fail(code, field + ": " + what, {FieldIssue{field, code, what}});
}

Result<QrPtr> encode_qr(const std::string& text) {
    if (text.empty()) {
        return invalid_field(ErrorCode::InvalidArgument, "qr_text", "empty");
    }
    std::unique_ptr<QRinput, QrInputFree> input(QRinput_new2(0, QR_ECLEVEL_M));
    if (!input) {
        return fail(ErrorCode::Internal, "libqrencode could not allocate its input");
    }
    // One alphanumeric segment: Base45 uses exactly the QR alphanumeric characters.
    if (QRinput_append(input.get(),
                       QR_MODE_AN,
                       static_cast<int>(text.size()),
                       reinterpret_cast<const unsigned char*>(text.data())) != 0) {
        const auto bad = text.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:");
        return invalid_field(ErrorCode::InvalidArgument,
                             "qr_text",
                             "character at position " + std::to_string(bad) +
                                 " is outside the QR alphanumeric set (0-9 A-Z space $%*+-./:)");
    }
    errno = 0;
    QrPtr qr(QRcode_encodeInput(input.get()));
    if (!qr) {
        if (errno == ERANGE) {
            return invalid_field(ErrorCode::CardQrTooLarge,
                                 "qr_text",
                                 std::to_string(text.size()) +
                                     " characters do not fit any QR version at level M");
        }
        return fail(ErrorCode::Internal, "libqrencode failed to encode the QR text");
    }
    if (qr->version > kMaxCardQrVersion) {
        return invalid_field(ErrorCode::CardQrTooLarge,
                             "qr_text",
                             std::to_string(text.size()) + " characters need QR version " +
                                 std::to_string(qr->version) + "; at most version " +
                                 std::to_string(kMaxCardQrVersion) + " fits on the card");
    }
    return qr;
}

Result<SurfacePtr> photo_surface(std::span<const std::uint8_t> bytes) {
    auto picture = decode_picture(bytes, "photo");
    if (!picture) {
        return fail(std::move(picture).error());
    }
    SurfacePtr surface(
        cairo_image_surface_create(CAIRO_FORMAT_ARGB32, picture->width, picture->height));
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
        return fail(ErrorCode::Internal, "Cairo could not allocate the photo");
    }
    cairo_surface_flush(surface.get());
    unsigned char* data = cairo_image_surface_get_data(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get());
    const auto w = static_cast<std::size_t>(picture->width);
    for (int y = 0; y < picture->height; ++y) {
        std::memcpy(data + static_cast<std::ptrdiff_t>(y) * stride,
                    picture->pixels.data() + static_cast<std::size_t>(y) * w,
                    w * sizeof(std::uint32_t));
    }
    cairo_surface_mark_dirty(surface.get());
    return surface;
}

Result<void> check_utf8(const std::string& text, const std::string& field) {
    if (g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr) == 0) {
        return invalid_field(ErrorCode::InvalidArgument, field, "not valid UTF-8");
    }
    return {};
}

Result<PreparedFace> prepare(const CardFace& face, bool front) {
    for (const auto& [text, field] : {std::pair{&face.issuer, "issuer"},
                                      std::pair{&face.full_name, "full_name"},
                                      std::pair{&face.card_number, "card_number"},
                                      std::pair{&face.kelurahan, "kelurahan"},
                                      std::pair{&face.kecamatan, "kecamatan"},
                                      std::pair{&face.valid_from, "valid_from"},
                                      std::pair{&face.valid_until, "valid_until"},
                                      std::pair{&face.verify_url, "verify_url"},
                                      std::pair{&face.hotline, "hotline"}}) {
        KAPAL_TRY(check_utf8(*text, field));
    }
    for (std::size_t i = 0; i < face.services.size(); ++i) {
        KAPAL_TRY(check_utf8(face.services[i], "services[" + std::to_string(i) + "]"));
    }
    PreparedFace prepared;
    prepared.face = &face;
    if (front) {
        if (!face.photo.empty()) {
            auto photo = photo_surface(face.photo);
            if (!photo) {
                return fail(std::move(photo).error());
            }
            prepared.photo = std::move(*photo);
        }
        auto qr = encode_qr(face.qr_text);
        if (!qr) {
            return fail(std::move(qr).error());
        }
        prepared.qr = std::move(*qr);
    }
    return prepared;
}

// ---------------------------------------------------------------- text

struct TextStyle {
    const char* family = kSans;
    bool bold = false;
    double max_pt = 7;
    double min_pt = 5;
    int max_lines = 1;
    PangoAlignment align = PANGO_ALIGN_LEFT;
    bool middle = false; ///< centre vertically in the box (else top)
    Rgb colour = kInk;
    double hanging_mm = 0; ///< indent of wrapped lines (bullets)
};

/// Draws text into boxes, shrinking and wrapping it so that it never leaves its box, and
/// records where each block landed.
class TextPainter {
  public:
    TextPainter(cairo_t* cr, std::vector<TextPlacement>* placements)
        : cr_(cr)
        , context_(pango_cairo_create_context(cr))
        , placements_(placements) {
        // One user unit is one millimetre: 25.4 of them an inch, so a point is 25.4/72 mm.
        pango_cairo_context_set_resolution(context_.get(), 25.4);
        // Pango rounds glyph positions to whole user units by default: whole millimetres here.
        pango_context_set_round_glyph_positions(context_.get(), FALSE);
        // Unhinted metrics: the same layout at 300 dpi (PNG) and in points (PDF), wherever
        // the card sits on a sheet.
        cairo_font_options_t* options = cairo_font_options_create();
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
        pango_cairo_context_set_font_options(context_.get(), options);
        cairo_font_options_destroy(options);
    }

    /// A layout of `text` at `pt` points, wrapped at `width_mm`, in the one context of the
    /// face.
    LayoutPtr
    layout(const std::string& text, const TextStyle& style, double pt, double width_mm) const {
        LayoutPtr layout(pango_layout_new(context_.get()));

        FontPtr font(pango_font_description_new());
        pango_font_description_set_family(font.get(), style.family);
        pango_font_description_set_weight(font.get(),
                                          style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
        pango_font_description_set_size(font.get(), pango_units_from_double(pt));
        pango_layout_set_font_description(layout.get(), font.get());
        pango_layout_set_width(layout.get(), pango_units_from_double(width_mm));
        pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
        pango_layout_set_alignment(layout.get(), style.align);
        if (style.hanging_mm > 0) {
            pango_layout_set_indent(layout.get(), -pango_units_from_double(style.hanging_mm));
        }
        pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
        return layout;
    }

    static bool fits(PangoLayout* layout, const Box& box, int max_lines) {
        PangoRectangle logical;
        pango_layout_get_extents(layout, nullptr, &logical);
        constexpr double kSlackMm = 0.01;
        return pango_layout_get_line_count(layout) <= max_lines &&
               pango_units_to_double(logical.x) >= -kSlackMm &&
               pango_units_to_double(logical.x + logical.width) <= box.w + kSlackMm &&
               pango_units_to_double(logical.height) <= box.h + kSlackMm;
    }

    /// The largest size, in quarter points from style.max_pt down to style.min_pt, at which
    /// `text` fits `box`; nullopt when not even the smallest does.
    std::optional<double>
    fit_size(const std::string& text, const Box& box, const TextStyle& style) const {
        const int steps = static_cast<int>(std::lround((style.max_pt - style.min_pt) * 4));
        for (int step = 0; step <= steps; ++step) {
            const double pt = style.max_pt - 0.25 * step;
            if (fits(layout(text, style, pt, box.w).get(), box, style.max_lines)) {
                return pt;
            }
        }
        return std::nullopt;
    }

    /// Draws `text` in `box` at the largest size that fits; at the smallest size, cuts it with
    /// an ellipsis rather than let it overflow. `fixed_pt` skips the search.
    void draw(const std::string& role,
              const std::string& text,
              const Box& box,
              const TextStyle& style,
              std::optional<double> fixed_pt = std::nullopt) const {
        if (text.empty()) {
            return;
        }
        std::optional<double> pt = fixed_pt ? fixed_pt : fit_size(text, box, style);
        bool cut = false;
        LayoutPtr laid;
        if (pt) {
            laid = layout(text, style, *pt, box.w);
        } else {
            pt = style.min_pt;
            laid = layout(text, style, *pt, box.w);
            pango_layout_set_ellipsize(laid.get(), PANGO_ELLIPSIZE_END);
            int lines = style.max_lines;
            pango_layout_set_height(laid.get(), -lines);
            while (lines > 1 && !fits(laid.get(), box, style.max_lines)) {
                --lines;
                pango_layout_set_height(laid.get(), -lines);
            }
            cut = pango_layout_is_ellipsized(laid.get()) != 0;
        }
        PangoRectangle logical;
        pango_layout_get_extents(laid.get(), nullptr, &logical);
        const double height = pango_units_to_double(logical.height);
        const double top = style.middle ? box.y + std::max(0.0, (box.h - height) / 2) : box.y;
        set_colour(cr_, style.colour);
        cairo_move_to(cr_, box.x, top);
        pango_cairo_show_layout(cr_, laid.get());
        if (placements_ != nullptr) {
            placements_->push_back(TextPlacement{role,
                                                 box.x,
                                                 box.y,
                                                 box.w,
                                                 box.h,
                                                 box.x + pango_units_to_double(logical.x),
                                                 top + pango_units_to_double(logical.y),
                                                 pango_units_to_double(logical.width),
                                                 height,
                                                 *pt,
                                                 pango_layout_get_line_count(laid.get()),
                                                 cut});
        }
    }

  private:
    cairo_t* cr_;
    std::unique_ptr<PangoContext, GObjectFree> context_;
    std::vector<TextPlacement>* placements_;
};

// ---------------------------------------------------------------- pictograms

// Okabe-Ito colours as on the web map (web/src/style.css), each with the glyph colour that
// reads on it. The pictogram and the word carry the meaning; colour only helps.
struct CategoryLook {
    Rgb fill;
    Rgb glyph;
};

CategoryLook category_look(core::Category c) {
    switch (c) {
    case core::Category::Fisik:
        return {rgb(0xe69f00), rgb(0x000000)};
    case core::Category::Intelektual:
        return {rgb(0x56b4e9), rgb(0x000000)};
    case core::Category::Mental:
        return {rgb(0x009e73), rgb(0x000000)};
    case core::Category::SensorikNetra:
        return {rgb(0xf0e442), rgb(0x000000)};
    case core::Category::SensorikRungu:
        return {rgb(0x0072b2), rgb(0xffffff)};
    case core::Category::SensorikWicara:
        return {rgb(0xcc79a7), rgb(0x000000)};
    }
    return {kPanel, kInk};
}

// A slash across a glyph ("not"), outlined in the tile colour so it stays visible.
void slash(cairo_t* cr, Rgb tile, Rgb glyph) {
    cairo_move_to(cr, 4.5, 4.5);
    cairo_line_to(cr, 19.5, 19.5);
    set_colour(cr, tile);
    cairo_set_line_width(cr, 4.2);
    cairo_stroke_preserve(cr);
    set_colour(cr, glyph);
    cairo_set_line_width(cr, 1.8);
    cairo_stroke(cr);
}

/// A category's pictogram in a rounded tile of `size` mm at (x, y): drawn on a 24-unit grid.
void draw_pictogram(cairo_t* cr, core::Category category, double x, double y, double size) {
    constexpr double kPi = std::numbers::pi;
    const auto look = category_look(category);
    cairo_save(cr);
    set_colour(cr, look.fill);
    rounded_rect(cr, {x, y, size, size}, size * 0.18);
    cairo_fill(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, size / 24, size / 24);
    set_colour(cr, look.glyph);
    cairo_set_line_width(cr, 1.8);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    switch (category) {
    case core::Category::Fisik: // a wheelchair user (after the International Symbol of Access)
        cairo_arc(cr, 12.5, 4.6, 2.1, 0, 2 * kPi);
        cairo_fill(cr);
        cairo_move_to(cr, 11.8, 7.8);
        cairo_line_to(cr, 11.2, 13.6);
        cairo_line_to(cr, 16.2, 13.6);
        cairo_line_to(cr, 18.4, 19.2);
        cairo_move_to(cr, 11.6, 10.4);
        cairo_line_to(cr, 15.6, 10.4);
        cairo_stroke(cr);
        cairo_arc(cr, 10.2, 15.4, 5.2, kPi * 0.05, kPi * 1.45);
        cairo_stroke(cr);
        break;
    case core::Category::Intelektual: // a head holding a network of connected thoughts
        cairo_arc(cr, 12, 12, 8.2, 0, 2 * kPi);
        cairo_stroke(cr);
        cairo_move_to(cr, 8.6, 10.2);
        cairo_line_to(cr, 15.4, 10.2);
        cairo_line_to(cr, 12, 15.6);
        cairo_close_path(cr);
        cairo_set_line_width(cr, 1.2);
        cairo_stroke(cr);
        for (const auto& [px, py] : {std::pair{8.6, 10.2}, {15.4, 10.2}, {12.0, 15.6}}) {
            cairo_arc(cr, px, py, 1.8, 0, 2 * kPi);
            cairo_fill(cr);
        }
        break;
    case core::Category::Mental: // a heart: psychosocial well-being
        cairo_move_to(cr, 12, 19.5);
        cairo_curve_to(cr, 4.0, 14.0, 3.2, 9.5, 5.0, 7.0);
        cairo_curve_to(cr, 7.0, 4.4, 10.8, 4.8, 12, 8.2);
        cairo_curve_to(cr, 13.2, 4.8, 17.0, 4.4, 19.0, 7.0);
        cairo_curve_to(cr, 20.8, 9.5, 20.0, 14.0, 12, 19.5);
        cairo_close_path(cr);
        cairo_fill(cr);
        break;
    case core::Category::SensorikNetra: // an eye, struck through
        cairo_move_to(cr, 3.0, 12);
        cairo_curve_to(cr, 7.5, 5.5, 16.5, 5.5, 21.0, 12);
        cairo_curve_to(cr, 16.5, 18.5, 7.5, 18.5, 3.0, 12);
        cairo_close_path(cr);
        cairo_stroke(cr);
        cairo_arc(cr, 12, 12, 2.8, 0, 2 * kPi);
        cairo_fill(cr);
        slash(cr, look.fill, look.glyph);
        break;
    case core::Category::SensorikRungu: // an ear, struck through
        cairo_move_to(cr, 7.8, 10.0);
        cairo_curve_to(cr, 7.8, 3.6, 17.6, 3.6, 17.6, 10.0);
        cairo_curve_to(cr, 17.6, 13.6, 13.8, 14.2, 13.8, 17.4);
        cairo_curve_to(cr, 13.8, 20.6, 10.0, 21.0, 9.2, 18.6);
        cairo_move_to(cr, 10.8, 10.2);
        cairo_curve_to(cr, 10.8, 7.0, 14.8, 7.0, 14.8, 10.0);
        cairo_stroke(cr);
        slash(cr, look.fill, look.glyph);
        break;
    case core::Category::SensorikWicara: // a speech bubble, struck through
        rounded_rect(cr, {3.5, 4.5, 17.0, 11.5}, 3.0);
        cairo_stroke(cr);
        cairo_move_to(cr, 7.0, 16.0);
        cairo_line_to(cr, 6.0, 20.5);
        cairo_line_to(cr, 11.0, 16.0);
        cairo_stroke(cr);
        slash(cr, look.fill, look.glyph);
        break;
    }
    cairo_restore(cr);
}

/// A handset for the hotline.
void draw_phone(cairo_t* cr, double x, double y, double size, Rgb colour) {
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, size / 24, size / 24);
    set_colour(cr, colour);
    cairo_move_to(cr, 6.6, 2.5);
    cairo_curve_to(cr, 4.0, 3.0, 2.6, 5.5, 3.0, 8.5);
    cairo_curve_to(cr, 4.2, 14.5, 9.5, 19.8, 15.5, 21.0);
    cairo_curve_to(cr, 18.5, 21.4, 21.0, 20.0, 21.5, 17.4);
    cairo_line_to(cr, 17.4, 14.2);
    cairo_line_to(cr, 14.6, 16.0);
    cairo_curve_to(cr, 11.6, 14.6, 9.4, 12.4, 8.0, 9.4);
    cairo_line_to(cr, 9.8, 6.6);
    cairo_close_path(cr);
    cairo_fill(cr);
    cairo_restore(cr);
}

// ---------------------------------------------------------------- the faces

void draw_photo(cairo_t* cr, const PreparedFace& p, const Box& box) {
    cairo_save(cr);
    rounded_rect(cr, box, 1.2);
    cairo_clip(cr);
    set_colour(cr, kPhotoBack);
    cairo_paint(cr);
    if (p.photo) {
        // Fill the box, cropping the longer side around the centre.
        const double pw = cairo_image_surface_get_width(p.photo.get());
        const double ph = cairo_image_surface_get_height(p.photo.get());
        const double scale = std::max(box.w / pw, box.h / ph);
        cairo_translate(cr, box.x + (box.w - pw * scale) / 2, box.y + (box.h - ph * scale) / 2);
        cairo_scale(cr, scale, scale);
        cairo_set_source_surface(cr, p.photo.get(), 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_BEST);
        cairo_paint(cr);
    } else {
        // A neutral silhouette: head and shoulders.
        set_colour(cr, kSilhouette);
        const double cx = box.x + box.w / 2;
        cairo_arc(cr, cx, box.y + box.h * 0.38, box.w * 0.21, 0, 2 * std::numbers::pi);
        cairo_fill(cr);
        cairo_save(cr);
        cairo_translate(cr, cx, box.y + box.h * 1.02);
        cairo_scale(cr, box.w * 0.42, box.h * 0.36);
        cairo_arc(cr, 0, 0, 1, std::numbers::pi, 2 * std::numbers::pi);
        cairo_restore(cr);
        cairo_fill(cr);
    }
    cairo_restore(cr);
    cairo_save(cr);
    rounded_rect(cr, box, 1.2);
    set_colour(cr, kRule);
    cairo_set_line_width(cr, 0.2);
    cairo_stroke(cr);
    cairo_restore(cr);
}

/// The QR code with its 4-module quiet zone, centred in `box`. Modules are whole dots at
/// 300 dpi and start on the 300 dpi grid, so the PNG is crisp and a printer at 300 or 600
/// dpi needs no resampling.
void draw_qr(cairo_t* cr, const QRcode& qr, const Box& box) {
    const int modules = qr.width + 8;
    const double module_mm = std::floor(box.w * kPxPerMm / modules) / kPxPerMm;
    const double side = module_mm * modules;
    const double x0 = std::round((box.x + (box.w - side) / 2) * kPxPerMm) / kPxPerMm;
    const double y0 = std::round((box.y + (box.h - side) / 2) * kPxPerMm) / kPxPerMm;
    set_colour(cr, kWhite);
    cairo_rectangle(cr, x0, y0, side, side);
    cairo_fill(cr);
    // All dark modules in one path, filled once: no hairline seams between neighbours. A run
    // of dark modules in a row is one rectangle: a third of the rectangles, and a PDF of
    // 1,000 cards spends most of its time printing their coordinates and compressing them.
    for (int row = 0; row < qr.width; ++row) {
        const unsigned char* modules_of_row = qr.data + static_cast<std::ptrdiff_t>(row) * qr.width;
        for (int col = 0; col < qr.width;) {
            if ((modules_of_row[col] & 1) == 0) {
                ++col;
                continue;
            }
            int end = col;
            while (end < qr.width && (modules_of_row[end] & 1) != 0) {
                ++end;
            }
            cairo_rectangle(cr,
                            x0 + (col + 4) * module_mm,
                            y0 + (row + 4) * module_mm,
                            (end - col) * module_mm,
                            module_mm);
            col = end;
        }
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    cairo_fill(cr);
}

void draw_band(cairo_t* cr, double height) {
    set_colour(cr, kBand);
    cairo_rectangle(cr, 0, 0, kCardWidthMm, height);
    cairo_fill(cr);
}

TextStyle label_style() {
    TextStyle s;
    s.max_pt = 4.8;
    s.min_pt = 4.8;
    s.colour = kMuted;
    return s;
}

void draw_front(cairo_t* cr, const PreparedFace& p, std::vector<TextPlacement>* placements) {
    const CardFace& f = *p.face;
    const TextPainter text(cr, placements);

    draw_band(cr, 10.0);
    TextStyle title;
    title.bold = true;
    title.max_pt = 7.5;
    title.min_pt = 5.0;
    title.colour = kWhite;
    text.draw("title", "KARTU PENYANDANG DISABILITAS", {3.5, 1.1, 78.6, 4.4}, title);
    TextStyle issuer;
    issuer.max_pt = 6.0;
    issuer.min_pt = 4.5;
    issuer.colour = kWhite;
    text.draw("issuer", f.issuer, {3.5, 5.6, 78.6, 3.6}, issuer);

    draw_photo(cr, p, {3.5, 12.3, 19.0, 24.0});

    // The text column between the photo and the QR code.
    constexpr double kColX = 25.0;
    constexpr double kColW = 30.0;
    text.draw("name_label", "Nama", {kColX, 11.9, kColW, 2.2}, label_style());
    TextStyle name;
    name.bold = true;
    name.max_pt = 9.0;
    name.min_pt = 5.5;
    name.max_lines = 3;
    text.draw("name", f.full_name, {kColX, 14.1, kColW, 8.3}, name);
    text.draw("card_number_label", "Nomor kartu", {kColX, 22.7, kColW, 2.2}, label_style());
    TextStyle number;
    number.family = kMono;
    number.bold = true;
    number.max_pt = 8.5;
    number.min_pt = 5.5;
    text.draw("card_number", f.card_number, {kColX, 24.9, kColW, 3.8}, number);
    text.draw("area_label", "Kelurahan, kecamatan", {kColX, 29.1, kColW, 2.2}, label_style());
    TextStyle area;
    area.max_pt = 6.5;
    area.min_pt = 4.8;
    area.max_lines = 2;
    std::string area_text = f.kelurahan;
    if (!f.kecamatan.empty()) {
        area_text += (area_text.empty() ? "" : ", ") + ("Kec. " + f.kecamatan);
    }
    text.draw("area", area_text, {kColX, 31.3, kColW, 5.4}, area);

    // Disability categories: pictogram and word, up to three a row, one size for all words.
    if (!f.categories.empty()) {
        text.draw("categories_label", "Ragam disabilitas", {3.5, 37.2, 51.5, 2.2}, label_style());
        constexpr double kRowH = 5.4;
        constexpr double kGap = 0.7;
        constexpr double kChipW = (51.5 - 2 * kGap) / 3;
        TextStyle word;
        word.bold = true;
        word.max_pt = 6.5;
        word.min_pt = 4.5;
        word.middle = true;
        const Box word_box{0, 0, kChipW - kRowH - 0.8, kRowH};
        double pt = word.max_pt;
        for (const auto c : f.categories) {
            pt = std::min(pt,
                          text.fit_size(std::string(category_label(c)), word_box, word)
                              .value_or(word.min_pt));
        }
        for (std::size_t i = 0; i < f.categories.size() && i < 6; ++i) {
            const std::size_t row = i / 3;
            const std::size_t col = i % 3;
            const double x = 3.5 + static_cast<double>(col) * (kChipW + kGap);
            const double y = 39.7 + static_cast<double>(row) * (kRowH + 0.7);
            draw_pictogram(cr, f.categories[i], x, y, kRowH);
            text.draw("category",
                      std::string(category_label(f.categories[i])),
                      {x + kRowH + 0.8, y, word_box.w, kRowH},
                      word,
                      pt);
        }
    }

    // The QR code and, under it, the validity.
    const Box qr_box{56.6, 11.6, 27.0, 27.0};
    draw_qr(cr, *p.qr, qr_box);
    TextStyle centred_label = label_style();
    centred_label.align = PANGO_ALIGN_CENTER;
    text.draw("validity_label", "Berlaku", {56.6, 38.9, 27.0, 2.2}, centred_label);
    TextStyle validity;
    validity.bold = true;
    validity.max_pt = 6.5;
    validity.min_pt = 4.8;
    validity.max_lines = 2;
    validity.align = PANGO_ALIGN_CENTER;
    std::string period = f.valid_from;
    if (!f.valid_until.empty()) {
        period += (period.empty() ? "s.d. " : " s.d. ") + f.valid_until;
    }
    text.draw("validity", period, {56.6, 41.1, 27.0, 5.6}, validity);
    TextStyle hint;
    hint.max_pt = 4.6;
    hint.min_pt = 4.0;
    hint.max_lines = 2;
    hint.align = PANGO_ALIGN_CENTER;
    hint.colour = kMuted;
    text.draw("scan_hint",
              "Pindai kode QR untuk memeriksa keaslian kartu",
              {56.6, 47.3, 27.0, 4.6},
              hint);
}

void draw_back(cairo_t* cr, const PreparedFace& p, std::vector<TextPlacement>* placements) {
    const CardFace& f = *p.face;
    const TextPainter text(cr, placements);

    draw_band(cr, 7.4);
    TextStyle issuer;
    issuer.bold = true;
    issuer.max_pt = 6.5;
    issuer.min_pt = 4.5;
    issuer.colour = kWhite;
    issuer.middle = true;
    text.draw("issuer", f.issuer, {3.5, 0.6, 78.6, 6.2}, issuer);

    // The services the card opens, in two columns of bullets at one common size.
    if (!f.services.empty()) {
        TextStyle heading;
        heading.bold = true;
        heading.max_pt = 6.0;
        heading.min_pt = 5.0;
        text.draw("services_title",
                  "Layanan yang dapat diakses dengan kartu ini",
                  {3.5, 8.6, 78.6, 3.0},
                  heading);
        const std::size_t half = (f.services.size() + 1) / 2;
        std::string left;
        std::string right;
        for (std::size_t i = 0; i < f.services.size(); ++i) {
            std::string& column = i < half ? left : right;
            column += (column.empty() ? "" : "\n") + ("• " + f.services[i]);
        }
        TextStyle list;
        list.max_pt = 6.0;
        list.min_pt = 4.0;
        list.max_lines = 64;
        list.hanging_mm = 1.6;
        const Box left_box{3.5, 12.0, 38.6, 24.6};
        const Box right_box{43.6, 12.0, 38.5, 24.6};
        const double pt =
            std::min(text.fit_size(left, left_box, list).value_or(list.min_pt),
                     right.empty() ? list.max_pt
                                   : text.fit_size(right, right_box, list).value_or(list.min_pt));
        text.draw("services", left, left_box, list, pt);
        text.draw("services", right, right_box, list, pt);
    }

    set_colour(cr, kRule);
    cairo_set_line_width(cr, 0.2);
    cairo_move_to(cr, 3.5, 37.4);
    cairo_line_to(cr, kCardWidthMm - 3.5, 37.4);
    cairo_stroke(cr);

    // How to verify.
    TextStyle heading;
    heading.bold = true;
    heading.max_pt = 5.8;
    heading.min_pt = 4.8;
    text.draw("verify_title", "Cara memeriksa keaslian kartu", {3.5, 38.3, 52.0, 2.8}, heading);
    TextStyle body;
    body.max_pt = 5.0;
    body.min_pt = 4.0;
    body.max_lines = 3;
    text.draw("verify_text",
              "Buka halaman verifikasi di ponsel dan pindai kode QR di depan kartu. Kartu sah "
              "bila nama dan nomor yang tampil sama dengan yang tercetak.",
              {3.5, 41.1, 52.0, 6.8},
              body);
    TextStyle url;
    url.bold = true;
    url.max_pt = 6.0;
    url.min_pt = 4.0;
    url.max_lines = 2;
    text.draw("verify_url", f.verify_url, {3.5, 48.1, 52.0, 4.6}, url);

    // The hotline.
    const Box panel{57.6, 38.6, 24.5, 13.4};
    set_colour(cr, kPanel);
    rounded_rect(cr, panel, 1.2);
    cairo_fill(cr);
    draw_phone(cr, panel.x + 1.2, panel.y + 1.3, 4.6, kBand);
    TextStyle hotline_label = label_style();
    hotline_label.max_lines = 2;
    hotline_label.max_pt = 5.0;
    hotline_label.min_pt = 4.2;
    hotline_label.middle = true;
    text.draw("hotline_label",
              "Layanan pengaduan dan darurat",
              {panel.x + 6.4, panel.y + 0.9, panel.w - 7.2, 5.4},
              hotline_label);
    TextStyle hotline;
    hotline.bold = true;
    hotline.max_pt = 9.0;
    hotline.min_pt = 5.0;
    hotline.align = PANGO_ALIGN_CENTER;
    hotline.middle = true;
    text.draw("hotline", f.hotline, {panel.x + 0.8, panel.y + 6.6, panel.w - 1.6, 5.6}, hotline);
}

/// One face at the current origin (the card's top-left corner, in mm), clipped to the card.
void draw_face(cairo_t* cr,
               const PreparedFace& p,
               CardSide side,
               std::vector<TextPlacement>* placements) {
    cairo_save(cr);
    cairo_rectangle(cr, 0, 0, kCardWidthMm, kCardHeightMm);
    cairo_clip(cr);
    set_colour(cr, kWhite);
    cairo_paint(cr);
    if (side == CardSide::Front) {
        draw_front(cr, p, placements);
    } else {
        draw_back(cr, p, placements);
    }
    cairo_restore(cr);
}

Result<std::vector<std::uint8_t>>
finish_pdf(cairo_surface_t* surface, cairo_t* cr, std::vector<std::uint8_t>& out) {
    const cairo_status_t drawn = cairo_status(cr);
    cairo_surface_finish(surface);
    if (drawn != CAIRO_STATUS_SUCCESS || cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        return fail(ErrorCode::Internal,
                    std::string("Cairo could not write the PDF: ") +
                        cairo_status_to_string(
                            drawn != CAIRO_STATUS_SUCCESS ? drawn : cairo_surface_status(surface)));
    }
    return std::move(out);
}

void set_pdf_metadata(cairo_surface_t* surface, const char* title) {
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Kapal Si Geo");
}

/// Crop marks in the page margins along every card edge of the 2 x 5 grid.
void draw_crop_marks(cairo_t* cr, double left, double top, double gap_x, double gap_y) {
    constexpr double kOffset = 1.0; // mm between the card edge's end and the mark
    constexpr double kLength = 4.0;
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.1);
    const double bottom = top + kSheetRows * kCardHeightMm + (kSheetRows - 1) * gap_y;
    const double right = left + kSheetColumns * kCardWidthMm + (kSheetColumns - 1) * gap_x;
    for (int c = 0; c < kSheetColumns; ++c) {
        for (const double x : {left + c * (kCardWidthMm + gap_x),
                               left + c * (kCardWidthMm + gap_x) + kCardWidthMm}) {
            cairo_move_to(cr, x, top - kOffset);
            cairo_line_to(cr, x, top - kOffset - kLength);
            cairo_move_to(cr, x, bottom + kOffset);
            cairo_line_to(cr, x, bottom + kOffset + kLength);
        }
    }
    for (int r = 0; r < kSheetRows; ++r) {
        for (const double y : {top + r * (kCardHeightMm + gap_y),
                               top + r * (kCardHeightMm + gap_y) + kCardHeightMm}) {
            cairo_move_to(cr, left - kOffset, y);
            cairo_line_to(cr, left - kOffset - kLength, y);
            cairo_move_to(cr, right + kOffset, y);
            cairo_line_to(cr, right + kOffset + kLength, y);
        }
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

Result<std::vector<TextPlacement>>
draw_to_png(const CardFace& face, CardSide side, std::vector<std::uint8_t>* png) {
    auto prepared = prepare(face, side == CardSide::Front);
    if (!prepared) {
        return fail(std::move(prepared).error());
    }
    SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, kCardWidthPx, kCardHeightPx));
    CairoPtr cr(cairo_create(surface.get()));
    // White under the last fraction of a pixel that 85.60 mm leaves of the 1011th column.
    cairo_set_source_rgb(cr.get(), 1, 1, 1);
    cairo_paint(cr.get());
    cairo_scale(cr.get(), kPxPerMm, kPxPerMm);
    std::vector<TextPlacement> placements;
    draw_face(cr.get(), *prepared, side, &placements);
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
        return fail(ErrorCode::Internal,
                    std::string("Cairo could not draw the card: ") +
                        cairo_status_to_string(cairo_status(cr.get())));
    }
    if (png != nullptr) {
        cairo_surface_flush(surface.get());
        if (cairo_surface_write_to_png_stream(surface.get(), append_bytes, png) !=
            CAIRO_STATUS_SUCCESS) {
            return fail(ErrorCode::Internal, "Cairo could not write the PNG");
        }
    }
    return placements;
}

} // namespace

std::string_view category_label(core::Category category) {
    switch (category) {
    case core::Category::Fisik:
        return "Fisik";
    case core::Category::Intelektual:
        return "Intelektual";
    case core::Category::Mental:
        return "Mental";
    case core::Category::SensorikNetra:
        return "Netra";
    case core::Category::SensorikRungu:
        return "Rungu";
    case core::Category::SensorikWicara:
        return "Wicara";
    }
    return "?";
}

Result<std::vector<std::uint8_t>> render_card_png(const CardFace& face, CardSide side) {
    std::vector<std::uint8_t> png;
    auto drawn = draw_to_png(face, side, &png);
    if (!drawn) {
        return fail(std::move(drawn).error());
    }
    return png;
}

Result<std::vector<TextPlacement>> layout_card(const CardFace& face, CardSide side) {
    return draw_to_png(face, side, nullptr);
}

Result<std::vector<std::uint8_t>> render_card_pdf(const CardFace& face) {
    auto prepared = prepare(face, true);
    if (!prepared) {
        return fail(std::move(prepared).error());
    }
    std::vector<std::uint8_t> out;
    SurfacePtr surface(cairo_pdf_surface_create_for_stream(
        append_bytes, &out, kCardWidthMm * kPtPerMm, kCardHeightMm * kPtPerMm));
    set_pdf_metadata(surface.get(), "Kartu penyandang disabilitas");
    CairoPtr cr(cairo_create(surface.get()));
    cairo_scale(cr.get(), kPtPerMm, kPtPerMm);
    for (const auto side : {CardSide::Front, CardSide::Back}) {
        draw_face(cr.get(), *prepared, side, nullptr);
        cairo_show_page(cr.get());
    }
    return finish_pdf(surface.get(), cr.get(), out);
}

Result<std::vector<std::uint8_t>> render_card_sheet_pdf(std::span<const CardFace> faces) {
    if (faces.empty()) {
        return fail(ErrorCode::InvalidArgument, "a print sheet needs at least one card");
    }
    // 2 x 5 cards with gaps, centred on A4; the margins hold the crop marks.
    constexpr double kGapX = 4.0;
    constexpr double kGapY = 2.0;
    constexpr double kLeft = (kA4WidthMm - kSheetColumns * kCardWidthMm - kGapX) / 2;
    constexpr double kTop =
        (kA4HeightMm - kSheetRows * kCardHeightMm - (kSheetRows - 1) * kGapY) / 2;

    std::vector<std::uint8_t> out;
    SurfacePtr surface(cairo_pdf_surface_create_for_stream(
        append_bytes, &out, kA4WidthMm * kPtPerMm, kA4HeightMm * kPtPerMm));
    set_pdf_metadata(surface.get(), "Lembar cetak kartu penyandang disabilitas");
    CairoPtr cr(cairo_create(surface.get()));
    cairo_scale(cr.get(), kPtPerMm, kPtPerMm);

    for (std::size_t first = 0; first < faces.size(); first += kCardsPerSheet) {
        const std::size_t count = std::min<std::size_t>(kCardsPerSheet, faces.size() - first);
        std::vector<PreparedFace> page;
        page.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            auto prepared = prepare(faces[first + i], true);
            if (!prepared) {
                Error error = std::move(prepared).error();
                error.message = "card " + std::to_string(first + i) + ": " + error.message;
                for (auto& issue : error.fields) {
                    issue.field = "cards[" + std::to_string(first + i) + "]." + issue.field;
                }
                return fail(std::move(error));
            }
            page.push_back(std::move(*prepared));
        }
        for (const auto side : {CardSide::Front, CardSide::Back}) {
            for (std::size_t i = 0; i < count; ++i) {
                const int col = static_cast<int>(i) % kSheetColumns;
                const int row = static_cast<int>(i) / kSheetColumns;
                // Flipped on the long edge, the left column of the back lands behind the
                // right column of the front.
                const int placed_col = side == CardSide::Front ? col : kSheetColumns - 1 - col;
                cairo_save(cr.get());
                cairo_translate(cr.get(),
                                kLeft + placed_col * (kCardWidthMm + kGapX),
                                kTop + row * (kCardHeightMm + kGapY));
                draw_face(cr.get(), page[i], side, nullptr);
                cairo_restore(cr.get());
            }
            draw_crop_marks(cr.get(), kLeft, kTop, kGapX, kGapY);
            cairo_show_page(cr.get());
        }
    }
    return finish_pdf(surface.get(), cr.get(), out);
}

} // namespace kapal::card
