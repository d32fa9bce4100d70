#pragma once
// The services the card opens: the catalogue (readers see it, admins edit it) and each person's
// requests and their steps, opened by hand or by scanning the person's card (docs/api.md).

#include "kapal/http/router.hpp"
#include "kapal/service/service_desk.hpp"

namespace kapal::http {

/// Registers the service routes. `desk` must outlive the router.
void add_service_routes(Router& router, service::ServiceDesk& desk);

} // namespace kapal::http
