#include "kapal/service/voucher_service.hpp"

#include "kapal/core/region_registry.hpp"
#include "kapal/core/time.hpp"
#include "kapal/store/store_codec.hpp"

#include <algorithm>
#include <utility>

namespace kapal::service {
namespace {

bool is_admin(const Actor& actor) {
    return !actor.role || *actor.role == core::Role::Admin;
}

bool is_merchant(const Actor& actor) {
    return actor.role && *actor.role == core::Role::Merchant;
}

bool is_ledger_reader(const Actor& actor) {
    return is_admin(actor) || *actor.role == core::Role::Auditor;
}

/// Office staff: admins, operators, auditors and viewers.
bool is_office(const Actor& actor) {
    return is_admin(actor) || *actor.role == core::Role::Operator ||
           *actor.role == core::Role::Auditor || *actor.role == core::Role::Viewer;
}

bool in_scope(const std::string& kelurahan_code, const Actor& actor) {
    return actor.scope_area_codes.empty() ||
           std::any_of(
               actor.scope_area_codes.begin(),
               actor.scope_area_codes.end(),
               [&](const std::string& area) { return core::code_within(kelurahan_code, area); });
}

bool assigned(const store::AidProgramRecord& program, const Actor& actor) {
    return std::find(program.assignees.begin(), program.assignees.end(), actor.id) !=
           program.assignees.end();
}

} // namespace

VoucherService::VoucherService(store::Store& store,
                               AidService& aid,
                               const core::Clock& clock,
                               core::IdGenerator& ids)
    : store_(store)
    , aid_(aid)
    , clock_(clock)
    , ids_(ids) {}

store::WriteContext VoucherService::context(const Actor& actor) const {
    return {actor.id, actor.source, clock_.now(), {}};
}

Result<void> VoucherService::check_merchant_user(const store::MerchantRecord& merchant) {
    // What a client sent that does not fit is a validation error (422) naming the field.
    if (auto checked = store::check_merchant(merchant); !checked) {
        Error e = std::move(checked).error();
        e.code = ErrorCode::ValidationFailed;
        return fail(std::move(e));
    }
    KAPAL_ASSIGN_OR_RETURN(user, store_.get_user(merchant.user_id));
    if (!user || user->user.role != core::Role::Merchant) {
        return fail(ErrorCode::ValidationFailed,
                    "user " + merchant.user_id + " is not an account of role merchant",
                    {{"user_id", ErrorCode::InvalidArgument, merchant.user_id}});
    }
    return {};
}

Result<store::MerchantRecord> VoucherService::create_merchant(store::MerchantRecord merchant,
                                                              const Actor& actor) {
    if (!is_admin(actor)) {
        return fail(ErrorCode::Forbidden, "only admins register merchants");
    }
    KAPAL_TRY(check_merchant_user(merchant));
    const store::WriteContext ctx = context(actor);
    merchant.id = ids_.next(ctx.at);
    return store_.add_merchant(merchant, ctx);
}

Result<store::MerchantRecord> VoucherService::update_merchant(store::MerchantRecord merchant,
                                                              const Actor& actor) {
    if (!is_admin(actor)) {
        return fail(ErrorCode::Forbidden, "only admins change merchants");
    }
    KAPAL_TRY(check_merchant_user(merchant));
    return store_.update_merchant(merchant, context(actor));
}

Result<std::vector<store::MerchantRecord>> VoucherService::merchants(const Actor& actor) {
    if (!is_office(actor) && !is_merchant(actor)) {
        return fail(ErrorCode::Forbidden, "merchants are listed for office staff");
    }
    KAPAL_ASSIGN_OR_RETURN(all, store_.list_merchants());
    if (is_merchant(actor)) {
        std::erase_if(all, [&](const auto& m) { return m.user_id != actor.id; });
    }
    return all;
}

Result<store::MerchantRecord> VoucherService::merchant(const std::string& id, const Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(found, store_.get_merchant(id));
    if (!found || (!is_office(actor) && found->user_id != actor.id)) {
        return fail(ErrorCode::NotFound, "no merchant " + id);
    }
    return std::move(*found);
}

Result<store::MerchantRecord> VoucherService::acting_merchant(const std::string& merchant_id,
                                                              const Actor& actor) {
    if (!merchant_id.empty()) {
        KAPAL_ASSIGN_OR_RETURN(found, store_.get_merchant(merchant_id));
        if (!found) {
            return fail(ErrorCode::NotFound,
                        "no merchant " + merchant_id,
                        {{"merchant_id", ErrorCode::NotFound, merchant_id}});
        }
        if (!is_admin(actor) && found->user_id != actor.id) {
            return fail(ErrorCode::Forbidden, "you do not act for merchant " + found->name);
        }
        return std::move(*found);
    }
    if (is_admin(actor)) {
        return fail(ErrorCode::InvalidArgument,
                    "an admin names the merchant (merchant_id)",
                    {{"merchant_id", ErrorCode::InvalidArgument, ""}});
    }
    KAPAL_ASSIGN_OR_RETURN(all, store_.list_merchants());
    for (auto& m : all) {
        if (m.user_id == actor.id && m.active) {
            return std::move(m);
        }
    }
    return fail(ErrorCode::Forbidden, "your account acts for no active merchant");
}

Result<VoucherHolder> VoucherService::holder(const VoucherRequest& who, const Actor& actor) {
    if (!is_admin(actor) && !is_merchant(actor)) {
        return fail(ErrorCode::Forbidden, "vouchers are redeemed by merchants");
    }
    AidHandover lookup;
    lookup.cycle_id = who.cycle_id;
    lookup.qr = who.qr;
    lookup.card_number = who.card_number;
    lookup.person_id = who.person_id;
    KAPAL_ASSIGN_OR_RETURN(person, aid_.beneficiary(lookup, actor));
    KAPAL_ASSIGN_OR_RETURN(balance, store_.voucher_balance(who.cycle_id, person.person_id));
    return VoucherHolder{std::move(person), std::move(balance)};
}

Result<std::vector<AidBeneficiary>>
VoucherService::search(const std::string& cycle_id, const std::string& name, const Actor& actor) {
    if (!is_admin(actor) && !is_merchant(actor)) {
        return fail(ErrorCode::Forbidden, "vouchers are redeemed by merchants");
    }
    return aid_.search_list(cycle_id, name, actor);
}

Result<store::VoucherOutcome> VoucherService::redeem(const VoucherRequest& request,
                                                     const Actor& actor) {
    if (!is_admin(actor) && !is_merchant(actor)) {
        return fail(ErrorCode::Forbidden, "vouchers are redeemed by merchants");
    }
    const bool scanned = !request.qr.empty() || !request.card_number.empty();
    if (!scanned && request.search_reason.empty()) {
        return fail(ErrorCode::AidReasonRequired,
                    "a person found by search (no card scanned) needs a reason",
                    {{"search_reason", ErrorCode::AidReasonRequired, ""}});
    }
    if (request.amount <= 0 || request.amount > 1'000'000'000'000) {
        return fail(ErrorCode::InvalidArgument,
                    "amount must be a positive whole number of rupiah",
                    {{"amount", ErrorCode::InvalidArgument, std::to_string(request.amount)}});
    }
    if (request.note.size() > 500) {
        return fail(ErrorCode::InvalidArgument,
                    "note must be at most 500 bytes",
                    {{"note", ErrorCode::InvalidArgument, ""}});
    }
    KAPAL_ASSIGN_OR_RETURN(cycle, aid_.cycle(request.cycle_id, actor));
    KAPAL_ASSIGN_OR_RETURN(program, aid_.program(cycle.program_code, actor));
    if (!is_admin(actor) && !assigned(program, actor)) {
        return fail(ErrorCode::AidNotAssigned, "you are not assigned to " + program.code);
    }
    if (program.channel != "voucher") {
        return fail(ErrorCode::AidChannelMismatch,
                    "programme " + program.code + " is delivered by " + program.channel);
    }
    KAPAL_ASSIGN_OR_RETURN(merchant, acting_merchant(request.merchant_id, actor));
    AidHandover lookup;
    lookup.cycle_id = request.cycle_id;
    lookup.qr = request.qr;
    lookup.card_number = request.card_number;
    lookup.person_id = request.person_id;
    KAPAL_ASSIGN_OR_RETURN(who, aid_.beneficiary(lookup, actor));
    const store::WriteContext ctx = context(actor);
    const core::Date today = core::wita_date(ctx.at);
    if (today < cycle.starts_on || cycle.ends_on < today) {
        return fail(ErrorCode::AidCycleClosed,
                    "cycle " + cycle.name + " runs from " + core::format_date(cycle.starts_on) +
                        " to " + core::format_date(cycle.ends_on));
    }
    store::VoucherRedemption r;
    // In this order: the ledger lists by id, and an issue comes before the spend it allows.
    r.issue_id = ids_.next(ctx.at);
    r.delivery_id = ids_.next(ctx.at);
    r.id = ids_.next(ctx.at);
    r.cycle_id = cycle.id;
    r.person_id = who.person_id;
    r.merchant_id = merchant.id;
    r.amount = request.amount;
    r.note = request.note;
    r.card_number = scanned ? who.card_number : "";
    r.search_reason = scanned ? "" : request.search_reason;
    r.idempotency_key = request.idempotency_key;
    return store_.redeem_voucher(r, ctx);
}

Result<store::VoucherBalance> VoucherService::balance(const std::string& cycle_id,
                                                      const std::string& person_id,
                                                      const Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(cycle, aid_.cycle(cycle_id, actor));
    if (is_merchant(actor) || (actor.role && *actor.role == core::Role::Penyalur)) {
        KAPAL_ASSIGN_OR_RETURN(program, aid_.program(cycle.program_code, actor));
        if (!assigned(program, actor)) {
            return fail(ErrorCode::AidNotAssigned, "you are not assigned to " + program.code);
        }
        return store_.voucher_balance(cycle_id, person_id);
    }
    KAPAL_ASSIGN_OR_RETURN(found, store_.voucher_balance(cycle_id, person_id));
    if (!in_scope(found.kelurahan_code, actor)) {
        return fail(ErrorCode::NotFound, "no person " + person_id + " on this list");
    }
    return found;
}

Result<std::vector<store::VoucherTransaction>>
VoucherService::transactions(store::VoucherQuery query, const Actor& actor) {
    if (is_merchant(actor)) {
        KAPAL_ASSIGN_OR_RETURN(own, acting_merchant(query.merchant_id, actor));
        query.merchant_id = own.id;
    } else if (!is_ledger_reader(actor)) {
        return fail(ErrorCode::Forbidden, "the ledger is read by admins and auditors");
    }
    return store_.list_voucher_transactions(query);
}

Result<std::vector<store::MerchantTotal>>
VoucherService::merchant_totals(const std::string& cycle_id, const Actor& actor) {
    std::string own;
    if (is_merchant(actor)) {
        KAPAL_ASSIGN_OR_RETURN(mine, acting_merchant("", actor));
        own = mine.id;
    } else if (!is_ledger_reader(actor)) {
        return fail(ErrorCode::Forbidden, "merchant totals are read by admins and auditors");
    }
    KAPAL_ASSIGN_OR_RETURN(totals, store_.merchant_totals(cycle_id));
    if (!own.empty()) {
        std::erase_if(totals, [&](const auto& t) { return t.merchant_id != own; });
    }
    return totals;
}

} // namespace kapal::service
