#include "kapal/store/sqlite/sqlite_store.hpp"

#include "kapal/core/assert.hpp"
#include "kapal/core/audit_chain.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/person_doc.hpp"
#include "kapal/store/store_codec.hpp"
#include "kapal/store/store_transfer.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <functional>
#include <mutex>
#include <new>
#include <span>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kapal::store {
namespace detail {

// ---------------------------------------------------------------------------------------------
// Schema and migrations. Each step runs once, in order, inside the opening transaction; the
// number of steps applied is PRAGMA user_version. Append steps; never edit an applied one.

struct Migration {
    int version;
    const char* sql;
};

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE persons (
    pk             INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    version        INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    created_by     TEXT    NOT NULL,
    updated_by     TEXT    NOT NULL,
    updated_source TEXT    NOT NULL,
    updated_reason TEXT    NOT NULL,
    nik_enc        BLOB    NOT NULL,
    nik_bidx       BLOB    NOT NULL UNIQUE,
    kk_enc         BLOB,
    kk_bidx        BLOB,
    full_name      TEXT    NOT NULL,
    sex            TEXT    NOT NULL,
    birth_date     TEXT,
    kelurahan_code TEXT    NOT NULL,
    kecamatan_code TEXT    NOT NULL,
    categories     INTEGER NOT NULL,
    severity       TEXT,
    status         TEXT    NOT NULL,
    lon            REAL,
    lat            REAL,
    doc            TEXT    NOT NULL
) STRICT;
CREATE INDEX persons_kk_bidx ON persons(kk_bidx);
CREATE INDEX persons_kelurahan ON persons(kelurahan_code, pk);
CREATE INDEX persons_kecamatan ON persons(kecamatan_code, pk);
CREATE INDEX persons_status ON persons(status, pk);

-- The previous versions of each person (copy-on-write): an update first copies the row it
-- replaces here, in the same transaction. The current version lives only in persons, where
-- updated_at/updated_by/updated_source/updated_reason record the write that made it.
CREATE TABLE person_versions (
    person_pk      INTEGER NOT NULL REFERENCES persons(pk),
    version        INTEGER NOT NULL,
    recorded_at    INTEGER NOT NULL,
    actor          TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    kecamatan_code TEXT    NOT NULL,
    nik_enc        BLOB    NOT NULL,
    kk_enc         BLOB,
    doc            TEXT    NOT NULL,
    PRIMARY KEY (person_pk, version)
) STRICT, WITHOUT ROWID;

CREATE TABLE idempotency_keys (
    key         TEXT    PRIMARY KEY,
    fingerprint TEXT    NOT NULL,
    person_id   TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

-- Name search. Kept up to date by the store itself, not by triggers: a trigger makes every
-- INSERT open a statement savepoint, and FTS5 flushes a segment at each one (40x slower
-- imports). An import batch indexes its new rows with one INSERT ... SELECT.
CREATE VIRTUAL TABLE persons_name_fts USING fts5(
    full_name, content='persons', content_rowid='pk', tokenize='trigram');
)sql";

// v2: user accounts. Area codes are stored as one text of codes separated by spaces (codes
// never contain one); the list is short and only read with its account.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE users (
    pk            INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    username      TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    area_codes    TEXT    NOT NULL,
    disabled      INTEGER NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
)sql";

// v3: login sessions, API tokens and the audit log. Sessions and tokens keep only the SHA-256 of
// their secret. The audit log is append-only; seq is the rowid, so SQLite gives 1, 2, 3, ... in
// commit order (rows are never deleted, and a rolled-back insert leaves no gap). Its indexes pair
// each filter with seq, so a filtered page newest first is one index range.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE sessions (
    pk           INTEGER PRIMARY KEY,
    id           TEXT    NOT NULL UNIQUE,
    token_hash   TEXT    NOT NULL UNIQUE,
    user_id      TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    address      TEXT    NOT NULL,
    user_agent   TEXT    NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id, created_at);

CREATE TABLE api_tokens (
    pk         INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    user_id    TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    area_codes TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens(user_id, created_at);

CREATE TABLE audit_log (
    seq     INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    source  TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    subject TEXT    NOT NULL,
    detail  TEXT    NOT NULL
) STRICT;
CREATE INDEX audit_log_actor ON audit_log(actor, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);
CREATE INDEX audit_log_subject ON audit_log(subject, seq);
)sql";

// v4: the change feed. change_seq is the audit seq of the write that last wrote the row (rows
// written before v4 keep 0); followers read persons by (change_seq, pk) after a cursor.
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE persons ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX persons_change ON persons(change_seq);
)sql";

// v5: the assistive devices of each person as a bit mask (store::device_mask: bit i is
// core::kAssistiveDevices[i] as it was at v5; later codes are appended, so the bits stay) for
// "all wheelchair users" filters, filled from the document for rows written before; and the
// area boundaries (reference data, Store::sync_areas) as GeoJSON text, for readers of the file.
constexpr const char* kSchemaV5 = R"sql(
ALTER TABLE persons ADD COLUMN devices INTEGER NOT NULL DEFAULT 0;
UPDATE persons SET devices = (
    SELECT coalesce(sum(DISTINCT CASE value
        WHEN 'kursi_roda' THEN 1 WHEN 'kruk' THEN 2 WHEN 'tongkat' THEN 4
        WHEN 'tongkat_netra' THEN 8 WHEN 'walker' THEN 16 WHEN 'kaki_palsu' THEN 32
        WHEN 'tangan_palsu' THEN 64 WHEN 'alat_bantu_dengar' THEN 128 WHEN 'kacamata' THEN 256
        WHEN 'braille' THEN 512 WHEN 'alat_bantu_lainnya' THEN 1024 WHEN 'popok' THEN 2048
        ELSE 0 END), 0)
    FROM json_each(persons.doc, '$.assistive_devices'));

CREATE TABLE areas (
    code        TEXT NOT NULL PRIMARY KEY,
    level       TEXT NOT NULL,
    name        TEXT NOT NULL,
    parent_code TEXT NOT NULL,
    geometry    TEXT NOT NULL
) STRICT;
)sql";

// v6: hazard zones (polygons as GeoJSON text) and facilities (points) imported by operators.
constexpr const char* kSchemaV6 = R"sql(
CREATE TABLE hazard_zones (
    pk         INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    hazard     TEXT    NOT NULL,
    level      TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    geometry   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT    NOT NULL
) STRICT;

CREATE TABLE facilities (
    pk             INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    kind           TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    lon            REAL    NOT NULL,
    lat            REAL    NOT NULL,
    kelurahan_code TEXT    NOT NULL,
    address        TEXT    NOT NULL,
    phone          TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    created_by     TEXT    NOT NULL
) STRICT;
CREATE INDEX facilities_kind ON facilities(kind, name);
)sql";

// v7: the audit log is hash-chained (core::audit_chain_hash). Entries written before v7 get
// their hashes when the file is migrated (SqliteStore::chain_audit_log), in seq order.
constexpr const char* kSchemaV7 = R"sql(
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';
)sql";

// v8: cards. One active card per person (a partial unique index); serials count per regency.
constexpr const char* kSchemaV8 = R"sql(
CREATE TABLE cards (
    pk             INTEGER PRIMARY KEY,
    number         TEXT    NOT NULL UNIQUE,
    regency        TEXT    NOT NULL,
    serial         INTEGER NOT NULL,
    person_id      TEXT    NOT NULL,
    kelurahan_code TEXT    NOT NULL,
    kid            TEXT    NOT NULL,
    credential     TEXT    NOT NULL,
    issued_at      INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    issued_by      TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('active', 'revoked')),
    revoked_at     INTEGER,
    revoked_by     TEXT    NOT NULL,
    revoke_reason  TEXT    NOT NULL,
    revoke_note    TEXT    NOT NULL,
    replaced_by    TEXT    NOT NULL,
    printed_at     INTEGER,
    printed_by     TEXT    NOT NULL,
    handed_over_at INTEGER,
    handed_over_by TEXT    NOT NULL,
    UNIQUE (regency, serial)
) STRICT;
CREATE UNIQUE INDEX cards_one_active ON cards(person_id) WHERE status = 'active';
CREATE INDEX cards_person ON cards(person_id, pk);
CREATE INDEX cards_kelurahan ON cards(kelurahan_code, number);
)sql";

// v9: the services the card opens (an editable catalogue) and each person's requests for them,
// with every step of a request.
constexpr const char* kSchemaV9 = R"sql(
CREATE TABLE services (
    pk          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    name_en     TEXT    NOT NULL,
    description TEXT    NOT NULL,
    active      INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT    NOT NULL
) STRICT;

CREATE TABLE service_requests (
    pk             INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    person_id      TEXT    NOT NULL,
    service_code   TEXT    NOT NULL,
    kelurahan_code TEXT    NOT NULL,
    card_number    TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    note           TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    created_by     TEXT    NOT NULL,
    updated_at     INTEGER NOT NULL,
    updated_by     TEXT    NOT NULL
) STRICT;
CREATE INDEX service_requests_person ON service_requests(person_id, pk);

CREATE TABLE service_request_events (
    request_pk INTEGER NOT NULL REFERENCES service_requests(pk),
    version    INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    note       TEXT    NOT NULL,
    PRIMARY KEY (request_pk, version)
) STRICT, WITHOUT ROWID;
)sql";

// v10: social assistance. Programmes, their cycles with the beneficiary list's state, the
// lists, and deliveries. Never twice: one delivery that is not failed per (cycle, person),
// whatever the channel (aid_deliveries_once); an officer's idempotency key is used once.
constexpr const char* kSchemaV10 = R"sql(
CREATE TABLE aid_programs (
    pk         INTEGER PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    unit_value INTEGER NOT NULL CHECK (unit_value >= 0),
    rule       TEXT    NOT NULL,
    excludes   TEXT    NOT NULL,
    assignees  TEXT    NOT NULL,
    active     INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL
) STRICT;

CREATE TABLE aid_cycles (
    pk           INTEGER PRIMARY KEY,
    id           TEXT    NOT NULL UNIQUE,
    program_code TEXT    NOT NULL REFERENCES aid_programs(code),
    number       INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    starts_on    TEXT    NOT NULL,
    ends_on      TEXT    NOT NULL,
    quotas       TEXT    NOT NULL,
    site_lon     REAL,
    site_lat     REAL,
    list_state   TEXT    NOT NULL CHECK (list_state IN ('draft', 'proposed', 'approved')),
    rule         TEXT    NOT NULL,
    list_hash    TEXT    NOT NULL,
    list_size    INTEGER NOT NULL,
    proposed_by  TEXT    NOT NULL,
    proposed_at  INTEGER,
    approved_by  TEXT    NOT NULL,
    approved_at  INTEGER,
    version      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT    NOT NULL,
    UNIQUE (program_code, number)
) STRICT;

CREATE TABLE aid_list_entries (
    cycle_id       TEXT    NOT NULL,
    person_id      TEXT    NOT NULL,
    kelurahan_code TEXT    NOT NULL,
    source         TEXT    NOT NULL CHECK (source IN ('rule', 'manual')),
    removed        INTEGER NOT NULL,
    reason         TEXT    NOT NULL,
    flags          TEXT    NOT NULL,
    added_at       INTEGER NOT NULL,
    added_by       TEXT    NOT NULL,
    PRIMARY KEY (cycle_id, person_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX aid_list_entries_kelurahan ON aid_list_entries(cycle_id, kelurahan_code);

CREATE TABLE aid_deliveries (
    pk              INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    cycle_id        TEXT    NOT NULL,
    program_code    TEXT    NOT NULL,
    person_id       TEXT    NOT NULL,
    kelurahan_code  TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('delivered', 'pending', 'failed')),
    amount          INTEGER NOT NULL CHECK (amount >= 0),
    recorded_at     INTEGER NOT NULL,
    officer         TEXT    NOT NULL,
    lon             REAL,
    lat             REAL,
    accuracy_m      REAL,
    card_number     TEXT    NOT NULL,
    search_reason   TEXT    NOT NULL,
    evidence_type   TEXT    NOT NULL,
    evidence        BLOB,
    note            TEXT    NOT NULL,
    flags           TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL
) STRICT;
CREATE UNIQUE INDEX aid_deliveries_once ON aid_deliveries(cycle_id, person_id)
    WHERE state <> 'failed';
CREATE UNIQUE INDEX aid_deliveries_idempotency ON aid_deliveries(officer, idempotency_key)
    WHERE idempotency_key <> '';
CREATE INDEX aid_deliveries_person ON aid_deliveries(person_id, pk);
CREATE INDEX aid_deliveries_cycle ON aid_deliveries(cycle_id, kelurahan_code);
)sql";

// v11: vouchers. Merchants (e-warong), each voucher's balance row (CHECK: never below zero,
// never above the entitlement), and the double-entry ledger: transactions and their postings
// (which sum to zero per transaction). An actor's idempotency key is used once.
constexpr const char* kSchemaV11 = R"sql(
CREATE TABLE merchants (
    pk             INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    kelurahan_code TEXT    NOT NULL,
    lon            REAL    NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat            REAL    NOT NULL CHECK (lat BETWEEN -90 AND 90),
    address        TEXT    NOT NULL,
    active         INTEGER NOT NULL,
    version        INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    created_by     TEXT    NOT NULL,
    updated_at     INTEGER NOT NULL,
    updated_by     TEXT    NOT NULL
) STRICT;
CREATE INDEX merchants_user ON merchants(user_id);

CREATE TABLE voucher_balances (
    cycle_id       TEXT    NOT NULL,
    person_id      TEXT    NOT NULL,
    kelurahan_code TEXT    NOT NULL,
    delivery_id    TEXT    NOT NULL,
    entitled       INTEGER NOT NULL CHECK (entitled >= 0),
    balance        INTEGER NOT NULL CHECK (balance >= 0 AND balance <= entitled),
    issued_at      INTEGER NOT NULL,
    PRIMARY KEY (cycle_id, person_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE voucher_transactions (
    pk              INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    cycle_id        TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('issue', 'redeem')),
    person_id       TEXT    NOT NULL,
    merchant_id     TEXT    NOT NULL,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    note            TEXT    NOT NULL,
    at              INTEGER NOT NULL,
    actor           TEXT    NOT NULL,
    card_number     TEXT    NOT NULL,
    search_reason   TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL
) STRICT;
CREATE UNIQUE INDEX voucher_transactions_idempotency ON voucher_transactions(actor, idempotency_key)
    WHERE idempotency_key <> '';
CREATE INDEX voucher_transactions_cycle ON voucher_transactions(cycle_id, id);
CREATE INDEX voucher_transactions_person ON voucher_transactions(person_id, id);
CREATE INDEX voucher_transactions_merchant ON voucher_transactions(merchant_id, id);

CREATE TABLE voucher_postings (
    transaction_pk INTEGER NOT NULL REFERENCES voucher_transactions(pk),
    seq            INTEGER NOT NULL,
    account        TEXT    NOT NULL,
    amount         INTEGER NOT NULL,
    PRIMARY KEY (transaction_pk, seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX voucher_postings_account ON voucher_postings(account);
)sql";

// v12: transfer batches (issue 8, channel transfer). A batch's lines are aid_deliveries rows
// with its id, so aid_deliveries_once keeps a person in at most one live batch and also keeps a
// transfer and a handover apart. A failed line carries the bank's reason; a settled one the
// bank's reference.
constexpr const char* kSchemaV12 = R"sql(
CREATE TABLE aid_batches (
    pk            INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    cycle_id      TEXT    NOT NULL,
    program_code  TEXT    NOT NULL,
    number        INTEGER NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('dibuat', 'direkonsiliasi')),
    line_count    INTEGER NOT NULL,
    total_amount  INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    created_by    TEXT    NOT NULL,
    reconciled_at INTEGER,
    UNIQUE (cycle_id, number)
) STRICT;
ALTER TABLE aid_deliveries ADD COLUMN batch_id TEXT NOT NULL DEFAULT '';
ALTER TABLE aid_deliveries ADD COLUMN fail_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE aid_deliveries ADD COLUMN bank_reference TEXT NOT NULL DEFAULT '';
CREATE INDEX aid_deliveries_batch ON aid_deliveries(batch_id, id) WHERE batch_id <> '';
)sql";

// v13: the duplicate review (issue 9). A pair of persons that may be one, stored once (the
// lower id first), with the score and explanation when it was found and the reviewer's
// decision: digabung (merged: the other record carries merged_into and is nonaktif) or berbeda
// (distinct: never proposed again, as the UNIQUE pair keeps it).
constexpr const char* kSchemaV13 = R"sql(
CREATE TABLE duplicate_pairs (
    pk              INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE,
    person_a        TEXT    NOT NULL,
    person_b        TEXT    NOT NULL,
    kelurahan_a     TEXT    NOT NULL,
    kelurahan_b     TEXT    NOT NULL,
    score           REAL    NOT NULL,
    explanation     TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('terbuka', 'digabung', 'berbeda')),
    found_at        INTEGER NOT NULL,
    found_by        TEXT    NOT NULL,
    decided_at      INTEGER,
    decided_by      TEXT    NOT NULL DEFAULT '',
    decision_reason TEXT    NOT NULL DEFAULT '',
    kept_id         TEXT    NOT NULL DEFAULT '',
    version         INTEGER NOT NULL,
    CHECK (person_a < person_b),
    UNIQUE (person_a, person_b)
) STRICT;
CREATE INDEX duplicate_pairs_b ON duplicate_pairs(person_b);
CREATE INDEX duplicate_pairs_state ON duplicate_pairs(state, id);
)sql";

// v14: the registry timeline (issue 10, flow reports; docs/reports.md). One row per version of
// a person with the figures the reports need as plain columns, written by the store in the same
// transaction as the version (not by a trigger: see persons_name_fts above). Derived data: this
// step fills it from the current rows and from the documents of the stored versions, and a
// transfer rebuilds it the same way (kRebuildStates). The categories bit mask is that of
// persons.categories (bit i = core::kAllCategories[i]).
#define KAPAL_SQL_REBUILD_STATES                                                                   \
    "INSERT OR IGNORE INTO person_states (person_pk, version, at, kelurahan_code, status, sex, "   \
    "birth_date, severity, categories) SELECT pk, version, updated_at, kelurahan_code, status, "   \
    "sex, birth_date, severity, categories FROM persons;\n"                                        \
    "INSERT OR IGNORE INTO person_states (person_pk, version, at, kelurahan_code, status, sex, "   \
    "birth_date, severity, categories) SELECT person_pk, version, recorded_at, "                   \
    "coalesce(json_extract(doc, '$.address.kelurahan_code'), ''), json_extract(doc, '$.status'), " \
    "json_extract(doc, '$.sex'), json_extract(doc, '$.birth_date'), "                              \
    "json_extract(doc, '$.severity'), (SELECT coalesce(sum(CASE c.value WHEN 'fisik' THEN 1 "      \
    "WHEN 'intelektual' THEN 2 WHEN 'mental' THEN 4 WHEN 'sensorik_netra' THEN 8 "                 \
    "WHEN 'sensorik_rungu' THEN 16 WHEN 'sensorik_wicara' THEN 32 ELSE 0 END), 0) "                \
    "FROM json_each(doc, '$.categories') c) FROM person_versions;\n"
constexpr const char* kSchemaV14 = "CREATE TABLE person_states (\n"
                                   "    person_pk      INTEGER NOT NULL,\n"
                                   "    version        INTEGER NOT NULL,\n"
                                   "    at             INTEGER NOT NULL,\n"
                                   "    kelurahan_code TEXT    NOT NULL,\n"
                                   "    status         TEXT    NOT NULL,\n"
                                   "    sex            TEXT    NOT NULL,\n"
                                   "    birth_date     TEXT,\n"
                                   "    severity       TEXT,\n"
                                   "    categories     INTEGER NOT NULL,\n"
                                   "    PRIMARY KEY (person_pk, version)\n"
                                   ") STRICT, WITHOUT ROWID;\n" KAPAL_SQL_REBUILD_STATES;
constexpr const char* kRebuildStates = "DELETE FROM person_states;\n" KAPAL_SQL_REBUILD_STATES;

// v15: a person's files (photo now; KTP, KK and doctor's letter scans later): the blob store that
// Person::photo_id and DocumentRef point into; and the indexes of the sorted person lists. Rows are
// never changed: a new photo is a new row, and past versions of the person keep pointing at theirs.
// `content` is sealed with the field key (FieldCipher), as NIK and KK are; sha256 is of the clear
// bytes.
constexpr const char* kSchemaV15 = R"sql(
CREATE TABLE person_files (
    pk         INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    person_id  TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    media_type TEXT    NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256     TEXT    NOT NULL,
    content    BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT    NOT NULL
) STRICT;
CREATE INDEX person_files_person ON person_files(person_id, kind, pk);

-- The sorted person lists (PersonQuery::sort) page through these (kelurahan: persons_kelurahan).
CREATE INDEX persons_sort_name ON persons(lower(full_name), pk);
CREATE INDEX persons_sort_birth_date ON persons(coalesce(birth_date, ''), pk);
)sql";

// v16: offline sync (issue 11; docs/sync.md). Every op a device sent, once per (actor, key): its
// answer, and while it waits for another op or is a conflict for a supervisor, the op itself
// (`payload`, sealed with the field key like NIK and KK: it may hold both, or a photo).
constexpr const char* kSchemaV16 = R"sql(
CREATE TABLE sync_ops (
    pk             INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    actor          TEXT    NOT NULL,
    op_key         TEXT    NOT NULL,
    device_id      TEXT    NOT NULL,
    seq            INTEGER NOT NULL,
    type           TEXT    NOT NULL,
    person_id      TEXT    NOT NULL,
    after_key      TEXT    NOT NULL,
    fingerprint    TEXT    NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('applied', 'merged', 'conflict', 'resolved',
                                                     'waiting', 'rejected')),
    result         TEXT    NOT NULL,
    payload        BLOB,
    kelurahan_code TEXT    NOT NULL,
    base_version   INTEGER,
    server_version INTEGER,
    fields         TEXT    NOT NULL,
    received_at    INTEGER NOT NULL,
    decided_at     INTEGER,
    decided_by     TEXT    NOT NULL,
    decision       TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    UNIQUE (actor, op_key)
) STRICT;
CREATE INDEX sync_ops_waiting ON sync_ops(actor, after_key, seq) WHERE state = 'waiting';
CREATE INDEX sync_ops_conflicts ON sync_ops(state, id) WHERE state IN ('conflict', 'resolved');
)sql";

// v17: a service request remembers the client's idempotency key, once per creator, so that a
// request whose answer was lost, sent again online or queued on a device, is opened once.
constexpr const char* kSchemaV17 = R"sql(
ALTER TABLE service_requests ADD COLUMN idempotency_key TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX service_requests_idempotency ON service_requests(created_by, idempotency_key)
    WHERE idempotency_key <> '';
)sql";

constexpr std::array kMigrations = {
    Migration{1, kSchemaV1},
    Migration{2, kSchemaV2},
    Migration{3, kSchemaV3},
    Migration{4, kSchemaV4},
    Migration{5, kSchemaV5},
    Migration{6, kSchemaV6},
    Migration{7, kSchemaV7},
    Migration{8, kSchemaV8},
    Migration{9, kSchemaV9},
    Migration{10, kSchemaV10},
    Migration{11, kSchemaV11},
    Migration{12, kSchemaV12},
    Migration{13, kSchemaV13},
    Migration{14, kSchemaV14},
    Migration{15, kSchemaV15},
    Migration{16, kSchemaV16},
    Migration{17, kSchemaV17},
};

constexpr int kSchemaVersion = static_cast<int>(kMigrations.size());

/// Page size of new files. The blind indexes (and the UUIDv7 ids of one import, which share
/// their time part) are inserted in random order, so an import batch dirties nearly every leaf
/// of those indexes; 16 KiB pages made 200,000-row imports about 25% faster than 4 KiB ones
/// (fewer pages and b-tree levels, fewer WAL frames and checkpoints).
constexpr const char* kPageSizePragma = "PRAGMA page_size=16384";

// ---------------------------------------------------------------------------------------------
// Errors

ErrorCode code_of(int rc) {
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
    case SQLITE_NOLFS:
    case SQLITE_AUTH:
    case SQLITE_PERM:
        return ErrorCode::StoreUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return ErrorCode::StoreCorrupt;
    case SQLITE_CONSTRAINT:
        return ErrorCode::AlreadyExists;
    default:
        return ErrorCode::Internal;
    }
}

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
    std::string message = "sqlite: ";
    message += what;
    message += ": ";
    message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return Error{code_of(rc), std::move(message), {}};
}

/// The result of an INSERT, with a constraint failure reported as AlreadyExists of `what`
/// (SQLite's own message names columns, which says little to a caller).
Result<void> already_exists_as(Result<void> r, std::string_view what) {
    if (!r && r.error().code == ErrorCode::AlreadyExists) {
        return fail(ErrorCode::AlreadyExists, std::string(what) + " is already used");
    }
    return r;
}

// ---------------------------------------------------------------------------------------------
// Statements and connections

/// A prepared statement in use. Cached statements are reset on destruction (and by reset());
/// uncached ones are finalized.
class Stmt {
  public:
    Stmt(sqlite3* db, sqlite3_stmt* stmt, bool owned)
        : db_(db)
        , stmt_(stmt)
        , owned_(owned) {}

    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    Stmt(Stmt&& other) noexcept
        : db_(other.db_)
        , stmt_(std::exchange(other.stmt_, nullptr))
        , owned_(other.owned_) {}

    Stmt& operator=(Stmt&&) = delete;

    ~Stmt() {
        if (stmt_ == nullptr) {
            return;
        }
        if (owned_) {
            sqlite3_finalize(stmt_);
        } else {
            reset();
        }
    }

    void reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }

    void bind(int i, std::string_view v) {
        check_bind(
            sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    }

    void bind(int i, std::int64_t v) { check_bind(sqlite3_bind_int64(stmt_, i, v)); }

    void bind(int i, double v) { check_bind(sqlite3_bind_double(stmt_, i, v)); }

    void bind(int i, std::span<const std::uint8_t> v) {
        check_bind(sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT));
    }

    void bind_null(int i) { check_bind(sqlite3_bind_null(stmt_, i)); }

    /// Binds without copying: `v` must stay alive and unchanged until the statement is reset
    /// (for bulk writes, where SQLite's copy of each value is measurable).
    void bind_static(int i, std::string_view v) {
        check_bind(sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8));
    }

    void bind_static(int i, std::span<const std::uint8_t> v) {
        check_bind(sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_STATIC));
    }

    /// True when a row is ready, false when done.
    Result<bool> step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) {
            return true;
        }
        if (rc == SQLITE_DONE) {
            return false;
        }
        return fail(sqlite_error(db_, rc, sqlite3_sql(stmt_)));
    }

    /// Runs a statement that returns no rows.
    Result<void> run() {
        auto r = step();
        if (!r) {
            return fail(std::move(r).error());
        }
        return {};
    }

    bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

    std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }

    double real(int col) const { return sqlite3_column_double(stmt_, col); }

    std::string_view text(int col) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
        const int n = sqlite3_column_bytes(stmt_, col);
        return p == nullptr ? std::string_view() : std::string_view(p, static_cast<size_t>(n));
    }

    std::span<const std::uint8_t> blob(int col) const {
        const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
        const int n = sqlite3_column_bytes(stmt_, col);
        return p == nullptr ? std::span<const std::uint8_t>()
                            : std::span<const std::uint8_t>(p, static_cast<size_t>(n));
    }

  private:
    static void check_bind(int rc) {
        // Only a wrong parameter index (a bug) or an out-of-memory can fail here.
        KAPAL_ASSERT(rc == SQLITE_OK || rc == SQLITE_NOMEM);
    }

    sqlite3* db_;
    sqlite3_stmt* stmt_;
    bool owned_;
};

/// One SQLite connection with its statement cache. Not thread-safe: the store hands each
/// connection to one thread at a time.
class Connection {
  public:
    static Result<std::unique_ptr<Connection>>
    open(const std::filesystem::path& file, bool read_only, int busy_timeout_ms) {
        sqlite3* db = nullptr;
        const int flags =
            (read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) |
            SQLITE_OPEN_NOMUTEX;
        const int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
        auto conn = std::unique_ptr<Connection>(new Connection(db));
        if (rc != SQLITE_OK) {
            return fail(sqlite_error(db, rc, "opening " + file.string()));
        }
        sqlite3_extended_result_codes(db, 1);
        sqlite3_busy_timeout(db, busy_timeout_ms);
        return conn;
    }

    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    Connection(Connection&&) = delete;
    Connection& operator=(Connection&&) = delete;

    ~Connection() {
        for (auto& entry : cache_) {
            sqlite3_finalize(entry.second);
        }
        sqlite3_close_v2(db_);
    }

    sqlite3* db() const { return db_; }

    /// A cached prepared statement for `sql`.
    Result<Stmt> prepare(std::string_view sql) {
        if (auto it = cache_.find(sql); it != cache_.end()) {
            return Stmt(db_, it->second, false);
        }
        sqlite3_stmt* stmt = nullptr;
        const int rc = sqlite3_prepare_v3(db_,
                                          sql.data(),
                                          static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT,
                                          &stmt,
                                          nullptr);
        if (rc != SQLITE_OK) {
            return fail(sqlite_error(db_, rc, "preparing " + std::string(sql)));
        }
        cache_.emplace(std::string(sql), stmt);
        return Stmt(db_, stmt, false);
    }

    /// A prepared statement that is not cached (for rare, variable SQL).
    Result<Stmt> prepare_once(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        const int rc =
            sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size() + 1), &stmt, nullptr);
        if (rc != SQLITE_OK) {
            return fail(sqlite_error(db_, rc, "preparing " + sql));
        }
        return Stmt(db_, stmt, true);
    }

    /// Runs SQL text of one or more statements without results.
    Result<void> exec(const char* sql) {
        char* err = nullptr;
        const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
        if (rc != SQLITE_OK) {
            std::string what = err != nullptr ? err : sqlite3_errstr(rc);
            sqlite3_free(err);
            return fail(code_of(rc), "sqlite: " + what);
        }
        return {};
    }

    /// Runs a cached statement without parameters or results (BEGIN, COMMIT, ...).
    Result<void> run(std::string_view sql) {
        auto stmt = prepare(sql);
        if (!stmt) {
            return fail(std::move(stmt).error());
        }
        return stmt->run();
    }

    /// The single integer a PRAGMA returns.
    Result<std::int64_t> pragma_int(const std::string& sql) {
        auto stmt = prepare_once(sql);
        if (!stmt) {
            return fail(std::move(stmt).error());
        }
        auto row = stmt->step();
        if (!row) {
            return fail(std::move(row).error());
        }
        return *row ? stmt->int64(0) : 0;
    }

  private:
    explicit Connection(sqlite3* db)
        : db_(db) {}

    // Transparent hash: lookups with a string_view do not build a std::string.
    struct SqlHash {
        using is_transparent = void; // NOLINT(readability-identifier-naming): std protocol

        std::size_t operator()(std::string_view sql) const noexcept {
            return std::hash<std::string_view>{}(sql);
        }
    };

    sqlite3* db_;
    std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> cache_;
};

