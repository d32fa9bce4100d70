#include "kapal/core/user.hpp"

#include "kapal/core/text.hpp"

#include <algorithm>
#include <array>

namespace kapal::core {
namespace {

constexpr std::array<std::pair<std::string_view, Role>, 6> kRoles = {{
    {"admin", Role::Admin},
    {"operator", Role::Operator},
    {"penyalur", Role::Penyalur},
    {"merchant", Role::Merchant},
    {"auditor", Role::Auditor},
    {"viewer", Role::Viewer},
}};

// Common passwords (the top of public breach lists) and words people here reach for first.
// Compared after lower-casing and removing digits and punctuation at both ends, so
// "Password123!" and "bismillah2024" are refused too.
constexpr std::array<std::string_view, 64> kBlocked = {
    "password",    "passw0rd",      "qwerty",          "qwertyuiop", "asdfghjkl",  "zxcvbnm",
    "iloveyou",    "admin",         "administrator",   "welcome",    "letmein",    "monkey",
    "dragon",      "football",      "baseball",        "sunshine",   "princess",   "superman",
    "trustno1",    "starwars",      "whatever",        "master",     "shadow",     "michael",
    "abc",         "abcd",          "abcdef",          "qazwsx",     "secret",     "changeme",
    "bismillah",   "alhamdulillah", "assalamualaikum", "indonesia",  "jakarta",    "bontang",
    "samarinda",   "balikpapan",    "kaltim",          "kalimantan", "sayang",     "sayangku",
    "cintaku",     "rahasia",       "katasandi",       "katakunci",  "sandi",      "merdeka",
    "garuda",      "pancasila",     "kapal",           "kapalsigeo", "sigeo",      "dinsos",
    "dinassosial", "disabilitas",   "operator",        "penyalur",   "pendamping", "bantuan",
    "bansos",      "petugas",       "pegawai",         "anjing",
};

bool is_trivial(std::string_view p) {
    // one character repeated, or a run of consecutive characters ("1234567890", "abcdefghij")
    const bool same = std::all_of(p.begin(), p.end(), [&](char c) { return c == p.front(); });
    bool ascending = true;
    bool descending = true;
    for (std::size_t i = 1; i < p.size(); ++i) {
        ascending = ascending && p[i] == p[i - 1] + 1;
        descending = descending && p[i] == p[i - 1] - 1;
    }
    return same || ascending || descending;
}

std::size_t utf8_length(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

} // namespace

std::string_view to_string(Role role) {
    for (const auto& [name, value] : kRoles) {
        if (value == role) {
            return name;
        }
    }
    return "viewer";
}

std::optional<Role> parse_role(std::string_view text) {
    const auto key = to_lower(trim(text));
    for (const auto& [name, value] : kRoles) {
        if (name == key) {
            return value;
        }
    }
    return std::nullopt;
}

bool may_unmask(Role role) {
    return role == Role::Admin || role == Role::Operator || role == Role::Auditor;
}

bool role_within(Role narrow, Role wide) {
    if (narrow == wide) {
        return true;
    }
    return narrow == Role::Viewer &&
           (wide == Role::Admin || wide == Role::Operator || wide == Role::Auditor);
}

bool areas_within(const std::vector<std::string>& inner, const std::vector<std::string>& outer) {
    if (outer.empty()) {
        return true;
    }
    if (inner.empty()) {
        return false;
    }
    return std::all_of(inner.begin(), inner.end(), [&](const std::string& code) {
        return std::any_of(outer.begin(), outer.end(), [&](const std::string& area) {
            return code_within(code, area);
        });
    });
}

Result<std::string> normalise_username(std::string_view text) {
    std::string name = to_lower(trim(text));
    const bool ok_chars = std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    });
    if (name.size() < 3 || name.size() > 32 || !ok_chars) {
        return fail(ErrorCode::UsernameInvalid, "invalid user name '" + std::string(text) + "'");
    }
    return name;
}

Result<void> check_area_codes(const std::vector<std::string>& codes,
                              const RegionRegistry& regions) {
    for (const auto& code : codes) {
        if (regions.find(code) == nullptr) {
            return fail(ErrorCode::AreaInvalid,
                        "unknown area code '" + code + "'",
                        {{"area", ErrorCode::AreaInvalid, code}});
        }
    }
    return {};
}

Result<void> check_password_policy(std::string_view password, std::string_view username) {
    const auto length = utf8_length(password);
    if (length < kMinPasswordLength) {
        return fail(ErrorCode::PasswordTooShort,
                    "password has " + std::to_string(length) + " characters, needs " +
                        std::to_string(kMinPasswordLength));
    }
    if (length > kMaxPasswordLength) {
        return fail(ErrorCode::PasswordTooLong, "password is longer than 128 characters");
    }
    const std::string lower = to_lower(password);
    if (!username.empty() && lower.find(to_lower(username)) != std::string::npos) {
        return fail(ErrorCode::PasswordContainsUsername, "password contains the user name");
    }
    // The core of the password: letters only, without decorations around them.
    const std::string core_word = [&] {
        std::string s;
        for (const char c : lower) {
            if (c >= 'a' && c <= 'z') {
                s.push_back(c);
            }
        }
        return s;
    }();
    const bool blocked = std::any_of(kBlocked.begin(), kBlocked.end(), [&](std::string_view w) {
        return core_word == w || lower == w;
    });
    if (blocked || is_trivial(lower) || (core_word.size() <= 3 && is_trivial(core_word))) {
        return fail(ErrorCode::PasswordCommon, "password is common or guessable");
    }
    return {};
}

} // namespace kapal::core
