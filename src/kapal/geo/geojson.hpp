#pragma once
// Reading administrative areas (kota, kecamatan, kelurahan) from a GeoJSON FeatureCollection,
// and a search area (a Polygon or MultiPolygon) from a request.

#include "kapal/core/result.hpp"
#include "kapal/geo/geometry.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::geo {

/// One administrative area with its Kemendagri code and shape.
struct AreaFeature {
    std::string code;            ///< Kemendagri dotted code, e.g. "64.74.01.1003"
    std::string name;            ///< e.g. "Lok Tuan"
    std::string level;           ///< "kota", "kecamatan" or "kelurahan" (as in the file)
    std::string parent_code;     ///< e.g. "64.74.01"; empty when the file has none
    MultiPolygon shape;          ///< a GeoJSON Polygon becomes one part
    std::optional<LonLat> label; ///< (label_lng, label_lat) when the file gives both

    bool operator==(const AreaFeature&) const = default;
};

/// Parses a GeoJSON FeatureCollection (RFC 7946, [lon, lat]) whose features are Polygon or
/// MultiPolygon with string properties `code` (required, non-empty), `name` (required),
/// `level` and `parent_code` (optional), and optional numbers `label_lng`/`label_lat` (both or
/// neither). Other properties and foreign members are ignored; a third coordinate (altitude) is
/// ignored. Rings must have at least 4 positions and be closed (first == last); the closing
/// position is dropped (see Ring). Errors: BadJson (not JSON), ValidationFailed (structure; the
/// message names the feature index and what is wrong, e.g.
/// "feature 3: geometry.coordinates[0][2]: longitude out of range").
Result<std::vector<AreaFeature>> parse_area_features(std::string_view geojson_text);

/// Parses the search area of a request: a GeoJSON Polygon or MultiPolygon geometry, or a Feature
/// holding one (its properties are ignored). `where` is the element's path in the request
/// ("geometry"), so that errors name the exact place: "geometry.coordinates[0][3]", or
/// "geometry.geometry.type" inside a Feature. Rules as parse_area_features (rings closed, at least
/// 4 positions, lon/lat in range); at most `max_positions` positions in all. Errors: BadJson,
/// ValidationFailed with one field issue (field = the path, code InvalidArgument, detail = what
/// is wrong).
Result<MultiPolygon>
parse_search_area(std::string_view json_text, const std::string& where, std::size_t max_positions);

/// Reads a file and parses it as above. Errors: Io (cannot read), then as parse_area_features,
/// with the path prefixed to the message.
Result<std::vector<AreaFeature>> read_area_features(const std::string& path);

/// The shape as a GeoJSON MultiPolygon geometry object (RFC 7946: [lon, lat], every ring closed
/// by repeating its first position), numbers in their shortest form that reads back to the same
/// double, so parse_area_features gives the shape back exactly. Example:
/// {"type":"MultiPolygon","coordinates":[[[[117,0],[118,0],[118,1],[117,0]]]]}
std::string to_geojson_geometry(const MultiPolygon& shape);

} // namespace kapal::geo
