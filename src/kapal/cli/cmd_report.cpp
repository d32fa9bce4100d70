#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/service/facility_service.hpp"
#include "kapal/service/rakor_report.hpp"

#include <fstream>
#include <iostream>

namespace kapal::cli {

namespace {

void add_rakor_command(CLI::App& cmd, Action& action) {
    auto* sub = cmd.add_subcommand(
        "rakor",
        "The report for the provincial coordination meeting (rakor): flows per area, "
        "indicators beside the previous period, the change per month and a map, as PDF or XLSX "
        "(docs/reports.md)");

    struct Opts {
        std::string dir;
        std::string period;
        std::string format = "pdf";
        std::string out;
        std::string level = "kelurahan";
        double far_m = service::kDefaultFarM;
        std::string facility_kind;
    };

    auto o = std::make_shared<Opts>();
    sub->add_option("--data", o->dir, "Data directory")->required();
    sub->add_option(
           "--period", o->period, "A year (2026), a quarter (2026-Q3) or a month (2026-09)")
        ->required();
    sub->add_option("--format", o->format, "pdf or xlsx")->check(CLI::IsMember({"pdf", "xlsx"}));
    sub->add_option("--out", o->out, "The file to write (default: laporan-rakor-PERIOD.FORMAT)");
    sub->add_option("--level", o->level, "The areas of the detailed tables")
        ->check(CLI::IsMember({"kota", "kecamatan", "kelurahan"}));
    sub->add_option("--far-m", o->far_m, "A home farther than this from every facility is far")
        ->check(CLI::Range(1.0, service::kMaxCoverageM));
    sub->add_option("--facility-kind", o->facility_kind, "Only facilities of this kind");
    sub->callback([&action, o] {
        action = [o] {
            const auto period = service::parse_period(o->period);
            if (!period) {
                return report_error(Error{ErrorCode::InvalidArgument,
                                          "--period: a year (2026), a quarter (2026-Q3) or a "
                                          "month (2026-09), not \"" +
                                              o->period + "\"",
                                          {}});
            }
            auto opened = app::Application::open(o->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto& application = **opened;
            service::RakorOptions options;
            options.period = *period;
            options.level = *service::parse_area_level(o->level);
            options.indicators.far_m = o->far_m;
            options.indicators.facility_kind = o->facility_kind;
            auto report = service::gather_rakor(application.store(),
                                                application.reference(),
                                                app::Application::cli_actor(),
                                                options,
                                                application.clock(),
                                                [](int step, int steps, std::string_view what) {
                                                    std::cerr << "[" << step << "/" << steps << "] "
                                                              << what << "\n";
                                                });
            if (!report) {
                return report_error(report.error());
            }
            const std::string out =
                o->out.empty() ? service::rakor_file_stem(*report) + "." + o->format : o->out;
            std::cerr << "Menulis " << out << "\n";
            if (o->format == "xlsx") {
                auto written = service::write_rakor_xlsx(*report, out);
                if (!written) {
                    return report_error(written.error());
                }
            } else {
                auto pdf = service::rakor_pdf(*report, application.reference());
                if (!pdf) {
                    return report_error(pdf.error());
                }
                std::ofstream file(out, std::ios::binary | std::ios::trunc);
                file.write(pdf->data(), static_cast<std::streamsize>(pdf->size()));
                if (!file.flush()) {
                    return report_error(Error{ErrorCode::Io, "cannot write " + out, {}});
                }
            }
            std::cout << out << "\n";
            return 0;
        };
    });
}

} // namespace

void add_report(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("report", "Reports: the rakor report");
    cmd->require_subcommand(1);
    add_rakor_command(*cmd, action);
}

} // namespace kapal::cli
