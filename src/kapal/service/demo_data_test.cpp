#include "kapal/service/demo_data.hpp"

#include "kapal/core/nik.hpp"
#include "kapal/core/person_rules.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/geo/area_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace kapal::service {
namespace {

using core::Category;
using core::Person;
using core::Sex;
using core::WgDomain;

std::string source_dir() {
    const char* dir = std::getenv("KAPAL_SOURCE_DIR");
    return dir != nullptr ? dir : ".";
}

// Seed of the generator under test: KAPAL_TEST_SEED overrides the default, and is printed.
std::uint64_t test_seed() {
    std::uint64_t seed = 1;
    if (const char* env = std::getenv("KAPAL_TEST_SEED"); env != nullptr && *env != '\0') {
        seed = std::strtoull(env, nullptr, 10);
    }
    std::cout << "[ seed     ] KAPAL_TEST_SEED=" << seed << '\n';
    return seed;
}

const geo::AreaIndex& kelurahan_index() {
    static const std::unique_ptr<geo::AreaIndex> kIndex = [] {
        auto features = geo::read_area_features(source_dir() + "/data/bontang_kelurahan.geojson");
        EXPECT_TRUE(features.has_value()) << features.error().message;
        auto index = geo::AreaIndex::create(std::move(features).value());
        EXPECT_TRUE(index.has_value());
        return std::make_unique<geo::AreaIndex>(std::move(index).value());
    }();
    return *kIndex;
}

// BPS 2024 (data/population_bontang.csv); Kemendagri codes: 01 Utara, 02 Selatan, 03 Barat.
const std::vector<KecamatanPopulation> kPopulation = {
    {"64.74.01", 89010}, {"64.74.02", 71167}, {"64.74.03", 31634}};

const core::Date kToday = core::make_date(2026, 11, 28);

DemoOptions options(std::size_t n, std::uint64_t seed) {
    DemoOptions o;
    o.persons = n;
    o.seed = seed;
    o.today = kToday;
    return o;
}

// The default set most tests look at: 2000 persons from the test seed, generated once.
const std::vector<Person>& demo() {
    static const std::vector<Person> kDemo =
        generate_demo_persons(options(2000, test_seed()), kelurahan_index(), kPopulation);
    return kDemo;
}

bool has(const Person& p, Category c) {
    return std::find(p.categories.begin(), p.categories.end(), c) != p.categories.end();
}

bool has_device(const Person& p, std::string_view d) {
    return std::find(p.assistive_devices.begin(), p.assistive_devices.end(), d) !=
           p.assistive_devices.end();
}

int wg(const Person& p, WgDomain d) {
    const auto& v = p.wgss[static_cast<std::size_t>(d)];
    return v ? *v : 0;
}

// Splits one RFC 4180 CSV line (quotes, doubled quotes); enough for the reference CSVs.
std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                out.back().push_back('"');
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                out.back().push_back(c);
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.emplace_back();
        } else {
            out.back().push_back(c);
        }
    }
    return out;
}

const core::RegionRegistry& kaltim_regions() {
    static const core::RegionRegistry kRegions = [] {
        core::RegionRegistry r;
        std::ifstream in(source_dir() + "/data/kode_wilayah_kaltim_64.csv");
        EXPECT_TRUE(in.good());
        std::string line;
        std::getline(in, line); // header: code,name,level,parent_code
        while (std::getline(in, line)) {
            const auto f = split_csv(line);
            if (f.size() < 4) {
                continue;
            }
            const auto level = core::parse_region_level(f[2]);
            if (!level) {
                continue;
            }
            r.add(core::Region{f[0], f[1], *level, f[3]});
            if (*level == core::RegionLevel::Kecamatan) {
                std::string digits = f[0];
                digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
                r.add_nik_prefix(digits);
            }
        }
        return r;
    }();
    return kRegions;
}

