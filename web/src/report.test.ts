import { describe, expect, it } from 'vitest';

import { setLocale } from './i18n';
import { percent, periodChoices } from './pages/report';

// The two browser objects setLocale touches (vitest runs in Node here).
const stored = new Map<string, string>();
Object.assign(globalThis, {
  document: { documentElement: { lang: 'id' } },
  localStorage: {
    getItem: (k: string) => stored.get(k) ?? null,
    setItem: (k: string, v: string) => stored.set(k, v),
  },
});

describe('periodChoices', () => {
  it('offers eight quarters, three years and twelve months back from today, across a year', () => {
    setLocale('id');
    const choices = periodChoices('2026-02-10');
    const quarters = choices.filter((c) => c.group === 'quarter').map((c) => c.value);
    expect(quarters).toEqual([
      '2026-Q1',
      '2025-Q4',
      '2025-Q3',
      '2025-Q2',
      '2025-Q1',
      '2024-Q4',
      '2024-Q3',
      '2024-Q2',
    ]);
    expect(choices.filter((c) => c.group === 'year').map((c) => c.value)).toEqual([
      '2026',
      '2025',
      '2024',
    ]);
    const months = choices.filter((c) => c.group === 'month');
    expect(months).toHaveLength(12);
    expect(months[0]).toMatchObject({ value: '2026-02', label: 'Februari 2026' });
    expect(months[2]).toMatchObject({ value: '2025-12', label: 'Desember 2025' });
    expect(months[11].value).toBe('2025-03');
  });
});

describe('percent', () => {
  it('writes a share with one decimal in the language, and a dash when undefined', () => {
    setLocale('id');
    expect(percent(0.125)).toBe('12,5 %');
    expect(percent(null)).toBe('–');
    setLocale('en');
    expect(percent(1)).toBe('100.0 %');
    setLocale('id');
  });
});
