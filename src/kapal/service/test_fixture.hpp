#pragma once
// A real SQLite store in a temporary folder, the shipped reference data, and a fixed clock:
// what the service tests run against.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

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

/// The NIK of test person `serial` (0..75; a woman of Bontang Utara born 7 March 1985): its
/// last four digits are the serial-th of the codes 0001..9999 that differ from every earlier one
/// in at least three digits. With test_person_name, two test persons are then never possible
/// duplicates of each other (the duplicate check weighs a NIK one digit off, or two neighbouring
/// digits swapped, heavily and ignores digits in names).
inline std::string test_person_nik(int serial) {
    static const std::vector<std::string> kCodes = [] {
        std::vector<std::string> out;
        char buf[8];
        for (int c = 1; c < 10000; ++c) {
            std::snprintf(buf, sizeof buf, "%04d", c);
            const std::string code = buf;
            const bool far = std::all_of(out.begin(), out.end(), [&](const std::string& o) {
                int differ = 0;
                for (std::size_t k = 0; k < 4; ++k) {
                    differ += o[k] != code[k] ? 1 : 0;
                }
                return differ >= 3;
            });
            if (far) {
                out.push_back(code);
            }
        }
        return out;
    }();
    return "647401470385" + kCodes[static_cast<std::size_t>(serial) % kCodes.size()];
}

/// A name of its own for test person `serial`: "Agus Santoso 1", "Bambang Santoso 2", …
inline std::string test_person_name(int serial) {
    static const char* const kFirst[] = {"Agus",
                                         "Bambang",
                                         "Citra",
                                         "Dewi",
                                         "Eko",
                                         "Fajar",
                                         "Gita",
                                         "Hendra",
                                         "Indah",
                                         "Joko",
                                         "Kartika",
                                         "Lestari",
                                         "Made",
                                         "Nanda",
                                         "Oki",
                                         "Putri"};
    static const char* const kLast[] = {"Santoso", "Wibowo", "Saputra", "Rahayu", "Hidayat"};
    return std::string(kFirst[serial % 16]) + " " + kLast[(serial / 16) % 5] + " " +
           std::to_string(serial);
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
