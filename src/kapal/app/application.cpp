#include "kapal/app/application.hpp"

#include "kapal/card/card_key_list.hpp"
#include "kapal/core/text.hpp"
#include "kapal/http/aid_routes.hpp"
#include "kapal/http/aid_transfer_routes.hpp"
#include "kapal/http/audit_routes.hpp"
#include "kapal/http/auth_gate.hpp"
#include "kapal/http/auth_routes.hpp"
#include "kapal/http/card_routes.hpp"
#include "kapal/http/duplicate_routes.hpp"
#include "kapal/http/export_routes.hpp"
#include "kapal/http/facility_routes.hpp"
#include "kapal/http/hazard_routes.hpp"
#include "kapal/http/import_routes.hpp"
#include "kapal/http/map_routes.hpp"
#include "kapal/http/ogc_routes.hpp"
#include "kapal/http/person_routes.hpp"
#include "kapal/http/photo_routes.hpp"
#include "kapal/http/province_routes.hpp"
#include "kapal/http/router.hpp"
#include "kapal/http/server.hpp"
#include "kapal/http/service_routes.hpp"
#include "kapal/http/stats_routes.hpp"
#include "kapal/http/sync_engine.hpp"
#include "kapal/http/sync_routes.hpp"
#include "kapal/http/user_routes.hpp"
#include "kapal/http/voucher_routes.hpp"
#include "kapal/integrity/audit_log.hpp"
#include "kapal/service/province_service.hpp"
#include "kapal/store/field_cipher.hpp"
#include "kapal/store/postgres/postgres_store.hpp"
#include "kapal/store/sqlite/sqlite_store.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

namespace kapal::app {
namespace {

namespace fs = std::filesystem;

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const auto b : bytes) {
        out.push_back(kHex[b >> 4U]);
        out.push_back(kHex[b & 15U]);
    }
    return out;
}

Result<std::vector<std::uint8_t>> read_key(const fs::path& file) {
    std::ifstream in(file);
    std::string hex;
    if (!in || !(in >> hex)) {
        return fail(ErrorCode::KeyMissing, "cannot read key file " + file.string());
    }
    if (hex.size() != 64) {
        return fail(ErrorCode::KeyMissing, "key file " + file.string() + " is not 64 hex digits");
    }
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = core::hex_value(hex[i]);
        const int lo = core::hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return fail(ErrorCode::KeyMissing, "key file " + file.string() + " is not hex");
        }
        out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    return out;
}

Result<void> write_secret(const fs::path& file, const std::string& text) {
    // Created with mode 0600 from the start: the key never exists readable by others.
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        return fail(ErrorCode::Io, "cannot create " + file.string());
    }
    const auto written = ::write(fd, text.data(), text.size());
    const bool ok = written == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
        return fail(ErrorCode::Io, "cannot write " + file.string());
    }
    return {};
}

/// Where the store is: an SQLite file, or a PostgreSQL database (a libpq URI).
struct StoreLocation {
    fs::path sqlite_file;   ///< set for sqlite:<file>
    std::string postgresql; ///< set for postgresql://... (or postgres://...)
};

Result<StoreLocation> store_location(const fs::path& dir, const std::string& store) {
    constexpr std::string_view kSqlite = "sqlite:";
    if (store.rfind(kSqlite, 0) == 0) {
        fs::path file = store.substr(kSqlite.size());
        return StoreLocation{file.is_absolute() ? file : dir / file, {}};
    }
    if (store.rfind("postgresql://", 0) == 0 || store.rfind("postgres://", 0) == 0) {
        return StoreLocation{{}, store};
    }
    return fail(ErrorCode::ConfigInvalid,
                "unsupported store '" + store +
                    "': this version supports sqlite:<file> and postgresql://<database URI>");
}

Result<std::unique_ptr<store::Store>> open_store(const StoreLocation& where,
                                                 const store::StoreKeys& keys,
                                                 int reader_connections,
                                                 const core::Clock* clock) {
    if (!where.postgresql.empty()) {
        store::PostgresOptions options;
        options.reader_connections = reader_connections;
        return store::open_postgres_store(where.postgresql, keys, options, clock);
    }
    store::SqliteOptions options;
    options.reader_connections = reader_connections;
    return store::open_sqlite_store(where.sqlite_file, keys, options, clock);
}

