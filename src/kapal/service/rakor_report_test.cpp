#include "kapal/service/rakor_report.hpp"

#include "kapal/io/xlsx_reader.hpp"
#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>

// The goldens are tests/data/rakor/*.txt. To rewrite them after an intended change, run once
// with KAPAL_UPDATE_GOLDEN=1:
//   KAPAL_UPDATE_GOLDEN=1 build/release/src/kapal/service/kapal_service_test
//   --gtest_filter='Rakor*'

namespace kapal::service {
namespace {

using core::make_date;
using core::Status;

core::Timestamp at(int y, unsigned m, unsigned d, int hour = 4) {
    return core::Timestamp{std::chrono::sys_days(make_date(y, m, d)) + std::chrono::hours(hour)};
}

std::filesystem::path golden_dir() {
    return testing::source_dir() / "tests" / "data" / "rakor";
}

bool updating() {
    const char* v = std::getenv("KAPAL_UPDATE_GOLDEN");
    return v != nullptr && std::string(v) == "1";
}

/// Compares `text` with the golden file `name` (or rewrites it when updating).
void expect_golden(const std::string& name, const std::string& text) {
    const auto path = golden_dir() / name;
    if (updating()) {
        std::filesystem::create_directories(golden_dir());
        std::ofstream(path, std::ios::binary) << text;
        return;
    }
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in.good()) << path << " is missing: run with KAPAL_UPDATE_GOLDEN=1";
    std::ostringstream golden;
    golden << in.rdbuf();
    EXPECT_EQ(text, golden.str()) << "the report changed (KAPAL_UPDATE_GOLDEN=1 rewrites " << path
                                  << ")";
}

std::string run(const std::string& command) {
    std::string out;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe) {
        return out;
    }
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), pipe.get()) != nullptr) {
        out += buf.data();
    }
    return out;
}

