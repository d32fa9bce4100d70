#include "kapal/service/import_service.hpp"

#include "kapal/core/nik.hpp"
#include "kapal/io/csv_reader.hpp"
#include "kapal/io/xlsx_writer.hpp"
#include "kapal/service/dtks_layout.hpp"
#include "kapal/service/export_service.hpp"
#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace kapal::service {
namespace {

class ImportTest : public testing::StoreTest {
  protected:
    std::filesystem::path write(const std::string& name, const std::string& bytes) {
        const auto file = dir_ / name;
        std::ofstream(file, std::ios::binary) << bytes;
        return file;
    }

    Result<ImportSummary> run(const std::filesystem::path& file, ImportOptions options = {}) {
        return import_persons(file,
                              *store_,
                              testing::reference(),
                              clock_,
                              ids_,
                              {"tester", "cli", {}, std::nullopt},
                              options);
    }

    std::vector<std::vector<std::string>> read_csv(const std::filesystem::path& file) {
        auto reader = io::CsvReader::open(file.string());
        EXPECT_TRUE(reader.has_value());
        std::vector<std::vector<std::string>> rows;
        io::CsvRecord rec;
        while (true) {
            auto more = reader->next(rec);
            if (!more || !*more) {
                break;
            }
            rows.push_back(rec.fields);
        }
        return rows;
    }
};

// The file an office really sends: BOM, ';' separator (Indonesian Excel), a title row above the
// header, headers in their own spelling, a quoted newline in an address, blank lines, CRLF,
// Excel serial and dd/mm/yyyy dates, stray spaces, and a NIK that Excel turned into 6.47401E+15.
const std::string kMessy =
    "\xEF\xBB\xBF"
    "DATA PENYANDANG DISABILITAS KOTA BONTANG;;;;;;;;\r\n"
    "\r\n"
    "No;NIK;No. KK;NAMA LENGKAP;Jenis Kelamin (L/P);Tanggal Lahir;Alamat;Kelurahan/Desa;"
    "Ragam/Jenis Disabilitas;Tingkat Keparahan;Koordinat\r\n"
    "1; 6474011503850001 ;6474010101100003; Ahmad Yani ;L;15/03/1985;\"Jl. Pupuk Raya\r\nGg. "
    "Mawar No. 3\";Lok Tuan;Fisik;berat;\"0.163982, 117.468733\"\r\n"
    "\r\n"
    "2;6474014703850002;;Siti Aminah;P;31113;Jl. Ahmad Yani;Loktuan;netra, rungu;sedang;\r\n"
    "3;6.47401E+15;;Budi Santoso;L;01/01/1990;Jl. MT Haryono;Lok Tuan;mental;;\r\n"
    "4;6474013102900001;;Tanggal Salah;L;31/02/1990;Jl. X;Lok Tuan;fisik;;\r\n"
    "5;6474010505800003;;Tak Dikenal;L;05/05/1980;Jl. Y;Kelurahan Antah;fisik;;\r\n"
    ";;;;;;;;;;\r\n"
    "6;6474011212120004;;Tanpa Nama;L;12/12/2012;Jl. Z;Lok Tuan;fisik;;117.468733, 0.163982\r\n";

TEST_F(ImportTest, ImportsEveryGoodRowAndKeepsEveryBadOneWithReasons) {
    const auto file = write("messy.csv", kMessy);
    ImportOptions options;
    options.rejects_file = dir_ / "rejects.csv";
    auto summary = run(file, options);
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
    EXPECT_EQ(summary->header_row, 3U);
    EXPECT_EQ(summary->rows, 6U);
    EXPECT_EQ(summary->created, 3U);
    EXPECT_EQ(summary->rejected, 3U);

    // row 1: trimmed NIK and name, quoted newline kept, coordinates "lat, lon"
    auto ahmad = store_->find_person_by_nik("6474011503850001");
    ASSERT_TRUE(ahmad.has_value() && ahmad->has_value());
    const auto& a = (*ahmad)->person;
    EXPECT_EQ(a.full_name, "Ahmad Yani");
    EXPECT_EQ(a.address.street, "Jl. Pupuk Raya\r\nGg. Mawar No. 3");
    EXPECT_EQ(a.address.kelurahan_code, "64.74.01.1003");
    ASSERT_TRUE(a.home.has_value());
    EXPECT_DOUBLE_EQ(a.home->lat, 0.163982);
    EXPECT_DOUBLE_EQ(a.home->lon, 117.468733);

    // row 2: Excel serial 31113 = 1985-03-07; "Loktuan" spelling; two categories
    auto siti = store_->find_person_by_nik("6474014703850002");
    ASSERT_TRUE(siti.has_value() && siti->has_value());
    EXPECT_EQ(core::format_date((*siti)->person.birth_date), "1985-03-07");
    EXPECT_EQ((*siti)->person.categories,
              (std::vector{core::Category::SensorikNetra, core::Category::SensorikRungu}));

    // row 6: swapped Koordinat detected by range and warned
    ASSERT_EQ(summary->warnings.size(), 1U);
    EXPECT_EQ(summary->warnings[0].issues.at(0).code, ErrorCode::CoordinatesSwapped);
    auto swapped = store_->find_person_by_nik("6474011212120004");
    ASSERT_TRUE(swapped.has_value() && swapped->has_value());
    EXPECT_DOUBLE_EQ((*swapped)->person.home->lon, 117.468733);

    // rejects: each with its physical line and reason
    ASSERT_EQ(summary->rejects.size(), 3U);
    EXPECT_EQ(summary->rejects[0].row, 8U);
    EXPECT_EQ(summary->rejects[0].issues.at(0).code, ErrorCode::NikScientificNotation);
    EXPECT_EQ(summary->rejects[1].row, 9U);
    // both the birth date cell and the date inside the NIK are named
    ASSERT_EQ(summary->rejects[1].issues.size(), 2U);
    EXPECT_EQ(summary->rejects[1].issues[0].code, ErrorCode::BirthDateInvalid);
    EXPECT_EQ(summary->rejects[1].issues[1].code, ErrorCode::NikBirthDateInvalid);
    EXPECT_EQ(summary->rejects[2].row, 10U);
    EXPECT_EQ(summary->rejects[2].issues.at(0).code, ErrorCode::KelurahanUnknown);

    // the rejects file keeps the original columns, then Baris and Alasan
    const auto rows = read_csv(options.rejects_file);
    ASSERT_EQ(rows.size(), 4U);
    EXPECT_EQ(rows[0].back(), "Alasan");
    EXPECT_EQ(rows[1][1], "6.47401E+15");
    EXPECT_EQ(rows[1][rows[1].size() - 2], "8");
    EXPECT_NE(rows[1].back().find("NIK"), std::string::npos);
    EXPECT_NE(rows[3].back().find("Kelurahan tidak dikenal"), std::string::npos);
}

TEST_F(ImportTest, AnAccountLimitedToAnAreaImportsOnlyIntoIt) {
    const auto file = write("messy.csv", kMessy);
    const auto as = [&](std::vector<std::string> areas) {
        ImportOptions options;
        options.dry_run = true;
        return import_persons(file,
                              *store_,
                              testing::reference(),
                              clock_,
                              ids_,
                              {"operator", "127.0.0.1", std::move(areas), core::Role::Operator},
                              options);
    };
    // Lok Tuan lies in Bontang Utara (64.74.01): its operator imports the three good rows.
    auto utara = as({"64.74.01"});
    ASSERT_TRUE(utara.has_value()) << utara.error().message;
    EXPECT_EQ(utara->created, 3U);
    EXPECT_EQ(utara->rejected, 3U);
    // An operator of Bontang Selatan gets each of them refused, naming the kelurahan.
    auto selatan = as({"64.74.02"});
    ASSERT_TRUE(selatan.has_value()) << selatan.error().message;
    EXPECT_EQ(selatan->created, 0U);
    EXPECT_EQ(selatan->rejected, 6U);
    const auto& first = selatan->rejects.at(0);
    EXPECT_EQ(first.row, 4U);
    ASSERT_EQ(first.issues.size(), 1U);
    EXPECT_EQ(first.issues[0].code, ErrorCode::Forbidden);
    EXPECT_EQ(first.issues[0].field, "Kelurahan/Desa");
    EXPECT_EQ(first.issues[0].detail, "64.74.01.1003");
}

TEST_F(ImportTest, ImportingTheSameFileTwiceChangesNothing) {
    const auto file = write("messy.csv", kMessy);
    ASSERT_TRUE(run(file).has_value());
    const auto before = store_->info().persons;
    auto second = run(file);
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->created, 0U);
    EXPECT_EQ(second->unchanged, 3U);
    EXPECT_EQ(second->changed, 0U);
    EXPECT_EQ(store_->info().persons, before);
    auto history = store_->person_history((*store_->find_person_by_nik("6474011503850001"))->id);
    ASSERT_TRUE(history.has_value());
    EXPECT_EQ(history->size(), 1U);
}

