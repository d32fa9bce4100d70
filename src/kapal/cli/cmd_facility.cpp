#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/service/facility_service.hpp"

#include <cstdio>
#include <iostream>

namespace kapal::cli {
namespace {

std::string metres(double m) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", m);
    return buf;
}

void add_import_command(CLI::App& cmd, Action& action) {
    auto* sub = cmd.add_subcommand(
        "import", "Import facility points (GeoJSON, GeoPackage, KML, Shapefile, CSV with lon/lat)");

    struct Opts {
        std::string dir;
        service::FacilityImportOptions options;
    };

    auto o = std::make_shared<Opts>();
    sub->add_option("--data", o->dir, "Data directory")->required();
    sub->add_option("file", o->options.file, "The file of facilities")->required();
    sub->add_option("--layer", o->options.layer, "Layer of the file (default: the first)");
    sub->add_option("--kind",
                    o->options.kind,
                    "Kind when a feature has none (puskesmas, slb, posyandu, kantor_kelurahan, "
                    "rumah_sakit, ...)");
    sub->add_option("--name-field", o->options.name_field, "Field with the facility's name");
    sub->add_option("--kind-field", o->options.kind_field, "Field with the kind");
    sub->add_flag("--dry-run", o->options.dry_run, "Check and report; write nothing");
    sub->callback([&action, o] {
        action = [o] {
            auto opened = app::Application::open(o->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto report = (*opened)->facilities().import_facilities(o->options,
                                                                    app::Application::cli_actor());
            if (!report) {
                return report_error(report.error());
            }
            for (const auto& f : report->facilities) {
                std::cout << f.id << "  " << f.kind << "  "
                          << (f.kelurahan_code.empty() ? "-" : f.kelurahan_code) << "  " << f.name
                          << "\n";
            }
            for (const auto& r : report->rejected) {
                std::cerr << o->options.file << ": feature " << r.feature << ": " << r.message
                          << "\n";
            }
            std::cerr << (o->options.dry_run ? "would import " : "imported ")
                      << report->facilities.size() << " facility(ies) from layer " << report->layer
                      << "; " << report->rejected.size() << " feature(s) left out\n";
            return 0;
        };
    });
}

void add_list_command(CLI::App& cmd, Action& action) {
    auto* sub = cmd.add_subcommand("list", "List the facilities");
    auto dir = std::make_shared<std::string>();
    sub->add_option("--data", *dir, "Data directory")->required();
    sub->callback([&action, dir] {
        action = [dir] {
            auto opened = app::Application::open(*dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto all = (*opened)->facilities().facilities();
            if (!all) {
                return report_error(all.error());
            }
            for (const auto& f : *all) {
                char at[64];
                std::snprintf(at, sizeof at, "%.6f,%.6f", f.lon, f.lat);
                std::cout << f.id << "  " << f.kind << "  " << at << "  "
                          << (f.kelurahan_code.empty() ? "-" : f.kelurahan_code) << "  " << f.name
                          << "\n";
            }
            std::cerr << all->size() << " facility(ies)\n";
            return 0;
        };
    });
}

void add_coverage_command(CLI::App& cmd, Action& action) {
    auto* sub = cmd.add_subcommand(
        "coverage",
        "Active persons living farther than --max-m metres from every facility of a kind");

    struct Opts {
        std::string dir, kind, format = "text";
        double max_m = 0;
    };

    auto o = std::make_shared<Opts>();
    sub->add_option("--data", o->dir, "Data directory")->required();
    sub->add_option("--kind", o->kind, "Facility kind (puskesmas, slb, posyandu, ...)")->required();
    sub->add_option("--max-m", o->max_m, "Distance in metres (great-circle)")->required();
    sub->add_option("--format", o->format, "text or csv")->check(CLI::IsMember({"text", "csv"}));
    sub->callback([&action, o] {
        action = [o] {
            auto opened = app::Application::open(o->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto report =
                (*opened)->facilities().coverage(o->kind, o->max_m, app::Application::cli_actor());
            if (!report) {
                return report_error(report.error());
            }
            if (o->format == "csv") {
                std::cout << service::coverage_csv(*report);
            } else {
                for (const auto& a : report->areas) {
                    std::cout << a.kelurahan_code << "  " << a.uncovered << " of " << a.persons
                              << " farther than " << metres(report->max_m) << " m\n";
                }
                for (const auto& u : report->uncovered) {
                    std::cout << u.record.id.str() << "  " << u.record.person.address.kelurahan_code
                              << "  " << u.record.person.full_name << "  "
                              << (u.nearest ? metres(u.nearest->distance_m) + " m to " +
                                                  u.nearest->facility.name
                                            : "no " + report->kind + " at all")
                              << "\n";
                }
            }
            std::cerr << report->uncovered.size() << " of " << report->persons
                      << " person(s) with a home live farther than " << metres(report->max_m)
                      << " m from every " << report->kind << " (" << report->facilities
                      << " facility(ies))\n";
            return std::cout.good() ? 0 : report_error(Error{ErrorCode::Io, "cannot write", {}});
        };
    });
}

void add_nearest_command(CLI::App& cmd, Action& action) {
    auto* sub = cmd.add_subcommand(
        "nearest",
        "The nearest facility and its distance: of --kind for every active person with a home, "
        "or of every kind for one --person");

    struct Opts {
        std::string dir, kind, person, format = "text", out;
    };

    auto o = std::make_shared<Opts>();
    sub->add_option("--data", o->dir, "Data directory")->required();
    auto* kind = sub->add_option("--kind", o->kind, "Facility kind (puskesmas, slb, ...)");
    auto* person = sub->add_option("--person", o->person, "One person's id");
    kind->excludes(person);
    sub->add_option("--format", o->format, "text or csv (with --kind)")
        ->check(CLI::IsMember({"text", "csv"}));
    sub->add_option("--out", o->out, "Output file (default: standard output)");
    sub->callback([&action, o] {
        action = [o] {
            if (o->kind.empty() == o->person.empty()) {
                return report_error(Error{ErrorCode::InvalidArgument,
                                          "give --kind or --person, exactly one",
                                          {{"--kind", ErrorCode::InvalidArgument, "or --person"}}});
            }
            auto opened = app::Application::open(o->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto& facilities = (*opened)->facilities();
            const auto& actor = app::Application::cli_actor();
            if (!o->person.empty()) {
                auto nearest = facilities.nearest_for_person(core::PersonId{o->person}, actor);
                if (!nearest) {
                    return report_error(nearest.error());
                }
                std::string text;
                for (const auto& n : *nearest) {
                    text += n.facility.kind + "  " + metres(n.distance_m) + " m  " +
                            n.facility.name + "  " + n.facility.id + "\n";
                }
                if (nearest->empty()) {
                    std::cerr << "no home location, or no facilities at all\n";
                }
                return write_output(text, o->out);
            }
            auto persons = facilities.nearest_for_persons(o->kind, actor);
            if (!persons) {
                return report_error(persons.error());
            }
            std::string text;
            if (o->format == "csv") {
                text = service::nearest_csv(*persons);
            } else {
                for (const auto& p : *persons) {
                    text += p.record.id.str() + "  " + p.record.person.address.kelurahan_code +
                            "  " + p.record.person.full_name + "  " +
                            (p.nearest ? metres(p.nearest->distance_m) + " m to " +
                                             p.nearest->facility.name
                                       : "no " + o->kind + " at all") +
                            "\n";
                }
            }
            std::cerr << persons->size() << " active person(s) with a home\n";
            return write_output(text, o->out);
        };
    });
}

} // namespace

void add_facility(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("facility", "Facilities: import, list, nearest, coverage");
    cmd->require_subcommand(1);
    add_import_command(*cmd, action);
    add_list_command(*cmd, action);
    add_nearest_command(*cmd, action);
    add_coverage_command(*cmd, action);
}

} // namespace kapal::cli
