#pragma once
// Hazard zones (kawasan rawan bencana) and who must be helped out of them: importing the
// polygons of a hazard map (GeoJSON, GeoPackage, KML, Shapefile), and for a zone the evacuation
// list — the persons living inside it with what they need to leave (mobility aid, blind, deaf,
// communication, caregiver and phone), grouped by RT and ordered as a walking route — as data,
// CSV and a printable PDF.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/person.hpp"
#include "kapal/core/result.hpp"
#include "kapal/geo/geometry.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/gis_layers.hpp"
#include "kapal/service/person_needs.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/store/store.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::service {

/// The hazard kinds the program knows (BNPB's InaRISK names), as lower-case codes.
inline constexpr std::array<std::string_view, 9> kHazardKinds = {"banjir",
                                                                 "rob",
                                                                 "tsunami",
                                                                 "longsor",
                                                                 "gempa",
                                                                 "kebakaran_hutan",
                                                                 "abrasi",
                                                                 "cuaca_ekstrem",
                                                                 "kekeringan"};

/// The levels of a hazard map, lowest first.
inline constexpr std::array<std::string_view, 3> kHazardLevels = {"rendah", "sedang", "tinggi"};

/// A kind from a code or a common label ("Banjir", "flood", "tanah longsor", "karhutla");
/// nullopt when unknown.
std::optional<std::string> parse_hazard_kind(std::string_view text);

/// A level from a code or a common label ("Tinggi", "high", "kelas sedang", "3"); nullopt when
/// unknown.
std::optional<std::string> parse_hazard_level(std::string_view text);

/// How to read a hazard map. Each feature's name, kind and level come from its attributes (the
/// named field, else the first of the usual ones present: nama/name/namobj/zona,
/// bahaya/hazard/jenis/jenis_bencana, tingkat/level/kelas/indeks), else from the defaults here.
struct HazardImportOptions {
    std::string file;
    std::string layer;  ///< empty: the first layer
    std::string hazard; ///< the kind when a feature has none
    std::string level;  ///< the level when a feature has none
    std::string name_field;
    std::string hazard_field;
    std::string level_field;
    bool dry_run = false; ///< check and report, write nothing
    /// The file's name as people know it (an upload's own name, not the temporary file's), for
    /// `source` and the layer of a single-layer file; empty: the file's own name.
    std::string source_name;
};

/// A feature that was not imported, and why.
struct HazardImportProblem {
    std::size_t feature = 0; ///< 1-based, as in the file
    std::string message;
};

struct HazardImportReport {
    std::string layer;
    std::vector<store::HazardZoneRecord> zones; ///< imported (or, dry run, to be imported)
    std::vector<HazardImportProblem> rejected;
};

struct EvacuationStop {
    core::PersonRecord record;
    PersonNeeds needs;
    double leg_m = 0; ///< walking order: from the previous stop (the start for the first)
};

/// The persons of one RT (rukun tetangga) of one RW, in walking order.
struct EvacuationGroup {
    std::string kelurahan_code;
    std::string rw;
    std::string rt;
    std::vector<EvacuationStop> stops;
};

struct EvacuationList {
    store::HazardZoneRecord zone;
    geo::LonLat start;                   ///< where the route starts
    std::vector<EvacuationGroup> groups; ///< RT groups, in walking order
    std::size_t persons = 0;
    double total_m = 0;     ///< the whole walking route
    bool truncated = false; ///< more than kMaxEvacuationPersons live inside: list incomplete
    core::Timestamp made_at{};
};

/// The most persons an evacuation list takes (a route is planned over at most this many).
inline constexpr std::size_t kMaxEvacuationPersons = 1000;

class HazardService {
  public:
    HazardService(store::Store& store,
                  PersonService& persons,
                  const core::Clock& clock,
                  core::IdGenerator& ids);

    /// Reads a hazard map and adds its polygons as zones; features that are not polygons, or
    /// whose kind or level is missing or unknown, are reported and left out; the others are
    /// added in one batch. Errors: the reader's (Io, NotFound, ValidationFailed: e.g. the layer
    /// does not exist), ValidationFailed (a default kind or level that is unknown; no feature
    /// could be imported), store errors.
    Result<HazardImportReport> import_zones(const HazardImportOptions& options, const Actor& actor);

    /// Every zone. Zones are public reference for everyone who may read persons.
    Result<std::vector<store::HazardZoneRecord>> zones();

    /// The evacuation list of a zone for `actor`: active persons of the actor's areas whose home
    /// is inside the zone (holes excluded, border included), grouped by RW and RT, the groups
    /// and the persons within each in walking order (geo::plan_visits, great-circle metres)
    /// from `start` — by default the zone's north-western corner. Errors: NotFound (no such
    /// zone), IndexLoading, store errors.
    Result<EvacuationList> evacuation_list(const std::string& zone_id,
                                           const Actor& actor,
                                           std::optional<geo::LonLat> start = std::nullopt);

  private:
    store::Store& store_;
    PersonService& persons_;
    const core::Clock& clock_;
    core::IdGenerator& ids_;
};

/// The hazard zones as an OGC API collection ("hazards": multipolygons with name, hazard, level,
/// source, created_at), for signed-in readers; `extent` is the city's box. bbox selects the zones
/// whose bounding box meets it. The store must outlive the collection.
FeatureCollection hazards_collection(store::Store& store, geo::BBox extent);

/// The list as CSV (UTF-8, header row, one row per person in walking order).
std::string evacuation_csv(const EvacuationList& list);

/// The list as a printable PDF (A4 landscape, one table per RT). Errors: Internal.
Result<std::string> evacuation_pdf(const EvacuationList& list, const std::string& printed_by);

} // namespace kapal::service