/// A transaction that rolls back unless committed.
class Transaction {
  public:
    static Result<Transaction> begin(Connection& conn, bool write) {
        KAPAL_TRY(conn.run(write ? "BEGIN IMMEDIATE" : "BEGIN"));
        return Transaction(conn);
    }

    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    Transaction(Transaction&& other) noexcept
        : conn_(std::exchange(other.conn_, nullptr)) {}

    Transaction& operator=(Transaction&&) = delete;

    ~Transaction() {
        if (conn_ != nullptr) {
            // Nothing useful can be done if the rollback fails: the connection is then
            // unusable and the next statement reports it.
            sqlite3_exec(conn_->db(), "ROLLBACK", nullptr, nullptr, nullptr);
        }
    }

    Result<void> commit() {
        Connection* conn = std::exchange(conn_, nullptr);
        auto r = conn->run("COMMIT");
        if (!r) {
            sqlite3_exec(conn->db(), "ROLLBACK", nullptr, nullptr, nullptr);
        }
        return r;
    }

  private:
    explicit Transaction(Connection& conn)
        : conn_(&conn) {}

    Connection* conn_;
};

/// Read-only connections handed out one per reading thread.
class ReaderPool {
  public:
    class Lease {
      public:
        Lease(ReaderPool& pool, Connection* conn)
            : pool_(&pool)
            , conn_(conn) {}

        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Lease(Lease&&) = delete;
        Lease& operator=(Lease&&) = delete;

        ~Lease() { pool_->release(conn_); }

        Connection& operator*() const { return *conn_; }

        Connection* operator->() const { return conn_; }

      private:
        ReaderPool* pool_;
        Connection* conn_;
    };

    void add(std::unique_ptr<Connection> conn) {
        const std::lock_guard lock(mutex_);
        free_.push_back(conn.get());
        all_.push_back(std::move(conn));
    }

    Connection* acquire() {
        std::unique_lock lock(mutex_);
        available_.wait(lock, [this] { return !free_.empty(); });
        Connection* conn = free_.back();
        free_.pop_back();
        return conn;
    }

  private:
    void release(Connection* conn) {
        {
            const std::lock_guard lock(mutex_);
            free_.push_back(conn);
        }
        available_.notify_one();
    }

    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<Connection>> all_;
    std::vector<Connection*> free_;
};

// ---------------------------------------------------------------------------------------------
// Small helpers

