#pragma once
// A well-formedness check run on untrusted CBOR before libcbor loads it. libcbor allocates an
// array or map of the length its header declares, so five bytes could ask for gigabytes; this
// walk refuses any length that the remaining bytes cannot hold, nesting deeper than a limit,
// reserved encodings and trailing bytes.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace kapal::card::detail {

/// Maximum nesting of arrays, maps and tags in a credential.
inline constexpr int kMaxCborDepth = 16;

/// Empty when `bytes` is exactly one well-formed CBOR item within the limits; otherwise what
/// is wrong and at which byte offset.
std::string cbor_guard(std::span<const std::uint8_t> bytes);

} // namespace kapal::card::detail
