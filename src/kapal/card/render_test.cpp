#include "kapal/card/render.hpp"

#include "kapal/card/qr_decode.hpp"
#include "kapal/card/render_test_fixture.hpp"

#include <gtest/gtest.h>
#include <pango/pangocairo.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

namespace kapal::card {
namespace {

using fixture::px;

constexpr double kPointsPerMm = 72.0 / 25.4;

// ---------------------------------------------------------------- helpers

std::uint32_t png_u32(const std::vector<std::uint8_t>& png, std::size_t at) {
    return (std::uint32_t{png[at]} << 24) | (std::uint32_t{png[at + 1]} << 16) |
           (std::uint32_t{png[at + 2]} << 8) | std::uint32_t{png[at + 3]};
}

std::string write_temp(const std::vector<std::uint8_t>& bytes, const std::string& name) {
    std::string path = ::testing::TempDir() + name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path;
}

std::string run(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return out;
    }
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        out.append(buffer.data(), n);
    }
    pclose(pipe);
    return out;
}

struct PdfInfo {
    int pages = 0;
    std::vector<std::pair<double, double>> sizes_pt; ///< per page, width x height
};

// What poppler's pdfinfo (an independent PDF reader) makes of the file.
PdfInfo pdf_info(const std::vector<std::uint8_t>& pdf, const std::string& name) {
    const std::string path = write_temp(pdf, name);
    std::istringstream lines(run("pdfinfo -f 1 -l 100000 '" + path + "' 2>&1"));
    PdfInfo info;
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("Pages:", 0) == 0) {
            info.pages = std::stoi(line.substr(6));
        }
        double w = 0;
        double h = 0;
        int page = 0;
        if (std::sscanf(line.c_str(), "Page %d size: %lf x %lf pts", &page, &w, &h) == 3) {
            info.sizes_pt.emplace_back(w, h);
        }
    }
    return info;
}

struct Grey {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;

    /// Mean darkness (0 white .. 255 black) of a rectangle given in mm on an A4 page.
    double darkness(double x_mm, double y_mm, double w_mm, double h_mm) const {
        const double k = width / 210.0;
        double sum = 0;
        int n = 0;
        for (int y = static_cast<int>(y_mm * k); y < static_cast<int>((y_mm + h_mm) * k); ++y) {
            for (int x = static_cast<int>(x_mm * k); x < static_cast<int>((x_mm + w_mm) * k); ++x) {
                sum += 255 - pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                                    static_cast<std::size_t>(x)];
                ++n;
            }
        }
        return n > 0 ? sum / n : 0;
    }
};

// One page of a PDF rasterised by poppler's pdftoppm as a grey PGM.
Grey rasterise(const std::string& pdf_path, int page, const std::string& out_prefix, int dpi = 24) {
    run("pdftoppm -r " + std::to_string(dpi) + " -gray -singlefile -f " + std::to_string(page) +
        " -l " + std::to_string(page) + " '" + pdf_path + "' '" + out_prefix + "'");
    std::ifstream in(out_prefix + ".pgm", std::ios::binary);
    Grey g;
    std::string magic;
    int maxval = 0;
    in >> magic >> g.width >> g.height >> maxval;
    in.get();
    if (magic != "P5" || g.width <= 0 || g.height <= 0) {
        return {};
    }
    g.pixels.resize(static_cast<std::size_t>(g.width) * static_cast<std::size_t>(g.height));
    in.read(reinterpret_cast<char*>(g.pixels.data()),
            static_cast<std::streamsize>(g.pixels.size()));
    return g;
}

const TextPlacement* find(const std::vector<TextPlacement>& all, const std::string& role) {
    for (const auto& t : all) {
        if (t.role == role) {
            return &t;
        }
    }
    return nullptr;
}

