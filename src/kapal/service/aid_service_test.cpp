#include "kapal/service/aid_service.hpp"

#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>

namespace kapal::service {
namespace {

using testing::StoreTest;

class AidServiceTest : public StoreTest {
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
    }

    void TearDown() override {
        aid_.reset();
        cards_.reset();
        persons_.reset();
        StoreTest::TearDown();
    }

    /// A person born in `year`, of `severity`, in `kelurahan`, with an account number.
    core::PersonRecord add(int serial,
                           const std::string& kelurahan,
                           int year,
                           core::DisabilitySeverity severity,
                           const std::string& account = "") {
        core::Person p;
        char yy[8];
        std::snprintf(yy, sizeof yy, "%02d", year % 100);
        // Codes and names far apart, so that the duplicate check takes no two for one person.
        p.nik = (kelurahan.starts_with("64.74.02") ? "647402" : "647401") + std::string("4703") +
                yy + testing::test_person_nik(serial).substr(12);
        p.full_name = testing::test_person_name(serial);
        p.sex = core::Sex::Female;
        p.birth_date = core::make_date(year, 3, 7);
        p.address = core::Address{"Jl. Pupuk", "001", "02", kelurahan};
        p.categories = {core::Category::Fisik};
        p.severity = severity;
        if (!account.empty()) {
            p.account = core::Account{core::AccountKind::Bank, "Bankaltimtara", account, "Warga"};
        }
        auto created = persons_->create(p, admin_, std::nullopt);
        EXPECT_TRUE(created.has_value()) << created.error().message;
        return created ? created->record : core::PersonRecord{};
    }

    store::AidProgramRecord programme(const std::string& code, const std::string& rule) {
        store::AidProgramRecord p;
        p.code = code;
        p.name = "Program " + code;
        p.source = "APBD";
        p.kind = "barang";
        p.channel = "langsung";
        p.unit_value = 150'000;
        p.rule = rule;
        p.assignees = {penyalur_.id};
        auto made = aid_->create_program(p, admin_);
        EXPECT_TRUE(made.has_value()) << made.error().message;
        return made ? *made : p;
    }

    store::AidCycleRecord cycle(const std::string& code, std::vector<store::AidQuota> quotas = {}) {
        store::AidCycleRecord c;
        c.program_code = code;
        c.number = 1;
        c.name = "Tahap I";
        c.starts_on = core::make_date(2026, 11, 1);
        c.ends_on = core::make_date(2026, 11, 30);
        c.quotas = std::move(quotas);
        auto made = aid_->create_cycle(c, admin_);
        EXPECT_TRUE(made.has_value()) << made.error().message;
        return made ? *made : c;
    }

    std::vector<store::AidListEntry> list_of(const std::string& cycle_id) {
        store::AidEntryQuery q;
        q.cycle_id = cycle_id;
        auto entries = aid_->entries(q, admin_);
        EXPECT_TRUE(entries.has_value()) << entries.error().message;
        return entries ? *entries : std::vector<store::AidListEntry>{};
    }

