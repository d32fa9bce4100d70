// The store contract for transfer batches (schema v11): a batch's lines are pending transfer
// deliveries, so a person is in at most one live batch (and never also handed the aid over); the
// bank's result settles pending lines once; a failed line may be re-issued in a new batch.

#include "kapal/core/ids.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/store/store_contract.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

namespace kapal::store::contract {
namespace {

using core::make_date;

const core::Timestamp kT0 = core::from_unix_ms(1'760'000'000'000);

WriteContext as(const std::string& actor, int minute = 0) {
    return WriteContext{actor, "10.0.0.7", kT0 + std::chrono::minutes(minute), ""};
}

core::PersonId person_id(int n) {
    return core::PersonId(core::format_uuid_v7(
        kT0, static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(n) * 104729U));
}

const std::string kCycle = core::format_uuid_v7(kT0, 910'001U, 17U);

std::string batch_id(int n) {
    return core::format_uuid_v7(kT0, 700'000U + static_cast<std::uint64_t>(n), 29U);
}

std::string line_id(int batch, int person) {
    return core::format_uuid_v7(
        kT0, 600'000U + static_cast<std::uint64_t>(batch * 1000 + person), 31U);
}

/// A transfer programme with cycle 1 whose approved list holds persons 1..count.
void approved_transfer_list(Store& s, int count) {
    AidProgramRecord p;
    p.code = "tunai";
    p.name = "Bantuan tunai";
    p.source = "APBD";
    p.kind = "tunai";
    p.channel = "transfer";
    p.unit_value = 500'000;
    ASSERT_TRUE(s.add_aid_program(p, as("user:admin")).has_value());
    AidCycleRecord c;
    c.id = kCycle;
    c.program_code = "tunai";
    c.number = 1;
    c.name = "Tahap I";
    c.starts_on = make_date(2026, 1, 1);
    c.ends_on = make_date(2026, 12, 31);
    ASSERT_TRUE(s.add_aid_cycle(c, as("user:admin")).has_value());
    std::vector<AidListEntry> entries;
    for (int n = 1; n <= count; ++n) {
        core::Person person = full_person(n);
        person.address.kelurahan_code = "64.74.01.1003";
        ASSERT_TRUE(s.create_person(person_id(n), person, "64.74.01", as("user:op"), std::nullopt)
                        .has_value());
        AidListEntry e;
        e.person_id = person_id(n).str();
        e.kelurahan_code = "64.74.01.1003";
        e.source = "rule";
        e.added_at = kT0;
        e.added_by = "user:op";
        entries.push_back(e);
    }
    ASSERT_TRUE(s.replace_aid_list(kCycle, 1, "true", {}, entries, as("user:op", 1)));
    ASSERT_TRUE(s.move_aid_list(kCycle, 2, "proposed", as("user:op", 2)));
    ASSERT_TRUE(s.move_aid_list(kCycle, 3, "approved", as("user:admin2", 3)));
}

AidBatchRecord batch(int n) {
    AidBatchRecord b;
    b.id = batch_id(n);
    b.cycle_id = kCycle;
    b.program_code = "tunai";
    return b;
}

/// The pending lines of batch `n` for persons `persons`.
std::vector<AidDeliveryRecord> lines(int n, const std::vector<int>& persons) {
    std::vector<AidDeliveryRecord> out;
    for (const int p : persons) {
        AidDeliveryRecord d;
        d.id = line_id(n, p);
        d.cycle_id = kCycle;
        d.program_code = "tunai";
        d.person_id = person_id(p).str();
        d.kelurahan_code = "64.74.01.1003";
        d.channel = "transfer";
        d.state = "pending";
        d.amount = 500'000;
        d.recorded_at = kT0 + std::chrono::minutes(10);
        d.officer = "user:admin";
        d.batch_id = batch_id(n);
        d.flags =
            p == 2 ? std::vector<std::string>{"aid.shared_account"} : std::vector<std::string>{};
        out.push_back(d);
    }
    return out;
}

TEST_P(StoreContract, ATransferBatchIsSettledLineByLineAndTheFailedAreReissued) {
    ASSERT_NO_FATAL_FAILURE(approved_transfer_list(store(), 3));
    auto made = store().create_aid_batch(batch(1), lines(1, {1, 2, 3}), as("user:admin", 10));
    ASSERT_TRUE(made.has_value()) << made.error().message;
    EXPECT_EQ(made->batch.number, 1);
    EXPECT_EQ(made->batch.state, "dibuat");
    EXPECT_EQ(made->batch.line_count, 3);
    EXPECT_EQ(made->batch.total_amount, 1'500'000);
    EXPECT_EQ(made->batch.pending_count, 3);
    EXPECT_TRUE(made->skipped_person_ids.empty());

    // A handover of a person in a live batch is refused: never twice, across channels.
    AidDeliveryRecord hand = lines(9, {1}).front();
    hand.channel = "langsung";
    hand.state = "delivered";
    hand.batch_id.clear();
    auto refused = store().record_aid_delivery(hand, as("user:penyalur", 11));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::AidAlreadyDelivered);

    AidTransferSettlement paid{line_id(1, 1), true, kT0 + std::chrono::hours(5), "", "BPD-1"};
    AidTransferSettlement failed{line_id(1, 2), false, {}, "rekening tidak aktif", "BPD-2"};
    auto settled = store().settle_aid_batch(batch_id(1), {paid, failed}, as("user:admin", 20));
    ASSERT_TRUE(settled.has_value()) << settled.error().message;
    EXPECT_EQ(*settled, (std::vector<bool>{true, true}));
    auto again = store().settle_aid_batch(batch_id(1), {paid, failed}, as("user:admin", 21));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, (std::vector<bool>{false, false})) << "settling twice changes nothing";

    auto first = store().get_aid_batch(batch_id(1));
    ASSERT_TRUE(first.has_value() && first->has_value());
    EXPECT_EQ((*first)->paid_count, 1);
    EXPECT_EQ((*first)->paid_amount, 500'000);
    EXPECT_EQ((*first)->failed_count, 1);
    EXPECT_EQ((*first)->pending_count, 1);
    EXPECT_EQ((*first)->state, "dibuat") << "person 3 is still pending";

    auto paid_line = store().get_aid_delivery(line_id(1, 1));
    ASSERT_TRUE(paid_line.has_value() && paid_line->has_value());
    EXPECT_EQ((*paid_line)->state, "delivered");
    EXPECT_EQ((*paid_line)->recorded_at, kT0 + std::chrono::hours(5));
    EXPECT_EQ((*paid_line)->bank_reference, "BPD-1");
    auto failed_line = store().get_aid_delivery(line_id(1, 2));
    ASSERT_TRUE(failed_line.has_value() && failed_line->has_value());
    EXPECT_EQ((*failed_line)->state, "failed");
    EXPECT_EQ((*failed_line)->fail_reason, "rekening tidak aktif");
    EXPECT_EQ((*failed_line)->flags, std::vector<std::string>{"aid.shared_account"});

    // A new batch of everyone: only the failed one gets a line.
    auto second = store().create_aid_batch(batch(2), lines(2, {1, 2, 3}), as("user:admin", 30));
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_EQ(second->batch.number, 2);
    EXPECT_EQ(second->batch.line_count, 1);
    EXPECT_EQ(second->skipped_person_ids,
              (std::vector<std::string>{person_id(1).str(), person_id(3).str()}));
    AidDeliveryQuery of_second;
    of_second.batch_id = batch_id(2);
    auto second_lines = store().list_aid_deliveries(of_second);
    ASSERT_TRUE(second_lines.has_value());
    ASSERT_EQ(second_lines->size(), 1U);
    EXPECT_EQ(second_lines->front().person_id, person_id(2).str());

    // Nothing left to put in a third batch... until the bank answers.
    auto third = store().create_aid_batch(batch(3), lines(3, {1, 2, 3}), as("user:admin", 31));
    ASSERT_FALSE(third.has_value());
    EXPECT_EQ(third.error().code, ErrorCode::AidAlreadyDelivered);

    AidTransferSettlement last{line_id(1, 3), true, kT0 + std::chrono::hours(6), "", "BPD-3"};
    AidTransferSettlement reissued{line_id(2, 2), true, kT0 + std::chrono::hours(7), "", "BPD-4"};
    ASSERT_TRUE(store().settle_aid_batch(batch_id(1), {last}, as("user:admin", 40)));
    ASSERT_TRUE(store().settle_aid_batch(batch_id(2), {reissued}, as("user:admin", 41)));
    auto batches = store().list_aid_batches(kCycle);
    ASSERT_TRUE(batches.has_value());
    ASSERT_EQ(batches->size(), 2U);
    EXPECT_EQ((*batches)[0].state, "direkonsiliasi");
    EXPECT_EQ((*batches)[0].reconciled_at, kT0 + std::chrono::minutes(40));
    EXPECT_EQ((*batches)[1].state, "direkonsiliasi");
    EXPECT_EQ((*batches)[1].paid_count, 1);

    // Realisation: the failed-then-paid person counts once, as delivered.
    auto realisation = store().aid_realisation(kCycle, {});
    ASSERT_TRUE(realisation.has_value());
    ASSERT_EQ(realisation->size(), 1U);
    EXPECT_EQ(realisation->front().listed, 3);
    EXPECT_EQ(realisation->front().delivered, 3);
    EXPECT_EQ(realisation->front().failed, 0);
    EXPECT_EQ(realisation->front().pending, 0);
    EXPECT_EQ(realisation->front().delivered_amount, 1'500'000);

    AuditQuery audit;
    audit.action = "aid.batch.settle";
    auto log = store().list_audit(audit);
    ASSERT_TRUE(log.has_value());
    EXPECT_EQ(log->size(), 4U);
}

TEST_P(StoreContract, ABatchIsRefusedForAListNotApprovedOrAPersonNotOnIt) {
    ASSERT_NO_FATAL_FAILURE(approved_transfer_list(store(), 2));
    auto stranger = lines(1, {1, 7});
    auto refused = store().create_aid_batch(batch(1), stranger, as("user:admin", 10));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::AidNotOnList);
    auto mixed = lines(1, {1});
    mixed.front().batch_id = batch_id(5);
    auto wrong = store().create_aid_batch(batch(1), mixed, as("user:admin", 10));
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error().code, ErrorCode::InvalidArgument);
    auto none = store().get_aid_batch(batch_id(1));
    ASSERT_TRUE(none.has_value());
    EXPECT_FALSE(none->has_value()) << "nothing of a refused batch is kept";
    auto unknown = store().settle_aid_batch(batch_id(9), {}, as("user:admin", 11));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
}

TEST_P(StoreContract, TwoBatchesMadeAtOnceNeverHoldTheSamePerson) {
    constexpr int kPersons = 12;
    constexpr int kThreads = 6;
    std::vector<int> everyone;
    for (int n = 1; n <= kPersons; ++n) {
        everyone.push_back(n);
    }
    ASSERT_NO_FATAL_FAILURE(approved_transfer_list(store(), kPersons));
    std::atomic<int> made{0};
    std::atomic<int> empty{0};
    std::atomic<int> other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            auto r = store().create_aid_batch(
                batch(t + 1), lines(t + 1, everyone), as("user:admin", 10 + t));
            if (r) {
                ++made;
            } else if (r.error().code == ErrorCode::AidAlreadyDelivered) {
                ++empty;
            } else {
                ++other;
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(other.load(), 0);
    EXPECT_GE(made.load(), 1);
    EXPECT_EQ(made.load() + empty.load(), kThreads);
    AidDeliveryQuery all;
    all.cycle_id = kCycle;
    auto deliveries = store().list_aid_deliveries(all);
    ASSERT_TRUE(deliveries.has_value());
    EXPECT_EQ(deliveries->size(), static_cast<std::size_t>(kPersons)) << "one line per person";
    std::set<std::string> persons;
    for (const auto& d : *deliveries) {
        persons.insert(d.person_id);
    }
    EXPECT_EQ(persons.size(), static_cast<std::size_t>(kPersons));
    auto batches = store().list_aid_batches(kCycle);
    ASSERT_TRUE(batches.has_value());
    std::int64_t lines_in_batches = 0;
    for (const auto& b : *batches) {
        lines_in_batches += b.line_count;
    }
    EXPECT_EQ(lines_in_batches, kPersons);
}

} // namespace
} // namespace kapal::store::contract
