#pragma once
// The registry's central record: a person with a disability (DESIGN.md §2.1).

#include "kapal/core/ids.hpp"
#include "kapal/core/time.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::core {

/// Jenis kelamin, as on the KTP: L (laki-laki) or P (perempuan).
enum class Sex { Male, Female };

/// Ragam disabilitas per UU 8/2016 art. 4; sensorik is split into its three senses.
enum class Category { Fisik, Intelektual, Mental, SensorikNetra, SensorikRungu, SensorikWicara };

inline constexpr std::array kAllCategories = {Category::Fisik,
                                              Category::Intelektual,
                                              Category::Mental,
                                              Category::SensorikNetra,
                                              Category::SensorikRungu,
                                              Category::SensorikWicara};

/// Tingkat keparahan.
enum class DisabilitySeverity { Ringan, Sedang, Berat };

inline constexpr std::array kAllSeverities = {
    DisabilitySeverity::Ringan, DisabilitySeverity::Sedang, DisabilitySeverity::Berat};

/// Registry status; anything but aktif carries a date (and usually a reason).
enum class Status { Aktif, Pindah, Meninggal, Nonaktif };

inline constexpr std::array kAllStatuses = {
    Status::Aktif, Status::Pindah, Status::Meninggal, Status::Nonaktif};

/// How the home location was obtained. `Imported` = coordinates typed in a spreadsheet.
enum class LocationSource { Gps, Map, Geocoded, Imported };

/// Sejak lahir (congenital) or didapat (acquired later).
enum class Onset { SejakLahir, Didapat };

/// Cause of the disability as recorded by the operator.
enum class Cause { Bawaan, Penyakit, Kecelakaan, Bencana, Konflik, Lainnya };

/// Washington Group Short Set domains, in the order the questions are asked.
enum class WgDomain { Seeing, Hearing, Walking, Cognition, SelfCare, Communication };

inline constexpr std::size_t kWgDomainCount = 6;

/// Bank account or e-wallet for transfers.
enum class AccountKind { Bank, EWallet };

/// What a person (or their caregiver) agreed that their data may be used for (UU 27/2022
/// art. 20-22: consent is given for stated purposes). Registration is implied by any consent.
enum class ConsentPurpose {
    Registration,     ///< pendataan: being recorded in the registry
    SocialAssistance, ///< bansos: being listed for and receiving aid
    Card,             ///< kartu: a card that carries name, birth date and disability
    DataSharing,      ///< berbagi data: shared with other agencies (DTKS, BPJS, health office)
    Contact,          ///< dihubungi: contacted by phone about programmes
};

inline constexpr std::array kAllConsentPurposes = {ConsentPurpose::Registration,
                                                   ConsentPurpose::SocialAssistance,
                                                   ConsentPurpose::Card,
                                                   ConsentPurpose::DataSharing,
                                                   ConsentPurpose::Contact};

struct Address {
    std::string street;         ///< jalan, gang, nomor rumah
    std::string rt;             ///< 1–3 digits, as typed ("007" kept as "007")
    std::string rw;             ///< 1–3 digits
    std::string kelurahan_code; ///< Kemendagri dotted code, e.g. 64.74.01.1003

    bool operator==(const Address&) const = default;
};

/// WGS84 home location, (lon, lat).
struct HomeLocation {
    double lon = 0;
    double lat = 0;
    std::optional<double> accuracy_m;
    LocationSource source = LocationSource::Map;

    bool operator==(const HomeLocation&) const = default;
};

struct Caregiver {
    std::string name;
    std::string relationship; ///< e.g. ibu, ayah, anak, saudara, pendamping
    std::string phone;

    bool operator==(const Caregiver&) const = default;
};

struct Account {
    AccountKind kind = AccountKind::Bank;
    std::string provider; ///< bank or e-wallet name, e.g. "Bankaltimtara", "BRI", "DANA"
    std::string number;
    std::string holder_name;

    bool operator==(const Account&) const = default;
};

struct Consent {
    bool given = false;
    std::optional<Date> date;
    std::string given_by; ///< "self" or the caregiver's name
    /// Sorted, no repeats. Empty with `given` means registration only (files and clients from
    /// before purposes were recorded).
    std::vector<ConsentPurpose> purposes;

    /// True when consent was given and covers `purpose`.
    bool covers(ConsentPurpose purpose) const;

    bool operator==(const Consent&) const = default;
};

/// A stored file attached to a person (photo, KTP scan, medical letter); contents live in the
/// blob store, this is the reference.
struct DocumentRef {
    std::string id;   ///< UUIDv7 of the blob
    std::string kind; ///< e.g. ktp, kk, surat_dokter, foto
    std::string name; ///< original file name

    bool operator==(const DocumentRef&) const = default;
};

/// Everything about a person that a user edits. Identity and bookkeeping (id, version,
/// timestamps) live in PersonRecord; NIK and KK are held in clear here and encrypted by the
/// store.
struct Person {
    std::string nik; ///< 16 digits
    std::string kk;  ///< 16 digits, or empty when unknown
    std::string full_name;
    Sex sex = Sex::Male;
    std::string birth_place;
    Date birth_date{};
    Address address;
    std::optional<HomeLocation> home;

