#include "kapal/service/card_service.hpp"

#include "kapal/card/card_number.hpp"
#include "kapal/card/qr_decode.hpp"
#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <span>

namespace kapal::service {
namespace {

using testing::StoreTest;

TEST(CardExpiry, IsTheSameDayAndTimeYearsLater) {
    const auto at = *core::parse_timestamp("2026-11-28T02:30:00.000Z");
    EXPECT_EQ(core::format_timestamp(card_expiry(at, 5)), "2031-11-28T02:30:00.000Z");
    const auto leap = *core::parse_timestamp("2028-02-29T08:00:00Z");
    EXPECT_EQ(core::format_timestamp(card_expiry(leap, 1)), "2029-02-28T08:00:00.000Z");
    EXPECT_EQ(core::format_timestamp(card_expiry(leap, 4)), "2032-02-29T08:00:00.000Z");
}

TEST(CardStages, RoundTripTheirNames) {
    for (const auto stage :
         {store::CardStage::ToPrint, store::CardStage::ToHandOver, store::CardStage::HandedOver}) {
        EXPECT_EQ(parse_card_stage(to_string(stage)), stage);
    }
    EXPECT_FALSE(parse_card_stage("printed").has_value());
}

class CardServiceTest : public StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        persons_ = std::make_unique<PersonService>(*store_, testing::reference_ptr(), clock_, ids_);
        keys_list_.push_back(card::PublishedCardKey{key_.kid, key_.public_key, clock_.now(), {}});
        cards_ = std::make_unique<CardService>(
            *store_,
            *persons_,
            clock_,
            key_,
            keys_list_,
            CardSettings{"Dinsos Uji", 5, "0548-112", "https://kapal.test"});
    }

    void TearDown() override {
        cards_.reset();
        persons_.reset();
        StoreTest::TearDown();
    }

    core::PersonRecord add(int serial, const std::string& kelurahan) {
        core::Person p;
        char nik[24];
        std::snprintf(
            nik, sizeof nik, "%s4703850%03d", kelurahan == kSelatan ? "647402" : "647401", serial);
        p.nik = nik;
        p.full_name = "Warga " + std::to_string(serial);
        p.sex = core::Sex::Female;
        p.birth_date = core::make_date(1985, 3, 7);
        p.address = core::Address{"Jl. Pupuk " + std::to_string(serial), "001", "02", kelurahan};
        p.categories = {core::Category::Fisik, core::Category::SensorikNetra};
        p.status = core::Status::Aktif;
        auto created = persons_->create(p, admin_, std::nullopt);
        EXPECT_TRUE(created.has_value()) << created.error().message;
        return created ? created->record : core::PersonRecord{};
    }

    static constexpr const char* kUtara = "64.74.01.1003";
    static constexpr const char* kSelatan = "64.74.02.1006";
    card::CardKey key_ = card::card_key_from_seed(std::array<std::uint8_t, 32>{7});
    std::vector<card::PublishedCardKey> keys_list_;
    std::unique_ptr<PersonService> persons_;
    std::unique_ptr<CardService> cards_;
    Actor admin_{"tester", "127.0.0.1", {}, std::nullopt};
    Actor selatan_operator_{"op-selatan", "10.0.0.2", {"64.74.02"}, core::Role::Operator};
    Actor utara_viewer_{"viewer", "10.0.0.3", {"64.74.01"}, core::Role::Viewer};
};

