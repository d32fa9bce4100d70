// The map layers over HTTP: clusters, area counts and the anonymous public map, against the
// real server, its in-memory point index and the person list as the reference.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <set>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

class MapApi : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = std::make_unique<KapalServer>();
        const auto demo = server_->cli({"demo-data", "--persons", "90", "--seed", "11"});
        ASSERT_EQ(demo.exit_code, 0) << demo.output;
        server_->start();
        server_->wait_for_point_index();
        const auto all = get("/api/v1/persons?limit=1000");
        persons_ = all["items"];
        ASSERT_EQ(persons_.size(), 90U);
    }

    static void TearDownTestSuite() { server_.reset(); }

    static json send(const std::string& target, const Credentials& who, int expected_status) {
        auto res = server_->send("GET", target, "", {}, who);
        EXPECT_TRUE(res.has_value());
        if (!res) {
            return {};
        }
        EXPECT_EQ(res->status, expected_status) << target << ": " << res->body;
        return json::parse(res->body, nullptr, false);
    }

    static json get(const std::string& target, int expected_status = 200) {
        return send(target, server_->admin(), expected_status);
    }

    /// The cell of a point at `zoom`, as docs/api.md defines it.
    static std::pair<long, long> cell(double lon, double lat, int zoom) {
        const double s = std::ldexp(1.0, zoom + 2) / 360.0;
        return {static_cast<long>(std::floor((lon + 180.0) * s)),
                static_cast<long>(std::floor((lat + 90.0) * s))};
    }

    static std::unique_ptr<KapalServer> server_;
    static json persons_;
};

std::unique_ptr<KapalServer> MapApi::server_;
json MapApi::persons_;

const char* kCity = "bbox=117.30,0.00,117.65,0.30";

TEST_F(MapApi, ClustersAtEveryZoomCountEachPersonWithAHomeOnceInItsCell) {
    for (int zoom : {10, 12, 13, 14, 15}) {
        const auto answer =
            get(std::string("/api/v1/map/clusters?") + kCity + "&zoom=" + std::to_string(zoom));
        std::map<std::pair<long, long>, int> want;
        std::map<std::string, int> categories;
        for (const auto& p : persons_) {
            if (p.contains("home") && !p["home"].is_null()) {
                ++want[cell(p["home"]["lon"], p["home"]["lat"], zoom)];
                for (const auto& c : p["categories"]) {
                    ++categories[c.get<std::string>()];
                }
            }
        }
        std::map<std::pair<long, long>, int> got;
        std::map<std::string, int> got_categories;
        int total = 0;
        for (const auto& c : answer["clusters"]) {
            const double lon = c["lon"];
            const double lat = c["lat"];
            const auto& b = c["bbox"];
            EXPECT_GE(lon, b[0].get<double>() - 1e-6);
            EXPECT_LE(lon, b[2].get<double>() + 1e-6);
            EXPECT_GE(lat, b[1].get<double>() - 1e-6);
            EXPECT_LE(lat, b[3].get<double>() + 1e-6);
            const double mid_lon = (b[0].get<double>() + b[2].get<double>()) / 2;
            const double mid_lat = (b[1].get<double>() + b[3].get<double>()) / 2;
            got[cell(mid_lon, mid_lat, zoom)] += c["count"].get<int>();
            total += c["count"].get<int>();
            for (const auto& [name, n] : c["categories"].items()) {
                got_categories[name] += n.get<int>();
            }
            // Masked like the list: a cluster carries counts, at most an id, never a person.
            for (const auto& [key, value] : c.items()) {
                EXPECT_TRUE(key == "lon" || key == "lat" || key == "count" || key == "categories" ||
                            key == "bbox" || key == "id")
                    << key;
            }
        }
        EXPECT_EQ(got, want) << "zoom " << zoom;
        EXPECT_EQ(got_categories, categories) << "zoom " << zoom;
        EXPECT_EQ(answer["total"].get<int>(), total);
        EXPECT_EQ(answer["zoom"].get<int>(), zoom);
    }
}

