// bench/spatial: the in-memory point index (geo::PointIndex) against PostGIS on the same points.
//   kapal_bench_spatial N SEED [CONNINFO]
// N homes spread over Indonesia's populated boxes (Kalimantan, Java, Sumatra, Sulawesi), with
// random categories and kelurahan codes. Measures the index's build time and memory (resident
// set growth and its own estimate), then QUERIES radius (500 m, as issue 5 asks) and k-nearest (k =
// 10) queries at random homes, as medians and p99 in microseconds. With CONNINFO (a database with
// PostGIS), the same points go into a table with a GiST index (loaded by COPY, index built after)
// and the same queries run as ST_DWithin on geography and ORDER BY <-> LIMIT over libpq. Then map
// clusters (run_cluster_bench): N homes in one city's box, clusters of the whole city at zoom 12
// and of 1280×800 px views at zooms 14–16, against a PostGIS GROUP BY over the GiST index on the
// same points, every answer compared cell by cell. The polygon case (polygon_case) asks "fisik or
// netra persons needing a wheelchair or a white cane inside this 48-corner polygon" of its own
// index and of PostGIS (ST_Intersects with the same filter), checks that both answer the same ids,
// and prints throughput and the ratio.

#include "kapal/geo/point_index.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kQueries = 2000;
/// The radius of the radius queries, metres (issue 5: "radius 500 m"). The PostGIS box below
/// (0.005°) covers it at every latitude of Indonesia.
constexpr double kRadiusM = 500;

struct Home {
    std::string id;
    double lon;
    double lat;
    kapal::geo::PointAttributes attrs;
};

long resident_kib() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

std::vector<Home> make_homes(long n, std::uint64_t seed) {
    // Boxes (lon0, lat0, lon1, lat1) with a share of the population each.
    struct Region {
        double lon0, lat0, lon1, lat1, share;
    };

    const Region regions[] = {{105.0, -8.5, 114.5, -6.0, 0.55},
                              {95.0, -6.0, 106.0, 5.5, 0.22},
                              {108.5, -4.0, 119.0, 4.5, 0.08},
                              {118.5, -6.0, 125.5, 2.0, 0.08},
                              {114.5, -10.5, 127.0, -8.0, 0.07}};
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<Home> out;
    out.reserve(static_cast<std::size_t>(n));
    char id[40];
    for (long i = 0; i < n; ++i) {
        double pick = u(rng);
        const Region* r = &regions[0];
        for (const Region& candidate : regions) {
            r = &candidate;
            if (pick < candidate.share) {
                break;
            }
            pick -= candidate.share;
        }
        std::snprintf(id,
                      sizeof id,
                      "0190a5d0-%04lx-7%03lx-8000-%012lx",
                      (i >> 28) & 0xffff,
                      (i >> 16) & 0xfff,
                      i);
        Home h;
        h.id = id;
        h.lon = r->lon0 + u(rng) * (r->lon1 - r->lon0);
        h.lat = r->lat0 + u(rng) * (r->lat1 - r->lat0);
        h.attrs.categories = static_cast<std::uint8_t>(1U << (rng() % 6));
        h.attrs.severity = static_cast<std::uint8_t>(rng() % 3);
        h.attrs.status = 0;
        char code[24];
        std::snprintf(code,
                      sizeof code,
                      "%02d.%02d.%02d.%04d",
                      11 + static_cast<int>(rng() % 84),
                      static_cast<int>(rng() % 30) + 1,
                      static_cast<int>(rng() % 30) + 1,
                      1000 + static_cast<int>(rng() % 20));
        h.attrs.area_code = code;
        out.push_back(std::move(h));
    }
    return out;
}

struct Stats {
    double median_us;
    double p99_us;
};

Stats stats(std::vector<double> us) {
    std::sort(us.begin(), us.end());
    return {us[us.size() / 2], us[us.size() * 99 / 100]};
}

void report(const char* what, const Stats& s, double mean_hits) {
    std::printf("%-34s median %9.1f us   p99 %9.1f us   (%.1f hits)\n",
                what,
                s.median_us,
                s.p99_us,
                mean_hits);
}

