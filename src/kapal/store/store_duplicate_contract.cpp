// The store contract for the duplicate review (schema v13): a pair is stored once whatever the
// order it is proposed in, a decided pair is never proposed again, a merge writes the absorbed
// person's new version and the decision in one transaction, and stale or repeated decisions
// are refused.

#include "kapal/core/ids.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/store/store_contract.hpp"

#include <gtest/gtest.h>

namespace kapal::store::contract {
namespace {

const core::Timestamp kT0 = core::from_unix_ms(1'772'000'000'000);

WriteContext as(const std::string& actor, int minute = 0, std::string reason = "") {
    return WriteContext{actor, "10.0.0.7", kT0 + std::chrono::minutes(minute), std::move(reason)};
}

core::PersonId person_id(int n) {
    return core::PersonId(core::format_uuid_v7(
        kT0, static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(n) * 104729U));
}

std::string pair_id(int n) {
    return core::format_uuid_v7(kT0, 500'000U + static_cast<std::uint64_t>(n), 17U);
}

/// Persons 1..count in kelurahan 64.74.01.1003 (odd) and 64.74.03.1001 (even).
void add_persons(Store& s, int count) {
    for (int n = 1; n <= count; ++n) {
        core::Person p = full_person(n);
        p.address.kelurahan_code = n % 2 == 1 ? "64.74.01.1003" : "64.74.03.1001";
        ASSERT_TRUE(s.create_person(person_id(n),
                                    p,
                                    core::kecamatan_of(p.address.kelurahan_code),
                                    as("user:op"),
                                    std::nullopt)
                        .has_value());
    }
}

/// The pair of persons `x` and `y` (either order), lower id first.
DuplicatePairRecord pair_of(int id, int x, int y, const std::string& source = "registrasi") {
    DuplicatePairRecord p;
    p.id = pair_id(id);
    const auto one = person_id(x);
    const auto two = person_id(y);
    const bool first = one.str() < two.str();
    p.person_a = first ? one : two;
    p.person_b = first ? two : one;
    const auto kel = [](int n) {
        return n % 2 == 1 ? "64.74.01.1003" : "64.74.03.1001";
    };
    p.kelurahan_a = first ? kel(x) : kel(y);
    p.kelurahan_b = first ? kel(y) : kel(x);
    p.score = 12.5;
    p.explanation = R"([{"field":"name","level":1,"text":"nama sangat mirip","weight":1.40}])";
    p.source = source;
    return p;
}

TEST_P(StoreContract, DuplicatePairsAreStoredOnceAndListedByStateAndArea) {
    add_persons(store(), 4);
    auto added = store().propose_duplicate_pairs(
        {pair_of(1, 1, 3), pair_of(2, 1, 2), pair_of(3, 3, 1)}, as("user:op", 1));
    ASSERT_TRUE(added.has_value()) << added.error().message;
    // The third names the same two persons as the first, in the other order: not added.
    EXPECT_EQ(*added, (std::vector<bool>{true, true, false}));

    auto all = store().list_duplicate_pairs({});
    ASSERT_TRUE(all.has_value());
    ASSERT_EQ(all->items.size(), 2U);
    EXPECT_EQ(all->items[0].id, pair_id(1));
    EXPECT_EQ(all->items[0].state, kPairOpen);
    EXPECT_EQ(all->items[0].version, 1);
    EXPECT_EQ(all->items[0].found_by, "user:op");
    EXPECT_EQ(all->items[0].found_at, kT0 + std::chrono::minutes(1));
    EXPECT_DOUBLE_EQ(all->items[0].score, 12.5);
    EXPECT_EQ(all->items[0], *store().get_duplicate_pair(pair_id(1)).value());

    // Area: pair 1 (both homes in 64.74.01) and pair 2 (one in 64.74.01, one in 64.74.03).
    DuplicatePairQuery north;
    north.area_codes = {"64.74.03"};
    auto in_north = store().list_duplicate_pairs(north);
    ASSERT_TRUE(in_north.has_value());
    ASSERT_EQ(in_north->items.size(), 1U);
    EXPECT_EQ(in_north->items[0].id, pair_id(2));

    DuplicatePairQuery of_person;
    of_person.person_id = person_id(3).str();
    auto named = store().list_duplicate_pairs(of_person);
    ASSERT_TRUE(named.has_value());
    ASSERT_EQ(named->items.size(), 1U);
    EXPECT_EQ(named->items[0].id, pair_id(1));

    // Paging: one at a time, then the second, then no cursor.
    DuplicatePairQuery paged;
    paged.limit = 1;
    auto first = store().list_duplicate_pairs(paged);
    ASSERT_TRUE(first.has_value());
    ASSERT_FALSE(first->next_cursor.empty());
    paged.cursor = first->next_cursor;
    auto second = store().list_duplicate_pairs(paged);
    ASSERT_TRUE(second.has_value());
    ASSERT_EQ(second->items.size(), 1U);
    EXPECT_EQ(second->items[0].id, pair_id(2));
    EXPECT_TRUE(second->next_cursor.empty());
    paged.cursor = "not-a-cursor";
    EXPECT_EQ(store().list_duplicate_pairs(paged).error().code, ErrorCode::BadCursor);

    auto found = store().find_duplicate_pair(person_id(3), person_id(1));
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ((*found)->id, pair_id(1));
    EXPECT_FALSE(store().find_duplicate_pair(person_id(2), person_id(3)).value().has_value());

    AuditQuery audit;
    audit.action = "duplicate.propose";
    auto entries = store().list_audit(audit);
    ASSERT_TRUE(entries.has_value());
    ASSERT_EQ(entries->size(), 1U);
    EXPECT_EQ((*entries)[0].subject, pair_id(1) + "," + pair_id(2));
}

TEST_P(StoreContract, ABadPairIsRefusedAndNothingOfItsBatchIsWritten) {
    add_persons(store(), 2);
    auto same = pair_of(1, 1, 2);
    same.person_b = same.person_a;
    EXPECT_EQ(store().propose_duplicate_pairs({pair_of(2, 1, 2), same}, as("u")).error().code,
              ErrorCode::InvalidArgument);
    auto reversed = pair_of(3, 1, 2);
    std::swap(reversed.person_a, reversed.person_b);
    EXPECT_EQ(store().propose_duplicate_pairs({reversed}, as("u")).error().code,
              ErrorCode::InvalidArgument);
    auto unknown = pair_of(4, 1, 2, "tebakan");
    EXPECT_EQ(store().propose_duplicate_pairs({unknown}, as("u")).error().code,
              ErrorCode::InvalidArgument);
    EXPECT_TRUE(store().list_duplicate_pairs({}).value().items.empty());
}

TEST_P(StoreContract, ADistinctPairIsNeverProposedAgainAndIsDecidedOnce) {
    add_persons(store(), 2);
    ASSERT_TRUE(store().propose_duplicate_pairs({pair_of(1, 1, 2)}, as("user:op")).has_value());
    EXPECT_EQ(store()
                  .mark_duplicate_pair_distinct(pair_id(1), 2, as("user:admin", 5, "kembar"))
                  .error()
                  .code,
              ErrorCode::VersionConflict);
    auto decided =
        store().mark_duplicate_pair_distinct(pair_id(1), 1, as("user:admin", 5, "kembar identik"));
    ASSERT_TRUE(decided.has_value()) << decided.error().message;
    EXPECT_EQ(decided->state, kPairDistinct);
    EXPECT_EQ(decided->version, 2);
    EXPECT_EQ(decided->decided_by, "user:admin");
    EXPECT_EQ(decided->decision_reason, "kembar identik");
    EXPECT_EQ(decided->decided_at, kT0 + std::chrono::minutes(5));
    EXPECT_TRUE(decided->kept_id.empty());

    // Found again (a scan, another order, a new pair id): still one pair, still distinct.
    auto again = store().propose_duplicate_pairs({pair_of(2, 2, 1, "pemindaian")}, as("scan"));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, std::vector<bool>{false});
    auto all = store().list_duplicate_pairs({});
    ASSERT_EQ(all.value().items.size(), 1U);
    EXPECT_EQ(all->items[0].state, kPairDistinct);

    EXPECT_EQ(store().mark_duplicate_pair_distinct(pair_id(1), 2, as("user:admin")).error().code,
              ErrorCode::DuplicatePairDecided);
    EXPECT_EQ(store().mark_duplicate_pair_distinct(pair_id(9), 1, as("user:admin")).error().code,
              ErrorCode::NotFound);
}

TEST_P(StoreContract, AMergeWritesTheAbsorbedVersionAndTheDecisionTogether) {
    add_persons(store(), 2);
    ASSERT_TRUE(store().propose_duplicate_pairs({pair_of(1, 1, 2)}, as("user:op")).has_value());
    auto before = store().get_person(person_id(2));
    ASSERT_TRUE(before.has_value());

    DuplicateMerge m;
    m.pair_id = pair_id(1);
    m.pair_version = 1;
    m.absorbed = person_id(2);
    m.absorbed_version = before->version;
    m.absorbed_content = before->person;
    m.absorbed_content.status = core::Status::Nonaktif;
    m.absorbed_content.status_date = core::make_date(2026, 2, 25);
    m.absorbed_content.status_reason = "digabung";
    m.absorbed_content.merged_into = person_id(1).str();
    m.absorbed_kecamatan = before->kecamatan_code;

    // A stale person version: nothing is written, the pair stays open.
    auto stale = m;
    stale.absorbed_version = before->version + 1;
    EXPECT_EQ(store().merge_duplicate_pair(stale, as("user:admin", 3)).error().code,
              ErrorCode::VersionConflict);
    EXPECT_EQ(store().get_duplicate_pair(pair_id(1)).value()->state, kPairOpen);
    EXPECT_EQ(store().get_person(person_id(2)).value().version, before->version);
    // A person who is not one of the pair.
    auto stranger = m;
    stranger.absorbed = person_id(7);
    EXPECT_EQ(store().merge_duplicate_pair(stranger, as("user:admin", 3)).error().code,
              ErrorCode::InvalidArgument);

    auto merged = store().merge_duplicate_pair(m, as("user:admin", 4, "sama, dicek KTP"));
    ASSERT_TRUE(merged.has_value()) << merged.error().message;
    EXPECT_EQ(merged->pair.state, kPairMerged);
    EXPECT_EQ(merged->pair.kept_id, person_id(1).str());
    EXPECT_EQ(merged->pair.decision_reason, "sama, dicek KTP");
    EXPECT_EQ(merged->absorbed.version, before->version + 1);

    auto after = store().get_person(person_id(2));
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->person.merged_into, person_id(1).str());
    EXPECT_EQ(after->person.status, core::Status::Nonaktif);
    // Both histories are kept: the absorbed record's earlier version is still there.
    auto history = store().person_history(person_id(2));
    ASSERT_TRUE(history.has_value());
    ASSERT_EQ(history->size(), 2U);
    EXPECT_TRUE((*history)[0].record.person.merged_into.empty());
    EXPECT_EQ((*history)[0].record.person.status, core::Status::Aktif);
    EXPECT_EQ(store().get_person(person_id(1)).value().version, 1);

    // Decided once.
    m.pair_version = 2;
    EXPECT_EQ(store().merge_duplicate_pair(m, as("user:admin", 5)).error().code,
              ErrorCode::DuplicatePairDecided);
    AuditQuery audit;
    audit.action = "duplicate.merge";
    auto entries = store().list_audit(audit);
    ASSERT_TRUE(entries.has_value());
    ASSERT_EQ(entries->size(), 1U);
    EXPECT_EQ((*entries)[0].subject, pair_id(1));
}

} // namespace
} // namespace kapal::store::contract
