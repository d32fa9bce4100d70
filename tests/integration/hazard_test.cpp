// Hazard zones against the real server and the real program: a hazard map uploaded over HTTP
// (and imported by the CLI), the zones as GeoJSON, and the evacuation list of a zone as JSON,
// CSV and PDF — checked against a brute-force count of the persons inside, per role and area.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

// A rectangle over the middle of Bontang: part of several kelurahan of two kecamatan.
constexpr double kWest = 117.455;
constexpr double kEast = 117.505;
constexpr double kSouth = 0.10;
constexpr double kNorth = 0.16;

std::string zone_geojson(const std::string& properties) {
    char ring[256];
    std::snprintf(ring,
                  sizeof ring,
                  "[[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f]]",
                  kWest,
                  kSouth,
                  kEast,
                  kSouth,
                  kEast,
                  kNorth,
                  kWest,
                  kNorth,
                  kWest,
                  kSouth);
    return R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":)" +
           properties + R"(,"geometry":{"type":"Polygon","coordinates":[)" + ring + "]}}]}";
}

class Hazards : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = std::make_unique<KapalServer>();
        const auto demo = server_->cli({"demo-data", "--persons", "80", "--seed", "21"});
        ASSERT_EQ(demo.exit_code, 0) << demo.output;
        server_->start();
        server_->wait_for_point_index();
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

    /// Ids of active persons whose home is inside the rectangle (its edges included), of the
    /// kelurahan starting with `prefix`.
    static std::set<std::string> expected_inside(const std::string& prefix = "") {
        std::set<std::string> out;
        for (const auto& [id, p] : all_persons()) {
            if (p["status"] != "aktif" || !p.contains("home") || p["home"].is_null()) {
                continue;
            }
            const double lon = p["home"]["lon"];
            const double lat = p["home"]["lat"];
            const std::string code = p["address"]["kelurahan_code"];
            if (lon >= kWest && lon <= kEast && lat >= kSouth && lat <= kNorth &&
                code.rfind(prefix, 0) == 0) {
                out.insert(id);
            }
        }
        return out;
    }

    static std::string upload() {
        auto res = server_->send(
            "POST",
            "/api/v1/hazards?filename=rawan_banjir.geojson&hazard=banjir&level=sedang",
            zone_geojson(R"({"NAMA":"Rawan banjir tengah kota","TINGKAT":"Tinggi"})"),
            {},
            server_->admin());
        EXPECT_TRUE(res.has_value());
        EXPECT_EQ(res->status, 201) << res->body;
        const auto body = json::parse(res->body);
        EXPECT_EQ(body["imported"].size(), 1U) << res->body;
        EXPECT_EQ(body["layer"], "rawan_banjir") << "the upload's name, not a temporary file's";
        EXPECT_EQ(body["imported"][0]["source"],
                  "rawan_banjir.geojson, layer rawan_banjir, feature 1");
        return body["imported"][0]["id"].get<std::string>();
    }

    static std::unique_ptr<KapalServer> server_;
};

std::unique_ptr<KapalServer> Hazards::server_;

TEST_F(Hazards, UploadedZoneListsEveryActivePersonInsideGroupedByRt) {
    const std::string id = upload();
    auto zones = server_->request("GET", "/api/v1/hazards");
    ASSERT_TRUE(zones.has_value());
    ASSERT_EQ(zones->status, 200) << zones->body;
    EXPECT_NE(zones->header("Content-Type").find("application/geo+json"), std::string::npos);
    const auto collection = json::parse(zones->body);
    ASSERT_EQ(collection["type"], "FeatureCollection");
    bool found = false;
    for (const auto& f : collection["features"]) {
        if (f["id"] == id) {
            found = true;
            EXPECT_EQ(f["properties"]["hazard"], "banjir");
            EXPECT_EQ(f["properties"]["level"], "tinggi") << "the feature's own level wins";
            EXPECT_EQ(f["geometry"]["type"], "MultiPolygon");
        }
    }
    EXPECT_TRUE(found) << zones->body;
    // The same zone in the OGC API layer that QGIS reads.
    auto ogc = server_->request("GET", "/ogc/collections/hazards/items/" + id);
    ASSERT_TRUE(ogc.has_value());
    ASSERT_EQ(ogc->status, 200) << ogc->body;
    const auto feature = json::parse(ogc->body);
    EXPECT_EQ(feature["properties"]["hazard"], "banjir");
    EXPECT_EQ(feature["geometry"]["type"], "MultiPolygon");

    const auto expected = expected_inside();
    ASSERT_GE(expected.size(), 5U) << "the rectangle should hold some demo homes";
    auto res = server_->request("GET", "/api/v1/hazards/" + id + "/evacuation");
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto list = json::parse(res->body);
    EXPECT_EQ(list["persons"].get<std::size_t>(), expected.size());
    EXPECT_FALSE(list["truncated"].get<bool>());
    std::set<std::string> got;
    int order = 0;
    for (const auto& g : list["groups"]) {
        for (const auto& s : g["stops"]) {
            EXPECT_EQ(s["order"].get<int>(), ++order);
            EXPECT_EQ(s["person"]["address"]["rt"], g["rt"]);
            EXPECT_FALSE(s["person"].contains("nik")) << "masked as every list";
            EXPECT_TRUE(s["needs"].contains("mobility"));
            got.insert(s["person"]["id"].get<std::string>());
        }
    }
    EXPECT_EQ(got, expected);

    // CSV and PDF.
    auto csv = server_->request("GET", "/api/v1/hazards/" + id + "/evacuation?format=csv");
    ASSERT_TRUE(csv.has_value());
    ASSERT_EQ(csv->status, 200);
    EXPECT_NE(csv->header("Content-Type").find("text/csv"), std::string::npos);
    EXPECT_NE(csv->body.find("urutan,kelurahan,rw,rt,id,nama"), std::string::npos);
    std::size_t lines = 0;
    for (const char c : csv->body) {
        lines += c == '\n' ? 1 : 0;
    }
    EXPECT_EQ(lines, expected.size() + 1);
    auto pdf = server_->request(
        "GET", "/api/v1/hazards/" + id + "/evacuation?format=pdf&start=117.46,0.155");
    ASSERT_TRUE(pdf.has_value());
    ASSERT_EQ(pdf->status, 200);
    EXPECT_EQ(pdf->header("Content-Type"), "application/pdf");
    EXPECT_EQ(pdf->body.substr(0, 5), "%PDF-");
}

