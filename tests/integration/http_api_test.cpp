// The registry API spoken over real sockets to a real `kapal serve` process.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <thread>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

class HttpApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = new KapalServer(Settings{{"body_limit_bytes", "65536"},
                                           {"header_timeout_s", "2"},
                                           {"requests_per_second_per_address", "0"},
                                           {"requests_per_second_per_user", "0"}});
        server_->start();
    }

    static void TearDownTestSuite() {
        server_->stop(SIGTERM);
        delete server_;
        server_ = nullptr;
    }

    static KapalServer* server_;
};

KapalServer* HttpApi::server_ = nullptr;

TEST_F(HttpApi, HealthzAnswers) {
    auto res = server_->request("GET", "/healthz");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(json::parse(res->body)["status"], "ok");
}

TEST_F(HttpApi, CreatesAndReadsAPersonWithNikMasked) {
    auto created = server_->request("POST", "/api/v1/persons", person_json(1));
    ASSERT_TRUE(created.has_value());
    ASSERT_EQ(created->status, 201) << created->body;
    const auto body = json::parse(created->body);
    EXPECT_EQ(created->header("ETag"), "\"1\"");
    EXPECT_EQ(created->header("Location"), "/api/v1/persons/" + body["id"].get<std::string>());
    EXPECT_EQ(body["nik_masked"], "6474**********01");
    EXPECT_FALSE(body.contains("nik"));
    EXPECT_EQ(created->body.find("6474014703850001"), std::string::npos);

    auto read = server_->request("GET", created->header("Location"));
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read->status, 200);
    EXPECT_EQ(json::parse(read->body)["full_name"], "Siti Aminah");
    EXPECT_EQ(json::parse(read->body)["kecamatan_code"], "64.74.01");
}

TEST_F(HttpApi, UpdateNeedsIfMatchAndRefusesAStaleVersion) {
    auto created = server_->request("POST", "/api/v1/persons", person_json(2));
    ASSERT_EQ(created->status, 201);
    const auto location = created->header("Location");
    auto changed = json::parse(person_json(2));
    changed.erase("nik");
    changed["phone"] = "0812-1111-2222";

    auto no_precondition = server_->request("PUT", location, changed.dump());
    EXPECT_EQ(no_precondition->status, 428);

    auto ok = server_->request("PUT", location, changed.dump(), {{"If-Match", "\"1\""}});
    ASSERT_EQ(ok->status, 200) << ok->body;
    EXPECT_EQ(ok->header("ETag"), "\"2\"");

    auto stale = server_->request("PUT", location, changed.dump(), {{"If-Match", "\"1\""}});
    EXPECT_EQ(stale->status, 412);
    EXPECT_EQ(stale->header("Content-Type"), "application/problem+json");
    EXPECT_EQ(json::parse(stale->body)["code"], "version_conflict");

    auto versions = server_->request("GET", location + "/versions");
    ASSERT_EQ(versions->status, 200);
    const auto items = json::parse(versions->body)["items"];
    ASSERT_EQ(items.size(), 2U);
    EXPECT_EQ(items[0]["phone"], "");
    EXPECT_EQ(items[1]["phone"], "0812-1111-2222");
}

TEST_F(HttpApi, RepeatedIdempotencyKeyReplaysTheFirstResult) {
    const auto body = person_json(3);
    auto first = server_->request("POST", "/api/v1/persons", body, {{"Idempotency-Key", "k-3"}});
    ASSERT_EQ(first->status, 201);
    auto again = server_->request("POST", "/api/v1/persons", body, {{"Idempotency-Key", "k-3"}});
    ASSERT_EQ(again->status, 201);
    EXPECT_EQ(again->header("Idempotent-Replayed"), "true");
    EXPECT_EQ(json::parse(again->body)["id"], json::parse(first->body)["id"]);
    auto reused =
        server_->request("POST", "/api/v1/persons", person_json(4), {{"Idempotency-Key", "k-3"}});
    EXPECT_EQ(reused->status, 409);
    EXPECT_EQ(json::parse(reused->body)["code"], "idempotency_key_reused");
    // A key too long is refused naming the header, as every route that takes one does.
    auto too_long = server_->request(
        "POST", "/api/v1/persons", person_json(4), {{"Idempotency-Key", std::string(201, 'k')}});
    ASSERT_TRUE(too_long.has_value());
    EXPECT_EQ(too_long->status, 422) << too_long->body;
    EXPECT_EQ(json::parse(too_long->body)["errors"][0]["field"], "Idempotency-Key");
}

