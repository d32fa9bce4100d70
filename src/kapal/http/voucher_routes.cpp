#include "kapal/http/voucher_routes.hpp"

#include "kapal/core/time.hpp"
#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"

#include <nlohmann/json.hpp>

#include <map>

namespace kapal::http {

using nlohmann::json;

namespace {

using core::Role;

json merchant_json(const store::MerchantRecord& m) {
    return {{"id", m.id},
            {"name", m.name},
            {"user_id", m.user_id},
            {"kelurahan_code", m.kelurahan_code},
            {"lon", m.lon},
            {"lat", m.lat},
            {"address", m.address},
            {"active", m.active},
            {"version", m.version},
            {"created_at", core::format_timestamp(m.created_at)},
            {"created_by", m.created_by},
            {"updated_at", core::format_timestamp(m.updated_at)},
            {"updated_by", m.updated_by}};
}

json balance_json(const store::VoucherBalance& b) {
    return {{"cycle_id", b.cycle_id},
            {"person_id", b.person_id},
            {"kelurahan_code", b.kelurahan_code},
            {"entitled", b.entitled},
            {"spent", b.spent},
            {"balance", b.balance},
            {"issued", b.issued},
            {"delivery_id", b.delivery_id.empty() ? json(nullptr) : json(b.delivery_id)}};
}

json transaction_json(const store::VoucherTransaction& t) {
    json postings = json::array();
    for (const auto& p : t.postings) {
        postings.push_back({{"account", p.account}, {"amount", p.amount}});
    }
    return {{"id", t.id},
            {"cycle_id", t.cycle_id},
            {"kind", t.kind},
            {"person_id", t.person_id},
            {"merchant_id", t.merchant_id.empty() ? json(nullptr) : json(t.merchant_id)},
            {"amount", t.amount},
            {"note", t.note},
            {"at", core::format_timestamp(t.at)},
            {"actor", t.actor},
            {"card_number", t.card_number.empty() ? json(nullptr) : json(t.card_number)},
            {"search_reason", t.search_reason},
            {"postings", std::move(postings)}};
}

json holder_person_json(const service::AidBeneficiary& b) {
    return {{"person_id", b.person_id},
            {"name", b.name},
            {"kelurahan_code", b.kelurahan_code},
            {"card_number", b.card_number.empty() ? json(nullptr) : json(b.card_number)},
            {"on_list", b.on_list}};
}

/// A merchant from a body.
Result<store::MerchantRecord> merchant_of(const json& body) {
    KAPAL_TRY(
        check_members(body,
                      {"name", "user_id", "kelurahan_code", "lon", "lat", "address", "active"},
                      {{"name", 200}, {"user_id", 64}, {"kelurahan_code", 20}, {"address", 500}}));
    KAPAL_TRY(require(body, {"name", "user_id", "kelurahan_code", "lon", "lat"}));
    for (const char* field : {"lon", "lat"}) {
        if (!body[field].is_number()) {
            return fail(field_error(field, "a number (WGS84 degrees)"));
        }
    }
    if (body.contains("active") && !body["active"].is_boolean()) {
        return fail(field_error("active", "true or false"));
    }
    store::MerchantRecord m;
    m.name = string_or_empty(body, "name");
    m.user_id = string_or_empty(body, "user_id");
    m.kelurahan_code = string_or_empty(body, "kelurahan_code");
    m.lon = body["lon"].get<double>();
    m.lat = body["lat"].get<double>();
    m.address = string_or_empty(body, "address");
    m.active = body.value("active", true);
    return m;
}

/// Who the scan or search names, and (for a redemption) the amount, note and merchant.
Result<service::VoucherRequest>
request_of(const json& body, const std::string& cycle_id, bool redemption) {
    KAPAL_TRY(check_members(
        body,
        {"qr", "card_number", "person_id", "search_reason", "merchant_id", "amount", "note"},
        {{"qr", 4296},
         {"card_number", 40},
         {"person_id", 40},
         {"search_reason", 500},
         {"merchant_id", 40},
         {"note", 500}}));
    service::VoucherRequest r;
    r.cycle_id = cycle_id;
    r.qr = string_or_empty(body, "qr");
    r.card_number = string_or_empty(body, "card_number");
    r.person_id = string_or_empty(body, "person_id");
    if (r.qr.empty() && r.card_number.empty() && r.person_id.empty()) {
        return fail(ErrorCode::ValidationFailed,
                    "scan the card (qr), type its number or choose the person",
                    {{"qr", ErrorCode::ValidationFailed, "required"}});
    }
    r.search_reason = string_or_empty(body, "search_reason");
    r.merchant_id = string_or_empty(body, "merchant_id");
    r.note = string_or_empty(body, "note");
    if (redemption) {
        KAPAL_TRY(require(body, {"amount"}));
        if (!body["amount"].is_number_integer() || body["amount"].get<std::int64_t>() <= 0) {
            return fail(field_error("amount", "a whole number of rupiah, more than 0"));
        }
        r.amount = body["amount"].get<std::int64_t>();
    }
    return r;
}

/// A page of transactions as {items, next_after}.
Response transactions_page(const std::vector<store::VoucherTransaction>& page, int limit) {
    json items = json::array();
    for (const auto& t : page) {
        items.push_back(transaction_json(t));
    }
    json body{{"items", std::move(items)}};
    if (page.size() == static_cast<std::size_t>(limit)) {
        body["next_after"] = page.back().id;
    }
    return no_store(200, body);
}

} // namespace

void add_voucher_routes(Router& router, service::VoucherService& vouchers) {
    const Access admins = Access::only({Role::Admin});
    const Access merchant_readers =
        Access::only({Role::Admin, Role::Operator, Role::Auditor, Role::Viewer, Role::Merchant});
    const Access redeemers = Access::only({Role::Admin, Role::Merchant});
    const Access ledger_readers = Access::only({Role::Admin, Role::Auditor, Role::Merchant});
    const Access balance_readers =
        Access::only({Role::Admin, Role::Operator, Role::Auditor, Role::Viewer, Role::Merchant});

    router.add(
        "GET",
        "/api/v1/aid/merchants",
        merchant_readers,
        guarded([&vouchers](const Request& req) -> Result<Response> {
            const std::string format(req.query_param("format").value_or("json"));
            if (format != "json" && format != "geojson") {
                return fail(field_error("format", "json or geojson"));
            }
            KAPAL_ASSIGN_OR_RETURN(merchants, vouchers.merchants(actor_of(req)));
            if (format == "geojson") {
                json features = json::array();
                for (const auto& m : merchants) {
                    json properties = merchant_json(m);
                    properties.erase("lon");
                    properties.erase("lat");
                    features.push_back(
                        {{"type", "Feature"},
                         {"id", m.id},
                         {"geometry",
                          {{"type", "Point"}, {"coordinates", json::array({m.lon, m.lat})}}},
                         {"properties", std::move(properties)}});
                }
                auto response = Response::json(
                    200,
                    json{{"type", "FeatureCollection"}, {"features", std::move(features)}}.dump());
                response.set_header("Content-Type", "application/geo+json");
                response.set_header("Cache-Control", "no-store");
                return response;
            }
            json items = json::array();
            for (const auto& m : merchants) {
                items.push_back(merchant_json(m));
            }
            return no_store(200, json{{"items", std::move(items)}});
        }));

    router.add("POST",
               "/api/v1/aid/merchants",
               admins,
               guarded([&vouchers](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
                   KAPAL_ASSIGN_OR_RETURN(merchant, merchant_of(body));
                   KAPAL_ASSIGN_OR_RETURN(created,
                                          vouchers.create_merchant(merchant, actor_of(req)));
                   auto response = versioned(201, merchant_json(created), created.version);
                   response.set_header("Location", "/api/v1/aid/merchants/" + created.id);
                   return response;
               }));

    router.add("GET",
               "/api/v1/aid/merchants/{id}",
               merchant_readers,
               guarded([&vouchers](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(
                       merchant,
                       vouchers.merchant(std::string(req.path_param("id")), actor_of(req)));
                   return versioned(200, merchant_json(merchant), merchant.version);
               }));

    router.add("PUT",
               "/api/v1/aid/merchants/{id}",
               admins,
               guarded([&vouchers](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(version, if_match_version(req));
                   KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
                   KAPAL_ASSIGN_OR_RETURN(merchant, merchant_of(body));
                   merchant.id = std::string(req.path_param("id"));
                   merchant.version = version;
                   KAPAL_ASSIGN_OR_RETURN(updated,
                                          vouchers.update_merchant(merchant, actor_of(req)));
                   return versioned(200, merchant_json(updated), updated.version);
               }));

    router.add("GET",
               "/api/v1/aid/merchants/{id}/transactions",
               ledger_readers,
               guarded([&vouchers](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(limit, limit_of(req));
                   store::VoucherQuery query;
                   query.merchant_id = std::string(req.path_param("id"));
                   query.cycle_id = std::string(req.query_param("cycle").value_or(""));
                   query.after_id = std::string(req.query_param("after").value_or(""));
                   query.limit = limit;
                   KAPAL_ASSIGN_OR_RETURN(page, vouchers.transactions(query, actor_of(req)));
                   return transactions_page(page, limit);
               }));

    router.add("POST",
               "/api/v1/aid/cycles/{id}/voucher/holder",
               redeemers,
               guarded([&vouchers](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
                   KAPAL_ASSIGN_OR_RETURN(
                       who, request_of(body, std::string(req.path_param("id")), false));
                   KAPAL_ASSIGN_OR_RETURN(found, vouchers.holder(who, actor_of(req)));
                   return no_store(200,
                                   json{{"person", holder_person_json(found.person)},
                                        {"balance", balance_json(found.balance)}});
               }));

    router.add("GET",
               "/api/v1/aid/cycles/{id}/voucher/holders",
               redeemers,
               guarded([&vouchers](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(
                       found,
                       vouchers.search(std::string(req.path_param("id")),
                                       std::string(req.query_param("q").value_or("")),
                                       actor_of(req)));
                   json items = json::array();
                   for (const auto& b : found) {
                       items.push_back(holder_person_json(b));
                   }
                   return no_store(200, json{{"items", std::move(items)}});
               }));

    router.add("POST",
               "/api/v1/aid/cycles/{id}/voucher/redemptions",
               redeemers,
               guarded([&vouchers](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
                   KAPAL_ASSIGN_OR_RETURN(
                       request, request_of(body, std::string(req.path_param("id")), true));
                   KAPAL_ASSIGN_OR_RETURN(key, idempotency_key_of(req));
                   request.idempotency_key = std::move(key);
                   KAPAL_ASSIGN_OR_RETURN(outcome, vouchers.redeem(request, actor_of(req)));
                   return no_store(outcome.replayed ? 200 : 201,
                                   json{{"transaction", transaction_json(outcome.transaction)},
                                        {"balance", balance_json(outcome.balance)},
                                        {"replayed", outcome.replayed}});
               }));

    router.add("GET",
               "/api/v1/aid/cycles/{id}/voucher/balances/{person}",
               balance_readers,
               guarded([&vouchers](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(balance,
                                          vouchers.balance(std::string(req.path_param("id")),
                                                           std::string(req.path_param("person")),
                                                           actor_of(req)));
                   return no_store(200, balance_json(balance));
               }));

    router.add("GET",
               "/api/v1/aid/cycles/{id}/voucher/ledger",
               ledger_readers,
               guarded([&vouchers](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(limit, limit_of(req));
                   store::VoucherQuery query;
                   query.cycle_id = std::string(req.path_param("id"));
                   query.person_id = std::string(req.query_param("person").value_or(""));
                   query.after_id = std::string(req.query_param("after").value_or(""));
                   query.limit = limit;
                   KAPAL_ASSIGN_OR_RETURN(page, vouchers.transactions(query, actor_of(req)));
                   return transactions_page(page, limit);
               }));

    router.add("GET",
               "/api/v1/aid/cycles/{id}/voucher/merchant-totals",
               ledger_readers,
               guarded([&vouchers](const Request& req) -> Result<Response> {
                   const service::Actor actor = actor_of(req);
                   KAPAL_ASSIGN_OR_RETURN(
                       totals, vouchers.merchant_totals(std::string(req.path_param("id")), actor));
                   KAPAL_ASSIGN_OR_RETURN(merchants, vouchers.merchants(actor));
                   std::map<std::string, std::string> names;
                   for (const auto& m : merchants) {
                       names[m.id] = m.name;
                   }
                   json items = json::array();
                   std::int64_t count = 0;
                   std::int64_t amount = 0;
                   for (const auto& t : totals) {
                       items.push_back({{"merchant_id", t.merchant_id},
                                        {"name", names[t.merchant_id]},
                                        {"transactions", t.transactions},
                                        {"amount", t.amount}});
                       count += t.transactions;
                       amount += t.amount;
                   }
                   return no_store(200,
                                   json{{"items", std::move(items)},
                                        {"total", {{"transactions", count}, {"amount", amount}}}});
               }));
}

} // namespace kapal::http
