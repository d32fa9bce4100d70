#pragma once
// The registry as GIS layers: persons (points, masked, limited to the caller's areas) and
// administrative areas (polygons), each a FeatureCollection registered in a FeatureCatalogue
// that the OGC API – Features routes and the exports serve. A new layer (hazard zones,
// facilities) is one more registration: an id, a title, an extent, a schema and a function
// that pages its features.

#include "kapal/core/person.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/core/result.hpp"
#include "kapal/io/feature.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/person_index.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/service/reference_data.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::service {

/// The attributes of the persons layer (snake_case; the feature id is the person's id).
io::FeatureSchema person_layer_schema();

/// A person as a point feature (no geometry without a home). NIK and KK are masked unless
/// `clear_ids` (the command line's --with-nik); the account number is never included.
io::Feature person_feature(const core::PersonRecord& record,
                           const core::RegionRegistry& regions,
                           bool clear_ids = false);

/// The attributes of the areas layer: code, name, level, parent_code (the id is the code).
io::FeatureSchema area_layer_schema();

/// An area as a multipolygon feature.
io::Feature area_feature(const geo::AreaFeature& area);

/// A page request: features whose geometry intersects `bbox` (all when unset; min_lon > max_lon
/// crosses the antimeridian, see geo::split_at_antimeridian), skipping
/// `offset`, at most `limit`.
struct FeatureQuery {
    std::optional<geo::BBox> bbox;
    std::size_t offset = 0;
    std::size_t limit = 100;
};

/// One page, and how many features match the query in all.
struct FeaturePage {
    std::vector<io::Feature> items;
    std::size_t matched = 0;
};

/// One layer that the OGC API serves.
struct FeatureCollection {
    std::string id;          ///< the path segment: /ogc/collections/{id}
    std::string title;       ///< for people (QGIS shows it)
    std::string description; ///< for people
    geo::BBox extent;        ///< WGS84 box of the layer (the city's for persons: never the data's)
    io::FeatureSchema schema;
    /// True: anyone may read it. False: signed-in readers only; `items` and `item` then scope
    /// to the actor's areas and mask.
    bool open = false;
    /// Pages the features in a stable order. Errors: IndexLoading, StoreUnavailable.
    std::function<Result<FeaturePage>(const FeatureQuery&, const Actor&)> items;
    /// One feature by id. Errors: NotFound (also outside the actor's areas).
    std::function<Result<io::Feature>(const std::string&, const Actor&)> item;
};

/// The collections of this server, in registration order.
class FeatureCatalogue {
  public:
    /// Registers a collection. Precondition: its id is new and a single path segment.
    void add(FeatureCollection collection);

    /// The collection with this id, or nullptr.
    const FeatureCollection* find(std::string_view id) const;

    const std::vector<FeatureCollection>& all() const { return collections_; }

  private:
    std::vector<FeatureCollection> collections_;
};

/// The persons collection: persons with a home location, from the point index (ordered by id),
/// each read from the store and masked; the actor's areas apply. The service and index must
/// outlive the collection.
FeatureCollection persons_collection(PersonService& persons,
                                     const PersonIndex& index,
                                     std::shared_ptr<const ReferenceData> ref);

/// The areas collection: kota, kecamatan and kelurahan polygons from the reference data, open
/// to anyone; bbox selects the areas whose bounding box meets it.
FeatureCollection areas_collection(std::shared_ptr<const ReferenceData> ref);

} // namespace kapal::service
