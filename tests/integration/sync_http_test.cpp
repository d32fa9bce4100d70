// Offline sync over HTTP against the real server (SQLite, and PostgreSQL as pg.*; docs/sync.md):
// a batch applied once however often it is sent or wherever it was cut, an edit that arrives
// before the create it depends on, two devices editing one person (merged, or a conflict a
// supervisor resolves with both versions), a handover made offline checked on its own day and
// never twice, the pull of the user's areas and of a penyalur's lists, and the refusals.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "integration/kapal_server.hpp"
#include "integration/test_photo.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

/// "2026-11-29T03:04:05Z", `offset` from now.
std::string instant(std::chrono::seconds offset = {}) {
    const std::time_t t =
        std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

/// A UUIDv7-shaped id, distinct per serial (the devices' ids for persons they register).
std::string device_person_id(int serial) {
    char text[40];
    std::snprintf(text, sizeof text, "0193a000-0000-7000-8000-%012d", serial);
    return text;
}

/// Base64 (RFC 4648, with padding) of `bytes`, as the web app sends a photo.
std::string base64(const std::vector<std::uint8_t>& bytes) {
    static const char* const kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::uint32_t chunk =
            (std::uint32_t{bytes[i]} << 16U) |
            (i + 1 < bytes.size() ? std::uint32_t{bytes[i + 1]} << 8U : 0U) |
            (i + 2 < bytes.size() ? std::uint32_t{bytes[i + 2]} : 0U);
        out += kAlphabet[(chunk >> 18U) & 63U];
        out += kAlphabet[(chunk >> 12U) & 63U];
        out += i + 1 < bytes.size() ? kAlphabet[(chunk >> 6U) & 63U] : '=';
        out += i + 2 < bytes.size() ? kAlphabet[chunk & 63U] : '=';
    }
    return out;
}

class SyncHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        server_ = std::make_unique<KapalServer>(Settings{{"requests_per_second_per_address", "0"},
                                                         {"requests_per_second_per_user", "0"}});
        server_->start();
        const auto p1 = server_->add_user("op.utara", "operator", {"64.74.01"});
        const auto p2 = server_->add_user("op.utara2", "operator", {"64.74.01"});
        const auto p3 = server_->add_user("op.barat", "operator", {"64.74.03"});
        const auto p4 = server_->add_user("penyalur", "penyalur", {"64.74"});
        const auto p5 = server_->add_user("lihat", "viewer", {"64.74.01"});
        utara_ = server_->login("op.utara", p1);
        utara2_ = server_->login("op.utara2", p2);
        barat_ = server_->login("op.barat", p3);
        penyalur_ = server_->login("penyalur", p4);
        viewer_ = server_->login("lihat", p5);
    }

    static void TearDownTestSuite() { server_.reset(); }

    static json send_batch(const json& ops,
                           const Credentials& who,
                           const std::string& device = "device-1",
                           int expected = 200) {
        auto res = server_->send("POST",
                                 "/api/v1/sync/batch",
                                 json{{"device_id", device}, {"ops", ops}}.dump(),
                                 {},
                                 who);
        EXPECT_TRUE(res.has_value());
        if (!res) {
            return json::object();
        }
        EXPECT_EQ(res->status, expected) << res->body;
        return json::parse(res->body);
    }

    static json create_op(const std::string& key, int seq, const std::string& id, int serial) {
        return json{{"key", key},
                    {"seq", seq},
                    {"type", "person.create"},
                    {"at", instant()},
                    {"person_id", id},
                    {"person", json::parse(person_json(serial))}};
    }

    static json update_op(const std::string& key,
                          int seq,
                          const std::string& id,
                          int base,
                          const json& changes,
                          const std::string& after = "") {
        json op{{"key", key},
                {"seq", seq},
                {"type", "person.update"},
                {"at", instant()},
                {"person_id", id},
                {"base_version", base},
                {"changes", changes}};
        if (!after.empty()) {
            op["after"] = after;
        }
        return op;
    }

    static json person(const std::string& id) {
        auto got = server_->request("GET", "/api/v1/persons/" + id);
        EXPECT_TRUE(got && got->status == 200) << (got ? got->body : "no answer");
        return got && got->status == 200 ? json::parse(got->body) : json::object();
    }

    /// Registers a person online (as the admin) and returns its id.
    static std::string registered(int serial) {
        auto created = server_->request("POST", "/api/v1/persons", person_json(serial));
        EXPECT_TRUE(created && created->status == 201) << (created ? created->body : "");
        return created && created->status == 201
                   ? json::parse(created->body)["id"].get<std::string>()
                   : "";
    }

    /// Changes a person online (as the admin), field by field.
    static void change_online(const std::string& id, const json& changes) {
        auto got = server_->request("GET", "/api/v1/persons/" + id);
        ASSERT_TRUE(got && got->status == 200);
        json body = json::parse(got->body);
        for (const auto& [k, v] : changes.items()) {
            body[k] = v;
        }
        auto put = server_->request(
            "PUT", "/api/v1/persons/" + id, body.dump(), {{"If-Match", got->header("ETag")}});
        ASSERT_TRUE(put && put->status == 200) << (put ? put->body : "");
    }

    static int versions_of(const std::string& id) {
        auto got = server_->request("GET", "/api/v1/persons/" + id + "/versions");
        EXPECT_TRUE(got && got->status == 200);
        return got ? static_cast<int>(json::parse(got->body)["items"].size()) : 0;
    }

    static std::unique_ptr<KapalServer> server_;
    static Credentials utara_, utara2_, barat_, penyalur_, viewer_;
};

std::unique_ptr<KapalServer> SyncHttp::server_;
Credentials SyncHttp::utara_;
Credentials SyncHttp::utara2_;
Credentials SyncHttp::barat_;
Credentials SyncHttp::penyalur_;
Credentials SyncHttp::viewer_;

