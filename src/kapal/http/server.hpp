#pragma once
// The HTTP/1.1 server: asynchronous, keep-alive, optional TLS, hardened against slow and
// oversized requests. Beast lives only in server.cpp; this header is plain C++.

#include "kapal/core/result.hpp"
#include "kapal/http/router.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::http {

/// How the server listens and which limits it enforces.
struct ServerOptions {
    std::string host = "127.0.0.1";   ///< IP address to bind (an address, not a host name)
    unsigned short port = 8080;       ///< 0 picks a free port; see Server::port()
    int threads = 4;                  ///< io threads; handlers run on them
    std::size_t body_limit = 1 << 20; ///< bytes; a larger body gets 413 unread
    std::size_t header_limit =
        std::size_t{16} * 1024;                   ///< bytes of request line + headers; else 431
    std::chrono::seconds header_timeout{10};      ///< from the first byte to the end of the
                                                  ///< headers (and a new connection's first byte):
                                                  ///< slow clients (slowloris) are cut off
    std::chrono::seconds request_timeout{30};     ///< to receive the body, and to send a response
    std::chrono::seconds idle_timeout{60};        ///< keep-alive wait for the next request
    std::size_t max_connections = 512;            ///< more are closed at once
    std::size_t max_connections_per_address = 64; ///< per client IP; more are closed at once
    double requests_per_second_per_address = 50;  ///< token bucket rate; 0 = off
    double burst_per_address = 100;               ///< token bucket size; 0 = off
    std::string tls_cert_file; ///< PEM certificate chain; with tls_key_file: HTTPS only
    std::string tls_key_file;  ///< PEM private key
    std::string static_dir;    ///< files served at / when no route matches a GET; "" = none
    /// Addresses of reverse proxies whose X-Forwarded-For is believed: for a request from one
    /// of them, the right-most address in that header (the one the proxy itself added) is the
    /// client's, for the per-address rate limit, login throttling and the audit log. Empty = the
    /// peer address always (a header anyone can send is never trusted by default).
    std::vector<std::string> trusted_proxies;
    std::chrono::seconds shutdown_grace{10};   ///< stop() waits this long for open requests
    std::function<void(std::string_view)> log; ///< receives operational messages (never
                                               ///< request data); empty = silent
};

/// A running server. Create with start(); destroying it stops it.
class Server {
  public:
    /// Binds, listens and starts `options.threads` io threads. `router` (and what its
    /// handlers use) must outlive the server. Errors: ConfigInvalid (bad host, only one of the
    /// TLS files, unreadable certificate or key, missing static_dir), Io (bind or listen
    /// failed, e.g. the port is taken).
    static Result<std::unique_ptr<Server>> start(ServerOptions options, const Router& router);

    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    Server(Server&&) = delete;
    Server& operator=(Server&&) = delete;

    /// Stops (see stop()) and releases everything. Must not run on an io thread (a handler).
    ~Server();

    /// The bound port (useful when options.port was 0).
    unsigned short port() const noexcept;

    /// Graceful stop: stops accepting, closes idle connections, lets requests in progress
    /// finish (up to shutdown_grace), then returns. Idempotent. From a handler it only
    /// initiates the stop (it cannot wait for itself).
    void stop();

    /// Blocks until the server has stopped (another thread called stop()).
    void wait();

  private:
    struct Impl;

    explicit Server(std::unique_ptr<Impl> impl);

    std::unique_ptr<Impl> impl_;
};

} // namespace kapal::http
