#pragma once
// Home-visit routes: the persons to visit (a list of ids, or everyone of a kelurahan) in the
// order geo::plan_visits gives from a start point, with each leg and the total in metres.

#include "kapal/core/ids.hpp"
#include "kapal/core/person.hpp"
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

} // namespace kapal::service
