#pragma once
// The card's life: issuing a person's card (a signed Claim 169 credential), reissuing it (the
// old card revoked in the same transaction), revoking it, the print queue (printed, handed
// over), checking a card's QR against the registry, and the signed revocation list that
// offline verifiers download. What the HTTP handlers and the CLI call.

#include "kapal/card/card_key.hpp"
#include "kapal/card/card_key_list.hpp"
#include "kapal/card/credential.hpp"
#include "kapal/card/render.hpp"
#include "kapal/core/clock.hpp"
#include "kapal/core/result.hpp"
#include "kapal/service/actor.hpp"
#include "kapal/service/person_service.hpp"
#include "kapal/store/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kapal::service {

struct CardSettings {
    std::string issuer = "Dinas Sosial Kota Bontang"; ///< the credential's iss
    int validity_years = 5;                           ///< 1..10
    std::string hotline;                              ///< printed on the back; may be empty
    std::string public_url; ///< printed on the back as <public_url>/verifikasi; may be empty
};

/// The most cards one print sheet request renders (about 50 A4 pages each way).
inline constexpr std::size_t kMaxSheetCards = 500;

/// "active", "expired" (active, but past expires_at at `now`) or "revoked".
std::string_view card_state(const store::CardRecord& card, core::Timestamp now);

/// "to_print", "to_hand_over" or "handed_over"; and back. nullopt for anything else.
std::string_view to_string(store::CardStage stage);
std::optional<store::CardStage> parse_card_stage(std::string_view text);

/// The expiry of a card issued at `issued_at`: the same day and time `years` later (28 February
/// for a card issued on 29 February).
core::Timestamp card_expiry(core::Timestamp issued_at, int years);

/// A card's QR checked: the signature and dates (card::verify_credential), then the registry —
/// a card the registry revoked is VerifyStatus::Revoked, where = "registry".
struct CardCheck {
    card::VerifyResult result;
    std::optional<store::CardRecord> record; ///< the registry's card of that number, if any
};

class CardService {
  public:
    /// `key` and `keys` are the Application's (current signing key; every public key ever
    /// used) and must outlive the service; a key rotation shows through them.
    CardService(store::Store& store,
                PersonService& persons,
                const core::Clock& clock,
                const card::CardKey& key,
                const std::vector<card::PublishedCardKey>& keys,
                CardSettings settings);

    /// Issues the person's card: the next card number of the person's kab/kota, a credential
    /// signed with the current key, valid for the configured years. With `replace_reason`
    /// (hilang, rusak, ...), the active card is revoked with that reason in the same
    /// transaction; without, a person holding an active card is refused. Admin and operator
    /// within their areas, and the command line. Errors: Forbidden, NotFound (also outside the
    /// actor's areas), CardPersonInactive, CardAlreadyActive, CardReasonInvalid.
    Result<store::CardRecord>
    issue(const core::PersonId& id, const Actor& actor, const std::string& replace_reason = {});

    /// Revokes an active card (reason of store::kCardRevokeReasons, optional note). Errors:
    /// Forbidden, CardNumberInvalid, NotFound (also outside the actor's areas),
    /// CardAlreadyRevoked, CardReasonInvalid.
    Result<store::CardRecord> revoke(std::string_view number,
                                     const std::string& reason,
                                     const std::string& note,
                                     const Actor& actor);

    /// Every card of a person, newest first. Errors: NotFound (also outside the actor's areas).
    Result<std::vector<store::CardRecord>> history(const core::PersonId& id, const Actor& actor);

    /// One card by its number (typed with or without dashes). Errors: CardNumberInvalid,
    /// NotFound (also when its kelurahan is outside the actor's areas).
    Result<store::CardRecord> get(std::string_view number, const Actor& actor);

    /// Cards in the actor's areas, by number: `query.area_codes` narrows them further (each must
    /// lie within the actor's areas, else Forbidden).
    Result<std::vector<store::CardRecord>> list(store::CardQuery query, const Actor& actor);

    /// Marks cards printed (ToHandOver) or handed over (HandedOver); all or nothing. Admin and
    /// operator within their areas. Errors: Forbidden, CardNumberInvalid, NotFound (also
    /// outside the actor's areas), CardAlreadyRevoked, InvalidArgument.
    Result<int>
    mark(const std::vector<std::string>& numbers, store::CardStage stage, const Actor& actor);

    /// What a card shows, from its stored credential (so the print matches the QR exactly),
    /// the reference data's area names and the service catalogue. Dates in WITA (UTC+8).
    Result<card::CardFace> face(const store::CardRecord& card);

    /// One face as a PNG (300 dpi), or both as a PDF (`pdf`), of a card in the actor's areas.
    /// Errors: as get, and rendering errors (CardQrTooLarge, ...).
    Result<std::vector<std::uint8_t>>
    render(std::string_view number, std::optional<card::CardSide> png_side, const Actor& actor);

    /// The A4 print sheets (10 cards a page, backs mirrored) of the cards `query` finds in the
    /// actor's areas; at most kMaxSheetCards. Errors: as list; NotFound when no card matches;
    /// InvalidArgument beyond kMaxSheetCards (narrow the query, e.g. by kelurahan).
    Result<std::vector<std::uint8_t>> sheet(store::CardQuery query, const Actor& actor);

    /// Checks a card's QR text (anyone may). Errors only when the store fails.
    Result<CardCheck> check(std::string_view qr_text);

    /// Every revoked card, signed with the current key (card::sign_revocation_list).
    Result<std::vector<std::uint8_t>> revocation_list();

    /// The public keys that verify cards and revocation lists.
    std::vector<card::VerificationKey> verification_keys() const;

    const CardSettings& settings() const { return settings_; }

  private:
    Result<void> check_writer(const Actor& actor) const;
    bool in_scope(const std::string& kelurahan_code, const Actor& actor) const;
    store::WriteContext context(const Actor& actor) const;

    store::Store& store_;
    PersonService& persons_;
    const core::Clock& clock_;
    const card::CardKey& key_;
    const std::vector<card::PublishedCardKey>& keys_;
    CardSettings settings_;
};

} // namespace kapal::service
