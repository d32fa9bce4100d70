#include "kapal/service/demo_data.hpp"

#include "kapal/core/assert.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <span>
#include <string_view>
#include <utility>

namespace kapal::service {
namespace {

using core::Category;
using core::Date;
using core::DisabilitySeverity;
using core::Person;
using core::Sex;
using core::WgDomain;
using Names = std::span<const std::string_view>;

// ---- randomness: mt19937_64 plus mappings of our own, identical on every standard library ----

class Rand {
  public:
    explicit Rand(std::uint64_t seed)
        : engine_(seed) {}

    /// Uniform in [0, n); n > 0. Rejection removes the modulo bias.
    std::uint64_t below(std::uint64_t n) {
        KAPAL_ASSERT(n > 0);
        const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                                    std::numeric_limits<std::uint64_t>::max() % n;
        std::uint64_t x = engine_();
        while (x >= limit) {
            x = engine_();
        }
        return x % n;
    }

    /// Uniform integer in [lo, hi].
    int range(int lo, int hi) {
        KAPAL_ASSERT(lo <= hi);
        return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo) + 1));
    }

    /// Uniform in [0, 1).
    double unit() { return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0); }

    bool chance(double p) { return unit() < p; }

    template <class T> const T& pick(std::span<const T> items) {
        return items[static_cast<std::size_t>(below(items.size()))];
    }

    template <class T> const T& pick(const std::vector<T>& items) {
        return items[static_cast<std::size_t>(below(items.size()))];
    }

    /// An index drawn with the given integer weights.
    std::size_t weighted(std::span<const int> weights) {
        int total = 0;
        for (const int w : weights) {
            total += w;
        }
        int x = range(0, total - 1);
        for (std::size_t i = 0; i < weights.size(); ++i) {
            if (x < weights[i]) {
                return i;
            }
            x -= weights[i];
        }
        return weights.size() - 1;
    }

    /// n digits, leading zeros allowed.
    std::string digits(int n) {
        std::string s;
        for (int i = 0; i < n; ++i) {
            s.push_back(static_cast<char>('0' + below(10)));
        }
        return s;
    }

    std::mt19937_64& engine() { return engine_; }

  private:
    std::mt19937_64 engine_;
};

// ---- names ---------------------------------------------------------------------------------

// Given names and second/family names common in Kalimantan Timur, by cultural background.
// `family_share`: how often a second name is added; `inherited`: a family name passed on
// (Batak, Toraja/Manado, Dayak Christian), so a caregiver parent carries the same one.
struct NameGroup {
    std::string_view culture;
    int weight;
    Names male;
    Names female;
    Names family;
    double family_share;
    bool inherited;
    Names birth_places; ///< outside Kaltim, for migrants registered in Bontang
};

constexpr auto kBugisMale = std::to_array<std::string_view>({"Andi",
                                                             "Muhammad",
                                                             "Baharuddin",
                                                             "Jamaluddin",
                                                             "Syamsul",
                                                             "Arifin",
                                                             "Hasanuddin",
                                                             "Syahrir",
                                                             "Basri",
                                                             "Ridwan",
                                                             "Amir",
                                                             "Akbar",
                                                             "Sudirman",
                                                             "Muhammad Yusuf",
                                                             "Rahmat",
                                                             "Irwan",
                                                             "Hamzah",
                                                             "Nasrullah"});
constexpr auto kBugisFemale = std::to_array<std::string_view>({"Andi",
                                                               "Besse",
                                                               "Siti",
                                                               "Hasnah",
                                                               "Hafsah",
                                                               "Nurhayati",
                                                               "Rosmini",
                                                               "Hasmawati",
                                                               "Sitti",
                                                               "Nurmiati",
                                                               "Rahmawati",
                                                               "Jumriah",
                                                               "Hartati",
                                                               "Sumarni",
                                                               "Kasmawati",
                                                               "Fatmawati"});
constexpr auto kBugisFamily = std::to_array<std::string_view>({"Mappiasse",
                                                               "Syamsuddin",
                                                               "Arsyad",
                                                               "Latif",
                                                               "Mustafa",
                                                               "Ramli",
                                                               "Tahir",
                                                               "Idris",
                                                               "Hamid",
                                                               "Nurdin",
                                                               "Saleh",
                                                               "Daeng Mappuji",
                                                               "Amiruddin",
                                                               "Patongai"});
constexpr auto kBugisPlaces = std::to_array<std::string_view>(
    {"Bone", "Sengkang", "Makassar", "Pinrang", "Sidrap", "Parepare", "Palopo"});

constexpr auto kJawaMale = std::to_array<std::string_view>({"Budi",
                                                            "Agus",
                                                            "Slamet",
                                                            "Joko",
                                                            "Bambang",
                                                            "Sugeng",
                                                            "Suparman",
                                                            "Mulyadi",
                                                            "Wahyu",
                                                            "Eko",
                                                            "Heru",
                                                            "Sutrisno",
                                                            "Purwanto",
                                                            "Dwi",
                                                            "Teguh",
                                                            "Muhammad",
                                                            "Ahmad",
                                                            "Sigit"});
