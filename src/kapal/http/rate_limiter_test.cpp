#include "kapal/http/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace kapal::http {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, AllowsBurstThenRefusesWithRetryAfter) {
    RateLimiter limiter(2.0, 3.0);
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    for (int i = 0; i < 3; ++i) {
        EXPECT_FALSE(limiter.acquire("10.0.0.1", t0).has_value()) << i;
    }
    const auto wait = limiter.acquire("10.0.0.1", t0);
    ASSERT_TRUE(wait.has_value());
    EXPECT_EQ(*wait, 1s);
    EXPECT_FALSE(limiter.acquire("10.0.0.2", t0).has_value()) << "addresses are separate";
    EXPECT_FALSE(limiter.acquire("10.0.0.1", t0 + 500ms).has_value()) << "refilled one token";
    EXPECT_TRUE(limiter.acquire("10.0.0.1", t0 + 500ms).has_value());
}

TEST(RateLimiter, RetryAfterCoversSlowRates) {
    RateLimiter limiter(0.1, 1.0);
    const auto t0 = RateLimiter::Clock::time_point{} + 1h;
    EXPECT_FALSE(limiter.acquire("a", t0).has_value());
    EXPECT_EQ(limiter.acquire("a", t0), std::optional<std::chrono::seconds>(10s));
}

TEST(RateLimiter, ZeroTurnsItOff) {
    RateLimiter limiter(0.0, 100.0);
    EXPECT_FALSE(limiter.enabled());
    for (int i = 0; i < 1000; ++i) {
        ASSERT_FALSE(limiter.acquire("a").has_value());
    }
}

} // namespace
} // namespace kapal::http
