#include "kapal/service/province_service.hpp"

#include "kapal/card/card_key_list.hpp"
#include "kapal/core/text.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace kapal::service {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kProvinceCode =
    "64"; // Kalimantan Timur, data/kode_wilayah_kaltim_64.csv
constexpr std::string_view kKeyFileFormat = "kapal-province-key/1";
constexpr const char* kMatchKey = "province-match.key";
constexpr const char* kProvinceSignKey = "province-sign.key";
constexpr const char* kPackageSignKey = "package-sign.key";
constexpr const char* kPackageRefKey = "package-ref.key";

using Key32 = std::array<std::uint8_t, 32>;

fs::path province_dir(const fs::path& dir) {
    return dir / "province";
}

Result<std::string> read_text(const fs::path& file, std::size_t limit) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec) {
        return fail(ErrorCode::Io, "cannot read " + file.string() + ": " + ec.message());
    }
    if (size > limit) {
        return fail(ErrorCode::PayloadTooLarge,
                    file.string() + " is larger than " + std::to_string(limit) + " bytes");
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    if (!in && !in.eof()) {
        return fail(ErrorCode::Io, "cannot read " + file.string());
    }
    return s.str();
}

/// Writes `text` to a new file created with `mode` (never readable by others in between).
Result<void> write_new(const fs::path& file, const std::string& text, mode_t mode) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
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

/// Replaces `file` by `text` atomically (a new file renamed over it).
Result<void> replace_file(const fs::path& file, const std::string& text) {
    const auto tmp = fs::path(file.string() + ".new");
    std::error_code ec;
    fs::remove(tmp, ec);
    KAPAL_TRY(write_new(tmp, text, 0600));
    fs::rename(tmp, file, ec);
    if (ec) {
        return fail(ErrorCode::Io, "cannot replace " + file.string() + ": " + ec.message());
    }
    return {};
}

/// Appends one line and syncs it.
Result<void> append_line(const fs::path& file, const std::string& line) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        return fail(ErrorCode::Io, "cannot open " + file.string());
    }
    const auto text = line + "\n";
    const auto written = ::write(fd, text.data(), text.size());
    const bool ok = written == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
        return fail(ErrorCode::Io, "cannot write " + file.string());
    }
    return {};
}

/// DIR/province/.lock held exclusively while alive: one writer of the province files at a time.
class ProvinceLock {
  public:
    ProvinceLock(const ProvinceLock&) = delete;
    ProvinceLock& operator=(const ProvinceLock&) = delete;
    ProvinceLock(ProvinceLock&&) = delete;
    ProvinceLock& operator=(ProvinceLock&&) = delete;

    static Result<std::unique_ptr<ProvinceLock>> take(const fs::path& dir) {
        const auto file = province_dir(dir) / ".lock";
        const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) {
            return fail(ErrorCode::Io, "cannot open " + file.string());
        }
        if (::flock(fd, LOCK_EX) != 0) {
            ::close(fd);
            return fail(ErrorCode::Io, "cannot lock " + file.string());
        }
        return std::unique_ptr<ProvinceLock>(new ProvinceLock(fd));
    }

    ~ProvinceLock() { ::close(fd_); }

  private:
    explicit ProvinceLock(int fd)
        : fd_(fd) {}

    int fd_;
};

Result<void> make_private_dir(const fs::path& d) {
    std::error_code ec;
    fs::create_directories(d, ec);
    if (ec) {
        return fail(ErrorCode::Io, "cannot create " + d.string() + ": " + ec.message());
    }
    fs::permissions(d, fs::perms::owner_all, fs::perm_options::replace, ec);
    return {};
}

