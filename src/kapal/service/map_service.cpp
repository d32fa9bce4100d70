#include "kapal/service/map_service.hpp"

#include "kapal/core/assert.hpp"
#include "kapal/core/region_registry.hpp"

#include <algorithm>
#include <map>

namespace kapal::service {
namespace {

geo::PointFilter point_filter(const MapFilters& filters, const Actor& actor) {
    geo::PointFilter f;
    f.area_prefixes = actor.scope_area_codes;
    if (filters.category) {
        f.any_category = static_cast<std::uint8_t>(1U << static_cast<unsigned>(*filters.category));
    }
    if (filters.severity) {
        f.severity = static_cast<std::uint8_t>(*filters.severity);
    }
    if (filters.status) {
        f.status = static_cast<std::uint8_t>(*filters.status);
    }
    return f;
}

bool in_scope(const std::string& code, const Actor& actor) {
    return actor.scope_area_codes.empty() ||
           std::any_of(actor.scope_area_codes.begin(),
                       actor.scope_area_codes.end(),
                       [&](const std::string& area) { return core::code_within(code, area); });
}

bool passes(const geo::ClusterGroup& g, const MapFilters& f) {
    return (!f.category || (g.categories & (1U << static_cast<unsigned>(*f.category))) != 0) &&
           (!f.severity || g.severity == static_cast<std::uint8_t>(*f.severity)) &&
           (!f.status || g.status == static_cast<std::uint8_t>(*f.status));
}

void add_group(AreaCounts& c, const geo::ClusterGroup& g, std::size_t n) {
    c.total += n;
    for (std::size_t i = 0; i < c.categories.size(); ++i) {
        if ((g.categories & (1U << i)) != 0) {
            c.categories[i] += n;
        }
    }
    if (g.status < c.statuses.size()) {
        c.statuses[g.status] += n;
    }
}

} // namespace

std::optional<AreaLevel> parse_area_level(std::string_view text) {
    if (text == "kelurahan") {
        return AreaLevel::Kelurahan;
    }
    if (text == "kecamatan") {
        return AreaLevel::Kecamatan;
    }
    if (text == "kota") {
        return AreaLevel::Kota;
    }
    return std::nullopt;
}

std::vector<bool>
suppress_small_cells(const std::vector<std::uint64_t>& counts,
                     const std::vector<std::pair<std::size_t, std::vector<std::size_t>>>& relations,
                     std::uint64_t threshold) {
    std::vector<bool> hidden(counts.size(), false);
    for (std::size_t i = 0; i < counts.size(); ++i) {
        hidden[i] = counts[i] > 0 && counts[i] < threshold;
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto& [total, parts] : relations) {
            std::size_t hidden_members = hidden[total] ? 1 : 0;
            std::size_t hidden_parts = 0;
            std::uint64_t hidden_sum = 0;
            for (const std::size_t p : parts) {
                if (hidden[p]) {
                    ++hidden_members;
                    ++hidden_parts;
                    hidden_sum += counts[p];
                }
            }
            // With the total shown, the hidden parts' sum is known; each hidden part is at least
            // 1 (zeros are shown), so each could be any value in 1..threshold-1 only when the sum
            // leaves that much room.
            const bool pinned =
                !hidden[total] && hidden_parts > 0 && hidden_sum < hidden_parts + threshold - 1;
            if (hidden_members != 1 && !pinned) {
                continue;
            }
            std::optional<std::size_t> pick;
            for (const std::size_t p : parts) {
                if (!hidden[p] && counts[p] > 0 && (!pick || counts[p] < counts[*pick])) {
                    pick = p;
                }
            }
            if (!pick && !hidden[total]) {
                pick = total;
            }
            if (pick) {
                hidden[*pick] = true;
                changed = true;
            }
        }
    }
    return hidden;
}

MapService::MapService(const PersonIndex& index, std::shared_ptr<const ReferenceData> ref)
    : index_(index)
    , ref_(std::move(ref)) {}

Result<ClusterAnswer> MapService::clusters(const ClusterRequest& request,
                                           const MapFilters& filters,
                                           const Actor& actor) const {
    const geo::ClusterView view =
        geo::cluster_view(request.west, request.south, request.east, request.north, request.zoom);
    if (view.cells() > geo::kMaxClusterCells) {
        return fail(ErrorCode::ValidationFailed,
                    "the box is too large for this zoom",
                    {{"bbox",
                      ErrorCode::InvalidArgument,
                      "at most " + std::to_string(geo::kMaxClusterCells) + " cells of " +
                          std::to_string(geo::cluster_cell_deg(request.zoom)) +
                          " degrees; zoom out or send the visible box"}});
    }
    if (!index_.ready()) {
        return fail(ErrorCode::IndexLoading, "the point index is still loading");
    }
    ClusterAnswer out;
    out.zoom = request.zoom;
    out.cell_deg = geo::cluster_cell_deg(request.zoom);
    out.clusters = index_.clusters(view, point_filter(filters, actor));
    for (const geo::Cluster& c : out.clusters) {
        out.total += c.count;
    }
    return out;
}

