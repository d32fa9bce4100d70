// Social assistance by bank transfer over HTTP against the real server (SQLite, and PostgreSQL
// as pg.*): a batch of a transfer programme's approved list, its CSV file (totals and checksum
// checked here independently), the bank's result with paid, failed, unmatched and malformed
// rows, the same result again changing nothing, a new batch holding exactly the failed, and the
// realisation counting each person once.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <map>
#include <sstream>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, sep)) {
        out.push_back(item);
    }
    return out;
}

/// The lines of a CRLF text (without their line ends).
std::vector<std::string> crlf_lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto end = text.find("\r\n", at);
        if (end == std::string::npos) {
            out.push_back(text.substr(at));
            break;
        }
        out.push_back(text.substr(at, end - at));
        at = end + 2;
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

class AidTransferHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = std::make_unique<KapalServer>();
        server_->start();
        passwords_ = new std::map<std::string, std::string>{
            {"u.op.area", server_->add_user("u.op.area", "operator", {"64.74.02"})},
            {"u.op.all", server_->add_user("u.op.all", "operator", {"64.74"})},
            {"u.viewer", server_->add_user("u.viewer", "viewer", {"64.74"})},
            {"u.auditor", server_->add_user("u.auditor", "auditor", {})},
            {"u.admin2", server_->add_user("u.admin2", "admin")}};
    }

    static void TearDownTestSuite() {
        server_.reset();
        delete passwords_;
    }

    static Credentials login(const std::string& username) {
        return server_->login(username, passwords_->at(username));
    }

    /// Registers a person with a bank account ("" = none); returns the id.
    static std::string person(int serial, const std::string& account) {
        json p = json::parse(person_json(serial));
        if (!account.empty()) {
            p["account"] = {{"kind", "bank"},
                            {"provider", "Bankaltimtara"},
                            {"number", account},
                            {"holder_name", p["full_name"]}};
        }
        auto created = server_->request("POST", "/api/v1/persons", p.dump());
        EXPECT_TRUE(created && created->status == 201) << (created ? created->body : "");
        return created && created->status == 201
                   ? json::parse(created->body)["id"].get<std::string>()
                   : std::string();
    }

    /// A transfer programme with cycle 1 whose list (everyone registered) is approved.
    static std::string approved_transfer_cycle(const std::string& code) {
        auto made = server_->request("POST",
                                     "/api/v1/aid/programs",
                                     json{{"code", code},
                                          {"name", "Bantuan tunai " + code},
                                          {"source", "APBD"},
                                          {"kind", "tunai"},
                                          {"channel", "transfer"},
                                          {"unit_value", 500000},
                                          {"rule", "true"}}
                                         .dump());
        EXPECT_TRUE(made && made->status == 201) << (made ? made->body : "");
        auto cycle = server_->request("POST",
                                      "/api/v1/aid/programs/" + code + "/cycles",
                                      json{{"number", 1},
                                           {"name", "Tahap I"},
                                           {"starts_on", "2020-01-01"},
                                           {"ends_on", "2099-12-31"}}
                                          .dump());
        EXPECT_TRUE(cycle && cycle->status == 201) << (cycle ? cycle->body : "");
        const std::string id = json::parse(cycle->body)["id"];
        for (const auto& [action, who] : {std::pair{"generate", server_->admin()},
                                          std::pair{"propose", server_->admin()},
                                          std::pair{"approve", login("u.admin2")}}) {
            auto current = server_->request("GET", "/api/v1/aid/cycles/" + id);
            auto moved = server_->send("POST",
                                       "/api/v1/aid/cycles/" + id + "/list/" + action,
                                       "",
                                       {{"If-Match", current->header("ETag")}},
                                       who);
            EXPECT_TRUE(moved && moved->status == 200) << action << ": " << moved->body;
        }
        return id;
    }

    static std::unique_ptr<KapalServer> server_;
    static std::map<std::string, std::string>* passwords_;
};

std::unique_ptr<KapalServer> AidTransferHttp::server_;
std::map<std::string, std::string>* AidTransferHttp::passwords_ = nullptr;

