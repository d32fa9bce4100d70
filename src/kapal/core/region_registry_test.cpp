#include "kapal/core/region_registry.hpp"

#include <gtest/gtest.h>

namespace kapal::core {
namespace {

RegionRegistry bontang() {
    RegionRegistry r;
    r.add({"64.74", "Kota Bontang", RegionLevel::Kota, "64"});
    r.add({"64.74.01", "Bontang Utara", RegionLevel::Kecamatan, "64.74"});
    r.add({"64.74.02", "Bontang Selatan", RegionLevel::Kecamatan, "64.74"});
    r.add({"64.74.01.1003", "Lok Tuan", RegionLevel::Kelurahan, "64.74.01"});
    r.add({"64.74.01.1006", "Api-api", RegionLevel::Kelurahan, "64.74.01"});
    r.add({"64.74.02.1002", "Berbas Tengah", RegionLevel::Kelurahan, "64.74.02"});
    r.add({"64.72.01.1001", "Tengah", RegionLevel::Kelurahan, "64.72.01"});
    r.add({"64.74.02.1009", "Tengah", RegionLevel::Kelurahan, "64.74.02"});
    r.add_alias("64.74.02.1002", "Berebas Tengah");
    return r;
}

TEST(RegionRegistry, FindsVillagesByLooseName) {
    const auto r = bontang();
    ASSERT_NE(r.find_village("LOK TUAN"), nullptr);
    EXPECT_EQ(r.find_village("Loktuan")->code, "64.74.01.1003");
    EXPECT_EQ(r.find_village("Api Api")->code, "64.74.01.1006");
    EXPECT_EQ(r.find_village("Kel. Api-Api")->code, "64.74.01.1006");
    EXPECT_EQ(r.find_village("Berebas Tengah")->code, "64.74.02.1002");
    EXPECT_EQ(r.find_village("64.74.01.1003")->code, "64.74.01.1003");
    EXPECT_EQ(r.find_village("Nowhere"), nullptr);
}

TEST(RegionRegistry, RefusesAmbiguousNamesUnlessRestricted) {
    const auto r = bontang();
    EXPECT_EQ(r.find_village("Tengah"), nullptr);
    ASSERT_NE(r.find_village("Tengah", "64.74"), nullptr);
    EXPECT_EQ(r.find_village("Tengah", "64.74")->code, "64.74.02.1009");
}

TEST(RegionRegistry, KecamatanByNameAndLevelChecks) {
    const auto r = bontang();
    EXPECT_EQ(r.find_kecamatan("Kecamatan Bontang Utara")->code, "64.74.01");
    EXPECT_EQ(r.find_kecamatan("Lok Tuan"), nullptr);
    EXPECT_TRUE(r.is_village("64.74.01.1003"));
    EXPECT_FALSE(r.is_village("64.74.01"));
}

TEST(RegionRegistry, CodeWithinFollowsDottedParts) {
    EXPECT_TRUE(code_within("64.74.01.1003", "64.74"));
    EXPECT_TRUE(code_within("64.74", "64.74"));
    EXPECT_FALSE(code_within("64.741", "64.74"));
    EXPECT_FALSE(code_within("64.7", "64.74"));
}

TEST(RegionRegistry, ChildrenInCodeOrder) {
    const auto regions = bontang(); // children() points into the registry: keep it alive
    const auto kids = regions.children("64.74.01");
    ASSERT_EQ(kids.size(), 2U);
    EXPECT_EQ(kids[0]->code, "64.74.01.1003");
    EXPECT_EQ(kids[1]->code, "64.74.01.1006");
}

} // namespace
} // namespace kapal::core
