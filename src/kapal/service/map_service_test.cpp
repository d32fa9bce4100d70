#include "kapal/service/map_service.hpp"

#include "kapal/service/person_service.hpp"
#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>

namespace kapal::service {
namespace {

using Relations = std::vector<std::pair<std::size_t, std::vector<std::size_t>>>;

std::uint64_t test_seed() {
    const char* env = std::getenv("KAPAL_TEST_SEED");
    const std::uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : 5;
    std::printf("suppression tests: seed %llu (KAPAL_TEST_SEED overrides)\n",
                static_cast<unsigned long long>(seed));
    return seed;
}

TEST(SuppressSmallCells, HidesOneToFourButNotZeroOrFive) {
    const auto hidden = suppress_small_cells({0, 1, 4, 5, 100}, {});
    EXPECT_EQ(hidden, (std::vector<bool>{false, true, true, false, false}));
}

TEST(SuppressSmallCells, AKecamatanTotalMinusTheShownKelurahanRevealsNothing) {
    // Cells: kecamatan 0 = kelurahan 1 + 2 + 3 = 3 + 20 + 9. Hiding only the 3 would let
    // 32 - 20 - 9 give it back; the smallest other non-zero cell (9) is hidden with it.
    const auto hidden = suppress_small_cells({32, 3, 20, 9}, {{0, {1, 2, 3}}});
    EXPECT_EQ(hidden, (std::vector<bool>{false, true, false, true}));
}

TEST(SuppressSmallCells, TwoSmallHiddenCellsThatWouldPinEachOtherGetAThird) {
    // 1 + 1 hidden under a shown total: each hidden cell is at least 1, so both would be 1.
    const auto hidden = suppress_small_cells({12, 1, 1, 10}, {{0, {1, 2, 3}}});
    EXPECT_EQ(hidden, (std::vector<bool>{false, true, true, true}));
}

TEST(SuppressSmallCells, AHiddenKecamatanIsProtectedInTheKotaAndInItsOwnKelurahan) {
    // Kota 0 = kecamatan 1 + 2; kecamatan 1 = kelurahan 3 + 4; kecamatan 2 = kelurahan 5 + 6.
    // Kecamatan 1 holds 3 persons (3 + 0): hidden, then kecamatan 2 as its complement in the
    // kota, then a kelurahan of kecamatan 2 (else 5 + 6 would give kecamatan 2 back).
    const std::vector<std::uint64_t> counts = {23, 3, 20, 3, 0, 8, 12};
    const Relations relations = {{1, {3, 4}}, {2, {5, 6}}, {0, {1, 2}}};
    const auto hidden = suppress_small_cells(counts, relations);
    EXPECT_TRUE(hidden[1]);
    EXPECT_TRUE(hidden[3]);
    EXPECT_FALSE(hidden[4]) << "zeros are shown";
    EXPECT_TRUE(hidden[2]);
    EXPECT_TRUE(hidden[5] || hidden[6]);
}

/// What an attacker can work out: every assignment of the hidden kelurahan (each at least 1)
/// that agrees with every shown figure; the values each hidden cell can then take.
std::vector<std::set<std::uint64_t>> feasible(const std::vector<std::uint64_t>& counts,
                                              const std::vector<bool>& hidden,
                                              const Relations& relations,
                                              const std::vector<std::size_t>& leaves,
                                              std::uint64_t max_value) {
    std::vector<std::set<std::uint64_t>> out(counts.size());
    std::vector<std::size_t> unknown;
    for (std::size_t l : leaves) {
        if (hidden[l]) {
            unknown.push_back(l);
        }
    }
    std::vector<std::uint64_t> guess = counts;
    std::vector<std::uint64_t> digits(unknown.size(), 1);
    for (;;) {
        for (std::size_t i = 0; i < unknown.size(); ++i) {
            guess[unknown[i]] = digits[i];
        }
        bool consistent = true;
        for (const auto& [total, parts] : relations) { // leaves' parents first, as given
            std::uint64_t sum = 0;
            for (std::size_t p : parts) {
                sum += guess[p];
            }
            guess[total] = sum;
            // Every hidden cell is non-zero (zeros are shown); a shown one is what it says.
            consistent = consistent && (hidden[total] ? sum > 0 : sum == counts[total]);
        }
        if (consistent) {
            for (std::size_t i = 0; i < counts.size(); ++i) {
                if (hidden[i]) {
                    out[i].insert(guess[i]);
                }
            }
        }
        std::size_t d = 0;
        while (d < digits.size() && ++digits[d] > max_value) {
            digits[d++] = 1;
        }
        if (d == digits.size()) {
            break;
        }
    }
    return out;
}

TEST(SuppressSmallCells, NoHiddenSmallCellCanBeWorkedOutFromTheShownFigures) {
    std::mt19937_64 rng(test_seed());
    // Kota 0; kecamatan 1, 2; kelurahan 3, 4 under 1 and 5, 6 under 2.
    const Relations relations = {{1, {3, 4}}, {2, {5, 6}}, {0, {1, 2}}};
    const std::vector<std::size_t> leaves = {3, 4, 5, 6};
    for (int round = 0; round < 150; ++round) {
        std::vector<std::uint64_t> counts(7, 0);
        for (std::size_t l : leaves) {
            const auto r = rng() % 10;
            counts[l] = r < 3 ? 0 : (r < 7 ? 1 + rng() % 4 : 5 + rng() % 6);
        }
        counts[1] = counts[3] + counts[4];
        counts[2] = counts[5] + counts[6];
        counts[0] = counts[1] + counts[2];
        const auto hidden = suppress_small_cells(counts, relations);
        const auto values = feasible(counts, hidden, relations, leaves, counts[0] + 1);
        for (std::size_t i = 0; i < counts.size(); ++i) {
            if (counts[i] >= 1 && counts[i] <= 4) {
                ASSERT_TRUE(hidden[i]) << "round " << round << " cell " << i;
                EXPECT_GE(values[i].size(), 2U)
                    << "round " << round << " cell " << i << " (" << counts[i] << ") pinned";
            }
        }
    }
}

class MapServiceTest : public testing::StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        persons_ = std::make_unique<PersonService>(*store_, testing::reference_ptr(), clock_, ids_);
        index_ = std::make_unique<PersonIndex>(*store_);
        persons_->set_index(index_.get());
        maps_ = std::make_unique<MapService>(*index_, testing::reference_ptr());
    }

