#include "kapal/geo/point_index.hpp"

#include "kapal/core/assert.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/core/text.hpp"

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

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

/// The tree boxes that cover the longitudes min_lon..max_lon (and the latitudes given), with
/// longitudes taken around the circle: min_lon > max_lon means the span crosses the antimeridian
/// (170..-170 is 20 degrees wide), and a span reaching past ±180 (a circle's box near the line)
/// is wrapped onto the other side. One box, or two that do not overlap.
std::vector<Box> lon_spans(double min_lon, double max_lon, double min_lat, double max_lat) {
    if (min_lon > max_lon) {
        max_lon += 360.0;
    }
    if (max_lon - min_lon >= 360.0) {
        return {Box(Point(-180.0, min_lat), Point(180.0, max_lat))};
    }
    while (min_lon < -180.0) {
        min_lon += 360.0;
        max_lon += 360.0;
    }
    while (min_lon >= 180.0 && max_lon > 180.0) {
        min_lon -= 360.0;
        max_lon -= 360.0;
    }
    if (max_lon <= 180.0) {
        return {Box(Point(min_lon, min_lat), Point(max_lon, max_lat))};
    }
    return {Box(Point(min_lon, min_lat), Point(180.0, max_lat)),
            Box(Point(-180.0, min_lat), Point(max_lon - 360.0, max_lat))};
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
    std::size_t located = 0;
    bool bulk = false; ///< between begin_bulk and end_bulk: the tree is not kept

    std::uint32_t area_id(const std::string& code) {
        auto [it, added] = area_ids.emplace(code, static_cast<std::uint32_t>(areas.size()));
        if (added) {
            areas.push_back(code);
        }
        return it->second;
    }

    /// Which interned areas pass the filter's prefixes (all when it has none).
    std::vector<bool> allowed_areas(const PointFilter& f) const {
        std::vector<bool> allowed(areas.size(), f.area_prefixes.empty());
        if (f.area_prefixes.empty()) {
            return allowed;
        }
        for (std::size_t i = 0; i < areas.size(); ++i) {
            allowed[i] =
                std::any_of(f.area_prefixes.begin(),
                            f.area_prefixes.end(),
                            [&](const std::string& p) { return core::code_within(areas[i], p); });
        }
        return allowed;
    }

    /// The predicate of a query over tree values.
    auto matcher(const PointFilter& f) const {
        return [this, &f, allowed = allowed_areas(f)](const Value& v) {
            const Entry& e = entries[v.second];
            return allowed[e.area] &&
                   (f.any_category == 0 || (e.categories & f.any_category) != 0) &&
                   (f.any_device == 0 || (e.devices & f.any_device) != 0) &&
                   (!f.severity || e.severity == *f.severity) &&
                   (!f.status || e.status == *f.status);
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
        if (!m.bulk) {
            m.tree.insert(Value{Point(e.lon, e.lat), slot});
        }
        ++m.located;
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
    if (!(box.min_lat <= box.max_lat)) {
        return {};
    }
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
    if (box.empty()) {
        return page;
    }
    std::vector<std::uint32_t> found;
    const Box q(Point(box.min_lon, box.min_lat), Point(box.max_lon, box.max_lat));
    const auto match = m.matcher(filter);
    for (auto it = m.tree.qbegin(bgi::covered_by(q) && bgi::satisfies(match)); it != m.tree.qend();
         ++it) {
        found.push_back(it->second);
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

std::size_t PointIndex::memory_bytes() const {
    const Impl& m = *impl_;
    // Entries, the hash map (a node of key, slot and next pointer, plus its bucket), the tree's
    // values with the R*-tree's fill (about 70 % of 16 per node) and its inner nodes.
    const std::size_t map_node = sizeof(std::pair<Key, std::uint32_t>) + 2 * sizeof(void*);
    const std::size_t tree_value = sizeof(Value) * 10 / 7 + sizeof(Box) / 8;
    std::size_t bytes = m.entries.capacity() * sizeof(Impl::Entry) +
                        m.slots.bucket_count() * sizeof(void*) + m.slots.size() * map_node +
                        m.located * tree_value;
    for (const std::string& a : m.areas) {
        bytes += a.capacity() + sizeof(std::string) + map_node + sizeof(std::string);
    }
    return bytes;
}

} // namespace kapal::geo
