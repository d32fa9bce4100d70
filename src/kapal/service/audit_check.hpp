#pragma once
// The audit log's verification as a use case: what `kapal audit verify --data DIR` checks (the
// hash chain from the first entry, and the checkpoints kept in the data directory), for the
// audit log viewer.

#include "kapal/core/result.hpp"
#include "kapal/integrity/audit_log.hpp"
#include "kapal/store/store.hpp"

#include <filesystem>

namespace kapal::service {

/// Verifies the store's audit log against the checkpoints of `data_dir`
/// (integrity::verify_audit_log). Errors: the store's; InvalidArgument or Io for an unreadable
/// checkpoints file.
Result<integrity::AuditVerification> verify_audit(store::Store& store,
                                                  const std::filesystem::path& data_dir);

} // namespace kapal::service
