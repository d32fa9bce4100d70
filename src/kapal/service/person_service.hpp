#pragma once
// Registering and updating persons: the rules of core, the geography of geo, the storage of
// store — what the HTTP handlers and the CLI call.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/person.hpp"
#include "kapal/core/person_rules.hpp"
#include "kapal/core/result.hpp"
#include "kapal/geo/geometry.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/duplicate_check.hpp"
#include "kapal/service/person_index.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/store.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::service {

/// Checks a person fully: core rules plus geography. The home location sets the kelurahan when
/// none was typed; a located kelurahan that differs from the typed one, a home outside every
/// polygon and a home in a gap between polygons are warnings.
core::PersonCheck
check_person_full(core::Person& person, const ReferenceData& ref, core::Date today);

/// NIK, KK and account number of a person in clear, for a role allowed to see them.
struct RevealedNumbers {
    std::string nik;
    std::string kk;
    std::string account_number;
};

/// Where to look: around a point (within radius_m, or the k nearest), inside a box or inside a
/// polygon (exactly one of them); and the filters only the point index holds.
struct SpatialQuery {
    std::optional<geo::LonLat> near;
    double radius_m = 0;                      ///< with near, when k == 0
    std::size_t k = 0;                        ///< with near: the k nearest
    std::optional<geo::BBox> bbox;            ///< min_lon > max_lon: crosses the antimeridian
    std::optional<geo::MultiPolygon> polygon; ///< holes excluded, boundary included

    std::vector<core::Category> categories; ///< any of them (with the list's category)
    std::optional<core::DisabilitySeverity> severity;
    std::vector<std::string> needs; ///< assistive-device codes (core::kAssistiveDevices), any of
};

struct SpatialHit {
    core::PersonRecord record;
    double distance_m = 0; ///< from `near`; 0 for a box
};

struct SpatialPage {
    std::vector<SpatialHit> items; ///< nearest first (box, polygon: by id)
    bool truncated = false;        ///< more matched than the limit
};

/// The largest photo file accepted, in bytes (the web app sends about 100 KB: 600 px JPEG).
inline constexpr std::size_t kMaxPhotoBytes = 512 * 1024;

/// The sides a photo may have, in pixels.
inline constexpr int kMinPhotoSide = 32;
inline constexpr int kMaxPhotoSide = 4096;

/// A photo's bytes are what `media_type` says (image/jpeg or image/png), at most kMaxPhotoBytes,
/// a readable picture of kMinPhotoSide..kMaxPhotoSide pixels a side. Errors (each naming the
/// field "photo"): PhotoTypeUnsupported, PhotoTooLarge, PhotoInvalid.
Result<void> check_photo(std::span<const std::uint8_t> bytes, std::string_view media_type);

class PersonService {
  public:
    PersonService(store::Store& store,
                  std::shared_ptr<const ReferenceData> ref,
                  const core::Clock& clock,
                  core::IdGenerator& ids);

    /// Registers a person. Errors: ValidationFailed (fields = every bad field),
    /// WarningsNotConfirmed (fields = the unconfirmed warnings; resend with their ids in
    /// confirmed_warnings and a warning_reason), DuplicateNik, IdempotencyKeyReused. A person
    /// the registry may already hold (DuplicateCheck, once the index has loaded) is the warning
    /// PossibleDuplicate on "full_name", one per match, naming it as duplicate_warning says.
    /// `chosen_id`: the id a device made offline (docs/sync.md), a UUIDv7; otherwise a new one.
    Result<store::CreateOutcome> create(core::Person person,
                                        const Actor& actor,
                                        const std::optional<store::IdempotencyToken>& idem,
                                        const std::optional<core::PersonId>& chosen_id = {});

    /// Replaces a person's content at `expected_version`. An empty nik/kk (or account number) in
    /// `person` keeps the stored one (clients only ever see them masked). Errors as create, plus
    /// NotFound and VersionConflict. The duplicate check is not repeated (a confirmation of
    /// PossibleDuplicate given at create is kept).
    Result<core::PersonRecord> update(const core::PersonId& id,
                                      std::int64_t expected_version,
                                      core::Person person,
                                      const Actor& actor,
                                      const std::string& reason);

    /// Errors: NotFound (also for persons outside the actor's scope).
    Result<core::PersonRecord> get(const core::PersonId& id, const Actor& actor);

