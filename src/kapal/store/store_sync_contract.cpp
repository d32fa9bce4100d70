// The store contract for offline sync (schema v16; docs/sync.md): an op is kept once per
// (actor, key), its payload sealed at rest and opened again, a state change is refused on a stale
// version, waiting ops are found by the key they wait for in their order, conflicts are listed by
// state and area, and key rotation reseals the payloads.

#include "kapal/core/ids.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/store_contract.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace kapal::store::contract {
namespace {

const core::Timestamp kT0 = core::from_unix_ms(1'772'000'000'000);

WriteContext as(const std::string& actor, int minute = 0, std::string reason = "") {
    return WriteContext{actor, "10.0.0.7", kT0 + std::chrono::minutes(minute), std::move(reason)};
}

std::string op_id(int n) {
    return core::format_uuid_v7(kT0, 700'000U + static_cast<std::uint64_t>(n), 23U);
}

SyncOpRecord op(int n,
                const std::string& actor,
                std::string_view state,
                const std::string& after = "",
                std::int64_t seq = 0) {
    SyncOpRecord o;
    o.id = op_id(n);
    o.actor = actor;
    o.key = "key-" + std::to_string(n);
    o.device_id = "device-a";
    o.seq = seq != 0 ? seq : n;
    o.type = "person.update";
    o.person_id = "0190aaaa-0000-7000-8000-00000000000" + std::to_string(n % 10);
    o.after = after;
    o.fingerprint = "f" + std::to_string(n);
    o.state = std::string(state);
    o.result = R"({"status":")" + std::string(state) + R"("})";
    o.received_at = kT0 + std::chrono::minutes(n);
    if (state == kSyncWaiting || state == kSyncConflict) {
        o.payload = R"({"changes":{"nik":"647401010190000)" + std::to_string(n % 10) + R"("}})";
    }
    if (state == kSyncConflict) {
        o.kelurahan_code = n % 2 == 1 ? "64.74.01.1003" : "64.74.03.1001";
        o.base_version = 1;
        o.server_version = 3;
        o.fields = R"(["phone"])";
    }
    return o;
}

TEST_P(StoreContract, ASyncOpIsKeptOncePerActorAndKeyWithItsPayloadOpenedAgain) {
    const SyncOpRecord first = op(1, "user:a", kSyncConflict);
    ASSERT_TRUE(store().add_sync_op(first, as("user:a", 1)).has_value());
    auto again = store().add_sync_op(first, as("user:a", 2));
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, ErrorCode::AlreadyExists);
    // The same key from another user is another op.
    SyncOpRecord other = first;
    other.id = op_id(2);
    other.actor = "user:b";
    ASSERT_TRUE(store().add_sync_op(other, as("user:b", 2)).has_value());

    auto found = store().find_sync_op("user:a", first.key);
    ASSERT_TRUE(found.has_value()) << found.error().message;
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ(**found, first);
    auto by_id = store().get_sync_op(other.id);
    ASSERT_TRUE(by_id.has_value() && by_id->has_value());
    EXPECT_EQ((*by_id)->actor, "user:b");
    auto none = store().find_sync_op("user:c", first.key);
    ASSERT_TRUE(none.has_value());
    EXPECT_FALSE(none->has_value());

    SyncOpRecord bad = op(3, "user:a", "lost");
    auto refused = store().add_sync_op(bad, as("user:a", 3));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);

    // A conflict is in the audit log, naming the person, the op and the fields (never the NIK).
    AuditQuery q;
    q.action = "sync.conflict";
    auto log = store().list_audit(q);
    ASSERT_TRUE(log.has_value()) << log.error().message;
    ASSERT_EQ(log->size(), 2U);
    const auto mine = std::find_if(
        log->begin(), log->end(), [&](const AuditEntry& e) { return e.actor == "user:a"; });
    ASSERT_NE(mine, log->end());
    EXPECT_EQ(mine->subject, first.person_id);
    EXPECT_NE(mine->detail.find(first.id), std::string::npos) << mine->detail;
    EXPECT_NE(mine->detail.find("phone"), std::string::npos);
    for (const AuditEntry& e : *log) {
        EXPECT_EQ(e.detail.find("6474"), std::string::npos) << e.detail;
    }
}

