#include "kapal/service/facility_service.hpp"

#include "kapal/geo/test_seed.hpp"
#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

namespace kapal::service {
namespace {

using testing::StoreTest;

TEST(FacilityNames, KindsFromCodesAndCommonLabels) {
    EXPECT_EQ(parse_facility_kind("Puskesmas"), "puskesmas");
    EXPECT_EQ(parse_facility_kind(" Sekolah  Luar Biasa "), "slb");
    EXPECT_EQ(parse_facility_kind("SLB"), "slb");
    EXPECT_EQ(parse_facility_kind("RSUD"), "rumah_sakit");
    EXPECT_EQ(parse_facility_kind("Kantor Lurah"), "kantor_kelurahan");
    EXPECT_EQ(parse_facility_kind("kantor-kelurahan"), "kantor_kelurahan");
    EXPECT_EQ(parse_facility_kind("Puskesmas Pembantu"), "pustu");
    EXPECT_EQ(parse_facility_kind("posyandu"), "posyandu");
    EXPECT_FALSE(parse_facility_kind("bandara").has_value());
    EXPECT_FALSE(parse_facility_kind("").has_value());
}

TEST(FacilityNearest, IsTheBruteForceMinimumOfTheKind) {
    const std::uint64_t seed = geo::testing::test_seed(23);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> lon(117.40, 117.55);
    std::uniform_real_distribution<double> lat(0.05, 0.20);
    std::vector<store::FacilityRecord> facilities;
    for (int i = 0; i < 40; ++i) {
        store::FacilityRecord f;
        f.id = "f" + std::to_string(i);
        f.kind = i % 3 == 0 ? "slb" : "puskesmas";
        f.lon = lon(rng);
        f.lat = lat(rng);
        facilities.push_back(f);
    }
    EXPECT_FALSE(nearest_facility({}, {117.5, 0.1}).has_value());
    EXPECT_FALSE(nearest_facility(facilities, {117.5, 0.1}, "posyandu").has_value());
    for (int trial = 0; trial < 200; ++trial) {
        const geo::LonLat at{lon(rng), lat(rng)};
        for (const std::string kind : {"", "slb", "puskesmas"}) {
            double best = HUGE_VAL;
            for (const auto& f : facilities) {
                if (kind.empty() || f.kind == kind) {
                    best = std::min(best, geo::haversine_m(at, {f.lon, f.lat}));
                }
            }
            const auto got = nearest_facility(facilities, at, kind);
            ASSERT_TRUE(got.has_value());
            EXPECT_EQ(got->distance_m, best) << "seed " << seed;
            EXPECT_EQ(got->distance_m,
                      geo::haversine_m(at, {got->facility.lon, got->facility.lat}));
            if (!kind.empty()) {
                EXPECT_EQ(got->facility.kind, kind);
            }
        }
    }
}

class FacilityServiceTest : public StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        persons_ = std::make_unique<PersonService>(*store_, testing::reference_ptr(), clock_, ids_);
        facilities_ = std::make_unique<FacilityService>(*store_, *persons_, clock_, ids_);
        dir_ = std::filesystem::temp_directory_path() /
               ("kapal_facility_" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }

    void TearDown() override {
        std::filesystem::remove_all(dir_);
        facilities_.reset();
        persons_.reset();
        StoreTest::TearDown();
    }

    std::string write(const std::string& name, const std::string& text) {
        const auto file = dir_ / name;
        std::ofstream(file) << text;
        return file.string();
    }