TEST(DemoData, SameSeedGivesIdenticalOutputAndAnotherSeedDiffers) {
    const auto a = generate_demo_persons(options(300, 42), kelurahan_index(), kPopulation);
    const auto b = generate_demo_persons(options(300, 42), kelurahan_index(), kPopulation);
    const auto c = generate_demo_persons(options(300, 43), kelurahan_index(), kPopulation);
    ASSERT_EQ(a.size(), 300u);
    EXPECT_TRUE(a == b);
    ASSERT_EQ(c.size(), 300u);
    EXPECT_FALSE(a == c);
    EXPECT_NE(a.front().nik, c.front().nik);
}

TEST(DemoData, GivesTheRequestedNumberOfPersons) {
    EXPECT_EQ(demo().size(), 2000u);
    EXPECT_EQ(generate_demo_persons(options(1, 5), kelurahan_index(), kPopulation).size(), 1u);
    EXPECT_TRUE(generate_demo_persons(options(0, 5), kelurahan_index(), kPopulation).empty());
}

TEST(DemoData, NiksAreUniqueAndAgreeWithBirthDateAndSex) {
    std::set<std::string> seen;
    std::size_t bontang = 0;
    for (const Person& p : demo()) {
        EXPECT_TRUE(seen.insert(p.nik).second) << "repeated NIK " << p.nik;
        ASSERT_EQ(p.nik.size(), 16u) << p.nik;
        const auto parts = core::parse_nik(p.nik);
        ASSERT_TRUE(parts.has_value()) << p.nik << ": " << parts.error().message;
        EXPECT_EQ(parts->female, p.sex == Sex::Female) << p.nik;
        EXPECT_EQ(parts->day, static_cast<unsigned>(p.birth_date.day())) << p.nik;
        EXPECT_EQ(parts->month, static_cast<unsigned>(p.birth_date.month())) << p.nik;
        EXPECT_EQ(parts->yy, static_cast<unsigned>(static_cast<int>(p.birth_date.year()) % 100))
            << p.nik;
        EXPECT_GE(parts->serial, 1u);
        EXPECT_TRUE(kaltim_regions().is_known_nik_prefix(parts->region)) << p.nik;
        bontang += parts->region.rfind("6474", 0) == 0 ? 1 : 0;
        EXPECT_TRUE(core::nik_warnings(*parts, p.birth_date, p.sex, kaltim_regions()).empty())
            << p.nik;
    }
    // About 10 % carry another Kaltim prefix.
    EXPECT_GT(bontang, 2000u * 80 / 100);
    EXPECT_LT(bontang, 2000u * 97 / 100);
}

TEST(DemoData, EveryHomeLocatesInsideItsKelurahan) {
    for (const Person& p : demo()) {
        ASSERT_TRUE(p.home.has_value());
        EXPECT_EQ(p.home->source, core::LocationSource::Gps);
        ASSERT_TRUE(p.home->accuracy_m.has_value());
        EXPECT_GE(*p.home->accuracy_m, 5.0);
        EXPECT_LE(*p.home->accuracy_m, 30.0);
        const auto located = kelurahan_index().locate({p.home->lon, p.home->lat});
        ASSERT_TRUE(located.has_value()) << p.full_name;
        EXPECT_EQ(located->code, p.address.kelurahan_code) << p.full_name;
        EXPECT_EQ(located->kind, geo::LocateKind::Inside) << p.full_name;
    }
}

TEST(DemoData, PersonsPerKecamatanFollowPopulation) {
    std::map<std::string, std::size_t> per_kecamatan;
    for (const Person& p : demo()) {
        ++per_kecamatan[core::kecamatan_of(p.address.kelurahan_code)];
    }
    const double total = 89010.0 + 71167.0 + 31634.0;
    for (const auto& k : kPopulation) {
        const double expected = static_cast<double>(k.population) / total;
        const double got = static_cast<double>(per_kecamatan[k.kecamatan_code]) / 2000.0;
        EXPECT_NEAR(got, expected, 0.015) << k.kecamatan_code;
    }
    // Within a kecamatan, every kelurahan gets persons (split evenly).
    std::set<std::string> kelurahan;
    for (const Person& p : demo()) {
        kelurahan.insert(p.address.kelurahan_code);
    }
    EXPECT_EQ(kelurahan.size(), 15u);
}

