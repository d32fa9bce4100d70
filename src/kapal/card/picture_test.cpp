#include "kapal/card/picture.hpp"

#include "kapal/card/render_test_fixture.hpp"

#include <gtest/gtest.h>
#include <turbojpeg.h>

namespace kapal::card {
namespace {

std::vector<std::uint8_t> jpeg_of(int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    std::vector<unsigned char> rgb(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
    for (std::size_t i = 0; i < rgb.size(); i += 3) {
        rgb[i] = r;
        rgb[i + 1] = g;
        rgb[i + 2] = b;
    }
    tjhandle tj = tjInitCompress();
    unsigned char* out = nullptr;
    unsigned long size = 0;
    const int rc = tjCompress2(tj, rgb.data(), w, 0, h, TJPF_RGB, &out, &size, TJSAMP_420, 90, 0);
    std::vector<std::uint8_t> jpeg;
    if (rc == 0) {
        jpeg.assign(out, out + size);
    }
    tjFree(out);
    tjDestroy(tj);
    return jpeg;
}

TEST(Picture, DecodesAPngPixelForPixel) {
    fixture::SurfacePtr s(cairo_image_surface_create(CAIRO_FORMAT_RGB24, 3, 2));
    cairo_t* cr = cairo_create(s.get());
    cairo_set_source_rgb(cr, 1, 0, 0);
    cairo_paint(cr);
    cairo_set_source_rgb(cr, 0, 0, 1);
    cairo_rectangle(cr, 2, 1, 1, 1);
    cairo_fill(cr);
    cairo_destroy(cr);
    const auto picture = decode_picture(fixture::write_png(s.get()), "photo");
    ASSERT_TRUE(picture) << picture.error().message;
    EXPECT_EQ(picture->width, 3);
    EXPECT_EQ(picture->height, 2);
    ASSERT_EQ(picture->pixels.size(), 6U);
    EXPECT_EQ(picture->pixels[0], 0xffff0000U);
    EXPECT_EQ(picture->pixels[5], 0xff0000ffU);
}

TEST(Picture, DecodesAJpeg) {
    const auto jpeg = jpeg_of(64, 48, 20, 200, 40);
    ASSERT_FALSE(jpeg.empty());
    const auto picture = decode_picture(jpeg, "photo");
    ASSERT_TRUE(picture) << picture.error().message;
    EXPECT_EQ(picture->width, 64);
    EXPECT_EQ(picture->height, 48);
    const std::uint32_t p = picture->pixels[64 * 24 + 32];
    EXPECT_EQ(p >> 24, 0xffU);
    EXPECT_NEAR(static_cast<int>((p >> 16) & 0xff), 20, 6);
    EXPECT_NEAR(static_cast<int>((p >> 8) & 0xff), 200, 6);
    EXPECT_NEAR(static_cast<int>(p & 0xff), 40, 6);
}

TEST(Picture, AHugeJpegIsDecodedAtAReducedScale) {
    const auto jpeg = jpeg_of(8000, 2400, 128, 128, 128); // 19.2 MP
    ASSERT_FALSE(jpeg.empty());
    const auto picture = decode_picture(jpeg, "image");
    ASSERT_TRUE(picture) << picture.error().message;
    EXPECT_EQ(picture->width, 7000); // 7/8: the largest scale within 16 MP
    EXPECT_EQ(picture->height, 2100);
    EXPECT_LE(static_cast<std::int64_t>(picture->pixels.size()), kMaxPicturePixels);
}

TEST(Picture, AVeryWideJpegIsScaledWithinTheLongestSide) {
    const auto jpeg = jpeg_of(40000, 16, 200, 200, 200);
    ASSERT_FALSE(jpeg.empty());
    const auto picture = decode_picture(jpeg, "photo");
    ASSERT_TRUE(picture) << picture.error().message;
    EXPECT_EQ(picture->width, 30000); // 3/4: 7/8 would be 35000, over Cairo's 32767
    EXPECT_EQ(picture->height, 12);
}

TEST(Picture, AHugePngIsRefusedBeforeItIsDecoded) {
    // A valid signature and an IHDR claiming 20000 x 20000 pixels, and nothing else.
    std::vector<std::uint8_t> png = {0x89, 'P',  'N', 'G', '\r', '\n', 0x1a, '\n', 0,    0, 0,
                                     13,   'I',  'H', 'D', 'R',  0,    0,    0x4e, 0x20, 0, 0,
                                     0x4e, 0x20, 8,   2,   0,    0,    0,    0,    0,    0, 0};
    const auto picture = decode_picture(png, "photo");
    ASSERT_FALSE(picture);
    EXPECT_EQ(picture.error().code, ErrorCode::CardImageInvalid);
    EXPECT_NE(picture.error().message.find("20000 x 20000"), std::string::npos)
        << picture.error().message;
    // 40000 x 1 is few pixels but wider than any Cairo surface.
    png[18] = 0x9c;
    png[19] = 0x40;
    png[22] = 0;
    png[23] = 1;
    const auto wide = decode_picture(png, "photo");
    ASSERT_FALSE(wide);
    EXPECT_NE(wide.error().message.find("40000 x 1"), std::string::npos) << wide.error().message;
}

TEST(Picture, RefusesWhatIsNotAWholePngOrJpeg) {
    auto jpeg = jpeg_of(64, 64, 1, 2, 3);
    jpeg.resize(jpeg.size() * 2 / 3);
    const std::vector<std::vector<std::uint8_t>> cases = {
        {},
        {'h', 'e', 'l', 'l', 'o'},
        {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0},
        jpeg,
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto picture = decode_picture(cases[i], "image");
        ASSERT_FALSE(picture) << i;
        EXPECT_EQ(picture.error().code, ErrorCode::CardImageInvalid) << i;
        ASSERT_EQ(picture.error().fields.size(), 1U) << i;
        EXPECT_EQ(picture.error().fields[0].field, "image");
        EXPECT_FALSE(picture.error().fields[0].detail.empty()) << i;
    }
}

} // namespace
} // namespace kapal::card
