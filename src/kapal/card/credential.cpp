#include "kapal/card/credential.hpp"

#include "kapal/card/base45.hpp"
#include "kapal/card/cbor_guard.hpp"
#include "kapal/core/assert.hpp"

#include <cbor.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>
#include <zlib.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <set>

namespace kapal::card {
namespace {

// ---------------------------------------------------------------------------------------------
// libcbor, owned

struct ItemDeleter {
    void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};

using Item = std::unique_ptr<cbor_item_t, ItemDeleter>;

using Bytes = std::vector<std::uint8_t>;

unexpected<Error> malformed(const std::string& where, const std::string& what) {
    return fail(ErrorCode::CredentialMalformed,
                where + ": " + what,
                {FieldIssue{where, ErrorCode::CredentialMalformed, what}});
}

// Shortest-form integers (RFC 8949 §4.2.1), so that encoding is deterministic.
Item make_int(std::int64_t v) {
    if (v >= 0) {
        const auto u = static_cast<std::uint64_t>(v);
        if (u <= 0xFF) {
            return Item(cbor_build_uint8(static_cast<std::uint8_t>(u)));
        }
        if (u <= 0xFFFF) {
            return Item(cbor_build_uint16(static_cast<std::uint16_t>(u)));
        }
        if (u <= 0xFFFFFFFF) {
            return Item(cbor_build_uint32(static_cast<std::uint32_t>(u)));
        }
        return Item(cbor_build_uint64(u));
    }
    const auto u = static_cast<std::uint64_t>(-(v + 1));
    if (u <= 0xFF) {
        return Item(cbor_build_negint8(static_cast<std::uint8_t>(u)));
    }
    if (u <= 0xFFFF) {
        return Item(cbor_build_negint16(static_cast<std::uint16_t>(u)));
    }
    if (u <= 0xFFFFFFFF) {
        return Item(cbor_build_negint32(static_cast<std::uint32_t>(u)));
    }
    return Item(cbor_build_negint64(u));
}

Item make_text(std::string_view s) {
    return Item(cbor_build_stringn(s.data(), s.size()));
}

Item make_bytes(std::span<const std::uint8_t> b) {
    return Item(cbor_build_bytestring(b.data(), b.size()));
}

/// A map whose entries are added in the caller's order (callers add keys in deterministic
/// order: positive integers ascending, then negative ones).
class MapBuilder {
  public:
    explicit MapBuilder(std::size_t capacity)
        : map_(cbor_new_definite_map(capacity)) {}

    void add(std::int64_t key, Item value) {
        KAPAL_ASSERT(value != nullptr);
        auto k = make_int(key);
        KAPAL_ASSERT(cbor_map_add(map_.get(), cbor_pair{k.get(), value.get()}));
    }

    void add_text(std::int64_t key, std::string_view s) {
        if (!s.empty()) {
            add(key, make_text(s));
        }
    }

    Item take() { return std::move(map_); }