/// Like ssh with a private key: a key file that others may read is refused, since anyone who can
/// read it can read every NIK in the store and its backups.
Result<void> check_private(const fs::path& file) {
    std::error_code ec;
    const auto perms = fs::status(file, ec).permissions();
    if (ec) {
        return {}; // read_key reports a missing file
    }
    if ((perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none) {
        return fail(ErrorCode::ConfigInvalid,
                    file.string() + " may be read by other users of this machine; run `chmod 600 " +
                        file.string() + "` (and chmod 700 on its folder)");
    }
    return {};
}

Result<store::StoreKeys> load_keys(const fs::path& dir) {
    KAPAL_TRY(check_private(dir / "keys" / "data.key"));
    KAPAL_TRY(check_private(dir / "keys" / "index.key"));
    auto data = read_key(dir / "keys" / "data.key");
    if (!data) {
        return fail(std::move(data).error());
    }
    auto index = read_key(dir / "keys" / "index.key");
    if (!index) {
        return fail(std::move(index).error());
    }
    return store::StoreKeys{std::move(*data), std::move(*index)};
}

/// Opens DIR/.lock (created 0600) and takes a shared or exclusive flock without waiting.
/// Every command holds it shared while it has the store open; key rotation needs it alone.
/// With `fd` >= 0 the lock on that descriptor is changed instead (and it stays open on failure).
Result<int> lock_data_dir(const fs::path& dir, bool exclusive, int fd = -1) {
    const bool own = fd < 0;
    if (own) {
        fd = ::open((dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) {
            return fail(ErrorCode::Io, "cannot open " + (dir / ".lock").string());
        }
    }
    if (::flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
        if (own) {
            ::close(fd);
        }
        return fail(ErrorCode::StoreUnavailable,
                    exclusive ? "another kapal process (serve, import, ...) is using " +
                                    dir.string() + "; stop it first"
                              : "the keys of " + dir.string() +
                                    " are being rotated; try again when that has finished");
    }
    return fd;
}

Result<void> fsync_dir(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        return fail(ErrorCode::Io, "cannot sync " + dir.string());
    }
    ::close(fd);
    return {};
}

/// "20261128T101500Z": a file-name-safe UTC instant.
std::string file_stamp(core::Timestamp t) {
    std::string out;
    for (const char c : core::format_timestamp(t).substr(0, 19)) {
        if (c != '-' && c != ':') {
            out += c;
        }
    }
    return out + "Z";
}

/// Installs the key files the store was rotated to. For each key, `use_new` says whether its
/// *.new file fits the store: then the current file is kept as *.retired-<stamp> (backups made
/// before need it) and the new one renamed into place; else the *.new file is removed.
Result<void>
settle_key_files(const fs::path& keys, core::Timestamp now, std::array<bool, 2> use_new) {
    const std::string stamp = file_stamp(now);
    std::error_code ec;
    const std::array<const char*, 2> names = {"data.key", "index.key"};
    for (std::size_t i = 0; i < names.size(); ++i) {
        const fs::path current = keys / names[i];
        const fs::path next = keys / (std::string(names[i]) + ".new");
        if (!fs::exists(next, ec)) {
            continue;
        }
        if (!use_new[i]) {
            fs::remove(next, ec);
            continue;
        }
        if (fs::exists(current, ec)) {
            fs::rename(current, keys / (std::string(names[i]) + ".retired-" + stamp), ec);
            if (ec) {
                return fail(ErrorCode::Io,
                            "cannot retire " + current.string() + ": " + ec.message());
            }
        }
        fs::rename(next, current, ec);
        if (ec) {
            return fail(ErrorCode::Io, "cannot install " + current.string() + ": " + ec.message());
        }
    }
    return fsync_dir(keys);
}

/// A rotation stopped between its commit and the renaming of the key files leaves *.new files.
/// The pair of key files that fits the store's data becomes the current one.
Result<void>
recover_rotation(const fs::path& dir, const StoreLocation& where, core::Timestamp now) {
    const fs::path keys = dir / "keys";
    std::error_code ec;
    if (!fs::exists(keys / "data.key.new", ec) && !fs::exists(keys / "index.key.new", ec)) {
        return {};
    }
    for (const bool data_new : {true, false}) {
        for (const bool index_new : {true, false}) {
            const fs::path data = keys / (data_new ? "data.key.new" : "data.key");
            const fs::path index = keys / (index_new ? "index.key.new" : "index.key");
            if (!fs::exists(data, ec) || !fs::exists(index, ec)) {
                continue;
            }
            auto d = read_key(data);
            auto x = read_key(index);
            if (!d || !x) {
                continue;
            }
            auto store = open_store(where, {*d, *x}, 1, nullptr);
            if (!store) {
                return fail(std::move(store).error());
            }
            if ((*store)->check_keys()) {
                store->reset();
                return settle_key_files(keys, now, {data_new, index_new});
            }
        }
    }
    return fail(ErrorCode::StoreCorrupt,
                "no pair of key files in " + keys.string() +
                    " fits the store (an interrupted key rotation?); restore the keys from backup");
}

/// Makes data.key.new/index.key.new the current keys: the current ones are kept as
/// *.retired-<stamp> (old backups need them), then the new ones are renamed into place.
Result<void> promote_new_keys(const fs::path& keys, core::Timestamp now) {
    return settle_key_files(keys, now, {true, true});
}

} // namespace

