// `kapal migrate-store`: a data directory's store moved from SQLite to PostgreSQL and back with
// the real program. Needs the test server of ctest's fixture `postgres` (KAPAL_TEST_POSTGRES,
// see src/kapal/store/postgres/CMakeLists.txt).

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "integration/kapal_server.hpp"
#include "integration/test_database.hpp"

namespace kapal::testing {
namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The line of the report table for `table` ("" if absent).
std::string report_line(const std::string& output, const std::string& table) {
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(table + " ", 0) == 0) {
            return line;
        }
    }
    return "";
}

/// `kapal serve` on the data directory; returns its port (0 when it did not start).
unsigned short start_server(Child& server) {
    const auto line = server.wait_for_line("serving on", std::chrono::seconds(30));
    if (line.empty()) {
        ADD_FAILURE() << "server did not start: " << server.output();
        return 0;
    }
    return KapalServer::port_of_url_line(line);
}

TEST(MigrateStore, MovesADataDirectoryToPostgresqlAndBackWithEverythingInIt) {
    ASSERT_FALSE(server_conninfo().empty())
        << "KAPAL_TEST_POSTGRES is not set: run through ctest (fixture postgres)";
    TestDatabase db;
    TempDir tmp;
    const std::string dir = tmp.path() + "/d";
    const auto cli = [&](std::vector<std::string> args) {
        args.insert(args.begin(), kapal_binary());
        args.emplace_back("--data");
        args.push_back(dir);
        return run(args);
    };
    ASSERT_EQ(run({kapal_binary(), "init", "--data", dir}).exit_code, 0);
    const auto demo = cli({"demo-data", "--persons", "60", "--seed", "4", "--accounts"});
    ASSERT_EQ(demo.exit_code, 0) << demo.output;
    const auto token = cli({"token", "create", "--user", "admin", "--expires", "1d"});
    ASSERT_EQ(token.exit_code, 0) << token.output;
    const auto token_at = token.output.find("ksg_");
    ASSERT_NE(token_at, std::string::npos) << token.output;
    const std::string bearer =
        token.output.substr(token_at, token.output.find('\n', token_at) - token_at);
    const std::string config_before = read_file(dir + "/config");

    // SQLite -> PostgreSQL.
    const auto there = cli({"migrate-store",
                            "--from",
                            "sqlite:store.db",
                            "--to",
                            db.uri(),
                            "--reason",
                            "ke server provinsi"});
    ASSERT_EQ(there.exit_code, 0) << there.output;
    for (const char* table : {"persons",
                              "person_versions",
                              "idempotency_keys",
                              "users",
                              "sessions",
                              "api_tokens",
                              "audit_log",
                              "aid_deliveries",
                              "aid_batches",
                              "duplicate_pairs",
                              "person_files"}) {
        const std::string line = report_line(there.output, table);
        EXPECT_NE(line.find("  ok"), std::string::npos) << table << ": " << there.output;
    }
    EXPECT_NE(report_line(there.output, "persons").find(" 60            60 "), std::string::npos)
        << there.output;
    EXPECT_NE(there.output.find("target keys check:      ok"), std::string::npos);
    EXPECT_NE(there.output.find("target integrity check: ok"), std::string::npos);
    EXPECT_NE(there.output.find("copy   persons"), std::string::npos) << there.output;
    EXPECT_NE(there.output.find("    store = " + db.uri()), std::string::npos) << there.output;
    EXPECT_EQ(read_file(dir + "/config"), config_before); // no --switch-config
    EXPECT_EQ(sql_value(db.uri(), "SELECT count(*) FROM persons"), "60");
    EXPECT_EQ(sql_value(db.uri(), "SELECT count(*) FROM api_tokens"), "1");
    // The registry timeline (schema v13) is derived, not transferred: rebuilt on load, one state
    // per version of each person.
    EXPECT_EQ(sql_value(db.uri(),
                        "SELECT (SELECT count(*) FROM person_states) = (SELECT count(*) FROM "
                        "persons) + (SELECT count(*) FROM person_versions)"),
              "t");
    // The migration's entry, then the target's boundaries from the shipped reference data
    // (areas are derived, not transferred): 1 kota, 3 kecamatan, 15 kelurahan.
    EXPECT_EQ(sql_value(db.uri(),
                        "SELECT string_agg(action, ',' ORDER BY seq) FROM (SELECT action, seq "
                        "FROM audit_log ORDER BY seq DESC LIMIT 2) last"),
              "store.migrate,areas.sync");
    EXPECT_NE(sql_value(db.uri(), "SELECT detail FROM audit_log WHERE action = 'store.migrate'")
                  .find("persons=60"),
              std::string::npos);
    EXPECT_EQ(sql_value(db.uri(), "SELECT count(*) FROM areas"), "19");

    // The same target again: refused, and nothing changes.
    const auto again = cli({"migrate-store", "--from", "sqlite:store.db", "--to", db.uri()});
    EXPECT_EQ(again.exit_code, 65) << again.output;
    EXPECT_NE(again.output.find("not empty (persons: 60"), std::string::npos) << again.output;
    EXPECT_NE(again.output.find("store.not_empty"), std::string::npos) << again.output;

    // Not while a server has the data directory open.
    {
        Child server({kapal_binary(), "serve", "--data", dir, "--listen", "127.0.0.1:0"});
        ASSERT_NE(start_server(server), 0);
        const auto busy =
            cli({"migrate-store", "--from", "sqlite:store.db", "--to", "sqlite:x.db"});
        EXPECT_NE(busy.exit_code, 0);
        EXPECT_NE(busy.output.find("another kapal process"), std::string::npos) << busy.output;
        server.signal(SIGTERM);
        EXPECT_EQ(server.wait(), 0) << server.output();
    }

    // And back, PostgreSQL -> a new SQLite file, switching DIR/config to it.
    const auto back =
        cli({"migrate-store", "--from", db.uri(), "--to", "sqlite:back.db", "--switch-config"});
    ASSERT_EQ(back.exit_code, 0) << back.output;
    EXPECT_NE(back.output.find("config now says:\n    store = sqlite:back.db"), std::string::npos)
        << back.output;
    const std::string config_after = read_file(dir + "/config");
    EXPECT_NE(config_after.find("\nstore = sqlite:back.db\n"), std::string::npos) << config_after;
    EXPECT_NE(config_after.find("listen = 127.0.0.1:8080"), std::string::npos);
    const auto check = cli({"check"});
    ASSERT_EQ(check.exit_code, 0) << check.output;
    EXPECT_NE(check.output.find("back.db, schema"), std::string::npos) << check.output;
    EXPECT_NE(check.output.find(" 60 persons"), std::string::npos) << check.output;
    const auto audit = cli({"audit", "--action", "store.migrate"});
    ASSERT_EQ(audit.exit_code, 0) << audit.output;
    EXPECT_NE(audit.output.find("reason=ke server provinsi"), std::string::npos) << audit.output;
    EXPECT_NE(audit.output.find("to=sqlite:"), std::string::npos) << audit.output;
    // Boundaries written by init, after the move to PostgreSQL and after the move back.
    const auto synced = cli({"audit", "--action", "areas.sync"});
    ASSERT_EQ(synced.exit_code, 0) << synced.output;
    std::size_t syncs = 0;
    for (auto at = synced.output.find("inserted=19"); at != std::string::npos;
         at = synced.output.find("inserted=19", at + 1)) {
        ++syncs;
    }
    EXPECT_EQ(syncs, 3U) << synced.output;

    // The token made before the migrations still opens the API of the migrated store.
    Child server({kapal_binary(), "serve", "--data", dir, "--listen", "127.0.0.1:0"});
    const auto port = start_server(server);
    ASSERT_NE(port, 0);
    auto page = http_request(
        port, "GET", "/api/v1/persons?limit=5", {{"Authorization", "Bearer " + bearer}});
    ASSERT_TRUE(page.has_value());
    EXPECT_EQ(page->status, 200) << page->body;
    if (page->status == 200) {
        EXPECT_EQ(nlohmann::json::parse(page->body)["items"].size(), 5U);
    }
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(), 0) << server.output();
}

