#pragma once
// The real `kapal` program in a temporary data directory: `kapal init`, then `kapal serve` on
// a free port of 127.0.0.1 (the program prints the URL it bound).
//
// The store is chosen by KAPAL_TEST_BACKEND: unset (or `sqlite`), the default SQLite file in
// the data directory; `postgresql`, a database of its own on the server of ctest's fixture
// `postgres` (KAPAL_TEST_POSTGRES), copied from kapal_template for each KapalServer and dropped
// with it. tests/integration/CMakeLists.txt registers every test once for each.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "integration/test_database.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"

namespace kapal::testing {

inline std::string kapal_binary() {
    return KAPAL_BIN;
}

/// `key = value` lines appended to DIR/config.
using Settings = std::vector<std::pair<std::string, std::string>>;

using Headers = std::vector<std::pair<std::string, std::string>>;

/// How a test client proves who it is: a bearer token, or a session cookie with its CSRF token.
/// Empty = anonymous.
struct Credentials {
    std::string bearer;
    std::string cookie; ///< "kapal_session=..." as sent in Cookie
    std::string csrf;

    /// Adds the credentials to `headers` (the CSRF header only for unsafe methods).
    void apply(const std::string& method, Headers& headers) const {
        if (!bearer.empty()) {
            headers.emplace_back("Authorization", "Bearer " + bearer);
        }
        if (!cookie.empty()) {
            headers.emplace_back("Cookie", cookie);
            if (method != "GET" && method != "HEAD" && !csrf.empty()) {
                headers.emplace_back("X-CSRF-Token", csrf);
            }
        }
    }
};

/// The value after `marker` up to the next `end` character in `text` ("" if absent).
inline std::string text_after(const std::string& text, const std::string& marker, char end) {
    const auto at = text.find(marker);
    if (at == std::string::npos) {
        return {};
    }
    const auto start = at + marker.size();
    return text.substr(start, text.find(end, start) - start);
}

/// The store backend the tests run against (KAPAL_TEST_BACKEND).
enum class Backend { Sqlite, Postgresql };

inline Backend test_backend() {
    const char* env = std::getenv("KAPAL_TEST_BACKEND");
    const std::string name = env != nullptr ? env : "";
    if (name == "postgresql") {
        return Backend::Postgresql;
    }
    if (!name.empty() && name != "sqlite") {
        ADD_FAILURE() << "KAPAL_TEST_BACKEND=" << name << ": expected sqlite or postgresql";
    }
    return Backend::Sqlite;
}

/// The whole content of a file ("" if it cannot be read).
inline std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

class KapalServer {
  public:
    /// Initialises a data dir (and, on PostgreSQL, a database) with extra config lines
    /// (`key = value`) appended.
    explicit KapalServer(const Settings& settings = {}) {
        if (test_backend() == Backend::Postgresql) {
            if (server_conninfo().empty()) {
                ADD_FAILURE() << "KAPAL_TEST_BACKEND=postgresql without KAPAL_TEST_POSTGRES: "
                                 "run through ctest (fixture postgres)";
            } else {
                db_ = std::make_unique<TestDatabase>();
            }
        }
        std::vector<std::string> args = {kapal_binary(), "init", "--data", dir_.path()};
        const auto store = store_args();
        args.insert(args.end(), store.begin(), store.end());
        const auto init = run(args);
        EXPECT_EQ(init.exit_code, 0) << init.output;
        init_output_ = init.output;
        // On PostgreSQL nothing of the registry is written under DIR: the store is the database.
        EXPECT_EQ(std::filesystem::exists(dir_.path() + "/store.db"), !on_postgres());
        admin_password_ = text_after(init.output, "password '", '\'');
        {
            std::ofstream config(dir_.path() + "/config", std::ios::app);
            for (const auto& [k, v] : settings) {
                config << k << " = " << v << "\n";
            }
        }
        admin_.bearer = make_token("admin");
    }

    /// A new API token of `username`, made with `kapal token create` (extra args appended).
    std::string make_token(const std::string& username, std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"token", "create", "--user", username, "--expires", "1d"};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto made = cli(args);
        EXPECT_EQ(made.exit_code, 0) << made.output;
        return "ksg_" + text_after(made.output, "ksg_", '\n');
    }

