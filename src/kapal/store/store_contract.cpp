#include "kapal/store/store_contract.hpp"

#include "kapal/core/audit_chain.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/text.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/store_codec.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <set>
#include <thread>

namespace kapal::store::contract {

using core::make_date;

std::string store_backend_name(const ::testing::TestParamInfo<StoreBackend>& info) {
    return info.param.name;
}

std::uint64_t test_seed() {
    if (const char* env = std::getenv("KAPAL_TEST_SEED"); env != nullptr && *env != '\0') {
        return std::strtoull(env, nullptr, 10);
    }
    return 20240601;
}

core::Person full_person(int n) {
    char nik[24];
    char kk[24];
    std::snprintf(nik, sizeof nik, "647401520390%04d", std::abs(n) % 10000);
    std::snprintf(kk, sizeof kk, "647401010120%04d", std::abs(n) % 10000);
    core::Person p;
    p.nik = nik;
    p.kk = kk;
    p.full_name = "Siti Nurhaliza " + std::to_string(n);
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
    p.consent = core::Consent{true,
                              make_date(2024, 1, 5),
                              "self",
                              {core::ConsentPurpose::Registration, core::ConsentPurpose::Card}};
    p.status = core::Status::Aktif;
    p.confirmed_warnings = {"person.nik_sex_mismatch"};
    p.warning_reason = "KTP lama";
    return p;
}

void StoreContract::SetUp() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    std::replace(name.begin(), name.end(), '/', '_');
    scratch_ = std::filesystem::temp_directory_path() /
               ("kapal_store_contract_" + std::to_string(::getpid()) + "_" +
                std::to_string(counter++) + "_" + name);
    std::filesystem::remove_all(scratch_);
    std::filesystem::create_directories(scratch_);
    store_ = make_store("main");
    ASSERT_NE(store_, nullptr);
}

void StoreContract::TearDown() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(scratch_, ec);
}

std::unique_ptr<Store> StoreContract::make_store(const std::string& subdir) {
    const auto dir = scratch_ / subdir;
    std::filesystem::create_directories(dir);
    auto made = GetParam().make(dir);
    EXPECT_TRUE(made.has_value()) << made.error().message;
    return made ? std::move(*made) : nullptr;
}

Result<std::unique_ptr<Store>> StoreContract::reopen_store(const StoreKeys& keys) {
    store_.reset();
    return GetParam().reopen(scratch_ / "main", keys);
}

namespace {

const core::Timestamp kT0 = core::from_unix_ms(1'750'000'000'000);

core::Timestamp at_minute(int m) {
    return kT0 + std::chrono::minutes(m);
}

WriteContext ctx_at(core::Timestamp t, std::string actor = "user:1", std::string reason = "") {
    return WriteContext{std::move(actor), "127.0.0.1", t, std::move(reason)};
}

core::PersonId new_id(int n) {
    return core::PersonId(core::format_uuid_v7(
        kT0, static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(n) * 7919U));
}

std::string kecamatan(const core::Person& p) {
    return core::kecamatan_of(p.address.kelurahan_code);
}

CreateOutcome create(Store& s, int n, const core::Person& p, core::Timestamp t = kT0) {
    auto r = s.create_person(new_id(n), p, kecamatan(p), ctx_at(t), std::nullopt);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r ? *r : CreateOutcome{};
}

} // namespace

// ---- create / get -------------------------------------------------------------------------

TEST_P(StoreContract, CreateThenGetRoundTripsAFullyPopulatedPerson) {
    const core::Person p = full_person(1);
    auto created = store().create_person(new_id(1), p, "64.74.01", ctx_at(kT0, "user:7"), {});
    ASSERT_TRUE(created.has_value()) << created.error().message;
    EXPECT_FALSE(created->replayed);
    EXPECT_EQ(created->record.version, 1);

    auto got = store().get_person(new_id(1));
    ASSERT_TRUE(got.has_value()) << got.error().message;
    EXPECT_EQ(got->id, new_id(1));
    EXPECT_EQ(got->version, 1);
    EXPECT_EQ(got->created_at, kT0);
    EXPECT_EQ(got->updated_at, kT0);
    EXPECT_EQ(got->created_by, "user:7");
    EXPECT_EQ(got->updated_by, "user:7");
    EXPECT_EQ(got->kecamatan_code, "64.74.01");
    EXPECT_EQ(got->person, p);
    EXPECT_EQ(*got, created->record);
}

TEST_P(StoreContract, CreateKeepsAnEmptyKkEmpty) {
    core::Person p = full_person(2);
    p.kk.clear();
    p.home.reset();
    create(store(), 2, p);
    auto got = store().get_person(new_id(2));
    ASSERT_TRUE(got.has_value()) << got.error().message;
    EXPECT_EQ(got->person, p);
}

TEST_P(StoreContract, GetOfAnUnknownIdIsNotFound) {
    auto got = store().get_person(new_id(99));
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().code, ErrorCode::NotFound);
}

TEST_P(StoreContract, FindsAPersonByNik) {
    create(store(), 1, full_person(1));
    create(store(), 2, full_person(2));
    auto found = store().find_person_by_nik(full_person(2).nik);
    ASSERT_TRUE(found.has_value()) << found.error().message;
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->id, new_id(2));
    EXPECT_EQ((*found)->person.nik, full_person(2).nik);

    auto absent = store().find_person_by_nik("6474999999999999");
    ASSERT_TRUE(absent.has_value()) << absent.error().message;
    EXPECT_FALSE(absent->has_value());
}

TEST_P(StoreContract, CreateWithARegisteredNikIsDuplicateNik) {
    create(store(), 1, full_person(1));
    core::Person other = full_person(2);
    other.nik = full_person(1).nik;
    auto r = store().create_person(new_id(2), other, "64.74.01", ctx_at(kT0), {});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::DuplicateNik);
    EXPECT_EQ(store().get_person(new_id(2)).error().code, ErrorCode::NotFound);
}

// ---- update and history ---------------------------------------------------------------------

TEST_P(StoreContract, UpdateBumpsVersionAndKeepsHistory) {
    const core::Person v1 = full_person(1);
    create(store(), 1, v1, at_minute(0));
    core::Person v2 = v1;
    v2.full_name = "Siti Baru";
    v2.kk = "6474010101209999";
    auto updated = store().update_person(
        new_id(1), 1, v2, "64.74.01", ctx_at(at_minute(5), "user:2", "koreksi nama"));
    ASSERT_TRUE(updated.has_value()) << updated.error().message;
    EXPECT_EQ(updated->version, 2);
    EXPECT_EQ(updated->created_at, at_minute(0));
    EXPECT_EQ(updated->created_by, "user:1");
    EXPECT_EQ(updated->updated_at, at_minute(5));
    EXPECT_EQ(updated->updated_by, "user:2");

    auto got = store().get_person(new_id(1));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, *updated);
    EXPECT_EQ(got->person, v2);

    auto history = store().person_history(new_id(1));
    ASSERT_TRUE(history.has_value()) << history.error().message;
    ASSERT_EQ(history->size(), 2U);
    EXPECT_EQ((*history)[0].record.person, v1);
    EXPECT_EQ((*history)[1].record.person, v2);
}

TEST_P(StoreContract, UpdateWithAStaleVersionIsVersionConflict) {
    create(store(), 1, full_person(1));
    core::Person p = full_person(1);
    p.phone = "0811111111";
    ASSERT_TRUE(store().update_person(new_id(1), 1, p, "64.74.01", ctx_at(at_minute(1))));
    p.phone = "0822222222";
    auto stale = store().update_person(new_id(1), 1, p, "64.74.01", ctx_at(at_minute(2)));
    ASSERT_FALSE(stale.has_value());
    EXPECT_EQ(stale.error().code, ErrorCode::VersionConflict);
    auto got = store().get_person(new_id(1));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->version, 2);
    EXPECT_EQ(got->person.phone, "0811111111");
}

TEST_P(StoreContract, UpdateOfAnUnknownIdIsNotFound) {
    auto r = store().update_person(new_id(5), 1, full_person(5), "64.74.01", ctx_at(kT0));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::NotFound);
}

TEST_P(StoreContract, UpdateToAnotherPersonsNikIsDuplicateNik) {
    create(store(), 1, full_person(1));
    create(store(), 2, full_person(2));
    core::Person p = full_person(2);
    p.nik = full_person(1).nik;
    auto r = store().update_person(new_id(2), 1, p, "64.74.01", ctx_at(at_minute(1)));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::DuplicateNik);
}

TEST_P(StoreContract, HistoryListsEveryVersionOldestFirstWithItsContext) {
    core::Person p = full_person(1);
    create(store(), 1, p, at_minute(0));
    for (int v = 1; v <= 3; ++v) {
        p.needs_note = "catatan " + std::to_string(v);
        auto r = store().update_person(new_id(1),
                                       v,
                                       p,
                                       "64.74.01",
                                       ctx_at(at_minute(10 * v),
                                              "user:" + std::to_string(v + 1),
                                              "alasan " + std::to_string(v)));
        ASSERT_TRUE(r.has_value()) << r.error().message;
    }
    auto history = store().person_history(new_id(1));
    ASSERT_TRUE(history.has_value()) << history.error().message;
    ASSERT_EQ(history->size(), 4U);
    for (std::size_t i = 0; i < history->size(); ++i) {
        const PersonVersion& h = (*history)[i];
        EXPECT_EQ(h.record.version, static_cast<std::int64_t>(i + 1));
        EXPECT_EQ(h.record.id, new_id(1));
        EXPECT_EQ(h.record.created_at, at_minute(0));
        EXPECT_EQ(h.record.created_by, "user:1");
        EXPECT_EQ(h.record.updated_at, at_minute(10 * static_cast<int>(i)));
        EXPECT_EQ(h.record.updated_by, "user:" + std::to_string(i + 1));
        EXPECT_EQ(h.source, "127.0.0.1");
        EXPECT_EQ(h.reason, i == 0 ? "" : "alasan " + std::to_string(i));
        EXPECT_EQ(h.record.person.needs_note,
                  i == 0 ? "butuh ramp" : "catatan " + std::to_string(i));
        EXPECT_EQ(h.record.person.nik, p.nik);
    }
    auto current = store().get_person(new_id(1));
    ASSERT_TRUE(current.has_value());
    EXPECT_EQ(history->back().record, *current);

    auto unknown = store().person_history(new_id(42));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
}

TEST_P(StoreContract, AsOfGivesTheVersionInForceAtAnInstant) {
    core::Person p = full_person(1);
    create(store(), 1, p, at_minute(10));
    p.phone = "v2";
    ASSERT_TRUE(store().update_person(new_id(1), 1, p, "64.74.01", ctx_at(at_minute(20))));
    p.phone = "v3";
    ASSERT_TRUE(store().update_person(new_id(1), 2, p, "64.74.01", ctx_at(at_minute(30))));

    auto before = store().person_as_of(new_id(1), at_minute(9));
    ASSERT_FALSE(before.has_value());
    EXPECT_EQ(before.error().code, ErrorCode::NotFound);

    const auto version_at = [&](core::Timestamp t) {
        auto r = store().person_as_of(new_id(1), t);
        EXPECT_TRUE(r.has_value()) << r.error().message;
        return r ? r->version : -1;
    };
    EXPECT_EQ(version_at(at_minute(10)), 1);                                // at the create
    EXPECT_EQ(version_at(at_minute(15)), 1);                                // between
    EXPECT_EQ(version_at(at_minute(20) - std::chrono::milliseconds(1)), 1); // just before v2
    EXPECT_EQ(version_at(at_minute(20)), 2);                                // at v2
    EXPECT_EQ(version_at(at_minute(29)), 2);
    EXPECT_EQ(version_at(at_minute(30)), 3);
    EXPECT_EQ(version_at(at_minute(1000)), 3);

    auto v2 = store().person_as_of(new_id(1), at_minute(25));
    ASSERT_TRUE(v2.has_value());
    EXPECT_EQ(v2->person.phone, "v2");
    EXPECT_EQ(v2->created_at, at_minute(10));
    EXPECT_EQ(v2->updated_at, at_minute(20));

    auto unknown = store().person_as_of(new_id(7), at_minute(30));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
}

// ---- idempotency ----------------------------------------------------------------------------

TEST_P(StoreContract, RepeatedIdempotencyKeyReplaysTheFirstResult) {
    const IdempotencyToken token{"key-1", "fp-A"};
    auto first = store().create_person(new_id(1), full_person(1), "64.74.01", ctx_at(kT0), token);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_FALSE(first->replayed);

    // The retry carries a fresh id (the caller makes one per attempt): nothing new is written.
    auto again =
        store().create_person(new_id(2), full_person(1), "64.74.01", ctx_at(at_minute(1)), token);
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_TRUE(again->replayed);
    EXPECT_EQ(again->record, first->record);
    EXPECT_EQ(store().get_person(new_id(2)).error().code, ErrorCode::NotFound);
    EXPECT_EQ(store().info().persons, 1);
}

TEST_P(StoreContract, IdempotencyKeyReusedForAnotherRequestIsRefused) {
    ASSERT_TRUE(store().create_person(
        new_id(1), full_person(1), "64.74.01", ctx_at(kT0), IdempotencyToken{"key-1", "fp-A"}));
    auto reused = store().create_person(
        new_id(2), full_person(2), "64.74.01", ctx_at(kT0), IdempotencyToken{"key-1", "fp-B"});
    ASSERT_FALSE(reused.has_value());
    EXPECT_EQ(reused.error().code, ErrorCode::IdempotencyKeyReused);
    EXPECT_EQ(store().info().persons, 1);
}

TEST_P(StoreContract, FailedCreateDoesNotConsumeItsIdempotencyKey) {
    create(store(), 1, full_person(1));
    const IdempotencyToken token{"key-2", "fp-A"};
    auto dup = store().create_person(new_id(2), full_person(1), "64.74.01", ctx_at(kT0), token);
    ASSERT_FALSE(dup.has_value());
    EXPECT_EQ(dup.error().code, ErrorCode::DuplicateNik);
    auto ok = store().create_person(new_id(3), full_person(3), "64.74.01", ctx_at(kT0), token);
    ASSERT_TRUE(ok.has_value()) << ok.error().message;
    EXPECT_FALSE(ok->replayed);
}

// ---- list: filters against a brute-force oracle, cursor paging ----------------------------

