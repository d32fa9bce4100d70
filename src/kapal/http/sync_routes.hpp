#pragma once
// Offline sync over HTTP (docs/sync.md): the batch of ops a device queued, the pull of the
// user's areas, and the conflicts a supervisor resolves.

#include "kapal/http/router.hpp"
#include "kapal/http/sync_engine.hpp"

namespace kapal::http {

/// Registers the sync routes. `sync` must outlive the router.
void add_sync_routes(Router& router, SyncEngine& sync);

} // namespace kapal::http
