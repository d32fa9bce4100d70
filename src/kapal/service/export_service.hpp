#pragma once
// Exports of the registry in the formats office staff open directly.

#include "kapal/core/result.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/store.hpp"

#include <cstddef>
#include <filesystem>

namespace kapal::service {

enum class ExportFormat { Csv, Xlsx, GeoJson, Gpkg };

/// The columns of a CSV or XLSX export: Kapal's own (the import template's), or the national
/// DTKS individual layout (dtks_layout.hpp, docs/dtks.md).
enum class ExportLayout { Kapal, Dtks };

struct ExportOptions {
    ExportFormat format = ExportFormat::Csv;
    ExportLayout layout = ExportLayout::Kapal; ///< CSV and XLSX only
    bool clear_ids = false;                    ///< NIK and KK in clear; masked otherwise
    std::vector<std::string> scope_area_codes;
};

/// Writes every person (in scope). CSV and XLSX: the template's columns (Latitude and Longitude
/// included) plus ID, Versi and Diubah, so an export can be edited and imported again. GeoJSON
/// and GeoPackage: the persons layer (person_layer_schema; a point per home, no geometry
/// without one), layer name "persons". With ExportLayout::Dtks, CSV and XLSX carry the DTKS
/// layout's columns instead (no ID, Versi, Diubah); a GIS format with it is InvalidArgument.
/// Returns the number of persons written.
Result<std::size_t> export_persons(const std::filesystem::path& file,
                                   store::Store& store,
                                   const ReferenceData& ref,
                                   const ExportOptions& options);

/// Writes the areas layer (kota, kecamatan, kelurahan polygons; area_layer_schema), layer name
/// "areas". CSV: code, name, level, parent_code, lon and lat of a point inside the area (the
/// label point) and the polygons as WKT. XLSX is refused (InvalidArgument). Returns the number
/// of areas written. Errors: Io.
Result<std::size_t>
export_areas(const std::filesystem::path& file, const ReferenceData& ref, ExportFormat format);

} // namespace kapal::service
