#pragma once
// Pictures from bytes: a person's photo for the card, or a photo of a card to read its QR code.
// PNG (through Cairo) and JPEG (through TurboJPEG); nothing else is accepted.

#include "kapal/core/result.hpp"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace kapal::card {

/// Pictures above this many pixels are refused (PNG) or decoded at a reduced scale (JPEG), so
/// that a hostile header cannot make us allocate gigabytes: 16 MP is a 4000 x 4000 photo.
inline constexpr std::int64_t kMaxPicturePixels = 16'000'000;

/// The longest side accepted (Cairo's limit for an image surface).
inline constexpr int kMaxPictureSide = 32767;

/// A decoded picture, row after row, each pixel 0xAARRGGBB with the colour premultiplied by
/// alpha (Cairo's CAIRO_FORMAT_ARGB32 as native 32-bit words).
struct Picture {
    int width = 0;
    int height = 0;
    std::vector<std::uint32_t> pixels; ///< width * height
};

/// Decodes PNG or JPEG bytes (recognised by their signature). CardImageInvalid, with a field
/// issue naming `field`, for anything else, a corrupt or truncated file, or a PNG above
/// kMaxPicturePixels or kMaxPictureSide.
Result<Picture> decode_picture(std::span<const std::uint8_t> bytes, std::string_view field);

} // namespace kapal::card
