#pragma once
// The province package over HTTP (docs/province.md): a city's admin downloads the signed package
// of a period (GET /api/v1/province/package); on a province instance, the kab/kota side by side
// per period (GET /api/v1/province/summary) and the counts of persons registered in two kab/kota
// (GET /api/v1/province/cross-registered); a city's admin reads the province's return back to
// the city's persons (POST /api/v1/province/review). An instance that is not joined to a province,
// or not a province, answers 404.

#include "kapal/core/clock.hpp"
#include "kapal/http/router.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/store.hpp"

#include <filesystem>

namespace kapal::http {

/// Registers the province routes. Everything passed must outlive the router.
void add_province_routes(Router& router,
                         const std::filesystem::path& data_dir,
                         store::Store& store,
                         const service::ReferenceData& ref,
                         const core::Clock& clock);

} // namespace kapal::http
