#pragma once
// Indicators per area for the rakor (issue 10): for the persons registered in an area at the end
// of a period — registered per 1,000 residents, the share holding a valid card, the share
// reached by aid in the year so far, the share whose home lies in a hazard zone, and the share
// farther than a set distance from every facility — with the same figures for the period
// before beside them. Registration is read from the registry timeline exactly as the flows
// (registry_flows.hpp), so `registered` equals the flows' `end`. The definitions are in
// docs/reports.md, "Indicators".

#include "kapal/core/result.hpp"
#include "kapal/core/time.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/service/registry_flows.hpp"
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

/// The period of the same kind just before `p`: the year, quarter or month before; for any
/// other span, as many days ending where `p` starts. Precondition: p.from < p.to.
Period previous_period(const Period& p);

/// The default distance beyond which a home counts as far from every facility.
inline constexpr double kDefaultFarM = 5'000.0;

struct IndicatorOptions {
    double far_m = kDefaultFarM; ///< (0, kMaxCoverageM]
    std::string facility_kind;   ///< a kind of kFacilityKinds; empty: any facility
};

/// Counts behind the indicators of one area at one instant (a period's end).
struct IndicatorCounts {
    std::int64_t registered = 0;            ///< aktif in the area (the flows' `end`)
    std::optional<std::int64_t> population; ///< residents, when the reference data has a figure
    std::int64_t with_card = 0;             ///< of registered: a card valid at the instant
    std::int64_t reached = 0;   ///< of registered: aid delivered since 1 January of that year
    std::int64_t located = 0;   ///< of registered: a home location is recorded
    std::int64_t in_hazard = 0; ///< of located: the home lies inside a hazard zone
    std::int64_t far = 0;       ///< of located: farther than far_m from every facility (of kind)

    /// registered × 1000 / population; nullopt without a population figure.
    std::optional<double> per_1000() const;
    /// part / whole; nullopt when whole is 0.
    static std::optional<double> share(std::int64_t part, std::int64_t whole);

    bool operator==(const IndicatorCounts&) const = default;
};

struct AreaIndicators {
    std::string code; ///< empty for the total
    std::string name;
    IndicatorCounts current;  ///< at the end of the period
    IndicatorCounts previous; ///< at the end of the previous period
};

struct IndicatorReport {
    Period period;
    Period previous;
    IndicatorOptions options;
    std::size_t facilities = 0;        ///< of the kind asked (0: `far` counts every located person)
    std::size_t hazard_zones = 0;      ///< zones read (unreadable geometries are skipped)
    std::vector<AreaIndicators> areas; ///< every area of the level in the caller's scope
    AreaIndicators total;              ///< the union of the areas
};

/// The pure part: facts first (cards, deliveries, homes with their two flags), then each
/// person's states. `areas` lists (code, name) at `level`; `ends` are the instants the counts
/// are taken at (the period's end, then the previous period's); `aid_from` the start of the
/// aid window of each (1 January, WITA, of the year of the instant's last day).
class IndicatorsBuilder {
  public:
    IndicatorsBuilder(std::vector<std::pair<std::string, std::string>> areas,
                      AreaLevel level,
                      std::array<core::Timestamp, 2> ends,
                      std::array<core::Timestamp, 2> aid_from);

    void add_card(const store::CardSpan& card);
    void add_aid(const store::DeliveredAid& aid);
    /// A home, with whether it lies in a hazard zone and whether it is far from every facility.
    void add_home(std::int64_t person, bool in_hazard, bool far);

    /// One person's states, oldest first (all of one person at once).
    void add_person(std::span<const store::RegistryState> states);

    /// The counts per area (in the order given) and of their union: [0] current, [1] previous.
    std::vector<AreaIndicators> areas() const;
    AreaIndicators total() const;

  private:
    static constexpr std::uint8_t kInHazard = 1;
    static constexpr std::uint8_t kFar = 2;

    int area_of(const store::RegistryState& s);
    void count(std::size_t which, int area, std::int64_t person);
    void sort_facts();

    AreaLevel level_;
    std::array<core::Timestamp, 2> ends_;
    std::array<core::Timestamp, 2> aid_from_;
    std::vector<AreaIndicators> areas_;
    AreaIndicators total_;
    std::unordered_map<std::string, int> area_index_;
    std::unordered_map<std::string, int> kelurahan_area_; ///< kelurahan code → area (or -1)
    // The facts, in flat vectors sorted by person once the first person comes (a few bytes a
    // person: a province's million homes take 16 MB, where hash maps took several times that).
    std::vector<store::CardSpan> cards_;
    std::vector<store::DeliveredAid> aid_;
    std::vector<std::pair<std::int64_t, std::uint8_t>> homes_; ///< person, kInHazard | kFar
    bool sorted_ = false;
};

/// The indicators of `period` and the one before it at `level`, for the areas wholly inside the
/// caller's scope (as compute_flows). Hazard zones, facilities and homes are as now recorded
/// (they are not versioned); registration, cards and aid are as at each period's end.
/// Errors: InvalidArgument (a bad period; far_m out of range; an unknown facility kind), store
/// errors.
Result<IndicatorReport> compute_indicators(store::Store& store,
                                           const ReferenceData& ref,
                                           const Actor& actor,
                                           AreaLevel level,
                                           const Period& period,
                                           const IndicatorOptions& options);

} // namespace kapal::service
