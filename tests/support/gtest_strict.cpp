// Linked into every gtest program: a fatal failure outside a test (in a suite's SetUpTestSuite,
// or a global environment) ends the program at once with exit code 1. gtest would otherwise
// report that suite's tests as SKIPPED, and gtest_discover_tests has ctest count a test whose
// output says SKIPPED as skipped whatever the exit code: a server that did not start would pass
// unseen. This project leaves no skipped test behind, so such a set-up failure fails its tests.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

namespace {

class StopOnSetUpFailure : public ::testing::EmptyTestEventListener {
    // Kept from the events, not asked of gtest (UnitTest::current_test_info takes the lock that
    // gtest holds while it reports a result).
    bool in_test_ = false;

    void OnTestStart(const ::testing::TestInfo&) override { in_test_ = true; }

    void OnTestEnd(const ::testing::TestInfo&) override { in_test_ = false; }

    void OnTestPartResult(const ::testing::TestPartResult& result) override {
        if (!result.fatally_failed() || in_test_) {
            return;
        }
        std::fprintf(stderr,
                     "%s:%d: a set-up outside any test failed: %s\n"
                     "kapal: the tests that need it fail with it (exit code 1)\n",
                     result.file_name() != nullptr ? result.file_name() : "?",
                     result.line_number(),
                     result.message());
        std::fflush(nullptr);
        std::_Exit(1);
    }
};

// Installed before main (gtest_main) runs the tests; gtest owns and deletes the listener.
const bool kInstalled = [] {
    ::testing::UnitTest::GetInstance()->listeners().Append(new StopOnSetUpFailure);
    return true;
}();

} // namespace
