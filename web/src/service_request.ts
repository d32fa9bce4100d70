// The pure part of opening a service request (docs/api.md "Services the card opens"): the body
// sent, the Idempotency-Key it goes with, what a card checked on the device allows, and which
// person of the device's data holds it. The pages are pages/service_scan.ts (by card) and the
// Layanan panel of pages/person_card.ts (by person).

/// One attempt at opening a request: the key and the body it was first sent with.
export interface Attempt {
  key: string;
  body: string;
}

/// The body of POST /api/v1/service-requests/scan (and of a `service.request` op): the QR as
/// read, without the spaces and line breaks pasting adds around it, and the note trimmed.
export function scanBody(
  qr: string,
  service: string,
  note: string,
): { qr: string; service: string; note: string } {
  return { qr: qr.trim(), service, note: note.trim() };
}

/// The attempt for sending `body`: the previous one when the body is the same (a retry after an
/// answer that was lost or refused for a while: the server opens it once), else a new key (the
/// server refuses a key sent again with another body, 409 `idempotency_key_reused`).
export function attemptFor(prev: Attempt | null, body: unknown, newKey: () => string): Attempt {
  const text = JSON.stringify(body);
  return prev && prev.body === text ? prev : { key: newKey(), body: text };
}

/// What the device's check of a card (verifier.ts) allows.
export type CardUse =
  { ok: true; number: string; name: string } | { ok: false; status: string; name: string | null };

/// A card opens a request only when its QR verified as valid with the published keys (an
/// expired, revoked, forged or unreadable card does not); without keys on the device it cannot
/// be checked (`no_keys`).
export function cardUse(
  checked: { status: string; card: { number: string; fullName: string } | null },
  haveKeys: boolean,
): CardUse {
  if (!haveKeys && checked.status !== 'malformed') {
    return { ok: false, status: 'no_keys', name: checked.card?.fullName || null };
  }
  if (checked.status !== 'valid' || !checked.card?.number) {
    return { ok: false, status: checked.status, name: checked.card?.fullName || null };
  }
  return { ok: true, number: checked.card.number, name: checked.card.fullName };
}

/// What the card says of its holder, as far as the device can match it to a person.
export interface Holder {
  fullName: string;
  /// `YYYY-MM-DD`, or null.
  dateOfBirth: string | null;
  kelurahan: string | null;
}

/// The card's date of birth (`YYYYMMDD` in the credential) as `YYYY-MM-DD`, or null.
export function isoBirthDate(dob: string | null): string | null {
  const m = dob ? /^(\d{4})(\d{2})(\d{2})$/.exec(dob) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/// The one person of the device's data the card is for: same name (any case and spacing), same
/// date of birth and same kelurahan as printed on the card. The QR carries no person id or NIK,
/// so two persons alike in all three are no match (the server still knows whose card it is).
export function holderOnDevice<
  P extends {
    full_name: string;
    birth_date: string;
    address: { kelurahan_code: string };
  },
>(persons: readonly P[], holder: Holder): P | null {
  const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
  const name = norm(holder.fullName);
  if (!name) {
    return null;
  }
  const found = persons.filter(
    (p) =>
      norm(p.full_name) === name &&
      (holder.dateOfBirth === null || p.birth_date === holder.dateOfBirth) &&
      (holder.kelurahan === null || p.address.kelurahan_code === holder.kelurahan),
  );
  return found.length === 1 ? found[0] : null;
}
