// Service requests in the device's queue: the key of the online attempt kept, a request for a
// person registered on the device waiting for that registration, and following the person when
// the server created it under another id.
import { describe, expect, it } from 'vitest';

import { MemoryBackend } from './backend';
import { localDevice, Queue } from './queue';
import { LocalStore } from './store';

function mapStorage(): { getItem(k: string): string | null; setItem(k: string, v: string): void } {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v) };
}

async function setup() {
  const store = await LocalStore.create(new MemoryBackend(), 'op1', 'rahasia', new Date(), 1000);
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
  return { store, queue };
}

describe('service requests in the queue', () => {
  it('keeps the Idempotency-Key of the online attempt as the op’s key', async () => {
    const { queue } = await setup();
    const qr = 'NCFOXN%TS';
    const op = await queue.serviceRequest(
      { service: 'pangan', note: 'beras', qr },
      'Siti — Bantuan pangan',
      undefined,
      '0193aaaa-0000-7000-8000-000000000001',
    );
    expect(op.key).toBe('0193aaaa-0000-7000-8000-000000000001');
    expect(op.type).toBe('service.request');
    expect(op.service).toEqual({ service: 'pangan', note: 'beras', qr });
    expect(op.after).toBeUndefined();
    // Without a key, a key of the device's own.
    expect((await queue.serviceRequest({ service: 'sandang', note: '', qr }, 'x')).key).toBe(
      'key-1',
    );
  });

  it('makes a request for a person registered on the device wait for the registration', async () => {
    const { queue } = await setup();
    const create = await queue.create({ full_name: 'Siti Baru' }, 'Siti Baru');
    const personId = create.person_id!;
    const op = await queue.serviceRequest(
      { service: 'alat_bantu', note: '', person_id: personId },
      'Siti Baru — Alat bantu',
      personId,
    );
    expect(op.after).toBe(create.key);
    // Once the server answered for the registration, a request needs no `after`.
    await queue.settled(personId, 1);
    const later = await queue.serviceRequest(
      { service: 'pangan', note: '', person_id: personId },
      'Siti Baru — Pangan',
      personId,
    );
    expect(later.after).toBeUndefined();
    // A person the server has: none either.
    const known = await queue.serviceRequest(
      { service: 'pangan', note: '', person_id: 'server-person' },
      'x',
      'server-person',
    );
    expect(known.after).toBeUndefined();
  });

  it('follows the person when the server created it under another id', async () => {
    const { queue } = await setup();
    const create = await queue.create({ full_name: 'Siti Baru' }, 'Siti Baru');
    const personId = create.person_id!;
    await queue.serviceRequest(
      { service: 'alat_bantu', note: '', person_id: personId },
      'Siti Baru — Alat bantu',
      personId,
    );
    await queue.rekey(personId, 'server-id');
    const waiting = (await queue.all()).find((q) => q.op.type === 'service.request')!;
    expect(waiting.op.service?.person_id).toBe('server-id');
    expect(waiting.subject).toBe('server-id');
  });
});
