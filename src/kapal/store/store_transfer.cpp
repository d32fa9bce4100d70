#include "kapal/store/store_transfer.hpp"

#include "kapal/core/assert.hpp"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <utility>
#include <vector>

namespace kapal::store {

// ---- the page ---------------------------------------------------------------------------------

void TransferPage::reset(TransferTable table) {
    table_ = table;
    data_.clear();
    rows_ = 0;
}

void TransferPage::be(std::uint64_t v, int bytes) {
    for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
        data_ += static_cast<char>((v >> shift) & 0xffU);
    }
}

void TransferPage::null() {
    tag(TransferKind::Null);
}

void TransferPage::int64(std::int64_t v) {
    tag(TransferKind::Int);
    be(static_cast<std::uint64_t>(v), 8);
}

void TransferPage::real(double v) {
    tag(TransferKind::Real);
    be(std::bit_cast<std::uint64_t>(v), 8);
}

void TransferPage::text(std::string_view v) {
    KAPAL_ASSERT(v.size() <= std::numeric_limits<std::uint32_t>::max());
    tag(TransferKind::Text);
    be(v.size(), 4);
    data_.append(v);
}

void TransferPage::bytes(std::span<const std::uint8_t> v) {
    KAPAL_ASSERT(v.size() <= std::numeric_limits<std::uint32_t>::max());
    tag(TransferKind::Bytes);
    be(v.size(), 4);
    data_.append(reinterpret_cast<const char*>(v.data()), v.size());
}

// ---- the columns ------------------------------------------------------------------------------

namespace {

constexpr auto kInt = TransferKind::Int;
constexpr auto kReal = TransferKind::Real;
constexpr auto kText = TransferKind::Text;
constexpr auto kBytes = TransferKind::Bytes;

// The columns of each table as both schemas name them, in the order of their CREATE TABLE (v1 to
// v3). persons: lon and lat are SQLite's columns and PostgreSQL's home point.
constexpr std::array kPersonColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"id", kText, false},
    TransferColumn{"version", kInt, false},
    TransferColumn{"created_at", kInt, false},
    TransferColumn{"updated_at", kInt, false},
    TransferColumn{"created_by", kText, false},
    TransferColumn{"updated_by", kText, false},
    TransferColumn{"updated_source", kText, false},
    TransferColumn{"updated_reason", kText, false},
    TransferColumn{"nik_enc", kBytes, false},
    TransferColumn{"nik_bidx", kBytes, false},
    TransferColumn{"kk_enc", kBytes, true},
    TransferColumn{"kk_bidx", kBytes, true},
    TransferColumn{"full_name", kText, false},
    TransferColumn{"sex", kText, false},
    TransferColumn{"birth_date", kText, true},
    TransferColumn{"kelurahan_code", kText, false},
    TransferColumn{"kecamatan_code", kText, false},
    TransferColumn{"categories", kInt, false},
    TransferColumn{"severity", kText, true},
    TransferColumn{"status", kText, false},
    TransferColumn{"lon", kReal, true},
    TransferColumn{"lat", kReal, true},
    TransferColumn{"doc", kText, false},
    TransferColumn{"change_seq", kInt, false}, // schema v4: the change feed
    TransferColumn{"devices", kInt, false},    // schema v5: assistive devices, device_mask
};

// schema v6
constexpr std::array kHazardZoneColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"id", kText, false},
    TransferColumn{"name", kText, false},
    TransferColumn{"hazard", kText, false},
    TransferColumn{"level", kText, false},
    TransferColumn{"source", kText, false},
    TransferColumn{"geometry", kText, false},
    TransferColumn{"created_at", kInt, false},
    TransferColumn{"created_by", kText, false},
};

constexpr std::array kFacilityColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"id", kText, false},
    TransferColumn{"kind", kText, false},
    TransferColumn{"name", kText, false},
    TransferColumn{"lon", kReal, false},
    TransferColumn{"lat", kReal, false},
    TransferColumn{"kelurahan_code", kText, false},
    TransferColumn{"address", kText, false},
    TransferColumn{"phone", kText, false},
    TransferColumn{"source", kText, false},
    TransferColumn{"created_at", kInt, false},
    TransferColumn{"created_by", kText, false},
};

