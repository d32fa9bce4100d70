#pragma once
// Dates as they arrive from spreadsheets: Excel serial numbers, and what office staff type.

#include "kapal/core/time.hpp"

#include <optional>
#include <string_view>

namespace kapal::io {

/// The date of an Excel serial in the 1900 date system (the Windows default): 1 is
/// 1900-01-01. Serial 60 is Excel's fictitious 29 February 1900 (a Lotus 1-2-3 bug Excel
/// keeps) and gives nullopt; serials after it are shifted back one day, so 61 is 1900-03-01.
/// A fraction (time of day) is dropped. nullopt for NaN, anything below 1, or after
/// 9999-12-31 (serial 2958465).
std::optional<core::Date> from_excel_serial(double serial);

/// The same, from the text of a number cell as stored in the XML ("25569" or "25569.5").
/// nullopt if the text is not a number.
std::optional<core::Date> from_excel_serial_text(std::string_view text);

/// A lenient parser for dates as typed in Indonesian offices. ALWAYS DAY FIRST: "03/04/2000" is
/// 3 April, never 4 March (Indonesian convention; a US month-first file will be misread or
/// refused, not guessed at). Accepted, after trimming spaces:
/// - `dd/mm/yyyy`, `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy` (one or two digit day and month);
/// - ISO `yyyy-mm-dd` (also with `/`), recognised by its four-digit first part;
/// - a day, a month name and a year separated by spaces, `-`, `/` or `.`: "17 Agustus 1945",
///   "17 Agt 1945", "17-Jan-1980", "1 Mei 2001". Month names in Indonesian and English, full
///   or abbreviated, any case, with an optional dot ("Agt."): Januari/Jan, Februari/Pebruari/
///   Feb/Peb, Maret/Mar, April/Apr, Mei/May, Juni/Jun, Juli/Jul, Agustus/Agu/Agt/Ags/Aug,
///   September/Sep/Sept, Oktober/Okt/Oct, November/Nopember/Nov/Nop, Desember/Des/Dec;
/// - any of the above followed by a time ("17/08/1945 00:00" or "…:00"), which is ignored
///   (Excel's CSV export of a date cell).
/// Years must have four digits (a two-digit year is ambiguous across a century of birth
/// dates, so it is refused). nullopt for anything else and for dates that do not exist
/// ("31/02/2000").
std::optional<core::Date> parse_date_lenient(std::string_view text);

} // namespace kapal::io
