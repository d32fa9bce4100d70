#pragma once
// Facilities over HTTP: GET /api/v1/facilities (the facilities as GeoJSON points),
// POST /api/v1/facilities (upload a file of facilities: GeoJSON, GeoPackage, KML, a zipped
// Shapefile or CSV with lon/lat columns) and GET /api/v1/facilities/coverage (persons farther
// than max_m metres from every facility of a kind, scoped to the caller's areas and masked).

#include "kapal/http/router.hpp"
#include "kapal/service/facility_service.hpp"

namespace kapal::http {

/// Registers the facility routes. The service must outlive the router.
void add_facility_routes(Router& router, service::FacilityService& facilities);

} // namespace kapal::http
