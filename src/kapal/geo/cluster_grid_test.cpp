#include "kapal/geo/cluster_grid.hpp"

#include "kapal/geo/point_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

namespace kapal::geo {
namespace {

/// KAPAL_TEST_SEED overrides the fixed seed; the test prints the one it used.
std::uint64_t test_seed() {
    const char* env = std::getenv("KAPAL_TEST_SEED");
    const std::uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : 20261128;
    std::printf("cluster tests: seed %llu (KAPAL_TEST_SEED overrides)\n",
                static_cast<unsigned long long>(seed));
    return seed;
}

std::string key_of(int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "0190a5d0-0000-7000-8000-%012d", n);
    return buf;
}

struct Sample {
    std::string key;
    std::optional<LonLat> at;
    PointAttributes attrs;
};

const std::vector<std::string> kAreas = {
    "64.74.01.1001", "64.74.01.1003", "64.74.02.1001", "64.74.03.1004"};

Sample random_sample(int n, std::mt19937_64& rng, double lon0, double lat0, double span) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Sample s;
    s.key = key_of(n);
    if (rng() % 20 != 0) {
        s.at = LonLat{lon0 + u(rng) * span, lat0 + u(rng) * span};
    }
    s.attrs.categories = static_cast<std::uint8_t>(1U << (rng() % 6));
    if (rng() % 5 == 0) {
        s.attrs.categories = static_cast<std::uint8_t>(s.attrs.categories | (1U << (rng() % 6)));
    }
    s.attrs.severity = static_cast<std::uint8_t>(rng() % 4 == 3 ? 0xff : rng() % 3);
    s.attrs.status = static_cast<std::uint8_t>(rng() % 4);
    s.attrs.area_code = kAreas[rng() % kAreas.size()];
    return s;
}

bool passes(const Sample& s, const PointFilter& f) {
    bool area = f.area_prefixes.empty();
    for (const auto& p : f.area_prefixes) {
        area = area || s.attrs.area_code == p || s.attrs.area_code.rfind(p + ".", 0) == 0;
    }
    return area && (f.any_category == 0 || (s.attrs.categories & f.any_category) != 0) &&
           (!f.severity || s.attrs.severity == *f.severity) &&
           (!f.status || s.attrs.status == *f.status);
}

std::vector<PointFilter> filters() {
    std::vector<PointFilter> out(5);
    out[1].any_category = 0b000011;
    out[2].severity = 2;
    out[2].status = 0;
    out[3].area_prefixes = {"64.74.01"};
    out[4].area_prefixes = {"64.74.02.1001", "64.74.03"};
    out[4].any_category = 0b100000;
    return out;
}

/// The clusters by brute force: every sample, its cell by plain arithmetic on the cell side.
struct Expected {
    std::uint32_t count = 0;
    std::array<std::uint32_t, 8> per_bit{};
    double lon_sum = 0;
    double lat_sum = 0;
    std::string key;
};

std::map<std::pair<std::uint32_t, std::uint32_t>, Expected>
brute_force(const std::map<std::string, Sample>& samples,
            const ClusterView& view,
            const PointFilter& filter) {
    std::map<std::pair<std::uint32_t, std::uint32_t>, Expected> out;
    for (const auto& [key, s] : samples) {
        if (!s.at || !passes(s, filter)) {
            continue;
        }
        const CellId c = cell_of(*s.at, view.zoom);
        if (!view.contains(c)) {
            continue;
        }
        Expected& e = out[{c.col, c.row}];
        ++e.count;
        e.lon_sum += s.at->lon;
        e.lat_sum += s.at->lat;
        e.key = key;
        for (unsigned bit = 0; bit < 8; ++bit) {
            if ((s.attrs.categories & (1U << bit)) != 0) {
                ++e.per_bit[bit];
            }
        }
    }
    return out;
}