constexpr std::array kCardColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"number", kText, false},
    TransferColumn{"regency", kText, false},
    TransferColumn{"serial", kInt, false},
    TransferColumn{"person_id", kText, false},
    TransferColumn{"kelurahan_code", kText, false},
    TransferColumn{"kid", kText, false},
    TransferColumn{"credential", kText, false},
    TransferColumn{"issued_at", kInt, false},
    TransferColumn{"expires_at", kInt, false},
    TransferColumn{"issued_by", kText, false},
    TransferColumn{"status", kText, false},
    TransferColumn{"revoked_at", kInt, true},
    TransferColumn{"revoked_by", kText, false},
    TransferColumn{"revoke_reason", kText, false},
    TransferColumn{"revoke_note", kText, false},
    TransferColumn{"replaced_by", kText, false},
    TransferColumn{"printed_at", kInt, true},
    TransferColumn{"printed_by", kText, false},
    TransferColumn{"handed_over_at", kInt, true},
    TransferColumn{"handed_over_by", kText, false},
};

constexpr std::array kServiceColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"code", kText, false},
    TransferColumn{"name", kText, false},
    TransferColumn{"name_en", kText, false},
    TransferColumn{"description", kText, false},
    TransferColumn{"active", kInt, false},
    TransferColumn{"position", kInt, false},
    TransferColumn{"updated_at", kInt, false},
    TransferColumn{"updated_by", kText, false},
};

constexpr std::array kServiceRequestColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"id", kText, false},
    TransferColumn{"person_id", kText, false},
    TransferColumn{"service_code", kText, false},
    TransferColumn{"kelurahan_code", kText, false},
    TransferColumn{"card_number", kText, false},
    TransferColumn{"status", kText, false},
    TransferColumn{"note", kText, false},
    TransferColumn{"version", kInt, false},
    TransferColumn{"created_at", kInt, false},
    TransferColumn{"created_by", kText, false},
    TransferColumn{"updated_at", kInt, false},
    TransferColumn{"updated_by", kText, false},
    TransferColumn{"idempotency_key", kText, false},
};

constexpr std::array kServiceRequestEventColumns = {
    TransferColumn{"request_pk", kInt, false},
    TransferColumn{"version", kInt, false},
    TransferColumn{"at", kInt, false},
    TransferColumn{"actor", kText, false},
    TransferColumn{"status", kText, false},
    TransferColumn{"note", kText, false},
};

constexpr std::array kAidProgramColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"code", kText, false},
    TransferColumn{"name", kText, false},
    TransferColumn{"source", kText, false},
    TransferColumn{"kind", kText, false},
    TransferColumn{"channel", kText, false},
    TransferColumn{"unit_value", kInt, false},
    TransferColumn{"rule", kText, false},
    TransferColumn{"excludes", kText, false},
    TransferColumn{"assignees", kText, false},
    TransferColumn{"active", kInt, false},
    TransferColumn{"version", kInt, false},
    TransferColumn{"created_at", kInt, false},
    TransferColumn{"created_by", kText, false},
    TransferColumn{"updated_at", kInt, false},
    TransferColumn{"updated_by", kText, false},
};

constexpr std::array kAidCycleColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"id", kText, false},
    TransferColumn{"program_code", kText, false},
    TransferColumn{"number", kInt, false},
    TransferColumn{"name", kText, false},
    TransferColumn{"starts_on", kText, false},
    TransferColumn{"ends_on", kText, false},
    TransferColumn{"quotas", kText, false},
    TransferColumn{"site_lon", kReal, true},
    TransferColumn{"site_lat", kReal, true},
    TransferColumn{"list_state", kText, false},
    TransferColumn{"rule", kText, false},
    TransferColumn{"list_hash", kText, false},
    TransferColumn{"list_size", kInt, false},
    TransferColumn{"proposed_by", kText, false},
    TransferColumn{"proposed_at", kInt, true},
    TransferColumn{"approved_by", kText, false},
    TransferColumn{"approved_at", kInt, true},
    TransferColumn{"version", kInt, false},
    TransferColumn{"created_at", kInt, false},
    TransferColumn{"created_by", kText, false},
};

constexpr std::array kAidListEntryColumns = {
    TransferColumn{"cycle_id", kText, false},
    TransferColumn{"person_id", kText, false},
    TransferColumn{"kelurahan_code", kText, false},
    TransferColumn{"source", kText, false},
    TransferColumn{"removed", kInt, false},
    TransferColumn{"reason", kText, false},
    TransferColumn{"flags", kText, false},
    TransferColumn{"added_at", kInt, false},
    TransferColumn{"added_by", kText, false},
};

