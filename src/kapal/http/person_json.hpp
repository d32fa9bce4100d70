#pragma once
// The JSON form of a person in the API. Reading is strict: an unknown field or a value of the
// wrong type is an error naming its path, so a client's typo is never silently dropped.

#include "kapal/core/person.hpp"
#include "kapal/core/result.hpp"
#include "kapal/store/store.hpp"

#include <string>
#include <string_view>

namespace kapal::http {

/// A person as the API shows it: NIK, KK and the account number masked.
std::string person_to_json(const core::PersonRecord& record);

/// One version in a person's history.
std::string version_to_json(const store::PersonVersion& version);

/// What a client sent to create or replace a person.
struct PersonInput {
    core::Person person;
    std::string change_reason; ///< optional, recorded with the version (not part of the person)
};

/// Parses a request body. Read-only fields the API itself returns (id, version, timestamps,
/// masked numbers) are accepted and ignored, so a client can send back what it read.
/// Errors: BadJson, ValidationFailed with per-field UnknownField / FieldTypeMismatch /
/// field-specific codes.
Result<PersonInput> person_from_json(std::string_view body);

/// The idempotency fingerprint of a person's create body: the hex SHA-256 of its canonical JSON
/// (parsed and written again: keys sorted, no spaces), so that the same person sent by
/// POST /api/v1/persons and by an offline op (docs/sync.md) with the same key is one create.
/// Precondition: `body` is valid JSON.
std::string person_body_fingerprint(std::string_view body);

/// Maximum nesting of arrays/objects in a request body (deeper input is refused before
/// parsing, so a crafted body cannot exhaust the stack).
inline constexpr int kMaxJsonDepth = 32;

/// True when the JSON text nests deeper than `limit` (strings are skipped correctly).
bool json_too_deep(std::string_view text, int limit = kMaxJsonDepth);

} // namespace kapal::http
