// Fuzz target for the card credential decoder (kapal::card): any input must decode or be
// refused with a stage and a reason, never crash, hang or allocate without bound; whatever
// decodes must verify consistently. The first byte picks the entry point: 'C' feeds the rest
// as COSE bytes (zlib and Base45 applied here, so the fuzzer reaches the CBOR parsing
// directly); anything else is QR text.

#include "kapal/card/credential.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
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

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kapal::card;
    if (size == 0) {
        return 0;
    }
    std::string text;
    if (data[0] == 'C') {
        text = qr_text_of_cose({data + 1, size - 1});
    } else {
        text.assign(reinterpret_cast<const char*>(data), size);
    }
    DecodeOptions options;
    options.decryption_key.assign(32, 0x10); // opens COSE_Encrypt0 made with this key
    auto decoded = decode_credential(text, options);
    if (!decoded &&
        (decoded.error().fields.size() != 1 || decoded.error().fields[0].field.empty() ||
         decoded.error().fields[0].detail.empty())) {
        std::abort(); // a refusal names its stage and says what is wrong
    }
    const kapal::core::FixedClock clock(kapal::core::from_unix_ms(1767225600000));
    const std::vector<VerificationKey> keys{verification_key(key())};
    const auto r = verify_credential(text, keys, clock, options);
    if (decoded.has_value() != r.decoded.has_value()) {
        std::abort();
    }
    if (decoded && !(decoded->credential == r.decoded->credential)) {
        std::abort();
    }
    if (r.status == VerifyStatus::Valid && (!decoded || decoded->signature.empty())) {
        std::abort();
    }
    if (decoded) {
        // What decodes re-encodes, and the re-encoding decodes to the same credential (less
        // the keys the decoder does not interpret: it keeps their numbers, not their values).
        auto known = decoded->credential;
        known.identity.other_keys.clear();
        const auto again = decode_credential(encode_credential(known, key()).qr_text);
        if (!again || !(again->credential == known)) {
            std::abort();
        }
    }
    return 0;
}