void expect_same(const std::vector<Cluster>& got,
                 const std::map<std::pair<std::uint32_t, std::uint32_t>, Expected>& want,
                 int zoom,
                 const std::string& what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    auto it = want.begin();
    for (const Cluster& c : got) {
        ASSERT_EQ(c.cell.col, it->first.first) << what;
        ASSERT_EQ(c.cell.row, it->first.second) << what;
        const Expected& e = it->second;
        EXPECT_EQ(c.count, e.count) << what;
        EXPECT_EQ(c.per_bit, e.per_bit) << what;
        EXPECT_NEAR(c.centre.lon, e.lon_sum / e.count, 1e-7) << what;
        EXPECT_NEAR(c.centre.lat, e.lat_sum / e.count, 1e-7) << what;
        // In its cell (sums are kept in 1e-7 degrees, so a point on an edge may round across).
        const BBox cell = cell_box(c.cell, zoom);
        EXPECT_TRUE((BBox{cell.min_lon - 1e-7,
                          cell.min_lat - 1e-7,
                          cell.max_lon + 1e-7,
                          cell.max_lat + 1e-7})
                        .contains(c.centre))
            << what;
        if (zoom >= kClusterKeyZoom && c.count == 1) {
            EXPECT_EQ(c.key, e.key) << what;
        } else {
            EXPECT_TRUE(c.key.empty()) << what;
        }
        ++it;
    }
}

void upsert(PointIndex& index, const Sample& s, std::int64_t version) {
    index.upsert(s.key, version, s.at, s.attrs);
}

TEST(ClusterGrid, CellsAreSquaresOfAQuarterTileFromTheSouthWestCorner) {
    EXPECT_DOUBLE_EQ(cluster_cell_deg(0), 90.0);
    EXPECT_DOUBLE_EQ(cluster_cell_deg(12), 360.0 / 16384.0);
    EXPECT_EQ(cell_of({-180, -90}, 0), (CellId{0, 0}));
    EXPECT_EQ(cell_of({180, 90}, 0), (CellId{3, 1})) << "the far edges clamp to the grid";
    EXPECT_EQ(cell_of({0, 0}, 0), (CellId{2, 1}));
    EXPECT_EQ(cell_of({-0.000001, -0.000001}, 0), (CellId{1, 0}));
    const BBox b = cell_box({2, 1}, 0);
    EXPECT_EQ(b, (BBox{0, 0, 90, 90}));
}

TEST(ClusterGrid, APointOnACellEdgeBelongsToTheCellEastAndNorthOfIt) {
    for (int zoom : {3, 10, 14, 15, 18, 22}) {
        const double side = cluster_cell_deg(zoom);
        // Cell edges near Bontang: exact multiples of the side (a power of two fraction of 360).
        const auto col = static_cast<std::uint32_t>(std::floor((117.5 + 180) / side));
        const auto row = static_cast<std::uint32_t>(std::floor((0.13 + 90) / side));
        const LonLat corner{col * side - 180.0, row * side - 90.0};
        EXPECT_EQ(cell_of(corner, zoom), (CellId{col, row})) << zoom;
        // Just west or south of the edge (by more than the rounding of lon + 180).
        const double nudge = std::max(side * 1e-9, 1e-12);
        EXPECT_EQ(cell_of({corner.lon - nudge, corner.lat}, zoom), (CellId{col - 1, row})) << zoom;
        EXPECT_EQ(cell_of({corner.lon, corner.lat - nudge}, zoom), (CellId{col, row - 1})) << zoom;
    }
}

TEST(ClusterGrid, ViewsCountTheirCellsAndSplitAtTheAntimeridian) {
    const ClusterView v = cluster_view(117.40, 0.05, 117.56, 0.22, 12);
    ASSERT_EQ(v.ranges.size(), 1U);
    EXPECT_EQ(v.ranges[0].col1 - v.ranges[0].col0 + 1, 8U);
    EXPECT_EQ(v.cells(), v.ranges[0].cells());
    const ClusterView across = cluster_view(179.5, -1, -179.5, 1, 8);
    ASSERT_EQ(across.ranges.size(), 2U);
    EXPECT_EQ(across.ranges[0].col1, (1U << 10) - 1);
    EXPECT_EQ(across.ranges[1].col0, 0U);
    EXPECT_TRUE(across.contains(cell_of({179.9, 0}, 8)));
    EXPECT_TRUE(across.contains(cell_of({-179.9, 0}, 8)));
    EXPECT_FALSE(across.contains(cell_of({0, 0}, 8)));
    const ClusterView world = cluster_view(-180, -90, 180, 90, 2);
    EXPECT_EQ(world.cells(), 16U * 8U);
}

