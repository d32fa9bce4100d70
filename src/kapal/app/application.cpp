#include "kapal/app/application.hpp"

#include "kapal/core/text.hpp"
#include "kapal/http/auth_gate.hpp"
#include "kapal/http/auth_routes.hpp"
#include "kapal/http/person_routes.hpp"
#include "kapal/http/router.hpp"
#include "kapal/http/server.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/sqlite/sqlite_store.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <fstream>
#include <sstream>

namespace kapal::app {
namespace {

namespace fs = std::filesystem;

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const auto b : bytes) {
        out.push_back(kHex[b >> 4U]);
        out.push_back(kHex[b & 15U]);
    }
    return out;
}

Result<std::vector<std::uint8_t>> read_key(const fs::path& file) {
    std::ifstream in(file);
    std::string hex;
    if (!in || !(in >> hex)) {
        return fail(ErrorCode::KeyMissing, "cannot read key file " + file.string());
    }
    if (hex.size() != 64) {
        return fail(ErrorCode::KeyMissing, "key file " + file.string() + " is not 64 hex digits");
    }
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = core::hex_value(hex[i]);
        const int lo = core::hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return fail(ErrorCode::KeyMissing, "key file " + file.string() + " is not hex");
        }
        out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    return out;
}

Result<void> write_secret(const fs::path& file, const std::string& text) {
    // Created with mode 0600 from the start: the key never exists readable by others.
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        return fail(ErrorCode::Io, "cannot create " + file.string());
    }
    const auto written = ::write(fd, text.data(), text.size());
    const bool ok = written == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
        return fail(ErrorCode::Io, "cannot write " + file.string());
    }
    return {};
}

Result<fs::path> sqlite_path(const fs::path& dir, const std::string& store) {
    constexpr std::string_view kPrefix = "sqlite:";
    if (store.rfind(kPrefix, 0) != 0) {
        return fail(ErrorCode::ConfigInvalid,
                    "unsupported store '" + store + "': this version supports sqlite:<file>");
    }
    fs::path file = store.substr(kPrefix.size());
    return file.is_absolute() ? file : dir / file;
}

/// Like ssh with a private key: a key file that others may read is refused, since anyone who can
/// read it can read every NIK in the store and its backups.
Result<void> check_private(const fs::path& file) {
    std::error_code ec;
    const auto perms = fs::status(file, ec).permissions();
    if (ec) {
        return {}; // read_key reports a missing file
    }
    if ((perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none) {
        return fail(ErrorCode::ConfigInvalid,
                    file.string() + " may be read by other users of this machine; run `chmod 600 " +
                        file.string() + "` (and chmod 700 on its folder)");
    }
    return {};
}

Result<store::StoreKeys> load_keys(const fs::path& dir) {
    KAPAL_TRY(check_private(dir / "keys" / "data.key"));
    KAPAL_TRY(check_private(dir / "keys" / "index.key"));
    auto data = read_key(dir / "keys" / "data.key");
    if (!data) {
        return fail(std::move(data).error());
    }
    auto index = read_key(dir / "keys" / "index.key");
    if (!index) {
        return fail(std::move(index).error());
    }
    return store::StoreKeys{std::move(*data), std::move(*index)};
}

} // namespace

fs::path locate_shipped_dir(const std::string& configured, const std::string& relative) {
    if (!configured.empty()) {
        return configured;
    }
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    std::vector<fs::path> candidates;
    if (!ec) {
        candidates.push_back(exe.parent_path().parent_path() / relative);
        candidates.push_back(exe.parent_path().parent_path().parent_path() / relative);
    }
    candidates.push_back(fs::path("/usr/share/kapal") / relative);
    for (const auto& c : candidates) {
        if (fs::is_directory(c, ec)) {
            return c;
        }
    }
    return candidates.front();
}

Result<InitResult> init_data_dir(const fs::path& dir, const InitOptions& options) {
    std::error_code ec;
    if (fs::exists(dir / "config", ec)) {
        return fail(ErrorCode::AlreadyExists,
                    dir.string() + " is already initialised (config exists); nothing changed");
    }
    fs::create_directories(dir / "keys", ec);
    if (ec) {
        return fail(ErrorCode::Io,
                    "cannot create " + (dir / "keys").string() + ": " + ec.message());
    }
    fs::permissions(dir / "keys", fs::perms::owner_all, fs::perm_options::replace, ec);
    Config config;
    if (!options.store.empty()) {
        config.store = options.store;
    }
    KAPAL_TRY(sqlite_path(dir, config.store));
    if (!fs::exists(dir / "keys" / "data.key", ec)) {
        const auto keys = store::generate_store_keys();
        KAPAL_TRY(write_secret(dir / "keys" / "data.key", to_hex(keys.data_key) + "\n"));
        KAPAL_TRY(write_secret(dir / "keys" / "index.key", to_hex(keys.index_key) + "\n"));
    }
    {
        std::ofstream out(dir / "config.tmp", std::ios::trunc);
        out << format_config(config);
        if (!out.flush()) {
            return fail(ErrorCode::Io, "cannot write " + (dir / "config").string());
        }
    }
    fs::rename(dir / "config.tmp", dir / "config", ec);
    if (ec) {
        return fail(ErrorCode::Io, "cannot write " + (dir / "config").string());
    }
    // Create the store now so that init reports a broken location at once, and the first
    // admin, whose password is printed once and never stored in clear.
    auto app = Application::open(dir);
    if (!app) {
        return fail(std::move(app).error());
    }
    auto admin = (*app)->users().add(
        {"admin", "Administrator", core::Role::Admin, {}, std::nullopt}, Application::cli_actor());
    if (!admin) {
        return fail(std::move(admin).error());
    }
    return InitResult{config, admin->user.username, admin->generated_password};
}

