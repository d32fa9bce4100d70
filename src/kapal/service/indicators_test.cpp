#include "kapal/service/indicators.hpp"

#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

namespace kapal::service {
namespace {

using core::make_date;
using core::Status;
using store::RegistryState;

core::Timestamp day(int y, unsigned m, unsigned d) {
    // Noon WITA.
    return core::Timestamp{std::chrono::sys_days(make_date(y, m, d)) + std::chrono::hours(4)};
}

RegistryState state(std::int64_t person,
                    core::Timestamp at,
                    const std::string& kelurahan,
                    Status status = Status::Aktif) {
    RegistryState s;
    s.person = person;
    s.at = at;
    s.kelurahan_code = kelurahan;
    s.status = status;
    s.categories = 1;
    return s;
}

TEST(PreviousPeriod, IsTheYearQuarterMonthOrSpanBefore) {
    EXPECT_EQ(previous_period(*parse_period("2026")).label, "2025");
    EXPECT_EQ(previous_period(*parse_period("2026-Q3")).label, "2026-Q2");
    EXPECT_EQ(previous_period(*parse_period("2026-Q1")).label, "2025-Q4");
    EXPECT_EQ(previous_period(*parse_period("2026-01")).label, "2025-12");
    EXPECT_EQ(previous_period(*parse_period("2026-10")).label, "2026-09");
    const auto q4 = previous_period(*parse_period("2026-Q1"));
    EXPECT_EQ(q4.from, make_date(2025, 10, 1));
    EXPECT_EQ(q4.to, make_date(2026, 1, 1));
    const Period span{make_date(2026, 3, 10), make_date(2026, 3, 20), "2026-03-10..2026-03-20"};
    const auto before = previous_period(span);
    EXPECT_EQ(before.from, make_date(2026, 2, 28));
    EXPECT_EQ(before.to, make_date(2026, 3, 10));
    EXPECT_EQ(before.label, "2026-02-28..2026-03-10");
}

TEST(IndicatorsBuilder, CountsEachPersonAtEachEndByTheStateThenInForce) {
    const auto q3 = *parse_period("2026-Q3");
    const auto q2 = previous_period(q3);
    const std::array<core::Timestamp, 2> ends = {q3.to_instant(), q2.to_instant()};
    const auto jan1 = parse_period("2026")->from_instant();
    IndicatorsBuilder b({{"64.74.01", "Bontang Utara"}, {"64.74.02", "Bontang Selatan"}},
                        AreaLevel::Kecamatan,
                        ends,
                        {jan1, jan1});
    const std::string utara = "64.74.01.1003";
    const std::string selatan = "64.74.02.1001";
    // Person 1: in Utara since 2025, card valid throughout, aid in May (both windows).
    b.add_card({1, day(2025, 6, 1), day(2030, 6, 1), std::nullopt});
    b.add_aid({1, day(2026, 5, 2)});
    b.add_home(1, true, false);
    // Person 2: moved Utara → Selatan in August; card revoked in August; aid in December 2025
    // (before either window) and in September (only the current one).
    b.add_card({2, day(2025, 1, 1), day(2030, 1, 1), day(2026, 8, 20)});
    b.add_aid({2, day(2025, 12, 20)});
    b.add_aid({2, day(2026, 9, 1)});
    b.add_home(2, false, true);
    // Person 3: registered in July in Selatan, no home; card issued after the quarter.
    b.add_card({3, day(2026, 10, 5), day(2031, 10, 5), std::nullopt});
    // Person 4: died in September (counted in the previous end only), a card that expired in
    // June (not valid at the end of Q2).
    b.add_card({4, day(2021, 6, 1), day(2026, 6, 15), std::nullopt});
    b.add_home(4, true, true);
    // Person 5: registered directly in another kota's code: in no area.
    const std::vector<std::vector<RegistryState>> persons = {
        {state(1, day(2025, 3, 1), utara)},
        {state(2, day(2025, 3, 1), utara), state(2, day(2026, 8, 10), selatan)},
        {state(3, day(2026, 7, 15), selatan)},
        {state(4, day(2024, 1, 1), selatan), state(4, day(2026, 9, 9), selatan, Status::Meninggal)},
        {state(5, day(2024, 1, 1), "64.72.01.1001")},
    };
    for (const auto& p : persons) {
        b.add_person(p);
    }
    const auto areas = b.areas();
    ASSERT_EQ(areas.size(), 2U);
    const auto& utara_area = areas[0];
    const auto& selatan_area = areas[1];
    // Utara at the end of Q3: person 1 only.
    EXPECT_EQ(utara_area.current.registered, 1);
    EXPECT_EQ(utara_area.current.with_card, 1);
    EXPECT_EQ(utara_area.current.reached, 1);
    EXPECT_EQ(utara_area.current.located, 1);
    EXPECT_EQ(utara_area.current.in_hazard, 1);
    EXPECT_EQ(utara_area.current.far, 0);
    // Utara at the end of Q2: persons 1 and 2; person 2 reached no aid in 2026 by then.
    EXPECT_EQ(utara_area.previous.registered, 2);
    EXPECT_EQ(utara_area.previous.with_card, 2);
    EXPECT_EQ(utara_area.previous.reached, 1);
    EXPECT_EQ(utara_area.previous.located, 2);
    EXPECT_EQ(utara_area.previous.in_hazard, 1);
    EXPECT_EQ(utara_area.previous.far, 1);
    // Selatan at the end of Q3: persons 2 (card revoked, aid in September) and 3 (card later).
    EXPECT_EQ(selatan_area.current.registered, 2);
    EXPECT_EQ(selatan_area.current.with_card, 0);
    EXPECT_EQ(selatan_area.current.reached, 1);
    EXPECT_EQ(selatan_area.current.located, 1);
    EXPECT_EQ(selatan_area.current.far, 1);
    // Selatan at the end of Q2: person 4, whose card had expired.
    EXPECT_EQ(selatan_area.previous.registered, 1);
    EXPECT_EQ(selatan_area.previous.with_card, 0);
    EXPECT_EQ(selatan_area.previous.located, 1);
    EXPECT_EQ(selatan_area.previous.in_hazard, 1);
    const auto total = b.total();
    EXPECT_EQ(total.current.registered, 3);
    EXPECT_EQ(total.previous.registered, 3);
    EXPECT_EQ(total.current.reached, 2);
}

TEST(IndicatorCounts, ShareAndPer1000AreUndefinedWithoutADenominator) {
    IndicatorCounts c;
    c.registered = 12;
    EXPECT_FALSE(c.per_1000().has_value());
    c.population = 4000;
    EXPECT_DOUBLE_EQ(*c.per_1000(), 3.0);
    EXPECT_FALSE(IndicatorCounts::share(0, 0).has_value());
    EXPECT_DOUBLE_EQ(*IndicatorCounts::share(1, 4), 0.25);
}

class IndicatorsTest : public testing::StoreTest {
  protected:
    core::PersonId create(int n, const std::string& kelurahan, geo::LonLat home) {
        core::Person p;
        p.nik = testing::test_person_nik(n);
        p.full_name = "Orang " + std::to_string(n);
        p.sex = core::Sex::Female;
        p.birth_date = make_date(1985, 3, 7);
        p.address.kelurahan_code = kelurahan;
        p.categories = {core::Category::Fisik};
        p.home = core::HomeLocation{home.lon, home.lat, 5, core::LocationSource::Gps};
        const core::PersonId id(ids_.next(day(2026, 1, 1)));
        auto r = store_->create_person(id,
                                       p,
                                       core::kecamatan_of(kelurahan),
                                       {"test", "test", day(2026, 2, 1), ""},
                                       std::nullopt);
        EXPECT_TRUE(r.has_value()) << r.error().message;
        return id;
    }
};

TEST_F(IndicatorsTest, ReadsHazardZonesFacilitiesAndCardsFromTheStore) {
    const std::string kel = "64.74.02.1001";
    // A square zone around (117.50, 0.13); one facility at (117.60, 0.13).
    store::HazardZoneRecord zone;
    zone.id = ids_.next(day(2026, 1, 1));
    zone.name = "Rawan banjir uji";
    zone.hazard = "banjir";
    zone.level = "tinggi";
    zone.source = "uji";
    zone.geometry = R"({"type":"MultiPolygon","coordinates":[[[[117.49,0.12],[117.51,0.12],)"
                    R"([117.51,0.14],[117.49,0.14],[117.49,0.12]]]]})";
    ASSERT_TRUE(store_->add_hazard_zones({zone}, {"test", "test", day(2026, 1, 1), ""}));
    store::FacilityRecord f;
    f.id = ids_.next(day(2026, 1, 1));
    f.kind = "puskesmas";
    f.name = "Puskesmas uji";
    f.lon = 117.60;
    f.lat = 0.13;
    ASSERT_TRUE(store_->add_facilities({f}, {"test", "test", day(2026, 1, 1), ""}));

    const auto inside = create(1, kel, {117.50, 0.13}); // in the zone, ~11 km away
    create(2, kel, {117.595, 0.13});                    // ~560 m from the facility
    create(3, "64.74.01.1003", {117.30, 0.10});         // another kecamatan, far
    store::CardIssue issue;
    issue.person_id = inside;
    issue.regency = "6474";
    issue.kelurahan_code = kel;
    issue.expires_at = day(2031, 2, 1);
    issue.make = [](std::uint32_t serial) -> Result<store::CardContent> {
        return store::CardContent{"64740000" + std::to_string(100 + serial) + "0", "k", "QR"};
    };
    ASSERT_TRUE(store_->issue_card(issue, {"test", "test", day(2026, 2, 2), ""}));

    Actor selatan;
    selatan.id = "u";
    selatan.role = core::Role::Operator;
    selatan.scope_area_codes = {"64.74.02"};
    IndicatorOptions options;
    options.far_m = 5000;
    auto r = compute_indicators(*store_,
                                testing::reference(),
                                selatan,
                                AreaLevel::Kecamatan,
                                *parse_period("2026-Q1"),
                                options);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->previous.label, "2025-Q4");
    EXPECT_EQ(r->hazard_zones, 1U);
    EXPECT_EQ(r->facilities, 1U);
    ASSERT_EQ(r->areas.size(), 1U); // only the operator's kecamatan
    const auto& a = r->areas[0];
    EXPECT_EQ(a.code, "64.74.02");
    EXPECT_EQ(a.current.registered, 2);
    EXPECT_EQ(a.current.with_card, 1);
    EXPECT_EQ(a.current.located, 2);
    EXPECT_EQ(a.current.in_hazard, 1);
    EXPECT_EQ(a.current.far, 1);
    EXPECT_EQ(a.current.population, 71167); // Bontang Selatan, 2024
    EXPECT_EQ(a.previous.registered, 0);    // registered in February 2026

    // A kind with no facility: every located person is far; an unknown kind is refused.
    options.facility_kind = "slb";
    r = compute_indicators(*store_,
                           testing::reference(),
                           selatan,
                           AreaLevel::Kecamatan,
                           *parse_period("2026-Q1"),
                           options);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->facilities, 0U);
    EXPECT_EQ(r->areas[0].current.far, 2);
    options.facility_kind = "bengkel";
    EXPECT_FALSE(compute_indicators(*store_,
                                    testing::reference(),
                                    selatan,
                                    AreaLevel::Kecamatan,
                                    *parse_period("2026-Q1"),
                                    options)
                     .has_value());
}

} // namespace
} // namespace kapal::service
