#include "kapal/http/sync_routes.hpp"

#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"

#include <nlohmann/json.hpp>

#include <limits>

namespace kapal::http {
namespace {

using core::Role;

Response json_text(std::string text) {
    Response r = Response::json(200, std::move(text));
    r.set_header("Cache-Control", "no-store");
    return r;
}

} // namespace

void add_sync_routes(Router& router, SyncEngine& sync) {
    // Whoever makes changes in the field: registers or edits persons, or hands over aid.
    const Access senders = Access::only({Role::Admin, Role::Operator, Role::Penyalur});
    const Access pullers =
        Access::only({Role::Admin, Role::Operator, Role::Auditor, Role::Viewer, Role::Penyalur});
    const Access conflict_readers = Access::only({Role::Admin, Role::Operator, Role::Auditor});
    const Access supervisors = Access::only({Role::Admin});

    router.add("POST",
               "/api/v1/sync/batch",
               senders,
               guarded([&sync](const Request& req) -> Result<Response> {
                   KAPAL_TRY(json_object_body(req)); // media type, JSON, depth
                   KAPAL_ASSIGN_OR_RETURN(answer, sync.batch(req.body, actor_of(req), req.lang()));
                   return json_text(std::move(answer));
               }));

    router.add("GET",
               "/api/v1/sync/pull",
               pullers,
               guarded([&sync](const Request& req) -> Result<Response> {
                   std::vector<FieldIssue> issues;
                   check_known(req, {"since", "limit"}, issues);
                   if (!issues.empty()) {
                       return bad_parameters(std::move(issues), req);
                   }
                   int limit = kDefaultPullLimit;
                   if (const auto text = req.query_param("limit")) {
                       try {
                           std::size_t used = 0;
                           limit = std::stoi(std::string(*text), &used);
                           if (used != text->size()) {
                               limit = 0;
                           }
                       } catch (const std::exception&) {
                           limit = 0;
                       }
                   }
                   KAPAL_ASSIGN_OR_RETURN(
                       answer,
                       sync.pull(std::string(req.query_param("since").value_or("")),
                                 limit,
                                 actor_of(req)));
                   return json_text(std::move(answer));
               }));

    router.add("GET",
               "/api/v1/sync/conflicts",
               conflict_readers,
               guarded([&sync](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(limit, limit_of(req));
                   std::string state(req.query_param("status").value_or("open"));
                   if (state == "open") {
                       state = std::string(store::kSyncConflict);
                   } else if (state != store::kSyncResolved) {
                       return fail(field_error("status", "open or resolved"));
                   }
                   KAPAL_ASSIGN_OR_RETURN(
                       answer,
                       sync.conflicts(state,
                                      std::string(req.query_param("cursor").value_or("")),
                                      limit,
                                      actor_of(req)));
                   return json_text(std::move(answer));
               }));

    router.add("GET",
               "/api/v1/sync/conflicts/{id}",
               conflict_readers,
               guarded([&sync](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(
                       answer, sync.conflict(std::string(req.path_param("id")), actor_of(req)));
                   return json_text(std::move(answer));
               }));

    router.add("POST",
               "/api/v1/sync/conflicts/{id}/resolve",
               supervisors,
               guarded([&sync](const Request& req) -> Result<Response> {
                   KAPAL_TRY(json_object_body(req));
                   KAPAL_ASSIGN_OR_RETURN(
                       answer,
                       sync.resolve(std::string(req.path_param("id")), req.body, actor_of(req)));
                   return json_text(std::move(answer));
               }));
}

} // namespace kapal::http
