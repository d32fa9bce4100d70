import { decode, encode } from 'cborg';
import { unzlibSync, zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import fixture from './fixtures/credentials.json';
import {
  base45Decode,
  formatCardNumber,
  parseKeySet,
  readRevocationList,
  verifyCredential,
  type CardKey,
} from './verifier';
import { newerList } from './verifier_cache';

// fixtures/credentials.json: what `kapal` produced (its _source says how).
const keys = parseKeySet(fixture.keys);
const [active, revoked] = fixture.cards;
const revocationBytes = Uint8Array.from(fixture.revocations_hex.match(/../g) ?? [], (b) =>
  parseInt(b, 16),
);
const list = readRevocationList(revocationBytes, keys);
const issuedAt = new Date(active.issued_at_ms);
const aDayLater = new Date(active.issued_at_ms + 86400_000);

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (b) => parseInt(b, 16));
}

describe('base45Decode', () => {
  it('decodes the examples of RFC 9285', () => {
    expect(new TextDecoder().decode(base45Decode('BB8'))).toBe('AB');
    expect(new TextDecoder().decode(base45Decode('%69 VD92EX0'))).toBe('Hello!!');
    expect(new TextDecoder().decode(base45Decode('UJCLQE7W581'))).toBe('base-45');
  });

  it('refuses a 3n+1 length, a foreign character and a group over 65535', () => {
    expect(() => base45Decode('ABCD')).toThrow(/base45: a length of 4/);
    expect(() => base45Decode('AB#')).toThrow(/character 3/);
    expect(() => base45Decode('GGW')).toThrow(/over 65535/);
  });
});

describe('verifyCredential on cards kapal issued', () => {
  it('reads the key set the server published', () => {
    expect(keys).toHaveLength(1);
    expect(keys[0].kid).toBe('026f57f6');
    expect(keys[0].publicKey).toHaveLength(32);
  });

  it('finds the active card valid and reads what is printed on it', () => {
    const r = verifyCredential(active.qr, keys, list, aDayLater);
    expect(r.status).toBe('valid');
    expect(r.card?.number).toBe(active.number);
    expect(formatCardNumber(r.card!.number)).toBe('6474-0000001-8');
    expect(r.card?.fullName.length).toBeGreaterThan(3);
    expect(r.card?.kid).toBe('026f57f6');
    expect(r.card?.kelurahan).toBe('64.74.01.1001');
    expect(r.card?.categories.length).toBeGreaterThan(0);
    expect(r.card?.issuedAt?.getTime()).toBe(Math.floor(active.issued_at_ms / 1000) * 1000);
    expect(r.card?.expiresAt?.getTime()).toBe(Math.floor(active.expires_at_ms / 1000) * 1000);
  });

  it('finds the revoked card in the signed list, with when and why', () => {
    expect(list.revoked.size).toBe(1);
    expect(list.kid).toBe('026f57f6');
    expect(list.issuer).toBe('Dinas Sosial Kota Bontang');
    const r = verifyCredential(revoked.qr, keys, list, aDayLater);
    expect(r.status).toBe('revoked');
    expect(r.revocation?.reason).toBe('pindah');
    expect(r.revocation?.revokedAt.getTime()).toBe(
      Math.floor(revoked.revoked_at_ms! / 1000) * 1000,
    );
    // Without a list the signature alone says valid: the list is what revokes offline.
    expect(verifyCredential(revoked.qr, keys, null, aDayLater).status).toBe('valid');
  });

  it('says expired at the expiry instant and after', () => {
    const r = verifyCredential(active.qr, keys, list, new Date(active.expires_at_ms + 1000));
    expect(r.status).toBe('expired');
    expect(r.card?.number).toBe(active.number);
    expect(verifyCredential(active.qr, keys, list, issuedAt).status).toBe('valid');
  });

  it('says unknown key when no published key has the kid', () => {
    const other: CardKey[] = [
      {
        kid: fixture.worked_example.kid,
        publicKey: hex(fixture.worked_example.public_key_hex),
        status: 'current',
      },
    ];
    const r = verifyCredential(active.qr, other, null, aDayLater);
    expect(r.status).toBe('unknown_key');
    expect(r.what).toContain('026f57f6');
  });

  it('says invalid signature when the right kid has the wrong key', () => {
    const wrong = [{ ...keys[0], publicKey: hex(fixture.worked_example.public_key_hex) }];
    expect(verifyCredential(active.qr, wrong, null, aDayLater).status).toBe('invalid_signature');
  });

  it('says invalid signature for a tampered payload that still decodes', () => {
    // Change the name inside the signed payload, then encode the layers again as kapal does.
    const r = verifyCredential(tamperName(active.qr), keys, null, aDayLater);
    expect(r.status).toBe('invalid_signature');
    expect(r.card?.fullName.startsWith('X')).toBe(true);
  });

  it('says malformed, naming the stage, for text that is no credential', () => {
    expect(verifyCredential('%69 VD92EX0', keys, null, aDayLater)).toMatchObject({
      status: 'malformed',
      where: 'zlib',
    });
    expect(verifyCredential('hello', keys, null, aDayLater)).toMatchObject({
      status: 'malformed',
      where: 'base45',
    });
    expect(verifyCredential(active.qr.slice(0, 200), keys, null, aDayLater).status).toBe(
      'malformed',
    );
  });
});