TEST_F(AidTransferHttp, BatchFileResultReimportReissueAndRealisation) {
    const std::string a = person(1, "1111111111");
    const std::string b = person(2, "2222222222");
    const std::string c = person(3, "3333333333");
    const std::string d = person(4, "");
    const std::string cycle = approved_transfer_cycle("tunai_e2e");

    // A batch covers the whole cycle: an operator of another kecamatan may not make it.
    auto limited = server_->send(
        "POST", "/api/v1/aid/cycles/" + cycle + "/batches", "", {}, login("u.op.area"));
    ASSERT_TRUE(limited.has_value());
    EXPECT_EQ(limited->status, 403) << limited->body;

    auto made = server_->send(
        "POST", "/api/v1/aid/cycles/" + cycle + "/batches", "", {}, login("u.op.all"));
    ASSERT_TRUE(made && made->status == 201) << (made ? made->body : "");
    const json batch = json::parse(made->body);
    const std::string batch_id = batch["id"];
    EXPECT_EQ(batch["number"], 1);
    EXPECT_EQ(batch["state"], "dibuat");
    EXPECT_EQ(batch["line_count"], 3);
    EXPECT_EQ(batch["total_amount"], 1500000);
    ASSERT_EQ(batch["left_out"].size(), 1U) << made->body;
    EXPECT_EQ(batch["left_out"][0]["person_id"], d);
    EXPECT_EQ(batch["left_out"][0]["reason"], "no_account");

    // The file: a viewer may not see account numbers; the operator may, and it is audited.
    auto hidden = server_->send(
        "GET", "/api/v1/aid/batches/" + batch_id + "/file", "", {}, login("u.viewer"));
    ASSERT_TRUE(hidden.has_value());
    EXPECT_EQ(hidden->status, 403);
    auto file = server_->send(
        "GET", "/api/v1/aid/batches/" + batch_id + "/file", "", {}, login("u.op.all"));
    ASSERT_TRUE(file && file->status == 200) << (file ? file->body : "");
    EXPECT_EQ(file->header("Content-Type").rfind("text/csv", 0), 0U);
    const std::vector<std::string> rows = crlf_lines(file->body);
    ASSERT_EQ(rows.size(), 6U) << file->body; // header, 3 lines, totals, checksum
    EXPECT_EQ(rows[0],
              "line,batch_id,delivery_id,person_id,name,provider,account_number,account_holder,"
              "amount_idr");
    std::map<std::string, std::string> delivery_of; // person id -> delivery id
    std::int64_t sum = 0;
    for (std::size_t i = 1; i <= 3; ++i) {
        const auto cells = split(rows[i], ',');
        ASSERT_EQ(cells.size(), 9U) << rows[i];
        EXPECT_EQ(cells[0], std::to_string(i));
        EXPECT_EQ(cells[1], batch_id);
        EXPECT_EQ(cells[6].size(), 10U) << "the account number unmasked: " << rows[i];
        delivery_of[cells[3]] = cells[2];
        sum += std::stoll(cells[8]);
    }
    ASSERT_EQ(delivery_of.size(), 3U);
    EXPECT_EQ(rows[4], "TOTAL,3," + std::to_string(sum));
    EXPECT_EQ(sum, 1500000);
    const auto checksum_at = file->body.rfind("SHA256,");
    ASSERT_NE(checksum_at, std::string::npos);
    const std::string expected_sum =
        sha256_hex(std::string_view(file->body).substr(0, checksum_at));
    EXPECT_EQ(rows[5], "SHA256," + expected_sum);
    EXPECT_EQ(file->header("X-Checksum-SHA256"), expected_sum);
    auto audit = server_->request("GET", "/api/v1/audit?action=aid.batch.export");
    ASSERT_TRUE(audit && audit->status == 200) << (audit ? audit->body : "");
    EXPECT_NE(audit->body.find(batch_id), std::string::npos) << audit->body;

    // The bank's answer: a paid, b failed, an unknown reference, c with another amount, and a
    // row whose status is neither paid nor failed.
    const std::string result =
        "delivery_id,status,amount,reason,bank_reference,paid_at\r\n" + delivery_of[a] +
        ",paid,500000,,BPD-001,2026-11-28T03:00:00Z\r\n" + delivery_of[b] +
        ",failed,500000,rekening tidak aktif,BPD-002,\r\n" +
        "01900000-0000-7000-8000-0000000000ff,paid,500000,,BPD-003,2026-11-28T03:00:00Z\r\n" +
        delivery_of[c] + ",paid,400000,,BPD-004,2026-11-28T03:00:00Z\r\n" + delivery_of[c] +
        ",lunas,500000,,BPD-005,\r\n";
    const auto upload = [&](const std::string& body) {
        return server_->send(
            "POST", "/api/v1/aid/batches/" + batch_id + "/result", body, {}, login("u.op.all"));
    };
    auto first = upload(result);
    ASSERT_TRUE(first && first->status == 200) << (first ? first->body : "");
    const json rec = json::parse(first->body);
    EXPECT_EQ(rec["rows"], 5);
    EXPECT_EQ(rec["paid"], 1);
    EXPECT_EQ(rec["failed"], 1);
    EXPECT_EQ(rec["unmatched"], 2);
    EXPECT_EQ(rec["invalid"], 1);
    EXPECT_EQ(rec["already_imported"], false);
    ASSERT_EQ(rec["problems"].size(), 3U) << first->body;
    EXPECT_EQ(rec["problems"][0]["row"], 4);
    EXPECT_EQ(rec["problems"][0]["kind"], "unmatched");
    EXPECT_EQ(rec["problems"][0]["column"], "delivery_id");
    EXPECT_EQ(rec["problems"][1]["row"], 5);
    EXPECT_EQ(rec["problems"][1]["column"], "amount");
    EXPECT_EQ(rec["problems"][2]["row"], 6);
    EXPECT_EQ(rec["problems"][2]["kind"], "invalid");
    EXPECT_EQ(rec["problems"][2]["column"], "status");
    EXPECT_EQ(rec["batch"]["paid_count"], 1);
    EXPECT_EQ(rec["batch"]["failed_count"], 1);
    EXPECT_EQ(rec["batch"]["pending_count"], 1);

    // The same file again changes nothing, and says so.
    auto again = upload(result);
    ASSERT_TRUE(again && again->status == 200) << (again ? again->body : "");
    const json second = json::parse(again->body);
    EXPECT_EQ(second["paid"], 0);
    EXPECT_EQ(second["failed"], 0);
    EXPECT_EQ(second["unchanged"], 2);
    EXPECT_EQ(second["already_imported"], true);

    // A header without the status column is refused as a whole, naming it.
    auto headless = upload("delivery_id,reason,paid_at\r\n" + delivery_of[c] + ",,\r\n");
    ASSERT_TRUE(headless.has_value());
    EXPECT_EQ(headless->status, 422) << headless->body;
    EXPECT_NE(headless->body.find("\"status\""), std::string::npos) << headless->body;

    auto hidden_detail =
        server_->send("GET", "/api/v1/aid/batches/" + batch_id, "", {}, login("u.op.area"));
    ASSERT_TRUE(hidden_detail.has_value());
    EXPECT_EQ(hidden_detail->status, 403) << "a batch covers the whole cycle";
    auto detail =
        server_->send("GET", "/api/v1/aid/batches/" + batch_id, "", {}, login("u.auditor"));
    ASSERT_TRUE(detail && detail->status == 200) << (detail ? detail->body : "");
    const json shown = json::parse(detail->body);
    ASSERT_EQ(shown["lines"].size(), 3U);
    for (const auto& line : shown["lines"]) {
        if (line["person_id"] == b) {
            EXPECT_EQ(line["state"], "failed");
            EXPECT_EQ(line["fail_reason"], "rekening tidak aktif");
        } else if (line["person_id"] == a) {
            EXPECT_EQ(line["state"], "delivered");
            EXPECT_EQ(line["recorded_at"], "2026-11-28T03:00:00.000Z");
            EXPECT_EQ(line["bank_reference"], "BPD-001");
        }
    }

    // A new batch re-issues exactly the failed one (c is still pending, a is paid).
    auto reissue = server_->request("POST", "/api/v1/aid/cycles/" + cycle + "/batches", "");
    ASSERT_TRUE(reissue && reissue->status == 201) << (reissue ? reissue->body : "");
    const json second_batch = json::parse(reissue->body);
    EXPECT_EQ(second_batch["number"], 2);
    EXPECT_EQ(second_batch["line_count"], 1);
    const std::string second_id = second_batch["id"];
    auto second_detail = server_->request("GET", "/api/v1/aid/batches/" + second_id);
    ASSERT_TRUE(second_detail && second_detail->status == 200);
    const json second_lines = json::parse(second_detail->body)["lines"];
    ASSERT_EQ(second_lines.size(), 1U);
    EXPECT_EQ(second_lines[0]["person_id"], b);

    // The bank pays c in the first batch and b in the second: both batches are reconciled.
    auto rest = upload("delivery_id,status,reason,paid_at\r\n" + delivery_of[c] +
                       ",paid,,2026-11-28T04:00:00Z\r\n");
    ASSERT_TRUE(rest && rest->status == 200) << (rest ? rest->body : "");
    EXPECT_EQ(json::parse(rest->body)["batch"]["state"], "direkonsiliasi");
    auto paid_b = server_->request("POST",
                                   "/api/v1/aid/batches/" + second_id + "/result",
                                   "delivery_id,status,reason,paid_at\r\n" +
                                       second_lines[0]["delivery_id"].get<std::string>() +
                                       ",paid,,2026-11-29T01:00:00Z\r\n");
    ASSERT_TRUE(paid_b && paid_b->status == 200) << (paid_b ? paid_b->body : "");
    EXPECT_EQ(json::parse(paid_b->body)["paid"], 1);
    // The first batch's reference is not a line of the second.
    auto crossed = server_->request("POST",
                                    "/api/v1/aid/batches/" + second_id + "/result",
                                    "delivery_id,status,reason,paid_at\r\n" + delivery_of[a] +
                                        ",paid,,2026-11-29T01:00:00Z\r\n");
    ASSERT_TRUE(crossed && crossed->status == 200);
    EXPECT_EQ(json::parse(crossed->body)["unmatched"], 1) << crossed->body;

    auto batches = server_->request("GET", "/api/v1/aid/cycles/" + cycle + "/batches");
    ASSERT_TRUE(batches && batches->status == 200);
    const json items = json::parse(batches->body)["items"];
    ASSERT_EQ(items.size(), 2U);
    EXPECT_EQ(items[0]["state"], "direkonsiliasi");
    EXPECT_EQ(items[1]["state"], "direkonsiliasi");

    // Realisation: b failed then was paid, and counts once, as delivered; d has nothing yet.
    auto realisation = server_->request("GET", "/api/v1/aid/cycles/" + cycle + "/realisation");
    ASSERT_TRUE(realisation && realisation->status == 200);
    const json total = json::parse(realisation->body)["total"];
    EXPECT_EQ(total["listed"], 4);
    EXPECT_EQ(total["delivered"], 3);
    EXPECT_EQ(total["failed"], 0);
    EXPECT_EQ(total["pending"], 0);
    EXPECT_EQ(total["not_yet"], 1);
    EXPECT_EQ(total["delivered_amount"], 1500000);

    // Everyone with an account is paid: no further batch.
    auto nothing = server_->request("POST", "/api/v1/aid/cycles/" + cycle + "/batches", "");
    ASSERT_TRUE(nothing.has_value());
    EXPECT_EQ(nothing->status, 409) << nothing->body;
}

