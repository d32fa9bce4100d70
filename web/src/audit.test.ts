import { describe, expect, it } from 'vitest';

import { differences, flatten, witaDayStart } from './pages/audit';
import { duplicateOf } from './person_form';

describe('audit log viewer', () => {
  it('lists only the fields that changed, nested ones by their path', () => {
    const before = {
      id: 'a',
      version: 1,
      updated_at: '2026-11-28T01:00:00.000Z',
      full_name: 'Siti Aminah',
      address: { kelurahan_code: '64.74.01.1003', rt: '001' },
      categories: ['fisik'],
    };
    const after = {
      ...before,
      version: 2,
      updated_at: '2026-11-28T02:00:00.000Z',
      address: { kelurahan_code: '64.74.01.1004', rt: '001' },
      categories: ['fisik', 'mental'],
      phone: '0812',
    };
    expect(differences(before, after)).toEqual([
      { field: 'address.kelurahan_code', before: '64.74.01.1003', after: '64.74.01.1004' },
      { field: 'categories', before: 'fisik', after: 'fisik, mental' },
      { field: 'phone', before: '', after: '0812' },
    ]);
  });

  it('shows every content field of a creation as new, and no bookkeeping', () => {
    const rows = differences(null, { id: 'a', version: 1, full_name: 'Budi', sex: 'L' });
    expect(rows.map((r) => r.field)).toEqual(['full_name', 'sex']);
    expect(flatten({ a: { b: null } }).get('a.b')).toBe('');
  });

  it('turns a WITA day into the UTC instant it starts or ends', () => {
    expect(witaDayStart('2026-11-28')).toBe('2026-11-27T16:00:00.000Z');
    expect(witaDayStart('2026-11-28', true)).toBe('2026-11-28T16:00:00.000Z');
    expect(witaDayStart('28/11/2026')).toBeUndefined();
  });
});

describe('possible duplicate warning', () => {
  it('finds the other record named in the message, and none outside the area', () => {
    expect(
      duplicateOf(
        'Mungkin duplikat dari data lain: 019ac4d2-1234-7abc-8def-0123456789ab S*** A***, skor 14.2',
      ),
    ).toBe('019ac4d2-1234-7abc-8def-0123456789ab');
    expect(
      duplicateOf('Mungkin duplikat dari data lain: data di luar wilayah Anda, skor 12.0'),
    ).toBe(null);
  });
});