TEST_F(SyncHttp, ABatchSentTwiceOrCutInTheMiddleWritesEachOpOnce) {
    const std::string id = device_person_id(1);
    const json ops = json::array({create_op("k1-create", 1, id, 101),
                                  update_op("k1-phone", 2, id, 1, {{"phone", "081200000001"}}),
                                  update_op("k1-note", 3, id, 2, {{"needs_note", "kursi roda"}})});
    // Cut after the first op: the device got no answer and sends the whole batch again.
    const json first = send_batch(json::array({ops[0]}), utara_);
    ASSERT_EQ(first["results"].size(), 1U);
    EXPECT_EQ(first["results"][0]["status"], "applied") << first.dump();
    EXPECT_EQ(first["results"][0]["person_id"], id);

    const json whole = send_batch(ops, utara_);
    ASSERT_EQ(whole["results"].size(), 3U) << whole.dump();
    EXPECT_EQ(whole["results"][0]["status"], "applied");
    EXPECT_EQ(whole["results"][0]["replayed"], true);
    EXPECT_EQ(whole["results"][1]["status"], "applied");
    EXPECT_FALSE(whole["results"][1].contains("replayed"));
    EXPECT_EQ(whole["results"][2]["status"], "applied");
    EXPECT_EQ(whole["results"][2]["version"], 3);

    // Delivered a third time: nothing new.
    const json again = send_batch(ops, utara_);
    for (const auto& r : again["results"]) {
        EXPECT_EQ(r["replayed"], true) << again.dump();
    }
    const json p = person(id);
    EXPECT_EQ(p["version"], 3);
    EXPECT_EQ(p["phone"], "081200000001");
    EXPECT_EQ(p["needs_note"], "kursi roda");
    EXPECT_EQ(versions_of(id), 3);
    std::string name = p["full_name"];
    std::replace(name.begin(), name.end(), ' ', '+');
    auto listed = server_->request("GET", "/api/v1/persons?limit=1000&q=" + name);
    ASSERT_TRUE(listed && listed->status == 200);
    // The parsed page must outlive the loop (a temporary's member would dangle).
    const json page = json::parse(listed->body);
    int same_id = 0;
    for (const auto& item : page["items"]) {
        same_id += item["id"] == id ? 1 : 0;
    }
    EXPECT_EQ(same_id, 1);

    // The same key for another change is refused, naming the key.
    json other = ops[1];
    other["changes"]["phone"] = "089999999999";
    const json reused = send_batch(json::array({other}), utara_);
    EXPECT_EQ(reused["results"][0]["status"], "rejected");
    EXPECT_EQ(reused["results"][0]["error"]["code"], "idempotency_key_reused") << reused.dump();
    EXPECT_EQ(person(id)["phone"], "081200000001");
    // Keys are the user's own: another operator's op with the same key is another op.
    const json theirs =
        send_batch(json::array({update_op("k1-phone", 1, id, 3, {{"phone", "081200000002"}})}),
                   utara2_,
                   "device-2");
    EXPECT_EQ(theirs["results"][0]["status"], "applied") << theirs.dump();
}

TEST_F(SyncHttp, ACreateWhoseOnlineAnswerWasLostIsTheSamePersonWhenSentOffline) {
    // The form posted online with a key; the answer never reached the phone.
    const json body = json::parse(person_json(117));
    auto online = server_->send("POST",
                                "/api/v1/persons",
                                body.dump(2), // another spelling of the same JSON
                                {{"Idempotency-Key", "k11-online"}},
                                utara_);
    ASSERT_TRUE(online && online->status == 201) << (online ? online->body : "");
    const std::string created = json::parse(online->body)["id"];
    // The phone saved it offline with the same key and body, and a person id of its own.
    const json op = create_op("k11-online", 1, device_person_id(11), 117);
    const json answer = send_batch(json::array({op}), utara_);
    ASSERT_EQ(answer["results"][0]["status"], "applied") << answer.dump();
    EXPECT_EQ(answer["results"][0]["person_id"], created);
    auto absent = server_->request("GET", "/api/v1/persons/" + device_person_id(11));
    ASSERT_TRUE(absent.has_value());
    EXPECT_EQ(absent->status, 404);
    // Another body under that key is refused, naming the key.
    json other = create_op("k11-online", 2, device_person_id(12), 118);
    const json refused = send_batch(json::array({other}), utara2_, "dev-b");
    EXPECT_EQ(refused["results"][0]["error"]["code"], "idempotency_key_reused") << refused.dump();
}

TEST_F(SyncHttp, AnEditArrivingBeforeItsCreateWaitsAndIsAppliedWhenTheCreateArrives) {
    const std::string id = device_person_id(2);
    const json edit = update_op("k2-edit", 2, id, 1, {{"phone", "081200000022"}}, "k2-create");
    const json waited = send_batch(json::array({edit}), utara_);
    EXPECT_EQ(waited["results"][0]["status"], "waiting") << waited.dump();
    EXPECT_EQ(waited["results"][0]["waiting_for"], "k2-create");
    auto absent = server_->request("GET", "/api/v1/persons/" + id);
    ASSERT_TRUE(absent.has_value());
    EXPECT_EQ(absent->status, 404);

    const json created = send_batch(json::array({create_op("k2-create", 1, id, 102)}), utara_);
    EXPECT_EQ(created["results"][0]["status"], "applied") << created.dump();
    ASSERT_EQ(created["released"].size(), 1U) << created.dump();
    EXPECT_EQ(created["released"][0]["key"], "k2-edit");
    EXPECT_EQ(created["released"][0]["status"], "applied");
    EXPECT_EQ(person(id)["phone"], "081200000022");
    // Asked again, the waiting op answers its final result.
    const json asked = send_batch(json::array({edit}), utara_);
    EXPECT_EQ(asked["results"][0]["status"], "applied") << asked.dump();
    EXPECT_EQ(asked["results"][0]["replayed"], true);

    // An edit of a person the server does not know, waiting for nothing: refused.
    const json lost = send_batch(
        json::array({update_op("k2-lost", 3, device_person_id(99), 1, {{"phone", "1"}})}), utara_);
    EXPECT_EQ(lost["results"][0]["status"], "rejected");
    EXPECT_EQ(lost["results"][0]["error"]["code"], "not_found") << lost.dump();
}