TEST_P(StoreContract, ASyncOpChangesStateOnceAtItsVersion) {
    ASSERT_TRUE(store().add_sync_op(op(1, "user:a", kSyncConflict), as("user:a", 1)).has_value());
    SyncOpRecord resolved = op(1, "user:a", kSyncResolved);
    resolved.kelurahan_code = "64.74.01.1003";
    resolved.payload = R"({"kept":"for the auditors"})";
    resolved.decided_at = kT0 + std::chrono::minutes(9);
    resolved.decided_by = "user:admin";
    resolved.decision = R"({"choose":{"phone":"mine"}})";
    auto updated = store().update_sync_op(resolved, 1, as("user:admin", 9));
    ASSERT_TRUE(updated.has_value()) << updated.error().message;
    EXPECT_EQ(updated->version, 2);
    EXPECT_EQ(updated->state, kSyncResolved);
    EXPECT_EQ(updated->payload, resolved.payload);
    EXPECT_EQ(updated->decided_by, "user:admin");
    EXPECT_EQ(updated->decided_at, resolved.decided_at);
    // A second decision on the version it was shown at is refused: someone decided meanwhile.
    auto stale = store().update_sync_op(resolved, 1, as("user:admin2", 10));
    ASSERT_FALSE(stale.has_value());
    EXPECT_EQ(stale.error().code, ErrorCode::VersionConflict);
    SyncOpRecord missing = resolved;
    missing.id = op_id(99);
    auto absent = store().update_sync_op(missing, 1, as("user:admin", 10));
    ASSERT_FALSE(absent.has_value());
    EXPECT_EQ(absent.error().code, ErrorCode::NotFound);

    AuditQuery q;
    q.action = "sync.conflict.resolve";
    auto log = store().list_audit(q);
    ASSERT_TRUE(log.has_value()) << log.error().message;
    ASSERT_EQ(log->size(), 1U);
    EXPECT_EQ(log->front().actor, "user:admin");
    EXPECT_EQ(log->front().detail, resolved.decision);

    // Applying a waiting op clears what it kept.
    ASSERT_TRUE(
        store().add_sync_op(op(2, "user:a", kSyncWaiting, "key-9"), as("user:a", 2)).has_value());
    SyncOpRecord applied = op(2, "user:a", kSyncApplied, "key-9");
    auto done = store().update_sync_op(applied, 1, as("user:a", 3));
    ASSERT_TRUE(done.has_value()) << done.error().message;
    EXPECT_TRUE(done->payload.empty());
    EXPECT_EQ(done->state, kSyncApplied);
}

TEST_P(StoreContract, WaitingSyncOpsAreFoundByTheKeyTheyWaitForInTheirOrder) {
    ASSERT_TRUE(store()
                    .add_sync_op(op(1, "user:a", kSyncWaiting, "key-create", 7), as("user:a", 1))
                    .has_value());
    ASSERT_TRUE(store()
                    .add_sync_op(op(2, "user:a", kSyncWaiting, "key-create", 5), as("user:a", 1))
                    .has_value());
    // Another user's op waiting for a key of the same name, another key, an op applied.
    ASSERT_TRUE(store()
                    .add_sync_op(op(3, "user:b", kSyncWaiting, "key-create", 1), as("user:b", 1))
                    .has_value());
    ASSERT_TRUE(store()
                    .add_sync_op(op(4, "user:a", kSyncWaiting, "key-other", 1), as("user:a", 1))
                    .has_value());
    ASSERT_TRUE(store()
                    .add_sync_op(op(5, "user:a", kSyncApplied, "key-create", 2), as("user:a", 1))
                    .has_value());
    auto waiting = store().waiting_sync_ops("user:a", "key-create");
    ASSERT_TRUE(waiting.has_value()) << waiting.error().message;
    ASSERT_EQ(waiting->size(), 2U);
    EXPECT_EQ((*waiting)[0].id, op_id(2)); // seq 5 before seq 7
    EXPECT_EQ((*waiting)[1].id, op_id(1));
    EXPECT_FALSE((*waiting)[0].payload.empty());
}

