#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"

#include <iostream>

namespace kapal::cli {

void add_audit(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("audit", "Show the audit log, newest first");

    struct Opts {
        std::string dir;
        store::AuditQuery query;
    };

    auto o = std::make_shared<Opts>();
    cmd->add_option("--data", o->dir, "Data directory")->required();
    cmd->add_option("--actor", o->query.actor, "Only entries of this actor (user id, cli:...)");
    cmd->add_option("--action", o->query.action, "Only this action, e.g. person.unmask");
    cmd->add_option("--subject", o->query.subject, "Only entries about this id");
    cmd->add_option("--limit", o->query.limit, "How many (1..1000, default 100)")
        ->check(CLI::Range(1, 1000));
    cmd->callback([&action, o] {
        action = [o] {
            auto a = app::Application::open(o->dir);
            if (!a) {
                return report_error(a.error());
            }
            auto entries = (*a)->store().list_audit(o->query);
            if (!entries) {
                return report_error(entries.error());
            }
            for (const auto& e : *entries) {
                std::cout << e.seq << "\t" << core::format_timestamp(e.at) << "\t" << e.actor
                          << "\t" << e.source << "\t" << e.action << "\t" << e.subject << "\t"
                          << e.detail << "\n";
            }
            return 0;
        };
    });
}

} // namespace kapal::cli