class RakorTest : public testing::StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        ASSERT_NO_FATAL_FAILURE(generate());
    }

    /// 60 persons registered from January 2025, each changed up to four times (moves, pindah,
    /// deaths, deactivations, reactivations), with homes, cards for some, a hazard zone and a
    /// facility. A fixed seed: the report is the same on every run.
    void generate() {
        std::mt19937 rng(20261129);
        const auto pick = [&](int n) {
            return static_cast<int>(rng() % static_cast<unsigned>(n));
        };
        std::vector<std::string> kelurahan;
        for (const auto& a : testing::reference().areas) {
            if (a.level == "kelurahan") {
                kelurahan.push_back(a.code);
            }
        }

        struct Write {
            core::Timestamp when;
            int person;
            core::Person content;
        };

        std::vector<Write> writes;
        for (int n = 0; n < 60; ++n) {
            core::Person p;
            p.nik = testing::test_person_nik(n);
            p.full_name = "Orang " + std::to_string(n);
            p.sex = n % 2 == 0 ? core::Sex::Female : core::Sex::Male;
            p.birth_date = make_date(1950 + pick(70), 1 + static_cast<unsigned>(pick(12)), 1);
            p.address.kelurahan_code = kelurahan[static_cast<std::size_t>(pick(15))];
            p.categories = {core::kAllCategories[static_cast<std::size_t>(pick(6))]};
            if (pick(3) != 0) {
                p.severity = core::kAllSeverities[static_cast<std::size_t>(pick(3))];
            }
            if (pick(5) != 0) {
                p.home = core::HomeLocation{117.45 + pick(100) * 0.001,
                                            0.10 + pick(80) * 0.001,
                                            5,
                                            core::LocationSource::Gps};
            }
            auto when =
                at(2025, 1 + static_cast<unsigned>(pick(12)), 1 + static_cast<unsigned>(pick(28)));
            if (n % 4 == 0) {
                when = at(
                    2026, 7 + static_cast<unsigned>(pick(3)), 1 + static_cast<unsigned>(pick(28)));
            }
            writes.push_back({when, n, p});
            for (int c = pick(5); c > 0; --c) {
                when = when + std::chrono::hours(24 * (20 + pick(120)));
                const int kind = pick(6);
                if (p.status != Status::Aktif) {
                    p.status = Status::Aktif;
                } else if (kind < 3) {
                    p.address.kelurahan_code = kelurahan[static_cast<std::size_t>(pick(15))];
                } else {
                    p.status = kind == 3   ? Status::Pindah
                               : kind == 4 ? Status::Meninggal
                                           : Status::Nonaktif;
                    p.status_date = make_date(2025, 1, 1);
                }
                if (p.status == Status::Aktif) {
                    p.status_date.reset();
                }
                writes.push_back({when, n, p});
            }
        }
        std::stable_sort(writes.begin(), writes.end(), [](const Write& a, const Write& b) {
            return a.when < b.when;
        });
        std::map<int, std::int64_t> versions;
        for (const auto& w : writes) {
            if (w.when >= clock_.now()) {
                continue;
            }
            auto& id = ids_of_[w.person];
            const std::string kecamatan = core::kecamatan_of(w.content.address.kelurahan_code);
            const store::WriteContext ctx{"test", "test", w.when, ""};
            if (versions[w.person] == 0) {
                id = core::PersonId(ids_.next(w.when));
                auto r = store_->create_person(id, w.content, kecamatan, ctx, std::nullopt);
                ASSERT_TRUE(r.has_value()) << r.error().message;
            } else {
                auto r = store_->update_person(id, versions[w.person], w.content, kecamatan, ctx);
                ASSERT_TRUE(r.has_value()) << r.error().message;
            }
            ++versions[w.person];
        }
        store::HazardZoneRecord zone;
        zone.id = ids_.next(at(2025, 1, 1));
        zone.name = "Rawan banjir uji";
        zone.hazard = "banjir";
        zone.level = "tinggi";
        zone.source = "uji";
        zone.geometry = R"({"type":"MultiPolygon","coordinates":[[[[117.45,0.10],[117.50,0.10],)"
                        R"([117.50,0.14],[117.45,0.14],[117.45,0.10]]]]})";
        ASSERT_TRUE(store_->add_hazard_zones({zone}, {"test", "test", at(2025, 1, 1), ""}));
        store::FacilityRecord f;
        f.id = ids_.next(at(2025, 1, 1));
        f.kind = "puskesmas";
        f.name = "Puskesmas uji";
        f.lon = 117.50;
        f.lat = 0.14;
        ASSERT_TRUE(store_->add_facilities({f}, {"test", "test", at(2025, 1, 1), ""}));
    }

    RakorReport gather(const std::string& period = "2026-Q3") {
        RakorOptions options;
        options.period = *parse_period(period);
        options.level = AreaLevel::Kelurahan;
        options.indicators.far_m = 3000;
        Actor cli;
        cli.id = "cli:test";
        cli.source = "cli";
        std::vector<std::string> steps;
        auto r = gather_rakor(*store_,
                              testing::reference(),
                              cli,
                              options,
                              clock_,
                              [&](int step, int of, std::string_view what) {
                                  steps.push_back(std::to_string(step) + "/" + std::to_string(of) +
                                                  " " + std::string(what));
                              });
        EXPECT_TRUE(r.has_value()) << r.error().message;
        EXPECT_EQ(steps.size(), 5U);
        EXPECT_EQ(steps.back().substr(0, 3), "5/5");
        return r ? *r : RakorReport{};
    }

    std::map<int, core::PersonId> ids_of_;
};

TEST_F(RakorTest, TotalsEqualTheDirectQueries) {
    const auto r = gather();
    Actor cli;
    cli.id = "cli:test";
    const auto period = *parse_period("2026-Q3");
    auto direct =
        compute_flows(*store_, testing::reference(), cli, AreaLevel::Kelurahan, {period}, true);
    ASSERT_TRUE(direct.has_value());
    EXPECT_EQ(r.areas.total.counts, direct->front().total.counts);
    EXPECT_TRUE(r.areas.total.counts.reconciles());
    EXPECT_GT(r.areas.total.counts.in(), 0);
    EXPECT_GT(r.areas.total.counts.out(), 0);
    // Kecamatan and kelurahan tables describe the same city.
    EXPECT_EQ(r.kecamatan.total.counts.start, r.areas.total.counts.start);
    EXPECT_EQ(r.kecamatan.total.counts.end, r.areas.total.counts.end);
    // The months partition the quarter.
    ASSERT_EQ(r.months.size(), 3U);
    EXPECT_EQ(r.months.front().total.counts.start, r.areas.total.counts.start);
    EXPECT_EQ(r.months.back().total.counts.end, r.areas.total.counts.end);
    std::int64_t in = 0;
    std::int64_t out = 0;
    for (const auto& m : r.months) {
        in += m.total.counts.in();
        out += m.total.counts.out();
    }
    EXPECT_EQ(in, r.areas.total.counts.in());
    EXPECT_EQ(out, r.areas.total.counts.out());
    // The indicators count the same persons as the flows, at both ends.
    EXPECT_EQ(r.indicators.total.current.registered, r.areas.total.counts.end);
    EXPECT_EQ(r.indicators.total.previous.registered, r.areas.total.counts.start);
    // Registered at the end, person by person.
    std::int64_t aktif = 0;
    for (const auto& [n, id] : ids_of_) {
        auto then = store_->person_as_of(id, period.to_instant() - std::chrono::milliseconds(1));
        if (then && then->person.status == Status::Aktif) {
            ++aktif;
        }
    }
    EXPECT_EQ(aktif, r.areas.total.counts.end);
    // Homes in the zone and near the facility exist in this history.
    EXPECT_GT(r.indicators.total.current.in_hazard, 0);
    EXPECT_GT(r.indicators.total.current.located, r.indicators.total.current.far);
}

