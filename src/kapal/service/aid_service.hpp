#pragma once
// Social assistance (penyaluran bantuan sosial, DESIGN.md §4; issue 8): programmes and their
// cycles, beneficiary lists made from an eligibility rule (docs/eligibility.md) with quotas and
// changes by hand, maker-checker approval that freezes a list, and handovers recorded once.
// The store enforces "never twice"; this service decides who may do what, where.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/core/result.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/card_service.hpp"
#include "kapal/store/store.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kapal::service {

/// Settings of the anomaly checks.
struct AidSettings {
    /// A handover farther than this from both the person's home and the cycle's site is flagged
    /// aid.far_from_home.
    double far_from_home_m = 2000;
};

/// The preview of a rule before a list is made: how many persons it matches, per kelurahan.
struct AidRulePreview {
    std::string canonical; ///< the rule as the language normalises it
    std::size_t evaluated = 0;
    std::size_t matched = 0;
    std::map<std::string, std::size_t> per_kelurahan;
};

/// What generating a list did.
struct AidListGeneration {
    store::AidCycleRecord cycle;
    std::size_t matched = 0;                        ///< persons the rule matched
    std::size_t listed = 0;                         ///< put on the list (quotas applied)
    std::map<std::string, std::size_t> over_quota;  ///< per quota area: matched but left off
    std::map<std::string, std::size_t> flag_counts; ///< per anomaly flag id: entries flagged
};

/// A handover as the penyalur's phone sends it: the card scanned, or the person searched with a
/// reason.
struct AidHandover {
    std::string cycle_id;
    std::string qr;            ///< the scanned QR text (verified); or
    std::string card_number;   ///< the card number typed from the card; or empty and then:
    std::string person_id;     ///< the person searched for by hand ...
    std::string search_reason; ///< ... and why the card was not scanned (required then)
    std::optional<double> lon; ///< the device's position
    std::optional<double> lat;
    std::optional<double> accuracy_m;
    std::string evidence_type; ///< "", image/jpeg or image/png (a photo or a signature)
    std::vector<std::uint8_t> evidence;
    std::string note;
    std::string idempotency_key; ///< the client's Idempotency-Key
    /// When the handover was made on a device that was offline (docs/sync.md): the cycle's days
    /// are checked at that moment instead of now. At most kMaxClockSkew ahead of the clock.
    std::optional<core::Timestamp> done_at;
};

/// How far ahead of the server's clock a device's time may be.
inline constexpr std::chrono::minutes kMaxClockSkew{5};

/// What a penyalur sees of a beneficiary: enough to recognise them, nothing more.
struct AidBeneficiary {
    std::string person_id;
    std::string name;
    std::string kelurahan_code;
    std::string card_number; ///< the active card, if any
    bool on_list = false;
    std::optional<store::AidDeliveryRecord> delivery; ///< this cycle's, when there is one
};

class AidService {
  public:
    AidService(store::Store& store,
               CardService& cards,
               const core::Clock& clock,
               core::IdGenerator& ids,
               const core::RegionRegistry* regions = nullptr,
               AidSettings settings = {});

    // --- Programmes and cycles (admins create and change them; everyone who may read the
    // registry reads them; a penyalur or merchant sees the programmes they are assigned to).

    /// Errors: Forbidden, AlreadyExists, InvalidArgument, AidRuleInvalid (the rule).
    Result<store::AidProgramRecord> create_program(store::AidProgramRecord program,
                                                   const Actor& actor);
    /// At `program.version`. Errors: as create_program, NotFound, VersionConflict.
    Result<store::AidProgramRecord> update_program(store::AidProgramRecord program,
                                                   const Actor& actor);
    Result<std::vector<store::AidProgramRecord>> programs(const Actor& actor);
    /// Errors: NotFound (also a programme a penyalur is not assigned to).
    Result<store::AidProgramRecord> program(const std::string& code, const Actor& actor);

    /// Errors: Forbidden, NotFound (programme), AlreadyExists, InvalidArgument.
    Result<store::AidCycleRecord> create_cycle(store::AidCycleRecord cycle, const Actor& actor);
    Result<std::vector<store::AidCycleRecord>> cycles(const std::string& program_code,
                                                      const Actor& actor);
    /// Errors: NotFound (also of a programme a penyalur is not assigned to).
    Result<store::AidCycleRecord> cycle(const std::string& id, const Actor& actor);

    // --- Lists (operators without an area limit and admins make them; admins approve).

    /// Evaluates a rule on the registry (the actor's areas) without writing anything.
    /// Errors: Forbidden, AidRuleInvalid.
    Result<AidRulePreview> preview(const std::string& rule, const Actor& actor);

    /// Makes a draft list from the programme's rule, the quotas (persons ordered by severity,
    /// then age, oldest first) and the anomaly flags; keeps the entries made by hand. An operator
    /// limited to areas regenerates the entries of those areas only (the others' count against
    /// the quotas). Errors: Forbidden, NotFound, VersionConflict, AidListState, AidRuleInvalid.
    Result<AidListGeneration>
    generate_list(const std::string& cycle_id, std::int64_t expected_version, const Actor& actor);

