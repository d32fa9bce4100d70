// GIS users' view of the registry, checked with GDAL's own tools (Debian gdal-bin) against the
// real server and the real export files: ogrinfo on the OGC API – Features endpoint (with an API
// token, as QGIS and GDAL send it), on the exported GeoPackage and GeoJSON, and a round trip
// export → ogr2ogr → the same ids and coordinates as the API.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

/// "Feature Count: N" of the one layer ogrinfo -so described; -1 when absent.
long feature_count(const std::string& ogrinfo_output) {
    const std::string n = text_after(ogrinfo_output, "Feature Count: ", '\n');
    return n.empty() ? -1 : std::stol(n);
}

/// Runs a GDAL tool, with an Authorization header when `token` is given.
RunResult gdal(std::vector<std::string> args, const std::string& token = {}) {
    std::vector<std::string> argv = {"/usr/bin/env"};
    if (!token.empty()) {
        argv.push_back("GDAL_HTTP_HEADERS=Authorization: Bearer " + token);
    }
    // No cached answers between calls with different credentials.
    argv.emplace_back("GDAL_HTTP_USE_CACHE=NO");
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

/// Lines of a CSV that ogr2ogr wrote (no quoted commas in the columns we read).
std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        std::vector<std::string> cells;
        std::istringstream cells_in(line);
        for (std::string cell; std::getline(cells_in, cell, ',');) {
            cells.push_back(cell);
        }
        rows.push_back(cells);
    }
    return rows;
}

class Gis : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = std::make_unique<KapalServer>();
        const auto demo = server_->cli({"demo-data", "--persons", "60", "--seed", "4"});
        ASSERT_EQ(demo.exit_code, 0) << demo.output;
        server_->start();
        server_->wait_for_point_index();
        token_ = new std::string(server_->make_token("admin"));
        // What the API says: every person, by id, with the home's coordinates.
        auto all = server_->request("GET", "/api/v1/persons?limit=1000");
        ASSERT_TRUE(all.has_value());
        ASSERT_EQ(all->status, 200) << all->body;
        homes_ = new std::map<std::string, std::pair<double, double>>();
        kelurahan_ = new std::map<std::string, std::string>();
        const auto page = json::parse(all->body);
        for (const auto& p : page["items"]) {
            const std::string id = p["id"];
            (*kelurahan_)[id] = p["address"]["kelurahan_code"];
            if (!p["home"].is_null()) {
                (*homes_)[id] = {p["home"]["lon"].get<double>(), p["home"]["lat"].get<double>()};
            }
        }
        ASSERT_EQ(kelurahan_->size(), 60U) << all->body.substr(0, 500);
    }

    static void TearDownTestSuite() {
        server_.reset();
        delete token_;
        delete homes_;
        delete kelurahan_;
    }

    static std::string endpoint() {
        return "OAPIF:http://127.0.0.1:" + std::to_string(server_->port()) + "/ogc";
    }

    static std::unique_ptr<KapalServer> server_;
    static std::string* token_;
    static std::map<std::string, std::pair<double, double>>* homes_;
    static std::map<std::string, std::string>* kelurahan_;
};

std::unique_ptr<KapalServer> Gis::server_;
std::string* Gis::token_ = nullptr;
std::map<std::string, std::pair<double, double>>* Gis::homes_ = nullptr;
std::map<std::string, std::string>* Gis::kelurahan_ = nullptr;

TEST_F(Gis, OgrinfoListsTheLayersAndCountsTheirFeaturesOnTheServer) {
    const auto layers = gdal({"ogrinfo", "-ro", endpoint()}, *token_);
    ASSERT_EQ(layers.exit_code, 0) << layers.output;
    EXPECT_NE(layers.output.find("persons (title: Penyandang disabilitas) (Point)"),
              std::string::npos)
        << layers.output;
    EXPECT_NE(layers.output.find("areas (title: Wilayah administrasi) (Multi Polygon)"),
              std::string::npos);
    // No zones or facilities here: GDAL shows a layer's geometry type from its features.
    EXPECT_NE(layers.output.find("hazards (title: Kawasan rawan bencana)"), std::string::npos);
    EXPECT_NE(layers.output.find("facilities (title: Fasilitas layanan)"), std::string::npos)
        << layers.output;

    const auto persons = gdal({"ogrinfo", "-ro", "-so", endpoint(), "persons"}, *token_);
    ASSERT_EQ(persons.exit_code, 0) << persons.output;
    EXPECT_EQ(feature_count(persons.output), static_cast<long>(homes_->size())) << persons.output;
    EXPECT_NE(persons.output.find("nik: String"), std::string::npos);

    // Areas are open: no token needed.
    const auto areas = gdal({"ogrinfo", "-ro", "-so", endpoint(), "areas"});
    ASSERT_EQ(areas.exit_code, 0) << areas.output;
    EXPECT_EQ(feature_count(areas.output), 19);
}

