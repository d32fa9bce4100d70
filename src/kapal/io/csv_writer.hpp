#pragma once
// CSV output that Excel and our own CsvReader read back exactly.
//
// A field is quoted only when it must be: it contains the separator, a quote, CR or LF, or
// starts or ends with a space or tab (which a reader that trims would lose). Quotes inside are
// doubled. In a row of empty fields the first is written `""`, so that it is not a blank line.
// Lines end with CRLF (RFC 4180, what Excel writes).
//
// Formula-injection guard (options.guard_formulas, for files people open in Excel): a field
// that starts with `=`, `+`, `-`, `@`, TAB or CR gets a leading apostrophe `'`, so Excel shows
// it as text and never evaluates it (OWASP "CSV injection"). Fields that are plain numbers
// (`-5`, `+6281234567`, `-1.5`) are left alone. The guard changes the data: do not use it
// for files meant to be imported again.

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::io {

/// Options of a CsvWriter.
struct CsvWriterOptions {
    char separator = ',';        ///< `,`, `;` or TAB
    bool bom = false;            ///< write a UTF-8 byte order mark first (helps old Excel)
    bool guard_formulas = false; ///< see the formula-injection guard above
};

/// Writes rows of UTF-8 text to a stream.
class CsvWriter {
  public:
    /// Writes to `out`, which must outlive the writer. The BOM, if asked for, is written now.
    explicit CsvWriter(std::ostream& out, char separator = ',', bool bom = false);

    /// Same, with every option.
    CsvWriter(std::ostream& out, CsvWriterOptions options);

    /// Writes one row. An empty row writes an empty line (which readers skip).
    void write_row(const std::vector<std::string>& row);

    /// Same for views.
    void write_row(const std::vector<std::string_view>& row);

    /// False once the stream has failed (disk full, closed pipe).
    bool good() const { return out_->good(); }

  private:
    template <class Row> void write_any(const Row& row);
    void write_field(std::string_view field);

    std::ostream* out_;
    CsvWriterOptions options_;
    std::string line_;
};

} // namespace kapal::io
