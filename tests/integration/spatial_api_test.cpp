// Persons by place over HTTP: near=&radius_m=, near=&k=, bbox=, POST /api/v1/persons/search
// (a polygon) with the list's filters, needs and the caller's area, and visit routes, against
// the real server and its in-memory point index.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

class SpatialApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        // The suite registers persons and asks many questions in a burst as one user.
        server_ = std::make_unique<KapalServer>(
            Settings{{"requests_per_second_per_user", "1000"}, {"burst_per_user", "1000"}});
        const auto demo = server_->cli({"demo-data", "--persons", "60", "--seed", "9"});
        ASSERT_EQ(demo.exit_code, 0) << demo.output;
        server_->start();
        server_->wait_for_point_index();
    }

    static void TearDownTestSuite() { server_.reset(); }

    static json post(const std::string& target, const json& body, int expected_status = 200) {
        auto res = server_->request("POST", target, body.dump());
        EXPECT_TRUE(res.has_value());
        if (!res) {
            return {};
        }
        EXPECT_EQ(res->status, expected_status)
            << target << " " << body.dump() << ": " << res->body;
        return json::parse(res->body, nullptr, false);
    }

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
    const auto needs = get("/api/v1/persons?near=117.5,0.1&k=3&needs=kursi_roda,jetpack", 422);
    EXPECT_EQ(needs["errors"][0]["field"], "needs");
    const auto listed = get("/api/v1/persons?needs=kursi_roda", 422);
    EXPECT_EQ(listed["errors"][0]["field"], "needs") << "needs only with a place";
    const auto severity = get("/api/v1/persons?bbox=117,0,118,1&severity=parah", 422);
    EXPECT_EQ(severity["errors"][0]["field"], "severity");
}

json square(double lon0, double lat0, double lon1, double lat1) {
    return json::array({json::array({lon0, lat0}),
                        json::array({lon1, lat0}),
                        json::array({lon1, lat1}),
                        json::array({lon0, lat1}),
                        json::array({lon0, lat0})});
}

/// Persons registered through the server (so the index holds their needs at once), each a
/// few metres from a demo person's home; every third uses a wheelchair.
std::vector<json> register_near_demo_homes(KapalServer& server, const json& demo, int count) {
    std::vector<json> made;
    int i = -1;
    for (const auto& person : demo["items"]) {
        if (person["home"].is_null()) {
            continue;
        }
        if (++i == count) {
            break;
        }
        const auto& home = person["home"];
        char nik[24];
        std::snprintf(nik, sizeof nik, "647401470385%04d", 7000 + i);
        json body = {
            {"nik", nik},
            {"full_name", "Pengguna " + std::to_string(i)},
            {"sex", "P"},
            {"birth_date", "1985-03-07"},
            {"categories", {i % 2 == 0 ? "fisik" : "sensorik_netra"}},
            {"severity", i % 2 == 0 ? "berat" : "sedang"},
            {"assistive_devices",
             i % 3 == 0 ? json::array({"kursi_roda"}) : json::array({"kacamata"})},
            {"home",
             {{"lon", home["lon"].get<double>() + 1e-5}, {"lat", home["lat"]}, {"source", "gps"}}}};
        auto res = server.request("POST", "/api/v1/persons", body.dump());
        EXPECT_TRUE(res.has_value());
        if (res && res->status == 422) {
            // A warning (e.g. the few metres crossed a kelurahan border): confirm it.
            const auto problem = json::parse(res->body);
            json confirmed = json::array();
            for (const auto& e : problem["errors"]) {
                confirmed.push_back(e["code"]);
            }
            body["confirmed_warnings"] = confirmed;
            body["warning_reason"] = "uji integrasi";
            res = server.request("POST", "/api/v1/persons", body.dump());
        }
        EXPECT_TRUE(res && res->status == 201) << (res ? res->body : "no answer");
        if (res && res->status == 201) {
            made.push_back(json::parse(res->body));
        }
    }
    return made;
}

