// The public Claim 169 test vectors of an independent implementation (jeremi/claim-169, MIT;
// tests/data/claim169-vectors/README.md): each valid or edge vector decodes to exactly what
// its file expects, signatures verify with the key the file gives, and each invalid vector is
// refused at the stage the file names.

#include "kapal/card/credential.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace kapal::card {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// 2026-01-01T00:00:00Z: inside the validity of every vector that is meant to be valid.
constexpr std::int64_t kVectorNow = 1767225600;

fs::path vectors_dir() {
    const char* src = std::getenv("KAPAL_SOURCE_DIR");
    return fs::path(src != nullptr ? src : ".") / "tests" / "data" / "claim169-vectors";
}

std::vector<std::uint8_t> from_hex(const std::string& hex) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
}

// Our decoded identity data in the vectors' JSON names (face compared apart, see below).
json identity_json(const IdentityData& d) {
    json j = json::object();
    auto text = [&j](const char* name, const std::string& v) {
        if (!v.empty()) {
            j[name] = v;
        }
    };
    auto number = [&j](const char* name, const std::optional<std::int64_t>& v) {
        if (v) {
            j[name] = *v;
        }
    };
    text("id", d.id);
    text("version", d.version);
    text("language", d.language);
    text("fullName", d.full_name);
    text("firstName", d.first_name);
    text("middleName", d.middle_name);
    text("lastName", d.last_name);
    text("dateOfBirth", d.date_of_birth);
    number("gender", d.gender);
    text("address", d.address);
    text("email", d.email);
    text("phone", d.phone);
    text("nationality", d.nationality);
    number("maritalStatus", d.marital_status);
    text("guardian", d.guardian);
    number("photoFormat", d.photo_format);
    text("secondaryFullName", d.secondary_full_name);
    text("secondaryLanguage", d.secondary_language);
    text("locationCode", d.location_code);
    text("legalStatus", d.legal_status);
    text("countryOfIssuance", d.country_of_issuance);
    return j;
}

json meta_json(const CwtClaims& c) {
    json j = json::object();
    if (!c.issuer.empty()) {
        j["issuer"] = c.issuer;
    }
    if (!c.subject.empty()) {
        j["subject"] = c.subject;
    }
    if (c.expires_at) {
        j["expiresAt"] = *c.expires_at;
    }
    if (c.not_before) {
        j["notBefore"] = *c.not_before;
    }
    if (c.issued_at) {
        j["issuedAt"] = *c.issued_at;
    }
    return j;
}

VerificationKey key_of(const json& k) {
    const std::string alg = k.at("algorithm");
    return VerificationKey{"",
                           alg == "ES256" ? CoseAlgorithm::ES256 : CoseAlgorithm::EdDSA,
                           from_hex(k.at("public_key_hex"))};
}

// The stage names of the vectors' expected_error, in our decoder's words.
const std::map<std::string, std::string> kStages = {
    {"Base45Decode", "base45"},
    {"Decompress", "zlib"},
    {"CoseParse", "cose"},
    {"Claim169NotFound", "claim169"},
};

void check_vector(const fs::path& file, const json& v) {
    const std::string category = v.at("category");
    const std::string qr = v.at("qr_data");
    DecodeOptions options;
    if (v.contains("encryption_key")) {
        options.decryption_key = from_hex(v["encryption_key"].at("symmetric_key_hex"));
    }
    auto decoded = decode_credential(qr, options);
    if (category == "invalid") {
        ASSERT_FALSE(decoded) << "an invalid vector decoded";
        const auto stage = kStages.find(v.at("expected_error"));
        ASSERT_NE(stage, kStages.end()) << "unknown expected_error " << v["expected_error"];
        ASSERT_EQ(decoded.error().fields.size(), 1U);
        EXPECT_EQ(decoded.error().fields[0].field, stage->second) << decoded.error().message;
        return;
    }
    ASSERT_TRUE(decoded) << decoded.error().message;
    const auto& c = decoded->credential;
    auto expected = v.at("expected_claim169");
    if (expected.contains("face")) {
        // The vectors' "face" gives format and sub-format; its "data" is not the byte string
        // the QR carries (ff d8 ff e0 00 10 is written as "//3+4AAQ" = ff fd fe e0 00 10, a
        // text round trip), so the data is compared by length only.
        const auto& faces = expected["face"];
        ASSERT_EQ(c.identity.face.size(), faces.size());
        for (std::size_t i = 0; i < faces.size(); ++i) {
            EXPECT_EQ(c.identity.face[i].format, faces[i].value("format", -1));
            EXPECT_EQ(c.identity.face[i].sub_format, faces[i].value("subFormat", -1));
            if (faces[i].contains("data")) {
                EXPECT_EQ(c.identity.face[i].data.size(), 6U);
            } else {
                EXPECT_GT(c.identity.face[i].data.size(), 100U);
            }
        }
        expected.erase("face");
    }
    EXPECT_EQ(identity_json(c.identity), expected);
    EXPECT_EQ(meta_json(c.cwt), v.at("expected_cwt_meta"));

    const core::FixedClock clock(core::from_unix_ms(kVectorNow * 1000));
    if (v.contains("signing_key")) {
        const std::vector<VerificationKey> keys{key_of(v["signing_key"])};
        const auto r = verify_credential(qr, keys, clock, options);
        EXPECT_EQ(r.status, VerifyStatus::Valid) << r.where << ": " << r.what;
        // The same credential with a key that is not its own.
        auto wrong = keys[0];
        wrong.public_key[10] ^= 1;
        const std::vector<VerificationKey> wrong_keys{wrong};
        EXPECT_NE(verify_credential(qr, wrong_keys, clock, options).status, VerifyStatus::Valid);
    } else {
        const std::vector<VerificationKey> none;
        EXPECT_EQ(verify_credential(qr, none, clock, options).status, VerifyStatus::Unsigned);
    }
    const std::string name = v.at("name");
    const auto period = check_validity_period(c.cwt, clock.now());
    if (name == "expired") {
        EXPECT_EQ(period, VerifyStatus::Expired);
    } else if (name == "not-yet-valid") {
        EXPECT_EQ(period, VerifyStatus::NotYetValid);
    } else {
        EXPECT_EQ(period, VerifyStatus::Valid);
    }
    if (name == "unknown-fields") {
        EXPECT_EQ(c.identity.other_keys, (std::vector<std::int64_t>{30, 45, 70, 99}));
    }
    (void)file;
}

