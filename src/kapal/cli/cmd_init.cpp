#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"

#include <iostream>

namespace kapal::cli {

void add_init(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("init", "Create a data directory: keys, config and store");
    auto dir = std::make_shared<std::string>();
    auto store = std::make_shared<std::string>();
    cmd->add_option("--data", *dir, "Data directory")->required();
    cmd->add_option("--store", *store, "Store location (default sqlite:store.db)");
    cmd->callback([&action, dir, store] {
        action = [dir, store] {
            auto config = app::init_data_dir(*dir, {*store});
            if (!config) {
                return report_error(config.error());
            }
            std::cout << "Initialised " << *dir << " (store " << config->store << ").\n"
                      << "Keys are in " << *dir << "/keys: back them up; without them the NIK "
                      << "and KK numbers in the store cannot be read.\n";
            return 0;
        };
    });
}

} // namespace kapal::cli
