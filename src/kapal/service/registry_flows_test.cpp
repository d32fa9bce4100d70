#include "kapal/service/registry_flows.hpp"

#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

namespace kapal::service {
namespace {

using core::make_date;
using core::Status;
using store::RegistryState;

// ---- periods ----------------------------------------------------------------------------------

TEST(Period, ReadsAYearAQuarterAndAMonth) {
    const auto year = parse_period("2026");
    ASSERT_TRUE(year);
    EXPECT_EQ(year->from, make_date(2026, 1, 1));
    EXPECT_EQ(year->to, make_date(2027, 1, 1));
    const auto q3 = parse_period("2026-Q3");
    ASSERT_TRUE(q3);
    EXPECT_EQ(q3->from, make_date(2026, 7, 1));
    EXPECT_EQ(q3->to, make_date(2026, 10, 1));
    const auto q4 = parse_period("2026-Q4");
    ASSERT_TRUE(q4);
    EXPECT_EQ(q4->to, make_date(2027, 1, 1));
    const auto dec = parse_period("2026-12");
    ASSERT_TRUE(dec);
    EXPECT_EQ(dec->from, make_date(2026, 12, 1));
    EXPECT_EQ(dec->to, make_date(2027, 1, 1));
    EXPECT_EQ(dec->label, "2026-12");
    for (const char* bad : {"",
                            "26",
                            "2026-Q5",
                            "2026-Q0",
                            "2026-13",
                            "2026-00",
                            "2026-1",
                            "2026-q3",
                            "abcd",
                            "2026-09-01",
                            "+026",
                            "2026-Q3x"}) {
        EXPECT_FALSE(parse_period(bad)) << bad;
    }
}

TEST(Period, StartsAndEndsAtMidnightWita) {
    const auto sep = parse_period("2026-09");
    ASSERT_TRUE(sep);
    EXPECT_EQ(core::format_timestamp(sep->from_instant()), "2026-08-31T16:00:00.000Z");
    EXPECT_EQ(core::format_timestamp(sep->to_instant()), "2026-09-30T16:00:00.000Z");
}

TEST(Period, LastMonthsEndWithTheCurrentOneAcrossAYear) {
    const auto months = last_months(make_date(2026, 2, 10), 3);
    ASSERT_EQ(months.size(), 3U);
    EXPECT_EQ(months[0].label, "2025-12");
    EXPECT_EQ(months[0].to, make_date(2026, 1, 1));
    EXPECT_EQ(months[2].label, "2026-02");
    EXPECT_EQ(months[2].to, make_date(2026, 3, 1));
}

// ---- the counting rules on hand-made timelines -------------------------------------------------

core::Timestamp day(int y, unsigned m, unsigned d) {
    // Noon WITA.
    return core::Timestamp{std::chrono::sys_days(make_date(y, m, d)) + std::chrono::hours(4)};
}

RegistryState state(std::int64_t person,
                    std::int64_t version,
                    core::Timestamp at,
                    const std::string& kelurahan,
                    Status status = Status::Aktif) {
    RegistryState s;
    s.person = person;
    s.version = version;
    s.at = at;
    s.kelurahan_code = kelurahan;
    s.status = status;
    s.sex = person % 2 == 0 ? core::Sex::Female : core::Sex::Male;
    s.birth_date = make_date(1990, 1, 1);
    s.categories = 1; // fisik
    return s;
}

const FlowCounts& counts_of(const PeriodFlows& f, const std::string& code) {
    for (const auto& a : f.areas) {
        if (a.code == code) {
            return a.counts;
        }
    }
    static const FlowCounts kNone;
    ADD_FAILURE() << "no area " << code;
    return kNone;
}

TEST(FlowsBuilder, CountsEachKindOfChangeInTheAreaItHappenedIn) {
    const std::string utara1 = "64.74.01.1001";
    const std::string utara2 = "64.74.01.1002";
    const std::string selatan = "64.74.02.1001";
    FlowsBuilder b({{"64.74.01", "Bontang Utara"}, {"64.74.02", "Bontang Selatan"}},
                   AreaLevel::Kecamatan,
                   {*parse_period("2026-Q3")},
                   true);
    const auto before = day(2026, 3, 1);
    // 1: moves to another kelurahan of the same kecamatan: no flow at this level.
    b.add_person(std::vector{state(1, 1, before, utara1), state(1, 2, day(2026, 7, 5), utara2)});
    // 2: moves to Bontang Selatan.
    b.add_person(std::vector{state(2, 1, before, utara1), state(2, 2, day(2026, 8, 1), selatan)});
    // 3: registered in the period.
    b.add_person(std::vector{state(3, 1, day(2026, 9, 30), utara1)});
    // 4: dies.
    b.add_person(std::vector{state(4, 1, before, utara1),
                             state(4, 2, day(2026, 7, 2), utara1, Status::Meninggal)});
    // 5: deactivated, then active again.
    b.add_person(std::vector{state(5, 1, before, selatan),
                             state(5, 2, day(2026, 7, 2), selatan, Status::Nonaktif),
                             state(5, 3, day(2026, 8, 2), selatan)});
    // 6: leaves the city (pindah), comes back into Bontang Utara.
    b.add_person(std::vector{state(6, 1, before, selatan),
                             state(6, 2, day(2026, 7, 2), selatan, Status::Pindah),
                             state(6, 3, day(2026, 9, 2), utara1)});
    // 7: registered after the period: not counted at all. 8: registered as deceased.
    b.add_person(std::vector{state(7, 1, day(2026, 10, 1), utara1)});
    b.add_person(std::vector{state(8, 1, day(2026, 8, 1), utara1, Status::Meninggal)});
    const auto flows = b.result();
    ASSERT_EQ(flows.size(), 1U);
    const FlowCounts& u = counts_of(flows[0], "64.74.01");
    EXPECT_EQ(u.start, 3);
    EXPECT_EQ(u.registered, 1);
    EXPECT_EQ(u.moved_in, 1);
    EXPECT_EQ(u.moved_out, 1);
    EXPECT_EQ(u.deceased, 1);
    EXPECT_EQ(u.end, 3);
    EXPECT_TRUE(u.reconciles());
    const FlowCounts& s = counts_of(flows[0], "64.74.02");
    EXPECT_EQ(s.start, 2);
    EXPECT_EQ(s.moved_in, 1);
    EXPECT_EQ(s.moved_out, 1);
    EXPECT_EQ(s.deactivated, 1);
    EXPECT_EQ(s.reactivated, 1);
    EXPECT_EQ(s.end, 2);
    EXPECT_TRUE(s.reconciles());
    // The city as a whole: the move between kecamatan is neither in nor out.
    const FlowCounts& t = flows[0].total.counts;
    EXPECT_EQ(t.start, 5);
    EXPECT_EQ(t.registered, 1);
    EXPECT_EQ(t.moved_in, 1);  // back from outside the city
    EXPECT_EQ(t.moved_out, 1); // pindah
    EXPECT_EQ(t.end, 5);
    EXPECT_TRUE(t.reconciles());
    // The breakdown: everyone is fisik.
    EXPECT_EQ(flows[0].total.categories[0].counts, t);
    EXPECT_EQ(flows[0].total.categories[1].counts, FlowCounts{});
}

TEST(FlowsBuilder, ClassifiesByTheLastStateAndTheAgeOnTheLastDay) {
    FlowsBuilder b({{"64.74.01.1001", "Api-Api"}},
                   AreaLevel::Kelurahan,
                   {*parse_period("2026-Q3"), *parse_period("2026-Q4")},
                   true);
    RegistryState child = state(1, 1, day(2026, 1, 5), "64.74.01.1001");
    child.birth_date = make_date(2021, 10, 1); // five on 1 Oct 2026
    RegistryState later = child;
    later.version = 2;
    later.at = day(2026, 11, 1);
    later.severity = core::DisabilitySeverity::Berat;
    b.add_person(std::vector{child, later});
    const auto flows = b.result();
    ASSERT_EQ(flows.size(), 2U);
    const auto& q3 = flows[0].areas[0];
    EXPECT_EQ(q3.age_groups[0].key, "balita");
    EXPECT_EQ(q3.age_groups[0].counts.end, 1); // four on 30 Sep
    EXPECT_EQ(q3.severities[3].key, "tidak_diisi");
    EXPECT_EQ(q3.severities[3].counts.end, 1);
    const auto& q4 = flows[1].areas[0];
    EXPECT_EQ(q4.age_groups[1].key, "anak");
    EXPECT_EQ(q4.age_groups[1].counts.start, 1);
    EXPECT_EQ(q4.age_groups[1].counts.end, 1);
    EXPECT_EQ(q4.severities[2].key, "berat");
    EXPECT_EQ(q4.severities[2].counts.end, 1);
    // A period's end is the next one's start.
    EXPECT_EQ(flows[0].total.counts.end, flows[1].total.counts.start);
}

// ---- a generated history in a real store, against a direct recomputation ----------------------

std::uint64_t test_seed() {
    std::uint64_t seed = 20261128;
    if (const char* env = std::getenv("KAPAL_TEST_SEED"); env != nullptr && *env != '\0') {
        seed = std::strtoull(env, nullptr, 10);
    }
    std::printf("KAPAL_TEST_SEED=%llu\n", static_cast<unsigned long long>(seed));
    return seed;
}

const std::vector<std::string>& kelurahan_codes() {
    static const std::vector<std::string> kCodes = [] {
        std::vector<std::string> out;
        for (const auto& a : testing::reference().areas) {
            if (a.level == "kelurahan") {
                out.push_back(a.code);
            }
        }
        return out;
    }();
    return kCodes;
}

/// One write of the generated history.
struct Write {
    core::Timestamp at;
    int person = 0;
    core::Person content;
};

class RegistryFlowsTest : public testing::StoreTest {
  protected:
    /// Persons registered between 2024-01 and 2026-11, each then changed 0–6 times: moves
    /// inside the city, pindah, deaths, deactivations, reactivations and plain edits.
    void generate(int persons, std::uint64_t seed) {
        std::mt19937_64 rng(seed);
        const auto pick = [&](int n) {
            return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng));
        };
        const auto& codes = kelurahan_codes();
        const auto begin = core::to_unix_ms(*core::parse_timestamp("2024-01-01T00:00:00Z"));
        const auto stop = core::to_unix_ms(clock_.now());
        std::vector<Write> writes;
        for (int n = 0; n < persons; ++n) {
            core::Person p;
            char nik[24];
            std::snprintf(nik, sizeof nik, "647401470385%04d", n);
            p.nik = nik;
            p.full_name = "Orang " + std::to_string(n);
            p.sex = pick(2) == 0 ? core::Sex::Male : core::Sex::Female;
            p.birth_date = make_date(1940 + pick(85), static_cast<unsigned>(1 + pick(12)), 1);
            p.address.kelurahan_code = codes[static_cast<std::size_t>(pick(int(codes.size())))];
            p.categories = {core::kAllCategories[static_cast<std::size_t>(pick(6))]};
            if (pick(3) == 0) {
                p.categories.push_back(core::Category::SensorikWicara);
                std::sort(p.categories.begin(), p.categories.end());
                p.categories.erase(std::unique(p.categories.begin(), p.categories.end()),
                                   p.categories.end());
            }
            if (pick(4) != 0) {
                p.severity = core::kAllSeverities[static_cast<std::size_t>(pick(3))];
            }
            std::int64_t t =
                begin + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(stop - begin));
            writes.push_back({core::from_unix_ms(t), n, p});
            const int changes = pick(7);
            for (int c = 0; c < changes; ++c) {
                t += 1 + static_cast<std::int64_t>(rng() % (90ULL * 24 * 3600 * 1000));
                if (t >= stop) {
                    break;
                }
                const int kind = pick(10);
                if (p.status != Status::Aktif) {
                    if (kind < 4) { // reactivated or back in the city
                        p.status = Status::Aktif;
                        p.status_date.reset();
                        if (kind < 2) {
                            p.address.kelurahan_code =
                                codes[static_cast<std::size_t>(pick(int(codes.size())))];
                        }
                    } else {
                        p.phone = "08" + std::to_string(t % 100000);
                    }
                } else if (kind < 4) {
                    p.address.kelurahan_code =
                        codes[static_cast<std::size_t>(pick(int(codes.size())))];
                } else if (kind == 4) {
                    p.status = Status::Pindah;
                } else if (kind == 5) {
                    p.status = Status::Meninggal;
                } else if (kind == 6) {
                    p.status = Status::Nonaktif;
                } else if (kind == 7) {
                    p.severity = core::DisabilitySeverity::Berat;
                } else {
                    p.phone = "08" + std::to_string(t % 100000);
                }
                if (p.status != Status::Aktif) {
                    // The day it happened lies in the past: the report goes by when it was
                    // recorded, so a later correction of this date changes no past figure.
                    p.status_date =
                        core::Date{std::chrono::sys_days(core::wita_date(core::from_unix_ms(t))) -
                                   std::chrono::days(30)};
                }
                writes.push_back({core::from_unix_ms(t), n, p});
            }
        }
        std::stable_sort(writes.begin(), writes.end(), [](const Write& a, const Write& b) {
            return a.at < b.at;
        });
        apply(writes);
    }

    void apply(const std::vector<Write>& writes) {
        for (const auto& w : writes) {
            const core::PersonId id = id_of(w.person);
            const std::string kecamatan = core::kecamatan_of(w.content.address.kelurahan_code);
            const store::WriteContext ctx{"test", "test", w.at, ""};
            auto& version = versions_[w.person];
            if (version == 0) {
                auto r = store_->create_person(id, w.content, kecamatan, ctx, std::nullopt);
                ASSERT_TRUE(r.has_value()) << r.error().message;
            } else {
                auto r = store_->update_person(id, version, w.content, kecamatan, ctx);
                ASSERT_TRUE(r.has_value()) << r.error().message;
            }
            ++version;
        }
    }

    core::PersonId id_of(int n) {
        auto& id = ids_of_[n];
        if (id.str().empty()) {
            id = core::PersonId(ids_.next(core::from_unix_ms(1'700'000'000'000)));
        }
        return id;
    }

    /// The flows recomputed from each person's decoded history (person_history and
    /// person_as_of), without the registry timeline.
    std::map<std::string, FlowCounts>
    direct(const Period& period, AreaLevel level, const std::vector<std::string>& areas) {
        const auto area_of = [&](const core::PersonRecord& r) -> std::string {
            if (r.person.status != Status::Aktif) {
                return "";
            }
            const std::string& k = r.person.address.kelurahan_code;
            std::string code = level == AreaLevel::Kelurahan   ? k
                               : level == AreaLevel::Kecamatan ? core::kecamatan_of(k)
                                                               : k.substr(0, 5);
            return std::find(areas.begin(), areas.end(), code) != areas.end() ? code : "";
        };
        std::map<std::string, FlowCounts> out;
        const auto from = period.from_instant();
        const auto to = period.to_instant();
        for (const auto& [n, version] : versions_) {
            const core::PersonId id = id_of(n);
            const auto at_start = store_->person_as_of(id, from - std::chrono::milliseconds(1));
            if (at_start && !area_of(*at_start).empty()) {
                ++out[area_of(*at_start)].start;
            }
            const auto at_end = store_->person_as_of(id, to - std::chrono::milliseconds(1));
            if (at_end && !area_of(*at_end).empty()) {
                ++out[area_of(*at_end)].end;
            }
            auto history = store_->person_history(id);
            EXPECT_TRUE(history.has_value());
            const core::PersonRecord* prev = nullptr;
            for (const auto& v : *history) {
                const auto& r = v.record;
                if (r.updated_at >= from && r.updated_at < to) {
                    const std::string was = prev != nullptr ? area_of(*prev) : "";
                    const std::string is = area_of(r);
                    if (was != is && !was.empty()) {
                        auto& c = out[was];
                        switch (r.person.status) {
                        case Status::Meninggal:
                            ++c.deceased;
                            break;
                        case Status::Nonaktif:
                            ++c.deactivated;
                            break;
                        default:
                            ++c.moved_out;
                        }
                    }
                    if (was != is && !is.empty()) {
                        auto& c = out[is];
                        if (prev == nullptr) {
                            ++c.registered;
                        } else if (prev->person.status == Status::Meninggal ||
                                   prev->person.status == Status::Nonaktif) {
                            ++c.reactivated;
                        } else {
                            ++c.moved_in;
                        }
                    }
                }
                prev = &r;
            }
        }
        return out;
    }

    std::map<int, std::int64_t> versions_;
    std::map<int, core::PersonId> ids_of_;
};