TEST_F(AidTransferHttp, AHandoverProgrammeHasNoTransferBatches) {
    auto made = server_->request("POST",
                                 "/api/v1/aid/programs",
                                 json{{"code", "barang_x"},
                                      {"name", "Barang"},
                                      {"source", "APBD"},
                                      {"kind", "barang"},
                                      {"channel", "langsung"},
                                      {"unit_value", 1000},
                                      {"rule", "true"}}
                                     .dump());
    ASSERT_TRUE(made && made->status == 201);
    auto cycle = server_->request("POST",
                                  "/api/v1/aid/programs/barang_x/cycles",
                                  json{{"number", 1},
                                       {"name", "Tahap I"},
                                       {"starts_on", "2020-01-01"},
                                       {"ends_on", "2099-12-31"}}
                                      .dump());
    ASSERT_TRUE(cycle && cycle->status == 201);
    const std::string id = json::parse(cycle->body)["id"];
    auto refused = server_->request("POST", "/api/v1/aid/cycles/" + id + "/batches", "");
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->status, 409) << refused->body;
    EXPECT_NE(refused->body.find("aid.channel_mismatch"), std::string::npos) << refused->body;
    auto unknown =
        server_->request("GET", "/api/v1/aid/batches/01900000-0000-7000-8000-00000000abcd");
    ASSERT_TRUE(unknown.has_value());
    EXPECT_EQ(unknown->status, 404);
}

} // namespace
} // namespace kapal::testing