TEST_F(SyncHttp, TwoDevicesEditingDifferentFieldsMerge) {
    const std::string id = registered(103);
    const json a = send_batch(
        json::array({update_op("k3-a", 1, id, 1, {{"phone", "081200000033"}})}), utara_, "dev-a");
    EXPECT_EQ(a["results"][0]["status"], "applied") << a.dump();
    // The second device started from version 1 too, and changed another field.
    const json b = send_batch(
        json::array({update_op("k3-b", 1, id, 1, {{"disability_subtype", "paraplegia"}})}),
        utara2_,
        "dev-b");
    EXPECT_EQ(b["results"][0]["status"], "merged") << b.dump();
    EXPECT_EQ(b["results"][0]["version"], 3);
    EXPECT_EQ(b["results"][0]["merged_fields"], json::array({"disability_subtype"}));
    const json p = person(id);
    EXPECT_EQ(p["phone"], "081200000033");
    EXPECT_EQ(p["disability_subtype"], "paraplegia");
}

TEST_F(SyncHttp, TwoEditsOfOneFieldBecomeAConflictTheSupervisorResolves) {
    const std::string id = registered(104);
    const json a = send_batch(
        json::array({update_op("k4-a", 1, id, 1, {{"phone", "081200000041"}})}), utara_, "dev-a");
    EXPECT_EQ(a["results"][0]["status"], "applied");
    const json b = send_batch(
        json::array({update_op(
            "k4-b", 1, id, 1, {{"phone", "081200000042"}, {"needs_note", "butuh tongkat"}})}),
        utara2_,
        "dev-b");
    ASSERT_EQ(b["results"][0]["status"], "conflict") << b.dump();
    EXPECT_EQ(b["results"][0]["fields"], json::array({"needs_note", "phone"}));
    const std::string conflict_id = b["results"][0]["conflict_id"];
    // Nothing of the second edit was written.
    json p = person(id);
    EXPECT_EQ(p["phone"], "081200000041");
    EXPECT_EQ(p["needs_note"], "");
    EXPECT_EQ(p["version"], 2);

    // Listed for the admin and for the operators of the area; not for another area's.
    auto listed = server_->request("GET", "/api/v1/sync/conflicts?status=open");
    ASSERT_TRUE(listed && listed->status == 200) << (listed ? listed->body : "");
    bool found = false;
    const json open = json::parse(listed->body);
    for (const auto& item : open["items"]) {
        found = found || item["id"] == conflict_id;
    }
    EXPECT_TRUE(found) << listed->body;
    auto other_area = server_->send("GET", "/api/v1/sync/conflicts/" + conflict_id, "", {}, barat_);
    ASSERT_TRUE(other_area.has_value());
    EXPECT_EQ(other_area->status, 404);
    auto viewer = server_->send("GET", "/api/v1/sync/conflicts", "", {}, viewer_);
    ASSERT_TRUE(viewer.has_value());
    EXPECT_EQ(viewer->status, 403);

    // Both versions side by side, the NIK never in clear.
    auto shown = server_->send("GET", "/api/v1/sync/conflicts/" + conflict_id, "", {}, utara_);
    ASSERT_TRUE(shown && shown->status == 200) << (shown ? shown->body : "");
    const json detail = json::parse(shown->body);
    EXPECT_EQ(detail["current_version"], 2);
    EXPECT_EQ(detail["base_version"], 1);
    ASSERT_EQ(detail["fields"].size(), 2U);
    const json phone = detail["fields"][1];
    EXPECT_EQ(phone["field"], "phone");
    EXPECT_EQ(phone["base"], "");
    EXPECT_EQ(phone["theirs"], "081200000041");
    EXPECT_EQ(phone["mine"], "081200000042");
    EXPECT_EQ(shown->body.find("6474014703850104"), std::string::npos);

    // An operator may read but not resolve; every field must be chosen; a stale version is 409.
    const std::string path = "/api/v1/sync/conflicts/" + conflict_id + "/resolve";
    const json choice{{"version", 2},
                      {"choose", {{"phone", "mine"}, {"needs_note", "mine"}}},
                      {"reason", "nomor baru dikonfirmasi lewat telepon"}};
    auto by_operator = server_->send("POST", path, choice.dump(), {}, utara_);
    ASSERT_TRUE(by_operator.has_value());
    EXPECT_EQ(by_operator->status, 403);
    json partial = choice;
    partial["choose"].erase("needs_note");
    auto missing = server_->request("POST", path, partial.dump());
    ASSERT_TRUE(missing.has_value());
    EXPECT_EQ(missing->status, 422) << missing->body;
    EXPECT_NE(missing->body.find("choose.needs_note"), std::string::npos) << missing->body;
    json stale = choice;
    stale["version"] = 1;
    auto old = server_->request("POST", path, stale.dump());
    ASSERT_TRUE(old.has_value());
    EXPECT_EQ(old->status, 412) << old->body;

    auto resolved = server_->request("POST", path, choice.dump());
    ASSERT_TRUE(resolved && resolved->status == 200) << (resolved ? resolved->body : "");
    EXPECT_EQ(json::parse(resolved->body)["version"], 3);
    p = person(id);
    EXPECT_EQ(p["phone"], "081200000042");
    EXPECT_EQ(p["needs_note"], "butuh tongkat");
    auto twice = server_->request("POST", path, choice.dump());
    ASSERT_TRUE(twice.has_value());
    EXPECT_EQ(twice->status, 412);
    auto audit =
        server_->request("GET", "/api/v1/audit?action=sync.conflict.resolve&subject=" + id);
    ASSERT_TRUE(audit && audit->status == 200);
    EXPECT_EQ(json::parse(audit->body)["items"].size(), 1U) << audit->body;
    auto done = server_->request("GET", "/api/v1/sync/conflicts?status=resolved");
    ASSERT_TRUE(done && done->status == 200);
    EXPECT_NE(done->body.find(conflict_id), std::string::npos);
}

