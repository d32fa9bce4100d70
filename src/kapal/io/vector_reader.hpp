#pragma once
// Reading the GIS files operators bring (hazard maps from BPBD, facility lists): one layer of a
// GeoJSON, GeoPackage, KML or Shapefile — any vector format GDAL/OGR opens — as the program's
// own features in WGS84 lon/lat. GDAL stays inside vector_reader.cpp.

#include "kapal/core/result.hpp"
#include "kapal/io/feature.hpp"

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kapal::io {

/// One feature as read. A geometry the program cannot use leaves `geometry` empty and says
/// why in `geometry_problem`, so that the caller can report the feature and keep the others.
struct ReadFeature {
    std::size_t number = 0;       ///< 1-based position in the layer, for messages ("feature 7")
    Geometry geometry;            ///< a point, or polygons (a Polygon becomes one part); none
    std::string geometry_problem; ///< e.g. "no geometry", "a Line String is neither a point nor
                                  ///< a polygon", "a ring has fewer than 3 distinct positions"
    std::vector<std::pair<std::string, std::string>> attributes; ///< field, value as text ("" =
                                                                 ///< null), in the file's order

    /// The value of the first field whose name equals `name` ignoring ASCII case; "" when none.
    std::string attribute(std::string_view name) const;

    /// The trimmed value of field `named` when it is given; else of the first of `usual` that
    /// has a non-empty value; "" when none has.
    std::string first_of(std::string_view named,
                         std::initializer_list<std::string_view> usual) const;
};

/// One layer of a file.
struct VectorLayer {
    std::string name;                ///< the layer's name in the file
    std::string driver;              ///< GDAL's short name: "GeoJSON", "GPKG", "KML", ...
    std::vector<std::string> fields; ///< attribute names, in order
    std::vector<ReadFeature> features;
};

/// Limits that keep a bad or hostile file from exhausting the server.
struct VectorLimits {
    std::size_t max_features = 100'000;
    std::size_t max_positions = 5'000'000; ///< over all features
};

/// Reads every feature of one layer of a vector file: `layer` by name, or the only (or first)
/// layer when empty. A Shapefile is read from its .shp (with .shx, .dbf and .prj beside it) or
/// from a .zip that holds them. Coordinates are transformed to WGS84 lon/lat from the layer's
/// CRS (e.g. UTM zone 50N, EPSG:32650, common in Kalimantan hazard maps); a layer without a CRS
/// is taken to be WGS84 lon/lat already; curves are made linear; a third coordinate is dropped.
/// Errors: Io (the file cannot be opened as vector data: the message names it and gives GDAL's
/// reason), NotFound (no layer of that name: the message lists the layers), ValidationFailed
/// (more than the limits allow, or a CRS that cannot be transformed to WGS84).
Result<VectorLayer> read_vector_layer(const std::string& path,
                                      const std::string& layer = {},
                                      const VectorLimits& limits = {});

} // namespace kapal::io
