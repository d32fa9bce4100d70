// bench/national: the registry at national scale, through the Store interface the program uses.
//
//   kapal_bench_national --store LOCATION --persons N [--seed S] [--queries Q] [--check]
//
// LOCATION is sqlite:FILE (a new file) or a postgresql:// URI of an empty database (the store
// migrates it). N synthetic persons spread over Indonesia (34 provinces, 10 kabupaten each,
// 10 kecamatan each, 20 kelurahan each; homes in each province's box) are loaded in batches of
// 25,000 with prepare_import/import_prepared — on PostgreSQL with the secondary indexes dropped
// first and built again after the load (their definitions read from pg_indexes, so the store's
// migration stays the only place that defines them). Then Q of each query, reporting median
// and p99:
//   - NIK lookup: Store::find_person_by_nik of a random loaded person (blind index, decrypt);
//   - radius 1 km and 10 nearest around a random home: the in-memory point index
//     (service::PersonIndex, loaded from the change feed: its load time and memory are
//     reported too) and, on PostgreSQL, the same questions to PostGIS;
//   - an area aggregate: persons per kelurahan and category in one kabupaten, in SQL.
// --check compares every answer with what the generator made (NIK → the same person; radius
// and nearest → a brute force over all homes; aggregate → counted while generating) and exits
// 1 on any difference: CI runs it on 10,000 persons on both backends.

#include "kapal/core/ids.hpp"
#include "kapal/geo/geometry.hpp"
#include "kapal/service/person_index.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/postgres/postgres_store.hpp"
#include "kapal/store/sqlite/sqlite_store.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using kapal::geo::LonLat;

constexpr int kProvinces = 34;
constexpr int kKabupaten = 10;
constexpr int kKecamatan = 10;
constexpr int kKelurahan = 20;
constexpr std::size_t kBatch = 25000;

/// Province boxes (lon0, lat0, lon1, lat1), cycled over the 34 provinces.
constexpr double kBoxes[][4] = {{95.0, 2.0, 98.5, 5.5},
                                {97.5, 0.0, 100.5, 3.5},
                                {99.0, -3.0, 101.5, 0.5},
                                {101.5, -2.0, 104.5, 1.5},
                                {102.0, -5.0, 106.0, -2.0},
                                {105.5, -7.5, 108.5, -6.0},
                                {108.5, -7.8, 111.5, -6.5},
                                {111.5, -8.5, 114.5, -6.8},
                                {108.5, -3.0, 112.0, 1.5},
                                {113.0, -3.5, 116.5, 1.0},
                                {115.5, -2.5, 118.5, 2.5},
                                {119.0, -5.5, 121.0, -1.0},
                                {120.0, -1.5, 124.5, 1.5},
                                {115.0, -9.0, 119.0, -8.2},
                                {119.0, -10.5, 125.0, -8.2}};

struct Generated {
    std::vector<double> lon;
    std::vector<double> lat;
    std::vector<std::uint32_t> area; // kelurahan index
    std::vector<std::uint8_t> category;
};

std::string area_code(std::uint32_t a) {
    const int kel = static_cast<int>(a % kKelurahan);
    const int kec = static_cast<int>(a / kKelurahan % kKecamatan);
    const int kab = static_cast<int>(a / (kKelurahan * kKecamatan) % kKabupaten);
    const int prov = static_cast<int>(a / (kKelurahan * kKecamatan * kKabupaten));
    char out[24];
    std::snprintf(out, sizeof out, "%02d.%02d.%02d.%04d", 11 + prov, kab + 1, kec + 1, 1001 + kel);
    return out;
}

std::string nik_of(long i) {
    char out[24];
    std::snprintf(out, sizeof out, "9%015ld", i);
    return out;
}

kapal::core::Person person_of(long i, const Generated& g) {
    kapal::core::Person p;
    p.nik = nik_of(i);
    p.full_name = "Warga " + std::to_string(i);
    p.sex = i % 2 == 0 ? kapal::core::Sex::Female : kapal::core::Sex::Male;
    p.birth_date = kapal::core::make_date(1950 + static_cast<int>(i % 60),
                                          1 + static_cast<int>(i % 12),
                                          1 + static_cast<int>(i % 28));
    p.address.street = "Jl. Contoh No. " + std::to_string(i % 200 + 1);
    p.address.rt = "001";
    p.address.rw = "01";
    p.address.kelurahan_code = area_code(g.area[static_cast<std::size_t>(i)]);
    p.home = kapal::core::HomeLocation{g.lon[static_cast<std::size_t>(i)],
                                       g.lat[static_cast<std::size_t>(i)],
                                       10.0,
                                       kapal::core::LocationSource::Gps};
    p.categories = {static_cast<kapal::core::Category>(g.category[static_cast<std::size_t>(i)])};
    p.severity = static_cast<kapal::core::DisabilitySeverity>(i % 3);
    return p;
}

