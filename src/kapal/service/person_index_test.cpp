#include "kapal/service/person_index.hpp"

#include "kapal/service/person_service.hpp"
#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

namespace kapal::service {
namespace {

using testing::StoreTest;

/// A person living at a random point of kelurahan `code` (drawn from `rng`).
core::Person person_in(const std::string& code, int serial, std::mt19937_64& rng) {
    core::Person p;
    p.nik = testing::test_person_nik(serial);
    p.full_name = testing::test_person_name(serial);
    p.sex = core::Sex::Female;
    p.birth_date = core::make_date(1985, 3, 7);
    p.address.kelurahan_code = code;
    p.categories = {serial % 2 == 0 ? core::Category::Fisik : core::Category::SensorikNetra};
    const auto at = testing::reference().kelurahan->random_point_in(code, rng);
    p.home = core::HomeLocation{at.lon, at.lat, 5.0, core::LocationSource::Gps};
    return p;
}

class PersonIndexTest : public StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        service_ = std::make_unique<PersonService>(*store_, testing::reference_ptr(), clock_, ids_);
        index_ = std::make_unique<PersonIndex>(*store_);
        service_->set_index(index_.get());
    }

    std::unique_ptr<PersonService> service_;
    std::unique_ptr<PersonIndex> index_;
    Actor admin_{"tester", "127.0.0.1", {}, std::nullopt};
    std::mt19937_64 rng_{11};
};

TEST_F(PersonIndexTest, LoadsWhatTheStoreHoldsAndFindsItAroundAPoint) {
    std::vector<core::PersonRecord> made;
    for (int i = 1; i <= 12; ++i) {
        const std::string code = i <= 6 ? "64.74.01.1003" : "64.74.02.1001";
        auto r = store_->create_person(core::PersonId(ids_.next(clock_.now())),
                                       person_in(code, i, rng_),
                                       core::kecamatan_of(code),
                                       {"t", "cli", clock_.now(), ""},
                                       std::nullopt);
        ASSERT_TRUE(r.has_value()) << r.error().message;
        made.push_back(r->record);
    }
    auto loaded = index_->catch_up();
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    EXPECT_EQ(*loaded, 12U);
    EXPECT_EQ(index_->size(), 12U);
    EXPECT_EQ(*index_->catch_up(), 0U) << "nothing new";

    const auto& home = *made[0].person.home;
    SpatialQuery nearest;
    nearest.near = geo::LonLat{home.lon, home.lat};
    nearest.k = 3;
    store::PersonQuery filters;
    auto page = service_->search(nearest, filters, admin_);
    ASSERT_TRUE(page.has_value()) << page.error().message;
    ASSERT_EQ(page->items.size(), 3U);
    EXPECT_EQ(page->items[0].record.id, made[0].id);
    EXPECT_DOUBLE_EQ(page->items[0].distance_m, 0.0);
    EXPECT_LE(page->items[1].distance_m, page->items[2].distance_m);

    // Everyone within 50 km, but only kecamatan 64.74.02 and category fisik.
    SpatialQuery wide;
    wide.near = nearest.near;
    wide.radius_m = 50000;
    filters.kecamatan_code = "64.74.02";
    filters.category = core::Category::Fisik;
    page = service_->search(wide, filters, admin_);
    ASSERT_TRUE(page.has_value());
    EXPECT_EQ(page->items.size(), 3U) << "persons 8, 10, 12";
    for (const auto& hit : page->items) {
        EXPECT_EQ(hit.record.kecamatan_code, "64.74.02");
    }

    // A viewer of one kelurahan sees only its persons, whatever the filter asks.
    Actor lurah{"lurah", "127.0.0.1", {"64.74.01.1003"}, core::Role::Viewer};
    page = service_->search(wide, store::PersonQuery{}, lurah);
    ASSERT_TRUE(page.has_value());
    EXPECT_EQ(page->items.size(), 6U);
    store::PersonQuery elsewhere;
    elsewhere.kecamatan_code = "64.74.02";
    page = service_->search(wide, elsewhere, lurah);
    ASSERT_TRUE(page.has_value());
    EXPECT_TRUE(page->items.empty());

    // The limit: truncated says more matched.
    store::PersonQuery two;
    two.limit = 2;
    page = service_->search(wide, two, admin_);
    ASSERT_TRUE(page.has_value());
    EXPECT_EQ(page->items.size(), 2U);
    EXPECT_TRUE(page->truncated);
}

