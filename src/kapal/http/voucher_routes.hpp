#pragma once
// The voucher channel over HTTP (docs/api.md, "Voucher"): merchants (e-warong), the merchant's
// scan and redemption (Idempotency-Key), balances, the ledger and what is owed to each merchant.

#include "kapal/http/router.hpp"
#include "kapal/service/voucher_service.hpp"

namespace kapal::http {

/// Registers the voucher routes. `vouchers` must outlive the router.
void add_voucher_routes(Router& router, service::VoucherService& vouchers);

} // namespace kapal::http
