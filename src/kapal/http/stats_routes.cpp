#include "kapal/http/stats_routes.hpp"

#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"
#include "kapal/http/temp_file.hpp"
#include "kapal/service/facility_service.hpp"
#include "kapal/service/indicators.hpp"
#include "kapal/service/rakor_report.hpp"
#include "kapal/service/registry_flows.hpp"
#include "kapal/service/stats_service.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>

namespace kapal::http {
namespace {

using nlohmann::json;

const Access kReaders = Access::only(
    {core::Role::Admin, core::Role::Operator, core::Role::Auditor, core::Role::Viewer});

/// Counts as an object in their fixed order: {"fisik": 3, …}.
json counts_json(const std::vector<service::KeyCount>& counts) {
    json out = json::object();
    for (const auto& c : counts) {
        out[c.key] = c.count;
    }
    return out;
}

std::string stats_json(const service::Stats& s) {
    json kecamatan = json::array();
    json monthly = json::array();
    for (const auto& k : s.kecamatan) {
        kecamatan.push_back({{"code", k.code}, {"name", k.name}, {"count", k.count}});
        monthly.push_back({{"code", k.code}, {"name", k.name}, {"counts", k.months}});
    }
    return json{
        {"status", s.status ? json(std::string(core::to_string(*s.status))) : json(nullptr)},
        {"total", s.total},
        {"categories", counts_json(s.categories)},
        {"sex", counts_json(s.sexes)},
        {"age_groups", counts_json(s.age_groups)},
        {"severity", counts_json(s.severities)},
        {"kecamatan", std::move(kecamatan)},
        {"monthly",
         {{"months", s.months}, {"total", s.months_total}, {"kecamatan", std::move(monthly)}}}}
        .dump();
}

json flow_json(const service::FlowCounts& c) {
    return json{{"start", c.start},
                {"new", c.registered},
                {"moved_in", c.moved_in},
                {"reactivated", c.reactivated},
                {"moved_out", c.moved_out},
                {"deceased", c.deceased},
                {"deactivated", c.deactivated},
                {"end", c.end},
                {"in", c.in()},
                {"out", c.out()}};
}

json key_flows_json(const std::vector<service::KeyFlows>& cells) {
    json out = json::object();
    for (const auto& c : cells) {
        out[c.key] = flow_json(c.counts);
    }
    return out;
}

json area_flows_json(const service::AreaFlows& a) {
    json out = flow_json(a.counts);
    out["code"] = a.code;
    out["name"] = a.name;
    out["by"] = {{"category", key_flows_json(a.categories)},
                 {"sex", key_flows_json(a.sexes)},
                 {"age_group", key_flows_json(a.age_groups)},
                 {"severity", key_flows_json(a.severities)}};
    return out;
}

/// The level parameter: kecamatan when absent.
service::AreaLevel level_of(const Request& req, std::vector<FieldIssue>& issues) {
    const auto text = req.query_param("level");
    if (!text) {
        return service::AreaLevel::Kecamatan;
    }
    if (const auto level = service::parse_area_level(*text)) {
        return *level;
    }
    issues.push_back({"level", ErrorCode::InvalidArgument, "kota, kecamatan or kelurahan"});
    return service::AreaLevel::Kecamatan;
}

/// The period: `period` (2026, 2026-Q3, 2026-09), or `from` and `to` (dates, `to` excluded).
std::optional<service::Period> period_of(const Request& req, std::vector<FieldIssue>& issues) {
    const auto period = req.query_param("period");
    const auto from = req.query_param("from");
    const auto to = req.query_param("to");
    if (period) {
        if (from || to) {
            issues.push_back(
                {"period", ErrorCode::InvalidArgument, "either period, or from and to"});
            return std::nullopt;
        }
        auto parsed = service::parse_period(*period);
        if (!parsed) {
            issues.push_back({"period",
                              ErrorCode::InvalidArgument,
                              "a year (2026), a quarter (2026-Q3) or a month (2026-09)"});
        }
        return parsed;
    }
    if (!from || !to) {
        issues.push_back({from ? "to" : "from",
                          ErrorCode::InvalidArgument,
                          "period, or from and to (dates, to excluded)"});
        return std::nullopt;
    }
    const auto from_date = core::parse_date(*from);
    const auto to_date = core::parse_date(*to);
    if (!from_date || static_cast<int>(from_date->year()) < 1900) {
        issues.push_back({"from", ErrorCode::InvalidArgument, "a date YYYY-MM-DD"});
    }
    if (!to_date) {
        issues.push_back({"to", ErrorCode::InvalidArgument, "a date YYYY-MM-DD"});
    }
    if (!from_date || !to_date || static_cast<int>(from_date->year()) < 1900) {
        return std::nullopt;
    }
    if (!(*from_date < *to_date)) {
        issues.push_back({"to", ErrorCode::InvalidArgument, "a date after from"});
        return std::nullopt;
    }
    return service::Period{*from_date, *to_date, std::string(*from) + ".." + std::string(*to)};
}

/// One series per flow of an area over the months.
json monthly_series_json(const std::vector<service::PeriodFlows>& months, int area) {
    const auto pick = [&](std::int64_t service::FlowCounts::*field) {
        json out = json::array();
        for (const auto& m : months) {
            const auto& a = area < 0 ? m.total : m.areas[static_cast<std::size_t>(area)];
            out.push_back(a.counts.*field);
        }
        return out;
    };
    using F = service::FlowCounts;
    return json{{"start", pick(&F::start)},
                {"new", pick(&F::registered)},
                {"moved_in", pick(&F::moved_in)},
                {"reactivated", pick(&F::reactivated)},
                {"moved_out", pick(&F::moved_out)},
                {"deceased", pick(&F::deceased)},
                {"deactivated", pick(&F::deactivated)},
                {"end", pick(&F::end)}};
}

/// The `months` parameter: 1..36, 12 when absent; a bad value is an issue at "months".
int months_of(const Request& req, std::vector<FieldIssue>& issues) {
    int months = 12;
    if (const auto text = req.query_param("months")) {
        const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), months);
        if (ec != std::errc() || end != text->data() + text->size() || months < 1 || months > 36) {
            issues.push_back({"months", ErrorCode::InvalidArgument, "1 to 36"});
        }
    }
    return months;
}

