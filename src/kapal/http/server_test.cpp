// Talks to a real server on 127.0.0.1 over real sockets, with a small blocking client (plain
// POSIX sockets, and OpenSSL for the HTTPS test) so this file stays cheap to compile.
#include "kapal/http/server.hpp"

#include "kapal/http/problem.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nlohmann/json.hpp>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace kapal::http {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct RawResponse {
    int status = 0;
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;

    std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

std::string lower(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return text;
}

// Parses the head of a response ("HTTP/1.1 200 OK\r\nA: b\r\n") into `out`.
void parse_head(const std::string& head, RawResponse& out) {
    std::size_t pos = head.find("\r\n");
    const std::string status_line = head.substr(0, pos);
    out.status = std::atoi(status_line.substr(9, 3).c_str());
    while (pos != std::string::npos && pos + 2 < head.size()) {
        const std::size_t next = head.find("\r\n", pos + 2);
        const std::string line = head.substr(pos + 2, next - pos - 2);
        const std::size_t colon = line.find(':');
        if (colon != std::string::npos) {
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            out.headers[lower(line.substr(0, colon))] = value;
        }
        pos = next;
    }
}

// A blocking HTTP/1.1 client over one TCP connection.
class Client {
  public:
    explicit Client(unsigned short port, std::chrono::milliseconds timeout = 5000ms) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) {
            throw std::runtime_error("socket");
        }
        timeval tv{};
        tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
        tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd_);
            throw std::runtime_error("connect");
        }
    }

    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    Client(Client&&) = delete;
    Client& operator=(Client&&) = delete;

    ~Client() { ::close(fd_); }

    bool send(std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    // One response; nullopt when the connection closed or timed out first.
    std::optional<RawResponse> read(bool head_request = false) {
        std::size_t end = std::string::npos;
        while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
            if (!fill()) {
                return std::nullopt;
            }
        }
        RawResponse response;
        parse_head(buffer_.substr(0, end + 2), response);
        buffer_.erase(0, end + 4);
        std::size_t length = 0;
        if (!head_request && response.status != 204 && response.status != 304 &&
            response.headers.count("content-length") != 0) {
            length = std::stoul(response.headers["content-length"]);
        }
        while (buffer_.size() < length) {
            if (!fill()) {
                return std::nullopt;
            }
        }
        response.body = buffer_.substr(0, length);
        buffer_.erase(0, length);
        return response;
    }

    std::optional<RawResponse> request(const std::string& method,
                                       const std::string& target,
                                       const std::string& extra_headers = "",
                                       const std::string& body = "") {
        std::string text =
            method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers;
        if (!body.empty()) {
            text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        }
        text += "\r\n" + body;
        if (!send(text)) {
            return std::nullopt;
        }
        return read(method == "HEAD");
    }

    // True when the server closes the connection (EOF or reset) within the receive timeout;
    // anything the server sent first is kept in `received`.
    bool closed_by_peer(std::string* received = nullptr) {
        while (true) {
            char chunk[4096];
            const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n == 0) {
                break;
            }
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    return false; // timed out: still open
                }
                break; // reset
            }
            if (received != nullptr) {
                received->append(chunk, static_cast<std::size_t>(n));
            }
        }
        return true;
    }

  private:
    bool fill() {
        char chunk[16384];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) {
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int fd_ = -1;
    std::string buffer_;
};

std::optional<RawResponse>
get(unsigned short port, const std::string& target, const std::string& extra_headers = "") {
    Client client(port);
    return client.request("GET", target, extra_headers);
}

nlohmann::json json_of(const RawResponse& response) {
    return nlohmann::json::parse(response.body);
}

