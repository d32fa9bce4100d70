// What the service worker (worker.ts) does with a request: the one decision that keeps personal
// data out of the device's caches. Pure, so that it is unit-tested (policy.test.ts).

/// How a request is answered:
///  - 'page': a navigation; the network first, the cached index.html when offline (the app is a
///    single page, every route is index.html).
///  - 'asset': a file of web/dist/assets, whose name carries its content hash: the cache first.
///  - 'shell': another file of the app shell (icons, manifest, config.json): the network first,
///    the cached copy when offline.
///  - 'reference': reference data the forms need offline (GET /api/v1/areas): the network first,
///    the last good answer when offline.
///  - 'network': everything else, untouched by the worker and never cached: all other API
///    answers (persons, cards, aid, users, audit, ...), writes, other origins.
export type CachePolicy = 'page' | 'asset' | 'shell' | 'reference' | 'network';

/// The API paths whose answers may be kept on the device. They hold no personal data: the areas
/// are names, codes, outlines and counts per area. Nothing else under /api is ever cached.
export const referencePaths: readonly string[] = ['/api/v1/areas'];

/// The cache of reference data: one name for every version of the app, so that a new release
/// keeps the last areas; deleted when the user signs out or another user signs in.
export const referenceCache = 'kapal-reference';

/// The cache of the app shell of one build: `kapal-shell-<version>`.
export function shellCacheName(version: string): string {
  return `kapal-shell-${version}`;
}

/// Whether a cache belongs to an older build and is deleted when a new worker activates.
export function isStaleCache(name: string, version: string): boolean {
  return name.startsWith('kapal-shell-') && name !== shellCacheName(version);
}

/// The policy of a request. `origin` is the app's (self.location.origin); `shell` the paths the
/// build listed (index.html, the hashed assets, the files of web/public).
export function cachePolicy(
  request: { method: string; url: string; mode: string },
  origin: string,
  shell: ReadonlySet<string>,
): CachePolicy {
  if (request.method !== 'GET') {
    return 'network';
  }
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return 'network';
  }
  if (url.origin !== origin) {
    return 'network'; // map tiles and anything else abroad: the browser's own business
  }
  const path = url.pathname;
  if (path === '/api' || path.startsWith('/api/')) {
    // Exactly the listed paths (with any query): not /api/v1/areas/x, not /api/v1/areasX.
    return referencePaths.includes(path) ? 'reference' : 'network';
  }
  if (path === '/healthz' || path === '/sw.js') {
    return 'network';
  }
  if (request.mode === 'navigate') {
    return 'page';
  }
  if (path.startsWith('/assets/') && shell.has(path)) {
    return 'asset';
  }
  if (shell.has(path)) {
    return 'shell';
  }
  return 'network';
}
