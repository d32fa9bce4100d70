#include "kapal/store/postgres/postgres_store.hpp"

#include "kapal/core/audit_chain.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/sqlite/sqlite_store.hpp"
#include "kapal/store/store_codec.hpp"
#include "kapal/store/store_contract.hpp"
#include "kapal/store/store_transfer.hpp"
#include "kapal/store/store_transfer_contract.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

// The server: KAPAL_TEST_POSTGRES names a running PostgreSQL 15 + PostGIS 3 (ctest's fixture
// `postgres` starts one, see CMakeLists.txt) as a conninfo of its maintenance database. Each
// test copies its own database from `kapal_template` (which has the extensions, so that a copy
// takes a fraction of a second) and the process drops its databases when it ends.

namespace kapal::store {
namespace {

StoreKeys test_keys() {
    StoreKeys keys;
    keys.data_key.assign(kStoreKeyBytes, 0x11);
    keys.index_key.assign(kStoreKeyBytes, 0x22);
    return keys;
}

std::string server_conninfo() {
    const char* env = std::getenv("KAPAL_TEST_POSTGRES"); // NOLINT(concurrency-mt-unsafe)
    return env != nullptr ? env : "";
}

/// `base` with its database replaced by `dbname`, as keyword='value' pairs.
std::string conninfo_for(const std::string& dbname) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(server_conninfo().c_str(), &error);
    if (options == nullptr) {
        std::string message = error != nullptr ? error : "out of memory";
        PQfreemem(error);
        ADD_FAILURE() << "KAPAL_TEST_POSTGRES does not parse: " << message;
        return "";
    }
    const auto quoted = [](std::string_view v) {
        std::string out = "'";
        for (const char c : v) {
            if (c == '\'' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        return out + "'";
    };
    std::string out;
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        const std::string keyword = o->keyword;
        if (keyword == "dbname" || o->val == nullptr) {
            continue;
        }
        out += keyword + "=" + quoted(o->val) + " ";
    }
    PQconninfoFree(options);
    return out + "dbname=" + quoted(dbname);
}

/// A raw libpq connection for checks behind the store's back.
class Raw {
  public:
    explicit Raw(const std::string& conninfo)
        : conn_(PQconnectdb(conninfo.c_str())) {
        PQsetNoticeProcessor(
            conn_, [](void*, const char*) {}, nullptr);
    }

    Raw(const Raw&) = delete;
    Raw& operator=(const Raw&) = delete;
    Raw(Raw&&) = delete;
    Raw& operator=(Raw&&) = delete;

    ~Raw() { PQfinish(conn_); }

    bool ok() const { return PQstatus(conn_) == CONNECTION_OK; }

    /// Runs `sql`, which may fail: the SQLSTATE of its error, "" when it succeeded.
    std::string sqlstate_of(const std::string& sql) {
        PGresult* r = PQexec(conn_, sql.c_str());
        const auto status = PQresultStatus(r);
        std::string state;
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            state = s != nullptr ? s : "?";
        }
        PQclear(r);
        return state;
    }

    /// Runs `sql`; every value of the result, row by row, joined by "|" and "\n".
    std::string query(const std::string& sql) {
        PGresult* r = PQexec(conn_, sql.c_str());
        std::string out;
        const auto status = PQresultStatus(r);
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
        } else {
            for (int i = 0; i < PQntuples(r); ++i) {
                out += i == 0 ? "" : "\n";
                for (int c = 0; c < PQnfields(r); ++c) {
                    out += c == 0 ? "" : "|";
                    out += PQgetvalue(r, i, c);
                }
            }
        }
        PQclear(r);
        return out;
    }

  private:
    PGconn* conn_;
};

/// The databases this process created; dropped when it ends.
class Databases : public ::testing::Environment {
  public:
    static Databases& instance() {
        // Owned by GoogleTest once registered.
        static Databases* const databases = [] {
            auto* d = new Databases();
            ::testing::AddGlobalTestEnvironment(d);
            return d;
        }();
        return *databases;
    }

    /// A new empty database copied from `template_name`; "" (and a test failure) when the
    /// server cannot make one.
    std::string create(const std::string& template_name = "kapal_template") {
        if (server_conninfo().empty()) {
            ADD_FAILURE() << "KAPAL_TEST_POSTGRES is not set: run the tests through ctest, "
                             "whose fixture starts the server (scripts/test-postgres.sh)";
            return "";
        }
        const std::string name =
            "kapal_t_" + std::to_string(::getpid()) + "_" + std::to_string(counter_.fetch_add(1));
        Raw admin(server_conninfo());
        if (!admin.ok()) {
            ADD_FAILURE() << "cannot connect to the test server " << server_conninfo();
            return "";
        }
        admin.query("CREATE DATABASE " + name + " TEMPLATE " + template_name);
        const std::lock_guard lock(mutex_);
        names_.push_back(name);
        return name;
    }

    void TearDown() override {
        Raw admin(server_conninfo());
        const std::lock_guard lock(mutex_);
        for (const auto& name : names_) {
            admin.query("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
        names_.clear();
    }

  private:
    Databases() = default;

    std::atomic<int> counter_{0};
    std::mutex mutex_;
    std::vector<std::string> names_;
};

// Registered before the tests start, so that its TearDown runs when they end.
[[maybe_unused]] const Databases& kDatabases = Databases::instance();

using contract::StoreBackend;
using contract::StoreContract;
using contract::TransferContract;

INSTANTIATE_TEST_SUITE_P(
    Postgres,
    StoreContract,
    ::testing::Values(StoreBackend{
        "postgres",
        [](const std::filesystem::path& dir) -> Result<std::unique_ptr<Store>> {
            const std::string name = Databases::instance().create();
            if (name.empty()) {
                return fail(ErrorCode::StoreUnavailable, "no test database");
            }
            std::ofstream(dir / "database") << name;
            PostgresOptions options;
            options.reader_connections = 3;
            return open_postgres_store(conninfo_for(name), test_keys(), options);
        },
        [](const std::filesystem::path& dir, const StoreKeys& keys) {
            std::string name;
            std::ifstream(dir / "database") >> name;
            return open_postgres_store(conninfo_for(name), keys);
        }}),
    contract::store_backend_name);

// ---- the transfer contract (kapal migrate-store): SQLite and PostgreSQL, both ways -----------

contract::TransferBackend postgres_transfer_backend() {
    return {[](const std::filesystem::path& dir) -> Result<std::unique_ptr<Store>> {
                const std::string name = Databases::instance().create();
                if (name.empty()) {
                    return fail(ErrorCode::StoreUnavailable, "no test database");
                }
                std::ofstream(dir / "database") << name;
                return open_postgres_store(conninfo_for(name), test_keys());
            },
            [](const std::filesystem::path& dir, const std::string& sql) {
                std::string name;
                std::ifstream(dir / "database") >> name;
                Raw(conninfo_for(name)).query(sql);
            }};
}

// The same as sqlite_store_test.cpp's, with the same keys.
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

// sqlite -> postgres -> sqlite, postgres -> sqlite -> postgres, postgres -> postgres -> postgres.
INSTANTIATE_TEST_SUITE_P(Postgres,
                         TransferContract,
                         ::testing::Values(contract::TransferPair{"sqlite_to_postgres",
                                                                  sqlite_transfer_backend(),
                                                                  postgres_transfer_backend()},
                                           contract::TransferPair{"postgres_to_sqlite",
                                                                  postgres_transfer_backend(),
                                                                  sqlite_transfer_backend()},
                                           contract::TransferPair{"postgres_to_postgres",
                                                                  postgres_transfer_backend(),
                                                                  postgres_transfer_backend()}),
                         contract::transfer_pair_name);

// ---- PostgreSQL only ----------------------------------------------------------------------

const core::Timestamp kT0 = core::from_unix_ms(1'750'000'000'000);

core::PersonId id_of(int n) {
    return core::PersonId(core::format_uuid_v7(kT0, static_cast<std::uint64_t>(n), 1));
}

WriteContext ctx(const std::string& reason = "") {
    return WriteContext{"u", "cli", kT0, reason};
}

class PostgresStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = Databases::instance().create();
        ASSERT_FALSE(db_.empty());
    }

