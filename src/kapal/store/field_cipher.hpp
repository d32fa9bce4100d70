#pragma once
// Encryption at rest of single fields (NIK, KK) and the keyed blind index that lets a backend
// find a record by exact NIK without storing it in clear (DESIGN.md §4). Backend-neutral: the
// SQLite and PostgreSQL stores share it, so their files and tables hold the same bytes.

#include "kapal/core/result.hpp"
#include "kapal/store/store.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::store {

/// Size of a key in StoreKeys (both keys), in bytes.
inline constexpr std::size_t kStoreKeyBytes = 32;

/// Size of a blind index value, in bytes.
inline constexpr std::size_t kBlindIndexBytes = 32;

/// A blind index value: keyed BLAKE2b-256 of domain + '\0' + value.
using BlindIndex = std::array<std::uint8_t, kBlindIndexBytes>;

/// Blind index domain of the NIK.
inline constexpr std::string_view kNikDomain = "nik";

/// Blind index domain of the KK number.
inline constexpr std::string_view kKkDomain = "kk";

/// True when both keys have kStoreKeyBytes bytes.
bool store_keys_valid(const StoreKeys& keys);

/// Two fresh random keys (libsodium randombytes).
StoreKeys generate_store_keys();

/// Size of the random nonce that starts every encrypted field, in bytes.
inline constexpr std::size_t kFieldNonceBytes = 24;

/// Random nonces for FieldCipher::encrypt, drawn from libsodium's random source a block at a time
/// rather than one call (one getrandom system call) per field: a bulk import encrypts two fields
/// per row. Each nonce is handed out once. Not thread-safe, and neither copied nor moved (a copy
/// would repeat nonces): a local variable of the code that encrypts.
class NonceSource {
  public:
    NonceSource() = default;
    NonceSource(const NonceSource&) = delete;
    NonceSource& operator=(const NonceSource&) = delete;
    NonceSource(NonceSource&&) = delete;
    NonceSource& operator=(NonceSource&&) = delete;
    /// Wipes the nonces not handed out.
    ~NonceSource();

    /// A nonce never handed out before.
    std::span<const std::uint8_t, kFieldNonceBytes> next();

  private:
    static constexpr std::size_t kBlock = 32; ///< nonces drawn per call to the random source
    std::array<std::uint8_t, kFieldNonceBytes * kBlock> buf_{};
    std::size_t used_ = kBlock;
};

/// XSalsa20-Poly1305 (crypto_secretbox) of single fields, and the blind index. Thread-safe:
/// every member is const and libsodium's random source is thread-safe.
class FieldCipher {
  public:
    /// Precondition: store_keys_valid(keys).
    explicit FieldCipher(const StoreKeys& keys);
    FieldCipher(const FieldCipher&) = delete;
    FieldCipher& operator=(const FieldCipher&) = delete;
    FieldCipher(FieldCipher&&) = delete;
    FieldCipher& operator=(FieldCipher&&) = delete;
    /// Wipes the keys from memory.
    ~FieldCipher();

    /// nonce (24 random bytes) || ciphertext with its 16-byte tag.
    std::vector<std::uint8_t> encrypt(std::string_view plain) const;

    /// encrypt() with the nonce taken from `nonces`.
    std::vector<std::uint8_t> encrypt(std::string_view plain, NonceSource& nonces) const;

    /// Reverses encrypt. Errors: StoreCorrupt (too short, wrong key, altered bytes).
    Result<std::string> decrypt(std::span<const std::uint8_t> sealed) const;

    /// Keyed BLAKE2b-256 (index key) of domain + '\0' + value; equal inputs give equal outputs.
    BlindIndex blind_index(std::string_view domain, std::string_view value) const;

  private:
    std::vector<std::uint8_t>
    encrypt_with(std::string_view plain,
                 std::span<const std::uint8_t, kFieldNonceBytes> nonce) const;

    std::array<std::uint8_t, kStoreKeyBytes> data_key_{};
    std::array<std::uint8_t, kStoreKeyBytes> index_key_{};
};

} // namespace kapal::store
