// bench/ogc: what one page of the OGC persons items costs in the point index, against the
// anchor of the same run, a 1 km radius question (the person list's `near=`).
//   kapal_bench_ogc N SEED
// N homes spread over a province box (Kalimantan Timur) with 10 kab/kota of 100 kelurahan
// each. A page of /ogc/collections/persons/items selects every match in the caller's areas,
// sorts by id and cuts the page (exact numberMatched, stable offsets); measured for an admin
// (the whole province), a kab/kota user (one tenth), and an admin with a 5 km bbox. Each
// question is checked once against a brute-force count before timing. Medians and p99 in
// microseconds over QUERIES questions.

#include "kapal/geo/point_index.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using kapal::geo::BBox;
using kapal::geo::LonLat;
using kapal::geo::PointFilter;

constexpr int kQueries = 200;
constexpr std::size_t kAll = std::numeric_limits<std::size_t>::max();

struct Home {
    std::string id;
    LonLat at;
    std::string area;
};

struct Stats {
    double median_us;
    double p99_us;
};

Stats stats(std::vector<double> us) {
    std::sort(us.begin(), us.end());
    return {us[us.size() / 2], us[us.size() * 99 / 100]};
}

template <class F> Stats time_each(int n, F f) {
    std::vector<double> us;
    for (int i = 0; i < n; ++i) {
        const auto t0 = Clock::now();
        f(i);
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    return stats(us);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: kapal_bench_ogc N SEED\n");
        return 2;
    }
    const long n = std::atol(argv[1]);
    const auto seed = std::strtoull(argv[2], nullptr, 10);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> lon(116.0, 119.0);
    std::uniform_real_distribution<double> lat(-2.5, 2.5);
    std::vector<Home> homes;
    kapal::geo::PointIndex index;
    index.begin_bulk();
    for (long i = 0; i < n; ++i) {
        char id[80];
        // UUIDv7-like ids: increasing prefix, random tail.
        std::snprintf(id,
                      sizeof id,
                      "%08lx-0193-7000-8000-%012llx",
                      i,
                      static_cast<unsigned long long>(rng() & 0xffffffffffffULL));
        char area[48];
        std::snprintf(area,
                      sizeof area,
                      "64.%02d.%02d.%04d",
                      1 + static_cast<int>(rng() % 10),
                      1 + static_cast<int>(rng() % 10),
                      1001 + static_cast<int>(rng() % 10));
        Home h{id, {lon(rng), lat(rng)}, area};
        kapal::geo::PointAttributes attrs;
        attrs.area_code = h.area;
        index.upsert(h.id, 1, h.at, attrs);
        homes.push_back(std::move(h));
    }
    index.end_bulk();

    const BBox world{-180, -90, 180, 90};
    PointFilter admin;
    PointFilter kota;
    kota.area_prefixes = {"64.03"};
    const long in_kota = std::count_if(
        homes.begin(), homes.end(), [](const Home& h) { return h.area.rfind("64.03.", 0) == 0; });
    // Check once: the page selection finds what brute force counts.
    if (static_cast<long>(index.in_box(world, admin, kAll).size()) != n ||
        static_cast<long>(index.in_box(world, kota, kAll).size()) != in_kota) {
        std::fprintf(stderr, "wrong answer\n");
        return 1;
    }
    // Check the page selection against the sort-everything way once, on a few pages.
    const auto everything = index.in_box(world, kota, kAll);
    for (const std::size_t offset : {std::size_t{0}, std::size_t{4321}, everything.size() - 7}) {
        const auto p = index.in_box_page(world, kota, offset, 100);
        for (std::size_t i = 0; i < p.hits.size(); ++i) {
            if (p.hits[i].key != everything[offset + i].key) {
                std::fprintf(stderr, "wrong page at offset %zu\n", offset);
                return 1;
            }
        }
    }
    auto page = [&](const BBox& box, const PointFilter& f, std::size_t offset) {
        const auto p = index.in_box_page(box, f, offset, 100);
        return p.hits.size() + p.matched;
    };
    // The way before in_box_page: every match sorted and its key formatted, then the slice.
    auto page_sorting_all = [&](const BBox& box, const PointFilter& f, std::size_t offset) {
        auto hits = index.in_box(box, f, kAll);
        return std::min(hits.size(), offset + 100) + hits.size();
    };
    volatile std::size_t sink = 0;
    const Stats a = time_each(kQueries, [&](int i) {
        sink = sink + page(world, admin, static_cast<std::size_t>(i) * 100);
    });
    const Stats k = time_each(kQueries, [&](int i) {
        sink = sink + page(world, kota, static_cast<std::size_t>(i) * 100);
    });
    const Stats b = time_each(kQueries, [&](int i) {
        const LonLat c = homes[static_cast<std::size_t>(i * 7919) % homes.size()].at;
        const double d = 5000.0 / kapal::geo::kMetresPerDegree;
        sink = sink + page(BBox{c.lon - d, c.lat - d, c.lon + d, c.lat + d}, admin, 0);
    });
    const Stats old_way = time_each(kQueries / 10, [&](int i) {
        sink = sink + page_sorting_all(world, admin, static_cast<std::size_t>(i) * 100);
    });
    const Stats anchor = time_each(kQueries, [&](int i) {
        const LonLat c = homes[static_cast<std::size_t>(i * 7919) % homes.size()].at;
        sink = sink + index.within(c, 1000, admin, 1000).size();
    });
    std::printf("homes %ld (kab/kota 64.03: %ld), %d questions each\n", n, in_kota, kQueries);
    std::printf("anchor: within 1 km            median %10.1f us  p99 %10.1f us\n",
                anchor.median_us,
                anchor.p99_us);
    std::printf("page, admin, no bbox           median %10.1f us  p99 %10.1f us  ratio %.0f\n",
                a.median_us,
                a.p99_us,
                a.median_us / anchor.median_us);
    std::printf("  (sorting every match, before) median %10.1f us  p99 %10.1f us  ratio %.0f\n",
                old_way.median_us,
                old_way.p99_us,
                old_way.median_us / anchor.median_us);
    std::printf("page, one kab/kota, no bbox    median %10.1f us  p99 %10.1f us  ratio %.0f\n",
                k.median_us,
                k.p99_us,
                k.median_us / anchor.median_us);
    std::printf("page, admin, 10 km bbox        median %10.1f us  p99 %10.1f us  ratio %.1f\n",
                b.median_us,
                b.p99_us,
                b.median_us / anchor.median_us);
    return 0;
}
