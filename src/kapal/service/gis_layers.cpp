#include "kapal/service/gis_layers.hpp"

#include "kapal/core/assert.hpp"
#include "kapal/core/nik.hpp"
#include "kapal/core/time.hpp"
#include "kapal/store/store.hpp"

#include <algorithm>

namespace kapal::service {
namespace {

using io::FieldType;
using io::FieldValue;

FieldValue text_or_null(const std::string& s) {
    return s.empty() ? FieldValue{} : FieldValue{s};
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) {
        out += out.empty() ? "" : ",";
        out += s;
    }
    return out;
}

std::string region_name(const core::RegionRegistry& regions, const std::string& code) {
    const core::Region* r = regions.find(code);
    return r != nullptr ? r->name : std::string();
}

geo::BBox box_of(const geo::MultiPolygon& shape) {
    geo::BBox box;
    for (const auto& part : shape.parts) {
        for (const auto& p : part.outer) {
            box.extend(p);
        }
    }
    return box;
}

geo::BBox extent_of(const ReferenceData& ref) {
    geo::BBox box;
    for (const auto& a : ref.areas) {
        box.extend(box_of(a.shape));
    }
    if (box.empty() && ref.kelurahan) {
        box = ref.kelurahan->bounds();
    }
    return box;
}

constexpr geo::BBox kWorld{-180, -90, 180, 90};

} // namespace

io::FeatureSchema person_layer_schema() {
    return {io::GeometryKind::Point,
            {{"nik", FieldType::String},
             {"kk", FieldType::String},
             {"full_name", FieldType::String},
             {"sex", FieldType::String},
             {"birth_place", FieldType::String},
             {"birth_date", FieldType::String},
             {"street", FieldType::String},
             {"rt", FieldType::String},
             {"rw", FieldType::String},
             {"kelurahan_code", FieldType::String},
             {"kelurahan", FieldType::String},
             {"kecamatan_code", FieldType::String},
             {"kecamatan", FieldType::String},
             {"categories", FieldType::String},
             {"disability_subtype", FieldType::String},
             {"severity", FieldType::String},
             {"assistive_devices", FieldType::String},
             {"therapies", FieldType::String},
             {"caregiver_name", FieldType::String},
             {"caregiver_relationship", FieldType::String},
             {"caregiver_phone", FieldType::String},
             {"dtks", FieldType::Boolean},
             {"dtks_id", FieldType::String},
             {"phone", FieldType::String},
             {"status", FieldType::String},
             {"status_date", FieldType::String},
             {"home_source", FieldType::String},
             {"home_accuracy_m", FieldType::Real},
             {"version", FieldType::Integer},
             {"updated_at", FieldType::String}}};
}

io::Feature person_feature(const core::PersonRecord& record,
                           const core::RegionRegistry& regions,
                           bool clear_ids) {
    const core::Person& p = record.person;
    io::Feature f;
    f.id = record.id.str();
    if (p.home) {
        f.geometry = geo::LonLat{p.home->lon, p.home->lat};
    }
    std::vector<std::string> categories;
    for (const auto c : p.categories) {
        categories.emplace_back(core::to_string(c));
    }
    const std::string nik = clear_ids ? p.nik : core::mask_id_number(p.nik);
    const std::string kk = p.kk.empty() ? "" : clear_ids ? p.kk : core::mask_id_number(p.kk);
    f.values = {
        text_or_null(nik),
        text_or_null(kk),
        FieldValue{p.full_name},
        FieldValue{std::string(core::to_string(p.sex))},
        text_or_null(p.birth_place),
        p.birth_date.ok() ? FieldValue{core::format_date(p.birth_date)} : FieldValue{},
        text_or_null(p.address.street),
        text_or_null(p.address.rt),
        text_or_null(p.address.rw),
        text_or_null(p.address.kelurahan_code),
        text_or_null(region_name(regions, p.address.kelurahan_code)),
        text_or_null(record.kecamatan_code),
        text_or_null(region_name(regions, record.kecamatan_code)),
        FieldValue{joined(categories)},
        text_or_null(p.disability_subtype),
        p.severity ? FieldValue{std::string(core::to_string(*p.severity))} : FieldValue{},
        text_or_null(joined(p.assistive_devices)),
        text_or_null(joined(p.therapies)),
        p.caregiver ? text_or_null(p.caregiver->name) : FieldValue{},
        p.caregiver ? text_or_null(p.caregiver->relationship) : FieldValue{},
        p.caregiver ? text_or_null(p.caregiver->phone) : FieldValue{},
        FieldValue{p.dtks},
        text_or_null(p.dtks_id),
        text_or_null(p.phone),
        FieldValue{std::string(core::to_string(p.status))},
        p.status_date ? FieldValue{core::format_date(*p.status_date)} : FieldValue{},
        p.home ? FieldValue{std::string(core::to_string(p.home->source))} : FieldValue{},
        p.home && p.home->accuracy_m ? FieldValue{*p.home->accuracy_m} : FieldValue{},
        FieldValue{record.version},
        FieldValue{core::format_timestamp(record.updated_at)},
    };
    return f;
}

