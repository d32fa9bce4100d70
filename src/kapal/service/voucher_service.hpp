#pragma once
// The voucher channel of social assistance (issue 8, DESIGN.md §4c): merchants (e-warong)
// registered by admins, and redemptions of a beneficiary's voucher at a merchant's phone page
// after scanning the card. The entitlement (the programme's unit_value per cycle) is issued on
// the first redemption, as the person's one delivery of the cycle; the store keeps the
// double-entry ledger and refuses any spend beyond the balance. This service decides who may do
// what: admins register merchants; only a merchant assigned to the programme (acting for its own
// e-warong) or an admin redeems; admins and auditors read the ledger.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/result.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/aid_service.hpp"
#include "kapal/store/store.hpp"

#include <string>
#include <vector>

namespace kapal::service {

/// A redemption as the merchant's phone sends it.
struct VoucherRequest {
    std::string cycle_id;
    std::string qr;            ///< the scanned QR text (verified); or
    std::string card_number;   ///< the card number typed from the card; or
    std::string person_id;     ///< the person found by name ...
    std::string search_reason; ///< ... and why the card was not scanned (required then)
    std::string merchant_id;   ///< "" = the actor's own e-warong
    std::int64_t amount = 0;   ///< rupiah
    std::string note;          ///< the goods
    std::string idempotency_key;
};

/// What the merchant's page shows after a scan: who, and what is left.
struct VoucherHolder {
    AidBeneficiary person;
    store::VoucherBalance balance;
};

class VoucherService {
  public:
    VoucherService(store::Store& store,
                   AidService& aid,
                   const core::Clock& clock,
                   core::IdGenerator& ids);

    /// Registers a merchant (admins); its user must be an account of role Merchant.
    /// Errors: Forbidden, ValidationFailed (naming the field), AlreadyExists.
    Result<store::MerchantRecord> create_merchant(store::MerchantRecord merchant,
                                                  const Actor& actor);

    /// At `merchant.version` (admins). Errors: as create_merchant, NotFound, VersionConflict.
    Result<store::MerchantRecord> update_merchant(store::MerchantRecord merchant,
                                                  const Actor& actor);

    /// Every merchant for office staff (admin, operator, auditor, viewer); a merchant account
    /// sees its own. Errors: Forbidden (penyalur).
    Result<std::vector<store::MerchantRecord>> merchants(const Actor& actor);

    /// Errors: NotFound (also one the actor may not see).
    Result<store::MerchantRecord> merchant(const std::string& id, const Actor& actor);

    /// The person and the voucher's balance, for the merchant's page after a scan (as
    /// AidService::beneficiary: an assigned merchant or an admin). Errors: as beneficiary,
    /// AidChannelMismatch, AidNotOnList.
    Result<VoucherHolder> holder(const VoucherRequest& who, const Actor& actor);

    /// Beneficiaries of a cycle by name, for the merchant's page when no card is at hand (as
    /// AidService::search_list). Errors: as search_list, Forbidden.
    Result<std::vector<AidBeneficiary>>
    search(const std::string& cycle_id, const std::string& name, const Actor& actor);

    /// Redeems at a merchant. Errors: Forbidden, AidNotAssigned, AidReasonRequired,
    /// InvalidArgument (amount, note, merchant), AidCycleClosed, and the store's
    /// (AidVoucherInsufficient, AidAlreadyDelivered, IdempotencyKeyReused, ...).
    Result<store::VoucherOutcome> redeem(const VoucherRequest& request, const Actor& actor);

    /// A person's balance in a cycle: admins, auditors, office staff of the person's area, and
    /// assigned merchants. Errors: NotFound, AidNotOnList.
    Result<store::VoucherBalance>
    balance(const std::string& cycle_id, const std::string& person_id, const Actor& actor);

    /// Ledger transactions: admins and auditors read any (a cycle's ledger); a merchant reads
    /// its own e-warong's. Errors: Forbidden, InvalidArgument (limit).
    Result<std::vector<store::VoucherTransaction>> transactions(store::VoucherQuery query,
                                                                const Actor& actor);

    /// What the Dinas owes each e-warong ("" = every cycle): admins and auditors; a merchant
    /// sees its own line. Errors: Forbidden.
    Result<std::vector<store::MerchantTotal>> merchant_totals(const std::string& cycle_id,
                                                              const Actor& actor);

  private:
    store::WriteContext context(const Actor& actor) const;
    /// The e-warong the actor acts for (merchant_id, or its own when empty).
    Result<store::MerchantRecord> acting_merchant(const std::string& merchant_id,
                                                  const Actor& actor);
    /// store::check_merchant and the user's role, as ValidationFailed naming the field.
    Result<void> check_merchant_user(const store::MerchantRecord& merchant);

    store::Store& store_;
    AidService& aid_;
    const core::Clock& clock_;
    core::IdGenerator& ids_;
};

} // namespace kapal::service