TEST_F(HttpApi, DuplicateNikIsAConflict) {
    ASSERT_EQ(server_->request("POST", "/api/v1/persons", person_json(5))->status, 201);
    auto dup = server_->request("POST", "/api/v1/persons", person_json(5, "Orang Lain"));
    EXPECT_EQ(dup->status, 409);
    EXPECT_EQ(json::parse(dup->body)["code"], "person.duplicate_nik");
}

TEST_F(HttpApi, BadJsonIsA400Problem) {
    auto res = server_->request("POST", "/api/v1/persons", "{\"nik\": ");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 400);
    EXPECT_EQ(json::parse(res->body)["code"], "bad_json");
    auto deep = server_->request(
        "POST", "/api/v1/persons", std::string(5000, '[') + std::string(5000, ']'));
    EXPECT_EQ(deep->status, 400);
}

TEST_F(HttpApi, UnknownAndBadFieldsAreNamedInIndonesianOrEnglish) {
    auto body = json::parse(person_json(6));
    body["nama"] = "typo";
    body["nik"] = "123";
    body["birth_date"] = 1985;
    auto id = server_->request("POST", "/api/v1/persons", body.dump());
    ASSERT_EQ(id->status, 422);
    const auto problem = json::parse(id->body);
    EXPECT_EQ(problem["title"], "Data tidak valid");
    std::map<std::string, std::string> by_field;
    for (const auto& e : problem["errors"]) {
        by_field[e["field"]] = e["code"];
    }
    EXPECT_EQ(by_field["nama"], "unknown_field");
    EXPECT_EQ(by_field["birth_date"], "field_type_mismatch");

    body.erase("nama");
    body["birth_date"] = "1985-03-07";
    auto en = server_->request(
        "POST", "/api/v1/persons", body.dump(), {{"Accept-Language", "en-US,en;q=0.9,id;q=0.5"}});
    ASSERT_EQ(en->status, 422);
    const auto p2 = json::parse(en->body);
    EXPECT_EQ(p2["title"], "Invalid data");
    EXPECT_EQ(p2["errors"][0]["field"], "nik");
    EXPECT_EQ(p2["errors"][0]["code"], "person.nik_length");
    EXPECT_NE(p2["errors"][0]["message"].get<std::string>().find("16 digits"), std::string::npos);
}

TEST_F(HttpApi, WarningsMustBeConfirmedWithAReason) {
    auto body = json::parse(person_json(7));
    body["sex"] = "L"; // the NIK says P
    auto refused = server_->request("POST", "/api/v1/persons", body.dump());
    ASSERT_EQ(refused->status, 422);
    const auto problem = json::parse(refused->body);
    EXPECT_EQ(problem["code"], "person.warnings_not_confirmed");
    EXPECT_EQ(problem["errors"][0]["level"], "warning");
    body["confirmed_warnings"] = {"person.nik_sex_mismatch"};
    body["warning_reason"] = "KTP dicek: data kelamin di NIK salah";
    EXPECT_EQ(server_->request("POST", "/api/v1/persons", body.dump())->status, 201);
}

TEST_F(HttpApi, OversizeBodyIsRefusedWith413) {
    const std::string big(200 * 1024, 'x');
    auto res = server_->request("POST", "/api/v1/persons", "{\"x\":\"" + big + "\"}");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 413);
}

TEST_F(HttpApi, SlowClientIsCutOff) {
    RawConnection conn(server_->port());
    ASSERT_TRUE(conn.connected());
    ASSERT_TRUE(conn.send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
    // header_timeout_s = 2: the server closes (after a 408 at most) well before 10 s.
    EXPECT_TRUE(conn.closed_within(std::chrono::seconds(10)));
    // and it keeps serving others
    EXPECT_EQ(server_->request("GET", "/healthz")->status, 200);
}

TEST_F(HttpApi, UnsupportedContentTypeIs415) {
    Headers headers = {{"Content-Type", "text/plain"}};
    server_->admin().apply("POST", headers);
    auto res = http_request(server_->port(), "POST", "/api/v1/persons", headers, person_json(8));
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 415);
}

