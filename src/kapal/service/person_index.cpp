#include "kapal/service/person_index.hpp"

#include "kapal/store/store_codec.hpp"

#include <algorithm>
#include <chrono>
#include <string>

namespace kapal::service {
namespace {

/// Entries per page of the change feed.
constexpr int kFeedPage = 10000;

geo::PointAttributes attributes_of(const store::PersonSummary& s) {
    geo::PointAttributes a;
    a.categories = s.categories;
    a.devices = s.devices;
    a.severity = s.severity ? static_cast<std::uint8_t>(*s.severity) : std::uint8_t{0xff};
    a.status = static_cast<std::uint8_t>(s.status);
    a.area_code = s.kelurahan_code;
    return a;
}

} // namespace

store::PersonSummary summary_of(const core::PersonRecord& record) {
    store::PersonSummary s;
    s.id = record.id;
    s.version = record.version;
    s.kelurahan_code = record.person.address.kelurahan_code;
    s.categories = static_cast<std::uint8_t>(store::category_mask(record.person.categories));
    s.devices = static_cast<std::uint16_t>(store::device_mask(record.person.assistive_devices));
    s.severity = record.person.severity;
    s.status = record.person.status;
    if (record.person.home) {
        s.lon = record.person.home->lon;
        s.lat = record.person.home->lat;
    }
    s.full_name = record.person.full_name;
    if (record.person.birth_date.ok()) {
        s.birth_date = record.person.birth_date;
    }
    s.sex = record.person.sex;
    return s;
}

PersonIndex::PersonIndex(store::Store& store)
    : store_(store) {}

Result<std::size_t> PersonIndex::catch_up() {
    const std::lock_guard one_reader(catch_up_mutex_);
    std::size_t changed = 0;
    const bool first = !ready();
    if (first) {
        const std::unique_lock lock(mutex_);
        index_.begin_bulk();
    }
    store::ChangeCursor from = cursor();
    for (;;) {
        auto page = store_.person_changes(from, kFeedPage);
        if (!page) {
            return fail(std::move(page).error());
        }
        {
            const std::unique_lock lock(mutex_);
            for (const store::PersonSummary& s : page->items) {
                changed += apply_locked(s) ? 1 : 0;
            }
            cursor_ = page->next;
        }
        if (page->items.size() < static_cast<std::size_t>(kFeedPage)) {
            if (first) {
                const std::unique_lock lock(mutex_);
                index_.end_bulk();
                ready_.store(true, std::memory_order_release);
            }
            return changed;
        }
        from = page->next;
    }
}

void PersonIndex::apply(const core::PersonRecord& record) {
    const store::PersonSummary s = summary_of(record);
    const std::unique_lock lock(mutex_);
    duplicates_.upsert(s);
    // The follower may have applied this version from the feed already (PostgreSQL notifies at
    // commit), from a summary that may carry less (devices before schema v5): the full record
    // of the same version replaces it.
    index_.replace(s.id.str(),
                   s.version,
                   s.lon && s.lat ? std::optional(geo::LonLat{*s.lon, *s.lat}) : std::nullopt,
                   attributes_of(s));
}

bool PersonIndex::apply_locked(const store::PersonSummary& s) {
    duplicates_.upsert(s);
    return index_.upsert(s.id.str(),
                         s.version,
                         s.lon && s.lat ? std::optional(geo::LonLat{*s.lon, *s.lat}) : std::nullopt,
                         attributes_of(s));
}

std::vector<geo::PointHit> PersonIndex::within(geo::LonLat centre,
                                               double radius_m,
                                               const geo::PointFilter& filter,
                                               std::size_t limit) const {
    const std::shared_lock lock(mutex_);
    return index_.within(centre, radius_m, filter, limit);
}

std::vector<geo::PointHit>
PersonIndex::nearest(geo::LonLat centre, std::size_t k, const geo::PointFilter& filter) const {
    const std::shared_lock lock(mutex_);
    return index_.nearest(centre, k, filter);
}

std::vector<geo::PointHit>
PersonIndex::in_box(const geo::BBox& box, const geo::PointFilter& filter, std::size_t limit) const {
    const std::shared_lock lock(mutex_);
    return index_.in_box(box, filter, limit);
}

std::vector<geo::PointHit> PersonIndex::in_polygon(const geo::MultiPolygon& shape,
                                                   const geo::PointFilter& filter,
                                                   std::size_t limit) const {
    const std::shared_lock lock(mutex_);
    return index_.in_polygon(shape, filter, limit);
}

geo::PointPage PersonIndex::in_box_page(const geo::BBox& box,
                                        const geo::PointFilter& filter,
                                        std::size_t offset,
                                        std::size_t limit) const {
    const std::shared_lock lock(mutex_);
    return index_.in_box_page(box, filter, offset, limit);
}

std::vector<geo::Cluster> PersonIndex::clusters(const geo::ClusterView& view,
                                                const geo::PointFilter& filter) const {
    const std::shared_lock lock(mutex_);
    return index_.clusters(view, filter);
}

void PersonIndex::count_groups(const std::function<void(const std::string& area_code,
                                                        const geo::ClusterGroup& group,
                                                        std::size_t count)>& each) const {
    const std::shared_lock lock(mutex_);
    index_.count_groups(each);
}

std::size_t PersonIndex::size() const {
    const std::shared_lock lock(mutex_);
    return index_.size();
}

std::size_t PersonIndex::memory_bytes() const {
    const std::shared_lock lock(mutex_);
    return index_.memory_bytes() + duplicates_.memory_bytes();
}

store::ChangeCursor PersonIndex::cursor() const {
    const std::shared_lock lock(mutex_);
    return cursor_;
}

ChangeFollower::ChangeFollower(store::Store& store,
                               PersonIndex& index,
                               int poll_ms,
                               std::function<void(std::string_view)> log)
    : store_(store)
    , index_(index)
    , poll_ms_(std::clamp(poll_ms, 10, 1000))
    , log_(std::move(log))
    , thread_([this] { run(); }) {}

ChangeFollower::~ChangeFollower() {
    stop_ = true;
    thread_.join();
}

void ChangeFollower::run() {
    auto waiter = store_.change_waiter();
    bool failing = false;
    // The first load; the server answers meanwhile (spatial queries with IndexLoading).
    while (!stop_ && !index_.ready()) {
        const auto start = std::chrono::steady_clock::now();
        auto r = index_.catch_up();
        if (r && index_.ready()) {
            if (log_) {
                const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count();
                log_("point index: " + std::to_string(*r) + " persons loaded in " +
                     std::to_string(ms) + " ms");
            }
            break;
        }
        if (!r && !failing && log_) {
            log_("point index: " + r.error().message + " (retrying)");
        }
        failing = !r;
        waiter->wait(poll_ms_);
    }
    failing = false;
    while (!stop_) {
        waiter->wait(poll_ms_);
        if (stop_) {
            break;
        }
        auto r = index_.catch_up();
        if (!r && !failing && log_) {
            log_("change follower: " + r.error().message + " (retrying)");
        } else if (r && failing && log_) {
            log_("change follower: reading changes again");
        }
        failing = !r;
    }
}

} // namespace kapal::service
