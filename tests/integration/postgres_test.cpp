// The `kapal` program on a PostgreSQL store: `kapal init --store postgresql://…`, then the
// command line and the server use it. Needs the test server of ctest's fixture `postgres`
// (KAPAL_TEST_POSTGRES, see src/kapal/store/postgres/CMakeLists.txt).

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

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

    // init wrote the boundaries as PostGIS polygons: homes join to them in SQL, and the join
    // agrees with the kelurahan and kecamatan the program located (demo homes are drawn inside
    // their kelurahan; a home that two overlapping source polygons both contain is left out).
    EXPECT_EQ(sql_value(db.uri(),
                        "SELECT string_agg(level || '=' || n, ',' ORDER BY level) FROM (SELECT "
                        "level, count(*) AS n FROM areas GROUP BY level) c"),
              "kecamatan=3,kelurahan=15,kota=1");
    const std::string located =
        "SELECT p.id, min(a.code) AS code, count(*) AS n FROM persons p JOIN areas a ON "
        "a.level = '%s' AND ST_Contains(a.geom, p.home) GROUP BY p.id";
    char kelurahan_sql[512];
    std::snprintf(kelurahan_sql, sizeof kelurahan_sql, located.c_str(), "kelurahan");
    const std::string one_kelurahan = std::string("SELECT count(*) FROM (") + kelurahan_sql +
                                      ") l JOIN persons p USING (id) WHERE l.n = 1";
    const int inside = std::stoi(sql_value(db.uri(), one_kelurahan));
    EXPECT_GE(inside, 30) << "most homes lie inside exactly one kelurahan polygon";
    EXPECT_EQ(sql_value(db.uri(), one_kelurahan + " AND l.code = p.kelurahan_code"),
              std::to_string(inside));
    char kecamatan_sql[512];
    std::snprintf(kecamatan_sql, sizeof kecamatan_sql, located.c_str(), "kecamatan");
    EXPECT_EQ(sql_value(db.uri(),
                        std::string("SELECT count(*) FROM (") + kecamatan_sql +
                            ") l JOIN persons p USING (id) WHERE l.n = 1 AND l.code <> "
                            "p.kecamatan_code"),
              "0");
    EXPECT_EQ(sql_value(db.uri(),
                        "SELECT count(*) FROM persons p JOIN areas a ON a.level = 'kota' AND "
                        "ST_Contains(a.geom, p.home)"),
              "40");

    const auto token = cli({"token", "create", "--user", "admin", "--expires", "1d"});
    ASSERT_EQ(token.exit_code, 0) << token.output;
    const std::string bearer = "ksg_" + text_after(token.output, "ksg_", '\n');

    Child server({kapal_binary(), "serve", "--data", dir, "--listen", "127.0.0.1:0"});
    const auto line = server.wait_for_line("serving on", std::chrono::seconds(30));
    ASSERT_FALSE(line.empty()) << "server did not start: " << server.output();
    const auto port = KapalServer::port_of_url_line(line);
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

/// A `kapal serve` of data directory `dir`; its port.
unsigned short start_server(Child& server) {
    const auto line = server.wait_for_line("serving on", std::chrono::seconds(30));
    EXPECT_FALSE(line.empty()) << "server did not start: " << server.output();
    return line.empty() ? 0 : KapalServer::port_of_url_line(line);
}

/// Ids of the persons a server finds within `radius_m` of (lon, lat).
std::vector<std::string>
ids_near(unsigned short port, const std::string& bearer, double lon, double lat, double radius_m) {
    char target[160];
    std::snprintf(
        target, sizeof target, "/api/v1/persons?near=%.7f,%.7f&radius_m=%.1f", lon, lat, radius_m);
    auto res = http_request(port, "GET", target, {{"Authorization", "Bearer " + bearer}});
    std::vector<std::string> out;
    if (!res || res->status != 200) {
        ADD_FAILURE() << target << ": " << (res ? res->body : "no answer");
        return out;
    }
    const auto json = nlohmann::json::parse(res->body);
    for (const auto& item : json.at("items")) {
        out.push_back(item.at("id").get<std::string>());
    }
    return out;
}

