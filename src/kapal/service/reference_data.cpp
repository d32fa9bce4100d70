#include "kapal/service/reference_data.hpp"

#include "kapal/core/text.hpp"
#include "kapal/geo/geojson.hpp"
#include "kapal/io/csv_reader.hpp"

#include <charconv>
#include <map>

namespace kapal::service {
namespace {

namespace fs = std::filesystem;

/// Reads a CSV with a header into rows keyed by column name; calls `row` for each record.
template <class RowFn> Result<void> for_each_row(const fs::path& file, RowFn&& row) {
    auto reader = io::CsvReader::open(file.string());
    if (!reader) {
        return fail(ErrorCode::ConfigInvalid,
                    "cannot read reference file " + file.string() + ": " + reader.error().message);
    }
    io::CsvRecord rec;
    std::map<std::string, std::size_t> columns;
    bool header = true;
    while (true) {
        auto more = reader->next(rec);
        if (!more) {
            return fail(ErrorCode::ConfigInvalid, file.string() + ": " + more.error().message);
        }
        if (!*more) {
            break;
        }
        if (header) {
            for (std::size_t i = 0; i < rec.fields.size(); ++i) {
                columns[rec.fields[i]] = i;
            }
            header = false;
            continue;
        }
        auto get = [&](const std::string& name) -> std::string_view {
            const auto it = columns.find(name);
            if (it == columns.end() || it->second >= rec.fields.size()) {
                return {};
            }
            return rec.fields[it->second];
        };
        if (auto r = row(get, rec.line); !r) {
            return fail(ErrorCode::ConfigInvalid,
                        file.string() + " line " + std::to_string(rec.line) + ": " +
                            r.error().message);
        }
    }
    return {};
}

// Local spellings seen in Bontang documents and spreadsheets (REFERENCE.md §1).
constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
    {"64.74.01.1003", "Loktuan"},
    {"64.74.02.1002", "Berebas Tengah"},
    {"64.74.02.1003", "Berebas Pantai"},
    {"64.74.03.1002", "Telihan"},
    {"64.74.01.1006", "Api Api"},
};

} // namespace

Result<std::shared_ptr<const ReferenceData>> load_reference_data(const fs::path& dir) {
    auto data = std::make_shared<ReferenceData>();
    data->city_code = "64.74";

    KAPAL_TRY(for_each_row(
        dir / "kode_wilayah_kaltim_64.csv", [&](auto get, std::size_t) -> Result<void> {
            const auto level = core::parse_region_level(get("level"));
            if (!level) {
                return fail(ErrorCode::ConfigInvalid, "unknown level " + std::string(get("level")));
            }
            data->regions.add({std::string(get("code")),
                               std::string(get("name")),
                               *level,
                               std::string(get("parent_code"))});
            return {};
        }));
    for (const auto& [code, alias] : kAliases) {
        data->regions.add_alias(code, alias);
    }
    KAPAL_TRY(for_each_row(dir / "kode_kab_kec_historis_indonesia.csv",
                           [&](auto get, std::size_t) -> Result<void> {
                               if (get("level") == "kecamatan") {
                                   data->regions.add_nik_prefix(get("nik_prefix"));
                               }
                               return {};
                           }));

    auto features = geo::read_area_features((dir / "bontang_kelurahan.geojson").string());
    if (!features) {
        return fail(ErrorCode::ConfigInvalid,
                    "bontang_kelurahan.geojson: " + features.error().message);
    }
    for (const auto& [file, into] : {std::pair{"bontang_kecamatan.geojson", &data->kecamatan},
                                     std::pair{"bontang_kota.geojson", &data->kota}}) {
        auto areas = geo::read_area_features((dir / file).string());
        if (!areas) {
            return fail(ErrorCode::ConfigInvalid, std::string(file) + ": " + areas.error().message);
        }
        *into = std::move(*areas);
    }

    data->areas = data->kota;
    data->areas.insert(data->areas.end(), data->kecamatan.begin(), data->kecamatan.end());
    data->areas.insert(data->areas.end(), features->begin(), features->end());
    auto index = geo::AreaIndex::create(std::move(*features));
    if (!index) {
        return fail(std::move(index).error());
    }
    data->kelurahan = std::make_unique<geo::AreaIndex>(std::move(*index));

    // population_bontang.csv: keep the latest figure per area code.
    std::map<std::string, AreaPopulation> latest;
    KAPAL_TRY(
        for_each_row(dir / "population_bontang.csv", [&](auto get, std::size_t) -> Result<void> {
            const std::string code(get("code"));
            const auto pop_text = get("population_total");
            const auto year_text = get("reference_period").substr(0, 4);
            std::int64_t pop = 0;
            int year = 0;
            if (code.empty() ||
                std::from_chars(pop_text.data(), pop_text.data() + pop_text.size(), pop).ec !=
                    std::errc{} ||
                std::from_chars(year_text.data(), year_text.data() + year_text.size(), year).ec !=
                    std::errc{}) {
                return {}; // rows with a range or a note instead of a number are not figures
            }
            auto& slot = latest[code];
            if (year >= slot.year) {
                slot = {code, pop, year};
            }
            return {};
        }));
    for (auto& [code, p] : latest) {
        data->population.push_back(p);
    }
    return std::shared_ptr<const ReferenceData>(std::move(data));
}

std::vector<store::AreaRecord> area_records(const ReferenceData& data) {
    std::vector<store::AreaRecord> out;
    out.reserve(data.areas.size());
    for (const auto& f : data.areas) {
        out.push_back({f.code, f.level, f.name, f.parent_code, geo::to_geojson_geometry(f.shape)});
    }
    return out;
}

} // namespace kapal::service
