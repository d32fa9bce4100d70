#include "kapal/geo/route.hpp"

#include "kapal/geo/ascii_map_fixture.hpp"
#include "kapal/geo/test_seed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace kapal::geo {
namespace {

std::vector<LonLat> random_stops(std::mt19937_64& rng, std::size_t n) {
    std::uniform_real_distribution<double> lon(117.38, 117.56);
    std::uniform_real_distribution<double> lat(0.05, 0.22);
    std::vector<LonLat> out;
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(LonLat{lon(rng), lat(rng)});
    }
    return out;
}

/// The shortest open path by trying every order.
double brute_force_optimum(LonLat start, const std::vector<LonLat>& stops) {
    std::vector<std::size_t> order(stops.size());
    std::iota(order.begin(), order.end(), 0);
    double best = std::numeric_limits<double>::infinity();
    do {
        best = std::min(best, measure_order(start, stops, order).total_m);
    } while (std::next_permutation(order.begin(), order.end()));
    return best;
}

bool is_permutation_of_all(const VisitOrder& v, std::size_t n) {
    std::vector<std::size_t> sorted = v.order;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), 0);
    return sorted == all;
}

TEST(VisitRoute, AStreetIsWalkedEndToEndFromTheNearEnd) {
    //  s  a  b  c  d        (one character = 100 m)
    //           e
    const testing::AsciiMap map(R"(
s  a  b  c  d
         e
)",
                                100);
    const std::vector<LonLat> stops = {
        map.at('d'), map.at('b'), map.at('e'), map.at('a'), map.at('c')};
    const auto plan = plan_visits(map.at('s'), stops);
    ASSERT_EQ(plan.order.size(), 5U);
    // a, b, c, then e (100 m below c) and d (316 m), not d (300 m) and e (316 m).
    EXPECT_EQ(plan.order, (std::vector<std::size_t>{3, 1, 4, 2, 0}));
    EXPECT_NEAR(plan.leg_m[0], 300, 1);
    EXPECT_NEAR(plan.total_m, 300 + 300 + 300 + 100 + std::hypot(300.0, 100.0), 2);
    double sum = 0;
    for (const double leg : plan.leg_m) {
        sum += leg;
    }
    EXPECT_DOUBLE_EQ(sum, plan.total_m);
}

TEST(VisitRoute, NeverLongerThanNearestNeighbourAndDeterministic) {
    std::mt19937_64 rng(testing::test_seed(11));
    int strictly_better = 0;
    for (int round = 0; round < 200; ++round) {
        const std::size_t n = 5 + rng() % 60;
        const auto stops = random_stops(rng, n);
        const LonLat start = random_stops(rng, 1)[0];
        const auto nn = nearest_neighbour_order(start, stops);
        const auto plan = plan_visits(start, stops);
        ASSERT_TRUE(is_permutation_of_all(plan, n));
        ASSERT_TRUE(is_permutation_of_all(nn, n));
        EXPECT_LE(plan.total_m, nn.total_m + 1e-6) << "round " << round;
        strictly_better += plan.total_m < nn.total_m - 1 ? 1 : 0;
        const auto again = plan_visits(start, stops);
        EXPECT_EQ(again.order, plan.order) << "deterministic";
    }
    EXPECT_GT(strictly_better, 100) << "2-opt improves most random instances";
}

TEST(VisitRoute, SmallInstancesAreCloseToTheBruteForceOptimum) {
    std::mt19937_64 rng(testing::test_seed(12));
    double ratio_sum = 0;
    int optimal = 0;
    constexpr int kRounds = 150;
    for (int round = 0; round < kRounds; ++round) {
        const std::size_t n = 2 + rng() % 6; // up to 7 stops: 5040 orders
        const auto stops = random_stops(rng, n);
        const LonLat start = random_stops(rng, 1)[0];
        const double best = brute_force_optimum(start, stops);
        const auto plan = plan_visits(start, stops);
        EXPECT_GE(plan.total_m, best - 1e-6);
        // 2-opt is a local search: it may miss the optimum, but not by much on small cases.
        EXPECT_LE(plan.total_m, best * 1.25) << "round " << round << " n=" << n;
        ratio_sum += plan.total_m / best;
        optimal += plan.total_m <= best + 1e-6 ? 1 : 0;
    }
    EXPECT_LE(ratio_sum / kRounds, 1.02) << "on average within 2 % of the optimum";
    EXPECT_GE(optimal, kRounds * 7 / 10) << "and mostly optimal";
}

TEST(VisitRoute, TheMostStopsArePlannedAndNeverLongerThanNearestNeighbour) {
    std::mt19937_64 rng(testing::test_seed(13));
    const auto stops = random_stops(rng, kMaxVisitStops);
    const LonLat start{117.47, 0.13};
    const auto plan = plan_visits(start, stops);
    ASSERT_TRUE(is_permutation_of_all(plan, stops.size()));
    EXPECT_LT(plan.total_m, nearest_neighbour_order(start, stops).total_m);
}

TEST(VisitRoute, EmptyOneAndRepeatedStops) {
    const LonLat start{117.47, 0.13};
    const auto none = plan_visits(start, {});
    EXPECT_TRUE(none.order.empty());
    EXPECT_EQ(none.total_m, 0);
    const auto one = plan_visits(start, {LonLat{117.48, 0.13}});
    ASSERT_EQ(one.order, std::vector<std::size_t>{0});
    EXPECT_NEAR(one.total_m, 0.01 * kMetresPerDegree, 0.5);
    // Two persons at one address: both visited, the second leg is 0.
    const auto same = plan_visits(start, {LonLat{117.48, 0.13}, LonLat{117.48, 0.13}});
    EXPECT_EQ(same.order, (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(same.leg_m[1], 0);
}

} // namespace
} // namespace kapal::geo
