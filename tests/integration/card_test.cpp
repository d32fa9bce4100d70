// The card's life against the real server and CLI: issue, refuse a second active card,
// reissue (the old card then verifies as revoked), the print queue, revoke with a reason, the
// signed revocation list an offline verifier downloads, and the same through `kapal card`.

#include "kapal/card/card_key.hpp"
#include "kapal/card/card_number.hpp"
#include "kapal/card/credential.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

json body_of(const std::optional<HttpResponse>& r) {
    EXPECT_TRUE(r.has_value());
    return r ? json::parse(r->body, nullptr, false) : json();
}

/// The instance's public keys, read from /.well-known/kapal-keys.json as a verifier would.
std::vector<card::VerificationKey> published_keys(KapalServer& server) {
    const auto keys = body_of(server.send("GET", "/.well-known/kapal-keys.json", "", {}, {}));
    std::vector<card::VerificationKey> out;
    for (const auto& k : keys["keys"]) {
        const auto hex = k["public_key_hex"].get<std::string>();
        std::vector<std::uint8_t> bytes;
        for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
            bytes.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
        }
        out.push_back({k["kid"].get<std::string>(), card::CoseAlgorithm::EdDSA, bytes});
    }
    return out;
}

class Cards : public ::testing::Test {
  protected:
    void SetUp() override {
        server_.start();
        auto created = server_.request("POST", "/api/v1/persons", person_json(1));
        ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "");
        person_ = json::parse(created->body)["id"].get<std::string>();
    }

    std::optional<HttpResponse> issue(const std::string& body = "") {
        return server_.request("POST", "/api/v1/persons/" + person_ + "/cards", body);
    }

    json verify(const std::string& qr) {
        return body_of(
            server_.send("POST", "/api/v1/cards/verify", json{{"qr", qr}}.dump(), {}, {}));
    }

    KapalServer server_;
    std::string person_;
};

TEST_F(Cards, IssueReissueAndTheOldCardVerifiesAsRevoked) {
    auto first = issue();
    ASSERT_TRUE(first.has_value());
    ASSERT_EQ(first->status, 201) << first->body;
    const json card1 = json::parse(first->body);
    const std::string number1 = card1["number"];
    EXPECT_TRUE(card::parse_card_number(number1).has_value()) << number1;
    EXPECT_EQ(number1.substr(0, 4), "6474");
    EXPECT_EQ(first->header("Location"), "/api/v1/cards/" + number1);
    EXPECT_EQ(card1["state"], "active");
    EXPECT_EQ(card1["stage"], "to_print");
    EXPECT_EQ(card1["person_id"], person_);
    EXPECT_EQ(card1["kelurahan_code"], "64.74.01.1003");

    auto valid = verify(card1["qr"]);
    EXPECT_EQ(valid["status"], "valid") << valid.dump();
    EXPECT_EQ(valid["card"]["full_name"], "Siti Aminah");
    EXPECT_EQ(valid["registry"]["state"], "active");

    auto again = issue();
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->status, 409) << again->body;
    EXPECT_EQ(json::parse(again->body)["type"].get<std::string>().find("card.already_active") !=
                  std::string::npos,
              true)
        << again->body;

    auto bad_reason = issue(R"({"replace_reason":"bosan"})");
    ASSERT_TRUE(bad_reason.has_value());
    EXPECT_EQ(bad_reason->status, 422) << bad_reason->body;
    auto unknown_field = issue(R"({"reason":"hilang"})");
    ASSERT_TRUE(unknown_field.has_value());
    EXPECT_EQ(unknown_field->status, 422);
    EXPECT_EQ(json::parse(unknown_field->body)["errors"][0]["field"], "reason");

    auto second = issue(R"({"replace_reason":"hilang"})");
    ASSERT_TRUE(second.has_value());
    ASSERT_EQ(second->status, 201) << second->body;
    const json card2 = json::parse(second->body);
    EXPECT_NE(card2["number"], number1);

    auto old = verify(card1["qr"]);
    EXPECT_EQ(old["status"], "revoked") << old.dump();
    EXPECT_EQ(old["valid"], false);
    EXPECT_EQ(old["where"], "registry");
    EXPECT_EQ(old["registry"]["revoke_reason"], "hilang");
    EXPECT_EQ(old["registry"]["replaced_by"], card2["number_formatted"]);
    EXPECT_EQ(verify(card2["qr"])["status"], "valid");

    auto history = body_of(server_.request("GET", "/api/v1/persons/" + person_ + "/cards"));
    ASSERT_EQ(history["items"].size(), 2U) << history.dump();
    EXPECT_EQ(history["items"][0]["number"], card2["number"]) << "newest first";
    EXPECT_EQ(history["items"][1]["state"], "revoked");

    // One card by its printed number, dashes and all.
    auto one =
        server_.request("GET", "/api/v1/cards/" + card2["number_formatted"].get<std::string>());
    ASSERT_TRUE(one.has_value());
    EXPECT_EQ(one->status, 200) << one->body;
    auto typo = server_.request("GET", "/api/v1/cards/647400000000");
    ASSERT_TRUE(typo.has_value());
    EXPECT_EQ(typo->status, 422) << "a wrong check digit is refused before any lookup";
}

