#include "kapal/http/hazard_routes.hpp"

#include "kapal/core/time.hpp"
#include "kapal/http/person_json.hpp"
#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"
#include "kapal/http/temp_file.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>

namespace kapal::http {
namespace {

using core::Role;
using nlohmann::json;

const Access& kReaders = readers_access();
const Access& kWriters = writers_access();

std::string metres(double m) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", m);
    return buf;
}

json zone_properties(const store::HazardZoneRecord& z) {
    return {{"name", z.name},
            {"hazard", z.hazard},
            {"level", z.level},
            {"source", z.source},
            {"created_at", core::format_timestamp(z.created_at)}};
}

/// The zones as a GeoJSON FeatureCollection; each geometry is the stored GeoJSON text.
std::string zones_geojson(const std::vector<store::HazardZoneRecord>& zones) {
    std::string body = R"({"type":"FeatureCollection","features":[)";
    for (std::size_t i = 0; i < zones.size(); ++i) {
        const auto& z = zones[i];
        body += i > 0 ? "," : "";
        body += R"({"type":"Feature","id":)" + json(z.id).dump() + R"(,"properties":)" +
                zone_properties(z).dump() + R"(,"geometry":)" + z.geometry + "}";
    }
    body += "]}";
    return body;
}

std::string needs_json(const service::PersonNeeds& n) {
    return json{{"mobility", n.mobility},
                {"blind", n.blind},
                {"deaf", n.deaf},
                {"communication", n.communication},
                {"devices", n.devices}}
        .dump();
}

std::string evacuation_json(const service::EvacuationList& list) {
    json zone = zone_properties(list.zone);
    zone["id"] = list.zone.id;
    std::string body = R"({"zone":)" + zone.dump() + R"(,"start":[)" + json(list.start.lon).dump() +
                       "," + json(list.start.lat).dump() + R"(],"persons":)" +
                       std::to_string(list.persons) + R"(,"total_m":)" + metres(list.total_m) +
                       R"(,"truncated":)" + (list.truncated ? "true" : "false") + R"(,"groups":[)";
    int order = 0;
    for (std::size_t g = 0; g < list.groups.size(); ++g) {
        const auto& group = list.groups[g];
        body += g > 0 ? "," : "";
        body += R"({"kelurahan_code":)" + json(group.kelurahan_code).dump() + R"(,"rw":)" +
                json(group.rw).dump() + R"(,"rt":)" + json(group.rt).dump() + R"(,"stops":[)";
        for (std::size_t i = 0; i < group.stops.size(); ++i) {
            const auto& s = group.stops[i];
            body += i > 0 ? "," : "";
            body += R"({"order":)" + std::to_string(++order) + R"(,"leg_m":)" + metres(s.leg_m) +
                    R"(,"needs":)" + needs_json(s.needs) + R"(,"person":)" +
                    person_to_json(s.record) + "}";
        }
        body += "]}";
    }
    body += "]}";
    return body;
}

} // namespace

