#pragma once
// The transfer contract: moving a whole store to another one (Store::dump, Store::begin_load and
// the steps of store_transfer.hpp) between any two backends, as a parameterised GoogleTest suite.
// A test executable instantiates it with pairs of backends:
//
//     INSTANTIATE_TEST_SUITE_P(Sqlite, TransferContract,
//         ::testing::Values(TransferPair{"sqlite_sqlite", sqlite_backend, sqlite_backend}),
//         transfer_pair_name);
//
// Each test fills a store of `first`, moves it to a store of `second` and, for the round trip,
// back to a fresh store of `first`. Test-only code, linked through kapal::store_contract.

#include "kapal/core/result.hpp"
#include "kapal/store/store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

namespace kapal::store::contract {

/// A backend as the transfer tests need it.
struct TransferBackend {
    /// Makes a fresh, empty store; files it needs go under `scratch` (an empty directory).
    std::function<Result<std::unique_ptr<Store>>(const std::filesystem::path& scratch)> make;
    /// Runs one SQL statement on the store `make` created in `scratch`, behind its back (to
    /// tamper with a row); the SQL is plain enough for both backends.
    std::function<void(const std::filesystem::path& scratch, const std::string& sql)> run_sql;
};

/// A source and a target backend.
struct TransferPair {
    std::string name; ///< test name suffix, [A-Za-z0-9_]
    TransferBackend first;
    TransferBackend second;
};

// NOLINTNEXTLINE(readability-identifier-naming): GoogleTest's name
inline void PrintTo(const TransferPair& pair, std::ostream* os) {
    *os << pair.name;
}

std::string transfer_pair_name(const ::testing::TestParamInfo<TransferPair>& info);

/// The fixture: scratch directories for the stores of a test.
class TransferContract : public ::testing::TestWithParam<TransferPair> {
  protected:
    void SetUp() override;
    void TearDown() override;

    /// A new, empty store of the first (or second) backend under scratch/<subdir>.
    std::unique_ptr<Store> make_first(const std::string& subdir);
    std::unique_ptr<Store> make_second(const std::string& subdir);

    /// Runs `sql` behind the back of the store made in scratch/<subdir> by the second backend.
    void run_sql_second(const std::string& subdir, const std::string& sql);

  private:
    std::unique_ptr<Store> make(const TransferBackend& backend, const std::string& subdir);

    std::filesystem::path scratch_;
};

} // namespace kapal::store::contract
