#include "kapal/integrity/audit_log.hpp"

#include "kapal/core/audit_chain.hpp"

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sodium.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

namespace kapal::integrity {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string to_hex(const unsigned char* data, std::size_t size) {
    std::string out(size * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), data, size);
    out.pop_back();
    return out;
}

/// Hex to bytes of exactly `size`; nullopt for anything else.
std::optional<std::string> from_hex(std::string_view hex, std::size_t size) {
    std::string out(size, '\0');
    std::size_t got = 0;
    if (hex.size() != size * 2 ||
        sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()),
                       size,
                       hex.data(),
                       hex.size(),
                       nullptr,
                       &got,
                       nullptr) != 0 ||
        got != size) {
        return std::nullopt;
    }
    return out;
}

std::string key_id_of(const std::string& public_key_raw) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest,
                       reinterpret_cast<const unsigned char*>(public_key_raw.data()),
                       public_key_raw.size());
    return to_hex(digest, 8);
}

Error io_error(const fs::path& file, const std::string& what) {
    return Error{ErrorCode::Io, what + " " + file.string(), {}};
}

} // namespace

std::string checkpoint_message(const AuditCheckpoint& c) {
    return "kapal-audit-checkpoint-v1\n" + std::to_string(c.seq) + "\n" + c.hash + "\n" +
           std::to_string(core::to_unix_ms(c.at)) + "\n";
}

std::string checkpoint_json(const AuditCheckpoint& c) {
    return json{{"seq", c.seq},
                {"hash", c.hash},
                {"at", core::format_timestamp(c.at)},
                {"at_ms", core::to_unix_ms(c.at)},
                {"key_id", c.key_id},
                {"public_key", c.public_key},
                {"signature", c.signature}}
        .dump();
}

Result<AuditCheckpoint> parse_checkpoint(std::string_view line) {
    const json j = json::parse(line, nullptr, false);
    if (!j.is_object()) {
        return fail(ErrorCode::InvalidArgument, "a checkpoint is one JSON object a line");
    }
    const auto bad = [](const char* field, const char* expected) {
        return Error{ErrorCode::InvalidArgument,
                     std::string("checkpoint field ") + field + ": " + expected,
                     {{field, ErrorCode::InvalidArgument, expected}}};
    };
    AuditCheckpoint c;
    if (!j.contains("seq") || !j["seq"].is_number_integer() || j["seq"].get<std::int64_t>() < 1) {
        return fail(bad("seq", "a positive integer"));
    }
    c.seq = j["seq"].get<std::int64_t>();
    if (!j.contains("at_ms") || !j["at_ms"].is_number_integer()) {
        return fail(bad("at_ms", "Unix milliseconds"));
    }
    c.at = core::from_unix_ms(j["at_ms"].get<std::int64_t>());
    for (const auto& [field, into, size] :
         {std::tuple<const char*, std::string*, std::size_t>{"hash", &c.hash, 32},
          {"public_key", &c.public_key, crypto_sign_PUBLICKEYBYTES},
          {"signature", &c.signature, crypto_sign_BYTES},
          {"key_id", &c.key_id, 8}}) {
        if (!j.contains(field) || !j[field].is_string() ||
            !from_hex(j[field].get<std::string>(), size)) {
            return fail(bad(field, "hex digits of the right length"));
        }
        *into = j[field].get<std::string>();
    }
    return c;
}

bool checkpoint_signature_valid(const AuditCheckpoint& c) {
    const auto key = from_hex(c.public_key, crypto_sign_PUBLICKEYBYTES);
    const auto sig = from_hex(c.signature, crypto_sign_BYTES);
    if (!key || !sig || key_id_of(*key) != c.key_id) {
        return false;
    }
    const std::string message = checkpoint_message(c);
    return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig->data()),
                                       reinterpret_cast<const unsigned char*>(message.data()),
                                       message.size(),
                                       reinterpret_cast<const unsigned char*>(key->data())) == 0;
}

