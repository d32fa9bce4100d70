#include "kapal/service/duplicate_check.hpp"

#include "kapal/service/import_service.hpp"
#include "kapal/service/person_index.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace kapal::service {
namespace {

core::Person siti() {
    core::Person p;
    p.nik = "6474014703850002";
    p.full_name = "Siti Aminah";
    p.sex = core::Sex::Female;
    p.birth_date = core::make_date(1985, 3, 7);
    p.address.kelurahan_code = "64.74.01.1003"; // Lok Tuan, Bontang Utara
    p.categories = {core::Category::Fisik};
    return p;
}

/// The same woman registered again under a mistyped NIK, her name spelt another way and the
/// day and month of her birth swapped.
core::Person siti_again() {
    core::Person p = siti();
    p.nik = "6474014703850012";
    p.full_name = "Sitti Aminah";
    p.birth_date = core::make_date(1985, 7, 3);
    p.confirmed_warnings = {"person.nik_birth_date_mismatch"};
    p.warning_reason = "tanggal lahir sesuai akta";
    return p;
}

store::PersonSummary summary(const std::string& id,
                             const std::string& name,
                             core::Date birth,
                             std::int64_t version = 1) {
    store::PersonSummary s;
    s.id = core::PersonId(id);
    s.version = version;
    s.full_name = name;
    s.birth_date = birth;
    s.sex = core::Sex::Female;
    s.kelurahan_code = "64.74.01.1003";
    return s;
}

TEST(MaskName, KeepsTheFirstLetterOfEachWord) {
    EXPECT_EQ(mask_name("Siti  Nurhaliza"), "S*** N***");
    EXPECT_EQ(mask_name("H. Muhammad"), "H*** M***");
    EXPECT_EQ(mask_name(""), "");
    EXPECT_EQ(mask_name("\xC3\x89mile"), "****") << "half a UTF-8 letter is never shown";
}

TEST(DuplicateIndex, FindsANameVariantAndForgetsTheOldNameAfterAnUpdate) {
    DuplicateIndex index;
    index.upsert(summary("p1", "Siti Aminah", core::make_date(1985, 3, 7)));
    index.upsert(summary("p2", "Budi Santoso", core::make_date(1970, 1, 1)));
    const auto model = integrity::LinkageModel::defaults();
    core::Person probe = siti_again();
    auto found = index.candidates(integrity::link_record("", probe), model, 10);
    ASSERT_EQ(found.size(), 1U);
    EXPECT_EQ(found[0].id.str(), "p1");
    EXPECT_GT(found[0].partial_score, 5.0);

    // p1 renamed and born elsewhen: no blocking key left in common.
    index.upsert(summary("p1", "Rahmat Hidayat", core::make_date(1960, 11, 20), 2));
    EXPECT_TRUE(index.candidates(integrity::link_record("", probe), model, 10).empty());
    // An older version arriving late changes nothing.
    index.upsert(summary("p1", "Siti Aminah", core::make_date(1985, 3, 7), 1));
    EXPECT_TRUE(index.candidates(integrity::link_record("", probe), model, 10).empty());
    EXPECT_EQ(index.size(), 2U);
    EXPECT_GT(index.memory_bytes(), 0U);
}

class DuplicateCheckTest : public testing::StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        service_ = std::make_unique<PersonService>(*store_, testing::reference_ptr(), clock_, ids_);
        index_ = std::make_unique<PersonIndex>(*store_);
        ASSERT_TRUE(index_->catch_up().has_value());
        service_->set_index(index_.get());
    }

    std::unique_ptr<PersonService> service_;
    std::unique_ptr<PersonIndex> index_;
    Actor admin_{"admin", "127.0.0.1", {}, std::nullopt};
};

TEST_F(DuplicateCheckTest, CreateWarnsNamingTheOtherRecordUntilConfirmed) {
    auto first = service_->create(siti(), admin_, std::nullopt);
    ASSERT_TRUE(first.has_value()) << first.error().message;

    auto refused = service_->create(siti_again(), admin_, std::nullopt);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::WarningsNotConfirmed);
    ASSERT_EQ(refused.error().fields.size(), 1U);
    const FieldIssue& w = refused.error().fields[0];
    EXPECT_EQ(w.code, ErrorCode::PossibleDuplicate);
    EXPECT_EQ(w.field, "full_name");
    EXPECT_EQ(w.detail.rfind(first->record.id.str() + " S*** A***, skor ", 0), 0U) << w.detail;
    EXPECT_NE(w.detail.find("nama sama"), std::string::npos) << w.detail; // tt → t
    EXPECT_NE(w.detail.find("tanggal dan bulan lahir tertukar"), std::string::npos) << w.detail;
    EXPECT_NE(w.detail.find("NIK beda satu angka"), std::string::npos) << w.detail;

    auto confirmed = siti_again();
    confirmed.confirmed_warnings.push_back("person.possible_duplicate");
    auto created = service_->create(confirmed, admin_, std::nullopt);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    EXPECT_EQ(
        created->record.person.confirmed_warnings,
        (std::vector<std::string>{"person.nik_birth_date_mismatch", "person.possible_duplicate"}));

    // An update keeps the confirmation and does not ask again.
    auto next = created->record.person;
    next.phone = "081234567890";
    auto updated = service_->update(created->record.id, 1, next, admin_, "telepon baru");
    ASSERT_TRUE(updated.has_value()) << updated.error().message;
    EXPECT_EQ(updated->person.confirmed_warnings, created->record.person.confirmed_warnings);
}