std::vector<std::string> codes_of(const PeriodFlows& f) {
    std::vector<std::string> out;
    for (const auto& a : f.areas) {
        out.push_back(a.code);
    }
    return out;
}

void expect_reconciled(const AreaFlows& a) {
    EXPECT_TRUE(a.counts.reconciles()) << a.code;
    for (const auto* cells : {&a.categories, &a.sexes, &a.age_groups, &a.severities}) {
        for (const auto& c : *cells) {
            EXPECT_TRUE(c.counts.reconciles()) << a.code << " " << c.key;
        }
    }
    // Every person is in exactly one sex, age group and severity cell.
    for (const auto* cells : {&a.sexes, &a.age_groups, &a.severities}) {
        FlowCounts sum;
        for (const auto& c : *cells) {
            sum.start += c.counts.start;
            sum.registered += c.counts.registered;
            sum.moved_in += c.counts.moved_in;
            sum.reactivated += c.counts.reactivated;
            sum.moved_out += c.counts.moved_out;
            sum.deceased += c.counts.deceased;
            sum.deactivated += c.counts.deactivated;
            sum.end += c.counts.end;
        }
        EXPECT_EQ(sum, a.counts) << a.code;
    }
}

TEST_F(RegistryFlowsTest, GeneratedHistoryReconcilesAndEqualsADirectRecomputation) {
    generate(300, test_seed());
    Actor admin{"admin", "test", {}, core::Role::Admin};
    std::vector<Period> periods = {*parse_period("2024"),
                                   *parse_period("2025-Q1"),
                                   *parse_period("2025-Q3"),
                                   *parse_period("2026-06"),
                                   *parse_period("2026")};
    std::int64_t flows_seen = 0;
    for (const auto level : {AreaLevel::Kota, AreaLevel::Kecamatan, AreaLevel::Kelurahan}) {
        auto flows = compute_flows(*store_, testing::reference(), admin, level, periods, true);
        ASSERT_TRUE(flows.has_value()) << flows.error().message;
        ASSERT_EQ(flows->size(), periods.size());
        for (const auto& f : *flows) {
            SCOPED_TRACE(f.period.label + " " + std::string(to_string(level)));
            expect_reconciled(f.total);
            const auto want = direct(f.period, level, codes_of(f));
            FlowCounts sum_start;
            for (const auto& a : f.areas) {
                expect_reconciled(a);
                const auto found = want.find(a.code);
                EXPECT_EQ(a.counts, found == want.end() ? FlowCounts{} : found->second) << a.code;
                sum_start.start += a.counts.start;
                sum_start.end += a.counts.end;
                flows_seen += a.counts.in() + a.counts.out();
            }
            // The areas of a level cover the city: their stocks add up to the city's.
            EXPECT_EQ(sum_start.start, f.total.counts.start);
            EXPECT_EQ(sum_start.end, f.total.counts.end);
        }
    }
    // The history really has every kind of change.
    auto year = compute_flows(
        *store_, testing::reference(), admin, AreaLevel::Kelurahan, {*parse_period("2025")}, false);
    ASSERT_TRUE(year.has_value());
    const FlowCounts& t = (*year)[0].total.counts;
    EXPECT_GT(t.registered, 0);
    EXPECT_GT(t.moved_out, 0);
    EXPECT_GT(t.moved_in, 0);
    EXPECT_GT(t.deceased, 0);
    EXPECT_GT(t.deactivated, 0);
    EXPECT_GT(t.reactivated, 0);
    EXPECT_GT(flows_seen, 0);
}

