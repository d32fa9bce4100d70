#pragma once
// Accounts over HTTP for admins (the Pengguna page), as `kapal user` does on the server's
// machine: POST /api/v1/users (add; the generated password is shown once),
// POST /api/v1/users/{username}/disable and …/enable, POST /api/v1/users/{username}/password
// (a new generated password, shown once; ends the account's sessions). Every change is
// audited by the store, with the admin as the actor. (GET /api/v1/users is in auth_routes.)

#include "kapal/http/router.hpp"
#include "kapal/service/user_service.hpp"

namespace kapal::http {

/// Registers the account routes (admin only). The service must outlive the router.
void add_user_routes(Router& router, service::UserService& users);

} // namespace kapal::http
