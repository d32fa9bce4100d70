// The device store's drafts (drafts.ts), its re-key under a new password (store.ts rekey) and
// the folding of a photo removal (queue.ts), with Node's WebCrypto and fake-indexeddb.
import { IDBFactory } from 'fake-indexeddb';
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';

import { IdbBackend, MemoryBackend, type Backend, type Meta } from './backend';
import type { Sealed } from './crypto';
import { Drafts, draftPrefix } from './drafts';
import { localDevice, Queue } from './queue';
import { LocalStore, newKeyMaterial } from './store';

const fast = 1000; // PBKDF2 rounds: these tests are not about the KDF
const nik = '6474014903880007';

/// Every byte the backend holds, as text (what someone with the phone's storage could read).
async function rawText(backend: Backend): Promise<string> {
  const parts: string[] = [JSON.stringify(await backend.getMeta())];
  for (const key of await backend.keys('')) {
    const sealed = await backend.get(key);
    parts.push(key, Buffer.from(sealed!.data).toString('latin1'));
  }
  return parts.join('\n');
}

function mapLocalStorage(entries: Record<string, string>) {
  const m = new Map(Object.entries(entries));
  return {
    m,
    get length() {
      return m.size;
    },
    key: (i: number) => [...m.keys()][i] ?? null,
    getItem: (k: string) => m.get(k) ?? null,
    removeItem: (k: string) => void m.delete(k),
  };
}

async function opened(backend: Backend, user: string, password: string): Promise<LocalStore> {
  const r = await LocalStore.open(backend, user, password);
  expect(r.status).toBe('opened');
  return (r as { store: LocalStore }).store;
}

describe('the drafts', () => {
  it('are sealed in the store of their user, never in clear, and come back after a reopen', async () => {
    const backend = new IdbBackend(new IDBFactory(), 'drafts-sealed');
    const store = await LocalStore.create(backend, 'op1', 'rahasia', new Date(), fast);
    const drafts = new Drafts();
    await drafts.attach(store);
    const forms = drafts.storageFor('op1');
    forms.setItem('kapal.draft.op1.baru', JSON.stringify({ values: { nik } }));
    forms.setItem('kapal.draft.op1.baru', JSON.stringify({ values: { nik, full_name: 'Siti' } }));
    await drafts.flush();
    expect(await backend.keys(draftPrefix)).toEqual([`${draftPrefix}kapal.draft.op1.baru`]);
    expect(await rawText(backend)).not.toContain(nik);
    expect(await rawText(backend)).not.toContain('Siti');

    // A reload: a new page's memory, the store opened again with the password.
    const again = new Drafts();
    expect(again.get('op1', 'kapal.draft.op1.baru')).toBeNull();
    await again.attach(await opened(backend, 'op1', 'rahasia'));
    expect(JSON.parse(again.get('op1', 'kapal.draft.op1.baru')!)).toEqual({
      values: { nik, full_name: 'Siti' },
    });
    // Another user's forms do not see it.
    expect(again.storageFor('op2').getItem('kapal.draft.op1.baru')).toBeNull();
    // Removed: gone from the store too.
    again.storageFor('op1').removeItem('kapal.draft.op1.baru');
    await again.flush();
    expect(await backend.keys(draftPrefix)).toEqual([]);
  });

  it('stay in memory only while no store is open for their user, and go in when it opens', async () => {
    const backend = new MemoryBackend();
    const store = await LocalStore.create(backend, 'op1', 'rahasia', new Date(), fast);
    const drafts = new Drafts();
    // Before unlocking, and another user's (no store of theirs here).
    drafts.storageFor('op1').setItem('kapal.draft.op1.baru', '"before"');
    drafts.storageFor('viewer').setItem('kapal.draft.viewer.baru', '"viewer"');
    await drafts.flush();
    expect(backend.records.size).toBe(0);
    expect(drafts.get('op1', 'kapal.draft.op1.baru')).toBe('"before"');
    await drafts.attach(store);
    await drafts.flush();
    expect(await backend.keys(draftPrefix)).toEqual([`${draftPrefix}kapal.draft.op1.baru`]);
    expect(await store.get(`${draftPrefix}kapal.draft.op1.baru`)).toBe('"before"');
    // Locked: what is sealed leaves memory; the other user's (memory only) stays for the page.
    drafts.detach();
    expect(drafts.get('op1', 'kapal.draft.op1.baru')).toBeNull();
    expect(drafts.get('viewer', 'kapal.draft.viewer.baru')).toBe('"viewer"');
    // Signing out: nothing left in memory.
    drafts.clear();
    expect(drafts.get('viewer', 'kapal.draft.viewer.baru')).toBeNull();
  });

  it('move out of localStorage at start, into their user’s store when it opens', async () => {
    const legacy = mapLocalStorage({
      'kapal.draft.operator.utara.baru': JSON.stringify({ values: { nik } }),
      'kapal.handover.penyalur.0193aaaa-0000-7000-8000-000000000001': '{"key":"k"}',
      'kapal.device': '{"id":"d","seq":4}',
      'kapal.locale': 'en',
    });
    const drafts = new Drafts();
    expect(drafts.adoptLegacy(legacy)).toBe(2);
    // Nothing personal left in clear; the device's id and seq stay.
    expect([...legacy.m.keys()].sort()).toEqual(['kapal.device', 'kapal.locale']);
    const backend = new MemoryBackend();
    const store = await LocalStore.create(backend, 'operator.utara', 'rahasia', new Date(), fast);
    await drafts.attach(store);
    await drafts.flush();
    expect(await backend.keys(draftPrefix)).toEqual([
      `${draftPrefix}kapal.draft.operator.utara.baru`,
    ]);
    expect(await rawText(backend)).not.toContain(nik);
    expect(
      drafts.get('penyalur', 'kapal.handover.penyalur.0193aaaa-0000-7000-8000-000000000001'),
    ).toBe('{"key":"k"}');
  });
});