PGresult* exec(PGconn* c, const char* sql) {
    PGresult* r = PQexec(c, sql);
    const auto st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_COPY_IN) {
        std::fprintf(stderr, "%s: %s\n", sql, PQresultErrorMessage(r));
        std::exit(1);
    }
    return r;
}

// ---------------------------------------------------------------------------------------------
// Polygon + attribute filter: "every wheelchair user inside this polygon". A case of its own
// (its own index with assistive devices, its own PostGIS table), so other cases stay untouched.

/// A star-shaped polygon of `vertices` corners around `centre`, radii in [r_m/2, r_m] metres;
/// with a hole (a smaller star, a quarter of the size) when `hole` is set.
kapal::geo::Polygon
star_polygon(std::mt19937_64& rng, kapal::geo::LonLat centre, double r_m, int vertices, bool hole) {
    std::uniform_real_distribution<double> u(0.5, 1.0);
    const double deg_lat = 1.0 / kapal::geo::kMetresPerDegree;
    const double deg_lon = deg_lat / std::cos(centre.lat * 3.14159265358979323846 / 180.0);
    const auto ring = [&](double scale) {
        kapal::geo::Ring r;
        for (int v = 0; v < vertices; ++v) {
            const double a = 2 * 3.14159265358979323846 * v / vertices;
            const double len = r_m * scale * u(rng);
            r.push_back({centre.lon + len * std::cos(a) * deg_lon,
                         centre.lat + len * std::sin(a) * deg_lat});
        }
        return r;
    };
    kapal::geo::Polygon p{ring(1.0), {}};
    if (hole) {
        p.holes.push_back(ring(0.25));
    }
    return p;
}

/// GeoJSON text of a polygon (rings closed), as a client would send it.
std::string polygon_geojson(const kapal::geo::Polygon& p) {
    std::string out = R"({"type":"Polygon","coordinates":[)";
    char pos[64];
    const auto ring = [&](const kapal::geo::Ring& r) {
        out += '[';
        for (std::size_t i = 0; i <= r.size(); ++i) {
            const auto& v = r[i % r.size()];
            std::snprintf(pos, sizeof pos, "%s[%.9f,%.9f]", i > 0 ? "," : "", v.lon, v.lat);
            out += pos;
        }
        out += ']';
    };
    ring(p.outer);
    for (const auto& h : p.holes) {
        out += ',';
        ring(h);
    }
    return out + "]}";
}

constexpr int kPolygonQueries = 500;
constexpr std::size_t kPolygonLimit = 1000;

