#include "kapal/service/hazard_service.hpp"

#include "kapal/geo/geojson.hpp"
#include "kapal/geo/test_seed.hpp"
#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

namespace kapal::service {
namespace {

using testing::StoreTest;

TEST(HazardNames, KindsAndLevelsFromCodesAndCommonLabels) {
    EXPECT_EQ(parse_hazard_kind("Banjir"), "banjir");
    EXPECT_EQ(parse_hazard_kind(" tanah  longsor "), "longsor");
    EXPECT_EQ(parse_hazard_kind("KARHUTLA"), "kebakaran_hutan");
    EXPECT_EQ(parse_hazard_kind("Banjir-Rob"), "rob");
    EXPECT_EQ(parse_hazard_kind("flood"), "banjir");
    EXPECT_FALSE(parse_hazard_kind("meteor").has_value());
    EXPECT_FALSE(parse_hazard_kind("").has_value());
    EXPECT_EQ(parse_hazard_level("Kelas Tinggi"), "tinggi");
    EXPECT_EQ(parse_hazard_level("medium"), "sedang");
    EXPECT_EQ(parse_hazard_level("1"), "rendah");
    EXPECT_FALSE(parse_hazard_level("sangat tinggi").has_value());
}

TEST(HazardNames, NeedsComeFromCategoriesDevicesAndTheWashingtonGroupAnswers) {
    core::Person p;
    EXPECT_FALSE(person_needs(p).mobility);
    p.assistive_devices = {"kursi_roda"};
    EXPECT_TRUE(person_needs(p).mobility);
    EXPECT_FALSE(person_needs(p).blind);
    p.assistive_devices.clear();
    p.wgss[static_cast<std::size_t>(core::WgDomain::Walking)] = 3;
    EXPECT_TRUE(person_needs(p).mobility) << "a lot of difficulty walking";
    p.wgss[static_cast<std::size_t>(core::WgDomain::Walking)] = 2;
    EXPECT_FALSE(person_needs(p).mobility) << "some difficulty is not enough";
    p.categories = {core::Category::SensorikNetra, core::Category::SensorikRungu};
    EXPECT_TRUE(person_needs(p).blind);
    EXPECT_TRUE(person_needs(p).deaf);
    EXPECT_FALSE(person_needs(p).communication);
    p.categories = {core::Category::Intelektual};
    EXPECT_TRUE(person_needs(p).communication);
}

class HazardServiceTest : public StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        persons_ = std::make_unique<PersonService>(*store_, testing::reference_ptr(), clock_, ids_);
        index_ = std::make_unique<PersonIndex>(*store_);
        ASSERT_TRUE(index_->catch_up().has_value());
        persons_->set_index(index_.get());
        hazards_ = std::make_unique<HazardService>(*store_, *persons_, clock_, ids_);
        dir_ =
            std::filesystem::temp_directory_path() / ("kapal_hazard_" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }

    void TearDown() override {
        std::filesystem::remove_all(dir_);
        hazards_.reset();
        persons_.reset();
        index_.reset();
        StoreTest::TearDown();
    }

    std::string write(const std::string& name, const std::string& text) {
        const auto file = dir_ / name;
        std::ofstream(file) << text;
        return file.string();
    }

