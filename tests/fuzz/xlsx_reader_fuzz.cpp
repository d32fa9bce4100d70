// Fuzz target for kapal::io::XlsxReader: any bytes must open or fail cleanly, and every sheet
// must stream rows or an error, never crash or hang.

#include "kapal/io/xlsx_reader.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    kapal::io::XlsxReaderOptions options;
    options.max_uncompressed_bytes = 8u << 20;
    options.max_cells = 1u << 20;
    auto reader = kapal::io::XlsxReader::open_memory(
        std::string(reinterpret_cast<const char*>(data), size), options);
    if (!reader) {
        return 0;
    }
    for (std::size_t s = 0; s < reader->sheet_names().size(); ++s) {
        if (!reader->select_sheet(s)) {
            continue;
        }
        kapal::io::XlsxRow row;
        std::size_t rows = 0;
        for (;;) {
            auto got = reader->next(row);
            if (!got || !*got) {
                break;
            }
            if (row.cells.size() > 16384 || ++rows > (1u << 20)) {
                std::abort();
            }
        }
    }
    return 0;
}
