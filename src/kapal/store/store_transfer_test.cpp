#include "kapal/store/store_transfer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace kapal::store {
namespace {

/// An audit_log row: seq, at, actor, source, action, subject, detail, hash.
void audit_row(TransferPage& page, std::int64_t seq, std::string_view detail) {
    page.int64(seq);
    page.int64(1'750'000'000'000 + seq);
    page.text("user:1");
    page.text("cli");
    page.text("person.unmask");
    page.text("");
    page.text(detail);
    page.text("0123");
    page.end_row();
}

StoreDigest digest_of(const std::vector<TransferPage>& audit_pages) {
    TransferDigest digest;
    for (const TransferTable t : kTransferTables) {
        EXPECT_TRUE(digest.begin_table(t, 0).has_value());
        if (t == TransferTable::AuditLog) {
            for (const auto& page : audit_pages) {
                EXPECT_TRUE(digest.write(page).has_value());
            }
        }
        EXPECT_TRUE(digest.end_table(t).has_value());
    }
    return digest.result();
}

TEST(TransferPage, EncodesEachValueWithItsTagAndBigEndianNumbers) {
    TransferPage page(TransferTable::AuditLog);
    page.int64(258);
    page.text("ab");
    page.null();
    const std::string expected{"\x01\x00\x00\x00\x00\x00\x00\x01\x02"
                               "\x03\x00\x00\x00\x02"
                               "ab"
                               "\x00",
                               17};
    EXPECT_EQ(page.data(), expected);
}

TEST(TransferPage, ReaderGivesBackEveryValueExactly) {
    TransferPage page(TransferTable::Persons);
    const std::vector<std::uint8_t> sealed = {0, 1, 2, 0xff, 0x80};
    page.int64(std::numeric_limits<std::int64_t>::min());
    page.int64(-1);
    page.real(117.49871234567891);
    page.real(-0.0);
    page.text("Siti Nurhaliza — ü");
    page.bytes(sealed);
    page.bytes({});
    page.null();
    TransferReader r(page);
    EXPECT_EQ(r.next().integer, std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(r.next().integer, -1);
    EXPECT_EQ(r.next().real, 117.49871234567891);
    const TransferValue zero = r.next();
    EXPECT_EQ(zero.kind, TransferKind::Real);
    EXPECT_TRUE(std::signbit(zero.real));
    EXPECT_EQ(r.next().raw, "Siti Nurhaliza — ü");
    const TransferValue bytes = r.next();
    EXPECT_EQ(bytes.kind, TransferKind::Bytes);
    EXPECT_EQ(std::vector<std::uint8_t>(bytes.bytes().begin(), bytes.bytes().end()), sealed);
    const TransferValue empty = r.next();
    EXPECT_EQ(empty.kind, TransferKind::Bytes);
    EXPECT_TRUE(empty.raw.empty());
    EXPECT_TRUE(r.next().is_null());
    EXPECT_TRUE(r.at_end());
}

TEST(TransferPage, CheckAcceptsWholeRowsThatFitTheColumns) {
    TransferPage page(TransferTable::AuditLog);
    audit_row(page, 1, "a");
    audit_row(page, 2, "b");
    EXPECT_TRUE(check_transfer_page(page).has_value());
}

TEST(TransferPage, CheckRefusesAWrongKindANullAndACutRow) {
    {
        TransferPage page(TransferTable::AuditLog);
        page.text("1"); // seq is an integer
        page.end_row();
        auto r = check_transfer_page(page);
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
        EXPECT_NE(r.error().message.find("seq is text, not integer"), std::string::npos)
            << r.error().message;
    }
    {
        TransferPage page(TransferTable::Sessions);
        page.int64(1);
        page.null(); // id
        page.end_row();
        auto r = check_transfer_page(page);
        ASSERT_FALSE(r.has_value());
        EXPECT_NE(r.error().message.find("id is NULL"), std::string::npos) << r.error().message;
    }
    {
        TransferPage page(TransferTable::AuditLog);
        page.int64(1);
        page.int64(2);
        page.end_row();
        auto r = check_transfer_page(page);
        ASSERT_FALSE(r.has_value());
        EXPECT_NE(r.error().message.find("cut short"), std::string::npos) << r.error().message;
    }
    {
        TransferPage page(TransferTable::AuditLog);
        audit_row(page, 1, "a");
        page.end_row(); // claims two rows
        auto r = check_transfer_page(page);
        ASSERT_FALSE(r.has_value());
        EXPECT_NE(r.error().message.find("says 2 rows but holds 1"), std::string::npos)
            << r.error().message;
    }
}

TEST(TransferDigest, DoesNotDependOnPageBoundaries) {
    TransferPage one(TransferTable::AuditLog);
    for (int i = 1; i <= 5; ++i) {
        audit_row(one, i, "row " + std::to_string(i));
    }
    TransferPage first(TransferTable::AuditLog);
    TransferPage second(TransferTable::AuditLog);
    for (int i = 1; i <= 5; ++i) {
        audit_row(i <= 2 ? first : second, i, "row " + std::to_string(i));
    }
    const StoreDigest whole = digest_of({one});
    const StoreDigest split = digest_of({first, second});
    EXPECT_EQ(whole, split);
    EXPECT_EQ(whole[static_cast<std::size_t>(TransferTable::AuditLog)].rows, 5);
}

TEST(TransferDigest, ChangesWithAnyValueAndWithTheOrderOfRows) {
    TransferPage base(TransferTable::AuditLog);
    audit_row(base, 1, "a");
    audit_row(base, 2, "b");
    TransferPage changed(TransferTable::AuditLog);
    audit_row(changed, 1, "a");
    audit_row(changed, 2, "c");
    TransferPage swapped(TransferTable::AuditLog);
    audit_row(swapped, 2, "b");
    audit_row(swapped, 1, "a");
    const auto audit = [](const StoreDigest& d) {
        return d[static_cast<std::size_t>(TransferTable::AuditLog)];
    };
    const StoreDigest b = digest_of({base});
    EXPECT_NE(audit(b).sha256, audit(digest_of({changed})).sha256);
    EXPECT_NE(audit(b).sha256, audit(digest_of({swapped})).sha256);
    EXPECT_EQ(audit(b).rows, audit(digest_of({swapped})).rows);
    // The empty tables still differ from each other: the header names the table.
    EXPECT_NE(b[0].sha256, b[1].sha256);
    EXPECT_EQ(to_hex(b[0].sha256).size(), 64U);
}

TEST(TransferSequence, TakesEachTableOnceInOrder) {
    TransferSequence seq;
    EXPECT_FALSE(seq.begin(TransferTable::Users).has_value());
    EXPECT_FALSE(seq.complete().has_value());
    for (const TransferTable t : kTransferTables) {
        ASSERT_TRUE(seq.begin(t).has_value());
        EXPECT_FALSE(seq.page(TransferPage(t == TransferTable::Persons ? TransferTable::AuditLog
                                                                       : TransferTable::Persons))
                         .has_value());
        EXPECT_TRUE(seq.page(TransferPage(t)).has_value());
        ASSERT_TRUE(seq.end(t).has_value());
    }
    EXPECT_TRUE(seq.complete().has_value());
    EXPECT_FALSE(seq.begin(TransferTable::Persons).has_value());
}

TEST(TransferTarget, EmptyUnlessSomeTableHasRows) {
    EXPECT_TRUE(check_transfer_target_empty({}).has_value());
    auto r = check_transfer_target_empty({0, 0, 0, 1, 0, 0, 3});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ErrorCode::StoreNotEmpty);
    EXPECT_NE(r.error().message.find("(users: 1, audit_log: 3)"), std::string::npos)
        << r.error().message;
}

TEST(TransferColumns, EveryTableHasItsNameAndColumns) {
    for (const TransferTable t : kTransferTables) {
        EXPECT_FALSE(transfer_table_name(t).empty());
        EXPECT_FALSE(transfer_columns(t).empty());
    }
    EXPECT_EQ(transfer_table_name(TransferTable::PersonVersions), "person_versions");
    EXPECT_EQ(transfer_columns(TransferTable::Persons).front().name, "pk");
}

} // namespace
} // namespace kapal::store
