#include "kapal/http/person_routes.hpp"

#include "kapal/geo/geojson.hpp"
#include "kapal/geo/route.hpp"
#include "kapal/http/person_json.hpp"
#include "kapal/http/problem.hpp"
#include "kapal/http/route_support.hpp"
#include "kapal/service/visit_service.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace kapal::http {
namespace {

using core::Role;

const Access& kReaders = readers_access();
const Access& kWriters = writers_access();
const Access kUnmaskers = Access::only({Role::Admin, Role::Operator, Role::Auditor});

/// The string member `field` of a JSON body that must hold exactly that one member. Errors:
/// UnsupportedMediaType, BadJson, ValidationFailed naming an unknown member, and `missing`
/// (with `missing_issue` on the field) when the member is absent or not a string.
Result<std::string> one_string_field(const Request& req,
                                     const std::string& field,
                                     ErrorCode missing,
                                     ErrorCode missing_issue) {
    auto body = json_object_body(req);
    if (!body) {
        return fail(std::move(body).error());
    }
    const nlohmann::json& j = *body;
    for (const auto& [key, value] : j.items()) {
        if (key != field) {
            return fail(
                ErrorCode::ValidationFailed, "unknown field", {{key, ErrorCode::UnknownField, ""}});
        }
    }
    if (!j.contains(field) || !j[field].is_string()) {
        return fail(missing,
                    field + " is required",
                    {{field,
                      missing_issue,
                      missing_issue == ErrorCode::FieldTypeMismatch ? "string" : ""}});
    }
    return j[field].get<std::string>();
}

/// Numbers separated by commas ("117.5,0.13"): exactly `count` finite ones, else nullopt.
std::optional<std::vector<double>> parse_numbers(std::string_view text, std::size_t count) {
    std::vector<double> out;
    for (;;) {
        const auto comma = text.find(',');
        const std::string part(text.substr(0, comma));
        char* end = nullptr;
        const double v = std::strtod(part.c_str(), &end);
        if (part.empty() || end != part.c_str() + part.size() || !std::isfinite(v) ||
            out.size() == count) {
            return std::nullopt;
        }
        out.push_back(v);
        if (comma == std::string_view::npos) {
            break;
        }
        text.remove_prefix(comma + 1);
    }
    if (out.size() != count) {
        return std::nullopt;
    }
    return out;
}

bool valid_lon_lat(double lon, double lat) {
    return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;
}

/// The spatial part of a person list (near=lon,lat with radius_m= or k=, or bbox=); nullopt
/// when there is none. Bad parts are added to `issues`.
std::optional<service::SpatialQuery> spatial_query(const Request& req,
                                                   std::vector<FieldIssue>& issues) {
    const auto near = req.query_param("near");
    const auto radius = req.query_param("radius_m");
    const auto k = req.query_param("k");
    const auto bbox = req.query_param("bbox");
    if (!near && !radius && !k && !bbox) {
        return std::nullopt;
    }
    service::SpatialQuery q;
    if (bbox) {
        if (near || radius || k) {
            issues.push_back({"bbox", ErrorCode::InvalidArgument, "bbox or near, not both"});
            return std::nullopt;
        }
        // min_lon > max_lon is a box across the antimeridian (170,-10,-170,10); latitudes must
        // be in order.
        const auto v = parse_numbers(*bbox, 4);
        if (!v || !valid_lon_lat((*v)[0], (*v)[1]) || !valid_lon_lat((*v)[2], (*v)[3]) ||
            (*v)[1] > (*v)[3]) {
            issues.push_back(
                {"bbox", ErrorCode::InvalidArgument, "min_lon,min_lat,max_lon,max_lat"});
            return std::nullopt;
        }
        q.bbox = geo::BBox{(*v)[0], (*v)[1], (*v)[2], (*v)[3]};
        return q;
    }
    if (!near) {
        issues.push_back({"near", ErrorCode::InvalidArgument, "lon,lat (with radius_m or k)"});
        return std::nullopt;
    }
    const auto v = parse_numbers(*near, 2);
    if (!v || !valid_lon_lat((*v)[0], (*v)[1])) {
        issues.push_back({"near", ErrorCode::InvalidArgument, "lon,lat"});
        return std::nullopt;
    }
    q.near = geo::LonLat{(*v)[0], (*v)[1]};
    if ((radius != std::nullopt) == (k != std::nullopt)) {
        issues.push_back({radius ? "k" : "radius_m",
                          ErrorCode::InvalidArgument,
                          "near takes radius_m or k, exactly one"});
        return std::nullopt;
    }
    if (radius) {
        const auto r = parse_numbers(*radius, 1);
        if (!r || (*r)[0] < 0 || (*r)[0] > 100000) {
            issues.push_back({"radius_m", ErrorCode::InvalidArgument, "0..100000"});
            return std::nullopt;
        }
        q.radius_m = (*r)[0];
    } else {
        int n = 0;
        const auto [ptr, ec] = std::from_chars(k->data(), k->data() + k->size(), n);
        if (ec != std::errc{} || ptr != k->data() + k->size() || n < 1 || n > 1000) {
            issues.push_back({"k", ErrorCode::InvalidArgument, "1..1000"});
            return std::nullopt;
        }
        q.k = static_cast<std::size_t>(n);
    }
    return q;
}

Response spatial_page(service::PersonService& persons,
                      const service::SpatialQuery& spatial,
                      store::PersonQuery filters,
                      const Request& req) {
    if (spatial.k > 0) {
        filters.limit = std::max(filters.limit, static_cast<int>(spatial.k));
    }
    auto page = persons.search(spatial, filters, actor_of(req));
    if (!page) {
        return problem(page.error(), req);
    }
    std::string body = R"({"items":[)";
    for (std::size_t i = 0; i < page->items.size(); ++i) {
        if (i > 0) {
            body += ',';
        }
        std::string item = person_to_json(page->items[i].record);
        if (spatial.near && !item.empty() && item.back() == '}') {
            char distance[48];
            std::snprintf(
                distance, sizeof distance, ",\"distance_m\":%.1f}", page->items[i].distance_m);
            item.pop_back();
            item += distance;
        }
        body += item;
    }
    body += "],\"next_cursor\":null,\"truncated\":";
    body += page->truncated ? "true" : "false";
    body += '}';
    return Response::json(200, std::move(body));
}

/// Assistive-device codes separated by commas ("kursi_roda,kruk"); bad ones go to `issues`.
std::vector<std::string> parse_needs(std::string_view text, std::vector<FieldIssue>& issues) {
    std::vector<std::string> out;
    for (;;) {
        const auto comma = text.find(',');
        std::string code(text.substr(0, comma));
        if (!core::is_assistive_device(code)) {
            issues.push_back({"needs", ErrorCode::NeedInvalid, code});
        }
        out.push_back(std::move(code));
        if (comma == std::string_view::npos) {
            return out;
        }
        text.remove_prefix(comma + 1);
    }
}

/// The most positions a search polygon may have (all rings, closing positions counted).
constexpr std::size_t kMaxSearchPositions = 10000;

/// A string, or an array of strings, of JSON member `key`, each checked by `parse`: the parsed
/// values, with bad ones added to `issues` (field key or key[i]).
template <class T, class Parse>
std::vector<T> string_list(const nlohmann::json& value,
                           const std::string& key,
                           ErrorCode invalid,
                           Parse parse,
                           std::vector<FieldIssue>& issues) {
    std::vector<T> out;
    const auto one = [&](const nlohmann::json& v, const std::string& field) {
        if (!v.is_string()) {
            issues.push_back({field, ErrorCode::FieldTypeMismatch, "string"});
            return;
        }
        if (auto parsed = parse(v.get<std::string>())) {
            out.push_back(*parsed);
        } else {
            issues.push_back({field, invalid, v.get<std::string>()});
        }
    };
    if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i) {
            one(value[i], key + "[" + std::to_string(i) + "]");
        }
    } else {
        one(value, key);
    }
    return out;
}

