#pragma once
// A GIS feature in the program's own terms: an id, a geometry (a point, a multipolygon or
// none) and typed attribute values in the order of a schema. What the GeoJSON, GeoPackage and
// CSV writers take, and what the OGC API – Features layer serves; no format library here.

#include "kapal/geo/geometry.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace kapal::io {

/// The type of an attribute: what a GeoPackage column is declared as.
enum class FieldType { String, Integer, Real, Boolean };

/// One attribute of a layer.
struct FieldDef {
    std::string name; ///< snake_case, ASCII (a column name GIS tools accept as is)
    FieldType type = FieldType::String;
};

/// What kind of geometry a layer holds (features may also have none).
enum class GeometryKind { Point, MultiPolygon };

/// A layer's shape: its geometry kind and attributes.
struct FeatureSchema {
    GeometryKind geometry = GeometryKind::Point;
    std::vector<FieldDef> fields;
};

/// A value of an attribute; monostate is null. Its alternative must fit the field's type
/// (Integer: int64, Real: double, Boolean: bool, String: string).
using FieldValue = std::variant<std::monostate, std::string, std::int64_t, double, bool>;

/// A geometry: none, a WGS84 point, or polygons.
using Geometry = std::variant<std::monostate, geo::LonLat, geo::MultiPolygon>;

/// One feature of a layer.
struct Feature {
    std::string id;                 ///< stable and unique in the layer (a UUID, an area code)
    Geometry geometry;              ///< of the schema's kind, or none
    std::vector<FieldValue> values; ///< one per schema field, in order
};

/// Well-known text of a geometry ("POINT (117.5 0.13)", "MULTIPOLYGON (((…)))", rings closed;
/// "" for none), with the shortest digits that read back exactly.
std::string to_wkt(const Geometry& geometry);

} // namespace kapal::io
