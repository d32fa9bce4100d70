#include "kapal/app/config.hpp"

#include "kapal/core/text.hpp"

#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace kapal::app {
namespace {

template <class T> bool parse_num(std::string_view text, T& out) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && ptr == text.data() + text.size();
}

using Setter = std::function<bool(Config&, std::string_view)>;

const std::map<std::string, Setter, std::less<>>& setters() {
    static const std::map<std::string, Setter, std::less<>> kSetters = {
        {"store",
         [](Config& c, std::string_view v) {
             c.store = v;
             return !v.empty();
         }},
        {"listen",
         [](Config& c, std::string_view v) {
             c.listen = v;
             return parse_listen(v).has_value();
         }},
        {"tls_cert",
         [](Config& c, std::string_view v) {
             c.tls_cert = v;
             return true;
         }},
        {"tls_key",
         [](Config& c, std::string_view v) {
             c.tls_key = v;
             return true;
         }},
        {"reference_dir",
         [](Config& c, std::string_view v) {
             c.reference_dir = v;
             return true;
         }},
        {"static_dir",
         [](Config& c, std::string_view v) {
             c.static_dir = v;
             return true;
         }},
        {"threads",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.threads) && c.threads > 0;
         }},
        {"reader_connections",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.reader_connections) && c.reader_connections > 0;
         }},
        {"body_limit_bytes",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.body_limit_bytes) && c.body_limit_bytes > 0;
         }},
        {"header_limit_bytes",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.header_limit_bytes) && c.header_limit_bytes > 0;
         }},
        {"header_timeout_s",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.header_timeout_s) && c.header_timeout_s > 0;
         }},
        {"request_timeout_s",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.request_timeout_s) && c.request_timeout_s > 0;
         }},
        {"idle_timeout_s",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.idle_timeout_s) && c.idle_timeout_s > 0;
         }},
        {"max_connections",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.max_connections) && c.max_connections > 0;
         }},
        {"max_connections_per_address",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.max_connections_per_address) &&
                    c.max_connections_per_address > 0;
         }},
        {"requests_per_second_per_address",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.requests_per_second_per_address) &&
                    c.requests_per_second_per_address >= 0;
         }},
        {"burst_per_address",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.burst_per_address) && c.burst_per_address >= 0;
         }},
        {"offline_wipe_days",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.offline_wipe_days) && c.offline_wipe_days >= 1 &&
                    c.offline_wipe_days <= 90;
         }},
        {"session_idle_minutes",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.session_idle_minutes) && c.session_idle_minutes > 0;
         }},
        {"session_absolute_hours",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.session_absolute_hours) && c.session_absolute_hours > 0;
         }},
        {"secure_cookies",
         [](Config& c, std::string_view v) {
             c.secure_cookies = v;
             return v == "auto" || v == "always";
         }},
        {"login_free_failures_per_account",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.login_free_failures_per_account) &&
                    c.login_free_failures_per_account >= 0;
         }},
        {"login_free_failures_per_address",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.login_free_failures_per_address) &&
                    c.login_free_failures_per_address >= 0;
         }},
        {"requests_per_second_per_user",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.requests_per_second_per_user) &&
                    c.requests_per_second_per_user >= 0;
         }},
        {"burst_per_user",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.burst_per_user) && c.burst_per_user >= 0;
         }},
        {"trusted_proxy",
         [](Config& c, std::string_view v) {
             c.trusted_proxy = v;
             return true;
         }},
        {"max_concurrent_requests_per_user",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.max_concurrent_requests_per_user) &&
                    c.max_concurrent_requests_per_user > 0;
         }},
        {"change_poll_ms",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.change_poll_ms) && c.change_poll_ms >= 10 &&
                    c.change_poll_ms <= 1000;
         }},
        {"card_issuer",
         [](Config& c, std::string_view v) {
             c.card_issuer = v;
             return !v.empty() && v.size() <= 100;
         }},
        {"card_validity_years",
         [](Config& c, std::string_view v) {
             return parse_num(v, c.card_validity_years) && c.card_validity_years >= 1 &&
                    c.card_validity_years <= 10;
         }},
        {"card_hotline",
         [](Config& c, std::string_view v) {
             c.card_hotline = v;
             return v.size() <= 40;
         }},
        {"public_url",
         [](Config& c, std::string_view v) {
             c.public_url = v;
             return v.empty() || v.starts_with("https://") || v.starts_with("http://");
         }},
    };
    return kSetters;
}

} // namespace

Result<std::pair<std::string, unsigned short>> parse_listen(std::string_view listen) {
    const auto colon = listen.rfind(':');
    unsigned short port = 0;
    if (colon == std::string_view::npos || colon == 0 ||
        !parse_num(listen.substr(colon + 1), port)) {
        return fail(ErrorCode::ConfigInvalid,
                    "listen must be HOST:PORT, e.g. 127.0.0.1:8080, not '" + std::string(listen) +
                        "'");
    }
    std::string host(listen.substr(0, colon));
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2); // [::1]:8080
    }
    return std::pair{host, port};
}

