#include "kapal/service/rakor_report.hpp"

#include "kapal/geo/geojson.hpp"
#include "kapal/io/pdf_report.hpp"
#include "kapal/io/xlsx_writer.hpp"

#include <cstdio>

namespace kapal::service {
namespace {

/// The calendar months (WITA) of a period, each clipped to it.
std::vector<Period> months_of(const Period& p) {
    std::vector<Period> out;
    core::Date at = p.from;
    while (at < p.to) {
        const int y = static_cast<int>(at.year());
        const unsigned m = static_cast<unsigned>(at.month());
        const core::Date next =
            m == 12 ? core::make_date(y + 1, 1, 1) : core::make_date(y, m + 1, 1);
        char label[16];
        std::snprintf(label, sizeof label, "%04d-%02u", y, m);
        out.push_back(Period{at, next < p.to ? next : p.to, label});
        at = next;
    }
    return out;
}

std::string num(std::int64_t v) {
    return std::to_string(v);
}

/// A share as a percentage with one decimal ("12.5"); "" when undefined.
std::string percent(std::optional<double> share) {
    if (!share) {
        return "";
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", *share * 100);
    return buf;
}

std::string decimal(std::optional<double> v) {
    if (!v) {
        return "";
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", *v);
    return buf;
}

std::string level_name(AreaLevel level) {
    switch (level) {
    case AreaLevel::Kota:
        return "kota";
    case AreaLevel::Kecamatan:
        return "kecamatan";
    case AreaLevel::Kelurahan:
        return "kelurahan";
    }
    return "";
}

/// A table as both the PDF and the workbook show it.
struct Table {
    std::string sheet;   ///< ≤ 31 characters
    std::string heading; ///< the PDF's heading
    std::vector<std::string> header;
    std::vector<double> widths_mm;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::size_t> number_columns;
    std::string query; ///< the API query that gives its figures
};

const std::vector<std::string> kFlowHeader = {"Kode",
                                              "Wilayah",
                                              "Awal",
                                              "Baru",
                                              "Pindah masuk",
                                              "Aktif kembali",
                                              "Pindah keluar",
                                              "Meninggal",
                                              "Nonaktif",
                                              "Akhir",
                                              "Perubahan"};

std::vector<std::string>
flow_row(const std::string& code, const std::string& name, const FlowCounts& c) {
    return {code,
            name,
            num(c.start),
            num(c.registered),
            num(c.moved_in),
            num(c.reactivated),
            num(c.moved_out),
            num(c.deceased),
            num(c.deactivated),
            num(c.end),
            num(c.end - c.start)};
}

Table flow_table(const PeriodFlows& f,
                 const std::string& sheet,
                 const std::string& heading,
                 std::string query) {
    Table t;
    t.sheet = sheet;
    t.heading = heading;
    t.header = kFlowHeader;
    t.widths_mm = {30, 50, 18, 18, 22, 22, 22, 20, 20, 18, 22};
    for (const auto& a : f.areas) {
        t.rows.push_back(flow_row(a.code, a.name, a.counts));
    }
    t.rows.push_back(flow_row("", "Jumlah (gabungan)", f.total.counts));
    t.number_columns = {2, 3, 4, 5, 6, 7, 8, 9, 10};
    t.query = std::move(query);
    return t;
}

Table breakdown_table(const std::vector<KeyFlows>& cells,
                      const std::string& sheet,
                      const std::string& heading,
                      const std::string& key_title,
                      std::string query) {
    Table t;
    t.sheet = sheet;
    t.heading = heading;
    t.header = kFlowHeader;
    t.header[0] = key_title;
    t.header[1] = "";
    t.header.erase(t.header.begin() + 1);
    t.widths_mm = {50, 20, 20, 24, 24, 24, 20, 20, 20, 24};
    for (const auto& c : cells) {
        auto row = flow_row(c.key, "", c.counts);
        row.erase(row.begin() + 1);
        t.rows.push_back(std::move(row));
    }
    t.number_columns = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    t.query = std::move(query);
    return t;
}

Table indicator_table(const RakorReport& r) {
    Table t;
    t.sheet = "Indikator";
    t.heading = "Indikator per " + level_name(r.options.level) + " (" + r.options.period.label +
                ", di samping " + r.previous.label + ")";
    const std::string now = r.options.period.label;
    const std::string before = r.previous.label;
    t.header = {"Kode",
                "Wilayah",
                "Terdaftar " + now,
                "Terdaftar " + before,
                "Per 1.000 penduduk " + now,
                "Per 1.000 penduduk " + before,
                "% berkartu " + now,
                "% berkartu " + before,
                "% menerima bantuan " + now,
                "% menerima bantuan " + before,
                "% di zona rawan " + now,
                "% di zona rawan " + before,
                "% jauh dari fasilitas " + now,
                "% jauh dari fasilitas " + before};
    t.widths_mm = {26, 36, 16, 16, 16, 16, 16, 16, 18, 18, 16, 16, 18, 18};
    const auto row = [](const std::string& code, const std::string& name, const auto& a) {
        using C = IndicatorCounts;
        return std::vector<std::string>{
            code,
            name,
            num(a.current.registered),
            num(a.previous.registered),
            decimal(a.current.per_1000()),
            decimal(a.previous.per_1000()),
            percent(C::share(a.current.with_card, a.current.registered)),
            percent(C::share(a.previous.with_card, a.previous.registered)),
            percent(C::share(a.current.reached, a.current.registered)),
            percent(C::share(a.previous.reached, a.previous.registered)),
            percent(C::share(a.current.in_hazard, a.current.located)),
            percent(C::share(a.previous.in_hazard, a.previous.located)),
            percent(C::share(a.current.far, a.current.located)),
            percent(C::share(a.previous.far, a.previous.located))};
    };
    for (const auto& a : r.indicators.areas) {
        t.rows.push_back(row(a.code, a.name, a));
    }
    t.rows.push_back(row("", "Jumlah (gabungan)", r.indicators.total));
    t.number_columns = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    t.query = indicators_query(r);
    return t;
}

Table month_table(const RakorReport& r) {
    Table t;
    t.sheet = "Per bulan";
    t.heading = "Perubahan per bulan (gabungan wilayah)";
    t.header = kFlowHeader;
    t.header[0] = "Bulan";
    t.header.erase(t.header.begin() + 1);
    t.widths_mm = {30, 20, 20, 24, 24, 24, 20, 20, 20, 24};
    for (const auto& m : r.months) {
        auto row = flow_row(m.period.label, "", m.total.counts);
        row.erase(row.begin() + 1);
        t.rows.push_back(std::move(row));
    }
    t.number_columns = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    // A whole month is asked by its label; a month clipped by a from/to period by its days.
    t.query = "/api/v1/stats/flows?period=BULAN&level=" + level_name(r.options.level) +
              " (total) untuk setiap bulan:";
    for (const auto& m : r.months) {
        const auto whole = parse_period(m.period.label);
        t.query += " " + (whole && whole->from == m.period.from && whole->to == m.period.to
                              ? m.period.label
                              : "from=" + core::format_date(m.period.from) +
                                    "&to=" + core::format_date(m.period.to));
    }
    return t;
}

/// Every table of the report, in order.
std::vector<Table> tables_of(const RakorReport& r) {
    std::vector<Table> out;
    const std::string level = level_name(r.options.level);
    if (!r.kecamatan.areas.empty()) {
        out.push_back(flow_table(r.kecamatan,
                                 "Arus per kecamatan",
                                 "Arus data per kecamatan",
                                 flows_query(r, AreaLevel::Kecamatan)));
    }
    if (r.options.level != AreaLevel::Kecamatan || r.kecamatan.areas.empty()) {
        out.push_back(flow_table(r.areas,
                                 "Arus per " + level,
                                 "Arus data per " + level,
                                 flows_query(r, r.options.level)));
    }
    const auto& total = r.areas.total;
    const std::string q = flows_query(r, r.options.level) + " (total.by)";
    out.push_back(breakdown_table(
        total.categories, "Menurut kategori", "Menurut ragam disabilitas", "Ragam", q));
    out.push_back(
        breakdown_table(total.sexes, "Menurut jenis kelamin", "Menurut jenis kelamin", "L/P", q));
    out.push_back(breakdown_table(
        total.age_groups, "Menurut kelompok umur", "Menurut kelompok umur", "Kelompok umur", q));
    out.push_back(breakdown_table(
        total.severities, "Menurut keparahan", "Menurut tingkat keparahan", "Keparahan", q));
    out.push_back(indicator_table(r));
    out.push_back(month_table(r));
    return out;
}

std::vector<io::PdfRing> rings_of(const geo::MultiPolygon& shape) {
    std::vector<io::PdfRing> out;
    const auto ring_of = [](const geo::Ring& ring) {
        io::PdfRing pr;
        for (const auto& p : ring) {
            pr.emplace_back(p.lon, p.lat);
        }
        return pr;
    };
    for (const auto& part : shape.parts) {
        out.push_back(ring_of(part.outer));
        for (const auto& hole : part.holes) {
            out.push_back(ring_of(hole));
        }
    }
    return out;
}

io::PdfTable pdf_table(const Table& t) {
    io::PdfTable out;
    out.heading = t.heading;
    for (std::size_t c = 0; c < t.header.size(); ++c) {
        out.columns.push_back({t.header[c], c < t.widths_mm.size() ? t.widths_mm[c] : 20});
    }
    out.rows = t.rows;
    return out;
}

} // namespace

std::string flows_query(const RakorReport& r, AreaLevel level) {
    return "/api/v1/stats/flows?period=" + r.options.period.label + "&level=" + level_name(level);
}

std::string indicators_query(const RakorReport& r) {
    std::string q = "/api/v1/stats/indicators?period=" + r.options.period.label +
                    "&level=" + level_name(r.options.level) +
                    "&far_m=" + std::to_string(static_cast<long>(r.options.indicators.far_m));
    if (!r.options.indicators.facility_kind.empty()) {
        q += "&facility_kind=" + r.options.indicators.facility_kind;
    }
    return q;
}

std::string rakor_file_stem(const RakorReport& report) {
    std::string label = report.options.period.label;
    for (auto& c : label) {
        if (c == '.') {
            c = '_';
        }
    }
    return "laporan-rakor-" + label;
}

Result<RakorReport> gather_rakor(store::Store& store,
                                 const ReferenceData& ref,
                                 const Actor& actor,
                                 const RakorOptions& options,
                                 const core::Clock& clock,
                                 const RakorProgress& progress) {
    const auto& p = options.period;
    if (!p.from.ok() || !p.to.ok() || !(p.from < p.to)) {
        return fail(ErrorCode::InvalidArgument, "a period must end after it starts");
    }
    if (std::chrono::sys_days(p.to) - std::chrono::sys_days(p.from) > std::chrono::days(1100)) {
        return fail(ErrorCode::InvalidArgument, "a rakor period spans at most 36 months");
    }
    const int steps = 5;
    const auto step = [&](int n, std::string_view what) {
        if (progress) {
            progress(n, steps, what);
        }
    };
    RakorReport r;
    r.options = options;
    r.previous = previous_period(p);
    r.made_by = actor.id;
    r.made_at = clock.now();

    step(1, "Menghitung arus data per kecamatan");
    if (!areas_in_scope(ref, actor, AreaLevel::Kecamatan).empty()) {
        KAPAL_ASSIGN_OR_RETURN(kec,
                               compute_flows(store, ref, actor, AreaLevel::Kecamatan, {p}, true));
        r.kecamatan = std::move(kec.front());
    }
    step(2, "Menghitung arus data per " + level_name(options.level));
    if (options.level == AreaLevel::Kecamatan && !r.kecamatan.areas.empty()) {
        r.areas = r.kecamatan; // the same figures: not scanned twice
    } else {
        KAPAL_ASSIGN_OR_RETURN(areas, compute_flows(store, ref, actor, options.level, {p}, true));
        r.areas = std::move(areas.front());
    }
    step(3, "Menghitung indikator");
    KAPAL_ASSIGN_OR_RETURN(
        indicators, compute_indicators(store, ref, actor, options.level, p, options.indicators));
    r.indicators = std::move(indicators);
    step(4, "Menghitung perubahan per bulan");
    KAPAL_ASSIGN_OR_RETURN(months,
                           compute_flows(store, ref, actor, options.level, months_of(p), false));
    r.months = std::move(months);
    step(5, "Membaca zona rawan bencana");
    KAPAL_ASSIGN_OR_RETURN(zones, store.list_hazard_zones());
    r.zones = std::move(zones);
    return r;
}

Result<std::string> rakor_pdf(const RakorReport& r, const ReferenceData& ref) {
    io::PdfDocument doc;
    doc.landscape = true;
    const auto* region = ref.regions.find(ref.city_code);
    const std::string city = region != nullptr ? region->name : ref.city_code;
    doc.title =
        "Laporan Rakor Data Penyandang Disabilitas — " + city + " — " + r.options.period.label;
    doc.lines = {
        "Periode: " + core::format_date(r.options.period.from) + " s.d. sebelum " +
            core::format_date(r.options.period.to) + " (WITA); pembanding: " + r.previous.label +
            ".",
        "Dibuat " + core::format_timestamp(r.made_at) + " oleh " + r.made_by +
            " dengan Kapal Si Geo. Hanya wilayah dalam cakupan pengguna.",
        "Angka dihitung dari riwayat registrasi menurut waktu pencatatan: awal + masuk − keluar = "
        "akhir di setiap baris. Setiap tabel menyebut kueri API yang menghasilkan angkanya; "
        "definisi di docs/reports.md.",
    };
    doc.footer = "Kapal Si Geo · Laporan Rakor " + r.options.period.label;
    const auto tables = tables_of(r);

    // Summary first.
    io::PdfTable summary;
    summary.heading = "Ringkasan (gabungan wilayah)";
    summary.columns = {{"Angka", 110}, {r.options.period.label, 50}, {r.previous.label, 50}};
    const auto& now = r.indicators.total.current;
    const auto& before = r.indicators.total.previous;
    using C = IndicatorCounts;
    summary.rows = {
        {"Terdaftar di akhir periode", num(now.registered), num(before.registered)},
        {"Masuk (baru + pindah masuk + aktif kembali)", num(r.areas.total.counts.in()), ""},
        {"Keluar (pindah keluar + meninggal + nonaktif)", num(r.areas.total.counts.out()), ""},
        {"Per 1.000 penduduk", decimal(now.per_1000()), decimal(before.per_1000())},
        {"% berkartu",
         percent(C::share(now.with_card, now.registered)),
         percent(C::share(before.with_card, before.registered))},
        {"% menerima bantuan tahun berjalan",
         percent(C::share(now.reached, now.registered)),
         percent(C::share(before.reached, before.registered))},
        {"% tinggal di zona rawan bencana (dari yang berlokasi)",
         percent(C::share(now.in_hazard, now.located)),
         percent(C::share(before.in_hazard, before.located))},
        {"% lebih dari " + std::to_string(static_cast<long>(r.options.indicators.far_m)) +
             " m dari fasilitas (dari yang berlokasi)",
         percent(C::share(now.far, now.located)),
         percent(C::share(before.far, before.located))},
    };
    doc.blocks.push_back(
        {summary,
         std::nullopt,
         std::nullopt,
         "Sumber: " + indicators_query(r) + " dan " + flows_query(r, r.options.level),
         false});

    // The change per month, in above and out below the axis.
    io::PdfBarChart monthly;
    monthly.heading = "Masuk dan keluar per bulan";
    io::PdfBarSeries in{"Masuk", {}, false, false};
    io::PdfBarSeries out{"Keluar", {}, true, true};
    for (const auto& m : r.months) {
        monthly.labels.push_back(m.period.label);
        in.values.push_back(static_cast<double>(m.total.counts.in()));
        out.values.push_back(static_cast<double>(m.total.counts.out()));
    }
    monthly.series = {in, out};
    doc.blocks.push_back({std::nullopt,
                          monthly,
                          std::nullopt,
                          "Masuk di atas sumbu, keluar (diarsir) di bawahnya. Sumber: tabel "
                          "\"Per bulan\".",
                          false});

    // The map: registered at the end per kelurahan, hazard zones over it.
    if (r.options.level == AreaLevel::Kelurahan) {
        io::PdfMap map;
        map.heading = "Peta terdaftar per kelurahan di akhir periode, dengan zona rawan bencana";
        map.value_title = "Terdaftar";
        map.overlay_title = "Zona rawan bencana";
        for (const auto& feature : ref.areas) {
            if (feature.level != "kelurahan") {
                continue;
            }
            io::PdfMapArea area;
            area.label = feature.name;
            area.rings = rings_of(feature.shape);
            for (const auto& a : r.areas.areas) {
                if (a.code == feature.code) {
                    area.value = static_cast<double>(a.counts.end);
                }
            }
            map.areas.push_back(std::move(area));
        }
        for (const auto& z : r.zones) {
            if (auto shape = geo::parse_search_area(z.geometry, "geometry", 5'000'000)) {
                map.overlay.push_back(rings_of(*shape));
            }
        }
        doc.blocks.push_back({std::nullopt,
                              std::nullopt,
                              map,
                              "Kelurahan di luar cakupan pengguna berwarna abu-abu. Sumber: " +
                                  flows_query(r, AreaLevel::Kelurahan) + " (end).",
                              true});
    }

    // Per-area in and out.
    io::PdfBarChart per_area;
    per_area.heading = "Masuk dan keluar per " + level_name(r.options.level);
    io::PdfBarSeries area_in{"Masuk", {}, false, false};
    io::PdfBarSeries area_out{"Keluar", {}, true, true};
    for (const auto& a : r.areas.areas) {
        per_area.labels.push_back(a.name);
        area_in.values.push_back(static_cast<double>(a.counts.in()));
        area_out.values.push_back(static_cast<double>(a.counts.out()));
    }
    per_area.series = {area_in, area_out};
    doc.blocks.push_back({std::nullopt,
                          per_area,
                          std::nullopt,
                          "Sumber: " + flows_query(r, r.options.level) + " (in, out).",
                          true});

    for (std::size_t i = 0; i < tables.size(); ++i) {
        doc.blocks.push_back({pdf_table(tables[i]),
                              std::nullopt,
                              std::nullopt,
                              "Sumber: " + tables[i].query,
                              i == 0});
    }
    return io::render_pdf(doc);
}

Result<void> write_rakor_xlsx(const RakorReport& r, const std::string& path) {
    std::vector<io::XlsxSheet> sheets;
    io::XlsxSheet about;
    about.name = "Sumber";
    about.header = {"Lembar", "Isi", "Kueri API (GET, dengan sesi atau token)"};
    about.rows.push_back({"",
                          "Periode " + r.options.period.label + " (" +
                              core::format_date(r.options.period.from) + " s.d. sebelum " +
                              core::format_date(r.options.period.to) + " WITA), pembanding " +
                              r.previous.label,
                          ""});
    about.rows.push_back(
        {"", "Dibuat " + core::format_timestamp(r.made_at) + " oleh " + r.made_by, ""});
    const auto tables = tables_of(r);
    for (const auto& t : tables) {
        about.rows.push_back({t.sheet, t.heading, t.query});
    }
    sheets.push_back(std::move(about));
    for (const auto& t : tables) {
        io::XlsxSheet s;
        s.name = t.sheet;
        s.header = t.header;
        s.rows = t.rows;
        s.number_columns = t.number_columns;
        sheets.push_back(std::move(s));
    }
    return io::write_xlsx(path, sheets);
}

} // namespace kapal::service