Result<AuditSigner> AuditSigner::open(const fs::path& data_dir) {
    if (sodium_init() < 0) {
        return fail(ErrorCode::Internal, "libsodium could not start");
    }
    const fs::path file = data_dir / "keys" / "audit.key";
    AuditSigner signer;
    std::error_code ec;
    if (!fs::exists(file, ec)) {
        unsigned char pk[crypto_sign_PUBLICKEYBYTES];
        unsigned char sk[crypto_sign_SECRETKEYBYTES];
        crypto_sign_keypair(pk, sk);
        const std::string text = to_hex(sk, sizeof sk) + "\n";
        sodium_memzero(sk, sizeof sk);
        fs::create_directories(file.parent_path(), ec);
        const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0) {
            return fail(io_error(file, "cannot create"));
        }
        const bool written =
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
        ::close(fd);
        if (!written) {
            return fail(io_error(file, "cannot write"));
        }
    }
    if ((fs::status(file, ec).permissions() & (fs::perms::group_all | fs::perms::others_all)) !=
        fs::perms::none) {
        return fail(ErrorCode::Io,
                    file.string() + " is readable by others: chmod 600 it (it signs the audit "
                                    "checkpoints)");
    }
    std::ifstream in(file);
    std::string hex;
    in >> hex;
    auto secret = from_hex(hex, crypto_sign_SECRETKEYBYTES);
    if (!secret) {
        return fail(io_error(file, "not an Ed25519 secret key:"));
    }
    signer.secret_ = std::move(*secret);
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_ed25519_sk_to_pk(pk, reinterpret_cast<const unsigned char*>(signer.secret_.data()));
    signer.public_key_ = to_hex(pk, sizeof pk);
    return signer;
}

AuditCheckpoint
AuditSigner::sign(std::int64_t seq, const std::string& hash, core::Timestamp at) const {
    AuditCheckpoint c;
    c.seq = seq;
    c.hash = hash;
    c.at = at;
    c.public_key = public_key_;
    c.key_id = key_id_of(*from_hex(public_key_, crypto_sign_PUBLICKEYBYTES));
    const std::string message = checkpoint_message(c);
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig,
                         nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(),
                         reinterpret_cast<const unsigned char*>(secret_.data()));
    c.signature = to_hex(sig, sizeof sig);
    return c;
}

fs::path checkpoints_file(const fs::path& data_dir) {
    return data_dir / "audit-checkpoints.jsonl";
}

Result<std::vector<AuditCheckpoint>> read_checkpoints(const fs::path& file) {
    std::vector<AuditCheckpoint> out;
    std::error_code ec;
    if (!fs::exists(file, ec)) {
        return out;
    }
    std::ifstream in(file);
    if (!in) {
        return fail(io_error(file, "cannot read"));
    }
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) {
            continue;
        }
        auto c = parse_checkpoint(line);
        if (!c) {
            Error e = std::move(c).error();
            e.message = file.string() + " line " + std::to_string(n) + ": " + e.message;
            return fail(std::move(e));
        }
        out.push_back(std::move(*c));
    }
    return out;
}

Result<std::optional<AuditCheckpoint>>
make_checkpoint(store::Store& store, const fs::path& data_dir, core::Timestamp now) {
    store::AuditQuery newest;
    newest.limit = 1;
    auto last = store.list_audit(newest);
    if (!last) {
        return fail(std::move(last).error());
    }
    if (last->empty()) {
        return std::optional<AuditCheckpoint>();
    }
    const fs::path file = checkpoints_file(data_dir);
    auto held = read_checkpoints(file);
    if (!held) {
        return fail(std::move(held).error());
    }
    if (!held->empty() && held->back().seq >= last->front().seq) {
        return std::optional<AuditCheckpoint>();
    }
    auto signer = AuditSigner::open(data_dir);
    if (!signer) {
        return fail(std::move(signer).error());
    }
    AuditCheckpoint c = signer->sign(last->front().seq, last->front().hash, now);
    std::ofstream out(file, std::ios::app);
    out << checkpoint_json(c) << "\n";
    if (!out.flush()) {
        return fail(io_error(file, "cannot write"));
    }
    return std::optional<AuditCheckpoint>(std::move(c));
}

