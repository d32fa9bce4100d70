#pragma once
// The backend-neutral storage interface. SQLite (store/sqlite) is the embedded default;
// PostgreSQL (store/postgres) comes later and must pass the same contract tests. Nothing
// above this interface sees SQL.

#include "kapal/core/person.hpp"
#include "kapal/core/result.hpp"
#include "kapal/core/user.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::store {

/// Who is writing, from where, and when; recorded with every version.
struct WriteContext {
    std::string actor;    ///< user id or "cli:<os user>", "import:<file>"
    std::string source;   ///< remote address or "cli"
    core::Timestamp at{}; ///< the service's clock, UTC
    std::string reason;   ///< optional reason for the change (status change, override)
};

/// The order of a person list. Ties, and Registered itself, go by registration order (the
/// store's key; reversed in the descending orders), so every order is total and a cursor pages
/// through it without loss or repeat.
/// Names compare case-insensitively (ASCII letters) and otherwise by bytes; a missing birth date
/// comes before every date; kelurahan by code (so kecamatan by kecamatan).
enum class PersonSort : std::uint8_t {
    Registered,
    Name,
    NameDesc,
    BirthDate,
    BirthDateDesc,
    Kelurahan,
    KelurahanDesc,
};

/// Filters for the person list; all optional, combined with AND.
struct PersonQuery {
    std::optional<std::string> kelurahan_code;
    std::optional<std::string> kecamatan_code;
    std::optional<core::Category> category;
    std::optional<core::Status> status;
    std::string name_contains; ///< case-insensitive substring of the full name
    /// Area scope of the caller: when non-empty, only persons whose kelurahan code equals or
    /// lies under one of these codes (prefix on dotted parts) are visible.
    std::vector<std::string> scope_area_codes;
    std::string cursor; ///< opaque, from the previous page's next_cursor; empty = first page
    int limit = 50;     ///< 1..1000
    /// The order; a cursor continues after its person in this order (send the same sort).
    PersonSort sort = PersonSort::Registered;
};

template <class T> struct Page {
    std::vector<T> items;
    std::string next_cursor; ///< empty when this is the last page
};

/// One past state of a person.
struct PersonVersion {
    core::PersonRecord record; ///< as it was at `record.version`
    std::string reason;        ///< WriteContext::reason of the write that made it
    std::string source;        ///< WriteContext::source
};

/// Idempotent create: the key and a fingerprint of the request body. A repeated key with the
/// same fingerprint returns the first result; a different fingerprint is IdempotencyKeyReused.
struct IdempotencyToken {
    std::string key;
    std::string fingerprint;
};

struct CreateOutcome {
    core::PersonRecord record;
    bool replayed = false; ///< true when the idempotency key had been seen: nothing was written
};

/// One row of a bulk import.
struct ImportItem {
    core::Person person;
    std::string kecamatan_code;
    bool update_if_changed = false; ///< apply a changed row (--update) instead of reporting it
};

enum class ImportAction { Created, Unchanged, Changed, Updated };

/// A batch of ImportItems after Store::prepare_import: the per-row work that needs neither the
/// store's writer nor its storage (encryption of NIK and KK, blind indexes, the stored document)
/// done in advance, so that a bulk import can do it on another thread while the previous batch
/// is written. Its content is the backend's own; it keeps no NIK or KK in clear.
class PreparedImport {
  public:
    PreparedImport() = default;
    PreparedImport(const PreparedImport&) = delete;
    PreparedImport& operator=(const PreparedImport&) = delete;
    PreparedImport(PreparedImport&&) = delete;
    PreparedImport& operator=(PreparedImport&&) = delete;
    virtual ~PreparedImport() = default;

    /// Number of rows, in the order of the items it was prepared from.
    virtual std::size_t size() const = 0;
};

struct ImportResult {
    ImportAction action = ImportAction::Created;
    core::PersonId id;
};

/// A user account as stored: the account and its Argon2id password hash (libsodium's
/// crypto_pwhash_str format, which carries its own salt and parameters).
struct UserRecord {
    core::User user;
    std::string password_hash;
};

/// A login session. The cookie carries a random secret; the store keeps only its SHA-256, so a
/// copy of the database cannot be used to take over a session.
struct SessionRecord {
    std::string id;         ///< public id (UUIDv7): shown in the session list, used to revoke
    std::string token_hash; ///< lower-case hex SHA-256 of the cookie value
    std::string user_id;
    core::Timestamp created_at{};
    core::Timestamp last_seen_at{};
    core::Timestamp expires_at{}; ///< the absolute timeout; the idle one runs from last_seen_at
    std::optional<core::Timestamp> revoked_at;
    std::string address;    ///< remote address at login
    std::string user_agent; ///< at login, cut to 200 bytes
};

/// An API token for a machine client, stored hashed like a session. The token may narrow the
/// user's role (to viewer) and areas; it never widens them.
struct ApiTokenRecord {
    std::string id;         ///< public id (UUIDv7)
    std::string name;       ///< what it is for, e.g. "sync dtks"
    std::string token_hash; ///< lower-case hex SHA-256 of the token
    std::string user_id;
    core::Role role = core::Role::Viewer;
    std::vector<std::string> area_codes; ///< empty = the user's areas
    core::Timestamp created_at{};
    core::Timestamp expires_at{};
    std::optional<core::Timestamp> revoked_at;
};

/// One entry of the audit log: every write (appended by the store in the write's own
/// transaction), every reveal of a NIK or KK, every login, logout and token change. Never holds a
/// NIK, KK, password or token.
struct AuditEntry {
    std::int64_t seq = 0; ///< assigned by the store: 1, 2, 3, ... in commit order
    core::Timestamp at{};
    std::string actor;   ///< user id, "cli:<os user>", "import:<file>"
    std::string source;  ///< remote address or "cli"
    std::string action;  ///< see docs/SECURITY.md, e.g. "person.update", "person.unmask"
    std::string subject; ///< id of what the action concerns (person, user, session, token)
    std::string detail;  ///< reason or purpose, counts; free text
    /// core::audit_chain_hash over the previous entry's hash and this entry; set by the store.
    std::string hash;
};

/// Filters for the audit log; all optional, combined with AND. Newest first.
struct AuditQuery {
    std::string actor;
    std::string action;
    std::string subject;
    std::int64_t before_seq = 0; ///< 0 = from the newest; else entries with seq < before_seq
    int limit = 100;             ///< 1..1000
    /// Oldest first, from the entry after `after_seq` (0: from the first), instead of newest
    /// first; before_seq must then be 0. For walking the whole chain.
    bool oldest_first = false;
    std::int64_t after_seq = 0;
    /// Only entries written at or after `at_from` and before `at_to`, when given.
    std::optional<core::Timestamp> at_from;
    std::optional<core::Timestamp> at_to;
};

/// One state of a person's registry timeline (schema v14, table person_states): the figures the
/// flow reports (docs/reports.md) need from each version of a person, as plain values. The store
/// writes one in the same transaction as every create, update and import of a person, and
/// rebuilds them from persons and person_versions when it is migrated or loaded; they are never
/// edited. Versions an import batch wrote at one instant may be kept as the last one only.
struct RegistryState {
    std::int64_t person = 0;  ///< the store's own key of the person (not its public id)
    std::int64_t version = 0; ///< the person's version that began this state
    core::Timestamp at{};     ///< when that version was written (UTC)
    std::string kelurahan_code;
    core::Status status = core::Status::Aktif;
    core::Sex sex = core::Sex::Male;
    core::Date birth_date{}; ///< not ok() when unknown
    std::optional<core::DisabilitySeverity> severity;
    std::int64_t categories = 0; ///< bit i set = core::kAllCategories[i]

    bool operator==(const RegistryState&) const = default;
};

/// What the per-area indicators need beside the registry timeline (Store::scan_indicator_facts),
/// each keyed by the person's store key (RegistryState::person).
struct CardSpan {
    std::int64_t person = 0;
    core::Timestamp issued_at{};
    core::Timestamp expires_at{};
    std::optional<core::Timestamp> revoked_at; ///< nullopt: not revoked
};

/// A delivery of aid in state "delivered", when it was recorded.
struct DeliveredAid {
    std::int64_t person = 0;
    core::Timestamp recorded_at{};
};

/// A person's home as now recorded (persons without a location are not listed).
struct PersonHome {
    std::int64_t person = 0;
    double lon = 0;
    double lat = 0;
};

/// Visitors of Store::scan_indicator_facts; each is called once per row, in no fixed order.
struct IndicatorFactVisitors {
    std::function<void(const CardSpan&)> card;
    std::function<void(const DeliveredAid&)> aid;
    std::function<void(const PersonHome&)> home;
};

/// Statistics for health checks and the CLI.
struct StoreInfo {
    int schema_version = 0;
    std::int64_t persons = 0;
    std::int64_t users = 0;
    std::string backend; ///< "sqlite" or "postgresql"
    std::string location;
};

/// Where a reader of the change feed stands: after the change (seq, key). Opaque to callers
/// except for `seq`; {0, 0} is before everything.
struct ChangeCursor {
    std::int64_t seq = 0; ///< the audit seq of the write that made the change
    std::int64_t key = 0; ///< the backend's row key within one seq (a batch shares its seq)

    friend bool operator==(const ChangeCursor&, const ChangeCursor&) = default;
};

