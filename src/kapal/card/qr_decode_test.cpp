#include "kapal/card/qr_decode.hpp"

#include "kapal/card/render_test_fixture.hpp"

#include <gtest/gtest.h>
#include <turbojpeg.h>

#include <numbers>

namespace kapal::card {
namespace {

// A rendered card as a phone might see it: scaled by `scale`, turned by `degrees`, on a grey
// table top with some margin.
fixture::SurfacePtr photographed(cairo_surface_t* card, double scale, double degrees) {
    const int w = static_cast<int>(kCardWidthPx * scale * 1.3);
    const int h = static_cast<int>(kCardWidthPx * scale * 1.1);
    fixture::SurfacePtr out(cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h));
    cairo_t* cr = cairo_create(out.get());
    cairo_set_source_rgb(cr, 0.55, 0.5, 0.45);
    cairo_paint(cr);
    cairo_translate(cr, w / 2.0, h / 2.0);
    cairo_rotate(cr, degrees * std::numbers::pi / 180);
    cairo_scale(cr, scale, scale);
    cairo_translate(cr, -kCardWidthPx / 2.0, -kCardHeightPx / 2.0);
    cairo_set_source_surface(cr, card, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_destroy(cr);
    return out;
}

std::vector<std::uint8_t> jpeg_of(cairo_surface_t* s, int quality) {
    cairo_surface_flush(s);
    tjhandle tj = tjInitCompress();
    unsigned char* out = nullptr;
    unsigned long size = 0;
    // RGB24 is 0x00RRGGBB in native words: B, G, R, X bytes on little-endian machines.
    const int rc = tjCompress2(tj,
                               cairo_image_surface_get_data(s),
                               cairo_image_surface_get_width(s),
                               cairo_image_surface_get_stride(s),
                               cairo_image_surface_get_height(s),
                               TJPF_BGRX,
                               &out,
                               &size,
                               TJSAMP_420,
                               quality,
                               0);
    std::vector<std::uint8_t> jpeg;
    if (rc == 0) {
        jpeg.assign(out, out + size);
    }
    tjFree(out);
    tjDestroy(tj);
    return jpeg;
}

class QrDecode : public ::testing::Test {
  protected:
    void SetUp() override {
        face_ = fixture::face();
        auto png = render_card_png(face_, CardSide::Front);
        ASSERT_TRUE(png) << png.error().message;
        png_ = std::move(*png);
    }

    CardFace face_;
    std::vector<std::uint8_t> png_;
};

TEST_F(QrDecode, ReadsTheQrOfARenderedCard) {
    const auto text = decode_qr(png_);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(*text, face_.qr_text);
}

TEST_F(QrDecode, ReadsACardScaledDownAndSlightlyRotated) {
    const auto card = fixture::read_png(png_);
    for (const auto& [scale, degrees] : {std::pair{0.6, 7.0}, {0.75, -12.0}, {0.5, 3.0}}) {
        const auto photo = photographed(card.get(), scale, degrees);
        const auto text = decode_qr(fixture::write_png(photo.get()));
        ASSERT_TRUE(text) << "scale " << scale << ", " << degrees
                          << " degrees: " << text.error().message;
        EXPECT_EQ(*text, face_.qr_text);
    }
}

TEST_F(QrDecode, ReadsAJpegPhotoOfACard) {
    const auto card = fixture::read_png(png_);
    const auto photo = photographed(card.get(), 0.7, -5.0);
    const auto jpeg = jpeg_of(photo.get(), 80);
    ASSERT_FALSE(jpeg.empty());
    const auto text = decode_qr(jpeg);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(*text, face_.qr_text);
}

TEST_F(QrDecode, SaysSoWhenThePictureHoldsNoQrCode) {
    const auto back = render_card_png(face_, CardSide::Back);
    ASSERT_TRUE(back);
    const auto text = decode_qr(*back);
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().code, ErrorCode::CardQrNotFound);
    ASSERT_EQ(text.error().fields.size(), 1U);
    EXPECT_EQ(text.error().fields[0].field, "image");
    EXPECT_NE(text.error().message.find("1011 x 638"), std::string::npos);
}

TEST_F(QrDecode, RefusesBytesThatAreNoPicture) {
    const std::vector<std::uint8_t> junk = {'%', 'P', 'D', 'F', '-', '1', '.', '5'};
    const auto text = decode_qr(junk);
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().code, ErrorCode::CardImageInvalid);
    EXPECT_EQ(text.error().fields.at(0).field, "image");
}

} // namespace
} // namespace kapal::card
