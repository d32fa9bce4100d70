#include "kapal/geo/geojson.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <utility>

namespace kapal::geo {
namespace {

using Json = nlohmann::json;

// A parse failure with the JSON path of the offending element (without the feature prefix).
struct Problem {
    std::string where;
    std::string what;
};

using Step = std::optional<Problem>;

std::string index_path(const std::string& base, std::size_t i) {
    return base + "[" + std::to_string(i) + "]";
}

Step parse_position(const Json& j, const std::string& where, LonLat& out) {
    if (!j.is_array() || j.size() < 2) {
        return Problem{where, "a position must be an array of at least 2 numbers"};
    }
    if (!j[0].is_number() || !j[1].is_number()) {
        return Problem{where, "position members must be numbers"};
    }
    const double lon = j[0].get<double>();
    const double lat = j[1].get<double>();
    if (!std::isfinite(lon) || lon < -180.0 || lon > 180.0) {
        return Problem{where, "longitude out of range [-180, 180]"};
    }
    if (!std::isfinite(lat) || lat < -90.0 || lat > 90.0) {
        return Problem{where, "latitude out of range [-90, 90]"};
    }
    out = LonLat{lon, lat};
    return std::nullopt;
}

Step parse_ring(const Json& j, const std::string& where, Ring& out) {
    if (!j.is_array()) {
        return Problem{where, "a ring must be an array of positions"};
    }
    if (j.size() < 4) {
        return Problem{
            where, "a ring needs at least 4 positions (closed), got " + std::to_string(j.size())};
    }
    out.clear();
    out.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) {
        LonLat p;
        if (auto problem = parse_position(j[i], index_path(where, i), p)) {
            return problem;
        }
        out.push_back(p);
    }
    if (out.front() != out.back()) {
        return Problem{where, "ring is not closed (first position differs from last)"};
    }
    out.pop_back();
    return std::nullopt;
}

Step parse_polygon(const Json& j, const std::string& where, Polygon& out) {
    if (!j.is_array() || j.empty()) {
        return Problem{where, "a polygon must be a non-empty array of rings"};
    }
    if (auto problem = parse_ring(j[0], index_path(where, 0), out.outer)) {
        return problem;
    }
    out.holes.assign(j.size() - 1, Ring{});
    for (std::size_t i = 1; i < j.size(); ++i) {
        if (auto problem = parse_ring(j[i], index_path(where, i), out.holes[i - 1])) {
            return problem;
        }
    }
    return std::nullopt;
}

/// A Polygon or MultiPolygon geometry; `base` is its path ("geometry").
Step parse_geometry(const Json& j, const std::string& base, MultiPolygon& out) {
    if (!j.is_object()) {
        return Problem{base, "missing or not an object (null geometry is not allowed)"};
    }
    const auto type = j.find("type");
    if (type == j.end() || !type->is_string()) {
        return Problem{base + ".type", "missing or not a string"};
    }
    const auto coords = j.find("coordinates");
    if (coords == j.end() || !coords->is_array()) {
        return Problem{base + ".coordinates", "missing or not an array"};
    }
    const auto& type_name = type->get_ref<const std::string&>();
    const std::string at = base + ".coordinates";
    out.parts.clear();
    if (type_name == "Polygon") {
        out.parts.emplace_back();
        return parse_polygon(*coords, at, out.parts.back());
    }
    if (type_name == "MultiPolygon") {
        if (coords->empty()) {
            return Problem{at, "a MultiPolygon needs at least one polygon"};
        }
        out.parts.resize(coords->size());
        for (std::size_t i = 0; i < coords->size(); ++i) {
            if (auto problem = parse_polygon((*coords)[i], index_path(at, i), out.parts[i])) {
                return problem;
            }
        }
        return std::nullopt;
    }
    return Problem{base + ".type", "'" + type_name + "' is not Polygon or MultiPolygon"};
}

/// Positions in a nested coordinates array, stopping once past `cap` (cheap on huge input).
std::size_t count_positions(const Json& j, std::size_t cap) {
    if (!j.is_array()) {
        return 0;
    }
    if (!j.empty() && j[0].is_number()) {
        return 1;
    }
    std::size_t n = 0;
    for (const Json& child : j) {
        n += count_positions(child, cap);
        if (n > cap) {
            break;
        }
    }
    return n;
}

Step string_property(const Json& props, const char* key, bool required, std::string& out) {
    const auto it = props.find(key);
    if (it == props.end() || it->is_null()) {
        if (required) {
            return Problem{std::string("properties.") + key, "missing"};
        }
        out.clear();
        return std::nullopt;
    }
    if (!it->is_string()) {
        return Problem{std::string("properties.") + key, "not a string"};
    }
    out = it->get<std::string>();
    return std::nullopt;
}

Step parse_feature(const Json& j, AreaFeature& out) {
    if (!j.is_object()) {
        return Problem{"", "not an object"};
    }
    const auto type = j.find("type");
    if (type == j.end() || *type != "Feature") {
        return Problem{"type", "must be \"Feature\""};
    }
    const auto props = j.find("properties");
    if (props == j.end() || !props->is_object()) {
        return Problem{"properties", "missing or not an object"};
    }
    if (auto p = string_property(*props, "code", true, out.code)) {
        return p;
    }
    if (out.code.empty()) {
        return Problem{"properties.code", "empty"};
    }
    if (auto p = string_property(*props, "name", true, out.name)) {
        return p;
    }
    if (auto p = string_property(*props, "level", false, out.level)) {
        return p;
    }
    if (auto p = string_property(*props, "parent_code", false, out.parent_code)) {
        return p;
    }
    const auto lng = props->find("label_lng");
    const auto lat = props->find("label_lat");
    const bool has_lng = lng != props->end() && !lng->is_null();
    const bool has_lat = lat != props->end() && !lat->is_null();
    out.label.reset();
    if (has_lng != has_lat) {
        return Problem{"properties", "label_lng and label_lat must be given together"};
    }
    if (has_lng) {
        if (auto p = parse_position(
                Json::array({*lng, *lat}), "properties.label_lng/label_lat", out.label.emplace())) {
            return p;
        }
    }
    const auto geometry = j.find("geometry");
    if (geometry == j.end()) {
        return Problem{"geometry", "missing"};
    }
    return parse_geometry(*geometry, "geometry", out.shape);
}

Result<std::vector<AreaFeature>> parse_document(const Json& doc) {
    if (!doc.is_object()) {
        return fail(ErrorCode::ValidationFailed, "GeoJSON: top level is not an object");
    }
    const auto type = doc.find("type");
    if (type == doc.end() || *type != "FeatureCollection") {
        return fail(ErrorCode::ValidationFailed, "GeoJSON: type must be \"FeatureCollection\"");
    }
    const auto features = doc.find("features");
    if (features == doc.end() || !features->is_array()) {
        return fail(ErrorCode::ValidationFailed, "GeoJSON: features missing or not an array");
    }
    std::vector<AreaFeature> out(features->size());
    for (std::size_t i = 0; i < features->size(); ++i) {
        if (auto problem = parse_feature((*features)[i], out[i])) {
            std::string message = "GeoJSON: feature " + std::to_string(i);
            if (!out[i].code.empty()) {
                message += " (code " + out[i].code + ")";
            }
            message += ": ";
            if (!problem->where.empty()) {
                message += problem->where + ": ";
            }
            message += problem->what;
            return fail(ErrorCode::ValidationFailed, std::move(message));
        }
    }
    return out;
}

} // namespace