class ServerTest : public ::testing::Test {
  protected:
    ServerTest() {
        router_.add("GET", "/api/v1/persons/{id}", Access::open(), [](const Request& r) {
            return Response::json(
                200,
                nlohmann::json{{"id", r.path_param("id")}, {"q", r.query_param("q").value_or("")}}
                    .dump());
        });
        router_.add("GET", "/api/v1/persons/search", Access::open(), [](const Request&) {
            return Response::text(200, "search");
        });
        router_.add("POST", "/api/v1/persons", Access::open(), [](const Request& r) {
            return Response::json(201, nlohmann::json{{"received", r.body.size()}}.dump());
        });
        router_.add("GET", "/api/v1/invalid", Access::open(), [](const Request& r) {
            return problem_response(Error{ErrorCode::ValidationFailed,
                                          "1 field is invalid",
                                          {FieldIssue{"nik", ErrorCode::NikLength, "15"}}},
                                    r.lang());
        });
        router_.add("GET", "/api/v1/boom", Access::open(), [](const Request&) -> Response {
            throw std::runtime_error("database exploded");
        });
        router_.add("GET", "/api/v1/slow", Access::open(), [](const Request&) {
            std::this_thread::sleep_for(300ms);
            return Response::text(200, "slow done");
        });
        router_.add("GET", "/hello", Access::open(), [](const Request& r) {
            return Response::text(200, "hello " + r.remote_address);
        });
    }

    // Test defaults: rate limiting off, short timeouts.
    static ServerOptions options() {
        ServerOptions o;
        o.port = 0;
        o.threads = 2;
        o.requests_per_second_per_address = 0;
        o.header_timeout = 5s;
        o.shutdown_grace = 3s;
        return o;
    }

    unsigned short start(ServerOptions o) {
        auto started = Server::start(std::move(o), router_);
        if (!started) {
            ADD_FAILURE() << "start failed: " << started.error().message;
            return 0;
        }
        server_ = std::move(*started);
        return server_->port();
    }

    Router router_;
    std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, BindsAnEphemeralPortAndRoutesPathParams) {
    const unsigned short port = start(options());
    ASSERT_NE(port, 0);
    const auto response = get(port, "/api/v1/persons/abc-123?q=Siti%20Aminah");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->header("content-type"), "application/json");
    EXPECT_EQ(json_of(*response)["id"], "abc-123");
    EXPECT_EQ(json_of(*response)["q"], "Siti Aminah");
    const auto search = get(port, "/api/v1/persons/search");
    ASSERT_TRUE(search);
    EXPECT_EQ(search->body, "search");
    const auto hello = get(port, "/hello");
    ASSERT_TRUE(hello);
    EXPECT_EQ(hello->body, "hello 127.0.0.1");
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
    const unsigned short port = start(options());
    const auto missing = get(port, "/api/v1/nothing");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    EXPECT_EQ(missing->header("content-type"), "application/problem+json");
    EXPECT_EQ(json_of(*missing)["code"], "not_found");

    Client client(port);
    const auto wrong = client.request("DELETE", "/api/v1/persons/1");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 405);
    EXPECT_EQ(wrong->header("allow"), "GET, HEAD, OPTIONS");
    EXPECT_EQ(json_of(*wrong)["code"], "method_not_allowed");

    const auto options_response = client.request("OPTIONS", "/api/v1/persons");
    ASSERT_TRUE(options_response);
    EXPECT_EQ(options_response->status, 204);
    EXPECT_EQ(options_response->header("allow"), "OPTIONS, POST");
}

TEST_F(ServerTest, ForwardedForIsBelievedOnlyFromATrustedProxy) {
    const std::string forwarded = "X-Forwarded-For: 10.9.9.9, 203.0.113.9\r\n";
    {
        const auto port = start(options());
        EXPECT_EQ(get(port, "/hello", forwarded)->body, "hello 127.0.0.1"); // anyone can send it
        server_.reset();
    }
    auto o = options();
    o.trusted_proxies = {"127.0.0.1"};
    o.requests_per_second_per_address = 0.001;
    o.burst_per_address = 1;
    const auto port = start(o);
    // The right-most entry is the one our proxy added; earlier ones are the client's claims.
    EXPECT_EQ(get(port, "/hello", forwarded)->body, "hello 203.0.113.9");
    // Per-address limits count the client, not the proxy: another client still gets through.
    EXPECT_EQ(get(port, "/hello", forwarded)->status, 429);
    EXPECT_EQ(get(port, "/hello", "X-Forwarded-For: 198.51.100.4\r\n")->body, "hello 198.51.100.4");
    // Garbage is not an address: the peer's address is used.
    EXPECT_EQ(get(port, "/hello", "X-Forwarded-For: evil\r\n")->body, "hello 127.0.0.1");
}