constexpr std::array kAidDeliveryColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"id", kText, false},
    TransferColumn{"cycle_id", kText, false},
    TransferColumn{"program_code", kText, false},
    TransferColumn{"person_id", kText, false},
    TransferColumn{"kelurahan_code", kText, false},
    TransferColumn{"channel", kText, false},
    TransferColumn{"state", kText, false},
    TransferColumn{"amount", kInt, false},
    TransferColumn{"recorded_at", kInt, false},
    TransferColumn{"officer", kText, false},
    TransferColumn{"lon", kReal, true},
    TransferColumn{"lat", kReal, true},
    TransferColumn{"accuracy_m", kReal, true},
    TransferColumn{"card_number", kText, false},
    TransferColumn{"search_reason", kText, false},
    TransferColumn{"evidence_type", kText, false},
    TransferColumn{"evidence", kBytes, true},
    TransferColumn{"note", kText, false},
    TransferColumn{"flags", kText, false},
    TransferColumn{"idempotency_key", kText, false},
    TransferColumn{"batch_id", kText, false}, // schema v11
    TransferColumn{"fail_reason", kText, false},
    TransferColumn{"bank_reference", kText, false},
};

constexpr std::array kAidBatchColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"id", kText, false},
    TransferColumn{"cycle_id", kText, false},
    TransferColumn{"program_code", kText, false},
    TransferColumn{"number", kInt, false},
    TransferColumn{"state", kText, false},
    TransferColumn{"line_count", kInt, false},
    TransferColumn{"total_amount", kInt, false},
    TransferColumn{"created_at", kInt, false},
    TransferColumn{"created_by", kText, false},
    TransferColumn{"reconciled_at", kInt, true},
};

constexpr std::array kDuplicatePairColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"id", kText, false},
    TransferColumn{"person_a", kText, false},
    TransferColumn{"person_b", kText, false},
    TransferColumn{"kelurahan_a", kText, false},
    TransferColumn{"kelurahan_b", kText, false},
    TransferColumn{"score", kReal, false},
    TransferColumn{"explanation", kText, false},
    TransferColumn{"source", kText, false},
    TransferColumn{"state", kText, false},
    TransferColumn{"found_at", kInt, false},
    TransferColumn{"found_by", kText, false},
    TransferColumn{"decided_at", kInt, true},
    TransferColumn{"decided_by", kText, false},
    TransferColumn{"decision_reason", kText, false},
    TransferColumn{"kept_id", kText, false},
    TransferColumn{"version", kInt, false},
};

constexpr std::array kMerchantColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"id", kText, false},
    TransferColumn{"name", kText, false},
    TransferColumn{"user_id", kText, false},
    TransferColumn{"kelurahan_code", kText, false},
    TransferColumn{"lon", kReal, false},
    TransferColumn{"lat", kReal, false},
    TransferColumn{"address", kText, false},
    TransferColumn{"active", kInt, false},
    TransferColumn{"version", kInt, false},
    TransferColumn{"created_at", kInt, false},
    TransferColumn{"created_by", kText, false},
    TransferColumn{"updated_at", kInt, false},
    TransferColumn{"updated_by", kText, false},
};

constexpr std::array kVoucherBalanceColumns = {
    TransferColumn{"cycle_id", kText, false},
    TransferColumn{"person_id", kText, false},
    TransferColumn{"kelurahan_code", kText, false},
    TransferColumn{"delivery_id", kText, false},
    TransferColumn{"entitled", kInt, false},
    TransferColumn{"balance", kInt, false},
    TransferColumn{"issued_at", kInt, false},
};

constexpr std::array kVoucherTransactionColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"id", kText, false},
    TransferColumn{"cycle_id", kText, false},
    TransferColumn{"kind", kText, false},
    TransferColumn{"person_id", kText, false},
    TransferColumn{"merchant_id", kText, false},
    TransferColumn{"amount", kInt, false},
    TransferColumn{"note", kText, false},
    TransferColumn{"at", kInt, false},
    TransferColumn{"actor", kText, false},
    TransferColumn{"card_number", kText, false},
    TransferColumn{"search_reason", kText, false},
    TransferColumn{"idempotency_key", kText, false},
};

constexpr std::array kVoucherPostingColumns = {
    TransferColumn{"transaction_pk", kInt, false},
    TransferColumn{"seq", kInt, false},
    TransferColumn{"account", kText, false},
    TransferColumn{"amount", kInt, false},
};

