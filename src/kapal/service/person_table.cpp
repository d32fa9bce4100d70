#include "kapal/service/person_table.hpp"

#include "kapal/core/nik.hpp"
#include "kapal/core/text.hpp"
#include "kapal/io/excel_dates.hpp"
#include "kapal/service/dtks_layout.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace kapal::service {
namespace {

using C = PersonColumn;

struct ColumnSpec {
    C column;
    std::string_view title;
    std::initializer_list<std::string_view> aliases; // folded forms
};

const std::array<ColumnSpec, kPersonColumnCount>& specs() {
    static const std::array<ColumnSpec, kPersonColumnCount> kSpecs = {{
        {C::Nik,
         "NIK",
         {"nik",
          "noinduKkependudukan",
          "nomorindukkependudukan",
          "noktp",
          "nomorktp",
          "niknomorindukkependudukan",
          "noinduk"}},
        {C::Kk, "No. KK", {"nokk", "kk", "nomorkk", "nokartukeluarga", "nomorkartukeluarga"}},
        {C::Name, "Nama Lengkap", {"namalengkap", "nama", "namapenyandangdisabilitas", "namapd"}},
        {C::Sex,
         "Jenis Kelamin (L/P)",
         {"jeniskelamin", "jeniskelaminlp", "jk", "lp", "sex", "kelamin"}},
        {C::BirthPlace, "Tempat Lahir", {"tempatlahir"}},
        {C::BirthDate,
         "Tanggal Lahir (dd/mm/yyyy)",
         {"tanggallahir", "tgllahir", "tgllhr", "tanggallahirddmmyyyy"}},
        {C::Street, "Alamat", {"alamat", "alamatlengkap", "jalan"}},
        {C::Rt, "RT", {"rt"}},
        {C::Rw, "RW", {"rw"}},
        {C::RtRw, "RT/RW", {"rtrw"}},
        {C::Kelurahan,
         "Kelurahan/Desa",
         {"kelurahandesa",
          "kelurahan",
          "desakelurahan",
          "desa",
          "kel",
          "kodekelurahan",
          "kodedesakelurahan",
          "kodekelurahandesa",
          "kodedesa"}},
        {C::Kecamatan, "Kecamatan", {"kecamatan", "kec"}},
        {C::Categories,
         "Ragam/Jenis Disabilitas",
         {"ragamjenisdisabilitas",
          "ragamdisabilitas",
          "jenisdisabilitas",
          "jenisragamdisabilitas",
          "disabilitas",
          "kategoridisabilitas",
          "ragam",
          "jeniskecacatan",
          "kecacatan",
          "ragamdisabilitasuu82016"}},
        {C::Subtype,
         "Sub-jenis Disabilitas",
         {"subjenisdisabilitas", "subragam", "keterangandisabilitas", "diagnosis"}},
        {C::Severity,
         "Tingkat Keparahan",
         {"tingkatkeparahan", "keparahan", "derajatkedisabilitasan", "tingkatdisabilitas"}},
        {C::Latitude, "Latitude", {"latitude", "lat", "lintang"}},
        {C::Longitude, "Longitude", {"longitude", "lon", "lng", "long", "bujur"}},
        {C::Koordinat,
         "Koordinat",
         {"koordinat", "titikkoordinat", "latlon", "latlong", "koordinatlatlon"}},
        {C::Phone,
         "No. HP",
         {"nohp", "telepon", "notelepon", "nomortelepon", "notelp", "hp", "nomorhp", "nowa"}},
        {C::CaregiverName, "Nama Pendamping", {"namapendamping", "pendamping", "namapengasuh"}},
        {C::CaregiverRelation, "Hubungan Pendamping", {"hubunganpendamping", "hubungan"}},
        {C::CaregiverPhone, "No. HP Pendamping", {"nohppendamping", "teleponpendamping"}},
        {C::Dtks, "DTKS (Ya/Tidak)", {"dtks", "dtksyatidak", "statusdtks", "terdaftardtks"}},
        {C::DtksId, "ID DTKS", {"iddtks", "nodtks"}},
        {C::Devices, "Alat Bantu", {"alatbantu", "kebutuhanalatbantu"}},
        {C::Therapies, "Terapi", {"terapi", "kebutuhanterapi"}},
        {C::Status, "Status", {"status", "statuspd"}},
        {C::StatusDate, "Tanggal Status", {"tanggalstatus"}},
        {C::WgSeeing, "WG Melihat", {"wgmelihat"}},
        {C::WgHearing, "WG Mendengar", {"wgmendengar"}},
        {C::WgWalking, "WG Berjalan", {"wgberjalan"}},
        {C::WgCognition, "WG Mengingat", {"wgmengingat"}},
        {C::WgSelfCare, "WG Mengurus Diri", {"wgmengurusdiri"}},
        {C::WgCommunication, "WG Berkomunikasi", {"wgberkomunikasi"}},
        {C::ConsentGiven,
         "Persetujuan (Ya/Tidak)",
         {"persetujuan", "persetujuanyatidak", "setuju", "informedconsent", "consent"}},
        {C::ConsentDate, "Tanggal Persetujuan", {"tanggalpersetujuan", "tglpersetujuan"}},
        {C::ConsentGivenBy,
         "Pemberi Persetujuan",
         {"pemberipersetujuan", "yangmenyetujui", "disetujuioleh"}},
        {C::ConsentPurposes, "Tujuan Persetujuan", {"tujuanpersetujuan", "tujuanpenggunaandata"}},
        {C::DtksDisabilityCode,
         "Jenis Disabilitas (Kode DTKS)",
         {"jenisdisabilitaskodedtks",
          "kodejenisdisabilitasdtks",
          "kodejenisdisabilitas",
          "kodedisabilitasdtks",
          "jeniscacat",
          "jeniscacatkode",
          "kodejeniscacat",
          "kodecacat"}},
    }};
    return kSpecs;
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    std::string current;
    auto flush = [&] {
        const auto t = core::trim(current);
        if (!t.empty()) {
            out.emplace_back(t);
        }
        current.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ',' || c == ';' || c == '/' || c == '+' || c == '&' || c == '\n') {
            flush();
        } else if (i + 5 <= text.size() && core::to_lower(text.substr(i, 5)) == " dan ") {
            flush();
            i += 3;
        } else {
            current.push_back(c);
        }
    }
    flush();
    return out;
}