TEST_F(SyncHttp, AnEditOfAPersonWhoMovedMeanwhileIsAConflictWhateverItChanges) {
    const std::string id = registered(105);
    // The office moves the person to another kelurahan of the same kecamatan.
    change_online(id,
                  {{"address",
                    {{"street", "Jl. Baru"},
                     {"rt", "001"},
                     {"rw", "01"},
                     {"kelurahan_code", "64.74.01.1004"}}}});
    const json b = send_batch(
        json::array({update_op("k5-b", 1, id, 1, {{"phone", "081200000051"}})}), utara_, "dev-a");
    ASSERT_EQ(b["results"][0]["status"], "conflict") << b.dump();
    EXPECT_EQ(b["results"][0]["fields"], json::array({"address", "phone"}));
    EXPECT_EQ(person(id)["phone"], "");
    // Keeping the office's address and the device's phone.
    auto resolved = server_->request(
        "POST",
        "/api/v1/sync/conflicts/" + b["results"][0]["conflict_id"].get<std::string>() + "/resolve",
        json{{"version", 2},
             {"choose", {{"address", "theirs"}, {"phone", "mine"}}},
             {"reason", "alamat baru benar, nomor dari petugas"}}
            .dump());
    ASSERT_TRUE(resolved && resolved->status == 200) << (resolved ? resolved->body : "");
    const json p = person(id);
    EXPECT_EQ(p["address"]["kelurahan_code"], "64.74.01.1004");
    EXPECT_EQ(p["phone"], "081200000051");
}

TEST_F(SyncHttp, AHandoverMadeOfflineIsCheckedOnItsDayAndNeverRecordedTwice) {
    const std::string person_id = registered(106);
    auto users = server_->request("GET", "/api/v1/users");
    ASSERT_TRUE(users && users->status == 200);
    std::string penyalur_id;
    const json accounts = json::parse(users->body);
    for (const auto& u : accounts["items"]) {
        if (u["username"] == "penyalur") {
            penyalur_id = u["id"];
        }
    }
    const auto programme = [&](const std::string& code, const std::string& ends) {
        auto made = server_->request("POST",
                                     "/api/v1/aid/programs",
                                     json{{"code", code},
                                          {"name", "Sembako " + code},
                                          {"source", "APBD"},
                                          {"kind", "barang"},
                                          {"channel", "langsung"},
                                          {"unit_value", 150000},
                                          {"rule", "true"},
                                          {"assignees", {penyalur_id}}}
                                         .dump());
        EXPECT_TRUE(made && made->status == 201) << (made ? made->body : "");
        auto cycle = server_->request(
            "POST",
            "/api/v1/aid/programs/" + code + "/cycles",
            json{{"number", 1}, {"name", "Tahap I"}, {"starts_on", "2020-01-01"}, {"ends_on", ends}}
                .dump());
        EXPECT_TRUE(cycle && cycle->status == 201) << (cycle ? cycle->body : "");
        const std::string cycle_id = json::parse(cycle->body)["id"];
        for (const char* action : {"generate", "propose"}) {
            auto current = server_->request("GET", "/api/v1/aid/cycles/" + cycle_id);
            auto done =
                server_->send("POST",
                              "/api/v1/aid/cycles/" + cycle_id + "/list/" + action,
                              "",
                              {{"If-Match", current->header("ETag")}},
                              std::string(action) == "generate" ? server_->admin() : utara_);
            EXPECT_TRUE(done && done->status == 200) << action << (done ? done->body : "");
        }
        // Approved by an admin who did not propose it.
        auto current = server_->request("GET", "/api/v1/aid/cycles/" + cycle_id);
        auto approved = server_->request("POST",
                                         "/api/v1/aid/cycles/" + cycle_id + "/list/approve",
                                         "",
                                         {{"If-Match", current->header("ETag")}});
        EXPECT_TRUE(approved && approved->status == 200) << (approved ? approved->body : "");
        return cycle_id;
    };
    const std::string open_cycle = programme("sync1", "2099-12-31");
    const json handover{{"cycle_id", open_cycle},
                        {"person_id", person_id},
                        {"search_reason", "kartu tertinggal di rumah"},
                        {"lon", 117.4987},
                        {"lat", 0.1342},
                        {"accuracy_m", 12},
                        {"note", "diterima sendiri"}};
    const json op{{"key", "k6-handover"},
                  {"seq", 1},
                  {"type", "aid.handover"},
                  {"at", instant(-std::chrono::hours(20))},
                  {"handover", handover}};
    const json first = send_batch(json::array({op}), penyalur_, "hp-penyalur");
    ASSERT_EQ(first["results"][0]["status"], "applied") << first.dump();
    const std::string delivery = first["results"][0]["delivery_id"];
    EXPECT_FALSE(delivery.empty());
    const json replay = send_batch(json::array({op}), penyalur_, "hp-penyalur");
    EXPECT_EQ(replay["results"][0]["delivery_id"], delivery);
    EXPECT_EQ(replay["results"][0]["replayed"], true);

    // Another phone recorded the same person offline too: refused on sync, with the reason.
    json second = op;
    second["key"] = "k6-handover-2";
    const json refused = send_batch(json::array({second}), penyalur_, "hp-lain");
    EXPECT_EQ(refused["results"][0]["status"], "rejected");
    EXPECT_EQ(refused["results"][0]["error"]["code"], "aid.already_delivered") << refused.dump();
    auto deliveries = server_->request(
        "GET", "/api/v1/aid/cycles/" + open_cycle + "/deliveries?person=" + person_id);
    ASSERT_TRUE(deliveries && deliveries->status == 200);
    EXPECT_EQ(json::parse(deliveries->body)["items"].size(), 1U) << deliveries->body;

    // A cycle that has ended: a handover made after its last day is refused; the device's
    // clock far ahead of the server's is refused.
    const std::string closed = programme("sync2", "2021-12-31");
    json late = op;
    late["key"] = "k6-late";
    late["handover"]["cycle_id"] = closed;
    const json too_late = send_batch(json::array({late}), penyalur_, "hp-penyalur");
    EXPECT_EQ(too_late["results"][0]["error"]["code"], "aid.cycle_closed") << too_late.dump();
    json ahead = op;
    ahead["key"] = "k6-ahead";
    ahead["at"] = instant(std::chrono::hours(2));
    const json future = send_batch(json::array({ahead}), penyalur_, "hp-penyalur");
    EXPECT_EQ(future["results"][0]["status"], "rejected") << future.dump();

    // The penyalur's pull carries the open cycle's list, this person served.
    auto pulled = server_->send("GET", "/api/v1/sync/pull", "", {}, penyalur_);
    ASSERT_TRUE(pulled && pulled->status == 200) << (pulled ? pulled->body : "");
    const json page = json::parse(pulled->body);
    EXPECT_TRUE(page["persons"].empty());
    bool served = false;
    for (const auto& cycle : page["handover"]) {
        EXPECT_NE(cycle["cycle_id"], closed);
        for (const auto& e : cycle["entries"]) {
            if (e["person_id"] == person_id) {
                served = e["delivered"].get<bool>();
            }
        }
    }
    EXPECT_TRUE(served) << pulled->body;
    // An operator may not hand over aid.
    json by_operator = op;
    by_operator["key"] = "k6-operator";
    const json forbidden = send_batch(json::array({by_operator}), utara_);
    EXPECT_EQ(forbidden["results"][0]["error"]["code"], "forbidden") << forbidden.dump();
}

