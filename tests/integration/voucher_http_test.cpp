// The voucher channel over HTTP against the real server (SQLite, and PostgreSQL as pg.*): an
// admin registers e-warong merchants, the assigned merchant scans a beneficiary's card and
// redeems the voucher in parts (Idempotency-Key: a retry never spends twice), and 200
// concurrent redemption attempts spend exactly what the balances allow while the double-entry
// ledger balances.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <thread>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

class VoucherHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        // 200 requests at once from one address and one user: no rate limit in the way.
        server_ = std::make_unique<KapalServer>(Settings{{"requests_per_second_per_address", "0"},
                                                         {"requests_per_second_per_user", "0"}});
        server_->start();
        passwords_ = new std::map<std::string, std::string>{
            {"u.warung", server_->add_user("u.warung", "merchant", {})},
            {"u.warung2", server_->add_user("u.warung2", "merchant", {})},
            {"u.operator", server_->add_user("u.operator", "operator", {"64.74.01"})},
            {"u.auditor", server_->add_user("u.auditor", "auditor", {})},
            {"u.admin2", server_->add_user("u.admin2", "admin")}};
        for (int serial = 1; serial <= 3; ++serial) {
            auto created = server_->request("POST", "/api/v1/persons", person_json(serial));
            ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "");
            persons_.push_back(json::parse(created->body)["id"].get<std::string>());
        }
        merchant_ = register_merchant("E-Warong Sejahtera", "u.warung");
        other_merchant_ = register_merchant("E-Warong Makmur", "u.warung2");
    }

    static void TearDownTestSuite() {
        server_.reset();
        delete passwords_;
        persons_.clear();
    }

    static Credentials login(const std::string& username) {
        return server_->login(username, passwords_->at(username));
    }

    static std::string user_id(const std::string& username) {
        auto users = server_->request("GET", "/api/v1/users");
        EXPECT_TRUE(users && users->status == 200);
        const json page = json::parse(users->body);
        for (const auto& u : page["items"]) {
            if (u["username"] == username) {
                return u["id"];
            }
        }
        ADD_FAILURE() << "no user " << username;
        return "";
    }

    static std::string register_merchant(const std::string& name, const std::string& username) {
        auto made = server_->request("POST",
                                     "/api/v1/aid/merchants",
                                     json{{"name", name},
                                          {"user_id", user_id(username)},
                                          {"kelurahan_code", "64.74.01.1003"},
                                          {"lon", 117.4951},
                                          {"lat", 0.1322},
                                          {"address", "Jl. Bhayangkara"}}
                                         .dump());
        EXPECT_TRUE(made && made->status == 201) << (made ? made->body : "no answer");
        return made && made->status == 201 ? json::parse(made->body)["id"].get<std::string>() : "";
    }

    /// A voucher programme assigned to u.warung with cycle 1, its list approved; the cycle id.
    static std::string voucher_cycle(const std::string& code, std::int64_t unit_value) {
        auto made = server_->request("POST",
                                     "/api/v1/aid/programs",
                                     json{{"code", code},
                                          {"name", "Bantuan pangan " + code},
                                          {"source", "APBN"},
                                          {"kind", "voucher"},
                                          {"channel", "voucher"},
                                          {"unit_value", unit_value},
                                          {"rule", "true"},
                                          {"assignees", {user_id("u.warung")}}}
                                         .dump());
        EXPECT_TRUE(made && made->status == 201) << (made ? made->body : "no answer");
        auto cycle = server_->request("POST",
                                      "/api/v1/aid/programs/" + code + "/cycles",
                                      json{{"number", 1},
                                           {"name", "Tahap I"},
                                           {"starts_on", "2020-01-01"},
                                           {"ends_on", "2099-12-31"}}
                                          .dump());
        EXPECT_TRUE(cycle && cycle->status == 201) << (cycle ? cycle->body : "no answer");
        const std::string id = json::parse(cycle->body)["id"];
        for (const auto& [action, who] :
             std::vector<std::pair<std::string, Credentials>>{{"generate", server_->admin()},
                                                              {"propose", login("u.operator")},
                                                              {"approve", server_->admin()}}) {
            auto current = server_->request("GET", "/api/v1/aid/cycles/" + id);
            auto moved = server_->send("POST",
                                       "/api/v1/aid/cycles/" + id + "/list/" + action,
                                       "",
                                       {{"If-Match", current->header("ETag")}},
                                       who);
            EXPECT_TRUE(moved && moved->status == 200)
                << action << ": " << (moved ? moved->body : "");
        }
        return id;
    }

    /// Every ledger transaction of a cycle, as the auditor reads them.
    static std::vector<json> ledger(const std::string& cycle_id) {
        const auto auditor = login("u.auditor");
        std::vector<json> out;
        std::string after;
        for (;;) {
            auto page =
                server_->send("GET",
                              "/api/v1/aid/cycles/" + cycle_id + "/voucher/ledger?limit=1000" +
                                  (after.empty() ? "" : "&after=" + after),
                              "",
                              {},
                              auditor);
            EXPECT_TRUE(page && page->status == 200) << (page ? page->body : "");
            if (!page || page->status != 200) {
                return out;
            }
            const json body = json::parse(page->body);
            for (const auto& t : body["items"]) {
                out.push_back(t);
            }
            if (!body.contains("next_after")) {
                return out;
            }
            after = body["next_after"];
        }
    }

    static std::unique_ptr<KapalServer> server_;
    static std::map<std::string, std::string>* passwords_;
    static std::vector<std::string> persons_;
    static std::string merchant_;
    static std::string other_merchant_;
};

