#include "kapal/card/qr_decode.hpp"

#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>

#include <string>
#include <vector>

namespace kapal::card {

Result<std::string> decode_qr(const Picture& picture) {
    if (picture.width <= 0 || picture.height <= 0 ||
        picture.pixels.size() !=
            static_cast<std::size_t>(picture.width) * static_cast<std::size_t>(picture.height)) {
        return fail(ErrorCode::InvalidArgument, "picture: pixel count does not match its size");
    }
    // Grey levels of the picture laid over white paper (the pixels are premultiplied, so
    // "over white" adds the missing coverage as white).
    std::vector<std::uint8_t> grey(picture.pixels.size());
    for (std::size_t i = 0; i < grey.size(); ++i) {
        const std::uint32_t p = picture.pixels[i];
        const unsigned alpha = p >> 24;
        const unsigned lum = ZXing::RGBToLum((p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff);
        grey[i] = static_cast<std::uint8_t>(std::min(255U, lum + (255U - alpha)));
    }
    const ZXing::ImageView view(
        grey.data(), picture.width, picture.height, ZXing::ImageFormat::Lum);
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode);
    hints.setTryHarder(true);
    hints.setTryRotate(true);
    hints.setTryDownscale(true);
    try {
        const ZXing::Result result = ZXing::ReadBarcode(view, hints);
        if (result.isValid()) {
            return result.text();
        }
    } catch (const std::exception& e) {
        return fail(ErrorCode::Internal, std::string("zxing-cpp failed: ") + e.what());
    }
    const std::string what = "no readable QR code in the picture (" +
                             std::to_string(picture.width) + " x " +
                             std::to_string(picture.height) + " pixels)";
    return fail(
        ErrorCode::CardQrNotFound, what, {FieldIssue{"image", ErrorCode::CardQrNotFound, what}});
}

Result<std::string> decode_qr(std::span<const std::uint8_t> image_bytes) {
    auto picture = decode_picture(image_bytes, "image");
    if (!picture) {
        return fail(std::move(picture).error());
    }
    return decode_qr(*picture);
}

} // namespace kapal::card
