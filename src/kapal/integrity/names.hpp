#pragma once
// Indonesian personal names for record linkage: the same person is written "H. Moch. Achmad
// Djunaedi, S.Pd.", "Muhammad Ahmad Junaidi" and "M. Akhmad Djunaidi bin Sulaiman". A name is
// reduced to its given-name tokens in one spelling (titles and degrees dropped, the father's name
// after bin/binti kept apart, old spellings oe/dj/tj/ch/sj/nj made new, the Muhammad family made
// one token) and each token has a phonetic key that also joins f/p/v, final -h, doubled letters
// and the like. The rules, with examples, are in docs/integrity.md.

#include <string>
#include <string_view>
#include <vector>

namespace kapal::integrity {

/// A name as record linkage compares it.
struct NormalizedName {
    std::vector<std::string> tokens;   ///< the given names, in order, in one spelling
    std::vector<std::string> patronym; ///< the father's name after bin/binti, when written
    std::vector<std::string> phonetic; ///< phonetic_key of each token
    std::string phonetic_set;          ///< the keys sorted and joined: equal for a reordered name
};

/// Normalises a name as written (UTF-8; letters outside ASCII are folded or dropped).
NormalizedName normalize_name(std::string_view written);

/// The phonetic key of one normalised token ("fatimah" and "patima" give the same key).
std::string phonetic_key(std::string_view token);

/// The tokens joined by one space.
std::string joined(const std::vector<std::string>& tokens);

} // namespace kapal::integrity
