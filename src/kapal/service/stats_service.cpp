#include "kapal/service/stats_service.hpp"

#include "kapal/core/region_registry.hpp"

#include <algorithm>
#include <cstdio>

namespace kapal::service {
namespace {

int month_number(core::Date d) {
    return static_cast<int>(d.year()) * 12 + static_cast<int>(static_cast<unsigned>(d.month())) - 1;
}

std::string month_label(int number) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d", number / 12, number % 12 + 1);
    return buf;
}

/// True when the area `code` and the scope overlap (one lies within the other).
bool in_scope(const std::string& code, const Actor& actor) {
    if (actor.scope_area_codes.empty()) {
        return true;
    }
    return std::any_of(
        actor.scope_area_codes.begin(), actor.scope_area_codes.end(), [&](const std::string& a) {
            return core::code_within(code, a) || core::code_within(a, code);
        });
}

} // namespace

std::string_view age_group(int years) {
    if (years < 5) {
        return kAgeGroups[0];
    }
    if (years < 18) {
        return kAgeGroups[1];
    }
    if (years < 60) {
        return kAgeGroups[2];
    }
    return kAgeGroups[3];
}

StatsBuilder::StatsBuilder(std::vector<std::pair<std::string, std::string>> kecamatan,
                           core::Date today,
                           int months,
                           std::optional<core::Status> status)
    : today_(today) {
    stats_.status = status;
    for (const auto c : {core::Category::Fisik,
                         core::Category::Intelektual,
                         core::Category::Mental,
                         core::Category::SensorikNetra,
                         core::Category::SensorikRungu,
                         core::Category::SensorikWicara}) {
        stats_.categories.push_back({std::string(core::to_string(c)), 0});
    }
    stats_.sexes = {{"L", 0}, {"P", 0}};
    for (const auto g : kAgeGroups) {
        stats_.age_groups.push_back({std::string(g), 0});
    }
    stats_.severities = {{"ringan", 0}, {"sedang", 0}, {"berat", 0}, {"tidak_diisi", 0}};
    const auto count = static_cast<std::size_t>(std::clamp(months, 1, 120));
    first_month_ = month_number(today) - static_cast<int>(count) + 1;
    for (std::size_t i = 0; i < count; ++i) {
        stats_.months.push_back(month_label(first_month_ + static_cast<int>(i)));
    }
    stats_.months_total.assign(count, 0);
    for (auto& [code, name] : kecamatan) {
        stats_.kecamatan.push_back(
            {std::move(code), std::move(name), 0, std::vector<std::size_t>(count, 0)});
    }
}

void StatsBuilder::bump(std::vector<KeyCount>& counts, std::string_view key) {
    for (auto& c : counts) {
        if (c.key == key) {
            ++c.count;
            return;
        }
    }
}

void StatsBuilder::add(const core::PersonRecord& record) {
    const auto& p = record.person;
    auto area = std::find_if(stats_.kecamatan.begin(),
                             stats_.kecamatan.end(),
                             [&](const AreaSeries& a) { return a.code == record.kecamatan_code; });
    const int month = month_number(core::wita_date(record.created_at)) - first_month_;
    if (month >= 0 && static_cast<std::size_t>(month) < stats_.months.size()) {
        ++stats_.months_total[static_cast<std::size_t>(month)];
        if (area != stats_.kecamatan.end()) {
            ++area->months[static_cast<std::size_t>(month)];
        }
    }
    if (stats_.status && p.status != *stats_.status) {
        return;
    }
    ++stats_.total;
    for (const auto c : p.categories) {
        bump(stats_.categories, core::to_string(c));
    }
    bump(stats_.sexes, core::to_string(p.sex));
    if (p.birth_date.ok() && p.birth_date <= today_) {
        bump(stats_.age_groups, age_group(core::age_on(p.birth_date, today_)));
    }
    bump(stats_.severities, p.severity ? core::to_string(*p.severity) : "tidak_diisi");
    if (area != stats_.kecamatan.end()) {
        ++area->count;
    }
}

Result<Stats> compute_stats(PersonService& persons,
                            const ReferenceData& ref,
                            const core::Clock& clock,
                            const Actor& actor,
                            std::optional<core::Status> status,
                            int months) {
    std::vector<std::pair<std::string, std::string>> kecamatan;
    for (const auto& k : ref.kecamatan) {
        if (in_scope(k.code, actor)) {
            kecamatan.emplace_back(k.code, k.name);
        }
    }
    StatsBuilder builder(std::move(kecamatan), core::wita_date(clock.now()), months, status);
    store::PersonQuery query;
    query.limit = 1000;
    for (;;) {
        auto page = persons.list(query, actor);
        if (!page) {
            return fail(std::move(page).error());
        }
        for (const auto& record : page->items) {
            builder.add(record);
        }
        if (page->next_cursor.empty()) {
            break;
        }
        query.cursor = page->next_cursor;
    }
    return builder.result();
}

} // namespace kapal::service
