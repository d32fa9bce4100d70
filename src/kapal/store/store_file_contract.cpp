// The store contract for a person's files (schema v15): a file is written with the version of
// the person that points at it, in one transaction; read back whole; sealed at rest; carried
// through a key rotation.

#include "kapal/core/ids.hpp"
#include "kapal/store/store_codec.hpp"
#include "kapal/store/store_contract.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace kapal::store::contract {
namespace {

const core::Timestamp kT0 = core::from_unix_ms(1'780'000'000'000);

WriteContext as(const std::string& actor, int minute) {
    return WriteContext{actor, "10.0.0.4", kT0 + std::chrono::minutes(minute), ""};
}

core::PersonId person_id(int n) {
    return core::PersonId(core::format_uuid_v7(
        kT0, static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(n) * 7919U));
}

std::string file_id(int n) {
    return core::format_uuid_v7(kT0, 900'000U + static_cast<std::uint64_t>(n), 31U);
}

/// A file of `size` bytes that starts like a JPEG and carries a marker no cipher text holds.
PersonFileRecord photo_of(const core::PersonId& person, int n, std::size_t size = 4000) {
    PersonFileRecord f;
    f.id = file_id(n);
    f.person_id = person.str();
    f.kind = "foto";
    f.media_type = "image/jpeg";
    const std::string marker = "KAPAL-FOTO-" + std::to_string(n) + "-TERANG";
    f.bytes.assign(size, 0);
    for (std::size_t i = 0; i < size; ++i) {
        f.bytes[i] = static_cast<std::uint8_t>((i * 31U + static_cast<std::size_t>(n)) & 0xffU);
    }
    std::copy(marker.begin(), marker.end(), f.bytes.begin() + 16);
    f.size_bytes = static_cast<std::int64_t>(f.bytes.size());
    f.sha256 = sha256_hex(f.bytes);
    return f;
}

core::PersonRecord create(Store& s, int n) {
    core::Person p = full_person(n);
    p.photo_id.clear();
    auto r = s.create_person(person_id(n), p, "64.74.01", as("user:op", 0), std::nullopt);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r ? r->record : core::PersonRecord{};
}

std::vector<AuditEntry> newest_audit(Store& s) {
    AuditQuery q;
    q.limit = 1000;
    auto r = s.list_audit(q);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r ? *r : std::vector<AuditEntry>{};
}

/// Every byte a dump of the store hands out, all tables.
class CollectingSink final : public TransferSink {
  public:
    Result<void> begin_table(TransferTable, std::int64_t) override { return {}; }

    Result<void> write(const TransferPage& page) override {
        all += page.data();
        return {};
    }

    Result<void> end_table(TransferTable) override { return {}; }

    std::string all;
};

} // namespace

TEST_P(StoreContract, AFileIsWrittenWithTheVersionThatPointsAtIt) {
    const core::PersonRecord v1 = create(store(), 1);
    const PersonFileRecord photo = photo_of(person_id(1), 1);
    core::Person p = v1.person;
    p.photo_id = photo.id;
    auto v2 =
        store().update_person_with_file(person_id(1), 1, p, "64.74.01", photo, as("user:op", 3));
    ASSERT_TRUE(v2.has_value()) << v2.error().message;
    EXPECT_EQ(v2->version, 2);
    EXPECT_EQ(v2->person.photo_id, photo.id);

    auto got = store().get_person_file(photo.id);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    ASSERT_TRUE(got->has_value());
    PersonFileRecord expected = photo;
    expected.created_at = kT0 + std::chrono::minutes(3);
    expected.created_by = "user:op";
    EXPECT_EQ(**got, expected);

    // History: the first version had no photo, the second has it.
    auto history = store().person_history(person_id(1));
    ASSERT_TRUE(history.has_value()) << history.error().message;
    ASSERT_EQ(history->size(), 2U);
    EXPECT_EQ((*history)[0].record.person.photo_id, "");
    EXPECT_EQ((*history)[1].record.person.photo_id, photo.id);

    // Audited: the update and the file, naming its digest and size, never its bytes.
    const auto log = newest_audit(store());
    ASSERT_GE(log.size(), 3U);
    EXPECT_EQ(log[0].action, "person.file.add");
    EXPECT_EQ(log[0].subject, person_id(1).str());
    EXPECT_EQ(log[0].detail, "kind=foto id=" + photo.id + " bytes=4000 sha256=" + photo.sha256);
    EXPECT_EQ(log[1].action, "person.update");

    // Removing the photo is a plain update; the file stays for the past version.
    p.photo_id.clear();
    auto v3 = store().update_person(person_id(1), 2, p, "64.74.01", as("user:op", 4));
    ASSERT_TRUE(v3.has_value()) << v3.error().message;
    EXPECT_EQ(v3->person.photo_id, "");
    auto kept = store().get_person_file(photo.id);
    ASSERT_TRUE(kept.has_value() && kept->has_value());
    EXPECT_EQ((*kept)->bytes, photo.bytes);
}

TEST_P(StoreContract, AStaleVersionWritesNeitherTheFileNorTheVersion) {
    const core::PersonRecord v1 = create(store(), 2);
    core::Person p = v1.person;
    p.phone = "0811";
    ASSERT_TRUE(store().update_person(person_id(2), 1, p, "64.74.01", as("user:op", 1)));
    const PersonFileRecord photo = photo_of(person_id(2), 2);
    p.photo_id = photo.id;
    const std::size_t audit_before = newest_audit(store()).size();
    auto stale =
        store().update_person_with_file(person_id(2), 1, p, "64.74.01", photo, as("user:op", 2));
    ASSERT_FALSE(stale.has_value());
    EXPECT_EQ(stale.error().code, ErrorCode::VersionConflict);
    auto none = store().get_person_file(photo.id);
    ASSERT_TRUE(none.has_value()) << none.error().message;
    EXPECT_FALSE(none->has_value());
    EXPECT_EQ(newest_audit(store()).size(), audit_before);

    auto unknown = store().update_person_with_file(
        person_id(3), 1, p, "64.74.01", photo_of(person_id(3), 3), as("user:op", 2));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
}

TEST_P(StoreContract, AFileThatDoesNotAddUpIsRefused) {
    const core::PersonRecord v1 = create(store(), 4);
    core::Person p = v1.person;
    const auto refuse = [&](PersonFileRecord bad, const std::string& why) {
        p.photo_id = bad.id;
        auto r =
            store().update_person_with_file(person_id(4), 1, p, "64.74.01", bad, as("user:op", 1));
        ASSERT_FALSE(r.has_value()) << why;
        EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument) << why;
    };
    PersonFileRecord wrong_digest = photo_of(person_id(4), 4);
    wrong_digest.bytes[0] ^= 1U;
    refuse(wrong_digest, "digest");
    PersonFileRecord wrong_size = photo_of(person_id(4), 5);
    wrong_size.size_bytes += 1;
    refuse(wrong_size, "size");
    PersonFileRecord wrong_kind = photo_of(person_id(4), 6);
    wrong_kind.kind = "selfie";
    refuse(wrong_kind, "kind");
    PersonFileRecord no_type = photo_of(person_id(4), 7);
    no_type.media_type.clear();
    refuse(no_type, "media type");
    auto got = store().get_person(person_id(4));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->version, 1);

    // An id used twice.
    const PersonFileRecord photo = photo_of(person_id(4), 8);
    p.photo_id = photo.id;
    ASSERT_TRUE(
        store().update_person_with_file(person_id(4), 1, p, "64.74.01", photo, as("user:op", 2)));
    auto again =
        store().update_person_with_file(person_id(4), 2, p, "64.74.01", photo, as("user:op", 3));
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, ErrorCode::AlreadyExists);
}

