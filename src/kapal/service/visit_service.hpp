#pragma once
// Home-visit routes: the persons to visit (a list of ids, or everyone of a kelurahan) in the
// order geo::plan_visits gives from a start point, with each leg and the total in metres; and
// the printable visit list (CSV, PDF) that a social worker takes along.

#include "kapal/core/ids.hpp"
#include "kapal/core/person.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/core/result.hpp"
#include "kapal/geo/geometry.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/person_service.hpp"

#include <optional>
#include <string>
#include <vector>

namespace kapal::service {

/// Whom to visit, from where: `persons` or `kelurahan`, exactly one.
struct VisitRequest {
    geo::LonLat start;
    std::vector<core::PersonId> persons;
    std::optional<std::string> kelurahan;      ///< every person of this kelurahan with `status`
    core::Status status = core::Status::Aktif; ///< with kelurahan
};

struct VisitStop {
    core::PersonRecord record;
    double leg_m = 0;        ///< from the previous stop (the start for the first)
    double cumulative_m = 0; ///< from the start to here
};

struct VisitPlan {
    geo::LonLat start;
    std::vector<VisitStop> stops;
    double total_m = 0;
    std::vector<core::PersonRecord> unlocated; ///< persons without a home location: not routed
};

/// Plans the visit for `actor`: each person is read through `persons` (so out-of-scope ones
/// answer as absent). Errors: ValidationFailed (neither or both of persons and kelurahan; an id
/// repeated, field persons[i]; more than geo::kMaxVisitStops persons), NotFound (an id not found
/// or outside the actor's areas; field persons[i]), store errors.
Result<VisitPlan>
plan_visit(PersonService& persons, const VisitRequest& request, const Actor& actor);

/// The visit list as CSV (UTF-8, header row, formulas guarded): order, id, name, address,
/// kelurahan (its name from `regions`), lon, lat, leg and cumulative metres, needs (words),
/// assistive devices, caregiver and phone; the persons without a home location last, without
/// an order. Pass records already masked for the reader.
std::string visit_csv(const VisitPlan& plan, const core::RegionRegistry& regions);

/// The visit list as a printable A4 PDF (landscape): the route's start, length and stops, one
/// row per stop with what the visitor needs to know and a column to sign off the visit, and the
/// persons without a home location in a table of their own. Errors: Internal (Cairo failed).
Result<std::string> visit_pdf(const VisitPlan& plan,
                              const core::RegionRegistry& regions,
                              const std::string& printed_by,
                              core::Timestamp printed_at);

} // namespace kapal::service
