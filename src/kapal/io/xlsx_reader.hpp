#pragma once
// Reads the cells of one sheet of an .xlsx workbook (Office Open XML), row by row.
//
// Values come back as the workbook stores them, with their type, and the caller decides what
// they mean: a number is its XML text ("6474010101900001", "6.47401E+15", "16666"), a shared or
// inline string is its text (rich-text runs joined, phonetic runs dropped, Excel's `_x000D_`
// escapes decoded), a boolean is "1" or "0", an error is its code ("#N/A"). A formula cell
// gives its cached value. Cells are placed by their reference ("C7" is index 2), so column gaps
// come back as Empty cells; rows keep their 1-based sheet row number (skipped rows are absent).
//
// Errors: a file that is not a zip, has no workbook, or has broken XML, and a sheet that does
// not exist: ImportFileUnreadable. A shared-string index out of range or a cell reference past
// column XFD: ImportCellInvalid (both name the row). The zip-bomb guard: reading stops with
// ImportFileUnreadable once more than max_uncompressed_bytes have been inflated in total;
// a sheet with more than max_cells cells (gaps included) or a longer cell: ImportCellInvalid.

#include "kapal/core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::io {

/// What a cell holds.
enum class XlsxCellType { Empty, String, Number, Bool, Error };

/// One cell.
struct XlsxCell {
    XlsxCellType type = XlsxCellType::Empty;
    std::string text;         ///< as stored: see the header comment
    bool date_format = false; ///< the cell's number format is a date format (meaningful for
                              ///< Number cells: the number is then an Excel serial date)
};

/// One row: cells[0] is column A.
struct XlsxRow {
    std::size_t row = 0; ///< 1-based sheet row number
    std::vector<XlsxCell> cells;

    /// True if no cell has non-blank text.
    bool is_blank() const noexcept;
};

/// Limits of an XlsxReader.
struct XlsxReaderOptions {
    std::uint64_t max_uncompressed_bytes = 200ULL << 20; ///< over all parts read
    std::size_t max_cell_bytes = 1U << 20;               ///< one cell's text
    std::size_t max_cells = 10'000'000;                  ///< cells of a sheet, counting column gaps
};

/// True if an Excel number format is a date format: built-in ids 14-22 and 45-47, or a custom
/// code with d, m or y outside quotes, brackets and escapes. (Exposed for tests.)
bool is_date_format(int num_fmt_id, std::string_view format_code);

/// Streams the rows of one sheet. Move-only.
class XlsxReader {
  public:
    /// Opens a workbook file and reads its sheet list, shared strings and styles.
    static Result<XlsxReader> open(const std::string& path, XlsxReaderOptions options = {});

    /// The same from the bytes of a file (an upload).
    static Result<XlsxReader> open_memory(std::string bytes, XlsxReaderOptions options = {});

    XlsxReader(XlsxReader&& other) noexcept;
    XlsxReader& operator=(XlsxReader&& other) noexcept;
    XlsxReader(const XlsxReader&) = delete;
    XlsxReader& operator=(const XlsxReader&) = delete;
    ~XlsxReader();

    /// Sheet names in workbook (tab) order.
    const std::vector<std::string>& sheet_names() const;

    /// Chooses the sheet to read by name (exact, then case-insensitive) and starts at its top.
    /// Without a call, next() reads the first sheet. ImportFileUnreadable if there is none.
    Result<void> select_sheet(std::string_view name);

    /// Chooses the sheet by 0-based position.
    Result<void> select_sheet(std::size_t index);

    /// Reads the next row element of the sheet. true: `out` holds it; false: end of sheet.
    Result<bool> next(XlsxRow& out);

  private:
    struct Impl;
    explicit XlsxReader(std::unique_ptr<Impl> impl);
    static Result<XlsxReader> finish_open(std::unique_ptr<Impl> impl);

    std::unique_ptr<Impl> impl_;
};

/// Convenience: every row of a sheet (the first when `sheet` is empty) of a file.
Result<std::vector<XlsxRow>> read_xlsx_sheet(const std::string& path,
                                             std::string_view sheet = {},
                                             XlsxReaderOptions options = {});

} // namespace kapal::io