fs::path locate_shipped_dir(const std::string& configured, const std::string& relative) {
    if (!configured.empty()) {
        return configured;
    }
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    std::vector<fs::path> candidates;
    if (!ec) {
        candidates.push_back(exe.parent_path().parent_path() / relative);
        candidates.push_back(exe.parent_path().parent_path().parent_path() / relative);
    }
    candidates.push_back(fs::path("/usr/share/kapal") / relative);
    for (const auto& c : candidates) {
        if (fs::is_directory(c, ec)) {
            return c;
        }
    }
    return candidates.front();
}

// ---- The card signing key (DIR/keys/card.key, 0600) and the public list of every card key
// (DIR/keys/card-keys.txt)

namespace {

constexpr const char* kCardKeyFile = "card.key";
constexpr const char* kCardKeyList = "card-keys.txt";

Result<std::vector<card::PublishedCardKey>> read_card_key_list(const fs::path& keys) {
    std::error_code ec;
    if (!fs::exists(keys / kCardKeyList, ec)) {
        return std::vector<card::PublishedCardKey>{};
    }
    std::ifstream in(keys / kCardKeyList);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
        return fail(ErrorCode::Io, "cannot read " + (keys / kCardKeyList).string());
    }
    return card::parse_card_key_list(text.str());
}

/// Replaces a public file atomically (temporary file, fsync, rename).
Result<void> write_public(const fs::path& file, const std::string& text) {
    const fs::path tmp = file.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
        if (!out.flush()) {
            return fail(ErrorCode::Io, "cannot write " + tmp.string());
        }
    }
    const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        return fail(ErrorCode::Io, "cannot sync " + tmp.string());
    }
    ::close(fd);
    std::error_code ec;
    fs::rename(tmp, file, ec);
    if (ec) {
        return fail(ErrorCode::Io, "cannot write " + file.string() + ": " + ec.message());
    }
    return {};
}

/// Makes a new card signing key the current one. Order, so that a crash never loses a key
/// that signed cards: the private key goes to card.key.new; the list gains the new public key
/// (the previous one marked retired, never removed); then card.key.new replaces card.key. The
/// previous private key is not kept: no card needs it to verify. settle_card_key finishes an
/// interrupted run.
Result<card::CardKey> install_card_key(const fs::path& keys, core::Timestamp now) {
    auto list = read_card_key_list(keys);
    if (!list) {
        return fail(std::move(list).error());
    }
    const auto key = card::generate_card_key();
    std::error_code ec;
    fs::remove(keys / (std::string(kCardKeyFile) + ".new"), ec);
    KAPAL_TRY(write_secret(keys / (std::string(kCardKeyFile) + ".new"),
                           card::to_hex(card::card_key_seed(key)) + "\n"));
    for (auto& k : *list) {
        if (!k.retired) {
            k.retired = now;
        }
    }
    list->push_back({key.kid, key.public_key, now, std::nullopt});
    KAPAL_TRY(write_public(keys / kCardKeyList, card::format_card_key_list(*list)));
    fs::rename(keys / (std::string(kCardKeyFile) + ".new"), keys / kCardKeyFile, ec);
    if (ec) {
        return fail(ErrorCode::Io, "cannot install " + (keys / kCardKeyFile).string());
    }
    KAPAL_TRY(fsync_dir(keys));
    return key;
}

/// Finishes an interrupted install_card_key: card.key.new becomes card.key when the list
/// already has its public key, else it is removed (the list was not written: nothing was
/// signed with it).
Result<void> settle_card_key(const fs::path& keys) {
    const fs::path next = keys / (std::string(kCardKeyFile) + ".new");
    std::error_code ec;
    if (!fs::exists(next, ec)) {
        return {};
    }
    auto list = read_card_key_list(keys);
    if (!list) {
        return fail(std::move(list).error());
    }
    auto seed = read_key(next);
    bool listed = false;
    if (seed) {
        std::array<std::uint8_t, 32> s{};
        std::copy(seed->begin(), seed->end(), s.begin());
        const auto kid = card::card_key_from_seed(s).kid;
        listed =
            std::any_of(list->begin(), list->end(), [&kid](const auto& k) { return k.kid == kid; });
    }
    if (listed) {
        fs::rename(next, keys / kCardKeyFile, ec);
    } else {
        fs::remove(next, ec);
    }
    if (ec) {
        return fail(ErrorCode::Io, "cannot settle " + next.string());
    }
    return fsync_dir(keys);
}

struct LoadedCardKeys {
    card::CardKey current;
    std::vector<card::PublishedCardKey> published;
};

