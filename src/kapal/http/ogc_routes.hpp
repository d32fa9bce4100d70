#pragma once
// OGC API – Features – Part 1: Core, at /ogc: the landing page, conformance, the collections of
// a service::FeatureCatalogue and their items as GeoJSON with bbox, limit and offset, so that
// QGIS and GDAL (driver OAPIF) read the registry's layers. Each collection's items are
// registered under its literal id with its own access: open collections for anyone, the others
// through the auth gate for the readers (a bearer token works: GDAL_HTTP_HEADERS).

#include "kapal/core/clock.hpp"
#include "kapal/http/router.hpp"
#include "kapal/service/gis_layers.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace kapal::http {

/// Items per page when the client gives no limit, and the most a page holds (a larger limit is
/// lowered to it, as the standard asks, not refused).
inline constexpr std::size_t kOgcDefaultLimit = 100;
inline constexpr std::size_t kOgcMaxLimit = 5000;

/// The paging and filter parameters of an items request: bbox, limit, offset (and f, bbox-crs,
/// datetime checked). Bad or unknown parameters become issues naming the parameter.
std::optional<service::FeatureQuery> parse_items_query(const Request& req,
                                                       std::vector<FieldIssue>& issues);

/// Registers /ogc, /ogc/conformance, /ogc/collections and, for each collection of `catalogue`,
/// /ogc/collections/{id}, …/items and …/items/{featureId}. The catalogue and clock must outlive
/// the router.
void add_ogc_routes(Router& router,
                    const service::FeatureCatalogue& catalogue,
                    const core::Clock& clock);

} // namespace kapal::http
