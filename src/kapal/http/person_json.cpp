#include "kapal/http/person_json.hpp"

#include "kapal/core/nik.hpp"
#include "kapal/store/store_codec.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace kapal::http {
namespace {

using nlohmann::json;

json opt_date(const std::optional<core::Date>& d) {
    return d ? json(core::format_date(*d)) : json(nullptr);
}

json record_json(const core::PersonRecord& r) {
    const auto& p = r.person;
    json j;
    j["id"] = r.id.str();
    j["version"] = r.version;
    j["created_at"] = core::format_timestamp(r.created_at);
    j["updated_at"] = core::format_timestamp(r.updated_at);
    j["created_by"] = r.created_by;
    j["updated_by"] = r.updated_by;
    j["nik_masked"] = core::mask_id_number(p.nik);
    j["kk_masked"] = p.kk.empty() ? json(nullptr) : json(core::mask_id_number(p.kk));
    j["full_name"] = p.full_name;
    j["sex"] = core::to_string(p.sex);
    j["birth_place"] = p.birth_place;
    j["birth_date"] = p.birth_date.ok() ? json(core::format_date(p.birth_date)) : json(nullptr);
    j["address"] = {{"street", p.address.street},
                    {"rt", p.address.rt},
                    {"rw", p.address.rw},
                    {"kelurahan_code", p.address.kelurahan_code}};
    j["kecamatan_code"] = r.kecamatan_code;
    if (p.home) {
        j["home"] = {{"lon", p.home->lon},
                     {"lat", p.home->lat},
                     {"accuracy_m", p.home->accuracy_m ? json(*p.home->accuracy_m) : json(nullptr)},
                     {"source", core::to_string(p.home->source)}};
    } else {
        j["home"] = nullptr;
    }
    j["categories"] = json::array();
    for (const auto c : p.categories) {
        j["categories"].push_back(core::to_string(c));
    }
    j["disability_subtype"] = p.disability_subtype;
    j["severity"] = p.severity ? json(core::to_string(*p.severity)) : json(nullptr);
    j["wgss"] = json::object();
    for (std::size_t i = 0; i < p.wgss.size(); ++i) {
        j["wgss"][std::string(core::to_string(static_cast<core::WgDomain>(i)))] =
            p.wgss[i] ? json(*p.wgss[i]) : json(nullptr);
    }
    j["onset"] = p.onset ? json(core::to_string(*p.onset)) : json(nullptr);
    j["onset_year"] = p.onset_year ? json(*p.onset_year) : json(nullptr);
    j["cause"] = p.cause ? json(core::to_string(*p.cause)) : json(nullptr);
    j["cause_note"] = p.cause_note;
    j["assistive_devices"] = p.assistive_devices;
    j["therapies"] = p.therapies;
    j["needs_note"] = p.needs_note;
    j["caregiver"] = p.caregiver ? json{{"name", p.caregiver->name},
                                        {"relationship", p.caregiver->relationship},
                                        {"phone", p.caregiver->phone}}
                                 : json(nullptr);
    j["dtks"] = p.dtks;
    j["dtks_id"] = p.dtks_id;
    j["phone"] = p.phone;
    if (p.account) {
        j["account"] = {{"kind", core::to_string(p.account->kind)},
                        {"provider", p.account->provider},
                        {"number_masked", core::mask_id_number(p.account->number)},
                        {"holder_name", p.account->holder_name}};
    } else {
        j["account"] = nullptr;
    }
    j["photo_id"] = p.photo_id;
    j["documents"] = json::array();
    for (const auto& d : p.documents) {
        j["documents"].push_back({{"id", d.id}, {"kind", d.kind}, {"name", d.name}});
    }
    j["consent"] = {{"given", p.consent.given},
                    {"date", opt_date(p.consent.date)},
                    {"given_by", p.consent.given_by},
                    {"purposes", json::array()}};
    for (const auto purpose : p.consent.purposes) {
        j["consent"]["purposes"].push_back(core::to_string(purpose));
    }
    j["status"] = core::to_string(p.status);
    j["status_date"] = opt_date(p.status_date);
    j["status_reason"] = p.status_reason;
    if (!p.merged_into.empty()) {
        j["merged_into"] = p.merged_into;
    }
    j["confirmed_warnings"] = p.confirmed_warnings;
    j["warning_reason"] = p.warning_reason;
    return j;
}

/// Reads fields of one JSON object, collecting issues instead of stopping at the first.
class Reader {
  public:
    Reader(const json& object,
           std::string prefix,
           std::vector<FieldIssue>& issues,
           std::set<std::string> ignored = {})
        : object_(object)
        , prefix_(std::move(prefix))
        , issues_(issues) {
        for (const auto& [key, value] : object.items()) {
            if (ignored.count(key) == 0) {
                unknown_.insert(key);
            }
        }
    }

    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    Reader(Reader&&) = delete;
    Reader& operator=(Reader&&) = delete;

    ~Reader() {
        for (const auto& key : unknown_) {
            issues_.push_back({path(key), ErrorCode::UnknownField, ""});
        }
    }

