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
    Actor actor_{"tester", "127.0.0.1", {}, std::nullopt};
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
    const Actor other{"operator-selatan", "127.0.0.1", {"64.74.02"}, core::Role::Operator};
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

TEST_F(PersonServiceTest, OperatorsCannotMoveAPersonOutOfTheirArea) {
    const Actor utara{"operator-utara", "127.0.0.1", {"64.74.01"}, core::Role::Operator};
    auto created = service_->create(lok_tuan_person(), utara, std::nullopt);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    auto moved = created->record.person;
    moved.address.kelurahan_code = "64.74.02.1001";
    auto refused = service_->update(created->record.id, 1, moved, utara, "pindah");
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::Forbidden);
    auto still = service_->get(created->record.id, utara);
    ASSERT_TRUE(still.has_value());
    EXPECT_EQ(still->version, 1);
}

TEST_F(PersonServiceTest, RevealIsForAllowedRolesWithAPurposeAndIsAudited) {
    auto p = lok_tuan_person();
    p.kk = "6474010101090007";
    auto created = service_->create(p, actor_, std::nullopt);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    const auto& id = created->record.id;

    const Actor viewer{"viewer-1", "10.1.1.1", {"64.74"}, core::Role::Viewer};
    auto denied = service_->reveal(id, viewer, "ingin tahu saja");
    ASSERT_FALSE(denied.has_value());
    EXPECT_EQ(denied.error().code, ErrorCode::Forbidden);

    const Actor op{"operator-1", "10.1.1.2", {"64.74.01"}, core::Role::Operator};
    auto no_purpose = service_->reveal(id, op, "  ok  ");
    ASSERT_FALSE(no_purpose.has_value());
    EXPECT_EQ(no_purpose.error().code, ErrorCode::PurposeRequired);

    const Actor elsewhere{"operator-2", "10.1.1.3", {"64.74.02"}, core::Role::Operator};
    auto hidden = service_->reveal(id, elsewhere, "verifikasi KTP untuk bansos");
    ASSERT_FALSE(hidden.has_value());
    EXPECT_EQ(hidden.error().code, ErrorCode::NotFound);

    auto shown = service_->reveal(id, op, "verifikasi KTP untuk bansos");
    ASSERT_TRUE(shown.has_value()) << shown.error().message;
    EXPECT_EQ(shown->nik, "6474014703850002");
    EXPECT_EQ(shown->kk, "6474010101090007");

    store::AuditQuery q;
    q.action = "person.unmask";
    auto log = store_->list_audit(q);
    ASSERT_TRUE(log.has_value());
    ASSERT_EQ(log->size(), 1U); // refused reveals leave no "unmask" row: nothing was shown
    EXPECT_EQ((*log)[0].actor, "operator-1");
    EXPECT_EQ((*log)[0].source, "10.1.1.2");
    EXPECT_EQ((*log)[0].subject, id.str());
    EXPECT_EQ((*log)[0].detail, "purpose=verifikasi KTP untuk bansos");
    EXPECT_EQ((*log)[0].detail.find("6474014703850002"), std::string::npos);
}

TEST_F(PersonServiceTest, ConsentPurposesNeedConsent) {
    auto p = lok_tuan_person();
    p.consent.given = false;
    p.consent.purposes = {core::ConsentPurpose::Card};
    auto refused = service_->create(p, actor_, std::nullopt);
    ASSERT_FALSE(refused.has_value());
    ASSERT_EQ(refused.error().fields.size(), 1U);
    EXPECT_EQ(refused.error().fields[0].code, ErrorCode::ConsentInconsistent);
    p.consent.given = true;
    p.consent.given_by = "self";
    p.consent.purposes = {core::ConsentPurpose::Card,
                          core::ConsentPurpose::SocialAssistance,
                          core::ConsentPurpose::Card};
    auto created = service_->create(p, actor_, std::nullopt);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    auto read = service_->get(created->record.id, actor_);
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read->person.consent.purposes,
              (std::vector<core::ConsentPurpose>{core::ConsentPurpose::SocialAssistance,
                                                 core::ConsentPurpose::Card}));
}

} // namespace
} // namespace kapal::service