AuditCheckpointer::AuditCheckpointer(store::Store& store,
                                     fs::path data_dir,
                                     const core::Clock& clock,
                                     std::chrono::minutes interval,
                                     std::function<void(std::string_view)> log)
    : store_(store)
    , data_dir_(std::move(data_dir))
    , clock_(clock)
    , interval_(interval)
    , log_(std::move(log)) {
    checkpoint(); // before the server answers anyone: the start is always covered
    thread_ = std::thread([this] { run(); });
}

void AuditCheckpointer::checkpoint() {
    auto made = make_checkpoint(store_, data_dir_, clock_.now());
    if (!made && log_) {
        log_("audit checkpoint failed: " + made.error().message);
    } else if (made && *made && log_) {
        log_("audit checkpoint: entry " + std::to_string((*made)->seq) + " signed");
    }
}

AuditCheckpointer::~AuditCheckpointer() {
    {
        const std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void AuditCheckpointer::run() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stop_; })) {
        lock.unlock();
        checkpoint();
        lock.lock();
    }
}

Result<AuditVerification> verify_audit_log(store::Store& store,
                                           const std::vector<AuditCheckpoint>& checkpoints,
                                           std::string_view trusted_key) {
    AuditVerification v;
    std::map<std::int64_t, std::string> wanted; // seq -> the log's hash, for the checkpoints
    for (const auto& c : checkpoints) {
        wanted.emplace(c.seq, std::string());
    }
    std::string prev(core::kAuditGenesisHash);
    std::int64_t expected = 1;
    bool broken = false;
    store::AuditQuery q;
    q.oldest_first = true;
    q.limit = 1000;
    while (!broken) {
        auto page = store.list_audit(q);
        if (!page) {
            return fail(std::move(page).error());
        }
        for (const auto& e : *page) {
            if (e.seq != expected) {
                v.findings.push_back(
                    {expected,
                     "entries " + std::to_string(expected) +
                         (e.seq - 1 > expected ? " to " + std::to_string(e.seq - 1) : "") +
                         " are missing: the log goes on at " + std::to_string(e.seq) +
                         " (deleted entries)"});
                broken = true;
                break;
            }
            const std::string hash = core::audit_chain_hash(
                prev,
                {e.seq, core::to_unix_ms(e.at), e.actor, e.source, e.action, e.subject, e.detail});
            if (hash != e.hash) {
                v.findings.push_back(
                    {e.seq,
                     "entry " + std::to_string(e.seq) + " (" + e.action +
                         ") does not follow from its content and the entry before: it was "
                         "changed, inserted or moved"});
                broken = true;
                break;
            }
            if (auto it = wanted.find(e.seq); it != wanted.end()) {
                it->second = e.hash;
            }
            prev = e.hash;
            v.last_seq = e.seq;
            ++v.entries;
            ++expected;
        }
        if (page->size() < static_cast<std::size_t>(q.limit)) {
            break;
        }
        q.after_seq = page->back().seq;
    }
    for (const auto& c : checkpoints) {
        const std::string when = core::format_timestamp(c.at);
        if (!checkpoint_signature_valid(c)) {
            v.findings.push_back(
                {c.seq, "the checkpoint of " + when + " has a bad signature (it was altered)"});
            continue;
        }
        if (!trusted_key.empty() && c.public_key != trusted_key) {
            v.findings.push_back({c.seq,
                                  "the checkpoint of " + when + " is signed by key " + c.key_id +
                                      ", not by the trusted key"});
            continue;
        }
        if (broken && c.seq >= expected) {
            continue; // beyond the first break: already reported
        }
        ++v.checkpoints_checked;
        if (c.seq > v.last_seq) {
            v.findings.push_back({v.last_seq + 1,
                                  "the log ends at entry " + std::to_string(v.last_seq) +
                                      ", but the checkpoint of " + when + " covers entry " +
                                      std::to_string(c.seq) +
                                      ": entries were removed from the end (truncated)"});
        } else if (wanted[c.seq] != c.hash) {
            v.findings.push_back({c.seq,
                                  "entry " + std::to_string(c.seq) +
                                      " differs from the checkpoint of " + when +
                                      ": the log was rewritten since"});
        }
    }
    return v;
}

} // namespace kapal::integrity
