#include "kapal/service/service_desk.hpp"

#include "kapal/service/test_fixture.hpp"
#include "kapal/store/store_codec.hpp"

#include <gtest/gtest.h>

#include <set>

namespace kapal::service {
namespace {

using testing::StoreTest;

TEST(DefaultServices, AreTheThirteenOfTheBontangCardWithUniqueValidCodes) {
    const auto services = default_services();
    ASSERT_EQ(services.size(), 13U);
    std::set<std::string> codes;
    for (const auto& s : services) {
        EXPECT_TRUE(store::check_service(s).has_value()) << s.code;
        EXPECT_FALSE(s.name_en.empty()) << s.code;
        codes.insert(s.code);
    }
    EXPECT_EQ(codes.size(), 13U);
    EXPECT_EQ(services.front().code, "data_pengaduan");
    EXPECT_EQ(services.back().position, 13);
}

class ServiceDeskTest : public StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        persons_ = std::make_unique<PersonService>(*store_, testing::reference_ptr(), clock_, ids_);
        keys_.push_back(card::PublishedCardKey{key_.kid, key_.public_key, clock_.now(), {}});
        cards_ = std::make_unique<CardService>(
            *store_,
            *persons_,
            clock_,
            key_,
            keys_,
            CardSettings{"Dinsos Uji", 5, "0548-112", "https://kapal.test"});
        desk_ = std::make_unique<ServiceDesk>(*store_, *persons_, *cards_, clock_, ids_);
        auto seeded = desk_->seed(admin_);
        ASSERT_TRUE(seeded.has_value()) << seeded.error().message;
        ASSERT_EQ(*seeded, 13);
    }

    void TearDown() override {
        desk_.reset();
        cards_.reset();
        persons_.reset();
        StoreTest::TearDown();
    }

    core::PersonRecord add(int serial, const std::string& kelurahan) {
        core::Person p;
        p.nik = (kelurahan.starts_with("64.74.02") ? "647402" : "647401") + std::string("4703850") +
                std::to_string(100 + serial);
        p.full_name = "Warga " + std::to_string(serial);
        p.sex = core::Sex::Female;
        p.birth_date = core::make_date(1985, 3, 7);
        p.address = core::Address{"Jl. Pupuk", "001", "02", kelurahan};
        p.categories = {core::Category::Fisik};
        auto created = persons_->create(p, admin_, std::nullopt);
        EXPECT_TRUE(created.has_value()) << created.error().message;
        return created ? created->record : core::PersonRecord{};
    }

    card::CardKey key_ = card::card_key_from_seed(std::array<std::uint8_t, 32>{3});
    std::vector<card::PublishedCardKey> keys_;
    std::unique_ptr<PersonService> persons_;
    std::unique_ptr<CardService> cards_;
    std::unique_ptr<ServiceDesk> desk_;
    Actor admin_{"tester", "127.0.0.1", {}, std::nullopt};
    Actor operator_{"op", "10.0.0.2", {"64.74.01"}, core::Role::Operator};
    Actor viewer_{"viewer", "10.0.0.3", {"64.74.01"}, core::Role::Viewer};
};

TEST_F(ServiceDeskTest, SeedingHappensOnceAndOnlyAdminsEditTheCatalogue) {
    auto again = desk_->seed(admin_);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, 0);
    store::ServiceRecord extra{
        "terapi_okupasi", "Terapi okupasi", "Occupational therapy", "", true, 14, {}, ""};
    auto refused = desk_->add(extra, operator_);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::Forbidden);
    Actor admin_api{"adm", "10.0.0.1", {}, core::Role::Admin};
    ASSERT_TRUE(desk_->add(extra, admin_api));
    auto listed = desk_->catalogue();
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(listed->size(), 14U);
    EXPECT_EQ(listed->back().code, "terapi_okupasi");
}

