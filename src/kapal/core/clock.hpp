#pragma once

#include "kapal/core/time.hpp"

namespace kapal::core {

/// Where "now" comes from. Services take a Clock so tests can fix the date.
class Clock {
  public:
    Clock() = default;
    Clock(const Clock&) = delete;
    Clock& operator=(const Clock&) = delete;
    Clock(Clock&&) = delete;
    Clock& operator=(Clock&&) = delete;
    virtual ~Clock() = default;

    /// The current instant, UTC.
    virtual Timestamp now() const = 0;
};

/// The system's real-time clock.
class SystemClock final : public Clock {
  public:
    Timestamp now() const override;
};

/// A clock that returns a set instant until told otherwise (tests, reproducible demo data).
class FixedClock final : public Clock {
  public:
    explicit FixedClock(Timestamp t)
        : t_(t) {}

    Timestamp now() const override { return t_; }

    void set(Timestamp t) { t_ = t; }

  private:
    Timestamp t_;
};

} // namespace kapal::core
