#pragma once
// The national layout of an individual (DTKS, Kemensos, kept in SIKS-NG): its columns, in
// order, and the legacy "jenis cacat" codes it uses for disability, mapped to the ragam of
// UU 8/2016 both ways. docs/dtks.md gives the sources and what could not be confirmed.

#include "kapal/core/person.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/core/result.hpp"
#include "kapal/service/person_table.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::service {

/// A code of the DTKS/BDT "jenis cacat" list (PBDT 2015 instrument): 0 = tidak cacat,
/// 1..12 a kind or a combination. Only 1..12 describe a person of the registry.
struct DtksDisabilityCode {
    int value = 0;

    bool operator==(const DtksDisabilityCode&) const = default;
};

inline constexpr int kDtksDisabilityCodeMax = 12;

/// The label of a code as the list words it ("Tuna daksa/cacat tubuh", ...); empty when the
/// code is outside 0..12.
std::string_view dtks_disability_label(DtksDisabilityCode code);

/// The categories a code 1..12 stands for (sorted). Code 12, "cacat fisik dan mental", reads
/// as fisik + intelektual: in the vocabulary of the list "cacat mental" is keterbelakangan
/// mental, told apart from gangguan jiwa (code 11). Precondition: 1 <= code <= 12.
std::vector<core::Category> dtks_categories(DtksDisabilityCode code);

/// The code that describes `categories` (sorted, unique): the code of exactly that set when
/// the list has one; else 12 for physical or sensory with intellectual or mental; else the code
/// of the largest set the person has every category of (the lowest code on a tie), so that the
/// code never claims a kind the person does not have. 0 for no category.
DtksDisabilityCode dtks_code_for(const std::vector<core::Category>& categories);

/// Reads a code cell: "3", "03", "3. Tuna rungu", "3 TUNA RUNGU" (the forms operators copy from
/// the list). InvalidArgument, in Indonesian, for anything else, for codes above 12 and for 0
/// (tidak cacat: not a person with a disability).
Result<DtksDisabilityCode> parse_dtks_disability_code(std::string_view text);

/// What a column of the layout holds.
enum class DtksField {
    DtksId,
    Nik,
    Kk,
    Name,
    BirthPlace,
    BirthDate,
    Sex,
    MotherName,
    FamilyRelation,
    MaritalStatus,
    Street,
    Rt,
    Rw,
    Province,
    Regency,
    Kecamatan,
    KelurahanCode,
    KelurahanName,
    DisabilityCode,
    DisabilityLabel,
    Categories,
    Status,
    StatusDate,
};

/// One column of the layout, in file order.
struct DtksColumn {
    DtksField content;
    std::string_view title; ///< the header written on export
    /// The field the importer reads the column into; nullopt = Kapal does not store it (left
    /// empty on export, listed as an ignored column on import).
    std::optional<PersonColumn> field;
};

/// The columns of the DTKS individual layout, in order (docs/dtks.md, column by column).
std::span<const DtksColumn> dtks_columns();

/// The header row of the layout.
std::vector<std::string> dtks_header();

/// The cells of a person in the layout's order. NIK and KK as given (the caller masks them).
std::vector<std::string> person_to_dtks_row(const core::Person& person,
                                            const core::RegionRegistry& regions);

} // namespace kapal::service
