#pragma once
// Reading a card's QR code back from a picture (a photo or scan of the card, or our own PNG),
// with zxing-cpp: what `kapal card verify --image` and the tests of the rendered cards use.

#include "kapal/card/picture.hpp"
#include "kapal/core/result.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace kapal::card {

/// The text of the QR code in PNG or JPEG bytes. Finds the code anywhere in the picture, at
/// any rotation and at the scale of a phone photo. CardImageInvalid (field "image") for bytes
/// that are not a readable PNG or JPEG; CardQrNotFound when no QR code can be read.
Result<std::string> decode_qr(std::span<const std::uint8_t> image_bytes);

/// The text of the QR code in decoded pixels. CardQrNotFound when none can be read.
Result<std::string> decode_qr(const Picture& picture);

} // namespace kapal::card
