#include "kapal/store/person_doc.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <exception>
#include <optional>

namespace kapal::store {
namespace {

using Json = nlohmann::json;

// Thrown inside decode only, for a value the parser accepted but the model does not; caught
// at the bottom of decode_person_doc together with nlohmann's own exceptions.
struct BadField {
    std::string what;
};

// ---- decoding helpers: absent and null mean "empty"; a wrong type throws ----

const Json* field(const Json& obj, const char* key) {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        return nullptr;
    }
    return &*it;
}

std::string str(const Json& obj, const char* key) {
    const Json* v = field(obj, key);
    return v != nullptr ? v->get<std::string>() : std::string();
}

bool boolean(const Json& obj, const char* key) {
    const Json* v = field(obj, key);
    return v != nullptr ? v->get<bool>() : false;
}

std::vector<std::string> strings(const Json& obj, const char* key) {
    const Json* v = field(obj, key);
    return v != nullptr ? v->get<std::vector<std::string>>() : std::vector<std::string>{};
}

core::Date date_value(const Json& v, const char* key) {
    const auto d = core::parse_date(v.get<std::string>());
    if (!d) {
        throw BadField{std::string(key) + " is not a YYYY-MM-DD date"};
    }
    return *d;
}

std::optional<core::Date> opt_date_field(const Json& obj, const char* key) {
    const Json* v = field(obj, key);
    if (v == nullptr) {
        return std::nullopt;
    }
    return date_value(*v, key);
}

template <class E, class Parse>
std::optional<E> opt_enum_field(const Json& obj, const char* key, Parse parse) {
    const Json* v = field(obj, key);
    if (v == nullptr) {
        return std::nullopt;
    }
    auto parsed = parse(v->get<std::string>());
    if (!parsed) {
        throw BadField{std::string(key) + " has an unknown code"};
    }
    return parsed;
}

template <class E, class Parse> E enum_field(const Json& obj, const char* key, Parse parse) {
    auto v = opt_enum_field<E>(obj, key, parse);
    if (!v.has_value()) {
        throw BadField{std::string(key) + " is missing"};
    }
    return *v;
}

const Json& object_or_empty(const Json& obj, const char* key) {
    static const Json empty = Json::object();
    const Json* v = field(obj, key);
    if (v == nullptr) {
        return empty;
    }
    if (!v->is_object()) {
        throw BadField{std::string(key) + " is not an object"};
    }
    return *v;
}

core::Person decode(const Json& j) {
    if (!j.is_object()) {
        throw BadField{"document is not a JSON object"};
    }
    const Json* version = field(j, "v");
    if (version == nullptr || !version->is_number_integer() ||
        version->get<int>() != kPersonDocVersion) {
        throw BadField{"document format version is missing or unknown"};
    }
    core::Person p;
    p.full_name = str(j, "full_name");
    p.sex = enum_field<core::Sex>(j, "sex", core::parse_sex);
    p.birth_place = str(j, "birth_place");
    if (const auto d = opt_date_field(j, "birth_date")) {
        p.birth_date = *d;
    }
    const Json& addr = object_or_empty(j, "address");
    p.address.street = str(addr, "street");
    p.address.rt = str(addr, "rt");
    p.address.rw = str(addr, "rw");
    p.address.kelurahan_code = str(addr, "kelurahan_code");
    if (field(j, "home") != nullptr) {
        const Json& home = object_or_empty(j, "home");
        core::HomeLocation h;
        h.lon = home.at("lon").get<double>();
        h.lat = home.at("lat").get<double>();
        if (const Json* acc = field(home, "accuracy_m"); acc != nullptr) {
            h.accuracy_m = acc->get<double>();
        }
        h.source = enum_field<core::LocationSource>(home, "source", core::parse_location_source);
        p.home = h;
    }
    if (const Json* cats = field(j, "categories"); cats != nullptr) {
        for (const auto& c : cats->get<std::vector<std::string>>()) {
            const auto cat = core::parse_category(c);
            if (!cat) {
                throw BadField{"categories has an unknown code"};
            }
            p.categories.push_back(*cat);
        }
    }
    p.disability_subtype = str(j, "disability_subtype");
    p.severity = opt_enum_field<core::DisabilitySeverity>(j, "severity", core::parse_severity);
    if (const Json* wgss = field(j, "wgss"); wgss != nullptr) {
        if (!wgss->is_array() || wgss->size() != core::kWgDomainCount) {
            throw BadField{"wgss is not an array of 6"};
        }
        for (std::size_t i = 0; i < core::kWgDomainCount; ++i) {
            if (!(*wgss)[i].is_null()) {
                const int answer = (*wgss)[i].get<int>();
                if (answer < 0 || answer > 255) {
                    throw BadField{"wgss answer out of range"};
                }
                p.wgss[i] = static_cast<std::uint8_t>(answer);
            }
        }
    }
    p.onset = opt_enum_field<core::Onset>(j, "onset", core::parse_onset);
    if (const Json* year = field(j, "onset_year"); year != nullptr) {
        p.onset_year = year->get<int>();
    }
    p.cause = opt_enum_field<core::Cause>(j, "cause", core::parse_cause);
    p.cause_note = str(j, "cause_note");
    p.assistive_devices = strings(j, "assistive_devices");
    p.therapies = strings(j, "therapies");
    p.needs_note = str(j, "needs_note");
    if (field(j, "caregiver") != nullptr) {
        const Json& cg = object_or_empty(j, "caregiver");
        p.caregiver = core::Caregiver{str(cg, "name"), str(cg, "relationship"), str(cg, "phone")};
    }
    p.dtks = boolean(j, "dtks");
    p.dtks_id = str(j, "dtks_id");
    p.phone = str(j, "phone");
    if (field(j, "account") != nullptr) {
        const Json& acc = object_or_empty(j, "account");
        core::Account a;
        a.kind = enum_field<core::AccountKind>(acc, "kind", core::parse_account_kind);
        a.provider = str(acc, "provider");
        a.number = str(acc, "number");
        a.holder_name = str(acc, "holder_name");
        p.account = a;
    }
    p.photo_id = str(j, "photo_id");
    if (const Json* docs = field(j, "documents"); docs != nullptr) {
        if (!docs->is_array()) {
            throw BadField{"documents is not an array"};
        }
        for (const auto& d : *docs) {
            p.documents.push_back(core::DocumentRef{str(d, "id"), str(d, "kind"), str(d, "name")});
        }
    }
    const Json& consent = object_or_empty(j, "consent");
    p.consent.given = boolean(consent, "given");
    p.consent.date = opt_date_field(consent, "date");
    p.consent.given_by = str(consent, "given_by");
    p.status = enum_field<core::Status>(j, "status", core::parse_status);
    p.status_date = opt_date_field(j, "status_date");
    p.status_reason = str(j, "status_reason");
    p.confirmed_warnings = strings(j, "confirmed_warnings");
    p.warning_reason = str(j, "warning_reason");
    return p;
}

// A direct writer of the canonical text, byte for byte what nlohmann::json would dump for the
// same object (sorted keys, compact, ensure_ascii off); person_doc_test.cpp checks it against
// such a reference on random persons. Written by hand because building a json tree per person
// was the largest cost of a bulk import.
class DocWriter {
  public:
    explicit DocWriter(std::string& out)
        : out_(out) {}

