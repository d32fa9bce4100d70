#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"

#include <charconv>
#include <iostream>
#include <string>

namespace kapal::cli {
namespace {

/// "30d", "12h" or "45m" as seconds; nullopt for anything else.
std::optional<std::chrono::seconds> parse_lifetime(std::string_view text) {
    if (text.size() < 2) {
        return std::nullopt;
    }
    long long n = 0;
    const auto* end = text.data() + text.size() - 1;
    const auto [ptr, ec] = std::from_chars(text.data(), end, n);
    if (ec != std::errc{} || ptr != end || n <= 0 || n > 100000) {
        return std::nullopt;
    }
    switch (text.back()) {
    case 'd':
        return std::chrono::seconds(n * 86400);
    case 'h':
        return std::chrono::seconds(n * 3600);
    case 'm':
        return std::chrono::seconds(n * 60);
    default:
        return std::nullopt;
    }
}

} // namespace

void add_token(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("token", "API tokens for machine clients");
    cmd->require_subcommand(1);

    struct Opts {
        std::string dir, username, name, expires = "30d", role, id;
        std::vector<std::string> areas;
    };

    auto o = std::make_shared<Opts>();

    auto* create = cmd->add_subcommand("create", "Make a token (printed once, stored hashed)");
    create->add_option("--data", o->dir, "Data directory")->required();
    create->add_option("--user", o->username, "The account the token acts as")->required();
    create->add_option("--name", o->name, "What the token is for, e.g. \"sinkron DTKS\"");
    create->add_option("--expires", o->expires, "Lifetime: 30d (default), 12h, 90m; at most 365d");
    create->add_option("--role", o->role, "The user's role (default) or viewer (read-only)");
    create->add_option("--area", o->areas, "Narrow to an area within the user's (repeatable)");
    create->callback([&action, o] {
        action = [o] {
            const auto lifetime = parse_lifetime(o->expires);
            if (!lifetime) {
                return report_error({ErrorCode::InvalidArgument,
                                     "--expires must be like 30d, 12h or 90m, not " + o->expires,
                                     {}});
            }
            service::TokenRequest request;
            request.username = o->username;
            request.name = o->name;
            request.area_codes = o->areas;
            request.lifetime = *lifetime;
            if (!o->role.empty()) {
                request.role = core::parse_role(o->role);
                if (!request.role) {
                    return report_error({ErrorCode::RoleInvalid, "unknown role " + o->role, {}});
                }
            }
            auto a = app::Application::open(o->dir);
            if (!a) {
                return report_error(a.error());
            }
            if (!o->areas.empty()) {
                if (auto r = core::check_area_codes(o->areas, (*a)->reference().regions); !r) {
                    return report_error(r.error());
                }
            }
            auto made = (*a)->auth().create_token(request, app::Application::cli_actor());
            if (!made) {
                return report_error(made.error());
            }
            std::cerr << "Token " << made->record.id << " for '" << o->username << "' ("
                      << core::to_string(made->record.role) << "), valid until "
                      << core::format_timestamp(made->record.expires_at)
                      << ". Shown only now; send it as: Authorization: Bearer <token>\n";
            std::cout << made->token << "\n";
            return 0;
        };
    });

    auto* list = cmd->add_subcommand("list", "List tokens (never their secrets)");
    list->add_option("--data", o->dir, "Data directory")->required();
    list->add_option("--user", o->username, "Only this account's tokens");
    list->callback([&action, o] {
        action = [o] {
            auto a = app::Application::open(o->dir);
            if (!a) {
                return report_error(a.error());
            }
            auto tokens = (*a)->auth().tokens(o->username);
            if (!tokens) {
                return report_error(tokens.error());
            }
            const auto now = (*a)->clock().now();
            for (const auto& t : *tokens) {
                std::string areas;
                for (const auto& c : t.area_codes) {
                    areas += (areas.empty() ? "" : ",") + c;
                }
                const char* state = t.revoked_at          ? "revoked"
                                    : now >= t.expires_at ? "expired"
                                                          : "active";
                std::cout << t.id << "\t" << t.user_id << "\t" << core::to_string(t.role) << "\t"
                          << (areas.empty() ? "*" : areas) << "\t" << state << "\t"
                          << core::format_timestamp(t.expires_at) << "\t" << t.name << "\n";
            }
            return 0;
        };
    });

    auto* revoke = cmd->add_subcommand("revoke", "Revoke a token at once");
    revoke->add_option("--data", o->dir, "Data directory")->required();
    revoke->add_option("--id", o->id, "The token's id (from `kapal token list`)")->required();
    revoke->callback([&action, o] {
        action = [o] {
            auto a = app::Application::open(o->dir);
            if (!a) {
                return report_error(a.error());
            }
            if (auto r = (*a)->auth().revoke_token(o->id, app::Application::cli_actor()); !r) {
                return report_error(r.error());
            }
            std::cout << "Token " << o->id << " revoked.\n";
            return 0;
        };
    });
}

} // namespace kapal::cli