TEST_F(DuplicateCheckTest, AnUpdateThatMakesTheRecordLookLikeAnotherIsCheckedAgain) {
    auto first = service_->create(siti(), admin_, std::nullopt);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    core::Person other = siti();
    other.nik = "6474010101700001";
    other.full_name = "Budi Santoso";
    other.sex = core::Sex::Male;
    other.birth_date = core::make_date(1970, 1, 1);
    auto created = service_->create(other, admin_, std::nullopt);
    ASSERT_TRUE(created.has_value()) << created.error().message;

    // A change of category only: nothing that identifies the person, no check.
    auto next = created->record.person;
    next.categories = {core::Category::SensorikNetra};
    auto recategorised = service_->update(created->record.id, 1, next, admin_, "asesmen ulang");
    ASSERT_TRUE(recategorised.has_value()) << recategorised.error().message;

    // Renamed, re-sexed and re-dated into Siti's twin: the registry is asked again, and the
    // record itself is not its own duplicate.
    next = recategorised->person;
    next.full_name = "Sitti Aminah";
    next.sex = core::Sex::Female;
    next.birth_date = core::make_date(1985, 3, 7);
    next.nik = "6474014703850012";
    auto refused = service_->update(created->record.id, 2, next, admin_, "salah ketik");
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::WarningsNotConfirmed);
    ASSERT_EQ(refused.error().fields.size(), 1U);
    EXPECT_EQ(refused.error().fields[0].code, ErrorCode::PossibleDuplicate);
    EXPECT_EQ(refused.error().fields[0].detail.rfind(first->record.id.str() + " S*** A***", 0), 0U)
        << refused.error().fields[0].detail;

    next.confirmed_warnings = {"person.possible_duplicate"};
    next.warning_reason = "orang berbeda, sudah dicek ke rumah";
    auto updated = service_->update(created->record.id, 2, next, admin_, "salah ketik");
    ASSERT_TRUE(updated.has_value()) << updated.error().message;
    EXPECT_EQ(updated->person.confirmed_warnings,
              std::vector<std::string>{"person.possible_duplicate"});
}

TEST_F(DuplicateCheckTest, AnotherPersonAndAReplayedCreateAreNotDuplicates) {
    const store::IdempotencyToken token{"k-1", "f-1"};
    auto first = service_->create(siti(), admin_, token);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    auto replay = service_->create(siti(), admin_, token);
    ASSERT_TRUE(replay.has_value()) << replay.error().message;
    EXPECT_TRUE(replay->replayed);

    core::Person other = siti();
    other.nik = "6474010101700001";
    other.full_name = "Budi Santoso";
    other.sex = core::Sex::Male;
    other.birth_date = core::make_date(1970, 1, 1);
    auto created = service_->create(other, admin_, std::nullopt);
    EXPECT_TRUE(created.has_value()) << created.error().message;
}

TEST_F(DuplicateCheckTest, OutsideTheCallersAreaTheWarningNamesNoOne) {
    ASSERT_TRUE(service_->create(siti(), admin_, std::nullopt).has_value());
    // An operator of Bontang Utara's neighbour registers the same woman as living there.
    Actor operator_of_kanaan{"op", "127.0.0.1", {"64.74.03"}, core::Role::Operator};
    auto moved = siti_again();
    moved.address.kelurahan_code = "64.74.03.1003";
    auto refused = service_->create(moved, operator_of_kanaan, std::nullopt);
    ASSERT_FALSE(refused.has_value());
    ASSERT_EQ(refused.error().fields.size(), 1U);
    const std::string& detail = refused.error().fields[0].detail;
    EXPECT_EQ(detail.rfind("data di luar wilayah Anda, skor ", 0), 0U) << detail;
    auto page = store_->list_persons({});
    ASSERT_TRUE(page.has_value());
    ASSERT_EQ(page->items.size(), 1U);
    EXPECT_EQ(detail.find(page->items[0].id.str()), std::string::npos);
    EXPECT_EQ(detail.find("S***"), std::string::npos);
}

TEST_F(DuplicateCheckTest, ImportReportsARowThatDuplicatesAStoredPerson) {
    auto first = service_->create(siti(), admin_, std::nullopt);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    ASSERT_TRUE(index_->catch_up().has_value());
    const auto file = dir_ / "rows.csv";
    std::ofstream(file) << "NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n"
                           "6474014703850012,Sitti Aminah,P,03/07/1985,Lok Tuan,fisik\n"
                           "6474011503850001,Ahmad Yani,L,15/03/1985,Lok Tuan,fisik\n";
    for (const bool dry_run : {true, false}) {
        ImportOptions options;
        options.dry_run = dry_run;
        options.registry = &index_->duplicates();
        auto summary =
            import_persons(file, *store_, testing::reference(), clock_, ids_, admin_, options);
        ASSERT_TRUE(summary.has_value()) << summary.error().message;
        EXPECT_EQ(summary->created, 2U);
        ASSERT_EQ(summary->warnings.size(), 1U) << "dry run " << dry_run;
        EXPECT_EQ(summary->warnings[0].row, 2U);
        const auto& issues = summary->warnings[0].issues;
        const auto dup = std::find_if(issues.begin(), issues.end(), [](const FieldIssue& i) {
            return i.code == ErrorCode::PossibleDuplicate;
        });
        ASSERT_NE(dup, issues.end());
        EXPECT_EQ(dup->field, "Nama Lengkap");
        EXPECT_EQ(dup->detail.rfind(first->record.id.str() + " S*** A***", 0), 0U) << dup->detail;
    }
}

} // namespace
} // namespace kapal::service
