#pragma once
// The card's routes: GET /.well-known/kapal-keys.json, every card public key (current and
// retired) as a JWK set, and the signed revocation list, for verifiers that check cards
// offline; POST /api/v1/cards/verify, which checks a card's QR text for anyone who holds the
// card; and the card's life in the registry (issue, reissue, revoke, print queue).

#include "kapal/card/card_key_list.hpp"
#include "kapal/core/clock.hpp"
#include "kapal/http/router.hpp"
#include "kapal/service/card_service.hpp"

#include <vector>

namespace kapal::http {

/// Registers the card key route (open to anyone). `keys` must outlive the router.
void add_card_key_routes(Router& router, const std::vector<card::PublishedCardKey>& keys);

/// Registers the card's life (docs/api.md#cards): issue and reissue for a person, a person's
/// cards, the card list and print queue, one card, revoke, mark printed / handed over, the
/// verification of a QR against the registry (open), and the signed revocation list at
/// /.well-known/kapal-revocations (open). `cards` and `clock` must outlive the router.
void add_card_routes(Router& router, service::CardService& cards, const core::Clock& clock);

/// The body of /.well-known/kapal-keys.json.
std::string card_keys_json(const std::vector<card::PublishedCardKey>& keys);

} // namespace kapal::http
