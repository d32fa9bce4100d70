#include "kapal/card/credential.hpp"

#include "kapal/card/card_number.hpp"

#include <gtest/gtest.h>
#include <qrencode.h>

#include <memory>
#include <random>

namespace kapal::card {
namespace {

// 2026-11-28T00:00:00Z: the fixed "now" of these tests.
constexpr std::int64_t kNow = 1795824000;

CardKey test_key(std::uint8_t fill) {
    std::array<std::uint8_t, 32> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) {
        seed[i] = static_cast<std::uint8_t>(fill + i);
    }
    return card_key_from_seed(seed);
}

core::FixedClock clock_at(std::int64_t unix_s) {
    return core::FixedClock(core::from_unix_ms(unix_s * 1000));
}

// A typical Bontang registrant: a long name, an address with RT/RW, two categories, needs.
core::Person bontang_person() {
    core::Person p;
    p.nik = "6474014107850003";
    p.full_name = "Siti Nurhaliza binti Abdul Rahman";
    p.sex = core::Sex::Female;
    p.birth_date = core::make_date(1985, 7, 1);
    p.address = {"Jl. Brigjend Katamso Gg. Mawar No. 27", "012", "004", "64.74.01.1003"};
    p.categories = {core::Category::Fisik, core::Category::SensorikRungu};
    p.assistive_devices = {"kursi_roda", "alat_bantu_dengar"};
    p.therapies = {"fisioterapi"};
    return p;
}

Credential bontang_credential() {
    return person_credential(bontang_person(),
                             CardFacts{make_card_number("64.74", 1234),
                                       "https://kapal.bontangkota.go.id",
                                       kNow,
                                       kNow + 5 * 365 * 86400});
}

std::vector<VerificationKey> ring(std::initializer_list<CardKey> keys) {
    std::vector<VerificationKey> out;
    for (const auto& k : keys) {
        out.push_back(verification_key(k));
    }
    return out;
}

TEST(Credential, RoundTripsAPersonsCardAndVerifies) {
    const auto key = test_key(1);
    const auto c = bontang_credential();
    const auto e = encode_credential(c, key);
    auto d = decode_credential(e.qr_text);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->credential, c);
    EXPECT_EQ(d->kid, key.kid);
    EXPECT_EQ(d->alg, CoseAlgorithm::EdDSA);
    EXPECT_FALSE(d->encrypted);
    EXPECT_EQ(d->credential.identity.date_of_birth, "19850701");
    EXPECT_EQ(d->credential.identity.gender, 2);
    EXPECT_EQ(need_codes(d->credential.kapal->needs),
              (std::vector<std::string>{"kursi_roda", "alat_bantu_dengar", "fisioterapi"}));

    const auto clock = clock_at(kNow + 60);
    const auto keys = ring({key});
    const auto r = verify_credential(e.qr_text, keys, clock);
    EXPECT_EQ(r.status, VerifyStatus::Valid) << r.where << ": " << r.what;
}

TEST(Credential, CarriesNoNik) {
    const auto e = encode_credential(bontang_credential(), test_key(1));
    const std::string payload(e.payload.begin(), e.payload.end());
    EXPECT_EQ(payload.find("6474014107850003"), std::string::npos);
}

TEST(Credential, EncodingIsDeterministic) {
    const auto a = encode_credential(bontang_credential(), test_key(1));
    const auto b = encode_credential(bontang_credential(), test_key(1));
    EXPECT_EQ(a.qr_text, b.qr_text);
    // The text is what a QR code holds in alphanumeric mode.
    EXPECT_EQ(a.qr_text.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"),
              std::string::npos);
}

