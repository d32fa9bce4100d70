#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/service/visit_service.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace kapal::cli {
namespace {

std::string metres(double m) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", m);
    return buf;
}

std::string visit_json(const service::VisitPlan& plan) {
    nlohmann::json stops = nlohmann::json::array();
    for (std::size_t i = 0; i < plan.stops.size(); ++i) {
        const auto& stop = plan.stops[i];
        const auto& p = stop.record.person;
        stops.push_back({{"order", i + 1},
                         {"id", stop.record.id.str()},
                         {"full_name", p.full_name},
                         {"street", p.address.street},
                         {"kelurahan_code", p.address.kelurahan_code},
                         {"lon", p.home->lon},
                         {"lat", p.home->lat},
                         {"leg_m", std::round(stop.leg_m * 10) / 10},
                         {"cumulative_m", std::round(stop.cumulative_m * 10) / 10}});
    }
    nlohmann::json unlocated = nlohmann::json::array();
    for (const auto& r : plan.unlocated) {
        unlocated.push_back({{"id", r.id.str()}, {"full_name", r.person.full_name}});
    }
    const nlohmann::json out = {{"start", {plan.start.lon, plan.start.lat}},
                                {"stops", stops},
                                {"total_m", std::round(plan.total_m * 10) / 10},
                                {"unlocated", unlocated}};
    return out.dump(2) + "\n";
}

} // namespace

void add_route(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("route", "Plan routes");
    cmd->require_subcommand(1);
    auto* visit = cmd->add_subcommand(
        "visit", "Order home visits from a start point (nearest neighbour, then 2-opt)");

    struct Opts {
        std::string dir, kelurahan, persons, start, format = "csv", status = "aktif", out;
    };

    auto o = std::make_shared<Opts>();
    visit->add_option("--data", o->dir, "Data directory")->required();
    auto* kel = visit->add_option("--kelurahan", o->kelurahan, "Every person of this kelurahan");
    auto* ids = visit->add_option("--persons", o->persons, "Person ids, separated by commas");
    kel->excludes(ids);
    visit->add_option("--status", o->status, "With --kelurahan: persons of this status")
        ->check(CLI::IsMember({"aktif", "pindah", "meninggal", "nonaktif"}));
    visit->add_option("--start", o->start, "Start point: lon,lat")->required();
    visit->add_option("--format", o->format, "csv, json or pdf (a printable visit list)")
        ->check(CLI::IsMember({"csv", "json", "pdf"}));
    visit->add_option("--out", o->out, "Output file (default: standard output; needed for pdf)");
    visit->callback([&action, o] {
        action = [o] {
            const auto start = geo::parse_lon_lat(o->start);
            if (!start) {
                return report_error(Error{ErrorCode::InvalidArgument,
                                          "--start must be lon,lat in range",
                                          {{"--start", ErrorCode::InvalidArgument, o->start}}});
            }
            if (o->format == "pdf" && (o->out.empty() || o->out == "-")) {
                return report_error(Error{ErrorCode::InvalidArgument,
                                          "a PDF needs --out FILE",
                                          {{"--out", ErrorCode::InvalidArgument, "required"}}});
            }
            service::VisitRequest request;
            request.start = *start;
            if (!o->kelurahan.empty()) {
                request.kelurahan = o->kelurahan;
                request.status = *core::parse_status(o->status);
            }
            std::istringstream list(o->persons);
            for (std::string id; std::getline(list, id, ',');) {
                if (!id.empty()) {
                    request.persons.emplace_back(id);
                }
            }
            auto opened = app::Application::open(o->dir);
            if (!opened) {
                return report_error(opened.error());
            }
            auto& a = **opened;
            auto plan = service::plan_visit(a.persons(), request, app::Application::cli_actor());
            if (!plan) {
                return report_error(plan.error());
            }
            int rc = 0;
            if (o->format == "json") {
                rc = write_output(visit_json(*plan), o->out);
            } else if (o->format == "pdf") {
                const auto& actor = app::Application::cli_actor();
                auto pdf =
                    service::visit_pdf(*plan, a.reference().regions, actor.id, a.clock().now());
                if (!pdf) {
                    return report_error(pdf.error());
                }
                rc = write_output(*pdf, o->out);
            } else {
                rc = write_output(service::visit_csv(*plan, a.reference().regions), o->out);
            }
            std::cerr << plan->stops.size() << " stops, " << metres(plan->total_m) << " m in all";
            if (!plan->unlocated.empty()) {
                std::cerr << "; " << plan->unlocated.size()
                          << " without a home location (listed last, not routed)";
            }
            std::cerr << "\n";
            return rc;
        };
    });
}

} // namespace kapal::cli
