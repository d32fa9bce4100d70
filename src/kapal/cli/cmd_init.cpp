#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/service/province_service.hpp"

#include <iostream>

namespace kapal::cli {

void add_init(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("init", "Create a data directory: keys, config and store");
    auto dir = std::make_shared<std::string>();
    auto store = std::make_shared<std::string>();
    auto province = std::make_shared<bool>(false);
    cmd->add_option("--data", *dir, "Data directory")->required();
    cmd->add_option(
        "--store",
        *store,
        "Store location: sqlite:<file> (default sqlite:store.db) or postgresql://<database URI>");
    cmd->add_flag("--province",
                  *province,
                  "A province instance (Kalimantan Timur, 64): imports the kab/kota packages "
                  "(docs/province.md)");
    cmd->callback([&action, dir, store, province] {
        action = [dir, store, province] {
            auto made = app::init_data_dir(*dir, {*store});
            if (!made) {
                return report_error(made.error());
            }
            if (*province) {
                auto opened = app::Application::open(*dir);
                if (!opened) {
                    return report_error(opened.error());
                }
                if (auto p = service::init_province(*dir, (*opened)->reference()); !p) {
                    return report_error(p.error());
                }
                std::cout << "Province instance (64 Kalimantan Timur): the province matching key "
                          << "and signing key are in " << *dir << "/keys.\n";
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
