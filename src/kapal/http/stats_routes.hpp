#pragma once
// GET /api/v1/stats: the dashboard's figures for the caller's areas (service/stats_service.hpp).
// GET /api/v1/stats/flows and /api/v1/stats/flows/monthly: the registry's flows per area
// (service/registry_flows.hpp, docs/reports.md).
// GET /api/v1/stats/indicators: the rakor's indicators per area (service/indicators.hpp).
// GET /api/v1/reports/rakor: the rakor report as PDF or XLSX (service/rakor_report.hpp).

#include "kapal/core/clock.hpp"
#include "kapal/http/router.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/store.hpp"

namespace kapal::http {

/// Registers the stats routes (readers). Everything must outlive the router.
void add_stats_routes(Router& router,
                      service::PersonService& persons,
                      store::Store& store,
                      const service::ReferenceData& ref,
                      const core::Clock& clock);

} // namespace kapal::http
