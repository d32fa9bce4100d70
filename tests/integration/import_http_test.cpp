// Importing persons over HTTP against the real server (SQLite, and PostgreSQL as pg.*): the
// template, a dry run that writes nothing, the import, the same file again changing nothing,
// the rejects file, rows outside an operator's area refused, and bad uploads named.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

// Two good rows of Lok Tuan (Bontang Utara) and one whose date does not exist.
const std::string kCsv = "NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n"
                         "6474011503850001,Ahmad Impor,L,15/03/1985,Lok Tuan,fisik\n"
                         "6474014703850002,Siti Impor,P,07/03/1985,Lok Tuan,\"netra, rungu\"\n"
                         "6474013102900001,Tanggal Salah,L,31/02/1990,Lok Tuan,fisik\n";

class ImportHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = std::make_unique<KapalServer>();
        operator_password_ = server_->add_user("op.utara", "operator", {"64.74.01"});
        server_->start();
    }

    static void TearDownTestSuite() { server_.reset(); }

    static std::optional<HttpResponse>
    upload(const std::string& query, const std::string& body, Headers headers = {}) {
        return server_->request("POST", "/api/v1/imports/persons?" + query, body, headers);
    }

    /// How many persons the admin finds by name.
    static std::size_t count_named(const std::string& q) {
        auto res = server_->request("GET", "/api/v1/persons?q=" + q);
        EXPECT_TRUE(res && res->status == 200);
        return res ? json::parse(res->body)["items"].size() : 0;
    }

    static std::unique_ptr<KapalServer> server_;
    static std::string operator_password_;
};

std::unique_ptr<KapalServer> ImportHttp::server_;
std::string ImportHttp::operator_password_;

TEST_F(ImportHttp, TheTemplateDownloadsAsCsvAndAsXlsx) {
    auto csv = server_->request("GET", "/api/v1/imports/template?format=csv");
    ASSERT_TRUE(csv.has_value());
    ASSERT_EQ(csv->status, 200) << csv->body;
    EXPECT_NE(csv->header("Content-Disposition").find("template-penyandang-disabilitas.csv"),
              std::string::npos);
    EXPECT_NE(csv->body.find("NIK"), std::string::npos);
    EXPECT_NE(csv->body.find("Nama Lengkap"), std::string::npos);
    auto xlsx = server_->request("GET", "/api/v1/imports/template");
    ASSERT_TRUE(xlsx.has_value());
    ASSERT_EQ(xlsx->status, 200);
    EXPECT_EQ(xlsx->body.substr(0, 2), "PK") << "an XLSX is a zip";
    EXPECT_NE(xlsx->header("Content-Type").find("spreadsheetml"), std::string::npos);
    auto bad = server_->request("GET", "/api/v1/imports/template?format=pdf");
    ASSERT_TRUE(bad.has_value());
    EXPECT_EQ(bad->status, 400);
    EXPECT_EQ(json::parse(bad->body)["errors"][0]["field"], "format");
}

TEST_F(ImportHttp, TheXlsxTemplateUploadsBackAsASpreadsheetWithNoRows) {
    auto xlsx = server_->request("GET", "/api/v1/imports/template?format=xlsx");
    ASSERT_TRUE(xlsx.has_value());
    ASSERT_EQ(xlsx->status, 200);
    auto res = upload("filename=Template.XLSX&dry_run=true", xlsx->body);
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto report = json::parse(res->body);
    EXPECT_EQ(report["header_row"], 1);
    EXPECT_EQ(report["rows"], 0);
    EXPECT_EQ(report["unknown_columns"], json::array());
    EXPECT_TRUE(report["rejects_csv"].is_null());
}

TEST_F(ImportHttp, ADryRunReportsEveryRowAndWritesNothingThenTheImportWrites) {
    auto dry = upload("filename=data.csv&dry_run=true", kCsv);
    ASSERT_TRUE(dry.has_value());
    ASSERT_EQ(dry->status, 200) << dry->body;
    const auto report = json::parse(dry->body);
    EXPECT_EQ(report["dry_run"], true);
    EXPECT_EQ(report["header_row"], 1);
    EXPECT_EQ(report["rows"], 3);
    EXPECT_EQ(report["created"], 2);
    EXPECT_EQ(report["rejected"], 1);
    ASSERT_EQ(report["rejects"].size(), 1U);
    EXPECT_EQ(report["rejects"][0]["row"], 4);
    const auto& issue = report["rejects"][0]["errors"][0];
    EXPECT_EQ(issue["field"], "Tanggal Lahir");
    EXPECT_EQ(issue["code"], "person.birth_date_invalid");
    EXPECT_EQ(issue["level"], "error");
    // The rejects file: the row as it came, then its line and the reasons.
    const std::string rejects = report["rejects_csv"];
    EXPECT_NE(rejects.find("Baris"), std::string::npos);
    EXPECT_NE(rejects.find("Alasan"), std::string::npos);
    EXPECT_NE(rejects.find("Tanggal Salah"), std::string::npos);
    EXPECT_EQ(rejects.find("Ahmad Impor"), std::string::npos);
    EXPECT_EQ(count_named("Impor"), 0U) << "a dry run writes nothing";

    auto real = upload("filename=data.csv", kCsv);
    ASSERT_TRUE(real.has_value());
    ASSERT_EQ(real->status, 200) << real->body;
    EXPECT_EQ(json::parse(real->body)["dry_run"], false);
    EXPECT_EQ(json::parse(real->body)["created"], 2);
    EXPECT_EQ(count_named("Impor"), 2U);

    // The same file again changes nothing.
    auto again = upload("filename=data.csv", kCsv);
    ASSERT_TRUE(again.has_value());
    const auto second = json::parse(again->body);
    EXPECT_EQ(second["created"], 0);
    EXPECT_EQ(second["unchanged"], 2);
    EXPECT_EQ(count_named("Impor"), 2U);
}

