// Names of the kecamatan and kelurahan the user may see, loaded once per session from
// GET /api/v1/areas (the same call that carries the counts).
import { api } from './api';
import { onUserChange } from './session';
import { referenceCache } from './sw/policy';

export interface AreaName {
  code: string;
  name: string;
  parent: string | null;
}

let cache: Promise<{ kecamatan: AreaName[]; kelurahan: AreaName[] }> | null = null;
onUserChange(() => {
  cache = null; // another user sees other areas
});

export function areaNames(): Promise<{ kecamatan: AreaName[]; kelurahan: AreaName[] }> {
  if (!cache) {
    const names = (level: string) =>
      api.areas({ level }).then((fc) =>
        fc.features
          .map((f) => ({
            code: f.properties.code,
            name: f.properties.name,
            parent: f.properties.parent,
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      );
    cache = Promise.all([names('kecamatan'), names('kelurahan')]).then(
      ([kecamatan, kelurahan]) => ({ kecamatan, kelurahan }),
    );
    cache.catch(() => {
      cache = null;
    });
  }
  return cache;
}

/// The deletion of the areas the service worker kept for the previous user, while it runs.
let forgetting: Promise<unknown> = Promise.resolve();

/// The areas kept for offline use are the signed-in user's: forgotten at sign-out and when
/// another user signs in.
export function forgetKeptAreas(): void {
  if (typeof caches !== 'undefined') {
    forgetting = caches.delete(referenceCache).catch(() => undefined);
  }
}

/// Asks for the forms' area names again once the service worker controls the page, so that it
/// keeps them for Tambah and Ubah offline. A first visit's fetches went past the worker (it took
/// control after the page loaded), and the previous user's areas are deleted at sign-in: so this
/// waits for both before it asks. Without a worker (the dev server, an insecure origin) it does
/// nothing.
export async function keepAreasOffline(): Promise<void> {
  const sw = typeof navigator !== 'undefined' ? navigator.serviceWorker : undefined;
  if (!sw || !(await sw.getRegistration())) {
    return;
  }
  await forgetting;
  if (!sw.controller) {
    await new Promise<void>((resolve) => {
      sw.addEventListener('controllerchange', () => resolve(), { once: true });
      setTimeout(resolve, 10_000);
    });
  }
  if (sw.controller) {
    await Promise.all(['kecamatan', 'kelurahan'].map((level) => api.areas({ level })));
  }
}

export function nameOf(list: AreaName[], code: string): string {
  return list.find((a) => a.code === code)?.name ?? code;
}

/// Whole years between a birth date ("2000-02-25") and today.
export function ageYears(birthDate: string, today = new Date()): number | null {
  const [y, m, d] = birthDate.split('-').map(Number);
  if (!y || !m || !d) {
    return null;
  }
  let age = today.getFullYear() - y;
  if (today.getMonth() + 1 < m || (today.getMonth() + 1 === m && today.getDate() < d)) {
    age -= 1;
  }
  return age;
}
