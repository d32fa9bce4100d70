#include "kapal/service/person_service.hpp"

#include "kapal/card/picture.hpp"
#include "kapal/core/nik.hpp"
#include "kapal/core/person_rules.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/core/text.hpp"
#include "kapal/store/store_codec.hpp"

#include <algorithm>

namespace kapal::service {

namespace {

/// Whether an update changes who the record says the person is: name, birth date, sex, NIK or
/// KK. A move or a new phone number (routine edits) is not checked again.
bool identity_changed(const core::Person& before, const core::Person& after) {
    return before.full_name != after.full_name || before.birth_date != after.birth_date ||
           before.sex != after.sex || before.nik != after.nik || before.kk != after.kk;
}

} // namespace

core::PersonCheck
check_person_full(core::Person& person, const ReferenceData& ref, core::Date today) {
    const bool typed_kelurahan = !person.address.kelurahan_code.empty();
    std::optional<geo::Located> located;
    if (person.home && ref.kelurahan) {
        located = ref.kelurahan->locate({person.home->lon, person.home->lat});
        if (!typed_kelurahan && located) {
            person.address.kelurahan_code = located->code;
        }
    }
    auto check = core::check_person(person, ref.regions, today);
    if (person.home &&
        check.errors.end() ==
            std::find_if(check.errors.begin(), check.errors.end(), [](const FieldIssue& f) {
                return f.field.rfind("home", 0) == 0;
            })) {
        // Geography is only judged for homes inside the city that the polygons cover; a person
        // of this city living across the border is still a valid record, with a warning.
        if (!located) {
            check.warnings.push_back({"home", ErrorCode::LocationOutsideAreas, ""});
        } else if (typed_kelurahan && located->code != person.address.kelurahan_code &&
                   core::code_within(person.address.kelurahan_code, ref.city_code)) {
            const auto* region = ref.regions.find(located->code);
            check.warnings.push_back(
                {"address.kelurahan_code",
                 ErrorCode::KelurahanMismatch,
                 located->code + (region != nullptr ? " " + region->name : "")});
        }
    }
    return check;
}

PersonService::PersonService(store::Store& store,
                             std::shared_ptr<const ReferenceData> ref,
                             const core::Clock& clock,
                             core::IdGenerator& ids)
    : store_(store)
    , ref_(std::move(ref))
    , clock_(clock)
    , ids_(ids) {}

Result<void> PersonService::validate(core::Person& person,
                                     std::vector<FieldIssue> duplicates,
                                     const std::vector<std::string>& keep) const {
    const auto today = core::wita_date(clock_.now());
    auto check = check_person_full(person, *ref_, today);
    for (auto& d : duplicates) {
        check.warnings.push_back(std::move(d));
    }
    if (!check.ok()) {
        return fail(ErrorCode::ValidationFailed,
                    "the person record has invalid fields",
                    std::move(check.errors));
    }
    auto open = core::unconfirmed(check.warnings, person);
    if (!open.empty()) {
        return fail(ErrorCode::WarningsNotConfirmed,
                    "confirm the warnings with a reason to save the record",
                    std::move(open));
    }
    // Keep only confirmations of warnings that still apply, so a record never claims an
    // override it did not need.
    std::vector<std::string> applied;
    for (const auto& w : check.warnings) {
        applied.emplace_back(error_info(w.code).id);
    }
    for (const auto& k : keep) {
        if (std::find(person.confirmed_warnings.begin(), person.confirmed_warnings.end(), k) !=
            person.confirmed_warnings.end()) {
            applied.push_back(k);
        }
    }
    std::sort(applied.begin(), applied.end());
    applied.erase(std::unique(applied.begin(), applied.end()), applied.end());
    person.confirmed_warnings = applied;
    if (applied.empty()) {
        person.warning_reason.clear();
    } else if (person.warning_reason.empty()) {
        return fail(ErrorCode::WarningsNotConfirmed,
                    "a reason is required to confirm warnings",
                    {{"warning_reason", ErrorCode::WarningsNotConfirmed, ""}});
    }
    return {};
}

bool PersonService::in_scope(const core::PersonRecord& record, const Actor& actor) const {
    if (actor.scope_area_codes.empty()) {
        return true;
    }
    return std::any_of(
        actor.scope_area_codes.begin(), actor.scope_area_codes.end(), [&](const std::string& area) {
            return core::code_within(record.person.address.kelurahan_code, area);
        });
}

store::WriteContext PersonService::context(const Actor& actor, std::string reason) const {
    return {actor.id, actor.source, clock_.now(), std::move(reason)};
}

Result<std::vector<DuplicateMatch>>
PersonService::duplicate_matches(core::Person person,
                                 const std::optional<core::PersonId>& self) const {
    std::vector<DuplicateMatch> out;
    if (index_ == nullptr || !index_->ready()) {
        return out;
    }
    // The kelurahan a home sets is part of the comparison: apply the rules' normalisation first.
    check_person_full(person, *ref_, core::wita_date(clock_.now()));
    const DuplicateCheck check(store_, index_->duplicates());
    KAPAL_ASSIGN_OR_RETURN(matches, check.find(person, self));
    for (auto& m : matches) {
        if (self) {
            KAPAL_ASSIGN_OR_RETURN(pair, store_.find_duplicate_pair(*self, m.id));
            if (pair && pair->state == store::kPairDistinct) {
                continue; // a reviewer said these are two persons: never proposed again
            }
        }
        out.push_back(std::move(m));
    }
    return out;
}

void PersonService::propose(const core::PersonRecord& record,
                            const std::vector<DuplicateMatch>& matches,
                            const Actor& actor) {
    if (!matches.empty()) {
        // Best effort: the record is saved; a pair that could not be queued is found by a scan.
        (void)propose_duplicates(store_, ids_, context(actor), record, matches, "registrasi");
    }
}

namespace {

std::vector<FieldIssue> warnings_of(const std::vector<DuplicateMatch>& matches,
                                    const Actor& actor) {
    std::vector<FieldIssue> out;
    for (const auto& m : matches) {
        out.push_back(duplicate_warning(m, actor, "full_name"));
    }
    return out;
}

} // namespace

Result<store::CreateOutcome>
PersonService::create(core::Person person,
                      const Actor& actor,
                      const std::optional<store::IdempotencyToken>& idem,
                      const std::optional<core::PersonId>& chosen_id) {
    // A photo is added after the person exists (set_photo), with its file.
    person.photo_id.clear();
    KAPAL_ASSIGN_OR_RETURN(matches, duplicate_matches(person));
    KAPAL_TRY(validate(person, warnings_of(matches, actor)));
    if (!actor.scope_area_codes.empty()) {
        const core::PersonRecord probe{{}, 0, {}, {}, {}, {}, {}, person};
        if (!in_scope(probe, actor)) {
            return fail(ErrorCode::Forbidden,
                        "the kelurahan is outside the actor's area",
                        {{"address.kelurahan_code", ErrorCode::Forbidden, ""}});
        }
    }
    const auto now = clock_.now();
    const core::PersonId id = chosen_id ? *chosen_id : core::PersonId(ids_.next(now));
    const auto kecamatan = core::kecamatan_of(person.address.kelurahan_code);
    auto created = store_.create_person(id, person, kecamatan, context(actor), idem);
    if (created && !created->replayed) {
        propose(created->record, matches, actor);
    }
    if (created && index_ != nullptr) {
        index_->apply(created->record);
    }
    return created;
}

Result<core::PersonRecord> PersonService::update(const core::PersonId& id,
                                                 std::int64_t expected_version,
                                                 core::Person person,
                                                 const Actor& actor,
                                                 const std::string& reason) {
    auto current = get(id, actor);
    if (!current) {
        return fail(std::move(current).error());
    }
    if (person.nik.empty()) {
        person.nik = current->person.nik;
    }
    if (person.kk.empty()) {
        person.kk = current->person.kk;
    }
    if (person.account && person.account->number.empty() && current->person.account) {
        person.account->number = current->person.account->number; // only ever seen masked
    }
    // The photo changes only through set_photo/remove_photo, which write the file with it.
    person.photo_id = current->person.photo_id;
    // A change of who the person is (name, birth date, sex, NIK, KK) is checked against the
    // registry again; other changes (an address, a phone number, a need) are not.
    if (!current->person.merged_into.empty()) {
        return fail(ErrorCode::PersonMerged,
                    "this record was merged into " + current->person.merged_into +
                        "; change that record instead");
    }
    // A merge is the review queue's to make (or undo), not an edit's.
    person.merged_into.clear();
    std::vector<DuplicateMatch> matches;
    if (identity_changed(current->person, person)) {
        KAPAL_ASSIGN_OR_RETURN(found, duplicate_matches(person, id));
        matches = std::move(found);
    }
    const std::vector<std::string> keep{std::string(error_info(ErrorCode::PossibleDuplicate).id)};
    KAPAL_TRY(validate(person, warnings_of(matches, actor), keep));
    const core::PersonRecord probe{{}, 0, {}, {}, {}, {}, {}, person};
    if (!in_scope(probe, actor)) {
        return fail(ErrorCode::Forbidden,
                    "the new kelurahan is outside the actor's area",
                    {{"address.kelurahan_code", ErrorCode::Forbidden, ""}});
    }
    const auto kecamatan = core::kecamatan_of(person.address.kelurahan_code);
    auto updated =
        store_.update_person(id, expected_version, person, kecamatan, context(actor, reason));
    if (updated) {
        propose(*updated, matches, actor);
    }
    if (updated && index_ != nullptr) {
        index_->apply(*updated);
    }
    return updated;
}

namespace {

bool starts_with_bytes(std::span<const std::uint8_t> bytes,
                       std::initializer_list<std::uint8_t> prefix) {
    return bytes.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

FieldIssue photo_issue(ErrorCode code) {
    return {"photo", code, ""};
}

} // namespace

Result<void> check_photo(std::span<const std::uint8_t> bytes, std::string_view media_type) {
    // What the bytes are is read from their signature; the declared type must agree with it.
    const bool jpeg = starts_with_bytes(bytes, {0xff, 0xd8, 0xff});
    const bool png = starts_with_bytes(bytes, {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    if (media_type != "image/jpeg" && media_type != "image/png") {
        return fail(ErrorCode::PhotoTypeUnsupported,
                    "a photo is image/jpeg or image/png, not " + std::string(media_type),
                    {photo_issue(ErrorCode::PhotoTypeUnsupported)});
    }
    if (bytes.size() > kMaxPhotoBytes) {
        return fail(ErrorCode::PhotoTooLarge,
                    "a photo is at most " + std::to_string(kMaxPhotoBytes / 1024) + " KiB",
                    {photo_issue(ErrorCode::PhotoTooLarge)});
    }
    if ((media_type == "image/jpeg" && !jpeg) || (media_type == "image/png" && !png)) {
        return fail(ErrorCode::PhotoInvalid,
                    "the bytes are not a " + std::string(media_type) + " picture",
                    {photo_issue(ErrorCode::PhotoInvalid)});
    }
    auto picture = card::decode_picture(bytes, "photo");
    if (!picture) {
        return fail(ErrorCode::PhotoInvalid,
                    picture.error().message,
                    {photo_issue(ErrorCode::PhotoInvalid)});
    }
    if (picture->width < kMinPhotoSide || picture->height < kMinPhotoSide ||
        picture->width > kMaxPhotoSide || picture->height > kMaxPhotoSide) {
        return fail(ErrorCode::PhotoInvalid,
                    "a photo is " + std::to_string(kMinPhotoSide) + " to " +
                        std::to_string(kMaxPhotoSide) + " pixels on each side, not " +
                        std::to_string(picture->width) + "x" + std::to_string(picture->height),
                    {photo_issue(ErrorCode::PhotoInvalid)});
    }
    return {};
}

Result<core::PersonRecord> PersonService::set_photo(const core::PersonId& id,
                                                    std::int64_t expected_version,
                                                    std::span<const std::uint8_t> bytes,
                                                    std::string_view media_type,
                                                    const Actor& actor) {
    KAPAL_TRY(check_photo(bytes, media_type));
    auto current = get(id, actor);
    if (!current) {
        return fail(std::move(current).error());
    }
    const store::WriteContext ctx = context(actor, "foto");
    store::PersonFileRecord file;
    file.id = ids_.next(ctx.at);
    file.person_id = id.str();
    file.kind = "foto";
    file.media_type = std::string(media_type);
    file.bytes.assign(bytes.begin(), bytes.end());
    file.size_bytes = static_cast<std::int64_t>(file.bytes.size());
    file.sha256 = store::sha256_hex(file.bytes);
    core::Person person = current->person;
    person.photo_id = file.id;
    auto updated = store_.update_person_with_file(
        id, expected_version, person, current->kecamatan_code, file, ctx);
    if (updated && index_ != nullptr) {
        index_->apply(*updated);
    }
    return updated;
}

Result<core::PersonRecord> PersonService::remove_photo(const core::PersonId& id,
                                                       std::int64_t expected_version,
                                                       const Actor& actor) {
    auto current = get(id, actor);
    if (!current) {
        return fail(std::move(current).error());
    }
    if (current->person.photo_id.empty()) {
        return fail(ErrorCode::NotFound, "the person has no photo");
    }
    core::Person person = current->person;
    person.photo_id.clear();
    auto updated = store_.update_person(
        id, expected_version, person, current->kecamatan_code, context(actor, "hapus foto"));
    if (updated && index_ != nullptr) {
        index_->apply(*updated);
    }
    return updated;
}

Result<store::PersonFileRecord> PersonService::photo(const core::PersonId& id, const Actor& actor) {
    auto current = get(id, actor);
    if (!current) {
        return fail(std::move(current).error());
    }
    if (current->person.photo_id.empty()) {
        return fail(ErrorCode::NotFound, "the person has no photo");
    }
    auto file = store_.get_person_file(current->person.photo_id);
    if (!file) {
        return fail(std::move(file).error());
    }
    // Only a photo written for this person is its photo, whatever photo_id says.
    if (!*file || (*file)->person_id != id.str() || (*file)->kind != "foto") {
        return fail(ErrorCode::NotFound, "the person has no photo");
    }
    return std::move(**file);
}

Result<core::PersonRecord> PersonService::get(const core::PersonId& id, const Actor& actor) {
    auto record = store_.get_person(id);
    if (record && !in_scope(*record, actor)) {
        return fail(ErrorCode::NotFound, "no person with this id");
    }
    return record;
}

Result<std::optional<core::PersonRecord>> PersonService::find_by_nik(const std::string& nik,
                                                                     const Actor& actor) {
    auto parsed = core::parse_nik(nik);
    if (!parsed) {
        return fail(ErrorCode::ValidationFailed,
                    parsed.error().message,
                    {{"nik", parsed.error().code, ""}});
    }
    auto found = store_.find_person_by_nik(core::normalise_id_number(nik));
    if (found && *found && !in_scope(**found, actor)) {
        return std::optional<core::PersonRecord>{};
    }
    return found;
}

Result<store::Page<core::PersonRecord>> PersonService::list(store::PersonQuery query,
                                                            const Actor& actor) {
    query.scope_area_codes = actor.scope_area_codes;
    query.limit = std::clamp(query.limit, 1, 1000);
    return store_.list_persons(query);
}

namespace {

/// Area prefixes that satisfy both `codes` (OR) and the code `filter` (a kelurahan or kecamatan
/// code): a code under the other wins; none when they are disjoint. Empty `codes` = everywhere.
std::vector<std::string>
narrow_areas(const std::vector<std::string>& codes, const std::string& filter, bool& empty) {
    if (codes.empty()) {
        return {filter};
    }
    std::vector<std::string> out;
    for (const std::string& c : codes) {
        if (core::code_within(filter, c)) {
            out.push_back(filter);
        } else if (core::code_within(c, filter)) {
            out.push_back(c);
        }
    }
    empty = out.empty();
    return out;
}

} // namespace

Result<SpatialPage> PersonService::search(const SpatialQuery& spatial,
                                          const store::PersonQuery& filters,
                                          const Actor& actor) {
    if (index_ == nullptr) {
        return fail(ErrorCode::Internal, "no point index in this process");
    }
    if (!spatial.bbox && !spatial.near && !spatial.polygon) {
        return fail(ErrorCode::ValidationFailed, "near, bbox or a polygon is required");
    }
    for (std::size_t i = 0; i < spatial.needs.size(); ++i) {
        if (!core::is_assistive_device(spatial.needs[i])) {
            return fail(
                ErrorCode::ValidationFailed,
                "unknown assistive device",
                {{"needs[" + std::to_string(i) + "]", ErrorCode::NeedInvalid, spatial.needs[i]}});
        }
    }
    if (!filters.name_contains.empty() || !filters.cursor.empty()) {
        return fail(ErrorCode::ValidationFailed,
                    "a spatial query takes no name search and no cursor",
                    {{filters.cursor.empty() ? "q" : "cursor", ErrorCode::InvalidArgument, ""}});
    }
    if (!index_->ready()) {
        return fail(ErrorCode::IndexLoading, "the point index is still loading");
    }
    geo::PointFilter f;
    bool nothing = false;
    f.area_prefixes = actor.scope_area_codes;
    if (filters.kecamatan_code) {
        f.area_prefixes = narrow_areas(f.area_prefixes, *filters.kecamatan_code, nothing);
    }
    if (filters.kelurahan_code && !nothing) {
        f.area_prefixes = narrow_areas(f.area_prefixes, *filters.kelurahan_code, nothing);
    }
    if (filters.category) {
        f.any_category = static_cast<std::uint8_t>(1U << static_cast<unsigned>(*filters.category));
    }
    if (!spatial.categories.empty()) {
        // Both given: a person must match the list's category and one of these.
        const auto mask = static_cast<std::uint8_t>(store::category_mask(spatial.categories));
        f.any_category =
            f.any_category == 0 ? mask : static_cast<std::uint8_t>(f.any_category & mask);
        nothing = nothing || f.any_category == 0;
    }
    if (spatial.severity) {
        f.severity = static_cast<std::uint8_t>(*spatial.severity);
    }
    f.any_device = static_cast<std::uint16_t>(store::device_mask(spatial.needs));
    if (filters.status) {
        f.status = static_cast<std::uint8_t>(*filters.status);
    }
    SpatialPage page;
    if (nothing) {
        return page;
    }
    const auto limit = static_cast<std::size_t>(std::clamp(filters.limit, 1, 1000));
    std::vector<geo::PointHit> hits;
    if (spatial.polygon) {
        hits = index_->in_polygon(*spatial.polygon, f, limit + 1);
    } else if (spatial.bbox) {
        hits = index_->in_box(*spatial.bbox, f, limit + 1);
    } else if (spatial.near && spatial.k > 0) {
        hits = index_->nearest(*spatial.near, std::min(spatial.k, limit), f);
    } else if (spatial.near) {
        hits = index_->within(*spatial.near, spatial.radius_m, f, limit + 1);
    } else {
        return fail(ErrorCode::ValidationFailed, "near, bbox or a polygon is required");
    }
    if (hits.size() > limit) {
        page.truncated = true;
        hits.resize(limit);
    }
    for (const geo::PointHit& hit : hits) {
        // The store is the truth: read each record; one written meanwhile by another server
        // shows its current state, one no longer in scope is left out.
        auto record = store_.get_person(core::PersonId(hit.key));
        if (!record) {
            if (record.error().code == ErrorCode::NotFound) {
                continue;
            }
            return fail(std::move(record).error());
        }
        if (!in_scope(*record, actor)) {
            continue;
        }
        page.items.push_back(SpatialHit{std::move(*record), hit.distance_m});
    }
    return page;
}

Result<std::vector<store::PersonVersion>> PersonService::history(const core::PersonId& id,
                                                                 const Actor& actor) {
    KAPAL_TRY(get(id, actor));
    return store_.person_history(id);
}

Result<core::PersonRecord>
PersonService::as_of(const core::PersonId& id, core::Timestamp at, const Actor& actor) {
    KAPAL_TRY(get(id, actor));
    return store_.person_as_of(id, at);
}

Result<RevealedNumbers>
PersonService::reveal(const core::PersonId& id, const Actor& actor, const std::string& purpose) {
    if (actor.role && !core::may_unmask(*actor.role)) {
        return fail(ErrorCode::Forbidden, "this role may not see NIK or KK unmasked");
    }
    const auto stated = core::trim(purpose);
    const auto characters = std::count_if(stated.begin(), stated.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    });
    if (characters < 5 || stated.size() > 500) {
        return fail(ErrorCode::PurposeRequired,
                    "state why the numbers are needed (5 to 500 characters)",
                    {{"purpose", ErrorCode::PurposeRequired, ""}});
    }
    auto record = get(id, actor);
    if (!record) {
        return fail(std::move(record).error());
    }
    store::AuditEntry entry;
    entry.at = clock_.now();
    entry.actor = actor.id;
    entry.source = actor.source;
    entry.action = "person.unmask";
    entry.subject = id.str();
    entry.detail = "purpose=" + std::string(stated);
    KAPAL_TRY(store_.append_audit(entry));
    RevealedNumbers out;
    out.nik = record->person.nik;
    out.kk = record->person.kk;
    if (record->person.account) {
        out.account_number = record->person.account->number;
    }
    return out;
}

} // namespace kapal::service
