// GET /api/v1/persons?sort=… against the real server (SQLite, and PostgreSQL as pg.*): the
// order holds across pages (the cursor continues in it), within the caller's areas, and a bad
// sort is a problem naming the parameter. The orders themselves are checked against brute force
// in the store contract (store_sort_contract.cpp).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

class PersonSortHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = std::make_unique<KapalServer>(Settings{{"requests_per_second_per_address", "0"},
                                                         {"requests_per_second_per_user", "0"}});
        const auto password = server_->add_user("op.utara", "operator", {"64.74.01"});
        server_->start();
        utara_ = server_->login("op.utara", password);
        // Names out of order, in two kecamatan; NIKs of 1 January 1980 + n.
        const std::vector<std::pair<std::string, std::string>> persons = {
            {"Wati", "64.74.01.1003"},
            {"andi", "64.74.02.1001"},
            {"Budi", "64.74.01.1003"},
            {"Citra", "64.74.01.1004"},
            {"Agus", "64.74.01.1003"},
            {"budi", "64.74.02.1001"},
            {"Yusuf", "64.74.01.1004"},
        };
        int n = 0;
        for (const auto& [name, kelurahan] : persons) {
            ++n;
            // NIK: 64 74, the kecamatan, birth date 01 01 (1950 + 6n), serial n.
            const int year = 1950 + 6 * n;
            const std::string serial = "000" + std::to_string(n);
            const std::string nik =
                "6474" + kelurahan.substr(6, 2) + "0101" + std::to_string(year % 100) + serial;
            json body = {{"nik", nik},
                         {"full_name", name},
                         {"sex", "L"},
                         {"birth_date", std::to_string(year) + "-01-01"},
                         {"address", {{"kelurahan_code", kelurahan}}},
                         {"categories", {"fisik"}}};
            auto created = server_->request("POST", "/api/v1/persons", body.dump());
            ASSERT_TRUE(created.has_value());
            if (created->status == 422) {
                // A warning (a name like another's): confirmed, as an operator would.
                json confirmed = json::array();
                for (const auto& e : json::parse(created->body)["errors"]) {
                    confirmed.push_back(e["code"]);
                }
                body["confirmed_warnings"] = confirmed;
                body["warning_reason"] = "orang yang berbeda";
                created = server_->request("POST", "/api/v1/persons", body.dump());
                ASSERT_TRUE(created.has_value());
            }
            ASSERT_EQ(created->status, 201) << created->body;
        }
    }

    static void TearDownTestSuite() { server_.reset(); }

    /// Every name of the list in `sort` order, read `limit` at a time.
    static std::vector<std::string>
    names(const std::string& sort, const Credentials& who, int limit = 2) {
        std::vector<std::string> out;
        std::string cursor;
        for (int pages = 0; pages < 20; ++pages) {
            std::string target = "/api/v1/persons?limit=" + std::to_string(limit) + "&sort=" + sort;
            if (!cursor.empty()) {
                target += "&cursor=" + cursor;
            }
            auto res = server_->send("GET", target, "", {}, who);
            EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
            if (!res || res->status != 200) {
                break;
            }
            const json page = json::parse(res->body);
            for (const auto& p : page["items"]) {
                out.push_back(p["full_name"].get<std::string>());
            }
            if (page["next_cursor"].is_null()) {
                break;
            }
            cursor = page["next_cursor"].get<std::string>();
        }
        return out;
    }

    static std::unique_ptr<KapalServer> server_;
    static Credentials utara_;
};

std::unique_ptr<KapalServer> PersonSortHttp::server_;
Credentials PersonSortHttp::utara_;

TEST_F(PersonSortHttp, TheOrderHoldsAcrossPages) {
    const auto& admin = server_->admin();
    const std::vector<std::string> by_name = {
        "Agus", "andi", "Budi", "budi", "Citra", "Wati", "Yusuf"};
    EXPECT_EQ(names("name", admin), by_name);
    std::vector<std::string> reversed(by_name.rbegin(), by_name.rend());
    EXPECT_EQ(names("-name", admin), reversed);
    // Registration order when absent (sort= empty is refused below; absent is the default).
    auto plain = server_->request("GET", "/api/v1/persons?limit=10");
    ASSERT_TRUE(plain && plain->status == 200);
    EXPECT_EQ(json::parse(plain->body)["items"][0]["full_name"], "Wati");
    // Kelurahan by code, then registration.
    EXPECT_EQ(names("kelurahan", admin, 3),
              (std::vector<std::string>{"Wati", "Budi", "Agus", "Citra", "Yusuf", "andi", "budi"}));
    // Within the caller's areas only.
    EXPECT_EQ(names("-name", utara_),
              (std::vector<std::string>{"Yusuf", "Wati", "Citra", "Budi", "Agus"}));
}

TEST_F(PersonSortHttp, ABadSortIsAProblemNamingIt) {
    for (const char* bad : {"nama", "-", "phone", "name,birth_date"}) {
        auto res = server_->request("GET", std::string("/api/v1/persons?sort=") + bad);
        ASSERT_TRUE(res.has_value());
        EXPECT_EQ(res->status, 422) << bad << ": " << res->body;
        const json body = json::parse(res->body);
        ASSERT_EQ(body["errors"].size(), 1U) << res->body;
        EXPECT_EQ(body["errors"][0]["field"], "sort");
    }
    auto spatial = server_->request("GET", "/api/v1/persons?near=117.5,0.13&k=5&sort=name");
    ASSERT_TRUE(spatial.has_value());
    EXPECT_EQ(spatial->status, 422) << spatial->body;
}

} // namespace
} // namespace kapal::testing
