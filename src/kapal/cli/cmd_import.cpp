#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/service/import_service.hpp"

#include <unistd.h>

#include <iostream>

namespace kapal::cli {
namespace {

void print_rows(const char* title, const std::vector<service::RowReport>& rows, std::size_t total) {
    if (rows.empty()) {
        return;
    }
    std::cout << title << ":\n";
    constexpr std::size_t kShown = 20;
    for (std::size_t i = 0; i < rows.size() && i < kShown; ++i) {
        std::cout << "  baris " << rows[i].row << ": ";
        for (std::size_t j = 0; j < rows[i].issues.size(); ++j) {
            std::cout << (j > 0 ? "; " : "") << service::describe_issue(rows[i].issues[j]);
        }
        std::cout << "\n";
    }
    if (total > kShown) {
        std::cout << "  ... dan " << (total - kShown) << " baris lain\n";
    }
}

} // namespace

void add_import(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("import", "Import data from CSV or XLSX files");
    cmd->require_subcommand(1);

    auto* persons = cmd->add_subcommand("persons", "Import persons from a CSV or XLSX file");

    struct Opts {
        std::string file, dir, rejects;
        bool dry_run = false, update = false, no_registry_check = false;
    };

    auto o = std::make_shared<Opts>();
    persons->add_option("FILE", o->file, "CSV or XLSX file")->required()->check(CLI::ExistingFile);
    persons->add_option("--data", o->dir, "Data directory")->required();
    persons->add_flag("--dry-run", o->dry_run, "Check and count only; write nothing");
    persons->add_option("--rejects", o->rejects, "Write rejected rows, with reasons, to this CSV");
    persons->add_flag("--update", o->update, "Apply rows that differ from the stored person");
    persons->add_flag("--no-registry-check",
                      o->no_registry_check,
                      "Do not compare each row with the registry for possible duplicates (rows "
                      "are still compared with each other): for a first bulk load, which the "
                      "check slows down (one store read per likely candidate)");
    persons->callback([&action, o] {
        action = [o] {
            auto opened = app::Application::open(o->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto& a = **opened;
            // The registry's blocking keys, for the duplicate check of each row.
            if (!o->no_registry_check) {
                if (auto loaded = a.person_index().catch_up(); !loaded) {
                    return report_error(loaded.error());
                }
            }
            Progress progress("impor");
            service::ImportOptions options;
            options.dry_run = o->dry_run;
            options.update = o->update;
            options.rejects_file = o->rejects;
            options.registry = o->no_registry_check ? nullptr : &a.person_index().duplicates();
            options.progress = [&progress](std::size_t done, std::size_t total) {
                progress.update(done, total);
            };
            const service::Actor actor = app::Application::cli_actor();
            auto summary = service::import_persons(
                o->file, a.store(), a.reference(), a.clock(), a.ids(), actor, options);
            progress.finish();
            if (!summary) {
                return report_error(summary.error());
            }
            const auto& s = *summary;
            print_rows("Ditolak (tidak diimpor)", s.rejects, s.rejected);
            print_rows("Peringatan (tetap diimpor)", s.warnings, s.warned);
            print_rows("Berbeda dengan data tersimpan (pakai --update untuk menerapkan)",
                       s.changes,
                       s.changed);
            if (!s.unknown_columns.empty()) {
                std::cout << "Kolom tidak dikenal (diabaikan):";
                for (const auto& c : s.unknown_columns) {
                    std::cout << " \"" << c << "\"";
                }
                std::cout << "\n";
            }
            std::cout << (o->dry_run ? "Uji coba (tidak ada yang disimpan): " : "Ringkasan: ")
                      << s.rows << " baris; " << s.created << " baru, " << s.unchanged << " sama, "
                      << s.updated << " diperbarui, " << s.changed << " berbeda, " << s.rejected
                      << " ditolak, " << s.warned << " dengan peringatan.\n";
            if (s.rejected > 0 && !o->rejects.empty()) {
                std::cout << "Baris yang ditolak ada di " << o->rejects
                          << ": perbaiki lalu impor lagi.\n";
            }
            return 0;
        };
    });

    auto* tmpl = cmd->add_subcommand("template", "Write the import template (CSV or XLSX)");
    auto out = std::make_shared<std::string>("template-penyandang-disabilitas.xlsx");
    tmpl->add_option("--out", *out, "File to write; .xlsx or .csv");
    tmpl->callback([&action, out] {
        action = [out] {
            auto written = service::write_import_template(*out);
            if (!written) {
                return report_error(written.error());
            }
            std::cout << "Template written to " << *out << "\n";
            return 0;
        };
    });
}

} // namespace kapal::cli