  private:
    Item map_;
};

Bytes serialize(const cbor_item_t* item) {
    unsigned char* buffer = nullptr;
    std::size_t capacity = 0;
    const std::size_t length = cbor_serialize_alloc(item, &buffer, &capacity);
    KAPAL_ASSERT(buffer != nullptr && length > 0);
    Bytes out(buffer, buffer + length);
    free(buffer); // NOLINT(cppcoreguidelines-no-malloc): libcbor allocates with malloc
    return out;
}

/// Loads one CBOR item from untrusted bytes (after cbor_guard).
Result<Item> load(std::span<const std::uint8_t> bytes, const std::string& where) {
    if (bytes.empty()) {
        return malformed(where, "empty");
    }
    if (auto problem = detail::cbor_guard(bytes); !problem.empty()) {
        return malformed(where, "not well-formed CBOR: " + problem);
    }
    cbor_load_result result{};
    Item item(cbor_load(bytes.data(), bytes.size(), &result));
    if (!item || result.error.code != CBOR_ERR_NONE) {
        return malformed(where,
                         "CBOR not readable at byte " + std::to_string(result.error.position));
    }
    return item;
}

std::optional<std::int64_t> as_int(const cbor_item_t* item) {
    if (cbor_isa_uint(item)) {
        const auto v = cbor_get_int(item);
        if (v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return static_cast<std::int64_t>(v);
        }
        return std::nullopt;
    }
    if (cbor_isa_negint(item)) {
        const auto v = cbor_get_int(item);
        if (v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return -1 - static_cast<std::int64_t>(v);
        }
    }
    return std::nullopt;
}

// Definite or chunked strings, as bytes.
std::optional<Bytes> string_bytes(const cbor_item_t* item) {
    const bool text = cbor_isa_string(item);
    if (!text && !cbor_isa_bytestring(item)) {
        return std::nullopt;
    }
    Bytes out;
    auto append = [&out, text](const cbor_item_t* s) {
        const auto* data = text ? cbor_string_handle(s) : cbor_bytestring_handle(s);
        const auto length = text ? cbor_string_length(s) : cbor_bytestring_length(s);
        if (data != nullptr) {
            out.insert(out.end(), data, data + length);
        }
    };
    const bool definite = text ? cbor_string_is_definite(item) : cbor_bytestring_is_definite(item);
    if (definite) {
        append(item);
        return out;
    }
    const std::size_t n = text ? cbor_string_chunk_count(item) : cbor_bytestring_chunk_count(item);
    cbor_item_t** chunks =
        text ? cbor_string_chunks_handle(item) : cbor_bytestring_chunks_handle(item);
    for (std::size_t i = 0; i < n; ++i) {
        append(chunks[i]);
    }
    return out;
}

std::optional<std::string> as_text(const cbor_item_t* item) {
    if (!cbor_isa_string(item)) {
        return std::nullopt;
    }
    auto b = string_bytes(item);
    return std::string(b->begin(), b->end());
}

std::optional<Bytes> as_bytes(const cbor_item_t* item) {
    if (!cbor_isa_bytestring(item)) {
        return std::nullopt;
    }
    return string_bytes(item);
}

/// The integer-keyed entries of a map, refusing duplicate keys (two readings of one signed
/// map must not be possible). Non-integer keys are skipped.
Result<std::vector<std::pair<std::int64_t, const cbor_item_t*>>>
int_entries(const cbor_item_t* map, const std::string& where) {
    std::vector<std::pair<std::int64_t, const cbor_item_t*>> out;
    std::set<std::int64_t> seen;
    const auto* pairs = cbor_map_handle(map);
    for (std::size_t i = 0; i < cbor_map_size(map); ++i) {
        const auto key = as_int(pairs[i].key);
        if (!key) {
            continue;
        }
        if (!seen.insert(*key).second) {
            return malformed(where, "key " + std::to_string(*key) + " appears twice");
        }
        out.emplace_back(*key, pairs[i].value);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// zlib

Bytes zlib_compress(std::span<const std::uint8_t> in) {
    uLongf size = compressBound(static_cast<uLong>(in.size()));
    Bytes out(size);
    const int rc =
        compress2(out.data(), &size, in.data(), static_cast<uLong>(in.size()), Z_BEST_COMPRESSION);
    KAPAL_ASSERT(rc == Z_OK);
    out.resize(size);
    return out;
}

Result<Bytes> zlib_decompress(std::span<const std::uint8_t> in) {
    z_stream z{};
    if (inflateInit(&z) != Z_OK) {
        return malformed("zlib", "cannot start inflate");
    }
    Bytes out;
    std::array<std::uint8_t, 16384> chunk{};
    // zlib's API takes a non-const pointer but does not write through it.
    z.next_in = const_cast<Bytef*>(in.data()); // NOLINT(cppcoreguidelines-pro-type-const-cast)
    z.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = chunk.data();
        z.avail_out = static_cast<uInt>(chunk.size());
        rc = inflate(&z, Z_NO_FLUSH);
        out.insert(out.end(), chunk.data(), chunk.data() + (chunk.size() - z.avail_out));
        if (out.size() > kMaxCredentialBytes) {
            inflateEnd(&z);
            return malformed("zlib",
                             "inflates beyond " + std::to_string(kMaxCredentialBytes) + " bytes");
        }
        if (rc == Z_BUF_ERROR && z.avail_in == 0) {
            break;
        }
    }
    const auto left = z.avail_in;
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        return malformed("zlib",
                         rc == Z_BUF_ERROR || rc == Z_OK
                             ? "truncated zlib stream"
                             : "not zlib data (" + std::string(z.msg ? z.msg : "error") + ")");
    }
    if (left != 0) {
        return malformed("zlib", std::to_string(left) + " bytes after the zlib stream");
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// COSE

void push(const Item& array, const Item& part) {
    KAPAL_ASSERT(part != nullptr && cbor_array_push(array.get(), part.get()));
}

Bytes sig_structure(std::span<const std::uint8_t> protected_header,
                    std::span<const std::uint8_t> payload) {
    Item array(cbor_new_definite_array(4));
    push(array, make_text("Signature1"));
    push(array, make_bytes(protected_header));
    push(array, make_bytes({}));
    push(array, make_bytes(payload));
    return serialize(array.get());
}

Bytes enc_structure(std::span<const std::uint8_t> protected_header) {
    Item array(cbor_new_definite_array(3));
    push(array, make_text("Encrypt0"));
    push(array, make_bytes(protected_header));
    push(array, make_bytes({}));
    return serialize(array.get());
}

CoseAlgorithm algorithm_of(std::int64_t id) {
    switch (id) {
    case -8:
        return CoseAlgorithm::EdDSA;
    case -7:
        return CoseAlgorithm::ES256;
    case 0:
        return CoseAlgorithm::None;
    default:
        return CoseAlgorithm::Other;
    }
}

struct Headers {
    std::int64_t alg = 0;
    Bytes kid;
    Bytes iv;
};

/// Reads alg (1), kid (4) and IV (5) from a protected header (bstr holding a map, or empty)
/// and an unprotected map. The protected value wins where both have one.
Result<Headers> read_headers(std::span<const std::uint8_t> protected_bytes,
                             const cbor_item_t* unprotected,
                             const std::string& where) {
    Headers h;
    auto take = [&h, &where](const cbor_item_t* map) -> Result<void> {
        auto entries = int_entries(map, where);
        if (!entries) {
            return fail(std::move(entries).error());
        }
        for (const auto& [key, value] : *entries) {
            if (key == 1) {
                const auto alg = as_int(value);
                if (!alg) {
                    return malformed(where, "algorithm (header 1) is not an integer");
                }
                h.alg = *alg;
            } else if (key == 4 || key == 5) {
                auto b = as_bytes(value);
                if (!b) {
                    return malformed(where,
                                     std::string(key == 4 ? "kid (header 4)" : "IV (header 5)") +
                                         " is not a byte string");
                }
                (key == 4 ? h.kid : h.iv) = std::move(*b);
            }
        }
        return {};
    };
    if (!cbor_isa_map(unprotected)) {
        return malformed(where, "unprotected header is not a map");
    }
    KAPAL_TRY(take(unprotected));
    if (!protected_bytes.empty()) {
        auto prot = load(protected_bytes, where);
        if (!prot) {
            return fail(std::move(prot).error());
        }
        if (!cbor_isa_map(prot->get())) {
            return malformed(where, "protected header is not a map");
        }
        KAPAL_TRY(take(prot->get()));
    }
    return h;
}

/// Loads a COSE object: strips the optional CWT tag (61) and the COSE tag, returning that tag
/// (0 when untagged) and the item inside. The tags are read here, not by libcbor: libcbor 0.8
/// (Debian 12) refuses the one-byte tags 6..20 (0xC6..0xD4), which include COSE_Sign1 (18) and
/// COSE_Encrypt0 (16); 0.9 fixed it.
Result<std::pair<std::uint64_t, Item>> load_cose(std::span<const std::uint8_t> bytes) {
    std::vector<std::uint64_t> tags;
    std::size_t pos = 0;
    while (pos < bytes.size() && (bytes[pos] >> 5) == 6) {
        const std::uint8_t info = bytes[pos] & 0x1F;
        ++pos;
        std::uint64_t value = info;
        if (info >= 24) {
            if (info > 27) {
                return malformed("cose", "bad tag header at byte " + std::to_string(pos - 1));
            }
            const std::size_t n = std::size_t{1} << (info - 24);
            if (bytes.size() - pos < n) {
                return malformed("cose", "truncated tag at byte " + std::to_string(pos - 1));
            }
            value = 0;
            for (std::size_t i = 0; i < n; ++i) {
                value = (value << 8) | bytes[pos++];
            }
        }
        tags.push_back(value);
    }
    if (!tags.empty() && tags.front() == 61) {
        tags.erase(tags.begin());
    }
    if (tags.size() > 1) {
        return malformed("cose", "more tags than CWT (61) and one COSE tag");
    }
    auto item = load(bytes.subspan(pos), "cose");
    if (!item) {
        return fail(std::move(item).error());
    }
    return std::pair<std::uint64_t, Item>{tags.empty() ? 0 : tags.front(), std::move(*item)};
}

Result<Bytes> aes_gcm_decrypt(std::span<const std::uint8_t> key,
                              std::span<const std::uint8_t> iv,
                              std::span<const std::uint8_t> aad,
                              std::span<const std::uint8_t> sealed) {
    constexpr std::size_t kTag = 16;
    if (sealed.size() < kTag) {
        return malformed("cose_encrypt0", "ciphertext shorter than its tag");
    }
    const EVP_CIPHER* cipher = key.size() == 16   ? EVP_aes_128_gcm()
                               : key.size() == 24 ? EVP_aes_192_gcm()
                                                  : EVP_aes_256_gcm();
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                        EVP_CIPHER_CTX_free);
    const auto body = sealed.first(sealed.size() - kTag);
    Bytes tag(sealed.end() - kTag, sealed.end());
    Bytes out(body.size() + 16);
    int len = 0;
    int total = 0;
    bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr) == 1 &&
              EVP_CIPHER_CTX_ctrl(
                  ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) == 1 &&
              EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), iv.data()) == 1 &&
              EVP_DecryptUpdate(
                  ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1 &&
              EVP_DecryptUpdate(
                  ctx.get(), out.data(), &len, body.data(), static_cast<int>(body.size())) == 1;
    total = len;
    ok = ok &&
         EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTag), tag.data()) ==
             1 &&
         EVP_DecryptFinal_ex(ctx.get(), out.data() + total, &len) == 1;
    if (!ok) {
        return malformed("cose_encrypt0", "decryption failed: wrong key or altered ciphertext");
    }
    out.resize(static_cast<std::size_t>(total + len));
    return out;
}