TEST(Credential, AlteredNameFailsTheSignature) {
    const auto key = test_key(1);
    const auto e = encode_credential(bontang_credential(), key);
    auto cose = e.cose;
    const std::string name = "Siti";
    auto it = std::search(cose.begin(), cose.end(), name.begin(), name.end());
    ASSERT_NE(it, cose.end());
    *it = 'Z'; // "Ziti": same length, still well-formed
    const auto clock = clock_at(kNow);
    const auto keys = ring({key});
    const auto r = verify_credential(qr_text_of_cose(cose), keys, clock);
    EXPECT_EQ(r.status, VerifyStatus::InvalidSignature);
    ASSERT_TRUE(r.decoded);
    EXPECT_EQ(r.decoded->credential.identity.full_name.substr(0, 4), "Ziti");
}

TEST(Credential, EverySingleByteChangeIsRefused) {
    const auto key = test_key(1);
    const auto e = encode_credential(bontang_credential(), key);
    const auto clock = clock_at(kNow);
    const auto keys = ring({key});
    std::mt19937 rng(169);
    for (std::size_t i = 0; i < e.cose.size(); ++i) {
        auto cose = e.cose;
        cose[i] = static_cast<std::uint8_t>(cose[i] ^ (1 + rng() % 255));
        const auto r = verify_credential(qr_text_of_cose(cose), keys, clock);
        EXPECT_NE(r.status, VerifyStatus::Valid) << "byte " << i;
    }
}

TEST(Credential, AnotherKeyUnderTheSameKidIsAnInvalidSignature) {
    const auto key = test_key(1);
    const auto e = encode_credential(bontang_credential(), key);
    auto impostor = verification_key(test_key(2));
    impostor.kid = key.kid;
    const auto clock = clock_at(kNow);
    const std::vector<VerificationKey> keys{impostor};
    EXPECT_EQ(verify_credential(e.qr_text, keys, clock).status, VerifyStatus::InvalidSignature);
}

TEST(Credential, AnUnknownKidIsAnUnknownKey) {
    const auto e = encode_credential(bontang_credential(), test_key(1));
    const auto clock = clock_at(kNow);
    const auto keys = ring({test_key(2), test_key(3)});
    const auto r = verify_credential(e.qr_text, keys, clock);
    EXPECT_EQ(r.status, VerifyStatus::UnknownKey);
    EXPECT_NE(r.what.find(test_key(1).kid), std::string::npos);
}

TEST(Credential, OldKeysStillVerifyAfterARotation) {
    const auto old_key = test_key(1);
    const auto new_key = test_key(2);
    const auto clock = clock_at(kNow);
    const auto keys = ring({new_key, old_key});
    EXPECT_EQ(
        verify_credential(encode_credential(bontang_credential(), old_key).qr_text, keys, clock)
            .status,
        VerifyStatus::Valid);
    EXPECT_EQ(
        verify_credential(encode_credential(bontang_credential(), new_key).qr_text, keys, clock)
            .status,
        VerifyStatus::Valid);
}

TEST(Credential, DatesAreCheckedAfterTheSignature) {
    const auto key = test_key(1);
    auto c = bontang_credential();
    c.cwt.not_before = kNow + 100;
    const auto e = encode_credential(c, key);
    const auto keys = ring({key});
    EXPECT_EQ(verify_credential(e.qr_text, keys, clock_at(kNow + 99)).status,
              VerifyStatus::NotYetValid);
    EXPECT_EQ(verify_credential(e.qr_text, keys, clock_at(kNow + 100)).status, VerifyStatus::Valid);
    EXPECT_EQ(verify_credential(e.qr_text, keys, clock_at(*c.cwt.expires_at - 1)).status,
              VerifyStatus::Valid);
    EXPECT_EQ(verify_credential(e.qr_text, keys, clock_at(*c.cwt.expires_at)).status,
              VerifyStatus::Expired);
}

