// bench/flows: the registry's flows (issue 10) over a SQLite store of N persons with five years
// of history (fixed seed): one quarter's flows per kelurahan with the full breakdown
// (service::compute_flows), and the Dasbor's 12 months per kecamatan, against two anchors
// measured in the same run: the bare scan of the registry timeline the engine reads
// (Store::scan_registry_states with a visitor that only counts), and reading every current
// person through the store's pages (what GET /api/v1/stats does). Then the rakor report of the
// quarter (service::gather_rakor: flows per kecamatan and kelurahan with breakdown, indicators
// beside the previous quarter, the months; then its PDF and its XLSX).
//   kapal_bench_flows N RUNS DIR
// DIR is created and holds the store; an existing DIR/store.db of the same N is reused (the
// history takes minutes to write). Results in docs/PERFORMANCE.md.
//
// The history: 60 months from October 2021 to September 2026. Each month registers N/60 new
// persons and changes about 0.8% of those registered before it: moves to another kelurahan,
// pindah, deaths, deactivations, and reactivations of persons no longer aktif. Every write goes
// through Store::import_persons (batches of 20,000, update_if_changed for the changes), so the
// timeline is written exactly as the store writes it in production. Every person has a home near
// their kelurahan's label point; three hazard zones and 20 facilities are added once.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/geo/geometry.hpp"
#include "kapal/service/rakor_report.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/service/registry_flows.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/sqlite/sqlite_store.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <vector>

