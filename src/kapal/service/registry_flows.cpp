#include "kapal/service/registry_flows.hpp"

#include "kapal/core/region_registry.hpp"
#include "kapal/service/stats_service.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace kapal::service {
namespace {

using store::RegistryState;
using Field = std::int64_t FlowCounts::*;

bool aktif(const RegistryState& s) {
    return s.status == core::Status::Aktif;
}

/// What a person leaving an area (or the union) became: `next` is their new state.
Field departure(const RegistryState& next) {
    switch (next.status) {
    case core::Status::Aktif: // still registered, in another area
    case core::Status::Pindah:
        return &FlowCounts::moved_out;
    case core::Status::Meninggal:
        return &FlowCounts::deceased;
    case core::Status::Nonaktif:
        return &FlowCounts::deactivated;
    }
    return &FlowCounts::moved_out;
}

/// How a person arrived in an area (or the union): `prev` is their state before (none: new).
Field arrival(const RegistryState* prev) {
    if (prev == nullptr) {
        return &FlowCounts::registered;
    }
    switch (prev->status) {
    case core::Status::Aktif: // registered in another area
    case core::Status::Pindah:
        return &FlowCounts::moved_in;
    case core::Status::Meninggal:
    case core::Status::Nonaktif:
        return &FlowCounts::reactivated;
    }
    return &FlowCounts::moved_in;
}

/// The first `parts` dotted parts of a code ("64.74.01.1003", 3 → "64.74.01").
std::string_view code_prefix(std::string_view code, int parts) {
    std::size_t at = 0;
    for (int i = 0; i < parts; ++i) {
        const auto dot = code.find('.', at);
        if (dot == std::string_view::npos) {
            return code;
        }
        if (i + 1 == parts) {
            return code.substr(0, dot);
        }
        at = dot + 1;
    }
    return code;
}

int parts_of(AreaLevel level) {
    switch (level) {
    case AreaLevel::Kota:
        return 2;
    case AreaLevel::Kecamatan:
        return 3;
    case AreaLevel::Kelurahan:
        return 4;
    }
    return 4;
}

std::optional<int> digits(std::string_view text) {
    int v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || text[0] == '+' ||
        text[0] == '-') {
        return std::nullopt;
    }
    return v;
}

core::Date month_start(int year, int month) {
    return core::make_date(year, static_cast<unsigned>(month), 1);
}

void init_breakdown(AreaFlows& a) {
    for (const auto c : core::kAllCategories) {
        a.categories.push_back({std::string(core::to_string(c)), {}});
    }
    a.sexes = {{"L", {}}, {"P", {}}};
    for (const auto g : kAgeGroups) {
        a.age_groups.push_back({std::string(g), {}});
    }
    a.age_groups.push_back({std::string(kUnknownAgeGroup), {}});
    a.severities = {{"ringan", {}}, {"sedang", {}}, {"berat", {}}, {"tidak_diisi", {}}};
}

} // namespace

/// The breakdown cells one person counts in, for one period.
struct FlowsBuilder::Cells {
    std::array<std::size_t, core::kAllCategories.size()> categories{};
    std::size_t category_count = 0;
    std::size_t sex = 0;
    std::size_t age = 0;
    std::size_t severity = 0;
};

std::string_view to_string(AreaLevel level) {
    switch (level) {
    case AreaLevel::Kota:
        return "kota";
    case AreaLevel::Kecamatan:
        return "kecamatan";
    case AreaLevel::Kelurahan:
        return "kelurahan";
    }
    return "kelurahan";
}

core::Timestamp Period::from_instant() const {
    return core::Timestamp{std::chrono::sys_days(from) - core::kWitaOffset};
}

core::Timestamp Period::to_instant() const {
    return core::Timestamp{std::chrono::sys_days(to) - core::kWitaOffset};
}

