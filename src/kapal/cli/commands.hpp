#pragma once
// The `kapal` subcommands. Each registers itself on the CLI11 app and runs through `app` and
// `service`; printing happens here and nowhere below.

#include "kapal/core/error.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace kapal::cli {

/// What a subcommand does once its options are parsed; returns the process exit code.
using Action = std::function<int()>;

void add_init(CLI::App& app, Action& action);
void add_serve(CLI::App& app, Action& action);
void add_demo_data(CLI::App& app, Action& action);
void add_import(CLI::App& app, Action& action);
void add_export(CLI::App& app, Action& action);
void add_check(CLI::App& app, Action& action);
void add_user(CLI::App& app, Action& action);
void add_token(CLI::App& app, Action& action);
void add_routes(CLI::App& app, Action& action);
void add_route(CLI::App& app, Action& action);
void add_hazard(CLI::App& app, Action& action);
void add_facility(CLI::App& app, Action& action);
void add_audit(CLI::App& app, Action& action);
void add_duplicates(CLI::App& app, Action& action);
void add_report(CLI::App& app, Action& action);
void add_keys(CLI::App& app, Action& action);
void add_card(CLI::App& app, Action& action);
void add_migrate_store(CLI::App& app, Action& action);
void add_province(CLI::App& app, Action& action);

/// Prints an error (Indonesian title, English detail, field issues) to stderr and returns the
/// catalogue's exit code for it.
int report_error(const Error& error);

/// Writes `bytes` to the file `out`, or to standard output when `out` is empty or "-"; returns 0,
/// or reports an Io error and returns its exit code.
int write_output(const std::string& bytes, const std::string& out);

/// A progress bar on stderr when it is a terminal; silent otherwise.
class Progress {
  public:
    explicit Progress(std::string label);
    void update(std::size_t done, std::size_t total);
    void finish();

  private:
    std::string label_;
    bool tty_;
    int last_percent_ = -1;
};

} // namespace kapal::cli
