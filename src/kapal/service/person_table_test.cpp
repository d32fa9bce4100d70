#include "kapal/service/person_table.hpp"

#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

namespace kapal::service {
namespace {

std::vector<TableCell> cells(std::initializer_list<const char*> texts) {
    std::vector<TableCell> out;
    for (const char* t : texts) {
        out.push_back({t, false, false});
    }
    return out;
}

TEST(PersonTable, MatchesHeadersRegardlessOfCaseSpacingAndPunctuation) {
    EXPECT_EQ(match_header("No. KK"), PersonColumn::Kk);
    EXPECT_EQ(match_header("NO KK"), PersonColumn::Kk);
    EXPECT_EQ(match_header("nama  lengkap"), PersonColumn::Name);
    EXPECT_EQ(match_header("Jenis Kelamin (L/P)"), PersonColumn::Sex);
    EXPECT_EQ(match_header("Kelurahan/Desa"), PersonColumn::Kelurahan);
    EXPECT_EQ(match_header("Ragam/Jenis Disabilitas"), PersonColumn::Categories);
    EXPECT_EQ(match_header("KOORDINAT"), PersonColumn::Koordinat);
    EXPECT_FALSE(match_header("Keterangan lain").has_value());
}

TEST(PersonTable, SplitsLegacyCategoryWords) {
    const auto header =
        cells({"NIK", "Nama", "JK", "Tanggal Lahir", "Kelurahan", "Jenis Disabilitas"});
    const auto row = cells({"6474011503850001",
                            "A",
                            "L",
                            "15-03-1985",
                            "Guntung",
                            "Tuna Rungu Wicara dan tuna daksa"});
    const auto conv =
        row_to_person(row, map_columns(header), header, testing::reference().regions, "64.74");
    EXPECT_TRUE(conv.errors.empty());
    EXPECT_EQ(conv.person.categories,
              (std::vector{core::Category::SensorikRungu,
                           core::Category::SensorikWicara,
                           core::Category::Fisik}));
}

TEST(PersonTable, ExportRowReimportsToTheSamePerson) {
    core::Person p;
    p.nik = "6474014703850002";
    p.kk = "6474010101100003";
    p.full_name = "Siti Aminah";
    p.sex = core::Sex::Female;
    p.birth_place = "Bontang";
    p.birth_date = core::make_date(1985, 3, 7);
    p.address = {"Jl. Ahmad Yani", "007", "02", "64.74.01.1003"};
    p.home = core::HomeLocation{117.485, 0.169, std::nullopt, core::LocationSource::Imported};
    p.categories = {core::Category::Fisik, core::Category::SensorikNetra};
    p.severity = core::DisabilitySeverity::Berat;
    p.assistive_devices = {"kursi_roda"};
    p.wgss[2] = 4;
    p.dtks = true;
    p.caregiver = core::Caregiver{"Rina", "anak", "081234567890"};
    p.consent.given = true;
    p.consent.date = core::make_date(2026, 1, 5);
    p.consent.given_by = "Rina (anak)";
    p.consent.purposes = {core::ConsentPurpose::SocialAssistance, core::ConsentPurpose::Card};
    std::vector<TableCell> header;
    for (const auto c : template_columns()) {
        header.push_back({std::string(column_title(c)), false, false});
    }
    std::vector<TableCell> row;
    for (auto& text : person_to_row(p, testing::reference().regions)) {
        row.push_back({text, false, false});
    }
    const auto conv =
        row_to_person(row, map_columns(header), header, testing::reference().regions, "64.74");
    EXPECT_TRUE(conv.errors.empty());
    EXPECT_EQ(conv.person, p);
}

TEST(PersonTable, ReadsConsentColumnsInIndonesianAndNamesABadPurpose) {
    const auto header = cells({"NIK",
                               "Nama",
                               "JK",
                               "Tanggal Lahir",
                               "Kelurahan",
                               "Jenis Disabilitas",
                               "Persetujuan",
                               "Tanggal Persetujuan",
                               "Pemberi Persetujuan",
                               "Tujuan Persetujuan"});
    const auto row = cells({"6474011503850001",
                            "A",
                            "L",
                            "15-03-1985",
                            "Guntung",
                            "daksa",
                            "Ya",
                            "05/01/2026",
                            "self",
                            "bansos; Kartu, berbagi data"});
    const auto conv =
        row_to_person(row, map_columns(header), header, testing::reference().regions, "64.74");
    EXPECT_TRUE(conv.errors.empty());
    EXPECT_TRUE(conv.person.consent.given);
    EXPECT_EQ(conv.person.consent.date, core::make_date(2026, 1, 5));
    EXPECT_EQ(conv.person.consent.purposes,
              (std::vector{core::ConsentPurpose::SocialAssistance,
                           core::ConsentPurpose::Card,
                           core::ConsentPurpose::DataSharing}));

    auto bad = cells({"6474011503850001",
                      "A",
                      "L",
                      "15-03-1985",
                      "Guntung",
                      "daksa",
                      "mungkin",
                      "",
                      "",
                      "iklan"});
    const auto refused =
        row_to_person(bad, map_columns(header), header, testing::reference().regions, "64.74");
    ASSERT_EQ(refused.errors.size(), 2U);
    EXPECT_EQ(refused.errors[0].field, "Persetujuan");
    EXPECT_EQ(refused.errors[1].code, ErrorCode::ConsentPurposeInvalid);
    EXPECT_EQ(refused.errors[1].detail, "iklan");
}

} // namespace
} // namespace kapal::service
