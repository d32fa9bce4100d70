#pragma once
// Facilities (puskesmas, SLB schools, posyandu, kantor kelurahan, ...): importing their points
// from a GIS file, the nearest one to a person or a point, and a coverage report — the persons
// living farther than a given distance from every facility of a kind.
//
// Facilities are few (hundreds in a city), so nearest and coverage scan all of them for each
// point (brute force, great-circle metres by geo::haversine_m); no spatial index is kept.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/person.hpp"
#include "kapal/core/result.hpp"
#include "kapal/geo/geometry.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/gis_layers.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/store/store.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::service {

/// The facility kinds the program knows, as lower-case codes.
inline constexpr std::array<std::string_view, 8> kFacilityKinds = {"puskesmas",
                                                                   "pustu",
                                                                   "rumah_sakit",
                                                                   "slb",
                                                                   "posyandu",
                                                                   "kantor_kelurahan",
                                                                   "kantor_kecamatan",
                                                                   "dinas_sosial"};

/// A kind from a code or a common label ("Puskesmas", "Sekolah Luar Biasa", "RSUD", "Kantor
/// Lurah", "hospital"); nullopt when unknown.
std::optional<std::string> parse_facility_kind(std::string_view text);

/// How to read a file of facilities. Each feature's name and kind come from its attributes (the
/// named field, else the first of the usual ones present: nama/name/namobj,
/// jenis/kind/tipe/type/kategori), else the kind from the default here. Address and phone come
/// from alamat/address and telepon/phone/telp when present. A feature without geometry (a CSV
/// file) takes its position from lon/lng/longitude/bujur/x and lat/latitude/lintang/y.
struct FacilityImportOptions {
    std::string file;
    std::string layer; ///< empty: the first layer
    std::string kind;  ///< the kind when a feature has none
    std::string name_field;
    std::string kind_field;
    bool dry_run = false; ///< check and report, write nothing
    /// The file's name as people know it (an upload's own name, not the temporary file's), for
    /// `source` and the layer of a single-layer file; empty: the file's own name.
    std::string source_name;
};

/// A feature that was not imported, and why.
struct FacilityImportProblem {
    std::size_t feature = 0; ///< 1-based, as in the file
    std::string message;
};

struct FacilityImportReport {
    std::string layer;
    std::vector<store::FacilityRecord> facilities; ///< imported (or, dry run, to be imported)
    std::vector<FacilityImportProblem> rejected;
};

/// The facility nearest to a point.
struct NearestFacility {
    store::FacilityRecord facility;
    double distance_m = 0; ///< great-circle
};

/// The nearest of `facilities` (of `kind` when given) to `at`; ties go to the earlier one.
/// nullopt when there is none.
std::optional<NearestFacility>
nearest_facility(const std::vector<store::FacilityRecord>& facilities,
                 geo::LonLat at,
                 std::string_view kind = {});

/// A person and the facility of a kind nearest to their home.
struct PersonNearest {
    core::PersonRecord record;
    std::optional<NearestFacility> nearest; ///< nullopt: no facility of the kind at all
};

/// One kelurahan of a coverage report.
struct CoverageArea {
    std::string kelurahan_code;
    std::size_t persons = 0;   ///< active persons with a home in the actor's areas
    std::size_t uncovered = 0; ///< of them, farther than max_m from every facility of the kind
};

struct CoverageReport {
    std::string kind;
    double max_m = 0;
    std::size_t facilities = 0;           ///< of the kind
    std::size_t persons = 0;              ///< checked: active, in the actor's areas, with a home
    std::vector<CoverageArea> areas;      ///< by kelurahan code
    std::vector<PersonNearest> uncovered; ///< farthest first, then by id
};

/// The most metres a coverage distance may be.
inline constexpr double kMaxCoverageM = 100'000.0;

class FacilityService {
  public:
    FacilityService(store::Store& store,
                    PersonService& persons,
                    const core::Clock& clock,
                    core::IdGenerator& ids);

    /// Reads a file of facilities and adds its points; features that are not points, or whose
    /// kind is missing or unknown, are reported and left out; the others are added in one batch
    /// (audited "facility.import"), each located in its kelurahan (empty when outside every
    /// one). Errors: the reader's (Io, NotFound, ValidationFailed), ValidationFailed (an unknown
    /// default kind; no feature could be imported), store errors.
    Result<FacilityImportReport> import_facilities(const FacilityImportOptions& options,
                                                   const Actor& actor);

    /// Every facility, by kind, then name. Facilities are public reference for every reader.
    Result<std::vector<store::FacilityRecord>> facilities();

    /// The facility nearest to `at`, of `kind` when not empty. Errors: ValidationFailed (an
    /// unknown kind), store errors.
    Result<std::optional<NearestFacility>> nearest(geo::LonLat at, const std::string& kind);

    /// Every active person of the actor's areas with a home, in id order, each with the facility
    /// of `kind` nearest to the home (nullopt when there is none of the kind). Errors:
    /// ValidationFailed (an unknown kind), store errors.
    Result<std::vector<PersonNearest>> nearest_for_persons(const std::string& kind,
                                                           const Actor& actor);

    /// The nearest facility of each kind there is to the home of one person (read for `actor`,
    /// so a person outside the actor's areas answers NotFound), in kFacilityKinds order; empty
    /// when the person has no home location. Errors: NotFound, store errors.
    Result<std::vector<NearestFacility>> nearest_for_person(const core::PersonId& id,
                                                            const Actor& actor);

    /// The coverage report for `actor`: active persons of the actor's areas with a home,
    /// counted per kelurahan, and those farther than `max_m` metres from every facility of
    /// `kind` listed. Errors: ValidationFailed (unknown kind; max_m not in (0, kMaxCoverageM]),
    /// store errors.
    Result<CoverageReport> coverage(const std::string& kind, double max_m, const Actor& actor);

  private:
    store::Store& store_;
    PersonService& persons_;
    const core::Clock& clock_;
    core::IdGenerator& ids_;
};

/// The facilities collection of the OGC API (points, for signed-in readers like
/// GET /api/v1/facilities): kind, name, kelurahan_code, address, phone, source, created_at; in
/// kind, then name order. The store must outlive it.
FeatureCollection facilities_collection(store::Store& store, geo::BBox extent);

/// Persons and their nearest facility as CSV (UTF-8, header row): id, name, kelurahan, RT, RW,
/// home, the nearest facility's id, kind and name, and the distance in whole metres. Pass
/// records already masked for the reader.
std::string nearest_csv(const std::vector<PersonNearest>& persons);

/// The report's uncovered persons as CSV (UTF-8, header row): id, name, kelurahan, RT, RW,
/// home, the nearest facility and its distance. Pass records already masked for the reader.
std::string coverage_csv(const CoverageReport& report);

} // namespace kapal::service
