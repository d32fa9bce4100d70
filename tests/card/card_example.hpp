#pragma once
// The worked example of docs/card-format.md: a fixed key (RFC 8032's test key 1), a fixed
// person and fixed dates, so that its bytes never change unless the format does.

#include "kapal/card/card_number.hpp"
#include "kapal/card/credential.hpp"

#include <array>
#include <cstdint>
#include <string>

namespace kapal::card::example {

/// RFC 8032 §7.1 TEST 1 secret key (the seed); its public key is d75a9801...f707511a.
inline CardKey key() {
    const std::array<std::uint8_t, 32> seed = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60,
                                               0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
                                               0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19,
                                               0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
    return card_key_from_seed(seed);
}

/// 2026-11-28T00:00:00Z, the issue date; the card runs five years (365-day years).
inline constexpr std::int64_t kIssuedAt = 1795824000;
inline constexpr std::int64_t kExpiresAt = kIssuedAt + 5 * 365 * 86400;

/// A fictional registrant of Bontang Utara.
inline core::Person person() {
    core::Person p;
    p.nik = "6474014107850003"; // never in the credential
    p.full_name = "Siti Aminah";
    p.sex = core::Sex::Female;
    p.birth_date = core::make_date(1985, 7, 1);
    p.address = {"Jl. Cumi-Cumi No. 12", "007", "002", "64.74.01.1003"};
    p.categories = {core::Category::Fisik, core::Category::SensorikRungu};
    p.assistive_devices = {"kursi_roda"};
    p.therapies = {"fisioterapi"};
    return p;
}

inline Credential credential() {
    return person_credential(person(),
                             CardFacts{make_card_number("64.74", 1),
                                       "https://kapal.bontangkota.go.id",
                                       kIssuedAt,
                                       kExpiresAt});
}

/// Bytes as lower-case hex in lines of `width` characters.
inline std::string wrap_hex(const std::vector<std::uint8_t>& bytes, std::size_t width = 64) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i > 0 && (2 * i) % width == 0) {
            out += '\n';
        }
        out += kHex[bytes[i] >> 4U];
        out += kHex[bytes[i] & 15U];
    }
    return out;
}

} // namespace kapal::card::example
