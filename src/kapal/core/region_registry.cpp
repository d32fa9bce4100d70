#include "kapal/core/region_registry.hpp"

#include "kapal/core/text.hpp"

#include <algorithm>
#include <array>

namespace kapal::core {
namespace {

constexpr std::array<std::pair<std::string_view, RegionLevel>, 7> kLevels = {{
    {"provinsi", RegionLevel::Provinsi},
    {"kabupaten", RegionLevel::Kabupaten},
    {"kota", RegionLevel::Kota},
    {"kecamatan", RegionLevel::Kecamatan},
    {"kelurahan", RegionLevel::Kelurahan},
    {"desa", RegionLevel::Desa},
    {"desa_adat", RegionLevel::DesaAdat},
}};

bool is_village_level(RegionLevel level) {
    return level == RegionLevel::Kelurahan || level == RegionLevel::Desa ||
           level == RegionLevel::DesaAdat;
}

bool looks_like_code(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == '.';
    });
}

} // namespace

std::string_view to_string(RegionLevel level) {
    for (const auto& [name, value] : kLevels) {
        if (value == level) {
            return name;
        }
    }
    return "kelurahan";
}

std::optional<RegionLevel> parse_region_level(std::string_view text) {
    for (const auto& [name, value] : kLevels) {
        if (name == text) {
            return value;
        }
    }
    return std::nullopt;
}

bool code_within(std::string_view code, std::string_view area) {
    if (area.empty()) {
        return true;
    }
    if (code.size() < area.size() || code.substr(0, area.size()) != area) {
        return false;
    }
    return code.size() == area.size() || code[area.size()] == '.';
}

void RegionRegistry::add(Region region) {
    const std::string code = region.code;
    by_folded_name_.emplace(fold_key(region.name), code);
    by_code_.insert_or_assign(code, std::move(region));
}

void RegionRegistry::add_alias(std::string_view code, std::string_view alias) {
    by_folded_name_.emplace(fold_key(alias), std::string(code));
}

void RegionRegistry::add_nik_prefix(std::string_view six_digits) {
    nik_prefixes_.emplace(six_digits);
}

const Region* RegionRegistry::find(std::string_view code) const {
    const auto it = by_code_.find(std::string(code));
    return it == by_code_.end() ? nullptr : &it->second;
}

bool RegionRegistry::is_village(std::string_view code) const {
    const Region* r = find(code);
    return r != nullptr && is_village_level(r->level);
}

const Region* RegionRegistry::find_by_name(std::string_view name,
                                           std::string_view within_code,
                                           bool village) const {
    const std::string_view trimmed = trim(name);
    if (looks_like_code(trimmed)) {
        const Region* r = find(trimmed);
        if (r != nullptr && is_village_level(r->level) == village &&
            (village || r->level == RegionLevel::Kecamatan) && code_within(r->code, within_code)) {
            return r;
        }
        return nullptr;
    }
    std::string key = fold_key(trimmed);
    // "Kelurahan Lok Tuan", "Kel. Lok Tuan", "Kecamatan Bontang Utara", "Kec. Bontang Utara"
    for (std::string_view prefix : {"kelurahan", "kel", "desa", "kecamatan", "kec"}) {
        if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0 &&
            !by_folded_name_.contains(key)) {
            key.erase(0, prefix.size());
            break;
        }
    }
    const Region* found = nullptr;
    const auto [begin, end] = by_folded_name_.equal_range(key);
    for (auto it = begin; it != end; ++it) {
        const Region* r = find(it->second);
        if (r == nullptr || !code_within(r->code, within_code)) {
            continue;
        }
        if (village ? !is_village_level(r->level) : r->level != RegionLevel::Kecamatan) {
            continue;
        }
        if (found != nullptr && found != r) {
            return nullptr; // ambiguous
        }
        found = r;
    }
    return found;
}

const Region* RegionRegistry::find_village(std::string_view name_or_code,
                                           std::string_view within_code) const {
    return find_by_name(name_or_code, within_code, true);
}

const Region* RegionRegistry::find_kecamatan(std::string_view name_or_code,
                                             std::string_view within_code) const {
    return find_by_name(name_or_code, within_code, false);
}

bool RegionRegistry::is_known_nik_prefix(std::string_view six_digits) const {
    return nik_prefixes_.contains(std::string(six_digits));
}

std::vector<const Region*> RegionRegistry::children(std::string_view code) const {
    std::vector<const Region*> out;
    for (const auto& [c, r] : by_code_) {
        if (r.parent_code == code) {
            out.push_back(&r);
        }
    }
    std::sort(
        out.begin(), out.end(), [](const Region* a, const Region* b) { return a->code < b->code; });
    return out;
}

} // namespace kapal::core
