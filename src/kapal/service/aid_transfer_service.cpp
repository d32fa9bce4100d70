#include "kapal/service/aid_transfer_service.hpp"

#include "kapal/core/region_registry.hpp"
#include "kapal/core/text.hpp"
#include "kapal/core/time.hpp"
#include "kapal/io/csv_reader.hpp"
#include "kapal/io/csv_writer.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>
#include <utility>

namespace kapal::service {
namespace {

using store::AidBatchRecord;
using store::AidDeliveryRecord;

/// Admins and operators (whose areas must cover the whole cycle: see covers_cycle).
bool makes_batches(const Actor& actor) {
    return !actor.role || *actor.role == core::Role::Admin || *actor.role == core::Role::Operator;
}

bool reads_batches(const Actor& actor) {
    return !actor.role || *actor.role == core::Role::Admin || *actor.role == core::Role::Operator ||
           *actor.role == core::Role::Auditor || *actor.role == core::Role::Viewer;
}

bool in_scope(const std::string& kelurahan_code, const Actor& actor) {
    return std::any_of(actor.scope_area_codes.begin(),
                       actor.scope_area_codes.end(),
                       [&](const std::string& a) { return core::code_within(kelurahan_code, a); });
}

Result<void> allowed(bool ok, const char* what) {
    if (!ok) {
        return fail(ErrorCode::Forbidden, what);
    }
    return {};
}

void add_flag(std::vector<std::string>& flags, std::string_view flag) {
    if (std::find(flags.begin(), flags.end(), flag) == flags.end()) {
        flags.emplace_back(flag);
        std::sort(flags.begin(), flags.end());
    }
}

std::string hex(const unsigned char* bytes, std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out += kDigits[bytes[i] >> 4U];
        out += kDigits[bytes[i] & 0x0FU];
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    return hex(digest, sizeof digest);
}

/// Every delivery of a query, page by page.
Result<std::vector<AidDeliveryRecord>> all_deliveries(store::Store& store,
                                                      store::AidDeliveryQuery query) {
    query.limit = 100'000;
    std::vector<AidDeliveryRecord> out;
    for (;;) {
        KAPAL_ASSIGN_OR_RETURN(page, store.list_aid_deliveries(query));
        const bool last = page.size() < static_cast<std::size_t>(query.limit);
        if (!page.empty()) {
            query.after_id = page.back().id;
        }
        out.insert(
            out.end(), std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));
        if (last) {
            return out;
        }
    }
}

/// The columns of a bank result file, found by their header names.
struct ResultColumns {
    int delivery_id = -1;
    int status = -1;
    int amount = -1;
    int reason = -1;
    int bank_reference = -1;
    int paid_at = -1;
};

std::string cell(const io::CsvRecord& record, int column) {
    if (column < 0 || static_cast<std::size_t>(column) >= record.fields.size()) {
        return {};
    }
    return std::string(core::trim(record.fields[static_cast<std::size_t>(column)]));
}

} // namespace

AidTransferService::AidTransferService(store::Store& store,
                                       const core::Clock& clock,
                                       core::IdGenerator& ids)
    : store_(store)
    , clock_(clock)
    , ids_(ids) {}

store::WriteContext AidTransferService::context(const Actor& actor) const {
    return {actor.id, actor.source, clock_.now(), {}};
}

Result<store::AidCycleRecord> AidTransferService::transfer_cycle(const std::string& cycle_id) {
    KAPAL_ASSIGN_OR_RETURN(cycle, store_.get_aid_cycle(cycle_id));
    if (!cycle) {
        return fail(ErrorCode::NotFound, "no cycle " + cycle_id);
    }
    return std::move(*cycle);
}

Result<void> AidTransferService::covers_cycle(const std::string& cycle_id, const Actor& actor) {
    if (actor.scope_area_codes.empty()) {
        return {};
    }
    // A batch covers a whole cycle: a user limited to areas acts on it only when every
    // beneficiary on the list lives in those areas.
    store::AidEntryQuery q;
    q.cycle_id = cycle_id;
    q.include_removed = true;
    q.limit = 100'000;
    for (;;) {
        KAPAL_ASSIGN_OR_RETURN(page, store_.list_aid_entries(q));
        for (const auto& e : page) {
            if (!in_scope(e.kelurahan_code, actor)) {
                return fail(ErrorCode::Forbidden,
                            "the list of cycle " + cycle_id +
                                " has beneficiaries outside your areas; a transfer batch covers "
                                "the whole cycle");
            }
        }
        if (page.size() < static_cast<std::size_t>(q.limit)) {
            return {};
        }
        q.after_person_id = page.back().person_id;
    }
}