TEST(ClusterGrid, ClustersMatchBruteForceAtEveryZoomWhilePointsChange) {
    std::mt19937_64 rng(test_seed());
    std::map<std::string, Sample> samples;
    PointIndex index;
    // The first load in bulk, as PersonIndex does; then upserts move, refilter and unlocate.
    index.begin_bulk();
    for (int i = 0; i < 3000; ++i) {
        Sample s = random_sample(i, rng, 117.38, 0.05, 0.18);
        upsert(index, s, 1);
        samples[s.key] = s;
    }
    index.end_bulk();
    EXPECT_GE(index.cluster_pyramid_depth(), 5) << "the pyramid path is tested too";
    std::printf("pyramid depth %d\n", index.cluster_pyramid_depth());
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int round = 0; round < 3; ++round) {
        for (int z = 0; z <= 20; ++z) {
            for (const PointFilter& f : filters()) {
                // A random view around the city, and the whole city.
                const double w = 117.38 + u(rng) * 0.18;
                const double s = 0.05 + u(rng) * 0.18;
                const double span = 0.3 / std::ldexp(1.0, std::max(0, z - 10));
                for (const ClusterView& view : {cluster_view(w, s, w + span, s + span, z),
                                                cluster_view(117.3, 0.0, 117.6, 0.3, z)}) {
                    if (view.cells() > kMaxClusterCells * 16) {
                        continue;
                    }
                    expect_same(index.clusters(view, f),
                                brute_force(samples, view, f),
                                z,
                                "round " + std::to_string(round) + " zoom " + std::to_string(z));
                }
            }
        }
        // Change a third of the points: new place, new attributes, or no place at all.
        for (int i = 0; i < 1000; ++i) {
            const int n = static_cast<int>(rng() % 3000);
            Sample s = random_sample(n, rng, 117.38, 0.05, 0.18);
            upsert(index, s, 2 + round * 1000 + i);
            samples[s.key] = s;
        }
    }
}

TEST(ClusterGrid, PointsOnCellEdgesAreCountedOnceOnBothPaths) {
    std::map<std::string, Sample> samples;
    PointIndex index;
    std::mt19937_64 rng(test_seed() + 1);
    int n = 0;
    index.begin_bulk(); // so that the pyramid is built (all levels, for so few points)
    for (int zoom : {12, 14, 16, 20}) {
        const double side = cluster_cell_deg(zoom);
        const auto col = static_cast<std::uint32_t>(std::floor((117.5 + 180) / side));
        const auto row = static_cast<std::uint32_t>(std::floor((0.13 + 90) / side));
        for (int dc = -1; dc <= 1; ++dc) {
            for (int dr = -1; dr <= 1; ++dr) {
                Sample s = random_sample(n++, rng, 0, 0, 0);
                s.at = LonLat{(col + static_cast<std::uint32_t>(dc + 1)) * side - 180.0,
                              (row + static_cast<std::uint32_t>(dr + 1)) * side - 90.0};
                upsert(index, s, 1);
                samples[s.key] = s;
            }
        }
    }
    index.end_bulk();
    ASSERT_EQ(index.cluster_pyramid_depth(), kPyramidMaxZoom);
    for (int zoom = 10; zoom <= 21; ++zoom) {
        const double side = cluster_cell_deg(zoom);
        // A view whose east and north edges fall exactly on cell edges.
        const double w = std::floor((117.49 + 180) / side) * side - 180;
        const double s = std::floor((0.12 + 90) / side) * side - 90;
        const ClusterView view = cluster_view(w, s, w + 3 * side, s + 3 * side, zoom);
        const PointFilter all;
        const auto got = index.clusters(view, all);
        expect_same(got, brute_force(samples, view, all), zoom, "zoom " + std::to_string(zoom));
        std::uint32_t total = 0;
        for (const Cluster& c : got) {
            total += c.count;
        }
        std::uint32_t inside = 0;
        for (const auto& [key, sample] : samples) {
            inside += view.contains(cell_of(*sample.at, zoom)) ? 1 : 0;
        }
        EXPECT_EQ(total, inside) << zoom;
    }
}

