#include "kapal/io/geojson_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace kapal::io {
namespace {

using nlohmann::json;

FeatureSchema schema() {
    return {GeometryKind::Point,
            {{"name", FieldType::String},
             {"count", FieldType::Integer},
             {"share", FieldType::Real},
             {"flag", FieldType::Boolean}}};
}

TEST(GeoJsonWriter, WritesAFeatureCollectionThatParsesBackExactly) {
    std::ostringstream out;
    GeoJsonWriter w(out, schema(), "persons");
    w.write({"a",
             geo::LonLat{117.4987654321, 0.1342},
             {std::string("Siti \"S\"\n"), std::int64_t{42}, 0.1 + 0.2, true}});
    w.write({"b", std::monostate{}, {std::monostate{}, std::monostate{}, 1e-9, false}});
    ASSERT_TRUE(w.finish());
    const auto j = json::parse(out.str());
    EXPECT_EQ(j["type"], "FeatureCollection");
    EXPECT_EQ(j["name"], "persons");
    ASSERT_EQ(j["features"].size(), 2U);
    const auto& a = j["features"][0];
    EXPECT_EQ(a["id"], "a");
    EXPECT_EQ(a["geometry"]["type"], "Point");
    EXPECT_EQ(a["geometry"]["coordinates"][0].get<double>(), 117.4987654321);
    EXPECT_EQ(a["geometry"]["coordinates"][1].get<double>(), 0.1342);
    EXPECT_EQ(a["properties"]["name"], "Siti \"S\"\n");
    EXPECT_EQ(a["properties"]["count"], 42);
    EXPECT_EQ(a["properties"]["share"].get<double>(), 0.1 + 0.2);
    EXPECT_EQ(a["properties"]["flag"], true);
    const auto& b = j["features"][1];
    EXPECT_TRUE(b["geometry"].is_null());
    EXPECT_TRUE(b["properties"]["name"].is_null());
    EXPECT_EQ(b["properties"]["flag"], false);
}

TEST(GeoJsonWriter, EmptyCollectionIsValid) {
    std::ostringstream out;
    GeoJsonWriter w(out, schema());
    ASSERT_TRUE(w.finish());
    const auto j = json::parse(out.str());
    EXPECT_TRUE(j["features"].empty());
    EXPECT_FALSE(j.contains("name"));
}

TEST(GeoJsonWriter, PolygonRingsAreClosedOuterCounterClockwiseHolesClockwise) {
    // A clockwise outer square with a counter-clockwise hole: both must be turned around.
    geo::Polygon poly;
    poly.outer = {{0, 0}, {0, 1}, {1, 1}, {1, 0}};
    poly.holes = {{{0.2, 0.2}, {0.8, 0.2}, {0.8, 0.8}, {0.2, 0.8}}};
    std::string out;
    append_geojson_feature(
        out, FeatureSchema{GeometryKind::MultiPolygon, {}}, {"x", geo::MultiPolygon{{poly}}, {}});
    const auto j = json::parse(out);
    const auto& rings = j["geometry"]["coordinates"][0];
    ASSERT_EQ(rings.size(), 2U);
    auto area2 = [](const json& ring) {
        double s = 0;
        for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
            s += ring[i][0].get<double>() * ring[i + 1][1].get<double>() -
                 ring[i + 1][0].get<double>() * ring[i][1].get<double>();
        }
        return s;
    };
    for (const auto& ring : rings) {
        ASSERT_EQ(ring.size(), 5U);
        EXPECT_EQ(ring.front(), ring.back());
    }
    EXPECT_GT(area2(rings[0]), 0) << "outer ring counter-clockwise";
    EXPECT_LT(area2(rings[1]), 0) << "hole clockwise";
    EXPECT_EQ(rings[0][0], json::array({0, 0}));
}

TEST(GeoJsonWriter, ControlCharactersAreEscaped) {
    std::string out;
    append_json_string(out, std::string("a\x01\tb\\", 5));
    EXPECT_EQ(out, R"("a\u0001\u0009b\\")");
    EXPECT_EQ(json::parse(out).get<std::string>(), std::string("a\x01\tb\\", 5));
}

TEST(Wkt, PointsAndPolygonsReadBackExactly) {
    EXPECT_EQ(to_wkt(geo::LonLat{117.5, 0.13}), "POINT (117.5 0.13)");
    geo::Polygon p;
    p.outer = {{0, 0}, {1, 0}, {1, 1}};
    EXPECT_EQ(to_wkt(geo::MultiPolygon{{p}}), "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))");
    EXPECT_EQ(to_wkt(std::monostate{}), "");
}

} // namespace
} // namespace kapal::io