const std::vector<geo::AreaFeature>& MapService::features(AreaLevel level) const {
    switch (level) {
    case AreaLevel::Kota:
        return ref_->kota;
    case AreaLevel::Kecamatan:
        return ref_->kecamatan;
    case AreaLevel::Kelurahan:
        break;
    }
    KAPAL_ASSERT(ref_->kelurahan != nullptr); // load_reference_data always sets it
    return ref_->kelurahan->features();
}

std::optional<std::int64_t> MapService::population_of(const std::string& code) const {
    for (const AreaPopulation& p : ref_->population) {
        if (p.code == code && p.population > 0) {
            return p.population;
        }
    }
    return std::nullopt;
}

Result<std::vector<AreaStats>>
MapService::areas(AreaLevel level, const MapFilters& filters, const Actor& actor) const {
    if (!index_.ready()) {
        return fail(ErrorCode::IndexLoading, "the point index is still loading");
    }
    std::vector<AreaStats> out;
    for (const geo::AreaFeature& f : features(level)) {
        if (in_scope(f.code, actor)) {
            out.push_back({&f, population_of(f.code), {}});
        }
    }
    // A group's area counts in the area of its own code and of each shorter dotted prefix
    // ("64.74.01.1003" in "64.74.01" and "64.74"): a lookup per prefix, not per area.
    std::map<std::string, std::size_t, std::less<>> slot;
    for (std::size_t i = 0; i < out.size(); ++i) {
        slot.emplace(out[i].feature->code, i);
    }
    index_.count_groups([&](const std::string& area, const geo::ClusterGroup& g, std::size_t n) {
        if (!passes(g, filters)) {
            return;
        }
        for (std::string_view code(area); !code.empty();) {
            if (const auto it = slot.find(code); it != slot.end()) {
                add_group(out[it->second].counts, g, n);
            }
            const auto dot = code.rfind('.');
            code = dot == std::string_view::npos ? std::string_view() : code.substr(0, dot);
        }
    });
    return out;
}

Result<std::vector<PublicAreaCount>> MapService::public_areas(AreaLevel level) const {
    if (!index_.ready()) {
        return fail(ErrorCode::IndexLoading, "the point index is still loading");
    }
    // Cells: the kelurahan (counted from the index), then each kecamatan and the kota as the
    // sums of the cells under them, so that every published figure is a sum of the published
    // cells below it and the suppression sees every relation.
    std::vector<const geo::AreaFeature*> cells;
    std::map<std::string, std::size_t> cell_of;
    for (const auto* const level_features :
         {&features(AreaLevel::Kelurahan), &ref_->kecamatan, &ref_->kota}) {
        for (const geo::AreaFeature& f : *level_features) {
            cell_of.emplace(f.code, cells.size());
            cells.push_back(&f);
        }
    }
    std::vector<std::uint64_t> counts(cells.size(), 0);
    index_.count_groups([&](const std::string& area, const geo::ClusterGroup& g, std::size_t n) {
        const auto it = cell_of.find(area);
        if (it != cell_of.end() && g.status == static_cast<std::uint8_t>(core::Status::Aktif) &&
            cells[it->second]->level == "kelurahan") {
            counts[it->second] += n;
        }
    });
    std::vector<std::pair<std::size_t, std::vector<std::size_t>>> relations;
    for (std::size_t parent = 0; parent < cells.size(); ++parent) {
        if (cells[parent]->level == "kelurahan") {
            continue;
        }
        std::vector<std::size_t> parts;
        for (std::size_t child = 0; child < cells.size(); ++child) {
            if (cells[child]->parent_code == cells[parent]->code) {
                parts.push_back(child);
            }
        }
        relations.emplace_back(parent, std::move(parts));
    }
    // Kecamatan before the kota: a kota sums kecamatan that are themselves sums.
    std::sort(relations.begin(), relations.end(), [&](const auto& a, const auto& b) {
        return cells[a.first]->code.size() > cells[b.first]->code.size();
    });
    for (const auto& [parent, parts] : relations) {
        counts[parent] = 0;
        for (const std::size_t p : parts) {
            counts[parent] += counts[p];
        }
    }
    const std::vector<bool> hidden = suppress_small_cells(counts, relations);
    std::vector<PublicAreaCount> out;
    for (const geo::AreaFeature& f : features(level)) {
        const std::size_t i = cell_of.at(f.code);
        out.push_back({&f,
                       population_of(f.code),
                       hidden[i] ? std::nullopt : std::optional<std::uint64_t>(counts[i])});
    }
    return out;
}

} // namespace kapal::service
