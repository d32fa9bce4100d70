#include "kapal/io/gpkg_writer.hpp"

#include <gdal.h>
#include <gtest/gtest.h>
#include <ogr_api.h>

#include <random>

namespace kapal::io {
namespace {

std::uint64_t seed() {
    const char* env = std::getenv("KAPAL_TEST_SEED");
    return env != nullptr ? std::strtoull(env, nullptr, 10) : 20261128U;
}

TEST(GpkgWriter, RandomFeaturesReadBackThroughGdalWithTheSameIdsValuesAndCoordinates) {
    const auto s = seed();
    SCOPED_TRACE("KAPAL_TEST_SEED=" + std::to_string(s));
    std::mt19937_64 rng(s);
    std::uniform_real_distribution<double> lon(117.3, 117.6);
    std::uniform_real_distribution<double> lat(0.0, 0.25);
    const FeatureSchema schema{GeometryKind::Point,
                               {{"name", FieldType::String},
                                {"n", FieldType::Integer},
                                {"x", FieldType::Real},
                                {"ok", FieldType::Boolean}}};
    std::vector<Feature> features;
    for (int i = 0; i < 25000; ++i) { // crosses a transaction boundary
        Feature f;
        f.id = "f" + std::to_string(i);
        if (i % 7 != 0) {
            f.geometry = geo::LonLat{lon(rng), lat(rng)};
        }
        f.values = {i % 5 == 0 ? FieldValue{} : FieldValue{"nama " + std::to_string(i)},
                    FieldValue{std::int64_t{i} * 1000000007},
                    FieldValue{lat(rng)},
                    FieldValue{i % 2 == 0}};
        features.push_back(std::move(f));
    }
    const auto file = std::filesystem::temp_directory_path() /
                      ("kapal_gpkg_test_" + std::to_string(::getpid()) + ".gpkg");
    {
        auto w = GpkgWriter::create(file, "titik", schema);
        ASSERT_TRUE(w.has_value()) << w.error().message;
        for (const auto& f : features) {
            ASSERT_TRUE((*w)->write(f).has_value());
        }
        ASSERT_TRUE((*w)->finish().has_value());
    }
    GDALDatasetH ds = GDALOpenEx(file.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    ASSERT_NE(ds, nullptr);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, "titik");
    ASSERT_NE(layer, nullptr);
    EXPECT_EQ(OGR_L_GetFeatureCount(layer, TRUE), static_cast<GIntBig>(features.size()));
    OGR_L_ResetReading(layer);
    std::size_t i = 0;
    while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
        ASSERT_LT(i, features.size());
        const Feature& want = features[i];
        EXPECT_EQ(std::string(OGR_F_GetFieldAsString(f, 0)), want.id);
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (const auto* p = std::get_if<geo::LonLat>(&want.geometry)) {
            ASSERT_NE(g, nullptr);
            EXPECT_EQ(OGR_G_GetX(g, 0), p->lon);
            EXPECT_EQ(OGR_G_GetY(g, 0), p->lat);
        } else {
            EXPECT_EQ(g, nullptr);
        }
        if (std::holds_alternative<std::monostate>(want.values[0])) {
            EXPECT_TRUE(OGR_F_IsFieldNull(f, 1));
        } else {
            EXPECT_EQ(std::string(OGR_F_GetFieldAsString(f, 1)),
                      std::get<std::string>(want.values[0]));
        }
        EXPECT_EQ(OGR_F_GetFieldAsInteger64(f, 2), std::get<std::int64_t>(want.values[1]));
        EXPECT_EQ(OGR_F_GetFieldAsDouble(f, 3), std::get<double>(want.values[2]));
        EXPECT_EQ(OGR_F_GetFieldAsInteger(f, 4), std::get<bool>(want.values[3]) ? 1 : 0);
        OGR_F_Destroy(f);
        ++i;
    }
    EXPECT_EQ(i, features.size());
    GDALClose(ds);
    std::filesystem::remove(file);
}

TEST(GpkgWriter, AnUnwritablePathIsAnIoErrorNotACrash) {
    auto w = GpkgWriter::create("/nonexistent-dir/x.gpkg", "a", FeatureSchema{});
    ASSERT_FALSE(w.has_value());
    EXPECT_EQ(w.error().code, ErrorCode::Io);
}

} // namespace
} // namespace kapal::io
