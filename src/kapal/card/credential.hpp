#pragma once
// The card credential (DESIGN.md §5, docs/card-format.md): a CBOR Web Token whose claim 169
// holds identity data per MOSIP's Claim 169 QR specification 1.2, plus Kapal's private-use
// claim, signed as a COSE_Sign1, compressed with zlib and Base45-encoded for a QR code in
// alphanumeric mode. Decoding also reads credentials of other Claim 169 issuers: ES256
// signatures and COSE_Encrypt0 (AES-GCM) around the COSE_Sign1.

#include "kapal/card/card_key.hpp"
#include "kapal/core/clock.hpp"
#include "kapal/core/person.hpp"
#include "kapal/core/result.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::card {

/// The private-use CWT claim key of Kapal's own data (below -65536: RFC 8392 §9.1).
inline constexpr std::int64_t kKapalClaimKey = -65537;

/// Claim 169's identity-data claim key.
inline constexpr std::int64_t kClaim169Key = 169;

/// Decompressed credentials above this size are refused (a zlib bomb would otherwise grow a
/// 3 KB QR into gigabytes).
inline constexpr std::size_t kMaxCredentialBytes = 256 * 1024;

/// One biometric entry of Claim 169 (keys 50..65): data, format, sub-format, issuer.
struct Biometric {
    std::vector<std::uint8_t> data;         ///< 0
    std::optional<std::int64_t> format;     ///< 1: 0 image, 1 template, 2 sound, 3 bio hash
    std::optional<std::int64_t> sub_format; ///< 2: for images 0 PNG, 1 JPEG, ... 4 WEBP
    std::string issuer;                     ///< 3

    bool operator==(const Biometric&) const = default;
};

/// Claim 169 identity data; an empty string or nullopt means the key is absent. Numbers in
/// comments are the specification's CBOR keys.
struct IdentityData {
    std::string id;                                 ///< 1: for Kapal, the card number
    std::string version;                            ///< 2
    std::string language;                           ///< 3: ISO 639-3
    std::string full_name;                          ///< 4
    std::string first_name;                         ///< 5
    std::string middle_name;                        ///< 6
    std::string last_name;                          ///< 7
    std::string date_of_birth;                      ///< 8: YYYYMMDD
    std::optional<std::int64_t> gender;             ///< 9: 1 male, 2 female, 3 others
    std::string address;                            ///< 10: lines separated by "\n"
    std::string email;                              ///< 11
    std::string phone;                              ///< 12
    std::string nationality;                        ///< 13
    std::optional<std::int64_t> marital_status;     ///< 14
    std::string guardian;                           ///< 15
    std::vector<std::uint8_t> photo;                ///< 16: binary image
    std::optional<std::int64_t> photo_format;       ///< 17: 1 JPEG, 2 JPEG2000, 3 AVIF, 4 WEBP
    std::vector<std::int64_t> best_quality_fingers; ///< 18
    std::string secondary_full_name;                ///< 19
    std::string secondary_language;                 ///< 20
    std::string location_code;                      ///< 21
    std::string legal_status;                       ///< 22
    std::string country_of_issuance;                ///< 23
    std::vector<Biometric> face;                    ///< 62
    /// Keys present but not interpreted here (other biometrics, future attributes), sorted:
    /// they are accepted for forward compatibility and stay covered by the signature.
    std::vector<std::int64_t> other_keys;

    bool operator==(const IdentityData&) const = default;
};

/// What only Kapal cards carry (claim kKapalClaimKey).
struct KapalClaim {
    std::vector<core::Category> categories; ///< sorted, unique
    std::string kelurahan_code;             ///< Kemendagri dotted code
    /// Needs as bits: bit i = core::kAssistiveDevices[i], bit 16 + j = core::kTherapies[j].
    std::uint32_t needs = 0;

    bool operator==(const KapalClaim&) const = default;
};

/// The standard CWT claims (RFC 8392); times in seconds since the Unix epoch.
struct CwtClaims {
    std::string issuer;                     ///< 1 (iss)
    std::string subject;                    ///< 2 (sub)
    std::optional<std::int64_t> expires_at; ///< 4 (exp)
    std::optional<std::int64_t> not_before; ///< 5 (nbf)
    std::optional<std::int64_t> issued_at;  ///< 6 (iat)

    bool operator==(const CwtClaims&) const = default;
};

/// Everything a credential says.
struct Credential {
    CwtClaims cwt;
    IdentityData identity;
    std::optional<KapalClaim> kapal;

    bool operator==(const Credential&) const = default;
};

/// Every stage of an encoded credential (the worked example in docs/card-format.md shows each).
struct EncodedCredential {
    std::vector<std::uint8_t> protected_header; ///< {1: -8, 4: kid}
    std::vector<std::uint8_t> payload;          ///< the CWT claims map
    std::vector<std::uint8_t> signature;        ///< Ed25519 over the Sig_structure
    std::vector<std::uint8_t> cose;             ///< tag 18 COSE_Sign1
    std::vector<std::uint8_t> compressed;       ///< zlib (level 9)
    std::string qr_text;                        ///< Base45: what the QR code holds
};

/// Signs and encodes a credential with an Ed25519 key. Deterministic: the same credential and
/// key always give the same bytes.
EncodedCredential encode_credential(const Credential& credential, const CardKey& key);