    /// Puts a person of the actor's areas on a draft list by hand, or takes one off, with a
    /// reason. Errors: Forbidden, NotFound, VersionConflict, AidListState, AidReasonRequired,
    /// AlreadyExists.
    Result<store::AidCycleRecord> add_to_list(const std::string& cycle_id,
                                              std::int64_t expected_version,
                                              const core::PersonId& person,
                                              const std::string& reason,
                                              const Actor& actor);
    Result<store::AidCycleRecord> remove_from_list(const std::string& cycle_id,
                                                   std::int64_t expected_version,
                                                   const core::PersonId& person,
                                                   const std::string& reason,
                                                   const Actor& actor);

    /// Maker-checker: propose (admin, operator), approve or return (admin, not the proposer).
    /// Errors: Forbidden, NotFound, VersionConflict, AidListState, AidSelfApproval.
    Result<store::AidCycleRecord> move_list(const std::string& cycle_id,
                                            std::int64_t expected_version,
                                            const std::string& to_state,
                                            const std::string& reason,
                                            const Actor& actor);

    /// A page of a list (the actor's areas; a penyalur of the programme sees it all).
    Result<std::vector<store::AidListEntry>> entries(store::AidEntryQuery query,
                                                     const Actor& actor);

    // --- Delivery

    /// Finds a beneficiary of a cycle by the QR, the card number or the person id of `who`
    /// (what the handover page shows after a scan), for an assigned penyalur or an admin. A QR
    /// must verify as a valid card of this registry. Errors: NotFound, AidNotAssigned,
    /// CardAlreadyRevoked (a revoked card), CredentialMalformed (a QR that does not verify),
    /// CardNumberInvalid.
    Result<AidBeneficiary> beneficiary(const AidHandover& who, const Actor& actor);

    /// Beneficiaries of a cycle whose name contains `name` (at least 3 characters; at most 20
    /// answers), for the handover page when a card is not at hand. Errors: as beneficiary,
    /// InvalidArgument (a name too short).
    Result<std::vector<AidBeneficiary>>
    search_list(const std::string& cycle_id, const std::string& name, const Actor& actor);

    /// Every beneficiary on the approved list of a cycle, by person id, for the handover page
    /// offline (docs/sync.md "Pulling"): who each one is, their card, whether served. An
    /// assigned penyalur or an admin. Errors: as search_list, AidListState (not approved).
    Result<std::vector<AidBeneficiary>> handover_list(const std::string& cycle_id,
                                                      const Actor& actor);

    /// Records a handover (channel langsung) by an assigned penyalur (or an admin): the list must
    /// be approved, the day within the cycle, the person on the list and not yet served. Flags
    /// aid.person_inactive and aid.far_from_home on the record. Errors: Forbidden,
    /// AidNotAssigned, NotFound, AidChannelMismatch, AidCycleClosed, AidListState, AidNotOnList,
    /// AidAlreadyDelivered, AidReasonRequired (searched without a reason), CardAlreadyRevoked,
    /// IdempotencyKeyReused, InvalidArgument (position, evidence).
    Result<store::AidDeliveryOutcome> hand_over(const AidHandover& handover, const Actor& actor);

    /// One delivery of a person's aid history, with its programme and cycle named.
    struct PersonAid {
        store::AidDeliveryRecord delivery; ///< without evidence bytes
        std::string program_name;
        std::int64_t cycle_number = 0;
        std::string cycle_name;
    };

    /// Every delivery to a person, every programme and cycle, oldest first (the Detail page's
    /// "aid received"). Readers of the registry whose areas hold the person's home. Errors:
    /// Forbidden (role), NotFound (unknown, or outside the actor's areas).
    Result<std::vector<PersonAid>> person_aid(const std::string& person_id, const Actor& actor);

    /// Deliveries of a cycle (the actor's areas; a penyalur sees their programme's).
    Result<std::vector<store::AidDeliveryRecord>> deliveries(store::AidDeliveryQuery query,
                                                             const Actor& actor);

    /// One delivery with its evidence. Errors: NotFound (also outside the actor's reach).
    Result<store::AidDeliveryRecord> delivery(const std::string& id, const Actor& actor);

    /// Realisation per kelurahan of a cycle (the actor's areas).
    Result<std::vector<store::AidRealisationRow>> realisation(const std::string& cycle_id,
                                                              const Actor& actor);

    /// The realisation as a workbook at `path`: one sheet "Realisasi" with each kelurahan
    /// (code, name), listed, delivered, pending, failed, not yet, the share delivered and the
    /// amount, and a total row; a second sheet "Tentang" says which cycle, when and for whom.
    Result<void> write_realisation_xlsx(const std::string& cycle_id,
                                        const Actor& actor,
                                        const std::string& path);

  private:
    store::WriteContext context(const Actor& actor) const;
    Result<store::AidProgramRecord> reachable_program(const std::string& code, const Actor& actor);
    Result<store::AidCycleRecord> reachable_cycle(const std::string& id, const Actor& actor);
    Result<void> check_rule(const std::string& rule) const;

    store::Store& store_;
    CardService& cards_;
    const core::Clock& clock_;
    core::IdGenerator& ids_;
    const core::RegionRegistry* regions_;
    AidSettings settings_;
};

} // namespace kapal::service
