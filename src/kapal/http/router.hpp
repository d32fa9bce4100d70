#pragma once
// Method + path-pattern dispatch. Patterns are literal segments and "{name}" segments:
// "/api/v1/persons/{id}". A literal segment beats a parameter ("/persons/search" is chosen
// over "/persons/{id}" for that path).

#include "kapal/core/user.hpp"
#include "kapal/http/http_types.hpp"

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::http {

/// A request handler. It may throw: the server answers 500 and keeps serving.
using Handler = std::function<Response(const Request&)>;

/// Who may call a route. Every route states it when it is registered: there is no default, so
/// a new route cannot be added without deciding (and the authorization matrix test fails until
/// the route is classified there too).
struct Access {
    bool anyone = false;           ///< the anonymous public may call it
    std::vector<core::Role> roles; ///< otherwise: a signed-in user with one of these roles

    /// Public: no credentials needed (health, OpenAPI, login, verification, public map).
    static Access open() { return Access{true, {}}; }

    /// Any signed-in user, whatever the role (their own sessions, who am I).
    static Access signed_in() {
        return Access{false, {core::kAllRoles.begin(), core::kAllRoles.end()}};
    }

    /// Signed-in users with one of `roles`.
    static Access only(std::initializer_list<core::Role> roles) { return Access{false, roles}; }

    bool allows(core::Role role) const;
};

/// Runs between routing and the handler of a route that is not open: finds the principal,
/// checks role, CSRF and per-user limits, then calls the handler (or answers itself).
using Gate = std::function<Response(Request&, const Access&, const Handler&)>;

/// Maps (method, path pattern) to handlers. Register every route before Server::start; matching
/// is then read-only and safe from many threads.
class Router {
  public:
    /// What match() found for a request.
    enum class MatchKind { Found, MethodNotAllowed, NotFound };

    /// The result of match(): the handler (Found), or the methods the path allows.
    struct Match {
        MatchKind kind = MatchKind::NotFound;      ///< see MatchKind
        const Handler* handler = nullptr;          ///< set when kind == Found
        const Access* access = nullptr;            ///< set when kind == Found
        std::string pattern;                       ///< the matched pattern (Found)
        std::map<std::string, std::string> params; ///< decoded "{name}" values (Found)
        std::vector<std::string> allow; ///< methods for this path, sorted (MethodNotAllowed)
    };

    /// Registers `handler` for `method` (e.g. "GET") and `pattern` (must start with '/'),
    /// callable by `access`. A later registration of the same method and pattern replaces the
    /// earlier one.
    void add(std::string method, std::string pattern, Access access, Handler handler);

    /// Sets the gate every route that is not open passes through. Without one, such routes
    /// answer 401 (fail closed).
    void set_gate(Gate gate) { gate_ = std::move(gate); }

    /// One registered route, for the authorization matrix test and the docs.
    struct RouteInfo {
        std::string method;
        std::string pattern;
        Access access;
    };

    /// Every registered route, in registration order.
    std::vector<RouteInfo> routes() const;

    /// Finds the route for `method` and a still percent-encoded `raw_path`. HEAD falls back to
    /// GET routes.
    Match match(std::string_view method, std::string_view raw_path) const;

    /// The methods registered for `raw_path` plus HEAD (when GET is) and OPTIONS, sorted;
    /// empty when no route has that path.
    std::vector<std::string> allowed_methods(std::string_view raw_path) const;

    /// Dispatches `request`: fills path_params and route and calls the handler. Unknown path:
    /// 404 problem; known path, other method: 405 problem with Allow; OPTIONS without its own
    /// route: 204 with Allow. HEAD runs the GET handler (the server drops the body).
    /// Exceptions from the handler propagate to the caller (the server turns them into 500).
    Response handle(Request& request) const;

  private:
    struct Route {
        std::string method;
        std::string pattern;
        std::vector<std::string> segments; // "{name}" marks a parameter
        Access access;
        Handler handler;
    };

    std::vector<Route> routes_;
    Gate gate_;
};

/// Splits a raw path on '/' and percent-decodes each segment ("/a/b%2Fc" -> {"a", "b/c"}).
/// nullopt for a broken escape.
std::optional<std::vector<std::string>> split_path(std::string_view raw_path);

} // namespace kapal::http