TEST_F(SyncHttp, ThePullBringsTheAreasPersonsMaskedThenOnlyWhatChanged) {
    const std::string here = registered(107);
    json there_body = json::parse(person_json(108));
    there_body["address"]["kelurahan_code"] = "64.74.03.1001";
    auto there_made = server_->request("POST", "/api/v1/persons", there_body.dump());
    ASSERT_TRUE(there_made && there_made->status == 201) << (there_made ? there_made->body : "");
    const std::string there = json::parse(there_made->body)["id"];

    // Page by page to the end, two at a time.
    std::string since;
    std::set<std::string> seen;
    for (int pages = 0; pages < 100; ++pages) {
        auto res =
            server_->send("GET",
                          "/api/v1/sync/pull?limit=2" + (since.empty() ? "" : "&since=" + since),
                          "",
                          {},
                          utara_);
        ASSERT_TRUE(res && res->status == 200) << (res ? res->body : "");
        EXPECT_EQ(res->body.find("6474014703850107"), std::string::npos) << "NIK in clear";
        const json page = json::parse(res->body);
        for (const auto& p : page["persons"]) {
            EXPECT_EQ(p["address"]["kelurahan_code"].get<std::string>().rfind("64.74.01", 0), 0U);
            seen.insert(p["id"]);
        }
        since = page["next"];
        if (!page["more"].get<bool>()) {
            break;
        }
    }
    EXPECT_EQ(seen.count(here), 1U);
    EXPECT_EQ(seen.count(there), 0U);

    // Nothing changed: an empty page.
    auto quiet = server_->send("GET", "/api/v1/sync/pull?since=" + since, "", {}, utara_);
    ASSERT_TRUE(quiet && quiet->status == 200);
    EXPECT_TRUE(json::parse(quiet->body)["persons"].empty()) << quiet->body;

    // One edited, one moved away: the edit comes, the moved one is to be dropped.
    const std::string moving = registered(109);
    auto before = server_->send("GET", "/api/v1/sync/pull?since=" + since, "", {}, utara_);
    ASSERT_TRUE(before && before->status == 200);
    since = json::parse(before->body)["next"];
    change_online(here, {{"phone", "081200000071"}});
    change_online(moving,
                  {{"address",
                    {{"street", "Jl. Jauh"},
                     {"rt", "002"},
                     {"rw", "01"},
                     {"kelurahan_code", "64.74.03.1001"}}}});
    auto changed = server_->send("GET", "/api/v1/sync/pull?since=" + since, "", {}, utara_);
    ASSERT_TRUE(changed && changed->status == 200);
    const json delta = json::parse(changed->body);
    ASSERT_EQ(delta["persons"].size(), 1U) << changed->body;
    EXPECT_EQ(delta["persons"][0]["id"], here);
    EXPECT_EQ(delta["persons"][0]["phone"], "081200000071");
    EXPECT_EQ(delta["removed"], json::array({moving})) << changed->body;

    auto bad = server_->send("GET", "/api/v1/sync/pull?since=x.1.2", "", {}, utara_);
    ASSERT_TRUE(bad.has_value());
    EXPECT_EQ(bad->status, 422) << bad->body;
    EXPECT_NE(bad->body.find("since"), std::string::npos);
}