    /// nullopt when no person in scope has this NIK. Errors: NIK structure errors.
    Result<std::optional<core::PersonRecord>> find_by_nik(const std::string& nik,
                                                          const Actor& actor);

    Result<store::Page<core::PersonRecord>> list(store::PersonQuery query, const Actor& actor);

    /// Persons by where they live, from the point index, with the list's filters (area,
    /// category, status; not name or cursor), the spatial query's own (categories, severity,
    /// needs) and the actor's scope; at most filters.limit. Each record is read from the store.
    /// Errors: ValidationFailed (no place, a name or cursor, an unknown need code),
    /// IndexLoading, Internal (no index set).
    Result<SpatialPage>
    search(const SpatialQuery& spatial, const store::PersonQuery& filters, const Actor& actor);

    /// The index that this service keeps current with its own writes and that search reads.
    void set_index(PersonIndex* index) { index_ = index; }

    Result<std::vector<store::PersonVersion>> history(const core::PersonId& id, const Actor& actor);

    /// Sets a person's photo: `bytes` of `media_type` (image/jpeg or image/png) become a new
    /// file (kind "foto") and the person's photo_id in a new version at `expected_version`, in
    /// one transaction (audited "person.update" and "person.file.add"). Errors (each naming the
    /// field "photo"): PhotoTypeUnsupported (another media type, or bytes that are not what the
    /// type says), PhotoTooLarge (over kMaxPhotoBytes), PhotoInvalid (not a readable picture, or
    /// sides outside kMinPhotoSide..kMaxPhotoSide); NotFound (also outside the actor's scope),
    /// VersionConflict.
    Result<core::PersonRecord> set_photo(const core::PersonId& id,
                                         std::int64_t expected_version,
                                         std::span<const std::uint8_t> bytes,
                                         std::string_view media_type,
                                         const Actor& actor);

    /// Clears a person's photo_id in a new version at `expected_version` (the file stays, for
    /// the past versions). Errors: NotFound (no such person in scope, or no photo),
    /// VersionConflict.
    Result<core::PersonRecord>
    remove_photo(const core::PersonId& id, std::int64_t expected_version, const Actor& actor);

    /// The current photo of a person. Errors: NotFound (no such person in scope, or no photo),
    /// StoreCorrupt.
    Result<store::PersonFileRecord> photo(const core::PersonId& id, const Actor& actor);

    Result<core::PersonRecord>
    as_of(const core::PersonId& id, core::Timestamp at, const Actor& actor);

    /// NIK, KK and account number in clear. Only roles that may unmask (core::may_unmask) and
    /// the command line; each reveal is written to the audit log as "person.unmask" with the
    /// purpose. Errors: Forbidden (role), PurposeRequired (under 5 characters), NotFound (also
    /// outside the actor's scope).
    Result<RevealedNumbers>
    reveal(const core::PersonId& id, const Actor& actor, const std::string& purpose);

    const ReferenceData& reference() const { return *ref_; }

    const core::Clock& clock() const { return clock_; }

    /// The store, for aggregate reads that check scope themselves (the dashboard's counts).
    store::Store& store() { return store_; }

  private:
    /// `duplicates`: warnings of the duplicate check, added to the rules' own. `keep`: warning
    /// ids whose confirmation stays although this check did not raise them.
    Result<void> validate(core::Person& person,
                          std::vector<FieldIssue> duplicates = {},
                          const std::vector<std::string>& keep = {}) const;
    /// The possible duplicates of `person` (`self`: the record being changed, never its own
    /// duplicate, nor of a record a reviewer marked distinct from it); none before the index has
    /// loaded.
    Result<std::vector<DuplicateMatch>>
    duplicate_matches(core::Person person, const std::optional<core::PersonId>& self = {}) const;
    /// Puts a saved record and its confirmed matches into the review queue. A failure is not
    /// the write's (it is committed): the pair is left to the next scan.
    void propose(const core::PersonRecord& record,
                 const std::vector<DuplicateMatch>& matches,
                 const Actor& actor);
    bool in_scope(const core::PersonRecord& record, const Actor& actor) const;
    store::WriteContext context(const Actor& actor, std::string reason = {}) const;

    store::Store& store_;
    std::shared_ptr<const ReferenceData> ref_;
    const core::Clock& clock_;
    core::IdGenerator& ids_;
    PersonIndex* index_ = nullptr;
};

} // namespace kapal::service
