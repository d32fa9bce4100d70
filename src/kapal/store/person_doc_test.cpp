#include "kapal/store/person_doc.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <random>
#include <string_view>

namespace kapal::store {
namespace {

using core::make_date;

// ---- reference encoder: the canonical form defined through nlohmann::json ----------------

using Json = nlohmann::json;

template <class T> Json opt_json(const std::optional<T>& v) {
    return v ? Json(*v) : Json(nullptr);
}

template <class E> Json opt_enum(const std::optional<E>& v) {
    return v ? Json(std::string(core::to_string(*v))) : Json(nullptr);
}

Json date_json(const core::Date& d) {
    return d.ok() ? Json(core::format_date(d)) : Json(nullptr);
}

Json opt_date(const std::optional<core::Date>& d) {
    return d ? date_json(*d) : Json(nullptr);
}

// Removes the members whose value is null, "", [] or false.
void drop_empty_members(Json& obj) {
    for (auto it = obj.begin(); it != obj.end();) {
        const Json& v = *it;
        const bool empty = v.is_null() || (v.is_string() && v.get<std::string>().empty()) ||
                           (v.is_array() && v.empty()) || (v.is_boolean() && !v.get<bool>());
        it = empty ? obj.erase(it) : std::next(it);
    }
}

// The compact form of a document with every key: empty values left out, wgss without answers
// left out, address and consent left out when nothing remains in them; a present optional
// object (caregiver, home, account) stays, even as {}.
Json compact(Json j) {
    for (const char* key : {"address", "consent", "caregiver", "home", "account"}) {
        if (j[key].is_object()) {
            drop_empty_members(j[key]);
        }
    }
    for (auto& d : j["documents"]) {
        drop_empty_members(d);
    }
    for (const char* key : {"address", "consent"}) {
        if (j[key].empty()) {
            j.erase(key);
        }
    }
    const Json& wgss = j["wgss"];
    if (std::all_of(wgss.begin(), wgss.end(), [](const Json& a) { return a.is_null(); })) {
        j.erase("wgss");
    }
    drop_empty_members(j);
    return j;
}

std::string reference_encode(const core::Person& p) {
    // nlohmann::json objects are std::maps: keys come out sorted, which makes the text
    // canonical. Every key is set here, empty optionals as null; compact() then leaves out the
    // empty ones.
    Json j = Json::object();
    j["v"] = kPersonDocVersion;
    j["full_name"] = p.full_name;
    j["sex"] = std::string(core::to_string(p.sex));
    j["birth_place"] = p.birth_place;
    j["birth_date"] = date_json(p.birth_date);
    j["address"] = Json{{"street", p.address.street},
                        {"rt", p.address.rt},
                        {"rw", p.address.rw},
                        {"kelurahan_code", p.address.kelurahan_code}};
    if (p.home) {
        j["home"] = Json{{"lon", p.home->lon},
                         {"lat", p.home->lat},
                         {"accuracy_m", opt_json(p.home->accuracy_m)},
                         {"source", std::string(core::to_string(p.home->source))}};
    } else {
        j["home"] = nullptr;
    }
    Json cats = Json::array();
    for (const auto c : p.categories) {
        cats.push_back(std::string(core::to_string(c)));
    }
    j["categories"] = std::move(cats);
    j["disability_subtype"] = p.disability_subtype;
    j["severity"] = opt_enum(p.severity);
    Json wgss = Json::array();
    for (const auto& answer : p.wgss) {
        wgss.push_back(opt_json(answer));
    }
    j["wgss"] = std::move(wgss);
    j["onset"] = opt_enum(p.onset);
    j["onset_year"] = opt_json(p.onset_year);
    j["cause"] = opt_enum(p.cause);
    j["cause_note"] = p.cause_note;
    j["assistive_devices"] = p.assistive_devices;
    j["therapies"] = p.therapies;
    j["needs_note"] = p.needs_note;
    if (p.caregiver) {
        j["caregiver"] = Json{{"name", p.caregiver->name},
                              {"relationship", p.caregiver->relationship},
                              {"phone", p.caregiver->phone}};
    } else {
        j["caregiver"] = nullptr;
    }
    j["dtks"] = p.dtks;
    j["dtks_id"] = p.dtks_id;
    j["phone"] = p.phone;
    if (p.account) {
        j["account"] = Json{{"kind", std::string(core::to_string(p.account->kind))},
                            {"provider", p.account->provider},
                            {"number", p.account->number},
                            {"holder_name", p.account->holder_name}};
    } else {
        j["account"] = nullptr;
    }
    j["photo_id"] = p.photo_id;
    Json docs = Json::array();
    for (const auto& d : p.documents) {
        docs.push_back(Json{{"id", d.id}, {"kind", d.kind}, {"name", d.name}});
    }
    j["documents"] = std::move(docs);
    Json purposes = Json::array();
    for (const auto purpose : p.consent.purposes) {
        purposes.push_back(std::string(core::to_string(purpose)));
    }
    j["consent"] = Json{{"given", p.consent.given},
                        {"date", opt_date(p.consent.date)},
                        {"given_by", p.consent.given_by},
                        {"purposes", std::move(purposes)}};
    j["status"] = std::string(core::to_string(p.status));
    j["status_date"] = opt_date(p.status_date);
    j["status_reason"] = p.status_reason;
    j["confirmed_warnings"] = p.confirmed_warnings;
    j["warning_reason"] = p.warning_reason;
    return compact(std::move(j)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

core::Person full_person() {
    core::Person p;
    p.nik = "6474015203900001";
    p.kk = "6474010101200002";
    p.full_name = "Siti Nurhaliza \"Ica\"";
    p.sex = core::Sex::Female;
    p.birth_place = "Bontang";
    p.birth_date = make_date(1990, 3, 12);
    p.address = core::Address{"Jl. Brigjend Katamso No. 7", "007", "12", "64.74.01.1003"};
    p.home = core::HomeLocation{117.4987, 0.1342, 12.5, core::LocationSource::Gps};
    p.categories = {core::Category::Fisik, core::Category::SensorikNetra};
    p.disability_subtype = "paraplegia";
    p.severity = core::DisabilitySeverity::Berat;
    p.wgss = {std::uint8_t{3},
              std::nullopt,
              std::uint8_t{4},
              std::uint8_t{1},
              std::nullopt,
              std::uint8_t{2}};
    p.onset = core::Onset::Didapat;
    p.onset_year = 2015;
    p.cause = core::Cause::Kecelakaan;
    p.cause_note = "kecelakaan kerja";
    p.assistive_devices = {"kursi_roda", "kacamata"};
    p.therapies = {"fisioterapi"};
    p.needs_note = "butuh ramp";
    p.caregiver = core::Caregiver{"Ahmad", "ayah", "081234567890"};
    p.dtks = true;
    p.dtks_id = "DTKS-0001";
    p.phone = "081298765432";
    p.account = core::Account{core::AccountKind::Bank, "Bankaltimtara", "0012345678", "Siti"};
    p.photo_id = "01890a5d-ac96-774b-bcce-b302099a8057";
    p.documents = {core::DocumentRef{"01890a5d-ac96-774b-bcce-b302099a8058", "ktp", "ktp.jpg"}};
    p.consent = core::Consent{true, make_date(2024, 1, 5), "self", {}};
    p.status = core::Status::Pindah;
    p.status_date = make_date(2025, 6, 30);
    p.status_reason = "pindah ke Samarinda";
    p.confirmed_warnings = {"person.nik_sex_mismatch"};
    p.warning_reason = "KTP lama";
    return p;
}

core::Person minimal_person() {
    core::Person p;
    p.nik = "6474010101900003";
    p.full_name = "Budi";
    p.birth_date = make_date(1990, 1, 1);
    p.address.kelurahan_code = "64.74.02.1001";
    p.categories = {core::Category::Mental};
    return p;
}

core::Person without_ids(core::Person p) {
    p.nik.clear();
    p.kk.clear();
    return p;
}

TEST(PersonDoc, RoundTripsAFullyPopulatedPerson) {
    const core::Person p = full_person();
    auto decoded = decode_person_doc(encode_person_doc(p));
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(*decoded, without_ids(p));
}

TEST(PersonDoc, RoundTripsAMinimalPerson) {
    const core::Person p = minimal_person();
    auto decoded = decode_person_doc(encode_person_doc(p));
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(*decoded, without_ids(p));
}

TEST(PersonDoc, NeverContainsNikOrKk) {
    const std::string doc = encode_person_doc(full_person());
    EXPECT_EQ(doc.find("6474015203900001"), std::string::npos);
    EXPECT_EQ(doc.find("6474010101200002"), std::string::npos);
    EXPECT_EQ(doc.find("\"nik\""), std::string::npos);
    EXPECT_EQ(doc.find("\"kk\""), std::string::npos);
}

TEST(PersonDoc, IsDeterministic) {
    EXPECT_EQ(encode_person_doc(full_person()), encode_person_doc(full_person()));
    core::Person changed = full_person();
    changed.needs_note = "butuh ramp!";
    EXPECT_NE(encode_person_doc(changed), encode_person_doc(full_person()));
}

// The stored text of full_person(), as written before consent purposes existed (the person has
// none, so it is still written exactly so).
constexpr std::string_view kFullPersonGolden =
    R"({"account":{"holder_name":"Siti","kind":"bank","number":"0012345678",)"
    R"("provider":"Bankaltimtara"},"address":{"kelurahan_code":"64.74.01.1003","rt":"007",)"
    R"("rw":"12","street":"Jl. Brigjend Katamso No. 7"},"assistive_devices":["kursi_roda",)"
    R"("kacamata"],"birth_date":"1990-03-12","birth_place":"Bontang","caregiver":{"name":)"
    R"("Ahmad","phone":"081234567890","relationship":"ayah"},"categories":["fisik",)"
    R"("sensorik_netra"],"cause":"kecelakaan","cause_note":"kecelakaan kerja","confirmed_)"
    R"(warnings":["person.nik_sex_mismatch"],"consent":{"date":"2024-01-05","given":true,)"
    R"("given_by":"self"},"disability_subtype":"paraplegia","documents":[{"id":"01890a5d-)"
    R"(ac96-774b-bcce-b302099a8058","kind":"ktp","name":"ktp.jpg"}],"dtks":true,"dtks_id":)"
    R"("DTKS-0001","full_name":"Siti Nurhaliza \"Ica\"","home":{"accuracy_m":12.5,"lat":)"
    R"(0.1342,"lon":117.4987,"source":"gps"},"needs_note":"butuh ramp","onset":"didapat",)"
    R"("onset_year":2015,"phone":"081298765432","photo_id":"01890a5d-ac96-774b-bcce-)"
    R"(b302099a8057","severity":"berat","sex":"P","status":"pindah","status_date":)"
    R"("2025-06-30","status_reason":"pindah ke Samarinda","therapies":["fisioterapi"],"v":1,)"
    R"("warning_reason":"KTP lama","wgss":[3,null,4,1,null,2]})";

