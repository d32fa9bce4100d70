// The pure part of the Tambah/Ubah form: a person as a flat draft of form values (what the
// inputs hold and what the draft keeps), the request body made from a draft, where an API
// error belongs in the form, the kept drafts, and the fields that differ between two versions
// (the edit conflict). No DOM here, so that Vitest checks all of it.
import {
  assistiveDevices,
  categories,
  consentPurposes,
  therapies,
  wgDomains,
  type Person,
} from './api';

/// One form value: text inputs and selects hold strings, checkboxes booleans, groups of
/// checkboxes lists of codes.
export type Value = string | boolean | string[];
export type Draft = Record<string, Value>;

/// The keys of the draft, in the order of the form. Each is the API's JSON path of the value
/// (`address.rt`), so that an error's `field` finds its input.
export const textKeys = [
  'nik',
  'kk',
  'full_name',
  'sex',
  'birth_place',
  'birth_date',
  'phone',
  'address.street',
  'address.rt',
  'address.rw',
  'address.kelurahan_code',
  'home.lon',
  'home.lat',
  'home.accuracy_m',
  'home.source',
  'disability_subtype',
  'severity',
  ...wgDomains.map((d) => `wgss.${d}`),
  'onset',
  'onset_year',
  'cause',
  'cause_note',
  'needs_note',
  'caregiver.name',
  'caregiver.relationship',
  'caregiver.phone',
  'dtks_id',
  'account.kind',
  'account.provider',
  'account.number',
  'account.holder_name',
  'consent.date',
  'consent.given_by',
  'status',
  'status_date',
  'status_reason',
  'warning_reason',
  'change_reason',
] as const;
export const boolKeys = ['dtks', 'consent.given'] as const;
export const listKeys = [
  'categories',
  'assistive_devices',
  'therapies',
  'consent.purposes',
  'confirmed_warnings',
] as const;
export const draftKeys: string[] = [...textKeys, ...boolKeys, ...listKeys];

/// The codes a list field may hold (confirmed_warnings holds whatever the API asked for).
export const listOptions: Record<string, readonly string[]> = {
  categories,
  assistive_devices: assistiveDevices,
  therapies,
  'consent.purposes': consentPurposes,
};

/// An empty form: a new person, aktif, with consent to registration.
export function emptyDraft(): Draft {
  const d: Draft = {};
  for (const k of textKeys) {
    d[k] = '';
  }
  for (const k of boolKeys) {
    d[k] = false;
  }
  for (const k of listKeys) {
    d[k] = [];
  }
  d.status = 'aktif';
  d['consent.given'] = true;
  d['consent.purposes'] = ['registration'];
  return d;
}

