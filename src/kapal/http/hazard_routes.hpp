#pragma once
// Hazard zones over HTTP: GET /api/v1/hazards (the zones as GeoJSON, for the map overlay),
// POST /api/v1/hazards (upload a hazard map: GeoJSON, GeoPackage, KML or a zipped Shapefile)
// and GET /api/v1/hazards/{id}/evacuation (the evacuation list as JSON, CSV or PDF).

#include "kapal/http/router.hpp"
#include "kapal/service/hazard_service.hpp"

namespace kapal::http {

/// Registers the hazard routes. The service must outlive the router.
void add_hazard_routes(Router& router, service::HazardService& hazards);

} // namespace kapal::http
