#include "kapal/card/card_key.hpp"

#include "kapal/core/assert.hpp"

#include <sodium.h>

#include <algorithm>

namespace kapal::card {
namespace {

void init_sodium() {
    KAPAL_ASSERT(sodium_init() >= 0);
}

} // namespace

std::string card_key_id(std::span<const std::uint8_t, 32> public_key) {
    init_sodium();
    std::array<std::uint8_t, crypto_hash_sha256_BYTES> hash{};
    crypto_hash_sha256(hash.data(), public_key.data(), public_key.size());
    constexpr char kHex[] = "0123456789abcdef";
    std::string kid;
    for (std::size_t i = 0; i < 4; ++i) {
        kid += kHex[hash[i] >> 4];
        kid += kHex[hash[i] & 0xF];
    }
    return kid;
}

CardKey generate_card_key() {
    init_sodium();
    std::array<std::uint8_t, 32> seed{};
    randombytes_buf(seed.data(), seed.size());
    auto key = card_key_from_seed(seed);
    sodium_memzero(seed.data(), seed.size());
    return key;
}

CardKey card_key_from_seed(std::span<const std::uint8_t, 32> seed) {
    init_sodium();
    CardKey key;
    crypto_sign_seed_keypair(key.public_key.data(), key.secret_key.data(), seed.data());
    key.kid = card_key_id(key.public_key);
    return key;
}

std::array<std::uint8_t, 32> card_key_seed(const CardKey& key) {
    std::array<std::uint8_t, 32> seed{};
    std::copy_n(key.secret_key.begin(), seed.size(), seed.begin());
    return seed;
}

VerificationKey verification_key(const CardKey& key) {
    return VerificationKey{
        key.kid, CoseAlgorithm::EdDSA, {key.public_key.begin(), key.public_key.end()}};
}

} // namespace kapal::card
