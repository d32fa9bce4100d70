#include "kapal/integrity/linkage.hpp"

#include "kapal/core/region_registry.hpp"
#include "kapal/integrity/similarity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <unordered_map>

namespace kapal::integrity {
namespace {

constexpr std::size_t index_of(Field f) {
    return static_cast<std::size_t>(f);
}

std::string phone_digits(std::string_view written) {
    std::string digits;
    for (const char c : written) {
        if (c >= '0' && c <= '9') {
            digits += c;
        }
    }
    if (digits.rfind("62", 0) == 0) {
        digits = "0" + digits.substr(2);
    } else if (!digits.empty() && digits[0] == '8') {
        digits = "0" + digits;
    }
    return digits.size() >= 8 ? digits : std::string();
}

struct Ymd {
    int y = 0;
    int m = 0;
    int d = 0;
};

Ymd ymd(const core::Date& date) {
    return {static_cast<int>(date.year()),
            static_cast<int>(static_cast<unsigned>(date.month())),
            static_cast<int>(static_cast<unsigned>(date.day()))};
}

std::int8_t birth_level(const core::Date& a, const core::Date& b) {
    if (a == b) {
        return 0;
    }
    const Ymd x = ymd(a);
    const Ymd y = ymd(b);
    if (x.y == y.y && x.d == y.m && x.m == y.d) {
        return 1;
    }
    if ((x.d == y.d && x.m == y.m && std::abs(x.y - y.y) == 1) ||
        (x.y == y.y && x.m == y.m && std::abs(x.d - y.d) <= 3)) {
        return 2;
    }
    return 3;
}

std::int8_t nik_level(const std::string& a, const std::string& b) {
    if (a == b) {
        return 0;
    }
    if (a.size() != b.size()) {
        return 2;
    }
    std::vector<std::size_t> differ;
    for (std::size_t i = 0; i < a.size() && differ.size() <= 2; ++i) {
        if (a[i] != b[i]) {
            differ.push_back(i);
        }
    }
    if (differ.size() == 1) {
        return 1;
    }
    if (differ.size() == 2 && differ[1] == differ[0] + 1 && a[differ[0]] == b[differ[1]] &&
        a[differ[1]] == b[differ[0]]) {
        return 1;
    }
    return 2;
}

std::int8_t name_level(const NormalizedName& a, const NormalizedName& b) {
    const double sim = name_similarity(a.tokens, b.tokens);
    if (sim >= 0.97) {
        return 0;
    }
    if (sim >= 0.92 || a.phonetic_set == b.phonetic_set) {
        return 1;
    }
    return sim >= 0.85 ? 2 : 3;
}

std::string two_digits(int v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", v);
    return buf;
}

/// Name and birth date as one sortable text, for the sorted neighbourhood in large blocks.
std::string sort_key(const LinkRecord& r) {
    std::string key = joined(r.name.phonetic);
    key += '|';
    if (r.birth_date) {
        key += core::format_date(*r.birth_date);
    }
    return key;
}

} // namespace

LinkRecord link_record(std::string id, const core::Person& person) {
    LinkRecord r;
    r.id = std::move(id);
    r.name = normalize_name(person.full_name);
    if (person.birth_date.ok()) {
        r.birth_date = person.birth_date;
    }
    r.sex = person.sex;
    r.nik = person.nik;
    r.kk = person.kk;
    r.kelurahan_code = person.address.kelurahan_code;
    if (person.home) {
        r.home = geo::LonLat{person.home->lon, person.home->lat};
    }
    r.phone = phone_digits(person.phone);
    return r;
}

std::size_t level_count(Field field) {
    switch (field) {
    case Field::Name:
    case Field::BirthDate:
        return 4;
    case Field::Nik:
    case Field::Kelurahan:
    case Field::Home:
        return 3;
    case Field::Sex:
    case Field::Kk:
    case Field::Phone:
        return 2;
    }
    return 2;
}

std::string_view field_code(Field field) {
    static constexpr std::array<std::string_view, kFieldCount> kCodes = {
        "name", "birth_date", "sex", "nik", "kk", "kelurahan", "home", "phone"};
    return kCodes[index_of(field)];
}

std::string_view level_text(Field field, int level) {
    static constexpr std::array<std::array<std::string_view, kMaxLevels>, kFieldCount> kText = {{
        {"nama sama", "nama sangat mirip", "nama mirip", "nama berbeda"},
        {"tanggal lahir sama",
         "tanggal dan bulan lahir tertukar",
         "tanggal lahir berdekatan",
         "tanggal lahir berbeda"},
        {"jenis kelamin sama", "jenis kelamin berbeda", "", ""},
        {"NIK sama", "NIK beda satu angka", "NIK berbeda", ""},
        {"KK sama", "KK berbeda", "", ""},
        {"kelurahan sama", "kecamatan sama", "kecamatan berbeda", ""},
        {"rumah dalam 100 m", "rumah dalam 2 km", "rumah berjauhan", ""},
        {"telepon sama", "telepon berbeda", "", ""},
    }};
    if (level < 0 || static_cast<std::size_t>(level) >= level_count(field)) {
        return "tidak ada data";
    }
    return kText[index_of(field)][static_cast<std::size_t>(level)];
}

Comparison compare(const LinkRecord& a, const LinkRecord& b) {
    Comparison c;
    c.level.fill(-1);
    auto set = [&c](Field f, std::int8_t level) {
        c.level[index_of(f)] = level;
    };
    if (!a.name.tokens.empty() && !b.name.tokens.empty()) {
        set(Field::Name, name_level(a.name, b.name));
    }
    if (a.birth_date && b.birth_date) {
        set(Field::BirthDate, birth_level(*a.birth_date, *b.birth_date));
    }
    if (a.sex && b.sex) {
        set(Field::Sex, *a.sex == *b.sex ? 0 : 1);
    }
    if (!a.nik.empty() && !b.nik.empty()) {
        set(Field::Nik, nik_level(a.nik, b.nik));
    }
    if (!a.kk.empty() && !b.kk.empty()) {
        set(Field::Kk, a.kk == b.kk ? 0 : 1);
    }
    if (!a.kelurahan_code.empty() && !b.kelurahan_code.empty()) {
        const auto kecamatan = [](const std::string& code) {
            return code.substr(0, 8);
        };
        set(Field::Kelurahan,
            a.kelurahan_code == b.kelurahan_code                         ? 0
            : kecamatan(a.kelurahan_code) == kecamatan(b.kelurahan_code) ? 1
                                                                         : 2);
    }
    if (a.home && b.home) {
        const double d = geo::haversine_m(*a.home, *b.home);
        set(Field::Home, d <= 100 ? 0 : d <= 2000 ? 1 : 2);
    }
    if (!a.phone.empty() && !b.phone.empty()) {
        set(Field::Phone, a.phone == b.phone ? 0 : 1);
    }
    return c;
}

LinkageModel LinkageModel::defaults() {
    LinkageModel model;
    const auto put =
        [&model](Field f, std::array<double, kMaxLevels> m, std::array<double, kMaxLevels> u) {
            model.m[index_of(f)] = m;
            model.u[index_of(f)] = u;
        };
    // m: how a true duplicate shows; u: how two different persons among the candidate pairs
    // show (blocking makes names and dates agree far more often than at random).
    put(Field::Name, {0.80, 0.13, 0.06, 0.01}, {0.05, 0.05, 0.10, 0.80});
    put(Field::BirthDate, {0.82, 0.06, 0.08, 0.04}, {0.02, 0.002, 0.02, 0.958});
    put(Field::Sex, {0.98, 0.02, 0, 0}, {0.55, 0.45, 0, 0});
    put(Field::Nik, {0.75, 0.10, 0.15, 0}, {0.0001, 0.0005, 0.9994, 0});
    // The household fields (KK, kelurahan, home, phone) agree for every member of a family, so
    // their u is that of a family member, not of a stranger: each alone is modest evidence.
    put(Field::Kk, {0.65, 0.35, 0, 0}, {0.10, 0.90, 0, 0});
    put(Field::Kelurahan, {0.75, 0.10, 0.15, 0}, {0.15, 0.25, 0.60, 0});
    put(Field::Home, {0.65, 0.15, 0.20, 0}, {0.05, 0.15, 0.80, 0});
    put(Field::Phone, {0.60, 0.40, 0, 0}, {0.10, 0.90, 0, 0});
    model.match_share = 0.05;
    return model;
}

double LinkageModel::weight(Field field, int level) const {
    if (level < 0) {
        return 0.0;
    }
    const auto l = static_cast<std::size_t>(level);
    return std::log2(m[index_of(field)][l] / u[index_of(field)][l]);
}

double LinkageModel::score(const Comparison& c) const {
    double total = 0;
    for (std::size_t f = 0; f < kFieldCount; ++f) {
        total += weight(static_cast<Field>(f), c.level[f]);
    }
    return total;
}

LinkageModel estimate(const std::vector<Comparison>& comparisons,
                      const LinkageModel& start,
                      const EmOptions& options) {
    // The distinct patterns and how often each occurs: EM works on these, not on every pair.
    std::map<std::array<std::int8_t, kFieldCount>, double> patterns;
    for (const auto& c : comparisons) {
        patterns[c.level] += 1.0;
    }
    LinkageModel model = start;
    if (comparisons.empty()) {
        return model;
    }
    const auto clamp = [](double p) {
        return std::clamp(p, 1e-6, 1.0 - 1e-6);
    };
    for (int it = 0; it < options.iterations; ++it) {
        std::array<std::array<double, kMaxLevels>, kFieldCount> m_num{};
        std::array<std::array<double, kMaxLevels>, kFieldCount> u_num{};
        std::array<double, kFieldCount> m_den{};
        std::array<double, kFieldCount> u_den{};
        double matches = 0;
        double total = 0;
        for (const auto& [levels, count] : patterns) {
            double pm = model.match_share;
            double pu = 1.0 - model.match_share;
            for (std::size_t f = 0; f < kFieldCount; ++f) {
                if (levels[f] >= 0) {
                    pm *= model.m[f][static_cast<std::size_t>(levels[f])];
                    pu *= model.u[f][static_cast<std::size_t>(levels[f])];
                }
            }
            const double g = pm + pu > 0 ? pm / (pm + pu) : 0.0;
            matches += g * count;
            total += count;
            for (std::size_t f = 0; f < kFieldCount; ++f) {
                if (levels[f] >= 0) {
                    const auto l = static_cast<std::size_t>(levels[f]);
                    m_num[f][l] += g * count;
                    u_num[f][l] += (1.0 - g) * count;
                    m_den[f] += g * count;
                    u_den[f] += (1.0 - g) * count;
                }
            }
        }
        for (std::size_t f = 0; f < kFieldCount; ++f) {
            const std::size_t levels = level_count(static_cast<Field>(f));
            for (std::size_t l = 0; l < levels; ++l) {
                if (options.estimate_m[f] && m_den[f] > 0) {
                    model.m[f][l] = clamp(m_num[f][l] / m_den[f]);
                }
                if (options.estimate_u && u_den[f] > 0) {
                    model.u[f][l] = clamp(u_num[f][l] / u_den[f]);
                }
            }
        }
        model.match_share = clamp(matches / total);
    }
    return model;
}

std::vector<Evidence> explain(const Comparison& c, const LinkageModel& model) {
    std::vector<Evidence> out;
    for (std::size_t f = 0; f < kFieldCount; ++f) {
        const auto field = static_cast<Field>(f);
        out.push_back(Evidence{field, c.level[f], model.weight(field, c.level[f])});
    }
    return out;
}

std::vector<std::string> blocking_keys(const LinkRecord& r) {
    std::vector<std::string> keys;
    if (!r.nik.empty()) {
        keys.push_back("n:" + r.nik);
    }
    std::string year = "?";
    std::string day_month = "?";
    if (r.birth_date) {
        const Ymd d = ymd(*r.birth_date);
        year = std::to_string(d.y);
        day_month = two_digits(std::min(d.d, d.m)) + two_digits(std::max(d.d, d.m));
    }
    if (!r.name.phonetic.empty()) {
        const std::string& first = r.name.phonetic.front();
        const std::string& last = r.name.phonetic.back();
        keys.push_back("p:" + first + "|" + year);
        keys.push_back("d:" + first + "|" + day_month);
        if (r.name.phonetic.size() > 1) {
            keys.push_back("l:" + last + "|" + year);
            keys.push_back("e:" + last + "|" + day_month);
        }
    }
    if (r.birth_date && !r.kelurahan_code.empty()) {
        keys.push_back("b:" + core::format_date(*r.birth_date) + "|" + r.kelurahan_code);
    }
    if (!r.phone.empty()) {
        keys.push_back("t:" + r.phone);
    }
    return keys;
}

std::vector<CandidatePair> candidate_pairs(const std::vector<LinkRecord>& records,
                                           const LinkageModel& model,
                                           const BlockingOptions& options,
                                           BlockingStats* stats) {
    std::unordered_map<std::string, std::vector<std::uint32_t>> blocks;
    for (std::uint32_t i = 0; i < records.size(); ++i) {
        for (auto& key : blocking_keys(records[i])) {
            blocks[std::move(key)].push_back(i);
        }
    }
    BlockingStats local;
    std::vector<std::uint64_t> pairs;
    const auto add = [&pairs](std::uint32_t x, std::uint32_t y) {
        if (x != y) {
            pairs.push_back(std::uint64_t{std::min(x, y)} << 32 | std::max(x, y));
        }
    };
    for (auto& [key, members] : blocks) {
        if (members.size() < 2) {
            continue;
        }
        ++local.blocks;
        local.largest_block = std::max(local.largest_block, members.size());
        if (members.size() <= options.max_block) {
            for (std::size_t i = 0; i < members.size(); ++i) {
                for (std::size_t j = i + 1; j < members.size(); ++j) {
                    add(members[i], members[j]);
                }
            }
            continue;
        }
        ++local.large_blocks;
        std::vector<std::pair<std::string, std::uint32_t>> sorted;
        sorted.reserve(members.size());
        for (const std::uint32_t m : members) {
            sorted.emplace_back(sort_key(records[m]), m);
        }
        std::sort(sorted.begin(), sorted.end());
        for (std::size_t i = 0; i < sorted.size(); ++i) {
            for (std::size_t j = i + 1; j < sorted.size() && j <= i + options.window; ++j) {
                add(sorted[i].second, sorted[j].second);
            }
        }
    }
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    local.pairs = pairs.size();
    std::vector<CandidatePair> out;
    for (const std::uint64_t p : pairs) {
        CandidatePair c;
        c.a = static_cast<std::uint32_t>(p >> 32);
        c.b = static_cast<std::uint32_t>(p & 0xffffffffU);
        c.comparison = compare(records[c.a], records[c.b]);
        c.score = model.score(c.comparison);
        if (c.score >= options.min_score) {
            out.push_back(c);
        }
    }
    if (stats != nullptr) {
        *stats = local;
    }
    return out;
}

} // namespace kapal::integrity
