#include "kapal/http/card_routes.hpp"

#include "kapal/card/card_number.hpp"
#include "kapal/card/credential.hpp"
#include "kapal/http/person_json.hpp"
#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

namespace kapal::http {

using nlohmann::json;

std::string card_keys_json(const std::vector<card::PublishedCardKey>& keys) {
    json list = json::array();
    // Newest first: the key cards are signed with now leads.
    for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
        json k = {{"kty", "OKP"},
                  {"crv", "Ed25519"},
                  {"alg", "EdDSA"},
                  {"use", "sig"},
                  {"kid", it->kid},
                  {"x", card::to_base64url(it->public_key)},
                  {"public_key_hex", card::to_hex(it->public_key)},
                  {"status", it->retired ? "retired" : "current"},
                  {"created", core::format_timestamp(it->created)}};
        if (it->retired) {
            k["retired"] = core::format_timestamp(*it->retired);
        }
        list.push_back(std::move(k));
    }
    return json{{"keys", std::move(list)}}.dump();
}

void add_card_key_routes(Router& router, const std::vector<card::PublishedCardKey>& keys) {
    router.add("GET", "/.well-known/kapal-keys.json", Access::open(), [&keys](const Request&) {
        auto response = Response::json(200, card_keys_json(keys));
        // Verifiers cache it offline; a rotation reaches them within the hour.
        response.set_header("Cache-Control", "public, max-age=3600");
        response.set_header("Access-Control-Allow-Origin", "*");
        return response;
    });
}

namespace {

/// The longest QR text accepted: a version-40 QR holds 4,296 alphanumeric characters.
constexpr std::size_t kMaxQrText = 4296;

json unix_time(const std::optional<std::int64_t>& seconds) {
    if (!seconds) {
        return nullptr;
    }
    return core::format_timestamp(core::from_unix_ms(*seconds * 1000));
}

/// What the card says about its holder, as printed on it (the QR carries no NIK).
json card_summary(const card::DecodedCredential& d) {
    const auto& c = d.credential;
    const auto& id = c.identity;
    const auto number = card::parse_card_number(id.id);
    json out = {{"card_number", number ? card::format_card_number(*number) : id.id},
                {"full_name", id.full_name},
                {"date_of_birth", id.date_of_birth},
                {"sex",
                 id.gender ? json(*id.gender == 1   ? "L"
                                  : *id.gender == 2 ? "P"
                                                    : "other")
                           : json(nullptr)},
                {"issuer", c.cwt.issuer},
                {"issued_at", unix_time(c.cwt.issued_at)},
                {"expires_at", unix_time(c.cwt.expires_at)},
                {"key_id", d.kid}};
    if (c.kapal) {
        json categories = json::array();
        for (const auto category : c.kapal->categories) {
            categories.push_back(std::string(core::to_string(category)));
        }
        out["kelurahan_code"] = c.kapal->kelurahan_code;
        out["categories"] = std::move(categories);
        out["needs"] = card::need_codes(c.kapal->needs);
    }
    return out;
}

json optional_time(const std::optional<core::Timestamp>& t) {
    return t ? json(core::format_timestamp(*t)) : json(nullptr);
}

/// A card as the API shows it (docs/api.md#cards).
json card_json(const store::CardRecord& c, core::Timestamp now) {
    json stage = nullptr;
    if (c.status == "active") {
        stage = std::string(service::to_string(c.handed_over_at ? store::CardStage::HandedOver
                                               : c.printed_at   ? store::CardStage::ToHandOver
                                                                : store::CardStage::ToPrint));
    }
    return {{"number", c.number},
            {"number_formatted", card::format_card_number(c.number)},
            {"person_id", c.person_id},
            {"kelurahan_code", c.kelurahan_code},
            {"status", c.status},
            {"state", std::string(service::card_state(c, now))},
            {"stage", std::move(stage)},
            {"issued_at", core::format_timestamp(c.issued_at)},
            {"issued_by", c.issued_by},
            {"expires_at", core::format_timestamp(c.expires_at)},
            {"revoked_at", optional_time(c.revoked_at)},
            {"revoked_by", c.revoked_by},
            {"revoke_reason", c.revoke_reason},
            {"revoke_note", c.revoke_note},
            {"replaced_by", c.replaced_by},
            {"printed_at", optional_time(c.printed_at)},
            {"printed_by", c.printed_by},
            {"handed_over_at", optional_time(c.handed_over_at)},
            {"handed_over_by", c.handed_over_by},
            {"key_id", c.kid},
            {"qr", c.credential}};
}

Response card_response(int status, const store::CardRecord& c, const core::Clock& clock) {
    auto response = Response::json(status, card_json(c, clock.now()).dump());
    response.set_header("Cache-Control", "no-store");
    return response;
}

Response cards_response(const std::vector<store::CardRecord>& cards,
                        const core::Clock& clock,
                        json extra = json::object()) {
    json items = json::array();
    for (const auto& c : cards) {
        items.push_back(card_json(c, clock.now()));
    }
    extra["items"] = std::move(items);
    auto response = Response::json(200, extra.dump());
    response.set_header("Cache-Control", "no-store");
    return response;
}

/// Only the members of `allowed` may appear. Errors: ValidationFailed naming the first other.
Result<void> only_members(const json& body, std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : body.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            return fail(
                ErrorCode::ValidationFailed, "unknown field", {{key, ErrorCode::UnknownField, ""}});
        }
    }
    return {};
}

