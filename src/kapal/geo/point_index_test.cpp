#include "kapal/geo/point_index.hpp"

#include "kapal/geo/test_seed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <set>

namespace kapal::geo {
namespace {

std::string key_of(int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "0190a5d0-0000-7000-8000-%012d", n);
    return buf;
}

struct Sample {
    std::string key;
    LonLat at;
    PointAttributes attrs;
};

/// Random homes around Bontang (about 20 km across) with random attributes.
std::vector<Sample> samples(int n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> lon(117.38, 117.56);
    std::uniform_real_distribution<double> lat(0.05, 0.22);
    const std::vector<std::string> areas = {
        "64.74.01.1001", "64.74.01.1003", "64.74.02.1001", "64.74.03.1004"};
    std::vector<Sample> out;
    for (int i = 0; i < n; ++i) {
        Sample s;
        s.key = key_of(i);
        s.at = LonLat{lon(rng), lat(rng)};
        s.attrs.categories = static_cast<std::uint8_t>(1U << (rng() % 6));
        s.attrs.severity = static_cast<std::uint8_t>(rng() % 4 == 3 ? 0xff : rng() % 3);
        s.attrs.status = static_cast<std::uint8_t>(rng() % 4);
        s.attrs.devices = static_cast<std::uint16_t>(rng() % 3 == 0 ? 0 : 1U << (rng() % 12));
        s.attrs.area_code = areas[rng() % areas.size()];
        out.push_back(s);
    }
    return out;
}

bool passes(const Sample& s, const PointFilter& f) {
    bool area = f.area_prefixes.empty();
    for (const auto& p : f.area_prefixes) {
        area = area || s.attrs.area_code == p || s.attrs.area_code.rfind(p + ".", 0) == 0;
    }
    return area && (f.any_category == 0 || (s.attrs.categories & f.any_category) != 0) &&
           (f.any_device == 0 || (s.attrs.devices & f.any_device) != 0) &&
           (!f.severity || s.attrs.severity == *f.severity) &&
           (!f.status || s.attrs.status == *f.status);
}

std::vector<PointFilter> filters() {
    std::vector<PointFilter> out(7);
    out[1].any_category = 0b000011;
    out[2].severity = 2;
    out[2].status = 0;
    out[3].area_prefixes = {"64.74.01"};
    out[4].area_prefixes = {"64.74.02.1001", "64.74.03"};
    out[4].any_category = 0b110000;
    out[5].any_device = 0b1; // kursi_roda
    out[6].any_device = 0b1000000001;
    out[6].any_category = 0b000001;
    out[6].status = 0;
    return out;
}

class PointIndexTest : public ::testing::Test {
  protected:
    void SetUp() override {
        data_ = samples(3000, testing::test_seed(42));
        for (const auto& s : data_) {
            ASSERT_TRUE(index_.upsert(s.key, 1, s.at, s.attrs));
        }
    }