/// A store with records of every kind, under `password`.
async function filled(backend: Backend, password: string): Promise<LocalStore> {
  const store = await LocalStore.create(backend, 'op1', password, new Date(), fast);
  await store.putAll([
    ['op:000000000001', { op: { key: 'k1', seq: 1, type: 'person.update' }, label: 'Siti' }],
    ['op:000000000002', { op: { key: 'k2', seq: 2, type: 'person.photo', photo: null } }],
    ['person:p1', { id: 'p1', full_name: 'Siti', nik_masked: '647401******07' }],
    ['draft:kapal.draft.op1.baru', JSON.stringify({ values: { nik } })],
    ['state:pull', { at: '2026-11-29T01:00:00Z' }],
  ]);
  return store;
}

async function everything(store: LocalStore): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of await store.list<unknown>('')) {
    out[key] = value;
  }
  return out;
}

describe('re-keying the store under a new password', () => {
  it('re-seals every record: all open with the new password, none with the old', async () => {
    const backend = new IdbBackend(new IDBFactory(), 'rekey');
    const before = await everything(await filled(backend, 'lama-123'));
    const old = await opened(backend, 'op1', 'lama-123');
    const next = await old.rekey(await newKeyMaterial('baru-456', fast));
    expect(await everything(next)).toEqual(before);
    expect((await LocalStore.open(backend, 'op1', 'lama-123')).status).toBe('wrong_password');
    const reopened = await opened(backend, 'op1', 'baru-456');
    expect(await everything(reopened)).toEqual(before);
    expect(Object.keys(before)).toHaveLength(5);
    // Not one record still opens with the old key (the old store object still holds it).
    for (const key of await backend.keys('')) {
      await expect(old.get(key)).rejects.toThrow();
    }
    expect(await rawText(backend)).not.toContain(nik);
  });

  it('leaves the store whole under the previous password when it stops midway', async () => {
    const idb = new IdbBackend(new IDBFactory(), 'rekey-crash');
    const before = await everything(await filled(idb, 'lama-123'));
    // The write of the re-key fails after half of the records were handed to IndexedDB (a value
    // it cannot store: a crash of the transaction midway).
    const crashing: Backend = Object.assign(Object.create(idb) as Backend, {
      replaceAll: (meta: Meta, entries: [string, Sealed][], remove: string[]) => {
        const half = Math.floor(entries.length / 2);
        const poisoned = [
          ...entries.slice(0, half),
          ['op:999999999999', { iv: new Uint8Array(12), data: () => 0 } as unknown as Sealed],
          ...entries.slice(half),
        ] as [string, Sealed][];
        return idb.replaceAll(meta, poisoned, remove);
      },
    });
    const old = await opened(crashing, 'op1', 'lama-123');
    await expect(old.rekey(await newKeyMaterial('baru-456', fast))).rejects.toThrow();
    expect((await LocalStore.open(idb, 'op1', 'baru-456')).status).toBe('wrong_password');
    expect(await everything(await opened(idb, 'op1', 'lama-123'))).toEqual(before);
    expect(await idb.keys('op:')).toEqual(['op:000000000001', 'op:000000000002']);
    // Tried again, it completes.
    const again = await opened(idb, 'op1', 'lama-123');
    await again.rekey(await newKeyMaterial('baru-456', fast));
    expect(await everything(await opened(idb, 'op1', 'baru-456'))).toEqual(before);
  });

  it('drops a record that no longer opens, and keeps the server’s wipe setting', async () => {
    const backend = new MemoryBackend();
    const store = await filled(backend, 'lama-123');
    await store.setWipeDays(3);
    backend.records.get('person:p1')!.data[0] ^= 1; // damaged
    const next = await store.rekey(await newKeyMaterial('baru-456', fast));
    expect(await backend.keys('person:')).toEqual([]);
    expect(await next.get('op:000000000001')).toMatchObject({ label: 'Siti' });
    expect(backend.meta?.wipe_after_days).toBe(3);
  });
});