    core::PersonRecord add(int serial,
                           const std::string& kelurahan,
                           std::optional<geo::LonLat> at,
                           core::Status status) {
        core::Person p;
        char nik[24];
        std::snprintf(
            nik, sizeof nik, "%s4703850%03d", kelurahan == kSelatan ? "647402" : "647401", serial);
        p.nik = nik;
        p.full_name = "Warga " + std::to_string(serial);
        p.sex = serial % 2 == 0 ? core::Sex::Female : core::Sex::Male;
        p.birth_date = core::make_date(1960 + serial % 40, 3, 7);
        p.address = core::Address{"Jl. Pupuk " + std::to_string(serial), "001", "02", kelurahan};
        p.categories = {core::Category::Fisik};
        if (at) {
            p.home = core::HomeLocation{at->lon, at->lat, 5.0, core::LocationSource::Gps};
        }
        p.status = core::Status::Aktif;
        auto created = persons_->create(p, admin_, std::nullopt);
        if (!created && created.error().code == ErrorCode::WarningsNotConfirmed) {
            // A random home may lie in the box but outside the kelurahan: confirm it.
            for (const auto& w : created.error().fields) {
                p.confirmed_warnings.emplace_back(error_info(w.code).id);
            }
            p.warning_reason = "uji";
            created = persons_->create(p, admin_, std::nullopt);
        }
        EXPECT_TRUE(created.has_value()) << created.error().message;
        if (!created) {
            return {};
        }
        if (status != core::Status::Aktif) {
            core::Person changed = created->record.person;
            changed.status = status;
            changed.status_date = core::make_date(2026, 11, 1);
            changed.status_reason = "uji";
            auto updated =
                persons_->update(created->record.id, 1, changed, admin_, "status berubah");
            EXPECT_TRUE(updated.has_value()) << updated.error().message;
            return updated ? *updated : created->record;
        }
        return created->record;
    }

