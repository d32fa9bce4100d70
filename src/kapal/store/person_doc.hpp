#pragma once
// The stored document of a person: every field of core::Person except NIK and KK (which the
// store keeps encrypted in their own columns), as canonical JSON. This is a stored format:
// existing databases hold it, so it never changes silently (person_doc_test.cpp has a golden
// text). A change of shape bumps kPersonDocVersion and teaches decode_person_doc the old one.
//
// Canonical form: one JSON object with keys sorted by byte value, no insignificant whitespace,
// dates as "YYYY-MM-DD", enums as their core::to_string code, wgss as an array of 6
// numbers-or-null. Compact: a key whose value is empty is left out (an empty optional, an empty
// string or list, false, wgss without any answer, and the address and consent objects when all
// their members are left out); the decoder reads an absent key as that empty value. A present
// optional object is written even when its members are all empty ("caregiver":{}), and "v",
// "sex" and "status" are always written. Equal persons give equal text, so the text can be
// compared to detect changes.

#include "kapal/core/person.hpp"
#include "kapal/core/result.hpp"

#include <string>
#include <string_view>

namespace kapal::store {

/// The "v" field of documents written by this program.
inline constexpr int kPersonDocVersion = 1;

/// Canonical JSON of `person` without nik and kk. Text fields must be valid UTF-8 (invalid
/// sequences are written as U+FFFD). A date that is not ok() is written as null.
std::string encode_person_doc(const core::Person& person);

/// Reads a document written by encode_person_doc; nik and kk of the result are empty.
/// Errors: StoreCorrupt (not JSON, unknown version, a field of the wrong type or value).
Result<core::Person> decode_person_doc(std::string_view doc);

} // namespace kapal::store
