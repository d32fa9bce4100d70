#include "kapal/service/province_service.hpp"

#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace kapal::service {
namespace {

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

class ProvinceServiceTest : public testing::StoreTest {
  protected:
    core::PersonId write(int serial, std::string_view at, core::Status status, int version) {
        core::Person p;
        p.nik = testing::test_person_nik(serial);
        p.full_name = testing::test_person_name(serial);
        p.sex = core::Sex::Female;
        p.birth_date = core::make_date(1985, 3, 7);
        p.address.kelurahan_code = "64.74.01.1006";
        p.categories = {core::Category::Fisik};
        p.status = status;
        if (status != core::Status::Aktif) {
            p.status_date = core::make_date(2026, 10, 1);
        }
        const store::WriteContext ctx{"test", "test", *core::parse_timestamp(at), ""};
        auto& id = ids_of_[serial];
        if (version == 0) {
            id = core::PersonId(ids_.next(*core::parse_timestamp(at)));
            auto r = store_->create_person(id, p, "64.74.01", ctx, std::nullopt);
            EXPECT_TRUE(r.has_value()) << r.error().message;
        } else {
            auto r = store_->update_person(id, version, p, "64.74.01", ctx);
            EXPECT_TRUE(r.has_value()) << r.error().message;
        }
        return id;
    }

    /// A province in dir_/prov and this store's city in dir_/city, joined and enrolled as 64.74.
    void join() {
        ASSERT_TRUE(init_province(prov(), testing::reference()));
        auto key = issue_province_key(prov(), testing::reference(), "64.74");
        ASSERT_TRUE(key) << key.error().message;
        auto joined = join_province(city(), *key);
        ASSERT_TRUE(joined) << joined.error().message;
        ASSERT_TRUE(enrol_kota(
            prov(), testing::reference(), "64.74", joined->package_public_key, clock_.now()));
    }

    std::filesystem::path prov() const { return dir_ / "prov"; }

    std::filesystem::path city() const { return dir_ / "city"; }