// The stored format. If this test fails, existing databases can no longer be read the same
// way: do not update the text, add a new format version instead.
TEST(PersonDoc, GoldenTextOfAFixedPersonNeverChanges) {
    EXPECT_EQ(encode_person_doc(full_person()), kFullPersonGolden);
}

// Consent purposes were added to format 1 as an optional member: a document without them (every
// document stored before) reads as consent without purposes, the rest unchanged.
TEST(PersonDoc, ReadsADocumentWrittenBeforeConsentPurposes) {
    ASSERT_EQ(kFullPersonGolden.find("purposes"), std::string_view::npos);
    auto decoded = decode_person_doc(kFullPersonGolden);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_TRUE(decoded->consent.given);
    EXPECT_TRUE(decoded->consent.purposes.empty());
    EXPECT_EQ(*decoded, without_ids(full_person()));
}

TEST(PersonDoc, RoundTripsConsentPurposes) {
    core::Person p = full_person();
    p.consent.purposes = {core::ConsentPurpose::Registration,
                          core::ConsentPurpose::SocialAssistance,
                          core::ConsentPurpose::Card,
                          core::ConsentPurpose::DataSharing,
                          core::ConsentPurpose::Contact};
    const std::string doc = encode_person_doc(p);
    EXPECT_EQ(doc, reference_encode(p));
    auto decoded = decode_person_doc(doc);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(decoded->consent.purposes, p.consent.purposes);
    EXPECT_EQ(*decoded, without_ids(p));
    EXPECT_EQ(encode_person_doc(*decoded), doc);
}