TEST_F(SyncHttp, APhotoTakenOfflineIsSetOnceAndAPhotoChangedMeanwhileIsAConflict) {
    const std::string id = registered(115);
    const json photo{{"media_type", "image/png"}, {"data", base64(kRedPhotoPng)}};
    const json op{{"key", "k9-photo"},
                  {"seq", 1},
                  {"type", "person.photo"},
                  {"at", instant()},
                  {"person_id", id},
                  {"base_version", 1},
                  {"photo", photo}};
    const json first = send_batch(json::array({op}), utara_);
    ASSERT_EQ(first["results"][0]["status"], "applied") << first.dump();
    EXPECT_EQ(first["results"][0]["version"], 2);
    const std::string photo_id = person(id)["photo_id"];
    EXPECT_FALSE(photo_id.empty());
    auto bytes = server_->request("GET", "/api/v1/persons/" + id + "/photo");
    ASSERT_TRUE(bytes && bytes->status == 200);
    EXPECT_EQ(bytes->body, as_body(kRedPhotoPng));
    const json again = send_batch(json::array({op}), utara_);
    EXPECT_EQ(again["results"][0]["replayed"], true);
    EXPECT_EQ(person(id)["version"], 2);

    // A picture too small to be a photo is refused, whatever else.
    json tiny = op;
    tiny["key"] = "k9-tiny";
    tiny["photo"]["data"] = base64(kTinyPng);
    const json refused = send_batch(json::array({tiny}), utara2_, "dev-b");
    EXPECT_EQ(refused["results"][0]["error"]["code"], "person.photo_invalid") << refused.dump();

    // Another device took a photo from version 1 too: the photo changed meanwhile.
    json other = op;
    other["key"] = "k9-photo-2";
    const json second = send_batch(json::array({other}), utara2_, "dev-b");
    ASSERT_EQ(second["results"][0]["status"], "conflict") << second.dump();
    EXPECT_EQ(second["results"][0]["fields"], json::array({"photo_id"}));
    EXPECT_EQ(person(id)["photo_id"], photo_id);
    const std::string conflict = second["results"][0]["conflict_id"];
    auto shown = server_->request("GET", "/api/v1/sync/conflicts/" + conflict);
    ASSERT_TRUE(shown && shown->status == 200);
    EXPECT_EQ(json::parse(shown->body)["photo"]["data"], base64(kRedPhotoPng));
    auto resolved = server_->request("POST",
                                     "/api/v1/sync/conflicts/" + conflict + "/resolve",
                                     json{{"version", 2},
                                          {"choose", {{"photo_id", "mine"}}},
                                          {"reason", "foto kedua lebih jelas"}}
                                         .dump());
    ASSERT_TRUE(resolved && resolved->status == 200) << (resolved ? resolved->body : "");
    // The device's photo is a new file in a new version.
    const json after = person(id);
    EXPECT_EQ(after["version"], 3);
    EXPECT_NE(after["photo_id"], photo_id);
}

TEST_F(SyncHttp, APhotoRemovedOfflineIsRemovedOnceAndAPhotoChangedMeanwhileIsAConflict) {
    const std::string id = registered(120);
    const json photo{{"media_type", "image/png"}, {"data", base64(kRedPhotoPng)}};
    const json set{{"key", "k14-set"},
                   {"seq", 1},
                   {"type", "person.photo"},
                   {"at", instant()},
                   {"person_id", id},
                   {"base_version", 1},
                   {"photo", photo}};
    ASSERT_EQ(send_batch(json::array({set}), utara_)["results"][0]["status"], "applied");
    ASSERT_FALSE(person(id)["photo_id"].get<std::string>().empty());

    // Removed on a device that had seen version 2 (the photo): removed once, in version 3.
    json removal = set;
    removal["key"] = "k14-remove";
    removal["seq"] = 2;
    removal["base_version"] = 2;
    removal["photo"] = nullptr;
    const json removed = send_batch(json::array({removal}), utara_);
    ASSERT_EQ(removed["results"][0]["status"], "applied") << removed.dump();
    EXPECT_EQ(removed["results"][0]["version"], 3);
    EXPECT_EQ(person(id)["photo_id"], "");
    auto gone = server_->request("GET", "/api/v1/persons/" + id + "/photo");
    ASSERT_TRUE(gone.has_value());
    EXPECT_EQ(gone->status, 404);
    EXPECT_EQ(send_batch(json::array({removal}), utara_)["results"][0]["replayed"], true);
    EXPECT_EQ(person(id)["version"], 3);

    // A second device removes it too, from version 2: it went meanwhile, which is what the
    // device wanted, so nothing is written and nothing is left to decide.
    json again = removal;
    again["key"] = "k14-remove-2";
    const json second = send_batch(json::array({again}), utara2_, "dev-b");
    EXPECT_EQ(second["results"][0]["status"], "merged") << second.dump();
    EXPECT_EQ(second["results"][0]["version"], 3);
    EXPECT_EQ(person(id)["version"], 3);

    // A photo set again meanwhile, and a device that removes it from the older version: a
    // conflict; the supervisor chooses the removal, and the photo goes.
    json reset = set;
    reset["key"] = "k14-set-again";
    reset["seq"] = 3;
    reset["base_version"] = 3;
    ASSERT_EQ(send_batch(json::array({reset}), utara_)["results"][0]["version"], 4);
    json late = removal;
    late["key"] = "k14-remove-late";
    late["base_version"] = 3;
    const json third = send_batch(json::array({late}), utara2_, "dev-b");
    ASSERT_EQ(third["results"][0]["status"], "conflict") << third.dump();
    EXPECT_FALSE(person(id)["photo_id"].get<std::string>().empty());
    const std::string conflict = third["results"][0]["conflict_id"];
    auto shown = server_->request("GET", "/api/v1/sync/conflicts/" + conflict);
    ASSERT_TRUE(shown && shown->status == 200);
    const json view = json::parse(shown->body);
    EXPECT_TRUE(view["photo"].is_null()) << shown->body;
    EXPECT_EQ(view["fields"][0]["mine"], "(foto dihapus di perangkat)");
    auto resolved = server_->request(
        "POST",
        "/api/v1/sync/conflicts/" + conflict + "/resolve",
        json{{"version", 4}, {"choose", {{"photo_id", "mine"}}}, {"reason", "foto tidak sesuai"}}
            .dump());
    ASSERT_TRUE(resolved && resolved->status == 200) << (resolved ? resolved->body : "");
    EXPECT_EQ(json::parse(resolved->body)["version"], 5);
    EXPECT_EQ(person(id)["photo_id"], "");

    // Neither a picture nor null is refused.
    json wrong = removal;
    wrong["key"] = "k14-wrong";
    wrong["photo"] = "hapus";
    const json refused = send_batch(json::array({wrong}), utara_);
    EXPECT_EQ(refused["results"][0]["error"]["errors"][0]["field"], "photo") << refused.dump();
}