    std::map<int, core::PersonId> ids_of_;
    Actor actor_{"test", "test", {}, std::nullopt};
};

TEST_F(ProvinceServiceTest, APastPeriodListsThePersonsRegisteredAtItsEndNotNow) {
    write(1, "2026-02-01T02:00:00Z", core::Status::Aktif, 0);     // registered throughout
    write(2, "2026-08-01T02:00:00Z", core::Status::Aktif, 0);     // registered at the end…
    write(2, "2026-10-15T02:00:00Z", core::Status::Meninggal, 1); // …died after it
    write(3, "2026-07-05T02:00:00Z", core::Status::Aktif, 0);
    write(3, "2026-09-01T02:00:00Z", core::Status::Pindah, 1); // left before the end
    write(4, "2026-10-20T02:00:00Z", core::Status::Aktif, 0);  // registered after the end
    join();

    const auto q3 = *parse_period("2026-Q3");
    auto text = make_package(city(), *store_, testing::reference(), actor_, q3, clock_.now());
    ASSERT_TRUE(text) << text.error().message;
    auto envelope = parse_envelope(*text, kPackageFormat);
    ASSERT_TRUE(envelope);
    auto package = decode_package(envelope->payload);
    ASSERT_TRUE(package) << package.error().message;

    const auto match_hex = slurp(prov() / "keys" / "province-match.key");
    const auto match = *bytes_from_hex(match_hex.substr(0, 64), 32);
    std::array<std::uint8_t, 32> key{};
    std::copy(match.begin(), match.end(), key.begin());
    std::set<std::string> indexes;
    for (const auto& m : package->matches) {
        indexes.insert(m.index);
    }
    EXPECT_EQ(indexes,
              (std::set<std::string>{nik_blind_index(key, testing::test_person_nik(1)),
                                     nik_blind_index(key, testing::test_person_nik(2))}));
    // The flows agree: 2 registered at the end, too few to show.
    EXPECT_TRUE(package->flows.total.counts[7].suppressed);
    EXPECT_EQ(package->period, "2026-Q3");
    EXPECT_EQ(package->kota, "64.74");
    EXPECT_EQ(package->kota_name, "Kota Bontang");

    // Accepted once; a package of the next period is accepted after it.
    ASSERT_TRUE(import_package(prov(), *text, clock_.now()));
    const auto q4 = *parse_period("2026-Q4");
    auto next = make_package(city(), *store_, testing::reference(), actor_, q4, clock_.now());
    ASSERT_TRUE(next);
    auto accepted = import_package(prov(), *next, clock_.now());
    ASSERT_TRUE(accepted) << accepted.error().message;
    EXPECT_EQ(accepted->period, "2026-Q4");
    // One kab/kota only: nobody is registered twice, and its return lists nobody.
    auto cross = cross_registered(prov());
    ASSERT_TRUE(cross);
    EXPECT_TRUE(cross->empty());
    auto ret = make_return(prov(), "64.74", clock_.now());
    ASSERT_TRUE(ret) << ret.error().message;
    auto review = review_return(city(), *store_, actor_, *ret);
    ASSERT_TRUE(review) << review.error().message;
    EXPECT_TRUE(review->empty());
    // Both packages are in the city's audit log.
    store::AuditQuery q;
    q.action = "province.package";
    auto audit = store_->list_audit(q);
    ASSERT_TRUE(audit);
    EXPECT_EQ(audit->size(), 2U);
}

TEST_F(ProvinceServiceTest, RefusesAPackageMadeWithAnotherProvincesMatchingKey) {
    write(1, "2026-02-01T02:00:00Z", core::Status::Aktif, 0);
    join();
    // Another province instance issues its own key to another data directory of this city.
    const auto other = dir_ / "other-prov";
    const auto city2 = dir_ / "city2";
    ASSERT_TRUE(init_province(other, testing::reference()));
    auto key = issue_province_key(other, testing::reference(), "64.74");
    ASSERT_TRUE(key);
    auto joined = join_province(city2, *key);
    ASSERT_TRUE(joined);
    // Enrolled here under its own signing key: the signature verifies, the matching key is not
    // this province's, so its blind indexes could never match: refused, naming both keys.
    ASSERT_TRUE(enrol_kota(
        prov(), testing::reference(), "64.74", joined->package_public_key, clock_.now()));
    auto text = make_package(
        city2, *store_, testing::reference(), actor_, *parse_period("2026"), clock_.now());
    ASSERT_TRUE(text) << text.error().message;
    const auto refused = import_package(prov(), *text, clock_.now());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::ProvinceKeyMismatch);
    EXPECT_NE(refused.error().message.find("matching key"), std::string::npos);
    auto ledger = accepted_packages(prov());
    ASSERT_TRUE(ledger);
    EXPECT_TRUE(ledger->empty()) << "nothing kept of a refused package";
    // And a return from the other province is refused by this city.
    auto other_return = make_return(other, "64.74", clock_.now());
    ASSERT_FALSE(other_return); // no package there yet
    EXPECT_EQ(other_return.error().code, ErrorCode::NotFound);
}

TEST_F(ProvinceServiceTest, RefusesAKabKotaOutsideTheProvinceAndAKeyThatIsNotOne) {
    join();
    for (const auto* bad : {"64", "64.74.01", "63.01", "64.99", ""}) {
        const auto r = issue_province_key(prov(), testing::reference(), bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::AreaInvalid);
        ASSERT_EQ(r.error().fields.size(), 1U);
        EXPECT_EQ(r.error().fields[0].field, "kota");
    }
    const auto bad_key = enrol_kota(prov(), testing::reference(), "64.72", "abc", clock_.now());
    ASSERT_FALSE(bad_key);
    EXPECT_EQ(bad_key.error().fields[0].field, "public_key");
    // Joining twice, or joining a province instance, is refused.
    auto key = issue_province_key(prov(), testing::reference(), "64.74");
    ASSERT_TRUE(key);
    EXPECT_EQ(join_province(city(), *key).error().code, ErrorCode::AlreadyExists);
    EXPECT_EQ(join_province(prov(), *key).error().code, ErrorCode::ConfigInvalid);
    EXPECT_EQ(join_province(dir_ / "other", "format kapal-province-key/1\n").error().code,
              ErrorCode::ProvincePackageInvalid);
}

} // namespace
} // namespace kapal::service
