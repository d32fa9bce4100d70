#include "kapal/service/visit_service.hpp"

#include "kapal/core/time.hpp"
#include "kapal/geo/route.hpp"
#include "kapal/io/csv_writer.hpp"
#include "kapal/io/pdf_report.hpp"
#include "kapal/service/person_needs.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>
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

std::string kelurahan_name(const core::RegionRegistry& regions, const std::string& code) {
    const auto* region = regions.find(code);
    return region != nullptr ? region->name : code;
}

std::string caregiver_with_phone(const core::Person& p) {
    std::string out = caregiver_text(p);
    if (p.caregiver && !p.caregiver->phone.empty()) {
        out += " " + p.caregiver->phone;
    }
    return out;
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
    plan.start = request.start;
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

std::string visit_csv(const VisitPlan& plan, const core::RegionRegistry& regions) {
    std::ostringstream out;
    io::CsvWriterOptions options;
    options.guard_formulas = true; // names and streets are typed by people
    io::CsvWriter csv(out, options);
    csv.write_row(std::vector<std::string>{"urutan",
                                           "id",
                                           "nama",
                                           "alamat",
                                           "rt",
                                           "rw",
                                           "kelurahan",
                                           "lon",
                                           "lat",
                                           "jarak_m",
                                           "kumulatif_m",
                                           "kebutuhan",
                                           "alat_bantu",
                                           "pendamping",
                                           "telepon"});
    const auto row = [&](const std::string& order,
                         const core::PersonRecord& r,
                         const std::string& leg,
                         const std::string& cumulative) {
        const auto& p = r.person;
        const PersonNeeds needs = person_needs(p);
        csv.write_row(std::vector<std::string>{order,
                                               r.id.str(),
                                               p.full_name,
                                               p.address.street,
                                               p.address.rt,
                                               p.address.rw,
                                               kelurahan_name(regions, p.address.kelurahan_code),
                                               p.home ? coordinate(p.home->lon) : "",
                                               p.home ? coordinate(p.home->lat) : "",
                                               leg,
                                               cumulative,
                                               needs_text(needs),
                                               join(needs.devices, " "),
                                               caregiver_with_phone(p),
                                               p.phone});
    };
    for (std::size_t i = 0; i < plan.stops.size(); ++i) {
        const auto& stop = plan.stops[i];
        row(std::to_string(i + 1), stop.record, metres(stop.leg_m), metres(stop.cumulative_m));
    }
    for (const auto& r : plan.unlocated) {
        row("", r, "", "");
    }
    return out.str();
}

Result<std::string> visit_pdf(const VisitPlan& plan,
                              const core::RegionRegistry& regions,
                              const std::string& printed_by,
                              core::Timestamp printed_at) {
    io::PdfDocument doc;
    doc.landscape = true;
    doc.title = "Daftar kunjungan rumah penyandang disabilitas";
    doc.lines.push_back(std::to_string(plan.stops.size()) + " rumah · rute " +
                        metres(plan.total_m) + " m (garis lurus) dari " +
                        coordinate(plan.start.lon) + ", " + coordinate(plan.start.lat));
    doc.lines.push_back("Dicetak " + core::format_timestamp(printed_at) + " oleh " + printed_by +
                        ". Data pribadi: simpan dan musnahkan sesuai aturan.");
    if (!plan.unlocated.empty()) {
        doc.lines.push_back(std::to_string(plan.unlocated.size()) +
                            " orang tanpa lokasi rumah: didaftar terpisah di akhir, tidak masuk "
                            "rute.");
    }
    doc.footer = "Kapal Si Geo · daftar kunjungan";
    const core::Date today = core::wita_date(printed_at);
    const std::vector<io::PdfColumn> columns = {{"No", 8},
                                                {"Nama", 42},
                                                {"L/P, umur", 16},
                                                {"Alamat", 46},
                                                {"Kelurahan", 28},
                                                {"Kebutuhan", 28},
                                                {"Pendamping", 34},
                                                {"Telepon", 26},
                                                {"Jarak (m)", 14},
                                                {"Total (m)", 15},
                                                {"Paraf", 10}};
    const auto row = [&](const std::string& order,
                         const core::PersonRecord& r,
                         const std::string& leg,
                         const std::string& cumulative) {
        const core::Person& p = r.person;
        const PersonNeeds needs = person_needs(p);
        std::string need_words = needs_text(needs);
        if (!needs.devices.empty()) {
            need_words += (need_words.empty() ? "" : "; ") + join(needs.devices, ", ");
        }
        return std::vector<std::string>{order,
                                        p.full_name,
                                        std::string(core::to_string(p.sex)) + ", " +
                                            age_text(p, today),
                                        address_text(p),
                                        kelurahan_name(regions, p.address.kelurahan_code),
                                        need_words,
                                        caregiver_with_phone(p),
                                        p.phone,
                                        leg,
                                        cumulative,
                                        ""};
    };
    io::PdfTable route;
    route.heading = "Urutan kunjungan";
    route.columns = columns;
    for (std::size_t i = 0; i < plan.stops.size(); ++i) {
        const auto& stop = plan.stops[i];
        route.rows.push_back(
            row(std::to_string(i + 1), stop.record, metres(stop.leg_m), metres(stop.cumulative_m)));
    }
    if (!route.rows.empty()) {
        doc.tables.push_back(std::move(route));
    }
    if (!plan.unlocated.empty()) {
        io::PdfTable rest;
        rest.heading = "Tanpa lokasi rumah (cari alamatnya; tidak masuk rute)";
        rest.columns = columns;
        for (const auto& r : plan.unlocated) {
            rest.rows.push_back(row("-", r, "", ""));
        }
        doc.tables.push_back(std::move(rest));
    }
    if (doc.tables.empty()) {
        doc.lines.push_back("Tidak ada orang untuk dikunjungi.");
    }
    return io::render_pdf(doc);
}

} // namespace kapal::service