json optional_json(const std::optional<double>& v) {
    return v ? json(std::round(*v * 10000.0) / 10000.0) : json(nullptr);
}

json indicator_json(const service::IndicatorCounts& c) {
    using C = service::IndicatorCounts;
    return json{{"registered", c.registered},
                {"population", c.population ? json(*c.population) : json(nullptr)},
                {"per_1000", optional_json(c.per_1000())},
                {"with_card", c.with_card},
                {"card_share", optional_json(C::share(c.with_card, c.registered))},
                {"reached", c.reached},
                {"aid_share", optional_json(C::share(c.reached, c.registered))},
                {"located", c.located},
                {"in_hazard", c.in_hazard},
                {"hazard_share", optional_json(C::share(c.in_hazard, c.located))},
                {"far", c.far},
                {"far_share", optional_json(C::share(c.far, c.located))}};
}

json period_json(const service::Period& p) {
    return json{
        {"period", p.label}, {"from", core::format_date(p.from)}, {"to", core::format_date(p.to)}};
}

json indicators_json(const service::IndicatorReport& r, service::AreaLevel level) {
    json areas = json::array();
    for (const auto& a : r.areas) {
        areas.push_back({{"code", a.code},
                         {"name", a.name},
                         {"current", indicator_json(a.current)},
                         {"previous", indicator_json(a.previous)}});
    }
    json out = period_json(r.period);
    out["previous"] = period_json(r.previous);
    out["level"] = std::string(service::to_string(level));
    out["far_m"] = r.options.far_m;
    out["facility_kind"] =
        r.options.facility_kind.empty() ? json(nullptr) : json(r.options.facility_kind);
    out["facilities"] = r.facilities;
    out["hazard_zones"] = r.hazard_zones;
    out["areas"] = std::move(areas);
    out["total"] = {{"current", indicator_json(r.total.current)},
                    {"previous", indicator_json(r.total.previous)}};
    return out;
}

std::optional<service::IndicatorOptions> indicator_options_of(const Request& req,
                                                              std::vector<FieldIssue>& issues) {
    service::IndicatorOptions options;
    if (const auto text = req.query_param("far_m")) {
        int metres = 0;
        const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), metres);
        if (ec != std::errc() || end != text->data() + text->size() || metres < 1 ||
            metres > static_cast<int>(service::kMaxCoverageM)) {
            issues.push_back({"far_m", ErrorCode::InvalidArgument, "1 to 100000 (metres)"});
            return std::nullopt;
        }
        options.far_m = metres;
    }
    if (const auto kind = req.query_param("facility_kind")) {
        if (!service::parse_facility_kind(*kind)) {
            issues.push_back({"facility_kind", ErrorCode::InvalidArgument, "a facility kind"});
            return std::nullopt;
        }
        options.facility_kind = std::string(*kind);
    }
    return options;
}

} // namespace