TEST_F(Hazards, AViewerSeesOnlyTheirAreaAndMayNotUpload) {
    const std::string id = upload();
    const std::string kecamatan = "64.74.01";
    server_->add_user("pengamat", "viewer", {kecamatan});
    Credentials viewer;
    viewer.bearer = server_->make_token("pengamat");
    auto res = server_->send("GET", "/api/v1/hazards/" + id + "/evacuation", "", {}, viewer);
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto list = json::parse(res->body);
    EXPECT_EQ(list["persons"].get<std::size_t>(), expected_inside(kecamatan + ".").size());
    for (const auto& g : list["groups"]) {
        EXPECT_EQ(g["kelurahan_code"].get<std::string>().rfind(kecamatan + ".", 0), 0U);
    }
    auto upload_try = server_->send("POST",
                                    "/api/v1/hazards?filename=z.geojson&hazard=banjir&level=tinggi",
                                    zone_geojson("{}"),
                                    {},
                                    viewer);
    ASSERT_TRUE(upload_try.has_value());
    EXPECT_EQ(upload_try->status, 403);
}

TEST_F(Hazards, BadUploadsAndParametersAreProblemsNamingWhatIsWrong) {
    const auto problem_fields = [](const HttpResponse& res) {
        std::set<std::string> out;
        const auto j = json::parse(res.body, nullptr, false);
        if (j.is_object() && j.contains("errors")) {
            for (const auto& e : j["errors"]) {
                out.insert(e.value("field", ""));
            }
        }
        return out;
    };
    auto res = server_->request("POST", "/api/v1/hazards?hazard=banjir", zone_geojson("{}"));
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 400) << res->body;
    EXPECT_TRUE(problem_fields(*res).count("filename")) << res->body;

    res = server_->request(
        "POST", "/api/v1/hazards?filename=../../etc/passwd&level=tinggi", zone_geojson("{}"));
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 400) << res->body;

    res = server_->request("POST",
                           "/api/v1/hazards?filename=z.geojson&hazard=banjir&level=tinggi",
                           "this is not a map");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status / 100, 4) << res->body;
    EXPECT_NE(res->body.find("z.geojson"), std::string::npos) << "names the upload: " << res->body;
    EXPECT_EQ(res->body.find("/tmp/"), std::string::npos) << "not our temporary file";

    // A zone without a kind: nothing imported, the feature named.
    res = server_->request(
        "POST", "/api/v1/hazards?filename=z.geojson&level=tinggi", zone_geojson("{}"));
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 422) << res->body;
    EXPECT_NE(res->body.find("feature 1: no hazard kind"), std::string::npos) << res->body;

    res =
        server_->request("GET", "/api/v1/hazards/01900000-0000-7000-8000-000000000999/evacuation");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 404) << res->body;
    const std::string id = upload();
    res = server_->request("GET", "/api/v1/hazards/" + id + "/evacuation?format=docx&start=1");
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 400);
    const auto fields = problem_fields(*res);
    EXPECT_TRUE(fields.count("format") && fields.count("start")) << res->body;
}

TEST_F(Hazards, TheCommandLineImportsListsAndPrintsTheEvacuationList) {
    const std::string file = server_->dir() + "/rawan_rob.geojson";
    std::ofstream(file) << zone_geojson(R"({"NAMA":"Rob pesisir"})");
    auto imported =
        server_->cli({"hazard", "import", file, "--hazard", "rob", "--level", "tinggi"});
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    EXPECT_NE(imported.output.find("rob  tinggi  Rob pesisir"), std::string::npos)
        << imported.output;
    const std::string id = imported.output.substr(0, 36);
    auto zones = server_->cli({"hazard", "zones"});
    ASSERT_EQ(zones.exit_code, 0) << zones.output;
    EXPECT_NE(zones.output.find(id), std::string::npos);

    const std::string pdf = server_->dir() + "/evakuasi.pdf";
    auto printed = server_->cli({"hazard", "list", id, "--format", "pdf", "--out", pdf});
    ASSERT_EQ(printed.exit_code, 0) << printed.output;
    std::ifstream in(pdf, std::ios::binary);
    std::string head(5, '\0');
    in.read(head.data(), 5);
    EXPECT_EQ(head, "%PDF-");
    auto csv = server_->cli({"hazard", "list", id, "--format", "csv"});
    ASSERT_EQ(csv.exit_code, 0) << csv.output;
    EXPECT_NE(csv.output.find(std::to_string(expected_inside().size()) + " person(s)"),
              std::string::npos)
        << csv.output;
    auto no_out = server_->cli({"hazard", "list", id, "--format", "pdf"});
    EXPECT_NE(no_out.exit_code, 0);
    EXPECT_NE(no_out.output.find("--out"), std::string::npos) << no_out.output;
}

} // namespace
} // namespace kapal::testing