void expect_inside_its_box(const TextPlacement& t) {
    constexpr double kEps = 0.02;
    EXPECT_GE(t.x_mm, t.box_x_mm - kEps) << t.role;
    EXPECT_GE(t.y_mm, t.box_y_mm - kEps) << t.role;
    EXPECT_LE(t.x_mm + t.width_mm, t.box_x_mm + t.box_width_mm + kEps) << t.role;
    EXPECT_LE(t.y_mm + t.height_mm, t.box_y_mm + t.box_height_mm + kEps) << t.role;
    EXPECT_LE(t.box_x_mm + t.box_width_mm, kCardWidthMm) << t.role;
    EXPECT_LE(t.box_y_mm + t.box_height_mm, kCardHeightMm) << t.role;
}

// ---------------------------------------------------------------- sizes and formats

TEST(CardRender, FrontAndBackPngsAreId1At300Dpi) {
    const auto face = fixture::face();
    for (const auto side : {CardSide::Front, CardSide::Back}) {
        const auto png = render_card_png(face, side);
        ASSERT_TRUE(png) << png.error().message;
        ASSERT_GT(png->size(), 24U);
        EXPECT_EQ(std::string(png->begin() + 12, png->begin() + 16), "IHDR");
        EXPECT_EQ(png_u32(*png, 16), 1011U);
        EXPECT_EQ(png_u32(*png, 20), 638U);
        // Cairo reads it back as the same size.
        const auto surface = fixture::read_png(*png);
        ASSERT_EQ(cairo_surface_status(surface.get()), CAIRO_STATUS_SUCCESS);
        EXPECT_EQ(cairo_image_surface_get_width(surface.get()), kCardWidthPx);
        EXPECT_EQ(cairo_image_surface_get_height(surface.get()), kCardHeightPx);
    }
    EXPECT_EQ(kCardWidthPx, static_cast<int>(std::lround(kCardWidthMm / 25.4 * kCardDpi)));
    EXPECT_EQ(kCardHeightPx, static_cast<int>(std::lround(kCardHeightMm / 25.4 * kCardDpi)));
}

TEST(CardRender, CardPdfHasAFrontAndABackPageOfId1SizeInPoints) {
    const auto pdf = render_card_pdf(fixture::face());
    ASSERT_TRUE(pdf) << pdf.error().message;
    const auto info = pdf_info(*pdf, "card.pdf");
    EXPECT_EQ(info.pages, 2);
    ASSERT_EQ(info.sizes_pt.size(), 2U);
    for (const auto& [w, h] : info.sizes_pt) {
        EXPECT_NEAR(w, 85.60 * kPointsPerMm, 0.01); // 242.65 pt
        EXPECT_NEAR(h, 53.98 * kPointsPerMm, 0.01); // 153.01 pt
    }
    // The text is real text, in Indonesian, on the right pages.
    const std::string path = write_temp(*pdf, "card-text.pdf");
    EXPECT_NE(run("pdftotext -f 1 -l 1 '" + path + "' -").find("KARTU PENYANDANG DISABILITAS"),
              std::string::npos);
    const std::string back = run("pdftotext -f 2 -l 2 '" + path + "' -");
    EXPECT_NE(back.find("0548-21234"), std::string::npos);
    EXPECT_NE(back.find("Reunifikasi dengan keluarga asal"), std::string::npos);
}

TEST(CardRender, SheetHasTwoA4PagesPerTenCards) {
    const auto one = fixture::face();
    for (const std::size_t n : {1U, 10U, 11U, 23U}) {
        const std::vector<CardFace> faces(n, one);
        const auto pdf = render_card_sheet_pdf(faces);
        ASSERT_TRUE(pdf) << pdf.error().message;
        const auto info = pdf_info(*pdf, "sheet.pdf");
        const auto expected = static_cast<int>((n + 9) / 10 * 2);
        EXPECT_EQ(info.pages, expected) << n << " cards";
        ASSERT_EQ(info.sizes_pt.size(), static_cast<std::size_t>(expected));
        for (const auto& [w, h] : info.sizes_pt) {
            EXPECT_NEAR(w, 595.28, 0.01); // A4
            EXPECT_NEAR(h, 841.89, 0.01);
        }
    }
}