Generated generate(long n, std::uint64_t seed) {
    Generated g;
    g.lon.resize(static_cast<std::size_t>(n));
    g.lat.resize(static_cast<std::size_t>(n));
    g.area.resize(static_cast<std::size_t>(n));
    g.category.resize(static_cast<std::size_t>(n));
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
        const auto prov = static_cast<std::uint32_t>(rng() % kProvinces);
        const double* box = kBoxes[prov % (sizeof kBoxes / sizeof kBoxes[0])];
        g.lon[i] = box[0] + u(rng) * (box[2] - box[0]);
        g.lat[i] = box[1] + u(rng) * (box[3] - box[1]);
        g.area[i] = prov * kKabupaten * kKecamatan * kKelurahan +
                    static_cast<std::uint32_t>(rng() % (kKabupaten * kKecamatan * kKelurahan));
        g.category[i] = static_cast<std::uint8_t>(rng() % 6);
    }
    return g;
}

struct Stats {
    double median_us = 0;
    double p99_us = 0;
};

Stats stats(std::vector<double> us) {
    std::sort(us.begin(), us.end());
    return {us[us.size() / 2], us[std::min(us.size() - 1, us.size() * 99 / 100)]};
}

void report(const char* what, const std::vector<double>& us) {
    const Stats s = stats(us);
    std::printf("  %-30s median %10.1f us   p99 %10.1f us\n", what, s.median_us, s.p99_us);
}

long resident_kib() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

int failures = 0;

void expect(bool ok, const std::string& what) {
    if (!ok) {
        ++failures;
        if (failures <= 20) {
            std::fprintf(stderr, "CHECK FAILED: %s\n", what.c_str());
        }
    }
}

/// Raw SQL on the same database, for what the Store interface does not offer (index DDL, the
/// area aggregate, PostGIS queries).
class Sql {
  public:
    virtual ~Sql() = default;
    /// Rows of the first two columns (text) of a query with up to two text parameters.
    virtual std::vector<std::pair<std::string, std::string>>
    rows(const std::string& sql, const std::vector<std::string>& params) = 0;
    virtual void exec(const std::string& sql) = 0;
};

class PgSql final : public Sql {
  public:
    explicit PgSql(const std::string& conninfo)
        : c_(PQconnectdb(conninfo.c_str())) {
        if (PQstatus(c_) != CONNECTION_OK) {
            std::fprintf(stderr, "connect: %s\n", PQerrorMessage(c_));
            std::exit(2);
        }
    }

    ~PgSql() override { PQfinish(c_); }

    PgSql(const PgSql&) = delete;
    PgSql& operator=(const PgSql&) = delete;

    std::vector<std::pair<std::string, std::string>>
    rows(const std::string& sql, const std::vector<std::string>& params) override {
        std::vector<const char*> values;
        for (const auto& p : params) {
            values.push_back(p.c_str());
        }
        PGresult* r = PQexecParams(c_,
                                   sql.c_str(),
                                   static_cast<int>(values.size()),
                                   nullptr,
                                   values.data(),
                                   nullptr,
                                   nullptr,
                                   0);
        check(r, sql);
        std::vector<std::pair<std::string, std::string>> out;
        for (int i = 0; i < PQntuples(r); ++i) {
            out.emplace_back(PQgetvalue(r, i, 0), PQnfields(r) > 1 ? PQgetvalue(r, i, 1) : "");
        }
        PQclear(r);
        return out;
    }

    void exec(const std::string& sql) override {
        PGresult* r = PQexec(c_, sql.c_str());
        check(r, sql);
        PQclear(r);
    }

  private:
    static void check(PGresult* r, const std::string& sql) {
        const auto st = PQresultStatus(r);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            std::fprintf(stderr, "%s: %s\n", sql.c_str(), PQresultErrorMessage(r));
            std::exit(2);
        }
    }

    PGconn* c_;
};

