#include "kapal/service/aid_transfer_service.hpp"

#include "kapal/service/aid_service.hpp"
#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <cstdio>

namespace kapal::service {
namespace {

using testing::StoreTest;

class AidTransferServiceTest : public StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        persons_ = std::make_unique<PersonService>(*store_, testing::reference_ptr(), clock_, ids_);
        keys_.push_back(card::PublishedCardKey{key_.kid, key_.public_key, clock_.now(), {}});
        cards_ = std::make_unique<CardService>(
            *store_, *persons_, clock_, key_, keys_, CardSettings{"Dinsos Uji", 5, "", ""});
        aid_ = std::make_unique<AidService>(*store_, *cards_, clock_, ids_);
        transfer_ = std::make_unique<AidTransferService>(*store_, clock_, ids_);
    }

    void TearDown() override {
        transfer_.reset();
        aid_.reset();
        cards_.reset();
        persons_.reset();
        StoreTest::TearDown();
    }

    /// A person of 64.74.01.1003 with `account` ("" = none).
    std::string add(int serial, const std::string& account) {
        core::Person p;
        p.nik = "6474014703" + std::string("80") + testing::test_person_nik(serial).substr(12);
        p.full_name = testing::test_person_name(serial);
        p.sex = core::Sex::Female;
        p.birth_date = core::make_date(1980, 3, 7);
        p.address = core::Address{"Jl. Pupuk", "001", "02", "64.74.01.1003"};
        p.categories = {core::Category::Fisik};
        if (!account.empty()) {
            p.account = core::Account{core::AccountKind::Bank, "Bankaltimtara", account, "Warga"};
        }
        auto created = persons_->create(p, admin_, std::nullopt);
        EXPECT_TRUE(created.has_value()) << created.error().message;
        return created ? created->record.id.str() : "";
    }

    /// A programme delivered by `channel` with cycle 1, its list (everyone) approved.
    store::AidCycleRecord approved(const std::string& channel) {
        store::AidProgramRecord p;
        p.code = "tunai_" + channel;
        p.name = "Bantuan tunai";
        p.source = "APBD";
        p.kind = "tunai";
        p.channel = channel;
        p.unit_value = 400'000;
        EXPECT_TRUE(aid_->create_program(p, admin_).has_value());
        store::AidCycleRecord c;
        c.program_code = p.code;
        c.number = 1;
        c.name = "Tahap I";
        c.starts_on = core::make_date(2026, 11, 1);
        c.ends_on = core::make_date(2026, 11, 30);
        auto made = aid_->create_cycle(c, admin_);
        EXPECT_TRUE(made.has_value());
        auto listed = aid_->generate_list(made->id, made->version, admin_);
        EXPECT_TRUE(listed.has_value()) << listed.error().message;
        auto proposed = aid_->move_list(made->id, listed->cycle.version, "proposed", "", admin_);
        EXPECT_TRUE(proposed.has_value());
        auto ok = aid_->move_list(made->id, proposed->version, "approved", "", admin2_);
        EXPECT_TRUE(ok.has_value()) << ok.error().message;
        return *ok;
    }

    card::CardKey key_ = card::card_key_from_seed(std::array<std::uint8_t, 32>{5});
    std::vector<card::PublishedCardKey> keys_;
    std::unique_ptr<PersonService> persons_;
    std::unique_ptr<CardService> cards_;
    std::unique_ptr<AidService> aid_;
    std::unique_ptr<AidTransferService> transfer_;
    Actor admin_{"tester", "127.0.0.1", {}, std::nullopt};
    Actor admin2_{"admin-2", "10.0.0.9", {}, core::Role::Admin};
    Actor operator_all_{"op-all", "10.0.0.3", {"64.74"}, core::Role::Operator};
    Actor operator_area_{"op", "10.0.0.2", {"64.74.02"}, core::Role::Operator};
    Actor viewer_{"viewer", "10.0.0.6", {"64.74"}, core::Role::Viewer};
};

