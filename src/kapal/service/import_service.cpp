#include "kapal/service/import_service.hpp"

#include "kapal/core/nik.hpp"
#include "kapal/core/person_rules.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/core/text.hpp"
#include "kapal/io/csv_reader.hpp"
#include "kapal/io/csv_writer.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/service/xlsx_table.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace kapal::service {
namespace {

namespace fs = std::filesystem;

class CsvTable final : public TableSource {
  public:
    CsvTable(io::CsvReader reader, std::size_t estimate)
        : reader_(std::move(reader))
        , estimate_(estimate) {}

    Result<bool> next(std::vector<TableCell>& row, std::size_t& row_number) override {
        while (true) {
            auto more = reader_.next(record_);
            if (!more) {
                return fail(std::move(more).error());
            }
            if (!*more) {
                return false;
            }
            if (record_.is_blank()) {
                continue;
            }
            row.resize(record_.fields.size());
            for (std::size_t i = 0; i < record_.fields.size(); ++i) {
                row[i].text.swap(record_.fields[i]);
                row[i].number = false;
                row[i].date_format = false;
            }
            row_number = record_.line;
            return true;
        }
    }

    std::size_t estimated_rows() const override { return estimate_; }

  private:
    io::CsvReader reader_;
    io::CsvRecord record_;
    std::size_t estimate_;
};

std::size_t count_lines(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::vector<char> buf(1 << 16);
    std::size_t lines = 0;
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = static_cast<std::size_t>(in.gcount());
        lines += static_cast<std::size_t>(std::count(buf.data(), buf.data() + n, '\n'));
    }
    return lines;
}

std::string duplicate_key(const core::Person& p, bool swapped) {
    if (!p.birth_date.ok()) {
        return {};
    }
    auto d = p.birth_date;
    if (swapped) {
        const auto day = static_cast<unsigned>(d.day());
        const auto month = static_cast<unsigned>(d.month());
        if (day > 12 || day == month) {
            return {};
        }
        d = core::make_date(static_cast<int>(d.year()), day, month);
    }
    return core::fold_key(p.full_name) + '|' + core::format_date(d);
}

/// One rejected row's reasons, in Indonesian, for the rejects file.
std::string reasons_text(const std::vector<FieldIssue>& issues) {
    std::string out;
    for (const auto& i : issues) {
        out += (out.empty() ? "" : "; ") + describe_issue(i);
    }
    return out;
}

struct PendingRow {
    std::size_t row;
    std::vector<FieldIssue> warnings;
    std::vector<DuplicateMatch> matches; ///< in the registry, for the review queue
    std::string kelurahan_code;          ///< the row's, when it has matches
};

/// A written row with possible duplicates in the registry, queued for review after the import.
struct Proposal {
    core::PersonRecord record; ///< id and kelurahan are what the queue needs
    std::vector<DuplicateMatch> matches;
};

} // namespace

std::string describe_issue(const FieldIssue& issue, std::string_view lang) {
    std::string s = issue.field.empty() ? "" : issue.field + ": ";
    s += error_title(issue.code, lang);
    if (!issue.detail.empty()) {
        s += " (" + issue.detail + ")";
    }
    return s;
}

Result<std::unique_ptr<TableSource>> open_table(const fs::path& file) {
    const auto ext = core::to_lower(file.extension().string());
    if (ext == ".xlsx" || ext == ".xlsm") {
        return open_xlsx_table(file);
    }
    if (ext == ".xls") {
        return fail(ErrorCode::ImportFileUnreadable,
                    "old .xls files are not read; save the sheet as .xlsx or CSV in Excel");
    }
    auto reader = io::CsvReader::open(file.string());
    if (!reader) {
        return fail(std::move(reader).error());
    }
    return std::unique_ptr<TableSource>(new CsvTable(std::move(*reader), count_lines(file)));
}

