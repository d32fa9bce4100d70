#pragma once
// Probabilistic record linkage (Fellegi–Sunter) over the registry: which two records are likely
// the same person. Each record is reduced to what linkage compares (LinkRecord); blocking keys
// bring together records that share something cheap to index (the NIK; a name's phonetic key
// with the birth year or with the day and month in either order; the birth date in a kelurahan);
// each candidate pair is compared field by field into agreement levels (Comparison); the score
// is the sum of the levels' weights log2(m/u), where m is how often a true pair shows the level
// and u how often two different persons do. The weights are documented defaults
// (LinkageModel::defaults) or estimated from the candidate pairs themselves by EM (estimate).
// Every pair explains itself (explain): which fields agreed and what each contributed.

#include "kapal/core/person.hpp"
#include "kapal/core/time.hpp"
#include "kapal/geo/geometry.hpp"
#include "kapal/integrity/names.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::integrity {

/// A record as linkage compares it.
struct LinkRecord {
    std::string id;
    NormalizedName name;
    std::optional<core::Date> birth_date;
    std::optional<core::Sex> sex;
    std::string nik;            ///< 16 digits, or empty
    std::string kk;             ///< 16 digits, or empty
    std::string kelurahan_code; ///< "64.74.01.1003", or empty
    std::optional<geo::LonLat> home;
    std::string phone; ///< digits only, without the country prefix (0812…), or empty
};

/// The LinkRecord of a person.
LinkRecord link_record(std::string id, const core::Person& person);

/// The fields a pair is compared on.
enum class Field : std::uint8_t { Name, BirthDate, Sex, Nik, Kk, Kelurahan, Home, Phone };
inline constexpr std::size_t kFieldCount = 8;
/// The most levels a field has.
inline constexpr std::size_t kMaxLevels = 4;

/// The number of levels of a field (level 0 is the strongest agreement).
std::size_t level_count(Field field);

/// The field's code ("name", "birth_date", …) and a level's meaning in Indonesian, for people.
std::string_view field_code(Field field);
std::string_view level_text(Field field, int level);

/// How two records compare: a level per field, -1 where either lacks the value (no evidence).
struct Comparison {
    std::array<std::int8_t, kFieldCount> level{};

    std::int8_t operator[](Field f) const { return level[static_cast<std::size_t>(f)]; }

    bool operator==(const Comparison&) const = default;
};

/// Compares two records field by field. The levels:
/// - name: 0 same (similarity ≥ 0.97), 1 close (≥ 0.92, or the same phonetic keys), 2 alike
///   (≥ 0.85), 3 different — similarity is name_similarity of the normalised tokens;
/// - birth date: 0 same, 1 day and month swapped, 2 near (year ±1 with the same day and month,
///   or the same month and year with the day off by at most 3), 3 different;
/// - sex: 0 same, 1 different; NIK: 0 same, 1 one digit wrong or two neighbours swapped,
///   2 different; KK: 0 same, 1 different;
/// - kelurahan: 0 same, 1 same kecamatan, 2 different; home: 0 within 100 m, 1 within 2 km,
///   2 farther; phone: 0 same, 1 different.
Comparison compare(const LinkRecord& a, const LinkRecord& b);

/// Fellegi–Sunter parameters: per field and level, m = P(level | same person) and
/// u = P(level | different persons); and the share of candidate pairs that are matches.
struct LinkageModel {
    std::array<std::array<double, kMaxLevels>, kFieldCount> m{};
    std::array<std::array<double, kMaxLevels>, kFieldCount> u{};
    double match_share = 0.01;

    /// The documented defaults (docs/integrity.md).
    static LinkageModel defaults();

    /// log2(m/u) of a level; 0 for a missing value (-1).
    double weight(Field field, int level) const;

    /// The sum of the weights of a comparison.
    double score(const Comparison& c) const;
};

/// What EM estimates.
struct EmOptions {
    int iterations = 30;
    /// False (the default): u stays as given and only m and the match share are estimated.
    /// Estimating u as well lets the "match" class drift to "same household" (members of a
    /// family agree on KK, kelurahan, home and phone), so it is for data without families.
    bool estimate_u = false;
    /// Per field: whether its m is estimated (else kept as given).
    std::array<bool, kFieldCount> estimate_m{true, true, true, true, true, true, true, true};
};

/// Estimates m (and u, see EmOptions) and the match share from comparisons by expectation–
/// maximisation, starting from `start` (conditional independence of the fields; levels of a
/// missing value skipped). Probabilities are kept within [1e-6, 1 - 1e-6] so that no weight
/// becomes infinite.
LinkageModel estimate(const std::vector<Comparison>& comparisons,
                      const LinkageModel& start,
                      const EmOptions& options = {});

/// One field's part in a score.
struct Evidence {
    Field field;
    int level = -1; ///< -1: a value missing
    double weight = 0;
};

/// Why a pair scored as it did: every field, its level and its weight.
std::vector<Evidence> explain(const Comparison& c, const LinkageModel& model);

/// Blocking: which pairs to compare at all.
struct BlockingOptions {
    /// A block with more members is not compared all against all: its members are sorted by
    /// name and birth date, and each is compared with the next `window` (sorted neighbourhood).
    std::size_t max_block = 200;
    std::size_t window = 20;
    /// Pairs scoring below are compared but not returned (a registry of millions has hundreds
    /// of millions of candidate pairs, nearly all clearly different persons).
    double min_score = -1e300;
};

struct BlockingStats {
    std::size_t blocks = 0;       ///< distinct keys with two or more records
    std::size_t large_blocks = 0; ///< of them, compared by window
    std::size_t largest_block = 0;
    std::size_t pairs = 0; ///< distinct candidate pairs, all compared
};

/// The blocking keys of a record (exposed for tests and the documentation).
std::vector<std::string> blocking_keys(const LinkRecord& record);

/// A candidate pair: indices into the records, a < b.
struct CandidatePair {
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    Comparison comparison;
    double score = 0;
};

/// Every distinct candidate pair of the records under blocking, compared and scored by `model`;
/// those scoring at least options.min_score are returned, by (a, b). `stats` (optional) receives
/// the blocking figures.
std::vector<CandidatePair> candidate_pairs(const std::vector<LinkRecord>& records,
                                           const LinkageModel& model,
                                           const BlockingOptions& options = {},
                                           BlockingStats* stats = nullptr);

/// The score at or above which a pair is proposed as a likely duplicate (docs/integrity.md).
inline constexpr double kDuplicateThreshold = 10.0;

} // namespace kapal::integrity
