#pragma once
// The store contract: behaviour every Store backend must show, as a parameterised GoogleTest
// suite. A backend's test file instantiates it with a factory:
//
//     INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract,
//         ::testing::Values(StoreBackend{"sqlite", [](const auto& dir) { ... }}),
//         store_backend_name);
//
// Test-only code: linked into test executables through kapal::store_contract.

#include "kapal/core/person.hpp"
#include "kapal/core/result.hpp"
#include "kapal/store/store.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

namespace kapal::store::contract {

/// A backend under test.
struct StoreBackend {
    std::string name; ///< test name suffix, [A-Za-z0-9_]
    /// Makes a fresh, empty store; files it needs go under `scratch` (an empty directory the
    /// fixture creates and removes).
    std::function<Result<std::unique_ptr<Store>>(const std::filesystem::path& scratch)> make;
    /// Opens the store `make` created in `scratch` again, with other keys (key rotation).
    std::function<Result<std::unique_ptr<Store>>(const std::filesystem::path& scratch,
                                                 const StoreKeys& keys)>
        reopen;
};

/// Prints a backend by name in test output (instead of its bytes).
inline void PrintTo(const StoreBackend& backend, std::ostream* os) {
    *os << backend.name;
}

/// Names the instantiated tests after the backend.
std::string store_backend_name(const ::testing::TestParamInfo<StoreBackend>& info);

/// The seed of random test data: KAPAL_TEST_SEED when set, else a fixed value.
std::uint64_t test_seed();

/// A person with every field set; `n` varies NIK, KK and name so several can coexist.
core::Person full_person(int n);

/// The fixture: a fresh store per test.
class StoreContract : public ::testing::TestWithParam<StoreBackend> {
  protected:
    void SetUp() override;
    void TearDown() override;

    /// The store under test.
    Store& store() { return *store_; }

    /// A new, empty store of the same backend (for tests that need two).
    std::unique_ptr<Store> make_store(const std::string& subdir);

    /// Closes the store under test and opens it again with `keys` (nullptr when that fails).
    Result<std::unique_ptr<Store>> reopen_store(const StoreKeys& keys);

    /// Replaces the store under test.
    void replace_store(std::unique_ptr<Store> store) { store_ = std::move(store); }

  private:
    std::filesystem::path scratch_;
    std::unique_ptr<Store> store_;
};

} // namespace kapal::store::contract
