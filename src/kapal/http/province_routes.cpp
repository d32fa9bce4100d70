#include "kapal/http/province_routes.hpp"

#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"
#include "kapal/service/province_service.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace kapal::http {
namespace {

using nlohmann::json;

json counts_json(const service::PublishedCounts& counts) {
    json out = json::object();
    for (std::size_t i = 0; i < service::kFigureCount; ++i) {
        out[std::string(service::kFigureNames[i])] =
            counts[i].suppressed ? json(nullptr) : json(counts[i].value);
    }
    return out;
}

/// Refuses (400, naming each) every query parameter not in `known`.
Result<void> only_params(const Request& req, std::initializer_list<std::string_view> known) {
    std::vector<FieldIssue> issues;
    check_known(req, known, issues);
    if (!issues.empty()) {
        return fail(ErrorCode::InvalidArgument, "bad query parameters", std::move(issues));
    }
    return {};
}

} // namespace

void add_province_routes(Router& router,
                         const std::filesystem::path& data_dir,
                         store::Store& store,
                         const service::ReferenceData& ref,
                         const core::Clock& clock) {
    const auto admin = Access::only({core::Role::Admin});
    const auto province_readers =
        Access::only({core::Role::Admin, core::Role::Auditor, core::Role::Viewer});

    // The city's package: what `kapal province package` writes.
    router.add(
        "GET",
        "/api/v1/province/package",
        admin,
        guarded([data_dir, &store, &ref, &clock](const Request& req) -> Result<Response> {
            KAPAL_TRY(only_params(req, {"period"}));
            const auto text = req.query_param("period");
            const auto period =
                text ? service::parse_period(*text) : std::optional<service::Period>();
            if (!period) {
                return fail(
                    ErrorCode::InvalidArgument,
                    "bad query parameters",
                    {{"period", ErrorCode::InvalidArgument, "a year, quarter or month (2026-Q3)"}});
            }
            auto package =
                service::make_package(data_dir, store, ref, actor_of(req), *period, clock.now());
            if (!package) {
                return fail(std::move(package).error());
            }
            return Response::attachment(std::move(*package),
                                        "application/json",
                                        "province-package-" + period->label + ".json");
        }));

    // The city: the province's return read back to the city's own persons (what `kapal province
    // review` lists). The body is the return file as received.
    router.add("POST",
               "/api/v1/province/review",
               admin,
               guarded([data_dir, &store](const Request& req) -> Result<Response> {
                   KAPAL_TRY(only_params(req, {}));
                   auto items = service::review_return(data_dir, store, actor_of(req), req.body);
                   if (!items) {
                       return fail(std::move(items).error());
                   }
                   json rows = json::array();
                   for (const auto& item : *items) {
                       rows.push_back(
                           {{"id", item.record.id.str()},
                            {"full_name", item.record.person.full_name},
                            {"kelurahan_code", item.record.person.address.kelurahan_code},
                            {"status", std::string(core::to_string(item.record.person.status))},
                            {"other_kota", item.other_kota}});
                   }
                   return no_store(200, json{{"items", std::move(rows)}});
               }));

    // The province: every kab/kota of the province, side by side, each period's newest package.
    router.add("GET",
               "/api/v1/province/summary",
               province_readers,
               guarded([data_dir, &ref](const Request& req) -> Result<Response> {
                   KAPAL_TRY(only_params(req, {}));
                   if (!service::is_province(data_dir)) {
                       return fail(ErrorCode::NotFound, "not a province instance");
                   }
                   auto enrolled = service::enrolled_kota(data_dir);
                   if (!enrolled) {
                       return fail(std::move(enrolled).error());
                   }
                   auto ledger = service::accepted_packages(data_dir);
                   if (!ledger) {
                       return fail(std::move(ledger).error());
                   }
                   std::map<std::pair<std::string, std::string>, service::AcceptedPackage> newest;
                   std::set<std::string> periods;
                   for (const auto& a : *ledger) {
                       auto& slot = newest[{a.kota, a.period}];
                       if (slot.sequence < a.sequence) {
                           slot = a;
                       }
                       periods.insert(a.period);
                   }
                   std::set<std::string> enrolled_codes;
                   for (const auto& e : *enrolled) {
                       enrolled_codes.insert(e.code);
                   }
                   json kota = json::array();
                   for (const auto* region : ref.regions.children("64")) {
                       json rows = json::array();
                       for (const auto& p : periods) {
                           const auto it = newest.find({region->code, p});
                           if (it == newest.end()) {
                               continue;
                           }
                           auto package = service::read_accepted(data_dir, it->second);
                           if (!package) {
                               return fail(std::move(package).error());
                           }
                           rows.push_back(
                               {{"period", p},
                                {"sequence", it->second.sequence},
                                {"created_at", core::format_timestamp(package->created_at)},
                                {"counts", counts_json(package->flows.total.counts)}});
                       }
                       kota.push_back({{"code", region->code},
                                       {"name", region->name},
                                       {"enrolled", enrolled_codes.count(region->code) > 0},
                                       {"periods", std::move(rows)}});
                   }
                   return no_store(200, json{{"periods", periods}, {"kota", std::move(kota)}});
               }));

    // The province: kab/kota pairs sharing persons, counts only.
    router.add(
        "GET",
        "/api/v1/province/cross-registered",
        admin,
        guarded([data_dir](const Request& req) -> Result<Response> {
            KAPAL_TRY(only_params(req, {}));
            auto found = service::cross_registered(data_dir);
            if (!found) {
                return fail(std::move(found).error());
            }
            std::map<std::vector<std::string>, int> groups;
            for (const auto& c : *found) {
                std::set<std::string> kota;
                for (const auto& kr : c.kota_refs) {
                    kota.insert(kr.first);
                }
                ++groups[{kota.begin(), kota.end()}];
            }
            json rows = json::array();
            for (const auto& [kota, n] : groups) {
                rows.push_back({{"kota", kota}, {"persons", n}});
            }
            return no_store(200, json{{"persons", found->size()}, {"groups", std::move(rows)}});
        }));
}

} // namespace kapal::http
