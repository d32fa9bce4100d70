#include "kapal/geo/geometry.hpp"

#include "kapal/core/assert.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace kapal::geo {

std::vector<BBox> split_at_antimeridian(const BBox& box) {
    if (!(box.min_lat <= box.max_lat)) {
        return {};
    }
    double min_lon = box.min_lon;
    double max_lon = box.max_lon;
    if (min_lon > max_lon) {
        max_lon += 360.0;
    }
    if (max_lon - min_lon >= 360.0) {
        return {BBox{-180.0, box.min_lat, 180.0, box.max_lat}};
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
        return {BBox{min_lon, box.min_lat, max_lon, box.max_lat}};
    }
    return {BBox{min_lon, box.min_lat, 180.0, box.max_lat},
            BBox{-180.0, box.min_lat, max_lon - 360.0, box.max_lat}};
}

bool wrapped_contains(const BBox& query, LonLat p) {
    for (const BBox& b : split_at_antimeridian(query)) {
        if (b.contains(p)) {
            return true;
        }
    }
    return false;
}

bool wrapped_intersects(const BBox& query, const BBox& other) {
    for (const BBox& b : split_at_antimeridian(query)) {
        if (b.intersects(other)) {
            return true;
        }
    }
    return false;
}

std::optional<LonLat> parse_lon_lat(std::string_view text) {
    const auto comma = text.find(',');
    if (comma == std::string_view::npos) {
        return std::nullopt;
    }
    double v[2] = {0, 0};
    const std::string_view parts[2] = {text.substr(0, comma), text.substr(comma + 1)};
    for (int i = 0; i < 2; ++i) {
        const auto r = std::from_chars(parts[i].data(), parts[i].data() + parts[i].size(), v[i]);
        if (parts[i].empty() || r.ec != std::errc{} || r.ptr != parts[i].data() + parts[i].size()) {
            return std::nullopt;
        }
    }
    // NaN fails both comparisons, infinity the range.
    if (!(v[0] >= -180 && v[0] <= 180 && v[1] >= -90 && v[1] <= 90)) {
        return std::nullopt;
    }
    return LonLat{v[0], v[1]};
}

namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;

// cos(lat) floored so that boxes near the poles stay finite.
double safe_cos_deg(double lat_deg) {
    return std::max(std::cos(lat_deg * kDegToRad), 1e-9);
}

// True when p lies on the segment a-b (exact collinearity in double arithmetic).
bool on_segment(LonLat a, LonLat b, LonLat p) {
    const double cross = (b.lon - a.lon) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lon - a.lon);
    if (cross != 0.0) {
        return false;
    }
    return p.lon >= std::min(a.lon, b.lon) && p.lon <= std::max(a.lon, b.lon) &&
           p.lat >= std::min(a.lat, b.lat) && p.lat <= std::max(a.lat, b.lat);
}

bool on_ring(const Ring& ring, LonLat p) {
    const std::size_t n = ring.size();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
        if (on_segment(ring[j], ring[i], p)) {
            return true;
        }
    }
    return false;
}

// True when the edge a-b crosses the ray from p towards +lon (half-open rule on latitude).
bool crosses(LonLat a, LonLat b, LonLat p) {
    if ((a.lat > p.lat) != (b.lat > p.lat)) {
        const double lon_at = a.lon + (p.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat);
        return p.lon < lon_at;
    }
    return false;
}

// Number of ring edges crossed by the ray from p towards +lon.
std::size_t crossings(const Ring& ring, LonLat p) {
    std::size_t count = 0;
    const std::size_t n = ring.size();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
        count += crosses(ring[j], ring[i], p) ? 1 : 0;
    }
    return count;
}

// Local equirectangular plane centred on an origin, metres.
struct Plane {
    LonLat origin;
    double kx;

    explicit Plane(LonLat o)
        : origin(o)
        , kx(kMetresPerDegree * std::cos(o.lat * kDegToRad)) {}

    double x(LonLat q) const { return (q.lon - origin.lon) * kx; }

    double y(LonLat q) const { return (q.lat - origin.lat) * kMetresPerDegree; }
};

