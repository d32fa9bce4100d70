#include "kapal/store/field_cipher.hpp"

#include <gtest/gtest.h>

#include <set>

namespace kapal::store {
namespace {

StoreKeys fixed_keys(std::uint8_t data_fill, std::uint8_t index_fill) {
    StoreKeys keys;
    keys.data_key.assign(kStoreKeyBytes, data_fill);
    keys.index_key.assign(kStoreKeyBytes, index_fill);
    return keys;
}

TEST(FieldCipher, DecryptReversesEncrypt) {
    const FieldCipher cipher(fixed_keys(1, 2));
    const auto sealed = cipher.encrypt("6474015203900001");
    auto plain = cipher.decrypt(sealed);
    ASSERT_TRUE(plain.has_value()) << plain.error().message;
    EXPECT_EQ(*plain, "6474015203900001");
}

TEST(FieldCipher, EncryptsEmptyText) {
    const FieldCipher cipher(fixed_keys(1, 2));
    auto plain = cipher.decrypt(cipher.encrypt(""));
    ASSERT_TRUE(plain.has_value());
    EXPECT_EQ(*plain, "");
}

TEST(FieldCipher, UsesAFreshNonceEveryTime) {
    const FieldCipher cipher(fixed_keys(1, 2));
    const auto a = cipher.encrypt("6474015203900001");
    const auto b = cipher.encrypt("6474015203900001");
    EXPECT_EQ(a.size(), b.size());
    EXPECT_NE(a, b);
}

TEST(FieldCipher, NonceSourceNeverRepeatsANonceAcrossBlocks) {
    NonceSource nonces;
    std::set<std::vector<std::uint8_t>> seen;
    for (int i = 0; i < 100; ++i) { // more than one block of nonces
        const auto n = nonces.next();
        EXPECT_TRUE(seen.emplace(n.begin(), n.end()).second) << "nonce " << i << " repeated";
    }
}

TEST(FieldCipher, EncryptWithNonceSourceDecryptsAndStartsWithItsNonce) {
    const FieldCipher cipher(fixed_keys(1, 2));
    NonceSource nonces;
    const auto a = cipher.encrypt("6474015203900001", nonces);
    const auto b = cipher.encrypt("6474015203900001", nonces);
    EXPECT_NE(std::vector<std::uint8_t>(a.begin(), a.begin() + kFieldNonceBytes),
              std::vector<std::uint8_t>(b.begin(), b.begin() + kFieldNonceBytes));
    auto plain = cipher.decrypt(b);
    ASSERT_TRUE(plain.has_value()) << plain.error().message;
    EXPECT_EQ(*plain, "6474015203900001");
    EXPECT_EQ(a.size(), cipher.encrypt("6474015203900001").size());
}

TEST(FieldCipher, CiphertextDoesNotContainThePlainText) {
    const FieldCipher cipher(fixed_keys(1, 2));
    const std::string nik = "6474015203900001";
    const auto sealed = cipher.encrypt(nik);
    const std::string bytes(sealed.begin(), sealed.end());
    EXPECT_EQ(bytes.find(nik), std::string::npos);
}

TEST(FieldCipher, RefusesAlteredBytes) {
    const FieldCipher cipher(fixed_keys(1, 2));
    auto sealed = cipher.encrypt("6474015203900001");
    sealed.back() ^= 0x01;
    auto plain = cipher.decrypt(sealed);
    ASSERT_FALSE(plain.has_value());
    EXPECT_EQ(plain.error().code, ErrorCode::StoreCorrupt);
}

TEST(FieldCipher, RefusesTruncatedBytes) {
    const FieldCipher cipher(fixed_keys(1, 2));
    const std::vector<std::uint8_t> short_bytes(10, 0);
    auto plain = cipher.decrypt(short_bytes);
    ASSERT_FALSE(plain.has_value());
    EXPECT_EQ(plain.error().code, ErrorCode::StoreCorrupt);
}

TEST(FieldCipher, RefusesAnotherDataKey) {
    const FieldCipher writer(fixed_keys(1, 2));
    const FieldCipher reader(fixed_keys(3, 2));
    auto plain = reader.decrypt(writer.encrypt("6474015203900001"));
    ASSERT_FALSE(plain.has_value());
    EXPECT_EQ(plain.error().code, ErrorCode::StoreCorrupt);
}

TEST(FieldCipher, BlindIndexIsDeterministicAndKeyed) {
    const FieldCipher a(fixed_keys(1, 2));
    const FieldCipher same_index_key(fixed_keys(9, 2));
    const FieldCipher other_index_key(fixed_keys(1, 3));
    const auto ia = a.blind_index(kNikDomain, "6474015203900001");
    EXPECT_EQ(ia, a.blind_index(kNikDomain, "6474015203900001"));
    EXPECT_EQ(ia, same_index_key.blind_index(kNikDomain, "6474015203900001"));
    EXPECT_NE(ia, other_index_key.blind_index(kNikDomain, "6474015203900001"));
    EXPECT_NE(ia, a.blind_index(kNikDomain, "6474015203900002"));
}

TEST(FieldCipher, BlindIndexSeparatesDomains) {
    const FieldCipher cipher(fixed_keys(1, 2));
    EXPECT_NE(cipher.blind_index(kNikDomain, "6474015203900001"),
              cipher.blind_index(kKkDomain, "6474015203900001"));
    // The '\0' separator keeps ("ni", "k1") and ("nik", "1") apart.
    EXPECT_NE(cipher.blind_index("ni", "k1"), cipher.blind_index("nik", "1"));
}

TEST(FieldCipher, GeneratedKeysAreValidAndDistinct) {
    const StoreKeys a = generate_store_keys();
    const StoreKeys b = generate_store_keys();
    EXPECT_TRUE(store_keys_valid(a));
    EXPECT_NE(a.data_key, b.data_key);
    EXPECT_NE(a.data_key, a.index_key);
    EXPECT_FALSE(store_keys_valid(StoreKeys{}));
}

} // namespace
} // namespace kapal::store
