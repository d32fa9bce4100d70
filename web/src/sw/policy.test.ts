import { afterEach, describe, expect, it, vi } from 'vitest';

import { connectionText } from '../connection';
import { setLocale } from '../i18n';
import { cachePolicy, isStaleCache, shellCacheName } from './policy';

const origin = 'https://kapal.example.go.id';
const shell = new Set([
  '/index.html',
  '/assets/index-DtLFH49W.js',
  '/assets/index-DeNp4NHr.css',
  '/manifest.webmanifest',
  '/icons/icon-192.png',
  '/config.json',
]);
const get = (path: string, mode = 'cors') => ({ method: 'GET', url: origin + path, mode });

describe('the service worker cache policy', () => {
  it('answers navigations from the network, falling back to the cached index.html', () => {
    expect(cachePolicy(get('/', 'navigate'), origin, shell)).toBe('page');
    expect(cachePolicy(get('/orang/123/ubah', 'navigate'), origin, shell)).toBe('page');
    expect(cachePolicy(get('/tambah?x=1', 'navigate'), origin, shell)).toBe('page');
  });

  it('keeps the hashed assets of the build cache-first, other shell files network-first', () => {
    expect(cachePolicy(get('/assets/index-DtLFH49W.js'), origin, shell)).toBe('asset');
    expect(cachePolicy(get('/assets/index-DeNp4NHr.css'), origin, shell)).toBe('asset');
    expect(cachePolicy(get('/manifest.webmanifest'), origin, shell)).toBe('shell');
    expect(cachePolicy(get('/icons/icon-192.png'), origin, shell)).toBe('shell');
    expect(cachePolicy(get('/config.json'), origin, shell)).toBe('shell');
    // An asset of another build, a file not in the shell: not the worker's.
    expect(cachePolicy(get('/assets/index-OLD.js'), origin, shell)).toBe('network');
    expect(cachePolicy(get('/robots.txt'), origin, shell)).toBe('network');
    expect(cachePolicy(get('/sw.js'), origin, shell)).toBe('network');
  });

  it('keeps the areas, with their query, as reference data', () => {
    expect(cachePolicy(get('/api/v1/areas'), origin, shell)).toBe('reference');
    expect(cachePolicy(get('/api/v1/areas?level=kelurahan'), origin, shell)).toBe('reference');
  });

  it('never caches any other API answer: they hold personal data', () => {
    for (const path of [
      '/api/v1/persons',
      '/api/v1/persons?q=Siti',
      '/api/v1/persons/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      '/api/v1/persons/0190a1b2/photo',
      '/api/v1/auth/me',
      '/api/v1/cards/print-queue',
      '/api/v1/users',
      '/api/v1/audit',
      '/api/v1/stats',
      '/api/v1/areas/6474010001', // not the list: an exact path only
      '/api/v1/areasx',
      '/api/v1/../v1/persons',
      '/api',
      '/healthz',
    ]) {
      expect(cachePolicy(get(path), origin, shell), path).toBe('network');
      expect(cachePolicy(get(path, 'navigate'), origin, shell), path).toBe('network');
    }
  });

  it('leaves writes and other origins alone', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(
        cachePolicy({ method, url: `${origin}/api/v1/areas`, mode: 'cors' }, origin, shell),
      ).toBe('network');
      expect(cachePolicy({ method, url: `${origin}/`, mode: 'navigate' }, origin, shell)).toBe(
        'network',
      );
    }
    const tile = { method: 'GET', url: 'https://tile.openstreetmap.org/1/0/0.png', mode: 'cors' };
    expect(cachePolicy(tile, origin, shell)).toBe('network');
    const elsewhere = { method: 'GET', url: 'https://evil.example/index.html', mode: 'navigate' };
    expect(cachePolicy(elsewhere, origin, shell)).toBe('network');
    expect(cachePolicy({ method: 'GET', url: 'not a url', mode: 'cors' }, origin, shell)).toBe(
      'network',
    );
  });

  it('deletes the shell caches of other builds only', () => {
    expect(shellCacheName('abc')).toBe('kapal-shell-abc');
    expect(isStaleCache('kapal-shell-old', 'abc')).toBe(true);
    expect(isStaleCache('kapal-shell-abc', 'abc')).toBe(false);
    expect(isStaleCache('kapal-reference', 'abc')).toBe(false);
    expect(isStaleCache('someone-else', 'abc')).toBe(false);
  });
});

describe('the connection indicator', () => {
  afterEach(() => {
    setLocale('id');
    vi.unstubAllGlobals();
  });

  it('says online or offline in words, and the waiting changes only when there are any', () => {
    // The two browser objects setLocale touches (vitest runs in Node here).
    vi.stubGlobal('document', { documentElement: { lang: 'id' } });
    vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => undefined });
    setLocale('id');
    expect(connectionText(true, 0)).toMatchObject({ state: 'Daring', pending: '' });
    expect(connectionText(false, 0)).toMatchObject({ state: 'Luring', pending: '' });
    expect(connectionText(false, 1).pending).toBe('1 perubahan menunggu dikirim');
    expect(connectionText(false, 3).pending).toBe('3 perubahan menunggu dikirim');
    setLocale('en');
    expect(connectionText(true, 0).state).toBe('Online');
    expect(connectionText(false, 2)).toMatchObject({
      state: 'Offline',
      pending: '2 changes waiting to be sent',
    });
  });
});