function text(v: string | number | null | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

/// The form values of a stored person. NIK, KK and the account number arrive masked: their
/// inputs start empty, and an empty value keeps the stored number (PUT's rule).
export function personToDraft(p: Person): Draft {
  const d = emptyDraft();
  d.full_name = p.full_name;
  d.sex = p.sex;
  d.birth_place = p.birth_place;
  d.birth_date = text(p.birth_date);
  d.phone = p.phone;
  d['address.street'] = p.address.street;
  d['address.rt'] = p.address.rt;
  d['address.rw'] = p.address.rw;
  d['address.kelurahan_code'] = p.address.kelurahan_code;
  if (p.home) {
    d['home.lon'] = String(p.home.lon);
    d['home.lat'] = String(p.home.lat);
    d['home.accuracy_m'] = text(p.home.accuracy_m);
    d['home.source'] = p.home.source;
  }
  d.categories = [...p.categories];
  d.disability_subtype = p.disability_subtype;
  d.severity = text(p.severity);
  for (const w of wgDomains) {
    d[`wgss.${w}`] = text(p.wgss?.[w]);
  }
  d.onset = text(p.onset);
  d.onset_year = text(p.onset_year);
  d.cause = text(p.cause);
  d.cause_note = p.cause_note ?? '';
  d.assistive_devices = [...p.assistive_devices];
  d.therapies = [...p.therapies];
  d.needs_note = p.needs_note ?? '';
  if (p.caregiver) {
    d['caregiver.name'] = p.caregiver.name;
    d['caregiver.relationship'] = p.caregiver.relationship;
    d['caregiver.phone'] = p.caregiver.phone;
  }
  d.dtks = p.dtks;
  d.dtks_id = p.dtks_id ?? '';
  if (p.account) {
    d['account.kind'] = p.account.kind;
    d['account.provider'] = p.account.provider;
    d['account.holder_name'] = p.account.holder_name;
  }
  d['consent.given'] = p.consent?.given ?? false;
  d['consent.date'] = text(p.consent?.date);
  d['consent.given_by'] = p.consent?.given_by ?? '';
  d['consent.purposes'] = [...(p.consent?.purposes ?? [])];
  d.status = p.status;
  d.status_date = text(p.status_date);
  d.status_reason = p.status_reason ?? '';
  d.confirmed_warnings = [...(p.confirmed_warnings ?? [])];
  d.warning_reason = p.warning_reason ?? '';
  return d;
}

function str(d: Draft, k: string): string {
  const v = d[k];
  return typeof v === 'string' ? v.trim() : '';
}

function list(d: Draft, k: string): string[] {
  const v = d[k];
  return Array.isArray(v) ? v : [];
}

/// A number typed in Indonesian ("117,4987") or English ("117.4987"); the text itself when it
/// is not a number, so that the API names the field instead of the value silently vanishing.
export function parseNumber(value: string): number | string {
  const n = Number(value.replace(',', '.'));
  return value !== '' && Number.isFinite(n) ? n : value;
}

/// The JSON body of POST /api/v1/persons or PUT /api/v1/persons/{id}. Empty optional values
/// are left out (or null), so the API's own defaults and "keep the stored number" apply; the
/// stored photo and documents travel unchanged (`keep`).
export function draftToBody(
  d: Draft,
  keep: Pick<Person, 'photo_id' | 'documents'> | null = null,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    full_name: str(d, 'full_name'),
    birth_place: str(d, 'birth_place'),
    phone: str(d, 'phone'),
    address: {
      street: str(d, 'address.street'),
      rt: str(d, 'address.rt'),
      rw: str(d, 'address.rw'),
      kelurahan_code: str(d, 'address.kelurahan_code'),
    },
    categories: list(d, 'categories'),
    disability_subtype: str(d, 'disability_subtype'),
    cause_note: str(d, 'cause_note'),
    assistive_devices: list(d, 'assistive_devices'),
    therapies: list(d, 'therapies'),
    needs_note: str(d, 'needs_note'),
    dtks: d.dtks === true,
    dtks_id: str(d, 'dtks_id'),
    consent: {
      given: d['consent.given'] === true,
      date: str(d, 'consent.date') || null,
      given_by: str(d, 'consent.given_by'),
      purposes: d['consent.given'] === true ? list(d, 'consent.purposes') : [],
    },
    status: str(d, 'status') || 'aktif',
    status_date: str(d, 'status_date') || null,
    status_reason: str(d, 'status_reason'),
    confirmed_warnings: list(d, 'confirmed_warnings'),
    warning_reason: str(d, 'warning_reason'),
  };
  for (const k of ['nik', 'kk', 'sex', 'birth_date', 'severity', 'onset', 'cause']) {
    if (str(d, k) !== '') {
      body[k] = str(d, k);
    }
  }
  if (str(d, 'onset_year') !== '') {
    body.onset_year = parseNumber(str(d, 'onset_year'));
  }
  if (str(d, 'home.lon') !== '' || str(d, 'home.lat') !== '') {
    const home: Record<string, unknown> = {
      lon: parseNumber(str(d, 'home.lon')),
      lat: parseNumber(str(d, 'home.lat')),
      source: str(d, 'home.source') || 'map',
    };
    if (str(d, 'home.accuracy_m') !== '') {
      home.accuracy_m = parseNumber(str(d, 'home.accuracy_m'));
    }
    body.home = home;
  }
  const wgss: Record<string, unknown> = {};
  for (const w of wgDomains) {
    if (str(d, `wgss.${w}`) !== '') {
      wgss[w] = parseNumber(str(d, `wgss.${w}`));
    }
  }
  body.wgss = wgss;
  if (['caregiver.name', 'caregiver.relationship', 'caregiver.phone'].some((k) => str(d, k))) {
    body.caregiver = {
      name: str(d, 'caregiver.name'),
      relationship: str(d, 'caregiver.relationship'),
      phone: str(d, 'caregiver.phone'),
    };
  }
  if (str(d, 'account.kind') !== '') {
    body.account = {
      kind: str(d, 'account.kind'),
      provider: str(d, 'account.provider'),
      number: str(d, 'account.number'),
      holder_name: str(d, 'account.holder_name'),
    };
  }
  if (str(d, 'change_reason') !== '') {
    body.change_reason = str(d, 'change_reason');
  }
  if (keep) {
    body.photo_id = keep.photo_id;
    body.documents = keep.documents;
  }
  return body;
}

/// The draft key whose input shows an error reported for the API path `field`:
/// `address.rt` → itself, `home` → `home.lon`, `documents.0.id` → null (not in the form),
/// `consent.purposes` → itself.
export function fieldKeyFor(field: string): string | null {
  if (field === 'home') {
    return 'home.lon';
  }
  let path = field;
  for (;;) {
    if (draftKeys.includes(path)) {
      return path;
    }
    const dot = path.lastIndexOf('.');
    if (dot < 0) {
      return null;
    }
    path = path.slice(0, dot);
  }
}

