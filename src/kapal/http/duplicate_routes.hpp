#pragma once
// The duplicate review queue over HTTP (docs/api.md, "Duplikat"): the pairs, one pair with both
// records, the decisions (merge, distinct) and a scan of the whole registry.

#include "kapal/http/router.hpp"
#include "kapal/service/duplicate_review.hpp"

namespace kapal::http {

/// Registers the review routes. `review` must outlive the router.
void add_duplicate_routes(Router& router, service::DuplicateReview& review);

} // namespace kapal::http