TEST_F(ImportTest, AChangedRowIsReportedAndAppliedOnlyWithUpdate) {
    const std::string header = "NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n";
    ASSERT_TRUE(run(write("a.csv", header + "6474011503850001,Ahmad,L,15/03/1985,Lok Tuan,fisik\n"))
                    .has_value());
    const auto changed =
        write("b.csv", header + "6474011503850001,Ahmad,L,15/03/1985,Lok Tuan,mental\n");
    auto reported = run(changed);
    ASSERT_TRUE(reported.has_value());
    EXPECT_EQ(reported->changed, 1U);
    EXPECT_EQ((*store_->find_person_by_nik("6474011503850001"))->person.categories,
              std::vector{core::Category::Fisik});
    ImportOptions update;
    update.update = true;
    auto applied = run(changed, update);
    ASSERT_TRUE(applied.has_value());
    EXPECT_EQ(applied->updated, 1U);
    EXPECT_EQ((*store_->find_person_by_nik("6474011503850001"))->person.categories,
              std::vector{core::Category::Mental});
}

TEST_F(ImportTest, DryRunClassifiesButWritesNothing) {
    const auto file = write("messy.csv", kMessy);
    ImportOptions dry;
    dry.dry_run = true;
    auto summary = run(file, dry);
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->created, 3U);
    EXPECT_EQ(summary->rejected, 3U);
    EXPECT_EQ(store_->info().persons, 0);
}

