#pragma once
// Plain WGS84 geometry for city-scale work: points, boxes, polygons with holes, point-in-polygon
// and distances in metres. Coordinates are always (lon, lat) in degrees.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace kapal::geo {

/// Mean Earth radius (IUGG), metres; used by every distance in this module.
inline constexpr double kEarthRadiusM = 6371008.8;

/// Metres per degree of latitude (and of longitude at the equator) on that sphere.
inline constexpr double kMetresPerDegree = kEarthRadiusM * 3.14159265358979323846 / 180.0;

/// A WGS84 position: longitude then latitude, degrees.
struct LonLat {
    double lon = 0;
    double lat = 0;

    bool operator==(const LonLat&) const = default;
};

/// "lon,lat" (decimal degrees, no spaces, lon in [-180, 180], lat in [-90, 90]) as a position;
/// nullopt for anything else. The form of every start point and `near=` on the command line and
/// in query strings.
std::optional<LonLat> parse_lon_lat(std::string_view text);

/// An axis-aligned box in degrees. A default-constructed box is empty (contains nothing).
struct BBox {
    double min_lon = 1;
    double min_lat = 1;
    double max_lon = -1;
    double max_lat = -1;

    /// True when the box holds no point (min > max).
    bool empty() const { return min_lon > max_lon || min_lat > max_lat; }

    /// True when p lies inside or on the edge of the box.
    bool contains(LonLat p) const {
        return p.lon >= min_lon && p.lon <= max_lon && p.lat >= min_lat && p.lat <= max_lat;
    }

    /// True when the two boxes share at least one point (touching counts).
    bool intersects(const BBox& o) const {
        return !empty() && !o.empty() && min_lon <= o.max_lon && o.min_lon <= max_lon &&
               min_lat <= o.max_lat && o.min_lat <= max_lat;
    }

    /// Grows the box to include p.
    void extend(LonLat p);

    /// Grows the box to include another box (an empty one changes nothing).
    void extend(const BBox& o);

    /// The box grown by margin_m metres on every side (the longitude margin uses the latitude of
    /// the box's edge farthest from the equator, so the result is never too small). Precondition:
    /// !empty(), margin_m >= 0.
    BBox expanded_m(double margin_m) const;

    bool operator==(const BBox&) const = default;
};

/// The ordinary boxes (min_lon <= max_lon, within [-180, 180]) that cover a query box whose
/// longitudes go around the circle: min_lon > max_lon crosses the antimeridian (170..-170 is 20
/// degrees wide, as GeoJSON and OGC API bboxes are read), and a box reaching past ±180 (a
/// circle's box near the line) is wrapped onto the other side. One box, or two that do not
/// overlap; none when min_lat > max_lat.
std::vector<BBox> split_at_antimeridian(const BBox& box);

/// True when the query box (read as split_at_antimeridian reads it) contains p.
bool wrapped_contains(const BBox& query, LonLat p);

/// True when the query box (read as split_at_antimeridian reads it) meets the ordinary box b.
bool wrapped_intersects(const BBox& query, const BBox& b);

/// The box of all points within radius_m metres of p (as measured by distance_to_boundary_m's
/// local projection centred on p). Precondition: radius_m >= 0.
BBox bbox_around(LonLat p, double radius_m);

/// A closed ring of vertices in order, WITHOUT repeating the first vertex at the end: the last
/// vertex connects back to the first. Winding does not matter to this module.
using Ring = std::vector<LonLat>;

/// A polygon: one outer ring and zero or more holes.
struct Polygon {
    Ring outer;
    std::vector<Ring> holes;

    bool operator==(const Polygon&) const = default;
};

/// One or more polygon parts (islands). A single Polygon is a MultiPolygon with one part.
struct MultiPolygon {
    std::vector<Polygon> parts;

    bool operator==(const MultiPolygon&) const = default;
};

/// The bounding box of a ring's vertices (empty for an empty ring).
BBox bbox_of(const Ring& ring);

/// The bounding box of a polygon: its outer ring and its holes.
BBox bbox_of(const Polygon& polygon);

/// The bounding box of all parts.
BBox bbox_of(const MultiPolygon& shape);

/// Point-in-polygon, even-odd over the outer ring and all holes (a point in a hole is outside).
///
/// Boundary rule: the polygon is CLOSED. A point lying exactly on an edge or a vertex of any of
/// its rings (outer or hole) counts as inside. "Exactly" means the collinearity test
/// (cross product == 0 in double arithmetic) passes and the point lies within the edge's extent.
/// Consequently a point on an edge shared by two adjacent polygons is inside both.
/// Away from the boundary the crossing count uses the half-open rule (an edge counts when one
/// end is strictly above the point's latitude and the other is not), so a ray through a vertex
/// is never counted twice.
bool contains(const Polygon& polygon, LonLat p);

/// True when any part contains p (same boundary rule as for Polygon).
bool contains(const MultiPolygon& shape, LonLat p);

/// A polygon prepared for many point tests: its edges filed by latitude band, so a test looks
/// only at the edges that span the point's latitude instead of every vertex. Answers exactly as
/// contains(polygon, p) (same boundary rule, same arithmetic). Memory: the edges plus at most 32
/// band entries an edge.
class PreparedPolygon {
  public:
    explicit PreparedPolygon(const Polygon& polygon);

    bool contains(LonLat p) const;

    /// The polygon's bounding box.
    const BBox& box() const { return box_; }

  private:
    struct Edge {
        LonLat a;
        LonLat b;
    };

    std::size_t band(double lat) const;

    BBox box_;
    std::vector<Edge> edges_;
    std::size_t bands_ = 1;
    double inv_height_ = 0;
    std::vector<std::uint32_t> start_;   ///< band b's edges: edge_of_[start_[b] .. start_[b+1])
    std::vector<std::uint32_t> edge_of_; ///< indices into edges_
};

/// Great-circle distance in metres on a sphere of radius kEarthRadiusM (haversine). Error against
/// the WGS84 ellipsoid: up to about 0.5 %.
double haversine_m(LonLat a, LonLat b);

/// Distance in metres from p to the nearest point on any ring (outer or hole) of the shape,
/// whether p is inside or outside. Vertices are projected onto a local equirectangular plane
/// centred on p (x = Δlon·cos(lat_p)·R, y = Δlat·R). Error: the projection is exact along the
/// meridian and along p's parallel; for a boundary point Δφ degrees of latitude away the east-west
/// scale is off by a relative tan(lat)·Δφ(rad): for a boundary 50 km away about 0.0014 % at
/// Bontang (lat ≈ 0.1°), 1.4 % at lat 60°. Add the sphere-vs-ellipsoid error of about 0.5 %.
/// Returns +infinity for a shape without vertices.
double distance_to_boundary_m(const MultiPolygon& shape, LonLat p);

/// As above for one polygon.
double distance_to_boundary_m(const Polygon& polygon, LonLat p);

/// 0 when the shape contains p, otherwise the distance to its boundary (metres).
double distance_m(const MultiPolygon& shape, LonLat p);

} // namespace kapal::geo
