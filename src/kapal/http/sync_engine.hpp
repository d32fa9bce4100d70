#pragma once
// Offline sync (docs/sync.md): the ops a device queued while offline, applied once each, merged
// field by field or kept as conflicts for a supervisor; the supervisor's resolution; and the pull
// of the persons of the user's areas (and a penyalur's handover lists). The answers are the JSON
// texts of the API; sync_routes.cpp only routes and checks roles.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/result.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/aid_service.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/service/service_desk.hpp"
#include "kapal/store/store.hpp"

#include <mutex>
#include <string>
#include <string_view>

namespace kapal::http {

/// At most this many ops in one batch.
inline constexpr std::size_t kMaxSyncBatchOps = 100;

/// Pull pages: the default and the largest `limit`.
inline constexpr int kDefaultPullLimit = 500;
inline constexpr int kMaxPullLimit = 2000;

class SyncEngine {
  public:
    SyncEngine(service::PersonService& persons,
               service::AidService& aid,
               service::ServiceDesk& desk,
               store::Store& store,
               const core::Clock& clock,
               core::IdGenerator& ids);

    /// Applies a batch (POST /api/v1/sync/batch) and answers {"results", "released",
    /// "server_time"}. Per-op refusals are in the results, as problem+json in `lang`. Errors
    /// (nothing applied): BadJson, ValidationFailed naming ops[i].field.
    Result<std::string>
    batch(std::string_view body, const service::Actor& actor, std::string_view lang);

    /// Conflicts in `state` ("conflict" or "resolved"): {"items", "next_cursor"}. An admin sees
    /// all, an operator those of their areas. Errors: InvalidArgument, BadCursor.
    Result<std::string> conflicts(const std::string& state,
                                  const std::string& cursor,
                                  int limit,
                                  const service::Actor& actor);

    /// One conflict with the fields side by side (base, theirs, mine; NIK and KK masked).
    /// Errors: NotFound (also outside an operator's areas).
    Result<std::string> conflict(const std::string& id, const service::Actor& actor);

    /// Resolves a conflict (admin): body {"version", "choose": {field: "mine"|"theirs"},
    /// "reason"}. Errors: BadJson, NotFound, ValidationFailed (a field not chosen, one not of
    /// the conflict, the reason), VersionConflict (the person changed since it was shown, or
    /// the conflict was resolved meanwhile).
    Result<std::string>
    resolve(const std::string& id, std::string_view body, const service::Actor& actor);

    /// A page of the pull (GET /api/v1/sync/pull). Errors: ValidationFailed at "since" or
    /// "limit".
    Result<std::string> pull(const std::string& since, int limit, const service::Actor& actor);

  private:
    struct Applied;
    Applied apply(const std::string& op_text, const service::Actor& actor, std::string_view lang);

    service::PersonService& persons_;
    service::AidService& aid_;
    service::ServiceDesk& desk_;
    store::Store& store_;
    const core::Clock& clock_;
    core::IdGenerator& ids_;
    /// One batch or resolution at a time in this process: an op and the ops waiting for it are
    /// applied in order. (Several processes on one database are safe through the store's unique
    /// keys and versions; see docs/sync.md.)
    std::mutex mutex_;
};

} // namespace kapal::http
