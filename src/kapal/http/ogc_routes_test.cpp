#include "kapal/http/ogc_routes.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <random>

namespace kapal::http {
namespace {

using nlohmann::json;

std::uint64_t test_seed() {
    const char* env = std::getenv("KAPAL_TEST_SEED");
    return env != nullptr ? std::strtoull(env, nullptr, 10) : 17U;
}

/// A collection of points held in memory, in id order, that remembers the last actor.
struct Points {
    std::vector<io::Feature> features;
    std::string last_actor;

    service::FeatureCollection collection(std::string id, bool open) {
        service::FeatureCollection c;
        c.id = std::move(id);
        c.title = "Titik";
        c.extent = geo::BBox{117, 0, 118, 1};
        c.schema = {io::GeometryKind::Point, {{"n", io::FieldType::Integer}}};
        c.open = open;
        c.items = [this](const service::FeatureQuery& q, const service::Actor& a) {
            last_actor = a.id;
            service::FeaturePage page;
            for (const auto& f : features) {
                if (q.bbox && !q.bbox->contains(std::get<geo::LonLat>(f.geometry))) {
                    continue;
                }
                if (page.matched >= q.offset && page.items.size() < q.limit) {
                    page.items.push_back(f);
                }
                ++page.matched;
            }
            return Result<service::FeaturePage>(page);
        };
        c.item = [this](const std::string& fid, const service::Actor&) -> Result<io::Feature> {
            for (const auto& f : features) {
                if (f.id == fid) {
                    return f;
                }
            }
            return fail(ErrorCode::NotFound, "no such feature");
        };
        return c;
    }
};

class OgcRoutes : public ::testing::Test {
  protected:
    void SetUp() override {
        std::mt19937_64 rng(test_seed());
        std::uniform_real_distribution<double> u(0, 1);
        for (int i = 0; i < 237; ++i) {
            char id[16];
            std::snprintf(id, sizeof id, "p%04d", i);
            points_.features.push_back(
                {id, geo::LonLat{117 + u(rng), u(rng)}, {io::FieldValue{std::int64_t{i}}}});
        }
        catalogue_.add(points_.collection("titik", false));
        catalogue_.add(points_.collection("umum", true));
        add_ogc_routes(router_, catalogue_, clock_);
        router_.set_gate([](Request& req, const Access& access, const Handler& handler) {
            if (!req.header("Authorization")) {
                return Response::text(401, "no");
            }
            service::Principal p;
            p.user.id = "u1";
            p.role = core::Role::Viewer;
            if (!access.allows(p.role)) {
                return Response::text(403, "no");
            }
            req.principal = p;
            return handler(req);
        });
    }

    Response get(const std::string& target, bool signed_in = true) {
        Request req;
        req.method = "GET";
        EXPECT_TRUE(parse_target(target, req));
        req.headers.emplace_back("Host", "127.0.0.1:8080");
        if (signed_in) {
            req.headers.emplace_back("Authorization", "Bearer x");
        }
        return router_.handle(req);
    }

