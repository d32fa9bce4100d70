import { describe, expect, it } from 'vitest';

import { locale, setLocale, t, tCode } from './i18n';
import { en } from './strings/en';
import { id } from './strings/id';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('string catalogue', () => {
  it('is Indonesian by default', () => {
    expect(locale()).toBe('id');
    expect(t('login.title')).toBe('Masuk');
  });

  it('has an English string with the same parameters for every key', () => {
    for (const key of Object.keys(id) as (keyof typeof id)[]) {
      expect(en[key], key).toBeTruthy();
      expect(placeholders(en[key]), key).toEqual(placeholders(id[key]));
    }
    expect(Object.keys(en).sort()).toEqual(Object.keys(id).sort());
  });

  it('gives each category a different one-letter symbol in both languages', () => {
    for (const catalogue of [id, en]) {
      const symbols = Object.entries(catalogue)
        .filter(([k]) => k.endsWith('.symbol'))
        .map(([, v]) => v);
      expect(symbols).toHaveLength(6);
      expect(new Set(symbols).size).toBe(6);
      symbols.forEach((s) => expect(s).toMatch(/^[A-Z]$/));
    }
  });

  it('fills parameters, leaves unknown ones visible, and switches language', () => {
    expect(t('data.page', { page: 3 })).toBe('Halaman 3');
    expect(t('data.page')).toBe('Halaman {page}');
    // The two browser objects setLocale touches (vitest runs in Node here).
    const stored = new Map<string, string>();
    Object.assign(globalThis, {
      document: { documentElement: { lang: 'id' } },
      localStorage: {
        getItem: (k: string) => stored.get(k) ?? null,
        setItem: (k: string, v: string) => stored.set(k, v),
      },
    });
    setLocale('en');
    try {
      expect(t('data.page', { page: 3 })).toBe('Page 3');
      expect(document.documentElement.lang).toBe('en');
      expect(stored.get('kapal.locale')).toBe('en');
      expect(tCode('category', 'sensorik_netra')).toBe('Visual');
    } finally {
      setLocale('id');
    }
  });

  it('shows a code the catalogue does not know as itself', () => {
    expect(tCode('status', 'aktif')).toBe('Aktif');
    expect(tCode('status', 'diarsipkan')).toBe('diarsipkan');
  });
});