    std::vector<Sample> data_;
    PointIndex index_;
};

TEST_F(PointIndexTest, RadiusQueriesMatchABruteForceOracle) {
    const LonLat centre{117.47, 0.13};
    for (double radius : {0.0, 300.0, 2500.0, 50000.0}) {
        for (const auto& f : filters()) {
            std::vector<std::pair<double, std::string>> expected;
            for (const auto& s : data_) {
                const double d = haversine_m(centre, s.at);
                if (d <= radius && passes(s, f)) {
                    expected.emplace_back(d, s.key);
                }
            }
            std::sort(expected.begin(), expected.end());
            const auto got = index_.within(centre, radius, f, 100000);
            ASSERT_EQ(got.size(), expected.size()) << radius;
            for (std::size_t i = 0; i < got.size(); ++i) {
                EXPECT_EQ(got[i].key, expected[i].second);
                EXPECT_DOUBLE_EQ(got[i].distance_m, expected[i].first);
            }
            EXPECT_LE(index_.within(centre, radius, f, 7).size(), 7U);
        }
    }
}

TEST_F(PointIndexTest, NearestMatchesABruteForceOracle) {
    for (const LonLat centre : {LonLat{117.47, 0.13}, LonLat{117.30, 0.30}, LonLat{118.5, -2.0}}) {
        for (std::size_t k : {1U, 5U, 60U}) {
            for (const auto& f : filters()) {
                std::vector<std::pair<double, std::string>> expected;
                for (const auto& s : data_) {
                    if (passes(s, f)) {
                        expected.emplace_back(haversine_m(centre, s.at), s.key);
                    }
                }
                std::sort(expected.begin(), expected.end());
                expected.resize(std::min(expected.size(), k));
                const auto got = index_.nearest(centre, k, f);
                ASSERT_EQ(got.size(), expected.size());
                for (std::size_t i = 0; i < got.size(); ++i) {
                    EXPECT_EQ(got[i].key, expected[i].second) << "k=" << k << " i=" << i;
                }
            }
        }
    }
}

TEST_F(PointIndexTest, BoxQueriesMatchABruteForceOracleInKeyOrder) {
    const BBox box{117.42, 0.08, 117.50, 0.15};
    for (const auto& f : filters()) {
        std::vector<std::string> expected;
        for (const auto& s : data_) {
            if (box.contains(s.at) && passes(s, f)) {
                expected.push_back(s.key);
            }
        }
        std::sort(expected.begin(), expected.end());
        const auto got = index_.in_box(box, f, 100000);
        ASSERT_EQ(got.size(), expected.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            EXPECT_EQ(got[i].key, expected[i]);
        }
    }
    EXPECT_TRUE(index_.in_box(BBox{}, {}, 10).empty()) << "an empty box finds nothing";
}

TEST_F(PointIndexTest, RandomBoxesMatchABruteForceOracle) {
    std::mt19937_64 rng(testing::test_seed(7));
    std::uniform_real_distribution<double> lon(117.36, 117.58);
    std::uniform_real_distribution<double> lat(0.03, 0.24);
    for (int round = 0; round < 40; ++round) {
        BBox box;
        box.extend(LonLat{lon(rng), lat(rng)});
        box.extend(LonLat{lon(rng), lat(rng)});
        for (const auto& f : filters()) {
            std::vector<std::string> expected;
            for (const auto& s : data_) {
                if (box.contains(s.at) && passes(s, f)) {
                    expected.push_back(s.key);
                }
            }
            std::sort(expected.begin(), expected.end());
            const auto got = index_.in_box(box, f, 100000);
            ASSERT_EQ(got.size(), expected.size()) << "round " << round;
            for (std::size_t i = 0; i < got.size(); ++i) {
                EXPECT_EQ(got[i].key, expected[i]);
            }
            const auto cut = index_.in_box(box, f, 3);
            ASSERT_EQ(cut.size(), std::min<std::size_t>(3, expected.size()));
            for (std::size_t i = 0; i < cut.size(); ++i) {
                EXPECT_EQ(cut[i].key, expected[i]) << "the first by key";
            }
        }
    }
}

TEST_F(PointIndexTest, RandomCirclesMatchABruteForceOracle) {
    std::mt19937_64 rng(testing::test_seed(8));
    std::uniform_real_distribution<double> lon(117.36, 117.58);
    std::uniform_real_distribution<double> lat(0.03, 0.24);
    std::uniform_real_distribution<double> radius(0.0, 8000.0);
    const auto all_filters = filters();
    for (int round = 0; round < 40; ++round) {
        const LonLat centre{lon(rng), lat(rng)};
        const double r = radius(rng);
        const auto& f = all_filters[static_cast<std::size_t>(round) % all_filters.size()];
        std::vector<std::pair<double, std::string>> expected;
        for (const auto& s : data_) {
            const double d = haversine_m(centre, s.at);
            if (d <= r && passes(s, f)) {
                expected.emplace_back(d, s.key);
            }
        }
        std::sort(expected.begin(), expected.end());
        const auto got = index_.within(centre, r, f, 100000);
        ASSERT_EQ(got.size(), expected.size()) << "round " << round;
        for (std::size_t i = 0; i < got.size(); ++i) {
            EXPECT_EQ(got[i].key, expected[i].second);
        }
        const std::size_t k = 1 + static_cast<std::size_t>(rng() % 40);
        std::vector<std::pair<double, std::string>> all;
        for (const auto& s : data_) {
            if (passes(s, f)) {
                all.emplace_back(haversine_m(centre, s.at), s.key);
            }
        }
        std::sort(all.begin(), all.end());
        const auto near = index_.nearest(centre, k, f);
        ASSERT_EQ(near.size(), std::min(k, all.size()));
        for (std::size_t i = 0; i < near.size(); ++i) {
            EXPECT_EQ(near[i].key, all[i].second) << "round " << round << " k=" << k;
        }
    }
}

/// Grid units of 1/512 degree (about 217 m): every coordinate below is exact in binary, so
/// points built on the grid lie EXACTLY on grid-aligned and diagonal edges and on vertices.
constexpr double kCell = 1.0 / 512.0;

LonLat grid(int i, int j) {
    return LonLat{117.375 + i * kCell, 0.09375 + j * kCell};
}

Ring grid_ring(std::initializer_list<std::pair<int, int>> cells) {
    Ring r;
    for (const auto& [i, j] : cells) {
        r.push_back(grid(i, j));
    }
    return r;
}

/// A star-shaped ring around grid cell (ci, cj): `n` vertices at increasing angles, radii (in
/// cells) drawn from [r0, r1], snapped to the grid.
Ring star(std::mt19937_64& rng, int ci, int cj, int n, double r0, double r1) {
    std::uniform_real_distribution<double> radius(r0, r1);
    Ring r;
    for (int v = 0; v < n; ++v) {
        const double angle = 2 * 3.14159265358979323846 * v / n;
        const double len = radius(rng);
        r.push_back(grid(ci + static_cast<int>(std::lround(len * std::cos(angle))),
                         cj + static_cast<int>(std::lround(len * std::sin(angle)))));
    }
    return r;
}

TEST(PointIndexPolygon, HolesBordersAndPartsFollowTheClosedRule) {
    // Outer square 0..8, a hole 2..4, and a second part: the triangle (10,0) (14,0) (10,4).
    //
    //   8 +-------+
    //     |       |
    //   4 | +-+   |    + (10,4)
    //     | |h|   |    |  .
    //   2 | +-+   |    |    .
    //   0 +-------+    +------+ (14,0)
    //     0 2 4   8   10
    const MultiPolygon shape{{Polygon{grid_ring({{0, 0}, {8, 0}, {8, 8}, {0, 8}}),
                                      {grid_ring({{2, 2}, {4, 2}, {4, 4}, {2, 4}})}},
                              Polygon{grid_ring({{10, 0}, {14, 0}, {10, 4}}), {}}}};

    struct Case {
        const char* what;
        LonLat at;
        bool inside;
    };

    const std::vector<Case> cases = {
        {"inside", grid(6, 6), true},
        {"outer vertex", grid(0, 0), true},
        {"outer vertex (far corner)", grid(8, 8), true},
        {"outer edge", grid(8, 5), true},
        {"outer edge, half a cell", LonLat{117.375, 0.09375 + 3.5 * kCell}, true},
        {"just outside the outer edge", LonLat{117.375 - kCell / 64, 0.09375 + 3 * kCell}, false},
        {"hole edge", grid(3, 2), true},
        {"hole vertex", grid(4, 4), true},
        {"inside the hole", LonLat{117.375 + 3 * kCell, 0.09375 + 3 * kCell + kCell / 4}, false},
        {"between the parts", grid(9, 1), false},
        {"second part's diagonal", grid(12, 2), true},
        {"second part, inside", grid(11, 1), true},
        {"beyond the diagonal", grid(13, 2), false},
    };
    PointIndex index;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        ASSERT_TRUE(index.upsert(key_of(static_cast<int>(i)), 1, cases[i].at, {}));
    }
    const auto got = index.in_polygon(shape, {}, 100);
    std::set<std::string> found;
    for (const auto& h : got) {
        found.insert(h.key);
    }
    EXPECT_EQ(found.size(), got.size()) << "each point once";
    for (std::size_t i = 0; i < cases.size(); ++i) {
        EXPECT_EQ(found.count(key_of(static_cast<int>(i))) == 1, cases[i].inside) << cases[i].what;
    }
    // A second part overlapping the first finds its points once.
    MultiPolygon twice = shape;
    twice.parts.push_back(shape.parts[0]);
    EXPECT_EQ(index.in_polygon(twice, {}, 100).size(), got.size());
    EXPECT_TRUE(index.in_polygon(MultiPolygon{}, {}, 100).empty());
}

