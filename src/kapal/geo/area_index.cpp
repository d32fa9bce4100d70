#include "kapal/geo/area_index.hpp"

#include "kapal/core/assert.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <utility>

namespace kapal::geo {
namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;

// Uniform double in [0, 1) from the top 53 bits: the same on every standard library.
double unit_double(std::mt19937_64& rng) {
    return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}

// Lower bound of the distance (metres, squared) from p to anything inside box, in the same
// local plane that distance_to_boundary_m uses.
double box_dist2_m(LonLat p, const BBox& box) {
    const double dlon = std::max({box.min_lon - p.lon, 0.0, p.lon - box.max_lon});
    const double dlat = std::max({box.min_lat - p.lat, 0.0, p.lat - box.max_lat});
    const double dx = dlon * kMetresPerDegree * std::cos(p.lat * kDegToRad);
    const double dy = dlat * kMetresPerDegree;
    return dx * dx + dy * dy;
}

std::size_t clamp_cell(double v, std::size_t n) {
    if (!(v > 0)) { // also catches NaN
        return 0;
    }
    const auto i = static_cast<std::size_t>(v);
    return std::min(i, n - 1);
}

} // namespace

std::string_view to_string(LocateKind kind) {
    switch (kind) {
    case LocateKind::Inside:
        return "inside";
    case LocateKind::Nearest:
        return "nearest";
    case LocateKind::Ambiguous:
        return "ambiguous";
    }
    return "inside";
}

Result<AreaIndex> AreaIndex::create(std::vector<AreaFeature> features) {
    if (features.empty()) {
        return fail(ErrorCode::ValidationFailed, "area index: no features");
    }
    if (features.size() > std::numeric_limits<std::uint32_t>::max()) {
        return fail(ErrorCode::ValidationFailed, "area index: too many features");
    }
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < features.size(); ++i) {
        const AreaFeature& f = features[i];
        if (!seen.insert(f.code).second) {
            return fail(ErrorCode::ValidationFailed,
                        "area index: feature " + std::to_string(i) + ": duplicate code " + f.code);
        }
        const bool has_part = std::any_of(f.shape.parts.begin(),
                                          f.shape.parts.end(),
                                          [](const Polygon& p) { return p.outer.size() >= 3; });
        if (!has_part) {
            return fail(ErrorCode::ValidationFailed,
                        "area index: feature " + std::to_string(i) + " (code " + f.code +
                            "): no polygon");
        }
    }

    AreaIndex index;
    index.features_ = std::move(features);
    for (const AreaFeature& f : index.features_) {
        std::vector<BBox> parts;
        BBox all;
        for (const Polygon& part : f.shape.parts) {
            parts.push_back(bbox_of(part));
            all.extend(parts.back());
        }
        index.boxes_.push_back(all);
        index.part_boxes_.push_back(std::move(parts));
        index.bounds_.extend(all);
    }

    // A uniform grid of about two cells per feature in each direction, at most 64 x 64.
    const std::size_t n = index.features_.size();
    const auto side = static_cast<std::size_t>(std::ceil(2.0 * std::sqrt(static_cast<double>(n))));
    index.cols_ = std::clamp<std::size_t>(side, 1, 64);
    index.rows_ = index.cols_;
    const BBox& b = index.bounds_;
    index.cell_lon_ = std::max((b.max_lon - b.min_lon) / static_cast<double>(index.cols_), 1e-12);
    index.cell_lat_ = std::max((b.max_lat - b.min_lat) / static_cast<double>(index.rows_), 1e-12);
    index.cells_.assign(index.cols_ * index.rows_, {});
    for (std::uint32_t f = 0; f < n; ++f) {
        const BBox& box = index.boxes_[f];
        const std::size_t c0 = clamp_cell((box.min_lon - b.min_lon) / index.cell_lon_, index.cols_);
        const std::size_t c1 = clamp_cell((box.max_lon - b.min_lon) / index.cell_lon_, index.cols_);
        const std::size_t r0 = clamp_cell((box.min_lat - b.min_lat) / index.cell_lat_, index.rows_);
        const std::size_t r1 = clamp_cell((box.max_lat - b.min_lat) / index.cell_lat_, index.rows_);
        for (std::size_t r = r0; r <= r1; ++r) {
            for (std::size_t c = c0; c <= c1; ++c) {
                index.cells_[r * index.cols_ + c].push_back(f);
            }
        }
    }
    return index;
}

