#include "kapal/http/problem.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace kapal::http {

std::string problem_json(const Error& error, std::string_view lang, int status) {
    const std::string_view language = lang == "en" ? "en" : "id";
    const ErrorInfo& info = error_info(error.code);
    const int http_status = status != 0 ? status : info.http_status;
    nlohmann::json body = nlohmann::json::object();
    body["type"] = std::string(kProblemTypeBase) + std::string(info.id);
    body["title"] = std::string(error_title(error.code, language));
    body["status"] = http_status;
    // A 5xx message is written for developers and may name files, tables or values: keep it
    // for the log, not for the client.
    if (!error.message.empty() && http_status < 500) {
        body["detail"] = error.message;
    }
    body["code"] = std::string(info.id);
    nlohmann::json issues = nlohmann::json::array();
    for (const FieldIssue& issue : error.fields) {
        const ErrorInfo& field_info = error_info(issue.code);
        std::string message(error_title(issue.code, language));
        if (!issue.detail.empty()) {
            message += ": ";
            message += issue.detail;
        }
        issues.push_back({
            {"field", issue.field},
            {"code", std::string(field_info.id)},
            {"message", std::move(message)},
            {"level", field_info.level == IssueLevel::Warning ? "warning" : "error"},
        });
    }
    body["errors"] = std::move(issues);
    // Replace invalid UTF-8 (a detail may echo client input) instead of throwing.
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response problem_response(const Error& error, std::string_view lang, int status) {
    const std::string_view language = lang == "en" ? "en" : "id";
    Response response;
    response.status = status != 0 ? status : error_info(error.code).http_status;
    response.headers.emplace_back("Content-Type", "application/problem+json");
    response.headers.emplace_back("Content-Language", std::string(language));
    response.body = problem_json(error, language, status);
    return response;
}

Response problem_response(ErrorCode code, std::string_view lang, std::string message, int status) {
    return problem_response(Error{code, std::move(message), {}}, lang, status);
}

Response bad_parameters(std::vector<FieldIssue> issues, const Request& req) {
    return problem_response(
        Error{ErrorCode::InvalidArgument, "bad query parameters", std::move(issues)}, req.lang());
}

void check_known(const Request& req,
                 std::initializer_list<std::string_view> known,
                 std::vector<FieldIssue>& issues) {
    for (const auto& [name, value] : req.query) {
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            issues.push_back({name, ErrorCode::UnknownField, "not a parameter of this resource"});
        }
    }
}

} // namespace kapal::http