/// The current card key and the list; the key must be the list's current one.
Result<LoadedCardKeys> load_card_keys(const fs::path& keys) {
    KAPAL_TRY(check_private(keys / kCardKeyFile));
    auto seed = read_key(keys / kCardKeyFile);
    if (!seed) {
        return fail(std::move(seed).error());
    }
    std::array<std::uint8_t, 32> s{};
    std::copy(seed->begin(), seed->end(), s.begin());
    LoadedCardKeys out{card::card_key_from_seed(s), {}};
    sodium_memzero(s.data(), s.size());
    auto list = read_card_key_list(keys);
    if (!list) {
        return fail(std::move(list).error());
    }
    out.published = std::move(*list);
    const bool current =
        std::any_of(out.published.begin(), out.published.end(), [&](const auto& k) {
            return k.kid == out.current.kid && !k.retired;
        });
    if (!current) {
        return fail(ErrorCode::KeyMissing,
                    (keys / kCardKeyFile).string() + " (kid " + out.current.kid +
                        ") is not the current key of " + (keys / kCardKeyList).string() +
                        "; restore both files from the same backup");
    }
    return out;
}

} // namespace

Result<InitResult> init_data_dir(const fs::path& dir, const InitOptions& options) {
    std::error_code ec;
    if (fs::exists(dir / "config", ec)) {
        return fail(ErrorCode::AlreadyExists,
                    dir.string() + " is already initialised (config exists); nothing changed");
    }
    fs::create_directories(dir / "keys", ec);
    if (ec) {
        return fail(ErrorCode::Io,
                    "cannot create " + (dir / "keys").string() + ": " + ec.message());
    }
    fs::permissions(dir / "keys", fs::perms::owner_all, fs::perm_options::replace, ec);
    Config config;
    if (!options.store.empty()) {
        config.store = options.store;
    }
    KAPAL_TRY(store_location(dir, config.store));
    if (!fs::exists(dir / "keys" / "data.key", ec)) {
        const auto keys = store::generate_store_keys();
        KAPAL_TRY(write_secret(dir / "keys" / "data.key", to_hex(keys.data_key) + "\n"));
        KAPAL_TRY(write_secret(dir / "keys" / "index.key", to_hex(keys.index_key) + "\n"));
    }
    if (!fs::exists(dir / "keys" / kCardKeyFile, ec)) {
        auto card_key = install_card_key(dir / "keys", core::SystemClock().now());
        if (!card_key) {
            return fail(std::move(card_key).error());
        }
    }
    {
        std::ofstream out(dir / "config.tmp", std::ios::trunc);
        out << format_config(config);
        if (!out.flush()) {
            return fail(ErrorCode::Io, "cannot write " + (dir / "config").string());
        }
    }
    fs::rename(dir / "config.tmp", dir / "config", ec);
    if (ec) {
        return fail(ErrorCode::Io, "cannot write " + (dir / "config").string());
    }
    // Create the store now so that init reports a broken location at once, and the first
    // admin, whose password is printed once and never stored in clear.
    auto app = Application::open(dir);
    if (!app) {
        return fail(std::move(app).error());
    }
    KAPAL_TRY((*app)->sync_areas());
    KAPAL_TRY((*app)->service_desk().seed(Application::cli_actor()));
    auto admin = (*app)->users().add(
        {"admin", "Administrator", core::Role::Admin, {}, std::nullopt}, Application::cli_actor());
    if (!admin) {
        return fail(std::move(admin).error());
    }
    return InitResult{config, admin->user.username, admin->generated_password};
}