    void raw(std::string_view text) { out_ += text; }

    void key(std::string_view k) {
        out_ += '"';
        out_ += k; // keys are plain ASCII identifiers
        out_ += "\":";
    }

    void string(std::string_view v) {
        if (!valid_utf8(v)) {
            // Rare (validation rejects it upstream): let nlohmann apply its replacement rule.
            out_ += Json(std::string(v)).dump(-1, ' ', false, Json::error_handler_t::replace);
            return;
        }
        out_ += '"';
        for (const char c : v) {
            switch (c) {
            case '"':
                out_ += "\\\"";
                break;
            case '\\':
                out_ += "\\\\";
                break;
            case '\b':
                out_ += "\\b";
                break;
            case '\f':
                out_ += "\\f";
                break;
            case '\n':
                out_ += "\\n";
                break;
            case '\r':
                out_ += "\\r";
                break;
            case '\t':
                out_ += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    std::array<char, 8> buf{};
                    std::snprintf(buf.data(), buf.size(), "\\u%04x", static_cast<unsigned>(c));
                    out_ += buf.data();
                } else {
                    out_ += c;
                }
            }
        }
        out_ += '"';
    }

    void integer(long long v) { out_ += std::to_string(v); }

    void number(double v) { out_ += Json(v).dump(); } // nlohmann's shortest round-trip form

