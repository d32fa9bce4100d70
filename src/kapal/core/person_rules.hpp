#pragma once
// The rules a Person must follow before it is stored, shared by the API, the import and the
// demo data. Errors reject the record; warnings must be confirmed (API) or are reported
// (import). Geography (home inside a polygon, typed vs located kelurahan) is checked by the
// service with the geo module; these rules need only the code lists.

#include "kapal/core/error.hpp"
#include "kapal/core/person.hpp"
#include "kapal/core/region_registry.hpp"

#include <vector>

namespace kapal::core {

/// The outcome of checking a person: field issues split by level.
struct PersonCheck {
    std::vector<FieldIssue> errors;
    std::vector<FieldIssue> warnings;

    bool ok() const { return errors.empty(); }
};

/// Longest accepted full name, in bytes of UTF-8.
inline constexpr std::size_t kMaxNameBytes = 200;

/// Normalises what can be normalised without changing meaning (trims text, digits of NIK/KK
/// without separators, sorted categories, sorted unique needs), then checks every field.
/// `today` is the WITA date (birth dates after it are errors). Field names are the API's JSON
/// paths (nik, kk, full_name, birth_date, address.kelurahan_code, home.lon, ...).
PersonCheck check_person(Person& person, const RegionRegistry& regions, Date today);

/// The person's warnings that the operator has not confirmed (confirmed_warnings holds their
/// catalogue ids).
std::vector<FieldIssue> unconfirmed(const std::vector<FieldIssue>& warnings, const Person& person);

} // namespace kapal::core
