#include "kapal/geo/point_index.hpp"

#include "kapal/core/assert.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/core/text.hpp"

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <boost/iterator/function_output_iterator.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <utility>

namespace kapal::geo {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

/// Degrees, (lon, lat) as plane coordinates: the tree only prefilters; distances are haversine.
using Point = bg::model::point<double, 2, bg::cs::cartesian>;
using Box = bg::model::box<Point>;
using Value = std::pair<Point, std::uint32_t>;
using Tree = bgi::rtree<Value, bgi::rstar<16>>;

/// A UUID's 16 bytes, the compact form of a person id.
using Key = std::array<std::uint8_t, 16>;

struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
        // UUIDv7: the last 8 bytes are random.
        std::uint64_t h = 0;
        for (std::size_t i = 8; i < 16; ++i) {
            h = (h << 8) | k[i];
        }
        return static_cast<std::size_t>(h ^ (h >> 29));
    }
};

std::optional<Key> parse_key(std::string_view text) {
    Key out{};
    std::size_t n = 0;
    for (char c : text) {
        if (c == '-') {
            continue;
        }
        const int v = core::hex_value(c);
        if (v < 0 || n >= 32) {
            return std::nullopt;
        }
        out[n / 2] = static_cast<std::uint8_t>(out[n / 2] | (v << (n % 2 == 0 ? 4 : 0)));
        ++n;
    }
    if (n != 32) {
        return std::nullopt;
    }
    return out;
}

std::string format_key(const Key& k) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out += '-';
        }
        out += kHex[k[i] >> 4];
        out += kHex[k[i] & 0x0f];
    }
    return out;
}

/// Metres per degree of great circle, for the tree's lower bounds.
constexpr double kMetresPerDeg = kMetresPerDegree;

/// The tree boxes that cover the longitudes min_lon..max_lon (and the latitudes given), read
/// as geo::split_at_antimeridian reads them.
std::vector<Box> lon_spans(double min_lon, double max_lon, double min_lat, double max_lat) {
    std::vector<Box> out;
    for (const BBox& b : split_at_antimeridian(BBox{min_lon, min_lat, max_lon, max_lat})) {
        out.emplace_back(Point(b.min_lon, b.min_lat), Point(b.max_lon, b.max_lat));
    }
    return out;
}

} // namespace

struct PointIndex::Impl {
    struct Entry {
        Key key{};
        std::int64_t version = 0;
        std::uint32_t area = 0;
        std::uint16_t devices = 0;
        std::uint8_t categories = 0;
        std::uint8_t severity = 0xff;
        std::uint8_t status = 0;
        bool located = false;
        double lon = 0;
        double lat = 0;
    };

    std::vector<Entry> entries;
    std::unordered_map<Key, std::uint32_t, KeyHash> slots;
    std::vector<std::string> areas;
    std::unordered_map<std::string, std::uint32_t> area_ids;
    Tree tree;
    ClusterPyramid pyramid;
    std::size_t located_at_build = 0; ///< points when the pyramid was last built
    std::unordered_map<std::uint64_t, std::size_t> group_counts; ///< ClusterGroup → entries
    std::vector<BBox> area_boxes; ///< by area id: the box of its points so far (grows only)
    std::size_t located = 0;
    bool bulk = false; ///< between begin_bulk and end_bulk: tree, pyramid, counts not kept

    static ClusterGroup group_of(const Entry& e) {
        return {e.area, e.categories, e.severity, e.status};
    }

    /// The pyramid groups by the attributes other than the area (area scopes take the tree).
    static std::uint64_t pyramid_group(const Entry& e) {
        ClusterGroup g = group_of(e);
        g.area = 0;
        return g.packed();
    }

    /// Adds (+1) or removes (-1) an entry's share of the pyramid and the group counts.
    void count(const Entry& e, int delta) {
        const std::uint64_t g = group_of(e).packed();
        if (delta > 0) {
            ++group_counts[g];
        } else if (auto it = group_counts.find(g); it != group_counts.end() && --it->second == 0) {
            group_counts.erase(it);
        }
        if (e.located) {
            pyramid.add(LonLat{e.lon, e.lat}, pyramid_group(e), delta);
        }
    }