/// Polls until `ids_near` does (or, with `present` false, no longer does) contain `id`.
bool eventually_near(unsigned short port,
                     const std::string& bearer,
                     double lon,
                     double lat,
                     const std::string& id,
                     bool present) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    for (;;) {
        const auto ids = ids_near(port, bearer, lon, lat, 2.0);
        const bool found = std::find(ids.begin(), ids.end(), id) != ids.end();
        if (found == present) {
            return true;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

// Two application servers on one database (issue 4): each keeps its own in-memory point
// index, and what one writes the other finds: by id at once (one database), by place as soon as
// its change follower has caught up (woken by the NOTIFY of the commit, or by its poll; the
// store test AWriteThroughOneStoreWakesTheOthersWaiterAndShowsInItsFeed shows the NOTIFY alone).
TEST(PostgresProgram, TwoServersOnOneDatabaseSeeEachOthersWrites) {
    ASSERT_FALSE(server_conninfo().empty()) << "run through ctest (fixture postgres)";
    TestDatabase db;
    TempDir tmp;
    const std::string a_dir = tmp.path() + "/a";
    const std::string b_dir = tmp.path() + "/b";
    const auto init = run({kapal_binary(), "init", "--data", a_dir, "--store", db.uri()});
    ASSERT_EQ(init.exit_code, 0) << init.output;
    const auto demo =
        run({kapal_binary(), "demo-data", "--data", a_dir, "--persons", "30", "--seed", "5"});
    ASSERT_EQ(demo.exit_code, 0) << demo.output;
    // The second server's directory: the same config and keys (docs/operations-postgres.md,
    // "Several application servers").
    std::filesystem::copy(a_dir, b_dir, std::filesystem::copy_options::recursive);
    const auto token = run(
        {kapal_binary(), "token", "create", "--data", a_dir, "--user", "admin", "--expires", "1d"});
    ASSERT_EQ(token.exit_code, 0) << token.output;
    const std::string bearer = "ksg_" + text_after(token.output, "ksg_", '\n');
    const Headers auth = {{"Authorization", "Bearer " + bearer}};

    Child a({kapal_binary(), "serve", "--data", a_dir, "--listen", "127.0.0.1:0"});
    Child b({kapal_binary(), "serve", "--data", b_dir, "--listen", "127.0.0.1:0"});
    const unsigned short a_port = start_server(a);
    const unsigned short b_port = start_server(b);
    ASSERT_NE(a_port, 0);
    ASSERT_NE(b_port, 0);
    EXPECT_TRUE(a.wait_for_output("point index: ", std::chrono::seconds(30))) << a.output();
    EXPECT_TRUE(b.wait_for_output("point index: 30 persons loaded", std::chrono::seconds(30)))
        << b.output();

    // A registers a person next door to a demo person (same kelurahan).
    auto first = http_request(a_port, "GET", "/api/v1/persons?limit=1", auth);
    ASSERT_TRUE(first && first->status == 200);
    const auto neighbour = nlohmann::json::parse(first->body)["items"][0];
    const double lon = neighbour["home"]["lon"].get<double>() + 0.00005;
    const double lat = neighbour["home"]["lat"].get<double>();
    auto body = nlohmann::json::parse(person_json(7, "Rahmawati"));
    body["address"]["kelurahan_code"] = neighbour["address"]["kelurahan_code"];
    body["home"] = {{"lon", lon}, {"lat", lat}, {"accuracy_m", 5}, {"source", "gps"}};
    Headers post = auth;
    post.emplace_back("Content-Type", "application/json");
    auto created = http_request(a_port, "POST", "/api/v1/persons", post, body.dump());
    ASSERT_TRUE(created.has_value());
    ASSERT_EQ(created->status, 201) << created->body;
    const std::string id = nlohmann::json::parse(created->body)["id"].get<std::string>();

    auto by_id = http_request(b_port, "GET", "/api/v1/persons/" + id, auth);
    ASSERT_TRUE(by_id.has_value());
    EXPECT_EQ(by_id->status, 200) << "B reads A's write from the shared database";
    const auto heard = std::chrono::steady_clock::now();
    EXPECT_TRUE(eventually_near(b_port, bearer, lon, lat, id, true))
        << "B's point index never showed A's new person";
    EXPECT_LT(std::chrono::steady_clock::now() - heard, std::chrono::seconds(5));
    EXPECT_TRUE(eventually_near(a_port, bearer, lon, lat, id, true)) << "A's own write";

    // B moves the person 60 m east; A follows.
    body.erase("nik");
    body["home"]["lon"] = lon + 0.00055;
    Headers put = post;
    put.emplace_back("If-Match", "\"1\"");
    auto moved = http_request(b_port, "PUT", "/api/v1/persons/" + id, put, body.dump());
    ASSERT_TRUE(moved.has_value());
    ASSERT_EQ(moved->status, 200) << moved->body;
    EXPECT_TRUE(eventually_near(a_port, bearer, lon + 0.00055, lat, id, true));
    EXPECT_TRUE(eventually_near(a_port, bearer, lon, lat, id, false)) << "still at the old place";
    EXPECT_TRUE(eventually_near(b_port, bearer, lon, lat, id, false));

    a.signal(SIGTERM);
    b.signal(SIGTERM);
    EXPECT_EQ(a.wait(), 0) << a.output();
    EXPECT_EQ(b.wait(), 0) << b.output();
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
