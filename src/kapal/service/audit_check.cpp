#include "kapal/service/audit_check.hpp"

namespace kapal::service {

Result<integrity::AuditVerification> verify_audit(store::Store& store,
                                                  const std::filesystem::path& data_dir) {
    auto held = integrity::read_checkpoints(integrity::checkpoints_file(data_dir));
    if (!held) {
        return fail(std::move(held).error());
    }
    return integrity::verify_audit_log(store, *held);
}

} // namespace kapal::service
