#pragma once
// The services the card opens (DESIGN.md §3): an editable catalogue, and each person's requests
// for them and their delivery, step by step — opened by hand or by scanning the person's card,
// so that the card is a key to a case history and not only an ID.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/result.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/card_service.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/store/store.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace kapal::service {

/// The thirteen basic services the Bontang card opens, in the order of DESIGN.md §3: the
/// catalogue's first content.
std::vector<store::ServiceRecord> default_services();

class ServiceDesk {
  public:
    ServiceDesk(store::Store& store,
                PersonService& persons,
                CardService& cards,
                const core::Clock& clock,
                core::IdGenerator& ids);

    /// The catalogue, by position (retired services included: they say what old requests
    /// meant).
    Result<std::vector<store::ServiceRecord>> catalogue();

    /// Adds default_services() when the catalogue is empty; returns how many were added.
    Result<int> seed(const Actor& actor);

    /// Adds a service (admin, or the command line). Errors: Forbidden, AlreadyExists,
    /// InvalidArgument.
    Result<void> add(const store::ServiceRecord& service, const Actor& actor);

    /// Replaces a service's names, description, position and active flag (admin, or the command
    /// line). Errors: Forbidden, NotFound, InvalidArgument.
    Result<void> update(const store::ServiceRecord& service, const Actor& actor);

    /// Opens a request for a person of the actor's areas (admin, operator). The client's
    /// `idempotency_key`, when given and seen before from the same actor, returns the first
    /// request (replayed) if it asked the same, and IdempotencyKeyReused otherwise. Errors:
    /// Forbidden, NotFound (also outside the actor's areas), ServiceUnknown.
    Result<store::ServiceRequestOutcome> open(const core::PersonId& person,
                                              const std::string& service_code,
                                              const std::string& note,
                                              const Actor& actor,
                                              const std::string& idempotency_key = {});

    /// Opens a request by scanning the person's card: the QR must verify as valid (a revoked,
    /// expired or forged card is refused with CredentialMalformed naming the status) and name a
    /// card of this registry; the request records the card number. Idempotency and errors as
    /// open.
    Result<store::ServiceRequestOutcome> open_by_card(std::string_view qr_text,
                                                      const std::string& service_code,
                                                      const std::string& note,
                                                      const Actor& actor,
                                                      const std::string& idempotency_key = {});

    /// Moves a request on (diproses, selesai, ditolak, dibatalkan) at `expected_version`.
    /// Errors: Forbidden, NotFound (also outside the actor's areas), VersionConflict,
    /// ServiceTransitionInvalid, InvalidArgument (an unknown status).
    Result<store::ServiceRequestRecord> advance(const std::string& id,
                                                std::int64_t expected_version,
                                                const std::string& status,
                                                const std::string& note,
                                                const Actor& actor);

    /// One request. Errors: NotFound (also outside the actor's areas).
    Result<store::ServiceRequestRecord> get(const std::string& id, const Actor& actor);

    /// A person's requests, newest first. Errors: NotFound (also outside the actor's areas).
    Result<std::vector<store::ServiceRequestRecord>> person_requests(const core::PersonId& person,
                                                                     const Actor& actor);

  private:
    store::WriteContext context(const Actor& actor) const;

    store::Store& store_;
    PersonService& persons_;
    CardService& cards_;
    const core::Clock& clock_;
    core::IdGenerator& ids_;
};

} // namespace kapal::service