    /// Builds the pyramid again from every located entry (at the first load, and whenever the
    /// points have doubled since, so its depth follows the data's density).
    void rebuild_pyramid() {
        pyramid.rebuild(
            [this](const std::function<void(LonLat, std::uint64_t)>& add) {
                for (const Entry& e : entries) {
                    if (e.located) {
                        add(LonLat{e.lon, e.lat}, pyramid_group(e));
                    }
                }
            },
            located);
        located_at_build = located;
    }

    std::uint32_t area_id(const std::string& code) {
        auto [it, added] = area_ids.emplace(code, static_cast<std::uint32_t>(areas.size()));
        if (added) {
            areas.push_back(code);
            area_boxes.emplace_back();
        }
        return it->second;
    }

    /// Which interned areas pass the filter's prefixes; empty when it has none (every area
    /// passes), so that a query without an area scope allocates nothing per area (a national
    /// index holds some 84,000 kelurahan).
    std::vector<bool> allowed_areas(const PointFilter& f) const {
        std::vector<bool> allowed;
        if (f.area_prefixes.empty()) {
            return allowed;
        }
        allowed.resize(areas.size());
        for (std::size_t i = 0; i < areas.size(); ++i) {
            allowed[i] =
                std::any_of(f.area_prefixes.begin(),
                            f.area_prefixes.end(),
                            [&](const std::string& p) { return core::code_within(areas[i], p); });
        }
        return allowed;
    }

    /// The predicate of a query over attributes (`allowed` as allowed_areas gives it).
    static bool
    passes(const PointFilter& f, const std::vector<bool>& allowed, const ClusterGroup& g) {
        return (allowed.empty() || allowed[g.area]) &&
               (f.any_category == 0 || (g.categories & f.any_category) != 0) &&
               (!f.severity || g.severity == *f.severity) && (!f.status || g.status == *f.status);
    }

    /// The needs part of a filter (not in ClusterGroup: the pyramid does not count by device).
    static bool has_device(const PointFilter& f, const Entry& e) {
        return f.any_device == 0 || (e.devices & f.any_device) != 0;
    }

    /// The predicate of a query over tree values.
    auto matcher(const PointFilter& f) const {
        return [this, &f, allowed = allowed_areas(f)](const Value& v) {
            const Entry& e = entries[v.second];
            return passes(f, allowed, group_of(e)) && has_device(f, e);
        };
    }

    /// Sorts slots by key, drops repeats, keeps the first `limit`.
    std::vector<PointHit> by_key(std::vector<std::uint32_t> found, std::size_t limit) const {
        std::sort(found.begin(), found.end(), [&](std::uint32_t a, std::uint32_t b) {
            return entries[a].key < entries[b].key;
        });
        found.erase(std::unique(found.begin(), found.end()), found.end());
        std::vector<PointHit> out;
        for (std::size_t i = 0; i < found.size() && i < limit; ++i) {
            out.push_back(hit(found[i], 0));
        }
        return out;
    }

    PointHit hit(std::uint32_t slot, double distance_m) const {
        return PointHit{format_key(entries[slot].key), distance_m};
    }
};

PointIndex::PointIndex()
    : impl_(std::make_unique<Impl>()) {}

PointIndex::PointIndex(PointIndex&&) noexcept = default;
PointIndex& PointIndex::operator=(PointIndex&&) noexcept = default;
PointIndex::~PointIndex() = default;

bool PointIndex::upsert(std::string_view key,
                        std::int64_t version,
                        std::optional<LonLat> at,
                        const PointAttributes& attributes) {
    return put(key, version, at, attributes, false);
}

bool PointIndex::replace(std::string_view key,
                         std::int64_t version,
                         std::optional<LonLat> at,
                         const PointAttributes& attributes) {
    return put(key, version, at, attributes, true);
}

