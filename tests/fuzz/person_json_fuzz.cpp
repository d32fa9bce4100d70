// Fuzz target: a request body for POST/PUT /api/v1/persons. Whatever the bytes, parsing must
// return a person or an error, never crash; a parsed person must survive the person rules.

#include "kapal/core/person_rules.hpp"
#include "kapal/http/person_json.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto input = kapal::http::person_from_json(body);
    if (input) {
        static const kapal::core::RegionRegistry kRegions;
        (void)kapal::core::check_person(
            input->person, kRegions, kapal::core::make_date(2026, 11, 28));
    }
    return 0;
}
