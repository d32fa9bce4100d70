#pragma once
// The tamper-evident audit log, beyond the store: signed checkpoints and verification.
//
// The store chains every entry to the one before (core::audit_chain_hash). A chain alone proves
// little against someone who can write the database — they can recompute every hash — so the
// program signs checkpoints: "the log's entry N has hash H", signed with an Ed25519 key of this
// instance (keys/audit.key, created on first use), kept in audit-checkpoints.jsonl in the data
// directory and exportable, so that a third party (the province, an auditor) can hold them. A
// rewritten log no longer matches a held checkpoint; a truncated one ends before it.
// docs/SECURITY.md describes the formats for independent verifiers.

#include "kapal/core/clock.hpp"
#include "kapal/core/result.hpp"
#include "kapal/core/time.hpp"
#include "kapal/store/store.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace kapal::integrity {

/// A signed statement that the log's entry `seq` had `hash` at `at`.
struct AuditCheckpoint {
    std::int64_t seq = 0;
    std::string hash;
    core::Timestamp at{};
    std::string key_id;     ///< the first 16 hex digits of SHA-256(public key)
    std::string public_key; ///< Ed25519, 64 hex digits
    std::string signature;  ///< Ed25519 over checkpoint_message(), 128 hex digits
};

/// What is signed: "kapal-audit-checkpoint-v1\n<seq>\n<hash>\n<at, Unix ms>\n".
std::string checkpoint_message(const AuditCheckpoint& checkpoint);

/// One line of JSON: {"seq", "hash", "at" (ISO 8601 UTC), "at_ms", "key_id", "public_key",
/// "signature"}.
std::string checkpoint_json(const AuditCheckpoint& checkpoint);

/// Reads a checkpoint_json line. Errors: InvalidArgument naming the bad field.
Result<AuditCheckpoint> parse_checkpoint(std::string_view line);

/// True when the signature is valid for the checkpoint's own public key and the key id is that
/// key's.
bool checkpoint_signature_valid(const AuditCheckpoint& checkpoint);

/// The instance's checkpoint signing key.
class AuditSigner {
  public:
    /// Reads keys/audit.key in `data_dir`, or creates it (mode 0600) when absent. Errors: Io.
    static Result<AuditSigner> open(const std::filesystem::path& data_dir);

    /// A signed checkpoint of (seq, hash) at `at`.
    AuditCheckpoint sign(std::int64_t seq, const std::string& hash, core::Timestamp at) const;

    const std::string& public_key() const { return public_key_; }

  private:
    std::string secret_;     ///< crypto_sign_SECRETKEYBYTES raw bytes
    std::string public_key_; ///< hex
};

/// The checkpoints file of a data directory.
std::filesystem::path checkpoints_file(const std::filesystem::path& data_dir);

/// Reads a file of checkpoint lines (blank lines skipped). A missing file is no checkpoints.
/// Errors: InvalidArgument naming the line, Io.
Result<std::vector<AuditCheckpoint>> read_checkpoints(const std::filesystem::path& file);

/// Signs the log's newest entry and appends the checkpoint to the data directory's file, unless
/// the newest checkpoint there already covers it. Returns the checkpoint made, or nullopt (an
/// empty log, or nothing new). Errors: the store's, Io.
Result<std::optional<AuditCheckpoint>>
make_checkpoint(store::Store& store, const std::filesystem::path& data_dir, core::Timestamp now);

/// Signs a checkpoint when it is made (before the constructor returns) and then every
/// `interval` while it lives, on a thread of its own (kapal serve). Failures go to `log` and are
/// tried again at the next interval.
class AuditCheckpointer {
  public:
    AuditCheckpointer(store::Store& store,
                      std::filesystem::path data_dir,
                      const core::Clock& clock,
                      std::chrono::minutes interval,
                      std::function<void(std::string_view)> log);
    AuditCheckpointer(const AuditCheckpointer&) = delete;
    AuditCheckpointer& operator=(const AuditCheckpointer&) = delete;
    ~AuditCheckpointer(); ///< stops the thread (at once, not at the next interval)

  private:
    void checkpoint();
    void run();

    store::Store& store_;
    std::filesystem::path data_dir_;
    const core::Clock& clock_;
    std::chrono::minutes interval_;
    std::function<void(std::string_view)> log_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

/// One thing wrong with the log.
struct AuditFinding {
    std::int64_t seq = 0; ///< the first entry concerned (0: the log as a whole)
    std::string message;  ///< English, for the operator
};

struct AuditVerification {
    std::int64_t entries = 0;            ///< entries read before the first finding
    std::int64_t last_seq = 0;           ///< the newest entry's seq
    std::size_t checkpoints_checked = 0; ///< checkpoints compared with the log
    std::vector<AuditFinding> findings;  ///< empty: the log is intact
};

/// Walks the whole chain from the first entry and compares it with `checkpoints`: the first
/// entry whose seq is not the next one (deleted entries) or whose hash does not follow from its
/// content and the entry before (modified, inserted or reordered entries) is a finding, and the
/// walk stops there; every checkpoint with a bad signature, a key other than `trusted_key`
/// (when given), a seq past the end of the log (truncation) or a hash other than the log's at
/// its seq (a rewritten log) is a finding. Errors: the store's.
Result<AuditVerification> verify_audit_log(store::Store& store,
                                           const std::vector<AuditCheckpoint>& checkpoints,
                                           std::string_view trusted_key = {});

} // namespace kapal::integrity
