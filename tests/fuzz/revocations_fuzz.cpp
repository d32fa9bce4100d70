// Fuzz target for the revocation-list reader (kapal::card::verify_revocation_list): any input
// must be read or refused with a stage and a reason, never crash, hang or allocate without
// bound; a list that is read must sign and read back to the same list.
//
// The reader checks the signature before it parses the payload, so random bytes alone would
// never get past it. The first byte therefore picks the entry point: 'S' takes the rest as the
// payload, which this target wraps in a COSE_Sign1 (protected {1: -8, 4: kid}) and signs with
// the fuzz key, so that the payload parser is reached; anything else is fed as the whole
// COSE_Sign1 (tags, arrays, headers, kid lookup, signature check).
// Corpus: tests/fuzz/corpus/revocations (made by make_revocations_corpus.py; replayed by ctest
// fuzz_revocations_replay).

#include "kapal/card/card_key.hpp"
#include "kapal/card/credential.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace {

const kapal::card::CardKey& key() {
    static const kapal::card::CardKey k = [] {
        std::array<std::uint8_t, 32> seed{};
        seed.fill(7);
        return kapal::card::card_key_from_seed(seed);
    }();
    return k;
}

/// A CBOR head (major type and length) in its shortest form.
void head(std::vector<std::uint8_t>& out, std::uint8_t major, std::uint64_t n) {
    const auto m = static_cast<std::uint8_t>(major << 5U);
    if (n < 24) {
        out.push_back(static_cast<std::uint8_t>(m | n));
        return;
    }
    int bytes = n <= 0xff ? 1 : n <= 0xffff ? 2 : n <= 0xffffffffU ? 4 : 8;
    out.push_back(static_cast<std::uint8_t>(m | (bytes == 1   ? 24
                                                 : bytes == 2 ? 25
                                                 : bytes == 4 ? 26
                                                              : 27)));
    for (int i = bytes - 1; i >= 0; --i) {
        out.push_back(static_cast<std::uint8_t>(n >> (8U * static_cast<unsigned>(i))));
    }
}

void bytes(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> b) {
    head(out, 2, b.size());
    out.insert(out.end(), b.begin(), b.end());
}

/// 18([protected {1: -8, 4: kid}, {}, payload, Ed25519 signature]) signed with key().
std::vector<std::uint8_t> sign(std::span<const std::uint8_t> payload) {
    // Reserved up front, appended byte by byte: GCC 12 at -O3 warns (-Warray-bounds, falsely)
    // about inserting into a vector made from a short initializer list.
    std::vector<std::uint8_t> prot;
    prot.reserve(16);
    for (const std::uint8_t b : std::array<std::uint8_t, 4>{0xa2, 0x01, 0x27, 0x04}) {
        prot.push_back(b);
    }
    bytes(prot, {reinterpret_cast<const std::uint8_t*>(key().kid.data()), key().kid.size()});
    std::vector<std::uint8_t> sig_structure;
    sig_structure.reserve(prot.size() + payload.size() + 32);
    sig_structure.push_back(0x84);
    sig_structure.push_back(0x6a);
    for (const char c : std::string_view("Signature1")) {
        sig_structure.push_back(static_cast<std::uint8_t>(c));
    }
    bytes(sig_structure, prot);
    sig_structure.push_back(0x40);
    bytes(sig_structure, payload);
    std::array<std::uint8_t, crypto_sign_BYTES> signature{};
    crypto_sign_detached(signature.data(),
                         nullptr,
                         sig_structure.data(),
                         sig_structure.size(),
                         key().secret_key.data());
    std::vector<std::uint8_t> out;
    out.reserve(prot.size() + payload.size() + signature.size() + 32);
    out.push_back(0xd2);
    out.push_back(0x84);
    bytes(out, prot);
    out.push_back(0xa0);
    bytes(out, payload);
    bytes(out, signature);
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kapal::card;
    if (size == 0) {
        return 0;
    }
    const std::span<const std::uint8_t> input(data, size);
    const auto cose = data[0] == 'S' ? sign(input.subspan(1))
                                     : std::vector<std::uint8_t>(input.begin(), input.end());
    const std::vector<VerificationKey> keys{verification_key(key())};
    const auto list = verify_revocation_list(cose, keys);
    if (!list) {
        // A refusal names its stage and says what is wrong.
        if (list.error().fields.size() != 1 || list.error().fields[0].field.empty() ||
            list.error().fields[0].detail.empty()) {
            std::abort();
        }
        // What this target signed itself always passes the signature check: a refusal of an
        // 'S' input is about its payload, so the payload parser was reached.
        if (data[0] == 'S' && list.error().fields[0].field == "cose") {
            std::abort();
        }
        return 0;
    }
    // Read, it signs again and reads back to the same list. Signing sorts the cards by number
    // only, so entries that share a number may change places: compare them fully sorted.
    const auto by_all = [](const RevokedCard& a, const RevokedCard& b) {
        return std::tie(a.number, a.revoked_at, a.reason) <
               std::tie(b.number, b.revoked_at, b.reason);
    };
    const auto again = verify_revocation_list(sign_revocation_list(*list, key()), keys);
    if (!again || again->issuer != list->issuer || again->issued_at != list->issued_at) {
        std::abort();
    }
    auto before = list->cards;
    auto after = again->cards;
    std::sort(before.begin(), before.end(), by_all);
    std::sort(after.begin(), after.end(), by_all);
    if (before != after) {
        std::abort();
    }
    // And nobody else's key reads it.
    std::array<std::uint8_t, 32> other_seed{};
    other_seed.fill(9);
    const std::vector<VerificationKey> others{verification_key(card_key_from_seed(other_seed))};
    if (verify_revocation_list(cose, others)) {
        std::abort();
    }
    return 0;
}