/// One administrative boundary as the store keeps it: reference data (not personal), derived
/// from the polygons the program ships in data/, so that SQL, QGIS and report users of the
/// database have the areas beside the homes. PostgreSQL also keeps it as a PostGIS
/// geometry(MultiPolygon, 4326) with a GiST index.
struct AreaRecord {
    std::string code;        ///< Kemendagri dotted code, e.g. "64.74.01.1003"
    std::string level;       ///< "kota", "kecamatan" or "kelurahan"
    std::string name;        ///< e.g. "Lok Tuan"
    std::string parent_code; ///< e.g. "64.74.01"; empty for none
    std::string geometry;    ///< GeoJSON MultiPolygon geometry object (RFC 7946, lon/lat)

    bool operator==(const AreaRecord&) const = default;
};

/// A hazard zone (kawasan rawan bencana) from a hazard map: a polygon with the kind of hazard
/// and its level. Registry data (imported by an operator), kept and transferred like the rest.
struct HazardZoneRecord {
    std::string id;       ///< UUIDv7 in text form
    std::string name;     ///< e.g. "Rawan banjir Guntung"
    std::string hazard;   ///< kind, a lower-case code: banjir, rob, tsunami, longsor, ...
    std::string level;    ///< rendah, sedang or tinggi
    std::string source;   ///< where it came from, e.g. "bpbd_banjir_2025.gpkg, layer banjir"
    std::string geometry; ///< GeoJSON MultiPolygon geometry object (RFC 7946, lon/lat)
    core::Timestamp created_at{};
    std::string created_by;

    bool operator==(const HazardZoneRecord&) const = default;
};

/// A facility that serves persons with disabilities (puskesmas, SLB school, posyandu, kantor
/// kelurahan, ...), at a point.
struct FacilityRecord {
    std::string id;   ///< UUIDv7 in text form
    std::string kind; ///< a lower-case code: puskesmas, slb, posyandu, kantor_kelurahan, ...
    std::string name;
    double lon = 0;
    double lat = 0;
    std::string kelurahan_code; ///< where it lies (located by the service); may be empty
    std::string address;
    std::string phone;
    std::string source; ///< where it came from (file name)
    core::Timestamp created_at{};
    std::string created_by;

    bool operator==(const FacilityRecord&) const = default;
};

/// A person's card (schema v8). One person holds at most one active card; a reissue revokes
/// the old one (reason "reissue", replaced_by = the new number) in the same transaction.
/// Expiry is not a status: a card is expired when expires_at has passed.
struct CardRecord {
    std::string number;         ///< 12 digits ending in a Damm check digit (card/card_number.hpp)
    std::string person_id;      ///< the holder
    std::string kelurahan_code; ///< the holder's at issue: the card is printed and handed there
    std::string kid;            ///< the key that signed the credential
    std::string credential;     ///< the QR text (Base45) exactly as printed
    core::Timestamp issued_at{};
    core::Timestamp expires_at{};
    std::string issued_by;
    std::string status = "active"; ///< "active" or "revoked"
    std::optional<core::Timestamp> revoked_at;
    std::string revoked_by;
    std::string revoke_reason; ///< a code of kCardRevokeReasons
    std::string revoke_note;   ///< free text
    std::string replaced_by;   ///< the number of the card that replaced it (reissue)
    std::optional<core::Timestamp> printed_at;
    std::string printed_by;
    std::optional<core::Timestamp> handed_over_at;
    std::string handed_over_by;

    bool operator==(const CardRecord&) const = default;
};

/// Why a card is revoked: death, the holder moved away, fraud, lost, damaged, a reissue, the
/// holder's status otherwise ended, anything else (with a note).
inline constexpr std::array<std::string_view, 8> kCardRevokeReasons = {
    "meninggal", "pindah", "penipuan", "hilang", "rusak", "reissue", "nonaktif", "lainnya"};

/// What the caller makes of a serial the store has reserved: the number and the signed
/// credential that carries it.
struct CardContent {
    std::string number;
    std::string kid;
    std::string credential;
};

/// A request to issue a card. The store picks the next serial of the regency inside its
/// transaction and calls `make` with it (so two issuers never take the same number).
struct CardIssue {
    core::PersonId person_id;
    std::string regency;        ///< 4 digits, e.g. "6474": numbers count per kab/kota
    std::string kelurahan_code; ///< the holder's
    core::Timestamp expires_at{};
    /// Empty: refuse (CardAlreadyActive) when the person has an active card. Otherwise revoke
    /// it with this reason and `replaced_by` the new number.
    std::string replace_reason;
    std::function<Result<CardContent>(std::uint32_t serial)> make;
};

/// Where a card stands in the print queue.
enum class CardStage {
    ToPrint,    ///< active, not printed
    ToHandOver, ///< active, printed, not handed over
    HandedOver, ///< active and with its holder
};

/// Filters for the card list; all optional, combined with AND. Ordered by number.
struct CardQuery {
    std::string status; ///< "" (any), "active" or "revoked"
    std::optional<CardStage> stage;
    /// Area scope: kelurahan codes equal to or under one of these (empty = everywhere).
    std::vector<std::string> area_codes;
    std::string after_number; ///< paging: numbers greater than this
    int limit = 1000;         ///< 1..100000
};

/// A service the card opens (the catalogue, schema v9). Admins edit it; a service is retired
/// (active = false), never deleted, so that old requests keep their meaning.
struct ServiceRecord {
    std::string code; ///< a-z, 0-9 and _, e.g. "pengaduan"
    std::string name; ///< Indonesian
    std::string name_en;
    std::string description;
    bool active = true;
    std::int64_t position = 0; ///< order in lists
    core::Timestamp updated_at{};
    std::string updated_by;

    bool operator==(const ServiceRecord&) const = default;
};

/// A service request's statuses: asked, in progress, done, refused, cancelled.
inline constexpr std::array<std::string_view, 5> kServiceRequestStatuses = {
    "diajukan", "diproses", "selesai", "ditolak", "dibatalkan"};

/// One step of a service request: who moved it to which status, when, and why.
struct ServiceRequestEvent {
    std::int64_t version = 0;
    core::Timestamp at{};
    std::string actor;
    std::string status;
    std::string note;

    bool operator==(const ServiceRequestEvent&) const = default;
};

/// A person's request for a service and its delivery, with every step (schema v9).
struct ServiceRequestRecord {
    std::string id; ///< UUIDv7
    std::string person_id;
    std::string service_code;
    std::string kelurahan_code; ///< the person's when it was opened: who may see it
    std::string card_number;    ///< the card scanned to open it; empty when opened by hand
    std::string status = "diajukan";
    std::string note; ///< the latest step's
    std::int64_t version = 1;
    core::Timestamp created_at{};
    std::string created_by;
    core::Timestamp updated_at{};
    std::string updated_by;
    std::vector<ServiceRequestEvent> history; ///< oldest first
    std::string idempotency_key; ///< the client's key (schema v17); unique per creator when set

    bool operator==(const ServiceRequestRecord&) const = default;
};

/// What create_service_request did.
struct ServiceRequestOutcome {
    ServiceRequestRecord record;
    bool replayed = false; ///< the creator's idempotency key was seen: nothing was written
};

// ---------------------------------------------------------------------------------------------
// Social assistance (schema v10): programmes, their cycles (tahap), each cycle's beneficiary
// list and the deliveries made against it. Never twice: the store keeps at most one delivery
// that is not failed per (cycle, person) with a unique index, whatever the channel.

/// Where a programme's money comes from.
inline constexpr std::array<std::string_view, 3> kAidSources = {"APBN", "APBD", "CSR"};

/// What a programme gives: cash, a voucher, goods, an assistive device or a service.
inline constexpr std::array<std::string_view, 5> kAidKinds = {
    "tunai", "voucher", "barang", "alat_bantu", "layanan"};

/// How a programme's aid reaches the person: handed over (in kind, also cash in hand), by bank
/// transfer, or as a voucher balance spent at merchants.
inline constexpr std::array<std::string_view, 3> kAidChannels = {"langsung", "transfer", "voucher"};

/// A social assistance programme.
struct AidProgramRecord {
    std::string code; ///< a-z, 0-9 and _, e.g. "asp_2026": stable, used in URLs
    std::string name;
    std::string source;                ///< a code of kAidSources
    std::string kind;                  ///< a code of kAidKinds
    std::string channel;               ///< a code of kAidChannels
    std::int64_t unit_value = 0;       ///< rupiah per beneficiary per cycle (integer, >= 0)
    std::string rule;                  ///< the eligibility rule (docs/eligibility.md); may be empty
    std::vector<std::string> excludes; ///< codes of programmes a beneficiary may not also be on
    std::vector<std::string> assignees; ///< user ids of the penyalur/merchants who deliver it
    bool active = true;
    std::int64_t version = 1;
    core::Timestamp created_at{};
    std::string created_by;
    core::Timestamp updated_at{};
    std::string updated_by;

    bool operator==(const AidProgramRecord&) const = default;
};

/// The states of a cycle's beneficiary list: drafted (generated and edited by operators),
/// proposed (waiting for an admin), approved (frozen, its hash recorded; deliveries may start).
inline constexpr std::array<std::string_view, 3> kAidListStates = {"draft", "proposed", "approved"};

/// A maximum number of beneficiaries in an area for one cycle.
struct AidQuota {
    std::string area_code; ///< kab/kota, kecamatan or kelurahan code
    std::int64_t max = 0;

    bool operator==(const AidQuota&) const = default;
};

