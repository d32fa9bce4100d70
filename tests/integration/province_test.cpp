// The province package (docs/province.md) across real instances: two city data directories
// (each with its own field keys, card key, package signing key and reference key) and a
// province instance, all driven through the `kapal` command line.
//
// The shipped reference data holds only Bontang's kelurahan, so the second city is the same
// program enrolled as Kota Samarinda (64.72): what is tested is the keys, the signatures and the
// matching, which do not depend on the areas.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

std::string slurp(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

unsigned mode_of(const std::string& file) {
    struct stat st {};

    EXPECT_EQ(::stat(file.c_str(), &st), 0) << file;
    return st.st_mode & 0777U;
}

/// The current year as a period: persons registered now are registered at its end.
std::string this_year() {
    const auto today = std::chrono::year_month_day(
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
    return std::to_string(static_cast<int>(today.year()));
}

const std::string kShared = "6474011503850001"; // registered in both cities

class Province : public ::testing::Test {
  protected:
    void SetUp() override {
        prov_ = prov_dir_.path() + "/prov";
        const auto init = run({kapal_binary(), "init", "--province", "--data", prov_});
        ASSERT_EQ(init.exit_code, 0) << init.output;
        EXPECT_NE(init.output.find("Province instance"), std::string::npos) << init.output;

        import(a_,
               "NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n" + kShared +
                   ",Ahmad Bontang,L,15/03/1985,Lok Tuan,fisik\n"
                   "6474014703850002,Siti Bontang,P,07/03/1985,Lok Tuan,netra\n"
                   "6474010101900003,Budi Bontang,L,01/01/1990,Lok Tuan,fisik\n");
        import(b_,
               "NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n" + kShared +
                   ",Ahmad Samarinda,L,15/03/1985,Api Api,fisik\n"
                   "6474015505800004,Wati Samarinda,P,15/05/1980,Api Api,rungu\n");
        key_a_ = join(a_, "64.74");
        key_b_ = join(b_, "64.72");
    }

    void import(KapalServer& city, const std::string& csv) {
        const auto file = files_.path() + "/in.csv";
        std::ofstream(file) << csv;
        const auto r = city.cli({"import", "persons", file});
        ASSERT_EQ(r.exit_code, 0) << r.output;
        EXPECT_NE(r.output.find("0 ditolak"), std::string::npos) << r.output;
    }

    /// issue-key at the province, join at the city; returns the public key the join printed.
    std::string join(KapalServer& city, const std::string& kota) {
        const auto key_file = files_.path() + "/key-" + kota;
        const auto issued = province({"issue-key", "--kota", kota, "--out", key_file});
        EXPECT_EQ(issued.exit_code, 0) << issued.output;
        EXPECT_EQ(mode_of(key_file), 0600U);
        const auto joined = city.cli({"province", "join", "--key", key_file});
        EXPECT_EQ(joined.exit_code, 0) << joined.output;
        EXPECT_EQ(mode_of(city.dir() + "/keys/province-match.key"), 0600U);
        EXPECT_EQ(mode_of(city.dir() + "/keys/package-sign.key"), 0600U);
        EXPECT_EQ(mode_of(city.dir() + "/keys/package-ref.key"), 0600U);
        auto out = joined.output;
        while (!out.empty() && out.back() == '\n') {
            out.pop_back();
        }
        return out.substr(out.rfind('\n') + 1);
    }

    RunResult province(std::vector<std::string> args) {
        args.insert(args.begin(), {kapal_binary(), "province"});
        args.emplace_back("--data");
        args.push_back(prov_);
        return run(args);
    }

    std::string package(KapalServer& city, const std::string& name) {
        const auto file = files_.path() + "/" + name;
        const auto r = city.cli({"province", "package", "--period", this_year(), "--out", file});
        EXPECT_EQ(r.exit_code, 0) << r.output;
        EXPECT_EQ(mode_of(file), 0600U);
        return file;
    }

    TempDir prov_dir_;
    TempDir files_;
    std::string prov_;
    KapalServer a_;
    KapalServer b_;
    std::string key_a_;
    std::string key_b_;
};

TEST_F(Province, FindsThePersonRegisteredInTwoCitiesAndEachCityMapsItToItsOwnRecord) {
    ASSERT_EQ(province({"enrol", "--kota", "64.74", "--public-key", key_a_}).exit_code, 0);
    ASSERT_EQ(province({"enrol", "--kota", "64.72", "--public-key", key_b_}).exit_code, 0);
    const auto pa = package(a_, "a.json");
    const auto pb = package(b_, "b.json");

    // No NIK and no name leave the city; the two cities' keys are their own.
    for (const auto& file : {pa, pb}) {
        const auto text = slurp(file);
        EXPECT_EQ(text.find(kShared), std::string::npos);
        EXPECT_EQ(text.find("Ahmad"), std::string::npos);
    }
    EXPECT_NE(slurp(a_.dir() + "/keys/index.key"), slurp(b_.dir() + "/keys/index.key"));
    EXPECT_NE(key_a_, key_b_);

    const auto ia = province({"import", pa});
    ASSERT_EQ(ia.exit_code, 0) << ia.output;
    const auto ib = province({"import", pb});
    ASSERT_EQ(ib.exit_code, 0) << ib.output;

    const auto cross = province({"cross-registered"});
    ASSERT_EQ(cross.exit_code, 0) << cross.output;
    EXPECT_NE(cross.output.find("1 persons registered in more than one kab/kota"),
              std::string::npos)
        << cross.output;
    EXPECT_NE(cross.output.find("64.72 + 64.74\t1"), std::string::npos) << cross.output;
    EXPECT_EQ(cross.output.find(kShared), std::string::npos);

    const auto summary = province({"summary"});
    ASSERT_EQ(summary.exit_code, 0) << summary.output;
    EXPECT_NE(summary.output.find(this_year() + "\t64.72\t"), std::string::npos) << summary.output;
    EXPECT_NE(summary.output.find(this_year() + "\t64.74\tKota Bontang"), std::string::npos)
        << summary.output;

    for (const auto& [city, kota, own, others] :
         std::vector<std::tuple<KapalServer*, std::string, std::string, std::vector<std::string>>>{
             {&a_, "64.74", "Ahmad Bontang", {"Siti Bontang", "Budi Bontang"}},
             {&b_, "64.72", "Ahmad Samarinda", {"Wati Samarinda"}}}) {
        const auto ret = files_.path() + "/return-" + kota;
        const auto made = province({"returns", "--kota", kota, "--out", ret});
        ASSERT_EQ(made.exit_code, 0) << made.output;
        const auto text = slurp(ret);
        EXPECT_EQ(text.find(kShared), std::string::npos);
        const auto review = city->cli({"province", "review", ret});
        ASSERT_EQ(review.exit_code, 0) << review.output;
        EXPECT_NE(review.output.find("1 persons also registered"), std::string::npos)
            << review.output;
        EXPECT_NE(review.output.find(own), std::string::npos) << review.output;
        for (const auto& name : others) {
            EXPECT_EQ(review.output.find(name), std::string::npos) << review.output;
        }
        const auto other_kota = kota == "64.74" ? "64.72" : "64.74";
        EXPECT_NE(review.output.find(std::string("\t") + other_kota + "\n"), std::string::npos)
            << review.output;
    }

    // A city's return is not the other city's: refused, nothing listed.
    const auto wrong = b_.cli({"province", "review", files_.path() + "/return-64.74"});
    EXPECT_NE(wrong.exit_code, 0);
    EXPECT_NE(wrong.output.find("province.key_mismatch"), std::string::npos) << wrong.output;
    EXPECT_EQ(wrong.output.find("Ahmad"), std::string::npos);

    // The city's admin reads the same return over HTTP.
    a_.start();
    const auto api_review = a_.send(
        "POST", "/api/v1/province/review", slurp(files_.path() + "/return-64.74"), {}, a_.admin());
    ASSERT_TRUE(api_review);
    ASSERT_EQ(api_review->status, 200) << api_review->body;
    const auto items = nlohmann::json::parse(api_review->body)["items"];
    ASSERT_EQ(items.size(), 1U) << api_review->body;
    EXPECT_EQ(items[0]["full_name"], "Ahmad Bontang");
    EXPECT_EQ(items[0]["other_kota"], nlohmann::json::array({"64.72"}));
    const auto not_json = a_.send("POST", "/api/v1/province/review", "[[[", {}, a_.admin());
    ASSERT_TRUE(not_json);
    EXPECT_EQ(not_json->status, 422);
    EXPECT_EQ(nlohmann::json::parse(not_json->body)["code"], "province.package_invalid");

    // A return whose signature fails: refused.
    auto forged = slurp(files_.path() + "/return-64.74");
    const auto sig = forged.find("\"signature\": \"") + 14;
    forged[sig] = forged[sig] == 'A' ? 'B' : 'A';
    std::ofstream(files_.path() + "/forged") << forged;
    const auto refused = a_.cli({"province", "review", files_.path() + "/forged"});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.output.find("province.signature_invalid"), std::string::npos)
        << refused.output;
    const auto forged_api = a_.send("POST", "/api/v1/province/review", forged, {}, a_.admin());
    ASSERT_TRUE(forged_api);
    EXPECT_EQ(forged_api->status, 422);
    EXPECT_EQ(nlohmann::json::parse(forged_api->body)["code"], "province.signature_invalid");
}

TEST_F(Province, RefusesATamperedAReplayedAnOlderAndAnUnenrolledPackage) {
    ASSERT_EQ(province({"enrol", "--kota", "64.74", "--public-key", key_a_}).exit_code, 0);
    // b is not enrolled.
    const auto pb = package(b_, "b.json");
    const auto not_enrolled = province({"import", pb});
    EXPECT_NE(not_enrolled.exit_code, 0);
    EXPECT_NE(not_enrolled.output.find("province.not_enrolled"), std::string::npos)
        << not_enrolled.output;

    // b enrolled under a's key (a mistake at the province): b's signature does not verify.
    ASSERT_EQ(province({"enrol", "--kota", "64.72", "--public-key", key_a_}).exit_code, 0);
    const auto wrong_key = province({"import", pb});
    EXPECT_NE(wrong_key.exit_code, 0);
    EXPECT_NE(wrong_key.output.find("province.signature_invalid"), std::string::npos)
        << wrong_key.output;

    const auto first = package(a_, "a1.json");
    const auto second = package(a_, "a2.json");

    // Tampered: one character of the payload changed.
    auto text = slurp(second);
    const auto at = text.find("\"payload\": \"") + 40;
    text[at] = text[at] == 'A' ? 'B' : 'A';
    const auto tampered = files_.path() + "/tampered.json";
    std::ofstream(tampered) << text;
    const auto t = province({"import", tampered});
    EXPECT_NE(t.exit_code, 0);
    EXPECT_NE(t.output.find("province.signature_invalid"), std::string::npos) << t.output;

    // Not a package at all: a clear error, nothing accepted.
    std::ofstream(files_.path() + "/junk.json") << "{\"format\": 1}";
    const auto junk = province({"import", files_.path() + "/junk.json"});
    EXPECT_NE(junk.exit_code, 0);
    EXPECT_NE(junk.output.find("province.package_invalid"), std::string::npos) << junk.output;

    ASSERT_EQ(province({"import", second}).exit_code, 0);
    const auto again = province({"import", second});
    EXPECT_NE(again.exit_code, 0);
    EXPECT_NE(again.output.find("province.package_replayed"), std::string::npos) << again.output;
    EXPECT_NE(again.output.find("already accepted"), std::string::npos) << again.output;

    const auto older = province({"import", first});
    EXPECT_NE(older.exit_code, 0);
    EXPECT_NE(older.output.find("province.package_replayed"), std::string::npos) << older.output;
    EXPECT_NE(older.output.find("not greater"), std::string::npos) << older.output;

    // A newer package of the same period supersedes: accepted.
    const auto third = package(a_, "a3.json");
    ASSERT_EQ(province({"import", third}).exit_code, 0);
    const auto ledger = province({"packages"});
    ASSERT_EQ(ledger.exit_code, 0) << ledger.output;
    EXPECT_EQ(std::count(ledger.output.begin(), ledger.output.end(), '\n'), 2) << ledger.output;

    // A city cannot import, a province cannot make a package.
    const auto city_import = a_.cli({"province", "import", third});
    EXPECT_NE(city_import.exit_code, 0);
    EXPECT_NE(city_import.output.find("not a province instance"), std::string::npos)
        << city_import.output;
}

TEST_F(Province, TheCityAdminDownloadsThePackageAndTheProvinceShowsTheKabKotaOverHttp) {
    ASSERT_EQ(province({"enrol", "--kota", "64.74", "--public-key", key_a_}).exit_code, 0);
    ASSERT_EQ(province({"enrol", "--kota", "64.72", "--public-key", key_b_}).exit_code, 0);
    a_.start();
    const auto bad = a_.send("GET", "/api/v1/province/package?period=2026-Q5", "", {}, a_.admin());
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400);
    EXPECT_EQ(nlohmann::json::parse(bad->body)["errors"][0]["field"], "period") << bad->body;
    const auto got =
        a_.send("GET", "/api/v1/province/package?period=" + this_year(), "", {}, a_.admin());
    ASSERT_TRUE(got);
    ASSERT_EQ(got->status, 200) << got->body;
    EXPECT_NE(got->header("Content-Disposition").find("attachment"), std::string::npos);
    EXPECT_EQ(got->body.find(kShared), std::string::npos);
    const auto downloaded = files_.path() + "/downloaded.json";
    std::ofstream(downloaded) << got->body;
    const auto ia = province({"import", downloaded});
    ASSERT_EQ(ia.exit_code, 0) << ia.output;
    ASSERT_EQ(province({"import", package(b_, "b.json")}).exit_code, 0);

    // The province instance serves its view.
    const auto token = run(
        {kapal_binary(), "token", "create", "--user", "admin", "--expires", "1d", "--data", prov_});
    ASSERT_EQ(token.exit_code, 0) << token.output;
    const std::string bearer = "Bearer ksg_" + text_after(token.output, "ksg_", '\n');
    Child serve({kapal_binary(), "serve", "--data", prov_, "--listen", "127.0.0.1:0"});
    const auto line = serve.wait_for_line("serving on", std::chrono::seconds(30));
    ASSERT_FALSE(line.empty()) << serve.output();
    const auto port = KapalServer::port_of_url_line(line);
    std::optional<HttpResponse> summary;
    for (int i = 0; i < 50 && !summary; ++i) {
        summary =
            http_request(port, "GET", "/api/v1/province/summary", {{"Authorization", bearer}});
        if (!summary) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    ASSERT_TRUE(summary);
    ASSERT_EQ(summary->status, 200) << summary->body;
    const auto view = nlohmann::json::parse(summary->body);
    EXPECT_EQ(view["periods"], nlohmann::json::array({this_year()}));
    ASSERT_EQ(view["kota"].size(), 10U) << summary->body; // the ten kab/kota of Kalimantan Timur
    int enrolled = 0;
    for (const auto& k : view["kota"]) {
        if (k["enrolled"].get<bool>()) {
            ++enrolled;
            ASSERT_EQ(k["periods"].size(), 1U) << k.dump();
            EXPECT_EQ(k["periods"][0]["counts"]["end"], nullptr) << "fewer than 5: suppressed";
        }
    }
    EXPECT_EQ(enrolled, 2);
    const auto cross =
        http_request(port, "GET", "/api/v1/province/cross-registered", {{"Authorization", bearer}});
    ASSERT_TRUE(cross);
    ASSERT_EQ(cross->status, 200) << cross->body;
    EXPECT_EQ(nlohmann::json::parse(cross->body),
              nlohmann::json::parse(R"({"persons": 1, "groups": [{"kota": ["64.72", "64.74"],
                                   "persons": 1}]})"));
    EXPECT_EQ(cross->body.find(kShared), std::string::npos);
    serve.signal(SIGTERM);
    serve.wait();
}

} // namespace
} // namespace kapal::testing
