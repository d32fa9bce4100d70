#include "kapal/http/card_routes.hpp"

#include "kapal/card/card_number.hpp"
#include "kapal/card/credential.hpp"
#include "kapal/http/person_json.hpp"
#include "kapal/http/problem.hpp"

#include <nlohmann/json.hpp>

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

} // namespace

void add_card_verify_route(Router& router,
                           const std::vector<card::PublishedCardKey>& keys,
                           const core::Clock& clock) {
    router.add("POST", "/api/v1/cards/verify", Access::open(), [&keys, &clock](const Request& req) {
        if (!is_json_content(req)) {
            return problem_response(
                ErrorCode::UnsupportedMediaType, req.lang(), "send application/json");
        }
        if (json_too_deep(req.body)) {
            return problem_response(ErrorCode::BadJson, req.lang(), "nested too deeply");
        }
        const auto body = json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
            return problem_response(
                ErrorCode::BadJson, req.lang(), "the body is not a JSON object");
        }
        for (const auto& [key, value] : body.items()) {
            if (key != "qr") {
                return problem_response(Error{ErrorCode::ValidationFailed,
                                              "unknown field",
                                              {{key, ErrorCode::UnknownField, ""}}},
                                        req.lang());
            }
        }
        if (!body.contains("qr") || !body["qr"].is_string() ||
            body["qr"].get_ref<const std::string&>().empty() ||
            body["qr"].get_ref<const std::string&>().size() > kMaxQrText) {
            return problem_response(Error{ErrorCode::ValidationFailed,
                                          "qr is required",
                                          {{"qr",
                                            ErrorCode::InvalidArgument,
                                            "the QR code's text, at most " +
                                                std::to_string(kMaxQrText) + " characters"}}},
                                    req.lang());
        }
        const auto r = card::verify_credential(
            body["qr"].get_ref<const std::string&>(), card::verification_keys(keys), clock);
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
        auto response =
            Response::json(200, out.dump(-1, ' ', false, json::error_handler_t::replace));
        response.set_header("Cache-Control", "no-store");
        return response;
    });
}

} // namespace kapal::http
