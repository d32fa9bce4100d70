// The device store, the queue and the sync runner without a browser: Node's WebCrypto, the
// IndexedDB of fake-indexeddb, and a fake server.
import { IDBFactory } from 'fake-indexeddb';
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';

import type { Person } from '../api';

import { IdbBackend, MemoryBackend } from './backend';
import { deriveKey, kdfIterations, seal, unseal } from './crypto';
import { changedFields, localDevice, Queue, type Op } from './queue';
import { LocalStore, wipeAfterMs } from './store';
import {
  handleResults,
  keys,
  markPending,
  nextBatch,
  pullAll,
  refreshStale,
  sendQueue,
  type BatchAnswer,
  type ConflictOp,
  type HandoverList,
  type OpResult,
  type PullAnswer,
  type RejectedOp,
  type Transport,
} from './sync';
import { uuidv7 } from './uuidv7';

const fast = 1000; // PBKDF2 rounds in tests that are not about the KDF

function mapStorage(): { getItem(k: string): string | null; setItem(k: string, v: string): void } {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v) };
}

async function setup() {
  const backend = new MemoryBackend();
  const store = await LocalStore.create(backend, 'op1', 'rahasia', new Date(), fast);
  let n = 0;
  const queue = new Queue(
    store,
    localDevice(mapStorage(), () => 'device-1'),
    {
      now: () => new Date('2026-11-29T01:00:00Z'),
      newKey: () => `key-${++n}`,
      newPersonId: () => `person-${n}`,
    },
  );
  return { backend, store, queue };
}

function failure(status: number) {
  return Object.assign(new Error('x'), { status });
}

const classify = (e: unknown) => {
  const status = (e as { status?: number }).status ?? 0;
  return { network: status === 0, status, problem: (e as { problem?: object }).problem };
};