constexpr std::array kVersionColumns = {
    TransferColumn{"person_pk", kInt, false},
    TransferColumn{"version", kInt, false},
    TransferColumn{"recorded_at", kInt, false},
    TransferColumn{"actor", kText, false},
    TransferColumn{"source", kText, false},
    TransferColumn{"reason", kText, false},
    TransferColumn{"kecamatan_code", kText, false},
    TransferColumn{"nik_enc", kBytes, false},
    TransferColumn{"kk_enc", kBytes, true},
    TransferColumn{"doc", kText, false},
};

constexpr std::array kIdempotencyColumns = {
    TransferColumn{"key", kText, false},
    TransferColumn{"fingerprint", kText, false},
    TransferColumn{"person_id", kText, false},
    TransferColumn{"created_at", kInt, false},
};

constexpr std::array kUserColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"id", kText, false},
    TransferColumn{"username", kText, false},
    TransferColumn{"display_name", kText, false},
    TransferColumn{"role", kText, false},
    TransferColumn{"area_codes", kText, false},
    TransferColumn{"disabled", kInt, false},
    TransferColumn{"password_hash", kText, false},
    TransferColumn{"created_at", kInt, false},
    TransferColumn{"updated_at", kInt, false},
};

constexpr std::array kSessionColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"id", kText, false},
    TransferColumn{"token_hash", kText, false},
    TransferColumn{"user_id", kText, false},
    TransferColumn{"created_at", kInt, false},
    TransferColumn{"last_seen_at", kInt, false},
    TransferColumn{"expires_at", kInt, false},
    TransferColumn{"revoked_at", kInt, true},
    TransferColumn{"address", kText, false},
    TransferColumn{"user_agent", kText, false},
};

constexpr std::array kTokenColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"id", kText, false},
    TransferColumn{"name", kText, false},
    TransferColumn{"token_hash", kText, false},
    TransferColumn{"user_id", kText, false},
    TransferColumn{"role", kText, false},
    TransferColumn{"area_codes", kText, false},
    TransferColumn{"created_at", kInt, false},
    TransferColumn{"expires_at", kInt, false},
    TransferColumn{"revoked_at", kInt, true},
};

constexpr std::array kAuditColumns = {
    TransferColumn{"seq", kInt, false},
    TransferColumn{"at", kInt, false},
    TransferColumn{"actor", kText, false},
    TransferColumn{"source", kText, false},
    TransferColumn{"action", kText, false},
    TransferColumn{"subject", kText, false},
    TransferColumn{"detail", kText, false},
    TransferColumn{"hash", kText, false},
};

// schema v13: content is sealed (FieldCipher), carried as it is
constexpr std::array kPersonFileColumns = {
    TransferColumn{"pk", kInt, false},
    TransferColumn{"id", kText, false},
    TransferColumn{"person_id", kText, false},
    TransferColumn{"kind", kText, false},
    TransferColumn{"media_type", kText, false},
    TransferColumn{"size_bytes", kInt, false},
    TransferColumn{"sha256", kText, false},
    TransferColumn{"content", kBytes, false},
    TransferColumn{"created_at", kInt, false},
    TransferColumn{"created_by", kText, false},
};

constexpr std::array kSyncOpColumns = {
    TransferColumn{"pk", kInt, false},          TransferColumn{"id", kText, false},
    TransferColumn{"actor", kText, false},      TransferColumn{"op_key", kText, false},
    TransferColumn{"device_id", kText, false},  TransferColumn{"seq", kInt, false},
    TransferColumn{"type", kText, false},       TransferColumn{"person_id", kText, false},
    TransferColumn{"after_key", kText, false},  TransferColumn{"fingerprint", kText, false},
    TransferColumn{"state", kText, false},      TransferColumn{"result", kText, false},
    TransferColumn{"payload", kBytes, true},    TransferColumn{"kelurahan_code", kText, false},
    TransferColumn{"base_version", kInt, true}, TransferColumn{"server_version", kInt, true},
    TransferColumn{"fields", kText, false},     TransferColumn{"received_at", kInt, false},
    TransferColumn{"decided_at", kInt, true},   TransferColumn{"decided_by", kText, false},
    TransferColumn{"decision", kText, false},   TransferColumn{"version", kInt, false},
};

