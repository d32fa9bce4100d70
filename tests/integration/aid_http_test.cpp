// Social assistance over HTTP against the real server (SQLite, and PostgreSQL as pg.*): an
// admin sets up a programme and a cycle, the rule is previewed and the list generated, the list
// goes through maker-checker approval, and the penyalur hands the aid over by scanning the card
// — once: retries with the same Idempotency-Key replay, and 200 concurrent attempts deliver
// exactly once per beneficiary.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

class AidHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        // 200 requests at once from one address and one user: no rate limit in the way.
        server_ = std::make_unique<KapalServer>(Settings{{"requests_per_second_per_address", "0"},
                                                         {"requests_per_second_per_user", "0"}});
        server_->start();
        passwords_ = new std::map<std::string, std::string>{
            {"u.penyalur", server_->add_user("u.penyalur", "penyalur", {"64.74"})},
            {"u.operator", server_->add_user("u.operator", "operator", {"64.74.01"})},
            {"u.admin2", server_->add_user("u.admin2", "admin")}};
        for (int serial = 1; serial <= 6; ++serial) {
            auto created = server_->request("POST", "/api/v1/persons", person_json(serial));
            ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "");
            persons_.push_back(json::parse(created->body)["id"].get<std::string>());
        }
    }

    static void TearDownTestSuite() {
        server_.reset();
        delete passwords_;
        persons_.clear();
    }

    static Credentials login(const std::string& username) {
        return server_->login(username, passwords_->at(username));
    }

    /// The id of an account, from GET /api/v1/users.
    static std::string user_id(const std::string& username) {
        auto users = server_->request("GET", "/api/v1/users");
        EXPECT_TRUE(users && users->status == 200);
        // The parsed document must outlive the loop (a temporary's member would dangle).
        const json page = json::parse(users->body);
        for (const auto& u : page["items"]) {
            if (u["username"] == username) {
                return u["id"];
            }
        }
        ADD_FAILURE() << "no user " << username;
        return "";
    }

    /// Creates a programme (channel langsung) and its cycle 1, and returns the cycle.
    static json programme_with_cycle(const std::string& code, const std::string& rule) {
        auto made = server_->request("POST",
                                     "/api/v1/aid/programs",
                                     json{{"code", code},
                                          {"name", "Bantuan alat bantu " + code},
                                          {"source", "APBD"},
                                          {"kind", "alat_bantu"},
                                          {"channel", "langsung"},
                                          {"unit_value", 250000},
                                          {"rule", rule},
                                          {"assignees", {user_id("u.penyalur")}}}
                                         .dump());
        EXPECT_TRUE(made && made->status == 201) << (made ? made->body : "no answer");
        auto cycle = server_->request("POST",
                                      "/api/v1/aid/programs/" + code + "/cycles",
                                      json{{"number", 1},
                                           {"name", "Tahap I"},
                                           {"starts_on", "2020-01-01"},
                                           {"ends_on", "2099-12-31"},
                                           {"site", {{"lon", 117.4987}, {"lat", 0.1342}}}}
                                          .dump());
        EXPECT_TRUE(cycle && cycle->status == 201) << (cycle ? cycle->body : "no answer");
        return cycle && cycle->status == 201 ? json::parse(cycle->body) : json::object();
    }

    /// POSTs to a list action of a cycle at its current version, as `who`.
    static std::optional<HttpResponse> list_action(const std::string& cycle_id,
                                                   const std::string& action,
                                                   const json& body,
                                                   const Credentials& who) {
        auto current = server_->request("GET", "/api/v1/aid/cycles/" + cycle_id);
        EXPECT_TRUE(current && current->status == 200);
        return server_->send("POST",
                             "/api/v1/aid/cycles/" + cycle_id + "/list/" + action,
                             body.is_null() ? "" : body.dump(),
                             {{"If-Match", current->header("ETag")}},
                             who);
    }

    /// Generates, proposes (as the operator) and approves (as the admin) a cycle's list.
    static void approve(const std::string& cycle_id) {
        auto made = list_action(cycle_id, "generate", nullptr, server_->admin());
        ASSERT_TRUE(made && made->status == 200) << (made ? made->body : "");
        auto proposed = list_action(cycle_id, "propose", nullptr, login("u.operator"));
        ASSERT_TRUE(proposed && proposed->status == 200) << (proposed ? proposed->body : "");
        auto approved = list_action(cycle_id, "approve", nullptr, server_->admin());
        ASSERT_TRUE(approved && approved->status == 200) << (approved ? approved->body : "");
    }

    static std::unique_ptr<KapalServer> server_;
    static std::map<std::string, std::string>* passwords_;
    static std::vector<std::string> persons_;
};

