#include "kapal/service/indicators.hpp"

#include "kapal/geo/geojson.hpp"
#include "kapal/geo/geometry.hpp"
#include "kapal/service/facility_service.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kapal::service {
namespace {

using store::RegistryState;

core::Timestamp wita_midnight(core::Date day) {
    return core::Timestamp{std::chrono::sys_days(day) - core::kWitaOffset};
}

/// 1 January (WITA) of the year the instant before `end` falls in (WITA): the start of the
/// "this year" aid window of a period ending at `end`.
core::Timestamp year_start_before(core::Timestamp end) {
    const auto last = end - std::chrono::milliseconds(1) + core::kWitaOffset;
    const core::Date day{std::chrono::floor<std::chrono::days>(last)};
    return wita_midnight(core::make_date(static_cast<int>(day.year()), 1, 1));
}

/// A hazard zone read for point tests.
struct Zone {
    geo::MultiPolygon shape;
    geo::BBox box;
};

/// Whether a facility lies within `far_m` of `at` (great circle), after a cheap bound on the
/// latitude difference.
bool any_within(const std::vector<geo::LonLat>& facilities, geo::LonLat at, double far_m) {
    const double max_dlat = far_m / 111'000.0 + 1e-6;
    for (const auto& f : facilities) {
        if (std::abs(f.lat - at.lat) > max_dlat) {
            continue;
        }
        if (geo::haversine_m(f, at) <= far_m) {
            return true;
        }
    }
    return false;
}

std::string two_digits(int v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", v);
    return buf;
}

} // namespace

Period previous_period(const Period& p) {
    const auto& label = p.label;
    const int year = static_cast<int>(p.from.year());
    if (label.size() == 4) {
        return *parse_period(std::to_string(year - 1));
    }
    if (label.size() == 7 && label[5] == 'Q') {
        const int q = (static_cast<int>(static_cast<unsigned>(p.from.month())) - 1) / 3 + 1;
        return *parse_period(q == 1 ? std::to_string(year - 1) + "-Q4"
                                    : std::to_string(year) + "-Q" + std::to_string(q - 1));
    }
    if (label.size() == 7) {
        const int m = static_cast<int>(static_cast<unsigned>(p.from.month()));
        return *parse_period(m == 1 ? std::to_string(year - 1) + "-12"
                                    : std::to_string(year) + "-" + two_digits(m - 1));
    }
    const auto days = std::chrono::sys_days(p.to) - std::chrono::sys_days(p.from);
    Period out;
    out.from = core::Date{std::chrono::sys_days(p.from) - days};
    out.to = p.from;
    out.label = core::format_date(out.from) + ".." + core::format_date(out.to);
    return out;
}

std::optional<double> IndicatorCounts::per_1000() const {
    if (!population || *population <= 0) {
        return std::nullopt;
    }
    return static_cast<double>(registered) * 1000.0 / static_cast<double>(*population);
}

std::optional<double> IndicatorCounts::share(std::int64_t part, std::int64_t whole) {
    if (whole <= 0) {
        return std::nullopt;
    }
    return static_cast<double>(part) / static_cast<double>(whole);
}

IndicatorsBuilder::IndicatorsBuilder(std::vector<std::pair<std::string, std::string>> areas,
                                     AreaLevel level,
                                     std::array<core::Timestamp, 2> ends,
                                     std::array<core::Timestamp, 2> aid_from)
    : level_(level)
    , ends_(ends)
    , aid_from_(aid_from) {
    for (std::size_t i = 0; i < areas.size(); ++i) {
        area_index_.emplace(areas[i].first, static_cast<int>(i));
        AreaIndicators a;
        a.code = std::move(areas[i].first);
        a.name = std::move(areas[i].second);
        areas_.push_back(std::move(a));
    }
}

void IndicatorsBuilder::add_card(const store::CardSpan& card) {
    cards_.push_back(card);
    sorted_ = false;
}

void IndicatorsBuilder::add_aid(const store::DeliveredAid& aid) {
    aid_.push_back(aid);
    sorted_ = false;
}

