#include "kapal/service/voucher_service.hpp"

#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

namespace kapal::service {
namespace {

using testing::StoreTest;

class VoucherServiceTest : public StoreTest {
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
        aid_ = std::make_unique<AidService>(*store_, *cards_, clock_, ids_);
        vouchers_ = std::make_unique<VoucherService>(*store_, *aid_, clock_, ids_);
        add_user(warung_.id, core::Role::Merchant);
        add_user(other_warung_.id, core::Role::Merchant);
        add_user(penyalur_.id, core::Role::Penyalur);
    }

    void TearDown() override {
        vouchers_.reset();
        aid_.reset();
        cards_.reset();
        persons_.reset();
        StoreTest::TearDown();
    }

    void add_user(const std::string& id, core::Role role) {
        store::UserRecord u;
        u.user.id = id;
        u.user.username = id;
        u.user.display_name = id;
        u.user.role = role;
        u.password_hash = "x";
        ASSERT_TRUE(store_->create_user(u, store::WriteContext{"tester", "cli", clock_.now(), ""}));
    }

    core::PersonRecord add_person(int serial) {
        core::Person p;
        p.nik = "6474014703" + std::string("80") + testing::test_person_nik(serial).substr(12);
        p.full_name = testing::test_person_name(serial);
        p.sex = core::Sex::Female;
        p.birth_date = core::make_date(1980, 3, 7);
        p.address = core::Address{"Jl. Pupuk", "001", "02", "64.74.01.1003"};
        p.categories = {core::Category::Fisik};
        auto created = persons_->create(p, admin_, std::nullopt);
        EXPECT_TRUE(created.has_value()) << created.error().message;
        return created ? created->record : core::PersonRecord{};
    }

    store::MerchantRecord merchant(const std::string& user_id) {
        store::MerchantRecord m;
        m.name = "E-Warong " + user_id;
        m.user_id = user_id;
        m.kelurahan_code = "64.74.01.1003";
        m.lon = 117.49;
        m.lat = 0.13;
        return m;
    }

    /// A voucher programme assigned to warung_, its cycle approved with `person` on the list.
    store::AidCycleRecord voucher_cycle(std::int64_t unit_value = 100'000) {
        store::AidProgramRecord p;
        p.code = "bpnt";
        p.name = "BPNT";
        p.source = "APBN";
        p.kind = "voucher";
        p.channel = "voucher";
        p.unit_value = unit_value;
        p.rule = "true";
        p.assignees = {warung_.id};
        EXPECT_TRUE(aid_->create_program(p, admin_).has_value());
        store::AidCycleRecord c;
        c.program_code = "bpnt";
        c.number = 1;
        c.name = "Tahap I";
        c.starts_on = core::make_date(2026, 11, 1);
        c.ends_on = core::make_date(2026, 11, 30);
        auto made = aid_->create_cycle(c, admin_);
        EXPECT_TRUE(made.has_value());
        auto gen = aid_->generate_list(made->id, made->version, admin_);
        EXPECT_TRUE(gen.has_value());
        auto prop = aid_->move_list(made->id, gen->cycle.version, "proposed", "", operator_);
        EXPECT_TRUE(prop.has_value());
        auto approved = aid_->move_list(made->id, prop->version, "approved", "", admin2_);
        EXPECT_TRUE(approved.has_value());
        return approved ? *approved : c;
    }