    void boolean(bool v) { out_ += v ? "true" : "false"; }

    void null() { out_ += "null"; }

    void date(const core::Date& d) {
        if (d.ok()) {
            string(core::format_date(d));
        } else {
            null();
        }
    }

    void opt_date(const std::optional<core::Date>& d) {
        if (d) {
            date(*d);
        } else {
            null();
        }
    }

    template <class E> void opt_enum(const std::optional<E>& v) {
        if (v) {
            string(core::to_string(*v));
        } else {
            null();
        }
    }

    void strings(const std::vector<std::string>& list) {
        out_ += '[';
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (i != 0) {
                out_ += ',';
            }
            string(list[i]);
        }
        out_ += ']';
    }

  private:
    static bool valid_utf8(std::string_view s) {
        std::size_t i = 0;
        while (i < s.size()) {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c < 0x80) {
                ++i;
                continue;
            }
            std::size_t len = 0;
            std::uint32_t cp = 0;
            if ((c & 0xE0) == 0xC0) {
                len = 2;
                cp = c & 0x1FU;
            } else if ((c & 0xF0) == 0xE0) {
                len = 3;
                cp = c & 0x0FU;
            } else if ((c & 0xF8) == 0xF0) {
                len = 4;
                cp = c & 0x07U;
            } else {
                return false;
            }
            if (i + len > s.size()) {
                return false;
            }
            for (std::size_t k = 1; k < len; ++k) {
                const auto cc = static_cast<unsigned char>(s[i + k]);
                if ((cc & 0xC0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (cc & 0x3FU);
            }
            const bool overlong =
                (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
            if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return false;
            }
            i += len;
        }
        return true;
    }

    std::string& out_;
};

} // namespace

