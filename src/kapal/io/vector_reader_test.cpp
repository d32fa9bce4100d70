#include "kapal/io/vector_reader.hpp"

#include "kapal/io/gpkg_writer.hpp"

#include <gdal.h>
#include <gtest/gtest.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace kapal::io {
namespace {

namespace fs = std::filesystem;

class VectorReader : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("kapal_vector_reader_" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }

    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) const {
        const fs::path file = dir_ / name;
        std::ofstream(file) << text;
        return file.string();
    }

    fs::path dir_;
};

const geo::MultiPolygon& shape_of(const ReadFeature& f) {
    return std::get<geo::MultiPolygon>(f.geometry);
}

TEST_F(VectorReader, ReadsGeoJsonPolygonsWithHolesPointsAndReportsWhatItCannotUse) {
    const auto file = write("zona.geojson", R"({"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"NAMA":"Guntung","tingkat":"tinggi","luas":1.5},
       "geometry":{"type":"Polygon","coordinates":[[[117.4,0.1],[117.5,0.1],[117.5,0.2],
         [117.4,0.2],[117.4,0.1]],[[117.42,0.12],[117.44,0.12],[117.44,0.14],[117.42,0.12]]]}},
      {"type":"Feature","properties":{"NAMA":"Dua pulau","tingkat":null},
       "geometry":{"type":"MultiPolygon","coordinates":[[[[117,0],[117.1,0],[117.1,0.1],[117,0]]],
         [[[118,0],[118.1,0],[118.1,0.1],[118,0]]]]}},
      {"type":"Feature","properties":{"NAMA":"Titik"},
       "geometry":{"type":"Point","coordinates":[117.45,0.15,12]}},
      {"type":"Feature","properties":{"NAMA":"Garis"},
       "geometry":{"type":"LineString","coordinates":[[117,0],[118,1]]}},
      {"type":"Feature","properties":{"NAMA":"Kosong"},"geometry":null}
    ]})");
    auto layer = read_vector_layer(file);
    ASSERT_TRUE(layer.has_value()) << layer.error().message;
    EXPECT_EQ(layer->driver, "GeoJSON");
    ASSERT_EQ(layer->features.size(), 5U);
    const auto& f1 = layer->features[0];
    EXPECT_EQ(f1.number, 1U);
    EXPECT_EQ(f1.attribute("nama"), "Guntung") << "field names ignore case";
    EXPECT_EQ(f1.attribute("tingkat"), "tinggi");
    EXPECT_EQ(f1.attribute("tidak_ada"), "");
    ASSERT_TRUE(f1.geometry_problem.empty()) << f1.geometry_problem;
    ASSERT_EQ(shape_of(f1).parts.size(), 1U);
    EXPECT_EQ(shape_of(f1).parts[0].outer.size(), 4U) << "the closing position is dropped";
    ASSERT_EQ(shape_of(f1).parts[0].holes.size(), 1U);
    EXPECT_TRUE(geo::contains(shape_of(f1), {117.45, 0.15}));
    EXPECT_FALSE(geo::contains(shape_of(f1), {117.435, 0.125})) << "inside the hole";

    EXPECT_EQ(layer->features[1].attribute("tingkat"), "") << "null reads as empty";
    EXPECT_EQ(shape_of(layer->features[1]).parts.size(), 2U);
    EXPECT_EQ(std::get<geo::LonLat>(layer->features[2].geometry), (geo::LonLat{117.45, 0.15}));
    EXPECT_TRUE(std::holds_alternative<std::monostate>(layer->features[3].geometry));
    EXPECT_NE(layer->features[3].geometry_problem.find("Line String"), std::string::npos)
        << layer->features[3].geometry_problem;
    EXPECT_EQ(layer->features[4].geometry_problem, "no geometry");
}