constexpr auto kJawaFemale = std::to_array<std::string_view>({"Sri",
                                                              "Dewi",
                                                              "Wulandari",
                                                              "Suryani",
                                                              "Sumiati",
                                                              "Kartini",
                                                              "Endang",
                                                              "Sulastri",
                                                              "Tri",
                                                              "Rini",
                                                              "Siti",
                                                              "Siti Aminah",
                                                              "Lestari",
                                                              "Puji",
                                                              "Yuliani",
                                                              "Ratna",
                                                              "Ani"});
constexpr auto kJawaFamily = std::to_array<std::string_view>({"Santoso",
                                                              "Wibowo",
                                                              "Susanto",
                                                              "Purnomo",
                                                              "Nugroho",
                                                              "Setiawan",
                                                              "Hidayat",
                                                              "Prasetyo",
                                                              "Rahayu",
                                                              "Handayani",
                                                              "Ningsih",
                                                              "Wati",
                                                              "Kurniawan",
                                                              "Saputra",
                                                              "Utomo",
                                                              "Lestari"});
constexpr auto kJawaPlaces = std::to_array<std::string_view>(
    {"Surabaya", "Malang", "Kediri", "Jember", "Semarang", "Banyuwangi", "Yogyakarta"});

constexpr auto kBanjarMale = std::to_array<std::string_view>({"Gusti",
                                                              "Anang",
                                                              "Ahmad",
                                                              "Muhammad",
                                                              "Rahmadi",
                                                              "Fahrurrazi",
                                                              "Saberan",
                                                              "Ijai",
                                                              "Syahrani",
                                                              "Abdul Gani",
                                                              "Hairil",
                                                              "Rusdiansyah",
                                                              "Bahrani",
                                                              "Supiani",
                                                              "Mahyudin"});
constexpr auto kBanjarFemale = std::to_array<std::string_view>({"Galuh",
                                                                "Aluh",
                                                                "Masnah",
                                                                "Rusdiana",
                                                                "Norma",
                                                                "Rahmah",
                                                                "Salasiah",
                                                                "Jamilah",
                                                                "Siti",
                                                                "Hairunnisa",
                                                                "Mariana",
                                                                "Rabiatul Adawiyah",
                                                                "Fitriani",
                                                                "Noorhidayah"});
constexpr auto kBanjarFamily = std::to_array<std::string_view>({"Noor",
                                                                "Gazali",
                                                                "Arsyad",
                                                                "Hasbi",
                                                                "Mahmud",
                                                                "Rasyid",
                                                                "Ansyari",
                                                                "Fadillah",
                                                                "Rahman",
                                                                "Effendi",
                                                                "Syarifuddin",
                                                                "Husin"});
constexpr auto kBanjarPlaces = std::to_array<std::string_view>(
    {"Banjarmasin", "Martapura", "Amuntai", "Kandangan", "Barabai", "Banjarbaru"});

constexpr auto kKutaiMale = std::to_array<std::string_view>({"Aji",
                                                             "Awang",
                                                             "Muhammad",
                                                             "Abdul Rahman",
                                                             "Johansyah",
                                                             "Syaiful",
                                                             "Herliansyah",
                                                             "Zainal",
                                                             "Irfansyah",
                                                             "Edy",
                                                             "Rusliansyah",
                                                             "Hasyim"});
constexpr auto kKutaiFemale = std::to_array<std::string_view>({"Dayang",
                                                               "Nur",
                                                               "Salmah",
                                                               "Aminah",
                                                               "Fatimah",
                                                               "Juwita",
                                                               "Halimah",
                                                               "Norhayati",
                                                               "Rosita",
                                                               "Mardiana",
                                                               "Siti",
                                                               "Hamidah"});
constexpr auto kKutaiFamily = std::to_array<std::string_view>({"Kesuma",
                                                               "Sulaiman",
                                                               "Ismail",
                                                               "Yusuf",
                                                               "Ibrahim",
                                                               "Idris",
                                                               "Abbas",
                                                               "Jafar",
                                                               "Maulana",
                                                               "Hidayatullah"});
constexpr auto kKutaiPlaces = std::to_array<std::string_view>({"Tenggarong", "Muara Kaman"});

constexpr auto kDayakMale = std::to_array<std::string_view>({"Lung",
                                                             "Ajang",
                                                             "Ding",
                                                             "Yohanes",
                                                             "Petrus",
                                                             "Paulus",
                                                             "Markus",
                                                             "Stefanus",
                                                             "Lawing",
                                                             "Juk",
                                                             "Ibau",
                                                             "Hendrikus",
                                                             "Ubang",
                                                             "Ngau"});
constexpr auto kDayakFemale = std::to_array<std::string_view>({"Ping",
                                                               "Uyau",
                                                               "Iyang",
                                                               "Maria",
                                                               "Lusia",
                                                               "Theresia",
                                                               "Yuliana",
                                                               "Bulan",
                                                               "Anyeq",
                                                               "Ilah",
                                                               "Elisabet",
                                                               "Agustina"});
constexpr auto kDayakFamily = std::to_array<std::string_view>(
    {"Usat", "Jalung", "Lahang", "Ngau", "Anyeq", "Lawai", "Bilung", "Ajang", "Ibau", "Belawan"});
constexpr auto kDayakPlaces =
    std::to_array<std::string_view>({"Long Bagun", "Malinau", "Putussibau", "Long Apari"});