std::optional<Period> parse_period(std::string_view text) {
    if (text.size() < 4) {
        return std::nullopt;
    }
    const auto year = digits(text.substr(0, 4));
    if (!year || *year < 1900) {
        return std::nullopt;
    }
    Period p;
    p.label = std::string(text);
    if (text.size() == 4) {
        p.from = month_start(*year, 1);
        p.to = month_start(*year + 1, 1);
        return p;
    }
    if (text.size() == 7 && text[4] == '-' && text[5] == 'Q') {
        const auto q = digits(text.substr(6, 1));
        if (!q || *q < 1 || *q > 4) {
            return std::nullopt;
        }
        p.from = month_start(*year, *q * 3 - 2);
        p.to = *q == 4 ? month_start(*year + 1, 1) : month_start(*year, *q * 3 + 1);
        return p;
    }
    if (text.size() == 7 && text[4] == '-') {
        const auto m = digits(text.substr(5, 2));
        if (!m || *m < 1 || *m > 12) {
            return std::nullopt;
        }
        p.from = month_start(*year, *m);
        p.to = *m == 12 ? month_start(*year + 1, 1) : month_start(*year, *m + 1);
        return p;
    }
    return std::nullopt;
}

std::vector<Period> last_months(core::Date today, int count) {
    const int now = static_cast<int>(today.year()) * 12 +
                    static_cast<int>(static_cast<unsigned>(today.month())) - 1;
    std::vector<Period> out;
    for (int n = now - count + 1; n <= now; ++n) {
        char label[16];
        std::snprintf(label, sizeof label, "%04d-%02d", n / 12, n % 12 + 1);
        Period p;
        p.from = month_start(n / 12, n % 12 + 1);
        p.to = month_start((n + 1) / 12, (n + 1) % 12 + 1);
        p.label = label;
        out.push_back(std::move(p));
    }
    return out;
}

FlowsBuilder::FlowsBuilder(std::vector<std::pair<std::string, std::string>> areas,
                           AreaLevel level,
                           std::vector<Period> periods,
                           bool breakdown)
    : level_(level)
    , breakdown_(breakdown) {
    for (std::size_t i = 0; i < areas.size(); ++i) {
        area_index_.emplace(areas[i].first, static_cast<int>(i));
    }
    for (auto& period : periods) {
        PeriodFlows f;
        f.period = std::move(period);
        for (const auto& [code, name] : areas) {
            AreaFlows a;
            a.code = code;
            a.name = name;
            if (breakdown_) {
                init_breakdown(a);
            }
            f.areas.push_back(std::move(a));
        }
        if (breakdown_) {
            init_breakdown(f.total);
        }
        flows_.push_back(std::move(f));
    }
}

int FlowsBuilder::area_of(const RegistryState& s) {
    const auto known = kelurahan_area_.find(s.kelurahan_code);
    if (known != kelurahan_area_.end()) {
        return known->second;
    }
    const auto found = area_index_.find(std::string(area_code_at(s.kelurahan_code, level_)));
    const int area = found == area_index_.end() ? -1 : found->second;
    kelurahan_area_.emplace(s.kelurahan_code, area);
    return area;
}

void FlowsBuilder::add_person(std::span<const RegistryState> states) {
    // Versions written at one instant (an import batch that created and changed a row) count
    // as their last one: nobody can have been registered in between.
    collapsed_.clear();
    for (const auto& s : states) {
        if (!collapsed_.empty() && collapsed_.back().at == s.at) {
            collapsed_.back() = s;
        } else {
            collapsed_.push_back(s);
        }
    }
    for (std::size_t p = 0; p < flows_.size(); ++p) {
        count_person(p, collapsed_);
    }
}