describe('the worked example of docs/card-format.md', () => {
  const example: CardKey[] = [
    {
      kid: fixture.worked_example.kid,
      publicKey: hex(fixture.worked_example.public_key_hex),
      status: 'current',
    },
  ];

  it('verifies with the RFC 8032 test key and reads every field', () => {
    const r = verifyCredential(
      fixture.worked_example.qr,
      example,
      null,
      new Date(Date.UTC(2027, 0, 1)),
    );
    expect(r.status).toBe('valid');
    expect(r.card).toMatchObject({
      number: '647400000018',
      fullName: 'Siti Aminah',
      dateOfBirth: '19850701',
      sex: 'P',
      address: 'Jl. Cumi-Cumi No. 12\nRT 007 RW 002',
      issuer: 'https://kapal.bontangkota.go.id',
      kelurahan: '64.74.01.1003',
      categories: ['fisik', 'sensorik_rungu'],
      kid: '21fe31df',
    });
    expect(r.card?.issuedAt?.toISOString()).toBe('2026-11-28T00:00:00.000Z');
    expect(r.card?.expiresAt?.toISOString()).toBe('2031-11-27T00:00:00.000Z');
  });
});

describe('readRevocationList', () => {
  it('refuses a list whose bytes were changed after signing', () => {
    const changed = revocationBytes.slice();
    // The reason "pindah" sits in the payload: make it "pindaX".
    const at = Buffer.from(changed).indexOf('pindah') + 5;
    expect(at).toBeGreaterThan(5);
    changed[at] = 0x58;
    expect(() => readRevocationList(changed, keys)).toThrow(/signature does not verify/);
  });

  it('refuses a list signed by a key it does not know', () => {
    const other = [{ kid: 'ffffffff', publicKey: keys[0].publicKey, status: 'current' }];
    expect(() => readRevocationList(revocationBytes, other)).toThrow(/no published key/);
  });

  it('refuses bytes that are no COSE_Sign1', () => {
    expect(() => readRevocationList(new Uint8Array([0xa0]), keys)).toThrow(/cose/);
  });
});

/// The credential with its holder's name changed inside the signed payload, the layers encoded
/// again as kapal does (COSE tag 18, zlib level 9, Base45): the signature no longer matches.
function tamperName(qr: string): string {
  const [prot, unprot, payload, signature] = (
    decode(unzlibSync(base45Decode(qr)), {
      useMaps: true,
      tags: { 18: (inner) => inner() },
    }) as unknown[]
  ).slice(0, 4);
  const claims = decode(payload as Uint8Array, { useMaps: true }) as Map<number, unknown>;
  const identity = claims.get(169) as Map<number, unknown>;
  identity.set(4, `X${String(identity.get(4)).slice(1)}`);
  const array = encode([prot, unprot, encode(claims), signature]);
  const tagged = new Uint8Array(array.length + 1);
  tagged[0] = 0xd2;
  tagged.set(array, 1);
  return base45Encode(zlibSync(tagged, { level: 9 }));
}

function base45Encode(bytes: Uint8Array): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
  let out = '';
  for (let i = 0; i < bytes.length; i += 2) {
    if (i + 1 < bytes.length) {
      let n = bytes[i] * 256 + bytes[i + 1];
      for (let k = 0; k < 3; k++) {
        out += alphabet[n % 45];
        n = Math.floor(n / 45);
      }
    } else {
      out += alphabet[bytes[i] % 45] + alphabet[Math.floor(bytes[i] / 45)];
    }
  }
  return out;
}

describe('newerList', () => {
  it('keeps the list issued later, and the stored one on a tie', () => {
    const older = { ...list, issuedAt: new Date(list.issuedAt.getTime() - 1000) };
    expect(newerList(older, list)).toBe(list);
    expect(newerList(list, older)).toBe(list);
    expect(newerList(null, older)).toBe(older);
    const twin = { ...list };
    expect(newerList(list, twin)).toBe(list);
  });

  it('takes the list naming more cards when both were issued in the same second', () => {
    const longer = {
      ...list,
      revoked: new Map([
        ...list.revoked,
        ['647400009999', { number: '647400009999', revokedAt: list.issuedAt, reason: 'hilang' }],
      ]),
    };
    expect(newerList(list, longer)).toBe(longer);
    expect(newerList(longer, list)).toBe(longer);
  });
});
