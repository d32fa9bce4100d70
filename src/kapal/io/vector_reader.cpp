#include "kapal/io/vector_reader.hpp"

#include "kapal/core/text.hpp"

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <cctype>
#include <memory>
#include <mutex>

namespace kapal::io {
namespace {

void register_drivers() {
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
}

std::string gdal_message() {
    const char* msg = CPLGetLastErrorMsg();
    return msg != nullptr && *msg != 0 ? std::string(": ") + msg : std::string();
}

bool ends_with_ci(std::string_view text, std::string_view suffix) {
    if (text.size() < suffix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < suffix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[text.size() - suffix.size() + i])) !=
            suffix[i]) {
            return false;
        }
    }
    return true;
}

struct DatasetCloser {
    void operator()(void* d) const { GDALClose(d); }
};

struct FeatureDestroyer {
    void operator()(OGRFeatureH f) const { OGR_F_Destroy(f); }
};

struct GeometryDestroyer {
    void operator()(OGRGeometryH g) const { OGR_G_DestroyGeometry(g); }
};

struct SrsReleaser {
    void operator()(OGRSpatialReferenceH s) const { OSRRelease(s); }
};

struct TransformDestroyer {
    void operator()(OGRCoordinateTransformationH t) const { OCTDestroyCoordinateTransformation(t); }
};

using Dataset = std::unique_ptr<void, DatasetCloser>;
using FeaturePtr = std::unique_ptr<std::remove_pointer_t<OGRFeatureH>, FeatureDestroyer>;
using GeometryPtr = std::unique_ptr<std::remove_pointer_t<OGRGeometryH>, GeometryDestroyer>;
using SrsPtr = std::unique_ptr<std::remove_pointer_t<OGRSpatialReferenceH>, SrsReleaser>;
using TransformPtr =
    std::unique_ptr<std::remove_pointer_t<OGRCoordinateTransformationH>, TransformDestroyer>;

/// The ring's positions without the closing repeat; `problem` set when it has fewer than 3
/// distinct positions.
geo::Ring read_ring(OGRGeometryH ring, std::size_t& positions, std::string& problem) {
    geo::Ring out;
    const int n = OGR_G_GetPointCount(ring);
    out.reserve(static_cast<std::size_t>(n > 0 ? n : 0));
    for (int i = 0; i < n; ++i) {
        const geo::LonLat p{OGR_G_GetX(ring, i), OGR_G_GetY(ring, i)};
        if (out.empty() || !(out.back() == p)) {
            out.push_back(p);
        }
    }
    positions += out.size();
    if (out.size() > 1 && out.front() == out.back()) {
        out.pop_back();
    }
    if (out.size() < 3) {
        problem = "a ring has fewer than 3 distinct positions";
    }
    return out;
}

geo::Polygon read_polygon(OGRGeometryH polygon, std::size_t& positions, std::string& problem) {
    geo::Polygon out;
    const int rings = OGR_G_GetGeometryCount(polygon);
    if (rings == 0) {
        problem = "an empty polygon";
        return out;
    }
    out.outer = read_ring(OGR_G_GetGeometryRef(polygon, 0), positions, problem);
    for (int i = 1; i < rings; ++i) {
        out.holes.push_back(read_ring(OGR_G_GetGeometryRef(polygon, i), positions, problem));
    }
    return out;
}

bool in_range(geo::LonLat p) {
    return p.lon >= -180 && p.lon <= 180 && p.lat >= -90 && p.lat <= 90;
}

/// The program's geometry of an OGR geometry already in WGS84 lon/lat.
Geometry read_geometry(OGRGeometryH g, std::size_t& positions, std::string& problem) {
    const OGRwkbGeometryType type = wkbFlatten(OGR_G_GetGeometryType(g));
    if (OGR_G_IsEmpty(g) != 0) {
        problem = "an empty geometry";
        return {};
    }
    if (type == wkbPoint) {
        ++positions;
        const geo::LonLat p{OGR_G_GetX(g, 0), OGR_G_GetY(g, 0)};
        if (!in_range(p)) {
            problem = "a position outside -180..180, -90..90";
            return {};
        }
        return p;
    }
    geo::MultiPolygon shape;
    if (type == wkbPolygon) {
        shape.parts.push_back(read_polygon(g, positions, problem));
    } else if (type == wkbMultiPolygon) {
        for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) {
            shape.parts.push_back(read_polygon(OGR_G_GetGeometryRef(g, i), positions, problem));
        }
    } else {
        problem =
            std::string("a ") + OGRGeometryTypeToName(type) + " is neither a point nor a polygon";
        return {};
    }
    if (!problem.empty()) {
        return {};
    }
    for (const auto& part : shape.parts) {
        for (const auto& p : part.outer) {
            if (!in_range(p)) {
                problem = "a position outside -180..180, -90..90";
                return {};
            }
        }
    }
    return shape;
}

} // namespace

std::string ReadFeature::attribute(std::string_view name) const {
    for (const auto& [field, value] : attributes) {
        if (field.size() == name.size() &&
            std::equal(field.begin(), field.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            })) {
            return value;
        }
    }
    return {};
}

