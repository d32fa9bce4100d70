#include "kapal/service/auth_service.hpp"

#include "kapal/service/test_fixture.hpp"

#include <gtest/gtest.h>

namespace kapal::service {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const Actor kCli{"cli:root", "cli", {}, std::nullopt};
constexpr const char* kPassword = "kuda lari di pantai";

class AuthServiceTest : public testing::StoreTest {
  protected:
    void SetUp() override {
        StoreTest::SetUp();
        users_ = std::make_unique<UserService>(*store_, testing::reference_ptr(), clock_, ids_);
        auth_ = std::make_unique<AuthService>(*store_, *users_, clock_, ids_);
        ASSERT_TRUE(users_->add({"rina", "", core::Role::Operator, {"64.74.01"}, kPassword}, kCli));
        ASSERT_TRUE(users_->add({"budi", "", core::Role::Admin, {}, kPassword}, kCli));
    }

    void advance(seconds s) { clock_.set(clock_.now() + s); }

    LoginResult login(const std::string& user = "rina") {
        auto r = auth_->login(user, kPassword, "10.0.0.1", "test");
        EXPECT_TRUE(r.has_value()) << r.error().message;
        return r ? *r : LoginResult{};
    }

    ErrorCode session_error(const std::string& token) {
        auto p = auth_->authenticate_session(token);
        return p ? ErrorCode::Internal : p.error().code;
    }

