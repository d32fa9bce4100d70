#pragma once
// String similarity for names: Jaro–Winkler on tokens, and a name similarity over token lists
// that does not care about order or a missing middle name.

#include <string>
#include <string_view>
#include <vector>

namespace kapal::integrity {

/// Jaro similarity in [0, 1] (1: equal; 0: nothing in common; two empty strings: 1).
double jaro(std::string_view a, std::string_view b);

/// Jaro–Winkler: Jaro raised for a common prefix of up to 4 characters (scale 0.1).
double jaro_winkler(std::string_view a, std::string_view b);

/// How alike two names are, in [0, 1]: for each token of one name the best Jaro–Winkler match
/// among the other's tokens, averaged, both ways, and the mean of the two directions — so
/// "siti aminah" and "aminah siti" give 1, and "siti aminah" against "aminah" about 0.87. Empty
/// against anything: 0.
double name_similarity(const std::vector<std::string>& a, const std::vector<std::string>& b);

} // namespace kapal::integrity
