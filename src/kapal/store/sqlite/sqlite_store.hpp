#pragma once
// The embedded SQLite backend of Store: one file, WAL, one writer connection behind a mutex
// and a pool of read-only connections. NIK and KK are encrypted (FieldCipher) and found through
// their blind index; everything else of a person is the canonical document (person_doc.hpp)
// plus a few columns copied out of it for the list filters.

#include "kapal/core/clock.hpp"
#include "kapal/core/result.hpp"
#include "kapal/store/store.hpp"

#include <filesystem>
#include <memory>

namespace kapal::store {

/// Tuning of the SQLite store.
struct SqliteOptions {
    int reader_connections = 4;   ///< read-only connections in the pool, >= 1
    bool synchronous_full = true; ///< PRAGMA synchronous=FULL (crash safe); false = NORMAL
    int busy_timeout_ms = 5000;   ///< how long a connection waits for a lock
    int cache_mib = 64;           ///< page cache of the writer connection, MiB
};

/// The schema version this program writes (PRAGMA user_version).
int sqlite_schema_version();

/// Opens (creating if absent) the store in `file` and applies pending migrations.
/// `clock` (not owned, may be null = system clock) dates writes whose WriteContext::at is the
/// epoch, and idempotency keys; it must outlive the store.
/// Errors: KeyMissing (keys of the wrong size), StoreNewerThanProgram (the file's schema is
/// newer than sqlite_schema_version()), StoreCorrupt (not a database), StoreUnavailable
/// (cannot open, locked, I/O error).
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& file,
                                                 const StoreKeys& keys,
                                                 const SqliteOptions& options = {},
                                                 const core::Clock* clock = nullptr);

} // namespace kapal::store