TEST_F(RegistryFlowsTest, APastPeriodGivesTheSameFiguresAfterLaterEdits) {
    generate(120, test_seed() + 1);
    Actor admin{"admin", "test", {}, core::Role::Admin};
    const Period q3 = *parse_period("2025-Q3");
    auto before =
        compute_flows(*store_, testing::reference(), admin, AreaLevel::Kelurahan, {q3}, true);
    ASSERT_TRUE(before.has_value());
    // Later edits: every person still aktif dies, with a date inside the past quarter, and the
    // others are moved; all recorded today.
    std::vector<Write> later;
    const auto today = core::Timestamp{clock_.now() + std::chrono::hours(1)};
    for (auto& [n, version] : versions_) {
        auto current = store_->get_person(id_of(n));
        ASSERT_TRUE(current.has_value());
        core::Person p = current->person;
        if (p.status == Status::Aktif) {
            p.status = Status::Meninggal;
            p.status_date = make_date(2025, 8, 15);
        } else {
            p.address.kelurahan_code = "64.74.03.1001";
        }
        later.push_back({today, n, p});
    }
    apply(later);
    auto after =
        compute_flows(*store_, testing::reference(), admin, AreaLevel::Kelurahan, {q3}, true);
    ASSERT_TRUE(after.has_value());
    ASSERT_EQ((*before)[0].areas.size(), (*after)[0].areas.size());
    for (std::size_t i = 0; i < (*before)[0].areas.size(); ++i) {
        const auto& b = (*before)[0].areas[i];
        const auto& a = (*after)[0].areas[i];
        EXPECT_EQ(b.counts, a.counts) << b.code;
        for (std::size_t c = 0; c < b.categories.size(); ++c) {
            EXPECT_EQ(b.categories[c].counts, a.categories[c].counts);
        }
        for (std::size_t c = 0; c < b.age_groups.size(); ++c) {
            EXPECT_EQ(b.age_groups[c].counts, a.age_groups[c].counts);
        }
    }
    EXPECT_EQ((*before)[0].total.counts, (*after)[0].total.counts);
    // ... and the edits show in the month they were recorded in.
    auto now = compute_flows(*store_,
                             testing::reference(),
                             admin,
                             AreaLevel::Kota,
                             last_months(core::wita_date(today), 1),
                             false);
    ASSERT_TRUE(now.has_value());
    EXPECT_GT((*now)[0].total.counts.deceased, 0);
    EXPECT_EQ((*now)[0].total.counts.end, 0);
}

