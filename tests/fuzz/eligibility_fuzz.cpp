// Fuzz target for the eligibility language (kapal::aid): any text must parse or be refused with
// one issue on the field "rule" whose detail starts "posisi N:" with N inside the text (or just
// past its end); whatever parses must print a canonical form that parses again to the same
// canonical form and the same answer on a few fixed records.

#include "kapal/aid/eligibility.hpp"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace kapal;

std::array<core::PersonRecord, 4> make_records() {
    std::array<core::PersonRecord, 4> out;
    for (std::size_t i = 0; i < out.size(); ++i) {
        auto& p = out[i].person;
        p.birth_date = core::make_date(1950 + static_cast<int>(i) * 20, 3, 9);
        p.sex = i % 2 == 0 ? core::Sex::Male : core::Sex::Female;
        p.categories = {core::kAllCategories[i], core::kAllCategories[i + 2]};
        if (i != 3) {
            p.severity = core::kAllSeverities[i];
        }
        p.dtks = i % 2 == 1;
        p.wgss[i] = static_cast<std::uint8_t>(i + 1);
        p.assistive_devices = {std::string(core::kAssistiveDevices[i])};
        p.therapies = {std::string(core::kTherapies[i])};
        p.address.kelurahan_code = i < 2 ? "64.74.01.1003" : "64.74.02.1001";
        out[i].kecamatan_code = p.address.kelurahan_code.substr(0, 8);
    }
    return out;
}

std::size_t characters(std::string_view s) {
    std::size_t n = 0;
    for (const char c : s) {
        n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
    }
    return n;
}

/// Well-formed UTF-8 (what a JSON response can carry), checked independently of the parser.
bool is_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80                 ? 1
                              : c >= 0xC2 && c <= 0xDF ? 2
                              : c >= 0xE0 && c <= 0xEF ? 3
                              : c >= 0xF0 && c <= 0xF4 ? 4
                                                       : 0;
        if (n == 0 || i + n > s.size()) {
            return false;
        }
        for (std::size_t k = 1; k < n; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0U) != 0x80U) {
                return false;
            }
        }
        i += n;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto records = make_records();
    const aid::RuleContext context{core::make_date(2026, 11, 28)};
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto rule = aid::parse_rule(text);
    if (!rule) {
        const auto& e = rule.error();
        if (e.code != ErrorCode::AidRuleInvalid || e.fields.size() != 1 ||
            e.fields[0].field != "rule" || e.fields[0].detail.rfind("posisi ", 0) != 0) {
            std::abort(); // a refusal names the field and the position
        }
        const std::string_view detail = e.fields[0].detail;
        const std::size_t colon = detail.find(':');
        if (colon == std::string_view::npos || colon + 2 >= detail.size()) {
            std::abort(); // ... and says what was expected
        }
        if (!is_utf8(detail) || detail.size() > 1000) {
            std::abort(); // what it echoes of the input stays short, printable UTF-8
        }
        const std::size_t at =
            std::strtoul(std::string(detail.substr(7, colon - 7)).c_str(), nullptr, 10);
        if (at < 1 || at > characters(text) + 1) {
            std::abort();
        }
        return 0;
    }
    if (!is_utf8(rule->text())) {
        std::abort(); // a stored rule's text can go into JSON
    }
    const std::string canonical = rule->canonical();
    const auto again = aid::parse_rule(canonical);
    if (!again || again->canonical() != canonical) {
        std::abort(); // the canonical form is a fixed point
    }
    for (const auto& r : records) {
        if (rule->matches(r, context) != again->matches(r, context)) {
            std::abort(); // ... with the same meaning
        }
    }
    return 0;
}
