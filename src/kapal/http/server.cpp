// The only translation unit that includes Beast and Asio (compile cost: see STYLE.md §8).
#include "kapal/http/server.hpp"

#include "kapal/http/problem.hpp"
#include "kapal/http/rate_limiter.hpp"
#include "kapal/http/security_headers.hpp"
#include "kapal/http/static_files.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <ctime>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace kapal::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using Tcp = boost::asio::ip::tcp;

// After an error response that closes the connection, unread request bytes are drained for at
// most this long (and this much) so the client sees the response instead of a TCP reset.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = std::size_t{256} * 1024;

class SessionBase {
  public:
    SessionBase() = default;
    SessionBase(const SessionBase&) = delete;
    SessionBase& operator=(const SessionBase&) = delete;
    SessionBase(SessionBase&&) = delete;
    SessionBase& operator=(SessionBase&&) = delete;
    virtual ~SessionBase() = default;

    // Closes the connection if it is waiting for a request, else after the current response.
    virtual void begin_shutdown() = 0;
};

// State shared by the acceptor and every session. Outlives the io_context (see Impl).
struct Shared {
    Shared(ServerOptions opts, const Router& r)
        : options(std::move(opts))
        , router(&r)
        , limiter(options.requests_per_second_per_address, options.burst_per_address) {}

    void log(std::string_view message) const {
        if (options.log) {
            try {
                options.log(message);
            } catch (...) { // NOLINT(bugprone-empty-catch): a failing log sink must not kill us
            }
        }
    }

    /// The client's address for a request that arrived from `peer` (see trusted_proxies).
    template <class Message>
    std::string client_address(const std::string& peer, const Message& message) const {
        const auto& proxies = options.trusted_proxies;
        if (std::find(proxies.begin(), proxies.end(), peer) == proxies.end()) {
            return peer;
        }
        const auto it = message.find("X-Forwarded-For");
        if (it == message.end()) {
            return peer;
        }
        std::string_view list(it->value().data(), it->value().size());
        const auto comma = list.rfind(',');
        auto last = comma == std::string_view::npos ? list : list.substr(comma + 1);
        while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) {
            last.remove_prefix(1);
        }
        while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) {
            last.remove_suffix(1);
        }
        beast::error_code ec;
        const auto parsed = net::ip::make_address(std::string(last), ec);
        return ec ? peer : parsed.to_string();
    }

    ServerOptions options;
    const Router* router;
    std::optional<StaticFiles> static_files;
    RateLimiter limiter;
    std::atomic<bool> stopping{false};

    std::mutex connections_mutex;
    std::size_t connections = 0;
    std::unordered_map<std::string, std::size_t> per_address;

    std::mutex sessions_mutex;
    std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
};

// One admitted connection; releases its place in the counts when destroyed.
class ConnectionSlot {
  public:
    static std::optional<ConnectionSlot> acquire(Shared& shared, const std::string& address) {
        const std::lock_guard lock(shared.connections_mutex);
        std::size_t& mine = shared.per_address[address];
        if (shared.connections >= shared.options.max_connections ||
            mine >= shared.options.max_connections_per_address) {
            if (mine == 0) {
                shared.per_address.erase(address);
            }
            return std::nullopt;
        }
        ++mine;
        ++shared.connections;
        return ConnectionSlot(shared, address);
    }

    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;

    ConnectionSlot(ConnectionSlot&& other) noexcept
        : shared_(std::exchange(other.shared_, nullptr))
        , address_(std::move(other.address_)) {}

    ConnectionSlot& operator=(ConnectionSlot&&) = delete;

    ~ConnectionSlot() {
        if (shared_ == nullptr) {
            return;
        }
        const std::lock_guard lock(shared_->connections_mutex);
        --shared_->connections;
        const auto it = shared_->per_address.find(address_);
        if (it != shared_->per_address.end() && --it->second == 0) {
            shared_->per_address.erase(it);
        }
    }

    const std::string& address() const { return address_; }

  private:
    ConnectionSlot(Shared& shared, std::string address)
        : shared_(&shared)
        , address_(std::move(address)) {}

    Shared* shared_;
    std::string address_;
};

// Beast 1.74 speaks boost::string_view.
std::string_view sv(beast::string_view text) {
    return {text.data(), text.size()};
}

bool is_api_path(std::string_view path) {
    return path == "/api" || path.substr(0, 5) == "/api/";
}

