// The card signing key: created at init (private, 0600), published at
// /.well-known/kapal-keys.json to anyone, rotated with `kapal keys rotate --card` while old
// public keys stay published, and an interrupted rotation settled by the next command.

#include "kapal/card/card_number.hpp"
#include "kapal/card/credential.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <array>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

std::string read_text(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

unsigned mode_of(const std::string& file) {
    struct stat st {};

    EXPECT_EQ(::stat(file.c_str(), &st), 0) << file;
    return st.st_mode & 0777;
}

/// The key lines of card-keys.txt (comments skipped).
std::vector<std::string> key_lines(const std::string& dir) {
    std::vector<std::string> out;
    std::istringstream in(read_text(dir + "/keys/card-keys.txt"));
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] != '#') {
            out.push_back(line);
        }
    }
    return out;
}

std::string kid_of(const std::string& line) {
    return line.substr(0, line.find(' '));
}

json well_known_keys(KapalServer& server) {
    auto r = server.send("GET", "/.well-known/kapal-keys.json", "", {}, Credentials{});
    EXPECT_TRUE(r);
    if (!r) {
        return json();
    }
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->header("Cache-Control"), "public, max-age=3600");
    return json::parse(r->body);
}

TEST(CardKeys, InitCreatesAPrivateSigningKeyAndPublishesItsPublicHalfToAnyone) {
    KapalServer server;
    EXPECT_EQ(mode_of(server.dir() + "/keys/card.key"), 0600U);
    const auto lines = key_lines(server.dir());
    ASSERT_EQ(lines.size(), 1U);
    const std::string kid = kid_of(lines[0]);
    EXPECT_EQ(kid.size(), 8U);

    server.start();
    const auto doc = well_known_keys(server); // anonymous: no credentials at all
    ASSERT_EQ(doc["keys"].size(), 1U);
    const auto& k = doc["keys"][0];
    EXPECT_EQ(k["kid"], kid);
    EXPECT_EQ(k["kty"], "OKP");
    EXPECT_EQ(k["crv"], "Ed25519");
    EXPECT_EQ(k["alg"], "EdDSA");
    EXPECT_EQ(k["status"], "current");
    EXPECT_EQ(k["x"].get<std::string>().size(), 43U); // 32 bytes, base64url, no padding
    EXPECT_NE(lines[0].find(k["public_key_hex"].get<std::string>()), std::string::npos);
    // The private key is nowhere in the answer.
    const std::string seed = read_text(server.dir() + "/keys/card.key").substr(0, 64);
    EXPECT_EQ(doc.dump().find(seed), std::string::npos);
}

TEST(CardKeys, RotationKeepsOldPublicKeysPublishedAndDeletesTheOldPrivateKey) {
    KapalServer server;
    const std::string first_kid = kid_of(key_lines(server.dir()).at(0));
    const std::string first_seed = read_text(server.dir() + "/keys/card.key");
    const std::string data_key = read_text(server.dir() + "/keys/data.key");

    server.start();
    const auto busy = server.cli({"keys", "rotate", "--card"});
    EXPECT_NE(busy.exit_code, 0);
    EXPECT_NE(busy.output.find("stop it first"), std::string::npos) << busy.output;
    server.stop(SIGTERM);

    const auto rotated = server.cli({"keys", "rotate", "--card", "--reason", "jadwal tahunan"});
    ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
    const auto lines = key_lines(server.dir());
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_EQ(kid_of(lines[0]), first_kid);
    const std::string second_kid = kid_of(lines[1]);
    EXPECT_NE(second_kid, first_kid);
    EXPECT_NE(rotated.output.find(second_kid), std::string::npos) << rotated.output;
    EXPECT_NE(read_text(server.dir() + "/keys/card.key"), first_seed);
    EXPECT_EQ(mode_of(server.dir() + "/keys/card.key"), 0600U);
    EXPECT_EQ(read_text(server.dir() + "/keys/data.key"), data_key); // field keys untouched
    for (const auto& e : std::filesystem::directory_iterator(server.dir() + "/keys")) {
        if (e.path().filename() != "card.key" && e.path().filename() != "data.key" &&
            e.path().filename() != "index.key") {
            EXPECT_EQ(read_text(e.path().string()).find(first_seed.substr(0, 64)),
                      std::string::npos)
                << "the old private key survives in " << e.path();
        }
    }
    const auto audit = server.cli({"audit", "--action", "card_key.rotate"});
    EXPECT_NE(audit.output.find(second_kid), std::string::npos) << audit.output;
    EXPECT_NE(audit.output.find("jadwal tahunan"), std::string::npos) << audit.output;

    server.start();
    const auto doc = well_known_keys(server);
    ASSERT_EQ(doc["keys"].size(), 2U);
    EXPECT_EQ(doc["keys"][0]["kid"], second_kid); // newest first
    EXPECT_EQ(doc["keys"][0]["status"], "current");
    EXPECT_EQ(doc["keys"][1]["kid"], first_kid);
    EXPECT_EQ(doc["keys"][1]["status"], "retired");
    EXPECT_TRUE(doc["keys"][1].contains("retired"));
}