TEST(MigrateStore, RefusesTheSameStoreAndAPasswordForTheConfig) {
    TempDir tmp;
    const std::string dir = tmp.path() + "/d";
    ASSERT_EQ(run({kapal_binary(), "init", "--data", dir}).exit_code, 0);
    const auto same = run({kapal_binary(),
                           "migrate-store",
                           "--data",
                           dir,
                           "--from",
                           "sqlite:store.db",
                           "--to",
                           "sqlite:" + dir + "/store.db"});
    EXPECT_NE(same.exit_code, 0);
    EXPECT_NE(same.output.find("the same store"), std::string::npos) << same.output;

    const auto password = run({kapal_binary(),
                               "migrate-store",
                               "--data",
                               dir,
                               "--from",
                               "sqlite:store.db",
                               "--to",
                               "postgresql://kapal:s3cret@db.example/kapal",
                               "--switch-config"});
    EXPECT_NE(password.exit_code, 0);
    EXPECT_NE(password.output.find("~/.pgpass"), std::string::npos) << password.output;
    EXPECT_NE(password.output.find("postgresql://kapal:***@db.example/kapal"), std::string::npos)
        << password.output;
    EXPECT_EQ(password.output.find("s3cret"), std::string::npos) << password.output;
}

} // namespace
} // namespace kapal::testing
