#include "kapal/service/person_service.hpp"

#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

namespace kapal::service {
namespace {

using testing::StoreTest;

core::Person lok_tuan_person() {
    core::Person p;
    p.nik = "6474014703850002";
    p.full_name = "Siti Aminah";
    p.sex = core::Sex::Female;
    p.birth_date = core::make_date(1985, 3, 7);
    p.address.kelurahan_code = "64.74.01.1003";
    p.categories = {core::Category::Fisik};
    return p;
}

class PersonServiceTest : public StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        service_ = std::make_unique<PersonService>(*store_, testing::reference_ptr(), clock_, ids_);
    }

    std::unique_ptr<PersonService> service_;
    Actor actor_{"tester", "127.0.0.1", {}};
};

TEST_F(PersonServiceTest, CreatesAndReadsBack) {
    auto created = service_->create(lok_tuan_person(), actor_, std::nullopt);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    EXPECT_EQ(created->record.version, 1);
    EXPECT_EQ(created->record.kecamatan_code, "64.74.01");
    auto read = service_->get(created->record.id, actor_);
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read->person.nik, "6474014703850002");
}

TEST_F(PersonServiceTest, RefusesUnconfirmedWarningsAndAcceptsThemWithAReason) {
    auto p = lok_tuan_person();
    p.birth_date = core::make_date(1985, 3, 8); // NIK says the 7th
    auto refused = service_->create(p, actor_, std::nullopt);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::WarningsNotConfirmed);
    ASSERT_EQ(refused.error().fields.size(), 1U);
    EXPECT_EQ(refused.error().fields[0].code, ErrorCode::NikBirthDateMismatch);

    p.confirmed_warnings = {"person.nik_birth_date_mismatch"};
    auto no_reason = service_->create(p, actor_, std::nullopt);
    ASSERT_FALSE(no_reason.has_value());
    EXPECT_EQ(no_reason.error().code, ErrorCode::WarningsNotConfirmed);

    p.warning_reason = "KTP asli diperiksa: tanggal di NIK salah cetak";
    auto accepted = service_->create(p, actor_, std::nullopt);
    ASSERT_TRUE(accepted.has_value()) << accepted.error().message;
    EXPECT_EQ(accepted->record.person.confirmed_warnings,
              std::vector<std::string>{"person.nik_birth_date_mismatch"});
}

TEST_F(PersonServiceTest, DerivesKelurahanFromTheHomeLocation) {
    auto p = lok_tuan_person();
    p.address.kelurahan_code.clear();
    const auto* feature = testing::reference().kelurahan->find("64.74.03.1003"); // Kanaan
    ASSERT_NE(feature, nullptr);
    ASSERT_TRUE(feature->label.has_value());
    p.home = core::HomeLocation{
        feature->label->lon, feature->label->lat, 10.0, core::LocationSource::Gps};
    auto created = service_->create(p, actor_, std::nullopt);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    EXPECT_EQ(created->record.person.address.kelurahan_code, "64.74.03.1003");
    EXPECT_EQ(created->record.kecamatan_code, "64.74.03");
}

TEST_F(PersonServiceTest, WarnsWhenTypedAndLocatedKelurahanDiffer) {
    auto p = lok_tuan_person();
    const auto* kanaan = testing::reference().kelurahan->find("64.74.03.1003");
    p.home =
        core::HomeLocation{kanaan->label->lon, kanaan->label->lat, 10.0, core::LocationSource::Gps};
    auto refused = service_->create(p, actor_, std::nullopt);
    ASSERT_FALSE(refused.has_value());
    ASSERT_EQ(refused.error().fields.size(), 1U);
    EXPECT_EQ(refused.error().fields[0].code, ErrorCode::KelurahanMismatch);
    EXPECT_EQ(refused.error().fields[0].field, "address.kelurahan_code");
}

TEST_F(PersonServiceTest, WarnsWhenHomeIsOutsideEveryArea) {
    auto p = lok_tuan_person();
    p.home = core::HomeLocation{116.8, -1.2, 10.0, core::LocationSource::Gps}; // Balikpapan
    auto refused = service_->create(p, actor_, std::nullopt);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().fields.at(0).code, ErrorCode::LocationOutsideAreas);
}

TEST_F(PersonServiceTest, UpdateKeepsStoredNikWhenOmittedAndChecksTheVersion) {
    auto created = service_->create(lok_tuan_person(), actor_, std::nullopt);
    ASSERT_TRUE(created.has_value());
    auto changed = created->record.person;
    changed.nik.clear();
    changed.phone = "0812-5555-1234";
    auto updated = service_->update(created->record.id, 1, changed, actor_, "nomor HP baru");
    ASSERT_TRUE(updated.has_value()) << updated.error().message;
    EXPECT_EQ(updated->version, 2);
    EXPECT_EQ(updated->person.nik, "6474014703850002");
    auto stale = service_->update(created->record.id, 1, changed, actor_, "");
    ASSERT_FALSE(stale.has_value());
    EXPECT_EQ(stale.error().code, ErrorCode::VersionConflict);
}

TEST_F(PersonServiceTest, OutOfScopeRecordsAnswerAsIfAbsent) {
    auto created = service_->create(lok_tuan_person(), actor_, std::nullopt);
    ASSERT_TRUE(created.has_value());
    const Actor other{"operator-selatan", "127.0.0.1", {"64.74.02"}};
    auto read = service_->get(created->record.id, other);
    ASSERT_FALSE(read.has_value());
    EXPECT_EQ(read.error().code, ErrorCode::NotFound);
    auto by_nik = service_->find_by_nik("6474014703850002", other);
    ASSERT_TRUE(by_nik.has_value());
    EXPECT_FALSE(by_nik->has_value());
    auto page = service_->list({}, other);
    ASSERT_TRUE(page.has_value());
    EXPECT_TRUE(page->items.empty());
}

} // namespace
} // namespace kapal::service
