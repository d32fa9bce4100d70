#include "kapal/core/nik.hpp"

#include "kapal/core/text.hpp"

#include <algorithm>
#include <array>

namespace kapal::core {
namespace {

unsigned two_digits(std::string_view s, std::size_t pos) {
    return static_cast<unsigned>((s[pos] - '0') * 10 + (s[pos + 1] - '0'));
}

bool date_exists(unsigned day, unsigned month, unsigned yy) {
    // The century is unknown: the date must exist in 19yy or 20yy (29 February of "00" exists
    // in 2000 only; of "04" in both).
    constexpr std::array kCenturies = {1900, 2000};
    return std::any_of(kCenturies.begin(), kCenturies.end(), [&](int century) {
        return make_date(century + static_cast<int>(yy), month, day).ok();
    });
}

Result<std::string> check_sixteen_digits(std::string_view text,
                                         ErrorCode scientific,
                                         ErrorCode not_digits,
                                         ErrorCode length,
                                         const char* what) {
    const std::string_view t = trim(text);
    if (looks_like_scientific_notation(t)) {
        return fail(scientific,
                    std::string(what) + " is in scientific notation: " + std::string(t));
    }
    std::string digits = normalise_id_number(t);
    if (!all_digits(digits)) {
        return fail(not_digits, std::string(what) + " contains characters other than digits");
    }
    if (digits.size() != 16) {
        return fail(length,
                    std::string(what) + " has " + std::to_string(digits.size()) +
                        " digits, expected 16");
    }
    return digits;
}

} // namespace

bool looks_like_scientific_notation(std::string_view text) {
    const std::string_view t = trim(text);
    const auto e = t.find_first_of("eE");
    if (e == std::string_view::npos || e == 0 || e + 1 >= t.size()) {
        return false;
    }
    bool mantissa_digit = false;
    for (std::size_t i = 0; i < e; ++i) {
        const char c = t[i];
        if (c >= '0' && c <= '9') {
            mantissa_digit = true;
        } else if (c != '.' && c != ',') {
            return false;
        }
    }
    std::size_t i = e + 1;
    if (t[i] == '+' || t[i] == '-') {
        ++i;
    }
    return mantissa_digit && i < t.size() && all_digits(t.substr(i));
}

std::string normalise_id_number(std::string_view text) {
    const std::string_view t = trim(text);
    std::string out;
    out.reserve(t.size());
    for (const char c : t) {
        if (c >= '0' && c <= '9') {
            out.push_back(c);
        } else if (c == ' ' || c == '.' || c == '-') {
            continue;
        } else {
            return std::string(t);
        }
    }
    // A leading apostrophe is how Excel users force text; it arrives stripped by the reader,
    // but a lone separator-only string must not turn into "".
    return out.empty() ? std::string(t) : out;
}

Result<NikParts> parse_nik(std::string_view text) {
    auto digits = check_sixteen_digits(text,
                                       ErrorCode::NikScientificNotation,
                                       ErrorCode::NikNotDigits,
                                       ErrorCode::NikLength,
                                       "NIK");
    if (!digits) {
        return fail(std::move(digits).error());
    }
    const std::string& d = *digits;
    NikParts parts;
    parts.region = d.substr(0, 6);
    unsigned day = two_digits(d, 6);
    parts.female = day > 40;
    if (parts.female) {
        day -= 40;
    }
    parts.day = day;
    parts.month = two_digits(d, 8);
    parts.yy = two_digits(d, 10);
    parts.serial = static_cast<unsigned>(std::stoul(d.substr(12, 4)));
    if (parts.day < 1 || parts.day > 31 || parts.month < 1 || parts.month > 12 ||
        !date_exists(parts.day, parts.month, parts.yy)) {
        return fail(ErrorCode::NikBirthDateInvalid,
                    "NIK digits 7-12 (" + d.substr(6, 6) + ") are not a real date");
    }
    if (parts.serial == 0) {
        return fail(ErrorCode::NikSerialZero, "NIK serial (digits 13-16) is 0000");
    }
    return parts;
}

std::vector<FieldIssue>
nik_warnings(const NikParts& nik, Date birth_date, Sex sex, const RegionRegistry& regions) {
    std::vector<FieldIssue> out;
    if (!regions.is_known_nik_prefix(nik.region)) {
        out.push_back({"nik", ErrorCode::NikRegionUnknown, nik.region});
    }
    if (birth_date.ok()) {
        const auto yy = static_cast<unsigned>(static_cast<int>(birth_date.year()) % 100);
        if (nik.day != static_cast<unsigned>(birth_date.day()) ||
            nik.month != static_cast<unsigned>(birth_date.month()) || nik.yy != yy) {
            std::array<char, 48> buf{};
            std::snprintf(buf.data(),
                          buf.size(),
                          "NIK %02u-%02u-%02u, tanggal lahir %s",
                          nik.day,
                          nik.month,
                          nik.yy,
                          format_date(birth_date).c_str());
            out.push_back({"nik", ErrorCode::NikBirthDateMismatch, buf.data()});
        }
    }
    if (nik.female != (sex == Sex::Female)) {
        out.push_back({"nik", ErrorCode::NikSexMismatch, nik.female ? "NIK: P" : "NIK: L"});
    }
    return out;
}

Result<std::string> parse_kk(std::string_view text) {
    return check_sixteen_digits(text,
                                ErrorCode::KkScientificNotation,
                                ErrorCode::KkNotDigits,
                                ErrorCode::KkLength,
                                "KK number");
}

std::vector<FieldIssue> kk_warnings(std::string_view kk, const RegionRegistry& regions) {
    std::vector<FieldIssue> out;
    if (kk.size() >= 6 && !regions.is_known_nik_prefix(kk.substr(0, 6))) {
        out.push_back({"kk", ErrorCode::KkRegionUnknown, std::string(kk.substr(0, 6))});
    }
    return out;
}

std::string mask_id_number(std::string_view digits) {
    if (digits.size() <= 6) {
        // (count, char) constructor: a braced list would pick initializer_list<char>
        return std::string(digits.size(), '*'); // NOLINT(modernize-return-braced-init-list)
    }
    std::string out(digits);
    for (std::size_t i = 4; i + 2 < out.size(); ++i) {
        out[i] = '*';
    }
    return out;
}

} // namespace kapal::core