/// The optional string member `field` ("" when absent). Errors: ValidationFailed when it is not
/// a string or longer than `max`.
Result<std::string> string_member(const json& body, const std::string& field, std::size_t max) {
    if (!body.contains(field)) {
        return std::string();
    }
    if (!body[field].is_string() || body[field].get_ref<const std::string&>().size() > max) {
        return fail(ErrorCode::ValidationFailed,
                    field + " must be a string",
                    {{field,
                      ErrorCode::FieldTypeMismatch,
                      "a string of at most " + std::to_string(max) + " bytes"}});
    }
    return body[field].get<std::string>();
}

/// The body of an issue: empty, or {"replace_reason": R}.
Result<std::string> replace_reason_of(const Request& req) {
    if (req.body.empty()) {
        return std::string();
    }
    KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
    KAPAL_TRY(only_members(body, {"replace_reason"}));
    return string_member(body, "replace_reason", 40);
}

/// {"numbers": [N, ...]}, 1..1000 of them.
Result<std::vector<std::string>> numbers_of(const Request& req) {
    KAPAL_ASSIGN_OR_RETURN(body, json_object_body(req));
    KAPAL_TRY(only_members(body, {"numbers"}));
    const Error bad{ErrorCode::ValidationFailed,
                    "numbers is required",
                    {{"numbers",
                      ErrorCode::FieldTypeMismatch,
                      "an array of 1 to 1000 card numbers (strings)"}}};
    if (!body.contains("numbers") || !body["numbers"].is_array() || body["numbers"].empty() ||
        body["numbers"].size() > 1000) {
        return fail(bad);
    }
    std::vector<std::string> out;
    for (const auto& n : body["numbers"]) {
        if (!n.is_string()) {
            return fail(bad);
        }
        out.push_back(n.get<std::string>());
    }
    return out;
}

/// What the registry says of a checked card, for the verify answer.
json registry_json(const std::optional<store::CardRecord>& record, core::Timestamp now) {
    if (!record) {
        return nullptr;
    }
    return {{"state", std::string(service::card_state(*record, now))},
            {"revoked_at", optional_time(record->revoked_at)},
            {"revoke_reason", record->revoke_reason},
            {"replaced_by",
             record->replaced_by.empty() ? json(nullptr)
                                         : json(card::format_card_number(record->replaced_by))}};
}

Response verify(service::CardService& cards, const core::Clock& clock, const Request& req) {
    if (!is_json_content(req)) {
        return problem_response(
            ErrorCode::UnsupportedMediaType, req.lang(), "send application/json");
    }
    if (json_too_deep(req.body)) {
        return problem_response(ErrorCode::BadJson, req.lang(), "nested too deeply");
    }
    const auto body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return problem_response(ErrorCode::BadJson, req.lang(), "the body is not a JSON object");
    }
    if (auto known = only_members(body, {"qr"}); !known) {
        return problem(known.error(), req);
    }
    if (!body.contains("qr") || !body["qr"].is_string() ||
        body["qr"].get_ref<const std::string&>().empty() ||
        body["qr"].get_ref<const std::string&>().size() > kMaxQrText) {
        return problem_response(
            Error{ErrorCode::ValidationFailed,
                  "qr is required",
                  {{"qr",
                    ErrorCode::InvalidArgument,
                    "the QR code's text, at most " + std::to_string(kMaxQrText) + " characters"}}},
            req.lang());
    }
    auto checked = cards.check(body["qr"].get_ref<const std::string&>());
    if (!checked) {
        return problem(checked.error(), req);
    }
    const auto& r = checked->result;
    json out = {{"status", std::string(card::to_string(r.status))},
                {"valid", r.status == card::VerifyStatus::Valid},
                {"checked_at", core::format_timestamp(clock.now())}};
    if (!r.where.empty()) {
        out["where"] = r.where;
    }
    if (!r.what.empty()) {
        out["what"] = r.what;
    }
    out["card"] = r.decoded ? card_summary(*r.decoded) : json(nullptr);
    out["registry"] = registry_json(checked->record, clock.now());
    auto response = Response::json(200, out.dump(-1, ' ', false, json::error_handler_t::replace));
    response.set_header("Cache-Control", "no-store");
    return response;
}

