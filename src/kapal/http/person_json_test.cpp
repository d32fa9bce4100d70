#include "kapal/http/person_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace kapal::http {
namespace {

bool has(const Error& e, const std::string& field, ErrorCode code) {
    return std::any_of(e.fields.begin(), e.fields.end(), [&](const FieldIssue& f) {
        return f.field == field && f.code == code;
    });
}

const char* kFull = R"({
  "nik": "6474014703850002", "kk": "6474010101100003", "full_name": "Siti Aminah",
  "sex": "P", "birth_place": "Bontang", "birth_date": "1985-03-07",
  "address": {"street": "Jl. Pupuk Raya", "rt": "007", "rw": "02", "kelurahan_code": "64.74.01.1003"},
  "home": {"lon": 117.4687, "lat": 0.164, "accuracy_m": 12.5, "source": "gps"},
  "categories": ["fisik", "netra"], "disability_subtype": "paraplegia", "severity": "berat",
  "wgss": {"seeing": 3, "walking": 4},
  "onset": "didapat", "onset_year": 2001, "cause": "kecelakaan", "cause_note": "jatuh",
  "assistive_devices": ["kursi_roda"], "therapies": ["fisioterapi"], "needs_note": "",
  "caregiver": {"name": "Rina", "relationship": "anak", "phone": "081234567890"},
  "dtks": true, "dtks_id": "DTKS-1", "phone": "0812-3456-7890",
  "account": {"kind": "bank", "provider": "Bankaltimtara", "number": "0012345678", "holder_name": "Siti"},
  "documents": [{"id": "d1", "kind": "ktp", "name": "ktp.jpg"}],
  "consent": {"given": true, "date": "2026-01-05", "given_by": "self"},
  "status": "aktif", "change_reason": "pendataan awal"
})";

TEST(PersonJson, ReadsEveryField) {
    auto input = person_from_json(kFull);
    ASSERT_TRUE(input.has_value()) << input.error().message;
    const auto& p = input->person;
    EXPECT_EQ(p.nik, "6474014703850002");
    EXPECT_EQ(p.sex, core::Sex::Female);
    EXPECT_EQ(core::format_date(p.birth_date), "1985-03-07");
    ASSERT_TRUE(p.home.has_value());
    EXPECT_EQ(p.home->source, core::LocationSource::Gps);
    EXPECT_EQ(p.categories, (std::vector{core::Category::Fisik, core::Category::SensorikNetra}));
    EXPECT_EQ(p.wgss[0], 3);
    EXPECT_EQ(p.wgss[2], 4);
    EXPECT_FALSE(p.wgss[1].has_value());
    EXPECT_EQ(p.onset_year, 2001);
    ASSERT_TRUE(p.account.has_value());
    EXPECT_EQ(p.account->number, "0012345678");
    EXPECT_EQ(p.documents.size(), 1U);
    EXPECT_TRUE(p.consent.given);
    EXPECT_EQ(input->change_reason, "pendataan awal");
}

TEST(PersonJson, NamesUnknownFieldsAtTheirPath) {
    auto input = person_from_json(
        R"({"nik":"6474014703850002","full_name":"A","sex":"P","birth_date":"1985-03-07",
            "categories":["fisik"],"nama":"x","address":{"kelurahan":"Lok Tuan"}})");
    ASSERT_FALSE(input.has_value());
    EXPECT_TRUE(has(input.error(), "nama", ErrorCode::UnknownField));
    EXPECT_TRUE(has(input.error(), "address.kelurahan", ErrorCode::UnknownField));
}

TEST(PersonJson, NamesWrongTypes) {
    auto input = person_from_json(
        R"({"nik":6474014703850002,"full_name":"A","sex":"P","birth_date":"1985-03-07",
            "categories":"fisik","wgss":{"seeing":2.5},"dtks":"ya","home":{"lon":"117","lat":0.1}})");
    ASSERT_FALSE(input.has_value());
    EXPECT_TRUE(has(input.error(), "nik", ErrorCode::FieldTypeMismatch));
    EXPECT_TRUE(has(input.error(), "categories", ErrorCode::FieldTypeMismatch));
    EXPECT_TRUE(has(input.error(), "wgss.seeing", ErrorCode::FieldTypeMismatch));
    EXPECT_TRUE(has(input.error(), "dtks", ErrorCode::FieldTypeMismatch));
    EXPECT_TRUE(has(input.error(), "home.lon", ErrorCode::FieldTypeMismatch));
}

TEST(PersonJson, AcceptsWhatTheApiReturnedAndMasksOnOutput) {
    auto input = person_from_json(kFull);
    ASSERT_TRUE(input.has_value());
    core::PersonRecord record;
    record.id = core::PersonId("01901234-5678-7abc-8234-56789abcdef0");
    record.version = 3;
    record.kecamatan_code = "64.74.01";
    record.person = input->person;
    const auto text = person_to_json(record);
    EXPECT_EQ(text.find("6474014703850002"), std::string::npos);
    EXPECT_EQ(text.find("0012345678"), std::string::npos);
    const auto j = nlohmann::json::parse(text);
    EXPECT_EQ(j["nik_masked"], "6474**********02");
    EXPECT_EQ(j["version"], 3);
    // what was read can be sent back (nik omitted, as a client that only saw it masked)
    auto round = person_from_json(text);
    ASSERT_TRUE(round.has_value()) << round.error().message;
    EXPECT_TRUE(round->person.nik.empty());
    EXPECT_EQ(round->person.full_name, "Siti Aminah");
    EXPECT_EQ(round->person.categories, input->person.categories);
}

TEST(PersonJson, RefusesBadJsonAndDeepNesting) {
    EXPECT_EQ(person_from_json("{").error().code, ErrorCode::BadJson);
    EXPECT_EQ(person_from_json("[]").error().code, ErrorCode::BadJson);
    EXPECT_EQ(person_from_json(std::string(100000, '[')).error().code, ErrorCode::BadJson);
    EXPECT_TRUE(json_too_deep(std::string(40, '{')));
    EXPECT_FALSE(json_too_deep(R"({"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})"));
}

} // namespace
} // namespace kapal::http
