#pragma once
// The composition root: reads DIR/config, opens the chosen store with the keys in DIR/keys,
// loads the reference data and wires the services. The only module that sees them all.

#include "kapal/app/config.hpp"
#include "kapal/card/card_key.hpp"
#include "kapal/card/card_key_list.hpp"
#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/result.hpp"
#include "kapal/service/aid_service.hpp"
#include "kapal/service/aid_transfer_service.hpp"
#include "kapal/service/auth_service.hpp"
#include "kapal/service/card_service.hpp"
#include "kapal/service/duplicate_review.hpp"
#include "kapal/service/facility_service.hpp"
#include "kapal/service/gis_layers.hpp"
#include "kapal/service/hazard_service.hpp"
#include "kapal/service/map_service.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/service/reference_data.hpp"
#include "kapal/service/service_desk.hpp"
#include "kapal/service/user_service.hpp"
#include "kapal/service/voucher_service.hpp"
#include "kapal/store/store.hpp"
#include "kapal/store/store_transfer.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::http {
class SyncEngine;
} // namespace kapal::http

namespace kapal::app {

struct InitOptions {
    std::string store; ///< empty: sqlite:store.db
};

/// What `init` made: the settings, and the first admin's password (shown once, never stored).
struct InitResult {
    Config config;
    std::string admin_username;
    std::string admin_password;
};

/// Creates DIR (if needed), DIR/keys with fresh keys (mode 0700/0600; the card signing key in
/// card.key, its public half in card-keys.txt), DIR/config, the store,
/// and the first admin account with a random password. Errors: AlreadyExists when DIR/config
/// exists (keys are never overwritten).
Result<InitResult> init_data_dir(const std::filesystem::path& dir, const InitOptions& options);

/// Where a folder shipped with the program is: `configured` when set, else the first of
/// <exe>/../<relative>, <exe>/../../<relative>, /usr/share/kapal/<relative> that exists.
std::filesystem::path locate_shipped_dir(const std::string& configured,
                                         const std::string& relative);

class Application {
  public:
    /// Opens an initialised data directory. `clock` (optional) replaces the system clock,
    /// for tests and reproducible demo data.
    static Result<std::unique_ptr<Application>> open(const std::filesystem::path& dir,
                                                     std::shared_ptr<core::Clock> clock = {});

    const Config& config() const { return config_; }

    /// The settings, to override for this run (e.g. `serve --listen`); not written back.
    Config& config() { return config_; }

    const std::filesystem::path& dir() const { return dir_; }

    store::Store& store() { return *store_; }

    const service::ReferenceData& reference() const { return *ref_; }

    std::shared_ptr<const service::ReferenceData> reference_ptr() const { return ref_; }

    service::PersonService& persons() { return *persons_; }

    /// The in-memory point index the person service searches; `serve` loads it and keeps it
    /// following the store.
    service::PersonIndex& person_index() { return *person_index_; }

    const service::MapService& maps() const { return *maps_; }

    service::UserService& users() { return *users_; }

    /// Hazard zones and evacuation lists.
    service::HazardService& hazards() { return *hazards_; }

    service::FacilityService& facilities() { return *facilities_; }

    /// Cards: issue, reissue, revoke, print queue, verification, revocation list.
    service::CardService& cards() { return *cards_; }

    /// The services the card opens: the catalogue and each person's requests.
    service::ServiceDesk& service_desk() { return *service_desk_; }

    /// Social assistance: programmes, cycles, lists, handovers.
    service::AidService& aid() { return *aid_; }

    /// The voucher channel: merchants, redemptions, the ledger.
    service::VoucherService& vouchers() { return *vouchers_; }

    /// Social assistance by transfer: batches, the bank file, the bank's result.
    service::AidTransferService& aid_transfer() { return *aid_transfer_; }

    /// The duplicate review queue: pairs, merges, distinct decisions, scans.
    service::DuplicateReview& duplicates() { return *duplicates_; }

    /// Offline sync (docs/sync.md): the ops devices send, conflicts, the pull.
    http::SyncEngine& sync() { return *sync_; }

    /// The GIS layers the OGC API serves (persons, areas; hazard zones and facilities join
    /// here when they exist).
    const service::FeatureCatalogue& features() const { return features_; }

    service::AuthService& auth() { return *auth_; }

    /// Re-encrypts every NIK and KK with fresh keys and recomputes the blind indexes in one
    /// transaction, then installs the new key files and keeps the old ones as
    /// DIR/keys/*.retired-<stamp> (backups made before need them). Needs the data directory to
    /// itself: fails while `kapal serve` or another command has it open. A crash at any point
    /// leaves either the old or the new keys in force; the next open settles the files. After
    /// success this Application must not be used further: open the directory again.
    /// Returns how many values were re-encrypted.
    Result<std::int64_t> rotate_keys(const std::string& reason);

    /// The key cards are signed with now (DIR/keys/card.key).
    const card::CardKey& card_key() const { return card_key_; }

