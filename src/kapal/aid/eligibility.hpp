#pragma once
// The eligibility language for social assistance (issue 8, item 2; docs/eligibility.md):
//   age >= 18 and "fisik" in categories and severity in ("sedang","berat") and not dtks
// A rule is parsed and checked once (names, types and values resolved, category sets turned
// into bitmasks), then evaluated on many records without any string lookup of names.

#include "kapal/core/person.hpp"
#include "kapal/core/result.hpp"
#include "kapal/core/time.hpp"

#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace kapal::aid {

/// Longest rule text accepted, in bytes.
inline constexpr std::size_t kMaxRuleLength = 4096;

/// Deepest nesting of parentheses and `not` accepted (bounds the parser's and the evaluator's
/// recursion, so hostile input cannot exhaust the stack).
inline constexpr int kMaxRuleDepth = 32;

/// What a rule can see beyond the record itself, fixed for one evaluation run.
struct RuleContext {
    core::Date on{}; ///< reference date: `age` is whole years at this date (absent if !ok())
};

namespace detail {
struct Program;
} // namespace detail

/// A parsed, checked rule: immutable, cheap to copy and evaluate, safe to share between threads.
class Rule {
  public:
    /// The text as written.
    const std::string& text() const;

    /// Normalised spelling (docs/eligibility.md, "Canonical form"): stable across versions,
    /// used in list hashes; parse_rule(canonical()) has the same canonical() and meaning.
    std::string canonical() const;

    /// True when the record satisfies the rule. A comparison with an absent value is false.
    bool matches(const core::PersonRecord& record, const RuleContext& context) const;

  private:
    friend Result<Rule> parse_rule(std::string_view text);
    explicit Rule(std::shared_ptr<const detail::Program> program);

    std::shared_ptr<const detail::Program> program_;
};

/// Parses and checks a rule. Errors: AidRuleInvalid with one FieldIssue{field "rule", detail
/// naming the 1-based character position and what was expected, in Indonesian, e.g.
/// "posisi 23: diharapkan 'and', 'or' atau ')'"}.
Result<Rule> parse_rule(std::string_view text);

/// Counts per kelurahan of the records a rule matches (the preview before a list is made).
struct RulePreview {
    std::size_t evaluated = 0; ///< records looked at
    std::size_t matched = 0;   ///< records the rule matches
    /// Matches per address.kelurahan_code (an empty key for records without one).
    std::map<std::string, std::size_t> per_kelurahan;
};

/// Evaluates `rule` on every record and counts the matches per kelurahan.
RulePreview preview_rule(const Rule& rule,
                         std::span<const core::PersonRecord> records,
                         const RuleContext& context);

} // namespace kapal::aid
