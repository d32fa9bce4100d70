#include "kapal/store/sqlite/sqlite_store.hpp"

#include "kapal/core/audit_chain.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/store_contract.hpp"
#include "kapal/store/store_transfer_contract.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

namespace kapal::store {
namespace {

StoreKeys test_keys() {
    StoreKeys keys;
    keys.data_key.assign(kStoreKeyBytes, 0x11);
    keys.index_key.assign(kStoreKeyBytes, 0x22);
    return keys;
}

using contract::StoreBackend;
using contract::StoreContract;
using contract::TransferContract;

INSTANTIATE_TEST_SUITE_P(Sqlite,
                         StoreContract,
                         ::testing::Values(StoreBackend{
                             "sqlite",
                             [](const std::filesystem::path& dir) {
                                 SqliteOptions options;
                                 options.reader_connections = 3;
                                 return open_sqlite_store(dir / "kapal.db", test_keys(), options);
                             },
                             [](const std::filesystem::path& dir, const StoreKeys& keys) {
                                 return open_sqlite_store(dir / "kapal.db", keys);
                             }}),
                         contract::store_backend_name);

// ---- the transfer contract (kapal migrate-store), SQLite to SQLite ------------------------------

contract::TransferBackend sqlite_transfer_backend() {
    return {[](const std::filesystem::path& dir) {
                return open_sqlite_store(dir / "kapal.db", test_keys());
            },
            [](const std::filesystem::path& dir, const std::string& sql) {
                sqlite3* db = nullptr;
                ASSERT_EQ(sqlite3_open((dir / "kapal.db").c_str(), &db), SQLITE_OK);
                char* error = nullptr;
                EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
                    << sql << ": " << (error != nullptr ? error : "");
                sqlite3_free(error);
                sqlite3_close(db);
            }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite,
                         TransferContract,
                         ::testing::Values(contract::TransferPair{"sqlite_to_sqlite",
                                                                  sqlite_transfer_backend(),
                                                                  sqlite_transfer_backend()}),
                         contract::transfer_pair_name);

const core::Timestamp kT0 = core::from_unix_ms(1'750'000'000'000);

class SqliteStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = std::filesystem::temp_directory_path() /
               ("kapal_sqlite_" + std::to_string(::getpid()) + "_" + info->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        file_ = dir_ / "kapal.db";
    }

    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    std::unique_ptr<Store> open(const StoreKeys& keys = test_keys()) {
        auto s = open_sqlite_store(file_, keys);
        EXPECT_TRUE(s.has_value()) << s.error().message;
        return s ? std::move(*s) : nullptr;
    }

    // Runs SQL on the file directly, bypassing the store.
    std::int64_t raw_int(const char* sql) {
        sqlite3* db = nullptr;
        EXPECT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
        sqlite3_stmt* stmt = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK);
        std::int64_t v = -1;
        if (sqlite3_step(stmt) == SQLITE_ROW) {
            v = sqlite3_column_int64(stmt, 0);
        }
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        return v;
    }

    std::string file_bytes(const std::filesystem::path& p) {
        std::ifstream in(p, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    std::filesystem::path dir_;
    std::filesystem::path file_;
};

core::PersonId id_of(int n) {
    return core::PersonId(core::format_uuid_v7(kT0, static_cast<std::uint64_t>(n), 1));
}

TEST_F(SqliteStoreTest, NikAndKkAreNotReadableInTheRawFile) {
    const core::Person p = contract::full_person(1);
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(store->create_person(id_of(1), p, "64.74.01", {"u", "cli", kT0, ""}, {}));
        core::Person q = p;
        q.phone = "0800";
        ASSERT_TRUE(store->update_person(id_of(1), 1, q, "64.74.01", {"u", "cli", kT0, ""}));
        // Read the bytes while the WAL may still hold them, and after checkpoint on close.
        const std::string wal = file_bytes(file_.string() + "-wal") + file_bytes(file_);
        EXPECT_NE(wal.find(p.full_name), std::string::npos) << "the test reads the wrong file";
        EXPECT_EQ(wal.find(p.nik), std::string::npos);
        EXPECT_EQ(wal.find(p.kk), std::string::npos);
    }
    const std::string bytes = file_bytes(file_);
    ASSERT_NE(bytes.find(p.full_name), std::string::npos);
    EXPECT_EQ(bytes.find(p.nik), std::string::npos);
    EXPECT_EQ(bytes.find(p.kk), std::string::npos);
}

TEST_F(SqliteStoreTest, FreshFileGetsTheCurrentSchemaVersionAndWal) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(std::filesystem::exists(file_));
    EXPECT_EQ(store->info().schema_version, sqlite_schema_version());
    EXPECT_EQ(store->info().backend, "sqlite");
    EXPECT_EQ(raw_int("PRAGMA user_version"), sqlite_schema_version());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

TEST_F(SqliteStoreTest, ReopeningKeepsDataAndChangesNothing) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(store->create_person(
            id_of(1), contract::full_person(1), "64.74.01", {"u", "cli", kT0, ""}, {}));
    }
    const std::int64_t tables = raw_int("SELECT count(*) FROM sqlite_schema");
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(raw_int("PRAGMA user_version"), sqlite_schema_version());
    EXPECT_EQ(raw_int("SELECT count(*) FROM sqlite_schema"), tables);
    auto got = store->get_person(id_of(1));
    ASSERT_TRUE(got.has_value()) << got.error().message;
    EXPECT_EQ(got->person, contract::full_person(1));
    EXPECT_EQ(store->info().persons, 1);
}