/// GET /api/v1/cards: the card list and print queue.
Response list(service::CardService& cards, const core::Clock& clock, const Request& req) {
    std::vector<FieldIssue> issues;
    check_known(req, {"stage", "status", "kelurahan", "after", "limit"}, issues);
    store::CardQuery query;
    query.limit = 100;
    if (const auto stage = req.query_param("stage")) {
        const auto parsed = service::parse_card_stage(*stage);
        if (parsed) {
            query.stage = parsed;
        } else {
            issues.push_back(
                {"stage", ErrorCode::InvalidArgument, "to_print, to_hand_over or handed_over"});
        }
    }
    if (const auto status = req.query_param("status")) {
        if (*status == "active" || *status == "revoked") {
            query.status = std::string(*status);
        } else {
            issues.push_back({"status", ErrorCode::InvalidArgument, "active or revoked"});
        }
    }
    if (const auto area = req.query_param("kelurahan")) {
        if (area->empty() || area->size() > 20) {
            issues.push_back(
                {"kelurahan", ErrorCode::InvalidArgument, "an area code, e.g. 64.74.01.1003"});
        } else {
            query.area_codes = {std::string(*area)};
        }
    }
    if (const auto after = req.query_param("after")) {
        auto number = card::parse_card_number(*after);
        if (number) {
            query.after_number = *number;
        } else {
            issues.push_back({"after", ErrorCode::CardNumberInvalid, "a card number"});
        }
    }
    if (const auto limit = req.query_param("limit")) {
        int n = 0;
        const auto [ptr, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
        if (ec != std::errc{} || ptr != limit->data() + limit->size() || n < 1 || n > 1000) {
            issues.push_back({"limit", ErrorCode::InvalidArgument, "1 to 1000"});
        } else {
            query.limit = n;
        }
    }
    if (!issues.empty()) {
        return bad_parameters(std::move(issues), req);
    }
    auto found = cards.list(query, actor_of(req));
    if (!found) {
        return problem(found.error(), req);
    }
    json extra = json::object();
    extra["next_after"] = found->size() == static_cast<std::size_t>(query.limit)
                              ? json(found->back().number)
                              : json(nullptr);
    return cards_response(*found, clock, std::move(extra));
}

} // namespace

