#include "kapal/geo/point_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>

namespace kapal::geo {
namespace {

std::string key_of(int n) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "0190a5d0-0000-7000-8000-%012d", n);
    return buf;
}

struct Sample {
    std::string key;
    LonLat at;
    PointAttributes attrs;
};

/// Random homes around Bontang (about 20 km across) with random attributes.
std::vector<Sample> samples(int n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> lon(117.38, 117.56);
    std::uniform_real_distribution<double> lat(0.05, 0.22);
    const std::vector<std::string> areas = {
        "64.74.01.1001", "64.74.01.1003", "64.74.02.1001", "64.74.03.1004"};
    std::vector<Sample> out;
    for (int i = 0; i < n; ++i) {
        Sample s;
        s.key = key_of(i);
        s.at = LonLat{lon(rng), lat(rng)};
        s.attrs.categories = static_cast<std::uint8_t>(1U << (rng() % 6));
        s.attrs.severity = static_cast<std::uint8_t>(rng() % 4 == 3 ? 0xff : rng() % 3);
        s.attrs.status = static_cast<std::uint8_t>(rng() % 4);
        s.attrs.area_code = areas[rng() % areas.size()];
        out.push_back(s);
    }
    return out;
}

bool passes(const Sample& s, const PointFilter& f) {
    bool area = f.area_prefixes.empty();
    for (const auto& p : f.area_prefixes) {
        area = area || s.attrs.area_code == p || s.attrs.area_code.rfind(p + ".", 0) == 0;
    }
    return area && (f.any_category == 0 || (s.attrs.categories & f.any_category) != 0) &&
           (!f.severity || s.attrs.severity == *f.severity) &&
           (!f.status || s.attrs.status == *f.status);
}

std::vector<PointFilter> filters() {
    std::vector<PointFilter> out(5);
    out[1].any_category = 0b000011;
    out[2].severity = 2;
    out[2].status = 0;
    out[3].area_prefixes = {"64.74.01"};
    out[4].area_prefixes = {"64.74.02.1001", "64.74.03"};
    out[4].any_category = 0b110000;
    return out;
}

class PointIndexTest : public ::testing::Test {
  protected:
    void SetUp() override {
        data_ = samples(3000, 42);
        for (const auto& s : data_) {
            ASSERT_TRUE(index_.upsert(s.key, 1, s.at, s.attrs));
        }
    }

    std::vector<Sample> data_;
    PointIndex index_;
};

TEST_F(PointIndexTest, RadiusQueriesMatchABruteForceOracle) {
    const LonLat centre{117.47, 0.13};
    for (double radius : {0.0, 300.0, 2500.0, 50000.0}) {
        for (const auto& f : filters()) {
            std::vector<std::pair<double, std::string>> expected;
            for (const auto& s : data_) {
                const double d = haversine_m(centre, s.at);
                if (d <= radius && passes(s, f)) {
                    expected.emplace_back(d, s.key);
                }
            }
            std::sort(expected.begin(), expected.end());
            const auto got = index_.within(centre, radius, f, 100000);
            ASSERT_EQ(got.size(), expected.size()) << radius;
            for (std::size_t i = 0; i < got.size(); ++i) {
                EXPECT_EQ(got[i].key, expected[i].second);
                EXPECT_DOUBLE_EQ(got[i].distance_m, expected[i].first);
            }
            EXPECT_LE(index_.within(centre, radius, f, 7).size(), 7U);
        }
    }
}

TEST_F(PointIndexTest, NearestMatchesABruteForceOracle) {
    for (const LonLat centre : {LonLat{117.47, 0.13}, LonLat{117.30, 0.30}, LonLat{118.5, -2.0}}) {
        for (std::size_t k : {1U, 5U, 60U}) {
            for (const auto& f : filters()) {
                std::vector<std::pair<double, std::string>> expected;
                for (const auto& s : data_) {
                    if (passes(s, f)) {
                        expected.emplace_back(haversine_m(centre, s.at), s.key);
                    }
                }
                std::sort(expected.begin(), expected.end());
                expected.resize(std::min(expected.size(), k));
                const auto got = index_.nearest(centre, k, f);
                ASSERT_EQ(got.size(), expected.size());
                for (std::size_t i = 0; i < got.size(); ++i) {
                    EXPECT_EQ(got[i].key, expected[i].second) << "k=" << k << " i=" << i;
                }
            }
        }
    }
}

TEST_F(PointIndexTest, BoxQueriesMatchABruteForceOracleInKeyOrder) {
    const BBox box{117.42, 0.08, 117.50, 0.15};
    for (const auto& f : filters()) {
        std::vector<std::string> expected;
        for (const auto& s : data_) {
            if (box.contains(s.at) && passes(s, f)) {
                expected.push_back(s.key);
            }
        }
        std::sort(expected.begin(), expected.end());
        const auto got = index_.in_box(box, f, 100000);
        ASSERT_EQ(got.size(), expected.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            EXPECT_EQ(got[i].key, expected[i]);
        }
    }
    EXPECT_TRUE(index_.in_box(BBox{}, {}, 10).empty()) << "an empty box finds nothing";
}