// A file written by the previous program (schema v2: no sessions, tokens or audit log) gains
// the v3 tables on opening and keeps its persons and users.
TEST_F(SqliteStoreTest, MigratingAVersion6FileChainsItsAuditLog) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        for (int i = 1; i <= 3; ++i) {
            ASSERT_TRUE(store->create_person(
                id_of(i), contract::full_person(i), "64.74.01", {"u", "cli", kT0, ""}, {}));
        }
    }
    for (const char* sql : {"DROP TABLE sync_ops",
                            "DROP TABLE person_files",
                            "DROP INDEX persons_sort_name",
                            "DROP INDEX persons_sort_birth_date",
                            "DROP TABLE person_states",
                            "DROP TABLE voucher_postings",
                            "DROP TABLE voucher_transactions",
                            "DROP TABLE voucher_balances",
                            "DROP TABLE merchants",
                            "DROP TABLE duplicate_pairs",
                            "DROP TABLE aid_batches",
                            "DROP TABLE aid_deliveries",
                            "DROP TABLE aid_list_entries",
                            "DROP TABLE aid_cycles",
                            "DROP TABLE aid_programs",
                            "DROP TABLE service_request_events",
                            "DROP TABLE service_requests",
                            "DROP TABLE services",
                            "DROP TABLE cards"}) {
        raw_int(sql);
    }
    raw_int("ALTER TABLE audit_log DROP COLUMN hash");
    raw_int("PRAGMA user_version=6");
    auto store = open();
    ASSERT_NE(store, nullptr);
    AuditQuery q;
    q.oldest_first = true;
    auto log = store->list_audit(q);
    ASSERT_TRUE(log.has_value()) << log.error().message;
    ASSERT_EQ(log->size(), 3U);
    std::string prev(core::kAuditGenesisHash);
    for (const auto& e : *log) {
        EXPECT_EQ(
            e.hash,
            core::audit_chain_hash(
                prev,
                {e.seq, core::to_unix_ms(e.at), e.actor, e.source, e.action, e.subject, e.detail}));
        prev = e.hash;
    }
    // New entries chain on.
    ASSERT_TRUE(store->create_person(
        id_of(4), contract::full_person(4), "64.74.01", {"u", "cli", kT0, ""}, {}));
    auto newest = store->list_audit({});
    ASSERT_TRUE(newest.has_value());
    const AuditEntry& e = newest->front();
    EXPECT_EQ(e.seq, 4);
    EXPECT_EQ(
        e.hash,
        core::audit_chain_hash(
            prev,
            {e.seq, core::to_unix_ms(e.at), e.actor, e.source, e.action, e.subject, e.detail}));
}

