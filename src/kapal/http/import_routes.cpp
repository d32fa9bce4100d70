#include "kapal/http/import_routes.hpp"

#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"
#include "kapal/http/temp_file.hpp"
#include "kapal/service/import_service.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace kapal::http {
namespace {

using nlohmann::json;

const Access kWriters = Access::only({core::Role::Admin, core::Role::Operator});

/// One row's issues as the API shows issues everywhere: field, code, localised message, level.
json row_json(const service::RowReport& r, std::string_view lang) {
    json issues = json::array();
    for (const auto& issue : r.issues) {
        const auto& info = error_info(issue.code);
        std::string message(error_title(issue.code, lang));
        if (!issue.detail.empty()) {
            message += ": " + issue.detail;
        }
        issues.push_back({{"field", issue.field},
                          {"code", std::string(info.id)},
                          {"message", std::move(message)},
                          {"level", info.level == IssueLevel::Warning ? "warning" : "error"}});
    }
    return {{"row", r.row}, {"errors", std::move(issues)}};
}

json rows_json(const std::vector<service::RowReport>& rows, std::string_view lang) {
    json out = json::array();
    for (const auto& r : rows) {
        out.push_back(row_json(r, lang));
    }
    return out;
}

} // namespace

void add_import_routes(Router& router, ImportDeps deps) {
    router.add("GET", "/api/v1/imports/template", kWriters, [](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(req, {"format"}, issues);
        const auto format = std::string(req.query_param("format").value_or("xlsx"));
        if (format != "xlsx" && format != "csv") {
            issues.push_back({"format", ErrorCode::InvalidArgument, "xlsx or csv"});
        }
        if (!issues.empty()) {
            return bad_parameters(std::move(issues), req);
        }
        TempFile file("template", format);
        if (file.path().empty()) {
            return problem_response(ErrorCode::Io, req.lang(), "no temporary file");
        }
        auto written = service::write_import_template(file.path());
        if (!written) {
            return problem_response(written.error(), req.lang());
        }
        return Response::attachment(
            file.read(),
            format == "csv" ? "text/csv; charset=utf-8"
                            : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "template-penyandang-disabilitas." + format);
    });

    router.add("POST", "/api/v1/imports/persons", kWriters, [deps](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(req, {"filename", "dry_run"}, issues);
        const auto filename = req.query_param("filename");
        std::optional<std::string> extension;
        if (!filename) {
            issues.push_back(
                {"filename", ErrorCode::InvalidArgument, "required, e.g. data-kelurahan.xlsx"});
        } else if (extension = upload_extension(*filename, {"csv", "txt", "xlsx"}); !extension) {
            issues.push_back({"filename", ErrorCode::InvalidArgument, ".csv, .txt or .xlsx"});
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
        // The upload and the rejects live only as long as this request.
        TempFile upload("import", *extension == "txt" ? "csv" : *extension);
        TempFile rejects("rejects", "csv");
        if (upload.path().empty() || rejects.path().empty()) {
            return problem_response(ErrorCode::Io, req.lang(), "no temporary file");
        }
        if (!upload.write(req.body)) {
            return problem_response(ErrorCode::Io, req.lang(), "cannot store the upload");
        }
        service::ImportOptions options;
        options.dry_run = dry_run == "true";
        options.rejects_file = rejects.path();
        if (deps.index != nullptr && deps.index->ready()) {
            options.registry = &deps.index->duplicates();
        }
        auto summary = service::import_persons(
            upload.path(), deps.store, deps.ref, deps.clock, deps.ids, actor_of(req), options);
        if (!summary) {
            return problem_response(upload_error(summary.error(), upload, *filename), req.lang());
        }
        const auto& s = *summary;
        const std::string lang = req.lang();
        json body{{"filename", std::string(*filename)},
                  {"dry_run", options.dry_run},
                  {"header_row", s.header_row},
                  {"rows", s.rows},
                  {"created", s.created},
                  {"unchanged", s.unchanged},
                  {"changed", s.changed},
                  {"rejected", s.rejected},
                  {"warned", s.warned},
                  {"unknown_columns", s.unknown_columns},
                  {"rejects", rows_json(s.rejects, lang)},
                  {"warnings", rows_json(s.warnings, lang)},
                  {"changes", rows_json(s.changes, lang)},
                  {"rejects_csv", s.rejected > 0 ? json(rejects.read()) : json(nullptr)}};
        // Cells may hold anything the spreadsheet held: replace invalid UTF-8, never throw.
        return Response::json(200,
                              body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    });
}

} // namespace kapal::http
