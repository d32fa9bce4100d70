#include "kapal/http/auth_gate.hpp"

#include "kapal/http/problem.hpp"

#include <sodium.h>

namespace kapal::http {
namespace {

bool safe_method(std::string_view method) {
    return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

bool equal_secrets(std::string_view a, std::string_view b) {
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Response refuse(const Error& e, const Request& req) {
    Response res = problem_response(e, req.lang());
    if (res.status == 401) {
        res.set_header("WWW-Authenticate", "Bearer realm=\"kapal\"");
    }
    return res;
}

} // namespace

std::string session_cookie_name(bool secure) {
    return secure ? "__Host-kapal_session" : "kapal_session";
}

bool cross_origin(const Request& request) {
    const auto origin = request.header("Origin");
    if (!origin) {
        return false; // not a browser's cross-site request (or an old browser: SameSite holds)
    }
    const auto host = request.header("Host");
    if (!host) {
        return true;
    }
    const std::string expected =
        std::string(request.tls ? "https://" : "http://") + std::string(*host);
    // Behind a TLS-terminating proxy the scheme differs; the host must still match.
    const std::string other =
        std::string(request.tls ? "http://" : "https://") + std::string(*host);
    return !iequals(*origin, expected) && !iequals(*origin, other);
}

/// Counts a user's requests in progress for as long as it lives.
struct AuthGate::Slot {
    AuthGate* gate;
    std::string user;

    Slot(AuthGate* g, std::string u)
        : gate(g)
        , user(std::move(u)) {}

    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Slot(Slot&&) = delete;
    Slot& operator=(Slot&&) = delete;

    ~Slot() {
        const std::lock_guard lock(gate->mutex_);
        if (--gate->in_flight_[user] <= 0) {
            gate->in_flight_.erase(user);
        }
    }
};

AuthGate::AuthGate(service::AuthService& auth, GateOptions options)
    : auth_(auth)
    , options_(options)
    , per_user_(options.requests_per_second_per_user, options.burst_per_user) {}

std::string AuthGate::session_cookie(const Request& request,
                                     const std::string& token,
                                     std::int64_t max_age) const {
    std::string out = session_cookie_name(secure(request)) + "=" + token +
                      "; Path=/; Max-Age=" + std::to_string(max_age) +
                      "; HttpOnly; SameSite=Strict";
    if (secure(request)) {
        out += "; Secure";
    }
    return out;
}

std::string AuthGate::clearing_cookie(const Request& request) const {
    return session_cookie(request, "", 0);
}

Result<std::optional<service::Principal>> AuthGate::identify(const Request& request) {
    if (const auto authz = request.header("Authorization")) {
        constexpr std::string_view kBearer = "Bearer ";
        if (authz->size() <= kBearer.size() ||
            !iequals(authz->substr(0, kBearer.size()), kBearer)) {
            return fail(ErrorCode::TokenInvalid, "Authorization must be \"Bearer <token>\"");
        }
        auto p = auth_.authenticate_token(std::string(authz->substr(kBearer.size())));
        if (!p) {
            return fail(std::move(p).error());
        }
        return std::optional<service::Principal>(std::move(*p));
    }
    if (const auto cookie = request.cookie(session_cookie_name(secure(request)))) {
        if (cookie->empty()) {
            return std::optional<service::Principal>();
        }
        auto p = auth_.authenticate_session(std::string(*cookie));
        if (!p) {
            return fail(std::move(p).error());
        }
        return std::optional<service::Principal>(std::move(*p));
    }
    return std::optional<service::Principal>();
}

Response AuthGate::operator()(Request& request, const Access& access, const Handler& handler) {
    auto who = identify(request);
    if (!who) {
        Response res = refuse(who.error(), request);
        if (who.error().code == ErrorCode::SessionExpired) {
            res.headers.emplace_back("Set-Cookie", clearing_cookie(request));
        }
        return res;
    }
    if (!*who) {
        return refuse(Error{ErrorCode::Unauthenticated, "sign in first", {}}, request);
    }
    service::Principal& p = **who;
    if (!access.allows(p.role)) {
        return refuse(Error{ErrorCode::Forbidden,
                            "the role " + std::string(core::to_string(p.role)) + " may not do this",
                            {}},
                      request);
    }
    if (!safe_method(request.method) && !p.session_id.empty()) {
        // A cookie is sent by the browser on its own; the token in a header only by our page.
        const auto sent = request.header(kCsrfHeader);
        if (!sent || !equal_secrets(*sent, p.csrf_token) || cross_origin(request)) {
            return refuse(Error{ErrorCode::CsrfFailed, "missing or wrong X-CSRF-Token", {}},
                          request);
        }
    }
    if (auto wait = per_user_.acquire(p.user.id)) {
        Response res = refuse(Error{ErrorCode::TooManyRequests, "too many requests", {}}, request);
        res.set_header("Retry-After", std::to_string(wait->count()));
        return res;
    }
    {
        const std::lock_guard lock(mutex_);
        int& n = in_flight_[p.user.id];
        if (n >= options_.max_concurrent_per_user) {
            Response res = refuse(
                Error{ErrorCode::TooManyRequests, "too many requests at once for this user", {}},
                request);
            res.set_header("Retry-After", "1");
            return res;
        }
        ++n;
    }
    const Slot slot(this, p.user.id);
    request.principal = std::move(p);
    return handler(request);
}

} // namespace kapal::http
