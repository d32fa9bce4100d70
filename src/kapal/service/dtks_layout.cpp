#include "kapal/service/dtks_layout.hpp"

#include "kapal/core/assert.hpp"
#include "kapal/core/text.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace kapal::service {
namespace {

using core::Category;
using C = PersonColumn;
using F = DtksField;

struct CodeSpec {
    std::string_view label;
    std::vector<Category> categories; // sorted as the enum
};

const std::array<CodeSpec, kDtksDisabilityCodeMax + 1>& code_specs() {
    static const std::array<CodeSpec, kDtksDisabilityCodeMax + 1> kSpecs = {{
        {"Tidak cacat", {}},
        {"Tuna daksa/cacat tubuh", {Category::Fisik}},
        {"Tuna netra/buta", {Category::SensorikNetra}},
        {"Tuna rungu", {Category::SensorikRungu}},
        {"Tuna wicara", {Category::SensorikWicara}},
        {"Tuna rungu dan wicara", {Category::SensorikRungu, Category::SensorikWicara}},
        {"Tuna netra dan cacat tubuh", {Category::Fisik, Category::SensorikNetra}},
        {"Tuna netra, rungu dan wicara",
         {Category::SensorikNetra, Category::SensorikRungu, Category::SensorikWicara}},
        {"Tuna rungu, wicara dan cacat tubuh",
         {Category::Fisik, Category::SensorikRungu, Category::SensorikWicara}},
        {"Tuna rungu, wicara, netra dan cacat tubuh",
         {Category::Fisik,
          Category::SensorikNetra,
          Category::SensorikRungu,
          Category::SensorikWicara}},
        {"Cacat mental retardasi", {Category::Intelektual}},
        {"Mantan penderita gangguan jiwa", {Category::Mental}},
        {"Cacat fisik dan mental", {Category::Fisik, Category::Intelektual}},
    }};
    return kSpecs;
}

bool physical_or_sensory(Category c) {
    return c == Category::Fisik || c == Category::SensorikNetra || c == Category::SensorikRungu ||
           c == Category::SensorikWicara;
}

std::string format_dmy(core::Date d) {
    std::array<char, 16> buf{};
    std::snprintf(buf.data(),
                  buf.size(),
                  "%02u/%02u/%04d",
                  static_cast<unsigned>(d.day()),
                  static_cast<unsigned>(d.month()),
                  static_cast<int>(d.year()));
    return buf.data();
}

/// The dotted code's first `parts` parts: ("64.74.01.1003", 2) -> "64.74".
std::string code_prefix(std::string_view code, int parts) {
    std::size_t dot = 0;
    for (int i = 0; i < parts; ++i) {
        dot = code.find('.', i == 0 ? 0 : dot + 1);
        if (dot == std::string_view::npos) {
            return std::string(code);
        }
    }
    return std::string(code.substr(0, dot));
}

} // namespace

std::string_view dtks_disability_label(DtksDisabilityCode code) {
    if (code.value < 0 || code.value > kDtksDisabilityCodeMax) {
        return {};
    }
    return code_specs()[static_cast<std::size_t>(code.value)].label;
}

std::vector<Category> dtks_categories(DtksDisabilityCode code) {
    KAPAL_ASSERT(code.value >= 1 && code.value <= kDtksDisabilityCodeMax);
    return code_specs()[static_cast<std::size_t>(code.value)].categories;
}

DtksDisabilityCode dtks_code_for(const std::vector<Category>& categories) {
    if (categories.empty()) {
        return {0};
    }
    std::vector<Category> want = categories;
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    const auto& specs = code_specs();
    for (int c = 1; c <= kDtksDisabilityCodeMax; ++c) {
        if (specs[static_cast<std::size_t>(c)].categories == want) {
            return {c};
        }
    }
    const bool body = std::any_of(want.begin(), want.end(), physical_or_sensory);
    const bool mind = std::any_of(want.begin(), want.end(), [](Category c) {
        return c == Category::Intelektual || c == Category::Mental;
    });
    if (body && mind) {
        return {12};
    }
    int best = 0;
    std::size_t best_size = 0;
    for (int c = 1; c <= kDtksDisabilityCodeMax; ++c) {
        const auto& has = specs[static_cast<std::size_t>(c)].categories;
        if (has.size() > best_size &&
            std::includes(want.begin(), want.end(), has.begin(), has.end())) {
            best = c;
            best_size = has.size();
        }
    }
    return {best};
}

Result<DtksDisabilityCode> parse_dtks_disability_code(std::string_view text) {
    const auto t = core::trim(text);
    std::size_t digits = 0;
    while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') {
        ++digits;
    }
    // After the number only a label may follow ("3. Tuna rungu", "3 TUNA RUNGU"), not more
    // digits ("1.5").
    const bool label_follows =
        digits < t.size() && (t[digits] == '.' || t[digits] == ' ' || t[digits] == ')') &&
        (digits + 1 == t.size() || t[digits + 1] < '0' || t[digits + 1] > '9');
    if (digits == 0 || digits > 2 || (digits < t.size() && !label_follows)) {
        return fail(ErrorCode::InvalidArgument,
                    "\"" + std::string(t) + "\" bukan kode jenis disabilitas DTKS (1-12)");
    }
    const int value = std::stoi(std::string(t.substr(0, digits)));
    if (value == 0) {
        return fail(ErrorCode::InvalidArgument,
                    "kode 0 berarti tidak cacat: bukan penyandang disabilitas");
    }
    if (value > kDtksDisabilityCodeMax) {
        return fail(ErrorCode::InvalidArgument,
                    "kode " + std::to_string(value) + " tidak ada dalam daftar DTKS (1-12)");
    }
    return DtksDisabilityCode{value};
}