// Propagates the error of a Result<T> expression or yields its value.
// NOLINTBEGIN(bugprone-macro-parentheses): `var` is a declared name, not an expression
#define KAPAL_SQL_ASSIGN(var, expr)                                                                \
    auto var##_result_ = (expr);                                                                   \
    if (!var##_result_) {                                                                          \
        return ::kapal::fail(std::move(var##_result_).error());                                    \
    }                                                                                              \
    auto var = std::move(*var##_result_)

// NOLINTEND(bugprone-macro-parentheses)

std::size_t utf8_length(std::string_view text) {
    std::size_t n = 0;
    for (const char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
            ++n;
        }
    }
    return n;
}

std::string fts_phrase(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    out += '"';
    return out;
}

// ---------------------------------------------------------------------------------------------
// SQL

// Column lists shared by several statements; macros so that they join as literals.
#define KAPAL_SQL_PERSON_COLUMNS                                                                   \
    "id, version, created_at, updated_at, created_by, updated_by, kecamatan_code, nik_enc, "       \
    "kk_enc, doc"
#define KAPAL_SQL_VERSION_COLUMNS                                                                  \
    "version, recorded_at, actor, source, reason, kecamatan_code, nik_enc, kk_enc, doc"

constexpr const char* kUserColumns =
    "id, username, display_name, role, area_codes, disabled, password_hash, created_at, "
    "updated_at";

void bind_user(Stmt& stmt, const UserRecord& r) {
    stmt.bind(1, r.user.id);
    stmt.bind(2, r.user.username);
    stmt.bind(3, r.user.display_name);
    stmt.bind(4, core::to_string(r.user.role));
    stmt.bind(5, join_codes(r.user.area_codes));
    stmt.bind(6, static_cast<std::int64_t>(r.user.disabled ? 1 : 0));
    stmt.bind(7, r.password_hash);
    stmt.bind(8, core::to_unix_ms(r.user.created_at));
    stmt.bind(9, core::to_unix_ms(r.user.updated_at));
}

/// Every stored area boundary, by code.
Result<std::vector<AreaRecord>> read_areas(Connection& conn) {
    KAPAL_SQL_ASSIGN(stmt,
                     conn.prepare("SELECT code, level, name, parent_code, geometry FROM areas "
                                  "ORDER BY code"));
    std::vector<AreaRecord> out;
    for (;;) {
        KAPAL_SQL_ASSIGN(row, stmt.step());
        if (!row) {
            break;
        }
        out.push_back({std::string(stmt.text(0)),
                       std::string(stmt.text(1)),
                       std::string(stmt.text(2)),
                       std::string(stmt.text(3)),
                       std::string(stmt.text(4))});
    }
    stmt.reset();
    return out;
}

Result<UserRecord> user_from_row(const Stmt& stmt) {
    UserRecord r;
    r.user.id = std::string(stmt.text(0));
    r.user.username = std::string(stmt.text(1));
    r.user.display_name = std::string(stmt.text(2));
    const auto role = core::parse_role(stmt.text(3));
    if (!role) {
        return fail(ErrorCode::StoreCorrupt, "user row with unknown role");
    }
    r.user.role = *role;
    r.user.area_codes = split_codes(stmt.text(4));
    r.user.disabled = stmt.int64(5) != 0;
    r.password_hash = std::string(stmt.text(6));
    r.user.created_at = core::from_unix_ms(stmt.int64(7));
    r.user.updated_at = core::from_unix_ms(stmt.int64(8));
    return r;
}

constexpr const char* kSelectPersonById =
    "SELECT " KAPAL_SQL_PERSON_COLUMNS " FROM persons WHERE id = ?1";
constexpr const char* kSelectPersonByNik =
    "SELECT " KAPAL_SQL_PERSON_COLUMNS " FROM persons WHERE nik_bidx = ?1";
constexpr const char* kSelectPkById =
    "SELECT pk, version, nik_bidx, full_name FROM persons WHERE id = ?1";
constexpr const char* kSelectPkByNik = "SELECT pk FROM persons WHERE nik_bidx = ?1";
constexpr const char* kImportLookup = "SELECT pk, id, version, kecamatan_code, kk_bidx, doc, "
                                      "full_name FROM persons WHERE nik_bidx = ?1";
constexpr const char* kMaxPk = "SELECT coalesce(max(pk), 0) FROM persons";
constexpr const char* kFtsInsert =
    "INSERT INTO persons_name_fts (rowid, full_name) VALUES (?1, ?2)";
constexpr const char* kFtsDelete =
    "INSERT INTO persons_name_fts (persons_name_fts, rowid, full_name) "
    "VALUES ('delete', ?1, ?2)";
constexpr const char* kFtsInsertAfter = "INSERT INTO persons_name_fts (rowid, full_name) "
                                        "SELECT pk, full_name FROM persons WHERE pk > ?1";

// The registry state (person_states, v14) of the version a write just made: of one person (?1 =
// pk), or of the persons an import batch created (pk > ?1).
#define KAPAL_SQL_STATE_OF_PERSONS                                                                 \
    "INSERT OR REPLACE INTO person_states (person_pk, version, at, kelurahan_code, status, sex, "  \
    "birth_date, severity, categories) SELECT pk, version, updated_at, kelurahan_code, status, "   \
    "sex, birth_date, severity, categories FROM persons "
constexpr const char* kInsertState = KAPAL_SQL_STATE_OF_PERSONS "WHERE pk = ?1";
constexpr const char* kInsertStatesAfter = KAPAL_SQL_STATE_OF_PERSONS "WHERE pk > ?1";
constexpr const char* kSelectStates =
    "SELECT person_pk, version, at, kelurahan_code, status, sex, birth_date, severity, categories "
    "FROM person_states WHERE at < ?1 ORDER BY person_pk, version";

// The facts of the per-area indicators (Store::scan_indicator_facts).
constexpr const char* kSelectCardSpans =
    "SELECT p.pk, c.issued_at, c.expires_at, c.revoked_at FROM cards c "
    "JOIN persons p ON p.id = c.person_id";
constexpr const char* kSelectDeliveredAid =
    "SELECT p.pk, d.recorded_at FROM aid_deliveries d JOIN persons p ON p.id = d.person_id "
    "WHERE d.state = 'delivered' AND d.recorded_at >= ?1 AND d.recorded_at < ?2";
constexpr const char* kSelectHomes =
    "SELECT pk, lon, lat FROM persons WHERE lon IS NOT NULL AND lat IS NOT NULL";

// Content columns bound by bind_content, in this order.
constexpr const char* kInsertPerson =
    "INSERT INTO persons (id, version, created_at, updated_at, created_by, updated_by, "
    "updated_source, updated_reason, nik_enc, nik_bidx, kk_enc, kk_bidx, full_name, sex, "
    "birth_date, kelurahan_code, kecamatan_code, categories, severity, status, lon, lat, doc, "
    "change_seq, devices) VALUES (?1, 1, ?2, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
    "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)";
constexpr int kInsertChangeSeq = 21;
constexpr int kInsertDevices = 22;
constexpr int kInsertContentFirst = 6;

constexpr const char* kUpdatePerson =
    "UPDATE persons SET version = ?2, updated_at = ?3, updated_by = ?4, updated_source = ?5, "
    "updated_reason = ?6, nik_enc = ?7, nik_bidx = ?8, kk_enc = ?9, kk_bidx = ?10, "
    "full_name = ?11, sex = ?12, birth_date = ?13, kelurahan_code = ?14, kecamatan_code = ?15, "
    "categories = ?16, severity = ?17, status = ?18, lon = ?19, lat = ?20, doc = ?21, "
    "change_seq = ?22, devices = ?23 WHERE pk = ?1";
constexpr int kUpdateChangeSeq = 22;
constexpr int kUpdateDevices = 23;
constexpr int kUpdateContentFirst = 7;

// Copies the current row of a person into person_versions before an update replaces it.
constexpr const char* kArchiveVersion =
    "INSERT INTO person_versions (person_pk, version, recorded_at, actor, source, reason, "
    "kecamatan_code, nik_enc, kk_enc, doc) SELECT pk, version, updated_at, updated_by, "
    "updated_source, updated_reason, kecamatan_code, nik_enc, kk_enc, doc FROM persons "
    "WHERE pk = ?1";

// Every version of a person: the stored previous ones and the current row, as rows of
// KAPAL_SQL_VERSION_COLUMNS. ?1 = pk; `old_cond` and `cur_cond` filter the two parts.
#define KAPAL_SQL_ALL_VERSIONS(old_cond, cur_cond)                                                 \
    "SELECT " KAPAL_SQL_VERSION_COLUMNS " FROM person_versions WHERE person_pk = ?1" old_cond      \
    " UNION ALL SELECT version, updated_at, updated_by, updated_source, updated_reason, "          \
    "kecamatan_code, nik_enc, kk_enc, doc FROM persons WHERE pk = ?1" cur_cond

constexpr const char* kSelectVersions = KAPAL_SQL_ALL_VERSIONS("", "") " ORDER BY 1";
constexpr const char* kSelectVersion =
    KAPAL_SQL_ALL_VERSIONS(" AND version = ?2", " AND version = ?2");
#define KAPAL_SQL_VERSIONS_UNTIL                                                                   \
    KAPAL_SQL_ALL_VERSIONS(" AND recorded_at <= ?2", " AND updated_at <= ?2")
constexpr const char* kSelectVersionAsOf =
    "SELECT * FROM (" KAPAL_SQL_VERSIONS_UNTIL ") ORDER BY 1 DESC LIMIT 1";
constexpr const char* kSelectCreation = "SELECT created_at, created_by FROM persons WHERE pk = ?1";

constexpr const char* kSelectIdempotency =
    "SELECT fingerprint, person_id FROM idempotency_keys WHERE key = ?1";
constexpr const char* kInsertIdempotency =
    "INSERT INTO idempotency_keys (key, fingerprint, person_id, created_at) "
    "VALUES (?1, ?2, ?3, ?4)";

// The seq the next audit entry gets: audit_log.seq is the rowid, which SQLite assigns as the
// largest plus one. Read by the writer inside its transaction.
constexpr const char* kNextSeq = "SELECT coalesce(max(seq), 0) + 1 FROM audit_log";

// The change feed after (?1, ?2), ordered by (change_seq, pk); the index on change_seq holds
// the rowid, so this is one index range.
constexpr const char* kSelectChanges =
    "SELECT change_seq, pk, id, version, kelurahan_code, categories, severity, status, lon, lat, "
    "devices, full_name, birth_date, sex FROM persons WHERE change_seq > ?1 OR (change_seq = ?1 "
    "AND pk > ?2) "
    "ORDER BY change_seq, pk LIMIT ?3";

constexpr const char* kInsertAudit =
    "INSERT INTO audit_log (seq, at, actor, source, action, subject, detail, hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
// The last entry: its seq and hash, which the next entry chains to.
constexpr const char* kLastAudit = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";

#define KAPAL_SQL_REQUEST_COLUMNS                                                                  \
    "pk, id, person_id, service_code, kelurahan_code, card_number, status, note, version, "        \
    "created_at, created_by, updated_at, updated_by, idempotency_key"

#define KAPAL_SQL_CARD_COLUMNS                                                                     \
    "number, person_id, kelurahan_code, kid, credential, issued_at, expires_at, issued_by, "       \
    "status, revoked_at, revoked_by, revoke_reason, revoke_note, replaced_by, printed_at, "        \
    "printed_by, handed_over_at, handed_over_by"

/// A card of a row of KAPAL_SQL_CARD_COLUMNS.
CardRecord card_from_row(const Stmt& stmt) {
    const auto optional_time = [&](int col) {
        return stmt.is_null(col) ? std::optional<core::Timestamp>()
                                 : std::optional(core::from_unix_ms(stmt.int64(col)));
    };
    CardRecord c;
    c.number = stmt.text(0);
    c.person_id = stmt.text(1);
    c.kelurahan_code = stmt.text(2);
    c.kid = stmt.text(3);
    c.credential = stmt.text(4);
    c.issued_at = core::from_unix_ms(stmt.int64(5));
    c.expires_at = core::from_unix_ms(stmt.int64(6));
    c.issued_by = stmt.text(7);
    c.status = stmt.text(8);
    c.revoked_at = optional_time(9);
    c.revoked_by = stmt.text(10);
    c.revoke_reason = stmt.text(11);
    c.revoke_note = stmt.text(12);
    c.replaced_by = stmt.text(13);
    c.printed_at = optional_time(14);
    c.printed_by = stmt.text(15);
    c.handed_over_at = optional_time(16);
    c.handed_over_by = stmt.text(17);
    return c;
}

#define KAPAL_SQL_AID_PROGRAM_COLUMNS                                                              \
    "code, name, source, kind, channel, unit_value, rule, excludes, assignees, active, version, "  \
    "created_at, created_by, updated_at, updated_by"

/// A programme of a row of KAPAL_SQL_AID_PROGRAM_COLUMNS.
AidProgramRecord aid_program_from_row(const Stmt& stmt) {
    AidProgramRecord p;
    p.code = stmt.text(0);
    p.name = stmt.text(1);
    p.source = stmt.text(2);
    p.kind = stmt.text(3);
    p.channel = stmt.text(4);
    p.unit_value = stmt.int64(5);
    p.rule = stmt.text(6);
    p.excludes = split_codes(stmt.text(7));
    p.assignees = split_codes(stmt.text(8));
    p.active = stmt.int64(9) != 0;
    p.version = stmt.int64(10);
    p.created_at = core::from_unix_ms(stmt.int64(11));
    p.created_by = stmt.text(12);
    p.updated_at = core::from_unix_ms(stmt.int64(13));
    p.updated_by = stmt.text(14);
    return p;
}

#define KAPAL_SQL_AID_CYCLE_COLUMNS                                                                \
    "id, program_code, number, name, starts_on, ends_on, quotas, site_lon, site_lat, list_state, " \
    "rule, list_hash, list_size, proposed_by, proposed_at, approved_by, approved_at, version, "    \
    "created_at, created_by"

std::optional<double> opt_real(const Stmt& stmt, int col) {
    return stmt.is_null(col) ? std::nullopt : std::optional(stmt.real(col));
}

void bind_opt_real(Stmt& stmt, int i, const std::optional<double>& v) {
    if (v) {
        stmt.bind(i, *v);
    } else {
        stmt.bind_null(i);
    }
}

/// A cycle of a row of KAPAL_SQL_AID_CYCLE_COLUMNS.
AidCycleRecord aid_cycle_from_row(const Stmt& stmt) {
    AidCycleRecord c;
    c.id = stmt.text(0);
    c.program_code = stmt.text(1);
    c.number = stmt.int64(2);
    c.name = stmt.text(3);
    c.starts_on = core::parse_date(stmt.text(4)).value_or(core::Date{});
    c.ends_on = core::parse_date(stmt.text(5)).value_or(core::Date{});
    c.quotas = decode_quotas(stmt.text(6));
    c.site_lon = opt_real(stmt, 7);
    c.site_lat = opt_real(stmt, 8);
    c.list_state = stmt.text(9);
    c.rule = stmt.text(10);
    c.list_hash = stmt.text(11);
    c.list_size = stmt.int64(12);
    c.proposed_by = stmt.text(13);
    c.proposed_at =
        stmt.is_null(14) ? std::nullopt : std::optional(core::from_unix_ms(stmt.int64(14)));
    c.approved_by = stmt.text(15);
    c.approved_at =
        stmt.is_null(16) ? std::nullopt : std::optional(core::from_unix_ms(stmt.int64(16)));
    c.version = stmt.int64(17);
    c.created_at = core::from_unix_ms(stmt.int64(18));
    c.created_by = stmt.text(19);
    return c;
}

#define KAPAL_SQL_AID_ENTRY_COLUMNS                                                                \
    "person_id, kelurahan_code, source, removed, reason, flags, added_at, added_by"

/// A list entry of a row of KAPAL_SQL_AID_ENTRY_COLUMNS.
AidListEntry aid_entry_from_row(const Stmt& stmt) {
    AidListEntry e;
    e.person_id = stmt.text(0);
    e.kelurahan_code = stmt.text(1);
    e.source = stmt.text(2);
    e.removed = stmt.int64(3) != 0;
    e.reason = stmt.text(4);
    e.flags = split_codes(stmt.text(5));
    e.added_at = core::from_unix_ms(stmt.int64(6));
    e.added_by = stmt.text(7);
    return e;
}

// Evidence last: lists select every column but it.
#define KAPAL_SQL_AID_DELIVERY_COLUMNS                                                             \
    "id, cycle_id, program_code, person_id, kelurahan_code, channel, state, amount, recorded_at, " \
    "officer, lon, lat, accuracy_m, card_number, search_reason, evidence_type, note, flags, "      \
    "idempotency_key, batch_id, fail_reason, bank_reference"

/// A merchant's columns, in merchant_from_row's order.
#define KAPAL_SQL_MERCHANT_COLUMNS                                                                 \
    "id, name, user_id, kelurahan_code, lon, lat, address, active, version, created_at, "          \
    "created_by, updated_at, updated_by"

/// A voucher transaction's columns, as insert_voucher_transaction binds them.
#define KAPAL_SQL_VOUCHER_COLUMNS                                                                  \
    "id, cycle_id, kind, person_id, merchant_id, amount, note, at, actor, card_number, "           \
    "search_reason, idempotency_key"

/// A delivery of a row of KAPAL_SQL_AID_DELIVERY_COLUMNS (and the evidence when
/// `with_evidence`, in column 22).
AidDeliveryRecord aid_delivery_from_row(const Stmt& stmt, bool with_evidence) {
    AidDeliveryRecord d;
    d.id = stmt.text(0);
    d.cycle_id = stmt.text(1);
    d.program_code = stmt.text(2);
    d.person_id = stmt.text(3);
    d.kelurahan_code = stmt.text(4);
    d.channel = stmt.text(5);
    d.state = stmt.text(6);
    d.amount = stmt.int64(7);
    d.recorded_at = core::from_unix_ms(stmt.int64(8));
    d.officer = stmt.text(9);
    d.lon = opt_real(stmt, 10);
    d.lat = opt_real(stmt, 11);
    d.accuracy_m = opt_real(stmt, 12);
    d.card_number = stmt.text(13);
    d.search_reason = stmt.text(14);
    d.evidence_type = stmt.text(15);
    d.note = stmt.text(16);
    d.flags = split_codes(stmt.text(17));
    d.idempotency_key = stmt.text(18);
    d.batch_id = stmt.text(19);
    d.fail_reason = stmt.text(20);
    d.bank_reference = stmt.text(21);
    if (with_evidence) {
        const auto bytes = stmt.blob(22);
        d.evidence.assign(bytes.begin(), bytes.end());
    }
    return d;
}

/// " AND (kelurahan_code = ? OR kelurahan_code under ?) ..." for an area scope, with its values:
/// the code itself, or anything under "code." (the range "code." .. "code/").
/// `column` names the kelurahan code (qualified in a join).
void area_clause(const std::vector<std::string>& area_codes,
                 std::string& sql,
                 std::vector<std::string>& texts,
                 const std::string& column = "kelurahan_code") {
    if (area_codes.empty()) {
        return;
    }
    sql += " AND (";
    for (std::size_t i = 0; i < area_codes.size(); ++i) {
        const std::string& code = area_codes[i];
        sql += i == 0 ? "" : " OR ";
        sql += column + " = ? OR (" + column + " >= ? AND " + column + " < ?)";
        texts.push_back(code);
        texts.push_back(code + ".");
        texts.push_back(code + "/");
    }
    sql += ")";
}

constexpr const char* kChainAudit =
    "SELECT seq, at, actor, source, action, subject, detail FROM audit_log ORDER BY seq";
constexpr const char* kSetAuditHash = "UPDATE audit_log SET hash = ?2 WHERE seq = ?1";

#define KAPAL_SQL_SESSION_COLUMNS                                                                  \
    "id, token_hash, user_id, created_at, last_seen_at, expires_at, revoked_at, address, "         \
    "user_agent"
constexpr const char* kInsertSession = "INSERT INTO sessions (" KAPAL_SQL_SESSION_COLUMNS ") "
                                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kSelectSessionByHash =
    "SELECT " KAPAL_SQL_SESSION_COLUMNS " FROM sessions WHERE token_hash = ?1";
constexpr const char* kSelectLiveSessions =
    "SELECT " KAPAL_SQL_SESSION_COLUMNS " FROM sessions WHERE user_id = ?1 AND "
    "revoked_at IS NULL AND expires_at > ?2 ORDER BY created_at DESC, pk DESC";

#define KAPAL_SQL_TOKEN_COLUMNS                                                                    \
    "id, name, token_hash, user_id, role, area_codes, created_at, expires_at, revoked_at"
constexpr const char* kInsertToken = "INSERT INTO api_tokens (" KAPAL_SQL_TOKEN_COLUMNS ") "
                                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kSelectTokenByHash =
    "SELECT " KAPAL_SQL_TOKEN_COLUMNS " FROM api_tokens WHERE token_hash = ?1";
constexpr const char* kSelectUserTokens =
    "SELECT " KAPAL_SQL_TOKEN_COLUMNS " FROM api_tokens WHERE user_id = ?1 "
    "ORDER BY created_at DESC, pk DESC";
constexpr const char* kSelectAllTokens =
    "SELECT " KAPAL_SQL_TOKEN_COLUMNS " FROM api_tokens ORDER BY created_at DESC, pk DESC";

#define KAPAL_SQL_SYNC_COLUMNS                                                                     \
    "id, actor, op_key, device_id, seq, type, person_id, after_key, fingerprint, state, result, "  \
    "payload, kelurahan_code, base_version, server_version, fields, received_at, decided_at, "     \
    "decided_by, decision, version"

#define KAPAL_SQL_PAIR_COLUMNS                                                                     \
    "id, person_a, person_b, kelurahan_a, kelurahan_b, score, explanation, source, state, "        \
    "found_at, found_by, decided_at, decided_by, decision_reason, kept_id, version"

void bind_opt_time(Stmt& stmt, int i, const std::optional<core::Timestamp>& t) {
    if (t) {
        stmt.bind(i, core::to_unix_ms(*t));
    } else {
        stmt.bind_null(i);
    }
}

std::optional<core::Timestamp> opt_time(const Stmt& stmt, int col) {
    if (stmt.is_null(col)) {
        return std::nullopt;
    }
    return core::from_unix_ms(stmt.int64(col));
}

void bind_session(Stmt& stmt, const SessionRecord& s) {
    stmt.bind(1, s.id);
    stmt.bind(2, s.token_hash);
    stmt.bind(3, s.user_id);
    stmt.bind(4, core::to_unix_ms(s.created_at));
    stmt.bind(5, core::to_unix_ms(s.last_seen_at));
    stmt.bind(6, core::to_unix_ms(s.expires_at));
    bind_opt_time(stmt, 7, s.revoked_at);
    stmt.bind(8, s.address);
    stmt.bind(9, s.user_agent);
}

/// A row of KAPAL_SQL_SESSION_COLUMNS.
SessionRecord session_from_row(const Stmt& stmt) {
    SessionRecord s;
    s.id = stmt.text(0);
    s.token_hash = stmt.text(1);
    s.user_id = stmt.text(2);
    s.created_at = core::from_unix_ms(stmt.int64(3));
    s.last_seen_at = core::from_unix_ms(stmt.int64(4));
    s.expires_at = core::from_unix_ms(stmt.int64(5));
    s.revoked_at = opt_time(stmt, 6);
    s.address = stmt.text(7);
    s.user_agent = stmt.text(8);
    return s;
}

void bind_token(Stmt& stmt, const ApiTokenRecord& t) {
    stmt.bind(1, t.id);
    stmt.bind(2, t.name);
    stmt.bind(3, t.token_hash);
    stmt.bind(4, t.user_id);
    stmt.bind(5, core::to_string(t.role));
    stmt.bind(6, join_codes(t.area_codes));
    stmt.bind(7, core::to_unix_ms(t.created_at));
    stmt.bind(8, core::to_unix_ms(t.expires_at));
    bind_opt_time(stmt, 9, t.revoked_at);
}

/// A row of KAPAL_SQL_TOKEN_COLUMNS.
Result<ApiTokenRecord> token_from_row(const Stmt& stmt) {
    ApiTokenRecord t;
    t.id = stmt.text(0);
    t.name = stmt.text(1);
    t.token_hash = stmt.text(2);
    t.user_id = stmt.text(3);
    const auto role = core::parse_role(stmt.text(4));
    if (!role) {
        return fail(ErrorCode::StoreCorrupt, "API token row with unknown role");
    }
    t.role = *role;
    t.area_codes = split_codes(stmt.text(5));
    t.created_at = core::from_unix_ms(stmt.int64(6));
    t.expires_at = core::from_unix_ms(stmt.int64(7));
    t.revoked_at = opt_time(stmt, 8);
    return t;
}

// ---- audit details: counts, roles, areas and free-text reasons; never a NIK, KK, password,
// hash or token.

/// " reason=<reason>" when there is one.
std::string reason_suffix(const WriteContext& ctx) {
    return ctx.reason.empty() ? std::string() : " reason=" + ctx.reason;
}

std::string comma_codes(const std::vector<std::string>& codes) {
    std::string out;
    for (const auto& c : codes) {
        out += (out.empty() ? "" : ",") + c;
    }
    return out;
}

std::string user_detail(const UserRecord& r, const WriteContext& ctx) {
    return "role=" + std::string(core::to_string(r.user.role)) +
           " areas=" + comma_codes(r.user.area_codes) +
           " disabled=" + (r.user.disabled ? "true" : "false") + reason_suffix(ctx);
}

std::string token_detail(const ApiTokenRecord& t, const WriteContext& ctx) {
    return "user=" + t.user_id + " role=" + std::string(core::to_string(t.role)) +
           " areas=" + comma_codes(t.area_codes) + " name=" + t.name + reason_suffix(ctx);
}

std::string import_detail(const std::vector<ImportResult>& results, const WriteContext& ctx) {
    std::array<std::int64_t, 4> counts{}; // by ImportAction
    for (const auto& r : results) {
        ++counts[static_cast<std::size_t>(r.action)];
    }
    const auto count = [&](ImportAction a) {
        return std::to_string(counts[static_cast<std::size_t>(a)]);
    };
    return "created=" + count(ImportAction::Created) + " updated=" + count(ImportAction::Updated) +
           " unchanged=" + count(ImportAction::Unchanged) +
           " changed=" + count(ImportAction::Changed) + " reason=" + ctx.reason;
}

// ---------------------------------------------------------------------------------------------
// The store

/// Encrypted and derived values of one person, computed once per write, before the writer's
/// lock is taken.
struct Sealed {
    std::string doc;
    std::vector<std::uint8_t> nik_enc;
    BlindIndex nik_bidx{};
    std::vector<std::uint8_t> kk_enc; ///< empty when the KK is unknown
    std::optional<BlindIndex> kk_bidx;
    std::string birth_date; ///< the birth_date column: "YYYY-MM-DD", empty when unknown
};

/// One row of a prepared import: the person without NIK and KK (they are in `sealed` only).
struct PreparedRow {
    core::Person person;
    std::string kecamatan_code;
    bool update_if_changed = false;
    Sealed sealed;
};

class SqlitePreparedImport final : public PreparedImport {
  public:
    SqlitePreparedImport(const void* store, std::vector<PreparedRow> rows)
        : store_(store)
        , rows_(std::move(rows)) {}

    std::size_t size() const override { return rows_.size(); }

    const void* store() const { return store_; }

    const std::vector<PreparedRow>& rows() const { return rows_; }

  private:
    const void* store_; ///< the store whose keys sealed it
    std::vector<PreparedRow> rows_;
};

// ---------------------------------------------------------------------------------------------
// The batch of an import as a table. One INSERT ... SELECT from it writes the whole batch: SQLite
// opens the b-tree cursors of the table and its indexes once instead of once per row, and runs
// no statement per row: the writer's CPU time in a 1,000,000-row import fell by about 12 %
// against one INSERT per row. It is an eponymous virtual table on the writer connection,
// read-only, that shows the rows of `ImportBatchView` while import_prepared writes them.

/// The rows kapal_import_batch shows; set by the writer around its INSERT ... SELECT.
struct ImportBatchView {
    const std::vector<PreparedRow>* rows = nullptr;
    const std::vector<core::PersonId>* ids = nullptr;
};

constexpr const char* kImportBatchModule = "kapal_import_batch";

// Column numbers of kapal_import_batch, in the order of its declaration.
enum ImportBatchColumn : int {
    kColId,
    kColNikEnc,
    kColNikBidx,
    kColKkEnc,
    kColKkBidx,
    kColFullName,
    kColSex,
    kColBirthDate,
    kColKelurahan,
    kColKecamatan,
    kColCategories,
    kColSeverity,
    kColStatus,
    kColLon,
    kColLat,
    kColDoc,
    kColDevices,
};

constexpr const char* kImportBatchDeclaration =
    "CREATE TABLE x(id, nik_enc, nik_bidx, kk_enc, kk_bidx, full_name, sex, birth_date, "
    "kelurahan_code, kecamatan_code, categories, severity, status, lon, lat, doc, devices)";

struct ImportBatchTable {
    sqlite3_vtab base{}; // first member: SQLite casts between the two
    const ImportBatchView* view = nullptr;
};

struct ImportBatchCursor {
    sqlite3_vtab_cursor base{}; // first member
    std::size_t row = 0;
};

int import_batch_connect(sqlite3* db,
                         void* aux,
                         int /*argc*/,
                         const char* const* /*argv*/,
                         sqlite3_vtab** out,
                         char** /*error*/) {
    const int rc = sqlite3_declare_vtab(db, kImportBatchDeclaration);
    if (rc != SQLITE_OK) {
        return rc;
    }
    auto* table = new (std::nothrow) ImportBatchTable();
    if (table == nullptr) {
        return SQLITE_NOMEM;
    }
    table->view = static_cast<const ImportBatchView*>(aux);
    *out = &table->base;
    return SQLITE_OK;
}

int import_batch_disconnect(sqlite3_vtab* table) {
    delete reinterpret_cast<ImportBatchTable*>(table);
    return SQLITE_OK;
}

int import_batch_best_index(sqlite3_vtab* /*table*/, sqlite3_index_info* info) {
    info->estimatedCost = 1e6; // a full scan, the only plan
    info->estimatedRows = 25000;
    return SQLITE_OK;
}

int import_batch_open(sqlite3_vtab* /*table*/, sqlite3_vtab_cursor** out) {
    auto* cursor = new (std::nothrow) ImportBatchCursor();
    if (cursor == nullptr) {
        return SQLITE_NOMEM;
    }
    *out = &cursor->base;
    return SQLITE_OK;
}

int import_batch_close(sqlite3_vtab_cursor* cursor) {
    delete reinterpret_cast<ImportBatchCursor*>(cursor);
    return SQLITE_OK;
}

int import_batch_filter(sqlite3_vtab_cursor* cursor,
                        int /*index_number*/,
                        const char* /*index_text*/,
                        int /*argc*/,
                        sqlite3_value** /*argv*/) {
    reinterpret_cast<ImportBatchCursor*>(cursor)->row = 0;
    return SQLITE_OK;
}

int import_batch_next(sqlite3_vtab_cursor* cursor) {
    ++reinterpret_cast<ImportBatchCursor*>(cursor)->row;
    return SQLITE_OK;
}

const ImportBatchView& view_of(sqlite3_vtab_cursor* cursor) {
    return *reinterpret_cast<ImportBatchTable*>(cursor->pVtab)->view;
}

int import_batch_eof(sqlite3_vtab_cursor* cursor) {
    const auto& view = view_of(cursor);
    const auto row = reinterpret_cast<ImportBatchCursor*>(cursor)->row;
    return view.rows == nullptr || row >= view.rows->size() ? 1 : 0;
}

int import_batch_rowid(sqlite3_vtab_cursor* cursor, sqlite3_int64* rowid) {
    *rowid = static_cast<sqlite3_int64>(reinterpret_cast<ImportBatchCursor*>(cursor)->row) + 1;
    return SQLITE_OK;
}

// Values are returned without a copy (SQLITE_STATIC): the batch outlives the statement.
void result_text(sqlite3_context* ctx, std::string_view v) {
    sqlite3_result_text64(ctx, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
}

void result_blob(sqlite3_context* ctx, std::span<const std::uint8_t> v) {
    sqlite3_result_blob64(ctx, v.data(), v.size(), SQLITE_STATIC);
}

int import_batch_column(sqlite3_vtab_cursor* cursor, sqlite3_context* ctx, int column) {
    const auto& view = view_of(cursor);
    const auto i = reinterpret_cast<ImportBatchCursor*>(cursor)->row;
    const PreparedRow& r = (*view.rows)[i];
    const core::Person& p = r.person;
    const Sealed& s = r.sealed;
    switch (column) {
    case kColId:
        result_text(ctx, (*view.ids)[i].str());
        break;
    case kColNikEnc:
        result_blob(ctx, s.nik_enc);
        break;
    case kColNikBidx:
        result_blob(ctx, s.nik_bidx);
        break;
    case kColKkEnc:
    case kColKkBidx:
        if (!s.kk_bidx) {
            sqlite3_result_null(ctx);
        } else if (column == kColKkEnc) {
            result_blob(ctx, s.kk_enc);
        } else {
            result_blob(ctx, *s.kk_bidx);
        }
        break;
    case kColFullName:
        result_text(ctx, p.full_name);
        break;
    case kColSex:
        result_text(ctx, core::to_string(p.sex));
        break;
    case kColBirthDate:
        if (s.birth_date.empty()) {
            sqlite3_result_null(ctx);
        } else {
            result_text(ctx, s.birth_date);
        }
        break;
    case kColKelurahan:
        result_text(ctx, p.address.kelurahan_code);
        break;
    case kColKecamatan:
        result_text(ctx, r.kecamatan_code);
        break;
    case kColCategories:
        sqlite3_result_int64(ctx, category_mask(p.categories));
        break;
    case kColSeverity:
        if (p.severity) {
            result_text(ctx, core::to_string(*p.severity));
        } else {
            sqlite3_result_null(ctx);
        }
        break;
    case kColStatus:
        result_text(ctx, core::to_string(p.status));
        break;
    case kColLon:
    case kColLat:
        if (p.home) {
            sqlite3_result_double(ctx, column == kColLon ? p.home->lon : p.home->lat);
        } else {
            sqlite3_result_null(ctx);
        }
        break;
    case kColDoc:
        result_text(ctx, s.doc);
        break;
    case kColDevices:
        sqlite3_result_int64(ctx, device_mask(p.assistive_devices));
        break;
    default:
        sqlite3_result_null(ctx);
        break;
    }
    return SQLITE_OK;
}

const sqlite3_module& import_batch_module() {
    static const sqlite3_module module = [] {
        sqlite3_module m{};
        m.iVersion = 1;
        m.xCreate = nullptr; // eponymous only: usable by its name, never CREATEd
        m.xConnect = import_batch_connect;
        m.xBestIndex = import_batch_best_index;
        m.xDisconnect = import_batch_disconnect;
        m.xDestroy = import_batch_disconnect;
        m.xOpen = import_batch_open;
        m.xClose = import_batch_close;
        m.xFilter = import_batch_filter;
        m.xNext = import_batch_next;
        m.xEof = import_batch_eof;
        m.xColumn = import_batch_column;
        m.xRowid = import_batch_rowid;
        return m;
    }();
    return module;
}

// Inserts the rows of kapal_import_batch whose NIK is not stored yet, in the batch's order;
// ?1 = time, ?2 = actor, ?3 = source, ?4 = reason. ("WHERE true" tells the parser that ON
// CONFLICT belongs to the INSERT, not to a join.)
constexpr const char* kInsertBatch =
    "INSERT INTO persons (id, version, created_at, updated_at, created_by, updated_by, "
    "updated_source, updated_reason, nik_enc, nik_bidx, kk_enc, kk_bidx, full_name, sex, "
    "birth_date, kelurahan_code, kecamatan_code, categories, severity, status, lon, lat, doc, "
    "change_seq, devices) SELECT id, 1, ?1, ?1, ?2, ?2, ?3, ?4, nik_enc, nik_bidx, kk_enc, "
    "kk_bidx, full_name, sex, birth_date, kelurahan_code, kecamatan_code, categories, severity, "
    "status, lon, lat, doc, ?5, devices FROM kapal_import_batch WHERE true ON CONFLICT (nik_bidx) "
    "DO NOTHING";

constexpr const char* kSelectIdExists = "SELECT 1 FROM persons WHERE id = ?1";

/// SQLite has no notifications across processes: followers poll, and this only sleeps.
class SleepingWaiter final : public ChangeWaiter {
  public:
    bool wait(int timeout_ms) override {
        std::this_thread::sleep_for(std::chrono::milliseconds(std::max(timeout_ms, 0)));
        return false;
    }
};

class SqliteStore final : public Store {
  public:
    SqliteStore(std::filesystem::path file, const StoreKeys& keys, const core::Clock* clock)
        : file_(std::move(file))
        , cipher_(keys)
        , clock_(clock != nullptr ? clock : &system_clock_) {}

    Result<void> open(const SqliteOptions& options) {
        KAPAL_SQL_ASSIGN(writer, Connection::open(file_, false, options.busy_timeout_ms));
        writer_ = std::move(writer);
        if (const int rc = sqlite3_create_module_v2(
                writer_->db(), kImportBatchModule, &import_batch_module(), &import_view_, nullptr);
            rc != SQLITE_OK) {
            return fail(sqlite_error(writer_->db(), rc, "registering the import batch table"));
        }
        KAPAL_SQL_ASSIGN(found, writer_->pragma_int("PRAGMA user_version"));
        if (found > kSchemaVersion) {
            std::array<char, 160> message{};
            std::snprintf(message.data(),
                          message.size(),
                          "database schema version %lld is newer than this program's %d",
                          static_cast<long long>(found),
                          kSchemaVersion);
            return fail(ErrorCode::StoreNewerThanProgram, message.data());
        }
        if (found == 0) {
            // A new file: the page size can only be chosen before the first table exists.
            KAPAL_TRY(writer_->exec(kPageSizePragma));
        }
        KAPAL_TRY(enable_wal());
        KAPAL_TRY(writer_->exec(options.synchronous_full ? "PRAGMA synchronous=FULL"
                                                         : "PRAGMA synchronous=NORMAL"));
        KAPAL_TRY(writer_->exec("PRAGMA foreign_keys=ON"));
        KAPAL_TRY(writer_->exec("PRAGMA temp_store=MEMORY"));
        // The blind index is random: inserts touch pages all over its b-tree, so a cache far
        // larger than SQLite's 2 MB default keeps bulk imports from thrashing.
        const std::string cache = "PRAGMA cache_size=-" + std::to_string(options.cache_mib * 1024);
        KAPAL_TRY(writer_->exec(cache.c_str()));
        KAPAL_TRY(migrate(static_cast<int>(found)));
        for (int i = 0; i < options.reader_connections; ++i) {
            KAPAL_SQL_ASSIGN(reader, Connection::open(file_, true, options.busy_timeout_ms));
            readers_.add(std::move(reader));
        }
        return {};
    }

    std::string_view backend() const override { return "sqlite"; }

    Result<int> ping() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(v, conn->pragma_int("PRAGMA user_version"));
        return static_cast<int>(v);
    }

    StoreInfo info() override {
        StoreInfo out;
        out.backend = "sqlite";
        out.location = file_.string();
        ReaderPool::Lease conn(readers_, readers_.acquire());
        if (auto v = conn->pragma_int("PRAGMA user_version")) {
            out.schema_version = static_cast<int>(*v);
        }
        if (auto n = conn->pragma_int("SELECT count(*) FROM persons")) {
            out.persons = *n;
        }
        if (auto n = conn->pragma_int("SELECT count(*) FROM users")) {
            out.users = *n;
        }
        return out;
    }

    Result<void> create_user(const UserRecord& r, const WriteContext& ctx) override {
        return write_user(r, ctx, true);
    }

    Result<void> update_user(const UserRecord& r, const WriteContext& ctx) override {
        return write_user(r, ctx, false);
    }

    Result<std::optional<UserRecord>> find_user(const std::string& username) override {
        return find_user_where("username", username);
    }

    Result<std::optional<UserRecord>> get_user(const std::string& id) override {
        return find_user_where("id", id);
    }

    Result<std::vector<UserRecord>> list_users() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(
            stmt,
            conn->prepare(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY username"));
        std::vector<UserRecord> out;
        while (true) {
            KAPAL_SQL_ASSIGN(more, stmt.step());
            if (!more) {
                break;
            }
            auto record = user_from_row(stmt);
            if (!record) {
                stmt.reset();
                return fail(std::move(record).error());
            }
            out.push_back(std::move(*record));
        }
        stmt.reset();
        return out;
    }

    Result<int> sync_areas(const std::vector<AreaRecord>& areas, const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(stored, read_areas(w));
        KAPAL_SQL_ASSIGN(diff, diff_areas(stored, areas));
        if (diff.changes() == 0) {
            KAPAL_TRY(tx.commit());
            return 0;
        }
        for (const std::string& code : diff.deletes) {
            KAPAL_SQL_ASSIGN(del, w.prepare("DELETE FROM areas WHERE code = ?1"));
            del.bind(1, code);
            KAPAL_TRY(del.run());
        }
        for (const AreaRecord& a : diff.upserts) {
            KAPAL_SQL_ASSIGN(
                put,
                w.prepare("INSERT INTO areas (code, level, name, parent_code, geometry) "
                          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (code) DO UPDATE SET "
                          "level = ?2, name = ?3, parent_code = ?4, geometry = ?5"));
            put.bind(1, a.code);
            put.bind(2, a.level);
            put.bind(3, a.name);
            put.bind(4, a.parent_code);
            put.bind(5, a.geometry);
            KAPAL_TRY(put.run());
        }
        KAPAL_TRY(audit(w, at, ctx, "areas.sync", "areas", area_sync_detail(diff)));
        KAPAL_TRY(tx.commit());
        return diff.changes();
    }

    Result<std::vector<AreaRecord>> list_areas() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        return read_areas(*conn);
    }

    Result<void> add_hazard_zones(const std::vector<HazardZoneRecord>& zones,
                                  const WriteContext& ctx) override {
        for (std::size_t i = 0; i < zones.size(); ++i) {
            KAPAL_TRY(check_hazard_zone(zones[i], i));
        }
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        for (const HazardZoneRecord& z : zones) {
            KAPAL_SQL_ASSIGN(insert,
                             w.prepare("INSERT INTO hazard_zones (id, name, hazard, level, "
                                       "source, geometry, created_at, created_by) VALUES (?1, "
                                       "?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
            insert.bind(1, z.id);
            insert.bind(2, z.name);
            insert.bind(3, z.hazard);
            insert.bind(4, z.level);
            insert.bind(5, z.source);
            insert.bind(6, z.geometry);
            insert.bind(7, core::to_unix_ms(at));
            insert.bind(8, ctx.actor);
            KAPAL_TRY(already_exists_as(insert.run(), "hazard zone id " + z.id));
        }
        KAPAL_TRY(audit(w, at, ctx, "hazard.import", "hazard_zones", import_detail(zones)));
        return tx.commit();
    }

    Result<std::vector<HazardZoneRecord>> list_hazard_zones() override {
        return read_hazard_zones("ORDER BY name, id", {});
    }

    Result<std::optional<HazardZoneRecord>> get_hazard_zone(const std::string& id) override {
        KAPAL_SQL_ASSIGN(found, read_hazard_zones("WHERE id = ?1", id));
        if (found.empty()) {
            return std::optional<HazardZoneRecord>();
        }
        return std::optional<HazardZoneRecord>(std::move(found.front()));
    }

    Result<void> add_facilities(const std::vector<FacilityRecord>& facilities,
                                const WriteContext& ctx) override {
        for (std::size_t i = 0; i < facilities.size(); ++i) {
            KAPAL_TRY(check_facility(facilities[i], i));
        }
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        for (const FacilityRecord& f : facilities) {
            KAPAL_SQL_ASSIGN(insert,
                             w.prepare("INSERT INTO facilities (id, kind, name, lon, lat, "
                                       "kelurahan_code, address, phone, source, created_at, "
                                       "created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                                       "?10, ?11)"));
            insert.bind(1, f.id);
            insert.bind(2, f.kind);
            insert.bind(3, f.name);
            insert.bind(4, f.lon);
            insert.bind(5, f.lat);
            insert.bind(6, f.kelurahan_code);
            insert.bind(7, f.address);
            insert.bind(8, f.phone);
            insert.bind(9, f.source);
            insert.bind(10, core::to_unix_ms(at));
            insert.bind(11, ctx.actor);
            KAPAL_TRY(already_exists_as(insert.run(), "facility id " + f.id));
        }
        KAPAL_TRY(audit(w, at, ctx, "facility.import", "facilities", import_detail(facilities)));
        return tx.commit();
    }

    Result<std::vector<FacilityRecord>> list_facilities() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt,
                         conn->prepare("SELECT id, kind, name, lon, lat, kelurahan_code, "
                                       "address, phone, source, created_at, created_by FROM "
                                       "facilities ORDER BY kind, name, id"));
        std::vector<FacilityRecord> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            FacilityRecord f;
            f.id = stmt.text(0);
            f.kind = stmt.text(1);
            f.name = stmt.text(2);
            f.lon = stmt.real(3);
            f.lat = stmt.real(4);
            f.kelurahan_code = stmt.text(5);
            f.address = stmt.text(6);
            f.phone = stmt.text(7);
            f.source = stmt.text(8);
            f.created_at = core::from_unix_ms(stmt.int64(9));
            f.created_by = stmt.text(10);
            out.push_back(std::move(f));
        }
        stmt.reset();
        return out;
    }

    Result<CreateOutcome> create_person(const core::PersonId& id,
                                        const core::Person& person,
                                        const std::string& kecamatan_code,
                                        const WriteContext& ctx,
                                        const std::optional<IdempotencyToken>& idem) override {
        const core::Timestamp at = write_time(ctx);
        Sealed sealed = seal(person);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        if (idem) {
            KAPAL_SQL_ASSIGN(find, w.prepare(kSelectIdempotency));
            find.bind(1, idem->key);
            KAPAL_SQL_ASSIGN(seen, find.step());
            if (seen) {
                if (find.text(0) != idem->fingerprint) {
                    return fail(ErrorCode::IdempotencyKeyReused,
                                "idempotency key was used for a different request");
                }
                const core::PersonId first(std::string(find.text(1)));
                KAPAL_SQL_ASSIGN(pk, pk_of(w, first));
                KAPAL_SQL_ASSIGN(record, load_version(w, pk, first, 1));
                return CreateOutcome{std::move(record), true};
            }
        }
        KAPAL_SQL_ASSIGN(dup, nik_taken(w, sealed.nik_bidx));
        if (dup) {
            return fail(ErrorCode::DuplicateNik, "a person with this NIK is already registered");
        }
        KAPAL_SQL_ASSIGN(seq, next_seq(w));
        KAPAL_TRY(insert_person(w, id, person, kecamatan_code, sealed, at, ctx, seq));
        KAPAL_TRY(audit(w, at, ctx, "person.create", id.str(), ctx.reason));
        if (idem) {
            KAPAL_SQL_ASSIGN(ins, w.prepare(kInsertIdempotency));
            ins.bind(1, idem->key);
            ins.bind(2, idem->fingerprint);
            ins.bind(3, id.str());
            ins.bind(4, core::to_unix_ms(clock_->now()));
            KAPAL_TRY(ins.run());
        }
        KAPAL_TRY(tx.commit());
        core::PersonRecord record;
        record.id = id;
        record.version = 1;
        record.created_at = at;
        record.updated_at = at;
        record.created_by = ctx.actor;
        record.updated_by = ctx.actor;
        record.kecamatan_code = kecamatan_code;
        record.person = person;
        return CreateOutcome{std::move(record), false};
    }

    Result<core::PersonRecord> update_person(const core::PersonId& id,
                                             std::int64_t expected_version,
                                             const core::Person& person,
                                             const std::string& kecamatan_code,
                                             const WriteContext& ctx) override {
        return write_update(id, expected_version, person, kecamatan_code, nullptr, ctx);
    }

    Result<core::PersonRecord> update_person_with_file(const core::PersonId& id,
                                                       std::int64_t expected_version,
                                                       const core::Person& person,
                                                       const std::string& kecamatan_code,
                                                       const PersonFileRecord& file,
                                                       const WriteContext& ctx) override {
        KAPAL_ASSERT(file.person_id == id.str());
        KAPAL_TRY(check_person_file(file));
        return write_update(id, expected_version, person, kecamatan_code, &file, ctx);
    }

    Result<std::optional<PersonFileRecord>> get_person_file(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(
            stmt,
            conn->prepare("SELECT id, person_id, kind, media_type, size_bytes, sha256, "
                          "content, created_at, created_by FROM person_files WHERE "
                          "id = ?1"));
        stmt.bind(1, id);
        KAPAL_SQL_ASSIGN(found, stmt.step());
        if (!found) {
            return std::optional<PersonFileRecord>();
        }
        PersonFileRecord f;
        f.id = stmt.text(0);
        f.person_id = stmt.text(1);
        f.kind = stmt.text(2);
        f.media_type = stmt.text(3);
        f.size_bytes = stmt.int64(4);
        f.sha256 = stmt.text(5);
        KAPAL_SQL_ASSIGN(bytes, open_file_bytes(cipher_, stmt.blob(6), f.sha256));
        f.bytes = std::move(bytes);
        f.created_at = core::from_unix_ms(stmt.int64(7));
        f.created_by = stmt.text(8);
        stmt.reset();
        return std::optional<PersonFileRecord>(std::move(f));
    }

    /// update_person, with `file` (when not null) written in the same transaction.
    Result<core::PersonRecord> write_update(const core::PersonId& id,
                                            std::int64_t expected_version,
                                            const core::Person& person,
                                            const std::string& kecamatan_code,
                                            const PersonFileRecord* file,
                                            const WriteContext& ctx) {
        const core::Timestamp at = write_time(ctx);
        const Sealed sealed = seal(person);
        const std::vector<std::uint8_t> sealed_file =
            file != nullptr ? seal_file_bytes(cipher_, file->bytes) : std::vector<std::uint8_t>();
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(record,
                         update_person_in(w,
                                          id,
                                          expected_version,
                                          person,
                                          kecamatan_code,
                                          sealed,
                                          at,
                                          ctx,
                                          file,
                                          sealed_file));
        KAPAL_TRY(tx.commit());
        return record;
    }

    /// write_update's work inside the caller's write transaction (`sealed_file`: the file's
    /// bytes sealed, when there is a file).
    Result<core::PersonRecord> update_person_in(Connection& w,
                                                const core::PersonId& id,
                                                std::int64_t expected_version,
                                                const core::Person& person,
                                                const std::string& kecamatan_code,
                                                const Sealed& sealed,
                                                core::Timestamp at,
                                                const WriteContext& ctx,
                                                const PersonFileRecord* file = nullptr,
                                                const std::vector<std::uint8_t>& sealed_file = {}) {
        KAPAL_SQL_ASSIGN(find, w.prepare(kSelectPkById));
        find.bind(1, id.str());
        KAPAL_SQL_ASSIGN(found, find.step());
        if (!found) {
            return fail(ErrorCode::NotFound, "no person with id " + id.str());
        }
        const std::int64_t pk = find.int64(0);
        const std::int64_t version = find.int64(1);
        const auto old_bidx = find.blob(2);
        const std::string old_name(find.text(3));
        const bool nik_changed = !std::equal(
            old_bidx.begin(), old_bidx.end(), sealed.nik_bidx.begin(), sealed.nik_bidx.end());
        find.reset();
        if (version != expected_version) {
            std::array<char, 120> message{};
            std::snprintf(message.data(),
                          message.size(),
                          "person is at version %lld, not %lld",
                          static_cast<long long>(version),
                          static_cast<long long>(expected_version));
            return fail(ErrorCode::VersionConflict, message.data());
        }
        if (nik_changed) {
            KAPAL_SQL_ASSIGN(dup, nik_taken(w, sealed.nik_bidx));
            if (dup) {
                return fail(ErrorCode::DuplicateNik,
                            "another person with this NIK is already registered");
            }
        }
        KAPAL_SQL_ASSIGN(seq, next_seq(w));
        if (file != nullptr) {
            KAPAL_SQL_ASSIGN(insert,
                             w.prepare("INSERT INTO person_files (id, person_id, kind, media_type, "
                                       "size_bytes, sha256, content, created_at, created_by) "
                                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
            insert.bind(1, file->id);
            insert.bind(2, file->person_id);
            insert.bind(3, file->kind);
            insert.bind(4, file->media_type);
            insert.bind(5, file->size_bytes);
            insert.bind(6, file->sha256);
            insert.bind(7, std::span<const std::uint8_t>(sealed_file));
            insert.bind(8, core::to_unix_ms(at));
            insert.bind(9, ctx.actor);
            KAPAL_TRY(already_exists_as(insert.run(), "file id " + file->id));
        }
        KAPAL_TRY(
            update_row(w, pk, version + 1, person, old_name, kecamatan_code, sealed, at, ctx, seq));
        KAPAL_TRY(audit(w, at, ctx, "person.update", id.str(), ctx.reason));
        if (file != nullptr) {
            KAPAL_TRY(audit(w, at, ctx, "person.file.add", id.str(), person_file_detail(*file)));
        }
        if (person.status != core::Status::Aktif) {
            // A card ends with its holder's registration, in the same transaction.
            KAPAL_SQL_ASSIGN(active, active_card_of(w, id.str()));
            if (active) {
                const std::string reason(core::to_string(person.status));
                KAPAL_TRY(set_revoked(w, *active, reason, "status", "", at, ctx));
                KAPAL_TRY(audit(w,
                                at,
                                ctx,
                                "card.revoke",
                                id.str(),
                                "number=" + *active + " reason=" + reason));
            }
        }
        KAPAL_SQL_ASSIGN(creation, creation_of(w, pk));
        core::PersonRecord record;
        record.id = id;
        record.version = version + 1;
        record.created_at = creation.first;
        record.created_by = std::move(creation.second);
        record.updated_at = at;
        record.updated_by = ctx.actor;
        record.kecamatan_code = kecamatan_code;
        record.person = person;
        return record;
    }

    Result<core::PersonRecord> get_person(const core::PersonId& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt, conn->prepare(kSelectPersonById));
        stmt.bind(1, id.str());
        KAPAL_SQL_ASSIGN(found, stmt.step());
        if (!found) {
            return fail(ErrorCode::NotFound, "no person with id " + id.str());
        }
        return record_from_row(stmt);
    }

    Result<std::optional<core::PersonRecord>> find_person_by_nik(const std::string& nik) override {
        const BlindIndex bidx = cipher_.blind_index(kNikDomain, nik);
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt, conn->prepare(kSelectPersonByNik));
        stmt.bind(1, bidx);
        KAPAL_SQL_ASSIGN(found, stmt.step());
        if (!found) {
            return std::optional<core::PersonRecord>();
        }
        KAPAL_SQL_ASSIGN(record, record_from_row(stmt));
        return std::optional<core::PersonRecord>(std::move(record));
    }

    /// The SQL key of a list order ("" = by pk) and whether it runs backwards. Byte order
    /// (BINARY), names with ASCII case folded, as PostgreSQL's COLLATE "C".
    static std::pair<std::string, bool> sort_key(PersonSort sort) {
        switch (sort) {
        case PersonSort::Registered:
            break;
        case PersonSort::Name:
            return {"lower(full_name)", false};
        case PersonSort::NameDesc:
            return {"lower(full_name)", true};
        case PersonSort::BirthDate:
            return {"coalesce(birth_date, '')", false};
        case PersonSort::BirthDateDesc:
            return {"coalesce(birth_date, '')", true};
        case PersonSort::Kelurahan:
            return {"kelurahan_code", false};
        case PersonSort::KelurahanDesc:
            return {"kelurahan_code", true};
        }
        return {"", false};
    }

    Result<Page<core::PersonRecord>> list_persons(const PersonQuery& query) override {
        if (query.limit < 1 || query.limit > 1000) {
            return fail(ErrorCode::InvalidArgument, "limit must be between 1 and 1000");
        }
        std::optional<std::string> after_id;
        if (!query.cursor.empty()) {
            after_id = decode_cursor(query.cursor);
            if (!after_id) {
                return fail(ErrorCode::BadCursor, "cursor is malformed");
            }
        }
        // Values to bind, in the order their '?' appear.
        std::vector<std::string> texts;
        std::string sql = "SELECT " KAPAL_SQL_PERSON_COLUMNS " FROM persons WHERE 1";
        if (query.kelurahan_code) {
            sql += " AND kelurahan_code = ?";
            texts.push_back(*query.kelurahan_code);
        }
        if (query.kecamatan_code) {
            sql += " AND kecamatan_code = ?";
            texts.push_back(*query.kecamatan_code);
        }
        if (query.status) {
            sql += " AND status = ?";
            texts.emplace_back(core::to_string(*query.status));
        }
        if (!query.name_contains.empty()) {
            if (utf8_length(query.name_contains) >= 3) {
                sql += " AND pk IN (SELECT rowid FROM persons_name_fts WHERE persons_name_fts "
                       "MATCH ?)";
                texts.push_back(fts_phrase(query.name_contains));
            } else {
                sql += " AND full_name LIKE ? ESCAPE '\\'";
                texts.push_back(like_pattern(query.name_contains));
            }
        }
        area_clause(query.scope_area_codes, sql, texts);
        if (query.category) {
            sql += " AND (categories & ?) != 0";
        }
        const auto [key, descending] = sort_key(query.sort);
        if (after_id && key.empty()) {
            sql += " AND pk > ?";
        } else if (after_id) {
            // After the cursor's person in (key, pk) order, its key as it is now. The first
            // condition is the index's range (SQLite seeks on it, not on the row value).
            const char* op = descending ? "<" : ">";
            sql += " AND " + key + " " + op + "= (SELECT " + key + " FROM persons WHERE pk = ?)";
            sql += " AND (" + key + ", pk) " + op + " (SELECT " + key +
                   ", pk FROM persons WHERE pk = ?)";
        }
        if (key.empty()) {
            sql += " ORDER BY pk LIMIT ?";
        } else {
            const char* dir = descending ? " DESC" : "";
            sql += " ORDER BY " + key + dir + ", pk" + dir + " LIMIT ?";
        }

        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        std::int64_t after_pk = 0;
        if (after_id) {
            auto pk = pk_of(*conn, core::PersonId(*after_id));
            if (!pk) {
                return fail(ErrorCode::BadCursor, "cursor does not name a person");
            }
            after_pk = *pk;
        }
        // Queries with many scope codes are rare and varied: do not let them fill the cache.
        KAPAL_SQL_ASSIGN(stmt,
                         query.scope_area_codes.size() <= 4 ? conn->prepare(sql)
                                                            : conn->prepare_once(sql));
        int index = 1;
        for (const auto& t : texts) {
            stmt.bind(index++, t);
        }
        if (query.category) {
            stmt.bind(index++, std::int64_t{1} << static_cast<int>(*query.category));
        }
        if (after_id) {
            stmt.bind(index++, after_pk);
            if (!key.empty()) {
                stmt.bind(index++, after_pk);
            }
        }
        stmt.bind(index, std::int64_t{query.limit} + 1);

        Page<core::PersonRecord> page;
        page.items.reserve(static_cast<std::size_t>(query.limit));
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            if (page.items.size() == static_cast<std::size_t>(query.limit)) {
                page.next_cursor = encode_cursor(page.items.back().id);
                break;
            }
            KAPAL_SQL_ASSIGN(record, record_from_row(stmt));
            page.items.push_back(std::move(record));
        }
        stmt.reset();
        KAPAL_TRY(tx.commit());
        return page;
    }

    Result<PersonStatGroups> person_stat_groups(const PersonStatsQuery& query) override {
        KAPAL_TRY(check_age_bounds(query.age_bounds));
        const std::string today = core::format_date(query.today);
        // Whole years on `today` from the "YYYY-MM-DD" text; -1 without a birth date or for one
        // after today. Then the group: the first bound above the age.
        std::string sql =
            "SELECT kecamatan_code, sex, categories, coalesce(severity, ''), CASE WHEN age < 0 "
            "THEN -1";
        for (std::size_t i = 0; i < query.age_bounds.size(); ++i) {
            sql +=
                " WHEN age < " + std::to_string(query.age_bounds[i]) + " THEN " + std::to_string(i);
        }
        sql += " ELSE " + std::to_string(query.age_bounds.size()) +
               " END AS age_group, count(*) FROM (SELECT kecamatan_code, sex, categories, "
               "severity, CASE WHEN birth_date IS NULL OR birth_date = '' OR birth_date > ?1 THEN "
               "-1 ELSE CAST(substr(?1, 1, 4) AS INTEGER) - CAST(substr(birth_date, 1, 4) AS "
               "INTEGER) - (substr(?1, 6, 5) < substr(birth_date, 6, 5)) END AS age FROM persons "
               "WHERE 1 = 1";
        std::vector<std::string> texts{today};
        if (query.status) {
            sql += " AND status = ?";
            texts.emplace_back(core::to_string(*query.status));
        }
        area_clause(query.scope_area_codes, sql, texts);
        sql += ") GROUP BY 1, 2, 3, 4, 5";

        std::string months_sql = "SELECT kecamatan_code, strftime('%Y-%m', (created_at + "
                                 "28800000) / 1000, 'unixepoch'), count(*) FROM persons WHERE "
                                 "created_at >= ?";
        std::vector<std::string> month_texts;
        area_clause(query.scope_area_codes, months_sql, month_texts);
        months_sql += " GROUP BY 1, 2";

        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false)); // both counts of one snapshot
        PersonStatGroups out;
        {
            KAPAL_SQL_ASSIGN(stmt, conn->prepare_once(sql));
            // ?1 is today (numbered); the rest follow in order.
            for (std::size_t i = 0; i < texts.size(); ++i) {
                stmt.bind(static_cast<int>(i) + 1, texts[i]);
            }
            for (;;) {
                KAPAL_SQL_ASSIGN(row, stmt.step());
                if (!row) {
                    break;
                }
                PersonProfileGroup g;
                g.kecamatan_code = stmt.text(0);
                g.sex = stmt.text(1);
                g.categories = stmt.int64(2);
                g.severity = stmt.text(3);
                g.age_group = static_cast<int>(stmt.int64(4));
                g.count = stmt.int64(5);
                out.profiles.push_back(std::move(g));
            }
        }
        {
            KAPAL_SQL_ASSIGN(stmt, conn->prepare_once(months_sql));
            stmt.bind(1, query.new_since_ms);
            for (std::size_t i = 0; i < month_texts.size(); ++i) {
                stmt.bind(static_cast<int>(i) + 2, month_texts[i]);
            }
            for (;;) {
                KAPAL_SQL_ASSIGN(row, stmt.step());
                if (!row) {
                    break;
                }
                out.new_registrations.push_back(MonthCount{
                    std::string(stmt.text(0)), std::string(stmt.text(1)), stmt.int64(2)});
            }
        }
        return out;
    }

    Result<std::vector<PersonVersion>> person_history(const core::PersonId& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        KAPAL_SQL_ASSIGN(pk, pk_of(*conn, id));
        KAPAL_SQL_ASSIGN(stmt, conn->prepare(kSelectVersions));
        stmt.bind(1, pk);
        std::vector<PersonVersion> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            PersonVersion v;
            if (!out.empty()) {
                v.record.created_at = out.front().record.created_at;
                v.record.created_by = out.front().record.created_by;
            }
            KAPAL_TRY(version_from_row(stmt, id, v));
            if (out.empty()) {
                v.record.created_at = v.record.updated_at;
                v.record.created_by = v.record.updated_by;
            }
            out.push_back(std::move(v));
        }
        stmt.reset();
        KAPAL_TRY(tx.commit());
        return out;
    }

    Result<core::PersonRecord> person_as_of(const core::PersonId& id, core::Timestamp at) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        KAPAL_SQL_ASSIGN(pk, pk_of(*conn, id));
        KAPAL_SQL_ASSIGN(creation, creation_of(*conn, pk));
        KAPAL_SQL_ASSIGN(stmt, conn->prepare(kSelectVersionAsOf));
        stmt.bind(1, pk);
        stmt.bind(2, core::to_unix_ms(at));
        KAPAL_SQL_ASSIGN(found, stmt.step());
        if (!found) {
            return fail(ErrorCode::NotFound,
                        "person " + id.str() + " did not exist at " + core::format_timestamp(at));
        }
        PersonVersion v;
        v.record.created_at = creation.first;
        v.record.created_by = std::move(creation.second);
        KAPAL_TRY(version_from_row(stmt, id, v));
        stmt.reset();
        KAPAL_TRY(tx.commit());
        return std::move(v.record);
    }

    Result<void>
    scan_registry_states(core::Timestamp before,
                         const std::function<Result<void>(const RegistryState&)>& visit) override {
        // One read transaction: a snapshot, streamed in the table's own (person_pk, version)
        // order, so no sort and no page bookkeeping.
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        KAPAL_SQL_ASSIGN(stmt, conn->prepare(kSelectStates));
        stmt.bind(1, core::to_unix_ms(before));
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            StateColumns c;
            c.person = stmt.int64(0);
            c.version = stmt.int64(1);
            c.at_ms = stmt.int64(2);
            c.kelurahan_code = stmt.text(3);
            c.status = stmt.text(4);
            c.sex = stmt.text(5);
            c.birth_date = stmt.text(6);
            c.severity = stmt.text(7);
            c.categories = stmt.int64(8);
            KAPAL_SQL_ASSIGN(state, registry_state_of(c));
            auto visited = visit(state);
            if (!visited) {
                stmt.reset();
                return fail(std::move(visited).error());
            }
        }
        stmt.reset();
        return tx.commit();
    }

    Result<void> scan_indicator_facts(core::Timestamp aid_from,
                                      core::Timestamp aid_before,
                                      const IndicatorFactVisitors& visit) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        {
            KAPAL_SQL_ASSIGN(stmt, conn->prepare(kSelectCardSpans));
            for (;;) {
                KAPAL_SQL_ASSIGN(row, stmt.step());
                if (!row) {
                    break;
                }
                visit.card(CardSpan{stmt.int64(0),
                                    core::from_unix_ms(stmt.int64(1)),
                                    core::from_unix_ms(stmt.int64(2)),
                                    opt_time(stmt, 3)});
            }
            stmt.reset();
        }
        {
            KAPAL_SQL_ASSIGN(stmt, conn->prepare(kSelectDeliveredAid));
            stmt.bind(1, core::to_unix_ms(aid_from));
            stmt.bind(2, core::to_unix_ms(aid_before));
            for (;;) {
                KAPAL_SQL_ASSIGN(row, stmt.step());
                if (!row) {
                    break;
                }
                visit.aid(DeliveredAid{stmt.int64(0), core::from_unix_ms(stmt.int64(1))});
            }
            stmt.reset();
        }
        {
            KAPAL_SQL_ASSIGN(stmt, conn->prepare(kSelectHomes));
            for (;;) {
                KAPAL_SQL_ASSIGN(row, stmt.step());
                if (!row) {
                    break;
                }
                visit.home(PersonHome{stmt.int64(0), stmt.real(1), stmt.real(2)});
            }
            stmt.reset();
        }
        return tx.commit();
    }

    std::unique_ptr<PreparedImport> prepare_import(std::vector<ImportItem> items) const override {
        std::vector<PreparedRow> rows;
        rows.reserve(items.size());
        NonceSource nonces;
        for (auto& item : items) {
            PreparedRow row;
            row.sealed = seal(item.person, nonces);
            row.person = std::move(item.person);
            row.person.nik.clear();
            row.person.kk.clear();
            row.kecamatan_code = std::move(item.kecamatan_code);
            row.update_if_changed = item.update_if_changed;
            rows.push_back(std::move(row));
        }
        return std::make_unique<SqlitePreparedImport>(this, std::move(rows));
    }

    Result<std::vector<ImportResult>> import_prepared(const PreparedImport& batch,
                                                      const std::vector<core::PersonId>& new_ids,
                                                      const WriteContext& ctx) override {
        const auto* prepared = dynamic_cast<const SqlitePreparedImport*>(&batch);
        if (prepared == nullptr || prepared->store() != this) {
            return fail(ErrorCode::InvalidArgument, "import batch was prepared by another store");
        }
        const auto& rows = prepared->rows();
        if (rows.size() != new_ids.size()) {
            return fail(ErrorCode::InvalidArgument, "import needs one new id per item");
        }
        const core::Timestamp at = write_time(ctx);
        std::vector<ImportResult> results;
        results.reserve(rows.size());
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(max_pk, w.pragma_int(kMaxPk));
        KAPAL_SQL_ASSIGN(seq, next_seq(w));
        KAPAL_SQL_ASSIGN(inserted, insert_batch(w, rows, new_ids, at, ctx, seq));
        KAPAL_SQL_ASSIGN(id_exists, w.prepare(kSelectIdExists));
        for (std::size_t i = 0; i < rows.size(); ++i) {
            // Every row was new, or none was, or the row's id tells.
            bool created = inserted == rows.size();
            if (inserted > 0 && !created) {
                id_exists.reset();
                id_exists.bind_static(1, new_ids[i].str());
                KAPAL_SQL_ASSIGN(found, id_exists.step());
                created = found;
            }
            if (created) {
                results.push_back(ImportResult{ImportAction::Created, new_ids[i]});
                continue;
            }
            KAPAL_SQL_ASSIGN(existing, import_existing(w, rows[i], at, ctx, seq));
            results.push_back(std::move(existing));
        }
        id_exists.reset();
        {
            // Name index of the rows this batch created, in one statement (see the schema).
            KAPAL_SQL_ASSIGN(index, w.prepare(kFtsInsertAfter));
            index.bind(1, max_pk);
            KAPAL_TRY(index.run());
            KAPAL_SQL_ASSIGN(states, w.prepare(kInsertStatesAfter));
            states.bind(1, max_pk);
            KAPAL_TRY(states.run());
        }
        // One entry for the whole batch: counts only, no per-row statement and no row content.
        KAPAL_TRY(audit(w, at, ctx, "person.import", "", import_detail(results, ctx)));
        KAPAL_TRY(tx.commit());
        return results;
    }

    Result<ChangePage> person_changes(const ChangeCursor& after, int limit) override {
        if (limit < 1 || limit > 100000) {
            return fail(ErrorCode::InvalidArgument, "change page limit must be 1..100000");
        }
        ChangePage page;
        page.next = after;
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt, conn->prepare(kSelectChanges));
        stmt.bind(1, after.seq);
        stmt.bind(2, after.key);
        stmt.bind(3, std::int64_t{limit});
        for (;;) {
            KAPAL_SQL_ASSIGN(more, stmt.step());
            if (!more) {
                break;
            }
            SummaryColumns row;
            row.id = stmt.text(2);
            row.version = stmt.int64(3);
            row.kelurahan_code = stmt.text(4);
            row.categories = stmt.int64(5);
            row.devices = stmt.int64(10);
            row.severity = stmt.text(6);
            row.status = stmt.text(7);
            if (!stmt.is_null(8) && !stmt.is_null(9)) {
                row.lon = stmt.real(8);
                row.lat = stmt.real(9);
            }
            row.full_name = stmt.text(11);
            row.birth_date = stmt.is_null(12) ? std::string_view() : stmt.text(12);
            row.sex = stmt.text(13);
            auto summary = summary_of(row);
            if (!summary) {
                stmt.reset();
                return fail(std::move(summary).error());
            }
            page.items.push_back(std::move(*summary));
            page.next = ChangeCursor{stmt.int64(0), stmt.int64(1)};
        }
        stmt.reset();
        return page;
    }

    std::unique_ptr<ChangeWaiter> change_waiter() override {
        return std::make_unique<SleepingWaiter>();
    }

    // ---- cards ---------------------------------------------------------------------------------

    Result<CardRecord> issue_card(const CardIssue& issue, const WriteContext& ctx) override {
        KAPAL_TRY(check_card_issue(issue));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        {
            KAPAL_SQL_ASSIGN(person, w.prepare("SELECT status FROM persons WHERE id = ?1"));
            person.bind(1, issue.person_id.str());
            KAPAL_SQL_ASSIGN(found, person.step());
            if (!found) {
                return fail(ErrorCode::NotFound, "no person with id " + issue.person_id.str());
            }
            if (person.text(0) != core::to_string(core::Status::Aktif)) {
                return fail(ErrorCode::CardPersonInactive,
                            "person " + issue.person_id.str() + " has status " +
                                std::string(person.text(0)));
            }
        }
        KAPAL_SQL_ASSIGN(active, active_card_of(w, issue.person_id.str()));
        if (active && issue.replace_reason.empty()) {
            return fail(ErrorCode::CardAlreadyActive,
                        "person " + issue.person_id.str() + " holds card " + *active);
        }
        std::int64_t serial = 1;
        {
            KAPAL_SQL_ASSIGN(last,
                             w.prepare("SELECT coalesce(max(serial), 0) FROM cards WHERE "
                                       "regency = ?1"));
            last.bind(1, issue.regency);
            KAPAL_SQL_ASSIGN(row, last.step());
            serial = (row ? last.int64(0) : 0) + 1;
        }
        if (serial > 9'999'999) {
            return fail(ErrorCode::InvalidArgument, "no card serials left in " + issue.regency);
        }
        KAPAL_SQL_ASSIGN(content, issue.make(static_cast<std::uint32_t>(serial)));
        KAPAL_TRY(check_card_content(issue, content));
        std::string detail = "number=" + content.number;
        if (active) {
            KAPAL_TRY(set_revoked(w, *active, issue.replace_reason, "", content.number, at, ctx));
            detail += " replaces=" + *active + " reason=" + issue.replace_reason;
        }
        KAPAL_SQL_ASSIGN(insert,
                         w.prepare("INSERT INTO cards (number, regency, serial, person_id, "
                                   "kelurahan_code, kid, credential, issued_at, expires_at, "
                                   "issued_by, status, revoked_by, revoke_reason, revoke_note, "
                                   "replaced_by, printed_by, handed_over_by) VALUES (?1, ?2, ?3, "
                                   "?4, ?5, ?6, ?7, ?8, ?9, ?10, 'active', '', '', '', '', '', "
                                   "'')"));
        insert.bind(1, content.number);
        insert.bind(2, issue.regency);
        insert.bind(3, serial);
        insert.bind(4, issue.person_id.str());
        insert.bind(5, issue.kelurahan_code);
        insert.bind(6, content.kid);
        insert.bind(7, content.credential);
        insert.bind(8, core::to_unix_ms(at));
        insert.bind(9, core::to_unix_ms(issue.expires_at));
        insert.bind(10, ctx.actor);
        KAPAL_TRY(already_exists_as(insert.run(), "card number " + content.number));
        KAPAL_TRY(
            audit(w, at, ctx, "card.issue", issue.person_id.str(), detail + reason_suffix(ctx)));
        KAPAL_SQL_ASSIGN(card, card_where(w, "number = ?1", content.number));
        KAPAL_TRY(tx.commit());
        return std::move(*card);
    }

    Result<CardRecord> revoke_card(const std::string& number,
                                   const std::string& reason,
                                   const std::string& note,
                                   const WriteContext& ctx) override {
        if (!is_card_revoke_reason(reason)) {
            return fail(ErrorCode::CardReasonInvalid, "unknown reason \"" + reason + "\"");
        }
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(card, card_where(w, "number = ?1", number));
        if (!card) {
            return fail(ErrorCode::NotFound, "no card " + number);
        }
        if (card->status != "active") {
            return fail(ErrorCode::CardAlreadyRevoked, "card " + number + " is already revoked");
        }
        KAPAL_TRY(set_revoked(w, number, reason, note, "", at, ctx));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "card.revoke",
                        card->person_id,
                        "number=" + number + " reason=" + reason + reason_suffix(ctx)));
        KAPAL_SQL_ASSIGN(revoked, card_where(w, "number = ?1", number));
        KAPAL_TRY(tx.commit());
        return std::move(*revoked);
    }

    Result<int> mark_cards(const std::vector<std::string>& numbers,
                           CardStage stage,
                           const WriteContext& ctx) override {
        if (stage == CardStage::ToPrint) {
            return fail(ErrorCode::InvalidArgument, "a card cannot be marked back to print");
        }
        const core::Timestamp at = write_time(ctx);
        const std::int64_t at_ms = core::to_unix_ms(at);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        int changed = 0;
        for (const std::string& number : numbers) {
            KAPAL_SQL_ASSIGN(card, card_where(w, "number = ?1", number));
            if (!card) {
                return fail(ErrorCode::NotFound, "no card " + number);
            }
            if (card->status != "active") {
                return fail(ErrorCode::CardAlreadyRevoked, "card " + number + " is revoked");
            }
            const bool print = !card->printed_at;
            const bool hand = stage == CardStage::HandedOver && !card->handed_over_at;
            if (!print && !hand) {
                continue;
            }
            KAPAL_SQL_ASSIGN(update,
                             w.prepare("UPDATE cards SET printed_at = coalesce(printed_at, ?2), "
                                       "printed_by = CASE WHEN printed_at IS NULL THEN ?3 ELSE "
                                       "printed_by END, handed_over_at = CASE WHEN ?4 THEN "
                                       "coalesce(handed_over_at, ?2) ELSE handed_over_at END, "
                                       "handed_over_by = CASE WHEN ?4 AND handed_over_at IS NULL "
                                       "THEN ?3 ELSE handed_over_by END WHERE number = ?1"));
            update.bind(1, number);
            update.bind(2, at_ms);
            update.bind(3, ctx.actor);
            update.bind(4, std::int64_t{hand ? 1 : 0});
            KAPAL_TRY(update.run());
            ++changed;
        }
        if (changed > 0) {
            KAPAL_TRY(audit(w,
                            at,
                            ctx,
                            stage == CardStage::HandedOver ? "card.handed_over" : "card.printed",
                            "cards",
                            card_mark_detail(stage, numbers) + reason_suffix(ctx)));
        }
        KAPAL_TRY(tx.commit());
        return changed;
    }

    Result<std::optional<CardRecord>> get_card(const std::string& number) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        return card_where(*conn, "number = ?1", number);
    }

    Result<std::vector<CardRecord>> person_cards(const core::PersonId& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt,
                         conn->prepare("SELECT " KAPAL_SQL_CARD_COLUMNS
                                       " FROM cards WHERE person_id = ?1 ORDER BY pk DESC"));
        stmt.bind(1, id.str());
        std::vector<CardRecord> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            out.push_back(card_from_row(stmt));
        }
        stmt.reset();
        return out;
    }

    Result<std::vector<CardRecord>> list_cards(const CardQuery& query) override {
        if (query.limit < 1 || query.limit > 100'000) {
            return fail(ErrorCode::InvalidArgument, "limit must be between 1 and 100000");
        }
        std::vector<std::string> texts;
        std::string sql = "SELECT " KAPAL_SQL_CARD_COLUMNS " FROM cards WHERE 1";
        if (!query.status.empty()) {
            sql += " AND status = ?";
            texts.push_back(query.status);
        }
        if (query.stage) {
            switch (*query.stage) {
            case CardStage::ToPrint:
                sql += " AND status = 'active' AND printed_at IS NULL";
                break;
            case CardStage::ToHandOver:
                sql += " AND status = 'active' AND printed_at IS NOT NULL AND handed_over_at IS "
                       "NULL";
                break;
            case CardStage::HandedOver:
                sql += " AND status = 'active' AND handed_over_at IS NOT NULL";
                break;
            }
        }
        area_clause(query.area_codes, sql, texts);
        if (!query.after_number.empty()) {
            sql += " AND number > ?";
            texts.push_back(query.after_number);
        }
        sql += " ORDER BY number LIMIT ?";
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(
            stmt, query.area_codes.size() <= 4 ? conn->prepare(sql) : conn->prepare_once(sql));
        int i = 1;
        for (const std::string& t : texts) {
            stmt.bind(i++, t);
        }
        stmt.bind(i, std::int64_t{query.limit});
        std::vector<CardRecord> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            out.push_back(card_from_row(stmt));
        }
        stmt.reset();
        return out;
    }

    // ---- the services the card opens ----------------------------------------------------------

    Result<void> add_services(const std::vector<ServiceRecord>& services,
                              const WriteContext& ctx) override {
        for (const ServiceRecord& service : services) {
            KAPAL_TRY(check_service(service));
        }
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        for (const ServiceRecord& service : services) {
            KAPAL_SQL_ASSIGN(insert,
                             w.prepare("INSERT INTO services (code, name, name_en, description, "
                                       "active, position, updated_at, updated_by) VALUES (?1, ?2, "
                                       "?3, ?4, ?5, ?6, ?7, ?8)"));
            bind_service(insert, service, at, ctx);
            KAPAL_TRY(already_exists_as(insert.run(), "service code " + service.code));
        }
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "service.add",
                        "services",
                        "count=" + std::to_string(services.size()) + reason_suffix(ctx)));
        return tx.commit();
    }

    Result<void> update_service(const ServiceRecord& service, const WriteContext& ctx) override {
        KAPAL_TRY(check_service(service));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(update,
                         w.prepare("UPDATE services SET name = ?2, name_en = ?3, description = ?4, "
                                   "active = ?5, position = ?6, updated_at = ?7, updated_by = ?8 "
                                   "WHERE code = ?1"));
        bind_service(update, service, at, ctx);
        KAPAL_TRY(update.run());
        if (sqlite3_changes(w.db()) == 0) {
            return fail(ErrorCode::NotFound, "no service " + service.code);
        }
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "service.update",
                        service.code,
                        std::string("active=") + (service.active ? "true" : "false") +
                            reason_suffix(ctx)));
        return tx.commit();
    }

    Result<std::vector<ServiceRecord>> list_services() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt,
                         conn->prepare("SELECT code, name, name_en, description, active, position, "
                                       "updated_at, updated_by FROM services ORDER BY position, "
                                       "code"));
        std::vector<ServiceRecord> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            ServiceRecord r;
            r.code = stmt.text(0);
            r.name = stmt.text(1);
            r.name_en = stmt.text(2);
            r.description = stmt.text(3);
            r.active = stmt.int64(4) != 0;
            r.position = stmt.int64(5);
            r.updated_at = core::from_unix_ms(stmt.int64(6));
            r.updated_by = stmt.text(7);
            out.push_back(std::move(r));
        }
        stmt.reset();
        return out;
    }

    Result<ServiceRequestOutcome> create_service_request(const ServiceRequestRecord& request,
                                                         const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        if (!request.idempotency_key.empty()) {
            KAPAL_SQL_ASSIGN(seen,
                             w.prepare("SELECT id FROM service_requests WHERE created_by = ?1 AND "
                                       "idempotency_key = ?2 AND idempotency_key <> ''"));
            seen.bind(1, ctx.actor);
            seen.bind(2, request.idempotency_key);
            KAPAL_SQL_ASSIGN(found, seen.step());
            std::string first_id = found ? std::string(seen.text(0)) : std::string();
            seen.reset();
            if (found) {
                KAPAL_SQL_ASSIGN(first, request_where(w, "id = ?1", first_id));
                KAPAL_TRY(same_service_request(first.front(), request));
                return ServiceRequestOutcome{std::move(first.front()), true};
            }
        }
        {
            KAPAL_SQL_ASSIGN(person, w.prepare("SELECT 1 FROM persons WHERE id = ?1"));
            person.bind(1, request.person_id);
            KAPAL_SQL_ASSIGN(found, person.step());
            if (!found) {
                return fail(ErrorCode::NotFound, "no person with id " + request.person_id);
            }
        }
        {
            KAPAL_SQL_ASSIGN(service,
                             w.prepare("SELECT 1 FROM services WHERE code = ?1 AND active = 1"));
            service.bind(1, request.service_code);
            KAPAL_SQL_ASSIGN(found, service.step());
            if (!found) {
                return fail(ErrorCode::ServiceUnknown,
                            "no service \"" + request.service_code + "\" in the catalogue");
            }
        }
        KAPAL_SQL_ASSIGN(insert,
                         w.prepare("INSERT INTO service_requests (id, person_id, service_code, "
                                   "kelurahan_code, card_number, status, note, version, "
                                   "created_at, created_by, updated_at, updated_by, "
                                   "idempotency_key) VALUES (?1, ?2, ?3, ?4, ?5, 'diajukan', ?6, "
                                   "1, ?7, ?8, ?7, ?8, ?9)"));
        insert.bind(1, request.id);
        insert.bind(2, request.person_id);
        insert.bind(3, request.service_code);
        insert.bind(4, request.kelurahan_code);
        insert.bind(5, request.card_number);
        insert.bind(6, request.note);
        insert.bind(7, core::to_unix_ms(at));
        insert.bind(8, ctx.actor);
        insert.bind(9, request.idempotency_key);
        KAPAL_TRY(already_exists_as(insert.run(), "service request id " + request.id));
        const auto pk = sqlite3_last_insert_rowid(w.db());
        KAPAL_TRY(add_request_event(w, pk, 1, at, ctx.actor, "diajukan", request.note));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "service_request.create",
                        request.person_id,
                        "id=" + request.id + " service=" + request.service_code +
                            (request.card_number.empty() ? "" : " card=" + request.card_number)));
        KAPAL_SQL_ASSIGN(created, request_where(w, "id = ?1", request.id));
        KAPAL_TRY(tx.commit());
        return ServiceRequestOutcome{std::move(created.front()), false};
    }

    Result<ServiceRequestRecord> update_service_request(const std::string& id,
                                                        std::int64_t expected_version,
                                                        const std::string& status,
                                                        const std::string& note,
                                                        const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(found, request_where(w, "id = ?1", id));
        if (found.empty()) {
            return fail(ErrorCode::NotFound, "no service request " + id);
        }
        const ServiceRequestRecord& current = found.front();
        if (current.version != expected_version) {
            return fail(ErrorCode::VersionConflict,
                        "service request " + id + " is at version " +
                            std::to_string(current.version));
        }
        if (!service_transition_allowed(current.status, status)) {
            return fail(ErrorCode::ServiceTransitionInvalid,
                        "a request " + current.status + " cannot become " + status);
        }
        KAPAL_SQL_ASSIGN(update,
                         w.prepare("UPDATE service_requests SET status = ?2, note = ?3, version = "
                                   "?4, updated_at = ?5, updated_by = ?6 WHERE id = ?1"));
        update.bind(1, id);
        update.bind(2, status);
        update.bind(3, note);
        update.bind(4, expected_version + 1);
        update.bind(5, core::to_unix_ms(at));
        update.bind(6, ctx.actor);
        KAPAL_TRY(update.run());
        KAPAL_SQL_ASSIGN(pk_of, w.prepare("SELECT pk FROM service_requests WHERE id = ?1"));
        pk_of.bind(1, id);
        KAPAL_SQL_ASSIGN(has_pk, pk_of.step());
        const std::int64_t pk = has_pk ? pk_of.int64(0) : 0;
        pk_of.reset();
        KAPAL_TRY(add_request_event(w, pk, expected_version + 1, at, ctx.actor, status, note));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "service_request.update",
                        current.person_id,
                        "id=" + id + " status=" + status));
        KAPAL_SQL_ASSIGN(updated, request_where(w, "id = ?1", id));
        KAPAL_TRY(tx.commit());
        return std::move(updated.front());
    }

    Result<std::optional<ServiceRequestRecord>>
    get_service_request(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        KAPAL_SQL_ASSIGN(found, request_where(*conn, "id = ?1", id));
        if (found.empty()) {
            return std::optional<ServiceRequestRecord>();
        }
        return std::optional<ServiceRequestRecord>(std::move(found.front()));
    }

    Result<std::vector<ServiceRequestRecord>>
    person_service_requests(const core::PersonId& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        return request_where(*conn, "person_id = ?1 ORDER BY pk DESC", id.str());
    }

    // ---- social assistance ----------------------------------------------------------------------

    Result<AidProgramRecord> add_aid_program(const AidProgramRecord& program,
                                             const WriteContext& ctx) override {
        KAPAL_TRY(check_aid_program(program));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(insert,
                         w.prepare("INSERT INTO aid_programs (" KAPAL_SQL_AID_PROGRAM_COLUMNS
                                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11, "
                                   "?12, ?11, ?12)"));
        bind_aid_program(insert, program);
        insert.bind(11, core::to_unix_ms(at));
        insert.bind(12, ctx.actor);
        KAPAL_TRY(already_exists_as(insert.run(), "programme code " + program.code));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "aid.program.create",
                        program.code,
                        "channel=" + program.channel + " unit_value=" +
                            std::to_string(program.unit_value) + reason_suffix(ctx)));
        KAPAL_SQL_ASSIGN(created, aid_program_where(w, program.code));
        KAPAL_TRY(tx.commit());
        return std::move(*created);
    }

    Result<AidProgramRecord> update_aid_program(const AidProgramRecord& program,
                                                const WriteContext& ctx) override {
        KAPAL_TRY(check_aid_program(program));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(current, aid_program_where(w, program.code));
        if (!current) {
            return fail(ErrorCode::NotFound, "no programme " + program.code);
        }
        if (current->version != program.version) {
            return fail(ErrorCode::VersionConflict,
                        "programme " + program.code + " is at version " +
                            std::to_string(current->version));
        }
        KAPAL_SQL_ASSIGN(update,
                         w.prepare("UPDATE aid_programs SET name = ?2, source = ?3, kind = ?4, "
                                   "channel = ?5, unit_value = ?6, rule = ?7, excludes = ?8, "
                                   "assignees = ?9, active = ?10, version = version + 1, "
                                   "updated_at = ?11, updated_by = ?12 WHERE code = ?1"));
        bind_aid_program(update, program);
        update.bind(11, core::to_unix_ms(at));
        update.bind(12, ctx.actor);
        KAPAL_TRY(update.run());
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "aid.program.update",
                        program.code,
                        "version=" + std::to_string(program.version + 1) + reason_suffix(ctx)));
        KAPAL_SQL_ASSIGN(updated, aid_program_where(w, program.code));
        KAPAL_TRY(tx.commit());
        return std::move(*updated);
    }

    Result<std::optional<AidProgramRecord>> get_aid_program(const std::string& code) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        return aid_program_where(*conn, code);
    }

    Result<std::vector<AidProgramRecord>> list_aid_programs() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt,
                         conn->prepare("SELECT " KAPAL_SQL_AID_PROGRAM_COLUMNS
                                       " FROM aid_programs ORDER BY code"));
        std::vector<AidProgramRecord> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            out.push_back(aid_program_from_row(stmt));
        }
        stmt.reset();
        return out;
    }

    Result<AidCycleRecord> add_aid_cycle(const AidCycleRecord& cycle,
                                         const WriteContext& ctx) override {
        KAPAL_TRY(check_aid_cycle(cycle));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(program, aid_program_where(w, cycle.program_code));
        if (!program) {
            return fail(ErrorCode::NotFound, "no programme " + cycle.program_code);
        }
        KAPAL_SQL_ASSIGN(insert,
                         w.prepare("INSERT INTO aid_cycles (" KAPAL_SQL_AID_CYCLE_COLUMNS
                                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'draft', '', "
                                   "'', 0, '', NULL, '', NULL, 1, ?10, ?11)"));
        insert.bind(1, cycle.id);
        insert.bind(2, cycle.program_code);
        insert.bind(3, cycle.number);
        insert.bind(4, cycle.name);
        insert.bind(5, core::format_date(cycle.starts_on));
        insert.bind(6, core::format_date(cycle.ends_on));
        insert.bind(7, encode_quotas(cycle.quotas));
        bind_opt_real(insert, 8, cycle.site_lon);
        bind_opt_real(insert, 9, cycle.site_lat);
        insert.bind(10, core::to_unix_ms(at));
        insert.bind(11, ctx.actor);
        KAPAL_TRY(already_exists_as(insert.run(),
                                    "cycle id " + cycle.id + " or number " +
                                        std::to_string(cycle.number) + " of " +
                                        cycle.program_code));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "aid.cycle.create",
                        cycle.program_code,
                        "cycle=" + cycle.id + " number=" + std::to_string(cycle.number) +
                            reason_suffix(ctx)));
        KAPAL_SQL_ASSIGN(created, aid_cycle_where(w, cycle.id));
        KAPAL_TRY(tx.commit());
        return std::move(*created);
    }

    Result<std::optional<AidCycleRecord>> get_aid_cycle(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        return aid_cycle_where(*conn, id);
    }

    Result<std::vector<AidCycleRecord>> list_aid_cycles(const std::string& program_code) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt,
                         conn->prepare("SELECT " KAPAL_SQL_AID_CYCLE_COLUMNS
                                       " FROM aid_cycles WHERE ?1 = '' OR program_code = ?1 "
                                       "ORDER BY program_code, number"));
        stmt.bind(1, program_code);
        std::vector<AidCycleRecord> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            out.push_back(aid_cycle_from_row(stmt));
        }
        stmt.reset();
        return out;
    }

    Result<AidCycleRecord> replace_aid_list(const std::string& cycle_id,
                                            std::int64_t expected_version,
                                            const std::string& rule,
                                            const std::vector<std::string>& area_codes,
                                            const std::vector<AidListEntry>& entries,
                                            const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_TRY(editable_cycle(w, cycle_id, expected_version));
        {
            std::string sql = "DELETE FROM aid_list_entries WHERE cycle_id = ? AND source = "
                              "'rule' AND removed = 0";
            std::vector<std::string> texts = {cycle_id};
            area_clause(area_codes, sql, texts);
            KAPAL_SQL_ASSIGN(clear, w.prepare_once(sql));
            int i = 1;
            for (const std::string& t : texts) {
                clear.bind(i++, t);
            }
            KAPAL_TRY(clear.run());
        }
        KAPAL_SQL_ASSIGN(
            insert,
            w.prepare("INSERT INTO aid_list_entries (cycle_id, " KAPAL_SQL_AID_ENTRY_COLUMNS
                      ") VALUES (?1, ?2, ?3, 'rule', 0, '', ?4, ?5, ?6) "
                      "ON CONFLICT (cycle_id, person_id) DO NOTHING"));
        for (const AidListEntry& entry : entries) {
            insert.bind(1, cycle_id);
            insert.bind(2, entry.person_id);
            insert.bind(3, entry.kelurahan_code);
            insert.bind(4, join_codes(entry.flags));
            insert.bind(5, core::to_unix_ms(at));
            insert.bind(6, ctx.actor);
            KAPAL_TRY(insert.run());
            insert.reset();
        }
        KAPAL_TRY(bump_cycle(w, cycle_id, rule));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "aid.list.generate",
                        cycle_id,
                        "entries=" + std::to_string(entries.size()) + reason_suffix(ctx)));
        KAPAL_SQL_ASSIGN(cycle, aid_cycle_where(w, cycle_id));
        KAPAL_TRY(tx.commit());
        return std::move(*cycle);
    }

    Result<AidCycleRecord> edit_aid_list(const std::string& cycle_id,
                                         std::int64_t expected_version,
                                         const AidListEntry& entry,
                                         const WriteContext& ctx) override {
        if (entry.reason.empty()) {
            return fail(ErrorCode::AidReasonRequired,
                        "adding or removing a person by hand needs a reason");
        }
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_TRY(editable_cycle(w, cycle_id, expected_version));
        if (entry.removed) {
            KAPAL_SQL_ASSIGN(remove,
                             w.prepare("UPDATE aid_list_entries SET removed = 1, reason = ?3, "
                                       "added_at = ?4, added_by = ?5 WHERE cycle_id = ?1 AND "
                                       "person_id = ?2 AND removed = 0"));
            remove.bind(1, cycle_id);
            remove.bind(2, entry.person_id);
            remove.bind(3, entry.reason);
            remove.bind(4, core::to_unix_ms(at));
            remove.bind(5, ctx.actor);
            KAPAL_TRY(remove.run());
            if (sqlite3_changes(w.db()) == 0) {
                return fail(ErrorCode::NotFound,
                            "person " + entry.person_id + " is not on the list");
            }
        } else {
            KAPAL_SQL_ASSIGN(person, w.prepare("SELECT 1 FROM persons WHERE id = ?1"));
            person.bind(1, entry.person_id);
            KAPAL_SQL_ASSIGN(found, person.step());
            person.reset();
            if (!found) {
                return fail(ErrorCode::NotFound, "no person with id " + entry.person_id);
            }
            // A person taken off earlier may be put back by hand: the entry becomes manual.
            KAPAL_SQL_ASSIGN(
                add,
                w.prepare("INSERT INTO aid_list_entries (cycle_id, " KAPAL_SQL_AID_ENTRY_COLUMNS
                          ") VALUES (?1, ?2, ?3, 'manual', 0, ?4, ?5, ?6, ?7) "
                          "ON CONFLICT (cycle_id, person_id) DO UPDATE SET "
                          "source = 'manual', removed = 0, reason = excluded.reason, "
                          "kelurahan_code = excluded.kelurahan_code, flags = "
                          "excluded.flags, added_at = excluded.added_at, added_by = "
                          "excluded.added_by WHERE removed = 1"));
            add.bind(1, cycle_id);
            add.bind(2, entry.person_id);
            add.bind(3, entry.kelurahan_code);
            add.bind(4, entry.reason);
            add.bind(5, join_codes(entry.flags));
            add.bind(6, core::to_unix_ms(at));
            add.bind(7, ctx.actor);
            KAPAL_TRY(add.run());
            if (sqlite3_changes(w.db()) == 0) {
                return fail(ErrorCode::AlreadyExists,
                            "person " + entry.person_id + " is already on the list");
            }
        }
        KAPAL_TRY(bump_cycle(w, cycle_id, std::nullopt));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        entry.removed ? "aid.list.remove" : "aid.list.add",
                        entry.person_id,
                        "cycle=" + cycle_id + " reason=" + entry.reason));
        KAPAL_SQL_ASSIGN(cycle, aid_cycle_where(w, cycle_id));
        KAPAL_TRY(tx.commit());
        return std::move(*cycle);
    }

    Result<AidCycleRecord> move_aid_list(const std::string& cycle_id,
                                         std::int64_t expected_version,
                                         const std::string& to_state,
                                         const WriteContext& ctx) override {
        if (to_state != "draft" && to_state != "proposed" && to_state != "approved") {
            return fail(ErrorCode::InvalidArgument,
                        "a list can move to draft, proposed or approved, not \"" + to_state + "\"");
        }
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(found, aid_cycle_where(w, cycle_id));
        if (!found) {
            return fail(ErrorCode::NotFound, "no cycle " + cycle_id);
        }
        AidCycleRecord cycle = std::move(*found);
        if (cycle.version != expected_version) {
            return fail(ErrorCode::VersionConflict,
                        "cycle " + cycle_id + " is at version " + std::to_string(cycle.version));
        }
        if (!aid_list_transition_allowed(cycle.list_state, to_state)) {
            return fail(ErrorCode::AidListState,
                        "a " + cycle.list_state + " list cannot become " + to_state);
        }
        if (to_state == "approved" && cycle.proposed_by == ctx.actor) {
            return fail(ErrorCode::AidSelfApproval,
                        "the list was proposed by " + ctx.actor + ", who cannot approve it");
        }
        std::string hash;
        std::string detail = "cycle=" + cycle_id;
        const char* sql = nullptr;
        if (to_state == "proposed") {
            sql = "UPDATE aid_cycles SET list_state = 'proposed', proposed_by = ?2, proposed_at = "
                  "?3, version = version + 1 WHERE id = ?1";
        } else if (to_state == "draft") {
            sql = "UPDATE aid_cycles SET list_state = 'draft', proposed_by = '', proposed_at = "
                  "NULL, version = version + 1 WHERE id = ?1";
        } else {
            // Every entry, page by page (a list may be longer than one page).
            AidEntryQuery all;
            all.cycle_id = cycle_id;
            all.include_removed = true;
            all.limit = 100'000;
            std::vector<AidListEntry> entries;
            for (;;) {
                KAPAL_SQL_ASSIGN(page, entries_where(w, all, true));
                const bool last = page.size() < static_cast<std::size_t>(all.limit);
                if (!page.empty()) {
                    all.after_person_id = page.back().person_id;
                }
                entries.insert(entries.end(),
                               std::make_move_iterator(page.begin()),
                               std::make_move_iterator(page.end()));
                if (last) {
                    break;
                }
            }
            hash = aid_list_hash(cycle, std::move(entries));
            detail += " hash=" + hash + " size=" + std::to_string(cycle.list_size);
            sql = "UPDATE aid_cycles SET list_state = 'approved', approved_by = ?2, approved_at = "
                  "?3, list_hash = ?4, version = version + 1 WHERE id = ?1";
        }
        KAPAL_SQL_ASSIGN(update, w.prepare(sql));
        update.bind(1, cycle_id);
        if (to_state != "draft") {
            update.bind(2, ctx.actor);
            update.bind(3, core::to_unix_ms(at));
        }
        if (to_state == "approved") {
            update.bind(4, hash);
        }
        KAPAL_TRY(update.run());
        const char* action = to_state == "proposed"   ? "aid.list.propose"
                             : to_state == "approved" ? "aid.list.approve"
                                                      : "aid.list.return";
        KAPAL_TRY(audit(w, at, ctx, action, cycle_id, detail + reason_suffix(ctx)));
        KAPAL_SQL_ASSIGN(moved, aid_cycle_where(w, cycle_id));
        KAPAL_TRY(tx.commit());
        return std::move(*moved);
    }

    Result<std::vector<AidListEntry>> list_aid_entries(const AidEntryQuery& query) override {
        if (query.limit < 1 || query.limit > 100'000) {
            return fail(ErrorCode::InvalidArgument, "limit must be between 1 and 100000");
        }
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        return entries_where(*conn, query, query.area_codes.size() <= 4);
    }

    Result<AidDeliveryOutcome> record_aid_delivery(const AidDeliveryRecord& delivery,
                                                   const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        if (!delivery.idempotency_key.empty()) {
            KAPAL_SQL_ASSIGN(seen,
                             delivery_where(w,
                                            // "<> ''" lets the partial unique index
                                            // serve the lookup (else a full scan).
                                            "officer = ?1 AND idempotency_key = ?2 AND "
                                            "idempotency_key <> ''",
                                            {delivery.officer, delivery.idempotency_key},
                                            true));
            if (!seen.empty()) {
                AidDeliveryRecord& first = seen.front();
                if (first.cycle_id != delivery.cycle_id || first.person_id != delivery.person_id) {
                    return fail(ErrorCode::IdempotencyKeyReused,
                                "idempotency key " + delivery.idempotency_key +
                                    " was used for another delivery");
                }
                return AidDeliveryOutcome{std::move(first), true};
            }
        }
        KAPAL_SQL_ASSIGN(cycle, aid_cycle_where(w, delivery.cycle_id));
        if (!cycle) {
            return fail(ErrorCode::NotFound, "no cycle " + delivery.cycle_id);
        }
        if (cycle->list_state != "approved") {
            return fail(ErrorCode::AidListState,
                        "the list of cycle " + delivery.cycle_id + " is " + cycle->list_state +
                            ", not approved");
        }
        {
            KAPAL_SQL_ASSIGN(listed,
                             w.prepare("SELECT 1 FROM aid_list_entries WHERE cycle_id = ?1 AND "
                                       "person_id = ?2 AND removed = 0"));
            listed.bind(1, delivery.cycle_id);
            listed.bind(2, delivery.person_id);
            KAPAL_SQL_ASSIGN(on_list, listed.step());
            listed.reset();
            if (!on_list) {
                return fail(ErrorCode::AidNotOnList,
                            "person " + delivery.person_id + " is not on the list of cycle " +
                                delivery.cycle_id);
            }
        }
        if (delivery.state != "failed") {
            KAPAL_SQL_ASSIGN(
                earlier,
                delivery_where(w,
                               "cycle_id = ?1 AND person_id = ?2 AND state <> 'failed'",
                               {delivery.cycle_id, delivery.person_id},
                               false));
            if (!earlier.empty()) {
                return fail(ErrorCode::AidAlreadyDelivered,
                            "delivery " + earlier.front().id + " (" + earlier.front().state +
                                ") of this cycle already reached person " + delivery.person_id);
            }
        }
        KAPAL_SQL_ASSIGN(insert, insert_delivery(w, delivery));
        KAPAL_TRY(already_exists_as(insert.run(), "delivery id " + delivery.id));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "aid.deliver",
                        delivery.person_id,
                        "cycle=" + delivery.cycle_id + " delivery=" + delivery.id +
                            " channel=" + delivery.channel + " state=" + delivery.state +
                            " amount=" + std::to_string(delivery.amount) +
                            (delivery.flags.empty() ? "" : " flags=" + join_codes(delivery.flags)) +
                            reason_suffix(ctx)));
        KAPAL_SQL_ASSIGN(written, delivery_where(w, "id = ?1", {delivery.id}, true));
        KAPAL_TRY(tx.commit());
        return AidDeliveryOutcome{std::move(written.front()), false};
    }

    Result<std::vector<AidDeliveryRecord>>
    list_aid_deliveries(const AidDeliveryQuery& query) override {
        if (query.limit < 1 || query.limit > 100'000) {
            return fail(ErrorCode::InvalidArgument, "limit must be between 1 and 100000");
        }
        std::string where = "1";
        std::vector<std::string> texts;
        if (!query.cycle_id.empty()) {
            // With a person, "+" keeps the planner off the cycle's index (every delivery of the
            // cycle, sorted) and on the person's (a handful): found by bench/aid/handovers.sh.
            where += query.person_id.empty() ? " AND cycle_id = ?" : " AND +cycle_id = ?";
            texts.push_back(query.cycle_id);
        }
        if (!query.person_id.empty()) {
            where += " AND person_id = ?";
            texts.push_back(query.person_id);
        }
        if (!query.batch_id.empty()) {
            where += " AND batch_id = ?";
            texts.push_back(query.batch_id);
        }
        area_clause(query.area_codes, where, texts);
        if (!query.after_id.empty()) {
            where += " AND id > ?";
            texts.push_back(query.after_id);
        }
        where += " ORDER BY id LIMIT " + std::to_string(query.limit);
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        return delivery_where(*conn, where, texts, false);
    }

    Result<std::optional<AidDeliveryRecord>> get_aid_delivery(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        KAPAL_SQL_ASSIGN(found, delivery_where(*conn, "id = ?1", {id}, true));
        if (found.empty()) {
            return std::optional<AidDeliveryRecord>();
        }
        return std::optional<AidDeliveryRecord>(std::move(found.front()));
    }

    Result<AidBatchOutcome> create_aid_batch(const AidBatchRecord& batch,
                                             const std::vector<AidDeliveryRecord>& lines,
                                             const WriteContext& ctx) override {
        for (const AidDeliveryRecord& line : lines) {
            if (line.cycle_id != batch.cycle_id || line.batch_id != batch.id ||
                line.state != "pending" || line.channel != "transfer" || line.amount < 0) {
                return fail(ErrorCode::InvalidArgument,
                            "line " + line.id + " is not a pending transfer of batch " + batch.id);
            }
        }
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(cycle, aid_cycle_where(w, batch.cycle_id));
        if (!cycle) {
            return fail(ErrorCode::NotFound, "no cycle " + batch.cycle_id);
        }
        if (cycle->list_state != "approved") {
            return fail(ErrorCode::AidListState,
                        "the list of cycle " + batch.cycle_id + " is " + cycle->list_state +
                            ", not approved");
        }
        AidBatchOutcome out;
        std::int64_t count = 0;
        std::int64_t total = 0;
        for (const AidDeliveryRecord& line : lines) {
            KAPAL_SQL_ASSIGN(listed,
                             w.prepare("SELECT 1 FROM aid_list_entries WHERE cycle_id = ?1 AND "
                                       "person_id = ?2 AND removed = 0"));
            listed.bind(1, line.cycle_id);
            listed.bind(2, line.person_id);
            KAPAL_SQL_ASSIGN(on_list, listed.step());
            listed.reset();
            if (!on_list) {
                return fail(ErrorCode::AidNotOnList,
                            "person " + line.person_id + " is not on the list of cycle " +
                                line.cycle_id);
            }
            // One writer: a check before the insert cannot race (the unique index stays the
            // last word).
            KAPAL_SQL_ASSIGN(live,
                             w.prepare("SELECT 1 FROM aid_deliveries WHERE cycle_id = ?1 AND "
                                       "person_id = ?2 AND state <> 'failed'"));
            live.bind(1, line.cycle_id);
            live.bind(2, line.person_id);
            KAPAL_SQL_ASSIGN(taken, live.step());
            live.reset();
            if (taken) {
                out.skipped_person_ids.push_back(line.person_id);
                continue;
            }
            KAPAL_SQL_ASSIGN(insert, insert_delivery(w, line));
            KAPAL_TRY(already_exists_as(insert.run(), "delivery id " + line.id));
            ++count;
            total += line.amount;
        }
        if (count == 0) {
            return fail(ErrorCode::AidAlreadyDelivered,
                        "every person of the batch already has a delivery or a pending transfer "
                        "in cycle " +
                            batch.cycle_id);
        }
        KAPAL_SQL_ASSIGN(insert,
                         w.prepare("INSERT INTO aid_batches (id, cycle_id, program_code, number, "
                                   "state, line_count, total_amount, created_at, created_by) "
                                   "VALUES (?1, ?2, ?3, (SELECT coalesce(max(number), 0) + 1 FROM "
                                   "aid_batches WHERE cycle_id = ?2), 'dibuat', ?4, ?5, ?6, ?7)"));
        insert.bind(1, batch.id);
        insert.bind(2, batch.cycle_id);
        insert.bind(3, batch.program_code);
        insert.bind(4, count);
        insert.bind(5, total);
        insert.bind(6, core::to_unix_ms(at));
        insert.bind(7, ctx.actor);
        KAPAL_TRY(already_exists_as(insert.run(), "batch id " + batch.id));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "aid.batch.create",
                        batch.id,
                        "cycle=" + batch.cycle_id + " lines=" + std::to_string(count) +
                            " amount=" + std::to_string(total) + " skipped=" +
                            std::to_string(out.skipped_person_ids.size()) + reason_suffix(ctx)));
        KAPAL_SQL_ASSIGN(written, batches_where(w, "b.id = ?1", batch.id));
        KAPAL_TRY(tx.commit());
        out.batch = std::move(written.front());
        return out;
    }

    Result<std::vector<AidBatchRecord>> list_aid_batches(const std::string& cycle_id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        return batches_where(*conn, "b.cycle_id = ?1", cycle_id);
    }

    Result<std::optional<AidBatchRecord>> get_aid_batch(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        KAPAL_SQL_ASSIGN(found, batches_where(*conn, "b.id = ?1", id));
        if (found.empty()) {
            return std::optional<AidBatchRecord>();
        }
        return std::optional<AidBatchRecord>(std::move(found.front()));
    }

    Result<std::vector<bool>>
    settle_aid_batch(const std::string& batch_id,
                     const std::vector<AidTransferSettlement>& settlements,
                     const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(found, batches_where(w, "b.id = ?1", batch_id));
        if (found.empty()) {
            return fail(ErrorCode::NotFound, "no transfer batch " + batch_id);
        }
        std::vector<bool> changed;
        changed.reserve(settlements.size());
        std::int64_t paid = 0;
        std::int64_t failed = 0;
        for (const AidTransferSettlement& s : settlements) {
            KAPAL_SQL_ASSIGN(update,
                             w.prepare("UPDATE aid_deliveries SET state = ?3, recorded_at = "
                                       "coalesce(?4, recorded_at), fail_reason = ?5, "
                                       "bank_reference = ?6 WHERE id = ?1 AND batch_id = ?2 AND "
                                       "state = 'pending'"));
            update.bind(1, s.delivery_id);
            update.bind(2, batch_id);
            update.bind(3, std::string_view(s.paid ? "delivered" : "failed"));
            if (s.paid) {
                update.bind(4, core::to_unix_ms(s.paid_at));
            } else {
                update.bind_null(4);
            }
            update.bind(5, s.paid ? std::string() : s.fail_reason);
            update.bind(6, s.bank_reference);
            KAPAL_TRY(update.run());
            const bool did = sqlite3_changes(w.db()) > 0;
            changed.push_back(did);
            if (did) {
                ++(s.paid ? paid : failed);
            }
        }
        KAPAL_SQL_ASSIGN(settle,
                         w.prepare("UPDATE aid_batches SET state = 'direkonsiliasi', "
                                   "reconciled_at = ?2 WHERE id = ?1 AND state = 'dibuat' AND NOT "
                                   "EXISTS (SELECT 1 FROM aid_deliveries WHERE batch_id = ?1 AND "
                                   "state = 'pending')"));
        settle.bind(1, batch_id);
        settle.bind(2, core::to_unix_ms(at));
        KAPAL_TRY(settle.run());
        KAPAL_TRY(audit(
            w,
            at,
            ctx,
            "aid.batch.settle",
            batch_id,
            "paid=" + std::to_string(paid) + " failed=" + std::to_string(failed) + " unchanged=" +
                std::to_string(static_cast<std::int64_t>(settlements.size()) - paid - failed) +
                reason_suffix(ctx)));
        KAPAL_TRY(tx.commit());
        return changed;
    }

    Result<std::vector<AidRealisationRow>>
    aid_realisation(const std::string& cycle_id,
                    const std::vector<std::string>& area_codes) override {
        // Per entry on the list: its best delivery state (delivered, else pending, else failed).
        std::string sql =
            "SELECT e.kelurahan_code, count(*), "
            "sum(d.best = 3), sum(d.best = 2), sum(d.best = 1), coalesce(sum(d.paid), 0) "
            "FROM aid_list_entries e LEFT JOIN (SELECT person_id, max(CASE state WHEN "
            "'delivered' THEN 3 WHEN 'pending' THEN 2 ELSE 1 END) AS best, sum(CASE state WHEN "
            "'delivered' THEN amount ELSE 0 END) AS paid FROM aid_deliveries WHERE cycle_id = ? "
            "GROUP BY person_id) d ON d.person_id = e.person_id "
            "WHERE e.cycle_id = ? AND e.removed = 0";
        std::vector<std::string> texts = {cycle_id, cycle_id};
        area_clause(area_codes, sql, texts, "e.kelurahan_code");
        sql += " GROUP BY e.kelurahan_code ORDER BY e.kelurahan_code";
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt, conn->prepare_once(sql));
        int i = 1;
        for (const std::string& t : texts) {
            stmt.bind(i++, t);
        }
        std::vector<AidRealisationRow> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            out.push_back(AidRealisationRow{std::string(stmt.text(0)),
                                            stmt.int64(1),
                                            stmt.int64(2),
                                            stmt.int64(3),
                                            stmt.int64(4),
                                            stmt.int64(5)});
        }
        return out;
    }

    // --- Vouchers (schema v11)

    Result<MerchantRecord> add_merchant(const MerchantRecord& merchant,
                                        const WriteContext& ctx) override {
        KAPAL_TRY(check_merchant(merchant));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(insert,
                         w.prepare("INSERT INTO merchants (" KAPAL_SQL_MERCHANT_COLUMNS
                                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?9, "
                                   "?10)"));
        bind_merchant(insert, merchant);
        insert.bind(9, core::to_unix_ms(at));
        insert.bind(10, ctx.actor);
        KAPAL_TRY(already_exists_as(insert.run(), "merchant id " + merchant.id));
        KAPAL_TRY(
            audit(w,
                  at,
                  ctx,
                  "aid.merchant.create",
                  merchant.id,
                  "name=" + merchant.name + " user=" + merchant.user_id + reason_suffix(ctx)));
        KAPAL_SQL_ASSIGN(created, merchant_where(w, merchant.id));
        KAPAL_TRY(tx.commit());
        return std::move(*created);
    }

    Result<MerchantRecord> update_merchant(const MerchantRecord& merchant,
                                           const WriteContext& ctx) override {
        KAPAL_TRY(check_merchant(merchant));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(current, merchant_where(w, merchant.id));
        if (!current) {
            return fail(ErrorCode::NotFound, "no merchant " + merchant.id);
        }
        if (current->version != merchant.version) {
            return fail(ErrorCode::VersionConflict,
                        "merchant " + merchant.id + " is at version " +
                            std::to_string(current->version));
        }
        KAPAL_SQL_ASSIGN(update,
                         w.prepare("UPDATE merchants SET name = ?2, user_id = ?3, kelurahan_code "
                                   "= ?4, lon = ?5, lat = ?6, address = ?7, active = ?8, version "
                                   "= version + 1, updated_at = ?9, updated_by = ?10 WHERE id = "
                                   "?1"));
        bind_merchant(update, merchant);
        update.bind(9, core::to_unix_ms(at));
        update.bind(10, ctx.actor);
        KAPAL_TRY(update.run());
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "aid.merchant.update",
                        merchant.id,
                        "name=" + merchant.name + " user=" + merchant.user_id +
                            " active=" + (merchant.active ? "1" : "0") + reason_suffix(ctx)));
        KAPAL_SQL_ASSIGN(updated, merchant_where(w, merchant.id));
        KAPAL_TRY(tx.commit());
        return std::move(*updated);
    }

    Result<std::optional<MerchantRecord>> get_merchant(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        return merchant_where(*conn, id);
    }

    Result<std::vector<MerchantRecord>> list_merchants() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        KAPAL_SQL_ASSIGN(stmt,
                         conn->prepare("SELECT " KAPAL_SQL_MERCHANT_COLUMNS
                                       " FROM merchants ORDER BY name, id"));
        std::vector<MerchantRecord> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            out.push_back(merchant_from_row(stmt));
        }
        return out;
    }

    Result<VoucherOutcome> redeem_voucher(const VoucherRedemption& r,
                                          const WriteContext& ctx) override {
        if (r.amount <= 0) {
            return fail(ErrorCode::InvalidArgument,
                        "the amount must be a positive number of rupiah",
                        {{"amount", ErrorCode::InvalidArgument, std::to_string(r.amount)}});
        }
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        if (!r.idempotency_key.empty()) {
            KAPAL_SQL_ASSIGN(
                seen,
                voucher_transactions_where(
                    w, "actor = ? AND idempotency_key = ?", {ctx.actor, r.idempotency_key}, 1));
            if (!seen.empty()) {
                VoucherTransaction& first = seen.front();
                if (first.cycle_id != r.cycle_id || first.person_id != r.person_id ||
                    first.merchant_id != r.merchant_id || first.amount != r.amount) {
                    return fail(ErrorCode::IdempotencyKeyReused,
                                "idempotency key " + r.idempotency_key +
                                    " was used for another redemption (" + first.id + ")");
                }
                KAPAL_SQL_ASSIGN(balance, voucher_balance_in(w, r.cycle_id, r.person_id));
                return VoucherOutcome{std::move(first), std::move(balance), true};
            }
        }
        KAPAL_SQL_ASSIGN(target, voucher_target(w, r.cycle_id, r.person_id));
        KAPAL_SQL_ASSIGN(merchant, merchant_where(w, r.merchant_id));
        if (!merchant) {
            return fail(ErrorCode::NotFound, "no merchant " + r.merchant_id);
        }
        if (!merchant->active) {
            return fail(ErrorCode::InvalidArgument,
                        "merchant " + merchant->name + " is not active",
                        {{"merchant_id", ErrorCode::InvalidArgument, r.merchant_id}});
        }
        if (!target.issued) {
            KAPAL_TRY(issue_voucher(w, at, ctx, r, target));
        }
        // The spend: only a balance that holds the amount changes (the CHECK would refuse a
        // negative one too, but as a constraint error rather than this answer).
        KAPAL_SQL_ASSIGN(spend,
                         w.prepare("UPDATE voucher_balances SET balance = balance - ?3 WHERE "
                                   "cycle_id = ?1 AND person_id = ?2 AND balance >= ?3"));
        spend.bind(1, r.cycle_id);
        spend.bind(2, r.person_id);
        spend.bind(3, r.amount);
        KAPAL_TRY(spend.run());
        if (sqlite3_changes(w.db()) == 0) {
            KAPAL_SQL_ASSIGN(now, voucher_balance_in(w, r.cycle_id, r.person_id));
            return fail(
                ErrorCode::AidVoucherInsufficient,
                "the voucher holds Rp " + std::to_string(now.balance) + ", not Rp " +
                    std::to_string(r.amount),
                {{"amount", ErrorCode::AidVoucherInsufficient, std::to_string(now.balance)}});
        }
        VoucherTransaction t;
        t.id = r.id;
        t.cycle_id = r.cycle_id;
        t.kind = "redeem";
        t.person_id = r.person_id;
        t.merchant_id = r.merchant_id;
        t.amount = r.amount;
        t.note = r.note;
        t.at = at;
        t.actor = ctx.actor;
        t.card_number = r.card_number;
        t.search_reason = r.search_reason;
        t.idempotency_key = r.idempotency_key;
        t.postings = {VoucherPosting{voucher_account(r.cycle_id, r.person_id), -r.amount},
                      VoucherPosting{merchant_account(r.merchant_id), r.amount}};
        KAPAL_TRY(insert_voucher_transaction(w, t));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "aid.voucher.redeem",
                        r.person_id,
                        "cycle=" + r.cycle_id + " transaction=" + r.id +
                            " merchant=" + r.merchant_id + " amount=" + std::to_string(r.amount) +
                            reason_suffix(ctx)));
        KAPAL_SQL_ASSIGN(written, voucher_transactions_where(w, "id = ?", {r.id}, 1));
        KAPAL_SQL_ASSIGN(balance, voucher_balance_in(w, r.cycle_id, r.person_id));
        KAPAL_TRY(tx.commit());
        return VoucherOutcome{std::move(written.front()), std::move(balance), false};
    }

    Result<VoucherBalance> voucher_balance(const std::string& cycle_id,
                                           const std::string& person_id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        return voucher_balance_in(*conn, cycle_id, person_id);
    }

    Result<std::vector<VoucherBalance>> list_voucher_balances(const std::string& cycle_id,
                                                              const std::string& after_person_id,
                                                              int limit) override {
        if (limit < 1 || limit > 100'000) {
            return fail(ErrorCode::InvalidArgument, "limit must be between 1 and 100000");
        }
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        KAPAL_SQL_ASSIGN(stmt,
                         conn->prepare("SELECT cycle_id, person_id, kelurahan_code, entitled, "
                                       "balance, delivery_id FROM voucher_balances WHERE "
                                       "cycle_id = ?1 AND person_id > ?2 ORDER BY person_id "
                                       "LIMIT ?3"));
        stmt.bind(1, cycle_id);
        stmt.bind(2, after_person_id);
        stmt.bind(3, static_cast<std::int64_t>(limit));
        std::vector<VoucherBalance> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            out.push_back(balance_from_row(stmt));
        }
        return out;
    }

    Result<std::vector<VoucherTransaction>>
    list_voucher_transactions(const VoucherQuery& query) override {
        if (query.limit < 1 || query.limit > 100'000) {
            return fail(ErrorCode::InvalidArgument, "limit must be between 1 and 100000");
        }
        std::string where = "1";
        std::vector<std::string> texts;
        const auto add = [&](const char* clause, const std::string& value) {
            if (!value.empty()) {
                where += clause;
                texts.push_back(value);
            }
        };
        add(" AND cycle_id = ?", query.cycle_id);
        add(" AND person_id = ?", query.person_id);
        add(" AND merchant_id = ?", query.merchant_id);
        add(" AND id > ?", query.after_id);
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        return voucher_transactions_where(*conn, where, texts, query.limit);
    }

    Result<std::vector<MerchantTotal>> merchant_totals(const std::string& cycle_id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
        KAPAL_SQL_ASSIGN(stmt,
                         conn->prepare("SELECT merchant_id, count(*), sum(amount) FROM "
                                       "voucher_transactions WHERE kind = 'redeem' AND (?1 = '' "
                                       "OR cycle_id = ?1) GROUP BY merchant_id ORDER BY "
                                       "merchant_id"));
        stmt.bind(1, cycle_id);
        std::vector<MerchantTotal> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            out.push_back(MerchantTotal{std::string(stmt.text(0)), stmt.int64(1), stmt.int64(2)});
        }
        return out;
    }

    // --- Duplicate review (schema v13)

    Result<std::vector<bool>> propose_duplicate_pairs(const std::vector<DuplicatePairRecord>& pairs,
                                                      const WriteContext& ctx) override {
        for (const auto& p : pairs) {
            KAPAL_TRY(check_pair(p));
        }
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        std::vector<bool> added;
        std::string ids;
        for (const auto& p : pairs) {
            KAPAL_SQL_ASSIGN(insert,
                             w.prepare("INSERT INTO duplicate_pairs (" KAPAL_SQL_PAIR_COLUMNS
                                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'terbuka', ?9, "
                                       "?10, NULL, '', '', '', 1) ON CONFLICT (person_a, person_b) "
                                       "DO NOTHING"));
            insert.bind(1, p.id);
            insert.bind(2, p.person_a.str());
            insert.bind(3, p.person_b.str());
            insert.bind(4, p.kelurahan_a);
            insert.bind(5, p.kelurahan_b);
            insert.bind(6, p.score);
            insert.bind(7, p.explanation);
            insert.bind(8, p.source);
            insert.bind(9, core::to_unix_ms(at));
            insert.bind(10, ctx.actor);
            KAPAL_TRY(already_exists_as(insert.run(), "duplicate pair id " + p.id));
            const bool inserted = sqlite3_changes(w.db()) != 0;
            added.push_back(inserted);
            if (inserted) {
                ids += (ids.empty() ? "" : ",") + p.id;
            }
        }
        if (!ids.empty()) {
            KAPAL_TRY(audit(w, at, ctx, "duplicate.propose", ids, ctx.reason));
        }
        KAPAL_TRY(tx.commit());
        return added;
    }

    Result<Page<DuplicatePairRecord>>
    list_duplicate_pairs(const DuplicatePairQuery& query) override {
        if (query.limit < 1 || query.limit > 1000) {
            return fail(ErrorCode::InvalidArgument, "limit must be 1..1000");
        }
        std::string sql = "SELECT " KAPAL_SQL_PAIR_COLUMNS " FROM duplicate_pairs WHERE 1 = 1";
        std::vector<std::string> texts;
        if (!query.state.empty()) {
            sql += " AND state = ?";
            texts.push_back(query.state);
        }
        if (!query.person_id.empty()) {
            sql += " AND (person_a = ? OR person_b = ?)";
            texts.push_back(query.person_id);
            texts.push_back(query.person_id);
        }
        if (!query.area_codes.empty()) {
            // area_clause writes " AND (…)": joined here as (areas of a) OR (areas of b).
            std::string a;
            std::string b;
            area_clause(query.area_codes, a, texts, "kelurahan_a");
            area_clause(query.area_codes, b, texts, "kelurahan_b");
            sql += " AND (" + a.substr(5) + " OR " + b.substr(5) + ")";
        }
        if (!query.cursor.empty()) {
            auto after = decode_cursor(query.cursor);
            if (!after) {
                return fail(ErrorCode::BadCursor, "cursor is not one this server made");
            }
            sql += " AND id > ?";
            texts.push_back(*after);
        }
        sql += " ORDER BY id LIMIT ?";
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt, conn->prepare_once(sql));
        int index = 1;
        for (const auto& t : texts) {
            stmt.bind(index++, t);
        }
        stmt.bind(index, std::int64_t{query.limit} + 1);
        Page<DuplicatePairRecord> page;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            if (page.items.size() == static_cast<std::size_t>(query.limit)) {
                page.next_cursor = encode_cursor(core::PersonId(page.items.back().id));
                break;
            }
            page.items.push_back(pair_from_row(stmt));
        }
        return page;
    }

    Result<std::optional<DuplicatePairRecord>> get_duplicate_pair(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        return pair_where(*conn, "id = ?1", id, "");
    }

    Result<std::optional<DuplicatePairRecord>>
    find_duplicate_pair(const core::PersonId& one, const core::PersonId& other) override {
        const bool ordered = one.str() < other.str();
        ReaderPool::Lease conn(readers_, readers_.acquire());
        return pair_where(*conn,
                          "person_a = ?1 AND person_b = ?2",
                          ordered ? one.str() : other.str(),
                          ordered ? other.str() : one.str());
    }

    Result<DuplicatePairRecord> mark_duplicate_pair_distinct(const std::string& id,
                                                             std::int64_t expected_version,
                                                             const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(pair, open_pair(w, id, expected_version));
        KAPAL_TRY(decide_pair(w, pair, kPairDistinct, "", at, ctx));
        KAPAL_TRY(audit(w, at, ctx, "duplicate.distinct", id, ctx.reason));
        KAPAL_SQL_ASSIGN(decided, pair_where(w, "id = ?1", id, ""));
        KAPAL_TRY(tx.commit());
        return std::move(*decided);
    }

    Result<DuplicateMergeOutcome> merge_duplicate_pair(const DuplicateMerge& merge,
                                                       const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const Sealed sealed = seal(merge.absorbed_content);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(pair, open_pair(w, merge.pair_id, merge.pair_version));
        KAPAL_SQL_ASSIGN(kept, kept_of(pair, merge.absorbed));
        KAPAL_SQL_ASSIGN(absorbed,
                         update_person_in(w,
                                          merge.absorbed,
                                          merge.absorbed_version,
                                          merge.absorbed_content,
                                          merge.absorbed_kecamatan,
                                          sealed,
                                          at,
                                          ctx));
        KAPAL_TRY(decide_pair(w, pair, kPairMerged, kept, at, ctx));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "duplicate.merge",
                        merge.pair_id,
                        "kept=" + kept + " absorbed=" + merge.absorbed.str() + reason_suffix(ctx)));
        KAPAL_SQL_ASSIGN(decided, pair_where(w, "id = ?1", merge.pair_id, ""));
        KAPAL_TRY(tx.commit());
        return DuplicateMergeOutcome{std::move(*decided), std::move(absorbed)};
    }

    // --- Offline sync

    Result<void> add_sync_op(const SyncOpRecord& op, const WriteContext& ctx) override {
        KAPAL_TRY(check_sync_state(op.state));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(insert,
                         w.prepare("INSERT INTO sync_ops (" KAPAL_SQL_SYNC_COLUMNS
                                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                                   "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, 1)"));
        bind_sync_op(insert, op);
        const Result<void> inserted = insert.run();
        if (!inserted) {
            // Two constraints: the id (a server bug) and (actor, key), the case callers handle.
            return already_exists_as(inserted, "sync op of " + op.actor + " with key " + op.key);
        }
        if (op.state == kSyncConflict) {
            KAPAL_TRY(audit(w, at, ctx, "sync.conflict", op.person_id, sync_detail(op)));
        }
        return tx.commit();
    }

    Result<SyncOpRecord> update_sync_op(const SyncOpRecord& op,
                                        std::int64_t expected_version,
                                        const WriteContext& ctx) override {
        KAPAL_TRY(check_sync_state(op.state));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(stored, sync_op_where(w, "id = ?1", op.id, ""));
        if (!stored) {
            return fail(ErrorCode::NotFound, "no sync op " + op.id);
        }
        if (stored->version != expected_version) {
            return fail(ErrorCode::VersionConflict,
                        "sync op " + op.id + " is at version " + std::to_string(stored->version));
        }
        KAPAL_SQL_ASSIGN(update,
                         w.prepare("UPDATE sync_ops SET state = ?2, result = ?3, payload = ?4, "
                                   "kelurahan_code = ?5, base_version = ?6, server_version = ?7, "
                                   "fields = ?8, decided_at = ?9, decided_by = ?10, "
                                   "decision = ?11, person_id = ?12, version = version + 1 "
                                   "WHERE id = ?1"));
        update.bind(1, op.id);
        update.bind(2, op.state);
        update.bind(3, op.result);
        bind_sealed_payload(update, 4, op.payload);
        update.bind(5, op.kelurahan_code);
        bind_opt_int(update, 6, op.base_version);
        bind_opt_int(update, 7, op.server_version);
        update.bind(8, op.fields);
        bind_opt_time(update, 9, op.decided_at);
        update.bind(10, op.decided_by);
        update.bind(11, op.decision);
        update.bind(12, op.person_id);
        KAPAL_TRY(update.run());
        if (op.state == kSyncConflict && stored->state != kSyncConflict) {
            KAPAL_TRY(audit(w, at, ctx, "sync.conflict", op.person_id, sync_detail(op)));
        }
        if (op.state == kSyncResolved && stored->state != kSyncResolved) {
            KAPAL_TRY(audit(w, at, ctx, "sync.conflict.resolve", op.person_id, op.decision));
        }
        KAPAL_SQL_ASSIGN(updated, sync_op_where(w, "id = ?1", op.id, ""));
        KAPAL_TRY(tx.commit());
        return std::move(*updated);
    }

    Result<std::optional<SyncOpRecord>> find_sync_op(const std::string& actor,
                                                     const std::string& key) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        return sync_op_where(*conn, "actor = ?1 AND op_key = ?2", actor, key);
    }

    Result<std::optional<SyncOpRecord>> get_sync_op(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        return sync_op_where(*conn, "id = ?1", id, "");
    }

    Result<std::vector<SyncOpRecord>> waiting_sync_ops(const std::string& actor,
                                                       const std::string& after) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt,
                         conn->prepare("SELECT " KAPAL_SQL_SYNC_COLUMNS
                                       " FROM sync_ops WHERE state = 'waiting' AND actor = ?1 "
                                       "AND after_key = ?2 ORDER BY seq, id"));
        stmt.bind(1, actor);
        stmt.bind(2, after);
        std::vector<SyncOpRecord> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            KAPAL_SQL_ASSIGN(op, sync_op_from_row(stmt));
            out.push_back(std::move(op));
        }
        stmt.reset();
        return out;
    }

    Result<Page<SyncOpRecord>> list_sync_conflicts(const SyncConflictQuery& query) override {
        if (query.limit < 1 || query.limit > 1000) {
            return fail(ErrorCode::InvalidArgument, "limit must be 1..1000");
        }
        if (query.state != kSyncConflict && query.state != kSyncResolved) {
            return fail(ErrorCode::InvalidArgument, "state must be conflict or resolved");
        }
        std::string sql = "SELECT " KAPAL_SQL_SYNC_COLUMNS " FROM sync_ops WHERE state = ?";
        std::vector<std::string> texts{query.state};
        area_clause(query.area_codes, sql, texts);
        if (!query.cursor.empty()) {
            auto after = decode_cursor(query.cursor);
            if (!after) {
                return fail(ErrorCode::BadCursor, "cursor is not one this server made");
            }
            sql += " AND id > ?";
            texts.push_back(*after);
        }
        sql += " ORDER BY id LIMIT ?";
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt, conn->prepare_once(sql));
        int index = 1;
        for (const auto& t : texts) {
            stmt.bind(index++, t);
        }
        stmt.bind(index, std::int64_t{query.limit} + 1);
        Page<SyncOpRecord> page;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            if (page.items.size() == static_cast<std::size_t>(query.limit)) {
                page.next_cursor = encode_cursor(core::PersonId(page.items.back().id));
                break;
            }
            KAPAL_SQL_ASSIGN(op, sync_op_from_row(stmt));
            page.items.push_back(std::move(op));
        }
        return page;
    }

    Result<void> append_audit(const AuditEntry& entry) override {
        const core::Timestamp at = entry.at != core::Timestamp{} ? entry.at : clock_->now();
        const WriteContext ctx{entry.actor, entry.source, at, ""};
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_TRY(audit(w, at, ctx, entry.action, entry.subject, entry.detail));
        return tx.commit();
    }

    Result<std::vector<AuditEntry>> list_audit(const AuditQuery& query) override {
        if (query.limit < 1 || query.limit > 1000) {
            return fail(ErrorCode::InvalidArgument, "limit must be between 1 and 1000");
        }
        if (query.before_seq < 0 || query.after_seq < 0 ||
            (query.oldest_first && query.before_seq > 0)) {
            return fail(ErrorCode::InvalidArgument,
                        "before_seq and after_seq must not be negative; oldest_first takes "
                        "after_seq, not before_seq");
        }
        // At most 128 shapes of statement: all cached.
        std::string sql =
            "SELECT seq, at, actor, source, action, subject, detail, hash FROM audit_log WHERE 1";
        std::vector<const std::string*> texts;
        if (!query.actor.empty()) {
            sql += " AND actor = ?";
            texts.push_back(&query.actor);
        }
        if (!query.action.empty()) {
            sql += " AND action = ?";
            texts.push_back(&query.action);
        }
        if (!query.subject.empty()) {
            sql += " AND subject = ?";
            texts.push_back(&query.subject);
        }
        if (query.before_seq > 0) {
            sql += " AND seq < ?";
        }
        if (query.at_from) {
            sql += " AND at >= ?";
        }
        if (query.at_to) {
            sql += " AND at < ?";
        }
        if (query.oldest_first) {
            sql += " AND seq > ? ORDER BY seq LIMIT ?";
        } else {
            sql += " ORDER BY seq DESC LIMIT ?";
        }
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt, conn->prepare(sql));
        int index = 1;
        for (const std::string* t : texts) {
            stmt.bind(index++, *t);
        }
        if (query.before_seq > 0) {
            stmt.bind(index++, query.before_seq);
        }
        if (query.at_from) {
            stmt.bind(index++, core::to_unix_ms(*query.at_from));
        }
        if (query.at_to) {
            stmt.bind(index++, core::to_unix_ms(*query.at_to));
        }
        if (query.oldest_first) {
            stmt.bind(index++, query.after_seq);
        }
        stmt.bind(index, std::int64_t{query.limit});
        std::vector<AuditEntry> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            AuditEntry e;
            e.seq = stmt.int64(0);
            e.at = core::from_unix_ms(stmt.int64(1));
            e.actor = stmt.text(2);
            e.source = stmt.text(3);
            e.action = stmt.text(4);
            e.subject = stmt.text(5);
            e.detail = stmt.text(6);
            e.hash = stmt.text(7);
            out.push_back(std::move(e));
        }
        stmt.reset();
        return out;
    }

    Result<void> create_session(const SessionRecord& session, const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        {
            KAPAL_SQL_ASSIGN(insert, w.prepare(kInsertSession));
            bind_session(insert, session);
            KAPAL_TRY(already_exists_as(insert.run(), "session id or token hash"));
        }
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "session.create",
                        session.id,
                        "user=" + session.user_id + reason_suffix(ctx)));
        return tx.commit();
    }

    Result<std::optional<SessionRecord>> find_session(const std::string& token_hash) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt, conn->prepare(kSelectSessionByHash));
        stmt.bind(1, token_hash);
        KAPAL_SQL_ASSIGN(found, stmt.step());
        std::optional<SessionRecord> out;
        if (found) {
            out = session_from_row(stmt);
        }
        stmt.reset();
        return out;
    }

    Result<void> touch_session(const std::string& id, core::Timestamp at) override {
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(stmt, w.prepare("UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1"));
        stmt.bind(1, id);
        stmt.bind(2, core::to_unix_ms(at));
        KAPAL_TRY(stmt.run());
        if (sqlite3_changes(w.db()) == 0) {
            return fail(ErrorCode::NotFound, "no session with id " + id);
        }
        return {};
    }

    Result<void> revoke_session(const std::string& id, const WriteContext& ctx) override {
        return revoke_one("sessions", "session.revoke", id, ctx);
    }

    Result<int> revoke_user_sessions(const std::string& user_id, const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        std::vector<std::string> ids;
        {
            KAPAL_SQL_ASSIGN(
                find,
                w.prepare("SELECT id FROM sessions WHERE user_id = ?1 AND revoked_at IS NULL"));
            find.bind(1, user_id);
            for (;;) {
                KAPAL_SQL_ASSIGN(row, find.step());
                if (!row) {
                    break;
                }
                ids.emplace_back(find.text(0));
            }
        }
        if (ids.empty()) {
            KAPAL_TRY(tx.commit());
            return 0;
        }
        {
            KAPAL_SQL_ASSIGN(update,
                             w.prepare("UPDATE sessions SET revoked_at = ?2 WHERE user_id = ?1 "
                                       "AND revoked_at IS NULL"));
            update.bind(1, user_id);
            update.bind(2, core::to_unix_ms(at));
            KAPAL_TRY(update.run());
        }
        // One entry per session, so that each session's log shows its end.
        const std::string detail = "user=" + user_id + reason_suffix(ctx);
        for (const std::string& id : ids) {
            KAPAL_TRY(audit(w, at, ctx, "session.revoke", id, detail));
        }
        KAPAL_TRY(tx.commit());
        return static_cast<int>(ids.size());
    }

    Result<std::vector<SessionRecord>> list_sessions(const std::string& user_id,
                                                     core::Timestamp now) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt, conn->prepare(kSelectLiveSessions));
        stmt.bind(1, user_id);
        stmt.bind(2, core::to_unix_ms(now));
        std::vector<SessionRecord> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            out.push_back(session_from_row(stmt));
        }
        stmt.reset();
        return out;
    }

    Result<void> create_api_token(const ApiTokenRecord& token, const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        {
            KAPAL_SQL_ASSIGN(insert, w.prepare(kInsertToken));
            bind_token(insert, token);
            KAPAL_TRY(already_exists_as(insert.run(), "API token id or token hash"));
        }
        KAPAL_TRY(audit(w, at, ctx, "token.create", token.id, token_detail(token, ctx)));
        return tx.commit();
    }

    Result<std::optional<ApiTokenRecord>> find_api_token(const std::string& token_hash) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt, conn->prepare(kSelectTokenByHash));
        stmt.bind(1, token_hash);
        KAPAL_SQL_ASSIGN(found, stmt.step());
        if (!found) {
            stmt.reset();
            return std::optional<ApiTokenRecord>();
        }
        auto token = token_from_row(stmt);
        stmt.reset();
        if (!token) {
            return fail(std::move(token).error());
        }
        return std::optional<ApiTokenRecord>(std::move(*token));
    }

    Result<std::vector<ApiTokenRecord>> list_api_tokens(const std::string& user_id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt,
                         conn->prepare(user_id.empty() ? kSelectAllTokens : kSelectUserTokens));
        if (!user_id.empty()) {
            stmt.bind(1, user_id);
        }
        std::vector<ApiTokenRecord> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            auto token = token_from_row(stmt);
            if (!token) {
                stmt.reset();
                return fail(std::move(token).error());
            }
            out.push_back(std::move(*token));
        }
        stmt.reset();
        return out;
    }

    Result<void> revoke_api_token(const std::string& id, const WriteContext& ctx) override {
        return revoke_one("api_tokens", "token.revoke", id, ctx);
    }

    Result<void> check_keys() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt, conn->prepare("SELECT nik_enc, nik_bidx FROM persons LIMIT 1"));
        KAPAL_SQL_ASSIGN(found, stmt.step());
        if (!found) {
            return {};
        }
        KAPAL_SQL_ASSIGN(nik, cipher_.decrypt(stmt.blob(0)));
        const BlindIndex bidx = cipher_.blind_index(kNikDomain, nik);
        const auto stored = stmt.blob(1);
        if (!std::equal(stored.begin(), stored.end(), bidx.begin(), bidx.end())) {
            return fail(ErrorCode::StoreCorrupt,
                        "the index key does not fit the stored blind index");
        }
        return {};
    }

    Result<std::int64_t> rotate_keys(const StoreKeys& next, const WriteContext& ctx) override {
        if (!store_keys_valid(next)) {
            return fail(ErrorCode::InvalidArgument, "new keys must be 32 bytes each");
        }
        const FieldCipher fresh(next);
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        std::int64_t values = 0;
        // Re-encrypts one sealed value; counts it.
        auto reseal =
            [&](std::span<const std::uint8_t> sealed) -> Result<std::vector<std::uint8_t>> {
            KAPAL_SQL_ASSIGN(plain, cipher_.decrypt(sealed));
            ++values;
            return fresh.encrypt(plain);
        };

        // Current rows: values and blind indexes. Read all first (a statement reading the table
        // it updates would see its own changes).
        struct Row {
            std::int64_t pk;
            std::vector<std::uint8_t> nik_enc, kk_enc;
            BlindIndex nik_bidx;
            std::optional<BlindIndex> kk_bidx;
        };

        std::vector<Row> rows;
        {
            KAPAL_SQL_ASSIGN(read, w.prepare_once("SELECT pk, nik_enc, kk_enc FROM persons"));
            while (true) {
                KAPAL_SQL_ASSIGN(more, read.step());
                if (!more) {
                    break;
                }
                Row r{read.int64(0), {}, {}, {}, std::nullopt};
                KAPAL_SQL_ASSIGN(nik, cipher_.decrypt(read.blob(1)));
                r.nik_enc = fresh.encrypt(nik);
                r.nik_bidx = fresh.blind_index(kNikDomain, nik);
                ++values;
                if (!read.is_null(2)) {
                    KAPAL_SQL_ASSIGN(kk, cipher_.decrypt(read.blob(2)));
                    r.kk_enc = fresh.encrypt(kk);
                    r.kk_bidx = fresh.blind_index(kKkDomain, kk);
                    ++values;
                }
                rows.push_back(std::move(r));
            }
        }
        {
            KAPAL_SQL_ASSIGN(update,
                             w.prepare_once("UPDATE persons SET nik_enc = ?2, nik_bidx = ?3, "
                                            "kk_enc = ?4, kk_bidx = ?5 WHERE pk = ?1"));
            for (const Row& r : rows) {
                update.bind(1, r.pk);
                update.bind(2, std::span<const std::uint8_t>(r.nik_enc));
                update.bind(3, std::span<const std::uint8_t>(r.nik_bidx));
                if (r.kk_bidx) {
                    update.bind(4, std::span<const std::uint8_t>(r.kk_enc));
                    update.bind(5, std::span<const std::uint8_t>(*r.kk_bidx));
                } else {
                    update.bind_null(4);
                    update.bind_null(5);
                }
                KAPAL_TRY(update.run());
                update.reset();
            }
        }

        // Previous versions keep only sealed values.
        struct Version {
            std::int64_t person_pk, version;
            std::vector<std::uint8_t> nik_enc, kk_enc;
            bool has_kk;
        };

        std::vector<Version> versions;
        {
            KAPAL_SQL_ASSIGN(
                read,
                w.prepare_once("SELECT person_pk, version, nik_enc, kk_enc FROM person_versions"));
            while (true) {
                KAPAL_SQL_ASSIGN(more, read.step());
                if (!more) {
                    break;
                }
                Version v{read.int64(0), read.int64(1), {}, {}, !read.is_null(3)};
                KAPAL_SQL_ASSIGN(nik_enc, reseal(read.blob(2)));
                v.nik_enc = std::move(nik_enc);
                if (v.has_kk) {
                    KAPAL_SQL_ASSIGN(kk_enc, reseal(read.blob(3)));
                    v.kk_enc = std::move(kk_enc);
                }
                versions.push_back(std::move(v));
            }
        }
        {
            KAPAL_SQL_ASSIGN(update,
                             w.prepare_once("UPDATE person_versions SET nik_enc = ?3, kk_enc = ?4 "
                                            "WHERE person_pk = ?1 AND version = ?2"));
            for (const Version& v : versions) {
                update.bind(1, v.person_pk);
                update.bind(2, v.version);
                update.bind(3, std::span<const std::uint8_t>(v.nik_enc));
                if (v.has_kk) {
                    update.bind(4, std::span<const std::uint8_t>(v.kk_enc));
                } else {
                    update.bind_null(4);
                }
                KAPAL_TRY(update.run());
                update.reset();
            }
        }
        // Files, one at a time (a province's photos do not fit in memory at once).
        std::int64_t files = 0;
        {
            std::vector<std::int64_t> file_pks;
            {
                KAPAL_SQL_ASSIGN(read, w.prepare_once("SELECT pk FROM person_files ORDER BY pk"));
                while (true) {
                    KAPAL_SQL_ASSIGN(more, read.step());
                    if (!more) {
                        break;
                    }
                    file_pks.push_back(read.int64(0));
                }
            }
            KAPAL_SQL_ASSIGN(read, w.prepare("SELECT content FROM person_files WHERE pk = ?1"));
            KAPAL_SQL_ASSIGN(update,
                             w.prepare("UPDATE person_files SET content = ?2 WHERE pk = ?1"));
            for (const std::int64_t pk : file_pks) {
                read.bind(1, pk);
                KAPAL_SQL_ASSIGN(found, read.step());
                KAPAL_ASSERT(found);
                KAPAL_SQL_ASSIGN(content, reseal(read.blob(0)));
                read.reset();
                update.bind(1, pk);
                update.bind(2, std::span<const std::uint8_t>(content));
                KAPAL_TRY(update.run());
                update.reset();
                ++files;
            }
        }
        // The ops a device sent that still wait or are conflicts (few: the others keep none).
        std::int64_t payloads = 0;
        {
            std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>> sealed;
            {
                KAPAL_SQL_ASSIGN(read,
                                 w.prepare_once("SELECT pk, payload FROM sync_ops WHERE payload "
                                                "IS NOT NULL ORDER BY pk"));
                while (true) {
                    KAPAL_SQL_ASSIGN(more, read.step());
                    if (!more) {
                        break;
                    }
                    KAPAL_SQL_ASSIGN(content, reseal(read.blob(1)));
                    sealed.emplace_back(read.int64(0), std::move(content));
                }
            }
            KAPAL_SQL_ASSIGN(update, w.prepare("UPDATE sync_ops SET payload = ?2 WHERE pk = ?1"));
            for (const auto& [pk, content] : sealed) {
                update.bind(1, pk);
                update.bind(2, std::span<const std::uint8_t>(content));
                KAPAL_TRY(update.run());
                update.reset();
                ++payloads;
            }
        }
        KAPAL_TRY(audit(
            w,
            at,
            ctx,
            "keys.rotate",
            "",
            "values=" + std::to_string(values) + " persons=" + std::to_string(rows.size()) +
                " versions=" + std::to_string(versions.size()) + " files=" + std::to_string(files) +
                " sync_payloads=" + std::to_string(payloads) +
                (ctx.reason.empty() ? "" : " reason=" + ctx.reason)));
        KAPAL_TRY(tx.commit());
        return values;
    }

    Result<void> check_integrity() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt, conn->prepare_once("PRAGMA integrity_check"));
        std::string report;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            if (!report.empty()) {
                report += '\n';
            }
            report += stmt.text(0);
        }
        if (report != "ok") {
            return fail(ErrorCode::StoreCorrupt, "sqlite integrity_check: " + report);
        }
        return {};
    }

    // Transfer between stores: defined below the class, with their helpers.
    Result<void> dump(TransferSink& sink) override;
    Result<std::unique_ptr<StoreLoad>> begin_load() override;

  private:
    Result<void> enable_wal() {
        KAPAL_SQL_ASSIGN(mode, writer_->prepare_once("PRAGMA journal_mode=WAL"));
        KAPAL_SQL_ASSIGN(has_mode, mode.step());
        if (!has_mode || mode.text(0) != "wal") {
            return fail(ErrorCode::StoreUnavailable,
                        "sqlite: cannot switch " + file_.string() + " to WAL mode");
        }
        return {};
    }

    /// Inserts (create) or replaces (by id) an account, refusing a user name that another
    /// account has.
    Result<void> write_user(const UserRecord& r, const WriteContext& ctx, bool create) {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(taken,
                         w.prepare(create
                                       ? "SELECT 1 FROM users WHERE username = ?1 OR id = ?2"
                                       : "SELECT 1 FROM users WHERE username = ?1 AND id <> ?2"));
        taken.bind(1, r.user.username);
        taken.bind(2, r.user.id);
        KAPAL_SQL_ASSIGN(exists, taken.step());
        taken.reset();
        if (exists) {
            return fail(ErrorCode::AlreadyExists, "user '" + r.user.username + "' exists");
        }
        KAPAL_SQL_ASSIGN(
            write,
            w.prepare(create ? "INSERT INTO users (id, username, display_name, role, area_codes, "
                               "disabled, password_hash, created_at, updated_at) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                             : "UPDATE users SET username = ?2, display_name = ?3, role = ?4, "
                               "area_codes = ?5, disabled = ?6, password_hash = ?7, "
                               "updated_at = ?9 WHERE id = ?1"));
        bind_user(write, r);
        KAPAL_TRY(write.run());
        if (!create && sqlite3_changes(w.db()) == 0) {
            return fail(ErrorCode::NotFound, "no user with id " + r.user.id);
        }
        KAPAL_TRY(audit(
            w, at, ctx, create ? "user.create" : "user.update", r.user.id, user_detail(r, ctx)));
        return tx.commit();
    }

    /// The account whose `column` (id or username, both unique) equals `value`.
    Result<std::optional<UserRecord>> find_user_where(std::string_view column,
                                                      const std::string& value) {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt,
                         conn->prepare(std::string("SELECT ") + kUserColumns +
                                       " FROM users WHERE " + std::string(column) + " = ?1"));
        stmt.bind(1, value);
        KAPAL_SQL_ASSIGN(found, stmt.step());
        if (!found) {
            stmt.reset();
            return std::optional<UserRecord>();
        }
        auto record = user_from_row(stmt);
        stmt.reset();
        if (!record) {
            return fail(std::move(record).error());
        }
        return std::optional<UserRecord>(std::move(*record));
    }

    /// The seq of the audit entry this write will append (writer, inside its transaction).
    static Result<std::int64_t> next_seq(Connection& w) {
        KAPAL_SQL_ASSIGN(stmt, w.prepare(kNextSeq));
        KAPAL_SQL_ASSIGN(row, stmt.step());
        KAPAL_ASSERT(row);
        return stmt.int64(0);
    }

    /// Appends an audit entry on the writer, inside the caller's open transaction.
    static Result<void> audit(Connection& w,
                              core::Timestamp at,
                              const WriteContext& ctx,
                              std::string_view action,
                              std::string_view subject,
                              std::string_view detail) {
        std::int64_t seq = 1;
        std::string prev(core::kAuditGenesisHash);
        {
            KAPAL_SQL_ASSIGN(last, w.prepare(kLastAudit));
            KAPAL_SQL_ASSIGN(row, last.step());
            if (row) {
                seq = last.int64(0) + 1;
                prev = last.text(1);
            }
            last.reset();
        }
        const std::int64_t at_ms = core::to_unix_ms(at);
        const std::string hash = core::audit_chain_hash(
            prev, {seq, at_ms, ctx.actor, ctx.source, action, subject, detail});
        KAPAL_SQL_ASSIGN(stmt, w.prepare(kInsertAudit));
        stmt.bind(1, seq);
        stmt.bind(2, at_ms);
        stmt.bind(3, ctx.actor);
        stmt.bind(4, ctx.source);
        stmt.bind(5, action);
        stmt.bind(6, subject);
        stmt.bind(7, detail);
        stmt.bind(8, hash);
        return stmt.run();
    }

    /// Sets revoked_at of an unrevoked session or token (`table`) and audits it; nothing when
    /// it is already revoked. Errors: NotFound.
    Result<void> revoke_one(std::string_view table,
                            std::string_view action,
                            const std::string& id,
                            const WriteContext& ctx) {
        const core::Timestamp at = write_time(ctx);
        const std::string from = std::string(" FROM ") + std::string(table);
        const std::lock_guard lock(writer_mutex_);
        Connection& w = *writer_;
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
        KAPAL_SQL_ASSIGN(
            find, w.prepare("SELECT user_id, revoked_at IS NOT NULL" + from + " WHERE id = ?1"));
        find.bind(1, id);
        KAPAL_SQL_ASSIGN(found, find.step());
        if (!found) {
            return fail(ErrorCode::NotFound, "no " + std::string(table) + " row with id " + id);
        }
        const std::string user_id(find.text(0));
        const bool revoked = find.int64(1) != 0;
        find.reset();
        if (revoked) {
            return tx.commit();
        }
        KAPAL_SQL_ASSIGN(
            update,
            w.prepare("UPDATE " + std::string(table) + " SET revoked_at = ?2 WHERE id = ?1"));
        update.bind(1, id);
        update.bind(2, core::to_unix_ms(at));
        KAPAL_TRY(update.run());
        KAPAL_TRY(audit(w, at, ctx, action, id, "user=" + user_id + reason_suffix(ctx)));
        return tx.commit();
    }

    /// The card matching `where` (with ?1 = `arg`) on `conn`; nullopt when none.
    static Result<std::optional<CardRecord>>
    card_where(Connection& conn, const std::string& where, const std::string& arg) {
        KAPAL_SQL_ASSIGN(
            stmt, conn.prepare("SELECT " KAPAL_SQL_CARD_COLUMNS " FROM cards WHERE " + where));
        stmt.bind(1, arg);
        KAPAL_SQL_ASSIGN(row, stmt.step());
        if (!row) {
            return std::optional<CardRecord>();
        }
        std::optional<CardRecord> out(card_from_row(stmt));
        stmt.reset();
        return out;
    }

    static void bind_aid_program(Stmt& stmt, const AidProgramRecord& p) {
        stmt.bind(1, p.code);
        stmt.bind(2, p.name);
        stmt.bind(3, p.source);
        stmt.bind(4, p.kind);
        stmt.bind(5, p.channel);
        stmt.bind(6, p.unit_value);
        stmt.bind(7, p.rule);
        stmt.bind(8, join_codes(p.excludes));
        stmt.bind(9, join_codes(p.assignees));
        stmt.bind(10, std::int64_t{p.active ? 1 : 0});
    }

    static Result<std::optional<AidProgramRecord>> aid_program_where(Connection& conn,
                                                                     const std::string& code) {
        KAPAL_SQL_ASSIGN(stmt,
                         conn.prepare("SELECT " KAPAL_SQL_AID_PROGRAM_COLUMNS
                                      " FROM aid_programs WHERE code = ?1"));
        stmt.bind(1, code);
        KAPAL_SQL_ASSIGN(row, stmt.step());
        if (!row) {
            return std::optional<AidProgramRecord>();
        }
        std::optional<AidProgramRecord> out(aid_program_from_row(stmt));
        stmt.reset();
        return out;
    }

    static Result<std::optional<AidCycleRecord>> aid_cycle_where(Connection& conn,
                                                                 const std::string& id) {
        KAPAL_SQL_ASSIGN(
            stmt,
            conn.prepare("SELECT " KAPAL_SQL_AID_CYCLE_COLUMNS " FROM aid_cycles WHERE id = ?1"));
        stmt.bind(1, id);
        KAPAL_SQL_ASSIGN(row, stmt.step());
        if (!row) {
            return std::optional<AidCycleRecord>();
        }
        std::optional<AidCycleRecord> out(aid_cycle_from_row(stmt));
        stmt.reset();
        return out;
    }

    /// Checks, inside the writer's transaction, that a cycle exists at `expected_version` with
    /// a draft list.
    static Result<void>
    editable_cycle(Connection& w, const std::string& cycle_id, std::int64_t expected_version) {
        KAPAL_SQL_ASSIGN(cycle, aid_cycle_where(w, cycle_id));
        if (!cycle) {
            return fail(ErrorCode::NotFound, "no cycle " + cycle_id);
        }
        if (cycle->version != expected_version) {
            return fail(ErrorCode::VersionConflict,
                        "cycle " + cycle_id + " is at version " + std::to_string(cycle->version));
        }
        if (cycle->list_state != "draft") {
            return fail(ErrorCode::AidListState,
                        "the list of cycle " + cycle_id + " is " + cycle->list_state +
                            ": only a draft is edited");
        }
        return {};
    }

    /// Bumps a cycle's version and recounts its list; records `rule` when given.
    static Result<void>
    bump_cycle(Connection& w, const std::string& cycle_id, const std::optional<std::string>& rule) {
        KAPAL_SQL_ASSIGN(update,
                         w.prepare("UPDATE aid_cycles SET version = version + 1, list_size = "
                                   "(SELECT count(*) FROM aid_list_entries WHERE cycle_id = ?1 "
                                   "AND removed = 0), rule = coalesce(?2, rule) WHERE id = ?1"));
        update.bind(1, cycle_id);
        if (rule) {
            update.bind(2, *rule);
        } else {
            update.bind_null(2);
        }
        return update.run();
    }

    static Result<std::vector<AidListEntry>>
    entries_where(Connection& conn, const AidEntryQuery& query, bool cache) {
        std::string sql =
            "SELECT " KAPAL_SQL_AID_ENTRY_COLUMNS " FROM aid_list_entries WHERE cycle_id = ?";
        std::vector<std::string> texts = {query.cycle_id};
        if (!query.include_removed) {
            sql += " AND removed = 0";
        }
        if (!query.person_id.empty()) {
            sql += " AND person_id = ?";
            texts.push_back(query.person_id);
        }
        area_clause(query.area_codes, sql, texts);
        if (!query.after_person_id.empty()) {
            sql += " AND person_id > ?";
            texts.push_back(query.after_person_id);
        }
        sql += " ORDER BY person_id LIMIT " + std::to_string(query.limit);
        KAPAL_SQL_ASSIGN(stmt, cache ? conn.prepare(sql) : conn.prepare_once(sql));
        int i = 1;
        for (const std::string& t : texts) {
            stmt.bind(i++, t);
        }
        std::vector<AidListEntry> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            out.push_back(aid_entry_from_row(stmt));
        }
        stmt.reset();
        return out;
    }

    /// Batches matching `where` (over aid_batches b, with ?1 = `arg`) with their counts, by
    /// number.
    static Result<std::vector<AidBatchRecord>>
    batches_where(Connection& conn, const std::string& where, const std::string& arg) {
        KAPAL_SQL_ASSIGN(
            stmt,
            conn.prepare("SELECT b.id, b.cycle_id, b.program_code, b.number, b.state, "
                         "b.line_count, b.total_amount, b.created_at, b.created_by, "
                         "b.reconciled_at, (SELECT count(*) FROM aid_deliveries d WHERE "
                         "d.batch_id = b.id AND d.state = 'delivered'), (SELECT coalesce(sum("
                         "amount), 0) FROM aid_deliveries d WHERE d.batch_id = b.id AND d.state = "
                         "'delivered'), (SELECT count(*) FROM aid_deliveries d WHERE d.batch_id = "
                         "b.id AND d.state = 'failed'), (SELECT count(*) FROM aid_deliveries d "
                         "WHERE d.batch_id = b.id AND d.state = 'pending') FROM aid_batches b "
                         "WHERE " +
                         where + " ORDER BY b.cycle_id, b.number"));
        stmt.bind(1, arg);
        std::vector<AidBatchRecord> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            AidBatchRecord b;
            b.id = stmt.text(0);
            b.cycle_id = stmt.text(1);
            b.program_code = stmt.text(2);
            b.number = stmt.int64(3);
            b.state = stmt.text(4);
            b.line_count = stmt.int64(5);
            b.total_amount = stmt.int64(6);
            b.created_at = core::from_unix_ms(stmt.int64(7));
            b.created_by = stmt.text(8);
            if (!stmt.is_null(9)) {
                b.reconciled_at = core::from_unix_ms(stmt.int64(9));
            }
            b.paid_count = stmt.int64(10);
            b.paid_amount = stmt.int64(11);
            b.failed_count = stmt.int64(12);
            b.pending_count = stmt.int64(13);
            out.push_back(std::move(b));
        }
        stmt.reset();
        return out;
    }

    /// The INSERT of a delivery, bound and ready to run.
    static Result<Stmt> insert_delivery(Connection& w, const AidDeliveryRecord& delivery) {
        KAPAL_SQL_ASSIGN(insert,
                         w.prepare("INSERT INTO aid_deliveries (" KAPAL_SQL_AID_DELIVERY_COLUMNS
                                   ", evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                   "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
                                   "?23)"));
        insert.bind(1, delivery.id);
        insert.bind(2, delivery.cycle_id);
        insert.bind(3, delivery.program_code);
        insert.bind(4, delivery.person_id);
        insert.bind(5, delivery.kelurahan_code);
        insert.bind(6, delivery.channel);
        insert.bind(7, delivery.state);
        insert.bind(8, delivery.amount);
        insert.bind(9, core::to_unix_ms(delivery.recorded_at));
        insert.bind(10, delivery.officer);
        bind_opt_real(insert, 11, delivery.lon);
        bind_opt_real(insert, 12, delivery.lat);
        bind_opt_real(insert, 13, delivery.accuracy_m);
        insert.bind(14, delivery.card_number);
        insert.bind(15, delivery.search_reason);
        insert.bind(16, delivery.evidence_type);
        insert.bind(17, delivery.note);
        insert.bind(18, join_codes(delivery.flags));
        insert.bind(19, delivery.idempotency_key);
        insert.bind(20, delivery.batch_id);
        insert.bind(21, delivery.fail_reason);
        insert.bind(22, delivery.bank_reference);
        if (delivery.evidence.empty()) {
            insert.bind_null(23);
        } else {
            insert.bind(23, std::span<const std::uint8_t>(delivery.evidence));
        }
        return insert;
    }

    static Result<std::vector<AidDeliveryRecord>>
    delivery_where(Connection& conn,
                   const std::string& where,
                   const std::vector<std::string>& texts,
                   bool with_evidence) {
        KAPAL_SQL_ASSIGN(stmt,
                         conn.prepare(std::string("SELECT " KAPAL_SQL_AID_DELIVERY_COLUMNS) +
                                      (with_evidence ? ", evidence" : "") +
                                      " FROM aid_deliveries WHERE " + where));
        int i = 1;
        for (const std::string& t : texts) {
            stmt.bind(i++, t);
        }
        std::vector<AidDeliveryRecord> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            out.push_back(aid_delivery_from_row(stmt, with_evidence));
        }
        stmt.reset();
        return out;
    }

    /// The number of the person's active card, inside the writer's transaction.
    static Result<std::optional<std::string>> active_card_of(Connection& w,
                                                             const std::string& person_id) {
        KAPAL_SQL_ASSIGN(card, card_where(w, "person_id = ?1 AND status = 'active'", person_id));
        return card ? std::optional(card->number) : std::optional<std::string>();
    }

    /// Marks a card revoked, inside the writer's transaction.
    static Result<void> set_revoked(Connection& w,
                                    const std::string& number,
                                    const std::string& reason,
                                    const std::string& note,
                                    const std::string& replaced_by,
                                    core::Timestamp at,
                                    const WriteContext& ctx) {
        KAPAL_SQL_ASSIGN(update,
                         w.prepare("UPDATE cards SET status = 'revoked', revoked_at = ?2, "
                                   "revoked_by = ?3, revoke_reason = ?4, revoke_note = ?5, "
                                   "replaced_by = ?6 WHERE number = ?1"));
        update.bind(1, number);
        update.bind(2, core::to_unix_ms(at));
        update.bind(3, ctx.actor);
        update.bind(4, reason);
        update.bind(5, note);
        update.bind(6, replaced_by);
        return update.run();
    }

    static void bind_service(Stmt& stmt,
                             const ServiceRecord& service,
                             core::Timestamp at,
                             const WriteContext& ctx) {
        stmt.bind(1, service.code);
        stmt.bind(2, service.name);
        stmt.bind(3, service.name_en);
        stmt.bind(4, service.description);
        stmt.bind(5, std::int64_t{service.active ? 1 : 0});
        stmt.bind(6, service.position);
        stmt.bind(7, core::to_unix_ms(at));
        stmt.bind(8, ctx.actor);
    }

    static Result<void> add_request_event(Connection& w,
                                          std::int64_t request_pk,
                                          std::int64_t version,
                                          core::Timestamp at,
                                          const std::string& actor,
                                          const std::string& status,
                                          const std::string& note) {
        KAPAL_SQL_ASSIGN(insert,
                         w.prepare("INSERT INTO service_request_events (request_pk, version, at, "
                                   "actor, status, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
        insert.bind(1, request_pk);
        insert.bind(2, version);
        insert.bind(3, core::to_unix_ms(at));
        insert.bind(4, actor);
        insert.bind(5, status);
        insert.bind(6, note);
        return insert.run();
    }

    /// The requests matching `where` (with ?1 = `arg`), each with its history.
    static Result<std::vector<ServiceRequestRecord>>
    request_where(Connection& conn, const std::string& where, const std::string& arg) {
        std::vector<std::pair<std::int64_t, ServiceRequestRecord>> found;
        {
            KAPAL_SQL_ASSIGN(stmt,
                             conn.prepare("SELECT " KAPAL_SQL_REQUEST_COLUMNS
                                          " FROM service_requests WHERE " +
                                          where));
            stmt.bind(1, arg);
            for (;;) {
                KAPAL_SQL_ASSIGN(row, stmt.step());
                if (!row) {
                    break;
                }
                ServiceRequestRecord r;
                r.id = stmt.text(1);
                r.person_id = stmt.text(2);
                r.service_code = stmt.text(3);
                r.kelurahan_code = stmt.text(4);
                r.card_number = stmt.text(5);
                r.status = stmt.text(6);
                r.note = stmt.text(7);
                r.version = stmt.int64(8);
                r.created_at = core::from_unix_ms(stmt.int64(9));
                r.created_by = stmt.text(10);
                r.updated_at = core::from_unix_ms(stmt.int64(11));
                r.updated_by = stmt.text(12);
                r.idempotency_key = stmt.text(13);
                found.emplace_back(stmt.int64(0), std::move(r));
            }
            stmt.reset();
        }
        std::vector<ServiceRequestRecord> out;
        KAPAL_SQL_ASSIGN(events,
                         conn.prepare("SELECT version, at, actor, status, note FROM "
                                      "service_request_events WHERE request_pk = ?1 ORDER BY "
                                      "version"));
        for (auto& [pk, r] : found) {
            events.bind(1, pk);
            for (;;) {
                KAPAL_SQL_ASSIGN(row, events.step());
                if (!row) {
                    break;
                }
                r.history.push_back(ServiceRequestEvent{events.int64(0),
                                                        core::from_unix_ms(events.int64(1)),
                                                        std::string(events.text(2)),
                                                        std::string(events.text(3)),
                                                        std::string(events.text(4))});
            }
            events.reset();
            out.push_back(std::move(r));
        }
        return out;
    }

    /// Sets the hash of every audit entry, in seq order (the v7 migration of older files).
    static Result<void> chain_audit_log(Connection& w) {
        std::vector<std::pair<std::int64_t, std::string>> hashes;
        {
            KAPAL_SQL_ASSIGN(stmt, w.prepare(kChainAudit));
            std::string prev(core::kAuditGenesisHash);
            for (;;) {
                KAPAL_SQL_ASSIGN(row, stmt.step());
                if (!row) {
                    break;
                }
                const std::string actor(stmt.text(2));
                const std::string source(stmt.text(3));
                const std::string action(stmt.text(4));
                const std::string subject(stmt.text(5));
                const std::string detail(stmt.text(6));
                prev = core::audit_chain_hash(
                    prev, {stmt.int64(0), stmt.int64(1), actor, source, action, subject, detail});
                hashes.emplace_back(stmt.int64(0), prev);
            }
            stmt.reset();
        }
        KAPAL_SQL_ASSIGN(update, w.prepare(kSetAuditHash));
        for (const auto& [seq, hash] : hashes) {
            update.bind(1, seq);
            update.bind(2, hash);
            KAPAL_TRY(update.run());
            update.reset();
        }
        return {};
    }

    Result<void> migrate(int from) {
        if (from == kSchemaVersion) {
            return {};
        }
        KAPAL_SQL_ASSIGN(tx, Transaction::begin(*writer_, true));
        for (const Migration& m : kMigrations) {
            if (m.version > from) {
                KAPAL_TRY(writer_->exec(m.sql));
            }
        }
        if (from < 7) {
            KAPAL_TRY(chain_audit_log(*writer_));
        }
        const std::string set_version = "PRAGMA user_version=" + std::to_string(kSchemaVersion);
        KAPAL_TRY(writer_->exec(set_version.c_str()));
        return tx.commit();
    }

    core::Timestamp write_time(const WriteContext& ctx) const {
        return ctx.at != core::Timestamp{} ? ctx.at : clock_->now();
    }

    Sealed seal(const core::Person& p) const {
        NonceSource nonces;
        return seal(p, nonces);
    }

    Sealed seal(const core::Person& p, NonceSource& nonces) const {
        Sealed s;
        s.doc = encode_person_doc(p);
        s.nik_enc = cipher_.encrypt(p.nik, nonces);
        s.nik_bidx = cipher_.blind_index(kNikDomain, p.nik);
        if (!p.kk.empty()) {
            s.kk_enc = cipher_.encrypt(p.kk, nonces);
            s.kk_bidx = cipher_.blind_index(kKkDomain, p.kk);
        }
        if (p.birth_date.ok()) {
            s.birth_date = core::format_date(p.birth_date);
        }
        return s;
    }

    /// Binds the content columns without copying them: `p` and `s` must outlive the statement's
    /// run.
    static void bind_content(Stmt& stmt,
                             int first,
                             const core::Person& p,
                             const std::string& kecamatan_code,
                             const Sealed& s) {
        int i = first;
        stmt.bind_static(i++, s.nik_enc);
        stmt.bind_static(i++, s.nik_bidx);
        if (s.kk_bidx) {
            stmt.bind_static(i++, s.kk_enc);
            stmt.bind_static(i++, *s.kk_bidx);
        } else {
            stmt.bind_null(i++);
            stmt.bind_null(i++);
        }
        stmt.bind_static(i++, p.full_name);
        stmt.bind_static(i++, core::to_string(p.sex));
        if (!s.birth_date.empty()) {
            stmt.bind_static(i++, s.birth_date);
        } else {
            stmt.bind_null(i++);
        }
        stmt.bind_static(i++, p.address.kelurahan_code);
        stmt.bind_static(i++, kecamatan_code);
        stmt.bind(i++, category_mask(p.categories));
        if (p.severity) {
            stmt.bind_static(i++, core::to_string(*p.severity));
        } else {
            stmt.bind_null(i++);
        }
        stmt.bind_static(i++, core::to_string(p.status));
        if (p.home) {
            stmt.bind(i++, p.home->lon);
            stmt.bind(i++, p.home->lat);
        } else {
            stmt.bind_null(i++);
            stmt.bind_null(i++);
        }
        stmt.bind_static(i, s.doc);
    }

    /// Inserts a person and indexes its name.
    static Result<void> insert_person(Connection& w,
                                      const core::PersonId& id,
                                      const core::Person& p,
                                      const std::string& kecamatan_code,
                                      const Sealed& s,
                                      core::Timestamp at,
                                      const WriteContext& ctx,
                                      std::int64_t seq) {
        {
            KAPAL_SQL_ASSIGN(stmt, w.prepare(kInsertPerson));
            stmt.bind_static(1, id.str());
            stmt.bind(2, core::to_unix_ms(at));
            stmt.bind_static(3, ctx.actor);
            stmt.bind_static(4, ctx.source);
            stmt.bind_static(5, ctx.reason);
            bind_content(stmt, kInsertContentFirst, p, kecamatan_code, s);
            stmt.bind(kInsertChangeSeq, seq);
            stmt.bind(kInsertDevices, device_mask(p.assistive_devices));
            auto r = stmt.run();
            if (!r) {
                Error e = std::move(r).error();
                if (e.code == ErrorCode::AlreadyExists) {
                    e.message = "person id " + id.str() + " is already used: " + e.message;
                }
                return fail(std::move(e));
            }
        }
        const std::int64_t pk = sqlite3_last_insert_rowid(w.db());
        {
            KAPAL_SQL_ASSIGN(state, w.prepare(kInsertState));
            state.bind(1, pk);
            KAPAL_TRY(state.run());
        }
        KAPAL_SQL_ASSIGN(fts, w.prepare(kFtsInsert));
        fts.bind(1, pk);
        fts.bind(2, p.full_name);
        return fts.run();
    }

    /// Inserts the rows of a batch whose NIK is not stored yet, in one statement; returns how
    /// many it inserted.
    Result<std::size_t> insert_batch(Connection& w,
                                     const std::vector<PreparedRow>& rows,
                                     const std::vector<core::PersonId>& ids,
                                     core::Timestamp at,
                                     const WriteContext& ctx,
                                     std::int64_t seq) {
        import_view_ = ImportBatchView{&rows, &ids};
        KAPAL_SQL_ASSIGN(stmt, w.prepare(kInsertBatch));
        stmt.bind(1, core::to_unix_ms(at));
        stmt.bind_static(2, ctx.actor);
        stmt.bind_static(3, ctx.source);
        stmt.bind_static(4, ctx.reason);
        stmt.bind(5, seq);
        auto r = stmt.run();
        stmt.reset();
        import_view_ = ImportBatchView{};
        if (!r) {
            Error e = std::move(r).error();
            if (e.code == ErrorCode::AlreadyExists) {
                e.message = "a new person id is already used: " + e.message;
            }
            return fail(std::move(e));
        }
        return static_cast<std::size_t>(sqlite3_changes64(w.db()));
    }

    /// An import row whose NIK is already stored: Unchanged, Changed, or (when the row asks)
    /// Updated.
    Result<ImportResult> import_existing(Connection& w,
                                         const PreparedRow& row,
                                         core::Timestamp at,
                                         const WriteContext& ctx,
                                         std::int64_t seq) {
        KAPAL_SQL_ASSIGN(lookup, w.prepare(kImportLookup));
        lookup.bind_static(1, row.sealed.nik_bidx);
        KAPAL_SQL_ASSIGN(found, lookup.step());
        if (!found) {
            return fail(ErrorCode::Internal, "import: a stored NIK was not found again");
        }
        const std::int64_t pk = lookup.int64(0);
        core::PersonId id(std::string(lookup.text(1)));
        const std::int64_t version = lookup.int64(2);
        // What no import file carries (the photo, documents) stays as stored.
        KAPAL_SQL_ASSIGN(person, keep_stored_files(row.person, lookup.text(5)));
        const bool kept =
            person.photo_id != row.person.photo_id || person.documents != row.person.documents;
        Sealed sealed = row.sealed;
        if (kept) {
            sealed.doc = encode_person_doc(person);
        }
        bool same = lookup.text(3) == row.kecamatan_code && lookup.text(5) == sealed.doc;
        if (same) {
            const auto stored_kk = lookup.blob(4);
            if (row.sealed.kk_bidx) {
                const auto& kk_bidx = *row.sealed.kk_bidx;
                same =
                    std::equal(stored_kk.begin(), stored_kk.end(), kk_bidx.begin(), kk_bidx.end());
            } else {
                same = stored_kk.empty();
            }
        }
        if (same) {
            return ImportResult{ImportAction::Unchanged, std::move(id)};
        }
        if (!row.update_if_changed) {
            return ImportResult{ImportAction::Changed, std::move(id)};
        }
        const std::string old_name(lookup.text(6));
        lookup.reset();
        KAPAL_TRY(update_row(
            w, pk, version + 1, person, old_name, row.kecamatan_code, sealed, at, ctx, seq));
        return ImportResult{ImportAction::Updated, std::move(id)};
    }

    static Result<void> update_row(Connection& w,
                                   std::int64_t pk,
                                   std::int64_t version,
                                   const core::Person& p,
                                   const std::string& old_name,
                                   const std::string& kecamatan_code,
                                   const Sealed& s,
                                   core::Timestamp at,
                                   const WriteContext& ctx,
                                   std::int64_t seq) {
        {
            // Copy-on-write history: the version being replaced moves to person_versions.
            KAPAL_SQL_ASSIGN(archive, w.prepare(kArchiveVersion));
            archive.bind(1, pk);
            KAPAL_TRY(archive.run());
        }
        {
            KAPAL_SQL_ASSIGN(stmt, w.prepare(kUpdatePerson));
            stmt.bind(1, pk);
            stmt.bind(2, version);
            stmt.bind(3, core::to_unix_ms(at));
            stmt.bind(4, ctx.actor);
            stmt.bind(5, ctx.source);
            stmt.bind(6, ctx.reason);
            bind_content(stmt, kUpdateContentFirst, p, kecamatan_code, s);
            stmt.bind(kUpdateChangeSeq, seq);
            stmt.bind(kUpdateDevices, device_mask(p.assistive_devices));
            KAPAL_TRY(stmt.run());
        }
        {
            KAPAL_SQL_ASSIGN(state, w.prepare(kInsertState));
            state.bind(1, pk);
            KAPAL_TRY(state.run());
        }
        if (old_name != p.full_name) {
            KAPAL_SQL_ASSIGN(del, w.prepare(kFtsDelete));
            del.bind(1, pk);
            del.bind(2, old_name);
            KAPAL_TRY(del.run());
            KAPAL_SQL_ASSIGN(ins, w.prepare(kFtsInsert));
            ins.bind(1, pk);
            ins.bind(2, p.full_name);
            KAPAL_TRY(ins.run());
        }
        return {};
    }

    static Result<bool> nik_taken(Connection& w, const BlindIndex& bidx) {
        KAPAL_SQL_ASSIGN(stmt, w.prepare(kSelectPkByNik));
        stmt.bind(1, bidx);
        return stmt.step();
    }

    static Result<std::int64_t> pk_of(Connection& conn, const core::PersonId& id) {
        KAPAL_SQL_ASSIGN(stmt, conn.prepare(kSelectPkById));
        stmt.bind(1, id.str());
        KAPAL_SQL_ASSIGN(found, stmt.step());
        if (!found) {
            return fail(ErrorCode::NotFound, "no person with id " + id.str());
        }
        return stmt.int64(0);
    }

    static Result<std::pair<core::Timestamp, std::string>> creation_of(Connection& conn,
                                                                       std::int64_t pk) {
        KAPAL_SQL_ASSIGN(stmt, conn.prepare(kSelectCreation));
        stmt.bind(1, pk);
        KAPAL_SQL_ASSIGN(found, stmt.step());
        if (!found) {
            return fail(ErrorCode::NotFound, "no person with primary key " + std::to_string(pk));
        }
        return std::make_pair(core::from_unix_ms(stmt.int64(0)), std::string(stmt.text(1)));
    }

    Result<core::PersonRecord> load_version(Connection& conn,
                                            std::int64_t pk,
                                            const core::PersonId& id,
                                            std::int64_t version) {
        KAPAL_SQL_ASSIGN(creation, creation_of(conn, pk));
        KAPAL_SQL_ASSIGN(stmt, conn.prepare(kSelectVersion));
        stmt.bind(1, pk);
        stmt.bind(2, version);
        KAPAL_SQL_ASSIGN(found, stmt.step());
        if (!found) {
            return fail(ErrorCode::StoreCorrupt, "person version is missing");
        }
        PersonVersion v;
        v.record.created_at = creation.first;
        v.record.created_by = std::move(creation.second);
        KAPAL_TRY(version_from_row(stmt, id, v));
        return std::move(v.record);
    }

    Result<core::Person> open_person(std::string_view doc,
                                     std::span<const std::uint8_t> nik_enc,
                                     std::span<const std::uint8_t> kk_enc,
                                     bool has_kk) const {
        KAPAL_SQL_ASSIGN(person, decode_person_doc(doc));
        KAPAL_SQL_ASSIGN(nik, cipher_.decrypt(nik_enc));
        person.nik = std::move(nik);
        if (has_kk) {
            KAPAL_SQL_ASSIGN(kk, cipher_.decrypt(kk_enc));
            person.kk = std::move(kk);
        }
        return person;
    }

    /// A row of KAPAL_SQL_PERSON_COLUMNS.
    Result<core::PersonRecord> record_from_row(const Stmt& stmt) const {
        core::PersonRecord r;
        r.id = core::PersonId(std::string(stmt.text(0)));
        r.version = stmt.int64(1);
        r.created_at = core::from_unix_ms(stmt.int64(2));
        r.updated_at = core::from_unix_ms(stmt.int64(3));
        r.created_by = stmt.text(4);
        r.updated_by = stmt.text(5);
        r.kecamatan_code = stmt.text(6);
        KAPAL_SQL_ASSIGN(person,
                         open_person(stmt.text(9), stmt.blob(7), stmt.blob(8), !stmt.is_null(8)));
        r.person = std::move(person);
        return r;
    }

    /// A row of KAPAL_SQL_VERSION_COLUMNS; created_at/by of `out` are set by the caller.
    Result<void>
    version_from_row(const Stmt& stmt, const core::PersonId& id, PersonVersion& out) const {
        out.record.id = id;
        out.record.version = stmt.int64(0);
        out.record.updated_at = core::from_unix_ms(stmt.int64(1));
        out.record.updated_by = stmt.text(2);
        out.source = stmt.text(3);
        out.reason = stmt.text(4);
        out.record.kecamatan_code = stmt.text(5);
        KAPAL_SQL_ASSIGN(person,
                         open_person(stmt.text(8), stmt.blob(6), stmt.blob(7), !stmt.is_null(7)));
        out.record.person = std::move(person);
        return {};
    }

    // --- Duplicate review helpers

    static DuplicatePairRecord pair_from_row(const Stmt& stmt) {
        DuplicatePairRecord p;
        p.id = stmt.text(0);
        p.person_a = core::PersonId(std::string(stmt.text(1)));
        p.person_b = core::PersonId(std::string(stmt.text(2)));
        p.kelurahan_a = stmt.text(3);
        p.kelurahan_b = stmt.text(4);
        p.score = stmt.real(5);
        p.explanation = stmt.text(6);
        p.source = stmt.text(7);
        p.state = stmt.text(8);
        p.found_at = core::from_unix_ms(stmt.int64(9));
        p.found_by = stmt.text(10);
        p.decided_at = opt_time(stmt, 11);
        p.decided_by = stmt.text(12);
        p.decision_reason = stmt.text(13);
        p.kept_id = stmt.text(14);
        p.version = stmt.int64(15);
        return p;
    }

    // --- Sync helpers

    static void bind_opt_int(Stmt& stmt, int i, const std::optional<std::int64_t>& v) {
        if (v) {
            stmt.bind(i, *v);
        } else {
            stmt.bind_null(i);
        }
    }

    /// The payload sealed with the field key; NULL when there is none.
    void bind_sealed_payload(Stmt& stmt, int i, const std::string& payload) const {
        if (payload.empty()) {
            stmt.bind_null(i);
        } else {
            const std::vector<std::uint8_t> sealed = cipher_.encrypt(payload);
            stmt.bind(i, std::span<const std::uint8_t>(sealed));
        }
    }

    /// ?1..?20 of an INSERT of KAPAL_SQL_SYNC_COLUMNS (all but version).
    void bind_sync_op(Stmt& stmt, const SyncOpRecord& op) const {
        stmt.bind(1, op.id);
        stmt.bind(2, op.actor);
        stmt.bind(3, op.key);
        stmt.bind(4, op.device_id);
        stmt.bind(5, op.seq);
        stmt.bind(6, op.type);
        stmt.bind(7, op.person_id);
        stmt.bind(8, op.after);
        stmt.bind(9, op.fingerprint);
        stmt.bind(10, op.state);
        stmt.bind(11, op.result);
        bind_sealed_payload(stmt, 12, op.payload);
        stmt.bind(13, op.kelurahan_code);
        bind_opt_int(stmt, 14, op.base_version);
        bind_opt_int(stmt, 15, op.server_version);
        stmt.bind(16, op.fields);
        stmt.bind(17, core::to_unix_ms(op.received_at));
        bind_opt_time(stmt, 18, op.decided_at);
        stmt.bind(19, op.decided_by);
        stmt.bind(20, op.decision);
    }

    /// A row of KAPAL_SQL_SYNC_COLUMNS. Errors: StoreCorrupt (a payload the key does not open).
    Result<SyncOpRecord> sync_op_from_row(const Stmt& stmt) const {
        SyncOpRecord op;
        op.id = stmt.text(0);
        op.actor = stmt.text(1);
        op.key = stmt.text(2);
        op.device_id = stmt.text(3);
        op.seq = stmt.int64(4);
        op.type = stmt.text(5);
        op.person_id = stmt.text(6);
        op.after = stmt.text(7);
        op.fingerprint = stmt.text(8);
        op.state = stmt.text(9);
        op.result = stmt.text(10);
        if (!stmt.is_null(11)) {
            auto plain = cipher_.decrypt(stmt.blob(11));
            if (!plain) {
                return fail(ErrorCode::StoreCorrupt,
                            "the payload of sync op " + op.id + " does not open with the key");
            }
            op.payload = std::move(*plain);
        }
        op.kelurahan_code = stmt.text(12);
        if (!stmt.is_null(13)) {
            op.base_version = stmt.int64(13);
        }
        if (!stmt.is_null(14)) {
            op.server_version = stmt.int64(14);
        }
        op.fields = stmt.text(15);
        op.received_at = core::from_unix_ms(stmt.int64(16));
        op.decided_at = opt_time(stmt, 17);
        op.decided_by = stmt.text(18);
        op.decision = stmt.text(19);
        op.version = stmt.int64(20);
        return op;
    }

    /// The op matching `where` (?1 and ?2 bound to `one`, `two`).
    Result<std::optional<SyncOpRecord>> sync_op_where(Connection& conn,
                                                      const std::string& where,
                                                      const std::string& one,
                                                      const std::string& two) const {
        KAPAL_SQL_ASSIGN(
            stmt, conn.prepare("SELECT " KAPAL_SQL_SYNC_COLUMNS " FROM sync_ops WHERE " + where));
        stmt.bind(1, one);
        if (!two.empty()) {
            stmt.bind(2, two);
        }
        KAPAL_SQL_ASSIGN(row, stmt.step());
        if (!row) {
            stmt.reset();
            return std::optional<SyncOpRecord>();
        }
        KAPAL_SQL_ASSIGN(op, sync_op_from_row(stmt));
        stmt.reset();
        return std::optional<SyncOpRecord>(std::move(op));
    }

    /// The pair matching `where` (over duplicate_pairs, with ?1 and ?2 bound to `one`, `two`).
    static Result<std::optional<DuplicatePairRecord>> pair_where(Connection& conn,
                                                                 const std::string& where,
                                                                 const std::string& one,
                                                                 const std::string& two) {
        KAPAL_SQL_ASSIGN(
            stmt,
            conn.prepare("SELECT " KAPAL_SQL_PAIR_COLUMNS " FROM duplicate_pairs WHERE " + where));
        stmt.bind(1, one);
        if (!two.empty()) {
            stmt.bind(2, two);
        }
        KAPAL_SQL_ASSIGN(row, stmt.step());
        if (!row) {
            return std::optional<DuplicatePairRecord>();
        }
        return std::optional<DuplicatePairRecord>(pair_from_row(stmt));
    }

    /// The open pair `id` at `expected_version`. Errors: NotFound, VersionConflict,
    /// DuplicatePairDecided.
    static Result<DuplicatePairRecord>
    open_pair(Connection& w, const std::string& id, std::int64_t expected_version) {
        KAPAL_SQL_ASSIGN(pair, pair_where(w, "id = ?1", id, ""));
        if (!pair) {
            return fail(ErrorCode::NotFound, "no duplicate pair " + id);
        }
        KAPAL_TRY(check_open_pair(*pair, expected_version));
        return std::move(*pair);
    }

    static Result<void> decide_pair(Connection& w,
                                    const DuplicatePairRecord& pair,
                                    std::string_view state,
                                    const std::string& kept,
                                    core::Timestamp at,
                                    const WriteContext& ctx) {
        KAPAL_SQL_ASSIGN(update,
                         w.prepare("UPDATE duplicate_pairs SET state = ?2, decided_at = ?3, "
                                   "decided_by = ?4, decision_reason = ?5, kept_id = ?6, "
                                   "version = version + 1 WHERE id = ?1"));
        update.bind(1, pair.id);
        update.bind(2, state);
        update.bind(3, core::to_unix_ms(at));
        update.bind(4, ctx.actor);
        update.bind(5, ctx.reason);
        update.bind(6, kept);
        return update.run();
    }

    // --- Voucher helpers

    /// $1..$8 of a merchant's INSERT/UPDATE (id, name, user_id, kelurahan_code, lon, lat,
    /// address, active).
    static void bind_merchant(Stmt& stmt, const MerchantRecord& m) {
        stmt.bind(1, m.id);
        stmt.bind(2, m.name);
        stmt.bind(3, m.user_id);
        stmt.bind(4, m.kelurahan_code);
        stmt.bind(5, m.lon);
        stmt.bind(6, m.lat);
        stmt.bind(7, m.address);
        stmt.bind(8, static_cast<std::int64_t>(m.active ? 1 : 0));
    }

    static MerchantRecord merchant_from_row(const Stmt& stmt) {
        MerchantRecord m;
        m.id = stmt.text(0);
        m.name = stmt.text(1);
        m.user_id = stmt.text(2);
        m.kelurahan_code = stmt.text(3);
        m.lon = stmt.real(4);
        m.lat = stmt.real(5);
        m.address = stmt.text(6);
        m.active = stmt.int64(7) != 0;
        m.version = stmt.int64(8);
        m.created_at = core::from_unix_ms(stmt.int64(9));
        m.created_by = stmt.text(10);
        m.updated_at = core::from_unix_ms(stmt.int64(11));
        m.updated_by = stmt.text(12);
        return m;
    }

    static Result<std::optional<MerchantRecord>> merchant_where(Connection& conn,
                                                                const std::string& id) {
        KAPAL_SQL_ASSIGN(
            stmt,
            conn.prepare("SELECT " KAPAL_SQL_MERCHANT_COLUMNS " FROM merchants WHERE id = ?1"));
        stmt.bind(1, id);
        KAPAL_SQL_ASSIGN(row, stmt.step());
        if (!row) {
            return std::optional<MerchantRecord>();
        }
        return std::optional<MerchantRecord>(merchant_from_row(stmt));
    }

    /// A row of (cycle_id, person_id, kelurahan_code, entitled, balance, delivery_id).
    static VoucherBalance balance_from_row(const Stmt& stmt) {
        VoucherBalance b;
        b.cycle_id = stmt.text(0);
        b.person_id = stmt.text(1);
        b.kelurahan_code = stmt.text(2);
        b.entitled = stmt.int64(3);
        b.balance = stmt.int64(4);
        b.spent = b.entitled - b.balance;
        b.issued = true;
        b.delivery_id = stmt.text(5);
        return b;
    }

    /// The person's voucher in the cycle, checking what a redemption needs: the cycle exists,
    /// its programme gives vouchers, its list is approved and holds the person. Not issued yet:
    /// entitled = balance = the programme's unit_value.
    static Result<VoucherBalance>
    voucher_target(Connection& conn, const std::string& cycle_id, const std::string& person_id) {
        KAPAL_SQL_ASSIGN(cycle,
                         conn.prepare("SELECT c.list_state, p.channel, p.unit_value, p.code FROM "
                                      "aid_cycles c JOIN aid_programs p ON p.code = "
                                      "c.program_code WHERE c.id = ?1"));
        cycle.bind(1, cycle_id);
        KAPAL_SQL_ASSIGN(found, cycle.step());
        if (!found) {
            return fail(ErrorCode::NotFound, "no cycle " + cycle_id);
        }
        const std::string state(cycle.text(0));
        const std::string channel(cycle.text(1));
        const std::int64_t unit_value = cycle.int64(2);
        const std::string program(cycle.text(3));
        cycle.reset();
        if (channel != "voucher") {
            return fail(ErrorCode::AidChannelMismatch,
                        "programme " + program + " is delivered by " + channel +
                            ", not by voucher");
        }
        if (state != "approved") {
            return fail(ErrorCode::AidListState,
                        "the list of cycle " + cycle_id + " is " + state + ", not approved");
        }
        KAPAL_SQL_ASSIGN(balance,
                         conn.prepare("SELECT cycle_id, person_id, kelurahan_code, entitled, "
                                      "balance, delivery_id FROM voucher_balances WHERE "
                                      "cycle_id = ?1 AND person_id = ?2"));
        balance.bind(1, cycle_id);
        balance.bind(2, person_id);
        KAPAL_SQL_ASSIGN(issued, balance.step());
        if (issued) {
            return balance_from_row(balance);
        }
        balance.reset();
        KAPAL_SQL_ASSIGN(listed,
                         conn.prepare("SELECT kelurahan_code FROM aid_list_entries WHERE "
                                      "cycle_id = ?1 AND person_id = ?2 AND removed = 0"));
        listed.bind(1, cycle_id);
        listed.bind(2, person_id);
        KAPAL_SQL_ASSIGN(on_list, listed.step());
        if (!on_list) {
            return fail(ErrorCode::AidNotOnList,
                        "person " + person_id + " is not on the list of cycle " + cycle_id);
        }
        VoucherBalance b;
        b.cycle_id = cycle_id;
        b.person_id = person_id;
        b.kelurahan_code = listed.text(0);
        b.entitled = unit_value;
        b.balance = unit_value;
        listed.reset();
        return b;
    }

    static Result<VoucherBalance> voucher_balance_in(Connection& conn,
                                                     const std::string& cycle_id,
                                                     const std::string& person_id) {
        return voucher_target(conn, cycle_id, person_id);
    }

    /// Issues the entitlement `target` (not yet issued): the delivery row of channel voucher
    /// (refused by aid_deliveries_once when another channel served the person), the balance
    /// row, and the issue transaction fund -> voucher.
    static Result<void> issue_voucher(Connection& w,
                                      core::Timestamp at,
                                      const WriteContext& ctx,
                                      const VoucherRedemption& r,
                                      const VoucherBalance& target) {
        KAPAL_SQL_ASSIGN(earlier,
                         w.prepare("SELECT id, channel FROM aid_deliveries WHERE cycle_id = ?1 "
                                   "AND person_id = ?2 AND state <> 'failed'"));
        earlier.bind(1, r.cycle_id);
        earlier.bind(2, r.person_id);
        KAPAL_SQL_ASSIGN(served, earlier.step());
        if (served) {
            const std::string message = "delivery " + std::string(earlier.text(0)) + " (" +
                                        std::string(earlier.text(1)) +
                                        ") of this cycle already reached person " + r.person_id;
            earlier.reset();
            return fail(ErrorCode::AidAlreadyDelivered, message);
        }
        earlier.reset();
        KAPAL_SQL_ASSIGN(program, w.prepare("SELECT program_code FROM aid_cycles WHERE id = ?1"));
        program.bind(1, r.cycle_id);
        KAPAL_SQL_ASSIGN(has_program, program.step());
        const std::string program_code = has_program ? std::string(program.text(0)) : "";
        program.reset();
        KAPAL_SQL_ASSIGN(delivery,
                         w.prepare("INSERT INTO aid_deliveries (" KAPAL_SQL_AID_DELIVERY_COLUMNS
                                   ", evidence) VALUES (?1, ?2, ?3, ?4, ?5, 'voucher', "
                                   "'delivered', ?6, ?7, ?8, NULL, NULL, NULL, ?9, ?10, '', "
                                   "'voucher', '', '', '', '', '', NULL)"));
        delivery.bind(1, r.delivery_id);
        delivery.bind(2, r.cycle_id);
        delivery.bind(3, program_code);
        delivery.bind(4, r.person_id);
        delivery.bind(5, target.kelurahan_code);
        delivery.bind(6, target.entitled);
        delivery.bind(7, core::to_unix_ms(at));
        delivery.bind(8, ctx.actor);
        delivery.bind(9, r.card_number);
        delivery.bind(10, r.search_reason);
        KAPAL_TRY(already_exists_as(delivery.run(), "delivery id " + r.delivery_id));
        KAPAL_SQL_ASSIGN(balance,
                         w.prepare("INSERT INTO voucher_balances (cycle_id, person_id, "
                                   "kelurahan_code, delivery_id, entitled, balance, issued_at) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)"));
        balance.bind(1, r.cycle_id);
        balance.bind(2, r.person_id);
        balance.bind(3, target.kelurahan_code);
        balance.bind(4, r.delivery_id);
        balance.bind(5, target.entitled);
        balance.bind(6, core::to_unix_ms(at));
        KAPAL_TRY(balance.run());
        if (target.entitled > 0) {
            VoucherTransaction t;
            t.id = r.issue_id;
            t.cycle_id = r.cycle_id;
            t.kind = "issue";
            t.person_id = r.person_id;
            t.amount = target.entitled;
            t.at = at;
            t.actor = ctx.actor;
            t.postings = {
                VoucherPosting{voucher_fund_account(r.cycle_id), -target.entitled},
                VoucherPosting{voucher_account(r.cycle_id, r.person_id), target.entitled}};
            KAPAL_TRY(insert_voucher_transaction(w, t));
        }
        return audit(
            w,
            at,
            ctx,
            "aid.deliver",
            r.person_id,
            "cycle=" + r.cycle_id + " delivery=" + r.delivery_id +
                " channel=voucher state=delivered amount=" + std::to_string(target.entitled));
    }

    /// Writes a transaction and its postings (seq 1, 2, ...).
    static Result<void> insert_voucher_transaction(Connection& w, const VoucherTransaction& t) {
        KAPAL_SQL_ASSIGN(insert,
                         w.prepare("INSERT INTO voucher_transactions (" KAPAL_SQL_VOUCHER_COLUMNS
                                   ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
        insert.bind(1, t.id);
        insert.bind(2, t.cycle_id);
        insert.bind(3, t.kind);
        insert.bind(4, t.person_id);
        insert.bind(5, t.merchant_id);
        insert.bind(6, t.amount);
        insert.bind(7, t.note);
        insert.bind(8, core::to_unix_ms(t.at));
        insert.bind(9, t.actor);
        insert.bind(10, t.card_number);
        insert.bind(11, t.search_reason);
        insert.bind(12, t.idempotency_key);
        KAPAL_TRY(already_exists_as(insert.run(), "voucher transaction id " + t.id));
        const std::int64_t pk = sqlite3_last_insert_rowid(w.db());
        KAPAL_SQL_ASSIGN(posting,
                         w.prepare("INSERT INTO voucher_postings (transaction_pk, seq, account, "
                                   "amount) VALUES (?1, ?2, ?3, ?4)"));
        std::int64_t seq = 0;
        for (const VoucherPosting& p : t.postings) {
            posting.bind(1, pk);
            posting.bind(2, ++seq);
            posting.bind(3, p.account);
            posting.bind(4, p.amount);
            KAPAL_TRY(posting.run());
            posting.reset();
        }
        return {};
    }

    /// Transactions matching `where` (with `texts` bound in order), by id, with their postings.
    static Result<std::vector<VoucherTransaction>>
    voucher_transactions_where(Connection& conn,
                               const std::string& where,
                               const std::vector<std::string>& texts,
                               int limit) {
        KAPAL_SQL_ASSIGN(stmt,
                         conn.prepare("SELECT t.id, t.cycle_id, t.kind, t.person_id, "
                                      "t.merchant_id, t.amount, t.note, t.at, t.actor, "
                                      "t.card_number, t.search_reason, t.idempotency_key, "
                                      "p.account, p.amount FROM (SELECT * FROM "
                                      "voucher_transactions WHERE " +
                                      where + " ORDER BY id LIMIT " + std::to_string(limit) +
                                      ") t JOIN voucher_postings p ON p.transaction_pk = t.pk "
                                      "ORDER BY t.id, p.seq"));
        int i = 1;
        for (const std::string& t : texts) {
            stmt.bind(i++, t);
        }
        std::vector<VoucherTransaction> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            if (out.empty() || out.back().id != stmt.text(0)) {
                VoucherTransaction t;
                t.id = stmt.text(0);
                t.cycle_id = stmt.text(1);
                t.kind = stmt.text(2);
                t.person_id = stmt.text(3);
                t.merchant_id = stmt.text(4);
                t.amount = stmt.int64(5);
                t.note = stmt.text(6);
                t.at = core::from_unix_ms(stmt.int64(7));
                t.actor = stmt.text(8);
                t.card_number = stmt.text(9);
                t.search_reason = stmt.text(10);
                t.idempotency_key = stmt.text(11);
                out.push_back(std::move(t));
            }
            out.back().postings.push_back(
                VoucherPosting{std::string(stmt.text(12)), stmt.int64(13)});
        }
        stmt.reset();
        return out;
    }

    /// Zones matching `where` (with ?1 = `arg` when it holds a value).
    Result<std::vector<HazardZoneRecord>> read_hazard_zones(const std::string& where,
                                                            const std::string& arg) {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_SQL_ASSIGN(stmt,
                         conn->prepare("SELECT id, name, hazard, level, source, geometry, "
                                       "created_at, created_by FROM hazard_zones " +
                                       where));
        if (!arg.empty()) {
            stmt.bind(1, arg);
        }
        std::vector<HazardZoneRecord> out;
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            HazardZoneRecord z;
            z.id = stmt.text(0);
            z.name = stmt.text(1);
            z.hazard = stmt.text(2);
            z.level = stmt.text(3);
            z.source = stmt.text(4);
            z.geometry = stmt.text(5);
            z.created_at = core::from_unix_ms(stmt.int64(6));
            z.created_by = stmt.text(7);
            out.push_back(std::move(z));
        }
        stmt.reset();
        return out;
    }

    std::filesystem::path file_;
    FieldCipher cipher_;
    core::SystemClock system_clock_;
    const core::Clock* clock_;
    std::mutex writer_mutex_;
    std::unique_ptr<Connection> writer_;
    ImportBatchView import_view_; ///< what kapal_import_batch shows; under writer_mutex_
    ReaderPool readers_;
};

// ---------------------------------------------------------------------------------------------
// Transfer between stores (Store::dump and Store::begin_load, for kapal migrate-store). The
// tables' columns are the canonical ones (store_transfer.hpp) under the same names, so both
// directions are generic: one SELECT and one INSERT per table, values bound by their kind.

/// The columns of the canonical form, comma-separated.
std::string transfer_column_list(TransferTable table) {
    std::string out;
    for (const TransferColumn& c : transfer_columns(table)) {
        out += out.empty() ? "" : ", ";
        out += c.name;
    }
    return out;
}

/// The key that orders a table's rows in the canonical form (byte order for text, SQLite's
/// BINARY collation, as PostgreSQL's COLLATE "C").
const char* transfer_order(TransferTable table) {
    switch (table) {
    case TransferTable::PersonVersions:
        return "person_pk, version";
    case TransferTable::IdempotencyKeys:
        return "key";
    case TransferTable::AuditLog:
        return "seq";
    case TransferTable::ServiceRequestEvents:
        return "request_pk, version";
    case TransferTable::AidListEntries:
    case TransferTable::VoucherBalances:
        return "cycle_id, person_id";
    case TransferTable::VoucherPostings:
        return "transaction_pk, seq";
    case TransferTable::Persons:
    case TransferTable::Users:
    case TransferTable::Sessions:
    case TransferTable::ApiTokens:
    case TransferTable::HazardZones:
    case TransferTable::Facilities:
    case TransferTable::Cards:
    case TransferTable::Services:
    case TransferTable::ServiceRequests:
    case TransferTable::AidPrograms:
    case TransferTable::AidCycles:
    case TransferTable::AidDeliveries:
    case TransferTable::Merchants:
    case TransferTable::VoucherTransactions:
    case TransferTable::AidBatches:
    case TransferTable::DuplicatePairs:
    case TransferTable::PersonFiles:
    case TransferTable::SyncOps:
        break;
    }
    return "pk";
}

/// Rows of every table: "SELECT (SELECT count(*) FROM persons), (SELECT count(*) FROM ...)".
std::string transfer_count_sql() {
    std::string sql = "SELECT ";
    for (const TransferTable t : kTransferTables) {
        sql += t == kTransferTables.front() ? "" : ", ";
        sql += "(SELECT count(*) FROM " + std::string(transfer_table_name(t)) + ")";
    }
    return sql;
}

Result<std::array<std::int64_t, kTransferTableCount>> transfer_counts(Connection& conn) {
    KAPAL_SQL_ASSIGN(stmt, conn.prepare_once(transfer_count_sql()));
    KAPAL_SQL_ASSIGN(row, stmt.step());
    std::array<std::int64_t, kTransferTableCount> out{};
    for (std::size_t i = 0; row && i < out.size(); ++i) {
        out[i] = stmt.int64(static_cast<int>(i));
    }
    return out;
}

/// Appends the current row of `stmt` (the canonical columns of `page`'s table) to `page`.
void append_transfer_row(const Stmt& stmt,
                         std::span<const TransferColumn> columns,
                         TransferPage& page) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const int col = static_cast<int>(i);
        if (stmt.is_null(col)) {
            page.null();
            continue;
        }
        switch (columns[i].kind) {
        case TransferKind::Int:
            page.int64(stmt.int64(col));
            break;
        case TransferKind::Real:
            page.real(stmt.real(col));
            break;
        case TransferKind::Text:
            page.text(stmt.text(col));
            break;
        case TransferKind::Bytes:
            page.bytes(stmt.blob(col));
            break;
        case TransferKind::Null:
            page.null();
            break;
        }
    }
    page.end_row();
}