namespace {

struct Generated {
    core::PersonId id;
    core::Person person;
    std::string kecamatan_code;
};

const char* const kKelurahan[] = {"64.74.01.1001",
                                  "64.74.01.1002",
                                  "64.74.01.1003",
                                  "64.74.02.1001",
                                  "64.74.02.1002",
                                  "64.74.03.1001",
                                  "64.74.03.1004",
                                  "64.74.03.10041"};

const char* const kNameParts[] = {"Siti",     "Nur",   "Ahmad", "Budi",    "Rahma",  "Dewi", "Agus",
                                  "Putri",    "Wati",  "Yusuf", "Andi",    "Ikhsan", "La",   "Ode",
                                  "Muhammad", "Fitri", "Sri",   "Hasanah", "Abdul",  "Ani"};

std::vector<Generated> generate(std::mt19937_64& rng, int count) {
    std::vector<Generated> out;
    const auto pick = [&](std::size_t n) {
        return static_cast<std::size_t>(rng() % n);
    };
    for (int i = 0; i < count; ++i) {
        core::Person p;
        char nik[24];
        std::snprintf(nik, sizeof nik, "6474%012d", i + 1);
        p.nik = nik;
        if (pick(3) != 0) {
            char kk[24];
            std::snprintf(kk, sizeof kk, "6474%012d", 500000 + i);
            p.kk = kk;
        }
        const std::size_t words = 1 + pick(3);
        for (std::size_t w = 0; w < words; ++w) {
            std::string part = kNameParts[pick(std::size(kNameParts))];
            if (pick(5) == 0) {
                part = core::to_lower(part);
            }
            p.full_name += (w == 0 ? "" : " ") + part;
        }
        if (pick(10) == 0) {
            p.full_name += " 100%_x"; // LIKE metacharacters must be taken literally
        }
        p.sex = pick(2) == 0 ? core::Sex::Male : core::Sex::Female;
        p.birth_date = make_date(1950 + static_cast<int>(pick(60)),
                                 1 + static_cast<unsigned>(pick(12)),
                                 1 + static_cast<unsigned>(pick(28)));
        p.address.kelurahan_code = kKelurahan[pick(std::size(kKelurahan))];
        for (const auto c : core::kAllCategories) {
            if (pick(4) == 0) {
                p.categories.push_back(c);
            }
        }
        if (p.categories.empty()) {
            p.categories.push_back(core::kAllCategories[pick(core::kAllCategories.size())]);
        }
        p.status = core::kAllStatuses[pick(core::kAllStatuses.size())];
        if (pick(2) == 0) {
            p.home = core::HomeLocation{117.4 + static_cast<double>(pick(1000)) / 10000.0,
                                        0.1 + static_cast<double>(pick(1000)) / 10000.0,
                                        std::nullopt,
                                        core::LocationSource::Map};
        }
        std::string kec = core::kecamatan_of(p.address.kelurahan_code);
        if (p.address.kelurahan_code == std::string("64.74.03.10041")) {
            kec = "64.74.03"; // an odd code still belongs to its kecamatan
        }
        out.push_back(Generated{new_id(i + 1), std::move(p), std::move(kec)});
    }
    return out;
}

bool matches(const Generated& g, const PersonQuery& q) {
    const core::Person& p = g.person;
    if (q.kelurahan_code && p.address.kelurahan_code != *q.kelurahan_code) {
        return false;
    }
    if (q.kecamatan_code && g.kecamatan_code != *q.kecamatan_code) {
        return false;
    }
    if (q.category &&
        std::find(p.categories.begin(), p.categories.end(), *q.category) == p.categories.end()) {
        return false;
    }
    if (q.status && p.status != *q.status) {
        return false;
    }
    if (!q.name_contains.empty() &&
        core::to_lower(p.full_name).find(core::to_lower(q.name_contains)) == std::string::npos) {
        return false;
    }
    if (!q.scope_area_codes.empty()) {
        const std::string& kel = p.address.kelurahan_code;
        const bool in_scope =
            std::any_of(q.scope_area_codes.begin(), q.scope_area_codes.end(), [&](const auto& c) {
                return kel == c || kel.rfind(c + ".", 0) == 0;
            });
        if (!in_scope) {
            return false;
        }
    }
    return true;
}

std::string describe(const PersonQuery& q) {
    std::string s = "query{";
    if (q.kelurahan_code) {
        s += " kel=" + *q.kelurahan_code;
    }
    if (q.kecamatan_code) {
        s += " kec=" + *q.kecamatan_code;
    }
    if (q.category) {
        s += " cat=" + std::string(core::to_string(*q.category));
    }
    if (q.status) {
        s += " status=" + std::string(core::to_string(*q.status));
    }
    if (!q.name_contains.empty()) {
        s += " name='" + q.name_contains + "'";
    }
    for (const auto& c : q.scope_area_codes) {
        s += " scope=" + c;
    }
    return s + " limit=" + std::to_string(q.limit) + " }";
}

PersonQuery random_query(std::mt19937_64& rng, const std::vector<Generated>& people) {
    const auto pick = [&](std::size_t n) {
        return static_cast<std::size_t>(rng() % n);
    };
    PersonQuery q;
    if (pick(4) == 0) {
        q.kelurahan_code = kKelurahan[pick(std::size(kKelurahan))];
    }
    if (pick(4) == 0) {
        const char* const kecs[] = {"64.74.01", "64.74.02", "64.74.03", "64.74.09"};
        q.kecamatan_code = kecs[pick(std::size(kecs))];
    }
    if (pick(3) == 0) {
        q.category = core::kAllCategories[pick(core::kAllCategories.size())];
    }
    if (pick(3) == 0) {
        q.status = core::kAllStatuses[pick(core::kAllStatuses.size())];
    }
    if (pick(2) == 0) {
        // A substring of some name, 1..6 characters, case flipped at random.
        const std::string& name = people[pick(people.size())].person.full_name;
        const std::size_t len = std::min<std::size_t>(name.size(), 1 + pick(6));
        const std::size_t from = pick(name.size() - len + 1);
        q.name_contains = name.substr(from, len);
        for (auto& c : q.name_contains) {
            if (pick(2) == 0) {
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
        }
        if (pick(10) == 0) {
            q.name_contains = "zq"; // absent
        }
    }
    if (pick(3) == 0) {
        const char* const scopes[] = {
            "64.74.01", "64.74.02.1002", "64.74.03.1004", "64.74", "64.74.0", "64.74.03.100"};
        const std::size_t n = 1 + pick(2);
        for (std::size_t i = 0; i < n; ++i) {
            q.scope_area_codes.emplace_back(scopes[pick(std::size(scopes))]);
        }
    }
    q.limit = 1 + static_cast<int>(pick(60));
    return q;
}

} // namespace

TEST_P(StoreContract, ListFiltersAndPagingMatchABruteForceOracle) {
    const std::uint64_t seed = test_seed();
    std::printf("KAPAL_TEST_SEED=%llu\n", static_cast<unsigned long long>(seed));
    RecordProperty("seed", std::to_string(seed));
    std::mt19937_64 rng(seed);
    const std::vector<Generated> people = generate(rng, 500);

    // Half through create_person, half through one import batch: both paths index alike.
    std::vector<ImportItem> items;
    std::vector<core::PersonId> ids;
    for (std::size_t i = 0; i < people.size(); ++i) {
        const Generated& g = people[i];
        if (i < people.size() / 2) {
            auto r = store().create_person(g.id, g.person, g.kecamatan_code, ctx_at(kT0), {});
            ASSERT_TRUE(r.has_value()) << r.error().message;
        } else {
            items.push_back(ImportItem{g.person, g.kecamatan_code, false});
            ids.push_back(g.id);
        }
    }
    auto imported = store().import_persons(items, ids, ctx_at(kT0, "import:test.csv"));
    ASSERT_TRUE(imported.has_value()) << imported.error().message;

    std::vector<PersonQuery> queries;
    queries.emplace_back(); // everything
    {
        PersonQuery q;
        q.name_contains = "100%_"; // literal metacharacters, FTS path
        queries.push_back(q);
        q.name_contains = "%"; // literal metacharacter, LIKE path
        queries.push_back(q);
        q.name_contains = "_x";
        queries.push_back(q);
        q.name_contains = "\"";
        queries.push_back(q);
        q.name_contains = "SITI";
        queries.push_back(q);
        q.name_contains = "a";
        queries.push_back(q);
    }
    for (int i = 0; i < 150; ++i) {
        queries.push_back(random_query(rng, people));
    }

    std::size_t non_empty = 0;
    for (const PersonQuery& base : queries) {
        std::vector<std::string> expected;
        for (const Generated& g : people) {
            if (matches(g, base)) {
                expected.push_back(g.id.str());
            }
        }
        non_empty += expected.empty() ? 0 : 1;

        std::vector<std::string> seen;
        PersonQuery q = base;
        for (int pages = 0; pages < 1000; ++pages) {
            auto page = store().list_persons(q);
            ASSERT_TRUE(page.has_value()) << describe(base) << ": " << page.error().message;
            ASSERT_LE(page->items.size(), static_cast<std::size_t>(q.limit)) << describe(base);
            for (const auto& r : page->items) {
                seen.push_back(r.id.str());
            }
            if (page->next_cursor.empty()) {
                break;
            }
            ASSERT_EQ(page->items.size(), static_cast<std::size_t>(q.limit)) << describe(base);
            q.cursor = page->next_cursor;
        }
        ASSERT_EQ(seen, expected) << describe(base) << " seed " << seed;
    }
    EXPECT_GT(non_empty, queries.size() / 4) << "the random queries hardly match anything";
}

TEST_P(StoreContract, ListReturnsFullRecords) {
    const core::Person p = full_person(1);
    create(store(), 1, p);
    PersonQuery q;
    q.name_contains = "nurhal";
    auto page = store().list_persons(q);
    ASSERT_TRUE(page.has_value()) << page.error().message;
    ASSERT_EQ(page->items.size(), 1U);
    EXPECT_EQ(page->items[0].person, p);
    EXPECT_TRUE(page->next_cursor.empty());
}

TEST_P(StoreContract, MalformedCursorIsBadCursor) {
    for (int i = 1; i <= 3; ++i) {
        create(store(), i, full_person(i));
    }
    PersonQuery q;
    q.limit = 1;
    auto first = store().list_persons(q);
    ASSERT_TRUE(first.has_value());
    ASSERT_FALSE(first->next_cursor.empty());
    EXPECT_EQ(first->next_cursor.find(new_id(1).str()), std::string::npos)
        << "the cursor should be opaque";

    const std::vector<std::string> bad_cursors = {"!!!",
                                                  "abc",
                                                  "AAAA",
                                                  "cDE6", // "p1:" with no id
                                                  first->next_cursor + "x",
                                                  first->next_cursor.substr(1),
                                                  "1"};
    for (const std::string& bad : bad_cursors) {
        q.cursor = bad;
        auto page = store().list_persons(q);
        ASSERT_FALSE(page.has_value()) << "cursor '" << bad << "' was accepted";
        EXPECT_EQ(page.error().code, ErrorCode::BadCursor) << bad;
    }
}

TEST_P(StoreContract, ListRefusesALimitOutOfRange) {
    PersonQuery q;
    q.limit = 0;
    EXPECT_EQ(store().list_persons(q).error().code, ErrorCode::InvalidArgument);
    q.limit = 1001;
    EXPECT_EQ(store().list_persons(q).error().code, ErrorCode::InvalidArgument);
}

// ---- import ------------------------------------------------------------------------------

TEST_P(StoreContract, ImportCreatesThenReportsUnchangedChangedAndUpdated) {
    std::vector<ImportItem> items;
    std::vector<core::PersonId> ids;
    for (int i = 1; i <= 4; ++i) {
        core::Person p = full_person(i);
        items.push_back(ImportItem{p, kecamatan(p), false});
        ids.push_back(new_id(i));
    }
    auto first = store().import_persons(items, ids, ctx_at(at_minute(0), "import:a.csv"));
    ASSERT_TRUE(first.has_value()) << first.error().message;
    ASSERT_EQ(first->size(), 4U);
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ((*first)[static_cast<std::size_t>(i)].action, ImportAction::Created);
        EXPECT_EQ((*first)[static_cast<std::size_t>(i)].id, new_id(i + 1));
    }

    // Second file: row 1 same, row 2 changed (report only), row 3 changed KK (update), row 4
    // same, row 5 new.
    items[1].person.needs_note = "berubah";
    items[2].person.kk = "6474010101208888";
    items[2].update_if_changed = true;
    items[3].update_if_changed = true;
    core::Person fifth = full_person(5);
    items.push_back(ImportItem{fifth, kecamatan(fifth), false});
    std::vector<core::PersonId> ids2;
    for (int i = 11; i <= 15; ++i) {
        ids2.push_back(new_id(i));
    }
    auto second = store().import_persons(items, ids2, ctx_at(at_minute(5), "import:b.csv"));
    ASSERT_TRUE(second.has_value()) << second.error().message;
    ASSERT_EQ(second->size(), 5U);
    EXPECT_EQ((*second)[0].action, ImportAction::Unchanged);
    EXPECT_EQ((*second)[0].id, new_id(1));
    EXPECT_EQ((*second)[1].action, ImportAction::Changed);
    EXPECT_EQ((*second)[1].id, new_id(2));
    EXPECT_EQ((*second)[2].action, ImportAction::Updated);
    EXPECT_EQ((*second)[2].id, new_id(3));
    EXPECT_EQ((*second)[3].action, ImportAction::Unchanged);
    EXPECT_EQ((*second)[4].action, ImportAction::Created);
    EXPECT_EQ((*second)[4].id, new_id(15));

    auto changed = store().get_person(new_id(2));
    ASSERT_TRUE(changed.has_value());
    EXPECT_EQ(changed->version, 1) << "a Changed row must not be written";
    EXPECT_EQ(changed->person, full_person(2));

    auto updated = store().get_person(new_id(3));
    ASSERT_TRUE(updated.has_value());
    EXPECT_EQ(updated->version, 2);
    EXPECT_EQ(updated->person.kk, "6474010101208888");
    EXPECT_EQ(updated->updated_by, "import:b.csv");
    auto history = store().person_history(new_id(3));
    ASSERT_TRUE(history.has_value());
    ASSERT_EQ(history->size(), 2U);
    EXPECT_EQ((*history)[0].record.person, full_person(3));
    EXPECT_EQ((*history)[1].record.updated_at, at_minute(5));

    auto created = store().person_history(new_id(15));
    ASSERT_TRUE(created.has_value());
    EXPECT_EQ(created->size(), 1U);
    EXPECT_EQ(store().info().persons, 5);
}

TEST_P(StoreContract, ImportMatchesRepeatedNiksWithinOneBatch) {
    core::Person p = full_person(1);
    core::Person again = p;
    again.phone = "0899";
    std::vector<ImportItem> items = {
        {p, kecamatan(p), false}, {p, kecamatan(p), false}, {again, kecamatan(again), true}};
    auto r = store().import_persons(items, {new_id(1), new_id(2), new_id(3)}, ctx_at(kT0));
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ((*r)[0].action, ImportAction::Created);
    EXPECT_EQ((*r)[1].action, ImportAction::Unchanged);
    EXPECT_EQ((*r)[2].action, ImportAction::Updated);
    EXPECT_EQ((*r)[2].id, new_id(1));
    EXPECT_EQ(store().info().persons, 1);
}

TEST_P(StoreContract, FailedImportWritesNothing) {
    create(store(), 1, full_person(1));
    // Row 2 reuses the id of an existing person: the whole batch must roll back.
    std::vector<ImportItem> items = {{full_person(2), "64.74.01", false},
                                     {full_person(3), "64.74.01", false}};
    auto r = store().import_persons(items, {new_id(2), new_id(1)}, ctx_at(kT0));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(store().info().persons, 1);
    EXPECT_EQ(store().get_person(new_id(2)).error().code, ErrorCode::NotFound);

    auto mismatched = store().import_persons(items, {new_id(2)}, ctx_at(kT0));
    ASSERT_FALSE(mismatched.has_value());
    EXPECT_EQ(mismatched.error().code, ErrorCode::InvalidArgument);
}

// ---- concurrency, integrity, info ----------------------------------------------------------

