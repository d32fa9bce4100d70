#pragma once
// The card's public routes: GET /.well-known/kapal-keys.json, every card public key (current
// and retired) as a JWK set, for verifiers that check cards offline.

#include "kapal/card/card_key_list.hpp"
#include "kapal/http/router.hpp"

#include <vector>

namespace kapal::http {

/// Registers the card key route (open to anyone). `keys` must outlive the router.
void add_card_key_routes(Router& router, const std::vector<card::PublishedCardKey>& keys);

/// The body of /.well-known/kapal-keys.json.
std::string card_keys_json(const std::vector<card::PublishedCardKey>& keys);

} // namespace kapal::http
