#include "kapal/store/postgres/postgres_store.hpp"

#include "kapal/core/assert.hpp"
#include "kapal/core/audit_chain.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/person_doc.hpp"
#include "kapal/store/postgres/pg_connection.hpp"
#include "kapal/store/store_codec.hpp"
#include "kapal/store/store_transfer.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <span>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace kapal::store {
// Everything here has internal linkage: the SQLite store, linked into the same program, has
// helpers of the same names in its own translation unit.
namespace {

using detail::PgConnection;
using detail::PgParams;
using detail::PgResult;
using detail::PgTransaction;

// ---------------------------------------------------------------------------------------------
// Schema and migrations. Each step runs once, in order, inside the opening transaction, and is
// recorded as a row of schema_version. Append steps; never edit an applied one. The steps are
// those of the SQLite store (v1 persons and history, v2 users, v3 sessions, tokens and the
// audit log), so both backends report the same schema version for the same content.
//
// Choices that differ from SQLite, all invisible above the Store interface:
// - Instants are bigint milliseconds since the Unix epoch (UTC), as in SQLite: exact round trips
//   of core::Timestamp, no time zone conversion. SQL readers convert with to_timestamp(x/1000.0).
// - Codes, ids and user names are COLLATE "C": byte order, as SQLite compares them, so that
//   the scope ranges ("64.74." .. "64.74/") and the ordering of user names mean the same here
//   whatever the database's locale.
// - The home is a PostGIS point (SRID 4326, lon/lat) with a GiST index; name search is a
//   pg_trgm GIN index on lower(full_name) (SQLite: an FTS5 trigram table). PostgreSQL keeps
//   both indexes up to date itself.
// - The birth date is a `date`, for age queries at national scale.
// - audit_log.seq comes from the single-row table audit_counter, incremented in the writing
//   transaction, not from a sequence: a sequence hands out numbers outside transactions, so a
//   rolled-back write would leave a gap and concurrent writers could commit out of seq order.
//   The row lock on the counter, taken first by every writing transaction, also serialises
//   writers across all processes sharing the database (SQLite's one writer): seq is 1, 2, 3,
//   ... in commit order, and check-then-write steps (NIK taken? user name taken? version
//   still current?) cannot race.

struct Migration {
    int version;
    const char* sql;
};

constexpr const char* kSchemaV1 = R"sql(
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE persons (
    pk             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             text COLLATE "C" NOT NULL UNIQUE,
    version        bigint NOT NULL,
    created_at     bigint NOT NULL,
    updated_at     bigint NOT NULL,
    created_by     text   NOT NULL,
    updated_by     text   NOT NULL,
    updated_source text   NOT NULL,
    updated_reason text   NOT NULL,
    nik_enc        bytea  NOT NULL,
    nik_bidx       bytea  NOT NULL UNIQUE,
    kk_enc         bytea,
    kk_bidx        bytea,
    full_name      text   NOT NULL,
    sex            text   NOT NULL,
    birth_date     date,
    kelurahan_code text COLLATE "C" NOT NULL,
    kecamatan_code text COLLATE "C" NOT NULL,
    categories     bigint NOT NULL,
    severity       text,
    status         text   NOT NULL,
    home           geometry(Point, 4326),
    doc            text   NOT NULL
);
CREATE INDEX persons_kk_bidx ON persons (kk_bidx);
CREATE INDEX persons_kelurahan ON persons (kelurahan_code, pk);
CREATE INDEX persons_kecamatan ON persons (kecamatan_code, pk);
CREATE INDEX persons_status ON persons (status, pk);
CREATE INDEX persons_home ON persons USING gist (home);
CREATE INDEX persons_name_trgm ON persons USING gin (lower(full_name) gin_trgm_ops);

-- The previous versions of each person (copy-on-write): an update first copies the row it
-- replaces here, in the same transaction. The current version lives only in persons.
CREATE TABLE person_versions (
    person_pk      bigint NOT NULL REFERENCES persons (pk),
    version        bigint NOT NULL,
    recorded_at    bigint NOT NULL,
    actor          text   NOT NULL,
    source         text   NOT NULL,
    reason         text   NOT NULL,
    kecamatan_code text COLLATE "C" NOT NULL,
    nik_enc        bytea  NOT NULL,
    kk_enc         bytea,
    doc            text   NOT NULL,
    PRIMARY KEY (person_pk, version)
);

CREATE TABLE idempotency_keys (
    key         text   PRIMARY KEY,
    fingerprint text   NOT NULL,
    person_id   text   NOT NULL,
    created_at  bigint NOT NULL
);
)sql";

// v2: user accounts; area codes as one text of codes separated by spaces, as in SQLite.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE users (
    pk            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            text COLLATE "C" NOT NULL UNIQUE,
    username      text COLLATE "C" NOT NULL UNIQUE,
    display_name  text    NOT NULL,
    role          text    NOT NULL,
    area_codes    text    NOT NULL,
    disabled      boolean NOT NULL,
    password_hash text    NOT NULL,
    created_at    bigint  NOT NULL,
    updated_at    bigint  NOT NULL
);
)sql";

// v3: sessions, API tokens (only the SHA-256 of their secret), the audit log and its counter
// (see above). The log's indexes pair each filter with seq, so a filtered page newest first is
// one index range.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE sessions (
    pk           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           text COLLATE "C" NOT NULL UNIQUE,
    token_hash   text   NOT NULL UNIQUE,
    user_id      text COLLATE "C" NOT NULL,
    created_at   bigint NOT NULL,
    last_seen_at bigint NOT NULL,
    expires_at   bigint NOT NULL,
    revoked_at   bigint,
    address      text   NOT NULL,
    user_agent   text   NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id, created_at);

CREATE TABLE api_tokens (
    pk         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         text COLLATE "C" NOT NULL UNIQUE,
    name       text   NOT NULL,
    token_hash text   NOT NULL UNIQUE,
    user_id    text COLLATE "C" NOT NULL,
    role       text   NOT NULL,
    area_codes text   NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    revoked_at bigint
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);

CREATE TABLE audit_log (
    seq     bigint PRIMARY KEY,
    at      bigint NOT NULL,
    actor   text   NOT NULL,
    source  text   NOT NULL,
    action  text   NOT NULL,
    subject text   NOT NULL,
    detail  text   NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);

CREATE TABLE audit_counter (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    seq      bigint  NOT NULL
);
INSERT INTO audit_counter (seq) VALUES (0);
)sql";

// v4: the change feed. change_seq is the audit seq of the write that last wrote the row (the
// seq begin_write reads under the writer lock, plus one; rows written before v4 keep 0).
// Followers read persons by (change_seq, pk) after a cursor; writes of persons NOTIFY
// kapal_changes, which PostgreSQL delivers at commit.
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE persons ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;
CREATE INDEX persons_change ON persons (change_seq, pk);
)sql";

// v5: as SQLite's v5 (persons.devices, the device bit mask as it was at v5, filled from the
// document for rows written before; the area boundaries). Here the boundary is also a PostGIS
// geometry(MultiPolygon, 4326) with a GiST index, derived from the GeoJSON text by sync_areas,
// so that SQL and QGIS users can join homes to areas (ST_Contains(a.geom, p.home)).
constexpr const char* kSchemaV5 = R"sql(
ALTER TABLE persons ADD COLUMN devices bigint NOT NULL DEFAULT 0;
UPDATE persons SET devices = (
    SELECT coalesce(sum(DISTINCT CASE d
        WHEN 'kursi_roda' THEN 1 WHEN 'kruk' THEN 2 WHEN 'tongkat' THEN 4
        WHEN 'tongkat_netra' THEN 8 WHEN 'walker' THEN 16 WHEN 'kaki_palsu' THEN 32
        WHEN 'tangan_palsu' THEN 64 WHEN 'alat_bantu_dengar' THEN 128 WHEN 'kacamata' THEN 256
        WHEN 'braille' THEN 512 WHEN 'alat_bantu_lainnya' THEN 1024 WHEN 'popok' THEN 2048
        ELSE 0 END), 0)
    FROM jsonb_array_elements_text(
        coalesce(persons.doc::jsonb -> 'assistive_devices', '[]'::jsonb)) AS d)
WHERE persons.doc::jsonb ? 'assistive_devices';

CREATE TABLE areas (
    code        text COLLATE "C" PRIMARY KEY,
    level       text NOT NULL,
    name        text NOT NULL,
    parent_code text COLLATE "C" NOT NULL,
    geometry    text NOT NULL,
    geom        geometry(MultiPolygon, 4326) NOT NULL
);
CREATE INDEX areas_geom ON areas USING gist (geom);
CREATE INDEX areas_level ON areas (level, code);
)sql";

// v6: hazard zones and facilities, as SQLite's v6. The zone's PostGIS geometry is a generated
// column (ST_GeomFromGeoJSON is immutable), so writers and migrate-store give only the GeoJSON
// text and PostgreSQL keeps the two in step; a facility's position is a PostGIS point, like a
// home.
constexpr const char* kSchemaV6 = R"sql(
CREATE TABLE hazard_zones (
    pk         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         text COLLATE "C" NOT NULL UNIQUE,
    name       text   NOT NULL,
    hazard     text   NOT NULL,
    level      text   NOT NULL,
    source     text   NOT NULL,
    geometry   text   NOT NULL,
    created_at bigint NOT NULL,
    created_by text   NOT NULL,
    geom       geometry(MultiPolygon, 4326) NOT NULL
        GENERATED ALWAYS AS (ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(geometry), 4326))) STORED
);
CREATE INDEX hazard_zones_geom ON hazard_zones USING gist (geom);

CREATE TABLE facilities (
    pk             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             text COLLATE "C" NOT NULL UNIQUE,
    kind           text   NOT NULL,
    name           text   NOT NULL,
    location       geometry(Point, 4326) NOT NULL,
    kelurahan_code text COLLATE "C" NOT NULL,
    address        text   NOT NULL,
    phone          text   NOT NULL,
    source         text   NOT NULL,
    created_at     bigint NOT NULL,
    created_by     text   NOT NULL
);
CREATE INDEX facilities_location ON facilities USING gist (location);
CREATE INDEX facilities_kind ON facilities (kind, name);
)sql";

// v7: the audit log is hash-chained (core::audit_chain_hash). Entries written before v7 get
// their hashes in the migration (PostgresStore::chain_audit_log), in seq order.
constexpr const char* kSchemaV7 = R"sql(
ALTER TABLE audit_log ADD COLUMN hash text NOT NULL DEFAULT '';
)sql";

// v8: cards, as SQLite's v8: one active card per person (a partial unique index), serials
// counted per regency.
constexpr const char* kSchemaV8 = R"sql(
CREATE TABLE cards (
    pk             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number         text COLLATE "C" NOT NULL UNIQUE,
    regency        text COLLATE "C" NOT NULL,
    serial         bigint NOT NULL,
    person_id      text COLLATE "C" NOT NULL,
    kelurahan_code text COLLATE "C" NOT NULL,
    kid            text   NOT NULL,
    credential     text   NOT NULL,
    issued_at      bigint NOT NULL,
    expires_at     bigint NOT NULL,
    issued_by      text   NOT NULL,
    status         text   NOT NULL CHECK (status IN ('active', 'revoked')),
    revoked_at     bigint,
    revoked_by     text   NOT NULL,
    revoke_reason  text   NOT NULL,
    revoke_note    text   NOT NULL,
    replaced_by    text   NOT NULL,
    printed_at     bigint,
    printed_by     text   NOT NULL,
    handed_over_at bigint,
    handed_over_by text   NOT NULL,
    UNIQUE (regency, serial)
);
CREATE UNIQUE INDEX cards_one_active ON cards (person_id) WHERE status = 'active';
CREATE INDEX cards_person ON cards (person_id, pk);
CREATE INDEX cards_kelurahan ON cards (kelurahan_code, number);
)sql";

// v9: the services the card opens and each person's requests for them, as SQLite's v9.
constexpr const char* kSchemaV9 = R"sql(
CREATE TABLE services (
    pk          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text COLLATE "C" NOT NULL UNIQUE,
    name        text   NOT NULL,
    name_en     text   NOT NULL,
    description text   NOT NULL,
    active      bigint NOT NULL,
    position    bigint NOT NULL,
    updated_at  bigint NOT NULL,
    updated_by  text   NOT NULL
);

CREATE TABLE service_requests (
    pk             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             text COLLATE "C" NOT NULL UNIQUE,
    person_id      text COLLATE "C" NOT NULL,
    service_code   text COLLATE "C" NOT NULL,
    kelurahan_code text COLLATE "C" NOT NULL,
    card_number    text   NOT NULL,
    status         text   NOT NULL,
    note           text   NOT NULL,
    version        bigint NOT NULL,
    created_at     bigint NOT NULL,
    created_by     text   NOT NULL,
    updated_at     bigint NOT NULL,
    updated_by     text   NOT NULL
);
CREATE INDEX service_requests_person ON service_requests (person_id, pk);

CREATE TABLE service_request_events (
    request_pk bigint NOT NULL REFERENCES service_requests (pk),
    version    bigint NOT NULL,
    at         bigint NOT NULL,
    actor      text   NOT NULL,
    status     text   NOT NULL,
    note       text   NOT NULL,
    PRIMARY KEY (request_pk, version)
);
)sql";

// v10: social assistance, as SQLite's v10: programmes, their cycles with the list's state, the
// lists and the deliveries. Never twice: at most one delivery that is not failed per (cycle,
// person), whatever the channel (aid_deliveries_once), and an officer's idempotency key is used
// once (aid_deliveries_idempotency). Here the flags active and removed are booleans, a cycle's
// days are `date`s, and coordinates are double precision (not PostGIS points: they are read
// back as recorded, never searched by place).
constexpr const char* kSchemaV10 = R"sql(
CREATE TABLE aid_programs (
    pk         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       text COLLATE "C" NOT NULL UNIQUE,
    name       text    NOT NULL,
    source     text    NOT NULL,
    kind       text    NOT NULL,
    channel    text    NOT NULL,
    unit_value bigint  NOT NULL CHECK (unit_value >= 0),
    rule       text    NOT NULL,
    excludes   text    NOT NULL,
    assignees  text    NOT NULL,
    active     boolean NOT NULL,
    version    bigint  NOT NULL,
    created_at bigint  NOT NULL,
    created_by text    NOT NULL,
    updated_at bigint  NOT NULL,
    updated_by text    NOT NULL
);

CREATE TABLE aid_cycles (
    pk           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           text COLLATE "C" NOT NULL UNIQUE,
    program_code text COLLATE "C" NOT NULL REFERENCES aid_programs (code),
    number       bigint NOT NULL,
    name         text   NOT NULL,
    starts_on    date   NOT NULL,
    ends_on      date   NOT NULL,
    quotas       text   NOT NULL,
    site_lon     double precision,
    site_lat     double precision,
    list_state   text   NOT NULL CHECK (list_state IN ('draft', 'proposed', 'approved')),
    rule         text   NOT NULL,
    list_hash    text   NOT NULL,
    list_size    bigint NOT NULL,
    proposed_by  text   NOT NULL,
    proposed_at  bigint,
    approved_by  text   NOT NULL,
    approved_at  bigint,
    version      bigint NOT NULL,
    created_at   bigint NOT NULL,
    created_by   text   NOT NULL,
    UNIQUE (program_code, number),
    CHECK ((site_lon IS NULL) = (site_lat IS NULL))
);

CREATE TABLE aid_list_entries (
    cycle_id       text COLLATE "C" NOT NULL,
    person_id      text COLLATE "C" NOT NULL,
    kelurahan_code text COLLATE "C" NOT NULL,
    source         text    NOT NULL CHECK (source IN ('rule', 'manual')),
    removed        boolean NOT NULL,
    reason         text    NOT NULL,
    flags          text    NOT NULL,
    added_at       bigint  NOT NULL,
    added_by       text    NOT NULL,
    PRIMARY KEY (cycle_id, person_id)
);
CREATE INDEX aid_list_entries_kelurahan ON aid_list_entries (cycle_id, kelurahan_code);

CREATE TABLE aid_deliveries (
    pk              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              text COLLATE "C" NOT NULL UNIQUE,
    cycle_id        text COLLATE "C" NOT NULL,
    program_code    text COLLATE "C" NOT NULL,
    person_id       text COLLATE "C" NOT NULL,
    kelurahan_code  text COLLATE "C" NOT NULL,
    channel         text   NOT NULL,
    state           text   NOT NULL CHECK (state IN ('delivered', 'pending', 'failed')),
    amount          bigint NOT NULL CHECK (amount >= 0),
    recorded_at     bigint NOT NULL,
    officer         text COLLATE "C" NOT NULL,
    lon             double precision,
    lat             double precision,
    accuracy_m      double precision,
    card_number     text   NOT NULL,
    search_reason   text   NOT NULL,
    evidence_type   text   NOT NULL,
    evidence        bytea,
    note            text   NOT NULL,
    flags           text   NOT NULL,
    idempotency_key text COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX aid_deliveries_once ON aid_deliveries (cycle_id, person_id)
    WHERE state <> 'failed';
CREATE UNIQUE INDEX aid_deliveries_idempotency ON aid_deliveries (officer, idempotency_key)
    WHERE idempotency_key <> '';
CREATE INDEX aid_deliveries_person ON aid_deliveries (person_id, pk);
CREATE INDEX aid_deliveries_cycle ON aid_deliveries (cycle_id, kelurahan_code);
)sql";

// v11: vouchers, as SQLite's v11: merchants, each voucher's balance row (CHECK: never below
// zero, never above the entitlement; spent by a conditional UPDATE, which takes the row lock, so
// concurrent redemptions queue on it and re-check the balance), and the double-entry ledger.
constexpr const char* kSchemaV11 = R"sql(
CREATE TABLE merchants (
    pk             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             text COLLATE "C" NOT NULL UNIQUE,
    name           text    NOT NULL,
    user_id        text COLLATE "C" NOT NULL,
    kelurahan_code text COLLATE "C" NOT NULL,
    lon            double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat            double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    address        text    NOT NULL,
    active         boolean NOT NULL,
    version        bigint  NOT NULL,
    created_at     bigint  NOT NULL,
    created_by     text    NOT NULL,
    updated_at     bigint  NOT NULL,
    updated_by     text    NOT NULL
);
CREATE INDEX merchants_user ON merchants (user_id);

CREATE TABLE voucher_balances (
    cycle_id       text COLLATE "C" NOT NULL,
    person_id      text COLLATE "C" NOT NULL,
    kelurahan_code text COLLATE "C" NOT NULL,
    delivery_id    text COLLATE "C" NOT NULL,
    entitled       bigint NOT NULL CHECK (entitled >= 0),
    balance        bigint NOT NULL CHECK (balance >= 0 AND balance <= entitled),
    issued_at      bigint NOT NULL,
    PRIMARY KEY (cycle_id, person_id)
);

CREATE TABLE voucher_transactions (
    pk              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              text COLLATE "C" NOT NULL UNIQUE,
    cycle_id        text COLLATE "C" NOT NULL,
    kind            text   NOT NULL CHECK (kind IN ('issue', 'redeem')),
    person_id       text COLLATE "C" NOT NULL,
    merchant_id     text COLLATE "C" NOT NULL,
    amount          bigint NOT NULL CHECK (amount > 0),
    note            text   NOT NULL,
    at              bigint NOT NULL,
    actor           text COLLATE "C" NOT NULL,
    card_number     text   NOT NULL,
    search_reason   text   NOT NULL,
    idempotency_key text COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX voucher_transactions_idempotency ON voucher_transactions (actor, idempotency_key)
    WHERE idempotency_key <> '';
CREATE INDEX voucher_transactions_cycle ON voucher_transactions (cycle_id, id);
CREATE INDEX voucher_transactions_person ON voucher_transactions (person_id, id);
CREATE INDEX voucher_transactions_merchant ON voucher_transactions (merchant_id, id);

CREATE TABLE voucher_postings (
    transaction_pk bigint NOT NULL REFERENCES voucher_transactions (pk),
    seq            bigint NOT NULL,
    account        text COLLATE "C" NOT NULL,
    amount         bigint NOT NULL,
    PRIMARY KEY (transaction_pk, seq)
);
CREATE INDEX voucher_postings_account ON voucher_postings (account);
)sql";

// v12: transfer batches, as SQLite's v12. A batch's lines are aid_deliveries rows with its id;
// aid_deliveries_once keeps a person in at most one live batch, and apart from a handover.
constexpr const char* kSchemaV12 = R"sql(
CREATE TABLE aid_batches (
    pk            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            text COLLATE "C" NOT NULL UNIQUE,
    cycle_id      text COLLATE "C" NOT NULL,
    program_code  text COLLATE "C" NOT NULL,
    number        bigint NOT NULL,
    state         text   NOT NULL CHECK (state IN ('dibuat', 'direkonsiliasi')),
    line_count    bigint NOT NULL,
    total_amount  bigint NOT NULL,
    created_at    bigint NOT NULL,
    created_by    text   NOT NULL,
    reconciled_at bigint,
    UNIQUE (cycle_id, number)
);
ALTER TABLE aid_deliveries ADD COLUMN batch_id text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE aid_deliveries ADD COLUMN fail_reason text NOT NULL DEFAULT '';
ALTER TABLE aid_deliveries ADD COLUMN bank_reference text NOT NULL DEFAULT '';
CREATE INDEX aid_deliveries_batch ON aid_deliveries (batch_id, id) WHERE batch_id <> '';
)sql";

// v13: the duplicate review, as SQLite's v13: a pair stored once (the lower id first), open or
// decided digabung / berbeda; a decided pair is never proposed again.
constexpr const char* kSchemaV13 = R"sql(
CREATE TABLE duplicate_pairs (
    pk              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              text COLLATE "C" NOT NULL UNIQUE,
    person_a        text COLLATE "C" NOT NULL,
    person_b        text COLLATE "C" NOT NULL,
    kelurahan_a     text COLLATE "C" NOT NULL,
    kelurahan_b     text COLLATE "C" NOT NULL,
    score           double precision NOT NULL,
    explanation     text   NOT NULL,
    source          text   NOT NULL,
    state           text   NOT NULL CHECK (state IN ('terbuka', 'digabung', 'berbeda')),
    found_at        bigint NOT NULL,
    found_by        text   NOT NULL,
    decided_at      bigint,
    decided_by      text   NOT NULL DEFAULT '',
    decision_reason text   NOT NULL DEFAULT '',
    kept_id         text COLLATE "C" NOT NULL DEFAULT '',
    version         bigint NOT NULL,
    CHECK (person_a < person_b),
    UNIQUE (person_a, person_b)
);
CREATE INDEX duplicate_pairs_b ON duplicate_pairs (person_b);
CREATE INDEX duplicate_pairs_state ON duplicate_pairs (state, id);
)sql";

// v14: the registry timeline (issue 10, flow reports; docs/reports.md), as in SQLite: one row
// per version of a person with the figures the reports need as plain columns. Here a row trigger
// on persons writes it, in the writing transaction, for every path that makes a version (create,
// update, an import's COPY); a version an import batch made and replaced at the same instant is
// kept as the last one only. Derived data: this step fills it from the current rows and the
// documents of the stored versions, and a transfer rebuilds it the same way (kRebuildStates).
#define KAPAL_PG_REBUILD_STATES                                                                    \
    "INSERT INTO person_states SELECT pk, version, updated_at, kelurahan_code, status, sex, "      \
    "birth_date, severity, categories FROM persons ON CONFLICT DO NOTHING;\n"                      \
    "INSERT INTO person_states SELECT person_pk, version, recorded_at, "                           \
    "coalesce(d->'address'->>'kelurahan_code', ''), d->>'status', d->>'sex', "                     \
    "(d->>'birth_date')::date, d->>'severity', (SELECT coalesce(sum(CASE c WHEN 'fisik' THEN 1 "   \
    "WHEN 'intelektual' THEN 2 WHEN 'mental' THEN 4 WHEN 'sensorik_netra' THEN 8 "                 \
    "WHEN 'sensorik_rungu' THEN 16 WHEN 'sensorik_wicara' THEN 32 ELSE 0 END), 0) "                \
    "FROM jsonb_array_elements_text(d->'categories') c)::bigint "                                  \
    "FROM (SELECT person_pk, version, recorded_at, doc::jsonb AS d FROM person_versions) v "       \
    "ON CONFLICT DO NOTHING;\n"
constexpr const char* kSchemaV14 =
    "CREATE TABLE person_states (\n"
    "    person_pk      bigint NOT NULL,\n"
    "    version        bigint NOT NULL,\n"
    "    at             bigint NOT NULL,\n"
    "    kelurahan_code text COLLATE \"C\" NOT NULL,\n"
    "    status         text   NOT NULL,\n"
    "    sex            text   NOT NULL,\n"
    "    birth_date     date,\n"
    "    severity       text,\n"
    "    categories     bigint NOT NULL,\n"
    "    PRIMARY KEY (person_pk, version)\n"
    ");\n"
    "CREATE FUNCTION kapal_person_state() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
    "BEGIN\n"
    "    INSERT INTO person_states VALUES (NEW.pk, NEW.version, NEW.updated_at, "
    "NEW.kelurahan_code, NEW.status, NEW.sex, NEW.birth_date, NEW.severity, NEW.categories)\n"
    "    ON CONFLICT (person_pk, version) DO UPDATE SET at = EXCLUDED.at, "
    "kelurahan_code = EXCLUDED.kelurahan_code, status = EXCLUDED.status, sex = EXCLUDED.sex, "
    "birth_date = EXCLUDED.birth_date, severity = EXCLUDED.severity, "
    "categories = EXCLUDED.categories;\n"
    "    RETURN NULL;\n"
    "END\n"
    "$fn$;\n"
    "CREATE TRIGGER persons_state AFTER INSERT OR UPDATE OF version ON persons "
    "FOR EACH ROW EXECUTE FUNCTION kapal_person_state();\n" KAPAL_PG_REBUILD_STATES;
constexpr const char* kRebuildStates = "DELETE FROM person_states;\n" KAPAL_PG_REBUILD_STATES;

/// The registry states written before $1, person by person (a cursor reads it in pages).
constexpr const char* kSelectStates =
    "SELECT person_pk, version, at, kelurahan_code, status, sex, "
    "to_char(birth_date, 'YYYY-MM-DD'), severity, categories FROM person_states WHERE at < ";

// The facts of the per-area indicators (Store::scan_indicator_facts), read through cursors.
constexpr const char* kSelectCardSpans =
    "SELECT p.pk, c.issued_at, c.expires_at, c.revoked_at FROM cards c "
    "JOIN persons p ON p.id = c.person_id";
constexpr const char* kSelectDeliveredAid =
    "SELECT p.pk, d.recorded_at FROM aid_deliveries d JOIN persons p ON p.id = d.person_id "
    "WHERE d.state = 'delivered' AND d.recorded_at >= ";
constexpr const char* kSelectHomes =
    "SELECT pk, ST_X(home), ST_Y(home) FROM persons WHERE home IS NOT NULL";

// v15: a person's files, as SQLite's v15: the blob store of Person::photo_id and DocumentRef; and
// the indexes of the sorted person lists.
// Rows are never changed; `content` is sealed with the field key (FieldCipher), sha256 is of the
// clear bytes.
constexpr const char* kSchemaV15 = R"sql(
CREATE TABLE person_files (
    pk         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         text COLLATE "C" NOT NULL UNIQUE,
    person_id  text COLLATE "C" NOT NULL,
    kind       text COLLATE "C" NOT NULL,
    media_type text   NOT NULL,
    size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    sha256     text   NOT NULL,
    content    bytea  NOT NULL,
    created_at bigint NOT NULL,
    created_by text   NOT NULL
);
CREATE INDEX person_files_person ON person_files (person_id, kind, pk);

-- The sorted person lists (PersonQuery::sort) page through these (kelurahan: persons_kelurahan);
-- the expressions are exactly those of list_persons, so the planner matches them.
CREATE INDEX persons_sort_name ON persons (lower(full_name COLLATE "C"), pk);
CREATE INDEX persons_sort_birth_date ON persons (coalesce(birth_date, DATE '-infinity'), pk);
)sql";