std::optional<double> parse_number(std::string_view text) {
    std::string t(core::trim(text));
    if (t.empty()) {
        return std::nullopt;
    }
    double v = 0;
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc{} || ptr != t.data() + t.size() || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

std::optional<double> parse_coordinate(std::string_view text) {
    // Indonesian spreadsheets often write a decimal comma: "0,1234" / "117,4567".
    std::string t(core::trim(text));
    if (t.find('.') == std::string::npos && std::count(t.begin(), t.end(), ',') == 1) {
        t[t.find(',')] = '.';
    }
    return parse_number(t);
}

/// Appends the category (or categories) a word names: the codes and labels parse_category
/// knows, and "tuna rungu wicara" / "rungu wicara" (deaf and speech-impaired, ganda). False
/// when the word names none.
bool read_category(std::string_view item, std::vector<core::Category>& out) {
    if (auto c = core::parse_category(item)) {
        out.push_back(*c);
        return true;
    }
    const auto key = core::fold_key(item);
    if (key.find("rungu") != std::string::npos && key.find("wicara") != std::string::npos) {
        out.push_back(core::Category::SensorikRungu);
        out.push_back(core::Category::SensorikWicara);
        return true;
    }
    return false;
}

bool in_lat_range(double v) {
    return v >= -11.5 && v <= 6.5;
}

bool in_lon_range(double v) {
    return v >= 94.5 && v <= 141.5;
}

} // namespace

std::string_view column_title(PersonColumn column) {
    return specs()[static_cast<std::size_t>(column)].title;
}

std::vector<PersonColumn> template_columns() {
    std::vector<PersonColumn> out;
    for (const auto& s : specs()) {
        if (s.column != C::RtRw && s.column != C::Koordinat && s.column != C::DtksDisabilityCode) {
            out.push_back(s.column);
        }
    }
    return out;
}

std::optional<PersonColumn> match_header(std::string_view header) {
    const std::string key = core::fold_key(header);
    if (key.empty()) {
        return std::nullopt;
    }
    for (const auto& s : specs()) {
        for (const auto alias : s.aliases) {
            if (core::fold_key(alias) == key) {
                return s.column;
            }
        }
    }
    return std::nullopt;
}