    std::unique_ptr<Store> open(const StoreKeys& keys = test_keys(),
                                const core::Clock* clock = nullptr) {
        auto s = open_postgres_store(conninfo_for(db_), keys, {}, clock);
        EXPECT_TRUE(s.has_value()) << s.error().message;
        return s ? std::move(*s) : nullptr;
    }

    std::string sql(const std::string& query) { return Raw(conninfo_for(db_)).query(query); }

    std::string db_;
};

TEST_F(PostgresStoreTest, HomeIsAPostgisPointFoundThroughItsGistIndex) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    core::Person near = contract::full_person(1); // 117.4987, 0.1342
    core::Person far = contract::full_person(2);
    far.home->lon = 117.60;
    core::Person nowhere = contract::full_person(3);
    nowhere.home.reset();
    ASSERT_TRUE(store->create_person(id_of(1), near, "64.74.01", ctx(), {}));
    ASSERT_TRUE(store->create_person(id_of(2), far, "64.74.01", ctx(), {}));
    ASSERT_TRUE(store->create_person(id_of(3), nowhere, "64.74.01", ctx(), {}));

    EXPECT_EQ(sql("SELECT ST_X(home), ST_Y(home), ST_SRID(home) FROM persons WHERE id = '" +
                  id_of(1).str() + "'"),
              "117.4987|0.1342|4326");
    EXPECT_EQ(sql("SELECT home IS NULL FROM persons WHERE id = '" + id_of(3).str() + "'"), "t");
    // Within 100 m of a point 50 m from the first home: only that one.
    const std::string within = "SELECT id FROM persons WHERE ST_DWithin(home::geography, "
                               "ST_SetSRID(ST_MakePoint(117.4987, 0.13465), 4326)::geography, 100)";
    EXPECT_EQ(sql(within), id_of(1).str());
    const std::string plan = sql("SET enable_seqscan = off; EXPLAIN SELECT id FROM persons "
                                 "WHERE home && ST_MakeEnvelope(117.49, 0.13, 117.50, 0.14, 4326)");
    EXPECT_NE(plan.find("persons_home"), std::string::npos) << plan;

    // An update moves the point; the import path (COPY) writes it too.
    near.home->lat = 0.2;
    ASSERT_TRUE(store->update_person(id_of(1), 1, near, "64.74.01", ctx()));
    EXPECT_EQ(sql("SELECT ST_Y(home) FROM persons WHERE id = '" + id_of(1).str() + "'"), "0.2");
    core::Person imported = contract::full_person(4);
    imported.home =
        core::HomeLocation{117.123456789012, -0.987654321098, 3.0, core::LocationSource::Gps};
    ASSERT_TRUE(store->import_persons({{imported, "64.74.01", false}}, {id_of(4)}, ctx()));
    EXPECT_EQ(sql("SELECT ST_X(home)::text = '117.123456789012', ST_Y(home)::text = "
                  "'-0.987654321098', ST_SRID(home) FROM persons WHERE id = '" +
                  id_of(4).str() + "'"),
              "t|t|4326");
}

TEST_F(PostgresStoreTest, NameSearchCanUseTheTrigramIndex) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    const std::string plan =
        sql("SET enable_seqscan = off; EXPLAIN SELECT id FROM persons WHERE lower(full_name) "
            "LIKE lower('%nurhal%') ORDER BY pk LIMIT 51");
    EXPECT_NE(plan.find("persons_name_trgm"), std::string::npos) << plan;
}

TEST_F(PostgresStoreTest, NikAndKkAreNotStoredInClear) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    const core::Person p = contract::full_person(1);
    ASSERT_TRUE(store->create_person(id_of(1), p, "64.74.01", ctx(), {}));
    core::Person q = p;
    q.phone = "0800";
    ASSERT_TRUE(store->update_person(id_of(1), 1, q, "64.74.01", ctx()));
    ASSERT_TRUE(
        store->import_persons({{contract::full_person(2), "64.74.01", false}}, {id_of(2)}, ctx()));
    // Every column of every row, as text (bytea as hex): neither the NIK nor the KK, in clear
    // or as the hex of their bytes.
    const std::string all = sql("SELECT row_to_json(p)::text FROM persons p UNION ALL "
                                "SELECT row_to_json(v)::text FROM person_versions v UNION ALL "
                                "SELECT row_to_json(a)::text FROM audit_log a");
    ASSERT_NE(all.find(p.full_name), std::string::npos) << "the test reads the wrong tables";
    const auto hex = [](const std::string& s) {
        static const char* const digits = "0123456789abcdef";
        std::string out;
        for (const char ch : s) {
            const auto c = static_cast<unsigned char>(ch);
            out += digits[c >> 4];
            out += digits[c & 15];
        }
        return out;
    };
    for (const core::Person& person : {p, contract::full_person(2)}) {
        for (const std::string& secret : {person.nik, person.kk}) {
            EXPECT_EQ(all.find(secret), std::string::npos) << secret;
            EXPECT_EQ(all.find(hex(secret)), std::string::npos) << secret;
        }
    }
}

// The highest schema step these tests expect (the service requests' idempotency keys).
constexpr int kNewestStep = 17;
constexpr const char* kNewestStepText = "17";

TEST_F(PostgresStoreTest, FreshDatabaseRecordsEachMigrationStep) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(postgres_schema_version(), kNewestStep);
    EXPECT_EQ(sql("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version"),
              "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17");
    const StoreInfo info = store->info();
    EXPECT_EQ(info.schema_version, postgres_schema_version());
    EXPECT_EQ(info.backend, "postgresql");
    EXPECT_NE(info.location.find(db_), std::string::npos) << info.location;
    EXPECT_EQ(sql("SELECT seq FROM audit_counter"), "0");
}

TEST_F(PostgresStoreTest, MigratesAVersion3DatabaseIntoTheChangeFeed) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(
            store->create_person(id_of(1), contract::full_person(1), "64.74.01", ctx(), {}));
    }
    sql("DROP TABLE voucher_postings, voucher_transactions, voucher_balances, merchants");
    sql("DROP TABLE duplicate_pairs, aid_batches, aid_deliveries, aid_list_entries, aid_cycles, "
        "aid_programs");
    sql("DROP TABLE service_request_events, service_requests, services, cards");
    sql("DROP TABLE hazard_zones, facilities");
    sql("DROP TABLE areas");
    sql("ALTER TABLE persons DROP COLUMN devices");
    sql("DROP INDEX persons_change");
    sql("ALTER TABLE persons DROP COLUMN change_seq");
    sql("ALTER TABLE audit_log DROP COLUMN hash");
    sql("DROP TABLE person_states");
    sql("DROP FUNCTION kapal_person_state() CASCADE");
    sql("DROP TABLE sync_ops");
    sql("DROP TABLE person_files");
    sql("DROP INDEX persons_sort_name, persons_sort_birth_date");
    sql("DELETE FROM schema_version WHERE version >= 4");
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(sql("SELECT max(version) FROM schema_version"),
              std::to_string(postgres_schema_version()));
    // v7: the entry written before it is chained.
    auto log = store->list_audit({});
    ASSERT_TRUE(log.has_value()) << log.error().message;
    ASSERT_EQ(log->size(), 1U);
    const AuditEntry& e = log->front();
    EXPECT_EQ(
        e.hash,
        core::audit_chain_hash(
            core::kAuditGenesisHash,
            {e.seq, core::to_unix_ms(e.at), e.actor, e.source, e.action, e.subject, e.detail}));
    EXPECT_EQ(sql("SELECT change_seq FROM persons"), "0");
    auto feed = store->person_changes({}, 10);
    ASSERT_TRUE(feed.has_value()) << feed.error().message;
    ASSERT_EQ(feed->items.size(), 1U);
    EXPECT_EQ(feed->items[0].id, id_of(1));
    EXPECT_EQ(feed->items[0].version, 1);
}