TEST_F(CardServiceTest, AnIssuedCardCarriesASignedCredentialOfThePersonThatVerifies) {
    const auto siti = add(1, kUtara);
    auto card = cards_->issue(siti.id, admin_);
    ASSERT_TRUE(card.has_value()) << card.error().message;
    EXPECT_EQ(card->number, card::make_card_number("6474", 1));
    EXPECT_EQ(card->kid, key_.kid);
    EXPECT_EQ(card->kelurahan_code, kUtara);
    EXPECT_EQ(card->issued_at, clock_.now());
    EXPECT_EQ(core::format_timestamp(card->expires_at), "2031-11-28T02:00:00.000Z");
    EXPECT_EQ(card_state(*card, clock_.now()), "active");

    auto checked = cards_->check(card->credential);
    ASSERT_TRUE(checked.has_value()) << checked.error().message;
    EXPECT_EQ(checked->result.status, card::VerifyStatus::Valid) << checked->result.what;
    ASSERT_TRUE(checked->record.has_value());
    EXPECT_EQ(checked->record->number, card->number);
    const auto& credential = checked->result.decoded->credential;
    EXPECT_EQ(credential.identity.id, card->number);
    EXPECT_EQ(credential.identity.full_name, "Warga 1");
    EXPECT_EQ(credential.cwt.issuer, "Dinsos Uji");
    EXPECT_EQ(credential.cwt.issued_at, core::to_unix_ms(clock_.now()) / 1000);
    EXPECT_EQ(credential.cwt.expires_at, core::to_unix_ms(card->expires_at) / 1000);
    ASSERT_TRUE(credential.kapal.has_value());
    EXPECT_EQ(credential.kapal->kelurahan_code, kUtara);
    EXPECT_EQ(credential.kapal->categories.size(), 2U);

    // After five years the same card checks as expired; the registry still knows it.
    clock_.set(card->expires_at);
    checked = cards_->check(card->credential);
    ASSERT_TRUE(checked.has_value());
    EXPECT_EQ(checked->result.status, card::VerifyStatus::Expired);
    EXPECT_EQ(card_state(*checked->record, clock_.now()), "expired");
}

TEST_F(CardServiceTest, AReissueRevokesTheOldCardWhichThenChecksAsRevoked) {
    const auto siti = add(1, kUtara);
    const auto first = cards_->issue(siti.id, admin_);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    auto twice = cards_->issue(siti.id, admin_);
    ASSERT_FALSE(twice.has_value());
    EXPECT_EQ(twice.error().code, ErrorCode::CardAlreadyActive);

    clock_.set(clock_.now() + std::chrono::hours(24));
    const auto second = cards_->issue(siti.id, admin_, "hilang");
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_EQ(second->number, card::make_card_number("6474", 2));
    EXPECT_NE(second->credential, first->credential);

    auto old = cards_->check(first->credential);
    ASSERT_TRUE(old.has_value());
    EXPECT_EQ(old->result.status, card::VerifyStatus::Revoked);
    EXPECT_EQ(old->result.where, "registry");
    EXPECT_NE(old->result.what.find("hilang"), std::string::npos) << old->result.what;
    EXPECT_NE(old->result.what.find(card::format_card_number(second->number)), std::string::npos);
    auto current = cards_->check(second->credential);
    ASSERT_TRUE(current.has_value());
    EXPECT_EQ(current->result.status, card::VerifyStatus::Valid);

    auto history = cards_->history(siti.id, admin_);
    ASSERT_TRUE(history.has_value());
    ASSERT_EQ(history->size(), 2U);
    EXPECT_EQ((*history)[0].number, second->number);
    EXPECT_EQ((*history)[1].replaced_by, second->number);
}