TEST_P(StoreContract, ConcurrentReadersSeeConsistentRecordsWhileWriting) {
    constexpr int kPersons = 5;
    constexpr int kUpdates = 40;
    for (int i = 1; i <= kPersons; ++i) {
        core::Person p = full_person(i);
        p.needs_note = "1";
        create(store(), i, p);
    }
    std::atomic<bool> done{false};
    std::atomic<int> failures{0};
    std::atomic<long> reads{0};
    const auto reader = [&](int which) {
        while (!done.load()) {
            const core::PersonId id =
                new_id(1 + (which + static_cast<int>(reads.load())) % kPersons);
            auto r = store().get_person(id);
            // Every version writes its own number into needs_note: the two must agree.
            if (!r || r->person.needs_note != std::to_string(r->version)) {
                ++failures;
            }
            auto h = store().person_history(id);
            if (!h || h->empty() ||
                h->back().record.version != static_cast<std::int64_t>(h->size())) {
                ++failures;
            }
            PersonQuery q;
            q.limit = 10;
            auto page = store().list_persons(q);
            if (!page || page->items.size() != static_cast<std::size_t>(kPersons)) {
                ++failures;
            }
            ++reads;
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
        threads.emplace_back(reader, t);
    }
    for (int u = 1; u <= kUpdates; ++u) {
        for (int i = 1; i <= kPersons; ++i) {
            core::Person p = full_person(i);
            p.needs_note = std::to_string(u + 1);
            auto r = store().update_person(new_id(i), u, p, kecamatan(p), ctx_at(at_minute(u)));
            ASSERT_TRUE(r.has_value()) << r.error().message;
        }
    }
    done = true;
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(failures.load(), 0);
    EXPECT_GT(reads.load(), 0);
    auto last = store().get_person(new_id(kPersons));
    ASSERT_TRUE(last.has_value());
    EXPECT_EQ(last->version, kUpdates + 1);
}

// ---- change feed ----------------------------------------------------------------------------

namespace {

/// Every item of the feed after `from`, read in pages of `page`; the cursor after the last.
std::pair<std::vector<PersonSummary>, ChangeCursor>
read_feed(Store& s, ChangeCursor from = {}, int page = 1000) {
    std::vector<PersonSummary> all;
    for (int guard = 0; guard < 10000; ++guard) {
        auto r = s.person_changes(from, page);
        EXPECT_TRUE(r.has_value()) << r.error().message;
        if (!r || r->items.empty()) {
            if (r) {
                EXPECT_EQ(r->next, from) << "an empty page keeps the cursor";
            }
            break;
        }
        EXPECT_LE(r->items.size(), static_cast<std::size_t>(page));
        EXPECT_NE(r->next, from);
        all.insert(all.end(), r->items.begin(), r->items.end());
        from = r->next;
    }
    return {all, from};
}

} // namespace

TEST_P(StoreContract, ChangeFeedFromTheStartListsEveryPersonOnceInWriteOrder) {
    create(store(), 1, full_person(1));
    create(store(), 2, full_person(2));
    core::Person changed = full_person(1);
    changed.address.kelurahan_code = "64.74.02.1001";
    changed.categories = {core::Category::Mental};
    changed.severity = std::nullopt;
    changed.status = core::Status::Pindah;
    changed.home = std::nullopt;
    changed.full_name = "Siti Nurhalizah";
    changed.birth_date = core::Date{};
    ASSERT_TRUE(store().update_person(new_id(1), 1, changed, kecamatan(changed), ctx_at(kT0)));

    auto [items, end] = read_feed(store());
    ASSERT_EQ(items.size(), 2U) << "one entry per person, in its current version";
    EXPECT_EQ(items[0].id, new_id(2)) << "ordered by the write that last changed each";
    EXPECT_EQ(items[0].version, 1);
    EXPECT_EQ(items[0].kelurahan_code, "64.74.01.1003");
    EXPECT_EQ(items[0].categories, category_mask(full_person(2).categories));
    EXPECT_EQ(items[0].severity, core::DisabilitySeverity::Berat);
    EXPECT_EQ(items[0].status, core::Status::Aktif);
    ASSERT_TRUE(items[0].lon && items[0].lat);
    EXPECT_DOUBLE_EQ(*items[0].lon, 117.4987);
    EXPECT_DOUBLE_EQ(*items[0].lat, 0.1342);
    // What the duplicate check's blocking keys are made of.
    EXPECT_EQ(items[0].full_name, "Siti Nurhaliza 2");
    EXPECT_EQ(items[0].birth_date, make_date(1990, 3, 12));
    EXPECT_EQ(items[0].sex, core::Sex::Female);

    EXPECT_EQ(items[1].id, new_id(1));
    EXPECT_EQ(items[1].version, 2);
    EXPECT_EQ(items[1].kelurahan_code, "64.74.02.1001");
    EXPECT_EQ(items[1].categories, 1U << static_cast<unsigned>(core::Category::Mental));
    EXPECT_FALSE(items[1].severity.has_value());
    EXPECT_EQ(items[1].status, core::Status::Pindah);
    EXPECT_FALSE(items[1].lon.has_value());
    EXPECT_EQ(items[1].full_name, "Siti Nurhalizah");
    EXPECT_FALSE(items[1].birth_date.has_value()) << "an unknown birth date stays unknown";

    // The cursor of a write is its audit seq: the update was the third entry.
    auto log = store().list_audit(AuditQuery{});
    ASSERT_TRUE(log.has_value());
    ASSERT_FALSE(log->empty());
    EXPECT_EQ(end.seq, log->front().seq);
    EXPECT_EQ(log->front().action, "person.update");
}

TEST_P(StoreContract, ChangeFeedAfterACursorShowsOnlyLaterWrites) {
    create(store(), 1, full_person(1));
    create(store(), 2, full_person(2));
    const auto [before, cursor] = read_feed(store());
    ASSERT_EQ(before.size(), 2U);

    ASSERT_TRUE(
        store().append_audit(AuditEntry{0, kT0, "user:1", "cli", "person.unmask", "x", "", ""}));
    auto none = read_feed(store(), cursor);
    EXPECT_TRUE(none.first.empty()) << "an audit entry alone changes no person";

    core::Person p2 = full_person(2);
    p2.status = core::Status::Meninggal;
    ASSERT_TRUE(store().update_person(new_id(2), 1, p2, kecamatan(p2), ctx_at(at_minute(1))));
    const auto [after, end] = read_feed(store(), cursor);
    ASSERT_EQ(after.size(), 1U);
    EXPECT_EQ(after[0].id, new_id(2));
    EXPECT_EQ(after[0].version, 2);
    EXPECT_EQ(after[0].status, core::Status::Meninggal);
    EXPECT_GT(end.seq, cursor.seq);

    // A failed write (stale version) changes nothing in the feed.
    EXPECT_FALSE(store().update_person(new_id(2), 1, p2, kecamatan(p2), ctx_at(at_minute(2))));
    EXPECT_TRUE(read_feed(store(), end).first.empty());
}

TEST_P(StoreContract, ChangeFeedPagesThroughImportBatchesWithoutLossOrRepeat) {
    std::vector<ImportItem> items;
    std::vector<core::PersonId> ids;
    for (int i = 1; i <= 30; ++i) {
        core::Person p = full_person(i);
        items.push_back(ImportItem{p, kecamatan(p), false});
        ids.push_back(new_id(i));
    }
    ASSERT_TRUE(store().import_persons(items, ids, ctx_at(kT0, "import:a.csv")));
    for (int i = 31; i <= 35; ++i) {
        create(store(), i, full_person(i));
    }
    // A second import: 3 rows updated, 1 new, the rest unchanged (not in the feed again).
    std::vector<ImportItem> again(items.begin(), items.begin() + 3);
    for (auto& item : again) {
        item.person.needs_note = "diperbarui";
        item.update_if_changed = true;
    }
    core::Person extra = full_person(36);
    again.push_back(ImportItem{extra, kecamatan(extra), false});
    std::vector<core::PersonId> ids2;
    for (int i = 0; i < 4; ++i) {
        ids2.push_back(new_id(100 + i));
    }
    const auto [first, mid] = read_feed(store(), {}, 7);
    ASSERT_EQ(first.size(), 35U);
    ASSERT_TRUE(store().import_persons(again, ids2, ctx_at(at_minute(1), "import:b.csv")));

    const auto [all, end] = read_feed(store(), {}, 7);
    std::set<std::string> seen;
    for (const auto& s : all) {
        EXPECT_TRUE(seen.insert(s.id.str()).second) << "repeated " << s.id.str();
    }
    EXPECT_EQ(all.size(), 36U);
    const auto [later, end2] = read_feed(store(), mid, 2);
    ASSERT_EQ(later.size(), 4U) << "the updated rows and the new one, nothing else";
    std::set<std::string> later_ids;
    for (const auto& s : later) {
        later_ids.insert(s.id.str());
        EXPECT_EQ(s.version, s.id == new_id(103) ? 1 : 2);
    }
    EXPECT_EQ(later_ids,
              (std::set<std::string>{
                  new_id(1).str(), new_id(2).str(), new_id(3).str(), new_id(103).str()}));
    EXPECT_EQ(end2, end);
}

TEST_P(StoreContract, ChangeFeedRefusesALimitOutOfRange) {
    for (int limit : {0, -1, 100001}) {
        auto r = store().person_changes({}, limit);
        ASSERT_FALSE(r.has_value()) << limit;
        EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    }
}

TEST_P(StoreContract, ChangeWaiterReturnsWithinItsTimeout) {
    auto waiter = store().change_waiter();
    ASSERT_NE(waiter, nullptr);
    const auto start = std::chrono::steady_clock::now();
    waiter->wait(50);
    waiter->wait(50);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_P(StoreContract, PingAnswersTheSchemaVersionWithoutCounting) {
    auto version = store().ping();
    ASSERT_TRUE(version.has_value()) << version.error().message;
    EXPECT_EQ(*version, store().info().schema_version);
    EXPECT_GT(*version, 3);
    EXPECT_EQ(store().backend(), store().info().backend);
}

TEST_P(StoreContract, IntegrityCheckPassesOnAFreshStore) {
    auto ok = store().check_integrity();
    EXPECT_TRUE(ok.has_value()) << ok.error().message;
    create(store(), 1, full_person(1));
    auto still = store().check_integrity();
    EXPECT_TRUE(still.has_value()) << still.error().message;
}

TEST_P(StoreContract, InfoCountsPersons) {
    StoreInfo empty = store().info();
    EXPECT_EQ(empty.persons, 0);
    EXPECT_GT(empty.schema_version, 0);
    EXPECT_FALSE(empty.backend.empty());
    create(store(), 1, full_person(1));
    create(store(), 2, full_person(2));
    EXPECT_EQ(store().info().persons, 2);
}

namespace {

UserRecord user_record(const std::string& id, const std::string& name, core::Role role) {
    UserRecord r;
    r.user.id = id;
    r.user.username = name;
    r.user.display_name = "Petugas " + name;
    r.user.role = role;
    r.user.area_codes = {"64.74.01", "64.74.02.1003"};
    r.user.created_at = core::from_unix_ms(1'700'000'000'000);
    r.user.updated_at = r.user.created_at;
    r.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
    return r;
}

} // namespace

TEST_P(StoreContract, StoresFindsListsAndUpdatesUsers) {
    const auto op =
        user_record("01900000-0000-7000-8000-000000000001", "operator.utara", core::Role::Operator);
    const auto admin =
        user_record("01900000-0000-7000-8000-000000000002", "admin", core::Role::Admin);
    ASSERT_TRUE(store().create_user(op, ctx_at(kT0)).has_value());
    ASSERT_TRUE(store().create_user(admin, ctx_at(kT0)).has_value());
    auto found = store().find_user("operator.utara");
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ((*found)->user, op.user);
    EXPECT_EQ((*found)->password_hash, op.password_hash);
    auto missing = store().find_user("nobody");
    ASSERT_TRUE(missing.has_value());
    EXPECT_FALSE(missing->has_value());

    auto changed = op;
    changed.user.disabled = true;
    changed.user.area_codes = {"64.74.03"};
    changed.password_hash = "$argon2id$v=19$other";
    changed.user.updated_at = core::from_unix_ms(1'700'000'100'000);
    ASSERT_TRUE(store().update_user(changed, ctx_at(at_minute(1))).has_value());
    EXPECT_EQ((**store().find_user("operator.utara")).user, changed.user);

    auto all = store().list_users();
    ASSERT_TRUE(all.has_value());
    ASSERT_EQ(all->size(), 2U);
    EXPECT_EQ((*all)[0].user.username, "admin");
    EXPECT_EQ(store().info().users, 2);
}

TEST_P(StoreContract, RefusesATakenUserNameAndUnknownUsers) {
    const auto a = user_record("01900000-0000-7000-8000-000000000011", "siti", core::Role::Viewer);
    ASSERT_TRUE(store().create_user(a, ctx_at(kT0)).has_value());
    auto again = store().create_user(
        user_record("01900000-0000-7000-8000-000000000012", "siti", core::Role::Viewer),
        ctx_at(kT0));
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, ErrorCode::AlreadyExists);
    auto ghost = store().update_user(
        user_record("01900000-0000-7000-8000-000000000013", "ghost", core::Role::Viewer),
        ctx_at(kT0));
    ASSERT_FALSE(ghost.has_value());
    EXPECT_EQ(ghost.error().code, ErrorCode::NotFound);
}

TEST_P(StoreContract, GetUserFindsAnAccountById) {
    const auto op = user_record(
        "01900000-0000-7000-8000-000000000021", "operator.selatan", core::Role::Operator);
    ASSERT_TRUE(store().create_user(op, ctx_at(kT0)).has_value());
    auto got = store().get_user(op.user.id);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->user, op.user);
    EXPECT_EQ((*got)->password_hash, op.password_hash);
    auto by_name = store().get_user(op.user.username);
    ASSERT_TRUE(by_name.has_value());
    EXPECT_FALSE(by_name->has_value()) << "get_user looks up ids, not user names";
    auto missing = store().get_user("01900000-0000-7000-8000-000000000099");
    ASSERT_TRUE(missing.has_value());
    EXPECT_FALSE(missing->has_value());
}

// ---- audit log ---------------------------------------------------------------------------

namespace {

const std::string kAlice = "01900000-0000-7000-8000-0000000000a1";
const std::string kBob = "01900000-0000-7000-8000-0000000000b2";

/// The whole log, newest first.
std::vector<AuditEntry> audit_log(Store& s) {
    AuditQuery q;
    q.limit = 1000;
    auto r = s.list_audit(q);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r ? *r : std::vector<AuditEntry>{};
}

std::size_t audit_count(Store& s) {
    return audit_log(s).size();
}

/// Checks the newest entry of the log.
void expect_last_audit(Store& s,
                       const std::string& action,
                       const std::string& subject,
                       const WriteContext& ctx) {
    const auto log = audit_log(s);
    ASSERT_FALSE(log.empty()) << "no audit entry for " << action;
    const AuditEntry& e = log.front();
    EXPECT_EQ(e.action, action);
    EXPECT_EQ(e.subject, subject) << action;
    EXPECT_EQ(e.actor, ctx.actor) << action;
    EXPECT_EQ(e.source, ctx.source) << action;
    EXPECT_EQ(e.at, ctx.at) << action;
}

/// A hex string of 64 characters (a SHA-256), different for each n.
std::string hash_of(int n) {
    char buf[65];
    std::snprintf(buf, sizeof buf, "%064x", static_cast<unsigned>(n));
    return buf;
}

std::string session_id(int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "01900000-0000-7000-8000-%012d", 500000 + n);
    return buf;
}