TEST_F(ImportTest, RefusesARepeatedNikInOneFileNamingTheFirstRow) {
    const std::string csv = "NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n"
                            "6474011503850001,Ahmad,L,15/03/1985,Lok Tuan,fisik\n"
                            "6474011503850001,Ahmad Lain,L,15/03/1985,Lok Tuan,fisik\n";
    auto summary = run(write("dup.csv", csv));
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->created, 1U);
    ASSERT_EQ(summary->rejects.size(), 1U);
    EXPECT_EQ(summary->rejects[0].issues[0].code, ErrorCode::DuplicateNik);
    EXPECT_EQ(summary->rejects[0].issues[0].detail, "baris 2");
}

TEST_F(ImportTest, WarnsAboutALikelyDuplicateUnderAnotherNik) {
    const std::string csv = "NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n"
                            "6474011503850001,Ahmad Yani,L,15/03/1985,Lok Tuan,fisik\n"
                            "6474010303850002,AHMAD  YANI,L,03/03/1985,Lok Tuan,fisik\n"
                            "6474011503850003,Ahmad Yani,L,03/15/1985,Lok Tuan,fisik\n";
    auto summary = run(write("near.csv", csv));
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->created, 2U);  // the month-first date is refused
    EXPECT_EQ(summary->rejected, 1U); // 03/15/1985 is not day-first
    // same name, different birth date: not a duplicate
    EXPECT_TRUE(summary->warnings.empty());
    const std::string again = "NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n"
                              "6474010303850009,Ahmad Yani,L,03/03/1985,Lok Tuan,fisik\n";
    auto second = run(write("near2.csv", again));
    ASSERT_TRUE(second.has_value());
    ASSERT_EQ(second->warnings.size(), 1U);
    EXPECT_EQ(second->warnings[0].issues[0].code, ErrorCode::PossibleDuplicate);
}

