#include "kapal/http/map_routes.hpp"

#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>

namespace kapal::http {
namespace {

using core::Role;
using nlohmann::json;

/// The roles that read the registry (as on the person list).
Access readers() {
    return Access::only({Role::Admin, Role::Operator, Role::Auditor, Role::Viewer});
}

/// Four finite numbers separated by commas, else nullopt.
std::optional<std::array<double, 4>> parse_four(std::string_view text) {
    std::array<double, 4> out{};
    for (std::size_t i = 0; i < 4; ++i) {
        const auto comma = text.find(',');
        if ((comma == std::string_view::npos) != (i == 3)) {
            return std::nullopt;
        }
        const std::string part(text.substr(0, comma));
        char* end = nullptr;
        const double v = std::strtod(part.c_str(), &end);
        if (part.empty() || end != part.c_str() + part.size() || !std::isfinite(v)) {
            return std::nullopt;
        }
        out[i] = v;
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    }
    return out;
}

/// category=, severity=, status= as on the person list; bad values go to `issues`.
service::MapFilters parse_filters(const Request& req, std::vector<FieldIssue>& issues) {
    service::MapFilters f;
    if (auto v = req.query_param("category")) {
        if (auto c = core::parse_category(*v)) {
            f.category = *c;
        } else {
            issues.push_back({"category", ErrorCode::CategoryInvalid, std::string(*v)});
        }
    }
    if (auto v = req.query_param("severity")) {
        if (auto s = core::parse_severity(*v)) {
            f.severity = *s;
        } else {
            issues.push_back({"severity", ErrorCode::InvalidArgument, "ringan, sedang or berat"});
        }
    }
    if (auto v = req.query_param("status")) {
        if (auto s = core::parse_status(*v)) {
            f.status = *s;
        } else {
            issues.push_back({"status", ErrorCode::StatusInvalid, std::string(*v)});
        }
    }
    return f;
}

service::AreaLevel parse_level(const Request& req, std::vector<FieldIssue>& issues) {
    const auto v = req.query_param("level");
    if (!v) {
        return service::AreaLevel::Kelurahan;
    }
    if (auto level = service::parse_area_level(*v)) {
        return *level;
    }
    issues.push_back({"level", ErrorCode::InvalidArgument, "kelurahan, kecamatan or kota"});
    return service::AreaLevel::Kelurahan;
}

/// Coordinates rounded to 1e-6 degrees (about 0.1 m), enough for a map.
double round6(double v) {
    return std::round(v * 1e6) / 1e6;
}

json ring_json(const geo::Ring& ring) {
    json out = json::array();
    for (const geo::LonLat& p : ring) {
        out.push_back({round6(p.lon), round6(p.lat)});
    }
    if (!ring.empty()) {
        out.push_back({round6(ring.front().lon), round6(ring.front().lat)}); // GeoJSON closes
    }
    return out;
}

json geometry_json(const geo::MultiPolygon& shape) {
    json parts = json::array();
    for (const geo::Polygon& p : shape.parts) {
        json rings = json::array({ring_json(p.outer)});
        for (const geo::Ring& hole : p.holes) {
            rings.push_back(ring_json(hole));
        }
        parts.push_back(std::move(rings));
    }
    return {{"type", "MultiPolygon"}, {"coordinates", std::move(parts)}};
}

/// The geometry of every area, made once (the shapes never change while the program runs).
using Geometries = std::map<std::string, json>;

std::shared_ptr<const Geometries> geometries(const service::ReferenceData& ref) {
    auto out = std::make_shared<Geometries>();
    if (ref.kelurahan) {
        for (const auto& f : ref.kelurahan->features()) {
            (*out)[f.code] = geometry_json(f.shape);
        }
    }
    for (const auto* level : {&ref.kecamatan, &ref.kota}) {
        for (const auto& f : *level) {
            (*out)[f.code] = geometry_json(f.shape);
        }
    }
    return out;
}

json feature_json(const geo::AreaFeature& f,
                  const Geometries& shapes,
                  const std::optional<std::int64_t>& population,
                  json counts) {
    json props = {{"code", f.code},
                  {"name", f.name},
                  {"level", f.level},
                  {"parent", f.parent_code.empty() ? json() : json(f.parent_code)},
                  {"population", population ? json(*population) : json()}};
    for (const auto& [key, value] : counts.items()) {
        props[key] = value;
    }
    const auto it = shapes.find(f.code);
    return {{"type", "Feature"},
            {"id", f.code},
            {"properties", std::move(props)},
            {"geometry", it != shapes.end() ? it->second : json()}};
}

json per_1000(std::uint64_t n, std::int64_t population) {
    return std::round(static_cast<double>(n) * 1000.0 / static_cast<double>(population) * 100.0) /
           100.0;
}

json area_counts_json(const service::AreaStats& s) {
    json categories = json::object();
    json statuses = json::object();
    for (std::size_t i = 0; i < core::kAllCategories.size(); ++i) {
        categories[std::string(core::to_string(core::kAllCategories[i]))] = s.counts.categories[i];
    }
    for (std::size_t i = 0; i < core::kAllStatuses.size(); ++i) {
        statuses[std::string(core::to_string(core::kAllStatuses[i]))] = s.counts.statuses[i];
    }
    json rates;
    if (s.population) {
        rates = {{"total", per_1000(s.counts.total, *s.population)}};
        for (std::size_t i = 0; i < core::kAllCategories.size(); ++i) {
            rates[std::string(core::to_string(core::kAllCategories[i]))] =
                per_1000(s.counts.categories[i], *s.population);
        }
    }
    return {{"total", s.counts.total},
            {"categories", std::move(categories)},
            {"statuses", std::move(statuses)},
            {"per_1000", std::move(rates)}};
}

json cluster_json(const geo::Cluster& c, int zoom) {
    json categories = json::object();
    for (std::size_t i = 0; i < core::kAllCategories.size(); ++i) {
        if (c.per_bit[i] > 0) {
            categories[std::string(core::to_string(core::kAllCategories[i]))] = c.per_bit[i];
        }
    }
    const geo::BBox b = geo::cell_box(c.cell, zoom);
    json out = {{"lon", round6(c.centre.lon)},
                {"lat", round6(c.centre.lat)},
                {"count", c.count},
                {"categories", std::move(categories)},
                {"bbox", {b.min_lon, b.min_lat, b.max_lon, b.max_lat}}};
    if (!c.key.empty()) {
        out["id"] = c.key;
    }
    return out;
}

} // namespace

void add_map_routes(Router& router, const service::MapService& maps) {
    router.add("GET", "/api/v1/map/clusters", readers(), [&maps](const Request& req) {
        std::vector<FieldIssue> issues;
        service::ClusterRequest q;
        const auto bbox = req.query_param("bbox");
        const auto box = bbox ? parse_four(*bbox) : std::nullopt;
        if (!box || (*box)[0] < -180 || (*box)[0] > 180 || (*box)[2] < -180 || (*box)[2] > 180 ||
            (*box)[1] < -90 || (*box)[3] > 90 || (*box)[1] > (*box)[3]) {
            issues.push_back({"bbox",
                              ErrorCode::InvalidArgument,
                              "west,south,east,north (west > east crosses the antimeridian)"});
        } else {
            q.west = (*box)[0];
            q.south = (*box)[1];
            q.east = (*box)[2];
            q.north = (*box)[3];
        }
        const auto zoom = req.query_param("zoom");
        int z = -1;
        if (!zoom ||
            std::from_chars(zoom->data(), zoom->data() + zoom->size(), z).ptr !=
                zoom->data() + zoom->size() ||
            z < 0 || z > geo::kMaxClusterZoom) {
            issues.push_back(
                {"zoom", ErrorCode::InvalidArgument, "0.." + std::to_string(geo::kMaxClusterZoom)});
        }
        q.zoom = z;
        const auto filters = parse_filters(req, issues);
        if (!issues.empty()) {
            return problem(Error{ErrorCode::ValidationFailed, "bad query parameters", issues}, req);
        }
        auto answer = maps.clusters(q, filters, actor_of(req));
        if (!answer) {
            return problem(answer.error(), req);
        }
        json clusters = json::array();
        for (const geo::Cluster& c : answer->clusters) {
            clusters.push_back(cluster_json(c, answer->zoom));
        }
        const json body = {{"zoom", answer->zoom},
                           {"cell_deg", answer->cell_deg},
                           {"total", answer->total},
                           {"clusters", std::move(clusters)}};
        return Response::json(200, body.dump());
    });

    auto shapes = geometries(maps.reference());
    router.add("GET", "/api/v1/areas", readers(), [&maps, shapes](const Request& req) {
        std::vector<FieldIssue> issues;
        const auto level = parse_level(req, issues);
        const auto filters = parse_filters(req, issues);
        if (!issues.empty()) {
            return problem(Error{ErrorCode::ValidationFailed, "bad query parameters", issues}, req);
        }
        auto areas = maps.areas(level, filters, actor_of(req));
        if (!areas) {
            return problem(areas.error(), req);
        }
        json features = json::array();
        for (const service::AreaStats& s : *areas) {
            features.push_back(
                feature_json(*s.feature, *shapes, s.population, area_counts_json(s)));
        }
        const json body = {{"type", "FeatureCollection"}, {"features", std::move(features)}};
        return Response::json(200, body.dump());
    });

    router.add("GET", "/api/v1/public/areas", Access::open(), [&maps, shapes](const Request& req) {
        std::vector<FieldIssue> issues;
        const auto level = parse_level(req, issues);
        if (!issues.empty()) {
            return problem(Error{ErrorCode::ValidationFailed, "bad query parameters", issues}, req);
        }
        auto areas = maps.public_areas(level);
        if (!areas) {
            return problem(areas.error(), req);
        }
        json features = json::array();
        for (const service::PublicAreaCount& a : *areas) {
            features.push_back(feature_json(
                *a.feature,
                *shapes,
                a.population,
                {{"count", a.count ? json(*a.count) : json()}, {"suppressed", !a.count}}));
        }
        const json body = {{"type", "FeatureCollection"},
                           {"suppression",
                            "active persons per area; areas of 1 to 4 are hidden, and so is one "
                            "more area wherever a total minus the shown areas would reveal one"},
                           {"features", std::move(features)}};
        return Response::json(200, body.dump());
    });
}

} // namespace kapal::http
