#pragma once
// Importing persons over HTTP, as `kapal import persons` does on the server's machine:
// GET /api/v1/imports/template (the CSV or XLSX template) and POST /api/v1/imports/persons
// (an uploaded CSV or XLSX: a dry run or the import itself, with the per-row report and the
// rejects file). Rows outside the caller's areas are refused row by row.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/http/router.hpp"
#include "kapal/service/person_index.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/store.hpp"

namespace kapal::http {

/// What the import routes work with; everything must outlive the router.
struct ImportDeps {
    store::Store& store;
    const service::ReferenceData& ref;
    const core::Clock& clock;
    core::IdGenerator& ids;
    /// The registry the rows are checked against for duplicates (once loaded); may be null.
    const service::PersonIndex* index = nullptr;
};

/// Registers the import routes (admin and operator).
void add_import_routes(Router& router, ImportDeps deps);

} // namespace kapal::http
