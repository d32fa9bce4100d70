#include "kapal/service/card_service.hpp"

#include "kapal/card/card_number.hpp"
#include "kapal/core/region_registry.hpp"
#include "kapal/core/user.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>

namespace kapal::service {

namespace {

/// "6474" of "64.74.01.1003": the kab/kota whose serials a card number counts in.
std::string regency_of(std::string_view kelurahan_code) {
    std::string out;
    for (const char c : kelurahan_code) {
        if (c == '.') {
            if (out.size() == 4) {
                break;
            }
            continue;
        }
        out += c;
        if (out.size() > 4) {
            break;
        }
    }
    return out;
}

} // namespace

std::string_view card_state(const store::CardRecord& card, core::Timestamp now) {
    if (card.status != "active") {
        return "revoked";
    }
    return card.expires_at <= now ? "expired" : "active";
}

std::string_view to_string(store::CardStage stage) {
    switch (stage) {
    case store::CardStage::ToPrint:
        return "to_print";
    case store::CardStage::ToHandOver:
        return "to_hand_over";
    case store::CardStage::HandedOver:
        return "handed_over";
    }
    return "to_print";
}

std::optional<store::CardStage> parse_card_stage(std::string_view text) {
    for (const auto stage :
         {store::CardStage::ToPrint, store::CardStage::ToHandOver, store::CardStage::HandedOver}) {
        if (text == to_string(stage)) {
            return stage;
        }
    }
    return std::nullopt;
}

core::Timestamp card_expiry(core::Timestamp issued_at, int years) {
    using namespace std::chrono;
    const auto day = floor<days>(issued_at);
    year_month_day ymd{day};
    ymd += std::chrono::years(years);
    if (!ymd.ok()) { // 29 February in a year without one
        ymd = ymd.year() / ymd.month() / last;
    }
    return sys_days(ymd) + (issued_at - day);
}

CardService::CardService(store::Store& store,
                         PersonService& persons,
                         const core::Clock& clock,
                         const card::CardKey& key,
                         const std::vector<card::PublishedCardKey>& keys,
                         CardSettings settings)
    : store_(store)
    , persons_(persons)
    , clock_(clock)
    , key_(key)
    , keys_(keys)
    , settings_(std::move(settings)) {}

Result<void> CardService::check_writer(const Actor& actor) const {
    if (actor.role && *actor.role != core::Role::Admin && *actor.role != core::Role::Operator) {
        return fail(ErrorCode::Forbidden, "only admins and operators issue and revoke cards");
    }
    return {};
}

bool CardService::in_scope(const std::string& kelurahan_code, const Actor& actor) const {
    return actor.scope_area_codes.empty() ||
           std::any_of(
               actor.scope_area_codes.begin(),
               actor.scope_area_codes.end(),
               [&](const std::string& area) { return core::code_within(kelurahan_code, area); });
}

store::WriteContext CardService::context(const Actor& actor) const {
    return {actor.id, actor.source, clock_.now(), {}};
}

Result<store::CardRecord> CardService::issue(const core::PersonId& id,
                                             const Actor& actor,
                                             const std::string& replace_reason) {
    KAPAL_TRY(check_writer(actor));
    KAPAL_ASSIGN_OR_RETURN(record, persons_.get(id, actor));
    const store::WriteContext ctx = context(actor);
    const std::string& kelurahan = record.person.address.kelurahan_code;

    store::CardIssue request;
    request.person_id = id;
    request.regency = regency_of(kelurahan);
    request.kelurahan_code = kelurahan;
    request.expires_at = card_expiry(ctx.at, settings_.validity_years);
    request.replace_reason = replace_reason;
    // The store calls this inside its transaction with the serial it reserved; the person is
    // the one just read (a concurrent edit shows on the next reissue).
    request.make = [&](std::uint32_t serial) -> Result<store::CardContent> {
        card::CardFacts facts;
        facts.card_number = card::make_card_number(request.regency, serial);
        facts.issuer = settings_.issuer;
        facts.issued_at = core::to_unix_ms(ctx.at) / 1000;
        facts.expires_at = core::to_unix_ms(request.expires_at) / 1000;
        const auto encoded =
            card::encode_credential(card::person_credential(record.person, facts), key_);
        return store::CardContent{facts.card_number, key_.kid, encoded.qr_text};
    };
    return store_.issue_card(request, ctx);
}

Result<store::CardRecord> CardService::revoke(std::string_view number,
                                              const std::string& reason,
                                              const std::string& note,
                                              const Actor& actor) {
    KAPAL_TRY(check_writer(actor));
    KAPAL_ASSIGN_OR_RETURN(card, get(number, actor));
    return store_.revoke_card(card.number, reason, note, context(actor));
}

Result<std::vector<store::CardRecord>> CardService::history(const core::PersonId& id,
                                                            const Actor& actor) {
    KAPAL_TRY(persons_.get(id, actor));
    return store_.person_cards(id);
}

Result<store::CardRecord> CardService::get(std::string_view number, const Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(digits, card::parse_card_number(number));
    KAPAL_ASSIGN_OR_RETURN(found, store_.get_card(digits));
    if (!found || !in_scope(found->kelurahan_code, actor)) {
        return fail(ErrorCode::NotFound, "no card " + card::format_card_number(digits));
    }
    return std::move(*found);
}

Result<std::vector<store::CardRecord>> CardService::list(store::CardQuery query,
                                                         const Actor& actor) {
    if (!actor.scope_area_codes.empty()) {
        if (query.area_codes.empty()) {
            query.area_codes = actor.scope_area_codes;
        }
        for (const std::string& area : query.area_codes) {
            if (!in_scope(area, actor)) {
                return fail(ErrorCode::Forbidden, "area " + area + " is outside your areas");
            }
        }
    }
    return store_.list_cards(query);
}

Result<int> CardService::mark(const std::vector<std::string>& numbers,
                              store::CardStage stage,
                              const Actor& actor) {
    KAPAL_TRY(check_writer(actor));
    std::vector<std::string> digits;
    digits.reserve(numbers.size());
    for (const std::string& number : numbers) {
        KAPAL_ASSIGN_OR_RETURN(card, get(number, actor));
        digits.push_back(card.number);
    }
    return store_.mark_cards(digits, stage, context(actor));
}

namespace {

/// "28-11-2026": the day of `t` in WITA (UTC+8), where Kalimantan Timur lives.
std::string wita_date(core::Timestamp t) {
    using namespace std::chrono;
    const year_month_day d{floor<days>(t + hours(8))};
    char out[16];
    std::snprintf(out,
                  sizeof out,
                  "%02u-%02u-%04d",
                  static_cast<unsigned>(d.day()),
                  static_cast<unsigned>(d.month()),
                  static_cast<int>(d.year()));
    return out;
}

/// The holder's current photo (JPEG or PNG bytes), empty when there is none: the card then shows
/// the silhouette.
Result<std::vector<std::uint8_t>> holder_photo(store::Store& store, const std::string& person_id) {
    auto person = store.get_person(core::PersonId(person_id));
    if (!person) {
        if (person.error().code == ErrorCode::NotFound) {
            return std::vector<std::uint8_t>();
        }
        return fail(std::move(person).error());
    }
    if (person->person.photo_id.empty()) {
        return std::vector<std::uint8_t>();
    }
    KAPAL_ASSIGN_OR_RETURN(file, store.get_person_file(person->person.photo_id));
    if (!file || file->person_id != person_id || file->kind != "foto") {
        return std::vector<std::uint8_t>();
    }
    return std::move(file->bytes);
}

} // namespace

Result<card::CardFace> CardService::face(const store::CardRecord& record) {
    KAPAL_ASSIGN_OR_RETURN(decoded, card::decode_credential(record.credential));
    const auto& credential = decoded.credential;
    card::CardFace f;
    f.issuer = credential.cwt.issuer.empty() ? settings_.issuer : credential.cwt.issuer;
    f.full_name = credential.identity.full_name;
    f.card_number = card::format_card_number(record.number);
    const auto& regions = persons_.reference().regions;
    const std::string kelurahan_code =
        credential.kapal ? credential.kapal->kelurahan_code : record.kelurahan_code;
    if (const auto* village = regions.find(kelurahan_code)) {
        f.kelurahan = village->name;
    }
    if (const auto* district = regions.find(core::kecamatan_of(kelurahan_code))) {
        f.kecamatan = district->name;
    }
    if (credential.kapal) {
        f.categories = credential.kapal->categories;
    }
    f.valid_from = wita_date(record.issued_at);
    f.valid_until = wita_date(record.expires_at);
    f.qr_text = record.credential;
    f.verify_url = settings_.public_url.empty() ? std::string("/verifikasi")
                                                : settings_.public_url + "/verifikasi";
    f.hotline = settings_.hotline;
    KAPAL_ASSIGN_OR_RETURN(photo, holder_photo(store_, record.person_id));
    f.photo = std::move(photo);
    KAPAL_ASSIGN_OR_RETURN(services, store_.list_services());
    for (const auto& service : services) {
        if (service.active) {
            f.services.push_back(service.name);
        }
    }
    return f;
}

Result<std::vector<std::uint8_t>> CardService::render(std::string_view number,
                                                      std::optional<card::CardSide> png_side,
                                                      const Actor& actor) {
    KAPAL_ASSIGN_OR_RETURN(record, get(number, actor));
    KAPAL_ASSIGN_OR_RETURN(f, face(record));
    return png_side ? card::render_card_png(f, *png_side) : card::render_card_pdf(f);
}

Result<std::vector<std::uint8_t>> CardService::sheet(store::CardQuery query, const Actor& actor) {
    query.limit = static_cast<int>(kMaxSheetCards) + 1;
    KAPAL_ASSIGN_OR_RETURN(cards, list(std::move(query), actor));
    if (cards.empty()) {
        return fail(ErrorCode::NotFound, "no card to print here");
    }
    if (cards.size() > kMaxSheetCards) {
        return fail(ErrorCode::InvalidArgument,
                    "more than " + std::to_string(kMaxSheetCards) +
                        " cards: print one kelurahan at a time");
    }
    std::vector<card::CardFace> faces;
    faces.reserve(cards.size());
    for (const auto& c : cards) {
        KAPAL_ASSIGN_OR_RETURN(f, face(c));
        faces.push_back(std::move(f));
    }
    return card::render_card_sheet_pdf(faces);
}

Result<CardCheck> CardService::check(std::string_view qr_text) {
    CardCheck out;
    out.result = card::verify_credential(qr_text, verification_keys(), clock_);
    const auto status = out.result.status;
    const bool signed_by_us = status == card::VerifyStatus::Valid ||
                              status == card::VerifyStatus::Expired ||
                              status == card::VerifyStatus::NotYetValid;
    if (!signed_by_us || !out.result.decoded) {
        return out;
    }
    const auto number = card::parse_card_number(out.result.decoded->credential.identity.id);
    if (!number) {
        return out;
    }
    KAPAL_ASSIGN_OR_RETURN(found, store_.get_card(*number));
    out.record = std::move(found);
    if (out.record && out.record->status == "revoked") {
        out.result.status = card::VerifyStatus::Revoked;
        out.result.where = "registry";
        out.result.what =
            "revoked (" + out.record->revoke_reason + ")" +
            (out.record->replaced_by.empty()
                 ? ""
                 : ", replaced by card " + card::format_card_number(out.record->replaced_by));
    }
    return out;
}

Result<std::vector<std::uint8_t>> CardService::revocation_list() {
    card::RevocationList list;
    list.issuer = settings_.issuer;
    list.issued_at = core::to_unix_ms(clock_.now()) / 1000;
    store::CardQuery query;
    query.status = "revoked";
    query.limit = 100'000;
    for (;;) {
        KAPAL_ASSIGN_OR_RETURN(page, store_.list_cards(query));
        for (const store::CardRecord& c : page) {
            list.cards.push_back(
                card::RevokedCard{c.number,
                                  c.revoked_at ? core::to_unix_ms(*c.revoked_at) / 1000 : 0,
                                  c.revoke_reason});
        }
        if (page.size() < static_cast<std::size_t>(query.limit)) {
            break;
        }
        query.after_number = page.back().number;
    }
    return card::sign_revocation_list(list, key_);
}

std::vector<card::VerificationKey> CardService::verification_keys() const {
    return card::verification_keys(keys_);
}

} // namespace kapal::service
