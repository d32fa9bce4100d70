#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/integrity/audit_log.hpp"

#include <iostream>

namespace kapal::cli {
namespace {

void add_verify_command(CLI::App& cmd, Action& action) {
    auto* sub = cmd.add_subcommand(
        "verify",
        "Check that the audit log is whole: the hash chain from the first entry, and the signed "
        "checkpoints (exit status non-zero on any finding)");

    struct Opts {
        std::string dir, checkpoints, trusted_key;
    };

    auto o = std::make_shared<Opts>();
    sub->add_option("--data", o->dir, "Data directory")->required();
    sub->add_option("--checkpoints",
                    o->checkpoints,
                    "Also compare with checkpoints held elsewhere (a file from `kapal audit "
                    "checkpoints`)");
    sub->add_option("--trusted-key",
                    o->trusted_key,
                    "Accept only checkpoints signed by this public key (64 hex digits)");
    sub->callback([&action, o] {
        action = [o] {
            auto a = app::Application::open(o->dir);
            if (!a) {
                return report_error(a.error());
            }
            auto held = integrity::read_checkpoints(integrity::checkpoints_file(o->dir));
            if (!held) {
                return report_error(held.error());
            }
            if (!o->checkpoints.empty()) {
                auto more = integrity::read_checkpoints(o->checkpoints);
                if (!more) {
                    return report_error(more.error());
                }
                if (more->empty()) {
                    return report_error(Error{ErrorCode::NotFound,
                                              "no checkpoints in " + o->checkpoints,
                                              {{"--checkpoints", ErrorCode::NotFound, ""}}});
                }
                held->insert(held->end(), more->begin(), more->end());
            }
            auto v = integrity::verify_audit_log((*a)->store(), *held, o->trusted_key);
            if (!v) {
                return report_error(v.error());
            }
            for (const auto& f : v->findings) {
                std::cout << "FINDING at entry " << f.seq << ": " << f.message << "\n";
            }
            std::cout << v->entries << " entries chained (last " << v->last_seq << "), "
                      << v->checkpoints_checked << " checkpoint(s) compared\n";
            if (!v->findings.empty()) {
                return report_error(
                    Error{ErrorCode::StoreCorrupt,
                          "the audit log is not whole: " + std::to_string(v->findings.size()) +
                              " finding(s), the first at entry " +
                              std::to_string(v->findings.front().seq),
                          {}});
            }
            std::cout << "The audit log is whole.\n";
            return 0;
        };
    });
}

void add_checkpoint_command(CLI::App& cmd, Action& action) {
    auto* sub = cmd.add_subcommand(
        "checkpoint",
        "Sign a checkpoint of the audit log's newest entry now (kapal serve makes "
        "one at start and every hour)");
    auto dir = std::make_shared<std::string>();
    sub->add_option("--data", *dir, "Data directory")->required();
    sub->callback([&action, dir] {
        action = [dir] {
            auto a = app::Application::open(*dir);
            if (!a) {
                return report_error(a.error());
            }
            auto made = integrity::make_checkpoint((*a)->store(), *dir, (*a)->clock().now());
            if (!made) {
                return report_error(made.error());
            }
            if (!*made) {
                std::cout << "Nothing new: the newest checkpoint already covers the log.\n";
                return 0;
            }
            std::cout << integrity::checkpoint_json(**made) << "\n";
            return 0;
        };
    });
}

void add_checkpoints_command(CLI::App& cmd, Action& action) {
    auto* sub = cmd.add_subcommand(
        "checkpoints",
        "Export the signed checkpoints (JSON lines) for a third party to hold, e.g. the province");

    struct Opts {
        std::string dir, out;
    };

    auto o = std::make_shared<Opts>();
    sub->add_option("--data", o->dir, "Data directory")->required();
    sub->add_option("--out", o->out, "Output file (default: standard output)");
    sub->callback([&action, o] {
        action = [o] {
            auto held = integrity::read_checkpoints(integrity::checkpoints_file(o->dir));
            if (!held) {
                return report_error(held.error());
            }
            std::string text;
            for (const auto& c : *held) {
                text += integrity::checkpoint_json(c) + "\n";
            }
            std::cerr << held->size() << " checkpoint(s)"
                      << (held->empty() ? "" : "; public key " + held->back().public_key) << "\n";
            return write_output(text, o->out);
        };
    });
}

} // namespace

void add_audit(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand(
        "audit", "Show the audit log, newest first; verify it; sign and export checkpoints");
    cmd->require_subcommand(0, 1);

    struct Opts {
        std::string dir;
        store::AuditQuery query;
    };

    auto o = std::make_shared<Opts>();
    cmd->add_option("--data", o->dir, "Data directory (to show the log)");
    cmd->add_option("--actor", o->query.actor, "Only entries of this actor (user id, cli:...)");
    cmd->add_option("--action", o->query.action, "Only this action, e.g. person.unmask");
    cmd->add_option("--subject", o->query.subject, "Only entries about this id");
    cmd->add_option("--limit", o->query.limit, "How many (1..1000, default 100)")
        ->check(CLI::Range(1, 1000));
    add_verify_command(*cmd, action);
    add_checkpoint_command(*cmd, action);
    add_checkpoints_command(*cmd, action);
    cmd->callback([&action, o, cmd] {
        if (!cmd->get_subcommands().empty()) {
            return; // verify, checkpoint or checkpoints set the action
        }
        action = [o] {
            if (o->dir.empty()) {
                return report_error(Error{ErrorCode::InvalidArgument,
                                          "--data is required",
                                          {{"--data", ErrorCode::InvalidArgument, "required"}}});
            }
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