Result<std::unique_ptr<Application>> Application::open(const fs::path& dir,
                                                       std::shared_ptr<core::Clock> clock) {
    auto config = load_config(dir);
    if (!config) {
        return fail(std::move(config).error());
    }
    std::unique_ptr<Application> app(new Application());
    app->dir_ = dir;
    app->config_ = std::move(*config);
    app->clock_ = clock ? std::move(clock) : std::make_shared<core::SystemClock>();

    auto lock = lock_data_dir(dir, false);
    if (!lock) {
        return fail(std::move(lock).error());
    }
    app->lock_fd_ = *lock;
    auto where = store_location(dir, app->config_.store);
    if (!where) {
        return fail(std::move(where).error());
    }
    std::error_code ec;
    if (fs::exists(dir / "keys" / "data.key.new", ec) ||
        fs::exists(dir / "keys" / "index.key.new", ec)) {
        KAPAL_TRY(lock_data_dir(dir, true, app->lock_fd_));
        KAPAL_TRY(recover_rotation(dir, *where, app->clock_->now()));
        KAPAL_TRY(lock_data_dir(dir, false, app->lock_fd_));
    }

    auto keys = load_keys(dir);
    if (!keys) {
        return fail(std::move(keys).error());
    }
    // The card signing key: settle an interrupted rotation; a data directory made before
    // cards existed gets its first key now. Both write files, so with the directory alone.
    if (fs::exists(dir / "keys" / (std::string(kCardKeyFile) + ".new"), ec) ||
        !fs::exists(dir / "keys" / kCardKeyFile, ec)) {
        KAPAL_TRY(lock_data_dir(dir, true, app->lock_fd_));
        KAPAL_TRY(settle_card_key(dir / "keys"));
        if (!fs::exists(dir / "keys" / kCardKeyFile, ec)) {
            auto created = install_card_key(dir / "keys", app->clock_->now());
            if (!created) {
                return fail(std::move(created).error());
            }
        }
        KAPAL_TRY(lock_data_dir(dir, false, app->lock_fd_));
    }
    auto card_keys = load_card_keys(dir / "keys");
    if (!card_keys) {
        return fail(std::move(card_keys).error());
    }
    app->card_key_ = std::move(card_keys->current);
    app->card_keys_ = std::move(card_keys->published);
    auto opened = open_store(*where, *keys, app->config_.reader_connections, app->clock_.get());
    if (!opened) {
        return fail(std::move(opened).error());
    }
    app->store_ = std::move(*opened);

    const auto ref_dir = locate_shipped_dir(app->config_.reference_dir, "data");
    auto ref = service::load_reference_data(ref_dir);
    if (!ref) {
        return fail(std::move(ref).error());
    }
    app->ref_ = std::move(*ref);
    app->persons_ =
        std::make_unique<service::PersonService>(*app->store_, app->ref_, *app->clock_, app->ids_);
    app->person_index_ = std::make_unique<service::PersonIndex>(*app->store_);
    app->persons_->set_index(app->person_index_.get());
    app->features_.add(service::persons_collection(*app->persons_, *app->person_index_, app->ref_));
    app->features_.add(service::areas_collection(app->ref_));
    app->hazards_ = std::make_unique<service::HazardService>(
        *app->store_, *app->persons_, *app->clock_, app->ids_);
    app->features_.add(service::hazards_collection(*app->store_, app->ref_->kelurahan->bounds()));
    app->facilities_ = std::make_unique<service::FacilityService>(
        *app->store_, *app->persons_, *app->clock_, app->ids_);
    app->features_.add(
        service::facilities_collection(*app->store_, app->ref_->kelurahan->bounds()));
    app->maps_ = std::make_unique<service::MapService>(*app->person_index_, app->ref_);
    app->users_ =
        std::make_unique<service::UserService>(*app->store_, app->ref_, *app->clock_, app->ids_);
    const auto& c = app->config_;
    service::AuthSettings auth;
    auth.idle_timeout = std::chrono::minutes(c.session_idle_minutes);
    auth.absolute_timeout = std::chrono::hours(c.session_absolute_hours);
    auth.free_failures_per_account = c.login_free_failures_per_account;
    auth.free_failures_per_address = c.login_free_failures_per_address;
    app->auth_ = std::make_unique<service::AuthService>(
        *app->store_, *app->users_, *app->clock_, app->ids_, auth);
    app->cards_ = std::make_unique<service::CardService>(
        *app->store_,
        *app->persons_,
        *app->clock_,
        app->card_key_,
        app->card_keys_,
        service::CardSettings{c.card_issuer, c.card_validity_years, c.card_hotline, c.public_url});
    app->service_desk_ = std::make_unique<service::ServiceDesk>(
        *app->store_, *app->persons_, *app->cards_, *app->clock_, app->ids_);
    app->aid_ = std::make_unique<service::AidService>(
        *app->store_, *app->cards_, *app->clock_, app->ids_, &app->ref_->regions);
    app->vouchers_ = std::make_unique<service::VoucherService>(
        *app->store_, *app->aid_, *app->clock_, app->ids_);
    app->aid_transfer_ =
        std::make_unique<service::AidTransferService>(*app->store_, *app->clock_, app->ids_);
    app->duplicates_ =
        std::make_unique<service::DuplicateReview>(*app->store_, *app->clock_, app->ids_);
    app->duplicates_->set_index(app->person_index_.get());
    app->sync_ = std::make_unique<http::SyncEngine>(
        *app->persons_, *app->aid_, *app->service_desk_, *app->store_, *app->clock_, app->ids_);
    return app;
}

Result<int> Application::sync_areas() {
    const auto actor = cli_actor();
    return store_->sync_areas(service::area_records(*ref_),
                              {actor.id, actor.source, clock_->now(), "reference data"});
}

Application::~Application() {
    // Services and the store first (members are destroyed after this body), then the lock:
    // closing the descriptor releases it.
    aid_.reset();
    service_desk_.reset();
    cards_.reset();
    auth_.reset();
    users_.reset();
    facilities_.reset();
    hazards_.reset();
    persons_.reset();
    maps_.reset();
    person_index_.reset();
    store_.reset();
    if (lock_fd_ >= 0) {
        ::close(lock_fd_);
    }
}