std::string lang_of(const bhttp::request<bhttp::string_body>& message) {
    const auto it = message.find(bhttp::field::accept_language);
    return it == message.end() ? std::string("id") : negotiate_language(sv(it->value()));
}

// Routes one parsed request; never throws.
Response dispatch(Shared& shared, Request& request) {
    try {
        const Router::Match found = shared.router->match(request.method, request.raw_path);
        if (found.kind == Router::MatchKind::NotFound && shared.static_files &&
            (request.method == "GET" || request.method == "HEAD") && !is_api_path(request.path)) {
            if (auto file = shared.static_files->serve(request)) {
                return std::move(*file);
            }
        }
        return shared.router->handle(request);
    } catch (const std::exception& e) {
        // The route pattern and exception text, never the path or body (they carry NIKs).
        shared.log("handler failed: " + request.method + " " + request.route + ": " + e.what());
    } catch (...) {
        shared.log("handler failed: " + request.method + " " + request.route +
                   ": unknown exception");
    }
    try {
        return problem_response(ErrorCode::Internal, request.lang());
    } catch (...) {
        return Response{500, {}, {}};
    }
}

// Each completion handler starts the next step of the connection: an asynchronous chain,
// not recursion on the stack.
// NOLINTBEGIN(misc-no-recursion)
template <bool Tls>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Tls>> {
  public:
    using Stream = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

    Session(Shared& shared, Tcp::socket&& socket, ConnectionSlot slot, ssl::context* context)
        : shared_(shared)
        , stream_(make_stream(std::move(socket), context))
        , slot_(std::move(slot)) {}

    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    Session(Session&&) = delete;
    Session& operator=(Session&&) = delete;

    ~Session() override {
        const std::lock_guard lock(shared_.sessions_mutex);
        shared_.sessions.erase(this);
    }

    void run() {
        {
            const std::lock_guard lock(shared_.sessions_mutex);
            shared_.sessions.emplace(this, this->weak_from_this());
        }
        net::dispatch(stream_.get_executor(),
                      [self = this->shared_from_this()] { self->on_run(); });
    }

    void begin_shutdown() override {
        net::post(stream_.get_executor(), [self = this->shared_from_this()] {
            self->closing_ = true;
            if (self->idle_) {
                beast::get_lowest_layer(self->stream_).close();
            }
        });
    }

  private:
    static Stream make_stream(Tcp::socket&& socket, ssl::context* context) {
        if constexpr (Tls) {
            return Stream(std::move(socket), *context);
        } else {
            (void)context;
            return Stream(std::move(socket));
        }
    }

    auto& lowest() { return beast::get_lowest_layer(stream_); }

    void on_run() {
        if constexpr (Tls) {
            lowest().expires_after(shared_.options.header_timeout);
            stream_.async_handshake(ssl::stream_base::server,
                                    [self = this->shared_from_this()](beast::error_code ec) {
                                        if (!ec) {
                                            self->wait_for_request();
                                        }
                                    });
        } else {
            wait_for_request();
        }
    }

    // Waits for the first byte of the next request: header_timeout on a new connection,
    // idle_timeout between keep-alive requests. The header deadline starts with that byte.
    void wait_for_request() {
        if (closing_ || shared_.stopping) {
            close();
            return;
        }
        if (buffer_.size() > 0) {
            read_header(); // a pipelined request is already here
            return;
        }
        lowest().expires_after(first_request_ ? shared_.options.header_timeout
                                              : shared_.options.idle_timeout);
        idle_ = true;
        stream_.async_read_some(
            buffer_.prepare(4096),
            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                self->idle_ = false;
                if (ec) {
                    self->close();
                    return;
                }
                self->buffer_.commit(n);
                self->read_header();
            });
    }

    void read_header() {
        first_request_ = false;
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(shared_.options.header_limit));
        parser_->body_limit(static_cast<std::uint64_t>(shared_.options.body_limit));
        lowest().expires_after(shared_.options.header_timeout);
        bhttp::async_read_header(stream_,
                                 buffer_,
                                 *parser_,
                                 [self = this->shared_from_this()](
                                     beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        if (ec) {
            on_read_error(ec);
            return;
        }
        auto& message = parser_->get();
        client_ = shared_.client_address(slot_.address(), message);
        const std::optional<std::chrono::seconds> wait = shared_.limiter.acquire(client_);
        if (wait) {
            Response response = problem_response(ErrorCode::TooManyRequests, lang_of(message));
            response.headers.emplace_back("Retry-After", std::to_string(wait->count()));
            // An unread body would be taken for the next request: close instead.
            send(std::move(response),
                 parser_->is_done() && message.keep_alive(),
                 message.method() == bhttp::verb::head,
                 is_api_target(sv(message.target())) ? "/api/" : "/");
            return;
        }
        if (parser_->is_done()) {
            process();
            return;
        }
        lowest().expires_after(shared_.options.request_timeout);
        const auto expect = message.find(bhttp::field::expect);
        if (expect != message.end() && beast::iequals(expect->value(), "100-continue")) {
            continue_ = bhttp::response<bhttp::empty_body>(bhttp::status::continue_, 11);
            bhttp::async_write(
                stream_,
                continue_,
                [self = this->shared_from_this()](beast::error_code wec, std::size_t) {
                    if (wec) {
                        self->close();
                        return;
                    }
                    self->read_body();
                });
            return;
        }
        read_body();
    }

    void read_body() {
        bhttp::async_read(stream_,
                          buffer_,
                          *parser_,
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) {
                                  self->on_read_error(ec);
                                  return;
                              }
                              self->process();
                          });
    }

    static bool is_api_target(std::string_view target) {
        return is_api_path(target.substr(0, target.find('?')));
    }

    void on_read_error(beast::error_code ec) {
        const std::string lang = parser_ ? lang_of(parser_->get()) : std::string("id");
        if (ec == bhttp::error::header_limit) {
            send(problem_response(
                     ErrorCode::PayloadTooLarge, lang, "request header fields are too large", 431),
                 false,
                 false,
                 "/api/");
        } else if (ec == bhttp::error::body_limit) {
            send(problem_response(ErrorCode::PayloadTooLarge, lang), false, false, "/api/");
        } else if (ec == beast::error::timeout || ec == net::error::operation_aborted ||
                   ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
                   ec == net::error::eof || ec == net::error::connection_reset ||
                   ec.category() == net::error::get_ssl_category() ||
                   ec == net::ssl::error::stream_truncated) {
            close(); // the client is gone or too slow: nobody to answer
        } else {
            send(problem_response(ErrorCode::InvalidArgument, lang, "malformed HTTP request"),
                 false,
                 false,
                 "/api/");
        }
    }

    void process() {
        auto& message = parser_->get();
        Request request;
        request.method = std::string(message.method_string());
        request.remote_address = client_;
        request.tls = Tls;
        for (const auto& field : message) {
            request.headers.emplace_back(std::string(field.name_string()),
                                         std::string(field.value()));
        }
        const bool head = message.method() == bhttp::verb::head;
        const bool keep_alive = message.keep_alive();
        Response response;
        if (!parse_target(sv(message.target()), request)) {
            response = problem_response(
                ErrorCode::InvalidArgument, request.lang(), "malformed request target");
        } else {
            request.body = std::move(message.body());
            response = dispatch(shared_, request);
        }
        // The path decides the headers: /api (no-store) as is_api_path reads it; /sw.js its CSP.
        send(std::move(response),
             keep_alive,
             head,
             is_api_path(request.path) ? std::string_view("/api/")
                                       : std::string_view(request.path));
    }

    /// `path`: the request's path as add_security_headers reads it ("/api/" for API answers
    /// and for errors before a request was read).
    void send(Response response, bool keep_alive, bool head, std::string_view path) {
        try {
            add_security_headers(response, path, Tls);
            res_ = {};
            res_.version(11);
            res_.result(static_cast<unsigned>(response.status));
            for (auto& [name, value] : response.headers) {
                // Framing is ours: a handler cannot desynchronise the connection.
                if (beast::iequals(name, "Content-Length") ||
                    beast::iequals(name, "Transfer-Encoding") ||
                    beast::iequals(name, "Connection")) {
                    continue;
                }
                res_.insert(name, value);
            }
            res_.set(bhttp::field::date, http_date(static_cast<long long>(std::time(nullptr))));
            const int status = response.status;
            if (status < 200 || status == 204 || status == 304) {
                response.body.clear();
            }
            res_.body() = std::move(response.body);
            res_.keep_alive(keep_alive && !closing_ && !shared_.stopping);
            res_.prepare_payload();
            if (head) {
                res_.body().clear(); // Content-Length stays that of the GET body
            }
        } catch (const std::exception& e) {
            shared_.log(std::string("building a response failed: ") + e.what());
            close();
            return;
        }
        lowest().expires_after(shared_.options.request_timeout);
        bhttp::async_write(
            stream_, res_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                if (ec) {
                    self->close();
                } else if (!self->res_.keep_alive()) {
                    self->linger_close();
                } else {
                    self->wait_for_request();
                }
            });
    }

    // Half-closes, drains what the client still sends for a moment, then closes: closing with
    // unread data would reset the connection and could destroy the response in flight.
    void linger_close() {
        lowest().expires_after(kLingerTime);
        if constexpr (Tls) {
            stream_.async_shutdown(
                [self = this->shared_from_this()](beast::error_code) { self->close(); });
        } else {
            beast::error_code ec;
            lowest().socket().shutdown(Tcp::socket::shutdown_send, ec);
            drain();
        }
    }

    void drain() {
        lowest().async_read_some(
            net::buffer(drain_buffer_),
            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                self->drained_ += n;
                if (ec || self->drained_ > kLingerBytes) {
                    self->close();
                    return;
                }
                self->drain();
            });
    }

    void close() {
        beast::error_code ec;
        lowest().socket().shutdown(Tcp::socket::shutdown_both, ec);
        lowest().close();
    }

    Shared& shared_;
    Stream stream_;
    ConnectionSlot slot_;
    std::string client_; ///< the current request's client address (see trusted_proxies)
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    bhttp::response<bhttp::string_body> res_;
    bhttp::response<bhttp::empty_body> continue_;
    std::array<char, 4096> drain_buffer_{};
    std::size_t drained_ = 0;
    bool idle_ = false;
    bool closing_ = false;
    bool first_request_ = true;
};

