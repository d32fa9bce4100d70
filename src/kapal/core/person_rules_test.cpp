#include "kapal/core/person_rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace kapal::core {
namespace {

RegionRegistry regions() {
    RegionRegistry r;
    r.add({"64.74.01.1003", "Lok Tuan", RegionLevel::Kelurahan, "64.74.01"});
    r.add_nik_prefix("647401");
    return r;
}

Person valid_person() {
    Person p;
    p.nik = "6474014703850002";
    p.kk = "6474010101100003";
    p.full_name = "  Siti Aminah ";
    p.sex = Sex::Female;
    p.birth_date = make_date(1985, 3, 7);
    p.address.kelurahan_code = "64.74.01.1003";
    p.address.rt = "007";
    p.categories = {Category::SensorikNetra, Category::Fisik, Category::Fisik};
    p.phone = "0812-3456-7890";
    return p;
}

bool has(const std::vector<FieldIssue>& v, const std::string& field, ErrorCode code) {
    return std::any_of(v.begin(), v.end(), [&](const FieldIssue& f) {
        return f.field == field && f.code == code;
    });
}

Date today() {
    return make_date(2026, 11, 28);
}

TEST(PersonRules, AcceptsAndNormalisesAValidPerson) {
    auto p = valid_person();
    const auto check = check_person(p, regions(), today());
    EXPECT_TRUE(check.ok());
    EXPECT_TRUE(check.warnings.empty());
    EXPECT_EQ(p.full_name, "Siti Aminah");
    EXPECT_EQ(p.categories, (std::vector{Category::Fisik, Category::SensorikNetra}));
}

TEST(PersonRules, ReportsEveryBadFieldAtOnce) {
    auto p = valid_person();
    p.nik = "123";
    p.full_name = " ";
    p.birth_date = make_date(2030, 1, 1);
    p.address.kelurahan_code = "64.74.09.9999";
    p.categories.clear();
    p.wgss[0] = 7;
    p.phone = "halo";
    const auto check = check_person(p, regions(), today());
    EXPECT_TRUE(has(check.errors, "nik", ErrorCode::NikLength));
    EXPECT_TRUE(has(check.errors, "full_name", ErrorCode::NameMissing));
    EXPECT_TRUE(has(check.errors, "birth_date", ErrorCode::BirthDateInFuture));
    EXPECT_TRUE(has(check.errors, "address.kelurahan_code", ErrorCode::KelurahanUnknown));
    EXPECT_TRUE(has(check.errors, "categories", ErrorCode::CategoryMissing));
    EXPECT_TRUE(has(check.errors, "wgss.seeing", ErrorCode::WgssInvalid));
    EXPECT_TRUE(has(check.errors, "phone", ErrorCode::PhoneInvalid));
}

TEST(PersonRules, NikDisagreementIsAWarningNotAnError) {
    auto p = valid_person();
    p.sex = Sex::Male;
    const auto check = check_person(p, regions(), today());
    EXPECT_TRUE(check.ok());
    EXPECT_TRUE(has(check.warnings, "nik", ErrorCode::NikSexMismatch));
    EXPECT_EQ(unconfirmed(check.warnings, p).size(), 1U);
    p.confirmed_warnings = {"person.nik_sex_mismatch"};
    EXPECT_TRUE(unconfirmed(check.warnings, p).empty());
}

TEST(PersonRules, StatusOtherThanAktifNeedsADate) {
    auto p = valid_person();
    p.status = Status::Meninggal;
    EXPECT_TRUE(has(
        check_person(p, regions(), today()).errors, "status_date", ErrorCode::StatusDateMissing));
    p.status_date = make_date(2026, 1, 2);
    EXPECT_TRUE(check_person(p, regions(), today()).ok());
}

TEST(PersonRules, RejectsCoordinatesOutOfRange) {
    auto p = valid_person();
    p.home = HomeLocation{117.5, 95.0, std::nullopt, LocationSource::Gps};
    EXPECT_TRUE(
        has(check_person(p, regions(), today()).errors, "home.lat", ErrorCode::LocationInvalid));
}

} // namespace
} // namespace kapal::core
