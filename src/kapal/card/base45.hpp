#pragma once
// Base45 (RFC 9285): bytes as text from the 45-character QR alphanumeric set, so that a QR code
// in alphanumeric mode holds them with no byte-mode overhead.

#include "kapal/core/result.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::card {

/// The Base45 text of `bytes`: 3 characters per 2 bytes, 2 for a last odd byte.
std::string base45_encode(std::span<const std::uint8_t> bytes);

/// The bytes of Base45 text. CredentialMalformed (field "base45") for a character outside the
/// alphabet, a length of 3n+1, or a group whose value does not fit its bytes (RFC 9285 §4).
Result<std::vector<std::uint8_t>> base45_decode(std::string_view text);

} // namespace kapal::card