namespace {

using namespace kapal;
using Clock = std::chrono::steady_clock;

constexpr std::array<const char*, 15> kKelurahan = {"64.74.01.1001",
                                                    "64.74.01.1002",
                                                    "64.74.01.1003",
                                                    "64.74.01.1004",
                                                    "64.74.01.1005",
                                                    "64.74.01.1006",
                                                    "64.74.02.1001",
                                                    "64.74.02.1002",
                                                    "64.74.02.1003",
                                                    "64.74.02.1004",
                                                    "64.74.02.1005",
                                                    "64.74.02.1006",
                                                    "64.74.03.1001",
                                                    "64.74.03.1002",
                                                    "64.74.03.1003"};
constexpr int kMonths = 60;

/// The label point of each of kKelurahan, set from the reference data in main.
std::array<geo::LonLat, kKelurahan.size()> g_centres{};

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

long peak_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

/// What changes of a person: the rest is a function of their serial.
struct State {
    std::uint8_t kelurahan = 0;
    core::Status status = core::Status::Aktif;
};

core::Person person(std::size_t n, const State& s) {
    std::mt19937_64 rng(n * 2654435761U + 17);
    core::Person p;
    char nik[24];
    std::snprintf(nik, sizeof nik, "6474%012zu", n);
    p.nik = nik;
    p.full_name = "Warga " + std::to_string(n);
    p.sex = rng() % 2 == 0 ? core::Sex::Male : core::Sex::Female;
    p.birth_date = core::make_date(
        1940 + static_cast<int>(rng() % 82), 1 + static_cast<unsigned>(rng() % 12), 1);
    p.address = core::Address{"Jl. Uji", "001", "01", kKelurahan[s.kelurahan]};
    p.categories = {core::kAllCategories[rng() % core::kAllCategories.size()]};
    if (rng() % 4 != 0) {
        p.severity = core::kAllSeverities[rng() % core::kAllSeverities.size()];
    }
    const geo::LonLat c = g_centres[s.kelurahan];
    p.home = core::HomeLocation{c.lon + static_cast<double>(rng() % 2001) * 1e-5 - 0.01,
                                c.lat + static_cast<double>(rng() % 2001) * 1e-5 - 0.01,
                                10,
                                core::LocationSource::Gps};
    p.status = s.status;
    if (s.status != core::Status::Aktif) {
        p.status_date = core::make_date(2026, 1, 1);
    }
    return p;
}

/// Midnight WITA starting month `m` of the history (0 = October 2021).
core::Timestamp month_start(int m) {
    const int n = 2021 * 12 + 9 + m;
    const core::Date d = core::make_date(n / 12, static_cast<unsigned>(n % 12 + 1), 1);
    return core::Timestamp{std::chrono::sys_days(d) - core::kWitaOffset};
}

bool generate(store::Store& st, std::size_t n, std::vector<State>& model) {
    std::mt19937_64 rng(20261129);
    core::IdGenerator ids(20261129);
    std::size_t registered = 0;
    std::size_t changes = 0;
    const auto write = [&](std::vector<store::ImportItem>& items, core::Timestamp at) {
        std::vector<core::PersonId> new_ids;
        for (std::size_t i = 0; i < items.size(); ++i) {
            new_ids.emplace_back(ids.next(at));
        }
        auto r = st.import_persons(items, new_ids, {"bench", "cli", at, ""});
        if (!r) {
            std::fprintf(stderr, "import: %s\n", r.error().message.c_str());
            return false;
        }
        items.clear();
        return true;
    };
    for (int m = 0; m < kMonths; ++m) {
        // Changes first, each at its own minute of the month, then the new registrations.
        core::Timestamp at = month_start(m) + std::chrono::hours(26);
        std::vector<store::ImportItem> items;
        std::set<std::size_t> chosen;
        const std::size_t to_change = registered * 8 / 1000;
        while (chosen.size() < to_change) {
            chosen.insert(static_cast<std::size_t>(rng() % registered));
        }
        for (const std::size_t serial : chosen) {
            State& s = model[serial];
            const auto roll = rng() % 100;
            if (s.status != core::Status::Aktif) {
                s.status = core::Status::Aktif; // reactivated, or back in the city
            } else if (roll < 55) {
                s.kelurahan = static_cast<std::uint8_t>(
                    (s.kelurahan + 1 + rng() % (kKelurahan.size() - 1)) % kKelurahan.size());
            } else if (roll < 65) {
                s.status = core::Status::Pindah;
            } else if (roll < 85) {
                s.status = core::Status::Meninggal;
            } else {
                s.status = core::Status::Nonaktif;
            }
            core::Person p = person(serial, s);
            const std::string kecamatan = core::kecamatan_of(p.address.kelurahan_code);
            items.push_back(store::ImportItem{std::move(p), kecamatan, true});
            if (items.size() == 20'000) {
                if (!write(items, at)) {
                    return false;
                }
                at += std::chrono::minutes(1);
            }
        }
        changes += chosen.size();
        const std::size_t target = n * static_cast<std::size_t>(m + 1) / kMonths;
        for (; registered < target; ++registered) {
            State s;
            s.kelurahan = static_cast<std::uint8_t>(rng() % kKelurahan.size());
            model.push_back(s);
            core::Person p = person(registered, s);
            const std::string kecamatan = core::kecamatan_of(p.address.kelurahan_code);
            items.push_back(store::ImportItem{std::move(p), kecamatan, false});
            if (items.size() == 20'000) {
                if (!write(items, at)) {
                    return false;
                }
                at += std::chrono::minutes(1);
            }
        }
        if (!items.empty() && !write(items, at)) {
            return false;
        }
    }
    std::printf("bench/flows: history of %zu persons and %zu changes over %d months\n",
                registered,
                changes,
                kMonths);
    return true;
}

/// Three square hazard zones and 20 facilities around the kelurahan centres, once.
bool add_places(store::Store& st) {
    auto zones = st.list_hazard_zones();
    if (!zones || !zones->empty()) {
        return zones.has_value();
    }
    core::IdGenerator ids(7);
    const auto at = month_start(0);
    std::vector<store::HazardZoneRecord> z;
    for (std::size_t i = 0; i < 3; ++i) {
        const geo::LonLat c = g_centres[i * 5];
        char geometry[256];
        std::snprintf(geometry,
                      sizeof geometry,
                      R"({"type":"MultiPolygon","coordinates":[[[[%.4f,%.4f],[%.4f,%.4f],)"
                      R"([%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]]]]})",
                      c.lon - 0.006,
                      c.lat - 0.006,
                      c.lon + 0.006,
                      c.lat - 0.006,
                      c.lon + 0.006,
                      c.lat + 0.006,
                      c.lon - 0.006,
                      c.lat + 0.006,
                      c.lon - 0.006,
                      c.lat - 0.006);
        z.push_back({ids.next(at),
                     "Zona uji " + std::to_string(i + 1),
                     "banjir",
                     "tinggi",
                     "bench",
                     geometry,
                     at,
                     "bench"});
    }
    std::vector<store::FacilityRecord> f;
    for (std::size_t i = 0; i < 20; ++i) {
        const geo::LonLat c = g_centres[(i * 7) % g_centres.size()];
        store::FacilityRecord r;
        r.id = ids.next(at);
        r.kind = i % 2 == 0 ? "puskesmas" : "posyandu";
        r.name = "Fasilitas uji " + std::to_string(i + 1);
        r.lon = c.lon + static_cast<double>(i % 3) * 0.004;
        r.lat = c.lat - static_cast<double>(i % 4) * 0.003;
        r.created_at = at;
        r.created_by = "bench";
        f.push_back(std::move(r));
    }
    const store::WriteContext ctx{"bench", "cli", at, ""};
    return st.add_hazard_zones(z, ctx).has_value() && st.add_facilities(f, ctx).has_value();
}

bool reconciles(const service::AreaFlows& a) {
    bool ok = a.counts.reconciles();
    for (const auto* cells : {&a.categories, &a.sexes, &a.age_groups, &a.severities}) {
        for (const auto& c : *cells) {
            ok = ok && c.counts.reconciles();
        }
    }
    return ok;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s N RUNS DIR\n", argv[0]);
        return 2;
    }
    const auto n = static_cast<std::size_t>(std::atol(argv[1]));
    const int runs = std::max(1, std::atoi(argv[2]));
    const std::filesystem::path dir = argv[3];
    std::filesystem::create_directories(dir);
    const auto ref = service::load_reference_data(KAPAL_SOURCE_DIR "/data");
    if (!ref) {
        std::fprintf(stderr, "reference data: %s\n", ref.error().message.c_str());
        return 1;
    }
    for (std::size_t i = 0; i < kKelurahan.size(); ++i) {
        for (const auto& a : (*ref)->areas) {
            if (a.code == kKelurahan[i]) {
                const auto box = geo::bbox_of(a.shape);
                g_centres[i] = a.label.value_or(
                    geo::LonLat{(box.min_lon + box.max_lon) / 2, (box.min_lat + box.max_lat) / 2});
            }
        }
    }
    // The keys are kept beside the store so that a second run reuses it.
    const auto keys_file = dir / ("keys-" + std::to_string(n));
    const auto db = dir / ("store-" + std::to_string(n) + ".db");
    const bool reuse = std::filesystem::exists(db) && std::filesystem::exists(keys_file);
    store::StoreKeys keys = store::generate_store_keys();
    if (reuse) {
        std::ifstream in(keys_file, std::ios::binary);
        keys.data_key.assign(32, 0);
        keys.index_key.assign(32, 0);
        in.read(reinterpret_cast<char*>(keys.data_key.data()), 32);
        in.read(reinterpret_cast<char*>(keys.index_key.data()), 32);
    } else {
        std::filesystem::remove(db);
        std::ofstream out(keys_file, std::ios::binary);
        out.write(reinterpret_cast<const char*>(keys.data_key.data()), 32);
        out.write(reinterpret_cast<const char*>(keys.index_key.data()), 32);
    }
    auto opened = store::open_sqlite_store(db, keys);
    if (!opened) {
        std::fprintf(stderr, "store: %s\n", opened.error().message.c_str());
        return 1;
    }
    auto& st = **opened;
    std::vector<State> model;
    model.reserve(n);
    auto t = Clock::now();
    if (!reuse) {
        if (!generate(st, n, model)) {
            return 1;
        }
        std::printf("bench/flows: written in %.1f s\n", seconds_since(t));
    }
    if (!add_places(st)) {
        std::fprintf(stderr, "hazard zones and facilities could not be added\n");
        return 1;
    }
    std::printf("bench/flows: store %.0f MiB\n",
                static_cast<double>(std::filesystem::file_size(db)) / (1024.0 * 1024.0));