TEST(CardRender, SheetBacksAreMirroredForLongEdgeDuplex) {
    // One card: its front in the left column of page 1, its back in the right column of
    // page 2, so that it falls behind the front when the sheet is flipped on the long edge.
    const std::vector<CardFace> faces{fixture::face()};
    const auto pdf = render_card_sheet_pdf(faces);
    ASSERT_TRUE(pdf) << pdf.error().message;
    const std::string path = write_temp(*pdf, "mirror.pdf");
    const Grey front = rasterise(path, 1, ::testing::TempDir() + "mirror-1");
    const Grey back = rasterise(path, 2, ::testing::TempDir() + "mirror-2");
    ASSERT_GT(front.width, 0);
    ASSERT_GT(back.width, 0);
    // The first row: left card at x 17.4-103 mm, right card at x 107-192.6 mm.
    const double front_left = front.darkness(20, 12, 80, 48);
    const double front_right = front.darkness(110, 12, 80, 48);
    const double back_left = back.darkness(20, 12, 80, 48);
    const double back_right = back.darkness(110, 12, 80, 48);
    EXPECT_GT(front_left, 20);
    EXPECT_LT(front_right, 1);
    EXPECT_LT(back_left, 1);
    EXPECT_GT(back_right, 20);
    // The second row is empty on both pages.
    EXPECT_LT(front.darkness(20, 68, 170, 48), 1);
    EXPECT_LT(back.darkness(20, 68, 170, 48), 1);
}

TEST(CardRender, SheetCropMarksSitInTheMarginsOutsideEveryCard) {
    const std::vector<CardFace> faces(10, fixture::face());
    const auto pdf = render_card_sheet_pdf(faces);
    ASSERT_TRUE(pdf) << pdf.error().message;
    const std::string path = write_temp(*pdf, "marks.pdf");
    const Grey page = rasterise(path, 1, ::testing::TempDir() + "marks-1", 150);
    ASSERT_GT(page.width, 0);
    // Above the first row (the grid starts 9.55 mm from the top) at the left card's left
    // edge (17.4 mm): a mark; between two card edges in the same margin: paper.
    EXPECT_GT(page.darkness(16.8, 4.6, 1.2, 3.8), 5);
    EXPECT_LT(page.darkness(40, 4.6, 20, 3.8), 1);
}

TEST(CardRender, AnEmptySheetIsRefused) {
    const auto pdf = render_card_sheet_pdf({});
    ASSERT_FALSE(pdf);
    EXPECT_EQ(pdf.error().code, ErrorCode::InvalidArgument);
}

TEST(CardRender, SheetErrorNamesTheCard) {
    std::vector<CardFace> faces(12, fixture::face());
    faces[11].photo = {0xff, 0xd8, 0xff, 0x00, 0x01};
    const auto pdf = render_card_sheet_pdf(faces);
    ASSERT_FALSE(pdf);
    EXPECT_EQ(pdf.error().code, ErrorCode::CardImageInvalid);
    ASSERT_EQ(pdf.error().fields.size(), 1U);
    EXPECT_EQ(pdf.error().fields[0].field, "cards[11].photo");
    EXPECT_NE(pdf.error().message.find("card 11"), std::string::npos);
}

// ---------------------------------------------------------------- sign, render, scan, verify

TEST(CardRender, SignRenderScanVerifyRoundTrip) {
    const auto key = fixture::key();
    const auto person = fixture::person();
    const auto credential = fixture::credential(person);
    const auto encoded = encode_credential(credential, key);
    const auto png =
        render_card_png(fixture::face(person, credential, encoded.qr_text), CardSide::Front);
    ASSERT_TRUE(png) << png.error().message;

    const auto scanned = decode_qr(*png);
    ASSERT_TRUE(scanned) << scanned.error().message;
    EXPECT_EQ(*scanned, encoded.qr_text);

    const std::vector<VerificationKey> keys{verification_key(key)};
    const core::FixedClock clock(core::from_unix_ms((fixture::kIssuedAt + 86400) * 1000));
    const auto verified = verify_credential(*scanned, keys, clock);
    EXPECT_EQ(verified.status, VerifyStatus::Valid) << verified.where << ": " << verified.what;
    ASSERT_TRUE(verified.decoded);
    EXPECT_EQ(verified.decoded->credential, credential);
}

