// Prints the worked example credential (tests/card/card_example.hpp) for the independent
// verifier (verify_credential.py) and for docs/card-format.md:
//   kapal_card_sample            JSON: qr, public_key_hex, kid and the claims to expect
//   kapal_card_sample --stages   every stage in hex, as the document shows them

#include "kapal/card/card_key_list.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <string_view>

#include "card/card_example.hpp"

int main(int argc, char** argv) {
    using namespace kapal::card;
    const auto key = example::key();
    const auto c = example::credential();
    const auto e = encode_credential(c, key);
    if (argc > 1 && std::string_view(argv[1]) == "--stages") {
        std::cout << "kid: " << key.kid << "\npublic key: " << to_hex(key.public_key)
                  << "\n\nprotected header:\n"
                  << example::wrap_hex(e.protected_header) << "\n\npayload:\n"
                  << example::wrap_hex(e.payload) << "\n\nsignature:\n"
                  << example::wrap_hex(e.signature) << "\n\ncose:\n"
                  << example::wrap_hex(e.cose) << "\n\nzlib:\n"
                  << example::wrap_hex(e.compressed) << "\n\nqr:\n"
                  << e.qr_text << "\n";
        return 0;
    }
    const nlohmann::json out = {{"qr", e.qr_text},
                                {"public_key_hex", to_hex(key.public_key)},
                                {"kid", key.kid},
                                {"expect",
                                 {{"card_number", c.identity.id},
                                  {"full_name", c.identity.full_name},
                                  {"date_of_birth", c.identity.date_of_birth},
                                  {"gender", *c.identity.gender},
                                  {"issuer", c.cwt.issuer},
                                  {"issued_at", *c.cwt.issued_at},
                                  {"expires_at", *c.cwt.expires_at},
                                  {"kelurahan_code", c.kapal->kelurahan_code},
                                  {"categories", {1, 5}},
                                  {"needs", c.kapal->needs}}}};
    std::cout << out.dump(2) << "\n";
    return 0;
}
