#include "kapal/http/stats_routes.hpp"

#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"
#include "kapal/service/stats_service.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

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

} // namespace

void add_stats_routes(Router& router,
                      service::PersonService& persons,
                      const service::ReferenceData& ref,
                      const core::Clock& clock) {
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
        int months = 12;
        if (const auto text = req.query_param("months")) {
            const auto [end, ec] =
                std::from_chars(text->data(), text->data() + text->size(), months);
            if (ec != std::errc() || end != text->data() + text->size() || months < 1 ||
                months > 36) {
                issues.push_back({"months", ErrorCode::InvalidArgument, "1 to 36"});
            }
        }
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