std::string token_id(int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "01900000-0000-7000-8000-%012d", 700000 + n);
    return buf;
}

SessionRecord session(int n, const std::string& user_id, core::Timestamp created) {
    SessionRecord s;
    s.id = session_id(n);
    s.token_hash = hash_of(1000 + n);
    s.user_id = user_id;
    s.created_at = created;
    s.last_seen_at = created;
    s.expires_at = created + std::chrono::hours(12);
    s.address = "10.0.0." + std::to_string(n);
    s.user_agent = "Mozilla/5.0 (X11; Linux x86_64) " + std::to_string(n);
    return s;
}

ApiTokenRecord api_token(int n, const std::string& user_id, core::Timestamp created) {
    ApiTokenRecord t;
    t.id = token_id(n);
    t.name = "sync dtks " + std::to_string(n);
    t.token_hash = hash_of(2000 + n);
    t.user_id = user_id;
    t.role = core::Role::Operator;
    t.area_codes = {"64.74.01", "64.74.02.1003"};
    t.created_at = created;
    t.expires_at = created + std::chrono::hours(24 * 90);
    return t;
}

WriteContext web_ctx(core::Timestamp t, const std::string& actor, std::string reason = "") {
    return WriteContext{actor, "192.0.2.7", t, std::move(reason)};
}

TEST_P(StoreContract, KeyRotationReencryptsEveryValueAndTheOldKeysNoLongerFit) {
    ASSERT_TRUE(store().check_keys().has_value());
    for (int n = 1; n <= 3; ++n) {
        ASSERT_TRUE(store().create_person(
            new_id(n), full_person(n), "64.74.01", ctx_at(at_minute(n)), std::nullopt));
    }
    core::Person changed = full_person(2);
    changed.phone = "0811";
    ASSERT_TRUE(store().update_person(new_id(2), 1, changed, "64.74.01", ctx_at(at_minute(5))));
    ASSERT_TRUE(store().check_keys().has_value());

    StoreKeys short_keys;
    short_keys.data_key.assign(5, 1);
    short_keys.index_key.assign(5, 1);
    auto refused = store().rotate_keys(short_keys, ctx_at(at_minute(6)));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);

    const StoreKeys next = generate_store_keys();
    auto rotated = store().rotate_keys(next, ctx_at(at_minute(7), "cli:root", "kunci bocor"));
    ASSERT_TRUE(rotated.has_value()) << rotated.error().message;
    // 3 current rows and 1 previous version, each with NIK and KK.
    EXPECT_EQ(*rotated, 8);

    auto reopened = reopen_store(next);
    ASSERT_TRUE(reopened.has_value()) << reopened.error().message;
    replace_store(std::move(*reopened));
    EXPECT_TRUE(store().check_keys().has_value());
    for (int n = 1; n <= 3; ++n) {
        auto read = store().get_person(new_id(n));
        ASSERT_TRUE(read.has_value()) << read.error().message;
        EXPECT_EQ(read->person.nik, full_person(n).nik);
        EXPECT_EQ(read->person.kk, full_person(n).kk);
        auto by_nik = store().find_person_by_nik(full_person(n).nik);
        ASSERT_TRUE(by_nik.has_value() && by_nik->has_value()) << n;
        EXPECT_EQ((*by_nik)->id, new_id(n));
    }
    auto history = store().person_history(new_id(2));
    ASSERT_TRUE(history.has_value()) << history.error().message;
    ASSERT_EQ(history->size(), 2U);
    EXPECT_EQ(history->front().record.person.nik, full_person(2).nik);
    // A new NIK that collides with a stored one is still found as a duplicate.
    auto dup = store().create_person(
        new_id(9), full_person(1), "64.74.01", ctx_at(at_minute(8)), std::nullopt);
    ASSERT_FALSE(dup.has_value());
    EXPECT_EQ(dup.error().code, ErrorCode::DuplicateNik);
    const auto log = audit_log(store());
    ASSERT_FALSE(log.empty());
    EXPECT_EQ(log.front().action, "keys.rotate");
    EXPECT_EQ(log.front().actor, "cli:root");
    EXPECT_NE(log.front().detail.find("values=8"), std::string::npos) << log.front().detail;

    // The old keys no longer fit: check_keys says so instead of returning garbage.
    auto stale = reopen_store(generate_store_keys());
    ASSERT_TRUE(stale.has_value()) << stale.error().message;
    auto mismatch = (*stale)->check_keys();
    ASSERT_FALSE(mismatch.has_value());
    EXPECT_EQ(mismatch.error().code, ErrorCode::StoreCorrupt);
    replace_store(std::move(*stale));
}

} // namespace

TEST_P(StoreContract, AFreshStoreHasAnEmptyAuditLog) {
    EXPECT_TRUE(audit_log(store()).empty());
}

