#include "kapal/core/error_code.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace kapal {
namespace {

TEST(ErrorCatalogue, HasOneEntryPerCodeAtItsIndex) {
    for (std::size_t i = 0; i < error_code_count(); ++i) {
        const auto code = static_cast<ErrorCode>(i);
        EXPECT_EQ(error_info(code).code, code) << "catalogue entry " << i << " is out of order";
    }
    // the last enumerator is in the table
    EXPECT_EQ(error_info(ErrorCode::AccountDisabled).code, ErrorCode::AccountDisabled);
}

TEST(ErrorCatalogue, IdsAreUniqueAndRoundTrip) {
    std::set<std::string> ids;
    for (std::size_t i = 0; i < error_code_count(); ++i) {
        const auto& info = error_info(static_cast<ErrorCode>(i));
        EXPECT_TRUE(ids.insert(std::string(info.id)).second) << info.id;
        EXPECT_EQ(error_code_from_id(info.id), info.code);
        EXPECT_FALSE(info.title_id.empty());
        EXPECT_FALSE(info.title_en.empty());
        EXPECT_GE(info.http_status, 400);
        EXPECT_LT(info.http_status, 600);
    }
    EXPECT_FALSE(error_code_from_id("no.such.id").has_value());
}

TEST(ErrorCatalogue, TitlesFollowTheLanguage) {
    EXPECT_EQ(error_title(ErrorCode::NikLength, "id"), "NIK harus 16 digit");
    EXPECT_EQ(error_title(ErrorCode::NikLength, "en"), "NIK must have 16 digits");
    EXPECT_EQ(error_title(ErrorCode::NikLength, "fr"), "NIK harus 16 digit");
}

TEST(ErrorCatalogue, WarningsAreMarkedAsWarnings) {
    EXPECT_EQ(error_info(ErrorCode::NikBirthDateMismatch).level, IssueLevel::Warning);
    EXPECT_EQ(error_info(ErrorCode::NikLength).level, IssueLevel::Error);
}

} // namespace
} // namespace kapal