TEST_F(MapApi, AClusterOfOneAtHighZoomCarriesTheIdAndFiltersApply) {
    const json* located = nullptr;
    for (const auto& p : persons_) {
        if (p.contains("home") && !p["home"].is_null()) {
            located = &p;
            break;
        }
    }
    ASSERT_NE(located, nullptr);
    const double lon = (*located)["home"]["lon"];
    const double lat = (*located)["home"]["lat"];
    char box[160];
    std::snprintf(box,
                  sizeof box,
                  "bbox=%.7f,%.7f,%.7f,%.7f",
                  lon - 1e-5,
                  lat - 1e-5,
                  lon + 1e-5,
                  lat + 1e-5);
    const auto near = get(std::string("/api/v1/map/clusters?") + box + "&zoom=22");
    ASSERT_EQ(near["clusters"].size(), 1U) << near.dump();
    EXPECT_EQ(near["clusters"][0]["count"], 1);
    EXPECT_EQ(near["clusters"][0]["id"], (*located)["id"]);
    EXPECT_NEAR(near["clusters"][0]["lon"].get<double>(), lon, 1e-6);
    // The same view at zoom 14 (the pyramid) never names anyone.
    const auto coarse = get(std::string("/api/v1/map/clusters?") + box + "&zoom=14");
    for (const auto& c : coarse["clusters"]) {
        EXPECT_FALSE(c.contains("id"));
    }
    // Filters: the whole city by category and by status, against the list.
    const std::string category = (*located)["categories"][0];
    const std::string status = (*located)["status"];
    int want_category = 0;
    int want_status = 0;
    for (const auto& p : persons_) {
        if (p.contains("home") && !p["home"].is_null()) {
            const auto& cats = p["categories"];
            want_category += std::find(cats.begin(), cats.end(), category) != cats.end() ? 1 : 0;
            want_status += p["status"] == status ? 1 : 0;
        }
    }
    EXPECT_EQ(get(std::string("/api/v1/map/clusters?") + kCity +
                  "&zoom=12&category=" + category)["total"],
              want_category);
    EXPECT_EQ(
        get(std::string("/api/v1/map/clusters?") + kCity + "&zoom=15&status=" + status)["total"],
        want_status);
}

TEST_F(MapApi, AViewerOfOneKelurahanSeesOnlyItsPersonsAndItsArea) {
    const std::string kelurahan = persons_[0]["address"]["kelurahan_code"];
    int in_kelurahan = 0;
    int located_in_kelurahan = 0;
    for (const auto& p : persons_) {
        if (p["address"]["kelurahan_code"] == kelurahan) {
            ++in_kelurahan;
            located_in_kelurahan += p.contains("home") && !p["home"].is_null() ? 1 : 0;
        }
    }
    server_->add_user("lurah_map", "viewer", {kelurahan});
    const Credentials viewer{server_->make_token("lurah_map"), "", ""};
    for (int zoom : {12, 15}) {
        const auto answer =
            send(std::string("/api/v1/map/clusters?") + kCity + "&zoom=" + std::to_string(zoom),
                 viewer,
                 200);
        EXPECT_EQ(answer["total"].get<int>(), located_in_kelurahan) << zoom;
        for (const auto& c : answer["clusters"]) {
            if (c.contains("id")) {
                const auto person =
                    send("/api/v1/persons/" + c["id"].get<std::string>(), viewer, 200);
                EXPECT_EQ(person["address"]["kelurahan_code"], kelurahan);
            }
        }
    }
    const auto areas = send("/api/v1/areas", viewer, 200);
    ASSERT_EQ(areas["features"].size(), 1U) << "areas outside the scope are left out";
    EXPECT_EQ(areas["features"][0]["properties"]["code"], kelurahan);
    EXPECT_EQ(areas["features"][0]["properties"]["total"].get<int>(), in_kelurahan);
    EXPECT_TRUE(send("/api/v1/areas?level=kecamatan", viewer, 200)["features"].empty());
}