std::unique_ptr<KapalServer> AidHttp::server_;
std::map<std::string, std::string>* AidHttp::passwords_ = nullptr;
std::vector<std::string> AidHttp::persons_;

TEST_F(AidHttp, ABadRuleIsRefusedNamingThePositionAndWhatWasExpected) {
    auto refused = server_->request("POST",
                                    "/api/v1/aid/programs",
                                    json{{"code", "salah"},
                                         {"name", "Salah"},
                                         {"source", "APBD"},
                                         {"kind", "barang"},
                                         {"channel", "langsung"},
                                         {"unit_value", 1},
                                         {"rule", "age >= 18 and (dtks"}}
                                        .dump());
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->status, 422) << refused->body;
    const json problem = json::parse(refused->body);
    EXPECT_EQ(problem["code"], "aid.rule_invalid") << refused->body;
    ASSERT_FALSE(problem["errors"].empty()) << refused->body;
    EXPECT_EQ(problem["errors"][0]["field"], "rule");
    EXPECT_NE(problem["errors"][0]["message"].get<std::string>().find("posisi"), std::string::npos)
        << refused->body;

    auto preview =
        server_->request("POST", "/api/v1/aid/rules/preview", json{{"rule", "umur >= 18"}}.dump());
    ASSERT_TRUE(preview.has_value());
    EXPECT_EQ(preview->status, 422) << preview->body;
}

