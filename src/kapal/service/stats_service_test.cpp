#include "kapal/service/stats_service.hpp"

#include <gtest/gtest.h>

namespace kapal::service {
namespace {

using core::Category;
using core::make_date;

core::PersonRecord person(const std::string& kecamatan,
                          core::Sex sex,
                          core::Date birth,
                          std::vector<Category> categories,
                          std::optional<core::DisabilitySeverity> severity,
                          core::Status status,
                          core::Date created) {
    core::PersonRecord r;
    r.kecamatan_code = kecamatan;
    r.person.sex = sex;
    r.person.birth_date = birth;
    r.person.categories = std::move(categories);
    r.person.severity = severity;
    r.person.status = status;
    // 20:00 UTC is already the next day in WITA (UTC+8).
    r.created_at = std::chrono::sys_days(created) + std::chrono::hours(20) - std::chrono::days(1);
    return r;
}

std::size_t count_of(const std::vector<KeyCount>& counts, const std::string& key) {
    for (const auto& c : counts) {
        if (c.key == key) {
            return c.count;
        }
    }
    ADD_FAILURE() << "no key " << key;
    return 0;
}

TEST(AgeGroup, SplitsAtFiveEighteenAndSixty) {
    EXPECT_EQ(age_group(0), "balita");
    EXPECT_EQ(age_group(4), "balita");
    EXPECT_EQ(age_group(5), "anak");
    EXPECT_EQ(age_group(17), "anak");
    EXPECT_EQ(age_group(18), "dewasa");
    EXPECT_EQ(age_group(59), "dewasa");
    EXPECT_EQ(age_group(60), "lansia");
}

TEST(Stats, CountsEachFigureAndTheNewRegistrationsPerMonthAndKecamatan) {
    const auto today = make_date(2026, 11, 28);
    StatsBuilder b({{"64.74.01", "Bontang Utara"}, {"64.74.02", "Bontang Selatan"}},
                   today,
                   3,
                   core::Status::Aktif);
    using core::DisabilitySeverity;
    using core::Sex;
    using core::Status;
    // Born 28 Nov 2021: five today (anak), not balita.
    b.add(person("64.74.01",
                 Sex::Female,
                 make_date(2021, 11, 28),
                 {Category::Fisik, Category::Mental},
                 DisabilitySeverity::Berat,
                 Status::Aktif,
                 make_date(2026, 11, 1)));
    // Born 29 Nov 2021: four until tomorrow (balita).
    b.add(person("64.74.01",
                 Sex::Male,
                 make_date(2021, 11, 29),
                 {Category::Fisik},
                 std::nullopt,
                 Status::Aktif,
                 make_date(2026, 9, 30)));
    b.add(person("64.74.02",
                 Sex::Male,
                 make_date(1960, 1, 1),
                 {Category::SensorikNetra},
                 DisabilitySeverity::Ringan,
                 Status::Aktif,
                 make_date(2026, 10, 15)));
    // Deceased: not in the figures, but a new registration of its month all the same.
    b.add(person("64.74.02",
                 Sex::Female,
                 make_date(1980, 1, 1),
                 {Category::Fisik},
                 DisabilitySeverity::Sedang,
                 Status::Meninggal,
                 make_date(2026, 11, 2)));
    // Registered before the three months shown; in a kecamatan not reported.
    b.add(person("64.74.03",
                 Sex::Female,
                 make_date(1990, 6, 1),
                 {Category::Intelektual},
                 DisabilitySeverity::Sedang,
                 Status::Aktif,
                 make_date(2025, 1, 1)));
    const Stats s = b.result();
    EXPECT_EQ(s.total, 4U);
    EXPECT_EQ(count_of(s.categories, "fisik"), 2U);
    EXPECT_EQ(count_of(s.categories, "mental"), 1U);
    EXPECT_EQ(count_of(s.categories, "intelektual"), 1U);
    EXPECT_EQ(count_of(s.categories, "sensorik_wicara"), 0U);
    EXPECT_EQ(count_of(s.sexes, "L"), 2U);
    EXPECT_EQ(count_of(s.sexes, "P"), 2U);
    EXPECT_EQ(count_of(s.age_groups, "balita"), 1U);
    EXPECT_EQ(count_of(s.age_groups, "anak"), 1U);
    EXPECT_EQ(count_of(s.age_groups, "dewasa"), 1U);
    EXPECT_EQ(count_of(s.age_groups, "lansia"), 1U);
    EXPECT_EQ(count_of(s.severities, "tidak_diisi"), 1U);
    EXPECT_EQ(count_of(s.severities, "sedang"), 1U);
    EXPECT_EQ(s.months, (std::vector<std::string>{"2026-09", "2026-10", "2026-11"}));
    EXPECT_EQ(s.months_total, (std::vector<std::size_t>{1, 1, 2}));
    ASSERT_EQ(s.kecamatan.size(), 2U);
    EXPECT_EQ(s.kecamatan[0].count, 2U);
    EXPECT_EQ(s.kecamatan[0].months, (std::vector<std::size_t>{1, 0, 1}));
    EXPECT_EQ(s.kecamatan[1].count, 1U);
    EXPECT_EQ(s.kecamatan[1].months, (std::vector<std::size_t>{0, 1, 1}));
}

TEST(Stats, CountsTheMonthInWitaAndEveryStatusWhenAsked) {
    StatsBuilder b({}, make_date(2026, 1, 15), 2, std::nullopt);
    // 31 Dec 2025 20:00 UTC is 1 January 2026 04:00 WITA.
    b.add(person("64.74.01",
                 core::Sex::Male,
                 make_date(2000, 1, 1),
                 {Category::Fisik},
                 std::nullopt,
                 core::Status::Pindah,
                 make_date(2026, 1, 1)));
    const Stats s = b.result();
    EXPECT_EQ(s.months, (std::vector<std::string>{"2025-12", "2026-01"}));
    EXPECT_EQ(s.months_total, (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(s.total, 1U);
}

} // namespace
} // namespace kapal::service
