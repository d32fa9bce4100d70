#include "kapal/aid/eligibility.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace kapal::aid {
namespace {

using core::Category;
using core::DisabilitySeverity;

const RuleContext kOn{core::make_date(2026, 11, 28)};

constexpr std::string_view kExample =
    R"(age >= 18 and "fisik" in categories and severity in ("sedang","berat") and not dtks)";

/// A registered adult with a moderate physical disability, not in DTKS; tests change one thing.
core::PersonRecord adult() {
    core::PersonRecord r;
    r.person.birth_date = core::make_date(1990, 5, 17);
    r.person.sex = core::Sex::Female;
    r.person.categories = {Category::Fisik};
    r.person.severity = DisabilitySeverity::Sedang;
    r.person.address.kelurahan_code = "64.74.01.1003";
    r.kecamatan_code = "64.74.01";
    return r;
}

Rule rule(std::string_view text) {
    auto r = parse_rule(text);
    EXPECT_TRUE(r.has_value()) << text << ": "
                               << (r ? std::string() : r.error().fields.at(0).detail);
    if (!r) {
        std::abort();
    }
    return *r;
}

bool holds(std::string_view text, const core::PersonRecord& record) {
    return rule(text).matches(record, kOn);
}

/// The Indonesian detail of the error for `text` (and checks the error's shape).
std::string error_of(std::string_view text) {
    const auto r = parse_rule(text);
    EXPECT_FALSE(r.has_value()) << text;
    if (r) {
        return "(parsed: " + r->canonical() + ")";
    }
    EXPECT_EQ(r.error().code, ErrorCode::AidRuleInvalid);
    EXPECT_EQ(r.error().fields.size(), 1U);
    EXPECT_EQ(r.error().fields.at(0).field, "rule");
    return r.error().fields.at(0).detail;
}

TEST(Eligibility, ExampleRuleMeansWhatItSays) {
    const Rule r = rule(kExample);
    EXPECT_EQ(r.text(), kExample);
    EXPECT_TRUE(r.matches(adult(), kOn));

    auto child = adult();
    child.person.birth_date = core::make_date(2010, 1, 1);
    EXPECT_FALSE(r.matches(child, kOn));

    auto turns18 = adult();
    turns18.person.birth_date = core::make_date(2008, 11, 28);
    EXPECT_TRUE(r.matches(turns18, kOn)) << "18 on the reference date itself";
    turns18.person.birth_date = core::make_date(2008, 11, 29);
    EXPECT_FALSE(r.matches(turns18, kOn)) << "turns 18 a day later";

    auto mental = adult();
    mental.person.categories = {Category::Mental};
    EXPECT_FALSE(r.matches(mental, kOn));
    mental.person.categories = {Category::Fisik, Category::Mental};
    EXPECT_TRUE(r.matches(mental, kOn)) << "multiple disability including fisik";

    auto mild = adult();
    mild.person.severity = DisabilitySeverity::Ringan;
    EXPECT_FALSE(r.matches(mild, kOn));
    mild.person.severity = DisabilitySeverity::Berat;
    EXPECT_TRUE(r.matches(mild, kOn));
    mild.person.severity.reset();
    EXPECT_FALSE(r.matches(mild, kOn)) << "absent severity is in no list";

    auto listed = adult();
    listed.person.dtks = true;
    EXPECT_FALSE(r.matches(listed, kOn));
}

TEST(Eligibility, IndonesianKeywordsMeanTheSame) {
    const Rule en = rule(kExample);
    const Rule id = rule(R"(age >= 18 DAN "fisik" in categories dan severity in ("sedang",)"
                         R"( "berat") dan bukan dtks)");
    EXPECT_EQ(en.canonical(), id.canonical());
    EXPECT_EQ(rule("dtks atau has_caregiver").canonical(), "dtks or has_caregiver");
}

TEST(Eligibility, AgeIsAbsentWithoutADateOrBeforeBirth) {
    auto r = adult();
    EXPECT_FALSE(rule("age >= 0").matches(r, RuleContext{}));
    EXPECT_FALSE(rule("age < 200").matches(r, RuleContext{}));
    r.person.birth_date = core::make_date(2027, 1, 1);
    EXPECT_FALSE(holds("age >= 0", r));
    EXPECT_FALSE(holds("age < 200", r));
}

TEST(Eligibility, EveryIntegerOperator) {
    const auto r = adult(); // 36 on 2026-11-28
    EXPECT_TRUE(holds("age = 36", r));
    EXPECT_TRUE(holds("age == 36", r));
    EXPECT_FALSE(holds("age = 35", r));
    EXPECT_TRUE(holds("age != 35", r));
    EXPECT_TRUE(holds("age <> 35", r));
    EXPECT_FALSE(holds("age != 36", r));
    EXPECT_TRUE(holds("age < 37", r));
    EXPECT_FALSE(holds("age < 36", r));
    EXPECT_TRUE(holds("age <= 36", r));
    EXPECT_FALSE(holds("age <= 35", r));
    EXPECT_TRUE(holds("age > 35", r));
    EXPECT_FALSE(holds("age > 36", r));
    EXPECT_TRUE(holds("age >= 36", r));
    EXPECT_FALSE(holds("age >= 37", r));
    EXPECT_TRUE(holds("age in (5, 36, 60)", r));
    EXPECT_FALSE(holds("age in (5, 60)", r));
    EXPECT_TRUE(holds("age not in (5, 60)", r));
    EXPECT_TRUE(holds("category_count = 1", r));
}

TEST(Eligibility, OptionalNumbersCompareFalseWhenAbsent) {
    auto r = adult();
    EXPECT_FALSE(holds("wg_walking >= 1", r));
    EXPECT_FALSE(holds("wg_walking != 3", r));
    EXPECT_FALSE(holds("onset_year < 3000", r));
    r.person.wgss[static_cast<std::size_t>(core::WgDomain::Walking)] = 3;
    r.person.onset_year = 2015;
    EXPECT_TRUE(holds("wg_walking >= 3", r));
    EXPECT_FALSE(holds("wg_walking = 4", r));
    EXPECT_FALSE(holds("wg_seeing >= 1", r));
    EXPECT_TRUE(holds("wg_disability", r));
    EXPECT_TRUE(holds("onset_year >= 2015 and onset_year < 2016", r));
}

TEST(Eligibility, EnumerationsCompareByValueAndSeverityIsOrdered) {
    auto r = adult();
    EXPECT_TRUE(holds(R"(sex = "P")", r));
    EXPECT_TRUE(holds(R"(sex = "perempuan")", r)) << "the API's spellings are accepted";
    EXPECT_FALSE(holds(R"(sex != "P")", r));
    EXPECT_TRUE(holds(R"(status = "aktif")", r));
    EXPECT_TRUE(holds(R"(status in ("aktif", "pindah"))", r));
    EXPECT_TRUE(holds(R"(severity >= "sedang")", r));
    EXPECT_FALSE(holds(R"(severity > "sedang")", r));
    EXPECT_TRUE(holds(R"(severity < "berat")", r));
    EXPECT_TRUE(holds(R"(severity <= "sedang")", r));
    EXPECT_FALSE(holds(R"(severity < "sedang")", r));
    EXPECT_FALSE(holds(R"(onset = "didapat")", r));
    EXPECT_FALSE(holds(R"(onset != "didapat")", r)) << "absent onset: false both ways";
    r.person.onset = core::Onset::Didapat;
    r.person.cause = core::Cause::Kecelakaan;
    EXPECT_TRUE(holds(R"(onset = "didapat" and cause in ("kecelakaan", "bencana"))", r));
    r.person.severity.reset();
    EXPECT_FALSE(holds(R"(severity != "berat")", r));
    EXPECT_TRUE(holds(R"(not severity = "berat")", r));
}

TEST(Eligibility, SetsAndBooleans) {
    auto r = adult();
    r.person.categories = {Category::SensorikNetra, Category::SensorikRungu};
    r.person.assistive_devices = {"tongkat_netra"};
    r.person.therapies = {"terapi_wicara"};
    EXPECT_TRUE(holds(R"("sensorik_netra" in categories)", r));
    EXPECT_TRUE(holds(R"("netra" in categories)", r)) << "alias accepted like the API";
    EXPECT_FALSE(holds(R"("fisik" in categories)", r));
    EXPECT_TRUE(holds("category_count >= 2", r));
    EXPECT_TRUE(holds(R"("tongkat_netra" in assistive_devices)", r));
    EXPECT_FALSE(holds(R"("kursi_roda" in assistive_devices)", r));
    EXPECT_TRUE(holds(R"("terapi_wicara" in therapies)", r));
    EXPECT_FALSE(holds(R"("fisioterapi" in therapies)", r));

    EXPECT_FALSE(holds("dtks", r));
    EXPECT_FALSE(holds("has_account", r));
    EXPECT_FALSE(holds("consent_bansos", r));
    EXPECT_FALSE(holds("has_caregiver", r));
    EXPECT_FALSE(holds("has_location", r));
    r.person.dtks = true;
    r.person.account = core::Account{core::AccountKind::Bank, "BRI", "123", "Siti"};
    r.person.consent.given = true;
    r.person.consent.purposes = {core::ConsentPurpose::SocialAssistance};
    r.person.caregiver = core::Caregiver{"Ani", "ibu", ""};
    r.person.home = core::HomeLocation{117.5, 0.13, {}, core::LocationSource::Gps};
    EXPECT_TRUE(holds("dtks and has_account and consent_bansos and has_caregiver", r));
    EXPECT_TRUE(holds("has_location", r));
    EXPECT_TRUE(holds("dtks = true", r));
    EXPECT_FALSE(holds("dtks = false", r));
    EXPECT_FALSE(holds("dtks != true", r));
    EXPECT_TRUE(holds("true", r));
    EXPECT_FALSE(holds("false", r));
    r.person.consent.purposes = {core::ConsentPurpose::Card};
    EXPECT_FALSE(holds("consent_bansos", r)) << "consent for the card only";
}

TEST(Eligibility, RegionCodesMatchWholeCodesOfTheirLevel) {
    auto r = adult();
    EXPECT_TRUE(holds(R"(kelurahan = "64.74.01.1003")", r));
    EXPECT_FALSE(holds(R"(kelurahan = "64.74.01.1004")", r));
    EXPECT_TRUE(holds(R"(kelurahan in ("64.74.01.1004", "64.74.01.1003"))", r));
    EXPECT_TRUE(holds(R"(kecamatan = "64.74.01")", r));
    EXPECT_TRUE(holds(R"(kecamatan != "64.74.02")", r));
    EXPECT_TRUE(holds(R"(kota = "64.74")", r));
    r.kecamatan_code.clear();
    EXPECT_TRUE(holds(R"(kecamatan = "64.74.01")", r)) << "derived from the kelurahan";
    r.person.address.kelurahan_code.clear();
    EXPECT_FALSE(holds(R"(kelurahan != "64.74.01.1004")", r)) << "absent code";
    EXPECT_FALSE(holds(R"(kota = "64.74")", r));
}

TEST(Eligibility, PrecedenceIsNotThenAndThenOr) {
    // not a or b and c == (not a) or (b and c)
    const Rule r = rule("not dtks or has_caregiver and has_account");
    EXPECT_EQ(r.canonical(), "not dtks or has_caregiver and has_account");
    for (int bits = 0; bits < 8; ++bits) {
        auto p = adult();
        const bool a = (bits & 1) != 0;
        const bool b = (bits & 2) != 0;
        const bool c = (bits & 4) != 0;
        p.person.dtks = a;
        if (b) {
            p.person.caregiver = core::Caregiver{"Ani", "ibu", ""};
        }
        if (c) {
            p.person.account = core::Account{core::AccountKind::Bank, "BRI", "1", "X"};
        }
        EXPECT_EQ(r.matches(p, kOn), (!a) || (b && c)) << bits;
        EXPECT_EQ(holds("not (dtks or has_caregiver) and has_account", p), !(a || b) && c) << bits;
        EXPECT_EQ(holds("(not dtks or has_caregiver) and has_account", p), (!a || b) && c) << bits;
    }
}

TEST(Eligibility, CanonicalFormIsNormalised) {
    EXPECT_EQ(rule(kExample).canonical(),
              R"(age >= 18 and "fisik" in categories and severity in ("sedang", "berat"))"
              R"( and not dtks)");
    EXPECT_EQ(rule(R"(  AGE>=18 DAN ("netra" IN Categories))").canonical(),
              R"(age >= 18 and "sensorik_netra" in categories)");
    EXPECT_EQ(rule(R"(severity in ('berat', "sedang", "berat"))").canonical(),
              R"(severity in ("sedang", "berat"))")
        << "single quotes, list sorted in the enumeration's order, repeats dropped";
    EXPECT_EQ(rule(R"(sex == "perempuan")").canonical(), R"(sex = "P")");
    EXPECT_EQ(rule("age <> 5").canonical(), "age != 5");
    EXPECT_EQ(rule("dtks = false").canonical(), "not dtks");
    EXPECT_EQ(rule("not not dtks").canonical(), "dtks");
    EXPECT_EQ(rule("dtks and (has_account and (has_caregiver))").canonical(),
              "dtks and has_account and has_caregiver");
    EXPECT_EQ(rule("(dtks or has_account) and has_caregiver").canonical(),
              "(dtks or has_account) and has_caregiver");
    EXPECT_EQ(rule("not (dtks and has_account)").canonical(), "not (dtks and has_account)");
    EXPECT_EQ(rule("age not in (60, 5)").canonical(), "not age in (5, 60)");
    EXPECT_EQ(rule(R"(kelurahan in ("64.74.02.1001", "64.74.01.1003"))").canonical(),
              R"(kelurahan in ("64.74.01.1003", "64.74.02.1001"))");
}

TEST(Eligibility, ErrorsNameThePositionAndTheExpectation) {
    // the issue's kind of mistake: a missing ')'
    EXPECT_EQ(error_of(R"(severity in ("sedang","berat" and dtks)"),
              "posisi 31: diharapkan ',' atau ')' dalam daftar nilai");
    EXPECT_EQ(error_of("(dtks or has_account has_caregiver"),
              "posisi 22: diharapkan 'and', 'or' atau ')'");
    EXPECT_EQ(error_of("dtks has_account"), "posisi 6: diharapkan 'and', 'or' atau akhir aturan");
    EXPECT_EQ(error_of(""), "posisi 1: aturan kosong; diharapkan syarat seperti age >= 18");
    EXPECT_EQ(error_of("age >= 18 and"),
              "posisi 14: diharapkan syarat: nama atribut, 'not', '(', 'true', 'false' atau teks "
              "dalam tanda kutip, bukan akhir aturan");
    EXPECT_EQ(error_of("umur >= 18").substr(0, 44), "posisi 1: atribut 'umur' tidak dikenal; yang");
    EXPECT_EQ(error_of(R"(age = "x")"),
              "posisi 7: 'age' berupa angka; diharapkan angka bulat seperti 18");
    EXPECT_EQ(error_of(R"("a" in age)"),
              "posisi 8: 'age' bukan himpunan; diharapkan categories, assistive_devices atau "
              "therapies (untuk daftar nilai tulis age in (...))");
    EXPECT_EQ(error_of(R"("fisk" in categories)"),
              "posisi 1: nilai \"fisk\" tidak dikenal untuk 'categories'; diharapkan fisik, "
              "intelektual, mental, sensorik_netra, sensorik_rungu atau sensorik_wicara");
    EXPECT_EQ(error_of(R"(severity = "parah")"),
              "posisi 12: nilai \"parah\" tidak dikenal untuk 'severity'; diharapkan ringan, "
              "sedang atau berat");
    EXPECT_EQ(error_of(R"(status = "hidup")"),
              "posisi 10: nilai \"hidup\" tidak dikenal untuk 'status'; diharapkan aktif, pindah, "
              "meninggal atau nonaktif");
    EXPECT_EQ(error_of(R"(status > "aktif")"),
              "posisi 8: 'status' hanya dapat dibandingkan dengan '=', '!=' atau 'in'");
    EXPECT_EQ(error_of(R"(categories = "fisik")"),
              "posisi 1: 'categories' adalah himpunan; tulis \"nilai\" in categories");
    EXPECT_EQ(error_of("dtks = 1"),
              "posisi 8: 'dtks' bernilai ya/tidak; diharapkan true atau false");
    EXPECT_EQ(error_of("wg_walking >= 5"),
              "posisi 15: jawaban Washington Group 'wg_walking' bernilai 1 sampai 4; diharapkan "
              "angka 1, 2, 3 atau 4");
    EXPECT_EQ(error_of(R"(kelurahan in ("64.74.01"))"),
              "posisi 15: \"64.74.01\" bukan kode kelurahan; diharapkan kode seperti "
              "\"64.74.01.1003\"; untuk satu kecamatan tulis kecamatan = \"64.74.01\"");
    EXPECT_EQ(error_of("age >= 18 and sex = \"P"),
              "posisi 21: teks tidak ditutup; diharapkan \" penutup");
    EXPECT_EQ(error_of("age # 18"), "posisi 5: karakter '#' tidak dikenal");
    EXPECT_EQ(error_of("age >= 18x"),
              "posisi 8: angka diikuti huruf; diharapkan angka bulat "
              "seperti 18");
    EXPECT_EQ(error_of("age >= 1234567890"),
              "posisi 8: angka terlalu besar (paling banyak 9 digit)");
    EXPECT_EQ(error_of("age 18"),
              "posisi 5: diharapkan perbandingan (=, !=, <, <=, >, >=) atau 'in' setelah 'age'");
    EXPECT_EQ(error_of("age in 18"),
              "posisi 8: diharapkan '(' setelah 'in', lalu nilai dipisah koma, mis. (\"sedang\", "
              "\"berat\")");
    EXPECT_EQ(error_of("18 <= age").substr(0, 20), "posisi 1: diharapkan");
    EXPECT_EQ(error_of("age ! 18"), "posisi 5: '!' tanpa '='; tulis '!=' atau 'not'");
    EXPECT_EQ(error_of("dtks > 1"),
              "posisi 6: 'dtks' bernilai ya/tidak; tulis 'dtks' atau 'not dtks' (atau '= true', "
              "'= false')");
    EXPECT_EQ(error_of(R"("fisik" categories)"),
              "posisi 9: diharapkan 'in' setelah teks, mis. \"fisik\" in categories");
}

TEST(Eligibility, PositionsCountCharactersNotBytes) {
    // "é" is two bytes in UTF-8 but one character
    EXPECT_EQ(error_of("sex = \"é\" and"),
              "posisi 7: nilai \"é\" tidak dikenal untuk 'sex'; diharapkan L atau P");
    EXPECT_EQ(error_of("sex = \"P\" and \"é\" or dtks"),
              "posisi 19: diharapkan 'in' setelah teks, mis. \"fisik\" in categories");
}

TEST(Eligibility, QuotedTextMustBePrintableUtf8AndEchoesStayShort) {
    // fold_key would read "fisik\xff" as fisik; the rule's text must stay valid UTF-8 for JSON
    EXPECT_EQ(error_of("\"fisik\xff\" in categories"), "posisi 1: teks bukan UTF-8 yang sah");
    EXPECT_EQ(error_of("sex = \"P\x01\""),
              "posisi 7: karakter kendali di dalam teks; diharapkan huruf, angka atau tanda baca");
    EXPECT_EQ(error_of("dtks and \xc3\xa9"),
              "posisi 10: karakter tidak dikenal (di luar teks dalam tanda kutip hanya huruf, "
              "angka, spasi dan ( ) , = ! < > yang dipakai)");
    const std::string long_name(500, 'x');
    EXPECT_EQ(error_of(long_name + " = 1").substr(0, 64),
              "posisi 1: atribut '" + std::string(40, 'x') + "...' ");
}

TEST(Eligibility, HostileInputIsBounded) {
    std::string deep(200, '(');
    deep += "dtks";
    EXPECT_EQ(error_of(deep).substr(0, 26), "posisi 33: terlalu dalam: ");
    std::string nots;
    for (int i = 0; i < 100; ++i) {
        nots += "not ";
    }
    EXPECT_EQ(error_of(nots + "dtks").substr(0, 35), "posisi 129: terlalu dalam: paling b");
    std::string nested(static_cast<std::size_t>(kMaxRuleDepth) - 1, '(');
    nested += "dtks" + std::string(static_cast<std::size_t>(kMaxRuleDepth) - 1, ')');
    EXPECT_EQ(rule(nested).canonical(), "dtks");
    std::string wide = "dtks";
    while (wide.size() + 12 < kMaxRuleLength) {
        wide += " or not dtks";
    }
    EXPECT_TRUE(holds(wide, adult()));
    EXPECT_EQ(error_of(std::string(kMaxRuleLength + 1, ' ')),
              "posisi 4097: aturan terlalu panjang: 4097 byte, paling banyak 4096");
}

/// A record with random attributes (fixed seed), for the round-trip property.
core::PersonRecord random_record(std::mt19937_64& rng) {
    auto pick = [&](int n) {
        return static_cast<int>(rng() % static_cast<std::uint64_t>(n));
    };
    core::PersonRecord r = adult();
    auto& p = r.person;
    p.birth_date = core::make_date(1930 + pick(95), 1 + static_cast<unsigned>(pick(12)), 1);
    p.sex = pick(2) == 0 ? core::Sex::Male : core::Sex::Female;
    p.categories.clear();
    for (const auto c : core::kAllCategories) {
        if (pick(4) == 0) {
            p.categories.push_back(c);
        }
    }
    if (pick(5) != 0) {
        p.severity = core::kAllSeverities[static_cast<std::size_t>(pick(3))];
    } else {
        p.severity.reset();
    }
    p.dtks = pick(2) == 0;
    p.status = core::kAllStatuses[static_cast<std::size_t>(pick(4))];
    if (pick(2) == 0) {
        p.wgss[static_cast<std::size_t>(core::WgDomain::Walking)] =
            static_cast<std::uint8_t>(1 + pick(4));
    }
    if (pick(2) == 0) {
        p.caregiver = core::Caregiver{"A", "ibu", ""};
    }
    p.address.kelurahan_code = pick(2) == 0 ? "64.74.01.1003" : "64.74.02.1001";
    r.kecamatan_code = p.address.kelurahan_code.substr(0, 8);
    return r;
}

TEST(Eligibility, CanonicalRoundTripsWithTheSameResults) {
    const std::vector<std::string> rules = {
        std::string(kExample),
        "not dtks or has_caregiver and wg_walking >= 3",
        R"((sex = "L" or "mental" in categories) and not (status in ("meninggal", "pindah")))",
        R"(bukan (age < 18 atau age > 59) dan severity >= "sedang")",
        R"(kecamatan = "64.74.01" and not not category_count > 1 or false)",
        R"(age not in (20, 30, 40) and kelurahan != "64.74.02.1001" and true)",
    };
    std::mt19937_64 rng(20261128);
    std::vector<core::PersonRecord> records;
    for (int i = 0; i < 2000; ++i) {
        records.push_back(random_record(rng));
    }
    for (const auto& text : rules) {
        const Rule first = rule(text);
        const Rule again = rule(first.canonical());
        EXPECT_EQ(again.canonical(), first.canonical()) << text;
        std::size_t matched = 0;
        for (const auto& r : records) {
            ASSERT_EQ(first.matches(r, kOn), again.matches(r, kOn)) << text;
            matched += first.matches(r, kOn) ? 1 : 0;
        }
        EXPECT_GT(matched, 0U) << text << " matches none of the random records";
        EXPECT_LT(matched, records.size()) << text << " matches all of the random records";
    }
}

TEST(Eligibility, PreviewCountsPerKelurahan) {
    std::vector<core::PersonRecord> records;
    records.push_back(adult());
    records.push_back(adult());
    records.back().person.address.kelurahan_code = "64.74.02.1001";
    records.push_back(adult());
    records.back().person.dtks = true;
    records.push_back(adult());
    records.back().person.address.kelurahan_code.clear();
    const RulePreview p = preview_rule(rule(kExample), records, kOn);
    EXPECT_EQ(p.evaluated, 4U);
    EXPECT_EQ(p.matched, 3U);
    const std::map<std::string, std::size_t> expected = {
        {"", 1}, {"64.74.01.1003", 1}, {"64.74.02.1001", 1}};
    EXPECT_EQ(p.per_kelurahan, expected);
}

TEST(Eligibility, RulesAreCheapToCopyAndShare) {
    const Rule a = rule(kExample);
    const Rule b = a; // NOLINT(performance-unnecessary-copy-initialization): the copy is the test
    EXPECT_EQ(&a.text(), &b.text()) << "copies share one compiled program";
}

} // namespace
} // namespace kapal::aid
