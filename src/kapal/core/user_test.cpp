#include "kapal/core/user.hpp"

#include "kapal/core/person.hpp"

#include <gtest/gtest.h>

namespace kapal::core {
namespace {

ErrorCode code_of(std::string_view password, std::string_view user = "siti.aminah") {
    auto r = check_password_policy(password, user);
    return r ? ErrorCode::Internal : r.error().code;
}

TEST(PasswordPolicy, AcceptsLongPassphrasesWithoutCompositionRules) {
    EXPECT_TRUE(check_password_policy("kuda lari di pantai tanjung laut", "siti").has_value());
    EXPECT_TRUE(check_password_policy("correcthorsebatterystaple", "siti").has_value());
    EXPECT_TRUE(check_password_policy("Ñandú-Ünïcode-pässwörd", "siti").has_value());
}

TEST(PasswordPolicy, CountsCharactersNotBytes) {
    // nine characters, eighteen bytes: still too short
    EXPECT_EQ(code_of("ééééééééé"), ErrorCode::PasswordTooShort);
    EXPECT_EQ(code_of("short"), ErrorCode::PasswordTooShort);
    EXPECT_EQ(code_of(std::string(129, 'x') + "y"), ErrorCode::PasswordTooLong);
}

TEST(PasswordPolicy, RefusesCommonAndLocalFavourites) {
    EXPECT_EQ(code_of("Password123!"), ErrorCode::PasswordCommon);
    EXPECT_EQ(code_of("bismillah2024"), ErrorCode::PasswordCommon);
    EXPECT_EQ(code_of("Bontang#2026"), ErrorCode::PasswordCommon);
    EXPECT_EQ(code_of("1234567890"), ErrorCode::PasswordCommon);
    EXPECT_EQ(code_of("aaaaaaaaaaaa"), ErrorCode::PasswordCommon);
    EXPECT_EQ(code_of("0987654321"), ErrorCode::PasswordCommon);
}

TEST(PasswordPolicy, RefusesThePasswordContainingTheUserName) {
    EXPECT_EQ(code_of("xx-Siti.Aminah-xx"), ErrorCode::PasswordContainsUsername);
}

TEST(Usernames, AreLowerCasedAndChecked) {
    EXPECT_EQ(*normalise_username("  Operator.Utara "), "operator.utara");
    EXPECT_FALSE(normalise_username("ab").has_value());
    EXPECT_FALSE(normalise_username("nama dengan spasi").has_value());
    EXPECT_FALSE(normalise_username("x@y").has_value());
}

TEST(Roles, RoundTripThroughText) {
    for (const auto r : {Role::Admin,
                         Role::Operator,
                         Role::Penyalur,
                         Role::Merchant,
                         Role::Auditor,
                         Role::Viewer}) {
        EXPECT_EQ(parse_role(to_string(r)), r);
    }
    EXPECT_FALSE(parse_role("superuser").has_value());
}

TEST(Areas, UnknownCodesAreNamed) {
    RegionRegistry regions;
    regions.add({"64.74.01", "Bontang Utara", RegionLevel::Kecamatan, "64.74"});
    EXPECT_TRUE(check_area_codes({"64.74.01"}, regions).has_value());
    auto bad = check_area_codes({"64.74.01", "64.99"}, regions);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().fields.at(0).detail, "64.99");
}

TEST(Roles, OnlyAdminOperatorAndAuditorMayUnmask) {
    int allowed = 0;
    for (const auto r : kAllRoles) {
        allowed += may_unmask(r) ? 1 : 0;
    }
    EXPECT_EQ(allowed, 3);
    EXPECT_TRUE(may_unmask(Role::Operator));
    EXPECT_FALSE(may_unmask(Role::Viewer));
    EXPECT_FALSE(may_unmask(Role::Penyalur));
    EXPECT_FALSE(may_unmask(Role::Merchant));
}

TEST(Roles, ATokenRoleIsTheSameOrAReadOnlyViewOfARegistryRole) {
    for (const auto r : kAllRoles) {
        EXPECT_TRUE(role_within(r, r));
    }
    EXPECT_TRUE(role_within(Role::Viewer, Role::Operator));
    EXPECT_TRUE(role_within(Role::Viewer, Role::Auditor));
    EXPECT_FALSE(role_within(Role::Viewer, Role::Penyalur)); // would widen: no registry access
    EXPECT_FALSE(role_within(Role::Viewer, Role::Merchant));
    EXPECT_FALSE(role_within(Role::Admin, Role::Operator));
    EXPECT_FALSE(role_within(Role::Operator, Role::Viewer));
}

TEST(Areas, WithinComparesDottedPrefixes) {
    EXPECT_TRUE(areas_within({"64.74.01.1003"}, {"64.74.01"}));
    EXPECT_TRUE(areas_within({"64.74.01", "64.74.02.1001"}, {"64.74"}));
    EXPECT_FALSE(areas_within({"64.74.02"}, {"64.74.01"}));
    EXPECT_FALSE(areas_within({"64.74"}, {"64.74.01"})); // wider is not within
    EXPECT_TRUE(areas_within({}, {}));                   // everywhere within everywhere
    EXPECT_TRUE(areas_within({"64.74.03"}, {}));
    EXPECT_FALSE(areas_within({}, {"64.74.01"})); // everywhere is wider than one area
}

TEST(ConsentPurposes, ParseIndonesianAndEnglish) {
    EXPECT_EQ(parse_consent_purpose("bansos"), ConsentPurpose::SocialAssistance);
    EXPECT_EQ(parse_consent_purpose("Kartu"), ConsentPurpose::Card);
    for (const auto p : kAllConsentPurposes) {
        EXPECT_EQ(parse_consent_purpose(to_string(p)), p);
    }
    EXPECT_FALSE(parse_consent_purpose("marketing").has_value());
    Consent c;
    c.given = true;
    EXPECT_TRUE(c.covers(ConsentPurpose::Registration));
    EXPECT_FALSE(c.covers(ConsentPurpose::Card));
    c.purposes = {ConsentPurpose::Card};
    EXPECT_TRUE(c.covers(ConsentPurpose::Card));
    c.given = false;
    EXPECT_FALSE(c.covers(ConsentPurpose::Registration));
}

} // namespace
} // namespace kapal::core