std::string ReadFeature::first_of(std::string_view named,
                                  std::initializer_list<std::string_view> usual) const {
    if (!named.empty()) {
        return std::string(core::trim(attribute(named)));
    }
    for (const std::string_view field : usual) {
        std::string v(core::trim(attribute(field)));
        if (!v.empty()) {
            return v;
        }
    }
    return {};
}

Result<VectorLayer> read_vector_layer(const std::string& path,
                                      const std::string& layer_name,
                                      const VectorLimits& limits) {
    register_drivers();
    CPLErrorReset();
    // A zipped Shapefile (or any zipped vector file) is read through GDAL's zip file system.
    const std::string open_path =
        ends_with_ci(path, ".zip") && path.rfind("/vsizip/", 0) != 0 ? "/vsizip/" + path : path;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    Dataset dataset(GDALOpenEx(
        open_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    CPLPopErrorHandler();
    if (!dataset) {
        return fail(ErrorCode::Io, "cannot read " + path + " as GIS vector data" + gdal_message());
    }
    const int layer_count = GDALDatasetGetLayerCount(dataset.get());
    OGRLayerH layer = nullptr;
    if (layer_name.empty()) {
        layer = layer_count > 0 ? GDALDatasetGetLayer(dataset.get(), 0) : nullptr;
    } else {
        layer = GDALDatasetGetLayerByName(dataset.get(), layer_name.c_str());
    }
    if (layer == nullptr) {
        std::string names;
        for (int i = 0; i < layer_count; ++i) {
            names += (i == 0 ? "" : ", ") +
                     std::string(OGR_L_GetName(GDALDatasetGetLayer(dataset.get(), i)));
        }
        return fail(ErrorCode::NotFound,
                    path + " has no layer" + (layer_name.empty() ? "" : " " + layer_name) +
                        (names.empty() ? "" : "; its layers: " + names));
    }

    VectorLayer out;
    out.name = OGR_L_GetName(layer);
    out.driver = GDALGetDriverShortName(GDALGetDatasetDriver(dataset.get()));
    OGRFeatureDefnH definition = OGR_L_GetLayerDefn(layer);
    const int field_count = OGR_FD_GetFieldCount(definition);
    for (int i = 0; i < field_count; ++i) {
        out.fields.emplace_back(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(definition, i)));
    }

    // To WGS84 lon/lat from the layer's CRS; none means lon/lat already.
    TransformPtr transform;
    if (OGRSpatialReferenceH source = OGR_L_GetSpatialRef(layer); source != nullptr) {
        SrsPtr wgs84(OSRNewSpatialReference(nullptr));
        OSRImportFromEPSG(wgs84.get(), 4326);
        OSRSetAxisMappingStrategy(wgs84.get(), OAMS_TRADITIONAL_GIS_ORDER);
        SrsPtr from(OSRClone(source));
        OSRSetAxisMappingStrategy(from.get(), OAMS_TRADITIONAL_GIS_ORDER);
        if (OSRIsSame(from.get(), wgs84.get()) == 0) {
            transform.reset(OCTNewCoordinateTransformation(from.get(), wgs84.get()));
            if (!transform) {
                return fail(ErrorCode::ValidationFailed,
                            path +
                                ": its coordinate reference system cannot be transformed to "
                                "WGS84" +
                                gdal_message());
            }
        }
    }

    std::size_t positions = 0;
    OGR_L_ResetReading(layer);
    for (;;) {
        FeaturePtr feature(OGR_L_GetNextFeature(layer));
        if (!feature) {
            break;
        }
        if (out.features.size() == limits.max_features) {
            return fail(ErrorCode::ValidationFailed,
                        path + ": more than " + std::to_string(limits.max_features) +
                            " features in layer " + out.name);
        }
        ReadFeature f;
        f.number = out.features.size() + 1;
        for (int i = 0; i < field_count; ++i) {
            f.attributes.emplace_back(out.fields[static_cast<std::size_t>(i)],
                                      OGR_F_IsFieldSetAndNotNull(feature.get(), i) != 0
                                          ? OGR_F_GetFieldAsString(feature.get(), i)
                                          : "");
        }
        OGRGeometryH raw = OGR_F_GetGeometryRef(feature.get());
        if (raw == nullptr) {
            f.geometry_problem = "no geometry";
        } else {
            GeometryPtr g(OGR_G_HasCurveGeometry(raw, 0) != 0
                              ? OGR_G_GetLinearGeometry(raw, 0, nullptr)
                              : OGR_G_Clone(raw));
            if (transform && OGR_G_Transform(g.get(), transform.get()) != OGRERR_NONE) {
                f.geometry_problem = "its coordinates cannot be transformed to WGS84";
            } else {
                f.geometry = read_geometry(g.get(), positions, f.geometry_problem);
            }
        }
        if (positions > limits.max_positions) {
            return fail(ErrorCode::ValidationFailed,
                        path + ": more than " + std::to_string(limits.max_positions) +
                            " positions in layer " + out.name);
        }
        out.features.push_back(std::move(f));
    }
    return out;
}

} // namespace kapal::io