TEST_F(MapApi, AreaCountsMatchTheListAtEveryLevel) {
    const auto kelurahan = get("/api/v1/areas");
    EXPECT_EQ(kelurahan["type"], "FeatureCollection");
    EXPECT_EQ(kelurahan["features"].size(), 15U);
    std::map<std::string, int> total;
    std::map<std::string, int> aktif_fisik;
    for (const auto& p : persons_) {
        const std::string code = p["address"]["kelurahan_code"];
        for (const std::string& area : {code, code.substr(0, 8), code.substr(0, 5)}) {
            ++total[area];
            const auto& cats = p["categories"];
            if (p["status"] == "aktif" &&
                std::find(cats.begin(), cats.end(), "fisik") != cats.end()) {
                ++aktif_fisik[area];
            }
        }
    }
    int sum = 0;
    for (const auto& f : kelurahan["features"]) {
        const auto& props = f["properties"];
        EXPECT_EQ(props["total"].get<int>(), total[props["code"]]) << props["code"];
        EXPECT_EQ(props["level"], "kelurahan");
        EXPECT_EQ(f["geometry"]["type"], "MultiPolygon");
        int statuses = 0;
        for (const auto& [name, n] : props["statuses"].items()) {
            statuses += n.get<int>();
        }
        EXPECT_EQ(statuses, props["total"].get<int>());
        sum += props["total"].get<int>();
    }
    EXPECT_EQ(sum, 90);
    const auto kota = get("/api/v1/areas?level=kota&status=aktif&category=fisik");
    ASSERT_EQ(kota["features"].size(), 1U);
    const auto& props = kota["features"][0]["properties"];
    EXPECT_EQ(props["code"], "64.74");
    EXPECT_EQ(props["total"].get<int>(), aktif_fisik["64.74"]);
    ASSERT_TRUE(props["population"].is_number());
    EXPECT_NEAR(props["per_1000"]["total"].get<double>(),
                aktif_fisik["64.74"] * 1000.0 / props["population"].get<double>(),
                0.01);
    const auto kecamatan = get("/api/v1/areas?level=kecamatan&status=aktif&category=fisik");
    ASSERT_EQ(kecamatan["features"].size(), 3U);
    for (const auto& f : kecamatan["features"]) {
        EXPECT_EQ(f["properties"]["total"].get<int>(), aktif_fisik[f["properties"]["code"]]);
    }
}

TEST_F(MapApi, ThePublicMapIsAnonymousAndHidesSmallCellsWithoutLeaks) {
    // Map routes other than the public one need a signed-in user.
    send(std::string("/api/v1/map/clusters?") + kCity + "&zoom=12", Credentials{}, 401);
    send("/api/v1/areas", Credentials{}, 401);

    std::map<std::string, long> aktif;
    for (const auto& p : persons_) {
        if (p["status"] == "aktif") {
            const std::string code = p["address"]["kelurahan_code"];
            ++aktif[code];
            ++aktif[code.substr(0, 8)];
            ++aktif[code.substr(0, 5)];
        }
    }
    std::map<std::string, json> shown; // code → count or null
    std::map<std::string, std::string> parent;
    for (const std::string level : {"kelurahan", "kecamatan", "kota"}) {
        const auto page = send("/api/v1/public/areas?level=" + level, Credentials{}, 200);
        for (const auto& f : page["features"]) {
            const auto& props = f["properties"];
            for (const auto& [key, value] : props.items()) {
                EXPECT_TRUE(key == "code" || key == "name" || key == "level" || key == "parent" ||
                            key == "population" || key == "count" || key == "suppressed")
                    << "the public map carries only counts per area, not " << key;
            }
            const std::string code = props["code"];
            shown[code] = props["count"];
            parent[code] = props["parent"].is_null() ? "" : props["parent"].get<std::string>();
            const long n = aktif[code];
            EXPECT_EQ(props["suppressed"].get<bool>(), props["count"].is_null());
            if (n >= 1 && n <= 4) {
                EXPECT_TRUE(props["count"].is_null()) << code << " has " << n;
            }
            if (!props["count"].is_null()) {
                EXPECT_EQ(props["count"].get<long>(), n) << code;
            }
        }
    }
    ASSERT_EQ(shown.size(), 15U + 3U + 1U);
    // No sum gives a hidden cell back: under each shown total, either nothing is hidden or at
    // least two parts are; and a hidden total with every part shown would be their sum.
    for (const auto& [code, count] : shown) {
        int hidden_parts = 0;
        int parts = 0;
        for (const auto& [child, p] : parent) {
            if (p == code) {
                ++parts;
                hidden_parts += shown[child].is_null() ? 1 : 0;
            }
        }
        if (parts == 0) {
            continue;
        }
        if (!count.is_null()) {
            EXPECT_NE(hidden_parts, 1) << code;
        } else {
            EXPECT_GE(hidden_parts, 1) << code;
        }
    }
}

