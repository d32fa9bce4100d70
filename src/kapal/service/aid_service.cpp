#include "kapal/service/aid_service.hpp"

#include "kapal/aid/eligibility.hpp"
#include "kapal/card/card_number.hpp"
#include "kapal/card/credential.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/core/time.hpp"
#include "kapal/geo/geometry.hpp"
#include "kapal/io/xlsx_writer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <utility>

namespace kapal::service {
namespace {

using store::AidCycleRecord;
using store::AidProgramRecord;

bool is_admin(const Actor& actor) {
    return !actor.role || *actor.role == core::Role::Admin;
}

bool is_list_maker(const Actor& actor) {
    return is_admin(actor) || *actor.role == core::Role::Operator;
}

/// Admins, operators, auditors and viewers read the registry (and its programmes).
bool reads_registry(const Actor& actor) {
    return !actor.role || *actor.role == core::Role::Admin || *actor.role == core::Role::Operator ||
           *actor.role == core::Role::Auditor || *actor.role == core::Role::Viewer;
}

bool assigned(const AidProgramRecord& program, const Actor& actor) {
    return std::find(program.assignees.begin(), program.assignees.end(), actor.id) !=
           program.assignees.end();
}

bool in_scope(const std::string& kelurahan_code, const Actor& actor) {
    return actor.scope_area_codes.empty() ||
           std::any_of(
               actor.scope_area_codes.begin(),
               actor.scope_area_codes.end(),
               [&](const std::string& area) { return core::code_within(kelurahan_code, area); });
}

/// The area scope a query of the actor gets: theirs, unless they see everything.
Result<std::vector<std::string>> scoped_areas(std::vector<std::string> asked, const Actor& actor) {
    if (actor.scope_area_codes.empty()) {
        return asked;
    }
    if (asked.empty()) {
        return actor.scope_area_codes;
    }
    for (const std::string& area : asked) {
        if (!in_scope(area, actor)) {
            return fail(ErrorCode::Forbidden, "area " + area + " is outside your areas");
        }
    }
    return asked;
}

bool has_account(const core::Person& person) {
    return person.account && !person.account->number.empty();
}

std::string account_key(const core::Account& account) {
    return account.provider + "/" + account.number;
}

/// The quota that limits a kelurahan: the narrowest quota area containing it.
const store::AidQuota* quota_for(const std::vector<store::AidQuota>& quotas,
                                 const std::string& kelurahan) {
    const store::AidQuota* best = nullptr;
    for (const auto& quota : quotas) {
        if (core::code_within(kelurahan, quota.area_code) &&
            (best == nullptr || quota.area_code.size() > best->area_code.size())) {
            best = &quota;
        }
    }
    return best;
}

int severity_rank(const core::Person& person) {
    if (!person.severity) {
        return 0;
    }
    return static_cast<int>(*person.severity) + 1;
}

void add_flag(std::vector<std::string>& flags, std::string_view flag) {
    if (std::find(flags.begin(), flags.end(), flag) == flags.end()) {
        flags.emplace_back(flag);
        std::sort(flags.begin(), flags.end());
    }
}

std::string flag_id(ErrorCode code) {
    return std::string(error_info(code).id);
}

} // namespace

AidService::AidService(store::Store& store,
                       CardService& cards,
                       const core::Clock& clock,
                       core::IdGenerator& ids,
                       const core::RegionRegistry* regions,
                       AidSettings settings)
    : store_(store)
    , cards_(cards)
    , clock_(clock)
    , ids_(ids)
    , regions_(regions)
    , settings_(settings) {}

store::WriteContext AidService::context(const Actor& actor) const {
    return {actor.id, actor.source, clock_.now(), {}};
}

Result<void> AidService::check_rule(const std::string& rule) const {
    if (rule.empty()) {
        return {};
    }
    auto parsed = aid::parse_rule(rule);
    if (!parsed) {
        return fail(std::move(parsed).error());
    }
    return {};
}

// ---- programmes and cycles ------------------------------------------------------------------

Result<AidProgramRecord> AidService::create_program(AidProgramRecord program, const Actor& actor) {
    if (!is_admin(actor)) {
        return fail(ErrorCode::Forbidden, "only admins create programmes");
    }
    KAPAL_TRY(check_rule(program.rule));
    program.version = 1;
    return store_.add_aid_program(program, context(actor));
}

Result<AidProgramRecord> AidService::update_program(AidProgramRecord program, const Actor& actor) {
    if (!is_admin(actor)) {
        return fail(ErrorCode::Forbidden, "only admins change programmes");
    }
    KAPAL_TRY(check_rule(program.rule));
    return store_.update_aid_program(program, context(actor));
}

Result<std::vector<AidProgramRecord>> AidService::programs(const Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(all, store_.list_aid_programs());
    if (!reads_registry(actor)) {
        std::erase_if(all, [&](const AidProgramRecord& p) { return !assigned(p, actor); });
    }
    return all;
}

Result<AidProgramRecord> AidService::reachable_program(const std::string& code,
                                                       const Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(found, store_.get_aid_program(code));
    if (!found || (!reads_registry(actor) && !assigned(*found, actor))) {
        return fail(ErrorCode::NotFound, "no programme " + code);
    }
    return std::move(*found);
}

Result<AidProgramRecord> AidService::program(const std::string& code, const Actor& actor) {
    return reachable_program(code, actor);
}

Result<AidCycleRecord> AidService::create_cycle(AidCycleRecord cycle, const Actor& actor) {
    if (!is_admin(actor)) {
        return fail(ErrorCode::Forbidden, "only admins create cycles");
    }
    const store::WriteContext ctx = context(actor);
    if (cycle.id.empty()) {
        cycle.id = ids_.next(ctx.at);
    }
    return store_.add_aid_cycle(cycle, ctx);
}

Result<std::vector<AidCycleRecord>> AidService::cycles(const std::string& program_code,
                                                       const Actor& actor) {
    KAPAL_TRY(reachable_program(program_code, actor));
    return store_.list_aid_cycles(program_code);
}

Result<AidCycleRecord> AidService::reachable_cycle(const std::string& id, const Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(found, store_.get_aid_cycle(id));
    if (!found) {
        return fail(ErrorCode::NotFound, "no cycle " + id);
    }
    auto program = reachable_program(found->program_code, actor);
    if (!program) {
        return fail(ErrorCode::NotFound, "no cycle " + id);
    }
    return std::move(*found);
}

Result<AidCycleRecord> AidService::cycle(const std::string& id, const Actor& actor) {
    return reachable_cycle(id, actor);
}

// ---- lists ------------------------------------------------------------------------------------

Result<AidRulePreview> AidService::preview(const std::string& rule_text, const Actor& actor) {
    if (!is_list_maker(actor) && !(actor.role && *actor.role == core::Role::Auditor)) {
        return fail(ErrorCode::Forbidden, "only admins, operators and auditors preview rules");
    }
    KAPAL_ASSIGN_OR_RETURN(rule, aid::parse_rule(rule_text));
    const aid::RuleContext context{core::wita_date(clock_.now())};
    AidRulePreview out;
    out.canonical = rule.canonical();
    store::PersonQuery query;
    query.scope_area_codes = actor.scope_area_codes;
    query.limit = 1000;
    for (;;) {
        KAPAL_ASSIGN_OR_RETURN(page, store_.list_persons(query));
        const auto counted = aid::preview_rule(rule, page.items, context);
        out.evaluated += counted.evaluated;
        out.matched += counted.matched;
        for (const auto& [kelurahan, n] : counted.per_kelurahan) {
            out.per_kelurahan[kelurahan] += n;
        }
        if (page.next_cursor.empty()) {
            break;
        }
        query.cursor = page.next_cursor;
    }
    return out;
}

Result<AidListGeneration> AidService::generate_list(const std::string& cycle_id,
                                                    std::int64_t expected_version,
                                                    const Actor& actor) {
    if (!is_list_maker(actor)) {
        return fail(ErrorCode::Forbidden, "only admins and operators make beneficiary lists");
    }
    KAPAL_ASSIGN_OR_RETURN(cycle, reachable_cycle(cycle_id, actor));
    KAPAL_ASSIGN_OR_RETURN(program, reachable_program(cycle.program_code, actor));
    if (cycle.list_state != "draft") {
        return fail(ErrorCode::AidListState,
                    "the list of cycle " + cycle_id + " is " + cycle.list_state +
                        ": only a draft is generated");
    }
    KAPAL_ASSIGN_OR_RETURN(rule, aid::parse_rule(program.rule.empty() ? "true" : program.rule));
    const aid::RuleContext rule_context{core::wita_date(clock_.now())};

    // Persons on the lists of programmes that exclude this one, or that this one excludes.
    KAPAL_ASSIGN_OR_RETURN(all_programs, store_.list_aid_programs());
    std::set<std::string> excluded_codes(program.excludes.begin(), program.excludes.end());
    for (const auto& other : all_programs) {
        if (std::find(other.excludes.begin(), other.excludes.end(), program.code) !=
            other.excludes.end()) {
            excluded_codes.insert(other.code);
        }
    }
    std::set<std::string> on_excluded;
    for (const std::string& code : excluded_codes) {
        KAPAL_ASSIGN_OR_RETURN(other_cycles, store_.list_aid_cycles(code));
        for (const auto& other : other_cycles) {
            store::AidEntryQuery q;
            q.cycle_id = other.id;
            q.limit = 100'000;
            for (;;) {
                KAPAL_ASSIGN_OR_RETURN(page, store_.list_aid_entries(q));
                for (const auto& e : page) {
                    on_excluded.insert(e.person_id);
                }
                if (page.size() < static_cast<std::size_t>(q.limit)) {
                    break;
                }
                q.after_person_id = page.back().person_id;
            }
        }
    }

    struct Candidate {
        std::string person_id;
        std::string kelurahan;
        int severity = 0;
        core::Date birth{};
        std::string account;
        bool inactive = false;
    };

    // Entries that stay (other areas' entries, and those made by hand) count against quotas.
    std::map<std::string, std::int64_t> used;
    {
        store::AidEntryQuery q;
        q.cycle_id = cycle_id;
        q.limit = 100'000;
        for (;;) {
            KAPAL_ASSIGN_OR_RETURN(page, store_.list_aid_entries(q));
            for (const auto& e : page) {
                if (e.source == "manual" || !in_scope(e.kelurahan_code, actor)) {
                    if (const store::AidQuota* quota = quota_for(cycle.quotas, e.kelurahan_code)) {
                        ++used[quota->area_code];
                    }
                }
            }
            if (page.size() < static_cast<std::size_t>(q.limit)) {
                break;
            }
            q.after_person_id = page.back().person_id;
        }
    }

    std::vector<Candidate> matched;
    std::map<std::string, std::size_t> account_uses;
    store::PersonQuery query;
    query.scope_area_codes = actor.scope_area_codes;
    query.limit = 1000;
    for (;;) {
        KAPAL_ASSIGN_OR_RETURN(page, store_.list_persons(query));
        for (const auto& record : page.items) {
            if (!rule.matches(record, rule_context)) {
                continue;
            }
            const core::Person& p = record.person;
            Candidate c{record.id.str(),
                        p.address.kelurahan_code,
                        severity_rank(p),
                        p.birth_date,
                        has_account(p) ? account_key(*p.account) : "",
                        p.status != core::Status::Aktif};
            if (!c.account.empty()) {
                ++account_uses[c.account];
            }
            matched.push_back(std::move(c));
        }
        if (page.next_cursor.empty()) {
            break;
        }
        query.cursor = page.next_cursor;
    }
    // Quotas keep the most severe first, then the oldest; the person id breaks ties.
    std::sort(matched.begin(), matched.end(), [](const Candidate& a, const Candidate& b) {
        if (a.severity != b.severity) {
            return a.severity > b.severity;
        }
        if (a.birth != b.birth) {
            return a.birth < b.birth;
        }
        return a.person_id < b.person_id;
    });

    AidListGeneration out;
    out.matched = matched.size();
    std::vector<store::AidListEntry> entries;
    for (const Candidate& c : matched) {
        if (const store::AidQuota* quota = quota_for(cycle.quotas, c.kelurahan)) {
            if (used[quota->area_code] >= quota->max) {
                ++out.over_quota[quota->area_code];
                continue;
            }
            ++used[quota->area_code];
        }
        store::AidListEntry entry;
        entry.person_id = c.person_id;
        entry.kelurahan_code = c.kelurahan;
        entry.source = "rule";
        if (!c.account.empty() && account_uses[c.account] > 1) {
            add_flag(entry.flags, flag_id(ErrorCode::AidSharedAccount));
        }
        if (c.inactive) {
            add_flag(entry.flags, flag_id(ErrorCode::AidPersonInactive));
        }
        if (on_excluded.count(c.person_id) != 0) {
            add_flag(entry.flags, flag_id(ErrorCode::AidExcludedProgram));
        }
        for (const auto& flag : entry.flags) {
            ++out.flag_counts[flag];
        }
        entries.push_back(std::move(entry));
    }
    out.listed = entries.size();
    store::WriteContext ctx = context(actor);
    ctx.reason = "matched=" + std::to_string(out.matched);
    KAPAL_ASSIGN_OR_RETURN(
        written,
        store_.replace_aid_list(
            cycle_id, expected_version, rule.canonical(), actor.scope_area_codes, entries, ctx));
    out.cycle = std::move(written);
    return out;
}

Result<AidCycleRecord> AidService::add_to_list(const std::string& cycle_id,
                                               std::int64_t expected_version,
                                               const core::PersonId& person,
                                               const std::string& reason,
                                               const Actor& actor) {
    if (!is_list_maker(actor)) {
        return fail(ErrorCode::Forbidden, "only admins and operators change beneficiary lists");
    }
    KAPAL_ASSIGN_OR_RETURN(cycle, reachable_cycle(cycle_id, actor));
    auto record = store_.get_person(person);
    if (!record || !in_scope(record->person.address.kelurahan_code, actor)) {
        return fail(ErrorCode::NotFound, "no person " + person.str());
    }
    store::AidListEntry entry;
    entry.person_id = person.str();
    entry.kelurahan_code = record->person.address.kelurahan_code;
    entry.source = "manual";
    entry.reason = reason;
    if (record->person.status != core::Status::Aktif) {
        add_flag(entry.flags, flag_id(ErrorCode::AidPersonInactive));
    }
    if (const store::AidQuota* quota = quota_for(cycle.quotas, entry.kelurahan_code)) {
        store::AidEntryQuery q;
        q.cycle_id = cycle_id;
        q.area_codes = {quota->area_code};
        q.limit = 100'000;
        KAPAL_ASSIGN_OR_RETURN(listed, store_.list_aid_entries(q));
        if (static_cast<std::int64_t>(listed.size()) >= quota->max) {
            add_flag(entry.flags, flag_id(ErrorCode::AidQuotaExceeded));
        }
    }
    return store_.edit_aid_list(cycle_id, expected_version, entry, context(actor));
}

Result<AidCycleRecord> AidService::remove_from_list(const std::string& cycle_id,
                                                    std::int64_t expected_version,
                                                    const core::PersonId& person,
                                                    const std::string& reason,
                                                    const Actor& actor) {
    if (!is_list_maker(actor)) {
        return fail(ErrorCode::Forbidden, "only admins and operators change beneficiary lists");
    }
    KAPAL_TRY(reachable_cycle(cycle_id, actor));
    auto record = store_.get_person(person);
    if (!record || !in_scope(record->person.address.kelurahan_code, actor)) {
        return fail(ErrorCode::NotFound, "no person " + person.str());
    }
    store::AidListEntry entry;
    entry.person_id = person.str();
    entry.removed = true;
    entry.reason = reason;
    return store_.edit_aid_list(cycle_id, expected_version, entry, context(actor));
}

Result<AidCycleRecord> AidService::move_list(const std::string& cycle_id,
                                             std::int64_t expected_version,
                                             const std::string& to_state,
                                             const std::string& reason,
                                             const Actor& actor) {
    if (to_state == "proposed" ? !is_list_maker(actor) : !is_admin(actor)) {
        return fail(ErrorCode::Forbidden,
                    to_state == "proposed" ? "only admins and operators propose lists"
                                           : "only admins approve or return lists");
    }
    if (to_state == "draft" && reason.empty()) {
        return fail(ErrorCode::AidReasonRequired, "a list is returned with a reason");
    }
    KAPAL_TRY(reachable_cycle(cycle_id, actor));
    store::WriteContext ctx = context(actor);
    ctx.reason = reason;
    return store_.move_aid_list(cycle_id, expected_version, to_state, ctx);
}

Result<std::vector<store::AidListEntry>> AidService::entries(store::AidEntryQuery query,
                                                             const Actor& actor) {
    KAPAL_TRY(reachable_cycle(query.cycle_id, actor));
    if (reads_registry(actor)) {
        KAPAL_ASSIGN_OR_RETURN(areas, scoped_areas(std::move(query.area_codes), actor));
        query.area_codes = std::move(areas);
    }
    return store_.list_aid_entries(query);
}

// ---- delivery ---------------------------------------------------------------------------------

Result<AidBeneficiary> AidService::beneficiary(const AidHandover& who, const Actor& actor) {
    const std::string& cycle_id = who.cycle_id;
    std::string card_number = who.card_number;
    KAPAL_ASSIGN_OR_RETURN(cycle, reachable_cycle(cycle_id, actor));
    KAPAL_ASSIGN_OR_RETURN(program, reachable_program(cycle.program_code, actor));
    if (!is_admin(actor) && !assigned(program, actor)) {
        return fail(ErrorCode::AidNotAssigned, "you are not assigned to " + program.code);
    }
    AidBeneficiary out;
    if (!who.qr.empty()) {
        KAPAL_ASSIGN_OR_RETURN(checked, cards_.check(who.qr));
        if (checked.result.status != card::VerifyStatus::Valid || !checked.record) {
            const std::string status(card::to_string(checked.result.status));
            const std::string what =
                checked.record ? status : status + ", not a card of this registry";
            return fail(ErrorCode::CredentialMalformed,
                        "the card does not verify: " + what,
                        {{"qr", ErrorCode::CredentialMalformed, what}});
        }
        card_number = checked.record->number;
    }
    if (!card_number.empty()) {
        KAPAL_ASSIGN_OR_RETURN(digits, card::parse_card_number(card_number));
        KAPAL_ASSIGN_OR_RETURN(card, store_.get_card(digits));
        if (!card) {
            return fail(ErrorCode::NotFound, "no card " + card_number);
        }
        if (card->status != "active") {
            return fail(ErrorCode::CardAlreadyRevoked,
                        "card " + card->number + " was revoked (" + card->revoke_reason + ")");
        }
        out.person_id = card->person_id;
        out.card_number = card->number;
    } else {
        out.person_id = who.person_id;
    }
    const core::PersonId id(out.person_id);
    auto record = store_.get_person(id);
    if (!record) {
        return fail(ErrorCode::NotFound, "no person " + out.person_id);
    }
    out.name = record->person.full_name;
    out.kelurahan_code = record->person.address.kelurahan_code;
    if (out.card_number.empty()) {
        KAPAL_ASSIGN_OR_RETURN(cards, store_.person_cards(id));
        for (const auto& c : cards) {
            if (c.status == "active") {
                out.card_number = c.number;
            }
        }
    }
    store::AidEntryQuery q;
    q.cycle_id = cycle_id;
    q.person_id = out.person_id;
    q.limit = 1;
    KAPAL_ASSIGN_OR_RETURN(found, store_.list_aid_entries(q));
    out.on_list = !found.empty();
    if (!out.on_list && who.qr.empty() && who.card_number.empty() && !reads_registry(actor)) {
        // Found by id, not by a card in hand: a penyalur learns nothing of persons off the list.
        return fail(ErrorCode::NotFound, "no person " + out.person_id + " on this list");
    }
    store::AidDeliveryQuery d;
    d.cycle_id = cycle_id;
    d.person_id = out.person_id;
    KAPAL_ASSIGN_OR_RETURN(deliveries, store_.list_aid_deliveries(d));
    for (auto& delivery : deliveries) {
        if (delivery.state != "failed") {
            out.delivery = std::move(delivery);
        }
    }
    return out;
}

Result<std::vector<AidBeneficiary>>
AidService::search_list(const std::string& cycle_id, const std::string& name, const Actor& actor) {
    if (name.size() < 3) {
        return fail(ErrorCode::InvalidArgument,
                    "search by at least 3 letters of the name",
                    {{"q", ErrorCode::InvalidArgument, "3"}});
    }
    KAPAL_ASSIGN_OR_RETURN(cycle, reachable_cycle(cycle_id, actor));
    KAPAL_ASSIGN_OR_RETURN(program, reachable_program(cycle.program_code, actor));
    if (!is_admin(actor) && !assigned(program, actor)) {
        return fail(ErrorCode::AidNotAssigned, "you are not assigned to " + program.code);
    }
    std::vector<AidBeneficiary> out;
    store::PersonQuery query;
    query.name_contains = name;
    query.limit = 200;
    for (int pages = 0; pages < 50 && out.size() < 20; ++pages) {
        KAPAL_ASSIGN_OR_RETURN(page, store_.list_persons(query));
        for (const auto& record : page.items) {
            store::AidEntryQuery q;
            q.cycle_id = cycle_id;
            q.person_id = record.id.str();
            q.limit = 1;
            KAPAL_ASSIGN_OR_RETURN(listed, store_.list_aid_entries(q));
            if (listed.empty() || out.size() >= 20) {
                continue;
            }
            AidHandover who;
            who.cycle_id = cycle_id;
            who.person_id = record.id.str();
            KAPAL_ASSIGN_OR_RETURN(found, beneficiary(who, actor));
            out.push_back(std::move(found));
        }
        if (page.next_cursor.empty()) {
            break;
        }
        query.cursor = page.next_cursor;
    }
    return out;
}

Result<std::vector<AidBeneficiary>> AidService::handover_list(const std::string& cycle_id,
                                                              const Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(cycle, reachable_cycle(cycle_id, actor));
    KAPAL_ASSIGN_OR_RETURN(program, reachable_program(cycle.program_code, actor));
    if (!is_admin(actor) && !assigned(program, actor)) {
        return fail(ErrorCode::AidNotAssigned, "you are not assigned to " + program.code);
    }
    if (cycle.list_state != "approved") {
        return fail(ErrorCode::AidListState,
                    "the list of " + cycle.name + " is " + cycle.list_state + ", not approved");
    }
    std::vector<AidBeneficiary> out;
    store::AidEntryQuery query;
    query.cycle_id = cycle_id;
    query.limit = 1000;
    for (;;) {
        KAPAL_ASSIGN_OR_RETURN(entries, store_.list_aid_entries(query));
        for (const auto& entry : entries) {
            AidHandover who;
            who.cycle_id = cycle_id;
            who.person_id = entry.person_id;
            KAPAL_ASSIGN_OR_RETURN(found, beneficiary(who, actor));
            out.push_back(std::move(found));
        }
        if (entries.size() < static_cast<std::size_t>(query.limit)) {
            break;
        }
        query.after_person_id = entries.back().person_id;
    }
    return out;
}

Result<store::AidDeliveryOutcome> AidService::hand_over(const AidHandover& handover,
                                                        const Actor& actor) {
    const bool scanned = !handover.qr.empty() || !handover.card_number.empty();
    if (!scanned && handover.search_reason.empty()) {
        return fail(ErrorCode::AidReasonRequired,
                    "a person found by search (no card scanned) needs a reason",
                    {{"search_reason", ErrorCode::AidReasonRequired, ""}});
    }
    if (handover.lon.has_value() != handover.lat.has_value() ||
        (handover.lon && (std::abs(*handover.lon) > 180 || std::abs(*handover.lat) > 90))) {
        return fail(ErrorCode::InvalidArgument,
                    "position needs both lon (-180..180) and lat (-90..90)",
                    {{"lon", ErrorCode::LocationInvalid, ""}});
    }
    if (!handover.evidence.empty() && handover.evidence_type != "image/jpeg" &&
        handover.evidence_type != "image/png") {
        return fail(ErrorCode::InvalidArgument,
                    "evidence must be a JPEG or PNG picture",
                    {{"evidence", ErrorCode::InvalidArgument, handover.evidence_type}});
    }
    KAPAL_ASSIGN_OR_RETURN(who, beneficiary(handover, actor));
    KAPAL_ASSIGN_OR_RETURN(cycle, reachable_cycle(handover.cycle_id, actor));
    KAPAL_ASSIGN_OR_RETURN(program, reachable_program(cycle.program_code, actor));
    if (program.channel != "langsung") {
        return fail(ErrorCode::AidChannelMismatch,
                    "programme " + program.code + " is delivered by " + program.channel);
    }
    const store::WriteContext ctx = context(actor);
    if (handover.done_at && *handover.done_at > ctx.at + kMaxClockSkew) {
        return fail(ErrorCode::InvalidArgument,
                    "the handover's time " + core::format_timestamp(*handover.done_at) +
                        " is ahead of the server's clock",
                    {{"at", ErrorCode::InvalidArgument, "in the future"}});
    }
    const core::Date today = core::wita_date(handover.done_at.value_or(ctx.at));
    if (today < cycle.starts_on || cycle.ends_on < today) {
        return fail(ErrorCode::AidCycleClosed,
                    "cycle " + cycle.name + " runs from " + core::format_date(cycle.starts_on) +
                        " to " + core::format_date(cycle.ends_on) +
                        (handover.done_at ? "; the handover was made on " + core::format_date(today)
                                          : std::string()));
    }
    store::AidDeliveryRecord delivery;
    delivery.id = ids_.next(ctx.at);
    delivery.cycle_id = cycle.id;
    delivery.program_code = program.code;
    delivery.person_id = who.person_id;
    delivery.kelurahan_code = who.kelurahan_code;
    delivery.channel = "langsung";
    delivery.state = "delivered";
    delivery.amount = program.unit_value;
    delivery.recorded_at = ctx.at;
    delivery.officer = actor.id;
    delivery.lon = handover.lon;
    delivery.lat = handover.lat;
    delivery.accuracy_m = handover.accuracy_m;
    delivery.card_number = scanned ? who.card_number : "";
    delivery.search_reason = scanned ? "" : handover.search_reason;
    delivery.evidence_type = handover.evidence.empty() ? "" : handover.evidence_type;
    delivery.evidence = handover.evidence;
    delivery.note = handover.note;
    delivery.idempotency_key = handover.idempotency_key;
    auto person = store_.get_person(core::PersonId(who.person_id));
    if (person) {
        if (person->person.status != core::Status::Aktif) {
            add_flag(delivery.flags, flag_id(ErrorCode::AidPersonInactive));
        }
        // Far from every place it could rightly happen (the home, the event site), when at
        // least one of them is known.
        if (handover.lon && (person->person.home || cycle.site_lon)) {
            const geo::LonLat at{*handover.lon, *handover.lat};
            double nearest = std::numeric_limits<double>::infinity();
            if (person->person.home) {
                nearest = std::min(
                    nearest,
                    geo::haversine_m(at, {person->person.home->lon, person->person.home->lat}));
            }
            if (cycle.site_lon) {
                nearest =
                    std::min(nearest, geo::haversine_m(at, {*cycle.site_lon, *cycle.site_lat}));
            }
            if (nearest > settings_.far_from_home_m) {
                add_flag(delivery.flags, flag_id(ErrorCode::AidFarFromHome));
            }
        }
    }
    return store_.record_aid_delivery(delivery, ctx);
}

Result<std::vector<store::AidDeliveryRecord>> AidService::deliveries(store::AidDeliveryQuery query,
                                                                     const Actor& actor) {
    KAPAL_TRY(reachable_cycle(query.cycle_id, actor));
    if (reads_registry(actor)) {
        KAPAL_ASSIGN_OR_RETURN(areas, scoped_areas(std::move(query.area_codes), actor));
        query.area_codes = std::move(areas);
    }
    return store_.list_aid_deliveries(query);
}

Result<std::vector<AidService::PersonAid>> AidService::person_aid(const std::string& person_id,
                                                                  const Actor& actor) {
    if (!reads_registry(actor)) {
        return fail(ErrorCode::Forbidden, "a person's aid is read by registry readers");
    }
    auto person = store_.get_person(core::PersonId(person_id));
    if (!person || !in_scope(person->person.address.kelurahan_code, actor)) {
        return fail(ErrorCode::NotFound, "no person with this id");
    }
    store::AidDeliveryQuery query;
    query.person_id = person_id;
    query.limit = 100000;
    KAPAL_ASSIGN_OR_RETURN(deliveries, store_.list_aid_deliveries(query));
    std::map<std::string, std::string> programs;
    std::map<std::string, std::pair<std::int64_t, std::string>> cycles;
    std::vector<PersonAid> out;
    for (auto& d : deliveries) {
        PersonAid row;
        if (!programs.contains(d.program_code)) {
            KAPAL_ASSIGN_OR_RETURN(p, store_.get_aid_program(d.program_code));
            programs[d.program_code] = p ? p->name : d.program_code;
        }
        if (!cycles.contains(d.cycle_id)) {
            KAPAL_ASSIGN_OR_RETURN(c, store_.get_aid_cycle(d.cycle_id));
            cycles[d.cycle_id] = c ? std::pair{c->number, c->name} : std::pair{std::int64_t{0}, ""};
        }
        row.program_name = programs[d.program_code];
        row.cycle_number = cycles[d.cycle_id].first;
        row.cycle_name = cycles[d.cycle_id].second;
        row.delivery = std::move(d);
        out.push_back(std::move(row));
    }
    return out;
}

Result<store::AidDeliveryRecord> AidService::delivery(const std::string& id, const Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(found, store_.get_aid_delivery(id));
    if (!found) {
        return fail(ErrorCode::NotFound, "no delivery " + id);
    }
    auto cycle = reachable_cycle(found->cycle_id, actor);
    if (!cycle || (reads_registry(actor) && !in_scope(found->kelurahan_code, actor))) {
        return fail(ErrorCode::NotFound, "no delivery " + id);
    }
    return std::move(*found);
}

Result<std::vector<store::AidRealisationRow>> AidService::realisation(const std::string& cycle_id,
                                                                      const Actor& actor) {
    KAPAL_TRY(reachable_cycle(cycle_id, actor));
    std::vector<std::string> areas;
    if (reads_registry(actor)) {
        KAPAL_ASSIGN_OR_RETURN(scoped, scoped_areas({}, actor));
        areas = std::move(scoped);
    }
    return store_.aid_realisation(cycle_id, areas);
}

Result<void> AidService::write_realisation_xlsx(const std::string& cycle_id,
                                                const Actor& actor,
                                                const std::string& path) {
    KAPAL_ASSIGN_OR_RETURN(cycle, reachable_cycle(cycle_id, actor));
    KAPAL_ASSIGN_OR_RETURN(rows, realisation(cycle_id, actor));
    const auto share = [](std::int64_t delivered, std::int64_t listed) {
        if (listed == 0) {
            return std::string("-");
        }
        const auto tenths = (delivered * 1000 + listed / 2) / listed;
        return std::to_string(tenths / 10) + "," + std::to_string(tenths % 10) + "%";
    };
    io::XlsxSheet sheet;
    sheet.name = "Realisasi";
    sheet.header = {"Kode kelurahan",
                    "Kelurahan",
                    "Terdaftar",
                    "Tersalurkan",
                    "Dalam proses",
                    "Gagal",
                    "Belum",
                    "Persen tersalurkan",
                    "Nilai tersalurkan (Rp)"};
    store::AidRealisationRow total;
    const auto add_row = [&](const store::AidRealisationRow& r, const std::string& name) {
        sheet.rows.push_back({r.kelurahan_code,
                              name,
                              std::to_string(r.listed),
                              std::to_string(r.delivered),
                              std::to_string(r.pending),
                              std::to_string(r.failed),
                              std::to_string(r.listed - r.delivered - r.pending - r.failed),
                              share(r.delivered, r.listed),
                              std::to_string(r.delivered_amount)});
    };
    for (const auto& r : rows) {
        const core::Region* region = regions_ ? regions_->find(r.kelurahan_code) : nullptr;
        add_row(r, region ? region->name : "");
        total.listed += r.listed;
        total.delivered += r.delivered;
        total.pending += r.pending;
        total.failed += r.failed;
        total.delivered_amount += r.delivered_amount;
    }
    total.kelurahan_code = "Jumlah";
    add_row(total, "");
    std::string areas;
    for (const auto& a : actor.scope_area_codes) {
        areas += (areas.empty() ? "" : ", ") + a;
    }
    io::XlsxSheet about;
    about.name = "Tentang";
    about.header = {"Keterangan", "Isi"};
    about.rows = {
        {"Program", cycle.program_code},
        {"Tahap", std::to_string(cycle.number) + " - " + cycle.name},
        {"Masa tahap",
         core::format_date(cycle.starts_on) + " s.d. " + core::format_date(cycle.ends_on)},
        {"Status daftar", cycle.list_state},
        {"Hash daftar", cycle.list_hash},
        {"Dibuat", core::format_timestamp(clock_.now())},
        {"Wilayah", areas.empty() ? std::string("semua") : areas}};
    return io::write_xlsx(path, {sheet, about});
}

} // namespace kapal::service
