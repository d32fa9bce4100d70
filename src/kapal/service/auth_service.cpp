#include "kapal/service/auth_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

namespace kapal::service {
namespace {

constexpr std::string_view kTokenPrefix = "ksg_";
constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kMaxUserAgent = 200;
// last_seen_at is written at most this often per session: the idle timeout does not need
// second precision, and a write per request would queue every reader behind the writer.
constexpr auto kTouchInterval = std::chrono::seconds(60);
constexpr std::size_t kMaxThrottleEntries = 100000;

std::string to_hex(const unsigned char* data, std::size_t size) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out.push_back(kHex[data[i] >> 4U]);
        out.push_back(kHex[data[i] & 15U]);
    }
    return out;
}

std::string random_secret() {
    std::array<unsigned char, kSecretBytes> raw{};
    randombytes_buf(raw.data(), raw.size());
    std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                    '\0');
    sodium_bin2base64(
        out.data(), out.size(), raw.data(), raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}

/// A session secret or token body has exactly the shape random_secret() makes; anything else is
/// refused before it reaches the store.
bool well_formed_secret(std::string_view s) {
    return s.size() == 43 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
           });
}

store::WriteContext context(const std::string& actor,
                            const std::string& source,
                            core::Timestamp at,
                            std::string reason = {}) {
    return store::WriteContext{actor, source, at, std::move(reason)};
}

} // namespace

// ---------------------------------------------------------------------------------------------
// LoginThrottle

LoginThrottle::LoginThrottle(const core::Clock& clock, const AuthSettings& settings)
    : clock_(clock)
    , settings_(settings) {}

std::optional<std::chrono::seconds> LoginThrottle::wait_for(const Entry& entry,
                                                            int free_failures) const {
    if (entry.failures <= free_failures) {
        return std::nullopt;
    }
    // 2 s after the first failure beyond the free ones, doubling up to max_delay.
    const int doublings = std::min(entry.failures - free_failures - 1, 20);
    const auto delay =
        std::min(settings_.first_delay * (std::int64_t{1} << doublings),
                 std::chrono::duration_cast<std::chrono::seconds>(settings_.max_delay));
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.now() - entry.last);
    if (elapsed >= delay) {
        return std::nullopt;
    }
    return delay - elapsed;
}

std::optional<std::chrono::seconds> LoginThrottle::wait(const std::string& account,
                                                        const std::string& address) {
    const std::lock_guard lock(mutex_);
    std::optional<std::chrono::seconds> out;
    if (auto it = accounts_.find(account); it != accounts_.end()) {
        out = wait_for(it->second, settings_.free_failures_per_account);
    }
    if (auto it = addresses_.find(address); it != addresses_.end()) {
        if (auto w = wait_for(it->second, settings_.free_failures_per_address)) {
            out = out ? std::max(*out, *w) : *w;
        }
    }
    return out;
}

void LoginThrottle::prune(std::unordered_map<std::string, Entry>& map) {
    if (map.size() < kMaxThrottleEntries) {
        return;
    }
    // Under a spray of made-up names, forget entries whose wait has run out.
    const auto now = clock_.now();
    for (auto it = map.begin(); it != map.end();) {
        if (now - it->second.last > settings_.max_delay) {
            it = map.erase(it);
        } else {
            ++it;
        }
    }
}

void LoginThrottle::failed(const std::string& account, const std::string& address) {
    const std::lock_guard lock(mutex_);
    prune(accounts_);
    prune(addresses_);
    const auto now = clock_.now();
    for (auto* e : {&accounts_[account], &addresses_[address]}) {
        ++e->failures;
        e->last = now;
    }
}

void LoginThrottle::succeeded(const std::string& account) {
    const std::lock_guard lock(mutex_);
    accounts_.erase(account);
}

// ---------------------------------------------------------------------------------------------
// AuthService

AuthService::AuthService(store::Store& store,
                         UserService& users,
                         const core::Clock& clock,
                         core::IdGenerator& ids,
                         AuthSettings settings)
    : store_(store)
    , users_(users)
    , clock_(clock)
    , ids_(ids)
    , settings_(settings)
    , throttle_(clock, settings_) {}

