#include "kapal/geo/route.hpp"

#include "kapal/core/assert.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <utility>

namespace kapal::geo {
namespace {

/// Great-circle distances between the start (node 0) and the stops (nodes 1..n).
class DistanceTable {
  public:
    DistanceTable(LonLat start, const std::vector<LonLat>& stops)
        : n_(stops.size() + 1)
        , d_(n_ * n_, 0.0) {
        std::vector<LonLat> nodes;
        nodes.reserve(n_);
        nodes.push_back(start);
        nodes.insert(nodes.end(), stops.begin(), stops.end());
        for (std::size_t a = 0; a < n_; ++a) {
            for (std::size_t b = a + 1; b < n_; ++b) {
                d_[a * n_ + b] = d_[b * n_ + a] = haversine_m(nodes[a], nodes[b]);
            }
        }
    }

    double operator()(std::size_t a, std::size_t b) const { return d_[a * n_ + b]; }

  private:
    std::size_t n_;
    std::vector<double> d_;
};

/// Nodes 1..n in nearest-neighbour order from node 0.
std::vector<std::size_t> nearest_neighbour(const DistanceTable& d, std::size_t n) {
    std::vector<bool> visited(n + 1, false);
    std::vector<std::size_t> path;
    path.reserve(n);
    std::size_t at = 0;
    for (std::size_t step = 0; step < n; ++step) {
        std::size_t best = 0;
        double best_m = std::numeric_limits<double>::infinity();
        for (std::size_t c = 1; c <= n; ++c) {
            if (!visited[c] && d(at, c) < best_m) {
                best = c;
                best_m = d(at, c);
            }
        }
        visited[best] = true;
        path.push_back(best);
        at = best;
    }
    return path;
}

/// A reversal or a move must gain more than this, so rounding noise never loops forever.
constexpr double kMinGainM = 1e-3;

/// One 2-opt pass on an open path that starts at node 0 (fixed) and visits `path` in order:
/// reverses path[i..j] wherever that shortens it. True when it changed anything.
bool two_opt_pass(const DistanceTable& d, std::vector<std::size_t>& path) {
    const std::size_t n = path.size();
    const auto node = [&](std::size_t i) {
        return i == 0 ? std::size_t{0} : path[i - 1];
    };
    bool improved = false;
    // Positions 1..n on the path (0 is the start); reverse positions i..j.
    for (std::size_t i = 1; i < n; ++i) {
        for (std::size_t j = i + 1; j <= n; ++j) {
            const std::size_t before = node(i - 1);
            double delta = d(before, node(j)) - d(before, node(i));
            if (j < n) {
                delta += d(node(i), node(j + 1)) - d(node(j), node(j + 1));
            }
            if (delta < -kMinGainM) {
                std::reverse(path.begin() + static_cast<std::ptrdiff_t>(i - 1),
                             path.begin() + static_cast<std::ptrdiff_t>(j));
                improved = true;
            }
        }
    }
    return improved;
}

/// One Or-opt pass: moves a run of 1 to 3 consecutive stops, forwards or reversed, to the place
/// between two other stops (or to the end) wherever that shortens the path; 2-opt alone cannot
/// make such moves. True when it changed anything.
bool or_opt_pass(const DistanceTable& d, std::vector<std::size_t>& path) {
    const std::size_t n = path.size();
    bool improved = false;
    for (std::size_t len = 1; len <= 3 && len < n; ++len) {
        for (std::size_t i = 1; i + len - 1 <= n; ++i) {
            const auto node = [&](std::size_t k) {
                return k == 0 ? std::size_t{0} : path[k - 1];
            };
            const std::size_t prev = node(i - 1);
            const std::size_t first = node(i);
            const std::size_t last = node(i + len - 1);
            const bool has_next = i + len <= n;
            const double removed =
                d(prev, first) + (has_next ? d(last, node(i + len)) - d(prev, node(i + len)) : 0);
            // Insert after position p (p outside i-1 .. i+len-1), before p + 1 if any.
            double best = -kMinGainM;
            std::size_t best_p = 0;
            bool best_reversed = false;
            for (std::size_t p = 0; p <= n; ++p) {
                if (p + 1 >= i && p <= i + len - 1) {
                    continue;
                }
                const std::size_t a = node(p);
                const bool has_b = p + 1 <= n;
                const double ab = has_b ? d(a, node(p + 1)) : 0;
                const double forward = d(a, first) + (has_b ? d(last, node(p + 1)) : 0) - ab;
                const double reversed = d(a, last) + (has_b ? d(first, node(p + 1)) : 0) - ab;
                if (forward - removed < best) {
                    best = forward - removed;
                    best_p = p;
                    best_reversed = false;
                }
                if (len > 1 && reversed - removed < best) {
                    best = reversed - removed;
                    best_p = p;
                    best_reversed = true;
                }
            }
            if (best < -kMinGainM) {
                std::vector<std::size_t> run(path.begin() + static_cast<std::ptrdiff_t>(i - 1),
                                             path.begin() +
                                                 static_cast<std::ptrdiff_t>(i - 1 + len));
                if (best_reversed) {
                    std::reverse(run.begin(), run.end());
                }
                path.erase(path.begin() + static_cast<std::ptrdiff_t>(i - 1),
                           path.begin() + static_cast<std::ptrdiff_t>(i - 1 + len));
                // Position p counted on the old path; after the erase, positions past the run
                // move back by len.
                const std::size_t at = best_p < i ? best_p : best_p - len;
                path.insert(path.begin() + static_cast<std::ptrdiff_t>(at), run.begin(), run.end());
                improved = true;
            }
        }
    }
    return improved;
}

/// 2-opt and Or-opt passes until neither shortens the path.
void improve(const DistanceTable& d, std::vector<std::size_t>& path) {
    bool improved = true;
    while (improved) {
        improved = two_opt_pass(d, path);
        improved = or_opt_pass(d, path) || improved;
    }
}

/// Path nodes (1-based) to stop indices.
std::vector<std::size_t> to_stops(const std::vector<std::size_t>& path) {
    std::vector<std::size_t> out;
    out.reserve(path.size());
    for (const std::size_t node : path) {
        out.push_back(node - 1);
    }
    return out;
}

} // namespace

VisitOrder
measure_order(LonLat start, const std::vector<LonLat>& stops, std::vector<std::size_t> order) {
    VisitOrder out;
    out.order = std::move(order);
    LonLat at = start;
    for (const std::size_t i : out.order) {
        KAPAL_ASSERT(i < stops.size());
        out.leg_m.push_back(haversine_m(at, stops[i]));
        out.total_m += out.leg_m.back();
        at = stops[i];
    }
    return out;
}

VisitOrder nearest_neighbour_order(LonLat start, const std::vector<LonLat>& stops) {
    KAPAL_ASSERT(stops.size() <= kMaxVisitStops);
    const DistanceTable d(start, stops);
    return measure_order(start, stops, to_stops(nearest_neighbour(d, stops.size())));
}

VisitOrder plan_visits(LonLat start, const std::vector<LonLat>& stops) {
    KAPAL_ASSERT(stops.size() <= kMaxVisitStops);
    const DistanceTable d(start, stops);
    std::vector<std::size_t> path = nearest_neighbour(d, stops.size());
    improve(d, path);
    return measure_order(start, stops, to_stops(path));
}

} // namespace kapal::geo
