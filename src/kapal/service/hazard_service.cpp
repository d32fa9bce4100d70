#include "kapal/service/hazard_service.hpp"

#include "kapal/core/text.hpp"
#include "kapal/core/time.hpp"
#include "kapal/geo/geojson.hpp"
#include "kapal/geo/route.hpp"
#include "kapal/io/csv_writer.hpp"
#include "kapal/io/pdf_report.hpp"
#include "kapal/io/vector_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <sstream>

namespace kapal::service {
namespace {

const std::map<std::string, std::string, std::less<>>& hazard_aliases() {
    static const std::map<std::string, std::string, std::less<>> aliases = {
        {"flood", "banjir"},
        {"banjir_bandang", "banjir"},
        {"banjir_rob", "rob"},
        {"coastal_flood", "rob"},
        {"tanah_longsor", "longsor"},
        {"gerakan_tanah", "longsor"},
        {"landslide", "longsor"},
        {"gempa_bumi", "gempa"},
        {"gempabumi", "gempa"},
        {"earthquake", "gempa"},
        {"karhutla", "kebakaran_hutan"},
        {"kebakaran_hutan_dan_lahan", "kebakaran_hutan"},
        {"kebakaran", "kebakaran_hutan"},
        {"forest_fire", "kebakaran_hutan"},
        {"abrasi_pantai", "abrasi"},
        {"gelombang_ekstrem_dan_abrasi", "abrasi"},
        {"coastal_erosion", "abrasi"},
        {"angin_puting_beliung", "cuaca_ekstrem"},
        {"puting_beliung", "cuaca_ekstrem"},
        {"extreme_weather", "cuaca_ekstrem"},
        {"drought", "kekeringan"},
    };
    return aliases;
}

std::string metres(double m) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", m);
    return buf;
}

std::string coordinate(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}

/// RT and RW as numbers where they are ("007" and "7" are the same RT), for grouping and order.
std::string number_key(const std::string& text) {
    const auto first = text.find_first_not_of('0');
    return first == std::string::npos ? (text.empty() ? "" : "0") : text.substr(first);
}

} // namespace

std::optional<std::string> parse_hazard_kind(std::string_view text) {
    std::string key = core::label_key(text);
    for (const auto k : kHazardKinds) {
        if (key == k) {
            return std::string(k);
        }
    }
    const auto& aliases = hazard_aliases();
    if (const auto it = aliases.find(key); it != aliases.end()) {
        return it->second;
    }
    return std::nullopt;
}

std::optional<std::string> parse_hazard_level(std::string_view text) {
    std::string key = core::label_key(text);
    for (const std::string_view prefix : {"kelas_", "tingkat_", "bahaya_"}) {
        if (key.rfind(prefix, 0) == 0) {
            key = key.substr(prefix.size());
        }
    }
    if (key == "rendah" || key == "low" || key == "1") {
        return "rendah";
    }
    if (key == "sedang" || key == "medium" || key == "moderate" || key == "2") {
        return "sedang";
    }
    if (key == "tinggi" || key == "high" || key == "3") {
        return "tinggi";
    }
    return std::nullopt;
}

HazardService::HazardService(store::Store& store,
                             PersonService& persons,
                             const core::Clock& clock,
                             core::IdGenerator& ids)
    : store_(store)
    , persons_(persons)
    , clock_(clock)
    , ids_(ids) {}

