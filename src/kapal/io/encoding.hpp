#pragma once
// Text encodings met in files that office staff bring: UTF-8 (with or without BOM) and
// Windows-1252, which is what Excel on an Indonesian or Western Windows writes for "CSV".

#include <string>
#include <string_view>

namespace kapal::io {

/// True if every byte is below 0x80.
bool is_ascii(std::string_view text) noexcept;

/// True if `text` is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

/// Decodes Windows-1252 bytes to UTF-8. The five bytes that code page leaves undefined
/// (0x81, 0x8D, 0x8F, 0x90, 0x9D) become U+FFFD. ASCII is copied unchanged.
std::string windows1252_to_utf8(std::string_view bytes);

/// The text unchanged when it is valid UTF-8, otherwise decoded as Windows-1252.
/// Returns true when it decoded (so a caller can report that a field was re-encoded).
bool ensure_utf8(std::string& text);

} // namespace kapal::io
