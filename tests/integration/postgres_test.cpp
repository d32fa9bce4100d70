// The `kapal` program on a PostgreSQL store: `kapal init --store postgresql://…`, then the
// command line and the server use it. Needs the test server of ctest's fixture `postgres`
// (KAPAL_TEST_POSTGRES, see src/kapal/store/postgres/CMakeLists.txt).

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "integration/kapal_server.hpp"
#include "integration/test_database.hpp"

namespace kapal::testing {
namespace {

TEST(PostgresProgram, InitCommandsAndServerUseAPostgresqlStore) {
    ASSERT_FALSE(server_conninfo().empty())
        << "KAPAL_TEST_POSTGRES is not set: run through ctest (fixture postgres)";
    TestDatabase db;
    TempDir tmp;
    const std::string dir = tmp.path() + "/d";
    const auto init = run({kapal_binary(), "init", "--data", dir, "--store", db.uri()});
    ASSERT_EQ(init.exit_code, 0) << init.output;
    EXPECT_NE(init.output.find("user 'admin', password '"), std::string::npos) << init.output;
    {
        std::ifstream config(dir + "/config");
        std::stringstream text;
        text << config.rdbuf();
        EXPECT_NE(text.str().find("store = " + db.uri()), std::string::npos) << text.str();
    }
    // Nothing of the registry is written under DIR: the store is the database.
    EXPECT_FALSE(std::filesystem::exists(dir + "/store.db"));
    EXPECT_EQ(sql_value(db.uri(), "SELECT count(*) FROM users WHERE username = 'admin'"), "1");

    const auto cli = [&](std::vector<std::string> args) {
        args.insert(args.begin(), kapal_binary());
        args.emplace_back("--data");
        args.push_back(dir);
        return run(args);
    };
    const auto demo = cli({"demo-data", "--persons", "40", "--seed", "3"});
    ASSERT_EQ(demo.exit_code, 0) << demo.output;
    EXPECT_EQ(sql_value(db.uri(), "SELECT count(*) FROM persons"), "40");
    EXPECT_EQ(sql_value(db.uri(), "SELECT count(*) FROM persons WHERE home IS NOT NULL"), "40");
    const auto check = cli({"check"});
    EXPECT_EQ(check.exit_code, 0) << check.output;

    const auto token = cli({"token", "create", "--user", "admin", "--expires", "1d"});
    ASSERT_EQ(token.exit_code, 0) << token.output;
    const std::string bearer = "ksg_" + text_after(token.output, "ksg_", '\n');

    Child server({kapal_binary(), "serve", "--data", dir, "--listen", "127.0.0.1:0"});
    const auto line = server.wait_for_line("serving on", std::chrono::seconds(30));
    ASSERT_FALSE(line.empty()) << "server did not start: " << server.output();
    const auto port = static_cast<unsigned short>(std::stoi(line.substr(line.rfind(':') + 1)));
    auto page = http_request(
        port, "GET", "/api/v1/persons?limit=5", {{"Authorization", "Bearer " + bearer}});
    ASSERT_TRUE(page.has_value());
    ASSERT_EQ(page->status, 200) << page->body;
    const auto json = nlohmann::json::parse(page->body);
    EXPECT_EQ(json["items"].size(), 5U);
    EXPECT_TRUE(json["next_cursor"].is_string());
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(), 0) << server.output();

    // Every write went through the store's audit log in the database.
    EXPECT_NE(sql_value(db.uri(), "SELECT count(*) FROM audit_log"), "0");
}

TEST(PostgresProgram, InitRefusesAnUnknownStoreScheme) {
    TempDir tmp;
    const auto init =
        run({kapal_binary(), "init", "--data", tmp.path() + "/d", "--store", "mysql://x/y"});
    EXPECT_NE(init.exit_code, 0);
    EXPECT_NE(init.output.find("postgresql://"), std::string::npos) << init.output;
}

} // namespace
} // namespace kapal::testing