// Squared distance from the plane's origin to segment a-b, metres².
double segment_dist2(const Plane& plane, LonLat a, LonLat b) {
    const double ax = plane.x(a);
    const double ay = plane.y(a);
    const double dx = plane.x(b) - ax;
    const double dy = plane.y(b) - ay;
    const double len2 = dx * dx + dy * dy;
    double t = 0.0;
    if (len2 > 0.0) {
        t = std::clamp(-(ax * dx + ay * dy) / len2, 0.0, 1.0);
    }
    const double px = ax + t * dx;
    const double py = ay + t * dy;
    return px * px + py * py;
}

double ring_dist2(const Plane& plane, const Ring& ring) {
    double best = std::numeric_limits<double>::infinity();
    const std::size_t n = ring.size();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
        best = std::min(best, segment_dist2(plane, ring[j], ring[i]));
    }
    return best;
}

double polygon_dist2(const Plane& plane, const Polygon& polygon) {
    double best = ring_dist2(plane, polygon.outer);
    for (const Ring& hole : polygon.holes) {
        best = std::min(best, ring_dist2(plane, hole));
    }
    return best;
}

} // namespace

void BBox::extend(LonLat p) {
    if (empty()) {
        min_lon = max_lon = p.lon;
        min_lat = max_lat = p.lat;
        return;
    }
    min_lon = std::min(min_lon, p.lon);
    min_lat = std::min(min_lat, p.lat);
    max_lon = std::max(max_lon, p.lon);
    max_lat = std::max(max_lat, p.lat);
}

void BBox::extend(const BBox& o) {
    if (o.empty()) {
        return;
    }
    extend(LonLat{o.min_lon, o.min_lat});
    extend(LonLat{o.max_lon, o.max_lat});
}

BBox BBox::expanded_m(double margin_m) const {
    KAPAL_ASSERT(!empty() && margin_m >= 0);
    const double dlat = margin_m / kMetresPerDegree;
    const double far_lat = std::min(std::max(std::abs(min_lat), std::abs(max_lat)) + dlat, 90.0);
    const double dlon = margin_m / (kMetresPerDegree * safe_cos_deg(far_lat));
    return BBox{min_lon - dlon, min_lat - dlat, max_lon + dlon, max_lat + dlat};
}

BBox bbox_around(LonLat p, double radius_m) {
    KAPAL_ASSERT(radius_m >= 0);
    // Matches Plane: the east-west scale is taken at p's own latitude. The tiny relative slack
    // absorbs rounding so that a boundary point at exactly radius_m is never cut off.
    const double r = radius_m * (1.0 + 1e-9);
    const double dlat = r / kMetresPerDegree;
    const double dlon = r / (kMetresPerDegree * safe_cos_deg(p.lat));
    return BBox{p.lon - dlon, p.lat - dlat, p.lon + dlon, p.lat + dlat};
}

BBox bbox_of(const Ring& ring) {
    BBox box;
    for (const LonLat& v : ring) {
        box.extend(v);
    }
    return box;
}

BBox bbox_of(const Polygon& polygon) {
    BBox box = bbox_of(polygon.outer);
    for (const Ring& hole : polygon.holes) {
        box.extend(bbox_of(hole));
    }
    return box;
}

BBox bbox_of(const MultiPolygon& shape) {
    BBox box;
    for (const Polygon& part : shape.parts) {
        box.extend(bbox_of(part));
    }
    return box;
}

bool contains(const Polygon& polygon, LonLat p) {
    if (polygon.outer.size() < 3) {
        return false;
    }
    if (on_ring(polygon.outer, p)) {
        return true;
    }
    for (const Ring& hole : polygon.holes) {
        if (!hole.empty() && on_ring(hole, p)) {
            return true;
        }
    }
    std::size_t count = crossings(polygon.outer, p);
    for (const Ring& hole : polygon.holes) {
        if (!hole.empty()) {
            count += crossings(hole, p);
        }
    }
    return count % 2 == 1;
}

bool contains(const MultiPolygon& shape, LonLat p) {
    return std::any_of(shape.parts.begin(), shape.parts.end(), [p](const Polygon& part) {
        return contains(part, p);
    });
}