/// One cycle (tahap) of a programme, with its beneficiary list's state.
struct AidCycleRecord {
    std::string id; ///< UUIDv7
    std::string program_code;
    std::int64_t number = 1; ///< tahap 1, 2, ... unique per programme
    std::string name;        ///< e.g. "Tahap I 2026"
    core::Date starts_on{};  ///< deliveries are recorded from this day (WITA) ...
    core::Date ends_on{};    ///< ... up to and including this one
    std::vector<AidQuota> quotas;
    std::optional<double> site_lon; ///< where a handover event takes place, when there is one
    std::optional<double> site_lat;
    std::string list_state = "draft"; ///< a code of kAidListStates
    std::string rule;                 ///< the rule the list was last generated with
    std::string list_hash;            ///< hex BLAKE2b-256 of the approved list (aid_list_hash)
    std::int64_t list_size = 0;       ///< beneficiaries on the list (entries not removed)
    std::string proposed_by;
    std::optional<core::Timestamp> proposed_at;
    std::string approved_by;
    std::optional<core::Timestamp> approved_at;
    std::int64_t version = 1;
    core::Timestamp created_at{};
    std::string created_by;

    bool operator==(const AidCycleRecord&) const = default;
};

/// A person on a cycle's list: put there by the rule or by hand, or taken off by hand (kept,
/// with the reason, so the decision can be reviewed).
struct AidListEntry {
    std::string person_id;
    std::string kelurahan_code; ///< the person's when the entry was made
    std::string source;         ///< "rule" or "manual"
    bool removed = false;
    std::string reason;             ///< why it was added or removed by hand
    std::vector<std::string> flags; ///< anomaly flag ids (aid.shared_account, ...), sorted
    core::Timestamp added_at{};
    std::string added_by;

    bool operator==(const AidListEntry&) const = default;
};

/// Filters for a cycle's list; ordered by person id.
struct AidEntryQuery {
    std::string cycle_id;
    std::string person_id;               ///< only this person's entry ("" = everyone's)
    std::vector<std::string> area_codes; ///< kelurahan codes under one of these (empty = all)
    bool include_removed = false;
    std::string after_person_id; ///< paging
    int limit = 1000;            ///< 1..100000
};

/// The states of a delivery. Pending: in a transfer batch, not yet confirmed by the bank.
/// Failed: the bank refused it; it is not a delivery and may be re-issued.
inline constexpr std::array<std::string_view, 3> kAidDeliveryStates = {
    "delivered", "pending", "failed"};

/// Aid that reached (or is on its way to) one person in one cycle.
struct AidDeliveryRecord {
    std::string id; ///< UUIDv7
    std::string cycle_id;
    std::string program_code;
    std::string person_id;
    std::string kelurahan_code; ///< the person's on the list
    std::string channel;        ///< a code of kAidChannels
    std::string state = "delivered";
    std::int64_t amount = 0; ///< rupiah
    core::Timestamp recorded_at{};
    std::string officer;       ///< user id of who recorded it
    std::optional<double> lon; ///< where it was recorded (the device's GPS)
    std::optional<double> lat;
    std::optional<double> accuracy_m;
    std::string card_number;   ///< the card scanned; empty when the person was searched
    std::string search_reason; ///< why the card was not scanned (required then)
    std::string evidence_type; ///< "" or a media type: image/jpeg, image/png (photo, signature)
    std::vector<std::uint8_t> evidence;
    std::string note;
    std::vector<std::string> flags; ///< anomaly flag ids, sorted
    std::string idempotency_key;    ///< the client's key; unique per officer when set
    std::string batch_id;           ///< the transfer batch it was issued in ("" = none)
    std::string fail_reason;        ///< why the bank refused it (state failed)
    std::string bank_reference;     ///< the bank's own reference of the transfer

    bool operator==(const AidDeliveryRecord&) const = default;
};

/// What record_aid_delivery did.
struct AidDeliveryOutcome {
    AidDeliveryRecord record;
    bool replayed = false; ///< the officer's idempotency key was seen: nothing was written
};

/// Filters for deliveries; all optional, combined with AND; ordered by id (a UUIDv7: the order
/// in which they were recorded).
struct AidDeliveryQuery {
    std::string cycle_id;
    std::string person_id;
    std::vector<std::string> area_codes; ///< kelurahan codes under one of these (empty = all)
    std::string batch_id;                ///< only the lines of this transfer batch
    std::string after_id;                ///< paging (ids are UUIDv7: time-ordered)
    int limit = 1000;                    ///< 1..100000
};

/// Realisation of one cycle in one kelurahan: beneficiaries on the list and how many of them
/// were delivered, are pending, failed (and not delivered since), or have nothing recorded yet.
struct AidRealisationRow {
    std::string kelurahan_code;
    std::int64_t listed = 0;
    std::int64_t delivered = 0;
    std::int64_t pending = 0;
    std::int64_t failed = 0;
    std::int64_t delivered_amount = 0; ///< rupiah

    bool operator==(const AidRealisationRow&) const = default;
};

// ---------------------------------------------------------------------------------------------
// Vouchers (schema v11): merchants (e-warong) and a double-entry ledger. A voucher programme's
// beneficiary is entitled to its unit_value per cycle; the entitlement is issued on the first
// redemption (one transaction: the aid_deliveries row of channel "voucher", which keeps the
// person from any other delivery of the cycle, the balance row and the issue posting). Each
// ledger transaction is postings that sum to zero over the accounts kVoucherFundAccount
// ("fund:<cycle>"), "voucher:<cycle>:<person>" and "merchant:<merchant id>"; a balance row
// (CHECK balance >= 0) is spent by a conditional UPDATE, so no spending goes below zero.

/// A merchant (e-warong) where vouchers are spent.
struct MerchantRecord {
    std::string id; ///< UUIDv7
    std::string name;
    std::string user_id;        ///< the account (role Merchant) that acts for it
    std::string kelurahan_code; ///< where it is
    double lon = 0;             ///< WGS84
    double lat = 0;
    std::string address;
    bool active = true;
    std::int64_t version = 1;
    core::Timestamp created_at{};
    std::string created_by;
    core::Timestamp updated_at{};
    std::string updated_by;

    bool operator==(const MerchantRecord&) const = default;
};

/// One posting: `amount` rupiah into `account` (negative: out of it).
struct VoucherPosting {
    std::string account;
    std::int64_t amount = 0;

    bool operator==(const VoucherPosting&) const = default;
};

/// A ledger transaction; its postings sum to zero.
struct VoucherTransaction {
    std::string id; ///< UUIDv7
    std::string cycle_id;
    std::string kind; ///< "issue" (fund -> voucher) or "redeem" (voucher -> merchant)
    std::string person_id;
    std::string merchant_id; ///< "" for an issue
    std::int64_t amount = 0; ///< rupiah, > 0
    std::string note;        ///< the goods, for a redemption
    core::Timestamp at{};
    std::string actor;
    std::string card_number;     ///< the card scanned; empty when the person was searched
    std::string search_reason;   ///< why the card was not scanned
    std::string idempotency_key; ///< the client's key; unique per actor when set
    std::vector<VoucherPosting> postings;

    bool operator==(const VoucherTransaction&) const = default;
};

/// A person's voucher in one cycle.
struct VoucherBalance {
    std::string cycle_id;
    std::string person_id;
    std::string kelurahan_code;
    std::int64_t entitled = 0; ///< rupiah (the programme's unit_value when issued)
    std::int64_t spent = 0;
    std::int64_t balance = 0; ///< entitled - spent, >= 0
    bool issued = false;      ///< false: nothing redeemed yet (entitled is the unit_value now)
    std::string delivery_id;  ///< the aid_deliveries row, once issued

    bool operator==(const VoucherBalance&) const = default;
};

/// A redemption as the store writes it (the service checked who may do it).
struct VoucherRedemption {
    std::string id;          ///< UUIDv7 of the redeem transaction
    std::string issue_id;    ///< UUIDv7 of the issue transaction, used on the first redemption
    std::string delivery_id; ///< UUIDv7 of the delivery row, used on the first redemption
    std::string cycle_id;
    std::string person_id;
    std::string merchant_id;
    std::int64_t amount = 0; ///< rupiah, > 0
    std::string note;
    std::string card_number;
    std::string search_reason;
    std::string idempotency_key;
};

/// What redeem_voucher did.
struct VoucherOutcome {
    VoucherTransaction transaction;
    VoucherBalance balance; ///< after it
    bool replayed = false;  ///< the actor's idempotency key was seen: nothing was written
};

/// Filters for ledger transactions; combined with AND; ordered by id (time order).
struct VoucherQuery {
    std::string cycle_id;
    std::string person_id;
    std::string merchant_id;
    std::string after_id; ///< paging
    int limit = 1000;     ///< 1..100000
};

/// What the Dinas owes a merchant: its redemptions (in one cycle, or all).
struct MerchantTotal {
    std::string merchant_id;
    std::int64_t transactions = 0;
    std::int64_t amount = 0; ///< rupiah

    bool operator==(const MerchantTotal&) const = default;
};

/// The fund account of a cycle.
inline std::string voucher_fund_account(const std::string& cycle_id) {
    return "fund:" + cycle_id;
}

/// A person's voucher account in a cycle.
inline std::string voucher_account(const std::string& cycle_id, const std::string& person_id) {
    return "voucher:" + cycle_id + ":" + person_id;
}

/// A merchant's payable account.
inline std::string merchant_account(const std::string& merchant_id) {
    return "merchant:" + merchant_id;
}

