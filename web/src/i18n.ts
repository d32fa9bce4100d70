// Every string the app shows comes from a catalogue (strings/id.ts, strings/en.ts) through t().
// Indonesian is the default; the choice is remembered in localStorage.
import { en } from './strings/en';
import { id, type StringKey } from './strings/id';

export type { StringKey };
export type Locale = 'id' | 'en';

const catalogues: Record<Locale, Record<StringKey, string>> = { id, en };
const storageKey = 'kapal.locale';
const listeners = new Set<() => void>();

function stored(): Locale {
  try {
    return localStorage.getItem(storageKey) === 'en' ? 'en' : 'id';
  } catch {
    return 'id';
  }
}

let current: Locale = stored();

export function locale(): Locale {
  return current;
}

/// The string `key` in the current language, with each `{name}` replaced by params[name].
export function t(key: StringKey, params: Record<string, string | number> = {}): string {
  const text = catalogues[current][key] ?? id[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/// A string key built at run time (a category or status code from the API); the code itself
/// when the catalogue has no entry, so that new codes still show.
export function tCode(prefix: string, code: string): string {
  const key = `${prefix}.${code}`;
  return key in id ? t(key as StringKey) : code;
}

export function setLocale(next: Locale): void {
  current = next;
  try {
    localStorage.setItem(storageKey, next);
  } catch {
    // Private mode: the choice lasts until the page closes.
  }
  document.documentElement.lang = next;
  listeners.forEach((fn) => fn());
}

export function onLocaleChange(fn: () => void): void {
  listeners.add(fn);
}

/// The language tag for Intl and for the API's Accept-Language.
export function languageTag(): string {
  return current === 'id' ? 'id-ID' : 'en-GB';
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(languageTag()).format(n);
}

/// A size in bytes as "1,2 MB" / "1.2 MB".
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(languageTag(), { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

/// A calendar date "2000-02-25" as "25 Februari 2000" / "25 February 2000".
export function formatDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  if (!y || !m || !d) {
    return isoDate;
  }
  return new Intl.DateTimeFormat(languageTag(), {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

/// An instant shown in Asia/Makassar (WITA), as DESIGN.md §4 asks.
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return (
    new Intl.DateTimeFormat(languageTag(), {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'Asia/Makassar',
    }).format(date) + ' WITA'
  );
}
