#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/service/duplicate_review.hpp"

#include <cstdio>
#include <iostream>

namespace kapal::cli {

namespace {

void add_scan_command(CLI::App& cmd, Action& action) {
    auto* sub = cmd.add_subcommand(
        "scan",
        "Compare every active person with the others (blocking, as docs/integrity.md says) and "
        "put the likely duplicates into the review queue; pairs already known or decided stay "
        "as they are");
    auto dir = std::make_shared<std::string>();
    sub->add_option("--data", *dir, "Data directory")->required();
    sub->callback([&action, dir] {
        action = [dir] {
            auto opened = app::Application::open(*dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto outcome = (*opened)->duplicates().scan(app::Application::cli_actor());
            if (!outcome) {
                return report_error(outcome.error());
            }
            std::cout << "persons " << outcome->persons << "\ncompared " << outcome->compared
                      << "\nfound " << outcome->found << "\nadded " << outcome->added << "\n";
            return 0;
        };
    });
}

void add_list_command(CLI::App& cmd, Action& action) {
    auto* sub = cmd.add_subcommand("list", "List the review queue, oldest first");

    struct Opts {
        std::string dir;
        std::string state = "terbuka";
    };

    auto o = std::make_shared<Opts>();
    sub->add_option("--data", o->dir, "Data directory")->required();
    sub->add_option("--state", o->state, "terbuka, digabung, berbeda, or all")
        ->check(CLI::IsMember({"terbuka", "digabung", "berbeda", "all"}));
    sub->callback([&action, o] {
        action = [o] {
            auto opened = app::Application::open(o->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            store::DuplicatePairQuery query;
            query.state = o->state == "all" ? "" : o->state;
            query.limit = 1000;
            for (;;) {
                auto page = (*opened)->duplicates().list(query, app::Application::cli_actor());
                if (!page) {
                    return report_error(page.error());
                }
                for (const auto& p : page->items) {
                    char score[16];
                    std::snprintf(score, sizeof score, "%.1f", p.score);
                    std::cout << p.id << "  " << p.state << "  " << score << "  "
                              << p.person_a.str() << "  " << p.person_b.str() << "  " << p.source
                              << "\n";
                }
                if (page->next_cursor.empty()) {
                    break;
                }
                query.cursor = page->next_cursor;
            }
            return 0;
        };
    });
}

} // namespace

void add_duplicates(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand(
        "duplicates", "The duplicate review queue: scan the registry for likely duplicates, list");
    cmd->require_subcommand(1);
    add_scan_command(*cmd, action);
    add_list_command(*cmd, action);
}

} // namespace kapal::cli
