// The card verifier's pure part: reads a card's QR text (Base45 → zlib → COSE_Sign1 → CWT with
// claim 169 and Kapal's claim -65537, docs/card-format.md) and the signed revocation list, and
// checks them with Ed25519 against the published keys. No DOM, no fetch, no storage: the page
// (pages/verify.ts) and verifier_cache.ts do that; verifier.test.ts runs this on what `kapal`
// produced.
import { sha512 } from '@noble/hashes/sha2.js';
import * as ed from '@noble/ed25519';
import { decode, encode, type TagDecoder } from 'cborg';
import { unzlibSync } from 'fflate';

// Synchronous SHA-512, so that verifying needs no WebCrypto (absent outside secure contexts).
ed.hashes.sha512 = sha512;

/// The outcome of checking one card, in the order of docs/card-format.md "Verifying".
export type VerifyStatus =
  | 'valid'
  | 'malformed'
  | 'unsigned'
  | 'unknown_key'
  | 'invalid_signature'
  | 'revoked'
  | 'expired'
  | 'not_yet_valid';

/// A published public key (GET /.well-known/kapal-keys.json).
export interface CardKey {
  kid: string;
  publicKey: Uint8Array;
  status: string;
}

/// What the card says of its holder: what is printed on it (the QR carries no NIK).
export interface CardSummary {
  /// 12 digits as in the credential, e.g. "647400000018".
  number: string;
  fullName: string;
  dateOfBirth: string | null;
  sex: 'L' | 'P' | null;
  address: string | null;
  issuer: string | null;
  issuedAt: Date | null;
  expiresAt: Date | null;
  notBefore: Date | null;
  kid: string | null;
  kelurahan: string | null;
  /// Category codes as the app names them (fisik, …, sensorik_wicara).
  categories: string[];
}

export interface Revocation {
  number: string;
  revokedAt: Date;
  reason: string;
}

/// A revocation list whose signature checked out.
export interface RevocationList {
  issuer: string;
  issuedAt: Date;
  kid: string;
  revoked: Map<string, Revocation>;
}

export interface VerifyResult {
  status: VerifyStatus;
  /// For malformed: the stage that failed (base45, zlib, cose, cwt, claim169, kapal_claim).
  where?: string;
  what?: string;
  card: CardSummary | null;
  /// For revoked: the list's entry.
  revocation?: Revocation;
}

/// A stage of the decoder that failed, and why.
export class FormatError extends Error {
  constructor(
    readonly stage: string,
    message: string,
  ) {
    super(`${stage}: ${message}`);
  }
}

const base45Alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
/// Refuse more than 256 KiB after inflating, as the server does.
const maxInflated = 256 * 1024;
const categoryCodes = [
  '',
  'fisik',
  'intelektual',
  'mental',
  'sensorik_netra',
  'sensorik_rungu',
  'sensorik_wicara',
];

/// RFC 9285 Base45 to bytes; throws FormatError('base45') naming the offending position.
export function base45Decode(text: string): Uint8Array {
  if (text.length % 3 === 1) {
    throw new FormatError('base45', `a length of ${text.length} (3n+1) is not Base45`);
  }
  const values: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const v = base45Alphabet.indexOf(text[i]);
    if (v < 0) {
      throw new FormatError('base45', `character ${i + 1} ("${text[i]}") is not Base45`);
    }
    values.push(v);
  }
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < values.length; i += 3) {
    if (i + 2 < values.length) {
      const n = values[i] + 45 * values[i + 1] + 2025 * values[i + 2];
      if (n > 0xffff) {
        throw new FormatError('base45', `the group at character ${i + 1} is over 65535`);
      }
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      const n = values[i] + 45 * values[i + 1];
      if (n > 0xff) {
        throw new FormatError('base45', `the last group is over 255`);
      }
      out[o++] = n;
    }
  }
  return out;
}

function inflate(bytes: Uint8Array): Uint8Array {
  let out: Uint8Array;
  try {
    out = unzlibSync(bytes);
  } catch (e) {
    throw new FormatError('zlib', e instanceof Error ? e.message : String(e));
  }
  if (out.length > maxInflated) {
    throw new FormatError('zlib', `more than ${maxInflated} bytes after inflating`);
  }
  return out;
}

interface Tagged {
  tag: number;
  value: unknown;
}

const outerTag =
  (tag: number): TagDecoder =>
  (inner) =>
    ({ tag, value: inner() }) satisfies Tagged;

/// CBOR with integer map keys kept as numbers and no tags (a tag inside is malformed).
function cbor(bytes: Uint8Array, stage: string, tags: Record<number, TagDecoder> = {}): unknown {
  try {
    return decode(bytes, { useMaps: true, rejectDuplicateMapKeys: true, tags });
  } catch (e) {
    throw new FormatError(stage, e instanceof Error ? e.message : String(e));
  }
}

function isTagged(v: unknown): v is Tagged {
  return typeof v === 'object' && v !== null && 'tag' in v && 'value' in v;
}

interface Sign1 {
  protectedBytes: Uint8Array;
  alg: number | null;
  kid: string | null;
  payload: Uint8Array;
  signature: Uint8Array;
}

