#include "kapal/http/http_types.hpp"

#include <gtest/gtest.h>

namespace kapal::http {
namespace {

TEST(PercentDecode, DecodesEscapesAndKeepsPlusOutsideQueries) {
    EXPECT_EQ(percent_decode("a%20b%2Fc+d"), "a b/c+d");
    EXPECT_EQ(percent_decode("a+b", true), "a b");
}

TEST(PercentDecode, RejectsBrokenEscapes) {
    EXPECT_FALSE(percent_decode("%zz").has_value());
    EXPECT_FALSE(percent_decode("abc%4").has_value());
    EXPECT_FALSE(percent_decode("%").has_value());
}

TEST(ParseTarget, SplitsPathAndDecodesQuery) {
    Request request;
    ASSERT_TRUE(parse_target("/api/v1/persons?q=Siti%20Aminah&kelurahan=64.74&flag", request));
    EXPECT_EQ(request.path, "/api/v1/persons");
    EXPECT_EQ(request.raw_path, "/api/v1/persons");
    EXPECT_EQ(request.query_param("q"), "Siti Aminah");
    EXPECT_EQ(request.query_param("kelurahan"), "64.74");
    EXPECT_EQ(request.query_param("flag"), "");
    EXPECT_FALSE(request.query_param("missing").has_value());
}

TEST(ParseTarget, AcceptsAbsoluteFormAndRejectsGarbage) {
    Request request;
    ASSERT_TRUE(parse_target("http://example.org/a%2Fb?x=1", request));
    EXPECT_EQ(request.path, "/a/b");
    EXPECT_EQ(request.raw_path, "/a%2Fb");
    EXPECT_FALSE(parse_target("relative/path", request));
    EXPECT_FALSE(parse_target("/bad%zzescape", request));
}

TEST(RequestHeader, LooksUpCaseInsensitively) {
    Request request;
    request.headers = {{"Content-Type", "application/json"}, {"X-A", "1"}, {"x-a", "2"}};
    EXPECT_EQ(request.header("content-type"), "application/json");
    EXPECT_EQ(request.header("X-a"), "1");
    EXPECT_FALSE(request.header("Accept").has_value());
}

TEST(NegotiateLanguage, PrefersEnglishOnlyWhenRankedAboveIndonesian) {
    EXPECT_EQ(negotiate_language("en-US,en;q=0.9"), "en");
    EXPECT_EQ(negotiate_language("id"), "id");
    EXPECT_EQ(negotiate_language(""), "id");
    EXPECT_EQ(negotiate_language("fr-FR"), "id");
    EXPECT_EQ(negotiate_language("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7"), "id");
    EXPECT_EQ(negotiate_language("en;q=0.5, id;q=0.6"), "id");
    EXPECT_EQ(negotiate_language("id;q=0.5, en;q=0.6"), "en");
    EXPECT_EQ(negotiate_language("en;q=0"), "id");
    EXPECT_EQ(negotiate_language("fr, en;q=0.2"), "en");
    EXPECT_EQ(negotiate_language("en, id"), "en");
    EXPECT_EQ(negotiate_language("*;q=0.5, en;q=0.4"), "id");
    EXPECT_EQ(negotiate_language("EN-gb ; Q=0.8"), "en");
    EXPECT_EQ(negotiate_language("en;q=2, id;q=0.1"), "id"); // invalid q: item ignored
}

TEST(RequestLang, ReadsAcceptLanguage) {
    Request request;
    EXPECT_EQ(request.lang(), "id");
    request.headers.emplace_back("accept-language", "en-US,en;q=0.9");
    EXPECT_EQ(request.lang(), "en");
}

TEST(Response, HelpersSetContentTypeAndSetHeaderReplaces) {
    Response json = Response::json(201, "{}");
    EXPECT_EQ(json.status, 201);
    EXPECT_EQ(json.header("content-type"), "application/json");
    Response text = Response::text(200, "hi");
    EXPECT_EQ(text.header("Content-Type"), "text/plain; charset=utf-8");
    text.set_header("content-type", "text/csv");
    EXPECT_EQ(text.headers.size(), 1U);
    EXPECT_EQ(text.header("Content-Type"), "text/csv");
}

TEST(Request, FindsCookiesAcrossFieldsAndPairs) {
    Request r;
    r.headers = {{"Cookie", "theme=dark; kapal_session=abc"}, {"cookie", "other=1;last=z "}};
    EXPECT_EQ(r.cookie("kapal_session"), "abc");
    EXPECT_EQ(r.cookie("theme"), "dark");
    EXPECT_EQ(r.cookie("last"), "z");
    EXPECT_FALSE(r.cookie("kapal").has_value()); // a prefix of a name is not the name
    EXPECT_FALSE(r.cookie("abc").has_value());
}

TEST(HttpTypes, JsonContentIsTheMediaTypeInAnyCaseWithAnyParameters) {
    Request r;
    EXPECT_FALSE(is_json_content(r));
    r.headers = {{"Content-Type", "application/json"}};
    EXPECT_TRUE(is_json_content(r));
    r.headers = {{"content-type", "Application/JSON; charset=utf-8"}};
    EXPECT_TRUE(is_json_content(r));
    r.headers = {{"Content-Type", "application/jsonx"}};
    EXPECT_FALSE(is_json_content(r));
    r.headers = {{"Content-Type", "text/plain"}};
    EXPECT_FALSE(is_json_content(r));
}

} // namespace
} // namespace kapal::http
