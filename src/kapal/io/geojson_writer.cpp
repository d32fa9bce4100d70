#include "kapal/io/geojson_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace kapal::io {
namespace {

/// The shortest text that reads back as exactly `v` (finite values only; others are null).
void append_number(std::string& out, double v) {
    if (!std::isfinite(v)) {
        out += "null";
        return;
    }
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, ec == std::errc{} ? end : buf);
}

void append_position(std::string& out, geo::LonLat p) {
    out += '[';
    append_number(out, p.lon);
    out += ',';
    append_number(out, p.lat);
    out += ']';
}

/// Twice the signed area (shoelace); positive when the ring runs counter-clockwise.
double signed_area2(const geo::Ring& ring) {
    double sum = 0;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        sum += (ring[j].lon * ring[i].lat) - (ring[i].lon * ring[j].lat);
    }
    return sum;
}

/// A ring closed (first position repeated), counter-clockwise when `ccw`, else clockwise.
void append_ring(std::string& out, const geo::Ring& ring, bool ccw) {
    out += '[';
    const bool reverse = !ring.empty() && ((signed_area2(ring) > 0) != ccw);
    const std::size_t n = ring.size();
    for (std::size_t k = 0; k <= n && n > 0; ++k) {
        const std::size_t i = k % n;
        if (k > 0) {
            out += ',';
        }
        append_position(out, ring[reverse ? (n - i) % n : i]);
    }
    out += ']';
}

void append_geometry(std::string& out, const Geometry& geometry) {
    if (const auto* p = std::get_if<geo::LonLat>(&geometry)) {
        out += R"({"type":"Point","coordinates":)";
        append_position(out, *p);
        out += '}';
        return;
    }
    if (const auto* mp = std::get_if<geo::MultiPolygon>(&geometry)) {
        out += R"({"type":"MultiPolygon","coordinates":[)";
        for (std::size_t i = 0; i < mp->parts.size(); ++i) {
            const auto& part = mp->parts[i];
            out += i > 0 ? ",[" : "[";
            append_ring(out, part.outer, true);
            for (const auto& hole : part.holes) {
                out += ',';
                append_ring(out, hole, false);
            }
            out += ']';
        }
        out += "]}";
        return;
    }
    out += "null";
}

void append_value(std::string& out, const FieldValue& value) {
    std::visit(
        [&out](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                out += "null";
            } else if constexpr (std::is_same_v<T, std::string>) {
                append_json_string(out, v);
            } else if constexpr (std::is_same_v<T, bool>) {
                out += v ? "true" : "false";
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                out += std::to_string(v);
            } else {
                append_number(out, v);
            }
        },
        value);
}

} // namespace

void append_json_string(std::string& out, std::string_view text) {
    out += '"';
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x", u);
            out += esc;
        } else {
            out += c;
        }
    }
    out += '"';
}

void append_json_bbox(std::string& out, const geo::BBox& box) {
    out += '[';
    append_number(out, box.min_lon);
    out += ',';
    append_number(out, box.min_lat);
    out += ',';
    append_number(out, box.max_lon);
    out += ',';
    append_number(out, box.max_lat);
    out += ']';
}

void append_geojson_feature(std::string& out, const FeatureSchema& schema, const Feature& feature) {
    out += R"({"type":"Feature","id":)";
    append_json_string(out, feature.id);
    out += R"(,"geometry":)";
    append_geometry(out, feature.geometry);
    out += R"(,"properties":{)";
    for (std::size_t i = 0; i < schema.fields.size() && i < feature.values.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        append_json_string(out, schema.fields[i].name);
        out += ':';
        append_value(out, feature.values[i]);
    }
    out += "}}";
}

GeoJsonWriter::GeoJsonWriter(std::ostream& out, FeatureSchema schema, const std::string& name)
    : out_(&out)
    , schema_(std::move(schema)) {
    buffer_ = R"({"type":"FeatureCollection",)";
    if (!name.empty()) {
        buffer_ += R"("name":)";
        append_json_string(buffer_, name);
        buffer_ += ',';
    }
    buffer_ += "\"features\":[\n";
    out_->write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
}

void GeoJsonWriter::write(const Feature& feature) {
    buffer_.clear();
    if (!first_) {
        buffer_ += ",\n";
    }
    first_ = false;
    append_geojson_feature(buffer_, schema_, feature);
    out_->write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
}

bool GeoJsonWriter::finish() {
    if (!finished_) {
        finished_ = true;
        *out_ << "\n]}\n";
        out_->flush();
    }
    return out_->good();
}

} // namespace kapal::io