/// Names the format in every table's digest header: bump it when the encoding changes.
constexpr std::string_view kDigestFormat = "kapal-transfer-1";

std::string_view kind_name(TransferKind kind) {
    switch (kind) {
    case TransferKind::Null:
        return "null";
    case TransferKind::Int:
        return "integer";
    case TransferKind::Real:
        return "real";
    case TransferKind::Text:
        return "text";
    case TransferKind::Bytes:
        return "bytes";
    }
    return "?";
}

std::size_t index_of(TransferTable table) {
    return static_cast<std::size_t>(table);
}

} // namespace

std::string_view transfer_table_name(TransferTable table) {
    switch (table) {
    case TransferTable::Persons:
        return "persons";
    case TransferTable::PersonVersions:
        return "person_versions";
    case TransferTable::IdempotencyKeys:
        return "idempotency_keys";
    case TransferTable::Users:
        return "users";
    case TransferTable::Sessions:
        return "sessions";
    case TransferTable::ApiTokens:
        return "api_tokens";
    case TransferTable::AuditLog:
        return "audit_log";
    case TransferTable::HazardZones:
        return "hazard_zones";
    case TransferTable::Facilities:
        return "facilities";
    case TransferTable::Cards:
        return "cards";
    case TransferTable::Services:
        return "services";
    case TransferTable::ServiceRequests:
        return "service_requests";
    case TransferTable::ServiceRequestEvents:
        return "service_request_events";
    case TransferTable::AidPrograms:
        return "aid_programs";
    case TransferTable::AidCycles:
        return "aid_cycles";
    case TransferTable::AidListEntries:
        return "aid_list_entries";
    case TransferTable::AidDeliveries:
        return "aid_deliveries";
    case TransferTable::Merchants:
        return "merchants";
    case TransferTable::VoucherBalances:
        return "voucher_balances";
    case TransferTable::VoucherTransactions:
        return "voucher_transactions";
    case TransferTable::VoucherPostings:
        return "voucher_postings";
    case TransferTable::AidBatches:
        return "aid_batches";
    case TransferTable::DuplicatePairs:
        return "duplicate_pairs";
    case TransferTable::PersonFiles:
        return "person_files";
    case TransferTable::SyncOps:
        return "sync_ops";
    }
    return "?";
}

std::span<const TransferColumn> transfer_columns(TransferTable table) {
    switch (table) {
    case TransferTable::Persons:
        return kPersonColumns;
    case TransferTable::PersonVersions:
        return kVersionColumns;
    case TransferTable::IdempotencyKeys:
        return kIdempotencyColumns;
    case TransferTable::Users:
        return kUserColumns;
    case TransferTable::Sessions:
        return kSessionColumns;
    case TransferTable::ApiTokens:
        return kTokenColumns;
    case TransferTable::AuditLog:
        return kAuditColumns;
    case TransferTable::HazardZones:
        return kHazardZoneColumns;
    case TransferTable::Facilities:
        return kFacilityColumns;
    case TransferTable::Cards:
        return kCardColumns;
    case TransferTable::Services:
        return kServiceColumns;
    case TransferTable::ServiceRequests:
        return kServiceRequestColumns;
    case TransferTable::ServiceRequestEvents:
        return kServiceRequestEventColumns;
    case TransferTable::AidPrograms:
        return kAidProgramColumns;
    case TransferTable::AidCycles:
        return kAidCycleColumns;
    case TransferTable::AidListEntries:
        return kAidListEntryColumns;
    case TransferTable::AidDeliveries:
        return kAidDeliveryColumns;
    case TransferTable::Merchants:
        return kMerchantColumns;
    case TransferTable::VoucherBalances:
        return kVoucherBalanceColumns;
    case TransferTable::VoucherTransactions:
        return kVoucherTransactionColumns;
    case TransferTable::VoucherPostings:
        return kVoucherPostingColumns;
    case TransferTable::AidBatches:
        return kAidBatchColumns;
    case TransferTable::DuplicatePairs:
        return kDuplicatePairColumns;
    case TransferTable::PersonFiles:
        return kPersonFileColumns;
    case TransferTable::SyncOps:
        return kSyncOpColumns;
    }
    return {};
}

// ---- reading a page ---------------------------------------------------------------------------

std::uint64_t TransferReader::be(std::size_t bytes) {
    KAPAL_ASSERT(data_.size() - at_ >= bytes);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) {
        v = (v << 8U) | static_cast<unsigned char>(data_[at_ + i]);
    }
    at_ += bytes;
    return v;
}