/// The states of a transfer batch: made (the file may be sent to the bank), reconciled (the
/// bank's result settled every line: none is pending).
inline constexpr std::array<std::string_view, 2> kAidBatchStates = {"dibuat", "direkonsiliasi"};

/// A disbursement batch of a transfer programme's cycle (schema v12): its lines are the
/// aid_deliveries rows with its id (channel transfer), pending until the bank's result settles
/// them. The counts are computed from those rows when the batch is read.
struct AidBatchRecord {
    std::string id; ///< UUIDv7
    std::string cycle_id;
    std::string program_code;
    std::int64_t number = 0; ///< 1, 2, ... per cycle
    std::string state = "dibuat";
    std::int64_t line_count = 0;   ///< lines when it was made
    std::int64_t total_amount = 0; ///< rupiah, sum of the lines
    core::Timestamp created_at{};
    std::string created_by;
    std::optional<core::Timestamp> reconciled_at; ///< when the last pending line was settled
    // Read from the lines:
    std::int64_t paid_count = 0;
    std::int64_t paid_amount = 0; ///< rupiah
    std::int64_t failed_count = 0;
    std::int64_t pending_count = 0;

    bool operator==(const AidBatchRecord&) const = default;
};

/// What create_aid_batch did: the batch, and the persons whose line was not written because
/// they meanwhile got a delivery that is not failed (another batch, a handover).
struct AidBatchOutcome {
    AidBatchRecord batch;
    std::vector<std::string> skipped_person_ids;
};

/// How the bank settled one pending line of a batch.
struct AidTransferSettlement {
    std::string delivery_id;
    bool paid = false;
    core::Timestamp paid_at{};  ///< when paid: becomes the delivery's recorded_at
    std::string fail_reason;    ///< when failed
    std::string bank_reference; ///< the bank's reference (may be empty)
};

// Duplicate review (schema v13, issue 9): pairs of persons that may be one, found by the
// duplicate check or a scan, and what a reviewer decided. A pair is stored once (the lower id
// first); a decided pair is never proposed again.

/// A pair of persons that may be one person.
struct DuplicatePairRecord {
    std::string id;          ///< UUIDv7
    core::PersonId person_a; ///< the lower id of the two
    core::PersonId person_b;
    std::string kelurahan_a; ///< each home's kelurahan when the pair was found (the area filter)
    std::string kelurahan_b;
    double score = 0;        ///< Fellegi–Sunter score when found
    std::string explanation; ///< JSON array: [{"field":"name","level":"…","weight":4.0}, …]
    std::string source;      ///< "registrasi", "impor" or "pemindaian"
    std::string state = "terbuka"; ///< terbuka, digabung, berbeda
    core::Timestamp found_at{};
    std::string found_by;
    std::optional<core::Timestamp> decided_at;
    std::string decided_by;
    std::string decision_reason;
    std::string kept_id; ///< digabung: the record that stays (person_a or person_b)
    std::int64_t version = 1;

    bool operator==(const DuplicatePairRecord&) const = default;
};

/// The states of a duplicate pair.
inline constexpr std::string_view kPairOpen = "terbuka";
inline constexpr std::string_view kPairMerged = "digabung";
inline constexpr std::string_view kPairDistinct = "berbeda";

/// One operation a device sent to POST /api/v1/sync/batch (docs/sync.md), as kept by the server:
/// so that the same key is applied once, an op waiting for another is applied when that one is,
/// and a conflict waits for a supervisor. `payload` (the op as sent: it may hold a NIK, a KK, a
/// photo) is sealed at rest like NIK and KK, and kept only while the op waits or is a conflict.
struct SyncOpRecord {
    std::string id;             ///< the server's id (UUIDv7); a conflict's id
    std::string actor;          ///< the user who sent it
    std::string key;            ///< the device's idempotency key; unique per actor
    std::string device_id;      ///< the device's id, as sent
    std::int64_t seq = 0;       ///< the device's order number
    std::string type;           ///< person.create, person.update, person.photo, aid.handover
    std::string person_id;      ///< the person it concerns, when known
    std::string after;          ///< the key of the op it waits for, or ""
    std::string fingerprint;    ///< hex SHA-256 of the op as sent
    std::string state;          ///< one of kSyncStates
    std::string result;         ///< the answer for this op (JSON text; no NIK, KK or photo)
    std::string payload;        ///< the op as sent (JSON text); "" once applied or rejected
    std::string kelurahan_code; ///< a conflict: the person's kelurahan then (the operators' scope)
    std::optional<std::int64_t> base_version;   ///< a conflict: the version the device started from
    std::optional<std::int64_t> server_version; ///< a conflict: the person's version then
    std::string fields;                         ///< a conflict: JSON array of the fields at stake
    core::Timestamp received_at{};
    std::optional<core::Timestamp> decided_at; ///< a resolved conflict
    std::string decided_by;
    std::string decision;     ///< a resolved conflict: JSON {"choose": {...}, "reason", "version"}
    std::int64_t version = 1; ///< of this row: +1 on every change of state

    bool operator==(const SyncOpRecord&) const = default;
};

/// The states of a SyncOpRecord.
inline constexpr std::string_view kSyncApplied = "applied";
inline constexpr std::string_view kSyncMerged = "merged";
inline constexpr std::string_view kSyncConflict = "conflict";
inline constexpr std::string_view kSyncResolved = "resolved";
inline constexpr std::string_view kSyncWaiting = "waiting";
inline constexpr std::string_view kSyncRejected = "rejected";
inline constexpr std::array<std::string_view, 6> kSyncStates = {
    kSyncApplied, kSyncMerged, kSyncConflict, kSyncResolved, kSyncWaiting, kSyncRejected};

struct SyncConflictQuery {
    std::string state = std::string(kSyncConflict); ///< kSyncConflict or kSyncResolved
    std::vector<std::string> area_codes; ///< conflicts whose kelurahan is under one; empty = all
    int limit = 100;                     ///< 1..1000
    std::string cursor;                  ///< next_cursor of the previous page
};

struct DuplicatePairQuery {
    std::string state;                   ///< "" = any
    std::string person_id;               ///< "" = any; else pairs naming this person
    std::vector<std::string> area_codes; ///< pairs with either home under one; empty = all
    int limit = 100;                     ///< 1..1000
    std::string cursor;                  ///< next_cursor of the previous page
};

/// A merge: the pair is decided "digabung" and the absorbed record, in the same transaction,
/// gets a new version (`absorbed_content`: status nonaktif, merged_into = the kept id).
struct DuplicateMerge {
    std::string pair_id;
    std::int64_t pair_version = 0;
    core::PersonId absorbed;
    std::int64_t absorbed_version = 0;
    core::Person absorbed_content;
    std::string absorbed_kecamatan;
};

struct DuplicateMergeOutcome {
    DuplicatePairRecord pair;
    core::PersonRecord absorbed;
};

/// What the dashboard counts, grouped by the store from plain columns (no record is read or
/// decrypted): fit for a national registry.
struct PersonStatsQuery {
    std::vector<std::string> scope_area_codes; ///< as PersonQuery's; empty = every person
    std::optional<core::Status> status;        ///< profiles of this status only; nullopt = all
    core::Date today{};                        ///< ages are whole years on this day
    /// Upper bounds (exclusive, whole years) of the age groups but the last, ascending: a person
    /// of age a is in the first group whose bound exceeds a (the last when none does).
    std::vector<int> age_bounds;
    std::int64_t new_since_ms = 0; ///< registrations counted from this instant (Unix ms)
};

/// Persons alike in what the dashboard counts, and how many.
struct PersonProfileGroup {
    std::string kecamatan_code;
    std::string sex;             ///< "L" or "P"
    std::int64_t categories = 0; ///< category_mask
    std::string severity;        ///< "" when not filled in
    int age_group = -1;          ///< index into the bounds' groups; -1 no or a future birth date
    std::int64_t count = 0;
};

/// Registrations of a kecamatan in a month.
struct MonthCount {
    std::string kecamatan_code;
    std::string month; ///< "2026-09", of the creation instant in WITA (UTC+8)
    std::int64_t count = 0;
};

struct PersonStatGroups {
    std::vector<PersonProfileGroup> profiles;  ///< any order
    std::vector<MonthCount> new_registrations; ///< any order; whatever the status now
};

/// The kinds of file a person may have (schema v15): the photo, and scans of the KTP, the KK
/// and a doctor's letter. Only "foto" has routes so far; the others use the same table later.
inline constexpr std::array<std::string_view, 4> kPersonFileKinds = {
    "foto", "ktp", "kk", "surat_dokter"};

/// A file of a person (schema v15): the blob store that core::DocumentRef and
/// core::Person::photo_id point into. Never changed once written: a new photo is a new file,
/// and a past version of the person still points at the file it had. The bytes are sealed at
/// rest with the store's FieldCipher, as NIK and KK are (docs/SECURITY.md).
struct PersonFileRecord {
    std::string id;              ///< UUIDv7
    std::string person_id;       ///< the person it belongs to
    std::string kind;            ///< a code of kPersonFileKinds
    std::string media_type;      ///< image/jpeg, image/png, application/pdf, ...
    std::int64_t size_bytes = 0; ///< of `bytes`
    std::string sha256;          ///< lower-case hex SHA-256 of `bytes`
    std::vector<std::uint8_t> bytes;
    core::Timestamp created_at{};
    std::string created_by;

    bool operator==(const PersonFileRecord&) const = default;
};

