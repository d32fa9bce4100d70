#include "kapal/http/router.hpp"

#include "kapal/http/problem.hpp"

#include <algorithm>

namespace kapal::http {
namespace {

bool is_param(std::string_view segment) {
    return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// Fills `params` when `segments` fit `pattern`.
bool fits(const std::vector<std::string>& pattern,
          const std::vector<std::string>& segments,
          std::map<std::string, std::string>* params) {
    if (pattern.size() != segments.size()) {
        return false;
    }
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (is_param(pattern[i])) {
            if (segments[i].empty()) {
                return false;
            }
        } else if (pattern[i] != segments[i]) {
            return false;
        }
    }
    if (params != nullptr) {
        params->clear();
        for (std::size_t i = 0; i < pattern.size(); ++i) {
            if (is_param(pattern[i])) {
                (*params)[pattern[i].substr(1, pattern[i].size() - 2)] = segments[i];
            }
        }
    }
    return true;
}

// True when pattern a is more specific than b: at the first position where one has a literal
// and the other a parameter, the literal wins.
bool more_specific(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
        const bool pa = is_param(a[i]);
        const bool pb = is_param(b[i]);
        if (pa != pb) {
            return !pa;
        }
    }
    return false;
}

} // namespace

std::optional<std::vector<std::string>> split_path(std::string_view raw_path) {
    std::vector<std::string> out;
    if (!raw_path.empty() && raw_path.front() == '/') {
        raw_path.remove_prefix(1);
    }
    while (true) {
        const auto slash = raw_path.find('/');
        auto segment = percent_decode(raw_path.substr(0, slash));
        if (!segment) {
            return std::nullopt;
        }
        out.push_back(std::move(*segment));
        if (slash == std::string_view::npos) {
            break;
        }
        raw_path.remove_prefix(slash + 1);
    }
    return out;
}

bool Access::allows(core::Role role) const {
    return anyone || std::find(roles.begin(), roles.end(), role) != roles.end();
}

void Router::add(std::string method, std::string pattern, Access access, Handler handler) {
    auto segments = split_path(pattern).value_or(std::vector<std::string>{});
    for (Route& route : routes_) {
        if (route.method == method && route.pattern == pattern) {
            route.access = std::move(access);
            route.handler = std::move(handler);
            return;
        }
    }
    routes_.push_back(Route{std::move(method),
                            std::move(pattern),
                            std::move(segments),
                            std::move(access),
                            std::move(handler)});
}

std::vector<Router::RouteInfo> Router::routes() const {
    std::vector<RouteInfo> out;
    out.reserve(routes_.size());
    for (const Route& r : routes_) {
        out.push_back({r.method, r.pattern, r.access});
    }
    return out;
}

Router::Match Router::match(std::string_view method, std::string_view raw_path) const {
    Match result;
    const auto segments = split_path(raw_path);
    if (!segments) {
        return result;
    }
    const Route* best = nullptr;
    auto pick = [&](std::string_view wanted) {
        for (const Route& route : routes_) {
            if (route.method == wanted && fits(route.segments, *segments, nullptr) &&
                (best == nullptr || more_specific(route.segments, best->segments))) {
                best = &route;
            }
        }
    };
    pick(method);
    if (best == nullptr && method == "HEAD") {
        pick("GET");
    }
    if (best != nullptr) {
        result.kind = MatchKind::Found;
        result.handler = &best->handler;
        result.access = &best->access;
        result.pattern = best->pattern;
        fits(best->segments, *segments, &result.params);
        return result;
    }
    result.allow = allowed_methods(raw_path);
    if (!result.allow.empty()) {
        result.kind = MatchKind::MethodNotAllowed;
    }
    return result;
}

std::vector<std::string> Router::allowed_methods(std::string_view raw_path) const {
    std::vector<std::string> allow;
    const auto segments = split_path(raw_path);
    if (!segments) {
        return allow;
    }
    for (const Route& route : routes_) {
        if (fits(route.segments, *segments, nullptr)) {
            allow.push_back(route.method);
            if (route.method == "GET") {
                allow.emplace_back("HEAD");
            }
        }
    }
    if (allow.empty()) {
        return allow;
    }
    allow.emplace_back("OPTIONS");
    std::sort(allow.begin(), allow.end());
    allow.erase(std::unique(allow.begin(), allow.end()), allow.end());
    return allow;
}

Response Router::handle(Request& request) const {
    Match found = match(request.method, request.raw_path);
    if (found.kind == MatchKind::Found) {
        request.path_params = std::move(found.params);
        request.route = std::move(found.pattern);
        if (found.access->anyone) {
            return (*found.handler)(request);
        }
        if (!gate_) {
            return problem_response(ErrorCode::Unauthenticated, request.lang());
        }
        return gate_(request, *found.access, *found.handler);
    }
    if (found.kind == MatchKind::NotFound) {
        return problem_response(ErrorCode::NotFound, request.lang(), "no route for this path");
    }
    std::string allow;
    for (const std::string& m : found.allow) {
        allow += allow.empty() ? "" : ", ";
        allow += m;
    }
    if (request.method == "OPTIONS") {
        Response response;
        response.status = 204;
        response.headers.emplace_back("Allow", allow);
        return response;
    }
    Response response = problem_response(ErrorCode::MethodNotAllowed,
                                         request.lang(),
                                         "method " + request.method + " is not allowed here");
    response.headers.emplace_back("Allow", allow);
    return response;
}

} // namespace kapal::http