Result<std::int64_t> Application::rotate_keys(const std::string& reason) {
    KAPAL_TRY(lock_data_dir(dir_, true, lock_fd_));
    const fs::path keys = dir_ / "keys";
    const auto next = store::generate_store_keys();
    KAPAL_TRY(write_secret(keys / "data.key.new", to_hex(next.data_key) + "\n"));
    KAPAL_TRY(write_secret(keys / "index.key.new", to_hex(next.index_key) + "\n"));
    KAPAL_TRY(fsync_dir(keys));
    const auto actor = cli_actor();
    auto values = store_->rotate_keys(next, {actor.id, actor.source, clock_->now(), reason});
    if (!values) {
        // Nothing was committed: the data is still under the current keys.
        std::error_code ec;
        fs::remove(keys / "data.key.new", ec);
        fs::remove(keys / "index.key.new", ec);
        return fail(std::move(values).error());
    }
    KAPAL_TRY(promote_new_keys(keys, clock_->now()));
    return *values;
}

Result<card::CardKey> Application::rotate_card_key(const std::string& reason) {
    KAPAL_TRY(lock_data_dir(dir_, true, lock_fd_));
    const auto previous = card_key_.kid;
    auto key = install_card_key(dir_ / "keys", clock_->now());
    if (!key) {
        return fail(std::move(key).error());
    }
    auto loaded = load_card_keys(dir_ / "keys");
    KAPAL_TRY(lock_data_dir(dir_, false, lock_fd_));
    if (!loaded) {
        return fail(std::move(loaded).error());
    }
    card_key_ = std::move(loaded->current);
    card_keys_ = std::move(loaded->published);
    const auto actor = cli_actor();
    KAPAL_TRY(
        store_->append_audit({0,
                              clock_->now(),
                              actor.id,
                              actor.source,
                              "card_key.rotate",
                              key->kid,
                              "previous kid " + previous + (reason.empty() ? "" : "; " + reason),
                              ""}));
    return *key;
}

service::Actor Application::cli_actor() {
    // The account the process runs as (not $USER, which the caller can set to anything).
    std::string name = "uid" + std::to_string(::geteuid());
    std::array<char, 1024> buffer{};
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 &&
        found != nullptr && found->pw_name != nullptr) {
        name = found->pw_name;
    }
    return {"cli:" + name, "cli", {}, std::nullopt};
}

// ---- kapal migrate-store --------------------------------------------------------------------

namespace {

bool same_store(const StoreLocation& a, const StoreLocation& b) {
    if (!a.postgresql.empty() || !b.postgresql.empty()) {
        return a.postgresql == b.postgresql;
    }
    std::error_code ec;
    const fs::path x = fs::weakly_canonical(a.sqlite_file, ec);
    const fs::path y = fs::weakly_canonical(b.sqlite_file, ec);
    return x == y;
}

/// The value of a postgresql:// URI's password, as [begin, end) offsets; nullopt when none.
std::optional<std::pair<std::size_t, std::size_t>> uri_password(std::string_view uri) {
    const auto scheme = uri.find("://");
    if (scheme == std::string_view::npos) {
        return std::nullopt;
    }
    const std::size_t start = scheme + 3;
    const std::size_t authority_end = std::min(uri.find('/', start), uri.find('?', start));
    const std::string_view authority = uri.substr(start, authority_end - start);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        if (const auto colon = authority.substr(0, at).find(':'); colon != std::string_view::npos) {
            return std::pair{start + colon + 1, start + at};
        }
    }
    for (std::size_t p = uri.find("password=", start); p != std::string_view::npos;
         p = uri.find("password=", p + 1)) {
        if (uri[p - 1] == '?' || uri[p - 1] == '&') {
            const std::size_t begin = p + 9;
            const std::size_t end = std::min(uri.find('&', begin), uri.size());
            return std::pair{begin, end};
        }
    }
    return std::nullopt;
}

/// Rewrites DIR/config with `store = <store>` in place of its store line (or added), every other
/// line as it was; through a temporary file and a rename, so that a crash leaves either.
Result<void> switch_config_store(const fs::path& dir, const std::string& store) {
    std::ifstream in(dir / "config");
    if (!in) {
        return fail(ErrorCode::Io, "cannot read " + (dir / "config").string());
    }
    std::string text;
    bool replaced = false;
    for (std::string line; std::getline(in, line);) {
        const auto t = core::trim(line);
        const auto eq = t.find('=');
        if (!replaced && !t.empty() && t.front() != '#' && eq != std::string_view::npos &&
            core::trim(t.substr(0, eq)) == "store") {
            line = "store = " + store;
            replaced = true;
        }
        text += line + "\n";
    }
    if (!replaced) {
        text += "store = " + store + "\n";
    }
    KAPAL_TRY(parse_config(text));
    {
        std::ofstream out(dir / "config.tmp", std::ios::trunc);
        out << text;
        if (!out.flush()) {
            return fail(ErrorCode::Io, "cannot write " + (dir / "config.tmp").string());
        }
    }
    std::error_code ec;
    fs::rename(dir / "config.tmp", dir / "config", ec);
    if (ec) {
        return fail(ErrorCode::Io, "cannot replace " + (dir / "config").string());
    }
    return fsync_dir(dir);
}