TransferValue TransferReader::next() {
    KAPAL_ASSERT(at_ < data_.size());
    TransferValue v;
    v.kind = static_cast<TransferKind>(data_[at_++]);
    switch (v.kind) {
    case TransferKind::Null:
        break;
    case TransferKind::Int:
        v.integer = static_cast<std::int64_t>(be(8));
        break;
    case TransferKind::Real:
        v.real = std::bit_cast<double>(be(8));
        break;
    case TransferKind::Text:
    case TransferKind::Bytes: {
        const auto n = static_cast<std::size_t>(be(4));
        KAPAL_ASSERT(data_.size() - at_ >= n);
        v.raw = data_.substr(at_, n);
        at_ += n;
        break;
    }
    default:
        KAPAL_ASSERT(false && "transfer page with an unknown tag");
    }
    return v;
}

Result<void> check_transfer_page(const TransferPage& page) {
    const auto columns = transfer_columns(page.table());
    const std::string_view data = page.data();
    const std::string table(transfer_table_name(page.table()));
    std::size_t at = 0;
    std::size_t rows = 0;
    const auto bad = [&](const TransferColumn& column, const std::string& what) {
        return fail(ErrorCode::InvalidArgument,
                    "transfer: " + table + " row " + std::to_string(rows + 1) +
                        " of a page: " + std::string(column.name) + " " + what);
    };
    while (at < data.size()) {
        for (const TransferColumn& column : columns) {
            if (at >= data.size()) {
                return bad(column, "is missing (the row is cut short)");
            }
            const auto kind = static_cast<TransferKind>(data[at++]);
            std::size_t payload = 0;
            switch (kind) {
            case TransferKind::Null:
                if (!column.nullable) {
                    return bad(column, "is NULL");
                }
                continue;
            case TransferKind::Int:
            case TransferKind::Real:
                payload = 8;
                break;
            case TransferKind::Text:
            case TransferKind::Bytes: {
                if (data.size() - at < 4) {
                    return bad(column, "is cut short");
                }
                for (std::size_t i = 0; i < 4; ++i) {
                    payload = (payload << 8U) | static_cast<unsigned char>(data[at + i]);
                }
                at += 4;
                break;
            }
            default:
                return bad(column, "has an unknown tag");
            }
            if (kind != column.kind) {
                return bad(column,
                           "is " + std::string(kind_name(kind)) + ", not " +
                               std::string(kind_name(column.kind)));
            }
            if (data.size() - at < payload) {
                return bad(column, "is cut short");
            }
            at += payload;
        }
        ++rows;
    }
    if (rows != page.rows()) {
        return fail(ErrorCode::InvalidArgument,
                    "transfer: a page of " + table + " says " + std::to_string(page.rows()) +
                        " rows but holds " + std::to_string(rows));
    }
    return {};
}

Result<void>
check_transfer_target_empty(const std::array<std::int64_t, kTransferTableCount>& rows) {
    std::string held;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i] != 0) {
            held += held.empty() ? "" : ", ";
            held += std::string(transfer_table_name(kTransferTables[i])) + ": " +
                    std::to_string(rows[i]);
        }
    }
    if (!held.empty()) {
        return fail(ErrorCode::StoreNotEmpty,
                    "the target store is not empty (" + held +
                        "); a migration loads only into an empty store: a new SQLite file or a "
                        "new PostgreSQL database");
    }
    return {};
}

// ---- the order of a load ----------------------------------------------------------------------

Result<void> TransferSequence::begin(TransferTable table) {
    if (open_ || next_ >= kTransferTables.size() || kTransferTables[next_] != table) {
        return fail(ErrorCode::InvalidArgument,
                    "transfer: table " + std::string(transfer_table_name(table)) +
                        " begins out of order");
    }
    open_ = true;
    return {};
}

Result<void> TransferSequence::page(const TransferPage& page) const {
    if (!open_ || kTransferTables[next_] != page.table()) {
        return fail(ErrorCode::InvalidArgument,
                    "transfer: a page of " + std::string(transfer_table_name(page.table())) +
                        " outside its table");
    }
    return check_transfer_page(page);
}

Result<void> TransferSequence::end(TransferTable table) {
    if (!open_ || kTransferTables[next_] != table) {
        return fail(ErrorCode::InvalidArgument,
                    "transfer: table " + std::string(transfer_table_name(table)) +
                        " ends out of order");
    }
    open_ = false;
    ++next_;
    return {};
}