Result<std::unique_ptr<Application>> Application::open(const fs::path& dir,
                                                       std::shared_ptr<core::Clock> clock) {
    auto config = load_config(dir);
    if (!config) {
        return fail(std::move(config).error());
    }
    std::unique_ptr<Application> app(new Application());
    app->dir_ = dir;
    app->config_ = std::move(*config);
    app->clock_ = clock ? std::move(clock) : std::make_shared<core::SystemClock>();

    auto keys = load_keys(dir);
    if (!keys) {
        return fail(std::move(keys).error());
    }
    auto file = sqlite_path(dir, app->config_.store);
    if (!file) {
        return fail(std::move(file).error());
    }
    store::SqliteOptions sqlite_options;
    sqlite_options.reader_connections = app->config_.reader_connections;
    auto opened = store::open_sqlite_store(*file, *keys, sqlite_options, app->clock_.get());
    if (!opened) {
        return fail(std::move(opened).error());
    }
    app->store_ = std::move(*opened);

    const auto ref_dir = locate_shipped_dir(app->config_.reference_dir, "data");
    auto ref = service::load_reference_data(ref_dir);
    if (!ref) {
        return fail(std::move(ref).error());
    }
    app->ref_ = std::move(*ref);
    app->persons_ =
        std::make_unique<service::PersonService>(*app->store_, app->ref_, *app->clock_, app->ids_);
    app->users_ =
        std::make_unique<service::UserService>(*app->store_, app->ref_, *app->clock_, app->ids_);
    const auto& c = app->config_;
    service::AuthSettings auth;
    auth.idle_timeout = std::chrono::minutes(c.session_idle_minutes);
    auth.absolute_timeout = std::chrono::hours(c.session_absolute_hours);
    auth.free_failures_per_account = c.login_free_failures_per_account;
    auth.free_failures_per_address = c.login_free_failures_per_address;
    app->auth_ = std::make_unique<service::AuthService>(
        *app->store_, *app->users_, *app->clock_, app->ids_, auth);
    return app;
}

service::Actor Application::cli_actor() {
    // The account the process runs as (not $USER, which the caller can set to anything).
    std::string name = "uid" + std::to_string(::geteuid());
    std::array<char, 1024> buffer{};
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 &&
        found != nullptr && found->pw_name != nullptr) {
        name = found->pw_name;
    }
    return {"cli:" + name, "cli", {}, std::nullopt};
}

namespace {

http::GateOptions gate_options(const Config& c) {
    http::GateOptions out;
    out.always_secure_cookies = c.secure_cookies == "always";
    out.requests_per_second_per_user = c.requests_per_second_per_user;
    out.burst_per_user = c.burst_per_user;
    out.max_concurrent_per_user = c.max_concurrent_requests_per_user;
    return out;
}

/// Every route of the API, behind `gate`.
void add_routes(Application& app, http::AuthGate& gate, http::Router& router) {
    http::add_auth_routes(router, app.auth(), gate, app.users(), app.store());
    http::add_person_routes(router, app.persons(), app.store());
}

} // namespace

std::vector<RouteDescription> describe_routes(Application& app) {
    http::AuthGate gate(app.auth(), gate_options(app.config()));
    http::Router router;
    add_routes(app, gate, router);
    std::vector<RouteDescription> out;
    for (const auto& r : router.routes()) {
        std::string access;
        if (r.access.anyone) {
            access = "open";
        } else {
            for (const auto role : r.access.roles) {
                access += (access.empty() ? "" : ",") + std::string(core::to_string(role));
            }
        }
        out.push_back({r.method, r.pattern, access});
    }
    return out;
}

Result<void> serve(Application& app,
                   const std::function<void(const std::string&)>& ready,
                   std::function<void(std::string_view)> log) {
    const auto& c = app.config();
    auto listen = parse_listen(c.listen);
    if (!listen) {
        return fail(std::move(listen).error());
    }
    http::ServerOptions options;
    options.host = listen->first;
    options.port = listen->second;
    options.threads = c.threads;
    options.body_limit = c.body_limit_bytes;
    options.header_limit = c.header_limit_bytes;
    options.header_timeout = std::chrono::seconds(c.header_timeout_s);
    options.request_timeout = std::chrono::seconds(c.request_timeout_s);
    options.idle_timeout = std::chrono::seconds(c.idle_timeout_s);
    options.max_connections = c.max_connections;
    options.max_connections_per_address = c.max_connections_per_address;
    options.requests_per_second_per_address = c.requests_per_second_per_address;
    options.burst_per_address = c.burst_per_address;
    options.tls_cert_file = c.tls_cert;
    options.tls_key_file = c.tls_key;
    options.log = std::move(log);
    options.static_dir = locate_shipped_dir(c.static_dir, "web/dist").string();
    if (!std::filesystem::exists(options.static_dir)) {
        options.static_dir = locate_shipped_dir("", "web/public").string();
    }

    // Block the stop signals in every thread the server starts; this thread waits for them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    http::AuthGate gate(app.auth(), gate_options(c));
    http::Router router;
    add_routes(app, gate, router);
    auto server = http::Server::start(options, router);
    if (!server) {
        return fail(std::move(server).error());
    }
    const bool tls = !c.tls_cert.empty() && !c.tls_key.empty();
    std::ostringstream url;
    url << (tls ? "https://" : "http://")
        << (options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host)
        << ':' << (*server)->port() << '/';
    if (ready) {
        ready(url.str());
    }
    int sig = 0;
    sigwait(&signals, &sig);
    (*server)->stop();
    (*server)->wait();
    return {};
}

} // namespace kapal::app
