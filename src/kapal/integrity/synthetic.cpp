#include "kapal/integrity/synthetic.hpp"

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <string>

namespace kapal::integrity {
namespace {

using core::Sex;

constexpr std::array<std::string_view, 50> kMale = {
    "Ahmad",  "Muhammad", "Budi",     "Agus",    "Joko",    "Slamet",  "Hendra",   "Rudi",
    "Andi",   "Dedi",     "Eko",      "Hadi",    "Iwan",    "Yusuf",   "Rahmat",   "Abdul",
    "Arif",   "Bambang",  "Darmawan", "Fajar",   "Gunawan", "Hasan",   "Imam",     "Irfan",
    "Jamal",  "Khairul",  "Lukman",   "Mulyadi", "Nur",     "Rizal",   "Samsul",   "Sugeng",
    "Taufik", "Udin",     "Wahyu",    "Yanto",   "Zainal",  "Syamsul", "Sutrisno", "Suparman",
    "Haris",  "Ridwan",   "Fauzi",    "Amir",    "Anwar",   "Dimas",   "Bayu",     "Rian",
    "Aldi",   "Reza"};

constexpr std::array<std::string_view, 50> kFemale = {
    "Siti",   "Nur",     "Sri",     "Dewi",    "Ani",     "Yuli",    "Rina",      "Wati",
    "Fitri",  "Lestari", "Ratna",   "Aminah",  "Fatimah", "Aisyah",  "Khadijah",  "Maryam",
    "Nurul",  "Indah",   "Ayu",     "Putri",   "Wulan",   "Dian",    "Eka",       "Sari",
    "Yanti",  "Hartini", "Sumarni", "Suryani", "Endang",  "Kartini", "Rahmawati", "Susanti",
    "Novi",   "Mega",    "Lina",    "Rini",    "Tuti",    "Hasanah", "Zahra",     "Nabila",
    "Juleha", "Cahaya",  "Marlina", "Yusnita", "Halimah", "Salmah",  "Rosita",    "Nuraini",
    "Kurnia", "Jumiati"};

constexpr std::array<std::string_view, 40> kOther = {
    "Pratama",  "Saputra",    "Hidayat",  "Setiawan", "Kurniawan", "Nugroho",    "Santoso",
    "Wibowo",   "Hakim",      "Rahman",   "Hamid",    "Syahputra", "Firmansyah", "Ramadhan",
    "Wahyuni",  "Handayani",  "Rahayu",   "Puspita",  "Anggraini", "Permata",    "Safitri",
    "Utami",    "Yuliana",    "Sulastri", "Maulana",  "Ansyari",   "Effendi",    "Gani",
    "Ismail",   "Latif",      "Mansur",   "Rasyid",   "Salim",     "Umar",       "Yunus",
    "Zulkifli", "Baharuddin", "Hamzah",   "Junaidi",  "Cahyono"};

constexpr std::array<std::string_view, 15> kKelurahan = {"64.74.01.1001",
                                                         "64.74.01.1002",
                                                         "64.74.01.1003",
                                                         "64.74.01.1004",
                                                         "64.74.01.1005",
                                                         "64.74.01.1006",
                                                         "64.74.02.1001",
                                                         "64.74.02.1002",
                                                         "64.74.02.1003",
                                                         "64.74.02.1004",
                                                         "64.74.02.1005",
                                                         "64.74.02.1006",
                                                         "64.74.03.1001",
                                                         "64.74.03.1002",
                                                         "64.74.03.1003"};

class Generator {
  public:
    explicit Generator(std::uint64_t seed)
        : rng_(seed) {}

    std::size_t below(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }

    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

    double uniform(double lo, double hi) {
        return std::uniform_real_distribution<double>(lo, hi)(rng_);
    }

    std::string digits(std::size_t n) {
        std::string out;
        for (std::size_t i = 0; i < n; ++i) {
            out += static_cast<char>('0' + below(10));
        }
        return out;
    }

