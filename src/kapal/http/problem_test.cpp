#include "kapal/http/problem.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace kapal::http {
namespace {

Error nik_error() {
    return Error{ErrorCode::ValidationFailed,
                 "2 fields are invalid",
                 {FieldIssue{"nik", ErrorCode::NikLength, "15 digits"},
                  FieldIssue{"birth_date", ErrorCode::NikBirthDateMismatch, ""}}};
}

TEST(Problem, CarriesStableTypeTitleStatusAndFieldsInIndonesian) {
    const Response response = problem_response(nik_error(), "id");
    EXPECT_EQ(response.status, 422);
    EXPECT_EQ(response.header("Content-Type"), "application/problem+json");
    EXPECT_EQ(response.header("Content-Language"), "id");
    const auto body = nlohmann::json::parse(response.body);
    EXPECT_EQ(body["type"], "https://kapal.dinsos.bontangkota.go.id/problems/validation_failed");
    EXPECT_EQ(body["title"], "Data tidak valid");
    EXPECT_EQ(body["status"], 422);
    EXPECT_EQ(body["detail"], "2 fields are invalid");
    EXPECT_EQ(body["code"], "validation_failed");
    ASSERT_EQ(body["errors"].size(), 2U);
    EXPECT_EQ(body["errors"][0]["field"], "nik");
    EXPECT_EQ(body["errors"][0]["code"], "person.nik_length");
    EXPECT_EQ(body["errors"][0]["message"], "NIK harus 16 digit: 15 digits");
    EXPECT_EQ(body["errors"][0]["level"], "error");
    EXPECT_EQ(body["errors"][1]["level"], "warning");
    EXPECT_EQ(body["errors"][1]["message"], "Tanggal lahir di NIK berbeda dengan tanggal lahir");
}

TEST(Problem, UsesEnglishTitlesForEnglish) {
    const auto body = nlohmann::json::parse(problem_json(nik_error(), "en"));
    EXPECT_EQ(body["title"], "Invalid data");
    EXPECT_EQ(body["errors"][0]["message"], "NIK must have 16 digits: 15 digits");
}

TEST(Problem, HidesDetailOfServerErrorsAndHonoursStatusOverride) {
    const auto internal = nlohmann::json::parse(
        problem_json(Error{ErrorCode::Internal, "sqlite: table persons is locked", {}}, "en"));
    EXPECT_EQ(internal["status"], 500);
    EXPECT_FALSE(internal.contains("detail"));
    EXPECT_TRUE(internal["errors"].empty());
    const Response too_large = problem_response(ErrorCode::PayloadTooLarge, "en", "", 431);
    EXPECT_EQ(too_large.status, 431);
    EXPECT_EQ(nlohmann::json::parse(too_large.body)["status"], 431);
}

TEST(Problem, ReplacesInvalidUtf8InDetailInsteadOfThrowing) {
    const std::string text = problem_json(Error{ErrorCode::InvalidArgument, "bad \xff", {}}, "id");
    const auto body = nlohmann::json::parse(text);
    EXPECT_EQ(body["detail"], "bad \xEF\xBF\xBD"); // U+FFFD
}

} // namespace
} // namespace kapal::http
