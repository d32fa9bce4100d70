#include "kapal/card/card_key_list.hpp"

#include <set>
#include <sstream>

namespace kapal::card {
namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

unexpected<Error> bad_line(int line, const std::string& what) {
    return fail(ErrorCode::ConfigInvalid,
                "card-keys.txt line " + std::to_string(line) + ": " + what,
                {FieldIssue{"line " + std::to_string(line), ErrorCode::ConfigInvalid, what}});
}

} // namespace

std::string to_hex(std::span<const std::uint8_t> bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const auto b : bytes) {
        out += kHex[b >> 4U];
        out += kHex[b & 15U];
    }
    return out;
}

std::string to_base64url(std::span<const std::uint8_t> bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned n = (bytes[i] << 16U) | (bytes[i + 1] << 8U) | bytes[i + 2];
        out += kAlphabet[(n >> 18U) & 63U];
        out += kAlphabet[(n >> 12U) & 63U];
        out += kAlphabet[(n >> 6U) & 63U];
        out += kAlphabet[n & 63U];
    }
    if (bytes.size() - i == 1) {
        const unsigned n = bytes[i] << 16U;
        out += kAlphabet[(n >> 18U) & 63U];
        out += kAlphabet[(n >> 12U) & 63U];
    } else if (bytes.size() - i == 2) {
        const unsigned n = (bytes[i] << 16U) | (bytes[i + 1] << 8U);
        out += kAlphabet[(n >> 18U) & 63U];
        out += kAlphabet[(n >> 12U) & 63U];
        out += kAlphabet[(n >> 6U) & 63U];
    }
    return out;
}

std::string format_card_key_list(const std::vector<PublishedCardKey>& keys) {
    std::string out = "# Kapal card signing keys (public halves), oldest first. Keep every line:\n"
                      "# cards signed with a retired key verify only while it is listed.\n";
    for (const auto& k : keys) {
        out += k.kid + " EdDSA " + to_hex(k.public_key) + " " + core::format_timestamp(k.created);
        if (k.retired) {
            out += " " + core::format_timestamp(*k.retired);
        }
        out += "\n";
    }
    return out;
}

Result<std::vector<PublishedCardKey>> parse_card_key_list(std::string_view text) {
    std::vector<PublishedCardKey> out;
    std::set<std::string> kids;
    std::istringstream in{std::string(text)};
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line[0] == '#') {
            continue;
        }
        std::istringstream fields(line);
        std::string kid, alg, hex, created, retired, extra;
        fields >> kid >> alg >> hex >> created >> retired >> extra;
        if (kid.empty() || alg != "EdDSA" || hex.size() != 64 || created.empty() ||
            !extra.empty()) {
            return bad_line(number, "expected '<kid> EdDSA <64 hex digits> <created> [<retired>]'");
        }
        PublishedCardKey k;
        k.kid = kid;
        for (std::size_t i = 0; i < 32; ++i) {
            const int hi = hex_digit(hex[2 * i]);
            const int lo = hex_digit(hex[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                return bad_line(number, "the public key is not lower-case hex");
            }
            k.public_key[i] = static_cast<std::uint8_t>(hi * 16 + lo);
        }
        if (card_key_id(k.public_key) != kid) {
            return bad_line(number, "kid " + kid + " does not belong to its public key");
        }
        const auto c = core::parse_timestamp(created);
        if (!c) {
            return bad_line(number, "created '" + created + "' is not an ISO UTC time");
        }
        k.created = *c;
        if (!retired.empty()) {
            const auto r = core::parse_timestamp(retired);
            if (!r) {
                return bad_line(number, "retired '" + retired + "' is not an ISO UTC time");
            }
            k.retired = *r;
        }
        if (!kids.insert(kid).second) {
            return bad_line(number, "kid " + kid + " is listed twice");
        }
        out.push_back(std::move(k));
    }
    return out;
}

std::vector<VerificationKey> verification_keys(const std::vector<PublishedCardKey>& keys) {
    std::vector<VerificationKey> out;
    for (const auto& k : keys) {
        out.push_back(VerificationKey{
            k.kid, CoseAlgorithm::EdDSA, {k.public_key.begin(), k.public_key.end()}});
    }
    return out;
}

} // namespace kapal::card