std::string encode_person_doc(const core::Person& p) {
    std::string out;
    out.reserve(768);
    DocWriter w(out);
    // Keys in byte order, as the canonical form requires.
    w.raw("{");
    w.key("account");
    if (p.account) {
        w.raw("{");
        w.key("holder_name");
        w.string(p.account->holder_name);
        w.raw(",");
        w.key("kind");
        w.string(core::to_string(p.account->kind));
        w.raw(",");
        w.key("number");
        w.string(p.account->number);
        w.raw(",");
        w.key("provider");
        w.string(p.account->provider);
        w.raw("}");
    } else {
        w.null();
    }
    w.raw(",");
    w.key("address");
    w.raw("{");
    w.key("kelurahan_code");
    w.string(p.address.kelurahan_code);
    w.raw(",");
    w.key("rt");
    w.string(p.address.rt);
    w.raw(",");
    w.key("rw");
    w.string(p.address.rw);
    w.raw(",");
    w.key("street");
    w.string(p.address.street);
    w.raw("},");
    w.key("assistive_devices");
    w.strings(p.assistive_devices);
    w.raw(",");
    w.key("birth_date");
    w.date(p.birth_date);
    w.raw(",");
    w.key("birth_place");
    w.string(p.birth_place);
    w.raw(",");
    w.key("caregiver");
    if (p.caregiver) {
        w.raw("{");
        w.key("name");
        w.string(p.caregiver->name);
        w.raw(",");
        w.key("phone");
        w.string(p.caregiver->phone);
        w.raw(",");
        w.key("relationship");
        w.string(p.caregiver->relationship);
        w.raw("}");
    } else {
        w.null();
    }
    w.raw(",");
    w.key("categories");
    w.raw("[");
    for (std::size_t i = 0; i < p.categories.size(); ++i) {
        if (i != 0) {
            w.raw(",");
        }
        w.string(core::to_string(p.categories[i]));
    }
    w.raw("],");
    w.key("cause");
    w.opt_enum(p.cause);
    w.raw(",");
    w.key("cause_note");
    w.string(p.cause_note);
    w.raw(",");
    w.key("confirmed_warnings");
    w.strings(p.confirmed_warnings);
    w.raw(",");
    w.key("consent");
    w.raw("{");
    w.key("date");
    w.opt_date(p.consent.date);
    w.raw(",");
    w.key("given");
    w.boolean(p.consent.given);
    w.raw(",");
    w.key("given_by");
    w.string(p.consent.given_by);
    w.raw("},");
    w.key("disability_subtype");
    w.string(p.disability_subtype);
    w.raw(",");
    w.key("documents");
    w.raw("[");
    for (std::size_t i = 0; i < p.documents.size(); ++i) {
        const core::DocumentRef& d = p.documents[i];
        w.raw(i == 0 ? "{" : ",{");
        w.key("id");
        w.string(d.id);
        w.raw(",");
        w.key("kind");
        w.string(d.kind);
        w.raw(",");
        w.key("name");
        w.string(d.name);
        w.raw("}");
    }
    w.raw("],");
    w.key("dtks");
    w.boolean(p.dtks);
    w.raw(",");
    w.key("dtks_id");
    w.string(p.dtks_id);
    w.raw(",");
    w.key("full_name");
    w.string(p.full_name);
    w.raw(",");
    w.key("home");
    if (p.home) {
        w.raw("{");
        w.key("accuracy_m");
        if (p.home->accuracy_m) {
            w.number(*p.home->accuracy_m);
        } else {
            w.null();
        }
        w.raw(",");
        w.key("lat");
        w.number(p.home->lat);
        w.raw(",");
        w.key("lon");
        w.number(p.home->lon);
        w.raw(",");
        w.key("source");
        w.string(core::to_string(p.home->source));
        w.raw("}");
    } else {
        w.null();
    }
    w.raw(",");
    w.key("needs_note");
    w.string(p.needs_note);
    w.raw(",");
    w.key("onset");
    w.opt_enum(p.onset);
    w.raw(",");
    w.key("onset_year");
    if (p.onset_year) {
        w.integer(*p.onset_year);
    } else {
        w.null();
    }
    w.raw(",");
    w.key("phone");
    w.string(p.phone);
    w.raw(",");
    w.key("photo_id");
    w.string(p.photo_id);
    w.raw(",");
    w.key("severity");
    w.opt_enum(p.severity);
    w.raw(",");
    w.key("sex");
    w.string(core::to_string(p.sex));
    w.raw(",");
    w.key("status");
    w.string(core::to_string(p.status));
    w.raw(",");
    w.key("status_date");
    w.opt_date(p.status_date);
    w.raw(",");
    w.key("status_reason");
    w.string(p.status_reason);
    w.raw(",");
    w.key("therapies");
    w.strings(p.therapies);
    w.raw(",");
    w.key("v");
    w.integer(kPersonDocVersion);
    w.raw(",");
    w.key("warning_reason");
    w.string(p.warning_reason);
    w.raw(",");
    w.key("wgss");
    w.raw("[");
    for (std::size_t i = 0; i < p.wgss.size(); ++i) {
        if (i != 0) {
            w.raw(",");
        }
        if (p.wgss[i]) {
            w.integer(*p.wgss[i]);
        } else {
            w.null();
        }
    }
    w.raw("]}");
    return out;
}

Result<core::Person> decode_person_doc(std::string_view doc) {
    try {
        const Json j = Json::parse(doc);
        return decode(j);
    } catch (const BadField& e) {
        return fail(ErrorCode::StoreCorrupt, "person document: " + e.what);
    } catch (const std::exception& e) {
        return fail(ErrorCode::StoreCorrupt, std::string("person document: ") + e.what());
    }
}

} // namespace kapal::store