TEST(PointIndexPages, PagesInKeyOrderMatchABruteForceOracleForRandomBoxesAndOffsets) {
    const char* env = std::getenv("KAPAL_TEST_SEED");
    const std::uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 10) : 7U;
    SCOPED_TRACE("KAPAL_TEST_SEED=" + std::to_string(seed));
    const auto data = samples(2000, seed);
    PointIndex index;
    for (const auto& s : data) {
        ASSERT_TRUE(index.upsert(s.key, 1, s.at, s.attrs));
    }
    std::mt19937_64 rng(seed + 1);
    std::uniform_real_distribution<double> lon(117.36, 117.58);
    std::uniform_real_distribution<double> lat(0.03, 0.24);
    for (int round = 0; round < 200; ++round) {
        const double a = lon(rng), b = lon(rng), c = lat(rng), d = lat(rng);
        const BBox box{std::min(a, b), std::min(c, d), std::max(a, b), std::max(c, d)};
        const auto f = filters()[rng() % filters().size()];
        std::vector<std::string> expected;
        for (const auto& s : data) {
            if (box.contains(s.at) && passes(s, f)) {
                expected.push_back(s.key);
            }
        }
        std::sort(expected.begin(), expected.end());
        const std::size_t offset = rng() % (expected.size() + 3);
        const std::size_t limit = rng() % 60;
        const auto page = index.in_box_page(box, f, offset, limit);
        EXPECT_EQ(page.matched, expected.size()) << "round " << round;
        const std::size_t want =
            offset >= expected.size() ? 0 : std::min(limit, expected.size() - offset);
        ASSERT_EQ(page.hits.size(), want) << "round " << round;
        for (std::size_t i = 0; i < want; ++i) {
            EXPECT_EQ(page.hits[i].key, expected[offset + i]) << "round " << round;
        }
    }
    EXPECT_EQ(index.in_box_page(BBox{}, {}, 0, 10).matched, 0U);
}

TEST_F(PointIndexTest, UpsertMovesAPointOnlyForANewerVersion) {
    const Sample& s = data_[0];
    const LonLat far{110.0, -7.0};
    EXPECT_FALSE(index_.upsert(s.key, 1, far, s.attrs)) << "same version";
    EXPECT_EQ(index_.nearest(far, 1, {})[0].distance_m > 1000, true);
    EXPECT_TRUE(index_.upsert(s.key, 2, far, s.attrs));
    EXPECT_EQ(index_.version_of(s.key), 2);
    const auto near_far = index_.nearest(far, 1, {});
    ASSERT_EQ(near_far.size(), 1U);
    EXPECT_EQ(near_far[0].key, s.key);
    EXPECT_LT(near_far[0].distance_m, 1e-6);
    EXPECT_TRUE(index_.within(s.at, 0.5, {}, 10).empty()) << "the old position is gone";
    EXPECT_EQ(index_.size(), data_.size());
    EXPECT_EQ(index_.located(), data_.size());

    // Without a position: still known (its version), found by no query.
    EXPECT_TRUE(index_.upsert(s.key, 3, std::nullopt, s.attrs));
    EXPECT_EQ(index_.located(), data_.size() - 1);
    EXPECT_TRUE(index_.within(far, 10, {}, 10).empty());
    EXPECT_EQ(index_.version_of(s.key), 3);
    EXPECT_FALSE(index_.upsert(s.key, 2, far, s.attrs)) << "an older version arriving late";
    EXPECT_EQ(index_.located(), data_.size() - 1);
}

TEST_F(PointIndexTest, AttributeChangesTakeEffect) {
    Sample s = data_[1];
    PointFilter mental;
    mental.any_category = 0b100;
    s.attrs.categories = 0b100;
    s.attrs.area_code = "64.74.09.9999";
    ASSERT_TRUE(index_.upsert(s.key, 2, s.at, s.attrs));
    PointFilter only_new_area;
    only_new_area.area_prefixes = {"64.74.09"};
    const auto got = index_.within(s.at, 1, only_new_area, 10);
    ASSERT_EQ(got.size(), 1U);
    EXPECT_EQ(got[0].key, s.key);
    PointFilter prefix_is_not_a_string_prefix;
    prefix_is_not_a_string_prefix.area_prefixes = {"64.74.0"};
    EXPECT_TRUE(index_.within(s.at, 1, prefix_is_not_a_string_prefix, 10).empty());
    EXPECT_GT(index_.memory_bytes(), data_.size() * 40);
}

TEST(PointIndex, AnEmptyIndexAnswersNothing) {
    PointIndex index;
    EXPECT_TRUE(index.nearest({117.5, 0.1}, 3, {}).empty());
    EXPECT_TRUE(index.within({117.5, 0.1}, 1000, {}, 3).empty());
    EXPECT_EQ(index.size(), 0U);
    EXPECT_EQ(index.version_of(key_of(1)), 0);
}

} // namespace
} // namespace kapal::geo