/// The body of POST /api/v1/persons/search: the area and the filters. Errors name the field.
Result<std::pair<service::SpatialQuery, store::PersonQuery>> search_body(const Request& req) {
    auto body = json_object_body(req);
    if (!body) {
        return fail(std::move(body).error());
    }
    const nlohmann::json& j = *body;
    service::SpatialQuery spatial;
    store::PersonQuery filters;
    std::vector<FieldIssue> issues;
    const auto text = [&](const nlohmann::json& v, const std::string& key) {
        if (!v.is_string()) {
            issues.push_back({key, ErrorCode::FieldTypeMismatch, "string"});
            return std::string();
        }
        return v.get<std::string>();
    };
    for (const auto& [key, value] : j.items()) {
        if (key == "geometry") {
            auto area = geo::parse_search_area(value.dump(), "geometry", kMaxSearchPositions);
            if (!area) {
                return fail(std::move(area).error());
            }
            spatial.polygon = std::move(*area);
        } else if (key == "category") {
            spatial.categories = string_list<core::Category>(
                value, key, ErrorCode::CategoryInvalid, core::parse_category, issues);
        } else if (key == "needs") {
            spatial.needs = string_list<std::string>(
                value,
                key,
                ErrorCode::NeedInvalid,
                [](const std::string& c) {
                    return core::is_assistive_device(c) ? std::optional(c) : std::nullopt;
                },
                issues);
        } else if (key == "severity") {
            const std::string v = text(value, key);
            if (auto severity = core::parse_severity(v)) {
                spatial.severity = *severity;
            } else if (value.is_string()) {
                issues.push_back({key, ErrorCode::SeverityInvalid, v});
            }
        } else if (key == "status") {
            const std::string v = text(value, key);
            if (auto status = core::parse_status(v)) {
                filters.status = *status;
            } else if (value.is_string()) {
                issues.push_back({key, ErrorCode::StatusInvalid, v});
            }
        } else if (key == "kelurahan" || key == "kecamatan") {
            const std::string v = text(value, key);
            if (value.is_string() && v.empty()) {
                issues.push_back({key, ErrorCode::InvalidArgument, "an area code"});
            }
            (key == "kelurahan" ? filters.kelurahan_code : filters.kecamatan_code) = v;
        } else if (key == "limit") {
            if (!value.is_number_integer() || value.get<std::int64_t>() < 1 ||
                value.get<std::int64_t>() > 1000) {
                issues.push_back({key, ErrorCode::InvalidArgument, "1..1000"});
            } else {
                filters.limit = value.get<int>();
            }
        } else {
            issues.push_back({key, ErrorCode::UnknownField, ""});
        }
    }
    if (!spatial.polygon && issues.empty()) {
        issues.push_back({"geometry", ErrorCode::InvalidArgument, "a Polygon or MultiPolygon"});
    }
    if (!issues.empty()) {
        return fail(ErrorCode::ValidationFailed, "bad search request", std::move(issues));
    }
    return std::pair{std::move(spatial), std::move(filters)};
}

