#pragma once
// Moving a whole store to another backend (`kapal migrate-store`), over Store::dump and
// Store::begin_load: the canonical columns of each table, reading a TransferPage back, the
// per-table digest (row count and SHA-256 of the canonical rows), and the copy and verify steps.
// Backend-neutral; the backends implement only dump and begin_load.
//
// The canonical form of a table is the stored row as it is, with the backend's own encodings
// undone: instants are milliseconds since the epoch, a birth date the text "YYYY-MM-DD", the home
// two reals (lon, lat), a flag 0 or 1, NIK/KK the sealed bytes (FieldCipher) and their blind
// indexes. Integer keys (persons.pk, users.pk, ...) are part of it: a load keeps them, so that
// registration order, the tie-breaks of the lists and the history's links stay exactly as they
// were. Search indexes and other derived structures are not: the target builds its own.

#include "kapal/core/result.hpp"
#include "kapal/store/store.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kapal::store {

/// Every table, in transfer order.
inline constexpr std::array<TransferTable, kTransferTableCount> kTransferTables = {
    TransferTable::Persons,
    TransferTable::PersonVersions,
    TransferTable::IdempotencyKeys,
    TransferTable::Users,
    TransferTable::Sessions,
    TransferTable::ApiTokens,
    TransferTable::AuditLog,
    TransferTable::HazardZones,
    TransferTable::Facilities,
    TransferTable::Cards,
    TransferTable::Services,
    TransferTable::ServiceRequests,
    TransferTable::ServiceRequestEvents,
    TransferTable::AidPrograms,
    TransferTable::AidCycles,
    TransferTable::AidListEntries,
    TransferTable::AidDeliveries,
    TransferTable::Merchants,
    TransferTable::VoucherBalances,
    TransferTable::VoucherTransactions,
    TransferTable::VoucherPostings,
    TransferTable::AidBatches,
    TransferTable::DuplicatePairs,
    TransferTable::PersonFiles,
    TransferTable::SyncOps,
};

/// A dump hands its sink pages of at most this many rows...
inline constexpr std::size_t kTransferPageRows = 4096;

/// ...and starts a new page once one holds this many bytes.
inline constexpr std::size_t kTransferPageBytes = std::size_t{8} << 20;

/// One column of a table's canonical form.
struct TransferColumn {
    std::string_view name; ///< the column's name in both backends' schemas
    TransferKind kind;     ///< Int, Real, Text or Bytes
    bool nullable;
};

/// The table's name in both backends' schemas ("persons", "person_versions", ...).
std::string_view transfer_table_name(TransferTable table);

/// The canonical columns of a table, in order. To carry a new column, append it here and to both
/// backends' dump and load of that table (their SELECT and INSERT/COPY lists follow this order).
std::span<const TransferColumn> transfer_columns(TransferTable table);

/// One value read back from a page.
struct TransferValue {
    TransferKind kind = TransferKind::Null;
    std::int64_t integer = 0; ///< Int
    double real = 0;          ///< Real
    std::string_view raw;     ///< Text and Bytes

    bool is_null() const { return kind == TransferKind::Null; }

    std::span<const std::uint8_t> bytes() const {
        return {reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()};
    }
};

/// Reads the values of a page in order, row after row. Precondition: the page passed
/// check_transfer_page (a malformed page is a bug: KAPAL_ASSERT).
class TransferReader {
  public:
    explicit TransferReader(const TransferPage& page)
        : data_(page.data()) {}

    bool at_end() const { return at_ == data_.size(); }

    TransferValue next();

  private:
    std::uint64_t be(std::size_t bytes);

    std::string_view data_;
    std::size_t at_ = 0;
};

/// Checks that `page` holds exactly page.rows() whole rows whose values fit the columns of its
/// table (kind, NULL only where nullable). Errors: InvalidArgument naming the row and column.
Result<void> check_transfer_page(const TransferPage& page);

/// Success when every count (rows per table, in transfer order) is zero; else StoreNotEmpty
/// naming the tables that hold rows, e.g. "the target store is not empty (persons: 12, users: 1,
/// audit_log: 14)".
Result<void> check_transfer_target_empty(const std::array<std::int64_t, kTransferTableCount>& rows);

/// The order in which a load takes its input: each table of kTransferTables once, in order,
/// begun before its pages and ended before the next; each page checked with
/// check_transfer_page. Backends' loads use it to refuse anything else.
class TransferSequence {
  public:
    Result<void> begin(TransferTable table);
    Result<void> page(const TransferPage& page) const;
    Result<void> end(TransferTable table);

    /// Errors: InvalidArgument unless every table has been ended.
    Result<void> complete() const;