void add_card_routes(Router& router, service::CardService& cards, const core::Clock& clock) {
    const Access& readers = readers_access();
    const Access& writers = writers_access();

    router.add("POST",
               "/api/v1/cards/verify",
               Access::open(),
               [&cards, &clock](const Request& req) { return verify(cards, clock, req); });

    router.add(
        "GET", "/.well-known/kapal-revocations", Access::open(), [&cards](const Request& req) {
            auto list = cards.revocation_list();
            if (!list) {
                return problem(list.error(), req);
            }
            Response response;
            response.status = 200;
            response.body.assign(list->begin(), list->end());
            response.set_header("Content-Type", "application/cose; cose-type=\"cose-sign1\"");
            // Offline verifiers refresh it when they can; a revocation reaches them within minutes.
            response.set_header("Cache-Control", "public, max-age=300");
            response.set_header("Access-Control-Allow-Origin", "*");
            return response;
        });

    router.add("POST", "/api/v1/persons/{id}/cards", writers, [&cards, &clock](const Request& req) {
        auto reason = replace_reason_of(req);
        if (!reason) {
            return problem(reason.error(), req);
        }
        const core::PersonId id{std::string(req.path_param("id"))};
        auto card = cards.issue(id, actor_of(req), *reason);
        if (!card) {
            return problem(card.error(), req);
        }
        auto response = card_response(201, *card, clock);
        response.set_header("Location", "/api/v1/cards/" + card->number);
        return response;
    });

    router.add("GET", "/api/v1/persons/{id}/cards", readers, [&cards, &clock](const Request& req) {
        const core::PersonId id{std::string(req.path_param("id"))};
        auto history = cards.history(id, actor_of(req));
        if (!history) {
            return problem(history.error(), req);
        }
        return cards_response(*history, clock);
    });

    router.add("GET", "/api/v1/cards", readers, [&cards, &clock](const Request& req) {
        return list(cards, clock, req);
    });

    router.add("GET", "/api/v1/cards/{number}/image", readers, [&cards](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(req, {"side", "format"}, issues);
        const auto format = req.query_param("format").value_or("png");
        const auto side = req.query_param("side").value_or("front");
        if (format != "png" && format != "pdf") {
            issues.push_back({"format", ErrorCode::InvalidArgument, "png or pdf"});
        }
        if (side != "front" && side != "back") {
            issues.push_back({"side", ErrorCode::InvalidArgument, "front or back"});
        }
        if (!issues.empty()) {
            return bad_parameters(std::move(issues), req);
        }
        std::optional<card::CardSide> png_side;
        if (format == "png") {
            png_side = side == "back" ? card::CardSide::Back : card::CardSide::Front;
        }
        const std::string number(req.path_param("number"));
        auto bytes = cards.render(number, png_side, actor_of(req));
        if (!bytes) {
            return problem(bytes.error(), req);
        }
        const auto digits = card::parse_card_number(number);
        const std::string name = "kartu-" + (digits ? *digits : std::string("kapal")) +
                                 (png_side ? "-" + std::string(side) + ".png" : ".pdf");
        return Response::attachment(std::string(bytes->begin(), bytes->end()),
                                    png_side ? "image/png" : "application/pdf",
                                    name);
    });

    router.add("GET", "/api/v1/cards/sheet", writers, [&cards](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(req, {"kelurahan", "stage"}, issues);
        store::CardQuery query;
        const auto stage = service::parse_card_stage(req.query_param("stage").value_or("to_print"));
        if (!stage) {
            issues.push_back(
                {"stage", ErrorCode::InvalidArgument, "to_print, to_hand_over or handed_over"});
        }
        query.stage = stage;
        if (const auto area = req.query_param("kelurahan")) {
            query.area_codes = {std::string(*area)};
        }
        if (!issues.empty()) {
            return bad_parameters(std::move(issues), req);
        }
        auto pdf = cards.sheet(query, actor_of(req));
        if (!pdf) {
            return problem(pdf.error(), req);
        }
        return Response::attachment(
            std::string(pdf->begin(), pdf->end()), "application/pdf", "lembar-kartu.pdf");
    });

    router.add("GET", "/api/v1/cards/{number}", readers, [&cards, &clock](const Request& req) {
        auto card = cards.get(req.path_param("number"), actor_of(req));
        if (!card) {
            return problem(card.error(), req);
        }
        return card_response(200, *card, clock);
    });

    router.add(
        "POST", "/api/v1/cards/{number}/revoke", writers, [&cards, &clock](const Request& req) {
            auto body = json_object_body(req);
            if (!body) {
                return problem(body.error(), req);
            }
            if (auto known = only_members(*body, {"reason", "note"}); !known) {
                return problem(known.error(), req);
            }
            auto reason = string_member(*body, "reason", 40);
            auto note = string_member(*body, "note", 500);
            if (!reason || !note) {
                return problem(!reason ? reason.error() : note.error(), req);
            }
            if (reason->empty()) {
                return problem(
                    Error{ErrorCode::ValidationFailed,
                          "reason is required",
                          {{"reason",
                            ErrorCode::CardReasonInvalid,
                            "meninggal, pindah, penipuan, hilang, rusak, nonaktif or lainnya"}}},
                    req);
            }
            auto card = cards.revoke(req.path_param("number"), *reason, *note, actor_of(req));
            if (!card) {
                return problem(card.error(), req);
            }
            return card_response(200, *card, clock);
        });

    for (const auto& [path, stage] :
         {std::pair{"/api/v1/cards/printed", store::CardStage::ToHandOver},
          std::pair{"/api/v1/cards/handed-over", store::CardStage::HandedOver}}) {
        const store::CardStage to = stage;
        router.add("POST", path, writers, [&cards, to](const Request& req) {
            auto numbers = numbers_of(req);
            if (!numbers) {
                return problem(numbers.error(), req);
            }
            auto changed = cards.mark(*numbers, to, actor_of(req));
            if (!changed) {
                return problem(changed.error(), req);
            }
            return Response::json(200, json{{"changed", *changed}}.dump());
        });
    }
}

} // namespace kapal::http