TEST_P(StoreContract, ImportingAPersonAgainKeepsTheirPhoto) {
    // An import row carries no photo and no documents; the stored person has a photo.
    core::Person row = full_person(30);
    row.photo_id.clear();
    row.documents.clear();
    ASSERT_TRUE(
        store().create_person(person_id(30), row, "64.74.01", as("user:op", 0), std::nullopt));
    const PersonFileRecord photo = photo_of(person_id(30), 30);
    core::Person with_photo = row;
    with_photo.photo_id = photo.id;
    ASSERT_TRUE(store().update_person_with_file(
        person_id(30), 1, with_photo, "64.74.01", photo, as("user:op", 1)));

    WriteContext ctx = as("import:data.csv", 2);
    auto again = store().import_persons({ImportItem{row, "64.74.01", false}}, {person_id(31)}, ctx);
    ASSERT_TRUE(again.has_value()) << again.error().message;
    ASSERT_EQ(again->size(), 1U);
    EXPECT_EQ((*again)[0].action, ImportAction::Unchanged) << "the same row changes nothing";

    core::Person changed = row;
    changed.phone = "081299990000";
    auto updated =
        store().import_persons({ImportItem{changed, "64.74.01", true}}, {person_id(32)}, ctx);
    ASSERT_TRUE(updated.has_value()) << updated.error().message;
    ASSERT_EQ(updated->size(), 1U);
    EXPECT_EQ((*updated)[0].action, ImportAction::Updated);
    auto got = store().get_person(person_id(30));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->version, 3);
    EXPECT_EQ(got->person.phone, "081299990000");
    EXPECT_EQ(got->person.photo_id, photo.id) << "an import does not drop the photo";
}

