// Opening a service request: the body, the Idempotency-Key kept for a retry of the same
// request, what a card checked on the device allows, and the holder found on the device.
import { describe, expect, it } from 'vitest';

import {
  attemptFor,
  cardUse,
  holderOnDevice,
  isoBirthDate,
  scanBody,
  type Attempt,
} from './service_request';

describe('the request sent', () => {
  it('trims the pasted QR and the note, and keeps the service', () => {
    expect(scanBody('  6BF… QR\n', 'pangan', '  beras 5 kg ')).toEqual({
      qr: '6BF… QR',
      service: 'pangan',
      note: 'beras 5 kg',
    });
  });

  it('keeps the key for the same body sent again, and makes a new one for another body', () => {
    let n = 0;
    const newKey = () => `key-${++n}`;
    const body = scanBody('QR', 'pangan', '');
    const first = attemptFor(null, body, newKey);
    expect(first.key).toBe('key-1');
    // A retry after a lost answer (the same request): the same key, so the server opens it once.
    const again = attemptFor(first, scanBody(' QR ', 'pangan', ' '), newKey);
    expect(again).toBe(first);
    // Another service or note is another request: the server would refuse the old key (409).
    const other = attemptFor(first, scanBody('QR', 'sandang', ''), newKey);
    expect(other.key).toBe('key-2');
    const noted = attemptFor(other, scanBody('QR', 'sandang', 'ukuran L'), newKey);
    expect(noted.key).toBe('key-3');
    const none: Attempt | null = null;
    expect(attemptFor(none, body, newKey).key).toBe('key-4');
  });
});

describe('what a card checked on the device allows', () => {
  const card = { number: '647400000018', fullName: 'Siti Aminah' };

  it('opens a request only with a valid card', () => {
    expect(cardUse({ status: 'valid', card }, true)).toEqual({
      ok: true,
      number: '647400000018',
      name: 'Siti Aminah',
    });
    for (const status of [
      'revoked',
      'expired',
      'not_yet_valid',
      'invalid_signature',
      'unknown_key',
      'unsigned',
    ]) {
      expect(cardUse({ status, card }, true)).toEqual({ ok: false, status, name: 'Siti Aminah' });
    }
    expect(cardUse({ status: 'malformed', card: null }, true)).toEqual({
      ok: false,
      status: 'malformed',
      name: null,
    });
  });

  it('cannot check a card without the published keys on the device', () => {
    // Without keys the verifier says unknown_key; the device says why it cannot check.
    expect(cardUse({ status: 'unknown_key', card }, false)).toEqual({
      ok: false,
      status: 'no_keys',
      name: 'Siti Aminah',
    });
    // Text that is no card at all is said to be so, keys or not.
    expect(cardUse({ status: 'malformed', card: null }, false).ok).toBe(false);
    expect(cardUse({ status: 'malformed', card: null }, false)).toHaveProperty(
      'status',
      'malformed',
    );
  });

  it('refuses a "valid" answer without a card number', () => {
    expect(cardUse({ status: 'valid', card: { number: '', fullName: 'X' } }, true).ok).toBe(false);
  });
});

describe('the holder on the device', () => {
  const person = (id: string, full_name: string, birth_date: string, kelurahan_code: string) => ({
    id,
    full_name,
    birth_date,
    address: { kelurahan_code },
  });
  const persons = [
    person('a', 'Siti Aminah', '1980-02-03', '64.74.01.1001'),
    person('b', 'Siti Aminah', '1991-07-08', '64.74.01.1001'),
    person('c', 'Budi', '1975-01-01', '64.74.02.1002'),
    person('d', 'Budi', '1975-01-01', '64.74.02.1002'),
  ];

  it('reads the card’s date of birth', () => {
    expect(isoBirthDate('19800203')).toBe('1980-02-03');
    expect(isoBirthDate('1980-02-03')).toBeNull();
    expect(isoBirthDate(null)).toBeNull();
  });

  it('finds the one person with the card’s name, date of birth and kelurahan', () => {
    const found = holderOnDevice(persons, {
      fullName: '  siti   AMINAH ',
      dateOfBirth: '1991-07-08',
      kelurahan: '64.74.01.1001',
    });
    expect(found?.id).toBe('b');
    // Another kelurahan or date: not this person.
    expect(
      holderOnDevice(persons, {
        fullName: 'Siti Aminah',
        dateOfBirth: '1991-07-08',
        kelurahan: '64.74.02.1002',
      }),
    ).toBeNull();
  });

  it('names no one when two persons fit, or the name is empty', () => {
    expect(
      holderOnDevice(persons, {
        fullName: 'Budi',
        dateOfBirth: '1975-01-01',
        kelurahan: '64.74.02.1002',
      }),
    ).toBeNull();
    expect(
      holderOnDevice(persons, { fullName: 'Siti Aminah', dateOfBirth: null, kelurahan: null }),
    ).toBeNull();
    expect(holderOnDevice(persons, { fullName: ' ', dateOfBirth: null, kelurahan: null })).toBe(
      null,
    );
  });
});