// v14 fills the registry timeline from the current rows and from the documents of the stored
// versions: the same states as the store writes itself.
TEST_F(SqliteStoreTest, MigratesAVersion13FileFillingTheRegistryTimelineFromTheHistory) {
    const auto scan = [](Store& s) {
        std::vector<RegistryState> out;
        EXPECT_TRUE(s.scan_registry_states(kT0 + std::chrono::hours(1), [&](const auto& st) {
            out.push_back(st);
            return Result<void>();
        }));
        return out;
    };
    std::vector<RegistryState> written;
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        core::Person p = contract::full_person(1);
        ASSERT_TRUE(store->create_person(id_of(1), p, "64.74.01", {"u", "cli", kT0, ""}, {}));
        p.address.kelurahan_code = "64.74.03.1002";
        p.severity.reset();
        p.categories = {core::Category::Intelektual};
        ASSERT_TRUE(store->update_person(
            id_of(1), 1, p, "64.74.03", {"u", "cli", kT0 + std::chrono::minutes(1), ""}));
        p.status = core::Status::Pindah;
        p.status_date = core::make_date(2025, 7, 1);
        p.birth_date = core::Date{};
        ASSERT_TRUE(store->update_person(
            id_of(1), 2, p, "64.74.03", {"u", "cli", kT0 + std::chrono::minutes(2), ""}));
        core::Person q = contract::full_person(2);
        q.sex = core::Sex::Male;
        ASSERT_TRUE(store->create_person(id_of(2), q, "64.74.01", {"u", "cli", kT0, ""}, {}));
        written = scan(*store);
    }
    ASSERT_EQ(written.size(), 4U);
    raw_int("DROP INDEX service_requests_idempotency"); // step 17
    raw_int("ALTER TABLE service_requests DROP COLUMN idempotency_key");
    raw_int("DROP TABLE sync_ops");     // step 16
    raw_int("DROP TABLE person_files"); // step 15, after the timeline's 14
    raw_int("DROP INDEX persons_sort_name");
    raw_int("DROP INDEX persons_sort_birth_date");
    raw_int("DROP TABLE person_states");
    raw_int("PRAGMA user_version=13");
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(raw_int("PRAGMA user_version"), sqlite_schema_version());
    EXPECT_EQ(scan(*store), written);
    EXPECT_EQ(written[0].categories, 9); // fisik and sensorik_netra
    EXPECT_EQ(written[1].categories, 2); // intelektual
    EXPECT_FALSE(written[2].birth_date.ok());
    EXPECT_EQ(written[2].status, core::Status::Pindah);
}

// A file at schema v11 (vouchers, no transfer batches) gains the batches table and the delivery
// columns that tie a transfer to its batch and to the bank's answer.
TEST_F(SqliteStoreTest, MigratesAVersion11FileAddingTransferBatches) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(store->create_person(
            id_of(1), contract::full_person(1), "64.74.01", {"u", "cli", kT0, ""}, {}));
    }
    for (const char* sql : {"DROP INDEX service_requests_idempotency",
                            "ALTER TABLE service_requests DROP COLUMN idempotency_key",
                            "DROP TABLE sync_ops",
                            "DROP TABLE person_files",
                            "DROP INDEX persons_sort_name",
                            "DROP INDEX persons_sort_birth_date",
                            "DROP TABLE person_states",
                            "DROP TABLE duplicate_pairs",
                            "DROP TABLE aid_batches",
                            "DROP INDEX aid_deliveries_batch",
                            "ALTER TABLE aid_deliveries DROP COLUMN batch_id",
                            "ALTER TABLE aid_deliveries DROP COLUMN fail_reason",
                            "ALTER TABLE aid_deliveries DROP COLUMN bank_reference"}) {
        raw_int(sql);
    }
    raw_int("PRAGMA user_version=11");
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(raw_int("PRAGMA user_version"), sqlite_schema_version());
    EXPECT_EQ(raw_int("SELECT count(*) FROM pragma_table_info('aid_deliveries') WHERE name IN "
                      "('batch_id', 'fail_reason', 'bank_reference')"),
              3);
    EXPECT_EQ(raw_int("SELECT count(*) FROM aid_batches"), 0);
    EXPECT_EQ(store->info().persons, 1);
}

// The schema steps this test file knows: the one that added sync_ops, and the newest (the
// service requests' idempotency keys).
constexpr int kSyncOpsStep = 16;
constexpr int kServiceRequestKeyStep = 17;