    /// Adds an account with `kapal user add` and returns its generated password.
    std::string add_user(const std::string& username,
                         const std::string& role,
                         const std::vector<std::string>& areas = {}) {
        std::vector<std::string> args = {"user", "add", "--username", username, "--role", role};
        for (const auto& a : areas) {
            args.emplace_back("--area");
            args.push_back(a);
        }
        const auto added = cli(args);
        EXPECT_EQ(added.exit_code, 0) << added.output;
        return text_after(added.output, "shown only now): ", '\n');
    }

    /// Signs in through POST /api/v1/auth/login; empty credentials when that fails.
    Credentials login(const std::string& username, const std::string& password) {
        const std::string body =
            nlohmann::json{{"username", username}, {"password", password}}.dump();
        auto res = send("POST", "/api/v1/auth/login", body, {}, Credentials{});
        Credentials out;
        if (!res || res->status != 200) {
            ADD_FAILURE() << "login of " << username
                          << " failed: " << (res ? res->body : "no answer");
            return out;
        }
        const auto cookie = res->header("Set-Cookie");
        out.cookie = cookie.substr(0, cookie.find(';'));
        out.csrf = nlohmann::json::parse(res->body)["csrf_token"].get<std::string>();
        return out;
    }

    /// Sends a request with `who`'s credentials (a body gets Content-Type application/json unless
    /// `headers` name another).
    std::optional<HttpResponse> send(const std::string& method,
                                     const std::string& target,
                                     const std::string& body,
                                     Headers headers,
                                     const Credentials& who) {
        const bool typed = std::any_of(headers.begin(), headers.end(), [](const auto& h) {
            return h.first == "Content-Type";
        });
        if (!body.empty() && !typed) {
            headers.emplace_back("Content-Type", "application/json");
        }
        who.apply(method, headers);
        return http_request(port_, method, target, headers, body);
    }

    const Credentials& admin() const { return admin_; }

    const std::string& admin_password() const { return admin_password_; }