TEST(CardKeys, AnInterruptedRotationIsSettledByTheNextCommand) {
    KapalServer server;
    const std::string keys = server.dir() + "/keys/";
    ASSERT_EQ(server.cli({"keys", "rotate", "--card"}).exit_code, 0);
    const auto lines = key_lines(server.dir());
    ASSERT_EQ(lines.size(), 2U);
    // A crash after the list was written, before card.key was replaced: put the new key back
    // as card.key.new and an unrelated old one in place. The list already has the new key, so
    // the next command installs it.
    std::filesystem::rename(keys + "card.key", keys + "card.key.new");
    {
        std::ofstream old(keys + "card.key");
        old << std::string(64, '1') << "\n";
    }
    ::chmod((keys + "card.key").c_str(), 0600);
    const auto check = server.cli({"check"});
    ASSERT_EQ(check.exit_code, 0) << check.output;
    EXPECT_FALSE(std::filesystem::exists(keys + "card.key.new"));
    EXPECT_EQ(key_lines(server.dir()).size(), 2U);

    // A crash before the list was written: card.key.new is not listed and is dropped.
    {
        std::ofstream stray(keys + "card.key.new");
        stray << std::string(64, '2') << "\n";
    }
    ::chmod((keys + "card.key.new").c_str(), 0600);
    const std::string current = read_text(keys + "card.key");
    ASSERT_EQ(server.cli({"check"}).exit_code, 0);
    EXPECT_FALSE(std::filesystem::exists(keys + "card.key.new"));
    EXPECT_EQ(read_text(keys + "card.key"), current);
}

TEST(CardKeys, ADataDirectoryFromBeforeCardsGetsItsFirstKeyAndAWrongKeyIsRefused) {
    KapalServer server;
    const std::string keys = server.dir() + "/keys/";
    std::filesystem::remove(keys + "card.key");
    std::filesystem::remove(keys + "card-keys.txt");
    ASSERT_EQ(server.cli({"check"}).exit_code, 0);
    EXPECT_EQ(key_lines(server.dir()).size(), 1U);
    EXPECT_EQ(mode_of(keys + "card.key"), 0600U);

    // A card.key that is not the list's current key (restored from another backup).
    {
        std::ofstream other(keys + "card.key", std::ios::trunc);
        other << std::string(64, '3') << "\n";
    }
    const auto refused = server.cli({"check"});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.output.find("is not the current key"), std::string::npos) << refused.output;
}

/// A credential signed with the instance's current card key (read from DIR/keys/card.key, as
/// the issuing code will), for `kapal card verify`.
std::string sign_with_instance_key(const std::string& dir, const std::string& name) {
    const std::string hex = read_text(dir + "/keys/card.key").substr(0, 64);
    std::array<std::uint8_t, 32> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) {
        seed[i] = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    }
    core::Person p;
    p.full_name = name;
    p.sex = core::Sex::Male;
    p.birth_date = core::make_date(1970, 1, 2);
    p.address = {"Jl. Awang Long", "001", "002", "64.74.01.1003"};
    p.categories = {core::Category::SensorikNetra};
    p.assistive_devices = {"tongkat_netra"};
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    const auto c = card::person_credential(
        p,
        card::CardFacts{
            card::make_card_number("6474", 42), "https://kapal.test", now_s - 60, now_s + 86400});
    return card::encode_credential(c, card::card_key_from_seed(seed)).qr_text;
}

