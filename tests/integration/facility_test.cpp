// Facilities against the real server and the real program: points uploaded over HTTP (and
// imported by the CLI), listed as GeoJSON, and the coverage report checked against a
// brute-force distance over every person the admin sees, per role and area.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

/// Great-circle metres (the same sphere as geo::haversine_m).
double haversine_m(double lon1, double lat1, double lon2, double lat2) {
    constexpr double kRadius = 6371008.8;
    constexpr double kRad = M_PI / 180;
    const double dlat = (lat2 - lat1) * kRad;
    const double dlon = (lon2 - lon1) * kRad;
    const double a =
        std::sin(dlat / 2) * std::sin(dlat / 2) +
        std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * kRadius * std::asin(std::min(1.0, std::sqrt(a)));
}

// Two puskesmas and a posyandu in Bontang, and a polygon that is no facility.
const char* kFacilities = R"({"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"NAMA":"Puskesmas Selatan","JENIS":"Puskesmas"},
   "geometry":{"type":"Point","coordinates":[117.496,0.118]}},
  {"type":"Feature","properties":{"NAMA":"Puskesmas Utara","JENIS":"PKM"},
   "geometry":{"type":"Point","coordinates":[117.47,0.15]}},
  {"type":"Feature","properties":{"NAMA":"Posyandu Melati"},
   "geometry":{"type":"Point","coordinates":[117.48,0.13]}},
  {"type":"Feature","properties":{"NAMA":"Kawasan"},
   "geometry":{"type":"Polygon","coordinates":[[[117.4,0.1],[117.5,0.1],[117.5,0.2],[117.4,0.1]]]}}
]})";

class Facilities : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = std::make_unique<KapalServer>();
        const auto demo = server_->cli({"demo-data", "--persons", "80", "--seed", "23"});
        ASSERT_EQ(demo.exit_code, 0) << demo.output;
        server_->start();
        auto res = server_->send("POST",
                                 "/api/v1/facilities?filename=faskes.geojson&kind=posyandu",
                                 kFacilities,
                                 {},
                                 server_->admin());
        ASSERT_TRUE(res.has_value());
        ASSERT_EQ(res->status, 201) << res->body;
        const auto report = json::parse(res->body);
        ASSERT_EQ(report["imported"].size(), 3U);
        ASSERT_EQ(report["rejected"].size(), 1U);
        EXPECT_EQ(report["rejected"][0]["feature"], 4);
        EXPECT_EQ(report["imported"][1]["properties"]["kind"], "puskesmas") << "PKM is an alias";
        EXPECT_EQ(report["imported"][2]["properties"]["kind"], "posyandu") << "the default";
        EXPECT_EQ(report["imported"][0]["properties"]["source"].get<std::string>().rfind(
                      "faskes.geojson, layer ", 0),
                  0U)
            << "the upload's name, not the temporary file";
    }

    static void TearDownTestSuite() { server_.reset(); }

    /// Every person the admin sees, by id.
    static std::map<std::string, json> all_persons() {
        std::map<std::string, json> out;
        std::string cursor;
        for (;;) {
            auto res = server_->request(
                "GET", "/api/v1/persons?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor));
            EXPECT_TRUE(res && res->status == 200);
            if (!res || res->status != 200) {
                return out;
            }
            const auto page = json::parse(res->body);
            for (const auto& p : page["items"]) {
                out[p["id"].get<std::string>()] = p;
            }
            if (page["next_cursor"].is_null()) {
                return out;
            }
            cursor = page["next_cursor"].get<std::string>();
        }
    }

    /// Active persons with a home of the kelurahan starting with `prefix` farther than `max_m`
    /// from both puskesmas: id -> distance to the nearest.
    static std::map<std::string, double> expected_uncovered(double max_m,
                                                            const std::string& prefix = "") {
        std::map<std::string, double> out;
        for (const auto& [id, p] : all_persons()) {
            if (p["status"] != "aktif" || !p.contains("home") || p["home"].is_null() ||
                p["address"]["kelurahan_code"].get<std::string>().rfind(prefix, 0) != 0) {
                continue;
            }
            const double lon = p["home"]["lon"];
            const double lat = p["home"]["lat"];
            const double d = std::min(haversine_m(lon, lat, 117.496, 0.118),
                                      haversine_m(lon, lat, 117.47, 0.15));
            if (d > max_m) {
                out[id] = d;
            }
        }
        return out;
    }

    static std::unique_ptr<KapalServer> server_;
};

