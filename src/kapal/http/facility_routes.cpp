#include "kapal/http/facility_routes.hpp"

#include "kapal/core/time.hpp"
#include "kapal/http/person_json.hpp"
#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"
#include "kapal/http/temp_file.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>

namespace kapal::http {
namespace {

using core::Role;
using nlohmann::json;

const Access& kReaders = readers_access();
const Access& kWriters = writers_access();

json facility_properties(const store::FacilityRecord& f) {
    return {{"kind", f.kind},
            {"name", f.name},
            {"kelurahan_code", f.kelurahan_code},
            {"address", f.address},
            {"phone", f.phone},
            {"source", f.source},
            {"created_at", core::format_timestamp(f.created_at)}};
}

json facility_feature(const store::FacilityRecord& f) {
    return {{"type", "Feature"},
            {"id", f.id},
            {"properties", facility_properties(f)},
            {"geometry", {{"type", "Point"}, {"coordinates", {f.lon, f.lat}}}}};
}

double rounded(double m) {
    return std::round(m * 10) / 10;
}

/// {"kind", "distance_m", "facility": Feature}; null when there is none.
json nearest_json(const std::optional<service::NearestFacility>& n) {
    if (!n) {
        return nullptr;
    }
    return {{"kind", n->facility.kind},
            {"distance_m", rounded(n->distance_m)},
            {"facility", facility_feature(n->facility)}};
}

} // namespace

void add_facility_routes(Router& router, service::FacilityService& facilities) {
    router.add("GET", "/api/v1/facilities", kReaders, [&facilities](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(req, {}, issues);
        if (!issues.empty()) {
            return bad_parameters(std::move(issues), req);
        }
        auto all = facilities.facilities();
        if (!all) {
            return problem(all.error(), req);
        }
        json features = json::array();
        for (const auto& f : *all) {
            features.push_back(facility_feature(f));
        }
        Response res = Response::json(
            200, json{{"type", "FeatureCollection"}, {"features", std::move(features)}}.dump());
        res.set_header("Content-Type", "application/geo+json");
        return res;
    });

    router.add("POST", "/api/v1/facilities", kWriters, [&facilities](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(
            req, {"filename", "layer", "kind", "name_field", "kind_field", "dry_run"}, issues);
        const auto filename = req.query_param("filename");
        std::optional<std::string> extension;
        if (!filename) {
            issues.push_back(
                {"filename", ErrorCode::InvalidArgument, "required, e.g. faskes.gpkg"});
        } else if (extension = upload_extension(
                       *filename, {"geojson", "json", "gpkg", "kml", "zip", "shz", "csv"});
                   !extension) {
            issues.push_back({"filename",
                              ErrorCode::InvalidArgument,
                              ".geojson, .json, .gpkg, .kml, .csv or .zip (a zipped Shapefile)"});
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
        TempFile file("facility", *extension);
        if (file.path().empty()) {
            return problem_response(ErrorCode::Io, req.lang(), "no temporary file");
        }
        if (!file.write(req.body)) {
            return problem_response(ErrorCode::Io, req.lang(), "cannot store the upload");
        }
        service::FacilityImportOptions options;
        options.file = file.path();
        options.layer = std::string(req.query_param("layer").value_or(""));
        options.kind = std::string(req.query_param("kind").value_or(""));
        options.name_field = std::string(req.query_param("name_field").value_or(""));
        options.kind_field = std::string(req.query_param("kind_field").value_or(""));
        options.dry_run = dry_run == "true";
        options.source_name = std::string(*filename);
        auto report = facilities.import_facilities(options, actor_of(req));
        if (!report) {
            return problem(upload_error(report.error(), file, *filename), req);
        }
        json imported = json::array();
        for (const auto& f : report->facilities) {
            json item = facility_feature(f);
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

    router.add("GET", "/api/v1/facilities/nearest", kReaders, [&facilities](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(req, {"kind", "format"}, issues);
        const auto kind = req.query_param("kind");
        if (!kind || kind->empty()) {
            issues.push_back({"kind", ErrorCode::InvalidArgument, "required, e.g. puskesmas"});
        }
        const auto format = req.query_param("format").value_or("json");
        if (format != "json" && format != "csv") {
            issues.push_back({"format", ErrorCode::InvalidArgument, "json or csv"});
        }
        if (!issues.empty()) {
            return bad_parameters(std::move(issues), req);
        }
        auto persons = facilities.nearest_for_persons(std::string(*kind), actor_of(req));
        if (!persons) {
            return problem(persons.error(), req);
        }
        if (format == "csv") {
            return Response::attachment(service::nearest_csv(*persons),
                                        "text/csv; charset=utf-8",
                                        "fasilitas-terdekat-" +
                                            *service::parse_facility_kind(*kind) + ".csv");
        }
        // Persons go through person_to_json, which masks them for the reader; spliced as text.
        std::string body =
            R"({"kind":)" + json(*service::parse_facility_kind(*kind)).dump() + R"(,"items":[)";
        for (std::size_t i = 0; i < persons->size(); ++i) {
            const auto& p = (*persons)[i];
            body += i > 0 ? "," : "";
            body += R"({"nearest":)" + nearest_json(p.nearest).dump() + R"(,"person":)" +
                    person_to_json(p.record) + "}";
        }
        body += "]}";
        Response res = Response::json(200, std::move(body));
        res.set_header("Cache-Control", "no-store");
        return res;
    });

    router.add(
        "GET", "/api/v1/persons/{id}/facilities", kReaders, [&facilities](const Request& req) {
            std::vector<FieldIssue> issues;
            check_known(req, {}, issues);
            if (!issues.empty()) {
                return bad_parameters(std::move(issues), req);
            }
            const core::PersonId id{std::string(req.path_param("id"))};
            auto nearest = facilities.nearest_for_person(id, actor_of(req));
            if (!nearest) {
                return problem(nearest.error(), req);
            }
            json items = json::array();
            for (const auto& n : *nearest) {
                items.push_back(nearest_json(n));
            }
            Response res = Response::json(
                200, json{{"person_id", id.str()}, {"nearest", std::move(items)}}.dump());
            res.set_header("Cache-Control", "no-store");
            return res;
        });

    router.add("GET", "/api/v1/facilities/coverage", kReaders, [&facilities](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(req, {"kind", "max_m"}, issues);
        const auto kind = req.query_param("kind");
        if (!kind || kind->empty()) {
            issues.push_back({"kind", ErrorCode::InvalidArgument, "required, e.g. puskesmas"});
        }
        double max_m = 0;
        const auto max_text = req.query_param("max_m");
        if (!max_text) {
            issues.push_back({"max_m", ErrorCode::InvalidArgument, "required: metres"});
        } else {
            const auto r =
                std::from_chars(max_text->data(), max_text->data() + max_text->size(), max_m);
            if (r.ec != std::errc{} || r.ptr != max_text->data() + max_text->size() ||
                !std::isfinite(max_m) || max_m <= 0 || max_m > service::kMaxCoverageM) {
                issues.push_back({"max_m",
                                  ErrorCode::InvalidArgument,
                                  "metres, more than 0 and at most 100000"});
            }
        }
        if (!issues.empty()) {
            return bad_parameters(std::move(issues), req);
        }
        auto report = facilities.coverage(std::string(*kind), max_m, actor_of(req));
        if (!report) {
            return problem(report.error(), req);
        }
        json areas = json::array();
        for (const auto& a : report->areas) {
            areas.push_back({{"kelurahan_code", a.kelurahan_code},
                             {"persons", a.persons},
                             {"uncovered", a.uncovered}});
        }
        // Persons go through person_to_json, which masks them for the reader; spliced as text.
        std::string persons = "[";
        for (std::size_t i = 0; i < report->uncovered.size(); ++i) {
            const auto& u = report->uncovered[i];
            json nearest = nullptr;
            if (u.nearest) {
                nearest = {{"id", u.nearest->facility.id},
                           {"name", u.nearest->facility.name},
                           {"distance_m", rounded(u.nearest->distance_m)}};
            }
            persons += i > 0 ? "," : "";
            persons += R"({"nearest":)" + nearest.dump() + R"(,"person":)" +
                       person_to_json(u.record) + "}";
        }
        persons += "]";
        const json head = {{"kind", report->kind},
                           {"max_m", report->max_m},
                           {"facilities", report->facilities},
                           {"persons", report->persons},
                           {"areas", std::move(areas)}};
        std::string body = head.dump();
        body.pop_back();
        body += R"(,"uncovered":)" + persons + "}";
        Response res = Response::json(200, std::move(body));
        res.set_header("Cache-Control", "no-store");
        return res;
    });
}

} // namespace kapal::http
