// The service catalogue kept on the device: which services a form offers and in what order,
// their names in the UI's language, the choice between the server's and the kept catalogue,
// the sealed record, and the refresh after a pull by role.
import { describe, expect, it } from 'vitest';

import { ApiError, type Service } from '../api';

import { MemoryBackend } from './backend';
import {
  catalogueKey,
  chooseCatalogue,
  keepCatalogue,
  keptCatalogue,
  loadCatalogue,
  offered,
  refreshForServices,
  serviceName,
} from './catalogue';
import { LocalStore } from './store';

function svc(code: string, position: number, active = true, name_en = ''): Service {
  return { code, name: `Layanan ${code}`, name_en, description: '', active, position };
}

const catalogue = [
  svc('sandang', 5),
  svc('pangan', 4),
  svc('lama', 1, false),
  svc('alat_bantu', 6, true, 'Assistive devices'),
  svc('data_pengaduan', 1),
  svc('b_same', 4),
];

async function openStore(): Promise<{ backend: MemoryBackend; store: LocalStore }> {
  const backend = new MemoryBackend();
  const store = await LocalStore.create(backend, 'op1', 'rahasia', new Date(), 1000);
  return { backend, store };
}

const network = () => new ApiError(0, 'network', '');
const unreachable = (e: unknown) => e instanceof ApiError && e.network;

describe('the catalogue a form offers', () => {
  it('offers the active services only, by position, then code', () => {
    expect(offered(catalogue).map((s) => s.code)).toEqual([
      'data_pengaduan',
      'b_same',
      'pangan',
      'sandang',
      'alat_bantu',
    ]);
    // The catalogue itself is left in the server's order.
    expect(catalogue[0].code).toBe('sandang');
  });

  it('names a service in Indonesian by default and in English when the UI is', () => {
    expect(serviceName(catalogue, 'alat_bantu', 'id')).toBe('Layanan alat_bantu');
    expect(serviceName(catalogue, 'alat_bantu', 'en')).toBe('Assistive devices');
    // No English name: the Indonesian one; an unknown code: the code.
    expect(serviceName(catalogue, 'pangan', 'en')).toBe('Layanan pangan');
    expect(serviceName(catalogue, 'baru', 'id')).toBe('baru');
  });

  it('chooses the server’s catalogue, else the kept one, else none', () => {
    const kept = { at: '2026-11-29T01:00:00.000Z', items: [svc('pangan', 1)] };
    expect(chooseCatalogue(catalogue, kept)).toEqual({
      items: catalogue,
      from: 'server',
      at: null,
    });
    expect(chooseCatalogue(null, kept)).toEqual({ items: kept.items, from: 'device', at: kept.at });
    expect(chooseCatalogue(null, null)).toBeNull();
    // A record of another shape is no catalogue.
    expect(chooseCatalogue(null, { at: 'x', items: [{ code: 1 }] as unknown as Service[] })).toBe(
      null,
    );
  });
});

describe('the catalogue kept on the device', () => {
  it('is sealed: no service name in clear in the backend', async () => {
    const { backend, store } = await openStore();
    await keepCatalogue(store, catalogue, new Date('2026-11-29T02:00:00Z'));
    const sealed = JSON.stringify([...backend.records.entries()]);
    expect(sealed).not.toContain('Layanan');
    expect(sealed).toContain(catalogueKey);
    expect(await keptCatalogue(store)).toEqual({
      at: '2026-11-29T02:00:00.000Z',
      items: catalogue,
    });
  });

  it('keeps what the server answers, and answers it offline', async () => {
    const { store } = await openStore();
    const online = await loadCatalogue(store, async () => ({ items: catalogue }), unreachable);
    expect(online.from).toBe('server');
    const offline = await loadCatalogue(
      store,
      async () => {
        throw network();
      },
      unreachable,
    );
    expect(offline.from).toBe('device');
    expect(offline.items).toEqual(catalogue);
    expect(offline.at).not.toBeNull();
  });

  it('passes on a refusal, and a network failure when nothing is kept or the store is locked', async () => {
    const { store } = await openStore();
    const refused = new ApiError(403, 'forbidden', 'Dilarang');
    await expect(
      loadCatalogue(
        store,
        async () => {
          throw refused;
        },
        unreachable,
      ),
    ).rejects.toBe(refused);
    const cut = network();
    await expect(
      loadCatalogue(
        store,
        async () => {
          throw cut;
        },
        unreachable,
      ),
    ).rejects.toBe(cut);
    await keepCatalogue(store, catalogue);
    await expect(
      loadCatalogue(
        null,
        async () => {
          throw cut;
        },
        unreachable,
      ),
    ).rejects.toBe(cut);
    // A refusal never falls back to the kept catalogue either.
    await expect(
      loadCatalogue(
        store,
        async () => {
          throw refused;
        },
        unreachable,
      ),
    ).rejects.toBe(refused);
  });

  it('is refreshed after a pull for readers, with the card keys for those who open requests', async () => {
    const roles: Record<string, { services: number; trust: number }> = {};
    for (const role of ['admin', 'operator', 'auditor', 'viewer', 'penyalur']) {
      const { store } = await openStore();
      await store.put('state:profile', { user: { role }, instance: 'kota', csrf_token: '' });
      const calls = { services: 0, trust: 0 };
      await refreshForServices(
        store,
        async () => {
          calls.services += 1;
          return { items: catalogue };
        },
        async () => {
          calls.trust += 1;
        },
        'state:profile',
      );
      roles[role] = calls;
      expect((await keptCatalogue(store)) !== null).toBe(calls.services === 1);
    }
    expect(roles).toEqual({
      admin: { services: 1, trust: 1 },
      operator: { services: 1, trust: 1 },
      auditor: { services: 1, trust: 0 },
      viewer: { services: 1, trust: 0 },
      penyalur: { services: 0, trust: 0 },
    });
  });

  it('keeps the old catalogue when the refresh after a pull cannot reach the server', async () => {
    const { store } = await openStore();
    await store.put('state:profile', { user: { role: 'operator' } });
    await keepCatalogue(store, catalogue, new Date('2026-11-29T02:00:00Z'));
    await refreshForServices(
      store,
      async () => {
        throw network();
      },
      async () => undefined,
      'state:profile',
    );
    expect((await keptCatalogue(store))?.at).toBe('2026-11-29T02:00:00.000Z');
  });
});