TEST_F(Gis, OgrinfoReadsEveryPersonPageByPageMaskedAndScopedToTheCallersArea) {
    // A viewer of one kelurahan: GDAL follows the next links through every page.
    const std::string kel = kelurahan_->begin()->second;
    server_->add_user("lurah_gis", "viewer", {kel});
    const std::string token = server_->make_token("lurah_gis");
    long expected = 0;
    for (const auto& [id, code] : *kelurahan_) {
        expected += (code == kel && homes_->count(id) == 1) ? 1 : 0;
    }
    ASSERT_GT(expected, 0);
    const auto read = gdal({"ogrinfo", "-ro", "-oo", "PAGE_SIZE=3", endpoint(), "persons"}, token);
    ASSERT_EQ(read.exit_code, 0) << read.output;
    std::istringstream lines(read.output);
    long features = 0;
    long masked = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("OGRFeature(persons)", 0) == 0) {
            ++features;
        }
        if (line.find("  kelurahan_code (String) = ") == 0) {
            EXPECT_EQ(line.substr(line.find("= ") + 2), kel);
        }
        if (line.find("  nik (String) = ") == 0) {
            masked += line.find("**********") != std::string::npos ? 1 : 0;
        }
    }
    EXPECT_EQ(features, expected) << read.output.substr(0, 2000);
    EXPECT_EQ(masked, expected) << "every NIK masked";

    // Without a token the persons layer is refused.
    const auto anonymous = gdal({"ogrinfo", "-ro", "-so", endpoint(), "persons"});
    EXPECT_NE(anonymous.output.find("401"), std::string::npos) << anonymous.output;
    EXPECT_LE(feature_count(anonymous.output), 0) << "no person reaches an anonymous client";
    EXPECT_EQ(anonymous.output.find("OGRFeature"), std::string::npos);
}

TEST_F(Gis, ExportedGeoPackageAndGeoJsonOpenInOgrinfoAndRoundTripIdsAndCoordinates) {
    TempDir tmp;
    for (const std::string format : {"gpkg", "geojson"}) {
        const std::string file = tmp.path() + "/persons." + format;
        const auto exported =
            server_->cli({"export", "persons", "--format", format, "--out", file});
        ASSERT_EQ(exported.exit_code, 0) << exported.output;
        const auto info = gdal({"ogrinfo", "-ro", "-so", "-al", file});
        ASSERT_EQ(info.exit_code, 0) << info.output;
        EXPECT_NE(info.output.find("Layer name: persons"), std::string::npos) << format;
        EXPECT_NE(info.output.find("Geometry: Point"), std::string::npos) << format;
        EXPECT_EQ(feature_count(info.output), 60) << format;

        // Round trip: GDAL writes the points out as X, Y columns beside the id.
        const std::string csv = tmp.path() + "/back-" + format + ".csv";
        const auto back = gdal({"ogr2ogr",
                                "-f",
                                "CSV",
                                csv,
                                file,
                                "-lco",
                                "GEOMETRY=AS_XY",
                                "-select",
                                "id",
                                "-nln",
                                "back"});
        ASSERT_EQ(back.exit_code, 0) << back.output;
        const auto rows = csv_rows(file_bytes(csv));
        ASSERT_EQ(rows.size(), 61U) << format;
        ASSERT_EQ(rows[0], (std::vector<std::string>{"X", "Y", "id"})) << format;
        std::size_t located = 0;
        for (std::size_t i = 1; i < rows.size(); ++i) {
            ASSERT_EQ(rows[i].size(), 3U) << format << " row " << i;
            const std::string& id = rows[i][2];
            ASSERT_EQ(kelurahan_->count(id), 1U) << format << ": unknown id " << id;
            const auto home = homes_->find(id);
            if (home == homes_->end()) {
                EXPECT_TRUE(rows[i][0].empty()) << id;
                continue;
            }
            ++located;
            // ogr2ogr prints 15 significant digits: within 1e-9 degrees (0.1 mm).
            EXPECT_NEAR(std::stod(rows[i][0]), home->second.first, 1e-9) << format << " " << id;
            EXPECT_NEAR(std::stod(rows[i][1]), home->second.second, 1e-9) << format << " " << id;
        }
        EXPECT_EQ(located, homes_->size()) << format;
    }
}