TEST(DemoData, EveryCategoryAndSeverityAppearsWithFisikMostCommon) {
    std::map<Category, std::size_t> categories;
    std::map<core::DisabilitySeverity, std::size_t> severities;
    std::size_t two = 0;
    for (const Person& p : demo()) {
        ASSERT_FALSE(p.categories.empty());
        EXPECT_TRUE(std::is_sorted(p.categories.begin(), p.categories.end()));
        two += p.categories.size() == 2 ? 1 : 0;
        for (const Category c : p.categories) {
            ++categories[c];
        }
        ASSERT_TRUE(p.severity.has_value());
        ++severities[*p.severity];
    }
    for (const Category c : core::kAllCategories) {
        EXPECT_GT(categories[c], 0u) << core::to_string(c);
        if (c != Category::Fisik) {
            EXPECT_GT(categories[Category::Fisik], categories[c]) << core::to_string(c);
        }
    }
    for (const auto s : core::kAllSeverities) {
        EXPECT_GT(severities[s], 0u) << core::to_string(s);
    }
    EXPECT_GT(two, 2000u * 5 / 100);
    EXPECT_LT(two, 2000u * 15 / 100);
}

TEST(DemoData, WgssAndNeedsAgreeWithCategories) {
    for (const Person& p : demo()) {
        EXPECT_TRUE(core::wgss_identifies_disability(p)) << p.full_name;
        if (has(p, Category::SensorikNetra)) {
            EXPECT_GE(wg(p, WgDomain::Seeing), 3);
            EXPECT_TRUE(has_device(p, "tongkat_netra") || has_device(p, "kacamata"));
        } else {
            EXPECT_LE(wg(p, WgDomain::Seeing), 2);
            EXPECT_FALSE(has_device(p, "tongkat_netra") || has_device(p, "braille"));
        }
        if (has(p, Category::SensorikRungu)) {
            EXPECT_GE(wg(p, WgDomain::Hearing), 3);
        } else {
            EXPECT_LE(wg(p, WgDomain::Hearing), 2);
            EXPECT_FALSE(has_device(p, "alat_bantu_dengar"));
        }
        if (has(p, Category::Fisik)) {
            EXPECT_GE(wg(p, WgDomain::Walking), 3);
        } else {
            EXPECT_FALSE(has_device(p, "kursi_roda") || has_device(p, "kaki_palsu"));
        }
        if (has(p, Category::SensorikWicara)) {
            EXPECT_GE(wg(p, WgDomain::Communication), 3);
        }
        if (has(p, Category::Intelektual) || has(p, Category::Mental)) {
            EXPECT_GE(wg(p, WgDomain::Cognition), 3);
        }
        for (const auto& d : p.assistive_devices) {
            EXPECT_TRUE(core::is_assistive_device(d)) << d;
        }
        for (const auto& t : p.therapies) {
            EXPECT_TRUE(core::is_therapy(t)) << t;
        }
    }
}

TEST(DemoData, EveryPersonPassesThePersonRulesWithoutErrors) {
    for (Person p : demo()) {
        const auto check = core::check_person(p, kaltim_regions(), kToday);
        EXPECT_TRUE(check.ok()) << p.full_name << ": " << check.errors.front().field << " "
                                << check.errors.front().detail;
    }
}