// v16: offline sync, as SQLite's v16 (docs/sync.md): every op a device sent, once per (actor,
// key), its answer, and while it waits or is a conflict the op itself sealed with the field key.
constexpr const char* kSchemaV16 = R"sql(
CREATE TABLE sync_ops (
    pk             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             text COLLATE "C" NOT NULL UNIQUE,
    actor          text COLLATE "C" NOT NULL,
    op_key         text COLLATE "C" NOT NULL,
    device_id      text   NOT NULL,
    seq            bigint NOT NULL,
    type           text   NOT NULL,
    person_id      text COLLATE "C" NOT NULL,
    after_key      text COLLATE "C" NOT NULL,
    fingerprint    text   NOT NULL,
    state          text   NOT NULL CHECK (state IN ('applied', 'merged', 'conflict', 'resolved',
                                                    'waiting', 'rejected')),
    result         text   NOT NULL,
    payload        bytea,
    kelurahan_code text COLLATE "C" NOT NULL,
    base_version   bigint,
    server_version bigint,
    fields         text   NOT NULL,
    received_at    bigint NOT NULL,
    decided_at     bigint,
    decided_by     text   NOT NULL,
    decision       text   NOT NULL,
    version        bigint NOT NULL,
    UNIQUE (actor, op_key)
);
CREATE INDEX sync_ops_waiting ON sync_ops (actor, after_key, seq) WHERE state = 'waiting';
CREATE INDEX sync_ops_conflicts ON sync_ops (state, id) WHERE state IN ('conflict', 'resolved');
)sql";

// v17: a service request remembers the client's idempotency key, once per creator, as SQLite's
// v17.
constexpr const char* kSchemaV17 = R"sql(
ALTER TABLE service_requests ADD COLUMN idempotency_key text COLLATE "C" NOT NULL DEFAULT '';
CREATE UNIQUE INDEX service_requests_idempotency ON service_requests (created_by, idempotency_key)
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

/// Key of the advisory lock that lets one process at a time migrate a database ("kapal").
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(461195224428)";

constexpr const char* kCreateSchemaVersion =
    "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, "
    "applied_at bigint NOT NULL)";

// ---------------------------------------------------------------------------------------------
// Small helpers (the same rules as the SQLite store's: cursors, patterns, codes, details)