TEST_F(SpatialApi, PolygonSearchWithNeedsMatchesEveryPersonFilteredByHand) {
    const auto demo = get("/api/v1/persons?limit=1000");
    const auto made = register_near_demo_homes(*server_, demo, 24);
    ASSERT_EQ(made.size(), 24U);
    // Two parts: the western and the eastern half of the city, with a hole in the west.
    const double mid = 117.47;
    const json polygon = {
        {"type", "MultiPolygon"},
        {"coordinates",
         {json::array({square(117.30, -0.10, mid, 0.40), square(117.40, 0.10, 117.42, 0.12)}),
          json::array({square(mid + 0.01, -0.10, 117.70, 0.40)})}}};
    const auto inside = [&](double lon, double lat) {
        const bool west = lon >= 117.30 && lon <= mid && lat >= -0.10 && lat <= 0.40 &&
                          !(lon > 117.40 && lon < 117.42 && lat > 0.10 && lat < 0.12);
        const bool east = lon >= mid + 0.01 && lon <= 117.70 && lat >= -0.10 && lat <= 0.40;
        return west || east;
    };
    // Everyone: the demo persons (loaded from the store at start, their devices from the
    // store's change feed) and those just registered (applied by the server's own writes).
    std::vector<json> everyone = made;
    for (const auto& p : demo["items"]) {
        everyone.push_back(p);
    }
    std::set<std::string> expected;
    for (const auto& p : everyone) {
        if (!p.contains("home") || p["home"].is_null() || !p.contains("assistive_devices")) {
            continue;
        }
        const auto& devices = p["assistive_devices"];
        const bool wheelchair =
            std::find(devices.begin(), devices.end(), "kursi_roda") != devices.end();
        if (wheelchair && inside(p["home"]["lon"], p["home"]["lat"])) {
            expected.insert(p["id"].get<std::string>());
        }
    }
    const auto page = post("/api/v1/persons/search",
                           {{"geometry", polygon}, {"needs", {"kursi_roda"}}, {"limit", 1000}});
    std::set<std::string> got;
    std::string previous;
    for (const auto& p : page["items"]) {
        got.insert(p["id"].get<std::string>());
        EXPECT_LT(previous, p["id"].get<std::string>()) << "by id";
        previous = p["id"];
        EXPECT_FALSE(p.contains("nik")) << "masked as every list";
        EXPECT_FALSE(p.contains("distance_m"));
    }
    EXPECT_EQ(got, expected);
    EXPECT_FALSE(expected.empty());
    EXPECT_FALSE(page["truncated"].get<bool>());

    // The same as a Feature, with category and severity narrowing (wheelchair users are persons
    // 0, 3, 6, ...: the even ones are fisik and berat).
    const json feature = {
        {"type", "Feature"}, {"properties", json::object()}, {"geometry", polygon}};
    const auto narrowed = post("/api/v1/persons/search",
                               {{"geometry", feature},
                                {"needs", "kursi_roda"},
                                {"category", {"fisik"}},
                                {"severity", "berat"},
                                {"limit", 1000}});
    std::set<std::string> fisik;
    for (const auto& p : narrowed["items"]) {
        fisik.insert(p["id"].get<std::string>());
        EXPECT_EQ(p["severity"], "berat");
    }
    EXPECT_FALSE(fisik.empty());
    EXPECT_LT(fisik.size(), got.size());

    // GET with needs: the same persons in a box over the city.
    const auto box =
        get("/api/v1/persons?bbox=117.30,-0.10,117.70,0.40&needs=kursi_roda&limit=1000");
    std::set<std::string> in_box;
    for (const auto& p : box["items"]) {
        in_box.insert(p["id"].get<std::string>());
    }
    EXPECT_GE(in_box.size(), got.size());
    for (const auto& id : got) {
        EXPECT_EQ(in_box.count(id), 1U) << id;
    }

    // Limit: truncated.
    const auto one = post("/api/v1/persons/search",
                          {{"geometry", polygon}, {"needs", {"kursi_roda"}}, {"limit", 1}});
    EXPECT_EQ(one["items"].size(), 1U);
    EXPECT_TRUE(one["truncated"].get<bool>());
}

TEST_F(SpatialApi, PolygonSearchIsScopedToTheCallersAreas) {
    const auto all = get("/api/v1/persons?limit=1");
    const std::string kelurahan = all["items"][0]["address"]["kelurahan_code"];
    server_->add_user("lurah_polygon", "viewer", {kelurahan});
    const std::string token = server_->make_token("lurah_polygon");
    const json body = {
        {"geometry", {{"type", "Polygon"}, {"coordinates", {square(117, -1, 118, 1)}}}},
        {"limit", 1000}};
    auto res = server_->send(
        "POST", "/api/v1/persons/search", body.dump(), {}, Credentials{token, "", ""});
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto page = json::parse(res->body);
    ASSERT_FALSE(page["items"].empty());
    for (const auto& p : page["items"]) {
        EXPECT_EQ(p["address"]["kelurahan_code"], kelurahan);
    }
}

