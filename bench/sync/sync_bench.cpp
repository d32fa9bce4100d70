// bench/sync: offline sync (docs/sync.md) on a SQLite store, in process (no HTTP).
//   kapal_bench_sync OPS AREA_PERSONS RUNS DIR
// Each run, on fresh stores:
//  - sync: OPS queued ops (half person.create with the device's ids, half person.update of those
//    persons from version 1) sent as batches of 100 through SyncEngine::batch; then the whole
//    queue sent again (every op a replay). Anchor in the same run: the same creates and updates
//    through PersonService directly, into another fresh store.
//  - pull: AREA_PERSONS persons in the operator's kecamatan among as many elsewhere; the first
//    pull page by page (500), then the changes after 100 edits. Anchor: the same pages of
//    PersonService::list, records read and not turned into JSON.
//  - changes elsewhere: 1,000 edits of persons outside the operator's kecamatan, then the
//    incremental pull, which must send none of them and find that none was ever in the areas.
//    Anchor: reading the same change feed (Store::person_changes), the least the pull can do.
// DIR is created and holds the stores (remove it afterwards). Results in docs/PERFORMANCE.md.

#include "kapal/card/card_key.hpp"
#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/http/person_json.hpp"
#include "kapal/http/sync_engine.hpp"
#include "kapal/service/aid_service.hpp"
#include "kapal/service/card_service.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/sqlite/sqlite_store.hpp"

#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace kapal;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::array<const char*, 6> kHere = {"64.74.01.1001",
                                              "64.74.01.1002",
                                              "64.74.01.1003",
                                              "64.74.01.1004",
                                              "64.74.01.1005",
                                              "64.74.01.1006"};
constexpr std::array<const char*, 6> kElsewhere = {"64.74.02.1001",
                                                   "64.74.02.1002",
                                                   "64.74.02.1003",
                                                   "64.74.03.1001",
                                                   "64.74.03.1002",
                                                   "64.74.03.1003"};

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

long peak_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

/// Person n: a valid NIK (region 64.74, birth date and sex agreeing), in kelurahan `kel`.
json person_json(std::size_t n, const char* kel) {
    const int day = 1 + static_cast<int>(n % 28);
    const int month = 1 + static_cast<int>((n / 28) % 12);
    const int year = 1950 + static_cast<int>(n % 50);
    const bool woman = n % 2 == 1;
    char nik[24];
    std::snprintf(nik,
                  sizeof nik,
                  "647401%02d%02d%02d%04zu",
                  day + (woman ? 40 : 0),
                  month,
                  year % 100,
                  n % 9999 + 1);
    char birth[16];
    std::snprintf(birth, sizeof birth, "%04d-%02d-%02d", year, month, day);
    return json{
        {"nik", nik},
        {"full_name", "Warga Uji " + std::to_string(n)},
        {"sex", woman ? "P" : "L"},
        {"birth_date", birth},
        {"address", {{"street", "Jl. Uji"}, {"rt", "001"}, {"rw", "01"}, {"kelurahan_code", kel}}},
        {"categories", {"fisik"}}};
}

/// The services over one store, as the server builds them.
struct Services {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<service::PersonService> persons;
    std::unique_ptr<service::CardService> cards;
    std::unique_ptr<service::AidService> aid;
    std::unique_ptr<service::ServiceDesk> desk;
    std::unique_ptr<http::SyncEngine> sync;
};

Services open_services(const std::filesystem::path& dir,
                       const std::shared_ptr<const service::ReferenceData>& ref,
                       const core::Clock& clock,
                       core::IdGenerator& ids) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto opened = store::open_sqlite_store(dir / "store.db", store::generate_store_keys());
    if (!opened) {
        std::fprintf(stderr, "store: %s\n", opened.error().message.c_str());
        std::exit(1);
    }
    Services s;
    s.store = std::move(*opened);
    s.persons = std::make_unique<service::PersonService>(*s.store, ref, clock, ids);
    const auto key = card::card_key_from_seed(std::array<std::uint8_t, 32>{9});
    const std::vector<card::PublishedCardKey> keys = {
        card::PublishedCardKey{key.kid, key.public_key, clock.now(), {}}};
    s.cards = std::make_unique<service::CardService>(
        *s.store, *s.persons, clock, key, keys, service::CardSettings{"Bench", 5, "-", "http://b"});
    s.aid = std::make_unique<service::AidService>(*s.store, *s.cards, clock, ids, &ref->regions);
    s.desk = std::make_unique<service::ServiceDesk>(*s.store, *s.persons, *s.cards, clock, ids);
    s.sync = std::make_unique<http::SyncEngine>(*s.persons, *s.aid, *s.desk, *s.store, clock, ids);
    return s;
}

