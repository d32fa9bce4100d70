#include "kapal/geo/cluster_grid.hpp"

#include "kapal/core/assert.hpp"

#include <algorithm>
#include <cmath>

namespace kapal::geo {
namespace {

/// Cells per 360 degrees at `zoom`.
std::uint32_t columns(int zoom) {
    return std::uint32_t{1} << static_cast<unsigned>(zoom + 2);
}

/// Cells per 180 degrees of latitude.
std::uint32_t rows(int zoom) {
    return columns(zoom) / 2;
}

double scale(int zoom) {
    return std::ldexp(1.0, zoom + 2) / 360.0;
}

std::uint32_t clamp_index(double v, std::uint32_t n) {
    if (!(v >= 0)) {
        return 0;
    }
    if (v >= static_cast<double>(n)) {
        return n - 1;
    }
    return static_cast<std::uint32_t>(v);
}

std::uint64_t cell_key(CellId c) {
    return (std::uint64_t{c.col} << 32) | c.row;
}

std::int64_t e7(double deg) {
    return std::llround(deg * 1e7);
}

} // namespace

double cluster_cell_deg(int zoom) {
    KAPAL_ASSERT(zoom >= 0 && zoom <= kMaxClusterZoom);
    return 360.0 / std::ldexp(1.0, zoom + 2);
}

CellId cell_of(LonLat p, int zoom) {
    KAPAL_ASSERT(zoom >= 0 && zoom <= kMaxClusterZoom);
    const double s = scale(zoom);
    return {clamp_index(std::floor((p.lon + 180.0) * s), columns(zoom)),
            clamp_index(std::floor((p.lat + 90.0) * s), rows(zoom))};
}

BBox cell_box(CellId cell, int zoom) {
    const double side = cluster_cell_deg(zoom);
    return {cell.col * side - 180.0,
            cell.row * side - 90.0,
            (cell.col + 1) * side - 180.0,
            (cell.row + 1) * side - 90.0};
}

std::uint64_t ClusterView::cells() const {
    std::uint64_t n = 0;
    for (const CellRange& r : ranges) {
        n += r.cells();
    }
    return n;
}

bool ClusterView::contains(CellId c) const {
    return std::any_of(
        ranges.begin(), ranges.end(), [&](const CellRange& r) { return r.contains(c); });
}

ClusterView cluster_view(double west, double south, double east, double north, int zoom) {
    KAPAL_ASSERT(zoom >= 0 && zoom <= kMaxClusterZoom && south <= north);
    ClusterView v;
    v.zoom = zoom;
    const CellId sw = cell_of({west, south}, zoom);
    const CellId ne = cell_of({east, north}, zoom);
    if (west <= east) {
        v.ranges.push_back({sw.col, ne.col, sw.row, ne.row});
    } else {
        v.ranges.push_back({sw.col, columns(zoom) - 1, sw.row, ne.row});
        v.ranges.push_back({0, ne.col, sw.row, ne.row});
    }
    return v;
}

void CellSums::add(LonLat p, int delta) {
    count = static_cast<std::uint32_t>(static_cast<std::int64_t>(count) + delta);
    lon_e7 += delta * e7(p.lon);
    lat_e7 += delta * e7(p.lat);
}

void add_to_cluster(Cluster& c, const CellSums& sums, std::uint8_t categories) {
    c.sums.count += sums.count;
    c.sums.lon_e7 += sums.lon_e7;
    c.sums.lat_e7 += sums.lat_e7;
    for (unsigned bit = 0; bit < 8; ++bit) {
        if ((categories & (1U << bit)) != 0) {
            c.per_bit[bit] += sums.count;
        }
    }
}

void finish_cluster(Cluster& c) {
    c.count = c.sums.count;
    if (c.count > 0) {
        const auto n = static_cast<double>(c.count);
        c.centre = {static_cast<double>(c.sums.lon_e7) / n / 1e7,
                    static_cast<double>(c.sums.lat_e7) / n / 1e7};
    }
}

ClusterPyramid::ClusterPyramid(int max_zoom)
    : max_zoom_(max_zoom)
    , levels_(static_cast<std::size_t>(max_zoom + 1))
    , entries_(static_cast<std::size_t>(max_zoom + 1), 0) {
    KAPAL_ASSERT(max_zoom >= 0 && max_zoom <= kMaxClusterZoom);
}

void ClusterPyramid::add_at(int zoom, LonLat p, std::uint64_t group, int delta) {
    const auto z = static_cast<std::size_t>(zoom);
    const std::uint64_t key = cell_key(cell_of(p, zoom));
    Cell& cell = levels_[z][key];
    auto it = std::lower_bound(
        cell.begin(), cell.end(), group, [](const Group& g, std::uint64_t k) { return g.key < k; });
    if (it == cell.end() || it->key != group) {
        KAPAL_ASSERT(delta > 0);
        it = cell.insert(it, Group{group, {}});
        ++entries_[z];
    }
    it->sums.add(p, delta);
    if (it->sums.count == 0) {
        cell.erase(it);
        --entries_[z];
        if (cell.empty()) {
            levels_[z].erase(key);
        }
    }
}

void ClusterPyramid::add(LonLat p, std::uint64_t group, int delta) {
    for (int z = 0; z <= depth_; ++z) {
        add_at(z, p, group, delta);
    }
}

void ClusterPyramid::rebuild(
    const std::function<void(const std::function<void(LonLat, std::uint64_t)>&)>& each,
    std::size_t points) {
    for (std::size_t z = 0; z < levels_.size(); ++z) {
        levels_[z] = Level();
        entries_[z] = 0;
    }
    depth_ = -1;
    const std::size_t budget = std::max<std::size_t>(points / 4, 1024);
    for (int z = 0; z <= max_zoom_; ++z) {
        each([&](LonLat p, std::uint64_t group) { add_at(z, p, group, +1); });
        if (entries_[static_cast<std::size_t>(z)] > budget) {
            levels_[static_cast<std::size_t>(z)] = Level();
            entries_[static_cast<std::size_t>(z)] = 0;
            break;
        }
        depth_ = z;
    }
}

std::vector<Cluster>
ClusterPyramid::clusters(const ClusterView& view,
                         const std::function<bool(std::uint64_t group)>& pass) const {
    KAPAL_ASSERT(view.zoom >= 0 && view.zoom <= depth_);
    const Level& level = levels_[static_cast<std::size_t>(view.zoom)];
    std::vector<Cluster> out;
    auto take = [&](CellId id, const Cell& cell) {
        Cluster c;
        c.cell = id;
        for (const Group& g : cell) {
            if (pass(g.key)) {
                add_to_cluster(c, g.sums, ClusterGroup::unpack(g.key).categories);
            }
        }
        if (c.sums.count > 0) {
            finish_cluster(c);
            out.push_back(std::move(c));
        }
    };
    if (view.cells() <= level.size()) {
        for (const CellRange& r : view.ranges) {
            for (std::uint32_t col = r.col0; col <= r.col1; ++col) {
                for (std::uint32_t row = r.row0; row <= r.row1; ++row) {
                    const CellId id{col, row};
                    if (const auto it = level.find(cell_key(id)); it != level.end()) {
                        take(id, it->second);
                    }
                }
            }
        }
    } else {
        // A view larger than the level's non-empty cells (a coarse view of sparse data): walk
        // the cells held instead of the view.
        for (const auto& [key, cell] : level) {
            const CellId id{static_cast<std::uint32_t>(key >> 32),
                            static_cast<std::uint32_t>(key & 0xffffffffU)};
            if (view.contains(id)) {
                take(id, cell);
            }
        }
    }
    std::sort(out.begin(), out.end(), [](const Cluster& a, const Cluster& b) {
        return cell_key(a.cell) < cell_key(b.cell);
    });
    return out;
}

std::size_t ClusterPyramid::entries(int zoom) const {
    return zoom >= 0 && zoom <= max_zoom_ ? entries_[static_cast<std::size_t>(zoom)] : 0;
}

std::size_t ClusterPyramid::memory_bytes() const {
    std::size_t bytes = 0;
    for (const Level& l : levels_) {
        bytes += l.bucket_count() * sizeof(void*) +
                 l.size() * (sizeof(std::uint64_t) + sizeof(Cell) + 2 * sizeof(void*));
        for (const auto& [key, cell] : l) {
            bytes += cell.capacity() * sizeof(Group);
        }
    }
    return bytes;
}

} // namespace kapal::geo
