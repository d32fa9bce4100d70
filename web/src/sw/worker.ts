// The service worker, served as /sw.js (docs/web.md, "Offline: the app shell"). It keeps the app
// shell of one build and the reference data the forms need, so that the app opens without a
// connection; it never keeps any other API answer (policy.ts, docs/SECURITY.md). The build
// (vite.config.ts) bundles it on its own and fills in the shell's paths and version.
import {
  cachePolicy,
  isStaleCache,
  referenceCache,
  shellCacheName,
  type CachePolicy,
} from './policy';

declare const __KAPAL_SHELL__: string[];
declare const __KAPAL_SHELL_VERSION__: string;

// The few service worker types used here (the project compiles against the DOM library).
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface WorkerScope {
  readonly location: Location;
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', fn: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (event: FetchEvent) => void): void;
}

const scope = self as unknown as WorkerScope;
const version = __KAPAL_SHELL_VERSION__;
const shellPaths = new Set(__KAPAL_SHELL__);
const shellName = shellCacheName(version);

scope.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(shellName);
      // 'reload': past the browser's HTTP cache, so the shell is this build's files.
      await cache.addAll([...shellPaths].map((p) => new Request(p, { cache: 'reload' })));
      await scope.skipWaiting();
    })(),
  );
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => isStaleCache(n, version)).map((n) => caches.delete(n)));
      await scope.clients.claim();
    })(),
  );
});

scope.addEventListener('fetch', (event) => {
  const policy = cachePolicy(event.request, scope.location.origin, shellPaths);
  if (policy !== 'network') {
    event.respondWith(answer(event.request, policy));
  }
});

async function answer(request: Request, policy: CachePolicy): Promise<Response> {
  switch (policy) {
    case 'asset':
      return (await caches.match(request, { cacheName: shellName })) ?? fetch(request);
    case 'page':
      return networkOr(request, () => caches.match('/index.html', { cacheName: shellName }));
    case 'shell':
      return networkOr(request, () => caches.match(request, { cacheName: shellName }));
    case 'reference':
      return networkOr(
        request,
        () => caches.match(request, { cacheName: referenceCache }),
        async (response) => {
          // Only good answers of our own origin; the last one per URL (with its query).
          if (response.ok && response.type === 'basic') {
            const cache = await caches.open(referenceCache);
            await cache.put(request, response.clone());
          }
        },
      );
    default:
      return fetch(request);
  }
}

/// The network's answer, or when the network cannot be reached what `fallback` finds; without
/// one, the network's error (the page reports it as it does any unreachable server).
async function networkOr(
  request: Request,
  fallback: () => Promise<Response | undefined>,
  keep?: (response: Response) => Promise<void>,
): Promise<Response> {
  try {
    const response = await fetch(request);
    // A full disk must not cost the user the answer itself.
    await keep?.(response).catch(() => undefined);
    return response;
  } catch (e) {
    const cached = await fallback();
    if (cached) {
      return cached;
    }
    throw e;
  }
}