PreparedPolygon::PreparedPolygon(const Polygon& polygon)
    : box_(bbox_of(polygon)) {
    if (polygon.outer.size() < 3) {
        return; // contains() is false for it: no edges, nothing inside
    }
    const auto add_ring = [&](const Ring& ring) {
        const std::size_t n = ring.size();
        for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
            edges_.push_back({ring[j], ring[i]});
        }
    };
    add_ring(polygon.outer);
    for (const Ring& hole : polygon.holes) {
        add_ring(hole);
    }
    // About four edges a band, at most 1024 bands; fewer when long edges would repeat in too
    // many bands (a zigzag spanning the whole height), so the table stays within 32 entries
    // an edge.
    std::size_t bands = std::clamp<std::size_t>(edges_.size() / 4, 1, 1024);
    const double height = box_.max_lat - box_.min_lat;
    for (;; bands /= 2) {
        bands_ = bands;
        inv_height_ = height > 0 ? static_cast<double>(bands) / height : 0.0;
        std::size_t entries = 0;
        for (const Edge& e : edges_) {
            entries += band(std::max(e.a.lat, e.b.lat)) - band(std::min(e.a.lat, e.b.lat)) + 1;
        }
        if (bands == 1 || entries <= 32 * edges_.size()) {
            break;
        }
    }
    start_.assign(bands_ + 1, 0);
    for (const Edge& e : edges_) {
        for (std::size_t b = band(std::min(e.a.lat, e.b.lat));
             b <= band(std::max(e.a.lat, e.b.lat));
             ++b) {
            ++start_[b + 1];
        }
    }
    for (std::size_t b = 0; b < bands_; ++b) {
        start_[b + 1] += start_[b];
    }
    edge_of_.resize(start_[bands_]);
    std::vector<std::uint32_t> fill(start_.begin(), start_.end() - 1);
    for (std::uint32_t i = 0; i < edges_.size(); ++i) {
        const Edge& e = edges_[i];
        for (std::size_t b = band(std::min(e.a.lat, e.b.lat));
             b <= band(std::max(e.a.lat, e.b.lat));
             ++b) {
            edge_of_[fill[b]++] = i;
        }
    }
}

std::size_t PreparedPolygon::band(double lat) const {
    // Monotonic in lat, so an edge whose latitudes span lat is filed under lat's band.
    const double x = std::floor((lat - box_.min_lat) * inv_height_);
    if (!(x > 0)) {
        return 0;
    }
    return std::min(static_cast<std::size_t>(x), bands_ - 1);
}

bool PreparedPolygon::contains(LonLat p) const {
    if (edges_.empty() || !box_.contains(p)) {
        return false;
    }
    // Only edges whose latitudes span p's can touch p or cross its ray; they are all in its band.
    const std::size_t b = band(p.lat);
    for (std::uint32_t k = start_[b]; k < start_[b + 1]; ++k) {
        if (on_segment(edges_[edge_of_[k]].a, edges_[edge_of_[k]].b, p)) {
            return true;
        }
    }
    std::size_t count = 0;
    for (std::uint32_t k = start_[b]; k < start_[b + 1]; ++k) {
        count += crosses(edges_[edge_of_[k]].a, edges_[edge_of_[k]].b, p) ? 1 : 0;
    }
    return count % 2 == 1;
}

double haversine_m(LonLat a, LonLat b) {
    const double dlat = (b.lat - a.lat) * kDegToRad;
    const double dlon = (b.lon - a.lon) * kDegToRad;
    const double s_lat = std::sin(dlat / 2);
    const double s_lon = std::sin(dlon / 2);
    const double h =
        s_lat * s_lat + std::cos(a.lat * kDegToRad) * std::cos(b.lat * kDegToRad) * s_lon * s_lon;
    return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(h)));
}

double distance_to_boundary_m(const Polygon& polygon, LonLat p) {
    const Plane plane(p);
    return std::sqrt(polygon_dist2(plane, polygon));
}

double distance_to_boundary_m(const MultiPolygon& shape, LonLat p) {
    const Plane plane(p);
    double best = std::numeric_limits<double>::infinity();
    for (const Polygon& part : shape.parts) {
        best = std::min(best, polygon_dist2(plane, part));
    }
    return std::sqrt(best);
}

double distance_m(const MultiPolygon& shape, LonLat p) {
    return contains(shape, p) ? 0.0 : distance_to_boundary_m(shape, p);
}

} // namespace kapal::geo