bool verify_ed25519(std::span<const std::uint8_t> public_key,
                    std::span<const std::uint8_t> message,
                    std::span<const std::uint8_t> signature) {
    if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES) {
        return false;
    }
    return crypto_sign_verify_detached(
               signature.data(), message.data(), message.size(), public_key.data()) == 0;
}

bool verify_es256(std::span<const std::uint8_t> public_key,
                  std::span<const std::uint8_t> message,
                  std::span<const std::uint8_t> signature) {
    if (public_key.size() != 65 || public_key[0] != 0x04 || signature.size() != 64) {
        return false;
    }
    // COSE carries r || s (RFC 9053 §2.1); OpenSSL wants DER.
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), ECDSA_SIG_free);
    BIGNUM* r = BN_bin2bn(signature.data(), 32, nullptr);
    BIGNUM* s = BN_bin2bn(signature.data() + 32, 32, nullptr);
    if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return false;
    }
    unsigned char* der = nullptr;
    const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
    if (der_len <= 0) {
        return false;
    }
    std::unique_ptr<unsigned char, void (*)(unsigned char*)> der_owner(
        der, [](unsigned char* p) { OPENSSL_free(p); });

    char group[] = "prime256v1";
    std::array<OSSL_PARAM, 3> params = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                          const_cast<std::uint8_t*>(public_key.data()), // NOLINT
                                          public_key.size()),
        OSSL_PARAM_construct_end()};
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> kctx(
        EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), EVP_PKEY_CTX_free);
    EVP_PKEY* raw_key = nullptr;
    if (!kctx || EVP_PKEY_fromdata_init(kctx.get()) != 1 ||
        EVP_PKEY_fromdata(kctx.get(), &raw_key, EVP_PKEY_PUBLIC_KEY, params.data()) != 1) {
        return false;
    }
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(raw_key, EVP_PKEY_free);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    return md && EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
           EVP_DigestVerify(
               md.get(), der, static_cast<std::size_t>(der_len), message.data(), message.size()) ==
               1;
}