TEST_F(ServerTest, HeadIsAnsweredLikeGetWithoutBody) {
    const unsigned short port = start(options());
    Client client(port);
    const auto full = client.request("GET", "/api/v1/persons/7");
    const auto head = client.request("HEAD", "/api/v1/persons/7");
    ASSERT_TRUE(full && head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->header("content-length"), std::to_string(full->body.size()));
    // Had the server sent a body, it would now be read as the next response's status line.
    const auto after = client.request("GET", "/api/v1/persons/search");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 200);
    EXPECT_EQ(after->body, "search");
}

TEST_F(ServerTest, ProblemDetailsFollowAcceptLanguage) {
    const unsigned short port = start(options());
    const auto id = get(port, "/api/v1/invalid", "Accept-Language: id\r\n");
    const auto en = get(port, "/api/v1/invalid", "Accept-Language: en-US,en;q=0.9\r\n");
    const auto none = get(port, "/api/v1/nothing");
    ASSERT_TRUE(id && en && none);
    EXPECT_EQ(id->status, 422);
    EXPECT_EQ(id->header("content-type"), "application/problem+json");
    const auto id_body = json_of(*id);
    const auto en_body = json_of(*en);
    EXPECT_EQ(id_body["type"], "https://kapal.dinsos.bontangkota.go.id/problems/validation_failed");
    EXPECT_EQ(id_body["type"], en_body["type"]);
    EXPECT_EQ(id_body["title"], "Data tidak valid");
    EXPECT_EQ(en_body["title"], "Invalid data");
    EXPECT_EQ(id_body["status"], 422);
    EXPECT_EQ(id_body["detail"], "1 field is invalid");
    EXPECT_EQ(id_body["errors"][0]["field"], "nik");
    EXPECT_EQ(id_body["errors"][0]["code"], "person.nik_length");
    EXPECT_EQ(id_body["errors"][0]["message"], "NIK harus 16 digit: 15");
    EXPECT_EQ(en_body["errors"][0]["message"], "NIK must have 16 digits: 15");
    EXPECT_EQ(en_body["errors"][0]["level"], "error");
    EXPECT_EQ(json_of(*none)["title"], "Data tidak ditemukan") << "Indonesian by default";
}

TEST_F(ServerTest, EveryResponseCarriesSecurityHeadersAndApiIsNotCached) {
    const unsigned short port = start(options());
    const auto response = get(port, "/api/v1/persons/1");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->header("x-content-type-options"), "nosniff");
    EXPECT_EQ(response->header("referrer-policy"), "no-referrer");
    EXPECT_EQ(response->header("x-frame-options"), "DENY");
    EXPECT_EQ(response->header("cache-control"), "no-store");
    EXPECT_FALSE(response->header("content-security-policy").empty());
    EXPECT_TRUE(response->header("strict-transport-security").empty()) << "plain HTTP";
    const auto other = get(port, "/hello");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->header("x-frame-options"), "DENY");
    EXPECT_TRUE(other->header("cache-control").empty());
}

TEST_F(ServerTest, BodyOverLimitIs413BeforeTheBodyIsSent) {
    ServerOptions o = options();
    o.body_limit = 1024;
    const unsigned short port = start(o);
    Client client(port);
    // Announce 100 MB but send none of it: the answer must come from the header alone.
    ASSERT_TRUE(client.send("POST /api/v1/persons HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\n"
                            "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"));
    const auto response = client.read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
    EXPECT_EQ(json_of(*response)["code"], "payload_too_large");
    EXPECT_EQ(json_of(*response)["title"], "The request body is too large");

    // A body within the limit still works.
    Client ok(port);
    const auto small = ok.request("POST", "/api/v1/persons", "", std::string(1000, 'x'));
    ASSERT_TRUE(small);
    EXPECT_EQ(small->status, 201);
    EXPECT_EQ(json_of(*small)["received"], 1000);
}

