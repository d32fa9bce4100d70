#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/core/error_code.hpp"
#include "kapal/store/store_transfer.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

namespace kapal::cli {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Progress on stderr, a line per table and step, and every 10 seconds within a long table.
class MigrateProgress {
  public:
    void operator()(store::TransferStep step,
                    store::TransferTable table,
                    std::int64_t done,
                    std::int64_t total) {
        const char* what = step == store::TransferStep::Copy ? "copy  " : "verify";
        const std::string name(store::transfer_table_name(table));
        if (table != table_ || step != step_ || !started_) {
            started_ = true;
            step_ = step;
            table_ = table;
            start_ = Clock::now();
            last_ = start_;
            finished_ = false;
            return;
        }
        const double elapsed = seconds_since(start_);
        if (done == total) {
            if (finished_) {
                return; // the last page and the end of the table report the same
            }
            finished_ = true;
            std::fprintf(stderr,
                         "%s %-17s %12lld rows in %7.1f s%s\n",
                         what,
                         name.c_str(),
                         static_cast<long long>(done),
                         elapsed,
                         rate(done, elapsed).c_str());
        } else if (seconds_since(last_) >= 10) {
            last_ = Clock::now();
            std::fprintf(stderr,
                         "%s %-17s %12lld of %lld rows (%.0f %%)%s\n",
                         what,
                         name.c_str(),
                         static_cast<long long>(done),
                         static_cast<long long>(total),
                         total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total)
                                   : 100.0,
                         rate(done, elapsed).c_str());
        }
        std::fflush(stderr);
    }

  private:
    static std::string rate(std::int64_t rows, double seconds) {
        if (rows < 1000 || seconds <= 0) {
            return "";
        }
        std::array<char, 48> buf{};
        std::snprintf(buf.data(), buf.size(), ", %.0f rows/s", static_cast<double>(rows) / seconds);
        return buf.data();
    }

    bool started_ = false;
    bool finished_ = false;
    store::TransferStep step_ = store::TransferStep::Copy;
    store::TransferTable table_ = store::TransferTable::Persons;
    Clock::time_point start_;
    Clock::time_point last_;
};

void print_report(const store::MigrationReport& r) {
    std::printf("%-17s %13s %13s  %-16s  %-16s\n",
                "table",
                "source rows",
                "target rows",
                "source SHA-256",
                "target SHA-256");
    for (std::size_t i = 0; i < r.source.size(); ++i) {
        const auto& s = r.source[i];
        const auto& t = r.target[i];
        std::printf("%-17s %13lld %13lld  %-16s  %-16s  %s\n",
                    std::string(store::transfer_table_name(s.table)).c_str(),
                    static_cast<long long>(s.rows),
                    static_cast<long long>(t.rows),
                    store::to_hex(s.sha256).substr(0, 16).c_str(),
                    store::to_hex(t.sha256).substr(0, 16).c_str(),
                    s == t ? "ok" : "DIFFERENT");
    }
    std::printf("(SHA-256 of each table's canonical rows: the first 16 of 64 hex digits shown, all "
                "compared)\n");
    std::printf("target keys check:      %s\n",
                r.keys_problem ? r.keys_problem->message.c_str() : "ok");
    std::printf("target integrity check: %s\n",
                r.integrity_problem ? r.integrity_problem->message.c_str() : "ok");
    const auto copied = r.source[static_cast<std::size_t>(store::TransferTable::AuditLog)].rows;
    if (r.source_unchanged()) {
        std::printf("source unchanged during the copy: ok (newest audit seq %lld)\n",
                    static_cast<long long>(r.source_audit_seq_after));
    } else {
        std::printf("source unchanged during the copy: NO — its audit log reached seq %lld, but "
                    "%lld entries were copied: something wrote to it meanwhile\n",
                    static_cast<long long>(r.source_audit_seq_after),
                    static_cast<long long>(copied));
    }
}

} // namespace

void add_migrate_store(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand(
        "migrate-store",
        "Copy every row of a store into a new, empty one (SQLite <-> PostgreSQL) and verify "
        "counts and SHA-256 per table");

    struct Opts {
        std::string dir;
        app::MigrateStoreOptions migrate;
    };

    auto o = std::make_shared<Opts>();
    cmd->add_option("--data", o->dir, "Data directory (its keys; it is locked meanwhile)")
        ->required();
    cmd->add_option("--from", o->migrate.from, "Source store: sqlite:PATH or postgresql://...")
        ->required();
    cmd->add_option("--to",
                    o->migrate.to,
                    "Target store, empty: sqlite:PATH (a new file) or postgresql://... (a new "
                    "database)")
        ->required();
    cmd->add_option("--reason", o->migrate.reason, "Why (recorded in the target's audit log)");
    cmd->add_flag("--switch-config",
                  o->migrate.switch_config,
                  "After a verified migration, make DIR/config use the target store");
    cmd->callback([&action, o] {
        action = [o] {
            std::cerr << "Migrating " << app::redact_store_location(o->migrate.from) << " -> "
                      << app::redact_store_location(o->migrate.to) << " (keys of " << o->dir
                      << "/keys)\n";
            const auto start = Clock::now();
            MigrateProgress progress;
            auto done = app::migrate_store(
                o->dir,
                o->migrate,
                [&progress](store::TransferStep step,
                            store::TransferTable table,
                            std::int64_t rows,
                            std::int64_t total) { progress(step, table, rows, total); });
            if (!done) {
                return report_error(done.error());
            }
            const auto& r = done->report;
            std::cout << "from: " << r.source_info.backend << " " << r.source_info.location
                      << "\nto:   " << r.target_info.backend << " " << r.target_info.location
                      << "\n";
            std::cout.flush();
            print_report(r);
            std::fflush(stdout);
            if (!r.ok()) {
                std::cout << "\nThe migration did NOT pass its checks (" << seconds_since(start)
                          << " s). DIR/config is unchanged and nothing is recorded. The target "
                             "now holds the copy: delete it (the SQLite file, or DROP DATABASE) "
                             "before trying again.\n";
                return report_error(
                    Error{ErrorCode::TransferMismatch, "the target does not match the source", {}});
            }
            std::printf("\nVerified in %.1f s. The target's audit log records it as "
                        "store.migrate, seq %lld.\n",
                        seconds_since(start),
                        static_cast<long long>(r.migrate_audit_seq));
            if (done->config_switched) {
                std::cout << o->dir << "/config now says:\n    "
                          << app::redact_store_location(done->config_line) << "\n(it said: store = "
                          << app::redact_store_location(done->previous_store)
                          << "). Start kapal serve again.\n";
            } else {
                std::cout << "To use the new store, put this line in " << o->dir
                          << "/config in place of 'store = "
                          << app::redact_store_location(done->previous_store)
                          << "', then start kapal serve:\n    "
                          << app::redact_store_location(done->config_line) << "\n";
            }
            return 0;
        };
    });
}

} // namespace kapal::cli