    std::vector<Category> categories; ///< one (tunggal) or several (ganda/multi); sorted, unique
    std::string disability_subtype;   ///< free text, e.g. "Down syndrome", "paraplegia"
    std::optional<DisabilitySeverity> severity;
    std::array<std::optional<std::uint8_t>, kWgDomainCount> wgss{}; ///< answers 1..4
    std::optional<Onset> onset;
    std::optional<int> onset_year;
    std::optional<Cause> cause;
    std::string cause_note;

    std::vector<std::string> assistive_devices; ///< codes from kAssistiveDevices
    std::vector<std::string> therapies;         ///< codes from kTherapies
    std::string needs_note;

    std::optional<Caregiver> caregiver;
    bool dtks = false;   ///< listed in DTKS (Data Terpadu Kesejahteraan Sosial)
    std::string dtks_id; ///< DTKS id when known
    std::string phone;
    std::optional<Account> account;
    std::string photo_id; ///< blob id of the photo, empty when none
    std::vector<DocumentRef> documents;
    Consent consent;

    Status status = Status::Aktif;
    std::optional<Date> status_date;
    std::string status_reason;
    /// Set only by a merge of duplicates (the review queue): the id of the record this one was
    /// merged into. Such a record is nonaktif, its history kept, and reads redirect to the other.
    std::string merged_into;

    /// Warning codes (error ids) the operator confirmed, and why. Kept with the record so a
    /// reviewer sees what was overridden.
    std::vector<std::string> confirmed_warnings;
    std::string warning_reason;

    bool operator==(const Person&) const = default;
};

/// A person as stored: the content plus identity and bookkeeping.
struct PersonRecord {
    PersonId id;
    std::int64_t version = 0; ///< 1 on create, +1 on every update
    Timestamp created_at{};
    Timestamp updated_at{};
    std::string created_by;
    std::string updated_by;
    std::string kecamatan_code; ///< derived from address.kelurahan_code
    Person person;

    bool operator==(const PersonRecord&) const = default;
};

/// Catalogues of need codes (assistive devices, therapies).
inline constexpr std::array<std::string_view, 12> kAssistiveDevices = {"kursi_roda",
                                                                       "kruk",
                                                                       "tongkat",
                                                                       "tongkat_netra",
                                                                       "walker",
                                                                       "kaki_palsu",
                                                                       "tangan_palsu",
                                                                       "alat_bantu_dengar",
                                                                       "kacamata",
                                                                       "braille",
                                                                       "alat_bantu_lainnya",
                                                                       "popok"};

inline constexpr std::array<std::string_view, 6> kTherapies = {"fisioterapi",
                                                               "terapi_wicara",
                                                               "terapi_okupasi",
                                                               "psikoterapi",
                                                               "terapi_perilaku",
                                                               "rehabilitasi_sosial"};

// Text forms: the lower-case Indonesian codes used in the API, the database and the CSV.
std::string_view to_string(Sex v);
std::string_view to_string(Category v);
std::string_view to_string(DisabilitySeverity v);
std::string_view to_string(Status v);
std::string_view to_string(LocationSource v);
std::string_view to_string(Onset v);
std::string_view to_string(Cause v);
std::string_view to_string(WgDomain v);
std::string_view to_string(AccountKind v);

/// "L"/"P" (also accepts "laki-laki", "perempuan", "male", "female", "m", "f", any case).
std::optional<Sex> parse_sex(std::string_view text);
/// Codes above, plus common labels ("netra", "tuna netra", "daksa", "grahita", ...).
std::optional<Category> parse_category(std::string_view text);
std::optional<DisabilitySeverity> parse_severity(std::string_view text);
std::optional<Status> parse_status(std::string_view text);
std::optional<LocationSource> parse_location_source(std::string_view text);
std::optional<Onset> parse_onset(std::string_view text);
std::optional<Cause> parse_cause(std::string_view text);
std::optional<AccountKind> parse_account_kind(std::string_view text);
std::string_view to_string(ConsentPurpose v);
/// Accepts the English ids and the Indonesian words (pendataan, bansos, kartu, berbagi_data,
/// kontak).
std::optional<ConsentPurpose> parse_consent_purpose(std::string_view text);

bool is_assistive_device(std::string_view code);
bool is_therapy(std::string_view code);

/// The kecamatan part of a kelurahan code ("64.74.01.1003" -> "64.74.01"); empty if malformed.
std::string kecamatan_of(std::string_view kelurahan_code);

/// Sorts and removes repeated categories (the canonical order of Person::categories).
void normalise_categories(std::vector<Category>& categories);

/// WG-SS disability identifier: a lot of difficulty or cannot do (3 or 4) in any domain.
bool wgss_identifies_disability(const Person& p);

} // namespace kapal::core
