#include "kapal/io/encoding.hpp"

#include "kapal/core/text.hpp"

#include <array>
#include <cstdint>

namespace kapal::io {
namespace {

// Code points of Windows-1252 bytes 0x80..0x9F; 0xFFFD for the five undefined bytes.
constexpr std::array<char32_t, 32> kCp1252High = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

} // namespace

bool is_ascii(std::string_view text) noexcept {
    unsigned char acc = 0;
    for (const char c : text) {
        acc |= static_cast<unsigned char>(c);
    }
    return acc < 0x80;
}

bool is_valid_utf8(std::string_view text) noexcept {
    if (is_ascii(text)) {
        return true;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* const end = p + text.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0;
        std::uint32_t min = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1FU;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0FU;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07U;
            min = 0x10000;
        } else {
            return false;
        }
        if (static_cast<std::size_t>(end - p) < len) {
            return false;
        }
        for (std::size_t i = 1; i < len; ++i) {
            const unsigned char cc = p[i];
            if ((cc & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (cc & 0x3FU);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        p += len;
    }
    return true;
}

std::string windows1252_to_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 2);
    for (const char ch : bytes) {
        const auto b = static_cast<unsigned char>(ch);
        if (b < 0x80) {
            out.push_back(ch);
        } else if (b < 0xA0) {
            core::append_utf8(out, kCp1252High[b - 0x80U]);
        } else {
            core::append_utf8(out, static_cast<char32_t>(b));
        }
    }
    return out;
}

bool ensure_utf8(std::string& text) {
    if (is_valid_utf8(text)) {
        return false;
    }
    text = windows1252_to_utf8(text);
    return true;
}

} // namespace kapal::io