TEST_P(StoreContract, EveryAuditEntryChainsToTheOneBeforeAndPagesOldestFirst) {
    // Entries from writes of every kind and appended ones, interleaved.
    for (int i = 1; i <= 5; ++i) {
        ASSERT_TRUE(store().create_person(
            new_id(i), full_person(i), "64.74.01", ctx_at(at_minute(i)), std::nullopt));
        ASSERT_TRUE(store().append_audit(AuditEntry{0,
                                                    at_minute(i),
                                                    "user:" + std::to_string(i),
                                                    "cli",
                                                    "person.unmask",
                                                    new_id(i).str(),
                                                    "periksa ke-" + std::to_string(i),
                                                    ""}));
    }
    auto newest = audit_log(store());
    ASSERT_EQ(newest.size(), 10U);
    std::vector<AuditEntry> oldest(newest.rbegin(), newest.rend());
    std::string prev(core::kAuditGenesisHash);
    for (std::size_t i = 0; i < oldest.size(); ++i) {
        const AuditEntry& e = oldest[i];
        EXPECT_EQ(e.seq, static_cast<std::int64_t>(i + 1));
        EXPECT_EQ(
            e.hash,
            core::audit_chain_hash(
                prev,
                {e.seq, core::to_unix_ms(e.at), e.actor, e.source, e.action, e.subject, e.detail}))
            << "entry " << e.seq;
        prev = e.hash;
    }
    // Oldest first, in pages after a seq.
    AuditQuery q;
    q.oldest_first = true;
    q.limit = 4;
    std::vector<std::int64_t> seqs;
    for (;;) {
        auto page = store().list_audit(q);
        ASSERT_TRUE(page.has_value()) << page.error().message;
        for (const auto& e : *page) {
            seqs.push_back(e.seq);
            EXPECT_EQ(e.hash, oldest[static_cast<std::size_t>(e.seq - 1)].hash);
        }
        if (page->size() < 4) {
            break;
        }
        q.after_seq = page->back().seq;
    }
    EXPECT_EQ(seqs, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    q.before_seq = 3;
    auto refused = store().list_audit(q);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
}

TEST_P(StoreContract, PersonWritesAppendTheirAuditEntries) {
    const WriteContext c1 = web_ctx(at_minute(1), kAlice, "pendataan door to door");
    ASSERT_TRUE(store().create_person(new_id(1), full_person(1), "64.74.01", c1, std::nullopt));
    expect_last_audit(store(), "person.create", new_id(1).str(), c1);
    EXPECT_EQ(audit_log(store()).front().detail, "pendataan door to door");

    core::Person p = full_person(1);
    p.phone = "0800";
    const WriteContext c2 = web_ctx(at_minute(2), kBob, "nomor baru");
    ASSERT_TRUE(store().update_person(new_id(1), 1, p, "64.74.01", c2));
    expect_last_audit(store(), "person.update", new_id(1).str(), c2);
    EXPECT_EQ(audit_log(store()).front().detail, "nomor baru");

    // A replayed idempotent create writes nothing, so it logs nothing either.
    const IdempotencyToken token{"key-9", "fp"};
    ASSERT_TRUE(store().create_person(new_id(2), full_person(2), "64.74.01", c1, token));
    auto replay = store().create_person(new_id(3), full_person(2), "64.74.01", c1, token);
    ASSERT_TRUE(replay.has_value()) << replay.error().message;
    ASSERT_TRUE(replay->replayed);

    const auto log = audit_log(store());
    ASSERT_EQ(log.size(), 3U);
    EXPECT_EQ(log[0].action, "person.create");
    EXPECT_EQ(log[0].subject, new_id(2).str());
    for (std::size_t i = 0; i < log.size(); ++i) {
        EXPECT_EQ(log[i].seq, static_cast<std::int64_t>(log.size() - i)) << "seq 1, 2, 3, ...";
    }
}

TEST_P(StoreContract, ImportAppendsOneAuditEntryPerBatchWithCounts) {
    std::vector<ImportItem> items;
    std::vector<core::PersonId> ids;
    for (int i = 1; i <= 4; ++i) {
        items.push_back(ImportItem{full_person(i), "64.74.01", false});
        ids.push_back(new_id(i));
    }
    const WriteContext c1 = web_ctx(at_minute(1), "import:a.csv", "data awal");
    ASSERT_TRUE(store().import_persons(items, ids, c1));
    ASSERT_EQ(audit_count(store()), 1U);
    expect_last_audit(store(), "person.import", "", c1);
    EXPECT_EQ(audit_log(store()).front().detail,
              "created=4 updated=0 unchanged=0 changed=0 reason=data awal");

    items[0].person.phone = "0801"; // changed, reported only
    items[1].person.phone = "0802"; // changed and applied
    items[1].update_if_changed = true;
    items.push_back(ImportItem{full_person(5), "64.74.01", false});
    std::vector<core::PersonId> ids2;
    for (int i = 11; i <= 15; ++i) {
        ids2.push_back(new_id(i));
    }
    const WriteContext c2 = web_ctx(at_minute(2), "import:b.csv");
    ASSERT_TRUE(store().import_persons(items, ids2, c2));
    const auto log = audit_log(store());
    ASSERT_EQ(log.size(), 2U) << "one entry per batch, not per row";
    expect_last_audit(store(), "person.import", "", c2);
    EXPECT_EQ(log.front().detail, "created=1 updated=1 unchanged=2 changed=1 reason=");
}

TEST_P(StoreContract, NoAuditEntryHoldsTheNikOrKkOfAWrittenPerson) {
    std::vector<ImportItem> items;
    std::vector<core::PersonId> ids;
    std::vector<std::string> secrets;
    for (int i = 1; i <= 20; ++i) {
        const core::Person p = full_person(i);
        items.push_back(ImportItem{p, "64.74.01", false});
        ids.push_back(new_id(i));
        secrets.push_back(p.nik);
        secrets.push_back(p.kk);
    }
    ASSERT_TRUE(store().import_persons(items, ids, web_ctx(kT0, "import:a.csv", "awal")));
    items[3].person.kk = "6474010101207777";
    items[3].update_if_changed = true;
    secrets.push_back(items[3].person.kk);
    ASSERT_TRUE(store().import_persons(items, ids, web_ctx(at_minute(1), "import:b.csv")));
    const core::Person extra = full_person(40);
    secrets.push_back(extra.nik);
    secrets.push_back(extra.kk);
    ASSERT_TRUE(store().create_person(new_id(40), extra, "64.74.01", ctx_at(kT0), std::nullopt));
    core::Person changed = extra;
    changed.nik = "6474015203909876";
    secrets.push_back(changed.nik);
    ASSERT_TRUE(store().update_person(new_id(40), 1, changed, "64.74.01", ctx_at(kT0)));

    const auto log = audit_log(store());
    ASSERT_EQ(log.size(), 4U);
    for (const AuditEntry& e : log) {
        const std::string all =
            e.actor + " " + e.source + " " + e.action + " " + e.subject + " " + e.detail;
        for (const std::string& secret : secrets) {
            EXPECT_EQ(all.find(secret), std::string::npos) << e.action << ": " << all;
        }
    }
}

TEST_P(StoreContract, UserWritesAppendTheirAuditEntries) {
    auto op = user_record(kAlice, "operator.utara", core::Role::Operator);
    const WriteContext c1 = web_ctx(at_minute(1), "cli:root");
    ASSERT_TRUE(store().create_user(op, c1));
    expect_last_audit(store(), "user.create", kAlice, c1);
    std::string detail = audit_log(store()).front().detail;
    EXPECT_NE(detail.find("operator"), std::string::npos) << detail;
    EXPECT_NE(detail.find("64.74.01"), std::string::npos) << detail;
    EXPECT_NE(detail.find("64.74.02.1003"), std::string::npos) << detail;
    EXPECT_EQ(detail.find(op.password_hash), std::string::npos) << detail;

    op.user.role = core::Role::Auditor;
    op.user.area_codes = {"64.74.03"};
    op.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$bmV3$bmV3aGFzaA";
    const WriteContext c2 = web_ctx(at_minute(2), kBob, "pindah tugas");
    ASSERT_TRUE(store().update_user(op, c2));
    expect_last_audit(store(), "user.update", kAlice, c2);
    detail = audit_log(store()).front().detail;
    EXPECT_NE(detail.find("auditor"), std::string::npos) << detail;
    EXPECT_NE(detail.find("64.74.03"), std::string::npos) << detail;
    EXPECT_EQ(detail.find("64.74.01"), std::string::npos) << "the old areas: " << detail;
    EXPECT_EQ(detail.find("$argon2id"), std::string::npos) << detail;
    EXPECT_EQ(audit_count(store()), 2U);
}

TEST_P(StoreContract, SessionAndTokenWritesAppendTheirAuditEntries) {
    const WriteContext login = web_ctx(at_minute(1), kAlice);
    const SessionRecord s1 = session(1, kAlice, at_minute(1));
    ASSERT_TRUE(store().create_session(s1, login));
    expect_last_audit(store(), "session.create", s1.id, login);

    const WriteContext logout = web_ctx(at_minute(2), kAlice, "logout");
    ASSERT_TRUE(store().revoke_session(s1.id, logout));
    expect_last_audit(store(), "session.revoke", s1.id, logout);

    ASSERT_TRUE(store().create_session(session(2, kAlice, at_minute(3)), login));
    ASSERT_TRUE(store().create_session(session(3, kAlice, at_minute(4)), login));
    const WriteContext reset = web_ctx(at_minute(5), kBob, "password reset");
    auto revoked = store().revoke_user_sessions(kAlice, reset);
    ASSERT_TRUE(revoked.has_value()) << revoked.error().message;
    EXPECT_EQ(*revoked, 2);
    {
        AuditQuery q;
        q.action = "session.revoke";
        auto log = store().list_audit(q);
        ASSERT_TRUE(log.has_value()) << log.error().message;
        ASSERT_EQ(log->size(), 3U) << "one entry per revoked session";
        std::set<std::string> subjects;
        for (std::size_t i = 0; i < 2; ++i) {
            const AuditEntry& e = (*log)[i];
            subjects.insert(e.subject);
            EXPECT_EQ(e.actor, kBob);
            EXPECT_EQ(e.source, reset.source);
            EXPECT_EQ(e.at, reset.at);
        }
        EXPECT_EQ(subjects, (std::set<std::string>{session_id(2), session_id(3)}));
    }

    const WriteContext admin = web_ctx(at_minute(6), kBob);
    const ApiTokenRecord t = api_token(1, kAlice, at_minute(6));
    ASSERT_TRUE(store().create_api_token(t, admin));
    expect_last_audit(store(), "token.create", t.id, admin);
    const std::string detail = audit_log(store()).front().detail;
    EXPECT_EQ(detail.find(t.token_hash), std::string::npos) << detail;

    const WriteContext later = web_ctx(at_minute(7), kBob, "bocor");
    ASSERT_TRUE(store().revoke_api_token(t.id, later));
    expect_last_audit(store(), "token.revoke", t.id, later);

    // touch_session is not audited.
    const std::size_t before = audit_count(store());
    ASSERT_TRUE(store().touch_session(session_id(2), at_minute(8)));
    EXPECT_EQ(audit_count(store()), before);

    // Nothing in the log carries a session or token hash.
    for (const AuditEntry& e : audit_log(store())) {
        for (int n : {1001, 1002, 1003, 2001}) {
            EXPECT_EQ(e.detail.find(hash_of(n)), std::string::npos) << e.action;
        }
    }
}

TEST_P(StoreContract, FailedWritesAppendNoAuditEntry) {
    create(store(), 1, full_person(1));
    create(store(), 2, full_person(2));
    ASSERT_TRUE(
        store().create_user(user_record(kAlice, "siti", core::Role::Operator), ctx_at(kT0)));
    ASSERT_TRUE(store().create_session(session(1, kAlice, kT0), ctx_at(kT0)));
    ASSERT_TRUE(store().create_api_token(api_token(1, kAlice, kT0), ctx_at(kT0)));
    const std::size_t before = audit_count(store());
    ASSERT_EQ(before, 5U);
    const auto expect_error = [&](const auto& r, ErrorCode code, const char* what) {
        ASSERT_FALSE(r.has_value()) << what;
        EXPECT_EQ(r.error().code, code) << what << ": " << r.error().message;
        EXPECT_EQ(audit_count(store()), before) << what << " left an audit entry";
    };

    core::Person dup = full_person(3);
    dup.nik = full_person(1).nik;
    expect_error(store().create_person(new_id(3), dup, "64.74.01", ctx_at(kT0), std::nullopt),
                 ErrorCode::DuplicateNik,
                 "create with a taken NIK");
    expect_error(store().update_person(new_id(2), 7, full_person(2), "64.74.01", ctx_at(kT0)),
                 ErrorCode::VersionConflict,
                 "stale update");
    core::Person moved = full_person(2);
    moved.nik = full_person(1).nik;
    expect_error(store().update_person(new_id(2), 1, moved, "64.74.01", ctx_at(kT0)),
                 ErrorCode::DuplicateNik,
                 "update to a taken NIK");
    expect_error(store().update_person(new_id(9), 1, full_person(9), "64.74.01", ctx_at(kT0)),
                 ErrorCode::NotFound,
                 "update of an unknown person");
    {
        // Row 2 reuses a taken person id: the batch rolls back with its audit entry.
        std::vector<ImportItem> items = {{full_person(5), "64.74.01", false},
                                         {full_person(6), "64.74.01", false}};
        auto r = store().import_persons(items, {new_id(5), new_id(1)}, ctx_at(kT0));
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(audit_count(store()), before) << "a failed import left an audit entry";
    }
    expect_error(store().create_user(user_record(kBob, "siti", core::Role::Viewer), ctx_at(kT0)),
                 ErrorCode::AlreadyExists,
                 "taken user name");
    expect_error(store().update_user(user_record(kBob, "budi", core::Role::Viewer), ctx_at(kT0)),
                 ErrorCode::NotFound,
                 "update of an unknown user");
    SessionRecord same_hash = session(2, kAlice, kT0);
    same_hash.token_hash = session(1, kAlice, kT0).token_hash;
    expect_error(store().create_session(same_hash, ctx_at(kT0)),
                 ErrorCode::AlreadyExists,
                 "session with a taken hash");
    ApiTokenRecord same_token = api_token(2, kAlice, kT0);
    same_token.token_hash = api_token(1, kAlice, kT0).token_hash;
    expect_error(store().create_api_token(same_token, ctx_at(kT0)),
                 ErrorCode::AlreadyExists,
                 "token with a taken hash");
    expect_error(store().revoke_session(session_id(99), ctx_at(kT0)),
                 ErrorCode::NotFound,
                 "revoke of an unknown session");
    expect_error(store().revoke_api_token(token_id(99), ctx_at(kT0)),
                 ErrorCode::NotFound,
                 "revoke of an unknown token");
}

TEST_P(StoreContract, AppendAuditAssignsSeqAndDefaultsTheInstant) {
    AuditEntry e;
    e.actor = kAlice;
    e.source = "192.0.2.1";
    e.action = "person.unmask";
    e.subject = new_id(1).str();
    e.detail = "purpose=verifikasi bansos";
    e.seq = 77; // ignored: the store assigns it
    e.at = at_minute(3);
    ASSERT_TRUE(store().append_audit(e));
    AuditEntry now = e;
    now.at = {};
    now.action = "auth.login";
    ASSERT_TRUE(store().append_audit(now));

    const auto log = audit_log(store());
    ASSERT_EQ(log.size(), 2U);
    EXPECT_EQ(log[1].seq, 1);
    EXPECT_EQ(log[1].at, at_minute(3));
    EXPECT_EQ(log[1].actor, e.actor);
    EXPECT_EQ(log[1].source, e.source);
    EXPECT_EQ(log[1].action, e.action);
    EXPECT_EQ(log[1].subject, e.subject);
    EXPECT_EQ(log[1].detail, e.detail);
    EXPECT_EQ(log[0].seq, 2);
    EXPECT_EQ(log[0].action, "auth.login");
    EXPECT_NE(log[0].at, core::Timestamp{}) << "a zero instant is replaced by the store's clock";
}

TEST_P(StoreContract, ListAuditFiltersByActorActionAndSubject) {
    const char* const actions[] = {"person.unmask", "person.update", "auth.login"};
    const std::string actors[] = {kAlice, kBob};
    const std::string subjects[] = {"s1", "s2", "s3", "s4"};

    struct Expected {
        std::int64_t seq;
        std::string actor, action, subject;
    };

    std::vector<Expected> written;
    for (int i = 0; i < 60; ++i) {
        AuditEntry e;
        e.actor = actors[i % 2];
        e.action = actions[i % 3];
        e.subject = subjects[(i / 2) % 4];
        e.source = "cli";
        e.at = at_minute(i);
        ASSERT_TRUE(store().append_audit(e));
        written.push_back(Expected{i + 1, e.actor, e.action, e.subject});
    }
    std::vector<AuditQuery> queries;
    const std::string query_actors[] = {"", kAlice, kBob, "nobody"};
    for (const std::string& actor : query_actors) {
        for (const char* action : {"", "person.unmask", "auth.login"}) {
            for (const char* subject : {"", "s2", "s4"}) {
                AuditQuery q;
                q.actor = actor;
                q.action = action;
                q.subject = subject;
                q.limit = 1000;
                queries.push_back(q);
            }
        }
    }
    for (const AuditQuery& q : queries) {
        std::vector<std::int64_t> expected;
        for (auto it = written.rbegin(); it != written.rend(); ++it) {
            if ((q.actor.empty() || it->actor == q.actor) &&
                (q.action.empty() || it->action == q.action) &&
                (q.subject.empty() || it->subject == q.subject)) {
                expected.push_back(it->seq);
            }
        }
        auto got = store().list_audit(q);
        ASSERT_TRUE(got.has_value()) << got.error().message;
        std::vector<std::int64_t> seqs;
        for (const AuditEntry& e : *got) {
            seqs.push_back(e.seq);
        }
        EXPECT_EQ(seqs, expected) << "actor '" << q.actor << "' action '" << q.action
                                  << "' subject '" << q.subject << "'";
    }
}

TEST_P(StoreContract, ListAuditPagesNewestFirstWithBeforeSeq) {
    for (int i = 0; i < 25; ++i) {
        AuditEntry e;
        e.actor = i % 2 == 0 ? kAlice : kBob;
        e.action = "person.unmask";
        e.subject = "p" + std::to_string(i);
        e.at = at_minute(i);
        ASSERT_TRUE(store().append_audit(e));
    }
    // Every entry once, newest first, in pages of 7.
    std::vector<std::int64_t> seen;
    AuditQuery q;
    q.limit = 7;
    for (int page = 0; page < 10; ++page) {
        auto got = store().list_audit(q);
        ASSERT_TRUE(got.has_value()) << got.error().message;
        ASSERT_LE(got->size(), 7U);
        for (const AuditEntry& e : *got) {
            seen.push_back(e.seq);
        }
        if (got->size() < 7U) {
            break;
        }
        q.before_seq = got->back().seq;
    }
    std::vector<std::int64_t> expected;
    for (std::int64_t s = 25; s >= 1; --s) {
        expected.push_back(s);
    }
    EXPECT_EQ(seen, expected);

    // Paging combines with a filter.
    AuditQuery bob;
    bob.actor = kBob;
    bob.before_seq = 10;
    bob.limit = 3;
    auto got = store().list_audit(bob);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    ASSERT_EQ(got->size(), 3U);
    EXPECT_EQ((*got)[0].seq, 8);
    EXPECT_EQ((*got)[1].seq, 6);
    EXPECT_EQ((*got)[2].seq, 4);
    EXPECT_EQ((*got)[0].subject, "p7");

    AuditQuery first;
    first.before_seq = 1;
    auto none = store().list_audit(first);
    ASSERT_TRUE(none.has_value());
    EXPECT_TRUE(none->empty());
}

TEST_P(StoreContract, ListAuditFiltersByTimeFromInclusiveToExclusive) {
    for (int i = 0; i < 10; ++i) {
        AuditEntry e;
        e.actor = i % 2 == 0 ? kAlice : kBob;
        e.action = "person.update";
        e.subject = "p" + std::to_string(i);
        e.at = at_minute(i);
        ASSERT_TRUE(store().append_audit(e));
    }
    AuditQuery q;
    q.at_from = at_minute(3);
    q.at_to = at_minute(7);
    auto got = store().list_audit(q);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    std::vector<std::string> subjects;
    for (const AuditEntry& e : *got) {
        subjects.push_back(e.subject);
    }
    EXPECT_EQ(subjects, (std::vector<std::string>{"p6", "p5", "p4", "p3"}));

    // With an actor, paging and only one bound.
    q.actor = kBob;
    q.at_to.reset();
    q.limit = 2;
    got = store().list_audit(q);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    ASSERT_EQ(got->size(), 2U);
    EXPECT_EQ((*got)[0].subject, "p9");
    EXPECT_EQ((*got)[1].subject, "p7");
    q.before_seq = (*got)[1].seq;
    got = store().list_audit(q);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    ASSERT_EQ(got->size(), 2U);
    EXPECT_EQ((*got)[0].subject, "p5");
    EXPECT_EQ((*got)[1].subject, "p3");
}

TEST_P(StoreContract, ListAuditRefusesALimitOutOfRange) {
    AuditQuery q;
    q.limit = 0;
    EXPECT_EQ(store().list_audit(q).error().code, ErrorCode::InvalidArgument);
    q.limit = 1001;
    EXPECT_EQ(store().list_audit(q).error().code, ErrorCode::InvalidArgument);
    q.limit = 1000;
    EXPECT_TRUE(store().list_audit(q).has_value());
    q.limit = 1;
    EXPECT_TRUE(store().list_audit(q).has_value());
}

// ---- sessions --------------------------------------------------------------------------

TEST_P(StoreContract, SessionsAreFoundByHashTouchedAndRevoked) {
    const SessionRecord s = session(1, kAlice, at_minute(1));
    ASSERT_TRUE(store().create_session(s, ctx_at(at_minute(1))));

    auto found = store().find_session(s.token_hash);
    ASSERT_TRUE(found.has_value()) << found.error().message;
    ASSERT_TRUE(found->has_value());
    const SessionRecord& got = **found;
    EXPECT_EQ(got.id, s.id);
    EXPECT_EQ(got.token_hash, s.token_hash);
    EXPECT_EQ(got.user_id, s.user_id);
    EXPECT_EQ(got.created_at, s.created_at);
    EXPECT_EQ(got.last_seen_at, s.last_seen_at);
    EXPECT_EQ(got.expires_at, s.expires_at);
    EXPECT_FALSE(got.revoked_at.has_value());
    EXPECT_EQ(got.address, s.address);
    EXPECT_EQ(got.user_agent, s.user_agent);

    auto absent = store().find_session(hash_of(4242));
    ASSERT_TRUE(absent.has_value());
    EXPECT_FALSE(absent->has_value());

    ASSERT_TRUE(store().touch_session(s.id, at_minute(20)));
    EXPECT_EQ((*store().find_session(s.token_hash))->last_seen_at, at_minute(20));
    auto unknown = store().touch_session(session_id(99), at_minute(20));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);

    ASSERT_TRUE(store().revoke_session(s.id, ctx_at(at_minute(30))));
    auto revoked = store().find_session(s.token_hash);
    ASSERT_TRUE(revoked.has_value() && revoked->has_value());
    ASSERT_TRUE((*revoked)->revoked_at.has_value()) << "a revoked session is still found";
    EXPECT_EQ(*(*revoked)->revoked_at, at_minute(30));
}

TEST_P(StoreContract, RevokingASessionTwiceKeepsTheFirstRevocation) {
    const SessionRecord s = session(1, kAlice, at_minute(1));
    ASSERT_TRUE(store().create_session(s, ctx_at(at_minute(1))));
    ASSERT_TRUE(store().revoke_session(s.id, ctx_at(at_minute(2))));
    const std::size_t entries = audit_count(store());
    auto again = store().revoke_session(s.id, ctx_at(at_minute(3)));
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_EQ(*(*store().find_session(s.token_hash))->revoked_at, at_minute(2));
    EXPECT_EQ(audit_count(store()), entries) << "a no-op revocation is not logged";

    auto unknown = store().revoke_session(session_id(99), ctx_at(at_minute(3)));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
}

TEST_P(StoreContract, RevokeUserSessionsRevokesOnlyTheUsersLiveSessions) {
    ASSERT_TRUE(store().create_session(session(1, kAlice, at_minute(1)), ctx_at(kT0)));
    ASSERT_TRUE(store().create_session(session(2, kAlice, at_minute(2)), ctx_at(kT0)));
    ASSERT_TRUE(store().create_session(session(3, kAlice, at_minute(3)), ctx_at(kT0)));
    ASSERT_TRUE(store().create_session(session(4, kBob, at_minute(4)), ctx_at(kT0)));
    ASSERT_TRUE(store().revoke_session(session_id(1), ctx_at(at_minute(5))));

    auto n = store().revoke_user_sessions(kAlice, ctx_at(at_minute(6)));
    ASSERT_TRUE(n.has_value()) << n.error().message;
    EXPECT_EQ(*n, 2);
    EXPECT_EQ(*(*store().find_session(session(1, kAlice, kT0).token_hash))->revoked_at,
              at_minute(5))
        << "an earlier revocation is kept";
    EXPECT_EQ(*(*store().find_session(session(2, kAlice, kT0).token_hash))->revoked_at,
              at_minute(6));
    EXPECT_FALSE((*store().find_session(session(4, kBob, kT0).token_hash))->revoked_at);

    auto again = store().revoke_user_sessions(kAlice, ctx_at(at_minute(7)));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, 0);
    auto nobody = store().revoke_user_sessions("no-such-user", ctx_at(at_minute(7)));
    ASSERT_TRUE(nobody.has_value());
    EXPECT_EQ(*nobody, 0);
}