TEST(PointIndexPolygon, RandomPolygonsWithHolesMatchABruteForceOracle) {
    const std::uint64_t seed = testing::test_seed(5);
    std::mt19937_64 rng(seed);
    // Every grid point of 60 × 60 cells (some twice, with other attributes) and random ones.
    std::vector<Sample> data;
    std::map<std::pair<double, double>, std::string> grid_keys;
    int n = 0;
    for (int i = 0; i <= 60; ++i) {
        for (int j = 0; j <= 60; ++j) {
            Sample s;
            s.key = key_of(n++);
            s.at = grid(i, j);
            grid_keys[{s.at.lon, s.at.lat}] = s.key;
            s.attrs.categories = static_cast<std::uint8_t>(1U << (rng() % 6));
            s.attrs.devices = static_cast<std::uint16_t>(rng() % 2 == 0 ? 0 : 1U << (rng() % 12));
            s.attrs.status = static_cast<std::uint8_t>(rng() % 4);
            s.attrs.area_code = rng() % 2 == 0 ? "64.74.01.1001" : "64.74.02.1003";
            data.push_back(s);
        }
    }
    std::uniform_real_distribution<double> u(0.0, 60.0);
    for (int i = 0; i < 3000; ++i) {
        Sample s;
        s.key = key_of(n++);
        s.at = LonLat{117.375 + u(rng) * kCell, 0.09375 + u(rng) * kCell};
        s.attrs.categories = static_cast<std::uint8_t>(1U << (rng() % 6));
        s.attrs.status = static_cast<std::uint8_t>(rng() % 4);
        s.attrs.area_code = "64.74.01.1001";
        data.push_back(s);
    }
    PointIndex index;
    for (const auto& s : data) {
        ASSERT_TRUE(index.upsert(s.key, 1, s.at, s.attrs));
    }
    std::size_t on_boundary = 0;
    for (int round = 0; round < 30; ++round) {
        MultiPolygon shape;
        const int parts = 1 + static_cast<int>(rng() % 3);
        for (int p = 0; p < parts; ++p) {
            const int ci = 10 + static_cast<int>(rng() % 40);
            const int cj = 10 + static_cast<int>(rng() % 40);
            Polygon polygon;
            polygon.outer = star(rng, ci, cj, 3 + static_cast<int>(rng() % 12), 4.0, 12.0);
            if (rng() % 2 == 0) {
                polygon.holes.push_back(star(rng, ci, cj, 3 + static_cast<int>(rng() % 6), 1, 3));
            }
            shape.parts.push_back(polygon);
        }
        for (const auto& f : filters()) {
            std::vector<std::string> expected;
            for (const auto& s : data) {
                if (contains(shape, s.at) && passes(s, f)) {
                    expected.push_back(s.key);
                }
            }
            std::sort(expected.begin(), expected.end());
            const auto got = index.in_polygon(shape, f, 1000000);
            ASSERT_EQ(got.size(), expected.size()) << "seed " << seed << " round " << round;
            for (std::size_t i = 0; i < got.size(); ++i) {
                EXPECT_EQ(got[i].key, expected[i]);
            }
            const auto cut = index.in_polygon(shape, f, 5);
            ASSERT_EQ(cut.size(), std::min<std::size_t>(5, expected.size()));
        }
        // Every vertex that is a grid point is found (the boundary is closed).
        const auto all = index.in_polygon(shape, {}, 1000000);
        std::set<std::string> found;
        for (const auto& h : all) {
            found.insert(h.key);
        }
        for (const auto& part : shape.parts) {
            for (const auto& v : part.outer) {
                if (const auto it = grid_keys.find({v.lon, v.lat}); it != grid_keys.end()) {
                    EXPECT_EQ(found.count(it->second), 1U) << "vertex " << v.lon << "," << v.lat;
                    ++on_boundary;
                }
            }
        }
    }
    EXPECT_GT(on_boundary, 30U) << "the boundary rule was exercised";
}