/// Closes a descriptor (the data directory's lock) at the end of a scope.
struct LockHolder {
    int fd = -1;
    LockHolder() = default;
    LockHolder(const LockHolder&) = delete;
    LockHolder& operator=(const LockHolder&) = delete;
    LockHolder(LockHolder&&) = delete;
    LockHolder& operator=(LockHolder&&) = delete;

    ~LockHolder() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

} // namespace

std::string redact_store_location(std::string_view store) {
    std::string out(store);
    if (const auto password = uri_password(store)) {
        out.replace(password->first, password->second - password->first, "***");
    }
    return out;
}

Result<MigrateStoreResult> migrate_store(const fs::path& dir,
                                         const MigrateStoreOptions& options,
                                         const store::TransferProgress& progress) {
    auto config = load_config(dir);
    if (!config) {
        return fail(std::move(config).error());
    }
    auto from = store_location(dir, options.from);
    if (!from) {
        return fail(std::move(from).error());
    }
    auto to = store_location(dir, options.to);
    if (!to) {
        return fail(std::move(to).error());
    }
    if (same_store(*from, *to)) {
        return fail(ErrorCode::InvalidArgument, "--from and --to name the same store");
    }
    if (options.switch_config && uri_password(options.to)) {
        return fail(ErrorCode::ConfigInvalid,
                    "--switch-config would write the password of --to into " +
                        (dir / "config").string() +
                        "; put it in ~/.pgpass (or PGPASSFILE) and give the URI without it");
    }
    // No server or other command may write meanwhile: the whole migration holds DIR alone.
    LockHolder lock;
    auto fd = lock_data_dir(dir, true);
    if (!fd) {
        return fail(std::move(fd).error());
    }
    lock.fd = *fd;
    std::error_code ec;
    if (fs::exists(dir / "keys" / "data.key.new", ec) ||
        fs::exists(dir / "keys" / "index.key.new", ec)) {
        return fail(ErrorCode::StoreUnavailable,
                    "a key rotation in " + dir.string() +
                        " was interrupted; run `kapal check --data " + dir.string() +
                        "` to settle it first");
    }
    auto keys = load_keys(dir);
    if (!keys) {
        return fail(std::move(keys).error());
    }
    auto source = open_store(*from, *keys, 2, nullptr);
    if (!source) {
        return fail(std::move(source).error());
    }
    auto target = open_store(*to, *keys, 2, nullptr);
    if (!target) {
        return fail(std::move(target).error());
    }
    const auto actor = Application::cli_actor();
    const store::WriteContext ctx{
        actor.id, actor.source, core::SystemClock().now(), options.reason};
    auto report = store::migrate_store(**source, **target, ctx, progress);
    if (!report) {
        return fail(std::move(report).error());
    }
    if (report->ok()) {
        // The boundaries are reference data, not part of the transfer: the target gets them
        // from the shipped files, as init and serve would.
        auto ref = service::load_reference_data(locate_shipped_dir(config->reference_dir, "data"));
        if (!ref) {
            return fail(std::move(ref).error());
        }
        KAPAL_TRY((*target)->sync_areas(service::area_records(**ref), ctx));
    }
    MigrateStoreResult out;
    out.report = std::move(*report);
    out.config_line = "store = " + options.to;
    out.previous_store = config->store;
    if (out.report.ok() && options.switch_config) {
        KAPAL_TRY(switch_config_store(dir, options.to));
        out.config_switched = true;
    }
    return out;
}

namespace {

http::GateOptions gate_options(const Config& c) {
    http::GateOptions out;
    out.always_secure_cookies = c.secure_cookies == "always";
    out.requests_per_second_per_user = c.requests_per_second_per_user;
    out.burst_per_user = c.burst_per_user;
    out.max_concurrent_per_user = c.max_concurrent_requests_per_user;
    return out;
}

/// Every route of the API, behind `gate`.
void add_routes(Application& app, http::AuthGate& gate, http::Router& router) {
    // The web app shows a province instance's own menu (docs/province.md).
    http::add_auth_routes(router,
                          app.auth(),
                          gate,
                          app.users(),
                          app.store(),
                          service::is_province(app.dir()) ? "province" : "city",
                          app.config().offline_wipe_days);
    http::add_audit_routes(router, app.store(), app.clock(), app.dir());
    http::add_person_routes(router, app.persons(), app.store());
    http::add_photo_routes(router, app.persons());
    http::add_ogc_routes(router, app.features(), app.clock());
    http::add_export_routes(router, app.store(), app.reference());
    http::add_hazard_routes(router, app.hazards());
    http::add_import_routes(
        router, {app.store(), app.reference(), app.clock(), app.ids(), &app.person_index()});
    http::add_stats_routes(router, app.persons(), app.store(), app.reference(), app.clock());
    http::add_user_routes(router, app.users());
    http::add_facility_routes(router, app.facilities());
    http::add_map_routes(router, app.maps());
    http::add_card_key_routes(router, app.card_keys());
    http::add_card_routes(router, app.cards(), app.clock());
    http::add_service_routes(router, app.service_desk());
    http::add_aid_routes(router, app.aid());
    http::add_voucher_routes(router, app.vouchers());
    http::add_duplicate_routes(router, app.duplicates());
    http::add_aid_transfer_routes(router, app.aid_transfer());
    http::add_province_routes(router, app.dir(), app.store(), app.reference(), app.clock());
    http::add_sync_routes(router, app.sync());
}

} // namespace