    /// Starts `kapal serve`; fails the test if it does not print its URL in time.
    void start() {
        child_ = std::make_unique<Child>(std::vector<std::string>{
            kapal_binary(), "serve", "--data", dir_.path(), "--listen", "127.0.0.1:0"});
        const auto line = child_->wait_for_line("serving on", std::chrono::seconds(30));
        ASSERT_FALSE(line.empty()) << "server did not start: " << child_->output();
        port_ = port_of_url_line(line);
        ASSERT_NE(port_, 0) << "no port in: " << line;
        // Accepting already (the socket listens before the line is printed): a first request
        // that fails says why at once, with the server's output, rather than in a later test.
        std::optional<HttpResponse> health;
        for (int i = 0; i < 50 && !health; ++i) {
            health = http_request(port_, "GET", "/healthz", {}, "");
            if (!health) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
        ASSERT_TRUE(health.has_value())
            << "port " << port_ << " from \"" << line << "\" does not answer: " << child_->output();
    }

    /// The port of the URL in a "serving on http://host:port" line: the digits after the last
    /// ':' of the URL (0 when there are none).
    static unsigned short port_of_url_line(const std::string& line) {
        const auto url = line.find("://");
        if (url == std::string::npos) {
            return 0;
        }
        auto end = line.find_first_of(" \t\r", url);
        if (end == std::string::npos) {
            end = line.size();
        }
        const auto colon = line.rfind(':', end);
        if (colon == std::string::npos || colon < url + 3) {
            return 0;
        }
        unsigned port = 0;
        for (std::size_t i = colon + 1;
             i < end && std::isdigit(static_cast<unsigned char>(line[i]));
             ++i) {
            port = port * 10 + static_cast<unsigned>(line[i] - '0');
        }
        return port > 0 && port < 65536 ? static_cast<unsigned short>(port) : 0;
    }

    /// Waits until the server has loaded its point index (spatial queries answer 503 before).
    void wait_for_point_index() {
        ASSERT_TRUE(child_->wait_for_output("point index:", std::chrono::seconds(60)))
            << "the point index did not load: " << child_->output();
    }

    /// Ends the server with `sig` and waits for it.
    int stop(int sig) {
        child_->signal(sig);
        const int code = child_->wait();
        child_.reset();
        return code;
    }

    /// A request as the admin (bearer token made at set-up).
    std::optional<HttpResponse> request(const std::string& method,
                                        const std::string& target,
                                        const std::string& body = {},
                                        Headers headers = {}) {
        return send(method, target, body, std::move(headers), admin_);
    }

    /// Runs another kapal command on the same data directory.
    RunResult cli(std::vector<std::string> args) {
        args.insert(args.begin(), kapal_binary());
        args.emplace_back("--data");
        args.push_back(dir_.path());
        return run(args);
    }

    unsigned short port() const { return port_; }

    const std::string& dir() const { return dir_.path(); }

    std::string output() const { return child_ ? child_->output() : std::string(); }

    /// What `kapal init` printed.
    const std::string& init_output() const { return init_output_; }

    /// True when the store is a PostgreSQL database rather than DIR/store.db.
    bool on_postgres() const { return db_ != nullptr; }

    /// The options of `kapal init` that choose this server's store: none for SQLite,
    /// `--store URI` for PostgreSQL.
    std::vector<std::string> store_args() const {
        if (!db_) {
            return {};
        }
        return {"--store", db_->uri()};
    }

    /// Runs `sql` on the store, bypassing the program: through the sqlite3 shell on
    /// DIR/store.db, or libpq on the database. The rows, values separated by '|'.
    std::string sql(const std::string& statement) const {
        if (db_) {
            return sql_rows(db_->uri(), statement);
        }
        // Waits, as the program does, while another process holds a lock.
        const auto out = run(
            {"/usr/bin/sqlite3", "-cmd", ".timeout 5000", dir_.path() + "/store.db", statement});
        EXPECT_EQ(out.exit_code, 0) << statement << ": " << out.output;
        return out.output;
    }

    /// Everything the store holds, as a scan for what must not be in it would see it: the
    /// bytes of DIR/store.db and its WAL, or `pg_dump` of the database (every row of every
    /// table, bytea as hex).
    std::string store_contents() const {
        if (!db_) {
            return file_bytes(dir_.path() + "/store.db") +
                   file_bytes(dir_.path() + "/store.db-wal");
        }
        const auto dump = run({"/usr/lib/postgresql/15/bin/pg_dump", "--dbname", db_->uri()});
        EXPECT_EQ(dump.exit_code, 0) << dump.output;
        return dump.output;
    }

  private:
    TempDir dir_;
    std::unique_ptr<TestDatabase> db_; ///< PostgreSQL only; dropped after the server ended
    std::string init_output_;
    std::string admin_password_;
    Credentials admin_;
    std::unique_ptr<Child> child_;
    unsigned short port_ = 0;
};

/// A valid person body for POST /api/v1/persons; `serial` (1..999) makes the NIK unique.
/// A valid person (a woman of Lok Tuan born 7 March 1985) with the NIK 6474014703850<serial>
/// and, unless `name` is given, a name of her own per serial (serial 1: "Siti Aminah"): persons
/// alike in everything but a NIK one digit off would be possible duplicates of each other
/// (person.possible_duplicate). Any two of these names score 9.8 against each other, under the
/// threshold of 10.
inline std::string person_json(int serial, std::string name = {}) {
    static const char* const kNames[] = {
        "Rina Marlina",    "Siti Aminah",       "Dewi Kartika",    "Nur Hasanah",
        "Ratna Sari",      "Yuliana Putri",     "Fitri Handayani", "Maria Ulfa",
        "Wahyuni Lestari", "Endang Susilowati", "Kartini Rahayu",  "Herlina Tampubolon",
        "Ayu Wulandari",   "Indah Permata",     "Sri Mulyani",     "Eka Oktaviani",
        "Tuti Alawiyah",   "Umi Kalsum",        "Veronika Tan",    "Zainab Fauziah"};
    if (name.empty()) {
        name = kNames[static_cast<unsigned>(serial) % 20U];
    }
    char nik[24];
    std::snprintf(nik, sizeof nik, "6474014703850%03d", serial % 1000);
    return std::string(R"({"nik":")") + nik + R"(","full_name":")" + name +
           R"(","sex":"P","birth_date":"1985-03-07","address":{"street":"Jl. Pupuk Raya",)"
           R"("rt":"007","rw":"02","kelurahan_code":"64.74.01.1003"},"categories":["fisik"]})";
}

} // namespace kapal::testing
