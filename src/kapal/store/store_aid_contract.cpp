// The store contract for social assistance (schema v10): programmes, cycles, beneficiary lists
// with maker-checker approval, and deliveries that happen at most once per (cycle, person).

#include "kapal/core/ids.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/store/store_codec.hpp"
#include "kapal/store/store_contract.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace kapal::store::contract {
namespace {

using core::make_date;

const core::Timestamp kT0 = core::from_unix_ms(1'760'000'000'000);

WriteContext as(const std::string& actor, int minute = 0) {
    return WriteContext{actor, "10.0.0.7", kT0 + std::chrono::minutes(minute), ""};
}

core::PersonId person_id(int n) {
    return core::PersonId(core::format_uuid_v7(
        kT0, static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(n) * 104729U));
}

std::string cycle_id(int n) {
    return core::format_uuid_v7(kT0, 900'000U + static_cast<std::uint64_t>(n), 17U);
}

std::string delivery_id(int n) {
    return core::format_uuid_v7(kT0, 800'000U + static_cast<std::uint64_t>(n), 23U);
}

/// Registers person n in `kelurahan`.
void register_person(Store& s, int n, const std::string& kelurahan = "64.74.01.1003") {
    core::Person p = full_person(n);
    p.address.kelurahan_code = kelurahan;
    auto r = s.create_person(
        person_id(n), p, core::kecamatan_of(kelurahan), as("user:op"), std::nullopt);
    ASSERT_TRUE(r.has_value()) << r.error().message;
}

AidProgramRecord programme(const std::string& code) {
    AidProgramRecord p;
    p.code = code;
    p.name = "Asistensi Sosial " + code;
    p.source = "APBD";
    p.kind = "barang";
    p.channel = "langsung";
    p.unit_value = 300'000;
    p.rule = "age >= 18 and not dtks";
    p.excludes = {"pkh"};
    p.assignees = {"user:penyalur"};
    return p;
}

AidCycleRecord cycle(int n, const std::string& program_code = "asp") {
    AidCycleRecord c;
    c.id = cycle_id(n);
    c.program_code = program_code;
    c.number = n;
    c.name = "Tahap " + std::to_string(n);
    c.starts_on = make_date(2026, 1, 1);
    c.ends_on = make_date(2026, 12, 31);
    c.quotas = {AidQuota{"64.74.01", 100}, AidQuota{"64.74.02.1001", 5}};
    c.site_lon = 117.5;
    c.site_lat = 0.13;
    return c;
}

AidListEntry entry(int n, const std::string& kelurahan = "64.74.01.1003") {
    AidListEntry e;
    e.person_id = person_id(n).str();
    e.kelurahan_code = kelurahan;
    e.source = "rule";
    e.flags = {};
    e.added_at = kT0;
    e.added_by = "user:op";
    return e;
}

AidDeliveryRecord delivery(int n, int person, const std::string& cycle = cycle_id(1)) {
    AidDeliveryRecord d;
    d.id = delivery_id(n);
    d.cycle_id = cycle;
    d.program_code = "asp";
    d.person_id = person_id(person).str();
    d.kelurahan_code = "64.74.01.1003";
    d.channel = "langsung";
    d.amount = 300'000;
    d.recorded_at = kT0 + std::chrono::minutes(60 + n);
    d.officer = "user:penyalur";
    d.lon = 117.49;
    d.lat = 0.134;
    d.accuracy_m = 8;
    d.card_number = "647400000010";
    return d;
}

/// A programme with cycle 1 whose list holds persons 1..count, approved by user:admin2.
void approved_list(Store& s, int count) {
    ASSERT_TRUE(s.add_aid_program(programme("asp"), as("user:admin")).has_value());
    ASSERT_TRUE(s.add_aid_cycle(cycle(1), as("user:admin")).has_value());
    std::vector<AidListEntry> entries;
    for (int n = 1; n <= count; ++n) {
        register_person(s, n);
        entries.push_back(entry(n));
    }
    auto list = s.replace_aid_list(cycle_id(1), 1, "age >= 18", {}, entries, as("user:op", 1));
    ASSERT_TRUE(list.has_value()) << list.error().message;
    auto proposed = s.move_aid_list(cycle_id(1), 2, "proposed", as("user:op", 2));
    ASSERT_TRUE(proposed.has_value()) << proposed.error().message;
    auto approved = s.move_aid_list(cycle_id(1), 3, "approved", as("user:admin2", 3));
    ASSERT_TRUE(approved.has_value()) << approved.error().message;
}

std::string last_action(Store& s) {
    AuditQuery q;
    q.limit = 1;
    auto log = s.list_audit(q);
    return log && !log->empty() ? log->front().action : "";
}

} // namespace

TEST_P(StoreContract, AidProgrammesAreAddedUpdatedByVersionAndAudited) {
    auto added = store().add_aid_program(programme("asp"), as("user:admin"));
    ASSERT_TRUE(added.has_value()) << added.error().message;
    EXPECT_EQ(added->version, 1);
    EXPECT_EQ(added->created_by, "user:admin");
    EXPECT_EQ(added->created_at, kT0);
    EXPECT_EQ(added->excludes, std::vector<std::string>{"pkh"});
    EXPECT_EQ(last_action(store()), "aid.program.create");

    auto again = store().add_aid_program(programme("asp"), as("user:admin"));
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, ErrorCode::AlreadyExists);

    AidProgramRecord bad = programme("bad");
    bad.source = "APBX";
    auto refused = store().add_aid_program(bad, as("user:admin"));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(refused.error().message.find("source"), std::string::npos);

    AidProgramRecord changed = *added;
    changed.unit_value = 450'000;
    changed.assignees = {"user:penyalur", "user:warung"};
    auto updated = store().update_aid_program(changed, as("user:admin", 5));
    ASSERT_TRUE(updated.has_value()) << updated.error().message;
    EXPECT_EQ(updated->version, 2);
    EXPECT_EQ(updated->unit_value, 450'000);
    EXPECT_EQ(updated->updated_at, kT0 + std::chrono::minutes(5));
    EXPECT_EQ(updated->created_at, kT0);
    EXPECT_EQ(last_action(store()), "aid.program.update");

    auto stale = store().update_aid_program(changed, as("user:admin", 6));
    ASSERT_FALSE(stale.has_value());
    EXPECT_EQ(stale.error().code, ErrorCode::VersionConflict);
    changed.code = "nothing";
    auto missing = store().update_aid_program(changed, as("user:admin", 6));
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);

    auto got = store().get_aid_program("asp");
    ASSERT_TRUE(got.has_value() && got->has_value());
    EXPECT_EQ(**got, *updated);
    ASSERT_TRUE(store().add_aid_program(programme("alat_bantu"), as("user:admin")).has_value());
    auto all = store().list_aid_programs();
    ASSERT_TRUE(all.has_value());
    ASSERT_EQ(all->size(), 2U);
    EXPECT_EQ((*all)[0].code, "alat_bantu") << "by code";
    auto none = store().get_aid_program("nothing");
    ASSERT_TRUE(none.has_value());
    EXPECT_FALSE(none->has_value());
}

TEST_P(StoreContract, AidCyclesBelongToAProgrammeWithOneNumberEach) {
    auto orphan = store().add_aid_cycle(cycle(1), as("user:admin"));
    ASSERT_FALSE(orphan.has_value());
    EXPECT_EQ(orphan.error().code, ErrorCode::NotFound);

    ASSERT_TRUE(store().add_aid_program(programme("asp"), as("user:admin")).has_value());
    auto first = store().add_aid_cycle(cycle(1), as("user:admin", 1));
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_EQ(first->list_state, "draft");
    EXPECT_EQ(first->version, 1);
    EXPECT_EQ(first->list_size, 0);
    EXPECT_EQ(first->quotas, cycle(1).quotas);
    EXPECT_EQ(first->site_lon, 117.5);
    EXPECT_EQ(first->starts_on, make_date(2026, 1, 1));
    EXPECT_EQ(first->ends_on, make_date(2026, 12, 31));
    EXPECT_EQ(last_action(store()), "aid.cycle.create");

    AidCycleRecord same_number = cycle(1);
    same_number.id = cycle_id(7);
    auto taken = store().add_aid_cycle(same_number, as("user:admin"));
    ASSERT_FALSE(taken.has_value());
    EXPECT_EQ(taken.error().code, ErrorCode::AlreadyExists);

    AidCycleRecord backwards = cycle(2);
    backwards.ends_on = make_date(2025, 12, 31);
    auto refused = store().add_aid_cycle(backwards, as("user:admin"));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);

