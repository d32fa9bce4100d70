#include "kapal/store/store_contract.hpp"

#include "kapal/core/ids.hpp"
#include "kapal/core/text.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
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
    p.consent = core::Consent{true, make_date(2024, 1, 5), "self"};
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
    ASSERT_TRUE(store().create_user(op).has_value());
    ASSERT_TRUE(store().create_user(admin).has_value());
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
    ASSERT_TRUE(store().update_user(changed).has_value());
    EXPECT_EQ((**store().find_user("operator.utara")).user, changed.user);

    auto all = store().list_users();
    ASSERT_TRUE(all.has_value());
    ASSERT_EQ(all->size(), 2U);
    EXPECT_EQ((*all)[0].user.username, "admin");
    EXPECT_EQ(store().info().users, 2);
}

TEST_P(StoreContract, RefusesATakenUserNameAndUnknownUsers) {
    const auto a = user_record("01900000-0000-7000-8000-000000000011", "siti", core::Role::Viewer);
    ASSERT_TRUE(store().create_user(a).has_value());
    auto again = store().create_user(
        user_record("01900000-0000-7000-8000-000000000012", "siti", core::Role::Viewer));
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, ErrorCode::AlreadyExists);
    auto ghost = store().update_user(
        user_record("01900000-0000-7000-8000-000000000013", "ghost", core::Role::Viewer));
    ASSERT_FALSE(ghost.has_value());
    EXPECT_EQ(ghost.error().code, ErrorCode::NotFound);
}

} // namespace kapal::store::contract
