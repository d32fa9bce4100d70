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

/// The LinkRecord of what the index holds.
integrity::LinkRecord partial_record(const std::string& id,
                                     const std::string& full_name,
                                     const std::optional<core::Date>& birth_date,
                                     const std::optional<core::Sex>& sex,
                                     const std::string& kelurahan_code) {
    integrity::LinkRecord r;
    r.id = id;
    r.name = integrity::normalize_name(full_name);
    r.birth_date = birth_date;
    r.sex = sex;
    r.kelurahan_code = kelurahan_code;
    return r;
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

std::vector<std::uint64_t> DuplicateIndex::keys_of(const Entry& e) {
    return hashed_keys(partial_record(e.id, e.full_name, e.birth_date, e.sex, e.kelurahan_code));
}

void DuplicateIndex::upsert(const store::PersonSummary& s) {
    Entry next{s.id.str(), s.full_name, s.kelurahan_code, s.birth_date, s.sex, s.version};
    auto keys = keys_of(next);
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
        for (const std::uint64_t old : keys_of(held)) {
            auto [from, to] = blocks_.equal_range(old);
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
    std::vector<Candidate> out;
    const auto keys = hashed_keys(record);
    const std::shared_lock lock(mutex_);
    std::unordered_set<std::uint32_t> seen;
    for (const std::uint64_t key : keys) {
        auto [from, to] = blocks_.equal_range(key);
        for (auto it = from; it != to && seen.size() < max_examined; ++it) {
            if (!seen.insert(it->second).second) {
                continue;
            }
            const Entry& e = entries_[it->second];
            if (e.id == record.id) {
                continue;
            }
            Candidate c{core::PersonId(e.id),
                        partial_record(e.id, e.full_name, e.birth_date, e.sex, e.kelurahan_code),
                        0};
            c.partial_score = model.score(integrity::compare(record, c.record));
            out.push_back(std::move(c));
        }
    }
    std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
        return a.partial_score != b.partial_score ? a.partial_score > b.partial_score
                                                  : a.id.str() < b.id.str();
    });
    if (out.size() > limit) {
        out.resize(limit);
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
        bytes += heap(e.id) + heap(e.full_name) + heap(e.kelurahan_code);
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
        for (const auto& e : integrity::explain(comparison, model_)) {
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