    card::CardKey key_ = card::card_key_from_seed(std::array<std::uint8_t, 32>{6});
    std::vector<card::PublishedCardKey> keys_;
    std::unique_ptr<PersonService> persons_;
    std::unique_ptr<CardService> cards_;
    std::unique_ptr<AidService> aid_;
    std::unique_ptr<VoucherService> vouchers_;
    Actor admin_{"tester", "127.0.0.1", {}, std::nullopt};
    Actor admin2_{"admin-2", "10.0.0.9", {}, core::Role::Admin};
    Actor operator_{"op", "10.0.0.2", {"64.74.01"}, core::Role::Operator};
    Actor auditor_{"aud", "10.0.0.3", {}, core::Role::Auditor};
    Actor warung_{"warung-1", "10.0.0.6", {}, core::Role::Merchant};
    Actor other_warung_{"warung-2", "10.0.0.7", {}, core::Role::Merchant};
    Actor penyalur_{"penyalur-1", "10.0.0.4", {"64.74"}, core::Role::Penyalur};
};

TEST_F(VoucherServiceTest, AdminsRegisterMerchantsForMerchantAccountsOnly) {
    auto by_operator = vouchers_->create_merchant(merchant(warung_.id), operator_);
    ASSERT_FALSE(by_operator.has_value());
    EXPECT_EQ(by_operator.error().code, ErrorCode::Forbidden);
    auto for_penyalur = vouchers_->create_merchant(merchant(penyalur_.id), admin_);
    ASSERT_FALSE(for_penyalur.has_value());
    EXPECT_EQ(for_penyalur.error().code, ErrorCode::ValidationFailed);
    ASSERT_FALSE(for_penyalur.error().fields.empty());
    EXPECT_EQ(for_penyalur.error().fields.front().field, "user_id");
    auto made = vouchers_->create_merchant(merchant(warung_.id), admin_);
    ASSERT_TRUE(made.has_value()) << made.error().message;
    EXPECT_FALSE(made->id.empty());
    ASSERT_TRUE(vouchers_->create_merchant(merchant(other_warung_.id), admin_).has_value());

    auto office = vouchers_->merchants(operator_);
    ASSERT_TRUE(office.has_value());
    EXPECT_EQ(office->size(), 2U);
    auto own = vouchers_->merchants(warung_);
    ASSERT_TRUE(own.has_value());
    ASSERT_EQ(own->size(), 1U) << "a merchant sees its own e-warong";
    EXPECT_EQ(own->front().user_id, warung_.id);
    auto penyalur = vouchers_->merchants(penyalur_);
    ASSERT_FALSE(penyalur.has_value());
    EXPECT_EQ(penyalur.error().code, ErrorCode::Forbidden);
    auto hidden = vouchers_->merchant(made->id, other_warung_);
    ASSERT_FALSE(hidden.has_value());
    EXPECT_EQ(hidden.error().code, ErrorCode::NotFound);
}

TEST_F(VoucherServiceTest, OnlyTheAssignedMerchantRedeemsAndTheBalanceFollows) {
    const auto person = add_person(1);
    const auto card = cards_->issue(person.id, admin_);
    ASSERT_TRUE(card.has_value()) << card.error().message;
    const auto c = voucher_cycle();
    ASSERT_TRUE(vouchers_->create_merchant(merchant(warung_.id), admin_).has_value());
    auto other_shop = vouchers_->create_merchant(merchant(other_warung_.id), admin_);
    ASSERT_TRUE(other_shop.has_value());

    VoucherRequest scan;
    scan.cycle_id = c.id;
    scan.qr = card->credential;
    auto seen = vouchers_->holder(scan, warung_);
    ASSERT_TRUE(seen.has_value()) << seen.error().message;
    EXPECT_EQ(seen->person.person_id, person.id.str());
    EXPECT_EQ(seen->balance.balance, 100'000);

    scan.amount = 40'000;
    scan.note = "beras, minyak";
    scan.idempotency_key = "phone-1";
    auto stranger = vouchers_->redeem(scan, other_warung_);
    ASSERT_FALSE(stranger.has_value());
    EXPECT_EQ(stranger.error().code, ErrorCode::NotFound) << "not assigned: the cycle is hidden";
    auto penyalur = vouchers_->redeem(scan, penyalur_);
    ASSERT_FALSE(penyalur.has_value());
    EXPECT_EQ(penyalur.error().code, ErrorCode::Forbidden);
    VoucherRequest at_other = scan;
    at_other.merchant_id = other_shop->id;
    auto for_other = vouchers_->redeem(at_other, warung_);
    ASSERT_FALSE(for_other.has_value());
    EXPECT_EQ(for_other.error().code, ErrorCode::Forbidden) << "a merchant acts for its own shop";

    auto first = vouchers_->redeem(scan, warung_);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_EQ(first->balance.balance, 60'000);
    EXPECT_EQ(first->transaction.card_number, card->number);
    auto retried = vouchers_->redeem(scan, warung_);
    ASSERT_TRUE(retried.has_value());
    EXPECT_TRUE(retried->replayed);
    EXPECT_EQ(retried->balance.balance, 60'000);

    VoucherRequest searched;
    searched.cycle_id = c.id;
    searched.person_id = person.id.str();
    searched.amount = 70'000;
    auto no_reason = vouchers_->redeem(searched, warung_);
    ASSERT_FALSE(no_reason.has_value());
    EXPECT_EQ(no_reason.error().code, ErrorCode::AidReasonRequired);
    searched.search_reason = "kartu tertinggal";
    auto too_much = vouchers_->redeem(searched, warung_);
    ASSERT_FALSE(too_much.has_value());
    EXPECT_EQ(too_much.error().code, ErrorCode::AidVoucherInsufficient);
    searched.amount = 60'000;
    auto rest = vouchers_->redeem(searched, warung_);
    ASSERT_TRUE(rest.has_value()) << rest.error().message;
    EXPECT_EQ(rest->balance.balance, 0);
    EXPECT_EQ(rest->transaction.search_reason, "kartu tertinggal");

    // The ledger for admins and auditors; a merchant sees its own; others see nothing.
    store::VoucherQuery q;
    q.cycle_id = c.id;
    auto ledger = vouchers_->transactions(q, auditor_);
    ASSERT_TRUE(ledger.has_value());
    EXPECT_EQ(ledger->size(), 3U) << "issue and two redemptions";
    auto by_operator = vouchers_->transactions(q, operator_);
    ASSERT_FALSE(by_operator.has_value());
    EXPECT_EQ(by_operator.error().code, ErrorCode::Forbidden);
    auto mine = vouchers_->transactions(q, warung_);
    ASSERT_TRUE(mine.has_value());
    EXPECT_EQ(mine->size(), 2U) << "the redemptions at its shop";
    auto totals = vouchers_->merchant_totals(c.id, admin_);
    ASSERT_TRUE(totals.has_value());
    ASSERT_EQ(totals->size(), 1U);
    EXPECT_EQ(totals->front().amount, 100'000);
    auto balance = vouchers_->balance(c.id, person.id.str(), operator_);
    ASSERT_TRUE(balance.has_value()) << balance.error().message;
    EXPECT_EQ(balance->spent, 100'000);
}

} // namespace
} // namespace kapal::service
