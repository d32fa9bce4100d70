#include "kapal/http/ogc_routes.hpp"

#include "kapal/core/time.hpp"
#include "kapal/http/problem.hpp"
#include "kapal/io/geojson_writer.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace kapal::http {
namespace {

using nlohmann::json;

constexpr const char* kCrs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
constexpr const char* kGeoJson = "application/geo+json";
constexpr const char* kJson = "application/json";

const Access kReaders = Access::only(
    {core::Role::Admin, core::Role::Operator, core::Role::Auditor, core::Role::Viewer});

/// "http://host" as the client reached us (links must be absolute for some clients); "" when
/// the Host header is missing or odd, and links are then relative.
std::string origin(const Request& req) {
    const auto host = req.header("Host");
    if (!host || host->empty() || host->size() > 255) {
        return {};
    }
    for (const char c : *host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' || c == '[' ||
                        c == ']';
        if (!ok) {
            return {};
        }
    }
    return std::string(req.tls ? "https://" : "http://") + std::string(*host);
}

json link(const std::string& href,
          const std::string& rel,
          const std::string& type,
          const std::string& title = {}) {
    json l = {{"href", href}, {"rel", rel}, {"type", type}};
    if (!title.empty()) {
        l["title"] = title;
    }
    return l;
}

Response json_response(const json& body) {
    return Response::json(200, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

/// Checks f (json or geojson only) and that no parameter outside `allowed` is present.
bool check_parameters(const Request& req,
                      std::initializer_list<std::string_view> allowed,
                      std::vector<FieldIssue>& issues) {
    for (const auto& [name, value] : req.query) {
        bool known = name == "f";
        for (const auto a : allowed) {
            known = known || name == a;
        }
        if (!known) {
            issues.push_back({name, ErrorCode::UnknownField, "not a parameter of this resource"});
        }
    }
    if (const auto f = req.query_param("f"); f && *f != "json" && *f != "geojson") {
        issues.push_back({"f", ErrorCode::InvalidArgument, "json (the only encoding served)"});
    }
    return issues.empty();
}

std::optional<std::size_t> parse_count(std::string_view text) {
    std::size_t v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) {
        return std::nullopt;
    }
    return v;
}

json collection_json(const service::FeatureCollection& c, const std::string& base) {
    const std::string self = base + "/collections/" + c.id;
    return {{"id", c.id},
            {"title", c.title},
            {"description", c.description},
            {"itemType", "feature"},
            {"crs", json::array({kCrs84})},
            {"extent",
             {{"spatial",
               {{"bbox",
                 json::array({json::array(
                     {c.extent.min_lon, c.extent.min_lat, c.extent.max_lon, c.extent.max_lat})})},
                {"crs", kCrs84}}}}},
            {"links",
             json::array({link(self, "self", kJson, c.title),
                          link(self + "/items", "items", kGeoJson, c.title)})}};
}

std::string format_bbox(const geo::BBox& b) {
    std::string out;
    io::append_json_bbox(out, b);
    return out.substr(1, out.size() - 2);
}

Response items_response(const service::FeatureCollection& c,
                        const service::FeatureQuery& q,
                        const service::FeaturePage& page,
                        const std::string& base,
                        const core::Clock& clock) {
    const std::string items = base + "/collections/" + c.id + "/items";
    auto href = [&](std::size_t offset) {
        std::string h = items + "?f=json&limit=" + std::to_string(q.limit) +
                        "&offset=" + std::to_string(offset);
        if (q.bbox) {
            h += "&bbox=" + format_bbox(*q.bbox);
        }
        return h;
    };
    json links = json::array({link(href(q.offset), "self", kGeoJson, "this page"),
                              link(base + "/collections/" + c.id, "collection", kJson, c.title)});
    if (q.offset + page.items.size() < page.matched && !page.items.empty()) {
        links.push_back(link(href(q.offset + q.limit), "next", kGeoJson, "next page"));
    }
    if (q.offset > 0) {
        links.push_back(link(
            href(q.offset > q.limit ? q.offset - q.limit : 0), "prev", kGeoJson, "previous page"));
    }
    std::string body = R"({"type":"FeatureCollection","features":[)";
    for (std::size_t i = 0; i < page.items.size(); ++i) {
        if (i > 0) {
            body += ',';
        }
        io::append_geojson_feature(body, c.schema, page.items[i]);
    }
    body += "],\"numberMatched\":" + std::to_string(page.matched);
    body += ",\"numberReturned\":" + std::to_string(page.items.size());
    body += ",\"timeStamp\":";
    io::append_json_string(body, core::format_timestamp(clock.now()));
    body += ",\"links\":" + links.dump(-1, ' ', false, json::error_handler_t::replace) + "}";
    auto res = Response::json(200, std::move(body));
    res.set_header("Content-Type", kGeoJson);
    return res;
}

service::Actor actor_of(const service::FeatureCollection& c, const Request& req) {
    if (!req.principal) {
        // An open collection: nobody in particular, and no area scope needed (public data).
        // A closed one is behind the gate, so this would be a routing bug: fail closed.
        return {"anonymous",
                req.remote_address,
                c.open ? std::vector<std::string>{} : std::vector<std::string>{"-"},
                core::Role::Viewer};
    }
    return req.principal->actor(req.remote_address);
}

} // namespace

std::optional<service::FeatureQuery> parse_items_query(const Request& req,
                                                       std::vector<FieldIssue>& issues) {
    service::FeatureQuery q;
    q.limit = kOgcDefaultLimit;
    if (!check_parameters(req, {"bbox", "bbox-crs", "limit", "offset", "datetime"}, issues)) {
        return std::nullopt;
    }
    if (const auto v = req.query_param("limit")) {
        const auto n = parse_count(*v);
        if (!n || *n < 1) {
            issues.push_back({"limit", ErrorCode::InvalidArgument, "an integer from 1"});
        } else {
            q.limit = std::min(*n, kOgcMaxLimit);
        }
    }
    if (const auto v = req.query_param("offset")) {
        const auto n = parse_count(*v);
        if (!n) {
            issues.push_back({"offset", ErrorCode::InvalidArgument, "an integer from 0"});
        } else {
            q.offset = *n;
        }
    }
    if (const auto v = req.query_param("bbox-crs"); v && *v != kCrs84) {
        issues.push_back({"bbox-crs", ErrorCode::InvalidArgument, kCrs84});
    }
    if (const auto v = req.query_param("bbox")) {
        std::vector<double> n;
        std::string_view rest = *v;
        bool ok = true;
        while (ok) {
            const auto comma = rest.find(',');
            const std::string part(rest.substr(0, comma));
            char* end = nullptr;
            const double d = std::strtod(part.c_str(), &end);
            ok = !part.empty() && end == part.c_str() + part.size() && std::isfinite(d) &&
                 n.size() < 6;
            n.push_back(d);
            if (comma == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(comma + 1);
        }
        if (ok && n.size() == 6) { // with heights: minx,miny,minz,maxx,maxy,maxz
            n = {n[0], n[1], n[3], n[4]};
        }
        if (!ok || n.size() != 4 || n[0] < -180 || n[2] > 180 || n[1] < -90 || n[3] > 90 ||
            n[1] > n[3]) {
            issues.push_back(
                {"bbox", ErrorCode::InvalidArgument, "min_lon,min_lat,max_lon,max_lat in WGS84"});
        } else {
            // min_lon > max_lon: a box across the antimeridian (OGC API – Features, bbox).
            q.bbox = geo::BBox{n[0], n[1], n[2], n[3]};
        }
    }
    if (const auto v = req.query_param("datetime"); v && v->empty()) {
        issues.push_back({"datetime", ErrorCode::InvalidArgument, "an instant or an interval"});
    }
    if (!issues.empty()) {
        return std::nullopt;
    }
    return q;
}

void add_ogc_routes(Router& router,
                    const service::FeatureCatalogue& catalogue,
                    const core::Clock& clock) {
    router.add("GET", "/ogc", Access::open(), [](const Request& req) {
        std::vector<FieldIssue> issues;
        if (!check_parameters(req, {}, issues)) {
            return bad_parameters(std::move(issues), req);
        }
        const std::string base = origin(req) + "/ogc";
        const json body = {
            {"title", "Kapal Si Geo – OGC API Features"},
            {"description",
             "Registry of persons with disabilities and administrative areas as GIS layers. "
             "Persons need an API token (Authorization: Bearer) of a reader; areas are open."},
            {"links",
             json::array({link(base, "self", kJson, "this document"),
                          link(origin(req) + "/api/v1/openapi.json",
                               "service-desc",
                               "application/vnd.oai.openapi+json;version=3.1",
                               "the API definition"),
                          link(base + "/conformance", "conformance", kJson, "conformance classes"),
                          link(base + "/collections", "data", kJson, "the collections")})}};
        return json_response(body);
    });
    router.add("GET", "/ogc/conformance", Access::open(), [](const Request& req) {
        std::vector<FieldIssue> issues;
        if (!check_parameters(req, {}, issues)) {
            return bad_parameters(std::move(issues), req);
        }
        return json_response(
            {{"conformsTo",
              json::array({"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                           "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"})}});
    });
    router.add("GET", "/ogc/collections", Access::open(), [&catalogue](const Request& req) {
        std::vector<FieldIssue> issues;
        if (!check_parameters(req, {}, issues)) {
            return bad_parameters(std::move(issues), req);
        }
        const std::string base = origin(req) + "/ogc";
        json list = json::array();
        for (const auto& c : catalogue.all()) {
            list.push_back(collection_json(c, base));
        }
        return json_response(
            {{"links", json::array({link(base + "/collections", "self", kJson, "collections")})},
             {"collections", std::move(list)}});
    });
    for (const auto& collection : catalogue.all()) {
        const service::FeatureCollection* c = &collection;
        const std::string path = "/ogc/collections/" + c->id;
        const Access access = c->open ? Access::open() : kReaders;
        // The description is open for every collection (it holds no records); the items
        // follow the collection's access.
        router.add("GET", path, Access::open(), [c](const Request& req) {
            std::vector<FieldIssue> issues;
            if (!check_parameters(req, {}, issues)) {
                return bad_parameters(std::move(issues), req);
            }
            return json_response(collection_json(*c, origin(req) + "/ogc"));
        });
        router.add("GET", path + "/items", access, [c, &clock](const Request& req) {
            std::vector<FieldIssue> issues;
            const auto q = parse_items_query(req, issues);
            if (!q) {
                return bad_parameters(std::move(issues), req);
            }
            auto page = c->items(*q, actor_of(*c, req));
            if (!page) {
                return problem_response(page.error(), req.lang());
            }
            return items_response(*c, *q, *page, origin(req) + "/ogc", clock);
        });
        router.add("GET", path + "/items/{featureId}", access, [c](const Request& req) {
            std::vector<FieldIssue> issues;
            if (!check_parameters(req, {}, issues)) {
                return bad_parameters(std::move(issues), req);
            }
            const std::string id(req.path_param("featureId"));
            auto feature = c->item(id, actor_of(*c, req));
            if (!feature) {
                return problem_response(feature.error(), req.lang());
            }
            const std::string base = origin(req) + "/ogc/collections/" + c->id;
            std::string body;
            io::append_geojson_feature(body, c->schema, *feature);
            body.pop_back(); // the closing brace: links follow
            body += ",\"links\":" +
                    json::array({link(base + "/items/" + id, "self", kGeoJson),
                                 link(base, "collection", kJson, c->title)})
                        .dump(-1, ' ', false, json::error_handler_t::replace) +
                    "}";
            auto res = Response::json(200, std::move(body));
            res.set_header("Content-Type", kGeoJson);
            return res;
        });
    }
}

} // namespace kapal::http
