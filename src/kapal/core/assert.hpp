#pragma once

// Broken preconditions are bugs, not errors: KAPAL_ASSERT aborts with the place it failed.

namespace kapal::detail {
[[noreturn]] void assert_failed(const char* expr, const char* file, int line) noexcept;
} // namespace kapal::detail

#define KAPAL_ASSERT(cond)                                                                         \
    ((cond) ? static_cast<void>(0) : ::kapal::detail::assert_failed(#cond, __FILE__, __LINE__))