TEST_P(StoreContract, SyncConflictsAreListedByStateAndAreaAndPaged) {
    for (int n = 1; n <= 5; ++n) {
        ASSERT_TRUE(store().add_sync_op(op(n, "user:a", kSyncConflict), as("user:a", n)));
    }
    ASSERT_TRUE(store().add_sync_op(op(6, "user:a", kSyncApplied), as("user:a", 6)));
    SyncOpRecord resolved = op(5, "user:a", kSyncResolved);
    resolved.kelurahan_code = "64.74.01.1003";
    ASSERT_TRUE(store().update_sync_op(resolved, 1, as("user:admin", 7)));

    SyncConflictQuery q;
    auto open = store().list_sync_conflicts(q);
    ASSERT_TRUE(open.has_value()) << open.error().message;
    ASSERT_EQ(open->items.size(), 4U);
    EXPECT_EQ(open->items.front().id, op_id(1));
    EXPECT_TRUE(open->next_cursor.empty());

    q.area_codes = {"64.74.03"}; // even n
    auto kecamatan = store().list_sync_conflicts(q);
    ASSERT_TRUE(kecamatan.has_value());
    ASSERT_EQ(kecamatan->items.size(), 2U);
    EXPECT_EQ(kecamatan->items[0].id, op_id(2));
    EXPECT_EQ(kecamatan->items[1].id, op_id(4));

    q.area_codes.clear();
    q.limit = 3;
    auto first = store().list_sync_conflicts(q);
    ASSERT_TRUE(first.has_value());
    ASSERT_EQ(first->items.size(), 3U);
    ASSERT_FALSE(first->next_cursor.empty());
    q.cursor = first->next_cursor;
    auto second = store().list_sync_conflicts(q);
    ASSERT_TRUE(second.has_value());
    ASSERT_EQ(second->items.size(), 1U);
    EXPECT_EQ(second->items[0].id, op_id(4));

    SyncConflictQuery done;
    done.state = std::string(kSyncResolved);
    auto decided = store().list_sync_conflicts(done);
    ASSERT_TRUE(decided.has_value());
    ASSERT_EQ(decided->items.size(), 1U);
    EXPECT_EQ(decided->items[0].id, op_id(5));

    SyncConflictQuery wrong;
    wrong.state = std::string(kSyncApplied);
    auto refused = store().list_sync_conflicts(wrong);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
    SyncConflictQuery bad_cursor;
    bad_cursor.cursor = "nonsense";
    auto bad = store().list_sync_conflicts(bad_cursor);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::BadCursor);
}

TEST_P(StoreContract, KeyRotationResealsTheSyncPayloads) {
    const SyncOpRecord waiting = op(1, "user:a", kSyncWaiting, "key-create");
    ASSERT_TRUE(store().add_sync_op(waiting, as("user:a", 1)).has_value());
    const StoreKeys next = generate_store_keys();
    auto rotated = store().rotate_keys(next, as("cli:root", 2, "rotasi"));
    ASSERT_TRUE(rotated.has_value()) << rotated.error().message;
    EXPECT_EQ(*rotated, 1);
    auto reopened = reopen_store(next);
    ASSERT_TRUE(reopened.has_value()) << reopened.error().message;
    replace_store(std::move(*reopened));
    auto read = store().get_sync_op(waiting.id);
    ASSERT_TRUE(read.has_value()) << read.error().message;
    ASSERT_TRUE(read->has_value());
    EXPECT_EQ((*read)->payload, waiting.payload);
}

} // namespace
} // namespace kapal::store::contract
