#include "kapal/service/duplicate_review.hpp"

#include "kapal/core/region_registry.hpp"
#include "kapal/core/time.hpp"
#include "kapal/integrity/linkage.hpp"
#include "kapal/service/duplicate_check.hpp"
#include "kapal/store/store_codec.hpp"

#include <algorithm>

namespace kapal::service {

namespace {

bool reads_queue(const Actor& actor) {
    return !actor.role || *actor.role == core::Role::Admin || *actor.role == core::Role::Operator ||
           *actor.role == core::Role::Auditor;
}

bool is_admin(const Actor& actor) {
    return !actor.role || *actor.role == core::Role::Admin;
}

/// The smallest reason a decision is taken with: enough to say why, not a formality.
constexpr std::size_t kMinReason = 5;

Result<void> check_reason(const std::string& reason) {
    if (reason.size() < kMinReason) {
        return fail(ErrorCode::ValidationFailed,
                    "say why, in at least 5 characters",
                    {{"reason", ErrorCode::AidReasonRequired, ""}});
    }
    return {};
}

} // namespace

DuplicateReview::DuplicateReview(store::Store& store,
                                 const core::Clock& clock,
                                 core::IdGenerator& ids)
    : store_(store)
    , clock_(clock)
    , ids_(ids) {}

store::WriteContext DuplicateReview::context(const Actor& actor, std::string reason) const {
    return {actor.id, actor.source, clock_.now(), std::move(reason)};
}

Result<store::Page<store::DuplicatePairRecord>>
DuplicateReview::list(store::DuplicatePairQuery query, const Actor& actor) {
    if (!reads_queue(actor)) {
        return fail(ErrorCode::Forbidden, "the duplicate queue is for office staff");
    }
    if (!query.state.empty() && query.state != store::kPairOpen &&
        query.state != store::kPairMerged && query.state != store::kPairDistinct) {
        return fail(ErrorCode::InvalidArgument,
                    "state is terbuka, digabung or berbeda",
                    {{"state", ErrorCode::InvalidArgument, query.state}});
    }
    query.area_codes = actor.scope_area_codes;
    return store_.list_duplicate_pairs(query);
}

Result<store::DuplicatePairRecord> DuplicateReview::pair_for(const std::string& id,
                                                             const Actor& actor) {
    if (!reads_queue(actor)) {
        return fail(ErrorCode::Forbidden, "the duplicate queue is for office staff");
    }
    KAPAL_ASSIGN_OR_RETURN(found, store_.get_duplicate_pair(id));
    if (!found ||
        (!actor_covers(actor, found->kelurahan_a) && !actor_covers(actor, found->kelurahan_b))) {
        return fail(ErrorCode::NotFound, "no duplicate pair " + id);
    }
    return std::move(*found);
}

Result<DuplicatePairView> DuplicateReview::get(const std::string& id, const Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(pair, pair_for(id, actor));
    return with_records(std::move(pair), actor);
}

Result<DuplicatePairView> DuplicateReview::with_records(store::DuplicatePairRecord pair,
                                                        const Actor& actor) {
    DuplicatePairView view;
    KAPAL_ASSIGN_OR_RETURN(a, store_.get_person(pair.person_a));
    KAPAL_ASSIGN_OR_RETURN(b, store_.get_person(pair.person_b));
    if (actor_covers(actor, a.person.address.kelurahan_code)) {
        view.a = std::move(a);
    }
    if (actor_covers(actor, b.person.address.kelurahan_code)) {
        view.b = std::move(b);
    }
    view.pair = std::move(pair);
    return view;
}

Result<void> DuplicateReview::may_decide(const store::DuplicatePairRecord& pair,
                                         const Actor& actor) const {
    if (is_admin(actor)) {
        return {};
    }
    if (actor.role && *actor.role == core::Role::Operator &&
        actor_covers(actor, pair.kelurahan_a) && actor_covers(actor, pair.kelurahan_b)) {
        return {};
    }
    return fail(ErrorCode::Forbidden,
                "only an admin, or an operator whose areas hold both homes, decides a pair");
}

Result<store::DuplicatePairRecord> DuplicateReview::mark_distinct(const std::string& id,
                                                                  std::int64_t expected_version,
                                                                  const std::string& reason,
                                                                  const Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(pair, pair_for(id, actor));
    KAPAL_TRY(may_decide(pair, actor));
    KAPAL_TRY(check_reason(reason));
    return store_.mark_duplicate_pair_distinct(id, expected_version, context(actor, reason));
}

Result<store::DuplicateMergeOutcome> DuplicateReview::merge(const std::string& id,
                                                            std::int64_t expected_version,
                                                            const std::string& keep_id,
                                                            const std::string& reason,
                                                            const Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(pair, pair_for(id, actor));
    KAPAL_TRY(may_decide(pair, actor));
    KAPAL_TRY(check_reason(reason));
    KAPAL_TRY(store::check_open_pair(pair, expected_version));
    const core::PersonId keep(keep_id);
    if (keep != pair.person_a && keep != pair.person_b) {
        return fail(ErrorCode::ValidationFailed,
                    "keep_id names one of the pair",
                    {{"keep_id", ErrorCode::InvalidArgument, keep_id}});
    }
    const core::PersonId absorbed_id = keep == pair.person_a ? pair.person_b : pair.person_a;
    KAPAL_ASSIGN_OR_RETURN(kept, store_.get_person(keep));
    KAPAL_ASSIGN_OR_RETURN(absorbed, store_.get_person(absorbed_id));
    for (const auto* r : {&kept, &absorbed}) {
        if (!r->person.merged_into.empty()) {
            return fail(ErrorCode::PersonMerged,
                        "record " + r->id.str() + " was already merged into " +
                            r->person.merged_into,
                        {{"keep_id", ErrorCode::PersonMerged, r->id.str()}});
        }
    }
    const auto ctx = context(actor, reason);
    store::DuplicateMerge m;
    m.pair_id = id;
    m.pair_version = expected_version;
    m.absorbed = absorbed_id;
    m.absorbed_version = absorbed.version;
    m.absorbed_content = absorbed.person;
    m.absorbed_content.status = core::Status::Nonaktif;
    m.absorbed_content.status_date = core::wita_date(ctx.at);
    m.absorbed_content.status_reason = "digabung ke " + keep_id + ": " + reason;
    m.absorbed_content.merged_into = keep_id;
    m.absorbed_kecamatan = absorbed.kecamatan_code;
    KAPAL_ASSIGN_OR_RETURN(outcome, store_.merge_duplicate_pair(m, ctx));
    if (index_ != nullptr) {
        index_->apply(outcome.absorbed);
    }
    return outcome;
}

Result<DuplicateScanOutcome>
DuplicateReview::scan(const Actor& actor, const std::function<void(std::size_t)>& progress) {
    if (!is_admin(actor)) {
        return fail(ErrorCode::Forbidden, "only an admin scans the whole registry");
    }

    // Every active, unmerged person, as linkage compares them (NIK and KK in clear, in memory
    // only for the run), and what a pair needs besides: the id and the kelurahan.
    struct Seen {
        core::PersonId id;
        std::string kelurahan_code;
    };

    std::vector<integrity::LinkRecord> records;
    std::vector<Seen> persons;
    store::PersonQuery query;
    query.status = core::Status::Aktif;
    query.limit = 1000;
    for (;;) {
        KAPAL_ASSIGN_OR_RETURN(page, store_.list_persons(query));
        for (auto& r : page.items) {
            if (!r.person.merged_into.empty()) {
                continue;
            }
            records.push_back(integrity::link_record(r.id.str(), r.person));
            persons.push_back({r.id, r.person.address.kelurahan_code});
        }
        if (progress) {
            progress(persons.size());
        }
        if (page.next_cursor.empty()) {
            break;
        }
        query.cursor = page.next_cursor;
    }
    const auto model = integrity::LinkageModel::defaults();
    integrity::BlockingOptions options;
    options.min_score = integrity::kDuplicateThreshold;
    integrity::BlockingStats stats;
    const auto found = integrity::candidate_pairs(records, model, options, &stats);

    DuplicateScanOutcome out;
    out.persons = persons.size();
    out.compared = stats.pairs;
    out.found = found.size();
    const auto ctx = context(actor, "pemindaian seluruh data");
    std::vector<store::DuplicatePairRecord> pairs;
    const auto flush = [&]() -> Result<void> {
        if (pairs.empty()) {
            return {};
        }
        KAPAL_ASSIGN_OR_RETURN(added, store_.propose_duplicate_pairs(pairs, ctx));
        out.added += static_cast<std::size_t>(std::count(added.begin(), added.end(), true));
        pairs.clear();
        return {};
    };
    for (const auto& c : found) {
        const auto& first = persons[c.a];
        const auto& second = persons[c.b];
        const bool ordered = first.id.str() < second.id.str();
        const auto& a = ordered ? first : second;
        const auto& b = ordered ? second : first;
        store::DuplicatePairRecord p;
        p.id = ids_.next(ctx.at);
        p.person_a = a.id;
        p.person_b = b.id;
        p.kelurahan_a = a.kelurahan_code;
        p.kelurahan_b = b.kelurahan_code;
        p.score = c.score;
        p.explanation = explanation_json(integrity::explain(c.comparison, model));
        p.source = "pemindaian";
        pairs.push_back(std::move(p));
        if (pairs.size() == 500) {
            KAPAL_TRY(flush());
        }
    }
    KAPAL_TRY(flush());
    return out;
}

} // namespace kapal::service
