#pragma once
// Method + path-pattern dispatch. Patterns are literal segments and "{name}" segments:
// "/api/v1/persons/{id}". A literal segment beats a parameter ("/persons/search" is chosen
// over "/persons/{id}" for that path).

#include "kapal/http/http_types.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::http {

/// A request handler. It may throw: the server answers 500 and keeps serving.
using Handler = std::function<Response(const Request&)>;

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
        std::string pattern;                       ///< the matched pattern (Found)
        std::map<std::string, std::string> params; ///< decoded "{name}" values (Found)
        std::vector<std::string> allow; ///< methods for this path, sorted (MethodNotAllowed)
    };

    /// Registers `handler` for `method` (e.g. "GET") and `pattern` (must start with '/').
    /// A later registration of the same method and pattern replaces the earlier one.
    void add(std::string method, std::string pattern, Handler handler);

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
        Handler handler;
    };

    std::vector<Route> routes_;
};

/// Splits a raw path on '/' and percent-decodes each segment ("/a/b%2Fc" -> {"a", "b/c"}).
/// nullopt for a broken escape.
std::optional<std::vector<std::string>> split_path(std::string_view raw_path);

} // namespace kapal::http
