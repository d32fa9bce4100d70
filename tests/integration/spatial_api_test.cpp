// Persons by place over HTTP: near=&radius_m=, near=&k=, bbox=, with the list's filters and the
// caller's area, against the real server and its in-memory point index.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

class SpatialApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = std::make_unique<KapalServer>();
        const auto demo = server_->cli({"demo-data", "--persons", "60", "--seed", "9"});
        ASSERT_EQ(demo.exit_code, 0) << demo.output;
        server_->start();
        server_->wait_for_point_index();
    }

    static void TearDownTestSuite() { server_.reset(); }

    static json get(const std::string& target, int expected_status = 200) {
        auto res = server_->request("GET", target);
        EXPECT_TRUE(res.has_value());
        if (!res) {
            return {};
        }
        EXPECT_EQ(res->status, expected_status) << target << ": " << res->body;
        return json::parse(res->body, nullptr, false);
    }

    static std::unique_ptr<KapalServer> server_;
};

std::unique_ptr<KapalServer> SpatialApi::server_;

TEST_F(SpatialApi, NearestFirstWithDistancesAndTheKNearest) {
    const auto all = get("/api/v1/persons?limit=1");
    const auto& first = all["items"][0];
    const double lon = first["home"]["lon"];
    const double lat = first["home"]["lat"];
    char near[96];
    std::snprintf(near, sizeof near, "near=%.7f,%.7f", lon, lat);

    const auto k = get(std::string("/api/v1/persons?") + near + "&k=5");
    ASSERT_EQ(k["items"].size(), 5U);
    EXPECT_EQ(k["items"][0]["id"], first["id"]);
    EXPECT_LT(k["items"][0]["distance_m"].get<double>(), 0.1);
    for (std::size_t i = 1; i < 5; ++i) {
        EXPECT_LE(k["items"][i - 1]["distance_m"].get<double>(),
                  k["items"][i]["distance_m"].get<double>());
    }
    EXPECT_TRUE(k["next_cursor"].is_null());
    EXPECT_FALSE(k["items"][0].contains("nik")) << "masked as every list";

    // Within the distance of the 5th: the same 5 (ties aside), and within 0 m only the first.
    const double fifth = k["items"][4]["distance_m"].get<double>();
    const auto radius =
        get(std::string("/api/v1/persons?") + near + "&radius_m=" + std::to_string(fifth + 0.5));
    EXPECT_GE(radius["items"].size(), 5U);
    EXPECT_EQ(radius["items"][0]["id"], first["id"]);
    const auto zero = get(std::string("/api/v1/persons?") + near + "&radius_m=0.05");
    ASSERT_EQ(zero["items"].size(), 1U);

    // The whole city: 60 persons, limit 20 → truncated.
    const auto city = get(std::string("/api/v1/persons?") + near + "&radius_m=30000&limit=20");
    EXPECT_EQ(city["items"].size(), 20U);
    EXPECT_TRUE(city["truncated"].get<bool>());
}

TEST_F(SpatialApi, BoxWithFiltersMatchesTheListFilteredByHand) {
    const auto all = get("/api/v1/persons?limit=1000");
    ASSERT_EQ(all["items"].size(), 60U);
    const double min_lon = 117.40;
    const double min_lat = 0.08;
    const double max_lon = 117.50;
    const double max_lat = 0.16;
    std::set<std::string> expected;
    for (const auto& p : all["items"]) {
        const double lon = p["home"]["lon"];
        const double lat = p["home"]["lat"];
        const auto& cats = p["categories"];
        const bool fisik = std::find(cats.begin(), cats.end(), "fisik") != cats.end();
        if (fisik && lon >= min_lon && lon <= max_lon && lat >= min_lat && lat <= max_lat) {
            expected.insert(p["id"].get<std::string>());
        }
    }
    const auto box = get("/api/v1/persons?bbox=117.40,0.08,117.50,0.16&category=fisik&limit=1000");
    std::set<std::string> got;
    for (const auto& p : box["items"]) {
        got.insert(p["id"].get<std::string>());
        EXPECT_FALSE(p.contains("distance_m"));
    }
    EXPECT_EQ(got, expected);
    EXPECT_FALSE(box["truncated"].get<bool>());
}

TEST_F(SpatialApi, AViewerOfOneKelurahanFindsOnlyItsPersons) {
    const auto all = get("/api/v1/persons?limit=1");
    const std::string kelurahan = all["items"][0]["address"]["kelurahan_code"];
    server_->add_user("lurah_spatial", "viewer", {kelurahan});
    const std::string token = server_->make_token("lurah_spatial");
    auto res = server_->send("GET",
                             "/api/v1/persons?near=117.47,0.13&radius_m=30000&limit=1000",
                             "",
                             {},
                             Credentials{token, "", ""});
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto page = json::parse(res->body);
    ASSERT_FALSE(page["items"].empty());
    for (const auto& p : page["items"]) {
        EXPECT_EQ(p["address"]["kelurahan_code"], kelurahan);
    }
}

TEST_F(SpatialApi, BadSpatialParametersAreNamed) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"near=117.5", "near"},
        {"near=117.5,0.1,3&k=2", "near"},
        {"near=200,0.1&k=2", "near"},
        {"near=117.5,0.1", "radius_m"},
        {"near=117.5,0.1&k=2&radius_m=5", "k"},
        {"near=117.5,0.1&radius_m=-1", "radius_m"},
        {"near=117.5,0.1&radius_m=nan", "radius_m"},
        {"near=117.5,0.1&k=0", "k"},
        {"k=3", "near"},
        {"bbox=117.5,0.2,117.4,0.1", "bbox"},
        {"bbox=117.4,0.1,117.5", "bbox"},
        {"bbox=117.4,0.1,117.5,0.2&near=117.5,0.1", "bbox"},
    };
    for (const auto& [query, field] : cases) {
        const auto problem = get("/api/v1/persons?" + query, 422);
        ASSERT_TRUE(problem.contains("errors")) << query << ": " << problem.dump();
        EXPECT_EQ(problem["errors"][0]["field"], field) << query;
    }
    const auto named = get("/api/v1/persons?near=117.5,0.1&k=3&q=Siti", 422);
    EXPECT_EQ(named["errors"][0]["field"], "q");
}

} // namespace
} // namespace kapal::testing