TEST(CardRender, RoundTripForRandomPersons) {
    unsigned seed = 20261128;
    // Tests run one per process (gtest_discover_tests): nothing else reads the environment.
    if (const char* env = std::getenv("KAPAL_TEST_SEED")) { // NOLINT(concurrency-mt-unsafe)
        seed = static_cast<unsigned>(std::strtoul(env, nullptr, 10));
    }
    std::cout << "[ seed ] KAPAL_TEST_SEED=" << seed << "\n";
    std::mt19937 rng(seed);
    const std::vector<std::string> given = {"Siti",
                                            "Muhammad",
                                            "Andi",
                                            "Nur",
                                            "Dewi",
                                            "Rahmat",
                                            "Agus",
                                            "Wahyuni",
                                            "Ahmad",
                                            "La Ode",
                                            "Ni Made",
                                            "Yohanes",
                                            "Fitriani"};
    const std::vector<std::string> family = {"Aminah",
                                             "Rizky Pratama",
                                             "Hasanuddin",
                                             "Sulistyowati",
                                             "Daeng Matutu",
                                             "binti Abdullah",
                                             "Simanjuntak",
                                             "Wijayakusuma",
                                             "Lamba"};
    const auto key = fixture::key();
    const std::vector<VerificationKey> keys{verification_key(key)};
    const core::FixedClock clock(core::from_unix_ms((fixture::kIssuedAt + 86400) * 1000));
    for (int i = 0; i < 6; ++i) {
        auto person = fixture::person();
        person.full_name = given[rng() % given.size()];
        for (auto parts = 1 + rng() % 3; parts > 0; --parts) {
            person.full_name += " " + family[rng() % family.size()];
        }
        person.categories.clear();
        for (const auto c : core::kAllCategories) {
            if (rng() % 3 == 0) {
                person.categories.push_back(c);
            }
        }
        if (person.categories.empty()) {
            person.categories.push_back(core::kAllCategories[rng() % 6]);
        }
        person.sex = rng() % 2 == 0 ? core::Sex::Male : core::Sex::Female;
        const auto credential =
            fixture::credential(person, 1 + static_cast<std::uint32_t>(rng() % 9'000'000));
        const auto encoded = encode_credential(credential, key);
        const auto png =
            render_card_png(fixture::face(person, credential, encoded.qr_text), CardSide::Front);
        ASSERT_TRUE(png) << png.error().message;
        const auto scanned = decode_qr(*png);
        ASSERT_TRUE(scanned) << person.full_name << ": " << scanned.error().message;
        const auto verified = verify_credential(*scanned, keys, clock);
        EXPECT_EQ(verified.status, VerifyStatus::Valid) << person.full_name;
        ASSERT_TRUE(verified.decoded);
        EXPECT_EQ(verified.decoded->credential, credential) << person.full_name;
    }
}

// ---------------------------------------------------------------- text stays on the card

TEST(CardRender, EveryTextBlockOfBothFacesStaysInsideItsBox) {
    for (const auto side : {CardSide::Front, CardSide::Back}) {
        const auto layout = layout_card(fixture::face(), side);
        ASSERT_TRUE(layout) << layout.error().message;
        EXPECT_GE(layout->size(), 8U);
        for (const auto& t : *layout) {
            expect_inside_its_box(t);
            EXPECT_FALSE(t.ellipsized) << t.role;
        }
    }
}

