#include "kapal/service/person_needs.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace kapal::service {
namespace {

constexpr std::array<std::string_view, 5> kMobilityDevices = {
    "kursi_roda", "kruk", "tongkat", "walker", "kaki_palsu"};

bool has_device(const core::Person& p, std::string_view code) {
    return std::find(p.assistive_devices.begin(), p.assistive_devices.end(), code) !=
           p.assistive_devices.end();
}

bool has_category(const core::Person& p, core::Category c) {
    return std::find(p.categories.begin(), p.categories.end(), c) != p.categories.end();
}

/// A Washington Group answer of "a lot of difficulty" (3) or "cannot do at all" (4).
bool wg_severe(const core::Person& p, core::WgDomain d) {
    const auto& answer = p.wgss[static_cast<std::size_t>(d)];
    return answer && *answer >= 3;
}

} // namespace

PersonNeeds person_needs(const core::Person& p) {
    using core::Category;
    using core::WgDomain;
    PersonNeeds n;
    n.devices = p.assistive_devices;
    n.mobility = std::any_of(kMobilityDevices.begin(),
                             kMobilityDevices.end(),
                             [&](std::string_view d) { return has_device(p, d); }) ||
                 wg_severe(p, WgDomain::Walking);
    n.blind = has_category(p, Category::SensorikNetra) || has_device(p, "tongkat_netra") ||
              has_device(p, "braille") || wg_severe(p, WgDomain::Seeing);
    n.deaf = has_category(p, Category::SensorikRungu) || has_device(p, "alat_bantu_dengar") ||
             wg_severe(p, WgDomain::Hearing);
    n.communication = has_category(p, Category::SensorikWicara) ||
                      has_category(p, Category::Intelektual) ||
                      wg_severe(p, WgDomain::Communication);
    return n;
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
    std::string out;
    for (const auto& p : parts) {
        out += (out.empty() ? "" : separator) + p;
    }
    return out;
}

std::string needs_text(const PersonNeeds& n) {
    std::vector<std::string> words;
    if (n.mobility) {
        words.emplace_back("mobilitas");
    }
    if (n.blind) {
        words.emplace_back("netra");
    }
    if (n.deaf) {
        words.emplace_back("rungu");
    }
    if (n.communication) {
        words.emplace_back("komunikasi");
    }
    return join(words, ", ");
}

std::string caregiver_text(const core::Person& p) {
    if (!p.caregiver) {
        return {};
    }
    std::string out = p.caregiver->name;
    if (!p.caregiver->relationship.empty()) {
        out += " (" + p.caregiver->relationship + ")";
    }
    return out;
}

std::string address_text(const core::Person& p) {
    std::string out = p.address.street;
    if (!p.address.rt.empty() || !p.address.rw.empty()) {
        out +=
            (out.empty() ? "" : ", ") + std::string("RT ") + p.address.rt + "/RW " + p.address.rw;
    }
    return out;
}

std::string age_text(const core::Person& p, core::Date on) {
    return p.birth_date.ok() ? std::to_string(core::age_on(p.birth_date, on)) : "";
}

} // namespace kapal::service