describe('uuidv7', () => {
  it('puts the time first, version 7 and the variant in place', () => {
    const id = uuidv7(0x0193_0000_0001, () => new Uint8Array(10).fill(0xff));
    expect(id).toMatch(/^01930000-0001-7fff-bfff-ffffffffffff$/);
    expect(uuidv7()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(uuidv7(1000) < uuidv7(2000)).toBe(true);
  });
});

describe('the encrypted store', () => {
  it('derives a non-extractable AES key with at least 200,000 PBKDF2 rounds', async () => {
    expect(kdfIterations).toBeGreaterThanOrEqual(200_000);
    const key = await deriveKey('rahasia', new Uint8Array(16), kdfIterations);
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    const sealed = await seal(key, { a: 1 }, 'ctx');
    expect(await unseal(key, sealed, 'ctx')).toEqual({ a: 1 });
    // Bound to its record key: moved elsewhere it does not open.
    await expect(unseal(key, sealed, 'other')).rejects.toThrow();
  });

  it('keeps nothing in clear, opens with the password only, and wipes', async () => {
    const backend = new IdbBackend(new IDBFactory());
    const store = await LocalStore.create(backend, 'op1', 'rahasia', new Date(), fast);
    await store.put('person:1', { full_name: 'Siti Aminah' });
    const raw = await backend.get('person:1');
    expect(new TextDecoder().decode(raw!.data)).not.toContain('Siti');
    expect(await LocalStore.open(backend, 'op1', 'salah')).toEqual({ status: 'wrong_password' });
    expect(await LocalStore.open(backend, 'op2', 'rahasia')).toEqual({
      status: 'other_user',
      username: 'op1',
    });
    const opened = await LocalStore.open(backend, 'op1', 'rahasia');
    expect(opened.status).toBe('opened');
    if (opened.status === 'opened') {
      expect(await opened.store.get('person:1')).toEqual({ full_name: 'Siti Aminah' });
    }
    await backend.wipe();
    expect(await LocalStore.open(backend, 'op1', 'rahasia')).toEqual({ status: 'none' });
    expect(await backend.keys('')).toEqual([]);
  });

  it('opens under the user name in any case (the server keeps it in lower case)', async () => {
    const backend = new MemoryBackend();
    await LocalStore.create(backend, 'Op1', 'rahasia', new Date(), fast);
    const opened = await LocalStore.open(backend, 'op1', 'rahasia');
    expect(opened.status).toBe('opened');
    expect((await LocalStore.open(backend, 'op2', 'rahasia')).status).toBe('other_user');
  });

  it('is wiped at start when not unlocked for 7 days', async () => {
    const backend = new MemoryBackend();
    const t0 = new Date('2026-11-01T00:00:00Z');
    await LocalStore.create(backend, 'op1', 'rahasia', t0, fast);
    expect(await LocalStore.wipeIfStale(backend, new Date(t0.getTime() + wipeAfterMs - 1))).toBe(
      false,
    );
    expect(backend.meta).not.toBeNull();
    expect(await LocalStore.wipeIfStale(backend, new Date(t0.getTime() + wipeAfterMs))).toBe(true);
    expect(backend.meta).toBeNull();
  });

  it('takes the forms’ drafts with it when wiped as stale', async () => {
    const backend = new MemoryBackend();
    const t0 = new Date('2026-11-01T00:00:00Z');
    await LocalStore.create(backend, 'op1', 'rahasia', t0, fast);
    const items = new Map([
      ['kapal.draft.new', '{"full_name":"Siti"}'],
      ['kapal.handover.c1', '{}'],
      ['kapal.device', '{"id":"d","seq":3}'],
    ]);
    const storage = {
      get length() {
        return items.size;
      },
      key: (i: number) => [...items.keys()][i] ?? null,
      removeItem: (k: string) => void items.delete(k),
    };
    expect(
      await LocalStore.wipeIfStale(backend, new Date(t0.getTime() + wipeAfterMs - 1), storage),
    ).toBe(false);
    expect(items.size).toBe(3);
    expect(
      await LocalStore.wipeIfStale(backend, new Date(t0.getTime() + wipeAfterMs), storage),
    ).toBe(true);
    expect([...items.keys()]).toEqual(['kapal.device']);
  });

  it('makes new stores with 600,000 PBKDF2 rounds and opens older ones with theirs', async () => {
    expect(kdfIterations).toBe(600_000);
    const backend = new MemoryBackend();
    await LocalStore.create(backend, 'op1', 'rahasia', new Date(), 210_000);
    expect(backend.meta?.iterations).toBe(210_000);
    expect((await LocalStore.open(backend, 'op1', 'rahasia')).status).toBe('opened');
  });

  it('follows the server’s offline_wipe_days', async () => {
    const backend = new MemoryBackend();
    const t0 = new Date('2026-11-01T00:00:00Z');
    const store = await LocalStore.create(backend, 'op1', 'rahasia', t0, fast);
    await store.setWipeDays(0); // out of range: ignored
    await store.setWipeDays(2);
    expect(backend.meta?.wipe_after_days).toBe(2);
    const day = 24 * 3600 * 1000;
    expect(await LocalStore.wipeIfStale(backend, new Date(t0.getTime() + 2 * day - 1))).toBe(false);
    expect(await LocalStore.wipeIfStale(backend, new Date(t0.getTime() + 2 * day))).toBe(true);
  });
});

describe('the queue', () => {
  it('numbers ops per device, keeps them in order and across a reopen', async () => {
    const { backend, queue } = await setup();
    const c = await queue.create({ full_name: 'A' }, 'A');
    const h = await queue.handover({ cycle_id: 'c1', card_number: '647400000018' }, 'B');
    expect(c).toMatchObject({
      key: 'key-1',
      seq: 1,
      type: 'person.create',
      at: '2026-11-29T01:00:00.000Z',
      person_id: 'person-0',
      person: { full_name: 'A' },
    });
    expect(h).toMatchObject({ seq: 2, type: 'aid.handover', handover: { cycle_id: 'c1' } });
    const reopened = await LocalStore.open(backend, 'op1', 'rahasia');
    expect(reopened.status).toBe('opened');
    if (reopened.status === 'opened') {
      const again = new Queue(reopened.store, localDevice(mapStorage()));
      expect((await again.all()).map((q) => q.op.key)).toEqual(['key-1', 'key-2']);
    }
  });

  it('opens a service request as an op of its own, by person id or by a scanned QR', async () => {
    const { queue } = await setup();
    const byId = await queue.serviceRequest(
      { service: 'kursi_roda', note: 'rusak', person_id: 'p1' },
      'Kursi roda',
      'p1',
    );
    expect(byId).toMatchObject({
      type: 'service.request',
      seq: 1,
      service: { service: 'kursi_roda', note: 'rusak', person_id: 'p1' },
    });
    expect(byId).not.toHaveProperty('person_id');
    const byQr = await queue.serviceRequest({ service: 'kursi_roda', note: '', qr: 'KSG1.x' }, 'K');
    expect(byQr.service).toEqual({ service: 'kursi_roda', note: '', qr: 'KSG1.x' });
    // Not a person op: an edit of p1 does not fold into it.
    const u = await queue.update('p1', 2, { phone: '1' }, '', 'A');
    expect(u.type).toBe('person.update');
  });

  it('takes a seq under a Web Lock when the browser has them', async () => {
    const held: string[] = [];
    let chain = Promise.resolve();
    const locks = {
      request<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
        const run = chain.then(async () => {
          held.push(name);
          return fn();
        });
        chain = run.then(() => undefined);
        return run;
      },
    };
    const device = localDevice(mapStorage(), () => 'd', locks);
    const seqs = await Promise.all([device.nextSeq(), device.nextSeq(), device.nextSeq()]);
    expect(seqs).toEqual([1, 2, 3]);
    expect(held).toEqual(['kapal.device.seq', 'kapal.device.seq', 'kapal.device.seq']);
    expect(localDevice(mapStorage(), () => 'd', undefined).nextSeq()).toBe(1);
  });

  it('folds an edit of a person registered on the device into its create', async () => {
    const { queue } = await setup();
    const c = await queue.create({ full_name: 'A', phone: '' }, 'A');
    await queue.update(c.person_id!, 1, { phone: '0812' }, '', 'A');
    const all = await queue.all();
    expect(all).toHaveLength(1);
    expect(all[0].op.person).toEqual({ full_name: 'A', phone: '0812' });
  });

  it('folds a second edit into the first, and names the create once it is on its way', async () => {
    const { queue } = await setup();
    await queue.update('p9', 4, { phone: '1' }, 'pindah nomor', 'X');
    await queue.update('p9', 4, { full_name: 'Y' }, '', 'Y');
    let all = await queue.all();
    expect(all).toHaveLength(1);
    expect(all[0].op).toMatchObject({
      base_version: 4,
      changes: { phone: '1', full_name: 'Y' },
      change_reason: 'pindah nomor',
    });
    const c = await queue.create({ full_name: 'B' }, 'B');
    queue.inFlight.add(c.key);
    const u = await queue.update(c.person_id!, 1, { phone: '2' }, '', 'B');
    expect(u).toMatchObject({ type: 'person.update', after: c.key, base_version: 1 });
    const p = await queue.photo(c.person_id!, 1, { media_type: 'image/jpeg', data: 'AAA' }, 'B');
    const p2 = await queue.photo(c.person_id!, 1, { media_type: 'image/jpeg', data: 'BBB' }, 'B');
    expect(p2.key).toBe(p.key);
    all = await queue.all();
    expect(all.map((q) => q.op.type)).toEqual([
      'person.update',
      'person.create',
      'person.update',
      'person.photo',
    ]);
    expect(all[3].op).toMatchObject({ after: c.key, photo: { data: 'BBB' } });
  });

  it('sends a field cleared in the form as null (never the NIK, photo or documents)', () => {
    expect(
      changedFields(
        {
          full_name: 'A',
          severity: 'berat',
          onset: 'lahir',
          onset_year: 2001,
          cause: 'penyakit',
          home: { lon: 1, lat: 2, source: 'map' },
          caregiver: { name: 'B', relationship: 'ibu', phone: '' },
          account: { kind: 'bank', provider: 'BRI', number: '1', holder_name: 'A' },
          kk: '7371010101010001',
          nik: '7371010101010002',
          photo_id: 'x',
          documents: [],
        },
        { full_name: 'A' },
      ),
    ).toEqual({
      severity: null,
      onset: null,
      onset_year: null,
      cause: null,
      home: null,
      caregiver: null,
      account: null,
      kk: null,
    });
  });

  it('sends only the fields that changed', () => {
    expect(
      changedFields(
        { full_name: 'A', address: { rt: '1' }, photo_id: 'x', phone: '' },
        { full_name: 'A', address: { rt: '2' }, photo_id: 'y', phone: '' },
      ),
    ).toEqual({ address: { rt: '2' } });
  });
});

