#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"

#include <iostream>

namespace kapal::cli {

void add_serve(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("serve", "Serve the web app and the API");

    struct Opts {
        std::string dir, listen, cert, key;
    };

    auto o = std::make_shared<Opts>();
    cmd->add_option("--data", o->dir, "Data directory")->required();
    cmd->add_option("--listen", o->listen, "HOST:PORT (default from config, 127.0.0.1:8080)");
    cmd->add_option("--tls-cert", o->cert, "PEM certificate chain: serve HTTPS");
    cmd->add_option("--tls-key", o->key, "PEM private key for --tls-cert");
    cmd->callback([&action, o] {
        action = [o] {
            auto application = app::Application::open(o->dir);
            if (!application) {
                return report_error(application.error());
            }
            auto& a = **application;
            // Command-line values win over the config file for this run only.
            auto& config = a.config();
            if (!o->listen.empty()) {
                config.listen = o->listen;
            }
            if (!o->cert.empty() || !o->key.empty()) {
                if (o->cert.empty() || o->key.empty()) {
                    return report_error(
                        {ErrorCode::InvalidArgument, "--tls-cert and --tls-key go together", {}});
                }
                config.tls_cert = o->cert;
                config.tls_key = o->key;
            }
            auto served = app::serve(
                a,
                [](const std::string& url) {
                    std::cout << "Kapal Si Geo is serving on " << url << std::endl;
                },
                [&a](std::string_view message) {
                    // One line per event, UTC time first; the server never passes request data.
                    std::cerr << core::format_timestamp(a.clock().now()) << " " << message
                              << std::endl;
                });
            if (!served) {
                return report_error(served.error());
            }
            std::cout << "Stopped." << std::endl;
            return 0;
        };
    });
}

} // namespace kapal::cli
