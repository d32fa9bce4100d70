#include "kapal/http/security_headers.hpp"

namespace kapal::http {

void add_security_headers(Response& response, std::string_view request_path, bool tls) {
    response.set_header("X-Content-Type-Options", "nosniff");
    response.set_header("Referrer-Policy", "no-referrer");
    response.set_header("X-Frame-Options", "DENY");
    const auto type = response.header("Content-Type");
    const bool html = type.has_value() && type->substr(0, 9) == "text/html";
    const std::string_view policy = html                       ? kHtmlContentSecurityPolicy
                                    : request_path == "/sw.js" ? kWorkerContentSecurityPolicy
                                                               : kDefaultContentSecurityPolicy;
    response.set_header("Content-Security-Policy", std::string(policy));
    const bool api = request_path == "/api" || request_path.substr(0, 5) == "/api/";
    if (api && !response.header("Cache-Control")) {
        response.set_header("Cache-Control", "no-store");
    }
    if (tls) {
        response.set_header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }
}

} // namespace kapal::http