// ---------------------------------------------------------------------------------------------
// The CWT and its claims

constexpr std::array<std::pair<core::Category, std::int64_t>, 6> kCategoryCodes = {{
    {core::Category::Fisik, 1},
    {core::Category::Intelektual, 2},
    {core::Category::Mental, 3},
    {core::Category::SensorikNetra, 4},
    {core::Category::SensorikRungu, 5},
    {core::Category::SensorikWicara, 6},
}};

std::int64_t category_code(core::Category c) {
    for (const auto& [category, code] : kCategoryCodes) {
        if (category == c) {
            return code;
        }
    }
    KAPAL_ASSERT(false);
    return 0;
}

Item identity_map(const IdentityData& d) {
    MapBuilder m(32);
    m.add_text(1, d.id);
    m.add_text(2, d.version);
    m.add_text(3, d.language);
    m.add_text(4, d.full_name);
    m.add_text(5, d.first_name);
    m.add_text(6, d.middle_name);
    m.add_text(7, d.last_name);
    m.add_text(8, d.date_of_birth);
    if (d.gender) {
        m.add(9, make_int(*d.gender));
    }
    m.add_text(10, d.address);
    m.add_text(11, d.email);
    m.add_text(12, d.phone);
    m.add_text(13, d.nationality);
    if (d.marital_status) {
        m.add(14, make_int(*d.marital_status));
    }
    m.add_text(15, d.guardian);
    if (!d.photo.empty()) {
        m.add(16, make_bytes(d.photo));
    }
    if (d.photo_format) {
        m.add(17, make_int(*d.photo_format));
    }
    if (!d.best_quality_fingers.empty()) {
        Item fingers(cbor_new_definite_array(d.best_quality_fingers.size()));
        for (const auto f : d.best_quality_fingers) {
            push(fingers, make_int(f));
        }
        m.add(18, std::move(fingers));
    }
    m.add_text(19, d.secondary_full_name);
    m.add_text(20, d.secondary_language);
    m.add_text(21, d.location_code);
    m.add_text(22, d.legal_status);
    m.add_text(23, d.country_of_issuance);
    if (!d.face.empty()) {
        Item faces(cbor_new_definite_array(d.face.size()));
        for (const auto& b : d.face) {
            MapBuilder e(4);
            e.add(0, make_bytes(b.data));
            if (b.format) {
                e.add(1, make_int(*b.format));
            }
            if (b.sub_format) {
                e.add(2, make_int(*b.sub_format));
            }
            e.add_text(3, b.issuer);
            push(faces, e.take());
        }
        m.add(62, std::move(faces));
    }
    return m.take();
}

Item kapal_map(const KapalClaim& k) {
    MapBuilder m(3);
    Item categories(cbor_new_definite_array(k.categories.size()));
    for (const auto c : k.categories) {
        push(categories, make_int(category_code(c)));
    }
    m.add(1, std::move(categories));
    m.add_text(2, k.kelurahan_code);
    if (k.needs != 0) {
        m.add(3, make_int(k.needs));
    }
    return m.take();
}

Bytes cwt_payload(const Credential& c) {
    MapBuilder m(8);
    m.add_text(1, c.cwt.issuer);
    m.add_text(2, c.cwt.subject);
    if (c.cwt.expires_at) {
        m.add(4, make_int(*c.cwt.expires_at));
    }
    if (c.cwt.not_before) {
        m.add(5, make_int(*c.cwt.not_before));
    }
    if (c.cwt.issued_at) {
        m.add(6, make_int(*c.cwt.issued_at));
    }
    m.add(kClaim169Key, identity_map(c.identity));
    if (c.kapal) {
        m.add(kKapalClaimKey, kapal_map(*c.kapal));
    }
    auto map = m.take();
    return serialize(map.get());
}

std::string key_name(std::int64_t key) {
    return "key " + std::to_string(key);
}

Result<std::string> text_at(const cbor_item_t* v, std::int64_t key, const std::string& where) {
    auto t = as_text(v);
    if (!t) {
        return malformed(where, key_name(key) + " is not text");
    }
    return std::move(*t);
}

Result<std::int64_t> int_at(const cbor_item_t* v, std::int64_t key, const std::string& where) {
    auto i = as_int(v);
    if (!i) {
        return malformed(where, key_name(key) + " is not an integer");
    }
    return *i;
}

Result<std::vector<Biometric>> read_biometrics(const cbor_item_t* v, std::int64_t key) {
    const std::string where = "claim169";
    if (!cbor_isa_array(v)) {
        return malformed(where, key_name(key) + " is not an array of biometrics");
    }
    std::vector<Biometric> out;
    for (std::size_t i = 0; i < cbor_array_size(v); ++i) {
        const auto* entry = cbor_array_handle(v)[i];
        if (!cbor_isa_map(entry)) {
            return malformed(where,
                             key_name(key) + " entry " + std::to_string(i) + " is not a map");
        }
        auto fields = int_entries(entry, where);
        if (!fields) {
            return fail(std::move(fields).error());
        }
        Biometric b;
        for (const auto& [k, value] : *fields) {
            const std::string what =
                key_name(key) + " entry " + std::to_string(i) + " field " + std::to_string(k);
            if (k == 0) {
                auto data = as_bytes(value);
                if (!data) {
                    return malformed(where, what + " is not a byte string");
                }
                b.data = std::move(*data);
            } else if (k == 1 || k == 2) {
                auto n = as_int(value);
                if (!n) {
                    return malformed(where, what + " is not an integer");
                }
                (k == 1 ? b.format : b.sub_format) = *n;
            } else if (k == 3) {
                auto t = as_text(value);
                if (!t) {
                    return malformed(where, what + " is not text");
                }
                b.issuer = std::move(*t);
            }
        }
        out.push_back(std::move(b));
    }
    return out;
}

