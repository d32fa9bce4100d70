#pragma once
// File downloads of the GIS exports: GET /api/v1/exports/persons and /api/v1/exports/areas with
// format=geojson|gpkg|csv — the same files as `kapal export`, persons limited to the caller's
// areas and always masked.

#include "kapal/http/router.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/store.hpp"

namespace kapal::http {

/// Registers the export routes. The store and reference data must outlive the router.
void add_export_routes(Router& router, store::Store& store, const service::ReferenceData& ref);

} // namespace kapal::http
