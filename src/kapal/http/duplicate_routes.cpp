#include "kapal/http/duplicate_routes.hpp"

#include "kapal/core/time.hpp"
#include "kapal/http/person_json.hpp"
#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"
#include "kapal/service/duplicate_check.hpp"

#include <nlohmann/json.hpp>

namespace kapal::http {

using nlohmann::json;

namespace {

using core::Role;

/// A pair as the actor may see it: a person outside the actor's areas is named by neither id
/// nor kelurahan (as the duplicate warning, docs/integrity.md "Areas").
json pair_json(const store::DuplicatePairRecord& p, const service::Actor& actor) {
    const bool sees_a = service::actor_covers(actor, p.kelurahan_a);
    const bool sees_b = service::actor_covers(actor, p.kelurahan_b);
    json explanation = json::parse(p.explanation, nullptr, false);
    if (explanation.is_discarded()) {
        explanation = json::array();
    }
    const auto hidden = [](bool sees, const std::string& value) {
        return sees ? json(value) : json(nullptr);
    };
    const bool kept_visible =
        (p.kept_id == p.person_a.str() && sees_a) || (p.kept_id == p.person_b.str() && sees_b);
    return {{"id", p.id},
            {"person_a", hidden(sees_a, p.person_a.str())},
            {"person_b", hidden(sees_b, p.person_b.str())},
            {"kelurahan_a", hidden(sees_a, p.kelurahan_a)},
            {"kelurahan_b", hidden(sees_b, p.kelurahan_b)},
            {"score", p.score},
            {"explanation", std::move(explanation)},
            {"source", p.source},
            {"state", p.state},
            {"found_at", core::format_timestamp(p.found_at)},
            {"found_by", p.found_by},
            {"decided_at", p.decided_at ? json(core::format_timestamp(*p.decided_at)) : json()},
            {"decided_by", p.decided_by},
            {"decision_reason", p.decision_reason},
            {"kept_id", p.kept_id.empty() || !kept_visible ? json() : json(p.kept_id)},
            {"version", p.version}};
}

json person_or_null(const std::optional<core::PersonRecord>& record) {
    return record ? json::parse(person_to_json(*record)) : json();
}

/// The reason of a decision from a body (with keep_id for a merge).
Result<json> decision_body(const Request& req, bool merge) {
    KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
    if (merge) {
        KAPAL_TRY(check_members(body, {"keep_id", "reason"}, {{"keep_id", 64}, {"reason", 500}}));
        KAPAL_TRY(require(body, {"keep_id", "reason"}));
    } else {
        KAPAL_TRY(check_members(body, {"reason"}, {{"reason", 500}}));
        KAPAL_TRY(require(body, {"reason"}));
    }
    return body;
}

} // namespace

void add_duplicate_routes(Router& router, service::DuplicateReview& review) {
    const Access readers = Access::only({Role::Admin, Role::Operator, Role::Auditor});
    const Access deciders = Access::only({Role::Admin, Role::Operator});
    const Access admins = Access::only({Role::Admin});

    router.add(
        "GET",
        "/api/v1/duplicates",
        readers,
        guarded([&review](const Request& req) -> Result<Response> {
            KAPAL_ASSIGN_OR_RETURN(limit, limit_of(req));
            store::DuplicatePairQuery query;
            query.state = std::string(req.query_param("state").value_or(""));
            query.person_id = std::string(req.query_param("person_id").value_or(""));
            query.cursor = std::string(req.query_param("cursor").value_or(""));
            query.limit = limit;
            const auto actor = actor_of(req);
            KAPAL_ASSIGN_OR_RETURN(page, review.list(query, actor));
            json items = json::array();
            for (const auto& p : page.items) {
                json item = pair_json(p, actor);
                // The names a reviewer recognises the pair by (those the actor may see).
                KAPAL_ASSIGN_OR_RETURN(view, review.with_records(p, actor));
                item["a_name"] = view.a ? json(view.a->person.full_name) : json();
                item["b_name"] = view.b ? json(view.b->person.full_name) : json();
                items.push_back(std::move(item));
            }
            return no_store(
                200,
                json{{"items", std::move(items)},
                     {"next_cursor", page.next_cursor.empty() ? json() : json(page.next_cursor)}});
        }));

    router.add("GET",
               "/api/v1/duplicates/{id}",
               readers,
               guarded([&review](const Request& req) -> Result<Response> {
                   const auto actor = actor_of(req);
                   KAPAL_ASSIGN_OR_RETURN(view,
                                          review.get(std::string(req.path_param("id")), actor));
                   json body = pair_json(view.pair, actor);
                   body["a"] = person_or_null(view.a);
                   body["b"] = person_or_null(view.b);
                   return versioned(200, body, view.pair.version);
               }));

    router.add("POST",
               "/api/v1/duplicates/{id}/distinct",
               deciders,
               guarded([&review](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(version, if_match_version(req));
                   KAPAL_ASSIGN_OR_RETURN(body, decision_body(req, false));
                   const auto actor = actor_of(req);
                   KAPAL_ASSIGN_OR_RETURN(pair,
                                          review.mark_distinct(std::string(req.path_param("id")),
                                                               version,
                                                               string_or_empty(body, "reason"),
                                                               actor));
                   return versioned(200, pair_json(pair, actor), pair.version);
               }));

    router.add("POST",
               "/api/v1/duplicates/{id}/merge",
               deciders,
               guarded([&review](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(version, if_match_version(req));
                   KAPAL_ASSIGN_OR_RETURN(body, decision_body(req, true));
                   const auto actor = actor_of(req);
                   KAPAL_ASSIGN_OR_RETURN(outcome,
                                          review.merge(std::string(req.path_param("id")),
                                                       version,
                                                       string_or_empty(body, "keep_id"),
                                                       string_or_empty(body, "reason"),
                                                       actor));
                   json out = pair_json(outcome.pair, actor);
                   out["absorbed"] = json::parse(person_to_json(outcome.absorbed));
                   return versioned(200, out, outcome.pair.version);
               }));

    router.add("POST",
               "/api/v1/duplicates/scan",
               admins,
               guarded([&review](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(outcome, review.scan(actor_of(req)));
                   return no_store(200,
                                   json{{"persons", outcome.persons},
                                        {"compared", outcome.compared},
                                        {"found", outcome.found},
                                        {"added", outcome.added}});
               }));
}

} // namespace kapal::http
