#include "kapal/http/router.hpp"

#include <gtest/gtest.h>

namespace kapal::http {
namespace {

Request make(std::string method, std::string target) {
    Request request;
    request.method = std::move(method);
    EXPECT_TRUE(parse_target(target, request));
    return request;
}

Router sample() {
    Router router;
    router.add("GET", "/api/v1/persons/{id}", Access::open(), [](const Request& r) {
        return Response::text(200, "person " + std::string(r.path_param("id")));
    });
    router.add("GET", "/api/v1/persons/search", Access::open(), [](const Request&) {
        return Response::text(200, "search");
    });
    router.add("DELETE", "/api/v1/persons/{id}", Access::open(), [](const Request&) {
        return Response::text(204, "");
    });
    return router;
}

TEST(Router, FillsDecodedPathParams) {
    const Router router = sample();
    Request request = make("GET", "/api/v1/persons/a%2Fb");
    const Response response = router.handle(request);
    EXPECT_EQ(response.body, "person a/b");
    EXPECT_EQ(request.route, "/api/v1/persons/{id}");
}

TEST(Router, PrefersLiteralSegmentOverParameter) {
    const Router router = sample();
    Request request = make("GET", "/api/v1/persons/search");
    EXPECT_EQ(router.handle(request).body, "search");
}

TEST(Router, AnswersUnknownPathWith404AndOtherMethodWith405) {
    const Router router = sample();
    Request unknown = make("GET", "/api/v1/nothing");
    EXPECT_EQ(router.handle(unknown).status, 404);
    Request wrong = make("PUT", "/api/v1/persons/7");
    const Response response = router.handle(wrong);
    EXPECT_EQ(response.status, 405);
    EXPECT_EQ(response.header("Allow"), "DELETE, GET, HEAD, OPTIONS");
}

TEST(Router, HeadUsesGetAndOptionsListsAllow) {
    const Router router = sample();
    EXPECT_EQ(router.match("HEAD", "/api/v1/persons/7").kind, Router::MatchKind::Found);
    Request options = make("OPTIONS", "/api/v1/persons/search");
    const Response response = router.handle(options);
    EXPECT_EQ(response.status, 204);
    EXPECT_EQ(response.header("Allow"), "DELETE, GET, HEAD, OPTIONS");
}

TEST(Router, EmptySegmentDoesNotMatchParameter) {
    const Router router = sample();
    EXPECT_EQ(router.match("GET", "/api/v1/persons/").kind, Router::MatchKind::NotFound);
}

TEST(Router, RoutesThatAreNotOpenFailClosedWithoutAGate) {
    Router router;
    router.add("GET", "/secret", Access::only({core::Role::Admin}), [](const Request&) {
        return Response::text(200, "secret");
    });
    Request request = make("GET", "/secret");
    EXPECT_EQ(router.handle(request).status, 401);
}

TEST(Router, TheGateDecidesAndSeesTheRoutesAccess) {
    Router router;
    router.add(
        "GET", "/open", Access::open(), [](const Request&) { return Response::text(200, "open"); });
    router.add("POST", "/admin", Access::only({core::Role::Admin}), [](const Request&) {
        return Response::text(200, "admin");
    });
    int gate_calls = 0;
    router.set_gate([&](Request& req, const Access& access, const Handler& handler) {
        ++gate_calls;
        if (!access.allows(core::Role::Viewer)) {
            return Response::text(403, "no");
        }
        return handler(req);
    });
    Request open = make("GET", "/open");
    EXPECT_EQ(router.handle(open).body, "open");
    EXPECT_EQ(gate_calls, 0); // open routes never pass the gate
    Request admin = make("POST", "/admin");
    EXPECT_EQ(router.handle(admin).status, 403);
    EXPECT_EQ(gate_calls, 1);
    const auto routes = router.routes();
    ASSERT_EQ(routes.size(), 2U);
    EXPECT_TRUE(routes[0].access.anyone);
    EXPECT_FALSE(routes[1].access.anyone);
    EXPECT_TRUE(routes[1].access.allows(core::Role::Admin));
    EXPECT_FALSE(routes[1].access.allows(core::Role::Auditor));
    EXPECT_EQ(Access::signed_in().roles.size(), core::kAllRoles.size());
}

} // namespace
} // namespace kapal::http
