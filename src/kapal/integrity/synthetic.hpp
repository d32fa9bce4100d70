#pragma once
// Synthetic registries for evaluating record linkage: persons with Indonesian names, NIK and KK
// consistent with their birth dates and kecamatan, families sharing a KK, a phone and a street
// (the hard negatives), and duplicates injected on purpose, each of a known kind — so that a
// harness can count what linkage finds (precision, recall, F1 per kind). Deterministic for a
// seed.

#include "kapal/integrity/linkage.hpp"

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace kapal::integrity {

/// How a duplicate differs from the original registration.
enum class DuplicateKind : std::uint8_t {
    Typo,        ///< one typing error in the name (and sometimes one in the NIK)
    NameVariant, ///< titles, degrees, old spelling, Muhammad/Moh./M., bin/binti, a name dropped
    SwappedDate, ///< day and month swapped, or the year one off
    MovedHouse,  ///< registered again in another kelurahan, with another phone
    NewNik,      ///< registered with another NIK (a new card, a wrong one), same person
};

inline constexpr std::array<DuplicateKind, 5> kDuplicateKinds = {DuplicateKind::Typo,
                                                                 DuplicateKind::NameVariant,
                                                                 DuplicateKind::SwappedDate,
                                                                 DuplicateKind::MovedHouse,
                                                                 DuplicateKind::NewNik};

/// "typo", "name_variant", "swapped_date", "moved_house", "new_nik".
std::string_view kind_code(DuplicateKind kind);

struct SyntheticOptions {
    std::size_t persons = 2000;   ///< distinct persons (before duplicates)
    double duplicate_share = 0.1; ///< of the persons, how many are registered twice
    std::vector<DuplicateKind> kinds{kDuplicateKinds.begin(), kDuplicateKinds.end()};
    std::uint64_t seed = 1;
};

/// A duplicate pair: indices of the original and the duplicate in `records`.
struct TruePair {
    std::uint32_t original = 0;
    std::uint32_t duplicate = 0;
    DuplicateKind kind = DuplicateKind::Typo;
};

struct SyntheticRegistry {
    std::vector<core::Person> persons; ///< as registered (names as written)
    std::vector<LinkRecord> records;   ///< link_record of each, id = its index
    std::vector<TruePair> duplicates;
};

/// Makes a registry; duplicates are appended after the persons, kinds taken in turn.
SyntheticRegistry make_registry(const SyntheticOptions& options);

/// How well a set of scored pairs finds the true duplicates at a threshold.
struct LinkageQuality {
    std::size_t true_pairs = 0;
    std::size_t proposed = 0;       ///< pairs scored at or above the threshold
    std::size_t true_positives = 0; ///< of them, true duplicates
    double precision = 0;
    double recall = 0;
    double f1 = 0;
};

LinkageQuality evaluate(const std::vector<TruePair>& truth,
                        const std::vector<CandidatePair>& pairs,
                        double threshold);

} // namespace kapal::integrity