TEST_F(MapApi, BadParametersAreNamed) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/api/v1/map/clusters?zoom=12", "bbox"},
        {"/api/v1/map/clusters?bbox=117.4,0.1,117.5&zoom=12", "bbox"},
        {"/api/v1/map/clusters?bbox=117.4,0.1,117.5,0.2,1&zoom=12", "bbox"},
        {"/api/v1/map/clusters?bbox=117.4,0.3,117.5,0.2&zoom=12", "bbox"},
        {"/api/v1/map/clusters?bbox=117.4,0.1,190,0.2&zoom=12", "bbox"},
        {"/api/v1/map/clusters?bbox=117.4,nan,117.5,0.2&zoom=12", "bbox"},
        {"/api/v1/map/clusters?bbox=117.4,0.1,117.5,0.2", "zoom"},
        {"/api/v1/map/clusters?bbox=117.4,0.1,117.5,0.2&zoom=23", "zoom"},
        {"/api/v1/map/clusters?bbox=117.4,0.1,117.5,0.2&zoom=1.5", "zoom"},
        {"/api/v1/map/clusters?bbox=117.4,0.1,117.5,0.2&zoom=-1", "zoom"},
        {"/api/v1/map/clusters?bbox=117.4,0.1,117.5,0.2&zoom=12&category=x", "category"},
        {"/api/v1/map/clusters?bbox=117.4,0.1,117.5,0.2&zoom=12&severity=x", "severity"},
        {"/api/v1/map/clusters?bbox=117.4,0.1,117.5,0.2&zoom=12&status=x", "status"},
        {"/api/v1/map/clusters?bbox=100,-10,130,10&zoom=18", "bbox"},
        {"/api/v1/areas?level=desa", "level"},
        {"/api/v1/areas?severity=amat", "severity"},
    };
    for (const auto& [target, field] : cases) {
        const auto problem = get(target, 422);
        ASSERT_TRUE(problem.contains("errors")) << target << ": " << problem.dump();
        EXPECT_EQ(problem["errors"][0]["field"], field) << target;
        EXPECT_EQ(problem["code"], "validation_failed") << target;
    }
    const auto anonymous = send("/api/v1/public/areas?level=rt", Credentials{}, 422);
    EXPECT_EQ(anonymous["errors"][0]["field"], "level");
    // Across the antimeridian is a valid view (empty here).
    EXPECT_TRUE(get("/api/v1/map/clusters?bbox=179.5,-1,-179.5,1&zoom=8")["clusters"].empty());
}

TEST_F(MapApi, TheOpenApiDocumentDescribesTheMapRoutes) {
    const auto doc = get("/api/v1/openapi.json");
    for (const char* path : {"/api/v1/map/clusters", "/api/v1/areas", "/api/v1/public/areas"}) {
        EXPECT_TRUE(doc["paths"].contains(path)) << path;
    }
    EXPECT_TRUE(doc["paths"]["/api/v1/public/areas"]["get"]["security"].empty())
        << "the public map is open";
}

} // namespace
} // namespace kapal::testing