TEST_F(SpatialApi, BadPolygonSearchesAreNamedByPath) {
    const json ok = {{"type", "Polygon"}, {"coordinates", {square(117, -1, 118, 1)}}};
    json open_ring = ok;
    open_ring["coordinates"][0].erase(4);
    json bad_lat = ok;
    bad_lat["coordinates"][0][3][1] = 95;
    json huge = ok;
    json many = json::array({json::array({117, -1})});
    for (int i = 0; i < 10001; ++i) {
        many.push_back(json::array({118, 1}));
    }
    many.push_back(json::array({117, -1}));
    huge["coordinates"][0] = many;
    const std::vector<std::pair<json, std::string>> cases = {
        {{{"limit", 5}}, "geometry"},
        {{{"geometry", {{"type", "Point"}, {"coordinates", {117, 0}}}}}, "geometry.type"},
        {{{"geometry", open_ring}}, "geometry.coordinates[0]"},
        {{{"geometry", bad_lat}}, "geometry.coordinates[0][3]"},
        {{{"geometry", huge}}, "geometry.coordinates"},
        {{{"geometry", {{"type", "Feature"}, {"geometry", nullptr}}}}, "geometry.geometry"},
        {{{"geometry", ok}, {"needs", {"kursi_roda", "roket"}}}, "needs[1]"},
        {{{"geometry", ok}, {"category", "semua"}}, "category"},
        {{{"geometry", ok}, {"severity", 3}}, "severity"},
        {{{"geometry", ok}, {"limit", 0}}, "limit"},
        {{{"geometry", ok}, {"radius", 5}}, "radius"},
    };
    for (const auto& [body, field] : cases) {
        const auto problem = post("/api/v1/persons/search", body, 422);
        ASSERT_TRUE(problem.contains("errors")) << body.dump() << ": " << problem.dump();
        EXPECT_EQ(problem["errors"][0]["field"], field) << body.dump().substr(0, 200);
    }
    auto not_json = server_->request("POST", "/api/v1/persons/search", "{\"geometry\":");
    ASSERT_TRUE(not_json.has_value());
    EXPECT_EQ(not_json->status, 400);
}

TEST_F(SpatialApi, AVisitRouteOrdersAKelurahanAndListsIdsInScope) {
    const auto all = get("/api/v1/persons?limit=1000");
    const std::string kelurahan = all["items"][0]["address"]["kelurahan_code"];
    std::size_t in_kelurahan = 0;
    for (const auto& p : all["items"]) {
        in_kelurahan += p["address"]["kelurahan_code"] == kelurahan && p["status"] == "aktif" &&
                                !p["home"].is_null()
                            ? 1
                            : 0;
    }
    const auto route =
        post("/api/v1/routes/visit", {{"start", {117.47, 0.13}}, {"kelurahan", kelurahan}});
    ASSERT_EQ(route["stops"].size(), in_kelurahan);
    double sum = 0;
    for (std::size_t i = 0; i < route["stops"].size(); ++i) {
        const auto& stop = route["stops"][i];
        EXPECT_EQ(stop["order"], i + 1);
        EXPECT_EQ(stop["person"]["address"]["kelurahan_code"], kelurahan);
        EXPECT_FALSE(stop["person"].contains("nik"));
        sum += stop["leg_m"].get<double>();
        EXPECT_NEAR(stop["cumulative_m"].get<double>(), sum, 0.5);
    }
    EXPECT_NEAR(route["total_m"].get<double>(), sum, 0.5);

    // By ids: two persons; the nearer to the start comes first.
    const auto& a = all["items"][0];
    const auto& b = all["items"][1];
    const json start = {a["home"]["lon"], a["home"]["lat"]};
    const auto two =
        post("/api/v1/routes/visit", {{"start", start}, {"persons", {b["id"], a["id"]}}});
    ASSERT_EQ(two["stops"].size(), 2U);
    EXPECT_EQ(two["stops"][0]["person"]["id"], a["id"]);
    EXPECT_LT(two["stops"][0]["leg_m"].get<double>(), 0.1);

    // Another kelurahan's person is absent for a viewer of this one.
    std::string other_id;
    for (const auto& p : all["items"]) {
        if (p["address"]["kelurahan_code"] != kelurahan) {
            other_id = p["id"];
            break;
        }
    }
    server_->add_user("lurah_route", "viewer", {kelurahan});
    const std::string token = server_->make_token("lurah_route");
    auto res =
        server_->send("POST",
                      "/api/v1/routes/visit",
                      json{{"start", {117.47, 0.13}}, {"persons", {a["id"], other_id}}}.dump(),
                      {},
                      Credentials{token, "", ""});
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 404) << res->body;
    EXPECT_EQ(json::parse(res->body)["errors"][0]["field"], "persons[1]");

    const auto no_start = post("/api/v1/routes/visit", {{"kelurahan", kelurahan}}, 422);
    EXPECT_EQ(no_start["errors"][0]["field"], "start");
    const auto both =
        post("/api/v1/routes/visit",
             {{"start", {117.47, 0.13}}, {"kelurahan", kelurahan}, {"persons", {a["id"]}}},
             422);
    EXPECT_EQ(both["errors"][0]["field"], "persons");
    const auto far =
        post("/api/v1/routes/visit", {{"start", {200, 0}}, {"kelurahan", kelurahan}}, 422);
    EXPECT_EQ(far["errors"][0]["field"], "start");
}