TEST_F(ImportHttp, AnOperatorImportsOnlyIntoTheirAreaAndEachOtherRowIsRefused) {
    const auto who = server_->login("op.utara", operator_password_);
    const std::string csv = "NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n"
                            "6474010101900003,Utara Operator,L,01/01/1990,Lok Tuan,fisik\n"
                            "6474020202900004,Selatan Operator,L,02/02/1990,64.74.02.1001,fisik\n";
    auto res = server_->send(
        "POST", "/api/v1/imports/persons?filename=op.csv", csv, {{"Accept-Language", "en"}}, who);
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto report = json::parse(res->body);
    EXPECT_EQ(report["created"], 1);
    EXPECT_EQ(report["rejected"], 1);
    EXPECT_EQ(report["rejects"][0]["row"], 3);
    const auto& issue = report["rejects"][0]["errors"][0];
    EXPECT_EQ(issue["field"], "Kelurahan");
    EXPECT_EQ(issue["code"], "forbidden");
    EXPECT_EQ(issue["message"], "Access denied: 64.74.02.1001") << "in the caller's language";
    EXPECT_EQ(count_named("Utara%20Operator"), 1U);
    EXPECT_EQ(count_named("Selatan%20Operator"), 0U);
}

TEST_F(ImportHttp, BadUploadsAreRefusedNamingWhatIsWrong) {
    auto no_name = upload("dry_run=true", kCsv);
    ASSERT_TRUE(no_name.has_value());
    EXPECT_EQ(no_name->status, 400);
    EXPECT_EQ(json::parse(no_name->body)["errors"][0]["field"], "filename");

    auto pdf = upload("filename=data.pdf", kCsv);
    ASSERT_TRUE(pdf.has_value());
    EXPECT_EQ(pdf->status, 400);
    EXPECT_EQ(json::parse(pdf->body)["errors"][0]["field"], "filename");

    auto empty = upload("filename=data.csv", "");
    ASSERT_TRUE(empty.has_value());
    EXPECT_EQ(empty->status, 400);
    EXPECT_EQ(json::parse(empty->body)["errors"][0]["field"], "body");

    // A header without the required columns: the missing ones are named.
    auto columns = upload("filename=data.csv", "NIK,Nama Lengkap,Alamat\n1,2,3\n");
    ASSERT_TRUE(columns.has_value());
    EXPECT_EQ(columns->status, 422) << columns->body;
    const auto problem = json::parse(columns->body);
    EXPECT_EQ(problem["code"], "import.column_missing");
    std::set<std::string> missing;
    for (const auto& e : problem["errors"]) {
        missing.insert(e["field"].get<std::string>());
    }
    EXPECT_EQ(missing.count("Jenis Kelamin (L/P)"), 1U) << columns->body;

    // Not a spreadsheet at all, named .xlsx: a clear error, and the server lives on.
    auto junk = upload("filename=data.xlsx", "this is not a zip file");
    ASSERT_TRUE(junk.has_value());
    EXPECT_EQ(junk->status / 100, 4) << junk->body;
    EXPECT_EQ(junk->body.find("/tmp/"), std::string::npos) << "never our temporary path";
    auto health = server_->request("GET", "/healthz");
    ASSERT_TRUE(health.has_value());
    EXPECT_EQ(health->status, 200);
}