function same(a: Value | undefined, b: Value | undefined): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    const x = Array.isArray(a) ? [...a].sort() : [];
    const y = Array.isArray(b) ? [...b].sort() : [];
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  return (a ?? '') === (b ?? '');
}

/// Keys whose values are only meaningful to the writer (never part of a conflict).
const privateKeys = new Set(['nik', 'kk', 'account.number', 'change_reason']);

export interface Difference {
  key: string;
  mine: Value;
  theirs: Value;
  /// What the form suggests: "theirs" when the user left the field as they found it (only the
  /// other writer changed it), else "mine".
  suggested: 'mine' | 'theirs';
}

/// The fields where the user's draft and the version saved meanwhile differ. `base` is the
/// version the user started from.
export function differences(base: Draft, mine: Draft, theirs: Draft): Difference[] {
  const out: Difference[] = [];
  for (const key of draftKeys) {
    if (privateKeys.has(key) || same(mine[key], theirs[key])) {
      continue;
    }
    out.push({
      key,
      mine: mine[key],
      theirs: theirs[key],
      suggested: same(mine[key], base[key]) ? 'theirs' : 'mine',
    });
  }
  return out;
}

/// The draft to save after a conflict: the saved version, with the user's values where the
/// user chose them (and the user's private values, which the other version never shows).
export function merge(
  mine: Draft,
  theirs: Draft,
  choices: Record<string, 'mine' | 'theirs'>,
): Draft {
  const out: Draft = { ...theirs };
  for (const key of draftKeys) {
    if (privateKeys.has(key) || choices[key] === 'mine') {
      out[key] = mine[key];
    }
  }
  return out;
}

/// What the device keeps of a form that is not saved yet (sealed, offline/drafts.ts).
/// A photo chosen in the form and not yet sent: a new one (a JPEG made small in the browser), or
/// the removal of the stored one. It is sent after the person is saved.
export type PendingPhoto =
  { action: 'set'; base64: string; w: number; h: number; bytes: number } | { action: 'remove' };

export interface StoredDraft {
  values: Draft;
  /// The photo to send with this save, if any (kept with the draft when the storage takes it).
  photo?: PendingPhoto | null;
  /// Editing: the version the user started from and its values (for the conflict view).
  version: number | null;
  base: Draft | null;
  /// Creating: the Idempotency-Key of this registration, the same on every retry.
  idempotency_key: string;
  saved_at: string;
}

/// Where drafts are kept: the device's sealed store or memory (offline/drafts.ts), or a Map in
/// the tests.
export type DraftStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/// The storage key of a user's draft of a new person (`id` null) or of an edit.
export function draftStorageKey(username: string, id: string | null): string {
  return `kapal.draft.${username}.${id ?? 'baru'}`;
}

export function loadDraft(storage: DraftStore, key: string): StoredDraft | null {
  try {
    const text = storage.getItem(key);
    if (!text) {
      return null;
    }
    const d = JSON.parse(text) as StoredDraft;
    if (typeof d !== 'object' || d === null || typeof d.values !== 'object') {
      return null;
    }
    // Fill keys that a newer form added since the draft was kept.
    d.values = { ...emptyDraft(), ...d.values };
    return d;
  } catch {
    return null;
  }
}

/// Keeps the draft; false when the browser refuses (private mode, storage full).
export function saveDraft(storage: DraftStore, key: string, draft: StoredDraft): boolean {
  try {
    storage.setItem(key, JSON.stringify(draft));
    return true;
  } catch {
    return false;
  }
}

/// What saveDraftWithPhoto could keep.
export type DraftKept = 'all' | 'without_photo' | 'nothing';

/// Keeps the draft with its pending photo; when the storage refuses that (a photo is about
/// 100 KB), keeps the words without the photo rather than nothing.
export function saveDraftWithPhoto(
  storage: DraftStore,
  key: string,
  draft: StoredDraft,
): DraftKept {
  if (saveDraft(storage, key, draft)) {
    return 'all';
  }
  if (draft.photo?.action === 'set' && saveDraft(storage, key, { ...draft, photo: null })) {
    return 'without_photo';
  }
  return 'nothing';
}

export function clearDraft(storage: DraftStore, key: string): void {
  try {
    storage.removeItem(key);
  } catch {
    // Nothing kept, nothing to clear.
  }
}

/// A random idempotency key (UUID v4 where the browser has it).
export function newIdempotencyKey(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) {
    return crypto.randomUUID();
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/// The id of the other record a possible-duplicate warning names, or null (outside the
/// caller's areas the server names none).
export function duplicateOf(message: string): string | null {
  const m = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i.exec(message);
  return m ? m[1] : null;
}
