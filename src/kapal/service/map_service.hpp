#pragma once
// The map layers: server-side clusters of homes, per-area counts for choropleths, and the
// anonymous public map's area counts with small cells suppressed. Everything is counted from
// the in-memory point index (service::PersonIndex), scoped by the caller's areas.

#include "kapal/core/person.hpp"
#include "kapal/core/result.hpp"
#include "kapal/geo/cluster_grid.hpp"
#include "kapal/geo/geojson.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/person_index.hpp"
#include "kapal/service/reference_data.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kapal::service {

/// The attribute filters of the map (as on the person list): each set one must hold.
struct MapFilters {
    std::optional<core::Category> category;
    std::optional<core::DisabilitySeverity> severity;
    std::optional<core::Status> status;
};

/// A map view: the box (west, south, east, north; west > east crosses the antimeridian) and
/// the web-map zoom (0..geo::kMaxClusterZoom).
struct ClusterRequest {
    double west = 0;
    double south = 0;
    double east = 0;
    double north = 0;
    int zoom = 0;
};

struct ClusterAnswer {
    int zoom = 0;
    double cell_deg = 0;                ///< the side of a cell
    std::vector<geo::Cluster> clusters; ///< by cell
    std::uint64_t total = 0;            ///< persons in the clusters
};

enum class AreaLevel { Kelurahan, Kecamatan, Kota };

/// "kelurahan", "kecamatan", "kota"; nullopt for anything else.
std::optional<AreaLevel> parse_area_level(std::string_view text);

/// Counts of persons whose kelurahan lies in an area.
struct AreaCounts {
    std::uint64_t total = 0;
    std::array<std::uint64_t, core::kAllCategories.size()> categories{}; ///< by core::Category
    std::array<std::uint64_t, core::kAllStatuses.size()> statuses{};     ///< by core::Status
};

struct AreaStats {
    const geo::AreaFeature* feature = nullptr;
    std::optional<std::int64_t> population; ///< residents, when the reference data has a figure
    AreaCounts counts;
};

/// An area of the public map: the count of active persons, or nothing when suppressed.
struct PublicAreaCount {
    const geo::AreaFeature* feature = nullptr;
    std::optional<std::int64_t> population;
    std::optional<std::uint64_t> count; ///< nullopt = suppressed
};

/// Small-cell suppression over sums. `counts` are cells; each relation says that the cell
/// `total` is the sum of the cells `parts` (a kecamatan and its kelurahan). Returns which cells
/// to hide: every cell of 1..threshold-1 (primary), and then, until nothing changes, for every
/// relation with exactly one hidden cell, or whose visible total leaves hidden parts summing to
/// less than their number + threshold - 1 (so that each could still be anywhere in
/// 1..threshold-1), one more cell: the smallest non-zero visible part, else the total.
/// Zeros are shown (they single no one out).
std::vector<bool>
suppress_small_cells(const std::vector<std::uint64_t>& counts,
                     const std::vector<std::pair<std::size_t, std::vector<std::size_t>>>& relations,
                     std::uint64_t threshold = 5);

class MapService {
  public:
    MapService(const PersonIndex& index, std::shared_ptr<const ReferenceData> ref);

    /// Clusters of the persons in the actor's scope that pass `filters`, in the cells the view
    /// touches. Errors: ValidationFailed (a view of more than geo::kMaxClusterCells cells, field
    /// "bbox"), IndexLoading.
    Result<ClusterAnswer>
    clusters(const ClusterRequest& request, const MapFilters& filters, const Actor& actor) const;

    /// Every area of `level` that lies within the actor's scope (others are left out), with the
    /// counts of the persons that pass `filters`. Errors: IndexLoading.
    Result<std::vector<AreaStats>>
    areas(AreaLevel level, const MapFilters& filters, const Actor& actor) const;

    /// The public map: every area of `level` with the count of active persons, small cells
    /// suppressed over the whole kota → kecamatan → kelurahan hierarchy at once (so that no
    /// level's figures undo another's). Errors: IndexLoading.
    Result<std::vector<PublicAreaCount>> public_areas(AreaLevel level) const;

    const ReferenceData& reference() const { return *ref_; }

  private:
    const std::vector<geo::AreaFeature>& features(AreaLevel level) const;
    std::optional<std::int64_t> population_of(const std::string& code) const;

    const PersonIndex& index_;
    std::shared_ptr<const ReferenceData> ref_;
};

} // namespace kapal::service
