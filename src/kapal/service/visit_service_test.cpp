#include "kapal/service/visit_service.hpp"

#include "kapal/geo/route.hpp"
#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

namespace kapal::service {
namespace {

using testing::StoreTest;

class VisitServiceTest : public StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        service_ = std::make_unique<PersonService>(*store_, testing::reference_ptr(), clock_, ids_);
    }

    core::PersonRecord add(const std::string& code, int serial, bool located = true) {
        core::Person p;
        char nik[24];
        std::snprintf(nik, sizeof nik, "6474014703850%03d", serial);
        p.nik = nik;
        p.full_name = "Warga " + std::to_string(serial);
        p.sex = core::Sex::Female;
        p.birth_date = core::make_date(1985, 3, 7);
        p.address.kelurahan_code = code;
        p.categories = {core::Category::Fisik};
        if (located) {
            const auto at = testing::reference().kelurahan->random_point_in(code, rng_);
            p.home = core::HomeLocation{at.lon, at.lat, 5.0, core::LocationSource::Gps};
        }
        auto created = service_->create(p, admin_, std::nullopt);
        EXPECT_TRUE(created.has_value()) << created.error().message;
        return created->record;
    }

    std::unique_ptr<PersonService> service_;
    Actor admin_{"tester", "127.0.0.1", {}, std::nullopt};
    std::mt19937_64 rng_{5};
};

TEST_F(VisitServiceTest, AKelurahanInTheOrderOfTheRoutePlanner) {
    std::vector<core::PersonRecord> made;
    for (int i = 1; i <= 12; ++i) {
        made.push_back(add(i <= 9 ? "64.74.01.1003" : "64.74.02.1001", i));
    }
    add("64.74.01.1003", 13, false);
    VisitRequest request;
    request.start = geo::LonLat{117.47, 0.13};
    request.kelurahan = "64.74.01.1003";
    auto plan = plan_visit(*service_, request, admin_);
    ASSERT_TRUE(plan.has_value()) << plan.error().message;
    ASSERT_EQ(plan->stops.size(), 9U);
    ASSERT_EQ(plan->unlocated.size(), 1U);
    EXPECT_EQ(plan->unlocated[0].person.full_name, "Warga 13");

    // The same order as the planner gives for these homes.
    std::vector<geo::LonLat> homes;
    std::vector<std::string> ids;
    for (int i = 0; i < 9; ++i) {
        homes.push_back({made[static_cast<std::size_t>(i)].person.home->lon,
                         made[static_cast<std::size_t>(i)].person.home->lat});
        ids.push_back(made[static_cast<std::size_t>(i)].id.str());
    }
    // Persons come from the list in id order, which is creation order here.
    const auto expected = geo::plan_visits(request.start, homes);
    double cumulative = 0;
    for (std::size_t i = 0; i < 9; ++i) {
        EXPECT_EQ(plan->stops[i].record.id.str(), ids[expected.order[i]]);
        EXPECT_DOUBLE_EQ(plan->stops[i].leg_m, expected.leg_m[i]);
        cumulative += expected.leg_m[i];
        EXPECT_DOUBLE_EQ(plan->stops[i].cumulative_m, cumulative);
    }
    EXPECT_DOUBLE_EQ(plan->total_m, expected.total_m);
    EXPECT_EQ(plan->start, request.start);

    // The printable list: the stops in route order, then the unlocated person without an order.
    const std::string csv = visit_csv(*plan, testing::reference().regions);
    std::istringstream lines(csv);
    std::string line;
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(line.rfind("urutan,id,nama,", 0), 0U) << line;
    for (std::size_t i = 0; i < 9; ++i) {
        ASSERT_TRUE(std::getline(lines, line));
        EXPECT_EQ(line.rfind(std::to_string(i + 1) + "," + plan->stops[i].record.id.str(), 0), 0U)
            << line;
        EXPECT_NE(line.find("Lok Tuan"), std::string::npos) << "the kelurahan's name: " << line;
    }
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(line.rfind("," + plan->unlocated[0].id.str(), 0), 0U) << line;
    EXPECT_FALSE(std::getline(lines, line));

    auto pdf = visit_pdf(*plan, testing::reference().regions, "tester", clock_.now());
    ASSERT_TRUE(pdf.has_value()) << pdf.error().message;
    EXPECT_EQ(pdf->substr(0, 5), "%PDF-");
}

TEST_F(VisitServiceTest, PersonsByIdWithinTheActorsAreas) {
    const auto a = add("64.74.01.1003", 1);
    const auto b = add("64.74.01.1003", 2);
    const auto c = add("64.74.02.1001", 3);
    VisitRequest request;
    request.start = geo::LonLat{117.47, 0.13};
    request.persons = {a.id, b.id, c.id};
    auto plan = plan_visit(*service_, request, admin_);
    ASSERT_TRUE(plan.has_value()) << plan.error().message;
    EXPECT_EQ(plan->stops.size(), 3U);

    Actor lurah{"lurah", "127.0.0.1", {"64.74.01.1003"}, core::Role::Operator};
    auto refused = plan_visit(*service_, request, lurah);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::NotFound) << "c is outside: as if absent";
    ASSERT_EQ(refused.error().fields.size(), 1U);
    EXPECT_EQ(refused.error().fields[0].field, "persons[2]");

    request.persons = {a.id, b.id, a.id};
    auto repeated = plan_visit(*service_, request, admin_);
    ASSERT_FALSE(repeated.has_value());
    EXPECT_EQ(repeated.error().fields[0].field, "persons[2]");

    request.kelurahan = "64.74.01.1003";
    auto both = plan_visit(*service_, request, admin_);
    ASSERT_FALSE(both.has_value());
    EXPECT_EQ(both.error().code, ErrorCode::ValidationFailed);

    // A kelurahan outside the actor's areas has nobody in it for them.
    VisitRequest other;
    other.start = request.start;
    other.kelurahan = "64.74.02.1001";
    auto empty = plan_visit(*service_, other, lurah);
    ASSERT_TRUE(empty.has_value());
    EXPECT_TRUE(empty->stops.empty());
    EXPECT_EQ(empty->total_m, 0);
}

} // namespace
} // namespace kapal::service
