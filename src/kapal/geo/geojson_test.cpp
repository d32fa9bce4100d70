#include "kapal/geo/geojson.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ostream>
#include <string>

namespace kapal::geo {
namespace {

std::string source_dir() {
    const char* dir = std::getenv("KAPAL_SOURCE_DIR");
    return dir != nullptr ? dir : ".";
}

std::string collection(const std::string& features) {
    return R"({"type":"FeatureCollection","features":[)" + features + "]}";
}

const std::string kGoodPolygon =
    R"({"type":"Feature","properties":{"code":"64.74.01.1001","name":"A","level":"kelurahan",)"
    R"("parent_code":"64.74.01","label_lng":117.5,"label_lat":0.15,"area_km2":1.5},)"
    R"("geometry":{"type":"Polygon","coordinates":[[[117,0],[118,0],[118,1],[117,1],[117,0]],)"
    R"([[117.2,0.2],[117.4,0.2],[117.4,0.4],[117.2,0.2]]]}})";

const std::string kGoodMulti =
    R"({"type":"Feature","properties":{"code":"64.74.01.1002","name":"B"},)"
    R"("geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],)"
    R"([[[5,5],[6,5],[6,6,12.5],[5,5]]]]}})";

TEST(GeoJson, ParsesPolygonWithHoleAndAllProperties) {
    const auto parsed = parse_area_features(collection(kGoodPolygon));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    ASSERT_EQ(parsed->size(), 1u);
    const AreaFeature& f = parsed->front();
    EXPECT_EQ(f.code, "64.74.01.1001");
    EXPECT_EQ(f.name, "A");
    EXPECT_EQ(f.level, "kelurahan");
    EXPECT_EQ(f.parent_code, "64.74.01");
    ASSERT_TRUE(f.label.has_value());
    EXPECT_EQ(*f.label, (LonLat{117.5, 0.15}));
    ASSERT_EQ(f.shape.parts.size(), 1u);
    EXPECT_EQ(f.shape.parts[0].outer.size(), 4u) << "closing position is dropped";
    ASSERT_EQ(f.shape.parts[0].holes.size(), 1u);
    EXPECT_EQ(f.shape.parts[0].holes[0].size(), 3u);
}

TEST(GeoJson, ParsesMultiPolygonIgnoringAltitudeAndMissingOptionalProperties) {
    const auto parsed = parse_area_features(collection(kGoodPolygon + "," + kGoodMulti));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    ASSERT_EQ(parsed->size(), 2u);
    const AreaFeature& f = (*parsed)[1];
    EXPECT_EQ(f.level, "");
    EXPECT_EQ(f.parent_code, "");
    EXPECT_FALSE(f.label.has_value());
    ASSERT_EQ(f.shape.parts.size(), 2u);
    EXPECT_EQ(f.shape.parts[1].outer[2], (LonLat{6, 6}));
}

struct BadCase {
    const char* name;
    std::string text;
    ErrorCode code;
    const char* message_part;
};

// Keeps ctest's test names readable (gtest would print the struct's bytes).
void PrintTo(const BadCase& c, std::ostream* os) {
    *os << c.name;
}

class GeoJsonRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(GeoJsonRejects, WithClearMessage) {
    const auto parsed = parse_area_features(GetParam().text);
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().code, GetParam().code);
    EXPECT_NE(parsed.error().message.find(GetParam().message_part), std::string::npos)
        << parsed.error().message;
}

std::string with_geometry(const std::string& geometry) {
    return collection(kGoodPolygon +
                      R"(,{"type":"Feature","properties":{"code":"X","name":"X"},)"
                      R"("geometry":)" +
                      geometry + "}");
}