TEST_F(HttpApi, ListsWithFiltersAndCursorPages) {
    for (int i = 20; i < 27; ++i) {
        // Seven look-alikes on purpose (the same name but for a number): each confirms the
        // possible-duplicate warning, which this test is not about.
        json body = json::parse(person_json(i, "Pagination Orang " + std::to_string(i)));
        body["confirmed_warnings"] = {"person.possible_duplicate"};
        body["warning_reason"] = "data uji halaman";
        auto created = server_->request("POST", "/api/v1/persons", body.dump());
        ASSERT_EQ(created->status, 201) << created->body;
    }
    std::set<std::string> seen;
    std::string cursor;
    int pages = 0;
    do {
        auto res = server_->request("GET",
                                    "/api/v1/persons?q=pagination&limit=3" +
                                        (cursor.empty() ? "" : "&cursor=" + cursor));
        ASSERT_EQ(res->status, 200) << res->body;
        const auto page = json::parse(res->body);
        for (const auto& item : page["items"]) {
            EXPECT_TRUE(seen.insert(item["id"]).second);
        }
        cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
        ++pages;
    } while (!cursor.empty() && pages < 10);
    EXPECT_EQ(seen.size(), 7U);
    EXPECT_EQ(pages, 3);
    auto bad = server_->request("GET", "/api/v1/persons?category=terbang");
    EXPECT_EQ(bad->status, 422);
    auto bad_cursor = server_->request("GET", "/api/v1/persons?cursor=zzz");
    EXPECT_EQ(bad_cursor->status, 400);
}

TEST_F(HttpApi, LookupByNikTakesTheNikInTheBody) {
    ASSERT_EQ(server_->request("POST", "/api/v1/persons", person_json(9))->status, 201);
    auto found =
        server_->request("POST", "/api/v1/persons/lookup", R"({"nik":"6474014703850009"})");
    ASSERT_EQ(found->status, 200);
    EXPECT_EQ(json::parse(found->body)["nik_masked"], "6474**********09");
    auto missing =
        server_->request("POST", "/api/v1/persons/lookup", R"({"nik":"6474014703850999"})");
    EXPECT_EQ(missing->status, 404);
}

TEST_F(HttpApi, AsOfReadsAPastState) {
    auto created = server_->request("POST", "/api/v1/persons", person_json(10));
    ASSERT_EQ(created->status, 201);
    const auto location = created->header("Location");
    const auto created_at = json::parse(created->body)["created_at"].get<std::string>();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto changed = json::parse(created->body);
    const std::string name = changed["full_name"];
    changed["full_name"] = name + " Binti Ali";
    ASSERT_EQ(server_->request("PUT", location, changed.dump(), {{"If-Match", "\"1\""}})->status,
              200);
    auto past = server_->request("GET", location + "?as_of=" + created_at);
    ASSERT_EQ(past->status, 200) << past->body;
    EXPECT_EQ(json::parse(past->body)["full_name"], name);
    EXPECT_EQ(json::parse(server_->request("GET", location)->body)["full_name"],
              name + " Binti Ali");
}

TEST_F(HttpApi, ServesTheStaticPageAndTheOpenApiDocument) {
    auto page = server_->request("GET", "/");
    ASSERT_EQ(page->status, 200);
    EXPECT_NE(page->body.find("Kapal Si Geo"), std::string::npos);
    auto doc = server_->request("GET", "/api/v1/openapi.json");
    ASSERT_EQ(doc->status, 200);
    const auto openapi = json::parse(doc->body);
    EXPECT_EQ(openapi["openapi"], "3.1.0");
    for (const char* path : {"/healthz",
                             "/api/v1/persons",
                             "/api/v1/persons/{id}",
                             "/api/v1/persons/{id}/versions",
                             "/api/v1/persons/lookup",
                             "/ogc",
                             "/ogc/collections/{collectionId}/items",
                             "/ogc/collections/{collectionId}/items/{featureId}"}) {
        EXPECT_TRUE(openapi["paths"].contains(path)) << path;
    }
}

TEST_F(HttpApi, OpenApiDocumentPassesRedoclyLint) {
    auto doc = server_->request("GET", "/api/v1/openapi.json");
    ASSERT_EQ(doc->status, 200);
    TempDir tmp;
    const auto file = tmp.path() + "/openapi.json";
    std::ofstream(file) << doc->body;
    const std::string redocly = std::string(KAPAL_SOURCE_DIR) + "/web/node_modules/.bin/redocly";
    const auto lint = run({redocly,
                           "lint",
                           "--config",
                           std::string(KAPAL_SOURCE_DIR) + "/tests/openapi/redocly.yaml",
                           file});
    EXPECT_EQ(lint.exit_code, 0) << lint.output;
}

} // namespace
} // namespace kapal::testing
