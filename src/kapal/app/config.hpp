#pragma once
// DIR/config: where the store is and every limit the server applies. Written by `kapal init`,
// read by every other command. Format: `key = value` lines, `#` comments; unknown keys are an
// error (a typo must not silently fall back to a default).

#include "kapal/core/result.hpp"

#include <cstddef>
#include <filesystem>
#include <string>

namespace kapal::app {

struct Config {
    /// sqlite:<path relative to DIR or absolute>, or postgresql://<libpq URI>
    std::string store = "sqlite:store.db";
    std::string listen = "127.0.0.1:8080";
    std::string tls_cert;
    std::string tls_key;
    std::string reference_dir; ///< empty: found next to the program
    std::string static_dir;    ///< empty: found next to the program
    int threads = 4;
    int reader_connections = 4;
    std::size_t body_limit_bytes = 1 << 20;
    std::size_t header_limit_bytes = 16 * 1024;
    int header_timeout_s = 10;
    int request_timeout_s = 30;
    int idle_timeout_s = 60;
    std::size_t max_connections = 512;
    std::size_t max_connections_per_address = 64;
    double requests_per_second_per_address = 50;
    double burst_per_address = 100;
    // Sessions, logins and per-user limits (docs/SECURITY.md).
    int session_idle_minutes = 30;
    /// Data kept on a device for offline work (docs/sync.md) is wiped when it was not unlocked
    /// for this many days; the web app reads it from /api/v1/auth/me.
    int offline_wipe_days = 7;
    int session_absolute_hours = 12;
    std::string secure_cookies = "auto"; ///< auto: Secure when served over TLS; always: also
                                         ///< behind a TLS-terminating proxy
    int login_free_failures_per_account = 5;
    int login_free_failures_per_address = 20;
    double requests_per_second_per_user = 20;
    double burst_per_user = 40;
    int max_concurrent_requests_per_user = 8;
    std::string trusted_proxy; ///< comma-separated proxy addresses whose X-Forwarded-For counts
    int change_poll_ms = 1000; ///< the change follower's poll interval (10..1000)
    // The card (docs/card-format.md).
    std::string card_issuer = "Dinas Sosial Kota Bontang"; ///< the credential's iss, printed
    int card_validity_years = 5;                           ///< 1..10
    std::string card_hotline;                              ///< printed on the back; empty: none
    std::string public_url; ///< where verifiers reach this server; printed on the back
};

/// Parses config text. Errors: ConfigInvalid naming the line.
Result<Config> parse_config(std::string_view text);

/// The text of a config, with a comment per key.
std::string format_config(const Config& config);

/// Reads DIR/config. Errors: ConfigInvalid (missing: "run kapal init --data DIR first").
Result<Config> load_config(const std::filesystem::path& dir);

/// Splits "host:port". Errors: ConfigInvalid.
Result<std::pair<std::string, unsigned short>> parse_listen(std::string_view listen);

} // namespace kapal::app
