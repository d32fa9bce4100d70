#pragma once
// The list of every card signing key's public half (DIR/keys/card-keys.txt): the current one
// and every retired one, kept forever so that cards signed before a rotation still verify.
// One key a line: "<kid> EdDSA <public key, 64 hex> <created, ISO UTC> [<retired, ISO UTC>]";
// lines starting with '#' are comments.

#include "kapal/card/card_key.hpp"
#include "kapal/core/result.hpp"
#include "kapal/core/time.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::card {

/// One published public key.
struct PublishedCardKey {
    std::string kid;
    std::array<std::uint8_t, 32> public_key{};
    core::Timestamp created{};
    std::optional<core::Timestamp> retired; ///< nullopt: the key cards are signed with now

    bool operator==(const PublishedCardKey&) const = default;
};

/// The file text of a key list.
std::string format_card_key_list(const std::vector<PublishedCardKey>& keys);

/// Reads a key list. ConfigInvalid naming the line for a malformed line, a kid that does not
/// belong to its public key, or a kid listed twice.
Result<std::vector<PublishedCardKey>> parse_card_key_list(std::string_view text);

/// The keys as verification keys (all of them, current and retired).
std::vector<VerificationKey> verification_keys(const std::vector<PublishedCardKey>& keys);

/// Lower-case hex of bytes.
std::string to_hex(std::span<const std::uint8_t> bytes);

/// Base64url without padding (RFC 4648 §5), as JWK "x" values use.
std::string to_base64url(std::span<const std::uint8_t> bytes);

} // namespace kapal::card
