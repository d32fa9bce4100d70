#pragma once
// Login, logout, "who am I", one's own sessions, and the admin's and auditor's views of users and
// the audit log: /api/v1/auth/*, /api/v1/users, /api/v1/audit.

#include "kapal/http/auth_gate.hpp"
#include "kapal/http/router.hpp"
#include "kapal/service/auth_service.hpp"
#include "kapal/service/user_service.hpp"
#include "kapal/store/store.hpp"

namespace kapal::http {

/// Registers the routes and sets `gate` as the router's gate. Everything passed must outlive
/// the router.
void add_auth_routes(Router& router,
                     service::AuthService& auth,
                     AuthGate& gate,
                     service::UserService& users,
                     store::Store& store,
                     std::string instance = "city",
                     int offline_wipe_days = 7);

} // namespace kapal::http