std::unique_ptr<KapalServer> VoucherHttp::server_;
std::map<std::string, std::string>* VoucherHttp::passwords_ = nullptr;
std::vector<std::string> VoucherHttp::persons_;
std::string VoucherHttp::merchant_;
std::string VoucherHttp::other_merchant_;

TEST_F(VoucherHttp, MerchantsAreRegisteredByAdminsAndShownOnTheMap) {
    auto no_position = server_->request("POST",
                                        "/api/v1/aid/merchants",
                                        json{{"name", "Tanpa lokasi"},
                                             {"user_id", user_id("u.warung")},
                                             {"kelurahan_code", "64.74.01.1003"}}
                                            .dump());
    ASSERT_TRUE(no_position.has_value());
    EXPECT_EQ(no_position->status, 422) << no_position->body;
    EXPECT_NE(no_position->body.find("\"lon\""), std::string::npos) << no_position->body;
    auto not_merchant = server_->request("POST",
                                         "/api/v1/aid/merchants",
                                         json{{"name", "Salah akun"},
                                              {"user_id", user_id("u.operator")},
                                              {"kelurahan_code", "64.74.01.1003"},
                                              {"lon", 117.5},
                                              {"lat", 0.13}}
                                             .dump());
    ASSERT_TRUE(not_merchant.has_value());
    EXPECT_EQ(not_merchant->status, 422) << not_merchant->body;
    EXPECT_NE(not_merchant->body.find("user_id"), std::string::npos);
    auto by_operator = server_->send(
        "POST", "/api/v1/aid/merchants", json{{"name", "x"}}.dump(), {}, login("u.operator"));
    ASSERT_TRUE(by_operator.has_value());
    EXPECT_EQ(by_operator->status, 403);

    auto map =
        server_->send("GET", "/api/v1/aid/merchants?format=geojson", "", {}, login("u.operator"));
    ASSERT_TRUE(map && map->status == 200) << (map ? map->body : "");
    const json features = json::parse(map->body);
    EXPECT_EQ(features["type"], "FeatureCollection");
    ASSERT_EQ(features["features"].size(), 2U);
    EXPECT_EQ(features["features"][0]["geometry"]["coordinates"], json::array({117.4951, 0.1322}));
    auto own = server_->send("GET", "/api/v1/aid/merchants", "", {}, login("u.warung"));
    ASSERT_TRUE(own && own->status == 200);
    ASSERT_EQ(json::parse(own->body)["items"].size(), 1U) << "a merchant sees its own";

    auto got = server_->request("GET", "/api/v1/aid/merchants/" + other_merchant_);
    ASSERT_TRUE(got && got->status == 200);
    json changed = json::parse(got->body);
    auto closed = server_->send("PUT",
                                "/api/v1/aid/merchants/" + other_merchant_,
                                json{{"name", changed["name"]},
                                     {"user_id", changed["user_id"]},
                                     {"kelurahan_code", changed["kelurahan_code"]},
                                     {"lon", changed["lon"]},
                                     {"lat", changed["lat"]},
                                     {"address", "Jl. Baru"},
                                     {"active", true}}
                                    .dump(),
                                {{"If-Match", got->header("ETag")}},
                                server_->admin());
    ASSERT_TRUE(closed && closed->status == 200) << (closed ? closed->body : "");
    EXPECT_EQ(json::parse(closed->body)["version"], 2);
}