    AidCycleRecord no_site = cycle(2);
    no_site.site_lon.reset();
    no_site.site_lat.reset();
    no_site.quotas.clear();
    ASSERT_TRUE(store().add_aid_cycle(no_site, as("user:admin")).has_value());
    auto cycles = store().list_aid_cycles("asp");
    ASSERT_TRUE(cycles.has_value());
    ASSERT_EQ(cycles->size(), 2U);
    EXPECT_EQ((*cycles)[0], *first);
    EXPECT_FALSE((*cycles)[1].site_lon.has_value());
    EXPECT_TRUE((*cycles)[1].quotas.empty());
    auto got = store().get_aid_cycle(cycle_id(2));
    ASSERT_TRUE(got.has_value() && got->has_value());
    EXPECT_EQ((**got).number, 2);
}

TEST_P(StoreContract, AnAidListIsDraftedProposedAndApprovedByAnotherAdminThenFrozen) {
    ASSERT_TRUE(store().add_aid_program(programme("asp"), as("user:admin")).has_value());
    ASSERT_TRUE(store().add_aid_cycle(cycle(1), as("user:admin")).has_value());
    for (int n = 1; n <= 4; ++n) {
        register_person(store(), n, n == 4 ? "64.74.02.1001" : "64.74.01.1003");
    }
    auto generated = store().replace_aid_list(
        cycle_id(1), 1, "age >= 18", {}, {entry(1), entry(2), entry(3)}, as("user:op", 1));
    ASSERT_TRUE(generated.has_value()) << generated.error().message;
    EXPECT_EQ(generated->version, 2);
    EXPECT_EQ(generated->list_size, 3);
    EXPECT_EQ(generated->rule, "age >= 18");
    EXPECT_EQ(last_action(store()), "aid.list.generate");

    AidListEntry manual = entry(4, "64.74.02.1001");
    manual.source = "manual";
    manual.reason = "";
    auto no_reason = store().edit_aid_list(cycle_id(1), 2, manual, as("user:op", 2));
    ASSERT_FALSE(no_reason.has_value());
    EXPECT_EQ(no_reason.error().code, ErrorCode::AidReasonRequired);
    manual.reason = "Usulan musyawarah kelurahan";
    auto added = store().edit_aid_list(cycle_id(1), 2, manual, as("user:op", 2));
    ASSERT_TRUE(added.has_value()) << added.error().message;
    EXPECT_EQ(added->list_size, 4);
    EXPECT_EQ(last_action(store()), "aid.list.add");
    auto twice = store().edit_aid_list(cycle_id(1), 3, manual, as("user:op", 2));
    ASSERT_FALSE(twice.has_value());
    EXPECT_EQ(twice.error().code, ErrorCode::AlreadyExists);

    AidListEntry off = entry(2);
    off.removed = true;
    off.reason = "Sudah menerima dari CSR";
    auto removed = store().edit_aid_list(cycle_id(1), 3, off, as("user:op", 3));
    ASSERT_TRUE(removed.has_value()) << removed.error().message;
    EXPECT_EQ(removed->list_size, 3);
    EXPECT_EQ(last_action(store()), "aid.list.remove");

    // Regenerating replaces the rule's entries but keeps the manual ones and the removals.
    auto regenerated = store().replace_aid_list(
        cycle_id(1), 4, "age >= 20", {}, {entry(1), entry(2), entry(4)}, as("user:op", 4));
    ASSERT_TRUE(regenerated.has_value()) << regenerated.error().message;
    AidEntryQuery q;
    q.cycle_id = cycle_id(1);
    q.include_removed = true;
    auto entries = store().list_aid_entries(q);
    ASSERT_TRUE(entries.has_value()) << entries.error().message;
    ASSERT_EQ(entries->size(), 3U) << "1 (rule), 2 (removed, kept), 4 (manual)";
    EXPECT_EQ((*entries)[0].person_id, person_id(1).str());
    EXPECT_EQ((*entries)[1].person_id, person_id(2).str());
    EXPECT_TRUE((*entries)[1].removed);
    EXPECT_EQ((*entries)[1].reason, "Sudah menerima dari CSR");
    EXPECT_EQ((*entries)[2].source, "manual");
    EXPECT_EQ(regenerated->list_size, 2);

    q.include_removed = false;
    q.area_codes = {"64.74.02"};
    auto scoped = store().list_aid_entries(q);
    ASSERT_TRUE(scoped.has_value());
    ASSERT_EQ(scoped->size(), 1U);
    EXPECT_EQ(scoped->front().person_id, person_id(4).str());
    AidEntryQuery one;
    one.cycle_id = cycle_id(1);
    one.person_id = person_id(4).str();
    auto single = store().list_aid_entries(one);
    ASSERT_TRUE(single.has_value()) << single.error().message;
    ASSERT_EQ(single->size(), 1U);
    EXPECT_EQ(single->front().source, "manual");
    one.person_id = person_id(2).str();
    auto gone = store().list_aid_entries(one);
    ASSERT_TRUE(gone.has_value());
    EXPECT_TRUE(gone->empty()) << "a removed entry is left out unless asked for";

    auto early = store().move_aid_list(cycle_id(1), 5, "approved", as("user:admin", 5));
    ASSERT_FALSE(early.has_value());
    EXPECT_EQ(early.error().code, ErrorCode::AidListState);
    auto proposed = store().move_aid_list(cycle_id(1), 5, "proposed", as("user:op", 5));
    ASSERT_TRUE(proposed.has_value()) << proposed.error().message;
    EXPECT_EQ(proposed->proposed_by, "user:op");
    EXPECT_EQ(last_action(store()), "aid.list.propose");
    auto editing = store().edit_aid_list(cycle_id(1), 6, manual, as("user:op", 6));
    ASSERT_FALSE(editing.has_value());
    EXPECT_EQ(editing.error().code, ErrorCode::AidListState);

    auto own = store().move_aid_list(cycle_id(1), 6, "approved", as("user:op", 6));
    ASSERT_FALSE(own.has_value());
    EXPECT_EQ(own.error().code, ErrorCode::AidSelfApproval);
    auto returned = store().move_aid_list(cycle_id(1), 6, "draft", as("user:admin", 6));
    ASSERT_TRUE(returned.has_value()) << returned.error().message;
    EXPECT_EQ(returned->list_state, "draft");
    EXPECT_EQ(last_action(store()), "aid.list.return");
    ASSERT_TRUE(store().move_aid_list(cycle_id(1), 7, "proposed", as("user:op", 7)).has_value());
    auto approved = store().move_aid_list(cycle_id(1), 8, "approved", as("user:admin", 8));
    ASSERT_TRUE(approved.has_value()) << approved.error().message;
    EXPECT_EQ(approved->list_state, "approved");
    EXPECT_EQ(approved->approved_by, "user:admin");
    EXPECT_EQ(approved->approved_at, kT0 + std::chrono::minutes(8));
    q.area_codes.clear();
    q.include_removed = true;
    auto frozen = store().list_aid_entries(q);
    ASSERT_TRUE(frozen.has_value());
    EXPECT_EQ(approved->list_hash, aid_list_hash(*approved, *frozen));
    EXPECT_EQ(approved->list_hash.size(), 64U);
    EXPECT_EQ(last_action(store()), "aid.list.approve");

    auto after = store().replace_aid_list(cycle_id(1), 9, "true", {}, {entry(3)}, as("user:op", 9));
    ASSERT_FALSE(after.has_value());
    EXPECT_EQ(after.error().code, ErrorCode::AidListState);
    auto stale = store().move_aid_list(cycle_id(1), 2, "draft", as("user:admin", 9));
    ASSERT_FALSE(stale.has_value());
    EXPECT_EQ(stale.error().code, ErrorCode::VersionConflict);
}

