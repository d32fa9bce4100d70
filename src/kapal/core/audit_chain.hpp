#pragma once
// The rule that chains the audit log (DESIGN.md: a pure function in core that the store
// applies): each entry's hash covers the previous entry's hash and every field of the entry, so
// that changing, removing, inserting or reordering an entry changes every hash after it.

#include <cstdint>
#include <string>
#include <string_view>

namespace kapal::core {

/// The "previous hash" of the first entry: 64 zeros.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an audit entry that the chain covers.
struct AuditChainFields {
    std::int64_t seq = 0;
    std::int64_t at_ms = 0; ///< Unix milliseconds, as stored
    std::string_view actor;
    std::string_view source;
    std::string_view action;
    std::string_view subject;
    std::string_view detail;
};

/// SHA-256, as 64 lower-case hex digits, of
///   "kapal-audit-v1\n" + for each of prev_hash, seq, at_ms, actor, source, action, subject,
///   detail: its length in bytes (decimal), ':', its bytes, '\n'
/// (seq and at_ms as decimal text). Length prefixes make the encoding unambiguous whatever the
/// fields hold. docs/SECURITY.md describes it for independent verifiers.
std::string audit_chain_hash(std::string_view prev_hash, const AuditChainFields& entry);

} // namespace kapal::core
