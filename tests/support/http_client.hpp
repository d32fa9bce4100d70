#pragma once
// A small blocking HTTP/1.1 client for integration tests: one request per connection, or raw
// bytes for the tests that misbehave on purpose (slow, oversize, malformed).

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kapal::testing {

struct HttpResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    /// First header of that name (case-insensitive), or "".
    std::string header(const std::string& name) const;
};

/// Sends one request to 127.0.0.1:port and reads the whole response (Connection: close).
/// nullopt when the connection fails or closes before a full response.
std::optional<HttpResponse>
http_request(unsigned short port,
             const std::string& method,
             const std::string& target,
             const std::vector<std::pair<std::string, std::string>>& headers = {},
             const std::string& body = {});

/// A raw TCP connection for hand-made requests.
class RawConnection {
  public:
    explicit RawConnection(unsigned short port);
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;
    RawConnection(RawConnection&&) = delete;
    RawConnection& operator=(RawConnection&&) = delete;
    ~RawConnection();

    bool connected() const { return fd_ >= 0; }

    /// False when the peer has closed or reset the connection.
    bool send(const std::string& bytes);

    /// Reads until the peer closes or `timeout` passes.
    std::string read_all(std::chrono::milliseconds timeout);

    /// True when the peer closed the connection within `timeout` (reads and drops data).
    bool closed_within(std::chrono::milliseconds timeout);

  private:
    int fd_ = -1;
};

/// Parses a raw response (status line, headers, body by Content-Length or to the end).
std::optional<HttpResponse> parse_response(const std::string& raw);

} // namespace kapal::testing