TEST_F(Cards, ThePrintQueueAndRevocationWithAReason) {
    const json card = body_of(issue());
    const std::string number = card["number"];
    auto queue = body_of(server_.request("GET", "/api/v1/cards?stage=to_print"));
    ASSERT_EQ(queue["items"].size(), 1U) << queue.dump();
    EXPECT_EQ(queue["items"][0]["number"], number);

    auto printed =
        server_.request("POST", "/api/v1/cards/printed", json{{"numbers", {number}}}.dump());
    ASSERT_TRUE(printed.has_value());
    ASSERT_EQ(printed->status, 200) << printed->body;
    EXPECT_EQ(json::parse(printed->body)["changed"], 1);
    EXPECT_TRUE(body_of(server_.request("GET", "/api/v1/cards?stage=to_print"))["items"].empty());
    auto to_hand = body_of(server_.request("GET", "/api/v1/cards?stage=to_hand_over"));
    ASSERT_EQ(to_hand["items"].size(), 1U);
    auto handed =
        server_.request("POST", "/api/v1/cards/handed-over", json{{"numbers", {number}}}.dump());
    ASSERT_TRUE(handed.has_value());
    EXPECT_EQ(handed->status, 200) << handed->body;
    auto now = body_of(server_.request("GET", "/api/v1/cards/" + number));
    EXPECT_EQ(now["stage"], "handed_over");
    EXPECT_FALSE(now["printed_at"].is_null());

    auto bad_stage = server_.request("GET", "/api/v1/cards?stage=printed");
    ASSERT_TRUE(bad_stage.has_value());
    EXPECT_EQ(bad_stage->status, 400);
    EXPECT_EQ(json::parse(bad_stage->body)["errors"][0]["field"], "stage");
    auto empty = server_.request("POST", "/api/v1/cards/printed", R"({"numbers":[]})");
    ASSERT_TRUE(empty.has_value());
    EXPECT_EQ(empty->status, 422);

    const std::string revoke = "/api/v1/cards/" + number + "/revoke";
    auto no_reason = server_.request("POST", revoke, R"({"note":"x"})");
    ASSERT_TRUE(no_reason.has_value());
    EXPECT_EQ(no_reason->status, 422);
    EXPECT_EQ(json::parse(no_reason->body)["errors"][0]["field"], "reason");
    auto unknown = server_.request("POST", revoke, R"({"reason":"bosan"})");
    ASSERT_TRUE(unknown.has_value());
    EXPECT_EQ(unknown->status, 422);
    auto revoked = server_.request("POST", revoke, R"({"reason":"penipuan","note":"NIK ganda"})");
    ASSERT_TRUE(revoked.has_value());
    ASSERT_EQ(revoked->status, 200) << revoked->body;
    EXPECT_EQ(json::parse(revoked->body)["state"], "revoked");
    EXPECT_EQ(json::parse(revoked->body)["revoke_note"], "NIK ganda");
    auto twice = server_.request("POST", revoke, R"({"reason":"penipuan"})");
    ASSERT_TRUE(twice.has_value());
    EXPECT_EQ(twice->status, 409);
    EXPECT_EQ(verify(card["qr"])["status"], "revoked");

    // Marking a revoked card printed is refused, and nothing changes.
    auto late =
        server_.request("POST", "/api/v1/cards/printed", json{{"numbers", {number}}}.dump());
    ASSERT_TRUE(late.has_value());
    EXPECT_EQ(late->status, 409);

    // The audit log names every step.
    const auto audit =
        server_.sql("SELECT action FROM audit_log WHERE action LIKE 'card.%' ORDER BY seq");
    EXPECT_EQ(audit, "card.issue\ncard.printed\ncard.handed_over\ncard.revoke\n");
}

