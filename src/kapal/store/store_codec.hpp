#pragma once
// Small encodings both store backends share, so that what they store and hand out is the same
// bytes on either: the category bit mask, list cursors, LIKE patterns and area-code lists.

#include "kapal/core/ids.hpp"
#include "kapal/core/person.hpp"
#include "kapal/core/result.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/store.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::store {

/// One bit per category (bit = the enum's value), for filtering in SQL.
std::int64_t category_mask(const std::vector<core::Category>& categories);

/// One bit per assistive-device code (bit = its index in core::kAssistiveDevices), for "all
/// wheelchair users" filters; codes outside the catalogue are ignored.
std::int64_t device_mask(const std::vector<std::string>& devices);

/// The opaque cursor naming the last person of a page (base64url of "p1:" + public id): a cursor
/// means the same on every backend.
std::string encode_cursor(const core::PersonId& last);

/// The public id in a cursor; nullopt for anything encode_cursor cannot have made.
std::optional<std::string> decode_cursor(std::string_view cursor);

/// A LIKE pattern matching `text` anywhere, its metacharacters escaped with backslash.
std::string like_pattern(std::string_view text);

/// Area codes as one text separated by spaces (codes never contain one), and back.
std::string join_codes(const std::vector<std::string>& codes);
std::vector<std::string> split_codes(std::string_view text);

/// The plain columns of a person row that the change feed hands out, as the backend read them.
struct SummaryColumns {
    std::string_view id;
    std::int64_t version = 0;
    std::string_view kelurahan_code;
    std::int64_t categories = 0; ///< category_mask
    std::int64_t devices = 0;    ///< device_mask
    std::string_view severity;   ///< "" when NULL
    std::string_view status;
    std::optional<double> lon;
    std::optional<double> lat;
    std::string_view full_name;
    std::string_view birth_date; ///< "YYYY-MM-DD"; "" when NULL
    std::string_view sex;
};

/// What a store must do to make its areas table hold `wanted` (Store::sync_areas).
struct AreaDiff {
    std::vector<AreaRecord> upserts;  ///< new codes and changed rows
    std::vector<std::string> deletes; ///< codes no longer wanted
    int inserted = 0;
    int replaced = 0;

    int changes() const { return static_cast<int>(upserts.size() + deletes.size()); }
};

/// Compares the stored areas with the wanted ones and checks the wanted: a non-empty unique
/// code, a known level, a geometry that is a JSON object of type "MultiPolygon" with a
/// non-empty coordinates array. Errors: InvalidArgument naming the code (or the index when the
/// code is empty).
Result<AreaDiff> diff_areas(const std::vector<AreaRecord>& stored,
                            const std::vector<AreaRecord>& wanted);

/// Checks a zone before it is written (Store::add_hazard_zones). Errors: InvalidArgument naming
/// the zone by id (or its index when the id is empty).
Result<void> check_hazard_zone(const HazardZoneRecord& zone, std::size_t index);

/// Checks a facility before it is written (Store::add_facilities), likewise.
Result<void> check_facility(const FacilityRecord& facility, std::size_t index);

/// True for a code of kCardRevokeReasons.
bool is_card_revoke_reason(std::string_view reason);

/// Checks a card request before its transaction (Store::issue_card): a 4-digit regency, a
/// `make` function, a known replace reason. Errors: InvalidArgument, CardReasonInvalid.
Result<void> check_card_issue(const CardIssue& issue);

/// Checks what `make` returned for `serial`: a 12-digit number under the regency, a kid and a
/// credential. Errors: Internal (a caller's bug).
Result<void> check_card_content(const CardIssue& issue, const CardContent& content);

/// The audit detail of mark_cards: "stage=printed count=N numbers=a,b,..." (at most 50).
std::string card_mark_detail(CardStage stage, const std::vector<std::string>& numbers);

/// Checks a catalogue entry: a code of a-z, 0-9 and _ (1..40), a name (1..200).
/// Errors: InvalidArgument naming the code.
Result<void> check_service(const ServiceRecord& service);

/// True when a request may move from `from` to `to`: diajukan -> diproses, selesai, ditolak,
/// dibatalkan; diproses -> selesai, ditolak, dibatalkan; nothing leaves selesai, ditolak or
/// dibatalkan.
bool service_transition_allowed(std::string_view from, std::string_view to);

/// Whether a request sent again under the idempotency key of `first` asks the same: the same
/// person, service, note and card. Errors: IdempotencyKeyReused.
Result<void> same_service_request(const ServiceRequestRecord& first,
                                  const ServiceRequestRecord& again);

/// Checks a programme: a code of a-z, 0-9 and _ (1..40), a name (1..200), a source, kind and
/// channel from their lists, a unit value >= 0, codes in `excludes` (not its own), a rule of at
/// most 4000 bytes. Errors: InvalidArgument naming the field.
Result<void> check_aid_program(const AidProgramRecord& program);

/// Checks a cycle: a programme code, a number >= 1, a name (1..200), ends_on not before
/// starts_on, quotas >= 0 on distinct areas, a site with both coordinates in range or neither.
/// Errors: InvalidArgument naming the field.
Result<void> check_aid_cycle(const AidCycleRecord& cycle);

