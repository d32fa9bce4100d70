#pragma once
// User accounts: adding, passwords (Argon2id, libsodium), disabling, listing and checking a
// login. Sessions, tokens and the enforcement of roles on each endpoint build on this.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/result.hpp"
#include "kapal/core/user.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/store/store.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kapal::service {

/// What an admin gives to create an account.
struct NewUser {
    std::string username;
    std::string display_name;
    core::Role role = core::Role::Viewer;
    std::vector<std::string> area_codes;
    std::optional<std::string> password; ///< nullopt: generate one
};

/// A created account, and the generated password (empty when one was given): shown once.
struct AddedUser {
    core::User user;
    std::string generated_password;
};

/// A random password of 20 characters from an alphabet without look-alikes (about 100 bits),
/// grouped for reading aloud: "k7mq-x3vd-…".
std::string generate_password();

class UserService {
  public:
    UserService(store::Store& store,
                std::shared_ptr<const ReferenceData> ref,
                const core::Clock& clock,
                core::IdGenerator& ids);

    /// Errors: UsernameInvalid, AreaInvalid (also: operator and viewer need at least one area),
    /// the password policy's codes, AlreadyExists.
    Result<AddedUser> add(NewUser user, const Actor& actor);

    /// Sets a new password (generated when nullopt); returns the generated one or "". Ends
    /// every open session of the account. Errors: NotFound, the password policy's codes.
    Result<std::string> set_password(const std::string& username,
                                     const std::optional<std::string>& password,
                                     const Actor& actor);

    /// Disables or re-enables an account; disabling ends its sessions (its API tokens stop
    /// working too, since they act as the account). Errors: NotFound.
    Result<void> set_disabled(const std::string& username, bool disabled, const Actor& actor);

    Result<std::vector<core::User>> list();

    /// Checks a login. An unknown user and a wrong password give the same error
    /// (Unauthenticated) after the same amount of work; a disabled account gives
    /// AccountDisabled only after a correct password.
    Result<core::User> authenticate(const std::string& username, const std::string& password);

  private:
    Result<store::UserRecord> find(const std::string& username);

    store::Store& store_;
    std::shared_ptr<const ReferenceData> ref_;
    const core::Clock& clock_;
    core::IdGenerator& ids_;
};

/// Argon2id hash in libsodium's self-describing string form. Errors: Internal (out of memory).
Result<std::string> hash_password(const std::string& password);

/// True when `password` matches `hash`.
bool verify_password(const std::string& hash, const std::string& password);

} // namespace kapal::service