    core::PersonRecord add(int serial, geo::LonLat at, const std::string& rt, core::Status status) {
        core::Person p;
        p.nik = testing::test_person_nik(serial);
        p.full_name = testing::test_person_name(serial);
        p.sex = core::Sex::Female; // as the NIK says: born 7 March 1985, female
        p.birth_date = core::make_date(1985, 3, 7);
        p.address = core::Address{"Jl. Pupuk " + std::to_string(serial), rt, "02", kKelurahan};
        p.categories = {serial % 3 == 0 ? core::Category::SensorikNetra : core::Category::Fisik};
        if (serial % 4 == 0) {
            p.assistive_devices = {"kursi_roda"};
        }
        if (serial % 5 == 0) {
            p.caregiver = core::Caregiver{
                "Ibu " + std::to_string(serial), "ibu", "0812000" + std::to_string(serial)};
        }
        p.phone = "0813" + std::to_string(100000 + serial);
        p.home = core::HomeLocation{at.lon, at.lat, 5.0, core::LocationSource::Gps};
        p.status = core::Status::Aktif;
        auto created = persons_->create(p, admin_, std::nullopt);
        EXPECT_TRUE(created.has_value())
            << created.error().message << " "
            << (created                          ? ""
                : created.error().fields.empty() ? ""
                                                 : created.error().fields[0].field);
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

    static constexpr const char* kKelurahan = "64.74.01.1003";
    std::unique_ptr<PersonService> persons_;
    std::unique_ptr<PersonIndex> index_;
    std::unique_ptr<HazardService> hazards_;
    std::filesystem::path dir_;
    Actor admin_{"tester", "127.0.0.1", {}, std::nullopt};
};

TEST_F(HazardServiceTest, ImportKeepsEveryGoodPolygonAndReportsEveryOtherFeature) {
    const auto file = write("rawan.geojson", R"({"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"NAMA":"Guntung","BAHAYA":"Banjir","TINGKAT":"Tinggi"},
       "geometry":{"type":"Polygon","coordinates":[[[117.4,0.1],[117.5,0.1],[117.5,0.2],[117.4,0.1]]]}},
      {"type":"Feature","properties":{},
       "geometry":{"type":"Polygon","coordinates":[[[117.4,0.1],[117.45,0.1],[117.45,0.15],[117.4,0.1]]]}},
      {"type":"Feature","properties":{"NAMA":"Posko"},
       "geometry":{"type":"Point","coordinates":[117.45,0.15]}},
      {"type":"Feature","properties":{"TINGKAT":"sangat parah"},
       "geometry":{"type":"Polygon","coordinates":[[[117,0],[118,0],[118,1],[117,0]]]}},
      {"type":"Feature","properties":{"BAHAYA":"meteor"},
       "geometry":{"type":"Polygon","coordinates":[[[117,0],[118,0],[118,1],[117,0]]]}}
    ]})");
    HazardImportOptions options;
    options.file = file;
    options.hazard = "rob";
    options.level = "sedang";
    options.dry_run = true;
    auto dry = hazards_->import_zones(options, admin_);
    ASSERT_TRUE(dry.has_value()) << dry.error().message;
    EXPECT_EQ(dry->zones.size(), 2U);
    auto none = hazards_->zones();
    ASSERT_TRUE(none.has_value());
    EXPECT_TRUE(none->empty()) << "a dry run writes nothing";

    options.dry_run = false;
    auto report = hazards_->import_zones(options, admin_);
    ASSERT_TRUE(report.has_value()) << report.error().message;
    ASSERT_EQ(report->zones.size(), 2U);
    EXPECT_EQ(report->zones[0].name, "Guntung");
    EXPECT_EQ(report->zones[0].hazard, "banjir") << "the feature's own kind wins";
    EXPECT_EQ(report->zones[0].level, "tinggi");
    EXPECT_EQ(report->zones[1].hazard, "rob") << "the default where the feature has none";
    EXPECT_EQ(report->zones[1].level, "sedang");
    EXPECT_EQ(report->zones[1].name, "Rawan rob sedang 2");
    EXPECT_EQ(report->zones[0].source, "rawan.geojson, layer rawan, feature 1");
    ASSERT_EQ(report->rejected.size(), 3U);
    EXPECT_EQ(report->rejected[0].feature, 3U);
    EXPECT_NE(report->rejected[0].message.find("a point is not a zone"), std::string::npos);
    EXPECT_EQ(report->rejected[1].feature, 4U);
    EXPECT_NE(report->rejected[1].message.find("unknown hazard level \"sangat parah\""),
              std::string::npos);
    EXPECT_EQ(report->rejected[2].feature, 5U);
    EXPECT_NE(report->rejected[2].message.find("unknown hazard kind \"meteor\""),
              std::string::npos);

    auto stored = hazards_->zones();
    ASSERT_TRUE(stored.has_value());
    ASSERT_EQ(stored->size(), 2U);
    EXPECT_EQ((*stored)[0].name, "Guntung");
    EXPECT_EQ((*stored)[0].created_by, "tester");

    // Without defaults, the feature without fields has no kind.
    options.hazard.clear();
    options.level.clear();
    options.dry_run = true;
    auto bare = hazards_->import_zones(options, admin_);
    ASSERT_TRUE(bare.has_value());
    EXPECT_EQ(bare->zones.size(), 1U);
    EXPECT_NE(bare->rejected[0].message.find("no hazard kind"), std::string::npos);

    options.hazard = "meteor";
    auto unknown = hazards_->import_zones(options, admin_);
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::ValidationFailed);
    const auto only_points =
        write("titik.geojson",
              R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},)"
              R"("geometry":{"type":"Point","coordinates":[117.45,0.15]}}]})");
    options.file = only_points;
    options.hazard = "banjir";
    options.level = "tinggi";
    auto nothing = hazards_->import_zones(options, admin_);
    ASSERT_FALSE(nothing.has_value());
    EXPECT_NE(nothing.error().message.find("no zone could be imported (feature 1: a point"),
              std::string::npos)
        << nothing.error().message;
}