TEST(PointIndexPages, PagesInKeyOrderMatchABruteForceOracleForRandomBoxesAndOffsets) {
    const std::uint64_t seed = testing::test_seed(7);
    const auto data = samples(2000, seed);
    PointIndex index;
    for (const auto& s : data) {
        ASSERT_TRUE(index.upsert(s.key, 1, s.at, s.attrs));
    }
    std::mt19937_64 rng(seed + 1);
    std::uniform_real_distribution<double> lon(117.36, 117.58);
    std::uniform_real_distribution<double> lat(0.03, 0.24);
    for (int round = 0; round < 200; ++round) {
        const double a = lon(rng), b = lon(rng), c = lat(rng), d = lat(rng);
        const BBox box{std::min(a, b), std::min(c, d), std::max(a, b), std::max(c, d)};
        const auto f = filters()[rng() % filters().size()];
        std::vector<std::string> expected;
        for (const auto& s : data) {
            if (box.contains(s.at) && passes(s, f)) {
                expected.push_back(s.key);
            }
        }
        std::sort(expected.begin(), expected.end());
        const std::size_t offset = rng() % (expected.size() + 3);
        const std::size_t limit = rng() % 60;
        const auto page = index.in_box_page(box, f, offset, limit);
        EXPECT_EQ(page.matched, expected.size()) << "round " << round;
        const std::size_t want =
            offset >= expected.size() ? 0 : std::min(limit, expected.size() - offset);
        ASSERT_EQ(page.hits.size(), want) << "round " << round;
        for (std::size_t i = 0; i < want; ++i) {
            EXPECT_EQ(page.hits[i].key, expected[offset + i]) << "round " << round;
        }
    }
    EXPECT_EQ(index.in_box_page(BBox{}, {}, 0, 10).matched, 0U);
}

