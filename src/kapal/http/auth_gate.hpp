#pragma once
// The gate in front of every route that is not open: it finds who is asking (session cookie or
// bearer token), checks the route's roles, CSRF on unsafe methods of cookie sessions, and the
// per-user rate and concurrency limits, then runs the handler.

#include "kapal/http/rate_limiter.hpp"
#include "kapal/http/router.hpp"
#include "kapal/service/auth_service.hpp"

#include <mutex>
#include <string>
#include <unordered_map>

namespace kapal::http {

struct GateOptions {
    bool always_secure_cookies = false; ///< Secure cookies also without TLS (behind a proxy)
    double requests_per_second_per_user = 20;
    double burst_per_user = 40;
    int max_concurrent_per_user = 8;
};

/// The session cookie's name: "__Host-kapal_session" when it is Secure (the prefix makes the
/// browser refuse it without Secure, Path=/ and a Domain), else "kapal_session".
std::string session_cookie_name(bool secure);

/// The header an unsafe request of a cookie session carries its CSRF token in.
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

class AuthGate {
  public:
    AuthGate(service::AuthService& auth, GateOptions options);

    /// The Gate for Router::set_gate.
    Response operator()(Request& request, const Access& access, const Handler& handler);

    /// True when cookies for this request are Secure.
    bool secure(const Request& request) const {
        return request.tls || options_.always_secure_cookies;
    }

    /// Set-Cookie value that stores `token` for `max_age` seconds (HttpOnly, SameSite=Strict,
    /// Path=/, Secure when secure(request)).
    std::string
    session_cookie(const Request& request, const std::string& token, std::int64_t max_age) const;

    /// Set-Cookie value that deletes the session cookie.
    std::string clearing_cookie(const Request& request) const;

    /// The principal of the request's credentials: nullopt without any; an error for bad or
    /// ended ones.
    Result<std::optional<service::Principal>> identify(const Request& request);

  private:
    struct Slot;

    service::AuthService& auth_;
    GateOptions options_;
    RateLimiter per_user_;
    std::mutex mutex_;
    std::unordered_map<std::string, int> in_flight_;
};

/// True for a request whose Origin (when present) is not this server: a browser's
/// cross-site request. Compared with the Host header and the request's scheme.
bool cross_origin(const Request& request);

} // namespace kapal::http
