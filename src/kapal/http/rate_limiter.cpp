#include "kapal/http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace kapal::http {
namespace {

// Above this many addresses, buckets that have refilled completely are dropped (they hold no
// information: a new bucket starts full).
constexpr std::size_t kPruneThreshold = 10000;

} // namespace

RateLimiter::RateLimiter(double rate, double burst)
    : rate_(rate)
    , burst_(burst) {}

std::optional<std::chrono::seconds> RateLimiter::acquire(std::string_view address,
                                                         Clock::time_point now) {
    if (!enabled()) {
        return std::nullopt;
    }
    const std::lock_guard lock(mutex_);
    auto it = buckets_.find(std::string(address));
    if (it == buckets_.end()) {
        if (buckets_.size() >= kPruneThreshold) {
            prune(now);
        }
        it = buckets_.emplace(std::string(address), Bucket{burst_, now}).first;
    }
    Bucket& bucket = it->second;
    const std::chrono::duration<double> elapsed = now - bucket.updated;
    if (elapsed.count() > 0) {
        bucket.tokens = std::min(burst_, bucket.tokens + elapsed.count() * rate_);
        bucket.updated = now;
    }
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return std::nullopt;
    }
    const double wait = std::ceil((1.0 - bucket.tokens) / rate_);
    return std::chrono::seconds(std::max<long long>(1, static_cast<long long>(wait)));
}

void RateLimiter::prune(Clock::time_point now) {
    std::erase_if(buckets_, [&](const auto& entry) {
        const std::chrono::duration<double> elapsed = now - entry.second.updated;
        return entry.second.tokens + elapsed.count() * rate_ >= burst_;
    });
}

} // namespace kapal::http
