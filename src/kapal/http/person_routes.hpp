#pragma once
// The registry's HTTP API: /healthz, /api/v1/openapi.json and /api/v1/persons. Thin: parse,
// call the service, map the result.

#include "kapal/http/router.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/store/store.hpp"

namespace kapal::http {

/// Registers every route of the registry API on `router`. The service and store must outlive
/// the router.
void add_person_routes(Router& router, service::PersonService& persons, store::Store& store);

/// The OpenAPI 3.1 document served at /api/v1/openapi.json.
const std::string& openapi_document();

} // namespace kapal::http
