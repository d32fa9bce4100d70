// The duplicate review queue over HTTP against the real server (SQLite, and PostgreSQL as
// pg.*): a confirmed possible duplicate is queued; a pair is merged with both histories kept and
// the old id redirecting; a pair marked distinct is never proposed again (neither by the check
// on an update nor by a scan); an import queues the rows it warned about; operators see and
// decide only pairs in their areas.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

/// A woman of Lok Tuan (64.74.01.1003) born on `birth` ("1985-03-07"), with a NIK whose last
/// digit is `last` (two of them differ in that digit only: a likely duplicate).
json woman(const std::string& name, const std::string& birth, int last) {
    const std::string day = std::to_string(std::stoi(birth.substr(8, 2)) + 40);
    const std::string nik =
        "647401" + day + birth.substr(5, 2) + birth.substr(2, 2) + "000" + std::to_string(last);
    return json{{"nik", nik},
                {"full_name", name},
                {"sex", "P"},
                {"birth_date", birth},
                {"address", {{"kelurahan_code", "64.74.01.1003"}}},
                {"categories", {"fisik"}},
                {"confirmed_warnings", {"person.possible_duplicate"}},
                {"warning_reason", "didaftarkan ulang oleh kelurahan"}};
}

class DuplicateReviewHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = std::make_unique<KapalServer>(Settings{{"requests_per_second_per_address", "0"},
                                                         {"requests_per_second_per_user", "0"}});
        const auto barat = server_->add_user("op.barat", "operator", {"64.74.03"});
        const auto utara = server_->add_user("op.utara", "operator", {"64.74.01"});
        const auto viewer = server_->add_user("lihat", "viewer", {"64.74"});
        server_->start();
        server_->wait_for_point_index();
        barat_ = server_->login("op.barat", barat);
        utara_ = server_->login("op.utara", utara);
        viewer_ = server_->login("lihat", viewer);
    }

    static void TearDownTestSuite() { server_.reset(); }

    /// Registers a person; returns the id.
    static std::string create(const json& person, const Credentials& who) {
        auto res = server_->send("POST", "/api/v1/persons", person.dump(), {}, who);
        EXPECT_TRUE(res && res->status == 201) << (res ? res->body : "no answer");
        return res && res->status == 201 ? json::parse(res->body)["id"].get<std::string>() : "";
    }

    /// The open pairs naming `person`, as the admin sees them.
    static json pairs_of(const std::string& person, const std::string& state = "terbuka") {
        auto res = server_->request(
            "GET", "/api/v1/duplicates?state=" + state + "&person_id=" + person, "", {});
        EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
        return json::parse(res->body)["items"];
    }

    static std::unique_ptr<KapalServer> server_;
    static Credentials barat_;
    static Credentials utara_;
    static Credentials viewer_;
};

std::unique_ptr<KapalServer> DuplicateReviewHttp::server_;
Credentials DuplicateReviewHttp::barat_;
Credentials DuplicateReviewHttp::utara_;
Credentials DuplicateReviewHttp::viewer_;