void IndicatorsBuilder::add_home(std::int64_t person, bool in_hazard, bool far) {
    homes_.emplace_back(person,
                        static_cast<std::uint8_t>((in_hazard ? kInHazard : 0) | (far ? kFar : 0)));
    sorted_ = false;
}

void IndicatorsBuilder::sort_facts() {
    const auto by_person = [](const auto& a, const auto& b) {
        return a.person < b.person;
    };
    std::stable_sort(cards_.begin(), cards_.end(), by_person);
    std::stable_sort(aid_.begin(), aid_.end(), by_person);
    // A person's home given twice: the last one counts.
    std::stable_sort(homes_.begin(), homes_.end(), [](const auto& a, const auto& b) {
        return a.first < b.first;
    });
    std::vector<std::pair<std::int64_t, std::uint8_t>> unique;
    unique.reserve(homes_.size());
    for (const auto& h : homes_) {
        if (!unique.empty() && unique.back().first == h.first) {
            unique.back() = h;
        } else {
            unique.push_back(h);
        }
    }
    homes_ = std::move(unique);
    sorted_ = true;
}

int IndicatorsBuilder::area_of(const RegistryState& s) {
    const auto known = kelurahan_area_.find(s.kelurahan_code);
    if (known != kelurahan_area_.end()) {
        return known->second;
    }
    const auto found = area_index_.find(std::string(area_code_at(s.kelurahan_code, level_)));
    const int area = found == area_index_.end() ? -1 : found->second;
    kelurahan_area_.emplace(s.kelurahan_code, area);
    return area;
}

void IndicatorsBuilder::add_person(std::span<const RegistryState> states) {
    if (!sorted_) {
        sort_facts();
    }
    for (std::size_t which = 0; which < ends_.size(); ++which) {
        // The state in force just before the end: the last one written before it (of several
        // written at one instant, the last, as in the flows).
        const RegistryState* in_force = nullptr;
        for (const auto& s : states) {
            if (s.at < ends_[which]) {
                in_force = &s;
            }
        }
        if (in_force == nullptr || in_force->status != core::Status::Aktif) {
            continue;
        }
        const int area = area_of(*in_force);
        if (area >= 0) {
            count(which, area, in_force->person);
        }
    }
}

void IndicatorsBuilder::count(std::size_t which, int area, std::int64_t person) {
    const core::Timestamp end = ends_[which];
    const auto person_less = [](const auto& fact, std::int64_t p) {
        return fact.person < p;
    };
    bool card = false;
    for (auto it = std::lower_bound(cards_.begin(), cards_.end(), person, person_less);
         it != cards_.end() && it->person == person;
         ++it) {
        card = card || (it->issued_at < end && it->expires_at >= end &&
                        (!it->revoked_at || *it->revoked_at >= end));
    }
    bool reached = false;
    for (auto it = std::lower_bound(aid_.begin(), aid_.end(), person, person_less);
         it != aid_.end() && it->person == person;
         ++it) {
        reached = reached || (it->recorded_at >= aid_from_[which] && it->recorded_at < end);
    }
    const auto home =
        std::lower_bound(homes_.begin(), homes_.end(), person, [](const auto& h, std::int64_t p) {
            return h.first < p;
        });
    const bool located = home != homes_.end() && home->first == person;
    for (auto* a : {&areas_[static_cast<std::size_t>(area)], &total_}) {
        IndicatorCounts& c = which == 0 ? a->current : a->previous;
        ++c.registered;
        c.with_card += card ? 1 : 0;
        c.reached += reached ? 1 : 0;
        if (located) {
            ++c.located;
            c.in_hazard += (home->second & kInHazard) != 0 ? 1 : 0;
            c.far += (home->second & kFar) != 0 ? 1 : 0;
        }
    }
}

std::vector<AreaIndicators> IndicatorsBuilder::areas() const {
    return areas_;
}

AreaIndicators IndicatorsBuilder::total() const {
    return total_;
}