TEST_F(ImportTest, ReadsXlsxWithNumberAndDateCells) {
    const auto file = dir_ / "data.xlsx";
    io::XlsxSheet sheet{
        "Data",
        {"NIK", "Nama Lengkap", "JK", "Tgl Lahir", "Kelurahan", "Kecamatan", "Ragam"},
        {{"6474011503850001", "Ahmad", "L", "15/03/1985", "Guntung", "Bontang Utara", "fisik"}},
        {},
        {}};
    ASSERT_TRUE(io::write_xlsx(file.string(), {sheet}).has_value());
    auto summary = run(file);
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
    EXPECT_EQ(summary->created, 1U);
    EXPECT_EQ((*store_->find_person_by_nik("6474011503850001"))->person.address.kelurahan_code,
              "64.74.01.1004");
}

TEST_F(ImportTest, NamesTheMissingRequiredColumns) {
    auto summary = run(write("bad.csv", "NIK,Nama,Alamat\n6474011503850001,A,B\n"));
    ASSERT_FALSE(summary.has_value());
    EXPECT_EQ(summary.error().code, ErrorCode::ImportColumnMissing);
    EXPECT_GE(summary.error().fields.size(), 3U);
}

TEST_F(ImportTest, TemplateRoundTripsThroughTheReader) {
    const auto file = dir_ / "template.csv";
    ASSERT_TRUE(write_import_template(file).has_value());
    auto table = open_table(file);
    ASSERT_TRUE(table.has_value());
    std::vector<TableCell> header;
    std::size_t line = 0;
    ASSERT_TRUE(*(*table)->next(header, line));
    const auto map = map_columns(header);
    EXPECT_EQ(map.matched, template_columns().size());
    ASSERT_TRUE(write_import_template(dir_ / "template.xlsx").has_value());
}

// ---------------------------------------------------------------------------------------------
// The DTKS layout (dtks_layout.hpp): export, then import into an empty store.

/// The fields the DTKS layout carries, for comparing a person before and after a round trip.
std::string dtks_fields(const core::Person& p) {
    auto categories = p.categories;
    std::sort(categories.begin(), categories.end());
    std::string s = p.nik + "|" + p.kk + "|" + p.full_name + "|" +
                    std::string(core::to_string(p.sex)) + "|" + p.birth_place + "|" +
                    core::format_date(p.birth_date) + "|" + p.address.street + "|" + p.address.rt +
                    "|" + p.address.rw + "|" + p.address.kelurahan_code + "|" + p.dtks_id + "|" +
                    std::string(core::to_string(p.status)) + "|" +
                    (p.status_date ? core::format_date(*p.status_date) : "") + "|";
    for (const auto c : categories) {
        s += std::string(core::to_string(c)) + ",";
    }
    return s;
}

/// Every person of `store`, as dtks_fields, sorted.
std::vector<std::string> dtks_view(store::Store& store) {
    std::vector<std::string> out;
    store::PersonQuery q;
    q.limit = 1000;
    auto page = store.list_persons(q);
    EXPECT_TRUE(page.has_value());
    for (const auto& rec : page->items) {
        out.push_back(dtks_fields(rec.person));
    }
    std::sort(out.begin(), out.end());
    return out;
}