constexpr auto kChristianMale = std::to_array<std::string_view>({"Yohanes",
                                                                 "Daniel",
                                                                 "Samuel",
                                                                 "Yosef",
                                                                 "Fransiskus",
                                                                 "Yakobus",
                                                                 "Markus",
                                                                 "Matius",
                                                                 "Stevanus",
                                                                 "Frans",
                                                                 "Yulius",
                                                                 "Andreas",
                                                                 "Robert",
                                                                 "Jefri"});
constexpr auto kChristianFemale = std::to_array<std::string_view>({"Maria",
                                                                   "Magdalena",
                                                                   "Yohana",
                                                                   "Ruth",
                                                                   "Debora",
                                                                   "Elisabet",
                                                                   "Marta",
                                                                   "Yuliana",
                                                                   "Novita",
                                                                   "Kristina",
                                                                   "Veronika",
                                                                   "Lidia"});
constexpr auto kChristianFamily = std::to_array<std::string_view>({"Pasolang",
                                                                   "Rante",
                                                                   "Tandi",
                                                                   "Sampe",
                                                                   "Tumbelaka",
                                                                   "Wenas",
                                                                   "Sitorus",
                                                                   "Simanjuntak",
                                                                   "Siregar",
                                                                   "Nainggolan",
                                                                   "Manurung",
                                                                   "Lumban Gaol",
                                                                   "Palinggi",
                                                                   "Tangdililing"});
constexpr auto kChristianPlaces = std::to_array<std::string_view>(
    {"Rantepao", "Makale", "Manado", "Tomohon", "Medan", "Pematang Siantar", "Kupang"});

constexpr std::array kNameGroups = {
    NameGroup{"bugis", 30, kBugisMale, kBugisFemale, kBugisFamily, 0.6, false, kBugisPlaces},
    NameGroup{"jawa", 24, kJawaMale, kJawaFemale, kJawaFamily, 0.6, false, kJawaPlaces},
    NameGroup{"banjar", 15, kBanjarMale, kBanjarFemale, kBanjarFamily, 0.5, false, kBanjarPlaces},
    NameGroup{"kutai", 12, kKutaiMale, kKutaiFemale, kKutaiFamily, 0.6, false, kKutaiPlaces},
    NameGroup{"dayak", 8, kDayakMale, kDayakFemale, kDayakFamily, 0.8, true, kDayakPlaces},
    NameGroup{"kristen",
              11,
              kChristianMale,
              kChristianFemale,
              kChristianFamily,
              0.95,
              true,
              kChristianPlaces},
};

// ---- places, streets, phones, banks --------------------------------------------------------

// Other Kaltim NIK prefixes (kab/kota) with the number of kecamatan in kode_wilayah_kaltim_64.csv
// and the usual birth place written for them.
struct OtherRegion {
    std::string_view prefix;
    int kecamatan_count;
    std::string_view birth_place;
};

constexpr std::array kOtherRegions = {
    OtherRegion{"6471", 6, "Balikpapan"},
    OtherRegion{"6472", 10, "Samarinda"},
    OtherRegion{"6402", 20, "Tenggarong"},
    OtherRegion{"6408", 18, "Sangatta"},
};

constexpr auto kStreets = std::to_array<std::string_view>({"Jl. Ahmad Yani",
                                                           "Jl. MT Haryono",
                                                           "Jl. Imam Bonjol",
                                                           "Jl. Letjen S. Parman",
                                                           "Jl. Pupuk Raya",
                                                           "Jl. Cipto Mangunkusumo",
                                                           "Jl. Jenderal Sudirman",
                                                           "Jl. Bhayangkara",
                                                           "Jl. KS Tubun",
                                                           "Jl. Brigjend Katamso",
                                                           "Jl. DI Panjaitan",
                                                           "Jl. Awang Long",
                                                           "Jl. Ir. H. Juanda",
                                                           "Jl. Selat Makassar",
                                                           "Jl. Soekarno-Hatta",
                                                           "Jl. Pattimura",
                                                           "Jl. HM Ardans",
                                                           "Jl. Arief Rahman Hakim",
                                                           "Jl. Kapten Pierre Tendean",
                                                           "Jl. Mulawarman",
                                                           "Jl. Gajah Mada",
                                                           "Jl. Hasanuddin",
                                                           "Jl. Slamet Riyadi",
                                                           "Jl. Piere Tendean",
                                                           "Jl. Urip Sumoharjo",
                                                           "Jl. Kakap",
                                                           "Jl. Tenggiri",
                                                           "Jl. Sultan Syahrir",
                                                           "Jl. Flores",
                                                           "Jl. Hayam Wuruk",
                                                           "Jl. Cut Nyak Dien",
                                                           "Jl. RE Martadinata"});

constexpr auto kGangs = std::to_array<std::string_view>({"Gg. Mawar",
                                                         "Gg. Melati",
                                                         "Gg. Anggrek",
                                                         "Gg. Damai",
                                                         "Gg. Rukun",
                                                         "Gg. Sejahtera",
                                                         "Gg. Nusantara",
                                                         "Gg. Kenari",
                                                         "Gg. Family",
                                                         "Gg. Masjid",
                                                         "Gg. Sepakat",
                                                         "Gg. Purnama"});