TEST_F(ServerTest, BodyOverLimitSentEagerlyStillGets413) {
    ServerOptions o = options();
    o.body_limit = 1024;
    const unsigned short port = start(o);
    Client client(port);
    // The client pushes 200 KB without waiting; the server answers and drains, not resets.
    const std::string body(200 * 1024, 'x');
    ASSERT_TRUE(client.send("POST /api/v1/persons HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n"));
    client.send(body);
    const auto response = client.read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
    EXPECT_EQ(response->header("connection"), "close");
}

TEST_F(ServerTest, ExpectContinueIsHonoured) {
    const unsigned short port = start(options());
    Client client(port);
    ASSERT_TRUE(client.send("POST /api/v1/persons HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                            "Expect: 100-continue\r\n\r\n"));
    const auto interim = client.read();
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->status, 100);
    ASSERT_TRUE(client.send("hello"));
    const auto response = client.read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 201);
    EXPECT_EQ(json_of(*response)["received"], 5);
}

TEST_F(ServerTest, ChunkedBodyOverLimitIs413) {
    ServerOptions o = options();
    o.body_limit = 1024;
    const unsigned short port = start(o);
    Client client(port);
    const std::string chunk(2000, 'a');
    ASSERT_TRUE(client.send("POST /api/v1/persons HTTP/1.1\r\nHost: x\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n7d0\r\n" +
                            chunk + "\r\n"));
    const auto response = client.read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
}

TEST_F(ServerTest, HeadersOverLimitAre431) {
    ServerOptions o = options();
    o.header_limit = 2048;
    const unsigned short port = start(o);
    const auto response = get(port, "/hello", "X-Big: " + std::string(4000, 'b') + "\r\n");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 431);
    EXPECT_EQ(response->header("content-type"), "application/problem+json");
    EXPECT_EQ(json_of(*response)["status"], 431);
}

TEST_F(ServerTest, MalformedRequestsAre400AndDoNotHurtTheServer) {
    const unsigned short port = start(options());
    for (const std::string& garbage : std::vector<std::string>{
             "this is not http\r\n\r\n",
             "GET /hello HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
             "GET /hello HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n",
             "GET /bad%zz HTTP/1.1\r\nHost: x\r\n\r\n",
             std::string("GET /\0 HTTP/1.1\r\n\r\n", 20)}) {
        Client client(port);
        ASSERT_TRUE(client.send(garbage));
        const auto response = client.read();
        ASSERT_TRUE(response) << garbage;
        EXPECT_EQ(response->status, 400) << garbage;
        EXPECT_EQ(response->header("content-type"), "application/problem+json");
    }
    const auto after = get(port, "/hello");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 200);
}

TEST_F(ServerTest, SlowClientIsCutOffAfterHeaderTimeout) {
    ServerOptions o = options();
    o.header_timeout = 1s;
    const unsigned short port = start(o);
    Client slow(port, 4000ms);
    ASSERT_TRUE(slow.send("GET /hello HTTP/1.1\r\nHost: x\r\n"));
    const auto begin = std::chrono::steady_clock::now();
    ASSERT_TRUE(slow.send("X-Drip: 1\r\n")); // a trickle does not extend the deadline
    std::this_thread::sleep_for(500ms);
    slow.send("X-Drip: 2\r\n");
    std::string received;
    EXPECT_TRUE(slow.closed_by_peer(&received));
    const auto elapsed = std::chrono::steady_clock::now() - begin;
    EXPECT_LT(elapsed, 2500ms);
    EXPECT_TRUE(received.empty() || received.find(" 408 ") != std::string::npos) << received;

    Client silent(port, 4000ms); // connects and never sends a byte
    EXPECT_TRUE(silent.closed_by_peer());
}

