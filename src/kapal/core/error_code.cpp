#include "kapal/core/error_code.hpp"

#include <array>

namespace kapal {
namespace {

// sysexits.h values, spelled out so core includes no system header for them.
constexpr int kExUsage = 64;
constexpr int kExDataErr = 65;
constexpr int kExNoInput = 66;
constexpr int kExSoftware = 70;
constexpr int kExIoErr = 74;
constexpr int kExTempFail = 75;
constexpr int kExConfig = 78;
constexpr int kExNoPerm = 77;

using E = ErrorCode;
constexpr auto kErr = IssueLevel::Error;
constexpr auto kWarn = IssueLevel::Warning;

// The one table. Order follows the enum; a unit test checks that every entry sits at the index
// of its code and that ids are unique.
constexpr std::array kCatalogue = {
    ErrorInfo{E::Internal, "internal", 500, kExSoftware, kErr, "Terjadi kesalahan internal",
              "Internal error"},
    ErrorInfo{E::InvalidArgument, "invalid_argument", 400, kExUsage, kErr, "Argumen tidak valid",
              "Invalid argument"},
    ErrorInfo{E::ValidationFailed, "validation_failed", 422, kExDataErr, kErr,
              "Data tidak valid", "Invalid data"},
    ErrorInfo{E::NotFound, "not_found", 404, kExNoInput, kErr, "Data tidak ditemukan",
              "Not found"},
    ErrorInfo{E::AlreadyExists, "already_exists", 409, kExDataErr, kErr, "Data sudah ada",
              "Already exists"},
    ErrorInfo{E::VersionConflict, "version_conflict", 412, kExTempFail, kErr,
              "Data telah diubah orang lain; muat ulang lalu coba lagi",
              "The record was changed by someone else; reload and try again"},
    ErrorInfo{E::PreconditionRequired, "precondition_required", 428, kExUsage, kErr,
              "Header If-Match wajib untuk perubahan data",
              "An If-Match header is required to change a record"},
    ErrorInfo{E::IdempotencyKeyReused, "idempotency_key_reused", 409, kExDataErr, kErr,
              "Idempotency-Key sudah dipakai untuk permintaan lain",
              "The Idempotency-Key was already used for a different request"},
    ErrorInfo{E::Unauthenticated, "unauthenticated", 401, kExNoPerm, kErr, "Silakan masuk dulu",
              "Authentication required"},
    ErrorInfo{E::Forbidden, "forbidden", 403, kExNoPerm, kErr, "Akses ditolak",
              "Access denied"},
    ErrorInfo{E::BadJson, "bad_json", 400, kExDataErr, kErr, "Isi permintaan bukan JSON yang sah",
              "The request body is not valid JSON"},
    ErrorInfo{E::UnknownField, "unknown_field", 422, kExDataErr, kErr, "Kolom tidak dikenal",
              "Unknown field"},
    ErrorInfo{E::FieldTypeMismatch, "field_type_mismatch", 422, kExDataErr, kErr,
              "Jenis isian salah", "Wrong value type"},
    ErrorInfo{E::PayloadTooLarge, "payload_too_large", 413, kExDataErr, kErr,
              "Isi permintaan terlalu besar", "The request body is too large"},
    ErrorInfo{E::UnsupportedMediaType, "unsupported_media_type", 415, kExDataErr, kErr,
              "Jenis isi tidak didukung; gunakan application/json",
              "Unsupported content type; use application/json"},
    ErrorInfo{E::MethodNotAllowed, "method_not_allowed", 405, kExUsage, kErr,
              "Metode tidak diizinkan", "Method not allowed"},
    ErrorInfo{E::RequestTimeout, "request_timeout", 408, kExTempFail, kErr,
              "Permintaan terlalu lama", "Request timed out"},
    ErrorInfo{E::TooManyRequests, "too_many_requests", 429, kExTempFail, kErr,
              "Terlalu banyak permintaan; coba lagi nanti", "Too many requests; try again later"},
    ErrorInfo{E::BadCursor, "bad_cursor", 400, kExUsage, kErr, "Penanda halaman tidak valid",
              "Invalid page cursor"},
    ErrorInfo{E::StoreUnavailable, "store.unavailable", 503, kExTempFail, kErr,
              "Basis data tidak dapat dipakai", "The database is unavailable"},
    ErrorInfo{E::StoreNewerThanProgram, "store.newer_than_program", 500, kExConfig, kErr,
              "Basis data dibuat oleh versi program yang lebih baru",
              "The database was written by a newer version of the program"},
    ErrorInfo{E::StoreCorrupt, "store.corrupt", 500, kExSoftware, kErr, "Basis data rusak",
              "The database is corrupt"},
    ErrorInfo{E::ConfigInvalid, "config.invalid", 500, kExConfig, kErr,
              "Konfigurasi tidak valid", "Invalid configuration"},
    ErrorInfo{E::KeyMissing, "config.key_missing", 500, kExConfig, kErr,
              "Kunci enkripsi tidak ditemukan", "Encryption key missing"},
    ErrorInfo{E::Io, "io", 500, kExIoErr, kErr, "Gagal membaca atau menulis berkas",
              "File read or write failed"},
    ErrorInfo{E::NikLength, "person.nik_length", 422, kExDataErr, kErr, "NIK harus 16 digit",
              "NIK must have 16 digits"},
    ErrorInfo{E::NikNotDigits, "person.nik_not_digits", 422, kExDataErr, kErr,
              "NIK hanya boleh berisi angka", "NIK may contain digits only"},
    ErrorInfo{E::NikBirthDateInvalid, "person.nik_birth_date_invalid", 422, kExDataErr, kErr,
              "Tanggal lahir di dalam NIK tidak ada di kalender",
              "The birth date inside the NIK is not a real date"},
    ErrorInfo{E::NikSerialZero, "person.nik_serial_zero", 422, kExDataErr, kErr,
              "Nomor urut NIK tidak boleh 0000", "The NIK serial cannot be 0000"},
    ErrorInfo{E::NikScientificNotation, "person.nik_scientific_notation", 422, kExDataErr, kErr,
              "NIK rusak oleh Excel (format angka ilmiah, mis. 6.47401E+15); ketik ulang sebagai "
              "teks",
              "NIK damaged by Excel (scientific notation such as 6.47401E+15); retype it as text"},
    ErrorInfo{E::KkLength, "person.kk_length", 422, kExDataErr, kErr,
              "Nomor KK harus 16 digit", "KK number must have 16 digits"},
    ErrorInfo{E::KkNotDigits, "person.kk_not_digits", 422, kExDataErr, kErr,
              "Nomor KK hanya boleh berisi angka", "KK number may contain digits only"},
    ErrorInfo{E::KkScientificNotation, "person.kk_scientific_notation", 422, kExDataErr, kErr,
              "Nomor KK rusak oleh Excel (format angka ilmiah); ketik ulang sebagai teks",
              "KK number damaged by Excel (scientific notation); retype it as text"},
    ErrorInfo{E::NameMissing, "person.name_missing", 422, kExDataErr, kErr,
              "Nama lengkap wajib diisi", "Full name is required"},
    ErrorInfo{E::NameTooLong, "person.name_too_long", 422, kExDataErr, kErr,
              "Nama terlalu panjang", "Name is too long"},
    ErrorInfo{E::SexInvalid, "person.sex_invalid", 422, kExDataErr, kErr,
              "Jenis kelamin harus L atau P", "Sex must be L (male) or P (female)"},
    ErrorInfo{E::BirthDateInvalid, "person.birth_date_invalid", 422, kExDataErr, kErr,
              "Tanggal lahir tidak valid", "Invalid birth date"},
    ErrorInfo{E::BirthDateInFuture, "person.birth_date_in_future", 422, kExDataErr, kErr,
              "Tanggal lahir tidak boleh di masa depan", "Birth date cannot be in the future"},
    ErrorInfo{E::KelurahanUnknown, "person.kelurahan_unknown", 422, kExDataErr, kErr,
              "Kelurahan tidak dikenal", "Unknown kelurahan"},
    ErrorInfo{E::LocationInvalid, "person.location_invalid", 422, kExDataErr, kErr,
              "Koordinat tidak valid", "Invalid coordinates"},
    ErrorInfo{E::CategoryInvalid, "person.category_invalid", 422, kExDataErr, kErr,
              "Ragam disabilitas tidak dikenal", "Unknown disability category"},
    ErrorInfo{E::CategoryMissing, "person.category_missing", 422, kExDataErr, kErr,
              "Ragam disabilitas wajib diisi", "At least one disability category is required"},
    ErrorInfo{E::SeverityInvalid, "person.severity_invalid", 422, kExDataErr, kErr,
              "Tingkat keparahan harus ringan, sedang atau berat",
              "Severity must be ringan, sedang or berat"},
    ErrorInfo{E::WgssInvalid, "person.wgss_invalid", 422, kExDataErr, kErr,
              "Jawaban Washington Group harus 1 sampai 4",
              "Washington Group answers must be 1 to 4"},
    ErrorInfo{E::StatusInvalid, "person.status_invalid", 422, kExDataErr, kErr,
              "Status tidak dikenal", "Unknown status"},
    ErrorInfo{E::StatusDateMissing, "person.status_date_missing", 422, kExDataErr, kErr,
              "Tanggal status wajib diisi untuk status selain aktif",
              "A status date is required for any status other than aktif"},
    ErrorInfo{E::NeedInvalid, "person.need_invalid", 422, kExDataErr, kErr,
              "Kebutuhan tidak dikenal", "Unknown need"},
    ErrorInfo{E::PhoneInvalid, "person.phone_invalid", 422, kExDataErr, kErr,
              "Nomor telepon tidak valid", "Invalid phone number"},
    ErrorInfo{E::AccountInvalid, "person.account_invalid", 422, kExDataErr, kErr,
              "Rekening atau dompet elektronik tidak valid", "Invalid bank or e-wallet account"},
    ErrorInfo{E::RtRwInvalid, "person.rt_rw_invalid", 422, kExDataErr, kErr,
              "RT/RW harus berupa angka 1 sampai 3 digit", "RT/RW must be a 1 to 3 digit number"},
    ErrorInfo{E::DuplicateNik, "person.duplicate_nik", 409, kExDataErr, kErr,
              "NIK sudah terdaftar", "This NIK is already registered"},
    ErrorInfo{E::NikRegionUnknown, "person.nik_region_unknown", 422, kExDataErr, kWarn,
              "Kode wilayah NIK tidak ada di daftar Kemendagri",
              "The NIK region prefix is in no Kemendagri code list"},
    ErrorInfo{E::NikBirthDateMismatch, "person.nik_birth_date_mismatch", 422, kExDataErr, kWarn,
              "Tanggal lahir di NIK berbeda dengan tanggal lahir",
              "The birth date in the NIK differs from the birth date"},
    ErrorInfo{E::NikSexMismatch, "person.nik_sex_mismatch", 422, kExDataErr, kWarn,
              "Jenis kelamin menurut NIK berbeda", "The sex implied by the NIK differs"},
    ErrorInfo{E::KkRegionUnknown, "person.kk_region_unknown", 422, kExDataErr, kWarn,
              "Kode wilayah nomor KK tidak ada di daftar Kemendagri",
              "The KK region prefix is in no Kemendagri code list"},
    ErrorInfo{E::LocationOutsideAreas, "person.location_outside_areas", 422, kExDataErr, kWarn,
              "Lokasi rumah di luar semua wilayah yang dikenal",
              "The home location is outside every known area"},
    ErrorInfo{E::KelurahanMismatch, "person.kelurahan_mismatch", 422, kExDataErr, kWarn,
              "Kelurahan pada alamat berbeda dengan kelurahan lokasi rumah",
              "The typed kelurahan differs from the one the home location lies in"},
    ErrorInfo{E::CoordinatesSwapped, "person.coordinates_swapped", 422, kExDataErr, kWarn,
              "Lintang dan bujur tampaknya tertukar", "Latitude and longitude seem swapped"},
    ErrorInfo{E::PossibleDuplicate, "person.possible_duplicate", 422, kExDataErr, kWarn,
              "Mungkin duplikat dari data lain", "Possible duplicate of another record"},
    ErrorInfo{E::WarningsNotConfirmed, "person.warnings_not_confirmed", 422, kExDataErr, kErr,
              "Ada peringatan; periksa lalu konfirmasi dengan alasan",
              "There are warnings; check them and confirm with a reason"},
    ErrorInfo{E::ImportFileUnreadable, "import.file_unreadable", 422, kExNoInput, kErr,
              "Berkas tidak dapat dibaca", "The file cannot be read"},
    ErrorInfo{E::ImportNoHeader, "import.no_header", 422, kExDataErr, kErr,
              "Baris judul kolom tidak ditemukan", "No header row found"},
    ErrorInfo{E::ImportColumnMissing, "import.column_missing", 422, kExDataErr, kErr,
              "Kolom wajib tidak ada", "A required column is missing"},
    ErrorInfo{E::ImportRowChanged, "import.row_changed", 409, kExDataErr, kWarn,
              "Data berbeda dengan yang tersimpan; gunakan --update untuk menerapkan",
              "The row differs from the stored record; use --update to apply it"},
    ErrorInfo{E::ImportCellInvalid, "import.cell_invalid", 422, kExDataErr, kErr,
              "Isi sel tidak valid", "Invalid cell value"},
};

} // namespace

const ErrorInfo& error_info(ErrorCode code) noexcept {
    const auto index = static_cast<std::size_t>(code);
    if (index < kCatalogue.size() && kCatalogue[index].code == code) {
        return kCatalogue[index];
    }
    return kCatalogue[0];
}

std::optional<ErrorCode> error_code_from_id(std::string_view id) noexcept {
    for (const auto& info : kCatalogue) {
        if (info.id == id) {
            return info.code;
        }
    }
    return std::nullopt;
}

std::string_view error_title(ErrorCode code, std::string_view lang) noexcept {
    const auto& info = error_info(code);
    return lang == "en" ? info.title_en : info.title_id;
}

std::size_t error_code_count() noexcept { return kCatalogue.size(); }

} // namespace kapal