TEST_F(SyncHttp, AnOpWaitingForOneThatWasRefusedIsRefusedToo) {
    json bad = create_op("k10-create", 1, device_person_id(20), 116);
    bad["person"]["nik"] = "12";
    const json refused = send_batch(json::array({bad}), utara_);
    EXPECT_EQ(refused["results"][0]["status"], "rejected");
    const json edit = send_batch(
        json::array({update_op(
            "k10-edit", 2, device_person_id(20), 1, {{"phone", "081200001010"}}, "k10-create")}),
        utara_);
    EXPECT_EQ(edit["results"][0]["status"], "rejected") << edit.dump();
    EXPECT_EQ(edit["results"][0]["error"]["errors"][0]["field"], "after") << edit.dump();

    // The other order: the edit waits, then its create is refused, and the edit with it.
    const json waiting = send_batch(
        json::array({update_op(
            "k10-edit2", 4, device_person_id(21), 1, {{"phone", "081200001011"}}, "k10-create2")}),
        utara_);
    EXPECT_EQ(waiting["results"][0]["status"], "waiting") << waiting.dump();
    json bad2 = create_op("k10-create2", 3, device_person_id(21), 117);
    bad2["person"]["nik"] = "34";
    const json refused2 = send_batch(json::array({bad2}), utara_);
    EXPECT_EQ(refused2["results"][0]["status"], "rejected");
    ASSERT_EQ(refused2["released"].size(), 1U) << refused2.dump();
    EXPECT_EQ(refused2["released"][0]["key"], "k10-edit2");
    EXPECT_EQ(refused2["released"][0]["status"], "rejected");
    const json asked = send_batch(
        json::array({update_op(
            "k10-edit2", 4, device_person_id(21), 1, {{"phone", "081200001011"}}, "k10-create2")}),
        utara_);
    EXPECT_EQ(asked["results"][0]["status"], "rejected") << asked.dump();
}

TEST_F(SyncHttp, AServiceRequestedOfflineIsOpenedOnceAndACardThatDoesNotVerifyIsRefused) {
    const std::string id = registered(119);
    const json op{{"key", "k12-service"},
                  {"seq", 1},
                  {"type", "service.request"},
                  {"at", instant()},
                  {"service",
                   {{"service", "pangan"}, {"note", "diminta saat kunjungan"}, {"person_id", id}}}};
    const json first = send_batch(json::array({op}), utara_);
    ASSERT_EQ(first["results"][0]["status"], "applied") << first.dump();
    EXPECT_EQ(first["results"][0]["person_id"], id);
    const std::string request_id = first["results"][0]["request_id"];
    const json again = send_batch(json::array({op}), utara_);
    EXPECT_EQ(again["results"][0]["replayed"], true);
    auto requests = server_->request("GET", "/api/v1/persons/" + id + "/service-requests");
    ASSERT_TRUE(requests && requests->status == 200) << (requests ? requests->body : "");
    const json listed = json::parse(requests->body);
    ASSERT_EQ(listed["items"].size(), 1U) << requests->body;
    EXPECT_EQ(listed["items"][0]["id"], request_id);
    EXPECT_EQ(listed["items"][0]["service"], "pangan");

    json unknown = op;
    unknown["key"] = "k12-unknown";
    unknown["service"]["service"] = "tidak_ada";
    const json refused = send_batch(json::array({unknown}), utara_);
    EXPECT_EQ(refused["results"][0]["error"]["code"], "service.unknown") << refused.dump();
    json forged = op;
    forged["key"] = "k12-forged";
    forged["service"].erase("person_id");
    forged["service"]["qr"] = "NCFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N";
    const json bad_card = send_batch(json::array({forged}), utara_);
    EXPECT_EQ(bad_card["results"][0]["status"], "rejected") << bad_card.dump();
    json by_penyalur = op;
    by_penyalur["key"] = "k12-penyalur";
    const json forbidden = send_batch(json::array({by_penyalur}), penyalur_, "hp");
    EXPECT_EQ(forbidden["results"][0]["error"]["code"], "forbidden") << forbidden.dump();
}

