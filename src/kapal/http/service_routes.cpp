#include "kapal/http/service_routes.hpp"

#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace kapal::http {

using nlohmann::json;

namespace {

json service_json(const store::ServiceRecord& s) {
    return {{"code", s.code},
            {"name", s.name},
            {"name_en", s.name_en},
            {"description", s.description},
            {"active", s.active},
            {"position", s.position},
            {"updated_at", core::format_timestamp(s.updated_at)},
            {"updated_by", s.updated_by}};
}

json request_json(const store::ServiceRequestRecord& r) {
    json history = json::array();
    for (const auto& e : r.history) {
        history.push_back({{"version", e.version},
                           {"at", core::format_timestamp(e.at)},
                           {"actor", e.actor},
                           {"status", e.status},
                           {"note", e.note}});
    }
    return {{"id", r.id},
            {"person_id", r.person_id},
            {"service", r.service_code},
            {"kelurahan_code", r.kelurahan_code},
            {"card_number", r.card_number.empty() ? json(nullptr) : json(r.card_number)},
            {"status", r.status},
            {"note", r.note},
            {"version", r.version},
            {"created_at", core::format_timestamp(r.created_at)},
            {"created_by", r.created_by},
            {"updated_at", core::format_timestamp(r.updated_at)},
            {"updated_by", r.updated_by},
            {"history", std::move(history)}};
}

Response request_response(int status, const store::ServiceRequestRecord& r) {
    auto response = Response::json(status, request_json(r).dump());
    response.set_header("ETag", etag(r.version));
    response.set_header("Cache-Control", "no-store");
    return response;
}

/// A request just opened (201), or the first one again for a repeated Idempotency-Key (200).
Response opened_response(const store::ServiceRequestOutcome& outcome) {
    auto response = request_response(outcome.replayed ? 200 : 201, outcome.record);
    response.set_header("Location", "/api/v1/service-requests/" + outcome.record.id);
    if (outcome.replayed) {
        response.set_header("Idempotent-Replayed", "true");
    }
    return response;
}

/// A catalogue entry from a body: code (from the path when given), name, name_en,
/// description, active, position.
Result<store::ServiceRecord> service_of(const json& body, const std::string& code) {
    KAPAL_TRY(
        check_members(body,
                      {"code", "name", "name_en", "description", "active", "position"},
                      {{"code", 40}, {"name", 200}, {"name_en", 200}, {"description", 2000}}));
    KAPAL_TRY(require(body,
                      code.empty() ? std::initializer_list<const char*>{"code", "name"}
                                   : std::initializer_list<const char*>{"name"}));
    if (body.contains("active") && !body["active"].is_boolean()) {
        return fail(ErrorCode::ValidationFailed,
                    "active must be true or false",
                    {{"active", ErrorCode::FieldTypeMismatch, "boolean"}});
    }
    if (body.contains("position") &&
        (!body["position"].is_number_integer() || body["position"].get<std::int64_t>() < 0 ||
         body["position"].get<std::int64_t>() > 10000)) {
        return fail(ErrorCode::ValidationFailed,
                    "position must be an integer",
                    {{"position", ErrorCode::FieldTypeMismatch, "an integer 0..10000"}});
    }
    store::ServiceRecord s;
    s.code = code.empty() ? string_or_empty(body, "code") : code;
    s.name = string_or_empty(body, "name");
    s.name_en = string_or_empty(body, "name_en");
    s.description = string_or_empty(body, "description");
    s.active = body.value("active", true);
    s.position = body.value("position", std::int64_t{0});
    return s;
}

} // namespace