INSTANTIATE_TEST_SUITE_P(
    BadInput,
    GeoJsonRejects,
    ::testing::Values(
        BadCase{"NotJson", "{\"type\":", ErrorCode::BadJson, "not valid JSON"},
        BadCase{"NotCollection",
                R"({"type":"Feature"})",
                ErrorCode::ValidationFailed,
                "FeatureCollection"},
        BadCase{"NoFeatures",
                R"({"type":"FeatureCollection"})",
                ErrorCode::ValidationFailed,
                "features"},
        BadCase{"PointGeometry",
                with_geometry(R"({"type":"Point","coordinates":[1,2]})"),
                ErrorCode::ValidationFailed,
                "feature 1 (code X): geometry.type: 'Point'"},
        BadCase{"NullGeometry",
                with_geometry("null"),
                ErrorCode::ValidationFailed,
                "feature 1 (code X): geometry"},
        BadCase{"OpenRing",
                with_geometry(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]})"),
                ErrorCode::ValidationFailed,
                "geometry.coordinates[0]: ring is not closed"},
        BadCase{"ShortRing",
                with_geometry(R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]})"),
                ErrorCode::ValidationFailed,
                "at least 4 positions"},
        BadCase{"LatitudeOutOfRange",
                with_geometry(R"({"type":"Polygon","coordinates":[[[0,0],[1,95],[1,1],[0,0]]]})"),
                ErrorCode::ValidationFailed,
                "geometry.coordinates[0][1]: latitude out of range"},
        BadCase{
            "StringCoordinate",
            with_geometry(
                R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],["1",0],[1,1],[0,0]]]]})"),
            ErrorCode::ValidationFailed,
            "geometry.coordinates[1][0][1]: position members"},
        BadCase{"MissingCode",
                collection(R"({"type":"Feature","properties":{"name":"X"},"geometry":null})"),
                ErrorCode::ValidationFailed,
                "feature 0: properties.code: missing"},
        BadCase{"NumericCode",
                collection(
                    R"({"type":"Feature","properties":{"code":6474,"name":"X"},"geometry":null})"),
                ErrorCode::ValidationFailed,
                "properties.code: not a string"},
        BadCase{
            "LabelHalf",
            collection(
                R"({"type":"Feature","properties":{"code":"Y","name":"Y","label_lng":1},"geometry":null})"),
            ErrorCode::ValidationFailed,
            "label_lng and label_lat"}),
    [](const ::testing::TestParamInfo<BadCase>& param_info) {
        return std::string(param_info.param.name);
    });

TEST(GeoJson, ReadsTheBontangKelurahanFile) {
    const auto parsed = read_area_features(source_dir() + "/data/bontang_kelurahan.geojson");
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    ASSERT_EQ(parsed->size(), 15u);
    EXPECT_EQ(parsed->front().code, "64.74.01.1001");
    EXPECT_EQ(parsed->front().name, "Bontang Kuala");
    EXPECT_EQ(parsed->front().level, "kelurahan");
    EXPECT_EQ(parsed->front().shape.parts.size(), 10u);
    for (const AreaFeature& f : *parsed) {
        EXPECT_TRUE(f.label.has_value()) << f.code;
        EXPECT_EQ(f.parent_code, f.code.substr(0, 8)) << f.code;
    }
}

TEST(GeoJson, ReadsKecamatanAndKotaFiles) {
    const auto kec = read_area_features(source_dir() + "/data/bontang_kecamatan.geojson");
    ASSERT_TRUE(kec.has_value()) << kec.error().message;
    EXPECT_EQ(kec->size(), 3u);
    const auto kota = read_area_features(source_dir() + "/data/bontang_kota.geojson");
    ASSERT_TRUE(kota.has_value()) << kota.error().message;
    ASSERT_EQ(kota->size(), 1u);
    EXPECT_EQ(kota->front().code, "64.74");
    EXPECT_EQ(kota->front().shape.parts.size(), 19u);
}

