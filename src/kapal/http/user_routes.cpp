#include "kapal/http/user_routes.hpp"

#include "kapal/http/person_json.hpp"
#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace kapal::http {
namespace {

using nlohmann::json;

const Access kAdmins = Access::only({core::Role::Admin});

json user_json(const core::User& u) {
    return {{"id", u.id},
            {"username", u.username},
            {"display_name", u.display_name},
            {"role", std::string(core::to_string(u.role))},
            {"area_codes", u.area_codes},
            {"disabled", u.disabled}};
}

Response json_response(int status, const json& body) {
    Response res =
        Response::json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
    // A generated password travels in some of these answers: never cache them.
    res.set_header("Cache-Control", "no-store");
    return res;
}

/// The new account in the body: username, display_name, role, area_codes; nothing else.
Result<service::NewUser> new_user_from(const Request& req) {
    if (!is_json_content(req)) {
        return fail(ErrorCode::UnsupportedMediaType, "send application/json");
    }
    if (json_too_deep(req.body)) {
        return fail(ErrorCode::BadJson, "nested too deeply");
    }
    const auto j = json::parse(req.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return fail(ErrorCode::BadJson, "the body is not a JSON object");
    }
    service::NewUser user;
    std::vector<FieldIssue> issues;
    for (const auto& [key, value] : j.items()) {
        if (key == "username" || key == "display_name" || key == "role") {
            if (!value.is_string()) {
                issues.push_back({key, ErrorCode::FieldTypeMismatch, "string"});
            }
        } else if (key == "area_codes") {
            if (!value.is_array() || !std::all_of(value.begin(), value.end(), [](const json& v) {
                    return v.is_string();
                })) {
                issues.push_back({key, ErrorCode::FieldTypeMismatch, "array of strings"});
            }
        } else {
            issues.push_back({key, ErrorCode::UnknownField, ""});
        }
    }
    if (!issues.empty()) {
        return fail(ErrorCode::ValidationFailed, "bad fields", std::move(issues));
    }
    user.username = j.value("username", "");
    user.display_name = j.value("display_name", "");
    const auto role = core::parse_role(j.value("role", ""));
    if (!role) {
        return fail(ErrorCode::ValidationFailed,
                    "bad role",
                    {{"role",
                      ErrorCode::InvalidArgument,
                      "admin, operator, auditor, viewer, penyalur or merchant"}});
    }
    user.role = *role;
    if (j.contains("area_codes")) {
        user.area_codes = j["area_codes"].get<std::vector<std::string>>();
    }
    return user;
}

/// The service's errors about a new account name no field; the form and API clients need one.
Error named(Error e) {
    if (e.fields.empty()) {
        const char* field =
            e.code == ErrorCode::AreaInvalid ? "area_codes"
            : e.code == ErrorCode::UsernameInvalid || e.code == ErrorCode::AlreadyExists
                ? "username"
                : nullptr;
        if (field != nullptr) {
            e.fields.push_back({field, e.code, ""});
        }
    }
    return e;
}

} // namespace

void add_user_routes(Router& router, service::UserService& users) {
    router.add("POST", "/api/v1/users", kAdmins, [&users](const Request& req) {
        auto input = new_user_from(req);
        if (!input) {
            return problem_response(input.error(), req.lang());
        }
        auto added = users.add(std::move(*input), actor_of(req));
        if (!added) {
            return problem_response(named(added.error()), req.lang());
        }
        Response res = json_response(
            201, json{{"user", user_json(added->user)}, {"password", added->generated_password}});
        res.set_header("Location", "/api/v1/users/" + added->user.username);
        return res;
    });

    for (const bool disable : {true, false}) {
        const std::string path =
            std::string("/api/v1/users/{username}/") + (disable ? "disable" : "enable");
        router.add("POST", path, kAdmins, [&users, disable](const Request& req) {
            const std::string username(req.path_param("username"));
            if (disable && req.principal && req.principal->user.username == username) {
                // An admin who disables themselves may leave nobody to undo it.
                return problem_response(
                    Error{ErrorCode::ValidationFailed,
                          "an admin cannot disable their own account",
                          {{"username", ErrorCode::InvalidArgument, "your own account"}}},
                    req.lang());
            }
            auto done = users.set_disabled(username, disable, actor_of(req));
            if (!done) {
                return problem_response(done.error(), req.lang());
            }
            auto list = users.list();
            if (!list) {
                return problem_response(list.error(), req.lang());
            }
            for (const auto& u : *list) {
                if (u.username == username) {
                    return json_response(200, json{{"user", user_json(u)}});
                }
            }
            return problem_response(ErrorCode::NotFound, req.lang());
        });
    }

    router.add("POST", "/api/v1/users/{username}/password", kAdmins, [&users](const Request& req) {
        const std::string username(req.path_param("username"));
        auto password = users.set_password(username, std::nullopt, actor_of(req));
        if (!password) {
            return problem_response(password.error(), req.lang());
        }
        return json_response(200, json{{"username", username}, {"password", *password}});
    });
}

} // namespace kapal::http
