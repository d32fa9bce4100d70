#pragma once
// A streaming CSV reader for the files office staff export from Excel.
//
// What it accepts, and what it does with it:
// - A UTF-8 byte order mark at the start is dropped.
// - The separator is `,`, `;` (Indonesian Excel) or TAB. Unless the options fix it, it is
//   detected from the first non-blank line: the one of the three that occurs most often there
//   outside quotes (ties prefer `;`, then TAB, then `,`; none at all means `,`).
// - RFC 4180 quoting: a field that starts with `"` runs to the next lone `"`; `""` inside it is
//   one quote; separators and line breaks inside it are data and are kept verbatim. Text after
//   the closing quote, up to the next separator, is kept literally (`"a"b` reads as `ab`); a
//   quote in the middle of an unquoted field is an ordinary character.
// - Line ends are CRLF, LF or a lone CR, mixed freely. Line numbers count physical lines, so
//   a quoted line break moves the next record's line on.
// - Empty lines, and lines holding only spaces and tabs, are skipped (line numbers stay
//   right). A line of separators only (`;;;`) is a record of empty fields: see
//   CsvRecord::is_blank().
// - Spaces around unquoted fields are KEPT: trimming is the caller's decision (a field may be
//   significant with its spaces). Use core::trim().
// - Encoding rule, PER FIELD: a field that is valid UTF-8 is returned unchanged; a field that
//   is not is decoded as Windows-1252 (Excel's "CSV" on Windows) and the record is flagged.
//   Pure ASCII is the same in both. A file can therefore mix the two; a Windows-1252 field
//   that happens to be valid UTF-8 (e.g. "Ã©") is the one case read wrongly, and it does not
//   occur in real names and addresses. CsvEncoding::Windows1252 forces the decoding instead.
// - Errors (each names the physical line; the reader stays failed afterwards and next()
//   returns the same error again):
//   - a quote still open at end of file: ImportFileUnreadable, naming the line it opened on;
//   - a NUL byte (a binary file, or UTF-16): ImportFileUnreadable;
//   - a field longer than max_field_bytes, a record longer than max_record_bytes or with more
//     than max_fields fields: ImportCellInvalid;
//   - a UTF-16 byte order mark (Excel's "Unicode Text"): ImportFileUnreadable;
//   - a stream read error: Io.

#include "kapal/core/result.hpp"

#include <array>
#include <cstddef>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kapal::io {

/// How the bytes of a CSV file are decoded.
enum class CsvEncoding {
    Auto,        ///< per field: UTF-8 when valid, Windows-1252 otherwise
    Windows1252, ///< every field decoded as Windows-1252
};

/// Options of a CsvReader; the defaults suit Excel exports.
struct CsvReaderOptions {
    std::optional<char> separator;                        ///< fixed separator; nullopt: detect it
    CsvEncoding encoding = CsvEncoding::Auto;             ///< see the encoding rule above
    std::size_t max_field_bytes = std::size_t{64} * 1024; ///< a longer field is an error
    std::size_t max_fields = 16384;                       ///< Excel's column limit
    std::size_t max_record_bytes = 4U << 20;              ///< a longer record is an error
};

/// One record (row) of a CSV file.
struct CsvRecord {
    std::vector<std::string> fields; ///< UTF-8, untrimmed
    std::size_t line = 0;            ///< physical line where the record starts, 1-based
    std::size_t record_index = 0;    ///< 0-based count of records before it (header is 0)
    bool windows1252 = false;        ///< some field was decoded from Windows-1252

    /// True if every field is empty or only spaces and tabs (`;;;` lines Excel writes).
    bool is_blank() const noexcept;
};

/// Reads records one at a time from a stream, in chunks; memory use is one chunk plus one
/// record. Move-only.
class CsvReader {
  public:
    /// Opens a file. ImportFileUnreadable if it cannot be opened.
    static Result<CsvReader> open(const std::string& path, CsvReaderOptions options = {});

    /// Reads from `in`, which must outlive the reader.
    explicit CsvReader(std::istream& in, CsvReaderOptions options = {});

    CsvReader(CsvReader&& other) noexcept;
    CsvReader& operator=(CsvReader&& other) noexcept;
    CsvReader(const CsvReader&) = delete;
    CsvReader& operator=(const CsvReader&) = delete;
    ~CsvReader();

    /// Reads the next record into `out` (its strings are reused). true: a record was read;
    /// false: end of input. Errors as listed at the top of this header.
    Result<bool> next(CsvRecord& out);

    /// The separator in use. Detection happens on the first call to next() (or here, which
    /// reads ahead); on an input with no content it is `,`.
    char separator();

    /// Physical line of the last error (0 if none).
    std::size_t error_line() const noexcept { return error_line_; }

  private:
    bool fill();

    bool more() { return pos_ < end_ || fill(); }

    void start();
    void detect_separator();
    Result<bool> parse_record(CsvRecord& out);
    /// Appends the bytes from the read position up to the next byte marked in `special` (or
    /// the end of the buffered chunk) to `field`. true: stopped at such a byte (not consumed);
    /// false: the chunk ran out. ImportCellInvalid (naming `line` and field `count`) when the
    /// field grows past max_field_bytes.
    Result<bool> scan_run(std::string& field,
                          const std::array<bool, 256>& special,
                          std::size_t line,
                          std::size_t count);
    unexpected<Error> fail_at(ErrorCode code, std::size_t line, const std::string& what);

    std::unique_ptr<std::istream> owned_;
    std::istream* in_ = nullptr;
    CsvReaderOptions options_;
    std::vector<char> buf_;
    std::size_t pos_ = 0;
    std::size_t end_ = 0;
    bool eof_ = false;
    bool io_failed_ = false;
    bool utf16_ = false;
    std::array<bool, 256> special_{};
    bool started_ = false;
    char sep_ = ',';
    std::size_t line_ = 1;
    std::size_t records_ = 0;
    std::optional<Error> error_;
    std::size_t error_line_ = 0;
};

} // namespace kapal::io