TEST_F(HazardServiceTest, EvacuationListHasEveryActivePersonInsideGroupedByRtInWalkingOrder) {
    const std::uint64_t seed = geo::testing::test_seed(17);
    std::mt19937_64 rng(seed);
    // The zone: the western half of the kelurahan's box, with a hole.
    const auto* kelurahan = testing::reference().kelurahan->find(kKelurahan);
    ASSERT_NE(kelurahan, nullptr);
    const geo::BBox box = geo::bbox_of(kelurahan->shape);
    const double mid = (box.min_lon + box.max_lon) / 2;
    const double hole_lat = (box.min_lat + box.max_lat) / 2;
    geo::MultiPolygon zone{{geo::Polygon{{{box.min_lon, box.min_lat},
                                          {mid, box.min_lat},
                                          {mid, box.max_lat},
                                          {box.min_lon, box.max_lat}},
                                         {{{box.min_lon + 0.001, hole_lat - 0.001},
                                           {box.min_lon + 0.003, hole_lat - 0.001},
                                           {box.min_lon + 0.003, hole_lat + 0.001},
                                           {box.min_lon + 0.001, hole_lat + 0.001}}}}}};
    store::HazardZoneRecord z;
    z.id = ids_.next(clock_.now());
    z.name = "Zona uji";
    z.hazard = "banjir";
    z.level = "tinggi";
    z.source = "uji";
    z.geometry = geo::to_geojson_geometry(zone);
    ASSERT_TRUE(store_->add_hazard_zones({z}, {"tester", "cli", clock_.now(), ""}));

    std::set<std::string> expected;
    const std::vector<std::string> rts = {"001", "002", "3", "003"}; // "3" and "003": one RT
    for (int i = 1; i <= 60; ++i) {
        const geo::LonLat at = testing::reference().kelurahan->random_point_in(kKelurahan, rng);
        const auto status = i % 7 == 0 ? core::Status::Meninggal : core::Status::Aktif;
        const auto r = add(i, at, rts[static_cast<std::size_t>(i) % rts.size()], status);
        if (HasFatalFailure()) {
            return;
        }
        if (status == core::Status::Aktif && geo::contains(zone, at)) {
            expected.insert(r.id.str());
        }
    }
    ASSERT_GT(expected.size(), 10U) << "seed " << seed;

    const geo::LonLat start{box.min_lon, box.max_lat};
    auto list = hazards_->evacuation_list(z.id, admin_, start);
    ASSERT_TRUE(list.has_value()) << list.error().message;
    EXPECT_FALSE(list->truncated);
    EXPECT_EQ(list->persons, expected.size());
    std::set<std::string> got;
    std::set<std::string> group_keys;
    double total = 0;
    geo::LonLat at = start;
    for (const auto& g : list->groups) {
        ASSERT_FALSE(g.stops.empty());
        const std::string rt = g.rt == "3" ? "003" : g.rt;
        EXPECT_TRUE(group_keys.insert(g.rw + "/" + rt).second) << "one group per RT: " << g.rt;
        for (const auto& s : g.stops) {
            const auto& rec_rt = s.record.person.address.rt;
            EXPECT_EQ(rec_rt == "3" ? "003" : rec_rt, rt);
            EXPECT_EQ(s.record.person.status, core::Status::Aktif);
            EXPECT_TRUE(got.insert(s.record.id.str()).second) << "listed once";
            const geo::LonLat home{s.record.person.home->lon, s.record.person.home->lat};
            EXPECT_NEAR(s.leg_m, geo::haversine_m(at, home), 1e-6) << "the walk is continuous";
            EXPECT_EQ(s.needs.mobility, !s.record.person.assistive_devices.empty());
            total += s.leg_m;
            at = home;
        }
    }
    EXPECT_EQ(got, expected) << "seed " << seed;
    EXPECT_NEAR(list->total_m, total, 1e-6);
    EXPECT_LE(group_keys.size(), 3U);

    // A user of another kelurahan sees no one there; an unknown zone is NotFound.
    Actor other{"lurah", "10.0.0.2", {"64.74.02.1001"}, core::Role::Operator};
    auto outside = hazards_->evacuation_list(z.id, other, start);
    ASSERT_TRUE(outside.has_value()) << outside.error().message;
    EXPECT_EQ(outside->persons, 0U);
    EXPECT_TRUE(outside->groups.empty());
    auto unknown = hazards_->evacuation_list("01900000-0000-7000-8000-000000000999", admin_);
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);

    // CSV: a header and one row per person, in the same order; PDF: a document.
    const std::string csv = evacuation_csv(*list);
    std::size_t lines = 0;
    for (const char c : csv) {
        lines += c == '\n' ? 1 : 0;
    }
    EXPECT_EQ(lines, expected.size() + 1);
    EXPECT_NE(csv.find("urutan,kelurahan,rw,rt,id,nama"), std::string::npos);
    EXPECT_NE(csv.find(list->groups[0].stops[0].record.person.full_name), std::string::npos);
    auto pdf = evacuation_pdf(*list, "tester");
    ASSERT_TRUE(pdf.has_value()) << pdf.error().message;
    EXPECT_EQ(pdf->substr(0, 5), "%PDF-");
}

} // namespace
} // namespace kapal::service
