// The pure parts of the offline pages: the visit order, finding a beneficiary on a pulled list,
// reading a conflict, the Data page's local filter, and the person shown for an offline change.
import { describe, expect, it } from 'vitest';

import type { Person } from '../api';
import { readDetail, readSummary, valueText } from '../pages/conflicts';
import { filterLocal } from '../pages/data';
import { identifyOffline } from '../pages/handover';
import { distanceM, visitCountText, visitOrder } from '../pages/visit';
import { personFromBody, withChanges } from './device';
import type { HandoverList, LocalPerson } from './sync';

function person(id: string, name: string, kel: string, home: [number, number] | null): LocalPerson {
  return {
    ...personFromBody(
      id,
      { full_name: name, address: { street: '', rt: '', rw: '', kelurahan_code: kel } },
      'op',
      '',
    ),
    home: home ? { lon: home[0], lat: home[1], accuracy_m: 5, source: 'gps' } : null,
    pending: false,
  };
}

describe('the visit list', () => {
  const persons = [
    person('a', 'Andi', '64.74.01.1001', [117.5, 0.14]),
    person('b', 'Budi', '64.74.01.1002', [117.49, 0.13]),
    person('c', 'Citra', '64.74.01.1001', null),
  ];

  it('measures distance on the sphere', () => {
    expect(distanceM(117.5, 0, 117.5, 1)).toBeGreaterThan(111_000);
    expect(distanceM(117.5, 0, 117.5, 1)).toBeLessThan(111_400);
  });

  it('goes nearest first from a position, persons without a home last', () => {
    const order = visitOrder(persons, { lon: 117.491, lat: 0.131 });
    expect(order.map((v) => v.person.id)).toEqual(['b', 'a', 'c']);
    expect(order[2].distance_m).toBeNull();
  });

  it('goes by kelurahan, then name, without a position', () => {
    const names: Record<string, string> = { '64.74.01.1001': 'Zeta', '64.74.01.1002': 'Alfa' };
    expect(visitOrder(persons, null, (c) => names[c]).map((v) => v.person.id)).toEqual([
      'b',
      'a',
      'c',
    ]);
  });
});

describe('the visit count', () => {
  it('says how many are listed when the list is capped', () => {
    expect(visitCountText(600, false)).toMatch(/600.*500/);
    expect(visitCountText(12, false)).toMatch(/^12 /);
    expect(visitCountText(12, false)).not.toMatch(/500/);
  });
});

describe('a beneficiary on the pulled list', () => {
  const list: HandoverList = {
    cycle_id: 'c1',
    program_code: 'P',
    program_name: 'P',
    cycle_number: 1,
    cycle_name: 'T1',
    starts_on: '',
    ends_on: '',
    entries: [
      {
        person_id: 'a',
        name: 'Andi',
        kelurahan_code: 'k',
        card_number: '647400000018',
        delivered: false,
      },
    ],
  };

  it('is found by a valid QR, a card number or a picked name', () => {
    const ok = () => ({ status: 'valid', number: '647400000018' });
    expect(identifyOffline(list, { qr: 'HC1' }, ok)).toEqual({ entry: list.entries[0] });
    expect(identifyOffline(list, { card_number: '647400000018' }, ok)).toEqual({
      entry: list.entries[0],
    });
    expect(identifyOffline(list, { person_id: 'a', search_reason: 'kartu hilang' }, ok)).toEqual({
      entry: list.entries[0],
    });
  });

  it('is refused for a card that does not verify or is not on the list', () => {
    expect(
      identifyOffline(list, { qr: 'x' }, () => ({ status: 'revoked', number: '647400000018' })),
    ).toHaveProperty('refusal');
    expect(
      identifyOffline(list, { card_number: '999' }, () => ({ status: 'valid', number: null })),
    ).toHaveProperty('refusal');
  });
});

describe('a conflict from the server', () => {
  it('reads the fields listed or mapped, and the version to resolve at', () => {
    const listed = readDetail({
      id: 'cf',
      person_id: 'p',
      person_name: 'Andi',
      version: 5,
      fields: [{ field: 'phone', base: '1', theirs: '2', mine: '3' }],
    });
    expect(listed).toMatchObject({ id: 'cf', name: 'Andi', version: 5, fields: ['phone'] });
    expect(listed.rows).toEqual([{ field: 'phone', base: '1', theirs: '2', mine: '3' }]);
    const mapped = readDetail({
      id: 'cf',
      current_version: 7,
      fields: { phone: { base: '', theirs: 'a', mine: 'b' } },
    });
    expect(mapped.version).toBe(7);
    expect(mapped.rows[0]).toEqual({ field: 'phone', base: '', theirs: 'a', mine: 'b' });
    expect(
      readSummary({ id: 'x', person: { id: 'p', full_name: 'B' }, fields: ['a'] }),
    ).toMatchObject({
      person_id: 'p',
      name: 'B',
    });
    expect(valueText({ street: 'Jl. A', rt: '001' })).toBe('street: Jl. A; rt: 001');
  });

  it('reads the device’s photo and a resolved conflict’s decision', () => {
    const photo = readDetail({
      id: 'cf',
      type: 'person.photo',
      state: 'conflict',
      fields: [{ field: 'photo_id', base: 'a', theirs: 'b', mine: '(foto baru dari perangkat)' }],
      photo: { media_type: 'image/jpeg', data: '/9j/4AAQ' },
    });
    expect(photo.photo).toEqual({ media_type: 'image/jpeg', data: '/9j/4AAQ' });
    expect(readDetail({ id: 'cf', photo: { media_type: 'text/html', data: 'x' } }).photo).toBe(
      undefined,
    );
    const done = readDetail({
      id: 'cf',
      state: 'resolved',
      decided_by: 'admin',
      decided_at: '2026-11-29T01:00:00Z',
      decision: { choose: { phone: 'mine' }, reason: 'nomor baru benar', version: 6 },
      fields: [{ field: 'phone', base: '1', theirs: '2', mine: '3' }],
    });
    expect(done).toMatchObject({
      status: 'resolved',
      decided_by: 'admin',
      decision: { choose: { phone: 'mine' }, reason: 'nomor baru benar' },
    });
  });
});

describe('the device copy of a person', () => {
  it('filters like the Data page', () => {
    const ps = [person('a', 'Andi', 'k1', null), person('b', 'Budi', 'k2', null)] as Person[];
    expect(
      filterLocal(ps, { q: 'bud', kecamatan: '', kelurahan: '', category: '', status: '' }).map(
        (p) => p.id,
      ),
    ).toEqual(['b']);
    expect(
      filterLocal(ps, { q: '', kecamatan: '', kelurahan: 'k1', category: '', status: 'aktif' }).map(
        (p) => p.id,
      ),
    ).toEqual(['a']);
  });

  it('never shows a NIK in clear', () => {
    const p = personFromBody('x', { full_name: 'A', nik: '6474015501900001' }, 'op', '');
    expect(p.nik_masked).toBe('647401********01');
    const q = withChanges(p, { nik: '6474015501900002', phone: '0812' });
    expect(q).toMatchObject({ nik_masked: '647401********02', phone: '0812', pending: true });
    expect(JSON.stringify(q)).not.toContain('6474015501900002');
  });
});