bool PointIndex::put(std::string_view key,
                     std::int64_t version,
                     std::optional<LonLat> at,
                     const PointAttributes& attributes,
                     bool same_version_too) {
    const auto parsed = parse_key(key);
    KAPAL_ASSERT(parsed.has_value());
    Impl& m = *impl_;
    auto [it, added] = m.slots.emplace(*parsed, static_cast<std::uint32_t>(m.entries.size()));
    if (added) {
        m.entries.push_back(Impl::Entry{});
        m.entries.back().key = *parsed;
    }
    const std::uint32_t slot = it->second;
    Impl::Entry& e = m.entries[slot];
    if (!added && (version < e.version || (version == e.version && !same_version_too))) {
        return false;
    }
    if (!added && !m.bulk) {
        m.count(e, -1);
    }
    if (e.located) {
        if (!m.bulk) {
            m.tree.remove(Value{Point(e.lon, e.lat), slot});
        }
        --m.located;
    }
    e.version = version;
    e.area = m.area_id(attributes.area_code);
    e.categories = attributes.categories;
    e.devices = attributes.devices;
    e.severity = attributes.severity;
    e.status = attributes.status;
    e.located = at.has_value() && std::isfinite(at->lon) && std::isfinite(at->lat);
    if (e.located) {
        e.lon = at->lon;
        e.lat = at->lat;
        m.area_boxes[e.area].extend(LonLat{e.lon, e.lat});
        if (!m.bulk) {
            m.tree.insert(Value{Point(e.lon, e.lat), slot});
        }
        ++m.located;
    }
    if (!m.bulk) {
        m.count(e, +1);
        if (m.located >= 4096 && m.located >= 2 * m.located_at_build) {
            m.rebuild_pyramid();
        }
    }
    return true;
}

void PointIndex::begin_bulk() {
    impl_->bulk = true;
}

void PointIndex::end_bulk() {
    Impl& m = *impl_;
    if (!m.bulk) {
        return;
    }
    m.bulk = false;
    std::vector<Value> values;
    values.reserve(m.located);
    for (std::uint32_t slot = 0; slot < m.entries.size(); ++slot) {
        const Impl::Entry& e = m.entries[slot];
        if (e.located) {
            values.emplace_back(Point(e.lon, e.lat), slot);
        }
    }
    m.tree = Tree(values.begin(), values.end()); // STR packing
    m.group_counts.clear();
    for (const Impl::Entry& e : m.entries) {
        ++m.group_counts[Impl::group_of(e).packed()];
    }
    m.rebuild_pyramid();
}

std::size_t PointIndex::size() const {
    return impl_->entries.size();
}

std::size_t PointIndex::located() const {
    return impl_->located;
}

std::int64_t PointIndex::version_of(std::string_view key) const {
    const auto parsed = parse_key(key);
    if (!parsed) {
        return 0;
    }
    const auto it = impl_->slots.find(*parsed);
    return it == impl_->slots.end() ? 0 : impl_->entries[it->second].version;
}

std::vector<PointHit> PointIndex::within(LonLat centre,
                                         double radius_m,
                                         const PointFilter& filter,
                                         std::size_t limit) const {
    const Impl& m = *impl_;
    const BBox b = bbox_around(centre, radius_m);
    std::vector<std::pair<double, std::uint32_t>> found;
    const auto match = m.matcher(filter);
    for (const Box& box : lon_spans(b.min_lon, b.max_lon, b.min_lat, b.max_lat)) {
        for (auto it = m.tree.qbegin(bgi::intersects(box) && bgi::satisfies(match));
             it != m.tree.qend();
             ++it) {
            const Impl::Entry& e = m.entries[it->second];
            const double d = haversine_m(centre, LonLat{e.lon, e.lat});
            if (d <= radius_m) {
                found.emplace_back(d, it->second);
            }
        }
    }
    std::sort(found.begin(), found.end(), [&](const auto& a, const auto& b2) {
        return a.first != b2.first ? a.first < b2.first
                                   : m.entries[a.second].key < m.entries[b2.second].key;
    });
    std::vector<PointHit> out;
    for (std::size_t i = 0; i < found.size() && i < limit; ++i) {
        out.push_back(m.hit(found[i].second, found[i].first));
    }
    return out;
}

