// bench/linkage: the duplicate check of one create against a big registry. A real SQLite store
// is filled with N generated persons (integrity::make_registry: 10 % registered twice), the
// registry's index (PersonIndex with its DuplicateIndex) is loaded from the change feed, and then
// the check (service::DuplicateCheck::find: blocking keys, ranking, store reads, full comparison)
// runs for each of the generated second registrations, timed one by one.
//   kapal_bench_duplicate_check N SEED DIR
// Results in docs/PERFORMANCE.md ("Duplicate check").

#include "kapal/core/region_registry.hpp"
#include "kapal/integrity/synthetic.hpp"
#include "kapal/service/duplicate_check.hpp"
#include "kapal/service/person_index.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/sqlite/sqlite_store.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

long peak_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s N SEED DIR\n", argv[0]);
        return 2;
    }
    using namespace kapal;
    integrity::SyntheticOptions options;
    options.persons = static_cast<std::size_t>(std::atol(argv[1]));
    options.seed = static_cast<std::uint64_t>(std::atoll(argv[2]));
    const std::filesystem::path dir = argv[3];
    std::filesystem::create_directories(dir);
    const auto file = dir / "duplicate-bench.db";
    std::filesystem::remove(file);

    auto t = Clock::now();
    const auto reg = integrity::make_registry(options);
    auto opened = store::open_sqlite_store(file, store::generate_store_keys());
    if (!opened) {
        std::fprintf(stderr, "store: %s\n", opened.error().message.c_str());
        return 1;
    }
    store::Store& db = **opened;
    core::IdGenerator ids(options.seed);
    const core::Timestamp at = *core::parse_timestamp("2026-11-28T02:00:00Z");
    const store::WriteContext ctx{"bench", "cli", at, "bench"};
    // The first registrations only: the second ones are what the check is asked about.
    const std::size_t firsts = options.persons;
    constexpr std::size_t kBatch = 25000;
    for (std::size_t from = 0; from < firsts; from += kBatch) {
        std::vector<store::ImportItem> items;
        std::vector<core::PersonId> new_ids;
        for (std::size_t i = from; i < std::min(firsts, from + kBatch); ++i) {
            const auto& p = reg.persons[i];
            items.push_back({p, core::kecamatan_of(p.address.kelurahan_code), false});
            new_ids.emplace_back(ids.next(at));
        }
        auto written = db.import_persons(items, new_ids, ctx);
        if (!written) {
            std::fprintf(stderr, "import: %s\n", written.error().message.c_str());
            return 1;
        }
    }
    std::printf("bench/duplicate_check: %zu persons stored in %.1f s (SQLite, %s)\n",
                firsts,
                seconds_since(t),
                file.c_str());

    t = Clock::now();
    service::PersonIndex index(db);
    auto loaded = index.catch_up();
    if (!loaded) {
        std::fprintf(stderr, "index: %s\n", loaded.error().message.c_str());
        return 1;
    }
    std::printf("index loaded from the change feed in %.1f s: %zu persons, duplicate index "
                "about %.0f MiB, peak RSS %ld MiB\n",
                seconds_since(t),
                index.duplicates().size(),
                static_cast<double>(index.duplicates().memory_bytes()) / (1024.0 * 1024.0),
                peak_mib());

    const service::DuplicateCheck check(db, index.duplicates());
    std::vector<double> ms;
    std::size_t found = 0;
    for (std::size_t i = firsts; i < reg.persons.size(); ++i) {
        const auto start = Clock::now();
        auto matches = check.find(reg.persons[i]);
        ms.push_back(seconds_since(start) * 1000.0);
        if (!matches) {
            std::fprintf(stderr, "check: %s\n", matches.error().message.c_str());
            return 1;
        }
        found += matches->empty() ? 0 : 1;
    }
    std::sort(ms.begin(), ms.end());
    const auto pct = [&ms](double p) {
        return ms.empty()
                   ? 0.0
                   : ms[std::min(ms.size() - 1,
                                 static_cast<std::size_t>(p * static_cast<double>(ms.size())))];
    };
    std::printf("check of %zu second registrations: %zu warned (%.1f %%); per check p50 %.2f ms, "
                "p95 %.2f ms, max %.2f ms\n",
                ms.size(),
                found,
                ms.empty() ? 0.0
                           : 100.0 * static_cast<double>(found) / static_cast<double>(ms.size()),
                pct(0.5),
                pct(0.95),
                ms.empty() ? 0.0 : ms.back());
    std::filesystem::remove(file);
    return 0;
}