// A file at schema v14 (no person files) gains the person_files table and keeps its data.
TEST_F(SqliteStoreTest, MigratesAVersion14FileAddingPersonFiles) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(store->create_person(
            id_of(1), contract::full_person(1), "64.74.01", {"u", "cli", kT0, ""}, {}));
    }
    raw_int("DROP INDEX service_requests_idempotency"); // step 17
    raw_int("ALTER TABLE service_requests DROP COLUMN idempotency_key");
    raw_int("DROP TABLE sync_ops");
    raw_int("DROP TABLE person_files");
    raw_int("DROP INDEX persons_sort_name");
    raw_int("DROP INDEX persons_sort_birth_date");
    raw_int("PRAGMA user_version=14");
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(raw_int("PRAGMA user_version"), sqlite_schema_version());
    EXPECT_EQ(raw_int("SELECT count(*) FROM sqlite_schema WHERE name IN ('person_files', "
                      "'person_files_person', 'persons_sort_name', 'persons_sort_birth_date')"),
              4);
    EXPECT_EQ(raw_int("SELECT count(*) FROM person_files"), 0);
    EXPECT_EQ(store->info().persons, 1);
}

// A file at schema v15 gains the sync_ops table (offline sync) and keeps its data.
TEST_F(SqliteStoreTest, MigratesAVersion15FileAddingSyncOps) {

    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(store->create_person(
            id_of(1), contract::full_person(1), "64.74.01", {"u", "cli", kT0, ""}, {}));
    }
    raw_int("DROP INDEX service_requests_idempotency"); // step 17
    raw_int("ALTER TABLE service_requests DROP COLUMN idempotency_key");
    raw_int("DROP TABLE sync_ops");
    raw_int("PRAGMA user_version=15");
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_GE(raw_int("PRAGMA user_version"), kSyncOpsStep);
    EXPECT_EQ(raw_int("SELECT count(*) FROM sqlite_schema WHERE name IN ('sync_ops', "
                      "'sync_ops_waiting', 'sync_ops_conflicts')"),
              3);
    EXPECT_EQ(raw_int("SELECT count(*) FROM sync_ops"), 0);
    EXPECT_EQ(store->info().persons, 1);
}

// A file at schema v16 gains the service requests' idempotency keys; its requests keep none.
TEST_F(SqliteStoreTest, MigratesAVersion16FileAddingServiceRequestKeys) {
    EXPECT_EQ(sqlite_schema_version(), kServiceRequestKeyStep);
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(store->create_person(
            id_of(1), contract::full_person(1), "64.74.01", {"u", "cli", kT0, ""}, {}));
        ServiceRecord complaints;
        complaints.code = "pengaduan";
        complaints.name = "Pengaduan";
        ASSERT_TRUE(store->add_services({complaints}, {"u", "cli", kT0, ""}));
        ServiceRequestRecord request;
        request.id = id_of(2).str();
        request.person_id = id_of(1).str();
        request.service_code = "pengaduan";
        request.kelurahan_code = "64.74.01.1003";
        ASSERT_TRUE(store->create_service_request(request, {"u", "cli", kT0, ""}));
    }
    raw_int("DROP INDEX service_requests_idempotency");
    raw_int("ALTER TABLE service_requests DROP COLUMN idempotency_key");
    raw_int("PRAGMA user_version=16");
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(raw_int("PRAGMA user_version"), kServiceRequestKeyStep);
    EXPECT_EQ(raw_int("SELECT count(*) FROM sqlite_schema WHERE name = "
                      "'service_requests_idempotency'"),
              1);
    auto kept = store->get_service_request(id_of(2).str());
    ASSERT_TRUE(kept.has_value() && kept->has_value());
    EXPECT_EQ((*kept)->idempotency_key, "");
}