TEST_F(ImportTest, ADtksExportImportsBackIntoAnEmptyStoreAsTheSamePersons) {
    // Persons of every DTKS code and two combinations the list has no code for, one of them
    // deceased, one without KK.
    const std::vector<std::string> ragam = {"fisik",
                                            "netra",
                                            "rungu",
                                            "wicara",
                                            "rungu, wicara",
                                            "netra, fisik",
                                            "netra, rungu, wicara",
                                            "fisik, rungu, wicara",
                                            "fisik, netra, rungu, wicara",
                                            "intelektual",
                                            "mental",
                                            "fisik, intelektual",
                                            "fisik, mental",
                                            "netra, rungu"};
    std::string csv = "NIK,No. KK,Nama Lengkap,Jenis Kelamin,Tempat Lahir,Tanggal Lahir,Alamat,RT,"
                      "RW,Kelurahan/Desa,Ragam/Jenis Disabilitas,ID DTKS,Status,Tanggal Status\n";
    for (std::size_t i = 0; i < ragam.size(); ++i) {
        const int n = static_cast<int>(i);
        csv += testing::test_person_nik(n) + "," + (i == 3 ? "" : "6474010101100003") + "," +
               testing::test_person_name(n) + ",P,Bontang,07/03/1985,Jl. Pupuk Raya No. " +
               std::to_string(i) + ",00" + std::to_string(i % 9 + 1) + ",002," +
               (i % 2 == 0 ? "Lok Tuan" : "Tanjung Laut") + ",\"" + ragam[i] + "\"," +
               (i % 3 == 0 ? "DTKS-" + std::to_string(i) : "") + "," +
               (i == 5 ? "meninggal,02/10/2026" : "aktif,") + "\n";
    }
    auto first = run(write("kapal.csv", csv));
    ASSERT_TRUE(first.has_value()) << first.error().message;
    ASSERT_EQ(first->created, ragam.size());
    const auto before = dtks_view(*store_);

    for (const auto format : {ExportFormat::Csv, ExportFormat::Xlsx}) {
        const auto file = dir_ / (format == ExportFormat::Csv ? "dtks.csv" : "dtks.xlsx");
        ExportOptions options;
        options.format = format;
        options.layout = ExportLayout::Dtks;
        options.clear_ids = true;
        auto written = export_persons(file, *store_, testing::reference(), options);
        ASSERT_TRUE(written.has_value()) << written.error().message;
        EXPECT_EQ(*written, ragam.size());

        const auto other_keys = store::generate_store_keys();
        auto other = store::open_sqlite_store(dir_ / ("other-" + file.filename().string() + ".db"),
                                              other_keys);
        ASSERT_TRUE(other.has_value()) << other.error().message;
        auto imported = import_persons(file,
                                       **other,
                                       testing::reference(),
                                       clock_,
                                       ids_,
                                       {"tester", "cli", {}, std::nullopt},
                                       {});
        ASSERT_TRUE(imported.has_value()) << imported.error().message;
        EXPECT_EQ(imported->created, ragam.size()) << file;
        EXPECT_EQ(imported->rejected, 0U) << file;
        // What Kapal does not hold is listed as ignored, nothing else.
        EXPECT_EQ(imported->unknown_columns,
                  (std::vector<std::string>{"Nama Ibu Kandung",
                                            "Hubungan Keluarga",
                                            "Status Perkawinan",
                                            "Provinsi",
                                            "Kabupaten/Kota",
                                            "Keterangan Jenis Disabilitas"}))
            << file;
        EXPECT_EQ(dtks_view(**other), before) << file;

        // Idempotent: the same file again changes nothing.
        auto again = import_persons(file,
                                    **other,
                                    testing::reference(),
                                    clock_,
                                    ids_,
                                    {"tester", "cli", {}, std::nullopt},
                                    {});
        ASSERT_TRUE(again.has_value());
        EXPECT_EQ(again->unchanged, ragam.size()) << file;
        EXPECT_EQ(again->created, 0U) << file;
    }
}

