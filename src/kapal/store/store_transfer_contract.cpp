#include "kapal/store/store_transfer_contract.hpp"

#include "kapal/core/ids.hpp"
#include "kapal/store/store_codec.hpp"
#include "kapal/store/store_contract.hpp"
#include "kapal/store/store_transfer.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <sstream>
#include <tuple>

namespace kapal::store::contract {

std::string transfer_pair_name(const ::testing::TestParamInfo<TransferPair>& info) {
    return info.param.name;
}

void TransferContract::SetUp() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    std::replace(name.begin(), name.end(), '/', '_');
    scratch_ = std::filesystem::temp_directory_path() /
               ("kapal_transfer_contract_" + std::to_string(::getpid()) + "_" +
                std::to_string(counter++) + "_" + name);
    std::filesystem::remove_all(scratch_);
    std::filesystem::create_directories(scratch_);
}

void TransferContract::TearDown() {
    std::error_code ec;
    std::filesystem::remove_all(scratch_, ec);
}

std::unique_ptr<Store> TransferContract::make(const TransferBackend& backend,
                                              const std::string& subdir) {
    const auto dir = scratch_ / subdir;
    std::filesystem::create_directories(dir);
    auto made = backend.make(dir);
    EXPECT_TRUE(made.has_value()) << made.error().message;
    return made ? std::move(*made) : nullptr;
}

std::unique_ptr<Store> TransferContract::make_first(const std::string& subdir) {
    return make(GetParam().first, subdir);
}

std::unique_ptr<Store> TransferContract::make_second(const std::string& subdir) {
    return make(GetParam().second, subdir);
}

void TransferContract::run_sql_second(const std::string& subdir, const std::string& sql) {
    GetParam().second.run_sql(scratch_ / subdir, sql);
}