describe('batches', () => {
  const q = (seq: number, type: Op['type'] = 'person.update', size = 10) => ({
    op: { key: `k${seq}`, seq, type, at: '', changes: { x: 'a'.repeat(size) } } as Op,
    label: '',
  });

  it('holds at most 100 ops, and a photo alone', () => {
    const ops = Array.from({ length: 250 }, (_, i) => q(i + 1));
    expect(nextBatch(ops)).toHaveLength(100);
    const photo = q(3, 'person.photo');
    photo.op.photo = { media_type: 'image/jpeg', data: 'AAAA' };
    const mixed = [q(1), q(2), photo, q(4)];
    expect(nextBatch(mixed).map((x) => x.op.seq)).toEqual([1, 2]);
    expect(nextBatch(mixed.slice(2)).map((x) => x.op.seq)).toEqual([3]);
    // A removal carries no data: it goes with the others.
    const removal = q(3, 'person.photo');
    removal.op.photo = null;
    expect(nextBatch([q(1), removal, q(4)]).map((x) => x.op.seq)).toEqual([1, 3, 4]);
    expect(nextBatch([q(1), q(2)], 100, 60).map((x) => x.op.seq)).toEqual([1]);
  });
});

describe('the answers to a batch', () => {
  it('drops every answered op, lists conflicts and refusals, keeps the unanswered', async () => {
    const { store, queue } = await setup();
    const c = await queue.create({ full_name: 'A' }, 'Ani');
    await store.put(keys.person(c.person_id!), { id: c.person_id, version: 1, pending: true });
    const u1 = await queue.update('p1', 3, { phone: '1' }, '', 'Budi');
    const u2 = await queue.update('p2', 3, { phone: '1' }, '', 'Citra');
    const u3 = await queue.update('p3', 3, { phone: '1' }, '', 'Dedi');
    const h1 = await queue.handover({ cycle_id: 'c', card_number: '1' }, 'Eka');
    const h2 = await queue.handover({ cycle_id: 'c', card_number: '2' }, 'Fajar');
    const unanswered = await queue.handover({ cycle_id: 'c', card_number: '3' }, 'Gita');
    const results: OpResult[] = [
      { key: c.key, status: 'applied', person_id: c.person_id, version: 1 },
      { key: u1.key, status: 'applied', replayed: true, person_id: 'p1', version: 4 },
      { key: u2.key, status: 'merged', person_id: 'p2', version: 6, merged_fields: ['phone'] },
      { key: u3.key, status: 'conflict', person_id: 'p3', conflict_id: 'cf1', fields: ['phone'] },
      { key: h1.key, status: 'waiting', waiting_for: 'zzz' },
      {
        key: h2.key,
        status: 'rejected',
        error: { code: 'aid.already_delivered', title: 'Sudah', status: 409, detail: 'kemarin' },
      },
    ];
    const out = await handleResults(store, queue, await queue.all(), results);
    expect(out).toEqual({ applied: 2, merged: 1, conflicts: 1, waiting: 1, rejected: 1, kept: 1 });
    expect((await queue.all()).map((x) => x.op.key)).toEqual([unanswered.key]);
    expect(await store.get<ConflictOp[]>(keys.conflicts)).toEqual([
      expect.objectContaining({
        label: 'Dedi',
        person_id: 'p3',
        conflict_id: 'cf1',
        fields: ['phone'],
      }),
    ]);
    expect(await store.get<RejectedOp[]>(keys.rejected)).toEqual([
      expect.objectContaining({
        label: 'Fajar',
        error: expect.objectContaining({ code: 'aid.already_delivered' }),
      }),
    ]);
    expect(await store.get(keys.person(c.person_id!))).toMatchObject({
      version: 1,
      pending: false,
    });
  });

  it('keeps everything when the network fails, and sends it all later in batches', async () => {
    const { store, queue } = await setup();
    for (let i = 0; i < 150; i++) {
      await queue.handover({ cycle_id: 'c', card_number: String(i) }, `P${i}`);
    }
    await queue.photo('p1', 2, { media_type: 'image/jpeg', data: 'AAAA' }, 'Foto');
    const sent: number[] = [];
    let online = false;
    const transport: Transport = {
      async batch(deviceId, ops): Promise<BatchAnswer> {
        expect(deviceId).toBe('device-1');
        if (!online) {
          throw failure(0);
        }
        sent.push(ops.length);
        return { results: ops.map((o) => ({ key: o.key, status: 'applied' })) };
      },
      pull: async () => {
        throw failure(0);
      },
    };
    const offline = await sendQueue(store, queue, transport, 'device-1', classify);
    expect(offline.stopped).toBe('network');
    expect(await queue.count()).toBe(151);
    expect(queue.inFlight.size).toBe(0);
    online = true;
    const report = await sendQueue(store, queue, transport, 'device-1', classify);
    expect(report).toMatchObject({ applied: 151, stopped: null });
    expect(sent).toEqual([100, 50, 1]);
    expect(await queue.count()).toBe(0);
  });

  it('never folds an edit into an op that has been sent once (its answer may be lost)', async () => {
    const { store, queue } = await setup();
    const first = await queue.update('p1', 3, { phone: '1' }, '', 'A');
    let seen: Op[] = [];
    let online = false;
    const transport: Transport = {
      async batch(_d, ops) {
        seen = ops.map((o) => JSON.parse(JSON.stringify(o)) as Op);
        if (!online) {
          throw failure(0);
        }
        return {
          results: ops.map((o) => ({ key: o.key, status: 'applied', person_id: 'p1', version: 4 })),
        };
      },
      pull: async () => ({ persons: [], removed: [], next: '', more: false }),
    };
    expect((await sendQueue(store, queue, transport, 'd', classify)).stopped).toBe('network');
    // The server may have applied it: the next edit is an op of its own, the first unchanged.
    const second = await queue.update('p1', 3, { full_name: 'B' }, '', 'B');
    expect(second.key).not.toBe(first.key);
    const all = await queue.all();
    expect(all.map((q) => q.op.changes)).toEqual([{ phone: '1' }, { full_name: 'B' }]);
    expect(all[0].sent).toBe(true);
    online = true;
    await sendQueue(store, queue, transport, 'd', classify);
    expect(seen[0]).toEqual(first);
    expect(seen[0]).not.toHaveProperty('sent');
    // The server answered version 4: an edit from the older copy starts from it.
    const third = await queue.update('p1', 3, { phone: '2' }, '', 'C');
    expect(third.base_version).toBe(4);
  });

  it('queues a create under the key of a lost online POST and follows the id the server answers', async () => {
    const { store, queue } = await setup();
    const body = { full_name: 'A', phone: '' };
    const c = await queue.create(body, 'A', 'online-key');
    expect(c.key).toBe('online-key');
    expect(c.person).toBe(body);
    await store.put(keys.person(c.person_id!), { id: c.person_id, version: 1, pending: true });
    // Never folded into: the server compares its body with the POST's.
    const u = await queue.update(c.person_id!, 1, { phone: '0812' }, '', 'A');
    expect(u.key).not.toBe(c.key);
    expect(c.person).toEqual({ full_name: 'A', phone: '' });
    const all = await queue.all();
    await handleResults(
      store,
      queue,
      [all[0]],
      [
        {
          key: 'online-key',
          status: 'applied',
          replayed: true,
          person_id: 'server-id',
          version: 1,
        },
      ],
    );
    expect(await store.get(keys.person(c.person_id!))).toBeNull();
    expect(await store.get(keys.person('server-id'))).toMatchObject({ id: 'server-id' });
    expect(await store.get(keys.moved)).toEqual({ [c.person_id!]: 'server-id' });
    const left = await queue.all();
    expect(left.map((q) => q.op.person_id)).toEqual(['server-id']);
    expect(left[0].op.after).toBe('online-key');
  });

  it('refuses the op a 422 for the whole batch names, and sends the rest', async () => {
    const { store, queue } = await setup();
    await queue.handover({ cycle_id: 'c', card_number: '1' }, 'A');
    const bad = await queue.handover({ cycle_id: 'c', card_number: '2' }, 'B');
    let calls = 0;
    const transport: Transport = {
      async batch(_d, ops) {
        calls += 1;
        if (ops.some((o) => o.key === bad.key)) {
          throw Object.assign(failure(422), {
            problem: { status: 422, code: 'validation_failed', errors: [{ field: 'ops[1].at' }] },
          });
        }
        return { results: ops.map((o) => ({ key: o.key, status: 'applied' as const })) };
      },
      pull: async () => ({ persons: [], removed: [], next: '', more: false }),
    };
    const report = await sendQueue(store, queue, transport, 'd', classify);
    expect(report).toMatchObject({ applied: 1, rejected: 1 });
    expect(calls).toBe(2);
    expect((await store.get<RejectedOp[]>(keys.rejected))![0].label).toBe('B');
  });

  it('keeps what a refused op held, and sends it again as a new op', async () => {
    const { store, queue } = await setup();
    const op = await queue.update('p1', 2, { phone: '0812' }, 'nomor baru', 'A');
    const transport: Transport = {
      async batch() {
        throw Object.assign(failure(400), { problem: { status: 400, title: 'bad' } });
      },
      pull: async () => ({ persons: [], removed: [], next: '', more: false }),
    };
    expect((await sendQueue(store, queue, transport, 'd', classify)).rejected).toBe(1);
    const [r] = (await store.get<RejectedOp[]>(keys.rejected))!;
    expect(r.op).toMatchObject({ key: op.key, changes: { phone: '0812' } });
    const again = await queue.requeue(r.op!, r.label);
    expect(again.key).not.toBe(op.key);
    expect(again).toMatchObject({
      type: 'person.update',
      person_id: 'p1',
      base_version: 2,
      changes: { phone: '0812' },
      change_reason: 'nomor baru',
    });
  });

  it('forgets the values the server did not apply, and fetches the person again', async () => {
    const { store, queue } = await setup();
    const c = await queue.create({ full_name: 'A' }, 'Ani');
    await store.put(keys.person(c.person_id!), { id: c.person_id, version: 1, pending: true });
    const u = await queue.update('p1', 3, { phone: '1' }, '', 'Budi');
    await store.put(keys.person('p1'), { id: 'p1', version: 3, phone: '1', pending: true });
    const w = await queue.update('p2', 3, { phone: '1' }, '', 'Citra');
    await queue.markSent(await queue.all());
    const later = await queue.update('p2', 3, { phone: '2' }, '', 'Citra'); // still waits
    await store.put(keys.person('p2'), { id: 'p2', version: 3, phone: '2', pending: true });
    const sent = (await queue.all()).filter((q) => q.op.key !== later.key);
    await handleResults(store, queue, sent, [
      { key: c.key, status: 'rejected', error: { code: 'validation_failed' } },
      { key: u.key, status: 'conflict', person_id: 'p1', conflict_id: 'k1', fields: ['phone'] },
      { key: w.key, status: 'conflict', person_id: 'p2', conflict_id: 'k2', fields: ['phone'] },
    ]);
    expect(await store.get(keys.person(c.person_id!))).toBeNull();
    expect(await store.get(keys.person('p1'))).toMatchObject({ pending: false });
    expect(await store.get(keys.person('p2'))).toMatchObject({ pending: true });
    expect(await store.get(keys.stale)).toEqual(['p1']);
    const fetched: string[] = [];
    const transport: Transport = {
      batch: async () => ({ results: [] }),
      pull: async () => ({ persons: [], removed: [], next: '', more: false }),
      person: async (id) => {
        fetched.push(id);
        return { id, version: 4, phone: '0' } as unknown as Person;
      },
    };
    expect(await refreshStale(store, queue, transport)).toBe(1);
    expect(fetched).toEqual(['p1']);
    expect(await store.get(keys.person('p1'))).toEqual({ id: 'p1', version: 4, phone: '0' });
    expect(await store.get(keys.stale)).toEqual([]);
  });

  it('keeps an op answered with a status it does not know', async () => {
    const { store, queue } = await setup();
    const op = await queue.handover({ cycle_id: 'c', card_number: '1' }, 'A');
    const sent = await queue.all();
    const o = await handleResults(store, queue, sent, [
      { key: op.key, status: 'postponed' as OpResult['status'] },
    ]);
    expect(o).toMatchObject({ kept: 1, rejected: 0 });
    expect(await queue.count()).toBe(1);
  });
});