TEST(CardRender, ALongNameShrinksAndWrapsButStaysInItsBox) {
    auto face = fixture::face();
    face.full_name = "Raden Mas Muhammad Rizky Ananda Putra Pratama Wijayakusuma Hadiningrat";
    const auto layout = layout_card(face, CardSide::Front);
    ASSERT_TRUE(layout) << layout.error().message;
    const auto* name = find(*layout, "name");
    ASSERT_NE(name, nullptr);

    // Measured with Pango here, the name at the full 9 pt on one line is far wider than three
    // lines of its box: it had to shrink.
    auto* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 10, 10);
    auto* cr = cairo_create(surface);
    PangoLayout* measure = pango_cairo_create_layout(cr);
    pango_cairo_context_set_resolution(pango_layout_get_context(measure), 25.4);
    pango_layout_context_changed(measure);
    PangoFontDescription* font = pango_font_description_from_string("DejaVu Sans Condensed Bold 9");
    pango_layout_set_font_description(measure, font);
    pango_layout_set_text(measure, face.full_name.c_str(), -1);
    int width = 0;
    int height = 0;
    pango_layout_get_size(measure, &width, &height);
    const double full_width_mm = pango_units_to_double(width);
    pango_font_description_free(font);
    g_object_unref(measure);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    EXPECT_GT(full_width_mm, 3 * name->box_width_mm);

    EXPECT_LT(name->font_pt, 9.0);
    EXPECT_GE(name->font_pt, 5.5);
    EXPECT_GE(name->lines, 2);
    EXPECT_FALSE(name->ellipsized);
    expect_inside_its_box(*name);

    // And in the pixels: the strip between the text column and the QR code stays white.
    const auto png = render_card_png(face, CardSide::Front);
    ASSERT_TRUE(png);
    const auto image = fixture::read_png(*png);
    int ink = 0;
    for (int y = px(12); y < px(37); ++y) {
        for (int x = px(55.2); x < px(56.8); ++x) {
            ink += fixture::pixel(image.get(), x, y) != 0xffffff ? 1 : 0;
        }
    }
    EXPECT_EQ(ink, 0);
}

TEST(CardRender, ANameTooLongForAnySizeIsCutWithAnEllipsisNotOverflowing) {
    auto face = fixture::face();
    face.full_name.clear();
    for (int i = 0; i < 20; ++i) {
        face.full_name += "Wijayakusuma ";
    }
    const auto layout = layout_card(face, CardSide::Front);
    ASSERT_TRUE(layout) << layout.error().message;
    const auto* name = find(*layout, "name");
    ASSERT_NE(name, nullptr);
    EXPECT_TRUE(name->ellipsized);
    EXPECT_DOUBLE_EQ(name->font_pt, 5.5);
    expect_inside_its_box(*name);
}

TEST(CardRender, AllSixCategoriesShowAsWordsInsideTheirChipsAtOneSize) {
    auto face = fixture::face();
    face.categories.assign(core::kAllCategories.begin(), core::kAllCategories.end());
    const auto layout = layout_card(face, CardSide::Front);
    ASSERT_TRUE(layout) << layout.error().message;
    std::vector<const TextPlacement*> words;
    for (const auto& t : *layout) {
        if (t.role == "category") {
            words.push_back(&t);
        }
    }
    ASSERT_EQ(words.size(), 6U);
    for (const auto* w : words) {
        expect_inside_its_box(*w);
        EXPECT_FALSE(w->ellipsized);
        EXPECT_DOUBLE_EQ(w->font_pt, words[0]->font_pt);
    }
    EXPECT_GE(words[0]->font_pt, 4.5);
    EXPECT_EQ(category_label(core::Category::SensorikWicara), "Wicara");
}