TEST_F(ServerTest, ThrowingHandlerGives500AndTheServerKeepsServing) {
    ServerOptions o = options();
    auto logged = std::make_shared<std::vector<std::string>>();
    auto log_mutex = std::make_shared<std::mutex>();
    o.log = [logged, log_mutex](std::string_view line) {
        const std::lock_guard lock(*log_mutex);
        logged->emplace_back(line);
    };
    const unsigned short port = start(o);
    Client client(port);
    const auto boom = client.request("GET", "/api/v1/boom?nik=6474010101900001");
    ASSERT_TRUE(boom);
    EXPECT_EQ(boom->status, 500);
    EXPECT_EQ(json_of(*boom)["code"], "internal");
    EXPECT_EQ(json_of(*boom).count("detail"), 0U) << "no internals to the client";
    const auto next = client.request("GET", "/hello");
    ASSERT_TRUE(next);
    EXPECT_EQ(next->status, 200);
    const std::lock_guard lock(*log_mutex);
    ASSERT_EQ(logged->size(), 1U);
    EXPECT_NE(logged->front().find("/api/v1/boom"), std::string::npos);
    EXPECT_EQ(logged->front().find("6474010101900001"), std::string::npos) << "no query in logs";
}

TEST_F(ServerTest, RateLimitAnswers429WithRetryAfter) {
    ServerOptions o = options();
    o.requests_per_second_per_address = 1;
    o.burst_per_address = 3;
    const unsigned short port = start(o);
    Client client(port);
    for (int i = 0; i < 3; ++i) {
        const auto ok = client.request("GET", "/hello");
        ASSERT_TRUE(ok);
        EXPECT_EQ(ok->status, 200) << i;
    }
    const auto limited = client.request("GET", "/hello", "Accept-Language: en\r\n");
    ASSERT_TRUE(limited);
    EXPECT_EQ(limited->status, 429);
    EXPECT_GE(std::atoi(limited->header("retry-after").c_str()), 1);
    EXPECT_EQ(json_of(*limited)["code"], "too_many_requests");
    EXPECT_EQ(json_of(*limited)["title"], "Too many requests; try again later");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
    const unsigned short port = start(options());
    Client client(port);
    const auto first = client.request("GET", "/api/v1/persons/1");
    const auto second = client.request("POST", "/api/v1/persons", "", "{\"a\":1}");
    ASSERT_TRUE(first && second);
    EXPECT_EQ(json_of(*first)["id"], "1");
    EXPECT_EQ(second->status, 201);
    // Two pipelined requests in one write.
    ASSERT_TRUE(client.send("GET /api/v1/persons/2 HTTP/1.1\r\nHost: x\r\n\r\n"
                            "GET /api/v1/persons/3 HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto third = client.read();
    const auto fourth = client.read();
    ASSERT_TRUE(third && fourth);
    EXPECT_EQ(json_of(*third)["id"], "2");
    EXPECT_EQ(json_of(*fourth)["id"], "3");
    // Connection: close is honoured.
    const auto last = client.request("GET", "/hello", "Connection: close\r\n");
    ASSERT_TRUE(last);
    EXPECT_EQ(last->status, 200);
    EXPECT_TRUE(client.closed_by_peer());
}

TEST_F(ServerTest, ConnectionsOverThePerAddressLimitAreClosed) {
    ServerOptions o = options();
    o.max_connections_per_address = 2;
    const unsigned short port = start(o);
    Client a(port);
    Client b(port);
    ASSERT_TRUE(a.request("GET", "/hello"));
    ASSERT_TRUE(b.request("GET", "/hello"));
    Client c(port, 2000ms);
    c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string received;
    EXPECT_TRUE(c.closed_by_peer(&received));
    EXPECT_TRUE(received.empty());
    const auto still = a.request("GET", "/hello");
    ASSERT_TRUE(still);
    EXPECT_EQ(still->status, 200);
}

TEST_F(ServerTest, ManyConcurrentClientsAreAllAnswered) {
    ServerOptions o = options();
    o.threads = 4;
    const unsigned short port = start(o);
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 20; ++t) {
        threads.emplace_back([&, t] {
            try {
                // Half the threads reuse one connection, half open one per request.
                std::optional<Client> shared;
                if (t % 2 == 0) {
                    shared.emplace(port);
                }
                for (int i = 0; i < 20; ++i) {
                    const std::string id = std::to_string(t) + "-" + std::to_string(i);
                    std::optional<RawResponse> r;
                    if (shared) {
                        r = shared->request("GET", "/api/v1/persons/" + id);
                    } else {
                        r = get(port, "/api/v1/persons/" + id);
                    }
                    if (r && r->status == 200 && json_of(*r)["id"] == id) {
                        ++ok;
                    }
                }
            } catch (const std::exception&) {
                // counted as missing answers below
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(ok.load(), 400);
}

TEST_F(ServerTest, StopFinishesTheRequestInProgress) {
    const unsigned short port = start(options());
    std::optional<RawResponse> slow;
    std::thread client([&] { slow = get(port, "/api/v1/slow"); });
    std::this_thread::sleep_for(100ms);
    server_->stop();
    client.join();
    ASSERT_TRUE(slow);
    EXPECT_EQ(slow->body, "slow done");
    EXPECT_THROW(Client refused(port), std::runtime_error) << "no longer accepting";
}

TEST_F(ServerTest, PortInUseIsAnErrorNotACrash) {
    const unsigned short port = start(options());
    ServerOptions o = options();
    o.port = port;
    const auto second = Server::start(o, router_);
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error().code, ErrorCode::Io);
}

// --- static files -------------------------------------------------------------------------

class StaticServerTest : public ServerTest {
  protected:
    StaticServerTest() {
        base_ = fs::temp_directory_path() / ("kapal_http_static_" + std::to_string(::getpid()) +
                                             "_" + std::to_string(counter_++));
        fs::create_directories(base_ / "www" / "assets");
        write(base_ / "www" / "index.html", "<!doctype html><title>Kapal</title>");
        write(base_ / "www" / "assets" / "app.js", "console.log(1)");
        write(base_ / "www" / "areas.geojson", "{}");
        write(base_ / "www" / "sw.js", "self.addEventListener('fetch', () => {})");
        write(base_ / "www" / "manifest.webmanifest", "{}");
        write(base_ / "www" / ".env", "SECRET=1");
        write(base_ / "secret.txt", "top secret");
        fs::create_symlink(base_ / "secret.txt", base_ / "www" / "escape.txt");
    }

    ~StaticServerTest() override {
        server_.reset();
        std::error_code ec;
        fs::remove_all(base_, ec);
    }

    StaticServerTest(const StaticServerTest&) = delete;
    StaticServerTest& operator=(const StaticServerTest&) = delete;
    StaticServerTest(StaticServerTest&&) = delete;
    StaticServerTest& operator=(StaticServerTest&&) = delete;

    static void write(const fs::path& path, const std::string& text) {
        std::ofstream(path, std::ios::binary) << text;
    }

    unsigned short start_static() {
        ServerOptions o = options();
        o.static_dir = (base_ / "www").string();
        return start(o);
    }

    static inline int counter_ = 0;
    fs::path base_;
};

TEST_F(StaticServerTest, ServesFilesWithMimeTypesAndHtmlPolicy) {
    const unsigned short port = start_static();
    const auto index = get(port, "/");
    ASSERT_TRUE(index);
    EXPECT_EQ(index->status, 200);
    EXPECT_EQ(index->body, "<!doctype html><title>Kapal</title>");
    EXPECT_EQ(index->header("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(index->header("content-security-policy").find("default-src 'self'"),
              std::string::npos);
    EXPECT_NE(index->header("content-security-policy").find("img-src 'self' data: https:"),
              std::string::npos);
    const auto js = get(port, "/assets/app.js");
    ASSERT_TRUE(js);
    EXPECT_EQ(js->body, "console.log(1)");
    EXPECT_EQ(js->header("content-type"), "text/javascript; charset=utf-8");
    const auto geo = get(port, "/areas.geojson");
    ASSERT_TRUE(geo);
    EXPECT_EQ(geo->header("content-type"), "application/geo+json");
    Client client(port);
    const auto head = client.request("HEAD", "/assets/app.js");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->header("content-length"), "14");
}

TEST_F(StaticServerTest, ServiceWorkerGetsItsOwnPolicyAndIsRevalidated) {
    const unsigned short port = start_static();
    // A worker is bound by the CSP of its own script: it may fetch its origin, nothing else.
    const auto worker = get(port, "/sw.js");
    ASSERT_TRUE(worker);
    EXPECT_EQ(worker->status, 200);
    EXPECT_EQ(worker->header("content-type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(worker->header("content-security-policy"),
              "default-src 'none'; connect-src 'self'; frame-ancestors 'none'");
    EXPECT_EQ(worker->header("cache-control"), "no-cache") << "a new build is seen at once";
    // Any other script keeps the policy that lets nothing run or connect.
    const auto js = get(port, "/assets/app.js");
    ASSERT_TRUE(js);
    EXPECT_EQ(js->header("content-security-policy"), "default-src 'none'; frame-ancestors 'none'");
    const auto manifest = get(port, "/manifest.webmanifest");
    ASSERT_TRUE(manifest);
    EXPECT_EQ(manifest->header("content-type"), "application/manifest+json");
}

TEST_F(StaticServerTest, TraversalHiddenFilesAndSymlinkEscapesAre404) {
    const unsigned short port = start_static();
    for (const std::string& target : std::vector<std::string>{"/../secret.txt",
                                                              "/%2e%2e/secret.txt",
                                                              "/assets/%2E%2E/%2e%2e/secret.txt",
                                                              "/..%2fsecret.txt",
                                                              "/../../../../etc/passwd",
                                                              "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                                                              "/escape.txt",
                                                              "/.env",
                                                              "/assets\\..\\..\\secret.txt",
                                                              "/missing.png"}) {
        const auto response = get(port, target);
        ASSERT_TRUE(response) << target;
        EXPECT_EQ(response->status, 404) << target;
        EXPECT_EQ(response->body.find("secret"), std::string::npos) << target;
        EXPECT_EQ(response->header("content-type"), "application/problem+json") << target;
    }
}

TEST_F(StaticServerTest, ExtensionlessPathsFallBackToIndexButApiDoesNot) {
    const unsigned short port = start_static();
    const auto spa = get(port, "/persons/0190a1b2-0000-7000-8000-000000000001");
    ASSERT_TRUE(spa);
    EXPECT_EQ(spa->status, 200);
    EXPECT_EQ(spa->body, "<!doctype html><title>Kapal</title>");
    const auto api = get(port, "/api/v1/unknown");
    ASSERT_TRUE(api);
    EXPECT_EQ(api->status, 404);
    EXPECT_EQ(api->header("content-type"), "application/problem+json");
    const auto route = get(port, "/hello");
    ASSERT_TRUE(route);
    EXPECT_EQ(route->body, "hello 127.0.0.1") << "routes win over files";
}

TEST_F(StaticServerTest, IfNoneMatchGives304) {
    const unsigned short port = start_static();
    const auto first = get(port, "/assets/app.js");
    ASSERT_TRUE(first);
    const std::string etag = first->header("etag");
    ASSERT_FALSE(etag.empty());
    EXPECT_FALSE(first->header("last-modified").empty());
    const auto again = get(port, "/assets/app.js", "If-None-Match: " + etag + "\r\n");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 304);
    EXPECT_TRUE(again->body.empty());
    EXPECT_EQ(again->header("etag"), etag);
    const auto since = get(
        port, "/assets/app.js", "If-Modified-Since: " + first->header("last-modified") + "\r\n");
    ASSERT_TRUE(since);
    EXPECT_EQ(since->status, 304);
    const auto other = get(port, "/assets/app.js", "If-None-Match: \"nope\"\r\n");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 200);
}

TEST_F(StaticServerTest, MissingStaticDirIsAnError) {
    ServerOptions o = options();
    o.static_dir = (base_ / "nope").string();
    const auto started = Server::start(o, router_);
    ASSERT_FALSE(started.has_value());
    EXPECT_EQ(started.error().code, ErrorCode::ConfigInvalid);
}

// --- TLS ----------------------------------------------------------------------------------

// Sends `request` over TLS (certificate not verified) and returns everything until close.
std::optional<std::string> https_exchange(unsigned short port, const std::string& request) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr) {
        return std::nullopt;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::optional<std::string> out;
    SSL* ssl = nullptr;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd);
        if (SSL_connect(ssl) == 1 &&
            SSL_write(ssl, request.data(), static_cast<int>(request.size())) > 0) {
            std::string text;
            char chunk[4096];
            int n = 0;
            while ((n = SSL_read(ssl, chunk, sizeof chunk)) > 0) {
                text.append(chunk, static_cast<std::size_t>(n));
            }
            out = std::move(text);
        }
        SSL_free(ssl);
    }
    ::close(fd);
    SSL_CTX_free(ctx);
    return out;
}