TEST_F(PersonIndexTest, OwnWritesShowAtOnceAndOthersWritesAfterTheFollowerPolls) {
    ASSERT_TRUE(index_->catch_up().has_value());
    auto created = service_->create(person_in("64.74.01.1003", 1, rng_), admin_, std::nullopt);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    const auto home = *created->record.person.home;
    SpatialQuery around;
    around.near = geo::LonLat{home.lon, home.lat};
    around.radius_m = 1;
    auto page = service_->search(around, {}, admin_);
    ASSERT_TRUE(page.has_value());
    ASSERT_EQ(page->items.size(), 1U) << "the service's own write, before any catch-up";

    // Another process (a command-line import) writes to the same file.
    auto other = store::open_sqlite_store(dir_ / "store.db", keys_);
    ASSERT_TRUE(other.has_value()) << other.error().message;
    ChangeFollower follower(*store_, *index_, 20, nullptr);
    core::Person moved = created->record.person;
    moved.home->lon += 0.01;
    ASSERT_TRUE((*other)->update_person(
        created->record.id, 1, moved, "64.74.01", {"import:x.csv", "cli", clock_.now(), ""}));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (index_->within(*around.near, 1, {}, 10).size() == 1 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(index_->within(*around.near, 1, {}, 10).empty()) << "moved away";
    around.near->lon += 0.01;
    page = service_->search(around, {}, admin_);
    ASSERT_TRUE(page.has_value());
    ASSERT_EQ(page->items.size(), 1U);
    EXPECT_EQ(page->items[0].record.version, 2);
}

TEST_F(PersonIndexTest, SearchAnswersIndexLoadingUntilTheFirstLoad) {
    SpatialQuery near;
    near.near = geo::LonLat{117.5, 0.13};
    near.radius_m = 10;
    auto r = service_->search(near, {}, admin_);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::IndexLoading);
    EXPECT_FALSE(index_->ready());
    ChangeFollower follower(*store_, *index_, 10, nullptr);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!index_->ready() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_TRUE(index_->ready()) << "the follower loads the index";
    r = service_->search(near, {}, admin_);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_TRUE(r->items.empty());
}

