#include "kapal/http/aid_routes.hpp"

#include "kapal/core/time.hpp"
#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"
#include "kapal/http/temp_file.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>

namespace kapal::http {

using nlohmann::json;

namespace {

using core::Role;

/// The largest evidence picture a handover carries (a phone photo resized in the browser, or a
/// signature).
constexpr std::size_t kMaxEvidenceBytes = 512 * 1024;

json optional_time(const std::optional<core::Timestamp>& t) {
    return t ? json(core::format_timestamp(*t)) : json(nullptr);
}

json optional_number(const std::optional<double>& v) {
    return v ? json(*v) : json(nullptr);
}

json program_json(const store::AidProgramRecord& p) {
    return {{"code", p.code},
            {"name", p.name},
            {"source", p.source},
            {"kind", p.kind},
            {"channel", p.channel},
            {"unit_value", p.unit_value},
            {"rule", p.rule},
            {"excludes", p.excludes},
            {"assignees", p.assignees},
            {"active", p.active},
            {"version", p.version},
            {"created_at", core::format_timestamp(p.created_at)},
            {"created_by", p.created_by},
            {"updated_at", core::format_timestamp(p.updated_at)},
            {"updated_by", p.updated_by}};
}

json cycle_json(const store::AidCycleRecord& c) {
    json quotas = json::array();
    for (const auto& q : c.quotas) {
        quotas.push_back({{"area_code", q.area_code}, {"max", q.max}});
    }
    return {{"id", c.id},
            {"program_code", c.program_code},
            {"number", c.number},
            {"name", c.name},
            {"starts_on", core::format_date(c.starts_on)},
            {"ends_on", core::format_date(c.ends_on)},
            {"quotas", std::move(quotas)},
            {"site", c.site_lon ? json{{"lon", *c.site_lon}, {"lat", *c.site_lat}} : json(nullptr)},
            {"list_state", c.list_state},
            {"rule", c.rule},
            {"list_hash", c.list_hash.empty() ? json(nullptr) : json(c.list_hash)},
            {"list_size", c.list_size},
            {"proposed_by", c.proposed_by},
            {"proposed_at", optional_time(c.proposed_at)},
            {"approved_by", c.approved_by},
            {"approved_at", optional_time(c.approved_at)},
            {"version", c.version},
            {"created_at", core::format_timestamp(c.created_at)},
            {"created_by", c.created_by}};
}

json entry_json(const store::AidListEntry& e) {
    return {{"person_id", e.person_id},
            {"kelurahan_code", e.kelurahan_code},
            {"source", e.source},
            {"removed", e.removed},
            {"reason", e.reason},
            {"flags", e.flags},
            {"added_at", core::format_timestamp(e.added_at)},
            {"added_by", e.added_by}};
}

json delivery_json(const store::AidDeliveryRecord& d) {
    return {{"id", d.id},
            {"cycle_id", d.cycle_id},
            {"program_code", d.program_code},
            {"person_id", d.person_id},
            {"kelurahan_code", d.kelurahan_code},
            {"channel", d.channel},
            {"state", d.state},
            {"amount", d.amount},
            {"recorded_at", core::format_timestamp(d.recorded_at)},
            {"officer", d.officer},
            {"lon", optional_number(d.lon)},
            {"lat", optional_number(d.lat)},
            {"accuracy_m", optional_number(d.accuracy_m)},
            {"card_number", d.card_number.empty() ? json(nullptr) : json(d.card_number)},
            {"search_reason", d.search_reason},
            {"evidence",
             d.evidence_type.empty() ? json(nullptr)
                                     : json("/api/v1/aid/deliveries/" + d.id + "/evidence")},
            {"note", d.note},
            {"flags", d.flags}};
}

json beneficiary_json(const service::AidBeneficiary& b) {
    return {{"person_id", b.person_id},
            {"name", b.name},
            {"kelurahan_code", b.kelurahan_code},
            {"card_number", b.card_number.empty() ? json(nullptr) : json(b.card_number)},
            {"on_list", b.on_list},
            {"delivery", b.delivery ? delivery_json(*b.delivery) : json(nullptr)}};
}

Result<std::vector<std::string>> codes_of(const json& body, const char* field) {
    std::vector<std::string> out;
    if (!body.contains(field)) {
        return out;
    }
    const json& value = body[field];
    if (!value.is_array() || value.size() > 200) {
        return fail(field_error(field, "an array of at most 200 codes"));
    }
    for (const json& item : value) {
        if (!item.is_string() || item.get_ref<const std::string&>().size() > 64) {
            return fail(field_error(field, "an array of codes"));
        }
        out.push_back(item.get<std::string>());
    }
    return out;
}

Result<core::Date> date_of(const json& body, const char* field) {
    if (!body.contains(field) || !body[field].is_string()) {
        return fail(field_error(field, "a date YYYY-MM-DD"));
    }
    auto date = core::parse_date(body[field].get<std::string>());
    if (!date) {
        return fail(field_error(field, "a date YYYY-MM-DD"));
    }
    return *date;
}

Result<std::optional<double>> number_of(const json& body, const char* field) {
    if (!body.contains(field) || body[field].is_null()) {
        return std::optional<double>();
    }
    if (!body[field].is_number()) {
        return fail(field_error(field, "a number"));
    }
    return std::optional<double>(body[field].get<double>());
}

/// A programme from a body (the code from the path when given).
Result<store::AidProgramRecord> program_of(const json& body, const std::string& code) {
    KAPAL_TRY(check_members(body,
                            {"code",
                             "name",
                             "source",
                             "kind",
                             "channel",
                             "unit_value",
                             "rule",
                             "excludes",
                             "assignees",
                             "active"},
                            {{"code", 40},
                             {"name", 200},
                             {"source", 10},
                             {"kind", 20},
                             {"channel", 20},
                             {"rule", 4000}}));
    KAPAL_TRY(require(body,
                      code.empty() ? std::initializer_list<const char*>{"code",
                                                                        "name",
                                                                        "source",
                                                                        "kind",
                                                                        "channel",
                                                                        "unit_value"}
                                   : std::initializer_list<const char*>{
                                         "name", "source", "kind", "channel", "unit_value"}));
    if (!body["unit_value"].is_number_integer() || body["unit_value"].get<std::int64_t>() < 0) {
        return fail(field_error("unit_value", "a whole number of rupiah, 0 or more"));
    }
    if (body.contains("active") && !body["active"].is_boolean()) {
        return fail(field_error("active", "true or false"));
    }
    store::AidProgramRecord p;
    p.code = code.empty() ? string_or_empty(body, "code") : code;
    p.name = string_or_empty(body, "name");
    p.source = string_or_empty(body, "source");
    p.kind = string_or_empty(body, "kind");
    p.channel = string_or_empty(body, "channel");
    p.unit_value = body["unit_value"].get<std::int64_t>();
    p.rule = string_or_empty(body, "rule");
    KAPAL_ASSIGN_OR_RETURN(excludes, codes_of(body, "excludes"));
    KAPAL_ASSIGN_OR_RETURN(assignees, codes_of(body, "assignees"));
    p.excludes = std::move(excludes);
    p.assignees = std::move(assignees);
    p.active = body.value("active", true);
    return p;
}

/// A cycle from a body.
Result<store::AidCycleRecord> cycle_of(const json& body, const std::string& program_code) {
    KAPAL_TRY(check_members(
        body, {"number", "name", "starts_on", "ends_on", "quotas", "site"}, {{"name", 200}}));
    KAPAL_TRY(require(body, {"number", "name", "starts_on", "ends_on"}));
    if (!body["number"].is_number_integer()) {
        return fail(field_error("number", "a whole number (tahap)"));
    }
    store::AidCycleRecord c;
    c.program_code = program_code;
    c.number = body["number"].get<std::int64_t>();
    c.name = string_or_empty(body, "name");
    KAPAL_ASSIGN_OR_RETURN(starts, date_of(body, "starts_on"));
    KAPAL_ASSIGN_OR_RETURN(ends, date_of(body, "ends_on"));
    c.starts_on = starts;
    c.ends_on = ends;
    if (body.contains("quotas")) {
        const json& quotas = body["quotas"];
        if (!quotas.is_array() || quotas.size() > 1000) {
            return fail(field_error("quotas", "an array of {area_code, max}"));
        }
        for (const json& q : quotas) {
            if (!q.is_object() || !q.contains("area_code") || !q["area_code"].is_string() ||
                !q.contains("max") || !q["max"].is_number_integer()) {
                return fail(field_error("quotas", "an array of {area_code, max}"));
            }
            c.quotas.push_back({q["area_code"].get<std::string>(), q["max"].get<std::int64_t>()});
        }
    }
    if (body.contains("site") && !body["site"].is_null()) {
        const json& site = body["site"];
        if (!site.is_object() || !site.contains("lon") || !site.contains("lat") ||
            !site["lon"].is_number() || !site["lat"].is_number()) {
            return fail(field_error("site", "{lon, lat} or null"));
        }
        c.site_lon = site["lon"].get<double>();
        c.site_lat = site["lat"].get<double>();
    }
    return c;
}

std::vector<std::string> area_param(const Request& req) {
    const auto kelurahan = req.query_param("kelurahan");
    if (!kelurahan || kelurahan->empty()) {
        return {};
    }
    return {std::string(*kelurahan)};
}

} // namespace

Result<service::AidHandover> handover_of(const json& body, const std::string& cycle_id) {
    KAPAL_TRY(check_members(body,
                            {"qr",
                             "card_number",
                             "person_id",
                             "search_reason",
                             "lon",
                             "lat",
                             "accuracy_m",
                             "evidence",
                             "evidence_type",
                             "note"},
                            {{"qr", 4296},
                             {"card_number", 40},
                             {"person_id", 40},
                             {"search_reason", 500},
                             {"evidence", kMaxEvidenceBytes * 4 / 3 + 8},
                             {"evidence_type", 20},
                             {"note", 2000}}));
    service::AidHandover h;
    h.cycle_id = cycle_id;
    h.qr = string_or_empty(body, "qr");
    h.card_number = string_or_empty(body, "card_number");
    h.person_id = string_or_empty(body, "person_id");
    if (h.qr.empty() && h.card_number.empty() && h.person_id.empty()) {
        return fail(ErrorCode::ValidationFailed,
                    "scan the card (qr), type its number or choose the person",
                    {{"qr", ErrorCode::ValidationFailed, "required"}});
    }
    h.search_reason = string_or_empty(body, "search_reason");
    KAPAL_ASSIGN_OR_RETURN(lon, number_of(body, "lon"));
    KAPAL_ASSIGN_OR_RETURN(lat, number_of(body, "lat"));
    KAPAL_ASSIGN_OR_RETURN(accuracy, number_of(body, "accuracy_m"));
    h.lon = lon;
    h.lat = lat;
    h.accuracy_m = accuracy;
    h.note = string_or_empty(body, "note");
    const std::string evidence = string_or_empty(body, "evidence");
    if (!evidence.empty()) {
        h.evidence.resize(evidence.size());
        std::size_t length = 0;
        if (sodium_base642bin(h.evidence.data(),
                              h.evidence.size(),
                              evidence.data(),
                              evidence.size(),
                              nullptr,
                              &length,
                              nullptr,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            length > kMaxEvidenceBytes) {
            return fail(field_error("evidence", "a picture in base64 of at most 512 KiB"));
        }
        h.evidence.resize(length);
        h.evidence_type = string_or_empty(body, "evidence_type");
    }
    return h;
}

void add_aid_routes(Router& router, service::AidService& aid) {
    const Access anyone = Access::signed_in();
    const Access& writers = writers_access();
    const Access admins = Access::only({Role::Admin});
    const Access previewers = Access::only({Role::Admin, Role::Operator, Role::Auditor});
    const Access hand_overs = Access::only({Role::Admin, Role::Penyalur});
    const Access& readers = readers_access();
    const Access delivery_readers =
        Access::only({Role::Admin, Role::Operator, Role::Auditor, Role::Viewer, Role::Penyalur});

    router.add("GET",
               "/api/v1/aid/programs",
               anyone,
               guarded([&aid](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(programs, aid.programs(actor_of(req)));
                   json items = json::array();
                   for (const auto& p : programs) {
                       items.push_back(program_json(p));
                   }
                   return Response::json(200, json{{"items", std::move(items)}}.dump());
               }));

    router.add("POST",
               "/api/v1/aid/programs",
               admins,
               guarded([&aid](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
                   KAPAL_ASSIGN_OR_RETURN(program, program_of(body, ""));
                   KAPAL_ASSIGN_OR_RETURN(created, aid.create_program(program, actor_of(req)));
                   return versioned(201, program_json(created), created.version);
               }));

    router.add("GET",
               "/api/v1/aid/programs/{code}",
               anyone,
               guarded([&aid](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(
                       program, aid.program(std::string(req.path_param("code")), actor_of(req)));
                   return versioned(200, program_json(program), program.version);
               }));

    router.add("PUT",
               "/api/v1/aid/programs/{code}",
               admins,
               guarded([&aid](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(version, if_match_version(req));
                   KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
                   KAPAL_ASSIGN_OR_RETURN(program,
                                          program_of(body, std::string(req.path_param("code"))));
                   if (body.contains("code") && body["code"] != program.code) {
                       return fail(field_error("code", "the path's code (it cannot change)"));
                   }
                   program.version = version;
                   KAPAL_ASSIGN_OR_RETURN(updated, aid.update_program(program, actor_of(req)));
                   return versioned(200, program_json(updated), updated.version);
               }));

    router.add("GET",
               "/api/v1/aid/programs/{code}/cycles",
               anyone,
               guarded([&aid](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(
                       cycles, aid.cycles(std::string(req.path_param("code")), actor_of(req)));
                   json items = json::array();
                   for (const auto& c : cycles) {
                       items.push_back(cycle_json(c));
                   }
                   return Response::json(200, json{{"items", std::move(items)}}.dump());
               }));

    router.add("POST",
               "/api/v1/aid/programs/{code}/cycles",
               admins,
               guarded([&aid](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
                   KAPAL_ASSIGN_OR_RETURN(cycle,
                                          cycle_of(body, std::string(req.path_param("code"))));
                   KAPAL_ASSIGN_OR_RETURN(created, aid.create_cycle(cycle, actor_of(req)));
                   auto response = versioned(201, cycle_json(created), created.version);
                   response.set_header("Location", "/api/v1/aid/cycles/" + created.id);
                   return response;
               }));

    router.add("GET",
               "/api/v1/aid/cycles/{id}",
               anyone,
               guarded([&aid](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(
                       cycle, aid.cycle(std::string(req.path_param("id")), actor_of(req)));
                   return versioned(200, cycle_json(cycle), cycle.version);
               }));

    router.add("POST",
               "/api/v1/aid/rules/preview",
               previewers,
               guarded([&aid](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
                   KAPAL_TRY(check_members(body, {"rule"}, {{"rule", 4000}}));
                   KAPAL_TRY(require(body, {"rule"}));
                   KAPAL_ASSIGN_OR_RETURN(
                       preview, aid.preview(string_or_empty(body, "rule"), actor_of(req)));
                   json per = json::object();
                   for (const auto& [kelurahan, n] : preview.per_kelurahan) {
                       per[kelurahan] = n;
                   }
                   return Response::json(200,
                                         json{{"canonical", preview.canonical},
                                              {"evaluated", preview.evaluated},
                                              {"matched", preview.matched},
                                              {"per_kelurahan", std::move(per)}}
                                             .dump());
               }));

    router.add(
        "POST",
        "/api/v1/aid/cycles/{id}/list/generate",
        writers,
        guarded([&aid](const Request& req) -> Result<Response> {
            KAPAL_ASSIGN_OR_RETURN(version, if_match_version(req));
            KAPAL_ASSIGN_OR_RETURN(
                made, aid.generate_list(std::string(req.path_param("id")), version, actor_of(req)));
            json over = json::object();
            for (const auto& [area, n] : made.over_quota) {
                over[area] = n;
            }
            json flags = json::object();
            for (const auto& [flag, n] : made.flag_counts) {
                flags[flag] = n;
            }
            return versioned(200,
                             json{{"cycle", cycle_json(made.cycle)},
                                  {"matched", made.matched},
                                  {"listed", made.listed},
                                  {"over_quota", std::move(over)},
                                  {"flags", std::move(flags)}},
                             made.cycle.version);
        }));

    router.add("GET",
               "/api/v1/aid/cycles/{id}/list",
               anyone,
               guarded([&aid](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(limit, limit_of(req));
                   store::AidEntryQuery query;
                   query.cycle_id = std::string(req.path_param("id"));
                   query.area_codes = area_param(req);
                   query.include_removed = req.query_param("removed").value_or("") == "true";
                   query.after_person_id = std::string(req.query_param("after").value_or(""));
                   query.limit = limit;
                   KAPAL_ASSIGN_OR_RETURN(entries, aid.entries(query, actor_of(req)));
                   json items = json::array();
                   for (const auto& e : entries) {
                       items.push_back(entry_json(e));
                   }
                   json body{{"items", std::move(items)}};
                   if (entries.size() == static_cast<std::size_t>(limit)) {
                       body["next_after"] = entries.back().person_id;
                   }
                   auto response = Response::json(200, body.dump());
                   response.set_header("Cache-Control", "no-store");
                   return response;
               }));

    for (const char* action : {"add", "remove"}) {
        const std::string what(action);
        router.add("POST",
                   "/api/v1/aid/cycles/{id}/list/" + what,
                   writers,
                   guarded([&aid, what](const Request& req) -> Result<Response> {
                       KAPAL_ASSIGN_OR_RETURN(version, if_match_version(req));
                       KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
                       KAPAL_TRY(check_members(
                           body, {"person_id", "reason"}, {{"person_id", 40}, {"reason", 500}}));
                       KAPAL_TRY(require(body, {"person_id", "reason"}));
                       const std::string cycle_id(req.path_param("id"));
                       const core::PersonId person(string_or_empty(body, "person_id"));
                       const std::string reason = string_or_empty(body, "reason");
                       auto changed =
                           what == "add"
                               ? aid.add_to_list(cycle_id, version, person, reason, actor_of(req))
                               : aid.remove_from_list(
                                     cycle_id, version, person, reason, actor_of(req));
                       KAPAL_TRY(changed);
                       return versioned(200, cycle_json(*changed), changed->version);
                   }));
    }

    for (const auto& [action, state] : {std::pair{"propose", "proposed"},
                                        std::pair{"approve", "approved"},
                                        std::pair{"return", "draft"}}) {
        const std::string to_state(state);
        router.add("POST",
                   std::string("/api/v1/aid/cycles/{id}/list/") + action,
                   to_state == "proposed" ? writers : admins,
                   guarded([&aid, to_state](const Request& req) -> Result<Response> {
                       KAPAL_ASSIGN_OR_RETURN(version, if_match_version(req));
                       std::string reason;
                       if (!req.body.empty()) {
                           KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
                           KAPAL_TRY(check_members(body, {"reason"}, {{"reason", 500}}));
                           reason = string_or_empty(body, "reason");
                       }
                       KAPAL_ASSIGN_OR_RETURN(moved,
                                              aid.move_list(std::string(req.path_param("id")),
                                                            version,
                                                            to_state,
                                                            reason,
                                                            actor_of(req)));
                       return versioned(200, cycle_json(moved), moved.version);
                   }));
    }

    router.add("POST",
               "/api/v1/aid/cycles/{id}/beneficiary",
               hand_overs,
               guarded([&aid](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
                   KAPAL_ASSIGN_OR_RETURN(who,
                                          handover_of(body, std::string(req.path_param("id"))));
                   KAPAL_ASSIGN_OR_RETURN(found, aid.beneficiary(who, actor_of(req)));
                   auto response = Response::json(200, beneficiary_json(found).dump());
                   response.set_header("Cache-Control", "no-store");
                   return response;
               }));

    router.add("GET",
               "/api/v1/aid/cycles/{id}/beneficiaries",
               hand_overs,
               guarded([&aid](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(
                       found,
                       aid.search_list(std::string(req.path_param("id")),
                                       std::string(req.query_param("q").value_or("")),
                                       actor_of(req)));
                   json items = json::array();
                   for (const auto& b : found) {
                       items.push_back(beneficiary_json(b));
                   }
                   auto response = Response::json(200, json{{"items", std::move(items)}}.dump());
                   response.set_header("Cache-Control", "no-store");
                   return response;
               }));

    router.add(
        "POST",
        "/api/v1/aid/cycles/{id}/handovers",
        hand_overs,
        guarded([&aid](const Request& req) -> Result<Response> {
            KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
            KAPAL_ASSIGN_OR_RETURN(handover, handover_of(body, std::string(req.path_param("id"))));
            KAPAL_ASSIGN_OR_RETURN(key, idempotency_key_of(req));
            handover.idempotency_key = std::move(key);
            KAPAL_ASSIGN_OR_RETURN(outcome, aid.hand_over(handover, actor_of(req)));
            auto response =
                Response::json(outcome.replayed ? 200 : 201, delivery_json(outcome.record).dump());
            response.set_header("Location", "/api/v1/aid/deliveries/" + outcome.record.id);
            response.set_header("Cache-Control", "no-store");
            return response;
        }));

    router.add("GET",
               "/api/v1/persons/{id}/aid",
               Access::only({Role::Admin, Role::Operator, Role::Auditor, Role::Viewer}),
               guarded([&aid](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(
                       rows, aid.person_aid(std::string(req.path_param("id")), actor_of(req)));
                   json items = json::array();
                   for (const auto& r : rows) {
                       json item = delivery_json(r.delivery);
                       item["program_name"] = r.program_name;
                       item["cycle_number"] = r.cycle_number;
                       item["cycle_name"] = r.cycle_name;
                       item["fail_reason"] = r.delivery.fail_reason;
                       items.push_back(std::move(item));
                   }
                   return no_store(200, json{{"items", std::move(items)}});
               }));

    router.add("GET",
               "/api/v1/aid/cycles/{id}/deliveries",
               delivery_readers,
               guarded([&aid](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(limit, limit_of(req));
                   store::AidDeliveryQuery query;
                   query.cycle_id = std::string(req.path_param("id"));
                   query.area_codes = area_param(req);
                   query.person_id = std::string(req.query_param("person").value_or(""));
                   query.after_id = std::string(req.query_param("after").value_or(""));
                   query.limit = limit;
                   KAPAL_ASSIGN_OR_RETURN(deliveries, aid.deliveries(query, actor_of(req)));
                   json items = json::array();
                   for (const auto& d : deliveries) {
                       items.push_back(delivery_json(d));
                   }
                   json body{{"items", std::move(items)}};
                   if (deliveries.size() == static_cast<std::size_t>(limit)) {
                       body["next_after"] = deliveries.back().id;
                   }
                   auto response = Response::json(200, body.dump());
                   response.set_header("Cache-Control", "no-store");
                   return response;
               }));

    router.add("GET",
               "/api/v1/aid/deliveries/{id}/evidence",
               delivery_readers,
               guarded([&aid](const Request& req) -> Result<Response> {
                   KAPAL_ASSIGN_OR_RETURN(
                       found, aid.delivery(std::string(req.path_param("id")), actor_of(req)));
                   if (found.evidence.empty()) {
                       return fail(ErrorCode::NotFound,
                                   "delivery " + found.id + " has no evidence");
                   }
                   Response response;
                   response.status = 200;
                   response.body.assign(found.evidence.begin(), found.evidence.end());
                   response.set_header("Content-Type", found.evidence_type);
                   response.set_header("Cache-Control", "private, no-store");
                   return response;
               }));

    router.add("GET",
               "/api/v1/aid/cycles/{id}/realisation",
               readers,
               guarded([&aid](const Request& req) -> Result<Response> {
                   const std::string format(req.query_param("format").value_or("json"));
                   if (format == "xlsx") {
                       TempFile file("realisasi", "xlsx");
                       if (file.path().empty()) {
                           return fail(ErrorCode::Io, "no temporary file");
                       }
                       KAPAL_TRY(aid.write_realisation_xlsx(
                           std::string(req.path_param("id")), actor_of(req), file.path()));
                       return Response::attachment(file.read(),
                                                   "application/vnd.openxmlformats-"
                                                   "officedocument.spreadsheetml.sheet",
                                                   "realisasi-bantuan.xlsx");
                   }
                   if (format != "json") {
                       return fail(field_error("format", "json or xlsx"));
                   }
                   KAPAL_ASSIGN_OR_RETURN(
                       rows, aid.realisation(std::string(req.path_param("id")), actor_of(req)));
                   json items = json::array();
                   store::AidRealisationRow total;
                   for (const auto& r : rows) {
                       items.push_back({{"kelurahan_code", r.kelurahan_code},
                                        {"listed", r.listed},
                                        {"delivered", r.delivered},
                                        {"pending", r.pending},
                                        {"failed", r.failed},
                                        {"not_yet", r.listed - r.delivered - r.pending - r.failed},
                                        {"delivered_amount", r.delivered_amount}});
                       total.listed += r.listed;
                       total.delivered += r.delivered;
                       total.pending += r.pending;
                       total.failed += r.failed;
                       total.delivered_amount += r.delivered_amount;
                   }
                   json totals{
                       {"listed", total.listed},
                       {"delivered", total.delivered},
                       {"pending", total.pending},
                       {"failed", total.failed},
                       {"not_yet", total.listed - total.delivered - total.pending - total.failed},
                       {"delivered_amount", total.delivered_amount}};
                   auto response = Response::json(
                       200, json{{"items", std::move(items)}, {"total", std::move(totals)}}.dump());
                   response.set_header("Cache-Control", "no-store");
                   return response;
               }));
}

} // namespace kapal::http
