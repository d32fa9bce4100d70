#include "kapal/cli/commands.hpp"

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{"Kapal Si Geo — registry and card for persons with disabilities"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("kapal 0.1.0"));
    kapal::cli::Action action;
    kapal::cli::add_init(app, action);
    kapal::cli::add_serve(app, action);
    kapal::cli::add_demo_data(app, action);
    kapal::cli::add_import(app, action);
    kapal::cli::add_export(app, action);
    kapal::cli::add_check(app, action);
    kapal::cli::add_user(app, action);
    kapal::cli::add_token(app, action);
    kapal::cli::add_routes(app, action);
    kapal::cli::add_route(app, action);
    kapal::cli::add_hazard(app, action);
    kapal::cli::add_facility(app, action);
    kapal::cli::add_audit(app, action);
    kapal::cli::add_duplicates(app, action);
    kapal::cli::add_report(app, action);
    kapal::cli::add_keys(app, action);
    kapal::cli::add_card(app, action);
    kapal::cli::add_migrate_store(app, action);
    kapal::cli::add_province(app, action);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        return action ? action() : 64;
    } catch (const std::exception& e) {
        // Last resort: library code returns errors as values; this is a bug.
        std::cerr << "kapal: internal error: " << e.what() << "\n";
        return 70;
    }
}