Result<HazardImportReport> HazardService::import_zones(const HazardImportOptions& options,
                                                       const Actor& actor) {
    std::optional<std::string> default_kind;
    if (!options.hazard.empty()) {
        default_kind = parse_hazard_kind(options.hazard);
        if (!default_kind) {
            return fail(ErrorCode::ValidationFailed,
                        "unknown hazard kind \"" + options.hazard + "\"",
                        {{"hazard", ErrorCode::InvalidArgument, "unknown hazard kind"}});
        }
    }
    std::optional<std::string> default_level;
    if (!options.level.empty()) {
        default_level = parse_hazard_level(options.level);
        if (!default_level) {
            return fail(ErrorCode::ValidationFailed,
                        "unknown hazard level \"" + options.level + "\" (rendah, sedang or tinggi)",
                        {{"level", ErrorCode::InvalidArgument, "unknown hazard level"}});
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
    HazardImportReport report;
    report.layer = layer->name;
    for (const io::ReadFeature& f : layer->features) {
        const auto reject = [&](std::string message) {
            report.rejected.push_back({f.number, std::move(message)});
        };
        const auto* shape = std::get_if<geo::MultiPolygon>(&f.geometry);
        if (shape == nullptr) {
            reject(!f.geometry_problem.empty() ? f.geometry_problem
                                               : "a point is not a zone: a polygon is needed");
            continue;
        }
        const std::string kind_text =
            f.first_of(options.hazard_field, {"bahaya", "hazard", "jenis_bencana", "jenis"});
        const std::string level_text =
            f.first_of(options.level_field, {"tingkat", "level", "kelas", "indeks"});
        std::optional<std::string> kind = default_kind;
        if (!kind_text.empty()) {
            kind = parse_hazard_kind(kind_text);
            if (!kind) {
                reject("unknown hazard kind \"" + kind_text + "\"");
                continue;
            }
        }
        std::optional<std::string> level = default_level;
        if (!level_text.empty()) {
            level = parse_hazard_level(level_text);
            if (!level) {
                reject("unknown hazard level \"" + level_text + "\" (rendah, sedang or tinggi)");
                continue;
            }
        }
        if (!kind) {
            reject("no hazard kind: give it with --hazard or in a field (bahaya, hazard, jenis)");
            continue;
        }
        if (!level) {
            reject("no hazard level: give it with --level or in a field (tingkat, level, kelas)");
            continue;
        }
        store::HazardZoneRecord z;
        z.id = ids_.next(now);
        z.name = f.first_of(options.name_field, {"nama", "name", "namobj", "zona"});
        if (z.name.empty()) {
            z.name = "Rawan " + *kind + " " + *level + " " + std::to_string(f.number);
        }
        z.hazard = *kind;
        z.level = *level;
        z.source = file_name + ", layer " + layer->name + ", feature " + std::to_string(f.number);
        z.geometry = geo::to_geojson_geometry(*shape);
        z.created_at = now;
        z.created_by = actor.id;
        report.zones.push_back(std::move(z));
    }
    if (report.zones.empty()) {
        std::string why = layer->features.empty()
                              ? "the layer has no features"
                              : "feature " + std::to_string(report.rejected[0].feature) + ": " +
                                    report.rejected[0].message;
        return fail(ErrorCode::ValidationFailed,
                    options.file + ": no zone could be imported (" + why + ")");
    }
    if (!options.dry_run) {
        KAPAL_TRY(store_.add_hazard_zones(report.zones,
                                          store::WriteContext{actor.id, actor.source, now, ""}));
    }
    return report;
}

Result<std::vector<store::HazardZoneRecord>> HazardService::zones() {
    return store_.list_hazard_zones();
}

Result<EvacuationList> HazardService::evacuation_list(const std::string& zone_id,
                                                      const Actor& actor,
                                                      std::optional<geo::LonLat> start) {
    auto zone = store_.get_hazard_zone(zone_id);
    if (!zone) {
        return fail(std::move(zone).error());
    }
    if (!*zone) {
        return fail(ErrorCode::NotFound, "no hazard zone " + zone_id);
    }
    auto shape = geo::parse_search_area((*zone)->geometry, "geometry", 5'000'000);
    if (!shape) {
        return fail(ErrorCode::StoreCorrupt,
                    "hazard zone " + zone_id +
                        " has a geometry that cannot be read: " + shape.error().message);
    }
    EvacuationList list;
    list.zone = **zone;
    list.made_at = clock_.now();
    const geo::BBox box = geo::bbox_of(*shape);
    list.start = start ? *start : geo::LonLat{box.min_lon, box.max_lat};

    SpatialQuery where;
    where.polygon = *shape;
    store::PersonQuery filters;
    filters.status = core::Status::Aktif;
    filters.limit = static_cast<int>(kMaxEvacuationPersons);
    auto found = persons_.search(where, filters, actor);
    if (!found) {
        return fail(std::move(found).error());
    }
    list.truncated = found->truncated;

    // Group by kelurahan, RW and RT; each group's centroid orders the groups.
    std::map<std::tuple<std::string, std::string, std::string>, EvacuationGroup> groups;
    for (auto& hit : found->items) {
        if (!hit.record.person.home) {
            continue; // moved away from every position since the index saw it
        }
        const auto& a = hit.record.person.address;
        auto& g = groups[{a.kelurahan_code, number_key(a.rw), number_key(a.rt)}];
        g.kelurahan_code = a.kelurahan_code;
        g.rw = a.rw;
        g.rt = a.rt;
        EvacuationStop stop;
        stop.needs = person_needs(hit.record.person);
        stop.record = std::move(hit.record);
        g.stops.push_back(std::move(stop));
        ++list.persons;
    }
    std::vector<EvacuationGroup> ordered_groups;
    std::vector<geo::LonLat> centroids;
    for (auto& [key, g] : groups) {
        geo::LonLat c{0, 0};
        for (const auto& s : g.stops) {
            c.lon += s.record.person.home->lon;
            c.lat += s.record.person.home->lat;
        }
        c.lon /= static_cast<double>(g.stops.size());
        c.lat /= static_cast<double>(g.stops.size());
        centroids.push_back(c);
        ordered_groups.push_back(std::move(g));
    }
    const geo::VisitOrder group_order = geo::plan_visits(list.start, centroids);
    geo::LonLat at = list.start;
    for (const std::size_t gi : group_order.order) {
        EvacuationGroup g = std::move(ordered_groups[gi]);
        std::vector<geo::LonLat> homes;
        for (const auto& s : g.stops) {
            homes.push_back({s.record.person.home->lon, s.record.person.home->lat});
        }
        const geo::VisitOrder inside = geo::plan_visits(at, homes);
        EvacuationGroup walked;
        walked.kelurahan_code = g.kelurahan_code;
        walked.rw = g.rw;
        walked.rt = g.rt;
        for (std::size_t i = 0; i < inside.order.size(); ++i) {
            EvacuationStop s = std::move(g.stops[inside.order[i]]);
            s.leg_m = inside.leg_m[i];
            list.total_m += s.leg_m;
            walked.stops.push_back(std::move(s));
        }
        if (!inside.order.empty()) {
            at = homes[inside.order.back()];
        }
        list.groups.push_back(std::move(walked));
    }
    return list;
}

FeatureCollection hazards_collection(store::Store& store, geo::BBox extent) {
    FeatureCollection c;
    c.id = "hazards";
    c.title = "Kawasan rawan bencana";
    c.description = "Hazard zones imported from hazard maps: kind (banjir, rob, tsunami, longsor, "
                    "...), level (rendah, sedang, tinggi) and source (multipolygons, WGS84).";
    c.extent = extent;
    c.schema = io::FeatureSchema{io::GeometryKind::MultiPolygon,
                                 {{"name", io::FieldType::String},
                                  {"hazard", io::FieldType::String},
                                  {"level", io::FieldType::String},
                                  {"source", io::FieldType::String},
                                  {"created_at", io::FieldType::String}}};
    c.open = false;
    const auto feature = [](const store::HazardZoneRecord& z) -> std::optional<io::Feature> {
        auto shape = geo::parse_search_area(z.geometry, "geometry", 5'000'000);
        if (!shape) {
            return std::nullopt;
        }
        io::Feature f;
        f.id = z.id;
        f.geometry = std::move(*shape);
        f.values = {z.name, z.hazard, z.level, z.source, core::format_timestamp(z.created_at)};
        return f;
    };
    c.items = [&store, feature](const FeatureQuery& q, const Actor&) -> Result<FeaturePage> {
        auto zones = store.list_hazard_zones();
        if (!zones) {
            return fail(std::move(zones).error());
        }
        FeaturePage page;
        for (const auto& z : *zones) {
            auto f = feature(z);
            if (!f) {
                continue; // unreadable geometry: cannot have been written (checked at import)
            }
            if (q.bbox && !geo::wrapped_intersects(
                              *q.bbox, geo::bbox_of(std::get<geo::MultiPolygon>(f->geometry)))) {
                continue;
            }
            if (page.matched >= q.offset && page.items.size() < q.limit) {
                page.items.push_back(std::move(*f));
            }
            ++page.matched;
        }
        return page;
    };
    c.item = [&store, feature](const std::string& id, const Actor&) -> Result<io::Feature> {
        auto zone = store.get_hazard_zone(id);
        if (!zone) {
            return fail(std::move(zone).error());
        }
        if (!*zone) {
            return fail(ErrorCode::NotFound, "no hazard zone with this id");
        }
        auto f = feature(**zone);
        if (!f) {
            return fail(ErrorCode::StoreCorrupt,
                        "hazard zone " + id + " has an unreadable geometry");
        }
        return *f;
    };
    return c;
}

std::string evacuation_csv(const EvacuationList& list) {
    std::ostringstream out;
    io::CsvWriter csv(out, io::CsvWriterOptions{',', true, true});
    csv.write_row(std::vector<std::string>{"urutan",
                                           "kelurahan",
                                           "rw",
                                           "rt",
                                           "id",
                                           "nama",
                                           "jenis_kelamin",
                                           "umur",
                                           "alamat",
                                           "kebutuhan",
                                           "alat_bantu",
                                           "pendamping",
                                           "telepon_pendamping",
                                           "telepon",
                                           "lon",
                                           "lat",
                                           "jarak_dari_sebelumnya_m"});
    const core::Date today = core::wita_date(list.made_at);
    int n = 0;
    for (const auto& g : list.groups) {
        for (const auto& s : g.stops) {
            const core::Person& p = s.record.person;
            csv.write_row(std::vector<std::string>{std::to_string(++n),
                                                   g.kelurahan_code,
                                                   g.rw,
                                                   g.rt,
                                                   s.record.id.str(),
                                                   p.full_name,
                                                   std::string(core::to_string(p.sex)),
                                                   age_text(p, today),
                                                   address_text(p),
                                                   needs_text(s.needs),
                                                   join(s.needs.devices, " "),
                                                   caregiver_text(p),
                                                   p.caregiver ? p.caregiver->phone : "",
                                                   p.phone,
                                                   coordinate(p.home->lon),
                                                   coordinate(p.home->lat),
                                                   metres(s.leg_m)});
        }
    }
    return out.str();
}

Result<std::string> evacuation_pdf(const EvacuationList& list, const std::string& printed_by) {
    io::PdfDocument doc;
    doc.landscape = true;
    doc.title = "Daftar evakuasi penyandang disabilitas: " + list.zone.name;
    doc.lines.push_back("Bahaya " + list.zone.hazard + ", tingkat " + list.zone.level + " · " +
                        std::to_string(list.persons) + " orang di " +
                        std::to_string(list.groups.size()) + " RT · rute jalan kaki " +
                        metres(list.total_m) + " m dari " + coordinate(list.start.lon) + ", " +
                        coordinate(list.start.lat));
    doc.lines.push_back("Dicetak " + core::format_timestamp(list.made_at) + " oleh " + printed_by +
                        ". Data pribadi: simpan dan musnahkan sesuai aturan.");
    if (list.truncated) {
        doc.lines.push_back("PERHATIAN: lebih dari " + std::to_string(kMaxEvacuationPersons) +
                            " orang tinggal di zona ini; daftar ini TIDAK lengkap. Bagi zona "
                            "menjadi bagian yang lebih kecil.");
    }
    doc.footer = "Kapal Si Geo · zona " + list.zone.id;
    const core::Date today = core::wita_date(list.made_at);
    int n = 0;
    for (const auto& g : list.groups) {
        io::PdfTable t;
        t.heading = "Kelurahan " + g.kelurahan_code + " · RW " + g.rw + " / RT " + g.rt + " · " +
                    std::to_string(g.stops.size()) + " orang";
        t.columns = {{"No", 9},
                     {"Nama", 42},
                     {"L/P, umur", 16},
                     {"Alamat", 45},
                     {"Kebutuhan", 30},
                     {"Alat bantu", 30},
                     {"Pendamping", 40},
                     {"Telepon", 30},
                     {"Jarak (m)", 15},
                     {"Sudah", 10}};
        for (const auto& s : g.stops) {
            const core::Person& p = s.record.person;
            std::string caregiver = caregiver_text(p);
            if (p.caregiver && !p.caregiver->phone.empty()) {
                caregiver += " " + p.caregiver->phone;
            }
            t.rows.push_back({std::to_string(++n),
                              p.full_name,
                              std::string(core::to_string(p.sex)) + ", " + age_text(p, today),
                              address_text(p),
                              needs_text(s.needs),
                              join(s.needs.devices, ", "),
                              caregiver,
                              p.phone,
                              metres(s.leg_m),
                              ""});
        }
        doc.tables.push_back(std::move(t));
    }
    if (list.groups.empty()) {
        doc.lines.push_back("Tidak ada penyandang disabilitas aktif yang terdata di zona ini.");
    }
    return io::render_pdf(doc);
}

} // namespace kapal::service
