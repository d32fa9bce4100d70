// make_csv ROWS SEED > persons.csv — a deterministic CSV of ROWS valid, distinct persons in
// the import template's columns, for bench/import. Every NIK is unique and agrees with its
// birth date and sex; homes are near the kelurahan's label point.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace {

struct Kelurahan {
    const char* name;
    const char* kecamatan;
    const char* nik_kec;
    double lat;
    double lon;
};

constexpr Kelurahan kKelurahan[] = {
    {"Bontang Kuala", "Bontang Utara", "01", 0.133187, 117.508999},
    {"Bontang Baru", "Bontang Utara", "01", 0.146, 117.491363},
    {"Lok Tuan", "Bontang Utara", "01", 0.163982, 117.468733},
    {"Guntung", "Bontang Utara", "01", 0.186392, 117.479979},
    {"Gunung Elai", "Bontang Utara", "01", 0.144249, 117.482028},
    {"Api-api", "Bontang Utara", "01", 0.131078, 117.490188},
    {"Tanjung Laut", "Bontang Selatan", "02", 0.122059, 117.483913},
    {"Berbas Tengah", "Bontang Selatan", "02", 0.116159, 117.479417},
    {"Berbas Pantai", "Bontang Selatan", "02", 0.110416, 117.483877},
    {"Satimpo", "Bontang Selatan", "02", 0.106588, 117.455509},
    {"Bontang Lestari", "Bontang Selatan", "02", 0.061934, 117.432527},
    {"Tanjung Laut Indah", "Bontang Selatan", "02", 0.117995, 117.496113},
    {"Belimbing", "Bontang Barat", "03", 0.140973, 117.463609},
    {"Gunung Telihan", "Bontang Barat", "03", 0.136969, 117.455137},
    {"Kanaan", "Bontang Barat", "03", 0.124449, 117.449538},
};

constexpr const char* kGiven[] = {"Ahmad",
                                  "Muhammad",
                                  "Siti",
                                  "Nur",
                                  "Rina",
                                  "Budi",
                                  "Andi",
                                  "Dewi",
                                  "Yohanes",
                                  "Maria",
                                  "Rahmat",
                                  "Fitri",
                                  "Agus",
                                  "Sri",
                                  "Hendra",
                                  "Wahyuni"};
constexpr const char* kFamily[] = {"Saputra",
                                   "Hidayat",
                                   "Rahman",
                                   "Aminah",
                                   "Lestari",
                                   "Pratama",
                                   "Sulistyo",
                                   "Daeng",
                                   "Kurniawan",
                                   "Simanjuntak",
                                   "Wijaya",
                                   "Hasanah"};
constexpr const char* kCategory[] = {
    "fisik", "fisik", "fisik", "netra", "rungu", "wicara", "intelektual", "mental", "fisik, netra"};
constexpr const char* kSeverity[] = {"ringan", "sedang", "berat"};

template <std::size_t N> std::size_t pick(std::mt19937_64& rng, const char* const (&)[N]) {
    return static_cast<std::size_t>(rng() % N);
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: make_csv ROWS SEED\n");
        return 64;
    }
    const auto rows = std::strtoull(argv[1], nullptr, 10);
    std::mt19937_64 rng(std::strtoull(argv[2], nullptr, 10));
    std::printf("NIK,No. KK,Nama Lengkap,Jenis Kelamin (L/P),Tanggal Lahir (dd/mm/yyyy),Alamat,"
                "RT,RW,Kelurahan/Desa,Kecamatan,Ragam/Jenis Disabilitas,Tingkat Keparahan,"
                "Latitude,Longitude\n");
    for (std::uint64_t i = 0; i < rows; ++i) {
        // (day, month, year, serial) from i: distinct for every i below 336 * 60 * 9999.
        const auto day = static_cast<int>(1 + i % 28);
        const auto month = static_cast<int>(1 + (i / 28) % 12);
        const auto year = static_cast<int>(1940 + (i / 336) % 60);
        const auto serial = static_cast<int>(1 + i / (336 * 60));
        const bool female = (rng() & 1U) != 0;
        const auto& k = kKelurahan[rng() % std::size(kKelurahan)];
        const double jitter_lat = (static_cast<double>(rng() % 2001) - 1000.0) * 1e-6;
        const double jitter_lon = (static_cast<double>(rng() % 2001) - 1000.0) * 1e-6;
        std::printf("6474%s%02d%02d%02d%04d,6474%s%02d%02d%02d%04d,%s %s,%s,%02d/%02d/%04d,"
                    "Jl. Pupuk Raya No. %d,%03d,%02d,%s,%s,\"%s\",%s,%.6f,%.6f\n",
                    k.nik_kec,
                    day + (female ? 40 : 0),
                    month,
                    year % 100,
                    serial,
                    k.nik_kec,
                    1 + static_cast<int>(rng() % 28),
                    1 + static_cast<int>(rng() % 12),
                    static_cast<int>(rng() % 100),
                    1 + static_cast<int>(rng() % 9999),
                    kGiven[pick(rng, kGiven)],
                    kFamily[pick(rng, kFamily)],
                    female ? "P" : "L",
                    day,
                    month,
                    year,
                    1 + static_cast<int>(rng() % 200),
                    1 + static_cast<int>(rng() % 40),
                    1 + static_cast<int>(rng() % 12),
                    k.name,
                    k.kecamatan,
                    kCategory[pick(rng, kCategory)],
                    kSeverity[pick(rng, kSeverity)],
                    k.lat + jitter_lat,
                    k.lon + jitter_lon);
    }
    return 0;
}