TEST_F(PostgresStoreTest, MigratesAVersion4DatabaseFillingTheDevicesFromTheDocument) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        core::Person none = contract::full_person(2);
        none.assistive_devices.clear();
        ASSERT_TRUE(
            store->create_person(id_of(1), contract::full_person(1), "64.74.01", ctx(), {}));
        ASSERT_TRUE(store->create_person(id_of(2), none, "64.74.01", ctx(), {}));
    }
    sql("DROP TABLE voucher_postings, voucher_transactions, voucher_balances, merchants");
    sql("DROP TABLE duplicate_pairs, aid_batches, aid_deliveries, aid_list_entries, aid_cycles, "
        "aid_programs");
    sql("DROP TABLE service_request_events, service_requests, services, cards");
    sql("DROP TABLE hazard_zones, facilities");
    sql("DROP TABLE areas");
    sql("ALTER TABLE persons DROP COLUMN devices");
    sql("ALTER TABLE audit_log DROP COLUMN hash");
    sql("DROP TABLE person_states");
    sql("DROP FUNCTION kapal_person_state() CASCADE");
    sql("DROP TABLE sync_ops");
    sql("DROP TABLE person_files");
    sql("DROP INDEX persons_sort_name, persons_sort_birth_date");
    sql("DELETE FROM schema_version WHERE version >= 5");
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(sql("SELECT max(version) FROM schema_version"),
              std::to_string(postgres_schema_version()));
    // full_person(1) has kursi_roda (bit 0) and kacamata (bit 8).
    EXPECT_EQ(sql("SELECT string_agg(devices::text, ',' ORDER BY pk) FROM persons"), "257,0");
    auto feed = store->person_changes({}, 10);
    ASSERT_TRUE(feed.has_value()) << feed.error().message;
    ASSERT_EQ(feed->items.size(), 2U);
    EXPECT_EQ(feed->items[0].devices, 257U);
}

TEST_F(PostgresStoreTest, AreasArePostgisMultiPolygonsThatHomesJoinThroughTheGistIndex) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    // A square with a square hole, around full_person(1)'s home (117.4987, 0.1342) but not
    // around (117.45, 0.15), which lies in the hole.
    const AreaRecord kelurahan{
        "64.74.01.1003",
        "kelurahan",
        "Lok Tuan",
        "64.74.01",
        R"({"type":"MultiPolygon","coordinates":[[[[117.4,0.1],[117.6,0.1],[117.6,0.2],)"
        R"([117.4,0.2],[117.4,0.1]],[[117.44,0.14],[117.46,0.14],[117.46,0.16],[117.44,0.16],)"
        R"([117.44,0.14]]]]})"};
    auto n = store->sync_areas({kelurahan}, ctx());
    ASSERT_TRUE(n.has_value()) << n.error().message;
    EXPECT_EQ(sql("SELECT GeometryType(geom), ST_SRID(geom), ST_NumInteriorRings(ST_GeometryN("
                  "geom, 1)) FROM areas"),
              "MULTIPOLYGON|4326|1");
    core::Person in_hole = contract::full_person(2);
    in_hole.home->lon = 117.45;
    in_hole.home->lat = 0.15;
    ASSERT_TRUE(store->create_person(id_of(1), contract::full_person(1), "64.74.01", ctx(), {}));
    ASSERT_TRUE(store->create_person(id_of(2), in_hole, "64.74.01", ctx(), {}));
    EXPECT_EQ(sql("SELECT p.id || ':' || a.code FROM persons p JOIN areas a ON "
                  "ST_Contains(a.geom, p.home)"),
              id_of(1).str() + ":64.74.01.1003");
    const std::string plan = sql("SET enable_seqscan = off; EXPLAIN SELECT code FROM areas "
                                 "WHERE geom && ST_MakeEnvelope(117.49, 0.13, 117.50, 0.14, 4326)");
    EXPECT_NE(plan.find("areas_geom"), std::string::npos) << plan;

    // A geometry PostGIS cannot read is refused, naming the area, and nothing is written.
    AreaRecord bad = kelurahan;
    bad.code = "64.74.01.1004";
    bad.geometry = R"({"type":"MultiPolygon","coordinates":[[[[117.4,0.1],[117.6]]]]})";
    n = store->sync_areas({kelurahan, bad}, ctx());
    ASSERT_FALSE(n.has_value());
    EXPECT_EQ(n.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(n.error().message.find("area 64.74.01.1004"), std::string::npos) << n.error().message;
    EXPECT_EQ(sql("SELECT count(*) FROM areas"), "1");
}

TEST_F(PostgresStoreTest, HazardZonesAndFacilitiesArePostgisGeometriesWithGistIndexes) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    HazardZoneRecord zone;
    zone.id = "01900000-0000-7000-8000-000000000301";
    zone.name = "Rawan rob";
    zone.hazard = "rob";
    zone.level = "sedang";
    zone.source = "t";
    zone.geometry = R"({"type":"MultiPolygon","coordinates":[[[[117.4,0.1],[117.6,0.1],)"
                    R"([117.6,0.2],[117.4,0.2],[117.4,0.1]]]]})";
    ASSERT_TRUE(store->add_hazard_zones({zone}, ctx()));
    FacilityRecord f;
    f.id = "01900000-0000-7000-8000-000000000401";
    f.kind = "puskesmas";
    f.name = "P";
    f.lon = 117.5;
    f.lat = 0.15;
    f.source = "t";
    ASSERT_TRUE(store->add_facilities({f}, ctx()));
    // The zone's geometry follows its GeoJSON text (a generated column); the facility is a point.
    EXPECT_EQ(sql("SELECT GeometryType(z.geom), ST_SRID(z.geom), f.name FROM hazard_zones z "
                  "JOIN facilities f ON ST_Contains(z.geom, f.location)"),
              "MULTIPOLYGON|4326|P");
    for (const char* index : {"hazard_zones_geom", "facilities_location"}) {
        const std::string table = std::string(index).substr(0, std::string(index).rfind('_'));
        const std::string column = std::string(index).substr(table.size() + 1);
        const std::string plan =
            sql("SET enable_seqscan = off; EXPLAIN SELECT id FROM " + table + " WHERE " + column +
                " && ST_MakeEnvelope(117.49, 0.13, 117.50, 0.14, 4326)");
        EXPECT_NE(plan.find(index), std::string::npos) << plan;
    }
    // A ring PostGIS cannot read: refused, naming the zone.
    zone.id = "01900000-0000-7000-8000-000000000302";
    zone.geometry = R"({"type":"MultiPolygon","coordinates":[[[[117.4,0.1],[117.6]]]]})";
    auto bad = store->add_hazard_zones({zone}, ctx());
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(bad.error().message.find("hazard zone " + zone.id), std::string::npos)
        << bad.error().message;
    EXPECT_EQ(sql("SELECT count(*) FROM hazard_zones"), "1");
}

TEST_F(PostgresStoreTest, ReopeningKeepsDataAndChangesNothing) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(
            store->create_person(id_of(1), contract::full_person(1), "64.74.01", ctx(), {}));
    }
    const std::string objects = "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON "
                                "n.oid = c.relnamespace WHERE n.nspname = 'public'";
    const std::string before = sql(objects);
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(sql(objects), before);
    EXPECT_EQ(sql("SELECT count(*) FROM schema_version"),
              std::to_string(postgres_schema_version()));
    auto got = store->get_person(id_of(1));
    ASSERT_TRUE(got.has_value()) << got.error().message;
    EXPECT_EQ(got->person, contract::full_person(1));
    EXPECT_EQ(store->info().persons, 1);
}