Result<void> TransferSequence::complete() const {
    if (open_ || next_ != kTransferTables.size()) {
        const std::string missing(
            transfer_table_name(kTransferTables[std::min(next_, kTransferTables.size() - 1)]));
        return fail(ErrorCode::InvalidArgument,
                    "transfer: the load is incomplete (" + missing +
                        " and the tables after it were not written); nothing was committed");
    }
    return {};
}

// ---- the digest -------------------------------------------------------------------------------

std::string to_hex(const std::array<std::uint8_t, 32>& sha256) {
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string out;
    out.reserve(64);
    for (const std::uint8_t b : sha256) {
        out += kHex[b >> 4U];
        out += kHex[b & 15U];
    }
    return out;
}

struct TransferDigest::State {
    crypto_hash_sha256_state sha{};
    std::optional<TransferTable> table; ///< the table being hashed
    std::int64_t rows = 0;
};

TransferDigest::TransferDigest()
    : state_(std::make_unique<State>()) {
    for (std::size_t i = 0; i < result_.size(); ++i) {
        result_[i].table = kTransferTables[i];
    }
}

TransferDigest::~TransferDigest() = default;

Result<void> TransferDigest::begin_table(TransferTable table, std::int64_t /*rows*/) {
    State& s = *state_;
    if (s.table) {
        return fail(ErrorCode::InvalidArgument, "transfer digest: a table begins inside another");
    }
    s.table = table;
    s.rows = 0;
    crypto_hash_sha256_init(&s.sha);
    // The header: format, table and columns, each name ended by a zero byte.
    std::string header(kDigestFormat);
    header += '\0';
    header += transfer_table_name(table);
    header += '\0';
    for (const TransferColumn& c : transfer_columns(table)) {
        header += c.name;
        header += '\0';
        header += static_cast<char>(c.kind);
        header += static_cast<char>(c.nullable ? 1 : 0);
    }
    crypto_hash_sha256_update(
        &s.sha, reinterpret_cast<const unsigned char*>(header.data()), header.size());
    return {};
}

