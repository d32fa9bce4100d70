#pragma once
// Exports of the registry in the formats office staff open directly.

#include "kapal/core/result.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/store.hpp"

#include <cstddef>
#include <filesystem>

namespace kapal::service {

enum class ExportFormat { Csv, Xlsx };

struct ExportOptions {
    ExportFormat format = ExportFormat::Csv;
    bool clear_ids = false; ///< NIK and KK in clear; masked otherwise
    std::vector<std::string> scope_area_codes;
};

/// Writes every person (in scope) in the template's columns plus ID, Versi and Diubah, so an
/// export can be edited and imported again. Returns the number of persons written.
Result<std::size_t> export_persons(const std::filesystem::path& file,
                                   store::Store& store,
                                   const ReferenceData& ref,
                                   const ExportOptions& options);

} // namespace kapal::service