/// What in-memory indexes need of a person, read from plain columns: no NIK, KK or document
/// is decrypted or parsed. One per person in its current version.
struct PersonSummary {
    core::PersonId id;
    std::int64_t version = 0;
    std::string kelurahan_code;
    std::uint8_t categories = 0; ///< bit (1 << Category)
    std::uint16_t devices = 0;   ///< bit i: core::kAssistiveDevices[i] (store::device_mask)
    std::optional<core::DisabilitySeverity> severity;
    core::Status status = core::Status::Aktif;
    std::optional<double> lon;
    std::optional<double> lat;
    std::string full_name; ///< as typed; for the duplicate check's blocking keys
    std::optional<core::Date> birth_date;
    std::optional<core::Sex> sex;
};

/// A page of the change feed: the current state of every person written after the cursor, in
/// commit order (all persons of one write together).
struct ChangePage {
    std::vector<PersonSummary> items;
    ChangeCursor next; ///< pass it back for the next page; equals the request when none
};

/// Wakes a follower of the change feed when another process may have written (PostgreSQL:
/// LISTEN/NOTIFY). Used by one thread.
class ChangeWaiter {
  public:
    ChangeWaiter() = default;
    ChangeWaiter(const ChangeWaiter&) = delete;
    ChangeWaiter& operator=(const ChangeWaiter&) = delete;
    ChangeWaiter(ChangeWaiter&&) = delete;
    ChangeWaiter& operator=(ChangeWaiter&&) = delete;
    virtual ~ChangeWaiter() = default;

    /// Returns true as soon as a change may have been committed, false after `timeout_ms`
    /// without a signal. May return true spuriously; the caller reads the feed either way.
    virtual bool wait(int timeout_ms) = 0;
};

/// Keys for field encryption and the blind index, read from the data directory by `app`.
struct StoreKeys {
    std::vector<std::uint8_t> data_key;  ///< 32 bytes, crypto_secretbox key
    std::vector<std::uint8_t> index_key; ///< 32 bytes, key of the keyed BLAKE2b blind index
};

// ---------------------------------------------------------------------------------------------
// Transfer between stores (`kapal migrate-store`): every row of every table in a canonical,
// backend-independent form, streamed out of one store and loaded into an empty one. Never used
// on a request path. The columns of each table, reading a page back, the digest and the copy
// and verify steps are in store_transfer.hpp.

/// The tables of a store, in the order Store::dump emits them and a StoreLoad takes them.
enum class TransferTable : std::uint8_t {
    Persons,
    PersonVersions,
    IdempotencyKeys,
    Users,
    Sessions,
    ApiTokens,
    AuditLog,
    HazardZones, ///< schema v6
    Facilities,  ///< schema v6
    Cards,       ///< schema v8
    Services,    ///< schema v9
    ServiceRequests,
    ServiceRequestEvents,
    AidPrograms, ///< schema v10
    AidCycles,
    AidListEntries,
    AidDeliveries,
    Merchants, ///< schema v11
    VoucherBalances,
    VoucherTransactions,
    VoucherPostings,
    AidBatches,     ///< schema v12
    DuplicatePairs, ///< schema v13
    PersonFiles,    ///< schema v15
    SyncOps,        ///< schema v16
};

inline constexpr std::size_t kTransferTableCount = 25;

/// The kind of a canonical value; also its tag byte in the encoding.
enum class TransferKind : std::uint8_t { Null = 0, Int = 1, Real = 2, Text = 3, Bytes = 4 };

/// Rows of one table in the canonical encoding: each row is its values in column order
/// (transfer_columns), each value a tag byte (TransferKind) and then, for Int, 8 bytes of the
/// value big-endian; for Real, 8 bytes of its IEEE 754 bits big-endian; for Text and Bytes, a
/// 4-byte big-endian length and the bytes; for Null, nothing. The same rows give the same bytes
/// on every backend, and the digest hashes exactly these bytes.
class TransferPage {
  public:
    explicit TransferPage(TransferTable table = TransferTable::Persons)
        : table_(table) {}

    TransferTable table() const { return table_; }

    /// Whole rows written (end_row calls).
    std::size_t rows() const { return rows_; }

    /// The encoding of the rows.
    std::string_view data() const { return data_; }

    /// Empties the page, keeping its memory, for rows of `table`.
    void reset(TransferTable table);

    // The values of a row, in column order; then end_row().
    void null();
    void int64(std::int64_t v);
    void real(double v);
    void text(std::string_view v);               ///< Precondition: fewer than 2^32 bytes
    void bytes(std::span<const std::uint8_t> v); ///< Precondition: fewer than 2^32 bytes

    void end_row() { ++rows_; }

  private:
    void tag(TransferKind kind) { data_ += static_cast<char>(kind); }

    void be(std::uint64_t v, int bytes);

    TransferTable table_;
    std::string data_;
    std::size_t rows_ = 0;
};

/// Receives the rows of a dump: for each table in TransferTable order, begin_table, any number
/// of pages, end_table. An error stops the dump and is returned by it.
class TransferSink {
  public:
    TransferSink() = default;
    TransferSink(const TransferSink&) = delete;
    TransferSink& operator=(const TransferSink&) = delete;
    TransferSink(TransferSink&&) = delete;
    TransferSink& operator=(TransferSink&&) = delete;
    virtual ~TransferSink() = default;

    /// A table starts; it has `rows` rows (counted in the dump's snapshot).
    virtual Result<void> begin_table(TransferTable table, std::int64_t rows) = 0;

    /// The next rows of the current table, in the table's canonical order.
    virtual Result<void> write(const TransferPage& page) = 0;

    /// The current table is complete.
    virtual Result<void> end_table(TransferTable table) = 0;
};

/// A load into an empty store (Store::begin_load): a sink that writes every row it gets, as it
/// is (same ids, versions, instants, sealed NIK/KK, blind indexes, audit seq), into one open
/// transaction of the target. Destroyed without a successful commit(), it leaves the target as
/// empty as it was.
class StoreLoad : public TransferSink {
  public:
    /// Completes the load once every table has been written: sets the store's own counters
    /// (identity sequences, the audit counter), rebuilds what the backend derives (SQLite's
    /// name index), and commits. Errors: InvalidArgument (a table is missing),
    /// StoreUnavailable.
    virtual Result<void> commit() = 0;
};

/// Storage of the registry. Implementations are thread-safe: many readers, one writer at a
/// time. Every write keeps the previous version; nothing is ever hard-deleted.
class Store {
  public:
    Store() = default;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;
    Store(Store&&) = delete;
    Store& operator=(Store&&) = delete;
    virtual ~Store() = default;

    /// Counts every person and user: for `kapal check` and tests, not for every request (a
    /// full count at national size). Fields it could not read stay 0.
    virtual StoreInfo info() = 0;

    /// A cheap round trip on a reader connection (reconnecting a dropped one): the schema
    /// version. For health checks. Errors: StoreUnavailable.
    virtual Result<int> ping() = 0;

    /// "sqlite" or "postgresql", as StoreInfo::backend.
    virtual std::string_view backend() const = 0;

    /// Creates a person with `id` (a fresh UUIDv7) at version 1.
    /// Errors: DuplicateNik (same NIK blind index), IdempotencyKeyReused, StoreUnavailable.
    virtual Result<CreateOutcome> create_person(const core::PersonId& id,
                                                const core::Person& person,
                                                const std::string& kecamatan_code,
                                                const WriteContext& ctx,
                                                const std::optional<IdempotencyToken>& idem) = 0;

    /// Replaces the content of a person if its version is still `expected_version`.
    /// Errors: NotFound, VersionConflict, DuplicateNik (NIK changed to one already present).
    virtual Result<core::PersonRecord> update_person(const core::PersonId& id,
                                                     std::int64_t expected_version,
                                                     const core::Person& person,
                                                     const std::string& kecamatan_code,
                                                     const WriteContext& ctx) = 0;

    /// update_person, and in the same transaction stores `file` (its bytes sealed) with a
    /// "person.file.add" audit entry (subject = person id; detail: kind, file id, size,
    /// SHA-256), so that a new version pointing at the file and the file itself are written
    /// together. Precondition: file.person_id == id.str(). Errors: as update_person,
    /// AlreadyExists (file id), InvalidArgument (a kind not in kPersonFileKinds, size_bytes not
    /// the bytes' size).
    virtual Result<core::PersonRecord> update_person_with_file(const core::PersonId& id,
                                                               std::int64_t expected_version,
                                                               const core::Person& person,
                                                               const std::string& kecamatan_code,
                                                               const PersonFileRecord& file,
                                                               const WriteContext& ctx) = 0;

    /// A person's file by id, its bytes opened; nullopt when there is none. Errors:
    /// StoreCorrupt (the sealed bytes do not open with the store's key, or do not match their
    /// SHA-256).
    virtual Result<std::optional<PersonFileRecord>> get_person_file(const std::string& id) = 0;

    /// Errors: NotFound.
    virtual Result<core::PersonRecord> get_person(const core::PersonId& id) = 0;

    /// Exact lookup through the NIK blind index; nullopt when absent.
    virtual Result<std::optional<core::PersonRecord>>
    find_person_by_nik(const std::string& nik) = 0;

    /// Persons matching the query, in registration order. Errors: BadCursor.
    virtual Result<Page<core::PersonRecord>> list_persons(const PersonQuery& query) = 0;

    /// Every version, oldest first. Errors: NotFound.
    virtual Result<std::vector<PersonVersion>> person_history(const core::PersonId& id) = 0;