TEST(CardRender, ThePictogramCarriesTheCategoryNotOnlyItsColour) {
    // Each category's tile differs from every other not only in colour: compared in grey,
    // the six tiles still differ (a reader who cannot tell the colours apart sees different
    // shapes), and each has both dark and light pixels (a glyph on a tile).
    auto face = fixture::face();
    face.categories.assign(core::kAllCategories.begin(), core::kAllCategories.end());
    const auto png = render_card_png(face, CardSide::Front);
    ASSERT_TRUE(png);
    const auto image = fixture::read_png(*png);
    constexpr double kChipW = (51.5 - 2 * 0.7) / 3;
    std::vector<std::vector<int>> tiles;
    for (int i = 0; i < 6; ++i) {
        const int row = i / 3;
        const int col = i % 3;
        const double x = 3.5 + col * (kChipW + 0.7);
        const double y = 39.7 + row * (5.4 + 0.7);
        // Threshold each pixel at its tile's mean grey: the shape, whatever the colour.
        std::vector<int> grey;
        for (int yy = px(y) + 2; yy < px(y + 5.4) - 2; ++yy) {
            for (int xx = px(x) + 2; xx < px(x + 5.4) - 2; ++xx) {
                const auto p = fixture::pixel(image.get(), xx, yy);
                grey.push_back(
                    static_cast<int>((p >> 16) * 3 + ((p >> 8) & 0xff) * 6 + (p & 0xff)) / 10);
            }
        }
        double mean = 0;
        for (const int g : grey) {
            mean += g;
        }
        mean /= static_cast<double>(grey.size());
        std::vector<int> shape;
        int dark = 0;
        for (const int g : grey) {
            shape.push_back(g < mean ? 1 : 0);
            dark += g < mean ? 1 : 0;
        }
        EXPECT_GT(dark, static_cast<int>(shape.size()) / 20) << i;
        EXPECT_LT(dark, static_cast<int>(shape.size()) * 19 / 20) << i;
        tiles.push_back(shape);
    }
    for (std::size_t a = 0; a < tiles.size(); ++a) {
        for (std::size_t b = a + 1; b < tiles.size(); ++b) {
            ASSERT_EQ(tiles[a].size(), tiles[b].size());
            int differ = 0;
            for (std::size_t k = 0; k < tiles[a].size(); ++k) {
                differ += tiles[a][k] != tiles[b][k] ? 1 : 0;
            }
            EXPECT_GT(differ, static_cast<int>(tiles[a].size()) / 20) << a << " vs " << b;
        }
    }
}

TEST(CardRender, TheBackListsEveryServiceInsideTheCard) {
    const auto layout = layout_card(fixture::face(), CardSide::Back);
    ASSERT_TRUE(layout) << layout.error().message;
    int columns = 0;
    int lines = 0;
    for (const auto& t : *layout) {
        if (t.role == "services") {
            ++columns;
            lines += t.lines;
            expect_inside_its_box(t);
            EXPECT_FALSE(t.ellipsized);
            EXPECT_GE(t.font_pt, 4.0);
        }
    }
    EXPECT_EQ(columns, 2);
    EXPECT_GE(lines, 13);
    const auto* hotline = find(*layout, "hotline");
    ASSERT_NE(hotline, nullptr);
    expect_inside_its_box(*hotline);
    ASSERT_NE(find(*layout, "verify_url"), nullptr);
}

// ---------------------------------------------------------------- the photo

TEST(CardRender, WithoutAPhotoASilhouetteIsDrawn) {
    auto face = fixture::face();
    face.photo.clear();
    const auto png = render_card_png(face, CardSide::Front);
    ASSERT_TRUE(png) << png.error().message;
    const auto image = fixture::read_png(*png);
    // The photo box (3.5-22.5 x 12.3-36.3 mm): a light background with a darker head.
    const auto corner = fixture::pixel(image.get(), px(5), px(14));
    const auto head = fixture::pixel(image.get(), px(13), px(12.3 + 24 * 0.38));
    EXPECT_NE(corner, 0xffffffU);
    EXPECT_NE(head, corner);
    EXPECT_LT(head & 0xff, corner & 0xff); // darker
}

std::vector<std::uint8_t> solid_png(int w, int h, double r, double g, double b) {
    fixture::SurfacePtr s(cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h));
    cairo_t* cr = cairo_create(s.get());
    cairo_set_source_rgb(cr, r, g, b);
    cairo_paint(cr);
    cairo_destroy(cr);
    return fixture::write_png(s.get());
}