void check(bool ok, const char* what, const std::string& message) {
    if (!ok) {
        std::fprintf(stderr, "%s: %s\n", what, message.c_str());
        std::exit(1);
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: %s OPS AREA_PERSONS RUNS DIR\n", argv[0]);
        return 2;
    }
    const auto ops_total = static_cast<std::size_t>(std::atol(argv[1]));
    const auto area_persons = static_cast<std::size_t>(std::atol(argv[2]));
    const int runs = std::max(1, std::atoi(argv[3]));
    const std::filesystem::path dir = argv[4];
    const auto ref = service::load_reference_data(KAPAL_SOURCE_DIR "/data");
    check(ref.has_value(), "reference data", ref ? "" : ref.error().message);
    core::SystemClock clock;
    core::IdGenerator ids(20261129);
    const service::Actor op{"operator:bench", "bench", {}, core::Role::Operator};
    const service::Actor kecamatan_op{
        "operator:utara", "bench", {"64.74.01"}, core::Role::Operator};

    std::vector<double> sync_s, replay_s, direct_s, pull_s, pull_anchor_s, delta_s;
    std::vector<double> elsewhere_s, feed_s;
    constexpr std::size_t kElsewhereEdits = 1000;
    std::size_t pulled = 0;
    std::size_t pull_bytes = 0;
    std::size_t delta_persons = 0;
    for (int run = 0; run < runs; ++run) {
        // ---- sync: the queue as a device would send it
        const std::size_t creates = ops_total / 2;
        std::vector<std::string> person_ids;
        std::vector<json> queue;
        for (std::size_t i = 0; i < creates; ++i) {
            person_ids.push_back(ids.next(clock.now()));
            queue.push_back(json{{"key", "c-" + std::to_string(i)},
                                 {"seq", queue.size() + 1},
                                 {"type", "person.create"},
                                 {"at", "2026-11-29T01:00:00Z"},
                                 {"person_id", person_ids.back()},
                                 {"person", person_json(i, kHere[i % kHere.size()])}});
        }
        for (std::size_t i = 0; i < ops_total - creates; ++i) {
            queue.push_back(json{{"key", "u-" + std::to_string(i)},
                                 {"seq", queue.size() + 1},
                                 {"type", "person.update"},
                                 {"at", "2026-11-29T02:00:00Z"},
                                 {"person_id", person_ids[i % creates]},
                                 {"base_version", 1},
                                 {"changes", {{"phone", "0812" + std::to_string(1'000'000 + i)}}}});
        }
        std::vector<std::string> batches;
        for (std::size_t at = 0; at < queue.size(); at += http::kMaxSyncBatchOps) {
            json ops = json::array();
            for (std::size_t i = at; i < std::min(queue.size(), at + http::kMaxSyncBatchOps); ++i) {
                ops.push_back(queue[i]);
            }
            batches.push_back(json{{"device_id", "bench-device"}, {"ops", ops}}.dump());
        }
        Services s = open_services(dir / ("sync-" + std::to_string(run)), *ref, clock, ids);
        auto t = Clock::now();
        std::size_t applied = 0;
        for (const auto& b : batches) {
            auto answer = s.sync->batch(b, op, "id");
            check(answer.has_value(), "batch", answer ? "" : answer.error().message);
            const json results = json::parse(*answer)["results"];
            for (const auto& r : results) {
                if (r["status"] == "applied" || r["status"] == "merged") {
                    ++applied;
                } else {
                    std::fprintf(stderr, "not applied: %s\n", r.dump().c_str());
                }
            }
        }
        sync_s.push_back(seconds_since(t));
        check(applied == queue.size(), "sync", std::to_string(applied) + " ops applied");
        t = Clock::now();
        std::size_t replayed = 0;
        for (const auto& b : batches) {
            auto answer = s.sync->batch(b, op, "id");
            check(answer.has_value(), "replay", answer ? "" : answer.error().message);
            const json results = json::parse(*answer)["results"];
            for (const auto& r : results) {
                replayed += r.value("replayed", false) ? 1 : 0;
            }
        }
        replay_s.push_back(seconds_since(t));
        check(replayed == queue.size(), "replay", std::to_string(replayed) + " ops replayed");

        // Anchor: the same changes through PersonService directly.
        Services d = open_services(dir / ("direct-" + std::to_string(run)), *ref, clock, ids);
        t = Clock::now();
        std::vector<std::int64_t> versions(creates, 0);
        for (std::size_t i = 0; i < creates; ++i) {
            auto input = http::person_from_json(queue[i]["person"].dump());
            check(input.has_value(), "direct input", input ? "" : input.error().message);
            auto made = d.persons->create(
                std::move(input->person), op, std::nullopt, core::PersonId(person_ids[i]));
            check(made.has_value(), "direct create", made ? "" : made.error().message);
            versions[i] = made->record.version;
        }
        for (std::size_t i = creates; i < queue.size(); ++i) {
            const std::size_t target = (i - creates) % creates;
            auto current = d.persons->get(core::PersonId(person_ids[target]), op);
            check(current.has_value(), "direct get", current ? "" : current.error().message);
            core::Person p = current->person;
            p.phone = queue[i]["changes"]["phone"];
            auto written = d.persons->update(current->id, current->version, p, op, "bench");
            check(written.has_value(), "direct update", written ? "" : written.error().message);
        }
        direct_s.push_back(seconds_since(t));

        // ---- pull: AREA_PERSONS here among as many elsewhere
        Services p = open_services(dir / ("pull-" + std::to_string(run)), *ref, clock, ids);
        {
            std::vector<store::ImportItem> items;
            std::vector<core::PersonId> new_ids;
            for (std::size_t i = 0; i < area_persons * 2; ++i) {
                const char* kel = i % 2 == 0 ? kHere[(i / 2) % kHere.size()]
                                             : kElsewhere[(i / 2) % kElsewhere.size()];
                auto input = http::person_from_json(person_json(i, kel).dump());
                check(input.has_value(), "pull input", input ? "" : input.error().message);
                items.push_back(
                    store::ImportItem{input->person,
                                      core::kecamatan_of(input->person.address.kelurahan_code),
                                      false});
                new_ids.emplace_back(ids.next(clock.now()));
            }
            auto imported =
                p.store->import_persons(items, new_ids, {"bench", "cli", clock.now(), ""});
            check(imported.has_value(), "import", imported ? "" : imported.error().message);
        }
        t = Clock::now();
        std::string since;
        pulled = 0;
        pull_bytes = 0;
        for (;;) {
            auto page = p.sync->pull(since, 500, kecamatan_op);
            check(page.has_value(), "pull", page ? "" : page.error().message);
            pull_bytes += page->size();
            const json body = json::parse(*page);
            pulled += body["persons"].size();
            since = body["next"];
            if (!body["more"].get<bool>()) {
                break;
            }
        }
        pull_s.push_back(seconds_since(t));
        check(pulled == area_persons, "pull", std::to_string(pulled) + " persons pulled");

        t = Clock::now();
        store::PersonQuery query;
        query.limit = 500;
        std::size_t listed = 0;
        for (;;) {
            auto page = p.persons->list(query, kecamatan_op);
            check(page.has_value(), "list", page ? "" : page.error().message);
            listed += page->items.size();
            if (page->next_cursor.empty()) {
                break;
            }
            query.cursor = page->next_cursor;
        }
        pull_anchor_s.push_back(seconds_since(t));
        check(listed == area_persons, "list", std::to_string(listed));

        // 100 edits here, then the incremental pull.
        store::PersonQuery first;
        first.limit = 100;
        auto some = p.persons->list(first, kecamatan_op);
        check(some.has_value(), "list", "");
        for (const auto& record : some->items) {
            core::Person changed = record.person;
            changed.phone = "081300001111";
            auto written = p.persons->update(record.id, record.version, changed, op, "bench");
            check(written.has_value(),
                  "edit",
                  written ? ""
                          : written.error().message + " " +
                                (written.error().fields.empty()
                                     ? std::string()
                                     : written.error().fields[0].field + ": " +
                                           written.error().fields[0].detail));
        }
        t = Clock::now();
        delta_persons = 0;
        for (;;) {
            auto page = p.sync->pull(since, 500, kecamatan_op);
            check(page.has_value(), "delta", page ? "" : page.error().message);
            const json body = json::parse(*page);
            delta_persons += body["persons"].size();
            since = body["next"];
            if (!body["more"].get<bool>()) {
                break;
            }
        }
        delta_s.push_back(seconds_since(t));

        // 1,000 edits elsewhere: the pull skips them all.
        store::PersonQuery away;
        away.kecamatan_code = "64.74.02";
        away.limit = 1000;
        auto others = p.persons->list(away, op);
        check(others.has_value() && others->items.size() == kElsewhereEdits,
              "list elsewhere",
              others ? std::to_string(others->items.size()) : others.error().message);
        // Where the feed stands before them: the anchor reads exactly these changes.
        store::ChangeCursor feed{0, 0};
        for (;;) {
            auto page = p.store->person_changes(feed, 1000);
            check(page.has_value(), "feed", page ? "" : page.error().message);
            feed = page->next;
            if (page->items.size() < 1000) {
                break;
            }
        }
        for (const auto& record : others->items) {
            core::Person changed = record.person;
            changed.phone = "081300002222";
            auto written = p.persons->update(record.id, record.version, changed, op, "bench");
            check(written.has_value(), "edit elsewhere", written ? "" : written.error().message);
        }
        t = Clock::now();
        std::size_t leaked = 0;
        for (;;) {
            auto page = p.sync->pull(since, 500, kecamatan_op);
            check(page.has_value(), "delta elsewhere", page ? "" : page.error().message);
            const json body = json::parse(*page);
            leaked += body["persons"].size() + body["removed"].size();
            since = body["next"];
            if (!body["more"].get<bool>()) {
                break;
            }
        }
        elsewhere_s.push_back(seconds_since(t));
        check(leaked == 0, "delta elsewhere", std::to_string(leaked) + " sent");
        t = Clock::now();
        std::size_t fed = 0;
        for (;;) {
            auto page = p.store->person_changes(feed, 500);
            check(page.has_value(), "feed", page ? "" : page.error().message);
            fed += page->items.size();
            feed = page->next;
            if (page->items.size() < 500) {
                break;
            }
        }
        feed_s.push_back(seconds_since(t));
        check(fed == kElsewhereEdits, "feed", std::to_string(fed) + " changes");
        std::printf("run %d: sync %zu ops %.2f s, replay %.2f s, direct %.2f s; pull %zu persons "
                    "%.2f s (%zu KiB), list %.2f s; %zu changed pulled in %.3f s; %zu changed "
                    "elsewhere skipped in %.3f s, feed of %zu read in %.3f s\n",
                    run + 1,
                    queue.size(),
                    sync_s.back(),
                    replay_s.back(),
                    direct_s.back(),
                    pulled,
                    pull_s.back(),
                    pull_bytes / 1024,
                    pull_anchor_s.back(),
                    delta_persons,
                    delta_s.back(),
                    kElsewhereEdits,
                    elsewhere_s.back(),
                    fed,
                    feed_s.back());
        std::filesystem::remove_all(dir);
    }
    std::printf("median of %d: sync of %zu ops %.2f s (%.0f ops/s), replayed %.2f s; direct "
                "anchor %.2f s; ratio %.2f | pull of %zu persons %.2f s, list anchor %.2f s, "
                "ratio %.2f; %zu changed in %.3f s | %zu changed elsewhere skipped in %.3f s, "
                "feed anchor %.3f s, ratio %.1f | peak %ld MiB\n",
                runs,
                ops_total,
                median(sync_s),
                static_cast<double>(ops_total) / median(sync_s),
                median(replay_s),
                median(direct_s),
                median(sync_s) / median(direct_s),
                pulled,
                median(pull_s),
                median(pull_anchor_s),
                median(pull_s) / median(pull_anchor_s),
                delta_persons,
                median(delta_s),
                kElsewhereEdits,
                median(elsewhere_s),
                median(feed_s),
                median(elsewhere_s) / median(feed_s),
                peak_mib());
    return 0;
}