    /// The dashboard's counts, grouped in one read (see PersonStatsQuery). Errors:
    /// InvalidArgument (age bounds not ascending or more than 8).
    virtual Result<PersonStatGroups> person_stat_groups(const PersonStatsQuery& query) = 0;

    /// The person as it was at instant `at` (the latest version written at or before it).
    /// Errors: NotFound (unknown id, or the person did not exist yet at `at`).
    virtual Result<core::PersonRecord> person_as_of(const core::PersonId& id,
                                                    core::Timestamp at) = 0;

    /// Calls `visit` with every registry state written before `before`, person by person (the
    /// states of one person adjacent, oldest version first; persons in an unspecified but fixed
    /// order), reading in pages so that memory stays small at national size. Stops at the first
    /// error `visit` returns and returns it. Errors: StoreCorrupt (a value it cannot read).
    virtual Result<void>
    scan_registry_states(core::Timestamp before,
                         const std::function<Result<void>(const RegistryState&)>& visit) = 0;

    /// Reads, in one snapshot, every card's span, every delivered aid recorded in
    /// [aid_from, aid_before), and every person's current home, each with the person's store key
    /// (a card or delivery naming an unknown person is left out). Errors: StoreCorrupt.
    virtual Result<void> scan_indicator_facts(core::Timestamp aid_from,
                                              core::Timestamp aid_before,
                                              const IndicatorFactVisitors& visit) = 0;

    /// Seals a batch for import_prepared. Thread-safe, and it neither waits for nor blocks
    /// writers: it reads only the store's keys.
    virtual std::unique_ptr<PreparedImport> prepare_import(std::vector<ImportItem> items) const = 0;

    /// Imports a prepared batch in one transaction, matching each row on the NIK blind index:
    /// new NIK → Created (with a fresh id from `new_ids`, same length as the batch); same
    /// content → Unchanged; different content → Changed (nothing written) or Updated when the
    /// item asks. Errors: InvalidArgument (ids of another length, or a batch prepared by
    /// another store).
    virtual Result<std::vector<ImportResult>>
    import_prepared(const PreparedImport& batch,
                    const std::vector<core::PersonId>& new_ids,
                    const WriteContext& ctx) = 0;

    /// prepare_import then import_prepared, on the calling thread.
    Result<std::vector<ImportResult>> import_persons(const std::vector<ImportItem>& items,
                                                     const std::vector<core::PersonId>& new_ids,
                                                     const WriteContext& ctx) {
        return import_prepared(*prepare_import(items), new_ids, ctx);
    }

    // --- Change feed: lets every application server sharing a database keep its in-memory
    // indexes in step with writes made by the others (and by command-line imports).

    /// The persons written after `after` (created, updated, imported), each in its current
    /// version, in the order (seq of the write, row key); at most `limit` (1..100000). From
    /// {0, 0} it is every person. A reader that has read up to a cursor misses no later commit:
    /// writes are serialised and take their seq in commit order. Errors: InvalidArgument.
    virtual Result<ChangePage> person_changes(const ChangeCursor& after, int limit) = 0;

    /// A waiter on its own connection (SQLite: one that only sleeps; followers poll).
    virtual std::unique_ptr<ChangeWaiter> change_waiter() = 0;

    // --- Area boundaries (reference data)

    /// Makes the areas table hold exactly `areas`: inserts the new codes, replaces the rows
    /// that differ and deletes the codes no longer given, in one transaction with one
    /// "areas.sync" audit row (detail = the counts) when anything changed. Returns how many
    /// rows changed (0: already in step, nothing written). Errors: InvalidArgument (an empty or
    /// duplicate code, a level other than kota/kecamatan/kelurahan, a geometry the backend
    /// cannot read: the message names the code), StoreUnavailable.
    virtual Result<int> sync_areas(const std::vector<AreaRecord>& areas,
                                   const WriteContext& ctx) = 0;

    /// The stored areas, by code.
    virtual Result<std::vector<AreaRecord>> list_areas() = 0;

    // --- Hazard zones and facilities

    /// Adds zones in one transaction with one "hazard.import" audit entry (detail = how many
    /// and the sources). Errors: AlreadyExists (an id taken), InvalidArgument (an empty id,
    /// name, hazard or level; a geometry that is not a GeoJSON MultiPolygon or that the backend
    /// cannot read: the message names the zone), StoreUnavailable. All or nothing.
    virtual Result<void> add_hazard_zones(const std::vector<HazardZoneRecord>& zones,
                                          const WriteContext& ctx) = 0;

    /// Every zone, by name then id.
    virtual Result<std::vector<HazardZoneRecord>> list_hazard_zones() = 0;

    /// By id; nullopt when there is none.
    virtual Result<std::optional<HazardZoneRecord>> get_hazard_zone(const std::string& id) = 0;

    /// Adds facilities in one transaction with one "facility.import" audit entry. Errors:
    /// AlreadyExists (an id taken), InvalidArgument (an empty id, kind or name; a position
    /// outside -180..180 / -90..90: the message names the facility), StoreUnavailable.
    virtual Result<void> add_facilities(const std::vector<FacilityRecord>& facilities,
                                        const WriteContext& ctx) = 0;

    /// Every facility, by kind, then name, then id.
    virtual Result<std::vector<FacilityRecord>> list_facilities() = 0;

    // --- Cards

    /// Issues a card: in one transaction, checks the person exists and is active, revokes the
    /// active card when `issue.replace_reason` is set, reserves the regency's next serial,
    /// calls `issue.make` and inserts the card, with a "card.issue" audit entry (subject =
    /// person id, detail = number, and what it replaces). Errors: NotFound (person),
    /// CardPersonInactive, CardAlreadyActive, CardReasonInvalid, InvalidArgument (a regency
    /// that is not 4 digits, no more serials), `make`'s own, StoreUnavailable.
    virtual Result<CardRecord> issue_card(const CardIssue& issue, const WriteContext& ctx) = 0;

    /// Revokes an active card with a reason of kCardRevokeReasons (and an optional note), with
    /// a "card.revoke" audit entry. Errors: NotFound, CardAlreadyRevoked, CardReasonInvalid.
    virtual Result<CardRecord> revoke_card(const std::string& number,
                                           const std::string& reason,
                                           const std::string& note,
                                           const WriteContext& ctx) = 0;

    /// Moves active cards along the print queue: ToHandOver marks them printed, HandedOver
    /// handed over (and printed, if they were not). One "card.printed"/"card.handed_over" audit
    /// entry. All or nothing. Errors: NotFound (a number; the message names it),
    /// CardAlreadyRevoked, InvalidArgument (stage ToPrint). Returns how many changed.
    virtual Result<int> mark_cards(const std::vector<std::string>& numbers,
                                   CardStage stage,
                                   const WriteContext& ctx) = 0;

    /// By number; nullopt when there is none.
    virtual Result<std::optional<CardRecord>> get_card(const std::string& number) = 0;

    /// Every card of a person, newest first (empty when none or an unknown id).
    virtual Result<std::vector<CardRecord>> person_cards(const core::PersonId& id) = 0;

    /// Cards matching the query, by number. Errors: InvalidArgument (limit).
    virtual Result<std::vector<CardRecord>> list_cards(const CardQuery& query) = 0;

    // --- The services the card opens

    /// Adds services to the catalogue in one transaction with one "service.add" audit entry.
    /// Errors: AlreadyExists (a code taken; the message names it), InvalidArgument (a code that
    /// is not a-z, 0-9, _ or an empty name). All or nothing.
    virtual Result<void> add_services(const std::vector<ServiceRecord>& services,
                                      const WriteContext& ctx) = 0;

    /// Replaces a service's names, description, active flag and position ("service.update").
    /// Errors: NotFound, InvalidArgument.
    virtual Result<void> update_service(const ServiceRecord& service, const WriteContext& ctx) = 0;

    /// The catalogue, by position then code.
    virtual Result<std::vector<ServiceRecord>> list_services() = 0;

    /// Opens a request (version 1, status diajukan, its first history step), with a
    /// "service_request.create" audit entry (subject = person id). The actor's idempotency key,
    /// when set and seen before, returns the first request (replayed, nothing written) if it was
    /// for the same person, service and note, and IdempotencyKeyReused otherwise. Errors:
    /// NotFound (person), ServiceUnknown (no such service, or retired), AlreadyExists (id).
    virtual Result<ServiceRequestOutcome>
    create_service_request(const ServiceRequestRecord& request, const WriteContext& ctx) = 0;

    /// Moves a request to `status` with a note if its version is still `expected_version`
    /// ("service_request.update"). Errors: NotFound, VersionConflict, ServiceTransitionInvalid
    /// (see service_transition_allowed).
    virtual Result<ServiceRequestRecord> update_service_request(const std::string& id,
                                                                std::int64_t expected_version,
                                                                const std::string& status,
                                                                const std::string& note,
                                                                const WriteContext& ctx) = 0;

    /// One request with its history; nullopt when there is none.
    virtual Result<std::optional<ServiceRequestRecord>>
    get_service_request(const std::string& id) = 0;

    /// A person's requests with their histories, newest first.
    virtual Result<std::vector<ServiceRequestRecord>>
    person_service_requests(const core::PersonId& id) = 0;

    // --- Social assistance (schema v10)

    /// Adds a programme at version 1 with an "aid.program.create" audit entry. Errors:
    /// AlreadyExists (code taken), InvalidArgument (check_aid_program).
    virtual Result<AidProgramRecord> add_aid_program(const AidProgramRecord& program,
                                                     const WriteContext& ctx) = 0;