std::vector<PointHit>
PointIndex::nearest(LonLat centre, std::size_t k, const PointFilter& filter) const {
    const Impl& m = *impl_;
    std::vector<PointHit> out;
    if (k == 0 || m.located == 0) {
        return out;
    }
    // The tree orders by plane distance in degrees; the true (haversine) order can differ by
    // the cosine of the latitude. So ask the tree for more than k (its k-nearest search prunes
    // by its k-th candidate, so k must stay small), re-rank by haversine, and widen until no
    // point beyond the farthest candidate could beat the k-th best: a point d degrees away
    // (plane) is at least d·cos(|lat| + d) degrees of great circle away.
    const Point p(centre.lon, centre.lat);
    const auto match = m.matcher(filter);
    using Ranked = std::pair<double, std::uint32_t>;
    std::vector<Ranked> ranked;
    for (std::size_t want = std::max<std::size_t>(2 * k, 16);; want *= 4) {
        std::vector<Value> found;
        found.reserve(want);
        m.tree.query(bgi::nearest(p, static_cast<unsigned>(std::min(want, m.located))) &&
                         bgi::satisfies(match),
                     std::back_inserter(found));
        ranked.clear();
        double farthest_plane = 0;
        for (const Value& v : found) {
            const Impl::Entry& e = m.entries[v.second];
            ranked.emplace_back(haversine_m(centre, LonLat{e.lon, e.lat}), v.second);
            farthest_plane = std::max(farthest_plane, bg::distance(p, v.first));
        }
        std::sort(ranked.begin(), ranked.end(), [&](const Ranked& a, const Ranked& b) {
            return a.first != b.first ? a.first < b.first
                                      : m.entries[a.second].key < m.entries[b.second].key;
        });
        if (found.size() < want || want >= m.located || ranked.size() < k) {
            break; // every matching point is among them
        }
        const double worst_lat = std::min(std::abs(centre.lat) + farthest_plane, 89.0);
        const double bound_m =
            farthest_plane * std::cos(worst_lat * 3.14159265358979323846 / 180.0) * kMetresPerDeg;
        if (ranked[k - 1].first <= bound_m) {
            break;
        }
    }
    if (ranked.size() >= k) {
        // The tree's plane does not wrap: a point just across the antimeridian looks far away.
        // The k-th candidate's distance bounds the answer, and `within` wraps; ask it when the
        // circle of that radius reaches past ±180.
        const double radius_m = ranked[k - 1].first;
        const BBox b = bbox_around(centre, radius_m);
        if (b.min_lon < -180.0 || b.max_lon > 180.0) {
            return within(centre, radius_m, filter, k);
        }
    }
    for (std::size_t i = 0; i < ranked.size() && i < k; ++i) {
        out.push_back(m.hit(ranked[i].second, ranked[i].first));
    }
    return out;
}

std::vector<PointHit>
PointIndex::in_box(const BBox& box, const PointFilter& filter, std::size_t limit) const {
    const Impl& m = *impl_;
    std::vector<std::uint32_t> found;
    const auto match = m.matcher(filter);
    for (const Box& q : lon_spans(box.min_lon, box.max_lon, box.min_lat, box.max_lat)) {
        for (auto it = m.tree.qbegin(bgi::covered_by(q) && bgi::satisfies(match));
             it != m.tree.qend();
             ++it) {
            found.push_back(it->second);
        }
    }
    return m.by_key(std::move(found), limit);
}

std::vector<PointHit> PointIndex::in_polygon(const MultiPolygon& shape,
                                             const PointFilter& filter,
                                             std::size_t limit) const {
    const Impl& m = *impl_;
    std::vector<std::uint32_t> found;
    const auto match = m.matcher(filter);
    for (const Polygon& part : shape.parts) {
        const PreparedPolygon prepared(part);
        const BBox& b = prepared.box();
        if (b.empty()) {
            continue;
        }
        const Box q(Point(b.min_lon, b.min_lat), Point(b.max_lon, b.max_lat));
        // Attributes first (cheap), then the exact test with holes.
        for (auto it = m.tree.qbegin(bgi::covered_by(q) && bgi::satisfies(match));
             it != m.tree.qend();
             ++it) {
            const Impl::Entry& e = m.entries[it->second];
            if (prepared.contains(LonLat{e.lon, e.lat})) {
                found.push_back(it->second);
            }
        }
    }
    return m.by_key(std::move(found), limit);
}