TEST_F(CardServiceTest, RolesAndAreasBoundWhoMayIssueSeeAndRevoke) {
    const auto utara = add(1, kUtara);
    const auto selatan = add(2, kSelatan);
    auto refused = cards_->issue(selatan.id, utara_viewer_);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::Forbidden);
    auto outside = cards_->issue(utara.id, selatan_operator_);
    ASSERT_FALSE(outside.has_value());
    EXPECT_EQ(outside.error().code, ErrorCode::NotFound) << "another area's person is not there";
    auto own = cards_->issue(selatan.id, selatan_operator_);
    ASSERT_TRUE(own.has_value()) << own.error().message;
    auto theirs = cards_->issue(utara.id, admin_);
    ASSERT_TRUE(theirs.has_value());

    auto unseen = cards_->get(card::format_card_number(own->number), utara_viewer_);
    ASSERT_FALSE(unseen.has_value());
    EXPECT_EQ(unseen.error().code, ErrorCode::NotFound);
    auto seen = cards_->get(card::format_card_number(theirs->number), utara_viewer_);
    ASSERT_TRUE(seen.has_value()) << "typed with dashes";
    auto typo = cards_->get("6474-0000001-3", admin_);
    ASSERT_FALSE(typo.has_value());
    EXPECT_EQ(typo.error().code, ErrorCode::CardNumberInvalid);

    auto listed = cards_->list({}, utara_viewer_);
    ASSERT_TRUE(listed.has_value());
    ASSERT_EQ(listed->size(), 1U);
    EXPECT_EQ((*listed)[0].number, theirs->number);
    store::CardQuery elsewhere;
    elsewhere.area_codes = {"64.74.02"};
    auto forbidden = cards_->list(elsewhere, utara_viewer_);
    ASSERT_FALSE(forbidden.has_value());
    EXPECT_EQ(forbidden.error().code, ErrorCode::Forbidden);

    auto not_theirs = cards_->revoke(theirs->number, "pindah", "", selatan_operator_);
    ASSERT_FALSE(not_theirs.has_value());
    EXPECT_EQ(not_theirs.error().code, ErrorCode::NotFound);
    auto viewer_revoke = cards_->revoke(theirs->number, "pindah", "", utara_viewer_);
    ASSERT_FALSE(viewer_revoke.has_value());
    EXPECT_EQ(viewer_revoke.error().code, ErrorCode::Forbidden);
    auto revoked = cards_->revoke(own->number, "penipuan", "dua KTP", selatan_operator_);
    ASSERT_TRUE(revoked.has_value()) << revoked.error().message;
    EXPECT_EQ(revoked->revoke_note, "dua KTP");

    auto marked = cards_->mark({theirs->number}, store::CardStage::ToHandOver, selatan_operator_);
    ASSERT_FALSE(marked.has_value());
    EXPECT_EQ(marked.error().code, ErrorCode::NotFound);
    marked = cards_->mark(
        {card::format_card_number(theirs->number)}, store::CardStage::HandedOver, admin_);
    ASSERT_TRUE(marked.has_value()) << marked.error().message;
    EXPECT_EQ(*marked, 1);
}

TEST_F(CardServiceTest, TheRevocationListIsSignedAndNamesEveryRevokedCard) {
    const auto a = add(1, kUtara);
    const auto b = add(2, kSelatan);
    const auto first = cards_->issue(a.id, admin_);
    ASSERT_TRUE(first.has_value());
    ASSERT_TRUE(cards_->issue(a.id, admin_, "rusak"));
    const auto other = cards_->issue(b.id, admin_);
    ASSERT_TRUE(other.has_value());
    ASSERT_TRUE(cards_->revoke(other->number, "meninggal", "", admin_));

    auto signed_list = cards_->revocation_list();
    ASSERT_TRUE(signed_list.has_value()) << signed_list.error().message;
    const auto keys = cards_->verification_keys();
    auto list = card::verify_revocation_list(*signed_list, keys);
    ASSERT_TRUE(list.has_value()) << list.error().message;
    EXPECT_EQ(list->issuer, "Dinsos Uji");
    EXPECT_EQ(list->issued_at, core::to_unix_ms(clock_.now()) / 1000);
    const std::int64_t now_s = core::to_unix_ms(clock_.now()) / 1000;
    EXPECT_EQ(list->cards,
              (std::vector<card::RevokedCard>{{first->number, now_s, "rusak"},
                                              {other->number, now_s, "meninggal"}}));

    // A changed byte or another key: the whole list is refused.
    auto tampered = *signed_list;
    tampered[tampered.size() / 2] ^= 0x01;
    EXPECT_FALSE(card::verify_revocation_list(tampered, keys).has_value());
    const auto stranger = card::card_key_from_seed(std::array<std::uint8_t, 32>{9});
    const std::vector<card::VerificationKey> wrong{card::verification_key(stranger)};
    auto refused = card::verify_revocation_list(*signed_list, wrong);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::CredentialMalformed);
}

