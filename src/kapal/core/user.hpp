#pragma once
// Accounts of the people who use Kapal Si Geo: who they are, what role they have, which
// areas they may see. Sessions, tokens and the enforcement of roles come with the HTTP layer.

#include "kapal/core/region_registry.hpp"
#include "kapal/core/result.hpp"
#include "kapal/core/time.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::core {

/// What a user may do (DESIGN.md §1).
enum class Role { Admin, Operator, Penyalur, Merchant, Auditor, Viewer };

std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

inline constexpr std::array kAllRoles = {
    Role::Admin, Role::Operator, Role::Penyalur, Role::Merchant, Role::Auditor, Role::Viewer};

/// True when `role` may see NIK, KK and account numbers unmasked (each reveal is audited):
/// admin, operator (their own area) and auditor. Viewer, penyalur and merchant never may.
bool may_unmask(Role role);

/// True when a credential of role `narrow` gives no more than an account of role `wide`: the same
/// role, or viewer (read-only registry) for an account that may read the registry (admin,
/// operator, auditor). A penyalur or merchant may not hold a viewer token: they do not read the
/// registry at all.
bool role_within(Role narrow, Role wide);

/// True when every code of `inner` lies within `outer` (an empty `outer` is everywhere; an empty
/// `inner` is everywhere too, so it is within only an empty `outer`).
bool areas_within(const std::vector<std::string>& inner, const std::vector<std::string>& outer);

/// A user account, without its password hash (which only the store and the login see).
struct User {
    std::string id;       ///< UUIDv7
    std::string username; ///< normalised: lower case, [a-z0-9._-], 3..32
    std::string display_name;
    Role role = Role::Viewer;
    std::vector<std::string> area_codes; ///< scope; empty = the whole instance (admins)
    bool disabled = false;
    Timestamp created_at{};
    Timestamp updated_at{};

    bool operator==(const User&) const = default;
};

/// Lower-cases and checks a user name. Errors: UsernameInvalid.
Result<std::string> normalise_username(std::string_view text);

/// Checks area codes against the code lists (provinsi, kab/kota, kecamatan or village).
/// Errors: AreaInvalid naming the first unknown code.
Result<void> check_area_codes(const std::vector<std::string>& codes, const RegionRegistry& regions);

/// Shortest and longest passwords accepted (NIST SP 800-63B: at least 8; we ask 10, since
/// one password guards the health data of a whole city; at most 128, spaces allowed).
inline constexpr std::size_t kMinPasswordLength = 10;
inline constexpr std::size_t kMaxPasswordLength = 128;

/// NIST SP 800-63B rules: length (counted in characters, not bytes), not a common or
/// context-specific password (block list incl. Indonesian favourites, "kapal", "bontang",
/// "dinsos", repeated or sequential characters), not containing the user name. No composition
/// rules. Errors: PasswordTooShort, PasswordTooLong, PasswordCommon, PasswordContainsUsername.
Result<void> check_password_policy(std::string_view password, std::string_view username);

} // namespace kapal::core
