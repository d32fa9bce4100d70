#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"

#include <iostream>

namespace kapal::cli {

void add_check(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("check", "Check the store's integrity");
    auto dir = std::make_shared<std::string>();
    cmd->add_option("--data", *dir, "Data directory")->required();
    cmd->callback([&action, dir] {
        action = [dir] {
            auto opened = app::Application::open(*dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto& a = **opened;
            if (auto ok = a.store().check_integrity(); !ok) {
                return report_error(ok.error());
            }
            const auto info = a.store().info();
            std::cout << "ok: " << info.backend << " store at " << info.location << ", schema "
                      << info.schema_version << ", " << info.persons << " persons, " << info.users
                      << " users\n";
            return 0;
        };
    });
}

} // namespace kapal::cli