std::span<const DtksColumn> dtks_columns() {
    static const std::array<DtksColumn, 23> kColumns = {{
        {F::DtksId, "ID DTKS", C::DtksId},
        {F::Nik, "NIK", C::Nik},
        {F::Kk, "No KK", C::Kk},
        {F::Name, "Nama", C::Name},
        {F::BirthPlace, "Tempat Lahir", C::BirthPlace},
        {F::BirthDate, "Tanggal Lahir", C::BirthDate},
        {F::Sex, "Jenis Kelamin", C::Sex},
        {F::MotherName, "Nama Ibu Kandung", std::nullopt},
        {F::FamilyRelation, "Hubungan Keluarga", std::nullopt},
        {F::MaritalStatus, "Status Perkawinan", std::nullopt},
        {F::Street, "Alamat", C::Street},
        {F::Rt, "RT", C::Rt},
        {F::Rw, "RW", C::Rw},
        {F::Province, "Provinsi", std::nullopt},
        {F::Regency, "Kabupaten/Kota", std::nullopt},
        {F::Kecamatan, "Kecamatan", C::Kecamatan},
        // The code before the name: the importer reads the first column of a field.
        {F::KelurahanCode, "Kode Desa/Kelurahan", C::Kelurahan},
        {F::KelurahanName, "Desa/Kelurahan", C::Kelurahan},
        {F::DisabilityCode, "Jenis Disabilitas (Kode DTKS)", C::DtksDisabilityCode},
        {F::DisabilityLabel, "Keterangan Jenis Disabilitas", std::nullopt},
        // Kapal's own columns, after the national ones: what the code cannot say.
        {F::Categories, "Ragam Disabilitas (UU 8/2016)", C::Categories},
        {F::Status, "Status", C::Status},
        {F::StatusDate, "Tanggal Status", C::StatusDate},
    }};
    return kColumns;
}

std::vector<std::string> dtks_header() {
    std::vector<std::string> out;
    for (const auto& c : dtks_columns()) {
        out.emplace_back(c.title);
    }
    return out;
}

std::vector<std::string> person_to_dtks_row(const core::Person& p,
                                            const core::RegionRegistry& regions) {
    const auto& kel_code = p.address.kelurahan_code;
    auto region_name = [&](const std::string& code) {
        const auto* r = code.empty() ? nullptr : regions.find(code);
        return r != nullptr ? r->name : std::string();
    };
    const auto code = dtks_code_for(p.categories);
    std::vector<std::string> row;
    row.reserve(dtks_columns().size());
    for (const auto& c : dtks_columns()) {
        switch (c.content) {
        case F::DtksId:
            row.push_back(p.dtks_id);
            break;
        case F::Nik:
            row.push_back(p.nik);
            break;
        case F::Kk:
            row.push_back(p.kk);
            break;
        case F::Name:
            row.push_back(p.full_name);
            break;
        case F::BirthPlace:
            row.push_back(p.birth_place);
            break;
        case F::BirthDate:
            row.push_back(format_dmy(p.birth_date));
            break;
        case F::Sex:
            row.emplace_back(p.sex == core::Sex::Male ? "LAKI-LAKI" : "PEREMPUAN");
            break;
        case F::MotherName:
        case F::FamilyRelation:
        case F::MaritalStatus:
            row.emplace_back(); // not held by Kapal: left empty (docs/dtks.md)
            break;
        case F::Street:
            row.push_back(p.address.street);
            break;
        case F::Rt:
            row.push_back(p.address.rt);
            break;
        case F::Rw:
            row.push_back(p.address.rw);
            break;
        case F::Province:
            row.push_back(kel_code.empty() ? "" : region_name(code_prefix(kel_code, 1)));
            break;
        case F::Regency:
            row.push_back(kel_code.empty() ? "" : region_name(code_prefix(kel_code, 2)));
            break;
        case F::Kecamatan:
            row.push_back(region_name(core::kecamatan_of(kel_code)));
            break;
        case F::KelurahanCode:
            row.push_back(kel_code);
            break;
        case F::KelurahanName:
            row.push_back(region_name(kel_code));
            break;
        case F::DisabilityCode:
            row.push_back(code.value == 0 ? "" : std::to_string(code.value));
            break;
        case F::DisabilityLabel:
            row.emplace_back(code.value == 0 ? "" : dtks_disability_label(code));
            break;
        case F::Categories: {
            std::string s;
            for (const auto cat : p.categories) {
                s += (s.empty() ? "" : ", ") + std::string(core::to_string(cat));
            }
            row.push_back(std::move(s));
            break;
        }
        case F::Status:
            row.emplace_back(core::to_string(p.status));
            break;
        case F::StatusDate:
            row.push_back(p.status_date ? format_dmy(*p.status_date) : "");
            break;
        }
    }
    return row;
}

} // namespace kapal::service
