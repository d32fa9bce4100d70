#include "kapal/core/person_rules.hpp"

#include "kapal/core/nik.hpp"
#include "kapal/core/text.hpp"

#include <algorithm>
#include <cmath>

namespace kapal::core {
namespace {

void trim_in_place(std::string& s) {
    const std::string_view t = trim(s);
    if (t.size() != s.size()) {
        s = std::string(t);
    }
}

void sort_unique(std::vector<std::string>& v) {
    for (auto& s : v) {
        trim_in_place(s);
    }
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

bool valid_phone(std::string_view phone) {
    // Indonesian numbers as people write them: 0812-3456-789, +62 812 3456 789, (0548) 21234.
    std::string digits;
    for (std::size_t i = 0; i < phone.size(); ++i) {
        const char c = phone[i];
        if (c >= '0' && c <= '9') {
            digits.push_back(c);
        } else if (c == '+' && i == 0) {
            continue;
        } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
            return false;
        }
    }
    return digits.size() >= 8 && digits.size() <= 15 &&
           (digits[0] == '0' || digits.compare(0, 2, "62") == 0);
}

bool valid_rt_rw(std::string_view v) {
    return v.empty() || (v.size() <= 3 && all_digits(v));
}

} // namespace

PersonCheck check_person(Person& p, const RegionRegistry& regions, Date today) {
    PersonCheck out;
    auto error = [&](const char* field, ErrorCode code, std::string detail = {}) {
        out.errors.push_back({field, code, std::move(detail)});
    };

    trim_in_place(p.full_name);
    trim_in_place(p.birth_place);
    trim_in_place(p.address.street);
    trim_in_place(p.address.rt);
    trim_in_place(p.address.rw);
    trim_in_place(p.address.kelurahan_code);
    trim_in_place(p.phone);
    trim_in_place(p.dtks_id);
    normalise_categories(p.categories);
    sort_unique(p.assistive_devices);
    sort_unique(p.therapies);
    sort_unique(p.confirmed_warnings);

    // NIK: structure is an error, disagreement a warning.
    if (auto nik = parse_nik(p.nik)) {
        p.nik = normalise_id_number(p.nik);
        if (p.birth_date.ok()) {
            auto w = nik_warnings(*nik, p.birth_date, p.sex, regions);
            out.warnings.insert(out.warnings.end(), w.begin(), w.end());
        }
    } else {
        error("nik", nik.error().code, nik.error().message);
    }
    if (!trim(p.kk).empty()) {
        if (auto kk = parse_kk(p.kk)) {
            p.kk = *kk;
            auto w = kk_warnings(p.kk, regions);
            out.warnings.insert(out.warnings.end(), w.begin(), w.end());
        } else {
            error("kk", kk.error().code, kk.error().message);
        }
    } else {
        p.kk.clear();
    }

    if (p.full_name.empty()) {
        error("full_name", ErrorCode::NameMissing);
    } else if (p.full_name.size() > kMaxNameBytes) {
        error("full_name", ErrorCode::NameTooLong, std::to_string(kMaxNameBytes));
    }
    if (!p.birth_date.ok()) {
        error("birth_date", ErrorCode::BirthDateInvalid);
    } else if (p.birth_date > today) {
        error("birth_date", ErrorCode::BirthDateInFuture, format_date(p.birth_date));
    } else if (p.birth_date.year() < std::chrono::year{1880}) {
        error("birth_date", ErrorCode::BirthDateInvalid, format_date(p.birth_date));
    }

    if (!regions.is_village(p.address.kelurahan_code)) {
        error("address.kelurahan_code", ErrorCode::KelurahanUnknown, p.address.kelurahan_code);
    }
    if (!valid_rt_rw(p.address.rt)) {
        error("address.rt", ErrorCode::RtRwInvalid, p.address.rt);
    }
    if (!valid_rt_rw(p.address.rw)) {
        error("address.rw", ErrorCode::RtRwInvalid, p.address.rw);
    }
    if (p.home) {
        const auto& h = *p.home;
        if (!std::isfinite(h.lon) || h.lon < -180 || h.lon > 180) {
            error("home.lon", ErrorCode::LocationInvalid);
        }
        if (!std::isfinite(h.lat) || h.lat < -90 || h.lat > 90) {
            error("home.lat", ErrorCode::LocationInvalid);
        }
        if (h.accuracy_m && (!std::isfinite(*h.accuracy_m) || *h.accuracy_m < 0)) {
            error("home.accuracy_m", ErrorCode::LocationInvalid);
        }
    }

    if (p.categories.empty()) {
        error("categories", ErrorCode::CategoryMissing);
    }
    for (std::size_t i = 0; i < p.wgss.size(); ++i) {
        if (p.wgss[i] && (*p.wgss[i] < 1 || *p.wgss[i] > 4)) {
            out.errors.push_back({"wgss." + std::string(to_string(static_cast<WgDomain>(i))),
                                  ErrorCode::WgssInvalid,
                                  std::to_string(*p.wgss[i])});
        }
    }
    if (p.onset_year && p.birth_date.ok() &&
        (*p.onset_year < static_cast<int>(p.birth_date.year()) ||
         *p.onset_year > static_cast<int>(today.year()))) {
        error("onset_year", ErrorCode::ValidationFailed, std::to_string(*p.onset_year));
    }
    for (const auto& d : p.assistive_devices) {
        if (!is_assistive_device(d)) {
            error("assistive_devices", ErrorCode::NeedInvalid, d);
        }
    }
    for (const auto& t : p.therapies) {
        if (!is_therapy(t)) {
            error("therapies", ErrorCode::NeedInvalid, t);
        }
    }
    if (!p.phone.empty() && !valid_phone(p.phone)) {
        error("phone", ErrorCode::PhoneInvalid, p.phone);
    }
    if (p.caregiver && !p.caregiver->phone.empty() && !valid_phone(p.caregiver->phone)) {
        error("caregiver.phone", ErrorCode::PhoneInvalid, p.caregiver->phone);
    }
    if (p.account) {
        auto& a = *p.account;
        trim_in_place(a.provider);
        trim_in_place(a.number);
        trim_in_place(a.holder_name);
        if (a.provider.empty()) {
            error("account.provider", ErrorCode::AccountInvalid);
        }
        std::string digits;
        for (const char c : a.number) {
            if (c >= '0' && c <= '9') {
                digits.push_back(c);
            } else if (c != ' ' && c != '-' && c != '.') {
                digits.clear();
                break;
            }
        }
        if (digits.size() < 6 || digits.size() > 20) {
            error("account.number", ErrorCode::AccountInvalid, a.number);
        } else {
            a.number = digits;
        }
    }
    if (p.status != Status::Aktif && !p.status_date) {
        error("status_date", ErrorCode::StatusDateMissing);
    }
    if (p.status_date && (!p.status_date->ok() || *p.status_date > today)) {
        error("status_date", ErrorCode::ValidationFailed, "");
    }
    if (p.consent.date && (!p.consent.date->ok() || *p.consent.date > today)) {
        error("consent.date", ErrorCode::ValidationFailed, "");
    }
    std::sort(p.consent.purposes.begin(), p.consent.purposes.end());
    p.consent.purposes.erase(std::unique(p.consent.purposes.begin(), p.consent.purposes.end()),
                             p.consent.purposes.end());
    if (!p.consent.given && !p.consent.purposes.empty()) {
        error("consent.purposes", ErrorCode::ConsentInconsistent);
    }
    return out;
}

std::vector<FieldIssue> unconfirmed(const std::vector<FieldIssue>& warnings, const Person& p) {
    std::vector<FieldIssue> out;
    for (const auto& w : warnings) {
        const auto id = error_info(w.code).id;
        if (std::find(p.confirmed_warnings.begin(), p.confirmed_warnings.end(), id) ==
            p.confirmed_warnings.end()) {
            out.push_back(w);
        }
    }
    return out;
}

} // namespace kapal::core