    std::unique_ptr<UserService> users_;
    std::unique_ptr<AuthService> auth_;
};

TEST_F(AuthServiceTest, LoginOpensASessionStoredOnlyAsAHash) {
    const auto r = login();
    EXPECT_EQ(r.user.username, "rina");
    EXPECT_EQ(r.session_token.size(), 43U); // 32 random bytes, base64url
    EXPECT_EQ(r.csrf_token, AuthService::csrf_token_for(r.session_token));
    EXPECT_NE(r.session.token_hash, r.session_token);
    auto stored = store_->find_session(AuthService::hash_secret(r.session_token));
    ASSERT_TRUE(stored && *stored);
    EXPECT_EQ((*stored)->user_id, r.user.id);
    EXPECT_EQ((*stored)->expires_at, clock_.now() + hours(12));

    auto p = auth_->authenticate_session(r.session_token);
    ASSERT_TRUE(p.has_value()) << p.error().message;
    EXPECT_EQ(p->role, core::Role::Operator);
    EXPECT_EQ(p->area_codes, std::vector<std::string>{"64.74.01"});
    EXPECT_EQ(p->session_id, r.session.id);
    EXPECT_EQ(p->csrf_token, r.csrf_token);
    // A second login is a second, different session.
    const auto again = login();
    EXPECT_NE(again.session_token, r.session_token);
    EXPECT_NE(again.csrf_token, r.csrf_token);
}

TEST_F(AuthServiceTest, UnknownUserAndWrongPasswordAnswerAlikeAndAreThrottled) {
    auto wrong = auth_->login("rina", "kuda lari di laut", "10.0.0.1", "");
    auto unknown = auth_->login("siapa", kPassword, "10.0.0.2", "");
    ASSERT_FALSE(wrong.has_value());
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(wrong.error().code, ErrorCode::Unauthenticated);
    EXPECT_EQ(wrong.error().message, unknown.error().message);

    // Five failures are free (one already counted); the sixth makes the next try wait 2 s,
    // the seventh 4 s: for the account, from any address.
    for (int i = 0; i < 4; ++i) {
        EXPECT_FALSE(auth_->login_wait("rina", "10.0.0.9").has_value());
        (void)auth_->login("rina", "salah salah salah", "10.0.0.9", "");
    }
    EXPECT_FALSE(auth_->login_wait("rina", "10.0.0.9").has_value());
    (void)auth_->login("RINA", "salah salah salah", "10.0.0.8", ""); // names are normalised
    EXPECT_EQ(auth_->login_wait("rina", "10.0.0.7"), seconds(2));
    advance(seconds(2));
    EXPECT_FALSE(auth_->login_wait("rina", "10.0.0.7").has_value());
    (void)auth_->login("rina", "salah salah salah", "10.0.0.7", "");
    EXPECT_EQ(auth_->login_wait("rina", "10.0.0.7"), seconds(4));
    // An unknown name is throttled exactly like a real one.
    for (int i = 0; i < 6; ++i) {
        (void)auth_->login("siapa", "salah salah salah", "10.0.1." + std::to_string(i), "");
    }
    EXPECT_EQ(auth_->login_wait("siapa", "10.0.2.1"), seconds(4));
    // Another account is not slowed down by rina's failures.
    EXPECT_FALSE(auth_->login_wait("budi", "10.0.0.7").has_value());
    // A good login clears the account's count.
    advance(seconds(4));
    login();
    EXPECT_FALSE(auth_->login_wait("rina", "10.0.0.7").has_value());
}

TEST_F(AuthServiceTest, OneAddressGuessingManyNamesIsThrottled) {
    for (int i = 0; i < 20; ++i) {
        (void)auth_->login("user" + std::to_string(i), "salah salah salah", "10.9.9.9", "");
    }
    EXPECT_FALSE(auth_->login_wait("budi", "10.9.9.9").has_value());
    (void)auth_->login("user20", "salah salah salah", "10.9.9.9", "");
    EXPECT_EQ(auth_->login_wait("budi", "10.9.9.9"), seconds(2));
    EXPECT_FALSE(auth_->login_wait("budi", "10.9.9.10").has_value());
}

TEST_F(AuthServiceTest, SessionsEndAfterIdleAndAbsoluteTimeouts) {
    const auto idle = login();
    advance(minutes(29));
    EXPECT_TRUE(auth_->authenticate_session(idle.session_token).has_value());
    advance(minutes(29)); // 29 min after the last request: still alive
    EXPECT_TRUE(auth_->authenticate_session(idle.session_token).has_value());
    advance(minutes(30));
    EXPECT_EQ(session_error(idle.session_token), ErrorCode::SessionExpired);

    const auto busy = login();
    for (int i = 0; i < 35; ++i) { // a request every 20 minutes for 11 h 40 min
        advance(minutes(20));
        ASSERT_TRUE(auth_->authenticate_session(busy.session_token).has_value()) << i;
    }
    advance(minutes(20));
    EXPECT_EQ(session_error(busy.session_token), ErrorCode::SessionExpired);
}

TEST_F(AuthServiceTest, LogoutPasswordChangeAndDisablingEndSessions) {
    const auto a = login();
    auto p = auth_->authenticate_session(a.session_token);
    ASSERT_TRUE(p.has_value());
    ASSERT_TRUE(auth_->logout(*p, "10.0.0.1").has_value());
    EXPECT_EQ(session_error(a.session_token), ErrorCode::SessionExpired);

    const auto b = login();
    ASSERT_TRUE(users_->set_password("rina", "sepeda biru di jalan", kCli).has_value());
    EXPECT_EQ(session_error(b.session_token), ErrorCode::SessionExpired);

    auto c = auth_->login("rina", "sepeda biru di jalan", "10.0.0.1", "");
    ASSERT_TRUE(c.has_value());
    ASSERT_TRUE(users_->set_disabled("rina", true, kCli).has_value());
    EXPECT_NE(session_error(c->session_token), ErrorCode::Internal);
    auto refused = auth_->login("rina", "sepeda biru di jalan", "10.0.0.1", "");
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::AccountDisabled);
}

