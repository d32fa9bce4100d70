#include "kapal/geo/geometry.hpp"

#include "kapal/geo/ascii_map_fixture.hpp"
#include "kapal/geo/test_seed.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace kapal::geo {
namespace {

using testing::AsciiMap;

// 10 m per character / line.
constexpr std::string_view kSquareWithHole = R"(
a-----------b
|           |
|  e-----f  |
|  | H   |  |
|  |     |  |
|  h-----g  |
| P         |
d-----------c   O
)";

Polygon square_with_hole(const AsciiMap& m) {
    return Polygon{m.ring("abcd"), {m.ring("efgh")}};
}

TEST(Geometry, ParseLonLatReadsPositionsInRangeOnly) {
    EXPECT_EQ(parse_lon_lat("117.5,0.13"), (LonLat{117.5, 0.13}));
    EXPECT_EQ(parse_lon_lat("-180,-90"), (LonLat{-180, -90}));
    EXPECT_EQ(parse_lon_lat("180,90"), (LonLat{180, 90}));
    for (const char* bad : {"",
                            "117.5",
                            "117.5,",
                            ",0.1",
                            "117.5;0.1",
                            "117.5, 0.1",
                            "180.01,0",
                            "0,-90.5",
                            "nan,0",
                            "inf,0",
                            "1,2,3",
                            "0x10,0"}) {
        EXPECT_FALSE(parse_lon_lat(bad)) << bad;
    }
}

TEST(Geometry, PointInsideOuterRingAndOutsideHoleIsInside) {
    const AsciiMap m(kSquareWithHole, 10);
    EXPECT_TRUE(contains(square_with_hole(m), m.at('P')));
}

TEST(Geometry, PointInHoleIsOutside) {
    const AsciiMap m(kSquareWithHole, 10);
    EXPECT_FALSE(contains(square_with_hole(m), m.at('H')));
}

TEST(Geometry, PointBeyondOuterRingIsOutside) {
    const AsciiMap m(kSquareWithHole, 10);
    EXPECT_FALSE(contains(square_with_hole(m), m.at('O')));
}

TEST(Geometry, VerticesAndEdgesOfOuterRingAndHoleAreInside) {
    // An axis-aligned square in exact binary fractions, so "on the edge" is exact.
    const Polygon sq{{{0, 0}, {1, 0}, {1, 1}, {0, 1}},
                     {{{0.25, 0.25}, {0.75, 0.25}, {0.75, 0.75}, {0.25, 0.75}}}};
    for (const LonLat p : {LonLat{0, 0},
                           LonLat{1, 1},
                           LonLat{0.5, 0},
                           LonLat{1, 0.5},
                           LonLat{0, 0.125},
                           LonLat{0.25, 0.25},
                           LonLat{0.5, 0.75},
                           LonLat{0.75, 0.5}}) {
        EXPECT_TRUE(contains(sq, p)) << p.lon << "," << p.lat;
    }
    EXPECT_FALSE(contains(sq, LonLat{0.5, 0.5}));
    EXPECT_FALSE(contains(sq, LonLat{1.0000001, 0.5}));
    EXPECT_FALSE(contains(sq, LonLat{-0.5, 0})); // ray along the bottom edge, left of it
    EXPECT_FALSE(contains(sq, LonLat{1.5, 1}));  // ray through the top-right vertex
}

TEST(Geometry, RayThroughVertexIsCountedOnce) {
    // A diamond: a ray from the left through the left and right vertices must not double count.
    const Polygon diamond{{{0, 1}, {1, 0}, {2, 1}, {1, 2}}, {}};
    EXPECT_TRUE(contains(diamond, LonLat{1, 1}));
    EXPECT_FALSE(contains(diamond, LonLat{-1, 1}));
    EXPECT_FALSE(contains(diamond, LonLat{3, 1}));
}

