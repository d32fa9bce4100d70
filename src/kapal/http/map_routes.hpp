#pragma once
// The map API: /api/v1/map/clusters, /api/v1/areas and the anonymous /api/v1/public/areas.
// Thin: parse, call service::MapService, map the result.

#include "kapal/http/router.hpp"
#include "kapal/service/map_service.hpp"

namespace kapal::http {

/// Registers the map routes on `router`; `maps` must outlive it.
void add_map_routes(Router& router, const service::MapService& maps);

} // namespace kapal::http