TEST_F(PostgresStoreTest, RefusesADatabaseFromANewerProgram) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
    }
    const int newer = postgres_schema_version() + 5;
    sql("INSERT INTO schema_version VALUES (" + std::to_string(newer) + ", 0)");
    auto refused = open_postgres_store(conninfo_for(db_), test_keys());
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::StoreNewerThanProgram);
    EXPECT_NE(refused.error().message.find(std::to_string(newer)), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find(std::to_string(postgres_schema_version())),
              std::string::npos)
        << refused.error().message;
    EXPECT_EQ(sql("SELECT max(version) FROM schema_version"), std::to_string(newer));
}

// A database without the extensions: the first migration creates them (the test server's
// user may; in production a DBA may have to, see docs/operations-postgres.md).
TEST_F(PostgresStoreTest, MigratesABareDatabaseAndCreatesTheExtensions) {
    const std::string bare = Databases::instance().create("template0");
    ASSERT_FALSE(bare.empty());
    ASSERT_EQ(Raw(conninfo_for(bare))
                  .query("SELECT count(*) FROM pg_extension WHERE extname IN "
                         "('postgis', 'pg_trgm')"),
              "0");
    auto opened = open_postgres_store(conninfo_for(bare), test_keys());
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    EXPECT_EQ(Raw(conninfo_for(bare))
                  .query("SELECT string_agg(extname, ',' ORDER BY extname) FROM "
                         "pg_extension WHERE extname IN ('postgis', 'pg_trgm')"),
              "pg_trgm,postgis");
    ASSERT_TRUE(
        (*opened)->create_person(id_of(1), contract::full_person(1), "64.74.01", ctx(), {}));
    EXPECT_EQ((*opened)->info().persons, 1);
}

TEST_F(PostgresStoreTest, AnUnreachableServerIsStoreUnavailable) {
    auto refused = open_postgres_store("host=/nonexistent/kapal port=1 dbname=x connect_timeout=2",
                                       test_keys());
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::StoreUnavailable) << refused.error().message;
    auto no_db = open_postgres_store(conninfo_for("kapal_no_such_database"), test_keys());
    ASSERT_FALSE(no_db.has_value());
    EXPECT_EQ(no_db.error().code, ErrorCode::StoreUnavailable) << no_db.error().message;
}

TEST_F(PostgresStoreTest, RefusesKeysOfTheWrongSizeAndBadOptions) {
    StoreKeys keys = test_keys();
    keys.index_key.resize(16);
    auto refused = open_postgres_store(conninfo_for(db_), keys);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::KeyMissing);
    PostgresOptions options;
    options.reader_connections = 0;
    auto bad = open_postgres_store(conninfo_for(db_), test_keys(), options);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::ConfigInvalid);
}

TEST_F(PostgresStoreTest, AnotherDataKeyCannotReadTheRecords) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(
            store->create_person(id_of(1), contract::full_person(1), "64.74.01", ctx(), {}));
    }
    StoreKeys other = test_keys();
    other.data_key.assign(kStoreKeyBytes, 0x33);
    auto store = open(other);
    ASSERT_NE(store, nullptr);
    auto got = store->get_person(id_of(1));
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().code, ErrorCode::StoreCorrupt);
}

TEST_F(PostgresStoreTest, WritesWithoutAnInstantUseTheClock) {
    core::FixedClock clock(kT0 + std::chrono::hours(3));
    auto store = open(test_keys(), &clock);
    ASSERT_NE(store, nullptr);
    auto created = store->create_person(
        id_of(1), contract::full_person(1), "64.74.01", {"u", "cli", {}, ""}, {});
    ASSERT_TRUE(created.has_value()) << created.error().message;
    EXPECT_EQ(created->record.created_at, clock.now());
    auto got = store->get_person(id_of(1));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->created_at, clock.now());
}

// Two stores on one database stand for two application servers: their writes share one gap-free
// audit sequence, and the writer lock keeps a NIK from being registered twice.
TEST_F(PostgresStoreTest, TwoStoresOnOneDatabaseShareTheWriterLockAndTheAuditSequence) {
    auto a = open();
    auto b = open();
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    constexpr int kPerThread = 40;
    std::atomic<int> failures{0};
    const auto writer = [&](Store& s, const std::string& actor) {
        for (int i = 0; i < kPerThread; ++i) {
            AuditEntry e;
            e.actor = actor;
            e.action = "person.unmask";
            e.subject = std::to_string(i);
            e.at = kT0;
            if (!s.append_audit(e)) {
                ++failures;
            }
        }
    };
    std::thread ta(writer, std::ref(*a), "a");
    std::thread tb(writer, std::ref(*b), "b");
    // Both race to register the same NIK under different ids, a few times over.
    std::atomic<int> created{0};
    std::atomic<int> duplicates{0};
    const auto registrar = [&](Store& s, int base) {
        for (int n = 0; n < 5; ++n) {
            auto r = s.create_person(
                id_of(base + n), contract::full_person(100 + n), "64.74.01", ctx(), {});
            if (r) {
                ++created;
            } else if (r.error().code == ErrorCode::DuplicateNik) {
                ++duplicates;
            } else {
                ++failures;
            }
        }
    };
    std::thread ra(registrar, std::ref(*a), 1000);
    std::thread rb(registrar, std::ref(*b), 2000);
    for (std::thread* t : {&ta, &tb, &ra, &rb}) {
        t->join();
    }
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(created.load(), 5);
    EXPECT_EQ(duplicates.load(), 5);
    EXPECT_EQ(a->info().persons, 5);

    AuditQuery q;
    q.limit = 1000;
    auto log = b->list_audit(q);
    ASSERT_TRUE(log.has_value()) << log.error().message;
    ASSERT_EQ(log->size(), static_cast<std::size_t>(2 * kPerThread + 5));
    for (std::size_t i = 0; i < log->size(); ++i) {
        EXPECT_EQ((*log)[i].seq, static_cast<std::int64_t>(log->size() - i));
    }
    // A write that fails after its audit row was appended leaves no gap either.
    core::Person dup = contract::full_person(100);
    auto refused = a->create_person(id_of(3000), dup, "64.74.01", ctx(), {});
    ASSERT_FALSE(refused.has_value());
    ASSERT_TRUE(b->append_audit(AuditEntry{0, kT0, "b", "cli", "auth.login", "", "", ""}));
    AuditQuery newest;
    newest.limit = 1;
    auto last = a->list_audit(newest);
    ASSERT_TRUE(last.has_value() && !last->empty());
    EXPECT_EQ(last->front().seq, static_cast<std::int64_t>(2 * kPerThread + 6));
    auto check = a->check_integrity();
    EXPECT_TRUE(check.has_value()) << check.error().message;
}

// A person an import batch creates and then changes again within the batch gets its earlier
// version in person_versions, as when the two rows come in separate writes.
TEST_F(PostgresStoreTest, ImportBatchKeepsVersionsOfAPersonItCreatedAndChanged) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    core::Person p = contract::full_person(1);
    core::Person again = p;
    again.phone = "0801";
    core::Person third = p;
    third.phone = "0802";
    third.home.reset();
    auto r = store->import_persons(
        {{p, "64.74.01", false}, {again, "64.74.01", true}, {third, "64.74.02", true}},
        {id_of(1), id_of(2), id_of(3)},
        ctx("batch"));
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(sql("SELECT count(*), min(version), max(version) FROM person_versions"), "2|1|2");
    auto history = store->person_history(id_of(1));
    ASSERT_TRUE(history.has_value()) << history.error().message;
    ASSERT_EQ(history->size(), 3U);
    EXPECT_EQ((*history)[0].record.person, p);
    EXPECT_EQ((*history)[0].record.kecamatan_code, "64.74.01");
    EXPECT_EQ((*history)[1].record.person, again);
    EXPECT_EQ((*history)[2].record.person, third);
    EXPECT_EQ((*history)[2].record.kecamatan_code, "64.74.02");
    EXPECT_EQ((*history)[1].reason, "batch");
    EXPECT_EQ(sql("SELECT home IS NULL FROM persons"), "t");
    auto check = store->check_integrity();
    EXPECT_TRUE(check.has_value()) << check.error().message;
}