// The stored form of purposes: their English ids, in the order of the (sorted) list, last member
// of "consent". Like the golden texts above, never to change silently.
TEST(PersonDoc, GoldenTextOfConsentPurposesNeverChanges) {
    core::Person p = minimal_person();
    p.consent =
        core::Consent{true,
                      make_date(2024, 1, 5),
                      "self",
                      {core::ConsentPurpose::SocialAssistance, core::ConsentPurpose::DataSharing}};
    const std::string expected =
        R"({"address":{"kelurahan_code":"64.74.02.1001"},"birth_date":"1990-01-01",)"
        R"("categories":["mental"],"consent":{"date":"2024-01-05","given":true,)"
        R"("given_by":"self","purposes":["social_assistance","data_sharing"]},"full_name":)"
        R"("Budi","sex":"L","status":"aktif","v":1})";
    EXPECT_EQ(encode_person_doc(p), expected);
}

TEST(PersonDoc, PurposesAloneKeepTheConsentObject) {
    core::Person p = minimal_person();
    p.consent.purposes = {core::ConsentPurpose::Card};
    const std::string doc = encode_person_doc(p);
    EXPECT_NE(doc.find(R"("consent":{"purposes":["card"]})"), std::string::npos) << doc;
    auto decoded = decode_person_doc(doc);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(*decoded, without_ids(p));
}