Result<AidBatchRecord> AidTransferService::found_batch(const std::string& id) {
    KAPAL_ASSIGN_OR_RETURN(batch, store_.get_aid_batch(id));
    if (!batch) {
        return fail(ErrorCode::NotFound, "no transfer batch " + id);
    }
    return std::move(*batch);
}

Result<AidBatchMade> AidTransferService::make_batch(const std::string& cycle_id,
                                                    const Actor& actor) {
    KAPAL_TRY(allowed(makes_batches(actor), "only admins and operators make transfer batches"));
    KAPAL_ASSIGN_OR_RETURN(cycle, transfer_cycle(cycle_id));
    KAPAL_TRY(covers_cycle(cycle.id, actor));
    KAPAL_ASSIGN_OR_RETURN(program, store_.get_aid_program(cycle.program_code));
    if (!program) {
        return fail(ErrorCode::NotFound, "no programme " + cycle.program_code);
    }
    if (program->channel != "transfer") {
        return fail(ErrorCode::AidChannelMismatch,
                    "programme " + program->code + " is delivered by " + program->channel +
                        ", not by transfer");
    }
    if (cycle.list_state != "approved") {
        return fail(ErrorCode::AidListState,
                    "the list of cycle " + cycle.id + " is " + cycle.list_state +
                        ": batches are made from an approved list");
    }
    const store::WriteContext ctx = context(actor);
    const core::Date today = core::wita_date(ctx.at);
    if (today < cycle.starts_on || cycle.ends_on < today) {
        return fail(ErrorCode::AidCycleClosed,
                    "cycle " + cycle.name + " runs from " + core::format_date(cycle.starts_on) +
                        " to " + core::format_date(cycle.ends_on));
    }

    // Who is served already: a delivery that is not failed.
    store::AidDeliveryQuery of_cycle;
    of_cycle.cycle_id = cycle.id;
    KAPAL_ASSIGN_OR_RETURN(deliveries, all_deliveries(store_, of_cycle));
    std::map<std::string, const AidDeliveryRecord*> live;
    for (const auto& d : deliveries) {
        if (d.state != "failed") {
            live[d.person_id] = &d;
        }
    }

    AidBatchMade made;
    AidBatchRecord batch;
    batch.id = ids_.next(ctx.at);
    batch.cycle_id = cycle.id;
    batch.program_code = program->code;
    std::vector<AidDeliveryRecord> lines;
    std::map<std::string, std::vector<std::size_t>> by_account;
    store::AidEntryQuery q;
    q.cycle_id = cycle.id;
    q.limit = 100'000;
    for (;;) {
        KAPAL_ASSIGN_OR_RETURN(page, store_.list_aid_entries(q));
        for (const auto& e : page) {
            if (const auto it = live.find(e.person_id); it != live.end()) {
                made.left_out.push_back({e.person_id,
                                         e.kelurahan_code,
                                         it->second->state == "delivered" ? "delivered" : "pending",
                                         it->second->id});
                continue;
            }
            KAPAL_ASSIGN_OR_RETURN(record, store_.get_person(core::PersonId(e.person_id)));
            const core::Person& p = record.person;
            if (!p.account || core::trim(p.account->number).empty()) {
                made.left_out.push_back({e.person_id, e.kelurahan_code, "no_account", ""});
                continue;
            }
            AidDeliveryRecord line;
            line.id = ids_.next(ctx.at);
            line.cycle_id = cycle.id;
            line.program_code = program->code;
            line.person_id = e.person_id;
            line.kelurahan_code = e.kelurahan_code;
            line.channel = "transfer";
            line.state = "pending";
            line.amount = program->unit_value;
            line.recorded_at = ctx.at;
            line.officer = actor.id;
            line.flags = e.flags;
            line.batch_id = batch.id;
            if (p.status != core::Status::Aktif) {
                add_flag(line.flags, "aid.person_inactive");
            }
            by_account[p.account->provider + "/" + std::string(core::trim(p.account->number))]
                .push_back(lines.size());
            lines.push_back(std::move(line));
        }
        if (page.size() < static_cast<std::size_t>(q.limit)) {
            break;
        }
        q.after_person_id = page.back().person_id;
    }
    for (const auto& [account, indexes] : by_account) {
        if (indexes.size() > 1) {
            for (const std::size_t i : indexes) {
                add_flag(lines[i].flags, "aid.shared_account");
            }
        }
    }
    if (lines.empty()) {
        return fail(ErrorCode::AidAlreadyDelivered,
                    "nobody on the list of cycle " + cycle.name +
                        " is left to pay: every beneficiary is served, pending, or has no "
                        "account (" +
                        std::to_string(made.left_out.size()) + " left out)");
    }
    KAPAL_ASSIGN_OR_RETURN(outcome, store_.create_aid_batch(batch, lines, ctx));
    // Lines another writer served meanwhile: left out as pending or delivered.
    for (const std::string& person : outcome.skipped_person_ids) {
        const auto line = std::find_if(
            lines.begin(), lines.end(), [&](const auto& l) { return l.person_id == person; });
        made.left_out.push_back({person, line->kelurahan_code, "pending", ""});
    }
    const std::set<std::string> skipped(outcome.skipped_person_ids.begin(),
                                        outcome.skipped_person_ids.end());
    for (const auto& line : lines) {
        if (skipped.count(line.person_id) == 0) {
            for (const std::string& flag : line.flags) {
                ++made.flag_counts[flag];
            }
        }
    }
    std::sort(made.left_out.begin(), made.left_out.end(), [](const auto& a, const auto& b) {
        return a.person_id < b.person_id;
    });
    made.batch = std::move(outcome.batch);
    return made;
}