TEST_F(SqliteStoreTest, MigratesAVersion2FileAndKeepsItsData) {
    UserRecord user;
    user.user.id = "01900000-0000-7000-8000-000000000001";
    user.user.username = "admin";
    user.user.role = core::Role::Admin;
    user.password_hash = "$argon2id$v=19$x";
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(store->create_person(
            id_of(1), contract::full_person(1), "64.74.01", {"u", "cli", kT0, ""}, {}));
        ASSERT_TRUE(store->create_user(user, {"cli:root", "cli", kT0, ""}));
    }
    // Undo v10 to v3 as a v2 program would have left the file.
    for (const char* sql : {"DROP TABLE sync_ops",
                            "DROP TABLE person_files",
                            "DROP INDEX persons_sort_name",
                            "DROP INDEX persons_sort_birth_date",
                            "DROP TABLE person_states",
                            "DROP TABLE voucher_postings",
                            "DROP TABLE voucher_transactions",
                            "DROP TABLE voucher_balances",
                            "DROP TABLE merchants",
                            "DROP TABLE duplicate_pairs",
                            "DROP TABLE aid_batches",
                            "DROP TABLE aid_deliveries",
                            "DROP TABLE aid_list_entries",
                            "DROP TABLE aid_cycles",
                            "DROP TABLE aid_programs",
                            "DROP TABLE service_request_events",
                            "DROP TABLE service_requests",
                            "DROP TABLE services",
                            "DROP TABLE cards",
                            "DROP TABLE hazard_zones",
                            "DROP TABLE facilities",
                            "DROP TABLE areas",
                            "ALTER TABLE persons DROP COLUMN devices",
                            "DROP INDEX persons_change",
                            "ALTER TABLE persons DROP COLUMN change_seq",
                            "DROP TABLE sessions",
                            "DROP TABLE api_tokens",
                            "DROP TABLE audit_log",
                            "PRAGMA user_version=2"}) {
        raw_int(sql);
    }
    ASSERT_EQ(raw_int("SELECT count(*) FROM sqlite_schema WHERE name = 'audit_log'"), 0);
    ASSERT_EQ(raw_int("PRAGMA user_version"), 2);

    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(raw_int("PRAGMA user_version"), sqlite_schema_version());
    EXPECT_EQ(raw_int("SELECT count(*) FROM sqlite_schema WHERE name IN "
                      "('sessions', 'api_tokens', 'audit_log')"),
              3);
    auto got = store->get_person(id_of(1));
    ASSERT_TRUE(got.has_value()) << got.error().message;
    EXPECT_EQ(got->person, contract::full_person(1));
    auto found = store->get_user(user.user.id);
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ((*found)->user, user.user);
    auto log = store->list_audit({});
    ASSERT_TRUE(log.has_value()) << log.error().message;
    EXPECT_TRUE(log->empty()) << "writes before v3 have no audit entries";
    SessionRecord session;
    session.id = "01900000-0000-7000-8000-000000000101";
    session.token_hash = std::string(64, 'a');
    session.user_id = user.user.id;
    ASSERT_TRUE(store->create_session(session, {user.user.id, "127.0.0.1", kT0, ""}));
    auto after = store->list_audit({});
    ASSERT_TRUE(after.has_value());
    ASSERT_EQ(after->size(), 1U);
    EXPECT_EQ(after->front().seq, 1);
    // v4: the person written before it is in the change feed from the start, with seq 0.
    auto feed = store->person_changes({}, 10);
    ASSERT_TRUE(feed.has_value()) << feed.error().message;
    ASSERT_EQ(feed->items.size(), 1U);
    EXPECT_EQ(feed->items[0].id, id_of(1));
    EXPECT_EQ(feed->next.seq, 0);
    // v5: its devices (kursi_roda = bit 0, kacamata = bit 8) filled from its document, and an
    // empty areas table.
    EXPECT_EQ(feed->items[0].devices, 257U);
    EXPECT_EQ(raw_int("SELECT count(*) FROM areas"), 0);
}

// A file at schema v10 (social assistance, no vouchers, no transfer batches) gains the v11
// voucher tables (and v12's batches) and keeps its data.
TEST_F(SqliteStoreTest, MigratesAVersion10FileAddingTheVoucherTables) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(store->create_person(
            id_of(1), contract::full_person(1), "64.74.01", {"u", "cli", kT0, ""}, {}));
    }
    for (const char* sql : {"DROP INDEX service_requests_idempotency",
                            "ALTER TABLE service_requests DROP COLUMN idempotency_key",
                            "DROP TABLE sync_ops",
                            "DROP TABLE person_files",
                            "DROP INDEX persons_sort_name",
                            "DROP INDEX persons_sort_birth_date",
                            "DROP TABLE person_states",
                            "DROP TABLE voucher_postings",
                            "DROP TABLE voucher_transactions",
                            "DROP TABLE voucher_balances",
                            "DROP TABLE merchants",
                            "DROP TABLE duplicate_pairs",
                            "DROP TABLE aid_batches",
                            "DROP INDEX aid_deliveries_batch",
                            "ALTER TABLE aid_deliveries DROP COLUMN batch_id",
                            "ALTER TABLE aid_deliveries DROP COLUMN fail_reason",
                            "ALTER TABLE aid_deliveries DROP COLUMN bank_reference",
                            "PRAGMA user_version=10"}) {
        raw_int(sql);
    }
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(raw_int("PRAGMA user_version"), sqlite_schema_version());
    EXPECT_EQ(raw_int("SELECT count(*) FROM sqlite_master WHERE name IN ('merchants', "
                      "'voucher_balances', 'voucher_transactions', 'voucher_postings')"),
              4);
    MerchantRecord m;
    m.id = "0190f5c0-0000-7000-8000-000000000001";
    m.name = "E-Warong";
    m.user_id = "user:warung";
    m.kelurahan_code = "64.74.01.1003";
    m.lon = 117.5;
    m.lat = 0.13;
    ASSERT_TRUE(store->add_merchant(m, {"u", "cli", kT0, ""}).has_value());
    EXPECT_EQ(store->info().persons, 1);
}

