#include "kapal/http/route_support.hpp"

#include "kapal/http/http_types.hpp"
#include "kapal/http/person_json.hpp"
#include "kapal/http/problem.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace kapal::http {

using core::Role;

const Access& readers_access() {
    static const Access kReaders =
        Access::only({Role::Admin, Role::Operator, Role::Auditor, Role::Viewer});
    return kReaders;
}

const Access& writers_access() {
    static const Access kWriters = Access::only({Role::Admin, Role::Operator});
    return kWriters;
}

service::Actor actor_of(const Request& req) {
    if (!req.principal) {
        return {"anonymous", req.remote_address, {"-"}, Role::Viewer};
    }
    return req.principal->actor(req.remote_address);
}

Response problem(const Error& e, const Request& req) {
    return problem_response(e, req.lang());
}

std::string etag(std::int64_t version) {
    // Formatted into a buffer: GCC 12 at -O3 warned (stringop-overflow, a false positive) on
    // the concatenation once versioned() below inlined it.
    char text[24];
    const int n = std::snprintf(text, sizeof text, "\"%lld\"", static_cast<long long>(version));
    return std::string(text, static_cast<std::size_t>(n));
}

std::optional<std::int64_t> parse_if_match(std::string_view v) {
    if (v.rfind("W/", 0) == 0) {
        v.remove_prefix(2);
    }
    if (v.size() < 3 || v.front() != '"' || v.back() != '"') {
        return std::nullopt;
    }
    v = v.substr(1, v.size() - 2);
    std::int64_t out = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || ptr != v.data() + v.size() || out < 1) {
        return std::nullopt;
    }
    return out;
}

Result<std::int64_t> if_match_version(const Request& req) {
    const auto header = req.header("If-Match");
    if (!header) {
        return fail(ErrorCode::PreconditionRequired, "send If-Match with the record's ETag");
    }
    const auto version = parse_if_match(*header);
    if (!version) {
        return fail(ErrorCode::PreconditionRequired,
                    "If-Match must be the ETag of the record, e.g. \"3\"");
    }
    return *version;
}

Result<nlohmann::json> json_object_body(const Request& req) {
    if (!is_json_content(req)) {
        return fail(ErrorCode::UnsupportedMediaType, "send application/json");
    }
    if (json_too_deep(req.body)) {
        return fail(ErrorCode::BadJson, "nested too deeply");
    }
    auto j = nlohmann::json::parse(req.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return fail(ErrorCode::BadJson, "the body is not a JSON object");
    }
    return j;
}

Result<void> check_members(const nlohmann::json& body,
                           std::initializer_list<std::string_view> allowed,
                           std::initializer_list<std::pair<const char*, std::size_t>> strings) {
    for (const auto& [key, value] : body.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            return fail(
                ErrorCode::ValidationFailed, "unknown field", {{key, ErrorCode::UnknownField, ""}});
        }
    }
    for (const auto& [field, max] : strings) {
        if (body.contains(field) &&
            (!body[field].is_string() || body[field].get_ref<const std::string&>().size() > max)) {
            return fail(ErrorCode::ValidationFailed,
                        std::string(field) + " must be a string",
                        {{field,
                          ErrorCode::FieldTypeMismatch,
                          "a string of at most " + std::to_string(max) + " bytes"}});
        }
    }
    return {};
}

std::string string_or_empty(const nlohmann::json& body, const char* field) {
    return body.contains(field) ? body[field].get<std::string>() : std::string();
}

Result<void> require(const nlohmann::json& body, std::initializer_list<const char*> fields) {
    std::vector<FieldIssue> missing;
    for (const char* field : fields) {
        if (!body.contains(field)) {
            missing.push_back({field, ErrorCode::ValidationFailed, "required"});
        }
    }
    if (!missing.empty()) {
        return fail(ErrorCode::ValidationFailed, "required fields are missing", std::move(missing));
    }
    return {};
}

Error field_error(const char* field, const std::string& expected) {
    return Error{ErrorCode::ValidationFailed,
                 std::string(field) + " must be " + expected,
                 {{field, ErrorCode::FieldTypeMismatch, expected}}};
}

Result<std::string> idempotency_key_of(const Request& req) {
    const auto key = req.header("Idempotency-Key");
    if (!key) {
        return std::string();
    }
    if (key->empty() || key->size() > 200) {
        return fail(field_error("Idempotency-Key", "1 to 200 characters"));
    }
    return std::string(*key);
}

Response no_store(int status, const nlohmann::json& body) {
    auto response = Response::json(status, body.dump());
    response.set_header("Cache-Control", "no-store");
    return response;
}

Response versioned(int status, const nlohmann::json& body, std::int64_t version) {
    auto response = no_store(status, body);
    response.set_header("ETag", etag(version));
    return response;
}

Result<int> limit_of(const Request& req) {
    const auto text = req.query_param("limit");
    if (!text || text->empty()) {
        return 100;
    }
    int limit = 0;
    for (const char ch : *text) {
        if (ch < '0' || ch > '9' || limit > 100'000) {
            return fail(field_error("limit", "a whole number from 1 to 1000"));
        }
        limit = limit * 10 + (ch - '0');
    }
    if (limit < 1 || limit > 1000) {
        return fail(field_error("limit", "a whole number from 1 to 1000"));
    }
    return limit;
}

} // namespace kapal::http