TEST_F(CardServiceTest, TheRenderedCardCarriesItsOwnCredentialAndTheSheetEveryCardToPrint) {
    ASSERT_TRUE(store_->add_services({{"pangan", "Bantuan pangan", "Food", "", true, 1, {}, ""}},
                                     {"t", "cli", clock_.now(), ""}));
    const auto a = add(1, kUtara);
    const auto b = add(2, kSelatan);
    const auto card_a = cards_->issue(a.id, admin_);
    const auto card_b = cards_->issue(b.id, admin_);
    ASSERT_TRUE(card_a.has_value() && card_b.has_value());

    auto face = cards_->face(*card_a);
    ASSERT_TRUE(face.has_value()) << face.error().message;
    EXPECT_EQ(face->full_name, "Warga 1");
    EXPECT_EQ(face->card_number, card::format_card_number(card_a->number));
    EXPECT_EQ(face->kelurahan, "Lok Tuan");
    EXPECT_EQ(face->kecamatan, "Bontang Utara");
    EXPECT_EQ(face->valid_from, "28-11-2026") << "02:00 UTC is 10:00 in WITA";
    EXPECT_EQ(face->valid_until, "28-11-2031");
    EXPECT_EQ(face->verify_url, "https://kapal.test/verifikasi");
    EXPECT_EQ(face->hotline, "0548-112");
    EXPECT_EQ(face->services, std::vector<std::string>{"Bantuan pangan"});

    // Scanned from the picture, the card verifies: the print is the credential.
    auto png = cards_->render(card_a->number, card::CardSide::Front, utara_viewer_);
    ASSERT_TRUE(png.has_value()) << png.error().message;
    auto scanned = card::decode_qr(*png);
    ASSERT_TRUE(scanned.has_value()) << scanned.error().message;
    EXPECT_EQ(*scanned, card_a->credential);
    auto checked = cards_->check(*scanned);
    ASSERT_TRUE(checked.has_value());
    EXPECT_EQ(checked->result.status, card::VerifyStatus::Valid);
    auto hidden = cards_->render(card_b->number, std::nullopt, utara_viewer_);
    ASSERT_FALSE(hidden.has_value());
    EXPECT_EQ(hidden.error().code, ErrorCode::NotFound);

    store::CardQuery to_print;
    to_print.stage = store::CardStage::ToPrint;
    auto sheet = cards_->sheet(to_print, admin_);
    ASSERT_TRUE(sheet.has_value()) << sheet.error().message;
    EXPECT_EQ(std::string(sheet->begin(), sheet->begin() + 5), "%PDF-");
    ASSERT_TRUE(
        cards_->mark({card_a->number, card_b->number}, store::CardStage::ToHandOver, admin_));
    auto nothing = cards_->sheet(to_print, admin_);
    ASSERT_FALSE(nothing.has_value());
    EXPECT_EQ(nothing.error().code, ErrorCode::NotFound);
}

// A PNG of 64 x 80 pixels, all red (200, 30, 30).
const std::vector<std::uint8_t> kRedPng = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x50, 0x08, 0x02, 0x00, 0x00, 0x00, 0x26,
    0xdd, 0xe4, 0x12, 0x00, 0x00, 0x00, 0x5b, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0xed, 0xcf,
    0x01, 0x09, 0x00, 0x00, 0x08, 0x03, 0xb0, 0x27, 0x79, 0xff, 0x28, 0xc6, 0x32, 0x81, 0x01,
    0x84, 0xc1, 0x0a, 0x2c, 0xd3, 0xbe, 0x16, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    0x01, 0x01, 0x01, 0x01, 0x01, 0x81, 0xcb, 0x02, 0xeb, 0x63, 0x51, 0x2d, 0x13, 0x17, 0x74,
    0x8d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