/// The body of POST /api/v1/routes/visit.
Result<service::VisitRequest> visit_body(const Request& req) {
    auto body = json_object_body(req);
    if (!body) {
        return fail(std::move(body).error());
    }
    const nlohmann::json& j = *body;
    service::VisitRequest out;
    std::vector<FieldIssue> issues;
    bool has_start = false;
    for (const auto& [key, value] : j.items()) {
        if (key == "start") {
            if (!value.is_array() || value.size() != 2 || !value[0].is_number() ||
                !value[1].is_number() ||
                !valid_lon_lat(value[0].get<double>(), value[1].get<double>())) {
                issues.push_back({key, ErrorCode::InvalidArgument, "[lon, lat]"});
            } else {
                out.start = geo::LonLat{value[0].get<double>(), value[1].get<double>()};
                has_start = true;
            }
        } else if (key == "persons") {
            if (!value.is_array()) {
                issues.push_back({key, ErrorCode::FieldTypeMismatch, "array of person ids"});
                continue;
            }
            if (value.size() > geo::kMaxVisitStops) {
                issues.push_back({key,
                                  ErrorCode::InvalidArgument,
                                  "at most " + std::to_string(geo::kMaxVisitStops)});
                continue;
            }
            for (std::size_t i = 0; i < value.size(); ++i) {
                if (!value[i].is_string()) {
                    issues.push_back({key + "[" + std::to_string(i) + "]",
                                      ErrorCode::FieldTypeMismatch,
                                      "string"});
                } else {
                    out.persons.emplace_back(value[i].get<std::string>());
                }
            }
        } else if (key == "kelurahan") {
            if (!value.is_string() || value.get<std::string>().empty()) {
                issues.push_back({key, ErrorCode::FieldTypeMismatch, "a kelurahan code"});
            } else {
                out.kelurahan = value.get<std::string>();
            }
        } else if (key == "status") {
            const auto status =
                value.is_string() ? core::parse_status(value.get<std::string>()) : std::nullopt;
            if (!status) {
                issues.push_back({key, ErrorCode::StatusInvalid, value.dump()});
            } else {
                out.status = *status;
            }
        } else {
            issues.push_back({key, ErrorCode::UnknownField, ""});
        }
    }
    if (!has_start && issues.empty()) {
        issues.push_back({"start", ErrorCode::InvalidArgument, "[lon, lat]"});
    }
    if (!issues.empty()) {
        return fail(ErrorCode::ValidationFailed, "bad visit request", std::move(issues));
    }
    return out;
}