TEST(GeoJsonSearchArea, TakesAPolygonAMultiPolygonOrAFeature) {
    const auto polygon = parse_search_area(
        R"({"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],
                                             [[1,1],[2,1],[2,2],[1,1]]]})",
        "geometry",
        100);
    ASSERT_TRUE(polygon.has_value()) << polygon.error().message;
    ASSERT_EQ(polygon->parts.size(), 1U);
    EXPECT_EQ(polygon->parts[0].outer.size(), 4U) << "the closing position is dropped";
    EXPECT_EQ(polygon->parts[0].holes.size(), 1U);
    const auto multi = parse_search_area(
        R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],
                                                  [[[5,5],[6,5],[6,6],[5,5]]]]})",
        "geometry",
        100);
    ASSERT_TRUE(multi.has_value()) << multi.error().message;
    EXPECT_EQ(multi->parts.size(), 2U);
    const auto feature = parse_search_area(
        R"({"type":"Feature","properties":{"name":"zona banjir"},
            "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}})",
        "geometry",
        100);
    ASSERT_TRUE(feature.has_value()) << feature.error().message;
    EXPECT_EQ(feature->parts.size(), 1U);
}

TEST(GeoJsonSearchArea, ErrorsNameTheExactPath) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"type":"Point","coordinates":[1,2]})", "geometry.type"},
        {R"({"type":"Polygon"})", "geometry.coordinates"},
        {R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]})",
         "geometry.coordinates[0]"},
        {R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,95],[0,0]]]})",
         "geometry.coordinates[0][3]"},
        {R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],["a",1],[0,0]]]})",
         "geometry.coordinates[0][3]"},
        {R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0]]]]})",
         "geometry.coordinates[1][0]"},
        {R"({"type":"Feature","geometry":{"type":"LineString","coordinates":[]}})",
         "geometry.geometry.type"},
        {R"({"type":"Feature","properties":{}})", "geometry.geometry"},
        {R"([1,2])", "geometry"},
        {R"({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0.5,2],[0,1],[0,0]]]})",
         "geometry.coordinates"},
    };
    for (const auto& [text, path] : cases) {
        const auto parsed = parse_search_area(text, "geometry", 5);
        ASSERT_FALSE(parsed.has_value()) << text;
        EXPECT_EQ(parsed.error().code, ErrorCode::ValidationFailed) << text;
        ASSERT_EQ(parsed.error().fields.size(), 1U) << text;
        EXPECT_EQ(parsed.error().fields[0].field, path) << text << ": " << parsed.error().message;
    }
    const auto not_json = parse_search_area("{\"type\":", "geometry", 5);
    ASSERT_FALSE(not_json.has_value());
    EXPECT_EQ(not_json.error().code, ErrorCode::BadJson);
}

TEST(GeoJson, MissingFileIsAnIoError) {
    const auto parsed = read_area_features(source_dir() + "/data/does_not_exist.geojson");
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().code, ErrorCode::Io);
}

TEST(GeoJson, WritesAShapeThatReadsBackExactly) {
    const auto parsed = parse_area_features(collection(kGoodPolygon + "," + kGoodMulti));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    for (const AreaFeature& f : *parsed) {
        const std::string text = to_geojson_geometry(f.shape);
        const auto again = parse_area_features(collection(
            R"({"type":"Feature","properties":{"code":"x","name":"y"},"geometry":)" + text + "}"));
        ASSERT_TRUE(again.has_value()) << again.error().message << "\n" << text;
        EXPECT_EQ(again->front().shape, f.shape) << text;
    }
    EXPECT_EQ(to_geojson_geometry((*parsed)[1].shape),
              R"({"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],)"
              R"([[[5,5],[6,5],[6,6],[5,5]]]]})");
    // Digits that need all 17 places survive.
    MultiPolygon fine{{Polygon{{{117.123456789012345, 0.1}, {117.2, 0.1}, {117.2, 0.2}}, {}}}};
    const auto back = parse_area_features(
        collection(R"({"type":"Feature","properties":{"code":"x","name":"y"},"geometry":)" +
                   to_geojson_geometry(fine) + "}"));
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_EQ(back->front().shape, fine);
}

} // namespace
} // namespace kapal::geo