// A command-line import while `kapal serve` runs: two stores on one file. The server's follower
// polls (SQLite has no notifications) and finds the other's writes in the change feed.
TEST_F(SqliteStoreTest, TwoStoresOnOneFileSeeEachOthersWritesInTheChangeFeed) {
    auto a = open();
    auto b = open();
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    ASSERT_TRUE(a->create_person(
        id_of(1), contract::full_person(1), "64.74.01", {"u", "cli", kT0, ""}, {}));
    auto first = a->person_changes({}, 10);
    ASSERT_TRUE(first.has_value());
    ASSERT_EQ(first->items.size(), 1U);
    ASSERT_TRUE(b->create_person(
        id_of(2), contract::full_person(2), "64.74.01", {"u", "cli", kT0, ""}, {}));
    auto waiter = a->change_waiter();
    EXPECT_FALSE(waiter->wait(10)) << "SQLite's waiter only sleeps";
    auto second = a->person_changes(first->next, 10);
    ASSERT_TRUE(second.has_value());
    ASSERT_EQ(second->items.size(), 1U);
    EXPECT_EQ(second->items[0].id, id_of(2));
    EXPECT_GT(second->next.seq, first->next.seq);
}

// The audit log and its indexes are in the file: a filtered page is an index range, not a scan.
TEST_F(SqliteStoreTest, AuditFiltersUseTheirIndexes) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
    for (const char* column : {"actor", "action", "subject"}) {
        const std::string sql = std::string("EXPLAIN QUERY PLAN SELECT seq FROM audit_log WHERE ") +
                                column + " = 'x' AND seq < 10 ORDER BY seq DESC LIMIT 5";
        sqlite3_stmt* stmt = nullptr;
        ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
        std::string plan;
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
            plan += "\n";
        }
        sqlite3_finalize(stmt);
        EXPECT_NE(plan.find(std::string("audit_log_") + column), std::string::npos) << plan;
        EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos)
            << "sorts instead of walking: " << plan;
    }
    sqlite3_close(db);
}

TEST_F(SqliteStoreTest, NewFilesUseLargePages) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(raw_int("PRAGMA page_size"), 16384);
}

// History is copy-on-write: person_versions holds only the versions an update replaced; the
// current one lives in persons alone.
TEST_F(SqliteStoreTest, VersionsTableHoldsOnlyReplacedVersions) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    std::vector<ImportItem> items;
    std::vector<core::PersonId> ids;
    for (int i = 0; i < 3; ++i) {
        items.push_back(ImportItem{contract::full_person(i), "64.74.01", false});
        ids.push_back(id_of(i));
    }
    ASSERT_TRUE(store->import_persons(items, ids, {"u", "cli", kT0, ""}));
    ASSERT_TRUE(store->create_person(
        id_of(10), contract::full_person(10), "64.74.01", {"u", "cli", kT0, ""}, {}));
    EXPECT_EQ(raw_int("SELECT count(*) FROM person_versions"), 0);
    core::Person p = contract::full_person(10);
    p.phone = "0800";
    ASSERT_TRUE(store->update_person(id_of(10), 1, p, "64.74.01", {"u", "cli", kT0, "a"}));
    p.phone = "0801";
    ASSERT_TRUE(store->update_person(id_of(10), 2, p, "64.74.01", {"u", "cli", kT0, "b"}));
    EXPECT_EQ(raw_int("SELECT count(*) FROM person_versions"), 2);
    EXPECT_EQ(raw_int("SELECT max(version) FROM person_versions"), 2);
    auto history = store->person_history(id_of(10));
    ASSERT_TRUE(history.has_value()) << history.error().message;
    ASSERT_EQ(history->size(), 3U);
    EXPECT_EQ(history->back().record.person, p);
    EXPECT_EQ(history->back().reason, "b");
}

