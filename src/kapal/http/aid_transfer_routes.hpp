#pragma once
// Social assistance by bank transfer over HTTP (docs/api.md, "Transfer"; docs/aid-transfer.md):
// disbursement batches of a cycle, the batch file for the bank, the bank's result file.

#include "kapal/http/router.hpp"
#include "kapal/service/aid_transfer_service.hpp"

namespace kapal::http {

/// Registers the transfer routes. `transfer` must outlive the router.
void add_aid_transfer_routes(Router& router, service::AidTransferService& transfer);

} // namespace kapal::http