Result<std::vector<AreaFeature>> parse_area_features(std::string_view geojson_text) {
    try {
        const Json doc = Json::parse(geojson_text.begin(), geojson_text.end());
        return parse_document(doc);
    } catch (const Json::parse_error& e) {
        return fail(ErrorCode::BadJson, std::string("GeoJSON: not valid JSON: ") + e.what());
    } catch (const Json::exception& e) {
        // Type errors that slipped past the checks above; still the input's fault.
        return fail(ErrorCode::ValidationFailed, std::string("GeoJSON: ") + e.what());
    }
}

Result<MultiPolygon>
parse_search_area(std::string_view json_text, const std::string& where, std::size_t max_positions) {
    const auto bad = [&](std::string field, std::string what) {
        return fail(ErrorCode::ValidationFailed,
                    field + ": " + what,
                    {{std::move(field), ErrorCode::InvalidArgument, std::move(what)}});
    };
    try {
        const Json j = Json::parse(json_text.begin(), json_text.end());
        std::string base = where;
        const Json* geometry = &j;
        if (j.is_object() && j.contains("type") && j["type"] == "Feature") {
            base += ".geometry";
            const auto inner = j.find("geometry");
            if (inner == j.end()) {
                return bad(base, "missing");
            }
            geometry = &*inner;
        }
        if (geometry->is_object()) {
            if (const auto coords = geometry->find("coordinates"); coords != geometry->end()) {
                if (count_positions(*coords, max_positions) > max_positions) {
                    return bad(base + ".coordinates",
                               "more than " + std::to_string(max_positions) + " positions");
                }
            }
        }
        MultiPolygon out;
        if (auto problem = parse_geometry(*geometry, base, out)) {
            return bad(problem->where, problem->what);
        }
        return out;
    } catch (const Json::parse_error& e) {
        return fail(ErrorCode::BadJson, std::string("GeoJSON: not valid JSON: ") + e.what());
    } catch (const Json::exception& e) {
        return bad(where, e.what());
    }
}

Result<std::vector<AreaFeature>> read_area_features(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(ErrorCode::Io, "cannot open " + path);
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) {
        return fail(ErrorCode::Io, "cannot read " + path);
    }
    auto parsed = parse_area_features(buffer.str());
    if (!parsed) {
        Error error = std::move(parsed).error();
        error.message = path + ": " + error.message;
        return fail(std::move(error));
    }
    return parsed;
}

namespace {

void append_number(std::string& out, double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void append_ring(std::string& out, const Ring& ring) {
    out += '[';
    for (std::size_t i = 0; !ring.empty() && i <= ring.size(); ++i) {
        const LonLat& p = ring[i % ring.size()]; // the first again closes the ring
        out += i == 0 ? "[" : ",[";
        append_number(out, p.lon);
        out += ',';
        append_number(out, p.lat);
        out += ']';
    }
    out += ']';
}

} // namespace

std::string to_geojson_geometry(const MultiPolygon& shape) {
    std::string out = R"({"type":"MultiPolygon","coordinates":[)";
    for (std::size_t i = 0; i < shape.parts.size(); ++i) {
        const Polygon& part = shape.parts[i];
        out += i == 0 ? "[" : ",[";
        append_ring(out, part.outer);
        for (const Ring& hole : part.holes) {
            out += ',';
            append_ring(out, hole);
        }
        out += ']';
    }
    out += "]}";
    return out;
}

} // namespace kapal::geo
