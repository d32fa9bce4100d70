#pragma once
// Public identifiers are UUIDv7 (RFC 9562) text: opaque, globally unique, time-ordered, so
// offline devices and several instances never collide. Integer keys stay inside the store.

#include "kapal/core/time.hpp"

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

namespace kapal::core {

/// A strong type for one kind of public id; Tag keeps PersonId and (later) CardId apart.
template <class Tag> class PublicId {
  public:
    PublicId() = default;

    explicit PublicId(std::string value)
        : value_(std::move(value)) {}

    const std::string& str() const { return value_; }

    bool empty() const { return value_.empty(); }

    auto operator<=>(const PublicId&) const = default;

  private:
    std::string value_;
};

struct PersonTag {};

using PersonId = PublicId<PersonTag>;

/// Formats a UUIDv7 from a time and 74 random bits (only the low bits of `rand_a` (12) and
/// `rand_b` (62) are used). Pure: the same input gives the same id.
std::string format_uuid_v7(Timestamp t, std::uint64_t rand_a, std::uint64_t rand_b);

/// True for canonical lowercase 8-4-4-4-12 hex UUID text of version 7.
bool is_uuid_v7(std::string_view text);

/// Makes UUIDv7s from a clock time and a random source; thread-safe. Ids from one generator
/// are strictly increasing (RFC 9562 §6.2, method 2): within one millisecond, or when the
/// clock steps back, the 74-bit random part of the previous id is incremented instead of drawn
/// anew, so a batch of ids is inserted in order into the store's indexes.
class IdGenerator {
  public:
    /// Seeded from std::random_device (the OS's entropy).
    IdGenerator();

    /// Deterministic ids for tests and demo data.
    explicit IdGenerator(std::uint64_t seed);

    std::string next(Timestamp t);

  private:
    std::mutex mutex_;
    std::mt19937_64 rng_;
    std::int64_t last_ms_ = -1;
    std::uint64_t last_a_ = 0; // 12 bits
    std::uint64_t last_b_ = 0; // 62 bits
};

} // namespace kapal::core