Result<IdentityData> read_identity(const cbor_item_t* map) {
    const std::string where = "claim169";
    if (!cbor_isa_map(map)) {
        return malformed(where, "claim 169 is not a map");
    }
    auto entries = int_entries(map, where);
    if (!entries) {
        return fail(std::move(entries).error());
    }
    IdentityData d;
    auto text_field = [&d](std::int64_t key) -> std::string* {
        switch (key) {
        case 1:
            return &d.id;
        case 2:
            return &d.version;
        case 3:
            return &d.language;
        case 4:
            return &d.full_name;
        case 5:
            return &d.first_name;
        case 6:
            return &d.middle_name;
        case 7:
            return &d.last_name;
        case 8:
            return &d.date_of_birth;
        case 10:
            return &d.address;
        case 11:
            return &d.email;
        case 12:
            return &d.phone;
        case 13:
            return &d.nationality;
        case 15:
            return &d.guardian;
        case 19:
            return &d.secondary_full_name;
        case 20:
            return &d.secondary_language;
        case 21:
            return &d.location_code;
        case 22:
            return &d.legal_status;
        case 23:
            return &d.country_of_issuance;
        default:
            return nullptr;
        }
    };
    for (const auto& [key, value] : *entries) {
        if (auto* field = text_field(key)) {
            auto t = text_at(value, key, where);
            if (!t) {
                return fail(std::move(t).error());
            }
            *field = std::move(*t);
        } else if (key == 9 || key == 14 || key == 17) {
            auto n = int_at(value, key, where);
            if (!n) {
                return fail(std::move(n).error());
            }
            (key == 9 ? d.gender : key == 14 ? d.marital_status : d.photo_format) = *n;
        } else if (key == 16) {
            // The table says tstr, the example carries binary: accept either.
            auto b = string_bytes(value);
            if (!b) {
                return malformed(where, "key 16 (photo) is not a string");
            }
            d.photo = std::move(*b);
        } else if (key == 18) {
            if (!cbor_isa_array(value)) {
                return malformed(where, "key 18 (best quality fingers) is not an array");
            }
            for (std::size_t i = 0; i < cbor_array_size(value); ++i) {
                auto n = as_int(cbor_array_handle(value)[i]);
                if (!n) {
                    return malformed(where,
                                     "key 18 entry " + std::to_string(i) + " is not an integer");
                }
                d.best_quality_fingers.push_back(*n);
            }
        } else if (key == 62) {
            auto face = read_biometrics(value, key);
            if (!face) {
                return fail(std::move(face).error());
            }
            d.face = std::move(*face);
        } else {
            d.other_keys.push_back(key);
        }
    }
    std::sort(d.other_keys.begin(), d.other_keys.end());
    return d;
}

Result<KapalClaim> read_kapal(const cbor_item_t* map) {
    const std::string where = "kapal_claim";
    if (!cbor_isa_map(map)) {
        return malformed(where, "claim " + std::to_string(kKapalClaimKey) + " is not a map");
    }
    auto entries = int_entries(map, where);
    if (!entries) {
        return fail(std::move(entries).error());
    }
    KapalClaim k;
    for (const auto& [key, value] : *entries) {
        if (key == 1) {
            if (!cbor_isa_array(value)) {
                return malformed(where, "key 1 (categories) is not an array");
            }
            for (std::size_t i = 0; i < cbor_array_size(value); ++i) {
                const auto code = as_int(cbor_array_handle(value)[i]);
                const auto* known =
                    std::find_if(kCategoryCodes.begin(), kCategoryCodes.end(), [&](const auto& e) {
                        return code && e.second == *code;
                    });
                if (known == kCategoryCodes.end()) {
                    return malformed(
                        where, "key 1 entry " + std::to_string(i) + " is not a category code 1..6");
                }
                k.categories.push_back(known->first);
            }
            core::normalise_categories(k.categories);
        } else if (key == 2) {
            auto t = text_at(value, key, where);
            if (!t) {
                return fail(std::move(t).error());
            }
            k.kelurahan_code = std::move(*t);
        } else if (key == 3) {
            const auto n = as_int(value);
            if (!n || *n < 0 || *n > std::numeric_limits<std::uint32_t>::max()) {
                return malformed(where, "key 3 (needs) is not a 32-bit unsigned integer");
            }
            k.needs = static_cast<std::uint32_t>(*n);
        }
    }
    return k;
}

Result<Credential> read_cwt(std::span<const std::uint8_t> payload) {
    auto item = load(payload, "cwt");
    if (!item) {
        return fail(std::move(item).error());
    }
    if (!cbor_isa_map(item->get())) {
        return malformed("cwt", "the COSE payload is not a CWT claims map");
    }
    auto entries = int_entries(item->get(), "cwt");
    if (!entries) {
        return fail(std::move(entries).error());
    }
    Credential c;
    bool has_169 = false;
    for (const auto& [key, value] : *entries) {
        if (key == 1 || key == 2) {
            auto t = text_at(value, key, "cwt");
            if (!t) {
                return fail(std::move(t).error());
            }
            (key == 1 ? c.cwt.issuer : c.cwt.subject) = std::move(*t);
        } else if (key == 4 || key == 5 || key == 6) {
            auto n = int_at(value, key, "cwt");
            if (!n) {
                return fail(std::move(n).error());
            }
            (key == 4 ? c.cwt.expires_at : key == 5 ? c.cwt.not_before : c.cwt.issued_at) = *n;
        } else if (key == kClaim169Key) {
            auto identity = read_identity(value);
            if (!identity) {
                return fail(std::move(identity).error());
            }
            c.identity = std::move(*identity);
            has_169 = true;
        } else if (key == kKapalClaimKey) {
            auto kapal = read_kapal(value);
            if (!kapal) {
                return fail(std::move(kapal).error());
            }
            c.kapal = std::move(*kapal);
        }
    }
    if (!has_169) {
        return malformed("claim169", "the CWT has no claim 169");
    }
    return c;
}