TEST_F(AidHttp, AListIsPreviewedGeneratedApprovedByAnotherAdminAndHandedOverOnce) {
    auto preview =
        server_->request("POST",
                         "/api/v1/aid/rules/preview",
                         json{{"rule", R"(age >= 18 and "fisik" in categories)"}}.dump());
    ASSERT_TRUE(preview && preview->status == 200) << (preview ? preview->body : "");
    const json counted = json::parse(preview->body);
    EXPECT_EQ(counted["matched"], persons_.size());
    EXPECT_EQ(counted["per_kelurahan"]["64.74.01.1003"], persons_.size());

    const json cycle = programme_with_cycle("asp_e2e", R"(age >= 18 and "fisik" in categories)");
    const std::string cycle_id = cycle["id"];
    EXPECT_EQ(cycle["list_state"], "draft");

    auto made = list_action(cycle_id, "generate", nullptr, server_->admin());
    ASSERT_TRUE(made && made->status == 200) << (made ? made->body : "");
    EXPECT_EQ(json::parse(made->body)["listed"], persons_.size());

    // Maker-checker: an admin who proposed may not approve; sent back needs a reason.
    auto proposed = list_action(cycle_id, "propose", nullptr, server_->admin());
    ASSERT_TRUE(proposed && proposed->status == 200) << (proposed ? proposed->body : "");
    auto own = list_action(cycle_id, "approve", nullptr, server_->admin());
    ASSERT_TRUE(own.has_value());
    EXPECT_EQ(own->status, 403) << own->body;
    EXPECT_NE(own->body.find("aid.self_approval"), std::string::npos) << own->body;
    auto no_reason = list_action(cycle_id, "return", nullptr, server_->admin());
    ASSERT_TRUE(no_reason.has_value());
    EXPECT_EQ(no_reason->status, 422) << no_reason->body;
    auto returned =
        list_action(cycle_id, "return", json{{"reason", "Periksa kuota"}}, server_->admin());
    ASSERT_TRUE(returned && returned->status == 200) << (returned ? returned->body : "");

    // The operator takes one person off by hand, then proposes; another admin approves.
    const auto op = login("u.operator");
    auto removed = list_action(
        cycle_id, "remove", json{{"person_id", persons_[5]}, {"reason", "Sudah menerima CSR"}}, op);
    ASSERT_TRUE(removed && removed->status == 200) << (removed ? removed->body : "");
    EXPECT_EQ(json::parse(removed->body)["list_size"], persons_.size() - 1);
    ASSERT_EQ(list_action(cycle_id, "propose", nullptr, op)->status, 200);
    auto approved = list_action(cycle_id, "approve", nullptr, login("u.admin2"));
    ASSERT_TRUE(approved && approved->status == 200) << (approved ? approved->body : "");
    const json frozen = json::parse(approved->body);
    EXPECT_EQ(frozen["list_state"], "approved");
    EXPECT_EQ(frozen["list_hash"].get<std::string>().size(), 64U);
    auto late =
        list_action(cycle_id, "add", json{{"person_id", persons_[5]}, {"reason", "Terlambat"}}, op);
    ASSERT_TRUE(late.has_value());
    EXPECT_EQ(late->status, 409) << late->body;

    // The penyalur scans the card of person 0 and hands the aid over.
    auto card = server_->request("POST", "/api/v1/persons/" + persons_[0] + "/cards", "{}");
    ASSERT_TRUE(card && card->status == 201) << (card ? card->body : "");
    const std::string qr = json::parse(card->body)["qr"];
    const auto penyalur = login("u.penyalur");
    auto programs = server_->send("GET", "/api/v1/aid/programs", "", {}, penyalur);
    ASSERT_TRUE(programs && programs->status == 200);
    EXPECT_NE(programs->body.find("asp_e2e"), std::string::npos);
    auto found = server_->send("POST",
                               "/api/v1/aid/cycles/" + cycle_id + "/beneficiary",
                               json{{"qr", qr}}.dump(),
                               {},
                               penyalur);
    ASSERT_TRUE(found && found->status == 200) << (found ? found->body : "");
    EXPECT_EQ(json::parse(found->body)["on_list"], true);
    EXPECT_EQ(json::parse(found->body)["person_id"], persons_[0]);

    const json handover{{"qr", qr}, {"lon", 117.4988}, {"lat", 0.1343}, {"accuracy_m", 9}};
    const std::string target = "/api/v1/aid/cycles/" + cycle_id + "/handovers";
    auto first =
        server_->send("POST", target, handover.dump(), {{"Idempotency-Key", "hp-1"}}, penyalur);
    ASSERT_TRUE(first && first->status == 201) << (first ? first->body : "");
    const json delivered = json::parse(first->body);
    EXPECT_EQ(delivered["state"], "delivered");
    EXPECT_EQ(delivered["amount"], 250000);
    EXPECT_TRUE(delivered["flags"].empty()) << "handed over at the site";
    auto retried =
        server_->send("POST", target, handover.dump(), {{"Idempotency-Key", "hp-1"}}, penyalur);
    ASSERT_TRUE(retried && retried->status == 200) << (retried ? retried->body : "");
    EXPECT_EQ(json::parse(retried->body)["id"], delivered["id"]);
    auto twice =
        server_->send("POST", target, handover.dump(), {{"Idempotency-Key", "hp-2"}}, penyalur);
    ASSERT_TRUE(twice.has_value());
    EXPECT_EQ(twice->status, 409) << twice->body;
    EXPECT_NE(twice->body.find("aid.already_delivered"), std::string::npos);

    // Found by search: a reason is required; far from home and site, the record is flagged.
    auto no_reason_search =
        server_->send("POST", target, json{{"person_id", persons_[1]}}.dump(), {}, penyalur);
    ASSERT_TRUE(no_reason_search.has_value());
    EXPECT_EQ(no_reason_search->status, 422) << no_reason_search->body;
    auto searched = server_->send("POST",
                                  target,
                                  json{{"person_id", persons_[1]},
                                       {"search_reason", "Kartu hilang, sudah lapor"},
                                       {"lon", 116.9},
                                       {"lat", -0.5}}
                                      .dump(),
                                  {},
                                  penyalur);
    ASSERT_TRUE(searched && searched->status == 201) << (searched ? searched->body : "");
    EXPECT_EQ(json::parse(searched->body)["flags"], json::array({"aid.far_from_home"}));
    auto off_list = server_->send("POST",
                                  target,
                                  json{{"person_id", persons_[5]}, {"search_reason", "x"}}.dump(),
                                  {},
                                  penyalur);
    ASSERT_TRUE(off_list.has_value());
    EXPECT_EQ(off_list->status, 404) << "a penyalur learns nothing of persons off the list";

    auto realisation = server_->request("GET", "/api/v1/aid/cycles/" + cycle_id + "/realisation");
    ASSERT_TRUE(realisation && realisation->status == 200);
    const json total = json::parse(realisation->body)["total"];
    EXPECT_EQ(total["listed"], persons_.size() - 1);
    EXPECT_EQ(total["delivered"], 2);
    EXPECT_EQ(total["delivered_amount"], 500000);
    auto workbook =
        server_->request("GET", "/api/v1/aid/cycles/" + cycle_id + "/realisation?format=xlsx");
    ASSERT_TRUE(workbook && workbook->status == 200);
    EXPECT_EQ(workbook->body.rfind("PK", 0), 0U) << "an XLSX is a zip";
    EXPECT_NE(workbook->header("Content-Type").find("spreadsheetml"), std::string::npos);
    auto audit = server_->request("GET", "/api/v1/audit?subject=" + persons_[0]);
    ASSERT_TRUE(audit && audit->status == 200);
    EXPECT_NE(audit->body.find("aid.deliver"), std::string::npos);

    // The person's aid history (the Detail page): the one delivery, its programme and cycle
    // named; a person with none has an empty list; a penyalur does not read it.
    auto history = server_->request("GET", "/api/v1/persons/" + persons_[0] + "/aid");
    ASSERT_TRUE(history && history->status == 200) << (history ? history->body : "");
    const json items = json::parse(history->body)["items"];
    ASSERT_EQ(items.size(), 1U) << history->body;
    EXPECT_EQ(items[0]["id"], delivered["id"]);
    EXPECT_EQ(items[0]["cycle_id"], cycle_id);
    EXPECT_EQ(items[0]["cycle_number"], 1);
    EXPECT_FALSE(items[0]["program_name"].get<std::string>().empty());
    EXPECT_EQ(items[0]["amount"], 250000);
    EXPECT_EQ(items[0]["state"], "delivered");
    auto none = server_->request("GET", "/api/v1/persons/" + persons_[5] + "/aid");
    ASSERT_TRUE(none && none->status == 200);
    EXPECT_TRUE(json::parse(none->body)["items"].empty());
    auto as_penyalur =
        server_->send("GET", "/api/v1/persons/" + persons_[0] + "/aid", "", {}, penyalur);
    ASSERT_TRUE(as_penyalur.has_value());
    EXPECT_EQ(as_penyalur->status, 403);
}

