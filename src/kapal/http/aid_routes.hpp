#pragma once
// Social assistance over HTTP (docs/api.md, "Bantuan sosial"): programmes and cycles, rule
// previews, beneficiary lists with maker-checker approval, handovers by the penyalur's phone
// (Idempotency-Key), deliveries and realisation.

#include "kapal/http/router.hpp"
#include "kapal/service/aid_service.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace kapal::http {

/// A lookup or handover body (qr, card_number or person_id; search_reason, lon, lat,
/// accuracy_m, evidence in base64, evidence_type, note) for the cycle `cycle_id`; also the
/// `handover` of an offline op (docs/sync.md). Errors: ValidationFailed naming the field.
Result<service::AidHandover> handover_of(const nlohmann::json& body, const std::string& cycle_id);

/// Registers the aid routes. `aid` must outlive the router.
void add_aid_routes(Router& router, service::AidService& aid);

} // namespace kapal::http