constexpr auto kPhonePrefixes = std::to_array<std::string_view>(
    {"11", "12", "13", "21", "22", "23", "51", "52", "53", "14", "15", "16", "55", "56", "57",
     "58", "17", "18", "19", "59", "77", "78", "95", "96", "97", "98", "99", "81", "82", "88"});

struct Bank {
    std::string_view name;
    int digits;
};

constexpr std::array kBanks = {
    Bank{"Bankaltimtara", 10}, Bank{"BRI", 15}, Bank{"BNI", 10}, Bank{"Mandiri", 13}};
constexpr std::array kBankWeights = {35, 35, 15, 15};

constexpr auto kEWallets = std::to_array<std::string_view>({"DANA", "OVO", "GoPay", "ShopeePay"});

// ---- disability ----------------------------------------------------------------------------

// UU 8/2016 categories: fisik most common, then sensorik (netra, rungu, wicara), intelektual,
// mental.
constexpr std::array kCategoryOrder = {Category::Fisik,
                                       Category::SensorikNetra,
                                       Category::SensorikRungu,
                                       Category::SensorikWicara,
                                       Category::Intelektual,
                                       Category::Mental};
constexpr std::array kCategoryWeights = {40, 13, 11, 6, 18, 12};

constexpr std::array kSeverityOrder = {
    DisabilitySeverity::Ringan, DisabilitySeverity::Sedang, DisabilitySeverity::Berat};
constexpr std::array kSeverityWeights = {40, 35, 25};

Names subtypes(Category c) {
    static constexpr auto kFisik = std::to_array<std::string_view>({"paraplegia",
                                                                    "amputasi kaki",
                                                                    "amputasi tangan",
                                                                    "polio",
                                                                    "cerebral palsy",
                                                                    "pasca stroke",
                                                                    "lumpuh layu",
                                                                    "kelainan tulang belakang",
                                                                    "dwarfisme"});
    static constexpr auto kNetra = std::to_array<std::string_view>({"buta total", "low vision"});
    static constexpr auto kRungu =
        std::to_array<std::string_view>({"tuli", "kurang dengar", "tuli sejak lahir"});
    static constexpr auto kWicara =
        std::to_array<std::string_view>({"bisu", "gangguan bicara", "afasia"});
    static constexpr auto kIntelektual = std::to_array<std::string_view>(
        {"Down syndrome", "lambat belajar", "disabilitas grahita", "mikrosefali"});
    static constexpr auto kMental = std::to_array<std::string_view>(
        {"skizofrenia", "bipolar", "autisme", "depresi berat", "ADHD"});
    switch (c) {
    case Category::Fisik:
        return kFisik;
    case Category::SensorikNetra:
        return kNetra;
    case Category::SensorikRungu:
        return kRungu;
    case Category::SensorikWicara:
        return kWicara;
    case Category::Intelektual:
        return kIntelektual;
    case Category::Mental:
        return kMental;
    }
    return kFisik;
}

void set_wg(Person& p, WgDomain d, int value) {
    auto& slot = p.wgss[static_cast<std::size_t>(d)];
    const auto v = static_cast<std::uint8_t>(value);
    if (!slot || *slot < v) {
        slot = v;
    }
}

// WG-SS answers: 1 everywhere, a little difficulty (2) here and there, and a lot (3) or cannot
// (4) in the domain of each category; berat gives 4, sedang 3, ringan 3 (so that the WG
// identifier agrees with the registry).
void fill_wgss(Rand& rnd, Person& p) {
    for (std::size_t i = 0; i < core::kWgDomainCount; ++i) {
        p.wgss[i] = static_cast<std::uint8_t>(rnd.chance(0.15) ? 2 : 1);
    }
    const bool berat = p.severity == DisabilitySeverity::Berat;
    const int main = berat ? 4 : 3;
    for (const Category c : p.categories) {
        switch (c) {
        case Category::Fisik:
            set_wg(p, WgDomain::Walking, main);
            if (berat) {
                set_wg(p, WgDomain::SelfCare, 3);
            }
            break;
        case Category::SensorikNetra:
            set_wg(p, WgDomain::Seeing, main);
            break;
        case Category::SensorikRungu:
            set_wg(p, WgDomain::Hearing, main);
            set_wg(p, WgDomain::Communication, 2);
            break;
        case Category::SensorikWicara:
            set_wg(p, WgDomain::Communication, main);
            break;
        case Category::Intelektual:
            set_wg(p, WgDomain::Cognition, main);
            set_wg(p, WgDomain::Communication, 2);
            break;
        case Category::Mental:
            set_wg(p, WgDomain::Cognition, main);
            set_wg(p, WgDomain::SelfCare, berat ? 3 : 2);
            break;
        }
    }
}