TEST_P(StoreContract, ListSessionsExcludesRevokedAndExpiredNewestFirst) {
    const core::Timestamp now = at_minute(100);
    SessionRecord expired = session(1, kAlice, at_minute(1));
    expired.expires_at = now - std::chrono::milliseconds(1);
    SessionRecord ends_now = session(2, kAlice, at_minute(2));
    ends_now.expires_at = now; // the absolute timeout is reached at expires_at
    SessionRecord live_old = session(3, kAlice, at_minute(3));
    SessionRecord revoked = session(4, kAlice, at_minute(4));
    SessionRecord live_new = session(5, kAlice, at_minute(5));
    SessionRecord other_user = session(6, kBob, at_minute(6));
    for (const SessionRecord* s :
         {&live_new, &expired, &live_old, &ends_now, &revoked, &other_user}) {
        ASSERT_TRUE(store().create_session(*s, ctx_at(s->created_at)));
    }
    ASSERT_TRUE(store().revoke_session(revoked.id, ctx_at(at_minute(50))));

    auto list = store().list_sessions(kAlice, now);
    ASSERT_TRUE(list.has_value()) << list.error().message;
    ASSERT_EQ(list->size(), 2U);
    EXPECT_EQ((*list)[0].id, live_new.id);
    EXPECT_EQ((*list)[1].id, live_old.id);
    EXPECT_EQ((*list)[1].user_agent, live_old.user_agent);

    auto earlier = store().list_sessions(kAlice, at_minute(10));
    ASSERT_TRUE(earlier.has_value());
    EXPECT_EQ(earlier->size(), 4U) << "before they expire, the expired ones are listed";
    auto none = store().list_sessions("no-such-user", now);
    ASSERT_TRUE(none.has_value());
    EXPECT_TRUE(none->empty());
}

TEST_P(StoreContract, DuplicateSessionIdOrHashIsAlreadyExists) {
    ASSERT_TRUE(store().create_session(session(1, kAlice, kT0), ctx_at(kT0)));
    SessionRecord same_hash = session(2, kBob, kT0);
    same_hash.token_hash = session(1, kAlice, kT0).token_hash;
    auto r = store().create_session(same_hash, ctx_at(kT0));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::AlreadyExists);
    EXPECT_EQ(r.error().message.find(same_hash.token_hash), std::string::npos)
        << "errors do not echo the hash: " << r.error().message;
    SessionRecord same_id = session(3, kBob, kT0);
    same_id.id = session_id(1);
    auto r2 = store().create_session(same_id, ctx_at(kT0));
    ASSERT_FALSE(r2.has_value());
    EXPECT_EQ(r2.error().code, ErrorCode::AlreadyExists);
    EXPECT_EQ((*store().find_session(session(1, kAlice, kT0).token_hash))->user_id, kAlice);
    EXPECT_FALSE(store().find_session(same_id.token_hash)->has_value());
}

// ---- API tokens ------------------------------------------------------------------------

TEST_P(StoreContract, ApiTokensRoundTripAndListPerUserOrAll) {
    ApiTokenRecord a1 = api_token(1, kAlice, at_minute(1));
    ApiTokenRecord b1 = api_token(2, kBob, at_minute(2));
    b1.role = core::Role::Viewer;
    b1.area_codes.clear();
    ApiTokenRecord a2 = api_token(3, kAlice, at_minute(3));
    a2.area_codes = {"64.74.03.1004"};
    for (const ApiTokenRecord* t : {&a1, &b1, &a2}) {
        ASSERT_TRUE(store().create_api_token(*t, ctx_at(t->created_at)));
    }
    ASSERT_TRUE(store().revoke_api_token(a1.id, ctx_at(at_minute(4))));

    auto found = store().find_api_token(b1.token_hash);
    ASSERT_TRUE(found.has_value()) << found.error().message;
    ASSERT_TRUE(found->has_value());
    const ApiTokenRecord& got = **found;
    EXPECT_EQ(got.id, b1.id);
    EXPECT_EQ(got.name, b1.name);
    EXPECT_EQ(got.token_hash, b1.token_hash);
    EXPECT_EQ(got.user_id, kBob);
    EXPECT_EQ(got.role, core::Role::Viewer);
    EXPECT_TRUE(got.area_codes.empty());
    EXPECT_EQ(got.created_at, b1.created_at);
    EXPECT_EQ(got.expires_at, b1.expires_at);
    EXPECT_FALSE(got.revoked_at.has_value());

    auto revoked = store().find_api_token(a1.token_hash);
    ASSERT_TRUE(revoked.has_value() && revoked->has_value());
    EXPECT_EQ((*revoked)->role, core::Role::Operator);
    EXPECT_EQ((*revoked)->area_codes, a1.area_codes);
    ASSERT_TRUE((*revoked)->revoked_at.has_value()) << "revoked tokens are still found";
    EXPECT_EQ(*(*revoked)->revoked_at, at_minute(4));

    auto absent = store().find_api_token(hash_of(4242));
    ASSERT_TRUE(absent.has_value());
    EXPECT_FALSE(absent->has_value());

    const auto ids_of = [](const Result<std::vector<ApiTokenRecord>>& r) {
        std::vector<std::string> ids;
        EXPECT_TRUE(r.has_value()) << r.error().message;
        if (r) {
            for (const auto& t : *r) {
                ids.push_back(t.id);
            }
        }
        return ids;
    };
    EXPECT_EQ(ids_of(store().list_api_tokens(kAlice)), (std::vector<std::string>{a2.id, a1.id}))
        << "newest first, revoked included";
    EXPECT_EQ(ids_of(store().list_api_tokens(kBob)), (std::vector<std::string>{b1.id}));
    EXPECT_EQ(ids_of(store().list_api_tokens("")), (std::vector<std::string>{a2.id, b1.id, a1.id}));
    EXPECT_TRUE(ids_of(store().list_api_tokens("no-such-user")).empty());
    auto all = store().list_api_tokens("");
    ASSERT_TRUE(all.has_value());
    EXPECT_EQ(all->front().area_codes, a2.area_codes);
}

TEST_P(StoreContract, RevokingATokenTwiceKeepsTheFirstRevocation) {
    const ApiTokenRecord t = api_token(1, kAlice, at_minute(1));
    ASSERT_TRUE(store().create_api_token(t, ctx_at(at_minute(1))));
    ASSERT_TRUE(store().revoke_api_token(t.id, ctx_at(at_minute(2))));
    const std::size_t entries = audit_count(store());
    auto again = store().revoke_api_token(t.id, ctx_at(at_minute(3)));
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_EQ(*(*store().find_api_token(t.token_hash))->revoked_at, at_minute(2));
    EXPECT_EQ(audit_count(store()), entries) << "a no-op revocation is not logged";

    auto unknown = store().revoke_api_token(token_id(99), ctx_at(at_minute(3)));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
    auto session_id_is_no_token = store().revoke_api_token(session_id(1), ctx_at(at_minute(3)));
    ASSERT_FALSE(session_id_is_no_token.has_value());
    EXPECT_EQ(session_id_is_no_token.error().code, ErrorCode::NotFound);
}

TEST_P(StoreContract, DuplicateApiTokenIdOrHashIsAlreadyExists) {
    ASSERT_TRUE(store().create_api_token(api_token(1, kAlice, kT0), ctx_at(kT0)));
    ApiTokenRecord same_hash = api_token(2, kBob, kT0);
    same_hash.token_hash = api_token(1, kAlice, kT0).token_hash;
    auto r = store().create_api_token(same_hash, ctx_at(kT0));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::AlreadyExists);
    ApiTokenRecord same_id = api_token(3, kBob, kT0);
    same_id.id = token_id(1);
    auto r2 = store().create_api_token(same_id, ctx_at(kT0));
    ASSERT_FALSE(r2.has_value());
    EXPECT_EQ(r2.error().code, ErrorCode::AlreadyExists);
    auto list = store().list_api_tokens("");
    ASSERT_TRUE(list.has_value());
    ASSERT_EQ(list->size(), 1U);
    EXPECT_EQ(list->front().user_id, kAlice);
}

// --- Area boundaries ---------------------------------------------------------------------------

AreaRecord area(const std::string& code, const std::string& level, double west) {
    char geometry[256];
    std::snprintf(geometry,
                  sizeof geometry,
                  R"({"type":"MultiPolygon","coordinates":[[[[%.4f,0.1],[%.4f,0.1],[%.4f,0.2],)"
                  R"([%.4f,0.1]]]]})",
                  west,
                  west + 0.1,
                  west + 0.1,
                  west);
    return {code, level, "Area " + code, code.substr(0, code.rfind('.')), geometry};
}

TEST_P(StoreContract, SyncAreasWritesOnlyWhatChangedWithOneAuditEntry) {
    const std::vector<AreaRecord> first = {area("64.74.01.1001", "kelurahan", 117.4),
                                           area("64.74.01", "kecamatan", 117.3),
                                           area("64.74", "kota", 117.2)};
    const auto c1 = ctx_at(at_minute(1), "cli:root");
    auto n = store().sync_areas(first, c1);
    ASSERT_TRUE(n.has_value()) << n.error().message;
    EXPECT_EQ(*n, 3);
    expect_last_audit(store(), "areas.sync", "areas", c1);
    EXPECT_EQ(audit_log(store()).front().detail, "inserted=3 replaced=0 deleted=0");
    auto listed = store().list_areas();
    ASSERT_TRUE(listed.has_value()) << listed.error().message;
    ASSERT_EQ(listed->size(), 3U);
    EXPECT_EQ((*listed)[0], first[2]) << "by code";
    EXPECT_EQ((*listed)[1], first[1]);
    EXPECT_EQ((*listed)[2], first[0]);

    // The same again: nothing written, no audit entry.
    const auto before = audit_count(store());
    n = store().sync_areas(first, ctx_at(at_minute(2)));
    ASSERT_TRUE(n.has_value()) << n.error().message;
    EXPECT_EQ(*n, 0);
    EXPECT_EQ(audit_count(store()), before);

    // One renamed, one gone, one new.
    std::vector<AreaRecord> second = {area("64.74.01.1001", "kelurahan", 117.4),
                                      area("64.74", "kota", 117.2),
                                      area("64.74.01.1002", "kelurahan", 117.5)};
    second[0].name = "Lok Tuan";
    const auto c3 = ctx_at(at_minute(3), "cli:root");
    n = store().sync_areas(second, c3);
    ASSERT_TRUE(n.has_value()) << n.error().message;
    EXPECT_EQ(*n, 3);
    EXPECT_EQ(audit_log(store()).front().detail, "inserted=1 replaced=1 deleted=1");
    listed = store().list_areas();
    ASSERT_TRUE(listed.has_value());
    ASSERT_EQ(listed->size(), 3U);
    EXPECT_EQ((*listed)[0].code, "64.74");
    EXPECT_EQ((*listed)[1], second[0]);
    EXPECT_EQ((*listed)[2], second[2]);
}

TEST_P(StoreContract, SyncAreasRefusesBadAreasNamingThemAndWritesNothing) {
    ASSERT_TRUE(store().sync_areas({area("64.74", "kota", 117.2)}, ctx_at(kT0)));
    const auto before = audit_count(store());
    const auto refuse = [&](std::vector<AreaRecord> areas, const std::string& fragment) {
        auto n = store().sync_areas(areas, ctx_at(at_minute(1)));
        ASSERT_FALSE(n.has_value()) << fragment;
        EXPECT_EQ(n.error().code, ErrorCode::InvalidArgument) << n.error().message;
        EXPECT_NE(n.error().message.find(fragment), std::string::npos) << n.error().message;
    };
    refuse({area("64.74.01", "kecamatan", 117.3), area("64.74.01", "kecamatan", 117.3)},
           "area 64.74.01: the code is given twice");
    refuse({area("64.74.01", "desa", 117.3)}, "area 64.74.01: level must be");
    auto polygon = area("64.74.01", "kecamatan", 117.3);
    polygon.geometry = R"({"type":"Polygon","coordinates":[[[117,0],[118,0],[118,1],[117,0]]]})";
    refuse({polygon}, "area 64.74.01: geometry must be a GeoJSON MultiPolygon");
    auto broken = area("64.74.01", "kecamatan", 117.3);
    broken.geometry = "{\"type\":\"MultiPolygon\",\"coordinates\":[";
    refuse({broken}, "area 64.74.01:");
    refuse({area("", "kota", 117.3)}, "area 0: the code is empty");

    EXPECT_EQ(audit_count(store()), before);
    auto listed = store().list_areas();
    ASSERT_TRUE(listed.has_value());
    ASSERT_EQ(listed->size(), 1U);
    EXPECT_EQ(listed->front().code, "64.74");
}

// --- Assistive devices in the change feed ------------------------------------------------------

TEST_P(StoreContract, ChangeFeedCarriesTheDevicesOfEveryWritePath) {
    core::Person p = full_person(1); // kursi_roda, kacamata
    create(store(), 1, p);
    core::Person imported = full_person(2);
    imported.assistive_devices = {"tongkat_netra", "braille"};
    ASSERT_TRUE(store().import_persons(
        {{imported, kecamatan(imported), false}}, {new_id(2)}, ctx_at(at_minute(1))));

    auto [items, end] = read_feed(store());
    ASSERT_EQ(items.size(), 2U);
    EXPECT_EQ(items[0].devices, device_mask({"kursi_roda", "kacamata"}));
    EXPECT_EQ(items[0].devices, (1U << 0) | (1U << 8)) << "bit = index in kAssistiveDevices";
    EXPECT_EQ(items[1].devices, (1U << 3) | (1U << 9));

    p.assistive_devices = {"popok"};
    ASSERT_TRUE(store().update_person(new_id(1), 1, p, kecamatan(p), ctx_at(at_minute(2))));
    imported.assistive_devices.clear();
    imported.kk = "6474010101010099"; // a change the import writes (not only reports)
    ASSERT_TRUE(store().import_persons(
        {{imported, kecamatan(imported), true}}, {new_id(3)}, ctx_at(at_minute(3))));
    auto [later, _] = read_feed(store(), end);
    ASSERT_EQ(later.size(), 2U);
    EXPECT_EQ(later[0].devices, 1U << 11);
    EXPECT_EQ(later[1].devices, 0U);
}

// --- Hazard zones and facilities ---------------------------------------------------------------

HazardZoneRecord zone(int n) {
    HazardZoneRecord z;
    z.id = "01900000-0000-7000-8000-0000000003" + std::to_string(10 + n);
    z.name = "Zona " + std::to_string(n);
    z.hazard = n % 2 == 0 ? "banjir" : "longsor";
    z.level = "tinggi";
    z.source = "bpbd_" + std::to_string(n) + ".gpkg";
    z.geometry = area("64.74", "kota", 117.0 + n).geometry;
    return z;
}

FacilityRecord facility(int n, const std::string& kind) {
    FacilityRecord f;
    f.id = "01900000-0000-7000-8000-0000000004" + std::to_string(10 + n);
    f.kind = kind;
    f.name = "Fasilitas " + std::to_string(n);
    f.lon = 117.4 + n / 1000.0;
    f.lat = 0.1 + n / 3000.0;
    f.kelurahan_code = "64.74.01.1003";
    f.address = "Jl. " + std::to_string(n);
    f.phone = "0812" + std::to_string(n);
    f.source = "fasilitas.csv";
    return f;
}

