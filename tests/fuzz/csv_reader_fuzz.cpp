// Fuzz target for kapal::io::CsvReader: any bytes must give records or an error, never a
// crash, a hang or invalid UTF-8 (the reader promises UTF-8 for every field).

#include "kapal/io/csv_reader.hpp"
#include "kapal/io/encoding.hpp"

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

namespace {

void run(const std::string& bytes, kapal::io::CsvReaderOptions options) {
    std::istringstream in(bytes);
    kapal::io::CsvReader reader(in, options);
    kapal::io::CsvRecord record;
    std::size_t last_line = 0;
    std::size_t count = 0;
    for (;;) {
        auto got = reader.next(record);
        if (!got) {
            if (reader.error_line() == 0 || reader.error_line() < last_line) {
                std::abort(); // an error must name a line at or after the last record
            }
            return;
        }
        if (!*got) {
            return;
        }
        if (record.line <= last_line || record.record_index != count || record.fields.empty() ||
            record.fields.size() > options.max_fields) {
            std::abort();
        }
        for (const auto& f : record.fields) {
            if (f.size() > 4 * options.max_field_bytes || !kapal::io::is_valid_utf8(f)) {
                std::abort();
            }
        }
        last_line = record.line;
        ++count;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    run(bytes, {});
    kapal::io::CsvReaderOptions small;
    small.separator = ';';
    small.max_field_bytes = 16;
    small.max_fields = 8;
    small.encoding = kapal::io::CsvEncoding::Windows1252;
    run(bytes, small);
    return 0;
}