Result<void> SqliteStore::dump(TransferSink& sink) {
    ReaderPool::Lease conn(readers_, readers_.acquire());
    // One read transaction: its first statement (the counts) fixes the snapshot for all tables.
    KAPAL_SQL_ASSIGN(tx, Transaction::begin(*conn, false));
    KAPAL_SQL_ASSIGN(counts, transfer_counts(*conn));
    TransferPage page;
    for (std::size_t t = 0; t < kTransferTables.size(); ++t) {
        const TransferTable table = kTransferTables[t];
        const auto columns = transfer_columns(table);
        KAPAL_TRY(sink.begin_table(table, counts[t]));
        KAPAL_SQL_ASSIGN(stmt,
                         conn->prepare_once("SELECT " + transfer_column_list(table) + " FROM " +
                                            std::string(transfer_table_name(table)) + " ORDER BY " +
                                            transfer_order(table)));
        page.reset(table);
        for (;;) {
            KAPAL_SQL_ASSIGN(row, stmt.step());
            if (!row) {
                break;
            }
            append_transfer_row(stmt, columns, page);
            if (page.rows() >= kTransferPageRows || page.data().size() >= kTransferPageBytes) {
                KAPAL_TRY(sink.write(page));
                page.reset(table);
            }
        }
        if (page.rows() > 0) {
            KAPAL_TRY(sink.write(page));
        }
        KAPAL_TRY(sink.end_table(table));
    }
    return tx.commit();
}

