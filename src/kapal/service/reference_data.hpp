#pragma once
// The reference data the program ships in data/: Kemendagri code lists, the Bontang
// boundaries and population figures. Loaded once at start and then read-only.

#include "kapal/core/region_registry.hpp"
#include "kapal/core/result.hpp"
#include "kapal/geo/area_index.hpp"
#include "kapal/store/store.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace kapal::service {

/// Population of one area (BPS/Dukcapil figure) for proportions and per-1,000 indicators.
struct AreaPopulation {
    std::string code;
    std::int64_t population = 0;
    int year = 0;
};

/// Everything loaded from data/. Immutable after load; share it by const reference.
struct ReferenceData {
    core::RegionRegistry regions;
    std::unique_ptr<geo::AreaIndex> kelurahan; ///< polygons of the city's kelurahan
    std::vector<geo::AreaFeature> kecamatan;   ///< polygons of the city's kecamatan (maps)
    std::vector<geo::AreaFeature> kota;        ///< the city's outline (maps)
    /// Every area with its polygons for the GIS layers and the store: the kota, its kecamatan,
    /// its kelurahan (copies of the above).
    std::vector<geo::AreaFeature> areas;
    std::vector<AreaPopulation> population; ///< kota and kecamatan figures, latest year
    std::string city_code;                  ///< "64.74"
};

/// Loads data/ from `dir`: kode_wilayah_kaltim_64.csv (areas and names),
/// kode_kab_kec_historis_indonesia.csv (NIK prefixes, current and historical),
/// bontang_{kelurahan,kecamatan,kota}.geojson, population_bontang.csv. Errors name the file and
/// line.
Result<std::shared_ptr<const ReferenceData>> load_reference_data(const std::filesystem::path& dir);

/// Every boundary (kota, kecamatan, kelurahan) as the store keeps it (Store::sync_areas).
std::vector<store::AreaRecord> area_records(const ReferenceData& data);

} // namespace kapal::service
