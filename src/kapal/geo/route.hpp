#pragma once
// Home-visit routes: the order in which to visit a list of places from a start point, by
// great-circle distance (haversine, metres). Nearest neighbour builds a first order; 2-opt then
// reverses stretches of it, and Or-opt moves runs of up to 3 stops elsewhere, while that
// shortens the path. The path is open: it ends at the last
// stop, it does not return to the start. Deterministic: the same input gives the same order.

#include "kapal/geo/geometry.hpp"

#include <cstddef>
#include <vector>

namespace kapal::geo {

/// The most stops plan_visits takes: it holds a distance table of (n + 1)² doubles (8 MB at
/// 1000) and a 2-opt pass costs n² steps.
inline constexpr std::size_t kMaxVisitStops = 1000;

/// An order of visits.
struct VisitOrder {
    std::vector<std::size_t> order; ///< indices into the stops, in visiting order
    std::vector<double> leg_m;      ///< leg_m[i]: from the previous stop (the start for i = 0)
    double total_m = 0;             ///< the sum of the legs
};

/// Nearest neighbour from `start` (ties go to the lower index), then 2-opt and Or-opt passes
/// until no move shortens the path by more than a millimetre. Never longer than
/// nearest_neighbour_order; a local optimum, not always the shortest order.
/// Precondition: stops.size() <= kMaxVisitStops.
VisitOrder plan_visits(LonLat start, const std::vector<LonLat>& stops);

/// The nearest-neighbour order alone (the first step of plan_visits).
VisitOrder nearest_neighbour_order(LonLat start, const std::vector<LonLat>& stops);

/// The legs and total of visiting `stops` in `order` from `start`. Precondition: `order` holds
/// valid indices.
VisitOrder
measure_order(LonLat start, const std::vector<LonLat>& stops, std::vector<std::size_t> order);

} // namespace kapal::geo
