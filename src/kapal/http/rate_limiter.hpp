#pragma once
// A token bucket per client address: `rate` requests per second on average, bursts of up to
// `burst`. Thread-safe.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kapal::http {

/// Per-address token buckets. A rate or burst of 0 turns limiting off.
class RateLimiter {
  public:
    /// The clock the limiter reads (steady: wall-clock jumps must not refill buckets).
    using Clock = std::chrono::steady_clock;

    /// `rate` tokens per second refill each bucket, which holds at most `burst` tokens.
    RateLimiter(double rate, double burst);

    /// Takes one token for `address` at `now`. nullopt when allowed; otherwise the whole
    /// seconds (at least 1) until a token is available, for Retry-After.
    std::optional<std::chrono::seconds> acquire(std::string_view address,
                                                Clock::time_point now = Clock::now());

    /// True when limiting is on (rate and burst both positive).
    bool enabled() const noexcept { return rate_ > 0 && burst_ > 0; }

  private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point updated;
    };

    void prune(Clock::time_point now); // caller holds mutex_

    double rate_;
    double burst_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

} // namespace kapal::http