Result<Key32> read_key32(const fs::path& file) {
    std::error_code ec;
    const auto perms = fs::status(file, ec).permissions();
    if (ec) {
        return fail(ErrorCode::KeyMissing, "cannot read key file " + file.string());
    }
    if ((perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none) {
        return fail(ErrorCode::ConfigInvalid,
                    file.string() + " may be read by other users of this machine; run `chmod 600 " +
                        file.string() + "`");
    }
    auto text = read_text(file, 1024);
    if (!text) {
        return fail(ErrorCode::KeyMissing, "cannot read key file " + file.string());
    }
    const auto bytes = bytes_from_hex(core::trim(*text), 32);
    if (!bytes) {
        return fail(ErrorCode::KeyMissing, "key file " + file.string() + " is not 64 hex digits");
    }
    Key32 out{};
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return out;
}

Result<Key32> fresh_key_file(const fs::path& file) {
    Key32 key{};
    randombytes_buf(key.data(), key.size());
    KAPAL_TRY(write_new(file, card::to_hex(key) + "\n", 0600));
    return key;
}

Result<card::CardKey> read_signing_key(const fs::path& file) {
    auto seed = read_key32(file);
    if (!seed) {
        return fail(std::move(seed).error());
    }
    return card::card_key_from_seed(*seed);
}

/// "name value" lines (the key file and joined.tsv); '#' starts a comment.
std::map<std::string, std::string> read_fields(std::string_view text) {
    std::map<std::string, std::string> out;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        const auto t = std::string(core::trim(line));
        if (t.empty() || t[0] == '#') {
            continue;
        }
        const auto sp = t.find(' ');
        if (sp != std::string::npos) {
            out[t.substr(0, sp)] = std::string(core::trim(std::string_view(t).substr(sp + 1)));
        }
    }
    return out;
}

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto tab = line.find('\t', start);
        out.push_back(line.substr(start, tab - start));
        if (tab == std::string::npos) {
            return out;
        }
        start = tab + 1;
    }
}

Result<void> require_province(const fs::path& dir) {
    if (!is_province(dir)) {
        return fail(ErrorCode::NotFound,
                    dir.string() + " is not a province instance (kapal init --province)");
    }
    return {};
}

/// A kab/kota of the province in the reference data, or AreaInvalid.
Result<const core::Region*> province_kota(const ReferenceData& ref, const std::string& kota) {
    const auto* region = ref.regions.find(kota);
    if (region == nullptr ||
        (region->level != core::RegionLevel::Kabupaten &&
         region->level != core::RegionLevel::Kota) ||
        region->parent_code != kProvinceCode) {
        Error e{ErrorCode::AreaInvalid,
                "'" + kota + "' is not a kab/kota of province " + std::string(kProvinceCode) +
                    " (e.g. 64.74 for Kota Bontang)",
                {}};
        e.fields.push_back({"kota", ErrorCode::AreaInvalid, "a kab/kota code such as 64.74"});
        return fail(std::move(e));
    }
    return region;
}

std::string sha256_hex(std::string_view bytes) {
    std::array<std::uint8_t, crypto_hash_sha256_BYTES> d{};
    crypto_hash_sha256(
        d.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return card::to_hex(d);
}

Result<std::map<std::string, std::string>> joined_fields(const fs::path& dir) {
    const auto file = province_dir(dir) / "joined.tsv";
    if (!fs::exists(file)) {
        return fail(ErrorCode::NotFound,
                    "this instance has not joined a province (kapal province join --key FILE)");
    }
    auto text = read_text(file, 64 * 1024);
    if (!text) {
        return fail(std::move(text).error());
    }
    return read_fields(*text);
}

/// Every person, page by page (all statuses; the caller filters).
template <class Visit> Result<void> for_each_person(store::Store& store, Visit&& visit) {
    store::PersonQuery q;
    q.limit = 1000;
    for (;;) {
        auto page = store.list_persons(q);
        if (!page) {
            return fail(std::move(page).error());
        }
        for (const auto& r : page->items) {
            KAPAL_TRY(visit(r));
        }
        if (page->next_cursor.empty()) {
            return {};
        }
        q.cursor = page->next_cursor;
    }
}

std::string kota_name(const ReferenceData& ref, const std::string& code) {
    const auto* r = ref.regions.find(code);
    return r == nullptr ? std::string() : r->name;
}

} // namespace

// ---- the province instance ---------------------------------------------------------------------

bool is_province(const fs::path& dir) {
    std::error_code ec;
    return fs::exists(province_dir(dir) / "role", ec);
}