class LiteSql final : public Sql {
  public:
    explicit LiteSql(const std::string& file) {
        if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
            std::fprintf(stderr, "open %s: %s\n", file.c_str(), sqlite3_errmsg(db_));
            std::exit(2);
        }
    }

    ~LiteSql() override { sqlite3_close(db_); }

    LiteSql(const LiteSql&) = delete;
    LiteSql& operator=(const LiteSql&) = delete;

    std::vector<std::pair<std::string, std::string>>
    rows(const std::string& sql, const std::vector<std::string>& params) override {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
            std::fprintf(stderr, "%s: %s\n", sql.c_str(), sqlite3_errmsg(db_));
            std::exit(2);
        }
        for (std::size_t i = 0; i < params.size(); ++i) {
            sqlite3_bind_text(st, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
        }
        std::vector<std::pair<std::string, std::string>> out;
        while (sqlite3_step(st) == SQLITE_ROW) {
            const auto* a = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
            const auto* b = sqlite3_column_count(st) > 1
                                ? reinterpret_cast<const char*>(sqlite3_column_text(st, 1))
                                : nullptr;
            out.emplace_back(a != nullptr ? a : "", b != nullptr ? b : "");
        }
        sqlite3_finalize(st);
        return out;
    }

    void exec(const std::string& sql) override { rows(sql, {}); }

  private:
    sqlite3* db_ = nullptr;
};

} // namespace