ColumnMap map_columns(const std::vector<TableCell>& header) {
    ColumnMap map;
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (const auto c = match_header(header[i].text)) {
            auto& slot = map.index[static_cast<std::size_t>(*c)];
            if (slot < 0) {
                slot = static_cast<int>(i);
                ++map.matched;
            }
        }
    }
    return map;
}

RowConversion row_to_person(const std::vector<TableCell>& row,
                            const ColumnMap& columns,
                            const std::vector<TableCell>& header,
                            const core::RegionRegistry& regions,
                            std::string_view city_code) {
    RowConversion out;
    auto& p = out.person;
    static const TableCell kEmpty{};
    auto cell = [&](C c) -> const TableCell& {
        const int i = columns.index[static_cast<std::size_t>(c)];
        return i >= 0 && static_cast<std::size_t>(i) < row.size() ? row[static_cast<std::size_t>(i)]
                                                                  : kEmpty;
    };
    auto text = [&](C c) {
        return std::string(core::trim(cell(c).text));
    };
    auto field = [&](C c) {
        const int i = columns.index[static_cast<std::size_t>(c)];
        return i >= 0 && static_cast<std::size_t>(i) < header.size()
                   ? std::string(core::trim(header[static_cast<std::size_t>(i)].text))
                   : std::string(column_title(c));
    };
    auto error = [&](C c, ErrorCode code, std::string detail) {
        out.errors.push_back({field(c), code, std::move(detail)});
    };
    auto date = [&](C c) -> std::optional<core::Date> {
        const auto& cl = cell(c);
        const std::string t(core::trim(cl.text));
        if (t.empty()) {
            return std::nullopt;
        }
        if (cl.number || (core::all_digits(t) && t.size() <= 5)) {
            // an Excel serial: from an XLSX number cell or a CSV of a date-formatted column
            if (auto d = io::from_excel_serial_text(t)) {
                return d;
            }
        } else if (auto d = io::parse_date_lenient(t)) {
            return d;
        }
        error(c, c == C::BirthDate ? ErrorCode::BirthDateInvalid : ErrorCode::ImportCellInvalid, t);
        return std::nullopt;
    };

    // NIK and KK: an XLSX number cell holding all 16 digits is taken as is; Excel's
    // scientific rendering is refused by the NIK rules (never "repaired").
    p.nik = text(C::Nik);
    p.kk = text(C::Kk);
    p.full_name = text(C::Name);
    if (const auto s = text(C::Sex); s.empty()) {
        error(C::Sex, ErrorCode::SexInvalid, "");
    } else if (auto sex = core::parse_sex(s)) {
        p.sex = *sex;
    } else {
        error(C::Sex, ErrorCode::SexInvalid, s);
    }
    p.birth_place = text(C::BirthPlace);
    if (auto d = date(C::BirthDate)) {
        p.birth_date = *d;
    } else if (text(C::BirthDate).empty()) {
        error(C::BirthDate, ErrorCode::BirthDateInvalid, "");
    }
    p.address.street = text(C::Street);
    p.address.rt = text(C::Rt);
    p.address.rw = text(C::Rw);
    if (const auto rtrw = text(C::RtRw); !rtrw.empty()) {
        const auto slash = rtrw.find('/');
        if (slash == std::string::npos) {
            error(C::RtRw, ErrorCode::RtRwInvalid, rtrw);
        } else {
            p.address.rt = std::string(core::trim(std::string_view(rtrw).substr(0, slash)));
            p.address.rw = std::string(core::trim(std::string_view(rtrw).substr(slash + 1)));
        }
    }

    // Kelurahan by code or name, inside the typed kecamatan when there is one.
    std::string within(city_code);
    if (const auto kec = text(C::Kecamatan); !kec.empty()) {
        if (const auto* r = regions.find_kecamatan(kec, city_code)) {
            within = r->code;
        } else if (const auto* r2 = regions.find_kecamatan(kec)) {
            within = r2->code;
        }
    }
    if (const auto kel = text(C::Kelurahan); !kel.empty()) {
        const core::Region* r = regions.find_village(kel, within);
        if (r == nullptr && within != city_code) {
            r = regions.find_village(kel, city_code);
        }
        if (r == nullptr) {
            r = regions.find_village(kel);
        }
        if (r != nullptr) {
            p.address.kelurahan_code = r->code;
        } else {
            error(C::Kelurahan, ErrorCode::KelurahanUnknown, kel);
        }
    } else if (!columns.has(C::Latitude) && !columns.has(C::Koordinat)) {
        error(C::Kelurahan, ErrorCode::KelurahanUnknown, "");
    }

    for (const auto& item : split_list(text(C::Categories))) {
        if (!read_category(item, p.categories)) {
            error(C::Categories, ErrorCode::CategoryInvalid, item);
        }
    }
    // The DTKS code: the categories when the file has no ragam; checked against them when it
    // has both (a Kapal DTKS export writes both: the code alone cannot say every combination).
    if (const auto t = text(C::DtksDisabilityCode); !t.empty()) {
        auto code = parse_dtks_disability_code(t);
        // Old sheets head a column of words "Jenis Cacat" ("tuna daksa"): words say what they
        // mean in any column, so they are read as the ragam (numbers are not: see dtks.md).
        std::vector<core::Category> words;
        const auto items = split_list(t);
        const bool all_words = !code && (t[0] < '0' || t[0] > '9') &&
                               std::all_of(items.begin(), items.end(), [&](const std::string& i) {
                                   return read_category(i, words);
                               });
        if (all_words) {
            if (text(C::Categories).empty()) {
                p.categories = std::move(words);
            }
        } else if (!code) {
            error(C::DtksDisabilityCode, ErrorCode::CategoryInvalid, code.error().message);
        } else if (text(C::Categories).empty()) {
            p.categories = dtks_categories(*code);
        } else if (!p.categories.empty() && dtks_code_for(p.categories) != *code) {
            const auto expected = dtks_code_for(p.categories);
            error(C::DtksDisabilityCode,
                  ErrorCode::CategoryInvalid,
                  "kode " + std::to_string(code->value) + " (" +
                      std::string(dtks_disability_label(*code)) + ") tidak sesuai dengan ragam " +
                      text(C::Categories) + " (kode " + std::to_string(expected.value) + ")");
        }
    }
    p.disability_subtype = text(C::Subtype);
    if (const auto s = text(C::Severity); !s.empty()) {
        if (auto sev = core::parse_severity(s)) {
            p.severity = *sev;
        } else {
            error(C::Severity, ErrorCode::SeverityInvalid, s);
        }
    }

    // Coordinates: separate columns, or one "lat, lon" Koordinat column (Google Maps' copy).
    std::optional<double> lat;
    std::optional<double> lon;
    C lat_col = C::Latitude;
    if (columns.has(C::Latitude) || columns.has(C::Longitude)) {
        const auto lat_text = text(C::Latitude);
        const auto lon_text = text(C::Longitude);
        if (!lat_text.empty() || !lon_text.empty()) {
            lat = parse_coordinate(lat_text);
            lon = parse_coordinate(lon_text);
            if (!lat) {
                error(C::Latitude, ErrorCode::LocationInvalid, lat_text);
            }
            if (!lon) {
                error(C::Longitude, ErrorCode::LocationInvalid, lon_text);
            }
        }
    }
    if (!lat && !lon && columns.has(C::Koordinat)) {
        lat_col = C::Koordinat;
        const auto k = text(C::Koordinat);
        if (!k.empty()) {
            const auto parts = [&] {
                std::vector<std::string> v;
                const char sep = k.find(';') != std::string::npos ? ';' : ',';
                std::size_t start = 0;
                for (std::size_t i = 0; i <= k.size(); ++i) {
                    if (i == k.size() || k[i] == sep) {
                        v.emplace_back(core::trim(std::string_view(k).substr(start, i - start)));
                        start = i + 1;
                    }
                }
                return v;
            }();
            if (parts.size() == 2) {
                lat = parse_coordinate(parts[0]);
                lon = parse_coordinate(parts[1]);
            }
            if (!lat || !lon) {
                error(C::Koordinat, ErrorCode::LocationInvalid, k);
                lat.reset();
                lon.reset();
            }
        }
    }
    if (lat && lon) {
        if (!in_lat_range(*lat) && !in_lon_range(*lon) && in_lat_range(*lon) &&
            in_lon_range(*lat)) {
            std::swap(*lat, *lon);
            out.warnings.push_back({field(lat_col), ErrorCode::CoordinatesSwapped, ""});
        }
        p.home = core::HomeLocation{*lon, *lat, std::nullopt, core::LocationSource::Imported};
    }

    p.phone = text(C::Phone);
    if (const auto name = text(C::CaregiverName); !name.empty()) {
        p.caregiver = core::Caregiver{name, text(C::CaregiverRelation), text(C::CaregiverPhone)};
    }
    if (const auto d = core::fold_key(text(C::Dtks)); !d.empty()) {
        if (d == "ya" || d == "y" || d == "1" || d == "true" || d == "terdaftar") {
            p.dtks = true;
        } else if (d != "tidak" && d != "t" && d != "0" && d != "false" && d != "belum" &&
                   d != "tidakterdaftar") {
            error(C::Dtks, ErrorCode::ImportCellInvalid, text(C::Dtks));
        }
    }
    p.dtks_id = text(C::DtksId);

    // Needs: known codes are kept as codes; anything else is kept as a note, never dropped.
    auto needs = [&](C c, auto&& is_code, auto catalogue, std::vector<std::string>& target) {
        for (const auto& item : split_list(text(c))) {
            const auto key = core::fold_key(item);
            bool found = false;
            for (const auto code : catalogue) {
                if (core::fold_key(code) == key && is_code(code)) {
                    target.emplace_back(code);
                    found = true;
                    break;
                }
            }
            if (!found) {
                p.needs_note += (p.needs_note.empty() ? "" : "; ") + item;
            }
        }
    };
    needs(C::Devices, core::is_assistive_device, core::kAssistiveDevices, p.assistive_devices);
    needs(C::Therapies, core::is_therapy, core::kTherapies, p.therapies);

    if (const auto s = text(C::Status); !s.empty()) {
        if (auto st = core::parse_status(s)) {
            p.status = *st;
        } else {
            error(C::Status, ErrorCode::StatusInvalid, s);
        }
    }
    if (auto d = date(C::StatusDate)) {
        p.status_date = *d;
    }
    if (const auto g = core::fold_key(text(C::ConsentGiven)); !g.empty()) {
        if (g == "ya" || g == "y" || g == "1" || g == "true" || g == "setuju") {
            p.consent.given = true;
        } else if (g != "tidak" && g != "t" && g != "0" && g != "false" && g != "belum" &&
                   g != "tidaksetuju") {
            error(C::ConsentGiven, ErrorCode::ImportCellInvalid, text(C::ConsentGiven));
        }
    }
    if (auto d = date(C::ConsentDate)) {
        p.consent.date = *d;
    }
    p.consent.given_by = text(C::ConsentGivenBy);
    for (const auto& item : split_list(text(C::ConsentPurposes))) {
        if (auto purpose = core::parse_consent_purpose(item)) {
            p.consent.purposes.push_back(*purpose);
        } else {
            error(C::ConsentPurposes, ErrorCode::ConsentPurposeInvalid, item);
        }
    }
    constexpr std::array kWg = {
        C::WgSeeing, C::WgHearing, C::WgWalking, C::WgCognition, C::WgSelfCare, C::WgCommunication};
    for (std::size_t i = 0; i < kWg.size(); ++i) {
        const auto t = text(kWg[i]);
        if (t.empty()) {
            continue;
        }
        if (t.size() == 1 && t[0] >= '1' && t[0] <= '4') {
            p.wgss[i] = static_cast<std::uint8_t>(t[0] - '0');
        } else {
            error(kWg[i], ErrorCode::WgssInvalid, t);
        }
    }
    return out;
}

