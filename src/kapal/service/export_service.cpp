#include "kapal/service/export_service.hpp"

#include "kapal/core/nik.hpp"
#include "kapal/io/csv_writer.hpp"
#include "kapal/io/xlsx_writer.hpp"
#include "kapal/service/import_service.hpp"
#include "kapal/service/person_table.hpp"

#include <fstream>

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

} // namespace

Result<std::size_t> export_persons(const std::filesystem::path& file,
                                   store::Store& store,
                                   const ReferenceData& ref,
                                   const ExportOptions& options) {
    std::vector<std::vector<std::string>> rows;
    std::ofstream csv_out;
    std::unique_ptr<io::CsvWriter> csv;
    if (options.format == ExportFormat::Csv) {
        csv_out.open(file, std::ios::binary | std::ios::trunc);
        if (!csv_out) {
            return fail(ErrorCode::Io, "cannot write " + file.string());
        }
        csv = std::make_unique<io::CsvWriter>(csv_out, ',', true);
        csv->write_row(header_row());
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
            if (!options.clear_ids) {
                rec.person.nik = core::mask_id_number(rec.person.nik);
                rec.person.kk = core::mask_id_number(rec.person.kk);
            }
            auto row = person_to_row(rec.person, ref.regions);
            row.push_back(rec.id.str());
            row.push_back(std::to_string(rec.version));
            row.push_back(core::format_timestamp(rec.updated_at));
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
    if (csv) {
        if (!csv_out.flush()) {
            return fail(ErrorCode::Io, "cannot write " + file.string());
        }
        return count;
    }
    io::XlsxSheet sheet{"Penyandang Disabilitas", header_row(), std::move(rows), {}};
    KAPAL_TRY(io::write_xlsx(file.string(), {sheet}));
    return count;
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
    io::XlsxSheet data{"Data", header, {}, template_dropdowns()};
    io::XlsxSheet help{"Petunjuk", {"Kolom", "Isi"}, {}, {}};
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