TEST_F(VoucherHttp, TheMerchantScansTheCardAndSpendsTheVoucherInPartsOnce) {
    const std::string cycle_id = voucher_cycle("bpnt_e2e", 100000);
    auto card = server_->request("POST", "/api/v1/persons/" + persons_[0] + "/cards", "{}");
    ASSERT_TRUE(card && card->status == 201) << (card ? card->body : "");
    const std::string qr = json::parse(card->body)["qr"];
    const auto warung = login("u.warung");
    const std::string base = "/api/v1/aid/cycles/" + cycle_id + "/voucher";

    auto holder = server_->send("POST", base + "/holder", json{{"qr", qr}}.dump(), {}, warung);
    ASSERT_TRUE(holder && holder->status == 200) << (holder ? holder->body : "");
    const json seen = json::parse(holder->body);
    EXPECT_EQ(seen["person"]["person_id"], persons_[0]);
    EXPECT_EQ(seen["balance"]["balance"], 100000);
    EXPECT_EQ(seen["balance"]["issued"], false);

    const json spend{{"qr", qr}, {"amount", 30000}, {"note", "Beras 5 kg, telur"}};
    auto first = server_->send(
        "POST", base + "/redemptions", spend.dump(), {{"Idempotency-Key", "w-1"}}, warung);
    ASSERT_TRUE(first && first->status == 201) << (first ? first->body : "");
    const json done = json::parse(first->body);
    EXPECT_EQ(done["balance"]["balance"], 70000);
    EXPECT_EQ(done["transaction"]["merchant_id"], merchant_);
    auto retried = server_->send(
        "POST", base + "/redemptions", spend.dump(), {{"Idempotency-Key", "w-1"}}, warung);
    ASSERT_TRUE(retried && retried->status == 200) << (retried ? retried->body : "");
    EXPECT_EQ(json::parse(retried->body)["transaction"]["id"], done["transaction"]["id"]);
    EXPECT_EQ(json::parse(retried->body)["balance"]["balance"], 70000) << "spent once";
    json other_amount = spend;
    other_amount["amount"] = 1000;
    auto reused = server_->send(
        "POST", base + "/redemptions", other_amount.dump(), {{"Idempotency-Key", "w-1"}}, warung);
    ASSERT_TRUE(reused.has_value());
    EXPECT_EQ(reused->status, 409) << reused->body;
    EXPECT_NE(reused->body.find("idempotency_key_reused"), std::string::npos) << reused->body;

    json too_much = spend;
    too_much["amount"] = 70001;
    auto refused = server_->send("POST", base + "/redemptions", too_much.dump(), {}, warung);
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->status, 409) << refused->body;
    EXPECT_NE(refused->body.find("aid.voucher_insufficient"), std::string::npos);
    json fractional = spend;
    fractional["amount"] = 10.5;
    auto not_whole = server_->send("POST", base + "/redemptions", fractional.dump(), {}, warung);
    ASSERT_TRUE(not_whole.has_value());
    EXPECT_EQ(not_whole->status, 422) << not_whole->body;
    EXPECT_NE(not_whole->body.find("amount"), std::string::npos);

    auto unassigned =
        server_->send("POST", base + "/redemptions", spend.dump(), {}, login("u.warung2"));
    ASSERT_TRUE(unassigned.has_value());
    EXPECT_EQ(unassigned->status, 404) << "a merchant not assigned does not see the cycle";
    auto operator_try =
        server_->send("POST", base + "/redemptions", spend.dump(), {}, login("u.operator"));
    ASSERT_TRUE(operator_try.has_value());
    EXPECT_EQ(operator_try->status, 403);

    // Found by name: a reason is required.
    auto search = server_->send("GET", base + "/holders?q=Siti", "", {}, warung);
    ASSERT_TRUE(search && search->status == 200) << (search ? search->body : "");
    const json named = json::parse(search->body)["items"];
    ASSERT_EQ(named.size(), 1U) << search->body;
    EXPECT_EQ(named[0]["person_id"], persons_[0]);
    auto no_reason = server_->send("POST",
                                   base + "/redemptions",
                                   json{{"person_id", persons_[0]}, {"amount", 1000}}.dump(),
                                   {},
                                   warung);
    ASSERT_TRUE(no_reason.has_value());
    EXPECT_EQ(no_reason->status, 422) << no_reason->body;
    auto rest = server_->send("POST",
                              base + "/redemptions",
                              json{{"person_id", persons_[0]},
                                   {"search_reason", "Kartu tertinggal di rumah"},
                                   {"amount", 70000},
                                   {"note", "Minyak goreng"}}
                                  .dump(),
                              {},
                              warung);
    ASSERT_TRUE(rest && rest->status == 201) << (rest ? rest->body : "");
    EXPECT_EQ(json::parse(rest->body)["balance"]["balance"], 0);

    // The voucher is the person's one delivery: no handover in kind on top.
    auto balance =
        server_->send("GET", base + "/balances/" + persons_[0], "", {}, login("u.operator"));
    ASSERT_TRUE(balance && balance->status == 200) << (balance ? balance->body : "");
    EXPECT_EQ(json::parse(balance->body)["spent"], 100000);
    auto realisation = server_->request("GET", "/api/v1/aid/cycles/" + cycle_id + "/realisation");
    ASSERT_TRUE(realisation && realisation->status == 200);
    EXPECT_EQ(json::parse(realisation->body)["total"]["delivered"], 1);

    auto totals = server_->send("GET", base + "/merchant-totals", "", {}, login("u.auditor"));
    ASSERT_TRUE(totals && totals->status == 200) << (totals ? totals->body : "");
    const json owed = json::parse(totals->body);
    EXPECT_EQ(owed["total"]["amount"], 100000);
    EXPECT_EQ(owed["items"][0]["name"], "E-Warong Sejahtera");
    auto own_lines =
        server_->send("GET",
                      "/api/v1/aid/merchants/" + merchant_ + "/transactions?cycle=" + cycle_id,
                      "",
                      {},
                      warung);
    ASSERT_TRUE(own_lines && own_lines->status == 200);
    EXPECT_EQ(json::parse(own_lines->body)["items"].size(), 2U);
    auto ledger_by_operator = server_->send("GET", base + "/ledger", "", {}, login("u.operator"));
    ASSERT_TRUE(ledger_by_operator.has_value());
    EXPECT_EQ(ledger_by_operator->status, 403);
    auto audit = server_->request("GET", "/api/v1/audit?subject=" + persons_[0]);
    ASSERT_TRUE(audit && audit->status == 200);
    EXPECT_NE(audit->body.find("aid.voucher.redeem"), std::string::npos);
}