// Propagates the error of a Result<T> expression or yields its value.
// NOLINTBEGIN(bugprone-macro-parentheses): `var` is a declared name, not an expression
#define KAPAL_PG_ASSIGN(var, expr)                                                                 \
    auto var##_result_ = (expr);                                                                   \
    if (!var##_result_) {                                                                          \
        return ::kapal::fail(std::move(var##_result_).error());                                    \
    }                                                                                              \
    auto var = std::move(*var##_result_)

// NOLINTEND(bugprone-macro-parentheses)

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

// ---- audit details: counts, roles, areas and free-text reasons; never a NIK, KK, password,
// hash or token. The same texts as the SQLite store.

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

bool same_bytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

std::string bytes_key(std::span<const std::uint8_t> v) {
    return {reinterpret_cast<const char*>(v.data()), v.size()};
}

// ---- binary COPY (the bulk path of import_persons) -----------------------------------------

/// Appends the fields of PostgreSQL's binary COPY format: each a 32-bit big-endian length
/// (-1 = NULL) and the value in the type's binary form.
class CopyWriter {
  public:
    CopyWriter() {
        // Signature, flags, header extension length.
        static constexpr std::array<char, 11> kSignature = {
            'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\xff', '\r', '\n', '\0'};
        out_.append(kSignature.data(), kSignature.size());
        be(std::uint32_t{0});
        be(std::uint32_t{0});
    }

    void row(int fields) { be(static_cast<std::uint16_t>(fields)); }

    void null() { be(std::uint32_t{0xffffffffU}); }

    void text(std::string_view v) {
        be(static_cast<std::uint32_t>(v.size()));
        out_.append(v);
    }

    void bytes(std::span<const std::uint8_t> v) {
        be(static_cast<std::uint32_t>(v.size()));
        out_.append(reinterpret_cast<const char*>(v.data()), v.size());
    }

    void int64(std::int64_t v) {
        be(std::uint32_t{8});
        be(static_cast<std::uint64_t>(v));
    }

    /// A double precision: its IEEE 754 bits, big-endian.
    void float8(double v) {
        be(std::uint32_t{8});
        be(std::bit_cast<std::uint64_t>(v));
    }

    /// A boolean: one byte, 0 or 1.
    void boolean(bool v) {
        be(std::uint32_t{1});
        out_ += v ? '\x01' : '\x00';
    }

    /// A `date`: days since 2000-01-01.
    void date(core::Date d) {
        const auto days =
            std::chrono::sys_days(d) - std::chrono::sys_days(core::make_date(2000, 1, 1));
        be(std::uint32_t{4});
        be(static_cast<std::uint32_t>(static_cast<std::int32_t>(days.count())));
    }

    /// A geometry(Point, 4326) as EWKB (little-endian, with the SRID flag), which PostGIS's
    /// binary input reads.
    void point(double lon, double lat) {
        be(std::uint32_t{25});
        out_ += '\x01';
        le(std::uint32_t{0x20000001U}); // point | has SRID
        le(std::uint32_t{4326});
        le(std::bit_cast<std::uint64_t>(lon));
        le(std::bit_cast<std::uint64_t>(lat));
    }

    /// The data with its trailer.
    std::string finish() {
        be(static_cast<std::uint16_t>(0xffff));
        return std::move(out_);
    }

  private:
    template <class U> void be(U v) {
        for (int shift = static_cast<int>(sizeof(U) * 8) - 8; shift >= 0; shift -= 8) {
            out_ += static_cast<char>((v >> shift) & 0xff);
        }
    }

    template <class U> void le(U v) {
        for (std::size_t i = 0; i < sizeof(U); ++i) {
            out_ += static_cast<char>((v >> (8 * i)) & 0xff);
        }
    }

    std::string out_;
};

// ---------------------------------------------------------------------------------------------
// SQL

// Column lists shared by several statements; macros so that they join as literals.
#define KAPAL_PG_PERSON_COLUMNS                                                                    \
    "id, version, created_at, updated_at, created_by, updated_by, kecamatan_code, nik_enc, "       \
    "kk_enc, doc"
#define KAPAL_PG_VERSION_COLUMNS                                                                   \
    "version, recorded_at, actor, source, reason, kecamatan_code, nik_enc, kk_enc, doc"
#define KAPAL_PG_CURRENT_AS_VERSION                                                                \
    "p.version, p.updated_at, p.updated_by, p.updated_source, p.updated_reason, "                  \
    "p.kecamatan_code, p.nik_enc, p.kk_enc, p.doc"

constexpr const char* kUserColumns =
    "id, username, display_name, role, area_codes, disabled, password_hash, created_at, "
    "updated_at";

constexpr const char* kSelectPersonById =
    "SELECT " KAPAL_PG_PERSON_COLUMNS " FROM persons WHERE id = $1";
constexpr const char* kSelectPersonByNik =
    "SELECT " KAPAL_PG_PERSON_COLUMNS " FROM persons WHERE nik_bidx = $1";
constexpr const char* kSelectPkById = "SELECT pk, version, nik_bidx FROM persons WHERE id = $1";
constexpr const char* kSelectPkByNik = "SELECT pk FROM persons WHERE nik_bidx = $1";
constexpr const char* kSelectCreation = "SELECT created_at, created_by FROM persons WHERE pk = $1";

// The point of the home: NULL when lon and lat are NULL (both functions are strict).
#define KAPAL_PG_HOME(lon, lat) "ST_SetSRID(ST_MakePoint(" lon "::float8, " lat "::float8), 4326)"

// Content columns bound by bind_content, in this order.
constexpr const char* kInsertPerson =
    "INSERT INTO persons (id, version, created_at, updated_at, created_by, updated_by, "
    "updated_source, updated_reason, nik_enc, nik_bidx, kk_enc, kk_bidx, full_name, sex, "
    "birth_date, kelurahan_code, kecamatan_code, categories, severity, status, home, doc, "
    "change_seq, devices) VALUES ($1, 1, $2, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
    "$12::date, $13, $14, $15, $16, $17, " KAPAL_PG_HOME("$18", "$19") ", $20, $21, $22)";

constexpr const char* kUpdatePerson =
    "UPDATE persons SET version = $2, updated_at = $3, updated_by = $4, updated_source = $5, "
    "updated_reason = $6, nik_enc = $7, nik_bidx = $8, kk_enc = $9, kk_bidx = $10, "
    "full_name = $11, sex = $12, birth_date = $13::date, kelurahan_code = $14, "
    "kecamatan_code = $15, categories = $16, severity = $17, status = $18, "
    "home = " KAPAL_PG_HOME("$19", "$20") ", doc = $21, change_seq = $22, devices = $23 "
                                          "WHERE pk = $1";

// Copies the current row of a person into person_versions before an update replaces it.
constexpr const char* kArchiveVersion =
    "INSERT INTO person_versions (person_pk, version, recorded_at, actor, source, reason, "
    "kecamatan_code, nik_enc, kk_enc, doc) SELECT pk, version, updated_at, updated_by, "
    "updated_source, updated_reason, kecamatan_code, nik_enc, kk_enc, doc FROM persons "
    "WHERE pk = $1";

// A previous version of a person that an import batch created and then changed again.
constexpr const char* kInsertVersionOf =
    "INSERT INTO person_versions (person_pk, version, recorded_at, actor, source, reason, "
    "kecamatan_code, nik_enc, kk_enc, doc) SELECT pk, $2::bigint, $3::bigint, $4::text, "
    "$5::text, $6::text, $7::text, $8::bytea, $9::bytea, $10::text FROM persons WHERE id = $1";

// Every version of a person, oldest first, as rows of KAPAL_PG_VERSION_COLUMNS. One statement,
// so one snapshot: the archived versions and the current row always agree.
constexpr const char* kSelectHistory =
    "SELECT v.version, v.recorded_at, v.actor, v.source, v.reason, v.kecamatan_code, v.nik_enc, "
    "v.kk_enc, v.doc FROM persons p JOIN person_versions v "
    "ON v.person_pk = p.pk WHERE p.id = $1 UNION ALL SELECT " KAPAL_PG_CURRENT_AS_VERSION
    " FROM persons p WHERE p.id = $1 ORDER BY 1";

// The version of a person in force at an instant ($2), and its creation: one row when the id
// exists; the version columns are NULL when the person did not exist yet.
constexpr const char* kSelectAsOf =
    "SELECT x.version, x.recorded_at, x.actor, x.source, x.reason, x.kecamatan_code, x.nik_enc, "
    "x.kk_enc, x.doc, p.created_at, p.created_by FROM persons p LEFT JOIN LATERAL ("
    "SELECT " KAPAL_PG_VERSION_COLUMNS " FROM person_versions WHERE person_pk = p.pk AND "
    "recorded_at <= $2 UNION ALL SELECT " KAPAL_PG_CURRENT_AS_VERSION " WHERE p.updated_at <= $2 "
    "ORDER BY 1 DESC LIMIT 1) x ON true WHERE p.id = $1";

// One version ($2) of a person, and its creation.
constexpr const char* kSelectVersion =
    "SELECT x.version, x.recorded_at, x.actor, x.source, x.reason, x.kecamatan_code, x.nik_enc, "
    "x.kk_enc, x.doc, p.created_at, p.created_by FROM persons p JOIN LATERAL ("
    "SELECT " KAPAL_PG_VERSION_COLUMNS " FROM person_versions WHERE person_pk = p.pk AND "
    "version = $2 UNION ALL SELECT " KAPAL_PG_CURRENT_AS_VERSION " WHERE p.version = $2) x "
    "ON true WHERE p.id = $1";

constexpr const char* kImportLookup =
    "SELECT nik_bidx, pk, id, version, kecamatan_code, kk_bidx, doc FROM persons "
    "WHERE nik_bidx = ANY($1::bytea[])";

constexpr const char* kCopyPersons =
    "COPY persons (id, version, created_at, updated_at, created_by, updated_by, updated_source, "
    "updated_reason, nik_enc, nik_bidx, kk_enc, kk_bidx, full_name, sex, birth_date, "
    "kelurahan_code, kecamatan_code, categories, severity, status, home, doc, change_seq, "
    "devices) FROM STDIN (FORMAT binary)";
constexpr int kCopyPersonFields = 24;

constexpr const char* kSelectIdempotency =
    "SELECT fingerprint, person_id FROM idempotency_keys WHERE key = $1";
constexpr const char* kInsertIdempotency =
    "INSERT INTO idempotency_keys (key, fingerprint, person_id, created_at) "
    "VALUES ($1, $2, $3, $4)";

// An area boundary; the PostGIS geometry is derived from the GeoJSON text (SRID 4326, as RFC
// 7946 says; ST_Multi makes a Polygon a MultiPolygon, though sync_areas only passes those).
constexpr const char* kUpsertArea =
    "INSERT INTO areas (code, level, name, parent_code, geometry, geom) VALUES ($1, $2, $3, $4, "
    "$5, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5), 4326))) ON CONFLICT (code) DO UPDATE SET "
    "level = EXCLUDED.level, name = EXCLUDED.name, parent_code = EXCLUDED.parent_code, "
    "geometry = EXCLUDED.geometry, geom = EXCLUDED.geom";

constexpr const char* kInsertHazardZone =
    "INSERT INTO hazard_zones (id, name, hazard, level, source, geometry, created_at, "
    "created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr const char* kSelectHazardZones =
    "SELECT id, name, hazard, level, source, geometry, created_at, created_by FROM hazard_zones";
constexpr const char* kInsertFacility =
    "INSERT INTO facilities (id, kind, name, location, kelurahan_code, address, phone, source, "
    "created_at, created_by) VALUES ($1, $2, $3, " KAPAL_PG_HOME("$4", "$5") ", $6, $7, $8, $9, "
                                                                             "$10, $11)";
constexpr const char* kSelectFacilities =
    "SELECT id, kind, name, ST_X(location), ST_Y(location), kelurahan_code, address, phone, "
    "source, created_at, created_by FROM facilities ORDER BY kind, name, id";

constexpr const char* kNotifyChanges = "NOTIFY kapal_changes";
constexpr const char* kListenChanges = "LISTEN kapal_changes";

constexpr const char* kSelectChanges =
    "SELECT change_seq, pk, id, version, kelurahan_code, categories, severity, status, "
    "ST_X(home), ST_Y(home), devices, full_name, birth_date::text, sex FROM persons WHERE "
    "(change_seq, pk) > ($1::bigint, "
    "$2::bigint) "
    "ORDER BY change_seq, pk LIMIT $3::bigint";

/// The writer lock: the first statement of every writing transaction (see the schema).
constexpr const char* kLockWriter = "SELECT seq FROM audit_counter FOR UPDATE";

#define KAPAL_PG_REQUEST_COLUMNS                                                                   \
    "pk, id, person_id, service_code, kelurahan_code, card_number, status, note, version, "        \
    "created_at, created_by, updated_at, updated_by, idempotency_key"

#define KAPAL_PG_CARD_COLUMNS                                                                      \
    "number, person_id, kelurahan_code, kid, credential, issued_at, expires_at, issued_by, "       \
    "status, revoked_at, revoked_by, revoke_reason, revoke_note, replaced_by, printed_at, "        \
    "printed_by, handed_over_at, handed_over_by"

/// The card of row `i` of KAPAL_PG_CARD_COLUMNS.
CardRecord card_from_row(const PgResult& rows, int i) {
    const auto optional_time = [&](int col) {
        return rows.is_null(i, col) ? std::optional<core::Timestamp>()
                                    : std::optional(core::from_unix_ms(rows.int64(i, col)));
    };
    CardRecord c;
    c.number = rows.text(i, 0);
    c.person_id = rows.text(i, 1);
    c.kelurahan_code = rows.text(i, 2);
    c.kid = rows.text(i, 3);
    c.credential = rows.text(i, 4);
    c.issued_at = core::from_unix_ms(rows.int64(i, 5));
    c.expires_at = core::from_unix_ms(rows.int64(i, 6));
    c.issued_by = rows.text(i, 7);
    c.status = rows.text(i, 8);
    c.revoked_at = optional_time(9);
    c.revoked_by = rows.text(i, 10);
    c.revoke_reason = rows.text(i, 11);
    c.revoke_note = rows.text(i, 12);
    c.replaced_by = rows.text(i, 13);
    c.printed_at = optional_time(14);
    c.printed_by = rows.text(i, 15);
    c.handed_over_at = optional_time(16);
    c.handed_over_by = rows.text(i, 17);
    return c;
}

std::vector<CardRecord> cards_of(const PgResult& rows) {
    std::vector<CardRecord> out;
    out.reserve(static_cast<std::size_t>(rows.rows()));
    for (int i = 0; i < rows.rows(); ++i) {
        out.push_back(card_from_row(rows, i));
    }
    return out;
}

/// Takes the next seq (the writer holds the counter's row lock) and the hash of the entry before
/// it, which the new entry chains to.
constexpr const char* kNextAudit =
    "WITH next AS (UPDATE audit_counter SET seq = seq + 1 RETURNING seq) "
    "SELECT next.seq, coalesce((SELECT hash FROM audit_log WHERE seq = next.seq - 1), '') "
    "FROM next";
constexpr const char* kInsertAudit =
    "INSERT INTO audit_log (seq, at, actor, source, action, subject, detail, hash) "
    "VALUES ($1::bigint, $2::bigint, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text)";
constexpr const char* kChainAudit =
    "SELECT seq, at, actor, source, action, subject, detail FROM audit_log ORDER BY seq";

#define KAPAL_PG_SESSION_COLUMNS                                                                   \
    "id, token_hash, user_id, created_at, last_seen_at, expires_at, revoked_at, address, "         \
    "user_agent"
constexpr const char* kInsertSession = "INSERT INTO sessions (" KAPAL_PG_SESSION_COLUMNS ") "
                                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
constexpr const char* kSelectSessionByHash =
    "SELECT " KAPAL_PG_SESSION_COLUMNS " FROM sessions WHERE token_hash = $1";
constexpr const char* kSelectLiveSessions =
    "SELECT " KAPAL_PG_SESSION_COLUMNS " FROM sessions WHERE user_id = $1 AND "
    "revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, pk DESC";

#define KAPAL_PG_TOKEN_COLUMNS                                                                     \
    "id, name, token_hash, user_id, role, area_codes, created_at, expires_at, revoked_at"
constexpr const char* kInsertToken = "INSERT INTO api_tokens (" KAPAL_PG_TOKEN_COLUMNS ") "
                                     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
constexpr const char* kSelectTokenByHash =
    "SELECT " KAPAL_PG_TOKEN_COLUMNS " FROM api_tokens WHERE token_hash = $1";
constexpr const char* kSelectUserTokens =
    "SELECT " KAPAL_PG_TOKEN_COLUMNS " FROM api_tokens WHERE user_id = $1 "
    "ORDER BY created_at DESC, pk DESC";
constexpr const char* kSelectAllTokens =
    "SELECT " KAPAL_PG_TOKEN_COLUMNS " FROM api_tokens ORDER BY created_at DESC, pk DESC";

// ---- rows <-> records -------------------------------------------------------------------------

/// $1..$7: id, username, display_name, role, area_codes, disabled, password_hash; then
/// created_at when `with_created`, then updated_at.
PgParams user_params(const UserRecord& r, bool with_created) {
    PgParams p;
    p.text(r.user.id)
        .text(r.user.username)
        .text(r.user.display_name)
        .text(core::to_string(r.user.role))
        .text(join_codes(r.user.area_codes))
        .boolean(r.user.disabled)
        .text(r.password_hash);
    if (with_created) {
        p.int64(core::to_unix_ms(r.user.created_at));
    }
    p.int64(core::to_unix_ms(r.user.updated_at));
    return p;
}

Result<UserRecord> user_from_row(const PgResult& r, int row) {
    UserRecord u;
    u.user.id = std::string(r.text(row, 0));
    u.user.username = std::string(r.text(row, 1));
    u.user.display_name = std::string(r.text(row, 2));
    const auto role = core::parse_role(r.text(row, 3));
    if (!role) {
        return fail(ErrorCode::StoreCorrupt, "user row with unknown role");
    }
    u.user.role = *role;
    u.user.area_codes = split_codes(r.text(row, 4));
    u.user.disabled = r.int64(row, 5) != 0;
    u.password_hash = std::string(r.text(row, 6));
    u.user.created_at = core::from_unix_ms(r.int64(row, 7));
    u.user.updated_at = core::from_unix_ms(r.int64(row, 8));
    return u;
}

void opt_time(PgParams& p, const std::optional<core::Timestamp>& t) {
    if (t) {
        p.int64(core::to_unix_ms(*t));
    } else {
        p.null();
    }
}

std::optional<core::Timestamp> opt_time(const PgResult& r, int row, int col) {
    if (r.is_null(row, col)) {
        return std::nullopt;
    }
    return core::from_unix_ms(r.int64(row, col));
}

PgParams session_params(const SessionRecord& s) {
    PgParams p;
    p.text(s.id)
        .text(s.token_hash)
        .text(s.user_id)
        .int64(core::to_unix_ms(s.created_at))
        .int64(core::to_unix_ms(s.last_seen_at))
        .int64(core::to_unix_ms(s.expires_at));
    opt_time(p, s.revoked_at);
    p.text(s.address).text(s.user_agent);
    return p;
}

/// A row of KAPAL_PG_SESSION_COLUMNS.
SessionRecord session_from_row(const PgResult& r, int row) {
    SessionRecord s;
    s.id = r.text(row, 0);
    s.token_hash = r.text(row, 1);
    s.user_id = r.text(row, 2);
    s.created_at = core::from_unix_ms(r.int64(row, 3));
    s.last_seen_at = core::from_unix_ms(r.int64(row, 4));
    s.expires_at = core::from_unix_ms(r.int64(row, 5));
    s.revoked_at = opt_time(r, row, 6);
    s.address = r.text(row, 7);
    s.user_agent = r.text(row, 8);
    return s;
}

PgParams token_params(const ApiTokenRecord& t) {
    PgParams p;
    p.text(t.id)
        .text(t.name)
        .text(t.token_hash)
        .text(t.user_id)
        .text(core::to_string(t.role))
        .text(join_codes(t.area_codes))
        .int64(core::to_unix_ms(t.created_at))
        .int64(core::to_unix_ms(t.expires_at));
    opt_time(p, t.revoked_at);
    return p;
}

/// A row of KAPAL_PG_TOKEN_COLUMNS.
Result<ApiTokenRecord> token_from_row(const PgResult& r, int row) {
    ApiTokenRecord t;
    t.id = r.text(row, 0);
    t.name = r.text(row, 1);
    t.token_hash = r.text(row, 2);
    t.user_id = r.text(row, 3);
    const auto role = core::parse_role(r.text(row, 4));
    if (!role) {
        return fail(ErrorCode::StoreCorrupt, "API token row with unknown role");
    }
    t.role = *role;
    t.area_codes = split_codes(r.text(row, 5));
    t.created_at = core::from_unix_ms(r.int64(row, 6));
    t.expires_at = core::from_unix_ms(r.int64(row, 7));
    t.revoked_at = opt_time(r, row, 8);
    return t;
}

/// The result of an INSERT, with a unique violation reported as AlreadyExists of `what` (the
/// server's message names a constraint, which says little to a caller).
Result<void> already_exists_as(Result<PgResult> r, std::string_view what) {
    if (!r) {
        if (r.error().code == ErrorCode::AlreadyExists) {
            return fail(ErrorCode::AlreadyExists, std::string(what) + " is already used");
        }
        return fail(std::move(r).error());
    }
    return {};
}

// ---- social assistance rows -------------------------------------------------------------------

#define KAPAL_PG_AID_PROGRAM_COLUMNS                                                               \
    "code, name, source, kind, channel, unit_value, rule, excludes, assignees, active, version, "  \
    "created_at, created_by, updated_at, updated_by"

#define KAPAL_PG_AID_CYCLE_COLUMNS                                                                 \
    "id, program_code, number, name, to_char(starts_on, 'YYYY-MM-DD'), "                           \
    "to_char(ends_on, 'YYYY-MM-DD'), quotas, site_lon, site_lat, list_state, rule, list_hash, "    \
    "list_size, proposed_by, proposed_at, approved_by, approved_at, version, created_at, "         \
    "created_by"

#define KAPAL_PG_AID_ENTRY_COLUMNS                                                                 \
    "person_id, kelurahan_code, source, removed, reason, flags, added_at, added_by"

// Without the evidence, which each statement adds last (the bytes, or NULL in lists).
/// A duplicate pair's columns, in pair_from_row's order.
#define KAPAL_PG_PAIR_COLUMNS                                                                      \
    "id, person_a, person_b, kelurahan_a, kelurahan_b, score, explanation, source, state, "        \
    "found_at, found_by, decided_at, decided_by, decision_reason, kept_id, version"

/// A sync op's columns, in sync_op_from_row's order.
#define KAPAL_PG_SYNC_COLUMNS                                                                      \
    "id, actor, op_key, device_id, seq, type, person_id, after_key, fingerprint, state, result, "  \
    "payload, kelurahan_code, base_version, server_version, fields, received_at, decided_at, "     \
    "decided_by, decision, version"

/// A merchant's columns, in merchant_from_row's order.
#define KAPAL_PG_MERCHANT_COLUMNS                                                                  \
    "id, name, user_id, kelurahan_code, lon, lat, address, active, version, created_at, "          \
    "created_by, updated_at, updated_by"

/// A voucher transaction's columns, as insert_voucher_transaction binds them.
#define KAPAL_PG_VOUCHER_COLUMNS                                                                   \
    "id, cycle_id, kind, person_id, merchant_id, amount, note, at, actor, card_number, "           \
    "search_reason, idempotency_key"

/// A voucher balance's columns, in balance_from_row's order.
#define KAPAL_PG_BALANCE_COLUMNS                                                                   \
    "cycle_id, person_id, kelurahan_code, entitled, balance, delivery_id"

#define KAPAL_PG_AID_DELIVERY_COLUMNS                                                              \
    "id, cycle_id, program_code, person_id, kelurahan_code, channel, state, amount, "              \
    "recorded_at, officer, lon, lat, accuracy_m, card_number, search_reason, evidence_type, "      \
    "note, flags, idempotency_key, batch_id, fail_reason, bank_reference"

constexpr const char* kCopyAidEntries =
    "COPY aid_list_entries (cycle_id, " KAPAL_PG_AID_ENTRY_COLUMNS ") FROM STDIN (FORMAT binary)";
constexpr int kCopyAidEntryFields = 9;

void opt_real(PgParams& p, const std::optional<double>& v) {
    if (v) {
        p.real(*v);
    } else {
        p.null();
    }
}

std::optional<double> opt_real(const PgResult& r, int row, int col) {
    if (r.is_null(row, col)) {
        return std::nullopt;
    }
    return r.real(row, col);
}

/// $1..$10: code, name, source, kind, channel, unit_value, rule, excludes, assignees, active.
PgParams aid_program_params(const AidProgramRecord& p) {
    PgParams params;
    params.text(p.code)
        .text(p.name)
        .text(p.source)
        .text(p.kind)
        .text(p.channel)
        .int64(p.unit_value)
        .text(p.rule)
        .text(join_codes(p.excludes))
        .text(join_codes(p.assignees))
        .boolean(p.active);
    return params;
}

/// A row of KAPAL_PG_AID_PROGRAM_COLUMNS.
AidProgramRecord aid_program_from_row(const PgResult& r, int i) {
    AidProgramRecord p;
    p.code = r.text(i, 0);
    p.name = r.text(i, 1);
    p.source = r.text(i, 2);
    p.kind = r.text(i, 3);
    p.channel = r.text(i, 4);
    p.unit_value = r.int64(i, 5);
    p.rule = r.text(i, 6);
    p.excludes = split_codes(r.text(i, 7));
    p.assignees = split_codes(r.text(i, 8));
    p.active = r.int64(i, 9) != 0;
    p.version = r.int64(i, 10);
    p.created_at = core::from_unix_ms(r.int64(i, 11));
    p.created_by = r.text(i, 12);
    p.updated_at = core::from_unix_ms(r.int64(i, 13));
    p.updated_by = r.text(i, 14);
    return p;
}

/// A row of KAPAL_PG_AID_CYCLE_COLUMNS.
Result<AidCycleRecord> aid_cycle_from_row(const PgResult& r, int i) {
    AidCycleRecord c;
    c.id = r.text(i, 0);
    c.program_code = r.text(i, 1);
    c.number = r.int64(i, 2);
    c.name = r.text(i, 3);
    const auto starts = core::parse_date(r.text(i, 4));
    const auto ends = core::parse_date(r.text(i, 5));
    if (!starts || !ends) {
        return fail(ErrorCode::StoreCorrupt, "aid cycle " + c.id + " has a day that is not a date");
    }
    c.starts_on = *starts;
    c.ends_on = *ends;
    c.quotas = decode_quotas(r.text(i, 6));
    c.site_lon = opt_real(r, i, 7);
    c.site_lat = opt_real(r, i, 8);
    c.list_state = r.text(i, 9);
    c.rule = r.text(i, 10);
    c.list_hash = r.text(i, 11);
    c.list_size = r.int64(i, 12);
    c.proposed_by = r.text(i, 13);
    c.proposed_at = opt_time(r, i, 14);
    c.approved_by = r.text(i, 15);
    c.approved_at = opt_time(r, i, 16);
    c.version = r.int64(i, 17);
    c.created_at = core::from_unix_ms(r.int64(i, 18));
    c.created_by = r.text(i, 19);
    return c;
}

/// A row of KAPAL_PG_AID_ENTRY_COLUMNS.
AidListEntry aid_entry_from_row(const PgResult& r, int i) {
    AidListEntry e;
    e.person_id = r.text(i, 0);
    e.kelurahan_code = r.text(i, 1);
    e.source = r.text(i, 2);
    e.removed = r.int64(i, 3) != 0;
    e.reason = r.text(i, 4);
    e.flags = split_codes(r.text(i, 5));
    e.added_at = core::from_unix_ms(r.int64(i, 6));
    e.added_by = r.text(i, 7);
    return e;
}

/// A row of KAPAL_PG_AID_DELIVERY_COLUMNS followed by the evidence (NULL: none, or left out).
AidDeliveryRecord aid_delivery_from_row(const PgResult& r, int i) {
    AidDeliveryRecord d;
    d.id = r.text(i, 0);
    d.cycle_id = r.text(i, 1);
    d.program_code = r.text(i, 2);
    d.person_id = r.text(i, 3);
    d.kelurahan_code = r.text(i, 4);
    d.channel = r.text(i, 5);
    d.state = r.text(i, 6);
    d.amount = r.int64(i, 7);
    d.recorded_at = core::from_unix_ms(r.int64(i, 8));
    d.officer = r.text(i, 9);
    d.lon = opt_real(r, i, 10);
    d.lat = opt_real(r, i, 11);
    d.accuracy_m = opt_real(r, i, 12);
    d.card_number = r.text(i, 13);
    d.search_reason = r.text(i, 14);
    d.evidence_type = r.text(i, 15);
    d.note = r.text(i, 16);
    d.flags = split_codes(r.text(i, 17));
    d.idempotency_key = r.text(i, 18);
    d.batch_id = r.text(i, 19);
    d.fail_reason = r.text(i, 20);
    d.bank_reference = r.text(i, 21);
    if (!r.is_null(i, 22)) {
        const auto bytes = r.bytes(i, 22);
        d.evidence.assign(bytes.begin(), bytes.end());
    }
    return d;
}

/// Appends to `sql` " AND (<column> under one of `codes`)" (a code itself, or a code below it:
/// "64.74" covers "64.74.01.1003"), binding the codes with `next` and `params`.
template <class Next>
void append_area_filter(std::string& sql,
                        PgParams& params,
                        const Next& next,
                        std::string_view column,
                        const std::vector<std::string>& codes) {
    if (codes.empty()) {
        return;
    }
    const std::string col(column);
    sql += " AND (";
    for (std::size_t i = 0; i < codes.size(); ++i) {
        sql += i == 0 ? "" : " OR ";
        sql += col + " = " + next();
        sql += " OR (" + col + " >= " + next();
        sql += " AND " + col + " < " + next() + ")";
        params.text(codes[i]).text(codes[i] + ".").text(codes[i] + "/");
    }
    sql += ")";
}

// ---------------------------------------------------------------------------------------------
// Connections

/// Connections for reads (and for touch_session, the one write outside the writer path), handed
/// out one per thread.
class ReaderPool {
  public:
    class Lease {
      public:
        Lease(ReaderPool& pool, PgConnection* conn)
            : pool_(&pool)
            , conn_(conn) {}

        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Lease(Lease&&) = delete;
        Lease& operator=(Lease&&) = delete;

        ~Lease() { pool_->release(conn_); }

        PgConnection& operator*() const { return *conn_; }

        PgConnection* operator->() const { return conn_; }

      private:
        ReaderPool* pool_;
        PgConnection* conn_;
    };

    void add(std::unique_ptr<PgConnection> conn) {
        const std::lock_guard lock(mutex_);
        free_.push_back(conn.get());
        all_.push_back(std::move(conn));
    }

    PgConnection* acquire() {
        std::unique_lock lock(mutex_);
        available_.wait(lock, [this] { return !free_.empty(); });
        PgConnection* conn = free_.back();
        free_.pop_back();
        return conn;
    }

  private:
    void release(PgConnection* conn) {
        {
            const std::lock_guard lock(mutex_);
            free_.push_back(conn);
        }
        available_.notify_one();
    }

    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<PgConnection>> all_;
    std::vector<PgConnection*> free_;
};

/// Reconnects a connection the server dropped (restart, failover) before it is used again.
Result<void> ensure_connected(PgConnection& conn) {
    if (conn.ok()) {
        return {};
    }
    return conn.reconnect();
}

// ---------------------------------------------------------------------------------------------
// The store

/// Encrypted and derived values of one person, computed once per write.
struct Sealed {
    std::string doc;
    std::vector<std::uint8_t> nik_enc;
    BlindIndex nik_bidx{};
    std::vector<std::uint8_t> kk_enc; ///< empty when the KK is unknown
    std::optional<BlindIndex> kk_bidx;
};

/// The state of one NIK while an import batch is matched, row after row.
struct ImportSlot {
    core::PersonId id;
    std::int64_t pk = 0; ///< 0: created by this batch (written by COPY at the end)
    std::int64_t version = 0;
    std::string kecamatan_code;
    std::optional<BlindIndex> kk_bidx;
    std::string doc;
    std::size_t created = 0; ///< index in the batch's created rows when pk == 0
};

/// A person an import batch creates, with the versions it went through within the batch.
struct CreatedRow {
    core::PersonId id;
    const ImportItem* item = nullptr; ///< the current content
    Sealed sealed;
    std::int64_t version = 1;

    struct Archived {
        std::string kecamatan_code;
        Sealed sealed;
    };

    std::vector<Archived> archived; ///< versions 1 .. version-1
};

/// An import batch with its blind indexes (see PostgresStore::prepare_import).
struct PgPreparedImport final : PreparedImport {
    PgPreparedImport(const void* owner, std::vector<ImportItem> rows, std::vector<BlindIndex> index)
        : store(owner)
        , items(std::move(rows))
        , bidx(std::move(index)) {}

    std::size_t size() const override { return items.size(); }

    const void* store; ///< the store whose keys made the blind indexes
    std::vector<ImportItem> items;
    std::vector<BlindIndex> bidx;
};

/// LISTEN kapal_changes on a connection of its own, (re)connected on demand. While it cannot
/// connect it waits out the timeout and answers true, so that the follower reads the feed and
/// meets the real error there.
class PgChangeWaiter final : public ChangeWaiter {
  public:
    PgChangeWaiter(std::string conninfo, int lock_timeout_ms)
        : conninfo_(std::move(conninfo))
        , lock_timeout_ms_(lock_timeout_ms) {}

    bool wait(int timeout_ms) override {
        if (!conn_ || !conn_->ok()) {
            conn_.reset();
            auto conn = PgConnection::connect(conninfo_, lock_timeout_ms_);
            if (!conn || !(*conn)->run(kListenChanges)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(std::max(timeout_ms, 0)));
                return true;
            }
            conn_ = std::move(*conn);
            return true; // changes may have been missed while not listening
        }
        auto woke = conn_->wait_notification(timeout_ms);
        return !woke || *woke;
    }

  private:
    std::string conninfo_;
    int lock_timeout_ms_;
    std::unique_ptr<PgConnection> conn_;
};

class PostgresStore final : public Store {
  public:
    PostgresStore(std::string conninfo, const StoreKeys& keys, const core::Clock* clock)
        : conninfo_(std::move(conninfo))
        , cipher_(keys)
        , clock_(clock != nullptr ? clock : &system_clock_) {}

    Result<void> open(const PostgresOptions& options) {
        lock_timeout_ms_ = options.lock_timeout_ms;
        KAPAL_PG_ASSIGN(writer, PgConnection::connect(conninfo_, options.lock_timeout_ms));
        writer_ = std::move(writer);
        if (writer_->parameter("server_encoding") != "UTF8") {
            return fail(ErrorCode::ConfigInvalid,
                        "postgresql: the database encoding is " +
                            writer_->parameter("server_encoding") + ", not UTF8");
        }
        location_ = writer_->location();
        KAPAL_TRY(migrate());
        for (int i = 0; i < options.reader_connections; ++i) {
            KAPAL_PG_ASSIGN(reader, PgConnection::connect(conninfo_, options.lock_timeout_ms));
            readers_.add(std::move(reader));
        }
        return {};
    }

    StoreInfo info() override {
        StoreInfo out;
        out.backend = "postgresql";
        out.location = location_;
        ReaderPool::Lease conn(readers_, readers_.acquire());
        if (!ensure_connected(*conn)) {
            return out;
        }
        if (auto r = conn->exec("SELECT (SELECT coalesce(max(version), 0) FROM schema_version), "
                                "(SELECT count(*) FROM persons), (SELECT count(*) FROM users)");
            r && r->rows() == 1) {
            out.schema_version = static_cast<int>(r->int64(0, 0));
            out.persons = r->int64(0, 1);
            out.users = r->int64(0, 2);
        }
        return out;
    }

    std::string_view backend() const override { return "postgresql"; }

    Result<int> ping() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(r, conn->exec("SELECT coalesce(max(version), 0) FROM schema_version"));
        return static_cast<int>(r.int64(0, 0));
    }

    // ---- users ------------------------------------------------------------------------------

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
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(
            rows,
            conn->exec(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY username"));
        std::vector<UserRecord> out;
        for (int i = 0; i < rows.rows(); ++i) {
            KAPAL_PG_ASSIGN(record, user_from_row(rows, i));
            out.push_back(std::move(record));
        }
        return out;
    }

    // ---- area boundaries ----------------------------------------------------------------------

    Result<int> sync_areas(const std::vector<AreaRecord>& areas, const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(stored, read_areas(w));
        KAPAL_PG_ASSIGN(diff, diff_areas(stored, areas));
        if (diff.changes() == 0) {
            KAPAL_TRY(tx.commit());
            return 0;
        }
        for (const std::string& code : diff.deletes) {
            KAPAL_TRY(w.exec("DELETE FROM areas WHERE code = $1", PgParams().text(code)));
        }
        for (const AreaRecord& a : diff.upserts) {
            auto r = w.exec(kUpsertArea,
                            PgParams()
                                .text(a.code)
                                .text(a.level)
                                .text(a.name)
                                .text(a.parent_code)
                                .text(a.geometry));
            if (!r) {
                Error e = std::move(r).error();
                if (e.code != ErrorCode::StoreUnavailable) {
                    e.code = ErrorCode::InvalidArgument;
                }
                e.message = "area " + a.code + ": " + e.message;
                return fail(std::move(e));
            }
        }
        KAPAL_TRY(audit(w, at, ctx, "areas.sync", "areas", area_sync_detail(diff)));
        KAPAL_TRY(tx.commit());
        return diff.changes();
    }

    Result<std::vector<AreaRecord>> list_areas() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        return read_areas(*conn);
    }

    /// Every stored area boundary, by code.
    static Result<std::vector<AreaRecord>> read_areas(PgConnection& conn) {
        KAPAL_PG_ASSIGN(rows,
                        conn.exec("SELECT code, level, name, parent_code, geometry FROM areas "
                                  "ORDER BY code"));
        std::vector<AreaRecord> out;
        out.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) {
            out.push_back({std::string(rows.text(i, 0)),
                           std::string(rows.text(i, 1)),
                           std::string(rows.text(i, 2)),
                           std::string(rows.text(i, 3)),
                           std::string(rows.text(i, 4))});
        }
        return out;
    }

    // ---- hazard zones and facilities --------------------------------------------------------

    Result<void> add_hazard_zones(const std::vector<HazardZoneRecord>& zones,
                                  const WriteContext& ctx) override {
        for (std::size_t i = 0; i < zones.size(); ++i) {
            KAPAL_TRY(check_hazard_zone(zones[i], i));
        }
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        for (const HazardZoneRecord& z : zones) {
            auto r = w.exec(kInsertHazardZone,
                            PgParams()
                                .text(z.id)
                                .text(z.name)
                                .text(z.hazard)
                                .text(z.level)
                                .text(z.source)
                                .text(z.geometry)
                                .int64(core::to_unix_ms(at))
                                .text(ctx.actor));
            if (!r) {
                Error e = std::move(r).error();
                if (e.code == ErrorCode::AlreadyExists) {
                    return fail(ErrorCode::AlreadyExists,
                                "hazard zone id " + z.id + " is already used");
                }
                if (e.code != ErrorCode::StoreUnavailable) {
                    e.code = ErrorCode::InvalidArgument;
                }
                e.message = "hazard zone " + z.id + ": " + e.message;
                return fail(std::move(e));
            }
        }
        KAPAL_TRY(audit(w, at, ctx, "hazard.import", "hazard_zones", import_detail(zones)));
        return tx.commit();
    }

    Result<std::vector<HazardZoneRecord>> list_hazard_zones() override {
        return read_hazard_zones(std::string(kSelectHazardZones) + " ORDER BY name, id",
                                 PgParams());
    }

    Result<std::optional<HazardZoneRecord>> get_hazard_zone(const std::string& id) override {
        KAPAL_PG_ASSIGN(found,
                        read_hazard_zones(std::string(kSelectHazardZones) + " WHERE id = $1",
                                          PgParams().text(id)));
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
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        for (const FacilityRecord& f : facilities) {
            KAPAL_TRY(already_exists_as(w.exec(kInsertFacility,
                                               PgParams()
                                                   .text(f.id)
                                                   .text(f.kind)
                                                   .text(f.name)
                                                   .real(f.lon)
                                                   .real(f.lat)
                                                   .text(f.kelurahan_code)
                                                   .text(f.address)
                                                   .text(f.phone)
                                                   .text(f.source)
                                                   .int64(core::to_unix_ms(at))
                                                   .text(ctx.actor)),
                                        "facility id " + f.id));
        }
        KAPAL_TRY(audit(w, at, ctx, "facility.import", "facilities", import_detail(facilities)));
        return tx.commit();
    }

    Result<std::vector<FacilityRecord>> list_facilities() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows, conn->exec(kSelectFacilities));
        std::vector<FacilityRecord> out;
        out.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) {
            FacilityRecord f;
            f.id = rows.text(i, 0);
            f.kind = rows.text(i, 1);
            f.name = rows.text(i, 2);
            f.lon = rows.real(i, 3);
            f.lat = rows.real(i, 4);
            f.kelurahan_code = rows.text(i, 5);
            f.address = rows.text(i, 6);
            f.phone = rows.text(i, 7);
            f.source = rows.text(i, 8);
            f.created_at = core::from_unix_ms(rows.int64(i, 9));
            f.created_by = rows.text(i, 10);
            out.push_back(std::move(f));
        }
        return out;
    }

    Result<std::vector<HazardZoneRecord>> read_hazard_zones(const std::string& sql,
                                                            const PgParams& params) {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows, conn->exec(sql, params));
        std::vector<HazardZoneRecord> out;
        out.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) {
            HazardZoneRecord z;
            z.id = rows.text(i, 0);
            z.name = rows.text(i, 1);
            z.hazard = rows.text(i, 2);
            z.level = rows.text(i, 3);
            z.source = rows.text(i, 4);
            z.geometry = rows.text(i, 5);
            z.created_at = core::from_unix_ms(rows.int64(i, 6));
            z.created_by = rows.text(i, 7);
            out.push_back(std::move(z));
        }
        return out;
    }

    // ---- persons ----------------------------------------------------------------------------

    Result<CreateOutcome> create_person(const core::PersonId& id,
                                        const core::Person& person,
                                        const std::string& kecamatan_code,
                                        const WriteContext& ctx,
                                        const std::optional<IdempotencyToken>& idem) override {
        const core::Timestamp at = write_time(ctx);
        const Sealed sealed = seal(person);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        if (idem) {
            KAPAL_PG_ASSIGN(seen, w.exec(kSelectIdempotency, PgParams().text(idem->key)));
            if (seen.rows() == 1) {
                if (seen.text(0, 0) != idem->fingerprint) {
                    return fail(ErrorCode::IdempotencyKeyReused,
                                "idempotency key was used for a different request");
                }
                const core::PersonId first(std::string(seen.text(0, 1)));
                KAPAL_PG_ASSIGN(record, load_version(w, first, 1));
                return CreateOutcome{std::move(record), true};
            }
        }
        KAPAL_PG_ASSIGN(dup, nik_taken(w, sealed.nik_bidx));
        if (dup) {
            return fail(ErrorCode::DuplicateNik, "a person with this NIK is already registered");
        }
        KAPAL_TRY(insert_person(w, id, person, kecamatan_code, sealed, at, ctx, write_seq_));
        KAPAL_TRY(audit(w, at, ctx, "person.create", id.str(), ctx.reason));
        if (idem) {
            KAPAL_TRY(w.exec(kInsertIdempotency,
                             PgParams()
                                 .text(idem->key)
                                 .text(idem->fingerprint)
                                 .text(id.str())
                                 .int64(core::to_unix_ms(clock_->now()))));
        }
        KAPAL_TRY(w.exec(kNotifyChanges));
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
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(
            r,
            conn->exec("SELECT id, person_id, kind, media_type, size_bytes, sha256, "
                       "content, created_at, created_by FROM person_files WHERE id = $1",
                       PgParams().text(id)));
        if (r.rows() == 0) {
            return std::optional<PersonFileRecord>();
        }
        PersonFileRecord f;
        f.id = r.text(0, 0);
        f.person_id = r.text(0, 1);
        f.kind = r.text(0, 2);
        f.media_type = r.text(0, 3);
        f.size_bytes = r.int64(0, 4);
        f.sha256 = r.text(0, 5);
        KAPAL_PG_ASSIGN(bytes, open_file_bytes(cipher_, r.bytes(0, 6), f.sha256));
        f.bytes = std::move(bytes);
        f.created_at = core::from_unix_ms(r.int64(0, 7));
        f.created_by = r.text(0, 8);
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
        KAPAL_PG_ASSIGN(tx, begin_write());
        KAPAL_PG_ASSIGN(record,
                        update_person_in(*writer_,
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
    Result<core::PersonRecord> update_person_in(PgConnection& w,
                                                const core::PersonId& id,
                                                std::int64_t expected_version,
                                                const core::Person& person,
                                                const std::string& kecamatan_code,
                                                const Sealed& sealed,
                                                core::Timestamp at,
                                                const WriteContext& ctx,
                                                const PersonFileRecord* file = nullptr,
                                                const std::vector<std::uint8_t>& sealed_file = {}) {
        KAPAL_PG_ASSIGN(found, w.exec(kSelectPkById, PgParams().text(id.str())));
        if (found.rows() == 0) {
            return fail(ErrorCode::NotFound, "no person with id " + id.str());
        }
        const std::int64_t pk = found.int64(0, 0);
        const std::int64_t version = found.int64(0, 1);
        const bool nik_changed = !same_bytes(found.bytes(0, 2), sealed.nik_bidx);
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
            KAPAL_PG_ASSIGN(dup, nik_taken(w, sealed.nik_bidx));
            if (dup) {
                return fail(ErrorCode::DuplicateNik,
                            "another person with this NIK is already registered");
            }
        }
        if (file != nullptr) {
            KAPAL_TRY(already_exists_as(
                w.exec("INSERT INTO person_files (id, person_id, kind, media_type, size_bytes, "
                       "sha256, content, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, "
                       "$7, $8, $9)",
                       PgParams()
                           .text(file->id)
                           .text(file->person_id)
                           .text(file->kind)
                           .text(file->media_type)
                           .int64(file->size_bytes)
                           .text(file->sha256)
                           .bytes(sealed_file)
                           .int64(core::to_unix_ms(at))
                           .text(ctx.actor)),
                "file id " + file->id));
        }
        KAPAL_TRY(
            update_row(w, pk, version + 1, person, kecamatan_code, sealed, at, ctx, write_seq_));
        KAPAL_TRY(audit(w, at, ctx, "person.update", id.str(), ctx.reason));
        if (file != nullptr) {
            KAPAL_TRY(audit(w, at, ctx, "person.file.add", id.str(), person_file_detail(*file)));
        }
        if (person.status != core::Status::Aktif) {
            // A card ends with its holder's registration, in the same transaction.
            KAPAL_PG_ASSIGN(active,
                            w.exec("SELECT number FROM cards WHERE person_id = $1 AND status = "
                                   "'active'",
                                   PgParams().text(id.str())));
            if (active.rows() > 0) {
                const std::string number(active.text(0, 0));
                const std::string reason(core::to_string(person.status));
                KAPAL_TRY(set_revoked(w, number, reason, "status", "", at, ctx));
                KAPAL_TRY(audit(
                    w, at, ctx, "card.revoke", id.str(), "number=" + number + " reason=" + reason));
            }
        }
        KAPAL_PG_ASSIGN(creation, w.exec(kSelectCreation, PgParams().int64(pk)));
        KAPAL_TRY(w.exec(kNotifyChanges));
        core::PersonRecord record;
        record.id = id;
        record.version = version + 1;
        record.created_at = core::from_unix_ms(creation.int64(0, 0));
        record.created_by = creation.text(0, 1);
        record.updated_at = at;
        record.updated_by = ctx.actor;
        record.kecamatan_code = kecamatan_code;
        record.person = person;
        return record;
    }

    Result<ChangePage> person_changes(const ChangeCursor& after, int limit) override {
        if (limit < 1 || limit > 100000) {
            return fail(ErrorCode::InvalidArgument, "change page limit must be 1..100000");
        }
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(
            rows,
            conn->exec(kSelectChanges,
                       PgParams().int64(after.seq).int64(after.key).int64(std::int64_t{limit})));
        ChangePage page;
        page.next = after;
        page.items.reserve(static_cast<std::size_t>(rows.rows()));
        for (int r = 0; r < rows.rows(); ++r) {
            SummaryColumns row;
            row.id = rows.text(r, 2);
            row.version = rows.int64(r, 3);
            row.kelurahan_code = rows.text(r, 4);
            row.categories = rows.int64(r, 5);
            row.devices = rows.int64(r, 10);
            row.severity = rows.is_null(r, 6) ? std::string_view() : rows.text(r, 6);
            row.status = rows.text(r, 7);
            if (!rows.is_null(r, 8) && !rows.is_null(r, 9)) {
                row.lon = rows.real(r, 8);
                row.lat = rows.real(r, 9);
            }
            row.full_name = rows.text(r, 11);
            row.birth_date = rows.is_null(r, 12) ? std::string_view() : rows.text(r, 12);
            row.sex = rows.text(r, 13);
            KAPAL_PG_ASSIGN(summary, summary_of(row));
            page.items.push_back(std::move(summary));
            page.next = ChangeCursor{rows.int64(r, 0), rows.int64(r, 1)};
        }
        return page;
    }

    std::unique_ptr<ChangeWaiter> change_waiter() override {
        return std::make_unique<PgChangeWaiter>(conninfo_, lock_timeout_ms_);
    }

    Result<core::PersonRecord> get_person(const core::PersonId& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows, conn->exec(kSelectPersonById, PgParams().text(id.str())));
        if (rows.rows() == 0) {
            return fail(ErrorCode::NotFound, "no person with id " + id.str());
        }
        return record_from_row(rows, 0);
    }

    Result<std::optional<core::PersonRecord>> find_person_by_nik(const std::string& nik) override {
        const BlindIndex bidx = cipher_.blind_index(kNikDomain, nik);
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows, conn->exec(kSelectPersonByNik, PgParams().bytes(bidx)));
        if (rows.rows() == 0) {
            return std::optional<core::PersonRecord>();
        }
        KAPAL_PG_ASSIGN(record, record_from_row(rows, 0));
        return std::optional<core::PersonRecord>(std::move(record));
    }

    /// The SQL key of a list order ("" = by pk) and whether it runs backwards: byte order
    /// (COLLATE "C"), names with ASCII case folded, as SQLite's BINARY; a missing birth date
    /// first, as SQLite's ''.
    static std::pair<std::string, bool> sort_key(PersonSort sort) {
        switch (sort) {
        case PersonSort::Registered:
            break;
        case PersonSort::Name:
            return {"lower(full_name COLLATE \"C\")", false};
        case PersonSort::NameDesc:
            return {"lower(full_name COLLATE \"C\")", true};
        case PersonSort::BirthDate:
            return {"coalesce(birth_date, DATE '-infinity')", false};
        case PersonSort::BirthDateDesc:
            return {"coalesce(birth_date, DATE '-infinity')", true};
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
        PgParams params;
        int n = 0;
        const auto next = [&n] {
            return "$" + std::to_string(++n);
        };
        std::string sql = "SELECT " KAPAL_PG_PERSON_COLUMNS " FROM persons WHERE true";
        if (query.kelurahan_code) {
            sql += " AND kelurahan_code = " + next();
            params.text(*query.kelurahan_code);
        }
        if (query.kecamatan_code) {
            sql += " AND kecamatan_code = " + next();
            params.text(*query.kecamatan_code);
        }
        if (query.status) {
            sql += " AND status = " + next();
            params.text(core::to_string(*query.status));
        }
        if (!query.name_contains.empty()) {
            // Served by the trigram index on lower(full_name) from three characters on.
            sql += " AND lower(full_name) LIKE lower(" + next() + "::text)";
            params.text(like_pattern(query.name_contains));
        }
        if (!query.scope_area_codes.empty()) {
            sql += " AND (";
            for (std::size_t i = 0; i < query.scope_area_codes.size(); ++i) {
                const std::string& code = query.scope_area_codes[i];
                sql += i == 0 ? "" : " OR ";
                // code itself, or anything under "code." (the range "code." .. "code/"), in
                // byte order (the column is COLLATE "C").
                sql += "kelurahan_code = " + next();
                sql += " OR (kelurahan_code >= " + next();
                sql += " AND kelurahan_code < " + next() + ")";
                params.text(code).text(code + ".").text(code + "/");
            }
            sql += ")";
        }
        if (query.category) {
            sql += " AND (categories & " + next() + "::bigint) <> 0";
            params.int64(std::int64_t{1} << static_cast<int>(*query.category));
        }

        const auto [key, descending] = sort_key(query.sort);
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        if (after_id) {
            // A person's pk never changes and persons are never deleted: no snapshot needs to
            // span this lookup and the page.
            KAPAL_PG_ASSIGN(
                found,
                conn->exec("SELECT pk FROM persons WHERE id = $1", PgParams().text(*after_id)));
            if (found.rows() == 0) {
                return fail(ErrorCode::BadCursor, "cursor does not name a person");
            }
            if (key.empty()) {
                sql += " AND pk > " + next() + "::bigint";
            } else {
                // After the cursor's person in (key, pk) order, its key as it is now.
                sql += " AND (" + key + ", pk) " + (descending ? "<" : ">") + " (SELECT " + key +
                       ", pk FROM persons WHERE pk = " + next() + "::bigint)";
            }
            params.int64(found.int64(0, 0));
        }
        if (key.empty()) {
            sql += " ORDER BY pk";
        } else {
            const char* dir = descending ? " DESC" : "";
            sql += " ORDER BY " + key + dir + ", pk" + dir;
        }
        sql += " LIMIT " + next() + "::bigint";
        params.int64(std::int64_t{query.limit} + 1);

        // Queries with many scope codes are rare and varied: do not keep them prepared.
        KAPAL_PG_ASSIGN(rows,
                        query.scope_area_codes.size() <= 4 ? conn->exec(sql, params)
                                                           : conn->exec_once(sql, params));
        Page<core::PersonRecord> page;
        const int shown = std::min(rows.rows(), query.limit);
        page.items.reserve(static_cast<std::size_t>(shown));
        for (int i = 0; i < shown; ++i) {
            KAPAL_PG_ASSIGN(record, record_from_row(rows, i));
            page.items.push_back(std::move(record));
        }
        if (rows.rows() > query.limit) {
            page.next_cursor = encode_cursor(page.items.back().id);
        }
        return page;
    }

    Result<PersonStatGroups> person_stat_groups(const PersonStatsQuery& query) override {
        KAPAL_TRY(check_age_bounds(query.age_bounds));
        PgParams params;
        params.text(core::format_date(query.today));
        int n = 1;
        const auto next = [&n] {
            return "$" + std::to_string(++n);
        };
        std::string sql =
            "SELECT kecamatan_code, sex, categories, coalesce(severity, ''), CASE WHEN age < 0 "
            "THEN -1";
        for (std::size_t i = 0; i < query.age_bounds.size(); ++i) {
            sql +=
                " WHEN age < " + std::to_string(query.age_bounds[i]) + " THEN " + std::to_string(i);
        }
        sql += " ELSE " + std::to_string(query.age_bounds.size()) +
               " END AS age_group, count(*) FROM (SELECT kecamatan_code, sex, categories, "
               "severity, CASE WHEN birth_date IS NULL OR birth_date > $1::date THEN -1 ELSE "
               "extract(year FROM age($1::date, birth_date))::int END AS age FROM persons WHERE "
               "true";
        if (query.status) {
            sql += " AND status = " + next();
            params.text(core::to_string(*query.status));
        }
        const auto areas = [&](std::string& into, PgParams& p) {
            if (query.scope_area_codes.empty()) {
                return;
            }
            into += " AND (false";
            for (const std::string& code : query.scope_area_codes) {
                into += " OR kelurahan_code = " + next();
                into += " OR (kelurahan_code >= " + next();
                into += " AND kelurahan_code < " + next() + ")";
                p.text(code).text(code + ".").text(code + "/");
            }
            into += ")";
        };
        areas(sql, params);
        sql += ") AS p GROUP BY 1, 2, 3, 4, 5";

        n = 1;
        PgParams month_params;
        month_params.int64(query.new_since_ms);
        std::string months_sql =
            "SELECT kecamatan_code, to_char(to_timestamp((created_at + 28800000) / 1000.0) AT "
            "TIME ZONE 'UTC', 'YYYY-MM'), count(*) FROM persons WHERE created_at >= $1";
        areas(months_sql, month_params);
        months_sql += " GROUP BY 1, 2";

        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        PersonStatGroups out;
        KAPAL_PG_ASSIGN(rows, conn->exec_once(sql, params));
        for (int r = 0; r < rows.rows(); ++r) {
            PersonProfileGroup g;
            g.kecamatan_code = rows.text(r, 0);
            g.sex = rows.text(r, 1);
            g.categories = rows.int64(r, 2);
            g.severity = rows.text(r, 3);
            g.age_group = static_cast<int>(rows.int64(r, 4));
            g.count = rows.int64(r, 5);
            out.profiles.push_back(std::move(g));
        }
        KAPAL_PG_ASSIGN(months, conn->exec_once(months_sql, month_params));
        for (int r = 0; r < months.rows(); ++r) {
            out.new_registrations.push_back(MonthCount{std::string(months.text(r, 0)),
                                                       std::string(months.text(r, 1)),
                                                       months.int64(r, 2)});
        }
        return out;
    }

    Result<std::vector<PersonVersion>> person_history(const core::PersonId& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows, conn->exec(kSelectHistory, PgParams().text(id.str())));
        if (rows.rows() == 0) {
            return fail(ErrorCode::NotFound, "no person with id " + id.str());
        }
        std::vector<PersonVersion> out;
        for (int i = 0; i < rows.rows(); ++i) {
            PersonVersion v;
            if (!out.empty()) {
                v.record.created_at = out.front().record.created_at;
                v.record.created_by = out.front().record.created_by;
            }
            KAPAL_TRY(version_from_row(rows, i, id, v));
            if (out.empty()) {
                v.record.created_at = v.record.updated_at;
                v.record.created_by = v.record.updated_by;
            }
            out.push_back(std::move(v));
        }
        return out;
    }

    Result<void>
    scan_registry_states(core::Timestamp before,
                         const std::function<Result<void>(const RegistryState&)>& visit) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        // One snapshot, read through a cursor in pages: memory stays small at national size.
        KAPAL_PG_ASSIGN(
            tx, PgTransaction::begin(*conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
        KAPAL_TRY(conn->exec_once(
            "DECLARE kapal_states NO SCROLL CURSOR FOR " + std::string(kSelectStates) +
            std::to_string(core::to_unix_ms(before)) + " ORDER BY person_pk, version"));
        for (;;) {
            KAPAL_PG_ASSIGN(rows, conn->exec_once("FETCH FORWARD 20000 FROM kapal_states"));
            if (rows.rows() == 0) {
                break;
            }
            for (int i = 0; i < rows.rows(); ++i) {
                StateColumns c;
                c.person = rows.int64(i, 0);
                c.version = rows.int64(i, 1);
                c.at_ms = rows.int64(i, 2);
                c.kelurahan_code = rows.text(i, 3);
                c.status = rows.text(i, 4);
                c.sex = rows.text(i, 5);
                c.birth_date = rows.is_null(i, 6) ? std::string_view() : rows.text(i, 6);
                c.severity = rows.is_null(i, 7) ? std::string_view() : rows.text(i, 7);
                c.categories = rows.int64(i, 8);
                KAPAL_PG_ASSIGN(state, registry_state_of(c));
                KAPAL_TRY(visit(state));
            }
        }
        return tx.commit();
    }

    Result<void> scan_indicator_facts(core::Timestamp aid_from,
                                      core::Timestamp aid_before,
                                      const IndicatorFactVisitors& visit) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(
            tx, PgTransaction::begin(*conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
        // Each query through a cursor in pages: homes are one row per person.
        const auto each_row = [&](const std::string& sql,
                                  const std::function<void(const PgResult&, int)>& row) {
            return [&conn, sql, &row]() -> Result<void> {
                KAPAL_TRY(conn->exec_once("DECLARE kapal_facts NO SCROLL CURSOR FOR " + sql));
                for (;;) {
                    KAPAL_PG_ASSIGN(rows, conn->exec_once("FETCH FORWARD 20000 FROM kapal_facts"));
                    if (rows.rows() == 0) {
                        break;
                    }
                    for (int i = 0; i < rows.rows(); ++i) {
                        row(rows, i);
                    }
                }
                KAPAL_TRY(conn->exec_once("CLOSE kapal_facts"));
                return {};
            }();
        };
        KAPAL_TRY(each_row(kSelectCardSpans, [&](const PgResult& r, int i) {
            visit.card(CardSpan{r.int64(i, 0),
                                core::from_unix_ms(r.int64(i, 1)),
                                core::from_unix_ms(r.int64(i, 2)),
                                r.is_null(i, 3)
                                    ? std::optional<core::Timestamp>()
                                    : std::optional(core::from_unix_ms(r.int64(i, 3)))});
        }));
        KAPAL_TRY(
            each_row(std::string(kSelectDeliveredAid) + std::to_string(core::to_unix_ms(aid_from)) +
                         " AND d.recorded_at < " + std::to_string(core::to_unix_ms(aid_before)),
                     [&](const PgResult& r, int i) {
                         visit.aid(DeliveredAid{r.int64(i, 0), core::from_unix_ms(r.int64(i, 1))});
                     }));
        KAPAL_TRY(each_row(kSelectHomes, [&](const PgResult& r, int i) {
            visit.home(PersonHome{r.int64(i, 0), r.real(i, 1), r.real(i, 2)});
        }));
        return tx.commit();
    }

    Result<core::PersonRecord> person_as_of(const core::PersonId& id, core::Timestamp at) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(
            rows, conn->exec(kSelectAsOf, PgParams().text(id.str()).int64(core::to_unix_ms(at))));
        if (rows.rows() == 0) {
            return fail(ErrorCode::NotFound, "no person with id " + id.str());
        }
        if (rows.is_null(0, 0)) {
            return fail(ErrorCode::NotFound,
                        "person " + id.str() + " did not exist at " + core::format_timestamp(at));
        }
        PersonVersion v;
        v.record.created_at = core::from_unix_ms(rows.int64(0, 9));
        v.record.created_by = rows.text(0, 10);
        KAPAL_TRY(version_from_row(rows, 0, id, v));
        return std::move(v.record);
    }

    std::unique_ptr<PreparedImport> prepare_import(std::vector<ImportItem> items) const override {
        // The blind indexes are computed here, off the writer's lock; the values are sealed
        // while the batch is written (COPY streams them).
        std::vector<BlindIndex> bidx;
        bidx.reserve(items.size());
        for (const ImportItem& item : items) {
            bidx.push_back(cipher_.blind_index(kNikDomain, item.person.nik));
        }
        return std::make_unique<PgPreparedImport>(this, std::move(items), std::move(bidx));
    }

    Result<std::vector<ImportResult>> import_prepared(const PreparedImport& batch,
                                                      const std::vector<core::PersonId>& new_ids,
                                                      const WriteContext& ctx) override {
        const auto* prepared = dynamic_cast<const PgPreparedImport*>(&batch);
        if (prepared == nullptr || prepared->store != this) {
            return fail(ErrorCode::InvalidArgument, "import batch was prepared by another store");
        }
        const std::vector<ImportItem>& items = prepared->items;
        const std::vector<BlindIndex>& bidx = prepared->bidx;
        if (items.size() != new_ids.size()) {
            return fail(ErrorCode::InvalidArgument, "import needs one new id per item");
        }
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;

        // The stored persons with a NIK of this batch, in a few round trips.
        std::unordered_map<std::string, ImportSlot> slots;
        KAPAL_TRY(load_import_slots(w, bidx, slots));

        // Match row after row, as the SQLite store does; rows already stored are updated at
        // once, new persons are collected and written by one COPY below (in row order, so
        // their pk follows the batch).
        std::vector<ImportResult> results;
        results.reserve(items.size());
        std::vector<CreatedRow> created;
        for (std::size_t i = 0; i < items.size(); ++i) {
            const ImportItem& item = items[i];
            const std::string key = bytes_key(bidx[i]);
            auto it = slots.find(key);
            if (it == slots.end()) {
                CreatedRow row;
                row.id = new_ids[i];
                row.item = &item;
                row.sealed = seal(item.person, bidx[i], encode_person_doc(item.person));
                ImportSlot slot;
                slot.id = new_ids[i];
                slot.version = 1;
                slot.kecamatan_code = item.kecamatan_code;
                slot.kk_bidx = row.sealed.kk_bidx;
                slot.doc = row.sealed.doc;
                slot.created = created.size();
                created.push_back(std::move(row));
                slots.emplace(key, std::move(slot));
                results.push_back(ImportResult{ImportAction::Created, new_ids[i]});
                continue;
            }
            ImportSlot& slot = it->second;
            // What no import file carries (the photo, documents) stays as stored.
            KAPAL_PG_ASSIGN(person, keep_stored_files(item.person, slot.doc));
            std::string doc = encode_person_doc(person);
            bool same = slot.kecamatan_code == item.kecamatan_code && slot.doc == doc;
            if (same) {
                if (item.person.kk.empty()) {
                    same = !slot.kk_bidx;
                } else {
                    same = slot.kk_bidx &&
                           *slot.kk_bidx == cipher_.blind_index(kKkDomain, item.person.kk);
                }
            }
            if (same) {
                results.push_back(ImportResult{ImportAction::Unchanged, slot.id});
                continue;
            }
            if (!item.update_if_changed) {
                results.push_back(ImportResult{ImportAction::Changed, slot.id});
                continue;
            }
            Sealed sealed = seal(person, bidx[i], std::move(doc));
            if (slot.pk != 0) {
                KAPAL_TRY(update_row(w,
                                     slot.pk,
                                     slot.version + 1,
                                     person,
                                     item.kecamatan_code,
                                     sealed,
                                     at,
                                     ctx,
                                     write_seq_));
            } else {
                CreatedRow& row = created[slot.created];
                row.archived.push_back(
                    CreatedRow::Archived{row.item->kecamatan_code, std::move(row.sealed)});
                row.item = &item;
                row.sealed = sealed;
                row.version += 1;
            }
            slot.version += 1;
            slot.kecamatan_code = item.kecamatan_code;
            slot.kk_bidx = sealed.kk_bidx;
            slot.doc = std::move(sealed.doc);
            results.push_back(ImportResult{ImportAction::Updated, slot.id});
        }
        KAPAL_TRY(copy_created(w, created, at, ctx, write_seq_));
        // One entry for the whole batch: counts only, no per-row statement and no row content.
        KAPAL_TRY(audit(w, at, ctx, "person.import", "", import_detail(results, ctx)));
        KAPAL_TRY(w.exec(kNotifyChanges));
        KAPAL_TRY(tx.commit());
        return results;
    }

    // ---- audit ------------------------------------------------------------------------------

    // ---- cards ---------------------------------------------------------------------------------

    Result<CardRecord> issue_card(const CardIssue& issue, const WriteContext& ctx) override {
        KAPAL_TRY(check_card_issue(issue));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(person,
                        w.exec("SELECT status FROM persons WHERE id = $1",
                               PgParams().text(issue.person_id.str())));
        if (person.rows() == 0) {
            return fail(ErrorCode::NotFound, "no person with id " + issue.person_id.str());
        }
        if (person.text(0, 0) != core::to_string(core::Status::Aktif)) {
            return fail(ErrorCode::CardPersonInactive,
                        "person " + issue.person_id.str() + " has status " +
                            std::string(person.text(0, 0)));
        }
        KAPAL_PG_ASSIGN(active,
                        w.exec("SELECT number FROM cards WHERE person_id = $1 AND status = "
                               "'active'",
                               PgParams().text(issue.person_id.str())));
        const std::optional<std::string> active_number =
            active.rows() > 0 ? std::optional(std::string(active.text(0, 0))) : std::nullopt;
        if (active_number && issue.replace_reason.empty()) {
            return fail(ErrorCode::CardAlreadyActive,
                        "person " + issue.person_id.str() + " holds card " + *active_number);
        }
        KAPAL_PG_ASSIGN(last,
                        w.exec("SELECT coalesce(max(serial), 0) FROM cards WHERE regency = $1",
                               PgParams().text(issue.regency)));
        const std::int64_t serial = last.int64(0, 0) + 1;
        if (serial > 9'999'999) {
            return fail(ErrorCode::InvalidArgument, "no card serials left in " + issue.regency);
        }
        KAPAL_PG_ASSIGN(content, issue.make(static_cast<std::uint32_t>(serial)));
        KAPAL_TRY(check_card_content(issue, content));
        std::string detail = "number=" + content.number;
        if (active_number) {
            KAPAL_TRY(
                set_revoked(w, *active_number, issue.replace_reason, "", content.number, at, ctx));
            detail += " replaces=" + *active_number + " reason=" + issue.replace_reason;
        }
        KAPAL_TRY(already_exists_as(
            w.exec("INSERT INTO cards (number, regency, serial, person_id, kelurahan_code, kid, "
                   "credential, issued_at, expires_at, issued_by, status, revoked_by, "
                   "revoke_reason, revoke_note, replaced_by, printed_by, handed_over_by) VALUES "
                   "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active', '', '', '', '', '', '')",
                   PgParams()
                       .text(content.number)
                       .text(issue.regency)
                       .int64(serial)
                       .text(issue.person_id.str())
                       .text(issue.kelurahan_code)
                       .text(content.kid)
                       .text(content.credential)
                       .int64(core::to_unix_ms(at))
                       .int64(core::to_unix_ms(issue.expires_at))
                       .text(ctx.actor)),
            "card number " + content.number));
        KAPAL_TRY(
            audit(w, at, ctx, "card.issue", issue.person_id.str(), detail + reason_suffix(ctx)));
        KAPAL_PG_ASSIGN(card, card_by_number(w, content.number));
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
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(card, card_by_number(w, number));
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
        KAPAL_PG_ASSIGN(revoked, card_by_number(w, number));
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
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        int changed = 0;
        for (const std::string& number : numbers) {
            KAPAL_PG_ASSIGN(card, card_by_number(w, number));
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
            KAPAL_TRY(w.exec(
                "UPDATE cards SET printed_at = coalesce(printed_at, $2), printed_by "
                "= CASE WHEN printed_at IS NULL THEN $3 ELSE printed_by END, "
                "handed_over_at = CASE WHEN $4 THEN coalesce(handed_over_at, $2) "
                "ELSE handed_over_at END, handed_over_by = CASE WHEN $4 AND "
                "handed_over_at IS NULL THEN $3 ELSE handed_over_by END WHERE "
                "number = $1",
                PgParams().text(number).int64(core::to_unix_ms(at)).text(ctx.actor).boolean(hand)));
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
        KAPAL_TRY(ensure_connected(*conn));
        return card_by_number(*conn, number);
    }

    Result<std::vector<CardRecord>> person_cards(const core::PersonId& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows,
                        conn->exec("SELECT " KAPAL_PG_CARD_COLUMNS
                                   " FROM cards WHERE person_id = $1 ORDER BY pk DESC",
                                   PgParams().text(id.str())));
        return cards_of(rows);
    }

    Result<std::vector<CardRecord>> list_cards(const CardQuery& query) override {
        if (query.limit < 1 || query.limit > 100'000) {
            return fail(ErrorCode::InvalidArgument, "limit must be between 1 and 100000");
        }
        PgParams params;
        int n = 0;
        const auto next = [&n] {
            return "$" + std::to_string(++n);
        };
        std::string sql = "SELECT " KAPAL_PG_CARD_COLUMNS " FROM cards WHERE true";
        if (!query.status.empty()) {
            sql += " AND status = " + next();
            params.text(query.status);
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
        if (!query.area_codes.empty()) {
            sql += " AND (";
            for (std::size_t i = 0; i < query.area_codes.size(); ++i) {
                const std::string& code = query.area_codes[i];
                sql += i == 0 ? "" : " OR ";
                sql += "kelurahan_code = " + next();
                sql += " OR (kelurahan_code >= " + next();
                sql += " AND kelurahan_code < " + next() + ")";
                params.text(code).text(code + ".").text(code + "/");
            }
            sql += ")";
        }
        if (!query.after_number.empty()) {
            sql += " AND number > " + next();
            params.text(query.after_number);
        }
        sql += " ORDER BY number LIMIT " + next();
        params.int64(query.limit);
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows,
                        query.area_codes.size() <= 4 ? conn->exec(sql, params)
                                                     : conn->exec_once(sql, params));
        return cards_of(rows);
    }

    /// The card with `number` on `conn`; nullopt when none.
    static Result<std::optional<CardRecord>> card_by_number(PgConnection& conn,
                                                            const std::string& number) {
        KAPAL_PG_ASSIGN(rows,
                        conn.exec("SELECT " KAPAL_PG_CARD_COLUMNS " FROM cards WHERE number = $1",
                                  PgParams().text(number)));
        if (rows.rows() == 0) {
            return std::optional<CardRecord>();
        }
        return std::optional<CardRecord>(card_from_row(rows, 0));
    }

    /// Marks a card revoked, inside the writer's transaction.
    static Result<void> set_revoked(PgConnection& w,
                                    const std::string& number,
                                    const std::string& reason,
                                    const std::string& note,
                                    const std::string& replaced_by,
                                    core::Timestamp at,
                                    const WriteContext& ctx) {
        KAPAL_TRY(w.exec("UPDATE cards SET status = 'revoked', revoked_at = $2, revoked_by = $3, "
                         "revoke_reason = $4, revoke_note = $5, replaced_by = $6 WHERE number = $1",
                         PgParams()
                             .text(number)
                             .int64(core::to_unix_ms(at))
                             .text(ctx.actor)
                             .text(reason)
                             .text(note)
                             .text(replaced_by)));
        return {};
    }

    // ---- the services the card opens ----------------------------------------------------------

    static PgParams
    service_params(const ServiceRecord& service, core::Timestamp at, const WriteContext& ctx) {
        PgParams params;
        params.text(service.code)
            .text(service.name)
            .text(service.name_en)
            .text(service.description)
            .int64(service.active ? 1 : 0)
            .int64(service.position)
            .int64(core::to_unix_ms(at))
            .text(ctx.actor);
        return params;
    }

    Result<void> add_services(const std::vector<ServiceRecord>& services,
                              const WriteContext& ctx) override {
        for (const ServiceRecord& service : services) {
            KAPAL_TRY(check_service(service));
        }
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        for (const ServiceRecord& service : services) {
            KAPAL_TRY(already_exists_as(
                w.exec("INSERT INTO services (code, name, name_en, description, active, position, "
                       "updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                       service_params(service, at, ctx)),
                "service code " + service.code));
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
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(done,
                        w.exec("UPDATE services SET name = $2, name_en = $3, description = $4, "
                               "active = $5, position = $6, updated_at = $7, updated_by = $8 "
                               "WHERE code = $1",
                               service_params(service, at, ctx)));
        if (done.affected() == 0) {
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
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows,
                        conn->exec("SELECT code, name, name_en, description, active, position, "
                                   "updated_at, updated_by FROM services ORDER BY position, code"));
        std::vector<ServiceRecord> out;
        for (int i = 0; i < rows.rows(); ++i) {
            ServiceRecord r;
            r.code = rows.text(i, 0);
            r.name = rows.text(i, 1);
            r.name_en = rows.text(i, 2);
            r.description = rows.text(i, 3);
            r.active = rows.int64(i, 4) != 0;
            r.position = rows.int64(i, 5);
            r.updated_at = core::from_unix_ms(rows.int64(i, 6));
            r.updated_by = rows.text(i, 7);
            out.push_back(std::move(r));
        }
        return out;
    }

    Result<ServiceRequestOutcome> create_service_request(const ServiceRequestRecord& request,
                                                         const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        if (!request.idempotency_key.empty()) {
            KAPAL_PG_ASSIGN(seen,
                            w.exec("SELECT id FROM service_requests WHERE created_by = $1 AND "
                                   "idempotency_key = $2 AND idempotency_key <> ''",
                                   PgParams().text(ctx.actor).text(request.idempotency_key)));
            if (seen.rows() > 0) {
                KAPAL_PG_ASSIGN(first, requests_where(w, "id = $1", std::string(seen.text(0, 0))));
                KAPAL_TRY(same_service_request(first.front(), request));
                return ServiceRequestOutcome{std::move(first.front()), true};
            }
        }
        KAPAL_PG_ASSIGN(
            person,
            w.exec("SELECT 1 FROM persons WHERE id = $1", PgParams().text(request.person_id)));
        if (person.rows() == 0) {
            return fail(ErrorCode::NotFound, "no person with id " + request.person_id);
        }
        KAPAL_PG_ASSIGN(service,
                        w.exec("SELECT 1 FROM services WHERE code = $1 AND active = 1",
                               PgParams().text(request.service_code)));
        if (service.rows() == 0) {
            return fail(ErrorCode::ServiceUnknown,
                        "no service \"" + request.service_code + "\" in the catalogue");
        }
        auto inserted =
            w.exec("INSERT INTO service_requests (id, person_id, service_code, "
                   "kelurahan_code, card_number, status, note, version, created_at, "
                   "created_by, updated_at, updated_by, idempotency_key) VALUES ($1, "
                   "$2, $3, $4, $5, 'diajukan', $6, 1, $7, $8, $7, $8, $9) RETURNING pk",
                   PgParams()
                       .text(request.id)
                       .text(request.person_id)
                       .text(request.service_code)
                       .text(request.kelurahan_code)
                       .text(request.card_number)
                       .text(request.note)
                       .int64(core::to_unix_ms(at))
                       .text(ctx.actor)
                       .text(request.idempotency_key));
        if (!inserted) {
            return fail(
                already_exists_as(std::move(inserted), "service request id " + request.id).error());
        }
        const std::int64_t pk = inserted->int64(0, 0);
        KAPAL_TRY(add_request_event(w, pk, 1, at, ctx.actor, "diajukan", request.note));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "service_request.create",
                        request.person_id,
                        "id=" + request.id + " service=" + request.service_code +
                            (request.card_number.empty() ? "" : " card=" + request.card_number)));
        KAPAL_PG_ASSIGN(created, requests_where(w, "id = $1", request.id));
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
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(found, requests_where(w, "id = $1", id));
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
        KAPAL_PG_ASSIGN(updated_pk,
                        w.exec("UPDATE service_requests SET status = $2, note = $3, version = "
                               "$4, updated_at = $5, updated_by = $6 WHERE id = $1 RETURNING pk",
                               PgParams()
                                   .text(id)
                                   .text(status)
                                   .text(note)
                                   .int64(expected_version + 1)
                                   .int64(core::to_unix_ms(at))
                                   .text(ctx.actor)));
        KAPAL_TRY(add_request_event(
            w, updated_pk.int64(0, 0), expected_version + 1, at, ctx.actor, status, note));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "service_request.update",
                        current.person_id,
                        "id=" + id + " status=" + status));
        KAPAL_PG_ASSIGN(updated, requests_where(w, "id = $1", id));
        KAPAL_TRY(tx.commit());
        return std::move(updated.front());
    }

    Result<std::optional<ServiceRequestRecord>>
    get_service_request(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(found, requests_where(*conn, "id = $1", id));
        if (found.empty()) {
            return std::optional<ServiceRequestRecord>();
        }
        return std::optional<ServiceRequestRecord>(std::move(found.front()));
    }

    Result<std::vector<ServiceRequestRecord>>
    person_service_requests(const core::PersonId& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        return requests_where(*conn, "person_id = $1", id.str(), true);
    }

    static Result<void> add_request_event(PgConnection& w,
                                          std::int64_t request_pk,
                                          std::int64_t version,
                                          core::Timestamp at,
                                          const std::string& actor,
                                          const std::string& status,
                                          const std::string& note) {
        KAPAL_TRY(w.exec("INSERT INTO service_request_events (request_pk, version, at, actor, "
                         "status, note) VALUES ($1, $2, $3, $4, $5, $6)",
                         PgParams()
                             .int64(request_pk)
                             .int64(version)
                             .int64(core::to_unix_ms(at))
                             .text(actor)
                             .text(status)
                             .text(note)));
        return {};
    }

    /// The requests matching `where` (with $1 = `arg`), each with its history, from one
    /// statement (one snapshot); oldest first, or newest first with `newest_first`.
    static Result<std::vector<ServiceRequestRecord>> requests_where(PgConnection& conn,
                                                                    const std::string& where,
                                                                    const std::string& arg,
                                                                    bool newest_first = false) {
        KAPAL_PG_ASSIGN(rows,
                        conn.exec("WITH r AS (SELECT " KAPAL_PG_REQUEST_COLUMNS
                                  " FROM service_requests WHERE " +
                                      where +
                                      ") SELECT r.*, e.version, e.at, e.actor, e.status, e.note "
                                      "FROM r JOIN service_request_events e ON e.request_pk = "
                                      "r.pk ORDER BY r.pk" +
                                      (newest_first ? " DESC" : "") + ", e.version",
                                  PgParams().text(arg)));
        std::vector<ServiceRequestRecord> out;
        std::int64_t last_pk = -1;
        for (int i = 0; i < rows.rows(); ++i) {
            if (rows.int64(i, 0) != last_pk) {
                last_pk = rows.int64(i, 0);
                ServiceRequestRecord r;
                r.id = rows.text(i, 1);
                r.person_id = rows.text(i, 2);
                r.service_code = rows.text(i, 3);
                r.kelurahan_code = rows.text(i, 4);
                r.card_number = rows.text(i, 5);
                r.status = rows.text(i, 6);
                r.note = rows.text(i, 7);
                r.version = rows.int64(i, 8);
                r.created_at = core::from_unix_ms(rows.int64(i, 9));
                r.created_by = rows.text(i, 10);
                r.updated_at = core::from_unix_ms(rows.int64(i, 11));
                r.updated_by = rows.text(i, 12);
                r.idempotency_key = rows.text(i, 13);
                out.push_back(std::move(r));
            }
            out.back().history.push_back(ServiceRequestEvent{rows.int64(i, 14),
                                                             core::from_unix_ms(rows.int64(i, 15)),
                                                             std::string(rows.text(i, 16)),
                                                             std::string(rows.text(i, 17)),
                                                             std::string(rows.text(i, 18))});
        }
        return out;
    }

    // ---- social assistance --------------------------------------------------------------------
    // Every write below runs under the writer lock (begin_write), which serialises writers across
    // processes, so a check before a write cannot race. Deliveries do not even rely on that:
    // "never twice" is the unique index aid_deliveries_once, whose violation is the error.

    Result<AidProgramRecord> add_aid_program(const AidProgramRecord& program,
                                             const WriteContext& ctx) override {
        KAPAL_TRY(check_aid_program(program));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        PgParams params = aid_program_params(program);
        params.int64(core::to_unix_ms(at)).text(ctx.actor);
        KAPAL_TRY(already_exists_as(
            w.exec("INSERT INTO aid_programs (" KAPAL_PG_AID_PROGRAM_COLUMNS
                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12, $11, $12)",
                   params),
            "programme code " + program.code));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "aid.program.create",
                        program.code,
                        "channel=" + program.channel + " unit_value=" +
                            std::to_string(program.unit_value) + reason_suffix(ctx)));
        KAPAL_PG_ASSIGN(stored, aid_program_by_code(w, program.code));
        KAPAL_TRY(tx.commit());
        return std::move(*stored);
    }

    Result<AidProgramRecord> update_aid_program(const AidProgramRecord& program,
                                                const WriteContext& ctx) override {
        KAPAL_TRY(check_aid_program(program));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(found,
                        w.exec("SELECT version FROM aid_programs WHERE code = $1 FOR UPDATE",
                               PgParams().text(program.code)));
        if (found.rows() == 0) {
            return fail(ErrorCode::NotFound, "no programme \"" + program.code + "\"");
        }
        if (found.int64(0, 0) != program.version) {
            return fail(ErrorCode::VersionConflict,
                        "programme \"" + program.code + "\" is at version " +
                            std::to_string(found.int64(0, 0)));
        }
        PgParams params = aid_program_params(program);
        params.int64(core::to_unix_ms(at)).text(ctx.actor);
        KAPAL_TRY(w.exec("UPDATE aid_programs SET name = $2, source = $3, kind = $4, channel = $5, "
                         "unit_value = $6, rule = $7, excludes = $8, assignees = $9, active = $10, "
                         "version = version + 1, updated_at = $11, updated_by = $12 "
                         "WHERE code = $1",
                         params));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "aid.program.update",
                        program.code,
                        "version=" + std::to_string(program.version + 1) + reason_suffix(ctx)));
        KAPAL_PG_ASSIGN(stored, aid_program_by_code(w, program.code));
        KAPAL_TRY(tx.commit());
        return std::move(*stored);
    }

    Result<std::optional<AidProgramRecord>> get_aid_program(const std::string& code) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        return aid_program_by_code(*conn, code);
    }

    Result<std::vector<AidProgramRecord>> list_aid_programs() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(
            rows,
            conn->exec("SELECT " KAPAL_PG_AID_PROGRAM_COLUMNS " FROM aid_programs ORDER BY code"));
        std::vector<AidProgramRecord> out;
        out.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) {
            out.push_back(aid_program_from_row(rows, i));
        }
        return out;
    }

    Result<AidCycleRecord> add_aid_cycle(const AidCycleRecord& cycle,
                                         const WriteContext& ctx) override {
        KAPAL_TRY(check_aid_cycle(cycle));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(programme,
                        w.exec("SELECT 1 FROM aid_programs WHERE code = $1",
                               PgParams().text(cycle.program_code)));
        if (programme.rows() == 0) {
            return fail(ErrorCode::NotFound, "no programme \"" + cycle.program_code + "\"");
        }
        KAPAL_PG_ASSIGN(
            taken,
            w.exec("SELECT id = $1 FROM aid_cycles WHERE id = $1 OR "
                   "(program_code = $2 AND number = $3)",
                   PgParams().text(cycle.id).text(cycle.program_code).int64(cycle.number)));
        if (taken.rows() > 0) {
            return fail(ErrorCode::AlreadyExists,
                        taken.int64(0, 0) != 0
                            ? "aid cycle id " + cycle.id + " is already used"
                            : "programme \"" + cycle.program_code + "\" already has cycle " +
                                  std::to_string(cycle.number));
        }
        PgParams params;
        params.text(cycle.id)
            .text(cycle.program_code)
            .int64(cycle.number)
            .text(cycle.name)
            .text(core::format_date(cycle.starts_on))
            .text(core::format_date(cycle.ends_on))
            .text(encode_quotas(cycle.quotas));
        opt_real(params, cycle.site_lon);
        opt_real(params, cycle.site_lat);
        params.int64(core::to_unix_ms(at)).text(ctx.actor);
        KAPAL_TRY(already_exists_as(
            w.exec("INSERT INTO aid_cycles (id, program_code, number, name, starts_on, ends_on, "
                   "quotas, site_lon, site_lat, list_state, rule, list_hash, list_size, "
                   "proposed_by, approved_by, version, created_at, created_by) VALUES ($1, $2, "
                   "$3, $4, $5::date, $6::date, $7, $8::float8, $9::float8, 'draft', '', '', 0, "
                   "'', '', 1, $10, $11)",
                   params),
            "aid cycle " + cycle.id));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "aid.cycle.create",
                        cycle.program_code,
                        "cycle=" + cycle.id + " number=" + std::to_string(cycle.number) +
                            reason_suffix(ctx)));
        KAPAL_PG_ASSIGN(stored, aid_cycle_by_id(w, cycle.id));
        KAPAL_TRY(tx.commit());
        return std::move(*stored);
    }

    Result<std::optional<AidCycleRecord>> get_aid_cycle(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        return aid_cycle_by_id(*conn, id);
    }

    Result<std::vector<AidCycleRecord>> list_aid_cycles(const std::string& program_code) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows,
                        conn->exec("SELECT " KAPAL_PG_AID_CYCLE_COLUMNS " FROM aid_cycles WHERE "
                                   "$1 = '' OR program_code = $1 ORDER BY program_code, number",
                                   PgParams().text(program_code)));
        std::vector<AidCycleRecord> out;
        out.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) {
            KAPAL_PG_ASSIGN(c, aid_cycle_from_row(rows, i));
            out.push_back(std::move(c));
        }
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
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_TRY(draft_cycle(w, cycle_id, expected_version));
        // The rule's entries in the areas go; the manual ones and every removal stay (a removal
        // is a decision that regenerating must not undo), and nobody still listed is added again.
        {
            PgParams params;
            int n = 0;
            const auto next = [&n] {
                return "$" + std::to_string(++n);
            };
            std::string sql = "DELETE FROM aid_list_entries WHERE cycle_id = " + next() +
                              " AND source = 'rule' AND NOT removed";
            params.text(cycle_id);
            append_area_filter(sql, params, next, "kelurahan_code", area_codes);
            KAPAL_TRY(area_codes.size() <= 4 ? w.exec(sql, params) : w.exec_once(sql, params));
        }
        KAPAL_PG_ASSIGN(kept_rows,
                        w.exec("SELECT person_id FROM aid_list_entries WHERE cycle_id = $1",
                               PgParams().text(cycle_id)));
        std::unordered_set<std::string> listed;
        listed.reserve(entries.size() + static_cast<std::size_t>(kept_rows.rows()));
        for (int i = 0; i < kept_rows.rows(); ++i) {
            listed.emplace(kept_rows.text(i, 0));
        }
        // One binary COPY for the whole list: 100,000 entries are one round trip.
        CopyWriter copy;
        std::int64_t added = 0;
        const std::int64_t at_ms = core::to_unix_ms(at);
        for (const AidListEntry& e : entries) {
            if (!listed.insert(e.person_id).second) {
                continue;
            }
            copy.row(kCopyAidEntryFields);
            copy.text(cycle_id);
            copy.text(e.person_id);
            copy.text(e.kelurahan_code);
            copy.text("rule");
            copy.boolean(false);
            copy.text("");
            copy.text(join_codes(e.flags));
            copy.int64(at_ms);
            copy.text(ctx.actor);
            ++added;
        }
        if (added > 0) {
            KAPAL_TRY(w.copy_in(kCopyAidEntries, copy.finish()));
        }
        KAPAL_TRY(bump_aid_cycle(w, "rule = $2", PgParams().text(cycle_id).text(rule)));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "aid.list.generate",
                        cycle_id,
                        "entries=" + std::to_string(entries.size()) + reason_suffix(ctx)));
        KAPAL_PG_ASSIGN(stored, aid_cycle_by_id(w, cycle_id));
        KAPAL_TRY(tx.commit());
        return std::move(*stored);
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
        const std::int64_t at_ms = core::to_unix_ms(at);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_TRY(draft_cycle(w, cycle_id, expected_version));
        if (entry.removed) {
            KAPAL_PG_ASSIGN(removed,
                            w.exec("UPDATE aid_list_entries SET removed = true, reason = $3, "
                                   "added_at = $4, added_by = $5 WHERE cycle_id = $1 AND "
                                   "person_id = $2 AND NOT removed",
                                   PgParams()
                                       .text(cycle_id)
                                       .text(entry.person_id)
                                       .text(entry.reason)
                                       .int64(at_ms)
                                       .text(ctx.actor)));
            if (removed.affected() == 0) {
                return fail(ErrorCode::NotFound,
                            "person " + entry.person_id + " is not on the list of cycle " +
                                cycle_id);
            }
        } else {
            KAPAL_PG_ASSIGN(
                person,
                w.exec("SELECT 1 FROM persons WHERE id = $1", PgParams().text(entry.person_id)));
            if (person.rows() == 0) {
                return fail(ErrorCode::NotFound, "no person with id " + entry.person_id);
            }
            // A person taken off earlier may be put back by hand: the entry becomes manual. One
            // on the list already is not touched (no row changes).
            KAPAL_PG_ASSIGN(
                added,
                w.exec("INSERT INTO aid_list_entries (cycle_id, " KAPAL_PG_AID_ENTRY_COLUMNS
                       ") VALUES ($1, $2, $3, 'manual', false, $4, $5, $6, $7) "
                       "ON CONFLICT (cycle_id, person_id) DO UPDATE SET "
                       "kelurahan_code = EXCLUDED.kelurahan_code, source = 'manual', "
                       "removed = false, reason = EXCLUDED.reason, flags = "
                       "EXCLUDED.flags, added_at = EXCLUDED.added_at, added_by = "
                       "EXCLUDED.added_by WHERE aid_list_entries.removed",
                       PgParams()
                           .text(cycle_id)
                           .text(entry.person_id)
                           .text(entry.kelurahan_code)
                           .text(entry.reason)
                           .text(join_codes(entry.flags))
                           .int64(at_ms)
                           .text(ctx.actor)));
            if (added.affected() == 0) {
                return fail(ErrorCode::AlreadyExists,
                            "person " + entry.person_id + " is already on the list of cycle " +
                                cycle_id);
            }
        }
        KAPAL_TRY(bump_aid_cycle(w, "", PgParams().text(cycle_id)));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        entry.removed ? "aid.list.remove" : "aid.list.add",
                        entry.person_id,
                        "cycle=" + cycle_id + " reason=" + entry.reason));
        KAPAL_PG_ASSIGN(stored, aid_cycle_by_id(w, cycle_id));
        KAPAL_TRY(tx.commit());
        return std::move(*stored);
    }

    Result<AidCycleRecord> move_aid_list(const std::string& cycle_id,
                                         std::int64_t expected_version,
                                         const std::string& to_state,
                                         const WriteContext& ctx) override {
        if (std::find(kAidListStates.begin(), kAidListStates.end(), to_state) ==
            kAidListStates.end()) {
            return fail(ErrorCode::InvalidArgument,
                        "list state must be draft, proposed or approved, not \"" + to_state + "\"");
        }
        const core::Timestamp at = write_time(ctx);
        const std::int64_t at_ms = core::to_unix_ms(at);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(current, locked_aid_cycle(w, cycle_id, expected_version));
        if (!aid_list_transition_allowed(current.list_state, to_state)) {
            return fail(ErrorCode::AidListState,
                        "the list of cycle " + cycle_id + " is " + current.list_state +
                            ": it cannot become " + to_state);
        }
        std::string action;
        std::string detail = "cycle=" + cycle_id;
        if (to_state == "proposed") {
            action = "aid.list.propose";
            KAPAL_TRY(bump_aid_cycle(w,
                                     "list_state = 'proposed', proposed_by = $2, proposed_at = $3",
                                     PgParams().text(cycle_id).text(ctx.actor).int64(at_ms)));
        } else if (to_state == "approved") {
            if (current.proposed_by == ctx.actor) {
                return fail(ErrorCode::AidSelfApproval,
                            "the list of cycle " + cycle_id + " was proposed by " + ctx.actor +
                                ": another admin must approve it");
            }
            KAPAL_PG_ASSIGN(entries, aid_entries_of(w, cycle_id));
            const std::string hash = aid_list_hash(current, std::move(entries));
            action = "aid.list.approve";
            detail += " hash=" + hash + " size=" + std::to_string(current.list_size);
            KAPAL_TRY(bump_aid_cycle(
                w,
                "list_state = 'approved', approved_by = $2, approved_at = $3, list_hash = $4",
                PgParams().text(cycle_id).text(ctx.actor).int64(at_ms).text(hash)));
        } else {
            // Sent back: the next proposal starts afresh.
            action = "aid.list.return";
            KAPAL_TRY(bump_aid_cycle(w,
                                     "list_state = 'draft', proposed_by = '', proposed_at = NULL",
                                     PgParams().text(cycle_id)));
        }
        KAPAL_TRY(audit(w, at, ctx, action, cycle_id, detail + reason_suffix(ctx)));
        KAPAL_PG_ASSIGN(stored, aid_cycle_by_id(w, cycle_id));
        KAPAL_TRY(tx.commit());
        return std::move(*stored);
    }

    Result<std::vector<AidListEntry>> list_aid_entries(const AidEntryQuery& query) override {
        if (query.limit < 1 || query.limit > 100'000) {
            return fail(ErrorCode::InvalidArgument, "limit must be between 1 and 100000");
        }
        PgParams params;
        int n = 0;
        const auto next = [&n] {
            return "$" + std::to_string(++n);
        };
        std::string sql = "SELECT " KAPAL_PG_AID_ENTRY_COLUMNS
                          " FROM aid_list_entries WHERE cycle_id = " +
                          next();
        params.text(query.cycle_id);
        if (!query.include_removed) {
            sql += " AND NOT removed";
        }
        if (!query.person_id.empty()) {
            sql += " AND person_id = " + next();
            params.text(query.person_id);
        }
        append_area_filter(sql, params, next, "kelurahan_code", query.area_codes);
        if (!query.after_person_id.empty()) {
            sql += " AND person_id > " + next();
            params.text(query.after_person_id);
        }
        sql += " ORDER BY person_id LIMIT " + next();
        params.int64(query.limit);
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows,
                        query.area_codes.size() <= 4 ? conn->exec(sql, params)
                                                     : conn->exec_once(sql, params));
        std::vector<AidListEntry> out;
        out.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) {
            out.push_back(aid_entry_from_row(rows, i));
        }
        return out;
    }

    Result<AidDeliveryOutcome> record_aid_delivery(const AidDeliveryRecord& delivery,
                                                   const WriteContext& ctx) override {
        if (std::find(kAidDeliveryStates.begin(), kAidDeliveryStates.end(), delivery.state) ==
                kAidDeliveryStates.end() ||
            delivery.amount < 0) {
            return fail(ErrorCode::InvalidArgument,
                        "delivery " + delivery.id +
                            ": state must be delivered, pending or failed and the amount must "
                            "not be negative");
        }
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        // A retry from a phone gets its first answer back whatever happened since.
        if (!delivery.idempotency_key.empty()) {
            KAPAL_PG_ASSIGN(seen, replay_of(w, delivery));
            if (seen) {
                KAPAL_TRY(tx.commit());
                return std::move(*seen);
            }
        }
        KAPAL_PG_ASSIGN(cycle,
                        w.exec("SELECT list_state FROM aid_cycles WHERE id = $1 FOR UPDATE",
                               PgParams().text(delivery.cycle_id)));
        if (cycle.rows() == 0) {
            return fail(ErrorCode::NotFound, "no aid cycle " + delivery.cycle_id);
        }
        if (cycle.text(0, 0) != "approved") {
            return fail(ErrorCode::AidListState,
                        "the list of cycle " + delivery.cycle_id + " is " +
                            std::string(cycle.text(0, 0)) + ", not approved");
        }
        KAPAL_PG_ASSIGN(listed,
                        w.exec("SELECT 1 FROM aid_list_entries WHERE cycle_id = $1 AND "
                               "person_id = $2 AND NOT removed",
                               PgParams().text(delivery.cycle_id).text(delivery.person_id)));
        if (listed.rows() == 0) {
            return fail(ErrorCode::AidNotOnList,
                        "person " + delivery.person_id + " is not on the list of cycle " +
                            delivery.cycle_id);
        }
        // Never twice is the unique index aid_deliveries_once, not a check before the insert: the
        // database refuses a second delivery or pending transfer of a (cycle, person) whoever
        // writes it. The savepoint keeps the transaction usable after a unique violation, to
        // find out which rule the insert broke.
        KAPAL_TRY(w.run("SAVEPOINT aid_delivery"));
        auto inserted = w.exec("INSERT INTO aid_deliveries (" KAPAL_PG_AID_DELIVERY_COLUMNS
                               ", evidence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                               "$11::float8, $12::float8, $13::float8, $14, $15, $16, $17, $18, "
                               "$19, $20, $21, $22, $23)",
                               aid_delivery_params(delivery));
        if (!inserted) {
            Error e = std::move(inserted).error();
            if (e.code != ErrorCode::AlreadyExists) {
                return fail(std::move(e));
            }
            KAPAL_TRY(w.run("ROLLBACK TO SAVEPOINT aid_delivery"));
            if (e.message.find("aid_deliveries_once") != std::string::npos) {
                KAPAL_PG_ASSIGN(
                    before,
                    w.exec("SELECT id, state FROM aid_deliveries WHERE cycle_id = $1 AND "
                           "person_id = $2 AND state <> 'failed'",
                           PgParams().text(delivery.cycle_id).text(delivery.person_id)));
                return fail(ErrorCode::AidAlreadyDelivered,
                            "person " + delivery.person_id + " already has a delivery " +
                                (before.rows() > 0 ? std::string(before.text(0, 0)) + " " +
                                                         std::string(before.text(0, 1))
                                                   : std::string("delivered or pending")) +
                                " in cycle " + delivery.cycle_id);
            }
            if (e.message.find("aid_deliveries_idempotency") != std::string::npos) {
                KAPAL_PG_ASSIGN(seen, replay_of(w, delivery));
                if (seen) {
                    KAPAL_TRY(tx.commit());
                    return std::move(*seen);
                }
            }
            return fail(ErrorCode::AlreadyExists,
                        "delivery id " + delivery.id + " is already used");
        }
        KAPAL_TRY(w.run("RELEASE SAVEPOINT aid_delivery"));
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
        KAPAL_PG_ASSIGN(stored, aid_delivery_by_id(w, delivery.id));
        KAPAL_TRY(tx.commit());
        return AidDeliveryOutcome{std::move(*stored), false};
    }

    Result<std::vector<AidDeliveryRecord>>
    list_aid_deliveries(const AidDeliveryQuery& query) override {
        if (query.limit < 1 || query.limit > 100'000) {
            return fail(ErrorCode::InvalidArgument, "limit must be between 1 and 100000");
        }
        PgParams params;
        int n = 0;
        const auto next = [&n] {
            return "$" + std::to_string(++n);
        };
        std::string sql =
            "SELECT " KAPAL_PG_AID_DELIVERY_COLUMNS ", NULL::bytea FROM aid_deliveries WHERE true";
        if (!query.cycle_id.empty()) {
            sql += " AND cycle_id = " + next();
            params.text(query.cycle_id);
        }
        if (!query.person_id.empty()) {
            sql += " AND person_id = " + next();
            params.text(query.person_id);
        }
        if (!query.batch_id.empty()) {
            sql += " AND batch_id = " + next();
            params.text(query.batch_id);
        }
        append_area_filter(sql, params, next, "kelurahan_code", query.area_codes);
        // By id, as the SQLite store: UUIDv7 ids are in the order they were made.
        if (!query.after_id.empty()) {
            sql += " AND id > " + next();
            params.text(query.after_id);
        }
        sql += " ORDER BY id LIMIT " + next();
        params.int64(query.limit);
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows,
                        query.area_codes.size() <= 4 ? conn->exec(sql, params)
                                                     : conn->exec_once(sql, params));
        std::vector<AidDeliveryRecord> out;
        out.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) {
            out.push_back(aid_delivery_from_row(rows, i));
        }
        return out;
    }

    Result<std::optional<AidDeliveryRecord>> get_aid_delivery(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        return aid_delivery_by_id(*conn, id);
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
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        // The cycle's row lock orders batches of one cycle (their numbers) across processes.
        KAPAL_PG_ASSIGN(cycle,
                        w.exec("SELECT list_state FROM aid_cycles WHERE id = $1 FOR UPDATE",
                               PgParams().text(batch.cycle_id)));
        if (cycle.rows() == 0) {
            return fail(ErrorCode::NotFound, "no aid cycle " + batch.cycle_id);
        }
        if (cycle.text(0, 0) != "approved") {
            return fail(ErrorCode::AidListState,
                        "the list of cycle " + batch.cycle_id + " is " +
                            std::string(cycle.text(0, 0)) + ", not approved");
        }
        AidBatchOutcome out;
        std::int64_t count = 0;
        std::int64_t total = 0;
        for (const AidDeliveryRecord& line : lines) {
            KAPAL_PG_ASSIGN(listed,
                            w.exec("SELECT 1 FROM aid_list_entries WHERE cycle_id = $1 AND "
                                   "person_id = $2 AND NOT removed",
                                   PgParams().text(line.cycle_id).text(line.person_id)));
            if (listed.rows() == 0) {
                return fail(ErrorCode::AidNotOnList,
                            "person " + line.person_id + " is not on the list of cycle " +
                                line.cycle_id);
            }
            // The unique index decides: a person with a live delivery (a handover, a line of
            // another batch, also one committed meanwhile by another process) is skipped.
            KAPAL_PG_ASSIGN(inserted,
                            w.exec("INSERT INTO aid_deliveries (" KAPAL_PG_AID_DELIVERY_COLUMNS
                                   ", evidence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                                   "$11::float8, $12::float8, $13::float8, $14, $15, $16, $17, "
                                   "$18, $19, $20, $21, $22, $23) ON CONFLICT (cycle_id, "
                                   "person_id) WHERE state <> 'failed' DO NOTHING",
                                   aid_delivery_params(line)));
            if (inserted.affected() == 0) {
                out.skipped_person_ids.push_back(line.person_id);
                continue;
            }
            ++count;
            total += line.amount;
        }
        if (count == 0) {
            return fail(ErrorCode::AidAlreadyDelivered,
                        "every person of the batch already has a delivery or a pending transfer "
                        "in cycle " +
                            batch.cycle_id);
        }
        KAPAL_PG_ASSIGN(made,
                        w.exec("INSERT INTO aid_batches (id, cycle_id, program_code, number, "
                               "state, line_count, total_amount, created_at, created_by) SELECT "
                               "$1, $2, $3, coalesce(max(number), 0) + 1, 'dibuat', $4, $5, $6, "
                               "$7 FROM aid_batches WHERE cycle_id = $2",
                               PgParams()
                                   .text(batch.id)
                                   .text(batch.cycle_id)
                                   .text(batch.program_code)
                                   .int64(count)
                                   .int64(total)
                                   .int64(core::to_unix_ms(at))
                                   .text(ctx.actor)));
        (void)made;
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "aid.batch.create",
                        batch.id,
                        "cycle=" + batch.cycle_id + " lines=" + std::to_string(count) +
                            " amount=" + std::to_string(total) + " skipped=" +
                            std::to_string(out.skipped_person_ids.size()) + reason_suffix(ctx)));
        KAPAL_PG_ASSIGN(written, batches_where(w, "b.id = $1", batch.id));
        KAPAL_TRY(tx.commit());
        out.batch = std::move(written.front());
        return out;
    }

    Result<std::vector<AidBatchRecord>> list_aid_batches(const std::string& cycle_id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        return batches_where(*conn, "b.cycle_id = $1", cycle_id);
    }

    Result<std::optional<AidBatchRecord>> get_aid_batch(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(found, batches_where(*conn, "b.id = $1", id));
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
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(found,
                        w.exec("SELECT 1 FROM aid_batches WHERE id = $1 FOR UPDATE",
                               PgParams().text(batch_id)));
        if (found.rows() == 0) {
            return fail(ErrorCode::NotFound, "no transfer batch " + batch_id);
        }
        std::vector<bool> changed;
        changed.reserve(settlements.size());
        std::int64_t paid = 0;
        std::int64_t failed = 0;
        for (const AidTransferSettlement& s : settlements) {
            PgParams params;
            params.text(s.delivery_id).text(batch_id).text(s.paid ? "delivered" : "failed");
            if (s.paid) {
                params.int64(core::to_unix_ms(s.paid_at));
            } else {
                params.null();
            }
            params.text(s.paid ? std::string() : s.fail_reason).text(s.bank_reference);
            KAPAL_PG_ASSIGN(update,
                            w.exec("UPDATE aid_deliveries SET state = $3, recorded_at = "
                                   "coalesce($4::bigint, recorded_at), fail_reason = $5, "
                                   "bank_reference = $6 WHERE id = $1 AND batch_id = $2 AND "
                                   "state = 'pending'",
                                   params));
            const bool did = update.affected() > 0;
            changed.push_back(did);
            if (did) {
                ++(s.paid ? paid : failed);
            }
        }
        KAPAL_TRY(w.exec("UPDATE aid_batches SET state = 'direkonsiliasi', reconciled_at = $2 "
                         "WHERE id = $1 AND state = 'dibuat' AND NOT EXISTS (SELECT 1 FROM "
                         "aid_deliveries WHERE batch_id = $1 AND state = 'pending')",
                         PgParams().text(batch_id).int64(core::to_unix_ms(at))));
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

    /// Batches matching `where` (over aid_batches b, with $1 = `arg`) with their counts, by
    /// number.
    static Result<std::vector<AidBatchRecord>>
    batches_where(PgConnection& conn, const std::string& where, const std::string& arg) {
        KAPAL_PG_ASSIGN(
            rows,
            conn.exec("SELECT b.id, b.cycle_id, b.program_code, b.number, b.state, b.line_count, "
                      "b.total_amount, b.created_at, b.created_by, b.reconciled_at, count(d.id) "
                      "FILTER (WHERE d.state = 'delivered'), coalesce(sum(d.amount) FILTER "
                      "(WHERE d.state = 'delivered'), 0)::bigint, count(d.id) FILTER (WHERE "
                      "d.state = 'failed'), count(d.id) FILTER (WHERE d.state = 'pending') FROM "
                      "aid_batches b LEFT JOIN aid_deliveries d ON d.batch_id = b.id WHERE " +
                          where + " GROUP BY b.pk ORDER BY b.cycle_id, b.number",
                      PgParams().text(arg)));
        std::vector<AidBatchRecord> out;
        out.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) {
            AidBatchRecord b;
            b.id = rows.text(i, 0);
            b.cycle_id = rows.text(i, 1);
            b.program_code = rows.text(i, 2);
            b.number = rows.int64(i, 3);
            b.state = rows.text(i, 4);
            b.line_count = rows.int64(i, 5);
            b.total_amount = rows.int64(i, 6);
            b.created_at = core::from_unix_ms(rows.int64(i, 7));
            b.created_by = rows.text(i, 8);
            if (!rows.is_null(i, 9)) {
                b.reconciled_at = core::from_unix_ms(rows.int64(i, 9));
            }
            b.paid_count = rows.int64(i, 10);
            b.paid_amount = rows.int64(i, 11);
            b.failed_count = rows.int64(i, 12);
            b.pending_count = rows.int64(i, 13);
            out.push_back(std::move(b));
        }
        return out;
    }

    Result<std::vector<AidRealisationRow>>
    aid_realisation(const std::string& cycle_id,
                    const std::vector<std::string>& area_codes) override {
        PgParams params;
        int n = 0;
        const auto next = [&n] {
            return "$" + std::to_string(++n);
        };
        // One row per entry on the list with its delivery that is not failed (at most one, by
        // aid_deliveries_once) and whether a failed one exists.
        std::string sql =
            "SELECT kelurahan_code, count(*), count(*) FILTER (WHERE state = 'delivered'), "
            "count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state IS NULL AND "
            "failed), coalesce(sum(amount) FILTER (WHERE state = 'delivered'), 0)::bigint FROM "
            "(SELECT e.kelurahan_code, d.state, d.amount, EXISTS (SELECT 1 FROM aid_deliveries f "
            "WHERE f.cycle_id = e.cycle_id AND f.person_id = e.person_id AND f.state = 'failed') "
            "AS failed FROM aid_list_entries e LEFT JOIN aid_deliveries d ON d.cycle_id = "
            "e.cycle_id AND d.person_id = e.person_id AND d.state <> 'failed' WHERE e.cycle_id = " +
            next() + " AND NOT e.removed";
        params.text(cycle_id);
        append_area_filter(sql, params, next, "e.kelurahan_code", area_codes);
        sql += ") x GROUP BY kelurahan_code ORDER BY kelurahan_code";
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(
            rows, area_codes.size() <= 4 ? conn->exec(sql, params) : conn->exec_once(sql, params));
        std::vector<AidRealisationRow> out;
        out.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) {
            out.push_back(AidRealisationRow{std::string(rows.text(i, 0)),
                                            rows.int64(i, 1),
                                            rows.int64(i, 2),
                                            rows.int64(i, 3),
                                            rows.int64(i, 4),
                                            rows.int64(i, 5)});
        }
        return out;
    }

    // --- Vouchers (schema v11)

    Result<MerchantRecord> add_merchant(const MerchantRecord& merchant,
                                        const WriteContext& ctx) override {
        KAPAL_TRY(check_merchant(merchant));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        PgParams params = merchant_params(merchant);
        params.int64(core::to_unix_ms(at)).text(ctx.actor);
        KAPAL_TRY(already_exists_as(
            w.exec("INSERT INTO merchants (" KAPAL_PG_MERCHANT_COLUMNS
                   ") VALUES ($1, $2, $3, $4, $5::float8, $6::float8, $7, $8, 1, $9, $10, $9, "
                   "$10)",
                   params),
            "merchant id " + merchant.id));
        KAPAL_TRY(
            audit(w,
                  at,
                  ctx,
                  "aid.merchant.create",
                  merchant.id,
                  "name=" + merchant.name + " user=" + merchant.user_id + reason_suffix(ctx)));
        KAPAL_PG_ASSIGN(created, merchant_by_id(w, merchant.id));
        KAPAL_TRY(tx.commit());
        return std::move(*created);
    }

    Result<MerchantRecord> update_merchant(const MerchantRecord& merchant,
                                           const WriteContext& ctx) override {
        KAPAL_TRY(check_merchant(merchant));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(current, merchant_by_id(w, merchant.id));
        if (!current) {
            return fail(ErrorCode::NotFound, "no merchant " + merchant.id);
        }
        if (current->version != merchant.version) {
            return fail(ErrorCode::VersionConflict,
                        "merchant " + merchant.id + " is at version " +
                            std::to_string(current->version));
        }
        PgParams params = merchant_params(merchant);
        params.int64(core::to_unix_ms(at)).text(ctx.actor);
        KAPAL_TRY(w.exec("UPDATE merchants SET name = $2, user_id = $3, kelurahan_code = $4, lon "
                         "= $5::float8, lat = $6::float8, address = $7, active = $8, version = "
                         "version + 1, updated_at = $9, updated_by = $10 WHERE id = $1",
                         params));
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "aid.merchant.update",
                        merchant.id,
                        "name=" + merchant.name + " user=" + merchant.user_id +
                            " active=" + (merchant.active ? "1" : "0") + reason_suffix(ctx)));
        KAPAL_PG_ASSIGN(updated, merchant_by_id(w, merchant.id));
        KAPAL_TRY(tx.commit());
        return std::move(*updated);
    }

    Result<std::optional<MerchantRecord>> get_merchant(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        return merchant_by_id(*conn, id);
    }

    Result<std::vector<MerchantRecord>> list_merchants() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows,
                        conn->exec("SELECT " KAPAL_PG_MERCHANT_COLUMNS
                                   " FROM merchants ORDER BY name COLLATE \"C\", id"));
        std::vector<MerchantRecord> out;
        for (int i = 0; i < rows.rows(); ++i) {
            out.push_back(merchant_from_row(rows, i));
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
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        if (!r.idempotency_key.empty()) {
            KAPAL_PG_ASSIGN(
                seen,
                voucher_transactions_where(w,
                                           "actor = $1 AND idempotency_key = $2",
                                           PgParams().text(ctx.actor).text(r.idempotency_key),
                                           1));
            if (!seen.empty()) {
                VoucherTransaction& first = seen.front();
                if (first.cycle_id != r.cycle_id || first.person_id != r.person_id ||
                    first.merchant_id != r.merchant_id || first.amount != r.amount) {
                    return fail(ErrorCode::IdempotencyKeyReused,
                                "idempotency key " + r.idempotency_key +
                                    " was used for another redemption (" + first.id + ")");
                }
                KAPAL_PG_ASSIGN(balance, voucher_target(w, r.cycle_id, r.person_id));
                KAPAL_TRY(tx.commit());
                return VoucherOutcome{std::move(first), std::move(balance), true};
            }
        }
        KAPAL_PG_ASSIGN(target, voucher_target(w, r.cycle_id, r.person_id));
        KAPAL_PG_ASSIGN(merchant, merchant_by_id(w, r.merchant_id));
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
        // The spend: the UPDATE takes the balance row's lock; a concurrent redemption waits for
        // it and re-checks `balance >= amount` on the committed row, so two can never both
        // spend the last of it.
        KAPAL_PG_ASSIGN(spent,
                        w.exec("UPDATE voucher_balances SET balance = balance - $3 WHERE "
                               "cycle_id = $1 AND person_id = $2 AND balance >= $3",
                               PgParams().text(r.cycle_id).text(r.person_id).int64(r.amount)));
        if (spent.affected() == 0) {
            KAPAL_PG_ASSIGN(now, voucher_target(w, r.cycle_id, r.person_id));
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
        KAPAL_PG_ASSIGN(written,
                        voucher_transactions_where(w, "id = $1", PgParams().text(r.id), 1));
        KAPAL_PG_ASSIGN(balance, voucher_target(w, r.cycle_id, r.person_id));
        KAPAL_TRY(tx.commit());
        return VoucherOutcome{std::move(written.front()), std::move(balance), false};
    }

    Result<VoucherBalance> voucher_balance(const std::string& cycle_id,
                                           const std::string& person_id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        return voucher_target(*conn, cycle_id, person_id);
    }

    Result<std::vector<VoucherBalance>> list_voucher_balances(const std::string& cycle_id,
                                                              const std::string& after_person_id,
                                                              int limit) override {
        if (limit < 1 || limit > 100'000) {
            return fail(ErrorCode::InvalidArgument, "limit must be between 1 and 100000");
        }
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows,
                        conn->exec("SELECT " KAPAL_PG_BALANCE_COLUMNS
                                   " FROM voucher_balances WHERE cycle_id = $1 AND person_id > "
                                   "$2 ORDER BY person_id LIMIT $3",
                                   PgParams().text(cycle_id).text(after_person_id).int64(limit)));
        std::vector<VoucherBalance> out;
        for (int i = 0; i < rows.rows(); ++i) {
            out.push_back(balance_from_row(rows, i));
        }
        return out;
    }

    Result<std::vector<VoucherTransaction>>
    list_voucher_transactions(const VoucherQuery& query) override {
        if (query.limit < 1 || query.limit > 100'000) {
            return fail(ErrorCode::InvalidArgument, "limit must be between 1 and 100000");
        }
        PgParams params;
        int n = 0;
        std::string where = "true";
        const auto add = [&](const char* clause, const std::string& value) {
            if (!value.empty()) {
                where += std::string(clause) + "$" + std::to_string(++n);
                params.text(value);
            }
        };
        add(" AND cycle_id = ", query.cycle_id);
        add(" AND person_id = ", query.person_id);
        add(" AND merchant_id = ", query.merchant_id);
        add(" AND id > ", query.after_id);
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        return voucher_transactions_where(*conn, where, params, query.limit);
    }

    Result<std::vector<MerchantTotal>> merchant_totals(const std::string& cycle_id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows,
                        conn->exec("SELECT merchant_id, count(*)::bigint, sum(amount)::bigint "
                                   "FROM voucher_transactions WHERE kind = 'redeem' AND ($1 = '' "
                                   "OR cycle_id = $1) GROUP BY merchant_id ORDER BY merchant_id",
                                   PgParams().text(cycle_id)));
        std::vector<MerchantTotal> out;
        for (int i = 0; i < rows.rows(); ++i) {
            out.push_back(
                MerchantTotal{std::string(rows.text(i, 0)), rows.int64(i, 1), rows.int64(i, 2)});
        }
        return out;
    }

    // --- Voucher helpers

    /// $1..$8 of a merchant's INSERT/UPDATE (id, name, user_id, kelurahan_code, lon, lat,
    /// address, active).
    static PgParams merchant_params(const MerchantRecord& m) {
        PgParams p;
        p.text(m.id)
            .text(m.name)
            .text(m.user_id)
            .text(m.kelurahan_code)
            .real(m.lon)
            .real(m.lat)
            .text(m.address)
            .boolean(m.active);
        return p;
    }

    static MerchantRecord merchant_from_row(const PgResult& rows, int i) {
        MerchantRecord m;
        m.id = rows.text(i, 0);
        m.name = rows.text(i, 1);
        m.user_id = rows.text(i, 2);
        m.kelurahan_code = rows.text(i, 3);
        m.lon = rows.real(i, 4);
        m.lat = rows.real(i, 5);
        m.address = rows.text(i, 6);
        m.active = rows.int64(i, 7) != 0;
        m.version = rows.int64(i, 8);
        m.created_at = core::from_unix_ms(rows.int64(i, 9));
        m.created_by = rows.text(i, 10);
        m.updated_at = core::from_unix_ms(rows.int64(i, 11));
        m.updated_by = rows.text(i, 12);
        return m;
    }

    // --- Duplicate review helpers

    static DuplicatePairRecord pair_from_row(const PgResult& rows, int i) {
        DuplicatePairRecord p;
        p.id = rows.text(i, 0);
        p.person_a = core::PersonId(std::string(rows.text(i, 1)));
        p.person_b = core::PersonId(std::string(rows.text(i, 2)));
        p.kelurahan_a = rows.text(i, 3);
        p.kelurahan_b = rows.text(i, 4);
        p.score = rows.real(i, 5);
        p.explanation = rows.text(i, 6);
        p.source = rows.text(i, 7);
        p.state = rows.text(i, 8);
        p.found_at = core::from_unix_ms(rows.int64(i, 9));
        p.found_by = rows.text(i, 10);
        if (!rows.is_null(i, 11)) {
            p.decided_at = core::from_unix_ms(rows.int64(i, 11));
        }
        p.decided_by = rows.text(i, 12);
        p.decision_reason = rows.text(i, 13);
        p.kept_id = rows.text(i, 14);
        p.version = rows.int64(i, 15);
        return p;
    }

    // --- Sync helpers

    static void opt_int(PgParams& p, const std::optional<std::int64_t>& v) {
        if (v) {
            p.int64(*v);
        } else {
            p.null();
        }
    }

    /// The payload sealed with the field key; NULL when there is none.
    void sealed_payload(PgParams& p, const std::string& payload) const {
        if (payload.empty()) {
            p.null();
        } else {
            p.bytes(cipher_.encrypt(payload));
        }
    }

    /// A row of KAPAL_PG_SYNC_COLUMNS. Errors: StoreCorrupt (a payload the key does not open).
    Result<SyncOpRecord> sync_op_from_row(const PgResult& rows, int i) const {
        SyncOpRecord op;
        op.id = rows.text(i, 0);
        op.actor = rows.text(i, 1);
        op.key = rows.text(i, 2);
        op.device_id = rows.text(i, 3);
        op.seq = rows.int64(i, 4);
        op.type = rows.text(i, 5);
        op.person_id = rows.text(i, 6);
        op.after = rows.text(i, 7);
        op.fingerprint = rows.text(i, 8);
        op.state = rows.text(i, 9);
        op.result = rows.text(i, 10);
        if (!rows.is_null(i, 11)) {
            auto plain = cipher_.decrypt(rows.bytes(i, 11));
            if (!plain) {
                return fail(ErrorCode::StoreCorrupt,
                            "the payload of sync op " + op.id + " does not open with the key");
            }
            op.payload = std::move(*plain);
        }
        op.kelurahan_code = rows.text(i, 12);
        if (!rows.is_null(i, 13)) {
            op.base_version = rows.int64(i, 13);
        }
        if (!rows.is_null(i, 14)) {
            op.server_version = rows.int64(i, 14);
        }
        op.fields = rows.text(i, 15);
        op.received_at = core::from_unix_ms(rows.int64(i, 16));
        op.decided_at = opt_time(rows, i, 17);
        op.decided_by = rows.text(i, 18);
        op.decision = rows.text(i, 19);
        op.version = rows.int64(i, 20);
        return op;
    }

    Result<std::optional<SyncOpRecord>>
    sync_op_where(PgConnection& conn, const std::string& where, const PgParams& params) const {
        KAPAL_PG_ASSIGN(
            rows,
            conn.exec("SELECT " KAPAL_PG_SYNC_COLUMNS " FROM sync_ops WHERE " + where, params));
        if (rows.rows() == 0) {
            return std::optional<SyncOpRecord>();
        }
        KAPAL_PG_ASSIGN(op, sync_op_from_row(rows, 0));
        return std::optional<SyncOpRecord>(std::move(op));
    }

    static Result<std::optional<DuplicatePairRecord>>
    pair_where(PgConnection& conn, const std::string& where, const PgParams& params) {
        KAPAL_PG_ASSIGN(
            rows,
            conn.exec("SELECT " KAPAL_PG_PAIR_COLUMNS " FROM duplicate_pairs WHERE " + where,
                      params));
        if (rows.rows() == 0) {
            return std::optional<DuplicatePairRecord>();
        }
        return std::optional<DuplicatePairRecord>(pair_from_row(rows, 0));
    }

    /// The open pair `id` at `expected_version`, locked until the transaction ends. Errors:
    /// NotFound, VersionConflict, DuplicatePairDecided.
    static Result<DuplicatePairRecord>
    open_pair(PgConnection& w, const std::string& id, std::int64_t expected_version) {
        KAPAL_PG_ASSIGN(pair, pair_where(w, "id = $1 FOR UPDATE", PgParams().text(id)));
        if (!pair) {
            return fail(ErrorCode::NotFound, "no duplicate pair " + id);
        }
        KAPAL_TRY(check_open_pair(*pair, expected_version));
        return std::move(*pair);
    }

    static Result<void> decide_pair(PgConnection& w,
                                    const DuplicatePairRecord& pair,
                                    std::string_view state,
                                    const std::string& kept,
                                    core::Timestamp at,
                                    const WriteContext& ctx) {
        KAPAL_TRY(w.exec("UPDATE duplicate_pairs SET state = $2, decided_at = $3, decided_by = $4, "
                         "decision_reason = $5, kept_id = $6, version = version + 1 WHERE id = $1",
                         PgParams()
                             .text(pair.id)
                             .text(state)
                             .int64(core::to_unix_ms(at))
                             .text(ctx.actor)
                             .text(ctx.reason)
                             .text(kept)));
        return {};
    }

    static Result<std::optional<MerchantRecord>> merchant_by_id(PgConnection& conn,
                                                                const std::string& id) {
        KAPAL_PG_ASSIGN(rows,
                        conn.exec("SELECT " KAPAL_PG_MERCHANT_COLUMNS
                                  " FROM merchants WHERE id = $1",
                                  PgParams().text(id)));
        if (rows.rows() == 0) {
            return std::optional<MerchantRecord>();
        }
        return std::optional<MerchantRecord>(merchant_from_row(rows, 0));
    }

    /// A row of KAPAL_PG_BALANCE_COLUMNS.
    static VoucherBalance balance_from_row(const PgResult& rows, int i) {
        VoucherBalance b;
        b.cycle_id = rows.text(i, 0);
        b.person_id = rows.text(i, 1);
        b.kelurahan_code = rows.text(i, 2);
        b.entitled = rows.int64(i, 3);
        b.balance = rows.int64(i, 4);
        b.spent = b.entitled - b.balance;
        b.issued = true;
        b.delivery_id = rows.text(i, 5);
        return b;
    }

    /// The person's voucher in the cycle, checking what a redemption needs (as SQLite's
    /// voucher_target): a voucher programme's cycle with an approved list holding the person.
    static Result<VoucherBalance>
    voucher_target(PgConnection& conn, const std::string& cycle_id, const std::string& person_id) {
        KAPAL_PG_ASSIGN(cycle,
                        conn.exec("SELECT c.list_state, p.channel, p.unit_value, p.code FROM "
                                  "aid_cycles c JOIN aid_programs p ON p.code = c.program_code "
                                  "WHERE c.id = $1",
                                  PgParams().text(cycle_id)));
        if (cycle.rows() == 0) {
            return fail(ErrorCode::NotFound, "no cycle " + cycle_id);
        }
        const std::string state(cycle.text(0, 0));
        const std::string channel(cycle.text(0, 1));
        const std::int64_t unit_value = cycle.int64(0, 2);
        const std::string program(cycle.text(0, 3));
        if (channel != "voucher") {
            return fail(ErrorCode::AidChannelMismatch,
                        "programme " + program + " is delivered by " + channel +
                            ", not by voucher");
        }
        if (state != "approved") {
            return fail(ErrorCode::AidListState,
                        "the list of cycle " + cycle_id + " is " + state + ", not approved");
        }
        KAPAL_PG_ASSIGN(issued,
                        conn.exec("SELECT " KAPAL_PG_BALANCE_COLUMNS
                                  " FROM voucher_balances WHERE cycle_id = $1 AND person_id = $2",
                                  PgParams().text(cycle_id).text(person_id)));
        if (issued.rows() > 0) {
            return balance_from_row(issued, 0);
        }
        KAPAL_PG_ASSIGN(listed,
                        conn.exec("SELECT kelurahan_code FROM aid_list_entries WHERE cycle_id = "
                                  "$1 AND person_id = $2 AND NOT removed",
                                  PgParams().text(cycle_id).text(person_id)));
        if (listed.rows() == 0) {
            return fail(ErrorCode::AidNotOnList,
                        "person " + person_id + " is not on the list of cycle " + cycle_id);
        }
        VoucherBalance b;
        b.cycle_id = cycle_id;
        b.person_id = person_id;
        b.kelurahan_code = listed.text(0, 0);
        b.entitled = unit_value;
        b.balance = unit_value;
        return b;
    }

    /// Issues the entitlement `target` (not yet issued): the delivery row of channel voucher
    /// (aid_deliveries_once refuses it when another channel served the person), the balance
    /// row, and the issue transaction fund -> voucher.
    static Result<void> issue_voucher(PgConnection& w,
                                      core::Timestamp at,
                                      const WriteContext& ctx,
                                      const VoucherRedemption& r,
                                      const VoucherBalance& target) {
        KAPAL_PG_ASSIGN(earlier,
                        w.exec("SELECT id, channel FROM aid_deliveries WHERE cycle_id = $1 AND "
                               "person_id = $2 AND state <> 'failed'",
                               PgParams().text(r.cycle_id).text(r.person_id)));
        if (earlier.rows() > 0) {
            return fail(ErrorCode::AidAlreadyDelivered,
                        "delivery " + std::string(earlier.text(0, 0)) + " (" +
                            std::string(earlier.text(0, 1)) +
                            ") of this cycle already reached person " + r.person_id);
        }
        auto inserted = w.exec(
            "INSERT INTO aid_deliveries (" KAPAL_PG_AID_DELIVERY_COLUMNS
            ", evidence) VALUES ($1, $2, (SELECT program_code FROM aid_cycles WHERE id = $2), "
            "$3, $4, 'voucher', 'delivered', $5, $6, $7, NULL, NULL, NULL, $8, $9, '', "
            "'voucher', '', '', '', '', '', NULL)",
            PgParams()
                .text(r.delivery_id)
                .text(r.cycle_id)
                .text(r.person_id)
                .text(target.kelurahan_code)
                .int64(target.entitled)
                .int64(core::to_unix_ms(at))
                .text(ctx.actor)
                .text(r.card_number)
                .text(r.search_reason));
        if (!inserted) {
            Error e = std::move(inserted).error();
            if (e.message.find("aid_deliveries_once") != std::string::npos) {
                return fail(ErrorCode::AidAlreadyDelivered,
                            "person " + r.person_id + " already has a delivery in cycle " +
                                r.cycle_id);
            }
            return fail(std::move(e));
        }
        KAPAL_TRY(w.exec("INSERT INTO voucher_balances (" KAPAL_PG_BALANCE_COLUMNS
                         ", issued_at) VALUES ($1, $2, $3, $4, $4, $5, $6)",
                         PgParams()
                             .text(r.cycle_id)
                             .text(r.person_id)
                             .text(target.kelurahan_code)
                             .int64(target.entitled)
                             .text(r.delivery_id)
                             .int64(core::to_unix_ms(at))));
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
    static Result<void> insert_voucher_transaction(PgConnection& w, const VoucherTransaction& t) {
        auto inserted = w.exec("INSERT INTO voucher_transactions (" KAPAL_PG_VOUCHER_COLUMNS
                               ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
                               "RETURNING pk",
                               PgParams()
                                   .text(t.id)
                                   .text(t.cycle_id)
                                   .text(t.kind)
                                   .text(t.person_id)
                                   .text(t.merchant_id)
                                   .int64(t.amount)
                                   .text(t.note)
                                   .int64(core::to_unix_ms(t.at))
                                   .text(t.actor)
                                   .text(t.card_number)
                                   .text(t.search_reason)
                                   .text(t.idempotency_key));
        if (!inserted) {
            return already_exists_as(std::move(inserted), "voucher transaction id " + t.id);
        }
        const std::int64_t pk = inserted->int64(0, 0);
        std::int64_t seq = 0;
        for (const VoucherPosting& p : t.postings) {
            KAPAL_TRY(w.exec("INSERT INTO voucher_postings (transaction_pk, seq, account, "
                             "amount) VALUES ($1, $2, $3, $4)",
                             PgParams().int64(pk).int64(++seq).text(p.account).int64(p.amount)));
        }
        return {};
    }

    /// Transactions matching `where` (over `params`), by id, with their postings.
    static Result<std::vector<VoucherTransaction>> voucher_transactions_where(
        PgConnection& conn, const std::string& where, const PgParams& params, int limit) {
        KAPAL_PG_ASSIGN(rows,
                        conn.exec("SELECT t.id, t.cycle_id, t.kind, t.person_id, t.merchant_id, "
                                  "t.amount, t.note, t.at, t.actor, t.card_number, "
                                  "t.search_reason, t.idempotency_key, p.account, p.amount FROM "
                                  "(SELECT * FROM voucher_transactions WHERE " +
                                      where + " ORDER BY id LIMIT " + std::to_string(limit) +
                                      ") t JOIN voucher_postings p ON p.transaction_pk = t.pk "
                                      "ORDER BY t.id, p.seq",
                                  params));
        std::vector<VoucherTransaction> out;
        for (int i = 0; i < rows.rows(); ++i) {
            if (out.empty() || out.back().id != rows.text(i, 0)) {
                VoucherTransaction t;
                t.id = rows.text(i, 0);
                t.cycle_id = rows.text(i, 1);
                t.kind = rows.text(i, 2);
                t.person_id = rows.text(i, 3);
                t.merchant_id = rows.text(i, 4);
                t.amount = rows.int64(i, 5);
                t.note = rows.text(i, 6);
                t.at = core::from_unix_ms(rows.int64(i, 7));
                t.actor = rows.text(i, 8);
                t.card_number = rows.text(i, 9);
                t.search_reason = rows.text(i, 10);
                t.idempotency_key = rows.text(i, 11);
                out.push_back(std::move(t));
            }
            out.back().postings.push_back(
                VoucherPosting{std::string(rows.text(i, 12)), rows.int64(i, 13)});
        }
        return out;
    }

    static Result<std::optional<AidProgramRecord>> aid_program_by_code(PgConnection& conn,
                                                                       const std::string& code) {
        KAPAL_PG_ASSIGN(rows,
                        conn.exec("SELECT " KAPAL_PG_AID_PROGRAM_COLUMNS
                                  " FROM aid_programs WHERE code = $1",
                                  PgParams().text(code)));
        if (rows.rows() == 0) {
            return std::optional<AidProgramRecord>();
        }
        return std::optional<AidProgramRecord>(aid_program_from_row(rows, 0));
    }

    static Result<std::optional<AidCycleRecord>>
    aid_cycle_by_id(PgConnection& conn, const std::string& id, bool for_update = false) {
        KAPAL_PG_ASSIGN(rows,
                        conn.exec(for_update ? "SELECT " KAPAL_PG_AID_CYCLE_COLUMNS
                                               " FROM aid_cycles WHERE id = $1 FOR UPDATE"
                                             : "SELECT " KAPAL_PG_AID_CYCLE_COLUMNS
                                               " FROM aid_cycles WHERE id = $1",
                                  PgParams().text(id)));
        if (rows.rows() == 0) {
            return std::optional<AidCycleRecord>();
        }
        KAPAL_PG_ASSIGN(cycle, aid_cycle_from_row(rows, 0));
        return std::optional<AidCycleRecord>(std::move(cycle));
    }

    /// The cycle `id`, locked, if it is at `expected_version`. Errors: NotFound, VersionConflict.
    static Result<AidCycleRecord>
    locked_aid_cycle(PgConnection& w, const std::string& id, std::int64_t expected_version) {
        KAPAL_PG_ASSIGN(found, aid_cycle_by_id(w, id, true));
        if (!found) {
            return fail(ErrorCode::NotFound, "no aid cycle " + id);
        }
        if (found->version != expected_version) {
            return fail(ErrorCode::VersionConflict,
                        "aid cycle " + id + " is at version " + std::to_string(found->version));
        }
        return std::move(*found);
    }

    /// As locked_aid_cycle, for a change of the list: it must be a draft. Errors: NotFound,
    /// VersionConflict, AidListState.
    static Result<void>
    draft_cycle(PgConnection& w, const std::string& id, std::int64_t expected_version) {
        KAPAL_PG_ASSIGN(cycle, locked_aid_cycle(w, id, expected_version));
        if (cycle.list_state != "draft") {
            return fail(ErrorCode::AidListState,
                        "the list of cycle " + id + " is " + cycle.list_state +
                            ": only a draft can be changed");
        }
        return {};
    }

    /// Bumps the cycle's version, recounts its list and applies `set` (more assignments, "" for
    /// none) with `params` ($1 = the cycle's id); returns the list's size.
    static Result<std::int64_t>
    bump_aid_cycle(PgConnection& w, const std::string& set, const PgParams& params) {
        KAPAL_PG_ASSIGN(rows,
                        w.exec("UPDATE aid_cycles SET version = version + 1, list_size = (SELECT "
                               "count(*) FROM aid_list_entries WHERE cycle_id = $1 AND NOT "
                               "removed)" +
                                   (set.empty() ? std::string() : ", " + set) +
                                   " WHERE id = $1 RETURNING list_size",
                               params));
        return rows.int64(0, 0);
    }

    /// Every entry of a cycle's list, by person id.
    static Result<std::vector<AidListEntry>> aid_entries_of(PgConnection& conn,
                                                            const std::string& cycle_id) {
        KAPAL_PG_ASSIGN(rows,
                        conn.exec("SELECT " KAPAL_PG_AID_ENTRY_COLUMNS
                                  " FROM aid_list_entries WHERE cycle_id = $1 ORDER BY person_id",
                                  PgParams().text(cycle_id)));
        std::vector<AidListEntry> out;
        out.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) {
            out.push_back(aid_entry_from_row(rows, i));
        }
        return out;
    }

    static Result<std::optional<AidDeliveryRecord>> aid_delivery_by_id(PgConnection& conn,
                                                                       const std::string& id) {
        KAPAL_PG_ASSIGN(rows,
                        conn.exec("SELECT " KAPAL_PG_AID_DELIVERY_COLUMNS
                                  ", evidence FROM aid_deliveries WHERE id = $1",
                                  PgParams().text(id)));
        if (rows.rows() == 0) {
            return std::optional<AidDeliveryRecord>();
        }
        return std::optional<AidDeliveryRecord>(aid_delivery_from_row(rows, 0));
    }

    /// The delivery the officer recorded before with `d`'s idempotency key: the outcome to
    /// replay when it was for the same cycle and person, nullopt when the key is new.
    /// Errors: IdempotencyKeyReused (the key was used for another cycle or person).
    static Result<std::optional<AidDeliveryOutcome>> replay_of(PgConnection& w,
                                                               const AidDeliveryRecord& d) {
        KAPAL_PG_ASSIGN(rows,
                        w.exec("SELECT " KAPAL_PG_AID_DELIVERY_COLUMNS
                               ", evidence FROM aid_deliveries WHERE officer = $1 AND "
                               "idempotency_key = $2 AND idempotency_key <> ''",
                               PgParams().text(d.officer).text(d.idempotency_key)));
        if (rows.rows() == 0) {
            return std::optional<AidDeliveryOutcome>();
        }
        AidDeliveryRecord first = aid_delivery_from_row(rows, 0);
        if (first.cycle_id != d.cycle_id || first.person_id != d.person_id) {
            return fail(ErrorCode::IdempotencyKeyReused,
                        "idempotency key " + d.idempotency_key + " of " + d.officer +
                            " was used for another delivery (" + first.id + ")");
        }
        return std::optional<AidDeliveryOutcome>(AidDeliveryOutcome{std::move(first), true});
    }

    /// $1..$20 of the delivery INSERT: KAPAL_PG_AID_DELIVERY_COLUMNS, then the evidence.
    static PgParams aid_delivery_params(const AidDeliveryRecord& d) {
        PgParams p;
        p.text(d.id)
            .text(d.cycle_id)
            .text(d.program_code)
            .text(d.person_id)
            .text(d.kelurahan_code)
            .text(d.channel)
            .text(d.state)
            .int64(d.amount)
            .int64(core::to_unix_ms(d.recorded_at))
            .text(d.officer);
        opt_real(p, d.lon);
        opt_real(p, d.lat);
        opt_real(p, d.accuracy_m);
        p.text(d.card_number)
            .text(d.search_reason)
            .text(d.evidence_type)
            .text(d.note)
            .text(join_codes(d.flags))
            .text(d.idempotency_key)
            .text(d.batch_id)
            .text(d.fail_reason)
            .text(d.bank_reference);
        if (d.evidence.empty()) {
            p.null();
        } else {
            p.bytes(d.evidence);
        }
        return p;
    }

    // --- Duplicate review (schema v13)

    Result<std::vector<bool>> propose_duplicate_pairs(const std::vector<DuplicatePairRecord>& pairs,
                                                      const WriteContext& ctx) override {
        for (const auto& p : pairs) {
            KAPAL_TRY(check_pair(p));
        }
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        std::vector<bool> added;
        std::string ids;
        for (const auto& p : pairs) {
            KAPAL_PG_ASSIGN(inserted,
                            w.exec("INSERT INTO duplicate_pairs (" KAPAL_PG_PAIR_COLUMNS
                                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'terbuka', $9, $10, "
                                   "NULL, '', '', '', 1) ON CONFLICT (person_a, person_b) DO "
                                   "NOTHING",
                                   PgParams()
                                       .text(p.id)
                                       .text(p.person_a.str())
                                       .text(p.person_b.str())
                                       .text(p.kelurahan_a)
                                       .text(p.kelurahan_b)
                                       .real(p.score)
                                       .text(p.explanation)
                                       .text(p.source)
                                       .int64(core::to_unix_ms(at))
                                       .text(ctx.actor)));
            added.push_back(inserted.affected() != 0);
            if (inserted.affected() != 0) {
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
        PgParams params;
        int n = 0;
        const auto next = [&n] {
            return "$" + std::to_string(++n);
        };
        std::string sql = "SELECT " KAPAL_PG_PAIR_COLUMNS " FROM duplicate_pairs WHERE true";
        if (!query.state.empty()) {
            sql += " AND state = " + next();
            params.text(query.state);
        }
        if (!query.person_id.empty()) {
            const std::string p = next();
            sql += " AND (person_a = " + p + " OR person_b = " + p + ")";
            params.text(query.person_id);
        }
        if (!query.area_codes.empty()) {
            // Either home under one of the codes: the code itself or the range "code." .. "code/"
            // in byte order (the columns are COLLATE "C").
            sql += " AND (false";
            for (const std::string& code : query.area_codes) {
                const std::string same = next();
                const std::string low = next();
                const std::string high = next();
                params.text(code).text(code + ".").text(code + "/");
                for (const char* column : {"kelurahan_a", "kelurahan_b"}) {
                    sql += std::string(" OR ") + column + " = " + same + " OR (" + column +
                           " >= " + low + " AND " + column + " < " + high + ")";
                }
            }
            sql += ")";
        }
        if (!query.cursor.empty()) {
            auto after = decode_cursor(query.cursor);
            if (!after) {
                return fail(ErrorCode::BadCursor, "cursor is not one this server made");
            }
            sql += " AND id > " + next();
            params.text(*after);
        }
        sql += " ORDER BY id LIMIT " + next();
        params.int64(std::int64_t{query.limit} + 1);
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows, conn->exec_once(sql, params));
        Page<DuplicatePairRecord> page;
        for (int i = 0; i < rows.rows(); ++i) {
            if (page.items.size() == static_cast<std::size_t>(query.limit)) {
                page.next_cursor = encode_cursor(core::PersonId(page.items.back().id));
                break;
            }
            page.items.push_back(pair_from_row(rows, i));
        }
        return page;
    }

    Result<std::optional<DuplicatePairRecord>> get_duplicate_pair(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        return pair_where(*conn, "id = $1", PgParams().text(id));
    }

    Result<std::optional<DuplicatePairRecord>>
    find_duplicate_pair(const core::PersonId& one, const core::PersonId& other) override {
        const bool ordered = one.str() < other.str();
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        return pair_where(*conn,
                          "person_a = $1 AND person_b = $2",
                          PgParams()
                              .text(ordered ? one.str() : other.str())
                              .text(ordered ? other.str() : one.str()));
    }

    Result<DuplicatePairRecord> mark_duplicate_pair_distinct(const std::string& id,
                                                             std::int64_t expected_version,
                                                             const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(pair, open_pair(w, id, expected_version));
        KAPAL_TRY(decide_pair(w, pair, kPairDistinct, "", at, ctx));
        KAPAL_TRY(audit(w, at, ctx, "duplicate.distinct", id, ctx.reason));
        KAPAL_PG_ASSIGN(decided, pair_where(w, "id = $1", PgParams().text(id)));
        KAPAL_TRY(tx.commit());
        return std::move(*decided);
    }

    Result<DuplicateMergeOutcome> merge_duplicate_pair(const DuplicateMerge& merge,
                                                       const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const Sealed sealed = seal(merge.absorbed_content);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(pair, open_pair(w, merge.pair_id, merge.pair_version));
        KAPAL_PG_ASSIGN(kept, kept_of(pair, merge.absorbed));
        KAPAL_PG_ASSIGN(absorbed,
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
        KAPAL_PG_ASSIGN(decided, pair_where(w, "id = $1", PgParams().text(merge.pair_id)));
        KAPAL_TRY(tx.commit());
        return DuplicateMergeOutcome{std::move(*decided), std::move(absorbed)};
    }

    // --- Offline sync (schema v16)

    Result<void> add_sync_op(const SyncOpRecord& op, const WriteContext& ctx) override {
        KAPAL_TRY(check_sync_state(op.state));
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        PgParams params;
        params.text(op.id)
            .text(op.actor)
            .text(op.key)
            .text(op.device_id)
            .int64(op.seq)
            .text(op.type)
            .text(op.person_id)
            .text(op.after)
            .text(op.fingerprint)
            .text(op.state)
            .text(op.result);
        sealed_payload(params, op.payload);
        params.text(op.kelurahan_code);
        opt_int(params, op.base_version);
        opt_int(params, op.server_version);
        params.text(op.fields).int64(core::to_unix_ms(op.received_at));
        opt_time(params, op.decided_at);
        params.text(op.decided_by).text(op.decision);
        KAPAL_TRY(already_exists_as(
            w.exec("INSERT INTO sync_ops (" KAPAL_PG_SYNC_COLUMNS
                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
                   "$16, $17, $18, $19, $20, 1)",
                   params),
            "sync op of " + op.actor + " with key " + op.key));
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
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(stored, sync_op_where(w, "id = $1 FOR UPDATE", PgParams().text(op.id)));
        if (!stored) {
            return fail(ErrorCode::NotFound, "no sync op " + op.id);
        }
        if (stored->version != expected_version) {
            return fail(ErrorCode::VersionConflict,
                        "sync op " + op.id + " is at version " + std::to_string(stored->version));
        }
        PgParams params;
        params.text(op.id).text(op.state).text(op.result);
        sealed_payload(params, op.payload);
        params.text(op.kelurahan_code);
        opt_int(params, op.base_version);
        opt_int(params, op.server_version);
        params.text(op.fields);
        opt_time(params, op.decided_at);
        params.text(op.decided_by).text(op.decision).text(op.person_id);
        KAPAL_TRY(w.exec("UPDATE sync_ops SET state = $2, result = $3, payload = $4, "
                         "kelurahan_code = $5, base_version = $6, server_version = $7, "
                         "fields = $8, decided_at = $9, decided_by = $10, decision = $11, "
                         "person_id = $12, version = version + 1 WHERE id = $1",
                         params));
        if (op.state == kSyncConflict && stored->state != kSyncConflict) {
            KAPAL_TRY(audit(w, at, ctx, "sync.conflict", op.person_id, sync_detail(op)));
        }
        if (op.state == kSyncResolved && stored->state != kSyncResolved) {
            KAPAL_TRY(audit(w, at, ctx, "sync.conflict.resolve", op.person_id, op.decision));
        }
        KAPAL_PG_ASSIGN(updated, sync_op_where(w, "id = $1", PgParams().text(op.id)));
        KAPAL_TRY(tx.commit());
        return std::move(*updated);
    }

    Result<std::optional<SyncOpRecord>> find_sync_op(const std::string& actor,
                                                     const std::string& key) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        return sync_op_where(*conn, "actor = $1 AND op_key = $2", PgParams().text(actor).text(key));
    }

    Result<std::optional<SyncOpRecord>> get_sync_op(const std::string& id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        return sync_op_where(*conn, "id = $1", PgParams().text(id));
    }

    Result<std::vector<SyncOpRecord>> waiting_sync_ops(const std::string& actor,
                                                       const std::string& after) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows,
                        conn->exec("SELECT " KAPAL_PG_SYNC_COLUMNS
                                   " FROM sync_ops WHERE state = 'waiting' AND actor = $1 AND "
                                   "after_key = $2 ORDER BY seq, id",
                                   PgParams().text(actor).text(after)));
        std::vector<SyncOpRecord> out;
        for (int i = 0; i < rows.rows(); ++i) {
            KAPAL_PG_ASSIGN(op, sync_op_from_row(rows, i));
            out.push_back(std::move(op));
        }
        return out;
    }

    Result<Page<SyncOpRecord>> list_sync_conflicts(const SyncConflictQuery& query) override {
        if (query.limit < 1 || query.limit > 1000) {
            return fail(ErrorCode::InvalidArgument, "limit must be 1..1000");
        }
        if (query.state != kSyncConflict && query.state != kSyncResolved) {
            return fail(ErrorCode::InvalidArgument, "state must be conflict or resolved");
        }
        PgParams params;
        int n = 0;
        const auto next = [&n] {
            return "$" + std::to_string(++n);
        };
        std::string sql = "SELECT " KAPAL_PG_SYNC_COLUMNS " FROM sync_ops WHERE state = " + next();
        params.text(query.state);
        if (!query.area_codes.empty()) {
            // The code itself or the range "code." .. "code/" in byte order (COLLATE "C").
            sql += " AND (false";
            for (const std::string& code : query.area_codes) {
                const std::string same = next();
                const std::string low = next();
                const std::string high = next();
                params.text(code).text(code + ".").text(code + "/");
                sql += " OR kelurahan_code = " + same + " OR (kelurahan_code >= " + low +
                       " AND kelurahan_code < " + high + ")";
            }
            sql += ")";
        }
        if (!query.cursor.empty()) {
            auto after = decode_cursor(query.cursor);
            if (!after) {
                return fail(ErrorCode::BadCursor, "cursor is not one this server made");
            }
            sql += " AND id > " + next();
            params.text(*after);
        }
        sql += " ORDER BY id LIMIT " + next();
        params.int64(std::int64_t{query.limit} + 1);
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows, conn->exec_once(sql, params));
        Page<SyncOpRecord> page;
        for (int i = 0; i < rows.rows(); ++i) {
            if (page.items.size() == static_cast<std::size_t>(query.limit)) {
                page.next_cursor = encode_cursor(core::PersonId(page.items.back().id));
                break;
            }
            KAPAL_PG_ASSIGN(op, sync_op_from_row(rows, i));
            page.items.push_back(std::move(op));
        }
        return page;
    }

    Result<void> append_audit(const AuditEntry& entry) override {
        const core::Timestamp at = entry.at != core::Timestamp{} ? entry.at : clock_->now();
        const WriteContext ctx{entry.actor, entry.source, at, ""};
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        KAPAL_TRY(audit(*writer_, at, ctx, entry.action, entry.subject, entry.detail));
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
        // At most 128 shapes of statement: all kept prepared.
        PgParams params;
        int n = 0;
        const auto next = [&n] {
            return "$" + std::to_string(++n);
        };
        std::string sql = "SELECT seq, at, actor, source, action, subject, detail, hash FROM "
                          "audit_log WHERE true";
        if (!query.actor.empty()) {
            sql += " AND actor = " + next();
            params.text(query.actor);
        }
        if (!query.action.empty()) {
            sql += " AND action = " + next();
            params.text(query.action);
        }
        if (!query.subject.empty()) {
            sql += " AND subject = " + next();
            params.text(query.subject);
        }
        if (query.before_seq > 0) {
            sql += " AND seq < " + next() + "::bigint";
            params.int64(query.before_seq);
        }
        if (query.at_from) {
            sql += " AND at >= " + next() + "::bigint";
            params.int64(core::to_unix_ms(*query.at_from));
        }
        if (query.at_to) {
            sql += " AND at < " + next() + "::bigint";
            params.int64(core::to_unix_ms(*query.at_to));
        }
        if (query.oldest_first) {
            const std::string after = next(); // two statements: the order of the $n matters
            sql += " AND seq > " + after + "::bigint ORDER BY seq LIMIT ";
            sql += next() + "::bigint";
            params.int64(query.after_seq);
        } else {
            sql += " ORDER BY seq DESC LIMIT " + next() + "::bigint";
        }
        params.int64(query.limit);
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows, conn->exec(sql, params));
        std::vector<AuditEntry> out;
        out.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) {
            AuditEntry e;
            e.seq = rows.int64(i, 0);
            e.at = core::from_unix_ms(rows.int64(i, 1));
            e.actor = rows.text(i, 2);
            e.source = rows.text(i, 3);
            e.action = rows.text(i, 4);
            e.subject = rows.text(i, 5);
            e.detail = rows.text(i, 6);
            e.hash = rows.text(i, 7);
            out.push_back(std::move(e));
        }
        return out;
    }

    // ---- sessions and tokens ----------------------------------------------------------------

    Result<void> create_session(const SessionRecord& session, const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_TRY(already_exists_as(w.exec(kInsertSession, session_params(session)),
                                    "session id or token hash"));
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
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows, conn->exec(kSelectSessionByHash, PgParams().text(token_hash)));
        std::optional<SessionRecord> out;
        if (rows.rows() > 0) {
            out = session_from_row(rows, 0);
        }
        return out;
    }

    Result<void> touch_session(const std::string& id, core::Timestamp at) override {
        // Not audited and not a check-then-write, but done on every request: one statement on
        // a pooled connection, so that it never waits behind an import batch on the writer.
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(done,
                        conn->exec("UPDATE sessions SET last_seen_at = $2 WHERE id = $1",
                                   PgParams().text(id).int64(core::to_unix_ms(at))));
        if (done.affected() == 0) {
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
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(rows,
                        w.exec("UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND "
                               "revoked_at IS NULL RETURNING id, pk",
                               PgParams().text(user_id).int64(core::to_unix_ms(at))));
        // One entry per session, so that each session's log shows its end; in the order the
        // sessions were created.
        std::vector<std::pair<std::int64_t, std::string>> ids;
        ids.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) {
            ids.emplace_back(rows.int64(i, 1), std::string(rows.text(i, 0)));
        }
        std::sort(ids.begin(), ids.end());
        const std::string detail = "user=" + user_id + reason_suffix(ctx);
        for (const auto& entry : ids) {
            KAPAL_TRY(audit(w, at, ctx, "session.revoke", entry.second, detail));
        }
        KAPAL_TRY(tx.commit());
        return static_cast<int>(ids.size());
    }

    Result<std::vector<SessionRecord>> list_sessions(const std::string& user_id,
                                                     core::Timestamp now) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(
            rows,
            conn->exec(kSelectLiveSessions, PgParams().text(user_id).int64(core::to_unix_ms(now))));
        std::vector<SessionRecord> out;
        out.reserve(static_cast<std::size_t>(rows.rows()));
        for (int i = 0; i < rows.rows(); ++i) {
            out.push_back(session_from_row(rows, i));
        }
        return out;
    }

    Result<void> create_api_token(const ApiTokenRecord& token, const WriteContext& ctx) override {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_TRY(already_exists_as(w.exec(kInsertToken, token_params(token)),
                                    "API token id or token hash"));
        KAPAL_TRY(audit(w, at, ctx, "token.create", token.id, token_detail(token, ctx)));
        return tx.commit();
    }

    Result<std::optional<ApiTokenRecord>> find_api_token(const std::string& token_hash) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows, conn->exec(kSelectTokenByHash, PgParams().text(token_hash)));
        if (rows.rows() == 0) {
            return std::optional<ApiTokenRecord>();
        }
        KAPAL_PG_ASSIGN(token, token_from_row(rows, 0));
        return std::optional<ApiTokenRecord>(std::move(token));
    }

    Result<std::vector<ApiTokenRecord>> list_api_tokens(const std::string& user_id) override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows,
                        user_id.empty() ? conn->exec(kSelectAllTokens)
                                        : conn->exec(kSelectUserTokens, PgParams().text(user_id)));
        std::vector<ApiTokenRecord> out;
        for (int i = 0; i < rows.rows(); ++i) {
            KAPAL_PG_ASSIGN(token, token_from_row(rows, i));
            out.push_back(std::move(token));
        }
        return out;
    }

    Result<void> revoke_api_token(const std::string& id, const WriteContext& ctx) override {
        return revoke_one("api_tokens", "token.revoke", id, ctx);
    }

    // ---- keys and integrity -----------------------------------------------------------------

    Result<void> check_keys() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows, conn->exec("SELECT nik_enc, nik_bidx FROM persons LIMIT 1"));
        if (rows.rows() == 0) {
            return {};
        }
        KAPAL_PG_ASSIGN(nik, cipher_.decrypt(rows.bytes(0, 0)));
        const BlindIndex bidx = cipher_.blind_index(kNikDomain, nik);
        if (!same_bytes(rows.bytes(0, 1), bidx)) {
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
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        std::int64_t values = 0;
        std::int64_t persons = 0;
        {
            // Current rows: values and blind indexes. Read first, then update row by row.
            KAPAL_PG_ASSIGN(rows, w.exec_once("SELECT pk, nik_enc, kk_enc FROM persons"));
            persons = rows.rows();
            for (int i = 0; i < rows.rows(); ++i) {
                KAPAL_PG_ASSIGN(nik, cipher_.decrypt(rows.bytes(i, 1)));
                PgParams p;
                p.int64(rows.int64(i, 0))
                    .bytes(fresh.encrypt(nik))
                    .bytes(fresh.blind_index(kNikDomain, nik));
                ++values;
                if (!rows.is_null(i, 2)) {
                    KAPAL_PG_ASSIGN(kk, cipher_.decrypt(rows.bytes(i, 2)));
                    p.bytes(fresh.encrypt(kk)).bytes(fresh.blind_index(kKkDomain, kk));
                    ++values;
                } else {
                    p.null().null();
                }
                KAPAL_TRY(w.exec("UPDATE persons SET nik_enc = $2, nik_bidx = $3, kk_enc = $4, "
                                 "kk_bidx = $5 WHERE pk = $1",
                                 p));
            }
        }
        std::int64_t versions = 0;
        {
            // Previous versions keep only sealed values.
            KAPAL_PG_ASSIGN(
                rows,
                w.exec_once("SELECT person_pk, version, nik_enc, kk_enc FROM person_versions"));
            versions = rows.rows();
            for (int i = 0; i < rows.rows(); ++i) {
                KAPAL_PG_ASSIGN(nik, cipher_.decrypt(rows.bytes(i, 2)));
                PgParams p;
                p.int64(rows.int64(i, 0)).int64(rows.int64(i, 1)).bytes(fresh.encrypt(nik));
                ++values;
                if (!rows.is_null(i, 3)) {
                    KAPAL_PG_ASSIGN(kk, cipher_.decrypt(rows.bytes(i, 3)));
                    p.bytes(fresh.encrypt(kk));
                    ++values;
                } else {
                    p.null();
                }
                KAPAL_TRY(w.exec("UPDATE person_versions SET nik_enc = $3, kk_enc = $4 "
                                 "WHERE person_pk = $1 AND version = $2",
                                 p));
            }
        }
        std::int64_t files = 0;
        {
            // Files one at a time (a province's photos do not fit in memory at once).
            KAPAL_PG_ASSIGN(pks, w.exec_once("SELECT pk FROM person_files ORDER BY pk"));
            for (int i = 0; i < pks.rows(); ++i) {
                const std::int64_t pk = pks.int64(i, 0);
                KAPAL_PG_ASSIGN(
                    row,
                    w.exec("SELECT content FROM person_files WHERE pk = $1", PgParams().int64(pk)));
                KAPAL_PG_ASSIGN(plain, cipher_.decrypt(row.bytes(0, 0)));
                ++values;
                KAPAL_TRY(w.exec("UPDATE person_files SET content = $2 WHERE pk = $1",
                                 PgParams().int64(pk).bytes(fresh.encrypt(plain))));
                ++files;
            }
        }
        // The ops a device sent that still wait or are conflicts (few: the others keep none).
        std::int64_t payloads = 0;
        {
            KAPAL_PG_ASSIGN(rows,
                            w.exec_once("SELECT pk, payload FROM sync_ops WHERE payload IS NOT "
                                        "NULL ORDER BY pk"));
            for (int i = 0; i < rows.rows(); ++i) {
                KAPAL_PG_ASSIGN(plain, cipher_.decrypt(rows.bytes(i, 1)));
                ++values;
                KAPAL_TRY(w.exec("UPDATE sync_ops SET payload = $2 WHERE pk = $1",
                                 PgParams().int64(rows.int64(i, 0)).bytes(fresh.encrypt(plain))));
                ++payloads;
            }
        }
        KAPAL_TRY(audit(w,
                        at,
                        ctx,
                        "keys.rotate",
                        "",
                        "values=" + std::to_string(values) + " persons=" + std::to_string(persons) +
                            " versions=" + std::to_string(versions) + " files=" +
                            std::to_string(files) + " sync_payloads=" + std::to_string(payloads) +
                            (ctx.reason.empty() ? "" : " reason=" + ctx.reason)));
        KAPAL_TRY(tx.commit());
        return values;
    }

    /// PostgreSQL checks its pages itself (and amcheck can verify indexes); this checks the
    /// invariants of our data that no constraint expresses.
    Result<void> check_integrity() override {
        ReaderPool::Lease conn(readers_, readers_.acquire());
        KAPAL_TRY(ensure_connected(*conn));
        // One snapshot for all checks.
        KAPAL_PG_ASSIGN(
            tx, PgTransaction::begin(*conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
        std::string report;
        const auto check = [&](const char* sql, const char* what) -> Result<void> {
            KAPAL_PG_ASSIGN(rows, conn->exec_once(sql));
            if (rows.rows() != 1 || rows.int64(0, 0) != 0) {
                report += report.empty() ? "" : "; ";
                report += what;
            }
            return {};
        };
        // The audit log is gap-free: seq 1..n, and the counter at n.
        KAPAL_TRY(check("SELECT count(*) FILTER (WHERE n <> hi OR hi <> c) FROM (SELECT "
                        "count(*) AS n, coalesce(max(seq), 0) AS hi, (SELECT seq FROM "
                        "audit_counter) AS c FROM audit_log) s",
                        "audit_log seq is not 1..n with the counter at n"));
        // Each person's archived versions are exactly 1 .. version-1.
        KAPAL_TRY(check("SELECT count(*) FROM persons p LEFT JOIN (SELECT person_pk, count(*) "
                        "AS n, min(version) AS lo, max(version) AS hi FROM person_versions "
                        "GROUP BY person_pk) v ON v.person_pk = p.pk WHERE coalesce(v.n, 0) <> "
                        "p.version - 1 OR (v.n IS NOT NULL AND (v.lo <> 1 OR v.hi <> "
                        "p.version - 1))",
                        "person_versions do not match the persons' versions"));
        // Blind indexes have their size, and a KK has both its value and its index.
        KAPAL_TRY(check("SELECT count(*) FROM persons WHERE length(nik_bidx) <> 32 OR "
                        "length(kk_bidx) <> 32 OR (kk_bidx IS NULL) <> (kk_enc IS NULL)",
                        "blind index of the wrong size or KK without its index"));
        KAPAL_TRY(tx.commit());
        if (!report.empty()) {
            return fail(ErrorCode::StoreCorrupt, "postgresql integrity check: " + report);
        }
        return {};
    }

    // Transfer between stores: defined below the class, with their helpers.
    Result<void> dump(TransferSink& sink) override;
    Result<std::unique_ptr<StoreLoad>> begin_load() override;

  private:
    /// Sets the hash of every audit entry, in seq order (the v7 migration of older databases).
    static Result<void> chain_audit_log(PgConnection& w) {
        KAPAL_PG_ASSIGN(rows, w.exec(kChainAudit, PgParams()));
        std::string prev(core::kAuditGenesisHash);
        for (int i = 0; i < rows.rows(); ++i) {
            const std::string actor(rows.text(i, 2));
            const std::string source(rows.text(i, 3));
            const std::string action(rows.text(i, 4));
            const std::string subject(rows.text(i, 5));
            const std::string detail(rows.text(i, 6));
            prev = core::audit_chain_hash(
                prev, {rows.int64(i, 0), rows.int64(i, 1), actor, source, action, subject, detail});
            KAPAL_TRY(w.exec("UPDATE audit_log SET hash = $2::text WHERE seq = $1::bigint",
                             PgParams().int64(rows.int64(i, 0)).text(prev)));
        }
        return {};
    }

    Result<void> migrate() {
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(tx, PgTransaction::begin(w));
        // One process at a time: app servers starting together must not both migrate.
        KAPAL_TRY(w.run(kMigrationLock));
        KAPAL_TRY(w.run(kCreateSchemaVersion));
        KAPAL_PG_ASSIGN(found, w.exec_once("SELECT coalesce(max(version), 0) FROM schema_version"));
        const std::int64_t from = found.int64(0, 0);
        if (from > kSchemaVersion) {
            std::array<char, 160> message{};
            std::snprintf(message.data(),
                          message.size(),
                          "database schema version %lld is newer than this program's %d",
                          static_cast<long long>(from),
                          kSchemaVersion);
            return fail(ErrorCode::StoreNewerThanProgram, message.data());
        }
        for (const Migration& m : kMigrations) {
            if (m.version <= from) {
                continue;
            }
            if (auto r = w.run(m.sql); !r) {
                Error e = std::move(r).error();
                e.message =
                    "migration to schema version " + std::to_string(m.version) + ": " + e.message;
                if (e.code == ErrorCode::Internal) {
                    e.code = ErrorCode::StoreUnavailable; // e.g. no right to create extensions
                }
                return fail(std::move(e));
            }
            KAPAL_TRY(
                w.exec_once("INSERT INTO schema_version (version, applied_at) "
                            "VALUES ($1::integer, $2::bigint)",
                            PgParams().int64(m.version).int64(core::to_unix_ms(clock_->now()))));
            if (m.version == 7) {
                KAPAL_TRY(chain_audit_log(w));
            }
        }
        return tx.commit();
    }

    /// Starts a writing transaction on the writer (caller holds writer_mutex_) and takes the
    /// writer lock.
    Result<PgTransaction> begin_write() {
        KAPAL_TRY(ensure_connected(*writer_));
        KAPAL_PG_ASSIGN(tx, PgTransaction::begin(*writer_));
        KAPAL_PG_ASSIGN(counter, writer_->exec(kLockWriter));
        write_seq_ = counter.int64(0, 0) + 1;
        return tx;
    }

    /// Inserts (create) or replaces (by id) an account, refusing a user name that another
    /// account has.
    Result<void> write_user(const UserRecord& r, const WriteContext& ctx, bool create) {
        const core::Timestamp at = write_time(ctx);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(taken,
                        w.exec(create ? "SELECT 1 FROM users WHERE username = $1 OR id = $2"
                                      : "SELECT 1 FROM users WHERE username = $1 AND id <> $2",
                               PgParams().text(r.user.username).text(r.user.id)));
        if (taken.rows() > 0) {
            return fail(ErrorCode::AlreadyExists, "user '" + r.user.username + "' exists");
        }
        KAPAL_PG_ASSIGN(
            written,
            w.exec(create ? "INSERT INTO users (id, username, display_name, role, area_codes, "
                            "disabled, password_hash, created_at, updated_at) "
                            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                          : "UPDATE users SET username = $2, display_name = $3, role = $4, "
                            "area_codes = $5, disabled = $6, password_hash = $7, "
                            "updated_at = $8 WHERE id = $1",
                   user_params(r, create)));
        if (!create && written.affected() == 0) {
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
        KAPAL_TRY(ensure_connected(*conn));
        KAPAL_PG_ASSIGN(rows,
                        conn->exec(std::string("SELECT ") + kUserColumns + " FROM users WHERE " +
                                       std::string(column) + " = $1",
                                   PgParams().text(value)));
        if (rows.rows() == 0) {
            return std::optional<UserRecord>();
        }
        KAPAL_PG_ASSIGN(record, user_from_row(rows, 0));
        return std::optional<UserRecord>(std::move(record));
    }

    /// Appends an audit entry on the writer, inside the caller's writing transaction.
    static Result<void> audit(PgConnection& w,
                              core::Timestamp at,
                              const WriteContext& ctx,
                              std::string_view action,
                              std::string_view subject,
                              std::string_view detail) {
        KAPAL_PG_ASSIGN(next, w.exec(kNextAudit, PgParams()));
        const std::int64_t seq = next.int64(0, 0);
        std::string prev(next.text(0, 1));
        if (seq == 1) {
            prev = std::string(core::kAuditGenesisHash);
        }
        const std::int64_t at_ms = core::to_unix_ms(at);
        const std::string hash = core::audit_chain_hash(
            prev, {seq, at_ms, ctx.actor, ctx.source, action, subject, detail});
        KAPAL_TRY(w.exec(kInsertAudit,
                         PgParams()
                             .int64(seq)
                             .int64(at_ms)
                             .text(ctx.actor)
                             .text(ctx.source)
                             .text(action)
                             .text(subject)
                             .text(detail)
                             .text(hash)));
        return {};
    }

    /// Sets revoked_at of an unrevoked session or token (`table`) and audits it; nothing when
    /// it is already revoked. Errors: NotFound.
    Result<void> revoke_one(std::string_view table,
                            std::string_view action,
                            const std::string& id,
                            const WriteContext& ctx) {
        const core::Timestamp at = write_time(ctx);
        const std::string name(table);
        const std::lock_guard lock(writer_mutex_);
        KAPAL_PG_ASSIGN(tx, begin_write());
        PgConnection& w = *writer_;
        KAPAL_PG_ASSIGN(
            found,
            w.exec("SELECT user_id, revoked_at IS NOT NULL FROM " + name + " WHERE id = $1",
                   PgParams().text(id)));
        if (found.rows() == 0) {
            return fail(ErrorCode::NotFound, "no " + name + " row with id " + id);
        }
        const std::string user_id(found.text(0, 0));
        if (found.int64(0, 1) != 0) {
            return tx.commit();
        }
        KAPAL_TRY(w.exec("UPDATE " + name + " SET revoked_at = $2 WHERE id = $1",
                         PgParams().text(id).int64(core::to_unix_ms(at))));
        KAPAL_TRY(audit(w, at, ctx, action, id, "user=" + user_id + reason_suffix(ctx)));
        return tx.commit();
    }

    core::Timestamp write_time(const WriteContext& ctx) const {
        return ctx.at != core::Timestamp{} ? ctx.at : clock_->now();
    }

    Sealed seal(const core::Person& p) const {
        return seal(p, cipher_.blind_index(kNikDomain, p.nik), encode_person_doc(p));
    }

    Sealed seal(const core::Person& p, const BlindIndex& nik_bidx, std::string doc) const {
        Sealed s;
        s.doc = std::move(doc);
        s.nik_enc = cipher_.encrypt(p.nik);
        s.nik_bidx = nik_bidx;
        if (!p.kk.empty()) {
            s.kk_enc = cipher_.encrypt(p.kk);
            s.kk_bidx = cipher_.blind_index(kKkDomain, p.kk);
        }
        return s;
    }

    /// The 15 content parameters of kInsertPerson and kUpdatePerson, in their order.
    static void bind_content(PgParams& params,
                             const core::Person& p,
                             const std::string& kecamatan_code,
                             const Sealed& s) {
        params.bytes(s.nik_enc).bytes(s.nik_bidx);
        if (s.kk_bidx) {
            params.bytes(s.kk_enc).bytes(*s.kk_bidx);
        } else {
            params.null().null();
        }
        params.text(p.full_name).text(core::to_string(p.sex));
        if (p.birth_date.ok()) {
            params.text(core::format_date(p.birth_date));
        } else {
            params.null();
        }
        params.text(p.address.kelurahan_code)
            .text(kecamatan_code)
            .int64(category_mask(p.categories));
        if (p.severity) {
            params.text(core::to_string(*p.severity));
        } else {
            params.null();
        }
        params.text(core::to_string(p.status));
        if (p.home) {
            params.real(p.home->lon).real(p.home->lat);
        } else {
            params.null().null();
        }
        params.text(s.doc);
    }

    static Result<void> insert_person(PgConnection& w,
                                      const core::PersonId& id,
                                      const core::Person& p,
                                      const std::string& kecamatan_code,
                                      const Sealed& s,
                                      core::Timestamp at,
                                      const WriteContext& ctx,
                                      std::int64_t seq) {
        PgParams params;
        params.text(id.str())
            .int64(core::to_unix_ms(at))
            .text(ctx.actor)
            .text(ctx.source)
            .text(ctx.reason);
        bind_content(params, p, kecamatan_code, s);
        params.int64(seq).int64(device_mask(p.assistive_devices));
        auto r = w.exec(kInsertPerson, params);
        if (!r) {
            Error e = std::move(r).error();
            if (e.code == ErrorCode::AlreadyExists) {
                e.message = "person id " + id.str() + " is already used: " + e.message;
            }
            return fail(std::move(e));
        }
        return {};
    }

    static Result<void> update_row(PgConnection& w,
                                   std::int64_t pk,
                                   std::int64_t version,
                                   const core::Person& p,
                                   const std::string& kecamatan_code,
                                   const Sealed& s,
                                   core::Timestamp at,
                                   const WriteContext& ctx,
                                   std::int64_t seq) {
        // Copy-on-write history: the version being replaced moves to person_versions.
        KAPAL_TRY(w.exec(kArchiveVersion, PgParams().int64(pk)));
        PgParams params;
        params.int64(pk)
            .int64(version)
            .int64(core::to_unix_ms(at))
            .text(ctx.actor)
            .text(ctx.source)
            .text(ctx.reason);
        bind_content(params, p, kecamatan_code, s);
        params.int64(seq).int64(device_mask(p.assistive_devices));
        KAPAL_TRY(w.exec(kUpdatePerson, params));
        return {};
    }

    static Result<bool> nik_taken(PgConnection& w, const BlindIndex& bidx) {
        KAPAL_PG_ASSIGN(rows, w.exec(kSelectPkByNik, PgParams().bytes(bidx)));
        return rows.rows() > 0;
    }

    /// The stored persons whose NIK blind index is in `bidx`, keyed by the index's bytes.
    static Result<void> load_import_slots(PgConnection& w,
                                          const std::vector<BlindIndex>& bidx,
                                          std::unordered_map<std::string, ImportSlot>& slots) {
        constexpr std::size_t kChunk = 5000;
        for (std::size_t from = 0; from < bidx.size(); from += kChunk) {
            const std::size_t to = std::min(bidx.size(), from + kChunk);
            std::vector<std::span<const std::uint8_t>> chunk;
            chunk.reserve(to - from);
            for (std::size_t i = from; i < to; ++i) {
                chunk.emplace_back(bidx[i]);
            }
            std::string array;
            detail::append_bytea_array(array, chunk);
            KAPAL_PG_ASSIGN(rows, w.exec(kImportLookup, PgParams().text(array)));
            for (int i = 0; i < rows.rows(); ++i) {
                ImportSlot slot;
                slot.pk = rows.int64(i, 1);
                slot.id = core::PersonId(std::string(rows.text(i, 2)));
                slot.version = rows.int64(i, 3);
                slot.kecamatan_code = rows.text(i, 4);
                if (!rows.is_null(i, 5)) {
                    const auto kk = rows.bytes(i, 5);
                    if (kk.size() != kBlindIndexBytes) {
                        return fail(ErrorCode::StoreCorrupt, "KK blind index of the wrong size");
                    }
                    BlindIndex b{};
                    std::copy(kk.begin(), kk.end(), b.begin());
                    slot.kk_bidx = b;
                }
                slot.doc = rows.text(i, 6);
                slots.emplace(bytes_key(rows.bytes(i, 0)), std::move(slot));
            }
        }
        return {};
    }

    /// Writes the persons an import batch created with one COPY, in batch order, and the
    /// versions those that changed again within the batch went through.
    static Result<void> copy_created(PgConnection& w,
                                     const std::vector<CreatedRow>& created,
                                     core::Timestamp at,
                                     const WriteContext& ctx,
                                     std::int64_t seq) {
        if (created.empty()) {
            return {};
        }
        const std::int64_t at_ms = core::to_unix_ms(at);
        CopyWriter copy;
        for (const CreatedRow& row : created) {
            const core::Person& p = row.item->person;
            const Sealed& s = row.sealed;
            copy.row(kCopyPersonFields);
            copy.text(row.id.str());
            copy.int64(row.version);
            copy.int64(at_ms);
            copy.int64(at_ms);
            copy.text(ctx.actor);
            copy.text(ctx.actor);
            copy.text(ctx.source);
            copy.text(ctx.reason);
            copy.bytes(s.nik_enc);
            copy.bytes(s.nik_bidx);
            if (s.kk_bidx) {
                copy.bytes(s.kk_enc);
                copy.bytes(*s.kk_bidx);
            } else {
                copy.null();
                copy.null();
            }
            copy.text(p.full_name);
            copy.text(core::to_string(p.sex));
            if (p.birth_date.ok()) {
                copy.date(p.birth_date);
            } else {
                copy.null();
            }
            copy.text(p.address.kelurahan_code);
            copy.text(row.item->kecamatan_code);
            copy.int64(category_mask(p.categories));
            if (p.severity) {
                copy.text(core::to_string(*p.severity));
            } else {
                copy.null();
            }
            copy.text(core::to_string(p.status));
            if (p.home) {
                copy.point(p.home->lon, p.home->lat);
            } else {
                copy.null();
            }
            copy.text(s.doc);
            copy.int64(seq);
            copy.int64(device_mask(p.assistive_devices));
        }
        if (auto r = w.copy_in(kCopyPersons, copy.finish()); !r) {
            Error e = std::move(r).error();
            if (e.code == ErrorCode::AlreadyExists) {
                e.message = "a new person id of the batch is already used: " + e.message;
            }
            return fail(std::move(e));
        }
        for (const CreatedRow& row : created) {
            for (std::size_t v = 0; v < row.archived.size(); ++v) {
                const CreatedRow::Archived& a = row.archived[v];
                PgParams params;
                params.text(row.id.str())
                    .int64(static_cast<std::int64_t>(v + 1))
                    .int64(at_ms)
                    .text(ctx.actor)
                    .text(ctx.source)
                    .text(ctx.reason)
                    .text(a.kecamatan_code)
                    .bytes(a.sealed.nik_enc);
                if (a.sealed.kk_bidx) {
                    params.bytes(a.sealed.kk_enc);
                } else {
                    params.null();
                }
                params.text(a.sealed.doc);
                KAPAL_TRY(w.exec(kInsertVersionOf, params));
            }
        }
        return {};
    }

    Result<core::PersonRecord>
    load_version(PgConnection& conn, const core::PersonId& id, std::int64_t version) {
        KAPAL_PG_ASSIGN(rows, conn.exec(kSelectVersion, PgParams().text(id.str()).int64(version)));
        if (rows.rows() == 0) {
            return fail(ErrorCode::StoreCorrupt, "person version is missing");
        }
        PersonVersion v;
        v.record.created_at = core::from_unix_ms(rows.int64(0, 9));
        v.record.created_by = rows.text(0, 10);
        KAPAL_TRY(version_from_row(rows, 0, id, v));
        return std::move(v.record);
    }

    Result<core::Person> open_person(std::string_view doc,
                                     std::span<const std::uint8_t> nik_enc,
                                     std::span<const std::uint8_t> kk_enc,
                                     bool has_kk) const {
        KAPAL_PG_ASSIGN(person, decode_person_doc(doc));
        KAPAL_PG_ASSIGN(nik, cipher_.decrypt(nik_enc));
        person.nik = std::move(nik);
        if (has_kk) {
            KAPAL_PG_ASSIGN(kk, cipher_.decrypt(kk_enc));
            person.kk = std::move(kk);
        }
        return person;
    }

    /// A row of KAPAL_PG_PERSON_COLUMNS.
    Result<core::PersonRecord> record_from_row(const PgResult& r, int row) const {
        core::PersonRecord out;
        out.id = core::PersonId(std::string(r.text(row, 0)));
        out.version = r.int64(row, 1);
        out.created_at = core::from_unix_ms(r.int64(row, 2));
        out.updated_at = core::from_unix_ms(r.int64(row, 3));
        out.created_by = r.text(row, 4);
        out.updated_by = r.text(row, 5);
        out.kecamatan_code = r.text(row, 6);
        KAPAL_PG_ASSIGN(
            person,
            open_person(r.text(row, 9), r.bytes(row, 7), r.bytes(row, 8), !r.is_null(row, 8)));
        out.person = std::move(person);
        return out;
    }

    /// A row starting with KAPAL_PG_VERSION_COLUMNS; created_at/by of `out` are set by the
    /// caller.
    Result<void> version_from_row(const PgResult& r,
                                  int row,
                                  const core::PersonId& id,
                                  PersonVersion& out) const {
        out.record.id = id;
        out.record.version = r.int64(row, 0);
        out.record.updated_at = core::from_unix_ms(r.int64(row, 1));
        out.record.updated_by = r.text(row, 2);
        out.source = r.text(row, 3);
        out.reason = r.text(row, 4);
        out.record.kecamatan_code = r.text(row, 5);
        KAPAL_PG_ASSIGN(
            person,
            open_person(r.text(row, 8), r.bytes(row, 6), r.bytes(row, 7), !r.is_null(row, 7)));
        out.record.person = std::move(person);
        return {};
    }

    std::string conninfo_;
    int lock_timeout_ms_ = 0;
    std::string location_;
    FieldCipher cipher_;
    core::SystemClock system_clock_;
    const core::Clock* clock_;
    std::mutex writer_mutex_;
    /// The seq of the open writing transaction's first audit entry, which is also the
    /// change_seq of the persons it writes; set by begin_write, under writer_mutex_.
    std::int64_t write_seq_ = 0;
    std::unique_ptr<PgConnection> writer_;
    ReaderPool readers_;
};

// ---------------------------------------------------------------------------------------------
// Transfer between stores (Store::dump and Store::begin_load, for kapal migrate-store). The
// canonical columns (store_transfer.hpp) are this schema's columns under the same names, except
// for a few whose PostgreSQL type differs (pg_transfer_column): a dump converts those in its
// SELECT, a load in its binary COPY. A dump reads one REPEATABLE READ snapshot through a cursor;
// a load writes each page with one COPY, keeping the integer keys (COPY writes GENERATED ALWAYS
// identity columns), and sets the identity sequences and the audit counter before it commits.

/// How a load writes a canonical column.
enum class PgCopyAs : std::uint8_t {
    Int8,   ///< bigint, from Int
    Text,   ///< text, from Text
    Bytea,  ///< bytea, from Bytes
    Bool,   ///< boolean, from Int 0 or 1
    Float8, ///< double precision, from Real
    Date,   ///< date, from Text "YYYY-MM-DD"
    Point,  ///< geometry(Point, 4326) from this Real (lon) and the next one (lat); NULL if both are
    Skip,   ///< written by the column before it (lat)
};

/// A canonical column in this schema: how a dump selects it and how a load writes it.
struct PgTransferColumn {
    std::string select; ///< the SELECT expression giving the canonical value
    std::string copy;   ///< the column COPY writes ("" with Skip)
    PgCopyAs as = PgCopyAs::Text;
};

PgTransferColumn pg_transfer_column(TransferTable table, const TransferColumn& c) {
    const std::string name(c.name);
    if ((table == TransferTable::Persons && c.name == "birth_date") ||
        (table == TransferTable::AidCycles && (c.name == "starts_on" || c.name == "ends_on"))) {
        return {"to_char(" + name + ", 'YYYY-MM-DD')", name, PgCopyAs::Date};
    }
    if (table == TransferTable::Persons || table == TransferTable::Facilities) {
        // Canonical lon and lat are one PostGIS point here.
        const std::string point = table == TransferTable::Persons ? "home" : "location";
        if (c.name == "lon") {
            return {"ST_X(" + point + ")", point, PgCopyAs::Point};
        }
        if (c.name == "lat") {
            return {"ST_Y(" + point + ")", "", PgCopyAs::Skip};
        }
    }
    if ((table == TransferTable::Users && c.name == "disabled") ||
        (table == TransferTable::AidPrograms && c.name == "active") ||
        (table == TransferTable::AidListEntries && c.name == "removed") ||
        (table == TransferTable::Merchants && c.name == "active")) {
        return {name, name, PgCopyAs::Bool};
    }
    switch (c.kind) {
    case TransferKind::Int:
        return {name, name, PgCopyAs::Int8};
    case TransferKind::Bytes:
        return {name, name, PgCopyAs::Bytea};
    case TransferKind::Real: // coordinates that are not a PostGIS point (aid cycles, deliveries)
        return {name, name, PgCopyAs::Float8};
    case TransferKind::Text:
    case TransferKind::Null:
        break;
    }
    return {name, name, PgCopyAs::Text};
}

std::vector<PgTransferColumn> pg_transfer_columns(TransferTable table) {
    std::vector<PgTransferColumn> out;
    for (const TransferColumn& c : transfer_columns(table)) {
        out.push_back(pg_transfer_column(table, c));
    }
    return out;
}

/// The canonical order of a table's rows; text in byte order (COLLATE "C"), as SQLite's BINARY.
const char* pg_transfer_order(TransferTable table) {
    switch (table) {
    case TransferTable::PersonVersions:
        return "person_pk, version";
    case TransferTable::IdempotencyKeys:
        return "key COLLATE \"C\"";
    case TransferTable::AuditLog:
        return "seq";
    case TransferTable::ServiceRequestEvents:
        return "request_pk, version";
    case TransferTable::AidListEntries:
    case TransferTable::VoucherBalances:
        return "cycle_id, person_id"; // COLLATE "C" columns: byte order
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

std::string pg_transfer_select(TransferTable table) {
    std::string sql = "SELECT ";
    bool first = true;
    for (const PgTransferColumn& c : pg_transfer_columns(table)) {
        sql += first ? "" : ", ";
        sql += c.select;
        first = false;
    }
    return sql + " FROM " + std::string(transfer_table_name(table)) + " ORDER BY " +
           pg_transfer_order(table);
}

std::string pg_transfer_copy(TransferTable table) {
    std::string columns;
    for (const PgTransferColumn& c : pg_transfer_columns(table)) {
        if (c.as != PgCopyAs::Skip) {
            columns += columns.empty() ? "" : ", ";
            columns += c.copy;
        }
    }
    return "COPY " + std::string(transfer_table_name(table)) + " (" + columns +
           ") FROM STDIN (FORMAT binary)";
}

/// Rows of every table: "SELECT (SELECT count(*) FROM persons), (SELECT count(*) FROM ...)".
std::string pg_transfer_count_sql() {
    std::string sql = "SELECT ";
    for (const TransferTable t : kTransferTables) {
        sql += t == kTransferTables.front() ? "" : ", ";
        sql += "(SELECT count(*) FROM " + std::string(transfer_table_name(t)) + ")";
    }
    return sql;
}

Result<std::array<std::int64_t, kTransferTableCount>> pg_transfer_counts(PgConnection& conn) {
    KAPAL_PG_ASSIGN(rows, conn.exec_once(pg_transfer_count_sql()));
    std::array<std::int64_t, kTransferTableCount> out{};
    for (std::size_t i = 0; rows.rows() == 1 && i < out.size(); ++i) {
        out[i] = rows.int64(0, static_cast<int>(i));
    }
    return out;
}

/// Name of the cursor a dump reads a table through.
constexpr const char* kDumpCursor = "kapal_dump";

Result<void> PostgresStore::dump(TransferSink& sink) {
    ReaderPool::Lease conn(readers_, readers_.acquire());
    KAPAL_TRY(ensure_connected(*conn));
    // One snapshot for every table.
    KAPAL_PG_ASSIGN(
        tx, PgTransaction::begin(*conn, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
    KAPAL_PG_ASSIGN(counts, pg_transfer_counts(*conn));
    const std::string fetch =
        "FETCH FORWARD " + std::to_string(kTransferPageRows) + " FROM " + std::string(kDumpCursor);
    TransferPage page;
    for (std::size_t t = 0; t < kTransferTables.size(); ++t) {
        const TransferTable table = kTransferTables[t];
        const auto columns = transfer_columns(table);
        KAPAL_TRY(sink.begin_table(table, counts[t]));
        KAPAL_TRY(conn->exec_once("DECLARE " + std::string(kDumpCursor) + " NO SCROLL CURSOR FOR " +
                                  pg_transfer_select(table)));
        page.reset(table);
        for (;;) {
            KAPAL_PG_ASSIGN(rows, conn->exec_once(fetch));
            if (rows.rows() == 0) {
                break;
            }
            for (int row = 0; row < rows.rows(); ++row) {
                for (std::size_t i = 0; i < columns.size(); ++i) {
                    const int col = static_cast<int>(i);
                    if (rows.is_null(row, col)) {
                        page.null();
                        continue;
                    }
                    switch (columns[i].kind) {
                    case TransferKind::Int:
                        page.int64(rows.int64(row, col));
                        break;
                    case TransferKind::Real:
                        page.real(rows.real(row, col));
                        break;
                    case TransferKind::Text:
                        page.text(rows.text(row, col));
                        break;
                    case TransferKind::Bytes:
                        page.bytes(rows.bytes(row, col));
                        break;
                    case TransferKind::Null:
                        page.null();
                        break;
                    }
                }
                page.end_row();
                if (page.rows() >= kTransferPageRows || page.data().size() >= kTransferPageBytes) {
                    KAPAL_TRY(sink.write(page));
                    page.reset(table);
                }
            }
        }
        if (page.rows() > 0) {
            KAPAL_TRY(sink.write(page));
        }
        KAPAL_TRY(conn->exec_once("CLOSE " + std::string(kDumpCursor)));
        KAPAL_TRY(sink.end_table(table));
    }
    return tx.commit();
}

/// A load into an empty PostgreSQL store: one binary COPY per page inside the writer's
/// transaction (which holds the writer lock: other processes' writes wait for the commit).
class PgStoreLoad final : public StoreLoad {
  public:
    PgStoreLoad(std::unique_lock<std::mutex> lock, PgConnection& writer, PgTransaction tx)
        : lock_(std::move(lock))
        , w_(writer)
        , tx_(std::move(tx)) {}

    Result<void> begin_table(TransferTable table, std::int64_t /*rows*/) override {
        KAPAL_TRY(sequence_.begin(table));
        columns_ = pg_transfer_columns(table);
        fields_ = 0;
        for (const PgTransferColumn& c : columns_) {
            fields_ += c.as == PgCopyAs::Skip ? 0 : 1;
        }
        copy_sql_ = pg_transfer_copy(table);
        return {};
    }

    Result<void> write(const TransferPage& page) override {
        KAPAL_TRY(sequence_.page(page));
        const std::string table(transfer_table_name(page.table()));
        CopyWriter copy;
        TransferReader values(page);
        std::size_t row = 0;
        while (!values.at_end()) {
            ++row;
            copy.row(fields_);
            for (std::size_t i = 0; i < columns_.size(); ++i) {
                const TransferValue v = values.next();
                if (columns_[i].as == PgCopyAs::Point) {
                    // lon, then lat (the next column, Skip).
                    const TransferValue lat = values.next();
                    ++i;
                    if (v.is_null() && lat.is_null()) {
                        copy.null();
                    } else if (v.is_null() || lat.is_null()) {
                        return fail(ErrorCode::InvalidArgument,
                                    "loading " + table + ": row " + std::to_string(row) +
                                        " of a page has only one of lon and lat");
                    } else {
                        copy.point(v.real, lat.real);
                    }
                    continue;
                }
                if (v.is_null()) {
                    copy.null();
                    continue;
                }
                switch (columns_[i].as) {
                case PgCopyAs::Int8:
                    copy.int64(v.integer);
                    break;
                case PgCopyAs::Text:
                    copy.text(v.raw);
                    break;
                case PgCopyAs::Bytea:
                    copy.bytes(v.bytes());
                    break;
                case PgCopyAs::Bool:
                    copy.boolean(v.integer != 0);
                    break;
                case PgCopyAs::Float8:
                    copy.float8(v.real);
                    break;
                case PgCopyAs::Date: {
                    const auto date = core::parse_date(v.raw);
                    if (!date) {
                        return fail(ErrorCode::InvalidArgument,
                                    "loading " + table + ": row " + std::to_string(row) +
                                        " of a page has a date that is not YYYY-MM-DD");
                    }
                    copy.date(*date);
                    break;
                }
                case PgCopyAs::Point:
                case PgCopyAs::Skip:
                    KAPAL_ASSERT(false && "handled above");
                    break;
                }
            }
        }
        if (auto r = w_.copy_in(copy_sql_, copy.finish()); !r) {
            Error e = std::move(r).error();
            e.message = "loading " + table + ": " + e.message;
            return fail(std::move(e));
        }
        return {};
    }

    Result<void> end_table(TransferTable table) override { return sequence_.end(table); }

    Result<void> commit() override {
        KAPAL_TRY(sequence_.complete());
        // New rows after the load continue after the loaded keys and seq.
        for (const char* table : {"persons",
                                  "users",
                                  "sessions",
                                  "api_tokens",
                                  "hazard_zones",
                                  "facilities",
                                  "cards",
                                  "services",
                                  "service_requests",
                                  "aid_programs",
                                  "aid_cycles",
                                  "aid_deliveries",
                                  "merchants",
                                  "voucher_transactions",
                                  "aid_batches",
                                  "duplicate_pairs",
                                  "person_files",
                                  "sync_ops"}) {
            std::string sql = "SELECT setval(pg_get_serial_sequence('";
            sql += table;
            sql += "', 'pk'), max(pk)) FROM ";
            sql += table;
            KAPAL_TRY(w_.exec_once(sql));
        }
        KAPAL_TRY(
            w_.run("UPDATE audit_counter SET seq = (SELECT coalesce(max(seq), 0) FROM audit_log)"));
        // The registry timeline is derived from persons and person_versions (not transferred).
        KAPAL_TRY(w_.run(kRebuildStates));
        // Planner statistics now rather than when autovacuum gets to the new tables.
        KAPAL_TRY(w_.run("ANALYZE persons, person_versions, idempotency_keys, users, sessions, "
                         "api_tokens, audit_log, hazard_zones, facilities, cards, services, "
                         "service_requests, service_request_events, aid_programs, aid_cycles, "
                         "aid_list_entries, aid_deliveries, merchants, voucher_balances, "
                         "voucher_transactions, voucher_postings, aid_batches, "
                         "duplicate_pairs, person_states, person_files, sync_ops"));
        return tx_.commit();
    }

  private:
    std::unique_lock<std::mutex> lock_; ///< the store's writer, held until destruction
    PgConnection& w_;
    PgTransaction tx_; ///< rolled back at destruction unless committed
    TransferSequence sequence_;
    std::vector<PgTransferColumn> columns_; ///< of the current table
    int fields_ = 0;                        ///< columns COPY writes
    std::string copy_sql_;
};

Result<std::unique_ptr<StoreLoad>> PostgresStore::begin_load() {
    std::unique_lock lock(writer_mutex_);
    KAPAL_PG_ASSIGN(tx, begin_write());
    KAPAL_PG_ASSIGN(counts, pg_transfer_counts(*writer_));
    KAPAL_TRY(check_transfer_target_empty(counts));
    return std::unique_ptr<StoreLoad>(
        std::make_unique<PgStoreLoad>(std::move(lock), *writer_, std::move(tx)));
}

} // namespace

int postgres_schema_version() {
    return kSchemaVersion;
}

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& conninfo,
                                                   const StoreKeys& keys,
                                                   const PostgresOptions& options,
                                                   const core::Clock* clock) {
    if (!store_keys_valid(keys)) {
        return fail(ErrorCode::KeyMissing, "store keys must be 32 bytes each");
    }
    if (options.reader_connections < 1 || options.lock_timeout_ms < 0) {
        return fail(ErrorCode::ConfigInvalid,
                    "postgresql needs at least one reader connection and a lock timeout >= 0");
    }
    try {
        auto store = std::make_unique<PostgresStore>(conninfo, keys, clock);
        KAPAL_TRY(store->open(options));
        return std::unique_ptr<Store>(std::move(store));
    } catch (const std::exception& e) {
        return fail(ErrorCode::StoreUnavailable, std::string("postgresql: ") + e.what());
    }
}

} // namespace kapal::store