/// Reads a COSE_Sign1 array (already untagged) into `out`, except the credential itself.
Result<void> read_sign1(const cbor_item_t* array, DecodedCredential& out) {
    const std::string where = "cose";
    if (!cbor_isa_array(array) || cbor_array_size(array) != 4) {
        return malformed(where, "a COSE_Sign1 is an array of 4");
    }
    auto* const* parts = cbor_array_handle(array);
    auto prot = as_bytes(parts[0]);
    auto payload = as_bytes(parts[2]);
    auto signature = as_bytes(parts[3]);
    if (!prot) {
        return malformed(where, "protected header is not a byte string");
    }
    if (!payload) {
        return malformed(where, "payload is not a byte string (detached payloads are not read)");
    }
    if (!signature) {
        return malformed(where, "signature is not a byte string");
    }
    auto headers = read_headers(*prot, parts[1], where);
    if (!headers) {
        return fail(std::move(headers).error());
    }
    out.alg_id = headers->alg;
    out.alg = algorithm_of(headers->alg);
    out.kid.assign(headers->kid.begin(), headers->kid.end());
    out.protected_header = std::move(*prot);
    out.payload = std::move(*payload);
    out.signature = std::move(*signature);
    return {};
}

Result<Bytes> open_encrypt0(const cbor_item_t* array, const DecodeOptions& options) {
    const std::string where = "cose_encrypt0";
    if (!cbor_isa_array(array) || cbor_array_size(array) != 3) {
        return malformed(where, "a COSE_Encrypt0 is an array of 3");
    }
    auto* const* parts = cbor_array_handle(array);
    auto prot = as_bytes(parts[0]);
    auto sealed = as_bytes(parts[2]);
    if (!prot || !sealed) {
        return malformed(where, "protected header and ciphertext must be byte strings");
    }
    auto headers = read_headers(*prot, parts[1], where);
    if (!headers) {
        return fail(std::move(headers).error());
    }
    std::size_t key_size = 0;
    switch (headers->alg) {
    case 1:
        key_size = 16;
        break;
    case 2:
        key_size = 24;
        break;
    case 3:
        key_size = 32;
        break;
    default:
        return malformed(
            where, "algorithm " + std::to_string(headers->alg) + " is not AES-GCM (1, 2 or 3)");
    }
    if (options.decryption_key.empty()) {
        return malformed(where, "the credential is encrypted and no decryption key was given");
    }
    if (options.decryption_key.size() != key_size) {
        return malformed(where,
                         "the decryption key has " + std::to_string(options.decryption_key.size()) +
                             " bytes; the header's algorithm needs " + std::to_string(key_size));
    }
    if (headers->iv.size() != 12) {
        return malformed(where, "the IV (header 5) must have 12 bytes");
    }
    return aes_gcm_decrypt(options.decryption_key, headers->iv, enc_structure(*prot), *sealed);
}

} // namespace

namespace {

/// Signs `e.payload` with EdDSA under the key's kid: sets the protected header, the signature
/// and the tagged COSE_Sign1 bytes.
void sign1(EncodedCredential& e, const CardKey& key) {
    {
        MapBuilder h(2);
        h.add(1, make_int(-8));
        h.add(4,
              make_bytes({reinterpret_cast<const std::uint8_t*>(key.kid.data()), // NOLINT
                          key.kid.size()}));
        auto map = h.take();
        e.protected_header = serialize(map.get());
    }
    const auto to_sign = sig_structure(e.protected_header, e.payload);
    e.signature.resize(crypto_sign_BYTES);
    crypto_sign_detached(
        e.signature.data(), nullptr, to_sign.data(), to_sign.size(), key.secret_key.data());

    Item array(cbor_new_definite_array(4));
    push(array, make_bytes(e.protected_header));
    push(array, Item(cbor_new_definite_map(0)));
    push(array, make_bytes(e.payload));
    push(array, make_bytes(e.signature));
    Item tagged(cbor_build_tag(18, array.get()));
    e.cose = serialize(tagged.get());
}

/// Checks the signature of a decoded COSE_Sign1 with `keys`: Valid, Unsigned, UnknownKey or
/// InvalidSignature, with where/what in `r` for the last three.
VerifyStatus check_signature(const DecodedCredential& d,
                             std::span<const VerificationKey> keys,
                             VerifyResult& r) {
    if (d.signature.empty()) {
        r.where = "cose";
        r.what = "the credential carries no signature";
        return VerifyStatus::Unsigned;
    }
    if (d.alg != CoseAlgorithm::EdDSA && d.alg != CoseAlgorithm::ES256) {
        r.where = "cose";
        r.what = "algorithm " + std::to_string(d.alg_id) + " is not verified here (EdDSA, ES256)";
        return VerifyStatus::UnknownKey;
    }
    const auto to_verify = sig_structure(d.protected_header, d.payload);
    bool known = false;
    bool verified = false;
    for (const auto& key : keys) {
        // A key only ever verifies with its own algorithm, whatever the header claims; with a
        // kid, only the key of that kid is tried.
        if (key.alg != d.alg || (!d.kid.empty() && key.kid != d.kid)) {
            continue;
        }
        known = true;
        verified = d.alg == CoseAlgorithm::EdDSA
                       ? verify_ed25519(key.public_key, to_verify, d.signature)
                       : verify_es256(key.public_key, to_verify, d.signature);
        if (verified) {
            break;
        }
    }
    if (!known) {
        r.where = "cose";
        r.what = d.kid.empty() ? "no key for this algorithm" : "no key with kid " + d.kid;
        return VerifyStatus::UnknownKey;
    }
    if (!verified) {
        r.where = "cose";
        r.what = "the signature does not verify";
        return VerifyStatus::InvalidSignature;
    }
    return VerifyStatus::Valid;
}

} // namespace