std::vector<RouteDescription> describe_routes(Application& app) {
    http::AuthGate gate(app.auth(), gate_options(app.config()));
    http::Router router;
    add_routes(app, gate, router);
    std::vector<RouteDescription> out;
    for (const auto& r : router.routes()) {
        std::string access;
        if (r.access.anyone) {
            access = "open";
        } else {
            for (const auto role : r.access.roles) {
                access += (access.empty() ? "" : ",") + std::string(core::to_string(role));
            }
        }
        out.push_back({r.method, r.pattern, access});
    }
    return out;
}

Result<void> serve(Application& app,
                   const std::function<void(const std::string&)>& ready,
                   std::function<void(std::string_view)> log) {
    const auto& c = app.config();
    auto listen = parse_listen(c.listen);
    if (!listen) {
        return fail(std::move(listen).error());
    }
    http::ServerOptions options;
    options.host = listen->first;
    options.port = listen->second;
    options.threads = c.threads;
    options.body_limit = c.body_limit_bytes;
    options.header_limit = c.header_limit_bytes;
    options.header_timeout = std::chrono::seconds(c.header_timeout_s);
    options.request_timeout = std::chrono::seconds(c.request_timeout_s);
    options.idle_timeout = std::chrono::seconds(c.idle_timeout_s);
    options.max_connections = c.max_connections;
    options.max_connections_per_address = c.max_connections_per_address;
    options.requests_per_second_per_address = c.requests_per_second_per_address;
    options.burst_per_address = c.burst_per_address;
    options.tls_cert_file = c.tls_cert;
    options.tls_key_file = c.tls_key;
    options.log = std::move(log);
    std::string_view proxies(c.trusted_proxy);
    while (!proxies.empty()) {
        const auto comma = proxies.find(',');
        const auto address = core::trim(proxies.substr(0, comma));
        if (!address.empty()) {
            options.trusted_proxies.emplace_back(address);
        }
        proxies = comma == std::string_view::npos ? std::string_view() : proxies.substr(comma + 1);
    }
    options.static_dir = locate_shipped_dir(c.static_dir, "web/dist").string();
    if (!std::filesystem::exists(options.static_dir)) {
        // Not built yet (scripts/build-web.sh): a page that says so.
        options.static_dir = locate_shipped_dir("", "web/fallback").string();
    }

    // Block the stop signals in every thread the server starts; this thread waits for them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto areas = app.sync_areas();
    if (!areas) {
        return fail(std::move(areas).error());
    }
    if (*areas > 0 && options.log) {
        options.log("areas: " + std::to_string(*areas) + " boundaries written to the store");
    }
    // A store from before the service catalogue (or moved from one) gets its first content.
    auto seeded = app.service_desk().seed(Application::cli_actor());
    if (!seeded) {
        return fail(std::move(seeded).error());
    }
    if (*seeded > 0 && options.log) {
        options.log("services: " + std::to_string(*seeded) +
                    " basic services added to the catalogue");
    }

    // The point index: the follower thread loads everything in the store (spatial queries
    // answer 503 index.loading until then), then follows what this or another process writes.
    // It stops before the store closes (destroyed first).
    service::ChangeFollower follower(
        app.store(), app.person_index(), c.change_poll_ms, options.log);

    // Signed checkpoints of the audit log: one now, then every hour (docs/SECURITY.md).
    integrity::AuditCheckpointer checkpointer(
        app.store(), app.dir(), app.clock(), std::chrono::minutes(60), options.log);

    http::AuthGate gate(app.auth(), gate_options(c));
    http::Router router;
    add_routes(app, gate, router);
    auto server = http::Server::start(options, router);
    if (!server) {
        return fail(std::move(server).error());
    }
    const bool tls = !c.tls_cert.empty() && !c.tls_key.empty();
    std::ostringstream url;
    url << (tls ? "https://" : "http://")
        << (options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host)
        << ':' << (*server)->port() << '/';
    if (ready) {
        ready(url.str());
    }
    int sig = 0;
    sigwait(&signals, &sig);
    (*server)->stop();
    (*server)->wait();
    return {};
}

} // namespace kapal::app