TEST_F(SqliteStoreTest, RefusesAFileFromANewerProgram) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
    }
    const int newer = sqlite_schema_version() + 5;
    raw_int(("PRAGMA user_version=" + std::to_string(newer)).c_str());
    ASSERT_EQ(raw_int("PRAGMA user_version"), newer);
    auto refused = open_sqlite_store(file_, test_keys());
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::StoreNewerThanProgram);
    EXPECT_NE(refused.error().message.find(std::to_string(newer)), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find(std::to_string(sqlite_schema_version())),
              std::string::npos)
        << refused.error().message;
    EXPECT_EQ(raw_int("PRAGMA user_version"), newer) << "a refused file must not be changed";
}

TEST_F(SqliteStoreTest, AFileThatIsNotADatabaseIsStoreCorrupt) {
    std::ofstream(file_) << std::string(8192, 'x');
    auto refused = open_sqlite_store(file_, test_keys());
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::StoreCorrupt) << refused.error().message;
}

TEST_F(SqliteStoreTest, AMissingDirectoryIsStoreUnavailable) {
    auto refused = open_sqlite_store(dir_ / "no" / "such" / "kapal.db", test_keys());
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::StoreUnavailable) << refused.error().message;
}

TEST_F(SqliteStoreTest, RefusesKeysOfTheWrongSize) {
    StoreKeys keys = test_keys();
    keys.index_key.resize(16);
    auto refused = open_sqlite_store(file_, keys);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::KeyMissing);
}

TEST_F(SqliteStoreTest, AnotherDataKeyCannotReadTheRecords) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(store->create_person(
            id_of(1), contract::full_person(1), "64.74.01", {"u", "cli", kT0, ""}, {}));
    }
    StoreKeys other = test_keys();
    other.data_key.assign(kStoreKeyBytes, 0x33);
    auto store = open(other);
    ASSERT_NE(store, nullptr);
    auto got = store->get_person(id_of(1));
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().code, ErrorCode::StoreCorrupt);
}

TEST_F(SqliteStoreTest, WritesWithoutAnInstantUseTheClock) {
    core::FixedClock clock(kT0 + std::chrono::hours(3));
    auto opened = open_sqlite_store(file_, test_keys(), {}, &clock);
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    auto created = (*opened)->create_person(
        id_of(1), contract::full_person(1), "64.74.01", {"u", "cli", {}, ""}, {});
    ASSERT_TRUE(created.has_value()) << created.error().message;
    EXPECT_EQ(created->record.created_at, clock.now());
    auto got = (*opened)->get_person(id_of(1));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->created_at, clock.now());
}

TEST_F(SqliteStoreTest, IntegrityCheckReportsACorruptFile) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        std::vector<ImportItem> items;
        std::vector<core::PersonId> ids;
        for (int i = 0; i < 300; ++i) {
            items.push_back(ImportItem{contract::full_person(i), "64.74.01", false});
            ids.push_back(id_of(i));
        }
        ASSERT_TRUE(store->import_persons(items, ids, {"u", "cli", kT0, ""}));
    }
    // Overwrite stretches of pages at a third, half and two thirds of the file (not the
    // header): one of them may be a free page, which the check rightly ignores.
    {
        std::fstream f(file_, std::ios::in | std::ios::out | std::ios::binary);
        const auto size = std::filesystem::file_size(file_);
        ASSERT_GT(size, 40000U);
        const std::string junk(8192, '\x5a');
        for (const auto at : {size / 3, size / 2, size * 2 / 3}) {
            f.seekp(static_cast<std::streamoff>(at));
            f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
        }
    }
    auto opened = open_sqlite_store(file_, test_keys());
    if (!opened) {
        EXPECT_EQ(opened.error().code, ErrorCode::StoreCorrupt) << opened.error().message;
        return;
    }
    auto check = (*opened)->check_integrity();
    ASSERT_FALSE(check.has_value());
    EXPECT_EQ(check.error().code, ErrorCode::StoreCorrupt);
}

} // namespace
} // namespace kapal::store
