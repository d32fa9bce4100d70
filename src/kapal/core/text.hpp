#pragma once
// Small text helpers shared by the parsers (ASCII only: Indonesian field codes and headers).

#include <string>
#include <string_view>

namespace kapal::core {

/// Removes ASCII whitespace (and a UTF-8 no-break space) at both ends.
std::string_view trim(std::string_view text);

/// ASCII lower case.
std::string to_lower(std::string_view text);

/// Lower case, with every run of non-alphanumeric ASCII characters removed:
/// "Jenis  Kelamin (L/P)" -> "jeniskelaminlp". Used to match headers and labels loosely.
std::string fold_key(std::string_view text);

/// A label as a snake_case code: ASCII lower case, trimmed, every inner run of spaces, '-', '_'
/// and '.' one '_': " Tanah  Longsor " -> "tanah_longsor", "R.S.U.D." -> "r_s_u_d".
std::string label_key(std::string_view text);

/// True if every character is an ASCII digit (and the text is not empty).
bool all_digits(std::string_view text);

/// The value of a hexadecimal digit (either case), or -1.
int hex_value(char c) noexcept;

/// Appends the UTF-8 encoding of a code point of the Basic Multilingual Plane (U+0000..U+FFFF).
void append_utf8(std::string& out, char32_t cp);

} // namespace kapal::core
