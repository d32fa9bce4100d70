// bench/linkage: record linkage over a generated registry of N persons (integrity::make_registry,
// 10 % registered twice, the five kinds in turn): the time to block and compare, the candidate
// pairs compared, the peak memory, and precision/recall/F1 at the documented threshold.
//   kapal_bench_linkage N SEED
// One thread (the linkage code is single-threaded); results in docs/PERFORMANCE.md.

#include "kapal/integrity/synthetic.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

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
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s N SEED\n", argv[0]);
        return 2;
    }
    using namespace kapal::integrity;
    SyntheticOptions options;
    options.persons = static_cast<std::size_t>(std::atol(argv[1]));
    options.seed = static_cast<std::uint64_t>(std::atoll(argv[2]));
    auto t = Clock::now();
    const SyntheticRegistry reg = make_registry(options);
    std::printf("bench/linkage: %zu records (%zu persons, %zu duplicates), seed %llu; generated "
                "and normalised in %.1f s, peak %ld MiB\n",
                reg.records.size(),
                options.persons,
                reg.duplicates.size(),
                static_cast<unsigned long long>(options.seed),
                seconds_since(t),
                peak_mib());
    t = Clock::now();
    BlockingStats stats;
    BlockingOptions blocking;
    blocking.min_score = 0; // keep what a reviewer might look at; the rest is counted only
    const auto pairs = candidate_pairs(reg.records, LinkageModel::defaults(), blocking, &stats);
    const double link_s = seconds_since(t);
    std::printf("blocking + comparison: %.1f s; %zu candidate pairs compared (%.2f per record), "
                "%zu kept (score >= 0), from %zu blocks, %zu large (windowed), largest %zu; peak "
                "%ld MiB\n",
                link_s,
                stats.pairs,
                static_cast<double>(stats.pairs) / static_cast<double>(reg.records.size()),
                pairs.size(),
                stats.blocks,
                stats.large_blocks,
                stats.largest_block,
                peak_mib());
    const auto q = evaluate(reg.duplicates, pairs, kDuplicateThreshold);
    std::printf("threshold %.0f: proposed %zu, true %zu: precision %.4f recall %.4f F1 %.4f\n",
                kDuplicateThreshold,
                q.proposed,
                q.true_pairs,
                q.precision,
                q.recall,
                q.f1);
    for (const DuplicateKind kind : kDuplicateKinds) {
        std::vector<TruePair> of_kind;
        for (const auto& d : reg.duplicates) {
            if (d.kind == kind) {
                of_kind.push_back(d);
            }
        }
        std::size_t found = 0;
        const auto all = evaluate(of_kind, pairs, kDuplicateThreshold);
        found = all.true_positives;
        std::printf("  %-13s recall %.4f (%zu of %zu)\n",
                    std::string(kind_code(kind)).c_str(),
                    all.recall,
                    found,
                    of_kind.size());
    }
    return 0;
}