PointPage PointIndex::in_box_page(const BBox& box,
                                  const PointFilter& filter,
                                  std::size_t offset,
                                  std::size_t limit) const {
    const Impl& m = *impl_;
    PointPage page;
    std::vector<std::uint32_t> found;
    const auto match = m.matcher(filter);
    for (const Box& q : lon_spans(box.min_lon, box.max_lon, box.min_lat, box.max_lat)) {
        for (auto it = m.tree.qbegin(bgi::covered_by(q) && bgi::satisfies(match));
             it != m.tree.qend();
             ++it) {
            found.push_back(it->second);
        }
    }
    page.matched = found.size();
    if (offset >= found.size() || limit == 0) {
        return page;
    }
    const std::size_t end = offset + std::min(limit, found.size() - offset);
    const auto by_key = [&](std::uint32_t a, std::uint32_t b) {
        return m.entries[a].key < m.entries[b].key;
    };
    // The page's first element in place, then only the page sorted: O(n + page · log page).
    const auto first = found.begin() + static_cast<std::ptrdiff_t>(offset);
    std::nth_element(found.begin(), first, found.end(), by_key);
    std::partial_sort(first, found.begin() + static_cast<std::ptrdiff_t>(end), found.end(), by_key);
    for (std::size_t i = offset; i < end; ++i) {
        page.hits.push_back(m.hit(found[i], 0));
    }
    return page;
}

std::vector<Cluster> PointIndex::clusters(const ClusterView& view,
                                          const PointFilter& filter) const {
    const Impl& m = *impl_;
    if (filter.area_prefixes.empty() && filter.any_device == 0 && view.zoom <= m.pyramid.depth()) {
        const std::vector<bool> any_area; // no area scope here: every area passes
        auto out = m.pyramid.clusters(view, [&](std::uint64_t g) {
            return Impl::passes(filter, any_area, ClusterGroup::unpack(g));
        });
        if (view.zoom >= kClusterKeyZoom) {
            // The pyramid has no keys: find the one point of each cluster of one in its cell.
            const auto match = m.matcher(filter);
            for (Cluster& c : out) {
                if (c.count != 1) {
                    continue;
                }
                const BBox b = cell_box(c.cell, view.zoom);
                const double margin = cluster_cell_deg(view.zoom) * 1e-6;
                const Box q(Point(b.min_lon - margin, b.min_lat - margin),
                            Point(b.max_lon + margin, b.max_lat + margin));
                for (auto it = m.tree.qbegin(bgi::covered_by(q) && bgi::satisfies(match));
                     it != m.tree.qend();
                     ++it) {
                    const Impl::Entry& e = m.entries[it->second];
                    if (cell_of(LonLat{e.lon, e.lat}, view.zoom) == c.cell) {
                        c.key = format_key(e.key);
                        break;
                    }
                }
            }
        }
        return out;
    }
    // From the tree: the points in view (few at the zooms the pyramid leaves out), or for an
    // area scope the points in view and in the box of the scope's areas, summed per cell.
    const std::vector<bool> allowed = m.allowed_areas(filter);
    BBox scope;
    if (filter.area_prefixes.empty()) {
        scope = BBox{-180, -90, 180, 90};
    } else {
        for (std::size_t a = 0; a < allowed.size(); ++a) {
            if (allowed[a]) {
                scope.extend(m.area_boxes[a]);
            }
        }
    }
    std::vector<Cluster> out;
    std::vector<std::uint32_t> first_slot; // by cluster: the first point's slot
    // The tree's box is a little larger than the cells (a point on an edge may round either
    // way); cell_of, the same function the pyramid uses, decides.
    const double margin = cluster_cell_deg(view.zoom) * 1e-6;
    for (const CellRange& r : view.ranges) {
        const BBox lo = cell_box({r.col0, r.row0}, view.zoom);
        const BBox hi = cell_box({r.col1, r.row1}, view.zoom);
        const BBox cells_box{std::max(lo.min_lon - margin, scope.min_lon),
                             std::max(lo.min_lat - margin, scope.min_lat),
                             std::min(hi.max_lon + margin, scope.max_lon),
                             std::min(hi.max_lat + margin, scope.max_lat)};
        if (cells_box.empty()) {
            continue;
        }
        // Clusters by cell of the range: a dense table (views are at most kMaxClusterCells
        // for the API; larger ones, from tests, fall back to a map).
        const std::uint64_t width = std::uint64_t{r.col1} - r.col0 + 1;
        const bool dense = r.cells() <= (std::uint64_t{1} << 22);
        std::vector<std::int32_t> table(dense ? r.cells() : 0, -1);
        std::unordered_map<std::uint64_t, std::int32_t> sparse;
        const Box q(Point(cells_box.min_lon, cells_box.min_lat),
                    Point(cells_box.max_lon, cells_box.max_lat));
        auto visit = [&](const Value& v) {
            const Impl::Entry& e = m.entries[v.second];
            const ClusterGroup g = Impl::group_of(e);
            const CellId id = cell_of(LonLat{e.lon, e.lat}, view.zoom);
            if (!r.contains(id) || !Impl::passes(filter, allowed, g) ||
                !Impl::has_device(filter, e)) {
                return;
            }
            const std::uint64_t at = (id.row - r.row0) * width + (id.col - r.col0);
            std::int32_t& slot = dense ? table[at] : sparse.try_emplace(at, -1).first->second;
            if (slot < 0) {
                slot = static_cast<std::int32_t>(out.size());
                out.emplace_back().cell = id;
                first_slot.push_back(v.second);
            }
            CellSums one;
            one.add(LonLat{e.lon, e.lat}, +1);
            add_to_cluster(out[static_cast<std::size_t>(slot)], one, g.categories);
        };
        m.tree.query(bgi::covered_by(q), boost::make_function_output_iterator(visit));
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        finish_cluster(out[i]);
        if (out[i].count == 1 && view.zoom >= kClusterKeyZoom) {
            out[i].key = format_key(m.entries[first_slot[i]].key);
        }
    }
    std::sort(out.begin(), out.end(), [](const Cluster& a, const Cluster& b) {
        return a.cell.col != b.cell.col ? a.cell.col < b.cell.col : a.cell.row < b.cell.row;
    });
    return out;
}