TEST_F(Cards, TheRevocationListIsSignedAndReadableByAnOfflineVerifier) {
    const json first = body_of(issue());
    const json second = body_of(issue(R"({"replace_reason":"rusak"})"));
    auto r = server_.send("GET", "/.well-known/kapal-revocations", "", {}, {});
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->header("Content-Type").rfind("application/cose", 0), 0U);
    EXPECT_EQ(r->header("Access-Control-Allow-Origin"), "*");
    const std::vector<std::uint8_t> bytes(r->body.begin(), r->body.end());
    auto list = card::verify_revocation_list(bytes, published_keys(server_));
    ASSERT_TRUE(list.has_value()) << list.error().message;
    ASSERT_EQ(list->cards.size(), 1U);
    EXPECT_EQ(list->cards[0].number, first["number"]);
    EXPECT_EQ(list->cards[0].reason, "rusak");

    // The CLI writes the same list (signed at its own moment) to a file.
    const std::string file = server_.dir() + "/revocations.cose";
    auto written = server_.cli({"card", "revocations", "--out", file});
    ASSERT_EQ(written.exit_code, 0) << written.output;
    std::ifstream in(file, std::ios::binary);
    const std::vector<std::uint8_t> from_cli{std::istreambuf_iterator<char>(in), {}};
    auto again = card::verify_revocation_list(from_cli, published_keys(server_));
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_EQ(again->cards, list->cards);
    EXPECT_NE(second["number"], first["number"]);
}

TEST_F(Cards, TheCommandLineIssuesListsRevokesAndVerifies) {
    auto issued = server_.cli({"card", "issue", "--person", person_});
    ASSERT_EQ(issued.exit_code, 0) << issued.output;
    EXPECT_EQ(issued.output.rfind("issued card 6474-", 0), 0U) << issued.output;
    const std::string number = issued.output.substr(12, 14); // 6474-NNNNNNN-C

    auto refused = server_.cli({"card", "issue", "--person", person_});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.output.find("kartu aktif"), std::string::npos) << refused.output;

    auto listed = server_.cli({"card", "list", "--stage", "to_print"});
    ASSERT_EQ(listed.exit_code, 0) << listed.output;
    EXPECT_EQ(listed.output.rfind(number + "  active (to print)", 0), 0U) << listed.output;

    const auto qr = body_of(server_.request("GET", "/api/v1/cards/" + number))["qr"];
    auto ok = server_.cli({"card", "verify", "--qr", qr});
    EXPECT_EQ(ok.exit_code, 0) << ok.output;

    auto revoked = server_.cli({"card", "revoke", "--card", number, "--reason", "pindah"});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.output;
    EXPECT_EQ(revoked.output, "revoked card " + number + " (pindah)\n");
    auto bad = server_.cli({"card", "revoke", "--card", number, "--reason", "pindah"});
    EXPECT_NE(bad.exit_code, 0);

    auto now_revoked = server_.cli({"card", "verify", "--qr", qr});
    EXPECT_EQ(now_revoked.exit_code, 1);
    EXPECT_EQ(now_revoked.output.rfind("revoked (registry: revoked (pindah))", 0), 0U)
        << now_revoked.output;
    auto history = server_.cli({"card", "list", "--person", person_});
    ASSERT_EQ(history.exit_code, 0);
    EXPECT_NE(history.output.find("revoked"), std::string::npos) << history.output;
}