TEST_F(VectorReader, ReadsKml) {
    const auto file = write("zona.kml", R"(<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>rawan</name>
<Placemark><name>Zona rob</name><Polygon><outerBoundaryIs><LinearRing><coordinates>
117.4,0.1,0 117.5,0.1,0 117.5,0.2,0 117.4,0.1,0
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
<Placemark><name>Posko</name><Point><coordinates>117.45,0.15,0</coordinates></Point></Placemark>
</Folder></Document></kml>)");
    auto layer = read_vector_layer(file);
    ASSERT_TRUE(layer.has_value()) << layer.error().message;
    EXPECT_EQ(layer->name, "rawan");
    ASSERT_EQ(layer->features.size(), 2U);
    EXPECT_EQ(layer->features[0].attribute("Name"), "Zona rob");
    ASSERT_TRUE(std::holds_alternative<geo::MultiPolygon>(layer->features[0].geometry))
        << layer->features[0].geometry_problem;
    EXPECT_EQ(shape_of(layer->features[0]).parts[0].outer.size(), 3U);
    EXPECT_EQ(std::get<geo::LonLat>(layer->features[1].geometry), (geo::LonLat{117.45, 0.15}));
}

/// Writes a Shapefile (plain or zipped, by the name's extension) in UTM zone 50N with one
/// square around (117.5, 0.15) whose corners are given in WGS84.
void write_utm_shapefile(const std::string& file) {
    GDALAllRegister();
    GDALDriverH driver = GDALGetDriverByName("ESRI Shapefile");
    ASSERT_NE(driver, nullptr);
    GDALDatasetH ds = GDALCreate(driver, file.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    ASSERT_NE(ds, nullptr);
    OGRSpatialReferenceH utm = OSRNewSpatialReference(nullptr);
    OSRImportFromEPSG(utm, 32650);
    OGRSpatialReferenceH wgs84 = OSRNewSpatialReference(nullptr);
    OSRImportFromEPSG(wgs84, 4326);
    OSRSetAxisMappingStrategy(wgs84, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH to_utm = OCTNewCoordinateTransformation(wgs84, utm);
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "zona", utm, wkbPolygon, nullptr);
    ASSERT_NE(layer, nullptr);
    OGRFieldDefnH field = OGR_Fld_Create("BAHAYA", OFTString);
    OGR_L_CreateField(layer, field, TRUE);
    OGR_Fld_Destroy(field);
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
    OGR_F_SetFieldString(f, 0, "banjir");
    OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
    for (const auto& [lon, lat] : {std::pair{117.49, 0.14},
                                   std::pair{117.51, 0.14},
                                   std::pair{117.51, 0.16},
                                   std::pair{117.49, 0.16},
                                   std::pair{117.49, 0.14}}) {
        OGR_G_AddPoint_2D(ring, lon, lat);
    }
    OGRGeometryH polygon = OGR_G_CreateGeometry(wkbPolygon);
    OGR_G_AddGeometryDirectly(polygon, ring);
    ASSERT_EQ(OGR_G_Transform(polygon, to_utm), OGRERR_NONE);
    EXPECT_GT(OGR_G_GetX(OGR_G_GetGeometryRef(polygon, 0), 0), 100000.0) << "metres, not degrees";
    OGR_F_SetGeometryDirectly(f, polygon);
    ASSERT_EQ(OGR_L_CreateFeature(layer, f), OGRERR_NONE);
    OGR_F_Destroy(f);
    OCTDestroyCoordinateTransformation(to_utm);
    OSRRelease(utm);
    OSRRelease(wgs84);
    GDALClose(ds);
}

TEST_F(VectorReader, TransformsAUtmShapefileToWgs84PlainOrZipped) {
    for (const std::string name : {"zona.shp", "zona.shp.zip"}) {
        SCOPED_TRACE(name);
        const std::string file = (dir_ / name).string();
        write_utm_shapefile(file);
        if (HasFatalFailure()) {
            return;
        }
        auto layer = read_vector_layer(file);
        ASSERT_TRUE(layer.has_value()) << layer.error().message;
        ASSERT_EQ(layer->features.size(), 1U);
        EXPECT_EQ(layer->features[0].attribute("bahaya"), "banjir");
        const auto& outer = shape_of(layer->features[0]).parts.at(0).outer;
        ASSERT_EQ(outer.size(), 4U);
        EXPECT_NEAR(outer[0].lon, 117.49, 1e-7);
        EXPECT_NEAR(outer[0].lat, 0.14, 1e-7);
        EXPECT_NEAR(outer[2].lon, 117.51, 1e-7);
        EXPECT_NEAR(outer[2].lat, 0.16, 1e-7);
    }
}

TEST_F(VectorReader, ReadsAGeoPackageLayerByNameAndListsTheLayersOfAWrongName) {
    const fs::path file = dir_ / "fasilitas.gpkg";
    {
        auto w = GpkgWriter::create(
            file, "puskesmas", {GeometryKind::Point, {{"nama", FieldType::String}}});
        ASSERT_TRUE(w.has_value()) << w.error().message;
        Feature f;
        f.id = "p1";
        f.geometry = geo::LonLat{117.123456789012345, 0.987654321098765};
        f.values = {FieldValue{std::string("Puskesmas Lok Tuan")}};
        ASSERT_TRUE((*w)->write(f).has_value());
        ASSERT_TRUE((*w)->finish().has_value());
    }
    auto layer = read_vector_layer(file.string(), "puskesmas");
    ASSERT_TRUE(layer.has_value()) << layer.error().message;
    EXPECT_EQ(layer->driver, "GPKG");
    ASSERT_EQ(layer->features.size(), 1U);
    EXPECT_EQ(layer->features[0].attribute("nama"), "Puskesmas Lok Tuan");
    EXPECT_EQ(layer->features[0].attribute("id"), "p1");
    EXPECT_EQ(std::get<geo::LonLat>(layer->features[0].geometry),
              (geo::LonLat{117.123456789012345, 0.987654321098765}))
        << "WGS84 in, WGS84 out: no transformation, every bit kept";

    auto missing = read_vector_layer(file.string(), "posyandu");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
    EXPECT_NE(missing.error().message.find("its layers: puskesmas"), std::string::npos)
        << missing.error().message;
}

TEST_F(VectorReader, RefusesWhatIsNotVectorDataAndWhatExceedsTheLimits) {
    const auto text = write("catatan.txt", "bukan peta\n");
    auto bad = read_vector_layer(text);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::Io);
    EXPECT_NE(bad.error().message.find(text), std::string::npos) << bad.error().message;
    auto absent = read_vector_layer((dir_ / "tidak_ada.geojson").string());
    ASSERT_FALSE(absent.has_value());
    EXPECT_EQ(absent.error().code, ErrorCode::Io);

    std::string features;
    for (int i = 0; i < 3; ++i) {
        features += std::string(i == 0 ? "" : ",") +
                    R"({"type":"Feature","properties":{},"geometry":{"type":"Point",)"
                    R"("coordinates":[117,0]}})";
    }
    const auto three =
        write("tiga.geojson", R"({"type":"FeatureCollection","features":[)" + features + "]}");
    auto over = read_vector_layer(three, {}, VectorLimits{2, 100});
    ASSERT_FALSE(over.has_value());
    EXPECT_EQ(over.error().code, ErrorCode::ValidationFailed);
    EXPECT_NE(over.error().message.find("more than 2 features"), std::string::npos);
    over = read_vector_layer(three, {}, VectorLimits{10, 2});
    ASSERT_FALSE(over.has_value());
    EXPECT_NE(over.error().message.find("more than 2 positions"), std::string::npos);
    EXPECT_TRUE(read_vector_layer(three, {}, VectorLimits{3, 3}).has_value());
}

} // namespace
} // namespace kapal::io