int PointIndex::cluster_pyramid_depth() const {
    return impl_->pyramid.depth();
}

std::size_t PointIndex::cluster_pyramid_entries(int zoom) const {
    return impl_->pyramid.entries(zoom);
}

void PointIndex::count_groups(
    const std::function<void(
        const std::string& area_code, const ClusterGroup& group, std::size_t count)>& each) const {
    const Impl& m = *impl_;
    for (const auto& [packed, n] : m.group_counts) {
        const ClusterGroup g = ClusterGroup::unpack(packed);
        each(m.areas[g.area], g, n);
    }
}

std::size_t PointIndex::memory_bytes() const {
    const Impl& m = *impl_;
    // Entries, the hash map (a node of key, slot and next pointer, plus its bucket), the tree's
    // values with the R*-tree's fill (about 70 % of 16 per node) and its inner nodes.
    const std::size_t map_node = sizeof(std::pair<Key, std::uint32_t>) + 2 * sizeof(void*);
    const std::size_t tree_value = sizeof(Value) * 10 / 7 + sizeof(Box) / 8;
    std::size_t bytes = m.entries.capacity() * sizeof(Impl::Entry) +
                        m.slots.bucket_count() * sizeof(void*) + m.slots.size() * map_node +
                        m.located * tree_value + m.pyramid.memory_bytes() +
                        m.group_counts.size() *
                            (sizeof(std::pair<std::uint64_t, std::size_t>) + 3 * sizeof(void*)) +
                        m.area_boxes.capacity() * sizeof(BBox);
    for (const std::string& a : m.areas) {
        bytes += a.capacity() + sizeof(std::string) + map_node + sizeof(std::string);
    }
    return bytes;
}

} // namespace kapal::geo
