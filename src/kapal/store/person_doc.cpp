#include "kapal/store/person_doc.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
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
    // Absent in documents written before purposes were recorded: an empty list.
    if (const Json* purposes = field(consent, "purposes"); purposes != nullptr) {
        for (const auto& text : purposes->get<std::vector<std::string>>()) {
            const auto purpose = core::parse_consent_purpose(text);
            if (!purpose) {
                throw BadField{"consent.purposes has an unknown code"};
            }
            p.consent.purposes.push_back(*purpose);
        }
    }
    p.status = enum_field<core::Status>(j, "status", core::parse_status);
    p.status_date = opt_date_field(j, "status_date");
    p.status_reason = str(j, "status_reason");
    p.merged_into = str(j, "merged_into");
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

    std::size_t size() const { return out_.size(); }

    void truncate(std::size_t size) { out_.resize(size); }

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

    // nlohmann's shortest round-trip form: what Json(v).dump() writes (serializer::dump_float),
    // without building a json value and a string for each number.
    void number(double v) {
        if (!std::isfinite(v)) {
            out_ += "null";
            return;
        }
        std::array<char, 64> buf{};
        const char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), v);
        out_.append(buf.data(), static_cast<std::size_t>(end - buf.data()));
    }

    void boolean(bool v) { out_ += v ? "true" : "false"; }

    void null() { out_ += "null"; }

    void date(const core::Date& d) {
        if (d.ok()) {
            string(core::format_date(d));
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

namespace {

/// Writes the members of one JSON object, a comma before all but the first.
class ObjectWriter {
  public:
    explicit ObjectWriter(DocWriter& w)
        : w_(w) {}

    DocWriter& writer() { return w_; }

    void key(std::string_view k) {
        if (!first_) {
            w_.raw(",");
        }
        first_ = false;
        w_.key(k);
    }

    /// A string member, omitted when empty.
    void string(std::string_view k, std::string_view v) {
        if (!v.empty()) {
            key(k);
            w_.string(v);
        }
    }

    /// A list of strings, omitted when empty.
    void strings(std::string_view k, const std::vector<std::string>& list) {
        if (!list.empty()) {
            key(k);
            w_.strings(list);
        }
    }

    /// A date, omitted when absent or not a valid date.
    void date(std::string_view k, const core::Date& d) {
        if (d.ok()) {
            key(k);
            w_.date(d);
        }
    }

    void opt_date(std::string_view k, const std::optional<core::Date>& d) {
        if (d) {
            date(k, *d);
        }
    }

    template <class E> void opt_enum(std::string_view k, const std::optional<E>& v) {
        if (v) {
            key(k);
            w_.string(core::to_string(*v));
        }
    }

    /// A boolean, omitted when false.
    void flag(std::string_view k, bool v) {
        if (v) {
            key(k);
            w_.boolean(true);
        }
    }

    bool empty() const { return first_; }

    /// Forgets members written since empty() returned `was_empty` (their text is cut by the
    /// caller).
    void restore(bool was_empty) { first_ = was_empty; }

  private:
    DocWriter& w_;
    bool first_ = true;
};

/// Writes member `k` of `parent` as an object filled by `fill`. With `omit_if_empty`, an object
/// without members is left out entirely (for sub-objects that are not optional in Person, so
/// that absent and empty decode alike); otherwise `{}` is written (a present optional).
template <class Fill>
void object_member(ObjectWriter& parent, std::string_view k, bool omit_if_empty, Fill fill) {
    const std::size_t mark = parent.writer().size();
    const bool was_empty = parent.empty();
    parent.key(k);
    parent.writer().raw("{");
    ObjectWriter child(parent.writer());
    fill(child);
    if (omit_if_empty && child.empty()) {
        parent.writer().truncate(mark);
        parent.restore(was_empty);
        return;
    }
    parent.writer().raw("}");
}

} // namespace

std::string encode_person_doc(const core::Person& p) {
    std::string out;
    out.reserve(512);
    DocWriter w(out);
    // Keys in byte order, as the canonical form requires; empty values are left out.
    w.raw("{");
    ObjectWriter o(w);
    if (p.account) {
        object_member(o, "account", false, [&](ObjectWriter& a) {
            a.string("holder_name", p.account->holder_name);
            a.key("kind");
            w.string(core::to_string(p.account->kind));
            a.string("number", p.account->number);
            a.string("provider", p.account->provider);
        });
    }
    object_member(o, "address", true, [&](ObjectWriter& a) {
        a.string("kelurahan_code", p.address.kelurahan_code);
        a.string("rt", p.address.rt);
        a.string("rw", p.address.rw);
        a.string("street", p.address.street);
    });
    o.strings("assistive_devices", p.assistive_devices);
    o.date("birth_date", p.birth_date);
    o.string("birth_place", p.birth_place);
    if (p.caregiver) {
        object_member(o, "caregiver", false, [&](ObjectWriter& c) {
            c.string("name", p.caregiver->name);
            c.string("phone", p.caregiver->phone);
            c.string("relationship", p.caregiver->relationship);
        });
    }
    if (!p.categories.empty()) {
        o.key("categories");
        w.raw("[");
        for (std::size_t i = 0; i < p.categories.size(); ++i) {
            if (i != 0) {
                w.raw(",");
            }
            w.string(core::to_string(p.categories[i]));
        }
        w.raw("]");
    }
    o.opt_enum("cause", p.cause);
    o.string("cause_note", p.cause_note);
    o.strings("confirmed_warnings", p.confirmed_warnings);
    object_member(o, "consent", true, [&](ObjectWriter& c) {
        c.opt_date("date", p.consent.date);
        c.flag("given", p.consent.given);
        c.string("given_by", p.consent.given_by);
        if (!p.consent.purposes.empty()) {
            c.key("purposes");
            w.raw("[");
            for (std::size_t i = 0; i < p.consent.purposes.size(); ++i) {
                if (i != 0) {
                    w.raw(",");
                }
                w.string(core::to_string(p.consent.purposes[i]));
            }
            w.raw("]");
        }
    });
    o.string("disability_subtype", p.disability_subtype);
    if (!p.documents.empty()) {
        o.key("documents");
        w.raw("[");
        for (std::size_t i = 0; i < p.documents.size(); ++i) {
            const core::DocumentRef& d = p.documents[i];
            w.raw(i == 0 ? "{" : ",{");
            ObjectWriter e(w);
            e.string("id", d.id);
            e.string("kind", d.kind);
            e.string("name", d.name);
            w.raw("}");
        }
        w.raw("]");
    }
    o.flag("dtks", p.dtks);
    o.string("dtks_id", p.dtks_id);
    o.string("full_name", p.full_name);
    if (p.home) {
        object_member(o, "home", false, [&](ObjectWriter& h) {
            if (p.home->accuracy_m) {
                h.key("accuracy_m");
                w.number(*p.home->accuracy_m);
            }
            h.key("lat");
            w.number(p.home->lat);
            h.key("lon");
            w.number(p.home->lon);
            h.key("source");
            w.string(core::to_string(p.home->source));
        });
    }
    o.string("merged_into", p.merged_into);
    o.string("needs_note", p.needs_note);
    o.opt_enum("onset", p.onset);
    if (p.onset_year) {
        o.key("onset_year");
        w.integer(*p.onset_year);
    }
    o.string("phone", p.phone);
    o.string("photo_id", p.photo_id);
    o.opt_enum("severity", p.severity);
    o.key("sex");
    w.string(core::to_string(p.sex));
    o.key("status");
    w.string(core::to_string(p.status));
    o.opt_date("status_date", p.status_date);
    o.string("status_reason", p.status_reason);
    o.strings("therapies", p.therapies);
    o.key("v");
    w.integer(kPersonDocVersion);
    o.string("warning_reason", p.warning_reason);
    const bool any_wgss =
        std::any_of(p.wgss.begin(), p.wgss.end(), [](const auto& a) { return a.has_value(); });
    if (any_wgss) {
        o.key("wgss");
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
        w.raw("]");
    }
    w.raw("}");
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