void FlowsBuilder::count_person(std::size_t period, std::span<const RegistryState> st) {
    PeriodFlows& f = flows_[period];
    const core::Timestamp from = f.period.from_instant();
    const core::Timestamp to = f.period.to_instant();
    const auto before = [&](core::Timestamp t) {
        return static_cast<std::size_t>(
            std::partition_point(
                st.begin(), st.end(), [t](const RegistryState& s) { return s.at < t; }) -
            st.begin());
    };
    const std::size_t k = before(from);
    const std::size_t m = before(to);
    if (m == 0) {
        return; // not yet registered when the period ended
    }
    Cells cells;
    if (breakdown_) {
        const RegistryState& last = st[m - 1];
        for (std::size_t i = 0; i < core::kAllCategories.size(); ++i) {
            if ((last.categories >> i) & 1) {
                cells.categories[cells.category_count++] = i;
            }
        }
        cells.sex = last.sex == core::Sex::Male ? 0 : 1;
        const core::Date last_day{std::chrono::sys_days(f.period.to) - std::chrono::days(1)};
        cells.age = kAgeGroups.size(); // tidak_diketahui
        if (last.birth_date.ok() && last.birth_date <= last_day) {
            const auto group = age_group(core::age_on(last.birth_date, last_day));
            cells.age = static_cast<std::size_t>(
                std::find(kAgeGroups.begin(), kAgeGroups.end(), group) - kAgeGroups.begin());
        }
        cells.severity = last.severity ? static_cast<std::size_t>(*last.severity) : 3;
    }
    const auto bump = [&](AreaFlows& a, Field field) {
        ++(a.counts.*field);
        if (!breakdown_) {
            return;
        }
        for (std::size_t i = 0; i < cells.category_count; ++i) {
            ++(a.categories[cells.categories[i]].counts.*field);
        }
        ++(a.sexes[cells.sex].counts.*field);
        ++(a.age_groups[cells.age].counts.*field);
        ++(a.severities[cells.severity].counts.*field);
    };
    const auto member_area = [&](const RegistryState* s) {
        return s != nullptr && aktif(*s) ? area_of(*s) : -1;
    };
    const auto stock = [&](const RegistryState* s, Field field) {
        const int a = member_area(s);
        if (a >= 0) {
            bump(f.areas[static_cast<std::size_t>(a)], field);
            bump(f.total, field);
        }
    };
    stock(k > 0 ? &st[k - 1] : nullptr, &FlowCounts::start);
    for (std::size_t j = k; j < m; ++j) {
        const RegistryState* prev = j > 0 ? &st[j - 1] : nullptr;
        const RegistryState& next = st[j];
        const int was = member_area(prev);
        const int is = member_area(&next);
        if (was == is) {
            continue;
        }
        if (was >= 0) {
            bump(f.areas[static_cast<std::size_t>(was)], departure(next));
        }
        if (is >= 0) {
            bump(f.areas[static_cast<std::size_t>(is)], arrival(prev));
        }
        if (was >= 0 && is < 0) {
            bump(f.total, departure(next));
        } else if (was < 0 && is >= 0) {
            bump(f.total, arrival(prev));
        }
    }
    stock(&st[m - 1], &FlowCounts::end);
}

std::string_view area_code_at(std::string_view kelurahan_code, AreaLevel level) {
    return code_prefix(kelurahan_code, parts_of(level));
}

std::vector<std::pair<std::string, std::string>>
areas_in_scope(const ReferenceData& ref, const Actor& actor, AreaLevel level) {
    std::vector<std::pair<std::string, std::string>> areas;
    for (const auto& a : ref.areas) {
        if (a.level != to_string(level)) {
            continue;
        }
        const bool inside =
            actor.scope_area_codes.empty() ||
            std::any_of(actor.scope_area_codes.begin(),
                        actor.scope_area_codes.end(),
                        [&](const std::string& s) { return core::code_within(a.code, s); });
        if (inside) {
            areas.emplace_back(a.code, a.name);
        }
    }
    return areas;
}

Result<std::vector<PeriodFlows>> compute_flows(store::Store& store,
                                               const ReferenceData& ref,
                                               const Actor& actor,
                                               AreaLevel level,
                                               std::vector<Period> periods,
                                               bool breakdown) {
    if (periods.empty()) {
        return fail(ErrorCode::InvalidArgument, "no period");
    }
    core::Timestamp last_end{};
    for (const auto& p : periods) {
        if (!p.from.ok() || !p.to.ok() || !(p.from < p.to)) {
            return fail(ErrorCode::InvalidArgument, "a period must end after it starts");
        }
        last_end = std::max(last_end, p.to_instant());
    }
    FlowsBuilder builder(areas_in_scope(ref, actor, level), level, std::move(periods), breakdown);
    std::vector<store::RegistryState> person;
    auto scanned =
        store.scan_registry_states(last_end, [&](const store::RegistryState& s) -> Result<void> {
            if (!person.empty() && person.back().person != s.person) {
                builder.add_person(person);
                person.clear();
            }
            person.push_back(s);
            return {};
        });
    if (!scanned) {
        return fail(std::move(scanned).error());
    }
    if (!person.empty()) {
        builder.add_person(person);
    }
    return builder.result();
}

} // namespace kapal::service
