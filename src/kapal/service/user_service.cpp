#include "kapal/service/user_service.hpp"

#include <sodium.h>

#include <algorithm>

namespace kapal::service {
namespace {

bool needs_area(core::Role role) {
    return role == core::Role::Operator || role == core::Role::Viewer;
}

// Verifying against this keeps an unknown user as slow as a wrong password.
const std::string& dummy_hash() {
    static const std::string kHash = [] {
        auto h = hash_password("kapal-si-geo-dummy-password-for-timing");
        return h ? *h : std::string();
    }();
    return kHash;
}

store::WriteContext context(const Actor& actor, core::Timestamp at, std::string reason = {}) {
    return store::WriteContext{actor.id, actor.source, at, std::move(reason)};
}

} // namespace

std::string generate_password() {
    static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789"; // no i, l, o, 0, 1
    constexpr std::uint32_t kSize = sizeof(kAlphabet) - 1;
    std::string out;
    for (int i = 0; i < 20; ++i) {
        if (i > 0 && i % 4 == 0) {
            out.push_back('-');
        }
        out.push_back(kAlphabet[randombytes_uniform(kSize)]);
    }
    return out;
}

Result<std::string> hash_password(const std::string& password) {
    if (sodium_init() < 0) {
        return fail(ErrorCode::Internal, "libsodium failed to initialise");
    }
    std::string out(crypto_pwhash_STRBYTES, '\0');
    if (crypto_pwhash_str(out.data(),
                          password.data(),
                          password.size(),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        return fail(ErrorCode::Internal, "out of memory hashing a password");
    }
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}

bool verify_password(const std::string& hash, const std::string& password) {
    if (hash.empty() || sodium_init() < 0) {
        return false;
    }
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

UserService::UserService(store::Store& store,
                         std::shared_ptr<const ReferenceData> ref,
                         const core::Clock& clock,
                         core::IdGenerator& ids)
    : store_(store)
    , ref_(std::move(ref))
    , clock_(clock)
    , ids_(ids) {}

Result<AddedUser> UserService::add(NewUser input, const Actor& actor) {
    auto name = core::normalise_username(input.username);
    if (!name) {
        return fail(std::move(name).error());
    }
    std::sort(input.area_codes.begin(), input.area_codes.end());
    input.area_codes.erase(std::unique(input.area_codes.begin(), input.area_codes.end()),
                           input.area_codes.end());
    KAPAL_TRY(core::check_area_codes(input.area_codes, ref_->regions));
    if (needs_area(input.role) && input.area_codes.empty()) {
        return fail(ErrorCode::AreaInvalid,
                    std::string(core::to_string(input.role)) + " accounts need at least one area");
    }
    AddedUser out;
    std::string password;
    if (input.password) {
        password = *input.password;
        KAPAL_TRY(core::check_password_policy(password, *name));
    } else {
        password = generate_password();
        out.generated_password = password;
    }
    auto hash = hash_password(password);
    if (!hash) {
        return fail(std::move(hash).error());
    }
    const auto now = clock_.now();
    store::UserRecord record;
    record.user.id = ids_.next(now);
    record.user.username = *name;
    record.user.display_name = input.display_name.empty() ? *name : input.display_name;
    record.user.role = input.role;
    record.user.area_codes = std::move(input.area_codes);
    record.user.created_at = now;
    record.user.updated_at = now;
    record.password_hash = std::move(*hash);
    KAPAL_TRY(store_.create_user(record, context(actor, now)));
    out.user = std::move(record.user);
    return out;
}

Result<store::UserRecord> UserService::find(const std::string& username) {
    auto name = core::normalise_username(username);
    if (!name) {
        return fail(ErrorCode::NotFound, "no user '" + username + "'");
    }
    auto found = store_.find_user(*name);
    if (!found) {
        return fail(std::move(found).error());
    }
    if (!*found) {
        return fail(ErrorCode::NotFound, "no user '" + *name + "'");
    }
    return std::move(**found);
}

Result<std::string> UserService::set_password(const std::string& username,
                                              const std::optional<std::string>& password,
                                              const Actor& actor) {
    auto record = find(username);
    if (!record) {
        return fail(std::move(record).error());
    }
    std::string generated;
    std::string chosen;
    if (password) {
        chosen = *password;
        KAPAL_TRY(core::check_password_policy(chosen, record->user.username));
    } else {
        chosen = generate_password();
        generated = chosen;
    }
    auto hash = hash_password(chosen);
    if (!hash) {
        return fail(std::move(hash).error());
    }
    record->password_hash = std::move(*hash);
    record->user.updated_at = clock_.now();
    const auto ctx = context(actor, record->user.updated_at, "password changed");
    KAPAL_TRY(store_.update_user(*record, ctx));
    auto ended = store_.revoke_user_sessions(record->user.id, ctx);
    if (!ended) {
        return fail(std::move(ended).error());
    }
    return generated;
}

Result<void>
UserService::set_disabled(const std::string& username, bool disabled, const Actor& actor) {
    auto record = find(username);
    if (!record) {
        return fail(std::move(record).error());
    }
    record->user.disabled = disabled;
    record->user.updated_at = clock_.now();
    const auto ctx = context(actor, record->user.updated_at, disabled ? "disabled" : "enabled");
    KAPAL_TRY(store_.update_user(*record, ctx));
    if (disabled) {
        auto ended = store_.revoke_user_sessions(record->user.id, ctx);
        if (!ended) {
            return fail(std::move(ended).error());
        }
    }
    return {};
}

Result<std::vector<core::User>> UserService::list() {
    auto records = store_.list_users();
    if (!records) {
        return fail(std::move(records).error());
    }
    std::vector<core::User> out;
    for (auto& r : *records) {
        out.push_back(std::move(r.user));
    }
    return out;
}

Result<core::User> UserService::authenticate(const std::string& username,
                                             const std::string& password) {
    auto record = find(username);
    if (!record) {
        if (record.error().code != ErrorCode::NotFound) {
            return fail(std::move(record).error());
        }
        (void)verify_password(dummy_hash(), password);
        return fail(ErrorCode::Unauthenticated, "wrong user name or password");
    }
    if (!verify_password(record->password_hash, password)) {
        return fail(ErrorCode::Unauthenticated, "wrong user name or password");
    }
    if (record->user.disabled) {
        return fail(ErrorCode::AccountDisabled, "the account is disabled");
    }
    return std::move(record->user);
}

} // namespace kapal::service
