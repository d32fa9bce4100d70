#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <csignal>

namespace kapal::testing {
namespace {

bool iequal(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

} // namespace

std::string HttpResponse::header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
        if (iequal(k, name)) {
            return v;
        }
    }
    return {};
}

RawConnection::RawConnection(unsigned short port) {
    ::signal(SIGPIPE, SIG_IGN);
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

RawConnection::~RawConnection() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

bool RawConnection::send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

std::string RawConnection::read_all(std::chrono::milliseconds timeout) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            break;
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            continue;
        }
        char buf[8192];
        const auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) {
            break;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

bool RawConnection::closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return false;
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            continue;
        }
        char buf[4096];
        const auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) {
            return true;
        }
    }
}

std::optional<HttpResponse> parse_response(const std::string& raw) {
    const auto head_end = raw.find("\r\n\r\n");
    if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) {
        return std::nullopt;
    }
    HttpResponse res;
    res.status = std::stoi(raw.substr(9, 3));
    std::size_t pos = raw.find("\r\n") + 2;
    while (pos < head_end) {
        const auto eol = raw.find("\r\n", pos);
        const auto line = raw.substr(pos, eol - pos);
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
            auto value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') {
                value.erase(0, 1);
            }
            res.headers.emplace_back(line.substr(0, colon), value);
        }
        pos = eol + 2;
    }
    res.body = raw.substr(head_end + 4);
    const auto length = res.header("Content-Length");
    if (!length.empty()) {
        const auto n = static_cast<std::size_t>(std::stoul(length));
        if (res.body.size() < n) {
            return std::nullopt;
        }
        res.body.resize(n);
    }
    return res;
}

std::optional<HttpResponse>
http_request(unsigned short port,
             const std::string& method,
             const std::string& target,
             const std::vector<std::pair<std::string, std::string>>& headers,
             const std::string& body) {
    RawConnection conn(port);
    if (!conn.connected()) {
        return std::nullopt;
    }
    std::string req =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) {
        req += k + ": " + v + "\r\n";
    }
    if (!body.empty() || method == "POST" || method == "PUT") {
        req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    req += "\r\n" + body;
    if (!conn.send(req)) {
        return std::nullopt;
    }
    return parse_response(conn.read_all(std::chrono::seconds(30)));
}

} // namespace kapal::testing