Result<std::vector<AidBatchRecord>> AidTransferService::batches(const std::string& cycle_id,
                                                                const Actor& actor) {
    KAPAL_TRY(allowed(reads_batches(actor), "this role does not read transfer batches"));
    KAPAL_TRY(transfer_cycle(cycle_id));
    KAPAL_TRY(covers_cycle(cycle_id, actor));
    return store_.list_aid_batches(cycle_id);
}

Result<AidBatchRecord> AidTransferService::batch(const std::string& id, const Actor& actor) {
    KAPAL_TRY(allowed(reads_batches(actor), "this role does not read transfer batches"));
    KAPAL_ASSIGN_OR_RETURN(batch, found_batch(id));
    KAPAL_TRY(covers_cycle(batch.cycle_id, actor));
    return batch;
}

Result<std::vector<AidDeliveryRecord>> AidTransferService::lines(const std::string& batch_id,
                                                                 const Actor& actor) {
    KAPAL_TRY(allowed(reads_batches(actor), "this role does not read transfer batches"));
    KAPAL_ASSIGN_OR_RETURN(batch, found_batch(batch_id));
    KAPAL_TRY(covers_cycle(batch.cycle_id, actor));
    store::AidDeliveryQuery q;
    q.batch_id = batch_id;
    return all_deliveries(store_, q);
}

Result<AidBatchFile> AidTransferService::batch_file(const std::string& id, const Actor& actor) {
    KAPAL_TRY(allowed(!actor.role || core::may_unmask(*actor.role),
                      "the batch file shows account numbers: only roles that may unmask "
                      "download it"));
    KAPAL_ASSIGN_OR_RETURN(batch, found_batch(id));
    KAPAL_TRY(covers_cycle(batch.cycle_id, actor));
    KAPAL_ASSIGN_OR_RETURN(cycle, transfer_cycle(batch.cycle_id));
    store::AidDeliveryQuery q;
    q.batch_id = id;
    KAPAL_ASSIGN_OR_RETURN(lines, all_deliveries(store_, q));

    std::ostringstream out;
    io::CsvWriterOptions options;
    options.guard_formulas = true; // the bank's staff may open it in a spreadsheet
    io::CsvWriter csv(out, options);
    csv.write_row(std::vector<std::string>{"line",
                                           "batch_id",
                                           "delivery_id",
                                           "person_id",
                                           "name",
                                           "provider",
                                           "account_number",
                                           "account_holder",
                                           "amount_idr"});
    std::int64_t sum = 0;
    std::size_t n = 0;
    for (const auto& line : lines) {
        KAPAL_ASSIGN_OR_RETURN(record, store_.get_person(core::PersonId(line.person_id)));
        const core::Person& p = record.person;
        const core::Account account = p.account.value_or(core::Account{});
        csv.write_row(std::vector<std::string>{std::to_string(++n),
                                               batch.id,
                                               line.id,
                                               line.person_id,
                                               p.full_name,
                                               account.provider,
                                               std::string(core::trim(account.number)),
                                               account.holder_name,
                                               std::to_string(line.amount)});
        sum += line.amount;
    }
    csv.write_row(std::vector<std::string>{"TOTAL", std::to_string(n), std::to_string(sum)});
    AidBatchFile file;
    file.bytes = out.str();
    file.sha256 = sha256_hex(file.bytes);
    file.bytes += "SHA256," + file.sha256 + "\r\n";
    file.filename = "transfer-" + batch.program_code + "-tahap-" + std::to_string(cycle.number) +
                    "-batch-" + std::to_string(batch.number) + ".csv";

    store::AuditEntry entry;
    entry.at = clock_.now();
    entry.actor = actor.id;
    entry.source = actor.source;
    entry.action = "aid.batch.export";
    entry.subject = batch.id;
    entry.detail = "lines=" + std::to_string(n) + " amount=" + std::to_string(sum) +
                   " sha256=" + file.sha256 + " account numbers unmasked";
    KAPAL_TRY(store_.append_audit(entry));
    return file;
}