void fill_needs(Rand& rnd, Person& p, int age) {
    const bool berat = p.severity == DisabilitySeverity::Berat;
    auto device = [&](std::string_view d) {
        p.assistive_devices.emplace_back(d);
    };
    auto therapy = [&](std::string_view t) {
        p.therapies.emplace_back(t);
    };
    for (const Category c : p.categories) {
        switch (c) {
        case Category::Fisik:
            if (p.disability_subtype.rfind("amputasi kaki", 0) == 0) {
                device("kaki_palsu");
                device("kruk");
            } else if (p.disability_subtype.rfind("amputasi tangan", 0) == 0) {
                device("tangan_palsu");
            } else if (berat) {
                device("kursi_roda");
            } else if (age >= 60) {
                device(rnd.chance(0.5) ? "walker" : "tongkat");
            } else if (rnd.chance(0.6)) {
                device(rnd.chance(0.5) ? "kruk" : "tongkat");
            }
            if (rnd.chance(0.6)) {
                therapy("fisioterapi");
            }
            break;
        case Category::SensorikNetra:
            if (p.disability_subtype == "low vision") {
                device("kacamata");
            } else {
                device("tongkat_netra");
                if (age >= 6 && age < 60 && rnd.chance(0.4)) {
                    device("braille");
                }
            }
            if (rnd.chance(0.3)) {
                therapy("rehabilitasi_sosial");
            }
            break;
        case Category::SensorikRungu:
            if (rnd.chance(0.7)) {
                device("alat_bantu_dengar");
            }
            if (age < 18) {
                therapy("terapi_wicara");
            }
            break;
        case Category::SensorikWicara:
            therapy("terapi_wicara");
            break;
        case Category::Intelektual:
            therapy(rnd.chance(0.5) ? "terapi_okupasi" : "terapi_perilaku");
            if (berat && rnd.chance(0.4)) {
                device("popok");
            }
            break;
        case Category::Mental:
            therapy("psikoterapi");
            if (rnd.chance(0.4)) {
                therapy("rehabilitasi_sosial");
            }
            break;
        }
    }
    std::sort(p.assistive_devices.begin(), p.assistive_devices.end());
    p.assistive_devices.erase(std::unique(p.assistive_devices.begin(), p.assistive_devices.end()),
                              p.assistive_devices.end());
    std::sort(p.therapies.begin(), p.therapies.end());
    p.therapies.erase(std::unique(p.therapies.begin(), p.therapies.end()), p.therapies.end());
}

// ---- dates and numbers ---------------------------------------------------------------------

using Days = std::chrono::sys_days;

Date random_date(Rand& rnd, Date lo, Date hi) {
    const Days a{lo};
    const Days b{hi};
    KAPAL_ASSERT(a <= b);
    const auto span = static_cast<std::uint64_t>((b - a).count()) + 1;
    return Date{a + std::chrono::days{static_cast<std::chrono::days::rep>(rnd.below(span))}};
}

Date years_before(Date d, int years) {
    Date r = d - std::chrono::years{years};
    if (!r.ok()) { // 29 February
        r = core::make_date(static_cast<int>(r.year()), 2, 28);
    }
    return r;
}

// Zero-padded decimal of the low `width` digits of v.
std::string padded(unsigned v, int width) {
    std::array<char, 16> buf{};
    std::snprintf(buf.data(), buf.size(), "%0*u", width, v);
    std::string s(buf.data());
    return s.substr(s.size() - static_cast<std::size_t>(width));
}

std::string two(unsigned v) {
    return padded(v % 100, 2);
}

std::string four(unsigned v) {
    return padded(v % 10000, 4);
}

std::string ddmmyy(Date d, unsigned day_offset) {
    return two(static_cast<unsigned>(d.day()) + day_offset) +
           two(static_cast<unsigned>(d.month())) +
           two(static_cast<unsigned>(static_cast<int>(d.year()) % 100));
}

// Serial numbers per 12-digit prefix, unique within the generated set.
class SerialBook {
  public:
    std::string next(Rand& rnd, const std::string& prefix12) {
        auto [it, fresh] = last_.try_emplace(prefix12, 0U);
        const unsigned step = fresh ? 1 + static_cast<unsigned>(rnd.below(12))
                                    : 1 + static_cast<unsigned>(rnd.below(3));
        it->second += step;
        KAPAL_ASSERT(it->second <= 9999);
        return prefix12 + four(it->second);
    }

  private:
    std::map<std::string, unsigned> last_;
};

std::string phone_number(Rand& rnd) {
    return "08" + std::string(rnd.pick(Names{kPhonePrefixes})) + rnd.digits(rnd.range(7, 8));
}

// ---- name variants for near-duplicates -----------------------------------------------------

std::string replace_first(std::string s, std::string_view from, std::string_view to) {
    const auto pos = s.find(from);
    if (pos != std::string::npos) {
        s.replace(pos, from.size(), to);
    }
    return s;
}

std::string name_variant(Rand& rnd, const Person& p) {
    const std::string& name = p.full_name;
    if (name.find("Muhammad") != std::string::npos) {
        return replace_first(name, "Muhammad", rnd.chance(0.5) ? "Muhamad" : "M.");
    }
    if (name.find("Ahmad") != std::string::npos && rnd.chance(0.5)) {
        return replace_first(name, "Ahmad", "Achmad");
    }
    switch (rnd.below(3)) {
    case 0: { // "Siti Aminah" -> "Siti Aminah Binti H. Ali"
        static constexpr auto kFathers = std::to_array<std::string_view>(
            {"H. Ali", "Abdullah", "H. Usman", "Sulaiman", "Idrus"});
        return name + (p.sex == Sex::Female ? " Binti " : " Bin ") +
               std::string(rnd.pick(Names{kFathers}));
    }
    default: { // drop (1) or double (2) one letter inside a word, never the first
        std::vector<std::size_t> positions;
        for (std::size_t i = 1; i < name.size(); ++i) {
            const char c = name[i];
            if (c >= 'a' && c <= 'z' && name[i - 1] != ' ') {
                positions.push_back(i);
            }
        }
        if (positions.empty()) {
            return name + " " + "Bin Abdullah";
        }
        const std::size_t at = rnd.pick(positions);
        std::string out = name;
        if (rnd.below(2) == 0) {
            out.erase(at, 1);
        } else {
            out.insert(at, 1, name[at]);
        }
        return out;
    }
    }
}