TEST_F(Cards, TheCardOpensServicesWhoseRequestsKeepEveryStep) {
    const auto catalogue = body_of(server_.request("GET", "/api/v1/services"));
    ASSERT_EQ(catalogue["items"].size(), 13U) << catalogue.dump();
    EXPECT_EQ(catalogue["items"][0]["code"], "data_pengaduan");

    const std::string requests = "/api/v1/persons/" + person_ + "/service-requests";
    auto opened = server_.request("POST", requests, R"({"service":"pangan","note":"Beras 10 kg"})");
    ASSERT_TRUE(opened.has_value());
    ASSERT_EQ(opened->status, 201) << opened->body;
    EXPECT_EQ(opened->header("ETag"), "\"1\"");
    const std::string id = json::parse(opened->body)["id"];
    const std::string status = "/api/v1/service-requests/" + id + "/status";
    auto no_match = server_.request("POST", status, R"({"status":"diproses"})");
    ASSERT_TRUE(no_match.has_value());
    EXPECT_EQ(no_match->status, 428);
    auto step =
        server_.request("POST", status, R"({"status":"diproses"})", {{"If-Match", "\"1\""}});
    ASSERT_TRUE(step.has_value());
    EXPECT_EQ(step->status, 200) << step->body;
    auto stale =
        server_.request("POST", status, R"({"status":"selesai"})", {{"If-Match", "\"1\""}});
    ASSERT_TRUE(stale.has_value());
    EXPECT_EQ(stale->status, 412);
    auto done = server_.request(
        "POST", status, R"({"status":"selesai","note":"Diserahkan"})", {{"If-Match", "\"2\""}});
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->status, 200) << done->body;
    auto final_state =
        server_.request("POST", status, R"({"status":"diproses"})", {{"If-Match", "\"3\""}});
    ASSERT_TRUE(final_state.has_value());
    EXPECT_EQ(final_state->status, 409) << final_state->body;
    auto read = body_of(server_.request("GET", "/api/v1/service-requests/" + id));
    EXPECT_EQ(read["status"], "selesai");
    ASSERT_EQ(read["history"].size(), 3U);
    EXPECT_EQ(read["history"][2]["note"], "Diserahkan");

    // Opened by scanning the card; a revoked card opens nothing.
    const json card = body_of(issue());
    auto scanned = server_.request("POST",
                                   "/api/v1/service-requests/scan",
                                   json{{"qr", card["qr"]}, {"service", "alat_bantu"}}.dump());
    ASSERT_TRUE(scanned.has_value());
    ASSERT_EQ(scanned->status, 201) << scanned->body;
    EXPECT_EQ(json::parse(scanned->body)["card_number"], card["number"]);
    EXPECT_EQ(json::parse(scanned->body)["person_id"], person_);
    ASSERT_EQ(server_
                  .request("POST",
                           "/api/v1/cards/" + card["number"].get<std::string>() + "/revoke",
                           R"({"reason":"hilang"})")
                  ->status,
              200);
    auto refused = server_.request("POST",
                                   "/api/v1/service-requests/scan",
                                   json{{"qr", card["qr"]}, {"service", "alat_bantu"}}.dump());
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->status, 422) << refused->body;
    EXPECT_NE(refused->body.find("revoked"), std::string::npos) << refused->body;

    // A retired service is kept in the catalogue but opens no new request.
    auto retired = server_.request("PUT",
                                   "/api/v1/services/pangan",
                                   R"({"name":"Bantuan pangan","active":false,"position":4})");
    ASSERT_TRUE(retired.has_value());
    EXPECT_EQ(retired->status, 200) << retired->body;
    auto unknown = server_.request("POST", requests, R"({"service":"pangan"})");
    ASSERT_TRUE(unknown.has_value());
    EXPECT_EQ(unknown->status, 422);
    EXPECT_NE(unknown->body.find("service.unknown"), std::string::npos) << unknown->body;
    auto listed = body_of(server_.request("GET", requests));
    ASSERT_EQ(listed["items"].size(), 2U);
    EXPECT_EQ(listed["items"][0]["service"], "alat_bantu") << "newest first";
}

