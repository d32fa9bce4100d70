#include "kapal/integrity/similarity.hpp"

#include <gtest/gtest.h>

namespace kapal::integrity {
namespace {

TEST(Similarity, JaroWinklerMatchesPublishedValues) {
    // The classic examples (Winkler 1990; Wikipedia "Jaro–Winkler distance").
    EXPECT_NEAR(jaro("martha", "marhta"), 0.944, 0.001);
    EXPECT_NEAR(jaro_winkler("martha", "marhta"), 0.961, 0.001);
    EXPECT_NEAR(jaro("dwayne", "duane"), 0.822, 0.001);
    EXPECT_NEAR(jaro_winkler("dwayne", "duane"), 0.840, 0.001);
    EXPECT_NEAR(jaro("dixon", "dicksonx"), 0.767, 0.001);
    EXPECT_NEAR(jaro_winkler("dixon", "dicksonx"), 0.813, 0.001);
    EXPECT_EQ(jaro("abc", "xyz"), 0.0);
    EXPECT_EQ(jaro("", ""), 1.0);
    EXPECT_EQ(jaro("a", ""), 0.0);
    EXPECT_EQ(jaro_winkler("sumarni", "sumarni"), 1.0);
}

TEST(Similarity, JaroWinklerIsSymmetricAndBounded) {
    const std::vector<std::string> words = {
        "siti", "sitti", "aminah", "amina", "rahmat", "rahmad", "r", "", "muhammad", "ahmad"};
    for (const auto& a : words) {
        for (const auto& b : words) {
            const double s = jaro_winkler(a, b);
            EXPECT_GE(s, 0.0);
            EXPECT_LE(s, 1.0);
            EXPECT_DOUBLE_EQ(s, jaro_winkler(b, a)) << a << " / " << b;
        }
    }
}

TEST(Similarity, NamesIgnoreOrderAndForgiveAMissingName) {
    EXPECT_DOUBLE_EQ(name_similarity({"siti", "aminah"}, {"aminah", "siti"}), 1.0);
    const double missing = name_similarity({"siti", "aminah"}, {"aminah"});
    EXPECT_GT(missing, 0.8);
    EXPECT_LT(missing, 0.95);
    EXPECT_LT(name_similarity({"budi", "santoso"}, {"rina", "wahyuni"}), 0.7);
    EXPECT_EQ(name_similarity({}, {"budi"}), 0.0);
}

} // namespace
} // namespace kapal::integrity