TEST_F(VoucherHttp, TwoHundredConcurrentRedemptionsSpendExactlyWhatTheBalancesAllow) {
    constexpr std::int64_t kUnit = 100000;
    constexpr std::int64_t kAmount = 7000; // 14 fit in each voucher, 2,000 is left
    const std::string cycle_id = voucher_cycle("bpnt_race", kUnit);
    const auto warung = login("u.warung");
    const std::string target = "/api/v1/aid/cycles/" + cycle_id + "/voucher/redemptions";
    constexpr int kAttempts = 200;
    std::atomic<int> created{0};
    std::atomic<int> refused{0};
    std::atomic<int> other{0};
    std::vector<std::thread> threads;
    threads.reserve(kAttempts);
    for (int i = 0; i < kAttempts; ++i) {
        threads.emplace_back([&, i] {
            const json body{{"person_id", persons_[static_cast<std::size_t>(i) % persons_.size()]},
                            {"search_reason", "uji serentak"},
                            {"amount", kAmount}};
            auto res = server_->send("POST",
                                     target,
                                     body.dump(),
                                     {{"Idempotency-Key", "race-" + std::to_string(i)}},
                                     warung);
            if (res && res->status == 201) {
                ++created;
            } else if (res && res->status == 409 &&
                       res->body.find("aid.voucher_insufficient") != std::string::npos) {
                ++refused;
            } else {
                ++other;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    const int allowed = static_cast<int>(persons_.size() * (kUnit / kAmount));
    EXPECT_EQ(created.load(), allowed);
    EXPECT_EQ(refused.load(), kAttempts - allowed);
    EXPECT_EQ(other.load(), 0);

    // The ledger balances: every transaction sums to zero, each voucher account holds
    // entitled - spent >= 0, and what the merchants are owed is what was spent.
    const auto all = ledger(cycle_id);
    ASSERT_EQ(all.size(), persons_.size() + static_cast<std::size_t>(allowed));
    std::map<std::string, std::int64_t> accounts;
    std::int64_t spent = 0;
    for (const auto& t : all) {
        std::int64_t sum = 0;
        for (const auto& p : t["postings"]) {
            sum += p["amount"].get<std::int64_t>();
            accounts[p["account"].get<std::string>()] += p["amount"].get<std::int64_t>();
        }
        EXPECT_EQ(sum, 0) << t.dump();
        if (t["kind"] == "redeem") {
            spent += t["amount"].get<std::int64_t>();
        }
    }
    EXPECT_EQ(spent, allowed * kAmount);
    EXPECT_EQ(accounts["fund:" + cycle_id], -kUnit * static_cast<std::int64_t>(persons_.size()));
    for (const auto& person : persons_) {
        auto balance = server_->request(
            "GET", "/api/v1/aid/cycles/" + cycle_id + "/voucher/balances/" + person);
        ASSERT_TRUE(balance && balance->status == 200);
        const json b = json::parse(balance->body);
        EXPECT_EQ(b["balance"], kUnit % kAmount);
        EXPECT_EQ(b["balance"].get<std::int64_t>(),
                  b["entitled"].get<std::int64_t>() - b["spent"].get<std::int64_t>());
        EXPECT_EQ(accounts["voucher:" + cycle_id + ":" + person], kUnit % kAmount);
    }
    auto totals =
        server_->request("GET", "/api/v1/aid/cycles/" + cycle_id + "/voucher/merchant-totals");
    ASSERT_TRUE(totals && totals->status == 200);
    const json owed = json::parse(totals->body);
    EXPECT_EQ(owed["total"]["amount"], spent);
    EXPECT_EQ(owed["total"]["transactions"], allowed);
    EXPECT_EQ(accounts["merchant:" + merchant_], spent);
}

} // namespace
} // namespace kapal::testing