    /// Registers a person at a random home in kelurahan `code` through the service (so the
    /// index hears of it at once, as in `kapal serve`).
    void add(const std::string& code, int serial) {
        core::Person p;
        p.nik = testing::test_person_nik(serial);
        p.full_name = testing::test_person_name(serial);
        p.sex = core::Sex::Female;
        p.birth_date = core::make_date(1985, 3, 7);
        p.address.kelurahan_code = code;
        p.categories = {serial % 2 == 0 ? core::Category::Fisik : core::Category::SensorikNetra};
        const auto at = testing::reference().kelurahan->random_point_in(code, rng_);
        p.home = core::HomeLocation{at.lon, at.lat, 5.0, core::LocationSource::Gps};
        auto r = persons_->create(p, admin_, std::nullopt);
        ASSERT_TRUE(r.has_value()) << r.error().message;
    }

    std::uint64_t city_total(const Actor& who) {
        auto a = maps_->clusters({117.3, 0.0, 117.6, 0.3, 12}, {}, who);
        EXPECT_TRUE(a.has_value()) << a.error().message;
        return a ? a->total : 0;
    }

    std::unique_ptr<PersonService> persons_;
    std::unique_ptr<PersonIndex> index_;
    std::unique_ptr<MapService> maps_;
    Actor admin_{"tester", "127.0.0.1", {}, std::nullopt};
    std::mt19937_64 rng_{13};
};

TEST_F(MapServiceTest, AnswersIndexLoadingUntilTheFirstLoadThenFollowsEveryWrite) {
    add("64.74.01.1003", 1);
    EXPECT_EQ(maps_->clusters({117.3, 0.0, 117.6, 0.3, 12}, {}, admin_).error().code,
              ErrorCode::IndexLoading);
    EXPECT_EQ(maps_->areas(AreaLevel::Kota, {}, admin_).error().code, ErrorCode::IndexLoading);
    EXPECT_EQ(maps_->public_areas(AreaLevel::Kota).error().code, ErrorCode::IndexLoading);
    ASSERT_TRUE(index_->catch_up().has_value());
    EXPECT_EQ(city_total(admin_), 1U);
    for (int i = 2; i <= 7; ++i) {
        add(i <= 4 ? "64.74.01.1003" : "64.74.02.1001", i);
    }
    EXPECT_EQ(city_total(admin_), 7U) << "own writes count at once";
    const Actor utara{"op", "127.0.0.1", {"64.74.01"}, core::Role::Operator};
    EXPECT_EQ(city_total(utara), 4U);
    auto areas = maps_->areas(AreaLevel::Kecamatan, {}, utara);
    ASSERT_TRUE(areas.has_value());
    ASSERT_EQ(areas->size(), 1U) << "only the kecamatan within the scope";
    EXPECT_EQ((*areas)[0].feature->code, "64.74.01");
    EXPECT_EQ((*areas)[0].counts.total, 4U);
    auto pub = maps_->public_areas(AreaLevel::Kecamatan);
    ASSERT_TRUE(pub.has_value());
    for (const auto& a : *pub) {
        // Utara 4 (hidden), Selatan 3 (hidden), Barat 0 (shown): nothing to subtract from.
        EXPECT_EQ(a.count.has_value(), a.feature->code == "64.74.03") << a.feature->code;
    }
    // A view too large for its zoom is refused, naming bbox.
    auto big = maps_->clusters({100, -10, 130, 10, 18}, {}, admin_);
    ASSERT_FALSE(big.has_value());
    EXPECT_EQ(big.error().code, ErrorCode::ValidationFailed);
    EXPECT_EQ(big.error().fields.at(0).field, "bbox");
}

} // namespace
} // namespace kapal::service