TEST_P(StoreContract, RegeneratingAListForSomeAreasLeavesTheOtherAreasEntries) {
    ASSERT_TRUE(store().add_aid_program(programme("asp"), as("user:admin")).has_value());
    ASSERT_TRUE(store().add_aid_cycle(cycle(1), as("user:admin")).has_value());
    for (int n = 1; n <= 3; ++n) {
        register_person(store(), n, n == 3 ? "64.74.02.1001" : "64.74.01.1003");
    }
    ASSERT_TRUE(store()
                    .replace_aid_list(cycle_id(1),
                                      1,
                                      "true",
                                      {},
                                      {entry(1), entry(2), entry(3, "64.74.02.1001")},
                                      as("user:op"))
                    .has_value());
    // The operator of 64.74.01 regenerates their kecamatan: person 2 no longer matches.
    auto scoped = store().replace_aid_list(
        cycle_id(1), 2, "age >= 30", {"64.74.01"}, {entry(1)}, as("user:op"));
    ASSERT_TRUE(scoped.has_value()) << scoped.error().message;
    EXPECT_EQ(scoped->list_size, 2);
    AidEntryQuery q;
    q.cycle_id = cycle_id(1);
    auto entries = store().list_aid_entries(q);
    ASSERT_TRUE(entries.has_value());
    ASSERT_EQ(entries->size(), 2U);
    EXPECT_EQ((*entries)[0].person_id, person_id(1).str());
    EXPECT_EQ((*entries)[1].person_id, person_id(3).str()) << "the other kecamatan's entry stays";
}

