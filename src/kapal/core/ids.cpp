#include "kapal/core/ids.hpp"

#include <array>
#include <cstdio>

namespace kapal::core {

std::string format_uuid_v7(Timestamp t, std::uint64_t rand_a, std::uint64_t rand_b) {
    const auto ms = static_cast<std::uint64_t>(to_unix_ms(t)) & 0xFFFF'FFFF'FFFFULL;
    const std::uint64_t a = rand_a & 0xFFFU;
    const std::uint64_t b = rand_b & 0x3FFF'FFFF'FFFF'FFFFULL;
    std::array<char, 40> buf{};
    std::snprintf(buf.data(),
                  buf.size(),
                  "%08llx-%04llx-7%03llx-%04llx-%012llx",
                  static_cast<unsigned long long>(ms >> 16U),
                  static_cast<unsigned long long>(ms & 0xFFFFU),
                  static_cast<unsigned long long>(a),
                  static_cast<unsigned long long>(0x8000U | (b >> 48U)),
                  static_cast<unsigned long long>(b & 0xFFFF'FFFF'FFFFULL));
    return buf.data();
}

bool is_uuid_v7(std::string_view text) {
    if (text.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') {
                return false;
            }
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return text[14] == '7' &&
           (text[19] == '8' || text[19] == '9' || text[19] == 'a' || text[19] == 'b');
}

IdGenerator::IdGenerator()
    : rng_(std::random_device{}()) {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    rng_.seed(seq);
}

IdGenerator::IdGenerator(std::uint64_t seed)
    : rng_(seed) {}

std::string IdGenerator::next(Timestamp t) {
    const std::lock_guard lock(mutex_);
    auto ms = to_unix_ms(t);
    if (ms > last_ms_) {
        last_ms_ = ms;
        last_a_ = rng_() & 0xFFFU;
        // The top bit stays clear so increments within this millisecond cannot overflow.
        last_b_ = rng_() & 0x1FFF'FFFF'FFFF'FFFFULL;
    } else {
        ms = last_ms_;
        if (++last_b_ > 0x3FFF'FFFF'FFFF'FFFFULL) {
            last_b_ = 0;
            if (++last_a_ > 0xFFFU) {
                last_a_ = 0;
                last_ms_ = ++ms;
            }
        }
    }
    return format_uuid_v7(from_unix_ms(ms), last_a_, last_b_);
}

} // namespace kapal::core
