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

/// True if every character is an ASCII digit (and the text is not empty).
bool all_digits(std::string_view text);

} // namespace kapal::core