TEST(PersonDoc, GoldenTextOfAMinimalPersonNeverChanges) {
    // Compact: empty values are left out.
    const std::string expected =
        R"({"address":{"kelurahan_code":"64.74.02.1001"},"birth_date":"1990-01-01",)"
        R"("categories":["mental"],"full_name":"Budi","sex":"L","status":"aktif","v":1})";
    EXPECT_EQ(encode_person_doc(minimal_person()), expected);
}

TEST(PersonDoc, GoldenTextOfADefaultPersonNeverChanges) {
    EXPECT_EQ(encode_person_doc(core::Person{}), R"({"sex":"L","status":"aktif","v":1})");
}

// Present optionals whose members are all empty, zeros and a lone wgss answer: what the
// compact form leaves out must not lose any of them.
TEST(PersonDoc, RoundTripsPresentButEmptyValues) {
    core::Person p = minimal_person();
    p.address = {};
    p.caregiver = core::Caregiver{};
    p.account = core::Account{core::AccountKind::EWallet, "", "", ""};
    p.home = core::HomeLocation{0.0, -0.0, 0.0, core::LocationSource::Gps};
    p.documents = {core::DocumentRef{}, core::DocumentRef{"", "ktp", ""}};
    p.assistive_devices = {""};
    p.onset_year = 0;
    p.wgss[5] = std::uint8_t{0};
    p.consent.date = make_date(2024, 2, 29);
    const std::string doc = encode_person_doc(p);
    EXPECT_EQ(doc, reference_encode(p));
    EXPECT_NE(doc.find(R"("caregiver":{})"), std::string::npos) << doc;
    EXPECT_NE(doc.find(R"("documents":[{},{"kind":"ktp"}])"), std::string::npos) << doc;
    EXPECT_EQ(doc.find("address"), std::string::npos) << doc;
    auto decoded = decode_person_doc(doc);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(*decoded, without_ids(p));
    EXPECT_EQ(encode_person_doc(*decoded), doc);
}

