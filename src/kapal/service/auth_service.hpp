#pragma once
// Who is asking: logins and their sessions, API tokens for machine clients, and the throttle
// that slows down password guessing. The HTTP layer turns a cookie or a bearer token into a
// Principal here and checks the route's roles against it.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/result.hpp"
#include "kapal/core/user.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/user_service.hpp"
#include "kapal/store/store.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace kapal::service {

/// Limits of sessions, tokens and login attempts.
struct AuthSettings {
    std::chrono::seconds idle_timeout{std::chrono::minutes(30)};   ///< since the last request
    std::chrono::seconds absolute_timeout{std::chrono::hours(12)}; ///< since the login
    std::chrono::seconds max_token_lifetime{std::chrono::hours(24 * 365)};
    int free_failures_per_account = 5;  ///< failed logins before delays start
    int free_failures_per_address = 20; ///< higher: many phones share one carrier address
    std::chrono::seconds first_delay{2};
    std::chrono::seconds max_delay{std::chrono::minutes(15)};
};

/// A fresh login: the secret for the cookie (shown only in Set-Cookie), its CSRF token, the
/// session as stored and the account.
struct LoginResult {
    std::string session_token;
    std::string csrf_token;
    store::SessionRecord session;
    core::User user;
};

/// A new API token: the secret is in `token` and shown once.
struct CreatedToken {
    std::string token;
    store::ApiTokenRecord record;
};

/// What an admin asks for when creating a token.
struct TokenRequest {
    std::string username;
    std::string name;
    std::optional<core::Role> role;      ///< nullopt = the user's role; else the same or viewer
    std::vector<std::string> area_codes; ///< empty = the user's areas; else within them
    std::chrono::seconds lifetime{std::chrono::hours(24 * 30)};
};

/// Failed logins per account name and per address, with growing waits. In memory: a restart
/// forgets them, which only ever helps the legitimate user.
class LoginThrottle {
  public:
    LoginThrottle(const core::Clock& clock, const AuthSettings& settings);

    /// How long the caller must still wait before `account` may try again from `address`;
    /// nullopt when a try is allowed now.
    std::optional<std::chrono::seconds> wait(const std::string& account,
                                             const std::string& address);

    void failed(const std::string& account, const std::string& address);

    /// Clears the account's count (not the address's: one good login from a shared address
    /// must not reset the count of someone guessing from it).
    void succeeded(const std::string& account);

  private:
    struct Entry {
        int failures = 0;
        core::Timestamp last{};
    };

    std::optional<std::chrono::seconds> wait_for(const Entry& entry, int free_failures) const;
    void prune(std::unordered_map<std::string, Entry>& map);

    const core::Clock& clock_;
    AuthSettings settings_;
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> accounts_;
    std::unordered_map<std::string, Entry> addresses_;
};

class AuthService {
  public:
    AuthService(store::Store& store,
                UserService& users,
                const core::Clock& clock,
                core::IdGenerator& ids,
                AuthSettings settings = {});

    /// How long `username` must wait before trying again from `address` (nullopt = now).
    std::optional<std::chrono::seconds> login_wait(const std::string& username,
                                                   const std::string& address);

    /// Checks the password and opens a new session (never reuses one the client brought).
    /// Errors: Unauthenticated (unknown user or wrong password, the same answer after the same
    /// work), AccountDisabled (only after a correct password).
    Result<LoginResult> login(const std::string& username,
                              const std::string& password,
                              const std::string& address,
                              const std::string& user_agent);

    /// The principal of a session cookie. Errors: Unauthenticated (unknown cookie, account
    /// gone or disabled), SessionExpired (idle or absolute timeout passed, or revoked).
    Result<Principal> authenticate_session(const std::string& session_token);

    /// The principal of a bearer token. Errors: TokenInvalid (unknown, expired, revoked, or
    /// no longer within the account's role and areas), Unauthenticated (account disabled).
    Result<Principal> authenticate_token(const std::string& token);

    /// Ends the principal's session.
    Result<void> logout(const Principal& who, const std::string& address);

    /// The principal's open sessions, newest first.
    Result<std::vector<store::SessionRecord>> sessions(const Principal& who);

    /// Revokes one of the principal's own sessions. Errors: NotFound (also for another user's
    /// session: ids of others do not exist for this caller).
    Result<void>
    revoke_session(const Principal& who, const std::string& session_id, const std::string& address);

    /// Errors: NotFound (user), InvalidArgument (lifetime, name), Forbidden (role or areas wider
    /// than the user's), AreaInvalid.
    Result<CreatedToken> create_token(const TokenRequest& request, const Actor& actor);

    /// Tokens of a user ("" = all users).
    Result<std::vector<store::ApiTokenRecord>> tokens(const std::string& username);

    /// Errors: NotFound.
    Result<void> revoke_token(const std::string& token_id, const Actor& actor);

    /// The CSRF token that belongs to a session cookie value (a keyed hash of it: nothing to
    /// store, and useless without the cookie).
    static std::string csrf_token_for(const std::string& session_token);

    /// Lower-case hex SHA-256, as sessions and tokens are stored.
    static std::string hash_secret(const std::string& secret);

    const AuthSettings& settings() const { return settings_; }

  private:
    Result<Principal> principal_of(const std::string& user_id);
    Result<store::UserRecord> find_account(const std::string& username);

    store::Store& store_;
    UserService& users_;
    const core::Clock& clock_;
    core::IdGenerator& ids_;
    AuthSettings settings_;
    LoginThrottle throttle_;
};

} // namespace kapal::service
