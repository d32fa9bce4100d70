import { describe, expect, it } from 'vitest';

import { url } from './api';
import { ageYears } from './areas';
import { dominant } from './categories';
import { formatBytes } from './i18n';

describe('API URLs', () => {
  it('leaves out empty parameters and encodes the rest', () => {
    expect(
      url('/api/v1/persons', { q: 'Siti & Ani', kelurahan: '', status: null, limit: 25 }),
    ).toBe('/api/v1/persons?q=Siti+%26+Ani&limit=25');
    expect(url('/api/v1/persons', {})).toBe('/api/v1/persons');
  });
});

describe('categories', () => {
  it('names the category with the most persons, the first in catalogue order on a tie', () => {
    expect(dominant({ mental: 3, fisik: 5 })).toBe('fisik');
    expect(dominant({ sensorik_wicara: 2, intelektual: 2 })).toBe('intelektual');
    expect(dominant({})).toBeNull();
  });
});

describe('age', () => {
  it('counts whole years, turning on the birthday', () => {
    const today = new Date(2026, 1, 25); // 25 February 2026
    expect(ageYears('2000-02-25', today)).toBe(26);
    expect(ageYears('2000-02-26', today)).toBe(25);
    expect(ageYears('bukan tanggal', today)).toBeNull();
  });
});

describe('sizes', () => {
  it('shows bytes in the largest unit below 1000, Indonesian style by default', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(689456)).toBe('689 kB');
    expect(formatBytes(12345)).toBe('12,3 kB');
    expect(formatBytes(1758890)).toBe('1,8 MB');
    expect(formatBytes(123456789)).toBe('123 MB');
  });
});
