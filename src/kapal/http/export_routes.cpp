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

/// The `format` (and for persons, `layout`) of a download. Persons also come as XLSX, and in
/// the DTKS layout (a table: CSV by default, or XLSX).
std::optional<Format> format_of(const Request& req,
                                std::vector<FieldIssue>& issues,
                                bool persons,
                                service::ExportLayout& layout) {
    for (const auto& [name, value] : req.query) {
        if (name != "format" && !(persons && name == "layout")) {
            issues.push_back({name, ErrorCode::UnknownField, "not a parameter of this resource"});
        }
    }
    layout = service::ExportLayout::Kapal;
    if (persons) {
        const auto l = req.query_param("layout").value_or("kapal");
        if (l == "dtks") {
            layout = service::ExportLayout::Dtks;
        } else if (l != "kapal") {
            issues.push_back({"layout", ErrorCode::InvalidArgument, "kapal or dtks"});
        }
    }
    const bool table_only = layout == service::ExportLayout::Dtks;
    const auto f = req.query_param("format").value_or(table_only ? "csv" : "geojson");
    if (f == "csv") {
        return Format{service::ExportFormat::Csv, "csv", "text/csv; charset=utf-8"};
    }
    if (persons && f == "xlsx") {
        return Format{service::ExportFormat::Xlsx,
                      "xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};
    }
    if (table_only && (f == "geojson" || f == "gpkg")) {
        issues.push_back({"layout", ErrorCode::InvalidArgument, "dtks: format csv or xlsx"});
        return std::nullopt;
    }
    if (f == "geojson") {
        return Format{service::ExportFormat::GeoJson, "geojson", "application/geo+json"};
    }
    if (f == "gpkg") {
        return Format{service::ExportFormat::Gpkg, "gpkg", "application/geopackage+sqlite3"};
    }
    issues.push_back({"format",
                      ErrorCode::InvalidArgument,
                      persons ? "geojson, gpkg, csv or xlsx" : "geojson, gpkg or csv"});
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
        service::ExportLayout layout = service::ExportLayout::Kapal;
        const auto format = format_of(req, issues, true, layout);
        if (!issues.empty() || !format) {
            return problem_response(
                Error{ErrorCode::InvalidArgument, "bad query parameters", std::move(issues)},
                req.lang());
        }
        service::ExportOptions options;
        options.format = format->format;
        options.layout = layout;
        options.clear_ids = false;
        // Behind the gate; without a principal (a routing bug) nothing is in scope.
        options.scope_area_codes =
            req.principal ? req.principal->area_codes : std::vector<std::string>{"-"};
        const std::string name = layout == service::ExportLayout::Dtks ? "persons-dtks" : "persons";
        return download(req, *format, name, [&](const std::string& path) {
            return service::export_persons(path, store, ref, options);
        });
    });
    router.add("GET", "/api/v1/exports/areas", Access::open(), [&ref](const Request& req) {
        std::vector<FieldIssue> issues;
        service::ExportLayout layout = service::ExportLayout::Kapal;
        const auto format = format_of(req, issues, false, layout);
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