Result<AidReconciliation> AidTransferService::import_result(const std::string& batch_id,
                                                            std::string_view csv_text,
                                                            const Actor& actor) {
    KAPAL_TRY(allowed(makes_batches(actor), "only admins and operators import bank results"));
    KAPAL_ASSIGN_OR_RETURN(batch, found_batch(batch_id));
    KAPAL_TRY(covers_cycle(batch.cycle_id, actor));
    store::AidDeliveryQuery q;
    q.batch_id = batch_id;
    KAPAL_ASSIGN_OR_RETURN(lines, all_deliveries(store_, q));
    std::map<std::string, const AidDeliveryRecord*> by_id;
    for (const auto& line : lines) {
        by_id[line.id] = &line;
    }

    std::istringstream in{std::string(csv_text)};
    io::CsvReader reader(in);
    io::CsvRecord record;
    const auto file_error = [](const std::string& message, const std::string& field) {
        return Error{ErrorCode::AidBatchFileInvalid,
                     message,
                     {{field, ErrorCode::AidBatchFileInvalid, message}}};
    };
    bool has_header = false;
    ResultColumns cols;
    AidReconciliation rec;
    std::vector<store::AidTransferSettlement> settlements;
    std::vector<std::size_t> settlement_rows;
    std::map<std::string, std::size_t> seen;
    for (;;) {
        auto more = reader.next(record);
        if (!more) {
            return fail(file_error("the result file cannot be read at line " +
                                       std::to_string(reader.error_line()) + ": " +
                                       more.error().message + " (nothing was applied)",
                                   "file"));
        }
        if (!*more) {
            break;
        }
        if (record.is_blank()) {
            continue;
        }
        if (!has_header) {
            for (std::size_t i = 0; i < record.fields.size(); ++i) {
                const std::string name = core::to_lower(core::trim(record.fields[i]));
                const int c = static_cast<int>(i);
                if (name == "delivery_id" || name == "reference" || name == "referensi") {
                    cols.delivery_id = c;
                } else if (name == "status") {
                    cols.status = c;
                } else if (name == "amount_idr" || name == "amount" || name == "jumlah") {
                    cols.amount = c;
                } else if (name == "reason" || name == "alasan") {
                    cols.reason = c;
                } else if (name == "bank_reference" || name == "referensi_bank") {
                    cols.bank_reference = c;
                } else if (name == "paid_at" || name == "waktu_bayar") {
                    cols.paid_at = c;
                }
            }
            for (const auto& [column, name] : {std::pair{cols.delivery_id, "delivery_id"},
                                               std::pair{cols.status, "status"},
                                               std::pair{cols.paid_at, "paid_at"},
                                               std::pair{cols.reason, "reason"}}) {
                if (column < 0) {
                    return fail(file_error("the header (line " + std::to_string(record.line) +
                                               ") has no column " + name + " (nothing was applied)",
                                           name));
                }
            }
            has_header = true;
            continue;
        }
        const std::string reference = cell(record, cols.delivery_id);
        if (reference == "TOTAL" || reference == "SHA256") {
            continue; // a summary line the bank may copy from our file
        }
        ++rec.rows;
        const auto problem = [&](const char* kind, const std::string& column, std::string msg) {
            rec.problems.push_back({record.line, column, reference, kind, std::move(msg)});
            ++(std::string_view(kind) == "invalid" ? rec.invalid : rec.unmatched);
        };
        if (reference.empty()) {
            problem("invalid", "delivery_id", "required: the delivery id of the batch file");
            continue;
        }
        const std::string status = core::to_lower(cell(record, cols.status));
        if (status != "paid" && status != "failed") {
            problem("invalid", "status", "must be paid or failed, not \"" + status + "\"");
            continue;
        }
        const bool paid = status == "paid";
        std::optional<core::Timestamp> paid_at;
        if (paid) {
            paid_at = core::parse_timestamp(cell(record, cols.paid_at));
            if (!paid_at) {
                problem("invalid",
                        "paid_at",
                        "a paid line needs paid_at as an ISO 8601 UTC instant, e.g. "
                        "2026-11-29T02:15:00Z");
                continue;
            }
        }
        const std::string reason = cell(record, cols.reason);
        if (!paid && reason.empty()) {
            problem("invalid", "reason", "a failed line needs the bank's reason");
            continue;
        }
        std::optional<std::int64_t> amount;
        if (const std::string text = cell(record, cols.amount); !text.empty()) {
            std::int64_t v = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec != std::errc{} || end != text.data() + text.size() || v < 0) {
                problem("invalid", "amount", "must be a whole number of rupiah");
                continue;
            }
            amount = v;
        }
        if (const auto [it, fresh] = seen.emplace(reference, record.line); !fresh) {
            problem("unmatched",
                    "delivery_id",
                    "the same delivery is already on line " + std::to_string(it->second));
            continue;
        }
        const auto found = by_id.find(reference);
        if (found == by_id.end()) {
            auto other = store_.get_aid_delivery(reference);
            if (other && *other && !(*other)->batch_id.empty()) {
                problem("unmatched",
                        "delivery_id",
                        "delivery " + reference + " belongs to another batch (" +
                            (*other)->batch_id + ")");
            } else {
                problem("unmatched", "delivery_id", "unknown reference: not a line of this batch");
            }
            continue;
        }
        const AidDeliveryRecord& line = *found->second;
        if (amount && *amount != line.amount) {
            problem("unmatched",
                    "amount",
                    "the bank says " + std::to_string(*amount) + " rupiah, the batch " +
                        std::to_string(line.amount));
            continue;
        }
        const std::string bank_reference = cell(record, cols.bank_reference);
        if (line.state != "pending") {
            const bool same = (line.state == "delivered") == paid &&
                              (bank_reference.empty() || bank_reference == line.bank_reference);
            if (same) {
                ++rec.unchanged;
            } else {
                problem("unmatched",
                        "status",
                        "the line was already settled as " + line.state + " (reference " +
                            line.bank_reference + "): not changed");
            }
            continue;
        }
        store::AidTransferSettlement s;
        s.delivery_id = reference;
        s.paid = paid;
        s.paid_at = paid_at.value_or(core::Timestamp{});
        s.fail_reason = paid ? "" : reason;
        s.bank_reference = bank_reference;
        settlements.push_back(std::move(s));
        settlement_rows.push_back(record.line);
    }
    if (!has_header) {
        return fail(file_error("the result file is empty: it needs a header line", "file"));
    }
    if (!settlements.empty()) {
        KAPAL_ASSIGN_OR_RETURN(changed,
                               store_.settle_aid_batch(batch_id, settlements, context(actor)));
        for (std::size_t i = 0; i < settlements.size(); ++i) {
            if (!changed[i]) {
                ++rec.unchanged; // settled meanwhile by another import
            } else {
                ++(settlements[i].paid ? rec.paid : rec.failed);
            }
        }
    }
    std::sort(rec.problems.begin(), rec.problems.end(), [](const auto& a, const auto& b) {
        return a.row < b.row;
    });
    rec.already_imported = rec.paid == 0 && rec.failed == 0 && rec.unchanged > 0;
    KAPAL_ASSIGN_OR_RETURN(after, found_batch(batch_id));
    rec.batch = std::move(after);
    return rec;
}

} // namespace kapal::service