    std::string path(const std::string& key) const {
        return prefix_.empty() ? key : prefix_ + "." + key;
    }

    /// The member `key` if present and not null; marks it as known.
    const json* get(const std::string& key) {
        unknown_.erase(key);
        const auto it = object_.find(key);
        if (it == object_.end() || it->is_null()) {
            return nullptr;
        }
        return &*it;
    }

    void type_error(const std::string& key, const char* expected) {
        issues_.push_back({path(key), ErrorCode::FieldTypeMismatch, expected});
    }

    void issue(const std::string& key, ErrorCode code, std::string detail = {}) {
        issues_.push_back({path(key), code, std::move(detail)});
    }

    void string(const std::string& key, std::string& out) {
        if (const auto* v = get(key)) {
            if (v->is_string()) {
                out = v->get<std::string>();
            } else {
                type_error(key, "string");
            }
        }
    }

    void boolean(const std::string& key, bool& out) {
        if (const auto* v = get(key)) {
            if (v->is_boolean()) {
                out = v->get<bool>();
            } else {
                type_error(key, "boolean");
            }
        }
    }

    template <class T> void number(const std::string& key, std::optional<T>& out) {
        if (const auto* v = get(key)) {
            if (v->is_number()) {
                if constexpr (std::is_integral_v<T>) {
                    if (!v->is_number_integer()) {
                        type_error(key, "integer");
                        return;
                    }
                    const auto x = v->get<std::int64_t>();
                    if (x < std::numeric_limits<T>::min() || x > std::numeric_limits<T>::max()) {
                        type_error(key, "integer in range");
                        return;
                    }
                    out = static_cast<T>(x);
                } else {
                    out = v->get<T>();
                }
            } else {
                type_error(key, "number");
            }
        }
    }

    void date(const std::string& key, std::optional<core::Date>& out, ErrorCode bad) {
        std::string text;
        string(key, text);
        if (!text.empty()) {
            if (auto d = core::parse_date(text)) {
                out = *d;
            } else {
                issue(key, bad, text);
            }
        }
    }

    template <class Enum, class Parse>
    void enumeration(const std::string& key, std::optional<Enum>& out, Parse parse, ErrorCode bad) {
        std::string text;
        string(key, text);
        if (!text.empty()) {
            if (auto e = parse(text)) {
                out = *e;
            } else {
                issue(key, bad, text);
            }
        }
    }

    void strings(const std::string& key, std::vector<std::string>& out) {
        if (const auto* v = get(key)) {
            if (!v->is_array()) {
                type_error(key, "array of strings");
                return;
            }
            for (const auto& item : *v) {
                if (!item.is_string()) {
                    type_error(key, "array of strings");
                    return;
                }
                out.push_back(item.get<std::string>());
            }
        }
    }

    /// A nested object; calls fill(Reader&) when present.
    template <class Fill> bool object(const std::string& key, Fill fill) {
        if (const auto* v = get(key)) {
            if (!v->is_object()) {
                type_error(key, "object");
                return false;
            }
            Reader nested(*v, path(key), issues_);
            fill(nested);
            return true;
        }
        return false;
    }

  private:
    const json& object_;
    std::string prefix_;
    std::vector<FieldIssue>& issues_;
    std::set<std::string> unknown_;
};

} // namespace

bool json_too_deep(std::string_view text, int limit) {
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) {
                return true;
            }
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

std::string person_to_json(const core::PersonRecord& record) {
    return record_json(record).dump();
}

std::string version_to_json(const store::PersonVersion& v) {
    json j = record_json(v.record);
    j["change_reason"] = v.reason;
    j["change_source"] = v.source;
    return j.dump();
}

