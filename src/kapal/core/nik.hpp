#pragma once
// NIK (Nomor Induk Kependudukan) and KK (Kartu Keluarga) numbers: structure, and agreement
// with the person (REFERENCE.md §2–3). Structural failures are errors; disagreements with the
// person or an unknown region prefix are warnings the operator may confirm with a reason.

#include "kapal/core/error.hpp"
#include "kapal/core/person.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/core/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace kapal::core {

/// The parts of a structurally valid NIK.
struct NikParts {
    std::string region; ///< 6 digits: province, kab/kota, kecamatan of first registration
    unsigned day = 0;   ///< day of birth, with the +40 for women removed
    unsigned month = 0;
    unsigned yy = 0;     ///< two-digit year; the century comes from the recorded birth date
    bool female = false; ///< the day part was 41..71
    unsigned serial = 0; ///< 1..9999
};

/// Checks structure: 16 digits (spaces, dots and dashes between digit groups are tolerated and
/// removed), not Excel's scientific notation, a day/month that exists in 19yy or 20yy (women:
/// day + 40), serial not 0000.
/// Errors: NikScientificNotation, NikNotDigits, NikLength, NikBirthDateInvalid, NikSerialZero.
Result<NikParts> parse_nik(std::string_view text);

/// The digits of a NIK or KK as typed, with group separators removed ("6474 0147 ..." ok);
/// the input unchanged when it holds anything else (so the error names what was typed).
std::string normalise_id_number(std::string_view text);

/// Warnings for a valid NIK against the person's birth date and sex and the code lists:
/// NikRegionUnknown, NikBirthDateMismatch, NikSexMismatch (field name "nik").
std::vector<FieldIssue>
nik_warnings(const NikParts& nik, Date birth_date, Sex sex, const RegionRegistry& regions);

/// Checks a KK number: 16 digits, not scientific notation; the date part is a recording date
/// and is not interpreted. Errors: KkScientificNotation, KkNotDigits, KkLength.
Result<std::string> parse_kk(std::string_view text);

/// KkRegionUnknown when the first six digits are in no code list.
std::vector<FieldIssue> kk_warnings(std::string_view kk, const RegionRegistry& regions);

/// True for Excel's rendering of a large number: "6.47401E+15", "6,47401E+15", "6.47E15".
bool looks_like_scientific_notation(std::string_view text);

/// Masks a NIK or KK for display: first 4 and last 2 digits kept ("6474**********12").
std::string mask_id_number(std::string_view digits);

} // namespace kapal::core
