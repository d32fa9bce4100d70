#pragma once
// GeoJSON (RFC 7946) output: WGS84 (lon, lat), coordinates with 7 decimals (about 1 cm),
// polygon rings closed and the outer ring counter-clockwise (holes clockwise) as §3.1.6 asks.

#include "kapal/io/feature.hpp"

#include <ostream>
#include <string>

namespace kapal::io {

/// Appends one Feature object (`{"type":"Feature","id":…,"geometry":…,"properties":…}`) to
/// `out`. Precondition: feature.values.size() == schema.fields.size().
void append_geojson_feature(std::string& out, const FeatureSchema& schema, const Feature& feature);

/// Appends a JSON string literal of `text` (quotes and escapes included) to `out`.
void append_json_string(std::string& out, std::string_view text);

/// Appends a bbox as the JSON array [min_lon, min_lat, max_lon, max_lat].
void append_json_bbox(std::string& out, const geo::BBox& box);

/// Writes a FeatureCollection to a stream, one feature at a time (memory stays flat):
/// begin with the constructor, write() each feature, then finish().
class GeoJsonWriter {
  public:
    /// Writes the collection's opening to `out`, which must outlive the writer. `name`, when
    /// not empty, is written as the foreign member "name" (GDAL takes it as the layer name).
    GeoJsonWriter(std::ostream& out, FeatureSchema schema, const std::string& name = {});

    /// Writes one feature. Precondition: finish() not called yet.
    void write(const Feature& feature);

    /// Closes the collection. False when the stream failed.
    bool finish();

  private:
    std::ostream* out_;
    FeatureSchema schema_;
    std::string buffer_;
    bool first_ = true;
    bool finished_ = false;
};

} // namespace kapal::io