    card::CardKey key_ = card::card_key_from_seed(std::array<std::uint8_t, 32>{5});
    std::vector<card::PublishedCardKey> keys_;
    std::unique_ptr<PersonService> persons_;
    std::unique_ptr<CardService> cards_;
    std::unique_ptr<AidService> aid_;
    Actor admin_{"tester", "127.0.0.1", {}, std::nullopt};
    Actor admin2_{"admin-2", "10.0.0.9", {}, core::Role::Admin};
    Actor operator_{"op", "10.0.0.2", {"64.74.01"}, core::Role::Operator};
    Actor penyalur_{"penyalur-1", "10.0.0.4", {"64.74"}, core::Role::Penyalur};
    Actor stranger_{"penyalur-2", "10.0.0.5", {"64.74"}, core::Role::Penyalur};
};

TEST_F(AidServiceTest, QuotasKeepTheMostSevereThenTheOldestAndCountWhatIsLeftOff) {
    using core::DisabilitySeverity;
    const auto young_severe = add(1, "64.74.01.1003", 2000, DisabilitySeverity::Berat);
    const auto old_mild = add(2, "64.74.01.1003", 1950, DisabilitySeverity::Ringan);
    const auto old_severe = add(3, "64.74.01.1003", 1960, DisabilitySeverity::Berat);
    const auto elsewhere = add(4, "64.74.02.1001", 1970, DisabilitySeverity::Sedang);
    programme("asp", "age >= 18");
    const auto c = cycle("asp", {store::AidQuota{"64.74.01", 2}});

    auto made = aid_->generate_list(c.id, c.version, admin_);
    ASSERT_TRUE(made.has_value()) << made.error().message;
    EXPECT_EQ(made->matched, 4U);
    EXPECT_EQ(made->listed, 3U);
    EXPECT_EQ(made->over_quota.at("64.74.01"), 1U);
    EXPECT_EQ(made->cycle.rule, "age >= 18");
    std::set<std::string> listed;
    for (const auto& e : list_of(c.id)) {
        listed.insert(e.person_id);
    }
    EXPECT_EQ(
        listed,
        (std::set<std::string>{young_severe.id.str(), old_severe.id.str(), elsewhere.id.str()}))
        << "the mild one is left off; among the severe ones both fit";
    EXPECT_EQ(listed.count(old_mild.id.str()), 0U);
}

TEST_F(AidServiceTest, FlagsSharedAccountsInactivePersonsAndExcludingProgrammes) {
    using core::DisabilitySeverity;
    const auto a = add(1, "64.74.01.1003", 1980, DisabilitySeverity::Sedang, "0012345678");
    const auto b = add(2, "64.74.01.1003", 1981, DisabilitySeverity::Sedang, "0012345678");
    const auto c = add(3, "64.74.01.1003", 1982, DisabilitySeverity::Sedang, "0099999999");
    // Person c is on the PKH list, which the new programme excludes.
    programme("pkh", "true");
    const auto pkh = cycle("pkh");
    ASSERT_TRUE(aid_->generate_list(pkh.id, pkh.version, admin_).has_value());
    store::AidProgramRecord asp;
    asp.code = "asp";
    asp.name = "ASPD";
    asp.source = "APBD";
    asp.kind = "tunai";
    asp.channel = "langsung";
    asp.rule = "true";
    asp.excludes = {"pkh"};
    ASSERT_TRUE(aid_->create_program(asp, admin_).has_value());
    const auto cy = cycle("asp");
    auto made = aid_->generate_list(cy.id, cy.version, admin_);
    ASSERT_TRUE(made.has_value()) << made.error().message;
    EXPECT_EQ(made->flag_counts.at("aid.shared_account"), 2U);
    EXPECT_EQ(made->flag_counts.at("aid.excluded_program"), 3U) << "all three are on PKH's list";
    for (const auto& e : list_of(cy.id)) {
        const bool shared = e.person_id == a.id.str() || e.person_id == b.id.str();
        EXPECT_EQ(std::count(e.flags.begin(), e.flags.end(), "aid.shared_account"), shared ? 1 : 0)
            << e.person_id;
    }
    (void)c;
}

TEST_F(AidServiceTest, AnOperatorRegeneratesOnlyTheirAreasAndAddsOnlyTheirPersons) {
    using core::DisabilitySeverity;
    const auto in = add(1, "64.74.01.1003", 1980, DisabilitySeverity::Berat);
    const auto out = add(2, "64.74.02.1001", 1980, DisabilitySeverity::Berat);
    programme("asp", "true");
    const auto c = cycle("asp");
    auto all = aid_->generate_list(c.id, c.version, admin_);
    ASSERT_TRUE(all.has_value());
    auto mine = aid_->generate_list(c.id, all->cycle.version, operator_);
    ASSERT_TRUE(mine.has_value()) << mine.error().message;
    EXPECT_EQ(mine->matched, 1U) << "the operator's rule run sees only their area";
    EXPECT_EQ(mine->cycle.list_size, 2) << "the other kecamatan's entry stays";

    auto removed = aid_->remove_from_list(c.id, mine->cycle.version, out.id, "pindah", operator_);
    ASSERT_FALSE(removed.has_value());
    EXPECT_EQ(removed.error().code, ErrorCode::NotFound);
    auto viewer = aid_->add_to_list(
        c.id, mine->cycle.version, in.id, "uji", Actor{"v", "x", {}, core::Role::Viewer});
    ASSERT_FALSE(viewer.has_value());
    EXPECT_EQ(viewer.error().code, ErrorCode::Forbidden);
}

TEST_F(AidServiceTest, OnlyTheAssignedPenyalurHandsOverWithinTheCycleAndOnlyOnce) {
    using core::DisabilitySeverity;
    const auto person = add(1, "64.74.01.1003", 1980, DisabilitySeverity::Berat);
    const auto card = cards_->issue(person.id, admin_);
    ASSERT_TRUE(card.has_value()) << card.error().message;
    programme("asp", "true");
    auto c = cycle("asp");
    auto made = aid_->generate_list(c.id, c.version, admin_);
    ASSERT_TRUE(made.has_value());
    AidHandover h;
    h.cycle_id = c.id;
    h.qr = card->credential;
    h.lon = 117.4901;
    h.lat = 0.1341;
    auto early = aid_->hand_over(h, penyalur_);
    ASSERT_FALSE(early.has_value());
    EXPECT_EQ(early.error().code, ErrorCode::AidListState);

    auto proposed = aid_->move_list(c.id, made->cycle.version, "proposed", "", operator_);
    ASSERT_TRUE(proposed.has_value()) << proposed.error().message;
    auto by_operator = aid_->move_list(c.id, proposed->version, "approved", "", operator_);
    ASSERT_FALSE(by_operator.has_value());
    EXPECT_EQ(by_operator.error().code, ErrorCode::Forbidden);
    auto approved = aid_->move_list(c.id, proposed->version, "approved", "", admin2_);
    ASSERT_TRUE(approved.has_value()) << approved.error().message;

    // Another penyalur does not even see the programme.
    auto not_assigned = aid_->hand_over(h, stranger_);
    ASSERT_FALSE(not_assigned.has_value());
    EXPECT_EQ(not_assigned.error().code, ErrorCode::NotFound);
    auto hidden = aid_->program("asp", stranger_);
    ASSERT_FALSE(hidden.has_value());
    EXPECT_EQ(hidden.error().code, ErrorCode::NotFound);

    auto first = aid_->hand_over(h, penyalur_);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_EQ(first->record.card_number, card->number);
    EXPECT_EQ(first->record.amount, 150'000);
    EXPECT_TRUE(first->record.flags.empty());
    auto again = aid_->hand_over(h, penyalur_);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, ErrorCode::AidAlreadyDelivered);

    // After the cycle's last day, nothing more is recorded.
    store::AidCycleRecord later;
    later.program_code = "asp";
    later.number = 2;
    later.name = "Tahap II";
    later.starts_on = core::make_date(2027, 1, 1);
    later.ends_on = core::make_date(2027, 6, 30);
    auto next = aid_->create_cycle(later, admin_);
    ASSERT_TRUE(next.has_value());
    auto gen = aid_->generate_list(next->id, next->version, admin_);
    ASSERT_TRUE(gen.has_value());
    auto prop = aid_->move_list(next->id, gen->cycle.version, "proposed", "", operator_);
    ASSERT_TRUE(prop.has_value());
    ASSERT_TRUE(aid_->move_list(next->id, prop->version, "approved", "", admin2_).has_value());
    h.cycle_id = next->id;
    auto closed = aid_->hand_over(h, penyalur_);
    ASSERT_FALSE(closed.has_value());
    EXPECT_EQ(closed.error().code, ErrorCode::AidCycleClosed);
}

TEST_F(AidServiceTest, ARevokedCardOrAForgedQrDoesNotHandOver) {
    using core::DisabilitySeverity;
    const auto person = add(1, "64.74.01.1003", 1980, DisabilitySeverity::Berat);
    const auto card = cards_->issue(person.id, admin_);
    ASSERT_TRUE(card.has_value());
    programme("asp", "true");
    auto c = cycle("asp");
    auto made = aid_->generate_list(c.id, c.version, admin_);
    ASSERT_TRUE(made.has_value());
    auto proposed = aid_->move_list(c.id, made->cycle.version, "proposed", "", operator_);
    ASSERT_TRUE(proposed.has_value());
    ASSERT_TRUE(aid_->move_list(c.id, proposed->version, "approved", "", admin2_).has_value());

    AidHandover forged;
    forged.cycle_id = c.id;
    forged.qr = card->credential;
    forged.qr[forged.qr.size() / 2] = forged.qr[forged.qr.size() / 2] == 'A' ? 'B' : 'A';
    auto refused = aid_->hand_over(forged, penyalur_);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::CredentialMalformed);

    ASSERT_TRUE(cards_->revoke(card->number, "hilang", "", admin_).has_value());
    AidHandover by_number;
    by_number.cycle_id = c.id;
    by_number.card_number = card->number;
    auto revoked = aid_->hand_over(by_number, penyalur_);
    ASSERT_FALSE(revoked.has_value());
    EXPECT_EQ(revoked.error().code, ErrorCode::CardAlreadyRevoked);
}

} // namespace
} // namespace kapal::service