    static constexpr const char* kUtara = "64.74.01.1003";
    static constexpr const char* kSelatan = "64.74.02.1006";
    std::unique_ptr<PersonService> persons_;
    std::unique_ptr<FacilityService> facilities_;
    std::filesystem::path dir_;
    Actor admin_{"tester", "127.0.0.1", {}, std::nullopt};
};

TEST_F(FacilityServiceTest, ImportKeepsEveryGoodPointLocatedAndReportsEveryOtherFeature) {
    const auto file = write("faskes.geojson", R"({"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"NAMA":"Puskesmas Tanjung Laut","JENIS":"Puskesmas",
        "ALAMAT":"Jl. Pattimura","TELEPON":"0548-21000"},
       "geometry":{"type":"Point","coordinates":[117.496113,0.117995]}},
      {"type":"Feature","properties":{},
       "geometry":{"type":"Point","coordinates":[110.0,-7.0]}},
      {"type":"Feature","properties":{"NAMA":"Kawasan"},
       "geometry":{"type":"Polygon","coordinates":[[[117.4,0.1],[117.5,0.1],[117.5,0.2],[117.4,0.1]]]}},
      {"type":"Feature","properties":{"JENIS":"bandara"},
       "geometry":{"type":"Point","coordinates":[117.47,0.12]}}
    ]})");
    FacilityImportOptions options;
    options.file = file;
    options.kind = "Posyandu";
    options.dry_run = true;
    auto dry = facilities_->import_facilities(options, admin_);
    ASSERT_TRUE(dry.has_value()) << dry.error().message;
    EXPECT_EQ(dry->facilities.size(), 2U);
    auto none = facilities_->facilities();
    ASSERT_TRUE(none.has_value());
    EXPECT_TRUE(none->empty()) << "a dry run writes nothing";

    options.dry_run = false;
    auto report = facilities_->import_facilities(options, admin_);
    ASSERT_TRUE(report.has_value()) << report.error().message;
    ASSERT_EQ(report->facilities.size(), 2U);
    const auto& first = report->facilities[0];
    EXPECT_EQ(first.name, "Puskesmas Tanjung Laut");
    EXPECT_EQ(first.kind, "puskesmas") << "the feature's own kind wins";
    EXPECT_EQ(first.kelurahan_code, kSelatan) << "located in its kelurahan";
    EXPECT_EQ(first.address, "Jl. Pattimura");
    EXPECT_EQ(first.phone, "0548-21000");
    EXPECT_EQ(first.source, "faskes.geojson, layer faskes, feature 1");
    const auto& second = report->facilities[1];
    EXPECT_EQ(second.kind, "posyandu") << "the default where the feature has none";
    EXPECT_EQ(second.name, "posyandu 2");
    EXPECT_EQ(second.kelurahan_code, "") << "outside the city";
    ASSERT_EQ(report->rejected.size(), 2U);
    EXPECT_EQ(report->rejected[0].feature, 3U);
    EXPECT_EQ(report->rejected[1].feature, 4U);
    EXPECT_NE(report->rejected[1].message.find("unknown facility kind \"bandara\""),
              std::string::npos);

    auto stored = facilities_->facilities();
    ASSERT_TRUE(stored.has_value());
    ASSERT_EQ(stored->size(), 2U);
    EXPECT_EQ((*stored)[0].kind, "posyandu") << "by kind, then name";
    EXPECT_EQ((*stored)[1].created_by, "tester");

    auto nearest = facilities_->nearest({117.4962, 0.1180}, "puskesmas");
    ASSERT_TRUE(nearest.has_value());
    ASSERT_TRUE(nearest->has_value());
    EXPECT_EQ((*nearest)->facility.name, "Puskesmas Tanjung Laut");
    EXPECT_LT((*nearest)->distance_m, 30.0);
    auto bad_kind = facilities_->nearest({117.5, 0.1}, "bandara");
    ASSERT_FALSE(bad_kind.has_value());
    EXPECT_EQ(bad_kind.error().fields.at(0).field, "kind");

    // A CSV file: the position comes from lon/lat columns; a row without them is left out.
    FacilityImportOptions csv;
    csv.file = write("posyandu.csv",
                     "nama,jenis,longitude,latitude\n"
                     "Posyandu Melati,posyandu,117.496113,0.117995\n"
                     "Posyandu Tanpa Titik,posyandu,,\n");
    csv.dry_run = true;
    auto from_csv = facilities_->import_facilities(csv, admin_);
    ASSERT_TRUE(from_csv.has_value()) << from_csv.error().message;
    ASSERT_EQ(from_csv->facilities.size(), 1U);
    EXPECT_EQ(from_csv->facilities[0].name, "Posyandu Melati");
    EXPECT_EQ(from_csv->facilities[0].lon, 117.496113);
    EXPECT_EQ(from_csv->facilities[0].kelurahan_code, kSelatan);
    ASSERT_EQ(from_csv->rejected.size(), 1U);
    EXPECT_EQ(from_csv->rejected[0].feature, 2U);

    // Errors: an unknown default kind; a file with nothing to import.
    options.kind = "bandara";
    auto unknown = facilities_->import_facilities(options, admin_);
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::ValidationFailed);
    options.kind.clear();
    options.file =
        write("kosong.geojson",
              R"({"type":"FeatureCollection","features":[{"type":"Feature",)"
              R"("properties":{},"geometry":{"type":"Point","coordinates":[117.4,0.1]}}]})");
    auto nothing = facilities_->import_facilities(options, admin_);
    ASSERT_FALSE(nothing.has_value());
    EXPECT_NE(nothing.error().message.find("no facility could be imported (feature 1: no facility"),
              std::string::npos)
        << nothing.error().message;
}

