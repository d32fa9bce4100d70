// The store contract for vouchers (schema v11): merchants, the entitlement issued as the one
// delivery of a (cycle, person), and the double-entry ledger whose balances never go below zero.

#include "kapal/core/ids.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/store/store_contract.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

namespace kapal::store::contract {
namespace {

const core::Timestamp kT0 = core::from_unix_ms(1'770'000'000'000);
constexpr std::int64_t kUnit = 200'000;

WriteContext as(const std::string& actor, int minute = 0) {
    return WriteContext{actor, "10.0.0.9", kT0 + std::chrono::minutes(minute), ""};
}

core::PersonId person_id(int n) {
    return core::PersonId(core::format_uuid_v7(
        kT0, static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(n) * 7919U));
}

std::string cycle_id(int n) {
    return core::format_uuid_v7(kT0, 700'000U + static_cast<std::uint64_t>(n), 29U);
}

/// Distinct UUIDv7 ids for transactions, deliveries and merchants.
std::string new_id(int n) {
    return core::format_uuid_v7(kT0, 600'000U + static_cast<std::uint64_t>(n), 31U);
}

MerchantRecord merchant(int n) {
    MerchantRecord m;
    m.id = new_id(900'000 + n);
    m.name = "E-Warong Maju " + std::to_string(n);
    m.user_id = "user:warung" + std::to_string(n);
    m.kelurahan_code = "64.74.01.1003";
    m.lon = 117.4912;
    m.lat = 0.1337;
    m.address = "Jl. Ahmad Yani No. " + std::to_string(n);
    return m;
}

/// A voucher programme "bpnt" (or one of `channel`) with cycle 1 whose approved list holds
/// persons 1..count, and merchants 1 and 2.
void voucher_setup(Store& s, int count, const std::string& channel = "voucher") {
    AidProgramRecord p;
    p.code = "bpnt";
    p.name = "Bantuan Pangan Non Tunai";
    p.source = "APBN";
    p.kind = "voucher";
    p.channel = channel;
    p.unit_value = kUnit;
    p.assignees = {"user:warung1"};
    ASSERT_TRUE(s.add_aid_program(p, as("user:admin")).has_value());
    AidCycleRecord c;
    c.id = cycle_id(1);
    c.program_code = "bpnt";
    c.number = 1;
    c.name = "Tahap I";
    c.starts_on = core::make_date(2026, 1, 1);
    c.ends_on = core::make_date(2026, 12, 31);
    ASSERT_TRUE(s.add_aid_cycle(c, as("user:admin")).has_value());
    std::vector<AidListEntry> entries;
    for (int n = 1; n <= count; ++n) {
        core::Person person = full_person(n);
        person.address.kelurahan_code = "64.74.01.1003";
        ASSERT_TRUE(s.create_person(person_id(n),
                                    person,
                                    core::kecamatan_of("64.74.01.1003"),
                                    as("user:op"),
                                    std::nullopt)
                        .has_value());
        AidListEntry e;
        e.person_id = person_id(n).str();
        e.kelurahan_code = "64.74.01.1003";
        e.source = "rule";
        e.added_at = kT0;
        e.added_by = "user:op";
        entries.push_back(e);
    }
    ASSERT_TRUE(s.replace_aid_list(cycle_id(1), 1, "", {}, entries, as("user:op", 1)));
    ASSERT_TRUE(s.move_aid_list(cycle_id(1), 2, "proposed", as("user:op", 2)));
    ASSERT_TRUE(s.move_aid_list(cycle_id(1), 3, "approved", as("user:admin2", 3)));
    ASSERT_TRUE(s.add_merchant(merchant(1), as("user:admin", 4)).has_value());
    ASSERT_TRUE(s.add_merchant(merchant(2), as("user:admin", 4)).has_value());
}

VoucherRedemption redemption(int n, int person, std::int64_t amount, int merchant_n = 1) {
    VoucherRedemption r;
    r.issue_id = new_id(3 * n); // before the redemption's id: the ledger reads in id order
    r.delivery_id = new_id(3 * n + 1);
    r.id = new_id(3 * n + 2);
    r.cycle_id = cycle_id(1);
    r.person_id = person_id(person).str();
    r.merchant_id = merchant(merchant_n).id;
    r.amount = amount;
    r.note = "beras 5 kg";
    r.card_number = "647400000010";
    return r;
}

/// Every transaction of the cycle (all pages).
std::vector<VoucherTransaction> ledger(Store& s) {
    VoucherQuery q;
    q.cycle_id = cycle_id(1);
    q.limit = 100;
    std::vector<VoucherTransaction> out;
    for (;;) {
        auto page = s.list_voucher_transactions(q);
        EXPECT_TRUE(page.has_value());
        if (!page || page->empty()) {
            return out;
        }
        q.after_id = page->back().id;
        out.insert(out.end(), page->begin(), page->end());
    }
}

} // namespace

TEST_P(StoreContract, MerchantsAreAddedUpdatedByVersionAndAudited) {
    auto added = store().add_merchant(merchant(1), as("user:admin", 1));
    ASSERT_TRUE(added.has_value()) << added.error().message;
    EXPECT_EQ(added->version, 1);
    EXPECT_EQ(added->lon, 117.4912) << "to the last bit";
    EXPECT_EQ(added->created_by, "user:admin");
    EXPECT_TRUE(added->active);
    auto again = store().add_merchant(merchant(1), as("user:admin", 1));
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, ErrorCode::AlreadyExists);

    MerchantRecord nowhere = merchant(3);
    nowhere.lat = 91;
    auto refused = store().add_merchant(nowhere, as("user:admin"));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
    ASSERT_FALSE(refused.error().fields.empty());
    EXPECT_EQ(refused.error().fields.front().field, "lat");

    MerchantRecord changed = *added;
    changed.active = false;
    changed.address = "Jl. Pupuk Raya";
    auto updated = store().update_merchant(changed, as("user:admin", 2));
    ASSERT_TRUE(updated.has_value()) << updated.error().message;
    EXPECT_EQ(updated->version, 2);
    EXPECT_FALSE(updated->active);
    EXPECT_EQ(updated->updated_at, kT0 + std::chrono::minutes(2));
    auto stale = store().update_merchant(changed, as("user:admin", 3));
    ASSERT_FALSE(stale.has_value());
    EXPECT_EQ(stale.error().code, ErrorCode::VersionConflict);

    auto got = store().get_merchant(added->id);
    ASSERT_TRUE(got.has_value() && got->has_value());
    EXPECT_EQ(**got, *updated);
    ASSERT_TRUE(store().add_merchant(merchant(2), as("user:admin", 4)).has_value());
    auto all = store().list_merchants();
    ASSERT_TRUE(all.has_value());
    ASSERT_EQ(all->size(), 2U);
    EXPECT_EQ((*all)[0].name, "E-Warong Maju 1") << "by name";
    auto none = store().get_merchant(new_id(1));
    ASSERT_TRUE(none.has_value());
    EXPECT_FALSE(none->has_value());
}

TEST_P(StoreContract, AVoucherIsIssuedOnTheFirstRedemptionAndSpentInParts) {
    ASSERT_NO_FATAL_FAILURE(voucher_setup(store(), 2));
    auto before = store().voucher_balance(cycle_id(1), person_id(1).str());
    ASSERT_TRUE(before.has_value()) << before.error().message;
    EXPECT_FALSE(before->issued);
    EXPECT_EQ(before->balance, kUnit);

    auto first = store().redeem_voucher(redemption(1, 1, 75'000), as("user:warung1", 10));
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_FALSE(first->replayed);
    EXPECT_EQ(first->transaction.kind, "redeem");
    EXPECT_EQ(first->transaction.note, "beras 5 kg");
    EXPECT_EQ(first->balance.balance, kUnit - 75'000);
    EXPECT_EQ(first->balance.spent, 75'000);
    EXPECT_TRUE(first->balance.issued);
    const std::vector<VoucherPosting> postings = {
        {voucher_account(cycle_id(1), person_id(1).str()), -75'000},
        {merchant_account(merchant(1).id), 75'000}};
    EXPECT_EQ(first->transaction.postings, postings);

    // The entitlement is the person's one delivery of the cycle, of channel voucher.
    AidDeliveryQuery dq;
    dq.cycle_id = cycle_id(1);
    dq.person_id = person_id(1).str();
    auto deliveries = store().list_aid_deliveries(dq);
    ASSERT_TRUE(deliveries.has_value());
    ASSERT_EQ(deliveries->size(), 1U);
    EXPECT_EQ(deliveries->front().channel, "voucher");
    EXPECT_EQ(deliveries->front().amount, kUnit);
    EXPECT_EQ(deliveries->front().id, first->balance.delivery_id);

    auto second = store().redeem_voucher(redemption(2, 1, 125'000, 2), as("user:warung2", 11));
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_EQ(second->balance.balance, 0) << "spent to the last rupiah";
    auto over = store().redeem_voucher(redemption(3, 1, 1), as("user:warung1", 12));
    ASSERT_FALSE(over.has_value());
    EXPECT_EQ(over.error().code, ErrorCode::AidVoucherInsufficient);

    // The ledger: one issue and two redemptions, each summing to zero.
    const auto all = ledger(store());
    ASSERT_EQ(all.size(), 3U);
    EXPECT_EQ(all[0].kind, "issue");
    EXPECT_EQ(all[0].amount, kUnit);
    std::map<std::string, std::int64_t> accounts;
    for (const auto& t : all) {
        std::int64_t sum = 0;
        for (const auto& p : t.postings) {
            sum += p.amount;
            accounts[p.account] += p.amount;
        }
        EXPECT_EQ(sum, 0) << t.id;
    }
    EXPECT_EQ(accounts[voucher_fund_account(cycle_id(1))], -kUnit);
    EXPECT_EQ(accounts[voucher_account(cycle_id(1), person_id(1).str())], 0);
    EXPECT_EQ(accounts[merchant_account(merchant(1).id)], 75'000);

    auto totals = store().merchant_totals(cycle_id(1));
    ASSERT_TRUE(totals.has_value());
    std::map<std::string, MerchantTotal> by_merchant;
    for (const auto& t : *totals) {
        by_merchant[t.merchant_id] = t;
    }
    EXPECT_EQ(by_merchant[merchant(1).id].amount, 75'000);
    EXPECT_EQ(by_merchant[merchant(2).id].amount, 125'000);
    EXPECT_EQ(by_merchant[merchant(2).id].transactions, 1);
    VoucherQuery at_two;
    at_two.merchant_id = merchant(2).id;
    auto of_two = store().list_voucher_transactions(at_two);
    ASSERT_TRUE(of_two.has_value());
    ASSERT_EQ(of_two->size(), 1U);
    EXPECT_EQ(of_two->front().amount, 125'000);
    auto balances = store().list_voucher_balances(cycle_id(1), "", 10);
    ASSERT_TRUE(balances.has_value());
    ASSERT_EQ(balances->size(), 1U) << "person 2 has not been issued yet";
}

TEST_P(StoreContract, AVoucherIsRefusedWhereItDoesNotApply) {
    ASSERT_NO_FATAL_FAILURE(voucher_setup(store(), 2));
    auto off_list = store().redeem_voucher(redemption(1, 3, 1000), as("user:warung1"));
    ASSERT_FALSE(off_list.has_value());
    EXPECT_EQ(off_list.error().code, ErrorCode::AidNotOnList);
    auto zero = store().redeem_voucher(redemption(2, 1, 0), as("user:warung1"));
    ASSERT_FALSE(zero.has_value());
    EXPECT_EQ(zero.error().code, ErrorCode::InvalidArgument);
    VoucherRedemption unknown = redemption(3, 1, 1000);
    unknown.merchant_id = new_id(42);
    auto no_merchant = store().redeem_voucher(unknown, as("user:warung1"));
    ASSERT_FALSE(no_merchant.has_value());
    EXPECT_EQ(no_merchant.error().code, ErrorCode::NotFound);
    auto too_much = store().redeem_voucher(redemption(4, 1, kUnit + 1), as("user:warung1"));
    ASSERT_FALSE(too_much.has_value());
    EXPECT_EQ(too_much.error().code, ErrorCode::AidVoucherInsufficient);
    EXPECT_TRUE(ledger(store()).empty()) << "a refused first redemption issues nothing";

    // Person 2 got the aid in kind: the voucher is the same delivery and is refused.
    AidDeliveryRecord in_kind;
    in_kind.id = new_id(77);
    in_kind.cycle_id = cycle_id(1);
    in_kind.program_code = "bpnt";
    in_kind.person_id = person_id(2).str();
    in_kind.kelurahan_code = "64.74.01.1003";
    in_kind.channel = "langsung";
    in_kind.amount = kUnit;
    in_kind.recorded_at = kT0;
    in_kind.officer = "user:penyalur";
    ASSERT_TRUE(store().record_aid_delivery(in_kind, as("user:penyalur", 5)).has_value());
    auto twice = store().redeem_voucher(redemption(5, 2, 1000), as("user:warung1", 6));
    ASSERT_FALSE(twice.has_value());
    EXPECT_EQ(twice.error().code, ErrorCode::AidAlreadyDelivered);
    // And the other way round: a voucher issued to person 1 blocks a handover.
    ASSERT_TRUE(store().redeem_voucher(redemption(6, 1, 1000), as("user:warung1", 7)));
    in_kind.id = new_id(78);
    in_kind.person_id = person_id(1).str();
    auto handed = store().record_aid_delivery(in_kind, as("user:penyalur", 8));
    ASSERT_FALSE(handed.has_value());
    EXPECT_EQ(handed.error().code, ErrorCode::AidAlreadyDelivered);

    MerchantRecord closed = merchant(2);
    closed.active = false;
    ASSERT_TRUE(store().update_merchant(closed, as("user:admin", 9)));
    auto at_closed = store().redeem_voucher(redemption(7, 1, 1000, 2), as("user:warung2", 10));
    ASSERT_FALSE(at_closed.has_value());
    EXPECT_EQ(at_closed.error().code, ErrorCode::InvalidArgument);
}

TEST_P(StoreContract, AVoucherIsRefusedForAProgrammeOfAnotherChannel) {
    ASSERT_NO_FATAL_FAILURE(voucher_setup(store(), 1, "langsung"));
    auto r = store().redeem_voucher(redemption(1, 1, 1000), as("user:warung1"));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::AidChannelMismatch);
}

TEST_P(StoreContract, ARedemptionsIdempotencyKeySpendsOnce) {
    ASSERT_NO_FATAL_FAILURE(voucher_setup(store(), 2));
    VoucherRedemption r = redemption(1, 1, 50'000);
    r.idempotency_key = "k-1";
    auto first = store().redeem_voucher(r, as("user:warung1", 10));
    ASSERT_TRUE(first.has_value()) << first.error().message;
    VoucherRedemption retry = r;
    retry.id = new_id(500); // a retry from a phone carries new ids, the same key
    auto again = store().redeem_voucher(retry, as("user:warung1", 11));
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_TRUE(again->replayed);
    EXPECT_EQ(again->transaction.id, first->transaction.id);
    EXPECT_EQ(again->balance.balance, kUnit - 50'000) << "spent once";
    VoucherRedemption other = redemption(2, 1, 60'000);
    other.idempotency_key = "k-1";
    auto reused = store().redeem_voucher(other, as("user:warung1", 12));
    ASSERT_FALSE(reused.has_value());
    EXPECT_EQ(reused.error().code, ErrorCode::IdempotencyKeyReused);
    other.idempotency_key = "k-1";
    auto other_actor = store().redeem_voucher(other, as("user:warung2", 12));
    ASSERT_TRUE(other_actor.has_value()) << "keys are per actor";
}

TEST_P(StoreContract, ConcurrentRedemptionsNeverSpendBeyondTheBalance) {
    ASSERT_NO_FATAL_FAILURE(voucher_setup(store(), 1));
    constexpr int kThreads = 8;
    constexpr int kAttempts = 8;
    constexpr std::int64_t kAmount = 7'000; // 200,000 / 7,000: 28 fit, 4,000 is left
    std::atomic<int> spent{0};
    std::atomic<int> refused{0};
    std::atomic<int> other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int a = 0; a < kAttempts; ++a) {
                const int n = t * kAttempts + a;
                auto r = store().redeem_voucher(redemption(n, 1, kAmount, 1 + n % 2),
                                                as("user:warung1", 20));
                if (r) {
                    ++spent;
                } else if (r.error().code == ErrorCode::AidVoucherInsufficient) {
                    ++refused;
                } else {
                    ++other;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(spent.load(), static_cast<int>(kUnit / kAmount));
    EXPECT_EQ(refused.load(), kThreads * kAttempts - static_cast<int>(kUnit / kAmount));
    EXPECT_EQ(other.load(), 0);
    auto balance = store().voucher_balance(cycle_id(1), person_id(1).str());
    ASSERT_TRUE(balance.has_value());
    EXPECT_EQ(balance->balance, kUnit % kAmount);
    const auto all = ledger(store());
    ASSERT_EQ(all.size(), 1U + kUnit / kAmount) << "one issue, then the redemptions";
    std::int64_t total = 0;
    for (const auto& t : all) {
        std::int64_t sum = 0;
        for (const auto& p : t.postings) {
            sum += p.amount;
        }
        EXPECT_EQ(sum, 0);
        total += t.kind == "redeem" ? t.amount : 0;
    }
    EXPECT_EQ(total, kUnit - kUnit % kAmount);
    auto totals = store().merchant_totals("");
    ASSERT_TRUE(totals.has_value());
    std::int64_t owed = 0;
    for (const auto& t : *totals) {
        owed += t.amount;
    }
    EXPECT_EQ(owed, total) << "what the Dinas owes the merchants is what was spent";
}

} // namespace kapal::store::contract