// ---- assembly ------------------------------------------------------------------------------

struct Household {
    std::string kk;
    core::Address address;
    core::HomeLocation home;
    std::size_t group = 0;
    std::string family_name;
};

std::string make_name(Rand& rnd,
                      const NameGroup& g,
                      Sex sex,
                      std::string* family_out,
                      const std::string& inherited_family = {}) {
    std::string name(rnd.pick(sex == Sex::Male ? g.male : g.female));
    std::string family;
    if (g.inherited && !inherited_family.empty()) {
        family = inherited_family;
    } else if (rnd.chance(g.family_share)) {
        family = std::string(rnd.pick(g.family));
    }
    if (!family.empty() && family != name) {
        name += " " + family;
    }
    if (family_out != nullptr) {
        *family_out = family;
    }
    return name;
}

std::vector<std::size_t> apportion(std::size_t total, const std::vector<KecamatanPopulation>& pop) {
    double sum = 0;
    for (const auto& k : pop) {
        KAPAL_ASSERT(k.population >= 0);
        sum += static_cast<double>(k.population);
    }
    KAPAL_ASSERT(sum > 0);
    std::vector<std::size_t> counts(pop.size());
    std::vector<std::pair<double, std::size_t>> remainders;
    std::size_t given = 0;
    for (std::size_t i = 0; i < pop.size(); ++i) {
        const double exact =
            static_cast<double>(total) * static_cast<double>(pop[i].population) / sum;
        counts[i] = static_cast<std::size_t>(std::floor(exact));
        given += counts[i];
        remainders.emplace_back(-(exact - std::floor(exact)), i);
    }
    std::sort(remainders.begin(), remainders.end());
    for (std::size_t j = 0; given < total; ++j, ++given) {
        ++counts[remainders[j % remainders.size()].second];
    }
    return counts;
}

class Generator {
  public:
    Generator(const DemoOptions& options, const geo::AreaIndex& index)
        : options_(options)
        , index_(index)
        , rnd_(options.seed) {}

    std::string pick_kelurahan(const std::string& kecamatan) {
        auto& list = kelurahan_of_[kecamatan];
        if (list.empty()) {
            for (const auto& f : index_.features()) {
                if (f.code.rfind(kecamatan + ".", 0) == 0) {
                    list.push_back(f.code);
                }
            }
            KAPAL_ASSERT(!list.empty());
        }
        return rnd_.pick(list);
    }

    core::HomeLocation home_in(const std::string& kelurahan) {
        core::HomeLocation h;
        for (;;) {
            const geo::LonLat p = index_.random_point_in(kelurahan, rnd_.engine());
            const auto located = index_.locate(p);
            // Overlaps with a neighbour are rare; draw again so the address is never disputed.
            if (located && located->kind == geo::LocateKind::Inside && located->code == kelurahan) {
                h.lon = p.lon;
                h.lat = p.lat;
                break;
            }
        }
        h.accuracy_m = static_cast<double>(rnd_.range(5, 30));
        h.source = core::LocationSource::Gps;
        return h;
    }

    Household new_household(const std::string& kelurahan, std::size_t group) {
        Household hh;
        hh.group = group;
        std::string street(rnd_.pick(Names{kStreets}));
        if (rnd_.chance(0.35)) {
            street += " " + std::string(rnd_.pick(Names{kGangs}));
        }
        street += " No. " + std::to_string(rnd_.range(1, 150));
        hh.address.street = street;
        hh.address.rt = padded(static_cast<unsigned>(rnd_.range(1, 40)), 3);
        hh.address.rw = two(static_cast<unsigned>(rnd_.range(1, 12)));
        hh.address.kelurahan_code = kelurahan;
        hh.home = home_in(kelurahan);
        // KK: 6474 + kecamatan of issue, recording date, family serial.
        const std::string region = "6474" + kelurahan.substr(6, 2);
        const Date recorded = random_date(
            rnd_, core::make_date(2005, 1, 1), Date{Days{options_.today} - std::chrono::days{30}});
        hh.kk = kk_serials_.next(rnd_, region + ddmmyy(recorded, 0));
        return hh;
    }

    std::string nik_for(const std::string& region6, Date birth, Sex sex) {
        return nik_serials_.next(rnd_, region6 + ddmmyy(birth, sex == Sex::Female ? 40 : 0));
    }