void add_hazard_routes(Router& router, service::HazardService& hazards) {
    router.add("GET", "/api/v1/hazards", kReaders, [&hazards](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(req, {}, issues);
        if (!issues.empty()) {
            return bad_parameters(std::move(issues), req);
        }
        auto zones = hazards.zones();
        if (!zones) {
            return problem(zones.error(), req);
        }
        Response res = Response::json(200, zones_geojson(*zones));
        res.set_header("Content-Type", "application/geo+json");
        return res;
    });

    router.add("POST", "/api/v1/hazards", kWriters, [&hazards](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(req,
                    {"filename",
                     "layer",
                     "hazard",
                     "level",
                     "name_field",
                     "hazard_field",
                     "level_field",
                     "dry_run"},
                    issues);
        const auto filename = req.query_param("filename");
        std::optional<std::string> extension;
        if (!filename) {
            issues.push_back(
                {"filename", ErrorCode::InvalidArgument, "required, e.g. rawan_banjir.gpkg"});
        } else if (extension = upload_extension(*filename,
                                                {"geojson", "json", "gpkg", "kml", "zip", "shz"});
                   !extension) {
            issues.push_back({"filename",
                              ErrorCode::InvalidArgument,
                              ".geojson, .json, .gpkg, .kml or .zip (a zipped Shapefile)"});
        }
        const auto dry_run = req.query_param("dry_run").value_or("false");
        if (dry_run != "true" && dry_run != "false") {
            issues.push_back({"dry_run", ErrorCode::InvalidArgument, "true or false"});
        }
        if (req.body.empty()) {
            issues.push_back({"body", ErrorCode::InvalidArgument, "required: the file's bytes"});
        }
        if (!issues.empty()) {
            return bad_parameters(std::move(issues), req);
        }
        TempFile file("hazard", *extension);
        if (file.path().empty()) {
            return problem_response(ErrorCode::Io, req.lang(), "no temporary file");
        }
        if (!file.write(req.body)) {
            return problem_response(ErrorCode::Io, req.lang(), "cannot store the upload");
        }
        service::HazardImportOptions options;
        options.file = file.path();
        options.layer = std::string(req.query_param("layer").value_or(""));
        options.hazard = std::string(req.query_param("hazard").value_or(""));
        options.level = std::string(req.query_param("level").value_or(""));
        options.name_field = std::string(req.query_param("name_field").value_or(""));
        options.hazard_field = std::string(req.query_param("hazard_field").value_or(""));
        options.level_field = std::string(req.query_param("level_field").value_or(""));
        options.dry_run = dry_run == "true";
        options.source_name = std::string(*filename);
        auto report = hazards.import_zones(options, actor_of(req));
        if (!report) {
            return problem(upload_error(report.error(), file, *filename), req);
        }
        json imported = json::array();
        for (const auto& z : report->zones) {
            json item = zone_properties(z);
            item["id"] = z.id;
            imported.push_back(std::move(item));
        }
        json rejected = json::array();
        for (const auto& r : report->rejected) {
            rejected.push_back({{"feature", r.feature}, {"message", r.message}});
        }
        return Response::json(options.dry_run ? 200 : 201,
                              json{{"layer", report->layer},
                                   {"dry_run", options.dry_run},
                                   {"imported", std::move(imported)},
                                   {"rejected", std::move(rejected)}}
                                  .dump());
    });

    router.add("GET", "/api/v1/hazards/{id}/evacuation", kReaders, [&hazards](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(req, {"format", "start"}, issues);
        const auto format = req.query_param("format").value_or("json");
        if (format != "json" && format != "csv" && format != "pdf") {
            issues.push_back({"format", ErrorCode::InvalidArgument, "json, csv or pdf"});
        }
        std::optional<geo::LonLat> start;
        if (const auto s = req.query_param("start")) {
            start = geo::parse_lon_lat(*s);
            if (!start) {
                issues.push_back({"start", ErrorCode::InvalidArgument, "lon,lat"});
            }
        }
        if (!issues.empty()) {
            return bad_parameters(std::move(issues), req);
        }
        const std::string id(req.path_param("id"));
        auto list = hazards.evacuation_list(id, actor_of(req), start);
        if (!list) {
            return problem(list.error(), req);
        }
        const std::string name = "evakuasi-" + id;
        if (format == "csv") {
            return Response::attachment(
                service::evacuation_csv(*list), "text/csv; charset=utf-8", name + ".csv");
        }
        if (format == "pdf") {
            const std::string by =
                req.principal ? req.principal->user.username : std::string("anonymous");
            auto pdf = service::evacuation_pdf(*list, by);
            if (!pdf) {
                return problem(pdf.error(), req);
            }
            return Response::attachment(std::move(*pdf), "application/pdf", name + ".pdf");
        }
        Response res = Response::json(200, evacuation_json(*list));
        res.set_header("Cache-Control", "no-store");
        return res;
    });
}

} // namespace kapal::http