std::vector<std::string> person_to_row(const core::Person& p, const core::RegionRegistry& regions) {
    std::vector<std::string> row;
    auto join = [](const auto& items, auto&& to_text) {
        std::string s;
        for (const auto& i : items) {
            s += (s.empty() ? "" : ", ") + std::string(to_text(i));
        }
        return s;
    };
    auto coordinate = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.6f", v);
        return std::string(buf);
    };
    for (const auto c : template_columns()) {
        switch (c) {
        case C::Nik:
            row.push_back(p.nik);
            break;
        case C::Kk:
            row.push_back(p.kk);
            break;
        case C::Name:
            row.push_back(p.full_name);
            break;
        case C::Sex:
            row.emplace_back(core::to_string(p.sex));
            break;
        case C::BirthPlace:
            row.push_back(p.birth_place);
            break;
        case C::BirthDate: {
            char buf[16];
            std::snprintf(buf,
                          sizeof buf,
                          "%02u/%02u/%04d",
                          static_cast<unsigned>(p.birth_date.day()),
                          static_cast<unsigned>(p.birth_date.month()),
                          static_cast<int>(p.birth_date.year()));
            row.emplace_back(buf);
            break;
        }
        case C::Street:
            row.push_back(p.address.street);
            break;
        case C::Rt:
            row.push_back(p.address.rt);
            break;
        case C::Rw:
            row.push_back(p.address.rw);
            break;
        case C::Kelurahan: {
            const auto* r = regions.find(p.address.kelurahan_code);
            row.push_back(r != nullptr ? r->name : p.address.kelurahan_code);
            break;
        }
        case C::Kecamatan: {
            const auto* r = regions.find(core::kecamatan_of(p.address.kelurahan_code));
            row.push_back(r != nullptr ? r->name : "");
            break;
        }
        case C::Categories:
            row.push_back(join(p.categories, [](core::Category x) { return core::to_string(x); }));
            break;
        case C::Subtype:
            row.push_back(p.disability_subtype);
            break;
        case C::Severity:
            row.emplace_back(p.severity ? core::to_string(*p.severity) : "");
            break;
        case C::Latitude:
            row.push_back(p.home ? coordinate(p.home->lat) : "");
            break;
        case C::Longitude:
            row.push_back(p.home ? coordinate(p.home->lon) : "");
            break;
        case C::Phone:
            row.push_back(p.phone);
            break;
        case C::CaregiverName:
            row.push_back(p.caregiver ? p.caregiver->name : "");
            break;
        case C::CaregiverRelation:
            row.push_back(p.caregiver ? p.caregiver->relationship : "");
            break;
        case C::CaregiverPhone:
            row.push_back(p.caregiver ? p.caregiver->phone : "");
            break;
        case C::Dtks:
            row.emplace_back(p.dtks ? "Ya" : "Tidak");
            break;
        case C::DtksId:
            row.push_back(p.dtks_id);
            break;
        case C::Devices:
            row.push_back(join(p.assistive_devices, [](const std::string& x) { return x; }));
            break;
        case C::Therapies:
            row.push_back(join(p.therapies, [](const std::string& x) { return x; }));
            break;
        case C::Status:
            row.emplace_back(core::to_string(p.status));
            break;
        case C::StatusDate:
            row.push_back(p.status_date ? core::format_date(*p.status_date) : "");
            break;
        case C::WgSeeing:
        case C::WgHearing:
        case C::WgWalking:
        case C::WgCognition:
        case C::WgSelfCare:
        case C::WgCommunication: {
            const auto i = static_cast<std::size_t>(c) - static_cast<std::size_t>(C::WgSeeing);
            row.push_back(p.wgss[i] ? std::to_string(*p.wgss[i]) : "");
            break;
        }
        case C::ConsentGiven:
            row.emplace_back(p.consent.given ? "Ya" : "Tidak");
            break;
        case C::ConsentDate:
            row.push_back(p.consent.date ? core::format_date(*p.consent.date) : "");
            break;
        case C::ConsentGivenBy:
            row.push_back(p.consent.given_by);
            break;
        case C::ConsentPurposes:
            // The Indonesian words office staff type; import reads them back.
            row.push_back(join(p.consent.purposes, [](core::ConsentPurpose x) {
                switch (x) {
                case core::ConsentPurpose::Registration:
                    return std::string_view("pendataan");
                case core::ConsentPurpose::SocialAssistance:
                    return std::string_view("bansos");
                case core::ConsentPurpose::Card:
                    return std::string_view("kartu");
                case core::ConsentPurpose::DataSharing:
                    return std::string_view("berbagi_data");
                case core::ConsentPurpose::Contact:
                    return std::string_view("kontak");
                }
                return std::string_view("pendataan");
            }));
            break;
        case C::RtRw:
        case C::Koordinat:
        case C::DtksDisabilityCode:
        case C::Count:
            break;
        }
    }
    return row;
}

} // namespace kapal::service
