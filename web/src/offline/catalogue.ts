// The catalogue of services the card opens (GET /api/v1/services), kept on the device so that
// the Layanan panel of Detail and the Layanan (pindai kartu) page work offline (docs/web.md
// "Offline: work on the device"). Not personal data, but kept sealed in the encrypted store like
// every other record: one store, one rule. Refreshed whenever it is loaded online and after each
// pull.
import type { Service, Session } from '../api';
import type { Locale } from '../i18n';
import type { LocalStore } from './store';

/// The record the catalogue is kept under.
export const catalogueKey = 'state:services';

/// The catalogue as the device keeps it: the server's list whole (retired services included,
/// so that old requests keep their names) and when it was fetched.
export interface KeptCatalogue {
  at: string;
  items: Service[];
}

/// What a page works with: the services, and whether they came from the server now or from the
/// device (kept at `at`).
export interface Catalogue {
  items: Service[];
  from: 'server' | 'device';
  at: string | null;
}

/// The roles that read the catalogue (the server's readers: a penyalur or a merchant may not).
const readers = new Set(['admin', 'operator', 'auditor', 'viewer']);
/// The roles that open service requests, and so check cards on the device.
const writers = new Set(['admin', 'operator']);

/// The services a form offers: the active ones, in the catalogue's position order (then by code,
/// so that two services at one position keep a stable order).
export function offered(items: readonly Service[]): Service[] {
  return items
    .filter((s) => s.active)
    .slice()
    .sort((a, b) => a.position - b.position || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/// A service's name in the UI's language: English when the UI is English and the catalogue has
/// an English name, else the Indonesian one; the code itself for a service not in the list.
export function serviceName(items: readonly Service[], code: string, lang: Locale): string {
  const s = items.find((x) => x.code === code);
  if (!s) {
    return code;
  }
  return lang === 'en' && s.name_en ? s.name_en : s.name;
}

/// Whether `value` is a catalogue as the server answers it (a record read back from the store
/// is trusted only as far as its shape).
function isServiceList(value: unknown): value is Service[] {
  return (
    Array.isArray(value) &&
    value.every(
      (s) =>
        s !== null &&
        typeof s === 'object' &&
        typeof (s as Service).code === 'string' &&
        typeof (s as Service).name === 'string' &&
        typeof (s as Service).position === 'number' &&
        typeof (s as Service).active === 'boolean',
    )
  );
}

/// The catalogue to use: the server's when it answered (`fresh`), else the one kept on the
/// device, else null (nothing to offer: the page says to open it once online).
export function chooseCatalogue(
  fresh: Service[] | null,
  kept: KeptCatalogue | null,
): Catalogue | null {
  if (fresh) {
    return { items: fresh, from: 'server', at: null };
  }
  if (kept && isServiceList(kept.items)) {
    return { items: kept.items, from: 'device', at: kept.at };
  }
  return null;
}

/// Keeps the server's catalogue on the device (sealed).
export async function keepCatalogue(
  store: LocalStore,
  items: Service[],
  now: Date = new Date(),
): Promise<void> {
  await store.put(catalogueKey, { at: now.toISOString(), items } satisfies KeptCatalogue);
}

export async function keptCatalogue(store: LocalStore): Promise<KeptCatalogue | null> {
  return store.get<KeptCatalogue>(catalogueKey);
}

/// The catalogue from the server (kept on the device when `store` is open), or, when the server
/// cannot be reached (`unreachable(e)`), the one kept on the device. Throws what the server
/// answered otherwise, and the network failure when nothing is kept.
export async function loadCatalogue(
  store: LocalStore | null,
  fetchServices: () => Promise<{ items: Service[] }>,
  unreachable: (e: unknown) => boolean,
): Promise<Catalogue> {
  try {
    const { items } = await fetchServices();
    if (store) {
      await keepCatalogue(store, items).catch(() => undefined);
    }
    return { items, from: 'server', at: null };
  } catch (e) {
    if (!store || !unreachable(e)) {
      throw e;
    }
    const chosen = chooseCatalogue(null, await keptCatalogue(store).catch(() => null));
    if (!chosen) {
      throw e;
    }
    return chosen;
  }
}

/// After a pull: what the Layanan pages need offline, for the user whose profile the store
/// keeps — the catalogue (readers), and the card keys and revocation list that check a card's
/// QR on the device (admin and operator, who open requests by card). Never throws: the next
/// sync tries again.
export async function refreshForServices(
  store: LocalStore,
  fetchServices: () => Promise<{ items: Service[] }>,
  refreshTrust: () => Promise<unknown>,
  profileKey: string,
): Promise<void> {
  try {
    const role = (await store.get<Session>(profileKey))?.user.role ?? '';
    if (readers.has(role)) {
      await keepCatalogue(store, (await fetchServices()).items);
    }
    if (writers.has(role)) {
      await refreshTrust();
    }
  } catch {
    // Unreachable or refused: the kept catalogue and keys stay as they were.
  }
}