/// The page count pdfinfo reads from a PDF file; -1 when it cannot.
int pdf_pages(const std::string& file) {
    const auto info = run({"/usr/bin/pdfinfo", file});
    const auto at = info.output.find("Pages:");
    return info.exit_code == 0 && at != std::string::npos ? std::stoi(info.output.substr(at + 6))
                                                          : -1;
}

TEST_F(Cards, TheCardIsRenderedPrintedOnSheetsAndVerifiedFromItsPicture) {
    const json card = body_of(issue());
    const std::string number = card["number"];
    auto png = server_.request("GET", "/api/v1/cards/" + number + "/image");
    ASSERT_TRUE(png.has_value());
    ASSERT_EQ(png->status, 200) << png->body;
    EXPECT_EQ(png->header("Content-Type"), "image/png");
    ASSERT_GT(png->body.size(), 24U);
    EXPECT_EQ(png->body.substr(1, 3), "PNG");
    const auto be32 = [&](std::size_t at) {
        std::uint32_t v = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            v = (v << 8U) | static_cast<unsigned char>(png->body[at + i]);
        }
        return v;
    };
    EXPECT_EQ(be32(16), 1011U) << "ID-1 at 300 dpi";
    EXPECT_EQ(be32(20), 638U);
    auto pdf = server_.request("GET", "/api/v1/cards/" + number + "/image?format=pdf");
    ASSERT_TRUE(pdf.has_value());
    EXPECT_EQ(pdf->status, 200);
    EXPECT_EQ(pdf->body.substr(0, 5), "%PDF-");
    auto bad = server_.request("GET", "/api/v1/cards/" + number + "/image?side=middle");
    ASSERT_TRUE(bad.has_value());
    EXPECT_EQ(bad->status, 400);

    auto sheet = server_.request("GET", "/api/v1/cards/sheet?kelurahan=64.74.01");
    ASSERT_TRUE(sheet.has_value());
    ASSERT_EQ(sheet->status, 200) << sheet->body;
    const std::string sheet_file = server_.dir() + "/lembar.pdf";
    std::ofstream(sheet_file, std::ios::binary) << sheet->body;
    EXPECT_EQ(pdf_pages(sheet_file), 2) << "one page of fronts, one of backs";
    auto empty = server_.request("GET", "/api/v1/cards/sheet?kelurahan=64.74.02");
    ASSERT_TRUE(empty.has_value());
    EXPECT_EQ(empty->status, 404);

    // The command line: render the person's card, read it back from the picture, print a sheet.
    const std::string front = server_.dir() + "/kartu.png";
    auto rendered = server_.cli({"card", "render", "--person", person_, "--out", front});
    ASSERT_EQ(rendered.exit_code, 0) << rendered.output;
    auto verified = server_.cli({"card", "verify", "--image", front});
    EXPECT_EQ(verified.exit_code, 0) << verified.output;
    EXPECT_EQ(verified.output.rfind("valid\n", 0), 0U) << verified.output;
    EXPECT_NE(verified.output.find(card["number_formatted"].get<std::string>()), std::string::npos);
    const std::string cli_sheet = server_.dir() + "/cli-lembar.pdf";
    auto printed =
        server_.cli({"card", "sheet", "--kelurahan", "64.74.01.1003", "--out", cli_sheet});
    ASSERT_EQ(printed.exit_code, 0) << printed.output;
    EXPECT_EQ(pdf_pages(cli_sheet), 2);
    auto no_card = server_.cli({"card", "render", "--card", "6474-0000009-0", "--out", front});
    EXPECT_NE(no_card.exit_code, 0);
}

} // namespace
} // namespace kapal::testing
