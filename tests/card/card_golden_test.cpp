// Golden files for rendered cards (issue 7, item 8): a fixed person, photo, key and clock
// (src/kapal/card/render_test_fixture.hpp, the photo drawn below) rendered as PNG (front, back)
// and PDF, and compared with what is committed in tests/card/golden/.
//
// PNG: both images are decoded and compared pixel by pixel. A pixel "differs" when one of its
// channels is more than kChannelTolerance (64 of 255) apart; the comparison fails when more
// than kMaxDifferingShare (0.5 %, about 3,200 of the 645,018 pixels) differ. Anti-aliasing or
// hinting changes move glyph edges by a fraction of a pixel and stay far below that; a block
// that moves, grows or disappears does not (CardGolden.TheToleranceCatchesALayoutChange).
// PDF: compared by structure and text as poppler reads them (pdfinfo: pages and page sizes;
// pdftotext -layout: the words), not by bytes, which carry Cairo's version and dates.
//
// To rewrite the goldens after an intended change, run once with KAPAL_UPDATE_GOLDEN=1:
//   KAPAL_UPDATE_GOLDEN=1 ctest --test-dir build/dev -R CardGolden
// and review the new files (git diff; view the PNGs) like code. On a failure the rendered PNG
// and a difference image (differing pixels red) are written to the test's temporary directory.

#include "kapal/card/render.hpp"
#include "kapal/card/render_test_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace kapal::card {
namespace {

namespace fs = std::filesystem;

constexpr int kChannelTolerance = 64;
constexpr double kMaxDifferingShare = 0.005;

fs::path golden_dir() {
    return fs::path(KAPAL_SOURCE_DIR) / "tests" / "card" / "golden";
}

bool updating() {
    const char* v = std::getenv("KAPAL_UPDATE_GOLDEN");
    return v != nullptr && std::string(v) == "1";
}

std::vector<std::uint8_t> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
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

/// A fixed 300 × 400 "photo": a sky gradient, a shirt and a face, drawn the same every time.
std::vector<std::uint8_t> fixed_photo() {
    fixture::SurfacePtr s(cairo_image_surface_create(CAIRO_FORMAT_RGB24, 300, 400));
    cairo_t* cr = cairo_create(s.get());
    cairo_pattern_t* sky = cairo_pattern_create_linear(0, 0, 0, 400);
    cairo_pattern_add_color_stop_rgb(sky, 0, 0.55, 0.75, 0.9);
    cairo_pattern_add_color_stop_rgb(sky, 1, 0.9, 0.95, 1.0);
    cairo_set_source(cr, sky);
    cairo_paint(cr);
    cairo_pattern_destroy(sky);
    cairo_set_source_rgb(cr, 0.15, 0.35, 0.3); // shirt
    cairo_arc(cr, 150, 420, 140, M_PI, 2 * M_PI);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.55, 0.38, 0.27); // face
    cairo_arc(cr, 150, 170, 75, 0, 2 * M_PI);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1); // hair
    cairo_arc(cr, 150, 150, 80, M_PI, 2 * M_PI);
    cairo_fill(cr);
    cairo_destroy(cr);
    return fixture::write_png(s.get());
}

CardFace golden_face() {
    auto face = fixture::face();
    face.photo = fixed_photo();
    return face;
}

struct Comparison {
    std::string problem; ///< empty: the images match within the tolerance
    std::size_t differing = 0;
    std::size_t pixels = 0;
    fixture::SurfacePtr diff;
};

/// Compares two PNGs pixel by pixel with the tolerance above.
Comparison compare_png(const std::vector<std::uint8_t>& actual,
                       const std::vector<std::uint8_t>& expected) {
    Comparison c;
    auto a = fixture::read_png(actual);
    auto e = fixture::read_png(expected);
    if (cairo_surface_status(a.get()) != CAIRO_STATUS_SUCCESS ||
        cairo_surface_status(e.get()) != CAIRO_STATUS_SUCCESS) {
        c.problem = "a PNG does not decode";
        return c;
    }
    const int w = cairo_image_surface_get_width(a.get());
    const int h = cairo_image_surface_get_height(a.get());
    if (w != cairo_image_surface_get_width(e.get()) ||
        h != cairo_image_surface_get_height(e.get())) {
        c.problem = "sizes differ: " + std::to_string(w) + "x" + std::to_string(h) + " vs " +
                    std::to_string(cairo_image_surface_get_width(e.get())) + "x" +
                    std::to_string(cairo_image_surface_get_height(e.get()));
        return c;
    }
    c.diff.reset(cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h));
    cairo_surface_flush(c.diff.get());
    unsigned char* out = cairo_image_surface_get_data(c.diff.get());
    const int out_stride = cairo_image_surface_get_stride(c.diff.get());
    c.pixels = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            const auto pa = fixture::pixel(a.get(), x, y);
            const auto pe = fixture::pixel(e.get(), x, y);
            int worst = 0;
            for (const unsigned shift : {0U, 8U, 16U}) {
                const int ca = static_cast<int>((pa >> shift) & 0xffU);
                const int ce = static_cast<int>((pe >> shift) & 0xffU);
                worst = std::max(worst, std::abs(ca - ce));
            }
            // The difference image: the expected picture faded, differing pixels red.
            const std::uint32_t faded = 0xc0c0c0U | ((pe >> 2) & 0x3f3f3fU);
            const std::uint32_t shown = worst > kChannelTolerance ? 0xff0000U : faded;
            std::memcpy(out + static_cast<std::ptrdiff_t>(y) * out_stride +
                            static_cast<std::ptrdiff_t>(4) * x,
                        &shown,
                        4);
            if (worst > kChannelTolerance) {
                ++c.differing;
            }
        }
    }
    cairo_surface_mark_dirty(c.diff.get());
    const double share = static_cast<double>(c.differing) / static_cast<double>(c.pixels);
    if (share > kMaxDifferingShare) {
        std::ostringstream s;
        s << c.differing << " of " << c.pixels << " pixels differ (" << share * 100
          << " %, at most " << kMaxDifferingShare * 100 << " % allowed)";
        c.problem = s.str();
    }
    return c;
}

