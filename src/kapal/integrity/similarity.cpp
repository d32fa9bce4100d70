#include "kapal/integrity/similarity.hpp"

#include <algorithm>
#include <array>

namespace kapal::integrity {

double jaro(std::string_view a, std::string_view b) {
    if (a.empty() && b.empty()) {
        return 1.0;
    }
    if (a.empty() || b.empty()) {
        return 0.0;
    }
    const std::size_t half = std::max(a.size(), b.size()) / 2;
    const std::size_t window = half > 0 ? half - 1 : 0;
    // Names are short: flags on the stack, the heap only for long texts.
    std::array<char, 64> a_small{};
    std::array<char, 64> b_small{};
    std::vector<char> a_large;
    std::vector<char> b_large;
    char* a_matched = a_small.data();
    char* b_matched = b_small.data();
    if (a.size() > a_small.size()) {
        a_large.assign(a.size(), 0);
        a_matched = a_large.data();
    }
    if (b.size() > b_small.size()) {
        b_large.assign(b.size(), 0);
        b_matched = b_large.data();
    }
    std::size_t matches = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::size_t lo = i > window ? i - window : 0;
        const std::size_t hi = std::min(b.size(), i + window + 1);
        for (std::size_t j = lo; j < hi; ++j) {
            if (!b_matched[j] && a[i] == b[j]) {
                a_matched[i] = b_matched[j] = 1;
                ++matches;
                break;
            }
        }
    }
    if (matches == 0) {
        return 0.0;
    }
    std::size_t transpositions = 0;
    for (std::size_t i = 0, j = 0; i < a.size(); ++i) {
        if (!a_matched[i]) {
            continue;
        }
        while (!b_matched[j]) {
            ++j;
        }
        if (a[i] != b[j]) {
            ++transpositions;
        }
        ++j;
    }
    const double m = static_cast<double>(matches);
    const double t = static_cast<double>(transpositions) / 2.0;
    return (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) + (m - t) / m) /
           3.0;
}

double jaro_winkler(std::string_view a, std::string_view b) {
    const double j = jaro(a, b);
    std::size_t prefix = 0;
    while (prefix < 4 && prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) {
        ++prefix;
    }
    return j + static_cast<double>(prefix) * 0.1 * (1.0 - j);
}

namespace {

/// Mean over `from` of each token's best Jaro–Winkler against `to`.
double best_matches(const std::vector<std::string>& from, const std::vector<std::string>& to) {
    double sum = 0;
    for (const auto& f : from) {
        double best = 0;
        for (const auto& t : to) {
            best = std::max(best, jaro_winkler(f, t));
        }
        sum += best;
    }
    return sum / static_cast<double>(from.size());
}

} // namespace

double name_similarity(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    if (a.empty() || b.empty()) {
        return 0.0;
    }
    return (best_matches(a, b) + best_matches(b, a)) / 2.0;
}

} // namespace kapal::integrity
