#include "kapal/http/auth_routes.hpp"

#include "kapal/core/time.hpp"
#include "kapal/http/person_json.hpp"
#include "kapal/http/problem.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace kapal::http {
namespace {

using nlohmann::json;

json user_json(const core::User& u) {
    return {{"id", u.id},
            {"username", u.username},
            {"display_name", u.display_name},
            {"role", std::string(core::to_string(u.role))},
            {"area_codes", u.area_codes},
            {"disabled", u.disabled}};
}

Response json_response(int status, const json& body) {
    return Response::json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

/// The body as a JSON object whose members are all strings and all in `allowed`.
Result<json> string_object(const Request& req, std::initializer_list<std::string_view> allowed) {
    if (!is_json_content(req)) {
        return fail(ErrorCode::UnsupportedMediaType, "send application/json");
    }
    if (json_too_deep(req.body)) {
        return fail(ErrorCode::BadJson, "nested too deeply");
    }
    auto j = json::parse(req.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return fail(ErrorCode::BadJson, "the body is not a JSON object");
    }
    std::vector<FieldIssue> issues;
    for (const auto& [key, value] : j.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            issues.push_back({key, ErrorCode::UnknownField, ""});
        } else if (!value.is_string()) {
            issues.push_back({key, ErrorCode::FieldTypeMismatch, "string"});
        }
    }
    if (!issues.empty()) {
        return fail(ErrorCode::ValidationFailed, "bad fields", std::move(issues));
    }
    return j;
}

std::string text_member(const json& j, const char* key) {
    return j.contains(key) ? j[key].get<std::string>() : std::string();
}

json session_json(const store::SessionRecord& s, const std::string& current) {
    return {{"id", s.id},
            {"created_at", core::format_timestamp(s.created_at)},
            {"last_seen_at", core::format_timestamp(s.last_seen_at)},
            {"expires_at", core::format_timestamp(s.expires_at)},
            {"address", s.address},
            {"user_agent", s.user_agent},
            {"current", s.id == current}};
}

} // namespace