describe('pulling', () => {
  const list = (delivered = false): HandoverList => ({
    cycle_id: 'c1',
    program_code: 'P',
    program_name: 'Program',
    cycle_number: 1,
    cycle_name: 'Tahap 1',
    starts_on: '2026-11-01',
    ends_on: '2026-12-31',
    entries: [
      { person_id: 'a', name: 'A', kelurahan_code: 'k', card_number: '1', delivered },
      { person_id: 'b', name: 'B', kelurahan_code: 'k', card_number: '2', delivered: false },
    ],
  });

  it('pages until more is false, keeps the token, drops the removed', async () => {
    const { store, queue } = await setup();
    await store.put(keys.person('old'), { id: 'old' });
    const asked: (string | null)[] = [];
    const pages: PullAnswer[] = [
      {
        persons: [{ id: 'p1', version: 1 } as never],
        removed: [],
        handover: [list()],
        next: 't1',
        more: true,
      },
      { persons: [{ id: 'p2', version: 2 } as never], removed: ['old'], next: 't2', more: false },
    ];
    const transport: Transport = {
      batch: async () => ({ results: [] }),
      pull: async (since) => {
        asked.push(since);
        return pages[asked.length - 1];
      },
    };
    expect(await pullAll(store, queue, transport, classify)).toEqual({ persons: 2, removed: 1 });
    expect(asked).toEqual([null, 't1']);
    expect(await store.get(keys.person('old'))).toBeNull();
    expect(await store.get(keys.person('p2'))).toMatchObject({ version: 2 });
    expect(await store.get(keys.handover('c1'))).toMatchObject({ cycle_name: 'Tahap 1' });
    expect(await store.get(keys.pull)).toMatchObject({ next: 't2' });
  });

  it('starts over when the server no longer reads the token', async () => {
    const { store, queue } = await setup();
    await store.put(keys.pull, { next: 'stale', at: '' });
    const asked: (string | null)[] = [];
    const transport: Transport = {
      batch: async () => ({ results: [] }),
      pull: async (since) => {
        asked.push(since);
        if (since === 'stale') {
          throw failure(422);
        }
        return { persons: [], removed: [], next: 'fresh', more: false };
      },
    };
    await pullAll(store, queue, transport, classify);
    expect(asked).toEqual(['stale', null]);
  });

  it('marks the handovers still waiting on the device as delivered', async () => {
    const { queue } = await setup();
    await queue.handover({ cycle_id: 'c1', qr: 'HC1:…' }, 'B', 'b');
    const marked = markPending(list(), await queue.all());
    expect(marked.entries.map((e) => [e.person_id, e.delivered, e.pending ?? false])).toEqual([
      ['a', false, false],
      ['b', true, true],
    ]);
  });
});

describe('the session that sends', () => {
  it('must be the store’s user (user names compared in lower case)', async () => {
    const { sameUser } = await import('./device');
    const session = (username: string) =>
      ({
        user: { username, display_name: '', role: 'operator', area_codes: [] },
        csrf_token: '',
      }) as unknown as Parameters<typeof sameUser>[1];
    expect(sameUser('Op1', session('op1'))).toBe(true);
    expect(sameUser('op1', session('op2'))).toBe(false);
    expect(sameUser('op1', null)).toBe(false);
  });
});

describe('signing out', () => {
  it('deletes the device data only when it is the signed-in user’s', async () => {
    const { ownsDeviceData } = await import('./device');
    expect(ownsDeviceData('op1', 'OP1')).toBe(true);
    expect(ownsDeviceData('op1', 'op2')).toBe(false);
    expect(ownsDeviceData(null, 'op2')).toBe(false);
  });
});