void polygon_case(const std::vector<Home>& homes, std::uint64_t seed, const char* conninfo) {
    // Assistive devices (about 70 % none, else one of the 12 codes); kursi_roda is bit 0.
    std::mt19937_64 rng(seed + 7);
    std::vector<std::uint16_t> devices(homes.size());
    for (auto& d : devices) {
        d = static_cast<std::uint16_t>(rng() % 10 < 7 ? 0 : 1U << (rng() % 12));
    }
    kapal::geo::PointIndex index;
    index.begin_bulk();
    for (std::size_t i = 0; i < homes.size(); ++i) {
        auto attrs = homes[i].attrs;
        attrs.devices = devices[i];
        index.upsert(homes[i].id, 1, kapal::geo::LonLat{homes[i].lon, homes[i].lat}, attrs);
    }
    index.end_bulk();
    // Polygons of 48 corners, radius 10 to 40 km (a kecamatan to a kabupaten), around random
    // homes; half with a hole. The filter: fisik or sensorik_netra, and a wheelchair or a white
    // cane.
    kapal::geo::PointFilter filter;
    filter.any_category = 0b1001;
    filter.any_device = 0b1001;
    std::vector<kapal::geo::Polygon> polygons;
    std::uniform_real_distribution<double> radius(10000, 40000);
    for (int q = 0; q < kPolygonQueries; ++q) {
        const Home& h = homes[rng() % homes.size()];
        polygons.push_back(star_polygon(rng, {h.lon, h.lat}, radius(rng), 48, q % 2 == 0));
    }
    std::vector<std::vector<std::string>> memory_ids;
    std::vector<double> memory_us;
    double hits = 0;
    const auto all0 = Clock::now();
    for (const auto& p : polygons) {
        const auto a = Clock::now();
        const auto found = index.in_polygon(kapal::geo::MultiPolygon{{p}}, filter, kPolygonLimit);
        memory_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
        hits += static_cast<double>(found.size());
        memory_ids.emplace_back();
        for (const auto& f : found) {
            memory_ids.back().push_back(f.key);
        }
    }
    const double memory_s = std::chrono::duration<double>(Clock::now() - all0).count();
    // Checked once against brute force (every home, geo::contains) for the first 20 polygons.
    for (std::size_t q = 0; q < 20 && q < polygons.size(); ++q) {
        std::vector<std::string> expected;
        for (std::size_t i = 0; i < homes.size(); ++i) {
            const auto& h = homes[i];
            if ((h.attrs.categories & filter.any_category) != 0 &&
                (devices[i] & filter.any_device) != 0 &&
                kapal::geo::contains(polygons[q], {h.lon, h.lat})) {
                expected.push_back(h.id);
            }
        }
        std::sort(expected.begin(), expected.end());
        expected.resize(std::min(expected.size(), kPolygonLimit));
        if (expected != memory_ids[q]) {
            std::fprintf(stderr, "polygon %zu: the index disagrees with brute force\n", q);
            std::exit(1);
        }
    }
    report("memory polygon + filter", stats(memory_us), hits / kPolygonQueries);
    std::printf("memory polygon + filter: %.0f queries/s (one thread)\n",
                kPolygonQueries / memory_s);
    if (conninfo == nullptr) {
        return;
    }
    PGconn* c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        std::fprintf(stderr, "connect: %s\n", PQerrorMessage(c));
        std::exit(1);
    }
    PQclear(exec(c, "CREATE EXTENSION IF NOT EXISTS postgis"));
    PQclear(exec(c, "DROP TABLE IF EXISTS bench_polygon_homes"));
    PQclear(exec(c,
                 "CREATE TABLE bench_polygon_homes (id text, categories int, devices int, "
                 "home geometry(Point, 4326))"));
    PQclear(exec(c, "COPY bench_polygon_homes FROM STDIN"));
    std::string chunk;
    char line[160];
    for (std::size_t i = 0; i < homes.size(); ++i) {
        const Home& h = homes[i];
        std::snprintf(line,
                      sizeof line,
                      "%s\t%d\t%d\tSRID=4326;POINT(%.9f %.9f)\n",
                      h.id.c_str(),
                      h.attrs.categories,
                      devices[i],
                      h.lon,
                      h.lat);
        chunk += line;
        if (chunk.size() > (1U << 20)) {
            PQputCopyData(c, chunk.data(), static_cast<int>(chunk.size()));
            chunk.clear();
        }
    }
    PQputCopyData(c, chunk.data(), static_cast<int>(chunk.size()));
    PQputCopyEnd(c, nullptr);
    PQclear(PQgetResult(c));
    PQclear(
        exec(c, "CREATE INDEX bench_polygon_homes_home ON bench_polygon_homes USING gist (home)"));
    PQclear(exec(c, "ANALYZE bench_polygon_homes"));
    // ST_Intersects counts the boundary as inside, as the memory index does (ST_Contains would
    // not); its && step uses the GiST index.
    PQclear(PQprepare(c,
                      "polygon",
                      "SELECT id FROM bench_polygon_homes WHERE ST_Intersects(home, "
                      "ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)) AND (categories & $2::int) <> 0 "
                      "AND (devices & $3::int) <> 0 ORDER BY id COLLATE \"C\" LIMIT 1000",
                      3,
                      nullptr));
    std::vector<double> pg_us;
    long differing = 0;
    const std::string categories = std::to_string(filter.any_category);
    const std::string wanted_devices = std::to_string(filter.any_device);
    const auto pg0 = Clock::now();
    for (std::size_t q = 0; q < polygons.size(); ++q) {
        const std::string geojson = polygon_geojson(polygons[q]);
        const char* params[] = {geojson.c_str(), categories.c_str(), wanted_devices.c_str()};
        const auto a = Clock::now();
        PGresult* r = PQexecPrepared(c, "polygon", 3, params, nullptr, nullptr, 0);
        pg_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            std::fprintf(stderr, "polygon: %s\n", PQresultErrorMessage(r));
            std::exit(1);
        }
        std::vector<std::string> ids;
        for (int row = 0; row < PQntuples(r); ++row) {
            ids.emplace_back(PQgetvalue(r, row, 0));
        }
        differing += ids == memory_ids[q] ? 0 : 1;
        PQclear(r);
    }
    const double pg_s = std::chrono::duration<double>(Clock::now() - pg0).count();
    report("postgis polygon + filter", stats(pg_us), hits / kPolygonQueries);
    std::printf("postgis polygon + filter: %.0f queries/s (one connection)\n",
                kPolygonQueries / pg_s);
    std::printf("polygon answers that differ from the memory index: %ld of %d\n",
                differing,
                kPolygonQueries);
    std::printf("polygon + filter throughput, memory / postgis: %.1fx (medians %.1fx)\n",
                pg_s / memory_s,
                stats(pg_us).median_us / stats(memory_us).median_us);
    PQclear(exec(c, "DROP TABLE bench_polygon_homes"));
    PQfinish(c);
}

