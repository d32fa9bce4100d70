#pragma once

#include "kapal/core/result.hpp"

#include <filesystem>
#include <memory>

namespace kapal::service {

class TableSource;

/// The first sheet of an .xlsx as a TableSource. Errors: ImportFileUnreadable.
Result<std::unique_ptr<TableSource>> open_xlsx_table(const std::filesystem::path& file);

} // namespace kapal::service
