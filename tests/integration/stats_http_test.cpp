// GET /api/v1/stats against the real server (SQLite, and PostgreSQL as pg.*): every figure
// checked against a count of the persons the same caller lists, for the admin and for an
// operator of one kecamatan.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

class StatsHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = std::make_unique<KapalServer>();
        const auto demo = server_->cli({"demo-data", "--persons", "150", "--seed", "7"});
        ASSERT_EQ(demo.exit_code, 0) << demo.output;
        operator_password_ = server_->add_user("op.utara", "operator", {"64.74.01"});
        server_->start();
    }

    static void TearDownTestSuite() { server_.reset(); }

    /// Every person `who` may list.
    static std::vector<json> all_persons(const Credentials& who) {
        std::vector<json> out;
        std::string cursor;
        for (;;) {
            auto res = server_->send("GET",
                                     "/api/v1/persons?limit=1000" +
                                         (cursor.empty() ? "" : "&cursor=" + cursor),
                                     "",
                                     {},
                                     who);
            EXPECT_TRUE(res && res->status == 200);
            if (!res || res->status != 200) {
                return out;
            }
            const auto page = json::parse(res->body);
            for (const auto& p : page["items"]) {
                out.push_back(p);
            }
            if (page["next_cursor"].is_null()) {
                return out;
            }
            cursor = page["next_cursor"].get<std::string>();
        }
    }

    /// Today in WITA as year, month, day.
    static std::chrono::year_month_day today_wita() {
        const auto now = std::chrono::system_clock::now() + std::chrono::hours(8);
        return std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)};
    }

    static std::string age_group(const std::string& birth) {
        const auto today = today_wita();
        int age = static_cast<int>(today.year()) - std::stoi(birth.substr(0, 4));
        const unsigned m = static_cast<unsigned>(std::stoi(birth.substr(5, 2)));
        const unsigned d = static_cast<unsigned>(std::stoi(birth.substr(8, 2)));
        const unsigned tm = static_cast<unsigned>(today.month());
        const unsigned td = static_cast<unsigned>(today.day());
        if (tm < m || (tm == m && td < d)) {
            --age;
        }
        return age < 5 ? "balita" : age < 18 ? "anak" : age < 60 ? "dewasa" : "lansia";
    }

    /// The month (WITA) of an ISO UTC instant, "YYYY-MM".
    static std::string month_wita(const std::string& instant) {
        std::tm tm{};
        tm.tm_year = std::stoi(instant.substr(0, 4)) - 1900;
        tm.tm_mon = std::stoi(instant.substr(5, 2)) - 1;
        tm.tm_mday = std::stoi(instant.substr(8, 2));
        tm.tm_hour = std::stoi(instant.substr(11, 2)) + 8;
        const std::time_t t = timegm(&tm);
        std::tm out{};
        gmtime_r(&t, &out);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%04d-%02d", out.tm_year + 1900, out.tm_mon + 1);
        return buf;
    }

    /// Checks every figure of /api/v1/stats as `who` against that caller's persons.
    static void check_against_the_list(const Credentials& who, std::size_t kecamatan_expected) {
        auto res = server_->send("GET", "/api/v1/stats", "", {}, who);
        ASSERT_TRUE(res.has_value());
        ASSERT_EQ(res->status, 200) << res->body;
        const auto stats = json::parse(res->body);
        std::map<std::string, int> categories, sexes, ages, severities, kecamatan;
        std::map<std::string, int> months;
        std::map<std::pair<std::string, std::string>, int> kecamatan_months;
        int total = 0;
        for (const auto& p : all_persons(who)) {
            const std::string month = month_wita(p["created_at"]);
            ++months[month];
            ++kecamatan_months[{p["kecamatan_code"], month}];
            if (p["status"] != "aktif") {
                continue;
            }
            ++total;
            for (const auto& c : p["categories"]) {
                ++categories[c];
            }
            ++sexes[p["sex"]];
            ++ages[age_group(p["birth_date"])];
            ++severities[p["severity"].is_null() ? "tidak_diisi"
                                                 : p["severity"].get<std::string>()];
            ++kecamatan[p["kecamatan_code"]];
        }
        ASSERT_GT(total, 0);
        EXPECT_EQ(stats["status"], "aktif");
        EXPECT_EQ(stats["total"], total);
        for (const auto& [key, n] : stats["categories"].items()) {
            EXPECT_EQ(n, categories[key]) << key;
        }
        for (const auto& [key, n] : stats["sex"].items()) {
            EXPECT_EQ(n, sexes[key]) << key;
        }
        for (const auto& [key, n] : stats["age_groups"].items()) {
            EXPECT_EQ(n, ages[key]) << key;
        }
        for (const auto& [key, n] : stats["severity"].items()) {
            EXPECT_EQ(n, severities[key]) << key;
        }
        ASSERT_EQ(stats["kecamatan"].size(), kecamatan_expected);
        for (const auto& k : stats["kecamatan"]) {
            EXPECT_EQ(k["count"], kecamatan[k["code"]]) << k;
        }
        const auto& monthly = stats["monthly"];
        ASSERT_EQ(monthly["months"].size(), 12U);
        const auto today = today_wita();
        char current[32];
        std::snprintf(current,
                      sizeof current,
                      "%04d-%02u",
                      static_cast<int>(today.year()),
                      static_cast<unsigned>(today.month()));
        EXPECT_EQ(monthly["months"].back(), current);
        for (std::size_t i = 0; i < monthly["months"].size(); ++i) {
            const std::string m = monthly["months"][i];
            EXPECT_EQ(monthly["total"][i], months[m]) << m;
            for (const auto& k : monthly["kecamatan"]) {
                EXPECT_EQ(k["counts"][i], (kecamatan_months[{k["code"], m}])) << k["code"] << m;
            }
        }
    }

    static std::unique_ptr<KapalServer> server_;
    static std::string operator_password_;
};

std::unique_ptr<KapalServer> StatsHttp::server_;
std::string StatsHttp::operator_password_;

TEST_F(StatsHttp, EveryFigureMatchesTheAdminsList) {
    check_against_the_list(server_->admin(), 3);
}

TEST_F(StatsHttp, AnOperatorGetsTheFiguresOfTheirKecamatanOnly) {
    check_against_the_list(server_->login("op.utara", operator_password_), 1);
    const auto who = server_->login("op.utara", operator_password_);
    auto res = server_->send("GET", "/api/v1/stats", "", {}, who);
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(json::parse(res->body)["kecamatan"][0]["code"], "64.74.01");
}

TEST_F(StatsHttp, EveryStatusOnAskingAndBadParametersNamed) {
    auto all = server_->request("GET", "/api/v1/stats?status=semua&months=3");
    ASSERT_TRUE(all.has_value());
    ASSERT_EQ(all->status, 200) << all->body;
    const auto stats = json::parse(all->body);
    EXPECT_TRUE(stats["status"].is_null());
    EXPECT_EQ(stats["total"], all_persons(server_->admin()).size());
    EXPECT_EQ(stats["monthly"]["months"].size(), 3U);
    for (const auto* bad : {"status=hidup", "months=0", "months=37", "months=x", "colour=red"}) {
        auto res = server_->request("GET", std::string("/api/v1/stats?") + bad);
        ASSERT_TRUE(res.has_value());
        EXPECT_EQ(res->status, 400) << bad;
        const std::string name = std::string(bad).substr(0, std::string(bad).find('='));
        EXPECT_EQ(json::parse(res->body)["errors"][0]["field"], name) << res->body;
    }
}

} // namespace
} // namespace kapal::testing