TEST_F(SpatialApi, TheVisitListPrintsAsCsvAndPdfInRouteOrder) {
    const auto all = get("/api/v1/persons?limit=1000");
    const std::string kelurahan = all["items"][0]["address"]["kelurahan_code"];
    const json body = {{"start", {117.47, 0.13}}, {"kelurahan", kelurahan}};
    const auto route = post("/api/v1/routes/visit", body);
    ASSERT_GT(route["stops"].size(), 1U);

    auto csv = server_->request("POST", "/api/v1/routes/visit?format=csv", body.dump());
    ASSERT_TRUE(csv.has_value());
    ASSERT_EQ(csv->status, 200) << csv->body;
    EXPECT_EQ(csv->header("Content-Type"), "text/csv; charset=utf-8");
    EXPECT_EQ(csv->header("Content-Disposition"), "attachment; filename=\"kunjungan.csv\"");
    std::istringstream lines(csv->body);
    std::string line;
    ASSERT_TRUE(std::getline(lines, line));
    EXPECT_EQ(line.rfind("urutan,id,nama,alamat,rt,rw,kelurahan,lon,lat,jarak_m,kumulatif_m", 0),
              0U)
        << line;
    for (std::size_t i = 0; i < route["stops"].size(); ++i) {
        ASSERT_TRUE(std::getline(lines, line));
        const std::string id = route["stops"][i]["person"]["id"];
        EXPECT_EQ(line.rfind(std::to_string(i + 1) + "," + id + ",", 0), 0U) << line;
    }

    auto pdf = server_->request("POST", "/api/v1/routes/visit?format=pdf", body.dump());
    ASSERT_TRUE(pdf.has_value());
    ASSERT_EQ(pdf->status, 200) << pdf->body;
    EXPECT_EQ(pdf->header("Content-Type"), "application/pdf");
    ASSERT_EQ(pdf->body.substr(0, 5), "%PDF-");
    const std::string file = server_->dir() + "/kunjungan.pdf";
    std::ofstream(file, std::ios::binary) << pdf->body;
    const auto text = run({"/usr/bin/pdftotext", "-enc", "UTF-8", file, "-"});
    ASSERT_EQ(text.exit_code, 0) << text.output;
    EXPECT_NE(text.output.find("Daftar kunjungan rumah"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find(std::to_string(route["stops"].size()) + " rumah"), std::string::npos)
        << text.output;
    const std::string first_name = route["stops"][0]["person"]["full_name"];
    EXPECT_NE(text.output.find(first_name.substr(0, first_name.find(' '))), std::string::npos)
        << text.output;

    auto bad = server_->request("POST", "/api/v1/routes/visit?format=xlsx", body.dump());
    ASSERT_TRUE(bad.has_value());
    EXPECT_EQ(bad->status, 400);
    EXPECT_EQ(json::parse(bad->body)["errors"][0]["field"], "format");
}

} // namespace
} // namespace kapal::testing
