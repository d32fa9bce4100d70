#pragma once
// A real SQLite store in a temporary folder, the shipped reference data, and a fixed clock:
// what the service tests run against.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

namespace kapal::service::testing {

inline std::filesystem::path source_dir() {
    const char* dir = std::getenv("KAPAL_SOURCE_DIR");
    return dir != nullptr ? dir : KAPAL_TEST_SOURCE_DIR;
}

inline const ReferenceData& reference() {
    static const auto kRef = [] {
        auto r = load_reference_data(source_dir() / "data");
        if (!r) {
            ADD_FAILURE() << "reference data: " << r.error().message;
            std::abort();
        }
        return *r;
    }();
    return *kRef;
}

inline std::shared_ptr<const ReferenceData> reference_ptr() {
    static const auto kRef = [] {
        return *load_reference_data(source_dir() / "data");
    }();
    return kRef;
}

class StoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::random_device rd;
        dir_ =
            std::filesystem::temp_directory_path() / ("kapal-service-test-" + std::to_string(rd()));
        std::filesystem::create_directories(dir_);
        auto opened = store::open_sqlite_store(dir_ / "store.db", keys_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
    }

    void TearDown() override {
        store_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    std::filesystem::path dir_;
    store::StoreKeys keys_ = store::generate_store_keys();
    std::unique_ptr<store::Store> store_;
    core::FixedClock clock_{*core::parse_timestamp("2026-11-28T02:00:00Z")};
    core::IdGenerator ids_{7};
};

} // namespace kapal::service::testing
