#pragma once
// The in-memory point index of every person's home, kept in step with the store: loaded from
// the store's change feed at start, updated at once by this process's own writes, and by a
// ChangeFollower for writes made elsewhere (another `kapal serve` on the same PostgreSQL
// database, or a command-line import). The store stays the source of truth.

#include "kapal/core/person.hpp"
#include "kapal/core/result.hpp"
#include "kapal/geo/point_index.hpp"
#include "kapal/service/duplicate_check.hpp"
#include "kapal/store/store.hpp"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <thread>
#include <vector>

namespace kapal::service {

class PersonIndex {
  public:
    explicit PersonIndex(store::Store& store);

    /// Reads the change feed after the last cursor (from the start on the first call) and
    /// applies it; returns how many entries changed. Safe to call from any thread. The first
    /// call that succeeds makes the index ready (it builds the tree in one go).
    Result<std::size_t> catch_up();

    /// True once the whole store has been read; before that, queries find nothing and
    /// PersonService::search answers IndexLoading.
    bool ready() const { return ready_.load(std::memory_order_acquire); }

    /// Applies a record this process just wrote (before the follower sees it in the feed).
    void apply(const core::PersonRecord& record);

    /// Queries; see geo::PointIndex.
    std::vector<geo::PointHit> within(geo::LonLat centre,
                                      double radius_m,
                                      const geo::PointFilter& filter,
                                      std::size_t limit) const;
    std::vector<geo::PointHit>
    nearest(geo::LonLat centre, std::size_t k, const geo::PointFilter& filter) const;
    std::vector<geo::PointHit>
    in_box(const geo::BBox& box, const geo::PointFilter& filter, std::size_t limit) const;
    std::vector<geo::PointHit> in_polygon(const geo::MultiPolygon& shape,
                                          const geo::PointFilter& filter,
                                          std::size_t limit) const;

    /// One page of a box query in id order, and the number of matches; see
    /// geo::PointIndex::in_box_page.
    geo::PointPage in_box_page(const geo::BBox& box,
                               const geo::PointFilter& filter,
                               std::size_t offset,
                               std::size_t limit) const;

    /// Map clusters and per-area counts; see geo::PointIndex.
    std::vector<geo::Cluster> clusters(const geo::ClusterView& view,
                                       const geo::PointFilter& filter) const;
    void count_groups(const std::function<void(const std::string& area_code,
                                               const geo::ClusterGroup& group,
                                               std::size_t count)>& each) const;

    std::size_t size() const;
    std::size_t memory_bytes() const;
    store::ChangeCursor cursor() const;

    /// The blocking keys of the same persons, for the duplicate check (kept in the same step).
    const DuplicateIndex& duplicates() const { return duplicates_; }

  private:
    /// Upserts one summary (caller holds mutex_ exclusively); true when it changed the index.
    bool apply_locked(const store::PersonSummary& s);

    store::Store& store_;
    mutable std::shared_mutex mutex_; ///< guards index_ and cursor_
    std::mutex catch_up_mutex_;       ///< one reader of the feed at a time
    geo::PointIndex index_;
    DuplicateIndex duplicates_;
    store::ChangeCursor cursor_;
    std::atomic<bool> ready_{false};
};

/// A thread that loads a PersonIndex (logging "point index: N persons loaded in T ms") and
/// then keeps it following the store: it waits on the store's
/// ChangeWaiter (PostgreSQL: a NOTIFY at each commit; SQLite: a sleep) for at most `poll_ms`
/// (10..1000; so it also stops within a second), then catches up. Errors go to `log` once per
/// failing spell and are retried.
class ChangeFollower {
  public:
    ChangeFollower(store::Store& store,
                   PersonIndex& index,
                   int poll_ms,
                   std::function<void(std::string_view)> log);
    ChangeFollower(const ChangeFollower&) = delete;
    ChangeFollower& operator=(const ChangeFollower&) = delete;
    ChangeFollower(ChangeFollower&&) = delete;
    ChangeFollower& operator=(ChangeFollower&&) = delete;
    ~ChangeFollower(); ///< stops the thread

  private:
    void run();

    store::Store& store_;
    PersonIndex& index_;
    int poll_ms_;
    std::function<void(std::string_view)> log_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

/// The summary of a record, as the change feed would give it.
store::PersonSummary summary_of(const core::PersonRecord& record);

} // namespace kapal::service