// The DTKS layout over HTTP: readers download it (CSV or XLSX) with NIK and KK masked and only
// their areas; other roles and bad parameters are refused naming the parameter; a file in the
// layout uploads as an import.
TEST_F(ImportHttp, TheDtksLayoutDownloadsMaskedWithinTheCallersAreasAndUploadsBack) {
    const std::string csv = "NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n"
                            "6474012507800001,Utara Dtks,L,25/07/1980,Guntung,\"rungu, wicara\"\n"
                            "6474026508800002,Selatan Dtks,P,25/08/1980,Tanjung Laut,intelektual\n";
    auto made = upload("filename=dtks-seed.csv", csv);
    ASSERT_TRUE(made.has_value());
    ASSERT_EQ(made->status, 200) << made->body;
    ASSERT_EQ(json::parse(made->body)["created"], 2) << made->body;

    const auto who = server_->login("op.utara", operator_password_);
    auto mine = server_->send("GET", "/api/v1/exports/persons?layout=dtks", "", {}, who);
    ASSERT_TRUE(mine.has_value());
    ASSERT_EQ(mine->status, 200) << mine->body;
    EXPECT_NE(mine->header("Content-Disposition").find("persons-dtks.csv"), std::string::npos);
    EXPECT_NE(mine->header("Content-Type").find("text/csv"), std::string::npos);
    std::string body = mine->body;
    if (body.rfind("\xEF\xBB\xBF", 0) == 0) {
        body.erase(0, 3);
    }
    EXPECT_EQ(body.substr(0, body.find('\n')),
              "ID DTKS,NIK,No KK,Nama,Tempat Lahir,Tanggal Lahir,Jenis Kelamin,Nama Ibu Kandung,"
              "Hubungan Keluarga,Status Perkawinan,Alamat,RT,RW,Provinsi,Kabupaten/Kota,Kecamatan,"
              "Kode Desa/Kelurahan,Desa/Kelurahan,Jenis Disabilitas (Kode DTKS),Keterangan Jenis "
              "Disabilitas,Ragam Disabilitas (UU 8/2016),Status,Tanggal Status\r");
    EXPECT_NE(body.find("Utara Dtks"), std::string::npos);
    EXPECT_NE(body.find(",5,Tuna rungu dan wicara,"), std::string::npos) << body;
    EXPECT_EQ(body.find("Selatan Dtks"), std::string::npos) << "outside the operator's area";
    EXPECT_EQ(body.find("6474012507800001"), std::string::npos) << "NIK in clear";
    EXPECT_NE(body.find("6474**********01"), std::string::npos);

    auto xlsx = server_->request("GET", "/api/v1/exports/persons?layout=dtks&format=xlsx");
    ASSERT_TRUE(xlsx.has_value());
    ASSERT_EQ(xlsx->status, 200) << xlsx->body;
    EXPECT_EQ(xlsx->body.substr(0, 2), "PK");
    EXPECT_NE(xlsx->header("Content-Type").find("spreadsheetml"), std::string::npos);
    EXPECT_NE(xlsx->header("Content-Disposition").find("persons-dtks.xlsx"), std::string::npos);

    for (const std::string query :
         {"layout=dtks&format=geojson", "layout=dtks&format=gpkg", "layout=siks"}) {
        auto bad = server_->request("GET", "/api/v1/exports/persons?" + query);
        ASSERT_TRUE(bad.has_value());
        EXPECT_EQ(bad->status, 400) << query;
        EXPECT_EQ(bad->header("Content-Type"), "application/problem+json") << query;
        EXPECT_EQ(json::parse(bad->body)["errors"][0]["field"], "layout") << query;
    }
    auto areas = server_->request("GET", "/api/v1/exports/areas?layout=dtks");
    ASSERT_TRUE(areas.has_value());
    EXPECT_EQ(areas->status, 400) << "areas have no layout";
    EXPECT_EQ(json::parse(areas->body)["errors"][0]["field"], "layout");

    auto anonymous =
        server_->send("GET", "/api/v1/exports/persons?layout=dtks", "", {}, Credentials{});
    EXPECT_EQ(anonymous->status, 401);
    const auto penyalur_password = server_->add_user("penyalur.dtks", "penyalur");
    const auto penyalur = server_->login("penyalur.dtks", penyalur_password);
    auto refused = server_->send("GET", "/api/v1/exports/persons?layout=dtks", "", {}, penyalur);
    EXPECT_EQ(refused->status, 403);

    // A file in the layout (NIKs in clear, as `kapal export persons --layout dtks --with-nik`
    // writes it) uploads as an import; a bad code is named with its row and column.
    const std::string dtks =
        "ID DTKS,NIK,No KK,Nama,Tanggal Lahir,Jenis Kelamin,Kode Desa/Kelurahan,"
        "Jenis Disabilitas (Kode DTKS)\n"
        "DT-1,6474012507800011,,Unggah Dtks,25/07/1980,LAKI-LAKI,64.74.01.1004,1\n"
        "DT-2,6474012507800012,,Salah Kode,25/07/1980,LAKI-LAKI,64.74.01.1004,14\n";
    auto dry = upload("filename=dtks.csv&dry_run=true", dtks);
    ASSERT_TRUE(dry.has_value());
    ASSERT_EQ(dry->status, 200) << dry->body;
    const auto report = json::parse(dry->body);
    EXPECT_EQ(report["created"], 1) << dry->body;
    ASSERT_EQ(report["rejects"].size(), 1U) << dry->body;
    EXPECT_EQ(report["rejects"][0]["row"], 3);
    EXPECT_EQ(report["rejects"][0]["errors"][0]["field"], "Jenis Disabilitas (Kode DTKS)");
    EXPECT_EQ(report["rejects"][0]["errors"][0]["code"], "person.category_invalid");
}

} // namespace
} // namespace kapal::testing
