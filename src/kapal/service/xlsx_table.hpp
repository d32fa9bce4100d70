#pragma once

#include <filesystem>
#include <memory>

#include "kapal/core/result.hpp"

namespace kapal::service {

class TableSource;

/// The first sheet of an .xlsx as a TableSource. Errors: ImportFileUnreadable.
Result<std::unique_ptr<TableSource>> open_xlsx_table(const std::filesystem::path& file);

} // namespace kapal::service