std::string AuthService::hash_secret(const std::string& secret) {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(
        digest.data(), reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
    return to_hex(digest.data(), digest.size());
}

std::string AuthService::csrf_token_for(const std::string& session_token) {
    static constexpr std::string_view kLabel = "kapal-si-geo csrf v1";
    std::array<unsigned char, 32> mac{};
    crypto_generichash(
        mac.data(),
        mac.size(),
        reinterpret_cast<const unsigned char*>(kLabel.data()),
        kLabel.size(),
        reinterpret_cast<const unsigned char*>(session_token.data()),
        std::min<std::size_t>(session_token.size(), crypto_generichash_KEYBYTES_MAX));
    return to_hex(mac.data(), mac.size());
}

std::optional<std::chrono::seconds> AuthService::login_wait(const std::string& username,
                                                            const std::string& address) {
    auto name = core::normalise_username(username);
    return throttle_.wait(name ? *name : username, address);
}

Result<LoginResult> AuthService::login(const std::string& username,
                                       const std::string& password,
                                       const std::string& address,
                                       const std::string& user_agent) {
    auto name = core::normalise_username(username);
    const std::string key = name ? *name : username;
    auto user = users_.authenticate(username, password);
    if (!user) {
        if (user.error().code == ErrorCode::Unauthenticated) {
            throttle_.failed(key, address);
        }
        return fail(std::move(user).error());
    }
    throttle_.succeeded(key);
    const auto now = clock_.now();
    LoginResult out;
    out.session_token = random_secret();
    out.csrf_token = csrf_token_for(out.session_token);
    out.session.id = ids_.next(now);
    out.session.token_hash = hash_secret(out.session_token);
    out.session.user_id = user->id;
    out.session.created_at = now;
    out.session.last_seen_at = now;
    out.session.expires_at = now + settings_.absolute_timeout;
    out.session.address = address;
    out.session.user_agent = user_agent.substr(0, kMaxUserAgent);
    KAPAL_TRY(store_.create_session(out.session, context(user->id, address, now)));
    out.user = std::move(*user);
    return out;
}

Result<store::UserRecord> AuthService::find_account(const std::string& username) {
    auto name = core::normalise_username(username);
    if (!name) {
        return fail(ErrorCode::NotFound, "no user '" + username + "'");
    }
    auto record = store_.find_user(*name);
    if (!record) {
        return fail(std::move(record).error());
    }
    if (!*record) {
        return fail(ErrorCode::NotFound, "no user '" + *name + "'");
    }
    return std::move(**record);
}

Result<Principal> AuthService::principal_of(const std::string& user_id) {
    auto record = store_.get_user(user_id);
    if (!record) {
        return fail(std::move(record).error());
    }
    if (!*record) {
        return fail(ErrorCode::Unauthenticated, "the account no longer exists");
    }
    if ((*record)->user.disabled) {
        return fail(ErrorCode::Unauthenticated, "the account is disabled");
    }
    Principal p;
    p.user = std::move((*record)->user);
    p.role = p.user.role;
    p.area_codes = p.user.area_codes;
    return p;
}

Result<Principal> AuthService::authenticate_session(const std::string& session_token) {
    if (!well_formed_secret(session_token)) {
        return fail(ErrorCode::Unauthenticated, "not a session cookie");
    }
    auto found = store_.find_session(hash_secret(session_token));
    if (!found) {
        return fail(std::move(found).error());
    }
    if (!*found) {
        return fail(ErrorCode::Unauthenticated, "unknown session");
    }
    const auto& s = **found;
    const auto now = clock_.now();
    if (s.revoked_at || now >= s.expires_at || now - s.last_seen_at >= settings_.idle_timeout) {
        return fail(ErrorCode::SessionExpired, "the session has ended");
    }
    auto p = principal_of(s.user_id);
    if (!p) {
        return fail(std::move(p).error());
    }
    if (now - s.last_seen_at >= kTouchInterval) {
        KAPAL_TRY(store_.touch_session(s.id, now));
    }
    p->session_id = s.id;
    p->csrf_token = csrf_token_for(session_token);
    return p;
}

Result<Principal> AuthService::authenticate_token(const std::string& token) {
    const std::string_view view(token);
    if (view.substr(0, kTokenPrefix.size()) != kTokenPrefix ||
        !well_formed_secret(view.substr(kTokenPrefix.size()))) {
        return fail(ErrorCode::TokenInvalid, "not an API token");
    }
    auto found = store_.find_api_token(hash_secret(token));
    if (!found) {
        return fail(std::move(found).error());
    }
    if (!*found) {
        return fail(ErrorCode::TokenInvalid, "unknown API token");
    }
    const auto& t = **found;
    if (t.revoked_at || clock_.now() >= t.expires_at) {
        return fail(ErrorCode::TokenInvalid, "the API token has expired or was revoked");
    }
    auto p = principal_of(t.user_id);
    if (!p) {
        return fail(std::move(p).error());
    }
    // The token narrows the account as it is now; if the account was narrowed since, the
    // token must not keep the old reach.
    if (!core::role_within(t.role, p->role)) {
        return fail(ErrorCode::TokenInvalid, "the account's role changed since the token was made");
    }
    if (!t.area_codes.empty()) {
        if (!core::areas_within(t.area_codes, p->area_codes)) {
            return fail(ErrorCode::TokenInvalid,
                        "the account's areas changed since the token was made");
        }
        p->area_codes = t.area_codes;
    }
    p->role = t.role;
    p->token_id = t.id;
    return p;
}

Result<void> AuthService::logout(const Principal& who, const std::string& address) {
    if (who.session_id.empty()) {
        return {};
    }
    return store_.revoke_session(who.session_id, context(who.user.id, address, clock_.now()));
}

Result<std::vector<store::SessionRecord>> AuthService::sessions(const Principal& who) {
    const auto now = clock_.now();
    auto all = store_.list_sessions(who.user.id, now);
    if (!all) {
        return all;
    }
    // Sessions past the idle timeout no longer work: do not show them as open.
    std::erase_if(*all, [&](const store::SessionRecord& s) {
        return now - s.last_seen_at >= settings_.idle_timeout;
    });
    return all;
}

Result<void> AuthService::revoke_session(const Principal& who,
                                         const std::string& session_id,
                                         const std::string& address) {
    auto mine = sessions(who);
    if (!mine) {
        return fail(std::move(mine).error());
    }
    const bool owned =
        std::any_of(mine->begin(), mine->end(), [&](const auto& s) { return s.id == session_id; });
    if (!owned) {
        return fail(ErrorCode::NotFound, "no such session");
    }
    return store_.revoke_session(session_id, context(who.user.id, address, clock_.now()));
}

Result<CreatedToken> AuthService::create_token(const TokenRequest& request, const Actor& actor) {
    auto record = find_account(request.username);
    if (!record) {
        return fail(std::move(record).error());
    }
    const core::User& user = record->user;
    if (user.disabled) {
        return fail(ErrorCode::AccountDisabled, "the account is disabled");
    }
    if (request.lifetime <= std::chrono::seconds(0) ||
        request.lifetime > settings_.max_token_lifetime) {
        return fail(ErrorCode::InvalidArgument,
                    "a token lives between 1 second and " +
                        std::to_string(settings_.max_token_lifetime.count() / 86400) + " days");
    }
    if (request.name.size() > 100) {
        return fail(ErrorCode::InvalidArgument, "the token name is longer than 100 bytes");
    }
    const core::Role role = request.role.value_or(user.role);
    if (!core::role_within(role, user.role)) {
        return fail(ErrorCode::Forbidden,
                    "a token of " + std::string(core::to_string(user.role)) + " '" + user.username +
                        "' may not have the role " + std::string(core::to_string(role)));
    }
    if (!request.area_codes.empty() && !core::areas_within(request.area_codes, user.area_codes)) {
        return fail(ErrorCode::Forbidden, "a token's areas must lie within the user's areas");
    }
    const auto now = clock_.now();
    CreatedToken out;
    out.token = std::string(kTokenPrefix) + random_secret();
    out.record.id = ids_.next(now);
    out.record.name = request.name;
    out.record.token_hash = hash_secret(out.token);
    out.record.user_id = user.id;
    out.record.role = role;
    out.record.area_codes = request.area_codes;
    out.record.created_at = now;
    out.record.expires_at = now + request.lifetime;
    KAPAL_TRY(store_.create_api_token(out.record, context(actor.id, actor.source, now)));
    return out;
}

Result<std::vector<store::ApiTokenRecord>> AuthService::tokens(const std::string& username) {
    if (username.empty()) {
        return store_.list_api_tokens("");
    }
    auto record = find_account(username);
    if (!record) {
        return fail(std::move(record).error());
    }
    return store_.list_api_tokens(record->user.id);
}

Result<void> AuthService::revoke_token(const std::string& token_id, const Actor& actor) {
    return store_.revoke_api_token(token_id, context(actor.id, actor.source, clock_.now()));
}

} // namespace kapal::service
