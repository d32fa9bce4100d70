#pragma once
// The headers every response carries, added by the server after the handler ran.

#include "kapal/http/http_types.hpp"

namespace kapal::http {

/// The Content-Security-Policy of HTML pages: only our own scripts and styles; images also from
/// data: and https: (map tiles); no framing, no plugins.
inline constexpr std::string_view kHtmlContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The Content-Security-Policy of everything else (JSON, images): nothing may run.
inline constexpr std::string_view kDefaultContentSecurityPolicy =
    "default-src 'none'; frame-ancestors 'none'";

/// The Content-Security-Policy of the service worker /sw.js, which applies to the worker itself:
/// it may fetch from its own origin (the app shell, the areas) and do nothing else.
inline constexpr std::string_view kWorkerContentSecurityPolicy =
    "default-src 'none'; connect-src 'self'; frame-ancestors 'none'";

/// Adds X-Content-Type-Options, Referrer-Policy, X-Frame-Options, a Content-Security-Policy
/// (kHtmlContentSecurityPolicy for text/html, kWorkerContentSecurityPolicy for /sw.js),
/// Cache-Control: no-store for paths under /api (unless the handler chose a Cache-Control) and,
/// when `tls`, Strict-Transport-Security. Headers the handler already set are replaced, except
/// Cache-Control.
void add_security_headers(Response& response, std::string_view request_path, bool tls);

} // namespace kapal::http
