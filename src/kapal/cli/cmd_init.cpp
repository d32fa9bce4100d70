#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"

#include <iostream>

namespace kapal::cli {

void add_init(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("init", "Create a data directory: keys, config and store");
    auto dir = std::make_shared<std::string>();
    auto store = std::make_shared<std::string>();
    cmd->add_option("--data", *dir, "Data directory")->required();
    cmd->add_option(
        "--store",
        *store,
        "Store location: sqlite:<file> (default sqlite:store.db) or postgresql://<database URI>");
    cmd->callback([&action, dir, store] {
        action = [dir, store] {
            auto made = app::init_data_dir(*dir, {*store});
            if (!made) {
                return report_error(made.error());
            }
            std::cout << "Initialised " << *dir << " (store " << made->config.store << ").\n"
                      << "Keys are in " << *dir << "/keys: back them up; without them the NIK "
                      << "and KK numbers in the store cannot be read.\n"
                      << "First administrator: user '" << made->admin_username << "', password '"
                      << made->admin_password << "'\n"
                      << "  (shown only now; change it with `kapal user passwd --data " << *dir
                      << " --username " << made->admin_username << "`)\n";
            return 0;
        };
    });
}

} // namespace kapal::cli
