#include "kapal/service/facility_service.hpp"

#include "kapal/core/text.hpp"
#include "kapal/core/time.hpp"
#include "kapal/io/csv_writer.hpp"
#include "kapal/io/vector_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

namespace kapal::service {
namespace {

const std::map<std::string, std::string, std::less<>>& facility_aliases() {
    static const std::map<std::string, std::string, std::less<>> aliases = {
        {"pkm", "puskesmas"},
        {"pusat_kesehatan_masyarakat", "puskesmas"},
        {"health_centre", "puskesmas"},
        {"health_center", "puskesmas"},
        {"puskesmas_pembantu", "pustu"},
        {"rs", "rumah_sakit"},
        {"rsud", "rumah_sakit"},
        {"rsu", "rumah_sakit"},
        {"hospital", "rumah_sakit"},
        {"sekolah_luar_biasa", "slb"},
        {"special_school", "slb"},
        {"kantor_lurah", "kantor_kelurahan"},
        {"kelurahan", "kantor_kelurahan"},
        {"kantor_camat", "kantor_kecamatan"},
        {"kecamatan", "kantor_kecamatan"},
        {"dinsos", "dinas_sosial"},
        {"kantor_dinas_sosial", "dinas_sosial"},
    };
    return aliases;
}

Error unknown_kind(const std::string& kind) {
    return Error{ErrorCode::ValidationFailed,
                 "unknown facility kind \"" + kind + "\"",
                 {{"kind", ErrorCode::InvalidArgument, "unknown facility kind"}}};
}

/// A position from lon/lat attributes (a CSV file, where GDAL finds no geometry), or nullopt.
std::optional<geo::LonLat> position_from_fields(const io::ReadFeature& f) {
    const std::string lon_text = f.first_of({}, {"lon", "lng", "longitude", "bujur", "x"});
    const std::string lat_text = f.first_of({}, {"lat", "latitude", "lintang", "y"});
    if (lon_text.empty() || lat_text.empty()) {
        return std::nullopt;
    }
    char* end = nullptr;
    const double lon = std::strtod(lon_text.c_str(), &end);
    if (end != lon_text.c_str() + lon_text.size()) {
        return std::nullopt;
    }
    const double lat = std::strtod(lat_text.c_str(), &end);
    if (end != lat_text.c_str() + lat_text.size() || !std::isfinite(lon) || !std::isfinite(lat) ||
        std::abs(lon) > 180 || std::abs(lat) > 90) {
        return std::nullopt;
    }
    return geo::LonLat{lon, lat};
}

std::string number(double v, const char* format) {
    char buf[32];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

} // namespace

std::optional<std::string> parse_facility_kind(std::string_view text) {
    const std::string key = core::label_key(text);
    for (const auto k : kFacilityKinds) {
        if (key == k) {
            return std::string(k);
        }
    }
    const auto& aliases = facility_aliases();
    if (const auto it = aliases.find(key); it != aliases.end()) {
        return it->second;
    }
    return std::nullopt;
}

std::optional<NearestFacility> nearest_facility(
    const std::vector<store::FacilityRecord>& facilities, geo::LonLat at, std::string_view kind) {
    std::optional<NearestFacility> best;
    for (const auto& f : facilities) {
        if (!kind.empty() && f.kind != kind) {
            continue;
        }
        const double d = geo::haversine_m(at, geo::LonLat{f.lon, f.lat});
        if (!best || d < best->distance_m) {
            best = NearestFacility{f, d};
        }
    }
    return best;
}

FacilityService::FacilityService(store::Store& store,
                                 PersonService& persons,
                                 const core::Clock& clock,
                                 core::IdGenerator& ids)
    : store_(store)
    , persons_(persons)
    , clock_(clock)
    , ids_(ids) {}

Result<FacilityImportReport>
FacilityService::import_facilities(const FacilityImportOptions& options, const Actor& actor) {
    std::optional<std::string> default_kind;
    if (!options.kind.empty()) {
        default_kind = parse_facility_kind(options.kind);
        if (!default_kind) {
            return fail(unknown_kind(options.kind));
        }
    }
    auto layer = io::read_vector_layer(options.file, options.layer);
    if (!layer) {
        return fail(std::move(layer).error());
    }
    const auto now = clock_.now();
    std::string file_name = options.file;
    if (const auto slash = file_name.find_last_of('/'); slash != std::string::npos) {
        file_name = file_name.substr(slash + 1);
    }
    if (!options.source_name.empty()) {
        // A single-layer file (GeoJSON, KML, Shapefile) names its layer after the file.
        if (layer->name == file_name.substr(0, file_name.find('.'))) {
            layer->name = options.source_name.substr(0, options.source_name.find('.'));
        }
        file_name = options.source_name;
    }
    const geo::AreaIndex* kelurahan = persons_.reference().kelurahan.get();
    FacilityImportReport report;
    report.layer = layer->name;
    for (const io::ReadFeature& f : layer->features) {
        const auto reject = [&](std::string message) {
            report.rejected.push_back({f.number, std::move(message)});
        };
        const auto* point = std::get_if<geo::LonLat>(&f.geometry);
        std::optional<geo::LonLat> from_fields;
        if (std::holds_alternative<std::monostate>(f.geometry)) {
            from_fields = position_from_fields(f);
            point = from_fields ? &*from_fields : nullptr;
        }
        if (point == nullptr) {
            reject(!f.geometry_problem.empty() ? f.geometry_problem
                                               : "a facility is a point: a polygon is not one");
            continue;
        }
        const std::string kind_text = f.first_of(
            options.kind_field, {"jenis", "kind", "tipe", "type", "kategori", "jenis_faskes"});
        std::optional<std::string> kind = default_kind;
        if (!kind_text.empty()) {
            kind = parse_facility_kind(kind_text);
            if (!kind) {
                reject("unknown facility kind \"" + kind_text + "\"");
                continue;
            }
        }
        if (!kind) {
            reject("no facility kind: give it with --kind or in a field (jenis, kind, tipe)");
            continue;
        }
        store::FacilityRecord r;
        r.id = ids_.next(now);
        r.kind = *kind;
        r.name = f.first_of(options.name_field, {"nama", "name", "namobj", "nama_faskes"});
        if (r.name.empty()) {
            r.name = *kind + " " + std::to_string(f.number);
        }
        r.lon = point->lon;
        r.lat = point->lat;
        if (kelurahan != nullptr) {
            if (const auto at = kelurahan->locate(*point)) {
                r.kelurahan_code = at->code;
            }
        }
        r.address = f.first_of({}, {"alamat", "address"});
        r.phone = f.first_of({}, {"telepon", "phone", "telp", "no_telp"});
        r.source = file_name + ", layer " + layer->name + ", feature " + std::to_string(f.number);
        r.created_at = now;
        r.created_by = actor.id;
        report.facilities.push_back(std::move(r));
    }
    if (report.facilities.empty()) {
        const std::string why = layer->features.empty()
                                    ? "the layer has no features"
                                    : "feature " + std::to_string(report.rejected[0].feature) +
                                          ": " + report.rejected[0].message;
        return fail(ErrorCode::ValidationFailed,
                    options.file + ": no facility could be imported (" + why + ")");
    }
    if (!options.dry_run) {
        KAPAL_TRY(store_.add_facilities(report.facilities,
                                        store::WriteContext{actor.id, actor.source, now, ""}));
    }
    return report;
}

Result<std::vector<store::FacilityRecord>> FacilityService::facilities() {
    return store_.list_facilities();
}

Result<std::optional<NearestFacility>> FacilityService::nearest(geo::LonLat at,
                                                                const std::string& kind) {
    std::string code;
    if (!kind.empty()) {
        const auto parsed = parse_facility_kind(kind);
        if (!parsed) {
            return fail(unknown_kind(kind));
        }
        code = *parsed;
    }
    auto all = store_.list_facilities();
    if (!all) {
        return fail(std::move(all).error());
    }
    return nearest_facility(*all, at, code);
}

Result<std::vector<PersonNearest>> FacilityService::nearest_for_persons(const std::string& kind,
                                                                        const Actor& actor) {
    const auto code = parse_facility_kind(kind);
    if (!code) {
        return fail(unknown_kind(kind));
    }
    auto all = store_.list_facilities();
    if (!all) {
        return fail(std::move(all).error());
    }
    std::vector<store::FacilityRecord> of_kind;
    std::copy_if(all->begin(), all->end(), std::back_inserter(of_kind), [&](const auto& f) {
        return f.kind == *code;
    });
    std::vector<PersonNearest> out;
    store::PersonQuery query;
    query.status = core::Status::Aktif;
    query.limit = 1000;
    while (true) {
        auto page = persons_.list(query, actor);
        if (!page) {
            return fail(std::move(page).error());
        }
        for (auto& record : page->items) {
            if (const auto& home = record.person.home) {
                auto nearest = nearest_facility(of_kind, geo::LonLat{home->lon, home->lat});
                out.push_back(PersonNearest{std::move(record), std::move(nearest)});
            }
        }
        if (page->next_cursor.empty()) {
            return out;
        }
        query.cursor = page->next_cursor;
    }
}

Result<std::vector<NearestFacility>> FacilityService::nearest_for_person(const core::PersonId& id,
                                                                         const Actor& actor) {
    auto record = persons_.get(id, actor);
    if (!record) {
        return fail(std::move(record).error());
    }
    std::vector<NearestFacility> out;
    const auto& home = record->person.home;
    if (!home) {
        return out;
    }
    auto all = store_.list_facilities();
    if (!all) {
        return fail(std::move(all).error());
    }
    for (const auto kind : kFacilityKinds) {
        if (auto nearest = nearest_facility(*all, geo::LonLat{home->lon, home->lat}, kind)) {
            out.push_back(std::move(*nearest));
        }
    }
    return out;
}

Result<CoverageReport>
FacilityService::coverage(const std::string& kind, double max_m, const Actor& actor) {
    if (!std::isfinite(max_m) || max_m <= 0 || max_m > kMaxCoverageM) {
        return fail(ErrorCode::ValidationFailed,
                    "max_m must be more than 0 and at most 100000 metres",
                    {{"max_m", ErrorCode::InvalidArgument, "out of range"}});
    }
    auto persons = nearest_for_persons(kind, actor);
    if (!persons) {
        return fail(std::move(persons).error());
    }
    auto all = store_.list_facilities();
    if (!all) {
        return fail(std::move(all).error());
    }
    CoverageReport report;
    report.kind = *parse_facility_kind(kind);
    report.max_m = max_m;
    report.facilities = static_cast<std::size_t>(std::count_if(
        all->begin(), all->end(), [&](const auto& f) { return f.kind == report.kind; }));
    std::map<std::string, CoverageArea> areas;
    for (auto& p : *persons) {
        ++report.persons;
        const std::string& kelurahan = p.record.person.address.kelurahan_code;
        CoverageArea& area = areas[kelurahan];
        area.kelurahan_code = kelurahan;
        ++area.persons;
        if (p.nearest && p.nearest->distance_m <= max_m) {
            continue;
        }
        ++area.uncovered;
        report.uncovered.push_back(std::move(p));
    }
    for (auto& [key, area] : areas) {
        report.areas.push_back(std::move(area));
    }
    const auto distance = [](const PersonNearest& u) {
        return u.nearest ? u.nearest->distance_m : HUGE_VAL;
    };
    std::sort(report.uncovered.begin(),
              report.uncovered.end(),
              [&](const PersonNearest& a, const PersonNearest& b) {
                  const double da = distance(a);
                  const double db = distance(b);
                  if (da != db) {
                      return da > db;
                  }
                  return a.record.id.str() < b.record.id.str();
              });
    return report;
}

FeatureCollection facilities_collection(store::Store& store, geo::BBox extent) {
    FeatureCollection c;
    c.id = "facilities";
    c.title = "Fasilitas layanan";
    c.description = "Facilities that serve persons with disabilities: puskesmas, pustu, rumah "
                    "sakit, SLB schools, posyandu, kantor kelurahan/kecamatan and the Dinas "
                    "Sosial (points, WGS84).";
    c.extent = extent;
    c.schema = io::FeatureSchema{io::GeometryKind::Point,
                                 {{"kind", io::FieldType::String},
                                  {"name", io::FieldType::String},
                                  {"kelurahan_code", io::FieldType::String},
                                  {"address", io::FieldType::String},
                                  {"phone", io::FieldType::String},
                                  {"source", io::FieldType::String},
                                  {"created_at", io::FieldType::String}}};
    c.open = false;
    const auto feature = [](const store::FacilityRecord& f) {
        io::Feature out;
        out.id = f.id;
        out.geometry = geo::LonLat{f.lon, f.lat};
        out.values = {f.kind,
                      f.name,
                      f.kelurahan_code,
                      f.address,
                      f.phone,
                      f.source,
                      core::format_timestamp(f.created_at)};
        return out;
    };
    c.items = [&store, feature](const FeatureQuery& q, const Actor&) -> Result<FeaturePage> {
        auto all = store.list_facilities();
        if (!all) {
            return fail(std::move(all).error());
        }
        FeaturePage page;
        for (const auto& f : *all) {
            if (q.bbox && !geo::wrapped_contains(*q.bbox, geo::LonLat{f.lon, f.lat})) {
                continue;
            }
            if (page.matched >= q.offset && page.items.size() < q.limit) {
                page.items.push_back(feature(f));
            }
            ++page.matched;
        }
        return page;
    };
    c.item = [&store, feature](const std::string& id, const Actor&) -> Result<io::Feature> {
        auto all = store.list_facilities();
        if (!all) {
            return fail(std::move(all).error());
        }
        for (const auto& f : *all) {
            if (f.id == id) {
                return feature(f);
            }
        }
        return fail(ErrorCode::NotFound, "no facility with this id");
    };
    return c;
}

std::string nearest_csv(const std::vector<PersonNearest>& persons) {
    std::ostringstream out;
    io::CsvWriter csv(out, io::CsvWriterOptions{',', true, true});
    csv.write_row(std::vector<std::string>{"id",
                                           "nama",
                                           "kelurahan",
                                           "rw",
                                           "rt",
                                           "lon",
                                           "lat",
                                           "fasilitas_id",
                                           "fasilitas_jenis",
                                           "fasilitas_terdekat",
                                           "jarak_m"});
    for (const auto& u : persons) {
        const core::Person& p = u.record.person;
        csv.write_row(
            std::vector<std::string>{u.record.id.str(),
                                     p.full_name,
                                     p.address.kelurahan_code,
                                     p.address.rw,
                                     p.address.rt,
                                     p.home ? number(p.home->lon, "%.6f") : "",
                                     p.home ? number(p.home->lat, "%.6f") : "",
                                     u.nearest ? u.nearest->facility.id : "",
                                     u.nearest ? u.nearest->facility.kind : "",
                                     u.nearest ? u.nearest->facility.name : "",
                                     u.nearest ? number(u.nearest->distance_m, "%.0f") : ""});
    }
    return out.str();
}

std::string coverage_csv(const CoverageReport& report) {
    return nearest_csv(report.uncovered);
}

} // namespace kapal::service
