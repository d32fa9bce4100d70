#include "kapal/app/config.hpp"

#include <gtest/gtest.h>

namespace kapal::app {
namespace {

TEST(Config, RoundTripsThroughItsTextForm) {
    Config c;
    c.listen = "0.0.0.0:9090";
    c.body_limit_bytes = 2048;
    c.requests_per_second_per_address = 7.5;
    c.tls_cert = "/etc/kapal/cert.pem";
    c.offline_wipe_days = 14;
    auto parsed = parse_config(format_config(c));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_EQ(parsed->listen, "0.0.0.0:9090");
    EXPECT_EQ(parsed->body_limit_bytes, 2048U);
    EXPECT_DOUBLE_EQ(parsed->requests_per_second_per_address, 7.5);
    EXPECT_EQ(parsed->tls_cert, "/etc/kapal/cert.pem");
    EXPECT_EQ(parsed->offline_wipe_days, 14);
}

TEST(Config, RefusesUnknownKeysAndBadValuesNamingTheLine) {
    auto unknown = parse_config("store = sqlite:x.db\nlisten_port = 80\n");
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, ErrorCode::ConfigInvalid);
    EXPECT_NE(unknown.error().message.find("line 2"), std::string::npos);
    EXPECT_FALSE(parse_config("threads = many\n").has_value());
    EXPECT_FALSE(parse_config("threads = 0\n").has_value());
    EXPECT_FALSE(parse_config("listen = 127.0.0.1\n").has_value());
    EXPECT_FALSE(parse_config("offline_wipe_days = 0\n").has_value());
    EXPECT_FALSE(parse_config("offline_wipe_days = 91\n").has_value());
}

TEST(Config, ParsesListenAddresses) {
    auto v4 = parse_listen("127.0.0.1:8080");
    ASSERT_TRUE(v4.has_value());
    EXPECT_EQ(v4->first, "127.0.0.1");
    EXPECT_EQ(v4->second, 8080);
    auto v6 = parse_listen("[::1]:8443");
    ASSERT_TRUE(v6.has_value());
    EXPECT_EQ(v6->first, "::1");
    EXPECT_FALSE(parse_listen("localhost:http").has_value());
}

} // namespace
} // namespace kapal::app