TEST_F(PersonIndexTest, PolygonWithNeedsAndSeverityMatchesTheRecordsFilteredByHand) {
    ASSERT_TRUE(index_->catch_up().has_value());
    // Written through the service, so the index holds each person's devices at once.
    std::vector<core::PersonRecord> made;
    for (int i = 1; i <= 40; ++i) {
        const std::string code = i % 3 == 0 ? "64.74.02.1001" : "64.74.01.1003";
        core::Person p = person_in(code, i, rng_);
        if (i % 4 == 0) {
            p.assistive_devices = {"kursi_roda"};
        } else if (i % 4 == 1) {
            p.assistive_devices = {"tongkat_netra", "braille"};
        }
        p.severity =
            i % 2 == 0 ? core::DisabilitySeverity::Berat : core::DisabilitySeverity::Ringan;
        auto created = service_->create(p, admin_, std::nullopt);
        ASSERT_TRUE(created.has_value()) << created.error().message;
        made.push_back(created->record);
    }
    // A box-shaped polygon over the whole city with a hole around the first person's home.
    const auto& first = *made[0].person.home;
    const double d = 0.0005;
    geo::Polygon city{{{117.0, -0.5}, {118.0, -0.5}, {118.0, 0.5}, {117.0, 0.5}},
                      {{{first.lon - d, first.lat - d},
                        {first.lon + d, first.lat - d},
                        {first.lon + d, first.lat + d},
                        {first.lon - d, first.lat + d}}}};
    SpatialQuery q;
    q.polygon = geo::MultiPolygon{{city}};
    q.needs = {"kursi_roda", "braille"};
    q.severity = core::DisabilitySeverity::Berat;
    store::PersonQuery filters;
    filters.limit = 1000;
    auto page = service_->search(q, filters, admin_);
    ASSERT_TRUE(page.has_value()) << page.error().message;
    std::vector<std::string> expected;
    for (const auto& r : made) {
        const auto& devices = r.person.assistive_devices;
        const bool needs =
            std::find(devices.begin(), devices.end(), "kursi_roda") != devices.end() ||
            std::find(devices.begin(), devices.end(), "braille") != devices.end();
        const geo::LonLat at{r.person.home->lon, r.person.home->lat};
        if (needs && r.person.severity == core::DisabilitySeverity::Berat &&
            geo::contains(city, at)) {
            expected.push_back(r.id.str());
        }
    }
    std::sort(expected.begin(), expected.end());
    std::vector<std::string> got;
    for (const auto& hit : page->items) {
        got.push_back(hit.record.id.str());
    }
    EXPECT_EQ(got, expected) << "by id";
    EXPECT_FALSE(expected.empty());

    // Persons 4, 8, ..., 40 use a wheelchair and are "berat"; the hole holds only person 1.
    q.needs = {"kursi_roda"};
    page = service_->search(q, filters, admin_);
    ASSERT_TRUE(page.has_value());
    EXPECT_EQ(page->items.size(), 10U);
    q.polygon->parts[0].holes.clear();
    q.needs = {"tongkat_netra"};
    q.severity.reset();
    page = service_->search(q, filters, admin_);
    ASSERT_TRUE(page.has_value());
    EXPECT_EQ(page->items.size(), 10U) << "persons 1, 5, 9, ...";
    q.categories = {core::Category::Mental};
    page = service_->search(q, filters, admin_);
    ASSERT_TRUE(page.has_value());
    EXPECT_TRUE(page->items.empty()) << "categories narrow as well";

    q.needs = {"kursi_roda", "jetpack"};
    auto bad = service_->search(q, filters, admin_);
    ASSERT_FALSE(bad.has_value());
    ASSERT_EQ(bad.error().fields.size(), 1U);
    EXPECT_EQ(bad.error().fields[0].field, "needs[1]");
}

TEST_F(PersonIndexTest, AnOwnWriteReplacesTheFeedsSummaryOfTheSameVersion) {
    // PostgreSQL notifies at commit, so the follower may apply a write from the feed before the
    // writer applies its own record; a summary may carry less (devices before schema v5).
    ASSERT_TRUE(index_->catch_up().has_value());
    core::Person p = person_in("64.74.01.1003", 1, rng_);
    p.assistive_devices = {"kursi_roda"};
    auto r = store_->create_person(core::PersonId(ids_.next(clock_.now())),
                                   p,
                                   "64.74.01",
                                   {"t", "cli", clock_.now(), ""},
                                   std::nullopt);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    ASSERT_TRUE(index_->catch_up().has_value()); // the feed first
    index_->apply(r->record);                    // then the writer's own record
    SpatialQuery q;
    q.near = geo::LonLat{p.home->lon, p.home->lat};
    q.radius_m = 1;
    q.needs = {"kursi_roda"};
    auto page = service_->search(q, {}, admin_);
    ASSERT_TRUE(page.has_value());
    ASSERT_EQ(page->items.size(), 1U);
    EXPECT_EQ(page->items[0].record.id, r->record.id);
}

TEST_F(PersonIndexTest, SearchRefusesANameOrCursorAndNeedsAPlace) {
    SpatialQuery none;
    auto r = service_->search(none, {}, admin_);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::ValidationFailed);
    SpatialQuery near;
    near.near = geo::LonLat{117.5, 0.13};
    near.radius_m = 10;
    store::PersonQuery named;
    named.name_contains = "Siti";
    r = service_->search(near, named, admin_);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::ValidationFailed);
}

} // namespace
} // namespace kapal::service
