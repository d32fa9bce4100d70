#include "kapal/service/export_service.hpp"

#include "kapal/core/nik.hpp"
#include "kapal/io/csv_writer.hpp"
#include "kapal/io/geojson_writer.hpp"
#include "kapal/io/gpkg_writer.hpp"
#include "kapal/io/xlsx_writer.hpp"
#include "kapal/service/dtks_layout.hpp"
#include "kapal/service/gis_layers.hpp"
#include "kapal/service/import_service.hpp"
#include "kapal/service/person_table.hpp"

#include <cstdio>
#include <fstream>
#include <optional>

namespace kapal::service {
namespace {

std::vector<std::string> header_row() {
    std::vector<std::string> h;
    for (const auto c : template_columns()) {
        h.emplace_back(column_title(c));
    }
    h.emplace_back("ID");
    h.emplace_back("Versi");
    h.emplace_back("Diubah (UTC)");
    return h;
}

std::vector<io::XlsxDropdown> template_dropdowns() {
    std::vector<io::XlsxDropdown> out;
    const auto cols = template_columns();
    for (std::size_t i = 0; i < cols.size(); ++i) {
        std::vector<std::string> values;
        switch (cols[i]) {
        case PersonColumn::Sex:
            values = {"L", "P"};
            break;
        case PersonColumn::Severity:
            for (const auto s : core::kAllSeverities) {
                values.emplace_back(core::to_string(s));
            }
            break;
        case PersonColumn::Status:
            for (const auto s : core::kAllStatuses) {
                values.emplace_back(core::to_string(s));
            }
            break;
        case PersonColumn::Dtks:
            values = {"Ya", "Tidak"};
            break;
        case PersonColumn::WgSeeing:
        case PersonColumn::WgHearing:
        case PersonColumn::WgWalking:
        case PersonColumn::WgCognition:
        case PersonColumn::WgSelfCare:
        case PersonColumn::WgCommunication:
            values = {"1", "2", "3", "4"};
            break;
        default:
            break;
        }
        if (!values.empty()) {
            out.push_back({i, std::move(values), 5000});
        }
    }
    return out;
}

/// Where features go: a GeoJSON stream or a GeoPackage layer.
class FeatureSink {
  public:
    static Result<FeatureSink> open(const std::filesystem::path& file,
                                    ExportFormat format,
                                    const std::string& layer,
                                    const io::FeatureSchema& schema) {
        FeatureSink sink;
        if (format == ExportFormat::Gpkg) {
            auto gpkg = io::GpkgWriter::create(file, layer, schema);
            if (!gpkg) {
                return fail(std::move(gpkg).error());
            }
            sink.gpkg_ = std::move(*gpkg);
            return sink;
        }
        sink.out_ = std::make_unique<std::ofstream>(file, std::ios::binary | std::ios::trunc);
        if (!*sink.out_) {
            return fail(ErrorCode::Io, "cannot write " + file.string());
        }
        sink.json_ = std::make_unique<io::GeoJsonWriter>(*sink.out_, schema, layer);
        sink.file_ = file;
        return sink;
    }

    Result<void> write(const io::Feature& f) {
        if (gpkg_) {
            return gpkg_->write(f);
        }
        json_->write(f);
        return {};
    }

    Result<void> finish() {
        if (gpkg_) {
            return gpkg_->finish();
        }
        if (!json_->finish()) {
            return fail(ErrorCode::Io, "cannot write " + file_.string());
        }
        return {};
    }