Result<ImportSummary> import_persons(const fs::path& file,
                                     store::Store& store,
                                     const ReferenceData& ref,
                                     const core::Clock& clock,
                                     core::IdGenerator& ids,
                                     const Actor& actor,
                                     const ImportOptions& options) {
    auto table_r = open_table(file);
    if (!table_r) {
        return fail(std::move(table_r).error());
    }
    auto& table = **table_r;
    ImportSummary summary;

    // The header: the first row (within the first 20) that names at least three fields;
    // title rows above it are skipped.
    std::vector<TableCell> header;
    std::vector<TableCell> row;
    std::size_t row_number = 0;
    ColumnMap columns;
    for (int tries = 0; tries < 20; ++tries) {
        auto more = table.next(row, row_number);
        if (!more) {
            return fail(std::move(more).error());
        }
        if (!*more) {
            break;
        }
        auto candidate = map_columns(row);
        if (candidate.matched >= 3) {
            header = row;
            columns = candidate;
            summary.header_row = row_number;
            break;
        }
    }
    if (summary.header_row == 0) {
        return fail(ErrorCode::ImportNoHeader,
                    "no header row naming at least three known columns (NIK, Nama Lengkap, ...) "
                    "in the first 20 rows of " +
                        file.filename().string());
    }
    {
        std::vector<FieldIssue> missing;
        for (const auto c :
             {PersonColumn::Nik, PersonColumn::Name, PersonColumn::Sex, PersonColumn::BirthDate}) {
            if (!columns.has(c)) {
                missing.push_back(
                    {std::string(column_title(c)), ErrorCode::ImportColumnMissing, ""});
            }
        }
        // The ragam, or the DTKS code that stands for it (a file in the DTKS layout).
        if (!columns.has(PersonColumn::Categories) &&
            !columns.has(PersonColumn::DtksDisabilityCode)) {
            missing.push_back({std::string(column_title(PersonColumn::Categories)),
                               ErrorCode::ImportColumnMissing,
                               ""});
        }
        if (!columns.has(PersonColumn::Kelurahan) && !columns.has(PersonColumn::Latitude) &&
            !columns.has(PersonColumn::Koordinat)) {
            missing.push_back({std::string(column_title(PersonColumn::Kelurahan)),
                               ErrorCode::ImportColumnMissing,
                               ""});
        }
        if (!missing.empty()) {
            return fail(
                ErrorCode::ImportColumnMissing, "required columns are missing", std::move(missing));
        }
    }
    for (const auto& h : header) {
        if (!core::trim(h.text).empty() && !match_header(h.text)) {
            summary.unknown_columns.emplace_back(core::trim(h.text));
        }
    }

    // Rejects file: every original column, then the row number and the reasons.
    std::ofstream rejects_out;
    std::unique_ptr<io::CsvWriter> rejects;
    if (!options.rejects_file.empty()) {
        rejects_out.open(options.rejects_file, std::ios::binary | std::ios::trunc);
        if (!rejects_out) {
            return fail(ErrorCode::Io, "cannot write " + options.rejects_file.string());
        }
        rejects = std::make_unique<io::CsvWriter>(rejects_out, ',', true);
        std::vector<std::string> h;
        for (const auto& c : header) {
            h.push_back(c.text);
        }
        h.emplace_back("Baris");
        h.emplace_back("Alasan");
        rejects->write_row(h);
    }
    auto reject =
        [&](std::size_t line, const std::vector<TableCell>& cells, std::vector<FieldIssue> issues) {
            ++summary.rejected;
            if (rejects) {
                std::vector<std::string> r;
                for (const auto& c : cells) {
                    r.push_back(c.text);
                }
                r.resize(std::max(r.size(), header.size()));
                r.push_back(std::to_string(line));
                r.push_back(reasons_text(issues));
                rejects->write_row(r);
            }
            if (summary.rejects.size() < kMaxReported) {
                summary.rejects.push_back({line, std::move(issues)});
            }
        };

    // Likely duplicates: same folded name and birth date (or with day and month swapped) as a
    // stored person or an earlier row, under another NIK. Reported, not stored: the review
    // queue of the integrity module decides. With the registry's index (options.registry) the
    // stored persons are compared by the linkage engine instead, and this map holds only the
    // file's own rows.
    std::unordered_map<std::string, std::string> seen_people; // key -> NIK
    if (options.registry == nullptr) {
        store::PersonQuery q;
        q.limit = 1000;
        while (true) {
            auto page = store.list_persons(q);
            if (!page) {
                return fail(std::move(page).error());
            }
            for (const auto& rec : page->items) {
                seen_people.emplace(duplicate_key(rec.person, false), rec.person.nik);
            }
            if (page->next_cursor.empty()) {
                break;
            }
            q.cursor = page->next_cursor;
        }
    }
    std::unordered_map<std::string, std::size_t> nik_rows; // NIK -> first row in this file
    // Sized for the whole file at once: rehashing maps of a million entries is not free.
    seen_people.reserve(seen_people.size() + table.estimated_rows());
    nik_rows.reserve(table.estimated_rows());

    const auto today = core::wita_date(clock.now());
    store::WriteContext ctx{
        actor.id, actor.source, clock.now(), "impor " + file.filename().string()};

    // Two stages on two threads: a reader thread parses, converts and checks rows into
    // batches, has the store seal them (prepare_import: encryption, blind indexes, the stored
    // document) and draws their new ids; this thread writes each batch in one store
    // transaction. The writer is
    // the slower stage, so everything that can leave it does. The queue holds at most two
    // batches, so memory stays bounded whatever the file's size.
    struct Batch {
        std::vector<store::ImportItem> items; ///< until prepared; kept for a dry run
        std::unique_ptr<store::PreparedImport> prepared;
        std::vector<core::PersonId> new_ids; ///< one per prepared row, used for new NIKs
        std::vector<PendingRow> pending;
    };

    std::mutex mutex;
    std::condition_variable changed_cv;
    std::deque<Batch> queue;
    std::vector<Batch> spent; // written batches: the reader thread frees them, not the writer
    bool producer_done = false;
    bool consumer_failed = false;
    std::optional<Error> read_error;
    std::atomic<std::size_t> rows_read{0};
    constexpr std::size_t kQueueBatches = 2;

    std::vector<Proposal> proposals; // written by the writer (this thread) only
    std::optional<DuplicateCheck> registry;
    if (options.registry != nullptr) {
        registry.emplace(store, *options.registry);
    }

    auto produce = [&] {
        Batch batch;
        batch.items.reserve(options.batch_size);
        // The batches the writer is done with are freed on this thread: freeing them took the
        // writer a few percent of its time.
        auto free_spent = [&] {
            std::vector<Batch> written;
            const std::lock_guard lock(mutex);
            written.swap(spent);
            return written;
        };
        auto push = [&](bool last) {
            free_spent().clear();
            if (!options.dry_run && !batch.items.empty()) {
                batch.prepared = store.prepare_import(std::move(batch.items));
                batch.new_ids.reserve(batch.prepared->size());
                for (std::size_t i = 0; i < batch.prepared->size(); ++i) {
                    batch.new_ids.emplace_back(ids.next(ctx.at));
                }
            }
            std::unique_lock lock(mutex);
            changed_cv.wait(lock, [&] { return queue.size() < kQueueBatches || consumer_failed; });
            if (!batch.pending.empty() && !consumer_failed) {
                queue.push_back(std::move(batch));
            }
            batch = Batch{};
            batch.items.reserve(last ? 0 : options.batch_size);
            producer_done = last;
            changed_cv.notify_all();
            return !consumer_failed;
        };
        while (true) {
            auto more = table.next(row, row_number);
            if (!more || !*more) {
                if (!more) {
                    // A file broken part-way (unterminated quote): what came before is kept.
                    const std::lock_guard lock(mutex);
                    read_error = std::move(more).error();
                }
                push(true);
                // Freed here, while the writer finishes, rather than at the end of the import.
                const auto forget = [](auto& map) {
                    [[maybe_unused]] const auto gone = std::move(map);
                };
                forget(seen_people);
                forget(nik_rows);
                return;
            }
            ++summary.rows;
            rows_read.store(summary.rows, std::memory_order_relaxed);
            auto conv = row_to_person(row, columns, header, ref.regions, ref.city_code);
            auto check = check_person_full(conv.person, ref, today);
            std::vector<FieldIssue> errors = std::move(conv.errors);
            // Cell errors already name the column; keep the rule errors that add something.
            for (auto& e : check.errors) {
                const bool same =
                    std::any_of(errors.begin(), errors.end(), [&](const FieldIssue& x) {
                        return x.code == e.code;
                    });
                if (!same) {
                    errors.push_back(std::move(e));
                }
            }
            // An account limited to some areas imports only into them, as PersonService::create
            // refuses a person outside them.
            if (errors.empty() && !actor.scope_area_codes.empty() &&
                std::none_of(actor.scope_area_codes.begin(),
                             actor.scope_area_codes.end(),
                             [&](const std::string& area) {
                                 return core::code_within(conv.person.address.kelurahan_code, area);
                             })) {
                // Named as the file names the column, as the cell errors are.
                const int at = columns.index[static_cast<std::size_t>(PersonColumn::Kelurahan)];
                errors.push_back(
                    {at >= 0 && static_cast<std::size_t>(at) < header.size()
                         ? std::string(core::trim(header[static_cast<std::size_t>(at)].text))
                         : std::string(column_title(PersonColumn::Kelurahan)),
                     ErrorCode::Forbidden,
                     conv.person.address.kelurahan_code});
            }
            if (errors.empty()) {
                const auto [it, inserted] = nik_rows.emplace(conv.person.nik, row_number);
                if (!inserted) {
                    errors.push_back(
                        {"NIK", ErrorCode::DuplicateNik, "baris " + std::to_string(it->second)});
                }
            }
            if (!errors.empty()) {
                reject(row_number, row, std::move(errors));
                continue;
            }
            auto& person = conv.person;
            std::vector<FieldIssue> warnings = std::move(conv.warnings);
            std::vector<DuplicateMatch> registry_matches;
            warnings.insert(warnings.end(), check.warnings.begin(), check.warnings.end());
            person.confirmed_warnings.clear();
            for (const auto& w : warnings) {
                person.confirmed_warnings.emplace_back(error_info(w.code).id);
            }
            auto& cw = person.confirmed_warnings;
            std::sort(cw.begin(), cw.end());
            cw.erase(std::unique(cw.begin(), cw.end()), cw.end());
            person.warning_reason = cw.empty() ? "" : "diterima saat impor";
            // The NIK of another person seen under `k`, or null.
            const auto other_nik = [&](const std::string& k) -> const std::string* {
                const auto found = k.empty() ? seen_people.end() : seen_people.find(k);
                return found != seen_people.end() && found->second != person.nik ? &found->second
                                                                                 : nullptr;
            };
            std::string key = duplicate_key(person, false);
            const std::string* other = other_nik(key);
            if (other == nullptr) {
                other = other_nik(duplicate_key(person, true));
            }
            if (other != nullptr) {
                warnings.push_back(
                    {"Nama Lengkap", ErrorCode::PossibleDuplicate, core::mask_id_number(*other)});
            }
            if (registry) {
                auto matches = registry->find(person);
                if (!matches) {
                    {
                        const std::lock_guard lock(mutex);
                        read_error = std::move(matches).error();
                    }
                    push(true);
                    return;
                }
                for (const auto& m : *matches) {
                    warnings.push_back(duplicate_warning(m, actor, "Nama Lengkap"));
                }
                registry_matches = std::move(*matches);
            }
            seen_people.emplace(std::move(key), person.nik);
            std::string kelurahan =
                registry_matches.empty() ? std::string() : person.address.kelurahan_code;
            store::ImportItem item;
            item.kecamatan_code = core::kecamatan_of(person.address.kelurahan_code);
            item.person = std::move(person);
            item.update_if_changed = options.update;
            batch.items.push_back(std::move(item));
            batch.pending.push_back({row_number,
                                     std::move(warnings),
                                     std::move(registry_matches),
                                     std::move(kelurahan)});
            if (batch.items.size() >= options.batch_size && !push(false)) {
                return;
            }
        }
    };

    auto write = [&](Batch& batch) -> Result<void> {
        std::vector<store::ImportResult> results;
        if (options.dry_run) {
            for (const auto& item : batch.items) {
                auto found = store.find_person_by_nik(item.person.nik);
                if (!found) {
                    return fail(std::move(found).error());
                }
                store::ImportResult r;
                r.action = !*found                           ? store::ImportAction::Created
                           : (*found)->person == item.person ? store::ImportAction::Unchanged
                           : options.update                  ? store::ImportAction::Updated
                                                             : store::ImportAction::Changed;
                results.push_back(r);
            }
        } else {
            auto written = store.import_prepared(*batch.prepared, batch.new_ids, ctx);
            if (!written) {
                return fail(std::move(written).error());
            }
            results = std::move(*written);
        }
        for (std::size_t i = 0; i < results.size(); ++i) {
            auto& pending = batch.pending[i];
            switch (results[i].action) {
            case store::ImportAction::Created:
                ++summary.created;
                break;
            case store::ImportAction::Unchanged:
                ++summary.unchanged;
                break;
            case store::ImportAction::Updated:
                ++summary.updated;
                break;
            case store::ImportAction::Changed:
                ++summary.changed;
                if (summary.changes.size() < kMaxReported) {
                    summary.changes.push_back(
                        {pending.row, {{"NIK", ErrorCode::ImportRowChanged, ""}}});
                }
                break;
            }
            if (!pending.matches.empty() && !options.dry_run &&
                (results[i].action == store::ImportAction::Created ||
                 results[i].action == store::ImportAction::Updated)) {
                Proposal p;
                p.record.id = results[i].id;
                // (batch.items were moved into the prepared batch: the row's own copy.)
                p.record.person.address.kelurahan_code = std::move(pending.kelurahan_code);
                p.matches = std::move(pending.matches);
                proposals.push_back(std::move(p));
            }
            if (!pending.warnings.empty() && results[i].action != store::ImportAction::Unchanged) {
                ++summary.warned;
                if (summary.warnings.size() < kMaxReported) {
                    summary.warnings.push_back({pending.row, std::move(pending.warnings)});
                }
            }
        }
        return {};
    };

    const std::size_t total = table.estimated_rows();
    std::thread producer(produce);
    std::optional<Error> write_error;
    while (true) {
        Batch batch;
        {
            std::unique_lock lock(mutex);
            changed_cv.wait(lock, [&] { return !queue.empty() || producer_done; });
            if (queue.empty()) {
                break;
            }
            batch = std::move(queue.front());
            queue.pop_front();
            changed_cv.notify_all();
        }
        if (auto r = write(batch); !r) {
            write_error = std::move(r).error();
            const std::lock_guard lock(mutex);
            consumer_failed = true;
            changed_cv.notify_all();
            break;
        }
        {
            const std::lock_guard lock(mutex);
            spent.push_back(std::move(batch));
        }
        if (options.progress) {
            const auto done = rows_read.load(std::memory_order_relaxed);
            options.progress(done, std::max(total, done));
        }
    }
    producer.join();
    if (write_error) {
        return fail(std::move(*write_error));
    }
    // The rows are written: their possible duplicates go to the review queue (best effort, as
    // at registration: a pair that could not be queued is found by the next scan).
    for (const auto& p : proposals) {
        (void)propose_duplicates(store, ids, ctx, p.record, p.matches, "impor");
    }
    if (read_error) {
        return fail(std::move(*read_error));
    }
    if (options.progress) {
        options.progress(summary.rows, summary.rows);
    }
    return summary;
}

} // namespace kapal::service
