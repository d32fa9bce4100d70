#pragma once
// Synthetic, realistic-looking persons for demos, load tests and training: every value is made
// up from a seed (no real person's data), but the shapes are those of Kota Bontang.

#include "kapal/core/person.hpp"
#include "kapal/core/time.hpp"
#include "kapal/geo/area_index.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kapal::service {

/// Population of one kecamatan (Kemendagri code), e.g. {"64.74.01", 89010}.
struct KecamatanPopulation {
    std::string kecamatan_code;
    std::int64_t population = 0;
};

/// What to generate.
struct DemoOptions {
    std::size_t persons = 2000;    ///< total, near-duplicates included
    std::uint64_t seed = 1;        ///< same seed (and inputs) -> identical output
    core::Date today{};            ///< fixed by the caller; must be ok()
    double duplicate_share = 0.02; ///< share of persons that are near-duplicates, 0..0.5
};

/// Generates `options.persons` persons, deterministically for a seed on every platform
/// (std::mt19937_64 with our own integer/real mapping, never the std distributions).
///
/// - Persons per kecamatan are in proportion to `population` (largest-remainder rounding);
///   within a kecamatan the kelurahan (features of `kelurahan` whose code starts with the
///   kecamatan code) are chosen with EQUAL probability, not by area: Bontang Lestari is 80 % of
///   Bontang Selatan's area but mostly forest and mangrove.
/// - The home is a random point for which kelurahan.locate() answers Inside with the person's
///   address.kelurahan_code; source Gps, accuracy 5–30 m. About 12 % of persons share a
///   household (KK number, street, RT/RW and home) with an earlier person.
/// - NIK: 6474 + kecamatan of first registration (mostly the current one), or for ~10 % another
///   Kaltim prefix (6471 Balikpapan, 6472 Samarinda, 6402 Kutai Kartanegara, 6408 Kutai Timur)
///   with a real kecamatan; then DDMMYY of the birth date (+40 on the day for women) and a serial
///   from 0001; unique across the set; always consistent with birth date and sex.
/// - The last round(persons × duplicate_share) persons are near-duplicates of earlier ones:
///   name variant and/or day-month swapped birth date, same address and home, a different NIK
///   (same region and date part as their recorded birth date, another serial). Their
///   `needs_note` is empty like everyone's; nothing in the record marks them.
///
/// Preconditions: options.today.ok(), the kecamatan of `population` have at least one
/// kelurahan in the index, the sum of population > 0, 0 <= duplicate_share <= 0.5.
std::vector<core::Person> generate_demo_persons(const DemoOptions& options,
                                                const geo::AreaIndex& kelurahan,
                                                const std::vector<KecamatanPopulation>& population);

} // namespace kapal::service