std::string metres(double m) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", m);
    return buf;
}

/// The list order a `sort` parameter names: name, birth_date or kelurahan, a leading '-' for
/// descending; nullopt for anything else.
std::optional<store::PersonSort> parse_person_sort(std::string_view v) {
    using S = store::PersonSort;
    const bool descending = !v.empty() && v.front() == '-';
    if (descending) {
        v.remove_prefix(1);
    }
    if (v == "name") {
        return descending ? S::NameDesc : S::Name;
    }
    if (v == "birth_date") {
        return descending ? S::BirthDateDesc : S::BirthDate;
    }
    if (v == "kelurahan") {
        return descending ? S::KelurahanDesc : S::Kelurahan;
    }
    return std::nullopt;
}

Response person_response(int status, const core::PersonRecord& r) {
    auto res = Response::json(status, person_to_json(r));
    res.set_header("ETag", etag(r.version));
    return res;
}

} // namespace

void add_person_routes(Router& router, service::PersonService& persons, store::Store& store) {
    // For load balancers: one cheap query (never a count), 503 while the database is down.
    const std::string backend(store.backend());
    router.add("GET", "/healthz", Access::open(), [&store, backend](const Request& req) {
        const auto version = store.ping();
        if (!version) {
            return problem(version.error(), req);
        }
        return Response::json(200,
                              std::string(R"({"status":"ok","store":")") + backend +
                                  R"(","schema_version":)" + std::to_string(*version) + "}");
    });
    router.add("GET", "/api/v1/openapi.json", Access::open(), [](const Request&) {
        return Response::json(200, openapi_document());
    });

    router.add("POST", "/api/v1/persons", kWriters, [&persons](const Request& req) {
        if (!is_json_content(req)) {
            return problem_response(ErrorCode::UnsupportedMediaType, req.lang());
        }
        auto input = person_from_json(req.body);
        if (!input) {
            return problem(input.error(), req);
        }
        auto key = idempotency_key_of(req);
        if (!key) {
            return problem(key.error(), req);
        }
        std::optional<store::IdempotencyToken> idem;
        if (!key->empty()) {
            idem = store::IdempotencyToken{*key, person_body_fingerprint(req.body)};
        }
        auto created = persons.create(std::move(input->person), actor_of(req), idem);
        if (!created) {
            return problem(created.error(), req);
        }
        auto res = person_response(201, created->record);
        res.set_header("Location", "/api/v1/persons/" + created->record.id.str());
        if (created->replayed) {
            res.set_header("Idempotent-Replayed", "true");
        }
        return res;
    });

    router.add("GET", "/api/v1/persons", kReaders, [&persons](const Request& req) {
        store::PersonQuery q;
        std::vector<FieldIssue> issues;
        if (auto v = req.query_param("kelurahan")) {
            q.kelurahan_code = std::string(*v);
        }
        if (auto v = req.query_param("kecamatan")) {
            q.kecamatan_code = std::string(*v);
        }
        if (auto v = req.query_param("category")) {
            if (auto c = core::parse_category(*v)) {
                q.category = *c;
            } else {
                issues.push_back({"category", ErrorCode::CategoryInvalid, std::string(*v)});
            }
        }
        if (auto v = req.query_param("status")) {
            if (auto s = core::parse_status(*v)) {
                q.status = *s;
            } else {
                issues.push_back({"status", ErrorCode::StatusInvalid, std::string(*v)});
            }
        }
        if (auto v = req.query_param("q")) {
            q.name_contains = std::string(*v);
        }
        if (auto v = req.query_param("cursor")) {
            q.cursor = std::string(*v);
        }
        if (auto v = req.query_param("sort")) {
            if (auto sort = parse_person_sort(*v)) {
                q.sort = *sort;
            } else {
                issues.push_back({"sort",
                                  ErrorCode::InvalidArgument,
                                  "name, -name, birth_date, -birth_date, kelurahan or -kelurahan"});
            }
        }
        if (auto v = req.query_param("limit")) {
            int limit = 0;
            const auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), limit);
            if (ec != std::errc{} || ptr != v->data() + v->size() || limit < 1 || limit > 1000) {
                issues.push_back({"limit", ErrorCode::InvalidArgument, "1..1000"});
            } else {
                q.limit = limit;
            }
        }
        auto spatial = spatial_query(req, issues);
        std::vector<std::string> needs;
        std::optional<core::DisabilitySeverity> severity;
        if (auto v = req.query_param("needs")) {
            needs = parse_needs(*v, issues);
        }
        if (auto v = req.query_param("severity")) {
            severity = core::parse_severity(*v);
            if (!severity) {
                issues.push_back({"severity", ErrorCode::SeverityInvalid, std::string(*v)});
            }
        }
        if (!spatial && (!needs.empty() || severity) && issues.empty()) {
            // The store's list has no such columns; the point index has.
            issues.push_back({needs.empty() ? "severity" : "needs",
                              ErrorCode::InvalidArgument,
                              "only with near or bbox (or POST /api/v1/persons/search)"});
        }
        if (spatial && q.sort != store::PersonSort::Registered && issues.empty()) {
            issues.push_back({"sort",
                              ErrorCode::InvalidArgument,
                              "not with near or bbox (nearest first, or by id)"});
        }
        if (spatial) {
            spatial->needs = std::move(needs);
            spatial->severity = severity;
        }
        if (!issues.empty()) {
            return problem(Error{ErrorCode::ValidationFailed, "bad query parameters", issues}, req);
        }
        if (spatial) {
            return spatial_page(persons, *spatial, q, req);
        }
        auto page = persons.list(q, actor_of(req));
        if (!page) {
            return problem(page.error(), req);
        }
        std::string body = R"({"items":[)";
        for (std::size_t i = 0; i < page->items.size(); ++i) {
            if (i > 0) {
                body += ',';
            }
            body += person_to_json(page->items[i]);
        }
        body += "],\"next_cursor\":";
        body += page->next_cursor.empty() ? "null" : "\"" + page->next_cursor + "\"";
        body += '}';
        return Response::json(200, std::move(body));
    });

    router.add("POST", "/api/v1/persons/search", kReaders, [&persons](const Request& req) {
        auto body = search_body(req);
        if (!body) {
            return problem(body.error(), req);
        }
        return spatial_page(persons, body->first, body->second, req);
    });

    router.add("POST", "/api/v1/routes/visit", kReaders, [&persons](const Request& req) {
        std::vector<FieldIssue> issues;
        check_known(req, {"format"}, issues);
        const auto format = req.query_param("format").value_or("json");
        if (format != "json" && format != "csv" && format != "pdf") {
            issues.push_back({"format", ErrorCode::InvalidArgument, "json, csv or pdf"});
        }
        if (!issues.empty()) {
            return bad_parameters(std::move(issues), req);
        }
        auto request = visit_body(req);
        if (!request) {
            return problem(request.error(), req);
        }
        auto plan = service::plan_visit(persons, *request, actor_of(req));
        if (!plan) {
            return problem(plan.error(), req);
        }
        const auto& regions = persons.reference().regions;
        if (format == "csv") {
            return Response::attachment(
                service::visit_csv(*plan, regions), "text/csv; charset=utf-8", "kunjungan.csv");
        }
        if (format == "pdf") {
            const std::string by =
                req.principal ? req.principal->user.username : std::string("anonymous");
            auto pdf = service::visit_pdf(*plan, regions, by, persons.clock().now());
            if (!pdf) {
                return problem(pdf.error(), req);
            }
            return Response::attachment(std::move(*pdf), "application/pdf", "kunjungan.pdf");
        }
        std::string body = R"({"start":[)";
        body += nlohmann::json(request->start.lon).dump() + "," +
                nlohmann::json(request->start.lat).dump() + "],\"stops\":[";
        for (std::size_t i = 0; i < plan->stops.size(); ++i) {
            const auto& stop = plan->stops[i];
            body += i > 0 ? "," : "";
            body += R"({"order":)" + std::to_string(i + 1) + R"(,"leg_m":)" + metres(stop.leg_m) +
                    R"(,"cumulative_m":)" + metres(stop.cumulative_m) + R"(,"person":)" +
                    person_to_json(stop.record) + "}";
        }
        body += R"(],"total_m":)" + metres(plan->total_m) + R"(,"unlocated":[)";
        for (std::size_t i = 0; i < plan->unlocated.size(); ++i) {
            body += i > 0 ? "," : "";
            body += person_to_json(plan->unlocated[i]);
        }
        body += "]}";
        return Response::json(200, std::move(body));
    });

    router.add("POST", "/api/v1/persons/lookup", kReaders, [&persons](const Request& req) {
        // A NIK never travels in a URL (proxies and logs keep URLs): it comes in the body.
        auto nik =
            one_string_field(req, "nik", ErrorCode::ValidationFailed, ErrorCode::FieldTypeMismatch);
        if (!nik) {
            return problem(nik.error(), req);
        }
        auto found = persons.find_by_nik(*nik, actor_of(req));
        if (!found) {
            return problem(found.error(), req);
        }
        if (!*found) {
            return problem_response(ErrorCode::NotFound, req.lang());
        }
        return person_response(200, **found);
    });

    router.add("GET", "/api/v1/persons/{id}", kReaders, [&persons](const Request& req) {
        const core::PersonId id{std::string(req.path_param("id"))};
        if (auto at = req.query_param("as_of")) {
            const auto t = core::parse_timestamp(*at);
            if (!t) {
                return problem(Error{ErrorCode::ValidationFailed,
                                     "as_of is not an ISO instant",
                                     {{"as_of", ErrorCode::InvalidArgument, std::string(*at)}}},
                               req);
            }
            auto past = persons.as_of(id, *t, actor_of(req));
            return past ? person_response(200, *past) : problem(past.error(), req);
        }
        auto record = persons.get(id, actor_of(req));
        if (!record) {
            return problem(record.error(), req);
        }
        // A record merged into another (the duplicate review) redirects there; its own last
        // state stays readable with ?redirect=false, its history at /versions.
        if (!record->person.merged_into.empty() && req.query_param("redirect") != "false") {
            auto res = problem(
                Error{ErrorCode::PersonMerged,
                      "this record was merged into " + record->person.merged_into,
                      {{"merged_into", ErrorCode::PersonMerged, record->person.merged_into}}},
                req);
            res.status = 308;
            res.set_header("Location", "/api/v1/persons/" + record->person.merged_into);
            return res;
        }
        if (auto none_match = req.header("If-None-Match");
            none_match && *none_match == etag(record->version)) {
            Response res;
            res.status = 304;
            res.set_header("ETag", etag(record->version));
            return res;
        }
        return person_response(200, *record);
    });

    router.add("PUT", "/api/v1/persons/{id}", kWriters, [&persons](const Request& req) {
        const core::PersonId id{std::string(req.path_param("id"))};
        const auto if_match = req.header("If-Match");
        if (!if_match) {
            return problem_response(ErrorCode::PreconditionRequired, req.lang());
        }
        const auto version = parse_if_match(*if_match);
        if (!version) {
            return problem_response(ErrorCode::PreconditionRequired,
                                    req.lang(),
                                    "If-Match must be the ETag of the record, e.g. \"3\"");
        }
        if (!is_json_content(req)) {
            return problem_response(ErrorCode::UnsupportedMediaType, req.lang());
        }
        auto input = person_from_json(req.body);
        if (!input) {
            return problem(input.error(), req);
        }
        auto updated = persons.update(
            id, *version, std::move(input->person), actor_of(req), input->change_reason);
        return updated ? person_response(200, *updated) : problem(updated.error(), req);
    });

    router.add("GET", "/api/v1/persons/{id}/versions", kReaders, [&persons](const Request& req) {
        const core::PersonId id{std::string(req.path_param("id"))};
        auto history = persons.history(id, actor_of(req));
        if (!history) {
            return problem(history.error(), req);
        }
        std::string body = R"({"items":[)";
        for (std::size_t i = 0; i < history->size(); ++i) {
            if (i > 0) {
                body += ',';
            }
            body += version_to_json((*history)[i]);
        }
        body += "]}";
        return Response::json(200, std::move(body));
    });

    router.add("POST", "/api/v1/persons/{id}/reveal", kUnmaskers, [&persons](const Request& req) {
        auto purpose = one_string_field(
            req, "purpose", ErrorCode::PurposeRequired, ErrorCode::PurposeRequired);
        if (!purpose) {
            return problem(purpose.error(), req);
        }
        const core::PersonId id{std::string(req.path_param("id"))};
        auto numbers = persons.reveal(id, actor_of(req), *purpose);
        if (!numbers) {
            return problem(numbers.error(), req);
        }
        nlohmann::json out = {
            {"id", id.str()},
            {"nik", numbers->nik},
            {"kk", numbers->kk.empty() ? nlohmann::json() : nlohmann::json(numbers->kk)},
            {"account_number",
             numbers->account_number.empty() ? nlohmann::json()
                                             : nlohmann::json(numbers->account_number)}};
        auto res = Response::json(200, out.dump());
        res.set_header("Cache-Control", "no-store");
        return res;
    });
}

} // namespace kapal::http