TEST_P(StoreContract, HazardZonesAreAddedListedByNameAndFoundById) {
    const auto c = ctx_at(at_minute(3), "user:7");
    ASSERT_TRUE(store().add_hazard_zones({zone(2), zone(1)}, c));
    expect_last_audit(store(), "hazard.import", "hazard_zones", c);
    EXPECT_EQ(audit_log(store()).front().detail, "count=2 sources=bpbd_2.gpkg,bpbd_1.gpkg");
    auto listed = store().list_hazard_zones();
    ASSERT_TRUE(listed.has_value()) << listed.error().message;
    ASSERT_EQ(listed->size(), 2U);
    HazardZoneRecord expected = zone(1);
    expected.created_at = at_minute(3);
    expected.created_by = "user:7";
    EXPECT_EQ((*listed)[0], expected) << "by name";
    EXPECT_EQ((*listed)[1].id, zone(2).id);
    auto found = store().get_hazard_zone(zone(2).id);
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ((*found)->name, "Zona 2");
    auto none = store().get_hazard_zone("01900000-0000-7000-8000-000000000399");
    ASSERT_TRUE(none.has_value());
    EXPECT_FALSE(none->has_value());
}

TEST_P(StoreContract, BadOrTakenHazardZonesAreRefusedAndNothingIsWritten) {
    ASSERT_TRUE(store().add_hazard_zones({zone(1)}, ctx_at(kT0)));
    const auto before = audit_count(store());
    auto taken = store().add_hazard_zones({zone(2), zone(1)}, ctx_at(kT0));
    ASSERT_FALSE(taken.has_value());
    EXPECT_EQ(taken.error().code, ErrorCode::AlreadyExists);
    EXPECT_NE(taken.error().message.find(zone(1).id), std::string::npos) << taken.error().message;
    HazardZoneRecord no_level = zone(3);
    no_level.level.clear();
    auto bad = store().add_hazard_zones({zone(4), no_level}, ctx_at(kT0));
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(bad.error().message.find("hazard zone " + no_level.id + ": level is empty"),
              std::string::npos)
        << bad.error().message;
    HazardZoneRecord point = zone(5);
    point.geometry = R"({"type":"Point","coordinates":[117.4,0.1]})";
    bad = store().add_hazard_zones({point}, ctx_at(kT0));
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(bad.error().message.find("geometry must be a GeoJSON MultiPolygon"),
              std::string::npos);
    auto listed = store().list_hazard_zones();
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(listed->size(), 1U);
    EXPECT_EQ(audit_count(store()), before);
}

TEST_P(StoreContract, FacilitiesKeepTheirPositionExactlyAndAreListedByKindAndName) {
    const auto c = ctx_at(at_minute(4), "user:7");
    FacilityRecord precise = facility(3, "puskesmas");
    precise.lon = 117.123456789012345;
    precise.lat = -0.000000123456789;
    ASSERT_TRUE(store().add_facilities({facility(2, "slb"), precise, facility(1, "puskesmas")}, c));
    expect_last_audit(store(), "facility.import", "facilities", c);
    EXPECT_EQ(audit_log(store()).front().detail, "count=3 sources=fasilitas.csv");
    auto listed = store().list_facilities();
    ASSERT_TRUE(listed.has_value()) << listed.error().message;
    ASSERT_EQ(listed->size(), 3U);
    EXPECT_EQ((*listed)[0].name, "Fasilitas 1");
    precise.created_at = at_minute(4);
    precise.created_by = "user:7";
    EXPECT_EQ((*listed)[1], precise);
    EXPECT_EQ((*listed)[2].kind, "slb");

    FacilityRecord off = facility(4, "posyandu");
    off.lat = 91;
    auto bad = store().add_facilities({facility(5, "posyandu"), off}, ctx_at(kT0));
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(bad.error().message.find("facility " + off.id + ": position out of range"),
              std::string::npos)
        << bad.error().message;
    auto taken = store().add_facilities({facility(1, "puskesmas")}, ctx_at(kT0));
    ASSERT_FALSE(taken.has_value());
    EXPECT_EQ(taken.error().code, ErrorCode::AlreadyExists);
    listed = store().list_facilities();
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(listed->size(), 3U);
}

// --- Cards -----------------------------------------------------------------------------------

/// A card request for person n whose maker numbers serials like card::make_card_number would
/// (without the check digit's arithmetic: the store does not care what the last digit is).
CardIssue card_request(int n, const std::string& replace_reason = "") {
    CardIssue issue;
    issue.person_id = new_id(n);
    issue.regency = "6474";
    issue.kelurahan_code = n % 2 == 0 ? "64.74.02.1001" : "64.74.01.1003";
    issue.expires_at = at_minute(5 * 365 * 24 * 60);
    issue.replace_reason = replace_reason;
    issue.make = [](std::uint32_t serial) -> Result<CardContent> {
        const std::string digits = std::to_string(serial);
        return CardContent{
            "6474" + std::string(7 - digits.size(), '0') + digits + "0", "kid1", "QR-" + digits};
    };
    return issue;
}

TEST_P(StoreContract, CardsAreIssuedOnePerPersonAndAReissueRevokesTheOldOneAtomically) {
    create(store(), 1, full_person(1));
    create(store(), 2, full_person(2));
    const auto c = ctx_at(at_minute(3), "user:5");
    auto first = store().issue_card(card_request(1), c);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_EQ(first->number, "647400000010");
    EXPECT_EQ(first->person_id, new_id(1).str());
    EXPECT_EQ(first->kelurahan_code, "64.74.01.1003");
    EXPECT_EQ(first->kid, "kid1");
    EXPECT_EQ(first->credential, "QR-1");
    EXPECT_EQ(first->status, "active");
    EXPECT_EQ(first->issued_at, at_minute(3));
    EXPECT_EQ(first->expires_at, at_minute(5 * 365 * 24 * 60));
    EXPECT_EQ(first->issued_by, "user:5");
    EXPECT_FALSE(first->revoked_at || first->printed_at || first->handed_over_at);
    expect_last_audit(store(), "card.issue", new_id(1).str(), c);
    EXPECT_EQ(audit_log(store()).front().detail, "number=647400000010");

    auto twice = store().issue_card(card_request(1), ctx_at(at_minute(4)));
    ASSERT_FALSE(twice.has_value());
    EXPECT_EQ(twice.error().code, ErrorCode::CardAlreadyActive);
    EXPECT_NE(twice.error().message.find("647400000010"), std::string::npos);

    auto second = store().issue_card(card_request(2), ctx_at(at_minute(5)));
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_EQ(second->number, "647400000020") << "serials count on, across persons";

    auto reissued = store().issue_card(card_request(1, "hilang"), ctx_at(at_minute(6)));
    ASSERT_TRUE(reissued.has_value()) << reissued.error().message;
    EXPECT_EQ(reissued->number, "647400000030");
    EXPECT_EQ(audit_log(store()).front().detail,
              "number=647400000030 replaces=647400000010 reason=hilang");
    auto history = store().person_cards(new_id(1));
    ASSERT_TRUE(history.has_value()) << history.error().message;
    ASSERT_EQ(history->size(), 2U);
    EXPECT_EQ((*history)[0], *reissued) << "newest first";
    const CardRecord& old = (*history)[1];
    EXPECT_EQ(old.status, "revoked");
    EXPECT_EQ(old.revoke_reason, "hilang");
    EXPECT_EQ(old.replaced_by, "647400000030");
    EXPECT_EQ(old.revoked_at, at_minute(6));
    auto found = store().get_card("647400000010");
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ(**found, old);
    auto none = store().get_card("647499999990");
    ASSERT_TRUE(none.has_value());
    EXPECT_FALSE(none->has_value());
    auto nobody = store().person_cards(new_id(9));
    ASSERT_TRUE(nobody.has_value());
    EXPECT_TRUE(nobody->empty());
}

TEST_P(StoreContract, ACardIsRefusedToAnUnknownOrInactivePersonAndAFailedMakerWritesNothing) {
    create(store(), 1, full_person(1));
    const std::size_t before = audit_count(store());
    auto unknown = store().issue_card(card_request(7), ctx_at(at_minute(1)));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);

    CardIssue bad_regency = card_request(1);
    bad_regency.regency = "64.74";
    auto refused = store().issue_card(bad_regency, ctx_at(at_minute(1)));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
    auto bad_reason = store().issue_card(card_request(1, "bosan"), ctx_at(at_minute(1)));
    ASSERT_FALSE(bad_reason.has_value());
    EXPECT_EQ(bad_reason.error().code, ErrorCode::CardReasonInvalid);

    CardIssue failing = card_request(1);
    failing.make = [](std::uint32_t) -> Result<CardContent> {
        return fail(ErrorCode::KeyMissing, "no card key");
    };
    auto failed = store().issue_card(failing, ctx_at(at_minute(2)));
    ASSERT_FALSE(failed.has_value());
    EXPECT_EQ(failed.error().code, ErrorCode::KeyMissing);
    EXPECT_EQ(audit_count(store()), before);
    auto first = store().issue_card(card_request(1), ctx_at(at_minute(3)));
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_EQ(first->number, "647400000010") << "the failed attempt used no serial";

    core::Person dead = full_person(1);
    dead.status = core::Status::Meninggal;
    dead.status_date = core::make_date(2025, 6, 1);
    ASSERT_TRUE(store().update_person(new_id(1), 1, dead, kecamatan(dead), ctx_at(at_minute(4))));
    auto inactive = store().issue_card(card_request(1, "rusak"), ctx_at(at_minute(5)));
    ASSERT_FALSE(inactive.has_value());
    EXPECT_EQ(inactive.error().code, ErrorCode::CardPersonInactive);
}

TEST_P(StoreContract, AHolderWhoDiesOrMovesLosesTheActiveCardInTheSameWrite) {
    create(store(), 1, full_person(1));
    create(store(), 2, full_person(2));
    ASSERT_TRUE(store().issue_card(card_request(1), ctx_at(at_minute(1))));
    ASSERT_TRUE(store().issue_card(card_request(2), ctx_at(at_minute(1))));

    core::Person moved = full_person(1);
    moved.status = core::Status::Pindah;
    moved.status_date = core::make_date(2026, 1, 5);
    const auto c = ctx_at(at_minute(2), "user:8");
    ASSERT_TRUE(store().update_person(new_id(1), 1, moved, kecamatan(moved), c));
    auto card = store().get_card("647400000010");
    ASSERT_TRUE(card.has_value() && card->has_value());
    EXPECT_EQ((*card)->status, "revoked");
    EXPECT_EQ((*card)->revoke_reason, "pindah");
    EXPECT_EQ((*card)->revoked_at, at_minute(2));
    EXPECT_EQ((*card)->revoked_by, "user:8");
    expect_last_audit(store(), "card.revoke", new_id(1).str(), c);

    // An edit that keeps the person active leaves the card alone.
    core::Person renamed = full_person(2);
    renamed.full_name = "Nama Baru";
    ASSERT_TRUE(store().update_person(new_id(2), 1, renamed, kecamatan(renamed), c));
    card = store().get_card("647400000020");
    ASSERT_TRUE(card.has_value() && card->has_value());
    EXPECT_EQ((*card)->status, "active");
}

TEST_P(StoreContract, RevokingACardRecordsWhoWhenAndWhyOnce) {
    create(store(), 1, full_person(1));
    ASSERT_TRUE(store().issue_card(card_request(1), ctx_at(at_minute(1))));
    auto bad = store().revoke_card("647400000010", "bosan", "", ctx_at(at_minute(2)));
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::CardReasonInvalid);
    auto missing = store().revoke_card("647499999990", "meninggal", "", ctx_at(at_minute(2)));
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);

    const auto c = ctx_at(at_minute(3), "user:2");
    auto revoked = store().revoke_card("647400000010", "penipuan", "KTP palsu", c);
    ASSERT_TRUE(revoked.has_value()) << revoked.error().message;
    EXPECT_EQ(revoked->status, "revoked");
    EXPECT_EQ(revoked->revoked_at, at_minute(3));
    EXPECT_EQ(revoked->revoked_by, "user:2");
    EXPECT_EQ(revoked->revoke_reason, "penipuan");
    EXPECT_EQ(revoked->revoke_note, "KTP palsu");
    EXPECT_EQ(revoked->replaced_by, "");
    expect_last_audit(store(), "card.revoke", new_id(1).str(), c);
    EXPECT_EQ(audit_log(store()).front().detail, "number=647400000010 reason=penipuan");

    auto again = store().revoke_card("647400000010", "meninggal", "", ctx_at(at_minute(4)));
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, ErrorCode::CardAlreadyRevoked);
    auto fresh = store().issue_card(card_request(1), ctx_at(at_minute(5)));
    ASSERT_TRUE(fresh.has_value()) << "no active card left: a new one may be issued";
    auto revoked_list = store().list_cards(CardQuery{"revoked", {}, {}, "", 1000});
    ASSERT_TRUE(revoked_list.has_value()) << revoked_list.error().message;
    ASSERT_EQ(revoked_list->size(), 1U);
    EXPECT_EQ((*revoked_list)[0].number, "647400000010");
}

TEST_P(StoreContract, ThePrintQueueMovesCardsFromPrintToHandOverByArea) {
    for (int n = 1; n <= 4; ++n) {
        create(store(), n, full_person(n));
        ASSERT_TRUE(store().issue_card(card_request(n), ctx_at(at_minute(n))));
    }
    const auto numbers = [](const Result<std::vector<CardRecord>>& cards) {
        std::vector<std::string> out;
        for (const CardRecord& c : cards.value()) {
            out.push_back(c.number);
        }
        return out;
    };
    const auto stage = [&](CardStage s, std::vector<std::string> areas = {}) {
        return numbers(store().list_cards(CardQuery{"", s, std::move(areas), "", 1000}));
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(stage(CardStage::ToPrint),
              (V{"647400000010", "647400000020", "647400000030", "647400000040"}));
    EXPECT_EQ(stage(CardStage::ToPrint, {"64.74.02"}), (V{"647400000020", "647400000040"}));
    EXPECT_EQ(stage(CardStage::ToPrint, {"64.74.01.1003"}), (V{"647400000010", "647400000030"}));

    const auto c = ctx_at(at_minute(10), "user:3");
    auto printed = store().mark_cards({"647400000010", "647400000020"}, CardStage::ToHandOver, c);
    ASSERT_TRUE(printed.has_value()) << printed.error().message;
    EXPECT_EQ(*printed, 2);
    expect_last_audit(store(), "card.printed", "cards", c);
    EXPECT_EQ(audit_log(store()).front().detail,
              "stage=printed count=2 numbers=647400000010,647400000020");
    EXPECT_EQ(stage(CardStage::ToPrint), (V{"647400000030", "647400000040"}));
    EXPECT_EQ(stage(CardStage::ToHandOver), (V{"647400000010", "647400000020"}));

    // Handing over a card not yet printed marks it printed too; a repeat changes nothing.
    auto handed = store().mark_cards(
        {"647400000010", "647400000030"}, CardStage::HandedOver, ctx_at(at_minute(11), "user:4"));
    ASSERT_TRUE(handed.has_value()) << handed.error().message;
    EXPECT_EQ(*handed, 2);
    EXPECT_EQ(stage(CardStage::HandedOver), (V{"647400000010", "647400000030"}));
    auto card = store().get_card("647400000030");
    ASSERT_TRUE(card.has_value() && card->has_value());
    EXPECT_EQ((*card)->printed_at, at_minute(11));
    EXPECT_EQ((*card)->handed_over_at, at_minute(11));
    EXPECT_EQ((*card)->handed_over_by, "user:4");
    card = store().get_card("647400000010");
    ASSERT_TRUE(card.has_value() && card->has_value());
    EXPECT_EQ((*card)->printed_at, at_minute(10)) << "printed once, when it was printed";
    const std::size_t before = audit_count(store());
    auto repeat = store().mark_cards({"647400000010"}, CardStage::HandedOver, ctx_at(kT0));
    ASSERT_TRUE(repeat.has_value());
    EXPECT_EQ(*repeat, 0);
    EXPECT_EQ(audit_count(store()), before) << "nothing changed, nothing recorded";

    // All or nothing: a revoked or unknown card in the list changes none of them.
    ASSERT_TRUE(store().revoke_card("647400000040", "pindah", "", ctx_at(at_minute(12))));
    auto refused = store().mark_cards(
        {"647400000020", "647400000040"}, CardStage::HandedOver, ctx_at(at_minute(13)));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::CardAlreadyRevoked);
    auto unknown = store().mark_cards(
        {"647400000020", "647499999990"}, CardStage::HandedOver, ctx_at(at_minute(13)));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
    EXPECT_NE(unknown.error().message.find("647499999990"), std::string::npos);
    EXPECT_EQ(stage(CardStage::ToHandOver), (V{"647400000020"}));
    EXPECT_TRUE(stage(CardStage::ToPrint).empty()) << "a revoked card leaves the queue";

    auto page = store().list_cards(CardQuery{"", {}, {}, "647400000020", 2});
    EXPECT_EQ(numbers(page), (V{"647400000030", "647400000040"}));
    auto zero = store().list_cards(CardQuery{"", {}, {}, "", 0});
    ASSERT_FALSE(zero.has_value());
    EXPECT_EQ(zero.error().code, ErrorCode::InvalidArgument);
}

