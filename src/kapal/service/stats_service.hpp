#pragma once
// The dashboard's figures (Dasbor): counts of the persons in the caller's areas by category,
// sex, age group, severity and kecamatan, and the new registrations per month per kecamatan
// (DESIGN.md §2.6, "peningkatan atau penurunan data"). Counted by the store in two grouped
// queries over plain columns (Store::person_stat_groups): no record is read or decrypted, so it
// holds at national scale (docs/PERFORMANCE.md, "Dashboard figures").

#include "kapal/core/clock.hpp"
#include "kapal/core/person.hpp"
#include "kapal/core/result.hpp"
#include "kapal/core/time.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/store.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kapal::service {

/// A count under a stable key (a category code, "L", an age group, …).
struct KeyCount {
    std::string key;
    std::size_t count = 0;
};

/// An area with a count, or with one count per month.
struct AreaSeries {
    std::string code;
    std::string name;
    std::size_t count = 0;
    std::vector<std::size_t> months; ///< new registrations per month, oldest first
};

/// Age groups, by whole years on the day of the count: balita 0–4, anak 5–17, dewasa 18–59,
/// lansia 60 and over.
inline constexpr std::array<std::string_view, 4> kAgeGroups = {
    "balita", "anak", "dewasa", "lansia"};

/// The age group of someone `years` old.
std::string_view age_group(int years);

/// The upper bounds (exclusive) of kAgeGroups but the last: 5, 18, 60.
inline constexpr std::array<int, 3> kAgeBounds = {5, 18, 60};

struct Stats {
    std::optional<core::Status> status; ///< the status counted; nullopt = every status
    std::size_t total = 0;              ///< persons counted
    std::vector<KeyCount> categories;   ///< every category; a person once per category
    std::vector<KeyCount> sexes;        ///< "L", "P"
    std::vector<KeyCount> age_groups;   ///< kAgeGroups
    std::vector<KeyCount> severities;   ///< ringan, sedang, berat, tidak_diisi
    /// The kecamatan of the caller's areas (reference order), with `count` and `months`.
    std::vector<AreaSeries> kecamatan;
    std::vector<std::string> months;       ///< "2026-01", …, the current month (WITA) last
    std::vector<std::size_t> months_total; ///< new registrations per month, all kecamatan
};

/// Adds persons one by one. `kecamatan` lists (code, name) of the areas to report, in order;
/// persons of another kecamatan count in the totals only. New registrations are counted by the
/// month (WITA) of their creation, whatever their status now; the other figures only for
/// persons with `status` (every status when nullopt).
class StatsBuilder {
  public:
    StatsBuilder(std::vector<std::pair<std::string, std::string>> kecamatan,
                 core::Date today,
                 int months,
                 std::optional<core::Status> status);

    void add(const core::PersonRecord& record);

    /// Adds `g.count` persons alike (a group counted by the store, of the status counted).
    void add(const store::PersonProfileGroup& g);

    /// Adds the registrations of a kecamatan in a month ("2026-09").
    void add(const store::MonthCount& m);

    Stats result() const { return stats_; }

    /// The first instant of the first month counted (its first day, 00:00 WITA), in Unix ms.
    std::int64_t window_start_ms() const;

  private:
    static void bump(std::vector<KeyCount>& counts, std::string_view key, std::size_t n = 1);

    core::Date today_;
    int first_month_ = 0; ///< year * 12 + month - 1 of months[0]
    Stats stats_;
};

/// The figures for the persons `actor` may see. `months` (1–36) months of new registrations.
/// Errors: the store's.
Result<Stats> compute_stats(PersonService& persons,
                            const ReferenceData& ref,
                            const core::Clock& clock,
                            const Actor& actor,
                            std::optional<core::Status> status,
                            int months);

} // namespace kapal::service