class TlsServerTest : public ServerTest {
  protected:
    static void SetUpTestSuite() {
        dir_ = fs::temp_directory_path() / ("kapal_http_tls_" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        const std::string command =
            "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout '" +
            (dir_ / "key.pem").string() + "' -out '" + (dir_ / "cert.pem").string() +
            "' >/dev/null 2>&1";
        generated_ = std::system(command.c_str()) == 0; // NOLINT(cert-env33-c): test fixture
    }

    static void TearDownTestSuite() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    void SetUp() override {
        // openssl is a declared test dependency (scripts/install-deps.sh): never skip.
        ASSERT_TRUE(generated_) << "the openssl command failed to make a test certificate";
    }

    static inline fs::path dir_;
    static inline bool generated_ = false;
};

TEST_F(TlsServerTest, ServesHttpsWithHsts) {
    ServerOptions o = options();
    o.tls_cert_file = (dir_ / "cert.pem").string();
    o.tls_key_file = (dir_ / "key.pem").string();
    const unsigned short port = start(o);
    const auto text = https_exchange(
        port, "GET /api/v1/persons/tls-1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ASSERT_TRUE(text);
    ASSERT_GT(text->size(), 12U);
    RawResponse response;
    parse_head(text->substr(0, text->find("\r\n\r\n") + 2), response);
    response.body = text->substr(text->find("\r\n\r\n") + 4);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(json_of(response)["id"], "tls-1");
    EXPECT_NE(response.header("strict-transport-security").find("max-age="), std::string::npos);

    // Plain HTTP to the HTTPS port is not answered as HTTP, and does not stop the server.
    Client plain(port, 3000ms);
    plain.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string received;
    EXPECT_TRUE(plain.closed_by_peer(&received));
    EXPECT_EQ(received.find("hello"), std::string::npos);
    EXPECT_TRUE(
        https_exchange(port, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
}

TEST_F(TlsServerTest, MissingOrHalfConfiguredCertificateIsAnError) {
    ServerOptions missing = options();
    missing.tls_cert_file = (dir_ / "does-not-exist.pem").string();
    missing.tls_key_file = (dir_ / "key.pem").string();
    const auto started = Server::start(missing, router_);
    ASSERT_FALSE(started.has_value());
    EXPECT_EQ(started.error().code, ErrorCode::ConfigInvalid);

    ServerOptions half = options();
    half.tls_cert_file = (dir_ / "cert.pem").string();
    const auto half_started = Server::start(half, router_);
    ASSERT_FALSE(half_started.has_value());
    EXPECT_EQ(half_started.error().code, ErrorCode::ConfigInvalid);

    ServerOptions swapped = options();
    swapped.tls_cert_file = (dir_ / "key.pem").string();
    swapped.tls_key_file = (dir_ / "cert.pem").string();
    EXPECT_FALSE(Server::start(swapped, router_).has_value());
}

} // namespace
} // namespace kapal::http
