#pragma once
// What a person needs when someone comes to them — to evacuate them or to visit them — and the
// short texts that evacuation and visit lists print about a person (address, age, caregiver).

#include "kapal/core/person.hpp"
#include "kapal/core/time.hpp"

#include <string>
#include <vector>

namespace kapal::service {

/// What a person needs from whoever comes to help or visit.
struct PersonNeeds {
    bool mobility = false; ///< wheelchair, crutches, walker, prosthesis, or walking answer 3–4
    bool blind = false;    ///< sensorik netra, a white cane or braille, or seeing 3–4
    bool deaf = false;     ///< sensorik rungu, a hearing aid, or hearing 3–4
    bool communication = false;       ///< sensorik wicara, intelektual, or communication 3–4
    std::vector<std::string> devices; ///< assistive device codes
};

/// The needs of a person, from categories, assistive devices and Washington Group answers.
PersonNeeds person_needs(const core::Person& person);

/// The needs as words for people (Indonesian), e.g. "mobilitas, netra"; empty when none.
std::string needs_text(const PersonNeeds& needs);

/// "Name (relationship)" of the caregiver; empty when there is none.
std::string caregiver_text(const core::Person& person);

/// "Street, RT 003/RW 01" (the parts that are known).
std::string address_text(const core::Person& person);

/// The age in whole years on `on` as text; empty when the birth date is unknown.
std::string age_text(const core::Person& person, core::Date on);

/// `parts` joined with `separator`.
std::string join(const std::vector<std::string>& parts, const char* separator);

} // namespace kapal::service
