#include "kapal/core/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace kapal::detail {

void assert_failed(const char* expr, const char* file, int line) noexcept {
    // The one place core writes to stderr: the process is about to abort on a bug.
    std::fprintf(stderr, "kapal: assertion failed: %s (%s:%d)\n", expr, file, line);
    std::abort();
}

} // namespace kapal::detail