TEST(PointIndexAntimeridian, BoxesCirclesAndNearestWrapAround) {
    PointIndex index;
    const std::vector<LonLat> at = {
        {179.9990, 0.0}, {-179.9990, 0.0}, {180.0, 0.5}, {-180.0, -0.6}, {0.0, 0.0}, {170.5, 1}};
    for (std::size_t i = 0; i < at.size(); ++i) {
        ASSERT_TRUE(index.upsert(key_of(static_cast<int>(i)), 1, at[i], {}));
    }
    const auto keys = [](const std::vector<PointHit>& hits) {
        std::set<std::string> out;
        for (const auto& h : hits) {
            out.insert(h.key);
        }
        return out;
    };
    // 170..-170 is 20 degrees wide across the line, not 340 the other way.
    EXPECT_EQ(keys(index.in_box(BBox{170.0, -1.0, -170.0, 1.0}, {}, 100)),
              (std::set<std::string>{key_of(0), key_of(1), key_of(2), key_of(3), key_of(5)}));
    EXPECT_EQ(keys(index.in_box(BBox{179.0, -1.0, -179.9995, 1.0}, {}, 100)),
              (std::set<std::string>{key_of(0), key_of(2), key_of(3)}));
    EXPECT_TRUE(index.in_box(BBox{-1.0, 1.0, 1.0, -1.0}, {}, 100).empty()) << "lat inverted";
    EXPECT_EQ(keys(index.in_box(BBox{-180.0, -90.0, 180.0, 90.0}, {}, 100)).size(), at.size());
    // Paged the same way: both sides of the line, in key order.
    const auto page = index.in_box_page(BBox{170.0, -1.0, -170.0, 1.0}, {}, 1, 3);
    EXPECT_EQ(page.matched, 5U);
    ASSERT_EQ(page.hits.size(), 3U);
    EXPECT_EQ(page.hits[0].key, key_of(1));
    EXPECT_EQ(page.hits[1].key, key_of(2));
    EXPECT_EQ(page.hits[2].key, key_of(3));

    // 0.002 degrees at the equator is about 222 m: a circle of 300 m around 179.999 reaches
    // -179.999 across the line.
    const auto circle = index.within(LonLat{179.9990, 0.0}, 300, {}, 100);
    ASSERT_EQ(circle.size(), 2U);
    EXPECT_EQ(circle[0].key, key_of(0));
    EXPECT_EQ(circle[1].key, key_of(1));
    EXPECT_NEAR(circle[1].distance_m, 0.002 * kMetresPerDegree, 0.01);
    const auto from_west = index.within(LonLat{-179.9999, 0.0}, 300, {}, 100);
    EXPECT_EQ(keys(from_west), (std::set<std::string>{key_of(0), key_of(1)}));

    // From 179.9999: 179.9990 is 0.0009° away, -179.9990 0.0011° across the line; from
    // -179.9998 the nearest is -179.9990.
    const auto east = index.nearest(LonLat{179.9999, 0.0}, 2, {});
    ASSERT_EQ(east.size(), 2U);
    EXPECT_EQ(east[0].key, key_of(0));
    EXPECT_EQ(east[1].key, key_of(1));
    const auto west = index.nearest(LonLat{-179.9998, 0.0}, 1, {});
    ASSERT_EQ(west.size(), 1U);
    EXPECT_EQ(west[0].key, key_of(1));
    const auto across = index.nearest(LonLat{179.9995, 0.0}, 3, {});
    ASSERT_EQ(across.size(), 3U);
    EXPECT_EQ(keys(across), (std::set<std::string>{key_of(0), key_of(1), key_of(2)}))
        << "(180, 0.5) at 55 km beats (-180, -0.6), (170.5, 1) and (0, 0)";
}

