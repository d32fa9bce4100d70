#include "kapal/http/aid_transfer_routes.hpp"

#include "kapal/core/time.hpp"
#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"

#include <nlohmann/json.hpp>

namespace kapal::http {

using nlohmann::json;

namespace {

using core::Role;

json batch_json(const store::AidBatchRecord& b) {
    return {{"id", b.id},
            {"cycle_id", b.cycle_id},
            {"program_code", b.program_code},
            {"number", b.number},
            {"state", b.state},
            {"line_count", b.line_count},
            {"total_amount", b.total_amount},
            {"paid_count", b.paid_count},
            {"paid_amount", b.paid_amount},
            {"failed_count", b.failed_count},
            {"pending_count", b.pending_count},
            {"created_at", core::format_timestamp(b.created_at)},
            {"created_by", b.created_by},
            {"reconciled_at",
             b.reconciled_at ? json(core::format_timestamp(*b.reconciled_at)) : json(nullptr)},
            {"file", "/api/v1/aid/batches/" + b.id + "/file"}};
}

json line_json(const store::AidDeliveryRecord& d) {
    return {{"delivery_id", d.id},
            {"person_id", d.person_id},
            {"kelurahan_code", d.kelurahan_code},
            {"amount", d.amount},
            {"state", d.state},
            {"recorded_at", core::format_timestamp(d.recorded_at)},
            {"fail_reason", d.fail_reason},
            {"bank_reference", d.bank_reference},
            {"flags", d.flags}};
}

} // namespace

void add_aid_transfer_routes(Router& router, service::AidTransferService& transfer) {
    const Access& readers = readers_access();
    const Access& writers = writers_access();
    const Access unmaskers = Access::only({Role::Admin, Role::Operator, Role::Auditor});

    router.add("GET",
               "/api/v1/aid/cycles/{id}/batches",
               readers,
               guarded([&transfer](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(
                       batches, transfer.batches(std::string(req.path_param("id")), actor_of(req)));
                   json items = json::array();
                   for (const auto& b : batches) {
                       items.push_back(batch_json(b));
                   }
                   return no_store(200, json{{"items", std::move(items)}});
               }));

    router.add(
        "POST",
        "/api/v1/aid/cycles/{id}/batches",
        writers,
        guarded([&transfer](const Request& req) -> Result<Response> {
            if (!req.body.empty()) {
                KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
                KAPAL_TRY(check_members(body, {}, {}));
            }
            KAPAL_ASSIGN_OR_RETURN(
                made, transfer.make_batch(std::string(req.path_param("id")), actor_of(req)));
            json left_out = json::array();
            for (const auto& l : made.left_out) {
                left_out.push_back(
                    {{"person_id", l.person_id},
                     {"kelurahan_code", l.kelurahan_code},
                     {"reason", l.reason},
                     {"delivery_id", l.delivery_id.empty() ? json(nullptr) : json(l.delivery_id)}});
            }
            json flags = json::object();
            for (const auto& [flag, n] : made.flag_counts) {
                flags[flag] = n;
            }
            json body = batch_json(made.batch);
            body["left_out"] = std::move(left_out);
            body["flag_counts"] = std::move(flags);
            auto response = no_store(201, body);
            response.set_header("Location", "/api/v1/aid/batches/" + made.batch.id);
            return response;
        }));

    router.add("GET",
               "/api/v1/aid/batches/{id}",
               readers,
               guarded([&transfer](const Request& req) -> Result<Response> {
                   const std::string id(req.path_param("id"));
                   KAPAL_ASSIGN_OR_RETURN(batch, transfer.batch(id, actor_of(req)));
                   KAPAL_ASSIGN_OR_RETURN(lines, transfer.lines(id, actor_of(req)));
                   json items = json::array();
                   for (const auto& l : lines) {
                       items.push_back(line_json(l));
                   }
                   json body = batch_json(batch);
                   body["lines"] = std::move(items);
                   return no_store(200, body);
               }));

    router.add("GET",
               "/api/v1/aid/batches/{id}/file",
               unmaskers,
               guarded([&transfer](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(
                       file, transfer.batch_file(std::string(req.path_param("id")), actor_of(req)));
                   auto response = Response::attachment(
                       std::move(file.bytes), "text/csv; charset=utf-8", file.filename);
                   response.set_header("X-Checksum-SHA256", file.sha256);
                   return response;
               }));

    router.add("POST",
               "/api/v1/aid/batches/{id}/result",
               writers,
               guarded([&transfer](const Request& req) -> Result<Response> {
                   if (req.body.empty()) {
                       return fail(Error{ErrorCode::ValidationFailed,
                                         "the body must be the bank's result file (CSV)",
                                         {{"body", ErrorCode::InvalidArgument, "required"}}});
                   }
                   KAPAL_ASSIGN_OR_RETURN(rec,
                                          transfer.import_result(std::string(req.path_param("id")),
                                                                 req.body,
                                                                 actor_of(req)));
                   json problems = json::array();
                   for (const auto& p : rec.problems) {
                       problems.push_back({{"row", p.row},
                                           {"column", p.column},
                                           {"delivery_id", p.delivery_id},
                                           {"kind", p.kind},
                                           {"message", p.message}});
                   }
                   return no_store(200,
                                   json{{"batch", batch_json(rec.batch)},
                                        {"rows", rec.rows},
                                        {"paid", rec.paid},
                                        {"failed", rec.failed},
                                        {"unchanged", rec.unchanged},
                                        {"unmatched", rec.unmatched},
                                        {"invalid", rec.invalid},
                                        {"already_imported", rec.already_imported},
                                        {"problems", std::move(problems)}});
               }));
}

} // namespace kapal::http
