#pragma once
// A person's photo: PUT (upload a JPEG or PNG), GET (the bytes, for readers of its area) and
// DELETE under /api/v1/persons/{id}/photo.

#include "kapal/http/router.hpp"
#include "kapal/service/person_service.hpp"

namespace kapal::http {

/// Registers the photo routes on `router`. The service must outlive the router.
void add_photo_routes(Router& router, service::PersonService& persons);

} // namespace kapal::http