void add_service_routes(Router& router, service::ServiceDesk& desk) {
    const Access& readers = readers_access();
    const Access& writers = writers_access();
    const Access admins = Access::only({core::Role::Admin});

    router.add("GET", "/api/v1/services", readers, [&desk](const Request& req) {
        auto services = desk.catalogue();
        if (!services) {
            return problem(services.error(), req);
        }
        json items = json::array();
        for (const auto& s : *services) {
            items.push_back(service_json(s));
        }
        return Response::json(200, json{{"items", std::move(items)}}.dump());
    });

    router.add("POST", "/api/v1/services", admins, [&desk](const Request& req) {
        auto body = json_object_body(req);
        if (!body) {
            return problem(body.error(), req);
        }
        auto service = service_of(*body, "");
        if (!service) {
            return problem(service.error(), req);
        }
        auto added = desk.add(*service, actor_of(req));
        if (!added) {
            return problem(added.error(), req);
        }
        return Response::json(201, service_json(*service).dump());
    });

    router.add("PUT", "/api/v1/services/{code}", admins, [&desk](const Request& req) {
        auto body = json_object_body(req);
        if (!body) {
            return problem(body.error(), req);
        }
        auto service = service_of(*body, std::string(req.path_param("code")));
        if (!service) {
            return problem(service.error(), req);
        }
        if (body->contains("code") && (*body)["code"] != service->code) {
            return problem(Error{ErrorCode::ValidationFailed,
                                 "the code cannot change",
                                 {{"code", ErrorCode::InvalidArgument, "the path's code"}}},
                           req);
        }
        auto updated = desk.update(*service, actor_of(req));
        if (!updated) {
            return problem(updated.error(), req);
        }
        return Response::json(200, service_json(*service).dump());
    });

    router.add(
        "GET", "/api/v1/persons/{id}/service-requests", readers, [&desk](const Request& req) {
            auto requests = desk.person_requests(core::PersonId(std::string(req.path_param("id"))),
                                                 actor_of(req));
            if (!requests) {
                return problem(requests.error(), req);
            }
            json items = json::array();
            for (const auto& r : *requests) {
                items.push_back(request_json(r));
            }
            auto response = Response::json(200, json{{"items", std::move(items)}}.dump());
            response.set_header("Cache-Control", "no-store");
            return response;
        });

    router.add(
        "POST", "/api/v1/persons/{id}/service-requests", writers, [&desk](const Request& req) {
            auto body = json_object_body(req);
            if (!body) {
                return problem(body.error(), req);
            }
            if (auto ok =
                    check_members(*body, {"service", "note"}, {{"service", 40}, {"note", 2000}});
                !ok) {
                return problem(ok.error(), req);
            }
            if (auto ok = require(*body, {"service"}); !ok) {
                return problem(ok.error(), req);
            }
            auto key = idempotency_key_of(req);
            if (!key) {
                return problem(key.error(), req);
            }
            auto opened = desk.open(core::PersonId(std::string(req.path_param("id"))),
                                    string_or_empty(*body, "service"),
                                    string_or_empty(*body, "note"),
                                    actor_of(req),
                                    *key);
            if (!opened) {
                return problem(opened.error(), req);
            }
            return opened_response(*opened);
        });

    router.add("POST", "/api/v1/service-requests/scan", writers, [&desk](const Request& req) {
        auto body = json_object_body(req);
        if (!body) {
            return problem(body.error(), req);
        }
        if (auto ok = check_members(
                *body, {"qr", "service", "note"}, {{"qr", 4296}, {"service", 40}, {"note", 2000}});
            !ok) {
            return problem(ok.error(), req);
        }
        if (auto ok = require(*body, {"qr", "service"}); !ok) {
            return problem(ok.error(), req);
        }
        auto key = idempotency_key_of(req);
        if (!key) {
            return problem(key.error(), req);
        }
        auto opened = desk.open_by_card(string_or_empty(*body, "qr"),
                                        string_or_empty(*body, "service"),
                                        string_or_empty(*body, "note"),
                                        actor_of(req),
                                        *key);
        if (!opened) {
            return problem(opened.error(), req);
        }
        return opened_response(*opened);
    });

    router.add("GET", "/api/v1/service-requests/{id}", readers, [&desk](const Request& req) {
        auto found = desk.get(std::string(req.path_param("id")), actor_of(req));
        if (!found) {
            return problem(found.error(), req);
        }
        return request_response(200, *found);
    });

    router.add(
        "POST", "/api/v1/service-requests/{id}/status", writers, [&desk](const Request& req) {
            auto version = if_match_version(req);
            if (!version) {
                return problem(version.error(), req);
            }
            auto body = json_object_body(req);
            if (!body) {
                return problem(body.error(), req);
            }
            if (auto ok =
                    check_members(*body, {"status", "note"}, {{"status", 20}, {"note", 2000}});
                !ok) {
                return problem(ok.error(), req);
            }
            if (auto ok = require(*body, {"status"}); !ok) {
                return problem(ok.error(), req);
            }
            auto moved = desk.advance(std::string(req.path_param("id")),
                                      *version,
                                      string_or_empty(*body, "status"),
                                      string_or_empty(*body, "note"),
                                      actor_of(req));
            if (!moved) {
                return problem(moved.error(), req);
            }
            return request_response(200, *moved);
        });
}

} // namespace kapal::http