    Person original(const std::string& kecamatan) {
        Person p;
        const std::string kelurahan = pick_kelurahan(kecamatan);

        // Household: join an earlier one in the same kelurahan now and then.
        Household* hh = nullptr;
        auto& here = households_[kelurahan];
        if (!here.empty() && rnd_.chance(0.12)) {
            hh = &here[static_cast<std::size_t>(rnd_.below(here.size()))];
        } else {
            here.push_back(new_household(kelurahan, rnd_.weighted(group_weights())));
            hh = &here.back();
        }
        const NameGroup& group = kNameGroups[hh->group];

        p.sex = rnd_.chance(0.5) ? Sex::Female : Sex::Male;
        std::string family;
        p.full_name = make_name(rnd_, group, p.sex, &family, hh->family_name);
        if (hh->family_name.empty()) {
            hh->family_name = family;
        }

        // Age: children, working age, elderly (disability is commoner with age).
        const Date today = options_.today;
        const Date newest = years_before(today, 1);
        const Date oldest = core::make_date(1940, 1, 1);
        Date lo = oldest;
        Date hi = newest;
        switch (rnd_.weighted(std::array{18, 47, 35})) {
        case 0:
            lo = years_before(today, 17);
            break;
        case 1:
            lo = years_before(today, 59);
            hi = years_before(today, 18);
            break;
        default:
            hi = years_before(today, 60);
            break;
        }
        lo = std::max(lo, oldest);
        p.birth_date = random_date(rnd_, lo, hi);
        const int age = core::age_on(p.birth_date, today);

        // NIK region and birth place.
        std::string region = "6474" + kecamatan.substr(6, 2);
        p.birth_place = "Bontang";
        if (rnd_.chance(0.10)) {
            const OtherRegion& other =
                kOtherRegions[static_cast<std::size_t>(rnd_.below(kOtherRegions.size()))];
            region = std::string(other.prefix) +
                     two(static_cast<unsigned>(rnd_.range(1, other.kecamatan_count)));
            p.birth_place = std::string(other.birth_place);
        } else {
            if (rnd_.chance(0.10)) { // moved within the city since first registration
                region = "64740" + std::to_string(rnd_.range(1, 3));
            }
            if (age >= 25 && rnd_.chance(0.25)) { // migrant, registered first in Bontang
                p.birth_place = std::string(rnd_.pick(group.birth_places));
            }
        }
        p.nik = nik_for(region, p.birth_date, p.sex);
        p.kk = hh->kk;
        p.address = hh->address;
        p.home = hh->home;

        // Disability.
        p.categories.push_back(kCategoryOrder[rnd_.weighted(kCategoryWeights)]);
        if (rnd_.chance(0.10)) {
            Category second = p.categories.front();
            while (second == p.categories.front()) {
                second = kCategoryOrder[rnd_.weighted(kCategoryWeights)];
            }
            p.categories.push_back(second);
        }
        p.disability_subtype = std::string(rnd_.pick(subtypes(p.categories.front())));
        core::normalise_categories(p.categories);
        p.severity = kSeverityOrder[rnd_.weighted(kSeverityWeights)];
        fill_wgss(rnd_, p);
        const bool congenital =
            std::find(p.categories.begin(), p.categories.end(), Category::Intelektual) !=
                p.categories.end() ||
            rnd_.chance(0.35);
        if (congenital) {
            p.onset = core::Onset::SejakLahir;
            p.cause = core::Cause::Bawaan;
        } else {
            p.onset = core::Onset::Didapat;
            static constexpr std::array kCauses = {core::Cause::Penyakit,
                                                   core::Cause::Kecelakaan,
                                                   core::Cause::Bencana,
                                                   core::Cause::Lainnya};
            p.cause = kCauses[rnd_.weighted(std::array{55, 33, 4, 8})];
            p.onset_year =
                rnd_.range(static_cast<int>(p.birth_date.year()), static_cast<int>(today.year()));
        }
        fill_needs(rnd_, p, age);

        // Caregiver: always for berat, and for children.
        const bool needs_carer = p.severity == DisabilitySeverity::Berat || age < 17;
        if (needs_carer || rnd_.chance(0.15)) {
            core::Caregiver c;
            std::string_view relationship;
            Sex carer_sex = Sex::Female;
            if (age < 25) {
                relationship = rnd_.chance(0.75) ? "ibu" : "ayah";
                carer_sex = relationship == "ibu" ? Sex::Female : Sex::Male;
            } else if (age >= 60) {
                relationship = "anak";
                carer_sex = rnd_.chance(0.6) ? Sex::Female : Sex::Male;
            } else {
                static constexpr auto kRel =
                    std::to_array<std::string_view>({"suami", "istri", "saudara", "pendamping"});
                relationship = rnd_.pick(Names{kRel});
                carer_sex = relationship == "suami" ? Sex::Male
                            : relationship == "istri"
                                ? Sex::Female
                                : (rnd_.chance(0.5) ? Sex::Female : Sex::Male);
            }
            c.relationship = std::string(relationship);
            const bool same_family =
                relationship != "pendamping" && relationship != "suami" && relationship != "istri";
            c.name = make_name(rnd_, group, carer_sex, nullptr, same_family ? family : "");
            c.phone = phone_number(rnd_);
            p.caregiver = std::move(c);
        }

        if (age >= 13 && rnd_.chance(0.7)) {
            p.phone = phone_number(rnd_);
        }
        if (rnd_.chance(0.45)) {
            p.dtks = true;
            p.dtks_id = "DTKS-6474-" + rnd_.digits(8);
        }
        const double r = rnd_.unit();
        const std::string holder = (age < 17 && p.caregiver) ? p.caregiver->name : p.full_name;
        if (r < 0.35) {
            const Bank& bank = kBanks[rnd_.weighted(kBankWeights)];
            p.account = core::Account{
                core::AccountKind::Bank, std::string(bank.name), rnd_.digits(bank.digits), holder};
        } else if (r < 0.45) {
            const std::string number =
                !p.phone.empty() ? p.phone
                                 : (p.caregiver ? p.caregiver->phone : phone_number(rnd_));
            p.account = core::Account{core::AccountKind::EWallet,
                                      std::string(rnd_.pick(Names{kEWallets})),
                                      number,
                                      holder};
        }

        p.consent.given = true;
        p.consent.date = random_date(rnd_, years_before(today, 3), today);
        const bool carer_consents =
            p.caregiver &&
            (age < 17 ||
             (p.severity == DisabilitySeverity::Berat &&
              (std::find(p.categories.begin(), p.categories.end(), Category::Intelektual) !=
                   p.categories.end() ||
               std::find(p.categories.begin(), p.categories.end(), Category::Mental) !=
                   p.categories.end())));
        p.consent.given_by = carer_consents ? p.caregiver->name : "self";

        switch (rnd_.weighted(std::array{94, 3, 2, 1})) {
        case 1:
            p.status = core::Status::Pindah;
            static constexpr auto kMovedTo = std::to_array<std::string_view>(
                {"Samarinda", "Balikpapan", "Sangatta", "Tenggarong", "Makassar"});
            p.status_reason = "pindah ke " + std::string(rnd_.pick(Names{kMovedTo}));
            break;
        case 2:
            p.status = core::Status::Meninggal;
            p.status_reason = "meninggal dunia";
            break;
        case 3:
            p.status = core::Status::Nonaktif;
            p.status_reason = "tidak ditemukan saat verifikasi";
            break;
        default:
            break;
        }
        if (p.status != core::Status::Aktif) {
            p.status_date = random_date(rnd_, *p.consent.date, today);
        }
        return p;
    }