TEST_P(StoreContract, AidIsDeliveredOncePerCycleAndPersonWhateverTheChannel) {
    ASSERT_NO_FATAL_FAILURE(approved_list(store(), 3));
    register_person(store(), 9);

    auto first = store().record_aid_delivery(delivery(1, 1), as("user:penyalur", 61));
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_FALSE(first->replayed);
    EXPECT_EQ(first->record.state, "delivered");
    EXPECT_EQ(first->record.lon, 117.49);
    EXPECT_EQ(last_action(store()), "aid.deliver");

    AidDeliveryRecord voucher = delivery(2, 1);
    voucher.channel = "voucher";
    auto second = store().record_aid_delivery(voucher, as("user:penyalur", 62));
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error().code, ErrorCode::AidAlreadyDelivered);

    auto stranger = store().record_aid_delivery(delivery(3, 9), as("user:penyalur", 63));
    ASSERT_FALSE(stranger.has_value());
    EXPECT_EQ(stranger.error().code, ErrorCode::AidNotOnList);

    // A failed transfer is not a delivery: the person may be paid again.
    AidDeliveryRecord failed = delivery(4, 2);
    failed.channel = "transfer";
    failed.state = "failed";
    ASSERT_TRUE(store().record_aid_delivery(failed, as("user:penyalur", 64)).has_value());
    AidDeliveryRecord retry = delivery(5, 2);
    retry.channel = "transfer";
    retry.state = "pending";
    ASSERT_TRUE(store().record_aid_delivery(retry, as("user:penyalur", 65)).has_value());
    auto over_pending = store().record_aid_delivery(delivery(6, 2), as("user:penyalur", 66));
    ASSERT_FALSE(over_pending.has_value());
    EXPECT_EQ(over_pending.error().code, ErrorCode::AidAlreadyDelivered);

    auto realisation = store().aid_realisation(cycle_id(1), {});
    ASSERT_TRUE(realisation.has_value()) << realisation.error().message;
    ASSERT_EQ(realisation->size(), 1U);
    EXPECT_EQ(realisation->front(), (AidRealisationRow{"64.74.01.1003", 3, 1, 1, 0, 300'000}));
    auto elsewhere = store().aid_realisation(cycle_id(1), {"64.74.02"});
    ASSERT_TRUE(elsewhere.has_value());
    EXPECT_TRUE(elsewhere->empty());

    AidDeliveryQuery q;
    q.cycle_id = cycle_id(1);
    auto all = store().list_aid_deliveries(q);
    ASSERT_TRUE(all.has_value()) << all.error().message;
    ASSERT_EQ(all->size(), 3U);
    EXPECT_EQ((*all)[0].id, delivery_id(1));
    q.person_id = person_id(2).str();
    auto of_two = store().list_aid_deliveries(q);
    ASSERT_TRUE(of_two.has_value());
    EXPECT_EQ(of_two->size(), 2U);
}

TEST_P(StoreContract, IndicatorFactsNameEachCardDeliveryAndHomeByThePersonsStoreKey) {
    ASSERT_NO_FATAL_FAILURE(approved_list(store(), 3));
    core::Person homeless = full_person(4);
    homeless.home.reset();
    ASSERT_TRUE(store()
                    .create_person(person_id(4), homeless, "64.74.01", as("user:op"), std::nullopt)
                    .has_value());
    // Store keys grow with registration on both backends: persons 1..4 in order.
    std::vector<std::int64_t> keys;
    ASSERT_TRUE(store().scan_registry_states(kT0 + std::chrono::hours(24), [&](const auto& s) {
        if (keys.empty() || keys.back() != s.person) {
            keys.push_back(s.person);
        }
        return Result<void>();
    }));
    ASSERT_EQ(keys.size(), 4U);
    std::sort(keys.begin(), keys.end());

    CardIssue issue;
    issue.person_id = person_id(2);
    issue.regency = "6474";
    issue.kelurahan_code = "64.74.01.1003";
    issue.expires_at = kT0 + std::chrono::hours(24 * 365);
    issue.make = [](std::uint32_t serial) -> Result<CardContent> {
        const std::string digits = std::to_string(serial);
        return CardContent{
            "6474" + std::string(7 - digits.size(), '0') + digits + "0", "kid1", "QR-" + digits};
    };
    ASSERT_TRUE(store().issue_card(issue, as("user:op", 10)).has_value());
    issue.person_id = person_id(3);
    auto revoked = store().issue_card(issue, as("user:op", 11));
    ASSERT_TRUE(revoked.has_value()) << revoked.error().message;
    ASSERT_TRUE(
        store().revoke_card(revoked->number, "meninggal", "", as("user:op", 12)).has_value());

    ASSERT_TRUE(store().record_aid_delivery(delivery(1, 1), as("user:penyalur", 61)).has_value());
    AidDeliveryRecord failed = delivery(2, 2);
    failed.channel = "transfer";
    failed.state = "failed";
    ASSERT_TRUE(store().record_aid_delivery(failed, as("user:penyalur", 62)).has_value());
    AidDeliveryRecord late = delivery(3, 3);
    late.recorded_at = kT0 + std::chrono::hours(48);
    ASSERT_TRUE(store().record_aid_delivery(late, as("user:penyalur", 63)).has_value());

    std::vector<CardSpan> cards;
    std::vector<DeliveredAid> aid;
    std::vector<PersonHome> homes;
    IndicatorFactVisitors visit;
    visit.card = [&](const CardSpan& c) {
        cards.push_back(c);
    };
    visit.aid = [&](const DeliveredAid& a) {
        aid.push_back(a);
    };
    visit.home = [&](const PersonHome& h) {
        homes.push_back(h);
    };
    ASSERT_TRUE(store().scan_indicator_facts(kT0, kT0 + std::chrono::hours(24), visit));

    std::sort(cards.begin(), cards.end(), [](const auto& a, const auto& b) {
        return a.person < b.person;
    });
    ASSERT_EQ(cards.size(), 2U);
    EXPECT_EQ(cards[0].person, keys[1]);
    EXPECT_EQ(cards[0].issued_at, kT0 + std::chrono::minutes(10));
    EXPECT_EQ(cards[0].expires_at, kT0 + std::chrono::hours(24 * 365));
    EXPECT_FALSE(cards[0].revoked_at.has_value());
    EXPECT_EQ(cards[1].person, keys[2]);
    EXPECT_EQ(cards[1].revoked_at, kT0 + std::chrono::minutes(12));

    // Only the delivered one inside the window: the failed transfer and the later one are not.
    ASSERT_EQ(aid.size(), 1U);
    EXPECT_EQ(aid[0].person, keys[0]);
    EXPECT_EQ(aid[0].recorded_at, kT0 + std::chrono::minutes(61));

    std::sort(homes.begin(), homes.end(), [](const auto& a, const auto& b) {
        return a.person < b.person;
    });
    ASSERT_EQ(homes.size(), 3U); // person 4 has no home
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(homes[i].person, keys[i]);
        EXPECT_NEAR(homes[i].lon, 117.4987, 1e-9);
        EXPECT_NEAR(homes[i].lat, 0.1342, 1e-9);
    }
}

TEST_P(StoreContract, AidDeliveryIsRefusedBeforeApprovalAndKeepsItsEvidence) {
    ASSERT_TRUE(store().add_aid_program(programme("asp"), as("user:admin")).has_value());
    ASSERT_TRUE(store().add_aid_cycle(cycle(1), as("user:admin")).has_value());
    register_person(store(), 1);
    ASSERT_TRUE(store()
                    .replace_aid_list(cycle_id(1), 1, "true", {}, {entry(1)}, as("user:op"))
                    .has_value());
    auto draft = store().record_aid_delivery(delivery(1, 1), as("user:penyalur", 61));
    ASSERT_FALSE(draft.has_value());
    EXPECT_EQ(draft.error().code, ErrorCode::AidListState);
    auto unknown = store().record_aid_delivery(delivery(1, 1, cycle_id(5)), as("user:penyalur"));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);

    ASSERT_TRUE(store().move_aid_list(cycle_id(1), 2, "proposed", as("user:op")).has_value());
    ASSERT_TRUE(store().move_aid_list(cycle_id(1), 3, "approved", as("user:admin")).has_value());
    AidDeliveryRecord with_photo = delivery(1, 1);
    with_photo.evidence_type = "image/jpeg";
    with_photo.evidence = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10};
    with_photo.card_number.clear();
    with_photo.search_reason = "Kartu tertinggal di rumah anak";
    with_photo.flags = {"aid.far_from_home"};
    with_photo.note = "Diterima oleh ibu";
    auto recorded = store().record_aid_delivery(with_photo, as("user:penyalur", 61));
    ASSERT_TRUE(recorded.has_value()) << recorded.error().message;
    auto got = store().get_aid_delivery(delivery_id(1));
    ASSERT_TRUE(got.has_value() && got->has_value());
    EXPECT_EQ(**got, with_photo);
    AidDeliveryQuery q;
    q.person_id = person_id(1).str();
    auto listed = store().list_aid_deliveries(q);
    ASSERT_TRUE(listed.has_value());
    ASSERT_EQ(listed->size(), 1U);
    EXPECT_EQ(listed->front().evidence_type, "image/jpeg");
    EXPECT_TRUE(listed->front().evidence.empty()) << "lists leave the bytes out";
}