Result<void> TransferDigest::write(const TransferPage& page) {
    State& s = *state_;
    if (!s.table || *s.table != page.table()) {
        return fail(ErrorCode::InvalidArgument, "transfer digest: a page outside its table");
    }
    // The encoding delimits its values itself: page boundaries do not change the hash.
    const std::string_view data = page.data();
    crypto_hash_sha256_update(
        &s.sha, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    s.rows += static_cast<std::int64_t>(page.rows());
    return {};
}

Result<void> TransferDigest::end_table(TransferTable table) {
    State& s = *state_;
    if (!s.table || *s.table != table) {
        return fail(ErrorCode::InvalidArgument, "transfer digest: a table ends out of order");
    }
    TableDigest& d = result_[index_of(table)];
    d.rows = s.rows;
    crypto_hash_sha256_final(&s.sha, d.sha256.data());
    s.table.reset();
    return {};
}

// ---- copy and verify --------------------------------------------------------------------------

namespace {

/// Hands everything to several sinks in turn, and reports progress.
class TransferTee final : public TransferSink {
  public:
    TransferTee(std::vector<TransferSink*> sinks,
                TransferStep step,
                const TransferProgress& progress)
        : sinks_(std::move(sinks))
        , step_(step)
        , progress_(progress) {}

    Result<void> begin_table(TransferTable table, std::int64_t rows) override {
        total_ = rows;
        done_ = 0;
        for (TransferSink* s : sinks_) {
            KAPAL_TRY(s->begin_table(table, rows));
        }
        report(table);
        return {};
    }

    Result<void> write(const TransferPage& page) override {
        for (TransferSink* s : sinks_) {
            KAPAL_TRY(s->write(page));
        }
        done_ += static_cast<std::int64_t>(page.rows());
        report(page.table());
        return {};
    }

    Result<void> end_table(TransferTable table) override {
        for (TransferSink* s : sinks_) {
            KAPAL_TRY(s->end_table(table));
        }
        // The rows written, which may differ from the count only if the dump is wrong.
        total_ = done_;
        report(table);
        return {};
    }

  private:
    void report(TransferTable table) const {
        if (progress_) {
            progress_(step_, table, done_, total_);
        }
    }

    std::vector<TransferSink*> sinks_;
    TransferStep step_;
    const TransferProgress& progress_;
    std::int64_t total_ = 0;
    std::int64_t done_ = 0;
};

std::int64_t rows_of(const StoreDigest& digest, TransferTable table) {
    return digest[index_of(table)].rows;
}

/// "from=sqlite:/x to=postgresql://... persons=3 person_versions=5 ...".
std::string migrate_detail(const MigrationReport& r) {
    std::string out = "from=" + r.source_info.backend + ":" + r.source_info.location +
                      " to=" + r.target_info.backend + ":" + r.target_info.location;
    for (const TableDigest& d : r.source) {
        out += " " + std::string(transfer_table_name(d.table)) + "=" + std::to_string(d.rows);
    }
    return out;
}

/// The newest seq of a store's audit log (0 when empty).
Result<std::int64_t> newest_audit_seq(Store& store) {
    AuditQuery query;
    query.limit = 1;
    auto newest = store.list_audit(query);
    if (!newest) {
        return fail(std::move(newest).error());
    }
    return newest->empty() ? std::int64_t{0} : newest->front().seq;
}

} // namespace

Result<StoreDigest> copy_store(Store& source, Store& target, const TransferProgress& progress) {
    auto load = target.begin_load();
    if (!load) {
        return fail(std::move(load).error());
    }
    TransferDigest digest;
    TransferTee tee({&digest, load->get()}, TransferStep::Copy, progress);
    KAPAL_TRY(source.dump(tee));
    KAPAL_TRY((*load)->commit());
    return digest.result();
}

Result<StoreDigest> digest_store(Store& store, const TransferProgress& progress) {
    TransferDigest digest;
    TransferTee tee({&digest}, TransferStep::Verify, progress);
    KAPAL_TRY(store.dump(tee));
    return digest.result();
}

bool MigrationReport::source_unchanged() const {
    return source_audit_seq_after <= rows_of(source, TransferTable::AuditLog);
}

Result<MigrationReport> verify_migration(Store& source,
                                         Store& target,
                                         const StoreDigest& copied,
                                         const TransferProgress& progress) {
    MigrationReport report;
    report.source_info = source.info();
    report.source = copied;
    auto read_back = digest_store(target, progress);
    if (!read_back) {
        return fail(std::move(read_back).error());
    }
    report.target = *read_back;
    auto after = newest_audit_seq(source);
    if (!after) {
        return fail(std::move(after).error());
    }
    report.source_audit_seq_after = *after;
    if (auto keys = target.check_keys(); !keys) {
        report.keys_problem = keys.error();
    }
    if (auto integrity = target.check_integrity(); !integrity) {
        report.integrity_problem = integrity.error();
    }
    report.target_info = target.info();
    return report;
}

Result<void> record_migration(Store& target, MigrationReport& report, const WriteContext& ctx) {
    if (!report.ok()) {
        return fail(ErrorCode::TransferMismatch,
                    "the migration did not pass its checks; nothing is recorded");
    }
    AuditEntry entry;
    entry.at = ctx.at;
    entry.actor = ctx.actor;
    entry.source = ctx.source;
    entry.action = "store.migrate";
    entry.detail = migrate_detail(report);
    if (!ctx.reason.empty()) {
        entry.detail += " reason=" + ctx.reason;
    }
    KAPAL_TRY(target.append_audit(entry));
    auto seq = newest_audit_seq(target);
    if (!seq) {
        return fail(std::move(seq).error());
    }
    report.migrate_audit_seq = *seq;
    report.target_info = target.info();
    return {};
}

Result<MigrationReport> migrate_store(Store& source,
                                      Store& target,
                                      const WriteContext& ctx,
                                      const TransferProgress& progress) {
    // Keys that do not fit the source would copy fine and fail only the target's check at the
    // end: refuse before the copy.
    if (auto keys = source.check_keys(); !keys) {
        Error e = keys.error();
        e.message = "the keys do not fit the source store: " + e.message;
        return fail(std::move(e));
    }
    auto copied = copy_store(source, target, progress);
    if (!copied) {
        return fail(std::move(copied).error());
    }
    auto report = verify_migration(source, target, *copied, progress);
    if (!report) {
        return fail(std::move(report).error());
    }
    if (report->ok()) {
        KAPAL_TRY(record_migration(target, *report, ctx));
    }
    return report;
}

} // namespace kapal::store