/// COSE_Sign1: 61(18([…])), 18([…]) or an untagged 4-array.
function readSign1(bytes: Uint8Array): Sign1 {
  let v = cbor(bytes, 'cose', { 61: outerTag(61), 18: outerTag(18), 16: outerTag(16) });
  if (isTagged(v) && v.tag === 61) {
    v = v.value;
  }
  if (isTagged(v)) {
    if (v.tag === 16) {
      throw new FormatError('cose_encrypt0', 'an encrypted credential (COSE_Encrypt0) needs a key');
    }
    if (v.tag !== 18) {
      throw new FormatError('cose', `tag ${v.tag} is not COSE_Sign1 (18)`);
    }
    v = v.value;
  }
  if (!Array.isArray(v) || v.length !== 4) {
    throw new FormatError('cose', 'COSE_Sign1 is not an array of 4');
  }
  const [prot, unprot, payload, signature] = v as unknown[];
  if (!(prot instanceof Uint8Array) || !(payload instanceof Uint8Array)) {
    throw new FormatError('cose', 'the protected header and the payload must be byte strings');
  }
  if (!(signature instanceof Uint8Array)) {
    throw new FormatError('cose', 'the signature must be a byte string');
  }
  if (!(unprot instanceof Map)) {
    throw new FormatError('cose', 'the unprotected header must be a map');
  }
  const header = prot.length === 0 ? new Map() : cbor(prot, 'cose');
  if (!(header instanceof Map)) {
    throw new FormatError('cose', 'the protected header is not a map');
  }
  const alg = header.get(1) ?? unprot.get(1) ?? null;
  const kidBytes = header.get(4) ?? unprot.get(4) ?? null;
  if (alg !== null && typeof alg !== 'number') {
    throw new FormatError('cose', 'alg (1) must be an integer');
  }
  if (kidBytes !== null && !(kidBytes instanceof Uint8Array)) {
    throw new FormatError('cose', 'kid (4) must be a byte string');
  }
  return {
    protectedBytes: prot,
    alg,
    kid: kidBytes ? new TextDecoder().decode(kidBytes) : null,
    payload,
    signature,
  };
}

function text(m: Map<unknown, unknown>, key: number, stage: string): string | null {
  const v = m.get(key);
  if (v === undefined) {
    return null;
  }
  if (typeof v !== 'string') {
    throw new FormatError(stage, `key ${key} must be a text string`);
  }
  return v;
}

function seconds(m: Map<unknown, unknown>, key: number, stage: string): Date | null {
  const v = m.get(key);
  if (v === undefined) {
    return null;
  }
  if (typeof v !== 'number' && typeof v !== 'bigint') {
    throw new FormatError(stage, `key ${key} must be a number of seconds`);
  }
  return new Date(Number(v) * 1000);
}

function summary(payload: Uint8Array, kid: string | null): CardSummary {
  const claims = cbor(payload, 'cwt');
  if (!(claims instanceof Map)) {
    throw new FormatError('cwt', 'the payload is not a map');
  }
  const identity = claims.get(169);
  if (!(identity instanceof Map)) {
    throw new FormatError('claim169', 'claim 169 is missing or not a map');
  }
  const gender = identity.get(9);
  if (gender !== undefined && typeof gender !== 'number') {
    throw new FormatError('claim169', 'gender (9) must be an integer');
  }
  const card: CardSummary = {
    number: text(identity, 1, 'claim169') ?? '',
    fullName: text(identity, 4, 'claim169') ?? '',
    dateOfBirth: text(identity, 8, 'claim169'),
    sex: gender === 1 ? 'L' : gender === 2 ? 'P' : null,
    address: text(identity, 10, 'claim169'),
    issuer: text(claims, 1, 'cwt'),
    issuedAt: seconds(claims, 6, 'cwt'),
    expiresAt: seconds(claims, 4, 'cwt'),
    notBefore: seconds(claims, 5, 'cwt'),
    kid,
    kelurahan: null,
    categories: [],
  };
  const kapal = claims.get(-65537);
  if (kapal !== undefined) {
    if (!(kapal instanceof Map)) {
      throw new FormatError('kapal_claim', 'claim -65537 is not a map');
    }
    card.kelurahan = text(kapal, 2, 'kapal_claim');
    const categories = kapal.get(1) ?? [];
    if (!Array.isArray(categories)) {
      throw new FormatError('kapal_claim', 'categories (1) must be an array');
    }
    card.categories = categories.map((c: unknown) => {
      if (typeof c !== 'number' || !categoryCodes[c]) {
        throw new FormatError('kapal_claim', `category ${String(c)} is not 1–6`);
      }
      return categoryCodes[c];
    });
  }
  return card;
}

function sigStructure(s: Sign1): Uint8Array {
  return encode(['Signature1', s.protectedBytes, new Uint8Array(0), s.payload]);
}

/// Picks the key: the kid's key when there is a kid, else any key (all are Ed25519).
function keysFor(kid: string | null, keys: CardKey[]): CardKey[] {
  return kid === null ? keys : keys.filter((k) => k.kid === kid);
}

