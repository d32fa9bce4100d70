#include "kapal/geo/area_index.hpp"

#include "kapal/geo/ascii_map_fixture.hpp"
#include "kapal/geo/test_seed.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <map>
#include <random>
#include <string>

namespace kapal::geo {
namespace {

using testing::AsciiMap;

std::string source_dir() {
    const char* dir = std::getenv("KAPAL_SOURCE_DIR");
    return dir != nullptr ? dir : ".";
}

std::uint64_t test_seed() {
    return testing::test_seed(20240917);
}

double uniform(std::mt19937_64& rng, double lo, double hi) {
    return lo + static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0) * (hi - lo);
}

AreaIndex make_index(std::vector<AreaFeature> features) {
    auto index = AreaIndex::create(std::move(features));
    EXPECT_TRUE(index.has_value()) << index.error().message;
    return std::move(index).value();
}

AreaIndex bontang() {
    auto features = read_area_features(source_dir() + "/data/bontang_kelurahan.geojson");
    EXPECT_TRUE(features.has_value()) << features.error().message;
    return make_index(std::move(features).value());
}

// The specification of locate(), written as plainly as possible over every feature: the oracle.
std::optional<Located>
brute_force(const std::vector<AreaFeature>& features, LonLat p, double tolerance_m) {
    std::vector<std::size_t> inside;
    for (std::size_t i = 0; i < features.size(); ++i) {
        if (contains(features[i].shape, p)) {
            inside.push_back(i);
        }
    }
    if (inside.size() == 1) {
        return Located{features[inside[0]].code,
                       LocateKind::Inside,
                       distance_to_boundary_m(features[inside[0]].shape, p),
                       {}};
    }
    if (inside.size() > 1) {
        std::vector<std::pair<double, std::size_t>> ranked; // (-distance, index): best first
        for (const std::size_t i : inside) {
            ranked.emplace_back(-distance_to_boundary_m(features[i].shape, p), i);
        }
        std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
            return a.first < b.first;
        });
        return Located{features[ranked[0].second].code,
                       LocateKind::Ambiguous,
                       -ranked[0].first,
                       features[ranked[1].second].code};
    }
    std::optional<std::size_t> best;
    double best_d = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < features.size(); ++i) {
        const double d = distance_to_boundary_m(features[i].shape, p);
        if (d < best_d) {
            best = i;
            best_d = d;
        }
    }
    if (!best || best_d > tolerance_m) {
        return std::nullopt;
    }
    return Located{features[*best].code, LocateKind::Nearest, best_d, {}};
}

void expect_same(const std::optional<Located>& got, const std::optional<Located>& want, LonLat p) {
    ASSERT_EQ(got.has_value(), want.has_value()) << "at " << p.lon << "," << p.lat;
    if (!got) {
        return;
    }
    EXPECT_EQ(got->code, want->code) << "at " << p.lon << "," << p.lat;
    EXPECT_EQ(got->kind, want->kind) << "at " << p.lon << "," << p.lat;
    EXPECT_NEAR(got->distance_m, want->distance_m, 1e-9) << "at " << p.lon << "," << p.lat;
    EXPECT_EQ(got->other_code, want->other_code) << "at " << p.lon << "," << p.lat;
}

// ---- small synthetic cases (10 m per character / line) ------------------------------------

// Two kelurahan with a sliver gap between them, and the sea to the east.
constexpr std::string_view kGap = R"(
a-----b  c-----d
|  P  |G |  Q  |  S
e-----f  g-----h
)";

// Two kelurahan overlapping in the middle (X = abhg, Y = cdfe).
constexpr std::string_view kOverlap = R"(
a-----------b
|     c-----+-----d
|  P  |  O  |  Q  |
|     e-----+-----f
g-----------h
)";

// Two kelurahan sharing the edge b-e exactly; m lies on it.
constexpr std::string_view kShared = R"(
a---b---c
| P m Q |
d---e---f
)";

TEST(AreaIndex, PointInsideOneAreaIsInsideWithDepth) {
    const AsciiMap m(kGap, 10);
    const AreaIndex index = make_index({m.area("X", "abfe"), m.area("Y", "cdhg")});
    const auto got = index.locate(m.at('P'));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->code, "X");
    EXPECT_EQ(got->kind, LocateKind::Inside);
    EXPECT_NEAR(got->distance_m, 10.0, 1e-6); // one line from the top and bottom edges
    EXPECT_EQ(got->other_code, "");
    EXPECT_EQ(index.locate(m.at('Q'))->code, "Y");
}

