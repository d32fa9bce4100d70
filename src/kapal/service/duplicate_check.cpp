#include "kapal/service/duplicate_check.hpp"

#include "kapal/core/region_registry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <mutex>
#include <unordered_set>

namespace kapal::service {
namespace {

// A normalised name packed into one string: its four parts (tokens, patronym, phonetic keys,
// phonetic set) separated by kPart, the words of a part by kWord. Normalised tokens are lower-case
// ASCII letters, so neither byte occurs in them.
constexpr char kPart = '\x1e';
constexpr char kWord = '\x1f';

void pack_words(const std::vector<std::string>& words, std::string& out) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) {
            out += kWord;
        }
        out += words[i];
    }
    out += kPart;
}

std::string pack_name(const integrity::NormalizedName& name) {
    std::string out;
    pack_words(name.tokens, out);
    pack_words(name.patronym, out);
    pack_words(name.phonetic, out);
    out += name.phonetic_set;
    return out;
}

/// Unpacks into `words`, reusing the strings it already holds (no allocation once warm); returns
/// where the next part starts.
std::size_t unpack_words(std::string_view packed, std::size_t at, std::vector<std::string>& words) {
    const std::size_t end = std::min(packed.find(kPart, at), packed.size());
    std::size_t n = 0;
    while (at < end) {
        const std::size_t stop = std::min(packed.find(kWord, at), end);
        if (n == words.size()) {
            words.emplace_back();
        }
        words[n++].assign(packed.substr(at, stop - at));
        at = stop + (stop < end ? 1 : 0);
    }
    words.resize(n);
    return end + 1;
}

void unpack_name(std::string_view packed, integrity::NormalizedName& name) {
    std::size_t at = unpack_words(packed, 0, name.tokens);
    at = unpack_words(packed, at, name.patronym);
    at = unpack_words(packed, at, name.phonetic);
    name.phonetic_set.assign(at < packed.size() ? packed.substr(at) : std::string_view());
}

