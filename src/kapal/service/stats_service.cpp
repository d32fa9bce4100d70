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

void StatsBuilder::bump(std::vector<KeyCount>& counts, std::string_view key, std::size_t n) {
    for (auto& c : counts) {
        if (c.key == key) {
            c.count += n;
            return;
        }
    }
}

std::int64_t StatsBuilder::window_start_ms() const {
    const core::Date first =
        core::make_date(first_month_ / 12, static_cast<unsigned>(first_month_ % 12 + 1), 1);
    const auto midnight_utc = std::chrono::sys_days{first};
    // 00:00 WITA is 16:00 UTC the day before.
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               (midnight_utc - std::chrono::hours(8)).time_since_epoch())
        .count();
}

void StatsBuilder::add(const store::PersonProfileGroup& g) {
    const auto n = static_cast<std::size_t>(g.count);
    stats_.total += n;
    for (const auto c : core::kAllCategories) {
        if ((g.categories & (std::int64_t{1} << static_cast<int>(c))) != 0) {
            bump(stats_.categories, core::to_string(c), n);
        }
    }
    bump(stats_.sexes, g.sex, n);
    if (g.age_group >= 0 && static_cast<std::size_t>(g.age_group) < kAgeGroups.size()) {
        bump(stats_.age_groups, kAgeGroups[static_cast<std::size_t>(g.age_group)], n);
    }
    bump(stats_.severities, g.severity.empty() ? "tidak_diisi" : g.severity, n);
    for (auto& area : stats_.kecamatan) {
        if (area.code == g.kecamatan_code) {
            area.count += n;
        }
    }
}

void StatsBuilder::add(const store::MonthCount& m) {
    int year = 0;
    int month = 0;
    if (std::sscanf(m.month.c_str(), "%4d-%2d", &year, &month) != 2) {
        return;
    }
    const int index = year * 12 + month - 1 - first_month_;
    if (index < 0 || static_cast<std::size_t>(index) >= stats_.months.size()) {
        return;
    }
    const auto n = static_cast<std::size_t>(m.count);
    stats_.months_total[static_cast<std::size_t>(index)] += n;
    for (auto& area : stats_.kecamatan) {
        if (area.code == m.kecamatan_code) {
            area.months[static_cast<std::size_t>(index)] += n;
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
    const core::Date today = core::wita_date(clock.now());
    StatsBuilder builder(std::move(kecamatan), today, months, status);
    store::PersonStatsQuery query;
    query.scope_area_codes = actor.scope_area_codes;
    query.status = status;
    query.today = today;
    query.age_bounds.assign(kAgeBounds.begin(), kAgeBounds.end());
    query.new_since_ms = builder.window_start_ms();
    KAPAL_ASSIGN_OR_RETURN(groups, persons.store().person_stat_groups(query));
    for (const auto& g : groups.profiles) {
        builder.add(g);
    }
    for (const auto& m : groups.new_registrations) {
        builder.add(m);
    }
    return builder.result();
}

} // namespace kapal::service