TEST_P(StoreContract, AnOfficersIdempotencyKeyRecordsADeliveryOnce) {
    ASSERT_NO_FATAL_FAILURE(approved_list(store(), 2));
    AidDeliveryRecord d = delivery(1, 1);
    d.idempotency_key = "hp-7f3a-0001";
    auto first = store().record_aid_delivery(d, as("user:penyalur", 61));
    ASSERT_TRUE(first.has_value()) << first.error().message;
    AidDeliveryRecord retried = d;
    retried.id = delivery_id(2); // a retry from the phone makes a new id; the key is the same
    auto replay = store().record_aid_delivery(retried, as("user:penyalur", 62));
    ASSERT_TRUE(replay.has_value()) << replay.error().message;
    EXPECT_TRUE(replay->replayed);
    EXPECT_EQ(replay->record, first->record);

    AidDeliveryRecord other = delivery(3, 2);
    other.idempotency_key = "hp-7f3a-0001";
    auto reused = store().record_aid_delivery(other, as("user:penyalur", 63));
    ASSERT_FALSE(reused.has_value());
    EXPECT_EQ(reused.error().code, ErrorCode::IdempotencyKeyReused);

    other.officer = "user:penyalur2";
    auto another_officer = store().record_aid_delivery(other, as("user:penyalur2", 63));
    ASSERT_TRUE(another_officer.has_value()) << another_officer.error().message;
    EXPECT_FALSE(another_officer->replayed);
}

