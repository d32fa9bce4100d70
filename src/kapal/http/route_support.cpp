#include "kapal/http/route_support.hpp"

#include "kapal/http/http_types.hpp"
#include "kapal/http/person_json.hpp"
#include "kapal/http/problem.hpp"

#include <nlohmann/json.hpp>

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

} // namespace kapal::http