std::unique_ptr<KapalServer> Facilities::server_;

TEST_F(Facilities, TheListIsGeoJsonPointsLocatedInTheirKelurahan) {
    auto res = server_->request("GET", "/api/v1/facilities");
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(res->header("Content-Type"), "application/geo+json");
    const auto fc = json::parse(res->body);
    ASSERT_EQ(fc["features"].size(), 3U);
    std::set<std::string> kinds;
    for (const auto& f : fc["features"]) {
        EXPECT_EQ(f["geometry"]["type"], "Point");
        kinds.insert(f["properties"]["kind"].get<std::string>());
        EXPECT_EQ(f["properties"]["kelurahan_code"].get<std::string>().rfind("64.74.", 0), 0U)
            << f.dump();
    }
    EXPECT_EQ(kinds, (std::set<std::string>{"posyandu", "puskesmas"}));
}

TEST_F(Facilities, CoverageMatchesBruteForceAndIsScopedAndMasked) {
    const double max_m = 1500;
    const auto expected = expected_uncovered(max_m);
    ASSERT_GT(expected.size(), 5U);
    auto res = server_->request("GET", "/api/v1/facilities/coverage?kind=Puskesmas&max_m=1500");
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto report = json::parse(res->body);
    EXPECT_EQ(report["kind"], "puskesmas");
    EXPECT_EQ(report["facilities"], 2);
    ASSERT_EQ(report["uncovered"].size(), expected.size());
    double previous = HUGE_VAL;
    std::size_t counted = 0;
    for (const auto& u : report["uncovered"]) {
        const std::string id = u["person"]["id"];
        ASSERT_EQ(expected.count(id), 1U) << id;
        const double d = u["nearest"]["distance_m"];
        EXPECT_NEAR(d, expected.at(id), 0.1);
        EXPECT_LE(d, previous) << "farthest first";
        previous = d;
        EXPECT_FALSE(u["person"].contains("nik")) << "masked";
        EXPECT_TRUE(u["person"].contains("nik_masked"));
    }
    for (const auto& a : report["areas"]) {
        counted += a["uncovered"].get<std::size_t>();
        EXPECT_LE(a["uncovered"].get<std::size_t>(), a["persons"].get<std::size_t>());
    }
    EXPECT_EQ(counted, expected.size());

    // A viewer of one kecamatan sees only it.
    const std::string kecamatan = "64.74.01";
    server_->add_user("pengamat_faskes", "viewer", {kecamatan});
    Credentials viewer;
    viewer.bearer = server_->make_token("pengamat_faskes");
    auto scoped = server_->send(
        "GET", "/api/v1/facilities/coverage?kind=puskesmas&max_m=1500", "", {}, viewer);
    ASSERT_TRUE(scoped.has_value());
    ASSERT_EQ(scoped->status, 200) << scoped->body;
    const auto mine = json::parse(scoped->body);
    EXPECT_EQ(mine["uncovered"].size(), expected_uncovered(max_m, kecamatan + ".").size());
    for (const auto& a : mine["areas"]) {
        EXPECT_EQ(a["kelurahan_code"].get<std::string>().rfind(kecamatan + ".", 0), 0U);
    }
    auto upload_try = server_->send(
        "POST", "/api/v1/facilities?filename=f.geojson&kind=slb", kFacilities, {}, viewer);
    ASSERT_TRUE(upload_try.has_value());
    EXPECT_EQ(upload_try->status, 403);
}

