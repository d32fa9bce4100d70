#pragma once
// Social assistance over HTTP (docs/api.md, "Bantuan sosial"): programmes and cycles, rule
// previews, beneficiary lists with maker-checker approval, handovers by the penyalur's phone
// (Idempotency-Key), deliveries and realisation.

#include "kapal/http/router.hpp"
#include "kapal/service/aid_service.hpp"

namespace kapal::http {

/// Registers the aid routes. `aid` must outlive the router.
void add_aid_routes(Router& router, service::AidService& aid);

} // namespace kapal::http
