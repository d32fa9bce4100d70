#pragma once
// Importing persons from the CSV and XLSX files an office has: every good row imported, every
// bad row kept in a rejects file with the reasons, the same file twice changes nothing.

#include "kapal/core/clock.hpp"
#include "kapal/core/error.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/result.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/duplicate_check.hpp"
#include "kapal/service/person_table.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/store.hpp"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kapal::service {

struct ImportOptions {
    bool dry_run = false;               ///< check and classify every row, write nothing
    bool update = false;                ///< apply rows that differ from the stored person
    std::filesystem::path rejects_file; ///< CSV of rejected rows; empty = none
    std::size_t batch_size = 25000;     ///< rows per store transaction
    /// Called now and then with (rows done, rows in the file — an estimate for CSV).
    std::function<void(std::size_t, std::size_t)> progress;
    /// The registry's blocking keys: each row is checked against the persons already stored
    /// (warning PossibleDuplicate on "Nama Lengkap"); null = only within the file.
    const DuplicateIndex* registry = nullptr;
};

/// What happened to one row that was not simply imported.
struct RowReport {
    std::size_t row = 0; ///< physical line (CSV) or row number (XLSX), 1-based
    std::vector<FieldIssue> issues;
};

/// The outcome of an import. The lists keep the first kMaxReported rows of each kind; the
/// counts are complete.
struct ImportSummary {
    std::size_t rows = 0;
    std::size_t created = 0;
    std::size_t unchanged = 0;
    std::size_t changed = 0; ///< differs from the stored person; applied only with `update`
    std::size_t updated = 0;
    std::size_t rejected = 0;
    std::size_t warned = 0; ///< imported (or would be) with warnings
    std::vector<RowReport> rejects;
    std::vector<RowReport> warnings;
    std::vector<RowReport> changes;
    std::size_t header_row = 0;
    std::vector<std::string> unknown_columns; ///< header cells that matched no field (ignored)
};

inline constexpr std::size_t kMaxReported = 1000;

/// A header or data row source: CSV or XLSX.
class TableSource {
  public:
    TableSource() = default;
    TableSource(const TableSource&) = delete;
    TableSource& operator=(const TableSource&) = delete;
    TableSource(TableSource&&) = delete;
    TableSource& operator=(TableSource&&) = delete;
    virtual ~TableSource() = default;

    /// Next non-blank row; false at the end. `row_number` is the physical line / sheet row.
    virtual Result<bool> next(std::vector<TableCell>& row, std::size_t& row_number) = 0;

    /// Estimated number of rows (for progress); 0 when unknown.
    virtual std::size_t estimated_rows() const = 0;
};

/// Opens a .csv/.txt (CSV) or .xlsx file by its extension. Errors: ImportFileUnreadable.
Result<std::unique_ptr<TableSource>> open_table(const std::filesystem::path& file);

/// Imports persons from `file` into `store`.
Result<ImportSummary> import_persons(const std::filesystem::path& file,
                                     store::Store& store,
                                     const ReferenceData& ref,
                                     const core::Clock& clock,
                                     core::IdGenerator& ids,
                                     const Actor& actor,
                                     const ImportOptions& options);

/// Writes our import template (header row; XLSX adds dropdowns and an instructions sheet).
Result<void> write_import_template(const std::filesystem::path& file);

/// Human-readable text of an issue in Indonesian: "<field>: <title>[: <detail>]".
std::string describe_issue(const FieldIssue& issue, std::string_view lang = "id");

} // namespace kapal::service