TEST(Claim169Vectors, EachDecodesOrIsRefusedAsItsFileExpects) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(vectors_dir())) {
        if (entry.path().extension() == ".json") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    ASSERT_EQ(files.size(), 14U) << "vectors in " << vectors_dir();
    for (const auto& file : files) {
        SCOPED_TRACE(file.filename().string());
        std::ifstream in(file);
        check_vector(file, json::parse(in));
    }
}

json read_vector(const std::string& relative) {
    std::ifstream in(vectors_dir() / relative);
    return json::parse(in);
}

TEST(Claim169Vectors, TheSpecificationExampleExpiredOn20260828) {
    const auto v = read_vector("valid/claim169-example.json");
    auto d = decode_credential(v.at("qr_data").get<std::string>());
    ASSERT_TRUE(d);
    EXPECT_EQ(check_validity_period(d->credential.cwt, core::from_unix_ms(1787912444000)),
              VerifyStatus::Valid);
    EXPECT_EQ(check_validity_period(d->credential.cwt, core::from_unix_ms(1787912445000)),
              VerifyStatus::Expired);
}

TEST(Claim169Vectors, AnEncryptedVectorNeedsItsKey) {
    const auto v = read_vector("valid/encrypted-signed.json");
    const std::string qr = v.at("qr_data");
    auto no_key = decode_credential(qr);
    ASSERT_FALSE(no_key);
    EXPECT_EQ(no_key.error().fields.at(0).field, "cose_encrypt0");
    EXPECT_NE(no_key.error().fields.at(0).detail.find("no decryption key"), std::string::npos);

    DecodeOptions wrong;
    wrong.decryption_key = from_hex(v["encryption_key"].at("symmetric_key_hex"));
    wrong.decryption_key[0] ^= 1;
    auto bad = decode_credential(qr, wrong);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().fields.at(0).detail.find("decryption failed"), std::string::npos);

    DecodeOptions right;
    right.decryption_key = from_hex(v["encryption_key"].at("symmetric_key_hex"));
    auto good = decode_credential(qr, right);
    ASSERT_TRUE(good) << good.error().message;
    EXPECT_TRUE(good->encrypted);
    EXPECT_EQ(good->alg, CoseAlgorithm::EdDSA);
}

TEST(Claim169Vectors, AnEs256SignatureFailsWhenThePayloadChanges) {
    const auto v = read_vector("valid/ecdsa-p256-signed.json");
    auto cose = cose_of_qr_text(v.at("qr_data").get<std::string>()).value();
    const std::string name = "ECDSA Test";
    auto it = std::search(cose.begin(), cose.end(), name.begin(), name.end());
    ASSERT_NE(it, cose.end());
    *it = 'F';
    const std::vector<VerificationKey> keys{key_of(v["signing_key"])};
    const core::FixedClock clock(core::from_unix_ms(kVectorNow * 1000));
    EXPECT_EQ(verify_credential(qr_text_of_cose(cose), keys, clock).status,
              VerifyStatus::InvalidSignature);
}

TEST(Claim169Vectors, AnEd25519KeyNeverVerifiesAnEs256Credential) {
    const auto v = read_vector("valid/ecdsa-p256-signed.json");
    const auto ed = read_vector("valid/ed25519-signed.json");
    const std::vector<VerificationKey> keys{key_of(ed["signing_key"])};
    const core::FixedClock clock(core::from_unix_ms(kVectorNow * 1000));
    EXPECT_EQ(verify_credential(v.at("qr_data").get<std::string>(), keys, clock).status,
              VerifyStatus::UnknownKey);
}

} // namespace
} // namespace kapal::card
