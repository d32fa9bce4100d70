#pragma once
// Server-side clustering for the map: a grid of square cells per zoom level and a pyramid of
// per-cell counts that geo::PointIndex keeps in step with its points.
//
// Cells at zoom z are squares of 360 / 2^(z+2) degrees (a quarter of a web-map tile's width, so
// 64 px on a 256 px tile), counted from (-180, -90): column floor((lon + 180) · s), row
// floor((lat + 90) · s) with s = 2^(z+2) / 360, clamped to the grid. A point on a cell edge
// belongs to the cell east (or north) of it. At Indonesia's latitudes (11°S–6°N) the cells are
// square on a web Mercator map within 2 %.

#include "kapal/geo/geometry.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace kapal::geo {

/// Zoom levels a cluster query may ask for: 0..kMaxClusterZoom.
inline constexpr int kMaxClusterZoom = 22;

/// The finest zoom the pyramid of counts may hold; finer views take the points in view.
inline constexpr int kPyramidMaxZoom = 16;

/// From this zoom on, a cluster of one point carries the point's key (whichever path answered).
inline constexpr int kClusterKeyZoom = 15;

/// The most cells one cluster query may cover (a 4K screen at 64 px cells is about 60 × 34).
inline constexpr std::uint64_t kMaxClusterCells = std::uint64_t{128} * 128;

/// The side of a cell at `zoom`, degrees. Precondition: 0 <= zoom <= kMaxClusterZoom.
double cluster_cell_deg(int zoom);

/// A cell of the grid of one zoom level.
struct CellId {
    std::uint32_t col = 0;
    std::uint32_t row = 0;

    bool operator==(const CellId&) const = default;
};

/// The cell of a point at `zoom` (edges belong to the cell east/north; clamped to the grid).
CellId cell_of(LonLat p, int zoom);

/// The box of a cell, degrees.
BBox cell_box(CellId cell, int zoom);

/// Columns [col0, col1] × rows [row0, row1] of one zoom level, inclusive.
struct CellRange {
    std::uint32_t col0 = 0;
    std::uint32_t col1 = 0;
    std::uint32_t row0 = 0;
    std::uint32_t row1 = 0;

    std::uint64_t cells() const {
        return (std::uint64_t{col1} - col0 + 1) * (std::uint64_t{row1} - row0 + 1);
    }

    bool contains(CellId c) const {
        return c.col >= col0 && c.col <= col1 && c.row >= row0 && c.row <= row1;
    }
};

/// What a cluster query covers: every cell the box touches, at one zoom. A box whose west edge
/// is east of its east edge crosses the antimeridian and covers two ranges.
struct ClusterView {
    int zoom = 0;
    std::vector<CellRange> ranges;

    std::uint64_t cells() const;
    bool contains(CellId c) const;
};

/// The view of the box (west, south, east, north) at `zoom`. Preconditions: longitudes in
/// [-180, 180], south <= north, both in [-90, 90], 0 <= zoom <= kMaxClusterZoom.
ClusterView cluster_view(double west, double south, double east, double north, int zoom);

/// What the pyramid groups points by: the filter attributes of geo::PointIndex. Packed into 64
/// bits as area (32) | categories (8) | severity (8) | status (8).
struct ClusterGroup {
    std::uint32_t area = 0;
    std::uint8_t categories = 0;
    std::uint8_t severity = 0xff;
    std::uint8_t status = 0;

    std::uint64_t packed() const {
        return (std::uint64_t{area} << 24) | (std::uint64_t{categories} << 16) |
               (std::uint64_t{severity} << 8) | status;
    }

    static ClusterGroup unpack(std::uint64_t v) {
        return {static_cast<std::uint32_t>(v >> 24),
                static_cast<std::uint8_t>(v >> 16),
                static_cast<std::uint8_t>(v >> 8),
                static_cast<std::uint8_t>(v)};
    }
};

/// Sums kept per cell and group: exact under adds and removals (positions in 1e-7 degrees).
struct CellSums {
    std::uint32_t count = 0;
    std::int64_t lon_e7 = 0;
    std::int64_t lat_e7 = 0;

    void add(LonLat p, int delta);
};

/// One cluster of an answer: the points of one cell that passed the filter.
struct Cluster {
    CellId cell;
    LonLat centre;                          ///< the mean position of its points (finish_cluster)
    std::uint32_t count = 0;                ///< points
    std::array<std::uint32_t, 8> per_bit{}; ///< points per category bit (1 << i)
    std::string key; ///< the one point's key: count == 1 and zoom > kPyramidMaxZoom
    CellSums sums;   ///< while it is being summed
};

/// Adds the points of `sums`, all of the categories `categories`, to `c`.
void add_to_cluster(Cluster& c, const CellSums& sums, std::uint8_t categories);

/// Sets count and centre from the sums.
void finish_cluster(Cluster& c);

/// The pyramid: for each zoom 0..depth(), for each non-empty cell, the sums per group (the
/// attributes other than the area: categories, severity, status). A level pays only where
/// cells hold several points; where they hold about one, the points in view are about the
/// answer, and the tree is as fast. So `rebuild` keeps the levels from 0 up while each holds at
/// most a quarter as many (cell, group) entries as there are points (at least 1,024), up to
/// max_zoom. Not thread-safe (the point index's owner serialises writers against readers).
class ClusterPyramid {
  public:
    explicit ClusterPyramid(int max_zoom = kPyramidMaxZoom);

    /// The finest level held; -1 when none.
    int depth() const { return depth_; }

    /// Adds (delta +1) or removes (delta -1, for a point added before with the same position and
    /// group) one point at every level held.
    void add(LonLat p, std::uint64_t group, int delta);

    /// Builds the levels again from every point: `each` calls its argument once per point.
    void rebuild(const std::function<void(const std::function<void(LonLat, std::uint64_t)>&)>& each,
                 std::size_t points);

    /// The clusters of `view` (zoom <= depth()) over the groups that `pass`, in cell order
    /// (column, then row); cells with no passing point are left out.
    std::vector<Cluster> clusters(const ClusterView& view,
                                  const std::function<bool(std::uint64_t group)>& pass) const;

    /// (cell, group) entries held at `zoom`.
    std::size_t entries(int zoom) const;
    std::size_t memory_bytes() const;

  private:
    struct Group {
        std::uint64_t key = 0;
        CellSums sums;
    };

    /// Groups of one cell, sorted by key.
    using Cell = std::vector<Group>;
    using Level = std::unordered_map<std::uint64_t, Cell>;

    void add_at(int zoom, LonLat p, std::uint64_t group, int delta);

    int max_zoom_;
    int depth_ = -1;
    std::vector<Level> levels_;
    std::vector<std::size_t> entries_;
};

} // namespace kapal::geo
