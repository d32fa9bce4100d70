#pragma once
// Test-only: the seed of a randomised test. KAPAL_TEST_SEED overrides the fixed default; the
// seed is always printed so that a failure can be replayed.

#include <cstdint>
#include <cstdlib>
#include <iostream>

namespace kapal::geo::testing {

inline std::uint64_t test_seed(std::uint64_t fixed_default) {
    std::uint64_t seed = fixed_default;
    if (const char* env = std::getenv("KAPAL_TEST_SEED"); env != nullptr && *env != '\0') {
        seed = std::strtoull(env, nullptr, 10);
    }
    std::cout << "[ seed     ] KAPAL_TEST_SEED=" << seed << '\n';
    return seed;
}

} // namespace kapal::geo::testing
