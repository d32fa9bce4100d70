#pragma once
// The duplicate review queue (issue 9): pairs of persons that may be one, proposed by the check
// on every create and import and by a scan of the whole registry, and the reviewer's decision:
// merge (the other record stays; this one becomes nonaktif with merged_into, its history kept,
// its reads redirected) or distinct (never proposed again). docs/integrity.md, "Review queue".

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/result.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/person_index.hpp"
#include "kapal/store/store.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

namespace kapal::service {

/// A pair with both records as they are now. A record outside the actor's areas is absent
/// (the actor sees the pair because the other home is theirs).
struct DuplicatePairView {
    store::DuplicatePairRecord pair;
    std::optional<core::PersonRecord> a;
    std::optional<core::PersonRecord> b;
};

/// What a scan of the registry did.
struct DuplicateScanOutcome {
    std::size_t persons = 0;  ///< active, unmerged persons compared
    std::size_t compared = 0; ///< candidate pairs scored (blocking)
    std::size_t found = 0;    ///< pairs scoring at least integrity::kDuplicateThreshold
    std::size_t added = 0;    ///< of them, new to the queue (the others were known or decided)
};

class DuplicateReview {
  public:
    DuplicateReview(store::Store& store, const core::Clock& clock, core::IdGenerator& ids);

    /// The index kept current with merges (the absorbed record's new version); may be null.
    void set_index(PersonIndex* index) { index_ = index; }

    /// The queue, oldest first: pairs with either home in the actor's areas. Admin, operator and
    /// auditor. Errors: Forbidden, BadCursor, InvalidArgument (state, limit).
    Result<store::Page<store::DuplicatePairRecord>> list(store::DuplicatePairQuery query,
                                                         const Actor& actor);

    /// One pair with both records. Errors: Forbidden (role), NotFound (unknown, or neither home
    /// in the actor's areas).
    Result<DuplicatePairView> get(const std::string& id, const Actor& actor);

    /// A pair the actor was given by list() with both records as they are now (those outside
    /// the actor's areas absent): what get() adds, without reading the pair again.
    Result<DuplicatePairView> with_records(store::DuplicatePairRecord pair, const Actor& actor);

    /// Decides a pair "berbeda". Admin, or an operator whose areas hold both homes; a reason of
    /// at least 5 characters. Errors: Forbidden, NotFound, ValidationFailed (reason),
    /// VersionConflict, DuplicatePairDecided.
    Result<store::DuplicatePairRecord> mark_distinct(const std::string& id,
                                                     std::int64_t expected_version,
                                                     const std::string& reason,
                                                     const Actor& actor);

    /// Merges a pair: `keep_id` stays; the other record gets a new version (nonaktif, dated
    /// today, merged_into = keep_id, the reason in status_reason; its active card revoked), in
    /// one transaction with the decision. Who may: as mark_distinct. Errors: as mark_distinct,
    /// plus InvalidArgument (keep_id not in the pair), PersonMerged (either record already
    /// merged).
    Result<store::DuplicateMergeOutcome> merge(const std::string& id,
                                               std::int64_t expected_version,
                                               const std::string& keep_id,
                                               const std::string& reason,
                                               const Actor& actor);

    /// Compares every active, unmerged person with every other under blocking (the linkage
    /// engine's batch run) and puts the pairs scoring at least the threshold into the queue
    /// (source "pemindaian"). Admin or the command line. `progress` (optional) is told the
    /// persons read so far. Errors: Forbidden, the store's.
    Result<DuplicateScanOutcome> scan(const Actor& actor,
                                      const std::function<void(std::size_t)>& progress = {});

  private:
    /// Admin, the command line, or an operator whose areas hold both homes.
    Result<void> may_decide(const store::DuplicatePairRecord& pair, const Actor& actor) const;
    Result<store::DuplicatePairRecord> pair_for(const std::string& id, const Actor& actor);
    store::WriteContext context(const Actor& actor, std::string reason = {}) const;

    store::Store& store_;
    const core::Clock& clock_;
    core::IdGenerator& ids_;
    PersonIndex* index_ = nullptr;
};

} // namespace kapal::service