function signatureHolds(s: Sign1, keys: CardKey[]): boolean {
  const message = sigStructure(s);
  return keys.some((k) => {
    try {
      return ed.verify(s.signature, message, k.publicKey, { zip215: false });
    } catch {
      return false;
    }
  });
}

/// Checks a card's QR text against `keys`, the verified revocation list (if any) and `now`.
/// Never throws: unreadable input is status "malformed" with the stage and reason.
export function verifyCredential(
  qr: string,
  keys: CardKey[],
  revocations: RevocationList | null,
  now: Date,
): VerifyResult {
  let s: Sign1;
  let card: CardSummary;
  try {
    s = readSign1(inflate(base45Decode(qr.trim())));
    card = summary(s.payload, s.kid);
  } catch (e) {
    if (e instanceof FormatError) {
      return { status: 'malformed', where: e.stage, what: e.message, card: null };
    }
    return { status: 'malformed', where: 'cose', what: String(e), card: null };
  }
  if (s.signature.length === 0) {
    return { status: 'unsigned', card };
  }
  if (s.alg !== -8) {
    return { status: 'unknown_key', what: `algorithm ${String(s.alg)} is not EdDSA`, card };
  }
  const candidates = keysFor(s.kid, keys);
  if (candidates.length === 0) {
    return { status: 'unknown_key', what: `no published key has the kid ${s.kid ?? '—'}`, card };
  }
  if (!signatureHolds(s, candidates)) {
    return { status: 'invalid_signature', card };
  }
  const revocation = revocations?.revoked.get(card.number);
  if (revocation) {
    return { status: 'revoked', card, revocation };
  }
  if (card.expiresAt && card.expiresAt.getTime() <= now.getTime()) {
    return { status: 'expired', card };
  }
  if (card.notBefore && card.notBefore.getTime() > now.getTime()) {
    return { status: 'not_yet_valid', card };
  }
  return { status: 'valid', card };
}

/// The revocation list (GET /.well-known/kapal-revocations), trusted whole or not at all: throws
/// FormatError when it cannot be read or its signature does not check with `keys`.
export function readRevocationList(bytes: Uint8Array, keys: CardKey[]): RevocationList {
  const s = readSign1(bytes);
  if (s.alg !== -8 || s.signature.length === 0) {
    throw new FormatError('revocations', 'the list is not signed with EdDSA');
  }
  const candidates = keysFor(s.kid, keys);
  if (candidates.length === 0) {
    throw new FormatError('revocations', `no published key has the kid ${s.kid ?? '—'}`);
  }
  if (!signatureHolds(s, candidates)) {
    throw new FormatError('revocations', 'the signature does not verify');
  }
  const payload = cbor(s.payload, 'revocations');
  if (!(payload instanceof Map)) {
    throw new FormatError('revocations', 'the payload is not a map');
  }
  const issuedAt = seconds(payload, 6, 'revocations');
  const entries = payload.get(-65538) ?? [];
  if (!issuedAt || !Array.isArray(entries)) {
    throw new FormatError('revocations', 'issued at (6) or the entries (-65538) are missing');
  }
  const revoked = new Map<string, Revocation>();
  entries.forEach((entry: unknown, i: number) => {
    if (
      !Array.isArray(entry) ||
      entry.length !== 3 ||
      typeof entry[0] !== 'string' ||
      typeof entry[1] !== 'number' ||
      typeof entry[2] !== 'string'
    ) {
      throw new FormatError('revocations', `entry ${i + 1} is not [number, revoked at, reason]`);
    }
    revoked.set(entry[0], {
      number: entry[0],
      revokedAt: new Date(entry[1] * 1000),
      reason: entry[2],
    });
  });
  return {
    issuer: text(payload, 1, 'revocations') ?? '',
    issuedAt,
    kid: s.kid ?? '',
    revoked,
  };
}

function hexBytes(hex: string): Uint8Array | null {
  if (!/^([0-9a-f]{2})+$/i.test(hex)) {
    return null;
  }
  return Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
}

/// The key set of /.well-known/kapal-keys.json; keys that are not Ed25519 are left out.
export function parseKeySet(json: unknown): CardKey[] {
  const list =
    typeof json === 'object' && json !== null && Array.isArray((json as { keys?: unknown }).keys)
      ? ((json as { keys: unknown[] }).keys as Record<string, unknown>[])
      : [];
  const out: CardKey[] = [];
  for (const k of list) {
    const key = typeof k.public_key_hex === 'string' ? hexBytes(k.public_key_hex) : null;
    if (k.crv === 'Ed25519' && typeof k.kid === 'string' && key && key.length === 32) {
      out.push({ kid: k.kid, publicKey: key, status: String(k.status ?? '') });
    }
  }
  return out;
}

/// "647400000018" as printed: "6474-0000001-8".
export function formatCardNumber(number: string): string {
  return /^\d{12}$/.test(number)
    ? `${number.slice(0, 4)}-${number.slice(4, 11)}-${number.slice(11)}`
    : number;
}
