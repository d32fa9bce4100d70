// The store contract for the dashboard's grouped counts (Store::person_stat_groups): the groups
// each backend's SQL makes equal those computed here person by person, ages on the birthday and
// the day before it included, months of the registration in WITA, areas and status filtered.

#include "kapal/core/ids.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/store/store_codec.hpp"
#include "kapal/store/store_contract.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace kapal::store::contract {
namespace {

using core::make_date;

const core::Date kToday = make_date(2026, 11, 29);
const std::vector<int> kBounds = {5, 18, 60};

int group_of(const core::Person& p) {
    if (!p.birth_date.ok() || p.birth_date > kToday) {
        return -1;
    }
    const int age = core::age_on(p.birth_date, kToday);
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
        if (age < kBounds[i]) {
            return static_cast<int>(i);
        }
    }
    return static_cast<int>(kBounds.size());
}

using ProfileKey = std::tuple<std::string, std::string, std::int64_t, std::string, int>;

std::map<ProfileKey, std::int64_t> profiles_of(const PersonStatGroups& groups) {
    std::map<ProfileKey, std::int64_t> out;
    for (const auto& g : groups.profiles) {
        out[{g.kecamatan_code, g.sex, g.categories, g.severity, g.age_group}] += g.count;
    }
    return out;
}

std::map<std::pair<std::string, std::string>, std::int64_t> months_of(const PersonStatGroups& g) {
    std::map<std::pair<std::string, std::string>, std::int64_t> out;
    for (const auto& m : g.new_registrations) {
        out[{m.kecamatan_code, m.month}] += m.count;
    }
    return out;
}

TEST_P(StoreContract, StatGroupsEqualTheCountsOfEachPerson) {
    // Birthdays on the day, the day after and before it, a leap day, none, one in the future.
    const std::vector<core::Date> births = {make_date(2021, 11, 29),
                                            make_date(2021, 11, 30),
                                            make_date(2008, 11, 29),
                                            make_date(2008, 12, 1),
                                            make_date(1966, 11, 29),
                                            make_date(1966, 11, 30),
                                            make_date(2000, 2, 29),
                                            core::Date{},
                                            make_date(2027, 1, 1),
                                            make_date(1950, 1, 1)};
    const std::vector<std::string> kelurahan = {"64.74.01.1003", "64.74.02.1001", "64.74.03.1002"};
    // Instants on both sides of a WITA midnight at a month's end (16:00 UTC is 00:00 WITA).
    const auto base = std::chrono::sys_days{make_date(2026, 9, 30)};
    const std::vector<core::Timestamp> created = {
        core::Timestamp{base + std::chrono::hours(15) + std::chrono::minutes(59)},
        core::Timestamp{base + std::chrono::hours(16)},
        core::Timestamp{base - std::chrono::days(70)},
        core::Timestamp{base + std::chrono::days(40)}};
    std::vector<std::pair<core::Person, core::Timestamp>> persons;
    for (int n = 0; n < 40; ++n) {
        core::Person p = full_person(n + 1);
        p.birth_date = births[static_cast<std::size_t>(n) % births.size()];
        p.address.kelurahan_code = kelurahan[static_cast<std::size_t>(n) % kelurahan.size()];
        p.sex = n % 3 == 0 ? core::Sex::Male : core::Sex::Female;
        p.categories = n % 4 == 0
                           ? std::vector{core::Category::Fisik}
                           : std::vector{core::Category::Mental, core::Category::SensorikRungu};
        if (n % 5 == 0) {
            p.severity.reset();
        } else {
            p.severity =
                n % 2 == 0 ? core::DisabilitySeverity::Berat : core::DisabilitySeverity::Ringan;
        }
        p.status = n % 7 == 0 ? core::Status::Meninggal : core::Status::Aktif;
        if (p.status != core::Status::Aktif) {
            p.status_date = make_date(2026, 10, 1);
        }
        const core::Timestamp at = created[static_cast<std::size_t>(n) % created.size()];
        const core::PersonId id(core::format_uuid_v7(at, static_cast<std::uint64_t>(n), 99U));
        auto made = store().create_person(id,
                                          p,
                                          core::kecamatan_of(p.address.kelurahan_code),
                                          WriteContext{"u", "t", at, ""},
                                          std::nullopt);
        ASSERT_TRUE(made.has_value()) << made.error().message;
        persons.emplace_back(p, at);
    }

    for (const auto& scope : std::vector<std::vector<std::string>>{{}, {"64.74.02", "64.74.03"}}) {
        for (const auto status :
             std::vector<std::optional<core::Status>>{std::nullopt, core::Status::Aktif}) {
            PersonStatsQuery q;
            q.scope_area_codes = scope;
            q.status = status;
            q.today = kToday;
            q.age_bounds = kBounds;
            q.new_since_ms = core::to_unix_ms(created[0]); // the September instant and later
            auto groups = store().person_stat_groups(q);
            ASSERT_TRUE(groups.has_value()) << groups.error().message;

            std::map<ProfileKey, std::int64_t> want;
            std::map<std::pair<std::string, std::string>, std::int64_t> want_months;
            for (const auto& [p, at] : persons) {
                const bool in_scope =
                    scope.empty() || std::any_of(scope.begin(), scope.end(), [&](const auto& c) {
                        return core::code_within(p.address.kelurahan_code, c);
                    });
                if (!in_scope) {
                    continue;
                }
                const std::string kecamatan = core::kecamatan_of(p.address.kelurahan_code);
                if (at >= created[0]) {
                    const auto d = core::wita_date(at);
                    char month[16];
                    std::snprintf(month,
                                  sizeof month,
                                  "%04d-%02u",
                                  static_cast<int>(d.year()),
                                  static_cast<unsigned>(d.month()));
                    ++want_months[{kecamatan, month}];
                }
                if (status && p.status != *status) {
                    continue;
                }
                ++want[{kecamatan,
                        std::string(core::to_string(p.sex)),
                        category_mask(p.categories),
                        p.severity ? std::string(core::to_string(*p.severity)) : "",
                        group_of(p)}];
            }
            EXPECT_EQ(profiles_of(*groups), want);
            EXPECT_EQ(months_of(*groups), want_months);
            if (scope.empty()) {
                // 23:59 and 00:00 WITA at the end of September fall in two months.
                std::set<std::string> seen;
                for (const auto& [key, count] : months_of(*groups)) {
                    seen.insert(key.second);
                }
                EXPECT_EQ(seen, (std::set<std::string>{"2026-09", "2026-10", "2026-11"}));
            }
        }
    }
    PersonStatsQuery bad;
    bad.age_bounds = {18, 5};
    EXPECT_EQ(store().person_stat_groups(bad).error().code, ErrorCode::InvalidArgument);
}

} // namespace
} // namespace kapal::store::contract
