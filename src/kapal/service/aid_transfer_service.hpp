#pragma once
// The transfer channel of social assistance (issue 8, "Transfer"; docs/aid-transfer.md): from a
// cycle's approved list, disbursement batches of everyone not yet served, the batch file for the
// bank (CSV with a totals line and a SHA-256 checksum line), and the bank's result file
// reconciled line by line. The store keeps a person in at most one live batch and never hands
// the aid over twice; this service decides who may do what and reads the files.

#include "kapal/core/clock.hpp"
#include "kapal/core/ids.hpp"
#include "kapal/core/result.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/store/store.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::service {

/// A beneficiary that a new batch leaves out, and why.
struct AidBatchLeftOut {
    std::string person_id;
    std::string kelurahan_code;
    /// "no_account" (no bank or e-wallet account recorded), "delivered" (already received this
    /// cycle's aid) or "pending" (in a batch the bank has not answered yet).
    std::string reason;
    std::string delivery_id; ///< the delivery that serves them (delivered, pending)
};

/// What making a batch did.
struct AidBatchMade {
    store::AidBatchRecord batch;
    std::vector<AidBatchLeftOut> left_out;          ///< by person id
    std::map<std::string, std::size_t> flag_counts; ///< per anomaly flag id: lines flagged
};

/// The batch file for the bank.
struct AidBatchFile {
    std::string filename; ///< e.g. "transfer-tunai_2026-tahap-1-batch-1.csv"
    std::string bytes;    ///< UTF-8 CSV, CRLF lines, ending with the checksum line
    std::string sha256;   ///< hex; what the checksum line says
};

/// One row of a bank result file that did not settle a line: refused (a bad cell), or unmatched
/// (an unknown reference, a line of another batch, another amount, a contradiction).
struct AidResultProblem {
    std::size_t row = 0;     ///< physical line in the file (the header is line 1)
    std::string column;      ///< the column at fault ("" when the row as a whole)
    std::string delivery_id; ///< as the row gives it
    std::string kind;        ///< "invalid" or "unmatched"
    std::string message;
};

/// What importing a bank result file did.
struct AidReconciliation {
    store::AidBatchRecord batch; ///< after the import
    std::size_t rows = 0;        ///< data rows read
    std::size_t paid = 0;        ///< lines settled as paid by this import
    std::size_t failed = 0;      ///< lines settled as failed by this import
    std::size_t unchanged = 0;   ///< rows that repeat what is already recorded
    std::size_t unmatched = 0;
    std::size_t invalid = 0;
    std::vector<AidResultProblem> problems; ///< by row
    /// True when the file settled nothing new although its rows matched: it was imported before.
    bool already_imported = false;
};

class AidTransferService {
  public:
    AidTransferService(store::Store& store, const core::Clock& clock, core::IdGenerator& ids);

    /// Makes a batch of every beneficiary of a transfer programme's approved cycle who has no
    /// delivery that is not failed and has an account; the others are reported. Admins and
    /// operators. Every call also needs a user limited to areas to cover the whole cycle
    /// (every entry of its list in their areas; Forbidden otherwise). Flags each line as its list
    /// entry, plus aid.shared_account (an account of several lines) and aid.person_inactive.
    /// Errors: Forbidden, NotFound, AidChannelMismatch (not a transfer programme), AidListState,
    /// AidCycleClosed (today is outside the cycle), AidAlreadyDelivered (nobody to pay).
    Result<AidBatchMade> make_batch(const std::string& cycle_id, const Actor& actor);

    /// A cycle's batches. Admins, operators, auditors and viewers.
    /// Errors: Forbidden, NotFound.
    Result<std::vector<store::AidBatchRecord>> batches(const std::string& cycle_id,
                                                       const Actor& actor);

    /// One batch with its counts. Errors: Forbidden, NotFound.
    Result<store::AidBatchRecord> batch(const std::string& id, const Actor& actor);

    /// The lines of a batch (deliveries), by id. Errors: Forbidden, NotFound.
    Result<std::vector<store::AidDeliveryRecord>> lines(const std::string& batch_id,
                                                        const Actor& actor);

    /// The batch file (docs/aid-transfer.md): account numbers in clear, so only roles that may
    /// unmask (core::may_unmask) get it, and each export is audited
    /// ("aid.batch.export", a reveal). Errors: Forbidden, NotFound.
    Result<AidBatchFile> batch_file(const std::string& id, const Actor& actor);

    /// Reconciles the bank's result file (CSV: delivery_id, status paid|failed, amount, reason,
    /// bank_reference, paid_at) with a batch: paid lines become delivered at paid_at, failed ones
    /// failed with the reason; every other row is reported with its row and column and changes
    /// nothing. Importing the same file again changes nothing. Admins and operators. Errors:
    /// Forbidden, NotFound, AidBatchFileInvalid (not CSV, no header, a required column missing;
    /// nothing applied).
    Result<AidReconciliation>
    import_result(const std::string& batch_id, std::string_view csv, const Actor& actor);

  private:
    store::WriteContext context(const Actor& actor) const;
    Result<store::AidCycleRecord> transfer_cycle(const std::string& cycle_id);
    Result<store::AidBatchRecord> found_batch(const std::string& id);
    /// Forbidden unless the actor has no area limit or every entry of the cycle's list (removed
    /// ones too) lies in the actor's areas: a batch covers the whole cycle.
    Result<void> covers_cycle(const std::string& cycle_id, const Actor& actor);

    store::Store& store_;
    const core::Clock& clock_;
    core::IdGenerator& ids_;
};

} // namespace kapal::service
