#pragma once
// The rakor report (issue 10): what a dinas brings to the provincial coordination meeting for a
// period — the registry's flows per kecamatan and per area with their breakdown, the indicators
// beside the previous period's, the change month by month, and a map per kelurahan with the
// hazard zones over it — as PDF (tables, charts, map; Bahasa Indonesia) or XLSX (one sheet per
// table, numbers as numbers, and a sheet "Sumber" naming for every table the API query that gives
// its figures, so each can be rerun). Built from registry_flows and indicators only.

#include "kapal/core/clock.hpp"
#include "kapal/core/result.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/indicators.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/service/registry_flows.hpp"
#include "kapal/store/store.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::service {

struct RakorOptions {
    Period period;
    AreaLevel level = AreaLevel::Kelurahan; ///< the areas of the detailed tables
    IndicatorOptions indicators;
};

struct RakorReport {
    RakorOptions options;
    Period previous;
    std::string made_by; ///< who asked (user id or cli:…)
    core::Timestamp made_at{};
    PeriodFlows kecamatan;           ///< flows per kecamatan, with breakdown (empty: none in scope)
    PeriodFlows areas;               ///< flows per area of the level, with breakdown
    IndicatorReport indicators;      ///< at the level
    std::vector<PeriodFlows> months; ///< each calendar month of the period, per area of the level
    std::vector<store::HazardZoneRecord> zones;
};

/// Called at each step: the step (1-based), how many there are, and what it does (Indonesian).
using RakorProgress = std::function<void(int step, int steps, std::string_view what)>;

/// Gathers the report for the caller's scope. Errors: InvalidArgument (a bad period or
/// indicator option; a period longer than 36 months), store errors.
Result<RakorReport> gather_rakor(store::Store& store,
                                 const ReferenceData& ref,
                                 const Actor& actor,
                                 const RakorOptions& options,
                                 const core::Clock& clock,
                                 const RakorProgress& progress = {});

/// The API query that gives the figures of each table, e.g.
/// "/api/v1/stats/flows?period=2026-Q3&level=kelurahan".
std::string flows_query(const RakorReport& r, AreaLevel level);
std::string indicators_query(const RakorReport& r);

/// The report as PDF bytes (A4 landscape). Errors: Internal.
Result<std::string> rakor_pdf(const RakorReport& report, const ReferenceData& ref);

/// The report as an XLSX workbook at `path`. Errors: Io.
Result<void> write_rakor_xlsx(const RakorReport& report, const std::string& path);

/// "laporan-rakor-2026-Q3" (no extension).
std::string rakor_file_stem(const RakorReport& report);

} // namespace kapal::service