TEST(AreaIndex, PointInSliverGapGoesToNearestArea) {
    const AsciiMap m(kGap, 10);
    const AreaIndex index = make_index({m.area("X", "abfe"), m.area("Y", "cdhg")});
    const auto got = index.locate(m.at('G'));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->code, "X"); // 10 m from X's edge b-f, 20 m from Y's edge c-g
    EXPECT_EQ(got->kind, LocateKind::Nearest);
    EXPECT_NEAR(got->distance_m, 10.0, 1e-6);
}

TEST(AreaIndex, PointJustOffTheCoastIsNearestWithinToleranceOnly) {
    const AsciiMap m(kGap, 10);
    const AreaIndex index = make_index({m.area("X", "abfe"), m.area("Y", "cdhg")});
    const auto near = index.locate(m.at('S')); // 30 m east of Y's edge d-h
    ASSERT_TRUE(near.has_value());
    EXPECT_EQ(near->code, "Y");
    EXPECT_EQ(near->kind, LocateKind::Nearest);
    EXPECT_NEAR(near->distance_m, 30.0, 1e-6);
    EXPECT_FALSE(index.locate(m.at('S'), 25.0).has_value());
    EXPECT_TRUE(index.locate(m.at('S'), 30.001).has_value());
}

TEST(AreaIndex, PointFarOutsideIsNullopt) {
    const AsciiMap m(kGap, 10);
    const AreaIndex index = make_index({m.area("X", "abfe"), m.area("Y", "cdhg")});
    const LonLat s = m.at('S');
    EXPECT_FALSE(index.locate({s.lon + 0.01, s.lat}).has_value()); // ~1.1 km east
    EXPECT_FALSE(index.locate({-60.0, 10.0}).has_value());
}

TEST(AreaIndex, PointInOverlapIsAmbiguousAndGoesToTheDeeperArea) {
    const AsciiMap m(kOverlap, 10);
    const AreaIndex index = make_index({m.area("Y", "cdfe"), m.area("X", "abhg")});
    const auto got = index.locate(m.at('O'));
    ASSERT_TRUE(got.has_value());
    // O is 20 m from X's boundary (top and bottom) but only 10 m from Y's: X is likelier.
    EXPECT_EQ(got->code, "X");
    EXPECT_EQ(got->kind, LocateKind::Ambiguous);
    EXPECT_NEAR(got->distance_m, 20.0, 1e-6);
    EXPECT_EQ(got->other_code, "Y");
    EXPECT_EQ(index.locate(m.at('P'))->kind, LocateKind::Inside);
    EXPECT_EQ(index.locate(m.at('Q'))->code, "Y");
}

TEST(AreaIndex, PointOnSharedEdgeIsAmbiguousAndGoesToTheEarlierFeature) {
    const AsciiMap m(kShared, 10);
    const AreaIndex index = make_index({m.area("L", "abed"), m.area("R", "bcfe")});
    const auto got = index.locate(m.at('m'));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->kind, LocateKind::Ambiguous);
    EXPECT_EQ(got->code, "L");
    EXPECT_EQ(got->other_code, "R");
    EXPECT_DOUBLE_EQ(got->distance_m, 0.0);
}

TEST(AreaIndex, PointInHoleIsNotInsideTheArea) {
    constexpr std::string_view kDonut = R"(
a-------b
| e---f |
| | H | |
| h---g |
d-------c
)";
    const AsciiMap m(kDonut, 10);
    const AreaIndex index = make_index({m.area("D", "abcd", {"efgh"})});
    const auto got = index.locate(m.at('H'));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->kind, LocateKind::Nearest);
    EXPECT_NEAR(got->distance_m, 10.0, 1e-6);
}

TEST(AreaIndex, CreateRejectsEmptyDuplicateAndShapelessInput) {
    const AsciiMap m(kGap, 10);
    EXPECT_FALSE(AreaIndex::create({}).has_value());
    const auto dup = AreaIndex::create({m.area("X", "abfe"), m.area("X", "cdhg")});
    ASSERT_FALSE(dup.has_value());
    EXPECT_EQ(dup.error().code, ErrorCode::ValidationFailed);
    EXPECT_NE(dup.error().message.find("duplicate code X"), std::string::npos);
    AreaFeature shapeless;
    shapeless.code = "Z";
    EXPECT_FALSE(AreaIndex::create({shapeless}).has_value());
}