/// Checks a merchant: a name (1..200), a user id, a kelurahan code, lon in -180..180 and lat in
/// -90..90 (both finite), an address of at most 500 bytes. Errors: InvalidArgument naming the
/// field.
Result<void> check_merchant(const MerchantRecord& merchant);

/// Age bounds of PersonStatsQuery: at most 8, each 1..150, strictly ascending. Errors:
/// InvalidArgument.
Result<void> check_age_bounds(const std::vector<int>& bounds);

/// A pair to propose: two different persons, the lower id first, a known source. Errors:
/// InvalidArgument.
Result<void> check_pair(const DuplicatePairRecord& pair);

/// A sync op's state is one of kSyncStates. Errors: InvalidArgument.
Result<void> check_sync_state(std::string_view state);

/// The audit detail of a sync conflict: "op=<id> key=<key> fields=<JSON array>".
std::string sync_detail(const SyncOpRecord& op);

/// A pair that a reviewer may decide: open and at `expected_version`. Errors: VersionConflict,
/// DuplicatePairDecided.
Result<void> check_open_pair(const DuplicatePairRecord& pair, std::int64_t expected_version);

/// The id of the pair's other person when `absorbed` is one of them. Errors: InvalidArgument
/// (field absorbed_id).
Result<std::string> kept_of(const DuplicatePairRecord& pair, const core::PersonId& absorbed);

/// Quotas as a column: "64.74.01=120 64.74.02=80", and back (bad pieces are skipped).
std::string encode_quotas(const std::vector<AidQuota>& quotas);
std::vector<AidQuota> decode_quotas(std::string_view text);

/// The hash that freezes an approved list: hex BLAKE2b-256 of the text
/// "kapal-aid-list-v1\n<cycle id>\n<programme>\n<number>\n<rule>\n" (the canonical rule the list
/// was generated with) followed by one line
/// "<person id>\t<kelurahan>\t<source>\n" per entry not removed, by person id
/// (docs/api.md, "Daftar penerima"). Anyone holding the list can recompute it.
std::string aid_list_hash(const AidCycleRecord& cycle, std::vector<AidListEntry> entries);

/// True when `state` may follow `from` for a list: draft -> proposed, proposed -> approved or
/// draft.
bool aid_list_transition_allowed(std::string_view from, std::string_view to);

/// The audit detail of a batch: "count=N sources=a.gpkg,b.csv" (distinct sources, in order).
template <typename Record> std::string import_detail(const std::vector<Record>& records) {
    std::string sources;
    std::vector<std::string_view> seen;
    for (const auto& r : records) {
        if (std::find(seen.begin(), seen.end(), r.source) == seen.end()) {
            seen.push_back(r.source);
            sources += (sources.empty() ? "" : ",") + r.source;
        }
    }
    return "count=" + std::to_string(records.size()) + " sources=" + sources;
}

/// The audit detail of a sync: "inserted=N replaced=N deleted=N".
std::string area_sync_detail(const AreaDiff& diff);

/// Lower-case hex SHA-256 of `bytes`.
std::string sha256_hex(std::span<const std::uint8_t> bytes);

/// Checks a person's file before it is written (Store::update_person_with_file): ids and kind
/// set, kind in kPersonFileKinds, a media type, size_bytes the size of the bytes, sha256 theirs.
/// Errors: InvalidArgument naming what is wrong.
Result<void> check_person_file(const PersonFileRecord& file);

/// A file's bytes as stored: sealed with the store's field key (nonce || secretbox).
std::vector<std::uint8_t> seal_file_bytes(const FieldCipher& cipher,
                                          std::span<const std::uint8_t> bytes);

/// Reverses seal_file_bytes and checks the result against the stored SHA-256. Errors:
/// StoreCorrupt (wrong key, altered bytes, a digest that does not match).
Result<std::vector<std::uint8_t>> open_file_bytes(const FieldCipher& cipher,
                                                  std::span<const std::uint8_t> sealed,
                                                  std::string_view sha256);

/// An import row's person with what no import file carries — the photo and the documents —
/// taken from the stored document `stored_doc` of the same person, so that importing a file
/// again neither reports a change there nor (with --update) drops the photo. The stored
/// document is decoded only when it holds either. Errors: StoreCorrupt (an unreadable
/// document).
Result<core::Person> keep_stored_files(const core::Person& incoming, std::string_view stored_doc);

/// The audit detail of a file written: "kind=foto id=<id> bytes=N sha256=<hex>".
std::string person_file_detail(const PersonFileRecord& file);

/// The summary of those columns. Errors: StoreCorrupt (a value no writer stores).
Result<PersonSummary> summary_of(const SummaryColumns& row);

/// The columns of a person_states row as the backend read them (text as stored; empty
/// birth_date or severity for NULL).
struct StateColumns {
    std::int64_t person = 0;
    std::int64_t version = 0;
    std::int64_t at_ms = 0;
    std::string_view kelurahan_code;
    std::string_view status;
    std::string_view sex;
    std::string_view birth_date;
    std::string_view severity;
    std::int64_t categories = 0;
};

/// A registry state from its columns. Errors: StoreCorrupt (a code or date it cannot read).
Result<RegistryState> registry_state_of(const StateColumns& row);

} // namespace kapal::store