Result<Config> parse_config(std::string_view text) {
    Config config;
    std::size_t line_no = 0;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        ++line_no;
        const auto t = core::trim(line);
        if (t.empty() || t.front() == '#') {
            continue;
        }
        const auto eq = t.find('=');
        if (eq == std::string_view::npos) {
            return fail(ErrorCode::ConfigInvalid,
                        "config line " + std::to_string(line_no) + ": expected key = value");
        }
        const auto key = core::trim(t.substr(0, eq));
        const auto value = core::trim(t.substr(eq + 1));
        const auto it = setters().find(key);
        if (it == setters().end()) {
            return fail(ErrorCode::ConfigInvalid,
                        "config line " + std::to_string(line_no) + ": unknown setting '" +
                            std::string(key) + "'");
        }
        if (!it->second(config, value)) {
            return fail(ErrorCode::ConfigInvalid,
                        "config line " + std::to_string(line_no) + ": bad value for " +
                            std::string(key) + ": '" + std::string(value) + "'");
        }
    }
    return config;
}

std::string format_config(const Config& c) {
    std::ostringstream out;
    out << "# Kapal Si Geo settings (see docs/operations.md). key = value\n"
        << "# Where the registry is stored: sqlite:<file> (relative to this folder), or a\n"
        << "# PostgreSQL database: postgresql://user@host/dbname (docs/operations-postgres.md).\n"
        << "store = " << c.store << "\n"
        << "# Address the server listens on; use 0.0.0.0:8080 behind a reverse proxy only.\n"
        << "listen = " << c.listen << "\n"
        << "# HTTPS: both files set = serve TLS (needed for camera, GPS and the installable app).\n"
        << "tls_cert = " << c.tls_cert << "\n"
        << "tls_key = " << c.tls_key << "\n"
        << "threads = " << c.threads << "\n"
        << "reader_connections = " << c.reader_connections << "\n"
        << "# Limits against mistakes and abuse.\n"
        << "body_limit_bytes = " << c.body_limit_bytes << "\n"
        << "header_limit_bytes = " << c.header_limit_bytes << "\n"
        << "header_timeout_s = " << c.header_timeout_s << "\n"
        << "request_timeout_s = " << c.request_timeout_s << "\n"
        << "idle_timeout_s = " << c.idle_timeout_s << "\n"
        << "max_connections = " << c.max_connections << "\n"
        << "max_connections_per_address = " << c.max_connections_per_address << "\n"
        << "requests_per_second_per_address = " << c.requests_per_second_per_address << "\n"
        << "burst_per_address = " << c.burst_per_address << "\n"
        << "# Sessions end after this long without a request, and this long after login.\n"
        << "session_idle_minutes = " << c.session_idle_minutes << "\n"
        << "session_absolute_hours = " << c.session_absolute_hours << "\n"
        << "# Offline data on a device is wiped when not unlocked for this many days (1-90).\n"
        << "offline_wipe_days = " << c.offline_wipe_days << "\n"
        << "# auto: cookies are Secure when served over TLS; always: also behind a TLS proxy.\n"
        << "secure_cookies = " << c.secure_cookies << "\n"
        << "# Failed logins allowed before waits start (then 2 s, 4 s, ... up to 15 min).\n"
        << "login_free_failures_per_account = " << c.login_free_failures_per_account << "\n"
        << "login_free_failures_per_address = " << c.login_free_failures_per_address << "\n"
        << "# Per signed-in user (field phones share carrier addresses, so per user too).\n"
        << "requests_per_second_per_user = " << c.requests_per_second_per_user << "\n"
        << "burst_per_user = " << c.burst_per_user << "\n"
        << "max_concurrent_requests_per_user = " << c.max_concurrent_requests_per_user << "\n"
        << "# Behind a reverse proxy: its address(es), comma-separated, so that its\n"
        << "# X-Forwarded-For names the client (rate limits, login throttling, audit).\n"
        << "trusted_proxy = " << c.trusted_proxy << "\n"
        << "# How often (ms, 10..1000) the server reads changes other servers or commands\n"
        << "# made (PostgreSQL also wakes it at each commit).\n"
        << "change_poll_ms = " << c.change_poll_ms << "\n"
        << "# The card: the issuer named in its credential and on it, how many years (1..10)\n"
        << "# a card is valid, the hotline printed on its back, and the address where anyone\n"
        << "# can verify it (e.g. https://kapal.example.go.id; printed on the back).\n"
        << "card_issuer = " << c.card_issuer << "\n"
        << "card_validity_years = " << c.card_validity_years << "\n"
        << "card_hotline = " << c.card_hotline << "\n"
        << "public_url = " << c.public_url << "\n";
    if (!c.reference_dir.empty()) {
        out << "reference_dir = " << c.reference_dir << "\n";
    }
    if (!c.static_dir.empty()) {
        out << "static_dir = " << c.static_dir << "\n";
    }
    return out.str();
}

Result<Config> load_config(const std::filesystem::path& dir) {
    std::ifstream in(dir / "config");
    if (!in) {
        return fail(ErrorCode::ConfigInvalid,
                    "no config in " + dir.string() + "; run `kapal init --data " + dir.string() +
                        "` first");
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str());
}

} // namespace kapal::app
