#include "kapal/service/visit_service.hpp"

#include "kapal/geo/route.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace kapal::service {
namespace {

Error too_many(const std::string& field) {
    return Error{ErrorCode::ValidationFailed,
                 "too many persons for one visit route",
                 {{field,
                   ErrorCode::InvalidArgument,
                   "at most " + std::to_string(geo::kMaxVisitStops) + " persons"}}};
}

Result<std::vector<core::PersonRecord>>
records_by_id(PersonService& persons, const std::vector<core::PersonId>& ids, const Actor& actor) {
    if (ids.size() > geo::kMaxVisitStops) {
        return fail(too_many("persons"));
    }
    std::set<std::string> seen;
    std::vector<core::PersonRecord> out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::string field = "persons[" + std::to_string(i) + "]";
        if (!seen.insert(ids[i].str()).second) {
            return fail(ErrorCode::ValidationFailed,
                        "a person is listed twice",
                        {{field, ErrorCode::InvalidArgument, "repeated"}});
        }
        auto record = persons.get(ids[i], actor);
        if (!record) {
            Error e = std::move(record).error();
            if (e.code == ErrorCode::NotFound) {
                e.fields = {{field, ErrorCode::NotFound, ids[i].str()}};
            }
            return fail(std::move(e));
        }
        out.push_back(std::move(*record));
    }
    return out;
}

Result<std::vector<core::PersonRecord>>
records_of_kelurahan(PersonService& persons, const VisitRequest& request, const Actor& actor) {
    store::PersonQuery query;
    query.kelurahan_code = *request.kelurahan;
    query.status = request.status;
    query.limit = 1000;
    std::vector<core::PersonRecord> out;
    for (;;) {
        auto page = persons.list(query, actor);
        if (!page) {
            return fail(std::move(page).error());
        }
        for (auto& r : page->items) {
            out.push_back(std::move(r));
        }
        if (out.size() > geo::kMaxVisitStops) {
            return fail(too_many("kelurahan"));
        }
        if (page->next_cursor.empty()) {
            return out;
        }
        query.cursor = page->next_cursor;
    }
}

} // namespace

Result<VisitPlan>
plan_visit(PersonService& persons, const VisitRequest& request, const Actor& actor) {
    if (request.persons.empty() == !request.kelurahan.has_value()) {
        return fail(ErrorCode::ValidationFailed,
                    "give persons or a kelurahan, exactly one",
                    {{"persons", ErrorCode::InvalidArgument, "persons or kelurahan"}});
    }
    auto records = request.kelurahan ? records_of_kelurahan(persons, request, actor)
                                     : records_by_id(persons, request.persons, actor);
    if (!records) {
        return fail(std::move(records).error());
    }
    VisitPlan plan;
    std::vector<core::PersonRecord> located;
    std::vector<geo::LonLat> stops;
    for (auto& r : *records) {
        if (r.person.home) {
            stops.push_back(geo::LonLat{r.person.home->lon, r.person.home->lat});
            located.push_back(std::move(r));
        } else {
            plan.unlocated.push_back(std::move(r));
        }
    }
    const auto order = geo::plan_visits(request.start, stops);
    plan.total_m = order.total_m;
    double cumulative = 0;
    for (std::size_t i = 0; i < order.order.size(); ++i) {
        cumulative += order.leg_m[i];
        plan.stops.push_back(
            VisitStop{std::move(located[order.order[i]]), order.leg_m[i], cumulative});
    }
    return plan;
}

} // namespace kapal::service