TEST(Geometry, MultiPolygonContainsPointOfAnyPart) {
    const MultiPolygon mp{{Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}, {}},
                           Polygon{{{5, 5}, {6, 5}, {6, 6}, {5, 6}}, {}}}};
    EXPECT_TRUE(contains(mp, LonLat{5.5, 5.5}));
    EXPECT_TRUE(contains(mp, LonLat{0.5, 0.5}));
    EXPECT_FALSE(contains(mp, LonLat{3, 3}));
}

TEST(Geometry, HaversineMatchesKnownDistances) {
    // One degree of latitude on the mean sphere.
    EXPECT_NEAR(haversine_m({117.5, 0}, {117.5, 1}), kMetresPerDegree, 1e-6);
    // A quarter of the equator.
    EXPECT_NEAR(haversine_m({0, 0}, {90, 0}), kEarthRadiusM * 3.14159265358979323846 / 2, 1e-3);
    EXPECT_DOUBLE_EQ(haversine_m({117.47, 0.13}, {117.47, 0.13}), 0.0);
    // Bontang Baru to Bontang Lestari labels: Pythagoras on degrees near the equator gives 11.41
    // km.
    EXPECT_NEAR(haversine_m({117.491363, 0.146}, {117.432527, 0.061934}), 11410, 50);
}

TEST(Geometry, DistanceToBoundaryMatchesGridUnits) {
    const AsciiMap m(kSquareWithHole, 10);
    const MultiPolygon shape{{square_with_hole(m)}};
    // P is one line above the bottom edge d-c and two characters right of the left edge.
    EXPECT_NEAR(distance_to_boundary_m(shape, m.at('P')), 10.0, 1e-6);
    // H is one line below the hole's top edge e-f.
    EXPECT_NEAR(distance_to_boundary_m(shape, m.at('H')), 10.0, 1e-6);
    // O is four characters right of c, on the bottom line: the nearest point is c.
    EXPECT_NEAR(
        distance_to_boundary_m(shape, m.at('O')), 40.0, 1e-4); // projection scale: 3e-8 relative
    EXPECT_DOUBLE_EQ(distance_m(shape, m.at('P')), 0.0);
    EXPECT_NEAR(distance_m(shape, m.at('O')), 40.0, 1e-4); // projection scale: 3e-8 relative
}

TEST(Geometry, DistanceToBoundaryAgreesWithHaversineAtCityScale) {
    // A vertex 3 km away diagonally: the local projection must agree within 0.01 %.
    const LonLat p{117.47, 0.13};
    const LonLat q{117.49, 0.145};
    const Polygon tiny{{q, {q.lon + 1e-9, q.lat}, {q.lon, q.lat + 1e-9}}, {}};
    const double projected = distance_to_boundary_m(tiny, p);
    const double great_circle = haversine_m(p, q);
    EXPECT_NEAR(projected / great_circle, 1.0, 1e-4);
}

TEST(Geometry, EmptyShapeIsInfinitelyFar) {
    EXPECT_EQ(distance_to_boundary_m(MultiPolygon{}, LonLat{1, 1}),
              std::numeric_limits<double>::infinity());
    EXPECT_FALSE(contains(MultiPolygon{}, LonLat{1, 1}));
}

