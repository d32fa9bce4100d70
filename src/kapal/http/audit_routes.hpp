#pragma once
// The audit log's state for the viewer: GET /api/v1/audit/verify (admin, auditor) runs the check
// of `kapal audit verify` on the server. The log itself is GET /api/v1/audit (auth_routes).

#include "kapal/core/clock.hpp"
#include "kapal/http/router.hpp"
#include "kapal/store/store.hpp"

#include <filesystem>

namespace kapal::http {

/// Registers the route; `store` and `clock` must outlive the router. `data_dir` holds the
/// checkpoints file.
void add_audit_routes(Router& router,
                      store::Store& store,
                      const core::Clock& clock,
                      std::filesystem::path data_dir);

} // namespace kapal::http