    /// A NIK as the Dukcapil writes it: kecamatan (6), birth day (+40 for women), month, year
    /// (2 digits each), serial (4).
    std::string nik(const std::string& kelurahan, const core::Date& birth, Sex sex) {
        const std::string region =
            kelurahan.substr(0, 2) + kelurahan.substr(3, 2) + kelurahan.substr(6, 2);
        const unsigned day = static_cast<unsigned>(birth.day()) + (sex == Sex::Female ? 40 : 0);
        char buf[24];
        std::snprintf(buf,
                      sizeof buf,
                      "%s%02u%02u%02d%04zu",
                      region.c_str(),
                      day,
                      static_cast<unsigned>(birth.month()),
                      static_cast<int>(birth.year()) % 100,
                      1 + below(9999));
        return buf;
    }

    geo::LonLat centre(const std::string& kelurahan) const {
        const auto at = static_cast<std::size_t>(
            std::find(kKelurahan.begin(), kKelurahan.end(), kelurahan) - kKelurahan.begin());
        return {117.40 + 0.012 * static_cast<double>(at % 5),
                0.06 + 0.03 * static_cast<double>(at / 5)};
    }

    geo::LonLat near(geo::LonLat at, double metres) {
        const double deg = metres / geo::kMetresPerDegree;
        return {at.lon + uniform(-deg, deg), at.lat + uniform(-deg, deg)};
    }

    core::Person person() {
        core::Person p;
        p.sex = chance(0.5) ? Sex::Male : Sex::Female;
        const auto& given = p.sex == Sex::Male ? kMale : kFemale;
        p.full_name = std::string(given[below(given.size())]);
        const std::size_t more = chance(0.2) ? 0 : (chance(0.6) ? 1 : 2);
        for (std::size_t i = 0; i < more; ++i) {
            p.full_name += " " + std::string(i == 0 && chance(0.3) ? given[below(given.size())]
                                                                   : kOther[below(kOther.size())]);
        }
        p.birth_date = core::make_date(1940 + static_cast<int>(below(80)),
                                       static_cast<unsigned>(1 + below(12)),
                                       static_cast<unsigned>(1 + below(28)));
        p.address.kelurahan_code = std::string(kKelurahan[below(kKelurahan.size())]);
        p.nik = nik(p.address.kelurahan_code, p.birth_date, p.sex);
        p.kk = "6474" + digits(12);
        const geo::LonLat home = near(centre(p.address.kelurahan_code), 1500);
        p.home = core::HomeLocation{home.lon, home.lat, 10.0, core::LocationSource::Gps};
        if (chance(0.7)) {
            p.phone = "08" + digits(10);
        }
        return p;
    }

    /// Another member of the same family: same KK, kelurahan and street, often the same phone.
    core::Person family_member(const core::Person& of) {
        core::Person p = person();
        p.kk = of.kk;
        p.address.kelurahan_code = of.address.kelurahan_code;
        const geo::LonLat home = near({of.home->lon, of.home->lat}, 20);
        p.home = core::HomeLocation{home.lon, home.lat, 10.0, core::LocationSource::Gps};
        if (chance(0.4)) {
            p.phone = of.phone;
        }
        if (chance(0.05)) { // a twin
            p.birth_date = of.birth_date;
        }
        p.nik = nik(p.address.kelurahan_code, p.birth_date, p.sex);
        return p;
    }

    std::string typo(std::string word) {
        static constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyz";
        if (word.size() < 4) {
            return word + static_cast<char>(kLetters[below(26)]);
        }
        const std::size_t at = 1 + below(word.size() - 2); // people rarely miss the first letter
        switch (below(4)) {
        case 0:
            word[at] = kLetters[below(26)];
            break;
        case 1:
            word.erase(at, 1);
            break;
        case 2:
            word.insert(word.begin() + static_cast<std::ptrdiff_t>(at), kLetters[below(26)]);
            break;
        default:
            std::swap(word[at], word[at + 1 < word.size() ? at + 1 : at - 1]);
            break;
        }
        return word;
    }