Result<void> init_province(const fs::path& dir, const ReferenceData& ref) {
    std::error_code ec;
    if (is_province(dir) || fs::exists(province_dir(dir) / "joined.tsv", ec)) {
        return fail(ErrorCode::AlreadyExists,
                    dir.string() + " is already a province instance or a city that joined one");
    }
    if (ref.regions.find(kProvinceCode) == nullptr) {
        return fail(ErrorCode::ConfigInvalid, "the reference data has no province 64");
    }
    KAPAL_TRY(make_private_dir(dir / "keys"));
    KAPAL_TRY(make_private_dir(province_dir(dir) / "packages"));
    KAPAL_TRY(fresh_key_file(dir / "keys" / kMatchKey));
    KAPAL_TRY(write_new(dir / "keys" / kProvinceSignKey,
                        card::to_hex(card::card_key_seed(card::generate_card_key())) + "\n",
                        0600));
    return write_new(
        province_dir(dir) / "role", "province " + std::string(kProvinceCode) + "\n", 0600);
}

Result<std::string>
issue_province_key(const fs::path& dir, const ReferenceData& ref, const std::string& kota) {
    KAPAL_TRY(require_province(dir));
    auto region = province_kota(ref, kota);
    if (!region) {
        return fail(std::move(region).error());
    }
    auto match = read_key32(dir / "keys" / kMatchKey);
    if (!match) {
        return fail(std::move(match).error());
    }
    auto sign = read_signing_key(dir / "keys" / kProvinceSignKey);
    if (!sign) {
        return fail(std::move(sign).error());
    }
    return "# Kapal Si Geo: the province key for " + kota + " " + (*region)->name +
           ".\n# SECRET: it holds the province matching key. Hand it over in person or "
           "encrypted;\n# delete it once `kapal province join` has read it.\n" +
           "format " + std::string(kKeyFileFormat) + "\nprovince " + std::string(kProvinceCode) +
           "\nkota " + kota + "\nprovince_public_key " + card::to_hex(sign->public_key) +
           "\nmatching_key " + card::to_hex(*match) + "\n";
}

Result<std::vector<EnrolledKota>> enrolled_kota(const fs::path& dir) {
    std::vector<EnrolledKota> out;
    const auto file = province_dir(dir) / "enrolled.tsv";
    if (!fs::exists(file)) {
        return out;
    }
    auto text = read_text(file, 1024 * 1024);
    if (!text) {
        return fail(std::move(text).error());
    }
    std::istringstream in(*text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        const auto f = split_tabs(line);
        const auto key = f.size() == 3 ? bytes_from_hex(f[1], 32) : std::nullopt;
        const auto at = f.size() == 3 ? core::parse_timestamp(f[2]) : std::nullopt;
        if (!key || !at) {
            return fail(ErrorCode::StoreCorrupt,
                        file.string() + " line " + std::to_string(n) + " is malformed");
        }
        EnrolledKota e{f[0], {}, *at};
        std::copy(key->begin(), key->end(), e.public_key.begin());
        out.push_back(std::move(e));
    }
    return out;
}

Result<void> enrol_kota(const fs::path& dir,
                        const ReferenceData& ref,
                        const std::string& kota,
                        const std::string& public_key_hex,
                        core::Timestamp now) {
    KAPAL_TRY(require_province(dir));
    auto region = province_kota(ref, kota);
    if (!region) {
        return fail(std::move(region).error());
    }
    const auto key = bytes_from_hex(core::trim(public_key_hex), 32);
    if (!key) {
        Error e{ErrorCode::ValidationFailed, "the public key is not 64 hex digits", {}};
        e.fields.push_back({"public_key",
                            ErrorCode::ValidationFailed,
                            "the 64 hex digits `province join` printed"});
        return fail(std::move(e));
    }
    auto lock = ProvinceLock::take(dir);
    if (!lock) {
        return fail(std::move(lock).error());
    }
    auto list = enrolled_kota(dir);
    if (!list) {
        return fail(std::move(list).error());
    }
    std::string text;
    for (const auto& e : *list) {
        if (e.code != kota) {
            text += e.code + "\t" + card::to_hex(e.public_key) + "\t" +
                    core::format_timestamp(e.enrolled_at) + "\n";
        }
    }
    text += kota + "\t" + card::to_hex(*key) + "\t" + core::format_timestamp(now) + "\n";
    return replace_file(province_dir(dir) / "enrolled.tsv", text);
}

