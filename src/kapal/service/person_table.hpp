#pragma once
// The spreadsheet form of a person: the columns of our import template and export, the
// header names an Indonesian office actually uses, and the conversion of one row to a Person
// with an issue per bad cell.

#include "kapal/core/error.hpp"
#include "kapal/core/person.hpp"
#include "kapal/core/region_registry.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::service {

/// The fields a spreadsheet column can hold.
enum class PersonColumn {
    Nik,
    Kk,
    Name,
    Sex,
    BirthPlace,
    BirthDate,
    Street,
    Rt,
    Rw,
    RtRw,
    Kelurahan,
    Kecamatan,
    Categories,
    Subtype,
    Severity,
    Latitude,
    Longitude,
    Koordinat,
    Phone,
    CaregiverName,
    CaregiverRelation,
    CaregiverPhone,
    Dtks,
    DtksId,
    Devices,
    Therapies,
    Status,
    StatusDate,
    WgSeeing,
    WgHearing,
    WgWalking,
    WgCognition,
    WgSelfCare,
    WgCommunication,
    ConsentGiven,
    ConsentDate,
    ConsentGivenBy,
    ConsentPurposes,
    /// The DTKS "jenis cacat" code (1..12; dtks_layout.hpp), read into the categories.
    DtksDisabilityCode,
    Count
};

inline constexpr std::size_t kPersonColumnCount = static_cast<std::size_t>(PersonColumn::Count);

/// The header text of a column in our template and exports (Bahasa Indonesia).
std::string_view column_title(PersonColumn column);

/// The template's columns, in order (every column except the combined RT/RW and Koordinat and
/// the DTKS code, which only the DTKS layout writes).
std::vector<PersonColumn> template_columns();

/// Recognises a header cell regardless of case, spacing and punctuation ("No. KK", "NO KK",
/// "Jenis Kelamin (L/P)", "Kelurahan/Desa", "Koordinat").
std::optional<PersonColumn> match_header(std::string_view header);

/// One cell as read from a file: its text, and for XLSX whether it was a number (and in a
/// date format).
struct TableCell {
    std::string text;
    bool number = false;
    bool date_format = false;
};

/// Column positions found in a header row; -1 = absent.
struct ColumnMap {
    std::array<int, kPersonColumnCount> index{};
    std::size_t matched = 0;

    ColumnMap() { index.fill(-1); }

    bool has(PersonColumn c) const { return index[static_cast<std::size_t>(c)] >= 0; }
};

/// Maps a header row. The first occurrence of a repeated column wins.
ColumnMap map_columns(const std::vector<TableCell>& header);

/// A row converted to a Person: the person, and the cell-level problems (errors reject the
/// row; warnings such as swapped coordinates are reported). Field names are the header texts
/// of the file, so an office worker finds the cell.
struct RowConversion {
    core::Person person;
    std::vector<FieldIssue> errors;
    std::vector<FieldIssue> warnings;
};

/// Converts one data row. Kelurahan is a name or code, resolved within the typed kecamatan
/// when there is one, else within the city (`city_code`), else anywhere in the list.
RowConversion row_to_person(const std::vector<TableCell>& row,
                            const ColumnMap& columns,
                            const std::vector<TableCell>& header,
                            const core::RegionRegistry& regions,
                            std::string_view city_code);

/// The cells of a person in template column order (for export). NIK and KK are written as
/// given (the caller masks them when it must).
std::vector<std::string> person_to_row(const core::Person& person,
                                       const core::RegionRegistry& regions);

} // namespace kapal::service