TEST_F(ImportTest, ADtksExportMasksNikAndKkUnlessAskedAndRefusesGisFormats) {
    ASSERT_TRUE(run(write("one.csv",
                          "NIK,No. KK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n" +
                              testing::test_person_nik(1) +
                              ",6474010101100003,Siti,P,07/03/1985,Lok Tuan,fisik\n"))
                    .has_value());
    ExportOptions options;
    options.layout = ExportLayout::Dtks;
    const auto file = dir_ / "masked.csv";
    ASSERT_TRUE(export_persons(file, *store_, testing::reference(), options).has_value());
    const auto rows = read_csv(file);
    ASSERT_EQ(rows.size(), 2U);
    EXPECT_EQ(rows[0], dtks_header());
    EXPECT_EQ(rows[1][1], core::mask_id_number(testing::test_person_nik(1)));
    EXPECT_EQ(rows[1][2], core::mask_id_number("6474010101100003"));
    EXPECT_EQ(rows[1][18], "1");
    EXPECT_EQ(rows[1][19], "Tuna daksa/cacat tubuh");

    for (const auto gis : {ExportFormat::GeoJson, ExportFormat::Gpkg}) {
        options.format = gis;
        auto refused = export_persons(dir_ / "x.geojson", *store_, testing::reference(), options);
        ASSERT_FALSE(refused.has_value());
        EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
        ASSERT_EQ(refused.error().fields.size(), 1U);
        EXPECT_EQ(refused.error().fields[0].field, "layout");
    }
}

TEST_F(ImportTest, ReadsANationalFileWithOnlyTheDtksCode) {
    // A file as a SIKS-NG user would keep it: codes, upper-case headers, no ragam column.
    const auto file = write(
        "siks.csv",
        "ID DTKS;NIK;NO KK;NAMA;JENIS KELAMIN;TANGGAL LAHIR;NAMA IBU KANDUNG;KODE DESA;JENIS "
        "CACAT\n"
        "6474010001;" +
            testing::test_person_nik(2) +
            ";6474010101100003;Citra;PEREMPUAN;07-03-1985;Aminah;64.74.01.1003;5. Tuna rungu dan "
            "wicara\n" +
            ";" + testing::test_person_nik(3) + ";;Dewi;PEREMPUAN;07-03-1985;;64.74.01.1003;12\n");
    auto summary = run(file);
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
    EXPECT_EQ(summary->created, 2U);
    EXPECT_EQ(summary->rejected, 0U);
    EXPECT_EQ(summary->unknown_columns, std::vector<std::string>{"NAMA IBU KANDUNG"});
    auto citra = store_->find_person_by_nik(testing::test_person_nik(2));
    ASSERT_TRUE(citra.has_value() && *citra);
    const auto& p = (*citra)->person;
    EXPECT_EQ(p.dtks_id, "6474010001");
    EXPECT_EQ(p.address.kelurahan_code, "64.74.01.1003");
    auto categories = p.categories;
    std::sort(categories.begin(), categories.end());
    EXPECT_EQ(categories,
              (std::vector<core::Category>{core::Category::SensorikRungu,
                                           core::Category::SensorikWicara}));
    // 12, "cacat fisik dan mental": fisik and intelektual (the list's "cacat mental").
    auto dewi = store_->find_person_by_nik(testing::test_person_nik(3));
    ASSERT_TRUE(dewi.has_value() && *dewi);
    categories = (*dewi)->person.categories;
    std::sort(categories.begin(), categories.end());
    EXPECT_EQ(categories,
              (std::vector<core::Category>{core::Category::Fisik, core::Category::Intelektual}));
}

