#pragma once
// Writes workbooks of text tables with libxlsxwriter: exports and import templates.
//
// Every cell is written as a string with the Text number format ("@"), and the data columns
// carry that format too, so Excel never turns a 16-digit NIK into 6.47401E+15, drops leading
// zeros of an RT, or reads "1/2" as a date, also in cells someone types later. Each sheet gets
// a bold header row that stays frozen, an autofilter over the table, and column widths from
// the content (in characters, between 6 and 60).

#include "kapal/core/result.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace kapal::io {

/// A dropdown list (data validation) on one column, below the header.
struct XlsxDropdown {
    std::size_t column = 0;          ///< 0-based column
    std::vector<std::string> values; ///< the allowed entries, e.g. {"L", "P"}
    std::size_t rows = 1000;         ///< data rows covered (at least the rows written)
};

/// One sheet: a header row and data rows of text.
struct XlsxSheet {
    std::string name;                           ///< 1..31 characters, none of []:*?/ and \ .
    std::vector<std::string> header;            ///< bold, frozen, with an autofilter
    std::vector<std::vector<std::string>> rows; ///< UTF-8 text, at most 32767 characters a cell
    std::vector<XlsxDropdown> dropdowns;        ///< optional input lists
    /// 0-based columns of numbers (reports): a data cell there that reads wholly as a decimal
    /// number ("705", "-3", "0.1234") is written as a number, so Excel sums it; other cells
    /// (empty, "<5", "—") stay text. These columns do not get the Text format.
    std::vector<std::size_t> number_columns;
};

/// Writes `sheets` (at least one) to a new .xlsx at `path`, replacing it.
/// InvalidArgument for a bad sheet name, a duplicate name, too long a cell or a dropdown list
/// longer than Excel's 255 characters; Io if the file cannot be written.
Result<void> write_xlsx(const std::string& path, const std::vector<XlsxSheet>& sheets);

} // namespace kapal::io