int main(int argc, char** argv) {
    std::string location;
    long n = 10000;
    std::uint64_t seed = 42;
    int queries = 1000;
    bool check = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&] {
            return i + 1 < argc ? std::string(argv[++i]) : std::string();
        };
        if (a == "--store") {
            location = value();
        } else if (a == "--persons") {
            n = std::atol(value().c_str());
        } else if (a == "--seed") {
            seed = std::strtoull(value().c_str(), nullptr, 10);
        } else if (a == "--queries") {
            queries = std::atoi(value().c_str());
        } else if (a == "--check") {
            check = true;
        } else {
            std::fprintf(stderr, "unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    if (location.empty() || n < 100 || queries < 10) {
        std::fprintf(stderr,
                     "usage: %s --store sqlite:FILE|postgresql://... --persons N (>= 100) "
                     "[--seed S] [--queries Q] [--check]\n",
                     argv[0]);
        return 2;
    }
    const bool pg = location.rfind("postgresql://", 0) == 0;
    const auto keys = kapal::store::generate_store_keys();
    auto opened = pg ? kapal::store::open_postgres_store(location, keys)
                     : kapal::store::open_sqlite_store(
                           location.substr(location.find(':') + 1), keys, {4, false, 5000});
    if (!opened) {
        std::fprintf(stderr, "open %s: %s\n", location.c_str(), opened.error().message.c_str());
        return 2;
    }
    kapal::store::Store& store = **opened;
    if (store.info().persons != 0) {
        std::fprintf(stderr, "the store is not empty: give a new file or an empty database\n");
        return 2;
    }
    std::unique_ptr<Sql> sql;
    if (pg) {
        sql = std::make_unique<PgSql>(location);
    } else {
        sql = std::make_unique<LiteSql>(location.substr(location.find(':') + 1));
    }
    std::printf("bench/national: %ld persons on %s, seed %llu, %d queries each, %ld cores\n",
                n,
                pg ? "postgresql" : "sqlite",
                static_cast<unsigned long long>(seed),
                queries,
                sysconf(_SC_NPROCESSORS_ONLN));

    const Generated g = generate(n, seed);

    // --- load
    std::vector<std::pair<std::string, std::string>> deferred;
    if (pg) {
        deferred = sql->rows("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = "
                             "'persons' AND indexname IN ('persons_home', 'persons_name_trgm', "
                             "'persons_kelurahan', 'persons_kecamatan', 'persons_status')",
                             {});
        for (const auto& [name, def] : deferred) {
            sql->exec("DROP INDEX " + name);
        }
    }
    kapal::core::IdGenerator ids(seed);
    const auto load_start = Clock::now();
    const kapal::store::WriteContext ctx{"bench:national", "cli", {}, "bench"};
    for (long from = 0; from < n; from += static_cast<long>(kBatch)) {
        const long to = std::min(n, from + static_cast<long>(kBatch));
        std::vector<kapal::store::ImportItem> items;
        std::vector<kapal::core::PersonId> new_ids;
        items.reserve(static_cast<std::size_t>(to - from));
        for (long i = from; i < to; ++i) {
            kapal::core::Person p = person_of(i, g);
            const std::string kec = kapal::core::kecamatan_of(p.address.kelurahan_code);
            items.push_back({std::move(p), kec, false});
            new_ids.emplace_back(ids.next(kapal::core::from_unix_ms(1'767'225'600'000)));
        }
        auto done = store.import_persons(items, new_ids, ctx);
        if (!done) {
            std::fprintf(stderr, "import: %s\n", done.error().message.c_str());
            return 2;
        }
        if ((to / static_cast<long>(kBatch)) % 40 == 0 || to == n) {
            std::fprintf(stderr, "  loaded %ld of %ld (%.0f s)\n", to, n, since(load_start));
        }
    }
    const double load_s = since(load_start);
    const auto index_start = Clock::now();
    for (const auto& [name, def] : deferred) {
        sql->exec(def);
    }
    if (pg) {
        sql->exec("ANALYZE persons");
    }
    const double index_s = since(index_start);
    std::printf("load: %.1f s (%.0f persons/s)%s\n",
                load_s,
                static_cast<double>(n) / load_s,
                pg ? "" : "; SQLite keeps its indexes during the load");
    if (pg) {
        std::printf("indexes built after the load: %zu in %.1f s\n", deferred.size(), index_s);
        const auto size = sql->rows("SELECT pg_size_pretty(pg_total_relation_size('persons')), "
                                    "pg_size_pretty(pg_database_size(current_database()))",
                                    {});
        std::printf("size: persons with indexes %s; database %s\n",
                    size[0].first.c_str(),
                    size[0].second.c_str());
    }

    // --- the point index, as `kapal serve` loads it
    const long rss_before = resident_kib();
    kapal::service::PersonIndex index(store);
    const auto feed_start = Clock::now();
    auto loaded = index.catch_up();
    if (!loaded) {
        std::fprintf(stderr, "point index: %s\n", loaded.error().message.c_str());
        return 2;
    }
    const auto grown_kib = static_cast<double>(resident_kib() - rss_before);
    std::printf("point index: %zu persons loaded from the change feed in %.1f s; resident "
                "+%.0f MiB (%.0f bytes/person); its own estimate %.0f MiB\n",
                *loaded,
                since(feed_start),
                grown_kib / 1024.0,
                grown_kib * 1024.0 / static_cast<double>(n),
                static_cast<double>(index.memory_bytes()) / 1048576.0);
    expect(*loaded == static_cast<std::size_t>(n), "the point index holds every person");

    std::mt19937_64 rng(seed + 7);
    std::vector<long> probes;
    for (int q = 0; q < queries; ++q) {
        probes.push_back(static_cast<long>(rng() % static_cast<std::uint64_t>(n)));
    }

    // --- NIK lookups
    std::vector<double> nik_us;
    for (long i : probes) {
        const auto t = Clock::now();
        auto found = store.find_person_by_nik(nik_of(i));
        nik_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
        expect(found && *found && (*found)->person.full_name == "Warga " + std::to_string(i),
               "NIK lookup of person " + std::to_string(i));
    }
    std::printf("queries:\n");
    report("NIK lookup (store)", nik_us);

    // --- radius and nearest, in memory
    const auto brute_radius = [&](LonLat c, double r) {
        std::size_t count = 0;
        for (std::size_t j = 0; j < g.lon.size(); ++j) {
            count += kapal::geo::haversine_m(c, LonLat{g.lon[j], g.lat[j]}) <= r ? 1 : 0;
        }
        return count;
    };
    std::vector<double> radius_us;
    std::vector<double> knn_us;
    std::vector<std::size_t> radius_counts;
    const int checked = check ? std::min(queries, 50) : 0;
    for (int q = 0; q < queries; ++q) {
        const auto i = static_cast<std::size_t>(probes[static_cast<std::size_t>(q)]);
        const LonLat c{g.lon[i], g.lat[i]};
        auto t = Clock::now();
        const auto within = index.within(c, 1000, {}, 100000);
        radius_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
        radius_counts.push_back(within.size());
        t = Clock::now();
        const auto nearest = index.nearest(c, 10, {});
        knn_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
        if (q < checked) {
            expect(within.size() == brute_radius(c, 1000),
                   "radius count at probe " + std::to_string(q));
            std::vector<double> all;
            for (std::size_t j = 0; j < g.lon.size(); ++j) {
                all.push_back(kapal::geo::haversine_m(c, LonLat{g.lon[j], g.lat[j]}));
            }
            std::nth_element(all.begin(), all.begin() + 9, all.end());
            const double tenth = *std::max_element(all.begin(), all.begin() + 10);
            expect(nearest.size() == 10 && std::abs(nearest.back().distance_m - tenth) < 1e-6,
                   "10th nearest distance at probe " + std::to_string(q));
        }
    }
    report("radius 1 km (memory index)", radius_us);
    report("10 nearest (memory index)", knn_us);

    // --- the same on PostGIS
    if (pg) {
        std::vector<double> pg_radius_us;
        std::vector<double> pg_knn_us;
        for (int q = 0; q < queries; ++q) {
            const auto i = static_cast<std::size_t>(probes[static_cast<std::size_t>(q)]);
            char lon[32];
            char lat[32];
            std::snprintf(lon, sizeof lon, "%.12f", g.lon[i]);
            std::snprintf(lat, sizeof lat, "%.12f", g.lat[i]);
            auto t = Clock::now();
            const auto rows = sql->rows(
                "SELECT count(*) FROM persons WHERE home && ST_Expand(ST_SetSRID(ST_MakePoint("
                "$1::float8, $2::float8), 4326), 0.0095) AND ST_DWithin(home::geography, "
                "ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography, 1000, false)",
                {lon, lat});
            pg_radius_us.push_back(
                std::chrono::duration<double, std::micro>(Clock::now() - t).count());
            t = Clock::now();
            const auto knn = sql->rows("SELECT id FROM persons ORDER BY home <-> ST_SetSRID("
                                       "ST_MakePoint($1::float8, $2::float8), 4326) LIMIT 10",
                                       {lon, lat});
            pg_knn_us.push_back(
                std::chrono::duration<double, std::micro>(Clock::now() - t).count());
            expect(knn.size() == 10, "PostGIS nearest answers 10");
            if (q < checked) {
                // The sphere (ours) and PostGIS's sphere agree but for points within rounding of
                // the edge: allow one either way.
                const auto ours = static_cast<long>(radius_counts[static_cast<std::size_t>(q)]);
                expect(std::labs(std::atol(rows[0].first.c_str()) - ours) <= 1,
                       "PostGIS radius count at probe " + std::to_string(q));
            }
        }
        report("radius 1 km (PostGIS)", pg_radius_us);
        report("10 nearest (PostGIS)", pg_knn_us);
    }

    // --- area aggregate: persons per kelurahan and category in one kabupaten
    std::vector<double> agg_us;
    const std::string agg_sql =
        std::string("SELECT kelurahan_code || '/' || categories, count(*) FROM persons WHERE "
                    "kelurahan_code >= ") +
        (pg ? "$1" : "?1") + " AND kelurahan_code < " + (pg ? "$2" : "?2") +
        " GROUP BY kelurahan_code, categories";
    for (int q = 0; q < std::max(10, queries / 10); ++q) {
        const auto kab = static_cast<std::uint32_t>(rng() % (kProvinces * kKabupaten));
        const std::string code = area_code(kab * kKecamatan * kKelurahan).substr(0, 5);
        const std::string next = code + "/"; // '/' sorts right after '.'
        const auto t = Clock::now();
        const auto rows = sql->rows(agg_sql, {code + ".", next});
        agg_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
        if (check && q < 10) {
            std::map<std::string, long> expected;
            for (std::size_t j = 0; j < g.area.size(); ++j) {
                if (g.area[j] / (kKecamatan * kKelurahan) == kab) {
                    expected[area_code(g.area[j]) + "/" + std::to_string(1 << g.category[j])] += 1;
                }
            }
            std::map<std::string, long> got;
            for (const auto& [key, count] : rows) {
                got[key] = std::atol(count.c_str());
            }
            expect(got == expected, "area aggregate of kabupaten " + code);
        }
    }
    report("area aggregate (one kabupaten)", agg_us);
    if (check) {
        std::printf(
            "check: %s (%d failures)\n", failures == 0 ? "every answer right" : "FAILED", failures);
    }
    return failures == 0 ? 0 : 1;
}