EncodedCredential encode_credential(const Credential& credential, const CardKey& key) {
    EncodedCredential e;
    e.payload = cwt_payload(credential);
    sign1(e, key);
    e.compressed = zlib_compress(e.cose);
    e.qr_text = base45_encode(e.compressed);
    return e;
}

std::string qr_text_of_cose(std::span<const std::uint8_t> cose) {
    return base45_encode(zlib_compress(cose));
}

Result<std::vector<std::uint8_t>> cose_of_qr_text(std::string_view qr_text) {
    auto compressed = base45_decode(qr_text);
    if (!compressed) {
        return fail(std::move(compressed).error());
    }
    return zlib_decompress(*compressed);
}

Result<DecodedCredential> decode_credential(std::string_view qr_text,
                                            const DecodeOptions& options) {
    auto cose = cose_of_qr_text(qr_text);
    if (!cose) {
        return fail(std::move(cose).error());
    }
    auto top = load_cose(*cose);
    if (!top) {
        return fail(std::move(top).error());
    }
    auto [tag, item] = std::move(*top);
    DecodedCredential out;
    if (tag == 16) {
        auto plain = open_encrypt0(item.get(), options);
        if (!plain) {
            return fail(std::move(plain).error());
        }
        auto inner = load_cose(*plain);
        if (!inner) {
            return fail(std::move(inner).error());
        }
        if (inner->first != 18 && inner->first != 0) {
            return malformed("cose",
                             "the COSE_Encrypt0 holds tag " + std::to_string(inner->first) +
                                 ", not a COSE_Sign1");
        }
        item = std::move(inner->second);
        tag = 18;
        out.encrypted = true;
    }
    if (tag != 18 && tag != 0) {
        return malformed("cose",
                         "tag " + std::to_string(tag) +
                             " is neither COSE_Sign1 (18) nor COSE_Encrypt0 (16)");
    }
    KAPAL_TRY(read_sign1(item.get(), out));
    auto credential = read_cwt(out.payload);
    if (!credential) {
        return fail(std::move(credential).error());
    }
    out.credential = std::move(*credential);
    return out;
}

std::string_view to_string(VerifyStatus status) {
    switch (status) {
    case VerifyStatus::Valid:
        return "valid";
    case VerifyStatus::Malformed:
        return "malformed";
    case VerifyStatus::Unsigned:
        return "unsigned";
    case VerifyStatus::UnknownKey:
        return "unknown_key";
    case VerifyStatus::InvalidSignature:
        return "invalid_signature";
    case VerifyStatus::Expired:
        return "expired";
    case VerifyStatus::NotYetValid:
        return "not_yet_valid";
    case VerifyStatus::Revoked:
        return "revoked";
    }
    return "malformed";
}

VerifyStatus check_validity_period(const CwtClaims& cwt, core::Timestamp now) {
    const std::int64_t now_s = core::to_unix_ms(now) / 1000;
    if (cwt.expires_at && *cwt.expires_at <= now_s) {
        return VerifyStatus::Expired;
    }
    if (cwt.not_before && *cwt.not_before > now_s) {
        return VerifyStatus::NotYetValid;
    }
    return VerifyStatus::Valid;
}

VerifyResult verify_credential(std::string_view qr_text,
                               std::span<const VerificationKey> keys,
                               const core::Clock& clock,
                               const DecodeOptions& options) {
    VerifyResult r;
    auto decoded = decode_credential(qr_text, options);
    if (!decoded) {
        const auto& e = decoded.error();
        r.status = VerifyStatus::Malformed;
        if (!e.fields.empty()) {
            r.where = e.fields.front().field;
            r.what = e.fields.front().detail;
        } else {
            r.what = e.message;
        }
        return r;
    }
    r.decoded = std::move(*decoded);
    const auto& d = *r.decoded;
    r.status = check_signature(d, keys, r);
    if (r.status != VerifyStatus::Valid) {
        return r;
    }
    r.status = check_validity_period(d.credential.cwt, clock.now());
    if (r.status != VerifyStatus::Valid) {
        r.where = "cwt";
        r.what = r.status == VerifyStatus::Expired ? "expired" : "not valid yet";
    }
    return r;
}

std::uint32_t needs_flags(const core::Person& person) {
    std::uint32_t bits = 0;
    for (const auto& code : person.assistive_devices) {
        const auto* it =
            std::find(core::kAssistiveDevices.begin(), core::kAssistiveDevices.end(), code);
        if (it != core::kAssistiveDevices.end()) {
            bits |= 1U << static_cast<unsigned>(it - core::kAssistiveDevices.begin());
        }
    }
    for (const auto& code : person.therapies) {
        const auto* it = std::find(core::kTherapies.begin(), core::kTherapies.end(), code);
        if (it != core::kTherapies.end()) {
            bits |= 1U << (16U + static_cast<unsigned>(it - core::kTherapies.begin()));
        }
    }
    return bits;
}