TEST_F(PostgresStoreTest, IntegrityCheckReportsBrokenHistoryAndAuditGaps) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    core::Person p = contract::full_person(1);
    ASSERT_TRUE(store->create_person(id_of(1), p, "64.74.01", ctx(), {}));
    p.phone = "0800";
    ASSERT_TRUE(store->update_person(id_of(1), 1, p, "64.74.01", ctx()));
    ASSERT_TRUE(store->check_integrity());

    sql("DELETE FROM person_versions");
    auto history = store->check_integrity();
    ASSERT_FALSE(history.has_value());
    EXPECT_EQ(history.error().code, ErrorCode::StoreCorrupt);
    EXPECT_NE(history.error().message.find("person_versions"), std::string::npos)
        << history.error().message;

    sql("DELETE FROM audit_log WHERE seq = 1");
    auto audit = store->check_integrity();
    ASSERT_FALSE(audit.has_value());
    EXPECT_NE(audit.error().message.find("audit_log"), std::string::npos) << audit.error().message;
}

// A connection the server drops (restart, failover, an administrator) is opened again on its
// next use; the call that met the broken connection may fail, later ones work.
TEST_F(PostgresStoreTest, ReconnectsAfterTheServerDropsItsConnections) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->create_person(id_of(1), contract::full_person(1), "64.74.01", ctx(), {}));
    Raw(server_conninfo())
        .query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
               "datname = '" +
               db_ + "' AND pid <> pg_backend_pid()");
    // Each reader connection and the writer may meet their broken connection once.
    for (int i = 0; i < 6; ++i) {
        (void)store->get_person(id_of(1));
        (void)store->append_audit(AuditEntry{0, kT0, "u", "cli", "auth.login", "", "", ""});
    }
    auto got = store->get_person(id_of(1));
    ASSERT_TRUE(got.has_value()) << got.error().message;
    bool pinged = false;
    for (int i = 0; i < 6 && !pinged; ++i) { // /healthz: a reader may meet its broken connection
        pinged = store->ping().has_value();
    }
    EXPECT_TRUE(pinged);
    core::Person p = contract::full_person(1);
    p.phone = "0800";
    auto updated = store->update_person(id_of(1), 1, p, "64.74.01", ctx());
    ASSERT_TRUE(updated.has_value()) << updated.error().message;
}

// Two application servers on one database: what one writes, the other's waiter hears of (LISTEN/
// NOTIFY at commit) and reads from the change feed; the waiter survives a dropped connection.
TEST_F(PostgresStoreTest, AWriteThroughOneStoreWakesTheOthersWaiterAndShowsInItsFeed) {
    auto a = open();
    auto b = open();
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    auto waiter = a->change_waiter();
    waiter->wait(0); // connects and LISTENs; true: changes may have been missed before
    EXPECT_FALSE(waiter->wait(100)) << "no write yet";
    auto start = a->person_changes({}, 100);
    ASSERT_TRUE(start.has_value()) << start.error().message;
    EXPECT_TRUE(start->items.empty());

    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        EXPECT_TRUE(b->create_person(id_of(1), contract::full_person(1), "64.74.01", ctx(), {}));
    });
    const auto t0 = std::chrono::steady_clock::now();
    bool woke = false;
    while (!woke && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20)) {
        woke = waiter->wait(1000);
    }
    writer.join();
    EXPECT_TRUE(woke);
    auto seen = a->person_changes(start->next, 100);
    ASSERT_TRUE(seen.has_value()) << seen.error().message;
    ASSERT_EQ(seen->items.size(), 1U);
    EXPECT_EQ(seen->items[0].id, id_of(1));

    // The server drops every connection: the waiter reconnects and says "maybe changed".
    Raw(server_conninfo())
        .query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db_ +
               "' AND pid <> pg_backend_pid()");
    bool recovered = false;
    for (int i = 0; i < 5 && !recovered; ++i) {
        recovered = waiter->wait(200);
    }
    EXPECT_TRUE(recovered);
    core::Person p = contract::full_person(1);
    p.status = core::Status::Pindah;
    for (int i = 0; i < 6; ++i) { // the writer may meet its broken connection once
        if (b->update_person(id_of(1), 1, p, "64.74.01", ctx())) {
            break;
        }
    }
    woke = false;
    const auto t1 = std::chrono::steady_clock::now();
    while (!woke && std::chrono::steady_clock::now() - t1 < std::chrono::seconds(20)) {
        woke = waiter->wait(1000);
    }
    EXPECT_TRUE(woke);
    auto moved = a->person_changes(seen->next, 100);
    for (int i = 0; i < 6 && !moved; ++i) { // a reader may meet its broken connection once
        moved = a->person_changes(seen->next, 100);
    }
    ASSERT_TRUE(moved.has_value()) << moved.error().message;
    ASSERT_EQ(moved->items.size(), 1U);
    EXPECT_EQ(moved->items[0].status, core::Status::Pindah);
    EXPECT_EQ(moved->items[0].version, 2);
}

// ---- social assistance (schema v10) -----------------------------------------------------------

AidProgramRecord aid_programme(const std::string& code) {
    AidProgramRecord p;
    p.code = code;
    p.name = "Bantuan " + code;
    p.source = "APBD";
    p.kind = "tunai";
    p.channel = "transfer";
    p.unit_value = 250'000;
    p.rule = "age >= 60";
    p.excludes = {"pkh", "bpnt"};
    p.assignees = {"user:bank"};
    return p;
}