TEST_F(DuplicateReviewHttp, AConfirmedDuplicateIsQueuedAndAMergeRedirectsTheOldId) {
    const std::string first = create(woman("Siti Aminah", "1985-03-07", 2), server_->admin());
    const std::string second = create(woman("Sitti Aminah", "1985-03-07", 3), utara_);
    ASSERT_FALSE(first.empty() || second.empty());

    const json queued = pairs_of(second);
    ASSERT_EQ(queued.size(), 1U) << queued.dump();
    const json pair = queued[0];
    const std::set<std::string> named{pair["person_a"], pair["person_b"]};
    EXPECT_EQ(named, (std::set<std::string>{first, second}));
    EXPECT_EQ(pair["source"], "registrasi");
    EXPECT_EQ(pair["found_by"].get<std::string>().empty(), false);
    EXPECT_GE(pair["score"].get<double>(), 10.0);
    EXPECT_EQ(pair["explanation"].size(), 8U) << "every field explains itself";
    EXPECT_EQ(pair["explanation"][0]["field"], "name");
    EXPECT_TRUE(pair["a_name"].is_string());
    const std::string id = pair["id"];

    auto detail = server_->request("GET", "/api/v1/duplicates/" + id);
    ASSERT_TRUE(detail && detail->status == 200) << (detail ? detail->body : "");
    EXPECT_EQ(detail->header("ETag"), "\"1\"");
    const json both = json::parse(detail->body);
    EXPECT_EQ(both["a"]["id"], pair["person_a"]);
    EXPECT_EQ(both["b"]["id"], pair["person_b"]);
    EXPECT_TRUE(both["a"].contains("nik_masked") && !both["a"].contains("nik"));

    // Others: a viewer may not read the queue; an operator of another area does not see it.
    auto viewer = server_->send("GET", "/api/v1/duplicates", "", {}, viewer_);
    ASSERT_TRUE(viewer.has_value());
    EXPECT_EQ(viewer->status, 403);
    auto barat = server_->send("GET", "/api/v1/duplicates/" + id, "", {}, barat_);
    ASSERT_TRUE(barat.has_value());
    EXPECT_EQ(barat->status, 404);
    auto barat_merge = server_->send("POST",
                                     "/api/v1/duplicates/" + id + "/merge",
                                     json{{"keep_id", first}, {"reason", "orang yang sama"}}.dump(),
                                     {{"If-Match", "\"1\""}},
                                     barat_);
    ASSERT_TRUE(barat_merge.has_value());
    EXPECT_EQ(barat_merge->status, 404);

    // Bad decisions: no If-Match, a short reason, a stranger kept.
    const std::string merge = "/api/v1/duplicates/" + id + "/merge";
    auto no_match =
        server_->request("POST", merge, json{{"keep_id", first}, {"reason", "sama"}}.dump());
    ASSERT_TRUE(no_match.has_value());
    EXPECT_EQ(no_match->status, 428) << no_match->body;
    auto short_reason = server_->request(
        "POST", merge, json{{"keep_id", first}, {"reason", "ok"}}.dump(), {{"If-Match", "\"1\""}});
    ASSERT_TRUE(short_reason.has_value());
    EXPECT_EQ(short_reason->status, 422) << short_reason->body;
    EXPECT_EQ(json::parse(short_reason->body)["errors"][0]["field"], "reason");
    auto stranger = server_->request(
        "POST",
        merge,
        json{{"keep_id", "01900000-0000-7000-8000-000000000001"}, {"reason", "orang yang sama"}}
            .dump(),
        {{"If-Match", "\"1\""}});
    ASSERT_TRUE(stranger.has_value());
    EXPECT_EQ(stranger->status, 422) << stranger->body;
    EXPECT_EQ(json::parse(stranger->body)["errors"][0]["field"], "keep_id");

    // The operator of the area merges: the second record is absorbed into the first.
    auto merged = server_->send("POST",
                                merge,
                                json{{"keep_id", first}, {"reason", "dicek dengan KTP"}}.dump(),
                                {{"If-Match", "\"1\""}},
                                utara_);
    ASSERT_TRUE(merged.has_value());
    ASSERT_EQ(merged->status, 200) << merged->body;
    const json decided = json::parse(merged->body);
    EXPECT_EQ(decided["state"], "digabung");
    EXPECT_EQ(decided["kept_id"], first);
    EXPECT_EQ(decided["absorbed"]["id"], second);
    EXPECT_EQ(decided["absorbed"]["status"], "nonaktif");
    EXPECT_EQ(decided["absorbed"]["merged_into"], first);

    // The old id redirects; its own last state and its history stay readable.
    auto old = server_->request("GET", "/api/v1/persons/" + second);
    ASSERT_TRUE(old.has_value());
    EXPECT_EQ(old->status, 308) << old->body;
    EXPECT_EQ(old->header("Location"), "/api/v1/persons/" + first);
    EXPECT_EQ(json::parse(old->body)["code"], "person.merged");
    auto own = server_->request("GET", "/api/v1/persons/" + second + "?redirect=false");
    ASSERT_TRUE(own && own->status == 200) << (own ? own->body : "");
    EXPECT_EQ(json::parse(own->body)["merged_into"], first);
    auto history = server_->request("GET", "/api/v1/persons/" + second + "/versions");
    ASSERT_TRUE(history && history->status == 200);
    const json versions = json::parse(history->body)["items"];
    ASSERT_EQ(versions.size(), 2U);
    EXPECT_EQ(versions[0]["status"], "aktif");
    EXPECT_FALSE(versions[0].contains("merged_into"));
    auto kept = server_->request("GET", "/api/v1/persons/" + first);
    ASSERT_TRUE(kept && kept->status == 200);
    EXPECT_EQ(json::parse(kept->body)["version"], 1) << "the record kept is not changed";

    // A merged record is not edited, and the pair is decided once.
    json edit = json::parse(own->body);
    edit["phone"] = "081234567890";
    auto refused =
        server_->request("PUT", "/api/v1/persons/" + second, edit.dump(), {{"If-Match", "\"2\""}});
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->status, 409) << refused->body;
    EXPECT_EQ(json::parse(refused->body)["code"], "person.merged");
    auto again = server_->request("POST",
                                  merge,
                                  json{{"keep_id", first}, {"reason", "dicek dengan KTP"}}.dump(),
                                  {{"If-Match", "\"2\""}});
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->status, 409) << again->body;
    EXPECT_EQ(json::parse(again->body)["code"], "duplicate.already_decided");

    // A third registration of her is compared with the record kept, not the merged one.
    json third = woman("Siti Aminah", "1985-03-07", 4);
    third.erase("confirmed_warnings");
    third.erase("warning_reason");
    auto warned = server_->request("POST", "/api/v1/persons", third.dump());
    ASSERT_TRUE(warned.has_value());
    ASSERT_EQ(warned->status, 422) << warned->body;
    const std::string message = json::parse(warned->body)["errors"].dump();
    EXPECT_NE(message.find(first), std::string::npos) << message;
    EXPECT_EQ(message.find(second), std::string::npos) << message;

    auto audit = server_->request("GET", "/api/v1/audit?action=duplicate.merge");
    ASSERT_TRUE(audit && audit->status == 200);
    const json entries = json::parse(audit->body)["items"];
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0]["subject"], id);
}