TEST_F(ImportTest, AJenisCacatColumnOfWordsIsReadAsTheRagam) {
    // An old office sheet: "Jenis Cacat" holding the tuna words, not codes.
    const auto file =
        write("lama.csv",
              "NIK,Nama,Jenis Kelamin,Tanggal Lahir,Kelurahan,Jenis Cacat\n" +
                  testing::test_person_nik(20) + ",Lama Satu,P,07/03/1985,Lok Tuan,tuna daksa\n" +
                  testing::test_person_nik(21) +
                  ",Lama Dua,P,07/03/1985,Lok Tuan,\"tuna netra, tuna rungu wicara\"\n" +
                  testing::test_person_nik(22) + ",Lama Tiga,P,07/03/1985,Lok Tuan,tuna apa\n");
    auto summary = run(file);
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
    EXPECT_EQ(summary->created, 2U);
    ASSERT_EQ(summary->rejects.size(), 1U);
    EXPECT_EQ(summary->rejects[0].row, 4U);
    EXPECT_EQ(summary->rejects[0].issues[0].field, "Jenis Cacat");
    auto two = store_->find_person_by_nik(testing::test_person_nik(21));
    ASSERT_TRUE(two.has_value() && *two);
    auto categories = (*two)->person.categories;
    std::sort(categories.begin(), categories.end());
    EXPECT_EQ(categories,
              (std::vector<core::Category>{core::Category::SensorikNetra,
                                           core::Category::SensorikRungu,
                                           core::Category::SensorikWicara}));
}

TEST_F(ImportTest, BadDtksCodesAreRefusedNamingRowAndColumn) {
    const std::string header =
        "NIK,Nama,Jenis Kelamin,Tanggal Lahir,Kode Desa/Kelurahan,Jenis Disabilitas (Kode DTKS),"
        "Ragam Disabilitas (UU 8/2016)\n";
    const auto row = [](int n, const std::string& code, const std::string& ragam) {
        return testing::test_person_nik(n) + "," + testing::test_person_name(n) +
               ",P,07/03/1985,64.74.01.1003," + code + ",\"" + ragam + "\"\n";
    };
    const auto file = write("bad-dtks.csv",
                            header + row(10, "1", "fisik") +     // line 2: good
                                row(11, "13", "") +              // line 3: no such code
                                row(12, "0", "") +               // line 4: tidak cacat
                                row(13, "9x", "") +              // line 5: not a code
                                row(14, "3", "fisik") +          // line 6: code and ragam differ
                                row(15, "12", "fisik, mental")); // line 7: good (rule 12)
    ImportOptions options;
    options.rejects_file = dir_ / "rejects.csv";
    auto summary = run(file, options);
    ASSERT_TRUE(summary.has_value()) << summary.error().message;
    EXPECT_EQ(summary->created, 2U);
    EXPECT_EQ(summary->rejected, 4U);
    ASSERT_EQ(summary->rejects.size(), 4U);
    const std::vector<std::pair<std::size_t, std::string>> expected = {
        {3, "kode 13 tidak ada"},
        {4, "tidak cacat"},
        {5, "\"9x\" bukan kode"},
        {6, "kode 3 (Tuna rungu) tidak sesuai dengan ragam fisik (kode 1)"},
    };
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& r = summary->rejects[i];
        EXPECT_EQ(r.row, expected[i].first);
        ASSERT_FALSE(r.issues.empty()) << r.row;
        EXPECT_EQ(r.issues[0].field, "Jenis Disabilitas (Kode DTKS)") << r.row;
        EXPECT_EQ(r.issues[0].code, ErrorCode::CategoryInvalid) << r.row;
        EXPECT_NE(r.issues[0].detail.find(expected[i].second), std::string::npos)
            << r.row << ": " << r.issues[0].detail;
    }
    // The rejects file says the same, row by row, in words.
    const auto rejected = read_csv(options.rejects_file);
    ASSERT_EQ(rejected.size(), 5U);
    EXPECT_EQ(rejected[1][rejected[1].size() - 2], "3");
    EXPECT_NE(rejected[1].back().find("Jenis Disabilitas (Kode DTKS)"), std::string::npos);
}

} // namespace
} // namespace kapal::service