Result<PersonInput> person_from_json(std::string_view body) {
    if (json_too_deep(body)) {
        return fail(ErrorCode::BadJson,
                    "the JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    const json j = json::parse(body, nullptr, false);
    if (j.is_discarded()) {
        return fail(ErrorCode::BadJson, "the request body is not valid JSON");
    }
    if (!j.is_object()) {
        return fail(ErrorCode::BadJson, "the request body must be a JSON object");
    }
    PersonInput input;
    auto& p = input.person;
    std::vector<FieldIssue> issues;
    {
        Reader r(j,
                 "",
                 issues,
                 {"id",
                  "version",
                  "created_at",
                  "updated_at",
                  "created_by",
                  "updated_by",
                  "nik_masked",
                  "kk_masked",
                  "kecamatan_code",
                  "merged_into"});
        r.string("nik", p.nik);
        r.string("kk", p.kk);
        r.string("full_name", p.full_name);
        std::optional<core::Sex> sex;
        r.enumeration("sex", sex, core::parse_sex, ErrorCode::SexInvalid);
        if (sex) {
            p.sex = *sex;
        } else if (r.get("sex") == nullptr) {
            r.issue("sex", ErrorCode::SexInvalid);
        }
        r.string("birth_place", p.birth_place);
        std::optional<core::Date> birth;
        r.date("birth_date", birth, ErrorCode::BirthDateInvalid);
        if (birth) {
            p.birth_date = *birth;
        } else if (r.get("birth_date") == nullptr) {
            r.issue("birth_date", ErrorCode::BirthDateInvalid);
        }
        r.object("address", [&](Reader& a) {
            a.string("street", p.address.street);
            a.string("rt", p.address.rt);
            a.string("rw", p.address.rw);
            a.string("kelurahan_code", p.address.kelurahan_code);
        });
        core::HomeLocation home;
        if (r.object("home", [&](Reader& h) {
                std::optional<double> lon;
                std::optional<double> lat;
                h.number("lon", lon);
                h.number("lat", lat);
                if (!lon) {
                    h.issue("lon", ErrorCode::LocationInvalid);
                }
                if (!lat) {
                    h.issue("lat", ErrorCode::LocationInvalid);
                }
                home.lon = lon.value_or(0);
                home.lat = lat.value_or(0);
                h.number("accuracy_m", home.accuracy_m);
                std::optional<core::LocationSource> source;
                h.enumeration(
                    "source", source, core::parse_location_source, ErrorCode::LocationInvalid);
                home.source = source.value_or(core::LocationSource::Map);
            })) {
            p.home = home;
        }
        std::vector<std::string> categories;
        r.strings("categories", categories);
        for (const auto& c : categories) {
            if (auto cat = core::parse_category(c)) {
                p.categories.push_back(*cat);
            } else {
                r.issue("categories", ErrorCode::CategoryInvalid, c);
            }
        }
        r.string("disability_subtype", p.disability_subtype);
        r.enumeration("severity", p.severity, core::parse_severity, ErrorCode::SeverityInvalid);
        r.object("wgss", [&](Reader& w) {
            for (std::size_t i = 0; i < p.wgss.size(); ++i) {
                w.number(std::string(core::to_string(static_cast<core::WgDomain>(i))), p.wgss[i]);
            }
        });
        r.enumeration("onset", p.onset, core::parse_onset, ErrorCode::ValidationFailed);
        r.number("onset_year", p.onset_year);
        r.enumeration("cause", p.cause, core::parse_cause, ErrorCode::ValidationFailed);
        r.string("cause_note", p.cause_note);
        r.strings("assistive_devices", p.assistive_devices);
        r.strings("therapies", p.therapies);
        r.string("needs_note", p.needs_note);
        core::Caregiver caregiver;
        if (r.object("caregiver", [&](Reader& c) {
                c.string("name", caregiver.name);
                c.string("relationship", caregiver.relationship);
                c.string("phone", caregiver.phone);
            })) {
            p.caregiver = caregiver;
        }
        r.boolean("dtks", p.dtks);
        r.string("dtks_id", p.dtks_id);
        r.string("phone", p.phone);
        core::Account account;
        if (r.object("account", [&](Reader& a) {
                std::optional<core::AccountKind> kind;
                a.enumeration("kind", kind, core::parse_account_kind, ErrorCode::AccountInvalid);
                account.kind = kind.value_or(core::AccountKind::Bank);
                a.string("provider", account.provider);
                a.string("number", account.number);
                a.get("number_masked");
                a.string("holder_name", account.holder_name);
            })) {
            p.account = account;
        }
        r.string("photo_id", p.photo_id);
        if (const auto* docs = r.get("documents")) {
            if (!docs->is_array()) {
                r.type_error("documents", "array");
            } else {
                for (std::size_t i = 0; i < docs->size(); ++i) {
                    const auto& d = (*docs)[i];
                    if (!d.is_object()) {
                        r.type_error("documents", "array of objects");
                        break;
                    }
                    core::DocumentRef ref;
                    Reader dr(d, "documents." + std::to_string(i), issues);
                    dr.string("id", ref.id);
                    dr.string("kind", ref.kind);
                    dr.string("name", ref.name);
                    p.documents.push_back(ref);
                }
            }
        }
        r.object("consent", [&](Reader& c) {
            c.boolean("given", p.consent.given);
            c.date("date", p.consent.date, ErrorCode::ValidationFailed);
            c.string("given_by", p.consent.given_by);
            std::vector<std::string> purposes;
            c.strings("purposes", purposes);
            for (const auto& text : purposes) {
                if (auto purpose = core::parse_consent_purpose(text)) {
                    p.consent.purposes.push_back(*purpose);
                } else {
                    c.issue("purposes", ErrorCode::ConsentPurposeInvalid, text);
                }
            }
        });
        std::optional<core::Status> status;
        r.enumeration("status", status, core::parse_status, ErrorCode::StatusInvalid);
        p.status = status.value_or(core::Status::Aktif);
        r.date("status_date", p.status_date, ErrorCode::ValidationFailed);
        r.string("status_reason", p.status_reason);
        r.strings("confirmed_warnings", p.confirmed_warnings);
        r.string("warning_reason", p.warning_reason);
        r.string("change_reason", input.change_reason);
    }
    if (!issues.empty()) {
        return fail(
            ErrorCode::ValidationFailed, "the request has invalid fields", std::move(issues));
    }
    return input;
}

std::string person_body_fingerprint(std::string_view body) {
    const std::string canonical = json::parse(body).dump();
    return store::sha256_hex(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(canonical.data()), canonical.size()));
}

} // namespace kapal::http