void add_stats_routes(Router& router,
                      service::PersonService& persons,
                      store::Store& store,
                      const service::ReferenceData& ref,
                      const core::Clock& clock) {
    router.add("GET", "/api/v1/stats/flows", kReaders, [&store, &ref](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(req, {"period", "from", "to", "level"}, issues);
        const auto level = level_of(req, issues);
        auto period = period_of(req, issues);
        if (!issues.empty() || !period) {
            return bad_parameters(std::move(issues), req);
        }
        auto flows =
            service::compute_flows(store, ref, actor_of(req), level, {std::move(*period)}, true);
        if (!flows) {
            return problem_response(flows.error(), req.lang());
        }
        const auto& f = flows->front();
        json areas = json::array();
        for (const auto& a : f.areas) {
            areas.push_back(area_flows_json(a));
        }
        json total = area_flows_json(f.total);
        total.erase("code");
        total.erase("name");
        return no_store(200,
                        json{{"period", f.period.label},
                             {"from", core::format_date(f.period.from)},
                             {"to", core::format_date(f.period.to)},
                             {"level", std::string(service::to_string(level))},
                             {"areas", std::move(areas)},
                             {"total", std::move(total)}});
    });
    router.add("GET", "/api/v1/stats/indicators", kReaders, [&store, &ref](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(req, {"period", "from", "to", "level", "far_m", "facility_kind"}, issues);
        const auto level = level_of(req, issues);
        auto period = period_of(req, issues);
        auto options = indicator_options_of(req, issues);
        if (!issues.empty() || !period || !options) {
            return bad_parameters(std::move(issues), req);
        }
        auto report =
            service::compute_indicators(store, ref, actor_of(req), level, *period, *options);
        if (!report) {
            return problem_response(report.error(), req.lang());
        }
        return no_store(200, indicators_json(*report, level));
    });
    router.add(
        "GET", "/api/v1/reports/rakor", kReaders, [&store, &ref, &clock](const Request& req) {
            std::vector<FieldIssue> issues;
            check_known(
                req, {"period", "from", "to", "level", "far_m", "facility_kind", "format"}, issues);
            const auto format = req.query_param("format");
            if (!format || (*format != "pdf" && *format != "xlsx")) {
                issues.push_back({"format", ErrorCode::InvalidArgument, "pdf or xlsx"});
            }
            service::RakorOptions options;
            options.level =
                req.query_param("level") ? level_of(req, issues) : service::AreaLevel::Kelurahan;
            auto period = period_of(req, issues);
            auto indicator_options = indicator_options_of(req, issues);
            if (!issues.empty() || !period || !indicator_options) {
                return bad_parameters(std::move(issues), req);
            }
            options.period = std::move(*period);
            options.indicators = std::move(*indicator_options);
            auto report = service::gather_rakor(store, ref, actor_of(req), options, clock);
            if (!report) {
                return problem_response(report.error(), req.lang());
            }
            const std::string stem = service::rakor_file_stem(*report);
            if (*format == "pdf") {
                auto pdf = service::rakor_pdf(*report, ref);
                if (!pdf) {
                    return problem_response(pdf.error(), req.lang());
                }
                return Response::attachment(std::move(*pdf), "application/pdf", stem + ".pdf");
            }
            TempFile file("rakor", "xlsx");
            if (file.path().empty()) {
                return problem_response(ErrorCode::Io, req.lang(), "no temporary file");
            }
            if (auto written = service::write_rakor_xlsx(*report, file.path()); !written) {
                return problem_response(written.error(), req.lang());
            }
            return Response::attachment(
                file.read(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                stem + ".xlsx");
        });
    router.add(
        "GET", "/api/v1/stats/flows/monthly", kReaders, [&store, &ref, &clock](const Request& req) {
            std::vector<FieldIssue> issues;
            check_known(req, {"months", "level"}, issues);
            const auto level = level_of(req, issues);
            const int months = months_of(req, issues);
            if (!issues.empty()) {
                return bad_parameters(std::move(issues), req);
            }
            auto flows =
                service::compute_flows(store,
                                       ref,
                                       actor_of(req),
                                       level,
                                       service::last_months(core::wita_date(clock.now()), months),
                                       false);
            if (!flows) {
                return problem_response(flows.error(), req.lang());
            }
            json labels = json::array();
            for (const auto& m : *flows) {
                labels.push_back(m.period.label);
            }
            json areas = json::array();
            const auto& first = flows->front();
            for (std::size_t i = 0; i < first.areas.size(); ++i) {
                json a = monthly_series_json(*flows, static_cast<int>(i));
                a["code"] = first.areas[i].code;
                a["name"] = first.areas[i].name;
                areas.push_back(std::move(a));
            }
            return no_store(200,
                            json{{"level", std::string(service::to_string(level))},
                                 {"months", std::move(labels)},
                                 {"areas", std::move(areas)},
                                 {"total", monthly_series_json(*flows, -1)}});
        });
    router.add("GET", "/api/v1/stats", kReaders, [&persons, &ref, &clock](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(req, {"status", "months"}, issues);
        std::optional<core::Status> status = core::Status::Aktif;
        if (const auto text = req.query_param("status")) {
            if (*text == "semua" || *text == "all") {
                status.reset();
            } else if (auto parsed = core::parse_status(*text)) {
                status = *parsed;
            } else {
                issues.push_back({"status",
                                  ErrorCode::InvalidArgument,
                                  "aktif, pindah, meninggal, nonaktif or semua"});
            }
        }
        const int months = months_of(req, issues);
        if (!issues.empty()) {
            return bad_parameters(std::move(issues), req);
        }
        auto stats = service::compute_stats(persons, ref, clock, actor_of(req), status, months);
        if (!stats) {
            return problem_response(stats.error(), req.lang());
        }
        Response res = Response::json(200, stats_json(*stats));
        res.set_header("Cache-Control", "no-store");
        return res;
    });
}

} // namespace kapal::http