TEST_F(AidHttp, TwoHundredConcurrentHandoversDeliverExactlyOncePerBeneficiary) {
    const json cycle = programme_with_cycle("asp_race", "true");
    const std::string cycle_id = cycle["id"];
    ASSERT_NO_FATAL_FAILURE(approve(cycle_id));
    const auto penyalur = login("u.penyalur");
    const std::string target = "/api/v1/aid/cycles/" + cycle_id + "/handovers";
    constexpr int kAttempts = 200;
    std::atomic<int> created{0};
    std::atomic<int> refused{0};
    std::atomic<int> other{0};
    std::vector<std::thread> threads;
    threads.reserve(kAttempts);
    for (int i = 0; i < kAttempts; ++i) {
        threads.emplace_back([&, i] {
            const json body{{"person_id", persons_[static_cast<std::size_t>(i) % persons_.size()]},
                            {"search_reason", "uji serentak"}};
            auto res = server_->send("POST",
                                     target,
                                     body.dump(),
                                     {{"Idempotency-Key", "race-" + std::to_string(i)}},
                                     penyalur);
            if (res && res->status == 201) {
                ++created;
            } else if (res && res->status == 409 &&
                       res->body.find("aid.already_delivered") != std::string::npos) {
                ++refused;
            } else {
                ++other;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(created.load(), static_cast<int>(persons_.size()));
    EXPECT_EQ(refused.load(), kAttempts - static_cast<int>(persons_.size()));
    EXPECT_EQ(other.load(), 0);
    auto realisation = server_->request("GET", "/api/v1/aid/cycles/" + cycle_id + "/realisation");
    ASSERT_TRUE(realisation && realisation->status == 200);
    const json total = json::parse(realisation->body)["total"];
    EXPECT_EQ(total["delivered"], persons_.size());
    EXPECT_EQ(total["delivered_amount"], 250000 * static_cast<int>(persons_.size()))
        << "the amounts handed over balance with the deliveries";
    auto deliveries =
        server_->request("GET", "/api/v1/aid/cycles/" + cycle_id + "/deliveries?limit=1000");
    ASSERT_TRUE(deliveries && deliveries->status == 200);
    EXPECT_EQ(json::parse(deliveries->body)["items"].size(), persons_.size());
}

} // namespace
} // namespace kapal::testing