TEST_P(StoreContract, ConcurrentDeliveriesOfOnePersonSucceedExactlyOnce) {
    ASSERT_NO_FATAL_FAILURE(approved_list(store(), 4));
    constexpr int kThreads = 8;
    constexpr int kAttempts = 10;
    std::atomic<int> delivered{0};
    std::atomic<int> refused{0};
    std::atomic<int> other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int a = 0; a < kAttempts; ++a) {
                const int n = t * kAttempts + a;
                auto r =
                    store().record_aid_delivery(delivery(n, 1 + n % 4), as("user:penyalur", 61));
                if (r) {
                    ++delivered;
                } else if (r.error().code == ErrorCode::AidAlreadyDelivered) {
                    ++refused;
                } else {
                    ++other;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(delivered.load(), 4) << "one per person on the list";
    EXPECT_EQ(refused.load(), kThreads * kAttempts - 4);
    EXPECT_EQ(other.load(), 0);
    auto realisation = store().aid_realisation(cycle_id(1), {});
    ASSERT_TRUE(realisation.has_value());
    ASSERT_EQ(realisation->size(), 1U);
    EXPECT_EQ(realisation->front().delivered, 4);
    EXPECT_EQ(realisation->front().delivered_amount, 4 * 300'000);
}

} // namespace kapal::store::contract
