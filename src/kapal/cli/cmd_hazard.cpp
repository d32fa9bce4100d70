#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/service/hazard_service.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace kapal::cli {
namespace {

void add_import_command(CLI::App& cmd, Action& action) {
    auto* sub = cmd.add_subcommand(
        "import", "Import the polygons of a hazard map (GeoJSON, GeoPackage, KML, Shapefile)");

    struct Opts {
        std::string dir;
        service::HazardImportOptions options;
    };

    auto o = std::make_shared<Opts>();
    sub->add_option("--data", o->dir, "Data directory")->required();
    sub->add_option("file", o->options.file, "The hazard map")->required();
    sub->add_option("--layer", o->options.layer, "Layer of the file (default: the first)");
    sub->add_option("--hazard",
                    o->options.hazard,
                    "Hazard kind when a feature has none (banjir, "
                    "rob, tsunami, longsor, ...)");
    sub->add_option("--level",
                    o->options.level,
                    "Level when a feature has none (rendah, sedang, "
                    "tinggi)");
    sub->add_option("--name-field", o->options.name_field, "Field with the zone's name");
    sub->add_option("--hazard-field", o->options.hazard_field, "Field with the hazard kind");
    sub->add_option("--level-field", o->options.level_field, "Field with the level");
    sub->add_flag("--dry-run", o->options.dry_run, "Check and report; write nothing");
    sub->callback([&action, o] {
        action = [o] {
            auto opened = app::Application::open(o->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto report =
                (*opened)->hazards().import_zones(o->options, app::Application::cli_actor());
            if (!report) {
                return report_error(report.error());
            }
            for (const auto& z : report->zones) {
                std::cout << z.id << "  " << z.hazard << "  " << z.level << "  " << z.name << "\n";
            }
            for (const auto& r : report->rejected) {
                std::cerr << o->options.file << ": feature " << r.feature << ": " << r.message
                          << "\n";
            }
            std::cerr << (o->options.dry_run ? "would import " : "imported ")
                      << report->zones.size() << " zone(s) from layer " << report->layer << "; "
                      << report->rejected.size() << " feature(s) left out\n";
            return 0;
        };
    });
}

void add_zones_command(CLI::App& cmd, Action& action) {
    auto* sub = cmd.add_subcommand("zones", "List the hazard zones");
    auto dir = std::make_shared<std::string>();
    sub->add_option("--data", *dir, "Data directory")->required();
    sub->callback([&action, dir] {
        action = [dir] {
            auto opened = app::Application::open(*dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto zones = (*opened)->hazards().zones();
            if (!zones) {
                return report_error(zones.error());
            }
            for (const auto& z : *zones) {
                std::cout << z.id << "  " << z.hazard << "  " << z.level << "  " << z.name << "\n";
            }
            std::cerr << zones->size() << " zone(s)\n";
            return 0;
        };
    });
}

void add_list_command(CLI::App& cmd, Action& action) {
    auto* sub = cmd.add_subcommand(
        "list",
        "The evacuation list of a zone: persons inside it with their needs, by RT, in walking "
        "order");

    struct Opts {
        std::string dir, zone, format = "csv", out, start;
    };

    auto o = std::make_shared<Opts>();
    sub->add_option("zone", o->zone, "Zone id (see `kapal hazard zones`)")->required();
    sub->add_option("--data", o->dir, "Data directory")->required();
    sub->add_option("--format", o->format, "csv or pdf")->check(CLI::IsMember({"csv", "pdf"}));
    sub->add_option("--out", o->out, "Output file (default: standard output; needed for pdf)");
    sub->add_option("--start",
                    o->start,
                    "Start of the walk: lon,lat (default: the zone's "
                    "north-western corner)");
    sub->callback([&action, o] {
        action = [o] {
            std::optional<geo::LonLat> start;
            if (!o->start.empty()) {
                start = geo::parse_lon_lat(o->start);
                if (!start) {
                    return report_error(Error{ErrorCode::InvalidArgument,
                                              "--start must be lon,lat in range",
                                              {{"--start", ErrorCode::InvalidArgument, o->start}}});
                }
            }
            if (o->format == "pdf" && (o->out.empty() || o->out == "-")) {
                return report_error(Error{ErrorCode::InvalidArgument,
                                          "a PDF needs --out FILE",
                                          {{"--out", ErrorCode::InvalidArgument, "required"}}});
            }
            auto opened = app::Application::open(o->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto& a = **opened;
            // The list is found through the point index: load it from the store first.
            if (auto loaded = a.person_index().catch_up(); !loaded) {
                return report_error(loaded.error());
            }
            auto list = a.hazards().evacuation_list(o->zone, app::Application::cli_actor(), start);
            if (!list) {
                return report_error(list.error());
            }
            int rc = 0;
            if (o->format == "pdf") {
                auto pdf = service::evacuation_pdf(*list, app::Application::cli_actor().id);
                if (!pdf) {
                    return report_error(pdf.error());
                }
                rc = write_output(*pdf, o->out);
            } else {
                rc = write_output(service::evacuation_csv(*list), o->out);
            }
            char total[32];
            std::snprintf(total, sizeof total, "%.0f", list->total_m);
            std::cerr << list->persons << " person(s) in " << list->groups.size()
                      << " RT group(s), walking route " << total << " m"
                      << (list->truncated ? "; TRUNCATED: more persons live in this zone than "
                                            "one list holds (1000)"
                                          : "")
                      << "\n";
            return rc;
        };
    });
}

} // namespace

void add_hazard(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("hazard", "Hazard zones and evacuation lists");
    cmd->require_subcommand(1);
    add_import_command(*cmd, action);
    add_zones_command(*cmd, action);
    add_list_command(*cmd, action);
}

} // namespace kapal::cli