    /// Replaces a programme's content (not its code) if its version is still
    /// `program.version`, with an "aid.program.update" audit entry. Errors: NotFound,
    /// VersionConflict, InvalidArgument.
    virtual Result<AidProgramRecord> update_aid_program(const AidProgramRecord& program,
                                                        const WriteContext& ctx) = 0;

    /// By code; nullopt when there is none.
    virtual Result<std::optional<AidProgramRecord>> get_aid_program(const std::string& code) = 0;

    /// Every programme, by code.
    virtual Result<std::vector<AidProgramRecord>> list_aid_programs() = 0;

    /// Adds a cycle (draft, empty list, version 1) with an "aid.cycle.create" audit entry.
    /// Errors: NotFound (programme), AlreadyExists (id, or the programme's number taken),
    /// InvalidArgument (ends before it starts, a negative quota).
    virtual Result<AidCycleRecord> add_aid_cycle(const AidCycleRecord& cycle,
                                                 const WriteContext& ctx) = 0;

    /// By id; nullopt when there is none.
    virtual Result<std::optional<AidCycleRecord>> get_aid_cycle(const std::string& id) = 0;

    /// A programme's cycles by number ("" = every cycle, by programme then number).
    virtual Result<std::vector<AidCycleRecord>>
    list_aid_cycles(const std::string& program_code) = 0;

    /// Replaces the rule-made entries of a draft list in `area_codes` (kelurahan under one of
    /// them; empty = everywhere) by `entries` (all source "rule"; manual entries and removals
    /// are kept, and a person already on the list is not added twice), records `rule`, bumps
    /// the cycle's version; "aid.list.generate" audit entry. Errors: NotFound, VersionConflict,
    /// AidListState (not a draft).
    virtual Result<AidCycleRecord> replace_aid_list(const std::string& cycle_id,
                                                    std::int64_t expected_version,
                                                    const std::string& rule,
                                                    const std::vector<std::string>& area_codes,
                                                    const std::vector<AidListEntry>& entries,
                                                    const WriteContext& ctx) = 0;

    /// Adds a person to a draft list by hand (source "manual"), or takes one off
    /// (`entry.removed`: the entry is kept, marked removed, with the reason); bumps the
    /// version; "aid.list.add" / "aid.list.remove" audit entry (subject = person id). Errors:
    /// NotFound (cycle; person on removal), VersionConflict, AidListState, AidReasonRequired
    /// (empty reason), AlreadyExists (adding a person already on the list).
    virtual Result<AidCycleRecord> edit_aid_list(const std::string& cycle_id,
                                                 std::int64_t expected_version,
                                                 const AidListEntry& entry,
                                                 const WriteContext& ctx) = 0;

    /// Moves a list along maker-checker: "proposed" from draft (proposed_by = ctx.actor),
    /// "approved" from proposed by someone other than the proposer (computes and records the
    /// list hash: the list is frozen), "draft" from proposed (sent back, with ctx.reason).
    /// Audit "aid.list.propose" / "aid.list.approve" (detail = hash) / "aid.list.return".
    /// Errors: NotFound, VersionConflict, AidListState, AidSelfApproval, InvalidArgument (a
    /// state that is not one of these).
    virtual Result<AidCycleRecord> move_aid_list(const std::string& cycle_id,
                                                 std::int64_t expected_version,
                                                 const std::string& to_state,
                                                 const WriteContext& ctx) = 0;

    /// A cycle's list entries. Errors: InvalidArgument (limit).
    virtual Result<std::vector<AidListEntry>> list_aid_entries(const AidEntryQuery& query) = 0;

    /// Records a delivery in one transaction: the cycle's list must be approved and hold the
    /// person (not removed); no other delivery of this (cycle, person) may be delivered or
    /// pending; the officer's idempotency key, when set and seen before for the same cycle and
    /// person, returns the first delivery (replayed) and writes nothing. "aid.deliver" audit
    /// entry (subject = person id). Errors: NotFound (cycle), AidListState (list not approved),
    /// AidNotOnList, AidAlreadyDelivered, IdempotencyKeyReused (the key was used for another
    /// person or cycle), AlreadyExists (id).
    virtual Result<AidDeliveryOutcome> record_aid_delivery(const AidDeliveryRecord& delivery,
                                                           const WriteContext& ctx) = 0;

    /// Deliveries matching the query (evidence bytes not included: evidence_type tells whether
    /// there is some; get_aid_delivery returns them). Errors: InvalidArgument (limit).
    virtual Result<std::vector<AidDeliveryRecord>>
    list_aid_deliveries(const AidDeliveryQuery& query) = 0;

    /// One delivery with its evidence; nullopt when there is none.
    virtual Result<std::optional<AidDeliveryRecord>> get_aid_delivery(const std::string& id) = 0;

    /// Makes transfer batch `batch` (id, cycle_id, program_code, created_by; the number is the
    /// cycle's next) of `lines` (pending transfer deliveries of that cycle, each with the
    /// batch's id) in one transaction. A line whose person meanwhile has a delivery that is not
    /// failed is skipped and reported (the unique index decides, also against concurrent
    /// batches and handovers); persons must be on the approved list. "aid.batch.create" audit
    /// entry (subject = batch id). Errors: NotFound (cycle), AidListState (list not approved),
    /// AidNotOnList, AidAlreadyDelivered (no line could be written), AlreadyExists (id),
    /// InvalidArgument (a line of another cycle or batch, or not pending transfer).
    virtual Result<AidBatchOutcome> create_aid_batch(const AidBatchRecord& batch,
                                                     const std::vector<AidDeliveryRecord>& lines,
                                                     const WriteContext& ctx) = 0;

    /// A cycle's batches by number, with their counts.
    virtual Result<std::vector<AidBatchRecord>> list_aid_batches(const std::string& cycle_id) = 0;

    /// By id with its counts; nullopt when there is none.
    virtual Result<std::optional<AidBatchRecord>> get_aid_batch(const std::string& id) = 0;

    /// Applies the bank's settlements to pending lines of a batch in one transaction: paid ->
    /// delivered (recorded_at = paid_at), failed -> failed with the reason; a line that is no
    /// longer pending is left alone. Returns, per settlement, whether it changed the line. The
    /// batch becomes "direkonsiliasi" when no line is pending. "aid.batch.settle" audit entry
    /// (subject = batch id, detail = counts). Errors: NotFound (batch).
    virtual Result<std::vector<bool>>
    settle_aid_batch(const std::string& batch_id,
                     const std::vector<AidTransferSettlement>& settlements,
                     const WriteContext& ctx) = 0;

    /// Realisation of a cycle per kelurahan (of the list's entries not removed), by code,
    /// limited to kelurahan under `area_codes` (empty = all).
    virtual Result<std::vector<AidRealisationRow>>
    aid_realisation(const std::string& cycle_id, const std::vector<std::string>& area_codes) = 0;

    // --- Vouchers (schema v11)

    /// Adds a merchant at version 1; "aid.merchant.create" audit entry. Errors: AlreadyExists
    /// (id), InvalidArgument (empty name or user, a position outside WGS84).
    virtual Result<MerchantRecord> add_merchant(const MerchantRecord& merchant,
                                                const WriteContext& ctx) = 0;

    /// Replaces a merchant's content if its version is still `merchant.version`;
    /// "aid.merchant.update" audit entry. Errors: NotFound, VersionConflict, InvalidArgument.
    virtual Result<MerchantRecord> update_merchant(const MerchantRecord& merchant,
                                                   const WriteContext& ctx) = 0;

    /// By id; nullopt when there is none.
    virtual Result<std::optional<MerchantRecord>> get_merchant(const std::string& id) = 0;

    /// Every merchant, by name then id.
    virtual Result<std::vector<MerchantRecord>> list_merchants() = 0;

    /// Redeems `r.amount` of the person's voucher at the merchant, in one transaction: the list
    /// must be approved and hold the person, the programme's channel be "voucher"; on the first
    /// redemption the entitlement is issued (delivery row, balance row, issue transaction); the
    /// balance is spent only if it holds the amount. The actor's idempotency key, seen before
    /// for the same cycle, person, merchant and amount, returns the first outcome (replayed).
    /// Audit "aid.voucher.redeem" (and "aid.deliver" when issued). Errors: NotFound (cycle,
    /// merchant), InvalidArgument (amount <= 0, merchant inactive), AidChannelMismatch,
    /// AidListState, AidNotOnList, AidAlreadyDelivered (another channel's delivery),
    /// AidVoucherInsufficient, IdempotencyKeyReused, AlreadyExists (id).
    virtual Result<VoucherOutcome> redeem_voucher(const VoucherRedemption& r,
                                                  const WriteContext& ctx) = 0;

    /// A person's voucher in a cycle: the balance row once issued, else the programme's
    /// unit_value, unspent. Errors: NotFound (cycle), AidNotOnList.
    virtual Result<VoucherBalance> voucher_balance(const std::string& cycle_id,
                                                   const std::string& person_id) = 0;

    /// The issued balances of a cycle, by person id (after `after_person_id`, at most `limit`).
    virtual Result<std::vector<VoucherBalance>> list_voucher_balances(
        const std::string& cycle_id, const std::string& after_person_id, int limit) = 0;

    /// Ledger transactions with their postings. Errors: InvalidArgument (limit).
    virtual Result<std::vector<VoucherTransaction>>
    list_voucher_transactions(const VoucherQuery& query) = 0;