TEST(PersonDoc, StillReadsTheVerboseFormWithEveryKey) {
    // Documents that spell out empty values (null, "", [], false) decode like compact ones.
    const std::string verbose =
        R"({"account":null,"address":{"kelurahan_code":"64.74.02.1001","rt":"","rw":"",)"
        R"("street":""},"assistive_devices":[],"birth_date":"1990-01-01","birth_place":"",)"
        R"("caregiver":null,"categories":["mental"],"cause":null,"cause_note":"",)"
        R"("confirmed_warnings":[],"consent":{"date":null,"given":false,"given_by":""},)"
        R"("disability_subtype":"","documents":[],"dtks":false,"dtks_id":"","full_name":"Budi",)"
        R"("home":null,"needs_note":"","onset":null,"onset_year":null,"phone":"","photo_id":"",)"
        R"("severity":null,"sex":"L","status":"aktif","status_date":null,"status_reason":"",)"
        R"("therapies":[],"v":1,"warning_reason":"","wgss":[null,null,null,null,null,null]})";
    auto decoded = decode_person_doc(verbose);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(*decoded, without_ids(minimal_person()));
}

TEST(PersonDoc, AcceptsAbsentOptionalKeys) {
    auto decoded = decode_person_doc(
        R"({"v":1,"full_name":"Budi","sex":"L","status":"aktif","birth_date":"1990-01-01"})");
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(decoded->full_name, "Budi");
    EXPECT_FALSE(decoded->home.has_value());
    EXPECT_TRUE(decoded->categories.empty());
}

TEST(PersonDoc, RefusesMalformedDocuments) {
    const char* bad[] = {
        "",
        "not json",
        "[1,2]",
        R"({"full_name":"Budi","sex":"L","status":"aktif"})",       // no version
        R"({"v":2,"full_name":"Budi","sex":"L","status":"aktif"})", // unknown version
        R"({"v":1,"full_name":5,"sex":"L","status":"aktif"})",      // wrong type
        R"({"v":1,"full_name":"B","sex":"X","status":"aktif"})",    // unknown enum code
        R"({"v":1,"full_name":"B","sex":"L","status":"aktif","birth_date":"1990-02-30"})",
        R"({"v":1,"full_name":"B","sex":"L","status":"aktif","wgss":[1,2]})",
        R"({"v":1,"full_name":"B","sex":"L","status":"aktif","categories":["x"]})",
        R"({"v":1,"full_name":"B","sex":"L","status":"aktif","home":{"lat":1}})",
        R"({"v":1,"full_name":"B","sex":"L","status":"aktif","consent":{"purposes":["x"]}})",
        R"({"v":1,"full_name":"B","sex":"L","status":"aktif","consent":{"purposes":"card"}})",
    };
    for (const char* doc : bad) {
        auto decoded = decode_person_doc(doc);
        ASSERT_FALSE(decoded.has_value()) << doc;
        EXPECT_EQ(decoded.error().code, ErrorCode::StoreCorrupt) << doc;
    }
}

std::uint64_t test_seed() {
    const char* env = std::getenv("KAPAL_TEST_SEED");
    return env != nullptr && *env != '\0' ? std::strtoull(env, nullptr, 10) : 20240601;
}

// Text with quotes, backslashes, control characters, non-ASCII and (unless `valid`) invalid
// UTF-8; often empty.
std::string random_text(std::mt19937_64& rng, bool valid = false) {
    static const std::string kPieces[] = {
        "Siti", " ", "\"", "\\",    "\n", "\t", "\x01", "\x1f", "\x7f",     "é",
        "Ñ",    "😀", "/",  "Ahmad", "%",  "",   "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80"};
    constexpr std::size_t kValidPieces = 16;
    std::string out;
    const auto n = rng() % 6;
    for (std::uint64_t i = 0; i < n; ++i) {
        out += kPieces[rng() % (valid ? kValidPieces : std::size(kPieces))];
    }
    return out;
}