Result<std::vector<AcceptedPackage>> accepted_packages(const fs::path& dir) {
    std::vector<AcceptedPackage> out;
    const auto file = province_dir(dir) / "ledger.tsv";
    if (!fs::exists(file)) {
        return out;
    }
    auto text = read_text(file, 64U * 1024U * 1024U);
    if (!text) {
        return fail(std::move(text).error());
    }
    std::istringstream in(*text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        const auto f = split_tabs(line);
        std::optional<core::Timestamp> created, imported;
        if (f.size() == 8) {
            created = core::parse_timestamp(f[4]);
            imported = core::parse_timestamp(f[5]);
        }
        char* end = nullptr;
        const auto seq = f.size() == 8 ? std::strtoll(f[1].c_str(), &end, 10) : 0;
        if (!created || !imported || end == nullptr || *end != '\0') {
            return fail(ErrorCode::StoreCorrupt,
                        file.string() + " line " + std::to_string(n) + " is malformed");
        }
        out.push_back({f[0], seq, f[2], f[3], *created, *imported, f[6], f[7]});
    }
    return out;
}

Result<AcceptedPackage>
import_package(const fs::path& dir, std::string_view text, core::Timestamp now) {
    KAPAL_TRY(require_province(dir));
    if (text.size() > kMaxProvinceFileBytes) {
        return fail(ErrorCode::PayloadTooLarge, "the package is larger than the limit");
    }
    auto envelope = parse_envelope(text, kPackageFormat);
    if (!envelope) {
        return fail(std::move(envelope).error());
    }
    auto enrolled = enrolled_kota(dir);
    if (!enrolled) {
        return fail(std::move(enrolled).error());
    }
    const auto it = std::find_if(enrolled->begin(), enrolled->end(), [&](const auto& e) {
        return e.code == envelope->signer;
    });
    if (it == enrolled->end()) {
        return fail(ErrorCode::ProvinceNotEnrolled,
                    "the package is signed as '" + envelope->signer.substr(0, 16) +
                        "', which is not enrolled (kapal province enrol)");
    }
    KAPAL_TRY(verify_envelope(*envelope, it->public_key));
    auto package = decode_package(envelope->payload);
    if (!package) {
        return fail(std::move(package).error());
    }
    if (package->kota != envelope->signer) {
        return fail(ErrorCode::ProvinceKeyMismatch,
                    "the package names " + package->kota + " but is signed by " + envelope->signer);
    }
    auto match = read_key32(dir / "keys" / kMatchKey);
    if (!match) {
        return fail(std::move(match).error());
    }
    if (package->matching_key_id != province_key_id(*match)) {
        return fail(ErrorCode::ProvinceKeyMismatch,
                    "the package's blind indexes were made with matching key " +
                        package->matching_key_id + ", not this province's " +
                        province_key_id(*match));
    }

    auto lock = ProvinceLock::take(dir);
    if (!lock) {
        return fail(std::move(lock).error());
    }
    auto ledger = accepted_packages(dir);
    if (!ledger) {
        return fail(std::move(ledger).error());
    }
    for (const auto& a : *ledger) {
        if (a.package_id == package->package_id) {
            return fail(ErrorCode::ProvincePackageReplayed,
                        "package " + a.package_id + " from " + a.kota +
                            " was already accepted at " + core::format_timestamp(a.imported_at));
        }
        if (a.kota == package->kota && a.sequence >= package->sequence) {
            return fail(ErrorCode::ProvincePackageReplayed,
                        "sequence " + std::to_string(package->sequence) + " from " + a.kota +
                            " is not greater than " + std::to_string(a.sequence) +
                            ", already accepted: an old package cannot replace a newer one");
        }
    }
    AcceptedPackage accepted{package->kota,
                             package->sequence,
                             package->package_id,
                             package->period,
                             package->created_at,
                             now,
                             sha256_hex(text),
                             package->kota + "-" + std::to_string(package->sequence) + "-" +
                                 package->package_id + ".json"};
    KAPAL_TRY(make_private_dir(province_dir(dir) / "packages"));
    KAPAL_TRY(write_new(province_dir(dir) / "packages" / accepted.file, std::string(text), 0600));
    // The ledger line last: a crash before it leaves a file the ledger does not name (ignored).
    KAPAL_TRY(append_line(province_dir(dir) / "ledger.tsv",
                          accepted.kota + "\t" + std::to_string(accepted.sequence) + "\t" +
                              accepted.package_id + "\t" + accepted.period + "\t" +
                              core::format_timestamp(accepted.created_at) + "\t" +
                              core::format_timestamp(accepted.imported_at) + "\t" +
                              accepted.digest + "\t" + accepted.file));
    return accepted;
}

