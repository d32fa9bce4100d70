// The store contract for sorted person lists: every order, paged through with cursors, is the
// brute-force sort of what the filters select (random data, KAPAL_TEST_SEED), on every backend.

#include "kapal/core/ids.hpp"
#include "kapal/store/store_contract.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace kapal::store::contract {
namespace {

const core::Timestamp kT0 = core::from_unix_ms(1'785'000'000'000);

core::PersonId person_id(int n) {
    return core::PersonId(core::format_uuid_v7(
        kT0, static_cast<std::uint64_t>(n), static_cast<std::uint64_t>(n) * 6007U));
}

struct Row {
    int n = 0; ///< registration order
    std::string id;
    std::string name_key; ///< ASCII-lowered name
    std::string birth;    ///< "YYYY-MM-DD" or "" when missing
    std::string kelurahan;
    std::string kecamatan;
};

std::string ascii_lower(std::string s) {
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return s;
}

/// The expected order: the key, then registration order (both reversed when descending).
std::vector<std::string> oracle(std::vector<Row> rows, PersonSort sort) {
    const auto key = [sort](const Row& r) -> const std::string& {
        switch (sort) {
        case PersonSort::Name:
        case PersonSort::NameDesc:
            return r.name_key;
        case PersonSort::BirthDate:
        case PersonSort::BirthDateDesc:
            return r.birth;
        case PersonSort::Kelurahan:
        case PersonSort::KelurahanDesc:
            return r.kelurahan;
        case PersonSort::Registered:
            break;
        }
        static const std::string none;
        return none;
    };
    const bool descending = sort == PersonSort::NameDesc || sort == PersonSort::BirthDateDesc ||
                            sort == PersonSort::KelurahanDesc;
    std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
        const auto ka = std::tie(key(a), a.n);
        const auto kb = std::tie(key(b), b.n);
        return descending ? kb < ka : ka < kb;
    });
    std::vector<std::string> ids;
    for (const Row& r : rows) {
        ids.push_back(r.id);
    }
    return ids;
}

} // namespace

TEST_P(StoreContract, EverySortPagesThroughTheBruteForceOrder) {
    const std::uint64_t seed = test_seed();
    std::mt19937_64 rng(seed);
    SCOPED_TRACE("KAPAL_TEST_SEED=" + std::to_string(seed));
    // Few distinct names, dates and kelurahan, so that ties are common; names in mixed case.
    const std::vector<std::string> names = {"Siti Aminah",
                                            "siti aminah",
                                            "Budi",
                                            "ahmad yani",
                                            "Ahmad Yani",
                                            "Zainal",
                                            "Çahaya",
                                            "Rina"};
    const std::vector<std::string> kelurahan = {
        "64.74.01.1003", "64.74.01.1004", "64.74.02.1001", "64.74.03.1005"};
    std::vector<Row> rows;
    for (int n = 1; n <= 61; ++n) {
        core::Person p = full_person(n);
        p.full_name = names[rng() % names.size()];
        if (rng() % 5 == 0) {
            p.birth_date = core::Date{};
        } else {
            p.birth_date = core::make_date(1950 + static_cast<int>(rng() % 3),
                                           1 + static_cast<unsigned>(rng() % 2),
                                           1 + static_cast<unsigned>(rng() % 3));
        }
        p.address.kelurahan_code = kelurahan[rng() % kelurahan.size()];
        const std::string kecamatan = core::kecamatan_of(p.address.kelurahan_code);
        auto created = store().create_person(
            person_id(n), p, kecamatan, {"user:1", "cli", kT0, ""}, std::nullopt);
        ASSERT_TRUE(created.has_value()) << created.error().message;
        Row r;
        r.n = n;
        r.id = person_id(n).str();
        r.name_key = ascii_lower(p.full_name);
        r.birth = p.birth_date == core::Date{} ? "" : core::format_date(p.birth_date);
        r.kelurahan = p.address.kelurahan_code;
        r.kecamatan = kecamatan;
        rows.push_back(std::move(r));
    }
    std::vector<Row> in_utara;
    std::copy_if(rows.begin(), rows.end(), std::back_inserter(in_utara), [](const Row& r) {
        return r.kecamatan == "64.74.01";
    });

    for (const PersonSort sort : {PersonSort::Registered,
                                  PersonSort::Name,
                                  PersonSort::NameDesc,
                                  PersonSort::BirthDate,
                                  PersonSort::BirthDateDesc,
                                  PersonSort::Kelurahan,
                                  PersonSort::KelurahanDesc}) {
        for (const bool filtered : {false, true}) {
            SCOPED_TRACE("sort " + std::to_string(static_cast<int>(sort)) +
                         (filtered ? " in 64.74.01" : ""));
            PersonQuery q;
            q.sort = sort;
            q.limit = 7;
            if (filtered) {
                q.kecamatan_code = "64.74.01";
            }
            std::vector<std::string> got;
            for (int pages = 0; pages < 20; ++pages) {
                auto page = store().list_persons(q);
                ASSERT_TRUE(page.has_value()) << page.error().message;
                for (const auto& r : page->items) {
                    got.push_back(r.id.str());
                }
                if (page->next_cursor.empty()) {
                    break;
                }
                q.cursor = page->next_cursor;
            }
            EXPECT_EQ(got, oracle(filtered ? in_utara : rows, sort));
        }
    }
}

} // namespace kapal::store::contract