TEST_F(SyncHttp, AServiceRequestWhoseOnlineAnswerWasLostIsOpenedOnceWhenSentAgainOrQueued) {
    const std::string id = registered(121);
    const std::string path = "/api/v1/persons/" + id + "/service-requests";
    const json body{{"service", "pangan"}, {"note", "beras 10 kg"}};
    const auto post = [&](const std::string& target, const json& b, const std::string& key) {
        auto res = server_->send("POST", target, b.dump(), {{"Idempotency-Key", key}}, utara_);
        EXPECT_TRUE(res.has_value());
        return res ? *res : HttpResponse{};
    };
    const auto first = post(path, body, "svc-1");
    ASSERT_EQ(first.status, 201) << first.body;
    const std::string request_id = json::parse(first.body)["id"];
    EXPECT_EQ(first.header("Location"), "/api/v1/service-requests/" + request_id);
    const auto again = post(path, body, "svc-1");
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
    EXPECT_EQ(json::parse(again.body)["id"], request_id);
    json other = body;
    other["note"] = "beras 5 kg";
    const auto reused = post(path, other, "svc-1");
    EXPECT_EQ(reused.status, 409) << reused.body;
    EXPECT_EQ(json::parse(reused.body)["code"], "idempotency_key_reused");
    const auto empty_key = post(path, body, "");
    EXPECT_EQ(empty_key.status, 422) << empty_key.body;

    // The answer was lost, so the device queued the request under the same key.
    const json op{{"key", "svc-1"},
                  {"seq", 1},
                  {"type", "service.request"},
                  {"at", instant()},
                  {"service", {{"service", "pangan"}, {"note", "beras 10 kg"}, {"person_id", id}}}};
    const json queued = send_batch(json::array({op}), utara_, "hp-svc");
    ASSERT_EQ(queued["results"][0]["status"], "applied") << queued.dump();
    EXPECT_EQ(queued["results"][0]["request_id"], request_id);

    // By card scan: the same, with the card's number on the request.
    auto card = server_->request("POST", "/api/v1/persons/" + id + "/cards", "{}");
    ASSERT_TRUE(card && card->status == 201) << (card ? card->body : "");
    const std::string qr = json::parse(card->body)["qr"];
    const json scan{{"qr", qr}, {"service", "alat_bantu"}, {"note", ""}};
    const auto scanned = post("/api/v1/service-requests/scan", scan, "svc-2");
    ASSERT_EQ(scanned.status, 201) << scanned.body;
    const auto scanned_again = post("/api/v1/service-requests/scan", scan, "svc-2");
    ASSERT_EQ(scanned_again.status, 200) << scanned_again.body;
    EXPECT_EQ(json::parse(scanned_again.body)["id"], json::parse(scanned.body)["id"]);
    json scan_op = op;
    scan_op["key"] = "svc-2";
    scan_op["service"] = scan;
    const json queued_scan = send_batch(json::array({scan_op}), utara_, "hp-svc");
    EXPECT_EQ(queued_scan["results"][0]["request_id"], json::parse(scanned.body)["id"])
        << queued_scan.dump();

    auto listed = server_->request("GET", path);
    ASSERT_TRUE(listed && listed->status == 200);
    const json items = json::parse(listed->body)["items"];
    EXPECT_EQ(items.size(), 2U) << listed->body;
}

TEST_F(SyncHttp, TheSignedInUserLearnsHowLongADeviceKeepsOfflineData) {
    auto me = server_->send("GET", "/api/v1/auth/me", "", {}, utara_);
    ASSERT_TRUE(me && me->status == 200);
    EXPECT_EQ(json::parse(me->body)["offline_wipe_days"], 7) << me->body;
}

TEST_F(SyncHttp, AMalformedBatchIsRefusedWholeNamingTheOpAndTheField) {
    auto no_device = server_->send(
        "POST", "/api/v1/sync/batch", json{{"ops", json::array()}}.dump(), {}, utara_);
    ASSERT_TRUE(no_device.has_value());
    EXPECT_EQ(no_device->status, 422) << no_device->body;
    EXPECT_NE(no_device->body.find("device_id"), std::string::npos);
    json op = create_op("k8-create", 1, device_person_id(8), 110);
    op.erase("seq");
    auto no_seq = server_->send("POST",
                                "/api/v1/sync/batch",
                                json{{"device_id", "d"}, {"ops", json::array({op})}}.dump(),
                                {},
                                utara_);
    ASSERT_TRUE(no_seq.has_value());
    EXPECT_EQ(no_seq->status, 422) << no_seq->body;
    EXPECT_NE(no_seq->body.find("ops[0].seq"), std::string::npos) << no_seq->body;
    auto nothing = server_->request("GET", "/api/v1/persons/" + device_person_id(8));
    ASSERT_TRUE(nothing.has_value());
    EXPECT_EQ(nothing->status, 404);
    auto not_json = server_->send("POST", "/api/v1/sync/batch", "{", {}, utara_);
    ASSERT_TRUE(not_json.has_value());
    EXPECT_EQ(not_json->status, 400);
    // A viewer sends nothing.
    auto viewer =
        server_->send("POST",
                      "/api/v1/sync/batch",
                      json{{"device_id", "d"},
                           {"ops", json::array({create_op("k8-v", 1, device_person_id(9), 111)})}}
                          .dump(),
                      {},
                      viewer_);
    ASSERT_TRUE(viewer.has_value());
    EXPECT_EQ(viewer->status, 403);
    // A person registered outside the operator's areas, and one that does not validate: each
    // refused with its reason; the good op between them is kept.
    json outside = create_op("k8-outside", 1, device_person_id(10), 112);
    outside["person"]["address"]["kelurahan_code"] = "64.74.03.1001";
    json invalid = create_op("k8-invalid", 3, device_person_id(12), 114);
    invalid["person"]["nik"] = "12";
    const json mixed = send_batch(
        json::array({outside, create_op("k8-good", 2, device_person_id(11), 113), invalid}),
        utara_);
    EXPECT_EQ(mixed["results"][0]["error"]["code"], "forbidden") << mixed.dump();
    EXPECT_EQ(mixed["results"][1]["status"], "applied");
    EXPECT_EQ(mixed["results"][2]["status"], "rejected");
    EXPECT_EQ(mixed["results"][2]["error"]["errors"][0]["field"], "nik") << mixed.dump();
}

} // namespace
} // namespace kapal::testing