Result<ProvincePackage> read_accepted(const fs::path& dir, const AcceptedPackage& accepted) {
    auto text = read_text(province_dir(dir) / "packages" / accepted.file, kMaxProvinceFileBytes);
    if (!text) {
        return fail(std::move(text).error());
    }
    // Verified at import; here the file must still be the bytes accepted then.
    if (sha256_hex(*text) != accepted.digest) {
        return fail(ErrorCode::StoreCorrupt,
                    "the stored package " + accepted.file + " differs from the one accepted");
    }
    auto envelope = parse_envelope(*text, kPackageFormat);
    if (!envelope) {
        return fail(std::move(envelope).error());
    }
    return decode_package(envelope->payload);
}

namespace {

/// The latest accepted package of each kab/kota (highest sequence), by kota.
Result<std::map<std::string, AcceptedPackage>> latest_packages(const fs::path& dir) {
    auto ledger = accepted_packages(dir);
    if (!ledger) {
        return fail(std::move(ledger).error());
    }
    std::map<std::string, AcceptedPackage> latest;
    for (auto& a : *ledger) {
        auto& slot = latest[a.kota];
        if (slot.sequence < a.sequence) {
            slot = std::move(a);
        }
    }
    return latest;
}

} // namespace

Result<std::vector<CrossRegistration>> cross_registered(const fs::path& dir) {
    KAPAL_TRY(require_province(dir));
    auto latest = latest_packages(dir);
    if (!latest) {
        return fail(std::move(latest).error());
    }
    std::map<std::string, CrossRegistration> by_index;
    for (const auto& [kota, accepted] : *latest) {
        auto package = read_accepted(dir, accepted);
        if (!package) {
            return fail(std::move(package).error());
        }
        for (const auto& m : package->matches) {
            by_index[m.index].kota_refs.emplace_back(kota, m.ref);
        }
    }
    std::vector<CrossRegistration> out;
    for (auto& [index, c] : by_index) {
        std::set<std::string> kota;
        for (const auto& kr : c.kota_refs) {
            kota.insert(kr.first);
        }
        if (kota.size() >= 2) {
            std::sort(c.kota_refs.begin(), c.kota_refs.end());
            out.push_back(std::move(c));
        }
    }
    // By the kab/kota involved, not by the blind index (which says nothing, but need not show).
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.kota_refs < b.kota_refs;
    });
    return out;
}

Result<std::string> make_return(const fs::path& dir, const std::string& kota, core::Timestamp now) {
    auto latest = latest_packages(dir);
    if (!latest) {
        return fail(std::move(latest).error());
    }
    const auto mine = latest->find(kota);
    if (mine == latest->end()) {
        return fail(ErrorCode::NotFound, "no package from " + kota + " has been imported");
    }
    auto cross = cross_registered(dir);
    if (!cross) {
        return fail(std::move(cross).error());
    }
    auto sign = read_signing_key(dir / "keys" / kProvinceSignKey);
    if (!sign) {
        return fail(std::move(sign).error());
    }
    ProvinceReturn r;
    r.return_id = random_hex_id();
    r.province = std::string(kProvinceCode);
    r.kota = kota;
    r.package_id = mine->second.package_id;
    r.created_at = now;
    for (const auto& c : *cross) {
        std::set<std::string> others;
        std::vector<std::string> refs;
        for (const auto& [k, ref] : c.kota_refs) {
            if (k == kota) {
                refs.push_back(ref);
            } else {
                others.insert(k);
            }
        }
        for (const auto& ref : refs) {
            r.entries.push_back({ref, {others.begin(), others.end()}});
        }
    }
    return sign_envelope(kReturnFormat, kProvinceCode, encode_return(r), *sign);
}

// ---- the city ----------------------------------------------------------------------------------

