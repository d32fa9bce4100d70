#include "kapal/core/text.hpp"

#include <algorithm>

namespace kapal::core {

std::string_view trim(std::string_view text) {
    auto is_space = [](std::string_view t, std::size_t i, bool front) -> std::size_t {
        const char c = t[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
            return 1;
        }
        // U+00A0 no-break space, as Excel pastes it: C2 A0
        if (front && i + 1 < t.size() && c == '\xC2' && t[i + 1] == '\xA0') {
            return 2;
        }
        if (!front && i >= 1 && c == '\xA0' && t[i - 1] == '\xC2') {
            return 2;
        }
        return 0;
    };
    while (!text.empty()) {
        const auto n = is_space(text, 0, true);
        if (n == 0) {
            break;
        }
        text.remove_prefix(n);
    }
    while (!text.empty()) {
        const auto n = is_space(text, text.size() - 1, false);
        if (n == 0) {
            break;
        }
        text.remove_suffix(n);
    }
    return text;
}

std::string to_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string fold_key(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c >= 'A' && c <= 'Z') {
            out.push_back(static_cast<char>(c - 'A' + 'a'));
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            out.push_back(c);
        }
    }
    return out;
}

std::string label_key(std::string_view text) {
    std::string out;
    bool gap = false;
    for (const char c : trim(text)) {
        if (c == ' ' || c == '-' || c == '_' || c == '.') {
            gap = !out.empty();
            continue;
        }
        if (gap) {
            out += '_';
            gap = false;
        }
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

} // namespace kapal::core
