#pragma once
// The card signing key: Ed25519 (libsodium), named by a key id (kid) that the credential's
// protected header carries, so that verifiers pick the right public key after a rotation.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kapal::card {

/// COSE algorithms this codec signs or verifies with (RFC 9053 identifiers in comments).
enum class CoseAlgorithm {
    None,  ///< no algorithm header
    EdDSA, ///< -8, Ed25519: what Kapal signs with
    ES256, ///< -7, ECDSA P-256 with SHA-256: verified, for other Claim 169 issuers
    Other, ///< any other value: decoded, never verified
};

/// An Ed25519 key pair that signs credentials.
struct CardKey {
    std::string kid;                           ///< 8 lower-case hex digits, see card_key_id
    std::array<std::uint8_t, 32> public_key{}; ///< Ed25519 public key
    std::array<std::uint8_t, 64> secret_key{}; ///< libsodium form: seed || public key
};

/// A public key that verifies credentials.
struct VerificationKey {
    std::string kid; ///< empty: matches credentials without a kid (public test vectors)
    CoseAlgorithm alg = CoseAlgorithm::EdDSA;
    std::vector<std::uint8_t> public_key; ///< 32 bytes (EdDSA) or 65, uncompressed (ES256)
};

/// The kid of an Ed25519 public key: the first 4 bytes of its SHA-256, as 8 hex digits.
std::string card_key_id(std::span<const std::uint8_t, 32> public_key);

/// A fresh random key pair.
CardKey generate_card_key();

/// The key pair of a 32-byte seed (what the key file holds; also fixed test keys).
CardKey card_key_from_seed(std::span<const std::uint8_t, 32> seed);

/// The 32-byte seed of a key pair (the first half of its secret key).
std::array<std::uint8_t, 32> card_key_seed(const CardKey& key);

/// The verification side of a key pair.
VerificationKey verification_key(const CardKey& key);

} // namespace kapal::card