TEST_F(RakorTest, TheWorkbookHasOneSheetPerTableAndMatchesItsGolden) {
    const auto r = gather();
    const auto path = dir_ / "rakor.xlsx";
    ASSERT_TRUE(write_rakor_xlsx(r, path.string()));
    auto book = io::XlsxReader::open(path.string());
    ASSERT_TRUE(book.has_value()) << book.error().message;
    const auto names = book->sheet_names();
    ASSERT_GE(names.size(), 8U);
    EXPECT_EQ(names.front(), "Sumber");
    std::string text;
    bool numbers_seen = false;
    for (const auto& name : names) {
        ASSERT_TRUE(book->select_sheet(name));
        text += "== " + name + "\n";
        io::XlsxRow row;
        for (;;) {
            auto more = book->next(row);
            ASSERT_TRUE(more.has_value());
            if (!*more) {
                break;
            }
            for (std::size_t c = 0; c < row.cells.size(); ++c) {
                numbers_seen |= row.cells[c].type == io::XlsxCellType::Number;
                text += (c == 0 ? "" : "\t") + row.cells[c].text;
            }
            text += "\n";
        }
    }
    EXPECT_TRUE(numbers_seen) << "counts are written as numbers";
    // Every table names the query that gives it.
    EXPECT_NE(text.find("/api/v1/stats/flows?period=2026-Q3&level=kelurahan"), std::string::npos);
    EXPECT_NE(text.find("/api/v1/stats/indicators?period=2026-Q3&level=kelurahan&far_m=3000"),
              std::string::npos);
    expect_golden("rakor-2026-Q3.xlsx.txt", text);
}

TEST_F(RakorTest, ThePdfHasTablesChartsAndTheMapAndMatchesItsGolden) {
    const auto r = gather();
    auto pdf = rakor_pdf(r, testing::reference());
    ASSERT_TRUE(pdf.has_value()) << pdf.error().message;
    const auto path = dir_ / "rakor.pdf";
    std::ofstream(path, std::ios::binary) << *pdf;
    const std::string info = run("pdfinfo '" + path.string() + "' 2>&1");
    ASSERT_NE(info.find("Pages:"), std::string::npos) << info;
    EXPECT_NE(info.find("841.89 x 595.276 pts (A4)"), std::string::npos)
        << "A4 landscape: " << info;
    const std::string text = run("pdftotext -enc UTF-8 -layout '" + path.string() + "' -");
    EXPECT_NE(text.find("Laporan Rakor"), std::string::npos);
    EXPECT_NE(text.find("Peta terdaftar per kelurahan"), std::string::npos);
    EXPECT_NE(text.find("Zona rawan bencana"), std::string::npos);
    EXPECT_NE(text.find("Masuk dan keluar per bulan"), std::string::npos);
    EXPECT_NE(text.find("Sumber: /api/v1/stats/flows?period=2026-Q3&level=kecamatan"),
              std::string::npos);
    expect_golden("rakor-2026-Q3.pdf.txt", text);
}

TEST_F(RakorTest, RefusesAPeriodLongerThanThreeYears) {
    RakorOptions options;
    options.period = Period{make_date(2020, 1, 1), make_date(2026, 1, 1), "2020-01-01..2026-01-01"};
    Actor cli;
    cli.id = "cli:test";
    auto r = gather_rakor(*store_, testing::reference(), cli, options, clock_);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
}

} // namespace
} // namespace kapal::service
