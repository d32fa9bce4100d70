#include "kapal/store/field_cipher.hpp"

#include "kapal/core/assert.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace kapal::store {
namespace {

// sodium_init() is thread-safe and idempotent; a static makes it run once per process.
void ensure_sodium() {
    static const int init_result = sodium_init();
    KAPAL_ASSERT(init_result >= 0);
}

} // namespace

bool store_keys_valid(const StoreKeys& keys) {
    return keys.data_key.size() == kStoreKeyBytes && keys.index_key.size() == kStoreKeyBytes;
}

StoreKeys generate_store_keys() {
    ensure_sodium();
    StoreKeys keys;
    keys.data_key.resize(kStoreKeyBytes);
    keys.index_key.resize(kStoreKeyBytes);
    randombytes_buf(keys.data_key.data(), keys.data_key.size());
    randombytes_buf(keys.index_key.data(), keys.index_key.size());
    return keys;
}

FieldCipher::FieldCipher(const StoreKeys& keys) {
    static_assert(kStoreKeyBytes == crypto_secretbox_KEYBYTES);
    static_assert(kBlindIndexBytes >= crypto_generichash_BYTES_MIN &&
                  kBlindIndexBytes <= crypto_generichash_BYTES_MAX);
    KAPAL_ASSERT(store_keys_valid(keys));
    ensure_sodium();
    std::copy(keys.data_key.begin(), keys.data_key.end(), data_key_.begin());
    std::copy(keys.index_key.begin(), keys.index_key.end(), index_key_.begin());
}

FieldCipher::~FieldCipher() {
    sodium_memzero(data_key_.data(), data_key_.size());
    sodium_memzero(index_key_.data(), index_key_.size());
}

NonceSource::~NonceSource() {
    sodium_memzero(buf_.data(), buf_.size());
}

std::span<const std::uint8_t, kFieldNonceBytes> NonceSource::next() {
    if (used_ == kBlock) {
        ensure_sodium();
        randombytes_buf(buf_.data(), buf_.size());
        used_ = 0;
    }
    const std::span<const std::uint8_t, kFieldNonceBytes> nonce(
        buf_.data() + used_ * kFieldNonceBytes, kFieldNonceBytes);
    ++used_;
    return nonce;
}

std::vector<std::uint8_t> FieldCipher::encrypt(std::string_view plain) const {
    std::array<std::uint8_t, kFieldNonceBytes> nonce{};
    randombytes_buf(nonce.data(), nonce.size());
    return encrypt_with(plain, nonce);
}

std::vector<std::uint8_t> FieldCipher::encrypt(std::string_view plain, NonceSource& nonces) const {
    return encrypt_with(plain, nonces.next());
}

std::vector<std::uint8_t>
FieldCipher::encrypt_with(std::string_view plain,
                          std::span<const std::uint8_t, kFieldNonceBytes> nonce) const {
    static_assert(kFieldNonceBytes == crypto_secretbox_NONCEBYTES);
    std::vector<std::uint8_t> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                  plain.size());
    std::copy(nonce.begin(), nonce.end(), out.begin());
    crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES,
                          reinterpret_cast<const unsigned char*>(plain.data()),
                          plain.size(),
                          out.data(),
                          data_key_.data());
    return out;
}

Result<std::string> FieldCipher::decrypt(std::span<const std::uint8_t> sealed) const {
    constexpr std::size_t kOverhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
    if (sealed.size() < kOverhead) {
        return fail(ErrorCode::StoreCorrupt, "encrypted field is shorter than nonce and tag");
    }
    std::string plain(sealed.size() - kOverhead, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                   sealed.data() + crypto_secretbox_NONCEBYTES,
                                   sealed.size() - crypto_secretbox_NONCEBYTES,
                                   sealed.data(),
                                   data_key_.data()) != 0) {
        return fail(ErrorCode::StoreCorrupt,
                    "encrypted field does not verify (wrong data key or altered bytes)");
    }
    return plain;
}

BlindIndex FieldCipher::blind_index(std::string_view domain, std::string_view value) const {
    crypto_generichash_state state;
    crypto_generichash_init(&state, index_key_.data(), index_key_.size(), kBlindIndexBytes);
    crypto_generichash_update(
        &state, reinterpret_cast<const unsigned char*>(domain.data()), domain.size());
    const unsigned char zero = 0;
    crypto_generichash_update(&state, &zero, 1);
    crypto_generichash_update(
        &state, reinterpret_cast<const unsigned char*>(value.data()), value.size());
    BlindIndex out{};
    crypto_generichash_final(&state, out.data(), out.size());
    return out;
}

} // namespace kapal::store