AidCycleRecord aid_cycle(int number, const std::string& program_code) {
    AidCycleRecord c;
    c.id = core::format_uuid_v7(kT0, 700'000U + static_cast<std::uint64_t>(number), 3);
    c.program_code = program_code;
    c.number = number;
    c.name = "Tahap " + std::to_string(number);
    c.starts_on = core::make_date(2026, 2, 1);
    c.ends_on = core::make_date(2026, 3, 31);
    c.quotas = {AidQuota{"64.74.01", 40}};
    c.site_lon = 117.4974;
    c.site_lat = 0.1338;
    return c;
}

AidListEntry aid_entry(const std::string& person, const std::string& kelurahan) {
    AidListEntry e;
    e.person_id = person;
    e.kelurahan_code = kelurahan;
    e.source = "rule";
    e.added_at = kT0;
    e.added_by = "user:op";
    return e;
}

WriteContext aid_ctx(const std::string& actor) {
    return WriteContext{actor, "cli", kT0, ""};
}

// The partial unique indexes are the database's own rules, whoever writes the rows: one
// delivery that is not failed per (cycle, person), and an officer's idempotency key once.
TEST_F(PostgresStoreTest, TheDatabaseItselfAllowsOneDeliveryPerCycleAndPersonThatIsNotFailed) {
    ASSERT_NE(open(), nullptr);
    Raw raw(conninfo_for(db_));
    const auto insert = [&](const std::string& id,
                            const std::string& person,
                            const std::string& state,
                            const std::string& key) {
        return raw.sqlstate_of(
            "INSERT INTO aid_deliveries (id, cycle_id, program_code, person_id, kelurahan_code, "
            "channel, state, amount, recorded_at, officer, card_number, search_reason, "
            "evidence_type, note, flags, idempotency_key) VALUES ('" +
            id + "', 'c1', 'asp', '" + person + "', '64.74.01.1003', 'transfer', '" + state +
            "', 250000, 0, 'user:penyalur', '', '', '', '', '', '" + key + "')");
    };
    EXPECT_EQ(insert("d1", "p1", "failed", ""), "");
    EXPECT_EQ(insert("d2", "p1", "failed", ""), "") << "failed transfers may pile up";
    EXPECT_EQ(insert("d3", "p1", "pending", "k1"), "");
    EXPECT_EQ(insert("d4", "p1", "delivered", ""), "23505") << "pending blocks a delivery";
    EXPECT_EQ(insert("d5", "p2", "delivered", "k1"), "23505") << "the key is the officer's";
    EXPECT_EQ(insert("d6", "p2", "delivered", ""), "");
    EXPECT_EQ(insert("d7", "p3", "delivered", ""), "") << "an empty key is no key";
    EXPECT_EQ(insert("d8", "p4", "lost", ""), "23514") << "the state is checked";
    EXPECT_EQ(sql("SELECT string_agg(id, ',' ORDER BY id) FROM aid_deliveries"), "d1,d2,d3,d6,d7");
}

// A delivery the store did not write (another program, a restored backup) still stops the
// store from recording a second one: the unique violation becomes AidAlreadyDelivered, naming
// the delivery that is there, and the transaction stays usable for that answer.
TEST_F(PostgresStoreTest, ADeliveryWrittenBehindTheStoresBackStillCountsAsDelivered) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    const AidCycleRecord cycle = aid_cycle(1, "lansia");
    ASSERT_TRUE(store->add_aid_program(aid_programme("lansia"), aid_ctx("user:admin")));
    ASSERT_TRUE(store->add_aid_cycle(cycle, aid_ctx("user:admin")));
    const std::string person = id_of(1).str();
    ASSERT_TRUE(store->replace_aid_list(
        cycle.id, 1, "age >= 60", {}, {aid_entry(person, "64.74.01.1003")}, aid_ctx("user:op")));
    ASSERT_TRUE(store->move_aid_list(cycle.id, 2, "proposed", aid_ctx("user:op")));
    ASSERT_TRUE(store->move_aid_list(cycle.id, 3, "approved", aid_ctx("user:admin")));
    sql("INSERT INTO aid_deliveries (id, cycle_id, program_code, person_id, kelurahan_code, "
        "channel, state, amount, recorded_at, officer, card_number, search_reason, evidence_type, "
        "note, flags, idempotency_key) VALUES ('elsewhere', '" +
        cycle.id + "', 'lansia', '" + person +
        "', '64.74.01.1003', 'transfer', 'pending', 250000, 0, 'user:bank', '', '', '', '', '', "
        "'')");
    AidDeliveryRecord d;
    d.id = core::format_uuid_v7(kT0, 1, 9);
    d.cycle_id = cycle.id;
    d.program_code = "lansia";
    d.person_id = person;
    d.kelurahan_code = "64.74.01.1003";
    d.channel = "transfer";
    d.amount = 250'000;
    d.officer = "user:bank";
    auto second = store->record_aid_delivery(d, aid_ctx("user:bank"));
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error().code, ErrorCode::AidAlreadyDelivered);
    EXPECT_NE(second.error().message.find("elsewhere pending"), std::string::npos)
        << second.error().message;
    EXPECT_EQ(sql("SELECT count(*) FROM audit_log WHERE action = 'aid.deliver'"), "0");
    // The store goes on writing after the refused insert.
    d.id = core::format_uuid_v7(kT0, 2, 9);
    d.person_id = id_of(2).str();
    auto off_list = store->record_aid_delivery(d, aid_ctx("user:bank"));
    ASSERT_FALSE(off_list.has_value());
    EXPECT_EQ(off_list.error().code, ErrorCode::AidNotOnList);
    EXPECT_TRUE(store->append_audit(AuditEntry{0, kT0, "u", "cli", "person.unmask", "", "", ""}));
}