TEST(CardRender, APngPhotoFillsThePhotoBox) {
    auto face = fixture::face();
    face.photo = solid_png(300, 400, 0.8, 0.1, 0.1);
    const auto png = render_card_png(face, CardSide::Front);
    ASSERT_TRUE(png) << png.error().message;
    const auto image = fixture::read_png(*png);
    for (const auto& [x, y] : {std::pair{5.0, 14.0}, {13.0, 24.0}, {21.0, 35.0}}) {
        const auto p = fixture::pixel(image.get(), px(x), px(y));
        EXPECT_GT(p >> 16, 0xb0U) << x << "," << y;
        EXPECT_LT((p >> 8) & 0xff, 0x30U) << x << "," << y;
    }
}

TEST(CardRender, ACorruptPhotoIsRefusedWithAClearError) {
    auto face = fixture::face();
    const std::vector<std::vector<std::uint8_t>> bad = {
        {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 2, 3}, // broken JPEG
        {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0},                           // not JPEG/PNG
        {},                                                                   // see below
    };
    for (std::size_t i = 0; i < 2; ++i) {
        face.photo = bad[i];
        const auto png = render_card_png(face, CardSide::Front);
        ASSERT_FALSE(png) << i;
        EXPECT_EQ(png.error().code, ErrorCode::CardImageInvalid);
        ASSERT_EQ(png.error().fields.size(), 1U);
        EXPECT_EQ(png.error().fields[0].field, "photo");
        EXPECT_FALSE(png.error().fields[0].detail.empty());
        // The PDF refuses it the same way.
        EXPECT_EQ(render_card_pdf(face).error().code, ErrorCode::CardImageInvalid);
    }
    // A PNG cut in half.
    auto truncated = solid_png(200, 200, 0.2, 0.4, 0.6);
    truncated.resize(truncated.size() / 2);
    face.photo = truncated;
    const auto png = render_card_png(face, CardSide::Front);
    ASSERT_FALSE(png);
    EXPECT_EQ(png.error().code, ErrorCode::CardImageInvalid);
    EXPECT_NE(png.error().message.find("photo"), std::string::npos);
    // The back has no photo: it still renders.
    EXPECT_TRUE(render_card_png(face, CardSide::Back));
}

// ---------------------------------------------------------------- the QR text

TEST(CardRender, QrTextTooLongForTheCardIsRefused) {
    auto face = fixture::face();
    for (const std::size_t n : {2500U, 9000U}) { // version 35 at level M; no version at all
        face.qr_text = std::string(n, 'A');
        const auto png = render_card_png(face, CardSide::Front);
        ASSERT_FALSE(png) << n;
        EXPECT_EQ(png.error().code, ErrorCode::CardQrTooLarge) << png.error().message;
        ASSERT_EQ(png.error().fields.size(), 1U);
        EXPECT_EQ(png.error().fields[0].field, "qr_text");
    }
    // Near the largest that still fits is printed (version 20 at M holds 970 alphanumerics).
    face.qr_text = std::string(900, '7');
    EXPECT_TRUE(render_card_png(face, CardSide::Front));
}

TEST(CardRender, QrTextOutsideTheAlphanumericSetIsRefused) {
    auto face = fixture::face();
    face.qr_text = "NCFOXN%lower";
    const auto png = render_card_png(face, CardSide::Front);
    ASSERT_FALSE(png);
    EXPECT_EQ(png.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(png.error().message.find("position 7"), std::string::npos) << png.error().message;
    face.qr_text.clear();
    EXPECT_EQ(render_card_png(face, CardSide::Front).error().code, ErrorCode::InvalidArgument);
}

TEST(CardRender, TextThatIsNotUtf8IsRefusedNamingTheField) {
    auto face = fixture::face();
    face.full_name = "Siti \xff\xfe";
    const auto png = render_card_png(face, CardSide::Front);
    ASSERT_FALSE(png);
    EXPECT_EQ(png.error().code, ErrorCode::InvalidArgument);
    ASSERT_EQ(png.error().fields.size(), 1U);
    EXPECT_EQ(png.error().fields[0].field, "full_name");
}

} // namespace
} // namespace kapal::card