  private:
    std::size_t next_ = 0; ///< index in kTransferTables of the next table to begin
    bool open_ = false;    ///< a table is begun and not ended
};

/// What a table held: its row count and the SHA-256 of its canonical rows (after a header naming
/// the format version, the table and its columns, so that another column list never matches).
struct TableDigest {
    TransferTable table = TransferTable::Persons;
    std::int64_t rows = 0;
    std::array<std::uint8_t, 32> sha256{};

    bool operator==(const TableDigest&) const = default;
};

/// One TableDigest per table, in transfer order.
using StoreDigest = std::array<TableDigest, kTransferTableCount>;

/// The SHA-256 as 64 lower-case hex digits.
std::string to_hex(const std::array<std::uint8_t, 32>& sha256);

/// A sink that computes the digest of what it is given.
class TransferDigest final : public TransferSink {
  public:
    TransferDigest();
    ~TransferDigest() override;
    TransferDigest(const TransferDigest&) = delete;
    TransferDigest& operator=(const TransferDigest&) = delete;
    TransferDigest(TransferDigest&&) = delete;
    TransferDigest& operator=(TransferDigest&&) = delete;

    Result<void> begin_table(TransferTable table, std::int64_t rows) override;
    Result<void> write(const TransferPage& page) override;
    Result<void> end_table(TransferTable table) override;

    /// The digest of every table ended so far (zero rows and no hash for the others).
    const StoreDigest& result() const { return result_; }

  private:
    struct State;
    std::unique_ptr<State> state_;
    StoreDigest result_{};
};

/// The step a progress report is about.
enum class TransferStep { Copy, Verify };

/// Called at the start of each table (done = 0), after each page, and at its end (done = total):
/// `done` rows of `total` (the count of the dump's snapshot).
using TransferProgress = std::function<void(
    TransferStep step, TransferTable table, std::int64_t done, std::int64_t total)>;

/// Copies every row of `source` into `target`, which must be empty, in one transaction of the
/// target, and returns the digest of what was copied (computed from the same stream). Nothing is
/// committed unless every table was copied. Errors: StoreNotEmpty, those of both stores.
Result<StoreDigest> copy_store(Store& source, Store& target, const TransferProgress& progress = {});

/// The digest of every row of `store`, read through Store::dump.
Result<StoreDigest> digest_store(Store& store, const TransferProgress& progress = {});

/// The outcome of migrate_store.
struct MigrationReport {
    StoreInfo source_info;
    StoreInfo target_info;
    StoreDigest source{}; ///< what was read from the source and copied
    StoreDigest target{}; ///< what the target holds afterwards, read back through dump()
    /// The newest audit seq of the source once the copy is done: more than the audit rows copied
    /// means the source was written during the copy, and those writes are not in the target.
    std::int64_t source_audit_seq_after = 0;
    std::optional<Error> keys_problem;      ///< target.check_keys() failed
    std::optional<Error> integrity_problem; ///< target.check_integrity() failed
    std::int64_t migrate_audit_seq = 0;     ///< seq of the "store.migrate" entry; 0 = not written

    /// Every table has the same row count and hash on both sides.
    bool digests_match() const { return source == target; }

    /// No write reached the source after its snapshot was taken.
    bool source_unchanged() const;

    bool ok() const {
        return digests_match() && source_unchanged() && !keys_problem && !integrity_problem;
    }
};

/// Checks a target after copy_store(source, target) returned `copied`: reads the target back
/// through dump() (digest_store), runs target.check_keys() and target.check_integrity(), and reads
/// the source's newest audit seq to see whether it was written during the copy. A failed check
/// is in the report, not an error. Errors: those of reading either store.
Result<MigrationReport> verify_migration(Store& source,
                                         Store& target,
                                         const StoreDigest& copied,
                                         const TransferProgress& progress = {});

/// Records a verified migration: one "store.migrate" entry in the target's audit log (subject
/// empty; detail: both backends and locations, every table's row count, and ctx.reason), after
/// the verification, so that the counts compared never include it. Sets
/// report.migrate_audit_seq. Errors: TransferMismatch when !report.ok() (nothing is written),
/// those of append_audit.
Result<void> record_migration(Store& target, MigrationReport& report, const WriteContext& ctx);

/// The whole migration: source.check_keys(), copy_store, verify_migration and, when the report
/// is ok(), record_migration. A failed check after the copy is in the report (and nothing is
/// recorded), not an error. Errors: StoreCorrupt (the keys do not fit the source; nothing is
/// copied), those of copy_store, of reading either store, of append_audit.
Result<MigrationReport> migrate_store(Store& source,
                                      Store& target,
                                      const WriteContext& ctx,
                                      const TransferProgress& progress = {});

} // namespace kapal::store