namespace {

const core::Timestamp kT0 = core::from_unix_ms(1'760'000'000'000);

core::Timestamp at_minute(int m) {
    return kT0 + std::chrono::minutes(m);
}

WriteContext ctx_at(int minute, std::string reason = "") {
    return WriteContext{"user:admin", "10.0.0.7", at_minute(minute), std::move(reason)};
}

core::PersonId person_id(int n) {
    return core::PersonId(core::format_uuid_v7(
        kT0, static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(n) * 104729U));
}

std::string kecamatan(const core::Person& p) {
    return core::kecamatan_of(p.address.kelurahan_code);
}

std::string hex_of(int n) {
    std::string out = std::to_string(n);
    return std::string(64 - out.size(), 'a') + out;
}

/// What fill() wrote, to look it up again in another store.
struct Filled {
    std::vector<std::string> user_ids;
    std::vector<std::string> session_hashes;
    IdempotencyToken idem{"idem-key-1", "fingerprint-1"};
    core::PersonRecord idem_first; ///< what the idempotent create returned
    core::Person idem_person;
    PersonFileRecord photo = [] {
        PersonFileRecord file;
        file.id = "01900000-0000-7000-8000-00000000f070";
        file.person_id = person_id(4).str();
        file.kind = "foto";
        file.media_type = "image/jpeg";
        file.bytes = {0xff, 0xd8, 0xff, 0xe0, 'f', 'o', 't', 'o', 0x00, 0xff, 0xd9};
        file.size_bytes = static_cast<std::int64_t>(file.bytes.size());
        file.sha256 = sha256_hex(file.bytes);
        return file;
    }();
    SyncOpRecord conflict; ///< a sync op in conflict: its payload sealed
};

#define KAPAL_EXPECT_OK(expr)                                                                      \
    do {                                                                                           \
        auto kapal_ok_ = (expr);                                                                   \
        ASSERT_TRUE(kapal_ok_.has_value()) << #expr << ": " << kapal_ok_.error().message;          \
    } while (false)

/// A store with something in every table: persons with several versions (by update and within
/// an import batch), one without KK, home or birth date, an idempotency key, users (one
/// disabled, one renamed), sessions (one revoked, one touched), API tokens (one revoked) and
/// audit entries of every kind, a "person.unmask" among them.
void fill(Store& s, Filled& f) {
    for (int n = 1; n <= 6; ++n) {
        core::Person p = full_person(n);
        if (n == 2) {
            p.kk.clear();
            p.home.reset();
            p.birth_date = core::Date{};
            p.severity.reset();
        }
        std::optional<IdempotencyToken> idem;
        if (n == 1) {
            idem = f.idem;
        }
        auto created = s.create_person(person_id(n), p, kecamatan(p), ctx_at(n), idem);
        ASSERT_TRUE(created.has_value()) << created.error().message;
        if (n == 1) {
            f.idem_first = created->record;
            f.idem_person = p;
        }
    }
    {
        core::Person p = full_person(1);
        p.full_name = "Siti Nurhaliza Binti Ahmad";
        auto v2 = s.update_person(person_id(1), 1, p, kecamatan(p), ctx_at(10, "koreksi nama"));
        ASSERT_TRUE(v2.has_value()) << v2.error().message;
        p.status = core::Status::Pindah;
        p.address.kelurahan_code = "64.74.02.1002";
        auto v3 = s.update_person(person_id(1), 2, p, kecamatan(p), ctx_at(11, "pindah"));
        ASSERT_TRUE(v3.has_value()) << v3.error().message;
        core::Person q = full_person(3);
        q.kk.clear();
        auto q2 = s.update_person(person_id(3), 1, q, kecamatan(q), ctx_at(12));
        ASSERT_TRUE(q2.has_value()) << q2.error().message;
        // A photo (schema v15): a file row, sealed, and a version that points at it.
        core::Person r = full_person(4);
        r.photo_id = f.photo.id;
        auto r2 = s.update_person_with_file(person_id(4), 1, r, kecamatan(r), f.photo, ctx_at(12));
        ASSERT_TRUE(r2.has_value()) << r2.error().message;
        // Offline sync (schema v16): an op applied (no payload) and a conflict (payload sealed).
        f.conflict.id = "01900000-0000-7000-8000-0000000005c1";
        f.conflict.actor = "field-officer";
        f.conflict.key = "key-2";
        f.conflict.device_id = "device-1";
        f.conflict.seq = 2;
        f.conflict.type = "person.update";
        f.conflict.person_id = person_id(4).str();
        f.conflict.fingerprint = "ab12";
        f.conflict.state = std::string(kSyncConflict);
        f.conflict.result = R"({"status":"conflict"})";
        f.conflict.payload = R"({"changes":{"nik":"6474010101900001"}})";
        f.conflict.kelurahan_code = r.address.kelurahan_code;
        f.conflict.base_version = 1;
        f.conflict.server_version = 2;
        f.conflict.fields = R"(["nik"])";
        f.conflict.received_at = at_minute(13);
        SyncOpRecord applied = f.conflict;
        applied.id = "01900000-0000-7000-8000-0000000005c0";
        applied.key = "key-1";
        applied.seq = 1;
        applied.state = std::string(kSyncApplied);
        applied.payload.clear();
        applied.base_version.reset();
        applied.server_version.reset();
        applied.fields.clear();
        KAPAL_EXPECT_OK(s.add_sync_op(applied, ctx_at(13)));
        KAPAL_EXPECT_OK(s.add_sync_op(f.conflict, ctx_at(13)));
    }
    {
        // An import batch: two new persons, one of them changed again within the batch.
        std::vector<ImportItem> items;
        std::vector<core::PersonId> ids;
        for (int n : {20, 21}) {
            core::Person p = full_person(n);
            items.push_back(ImportItem{p, kecamatan(p), true});
            ids.push_back(person_id(n));
        }
        core::Person again = full_person(21);
        again.phone = "081311112222";
        items.push_back(ImportItem{again, kecamatan(again), true});
        ids.push_back(person_id(22));
        WriteContext ctx = ctx_at(13, "impor tahap 1");
        ctx.actor = "import:persons.csv";
        auto imported = s.import_persons(items, ids, ctx);
        ASSERT_TRUE(imported.has_value()) << imported.error().message;
    }
    const auto user = [&](const std::string& id,
                          const std::string& name,
                          core::Role role,
                          std::vector<std::string> areas,
                          bool disabled) {
        UserRecord r;
        r.user.id = id;
        r.user.username = name;
        r.user.display_name = "Nama " + name;
        r.user.role = role;
        r.user.area_codes = std::move(areas);
        r.user.disabled = disabled;
        r.user.created_at = at_minute(20);
        r.user.updated_at = at_minute(20);
        r.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$" + name;
        f.user_ids.push_back(id);
        return r;
    };
    KAPAL_EXPECT_OK(s.create_user(user("01900000-0000-7000-8000-000000000001",
                                       "rina",
                                       core::Role::Operator,
                                       {"64.74.01", "64.74.02.1002"},
                                       false),
                                  ctx_at(20)));
    KAPAL_EXPECT_OK(s.create_user(
        user("01900000-0000-7000-8000-000000000002", "budi", core::Role::Viewer, {"64.74"}, true),
        ctx_at(21)));
    {
        auto rina = s.find_user("rina");
        ASSERT_TRUE(rina.has_value() && rina->has_value());
        UserRecord r = **rina;
        r.user.display_name = "Rina (TKSK Bontang Utara)";
        r.user.updated_at = at_minute(22);
        KAPAL_EXPECT_OK(s.update_user(r, ctx_at(22)));
    }
    for (int n = 1; n <= 3; ++n) {
        SessionRecord session;
        session.id = "01900000-0000-7000-8000-0000000001" + std::to_string(10 + n);
        session.token_hash = hex_of(100 + n);
        session.user_id = f.user_ids[n == 3 ? 1U : 0U];
        session.created_at = at_minute(30 + n);
        session.last_seen_at = session.created_at;
        session.expires_at = at_minute(30 + n + 720);
        session.address = "10.0.0." + std::to_string(n);
        session.user_agent = "Mozilla/5.0 (Linux; Android 14) kapal-test";
        f.session_hashes.push_back(session.token_hash);
        KAPAL_EXPECT_OK(s.create_session(session, ctx_at(30 + n)));
    }
    KAPAL_EXPECT_OK(s.touch_session("01900000-0000-7000-8000-000000000111", at_minute(40)));
    KAPAL_EXPECT_OK(s.revoke_session("01900000-0000-7000-8000-000000000112", ctx_at(41, "logout")));
    for (int n = 1; n <= 2; ++n) {
        ApiTokenRecord token;
        token.id = "01900000-0000-7000-8000-0000000002" + std::to_string(10 + n);
        token.name = "sinkron dtks " + std::to_string(n);
        token.token_hash = hex_of(200 + n);
        token.user_id = f.user_ids[static_cast<std::size_t>(n - 1)];
        token.role = core::Role::Viewer;
        token.area_codes =
            n == 1 ? std::vector<std::string>{"64.74.01"} : std::vector<std::string>{};
        token.created_at = at_minute(50 + n);
        token.expires_at = at_minute(50 + n + 43200);
        KAPAL_EXPECT_OK(s.create_api_token(token, ctx_at(50 + n)));
    }
    KAPAL_EXPECT_OK(s.revoke_api_token("01900000-0000-7000-8000-000000000212", ctx_at(55)));
    AuditEntry unmask;
    unmask.at = at_minute(60);
    unmask.actor = f.user_ids[0];
    unmask.source = "10.0.0.1";
    unmask.action = "person.unmask";
    unmask.subject = person_id(1).str();
    unmask.detail = "field=nik purpose=verifikasi penyaluran bansos";
    KAPAL_EXPECT_OK(s.append_audit(unmask));
    HazardZoneRecord zone;
    zone.id = "01900000-0000-7000-8000-000000000301";
    zone.name = "Rawan banjir Guntung";
    zone.hazard = "banjir";
    zone.level = "tinggi";
    zone.source = "bpbd.gpkg";
    zone.geometry = R"({"type":"MultiPolygon","coordinates":[[[[117.4,0.1],[117.5,0.1],)"
                    R"([117.5,0.2],[117.4,0.1]]]]})";
    KAPAL_EXPECT_OK(s.add_hazard_zones({zone}, ctx_at(61)));
    FacilityRecord puskesmas;
    puskesmas.id = "01900000-0000-7000-8000-000000000401";
    puskesmas.kind = "puskesmas";
    puskesmas.name = "Puskesmas Bontang Utara I";
    puskesmas.lon = 117.123456789012;
    puskesmas.lat = 0.135792468013;
    puskesmas.kelurahan_code = "64.74.01.1003";
    puskesmas.source = "faskes.csv";
    KAPAL_EXPECT_OK(s.add_facilities({puskesmas}, ctx_at(62)));

    // Cards: one printed, handed over and then reissued; one revoked; one waiting to print.
    const auto issue = [&](int n, const std::string& replace_reason) {
        CardIssue request;
        request.person_id = person_id(n);
        request.regency = "6474";
        request.kelurahan_code = "64.74.01.1003";
        request.expires_at = at_minute(5 * 365 * 24 * 60);
        request.replace_reason = replace_reason;
        request.make = [](std::uint32_t serial) -> Result<CardContent> {
            std::string digits = std::to_string(serial);
            return CardContent{
                "6474" + std::string(8 - digits.size(), '0') + digits, "0a1b2c3d", "QR" + digits};
        };
        return s.issue_card(request, ctx_at(63 + n));
    };
    KAPAL_EXPECT_OK(issue(4, ""));
    KAPAL_EXPECT_OK(s.mark_cards({"647400000001"}, CardStage::HandedOver, ctx_at(70)));
    KAPAL_EXPECT_OK(issue(4, "hilang"));
    KAPAL_EXPECT_OK(issue(5, ""));
    KAPAL_EXPECT_OK(s.revoke_card("647400000003", "penipuan", "NIK palsu", ctx_at(71)));
    KAPAL_EXPECT_OK(issue(6, ""));

    // Services and a request with two steps.
    ServiceRecord complaints;
    complaints.code = "pengaduan";
    complaints.name = "Data dan pengaduan";
    complaints.position = 1;
    KAPAL_EXPECT_OK(s.add_services({complaints}, ctx_at(72)));
    ServiceRequestRecord request;
    request.id = "01900000-0000-7000-8000-000000000501";
    request.person_id = person_id(4).str();
    request.service_code = "pengaduan";
    request.kelurahan_code = "64.74.01.1003";
    request.note = "Alamat salah";
    request.idempotency_key = "layanan-1";
    KAPAL_EXPECT_OK(s.create_service_request(request, ctx_at(73)));
    KAPAL_EXPECT_OK(s.update_service_request(request.id, 1, "selesai", "Diperbaiki", ctx_at(74)));

    // Social assistance: a programme, an approved list of two with one removed by hand, and a
    // delivery with evidence and one failed transfer.
    AidProgramRecord programme;
    programme.code = "asp";
    programme.name = "Asistensi Sosial";
    programme.source = "APBD";
    programme.kind = "tunai";
    programme.channel = "transfer";
    programme.unit_value = 300'000;
    programme.rule = "age >= 18";
    programme.assignees = {"user:penyalur"};
    KAPAL_EXPECT_OK(s.add_aid_program(programme, ctx_at(75)));
    AidCycleRecord cycle;
    cycle.id = "01900000-0000-7000-8000-000000000601";
    cycle.program_code = "asp";
    cycle.name = "Tahap I";
    cycle.starts_on = core::make_date(2026, 1, 1);
    cycle.ends_on = core::make_date(2026, 6, 30);
    cycle.quotas = {AidQuota{"64.74.01", 50}};
    cycle.site_lon = 117.123456789012;
    cycle.site_lat = 0.135792468013;
    KAPAL_EXPECT_OK(s.add_aid_cycle(cycle, ctx_at(76)));
    std::vector<AidListEntry> entries;
    for (int n : {4, 5, 6}) {
        AidListEntry e;
        e.person_id = person_id(n).str();
        e.kelurahan_code = "64.74.01.1003";
        e.flags =
            n == 5 ? std::vector<std::string>{"aid.shared_account"} : std::vector<std::string>{};
        entries.push_back(e);
    }
    KAPAL_EXPECT_OK(s.replace_aid_list(cycle.id, 1, "age >= 18", {}, entries, ctx_at(77)));
    AidListEntry off = entries[2];
    off.removed = true;
    off.reason = "Sudah menerima CSR";
    KAPAL_EXPECT_OK(s.edit_aid_list(cycle.id, 2, off, ctx_at(78)));
    KAPAL_EXPECT_OK(s.move_aid_list(cycle.id, 3, "proposed", ctx_at(79)));
    WriteContext checker = ctx_at(80);
    checker.actor = "user:checker";
    KAPAL_EXPECT_OK(s.move_aid_list(cycle.id, 4, "approved", checker));
    AidDeliveryRecord paid;
    paid.id = "01900000-0000-7000-8000-000000000701";
    paid.cycle_id = cycle.id;
    paid.program_code = "asp";
    paid.person_id = person_id(4).str();
    paid.kelurahan_code = "64.74.01.1003";
    paid.channel = "transfer";
    paid.amount = 300'000;
    paid.recorded_at = at_minute(81);
    paid.officer = "user:penyalur";
    paid.lon = 117.5;
    paid.lat = 0.125;
    paid.evidence_type = "image/png";
    paid.evidence = {0x89, 0x50, 0x4e, 0x47};
    paid.idempotency_key = "k-1";
    KAPAL_EXPECT_OK(s.record_aid_delivery(paid, ctx_at(81)));
    AidDeliveryRecord failed = paid;
    failed.id = "01900000-0000-7000-8000-000000000702";
    failed.person_id = person_id(5).str();
    failed.state = "failed";
    failed.lon.reset();
    failed.lat.reset();
    failed.evidence_type.clear();
    failed.evidence.clear();
    failed.idempotency_key.clear();
    KAPAL_EXPECT_OK(s.record_aid_delivery(failed, ctx_at(82)));

    // Vouchers (schema v11): a voucher programme's cycle with person 6 on it, a merchant, and
    // two redemptions (the first issues the entitlement): every ledger table holds rows.
    AidProgramRecord voucher = programme;
    voucher.code = "bpnt";
    voucher.kind = "voucher";
    voucher.channel = "voucher";
    voucher.unit_value = 200'000;
    KAPAL_EXPECT_OK(s.add_aid_program(voucher, ctx_at(83)));
    AidCycleRecord voucher_cycle = cycle;
    voucher_cycle.id = "01900000-0000-7000-8000-000000000603";
    voucher_cycle.program_code = "bpnt";
    KAPAL_EXPECT_OK(s.add_aid_cycle(voucher_cycle, ctx_at(83)));
    KAPAL_EXPECT_OK(s.replace_aid_list(voucher_cycle.id, 1, "", {}, {entries[2]}, ctx_at(84)));
    KAPAL_EXPECT_OK(s.move_aid_list(voucher_cycle.id, 2, "proposed", ctx_at(84)));
    KAPAL_EXPECT_OK(s.move_aid_list(voucher_cycle.id, 3, "approved", checker));
    MerchantRecord merchant;
    merchant.id = "01900000-0000-7000-8000-000000000801";
    merchant.name = "E-Warong Loktuan";
    merchant.user_id = "user:warung";
    merchant.kelurahan_code = "64.74.01.1003";
    merchant.lon = 117.498765432101;
    merchant.lat = 0.123456789012;
    merchant.address = "Jl. Bhayangkara";
    KAPAL_EXPECT_OK(s.add_merchant(merchant, ctx_at(85)));
    for (int i = 0; i < 2; ++i) {
        VoucherRedemption r;
        r.issue_id = "01900000-0000-7000-8000-00000000090" + std::to_string(3 * i);
        r.delivery_id = "01900000-0000-7000-8000-00000000090" + std::to_string(3 * i + 1);
        r.id = "01900000-0000-7000-8000-00000000090" + std::to_string(3 * i + 2);
        r.cycle_id = voucher_cycle.id;
        r.person_id = person_id(6).str();
        r.merchant_id = merchant.id;
        r.amount = 45'000;
        r.note = "beras";
        r.card_number = "647400000010";
        r.idempotency_key = "v-" + std::to_string(i);
        KAPAL_EXPECT_OK(s.redeem_voucher(r, ctx_at(86 + i)));
    }
    // A transfer batch re-issuing the failed one, settled as failed again by the bank.
    AidBatchRecord batch;
    batch.id = "01900000-0000-7000-8000-000000000802";
    batch.cycle_id = cycle.id;
    batch.program_code = "asp";
    AidDeliveryRecord line = failed;
    line.id = "01900000-0000-7000-8000-000000000703";
    line.state = "pending";
    line.batch_id = batch.id;
    line.recorded_at = at_minute(83);
    KAPAL_EXPECT_OK(s.create_aid_batch(batch, {line}, ctx_at(83)));
    AidTransferSettlement refused;
    refused.delivery_id = line.id;
    refused.fail_reason = "rekening ditutup";
    refused.bank_reference = "BPD-0001";
    KAPAL_EXPECT_OK(s.settle_aid_batch(batch.id, {refused}, ctx_at(84)));
    // The duplicate review: one pair decided distinct (its score a fraction, its decision time
    // set), one still open.
    std::vector<DuplicatePairRecord> pairs;
    for (const auto& [id, x, y] : {std::tuple{901, 2, 3}, std::tuple{902, 4, 5}}) {
        DuplicatePairRecord p;
        p.id = "01900000-0000-7000-8000-000000000" + std::to_string(id);
        const bool first = person_id(x).str() < person_id(y).str();
        p.person_a = person_id(first ? x : y);
        p.person_b = person_id(first ? y : x);
        p.kelurahan_a = "64.74.01.1003";
        p.kelurahan_b = "64.74.02.1004";
        p.score = 11.0 + 1.0 / 3.0;
        p.explanation = R"([{"field":"name","level":0,"text":"nama sama","weight":4.00}])";
        p.source = id == 901 ? "pemindaian" : "registrasi";
        pairs.push_back(std::move(p));
    }
    KAPAL_EXPECT_OK(s.propose_duplicate_pairs(pairs, ctx_at(90)));
    KAPAL_EXPECT_OK(s.mark_duplicate_pair_distinct(pairs[0].id, 1, ctx_at(91, "kembar")));
}

// ---- comparing two stores through the Store interface ----------------------------------------

std::string show(const std::optional<core::Timestamp>& t) {
    return t ? core::format_timestamp(*t) : "-";
}

std::string show(const UserRecord& r) {
    std::ostringstream out;
    out << r.user.id << " " << r.user.username << " " << r.user.display_name << " "
        << core::to_string(r.user.role) << " [";
    for (const auto& a : r.user.area_codes) {
        out << a << ",";
    }
    out << "] " << r.user.disabled << " " << core::format_timestamp(r.user.created_at) << " "
        << core::format_timestamp(r.user.updated_at) << " " << r.password_hash;
    return out.str();
}

std::string show(const SessionRecord& s) {
    return s.id + " " + s.token_hash + " " + s.user_id + " " +
           core::format_timestamp(s.created_at) + " " + core::format_timestamp(s.last_seen_at) +
           " " + core::format_timestamp(s.expires_at) + " " + show(s.revoked_at) + " " + s.address +
           " " + s.user_agent;
}

std::string show(const ApiTokenRecord& t) {
    std::string areas;
    for (const auto& a : t.area_codes) {
        areas += a + ",";
    }
    return t.id + " " + t.name + " " + t.token_hash + " " + t.user_id + " " +
           std::string(core::to_string(t.role)) + " [" + areas + "] " +
           core::format_timestamp(t.created_at) + " " + core::format_timestamp(t.expires_at) + " " +
           show(t.revoked_at);
}

std::string show(const AuditEntry& e) {
    return std::to_string(e.seq) + " " + core::format_timestamp(e.at) + " " + e.actor + " " +
           e.source + " " + e.action + " " + e.subject + " " + e.detail;
}

std::vector<core::PersonRecord> all_persons(Store& s) {
    std::vector<core::PersonRecord> out;
    PersonQuery q;
    q.limit = 4;
    for (;;) {
        auto page = s.list_persons(q);
        EXPECT_TRUE(page.has_value()) << page.error().message;
        if (!page) {
            return out;
        }
        out.insert(out.end(), page->items.begin(), page->items.end());
        if (page->next_cursor.empty()) {
            return out;
        }
        q.cursor = page->next_cursor;
    }
}

std::vector<AuditEntry> all_audit(Store& s) {
    AuditQuery q;
    q.limit = 1000;
    auto entries = s.list_audit(q);
    EXPECT_TRUE(entries.has_value()) << entries.error().message;
    return entries ? *entries : std::vector<AuditEntry>{};
}

/// `b` holds what `a` holds, read through the Store interface; b's audit log may have
/// `extra_audit` more entries at its newest end.
void expect_same_content(Store& a, Store& b, const Filled& f, std::size_t extra_audit) {
    EXPECT_EQ(a.info().persons, b.info().persons);
    EXPECT_EQ(a.info().users, b.info().users);

    // The photo: the same file, opened with the same keys.
    auto photo_a = a.get_person_file(f.photo.id);
    auto photo_b = b.get_person_file(f.photo.id);
    ASSERT_TRUE(photo_a.has_value() && photo_b.has_value());
    ASSERT_TRUE(photo_a->has_value() && photo_b->has_value());
    EXPECT_EQ(**photo_a, **photo_b);
    EXPECT_EQ((*photo_a)->bytes, f.photo.bytes);

    // The sync conflict: the same row, its payload opened with the same keys.
    auto conflict_b = b.get_sync_op(f.conflict.id);
    ASSERT_TRUE(conflict_b.has_value()) << conflict_b.error().message;
    ASSERT_TRUE(conflict_b->has_value());
    EXPECT_EQ(**conflict_b, f.conflict);

    // Persons: the same records in the same registration order, page by page.
    const auto persons_a = all_persons(a);
    const auto persons_b = all_persons(b);
    ASSERT_EQ(persons_a.size(), persons_b.size());
    for (std::size_t i = 0; i < persons_a.size(); ++i) {
        const auto& pa = persons_a[i];
        EXPECT_EQ(pa, persons_b[i]) << "person " << i;
        auto got = b.get_person(pa.id);
        ASSERT_TRUE(got.has_value()) << got.error().message;
        EXPECT_EQ(*got, pa);
        auto by_nik = b.find_person_by_nik(pa.person.nik);
        ASSERT_TRUE(by_nik.has_value() && by_nik->has_value());
        EXPECT_EQ((*by_nik)->id, pa.id);
        auto history_a = a.person_history(pa.id);
        auto history_b = b.person_history(pa.id);
        ASSERT_TRUE(history_a.has_value() && history_b.has_value());
        ASSERT_EQ(history_a->size(), history_b->size()) << pa.id.str();
        for (std::size_t v = 0; v < history_a->size(); ++v) {
            EXPECT_EQ((*history_a)[v].record, (*history_b)[v].record);
            EXPECT_EQ((*history_a)[v].reason, (*history_b)[v].reason);
            EXPECT_EQ((*history_a)[v].source, (*history_b)[v].source);
        }
        for (const int minute : {5, 10, 11, 12, 13}) {
            auto then_a = a.person_as_of(pa.id, at_minute(minute));
            auto then_b = b.person_as_of(pa.id, at_minute(minute));
            ASSERT_EQ(then_a.has_value(), then_b.has_value());
            if (then_a) {
                EXPECT_EQ(*then_a, *then_b);
            }
        }
    }
    // A cursor of one store means the same in the other.
    PersonQuery q;
    q.limit = 3;
    auto first_a = a.list_persons(q);
    ASSERT_TRUE(first_a.has_value());
    q.cursor = first_a->next_cursor;
    auto second_b = b.list_persons(q);
    ASSERT_TRUE(second_b.has_value()) << second_b.error().message;
    ASSERT_FALSE(second_b->items.empty());
    EXPECT_EQ(second_b->items.front(), persons_a[3]);

    auto users_a = a.list_users();
    auto users_b = b.list_users();
    ASSERT_TRUE(users_a.has_value() && users_b.has_value());
    ASSERT_EQ(users_a->size(), users_b->size());
    for (std::size_t i = 0; i < users_a->size(); ++i) {
        EXPECT_EQ(show((*users_a)[i]), show((*users_b)[i]));
    }

    for (const auto& hash : f.session_hashes) {
        auto sa = a.find_session(hash);
        auto sb = b.find_session(hash);
        ASSERT_TRUE(sa.has_value() && sb.has_value() && sa->has_value() && sb->has_value());
        EXPECT_EQ(show(**sa), show(**sb));
    }
    for (const auto& user : f.user_ids) {
        auto la = a.list_sessions(user, at_minute(45));
        auto lb = b.list_sessions(user, at_minute(45));
        ASSERT_TRUE(la.has_value() && lb.has_value());
        ASSERT_EQ(la->size(), lb->size());
        for (std::size_t i = 0; i < la->size(); ++i) {
            EXPECT_EQ(show((*la)[i]), show((*lb)[i]));
        }
    }
    auto tokens_a = a.list_api_tokens("");
    auto tokens_b = b.list_api_tokens("");
    ASSERT_TRUE(tokens_a.has_value() && tokens_b.has_value());
    ASSERT_EQ(tokens_a->size(), tokens_b->size());
    for (std::size_t i = 0; i < tokens_a->size(); ++i) {
        EXPECT_EQ(show((*tokens_a)[i]), show((*tokens_b)[i]));
    }

    auto zones_a = a.list_hazard_zones();
    auto zones_b = b.list_hazard_zones();
    ASSERT_TRUE(zones_a.has_value() && zones_b.has_value());
    EXPECT_EQ(*zones_a, *zones_b);
    EXPECT_EQ(zones_a->size(), 1U);
    auto facilities_a = a.list_facilities();
    auto facilities_b = b.list_facilities();
    ASSERT_TRUE(facilities_a.has_value() && facilities_b.has_value());
    EXPECT_EQ(*facilities_a, *facilities_b) << "positions to the last bit";
    EXPECT_EQ(facilities_a->size(), 1U);
    auto cards_a = a.list_cards({});
    auto cards_b = b.list_cards({});
    ASSERT_TRUE(cards_a.has_value() && cards_b.has_value());
    EXPECT_EQ(*cards_a, *cards_b);
    EXPECT_EQ(cards_a->size(), 4U);
    auto services_a = a.list_services();
    auto services_b = b.list_services();
    ASSERT_TRUE(services_a.has_value() && services_b.has_value());
    EXPECT_EQ(*services_a, *services_b);
    auto requests_a = a.person_service_requests(person_id(4));
    auto requests_b = b.person_service_requests(person_id(4));
    ASSERT_TRUE(requests_a.has_value() && requests_b.has_value());
    EXPECT_EQ(*requests_a, *requests_b);
    ASSERT_EQ(requests_a->size(), 1U);
    EXPECT_EQ(requests_a->front().history.size(), 2U);

    auto programmes_a = a.list_aid_programs();
    auto programmes_b = b.list_aid_programs();
    ASSERT_TRUE(programmes_a.has_value() && programmes_b.has_value());
    EXPECT_EQ(*programmes_a, *programmes_b);
    auto cycles_a = a.list_aid_cycles("");
    auto cycles_b = b.list_aid_cycles("");
    ASSERT_TRUE(cycles_a.has_value() && cycles_b.has_value());
    EXPECT_EQ(*cycles_a, *cycles_b) << "site to the last bit, the list hash";
    for (const auto& cycle : *cycles_a) {
        AidEntryQuery entries;
        entries.cycle_id = cycle.id;
        entries.include_removed = true;
        auto entries_a = a.list_aid_entries(entries);
        auto entries_b = b.list_aid_entries(entries);
        ASSERT_TRUE(entries_a.has_value() && entries_b.has_value());
        EXPECT_EQ(*entries_a, *entries_b);
        AidDeliveryQuery d;
        d.cycle_id = cycle.id;
        auto deliveries_a = a.list_aid_deliveries(d);
        auto deliveries_b = b.list_aid_deliveries(d);
        ASSERT_TRUE(deliveries_a.has_value() && deliveries_b.has_value());
        EXPECT_EQ(*deliveries_a, *deliveries_b);
        for (const auto& delivery : *deliveries_a) {
            auto full_a = a.get_aid_delivery(delivery.id);
            auto full_b = b.get_aid_delivery(delivery.id);
            ASSERT_TRUE(full_a.has_value() && full_b.has_value());
            EXPECT_EQ(*full_a, *full_b) << "evidence bytes";
        }
        auto batches_a = a.list_aid_batches(cycle.id);
        auto batches_b = b.list_aid_batches(cycle.id);
        ASSERT_TRUE(batches_a.has_value() && batches_b.has_value());
        EXPECT_EQ(*batches_a, *batches_b);
    }

    auto pairs_a = a.list_duplicate_pairs({});
    auto pairs_b = b.list_duplicate_pairs({});
    ASSERT_TRUE(pairs_a.has_value() && pairs_b.has_value());
    EXPECT_EQ(pairs_a->items, pairs_b->items) << "scores to the last bit, decisions";
    EXPECT_EQ(pairs_a->items.size(), 2U);

    auto merchants_a = a.list_merchants();
    auto merchants_b = b.list_merchants();
    ASSERT_TRUE(merchants_a.has_value() && merchants_b.has_value());
    EXPECT_EQ(*merchants_a, *merchants_b) << "positions to the last bit";
    EXPECT_EQ(merchants_a->size(), 1U);
    VoucherQuery ledger;
    auto ledger_a = a.list_voucher_transactions(ledger);
    auto ledger_b = b.list_voucher_transactions(ledger);
    ASSERT_TRUE(ledger_a.has_value() && ledger_b.has_value());
    EXPECT_EQ(*ledger_a, *ledger_b) << "transactions with their postings";
    EXPECT_EQ(ledger_a->size(), 3U) << "one issue, two redemptions";
    const std::string voucher_cycle = "01900000-0000-7000-8000-000000000603";
    auto balances_a = a.list_voucher_balances(voucher_cycle, "", 10);
    auto balances_b = b.list_voucher_balances(voucher_cycle, "", 10);
    ASSERT_TRUE(balances_a.has_value() && balances_b.has_value());
    EXPECT_EQ(*balances_a, *balances_b);
    ASSERT_EQ(balances_a->size(), 1U);
    EXPECT_EQ(balances_a->front().balance, 110'000);
    auto totals_a = a.merchant_totals("");
    auto totals_b = b.merchant_totals("");
    ASSERT_TRUE(totals_a.has_value() && totals_b.has_value());
    EXPECT_EQ(*totals_a, *totals_b);

    // The audit log with the same seq numbers, newest first.
    const auto audit_a = all_audit(a);
    const auto audit_b = all_audit(b);
    ASSERT_EQ(audit_a.size() + extra_audit, audit_b.size());
    for (std::size_t i = 0; i < audit_a.size(); ++i) {
        EXPECT_EQ(show(audit_a[i]), show(audit_b[i + extra_audit]));
    }
}

void expect_empty(Store& s) {
    auto digest = digest_store(s);
    ASSERT_TRUE(digest.has_value()) << digest.error().message;
    for (const TableDigest& d : *digest) {
        EXPECT_EQ(d.rows, 0) << transfer_table_name(d.table);
    }
}

const TableDigest& of(const StoreDigest& digest, TransferTable table) {
    return digest[static_cast<std::size_t>(table)];
}

/// A sink that passes everything on until table `stop_at` begins, then fails.
class FailingSink final : public TransferSink {
  public:
    FailingSink(TransferSink& next, TransferTable stop_at)
        : next_(next)
        , stop_at_(stop_at) {}

    Result<void> begin_table(TransferTable table, std::int64_t rows) override {
        if (table == stop_at_) {
            return fail(ErrorCode::StoreUnavailable, "the source went away");
        }
        return next_.begin_table(table, rows);
    }

    Result<void> write(const TransferPage& page) override { return next_.write(page); }

    Result<void> end_table(TransferTable table) override { return next_.end_table(table); }

  private:
    TransferSink& next_;
    TransferTable stop_at_;
};

} // namespace

// ---- the tests ----------------------------------------------------------------------------------

TEST_P(TransferContract, RoundTripKeepsEveryRowAndEveryHash) {
    auto a = make_first("a");
    ASSERT_NE(a, nullptr);
    Filled f;
    fill(*a, f);
    if (HasFatalFailure()) {
        return;
    }
    auto before = digest_store(*a);
    ASSERT_TRUE(before.has_value()) << before.error().message;
    EXPECT_EQ(of(*before, TransferTable::Persons).rows, 8);
    EXPECT_EQ(of(*before, TransferTable::PersonVersions).rows, 5);
    EXPECT_EQ(of(*before, TransferTable::PersonFiles).rows, 1);
    EXPECT_EQ(of(*before, TransferTable::SyncOps).rows, 2);
    EXPECT_EQ(of(*before, TransferTable::IdempotencyKeys).rows, 1);
    EXPECT_EQ(of(*before, TransferTable::Users).rows, 2);
    EXPECT_EQ(of(*before, TransferTable::Sessions).rows, 3);
    EXPECT_EQ(of(*before, TransferTable::ApiTokens).rows, 2);
    const std::int64_t audit_rows = of(*before, TransferTable::AuditLog).rows;
    EXPECT_GT(audit_rows, 15);

    auto b = make_second("b");
    ASSERT_NE(b, nullptr);
    auto there = migrate_store(*a, *b, ctx_at(100, "pindah ke server provinsi"));
    ASSERT_TRUE(there.has_value()) << there.error().message;
    EXPECT_TRUE(there->ok());
    EXPECT_EQ(there->source, *before);
    EXPECT_EQ(there->target, *before);
    EXPECT_FALSE(there->keys_problem) << there->keys_problem->message;
    EXPECT_FALSE(there->integrity_problem) << there->integrity_problem->message;
    EXPECT_EQ(there->migrate_audit_seq, audit_rows + 1);
    expect_same_content(*a, *b, f, 1);
    const auto newest = all_audit(*b).front();
    EXPECT_EQ(newest.action, "store.migrate");
    EXPECT_EQ(newest.seq, audit_rows + 1);
    EXPECT_EQ(newest.actor, "user:admin");
    EXPECT_NE(newest.detail.find("persons=8 person_versions=5 idempotency_keys=1 users=2 "
                                 "sessions=3 api_tokens=2 audit_log=" +
                                 std::to_string(audit_rows)),
              std::string::npos)
        << newest.detail;
    EXPECT_NE(newest.detail.find("from=" + a->info().backend + ":"), std::string::npos);
    EXPECT_NE(newest.detail.find("reason=pindah ke server provinsi"), std::string::npos);

    // And back, into a fresh store of the first backend.
    auto c = make_first("c");
    ASSERT_NE(c, nullptr);
    auto back = migrate_store(*b, *c, ctx_at(200));
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_TRUE(back->ok());
    EXPECT_EQ(back->source, back->target);
    expect_same_content(*b, *c, f, 1);
    expect_same_content(*a, *c, f, 2);
    auto after = digest_store(*c);
    ASSERT_TRUE(after.has_value());
    for (const TransferTable t : kTransferTables) {
        if (t != TransferTable::AuditLog) {
            EXPECT_EQ(of(*after, t), of(*before, t)) << transfer_table_name(t);
        }
    }
    EXPECT_EQ(of(*after, TransferTable::AuditLog).rows, audit_rows + 2);
}

TEST_P(TransferContract, ATargetTakesNewWritesAfterTheLoad) {
    auto a = make_first("a");
    ASSERT_NE(a, nullptr);
    Filled f;
    fill(*a, f);
    if (HasFatalFailure()) {
        return;
    }
    auto b = make_second("b");
    ASSERT_NE(b, nullptr);
    auto report = migrate_store(*a, *b, ctx_at(100));
    ASSERT_TRUE(report.has_value()) << report.error().message;
    ASSERT_TRUE(report->ok());
    const std::int64_t last_seq = report->migrate_audit_seq;

    // New rows continue after the loaded keys: a new person comes last in registration order,
    // the next audit entry gets the next seq.
    core::Person p = full_person(40);
    auto created = b->create_person(person_id(40), p, kecamatan(p), ctx_at(101), std::nullopt);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    const auto persons = all_persons(*b);
    ASSERT_FALSE(persons.empty());
    EXPECT_EQ(persons.back().id, person_id(40));
    EXPECT_EQ(all_audit(*b).front().seq, last_seq + 1);

    // A migrated person is updated on top of its history.
    auto v4 = b->update_person(
        person_id(1), 3, full_person(1), kecamatan(full_person(1)), ctx_at(102, "kembali"));
    ASSERT_TRUE(v4.has_value()) << v4.error().message;
    EXPECT_EQ(v4->version, 4);
    auto history = b->person_history(person_id(1));
    ASSERT_TRUE(history.has_value());
    EXPECT_EQ(history->size(), 4U);

    // The idempotency key replays the first create; another body under it is refused.
    auto replay = b->create_person(
        person_id(41), f.idem_person, kecamatan(f.idem_person), ctx_at(103), f.idem);
    ASSERT_TRUE(replay.has_value()) << replay.error().message;
    EXPECT_TRUE(replay->replayed);
    EXPECT_EQ(replay->record, f.idem_first);
    auto reused = b->create_person(person_id(42),
                                   full_person(42),
                                   kecamatan(full_person(42)),
                                   ctx_at(104),
                                   IdempotencyToken{f.idem.key, "another body"});
    ASSERT_FALSE(reused.has_value());
    EXPECT_EQ(reused.error().code, ErrorCode::IdempotencyKeyReused);

    // Cards continue their serials (and, on PostgreSQL, their keys) after the loaded ones.
    CardIssue card;
    card.person_id = person_id(40);
    card.regency = "6474";
    card.kelurahan_code = "64.74.01.1003";
    card.expires_at = at_minute(100000);
    card.make = [](std::uint32_t serial) -> Result<CardContent> {
        return CardContent{"64740000000" + std::to_string(serial), "0a1b2c3d", "QR"};
    };
    auto issued = b->issue_card(card, ctx_at(104));
    ASSERT_TRUE(issued.has_value()) << issued.error().message;
    EXPECT_EQ(issued->number, "647400000005");
    ServiceRequestRecord request;
    request.id = "01900000-0000-7000-8000-000000000502";
    request.person_id = person_id(40).str();
    request.service_code = "pengaduan";
    auto opened = b->create_service_request(request, ctx_at(104));
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    auto stepped = b->update_service_request(request.id, 1, "diproses", "", ctx_at(104));
    ASSERT_TRUE(stepped.has_value()) << stepped.error().message;
    EXPECT_EQ(stepped->history.size(), 2U);

    // Accounts, sessions and tokens take new rows too, and the old ones still work.
    UserRecord u;
    u.user.id = "01900000-0000-7000-8000-000000000003";
    u.user.username = "sari";
    u.user.display_name = "Sari";
    u.user.role = core::Role::Auditor;
    u.password_hash = "$argon2id$x";
    KAPAL_EXPECT_OK(b->create_user(u, ctx_at(105)));
    SessionRecord session;
    session.id = "01900000-0000-7000-8000-000000000199";
    session.token_hash = hex_of(199);
    session.user_id = u.user.id;
    session.created_at = at_minute(106);
    session.last_seen_at = session.created_at;
    session.expires_at = at_minute(900);
    KAPAL_EXPECT_OK(b->create_session(session, ctx_at(106)));
    ApiTokenRecord token;
    token.id = "01900000-0000-7000-8000-000000000299";
    token.name = "laporan";
    token.token_hash = hex_of(299);
    token.user_id = u.user.id;
    token.created_at = at_minute(107);
    token.expires_at = at_minute(9000);
    KAPAL_EXPECT_OK(b->create_api_token(token, ctx_at(107)));
    auto old_token = b->find_api_token(hex_of(201));
    ASSERT_TRUE(old_token.has_value() && old_token->has_value());
    EXPECT_EQ((*old_token)->name, "sinkron dtks 1");
    KAPAL_EXPECT_OK(b->check_integrity());
    KAPAL_EXPECT_OK(b->check_keys());
}

TEST_P(TransferContract, RefusesATargetThatIsNotEmptyAndChangesNothing) {
    auto a = make_first("a");
    ASSERT_NE(a, nullptr);
    Filled f;
    fill(*a, f);
    if (HasFatalFailure()) {
        return;
    }
    auto source_before = digest_store(*a);
    ASSERT_TRUE(source_before.has_value());

    auto b = make_second("b");
    ASSERT_NE(b, nullptr);
    UserRecord admin;
    admin.user.id = "01900000-0000-7000-8000-0000000000aa";
    admin.user.username = "admin";
    admin.user.display_name = "Administrator";
    admin.user.role = core::Role::Admin;
    admin.password_hash = "$argon2id$y";
    KAPAL_EXPECT_OK(b->create_user(admin, ctx_at(1)));
    auto target_before = digest_store(*b);
    ASSERT_TRUE(target_before.has_value());

    auto refused = migrate_store(*a, *b, ctx_at(100));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::StoreNotEmpty);
    EXPECT_NE(refused.error().message.find("users: 1"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("audit_log: 1"), std::string::npos)
        << refused.error().message;
    EXPECT_EQ(refused.error().message.find("persons:"), std::string::npos)
        << refused.error().message;
    EXPECT_EQ(*digest_store(*b), *target_before);
    EXPECT_EQ(*digest_store(*a), *source_before);

    // A log entry alone (a read recorded before anything was written) is content too.
    auto c = make_second("c");
    ASSERT_NE(c, nullptr);
    AuditEntry entry;
    entry.action = "person.unmask";
    entry.actor = "user:x";
    entry.source = "cli";
    KAPAL_EXPECT_OK(c->append_audit(entry));
    auto also_refused = c->begin_load();
    ASSERT_FALSE(also_refused.has_value());
    EXPECT_EQ(also_refused.error().code, ErrorCode::StoreNotEmpty);
}

TEST_P(TransferContract, AnEmptyStoreMovesAsAnEmptyStore) {
    auto a = make_first("a");
    auto b = make_second("b");
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    auto report = migrate_store(*a, *b, ctx_at(1));
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_TRUE(report->ok());
    for (const TableDigest& d : report->target) {
        EXPECT_EQ(d.rows, 0);
    }
    // Only the record of the migration itself.
    const auto log = all_audit(*b);
    ASSERT_EQ(log.size(), 1U);
    EXPECT_EQ(log.front().action, "store.migrate");
    EXPECT_EQ(log.front().seq, 1);
}

TEST_P(TransferContract, ATamperedTargetRowFailsVerificationAndNothingIsRecorded) {
    auto a = make_first("a");
    ASSERT_NE(a, nullptr);
    Filled f;
    fill(*a, f);
    if (HasFatalFailure()) {
        return;
    }
    auto b = make_second("b");
    ASSERT_NE(b, nullptr);
    auto copied = copy_store(*a, *b);
    ASSERT_TRUE(copied.has_value()) << copied.error().message;

    // Changed behind the stores' back between the copy and the verification.
    run_sql_second("b", "UPDATE users SET display_name = 'Orang Lain' WHERE username = 'rina'");
    auto report = verify_migration(*a, *b, *copied);
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_FALSE(report->digests_match());
    EXPECT_FALSE(report->ok());
    for (const TransferTable t : kTransferTables) {
        if (t == TransferTable::Users) {
            EXPECT_EQ(of(report->target, t).rows, of(report->source, t).rows);
            EXPECT_NE(of(report->target, t).sha256, of(report->source, t).sha256);
        } else {
            EXPECT_EQ(of(report->target, t), of(report->source, t)) << transfer_table_name(t);
        }
    }
    const std::int64_t audit_rows = of(report->target, TransferTable::AuditLog).rows;
    auto recorded = record_migration(*b, *report, ctx_at(100));
    ASSERT_FALSE(recorded.has_value());
    EXPECT_EQ(recorded.error().code, ErrorCode::TransferMismatch);
    EXPECT_EQ(static_cast<std::int64_t>(all_audit(*b).size()), audit_rows);

    // A row missing shows in the counts.
    run_sql_second("b", "DELETE FROM api_tokens WHERE name = 'sinkron dtks 2'");
    auto again = verify_migration(*a, *b, *copied);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(of(again->target, TransferTable::ApiTokens).rows, 1);
    EXPECT_EQ(of(again->source, TransferTable::ApiTokens).rows, 2);
}

TEST_P(TransferContract, AWriteToTheSourceDuringTheCopyFailsVerification) {
    auto a = make_first("a");
    ASSERT_NE(a, nullptr);
    Filled f;
    fill(*a, f);
    if (HasFatalFailure()) {
        return;
    }
    auto b = make_second("b");
    ASSERT_NE(b, nullptr);
    bool written = false;
    const TransferProgress write_to_source =
        [&](TransferStep step, TransferTable table, std::int64_t, std::int64_t) {
            if (step == TransferStep::Copy && table == TransferTable::Users && !written) {
                written = true;
                // After the dump's snapshot: not copied.
                AuditEntry late;
                late.action = "person.unmask";
                late.actor = "user:late";
                late.source = "10.0.0.9";
                EXPECT_TRUE(a->append_audit(late).has_value());
            }
        };
    auto report = migrate_store(*a, *b, ctx_at(100), write_to_source);
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_TRUE(written);
    EXPECT_TRUE(report->digests_match());
    EXPECT_FALSE(report->source_unchanged());
    EXPECT_FALSE(report->ok());
    EXPECT_EQ(report->migrate_audit_seq, 0);
    EXPECT_NE(all_audit(*b).front().action, "store.migrate");
}

TEST_P(TransferContract, AnUnfinishedLoadLeavesTheTargetEmpty) {
    auto a = make_first("a");
    ASSERT_NE(a, nullptr);
    Filled f;
    fill(*a, f);
    if (HasFatalFailure()) {
        return;
    }
    auto b = make_second("b");
    ASSERT_NE(b, nullptr);
    {
        // The source fails after the persons and their history were written into the load.
        auto load = b->begin_load();
        ASSERT_TRUE(load.has_value()) << load.error().message;
        FailingSink failing(**load, TransferTable::Users);
        auto dumped = a->dump(failing);
        ASSERT_FALSE(dumped.has_value());
        EXPECT_EQ(dumped.error().code, ErrorCode::StoreUnavailable);
    }
    expect_empty(*b);
    {
        // Committing before every table arrived is refused, and writes nothing.
        auto load = b->begin_load();
        ASSERT_TRUE(load.has_value()) << load.error().message;
        FailingSink failing(**load, TransferTable::AuditLog);
        ASSERT_FALSE(a->dump(failing).has_value());
        auto committed = (*load)->commit();
        ASSERT_FALSE(committed.has_value());
        EXPECT_EQ(committed.error().code, ErrorCode::InvalidArgument);
    }
    expect_empty(*b);
    {
        // Tables out of order are refused.
        auto load = b->begin_load();
        ASSERT_TRUE(load.has_value()) << load.error().message;
        auto wrong = (*load)->begin_table(TransferTable::Users, 0);
        ASSERT_FALSE(wrong.has_value());
        EXPECT_EQ(wrong.error().code, ErrorCode::InvalidArgument);
    }
    // The target is still a good target.
    auto report = migrate_store(*a, *b, ctx_at(100));
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_TRUE(report->ok());
    expect_same_content(*a, *b, f, 1);
}

TEST_P(TransferContract, ALoadRefusesRowsThatDoNotFitTheColumns) {
    auto b = make_second("b");
    ASSERT_NE(b, nullptr);
    auto load = b->begin_load();
    ASSERT_TRUE(load.has_value()) << load.error().message;
    KAPAL_EXPECT_OK((*load)->begin_table(TransferTable::Persons, 1));
    TransferPage page(TransferTable::Persons);
    page.int64(1);
    page.null(); // id may not be NULL
    page.end_row();
    auto written = (*load)->write(page);
    ASSERT_FALSE(written.has_value());
    EXPECT_EQ(written.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(written.error().message.find("id"), std::string::npos) << written.error().message;
}

} // namespace kapal::store::contract
