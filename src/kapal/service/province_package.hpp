#pragma once
// The province package (issue 10, docs/province.md): what a city instance sends the province
// for a period — the registry's flows per kelurahan with small cells suppressed, no names, no
// NIK — plus, for matching only, the blind indexes of the NIK of the persons registered at the
// period's end under the province-wide matching key, each with an opaque reference that only
// the city can map back to its person. And the return the province sends each city: the
// references of its persons also registered in another kab/kota.
//
// Both files are signed envelopes: the exact payload bytes (JSON, base64 in the envelope) and
// a detached Ed25519 signature over the format, the signer and those bytes. Pure: no files, no
// store; the data directory side is app/province_instance.

#include "kapal/card/card_key.hpp"
#include "kapal/core/result.hpp"
#include "kapal/core/time.hpp"
#include "kapal/service/registry_flows.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::service {

/// Envelope format of a package (city → province).
inline constexpr std::string_view kPackageFormat = "kapal-province-package/1";
/// Envelope format of a return (province → city).
inline constexpr std::string_view kReturnFormat = "kapal-province-return/1";

/// Cells with a count from 1 to kSuppressionThreshold − 1 are suppressed.
inline constexpr int kSuppressionThreshold = 5;

/// Size of the province matching key and of a city's reference key, in bytes.
inline constexpr std::size_t kProvinceKeyBytes = 32;

/// The figures of a flow row, in the order they are published.
inline constexpr std::size_t kFigureCount = 8;
inline constexpr std::array<std::string_view, kFigureCount> kFigureNames = {
    "start", "new", "moved_in", "reactivated", "moved_out", "deceased", "deactivated", "end"};

/// The breakdown dimensions, in the order they are published.
inline constexpr std::array<std::string_view, 4> kBreakdownNames = {
    "categories", "sexes", "age_groups", "severities"};

/// One published figure: the count, or suppressed (then `value` is 0 and means nothing).
struct PublishedFigure {
    std::int64_t value = 0;
    bool suppressed = false;

    bool operator==(const PublishedFigure&) const = default;
};

using PublishedCounts = std::array<PublishedFigure, kFigureCount>;

/// One cell of a breakdown ("fisik", "L", "dewasa", …).
struct PublishedCell {
    std::string key;
    PublishedCounts counts{};

    bool operator==(const PublishedCell&) const = default;
};

/// One kelurahan (or the kab/kota total: empty code).
struct PublishedArea {
    std::string code;
    std::string name;
    PublishedCounts counts{};
    std::array<std::vector<PublishedCell>, kBreakdownNames.size()> breakdown; ///< kBreakdownNames

    bool operator==(const PublishedArea&) const = default;
};

/// The flows of one period as published: every kelurahan and the total, with the suppression
/// rule of docs/province.md applied (primary: 1..threshold−1; secondary: no additive group —
/// a row's start + in − out = end, a column's kelurahan and total, a breakdown's cells and
/// their area, one breakdown key across the kelurahan and the total — keeps exactly one
/// suppressed figure).
struct PublishedFlows {
    std::vector<PublishedArea> areas;
    PublishedArea total;

    bool operator==(const PublishedFlows&) const = default;
};

/// Applies the suppression rule to `flows` (kelurahan level, with the breakdown).
PublishedFlows publish_flows(const PeriodFlows& flows, int threshold = kSuppressionThreshold);

/// The groups the suppression rule checks, as the figures they hold (pointers into `flows`);
/// exposed for tests, which check that none holds exactly one suppressed figure.
std::vector<std::vector<PublishedFigure*>> suppression_groups(PublishedFlows& flows);

/// One person registered at the period's end, for matching.
struct MatchEntry {
    std::string index; ///< nik_blind_index under the province matching key, 64 hex
    std::string ref;   ///< person_reference: opaque, only the city maps it back

    bool operator==(const MatchEntry&) const = default;
};

/// The payload of a package.
struct ProvincePackage {
    std::string package_id; ///< 32 hex, random
    std::string kota;       ///< "64.74"
    std::string kota_name;
    std::string period; ///< Period::label, "2026-Q3"
    core::Date period_from{};
    core::Date period_to{};    ///< the first day after the period
    std::int64_t sequence = 0; ///< strictly increasing per kab/kota
    core::Timestamp created_at{};
    int threshold = kSuppressionThreshold;
    PublishedFlows flows;
    std::string matching_key_id; ///< matching_key_id of the key the indexes were made with
    std::vector<MatchEntry> matches;

    bool operator==(const ProvincePackage&) const = default;
};

/// One person of a city also registered in other kab/kota.
struct ReturnEntry {
    std::string ref;                     ///< the city's reference, from its package
    std::vector<std::string> other_kota; ///< codes, sorted

    bool operator==(const ReturnEntry&) const = default;
};

/// The payload of a return (province → one city).
struct ProvinceReturn {
    std::string return_id;  ///< 32 hex, random
    std::string province;   ///< "64"
    std::string kota;       ///< the city it is for
    std::string package_id; ///< the city's package whose references it lists
    core::Timestamp created_at{};
    std::vector<ReturnEntry> entries;

    bool operator==(const ProvinceReturn&) const = default;
};

/// A signed file: the format, who signed it (a kab/kota code or the province code), the payload
/// bytes and the Ed25519 signature over signed_message(format, signer, payload).
struct SignedEnvelope {
    std::string format;
    std::string signer;
    std::string payload;
    std::array<std::uint8_t, 64> signature{};
};

/// HMAC-SHA256(matching key, "kapal-province-nik/1" 0x00 NIK) as 64 hex.
std::string nik_blind_index(std::span<const std::uint8_t, kProvinceKeyBytes> matching_key,
                            std::string_view nik);

/// The first 4 bytes of SHA-256 of a key, as 8 hex: names a key without revealing it.
std::string province_key_id(std::span<const std::uint8_t, kProvinceKeyBytes> key);

/// HMAC-SHA256(reference key, package id 0x00 person id), first 16 bytes as 32 hex: a
/// reference that differs in every package and that only the holder of the key can map back.
std::string person_reference(std::span<const std::uint8_t, kProvinceKeyBytes> reference_key,
                             std::string_view package_id,
                             std::string_view person_id);

/// 16 random bytes as 32 hex.
std::string random_hex_id();

/// The payload bytes of a package (JSON, deterministic: sorted keys, suppressed figures null).
std::string encode_package(const ProvincePackage& package);

/// Reads a payload. ProvincePackageInvalid naming what is wrong.
Result<ProvincePackage> decode_package(std::string_view payload);

std::string encode_return(const ProvinceReturn& r);

/// ProvincePackageInvalid naming what is wrong.
Result<ProvinceReturn> decode_return(std::string_view payload);

/// The file text of a signed envelope (JSON with the payload and signature in base64).
std::string sign_envelope(std::string_view format,
                          std::string_view signer,
                          std::string_view payload,
                          const card::CardKey& key);

/// Reads an envelope of `format` without verifying it (the signer names the key to verify
/// with). ProvincePackageInvalid for anything that is not such an envelope.
Result<SignedEnvelope> parse_envelope(std::string_view text, std::string_view format);

/// Verifies the signature. ProvinceSignatureInvalid when it does not verify with `public_key`.
Result<void> verify_envelope(const SignedEnvelope& envelope,
                             std::span<const std::uint8_t, 32> public_key);

/// Lower-case hex to bytes; nullopt unless exactly `size` bytes of hex.
std::optional<std::vector<std::uint8_t>> bytes_from_hex(std::string_view hex, std::size_t size);

} // namespace kapal::service