/// A load into an empty SQLite store: one INSERT per row with every canonical column (the
/// integer keys too) in one write transaction, then the name index rebuilt from the table.
class SqliteStoreLoad final : public StoreLoad {
  public:
    SqliteStoreLoad(std::unique_lock<std::mutex> lock, Connection& writer, Transaction tx)
        : lock_(std::move(lock))
        , w_(writer)
        , tx_(std::move(tx)) {}

    Result<void> begin_table(TransferTable table, std::int64_t /*rows*/) override {
        KAPAL_TRY(sequence_.begin(table));
        const std::string columns = transfer_column_list(table);
        std::string values;
        for (std::size_t i = 1; i <= transfer_columns(table).size(); ++i) {
            values += (i == 1 ? "?" : ", ?") + std::to_string(i);
        }
        insert_sql_ = "INSERT INTO " + std::string(transfer_table_name(table)) + " (" + columns +
                      ") VALUES (" + values + ")";
        return {};
    }

    Result<void> write(const TransferPage& page) override {
        KAPAL_TRY(sequence_.page(page));
        const auto columns = static_cast<int>(transfer_columns(page.table()).size());
        KAPAL_SQL_ASSIGN(insert, w_.prepare(insert_sql_));
        TransferReader values(page);
        while (!values.at_end()) {
            for (int i = 1; i <= columns; ++i) {
                const TransferValue v = values.next();
                switch (v.kind) {
                case TransferKind::Null:
                    insert.bind_null(i);
                    break;
                case TransferKind::Int:
                    insert.bind(i, v.integer);
                    break;
                case TransferKind::Real:
                    insert.bind(i, v.real);
                    break;
                case TransferKind::Text:
                    insert.bind_static(i, v.raw);
                    break;
                case TransferKind::Bytes:
                    insert.bind_static(i, v.bytes());
                    break;
                }
            }
            auto done = insert.run();
            insert.reset();
            if (!done) {
                Error e = std::move(done).error();
                e.message =
                    "loading " + std::string(transfer_table_name(page.table())) + ": " + e.message;
                return fail(std::move(e));
            }
        }
        return {};
    }