TEST_F(RegistryFlowsTest, ACallerSeesOnlyTheAreasWhollyInsideTheirScope) {
    generate(60, test_seed() + 2);
    Actor operator_utara{"op", "test", {"64.74.01"}, core::Role::Operator};
    auto kecamatan = compute_flows(*store_,
                                   testing::reference(),
                                   operator_utara,
                                   AreaLevel::Kecamatan,
                                   {*parse_period("2025")},
                                   false);
    ASSERT_TRUE(kecamatan.has_value());
    ASSERT_EQ((*kecamatan)[0].areas.size(), 1U);
    EXPECT_EQ((*kecamatan)[0].areas[0].code, "64.74.01");
    EXPECT_EQ((*kecamatan)[0].total.counts, (*kecamatan)[0].areas[0].counts);
    auto kota = compute_flows(*store_,
                              testing::reference(),
                              operator_utara,
                              AreaLevel::Kota,
                              {*parse_period("2025")},
                              false);
    ASSERT_TRUE(kota.has_value());
    EXPECT_TRUE((*kota)[0].areas.empty());
    EXPECT_EQ((*kota)[0].total.counts, FlowCounts{});
    auto kelurahan = compute_flows(*store_,
                                   testing::reference(),
                                   operator_utara,
                                   AreaLevel::Kelurahan,
                                   {*parse_period("2025")},
                                   false);
    ASSERT_TRUE(kelurahan.has_value());
    for (const auto& a : (*kelurahan)[0].areas) {
        EXPECT_EQ(a.code.rfind("64.74.01.", 0), 0U) << a.code;
    }
}

TEST_F(RegistryFlowsTest, RefusesAPeriodThatEndsBeforeItStarts) {
    Actor admin{"admin", "test", {}, core::Role::Admin};
    Period p{make_date(2026, 5, 1), make_date(2026, 4, 1), "x"};
    auto r = compute_flows(*store_, testing::reference(), admin, AreaLevel::Kota, {p}, false);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    auto none = compute_flows(*store_, testing::reference(), admin, AreaLevel::Kota, {}, false);
    ASSERT_FALSE(none.has_value());
}

} // namespace
} // namespace kapal::service