// --- Clusters (issue 5): one city of N homes, the pyramid/tree against PostGIS GROUP BY ----
// A separate block so other cases can be added beside it. Homes in Bontang's box, clustered
// for the whole city at zoom 12 and for 1280×800 px views at zooms 14, 15 and 16; PostGIS
// answers the same cells with a GROUP BY over the GiST index (same data, same doubles: the
// coordinates go over COPY with 17 digits), and every answer is compared cell by cell.

struct CityHome {
    std::string id;
    double lon;
    double lat;
    kapal::geo::PointAttributes attrs;
};

std::vector<CityHome> make_city(long n, std::uint64_t seed) {
    // Denser in the town centres than at the edges: half uniform over the city's box, half
    // around a few centres (Bontang Utara, Selatan, Barat).
    const double centres[][2] = {{117.495, 0.135}, {117.475, 0.105}, {117.455, 0.145}};
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::normal_distribution<double> g(0.0, 0.012);
    std::vector<CityHome> out;
    out.reserve(static_cast<std::size_t>(n));
    char id[40];
    for (long i = 0; i < n; ++i) {
        CityHome h;
        std::snprintf(id,
                      sizeof id,
                      "0190a5d1-%04lx-7%03lx-8000-%012lx",
                      (i >> 28) & 0xffff,
                      (i >> 16) & 0xfff,
                      i);
        h.id = id;
        if (i % 2 == 0) {
            h.lon = 117.38 + u(rng) * 0.18;
            h.lat = 0.05 + u(rng) * 0.17;
        } else {
            const auto& c = centres[rng() % 3];
            h.lon = c[0] + g(rng);
            h.lat = c[1] + g(rng);
        }
        h.attrs.categories = static_cast<std::uint8_t>(1U << (rng() % 6));
        if (rng() % 8 == 0) {
            h.attrs.categories =
                static_cast<std::uint8_t>(h.attrs.categories | (1U << (rng() % 6)));
        }
        h.attrs.severity = static_cast<std::uint8_t>(rng() % 3);
        h.attrs.status = static_cast<std::uint8_t>(rng() % 10 == 0 ? 1 + rng() % 3 : 0);
        char code[24];
        std::snprintf(code,
                      sizeof code,
                      "64.74.%02d.%04d",
                      1 + static_cast<int>(rng() % 3),
                      1001 + static_cast<int>(rng() % 6));
        h.attrs.area_code = code;
        out.push_back(std::move(h));
    }
    return out;
}

struct ClusterCase {
    std::string name;
    int zoom;
    std::vector<kapal::geo::BBox> views;
};

/// One cluster as both sides give it, for the comparison.
struct CellAnswer {
    std::uint32_t col, row, count;
    std::array<std::uint32_t, 6> categories;
    double lon, lat;
};

std::vector<CellAnswer> from_memory(const std::vector<kapal::geo::Cluster>& clusters) {
    std::vector<CellAnswer> out;
    for (const auto& c : clusters) {
        CellAnswer a{c.cell.col, c.cell.row, c.count, {}, c.centre.lon, c.centre.lat};
        for (std::size_t i = 0; i < 6; ++i) {
            a.categories[i] = c.per_bit[i];
        }
        out.push_back(a);
    }
    return out;
}

