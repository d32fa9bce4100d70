#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/service/export_service.hpp"

#include <iostream>

namespace kapal::cli {
namespace {

service::ExportFormat format_of(const std::string& name) {
    if (name == "xlsx") {
        return service::ExportFormat::Xlsx;
    }
    if (name == "geojson") {
        return service::ExportFormat::GeoJson;
    }
    if (name == "gpkg") {
        return service::ExportFormat::Gpkg;
    }
    return service::ExportFormat::Csv;
}

} // namespace

void add_export(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("export", "Export data");
    cmd->require_subcommand(1);
    auto* persons = cmd->add_subcommand(
        "persons",
        "Export persons as CSV or XLSX (with Latitude/Longitude), GeoJSON or GeoPackage");

    struct Opts {
        std::string dir, format = "csv", out, layout = "kapal";
        bool with_nik = false;
    };

    auto o = std::make_shared<Opts>();
    persons->add_option("--data", o->dir, "Data directory")->required();
    persons->add_option("--format", o->format, "csv, xlsx, geojson or gpkg")
        ->check(CLI::IsMember({"csv", "xlsx", "geojson", "gpkg"}));
    persons->add_option("--out", o->out, "Output file (default persons.<format>)");
    persons
        ->add_option("--layout",
                     o->layout,
                     "Columns of csv/xlsx: kapal (the import template's) or dtks (the national "
                     "DTKS individual layout, docs/dtks.md)")
        ->check(CLI::IsMember({"kapal", "dtks"}));
    persons->add_flag("--with-nik",
                      o->with_nik,
                      "Write NIK and KK in clear (default: masked). Handle the file as secret.");
    persons->callback([&action, o] {
        action = [o] {
            auto opened = app::Application::open(o->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto& a = **opened;
            const std::string out = o->out.empty() ? "persons." + o->format : o->out;
            service::ExportOptions options;
            options.format = format_of(o->format);
            options.clear_ids = o->with_nik;
            options.layout =
                o->layout == "dtks" ? service::ExportLayout::Dtks : service::ExportLayout::Kapal;
            auto count = service::export_persons(out, a.store(), a.reference(), options);
            if (!count) {
                return report_error(count.error());
            }
            if (o->with_nik) {
                // A bulk reveal: recorded like every unmasked read.
                const auto actor = app::Application::cli_actor();
                store::AuditEntry entry;
                entry.actor = actor.id;
                entry.source = actor.source;
                entry.action = "person.export_unmasked";
                entry.detail = "persons=" + std::to_string(*count) + " file=" + out +
                               (o->layout == "dtks" ? " layout=dtks" : "");
                if (auto logged = a.store().append_audit(entry); !logged) {
                    return report_error(logged.error());
                }
            }
            std::cout << *count << " persons written to " << out
                      << (o->with_nik ? " (NIK and KK IN CLEAR: keep the file safe)" : "") << "\n";
            return 0;
        };
    });

    // The administrative areas as polygons, for GIS: the layer QGIS styles the map with.
    auto* areas = cmd->add_subcommand(
        "areas", "Export the kota, kecamatan and kelurahan polygons as GeoJSON, GeoPackage or CSV");
    auto a = std::make_shared<Opts>();
    a->format = "geojson";
    areas->add_option("--data", a->dir, "Data directory")->required();
    areas
        ->add_option("--format", a->format, "geojson, gpkg or csv (lon/lat of a point inside, WKT)")
        ->check(CLI::IsMember({"csv", "geojson", "gpkg"}));
    areas->add_option("--out", a->out, "Output file (default areas.<format>)");
    areas->callback([&action, a] {
        action = [a] {
            auto opened = app::Application::open(a->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            const std::string out = a->out.empty() ? "areas." + a->format : a->out;
            auto count = service::export_areas(out, (*opened)->reference(), format_of(a->format));
            if (!count) {
                return report_error(count.error());
            }
            std::cout << *count << " areas written to " << out << "\n";
            return 0;
        };
    });
}

} // namespace kapal::cli