TEST_F(PointIndexTest, UpsertMovesAPointOnlyForANewerVersion) {
    const Sample& s = data_[0];
    const LonLat far{110.0, -7.0};
    EXPECT_FALSE(index_.upsert(s.key, 1, far, s.attrs)) << "same version";
    EXPECT_EQ(index_.nearest(far, 1, {})[0].distance_m > 1000, true);
    EXPECT_TRUE(index_.upsert(s.key, 2, far, s.attrs));
    EXPECT_EQ(index_.version_of(s.key), 2);
    const auto near_far = index_.nearest(far, 1, {});
    ASSERT_EQ(near_far.size(), 1U);
    EXPECT_EQ(near_far[0].key, s.key);
    EXPECT_LT(near_far[0].distance_m, 1e-6);
    EXPECT_TRUE(index_.within(s.at, 0.5, {}, 10).empty()) << "the old position is gone";
    EXPECT_EQ(index_.size(), data_.size());
    EXPECT_EQ(index_.located(), data_.size());

    // Without a position: still known (its version), found by no query.
    EXPECT_TRUE(index_.upsert(s.key, 3, std::nullopt, s.attrs));
    EXPECT_EQ(index_.located(), data_.size() - 1);
    EXPECT_TRUE(index_.within(far, 10, {}, 10).empty());
    EXPECT_EQ(index_.version_of(s.key), 3);
    EXPECT_FALSE(index_.upsert(s.key, 2, far, s.attrs)) << "an older version arriving late";
    EXPECT_EQ(index_.located(), data_.size() - 1);
}

TEST_F(PointIndexTest, ReplaceTakesTheSameVersionButNeverAnOlderOne) {
    Sample s = data_[2];
    PointFilter wheelchair;
    wheelchair.any_device = 0b1;
    s.attrs.devices = 0;
    ASSERT_TRUE(index_.upsert(s.key, 5, s.at, s.attrs));
    EXPECT_TRUE(index_.within(s.at, 0.5, wheelchair, 10).empty());
    s.attrs.devices = 0b1;
    EXPECT_FALSE(index_.upsert(s.key, 5, s.at, s.attrs)) << "upsert: same version refused";
    EXPECT_TRUE(index_.replace(s.key, 5, s.at, s.attrs)) << "replace: same version taken";
    ASSERT_EQ(index_.within(s.at, 0.5, wheelchair, 10).size(), 1U);
    EXPECT_FALSE(index_.replace(s.key, 4, std::nullopt, s.attrs)) << "older: refused";
    EXPECT_EQ(index_.located(), data_.size());
}

TEST_F(PointIndexTest, AttributeChangesTakeEffect) {
    Sample s = data_[1];
    PointFilter mental;
    mental.any_category = 0b100;
    s.attrs.categories = 0b100;
    s.attrs.area_code = "64.74.09.9999";
    ASSERT_TRUE(index_.upsert(s.key, 2, s.at, s.attrs));
    PointFilter only_new_area;
    only_new_area.area_prefixes = {"64.74.09"};
    const auto got = index_.within(s.at, 1, only_new_area, 10);
    ASSERT_EQ(got.size(), 1U);
    EXPECT_EQ(got[0].key, s.key);
    PointFilter prefix_is_not_a_string_prefix;
    prefix_is_not_a_string_prefix.area_prefixes = {"64.74.0"};
    EXPECT_TRUE(index_.within(s.at, 1, prefix_is_not_a_string_prefix, 10).empty());
    EXPECT_GT(index_.memory_bytes(), data_.size() * 40);
}

TEST(PointIndex, AnEmptyIndexAnswersNothing) {
    PointIndex index;
    EXPECT_TRUE(index.nearest({117.5, 0.1}, 3, {}).empty());
    EXPECT_TRUE(index.within({117.5, 0.1}, 1000, {}, 3).empty());
    EXPECT_EQ(index.size(), 0U);
    EXPECT_EQ(index.version_of(key_of(1)), 0);
}

} // namespace
} // namespace kapal::geo