TEST(Credential, MalformedInputSaysWhereAndWhat) {
    const auto clock = clock_at(kNow);
    const std::vector<VerificationKey> none;
    auto r = verify_credential("hello", none, clock);
    EXPECT_EQ(r.status, VerifyStatus::Malformed);
    EXPECT_EQ(r.where, "base45");
    r = verify_credential("BB8", none, clock);
    EXPECT_EQ(r.where, "zlib");
    const std::vector<std::uint8_t> not_cbor{0xFF, 0x00};
    r = verify_credential(qr_text_of_cose(not_cbor), none, clock);
    EXPECT_EQ(r.where, "cose");
    EXPECT_NE(r.what.find("byte"), std::string::npos) << r.what;
}

TEST(Credential, RefusesAZlibBomb) {
    const std::vector<std::uint8_t> zeros(kMaxCredentialBytes + 1000, 0);
    const auto text = qr_text_of_cose(zeros);
    auto d = decode_credential(text);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().fields.at(0).field, "zlib");
    EXPECT_NE(d.error().fields.at(0).detail.find("inflates beyond"), std::string::npos);
}

// The bound: a typical card credential without a photo fits a QR code of version 13 at error
// correction level M (69 x 69 modules, 15 % of the symbol recoverable). Printed at 0.34 mm a
// module (4 dots at 300 dpi) that is 26 mm with its 4-module quiet zone: under half the
// height of an ID-1 card, with modules a cheap phone camera resolves from 10-15 cm. See
// docs/card-format.md, "Size".
constexpr int kMaxQrVersion = 13;

// The smallest QR version that holds `text` as one alphanumeric segment at level M.
int qr_version(const std::string& text) {
    std::unique_ptr<QRinput, decltype(&QRinput_free)> input(QRinput_new2(0, QR_ECLEVEL_M),
                                                            QRinput_free);
    if (!input || QRinput_append(input.get(),
                                 QR_MODE_AN,
                                 static_cast<int>(text.size()),
                                 reinterpret_cast<const unsigned char*>(text.data())) != 0) {
        return 99;
    }
    std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(QRcode_encodeInput(input.get()),
                                                       QRcode_free);
    return qr ? qr->version : 99;
}

TEST(Credential, ATypicalBontangCardFitsAQrVersion13AtLevelM) {
    const auto e = encode_credential(bontang_credential(), test_key(1));
    const int version = qr_version(e.qr_text);
    std::cout << "[ size ] cose " << e.cose.size() << " B, zlib " << e.compressed.size()
              << " B, Base45 " << e.qr_text.size() << " chars, QR version " << version
              << " (level M)\n";
    EXPECT_LE(version, kMaxQrVersion);
}

TEST(Credential, TheLongestNamesAndAddressesStillFit) {
    auto p = bontang_person();
    // Varied letters: zlib shrinks a repeated one, which would understate the size.
    std::mt19937 rng(60);
    p.full_name.clear();
    p.address.street.clear();
    for (int i = 0; i < 60; ++i) {
        p.full_name += static_cast<char>('a' + rng() % 26);
        p.address.street += static_cast<char>('a' + rng() % 26);
    }
    p.assistive_devices.assign(core::kAssistiveDevices.begin(), core::kAssistiveDevices.end());
    p.therapies.assign(core::kTherapies.begin(), core::kTherapies.end());
    p.categories = {core::Category::Fisik,
                    core::Category::Intelektual,
                    core::Category::Mental,
                    core::Category::SensorikNetra,
                    core::Category::SensorikRungu,
                    core::Category::SensorikWicara};
    const auto c = person_credential(
        p,
        CardFacts{
            make_card_number("64.74", 9999999), "https://kapal.bontangkota.go.id", kNow, kNow});
    const auto e = encode_credential(c, test_key(1));
    std::cout << "[ size ] worst case: Base45 " << e.qr_text.size() << " chars, QR version "
              << qr_version(e.qr_text) << "\n";
    EXPECT_LE(qr_version(e.qr_text), 15); // 77 modules: 29 mm at 0.34 mm, still on the card
}

} // namespace
} // namespace kapal::card
