#include "kapal/service/gis_layers.hpp"

#include "kapal/core/nik.hpp"
#include "kapal/service/export_service.hpp"
#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

namespace kapal::service {
namespace {

using testing::StoreTest;

std::uint64_t test_seed() {
    const char* env = std::getenv("KAPAL_TEST_SEED");
    return env != nullptr ? std::strtoull(env, nullptr, 10) : 5U;
}

const std::vector<std::string> kKelurahan = {
    "64.74.01.1003", "64.74.01.1004", "64.74.02.1001", "64.74.02.1002", "64.74.03.1001"};

class GisLayersTest : public StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        service_ = std::make_unique<PersonService>(*store_, testing::reference_ptr(), clock_, ids_);
        index_ = std::make_unique<PersonIndex>(*store_);
        service_->set_index(index_.get());
    }

    /// `n` persons in random kelurahan of kKelurahan, one in five without a home.
    void make_persons(int n, std::mt19937_64& rng) {
        for (int i = 1; i <= n; ++i) {
            const std::string code = kKelurahan[rng() % kKelurahan.size()];
            core::Person p;
            char nik[24];
            std::snprintf(nik, sizeof nik, "6474014703850%03d", i);
            p.nik = nik;
            p.kk = "6474010101010001";
            p.full_name = "Warga " + std::to_string(i);
            p.sex = core::Sex::Female;
            p.birth_date = core::make_date(1985, 3, 7);
            p.address.kelurahan_code = code;
            p.categories = {core::Category::Fisik};
            if (i % 5 != 0) {
                const auto at = testing::reference().kelurahan->random_point_in(code, rng);
                p.home = core::HomeLocation{at.lon, at.lat, 5.0, core::LocationSource::Gps};
            }
            auto r = store_->create_person(core::PersonId(ids_.next(clock_.now())),
                                           p,
                                           core::kecamatan_of(code),
                                           {"t", "cli", clock_.now(), ""},
                                           std::nullopt);
            ASSERT_TRUE(r.has_value()) << r.error().message;
            records_.push_back(r->record);
        }
        ASSERT_TRUE(index_->catch_up().has_value());
    }

    std::unique_ptr<PersonService> service_;
    std::unique_ptr<PersonIndex> index_;
    std::vector<core::PersonRecord> records_;
};

TEST_F(GisLayersTest, PersonPagesMatchBruteForceForRandomBoxesScopesAndOffsets) {
    const auto seed = test_seed();
    SCOPED_TRACE("KAPAL_TEST_SEED=" + std::to_string(seed));
    std::mt19937_64 rng(seed);
    make_persons(120, rng);
    const auto persons = persons_collection(*service_, *index_, testing::reference_ptr());
    const geo::BBox city = testing::reference().kelurahan->bounds();
    std::uniform_real_distribution<double> u(0, 1);
    for (int round = 0; round < 60; ++round) {
        Actor actor{"t", "127.0.0.1", {}, core::Role::Viewer};
        if (round % 3 == 1) {
            actor.scope_area_codes = {kKelurahan[rng() % kKelurahan.size()]};
        } else if (round % 3 == 2) {
            actor.scope_area_codes = {"64.74.02"};
        }
        FeatureQuery q;
        if (round % 4 != 0) {
            const double a = city.min_lon + u(rng) * (city.max_lon - city.min_lon);
            const double b = city.min_lon + u(rng) * (city.max_lon - city.min_lon);
            const double c = city.min_lat + u(rng) * (city.max_lat - city.min_lat);
            const double d = city.min_lat + u(rng) * (city.max_lat - city.min_lat);
            q.bbox = geo::BBox{std::min(a, b), std::min(c, d), std::max(a, b), std::max(c, d)};
        }
        // Brute force: located persons in scope and in the box, in id order.
        std::vector<std::string> expected;
        for (const auto& r : records_) {
            if (!r.person.home) {
                continue;
            }
            const geo::LonLat at{r.person.home->lon, r.person.home->lat};
            const bool in_scope =
                actor.scope_area_codes.empty() ||
                core::code_within(r.person.address.kelurahan_code, actor.scope_area_codes[0]);
            if (in_scope && (!q.bbox || q.bbox->contains(at))) {
                expected.push_back(r.id.str());
            }
        }
        std::sort(expected.begin(), expected.end());
        // Page through with a random page size; the pages must add up to the brute force.
        q.limit = 1 + rng() % 25;
        std::vector<std::string> got;
        for (q.offset = 0;; q.offset += q.limit) {
            auto page = persons.items(q, actor);
            ASSERT_TRUE(page.has_value()) << page.error().message;
            EXPECT_EQ(page->matched, expected.size()) << "round " << round;
            for (const auto& f : page->items) {
                got.push_back(f.id);
            }
            if (page->items.size() < q.limit) {
                break;
            }
        }
        EXPECT_EQ(got, expected) << "round " << round;
    }
}

