#include "kapal/card/card_number.hpp"

#include "kapal/core/assert.hpp"

#include <array>

namespace kapal::card {
namespace {

// The Damm quasigroup of order 10 (a weakly totally anti-symmetric one, H. M. Damm 2004).
constexpr std::array<std::array<std::uint8_t, 10>, 10> kDamm = {{
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
    {7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
    {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
    {6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
    {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
    {8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
    {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
}};

std::uint8_t damm_interim(std::string_view digits) {
    std::uint8_t interim = 0;
    for (const char c : digits) {
        KAPAL_ASSERT(c >= '0' && c <= '9');
        interim = kDamm[interim][static_cast<std::size_t>(c - '0')];
    }
    return interim;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

} // namespace

char damm_check_digit(std::string_view digits) {
    return static_cast<char>('0' + damm_interim(digits));
}

bool damm_valid(std::string_view digits) {
    for (const char c : digits) {
        if (!is_digit(c)) {
            return false;
        }
    }
    return !digits.empty() && damm_interim(digits) == 0;
}

std::string make_card_number(std::string_view regency_code, std::uint32_t serial) {
    std::string number;
    for (const char c : regency_code) {
        if (c != '.') {
            number += c;
        }
    }
    KAPAL_ASSERT(number.size() == 4);
    KAPAL_ASSERT(serial >= 1 && serial <= kMaxCardSerial);
    std::string s = std::to_string(serial);
    number += std::string(7 - s.size(), '0') + s;
    number += damm_check_digit(number);
    return number;
}

Result<std::string> parse_card_number(std::string_view text) {
    std::string digits;
    for (const char c : text) {
        if (c == '-' || c == ' ') {
            continue;
        }
        if (!is_digit(c)) {
            return fail(ErrorCode::CardNumberInvalid,
                        "card number contains '" + std::string(1, c) + "'",
                        {FieldIssue{"card_number", ErrorCode::CardNumberInvalid, "not a digit"}});
        }
        digits += c;
    }
    if (digits.size() != kCardNumberDigits) {
        return fail(ErrorCode::CardNumberInvalid,
                    "card number has " + std::to_string(digits.size()) + " digits, not 12",
                    {FieldIssue{"card_number",
                                ErrorCode::CardNumberInvalid,
                                std::to_string(digits.size()) + " digits"}});
    }
    if (!damm_valid(digits)) {
        return fail(ErrorCode::CardNumberInvalid,
                    "card number " + digits + " fails its check digit",
                    {FieldIssue{"card_number", ErrorCode::CardNumberInvalid, "check digit"}});
    }
    return digits;
}

std::string format_card_number(std::string_view number) {
    KAPAL_ASSERT(number.size() == kCardNumberDigits);
    return std::string(number.substr(0, 4)) + "-" + std::string(number.substr(4, 7)) + "-" +
           std::string(number.substr(11, 1));
}

} // namespace kapal::card