    Person near_duplicate(const Person& source) {
        Person p = source;
        bool changed = false;
        const unsigned d = static_cast<unsigned>(p.birth_date.day());
        const unsigned m = static_cast<unsigned>(p.birth_date.month());
        const Date swapped = core::make_date(static_cast<int>(p.birth_date.year()), d, m);
        if (d <= 12 && d != m && swapped <= years_before(options_.today, 1) && rnd_.chance(0.5)) {
            p.birth_date = swapped;
            changed = true;
        }
        if (!changed || rnd_.chance(0.6)) {
            p.full_name = name_variant(rnd_, p);
        }
        // A different NIK, as a second registration would get: same region, the recorded date.
        p.nik = nik_for(p.nik.substr(0, 6), p.birth_date, p.sex);
        p.status = core::Status::Aktif;
        p.status_date.reset();
        p.status_reason.clear();
        return p;
    }

    std::vector<Person> run(const std::vector<KecamatanPopulation>& population) {
        const std::size_t total = options_.persons;
        const auto duplicates = static_cast<std::size_t>(
            std::llround(static_cast<double>(total) * options_.duplicate_share));
        const std::size_t originals = total - std::min(duplicates, total);
        const std::vector<std::size_t> counts = apportion(originals, population);

        // One slot per person, shuffled (own Fisher-Yates) so kecamatan are interleaved.
        std::vector<std::size_t> slots;
        for (std::size_t k = 0; k < counts.size(); ++k) {
            slots.insert(slots.end(), counts[k], k);
        }
        for (std::size_t i = slots.size(); i > 1; --i) {
            std::swap(slots[i - 1], slots[static_cast<std::size_t>(rnd_.below(i))]);
        }

        std::vector<Person> out;
        out.reserve(total);
        for (const std::size_t k : slots) {
            out.push_back(original(population[k].kecamatan_code));
        }
        for (std::size_t i = originals; i < total && originals > 0; ++i) {
            const Person& source = out[static_cast<std::size_t>(rnd_.below(originals))];
            out.push_back(near_duplicate(source));
        }
        return out;
    }

  private:
    static std::span<const int> group_weights() {
        static const std::array<int, kNameGroups.size()> weights = [] {
            std::array<int, kNameGroups.size()> w{};
            for (std::size_t i = 0; i < kNameGroups.size(); ++i) {
                w[i] = kNameGroups[i].weight;
            }
            return w;
        }();
        return weights;
    }

    const DemoOptions& options_;
    const geo::AreaIndex& index_;
    Rand rnd_;
    SerialBook nik_serials_;
    SerialBook kk_serials_;
    std::map<std::string, std::vector<std::string>> kelurahan_of_;
    std::map<std::string, std::vector<Household>> households_;
};

} // namespace

std::vector<core::Person>
generate_demo_persons(const DemoOptions& options,
                      const geo::AreaIndex& kelurahan,
                      const std::vector<KecamatanPopulation>& population) {
    KAPAL_ASSERT(options.today.ok());
    KAPAL_ASSERT(options.duplicate_share >= 0 && options.duplicate_share <= 0.5);
    KAPAL_ASSERT(!population.empty());
    Generator generator(options, kelurahan);
    return generator.run(population);
}

} // namespace kapal::service