io::FeatureSchema area_layer_schema() {
    return {io::GeometryKind::MultiPolygon,
            {{"code", FieldType::String},
             {"name", FieldType::String},
             {"level", FieldType::String},
             {"parent_code", FieldType::String}}};
}

io::Feature area_feature(const geo::AreaFeature& area) {
    return {area.code,
            area.shape,
            {FieldValue{area.code},
             FieldValue{area.name},
             text_or_null(area.level),
             text_or_null(area.parent_code)}};
}

void FeatureCatalogue::add(FeatureCollection collection) {
    KAPAL_ASSERT(find(collection.id) == nullptr);
    KAPAL_ASSERT(!collection.id.empty() && collection.id.find('/') == std::string::npos);
    collections_.push_back(std::move(collection));
}

const FeatureCollection* FeatureCatalogue::find(std::string_view id) const {
    for (const auto& c : collections_) {
        if (c.id == id) {
            return &c;
        }
    }
    return nullptr;
}

FeatureCollection persons_collection(PersonService& persons,
                                     const PersonIndex& index,
                                     std::shared_ptr<const ReferenceData> ref) {
    FeatureCollection c;
    c.id = "persons";
    c.title = "Penyandang disabilitas";
    c.description = "Persons with disabilities with a home location (points, WGS84), NIK and KK "
                    "masked; limited to the caller's areas. Signed-in readers only.";
    c.extent = extent_of(*ref);
    c.schema = person_layer_schema();
    c.open = false;
    c.items = [&persons, &index, ref](const FeatureQuery& q,
                                      const Actor& actor) -> Result<FeaturePage> {
        if (!index.ready()) {
            return fail(ErrorCode::IndexLoading, "the point index is still loading");
        }
        geo::PointFilter filter;
        filter.area_prefixes = actor.scope_area_codes;
        // In id order with every match counted: numberMatched exact, offset paging stable.
        const auto hits = index.in_box_page(q.bbox.value_or(kWorld), filter, q.offset, q.limit);
        FeaturePage page;
        page.matched = hits.matched;
        for (const auto& hit : hits.hits) {
            // The store is the truth: a person moved out of scope meanwhile is left out.
            auto record = persons.get(core::PersonId(hit.key), actor);
            if (!record) {
                if (record.error().code == ErrorCode::NotFound) {
                    continue;
                }
                return fail(std::move(record).error());
            }
            page.items.push_back(person_feature(*record, ref->regions));
        }
        return page;
    };
    c.item = [&persons, ref](const std::string& id, const Actor& actor) -> Result<io::Feature> {
        auto record = persons.get(core::PersonId(id), actor);
        if (!record) {
            return fail(std::move(record).error());
        }
        return person_feature(*record, ref->regions);
    };
    return c;
}

FeatureCollection areas_collection(std::shared_ptr<const ReferenceData> ref) {
    FeatureCollection c;
    c.id = "areas";
    c.title = "Wilayah administrasi";
    c.description = "Kota, kecamatan and kelurahan boundaries with their Kemendagri codes "
                    "(multipolygons, WGS84).";
    c.extent = extent_of(*ref);
    c.schema = area_layer_schema();
    c.open = true;
    c.items = [ref](const FeatureQuery& q, const Actor&) -> Result<FeaturePage> {
        FeaturePage page;
        for (const auto& a : ref->areas) {
            if (q.bbox && !geo::wrapped_intersects(*q.bbox, box_of(a.shape))) {
                continue;
            }
            if (page.matched >= q.offset && page.items.size() < q.limit) {
                page.items.push_back(area_feature(a));
            }
            ++page.matched;
        }
        return page;
    };
    c.item = [ref](const std::string& id, const Actor&) -> Result<io::Feature> {
        for (const auto& a : ref->areas) {
            if (a.code == id) {
                return area_feature(a);
            }
        }
        return fail(ErrorCode::NotFound, "no area with this code");
    };
    return c;
}

} // namespace kapal::service
