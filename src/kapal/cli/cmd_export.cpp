#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/service/export_service.hpp"

#include <iostream>

namespace kapal::cli {

void add_export(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("export", "Export data");
    cmd->require_subcommand(1);
    auto* persons = cmd->add_subcommand("persons", "Export persons as CSV or XLSX");

    struct Opts {
        std::string dir, format = "csv", out;
        bool with_nik = false;
    };

    auto o = std::make_shared<Opts>();
    persons->add_option("--data", o->dir, "Data directory")->required();
    persons->add_option("--format", o->format, "csv or xlsx")
        ->check(CLI::IsMember({"csv", "xlsx"}));
    persons->add_option("--out", o->out, "Output file (default persons.<format>)");
    persons->add_flag("--with-nik",
                      o->with_nik,
                      "Write NIK and KK in clear (default: masked). Handle the file as secret.");
    persons->callback([&action, o] {
        action = [o] {
            auto opened = app::Application::open(o->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto& a = **opened;
            const std::string out = o->out.empty() ? "persons." + o->format : o->out;
            service::ExportOptions options;
            options.format =
                o->format == "xlsx" ? service::ExportFormat::Xlsx : service::ExportFormat::Csv;
            options.clear_ids = o->with_nik;
            auto count = service::export_persons(out, a.store(), a.reference(), options);
            if (!count) {
                return report_error(count.error());
            }
            if (o->with_nik) {
                // A bulk reveal: recorded like every unmasked read.
                const auto actor = app::Application::cli_actor();
                store::AuditEntry entry;
                entry.actor = actor.id;
                entry.source = actor.source;
                entry.action = "person.export_unmasked";
                entry.detail = "persons=" + std::to_string(*count) + " file=" + out;
                if (auto logged = a.store().append_audit(entry); !logged) {
                    return report_error(logged.error());
                }
            }
            std::cout << *count << " persons written to " << out
                      << (o->with_nik ? " (NIK and KK IN CLEAR: keep the file safe)" : "") << "\n";
            return 0;
        };
    });
}

} // namespace kapal::cli
