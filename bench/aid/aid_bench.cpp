// bench/aid: making a cycle's beneficiary list from an eligibility rule over a registry of N
// persons in a SQLite store (fixed seed): the time of AidService::generate_list (read every
// person, evaluate the rule, quotas, anomaly flags, write the list) against, in the same run,
// the anchor of reading every person through the same store pages and doing nothing with them.
//   kapal_bench_aid N RUNS DIR
// DIR is created and holds the store (remove it afterwards). Results in docs/PERFORMANCE.md.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/service/aid_service.hpp"
#include "kapal/service/card_service.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/sqlite/sqlite_store.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
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

constexpr const char* kRule =
    R"(age >= 18 and "fisik" in categories and severity in ("sedang","berat") and not dtks)";

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

/// Person n of the synthetic registry: every field the rule and the flags look at varies.
core::Person person(std::mt19937_64& rng, std::size_t n) {
    core::Person p;
    const std::string& kel = kKelurahan[rng() % kKelurahan.size()];
    const int year = 1940 + static_cast<int>(rng() % 80);
    char nik[24];
    std::snprintf(nik,
                  sizeof nik,
                  "6474%02d%02d%02d%02d%04zu",
                  1 + static_cast<int>(rng() % 3),
                  1 + static_cast<int>(rng() % 28),
                  1 + static_cast<int>(rng() % 12),
                  year % 100,
                  n % 10000);
    p.nik = nik;
    p.full_name = "Warga " + std::to_string(n);
    p.sex = rng() % 2 == 0 ? core::Sex::Male : core::Sex::Female;
    p.birth_date = core::make_date(year, 1 + static_cast<int>(rng() % 12), 1);
    p.address = core::Address{"Jl. Uji", "001", "01", kel};
    p.categories = {core::kAllCategories[rng() % core::kAllCategories.size()]};
    if (rng() % 5 == 0) {
        p.categories.push_back(core::Category::Fisik);
        std::sort(p.categories.begin(), p.categories.end());
        p.categories.erase(std::unique(p.categories.begin(), p.categories.end()),
                           p.categories.end());
    }
    p.severity = core::kAllSeverities[rng() % core::kAllSeverities.size()];
    p.dtks = rng() % 3 == 0;
    if (rng() % 2 == 0) {
        // One account in 50 is shared with another person.
        const auto account = rng() % 50 == 0 ? n / 2 : n;
        p.account = core::Account{
            core::AccountKind::Bank, "Bankaltimtara", std::to_string(1'000'000 + account), "W"};
    }
    return p;
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
    auto opened = store::open_sqlite_store(dir / "store.db", store::generate_store_keys());
    if (!opened) {
        std::fprintf(stderr, "store: %s\n", opened.error().message.c_str());
        return 1;
    }
    auto& st = **opened;
    const auto ref = service::load_reference_data(KAPAL_SOURCE_DIR "/data");
    if (!ref) {
        std::fprintf(stderr, "reference data: %s\n", ref.error().message.c_str());
        return 1;
    }
    core::SystemClock clock;
    core::IdGenerator ids(20261129);
    std::mt19937_64 rng(20261129);

    auto t = Clock::now();
    const store::WriteContext ctx{"bench", "cli", clock.now(), ""};
    for (std::size_t done = 0; done < n;) {
        const std::size_t batch = std::min<std::size_t>(20'000, n - done);
        std::vector<store::ImportItem> items;
        std::vector<core::PersonId> new_ids;
        for (std::size_t i = 0; i < batch; ++i) {
            core::Person p = person(rng, done + i);
            const std::string kecamatan = core::kecamatan_of(p.address.kelurahan_code);
            items.push_back(store::ImportItem{std::move(p), kecamatan, false});
            new_ids.emplace_back(ids.next(clock.now()));
        }
        auto imported = st.import_persons(items, new_ids, ctx);
        if (!imported) {
            std::fprintf(stderr, "import: %s\n", imported.error().message.c_str());
            return 1;
        }
        done += batch;
    }
    std::printf("bench/aid: %zu persons imported into SQLite in %.1f s\n", n, seconds_since(t));

    // The card service is only needed to build the aid service; no card is issued here.
    service::PersonService persons(st, *ref, clock, ids);
    const auto key = card::card_key_from_seed(std::array<std::uint8_t, 32>{9});
    const std::vector<card::PublishedCardKey> keys = {
        card::PublishedCardKey{key.kid, key.public_key, clock.now(), {}}};
    service::CardService cards(
        st, persons, clock, key, keys, service::CardSettings{"Bench", 5, "-", "http://bench"});
    service::AidService aid(st, cards, clock, ids, &(*ref)->regions);
    const service::Actor admin{"bench", "cli", {}, std::nullopt};

    store::AidProgramRecord program;
    program.code = "bench";
    program.name = "Bench";
    program.source = "APBD";
    program.kind = "barang";
    program.channel = "langsung";
    program.unit_value = 300'000;
    program.rule = kRule;
    if (auto made = aid.create_program(program, admin); !made) {
        std::fprintf(stderr, "programme: %s\n", made.error().message.c_str());
        return 1;
    }

    std::vector<double> anchor_s;
    std::vector<double> generate_s;
    std::size_t listed = 0;
    std::size_t matched = 0;
    std::size_t shared = 0;
    for (int run = 0; run < runs; ++run) {
        // Anchor: the same pages of the same store, read and dropped.
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
        anchor_s.push_back(seconds_since(t));

        store::AidCycleRecord cycle;
        cycle.program_code = "bench";
        cycle.number = run + 1;
        cycle.name = "Tahap " + std::to_string(run + 1);
        cycle.starts_on = core::make_date(2026, 1, 1);
        cycle.ends_on = core::make_date(2026, 12, 31);
        auto made = aid.create_cycle(cycle, admin);
        if (!made) {
            std::fprintf(stderr, "cycle: %s\n", made.error().message.c_str());
            return 1;
        }
        t = Clock::now();
        auto generated = aid.generate_list(made->id, made->version, admin);
        if (!generated) {
            std::fprintf(stderr, "generate: %s\n", generated.error().message.c_str());
            return 1;
        }
        generate_s.push_back(seconds_since(t));
        listed = generated->listed;
        matched = generated->matched;
        shared = generated->flag_counts.count("aid.shared_account") != 0
                     ? generated->flag_counts.at("aid.shared_account")
                     : 0;
        std::printf("run %d: read %zu persons in %.2f s; list made in %.2f s\n",
                    run + 1,
                    read,
                    anchor_s.back(),
                    generate_s.back());
    }
    const double anchor = median(anchor_s);
    const double generate = median(generate_s);
    std::printf("rule: %s\n", kRule);
    std::printf("median of %d: list made in %.2f s (%zu matched, %zu listed, %zu flagged "
                "aid.shared_account); anchor (reading every person) %.2f s; ratio %.2f; "
                "peak %ld MiB\n",
                runs,
                generate,
                matched,
                listed,
                shared,
                anchor,
                generate / anchor,
                peak_mib());
    return 0;
}