  private:
    std::unique_ptr<io::GpkgWriter> gpkg_;
    std::unique_ptr<std::ofstream> out_;
    std::unique_ptr<io::GeoJsonWriter> json_;
    std::filesystem::path file_;
};

bool is_gis(ExportFormat f) {
    return f == ExportFormat::GeoJson || f == ExportFormat::Gpkg;
}

} // namespace

Result<std::size_t> export_persons(const std::filesystem::path& file,
                                   store::Store& store,
                                   const ReferenceData& ref,
                                   const ExportOptions& options) {
    const bool dtks = options.layout == ExportLayout::Dtks;
    if (dtks && is_gis(options.format)) {
        return fail(ErrorCode::InvalidArgument,
                    "the DTKS layout is a table: export it as csv or xlsx",
                    {{"layout", ErrorCode::InvalidArgument, "dtks: csv or xlsx"}});
    }
    const auto header = dtks ? dtks_header() : header_row();
    std::vector<std::vector<std::string>> rows;
    std::ofstream csv_out;
    std::unique_ptr<io::CsvWriter> csv;
    if (options.format == ExportFormat::Csv) {
        csv_out.open(file, std::ios::binary | std::ios::trunc);
        if (!csv_out) {
            return fail(ErrorCode::Io, "cannot write " + file.string());
        }
        csv = std::make_unique<io::CsvWriter>(csv_out, ',', true);
        csv->write_row(header);
    }
    std::optional<FeatureSink> features;
    if (is_gis(options.format)) {
        auto sink = FeatureSink::open(file, options.format, "persons", person_layer_schema());
        if (!sink) {
            return fail(std::move(sink).error());
        }
        features.emplace(std::move(*sink));
    }
    store::PersonQuery q;
    q.limit = 1000;
    q.scope_area_codes = options.scope_area_codes;
    std::size_t count = 0;
    while (true) {
        auto page = store.list_persons(q);
        if (!page) {
            return fail(std::move(page).error());
        }
        for (auto& rec : page->items) {
            if (features) {
                KAPAL_TRY(features->write(person_feature(rec, ref.regions, options.clear_ids)));
                ++count;
                continue;
            }
            if (!options.clear_ids) {
                rec.person.nik = core::mask_id_number(rec.person.nik);
                rec.person.kk = core::mask_id_number(rec.person.kk);
            }
            auto row = dtks ? person_to_dtks_row(rec.person, ref.regions)
                            : person_to_row(rec.person, ref.regions);
            if (!dtks) {
                row.push_back(rec.id.str());
                row.push_back(std::to_string(rec.version));
                row.push_back(core::format_timestamp(rec.updated_at));
            }
            if (csv) {
                csv->write_row(row);
            } else {
                rows.push_back(std::move(row));
            }
            ++count;
        }
        if (page->next_cursor.empty()) {
            break;
        }
        q.cursor = page->next_cursor;
    }
    if (features) {
        KAPAL_TRY(features->finish());
        return count;
    }
    if (csv) {
        if (!csv_out.flush()) {
            return fail(ErrorCode::Io, "cannot write " + file.string());
        }
        return count;
    }
    io::XlsxSheet sheet{
        dtks ? "DTKS Individu" : "Penyandang Disabilitas", header, std::move(rows), {}, {}};
    KAPAL_TRY(io::write_xlsx(file.string(), {sheet}));
    return count;
}

Result<std::size_t>
export_areas(const std::filesystem::path& file, const ReferenceData& ref, ExportFormat format) {
    if (format == ExportFormat::Xlsx) {
        return fail(ErrorCode::InvalidArgument, "areas export as csv, geojson or gpkg");
    }
    if (is_gis(format)) {
        auto sink = FeatureSink::open(file, format, "areas", area_layer_schema());
        if (!sink) {
            return fail(std::move(sink).error());
        }
        for (const auto& a : ref.areas) {
            KAPAL_TRY(sink->write(area_feature(a)));
        }
        KAPAL_TRY(sink->finish());
        return ref.areas.size();
    }
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out) {
        return fail(ErrorCode::Io, "cannot write " + file.string());
    }
    io::CsvWriter w(out, ',', true);
    w.write_row(
        std::vector<std::string>{"code", "name", "level", "parent_code", "lon", "lat", "wkt"});
    for (const auto& a : ref.areas) {
        std::string lon;
        std::string lat;
        if (a.label) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.7f", a.label->lon);
            lon = buf;
            std::snprintf(buf, sizeof buf, "%.7f", a.label->lat);
            lat = buf;
        }
        w.write_row(std::vector<std::string>{
            a.code, a.name, a.level, a.parent_code, lon, lat, io::to_wkt(a.shape)});
    }
    if (!out.flush()) {
        return fail(ErrorCode::Io, "cannot write " + file.string());
    }
    return ref.areas.size();
}

Result<void> write_import_template(const std::filesystem::path& file) {
    std::vector<std::string> header;
    for (const auto c : template_columns()) {
        header.emplace_back(column_title(c));
    }
    const auto ext = file.extension().string();
    if (ext == ".csv") {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        io::CsvWriter w(out, ',', true);
        w.write_row(header);
        if (!out.flush()) {
            return fail(ErrorCode::Io, "cannot write " + file.string());
        }
        return {};
    }
    if (ext != ".xlsx") {
        return fail(ErrorCode::InvalidArgument, "the template is .xlsx or .csv, not " + ext);
    }
    io::XlsxSheet data{"Data", header, {}, template_dropdowns(), {}};
    io::XlsxSheet help{"Petunjuk", {"Kolom", "Isi"}, {}, {}, {}};
    help.rows = {
        {"NIK",
         "16 digit. Ketik sebagai teks (kolom ini sudah berformat teks) agar Excel tidak "
         "mengubahnya menjadi 6.47401E+15."},
        {"No. KK", "16 digit, boleh kosong."},
        {"Jenis Kelamin (L/P)", "L atau P."},
        {"Tanggal Lahir (dd/mm/yyyy)", "Hari dulu: 17/08/1945. Juga: 17 Agustus 1945."},
        {"Kelurahan/Desa", "Nama (mis. Lok Tuan) atau kode Kemendagri (64.74.01.1003)."},
        {"Ragam/Jenis Disabilitas",
         "fisik, intelektual, mental, netra, rungu, wicara; lebih dari satu dipisah koma."},
        {"Tingkat Keparahan", "ringan, sedang atau berat."},
        {"Latitude / Longitude",
         "Desimal, mis. 0.1345 dan 117.4931. Atau satu kolom Koordinat "
         "\"lat, lon\" seperti salinan Google Maps."},
        {"Alat Bantu", "mis. kursi_roda, kruk, tongkat_netra, alat_bantu_dengar."},
        {"Status", "aktif, pindah, meninggal atau nonaktif; selain aktif isi Tanggal Status."},
        {"WG ...",
         "Pertanyaan Washington Group: 1 tidak kesulitan, 2 sedikit, 3 banyak, 4 sama "
         "sekali tidak bisa."},
    };
    return io::write_xlsx(file.string(), {data, help});
}

} // namespace kapal::service
