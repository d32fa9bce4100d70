#include "kapal/card/card_number.hpp"

#include <gtest/gtest.h>

namespace kapal::card {
namespace {

// Luhn (mod 10), only to show what it misses.
bool luhn_valid(std::string_view digits) {
    int sum = 0;
    bool twice = false;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        int d = *it - '0';
        if (twice) {
            d *= 2;
            if (d > 9) {
                d -= 9;
            }
        }
        sum += d;
        twice = !twice;
    }
    return sum % 10 == 0;
}

TEST(CardNumber, MakesTwelveDigitsThatCarryTheirCheckDigit) {
    const auto n = make_card_number("64.74", 1234);
    EXPECT_EQ(n.size(), 12U);
    EXPECT_EQ(n.substr(0, 11), "64740001234");
    EXPECT_TRUE(damm_valid(n));
    EXPECT_EQ(format_card_number(n), "6474-0001234-" + n.substr(11));
    EXPECT_EQ(parse_card_number(format_card_number(n)).value(), n);
}

TEST(CardNumber, DammCheckDigitOfTheKnownExample) {
    // The worked example of the Damm algorithm: 572 -> check digit 4.
    EXPECT_EQ(damm_check_digit("572"), '4');
    EXPECT_TRUE(damm_valid("5724"));
    EXPECT_FALSE(damm_valid("5723"));
}

// Every number of the range, every position, every wrong digit; every adjacent swap of two
// different digits. 10^5 numbers of 6 digits (5 + check digit).
TEST(CardNumber, CatchesEverySingleDigitErrorAndEveryAdjacentTransposition) {
    long singles = 0;
    long swaps = 0;
    for (int v = 0; v < 100000; ++v) {
        std::string body = std::to_string(v);
        body = std::string(5 - body.size(), '0') + body;
        const std::string n = body + damm_check_digit(body);
        ASSERT_TRUE(damm_valid(n));
        for (std::size_t i = 0; i < n.size(); ++i) {
            for (char d = '0'; d <= '9'; ++d) {
                if (d == n[i]) {
                    continue;
                }
                std::string wrong = n;
                wrong[i] = d;
                ASSERT_FALSE(damm_valid(wrong)) << n << " -> " << wrong;
                ++singles;
            }
            if (i + 1 < n.size() && n[i] != n[i + 1]) {
                std::string swapped = n;
                std::swap(swapped[i], swapped[i + 1]);
                ASSERT_FALSE(damm_valid(swapped)) << n << " -> " << swapped;
                ++swaps;
            }
        }
    }
    EXPECT_EQ(singles, 100000L * 6 * 9);
    EXPECT_GT(swaps, 400000);
}

TEST(CardNumber, CatchesTheSwapsOfRealCardNumbersToo) {
    for (std::uint32_t serial = 1; serial <= 20000; ++serial) {
        const auto n = make_card_number("6474", serial);
        for (std::size_t i = 0; i + 1 < n.size(); ++i) {
            if (n[i] != n[i + 1]) {
                std::string swapped = n;
                std::swap(swapped[i], swapped[i + 1]);
                ASSERT_FALSE(parse_card_number(swapped)) << n << " -> " << swapped;
            }
        }
    }
}

TEST(CardNumber, LuhnWouldMissTheSwapOf09And90) {
    // A Luhn-valid number with "09" in it stays Luhn-valid with "90": Luhn cannot tell them
    // apart. Damm can.
    std::string luhn_base = "6474090000";
    for (char c = '0'; c <= '9'; ++c) {
        if (luhn_valid(luhn_base + c)) {
            luhn_base += c;
            break;
        }
    }
    ASSERT_TRUE(luhn_valid(luhn_base));
    std::string swapped = luhn_base;
    std::swap(swapped[4], swapped[5]);
    EXPECT_EQ(swapped.substr(4, 2), "90");
    EXPECT_TRUE(luhn_valid(swapped)) << "Luhn misses 09 <-> 90";

    const std::string body = "6474090000";
    const std::string damm = body + damm_check_digit(body);
    std::string damm_swapped = damm;
    std::swap(damm_swapped[4], damm_swapped[5]);
    EXPECT_FALSE(damm_valid(damm_swapped)) << "Damm catches 09 <-> 90";
}

TEST(CardNumber, ParseRefusesWrongLengthLettersAndCheckDigit) {
    const auto n = make_card_number("6474", 7);
    std::string wrong = n;
    wrong[11] = wrong[11] == '0' ? '1' : '0';
    auto bad_check = parse_card_number(wrong);
    ASSERT_FALSE(bad_check);
    EXPECT_EQ(bad_check.error().code, ErrorCode::CardNumberInvalid);
    EXPECT_EQ(bad_check.error().fields.at(0).field, "card_number");
    EXPECT_FALSE(parse_card_number(n.substr(0, 11)));
    EXPECT_FALSE(parse_card_number("6474-000000A-1"));
    EXPECT_TRUE(parse_card_number(" " + n.substr(0, 4) + " " + n.substr(4)));
}

} // namespace
} // namespace kapal::card