TEST(DemoData, SevereCasesHaveCaregiversAndStatusesCarryDates) {
    std::map<core::Status, std::size_t> statuses;
    std::size_t with_account = 0;
    std::size_t with_ewallet = 0;
    std::size_t dtks = 0;
    for (const Person& p : demo()) {
        if (p.severity == core::DisabilitySeverity::Berat) {
            EXPECT_TRUE(p.caregiver.has_value()) << p.full_name;
        }
        EXPECT_TRUE(p.consent.given);
        ++statuses[p.status];
        if (p.status != core::Status::Aktif) {
            EXPECT_TRUE(p.status_date.has_value()) << p.full_name;
        }
        if (!p.phone.empty()) {
            EXPECT_EQ(p.phone.rfind("08", 0), 0u) << p.phone;
        }
        if (p.account) {
            ++with_account;
            with_ewallet += p.account->kind == core::AccountKind::EWallet ? 1 : 0;
        }
        dtks += p.dtks ? 1 : 0;
        const int rt = std::stoi(p.address.rt);
        const int rw = std::stoi(p.address.rw);
        EXPECT_EQ(p.address.rt.size(), 3u);
        EXPECT_TRUE(rt >= 1 && rt <= 40) << p.address.rt;
        EXPECT_TRUE(rw >= 1 && rw <= 12) << p.address.rw;
    }
    EXPECT_GT(statuses[core::Status::Aktif], 2000u * 85 / 100);
    EXPECT_GT(statuses[core::Status::Pindah], 0u);
    EXPECT_GT(statuses[core::Status::Meninggal], 0u);
    EXPECT_GT(with_account, 0u);
    EXPECT_GT(with_ewallet, 0u);
    EXPECT_GT(dtks, 0u);
}

TEST(DemoData, SomePersonsShareAHouseholdKk) {
    std::map<std::string, std::size_t> per_kk;
    for (const Person& p : demo()) {
        ASSERT_EQ(p.kk.size(), 16u);
        EXPECT_EQ(p.kk.rfind("6474", 0), 0u) << p.kk;
        EXPECT_TRUE(core::parse_kk(p.kk).has_value()) << p.kk;
        ++per_kk[p.kk];
    }
    const auto shared =
        std::count_if(per_kk.begin(), per_kk.end(), [](const auto& e) { return e.second > 1; });
    EXPECT_GT(shared, 20);
}

TEST(DemoData, NearDuplicatesCopyAnEarlierPersonWithAVariantAndANewNik) {
    const auto& persons = demo();
    const std::size_t duplicates = 40; // 2 % of 2000
    std::size_t name_changed = 0;
    std::size_t date_swapped = 0;
    for (std::size_t i = persons.size() - duplicates; i < persons.size(); ++i) {
        const Person& dup = persons[i];
        const auto source = std::find_if(
            persons.begin(), persons.begin() + static_cast<long>(i), [&](const Person& p) {
                return p.kk == dup.kk && p.home == dup.home && p.categories == dup.categories &&
                       p.disability_subtype == dup.disability_subtype && p.wgss == dup.wgss &&
                       p.sex == dup.sex && p.birth_date.year() == dup.birth_date.year() &&
                       p.nik.substr(0, 6) == dup.nik.substr(0, 6);
            });
        ASSERT_NE(source, persons.begin() + static_cast<long>(i)) << dup.full_name;
        EXPECT_NE(source->nik, dup.nik);
        EXPECT_TRUE(source->full_name != dup.full_name || source->birth_date != dup.birth_date);
        name_changed += source->full_name != dup.full_name ? 1 : 0;
        if (source->birth_date != dup.birth_date) {
            ++date_swapped;
            EXPECT_EQ(static_cast<unsigned>(source->birth_date.day()),
                      static_cast<unsigned>(dup.birth_date.month()));
            EXPECT_EQ(static_cast<unsigned>(source->birth_date.month()),
                      static_cast<unsigned>(dup.birth_date.day()));
        }
    }
    EXPECT_GT(name_changed, 0u);
    EXPECT_GT(date_swapped, 0u);
    // No share, no duplicates: every person is then an original.
    auto o = options(200, 9);
    o.duplicate_share = 0;
    EXPECT_EQ(generate_demo_persons(o, kelurahan_index(), kPopulation).size(), 200u);
}

} // namespace
} // namespace kapal::service