TEST_F(ServiceDeskTest, ARequestOpenedByScanningTheCardRecordsTheCardAndFollowsItsSteps) {
    const auto person = add(1, "64.74.01.1003");
    const auto card = cards_->issue(person.id, admin_);
    ASSERT_TRUE(card.has_value()) << card.error().message;

    auto opened = desk_->open_by_card(card->credential, "alat_bantu", "Kursi roda", operator_);
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    EXPECT_EQ(opened->record.person_id, person.id.str());
    EXPECT_EQ(opened->record.card_number, card->number);
    EXPECT_EQ(opened->record.created_by, "op");

    auto viewer_step = desk_->advance(opened->record.id, 1, "diproses", "", viewer_);
    ASSERT_FALSE(viewer_step.has_value());
    EXPECT_EQ(viewer_step.error().code, ErrorCode::Forbidden);
    auto bad_status = desk_->advance(opened->record.id, 1, "beres", "", operator_);
    ASSERT_FALSE(bad_status.has_value());
    EXPECT_EQ(bad_status.error().code, ErrorCode::InvalidArgument);
    auto done = desk_->advance(opened->record.id, 1, "selesai", "Diserahkan", operator_);
    ASSERT_TRUE(done.has_value()) << done.error().message;
    EXPECT_EQ(done->history.size(), 2U);

    auto seen = desk_->person_requests(person.id, viewer_);
    ASSERT_TRUE(seen.has_value());
    ASSERT_EQ(seen->size(), 1U);
    EXPECT_EQ(seen->front().status, "selesai");

    // A revoked card opens nothing.
    ASSERT_TRUE(cards_->revoke(card->number, "hilang", "", admin_));
    auto revoked = desk_->open_by_card(card->credential, "pangan", "", operator_);
    ASSERT_FALSE(revoked.has_value());
    EXPECT_EQ(revoked.error().code, ErrorCode::CredentialMalformed);
    EXPECT_NE(revoked.error().message.find("revoked"), std::string::npos);
    auto garbage = desk_->open_by_card("HELLO", "pangan", "", operator_);
    ASSERT_FALSE(garbage.has_value());
    EXPECT_EQ(garbage.error().code, ErrorCode::CredentialMalformed);
}

TEST_F(ServiceDeskTest, ARequestSentAgainWithItsKeyIsOpenedOnceByHandOrByCard) {
    const auto person = add(3, "64.74.01.1003");
    const auto card = cards_->issue(person.id, admin_);
    ASSERT_TRUE(card.has_value()) << card.error().message;
    auto first = desk_->open_by_card(card->credential, "pangan", "Beras", operator_, "scan-1");
    ASSERT_TRUE(first.has_value()) << first.error().message;
    auto again = desk_->open_by_card(card->credential, "pangan", "Beras", operator_, "scan-1");
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_TRUE(again->replayed);
    EXPECT_EQ(again->record.id, first->record.id);
    // By hand the request names no card: another request under the same key is refused.
    auto by_hand = desk_->open(person.id, "pangan", "Beras", operator_, "scan-1");
    ASSERT_FALSE(by_hand.has_value());
    EXPECT_EQ(by_hand.error().code, ErrorCode::IdempotencyKeyReused);
    auto hand_1 = desk_->open(person.id, "pangan", "Beras", operator_, "hand-1");
    auto hand_2 = desk_->open(person.id, "pangan", "Beras", operator_, "hand-1");
    ASSERT_TRUE(hand_1.has_value() && hand_2.has_value());
    EXPECT_FALSE(hand_1->replayed);
    EXPECT_TRUE(hand_2->replayed);
    auto seen = desk_->person_requests(person.id, operator_);
    ASSERT_TRUE(seen.has_value());
    EXPECT_EQ(seen->size(), 2U);
}

TEST_F(ServiceDeskTest, AreasBoundWhoSeesAndOpensRequests) {
    const auto outside = add(2, "64.74.02.1006");
    auto refused = desk_->open(outside.id, "pangan", "", operator_);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::NotFound);
    auto by_admin = desk_->open(outside.id, "pangan", "Beras 10 kg", admin_);
    ASSERT_TRUE(by_admin.has_value()) << by_admin.error().message;
    auto hidden = desk_->get(by_admin->record.id, viewer_);
    ASSERT_FALSE(hidden.has_value());
    EXPECT_EQ(hidden.error().code, ErrorCode::NotFound);
    auto unknown = desk_->open(outside.id, "tidak_ada", "", admin_);
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::ServiceUnknown);
}

} // namespace
} // namespace kapal::service