Result<JoinOutcome> join_province(const fs::path& dir, std::string_view key_file) {
    std::error_code ec;
    if (is_province(dir)) {
        return fail(ErrorCode::ConfigInvalid, dir.string() + " is a province instance");
    }
    if (fs::exists(province_dir(dir) / "joined.tsv", ec) ||
        fs::exists(dir / "keys" / kMatchKey, ec)) {
        return fail(ErrorCode::AlreadyExists,
                    dir.string() + " has already joined a province (" +
                        (province_dir(dir) / "joined.tsv").string() + ")");
    }
    auto f = read_fields(key_file);
    const auto match = bytes_from_hex(f["matching_key"], 32);
    const auto pub = bytes_from_hex(f["province_public_key"], 32);
    if (f["format"] != kKeyFileFormat || !match || !pub || f["province"].empty() ||
        f["kota"].size() != 5) {
        return fail(ErrorCode::ProvincePackageInvalid,
                    "this is not a province key file (kapal province issue-key)");
    }
    KAPAL_TRY(make_private_dir(dir / "keys"));
    KAPAL_TRY(make_private_dir(province_dir(dir)));
    Key32 m{};
    std::copy(match->begin(), match->end(), m.begin());
    KAPAL_TRY(write_new(dir / "keys" / kMatchKey, card::to_hex(m) + "\n", 0600));
    const auto sign = card::generate_card_key();
    if (!fs::exists(dir / "keys" / kPackageSignKey, ec)) {
        KAPAL_TRY(write_new(
            dir / "keys" / kPackageSignKey, card::to_hex(card::card_key_seed(sign)) + "\n", 0600));
    }
    if (!fs::exists(dir / "keys" / kPackageRefKey, ec)) {
        KAPAL_TRY(fresh_key_file(dir / "keys" / kPackageRefKey));
    }
    KAPAL_TRY(write_new(province_dir(dir) / "joined.tsv",
                        "province " + f["province"] + "\nkota " + f["kota"] +
                            "\nprovince_public_key " + f["province_public_key"] +
                            "\nmatching_key_id " + province_key_id(m) + "\n",
                        0600));
    return joined_province(dir);
}

Result<JoinOutcome> joined_province(const fs::path& dir) {
    auto f = joined_fields(dir);
    if (!f) {
        return fail(std::move(f).error());
    }
    auto sign = read_signing_key(dir / "keys" / kPackageSignKey);
    if (!sign) {
        return fail(std::move(sign).error());
    }
    return JoinOutcome{(*f)["province"], (*f)["kota"], card::to_hex(sign->public_key)};
}

Result<std::string> make_package(const fs::path& dir,
                                 store::Store& store,
                                 const ReferenceData& ref,
                                 const Actor& actor,
                                 const Period& period,
                                 core::Timestamp now) {
    auto joined = joined_fields(dir);
    if (!joined) {
        return fail(std::move(joined).error());
    }
    auto match = read_key32(dir / "keys" / kMatchKey);
    if (!match) {
        return fail(std::move(match).error());
    }
    auto ref_key = read_key32(dir / "keys" / kPackageRefKey);
    if (!ref_key) {
        return fail(std::move(ref_key).error());
    }
    auto sign = read_signing_key(dir / "keys" / kPackageSignKey);
    if (!sign) {
        return fail(std::move(sign).error());
    }
    auto flows = compute_flows(store, ref, actor, AreaLevel::Kelurahan, {period}, true);
    if (!flows) {
        return fail(std::move(flows).error());
    }

    ProvincePackage p;
    p.package_id = random_hex_id();
    p.kota = (*joined)["kota"];
    p.kota_name = kota_name(ref, p.kota);
    p.period = period.label;
    p.period_from = period.from;
    p.period_to = period.to;
    p.created_at = now;
    p.threshold = kSuppressionThreshold;
    p.flows = publish_flows(flows->front(), p.threshold);
    p.flows.total.name = p.kota_name;
    p.matching_key_id = province_key_id(*match);

    // The persons registered (aktif, in a kelurahan) at the period's end, or now.
    const auto end = period.to_instant();
    std::set<std::string> seen;
    KAPAL_TRY(for_each_person(store, [&](const core::PersonRecord& current) -> Result<void> {
        std::optional<core::PersonRecord> then;
        if (current.updated_at < end) {
            then = current;
        } else {
            auto past = store.person_as_of(current.id, end - std::chrono::milliseconds(1));
            if (!past) {
                if (past.error().code == ErrorCode::NotFound) {
                    return {}; // not yet registered at the period's end
                }
                return fail(std::move(past).error());
            }
            then = std::move(*past);
        }
        const auto& person = then->person;
        if (person.status != core::Status::Aktif || person.address.kelurahan_code.empty() ||
            person.nik.empty()) {
            return {};
        }
        auto index = nik_blind_index(*match, person.nik);
        if (!seen.insert(index).second) {
            return {}; // the same NIK twice in this city: the duplicate queue's business
        }
        p.matches.push_back(
            {std::move(index), person_reference(*ref_key, p.package_id, current.id.str())});
        return {};
    }));
    // In index order: the order of the store says nothing to the province.
    std::sort(p.matches.begin(), p.matches.end(), [](const auto& a, const auto& b) {
        return a.index < b.index;
    });

    {
        auto lock = ProvinceLock::take(dir);
        if (!lock) {
            return fail(std::move(lock).error());
        }
        const auto seq_file = province_dir(dir) / "sequence";
        std::int64_t last = 0;
        if (fs::exists(seq_file)) {
            auto text = read_text(seq_file, 64);
            if (!text) {
                return fail(std::move(text).error());
            }
            last = std::strtoll(text->c_str(), nullptr, 10);
        }
        p.sequence = std::max(last + 1, core::to_unix_ms(p.created_at));
        KAPAL_TRY(replace_file(seq_file, std::to_string(p.sequence) + "\n"));
    }

    store::AuditEntry entry;
    entry.actor = actor.id;
    entry.source = actor.source;
    entry.action = "province.package";
    entry.subject = p.package_id;
    entry.detail = "period=" + p.period + " sequence=" + std::to_string(p.sequence) +
                   " persons=" + std::to_string(p.matches.size());
    KAPAL_TRY(store.append_audit(entry));
    return sign_envelope(kPackageFormat, p.kota, encode_package(p), *sign);
}

