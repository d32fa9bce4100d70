#pragma once
// The registry's flows (issue 10; "peningkatan atau penurunan data", DESIGN.md §2.6): for a
// period and an area level, per area, the persons registered at the start, those who came in
// (new registrations, moves in, reactivations), those who went out (moves out, deaths,
// deactivations) and those registered at the end, with start + in − out = end for every area
// and every cell of the breakdown (category, sex, age group, severity). Read from the registry
// timeline the store keeps (Store::scan_registry_states), never from the current rows, so any
// past period can be recomputed and gives the same figures after later edits. The definitions
// are in docs/reports.md.

#include "kapal/core/result.hpp"
#include "kapal/core/time.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/map_service.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/store.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kapal::service {

// The level the areas of a flow report are taken at: AreaLevel and parse_area_level of
// map_service.hpp.

/// "kota", "kecamatan", "kelurahan".
std::string_view to_string(AreaLevel level);

/// A period of WITA calendar days [from, to): `to` is the first day after it.
struct Period {
    core::Date from{};
    core::Date to{};
    std::string label; ///< "2026", "2026-Q3", "2026-09", or "2026-07-01..2026-10-01"

    /// The instants (UTC) the period starts and ends at: WITA midnight.
    core::Timestamp from_instant() const;
    core::Timestamp to_instant() const;
};

/// A year ("2026"), a quarter ("2026-Q3") or a month ("2026-09"); nullopt for anything else.
std::optional<Period> parse_period(std::string_view text);

/// The `count` calendar months ending with the month of `today`, oldest first.
std::vector<Period> last_months(core::Date today, int count);

/// Counts of one area (or one cell of its breakdown) over one period.
struct FlowCounts {
    std::int64_t start = 0;       ///< registered (aktif, in the area) when the period began
    std::int64_t registered = 0;  ///< in: new registrations ("new")
    std::int64_t moved_in = 0;    ///< in: from another area, or back from outside the city
    std::int64_t reactivated = 0; ///< in: aktif again after nonaktif or meninggal
    std::int64_t moved_out = 0;   ///< out: to another area, or out of the city (pindah)
    std::int64_t deceased = 0;    ///< out: meninggal
    std::int64_t deactivated = 0; ///< out: nonaktif
    std::int64_t end = 0;         ///< registered when the period ended

    std::int64_t in() const { return registered + moved_in + reactivated; }

    std::int64_t out() const { return moved_out + deceased + deactivated; }

    /// start + in − out == end.
    bool reconciles() const { return start + in() - out() == end; }

    bool operator==(const FlowCounts&) const = default;
};

/// Counts under a stable key ("fisik", "L", "dewasa", "berat", …).
struct KeyFlows {
    std::string key;
    FlowCounts counts;
};

/// Age groups of the flow breakdown: stats_service's kAgeGroups at the last day of the period,
/// and "tidak_diketahui" for a birth date that is unknown or after that day.
inline constexpr std::string_view kUnknownAgeGroup = "tidak_diketahui";

struct AreaFlows {
    std::string code; ///< Kemendagri code; empty for the total
    std::string name;
    FlowCounts counts;
    /// By the person's values in their last state before the period's end (age: on its last
    /// day). Empty when the breakdown was not asked for.
    std::vector<KeyFlows> categories; ///< a person once per category
    std::vector<KeyFlows> sexes;
    std::vector<KeyFlows> age_groups;
    std::vector<KeyFlows> severities;
};

struct PeriodFlows {
    Period period;
    std::vector<AreaFlows> areas; ///< every area of the level in the caller's scope
    /// The union of `areas`: a move between two of them is neither in nor out here. For an
    /// unscoped caller it is the whole city.
    AreaFlows total;
};

/// The pure part: takes each person's states and adds them up. `areas` lists (code, name) of
/// the areas to report at `level`, in order.
class FlowsBuilder {
  public:
    FlowsBuilder(std::vector<std::pair<std::string, std::string>> areas,
                 AreaLevel level,
                 std::vector<Period> periods,
                 bool breakdown);

    /// One person's states, oldest version first, all written before the last period's end.
    void add_person(std::span<const store::RegistryState> states);

    std::vector<PeriodFlows> result() const { return flows_; }

  private:
    struct Cells;
    int area_of(const store::RegistryState& s);
    void count_person(std::size_t period, std::span<const store::RegistryState> states);

    AreaLevel level_;
    bool breakdown_;
    std::vector<PeriodFlows> flows_;
    std::unordered_map<std::string, int> area_index_;     ///< area code → index in areas
    std::unordered_map<std::string, int> kelurahan_area_; ///< kelurahan code → area (or -1)
    std::vector<store::RegistryState> collapsed_;         ///< scratch
};

/// The code at `level` of the area a kelurahan lies in ("64.74.01.1003", kecamatan →
/// "64.74.01").
std::string_view area_code_at(std::string_view kelurahan_code, AreaLevel level);

/// (code, name) of every area of `level` wholly inside the caller's scope, in the reference
/// data's order.
std::vector<std::pair<std::string, std::string>>
areas_in_scope(const ReferenceData& ref, const Actor& actor, AreaLevel level);

/// The flows of `periods` at `level` for the areas wholly inside the caller's scope (an area
/// only partly inside it is left out: a finer level shows it). `breakdown` adds the category,
/// sex, age group and severity cells. Errors: InvalidArgument (no period, or one that ends
/// before it starts); those of Store::scan_registry_states.
Result<std::vector<PeriodFlows>> compute_flows(store::Store& store,
                                               const ReferenceData& ref,
                                               const Actor& actor,
                                               AreaLevel level,
                                               std::vector<Period> periods,
                                               bool breakdown);

} // namespace kapal::service