// A province's list: 100,000 entries written with one COPY, regenerated keeping a removal,
// approved with the hash of the whole list, and counted per kelurahan.
TEST_F(PostgresStoreTest, AListOfAHundredThousandEntriesIsReplacedApprovedAndCounted) {
    auto store = open();
    ASSERT_NE(store, nullptr);
    const AidCycleRecord cycle = aid_cycle(1, "lansia");
    ASSERT_TRUE(store->add_aid_program(aid_programme("lansia"), aid_ctx("user:admin")));
    ASSERT_TRUE(store->add_aid_cycle(cycle, aid_ctx("user:admin")));
    constexpr int kEntries = 100'000;
    const std::array<std::string, 4> kelurahan = {
        "64.74.01.1001", "64.74.01.1002", "64.74.02.1001", "64.74.03.1005"};
    const auto person = [](int n) {
        return core::format_uuid_v7(kT0, 5, static_cast<std::uint64_t>(n));
    };
    const auto entries_from = [&](int first) {
        std::vector<AidListEntry> out;
        out.reserve(kEntries);
        for (int n = first; n < first + kEntries; ++n) {
            out.push_back(aid_entry(person(n), kelurahan[static_cast<std::size_t>(n % 4)]));
        }
        return out;
    };
    const auto t0 = std::chrono::steady_clock::now();
    auto generated =
        store->replace_aid_list(cycle.id, 1, "age >= 60", {}, entries_from(0), aid_ctx("user:op"));
    const auto t1 = std::chrono::steady_clock::now();
    ASSERT_TRUE(generated.has_value()) << generated.error().message;
    EXPECT_EQ(generated->list_size, kEntries);
    std::cout << "replace_aid_list of " << kEntries << " entries: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(t1 - t0).count() << " ms\n";

    AidListEntry off = aid_entry(person(60'000), kelurahan[0]);
    off.removed = true;
    off.reason = "Pindah ke luar kota";
    ASSERT_TRUE(store->edit_aid_list(cycle.id, 2, off, aid_ctx("user:op")));
    // Half of the list changes; the removal stays.
    auto regenerated = store->replace_aid_list(
        cycle.id, 3, "age >= 61", {}, entries_from(50'000), aid_ctx("user:op"));
    ASSERT_TRUE(regenerated.has_value()) << regenerated.error().message;
    EXPECT_EQ(regenerated->list_size, kEntries - 1);
    EXPECT_EQ(sql("SELECT count(*) FROM aid_list_entries"), std::to_string(kEntries));
    EXPECT_EQ(sql("SELECT reason FROM aid_list_entries WHERE removed"), "Pindah ke luar kota");

    ASSERT_TRUE(store->move_aid_list(cycle.id, 4, "proposed", aid_ctx("user:op")));
    auto approved = store->move_aid_list(cycle.id, 5, "approved", aid_ctx("user:admin"));
    ASSERT_TRUE(approved.has_value()) << approved.error().message;
    AidEntryQuery q;
    q.cycle_id = cycle.id;
    q.include_removed = true;
    q.limit = 100'000;
    auto all = store->list_aid_entries(q);
    ASSERT_TRUE(all.has_value()) << all.error().message;
    ASSERT_EQ(all->size(), static_cast<std::size_t>(kEntries));
    EXPECT_EQ(approved->list_hash, aid_list_hash(*approved, *all));
    EXPECT_TRUE(std::is_sorted(all->begin(), all->end(), [](const auto& a, const auto& b) {
        return a.person_id < b.person_id;
    }));

    auto realisation = store->aid_realisation(cycle.id, {"64.74.01"});
    ASSERT_TRUE(realisation.has_value()) << realisation.error().message;
    ASSERT_EQ(realisation->size(), 2U);
    EXPECT_EQ((*realisation)[0], (AidRealisationRow{kelurahan[0], kEntries / 4 - 1, 0, 0, 0, 0}));
    EXPECT_EQ((*realisation)[1], (AidRealisationRow{kelurahan[1], kEntries / 4, 0, 0, 0, 0}));
    // The query of docs/operations-postgres.md ("Schema notes") says the same.
    EXPECT_EQ(sql("SELECT e.kelurahan_code, count(*) AS listed, count(d.pk) FILTER (WHERE "
                  "d.state = 'delivered') AS delivered, coalesce(sum(d.amount) FILTER (WHERE "
                  "d.state = 'delivered'), 0) AS rupiah FROM aid_list_entries e LEFT JOIN "
                  "aid_deliveries d ON d.cycle_id = e.cycle_id AND d.person_id = e.person_id AND "
                  "d.state <> 'failed' WHERE e.cycle_id = '" +
                  cycle.id +
                  "' AND NOT e.removed GROUP BY e.kelurahan_code ORDER BY e.kelurahan_code"),
              kelurahan[0] + "|24999|0|0\n" + kelurahan[1] + "|25000|0|0\n" + kelurahan[2] +
                  "|25000|0|0\n" + kelurahan[3] + "|25000|0|0");
}

// kapal migrate-store between two PostgreSQL databases keeps every aid row as it was: dates,
// booleans, coordinates (present or not), evidence bytes; new rows continue after the copied
// keys.
TEST_F(PostgresStoreTest, AidRecordsTravelToAnotherDatabaseUnchanged) {
    auto a = open();
    ASSERT_NE(a, nullptr);
    AidProgramRecord inactive = aid_programme("csr_kursi");
    inactive.source = "CSR";
    inactive.kind = "alat_bantu";
    inactive.channel = "langsung";
    inactive.active = false;
    inactive.excludes.clear();
    ASSERT_TRUE(a->add_aid_program(aid_programme("lansia"), aid_ctx("user:admin")));
    ASSERT_TRUE(a->add_aid_program(inactive, aid_ctx("user:admin")));
    const AidCycleRecord first = aid_cycle(1, "lansia");
    AidCycleRecord second = aid_cycle(2, "lansia");
    second.site_lon.reset();
    second.site_lat.reset();
    ASSERT_TRUE(a->add_aid_cycle(first, aid_ctx("user:admin")));
    ASSERT_TRUE(a->add_aid_cycle(second, aid_ctx("user:admin")));
    AidListEntry flagged = aid_entry(id_of(2).str(), "64.74.01.1003");
    flagged.flags = {"aid.shared_account"};
    ASSERT_TRUE(a->replace_aid_list(first.id,
                                    1,
                                    "age >= 60",
                                    {},
                                    {aid_entry(id_of(1).str(), "64.74.01.1003"), flagged},
                                    aid_ctx("user:op")));
    ASSERT_TRUE(a->move_aid_list(first.id, 2, "proposed", aid_ctx("user:op")));
    ASSERT_TRUE(a->move_aid_list(first.id, 3, "approved", aid_ctx("user:admin")));
    AidDeliveryRecord handed;
    handed.id = core::format_uuid_v7(kT0, 1, 9);
    handed.cycle_id = first.id;
    handed.program_code = "lansia";
    handed.person_id = id_of(1).str();
    handed.kelurahan_code = "64.74.01.1003";
    handed.channel = "langsung";
    handed.amount = 250'000;
    handed.recorded_at = kT0 + std::chrono::minutes(5);
    handed.officer = "user:penyalur";
    handed.lon = 117.4987;
    handed.lat = 0.1345;
    handed.accuracy_m = 6.5;
    handed.evidence_type = "image/png";
    handed.evidence = {0x89, 0x50, 0x4e, 0x47, 0x00, 0xff};
    handed.flags = {"aid.far_from_home"};
    handed.idempotency_key = "hp-1";
    AidDeliveryRecord failed = handed;
    failed.id = core::format_uuid_v7(kT0, 2, 9);
    failed.person_id = id_of(2).str();
    failed.state = "failed";
    failed.lon.reset();
    failed.lat.reset();
    failed.accuracy_m.reset();
    failed.evidence_type.clear();
    failed.evidence.clear();
    failed.flags.clear();
    failed.idempotency_key.clear();
    ASSERT_TRUE(a->record_aid_delivery(handed, aid_ctx("user:penyalur")));
    ASSERT_TRUE(a->record_aid_delivery(failed, aid_ctx("user:penyalur")));

    const std::string other = Databases::instance().create();
    ASSERT_FALSE(other.empty());
    auto opened = open_postgres_store(conninfo_for(other), test_keys());
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    Store& b = **opened;
    auto copied = copy_store(*a, b);
    ASSERT_TRUE(copied.has_value()) << copied.error().message;

    EXPECT_EQ(*a->list_aid_programs(), *b.list_aid_programs());
    EXPECT_EQ(*a->list_aid_cycles(""), *b.list_aid_cycles(""));
    auto cycles = b.list_aid_cycles("lansia");
    ASSERT_TRUE(cycles.has_value() && cycles->size() == 2U);
    EXPECT_EQ((*cycles)[0].site_lat, first.site_lat);
    EXPECT_FALSE((*cycles)[1].site_lon.has_value());
    EXPECT_EQ((*cycles)[0].ends_on, first.ends_on);
    AidEntryQuery q;
    q.cycle_id = first.id;
    EXPECT_EQ(*a->list_aid_entries(q), *b.list_aid_entries(q));
    auto moved = b.get_aid_delivery(handed.id);
    ASSERT_TRUE(moved.has_value() && moved->has_value());
    EXPECT_EQ(**moved, handed);
    auto moved_failed = b.get_aid_delivery(failed.id);
    ASSERT_TRUE(moved_failed.has_value() && moved_failed->has_value());
    EXPECT_EQ(**moved_failed, failed);
    EXPECT_EQ(*a->aid_realisation(first.id, {}), *b.aid_realisation(first.id, {}));

    // The copy goes on: its keys continue after the copied ones, and never twice still holds.
    ASSERT_TRUE(b.add_aid_program(aid_programme("pkh_daerah"), aid_ctx("user:admin")));
    ASSERT_TRUE(b.add_aid_cycle(aid_cycle(3, "lansia"), aid_ctx("user:admin")));
    AidDeliveryRecord again = handed;
    again.id = core::format_uuid_v7(kT0, 3, 9);
    again.idempotency_key.clear();
    auto twice = b.record_aid_delivery(again, aid_ctx("user:penyalur"));
    ASSERT_FALSE(twice.has_value());
    EXPECT_EQ(twice.error().code, ErrorCode::AidAlreadyDelivered);
    AidDeliveryRecord retry = failed;
    retry.id = core::format_uuid_v7(kT0, 4, 9);
    retry.state = "delivered";
    ASSERT_TRUE(b.record_aid_delivery(retry, aid_ctx("user:penyalur")));
    Raw raw(conninfo_for(other));
    EXPECT_EQ(raw.query("SELECT count(*) FROM aid_deliveries WHERE pk > 2"), "1");
    EXPECT_EQ(raw.query("SELECT max(pk) FROM aid_programs"), "3");
}

// A database at schema v9 (cards and services, no social assistance) gains the aid tables.
TEST_F(PostgresStoreTest, MigratesAVersion9DatabaseAddingTheAidTables) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(
            store->create_person(id_of(1), contract::full_person(1), "64.74.01", ctx(), {}));
    }
    sql("DROP TABLE voucher_postings, voucher_transactions, voucher_balances, merchants");
    sql("DROP TABLE duplicate_pairs, aid_batches, aid_deliveries, aid_list_entries, aid_cycles, "
        "aid_programs");
    sql("DROP TABLE person_states");
    sql("DROP FUNCTION kapal_person_state() CASCADE");
    sql("ALTER TABLE service_requests DROP COLUMN idempotency_key"); // step 17
    sql("DROP TABLE sync_ops");
    sql("DROP TABLE person_files");
    sql("DROP INDEX persons_sort_name, persons_sort_birth_date");
    sql("DELETE FROM schema_version WHERE version >= 10");
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(sql("SELECT max(version) FROM schema_version"),
              std::to_string(postgres_schema_version()));
    EXPECT_EQ(sql("SELECT count(*) FROM pg_indexes WHERE indexname IN ('aid_deliveries_once', "
                  "'aid_deliveries_idempotency')"),
              "2");
    ASSERT_TRUE(store->add_aid_program(aid_programme("lansia"), aid_ctx("user:admin")));
    auto listed = store->list_aid_programs();
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(listed->size(), 1U);
    EXPECT_EQ(store->info().persons, 1);
}

// v14 fills the registry timeline from the current rows and from the documents of the stored
// versions (jsonb): the same states as the trigger writes.
TEST_F(PostgresStoreTest, MigratesAVersion13DatabaseFillingTheRegistryTimelineFromTheHistory) {
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
        ASSERT_TRUE(store->create_person(id_of(1), p, "64.74.01", ctx(), {}));
        p.address.kelurahan_code = "64.74.03.1002";
        p.severity.reset();
        p.categories = {core::Category::Intelektual, core::Category::SensorikRungu};
        ASSERT_TRUE(store->update_person(
            id_of(1), 1, p, "64.74.03", {"u", "cli", kT0 + std::chrono::minutes(1), ""}));
        p.status = core::Status::Meninggal;
        p.status_date = core::make_date(2025, 7, 1);
        p.birth_date = core::Date{};
        ASSERT_TRUE(store->update_person(
            id_of(1), 2, p, "64.74.03", {"u", "cli", kT0 + std::chrono::minutes(2), ""}));
        ASSERT_TRUE(
            store->create_person(id_of(2), contract::full_person(2), "64.74.01", ctx(), {}));
        written = scan(*store);
    }
    ASSERT_EQ(written.size(), 4U);
    sql("ALTER TABLE service_requests DROP COLUMN idempotency_key"); // step 17
    sql("DROP TABLE sync_ops");
    sql("DROP TABLE person_files"); // step 15, after the timeline's 14
    sql("DROP INDEX persons_sort_name, persons_sort_birth_date");
    sql("DROP TABLE person_states");
    sql("DROP FUNCTION kapal_person_state() CASCADE");
    sql("DELETE FROM schema_version WHERE version >= 14");
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(sql("SELECT max(version) FROM schema_version"),
              std::to_string(postgres_schema_version()));
    EXPECT_EQ(scan(*store), written);
    EXPECT_EQ(written[0].categories, 9);  // fisik and sensorik_netra
    EXPECT_EQ(written[1].categories, 18); // intelektual and sensorik_rungu
    EXPECT_FALSE(written[2].birth_date.ok());
    EXPECT_EQ(written[2].status, core::Status::Meninggal);
    // The trigger is back: a new version leaves its state.
    core::Person q = contract::full_person(2);
    q.status = core::Status::Nonaktif;
    q.status_date = core::make_date(2025, 8, 1);
    ASSERT_TRUE(store->update_person(
        id_of(2), 1, q, "64.74.01", {"u", "cli", kT0 + std::chrono::minutes(3), ""}));
    EXPECT_EQ(scan(*store).size(), 5U);
}

// A database at schema v10 (social assistance, no vouchers, no transfer batches) gains the
// voucher tables (v11), then the batches table and the delivery columns of a transfer (v12).
TEST_F(PostgresStoreTest, MigratesAVersion10DatabaseAddingVouchersAndTransferBatches) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(
            store->create_person(id_of(1), contract::full_person(1), "64.74.01", ctx(), {}));
    }
    sql("DROP TABLE voucher_postings, voucher_transactions, voucher_balances, merchants");
    sql("DROP TABLE duplicate_pairs, aid_batches");
    sql("DROP INDEX aid_deliveries_batch");
    sql("ALTER TABLE aid_deliveries DROP COLUMN batch_id, DROP COLUMN fail_reason, DROP COLUMN "
        "bank_reference");
    sql("DROP TABLE person_states");
    sql("DROP FUNCTION kapal_person_state() CASCADE");
    sql("ALTER TABLE service_requests DROP COLUMN idempotency_key"); // step 17
    sql("DROP TABLE sync_ops");
    sql("DROP TABLE person_files");
    sql("DROP INDEX persons_sort_name, persons_sort_birth_date");
    sql("DELETE FROM schema_version WHERE version >= 11");
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(sql("SELECT max(version) FROM schema_version"),
              std::to_string(postgres_schema_version()));
    EXPECT_EQ(sql("SELECT count(*) FROM pg_tables WHERE tablename IN ('merchants', "
                  "'voucher_balances', 'voucher_transactions', 'voucher_postings')"),
              "4");
    EXPECT_EQ(sql("SELECT count(*) FROM pg_indexes WHERE indexname = "
                  "'voucher_transactions_idempotency'"),
              "1");
    EXPECT_EQ(sql("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                  "'aid_deliveries' AND column_name IN ('batch_id', 'fail_reason', "
                  "'bank_reference')"),
              "3");
    EXPECT_EQ(sql("SELECT count(*) FROM aid_batches"), "0");
    EXPECT_EQ(store->info().persons, 1);
}