TEST_F(DuplicateReviewHttp, APairMarkedDistinctIsNeverProposedAgain) {
    const std::string one = create(woman("Rahmawati Saleh", "1990-01-02", 1), server_->admin());
    const std::string two = create(woman("Rahmawati Saleh", "1990-01-02", 5), server_->admin());
    const json queued = pairs_of(two);
    ASSERT_EQ(queued.size(), 1U) << queued.dump();
    const std::string id = queued[0]["id"];
    auto distinct = server_->send("POST",
                                  "/api/v1/duplicates/" + id + "/distinct",
                                  json{{"reason", "kembar, dicek di rumah"}}.dump(),
                                  {{"If-Match", "\"1\""}},
                                  utara_);
    ASSERT_TRUE(distinct.has_value());
    ASSERT_EQ(distinct->status, 200) << distinct->body;
    EXPECT_EQ(json::parse(distinct->body)["state"], "berbeda");
    EXPECT_EQ(json::parse(distinct->body)["decision_reason"], "kembar, dicek di rumah");

    // An identity edit of the second, its old confirmation withdrawn: the first is not raised
    // again (without the decision this would be 422 person.warnings_not_confirmed).
    auto current = server_->request("GET", "/api/v1/persons/" + two);
    ASSERT_TRUE(current && current->status == 200);
    json edit = json::parse(current->body);
    edit["full_name"] = "Rahmawaty Saleh";
    edit["confirmed_warnings"] = json::array();
    edit["warning_reason"] = "";
    edit["change_reason"] = "ejaan sesuai KTP";
    auto updated = server_->request(
        "PUT", "/api/v1/persons/" + two, edit.dump(), {{"If-Match", current->header("ETag")}});
    ASSERT_TRUE(updated.has_value());
    EXPECT_EQ(updated->status, 200) << updated->body;

    // A scan finds the pair again and leaves it decided; nothing new is queued for them.
    auto scan = server_->request("POST", "/api/v1/duplicates/scan");
    ASSERT_TRUE(scan && scan->status == 200) << (scan ? scan->body : "");
    const json outcome = json::parse(scan->body);
    EXPECT_GE(outcome["found"].get<int>(), 1);
    EXPECT_GE(outcome["persons"].get<int>(), 2);
    EXPECT_TRUE(pairs_of(two).empty());
    const json decided = pairs_of(two, "berbeda");
    ASSERT_EQ(decided.size(), 1U);
    EXPECT_EQ(decided[0]["id"], id);
    EXPECT_EQ(decided[0]["version"], 2);
}

TEST_F(DuplicateReviewHttp, AnImportQueuesTheRowsItWarnedAbout) {
    const std::string registered =
        create(woman("Nurhayati Basri", "1979-11-23", 1), server_->admin());
    ASSERT_FALSE(registered.empty());
    const std::string csv = "NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n"
                            "6474016311790002,Nurhayati Basri,P,23/11/1979,Lok Tuan,fisik\n";
    auto res = server_->request("POST", "/api/v1/imports/persons?filename=ulang.csv", csv, {});
    ASSERT_TRUE(res.has_value());
    ASSERT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(json::parse(res->body)["created"], 1) << res->body;
    const json queued = pairs_of(registered);
    ASSERT_EQ(queued.size(), 1U) << queued.dump();
    EXPECT_EQ(queued[0]["source"], "impor");
}

TEST_F(DuplicateReviewHttp, ScanIsForAdminsAndTheQueueRejectsAnUnknownState) {
    auto as_operator = server_->send("POST", "/api/v1/duplicates/scan", "", {}, utara_);
    ASSERT_TRUE(as_operator.has_value());
    EXPECT_EQ(as_operator->status, 403);
    auto bad = server_->request("GET", "/api/v1/duplicates?state=selesai");
    ASSERT_TRUE(bad.has_value());
    EXPECT_EQ(bad->status, 400) << bad->body;
}

} // namespace
} // namespace kapal::testing