TEST(ClusterGrid, AViewAcrossTheAntimeridianTakesBothSides) {
    std::map<std::string, Sample> samples;
    PointIndex index;
    std::mt19937_64 rng(test_seed() + 2);
    index.begin_bulk();
    for (int i = 0; i < 400; ++i) {
        // Half on each side of ±180, and some exactly on it.
        Sample s = random_sample(i, rng, i % 2 == 0 ? 179.0 : -180.0, -0.5, 1.0);
        if (i % 50 == 0) {
            s.at = LonLat{i % 100 == 0 ? 180.0 : -180.0, 0.0};
        }
        upsert(index, s, 1);
        samples[s.key] = s;
    }
    index.end_bulk();
    ASSERT_EQ(index.cluster_pyramid_depth(), kPyramidMaxZoom);
    for (int zoom : {4, 9, 12, 14, 15, 17}) {
        const ClusterView across = cluster_view(179.6, -0.4, -179.6, 0.4, zoom);
        ASSERT_EQ(across.ranges.size(), 2U);
        for (const PointFilter& f : filters()) {
            const auto got = index.clusters(across, f);
            expect_same(got, brute_force(samples, across, f), zoom, "zoom " + std::to_string(zoom));
        }
        bool east = false;
        bool west = false;
        for (const Cluster& c : index.clusters(across, {})) {
            east = east || c.centre.lon > 0;
            west = west || c.centre.lon < 0;
        }
        EXPECT_TRUE(east && west) << zoom;
    }
}

TEST(ClusterGrid, APyramidGrownOneUpsertAtATimeAnswersAsBruteForce) {
    std::mt19937_64 rng(test_seed() + 4);
    std::map<std::string, Sample> samples;
    PointIndex index;
    EXPECT_EQ(index.cluster_pyramid_depth(), -1);
    for (int i = 0; i < 9000; ++i) {
        Sample s = random_sample(i, rng, 117.38, 0.05, 0.18);
        upsert(index, s, 1);
        samples[s.key] = s;
    }
    EXPECT_GE(index.cluster_pyramid_depth(), 5) << "built when the points reached 4,096 and 8,192";
    for (int z = 0; z <= 16; ++z) {
        const ClusterView view = cluster_view(117.3, 0.0, 117.6, 0.3, z);
        for (const PointFilter& f : filters()) {
            expect_same(
                index.clusters(view, f), brute_force(samples, view, f), z, std::to_string(z));
        }
    }
}

TEST(ClusterGrid, GroupCountsFollowEveryUpsertIncludingUnlocatedEntries) {
    std::mt19937_64 rng(test_seed() + 3);
    std::map<std::string, Sample> samples;
    PointIndex index;
    for (int i = 0; i < 2000; ++i) {
        Sample s = random_sample(static_cast<int>(rng() % 700), rng, 117.38, 0.05, 0.18);
        upsert(index, s, i + 1);
        samples[s.key] = s;
    }
    std::map<std::string, std::size_t> want;
    std::map<std::string, std::size_t> got;
    for (const auto& [key, s] : samples) {
        ++want[s.attrs.area_code + "/" + std::to_string(s.attrs.categories) + "/" +
               std::to_string(s.attrs.severity) + "/" + std::to_string(s.attrs.status)];
    }
    index.count_groups([&](const std::string& area, const ClusterGroup& g, std::size_t n) {
        got[area + "/" + std::to_string(g.categories) + "/" + std::to_string(g.severity) + "/" +
            std::to_string(g.status)] += n;
    });
    EXPECT_EQ(got, want);
}

} // namespace
} // namespace kapal::geo