void check_png(const std::vector<std::uint8_t>& actual, const std::string& name) {
    const auto path = golden_dir() / name;
    if (updating()) {
        write_file(path, actual);
        std::cout << "rewrote " << path << "\n";
        return;
    }
    ASSERT_TRUE(fs::exists(path)) << path << " is missing: run with KAPAL_UPDATE_GOLDEN=1";
    const auto result = compare_png(actual, read_file(path));
    std::cout << name << ": " << result.differing << " of " << result.pixels
              << " pixels differ beyond " << kChannelTolerance << "\n";
    if (!result.problem.empty()) {
        const auto where = fs::path(::testing::TempDir());
        write_file(where / ("actual-" + name), actual);
        if (result.diff) {
            write_file(where / ("diff-" + name), fixture::write_png(result.diff.get()));
        }
        ADD_FAILURE() << name << ": " << result.problem << "; the render and the difference are in "
                      << where;
    }
}

/// What poppler reads from a PDF: the page count, each page's size, and the text.
std::string pdf_digest(const std::vector<std::uint8_t>& pdf, const std::string& name) {
    const auto path = fs::path(::testing::TempDir()) / name;
    write_file(path, pdf);
    std::istringstream info(run("pdfinfo -f 1 -l 1000 '" + path.string() + "' 2>&1"));
    std::string out;
    std::string line;
    while (std::getline(info, line)) {
        // Not "File size": the bytes carry Cairo's version and the creation date.
        if (line.rfind("Pages:", 0) == 0 || line.rfind("Page ", 0) == 0) {
            out += line + "\n";
        }
    }
    out += "--- pdftotext -layout\n";
    out += run("pdftotext -layout '" + path.string() + "' - 2>&1");
    return out;
}

TEST(CardGolden, FrontPngMatchesTheGolden) {
    const auto png = render_card_png(golden_face(), CardSide::Front);
    ASSERT_TRUE(png) << png.error().message;
    check_png(*png, "card-front.png");
}

TEST(CardGolden, BackPngMatchesTheGolden) {
    const auto png = render_card_png(golden_face(), CardSide::Back);
    ASSERT_TRUE(png) << png.error().message;
    check_png(*png, "card-back.png");
}

TEST(CardGolden, PdfHasTheGoldenPagesSizesAndText) {
    const auto pdf = render_card_pdf(golden_face());
    ASSERT_TRUE(pdf) << pdf.error().message;
    const auto digest = pdf_digest(*pdf, "golden-card.pdf");
    // The reader ran: two ID-1 pages (242.65 x 153.01 pt) whatever the golden says.
    ASSERT_NE(digest.find("Pages:"), std::string::npos)
        << "pdfinfo (poppler-utils) missing? " << digest;
    const auto path = golden_dir() / "card-pdf.txt";
    if (updating()) {
        write_file(path, {digest.begin(), digest.end()});
        return;
    }
    const auto expected = read_file(path);
    EXPECT_EQ(digest, std::string(expected.begin(), expected.end()))
        << "the PDF's pages, sizes or text changed (KAPAL_UPDATE_GOLDEN=1 rewrites " << path << ")";
}

TEST(CardGolden, TheToleranceCatchesALayoutChange) {
    const auto golden = read_file(golden_dir() / "card-front.png");
    ASSERT_FALSE(golden.empty());
    // One category fewer: its tile and word leave the front.
    auto face = golden_face();
    face.categories = {core::Category::Fisik};
    const auto fewer = render_card_png(face, CardSide::Front);
    ASSERT_TRUE(fewer);
    const auto without = compare_png(*fewer, golden);
    std::cout << "one category fewer: " << without.differing << " pixels differ\n";
    EXPECT_FALSE(without.problem.empty());
    // The whole front shifted by 3 pixels (0.25 mm) to the right.
    const auto same = render_card_png(golden_face(), CardSide::Front);
    ASSERT_TRUE(same);
    auto image = fixture::read_png(*same);
    fixture::SurfacePtr shifted(
        cairo_image_surface_create(CAIRO_FORMAT_RGB24,
                                   cairo_image_surface_get_width(image.get()),
                                   cairo_image_surface_get_height(image.get())));
    cairo_t* cr = cairo_create(shifted.get());
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_set_source_surface(cr, image.get(), 3, 0);
    cairo_paint(cr);
    cairo_destroy(cr);
    const auto moved = compare_png(fixture::write_png(shifted.get()), golden);
    std::cout << "shifted by 3 pixels: " << moved.differing << " pixels differ\n";
    EXPECT_FALSE(moved.problem.empty());
}

} // namespace
} // namespace kapal::card
