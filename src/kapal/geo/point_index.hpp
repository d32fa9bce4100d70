#pragma once
// An in-memory index of the homes of every person: radius, k-nearest, box and polygon queries,
// each combined with attribute filters (category, severity, status, needs, area) in one pass over
// a Boost.Geometry R*-tree. Kept in step with the store by service::PersonIndex; the store stays
// the source of truth. Not thread-safe: the owner serialises writers against readers.

#include "kapal/geo/cluster_grid.hpp"
#include "kapal/geo/geometry.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kapal::geo {

/// What a point carries for filtering. Enum values are the core enums' values; 0xff = none.
struct PointAttributes {
    std::uint8_t categories = 0; ///< bit (1 << core::Category)
    std::uint8_t severity = 0xff;
    std::uint8_t status = 0;
    std::uint16_t devices = 0; ///< bit i: core::kAssistiveDevices[i] (store::device_mask)
    std::string area_code;     ///< the kelurahan code
};

/// The filter of a query: every set part must hold.
struct PointFilter {
    std::uint8_t any_category = 0;          ///< 0 = any; else at least one of these bits
    std::optional<std::uint8_t> severity;   ///< exact
    std::optional<std::uint8_t> status;     ///< exact
    std::uint16_t any_device = 0;           ///< 0 = any; else needs at least one of these bits
    std::vector<std::string> area_prefixes; ///< empty = everywhere; else a code equal to or
                                            ///< under one of these (dotted parts)
};

/// One answer: the key of the point and its distance from the query's centre (0 for boxes).
struct PointHit {
    std::string key;
    double distance_m = 0;
};

/// One page of a box query in key order, and how many points the box holds in all.
struct PointPage {
    std::vector<PointHit> hits;
    std::size_t matched = 0;
};

class PointIndex {
  public:
    PointIndex();
    PointIndex(const PointIndex&) = delete;
    PointIndex& operator=(const PointIndex&) = delete;
    PointIndex(PointIndex&&) noexcept;
    PointIndex& operator=(PointIndex&&) noexcept;
    ~PointIndex();

    /// Adds or replaces the entry of `key` (a UUID in text form) when `version` is newer than
    /// the one held; returns false (and changes nothing) for an older or equal version. An entry
    /// without a position is remembered (for its version) but found by no query.
    bool upsert(std::string_view key,
                std::int64_t version,
                std::optional<LonLat> at,
                const PointAttributes& attributes);

    /// As upsert, but an entry of the same version is replaced too: for a writer's own record,
    /// which is the full state of that version, when a summary of it (which may carry less)
    /// arrived first. Returns false (and changes nothing) for an older version.
    bool replace(std::string_view key,
                 std::int64_t version,
                 std::optional<LonLat> at,
                 const PointAttributes& attributes);

    /// Between these two, upsert only records entries; end_bulk builds the tree from all of
    /// them at once (packed, several times faster than inserting one by one). For the first
    /// load. Queries in between see no points.
    void begin_bulk();
    void end_bulk();

    /// Entries held (with or without a position).
    std::size_t size() const;

    /// Entries with a position.
    std::size_t located() const;

    /// The version held for `key`, 0 when none.
    std::int64_t version_of(std::string_view key) const;

    /// Points within `radius_m` metres (haversine) of `centre`, nearest first, at most `limit`.
    /// Safe across the antimeridian (a circle around lon 179.99 finds points at lon -179.99).
    std::vector<PointHit>
    within(LonLat centre, double radius_m, const PointFilter& filter, std::size_t limit) const;

    /// The `k` points nearest to `centre` (haversine), nearest first; safe across the
    /// antimeridian.
    std::vector<PointHit> nearest(LonLat centre, std::size_t k, const PointFilter& filter) const;

    /// Points inside `box` (edges included), in key order, at most `limit`. A box with
    /// min_lon > max_lon crosses the antimeridian: it covers min_lon..180 and -180..max_lon. A box
    /// with min_lat > max_lat holds nothing.
    std::vector<PointHit>
    in_box(const BBox& box, const PointFilter& filter, std::size_t limit) const;

    /// Points inside `shape` (geo::contains: holes excluded; the boundary is CLOSED, so a point
    /// exactly on an edge or a vertex of the outer ring or of a hole counts as inside), in key
    /// order, at most `limit`. Each part's bounding box prefilters in the tree. Coordinates are
    /// planar lon/lat: a polygon that crosses the antimeridian must be cut into parts at it
    /// (RFC 7946 §3.1.9).
    std::vector<PointHit>
    in_polygon(const MultiPolygon& shape, const PointFilter& filter, std::size_t limit) const;

    /// Points inside `box` (edges included; across the antimeridian as in_box reads it) in key
    /// order: skips `offset`, at most `limit`, and counts every match. Selects the page without
    /// sorting the rest (paging a layer: the OGC API's offset and numberMatched).
    PointPage in_box_page(const BBox& box,
                          const PointFilter& filter,
                          std::size_t offset,
                          std::size_t limit) const;

    /// The clusters of the located points that pass `filter` in the cells of `view`, in cell
    /// order (see geo/cluster_grid.hpp). Without area prefixes and up to the pyramid's depth,
    /// from the pyramid of counts (cost: the cells and groups in view, not the points);
    /// otherwise from the tree (the points in view, within the box of the filter's areas). From
    /// kClusterKeyZoom on, a cluster of one carries the point's key.
    std::vector<Cluster> clusters(const ClusterView& view, const PointFilter& filter) const;

    /// The finest zoom the pyramid holds now (-1: none), and its (cell, group) entries at a
    /// zoom; for tests and benchmarks.
    int cluster_pyramid_depth() const;
    std::size_t cluster_pyramid_entries(int zoom) const;

    /// Every entry (with or without a position) counted by its area and attributes: calls
    /// `each` once per distinct (area code, categories, severity, status) with how many entries
    /// have it. Kept up to date at every upsert, so the cost is the number of such groups.
    void count_groups(const std::function<void(const std::string& area_code,
                                               const ClusterGroup& group,
                                               std::size_t count)>& each) const;

    /// An estimate of the heap memory the index holds, bytes.
    std::size_t memory_bytes() const;

  private:
    bool put(std::string_view key,
             std::int64_t version,
             std::optional<LonLat> at,
             const PointAttributes& attributes,
             bool same_version_too);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace kapal::geo
