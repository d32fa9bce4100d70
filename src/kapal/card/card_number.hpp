#pragma once
// Card numbers: 12 digits = kab/kota code (4, e.g. 6474 for Bontang) + serial (7) + a Damm check
// digit (1). The Damm check digit catches every single-digit error and every swap of two
// adjacent digits (Luhn, for one, misses 09 <-> 90); a unit test proves it exhaustively.

#include "kapal/core/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace kapal::card {

inline constexpr std::size_t kCardNumberDigits = 12;
inline constexpr std::uint32_t kMaxCardSerial = 9'999'999;

/// The Damm check digit ('0'..'9') of a string of decimal digits. Precondition: digits only.
char damm_check_digit(std::string_view digits);

/// True when `digits` (digits only, at least 1) ends in its own Damm check digit.
bool damm_valid(std::string_view digits);

/// The card number of `serial` in a kab/kota: "64.74" or "6474" and 1234 give "647400012343"
/// (the last digit being the check digit). Preconditions: a 4-digit regency code (dots
/// allowed), 1 <= serial <= kMaxCardSerial.
std::string make_card_number(std::string_view regency_code, std::uint32_t serial);

/// A card number as typed ("6474-0001234-3", "6474 0001234 3" or plain digits), normalised
/// to its 12 digits. CardNumberInvalid for another length, a non-digit or a wrong check digit.
Result<std::string> parse_card_number(std::string_view text);

/// "6474-0001234-3": the printed form of a normalised card number. Precondition: 12 digits.
std::string format_card_number(std::string_view number);

} // namespace kapal::card
