#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"

#include <iostream>

namespace kapal::cli {

void add_routes(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("routes", "List the HTTP API's routes and who may call them");
    auto dir = std::make_shared<std::string>();
    cmd->add_option("--data", *dir, "Data directory")->required();
    cmd->callback([&action, dir] {
        action = [dir] {
            auto a = app::Application::open(*dir);
            if (!a) {
                return report_error(a.error());
            }
            for (const auto& r : app::describe_routes(**a)) {
                std::cout << r.method << "\t" << r.pattern << "\t" << r.access << "\n";
            }
            return 0;
        };
    });
}

} // namespace kapal::cli
