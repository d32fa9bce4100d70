#pragma once
// Card faces at ID-1 size (85.60 x 53.98 mm, ISO/IEC 7810) drawn with Cairo and Pango: the
// front (issuer, photo, name, card number, kelurahan, disability categories as words and
// pictograms, validity, the QR code of the signed credential) and the back (the services the
// card opens, how to verify it, the hotline). Output as PNG at 300 dpi, as a two-page PDF, or
// as A4 print sheets of 10 cards with crop marks. Layout: docs/card-format.md, "Rendering".

#include "kapal/core/person.hpp"
#include "kapal/core/result.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kapal::card {

/// ID-1 card size.
inline constexpr double kCardWidthMm = 85.60;
inline constexpr double kCardHeightMm = 53.98;

/// PNG resolution and the pixel size it gives an ID-1 card (85.60 mm = 1011 px, 53.98 mm =
/// 638 px, rounded).
inline constexpr int kCardDpi = 300;
inline constexpr int kCardWidthPx = 1011;
inline constexpr int kCardHeightPx = 638;

/// Cards per A4 sheet: 2 columns x 5 rows.
inline constexpr int kSheetColumns = 2;
inline constexpr int kSheetRows = 5;
inline constexpr int kCardsPerSheet = kSheetColumns * kSheetRows;

/// The largest QR version printed: 97 modules and the quiet zone in the 27 mm QR box at
/// 3 dots (0.25 mm) a module. Longer QR text is refused with CardQrTooLarge.
inline constexpr int kMaxCardQrVersion = 20;

/// What one card shows, already in the words and forms people read (the caller formats dates
/// and looks up area names). Texts are UTF-8.
struct CardFace {
    // front
    std::string issuer;                     ///< e.g. "Dinas Sosial Kota Bontang"
    std::string full_name;                  ///< as registered; long names shrink, then wrap
    std::string card_number;                ///< the printed form, e.g. "6474-0000001-8"
    std::string kelurahan;                  ///< name, e.g. "Guntung"
    std::string kecamatan;                  ///< name, e.g. "Bontang Utara"
    std::vector<core::Category> categories; ///< shown in this order (at most the six)
    std::string valid_from;                 ///< printed as given, e.g. "28-11-2026"
    std::string valid_until;                ///< printed as given, e.g. "27-11-2031"
    std::string qr_text;             ///< the Base45 credential; QR alphanumeric mode, level M
    std::vector<std::uint8_t> photo; ///< JPEG or PNG bytes; empty: a neutral silhouette
    // back
    std::string verify_url;            ///< e.g. "https://kapal.bontangkota.go.id/verifikasi"
    std::string hotline;               ///< e.g. "0548-21234" or "112"
    std::vector<std::string> services; ///< the services the card opens, one line each
};

/// Which face of the card.
enum class CardSide { Front, Back };

/// The Indonesian word printed for a category: "Fisik", "Intelektual", "Mental", "Netra",
/// "Rungu", "Wicara".
std::string_view category_label(core::Category category);

/// One face as a PNG of exactly kCardWidthPx x kCardHeightPx (300 dpi). Front only:
/// CardImageInvalid for a photo that is not a readable JPEG or PNG, CardQrTooLarge or
/// InvalidArgument (empty, or a character outside the QR alphanumeric set) for the QR text
/// (the back uses neither and does not check them). Both: InvalidArgument for text that is
/// not UTF-8. Each error has one field issue naming the CardFace field.
Result<std::vector<std::uint8_t>> render_card_png(const CardFace& face, CardSide side);

/// Both faces as a two-page PDF (front, back), each page ID-1 size in points
/// (242.65 x 153.01). Errors as render_card_png.
Result<std::vector<std::uint8_t>> render_card_pdf(const CardFace& face);

/// A4 print sheets for any number of cards: per 10 cards (2 x 5) a page of fronts and then a
/// page of their backs, the backs mirrored left to right so that they fall behind their
/// fronts when printed duplex, flipped on the long edge; crop marks in the margins at every
/// card edge. ceil(n / 10) * 2 pages. InvalidArgument for no cards; otherwise errors as
/// render_card_png, with the message naming the card's index.
Result<std::vector<std::uint8_t>> render_card_sheet_pdf(std::span<const CardFace> faces);

/// Where a text block of a face landed, in mm from the card's top-left corner: what a
/// preview or a test can check against the box it was given.
struct TextPlacement {
    std::string role;                  ///< "name", "card_number", "area", "validity", ...
    double box_x_mm = 0, box_y_mm = 0; ///< the box the text must stay inside
    double box_width_mm = 0, box_height_mm = 0;
    double x_mm = 0, y_mm = 0; ///< the laid-out text's logical extents
    double width_mm = 0, height_mm = 0;
    double font_pt = 0;      ///< the size it was set at after shrinking
    int lines = 0;           ///< after wrapping
    bool ellipsized = false; ///< true only when even the smallest size did not fit
};

/// The text blocks of one face as render_card_png lays them out. Errors as render_card_png.
Result<std::vector<TextPlacement>> layout_card(const CardFace& face, CardSide side);

} // namespace kapal::card
