#include "kapal/http/audit_routes.hpp"

#include "kapal/core/time.hpp"
#include "kapal/http/problem.hpp"
#include "kapal/service/audit_check.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <mutex>

namespace kapal::http {

using nlohmann::json;

void add_audit_routes(Router& router,
                      store::Store& store,
                      const core::Clock& clock,
                      std::filesystem::path data_dir) {
    router.add("GET",
               "/api/v1/audit/verify",
               Access::only({core::Role::Admin, core::Role::Auditor}),
               [&store, &clock, dir = std::move(data_dir)](const Request& req) {
                   // One walk of the whole chain at a time: a second caller waits for the first.
                   static std::mutex one_at_a_time;
                   const std::lock_guard lock(one_at_a_time);
                   const auto started = std::chrono::steady_clock::now();
                   auto v = service::verify_audit(store, dir);
                   if (!v) {
                       return problem_response(v.error(), req.lang());
                   }
                   json findings = json::array();
                   for (const auto& f : v->findings) {
                       findings.push_back({{"seq", f.seq}, {"message", f.message}});
                   }
                   const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::steady_clock::now() - started)
                                       .count();
                   const json body{{"intact", v->findings.empty()},
                                   {"entries", v->entries},
                                   {"last_seq", v->last_seq},
                                   {"checkpoints_checked", v->checkpoints_checked},
                                   {"findings", findings},
                                   {"checked_at", core::format_timestamp(clock.now())},
                                   {"duration_ms", ms}};
                   return Response::json(200,
                                         body.dump(-1, ' ', false, json::error_handler_t::replace));
               });
}

} // namespace kapal::http
