#include "kapal/service/user_service.hpp"

#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

#include <set>

namespace kapal::service {
namespace {

const Actor kAdmin{"cli:root", "cli", {}, std::nullopt};

class UserServiceTest : public testing::StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        users_ = std::make_unique<UserService>(*store_, testing::reference_ptr(), clock_, ids_);
    }

    std::unique_ptr<UserService> users_;
};

TEST_F(UserServiceTest, AddsAUserWithAGeneratedPasswordThatLogsIn) {
    auto added = users_->add({"Operator.Utara",
                              "Rina (Bontang Utara)",
                              core::Role::Operator,
                              {"64.74.01"},
                              std::nullopt},
                             kAdmin);
    ASSERT_TRUE(added.has_value()) << added.error().message;
    EXPECT_EQ(added->user.username, "operator.utara");
    EXPECT_EQ(added->generated_password.size(), 24U); // 20 characters in groups of four
    auto ok = users_->authenticate("operator.utara", added->generated_password);
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->role, core::Role::Operator);
    EXPECT_EQ(ok->area_codes, std::vector<std::string>{"64.74.01"});
    // the stored hash is Argon2id, never the password
    auto stored = store_->find_user("operator.utara");
    ASSERT_TRUE(stored.has_value() && stored->has_value());
    EXPECT_EQ((*stored)->password_hash.rfind("$argon2id$", 0), 0U);
    EXPECT_EQ((*stored)->password_hash.find(added->generated_password), std::string::npos);
}

TEST_F(UserServiceTest, UnknownUserAndWrongPasswordAnswerAlike) {
    ASSERT_TRUE(users_->add({"siti", "", core::Role::Admin, {}, "kuda lari di pantai"}, kAdmin));
    auto wrong = users_->authenticate("siti", "kuda lari di laut");
    auto unknown = users_->authenticate("budi", "kuda lari di pantai");
    ASSERT_FALSE(wrong.has_value());
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(wrong.error().code, ErrorCode::Unauthenticated);
    EXPECT_EQ(unknown.error().code, ErrorCode::Unauthenticated);
    EXPECT_EQ(wrong.error().message, unknown.error().message);
}

TEST_F(UserServiceTest, DisabledAccountsCannotLogIn) {
    ASSERT_TRUE(users_->add({"siti", "", core::Role::Admin, {}, "kuda lari di pantai"}, kAdmin));
    ASSERT_TRUE(users_->set_disabled("siti", true, kAdmin).has_value());
    auto refused = users_->authenticate("siti", "kuda lari di pantai");
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::AccountDisabled);
    ASSERT_TRUE(users_->set_disabled("siti", false, kAdmin).has_value());
    EXPECT_TRUE(users_->authenticate("siti", "kuda lari di pantai").has_value());
}

TEST_F(UserServiceTest, PasswordChangeFollowsThePolicy) {
    ASSERT_TRUE(users_->add({"siti", "", core::Role::Admin, {}, "kuda lari di pantai"}, kAdmin));
    auto weak = users_->set_password("siti", "password123", kAdmin);
    ASSERT_FALSE(weak.has_value());
    EXPECT_EQ(weak.error().code, ErrorCode::PasswordCommon);
    auto generated = users_->set_password("siti", std::nullopt, kAdmin);
    ASSERT_TRUE(generated.has_value());
    EXPECT_FALSE(users_->authenticate("siti", "kuda lari di pantai").has_value());
    EXPECT_TRUE(users_->authenticate("siti", *generated).has_value());
}

TEST_F(UserServiceTest, RefusesBadNamesRolesWithoutAreasUnknownAreasAndDuplicates) {
    EXPECT_EQ(users_->add({"a b", "", core::Role::Admin, {}, std::nullopt}, kAdmin).error().code,
              ErrorCode::UsernameInvalid);
    EXPECT_EQ(users_->add({"op", "", core::Role::Operator, {}, std::nullopt}, kAdmin).error().code,
              ErrorCode::UsernameInvalid);
    EXPECT_EQ(users_->add({"op1", "", core::Role::Operator, {}, std::nullopt}, kAdmin).error().code,
              ErrorCode::AreaInvalid);
    EXPECT_EQ(users_->add({"op2", "", core::Role::Operator, {"64.99.99"}, std::nullopt}, kAdmin)
                  .error()
                  .code,
              ErrorCode::AreaInvalid);
    ASSERT_TRUE(users_->add({"op3", "", core::Role::Viewer, {"64.74"}, std::nullopt}, kAdmin));
    EXPECT_EQ(
        users_->add({"OP3", "", core::Role::Viewer, {"64.74"}, std::nullopt}, kAdmin).error().code,
        ErrorCode::AlreadyExists);
}

TEST(Passwords, GeneratedOnesDifferAndPassThePolicy) {
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        const auto p = generate_password();
        EXPECT_TRUE(seen.insert(p).second);
        EXPECT_TRUE(core::check_password_policy(p, "admin").has_value()) << p;
    }
}

} // namespace
} // namespace kapal::service