    Points points_;
    service::FeatureCatalogue catalogue_;
    core::FixedClock clock_{*core::parse_timestamp("2026-11-28T02:00:00Z")};
    Router router_;
};

TEST_F(OgcRoutes, LandingConformanceAndCollectionsLinkToEachOther) {
    const auto landing = json::parse(get("/ogc", false).body);
    std::set<std::string> rels;
    for (const auto& l : landing["links"]) {
        rels.insert(l["rel"].get<std::string>());
        EXPECT_EQ(l["href"].get<std::string>().rfind("http://127.0.0.1:8080/", 0), 0U);
    }
    EXPECT_EQ(rels, (std::set<std::string>{"self", "service-desc", "conformance", "data"}));
    const auto conf = json::parse(get("/ogc/conformance", false).body);
    EXPECT_NE(std::find(conf["conformsTo"].begin(),
                        conf["conformsTo"].end(),
                        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"),
              conf["conformsTo"].end());
    const auto cols = json::parse(get("/ogc/collections", false).body);
    ASSERT_EQ(cols["collections"].size(), 2U);
    EXPECT_EQ(cols["collections"][0]["id"], "titik");
    EXPECT_EQ(cols["collections"][0]["extent"]["spatial"]["bbox"][0],
              json::array({117, 0, 118, 1}));
    EXPECT_EQ(get("/ogc/collections/titik", false).status, 200);
    EXPECT_EQ(get("/ogc/collections/nothing").status, 404);
}

TEST_F(OgcRoutes, ClosedItemsNeedTheGateOpenOnesDoNot) {
    EXPECT_EQ(get("/ogc/collections/titik/items", false).status, 401);
    EXPECT_EQ(get("/ogc/collections/titik/items/p0001", false).status, 401);
    EXPECT_EQ(get("/ogc/collections/titik/items").status, 200);
    EXPECT_EQ(points_.last_actor, "u1");
    EXPECT_EQ(get("/ogc/collections/umum/items", false).status, 200);
    EXPECT_EQ(points_.last_actor, "anonymous");
}

TEST_F(OgcRoutes, FollowingNextLinksVisitsEveryMatchOnceForRandomBoxesAndLimits) {
    const auto seed = test_seed();
    SCOPED_TRACE("KAPAL_TEST_SEED=" + std::to_string(seed));
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    for (int round = 0; round < 30; ++round) {
        const double a = 117 + u(rng), b = 117 + u(rng), c = u(rng), d = u(rng);
        const geo::BBox box{std::min(a, b), std::min(c, d), std::max(a, b), std::max(c, d)};
        std::vector<std::string> expected;
        for (const auto& f : points_.features) {
            if (box.contains(std::get<geo::LonLat>(f.geometry))) {
                expected.push_back(f.id);
            }
        }
        const std::size_t limit = 1 + rng() % 40;
        char target[200];
        std::snprintf(target,
                      sizeof target,
                      "/ogc/collections/titik/items?bbox=%.17g,%.17g,%.17g,%.17g&limit=%zu",
                      box.min_lon,
                      box.min_lat,
                      box.max_lon,
                      box.max_lat,
                      limit);
        std::string next = target;
        std::vector<std::string> got;
        int pages = 0;
        while (!next.empty() && pages++ < 1000) {
            const auto res = get(next);
            ASSERT_EQ(res.status, 200) << next << ": " << res.body;
            EXPECT_EQ(*res.header("Content-Type"), "application/geo+json");
            const auto page = json::parse(res.body);
            EXPECT_EQ(page["numberMatched"].get<std::size_t>(), expected.size());
            EXPECT_EQ(page["numberReturned"].get<std::size_t>(), page["features"].size());
            EXPECT_LE(page["features"].size(), limit);
            for (const auto& f : page["features"]) {
                got.push_back(f["id"]);
            }
            next.clear();
            for (const auto& l : page["links"]) {
                if (l["rel"] == "next") {
                    const std::string href = l["href"];
                    next = href.substr(href.find("/ogc/"));
                }
            }
        }
        EXPECT_EQ(got, expected) << "round " << round << " limit " << limit;
    }
}

TEST_F(OgcRoutes, PrevLinkAndLimitAboveTheMaximumIsLoweredNotRefused) {
    const auto page =
        json::parse(get("/ogc/collections/umum/items?limit=10&offset=25", false).body);
    std::map<std::string, std::string> links;
    for (const auto& l : page["links"]) {
        links[l["rel"]] = l["href"];
    }
    EXPECT_NE(links["prev"].find("offset=15"), std::string::npos) << links["prev"];
    EXPECT_NE(links["next"].find("offset=35"), std::string::npos) << links["next"];
    EXPECT_EQ(page["features"][0]["id"], "p0025");
    const auto big = json::parse(get("/ogc/collections/umum/items?limit=999999", false).body);
    EXPECT_EQ(big["numberReturned"], 237);
    EXPECT_EQ(big["links"].size(), 2U) << "self and collection only: no next, no prev";
}

TEST_F(OgcRoutes, BadParametersAreProblemsNamingTheParameter) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"limit=0", "limit"},
        {"limit=abc", "limit"},
        {"limit=-5", "limit"},
        {"offset=-1", "offset"},
        {"offset=1.5", "offset"},
        {"bbox=1,2,3", "bbox"},
        {"bbox=117,1,118,0", "bbox"},
        {"bbox=a,b,c,d", "bbox"},
        {"bbox=117,0,118,91", "bbox"},
        {"bbox=117,0,118,1,2,3,4", "bbox"},
        {"bbox=nan,0,118,1", "bbox"},
        {"bbox-crs=EPSG:3857", "bbox-crs"},
        {"f=html", "f"},
        {"colour=red", "colour"},
    };
    for (const auto& [query, field] : cases) {
        const auto res = get("/ogc/collections/umum/items?" + query, false);
        ASSERT_EQ(res.status, 400) << query;
        EXPECT_EQ(*res.header("Content-Type"), "application/problem+json");
        const auto body = json::parse(res.body);
        ASSERT_FALSE(body["errors"].empty()) << query;
        EXPECT_EQ(body["errors"][0]["field"], field) << query;
    }
    EXPECT_EQ(get("/ogc?x=1", false).status, 400);
    EXPECT_EQ(get("/ogc/collections/umum/items?bbox=117,0,0,118,1,10&f=json", false).status, 200);
    EXPECT_EQ(get("/ogc/collections/umum/items?bbox=118,0,117,1", false).status, 200)
        << "min_lon > max_lon: a box across the antimeridian";
}

TEST_F(OgcRoutes, OneFeatureWithLinksOrNotFound) {
    const auto res = get("/ogc/collections/titik/items/p0007");
    ASSERT_EQ(res.status, 200);
    const auto f = json::parse(res.body);
    EXPECT_EQ(f["type"], "Feature");
    EXPECT_EQ(f["properties"]["n"], 7);
    EXPECT_EQ(f["links"][0]["rel"], "self");
    const auto missing = get("/ogc/collections/titik/items/nope");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(*missing.header("Content-Type"), "application/problem+json");
}

} // namespace
} // namespace kapal::http