TEST_F(CardServiceTest, TheCardShowsTheHoldersPhotoOnceThereIsOne) {
    const auto siti = add(1, kUtara);
    const auto card = cards_->issue(siti.id, admin_);
    ASSERT_TRUE(card.has_value()) << card.error().message;
    auto silhouette = cards_->render(card->number, card::CardSide::Front, admin_);
    ASSERT_TRUE(silhouette.has_value()) << silhouette.error().message;
    auto no_photo = cards_->face(*card);
    ASSERT_TRUE(no_photo.has_value());
    EXPECT_TRUE(no_photo->photo.empty());

    auto with_photo = persons_->set_photo(siti.id, 1, kRedPng, "image/png", admin_);
    ASSERT_TRUE(with_photo.has_value()) << with_photo.error().message;
    EXPECT_EQ(with_photo->version, 2);
    EXPECT_FALSE(with_photo->person.photo_id.empty());
    auto face = cards_->face(*card);
    ASSERT_TRUE(face.has_value()) << face.error().message;
    EXPECT_EQ(face->photo, kRedPng);
    auto photographed = cards_->render(card->number, card::CardSide::Front, admin_);
    ASSERT_TRUE(photographed.has_value()) << photographed.error().message;
    EXPECT_NE(*photographed, *silhouette);
    // Still the same credential on the card.
    auto scanned = card::decode_qr(*photographed);
    ASSERT_TRUE(scanned.has_value()) << scanned.error().message;
    EXPECT_EQ(*scanned, card->credential);

    // Removed again: the silhouette is back.
    ASSERT_TRUE(persons_->remove_photo(siti.id, 2, admin_).has_value());
    auto again = cards_->render(card->number, card::CardSide::Front, admin_);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, *silhouette);
}

TEST_F(CardServiceTest, APhotoIsCheckedBeforeItIsStored) {
    const auto siti = add(1, kUtara);
    const auto refused =
        [&](std::span<const std::uint8_t> bytes, std::string_view type, ErrorCode code) {
            auto r = persons_->set_photo(siti.id, 1, bytes, type, admin_);
            ASSERT_FALSE(r.has_value()) << type;
            EXPECT_EQ(r.error().code, code) << r.error().message;
            ASSERT_EQ(r.error().fields.size(), 1U);
            EXPECT_EQ(r.error().fields[0].field, "photo");
        };
    refused(kRedPng, "image/gif", ErrorCode::PhotoTypeUnsupported);
    refused(kRedPng, "image/jpeg", ErrorCode::PhotoInvalid); // a PNG said to be a JPEG
    std::vector<std::uint8_t> truncated(kRedPng.begin(), kRedPng.begin() + 60);
    refused(truncated, "image/png", ErrorCode::PhotoInvalid);
    std::vector<std::uint8_t> huge(kMaxPhotoBytes + 1, 0);
    std::copy(kRedPng.begin(), kRedPng.end(), huge.begin());
    refused(huge, "image/png", ErrorCode::PhotoTooLarge);
    auto unchanged = persons_->get(siti.id, admin_);
    ASSERT_TRUE(unchanged.has_value());
    EXPECT_EQ(unchanged->version, 1);
    // Outside the actor's areas the person is absent.
    auto hidden = persons_->set_photo(siti.id, 1, kRedPng, "image/png", selatan_operator_);
    ASSERT_FALSE(hidden.has_value());
    EXPECT_EQ(hidden.error().code, ErrorCode::NotFound);
    auto none = persons_->photo(siti.id, admin_);
    ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error().code, ErrorCode::NotFound);
}

} // namespace
} // namespace kapal::service
