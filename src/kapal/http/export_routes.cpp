#include "kapal/http/export_routes.hpp"

#include "kapal/http/problem.hpp"
#include "kapal/http/temp_file.hpp"
#include "kapal/service/export_service.hpp"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace kapal::http {
namespace {

struct Format {
    service::ExportFormat format;
    const char* extension;
    const char* media_type;
};

std::optional<Format> format_of(const Request& req, std::vector<FieldIssue>& issues) {
    for (const auto& [name, value] : req.query) {
        if (name != "format") {
            issues.push_back({name, ErrorCode::UnknownField, "not a parameter of this resource"});
        }
    }
    const auto f = req.query_param("format").value_or("geojson");
    if (f == "geojson") {
        return Format{service::ExportFormat::GeoJson, "geojson", "application/geo+json"};
    }
    if (f == "gpkg") {
        return Format{service::ExportFormat::Gpkg, "gpkg", "application/geopackage+sqlite3"};
    }
    if (f == "csv") {
        return Format{service::ExportFormat::Csv, "csv", "text/csv; charset=utf-8"};
    }
    issues.push_back({"format", ErrorCode::InvalidArgument, "geojson, gpkg or csv"});
    return std::nullopt;
}

/// Runs `write` into a temporary file and answers its bytes as a download named `name`.
template <class Write>
Response download(const Request& req, const Format& format, const std::string& name, Write write) {
    TempFile file("export", format.extension);
    if (file.path().empty()) {
        return problem_response(ErrorCode::Io, req.lang(), "no temporary file");
    }
    auto written = write(file.path());
    if (!written) {
        return problem_response(written.error(), req.lang());
    }
    std::ifstream in(file.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return Response::attachment(
        std::move(bytes).str(), format.media_type, name + "." + format.extension);
}

} // namespace

void add_export_routes(Router& router, store::Store& store, const service::ReferenceData& ref) {
    const Access readers = Access::only(
        {core::Role::Admin, core::Role::Operator, core::Role::Auditor, core::Role::Viewer});
    router.add("GET", "/api/v1/exports/persons", readers, [&store, &ref](const Request& req) {
        std::vector<FieldIssue> issues;
        const auto format = format_of(req, issues);
        if (!issues.empty() || !format) {
            return problem_response(
                Error{ErrorCode::InvalidArgument, "bad query parameters", std::move(issues)},
                req.lang());
        }
        service::ExportOptions options;
        options.format = format->format;
        options.clear_ids = false;
        // Behind the gate; without a principal (a routing bug) nothing is in scope.
        options.scope_area_codes =
            req.principal ? req.principal->area_codes : std::vector<std::string>{"-"};
        return download(req, *format, "persons", [&](const std::string& path) {
            return service::export_persons(path, store, ref, options);
        });
    });
    router.add("GET", "/api/v1/exports/areas", Access::open(), [&ref](const Request& req) {
        std::vector<FieldIssue> issues;
        const auto format = format_of(req, issues);
        if (!issues.empty() || !format) {
            return problem_response(
                Error{ErrorCode::InvalidArgument, "bad query parameters", std::move(issues)},
                req.lang());
        }
        return download(req, *format, "areas", [&](const std::string& path) {
            return service::export_areas(path, ref, format->format);
        });
    });
}

} // namespace kapal::http