std::vector<std::string> need_codes(std::uint32_t needs) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < core::kAssistiveDevices.size(); ++i) {
        if ((needs >> i) & 1U) {
            out.emplace_back(core::kAssistiveDevices[i]);
        }
    }
    for (std::size_t j = 0; j < core::kTherapies.size(); ++j) {
        if ((needs >> (16 + j)) & 1U) {
            out.emplace_back(core::kTherapies[j]);
        }
    }
    return out;
}

Credential person_credential(const core::Person& person, const CardFacts& facts) {
    Credential c;
    c.cwt.issuer = facts.issuer;
    c.cwt.issued_at = facts.issued_at;
    c.cwt.expires_at = facts.expires_at;
    c.identity.id = facts.card_number;
    c.identity.full_name = person.full_name;
    if (person.birth_date.ok()) {
        const auto iso = core::format_date(person.birth_date); // YYYY-MM-DD
        c.identity.date_of_birth = iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2);
    }
    c.identity.gender = person.sex == core::Sex::Male ? 1 : 2;
    std::string address = person.address.street;
    if (!person.address.rt.empty() || !person.address.rw.empty()) {
        address += (address.empty() ? "" : "\n") + std::string("RT ") + person.address.rt + " RW " +
                   person.address.rw;
    }
    c.identity.address = address;
    KapalClaim k;
    k.categories = person.categories;
    core::normalise_categories(k.categories);
    k.kelurahan_code = person.address.kelurahan_code;
    k.needs = needs_flags(person);
    c.kapal = std::move(k);
    return c;
}

// ---------------------------------------------------------------------------------------------
// The revocation list

std::vector<std::uint8_t> sign_revocation_list(const RevocationList& list, const CardKey& key) {
    std::vector<const RevokedCard*> cards;
    for (const RevokedCard& c : list.cards) {
        cards.push_back(&c);
    }
    std::sort(cards.begin(), cards.end(), [](const RevokedCard* a, const RevokedCard* b) {
        return a->number < b->number;
    });
    Item entries(cbor_new_definite_array(cards.size()));
    for (const RevokedCard* c : cards) {
        Item entry(cbor_new_definite_array(3));
        push(entry, make_text(c->number));
        push(entry, make_int(c->revoked_at));
        push(entry, make_text(c->reason));
        push(entries, entry);
    }
    MapBuilder m(3);
    m.add(1, make_text(list.issuer));
    m.add(6, make_int(list.issued_at));
    m.add(kRevocationsClaimKey, std::move(entries));
    auto map = m.take();
    EncodedCredential e;
    e.payload = serialize(map.get());
    sign1(e, key);
    return e.cose;
}

namespace {

Result<RevokedCard> read_revoked_card(const cbor_item_t* item, std::size_t index) {
    const std::string where = "revocations[" + std::to_string(index) + "]";
    if (!cbor_isa_array(item) || cbor_array_size(item) != 3) {
        return malformed(where, "an entry is an array of 3: number, revoked_at, reason");
    }
    auto* const* parts = cbor_array_handle(item);
    auto number = as_text(parts[0]);
    auto at = as_int(parts[1]);
    auto reason = as_text(parts[2]);
    if (!number || !at || !reason) {
        return malformed(where, "expected a text, an integer and a text");
    }
    return RevokedCard{std::move(*number), *at, std::move(*reason)};
}

} // namespace

Result<RevocationList> verify_revocation_list(std::span<const std::uint8_t> cose,
                                              std::span<const VerificationKey> keys) {
    auto top = load_cose(cose);
    if (!top) {
        return fail(std::move(top).error());
    }
    if (top->first != 18 && top->first != 0) {
        return malformed("cose", "tag " + std::to_string(top->first) + " is not COSE_Sign1 (18)");
    }
    DecodedCredential d;
    KAPAL_TRY(read_sign1(top->second.get(), d));
    VerifyResult r;
    if (check_signature(d, keys, r) != VerifyStatus::Valid) {
        return malformed(r.where, r.what);
    }
    auto item = load(d.payload, "revocations");
    if (!item) {
        return fail(std::move(item).error());
    }
    if (!cbor_isa_map(item->get())) {
        return malformed("revocations", "the payload is not a claims map");
    }
    auto entries = int_entries(item->get(), "revocations");
    if (!entries) {
        return fail(std::move(entries).error());
    }
    RevocationList out;
    bool has_list = false;
    for (const auto& [key, value] : *entries) {
        if (key == 1) {
            auto t = text_at(value, key, "revocations");
            if (!t) {
                return fail(std::move(t).error());
            }
            out.issuer = std::move(*t);
        } else if (key == 6) {
            auto n = int_at(value, key, "revocations");
            if (!n) {
                return fail(std::move(n).error());
            }
            out.issued_at = *n;
        } else if (key == kRevocationsClaimKey) {
            if (!cbor_isa_array(value)) {
                return malformed("revocations", "the list is not an array");
            }
            auto* const* items = cbor_array_handle(value);
            for (std::size_t i = 0; i < cbor_array_size(value); ++i) {
                auto card = read_revoked_card(items[i], i);
                if (!card) {
                    return fail(std::move(card).error());
                }
                out.cards.push_back(std::move(*card));
            }
            has_list = true;
        }
    }
    if (!has_list) {
        return malformed("revocations", "no claim " + std::to_string(kRevocationsClaimKey));
    }
    return out;
}

} // namespace kapal::card
