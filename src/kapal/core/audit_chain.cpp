#include "kapal/core/audit_chain.hpp"

#include <sodium.h>

namespace kapal::core {
namespace {

void field(std::string& out, std::string_view value) {
    out += std::to_string(value.size());
    out += ':';
    out += value;
    out += '\n';
}

} // namespace

std::string audit_chain_hash(std::string_view prev_hash, const AuditChainFields& entry) {
    std::string message = "kapal-audit-v1\n";
    field(message, prev_hash);
    field(message, std::to_string(entry.seq));
    field(message, std::to_string(entry.at_ms));
    field(message, entry.actor);
    field(message, entry.source);
    field(message, entry.action);
    field(message, entry.subject);
    field(message, entry.detail);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(
        digest, reinterpret_cast<const unsigned char*>(message.data()), message.size());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * sizeof digest);
    for (const unsigned char b : digest) {
        hex += kHex[b >> 4];
        hex += kHex[b & 0x0f];
    }
    return hex;
}

} // namespace kapal::core
