#include "kapal/service/dtks_layout.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace kapal::service {
namespace {

using core::Category;

std::vector<Category> cats(std::initializer_list<Category> list) {
    std::vector<Category> v(list);
    std::sort(v.begin(), v.end());
    return v;
}

TEST(DtksLayout, EveryCodeMapsToItsCategoriesAndBack) {
    const std::vector<std::pair<int, std::vector<Category>>> expected = {
        {1, cats({Category::Fisik})},
        {2, cats({Category::SensorikNetra})},
        {3, cats({Category::SensorikRungu})},
        {4, cats({Category::SensorikWicara})},
        {5, cats({Category::SensorikRungu, Category::SensorikWicara})},
        {6, cats({Category::SensorikNetra, Category::Fisik})},
        {7, cats({Category::SensorikNetra, Category::SensorikRungu, Category::SensorikWicara})},
        {8, cats({Category::SensorikRungu, Category::SensorikWicara, Category::Fisik})},
        {9,
         cats({Category::SensorikRungu,
               Category::SensorikWicara,
               Category::SensorikNetra,
               Category::Fisik})},
        {10, cats({Category::Intelektual})},
        {11, cats({Category::Mental})},
        {12, cats({Category::Fisik, Category::Intelektual})},
    };
    ASSERT_EQ(expected.size(), static_cast<std::size_t>(kDtksDisabilityCodeMax));
    for (const auto& [code, categories] : expected) {
        EXPECT_EQ(dtks_categories({code}), categories) << code;
        EXPECT_EQ(dtks_code_for(categories).value, code) << code;
        // the order the person's list happens to have does not matter
        auto reversed = categories;
        std::reverse(reversed.begin(), reversed.end());
        EXPECT_EQ(dtks_code_for(reversed).value, code) << code;
        EXPECT_FALSE(dtks_disability_label({code}).empty()) << code;
    }
    EXPECT_EQ(dtks_disability_label({0}), "Tidak cacat");
    EXPECT_EQ(dtks_disability_label({12}), "Cacat fisik dan mental");
    EXPECT_TRUE(dtks_disability_label({13}).empty());
    EXPECT_EQ(dtks_code_for({}).value, 0);
}

TEST(DtksLayout, CombinationsWithoutACodeNeverClaimAKindThePersonLacks) {
    // Every one of the 63 non-empty sets of categories gets a code 1..12; outside the body +
    // mind rule (code 12) the code's kinds are all the person's.
    for (unsigned mask = 1; mask < (1U << core::kAllCategories.size()); ++mask) {
        std::vector<Category> set;
        for (std::size_t i = 0; i < core::kAllCategories.size(); ++i) {
            if ((mask & (1U << i)) != 0) {
                set.push_back(core::kAllCategories[i]);
            }
        }
        const auto code = dtks_code_for(set);
        ASSERT_GE(code.value, 1) << mask;
        ASSERT_LE(code.value, 12) << mask;
        const auto has = dtks_categories(code);
        const bool body = std::any_of(set.begin(), set.end(), [](Category c) {
            return c != Category::Intelektual && c != Category::Mental;
        });
        const bool mind = std::any_of(set.begin(), set.end(), [](Category c) {
            return c == Category::Intelektual || c == Category::Mental;
        });
        if (code.value == 12) {
            EXPECT_TRUE(body && mind) << mask;
        } else {
            EXPECT_TRUE(std::includes(set.begin(), set.end(), has.begin(), has.end())) << mask;
        }
    }
    // Examples the docs give.
    EXPECT_EQ(dtks_code_for(cats({Category::Fisik, Category::Mental})).value, 12);
    EXPECT_EQ(dtks_code_for(cats({Category::SensorikNetra, Category::Intelektual})).value, 12);
    EXPECT_EQ(dtks_code_for(cats({Category::SensorikNetra, Category::SensorikRungu})).value, 2);
    EXPECT_EQ(dtks_code_for(cats({Category::Fisik, Category::SensorikWicara})).value, 1);
    EXPECT_EQ(dtks_code_for(cats({Category::Intelektual, Category::Mental})).value, 10);
}

TEST(DtksLayout, ReadsCodesAsOperatorsCopyThem) {
    for (const std::string text : {"3", "03", " 3 ", "3. Tuna rungu", "3 TUNA RUNGU", "3) rungu"}) {
        auto code = parse_dtks_disability_code(text);
        ASSERT_TRUE(code.has_value()) << text << ": " << code.error().message;
        EXPECT_EQ(code->value, 3) << text;
    }
    EXPECT_EQ(parse_dtks_disability_code("12")->value, 12);
    EXPECT_EQ(parse_dtks_disability_code("1")->value, 1);
}

TEST(DtksLayout, RefusesUnknownCodesWithAClearMessage) {
    for (const std::string text : {"", "13", "99", "-1", "abc", "tuna daksa", "3a", "123", "1.5"}) {
        auto code = parse_dtks_disability_code(text);
        ASSERT_FALSE(code.has_value()) << text;
        EXPECT_EQ(code.error().code, ErrorCode::InvalidArgument) << text;
        EXPECT_FALSE(code.error().message.empty()) << text;
    }
    EXPECT_NE(parse_dtks_disability_code("13").error().message.find("kode 13 tidak ada"),
              std::string::npos);
    EXPECT_NE(parse_dtks_disability_code("0").error().message.find("tidak cacat"),
              std::string::npos);
    EXPECT_NE(parse_dtks_disability_code("x").error().message.find("bukan kode"),
              std::string::npos);
}

// The exact header, in order: a change here changes the file offices send to the ministry.
TEST(DtksLayout, HeaderIsExactlyTheLayout) {
    const std::vector<std::string> golden = {"ID DTKS",
                                             "NIK",
                                             "No KK",
                                             "Nama",
                                             "Tempat Lahir",
                                             "Tanggal Lahir",
                                             "Jenis Kelamin",
                                             "Nama Ibu Kandung",
                                             "Hubungan Keluarga",
                                             "Status Perkawinan",
                                             "Alamat",
                                             "RT",
                                             "RW",
                                             "Provinsi",
                                             "Kabupaten/Kota",
                                             "Kecamatan",
                                             "Kode Desa/Kelurahan",
                                             "Desa/Kelurahan",
                                             "Jenis Disabilitas (Kode DTKS)",
                                             "Keterangan Jenis Disabilitas",
                                             "Ragam Disabilitas (UU 8/2016)",
                                             "Status",
                                             "Tanggal Status"};
    EXPECT_EQ(dtks_header(), golden);
    // Every header reads back as the field the layout says (the importer finds them all).
    for (const auto& c : dtks_columns()) {
        const auto matched = match_header(c.title);
        if (c.field) {
            ASSERT_TRUE(matched.has_value()) << c.title;
            EXPECT_EQ(*matched, *c.field) << c.title;
        } else {
            EXPECT_FALSE(matched.has_value()) << c.title << " would be read into a field";
        }
    }
}

TEST(DtksLayout, WritesAPersonInTheLayoutAndLeavesWhatKapalLacksEmpty) {
    core::RegionRegistry regions;
    regions.add({"64", "Kalimantan Timur", core::RegionLevel::Provinsi, ""});
    regions.add({"64.74", "Kota Bontang", core::RegionLevel::Kota, "64"});
    regions.add({"64.74.01", "Bontang Utara", core::RegionLevel::Kecamatan, "64.74"});
    regions.add({"64.74.01.1003", "Lok Tuan", core::RegionLevel::Kelurahan, "64.74.01"});
    core::Person p;
    p.nik = "6474014703850001";
    p.kk = "6474010101100003";
    p.full_name = "Siti Aminah";
    p.sex = core::Sex::Female;
    p.birth_place = "Bontang";
    p.birth_date = core::make_date(1985, 3, 7);
    p.address = {"Jl. Pupuk Raya", "003", "005", "64.74.01.1003"};
    p.categories = {Category::Fisik, Category::Mental};
    p.dtks_id = "6474010001";
    const auto row = person_to_dtks_row(p, regions);
    const auto header = dtks_header();
    ASSERT_EQ(row.size(), header.size());
    auto at = [&](const std::string& title) {
        const auto i = std::find(header.begin(), header.end(), title) - header.begin();
        return row[static_cast<std::size_t>(i)];
    };
    EXPECT_EQ(at("ID DTKS"), "6474010001");
    EXPECT_EQ(at("NIK"), "6474014703850001");
    EXPECT_EQ(at("No KK"), "6474010101100003");
    EXPECT_EQ(at("Tanggal Lahir"), "07/03/1985");
    EXPECT_EQ(at("Jenis Kelamin"), "PEREMPUAN");
    EXPECT_EQ(at("Nama Ibu Kandung"), "");
    EXPECT_EQ(at("Hubungan Keluarga"), "");
    EXPECT_EQ(at("Status Perkawinan"), "");
    EXPECT_EQ(at("RT"), "003");
    EXPECT_EQ(at("Provinsi"), "Kalimantan Timur");
    EXPECT_EQ(at("Kabupaten/Kota"), "Kota Bontang");
    EXPECT_EQ(at("Kecamatan"), "Bontang Utara");
    EXPECT_EQ(at("Kode Desa/Kelurahan"), "64.74.01.1003");
    EXPECT_EQ(at("Desa/Kelurahan"), "Lok Tuan");
    EXPECT_EQ(at("Jenis Disabilitas (Kode DTKS)"), "12");
    EXPECT_EQ(at("Keterangan Jenis Disabilitas"), "Cacat fisik dan mental");
    EXPECT_EQ(at("Ragam Disabilitas (UU 8/2016)"), "fisik, mental");
    EXPECT_EQ(at("Status"), "aktif");
    EXPECT_EQ(at("Tanggal Status"), "");
}

} // namespace
} // namespace kapal::service