    std::string nik_typo(std::string nik) {
        const std::size_t at = below(nik.size());
        nik[at] = static_cast<char>('0' + (nik[at] - '0' + 1 + below(9)) % 10);
        return nik;
    }

    std::string variant(const core::Person& p) {
        std::vector<std::string> words;
        for (std::size_t start = 0; start < p.full_name.size();) {
            const auto space = p.full_name.find(' ', start);
            words.push_back(p.full_name.substr(start, space - start));
            start = space == std::string::npos ? p.full_name.size() : space + 1;
        }
        std::string name;
        const auto join = [&words] {
            std::string out;
            for (const auto& w : words) {
                out += (out.empty() ? "" : " ") + w;
            }
            return out;
        };
        switch (below(6)) {
        case 0: // a title
            return (p.sex == Sex::Male ? "H. " : "Hj. ") + p.full_name;
        case 1: // a degree
            return p.full_name + (chance(0.5) ? ", S.Pd." : ", S.Sos");
        case 2: // Muhammad, written otherwise or added
            if (words[0] == "Muhammad") {
                words[0] = chance(0.5) ? "Moh." : "M.";
                return join();
            }
            return p.sex == Sex::Male ? "Muhammad " + p.full_name : "Siti " + p.full_name;
        case 3: { // the old spelling
            name = p.full_name;
            for (const auto& [from, to] : std::array<std::pair<std::string, std::string>, 5>{
                     {{"u", "oe"}, {"j", "dj"}, {"c", "tj"}, {"kh", "ch"}, {"sy", "sj"}}}) {
                if (const auto at = name.find(from); at != std::string::npos) {
                    name.replace(at, from.size(), to);
                    return name;
                }
            }
            return "Hj. " + name;
        }
        case 4: // the father's name
            return p.full_name + (p.sex == Sex::Male ? " bin " : " binti ") +
                   std::string(kMale[below(kMale.size())]);
        default: // a name dropped, or the order changed
            if (words.size() >= 3) {
                words.erase(words.begin() + 1);
            } else if (words.size() == 2) {
                std::swap(words[0], words[1]);
            } else {
                words.push_back(std::string(kOther[below(kOther.size())]));
            }
            return join();
        }
    }

    core::Person duplicate(const core::Person& original, DuplicateKind kind) {
        core::Person d = original;
        const geo::LonLat home = near({original.home->lon, original.home->lat}, 30);
        d.home = core::HomeLocation{home.lon, home.lat, 10.0, core::LocationSource::Gps};
        if (chance(0.3)) {
            d.phone.clear(); // not asked the second time
        }
        switch (kind) {
        case DuplicateKind::Typo: {
            const auto space = d.full_name.find(' ');
            if (space != std::string::npos && chance(0.5)) {
                d.full_name =
                    d.full_name.substr(0, space + 1) + typo(d.full_name.substr(space + 1));
            } else {
                d.full_name = typo(d.full_name.substr(0, space)) +
                              (space == std::string::npos ? "" : d.full_name.substr(space));
            }
            if (chance(0.2)) {
                d.nik = nik_typo(d.nik);
            }
            break;
        }
        case DuplicateKind::NameVariant:
            d.full_name = variant(original);
            break;
        case DuplicateKind::SwappedDate: {
            const unsigned day = static_cast<unsigned>(original.birth_date.day());
            const unsigned month = static_cast<unsigned>(original.birth_date.month());
            if (day <= 12 && day != month) {
                d.birth_date =
                    core::make_date(static_cast<int>(original.birth_date.year()), day, month);
            } else {
                d.birth_date = core::make_date(static_cast<int>(original.birth_date.year()) +
                                                   (chance(0.5) ? 1 : -1),
                                               month,
                                               day);
            }
            if (chance(0.3)) { // the NIK typed from the wrong date
                d.nik = nik(d.address.kelurahan_code, d.birth_date, d.sex);
            }
            break;
        }
        case DuplicateKind::MovedHouse: {
            std::string moved = d.address.kelurahan_code;
            while (moved == d.address.kelurahan_code) {
                moved = std::string(kKelurahan[below(kKelurahan.size())]);
            }
            d.address.kelurahan_code = moved;
            const geo::LonLat there = near(centre(moved), 1500);
            d.home = core::HomeLocation{there.lon, there.lat, 10.0, core::LocationSource::Gps};
            d.phone = chance(0.3) ? original.phone : (chance(0.5) ? "08" + digits(10) : "");
            if (chance(0.5)) {
                d.kk = "6474" + digits(12);
            }
            break;
        }
        case DuplicateKind::NewNik:
            d.nik = chance(0.5) ? nik(d.address.kelurahan_code, d.birth_date, d.sex)
                                : "6474" + digits(12);
            if (chance(0.5)) {
                d.kk = "6474" + digits(12);
            }
            if (chance(0.3)) {
                d.full_name = variant(original);
            }
            break;
        }
        return d;
    }

