#include "kapal/http/sync_engine.hpp"

#include "kapal/core/nik.hpp"
#include "kapal/core/time.hpp"
#include "kapal/http/aid_routes.hpp"
#include "kapal/http/person_json.hpp"
#include "kapal/http/problem.hpp"
#include "kapal/store/store_codec.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <vector>

namespace kapal::http {
namespace {

using nlohmann::json;

/// What the API's person JSON holds besides the person's content.
const std::set<std::string, std::less<>> kBookkeeping = {"id",
                                                         "version",
                                                         "created_at",
                                                         "updated_at",
                                                         "created_by",
                                                         "updated_by",
                                                         "kecamatan_code",
                                                         "nik_masked",
                                                         "kk_masked"};

/// Fields whose change on the server makes an edit made from an older version a conflict,
/// whatever the edit changes: the person died or left, moved, or is someone else (docs/sync.md).
const std::set<std::string, std::less<>> kMatters = {
    "status", "status_date", "status_reason", "merged_into", "nik", "kk", "home", "address"};

/// Fields an update op may not set: the photo has its own op, a merge its own review.
const std::set<std::string, std::less<>> kNotEditable = {"photo_id", "merged_into"};

constexpr std::array<std::string_view, 5> kOpTypes = {
    "person.create", "person.update", "person.photo", "aid.handover", "service.request"};

/// The store's SHA-256 (lower-case hex) of a text.
std::string sha256_hex(std::string_view text) {
    return store::sha256_hex(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

/// A person's content as fields: the API's JSON without its bookkeeping, with NIK, KK and the
/// account number in clear (compared and written back here; shown only through masked()).
json content_of(const core::PersonRecord& r) {
    json j = json::parse(person_to_json(r));
    for (const auto& key : kBookkeeping) {
        j.erase(key);
    }
    j["nik"] = r.person.nik;
    j["kk"] = r.person.kk;
    j["merged_into"] = r.person.merged_into;
    if (r.person.account && j["account"].is_object()) {
        j["account"].erase("number_masked");
        j["account"]["number"] = r.person.account->number;
    }
    return j;
}

/// `content` with NIK, KK and the account number masked, for a supervisor's screen.
json masked(json content) {
    for (const char* key : {"nik", "kk"}) {
        if (content.contains(key) && content[key].is_string() &&
            !content[key].get<std::string>().empty()) {
            content[key] = core::mask_id_number(content[key].get<std::string>());
        }
    }
    if (content.contains("account") && content["account"].is_object() &&
        content["account"].contains("number") && content["account"]["number"].is_string()) {
        content["account"]["number"] =
            core::mask_id_number(content["account"]["number"].get<std::string>());
    }
    return content;
}

json value_at(const json& object, const std::string& key) {
    const auto it = object.find(key);
    return it == object.end() ? json(nullptr) : *it;
}

/// The fields whose values differ between two contents.
std::set<std::string> changed_fields(const json& a, const json& b) {
    std::set<std::string> keys;
    for (const auto& [k, v] : a.items()) {
        keys.insert(k);
    }
    for (const auto& [k, v] : b.items()) {
        keys.insert(k);
    }
    std::set<std::string> out;
    for (const auto& k : keys) {
        if (value_at(a, k) != value_at(b, k)) {
            out.insert(k);
        }
    }
    return out;
}

bool has_role(const service::Actor& actor, std::initializer_list<core::Role> roles) {
    if (!actor.role) {
        return true; // the machine's own operator at the command line
    }
    return std::find(roles.begin(), roles.end(), *actor.role) != roles.end();
}

std::string string_of(const json& o, const char* key) {
    const auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// The issues of one op's envelope (the fields every op has, and their types), at ops[i].field.
void check_envelope(const json& op, std::size_t i, std::vector<FieldIssue>& issues) {
    const std::string at = "ops[" + std::to_string(i) + "].";
    if (!op.is_object()) {
        issues.push_back(
            {"ops[" + std::to_string(i) + "]", ErrorCode::FieldTypeMismatch, "object"});
        return;
    }
    const auto text = [&](const char* key, std::size_t max, bool required) {
        const auto it = op.find(key);
        if (it == op.end()) {
            if (required) {
                issues.push_back({at + key, ErrorCode::ValidationFailed, "required"});
            }
            return;
        }
        if (!it->is_string() || it->get<std::string>().size() > max ||
            (required && it->get<std::string>().empty())) {
            issues.push_back({at + key,
                              ErrorCode::FieldTypeMismatch,
                              "a string of 1 to " + std::to_string(max) + " characters"});
        }
    };
    text("key", 100, true);
    text("type", 40, true);
    text("at", 40, true);
    text("after", 100, false);
    text("person_id", 40, false);
    text("change_reason", 500, false);
    const auto seq = op.find("seq");
    if (seq == op.end()) {
        issues.push_back({at + "seq", ErrorCode::ValidationFailed, "required"});
    } else if (!seq->is_number_integer() || seq->get<std::int64_t>() < 1) {
        issues.push_back({at + "seq", ErrorCode::FieldTypeMismatch, "an integer of at least 1"});
    }
    if (const auto type = op.find("type");
        type != op.end() && type->is_string() &&
        std::find(kOpTypes.begin(), kOpTypes.end(), type->get<std::string>()) == kOpTypes.end()) {
        issues.push_back(
            {at + "type",
             ErrorCode::ValidationFailed,
             "one of person.create, person.update, person.photo, aid.handover, service.request"});
    }
    if (const auto when = op.find("at");
        when != op.end() && when->is_string() && !core::parse_timestamp(when->get<std::string>())) {
        issues.push_back({at + "at", ErrorCode::ValidationFailed, "an ISO 8601 UTC instant"});
    }
    for (const auto& [k, v] : op.items()) {
        static const std::set<std::string, std::less<>> known = {"key",
                                                                 "seq",
                                                                 "type",
                                                                 "at",
                                                                 "after",
                                                                 "person_id",
                                                                 "person",
                                                                 "base_version",
                                                                 "changes",
                                                                 "change_reason",
                                                                 "photo",
                                                                 "service",

                                                                 "handover"};
        if (known.count(k) == 0) {
            issues.push_back({at + k, ErrorCode::UnknownField, ""});
        }
    }
}

/// An op's refusal as its result.
json rejected(const std::string& key, const Error& error, std::string_view lang) {
    return json{{"key", key},
                {"status", std::string(store::kSyncRejected)},
                {"error", json::parse(problem_json(error, lang))}};
}

Error invalid(const std::string& field, const std::string& message) {
    return Error{ErrorCode::ValidationFailed, message, {{field, ErrorCode::ValidationFailed, ""}}};
}

json sorted_array(const std::set<std::string>& fields) {
    json out = json::array();
    for (const auto& f : fields) {
        out.push_back(f);
    }
    return out;
}

/// The pull token: "f.<seq>.<list cursor>" while the first full pull pages through the persons
/// in scope (seq: the newest write when it began), then "i.<seq>.<key>" (the change feed's
/// cursor).
struct PullToken {
    bool full = true;
    store::ChangeCursor feed;
    std::string list_cursor;
};

std::string encode_token(const PullToken& t) {
    if (t.full) {
        return "f." + std::to_string(t.feed.seq) + "." + t.list_cursor;
    }
    return "i." + std::to_string(t.feed.seq) + "." + std::to_string(t.feed.key);
}

std::optional<std::int64_t> parse_int(std::string_view s) {
    if (s.empty() || s.size() > 19) {
        return std::nullopt;
    }
    std::int64_t v = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        v = v * 10 + (c - '0');
    }
    return v;
}

std::optional<PullToken> decode_token(std::string_view s) {
    if (s.size() < 4 || (s[0] != 'f' && s[0] != 'i') || s[1] != '.') {
        return std::nullopt;
    }
    const auto dot = s.find('.', 2);
    if (dot == std::string_view::npos) {
        return std::nullopt;
    }
    const auto seq = parse_int(s.substr(2, dot - 2));
    if (!seq) {
        return std::nullopt;
    }
    PullToken t;
    t.full = s[0] == 'f';
    t.feed.seq = *seq;
    const std::string_view rest = s.substr(dot + 1);
    if (t.full) {
        t.list_cursor = std::string(rest);
        if (rest.size() > 200) {
            return std::nullopt;
        }
    } else {
        const auto key = parse_int(rest);
        if (!key) {
            return std::nullopt;
        }
        t.feed.key = *key;
    }
    return t;
}

bool in_areas(const std::string& kelurahan, const std::vector<std::string>& areas) {
    if (areas.empty()) {
        return true;
    }
    return std::any_of(areas.begin(), areas.end(), [&](const std::string& a) {
        return core::code_within(kelurahan, a);
    });
}

} // namespace

/// What applying one op came to: its state, its answer, and for a conflict what to keep.
struct SyncEngine::Applied {
    std::string state;
    json result;
    std::string payload; ///< kept for a conflict
    std::string kelurahan_code;
    std::optional<std::int64_t> base_version;
    std::optional<std::int64_t> server_version;
    std::string fields;
    std::string person_id;
};

SyncEngine::SyncEngine(service::PersonService& persons,
                       service::AidService& aid,
                       service::ServiceDesk& desk,
                       store::Store& store,
                       const core::Clock& clock,
                       core::IdGenerator& ids)
    : persons_(persons)
    , aid_(aid)
    , desk_(desk)
    , store_(store)
    , clock_(clock)
    , ids_(ids) {}

namespace {

/// The content of `id` at `base_version` (the current record when it is that version).
Result<json> base_content(service::PersonService& persons,
                          const core::PersonRecord& current,
                          std::int64_t base_version,
                          const service::Actor& actor) {
    if (base_version == current.version) {
        return content_of(current);
    }
    KAPAL_ASSIGN_OR_RETURN(history, persons.history(current.id, actor));
    for (const auto& v : history) {
        if (v.record.version == base_version) {
            return content_of(v.record);
        }
    }
    return fail(
        invalid("base_version", "the person has no version " + std::to_string(base_version)));
}

/// A photo op's picture and media type, or nullopt for `"photo": null` (remove the photo).
Result<std::optional<std::pair<std::vector<std::uint8_t>, std::string>>> photo_of(const json& op) {
    const auto photo = op.find("photo");
    if (photo != op.end() && photo->is_null()) {
        return std::nullopt;
    }
    if (photo == op.end() || !photo->is_object()) {
        return fail(invalid("photo", "photo must be {media_type, data}, or null to remove it"));
    }
    const std::string media_type = string_of(*photo, "media_type");
    const std::string data = string_of(*photo, "data");
    if (data.empty() || data.size() > service::kMaxPhotoBytes * 4 / 3 + 8) {
        return fail(invalid("photo.data", "a picture in base64 of at most 512 KiB"));
    }
    std::vector<std::uint8_t> bytes(data.size());
    std::size_t length = 0;
    if (sodium_base642bin(bytes.data(),
                          bytes.size(),
                          data.data(),
                          data.size(),
                          nullptr,
                          &length,
                          nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        return fail(invalid("photo.data", "not base64"));
    }
    bytes.resize(length);
    return std::optional(std::make_pair(std::move(bytes), media_type));
}

} // namespace

SyncEngine::Applied
SyncEngine::apply(const std::string& op_text, const service::Actor& actor, std::string_view lang) {
    const json op = json::parse(op_text);
    const std::string key = string_of(op, "key");
    const std::string type = string_of(op, "type");
    const std::string person_id = string_of(op, "person_id");
    Applied out;
    out.person_id = person_id;
    const auto refuse = [&](const Error& e) {
        out.state = std::string(store::kSyncRejected);
        out.result = rejected(key, e, lang);
        return out;
    };
    const bool person_op = type.starts_with("person.");
    if (person_op) {
        if (!has_role(actor, {core::Role::Admin, core::Role::Operator})) {
            return refuse(
                Error{ErrorCode::Forbidden, "only admins and operators change persons", {}});
        }
        if (!core::is_uuid_v7(person_id)) {
            return refuse(invalid("person_id", "person_id must be a UUIDv7"));
        }
    }

    if (type == "person.create") {
        const auto person = op.find("person");
        if (person == op.end() || !person->is_object()) {
            return refuse(invalid("person", "person must be the person as POST /persons takes it"));
        }
        auto input = person_from_json(person->dump());
        if (!input) {
            return refuse(input.error());
        }
        // The same key and body as an online POST /api/v1/persons whose answer was lost: the
        // person created then is the answer (its id, not the op's person_id).
        const store::IdempotencyToken idem{key, person_body_fingerprint(person->dump())};
        auto created =
            persons_.create(std::move(input->person), actor, idem, core::PersonId(person_id));
        if (!created) {
            return refuse(created.error());
        }
        out.state = std::string(store::kSyncApplied);
        out.result = json{{"key", key},
                          {"status", out.state},
                          {"person_id", created->record.id.str()},
                          {"version", created->record.version}};
        return out;
    }

    if (type == "person.update" || type == "person.photo") {
        const auto base_it = op.find("base_version");
        if (base_it == op.end() || !base_it->is_number_integer() ||
            base_it->get<std::int64_t>() < 1) {
            return refuse(invalid("base_version", "base_version must be a version (1 or more)"));
        }
        const std::int64_t base_version = base_it->get<std::int64_t>();
        json changes = json::object();
        std::vector<std::uint8_t> photo_bytes;
        std::string media_type;
        bool remove_photo = false;
        if (type == "person.update") {
            const auto c = op.find("changes");
            if (c == op.end() || !c->is_object() || c->empty()) {
                return refuse(invalid("changes", "changes must name at least one field"));
            }
            changes = *c;
        } else {
            auto photo = photo_of(op);
            if (!photo) {
                return refuse(photo.error());
            }
            remove_photo = !photo->has_value();
            if (!remove_photo) {
                photo_bytes = std::move((*photo)->first);
                media_type = std::move((*photo)->second);
                // A photo that could never be set is refused now, not kept as a conflict.
                if (auto checked = service::check_photo(photo_bytes, media_type); !checked) {
                    return refuse(checked.error());
                }
            }
        }
        // A retry after a concurrent write re-reads the person (another process, or the web).
        for (int attempt = 0;; ++attempt) {
            auto current = persons_.get(core::PersonId(person_id), actor);
            if (!current) {
                return refuse(current.error());
            }
            if (base_version > current->version) {
                return refuse(
                    invalid("base_version",
                            "the person is at version " + std::to_string(current->version)));
            }
            const json theirs = content_of(*current);
            for (const auto& [field, value] : changes.items()) {
                if (!theirs.contains(field) || kNotEditable.count(field) != 0) {
                    return refuse(invalid("changes." + field, "not a field an edit may change"));
                }
            }
            auto base = base_content(persons_, *current, base_version, actor);
            if (!base) {
                return refuse(base.error());
            }
            const std::set<std::string> server_changed = changed_fields(*base, theirs);
            std::set<std::string> fields;
            bool conflict = false;
            if (type == "person.photo") {
                // Removed here too meanwhile: both want it gone, nothing to decide.
                conflict = server_changed.count("photo_id") != 0 &&
                           !(remove_photo && current->person.photo_id.empty());
                fields.insert("photo_id");
            } else {
                for (const auto& [field, value] : changes.items()) {
                    fields.insert(field);
                    if (server_changed.count(field) != 0 && value != value_at(theirs, field)) {
                        conflict = true;
                    }
                }
                for (const auto& field : server_changed) {
                    if (kMatters.count(field) != 0) {
                        conflict = true;
                        fields.insert(field);
                    }
                }
            }
            if (conflict) {
                out.state = std::string(store::kSyncConflict);
                out.payload = op_text;
                out.kelurahan_code = current->person.address.kelurahan_code;
                out.base_version = base_version;
                out.server_version = current->version;
                out.fields = sorted_array(fields).dump();
                out.result = json{{"key", key},
                                  {"status", out.state},
                                  {"person_id", person_id},
                                  {"fields", sorted_array(fields)}};
                return out; // the conflict id is added by the caller
            }
            const bool same_version = base_version == current->version;
            Result<core::PersonRecord> written = *current;
            if (type == "person.photo" && remove_photo) {
                // Removed on the device and not changed here since: gone already is done.
                if (!current->person.photo_id.empty()) {
                    written = persons_.remove_photo(current->id, current->version, actor);
                }
            } else if (type == "person.photo") {
                written = persons_.set_photo(
                    current->id, current->version, photo_bytes, media_type, actor);
            } else {
                json merged = theirs;
                for (const auto& [field, value] : changes.items()) {
                    merged[field] = value;
                }
                if (merged != theirs) {
                    auto input = person_from_json(merged.dump());
                    if (!input) {
                        return refuse(input.error());
                    }
                    std::string reason = string_of(op, "change_reason");
                    if (reason.empty()) {
                        reason = "diubah luring (sinkronisasi)";
                    }
                    written = persons_.update(
                        current->id, current->version, std::move(input->person), actor, reason);
                }
            }
            if (!written) {
                if (written.error().code == ErrorCode::VersionConflict && attempt < 3) {
                    continue;
                }
                return refuse(written.error());
            }
            out.state = std::string(same_version ? store::kSyncApplied : store::kSyncMerged);
            out.result = json{{"key", key},
                              {"status", out.state},
                              {"person_id", person_id},
                              {"version", written->version}};
            if (!same_version) {
                out.result["merged_fields"] = sorted_array(fields);
            }
            return out;
        }
    }

    if (type == "service.request") {
        if (!has_role(actor, {core::Role::Admin, core::Role::Operator})) {
            return refuse(
                Error{ErrorCode::Forbidden, "only admins and operators open service requests", {}});
        }
        const auto body = op.find("service");
        if (body == op.end() || !body->is_object()) {
            return refuse(invalid("service", "service must be {service, note, qr or person_id}"));
        }
        const std::string code = string_of(*body, "service");
        const std::string note = string_of(*body, "note");
        const std::string qr = string_of(*body, "qr");
        const std::string holder = string_of(*body, "person_id");
        if (code.empty()) {
            return refuse(invalid("service.service", "the service's code is required"));
        }
        if (note.size() > 2000 || qr.size() > 4296) {
            return refuse(invalid(note.size() > 2000 ? "service.note" : "service.qr", "too long"));
        }
        if (qr.empty() && !core::is_uuid_v7(holder)) {
            return refuse(invalid("service.qr", "scan the card (qr) or name the person_id"));
        }
        // A card scanned offline is verified now: revoked or expired meanwhile, it is refused.
        // The op's key is the request's idempotency key: a request whose online answer was lost
        // (POST with this Idempotency-Key), then queued, is the request opened then.
        auto opened = qr.empty() ? desk_.open(core::PersonId(holder), code, note, actor, key)
                                 : desk_.open_by_card(qr, code, note, actor, key);
        if (!opened) {
            return refuse(opened.error());
        }
        out.state = std::string(store::kSyncApplied);
        out.person_id = opened->record.person_id;
        out.result = json{{"key", key},
                          {"status", out.state},
                          {"person_id", opened->record.person_id},
                          {"request_id", opened->record.id}};
        return out;
    }

    // aid.handover
    if (!has_role(actor, {core::Role::Admin, core::Role::Penyalur})) {
        return refuse(Error{ErrorCode::Forbidden, "only a penyalur hands over aid", {}});
    }
    const auto body = op.find("handover");
    if (body == op.end() || !body->is_object()) {
        return refuse(invalid("handover", "handover must be the body of a handover"));
    }
    json fields = *body;
    const std::string cycle_id = string_of(fields, "cycle_id");
    if (cycle_id.empty()) {
        return refuse(invalid("handover.cycle_id", "required"));
    }
    fields.erase("cycle_id");
    auto handover = handover_of(fields, cycle_id);
    if (!handover) {
        return refuse(handover.error());
    }
    handover->idempotency_key = key;
    handover->done_at = core::parse_timestamp(string_of(op, "at"));
    auto delivered = aid_.hand_over(*handover, actor);
    if (!delivered) {
        return refuse(delivered.error());
    }
    out.state = std::string(store::kSyncApplied);
    out.person_id = delivered->record.person_id;
    out.result = json{{"key", key},
                      {"status", out.state},
                      {"person_id", delivered->record.person_id},
                      {"delivery_id", delivered->record.id}};
    return out;
}

Result<std::string>
SyncEngine::batch(std::string_view body, const service::Actor& actor, std::string_view lang) {
    if (json_too_deep(body)) {
        return fail(ErrorCode::BadJson, "the JSON nests too deeply");
    }
    const json request = json::parse(body, nullptr, false);
    if (request.is_discarded() || !request.is_object()) {
        return fail(ErrorCode::BadJson, "the request body must be a JSON object");
    }
    std::vector<FieldIssue> issues;
    const std::string device_id = string_of(request, "device_id");
    if (device_id.empty() || device_id.size() > 100) {
        issues.push_back({"device_id", ErrorCode::ValidationFailed, "1 to 100 characters"});
    }
    const auto ops = request.find("ops");
    if (ops == request.end() || !ops->is_array() || ops->empty() ||
        ops->size() > kMaxSyncBatchOps) {
        issues.push_back({"ops",
                          ErrorCode::ValidationFailed,
                          "an array of 1 to " + std::to_string(kMaxSyncBatchOps) + " ops"});
    } else {
        for (std::size_t i = 0; i < ops->size(); ++i) {
            check_envelope((*ops)[i], i, issues);
        }
    }
    for (const auto& [k, v] : request.items()) {
        if (k != "device_id" && k != "ops") {
            issues.push_back({k, ErrorCode::UnknownField, ""});
        }
    }
    if (!issues.empty()) {
        return fail(ErrorCode::ValidationFailed, "the batch is not well formed", std::move(issues));
    }

    const std::lock_guard lock(mutex_);
    json results = json::array();
    json released = json::array();
    const store::WriteContext ctx{actor.id, actor.source, {}, {}};

    // What applying an op came to, into its record (a conflict's answer names the record).
    const auto settle = [](store::SyncOpRecord& r, Applied& a) {
        r.state = a.state;
        r.person_id = a.person_id.empty() ? r.person_id : a.person_id;
        r.payload = a.payload;
        r.kelurahan_code = a.kelurahan_code;
        r.base_version = a.base_version;
        r.server_version = a.server_version;
        r.fields = a.fields;
        if (a.state == store::kSyncConflict) {
            a.result["conflict_id"] = r.id;
        }
        r.result = a.result.dump();
    };

    // Settles the ops waiting for `key`, in their order, and then those waiting for them: applied
    // when the op they wait for was, refused when it was refused.
    std::vector<std::pair<std::string, bool>> ready; // key, whether it was refused
    const auto release = [&](const std::string& first, bool refused) -> Result<void> {
        ready.emplace_back(first, refused);
        while (!ready.empty()) {
            const auto [key, key_refused] = ready.back();
            ready.pop_back();
            KAPAL_ASSIGN_OR_RETURN(waiting, store_.waiting_sync_ops(actor.id, key));
            for (auto& w : waiting) {
                Applied a;
                if (key_refused) {
                    a.state = std::string(store::kSyncRejected);
                    a.result = rejected(
                        w.key,
                        invalid("after",
                                "the change this one depends on (" + key + ") was refused"),
                        lang);
                } else {
                    a = apply(w.payload, actor, lang);
                }
                const std::int64_t version = w.version;
                settle(w, a);
                KAPAL_TRY(store_.update_sync_op(w, version, ctx));
                released.push_back(a.result);
                if (a.state != store::kSyncConflict) {
                    ready.emplace_back(w.key, a.state == store::kSyncRejected);
                }
            }
        }
        return {};
    };

    for (const auto& op : *ops) {
        const std::string text = op.dump();
        const std::string key = string_of(op, "key");
        const std::string fingerprint = sha256_hex(text);
        KAPAL_ASSIGN_OR_RETURN(seen, store_.find_sync_op(actor.id, key));
        if (seen) {
            if (seen->fingerprint != fingerprint) {
                results.push_back(
                    rejected(key,
                             Error{ErrorCode::IdempotencyKeyReused,
                                   "key " + key + " was already used for another change",
                                   {{"key", ErrorCode::IdempotencyKeyReused, ""}}},
                             lang));
                continue;
            }
            json answer = json::parse(seen->result);
            answer["replayed"] = true;
            results.push_back(std::move(answer));
            continue;
        }
        store::SyncOpRecord record;
        record.id = ids_.next(clock_.now());
        record.actor = actor.id;
        record.key = key;
        record.device_id = device_id;
        record.seq = op["seq"].get<std::int64_t>();
        record.type = string_of(op, "type");
        record.person_id = string_of(op, "person_id");
        record.after = string_of(op, "after");
        record.fingerprint = fingerprint;
        record.received_at = clock_.now();

        Applied a;
        bool wait = false;
        if (!record.after.empty()) {
            KAPAL_ASSIGN_OR_RETURN(dependency, store_.find_sync_op(actor.id, record.after));
            if (!dependency || dependency->state == store::kSyncWaiting) {
                wait = true;
            } else if (dependency->state == store::kSyncRejected) {
                a.state = std::string(store::kSyncRejected);
                a.result = rejected(
                    key,
                    invalid("after",
                            "the change this one depends on (" + record.after + ") was refused"),
                    lang);
            }
        }
        if (wait) {
            a.state = std::string(store::kSyncWaiting);
            a.payload = text;
            a.result = json{{"key", key}, {"status", a.state}, {"waiting_for", record.after}};
        } else if (a.state.empty()) {
            a = apply(text, actor, lang);
        }
        settle(record, a);
        if (auto added = store_.add_sync_op(record, ctx); !added) {
            if (added.error().code != ErrorCode::AlreadyExists) {
                return fail(std::move(added).error());
            }
            // Sent twice at once (another request won): its answer is the answer.
            KAPAL_ASSIGN_OR_RETURN(first, store_.find_sync_op(actor.id, key));
            if (first) {
                json answer = json::parse(first->result);
                answer["replayed"] = true;
                results.push_back(std::move(answer));
                continue;
            }
        }
        results.push_back(a.result);
        if (a.state != store::kSyncWaiting && a.state != store::kSyncConflict) {
            KAPAL_TRY(release(key, a.state == store::kSyncRejected));
        }
    }
    return json{{"results", std::move(results)},
                {"released", std::move(released)},
                {"server_time", core::format_timestamp(clock_.now())}}
        .dump();
}

Result<std::string> SyncEngine::conflicts(const std::string& state,
                                          const std::string& cursor,
                                          int limit,
                                          const service::Actor& actor) {
    store::SyncConflictQuery query;
    query.state = state.empty() ? std::string(store::kSyncConflict) : state;
    query.area_codes = actor.scope_area_codes;
    query.limit = limit;
    query.cursor = cursor;
    KAPAL_ASSIGN_OR_RETURN(page, store_.list_sync_conflicts(query));
    json items = json::array();
    for (const auto& c : page.items) {
        items.push_back(
            json{{"id", c.id},
                 {"person_id", c.person_id},
                 {"type", c.type},
                 {"state", c.state},
                 {"actor", c.actor},
                 {"device_id", c.device_id},
                 {"kelurahan_code", c.kelurahan_code},
                 {"fields", json::parse(c.fields.empty() ? "[]" : c.fields)},
                 {"received_at", core::format_timestamp(c.received_at)},
                 {"decided_by", c.decided_by},
                 {"decided_at",
                  c.decided_at ? json(core::format_timestamp(*c.decided_at)) : json(nullptr)}});
    }
    return json{{"items", std::move(items)},
                {"next_cursor", page.next_cursor.empty() ? json(nullptr) : json(page.next_cursor)}}
        .dump();
}

namespace {

/// The conflict `id` in the actor's areas. Errors: NotFound.
Result<store::SyncOpRecord>
conflict_in_scope(store::Store& store, const std::string& id, const service::Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(found, store.get_sync_op(id));
    if (!found || (found->state != store::kSyncConflict && found->state != store::kSyncResolved) ||
        !in_areas(found->kelurahan_code, actor.scope_area_codes)) {
        return fail(ErrorCode::NotFound, "no sync conflict " + id);
    }
    return std::move(*found);
}

/// What the device wanted each field to be: its change, or the value it started from.
json mine_of(const json& op, const json& base) {
    json mine = base;
    if (const auto c = op.find("changes"); c != op.end() && c->is_object()) {
        for (const auto& [field, value] : c->items()) {
            mine[field] = value;
        }
    }
    return mine;
}

} // namespace

Result<std::string> SyncEngine::conflict(const std::string& id, const service::Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(c, conflict_in_scope(store_, id, actor));
    const json op = json::parse(c.payload.empty() ? "{}" : c.payload);
    json out{
        {"id", c.id},
        {"person_id", c.person_id},
        {"type", c.type},
        {"state", c.state},
        {"actor", c.actor},
        {"device_id", c.device_id},
        {"key", c.key},
        {"at", string_of(op, "at")},
        {"change_reason", string_of(op, "change_reason")},
        {"received_at", core::format_timestamp(c.received_at)},
        {"base_version", c.base_version ? json(*c.base_version) : json(nullptr)},
        {"server_version", c.server_version ? json(*c.server_version) : json(nullptr)},
        {"decided_by", c.decided_by},
        {"decided_at", c.decided_at ? json(core::format_timestamp(*c.decided_at)) : json(nullptr)},
        {"decision", c.decision.empty() ? json(nullptr) : json::parse(c.decision)}};
    KAPAL_ASSIGN_OR_RETURN(current, persons_.get(core::PersonId(c.person_id), actor));
    out["current_version"] = current.version;
    KAPAL_ASSIGN_OR_RETURN(base,
                           base_content(persons_, current, c.base_version.value_or(1), actor));
    const json theirs = content_of(current);
    const json mine = mine_of(op, base);
    const json shown_base = masked(base);
    const json shown_theirs = masked(theirs);
    const json shown_mine = masked(mine);
    json fields = json::array();
    for (const auto& f : json::parse(c.fields.empty() ? "[]" : c.fields)) {
        const std::string name = f.get<std::string>();
        json row{{"field", name},
                 {"base", value_at(shown_base, name)},
                 {"theirs", value_at(shown_theirs, name)},
                 {"mine", value_at(shown_mine, name)}};
        if (c.type == "person.photo") {
            row["mine"] = op.contains("photo") && op["photo"].is_null()
                              ? "(foto dihapus di perangkat)"
                              : "(foto baru dari perangkat)";
        }
        fields.push_back(std::move(row));
    }
    out["fields"] = std::move(fields);
    if (c.type == "person.photo" && op.contains("photo")) {
        out["photo"] = op["photo"];
    }
    return out.dump();
}

Result<std::string>
SyncEngine::resolve(const std::string& id, std::string_view body, const service::Actor& actor) {
    const json request = json::parse(body, nullptr, false);
    if (request.is_discarded() || !request.is_object()) {
        return fail(ErrorCode::BadJson, "the request body must be a JSON object");
    }
    for (const auto& [k, v] : request.items()) {
        if (k != "version" && k != "choose" && k != "reason") {
            return fail(Error{ErrorCode::ValidationFailed,
                              "unknown field " + k,
                              {{k, ErrorCode::UnknownField, ""}}});
        }
    }
    const auto version = request.find("version");
    if (version == request.end() || !version->is_number_integer()) {
        return fail(invalid("version", "version must be the person's version as shown"));
    }
    const std::string reason = string_of(request, "reason");
    if (reason.size() < 5 || reason.size() > 500) {
        return fail(invalid("reason", "say why, in 5 to 500 characters"));
    }
    const auto choose = request.find("choose");
    if (choose == request.end() || !choose->is_object()) {
        return fail(invalid("choose", "choose must name mine or theirs for each field"));
    }

    const std::lock_guard lock(mutex_);
    KAPAL_ASSIGN_OR_RETURN(c, conflict_in_scope(store_, id, actor));
    if (c.state != store::kSyncConflict) {
        return fail(ErrorCode::VersionConflict, "this conflict was already resolved");
    }
    const json fields = json::parse(c.fields.empty() ? "[]" : c.fields);
    std::vector<FieldIssue> issues;
    std::set<std::string> names;
    for (const auto& f : fields) {
        names.insert(f.get<std::string>());
    }
    for (const auto& name : names) {
        const auto it = choose->find(name);
        if (it == choose->end()) {
            issues.push_back({"choose." + name, ErrorCode::ValidationFailed, "mine or theirs"});
        } else if (*it != "mine" && *it != "theirs") {
            issues.push_back({"choose." + name, ErrorCode::ValidationFailed, "mine or theirs"});
        }
    }
    for (const auto& [k, v] : choose->items()) {
        if (names.count(k) == 0) {
            issues.push_back(
                {"choose." + k, ErrorCode::UnknownField, "not a field of this conflict"});
        }
    }
    if (!issues.empty()) {
        return fail(ErrorCode::ValidationFailed, "choose every field of the conflict", issues);
    }
    KAPAL_ASSIGN_OR_RETURN(current, persons_.get(core::PersonId(c.person_id), actor));
    if (current.version != version->get<std::int64_t>()) {
        return fail(ErrorCode::VersionConflict,
                    "the person changed since it was shown (now version " +
                        std::to_string(current.version) + "): look again");
    }
    const json op = json::parse(c.payload);
    std::int64_t result_version = current.version;
    bool any_mine = false;
    for (const auto& name : names) {
        any_mine = any_mine || (*choose)[name] == "mine";
    }
    if (any_mine) {
        const std::string why = "konflik sinkronisasi diselesaikan: " + reason;
        if (c.type == "person.photo") {
            KAPAL_ASSIGN_OR_RETURN(photo, photo_of(op));
            if (photo) {
                KAPAL_ASSIGN_OR_RETURN(
                    written,
                    persons_.set_photo(
                        current.id, current.version, photo->first, photo->second, actor));
                result_version = written.version;
            } else if (!current.person.photo_id.empty()) {
                KAPAL_ASSIGN_OR_RETURN(written,
                                       persons_.remove_photo(current.id, current.version, actor));
                result_version = written.version;
            }
        } else {
            KAPAL_ASSIGN_OR_RETURN(
                base, base_content(persons_, current, c.base_version.value_or(1), actor));
            const json theirs = content_of(current);
            const json mine = mine_of(op, base);
            json chosen = theirs;
            for (const auto& name : names) {
                if ((*choose)[name] == "mine") {
                    chosen[name] = value_at(mine, name);
                }
            }
            if (chosen != theirs) {
                KAPAL_ASSIGN_OR_RETURN(input, person_from_json(chosen.dump()));
                KAPAL_ASSIGN_OR_RETURN(
                    written,
                    persons_.update(
                        current.id, current.version, std::move(input.person), actor, why));
                result_version = written.version;
            }
        }
    }
    store::SyncOpRecord done = c;
    done.state = std::string(store::kSyncResolved);
    done.decided_at = clock_.now();
    done.decided_by = actor.id;
    done.decision =
        json{{"choose", *choose}, {"reason", reason}, {"version", result_version}}.dump();
    KAPAL_ASSIGN_OR_RETURN(
        saved, store_.update_sync_op(done, c.version, {actor.id, actor.source, {}, {}}));
    return json{{"id", saved.id},
                {"state", saved.state},
                {"person_id", saved.person_id},
                {"version", result_version},
                {"decided_by", saved.decided_by}}
        .dump();
}

Result<std::string>
SyncEngine::pull(const std::string& since, int limit, const service::Actor& actor) {
    if (limit < 1 || limit > kMaxPullLimit) {
        return fail(invalid("limit", "limit must be 1.." + std::to_string(kMaxPullLimit)));
    }
    PullToken token;
    if (since.empty()) {
        // The newest write now: whatever is written later comes through the change feed.
        store::AuditQuery newest;
        newest.limit = 1;
        KAPAL_ASSIGN_OR_RETURN(log, store_.list_audit(newest));
        token.feed.seq = log.empty() ? 0 : log.front().seq;
    } else {
        auto decoded = decode_token(since);
        if (!decoded) {
            return fail(invalid("since", "since is not a token this server made"));
        }
        token = std::move(*decoded);
    }
    const bool penyalur = actor.role == core::Role::Penyalur;
    // The persons' JSON texts as person_to_json writes them, joined (not parsed and written
    // again: that doubled the time of a pull; docs/PERFORMANCE.md).
    std::string persons;
    std::size_t person_count = 0;
    const auto add_person = [&](const core::PersonRecord& record) {
        persons += person_count++ == 0 ? "" : ",";
        persons += person_to_json(record);
    };
    json removed = json::array();
    json handover = json::array();
    bool more = false;
    if (!penyalur && token.full) {
        store::PersonQuery query;
        query.limit = limit;
        query.cursor = token.list_cursor;
        KAPAL_ASSIGN_OR_RETURN(page, persons_.list(query, actor));
        for (const auto& record : page.items) {
            if (record.person.merged_into.empty()) {
                add_person(record);
            }
        }
        if (page.next_cursor.empty()) {
            token.full = false;
            token.feed.key = std::numeric_limits<std::int64_t>::max();
            token.list_cursor.clear();
            more = true; // the changes since the first page
        } else {
            token.list_cursor = page.next_cursor;
            more = true;
        }
    } else if (!penyalur) {
        KAPAL_ASSIGN_OR_RETURN(page, store_.person_changes(token.feed, limit));
        for (const auto& summary : page.items) {
            if (in_areas(summary.kelurahan_code, actor.scope_area_codes)) {
                KAPAL_ASSIGN_OR_RETURN(record, store_.get_person(summary.id));
                if (record.person.merged_into.empty()) {
                    add_person(record);
                } else {
                    removed.push_back(summary.id.str());
                }
                continue;
            }
            // Out of the areas now: the device drops it if it ever was in them.
            KAPAL_ASSIGN_OR_RETURN(history, store_.person_history(summary.id));
            if (std::any_of(history.begin(), history.end(), [&](const store::PersonVersion& v) {
                    return in_areas(v.record.person.address.kelurahan_code, actor.scope_area_codes);
                })) {
                removed.push_back(summary.id.str());
            }
        }
        more = page.items.size() == static_cast<std::size_t>(limit);
        token.feed = page.next;
    } else {
        // A penyalur: the handover lists of the open cycles of their programmes, whole.
        token.full = false;
        const core::Date today = core::wita_date(clock_.now());
        KAPAL_ASSIGN_OR_RETURN(programs, aid_.programs(actor));
        for (const auto& program : programs) {
            if (program.channel != "langsung") {
                continue;
            }
            KAPAL_ASSIGN_OR_RETURN(cycles, aid_.cycles(program.code, actor));
            for (const auto& cycle : cycles) {
                if (cycle.list_state != "approved" || today < cycle.starts_on ||
                    cycle.ends_on < today) {
                    continue;
                }
                KAPAL_ASSIGN_OR_RETURN(list, aid_.handover_list(cycle.id, actor));
                json entries = json::array();
                for (const auto& b : list) {
                    entries.push_back(json{{"person_id", b.person_id},
                                           {"name", b.name},
                                           {"kelurahan_code", b.kelurahan_code},
                                           {"card_number", b.card_number},
                                           {"delivered", b.delivery.has_value()}});
                }
                handover.push_back(json{{"cycle_id", cycle.id},
                                        {"program_code", program.code},
                                        {"program_name", program.name},
                                        {"cycle_number", cycle.number},
                                        {"cycle_name", cycle.name},
                                        {"starts_on", core::format_date(cycle.starts_on)},
                                        {"ends_on", core::format_date(cycle.ends_on)},
                                        {"entries", std::move(entries)}});
            }
        }
    }
    const std::string rest = json{{"removed", std::move(removed)},
                                  {"handover", std::move(handover)},
                                  {"next", encode_token(token)},
                                  {"more", more},
                                  {"server_time", core::format_timestamp(clock_.now())}}
                                 .dump();
    return R"({"persons":[)" + persons + "]," + rest.substr(1);
}

} // namespace kapal::http