// NOLINTEND(misc-no-recursion)

} // namespace

struct Server::Impl {
    Impl(ServerOptions options, const Router& router)
        : shared(std::move(options), router)
        , acceptor(net::make_strand(io)) {}

    // Declared first: sessions destroyed with the io_context still use it.
    Shared shared;
    std::optional<ssl::context> tls;
    net::io_context io;
    Tcp::acceptor acceptor;
    std::optional<net::steady_timer> retry_timer;
    unsigned short port = 0;

    std::vector<std::thread> threads;
    std::mutex state_mutex;
    std::condition_variable stopped_cv;
    std::size_t running = 0;
    std::mutex join_mutex;

    Result<void> configure_tls() {
        const ServerOptions& o = shared.options;
        if (o.tls_cert_file.empty() && o.tls_key_file.empty()) {
            return {};
        }
        if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
            return fail(ErrorCode::ConfigInvalid,
                        "tls_cert_file and tls_key_file must be set together");
        }
        tls.emplace(ssl::context::tls_server);
        tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
        SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
        beast::error_code ec;
        tls->use_certificate_chain_file(o.tls_cert_file, ec);
        if (ec) {
            return fail(ErrorCode::ConfigInvalid,
                        "cannot load TLS certificate " + o.tls_cert_file + ": " + ec.message());
        }
        tls->use_private_key_file(o.tls_key_file, ssl::context::pem, ec);
        if (ec) {
            return fail(ErrorCode::ConfigInvalid,
                        "cannot load TLS key " + o.tls_key_file + ": " + ec.message());
        }
        if (SSL_CTX_check_private_key(tls->native_handle()) != 1) {
            return fail(ErrorCode::ConfigInvalid, "TLS key does not match the certificate");
        }
        return {};
    }

    Result<void> listen() {
        beast::error_code ec;
        const auto address = net::ip::make_address(shared.options.host, ec);
        if (ec) {
            return fail(ErrorCode::ConfigInvalid,
                        "host is not an IP address: " + shared.options.host);
        }
        const Tcp::endpoint endpoint(address, shared.options.port);
        acceptor.open(endpoint.protocol(), ec);
        if (!ec) {
            acceptor.set_option(net::socket_base::reuse_address(true), ec);
        }
        if (!ec) {
            acceptor.bind(endpoint, ec);
        }
        if (!ec) {
            acceptor.listen(net::socket_base::max_listen_connections, ec);
        }
        if (ec) {
            return fail(ErrorCode::Io,
                        "cannot listen on " + shared.options.host + ":" +
                            std::to_string(shared.options.port) + ": " + ec.message());
        }
        port = acceptor.local_endpoint(ec).port();
        return {};
    }

    void accept() {
        acceptor.async_accept(
            net::make_strand(io),
            [this](beast::error_code ec, Tcp::socket socket) { on_accept(ec, std::move(socket)); });
    }

    void on_accept(beast::error_code ec, Tcp::socket socket) {
        if (shared.stopping || ec == net::error::operation_aborted) {
            return;
        }
        if (ec) {
            // E.g. out of file descriptors: back off briefly instead of spinning.
            shared.log("accept failed: " + ec.message());
            retry_timer.emplace(acceptor.get_executor(), std::chrono::milliseconds(100));
            retry_timer->async_wait([this](beast::error_code) {
                if (!shared.stopping) {
                    accept();
                }
            });
            return;
        }
        beast::error_code endpoint_ec;
        const auto remote = socket.remote_endpoint(endpoint_ec);
        if (!endpoint_ec) {
            auto slot = ConnectionSlot::acquire(shared, remote.address().to_string());
            if (slot) {
                try {
                    if (tls) {
                        std::make_shared<Session<true>>(
                            shared, std::move(socket), std::move(*slot), &*tls)
                            ->run();
                    } else {
                        std::make_shared<Session<false>>(
                            shared, std::move(socket), std::move(*slot), nullptr)
                            ->run();
                    }
                } catch (const std::exception& e) {
                    shared.log(std::string("cannot start a session: ") + e.what());
                }
            }
            // Over the limits: the socket closes when it goes out of scope.
        }
        accept();
    }

    void run_threads(int count) {
        const std::lock_guard lock(state_mutex);
        for (int i = 0; i < count; ++i) {
            ++running;
            threads.emplace_back([this] {
                for (;;) {
                    try {
                        io.run();
                        break;
                    } catch (const std::exception& e) {
                        shared.log(std::string("io thread caught: ") + e.what());
                    } catch (...) {
                        shared.log("io thread caught an unknown exception");
                    }
                }
                const std::lock_guard done(state_mutex);
                --running;
                stopped_cv.notify_all();
            });
        }
    }

    bool on_io_thread() {
        const std::lock_guard lock(state_mutex);
        return std::ranges::any_of(
            threads, [](const std::thread& t) { return t.get_id() == std::this_thread::get_id(); });
    }

    void initiate_stop() {
        if (shared.stopping.exchange(true)) {
            return;
        }
        net::post(acceptor.get_executor(), [this] {
            beast::error_code ec;
            acceptor.close(ec);
            if (retry_timer) {
                retry_timer->cancel();
            }
        });
        std::vector<std::shared_ptr<SessionBase>> open;
        {
            const std::lock_guard lock(shared.sessions_mutex);
            for (auto& [ptr, weak] : shared.sessions) {
                if (auto session = weak.lock()) {
                    open.push_back(std::move(session));
                }
            }
        }
        for (auto& session : open) {
            session->begin_shutdown();
        }
    }

    void join() {
        const std::lock_guard lock(join_mutex);
        for (std::thread& t : threads) {
            if (t.joinable() && t.get_id() != std::this_thread::get_id()) {
                t.join();
            }
        }
    }

    void stop() {
        initiate_stop();
        if (on_io_thread()) {
            return;
        }
        {
            std::unique_lock lock(state_mutex);
            if (!stopped_cv.wait_for(
                    lock, shared.options.shutdown_grace, [this] { return running == 0; })) {
                io.stop();
            }
        }
        join();
    }
};

Server::Server(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

Server::~Server() {
    if (impl_) {
        impl_->stop();
        impl_->join();
    }
}

Result<std::unique_ptr<Server>> Server::start(ServerOptions options, const Router& router) {
    try {
        auto impl = std::make_unique<Impl>(std::move(options), router);
        if (!impl->shared.options.static_dir.empty()) {
            auto files = StaticFiles::open(impl->shared.options.static_dir);
            if (!files) {
                return fail(files.error());
            }
            impl->shared.static_files.emplace(std::move(*files));
        }
        KAPAL_TRY(impl->configure_tls());
        KAPAL_TRY(impl->listen());
        impl->accept();
        impl->run_threads(std::max(1, impl->shared.options.threads));
        return std::unique_ptr<Server>(new Server(std::move(impl)));
    } catch (const std::exception& e) {
        return fail(ErrorCode::Internal, std::string("cannot start the server: ") + e.what());
    }
}

unsigned short Server::port() const noexcept {
    return impl_->port;
}

void Server::stop() {
    impl_->stop();
}

void Server::wait() {
    {
        std::unique_lock lock(impl_->state_mutex);
        impl_->stopped_cv.wait(lock, [this] { return impl_->running == 0; });
    }
    impl_->join();
}

} // namespace kapal::http