TEST_F(Facilities, NearestForEveryPersonAndForOnePersonMatchBruteForce) {
    // Every active person with a home, and the nearer of the two puskesmas.
    std::map<std::string, double> expected;
    std::string one;
    for (const auto& [id, p] : all_persons()) {
        if (p["status"] != "aktif" || !p.contains("home") || p["home"].is_null()) {
            continue;
        }
        const double lon = p["home"]["lon"];
        const double lat = p["home"]["lat"];
        expected[id] =
            std::min(haversine_m(lon, lat, 117.496, 0.118), haversine_m(lon, lat, 117.47, 0.15));
        one = id;
    }
    ASSERT_GT(expected.size(), 20U);
    auto res = server_->request("GET", "/api/v1/facilities/nearest?kind=puskesmas");
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto list = json::parse(res->body);
    EXPECT_EQ(list["kind"], "puskesmas");
    ASSERT_EQ(list["items"].size(), expected.size());
    for (const auto& item : list["items"]) {
        const std::string id = item["person"]["id"];
        ASSERT_EQ(expected.count(id), 1U) << id;
        EXPECT_NEAR(item["nearest"]["distance_m"].get<double>(), expected.at(id), 0.1) << id;
        EXPECT_EQ(item["nearest"]["facility"]["properties"]["kind"], "puskesmas");
        EXPECT_FALSE(item["person"].contains("nik")) << "masked";
    }
    auto csv = server_->request("GET", "/api/v1/facilities/nearest?kind=puskesmas&format=csv");
    ASSERT_TRUE(csv.has_value());
    ASSERT_EQ(csv->status, 200);
    EXPECT_EQ(csv->header("Content-Type"), "text/csv; charset=utf-8");
    EXPECT_EQ(std::count(csv->body.begin(), csv->body.end(), '\n'),
              static_cast<long>(expected.size() + 1))
        << "a header and one line per person";

    // One person: the nearest of each kind there is, nearest puskesmas as above.
    auto mine = server_->request("GET", "/api/v1/persons/" + one + "/facilities");
    ASSERT_TRUE(mine.has_value());
    ASSERT_EQ(mine->status, 200) << mine->body;
    const auto nearest = json::parse(mine->body)["nearest"];
    std::set<std::string> kinds;
    for (const auto& n : nearest) {
        kinds.insert(n["kind"].get<std::string>());
        if (n["kind"] == "puskesmas") {
            EXPECT_NEAR(n["distance_m"].get<double>(), expected.at(one), 0.1);
        }
    }
    EXPECT_EQ(kinds.count("puskesmas"), 1U);
    EXPECT_EQ(kinds.count("posyandu"), 1U);

    // Outside the caller's areas a person is absent.
    auto person = json::parse(server_->request("GET", "/api/v1/persons/" + one)->body);
    const std::string kelurahan = person["address"]["kelurahan_code"];
    const std::string other =
        kelurahan.rfind("64.74.01.", 0) == 0 ? "64.74.02.1006" : "64.74.01.1003";
    server_->add_user("lurah_faskes", "viewer", {other});
    Credentials viewer;
    viewer.bearer = server_->make_token("lurah_faskes");
    auto hidden = server_->send("GET", "/api/v1/persons/" + one + "/facilities", "", {}, viewer);
    ASSERT_TRUE(hidden.has_value());
    EXPECT_EQ(hidden->status, 404) << hidden->body;
}

TEST_F(Facilities, TheOgcCollectionServesThePoints) {
    auto res = server_->request("GET", "/ogc/collections/facilities/items?limit=2");
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto page = json::parse(res->body);
    const auto all = json::parse(server_->request("GET", "/api/v1/facilities")->body);
    EXPECT_EQ(page["numberMatched"].get<std::size_t>(), all["features"].size());
    ASSERT_EQ(page["features"].size(), 2U);
    EXPECT_EQ(page["features"][0]["geometry"]["type"], "Point");
    const std::string id = page["features"][0]["id"];
    auto one = server_->request("GET", "/ogc/collections/facilities/items/" + id);
    ASSERT_TRUE(one.has_value());
    EXPECT_EQ(one->status, 200) << one->body;
    auto boxed =
        server_->request("GET", "/ogc/collections/facilities/items?bbox=117.46,0.14,117.48,0.16");
    ASSERT_TRUE(boxed.has_value());
    ASSERT_EQ(boxed->status, 200) << boxed->body;
    const auto in_box = json::parse(boxed->body)["features"];
    ASSERT_GE(in_box.size(), 1U);
    for (const auto& f : in_box) {
        EXPECT_GE(f["geometry"]["coordinates"][0].get<double>(), 117.46);
        EXPECT_LE(f["geometry"]["coordinates"][0].get<double>(), 117.48);
    }
    auto anonymous =
        server_->send("GET", "/ogc/collections/facilities/items", "", {}, Credentials{});
    ASSERT_TRUE(anonymous.has_value());
    EXPECT_EQ(anonymous->status, 401);
}