TEST_F(GisLayersTest, PersonFeaturesAreMaskedAndOneOutsideTheScopeIsNotFound) {
    std::mt19937_64 rng(3);
    make_persons(10, rng);
    const auto persons = persons_collection(*service_, *index_, testing::reference_ptr());
    const auto schema = person_layer_schema();
    const auto nik_at = static_cast<std::size_t>(
        std::find_if(schema.fields.begin(),
                     schema.fields.end(),
                     [](const io::FieldDef& f) { return f.name == "nik"; }) -
        schema.fields.begin());
    ASSERT_LT(nik_at, schema.fields.size());
    const Actor admin{"t", "127.0.0.1", {}, core::Role::Admin};
    for (const auto& r : records_) {
        auto f = persons.item(r.id.str(), admin);
        ASSERT_TRUE(f.has_value());
        ASSERT_EQ(f->values.size(), schema.fields.size());
        const auto& nik = std::get<std::string>(f->values[nik_at]);
        EXPECT_NE(nik, r.person.nik);
        EXPECT_EQ(nik, core::mask_id_number(r.person.nik));
        EXPECT_EQ(std::holds_alternative<geo::LonLat>(f->geometry), r.person.home.has_value());
        const Actor other{"t", "127.0.0.1", {"64.74.99"}, core::Role::Viewer};
        auto hidden = persons.item(r.id.str(), other);
        ASSERT_FALSE(hidden.has_value());
        EXPECT_EQ(hidden.error().code, ErrorCode::NotFound);
    }
    EXPECT_EQ(persons.item("not-an-id", admin).error().code, ErrorCode::NotFound);
}

TEST_F(GisLayersTest, PersonsAnswerIndexLoadingUntilTheIndexIsRead) {
    PersonIndex cold(*store_);
    const auto persons = persons_collection(*service_, cold, testing::reference_ptr());
    auto page = persons.items(FeatureQuery{}, Actor{"t", "", {}, core::Role::Admin});
    ASSERT_FALSE(page.has_value());
    EXPECT_EQ(page.error().code, ErrorCode::IndexLoading);
}

TEST(GisAreas, TheCityItsKecamatanAndKelurahanWithBoxAndPaging) {
    const auto areas = areas_collection(testing::reference_ptr());
    const Actor anyone{"anonymous", "", {}, std::nullopt};
    auto all = areas.items(FeatureQuery{std::nullopt, 0, 1000}, anyone);
    ASSERT_TRUE(all.has_value());
    EXPECT_EQ(all->matched, 19U) << "1 kota, 3 kecamatan, 15 kelurahan";
    std::map<std::string, int> levels;
    for (const auto& f : all->items) {
        ASSERT_TRUE(std::holds_alternative<geo::MultiPolygon>(f.geometry));
        levels[std::get<std::string>(f.values[2])]++;
    }
    EXPECT_EQ(levels["kota"], 1);
    EXPECT_EQ(levels["kecamatan"], 3);
    EXPECT_EQ(levels["kelurahan"], 15);
    auto page = areas.items(FeatureQuery{std::nullopt, 17, 5}, anyone);
    ASSERT_TRUE(page.has_value());
    EXPECT_EQ(page->matched, 19U);
    ASSERT_EQ(page->items.size(), 2U);
    EXPECT_EQ(page->items[0].id, all->items[17].id);
    // A tiny box around the label point of Lok Tuan meets the city, its kecamatan and it.
    const auto* lok_tuan = testing::reference().kelurahan->find("64.74.01.1003");
    ASSERT_NE(lok_tuan, nullptr);
    ASSERT_TRUE(lok_tuan->label.has_value());
    const auto p = *lok_tuan->label;
    auto near = areas.items(FeatureQuery{geo::BBox{p.lon, p.lat, p.lon, p.lat}, 0, 100}, anyone);
    ASSERT_TRUE(near.has_value());
    std::set<std::string> ids;
    for (const auto& f : near->items) {
        ids.insert(f.id);
    }
    EXPECT_TRUE(ids.count("64.74") == 1 && ids.count("64.74.01") == 1 &&
                ids.count("64.74.01.1003") == 1);
    EXPECT_EQ(areas.item("64.74.02", anyone)->id, "64.74.02");
    EXPECT_EQ(areas.item("64.74.99", anyone).error().code, ErrorCode::NotFound);
}

TEST(GisAreas, CsvExportHasLonLatAndWkt) {
    const auto file = std::filesystem::temp_directory_path() / "kapal_areas_test.csv";
    auto n = export_areas(file, testing::reference(), ExportFormat::Csv);
    ASSERT_TRUE(n.has_value()) << n.error().message;
    EXPECT_EQ(*n, 19U);
    std::ifstream in(file);
    std::string header;
    std::getline(in, header);
    EXPECT_NE(header.find("code,name,level,parent_code,lon,lat,wkt"), std::string::npos);
    std::string first;
    std::getline(in, first);
    EXPECT_NE(first.find("MULTIPOLYGON ((("), std::string::npos);
    EXPECT_FALSE(export_areas(file, testing::reference(), ExportFormat::Xlsx).has_value());
    std::filesystem::remove(file);
}

} // namespace
} // namespace kapal::service