TEST_P(StoreContract, AnUnknownFileIsNone) {
    auto none = store().get_person_file(file_id(99));
    ASSERT_TRUE(none.has_value()) << none.error().message;
    EXPECT_FALSE(none->has_value());
}

TEST_P(StoreContract, FilesAreSealedAtRestAndSurviveAKeyRotation) {
    std::vector<PersonFileRecord> photos;
    for (int n = 1; n <= 3; ++n) {
        const core::PersonRecord v1 = create(store(), 10 + n);
        PersonFileRecord photo =
            photo_of(person_id(10 + n), n, 2000U * static_cast<std::size_t>(n));
        core::Person p = v1.person;
        p.photo_id = photo.id;
        ASSERT_TRUE(store().update_person_with_file(
            person_id(10 + n), 1, p, "64.74.01", photo, as("user:op", n)));
        photos.push_back(std::move(photo));
    }
    // No table holds the clear bytes: the marker inside each photo is nowhere in a dump.
    CollectingSink sink;
    ASSERT_TRUE(store().dump(sink).has_value());
    for (int n = 1; n <= 3; ++n) {
        const std::string marker = "KAPAL-FOTO-" + std::to_string(n) + "-TERANG";
        EXPECT_EQ(sink.all.find(marker), std::string::npos) << marker;
    }

    const StoreKeys next = generate_store_keys();
    auto rotated = store().rotate_keys(next, as("cli:root", 9));
    ASSERT_TRUE(rotated.has_value()) << rotated.error().message;
    // 3 persons and 3 previous versions with NIK and KK, and 3 files.
    EXPECT_EQ(*rotated, 15);
    const auto log = newest_audit(store());
    EXPECT_NE(log.front().detail.find("files=3"), std::string::npos) << log.front().detail;
    auto reopened = reopen_store(next);
    ASSERT_TRUE(reopened.has_value()) << reopened.error().message;
    replace_store(std::move(*reopened));
    for (const PersonFileRecord& photo : photos) {
        auto got = store().get_person_file(photo.id);
        ASSERT_TRUE(got.has_value()) << got.error().message;
        ASSERT_TRUE(got->has_value());
        EXPECT_EQ((*got)->bytes, photo.bytes);
    }
}

} // namespace kapal::store::contract