/// The QR text of COSE bytes (zlib, then Base45): the last two stages of encoding.
std::string qr_text_of_cose(std::span<const std::uint8_t> cose);

/// The COSE bytes of QR text (Base45, then zlib). CredentialMalformed with field "base45" or
/// "zlib" naming the stage that failed.
Result<std::vector<std::uint8_t>> cose_of_qr_text(std::string_view qr_text);

/// What the decoder learned besides the credential.
struct DecodedCredential {
    Credential credential;
    CoseAlgorithm alg = CoseAlgorithm::None;
    std::int64_t alg_id = 0; ///< the COSE value, 0 when absent
    std::string kid;         ///< the key id's bytes as text; empty when absent
    bool encrypted = false;  ///< it came inside a COSE_Encrypt0
    std::vector<std::uint8_t> protected_header;
    std::vector<std::uint8_t> payload;
    std::vector<std::uint8_t> signature; ///< empty: unsigned
};

/// Keys for decoding encrypted credentials.
struct DecodeOptions {
    /// AES key (16, 24 or 32 bytes, matching the header's A128GCM/A192GCM/A256GCM) for a
    /// COSE_Encrypt0; without it an encrypted credential is refused.
    std::vector<std::uint8_t> decryption_key;
};

/// Decodes QR text to its credential without checking the signature or the dates. Refuses
/// with CredentialMalformed whose one field issue names the stage (base45, zlib, cbor, cose,
/// cose_encrypt0, cwt, claim169, kapal_claim) and says what is wrong there.
Result<DecodedCredential> decode_credential(std::string_view qr_text,
                                            const DecodeOptions& options = {});

/// The outcome of verifying a credential, most serious first after Malformed.
enum class VerifyStatus {
    Valid,            ///< signature verifies with a known key, inside its validity period
    Malformed,        ///< not a credential (see where/what)
    Unsigned,         ///< no signature: decodes, never verifies
    UnknownKey,       ///< no known key for its kid (or its algorithm)
    InvalidSignature, ///< a known key, but the signature does not verify
    Expired,          ///< signature good, exp <= now
    NotYetValid,      ///< signature good, nbf > now
    Revoked,          ///< signature good, but the issuer revoked the card (registry or list)
};

/// "valid", "malformed", "unsigned", "unknown_key", "invalid_signature", "expired",
/// "not_yet_valid", "revoked".
std::string_view to_string(VerifyStatus status);

/// A verification's result: the status, where and what for Malformed (and a reason for the
/// others), and the decoded credential whenever it could be decoded.
struct VerifyResult {
    VerifyStatus status = VerifyStatus::Malformed;
    std::string where;
    std::string what;
    std::optional<DecodedCredential> decoded;
};

/// Decodes and verifies QR text: the signature with the key of its kid (or, without a kid,
/// any key of its algorithm), then the dates against `clock`.
VerifyResult verify_credential(std::string_view qr_text,
                               std::span<const VerificationKey> keys,
                               const core::Clock& clock,
                               const DecodeOptions& options = {});

/// Valid, Expired (exp <= now) or NotYetValid (nbf > now) by the CWT dates alone.
VerifyStatus check_validity_period(const CwtClaims& cwt, core::Timestamp now);

/// The needs bits of a person's assistive devices and therapies (see KapalClaim::needs).
std::uint32_t needs_flags(const core::Person& person);

/// The need codes of needs bits, devices first.
std::vector<std::string> need_codes(std::uint32_t needs);

/// The facts of a card that are not in the person's record.
struct CardFacts {
    std::string card_number; ///< 12 digits
    std::string issuer;      ///< e.g. "https://kapal.bontangkota.go.id"
    std::int64_t issued_at = 0;
    std::int64_t expires_at = 0;
};

/// The credential of a person's card: card number, name, birth date, sex, address lines (no
/// NIK), and Kapal's claim with categories, kelurahan and needs. The photo is left out.
Credential person_credential(const core::Person& person, const CardFacts& facts);

/// The private-use claim of the revocation list: its array of revoked cards.
inline constexpr std::int64_t kRevocationsClaimKey = -65538;

/// One revoked card as the revocation list carries it.
struct RevokedCard {
    std::string number;          ///< 12 digits
    std::int64_t revoked_at = 0; ///< seconds since the Unix epoch
    std::string reason;          ///< store::kCardRevokeReasons

    bool operator==(const RevokedCard&) const = default;
};

/// The signed list of revoked cards that offline verifiers download
/// (/.well-known/kapal-revocations; docs/card-format.md).
struct RevocationList {
    std::string issuer;
    std::int64_t issued_at = 0; ///< seconds since the Unix epoch
    std::vector<RevokedCard> cards;
};

/// A COSE_Sign1 (tag 18, EdDSA, the key's kid) whose payload is the CBOR map {1: issuer,
/// 6: issued_at, -65538: [[number, revoked_at, reason], ...]} with the cards sorted by number.
/// Deterministic.
std::vector<std::uint8_t> sign_revocation_list(const RevocationList& list, const CardKey& key);

/// Reads a signed revocation list and checks its signature with `keys`. CredentialMalformed
/// naming where and what (an unknown key or a bad signature too: a list is trusted whole or not
/// at all).
Result<RevocationList> verify_revocation_list(std::span<const std::uint8_t> cose,
                                              std::span<const VerificationKey> keys);

} // namespace kapal::card