std::vector<std::uint32_t> AreaIndex::candidates(const BBox& query) const {
    std::vector<std::uint32_t> out;
    if (!query.intersects(bounds_)) {
        return out;
    }
    const BBox& b = bounds_;
    const std::size_t c0 = clamp_cell((query.min_lon - b.min_lon) / cell_lon_, cols_);
    const std::size_t c1 = clamp_cell((query.max_lon - b.min_lon) / cell_lon_, cols_);
    const std::size_t r0 = clamp_cell((query.min_lat - b.min_lat) / cell_lat_, rows_);
    const std::size_t r1 = clamp_cell((query.max_lat - b.min_lat) / cell_lat_, rows_);
    for (std::size_t r = r0; r <= r1; ++r) {
        for (std::size_t c = c0; c <= c1; ++c) {
            for (const std::uint32_t f : cells_[r * cols_ + c]) {
                if (boxes_[f].intersects(query)) {
                    out.push_back(f);
                }
            }
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

double AreaIndex::boundary_distance_m(std::uint32_t feature, LonLat p) const {
    const auto& parts = features_[feature].shape.parts;
    const auto& boxes = part_boxes_[feature];
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < parts.size(); ++i) {
        // A part whose box is farther than the best edge so far cannot hold a nearer edge.
        if (box_dist2_m(p, boxes[i]) >= best * best) {
            continue;
        }
        best = std::min(best, distance_to_boundary_m(parts[i], p));
    }
    return best;
}

std::optional<Located> AreaIndex::locate(LonLat p, double tolerance_m) const {
    KAPAL_ASSERT(tolerance_m >= 0);
    const std::vector<std::uint32_t> near = candidates(bbox_around(p, tolerance_m));
    if (near.empty()) {
        return std::nullopt;
    }

    std::vector<std::uint32_t> inside;
    for (const std::uint32_t f : near) {
        if (boxes_[f].contains(p) && contains(features_[f].shape, p)) {
            inside.push_back(f);
        }
    }
    if (inside.size() == 1) {
        const std::uint32_t f = inside.front();
        return Located{features_[f].code, LocateKind::Inside, boundary_distance_m(f, p), {}};
    }
    if (inside.size() > 1) {
        // Farther from a boundary = deeper inside = the likelier true area.
        std::uint32_t best = inside.front();
        double best_d = -1;
        std::uint32_t second = inside.front();
        double second_d = -1;
        for (const std::uint32_t f : inside) {
            const double d = boundary_distance_m(f, p);
            if (d > best_d) {
                second = best;
                second_d = best_d;
                best = f;
                best_d = d;
            } else if (d > second_d) {
                second = f;
                second_d = d;
            }
        }
        return Located{features_[best].code, LocateKind::Ambiguous, best_d, features_[second].code};
    }

    std::optional<std::uint32_t> best;
    double best_d = std::numeric_limits<double>::infinity();
    for (const std::uint32_t f : near) {
        if (box_dist2_m(p, boxes_[f]) > best_d * best_d) {
            continue;
        }
        const double d = boundary_distance_m(f, p);
        if (d < best_d) {
            best = f;
            best_d = d;
        }
    }
    if (!best || best_d > tolerance_m) {
        return std::nullopt;
    }
    return Located{features_[*best].code, LocateKind::Nearest, best_d, {}};
}

const AreaFeature* AreaIndex::find(std::string_view code) const {
    const auto it = std::find_if(features_.begin(), features_.end(), [code](const AreaFeature& f) {
        return f.code == code;
    });
    return it == features_.end() ? nullptr : &*it;
}

LonLat AreaIndex::random_point_in(std::string_view code, std::mt19937_64& rng) const {
    const AreaFeature* feature = find(code);
    KAPAL_ASSERT(feature != nullptr);
    const BBox box = bbox_of(feature->shape);
    // Every area covers a fair share of its box (the Bontang ones 5-60 %), so a million tries
    // failing means a degenerate polygon: a bug in the data, not bad luck.
    for (int attempt = 0; attempt < 1'000'000; ++attempt) {
        const LonLat p{box.min_lon + unit_double(rng) * (box.max_lon - box.min_lon),
                       box.min_lat + unit_double(rng) * (box.max_lat - box.min_lat)};
        if (contains(feature->shape, p)) {
            return p;
        }
    }
    KAPAL_ASSERT(false && "random_point_in: polygon has no area");
    return LonLat{};
}

} // namespace kapal::geo
