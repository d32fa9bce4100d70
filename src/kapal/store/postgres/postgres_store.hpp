#pragma once
// The PostgreSQL 15 + PostGIS 3 backend of Store, for a province or the whole country. Same
// behaviour as the SQLite store (the store contract tests run against both) and the same
// stored bytes: NIK and KK encrypted with FieldCipher and found through their blind index, the
// rest of a person as the canonical document (person_doc.hpp) plus columns copied out of it for
// filters, a PostGIS point of the home and a pg_trgm index for name search.
//
// Connections: one writer connection behind a mutex and a pool of reader connections. Every
// writing transaction first locks the single row of the audit counter, so writes are
// serialised across every process that shares the database, as SQLite serialises its writers.

#include "kapal/core/clock.hpp"
#include "kapal/core/result.hpp"
#include "kapal/store/store.hpp"

#include <memory>
#include <string>

namespace kapal::store {

/// Tuning of the PostgreSQL store.
struct PostgresOptions {
    int reader_connections = 4;  ///< connections for reads, >= 1 (plus one for writes)
    int lock_timeout_ms = 30000; ///< how long a statement waits for a lock (the writer lock)
};

/// The schema version this program writes (the highest version in table schema_version).
int postgres_schema_version();

/// Connects to the database named by `conninfo` (libpq keyword=value pairs or a
/// postgresql:// URI) and applies pending migrations; the first one creates the postgis and
/// pg_trgm extensions if they are missing, which needs a role allowed to create them (or a DBA
/// who created them beforehand). `clock` (not owned, may be null = system clock) dates writes
/// whose WriteContext::at is the epoch, and idempotency keys; it must outlive the store.
/// Errors: KeyMissing (keys of the wrong size), ConfigInvalid (bad options, a database whose
/// encoding is not UTF8), StoreNewerThanProgram (the schema is newer than
/// postgres_schema_version()), StoreUnavailable (cannot connect, migration refused).
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& conninfo,
                                                   const StoreKeys& keys,
                                                   const PostgresOptions& options = {},
                                                   const core::Clock* clock = nullptr);

} // namespace kapal::store