TEST_F(Gis, ExportedAreasOpenInOgrinfoInEveryFormat) {
    TempDir tmp;
    for (const std::string format : {"gpkg", "geojson", "csv"}) {
        const std::string file = tmp.path() + "/areas." + format;
        const auto exported = server_->cli({"export", "areas", "--format", format, "--out", file});
        ASSERT_EQ(exported.exit_code, 0) << exported.output;
        const auto info = gdal({"ogrinfo", "-ro", "-so", "-al", file});
        ASSERT_EQ(info.exit_code, 0) << info.output;
        EXPECT_EQ(feature_count(info.output), 19) << format << info.output;
        // GDAL reads the CSV's WKT column as the geometry (of no declared type).
        EXPECT_NE(
            info.output.find(format == "csv" ? "Geometry: Unknown" : "Geometry: Multi Polygon"),
            std::string::npos)
            << format << info.output;
        EXPECT_NE(info.output.find("Extent: (117.388333, 0.021447) - (117.564930, 0.206062)"),
                  std::string::npos)
            << format << info.output;
    }
}

TEST_F(Gis, DownloadsOverTheApiAreScopedMaskedAndOpenInOgrinfo) {
    const std::string kel = kelurahan_->begin()->second;
    server_->add_user("lurah_unduh", "viewer", {kel});
    const std::string token = server_->make_token("lurah_unduh");
    long expected = 0;
    for (const auto& [id, code] : *kelurahan_) {
        expected += code == kel ? 1 : 0;
    }
    TempDir tmp;
    for (const std::string format : {"gpkg", "geojson"}) {
        auto res = server_->send(
            "GET", "/api/v1/exports/persons?format=" + format, "", {}, Credentials{token, "", ""});
        ASSERT_TRUE(res.has_value());
        ASSERT_EQ(res->status, 200) << res->body.substr(0, 500);
        EXPECT_NE(res->header("Content-Disposition").find("persons." + format), std::string::npos);
        const std::string file = tmp.path() + "/unduh." + format;
        std::ofstream(file, std::ios::binary) << res->body;
        const auto info = gdal({"ogrinfo", "-ro", "-al", file});
        ASSERT_EQ(info.exit_code, 0) << info.output;
        EXPECT_EQ(feature_count(info.output), expected) << format;
        std::istringstream lines(info.output);
        for (std::string line; std::getline(lines, line);) {
            if (line.find("  kelurahan_code (String) = ") == 0) {
                EXPECT_EQ(line.substr(line.find("= ") + 2), kel) << format;
            }
            if (line.find("  nik (String) = ") == 0) {
                EXPECT_NE(line.find("**********"), std::string::npos) << format << ": " << line;
            }
        }
    }
    auto anonymous = server_->send("GET", "/api/v1/exports/persons", "", {}, Credentials{});
    EXPECT_EQ(anonymous->status, 401);
    auto bad = server_->request("GET", "/api/v1/exports/persons?format=pdf");
    EXPECT_EQ(bad->status, 400);
    EXPECT_EQ(json::parse(bad->body)["errors"][0]["field"], "format");
    auto areas = server_->send("GET", "/api/v1/exports/areas", "", {}, Credentials{});
    ASSERT_EQ(areas->status, 200);
    EXPECT_EQ(json::parse(areas->body)["features"].size(), 19U);
}

TEST_F(Gis, ABboxAcrossTheAntimeridianIsServed) {
    // 110°E eastwards across the line to 170°W holds Bontang (117.5°E); 170°E to 170°W does not.
    auto wide = server_->request("GET", "/ogc/collections/areas/items?bbox=110,-1,-170,1");
    ASSERT_TRUE(wide.has_value());
    ASSERT_EQ(wide->status, 200) << wide->body;
    EXPECT_EQ(json::parse(wide->body)["numberMatched"], 19);
    auto persons = server_->request("GET", "/ogc/collections/persons/items?bbox=110,-1,-170,1");
    ASSERT_TRUE(persons.has_value());
    ASSERT_EQ(persons->status, 200) << persons->body;
    EXPECT_EQ(json::parse(persons->body)["numberMatched"].get<std::size_t>(), homes_->size());
    auto narrow = server_->request("GET", "/ogc/collections/persons/items?bbox=170,-1,-170,1");
    ASSERT_TRUE(narrow.has_value());
    ASSERT_EQ(narrow->status, 200) << narrow->body;
    EXPECT_EQ(json::parse(narrow->body)["numberMatched"], 0);
}

TEST_F(Gis, BadParametersAnswerProblemsNamingTheParameter) {
    for (const std::string query : {"limit=0", "offset=x", "bbox=1,2,3", "f=html", "sort=name"}) {
        auto res = server_->request("GET", "/ogc/collections/persons/items?" + query);
        ASSERT_TRUE(res.has_value());
        EXPECT_EQ(res->status, 400) << query;
        EXPECT_EQ(res->header("Content-Type"), "application/problem+json") << query;
        const auto body = json::parse(res->body);
        const std::string name = query.substr(0, query.find('='));
        ASSERT_FALSE(body["errors"].empty()) << query;
        EXPECT_EQ(body["errors"][0]["field"], name) << query;
    }
}

} // namespace
} // namespace kapal::testing