// A database at schema v14 (no person files) gains the person_files table (v15).
TEST_F(PostgresStoreTest, MigratesAVersion14DatabaseAddingPersonFiles) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(
            store->create_person(id_of(1), contract::full_person(1), "64.74.01", ctx(), {}));
    }
    sql("ALTER TABLE service_requests DROP COLUMN idempotency_key"); // step 17
    sql("DROP TABLE sync_ops");
    sql("DROP TABLE person_files");
    sql("DROP INDEX persons_sort_name, persons_sort_birth_date");
    sql("DELETE FROM schema_version WHERE version >= 15");
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(sql("SELECT max(version) FROM schema_version"), kNewestStepText);
    EXPECT_EQ(sql("SELECT count(*) FROM pg_indexes WHERE indexname IN ('person_files_person', "
                  "'persons_sort_name', 'persons_sort_birth_date')"),
              "3");
    EXPECT_EQ(sql("SELECT count(*) FROM person_files"), "0");
    EXPECT_EQ(store->info().persons, 1);
}

// A database at schema v15 gains the sync_ops table (v16, offline sync).
TEST_F(PostgresStoreTest, MigratesAVersion15DatabaseAddingSyncOps) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(
            store->create_person(id_of(1), contract::full_person(1), "64.74.01", ctx(), {}));
    }
    sql("ALTER TABLE service_requests DROP COLUMN idempotency_key"); // step 17
    sql("DROP TABLE sync_ops");
    sql("DELETE FROM schema_version WHERE version >= 16");
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(sql("SELECT max(version) FROM schema_version"), kNewestStepText);
    EXPECT_EQ(sql("SELECT count(*) FROM pg_indexes WHERE indexname IN ('sync_ops_waiting', "
                  "'sync_ops_conflicts')"),
              "2");
    EXPECT_EQ(sql("SELECT count(*) FROM sync_ops"), "0");
    EXPECT_EQ(store->info().persons, 1);
}

// A database at schema v16 gains the service requests' idempotency keys (v17); its requests
// keep none.
TEST_F(PostgresStoreTest, MigratesAVersion16DatabaseAddingServiceRequestKeys) {
    {
        auto store = open();
        ASSERT_NE(store, nullptr);
        ASSERT_TRUE(
            store->create_person(id_of(1), contract::full_person(1), "64.74.01", ctx(), {}));
        ServiceRecord complaints;
        complaints.code = "pengaduan";
        complaints.name = "Pengaduan";
        ASSERT_TRUE(store->add_services({complaints}, ctx()));
        ServiceRequestRecord request;
        request.id = id_of(2).str();
        request.person_id = id_of(1).str();
        request.service_code = "pengaduan";
        request.kelurahan_code = "64.74.01.1003";
        ASSERT_TRUE(store->create_service_request(request, ctx()));
    }
    sql("ALTER TABLE service_requests DROP COLUMN idempotency_key");
    sql("DELETE FROM schema_version WHERE version >= 17");
    auto store = open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(sql("SELECT max(version) FROM schema_version"), kNewestStepText);
    EXPECT_EQ(
        sql("SELECT count(*) FROM pg_indexes WHERE indexname = 'service_requests_idempotency'"),
        "1");
    auto kept = store->get_service_request(id_of(2).str());
    ASSERT_TRUE(kept.has_value() && kept->has_value());
    EXPECT_EQ((*kept)->idempotency_key, "");
}

} // namespace
} // namespace kapal::store