TEST_F(AuthServiceTest, UsersListAndRevokeOnlyTheirOwnSessions) {
    const auto phone = login();
    advance(seconds(5));
    const auto laptop = login();
    const auto other = login("budi");
    auto me = auth_->authenticate_session(laptop.session_token);
    ASSERT_TRUE(me.has_value());
    auto mine = auth_->sessions(*me);
    ASSERT_TRUE(mine.has_value());
    ASSERT_EQ(mine->size(), 2U);
    EXPECT_EQ((*mine)[0].id, laptop.session.id); // newest first
    EXPECT_EQ((*mine)[1].id, phone.session.id);

    auto theirs = auth_->revoke_session(*me, other.session.id, "10.0.0.1");
    ASSERT_FALSE(theirs.has_value());
    EXPECT_EQ(theirs.error().code, ErrorCode::NotFound);
    EXPECT_TRUE(auth_->authenticate_session(other.session_token).has_value());

    // A session idle past the timeout is no longer listed as open.
    advance(minutes(29));
    ASSERT_TRUE(auth_->authenticate_session(laptop.session_token).has_value());
    advance(minutes(2));
    mine = auth_->sessions(*me);
    ASSERT_TRUE(mine.has_value());
    ASSERT_EQ(mine->size(), 1U);
    EXPECT_EQ((*mine)[0].id, laptop.session.id);
    auto revived = login();
    auto revived_me = auth_->authenticate_session(revived.session_token);
    ASSERT_TRUE(revived_me.has_value());
    EXPECT_FALSE(auth_->revoke_session(*revived_me, phone.session.id, "10.0.0.1").has_value());
    EXPECT_EQ(session_error(phone.session_token), ErrorCode::SessionExpired);
    ASSERT_TRUE(auth_->revoke_session(*revived_me, laptop.session.id, "10.0.0.1").has_value());
    EXPECT_EQ(session_error(laptop.session_token), ErrorCode::SessionExpired);
    EXPECT_TRUE(auth_->authenticate_session(revived.session_token).has_value());
}

TEST_F(AuthServiceTest, MalformedAndUnknownCredentialsAreRefused) {
    EXPECT_EQ(session_error(""), ErrorCode::Unauthenticated);
    EXPECT_EQ(session_error("x' OR '1'='1"), ErrorCode::Unauthenticated);
    EXPECT_EQ(session_error(std::string(43, 'A')), ErrorCode::Unauthenticated);
    for (const std::string& t :
         std::vector<std::string>{"", "ksg_", "Bearer x", "ksg_" + std::string(43, 'A')}) {
        auto p = auth_->authenticate_token(t);
        ASSERT_FALSE(p.has_value()) << t;
        EXPECT_EQ(p.error().code, ErrorCode::TokenInvalid) << t;
    }
}

