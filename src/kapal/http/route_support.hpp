#pragma once
// What every group of API routes needs: who is calling (as the services' Actor), the usual
// role sets, error responses in the caller's language, and a JSON object body.

#include "kapal/core/result.hpp"
#include "kapal/http/router.hpp"
#include "kapal/service/actor.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace kapal::http {

/// Admin, operator, auditor and viewer: whoever may read the registry.
const Access& readers_access();

/// Admin and operator: whoever may change it.
const Access& writers_access();

/// The caller as an Actor. Routes behind the gate always have a principal; without one (a
/// routing bug) the actor is an anonymous viewer scoped to no area, who sees nothing.
service::Actor actor_of(const Request& req);

/// problem_response(e, req.lang()).
Response problem(const Error& e, const Request& req);

/// The ETag of a record version: "3".
std::string etag(std::int64_t version);

/// The version in an If-Match value: "3" or W/"3". nullopt for anything else (incl. "*").
std::optional<std::int64_t> parse_if_match(std::string_view v);

/// The version the request's If-Match names. Errors: PreconditionRequired (missing, or not the
/// ETag of a record).
Result<std::int64_t> if_match_version(const Request& req);

/// The body as a JSON object. Errors: UnsupportedMediaType, BadJson (not JSON, not an object,
/// nested too deeply).
Result<nlohmann::json> json_object_body(const Request& req);

/// Checks the members of a JSON object body: only `allowed` ones, and the members `strings`
/// names are strings of at most the given length. Errors: ValidationFailed with UnknownField or
/// FieldTypeMismatch at the field.
Result<void> check_members(const nlohmann::json& body,
                           std::initializer_list<std::string_view> allowed,
                           std::initializer_list<std::pair<const char*, std::size_t>> strings);

/// The string member `field`, or "" when absent (check its type first with check_members).
std::string string_or_empty(const nlohmann::json& body, const char* field);

/// Errors: ValidationFailed naming every member of `fields` that is missing ("required").
Result<void> require(const nlohmann::json& body, std::initializer_list<const char*> fields);

/// A ValidationFailed error at `field`: "<field> must be <expected>".
Error field_error(const char* field, const std::string& expected);

/// The client's Idempotency-Key header: "" when absent. Errors: ValidationFailed at
/// "Idempotency-Key" when it is empty or over 200 characters.
Result<std::string> idempotency_key_of(const Request& req);

/// A JSON answer no cache keeps (Cache-Control: no-store).
Response no_store(int status, const nlohmann::json& body);

/// no_store with the ETag of the record's version.
Response versioned(int status, const nlohmann::json& body, std::int64_t version);

/// The `limit` query parameter: 1..1000, 100 when absent. Errors: ValidationFailed at "limit".
Result<int> limit_of(const Request& req);

/// A handler returning Result<Response> as a route handler: an error is answered as
/// problem+json in the caller's language.
template <class Handler> auto guarded(Handler handler) {
    return [handler](const Request& req) -> Response {
        auto response = handler(req);
        if (!response) {
            return problem(response.error(), req);
        }
        return std::move(*response);
    };
}

} // namespace kapal::http