    const service::Actor admin{"bench", "cli", {}, std::nullopt};
    const service::Period quarter = *service::parse_period("2026-Q3");
    const auto months = service::last_months(core::make_date(2026, 9, 15), 12);
    std::vector<double> flows_s;
    std::vector<double> monthly_s;
    std::vector<double> scan_s;
    std::vector<double> read_s;
    std::vector<double> rakor_s;
    std::vector<double> pdf_s;
    std::vector<double> xlsx_s;
    const core::FixedClock clock(quarter.to_instant() + std::chrono::hours(24 * 30));
    std::size_t states = 0;
    std::size_t persons = 0;
    for (int run = 0; run < runs; ++run) {
        // Anchor 1: the timeline the engine reads, scanned and counted.
        t = Clock::now();
        std::size_t seen = 0;
        auto scanned = st.scan_registry_states(quarter.to_instant(), [&](const auto&) {
            ++seen;
            return Result<void>();
        });
        if (!scanned) {
            std::fprintf(stderr, "scan: %s\n", scanned.error().message.c_str());
            return 1;
        }
        scan_s.push_back(seconds_since(t));
        states = seen;

        // Anchor 2: every current person through the store's pages (the Dasbor's counts).
        t = Clock::now();
        store::PersonQuery query;
        query.limit = 1000;
        std::size_t read = 0;
        for (;;) {
            auto page = st.list_persons(query);
            if (!page) {
                std::fprintf(stderr, "read: %s\n", page.error().message.c_str());
                return 1;
            }
            read += page->items.size();
            if (page->next_cursor.empty()) {
                break;
            }
            query.cursor = page->next_cursor;
        }
        read_s.push_back(seconds_since(t));
        persons = read;

        // One quarter per kelurahan, with the breakdown.
        t = Clock::now();
        auto flows = service::compute_flows(
            st, **ref, admin, service::AreaLevel::Kelurahan, {quarter}, true);
        flows_s.push_back(seconds_since(t));
        if (!flows) {
            std::fprintf(stderr, "flows: %s\n", flows.error().message.c_str());
            return 1;
        }
        if (run == 0) {
            // The answer, checked once: every area and cell reconciles, the areas add up to
            // the city, and the end is everyone the model has aktif.
            const auto& f = flows->front();
            std::int64_t end = 0;
            bool ok = reconciles(f.total);
            for (const auto& a : f.areas) {
                ok = ok && reconciles(a);
                end += a.counts.end;
            }
            std::int64_t aktif = 0;
            for (const auto& s : model) {
                aktif += s.status == core::Status::Aktif ? 1 : 0;
            }
            if (!ok || end != f.total.counts.end || (!model.empty() && end != aktif)) {
                std::fprintf(stderr,
                             "bench/flows: WRONG ANSWER (reconciles %d, end %lld, city %lld, "
                             "model %lld)\n",
                             ok ? 1 : 0,
                             static_cast<long long>(end),
                             static_cast<long long>(f.total.counts.end),
                             static_cast<long long>(aktif));
                return 1;
            }
            const auto& c = f.total.counts;
            std::printf("bench/flows: 2026-Q3, %zu kelurahan: start %lld, new %lld, moved in "
                        "%lld, reactivated %lld, moved out %lld, deceased %lld, deactivated "
                        "%lld, end %lld (checked)\n",
                        f.areas.size(),
                        static_cast<long long>(c.start),
                        static_cast<long long>(c.registered),
                        static_cast<long long>(c.moved_in),
                        static_cast<long long>(c.reactivated),
                        static_cast<long long>(c.moved_out),
                        static_cast<long long>(c.deceased),
                        static_cast<long long>(c.deactivated),
                        static_cast<long long>(c.end));
        }

        // The Dasbor: 12 months per kecamatan, no breakdown, one scan.
        t = Clock::now();
        auto monthly =
            service::compute_flows(st, **ref, admin, service::AreaLevel::Kecamatan, months, false);
        monthly_s.push_back(seconds_since(t));
        if (!monthly || monthly->size() != 12) {
            std::fprintf(stderr, "monthly flows failed\n");
            return 1;
        }

        // The rakor report of the quarter: gathered, then drawn as PDF and written as XLSX.
        t = Clock::now();
        service::RakorOptions options;
        options.period = quarter;
        options.indicators.far_m = 1500; // the 20 facilities leave some homes farther
        auto rakor = service::gather_rakor(st, **ref, admin, options, clock);
        rakor_s.push_back(seconds_since(t));
        if (!rakor || rakor->indicators.total.current.registered != rakor->areas.total.counts.end ||
            rakor->indicators.total.previous.registered != rakor->areas.total.counts.start) {
            std::fprintf(stderr, "bench/flows: the rakor report failed or does not add up\n");
            return 1;
        }
        t = Clock::now();
        auto pdf = service::rakor_pdf(*rakor, **ref);
        pdf_s.push_back(seconds_since(t));
        t = Clock::now();
        auto xlsx = service::write_rakor_xlsx(*rakor, (dir / "rakor.xlsx").string());
        xlsx_s.push_back(seconds_since(t));
        if (!pdf || !xlsx) {
            std::fprintf(stderr, "bench/flows: the rakor PDF or XLSX failed\n");
            return 1;
        }
        if (run == 0) {
            const auto& c = rakor->indicators.total.current;
            std::printf(
                "bench/flows: rakor 2026-Q3: registered %lld, with card %lld, located %lld, "
                "in hazard zones %lld, far %lld; PDF %zu KiB\n",
                static_cast<long long>(c.registered),
                static_cast<long long>(c.with_card),
                static_cast<long long>(c.located),
                static_cast<long long>(c.in_hazard),
                static_cast<long long>(c.far),
                pdf->size() / 1024);
        }
    }
    std::printf("bench/flows: %zu persons, %zu states before the quarter's end, %d runs\n",
                persons,
                states,
                runs);
    std::printf("  quarter per kelurahan, breakdown  median %.2f s\n", median(flows_s));
    std::printf("  12 months per kecamatan           median %.2f s\n", median(monthly_s));
    std::printf("  anchor: scan of the timeline      median %.2f s\n", median(scan_s));
    std::printf("  anchor: every current person     median %.2f s\n", median(read_s));
    std::printf("  rakor report: gather              median %.2f s\n", median(rakor_s));
    std::printf("  rakor report: PDF                 median %.3f s\n", median(pdf_s));
    std::printf("  rakor report: XLSX                median %.3f s\n", median(xlsx_s));
    std::printf("  peak memory %ld MiB\n", peak_mib());
    return 0;
}