TEST(CardKeys, CardVerifyChecksWithCurrentAndRetiredKeys) {
    KapalServer server;
    const auto old_card = sign_with_instance_key(server.dir(), "Budi Santoso");
    auto valid = server.cli({"card", "verify", "--qr", old_card});
    EXPECT_EQ(valid.exit_code, 0) << valid.output;
    EXPECT_EQ(valid.output.rfind("valid\n", 0), 0U) << valid.output;
    EXPECT_NE(valid.output.find("6474-0000042-"), std::string::npos) << valid.output;
    EXPECT_NE(valid.output.find("Budi Santoso"), std::string::npos) << valid.output;
    EXPECT_NE(valid.output.find("sensorik_netra"), std::string::npos) << valid.output;
    EXPECT_NE(valid.output.find("tongkat_netra"), std::string::npos) << valid.output;

    ASSERT_EQ(server.cli({"keys", "rotate", "--card"}).exit_code, 0);
    const auto after = server.cli({"card", "verify", "--qr", old_card});
    EXPECT_EQ(after.exit_code, 0) << "a card signed before the rotation: " << after.output;
    const auto new_card = sign_with_instance_key(server.dir(), "Budi Santoso");
    EXPECT_EQ(server.cli({"card", "verify", "--qr", new_card}).exit_code, 0);

    // Signed with a key this instance never had.
    std::array<std::uint8_t, 32> stranger{};
    stranger.fill(9);
    core::Person p;
    p.full_name = "Palsu";
    p.birth_date = core::make_date(1980, 1, 1);
    const auto forged = card::encode_credential(
        card::person_credential(
            p, card::CardFacts{card::make_card_number("6474", 43), "x", 0, 4102444800}),
        card::card_key_from_seed(stranger));
    const auto unknown = server.cli({"card", "verify", "--qr", forged.qr_text});
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_EQ(unknown.output.rfind("unknown_key", 0), 0U) << unknown.output;

    const auto garbage = server.cli({"card", "verify", "--qr", "HELLO WORLD"});
    EXPECT_EQ(garbage.exit_code, 1);
    EXPECT_EQ(garbage.output.rfind("malformed (", 0), 0U) << garbage.output;
}

TEST(CardKeys, AnyoneCanVerifyACardOverHttp) {
    KapalServer server;
    const auto card = sign_with_instance_key(server.dir(), "Budi Santoso");
    server.start();
    const auto verify = [&](const std::string& body) {
        auto r = server.send("POST", "/api/v1/cards/verify", body, {}, Credentials{});
        EXPECT_TRUE(r.has_value());
        return r ? *r : HttpResponse{};
    };
    auto valid = verify(json{{"qr", card}}.dump());
    ASSERT_EQ(valid.status, 200) << valid.body;
    EXPECT_EQ(valid.header("Cache-Control"), "no-store");
    auto v = json::parse(valid.body);
    EXPECT_EQ(v["status"], "valid");
    EXPECT_EQ(v["valid"], true);
    EXPECT_EQ(v["card"]["full_name"], "Budi Santoso");
    EXPECT_EQ(v["card"]["card_number"].get<std::string>().rfind("6474-0000042-", 0), 0U)
        << v.dump();
    EXPECT_EQ(v["card"]["categories"], json::array({"sensorik_netra"}));
    EXPECT_FALSE(v["card"].contains("nik")) << "the credential carries no NIK";

    // One character of the signature part changed: not valid, and said so.
    std::string tampered = card;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    auto bad = json::parse(verify(json{{"qr", tampered}}.dump()).body);
    EXPECT_EQ(bad["valid"], false);
    EXPECT_NE(bad["status"], "valid");

    auto garbage = json::parse(verify(R"({"qr":"HELLO WORLD"})").body);
    EXPECT_EQ(garbage["status"], "malformed");
    EXPECT_TRUE(garbage["card"].is_null());
    EXPECT_FALSE(garbage["where"].get<std::string>().empty());

    auto missing = verify("{}");
    EXPECT_EQ(missing.status, 422) << missing.body;
    EXPECT_EQ(json::parse(missing.body)["errors"][0]["field"], "qr");
    auto unknown = verify(R"({"qr":"X","nik":"1"})");
    EXPECT_EQ(unknown.status, 422);
    EXPECT_EQ(json::parse(unknown.body)["errors"][0]["field"], "nik");
    auto not_json = server.send(
        "POST", "/api/v1/cards/verify", "qr=X", {{"Content-Type", "text/plain"}}, Credentials{});
    ASSERT_TRUE(not_json.has_value());
    EXPECT_EQ(not_json->status, 415);
}

} // namespace
} // namespace kapal::testing