core::Person random_person(std::mt19937_64& rng, bool valid_text = false) {
    core::Person p = (rng() % 2 == 0) ? full_person() : minimal_person();
    p.full_name = random_text(rng, valid_text);
    p.address.street = random_text(rng, valid_text);
    p.address.rt = random_text(rng, valid_text);
    p.needs_note = random_text(rng, valid_text);
    p.assistive_devices = {random_text(rng, valid_text)};
    if (rng() % 2 == 0) {
        const double coords[] = {
            0.0, 1e-05, 0.0001, -0.5, 117.49871234567, 1e15, 1e16, 1.0, -1e-7, 0.1 + 0.2};
        p.home = core::HomeLocation{coords[rng() % std::size(coords)],
                                    coords[rng() % std::size(coords)],
                                    coords[rng() % std::size(coords)],
                                    core::LocationSource::Map};
    }
    p.onset_year = static_cast<int>(rng() % 3000) - 1000;
    // Empty values of every kind, which the compact form leaves out.
    if (rng() % 3 == 0) {
        p.caregiver = core::Caregiver{random_text(rng, valid_text), "", ""};
    }
    if (rng() % 3 == 0) {
        p.dtks = !p.dtks;
    }
    if (rng() % 3 == 0) {
        p.consent.given = !p.consent.given;
    }
    if (rng() % 2 == 0) {
        for (const auto purpose : core::kAllConsentPurposes) {
            if (rng() % 2 == 0) {
                p.consent.purposes.push_back(purpose);
            }
        }
    }
    if (rng() % 3 == 0) {
        p.wgss[rng() % core::kWgDomainCount] = static_cast<std::uint8_t>(rng() % 5);
    }
    if (rng() % 3 == 0) {
        p.documents.push_back(core::DocumentRef{"", random_text(rng, valid_text), ""});
    }
    if (rng() % 4 == 0) {
        p.categories.clear();
    }
    return p;
}

TEST(PersonDoc, EncoderMatchesTheNlohmannReferenceOnRandomPersons) {
    const std::uint64_t seed = test_seed();
    std::printf("KAPAL_TEST_SEED=%llu\n", static_cast<unsigned long long>(seed));
    std::mt19937_64 rng(seed);
    for (int i = 0; i < 2000; ++i) {
        const core::Person p = random_person(rng);
        const std::string doc = encode_person_doc(p);
        ASSERT_EQ(doc, reference_encode(p)) << "seed " << seed << " person " << i;
        auto decoded = decode_person_doc(doc);
        ASSERT_TRUE(decoded.has_value()) << doc;
        // Canonical: decoding and encoding again gives the same text (invalid UTF-8 was
        // already replaced on the first encoding, so this holds for every random person).
        ASSERT_EQ(encode_person_doc(*decoded), doc) << "seed " << seed << " person " << i;
    }
}

TEST(PersonDoc, RoundTripsRandomPersonsExactly) {
    const std::uint64_t seed = test_seed();
    std::mt19937_64 rng(seed + 1);
    for (int i = 0; i < 2000; ++i) {
        const core::Person p = random_person(rng, true);
        auto decoded = decode_person_doc(encode_person_doc(p));
        ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
        ASSERT_EQ(*decoded, without_ids(p)) << "seed " << seed << " person " << i;
    }
}

TEST(PersonDoc, ReferenceAgreesOnTheFixedPersons) {
    EXPECT_EQ(encode_person_doc(full_person()), reference_encode(full_person()));
    EXPECT_EQ(encode_person_doc(minimal_person()), reference_encode(minimal_person()));
}

} // namespace
} // namespace kapal::store