Result<IndicatorReport> compute_indicators(store::Store& store,
                                           const ReferenceData& ref,
                                           const Actor& actor,
                                           AreaLevel level,
                                           const Period& period,
                                           const IndicatorOptions& options) {
    if (!period.from.ok() || !period.to.ok() || !(period.from < period.to)) {
        return fail(ErrorCode::InvalidArgument, "a period must end after it starts");
    }
    if (!(options.far_m > 0) || options.far_m > kMaxCoverageM) {
        return fail(ErrorCode::InvalidArgument,
                    "far_m: a distance in metres above 0 and at most " +
                        std::to_string(static_cast<int>(kMaxCoverageM)));
    }
    if (!options.facility_kind.empty() && !parse_facility_kind(options.facility_kind)) {
        return fail(ErrorCode::InvalidArgument,
                    "facility_kind: unknown kind \"" + options.facility_kind + "\"");
    }
    IndicatorReport report;
    report.period = period;
    report.previous = previous_period(period);
    report.options = options;

    std::vector<Zone> zones;
    KAPAL_ASSIGN_OR_RETURN(zone_records, store.list_hazard_zones());
    for (const auto& z : zone_records) {
        auto shape = geo::parse_search_area(z.geometry, "geometry", 5'000'000);
        if (shape) { // an unreadable one cannot have been imported; skipped, not counted
            const auto box = geo::bbox_of(*shape);
            zones.push_back(Zone{std::move(*shape), box});
        }
    }
    report.hazard_zones = zones.size();
    std::vector<geo::LonLat> facilities;
    KAPAL_ASSIGN_OR_RETURN(facility_records, store.list_facilities());
    for (const auto& f : facility_records) {
        if (options.facility_kind.empty() || f.kind == options.facility_kind) {
            facilities.push_back(geo::LonLat{f.lon, f.lat});
        }
    }
    report.facilities = facilities.size();

    const std::array<core::Timestamp, 2> ends = {period.to_instant(), report.previous.to_instant()};
    const std::array<core::Timestamp, 2> aid_from = {year_start_before(ends[0]),
                                                     year_start_before(ends[1])};
    IndicatorsBuilder builder(areas_in_scope(ref, actor, level), level, ends, aid_from);
    store::IndicatorFactVisitors visit;
    visit.card = [&](const store::CardSpan& c) {
        builder.add_card(c);
    };
    visit.aid = [&](const store::DeliveredAid& a) {
        builder.add_aid(a);
    };
    visit.home = [&](const store::PersonHome& h) {
        const geo::LonLat at{h.lon, h.lat};
        const bool in_hazard = std::any_of(zones.begin(), zones.end(), [&](const Zone& z) {
            return at.lon >= z.box.min_lon && at.lon <= z.box.max_lon && at.lat >= z.box.min_lat &&
                   at.lat <= z.box.max_lat && geo::contains(z.shape, at);
        });
        builder.add_home(h.person, in_hazard, !any_within(facilities, at, options.far_m));
    };
    KAPAL_TRY(store.scan_indicator_facts(
        std::min(aid_from[0], aid_from[1]), std::max(ends[0], ends[1]), visit));

    std::vector<store::RegistryState> person;
    KAPAL_TRY(store.scan_registry_states(
        std::max(ends[0], ends[1]), [&](const store::RegistryState& s) -> Result<void> {
            if (!person.empty() && person.back().person != s.person) {
                builder.add_person(person);
                person.clear();
            }
            person.push_back(s);
            return {};
        }));
    if (!person.empty()) {
        builder.add_person(person);
    }

    const auto population_of = [&](const std::string& code) -> std::optional<std::int64_t> {
        for (const auto& p : ref.population) {
            if (p.code == code) {
                return p.population;
            }
        }
        return std::nullopt;
    };
    report.areas = builder.areas();
    report.total = builder.total();
    std::optional<std::int64_t> sum = 0;
    for (auto& a : report.areas) {
        a.current.population = a.previous.population = population_of(a.code);
        sum = sum && a.current.population ? std::optional(*sum + *a.current.population)
                                          : std::nullopt;
    }
    // The union's residents: the city's own figure for an unscoped caller, else the sum when
    // every area has one.
    const auto total_population =
        actor.scope_area_codes.empty() ? population_of(ref.city_code) : sum;
    report.total.current.population = report.total.previous.population =
        report.areas.empty() ? std::nullopt : total_population;
    return report;
}

} // namespace kapal::service
