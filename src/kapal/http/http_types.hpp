#pragma once
// The request and response the rest of the program sees. No Boost here: only server.cpp knows
// Beast, so handlers compile fast and could move to another server library unchanged.

#include "kapal/service/actor.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kapal::http {

/// A list of (name, value) header fields in arrival order; names compare case-insensitively.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// One HTTP request, already parsed and percent-decoded.
struct Request {
    std::string method;   ///< as sent, e.g. "GET" (methods are case-sensitive)
    std::string target;   ///< the request-target as sent, e.g. "/api/v1/persons?q=a%20b"
    std::string raw_path; ///< the path part of `target`, still percent-encoded
    std::string path;     ///< the path part, percent-decoded ("%2F" becomes "/")
    std::vector<std::pair<std::string, std::string>> query; ///< decoded; '+' is a space
    HeaderList headers;                                     ///< as received
    std::string body;                                       ///< the whole body
    std::string remote_address;                             ///< peer IP, e.g. "127.0.0.1"
    std::map<std::string, std::string> path_params; ///< "{id}" -> value, filled by the Router
    std::string route; ///< the matched route pattern, e.g. "/api/v1/persons/{id}" (for logs)
    bool tls = false;  ///< true when the request arrived over HTTPS
    /// Who is asking; set by the gate for routes that are not open (see router.hpp).
    std::optional<service::Principal> principal;

    /// The first header called `name` (case-insensitive), or nullopt.
    std::optional<std::string_view> header(std::string_view name) const;

    /// The value of cookie `name` from the Cookie headers, or nullopt.
    std::optional<std::string_view> cookie(std::string_view name) const;

    /// The first query parameter called `name` (case-sensitive), or nullopt.
    std::optional<std::string_view> query_param(std::string_view name) const;

    /// The path parameter `name` ("" when the route has none of that name).
    std::string_view path_param(std::string_view name) const;

    /// "en" when Accept-Language prefers English over Indonesian (q-values honoured),
    /// otherwise "id".
    std::string lang() const;
};

/// One HTTP response. The server adds framing (Content-Length, Connection) and the security
/// headers; a handler sets status, content headers and body.
struct Response {
    int status = 200;   ///< HTTP status code
    HeaderList headers; ///< extra header fields; framing headers set here are ignored
    std::string body;   ///< the whole body

    /// A response with Content-Type application/json.
    static Response json(int status, std::string body);

    /// A response with Content-Type text/plain; charset=utf-8.
    static Response text(int status, std::string body);

    /// A 200 download: the bytes with their media type, Content-Disposition attachment with
    /// `filename` (a name we made: no quotes or path), and Cache-Control no-store (files of
    /// personal data must not sit in caches).
    static Response
    attachment(std::string bytes, std::string_view media_type, std::string_view filename);

    /// The first header called `name` (case-insensitive), or nullopt.
    std::optional<std::string_view> header(std::string_view name) const;

    /// Replaces every header called `name` (case-insensitive) by one with `value`.
    void set_header(std::string_view name, std::string value);
};

/// True when the two ASCII strings are equal ignoring case.
bool iequals(std::string_view a, std::string_view b) noexcept;

/// True when the request's Content-Type is application/json (any parameters, any case).
bool is_json_content(const Request& request);

/// Percent-decodes `text`; with `plus_is_space` a '+' becomes ' ' (query strings). nullopt for a
/// broken escape such as "%zz" or a trailing "%4".
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

/// Parses a query string ("a=1&b=x%20y&flag") into decoded pairs; nullopt for a broken escape.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query);

/// Fills target, raw_path, path and query of `request` from a request-target in origin form
/// ("/a?b"), absolute form ("http://host/a?b") or "*". False when the target is malformed.
bool parse_target(std::string_view target, Request& request);

/// The language chosen from an Accept-Language value: "en" or "id" (see Request::lang).
std::string negotiate_language(std::string_view accept_language);

} // namespace kapal::http
