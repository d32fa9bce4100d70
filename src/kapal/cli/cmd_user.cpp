#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"

#include <iostream>
#include <string>

namespace kapal::cli {
namespace {

/// The password from the first line of standard input (for scripts: `--password-stdin`).
std::optional<std::string> read_password(bool from_stdin) {
    if (!from_stdin) {
        return std::nullopt;
    }
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    return line;
}

} // namespace

void add_user(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("user", "Manage user accounts");
    cmd->require_subcommand(1);

    struct Opts {
        std::string dir, username, name, role = "viewer";
        std::vector<std::string> areas;
        bool password_stdin = false;
        bool enable = false;
    };

    auto o = std::make_shared<Opts>();
    auto open = [o]() {
        return app::Application::open(o->dir);
    };

    auto* add = cmd->add_subcommand("add", "Add an account (prints a generated password once)");
    add->add_option("--data", o->dir, "Data directory")->required();
    add->add_option("--username", o->username, "User name: a-z, 0-9, '.', '_', '-'")->required();
    add->add_option("--name", o->name, "Display name, e.g. \"Rina (TKSK Bontang Utara)\"");
    add->add_option("--role", o->role, "admin, operator, penyalur, merchant, auditor or viewer");
    add->add_option("--area", o->areas, "Area code the user may see (repeatable), e.g. 64.74.01");
    add->add_flag("--password-stdin", o->password_stdin, "Read the password from stdin");
    add->callback([&action, o, open] {
        action = [o, open] {
            auto a = open();
            if (!a) {
                return report_error(a.error());
            }
            const auto role = core::parse_role(o->role);
            if (!role) {
                return report_error({ErrorCode::RoleInvalid, "unknown role " + o->role, {}});
            }
            auto added = (*a)->users().add(
                {o->username, o->name, *role, o->areas, read_password(o->password_stdin)},
                app::Application::cli_actor());
            if (!added) {
                return report_error(added.error());
            }
            std::cout << "Added " << core::to_string(added->user.role) << " '"
                      << added->user.username << "'.\n";
            if (!added->generated_password.empty()) {
                std::cout << "Password (shown only now): " << added->generated_password << "\n";
            }
            return 0;
        };
    });

    auto* passwd = cmd->add_subcommand("passwd", "Set a new password (generated unless given)");
    passwd->add_option("--data", o->dir, "Data directory")->required();
    passwd->add_option("--username", o->username, "User name")->required();
    passwd->add_flag("--password-stdin", o->password_stdin, "Read the password from stdin");
    passwd->callback([&action, o, open] {
        action = [o, open] {
            auto a = open();
            if (!a) {
                return report_error(a.error());
            }
            auto generated = (*a)->users().set_password(
                o->username, read_password(o->password_stdin), app::Application::cli_actor());
            if (!generated) {
                return report_error(generated.error());
            }
            std::cout << "Password of '" << o->username << "' changed.\n";
            if (!generated->empty()) {
                std::cout << "New password (shown only now): " << *generated << "\n";
            }
            return 0;
        };
    });

    auto* disable = cmd->add_subcommand("disable", "Disable an account (or --enable it again)");
    disable->add_option("--data", o->dir, "Data directory")->required();
    disable->add_option("--username", o->username, "User name")->required();
    disable->add_flag("--enable", o->enable, "Enable the account instead");
    disable->callback([&action, o, open] {
        action = [o, open] {
            auto a = open();
            if (!a) {
                return report_error(a.error());
            }
            if (auto r = (*a)->users().set_disabled(
                    o->username, !o->enable, app::Application::cli_actor());
                !r) {
                return report_error(r.error());
            }
            std::cout << "Account '" << o->username << "' " << (o->enable ? "enabled" : "disabled")
                      << ".\n";
            return 0;
        };
    });

    auto* list = cmd->add_subcommand("list", "List accounts");
    list->add_option("--data", o->dir, "Data directory")->required();
    list->callback([&action, o, open] {
        action = [o, open] {
            auto a = open();
            if (!a) {
                return report_error(a.error());
            }
            auto users = (*a)->users().list();
            if (!users) {
                return report_error(users.error());
            }
            for (const auto& u : *users) {
                std::string areas;
                for (const auto& c : u.area_codes) {
                    areas += (areas.empty() ? "" : ",") + c;
                }
                std::cout << u.username << "\t" << core::to_string(u.role) << "\t"
                          << (areas.empty() ? "*" : areas) << "\t"
                          << (u.disabled ? "disabled" : "active") << "\t" << u.display_name << "\n";
            }
            return 0;
        };
    });
}

} // namespace kapal::cli