    /// Redemptions per merchant ("" = every cycle), by merchant id.
    virtual Result<std::vector<MerchantTotal>> merchant_totals(const std::string& cycle_id) = 0;

    // --- Duplicate review (schema v13)

    /// Adds pairs not known yet, in one transaction; a pair already stored (in any state,
    /// either order) is left as it is. Returns, per pair, whether it was added. One
    /// "duplicate.propose" audit entry when any was (detail = the pairs' ids). Errors:
    /// InvalidArgument (a pair of one person, or person_a not below person_b).
    virtual Result<std::vector<bool>>
    propose_duplicate_pairs(const std::vector<DuplicatePairRecord>& pairs,
                            const WriteContext& ctx) = 0;

    /// Pairs matching the query, oldest first. Errors: BadCursor, InvalidArgument (limit).
    virtual Result<Page<DuplicatePairRecord>>
    list_duplicate_pairs(const DuplicatePairQuery& query) = 0;

    /// By id; nullopt when there is none.
    virtual Result<std::optional<DuplicatePairRecord>>
    get_duplicate_pair(const std::string& id) = 0;

    /// The pair of two persons (either order); nullopt when there is none.
    virtual Result<std::optional<DuplicatePairRecord>>
    find_duplicate_pair(const core::PersonId& one, const core::PersonId& other) = 0;

    /// Decides an open pair "berbeda" (ctx.reason kept as the decision's reason), if its
    /// version is still `expected_version`. "duplicate.distinct" audit entry. Errors: NotFound,
    /// VersionConflict, DuplicatePairDecided (not open).
    virtual Result<DuplicatePairRecord> mark_duplicate_pair_distinct(const std::string& id,
                                                                     std::int64_t expected_version,
                                                                     const WriteContext& ctx) = 0;

    /// Decides an open pair "digabung" and writes the absorbed person's new version (as
    /// update_person: its history kept, an active card revoked), in one transaction.
    /// "duplicate.merge" and "person.update" audit entries. Errors: NotFound (pair or person),
    /// VersionConflict (either), DuplicatePairDecided, InvalidArgument (absorbed not in the
    /// pair).
    virtual Result<DuplicateMergeOutcome> merge_duplicate_pair(const DuplicateMerge& merge,
                                                               const WriteContext& ctx) = 0;

    // --- Offline sync (docs/sync.md)

    /// Keeps a new op. A conflict is audited "sync.conflict" (subject = the person, detail = the
    /// op's id and fields). Errors: AlreadyExists (the actor's key is stored already: read it
    /// with find_sync_op), InvalidArgument (a state not in kSyncStates).
    virtual Result<void> add_sync_op(const SyncOpRecord& op, const WriteContext& ctx) = 0;

    /// Replaces an op's state and what goes with it (result, payload, conflict and decision
    /// fields) if its version is still `expected_version`; the stored version becomes
    /// expected_version + 1. A conflict resolved is audited "sync.conflict.resolve" (detail =
    /// the decision). Errors: NotFound, VersionConflict, InvalidArgument (state).
    virtual Result<SyncOpRecord> update_sync_op(const SyncOpRecord& op,
                                                std::int64_t expected_version,
                                                const WriteContext& ctx) = 0;

    /// The op of `actor` with `key`; nullopt when there is none.
    virtual Result<std::optional<SyncOpRecord>> find_sync_op(const std::string& actor,
                                                             const std::string& key) = 0;

    /// By id; nullopt when there is none.
    virtual Result<std::optional<SyncOpRecord>> get_sync_op(const std::string& id) = 0;

    /// The ops of `actor` waiting for the op with key `after`, in (seq, id) order.
    virtual Result<std::vector<SyncOpRecord>> waiting_sync_ops(const std::string& actor,
                                                               const std::string& after) = 0;

    /// Conflicts (open or resolved), oldest first. Errors: BadCursor, InvalidArgument (limit,
    /// state).
    virtual Result<Page<SyncOpRecord>> list_sync_conflicts(const SyncConflictQuery& query) = 0;

    // --- Audit. Writes above also append to the log inside their own transaction:
    // create_person "person.create" (subject = person id, detail = reason), update_person
    // "person.update", import_prepared one "person.import" per batch (detail = counts and the
    // reason), create_user/update_user "user.create"/"user.update" (detail = role and areas),
    // create_session "session.create", revoke_session(s) "session.revoke", create_api_token
    // "token.create", revoke_api_token "token.revoke".

    /// Appends one entry (reads that must be recorded, e.g. "person.unmask"); sets seq and,
    /// when zero, at.
    virtual Result<void> append_audit(const AuditEntry& entry) = 0;

    /// Entries matching the query, newest first. Errors: InvalidArgument (limit).
    virtual Result<std::vector<AuditEntry>> list_audit(const AuditQuery& query) = 0;

    // --- Keys

    /// Checks that this store's keys fit its data: decrypts a stored NIK and recomputes its
    /// blind index. Passes on a store without persons. Errors: StoreCorrupt (wrong keys).
    virtual Result<void> check_keys() = 0;

    /// Re-encrypts every NIK and KK (current rows and all versions) with `next` and recomputes
    /// every blind index, in one transaction with a "keys.rotate" audit row; returns how many
    /// values were re-encrypted. All or nothing: on any error the data stays under the old
    /// keys. Afterwards this object still holds the old keys: open the store again with `next`.
    /// The caller must make sure no other process or thread uses the store meanwhile (the CLI
    /// holds the data directory's exclusive lock). Errors: StoreCorrupt (a value the old keys
    /// cannot decrypt), InvalidArgument (keys of the wrong size).
    virtual Result<std::int64_t> rotate_keys(const StoreKeys& next, const WriteContext& ctx) = 0;

    /// Runs the backend's own consistency check (SQLite: PRAGMA integrity_check).
    virtual Result<void> check_integrity() = 0;

    /// Adds an account. Errors: AlreadyExists (user name taken).
    virtual Result<void> create_user(const UserRecord& record, const WriteContext& ctx) = 0;

    /// Replaces an account found by its id (name, role, areas, disabled, hash, updated_at).
    /// Errors: NotFound, AlreadyExists (renamed to a taken name).
    virtual Result<void> update_user(const UserRecord& record, const WriteContext& ctx) = 0;

    /// By normalised user name; nullopt when there is none.
    virtual Result<std::optional<UserRecord>> find_user(const std::string& username) = 0;

    /// By id; nullopt when there is none.
    virtual Result<std::optional<UserRecord>> get_user(const std::string& id) = 0;

    /// Every account, by user name.
    virtual Result<std::vector<UserRecord>> list_users() = 0;

    // --- Sessions and API tokens

    /// Errors: AlreadyExists (id or token hash taken).
    virtual Result<void> create_session(const SessionRecord& session, const WriteContext& ctx) = 0;

    /// By token hash, revoked and expired ones included (the caller decides); nullopt if none.
    virtual Result<std::optional<SessionRecord>> find_session(const std::string& token_hash) = 0;

    /// Sets last_seen_at (not audited: it changes on every request). Errors: NotFound.
    virtual Result<void> touch_session(const std::string& id, core::Timestamp at) = 0;

    /// Sets revoked_at = ctx.at unless already revoked. Errors: NotFound.
    virtual Result<void> revoke_session(const std::string& id, const WriteContext& ctx) = 0;

    /// Revokes every unrevoked session of a user (password change, account disabled); returns
    /// how many.
    virtual Result<int> revoke_user_sessions(const std::string& user_id,
                                             const WriteContext& ctx) = 0;

    /// The user's sessions not revoked and not past expires_at (at ctx-free "now" of the
    /// caller: `now`), newest first.
    virtual Result<std::vector<SessionRecord>> list_sessions(const std::string& user_id,
                                                             core::Timestamp now) = 0;

    /// Errors: AlreadyExists (id or token hash taken).
    virtual Result<void> create_api_token(const ApiTokenRecord& token, const WriteContext& ctx) = 0;

    /// By token hash, revoked and expired ones included; nullopt if none.
    virtual Result<std::optional<ApiTokenRecord>> find_api_token(const std::string& token_hash) = 0;

    /// Tokens of one user ("" = of every user), revoked ones included, newest first.
    virtual Result<std::vector<ApiTokenRecord>> list_api_tokens(const std::string& user_id) = 0;

    /// Sets revoked_at = ctx.at unless already revoked. Errors: NotFound.
    virtual Result<void> revoke_api_token(const std::string& id, const WriteContext& ctx) = 0;

    // --- Transfer between stores (kapal migrate-store; never on a request path)

    /// Streams every row of every table to `sink` in canonical form (store_transfer.hpp): every
    /// table in TransferTable order, an empty one too; rows in the table's canonical order;
    /// pages of at most kTransferPageRows rows; all from one snapshot, so concurrent writes are
    /// either wholly in it or not at all. Memory stays bounded by a page. Errors: the sink's,
    /// StoreUnavailable, StoreCorrupt.
    virtual Result<void> dump(TransferSink& sink) = 0;

    /// Starts a load of canonical rows into this store, which must be empty (no row in any
    /// table of TransferTable). The load holds this store's writer and one transaction until it
    /// is committed or destroyed: meanwhile other writes through this object wait, so none may
    /// come from the thread that holds the load. Errors: StoreNotEmpty (the message says what
    /// the store holds), StoreUnavailable.
    virtual Result<std::unique_ptr<StoreLoad>> begin_load() = 0;
};

} // namespace kapal::store