bool same_answer(const std::vector<CellAnswer>& a, const std::vector<CellAnswer>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].col != b[i].col || a[i].row != b[i].row || a[i].count != b[i].count ||
            a[i].categories != b[i].categories || std::abs(a[i].lon - b[i].lon) > 1e-6 ||
            std::abs(a[i].lat - b[i].lat) > 1e-6) {
            return false;
        }
    }
    return true;
}

void run_cluster_bench(long n, std::uint64_t seed, const char* conninfo) {
    using namespace kapal::geo;
    const auto homes = make_city(n, seed);
    std::printf("\nclusters: %ld homes in Bontang's box, seed %llu\n",
                n,
                static_cast<unsigned long long>(seed));
    const long before_kib = resident_kib();
    auto t0 = Clock::now();
    PointIndex index;
    index.begin_bulk();
    for (const CityHome& h : homes) {
        index.upsert(h.id, 1, LonLat{h.lon, h.lat}, h.attrs);
    }
    index.end_bulk();
    std::printf("memory index with pyramid: built in %.2f s (bulk, as at start); resident +%.1f "
                "MiB; pyramid depth zoom %d\n",
                std::chrono::duration<double>(Clock::now() - t0).count(),
                (resident_kib() - before_kib) / 1024.0,
                index.cluster_pyramid_depth());

    std::mt19937_64 rng(seed + 7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<ClusterCase> cases;
    cases.push_back({"whole city, zoom 12", 12, {BBox{117.38, 0.05, 117.56, 0.22}}});
    for (int zoom : {14, 15, 16}) {
        // 1280 × 800 px: 5 × 3.125 tiles of 360 / 2^zoom degrees.
        const double tile = 360.0 / std::ldexp(1.0, zoom);
        ClusterCase c{"1280x800 view, zoom " + std::to_string(zoom), zoom, {}};
        for (int i = 0; i < 200; ++i) {
            const double w = 117.40 + u(rng) * (0.14 - 5 * tile);
            const double s = 0.07 + u(rng) * (0.13 - 3.125 * tile);
            c.views.push_back(BBox{w, s, w + 5 * tile, s + 3.125 * tile});
        }
        cases.push_back(c);
    }
    constexpr int kRepeats = 200;
    std::vector<std::vector<std::vector<CellAnswer>>> memory_answers(cases.size());
    std::vector<Stats> memory_stats;
    for (std::size_t ci = 0; ci < cases.size(); ++ci) {
        const ClusterCase& c = cases[ci];
        std::vector<double> us;
        double clusters = 0;
        for (int r = 0; r < kRepeats; ++r) {
            const BBox& v = c.views[static_cast<std::size_t>(r) % c.views.size()];
            const ClusterView view =
                cluster_view(v.min_lon, v.min_lat, v.max_lon, v.max_lat, c.zoom);
            const auto a = Clock::now();
            const auto got = index.clusters(view, {});
            us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
            clusters += static_cast<double>(got.size());
            if (static_cast<std::size_t>(r) < c.views.size()) {
                memory_answers[ci].push_back(from_memory(got));
            }
        }
        memory_stats.push_back(stats(us));
        report(("memory clusters " + c.name).c_str(), memory_stats.back(), clusters / kRepeats);
    }
    if (conninfo == nullptr) {
        return;
    }
    PGconn* c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        std::fprintf(stderr, "connect: %s\n", PQerrorMessage(c));
        std::exit(1);
    }
    PQclear(exec(c, "CREATE EXTENSION IF NOT EXISTS postgis"));
    PQclear(exec(c, "DROP TABLE IF EXISTS bench_city"));
    PQclear(
        exec(c, "CREATE TABLE bench_city (id text, categories int, home geometry(Point, 4326))"));
    t0 = Clock::now();
    PQclear(exec(c, "COPY bench_city FROM STDIN"));
    std::string chunk;
    char line[200];
    for (const CityHome& h : homes) {
        std::snprintf(line,
                      sizeof line,
                      "%s\t%d\tSRID=4326;POINT(%.17g %.17g)\n",
                      h.id.c_str(),
                      h.attrs.categories,
                      h.lon,
                      h.lat);
        chunk += line;
        if (chunk.size() > (1U << 20)) {
            PQputCopyData(c, chunk.data(), static_cast<int>(chunk.size()));
            chunk.clear();
        }
    }
    PQputCopyData(c, chunk.data(), static_cast<int>(chunk.size()));
    PQputCopyEnd(c, nullptr);
    PQclear(PQgetResult(c));
    PQclear(exec(c, "CREATE INDEX bench_city_home ON bench_city USING gist (home)"));
    PQclear(exec(c, "ANALYZE bench_city"));
    std::printf("postgis: loaded and indexed in %.1f s\n",
                std::chrono::duration<double>(Clock::now() - t0).count());
    // The same cells: the envelope of the cells the view touches (the GiST index's part), then
    // the cell of each point by the same arithmetic in float8, grouped.
    PQclear(
        PQprepare(c,
                  "clusters",
                  "SELECT floor((ST_X(home) + 180) * $5::float8)::bigint AS col, "
                  "floor((ST_Y(home) + 90) * $5::float8)::bigint AS row, count(*), "
                  "sum((categories & 1 <> 0)::int), sum((categories & 2 <> 0)::int), "
                  "sum((categories & 4 <> 0)::int), sum((categories & 8 <> 0)::int), "
                  "sum((categories & 16 <> 0)::int), sum((categories & 32 <> 0)::int), "
                  "avg(ST_X(home)), avg(ST_Y(home)), "
                  "CASE WHEN count(*) = 1 THEN min(id) END "
                  "FROM bench_city WHERE home && ST_MakeEnvelope($1::float8, $2::float8, "
                  "$3::float8, $4::float8, 4326) "
                  "AND floor((ST_X(home) + 180) * $5::float8) BETWEEN $6::float8 AND $7::float8 "
                  "AND floor((ST_Y(home) + 90) * $5::float8) BETWEEN $8::float8 AND $9::float8 "
                  "GROUP BY 1, 2 ORDER BY 1, 2",
                  9,
                  nullptr));
    for (std::size_t ci = 0; ci < cases.size(); ++ci) {
        const ClusterCase& cc = cases[ci];
        std::vector<double> us;
        double clusters = 0;
        long differing = 0;
        long compared = 0;
        // PostGIS takes up to seconds a question here: fewer repeats (medians of 20 and 60).
        const int repeats = cc.views.size() == 1 ? 20 : 60;
        for (int r = 0; r < repeats; ++r) {
            const BBox& v = cc.views[static_cast<std::size_t>(r) % cc.views.size()];
            const ClusterView view =
                cluster_view(v.min_lon, v.min_lat, v.max_lon, v.max_lat, cc.zoom);
            const CellRange& range = view.ranges[0];
            const BBox lo = cell_box({range.col0, range.row0}, cc.zoom);
            const BBox hi = cell_box({range.col1, range.row1}, cc.zoom);
            const double margin = cluster_cell_deg(cc.zoom) * 1e-6;
            char p[9][40];
            std::snprintf(p[0], 40, "%.17g", lo.min_lon - margin);
            std::snprintf(p[1], 40, "%.17g", lo.min_lat - margin);
            std::snprintf(p[2], 40, "%.17g", hi.max_lon + margin);
            std::snprintf(p[3], 40, "%.17g", hi.max_lat + margin);
            std::snprintf(p[4], 40, "%.17g", std::ldexp(1.0, cc.zoom + 2) / 360.0);
            std::snprintf(p[5], 40, "%u", range.col0);
            std::snprintf(p[6], 40, "%u", range.col1);
            std::snprintf(p[7], 40, "%u", range.row0);
            std::snprintf(p[8], 40, "%u", range.row1);
            const char* params[] = {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]};
            const auto a = Clock::now();
            PGresult* res = PQexecPrepared(c, "clusters", 9, params, nullptr, nullptr, 0);
            us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
            if (PQresultStatus(res) != PGRES_TUPLES_OK) {
                std::fprintf(stderr, "clusters: %s\n", PQresultErrorMessage(res));
                std::exit(1);
            }
            clusters += PQntuples(res);
            if (static_cast<std::size_t>(r) < cc.views.size()) {
                ++compared;
                std::vector<CellAnswer> pg;
                for (int row = 0; row < PQntuples(res); ++row) {
                    CellAnswer x{};
                    x.col = static_cast<std::uint32_t>(std::atoll(PQgetvalue(res, row, 0)));
                    x.row = static_cast<std::uint32_t>(std::atoll(PQgetvalue(res, row, 1)));
                    x.count = static_cast<std::uint32_t>(std::atoll(PQgetvalue(res, row, 2)));
                    for (int k = 0; k < 6; ++k) {
                        x.categories[static_cast<std::size_t>(k)] =
                            static_cast<std::uint32_t>(std::atoll(PQgetvalue(res, row, 3 + k)));
                    }
                    x.lon = std::atof(PQgetvalue(res, row, 9));
                    x.lat = std::atof(PQgetvalue(res, row, 10));
                    pg.push_back(x);
                }
                differing +=
                    same_answer(memory_answers[ci][static_cast<std::size_t>(r)], pg) ? 0 : 1;
            }
            PQclear(res);
        }
        const Stats pg_stats = stats(us);
        report(("postgis clusters " + cc.name).c_str(), pg_stats, clusters / repeats);
        std::printf("  %s: ratio of medians %.1fx; answers that differ: %ld of %ld\n",
                    cc.name.c_str(),
                    pg_stats.median_us / memory_stats[ci].median_us,
                    differing,
                    compared);
    }
    PQclear(exec(c, "DROP TABLE bench_city"));
    PQfinish(c);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s N SEED [CONNINFO]\n", argv[0]);
        return 2;
    }
    const long n = std::atol(argv[1]);
    const auto seed = static_cast<std::uint64_t>(std::atoll(argv[2]));
    const auto homes = make_homes(n, seed);
    std::mt19937_64 rng(seed + 1);
    std::vector<std::size_t> probes;
    for (int q = 0; q < kQueries; ++q) {
        probes.push_back(static_cast<std::size_t>(rng() % homes.size()));
    }
    std::printf("bench/spatial: %ld homes, seed %llu, %d queries each\n",
                n,
                static_cast<unsigned long long>(seed),
                kQueries);

    // --- in memory
    const long before_kib = resident_kib();
    const auto t0 = Clock::now();
    kapal::geo::PointIndex index;
    // In bulk, as `kapal serve` loads the index at start (a packed tree).
    index.begin_bulk();
    for (const Home& h : homes) {
        index.upsert(h.id, 1, kapal::geo::LonLat{h.lon, h.lat}, h.attrs);
    }
    index.end_bulk();
    const double build_s = std::chrono::duration<double>(Clock::now() - t0).count();
    const long grown_kib = resident_kib() - before_kib;
    std::printf("memory index: built in %.2f s; resident +%.1f MiB (%.0f bytes/person); "
                "estimate %.1f MiB\n",
                build_s,
                grown_kib / 1024.0,
                grown_kib * 1024.0 / static_cast<double>(n),
                static_cast<double>(index.memory_bytes()) / (1024.0 * 1024.0));
    std::vector<double> radius_us;
    std::vector<double> knn_us;
    double radius_hits = 0;
    double knn_hits = 0;
    std::vector<std::size_t> memory_counts;
    for (std::size_t p : probes) {
        const kapal::geo::LonLat c{homes[p].lon, homes[p].lat};
        auto a = Clock::now();
        const auto r = index.within(c, kRadiusM, {}, 1000);
        radius_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
        radius_hits += static_cast<double>(r.size());
        memory_counts.push_back(r.size());
        a = Clock::now();
        const auto k = index.nearest(c, 10, {});
        knn_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
        knn_hits += static_cast<double>(k.size());
    }
    report("memory radius 500 m", stats(radius_us), radius_hits / kQueries);
    report("memory k-nearest 10", stats(knn_us), knn_hits / kQueries);

    polygon_case(homes, seed, argc >= 4 ? argv[3] : nullptr);

    if (argc < 4) {
        run_cluster_bench(n, seed, nullptr);
        return 0;
    }
    // --- PostGIS
    PGconn* c = PQconnectdb(argv[3]);
    if (PQstatus(c) != CONNECTION_OK) {
        std::fprintf(stderr, "connect: %s\n", PQerrorMessage(c));
        return 1;
    }
    PQclear(exec(c, "CREATE EXTENSION IF NOT EXISTS postgis"));
    PQclear(exec(c, "DROP TABLE IF EXISTS bench_homes"));
    PQclear(exec(c,
                 "CREATE TABLE bench_homes (id text, categories int, kelurahan text, "
                 "home geometry(Point, 4326))"));
    auto t1 = Clock::now();
    PQclear(exec(c, "COPY bench_homes FROM STDIN"));
    std::string chunk;
    char line[160];
    for (const Home& h : homes) {
        std::snprintf(line,
                      sizeof line,
                      "%s\t%d\t%s\tSRID=4326;POINT(%.9f %.9f)\n",
                      h.id.c_str(),
                      h.attrs.categories,
                      h.attrs.area_code.c_str(),
                      h.lon,
                      h.lat);
        chunk += line;
        if (chunk.size() > (1U << 20)) {
            PQputCopyData(c, chunk.data(), static_cast<int>(chunk.size()));
            chunk.clear();
        }
    }
    PQputCopyData(c, chunk.data(), static_cast<int>(chunk.size()));
    PQputCopyEnd(c, nullptr);
    PQclear(PQgetResult(c));
    const double load_s = std::chrono::duration<double>(Clock::now() - t1).count();
    t1 = Clock::now();
    PQclear(exec(c, "CREATE INDEX bench_homes_home ON bench_homes USING gist (home)"));
    PQclear(exec(c, "ANALYZE bench_homes"));
    const double index_s = std::chrono::duration<double>(Clock::now() - t1).count();
    PGresult* size = exec(c,
                          "SELECT pg_total_relation_size('bench_homes'), "
                          "pg_relation_size('bench_homes_home')");
    std::printf("postgis: COPY %.1f s, GiST index %.1f s; table+index %.1f MiB (GiST %.1f MiB)\n",
                load_s,
                index_s,
                std::atof(PQgetvalue(size, 0, 0)) / 1048576.0,
                std::atof(PQgetvalue(size, 0, 1)) / 1048576.0);
    PQclear(size);
    // The radius query as kapal would ask it: a box the GiST index can use, then the exact
    // distance on the sphere (as the memory index does).
    PQclear(PQprepare(c,
                      "radius",
                      "SELECT id FROM bench_homes WHERE home && ST_Expand(ST_SetSRID(ST_MakePoint("
                      "$1::float8, $2::float8), 4326), 0.005) AND ST_DWithin(home::geography, "
                      "ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography, 500, "
                      "false) LIMIT 1000",
                      2,
                      nullptr));
    PQclear(PQprepare(c,
                      "knn",
                      "SELECT id FROM bench_homes ORDER BY home <-> ST_SetSRID(ST_MakePoint("
                      "$1::float8, $2::float8), 4326) LIMIT 10",
                      2,
                      nullptr));
    std::vector<double> pg_radius;
    std::vector<double> pg_knn;
    double pg_radius_hits = 0;
    double pg_knn_hits = 0;
    long differing = 0;
    for (std::size_t i = 0; i < probes.size(); ++i) {
        const Home& h = homes[probes[i]];
        char lon[32];
        char lat[32];
        std::snprintf(lon, sizeof lon, "%.9f", h.lon);
        std::snprintf(lat, sizeof lat, "%.9f", h.lat);
        const char* params[] = {lon, lat};
        auto a = Clock::now();
        PGresult* r = PQexecPrepared(c, "radius", 2, params, nullptr, nullptr, 0);
        pg_radius.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
        pg_radius_hits += PQntuples(r);
        if (static_cast<std::size_t>(PQntuples(r)) != memory_counts[i]) {
            ++differing;
        }
        PQclear(r);
        a = Clock::now();
        r = PQexecPrepared(c, "knn", 2, params, nullptr, nullptr, 0);
        pg_knn.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
        pg_knn_hits += PQntuples(r);
        PQclear(r);
    }
    report("postgis radius 500 m", stats(pg_radius), pg_radius_hits / kQueries);
    report("postgis k-nearest 10", stats(pg_knn), pg_knn_hits / kQueries);
    std::printf("radius answers that differ in count (sphere vs spheroid at the edge): %ld of %d\n",
                differing,
                kQueries);
    PQclear(exec(c, "DROP TABLE bench_homes"));
    PQfinish(c);
    run_cluster_bench(n, seed, argv[3]);
    return 0;
}