    Result<void> end_table(TransferTable table) override { return sequence_.end(table); }

    Result<void> commit() override {
        KAPAL_TRY(sequence_.complete());
        // The name index is external content over persons: rebuilt from the table in one pass.
        KAPAL_TRY(w_.exec("INSERT INTO persons_name_fts (persons_name_fts) VALUES ('rebuild')"));
        // The registry timeline is derived from persons and person_versions (not transferred).
        KAPAL_TRY(w_.exec(kRebuildStates));
        return tx_.commit();
    }

  private:
    std::unique_lock<std::mutex> lock_; ///< the store's writer, held until destruction
    Connection& w_;
    Transaction tx_; ///< rolled back at destruction unless committed
    TransferSequence sequence_;
    std::string insert_sql_;
};

Result<std::unique_ptr<StoreLoad>> SqliteStore::begin_load() {
    std::unique_lock lock(writer_mutex_);
    Connection& w = *writer_;
    KAPAL_SQL_ASSIGN(tx, Transaction::begin(w, true));
    KAPAL_SQL_ASSIGN(counts, transfer_counts(w));
    KAPAL_TRY(check_transfer_target_empty(counts));
    return std::unique_ptr<StoreLoad>(
        std::make_unique<SqliteStoreLoad>(std::move(lock), w, std::move(tx)));
}

} // namespace detail

int sqlite_schema_version() {
    return detail::kSchemaVersion;
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& file,
                                                 const StoreKeys& keys,
                                                 const SqliteOptions& options,
                                                 const core::Clock* clock) {
    if (!store_keys_valid(keys)) {
        return fail(ErrorCode::KeyMissing, "store keys must be 32 bytes each");
    }
    if (options.reader_connections < 1 || options.busy_timeout_ms < 0) {
        return fail(ErrorCode::ConfigInvalid,
                    "sqlite needs at least one reader connection and a busy timeout >= 0");
    }
    try {
        auto store = std::make_unique<detail::SqliteStore>(file, keys, clock);
        KAPAL_TRY(store->open(options));
        return std::unique_ptr<Store>(std::move(store));
    } catch (const std::exception& e) {
        return fail(ErrorCode::StoreUnavailable, std::string("sqlite: ") + e.what());
    }
}

} // namespace kapal::store
