#include "kapal/core/clock.hpp"

namespace kapal::core {

Timestamp SystemClock::now() const {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
}

} // namespace kapal::core
