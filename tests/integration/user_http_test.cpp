// Accounts over HTTP against the real server (SQLite, and PostgreSQL as pg.*): an admin adds an
// account (its password shown once, and it works), disables it (its session ends and it can no
// longer sign in), enables it, resets its password (the old one stops working), every change
// audited with the admin as the actor; bad input named at its field.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/kapal_server.hpp"

namespace kapal::testing {
namespace {

using nlohmann::json;

class UserHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        // Many requests of one admin in a second: no rate limit in the way.
        server_ = std::make_unique<KapalServer>(Settings{{"requests_per_second_per_address", "0"},
                                                         {"requests_per_second_per_user", "0"}});
        server_->start();
        admin_ = server_->login("admin", server_->admin_password());
    }

    static void TearDownTestSuite() { server_.reset(); }

    static std::optional<HttpResponse> as_admin(const std::string& target,
                                                const std::string& body) {
        return server_->send("POST", target, body, {}, admin_);
    }

    /// The status of a login attempt.
    static int login_status(const std::string& username, const std::string& password) {
        auto res = server_->send("POST",
                                 "/api/v1/auth/login",
                                 json{{"username", username}, {"password", password}}.dump(),
                                 {},
                                 Credentials{});
        return res ? res->status : 0;
    }

    /// The audit actions of the admin's session about `subject`, oldest first.
    static std::vector<std::string> audit_actions(const std::string& subject) {
        auto res = server_->request("GET", "/api/v1/audit?subject=" + subject);
        EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
        std::vector<std::string> actions;
        if (res) {
            // The parsed document must outlive the loop (a temporary's member would dangle).
            const json page = json::parse(res->body);
            for (const auto& e : page["items"]) {
                actions.insert(actions.begin(), e["action"].get<std::string>());
            }
        }
        return actions;
    }

    static std::unique_ptr<KapalServer> server_;
    static Credentials admin_;
};

std::unique_ptr<KapalServer> UserHttp::server_;
Credentials UserHttp::admin_;

TEST_F(UserHttp, AnAdminAddsDisablesEnablesAndResetsAnAccount) {
    auto added = as_admin("/api/v1/users",
                          R"({"username":"siti.op","display_name":"Siti Operator",)"
                          R"("role":"operator","area_codes":["64.74.01"]})");
    ASSERT_TRUE(added.has_value());
    ASSERT_EQ(added->status, 201) << added->body;
    EXPECT_EQ(added->header("Cache-Control"), "no-store");
    const auto body = json::parse(added->body);
    EXPECT_EQ(body["user"]["role"], "operator");
    EXPECT_EQ(body["user"]["area_codes"], json::array({"64.74.01"}));
    EXPECT_EQ(body["user"]["disabled"], false);
    const std::string first = body["password"];
    ASSERT_GE(first.size(), 16U);
    const std::string id = body["user"]["id"];

    // The password works; the account's own session ends when it is disabled.
    const auto siti = server_->login("siti.op", first);
    auto me = server_->send("GET", "/api/v1/auth/me", "", {}, siti);
    ASSERT_TRUE(me.has_value());
    EXPECT_EQ(me->status, 200);
    auto disabled = as_admin("/api/v1/users/siti.op/disable", "");
    ASSERT_TRUE(disabled.has_value());
    ASSERT_EQ(disabled->status, 200) << disabled->body;
    EXPECT_EQ(json::parse(disabled->body)["user"]["disabled"], true);
    me = server_->send("GET", "/api/v1/auth/me", "", {}, siti);
    ASSERT_TRUE(me.has_value());
    EXPECT_EQ(me->status, 401);
    EXPECT_NE(login_status("siti.op", first), 200);

    auto enabled = as_admin("/api/v1/users/siti.op/enable", "");
    ASSERT_TRUE(enabled.has_value());
    ASSERT_EQ(enabled->status, 200) << enabled->body;
    EXPECT_EQ(json::parse(enabled->body)["user"]["disabled"], false);
    EXPECT_EQ(login_status("siti.op", first), 200);

    auto reset = as_admin("/api/v1/users/siti.op/password", "");
    ASSERT_TRUE(reset.has_value());
    ASSERT_EQ(reset->status, 200) << reset->body;
    const std::string second = json::parse(reset->body)["password"];
    EXPECT_NE(second, first);
    EXPECT_EQ(login_status("siti.op", first), 401);
    EXPECT_EQ(login_status("siti.op", second), 200);

    // Every change is in the audit log with the admin as actor.
    const auto actions = audit_actions(id);
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "user.create"), 1) << added->body;
    EXPECT_GE(std::count(actions.begin(), actions.end(), "user.update"), 3);
    auto entries = server_->request("GET", "/api/v1/audit?action=user.create&subject=" + id);
    ASSERT_TRUE(entries.has_value());
    const auto list = json::parse(entries->body)["items"];
    ASSERT_EQ(list.size(), 1U);
    auto admins = server_->request("GET", "/api/v1/users");
    ASSERT_TRUE(admins.has_value());
    ASSERT_EQ(admins->status, 200) << admins->body;
    const json accounts = json::parse(admins->body);
    std::string admin_id;
    for (const auto& u : accounts["items"]) {
        if (u["username"] == "admin") {
            admin_id = u["id"];
        }
    }
    EXPECT_EQ(list[0]["actor"], admin_id);

    // The list shows the account as it is now.
    bool listed = false;
    for (const auto& u : accounts["items"]) {
        if (u["username"] == "siti.op") {
            listed = true;
            EXPECT_EQ(u["disabled"], false);
            EXPECT_FALSE(u.contains("password_hash"));
        }
    }
    EXPECT_TRUE(listed);
}

TEST_F(UserHttp, BadInputIsNamedAndAnAdminCannotDisableThemselves) {
    auto role = as_admin("/api/v1/users", R"({"username":"x.y","role":"raja"})");
    ASSERT_TRUE(role.has_value());
    EXPECT_EQ(role->status, 422);
    EXPECT_EQ(json::parse(role->body)["errors"][0]["field"], "role");

    auto unknown =
        as_admin("/api/v1/users", R"({"username":"x.y","role":"viewer","password":"abc"})");
    ASSERT_TRUE(unknown.has_value());
    EXPECT_EQ(unknown->status, 422);
    EXPECT_EQ(json::parse(unknown->body)["errors"][0]["field"], "password");

    auto no_area = as_admin("/api/v1/users", R"({"username":"x.y","role":"operator"})");
    ASSERT_TRUE(no_area.has_value());
    EXPECT_EQ(no_area->status / 100, 4) << no_area->body;

    auto twice = as_admin("/api/v1/users", R"({"username":"dua.kali","role":"auditor"})");
    ASSERT_EQ(twice->status, 201);
    twice = as_admin("/api/v1/users", R"({"username":"dua.kali","role":"auditor"})");
    EXPECT_EQ(twice->status, 409) << twice->body;

    auto self = as_admin("/api/v1/users/admin/disable", "");
    ASSERT_TRUE(self.has_value());
    EXPECT_EQ(self->status, 422);
    EXPECT_EQ(json::parse(self->body)["errors"][0]["field"], "username");

    auto missing = as_admin("/api/v1/users/tidak.ada/password", "");
    ASSERT_TRUE(missing.has_value());
    EXPECT_EQ(missing->status, 404);
}

} // namespace
} // namespace kapal::testing