    /// Every card public key, current and retired (DIR/keys/card-keys.txt), oldest first:
    /// what verifiers need, served at /.well-known/kapal-keys.json.
    const std::vector<card::PublishedCardKey>& card_keys() const { return card_keys_; }

    /// A new card signing key: the current public key is marked retired (and kept, so that
    /// cards signed with it still verify); its private key is deleted. Needs the data
    /// directory to itself, like rotate_keys; recorded in the audit log as "card_key.rotate"
    /// (subject = the new kid). Returns the new key.
    Result<card::CardKey> rotate_card_key(const std::string& reason);

    Application(const Application&) = delete;
    Application& operator=(const Application&) = delete;
    Application(Application&&) = delete;
    Application& operator=(Application&&) = delete;
    ~Application();

    /// The actor of a command run at this machine's shell: "cli:<os user>".
    static service::Actor cli_actor();

    /// Makes the store's areas table hold the shipped boundaries (Store::sync_areas), so that
    /// SQL and QGIS users of the database have them beside the homes; returns how many rows
    /// changed (0 when already in step: nothing is written). init, serve and migrate-store
    /// call it.
    Result<int> sync_areas();

    const core::Clock& clock() const { return *clock_; }

    core::IdGenerator& ids() { return ids_; }

  private:
    Application() = default;

    std::filesystem::path dir_;
    Config config_;
    std::shared_ptr<core::Clock> clock_;
    core::IdGenerator ids_;
    std::unique_ptr<store::Store> store_;
    std::shared_ptr<const service::ReferenceData> ref_;
    std::unique_ptr<service::PersonService> persons_;
    std::unique_ptr<service::PersonIndex> person_index_;
    std::unique_ptr<service::MapService> maps_;
    std::unique_ptr<service::UserService> users_;
    std::unique_ptr<service::HazardService> hazards_;
    std::unique_ptr<service::FacilityService> facilities_;
    std::unique_ptr<service::CardService> cards_;
    std::unique_ptr<service::ServiceDesk> service_desk_;
    std::unique_ptr<service::AidService> aid_;
    std::unique_ptr<service::VoucherService> vouchers_;
    std::unique_ptr<service::AidTransferService> aid_transfer_;
    std::unique_ptr<service::DuplicateReview> duplicates_;
    std::unique_ptr<http::SyncEngine> sync_;
    std::unique_ptr<service::AuthService> auth_;
    service::FeatureCatalogue features_;
    card::CardKey card_key_;
    std::vector<card::PublishedCardKey> card_keys_;
    int lock_fd_ = -1; ///< DIR/.lock, held shared while open (exclusive to rotate keys)
};

// ---- Moving the store to another backend (kapal migrate-store)

struct MigrateStoreOptions {
    std::string from;           ///< sqlite:<file> (relative to DIR) or postgresql://<libpq URI>
    std::string to;             ///< the same forms; must be empty (a new file or a new database)
    std::string reason;         ///< recorded in the "store.migrate" audit entry
    bool switch_config = false; ///< after a verified migration, DIR/config names `to`
};

struct MigrateStoreResult {
    store::MigrationReport report;
    std::string config_line;      ///< "store = <to>": what DIR/config should say now
    bool config_switched = false; ///< DIR/config was rewritten to say it
    std::string previous_store;   ///< what DIR/config said before
};

/// Copies every row of the store at `options.from` into the empty store at `options.to` with the
/// keys of DIR/keys, verifies the copy and records it (store::migrate_store); with switch_config
/// and a report that is ok(), rewrites the `store = ...` line of DIR/config (every other line
/// kept). Holds DIR's lock exclusively throughout, so it fails while `kapal serve` or another
/// command uses DIR (other servers sharing a PostgreSQL database must be stopped by hand). A
/// failed check is in the report, not an error. Errors: InvalidArgument (both name the same
/// store), ConfigInvalid (a location of another kind, or switch_config with a password in the
/// URI), StoreUnavailable (DIR in use, an interrupted key rotation), StoreNotEmpty, KeyMissing,
/// StoreCorrupt (keys that do not fit the source), those of both stores.
Result<MigrateStoreResult> migrate_store(const std::filesystem::path& dir,
                                         const MigrateStoreOptions& options,
                                         const store::TransferProgress& progress = {});

/// A store location fit to print: the password of a postgresql:// URI (user:password@ or
/// password=) replaced by "***"; anything else unchanged.
std::string redact_store_location(std::string_view store);

/// One route of the HTTP API and who may call it: "open" or the roles, comma-separated.
struct RouteDescription {
    std::string method;
    std::string pattern;
    std::string access;
};

/// Every route the server registers, in registration order (`kapal routes`; the authorization
/// matrix test compares this with its own table, so a new route fails it until classified).
std::vector<RouteDescription> describe_routes(Application& app);

/// Runs the HTTP server until SIGINT or SIGTERM. `ready` is called with the bound URL; `log`
/// receives the server's operational messages (handler failures; never request data).
Result<void> serve(Application& app,
                   const std::function<void(const std::string&)>& ready,
                   std::function<void(std::string_view)> log = {});

} // namespace kapal::app