TEST(Geometry, QueryBoxesSplitAtTheAntimeridian) {
    const auto across = split_at_antimeridian(BBox{170, -1, -170, 1});
    ASSERT_EQ(across.size(), 2U);
    EXPECT_EQ(across[0], (BBox{170, -1, 180, 1}));
    EXPECT_EQ(across[1], (BBox{-180, -1, -170, 1}));
    EXPECT_EQ(split_at_antimeridian(BBox{117, 0, 118, 1}),
              (std::vector<BBox>{BBox{117, 0, 118, 1}}));
    EXPECT_EQ(split_at_antimeridian(BBox{179, 0, 181, 1}),
              (std::vector<BBox>{BBox{179, 0, 180, 1}, BBox{-180, 0, -179, 1}}))
        << "a circle's box past the line wraps";
    EXPECT_EQ(split_at_antimeridian(BBox{-200, 0, 200, 1}),
              (std::vector<BBox>{BBox{-180, 0, 180, 1}}));
    EXPECT_TRUE(split_at_antimeridian(BBox{0, 1, 1, 0}).empty()) << "latitudes inverted";

    EXPECT_TRUE(wrapped_contains(BBox{170, -1, -170, 1}, LonLat{-175, 0}));
    EXPECT_TRUE(wrapped_contains(BBox{170, -1, -170, 1}, LonLat{180, 0}));
    EXPECT_FALSE(wrapped_contains(BBox{170, -1, -170, 1}, LonLat{0, 0}));
    EXPECT_TRUE(wrapped_intersects(BBox{170, -1, -170, 1}, BBox{-171, 0, -160, 2}));
    EXPECT_FALSE(wrapped_intersects(BBox{170, -1, -170, 1}, BBox{117, 0, 118, 1}));
}

TEST(Geometry, BBoxOfPolygonAndExpansionInMetres) {
    const Polygon sq{{{117.4, 0.1}, {117.5, 0.1}, {117.5, 0.2}, {117.4, 0.2}}, {}};
    const BBox box = bbox_of(sq);
    EXPECT_EQ(box, (BBox{117.4, 0.1, 117.5, 0.2}));
    EXPECT_TRUE(box.contains({117.45, 0.15}));
    EXPECT_TRUE(box.contains({117.4, 0.2}));
    EXPECT_FALSE(box.contains({117.39, 0.15}));
    const BBox grown = box.expanded_m(kMetresPerDegree * 0.01);
    EXPECT_NEAR(grown.min_lat, 0.09, 1e-9);
    EXPECT_LT(grown.min_lon, 117.39);
    EXPECT_TRUE(BBox{}.empty());
    EXPECT_FALSE(BBox{}.intersects(box));
}

} // namespace
} // namespace kapal::geo

namespace kapal::geo {
namespace {

TEST(PreparedPolygon, AnswersExactlyAsContainsOnRandomPolygonsAndGridPoints) {
    std::mt19937_64 rng(testing::test_seed(17));
    // Coordinates on a grid of 1/64 degree (exact in binary), so many points lie exactly on
    // edges and vertices; shapes from triangles to zigzags of 400 corners, with holes.
    const auto grid = [](int i, int j) {
        return LonLat{117.0 + i / 64.0, j / 64.0};
    };
    std::uniform_int_distribution<int> coord(0, 40);
    long disagreements = 0;
    long inside = 0;
    for (int round = 0; round < 300; ++round) {
        Polygon polygon;
        const int corners = 3 + static_cast<int>(rng() % (round % 10 == 0 ? 400 : 12));
        for (int v = 0; v < corners; ++v) {
            polygon.outer.push_back(grid(coord(rng), coord(rng)));
        }
        if (rng() % 2 == 0) {
            polygon.holes.emplace_back();
            for (int v = 0; v < 3 + static_cast<int>(rng() % 5); ++v) {
                polygon.holes.back().push_back(grid(coord(rng), coord(rng)));
            }
        }
        if (round % 50 == 0) {
            polygon.outer.resize(2); // degenerate: nothing is inside
        }
        const PreparedPolygon prepared(polygon);
        for (int i = -1; i <= 41; i += 2) {
            for (int j = -1; j <= 41; j += 3) {
                const LonLat p = grid(i, j);
                const bool expected = contains(polygon, p);
                disagreements += prepared.contains(p) == expected ? 0 : 1;
                inside += expected ? 1 : 0;
            }
        }
        std::uniform_real_distribution<double> u(-0.05, 0.7);
        for (int k = 0; k < 50; ++k) {
            const LonLat p{117.0 + u(rng), u(rng)};
            disagreements += prepared.contains(p) == contains(polygon, p) ? 0 : 1;
        }
    }
    EXPECT_EQ(disagreements, 0);
    EXPECT_GT(inside, 1000);
}

} // namespace
} // namespace kapal::geo
