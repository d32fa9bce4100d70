#pragma once
// The duplicate check on every create and import ("mungkin duplikat dari …"): a new record is
// compared with the registry by the linkage engine (kapal::integrity). Candidates come from an
// in-memory index of blocking keys (DuplicateIndex, kept by PersonIndex from the change feed),
// are ranked on what the index holds (name, birth date, sex, kelurahan), and the best few are
// read from the store and scored on every field (NIK, KK, home, phone too).

#include "kapal/core/error.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/person.hpp"
#include "kapal/core/result.hpp"
#include "kapal/integrity/linkage.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/store/store.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace kapal::service {

/// Blocking keys of every person's current version, from the change feed's summaries (plain
/// columns: name, birth date, sex, kelurahan; no NIK is decrypted). Thread-safe.
class DuplicateIndex {
  public:
    /// Inserts or replaces a person (an older version than the one held is ignored).
    void upsert(const store::PersonSummary& summary);

    /// A person the index holds, with what ranking needs.
    struct Candidate {
        core::PersonId id;
        integrity::LinkRecord record; ///< name, birth date, sex, kelurahan only
        double partial_score = 0;     ///< the model's score on those fields
    };

    /// Persons sharing a blocking key with `record` (the record's own id excluded), ranked by
    /// partial score, best first; at most `limit`. At most `max_examined` members are examined,
    /// the smallest blocks (the most telling keys) first.
    std::vector<Candidate> candidates(const integrity::LinkRecord& record,
                                      const integrity::LinkageModel& model,
                                      std::size_t limit,
                                      std::size_t max_examined = 5000) const;

    std::size_t size() const;

    /// An estimate of the heap the index uses, in bytes.
    std::size_t memory_bytes() const;

  private:
    /// What the index holds of a person. The name is held normalised (integrity::normalize_name,
    /// packed into one string: pack_name in the .cpp), so that ranking a block's members does not
    /// normalise each of them again: that was most of a check's time.
    struct Entry {
        std::string id;
        std::string packed_name;
        std::string kelurahan_code;
        std::optional<core::Date> birth_date;
        std::optional<core::Sex> sex;
        std::int64_t version = 0;
    };

    static std::vector<std::uint64_t> keys_of(const integrity::LinkRecord& record);

    mutable std::shared_mutex mutex_;
    std::vector<Entry> entries_;
    std::unordered_map<std::string, std::uint32_t> slot_of_;
    std::unordered_multimap<std::uint64_t, std::uint32_t> blocks_;
};

/// A registered person that may be the same as the one being written.
struct DuplicateMatch {
    core::PersonId id;
    std::string masked_name; ///< "S*** N***"
    std::string kelurahan_code;
    double score = 0;                ///< Fellegi–Sunter score, ≥ integrity::kDuplicateThreshold
    std::vector<std::string> agreed; ///< the agreeing fields' texts ("nama sama", …)
    std::vector<integrity::Evidence> evidence; ///< every field's level and weight
};

/// A pair's explanation as stored with it (store::DuplicatePairRecord::explanation): a JSON
/// array of {"field", "level", "text", "weight"}, one per field, the level -1 and the text
/// "tidak ada data" where a side lacks the value.
std::string explanation_json(const std::vector<integrity::Evidence>& evidence);

/// Puts the pairs (`record`, each match) into the review queue, the lower id first; pairs already
/// known (open or decided) are left as they are. `source`: "registrasi", "impor" or
/// "pemindaian". Returns how many were new. Errors: the store's.
Result<std::size_t> propose_duplicates(store::Store& store,
                                       core::IdGenerator& ids,
                                       const store::WriteContext& ctx,
                                       const core::PersonRecord& record,
                                       const std::vector<DuplicateMatch>& matches,
                                       std::string_view source);

/// "Siti Nurhaliza" → "S*** N***": enough to recognise, not to read.
std::string mask_name(std::string_view full_name);

/// Finds possible duplicates of a person in the registry.
class DuplicateCheck {
  public:
    DuplicateCheck(store::Store& store, const DuplicateIndex& index);

    /// Persons scoring at least integrity::kDuplicateThreshold against `person`, best first, at
    /// most `limit`; `self` (when set) is never its own duplicate. Errors: the store's.
    Result<std::vector<DuplicateMatch>> find(const core::Person& person,
                                             const std::optional<core::PersonId>& self = {},
                                             std::size_t limit = 3) const;

  private:
    store::Store& store_;
    const DuplicateIndex& index_;
    integrity::LinkageModel model_;
};

/// The warning (code PossibleDuplicate) for a match, on `field`. Within the actor's areas the
/// detail names the other record: "<id> <masked name>, skor 14.2: nama sama, …". Outside them it
/// says only that a possible duplicate exists in another area, with the score and the agreeing
/// fields — never the id, the name or the kelurahan (docs/integrity.md, "Duplicate check").
FieldIssue duplicate_warning(const DuplicateMatch& match, const Actor& actor, std::string field);

/// Whether `area` (a kelurahan code) is within the actor's areas (empty = everywhere).
bool actor_covers(const Actor& actor, const std::string& area);

} // namespace kapal::service