TEST(AreaIndex, FindReturnsFeatureOrNull) {
    const AsciiMap m(kGap, 10);
    const AreaIndex index = make_index({m.area("X", "abfe"), m.area("Y", "cdhg")});
    ASSERT_NE(index.find("Y"), nullptr);
    EXPECT_EQ(index.find("Y")->code, "Y");
    EXPECT_EQ(index.find("nope"), nullptr);
    EXPECT_EQ(index.features().size(), 2u);
}

// ---- oracles -------------------------------------------------------------------------------

// Random star-shaped polygons (some with a hole, some with two parts) scattered so that many
// overlap and leave gaps; random points located by the index equal brute force.
TEST(AreaIndexOracle, RandomPolygonsMatchBruteForce) {
    std::mt19937_64 rng(test_seed());
    std::vector<AreaFeature> features;
    const LonLat origin{117.40, 0.05};
    const double extent = 0.10; // degrees, ~11 km
    for (int i = 0; i < 60; ++i) {
        AreaFeature f;
        f.code = "R" + std::to_string(i);
        const int parts = uniform(rng, 0, 1) < 0.2 ? 2 : 1;
        for (int part = 0; part < parts; ++part) {
            const LonLat c{origin.lon + uniform(rng, 0, extent),
                           origin.lat + uniform(rng, 0, extent)};
            const double r = uniform(rng, 0.003, 0.012);
            const int n = 3 + static_cast<int>(uniform(rng, 0, 12));
            Polygon poly;
            for (int k = 0; k < n; ++k) {
                const double angle = 2 * 3.14159265358979323846 * (k + uniform(rng, 0.1, 0.9)) / n;
                const double rk = r * uniform(rng, 0.5, 1.0);
                poly.outer.push_back({c.lon + rk * std::cos(angle), c.lat + rk * std::sin(angle)});
            }
            if (uniform(rng, 0, 1) < 0.3) { // a small square hole around the centre
                const double h = r * 0.2;
                poly.holes.push_back({{c.lon - h, c.lat - h},
                                      {c.lon + h, c.lat - h},
                                      {c.lon + h, c.lat + h},
                                      {c.lon - h, c.lat + h}});
            }
            f.shape.parts.push_back(std::move(poly));
        }
        features.push_back(std::move(f));
    }
    const AreaIndex index = make_index(features);
    std::map<int, int> kinds; // -1 = nullopt
    for (int i = 0; i < 5000; ++i) {
        const LonLat p{origin.lon + uniform(rng, -0.02, extent + 0.02),
                       origin.lat + uniform(rng, -0.02, extent + 0.02)};
        const double tolerance = uniform(rng, 0, 1) < 0.5 ? 250.0 : uniform(rng, 0, 1500);
        const auto got = index.locate(p, tolerance);
        expect_same(got, brute_force(features, p, tolerance), p);
        ++kinds[got ? static_cast<int>(got->kind) : -1];
        if (::testing::Test::HasFailure()) {
            return;
        }
    }
    // The data must exercise every branch, or the comparison proves little.
    EXPECT_GT(kinds[-1], 0);
    EXPECT_GT(kinds[static_cast<int>(LocateKind::Inside)], 0);
    EXPECT_GT(kinds[static_cast<int>(LocateKind::Nearest)], 0);
    EXPECT_GT(kinds[static_cast<int>(LocateKind::Ambiguous)], 0);
}

// Spots in the published kelurahan polygons (found by scanning a 20 m grid with this index):
// an overlap of Gunung Telihan and Kanaan, and a sliver gap between Lok Tuan and Belimbing.
constexpr LonLat kTelihanKanaanOverlap{117.447533, 0.136047};
constexpr LonLat kLokTuanBelimbingGap{117.467533, 0.169447};
constexpr std::array kBontangSpots = {kTelihanKanaanOverlap,
                                      kLokTuanBelimbingGap,
                                      LonLat{117.477333, 0.121847},
                                      LonLat{117.481333, 0.128847},
                                      LonLat{117.486933, 0.115247},
                                      LonLat{117.496733, 0.133047}};

