#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"

#include <iostream>

namespace kapal::cli {

void add_keys(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand(
        "keys", "Manage the encryption and blind-index keys, and the card signing key");
    cmd->require_subcommand(1);

    struct Opts {
        std::string dir, reason;
        bool card = false;
    };

    auto o = std::make_shared<Opts>();
    auto* rotate = cmd->add_subcommand(
        "rotate", "New keys: re-encrypt every NIK and KK and rebuild the blind indexes");
    rotate->add_option("--data", o->dir, "Data directory")->required();
    rotate->add_option("--reason", o->reason, "Why (recorded in the audit log)");
    rotate->add_flag("--card",
                     o->card,
                     "Rotate the card signing key instead: new cards are signed with a new key; "
                     "the old public key stays published so that issued cards still verify");
    rotate->callback([&action, o] {
        action = [o] {
            auto a = app::Application::open(o->dir);
            if (!a) {
                return report_error(a.error());
            }
            if (o->card) {
                const auto previous = (*a)->card_key().kid;
                auto key = (*a)->rotate_card_key(o->reason);
                if (!key) {
                    return report_error(key.error());
                }
                std::cout << "Card key rotated: new cards are signed with kid " << key->kid
                          << ". The previous key (kid " << previous << ") stays in " << o->dir
                          << "/keys/card-keys.txt and at /.well-known/kapal-keys.json, so cards "
                             "signed with it still verify; its private key was deleted.\n";
                return 0;
            }
            auto values = (*a)->rotate_keys(o->reason);
            if (!values) {
                return report_error(values.error());
            }
            std::cout << "Keys rotated: " << *values << " NIK/KK values re-encrypted.\n"
                      << "The old keys are kept as " << o->dir
                      << "/keys/*.retired-<time>: backups made before today need them. Move them "
                         "offline with those backups (or destroy both if the old keys leaked), "
                         "and back up the new keys now.\n";
            return 0;
        };
    });
}

} // namespace kapal::cli