TEST_F(Facilities, BadParametersAreProblemsNamingTheField) {
    const auto field_of = [](const std::string& target, const std::string& body = "") {
        auto res = body.empty() ? server_->request("GET", target)
                                : server_->send("POST", target, body, {}, server_->admin());
        EXPECT_TRUE(res.has_value());
        if (!res) {
            return std::string();
        }
        EXPECT_GE(res->status, 400) << target;
        EXPECT_LT(res->status, 500) << target;
        EXPECT_EQ(res->header("Content-Type"), "application/problem+json") << target;
        const auto j = json::parse(res->body, nullptr, false);
        if (!j.contains("errors") || j["errors"].empty()) {
            return std::string("(none) ") + res->body;
        }
        return j["errors"][0]["field"].get<std::string>();
    };
    EXPECT_EQ(field_of("/api/v1/facilities/coverage?max_m=100"), "kind");
    EXPECT_EQ(field_of("/api/v1/facilities/coverage?kind=slb"), "max_m");
    EXPECT_EQ(field_of("/api/v1/facilities/coverage?kind=slb&max_m=abc"), "max_m");
    EXPECT_EQ(field_of("/api/v1/facilities/coverage?kind=slb&max_m=-1"), "max_m");
    EXPECT_EQ(field_of("/api/v1/facilities/coverage?kind=slb&max_m=nan"), "max_m");
    EXPECT_EQ(field_of("/api/v1/facilities/coverage?kind=bandara&max_m=100"), "kind");
    EXPECT_EQ(field_of("/api/v1/facilities/coverage?kind=slb&max_m=100&x=1"), "x");
    EXPECT_EQ(field_of("/api/v1/facilities/nearest"), "kind");
    EXPECT_EQ(field_of("/api/v1/facilities/nearest?kind=bandara"), "kind");
    EXPECT_EQ(field_of("/api/v1/facilities/nearest?kind=slb&format=pdf"), "format");
    EXPECT_EQ(field_of("/api/v1/facilities?filename=f.exe", kFacilities), "filename");
    EXPECT_EQ(field_of("/api/v1/facilities?filename=f.geojson&kind=bandara", kFacilities), "kind");
}

TEST_F(Facilities, TheCliImportsListsAndReportsCoverage) {
    const std::string file = server_->dir() + "/slb.csv";
    std::ofstream(file) << "nama,jenis,lon,lat\nSLB Negeri Bontang,SLB,117.47,0.14\n";
    const auto imported = server_->cli({"facility", "import", file});
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    EXPECT_NE(imported.output.find("SLB Negeri Bontang"), std::string::npos);
    const auto listed = server_->cli({"facility", "list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.output;
    EXPECT_NE(listed.output.find("slb"), std::string::npos);
    const auto csv =
        server_->cli({"facility", "coverage", "--kind", "slb", "--max-m", "1", "--format", "csv"});
    ASSERT_EQ(csv.exit_code, 0) << csv.output;
    EXPECT_NE(csv.output.find("fasilitas_terdekat"), std::string::npos);
    EXPECT_NE(csv.output.find("SLB Negeri Bontang"), std::string::npos);
    const auto bad = server_->cli({"facility", "coverage", "--kind", "bandara", "--max-m", "10"});
    EXPECT_NE(bad.exit_code, 0);
    const auto nearest = server_->cli({"facility", "nearest", "--kind", "slb", "--format", "csv"});
    ASSERT_EQ(nearest.exit_code, 0) << nearest.output;
    EXPECT_NE(nearest.output.find("fasilitas_id,fasilitas_jenis,fasilitas_terdekat,jarak_m"),
              std::string::npos);
    EXPECT_NE(nearest.output.find("SLB Negeri Bontang"), std::string::npos);
    const auto neither = server_->cli({"facility", "nearest"});
    EXPECT_NE(neither.exit_code, 0);
    EXPECT_NE(neither.output.find("--kind"), std::string::npos) << neither.output;
}

} // namespace
} // namespace kapal::testing
