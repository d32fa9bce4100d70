#include "kapal/http/card_routes.hpp"

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

} // namespace kapal::http
