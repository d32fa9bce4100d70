#pragma once

#include <string>
#include <vector>

namespace kapal::service {

/// Who is asking. Users, roles and sessions come with the security issue; until then the HTTP
/// layer and the CLI fill in what they know. Scope codes limit what the actor sees (empty =
/// everything).
struct Actor {
    std::string id;     ///< user id, "cli:<os user>" or "anonymous"
    std::string source; ///< remote address, or "cli"
    std::vector<std::string> scope_area_codes;
};

} // namespace kapal::service
