// docs/card-format.md shows the worked example's bytes at every stage. This test encodes the
// example again and fails when the document and the code disagree, so neither drifts. To
// refresh the document after a deliberate format change: build/<preset>/tests/card/
// kapal_card_sample --stages, and paste each block.

#include "kapal/card/card_key_list.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "card/card_example.hpp"

namespace kapal::card {
namespace {

std::string document() {
    std::ifstream in(std::string(KAPAL_SOURCE_DIR) + "/docs/card-format.md");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The fenced block that follows the line "<!-- example: NAME -->".
std::string block(const std::string& doc, const std::string& name) {
    const auto marker = doc.find("<!-- example: " + name + " -->");
    if (marker == std::string::npos) {
        return "(no block " + name + ")";
    }
    const auto open = doc.find("```\n", marker);
    const auto close = doc.find("\n```", open + 4);
    if (open == std::string::npos || close == std::string::npos) {
        return "(unterminated block " + name + ")";
    }
    return doc.substr(open + 4, close - open - 4);
}

TEST(CardFormatDoc, TheWorkedExampleIsWhatTheCodeProduces) {
    const auto doc = document();
    ASSERT_FALSE(doc.empty()) << "docs/card-format.md not found";
    const auto key = example::key();
    const auto e = encode_credential(example::credential(), key);
    EXPECT_EQ(block(doc, "public-key"), to_hex(key.public_key));
    EXPECT_EQ(block(doc, "kid"), key.kid);
    EXPECT_EQ(block(doc, "protected"), example::wrap_hex(e.protected_header));
    EXPECT_EQ(block(doc, "payload"), example::wrap_hex(e.payload));
    EXPECT_EQ(block(doc, "signature"), example::wrap_hex(e.signature));
    EXPECT_EQ(block(doc, "cose"), example::wrap_hex(e.cose));
    EXPECT_EQ(block(doc, "zlib"), example::wrap_hex(e.compressed));
    EXPECT_EQ(block(doc, "qr"), e.qr_text);
}

TEST(CardFormatDoc, TheWorkedExampleVerifies) {
    const auto key = example::key();
    const auto e = encode_credential(example::credential(), key);
    const core::FixedClock clock(core::from_unix_ms(example::kIssuedAt * 1000));
    const std::vector<VerificationKey> keys{verification_key(key)};
    EXPECT_EQ(verify_credential(e.qr_text, keys, clock).status, VerifyStatus::Valid);
}

} // namespace
} // namespace kapal::card
