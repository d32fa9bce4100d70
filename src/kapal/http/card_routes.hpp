#pragma once
// The card's public routes: GET /.well-known/kapal-keys.json, every card public key (current
// and retired) as a JWK set, for verifiers that check cards offline; and POST
// /api/v1/cards/verify, which checks a card's QR text for anyone who holds the card.

#include "kapal/card/card_key_list.hpp"
#include "kapal/core/clock.hpp"
#include "kapal/http/router.hpp"

#include <vector>

namespace kapal::http {

/// Registers the card key route (open to anyone). `keys` must outlive the router.
void add_card_key_routes(Router& router, const std::vector<card::PublishedCardKey>& keys);

/// Registers POST /api/v1/cards/verify (open to anyone): {"qr": TEXT} → the verification status
/// with the card's printed facts when it decodes. `keys` and `clock` must outlive the router.
void add_card_verify_route(Router& router,
                           const std::vector<card::PublishedCardKey>& keys,
                           const core::Clock& clock);

/// The body of /.well-known/kapal-keys.json.
std::string card_keys_json(const std::vector<card::PublishedCardKey>& keys);

} // namespace kapal::http
