#include "kapal/app/application.hpp"
#include "kapal/cli/commands.hpp"
#include "kapal/io/csv_writer.hpp"
#include "kapal/service/visit_service.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace kapal::cli {
namespace {

/// "lon,lat" → a position in range, or nullopt.
std::optional<geo::LonLat> parse_lon_lat(const std::string& text) {
    const auto comma = text.find(',');
    if (comma == std::string::npos) {
        return std::nullopt;
    }
    const std::string lon_text = text.substr(0, comma);
    const std::string lat_text = text.substr(comma + 1);
    char* end = nullptr;
    const double lon = std::strtod(lon_text.c_str(), &end);
    if (lon_text.empty() || end != lon_text.c_str() + lon_text.size()) {
        return std::nullopt;
    }
    const double lat = std::strtod(lat_text.c_str(), &end);
    if (lat_text.empty() || end != lat_text.c_str() + lat_text.size()) {
        return std::nullopt;
    }
    if (!std::isfinite(lon) || !std::isfinite(lat) || std::abs(lon) > 180 || std::abs(lat) > 90) {
        return std::nullopt;
    }
    return geo::LonLat{lon, lat};
}

std::string metres(double m) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", m);
    return buf;
}

std::string coordinate(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return buf;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) {
        out += (out.empty() ? "" : " ") + i;
    }
    return out;
}

void write_csv(const service::VisitPlan& plan, const service::ReferenceData& ref) {
    io::CsvWriterOptions options;
    options.guard_formulas = true; // names and streets are typed by people
    io::CsvWriter csv(std::cout, options);
    csv.write_row(std::vector<std::string>{"order",
                                           "id",
                                           "full_name",
                                           "street",
                                           "rt",
                                           "rw",
                                           "kelurahan",
                                           "lon",
                                           "lat",
                                           "leg_m",
                                           "cumulative_m",
                                           "needs",
                                           "phone"});
    const auto row = [&](const std::string& order,
                         const core::PersonRecord& r,
                         const std::string& leg,
                         const std::string& cumulative) {
        const auto& p = r.person;
        const auto* region = ref.regions.find(p.address.kelurahan_code);
        csv.write_row(
            std::vector<std::string>{order,
                                     r.id.str(),
                                     p.full_name,
                                     p.address.street,
                                     p.address.rt,
                                     p.address.rw,
                                     region != nullptr ? region->name : p.address.kelurahan_code,
                                     p.home ? coordinate(p.home->lon) : "",
                                     p.home ? coordinate(p.home->lat) : "",
                                     leg,
                                     cumulative,
                                     joined(p.assistive_devices),
                                     p.phone});
    };
    for (std::size_t i = 0; i < plan.stops.size(); ++i) {
        const auto& stop = plan.stops[i];
        row(std::to_string(i + 1), stop.record, metres(stop.leg_m), metres(stop.cumulative_m));
    }
    for (const auto& r : plan.unlocated) {
        row("", r, "", "");
    }
}

void write_json(const service::VisitPlan& plan, geo::LonLat start) {
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
    const nlohmann::json out = {{"start", {start.lon, start.lat}},
                                {"stops", stops},
                                {"total_m", std::round(plan.total_m * 10) / 10},
                                {"unlocated", unlocated}};
    std::cout << out.dump(2) << "\n";
}

} // namespace

void add_route(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("route", "Plan routes");
    cmd->require_subcommand(1);
    auto* visit = cmd->add_subcommand(
        "visit", "Order home visits from a start point (nearest neighbour, then 2-opt)");

    struct Opts {
        std::string dir, kelurahan, persons, start, format = "csv", status = "aktif";
    };

    auto o = std::make_shared<Opts>();
    visit->add_option("--data", o->dir, "Data directory")->required();
    auto* kel = visit->add_option("--kelurahan", o->kelurahan, "Every person of this kelurahan");
    auto* ids = visit->add_option("--persons", o->persons, "Person ids, separated by commas");
    kel->excludes(ids);
    visit->add_option("--status", o->status, "With --kelurahan: persons of this status")
        ->check(CLI::IsMember({"aktif", "pindah", "meninggal", "nonaktif"}));
    visit->add_option("--start", o->start, "Start point: lon,lat")->required();
    visit->add_option("--format", o->format, "csv or json")->check(CLI::IsMember({"csv", "json"}));
    visit->callback([&action, o] {
        action = [o] {
            const auto start = parse_lon_lat(o->start);
            if (!start) {
                return report_error(Error{ErrorCode::InvalidArgument,
                                          "--start must be lon,lat in range",
                                          {{"--start", ErrorCode::InvalidArgument, o->start}}});
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
            if (o->format == "json") {
                write_json(*plan, *start);
            } else {
                write_csv(*plan, a.reference());
            }
            std::cerr << plan->stops.size() << " stops, " << metres(plan->total_m) << " m in all";
            if (!plan->unlocated.empty()) {
                std::cerr << "; " << plan->unlocated.size()
                          << " without a home location (listed last, not routed)";
            }
            std::cerr << "\n";
            return 0;
        };
    });
}

} // namespace kapal::cli