  private:
    std::mt19937_64 rng_;
};

} // namespace

std::string_view kind_code(DuplicateKind kind) {
    switch (kind) {
    case DuplicateKind::Typo:
        return "typo";
    case DuplicateKind::NameVariant:
        return "name_variant";
    case DuplicateKind::SwappedDate:
        return "swapped_date";
    case DuplicateKind::MovedHouse:
        return "moved_house";
    case DuplicateKind::NewNik:
        return "new_nik";
    }
    return "?";
}

SyntheticRegistry make_registry(const SyntheticOptions& options) {
    Generator gen(options.seed);
    SyntheticRegistry reg;
    reg.persons.reserve(options.persons * 11 / 10 + 1);
    for (std::size_t i = 0; i < options.persons; ++i) {
        if (i > 0 && gen.chance(0.3)) {
            reg.persons.push_back(
                gen.family_member(reg.persons[i - 1 - gen.below(std::min<std::size_t>(i, 3))]));
        } else {
            reg.persons.push_back(gen.person());
        }
    }
    const auto wanted =
        static_cast<std::size_t>(static_cast<double>(options.persons) * options.duplicate_share);
    std::vector<std::size_t> order(options.persons);
    for (std::size_t i = 0; i < order.size(); ++i) {
        order[i] = i;
    }
    std::shuffle(order.begin(), order.end(), std::mt19937_64(options.seed + 1));
    for (std::size_t k = 0; k < wanted && k < order.size() && !options.kinds.empty(); ++k) {
        const DuplicateKind kind = options.kinds[k % options.kinds.size()];
        const std::size_t original = order[k];
        reg.persons.push_back(gen.duplicate(reg.persons[original], kind));
        reg.duplicates.push_back(TruePair{static_cast<std::uint32_t>(original),
                                          static_cast<std::uint32_t>(reg.persons.size() - 1),
                                          kind});
    }
    reg.records.reserve(reg.persons.size());
    for (std::size_t i = 0; i < reg.persons.size(); ++i) {
        reg.records.push_back(link_record(std::to_string(i), reg.persons[i]));
    }
    return reg;
}

LinkageQuality evaluate(const std::vector<TruePair>& truth,
                        const std::vector<CandidatePair>& pairs,
                        double threshold) {
    std::set<std::pair<std::uint32_t, std::uint32_t>> wanted;
    for (const auto& t : truth) {
        wanted.emplace(std::min(t.original, t.duplicate), std::max(t.original, t.duplicate));
    }
    LinkageQuality q;
    q.true_pairs = wanted.size();
    for (const auto& p : pairs) {
        if (p.score >= threshold) {
            ++q.proposed;
            q.true_positives += wanted.count({p.a, p.b});
        }
    }
    q.precision = q.proposed > 0
                      ? static_cast<double>(q.true_positives) / static_cast<double>(q.proposed)
                      : 1.0;
    q.recall = q.true_pairs > 0
                   ? static_cast<double>(q.true_positives) / static_cast<double>(q.true_pairs)
                   : 1.0;
    q.f1 = q.precision + q.recall > 0 ? 2 * q.precision * q.recall / (q.precision + q.recall) : 0;
    return q;
}

} // namespace kapal::integrity