describe('a photo removal in the queue', () => {
  async function queue() {
    const store = await LocalStore.create(new MemoryBackend(), 'op1', 'x', new Date(), fast);
    let n = 0;
    const device = localDevice(
      { getItem: () => null, setItem: () => undefined },
      () => 'device-1',
      undefined,
    );
    let seq = 0;
    return new Queue(store, { id: device.id, nextSeq: () => ++seq }, { newKey: () => `k${++n}` });
  }
  const jpeg = { media_type: 'image/jpeg' as const, data: 'AAAA' };

  it('is a person.photo op with photo null, and replaces an unsent photo of the person', async () => {
    const q = await queue();
    await q.photo('p1', 3, jpeg, 'Siti');
    await q.photo('p2', 5, jpeg, 'Budi');
    await q.photo('p1', 3, null, 'Siti');
    const ops = (await q.all()).map((x) => x.op);
    expect(ops).toHaveLength(2);
    expect(ops[0]).toMatchObject({ type: 'person.photo', person_id: 'p1', photo: null });
    expect(ops[1]).toMatchObject({ person_id: 'p2', photo: jpeg });
    // A later photo replaces the removal in turn.
    await q.photo('p1', 3, jpeg, 'Siti');
    expect((await q.all()).map((x) => x.op.photo)).toEqual([jpeg, jpeg]);
  });

  it('is an op of its own after a photo that has been sent once', async () => {
    const q = await queue();
    await q.photo('p1', 3, jpeg, 'Siti');
    await q.markSent(await q.all());
    await q.photo('p1', 3, null, 'Siti');
    const ops = (await q.all()).map((x) => x.op);
    expect(ops.map((o) => o.photo)).toEqual([jpeg, null]);
    expect(ops[1]).toMatchObject({ base_version: 3, key: 'k2' });
    // The JSON sent names the removal as null (not a missing field).
    expect(JSON.stringify(ops[1])).toContain('"photo":null');
  });
});
