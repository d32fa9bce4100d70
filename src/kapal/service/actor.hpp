#pragma once

#include "kapal/core/user.hpp"

#include <optional>
#include <string>
#include <vector>

namespace kapal::service {

/// Who is asking: an authenticated user (HTTP) or the command line. Scope codes limit what the
/// actor sees (empty = everything).
struct Actor {
    std::string id;     ///< user id, "cli:<os user>" or "anonymous"
    std::string source; ///< remote address, or "cli"
    std::vector<std::string> scope_area_codes;
    /// The role when a person acts through the API; nullopt for the machine's own operator at
    /// the command line, who already holds the data directory and its keys.
    std::optional<core::Role> role;
};

/// Who is asking through the API, after a session cookie or an API token has been checked.
/// Role and areas are the account's current ones (an admin's change applies at the next
/// request), narrowed by the token when there is one.
struct Principal {
    core::User user;
    core::Role role = core::Role::Viewer;
    std::vector<std::string> area_codes; ///< empty = the whole instance
    std::string session_id;              ///< set for a cookie session
    std::string token_id;                ///< set for an API token
    std::string csrf_token;              ///< what unsafe requests of this session must send

    /// The actor services record and filter by.
    Actor actor(const std::string& source) const {
        return Actor{user.id, source, area_codes, role};
    }
};

} // namespace kapal::service