// Random points over Bontang, plus points jittered around the vertices (where the gaps and
// overlaps are), located by the index equal brute force over the 15 kelurahan.
TEST(AreaIndexOracle, BontangKelurahanMatchBruteForce) {
    std::mt19937_64 rng(test_seed());
    const AreaIndex index = bontang();
    const auto& features = index.features();
    const BBox box = index.bounds().expanded_m(1000);
    std::vector<LonLat> vertices;
    for (const auto& f : features) {
        for (const auto& part : f.shape.parts) {
            vertices.insert(vertices.end(), part.outer.begin(), part.outer.end());
        }
    }
    std::map<int, int> kinds;
    for (int i = 0; i < 6000 + static_cast<int>(kBontangSpots.size()); ++i) {
        LonLat p;
        if (i >= 6000) { // the known gap and overlap spots, which random points rarely hit
            p = kBontangSpots[static_cast<std::size_t>(i - 6000)];
        } else if (i % 2 == 0) {
            p = {uniform(rng, box.min_lon, box.max_lon), uniform(rng, box.min_lat, box.max_lat)};
        } else {
            const LonLat v = vertices[static_cast<std::size_t>(
                uniform(rng, 0, static_cast<double>(vertices.size())))];
            p = {v.lon + uniform(rng, -0.0005, 0.0005), v.lat + uniform(rng, -0.0005, 0.0005)};
        }
        const auto got = index.locate(p);
        expect_same(got, brute_force(features, p, kDefaultLocateToleranceM), p);
        ++kinds[got ? static_cast<int>(got->kind) : -1];
        if (::testing::Test::HasFailure()) {
            return;
        }
    }
    EXPECT_GT(kinds[-1], 0);
    EXPECT_GT(kinds[static_cast<int>(LocateKind::Inside)], 0);
    EXPECT_GT(kinds[static_cast<int>(LocateKind::Nearest)], 0);
    EXPECT_GT(kinds[static_cast<int>(LocateKind::Ambiguous)], 0);
}

// ---- the real Bontang data -----------------------------------------------------------------

TEST(AreaIndexBontang, EveryLabelPointLocatesToItsOwnKelurahan) {
    const AreaIndex index = bontang();
    ASSERT_EQ(index.features().size(), 15u);
    for (const AreaFeature& f : index.features()) {
        ASSERT_TRUE(f.label.has_value()) << f.code;
        const auto got = index.locate(*f.label);
        ASSERT_TRUE(got.has_value()) << f.code;
        EXPECT_EQ(got->code, f.code) << f.name;
        EXPECT_NE(got->kind, LocateKind::Nearest) << f.name;
    }
}

TEST(AreaIndexBontang, PointInOverlapOfTwoKelurahanIsAmbiguous) {
    const AreaIndex index = bontang();
    const auto got = index.locate(kTelihanKanaanOverlap);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->kind, LocateKind::Ambiguous);
    EXPECT_EQ(got->code, "64.74.03.1002");       // Gunung Telihan: its boundary is farther
    EXPECT_EQ(got->other_code, "64.74.03.1003"); // Kanaan
    EXPECT_GT(got->distance_m, 5.0);
    EXPECT_LT(got->distance_m, 20.0);
}

TEST(AreaIndexBontang, PointInSliverGapIsNearestKelurahan) {
    const AreaIndex index = bontang();
    const auto got = index.locate(kLokTuanBelimbingGap);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->kind, LocateKind::Nearest);
    EXPECT_EQ(got->code, "64.74.01.1003"); // Lok Tuan
    EXPECT_GT(got->distance_m, 1.0);
    EXPECT_LT(got->distance_m, 20.0);
    for (const AreaFeature& f : index.features()) {
        EXPECT_FALSE(contains(f.shape, kLokTuanBelimbingGap)) << f.code;
    }
}

TEST(AreaIndexBontang, PointInTheSeaFarAwayIsNullopt) {
    const AreaIndex index = bontang();
    EXPECT_FALSE(index.locate({117.70, 0.10}).has_value()); // Makassar Strait, ~20 km offshore
    EXPECT_FALSE(index.locate({117.0, -0.5}).has_value());  // Kutai Kartanegara, inland
}

TEST(AreaIndexBontang, RandomPointInLiesInsideItsKelurahan) {
    std::mt19937_64 rng(test_seed());
    const AreaIndex index = bontang();
    for (const AreaFeature& f : index.features()) {
        for (int i = 0; i < 50; ++i) {
            const LonLat p = index.random_point_in(f.code, rng);
            EXPECT_TRUE(contains(f.shape, p)) << f.code;
            EXPECT_TRUE(bbox_of(f.shape).contains(p)) << f.code;
        }
    }
}

TEST(AreaIndexBontang, RandomPointInIsDeterministicForASeed) {
    const AreaIndex index = bontang();
    std::mt19937_64 a(7);
    std::mt19937_64 b(7);
    std::mt19937_64 c(8);
    const LonLat pa = index.random_point_in("64.74.02.1005", a);
    EXPECT_EQ(pa, index.random_point_in("64.74.02.1005", b));
    EXPECT_NE(pa, index.random_point_in("64.74.02.1005", c));
}

} // namespace
} // namespace kapal::geo