TEST_F(AuthServiceTest, TokensActAsTheUserNarrowedAndExpire) {
    TokenRequest req{"rina", "sinkron", std::nullopt, {}, hours(24)};
    auto made = auth_->create_token(req, kCli);
    ASSERT_TRUE(made.has_value()) << made.error().message;
    EXPECT_EQ(made->token.rfind("ksg_", 0), 0U);
    EXPECT_EQ(made->record.token_hash, AuthService::hash_secret(made->token));
    auto p = auth_->authenticate_token(made->token);
    ASSERT_TRUE(p.has_value()) << p.error().message;
    EXPECT_EQ(p->role, core::Role::Operator);
    EXPECT_EQ(p->area_codes, std::vector<std::string>{"64.74.01"});
    EXPECT_TRUE(p->session_id.empty());
    EXPECT_EQ(p->token_id, made->record.id);

    // Narrower: read-only, one kelurahan.
    auto narrow =
        auth_->create_token({"rina", "", core::Role::Viewer, {"64.74.01.1003"}, hours(1)}, kCli);
    ASSERT_TRUE(narrow.has_value());
    auto np = auth_->authenticate_token(narrow->token);
    ASSERT_TRUE(np.has_value());
    EXPECT_EQ(np->role, core::Role::Viewer);
    EXPECT_EQ(np->area_codes, std::vector<std::string>{"64.74.01.1003"});

    // Never wider than the account.
    auto wider_role = auth_->create_token({"rina", "", core::Role::Admin, {}, hours(1)}, kCli);
    ASSERT_FALSE(wider_role.has_value());
    EXPECT_EQ(wider_role.error().code, ErrorCode::Forbidden);
    auto wider_area = auth_->create_token({"rina", "", std::nullopt, {"64.74.02"}, hours(1)}, kCli);
    ASSERT_FALSE(wider_area.has_value());
    EXPECT_EQ(wider_area.error().code, ErrorCode::Forbidden);
    ASSERT_TRUE(users_->add({"pos", "", core::Role::Penyalur, {"64.74"}, kPassword}, kCli));
    auto no_registry = auth_->create_token({"pos", "", core::Role::Viewer, {}, hours(1)}, kCli);
    ASSERT_FALSE(no_registry.has_value()); // a penyalur does not read the registry
    EXPECT_EQ(no_registry.error().code, ErrorCode::Forbidden);
    auto too_long = auth_->create_token({"rina", "", std::nullopt, {}, hours(24 * 366)}, kCli);
    ASSERT_FALSE(too_long.has_value());
    EXPECT_EQ(too_long.error().code, ErrorCode::InvalidArgument);

    // Expiry and revocation.
    advance(hours(2));
    EXPECT_FALSE(auth_->authenticate_token(narrow->token).has_value());
    EXPECT_TRUE(auth_->authenticate_token(made->token).has_value());
    ASSERT_TRUE(auth_->revoke_token(made->record.id, kCli).has_value());
    auto revoked = auth_->authenticate_token(made->token);
    ASSERT_FALSE(revoked.has_value());
    EXPECT_EQ(revoked.error().code, ErrorCode::TokenInvalid);
    auto listed = auth_->tokens("rina");
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(listed->size(), 2U);
}

TEST_F(AuthServiceTest, ATokenStopsWhenTheAccountIsNarrowedOrDisabled) {
    auto made = auth_->create_token({"budi", "", std::nullopt, {}, hours(24)}, kCli);
    ASSERT_TRUE(made.has_value());
    ASSERT_TRUE(auth_->authenticate_token(made->token).has_value());
    // budi is made an auditor: an admin token of his must not keep admin rights.
    auto record = store_->find_user("budi");
    ASSERT_TRUE(record && *record);
    auto changed = **record;
    changed.user.role = core::Role::Auditor;
    ASSERT_TRUE(store_->update_user(changed, {"cli:root", "cli", clock_.now(), ""}).has_value());
    auto p = auth_->authenticate_token(made->token);
    ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error().code, ErrorCode::TokenInvalid);

    auto viewer = auth_->create_token({"rina", "", core::Role::Viewer, {}, hours(24)}, kCli);
    ASSERT_TRUE(viewer.has_value());
    ASSERT_TRUE(users_->set_disabled("rina", true, kCli).has_value());
    auto gone = auth_->authenticate_token(viewer->token);
    ASSERT_FALSE(gone.has_value());
    EXPECT_EQ(gone.error().code, ErrorCode::Unauthenticated);
}

TEST_F(AuthServiceTest, LoginsAndLogoutsAreAudited) {
    const auto r = login();
    auto p = auth_->authenticate_session(r.session_token);
    ASSERT_TRUE(p.has_value());
    ASSERT_TRUE(auth_->logout(*p, "10.0.0.1").has_value());
    store::AuditQuery q;
    q.actor = r.user.id;
    auto entries = store_->list_audit(q);
    ASSERT_TRUE(entries.has_value());
    ASSERT_GE(entries->size(), 2U);
    EXPECT_EQ((*entries)[0].action, "session.revoke");
    EXPECT_EQ((*entries)[0].subject, r.session.id);
    EXPECT_EQ((*entries)[1].action, "session.create");
    EXPECT_EQ((*entries)[1].source, "10.0.0.1");
    for (const auto& e : *entries) {
        EXPECT_EQ(e.detail.find(r.session_token), std::string::npos);
    }
}

} // namespace
} // namespace kapal::service