void add_auth_routes(Router& router,
                     service::AuthService& auth,
                     AuthGate& gate,
                     service::UserService& users,
                     store::Store& store,
                     std::string instance,
                     int offline_wipe_days) {
    router.set_gate([&gate](Request& req, const Access& access, const Handler& handler) {
        return gate(req, access, handler);
    });

    router.add(
        "POST",
        "/api/v1/auth/login",
        Access::open(),
        [&auth, &gate, instance, offline_wipe_days](const Request& req) {
            // Login CSRF: a cross-site form could sign the victim in as the attacker.
            if (cross_origin(req)) {
                return problem_response(ErrorCode::CsrfFailed, req.lang(), "cross-site login");
            }
            auto body = string_object(req, {"username", "password"});
            if (!body) {
                return problem_response(body.error(), req.lang());
            }
            const std::string username = text_member(*body, "username");
            const std::string password = text_member(*body, "password");
            if (auto wait = auth.login_wait(username, req.remote_address)) {
                Response res = problem_response(ErrorCode::LoginThrottled, req.lang());
                res.set_header("Retry-After", std::to_string(wait->count()));
                return res;
            }
            auto result = auth.login(username,
                                     password,
                                     req.remote_address,
                                     std::string(req.header("User-Agent").value_or("")));
            if (!result) {
                return problem_response(result.error(), req.lang());
            }
            // Session fixation: whatever session cookie the client brought is ended; the new one
            // is always fresh.
            if (auto old = gate.identify(req); old && *old && !(*old)->session_id.empty()) {
                (void)auth.logout(**old, req.remote_address);
            }
            const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(
                                     result->session.expires_at - result->session.created_at)
                                     .count();
            json out = {{"user", user_json(result->user)},
                        {"csrf_token", result->csrf_token},
                        {"session_id", result->session.id},
                        {"expires_at", core::format_timestamp(result->session.expires_at)},
                        {"idle_timeout_s", auth.settings().idle_timeout.count()},
                        {"instance", instance},
                        {"offline_wipe_days", offline_wipe_days}};
            Response res = json_response(200, out);
            res.headers.emplace_back("Set-Cookie",
                                     gate.session_cookie(req, result->session_token, max_age));
            return res;
        });

    router.add(
        "POST", "/api/v1/auth/logout", Access::signed_in(), [&auth, &gate](const Request& req) {
            if (auto r = auth.logout(*req.principal, req.remote_address); !r) {
                return problem_response(r.error(), req.lang());
            }
            Response res;
            res.status = 204;
            res.headers.emplace_back("Set-Cookie", gate.clearing_cookie(req));
            return res;
        });

    router.add("GET",
               "/api/v1/auth/me",
               Access::signed_in(),
               [instance, offline_wipe_days](const Request& req) {
                   const auto& p = *req.principal;
                   json out = {{"user", user_json(p.user)},
                               {"role", std::string(core::to_string(p.role))},
                               {"area_codes", p.area_codes},
                               {"may_unmask", core::may_unmask(p.role)},
                               {"instance", instance},
                               {"offline_wipe_days", offline_wipe_days}};
                   if (!p.session_id.empty()) {
                       out["session_id"] = p.session_id;
                       out["csrf_token"] = p.csrf_token;
                   } else {
                       out["token_id"] = p.token_id;
                   }
                   return json_response(200, out);
               });

    router.add("GET", "/api/v1/auth/sessions", Access::signed_in(), [&auth](const Request& req) {
        auto list = auth.sessions(*req.principal);
        if (!list) {
            return problem_response(list.error(), req.lang());
        }
        json items = json::array();
        for (const auto& s : *list) {
            items.push_back(session_json(s, req.principal->session_id));
        }
        return json_response(200, json{{"items", items}});
    });

    router.add("DELETE",
               "/api/v1/auth/sessions/{id}",
               Access::signed_in(),
               [&auth, &gate](const Request& req) {
                   const std::string id(req.path_param("id"));
                   if (auto r = auth.revoke_session(*req.principal, id, req.remote_address); !r) {
                       return problem_response(r.error(), req.lang());
                   }
                   Response res;
                   res.status = 204;
                   if (id == req.principal->session_id) {
                       res.headers.emplace_back("Set-Cookie", gate.clearing_cookie(req));
                   }
                   return res;
               });

    router.add(
        "GET", "/api/v1/users", Access::only({core::Role::Admin}), [&users](const Request& req) {
            auto list = users.list();
            if (!list) {
                return problem_response(list.error(), req.lang());
            }
            json items = json::array();
            for (const auto& u : *list) {
                items.push_back(user_json(u));
            }
            return json_response(200, json{{"items", items}});
        });

    router.add(
        "GET",
        "/api/v1/audit",
        Access::only({core::Role::Admin, core::Role::Auditor}),
        [&store](const Request& req) {
            store::AuditQuery q;
            q.actor = std::string(req.query_param("actor").value_or(""));
            q.action = std::string(req.query_param("action").value_or(""));
            q.subject = std::string(req.query_param("subject").value_or(""));
            std::vector<FieldIssue> issues;
            auto number = [&](const char* name, auto& out, long long lo, long long hi) {
                if (auto v = req.query_param(name)) {
                    long long n = 0;
                    const auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
                    if (ec != std::errc{} || ptr != v->data() + v->size() || n < lo || n > hi) {
                        issues.push_back({name,
                                          ErrorCode::InvalidArgument,
                                          std::to_string(lo) + ".." + std::to_string(hi)});
                    } else {
                        out = static_cast<std::remove_reference_t<decltype(out)>>(n);
                    }
                }
            };
            number("before", q.before_seq, 1, std::numeric_limits<long long>::max());
            number("limit", q.limit, 1, 1000);
            // When: an ISO 8601 UTC instant (or a date, from its midnight UTC); `to` exclusive.
            auto instant = [&](const char* name, std::optional<core::Timestamp>& out) {
                if (auto v = req.query_param(name)) {
                    out = core::parse_timestamp(*v);
                    if (!out) {
                        issues.push_back({name,
                                          ErrorCode::InvalidArgument,
                                          "ISO 8601 UTC, 2026-11-28T16:00:00Z"});
                    }
                }
            };
            instant("from", q.at_from);
            instant("to", q.at_to);
            if (!issues.empty()) {
                return problem_response(
                    Error{ErrorCode::ValidationFailed, "bad query parameters", issues}, req.lang());
            }
            auto entries = store.list_audit(q);
            if (!entries) {
                return problem_response(entries.error(), req.lang());
            }
            json items = json::array();
            for (const auto& e : *entries) {
                items.push_back({{"seq", e.seq},
                                 {"at", core::format_timestamp(e.at)},
                                 {"actor", e.actor},
                                 {"source", e.source},
                                 {"action", e.action},
                                 {"subject", e.subject},
                                 {"detail", e.detail}});
            }
            json out = {{"items", items}};
            if (!entries->empty() && static_cast<int>(entries->size()) == q.limit) {
                out["next_before"] = entries->back().seq;
            } else {
                out["next_before"] = nullptr;
            }
            return json_response(200, out);
        });
}

} // namespace kapal::http
