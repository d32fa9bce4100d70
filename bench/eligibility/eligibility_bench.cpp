// bench/eligibility: the eligibility language over N synthetic PersonRecords (fixed seed),
// against an anchor measured in the same run: a hand-written C++ lambda computing the same
// predicate as the issue's example rule. Both answers are compared on every record before any
// timing, so a wrong path is never measured fast.
//   kapal_bench_eligibility [N=1000000] [SEED=8] [RUNS=7]
// One thread; results in docs/PERFORMANCE.md ("Eligibility rules").

#include "kapal/aid/eligibility.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace kapal;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kExample =
    R"(age >= 18 and "fisik" in categories and severity in ("sedang","berat") and not dtks)";

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

long peak_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

/// A registry of n persons: ages 0-89, one category (a fifth have two), a tenth without
/// severity, 40 % in DTKS, some WG answers, needs and accounts, spread over 1,000 kelurahan of
/// Kalimantan Timur-like codes.
std::vector<core::PersonRecord> make_records(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    const auto pick = [&](int k) {
        return static_cast<int>(rng() % static_cast<std::uint64_t>(k));
    };
    std::vector<std::string> kelurahan;
    for (int i = 0; i < 1000; ++i) {
        char code[16];
        std::snprintf(
            code, sizeof code, "64.%02d.%02d.%04d", 1 + i / 100, 1 + (i / 10) % 10, 1001 + i % 10);
        kelurahan.emplace_back(code);
    }
    std::vector<core::PersonRecord> out(n);
    for (auto& r : out) {
        auto& p = r.person;
        p.birth_date = core::make_date(1937 + pick(90),
                                       1 + static_cast<unsigned>(pick(12)),
                                       1 + static_cast<unsigned>(pick(28)));
        p.sex = pick(2) == 0 ? core::Sex::Male : core::Sex::Female;
        p.categories.push_back(core::kAllCategories[static_cast<std::size_t>(pick(6))]);
        if (pick(5) == 0) {
            p.categories.push_back(core::kAllCategories[static_cast<std::size_t>(pick(6))]);
            core::normalise_categories(p.categories);
        }
        if (pick(10) != 0) {
            p.severity = core::kAllSeverities[static_cast<std::size_t>(pick(3))];
        }
        p.dtks = pick(5) < 2;
        if (pick(2) == 0) {
            p.wgss[static_cast<std::size_t>(core::WgDomain::Walking)] =
                static_cast<std::uint8_t>(1 + pick(4));
        }
        if (pick(4) == 0) {
            p.assistive_devices.emplace_back(
                core::kAssistiveDevices[static_cast<std::size_t>(pick(12))]);
        }
        p.address.kelurahan_code = kelurahan[static_cast<std::size_t>(pick(1000))];
        r.kecamatan_code = p.address.kelurahan_code.substr(0, 8);
    }
    return out;
}

struct Timing {
    std::vector<double> ms;
    std::size_t matched = 0;

    double median() const {
        auto sorted = ms;
        std::sort(sorted.begin(), sorted.end());
        return sorted[sorted.size() / 2];
    }

    double min() const { return *std::min_element(ms.begin(), ms.end()); }
};

/// One timed pass, added to `t`.
void time_pass(Timing& t, const std::function<std::size_t()>& pass) {
    const auto start = Clock::now();
    t.matched = pass();
    t.ms.push_back(ms_since(start));
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? static_cast<std::size_t>(std::atol(argv[1])) : 1000000;
    const auto seed = argc > 2 ? static_cast<std::uint64_t>(std::atoll(argv[2])) : 8U;
    const int runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 7;

    auto start = Clock::now();
    const auto records = make_records(n, seed);
    std::printf("bench/eligibility: %zu records, seed %llu, generated in %.0f ms, peak %ld MiB\n",
                records.size(),
                static_cast<unsigned long long>(seed),
                ms_since(start),
                peak_mib());

    const aid::RuleContext context{core::make_date(2026, 11, 28)};
    start = Clock::now();
    constexpr int kParses = 10000;
    std::size_t canonical_size = 0;
    for (int i = 0; i < kParses; ++i) {
        canonical_size += aid::parse_rule(kExample)->canonical().size();
    }
    const double parse_us = ms_since(start) * 1000.0 / kParses;
    const auto parsed = aid::parse_rule(kExample);
    if (!parsed) {
        std::fprintf(stderr,
                     "the example rule does not parse: %s\n",
                     parsed.error().fields.at(0).detail.c_str());
        return 1;
    }
    const aid::Rule& rule = *parsed;

    // The anchor: what a programmer would write by hand for this one rule.
    const auto anchor = [&context](const core::PersonRecord& r) {
        const core::Person& p = r.person;
        if (!p.birth_date.ok() || core::age_on(p.birth_date, context.on) < 18) {
            return false;
        }
        if (std::find(p.categories.begin(), p.categories.end(), core::Category::Fisik) ==
            p.categories.end()) {
            return false;
        }
        if (!p.severity || (*p.severity != core::DisabilitySeverity::Sedang &&
                            *p.severity != core::DisabilitySeverity::Berat)) {
            return false;
        }
        return !p.dtks;
    };

    // Check before timing: the same answer on every record.
    std::size_t expected = 0;
    for (const auto& r : records) {
        const bool want = anchor(r);
        if (rule.matches(r, context) != want) {
            std::fprintf(stderr, "rule and anchor disagree on a record\n");
            return 1;
        }
        expected += want ? 1 : 0;
    }

    // The passes alternate (anchor, rule, preview, anchor, ...) so that the noise of a shared
    // machine falls on all three alike.
    Timing by_anchor;
    Timing by_rule;
    Timing by_preview;
    aid::RulePreview preview;
    for (int i = 0; i < runs; ++i) {
        time_pass(by_anchor, [&] {
            std::size_t m = 0;
            for (const auto& r : records) {
                m += anchor(r) ? 1 : 0;
            }
            return m;
        });
        time_pass(by_rule, [&] {
            std::size_t m = 0;
            for (const auto& r : records) {
                m += rule.matches(r, context) ? 1 : 0;
            }
            return m;
        });
        time_pass(by_preview, [&] {
            preview = aid::preview_rule(rule, records, context);
            return preview.matched;
        });
    }
    if (by_rule.matched != expected || by_anchor.matched != expected ||
        by_preview.matched != expected || preview.evaluated != records.size()) {
        std::fprintf(stderr, "a timed pass counted a different number of matches\n");
        return 1;
    }

    std::printf("rule: %s\n", rule.canonical().c_str());
    std::printf("parse + canonical: %.1f us per rule (%zu bytes of canonical text)\n",
                parse_us,
                canonical_size / kParses);
    std::printf("matched %zu of %zu (%.1f %%), %zu kelurahan in the preview\n",
                expected,
                records.size(),
                100.0 * static_cast<double>(expected) / static_cast<double>(records.size()),
                preview.per_kelurahan.size());
    const auto line = [&](const char* what, const Timing& t) {
        std::printf("%-34s median %7.1f ms  min %7.1f ms  %6.1f ns/record  ratio %.2f\n",
                    what,
                    t.median(),
                    t.min(),
                    t.median() * 1e6 / static_cast<double>(records.size()),
                    t.median() / by_anchor.median());
    };
    std::printf("median of %d runs each, one thread:\n", runs);
    line("anchor (hand-written lambda)", by_anchor);
    line("Rule::matches", by_rule);
    line("preview_rule (with per-kelurahan)", by_preview);
    std::printf("peak %ld MiB\n", peak_mib());
    return 0;
}