TEST_F(FacilityServiceTest, CoverageListsExactlyThePersonsFartherThanTheDistanceByBruteForce) {
    const std::uint64_t seed = geo::testing::test_seed(29);
    std::mt19937_64 rng(seed);
    const auto box_of = [](const char* code) {
        const auto* area = testing::reference().kelurahan->find(code);
        EXPECT_NE(area, nullptr);
        return geo::bbox_of(area->shape);
    };
    const geo::BBox utara = box_of(kUtara);
    const geo::BBox selatan = box_of(kSelatan);
    const auto random_in = [&](const geo::BBox& b) {
        std::uniform_real_distribution<double> lon(b.min_lon, b.max_lon);
        std::uniform_real_distribution<double> lat(b.min_lat, b.max_lat);
        return geo::LonLat{lon(rng), lat(rng)};
    };
    std::vector<store::FacilityRecord> facilities;
    for (int i = 0; i < 6; ++i) {
        store::FacilityRecord f;
        f.id = ids_.next(clock_.now());
        f.kind = i < 3 ? "puskesmas" : "posyandu";
        f.name = "Faskes " + std::to_string(i);
        const geo::LonLat at = random_in(i % 2 == 0 ? utara : selatan);
        f.lon = at.lon;
        f.lat = at.lat;
        f.source = "uji";
        f.created_at = clock_.now();
        f.created_by = "tester";
        facilities.push_back(f);
    }
    ASSERT_TRUE(store_->add_facilities(facilities, {"tester", "cli", clock_.now(), ""}));

    const double max_m = 700;

    struct Expected {
        std::string kelurahan;
        double distance = 0;
    };

    std::map<std::string, Expected> uncovered;                           // id -> expected
    std::map<std::string, std::pair<std::size_t, std::size_t>> per_area; // persons, uncovered
    for (int i = 1; i <= 70; ++i) {
        const char* kelurahan = i % 3 == 0 ? kSelatan : kUtara;
        const geo::LonLat at = random_in(i % 3 == 0 ? selatan : utara);
        const bool has_home = i % 11 != 0;
        const auto status = i % 7 == 0 ? core::Status::Pindah : core::Status::Aktif;
        const auto r = add(i, kelurahan, has_home ? std::optional(at) : std::nullopt, status);
        if (HasFatalFailure()) {
            return;
        }
        if (!has_home || status != core::Status::Aktif) {
            continue;
        }
        double best = HUGE_VAL;
        for (const auto& f : facilities) {
            if (f.kind == "puskesmas") {
                best = std::min(best, geo::haversine_m(at, {f.lon, f.lat}));
            }
        }
        auto& counts = per_area[kelurahan];
        ++counts.first;
        if (best > max_m) {
            ++counts.second;
            uncovered[r.id.str()] = {kelurahan, best};
        }
    }
    ASSERT_GT(uncovered.size(), 3U) << "seed " << seed;
    ASSERT_LT(uncovered.size(), 50U) << "seed " << seed;

    auto report = facilities_->coverage("Puskesmas", max_m, admin_);
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_EQ(report->kind, "puskesmas");
    EXPECT_EQ(report->facilities, 3U);
    std::size_t persons = 0;
    for (const auto& [code, counts] : per_area) {
        persons += counts.first;
    }
    EXPECT_EQ(report->persons, persons);
    ASSERT_EQ(report->areas.size(), per_area.size());
    for (const auto& area : report->areas) {
        EXPECT_EQ(area.persons, per_area[area.kelurahan_code].first) << area.kelurahan_code;
        EXPECT_EQ(area.uncovered, per_area[area.kelurahan_code].second) << area.kelurahan_code;
    }
    ASSERT_EQ(report->uncovered.size(), uncovered.size()) << "seed " << seed;
    double previous = HUGE_VAL;
    for (const auto& u : report->uncovered) {
        const auto it = uncovered.find(u.record.id.str());
        ASSERT_NE(it, uncovered.end()) << "listed but covered: " << u.record.id.str();
        ASSERT_TRUE(u.nearest.has_value());
        EXPECT_NEAR(u.nearest->distance_m, it->second.distance, 1e-6);
        EXPECT_EQ(u.nearest->facility.kind, "puskesmas");
        EXPECT_LE(u.nearest->distance_m, previous) << "farthest first";
        previous = u.nearest->distance_m;
    }

    // A user of one kelurahan sees only its persons.
    const Actor lurah{"lurah", "10.0.0.2", {kSelatan}, core::Role::Operator};
    auto scoped = facilities_->coverage("puskesmas", max_m, lurah);
    ASSERT_TRUE(scoped.has_value()) << scoped.error().message;
    EXPECT_EQ(scoped->persons, per_area[kSelatan].first);
    EXPECT_EQ(scoped->uncovered.size(), per_area[kSelatan].second);
    for (const auto& u : scoped->uncovered) {
        EXPECT_EQ(u.record.person.address.kelurahan_code, kSelatan);
    }

    // No facility of a kind: everyone is uncovered, with no nearest one.
    auto slb = facilities_->coverage("slb", max_m, admin_);
    ASSERT_TRUE(slb.has_value());
    EXPECT_EQ(slb->facilities, 0U);
    EXPECT_EQ(slb->uncovered.size(), persons);
    EXPECT_FALSE(slb->uncovered.at(0).nearest.has_value());

    const std::string csv = coverage_csv(*report);
    EXPECT_NE(csv.find("fasilitas_terdekat,jarak_m"), std::string::npos);
    EXPECT_NE(csv.find(report->uncovered.at(0).record.id.str()), std::string::npos);

    // Bad input names the field.
    for (const double bad : {0.0, -5.0, std::nan(""), HUGE_VAL, kMaxCoverageM + 1}) {
        auto r = facilities_->coverage("puskesmas", bad, admin_);
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::ValidationFailed);
        EXPECT_EQ(r.error().fields.at(0).field, "max_m");
    }
    auto bad_kind = facilities_->coverage("bandara", max_m, admin_);
    ASSERT_FALSE(bad_kind.has_value());
    EXPECT_EQ(bad_kind.error().fields.at(0).field, "kind");

    // The nearest puskesmas of every person, and of every kind for one person: brute force.
    const auto brute = [&](const core::PersonRecord& r, const std::string& kind) {
        double best = HUGE_VAL;
        for (const auto& f : facilities) {
            if (f.kind == kind) {
                best = std::min(
                    best,
                    geo::haversine_m({r.person.home->lon, r.person.home->lat}, {f.lon, f.lat}));
            }
        }
        return best;
    };
    auto everyone = facilities_->nearest_for_persons("Puskesmas", admin_);
    ASSERT_TRUE(everyone.has_value()) << everyone.error().message;
    ASSERT_EQ(everyone->size(), persons);
    for (const auto& p : *everyone) {
        ASSERT_TRUE(p.nearest.has_value());
        EXPECT_EQ(p.nearest->facility.kind, "puskesmas");
        EXPECT_DOUBLE_EQ(p.nearest->distance_m, brute(p.record, "puskesmas"));
    }
    const std::string table = nearest_csv(*everyone);
    EXPECT_EQ(static_cast<std::size_t>(std::count(table.begin(), table.end(), '\n')), persons + 1);
    const core::PersonRecord& someone = everyone->front().record;
    auto each_kind = facilities_->nearest_for_person(someone.id, admin_);
    ASSERT_TRUE(each_kind.has_value()) << each_kind.error().message;
    ASSERT_EQ(each_kind->size(), 2U) << "puskesmas and posyandu; no other kind exists";
    EXPECT_EQ(each_kind->at(0).facility.kind, "puskesmas");
    EXPECT_EQ(each_kind->at(1).facility.kind, "posyandu");
    EXPECT_DOUBLE_EQ(each_kind->at(1).distance_m, brute(someone, "posyandu"));
    const Actor other{"lurah",
                      "10.0.0.2",
                      {someone.person.address.kelurahan_code == kSelatan ? kUtara : kSelatan},
                      core::Role::Operator};
    auto hidden = facilities_->nearest_for_person(someone.id, other);
    ASSERT_FALSE(hidden.has_value());
    EXPECT_EQ(hidden.error().code, ErrorCode::NotFound);
    auto unknown = facilities_->nearest_for_persons("bandara", admin_);
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().fields.at(0).field, "kind");
}

} // namespace
} // namespace kapal::service