Result<std::vector<ReviewItem>>
review_return(const fs::path& dir, store::Store& store, const Actor& actor, std::string_view text) {
    auto joined = joined_fields(dir);
    if (!joined) {
        return fail(std::move(joined).error());
    }
    auto ref_key = read_key32(dir / "keys" / kPackageRefKey);
    if (!ref_key) {
        return fail(std::move(ref_key).error());
    }
    const auto pub = bytes_from_hex((*joined)["province_public_key"], 32);
    if (!pub) {
        return fail(ErrorCode::KeyMissing, "joined.tsv holds no province public key");
    }
    if (text.size() > kMaxProvinceFileBytes) {
        return fail(ErrorCode::PayloadTooLarge, "the return is larger than the limit");
    }
    auto envelope = parse_envelope(text, kReturnFormat);
    if (!envelope) {
        return fail(std::move(envelope).error());
    }
    if (envelope->signer != (*joined)["province"]) {
        return fail(ErrorCode::ProvinceKeyMismatch,
                    "the return is signed as '" + envelope->signer.substr(0, 16) +
                        "', not by province " + (*joined)["province"]);
    }
    Key32 key{};
    std::copy(pub->begin(), pub->end(), key.begin());
    KAPAL_TRY(verify_envelope(*envelope, key));
    auto r = decode_return(envelope->payload);
    if (!r) {
        return fail(std::move(r).error());
    }
    if (r->kota != (*joined)["kota"] || r->province != (*joined)["province"]) {
        return fail(ErrorCode::ProvinceKeyMismatch,
                    "the return is for " + r->kota + ", this instance is " + (*joined)["kota"]);
    }
    std::map<std::string, const ReturnEntry*> wanted;
    for (const auto& e : r->entries) {
        wanted[e.ref] = &e;
    }
    std::vector<ReviewItem> out;
    KAPAL_TRY(for_each_person(store, [&](const core::PersonRecord& rec) -> Result<void> {
        const auto ref = person_reference(*ref_key, r->package_id, rec.id.str());
        if (const auto it = wanted.find(ref); it != wanted.end()) {
            out.push_back({rec, it->second->other_kota});
        }
        return {};
    }));
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.record.person.full_name < b.record.person.full_name;
    });
    store::AuditEntry entry;
    entry.actor = actor.id;
    entry.source = actor.source;
    entry.action = "province.review";
    entry.subject = r->return_id;
    entry.detail = "package=" + r->package_id + " listed=" + std::to_string(r->entries.size()) +
                   " found=" + std::to_string(out.size());
    KAPAL_TRY(store.append_audit(entry));
    return out;
}

} // namespace kapal::service
