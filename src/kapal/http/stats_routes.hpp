#pragma once
// GET /api/v1/stats: the dashboard's figures for the caller's areas (service/stats_service.hpp).

#include "kapal/core/clock.hpp"
#include "kapal/http/router.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/service/reference_data.hpp"

namespace kapal::http {

/// Registers the stats route (readers). Everything must outlive the router.
void add_stats_routes(Router& router,
                      service::PersonService& persons,
                      const service::ReferenceData& ref,
                      const core::Clock& clock);

} // namespace kapal::http