// --- The services the card opens -------------------------------------------------------------

ServiceRecord service(const std::string& code, std::int64_t position) {
    ServiceRecord s;
    s.code = code;
    s.name = "Layanan " + code;
    s.name_en = "Service " + code;
    s.description = "Uraian " + code;
    s.position = position;
    return s;
}

TEST_P(StoreContract, TheServiceCatalogueIsListedInOrderAndEditedNeverDeleted) {
    const auto c = ctx_at(at_minute(1), "user:1");
    ASSERT_TRUE(store().add_services(
        {service("pengaduan", 1), service("pangan", 4), service("kedaruratan", 2)}, c));
    expect_last_audit(store(), "service.add", "services", c);
    auto listed = store().list_services();
    ASSERT_TRUE(listed.has_value()) << listed.error().message;
    ASSERT_EQ(listed->size(), 3U);
    EXPECT_EQ((*listed)[0].code, "pengaduan");
    EXPECT_EQ((*listed)[1].code, "kedaruratan");
    ServiceRecord expected = service("pangan", 4);
    expected.updated_at = at_minute(1);
    expected.updated_by = "user:1";
    EXPECT_EQ((*listed)[2], expected);

    auto taken = store().add_services({service("sandang", 5), service("pangan", 6)}, c);
    ASSERT_FALSE(taken.has_value());
    EXPECT_EQ(taken.error().code, ErrorCode::AlreadyExists);
    EXPECT_NE(taken.error().message.find("pangan"), std::string::npos);
    auto bad = store().add_services({service("Pangan Lain", 7)}, c);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(store().list_services()->size(), 3U) << "all or nothing";

    ServiceRecord retired = service("pangan", 0);
    retired.active = false;
    retired.name = "Bantuan pangan";
    const auto c2 = ctx_at(at_minute(2), "user:2");
    ASSERT_TRUE(store().update_service(retired, c2));
    expect_last_audit(store(), "service.update", "pangan", c2);
    listed = store().list_services();
    ASSERT_EQ(listed->size(), 3U);
    EXPECT_EQ((*listed)[0].code, "pangan") << "position 0 now";
    EXPECT_FALSE((*listed)[0].active);
    EXPECT_EQ((*listed)[0].name, "Bantuan pangan");
    auto missing = store().update_service(service("tidak_ada", 1), c2);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST_P(StoreContract, AServiceRequestSentAgainUnderItsIdempotencyKeyIsOpenedOnce) {
    create(store(), 1, full_person(1));
    create(store(), 2, full_person(2));
    ASSERT_TRUE(store().add_services({service("pengaduan", 1), service("pangan", 2)}, ctx_at(kT0)));
    ServiceRequestRecord request;
    request.id = new_id(60).str();
    request.person_id = new_id(1).str();
    request.service_code = "pangan";
    request.kelurahan_code = "64.74.01.1003";
    request.note = "Beras 10 kg";
    request.idempotency_key = "key-1";
    auto first = store().create_service_request(request, ctx_at(at_minute(1), "user:3"));
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_FALSE(first->replayed);
    EXPECT_EQ(first->record.idempotency_key, "key-1");

    // Sent again (a lost answer): the first request, under its own id; nothing written.
    ServiceRequestRecord again = request;
    again.id = new_id(61).str();
    auto replay = store().create_service_request(again, ctx_at(at_minute(2), "user:3"));
    ASSERT_TRUE(replay.has_value()) << replay.error().message;
    EXPECT_TRUE(replay->replayed);
    EXPECT_EQ(replay->record, first->record);
    auto listed = store().person_service_requests(new_id(1));
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(listed->size(), 1U);
    EXPECT_EQ(store().get_service_request(again.id)->has_value(), false);

    // The same key for something else is refused; each field counts.
    for (const auto& change : std::vector<std::function<void(ServiceRequestRecord&)>>{
             [&](ServiceRequestRecord& r) { r.person_id = new_id(2).str(); },
             [](ServiceRequestRecord& r) { r.service_code = "pengaduan"; },
             [](ServiceRequestRecord& r) { r.note = "Beras 5 kg"; },
             [](ServiceRequestRecord& r) {
                 r.card_number = "647400000018";
             }}) {
        ServiceRequestRecord other = again;
        change(other);
        auto reused = store().create_service_request(other, ctx_at(at_minute(3), "user:3"));
        ASSERT_FALSE(reused.has_value());
        EXPECT_EQ(reused.error().code, ErrorCode::IdempotencyKeyReused);
    }

    // Keys are per creator, and no key is no key.
    auto by_other = store().create_service_request(again, ctx_at(at_minute(4), "user:4"));
    ASSERT_TRUE(by_other.has_value()) << by_other.error().message;
    EXPECT_FALSE(by_other->replayed);
    ServiceRequestRecord keyless = request;
    keyless.idempotency_key.clear();
    for (int i = 0; i < 2; ++i) {
        keyless.id = new_id(62 + i).str();
        auto opened = store().create_service_request(keyless, ctx_at(at_minute(5), "user:3"));
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        EXPECT_FALSE(opened->replayed);
    }
    listed = store().person_service_requests(new_id(1));
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(listed->size(), 4U);
}

TEST_P(StoreContract, AServiceRequestKeepsEveryStepAndRefusesStaleOrImpossibleMoves) {
    create(store(), 1, full_person(1));
    ASSERT_TRUE(store().add_services({service("pengaduan", 1), service("pangan", 2)}, ctx_at(kT0)));
    ServiceRecord retired = service("pangan", 2);
    retired.active = false;
    ASSERT_TRUE(store().update_service(retired, ctx_at(kT0)));

    ServiceRequestRecord request;
    request.id = new_id(50).str();
    request.person_id = new_id(1).str();
    request.service_code = "pengaduan";
    request.kelurahan_code = "64.74.01.1003";
    request.card_number = "647400000018";
    request.note = "Kursi roda rusak";
    const auto c = ctx_at(at_minute(5), "user:3");
    auto outcome = store().create_service_request(request, c);
    ASSERT_TRUE(outcome.has_value()) << outcome.error().message;
    EXPECT_FALSE(outcome->replayed);
    const ServiceRequestRecord* opened = &outcome->record;
    EXPECT_EQ(opened->status, "diajukan");
    EXPECT_EQ(opened->version, 1);
    EXPECT_EQ(opened->created_at, at_minute(5));
    EXPECT_EQ(opened->created_by, "user:3");
    EXPECT_EQ(opened->card_number, "647400000018");
    ASSERT_EQ(opened->history.size(), 1U);
    EXPECT_EQ(opened->history[0],
              (ServiceRequestEvent{1, at_minute(5), "user:3", "diajukan", "Kursi roda rusak"}));
    expect_last_audit(store(), "service_request.create", new_id(1).str(), c);

    ServiceRequestRecord other = request;
    other.id = new_id(51).str();
    other.service_code = "pangan";
    auto retired_one = store().create_service_request(other, c);
    ASSERT_FALSE(retired_one.has_value());
    EXPECT_EQ(retired_one.error().code, ErrorCode::ServiceUnknown);
    other.service_code = "pengaduan";
    other.person_id = new_id(9).str();
    auto nobody = store().create_service_request(other, c);
    ASSERT_FALSE(nobody.has_value());
    EXPECT_EQ(nobody.error().code, ErrorCode::NotFound);

    auto working =
        store().update_service_request(request.id, 1, "diproses", "Dirujuk", ctx_at(at_minute(6)));
    ASSERT_TRUE(working.has_value()) << working.error().message;
    EXPECT_EQ(working->version, 2);
    auto stale = store().update_service_request(request.id, 1, "selesai", "", ctx_at(at_minute(7)));
    ASSERT_FALSE(stale.has_value());
    EXPECT_EQ(stale.error().code, ErrorCode::VersionConflict);
    auto done = store().update_service_request(
        request.id, 2, "selesai", "Kursi roda diganti", ctx_at(at_minute(8), "user:4"));
    ASSERT_TRUE(done.has_value()) << done.error().message;
    auto reopened =
        store().update_service_request(request.id, 3, "diproses", "", ctx_at(at_minute(9)));
    ASSERT_FALSE(reopened.has_value());
    EXPECT_EQ(reopened.error().code, ErrorCode::ServiceTransitionInvalid);
    auto unknown = store().update_service_request(new_id(77).str(), 1, "selesai", "", c);
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);

    auto read = store().get_service_request(request.id);
    ASSERT_TRUE(read.has_value() && read->has_value());
    EXPECT_EQ(**read, *done);
    EXPECT_EQ((*read)->status, "selesai");
    EXPECT_EQ((*read)->note, "Kursi roda diganti");
    EXPECT_EQ((*read)->updated_by, "user:4");
    ASSERT_EQ((*read)->history.size(), 3U);
    EXPECT_EQ((*read)->history[1].status, "diproses");
    EXPECT_EQ((*read)->history[2].actor, "user:4");

    other.person_id = new_id(1).str();
    ASSERT_TRUE(store().create_service_request(other, ctx_at(at_minute(10))));
    auto all = store().person_service_requests(new_id(1));
    ASSERT_TRUE(all.has_value()) << all.error().message;
    ASSERT_EQ(all->size(), 2U);
    EXPECT_EQ((*all)[0].id, other.id) << "newest first";
    EXPECT_EQ((*all)[1].history.size(), 3U);
    auto none = store().get_service_request(new_id(78).str());
    ASSERT_TRUE(none.has_value());
    EXPECT_FALSE(none->has_value());
}

} // namespace kapal::store::contract

// ---- registry timeline (schema v14) -----------------------------------------------------------

namespace kapal::store::contract {
namespace {

std::vector<RegistryState> states_before(Store& s, core::Timestamp before) {
    std::vector<RegistryState> out;
    auto r = s.scan_registry_states(before, [&](const RegistryState& st) -> Result<void> {
        out.push_back(st);
        return {};
    });
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return out;
}

/// The state a version of a person must have left in the timeline.
RegistryState expected_state(const core::PersonRecord& r) {
    RegistryState e;
    e.version = r.version;
    e.at = r.updated_at;
    e.kelurahan_code = r.person.address.kelurahan_code;
    e.status = r.person.status;
    e.sex = r.person.sex;
    e.birth_date = r.person.birth_date;
    e.severity = r.person.severity;
    e.categories = category_mask(r.person.categories);
    return e;
}

} // namespace

TEST_P(StoreContract, RegistryStatesFollowEveryVersionAndMatchTheHistory) {
    core::Person a = full_person(1);
    create(store(), 1, a, at_minute(10));
    core::Person b = full_person(2);
    b.sex = core::Sex::Male;
    b.birth_date = core::Date{};
    b.severity.reset();
    b.categories = {core::Category::Mental, core::Category::SensorikWicara};
    create(store(), 2, b, at_minute(15));
    // a moves to another kecamatan, then dies.
    a.address.kelurahan_code = "64.74.02.1001";
    a.severity = core::DisabilitySeverity::Ringan;
    ASSERT_TRUE(store().update_person(new_id(1), 1, a, "64.74.02", ctx_at(at_minute(20))));
    a.status = core::Status::Meninggal;
    a.status_date = make_date(2025, 6, 1);
    ASSERT_TRUE(store().update_person(new_id(1), 2, a, "64.74.02", ctx_at(at_minute(30))));
    // An import creates two and updates b.
    std::vector<ImportItem> items;
    items.push_back({full_person(3), "64.74.01", false});
    items.push_back({full_person(4), "64.74.01", false});
    b.status = core::Status::Nonaktif;
    b.status_date = make_date(2025, 6, 2);
    items.push_back({b, "64.74.01", true});
    auto imported =
        store().import_persons(items, {new_id(3), new_id(4), new_id(5)}, ctx_at(at_minute(40)));
    ASSERT_TRUE(imported.has_value()) << imported.error().message;
    ASSERT_EQ((*imported)[2].action, ImportAction::Updated);

    // Before minute 30: a's first two versions and b's first.
    const auto early = states_before(store(), at_minute(30));
    ASSERT_EQ(early.size(), 3U);
    // Every state, oldest version first within a person, matches the history.
    const auto all = states_before(store(), at_minute(1000));
    ASSERT_EQ(all.size(), 7U);
    std::set<std::int64_t> seen;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (i > 0 && all[i].person == all[i - 1].person) {
            EXPECT_EQ(all[i].version, all[i - 1].version + 1);
        } else {
            EXPECT_TRUE(seen.insert(all[i].person).second) << "a person's states are not adjacent";
            EXPECT_EQ(all[i].version, 1);
        }
    }
    std::size_t matched = 0;
    for (int n : {1, 2, 3, 4}) {
        auto history = store().person_history(new_id(n));
        ASSERT_TRUE(history.has_value()) << history.error().message;
        for (const auto& v : *history) {
            RegistryState want = expected_state(v.record);
            const auto found = std::find_if(all.begin(), all.end(), [&](const RegistryState& s) {
                want.person = s.person;
                return s == want;
            });
            EXPECT_NE(found, all.end()) << "person " << n << " version " << v.record.version;
            matched += found != all.end() ? 1 : 0;
        }
    }
    EXPECT_EQ(matched, all.size());
    EXPECT_EQ(all.front().kelurahan_code, "64.74.01.1003");

    // A visitor's error stops the scan and comes back.
    int visited = 0;
    auto stopped = store().scan_registry_states(at_minute(1000), [&](const RegistryState&) {
        ++visited;
        return Result<void>(fail(ErrorCode::Internal, "stop"));
    });
    ASSERT_FALSE(stopped.has_value());
    EXPECT_EQ(stopped.error().message, "stop");
    EXPECT_EQ(visited, 1);
}

} // namespace kapal::store::contract
