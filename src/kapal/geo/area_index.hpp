#pragma once
// Which kelurahan is a home in? Point-in-polygon over a few dozen to a few hundred areas, with a
// grid of bounding boxes as prefilter, and explicit answers for the imperfect topology of the
// published boundaries (sliver gaps, small overlaps, coastline).

#include "kapal/core/result.hpp"
#include "kapal/geo/geojson.hpp"
#include "kapal/geo/geometry.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::geo {

/// How a point was assigned to an area.
enum class LocateKind {
    Inside,    ///< inside (or on the boundary of) exactly one area
    Nearest,   ///< inside none, but within the tolerance of the nearest area (a sliver gap
               ///< between areas, or just off the coast): the operator should confirm
    Ambiguous, ///< inside two or more overlapping areas; the one whose boundary is farther away
               ///< was chosen: the operator should confirm
};

/// The answer of AreaIndex::locate.
struct Located {
    std::string code; ///< the chosen area
    LocateKind kind = LocateKind::Inside;
    double distance_m = 0;  ///< distance from the point to the chosen area's boundary:
                            ///< how deep inside (Inside, Ambiguous) or how far outside (Nearest)
    std::string other_code; ///< Ambiguous: the runner-up containing area; empty otherwise

    bool operator==(const Located&) const = default;
};

/// Default tolerance of AreaIndex::locate, metres.
inline constexpr double kDefaultLocateToleranceM = 250.0;

/// An immutable index over areas of one level (kelurahan). Thread-safe for concurrent reads.
class AreaIndex {
  public:
    /// Builds the index. The features are used as given (pass one level only: mixing kelurahan
    /// with their kecamatan would make every point Ambiguous). Errors: ValidationFailed for an
    /// empty list, a duplicate code or a feature without a polygon part.
    static Result<AreaIndex> create(std::vector<AreaFeature> features);

    /// The area containing p. Exactly one containing area gives Inside; several give Ambiguous
    /// (the one whose boundary is farthest from p wins; ties go to the earlier feature); none
    /// gives Nearest when the nearest boundary is at most tolerance_m metres away (ties go to the
    /// earlier feature), otherwise nullopt. Boundary points count as inside (see contains()), so
    /// a point exactly on a shared edge is Ambiguous with distance 0. Precondition: tolerance_m >=
    /// 0.
    std::optional<Located> locate(LonLat p, double tolerance_m = kDefaultLocateToleranceM) const;

    /// The feature with this code, or nullptr.
    const AreaFeature* find(std::string_view code) const;

    /// All features, in the order given to create().
    const std::vector<AreaFeature>& features() const { return features_; }

    /// The box of all features.
    const BBox& bounds() const { return bounds_; }

    /// A uniformly distributed point inside the area (rejection sampling in its bbox), drawn from
    /// rng with a mapping of its own (deterministic across standard libraries). The point may be
    /// inside an overlapping neighbour too. Precondition: find(code) != nullptr.
    LonLat random_point_in(std::string_view code, std::mt19937_64& rng) const;

  private:
    AreaIndex() = default;

    std::vector<std::uint32_t> candidates(const BBox& query) const;
    double boundary_distance_m(std::uint32_t feature, LonLat p) const;

    std::vector<AreaFeature> features_;
    std::vector<BBox> boxes_;                   // per feature
    std::vector<std::vector<BBox>> part_boxes_; // per feature, per part
    BBox bounds_;
    std::size_t cols_ = 1;
    std::size_t rows_ = 1;
    double cell_lon_ = 1;
    double cell_lat_ = 1;
    std::vector<std::vector<std::uint32_t>> cells_; // row-major; feature indices, ascending
};

/// Human-readable name of a LocateKind ("inside", "nearest", "ambiguous").
std::string_view to_string(LocateKind kind);

} // namespace kapal::geo