TEST_F(AidTransferServiceTest, ABatchHoldsTheBeneficiariesWithAnAccountAndReportsTheOthers) {
    const std::string a = add(1, "1234567890");
    const std::string b = add(2, "1234567890"); // the same account as a
    const std::string c = add(3, "");
    const auto cycle = approved("transfer");
    auto made = transfer_->make_batch(cycle.id, operator_all_);
    ASSERT_TRUE(made.has_value()) << made.error().message;
    EXPECT_EQ(made->batch.line_count, 2);
    EXPECT_EQ(made->batch.total_amount, 800'000);
    ASSERT_EQ(made->left_out.size(), 1U);
    EXPECT_EQ(made->left_out[0].person_id, c);
    EXPECT_EQ(made->left_out[0].reason, "no_account");
    EXPECT_EQ(made->flag_counts["aid.shared_account"], 2U);

    auto again = transfer_->make_batch(cycle.id, admin_);
    ASSERT_FALSE(again.has_value()) << "everyone with an account is pending";
    EXPECT_EQ(again.error().code, ErrorCode::AidAlreadyDelivered);

    auto limited = transfer_->make_batch(cycle.id, operator_area_);
    ASSERT_FALSE(limited.has_value());
    EXPECT_EQ(limited.error().code, ErrorCode::Forbidden);
    EXPECT_FALSE(transfer_->batches(cycle.id, operator_area_).has_value());
    auto listed = transfer_->batches(cycle.id, viewer_);
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(listed->size(), 1U);
    (void)a;
    (void)b;
}

TEST_F(AidTransferServiceTest, AHandoverProgrammeHasNoBatches) {
    add(1, "1234567890");
    const auto cycle = approved("langsung");
    auto made = transfer_->make_batch(cycle.id, admin_);
    ASSERT_FALSE(made.has_value());
    EXPECT_EQ(made.error().code, ErrorCode::AidChannelMismatch);
}

TEST_F(AidTransferServiceTest, TheBatchFileEndsWithTotalsAndTheChecksumOfEverythingBefore) {
    const std::string a = add(1, " 0011223344 ");
    add(2, "5566778899");
    const auto cycle = approved("transfer");
    auto made = transfer_->make_batch(cycle.id, admin_);
    ASSERT_TRUE(made.has_value()) << made.error().message;

    auto denied = transfer_->batch_file(made->batch.id, viewer_);
    ASSERT_FALSE(denied.has_value());
    EXPECT_EQ(denied.error().code, ErrorCode::Forbidden) << "viewers may not unmask";

    auto file = transfer_->batch_file(made->batch.id, operator_all_);
    ASSERT_TRUE(file.has_value()) << file.error().message;
    const std::string& bytes = file->bytes;
    EXPECT_TRUE(bytes.starts_with("line,batch_id,delivery_id,person_id,name,provider,"
                                  "account_number,account_holder,amount_idr\r\n"));
    EXPECT_NE(bytes.find(",0011223344,"), std::string::npos) << "unmasked and trimmed";
    EXPECT_NE(bytes.find("\r\nTOTAL,2,800000\r\n"), std::string::npos) << bytes;
    const auto sha_at = bytes.rfind("SHA256,");
    ASSERT_NE(sha_at, std::string::npos);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), sha_at);
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    EXPECT_EQ(bytes.substr(sha_at), "SHA256," + std::string(hex) + "\r\n");
    EXPECT_EQ(file->sha256, hex);

    store::AuditQuery q;
    q.action = "aid.batch.export";
    auto log = store_->list_audit(q);
    ASSERT_TRUE(log.has_value());
    ASSERT_EQ(log->size(), 1U);
    EXPECT_EQ(log->front().actor, "op-all");
    EXPECT_EQ(log->front().subject, made->batch.id);
    (void)a;
}

TEST_F(AidTransferServiceTest, TheBankResultIsReconciledLineByLineAndAgainChangesNothing) {
    add(1, "1111111");
    add(2, "2222222");
    add(3, "3333333");
    const auto cycle = approved("transfer");
    auto made = transfer_->make_batch(cycle.id, admin_);
    ASSERT_TRUE(made.has_value()) << made.error().message;
    auto lines = transfer_->lines(made->batch.id, admin_);
    ASSERT_TRUE(lines.has_value());
    ASSERT_EQ(lines->size(), 3U);
    const std::string csv = "delivery_id,status,amount,reason,bank_reference,paid_at\n" +
                            (*lines)[0].id + ",paid,400000,,B-1,2026-11-28T03:00:00Z\n" +
                            (*lines)[1].id + ",failed,400000,rekening ditutup,B-2,\n" +
                            "01900000-0000-7000-8000-00000000dead,paid,400000,,B-3," +
                            "2026-11-28T03:00:00Z\n" + (*lines)[2].id + ",lunas,400000,,B-4,\n" +
                            (*lines)[2].id + ",paid,1,,B-5,2026-11-28T03:00:00Z\n";
    auto first = transfer_->import_result(made->batch.id, csv, operator_all_);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_EQ(first->rows, 5U);
    EXPECT_EQ(first->paid, 1U);
    EXPECT_EQ(first->failed, 1U);
    EXPECT_EQ(first->unmatched, 2U) << "unknown reference, another amount";
    EXPECT_EQ(first->invalid, 1U);
    ASSERT_EQ(first->problems.size(), 3U);
    EXPECT_EQ(first->problems[0].row, 4U);
    EXPECT_EQ(first->problems[0].column, "delivery_id");
    EXPECT_EQ(first->problems[1].row, 5U);
    EXPECT_EQ(first->problems[1].column, "status");
    EXPECT_EQ(first->problems[1].kind, "invalid");
    EXPECT_EQ(first->problems[2].column, "amount");
    EXPECT_FALSE(first->already_imported);
    EXPECT_EQ(first->batch.paid_count, 1);
    EXPECT_EQ(first->batch.failed_count, 1);
    EXPECT_EQ(first->batch.pending_count, 1);

    auto second = transfer_->import_result(made->batch.id, csv, operator_all_);
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->paid + second->failed, 0U);
    EXPECT_EQ(second->unchanged, 2U);
    EXPECT_TRUE(second->already_imported);

    auto failed = store_->get_aid_delivery((*lines)[1].id);
    ASSERT_TRUE(failed.has_value() && failed->has_value());
    EXPECT_EQ((*failed)->fail_reason, "rekening ditutup");
    EXPECT_EQ((*failed)->bank_reference, "B-2");

    auto no_header = transfer_->import_result(made->batch.id, "a,b\n1,2\n", operator_all_);
    ASSERT_FALSE(no_header.has_value());
    EXPECT_EQ(no_header.error().code, ErrorCode::AidBatchFileInvalid);
    ASSERT_FALSE(no_header.error().fields.empty());
    EXPECT_EQ(no_header.error().fields[0].field, "delivery_id");
    auto viewer = transfer_->import_result(made->batch.id, csv, viewer_);
    ASSERT_FALSE(viewer.has_value());
    EXPECT_EQ(viewer.error().code, ErrorCode::Forbidden);
}

} // namespace
} // namespace kapal::service
