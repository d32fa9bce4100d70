// Fuzz target: the `geometry` of POST /api/v1/persons/search. Whatever the bytes, parsing must
// return a MultiPolygon or an error naming a field, never crash; a parsed shape must be usable by
// the point index and the point-in-polygon test.

#include "kapal/geo/geojson.hpp"
#include "kapal/geo/point_index.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto shape = kapal::geo::parse_search_area(body, "geometry", 10000);
    if (!shape) {
        if (shape.error().code == kapal::ErrorCode::ValidationFailed &&
            shape.error().fields.size() != 1) {
            std::abort(); // a validation error always names its field
        }
        return 0;
    }
    static kapal::geo::PointIndex index = [] {
        kapal::geo::PointIndex i;
        i.upsert("0190a5d0-0000-7000-8000-000000000001", 1, kapal::geo::LonLat{0, 0}, {});
        i.upsert("0190a5d0-0000-7000-8000-000000000002", 1, kapal::geo::LonLat{117.5, 0.1}, {});
        i.upsert("0190a5d0-0000-7000-8000-000000000003", 1, kapal::geo::LonLat{180, -90}, {});
        return i;
    }();
    const auto hits = index.in_polygon(*shape, {}, 10);
    if (hits.size() > 3) {
        std::abort();
    }
    (void)kapal::geo::contains(*shape, kapal::geo::LonLat{1, 1});
    (void)kapal::geo::distance_m(*shape, kapal::geo::LonLat{1, 1});
    return 0;
}
