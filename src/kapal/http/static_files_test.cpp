#include "kapal/http/static_files.hpp"

#include <gtest/gtest.h>

namespace kapal::http {
namespace {

TEST(MimeType, KnowsTheFrontEndTypes) {
    EXPECT_EQ(mime_type("html"), "text/html; charset=utf-8");
    EXPECT_EQ(mime_type("JS"), "text/javascript; charset=utf-8");
    EXPECT_EQ(mime_type("mjs"), "text/javascript; charset=utf-8");
    EXPECT_EQ(mime_type("geojson"), "application/geo+json");
    EXPECT_EQ(mime_type("webmanifest"), "application/manifest+json");
    EXPECT_EQ(mime_type("woff2"), "font/woff2");
    EXPECT_EQ(mime_type("exe"), "application/octet-stream");
}

TEST(HttpDate, FormatsAndParsesImfFixdate) {
    EXPECT_EQ(http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    EXPECT_EQ(parse_http_date(http_date(1700000000)), 1700000000);
    EXPECT_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT").has_value());
    EXPECT_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT").has_value());
}

TEST(StaticFiles, OpenRejectsMissingDirectory) {
    const auto files = StaticFiles::open("/nonexistent/kapal/static");
    ASSERT_FALSE(files.has_value());
    EXPECT_EQ(files.error().code, ErrorCode::ConfigInvalid);
}

} // namespace
} // namespace kapal::http
