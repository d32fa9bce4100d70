#include "kapal/card/base45.hpp"

#include <array>

namespace kapal::card {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

int value_of(char c) {
    const auto pos = kAlphabet.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

unexpected<Error> bad(const std::string& what) {
    return fail(ErrorCode::CredentialMalformed,
                "base45: " + what,
                {FieldIssue{"base45", ErrorCode::CredentialMalformed, what}});
}

} // namespace

std::string base45_encode(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() / 2 * 3 + 2);
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2) {
        unsigned n = bytes[i] * 256U + bytes[i + 1];
        out += kAlphabet[n % 45];
        n /= 45;
        out += kAlphabet[n % 45];
        out += kAlphabet[n / 45];
    }
    if (i < bytes.size()) {
        const unsigned n = bytes[i];
        out += kAlphabet[n % 45];
        out += kAlphabet[n / 45];
    }
    return out;
}

Result<std::vector<std::uint8_t>> base45_decode(std::string_view text) {
    if (text.size() % 3 == 1) {
        return bad("length " + std::to_string(text.size()) + " leaves a single character");
    }
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 3 * 2 + 1);
    for (std::size_t i = 0; i < text.size(); i += 3) {
        const std::size_t group = std::min<std::size_t>(3, text.size() - i);
        std::array<int, 3> v{};
        for (std::size_t k = 0; k < group; ++k) {
            v[k] = value_of(text[i + k]);
            if (v[k] < 0) {
                return bad("character " + std::to_string(i + k + 1) +
                           " is not in the Base45 alphabet");
            }
        }
        const unsigned n = static_cast<unsigned>(v[0] + v[1] * 45 + v[2] * 45 * 45);
        if (group == 3) {
            if (n > 0xFFFF) {
                return bad("group at character " + std::to_string(i + 1) + " exceeds 65535");
            }
            out.push_back(static_cast<std::uint8_t>(n >> 8));
            out.push_back(static_cast<std::uint8_t>(n & 0xFF));
        } else {
            if (n > 0xFF) {
                return bad("last group exceeds 255");
            }
            out.push_back(static_cast<std::uint8_t>(n));
        }
    }
    return out;
}

} // namespace kapal::card