/// The blocking keys the index can hold: those of name, birth date and kelurahan (NIK and phone
/// are not in the change feed; an equal NIK is refused by the store anyway).
std::vector<std::uint64_t> hashed_keys(integrity::LinkRecord record) {
    record.nik.clear();
    record.phone.clear();
    std::vector<std::uint64_t> out;
    for (const std::string& key : integrity::blocking_keys(record)) {
        out.push_back(std::hash<std::string>{}(key));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

/// A candidate this far below the threshold on the indexed fields cannot reach it with the
/// others (NIK one digit off, KK, home and phone together add at most about 17).
constexpr double kPartialFloor = integrity::kDuplicateThreshold - 17.0;

/// Candidates read from the store and scored in full, per check.
constexpr std::size_t kFullyCompared = 10;

} // namespace

std::vector<std::uint64_t> DuplicateIndex::keys_of(const integrity::LinkRecord& record) {
    return hashed_keys(record);
}

void DuplicateIndex::upsert(const store::PersonSummary& s) {
    integrity::LinkRecord record;
    record.id = s.id.str();
    record.name = integrity::normalize_name(s.full_name);
    record.birth_date = s.birth_date;
    record.sex = s.sex;
    record.kelurahan_code = s.kelurahan_code;
    auto keys = keys_of(record);
    Entry next{
        s.id.str(), pack_name(record.name), s.kelurahan_code, s.birth_date, s.sex, s.version};
    const std::unique_lock lock(mutex_);
    const auto found = slot_of_.find(next.id);
    std::uint32_t slot = 0;
    if (found == slot_of_.end()) {
        slot = static_cast<std::uint32_t>(entries_.size());
        slot_of_.emplace(next.id, slot);
        entries_.push_back(std::move(next));
    } else {
        slot = found->second;
        Entry& held = entries_[slot];
        if (held.version > next.version) {
            return;
        }
        integrity::LinkRecord old;
        unpack_name(held.packed_name, old.name);
        old.birth_date = held.birth_date;
        old.sex = held.sex;
        old.kelurahan_code = held.kelurahan_code;
        for (const std::uint64_t key : keys_of(old)) {
            auto [from, to] = blocks_.equal_range(key);
            for (auto it = from; it != to;) {
                it = it->second == slot ? blocks_.erase(it) : std::next(it);
            }
        }
        held = std::move(next);
    }
    for (const std::uint64_t key : keys) {
        blocks_.emplace(key, slot);
    }
}

std::vector<DuplicateIndex::Candidate>
DuplicateIndex::candidates(const integrity::LinkRecord& record,
                           const integrity::LinkageModel& model,
                           std::size_t limit,
                           std::size_t max_examined) const {
    const auto keys = hashed_keys(record);
    const std::shared_lock lock(mutex_);
    // The smallest blocks first: a rare key says more, and a common one (a frequent first name
    // in a birth year) is what the budget of `max_examined` cuts short.
    std::vector<std::pair<std::size_t, std::uint64_t>> blocks;
    for (const std::uint64_t key : keys) {
        blocks.emplace_back(blocks_.count(key), key);
    }
    std::sort(blocks.begin(), blocks.end());
    // Each member is scored on one reused record (its strings keep their capacity), and only
    // the best `limit` become candidates.
    integrity::LinkRecord theirs;
    std::vector<std::pair<double, std::uint32_t>> scored;
    std::unordered_set<std::uint32_t> seen;
    for (const auto& [size, key] : blocks) {
        auto [from, to] = blocks_.equal_range(key);
        for (auto it = from; it != to && seen.size() < max_examined; ++it) {
            if (!seen.insert(it->second).second) {
                continue;
            }
            const Entry& e = entries_[it->second];
            if (e.id == record.id) {
                continue;
            }
            unpack_name(e.packed_name, theirs.name);
            theirs.birth_date = e.birth_date;
            theirs.sex = e.sex;
            theirs.kelurahan_code = e.kelurahan_code;
            scored.emplace_back(model.score(integrity::compare(record, theirs)), it->second);
        }
    }
    const auto better = [this](const std::pair<double, std::uint32_t>& a,
                               const std::pair<double, std::uint32_t>& b) {
        return a.first != b.first ? a.first > b.first
                                  : entries_[a.second].id < entries_[b.second].id;
    };
    const std::size_t kept = std::min(limit, scored.size());
    std::partial_sort(
        scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(kept), scored.end(), better);
    std::vector<Candidate> out;
    out.reserve(kept);
    for (std::size_t i = 0; i < kept; ++i) {
        const Entry& e = entries_[scored[i].second];
        Candidate c{core::PersonId(e.id), {}, scored[i].first};
        c.record.id = e.id;
        unpack_name(e.packed_name, c.record.name);
        c.record.birth_date = e.birth_date;
        c.record.sex = e.sex;
        c.record.kelurahan_code = e.kelurahan_code;
        out.push_back(std::move(c));
    }
    return out;
}

std::size_t DuplicateIndex::size() const {
    const std::shared_lock lock(mutex_);
    return entries_.size();
}

std::size_t DuplicateIndex::memory_bytes() const {
    const std::shared_lock lock(mutex_);
    const auto heap = [](const std::string& s) {
        return s.capacity() > 15 ? s.capacity() + 1 : 0;
    };
    std::size_t bytes = entries_.capacity() * sizeof(Entry);
    for (const Entry& e : entries_) {
        bytes += heap(e.id) + heap(e.packed_name) + heap(e.kelurahan_code);
    }
    // Node-based maps: a node (next pointer, value, cached hash for strings) and a bucket each.
    bytes += slot_of_.size() * (sizeof(void*) + sizeof(std::string) + 8 + 8 + 32) +
             slot_of_.bucket_count() * sizeof(void*);
    bytes += blocks_.size() * (sizeof(void*) + 16) + blocks_.bucket_count() * sizeof(void*);
    return bytes;
}

std::string mask_name(std::string_view full_name) {
    std::string out;
    bool at_start = true;
    for (const char c : full_name) {
        const bool space = c == ' ' || c == '\t';
        if (space) {
            at_start = true;
            continue;
        }
        if (at_start) {
            if (!out.empty()) {
                out += ' ';
            }
            // The first byte of a multi-byte letter would be half a character: mask it too.
            out += (static_cast<unsigned char>(c) & 0x80U) != 0 ? '*' : c;
            out += "***";
            at_start = false;
        }
    }
    return out;
}

DuplicateCheck::DuplicateCheck(store::Store& store, const DuplicateIndex& index)
    : store_(store)
    , index_(index)
    , model_(integrity::LinkageModel::defaults()) {}

Result<std::vector<DuplicateMatch>> DuplicateCheck::find(const core::Person& person,
                                                         const std::optional<core::PersonId>& self,
                                                         std::size_t limit) const {
    const integrity::LinkRecord mine = integrity::link_record(self ? self->str() : "", person);
    std::vector<DuplicateMatch> out;
    for (const auto& candidate : index_.candidates(mine, model_, kFullyCompared)) {
        if (candidate.partial_score < kPartialFloor) {
            break;
        }
        auto other = store_.get_person(candidate.id);
        if (!other) {
            if (other.error().code == ErrorCode::NotFound) {
                continue; // the index ran ahead of this store's view; nothing to compare
            }
            return fail(std::move(other).error());
        }
        if (!other->person.merged_into.empty()) {
            continue; // merged into another record, which the index holds in its own right
        }
        const auto theirs = integrity::link_record(other->id.str(), other->person);
        if (!mine.nik.empty() && theirs.nik == mine.nik) {
            continue; // the same NIK: a replayed create or an import's update, not a duplicate
        }
        const auto comparison = integrity::compare(mine, theirs);
        const double score = model_.score(comparison);
        if (score < integrity::kDuplicateThreshold) {
            continue;
        }
        DuplicateMatch m;
        m.id = other->id;
        m.masked_name = mask_name(other->person.full_name);
        m.kelurahan_code = other->person.address.kelurahan_code;
        m.score = score;
        m.evidence = integrity::explain(comparison, model_);
        for (const auto& e : m.evidence) {
            if (e.weight > 0) {
                m.agreed.emplace_back(integrity::level_text(e.field, e.level));
            }
        }
        out.push_back(std::move(m));
    }
    std::sort(out.begin(), out.end(), [](const DuplicateMatch& a, const DuplicateMatch& b) {
        return a.score > b.score;
    });
    if (out.size() > limit) {
        out.resize(limit);
    }
    return out;
}

std::string explanation_json(const std::vector<integrity::Evidence>& evidence) {
    std::string out = "[";
    for (const auto& e : evidence) {
        char weight[32];
        std::snprintf(weight, sizeof weight, "%.2f", e.weight);
        out += out.size() == 1 ? "{" : ",{";
        out += "\"field\":\"" + std::string(integrity::field_code(e.field)) + "\",";
        out += "\"level\":" + std::to_string(e.level) + ",";
        // The texts are the catalogue's own (letters, spaces and digits): nothing to escape.
        out += "\"text\":\"" +
               std::string(e.level < 0 ? std::string_view("tidak ada data")
                                       : integrity::level_text(e.field, e.level)) +
               "\",";
        out += "\"weight\":" + std::string(weight) + "}";
    }
    return out + "]";
}

Result<std::size_t> propose_duplicates(store::Store& store,
                                       core::IdGenerator& ids,
                                       const store::WriteContext& ctx,
                                       const core::PersonRecord& record,
                                       const std::vector<DuplicateMatch>& matches,
                                       std::string_view source) {
    std::vector<store::DuplicatePairRecord> pairs;
    for (const auto& m : matches) {
        if (m.id == record.id) {
            continue;
        }
        store::DuplicatePairRecord p;
        p.id = ids.next(ctx.at);
        const bool first = record.id.str() < m.id.str();
        p.person_a = first ? record.id : m.id;
        p.person_b = first ? m.id : record.id;
        p.kelurahan_a = first ? record.person.address.kelurahan_code : m.kelurahan_code;
        p.kelurahan_b = first ? m.kelurahan_code : record.person.address.kelurahan_code;
        p.score = m.score;
        p.explanation = explanation_json(m.evidence);
        p.source = std::string(source);
        pairs.push_back(std::move(p));
    }
    if (pairs.empty()) {
        return std::size_t{0};
    }
    KAPAL_ASSIGN_OR_RETURN(added, store.propose_duplicate_pairs(pairs, ctx));
    return static_cast<std::size_t>(std::count(added.begin(), added.end(), true));
}

bool actor_covers(const Actor& actor, const std::string& area) {
    return actor.scope_area_codes.empty() ||
           std::any_of(actor.scope_area_codes.begin(),
                       actor.scope_area_codes.end(),
                       [&](const std::string& code) { return core::code_within(area, code); });
}

FieldIssue duplicate_warning(const DuplicateMatch& match, const Actor& actor, std::string field) {
    char score[32];
    std::snprintf(score, sizeof score, "%.1f", match.score);
    std::string agreed;
    for (const auto& a : match.agreed) {
        agreed += agreed.empty() ? "" : ", ";
        agreed += a;
    }
    std::string detail;
    if (actor_covers(actor, match.kelurahan_code)) {
        detail = match.id.str() + " " + match.masked_name + ", skor " + score;
    } else {
        detail = std::string("data di luar wilayah Anda, skor ") + score;
    }
    if (!agreed.empty()) {
        detail += ": " + agreed;
    }
    return {std::move(field), ErrorCode::PossibleDuplicate, std::move(detail)};
}

} // namespace kapal::service
