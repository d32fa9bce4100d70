// The operation queue (docs/sync.md "Operations"): every change made on the device while the
// server cannot be reached becomes one op, kept in order in the encrypted store until the server
// has answered for it. Edits fold into an op not yet sent (an edit of a person registered on the
// device goes into its create, a second edit into the first), so that the server sees one change
// per person and never a conflict of the device with itself.
import type { LocalStore } from './store';
import { uuidv7 } from './uuidv7';

export type OpType =
  'person.create' | 'person.update' | 'person.photo' | 'aid.handover' | 'service.request';

/// A service request opened on the device: by the person's id, or by a scanned card's QR (the
/// server verifies the card when the op arrives).
export interface ServiceRequestOp {
  service: string;
  note: string;
  person_id?: string;
  qr?: string;
}

export interface PhotoData {
  media_type: 'image/jpeg' | 'image/png';
  data: string;
}

/// The handover of aid as POST /api/v1/aid/cycles/{id}/handovers takes it, plus `cycle_id`.
export interface HandoverOp {
  cycle_id: string;
  qr?: string;
  card_number?: string;
  person_id?: string;
  search_reason?: string;
  lon?: number;
  lat?: number;
  accuracy_m?: number;
  evidence?: string;
  evidence_type?: 'image/jpeg';
  note?: string;
}

/// One op exactly as POST /api/v1/sync/batch takes it.
export interface Op {
  key: string;
  seq: number;
  type: OpType;
  at: string;
  after?: string;
  person_id?: string;
  person?: Record<string, unknown>;
  base_version?: number;
  changes?: Record<string, unknown>;
  change_reason?: string;
  /// The new photo, or null: remove the person's photo.
  photo?: PhotoData | null;
  handover?: HandoverOp;
  service?: ServiceRequestOp;
}

/// An op with what the device shows of it (never sent).
export interface QueuedOp {
  op: Op;
  /// Whom it is about, for the lists of waiting and refused changes.
  label: string;
  /// The person the device found the op to be about (a handover identified by its QR).
  subject?: string;
  /// It has been in a batch once: the server may have applied it even when the answer was lost,
  /// so it is sent again exactly as it was (same key, same content) and never folded into.
  sent?: boolean;
}

/// The device's identity and order numbers, kept in localStorage (not personal; they survive a
/// wipe so that a seq is never reused on this device).
export interface Device {
  id(): string;
  nextSeq(): number | Promise<number>;
}

/// The part of the Web Locks API (navigator.locks) taking a seq needs.
export interface Locks {
  request<T>(name: string, callback: () => T | Promise<T>): Promise<T>;
}

function webLocks(): Locks | undefined {
  try {
    return (globalThis.navigator as (Navigator & { locks?: Locks }) | undefined)?.locks;
  } catch {
    return undefined;
  }
}

export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const deviceKey = 'kapal.device';

/// Taking a seq reads and writes localStorage, which every tab shares: under a Web Lock (where
/// the browser has them) two tabs never take the same seq.
export function localDevice(
  storage: KeyValue,
  newId: () => string = () => crypto.randomUUID(),
  locks: Locks | undefined = webLocks(),
): Device {
  const read = (): { id: string; seq: number } => {
    try {
      const d = JSON.parse(storage.getItem(deviceKey) ?? 'null') as { id: string; seq: number };
      if (d && typeof d.id === 'string' && Number.isInteger(d.seq)) {
        return d;
      }
    } catch {
      // A damaged entry: a new device identity.
    }
    const fresh = { id: newId(), seq: 0 };
    storage.setItem(deviceKey, JSON.stringify(fresh));
    return fresh;
  };
  return {
    id: () => read().id,
    nextSeq: () => {
      const take = (): number => {
        const d = read();
        d.seq += 1;
        storage.setItem(deviceKey, JSON.stringify(d));
        return d.seq;
      };
      return locks ? locks.request('kapal.device.seq', take) : take();
    },
  };
}

const opPrefix = 'op:';
const createdKey = 'state:created';
const versionsKey = 'state:versions';

function opKey(seq: number): string {
  return `${opPrefix}${String(seq).padStart(12, '0')}`;
}

export interface QueueOptions {
  now?: () => Date;
  newKey?: () => string;
  newPersonId?: () => string;
}

export class Queue {
  /// Keys of ops in a batch on its way: never folded into (the server may already have them).
  readonly inFlight = new Set<string>();
  private readonly now: () => Date;
  private readonly newKey: () => string;
  private readonly newPersonId: () => string;

  constructor(
    private readonly store: LocalStore,
    private readonly device: Device,
    options: QueueOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.newKey = options.newKey ?? (() => crypto.randomUUID());
    this.newPersonId = options.newPersonId ?? (() => uuidv7());
  }

  /// The waiting ops in order.
  async all(): Promise<QueuedOp[]> {
    return (await this.store.list<QueuedOp>(opPrefix)).map((r) => r.value);
  }

  async count(): Promise<number> {
    return (await this.store.backend.keys(opPrefix)).length;
  }

  /// Marks ops as sent (persisted before the batch leaves): nothing folds into them any more.
  async markSent(entries: QueuedOp[]): Promise<void> {
    const fresh = entries.filter((q) => !q.sent);
    if (fresh.length === 0) {
      return;
    }
    fresh.forEach((q) => (q.sent = true));
    await this.store.putAll(fresh.map((q) => [opKey(q.op.seq), q]));
  }

  /// The server created the person under `to` (an online POST whose answer was lost got there
  /// first) instead of the id the device chose: the waiting ops of the person follow.
  async rekey(from: string, to: string): Promise<void> {
    const moved = (await this.all()).filter(
      (q) =>
        q.op.person_id === from ||
        q.subject === from ||
        q.op.handover?.person_id === from ||
        q.op.service?.person_id === from,
    );
    for (const q of moved) {
      if (q.op.person_id === from) {
        q.op.person_id = to;
      }
      if (q.subject === from) {
        q.subject = to;
      }
      if (q.op.handover?.person_id === from) {
        q.op.handover.person_id = to;
      }
      if (q.op.service?.person_id === from) {
        q.op.service.person_id = to;
      }
    }
    if (moved.length) {
      await this.store.putAll(moved.map((q) => [opKey(q.op.seq), q]));
    }
    const created = await this.created();
    if (created[from]) {
      created[to] = created[from];
      delete created[from];
      await this.store.put(createdKey, created);
    }
  }

  /// The server answered that it wrote the person at `version`: a later edit starts from it.
  async settled(personId: string, version: number): Promise<void> {
    const versions = await this.versions();
    if ((versions[personId] ?? 0) < version) {
      versions[personId] = version;
      await this.store.put(versionsKey, versions);
    }
  }

  private async versions(): Promise<Record<string, number>> {
    return (await this.store.get<Record<string, number>>(versionsKey)) ?? {};
  }

  /// Drops answered ops.
  async remove(ops: Op[]): Promise<void> {
    await this.store.delete(...ops.map((o) => opKey(o.seq)));
  }

  private async add(
    type: OpType,
    label: string,
    fields: Omit<Op, 'key' | 'seq' | 'type' | 'at'>,
    subject?: string,
    key?: string,
  ): Promise<Op> {
    const op: Op = {
      key: key ?? this.newKey(),
      seq: await this.device.nextSeq(),
      type,
      at: this.now().toISOString(),
      ...fields,
    };
    const entry: QueuedOp = { op, label, ...(subject ? { subject } : {}) };
    await this.store.put(opKey(op.seq), entry);
    return op;
  }

  private async replace(entry: QueuedOp): Promise<void> {
    await this.store.put(opKey(entry.op.seq), entry);
  }

  /// The keys of creates made on this device, by person id (for `after`).
  private async created(): Promise<Record<string, string>> {
    return (await this.store.get<Record<string, string>>(createdKey)) ?? {};
  }

  /// The version a new edit of a person starts from: the newest the server answered for it (an
  /// earlier op of this device may have moved it past the copy the page showed); a person
  /// created on the device and not yet answered for: 1, after its create.
  private async startFrom(
    personId: string,
    baseVersion: number,
  ): Promise<{ after?: string; base: number }> {
    const answered = (await this.versions())[personId];
    if (answered !== undefined) {
      return { base: Math.max(baseVersion, answered) };
    }
    const after = (await this.created())[personId];
    return after ? { after, base: 1 } : { base: baseVersion };
  }

  /// Registers a person: `person` is the body of POST /api/v1/persons. The op carries the id the
  /// device chose.
  /// `key`: the Idempotency-Key of an online POST of this same body whose answer was lost; the
  /// server recognises it (the person it created, never a second one), so the op is treated as
  /// sent from the start (an edit never changes its body).
  async create(person: Record<string, unknown>, label: string, key?: string): Promise<Op> {
    const personId = this.newPersonId();
    const op = await this.add(
      'person.create',
      label,
      { person_id: personId, person },
      undefined,
      key,
    );
    if (key) {
      await this.markSent([{ op, label, sent: false }]);
    }
    const created = await this.created();
    created[personId] = op.key;
    await this.store.put(createdKey, created);
    return op;
  }

  /// Changes `changes` (top-level fields as PUT names them) of a person at `baseVersion`. Folds
  /// into the person's create or last update while those wait unsent; the op it went into.
  async update(
    personId: string,
    baseVersion: number,
    changes: Record<string, unknown>,
    changeReason: string,
    label: string,
  ): Promise<Op> {
    const waiting = (await this.all()).filter(
      (q) => q.op.person_id === personId && !q.sent && !this.inFlight.has(q.op.key),
    );
    const create = waiting.find((q) => q.op.type === 'person.create');
    if (create) {
      create.op.person = { ...create.op.person, ...changes };
      create.label = label;
      await this.replace(create);
      return create.op;
    }
    const update = waiting.filter((q) => q.op.type === 'person.update').pop();
    if (update) {
      update.op.changes = { ...update.op.changes, ...changes };
      if (changeReason) {
        update.op.change_reason = changeReason;
      }
      update.label = label;
      await this.replace(update);
      return update.op;
    }
    const { after, base } = await this.startFrom(personId, baseVersion);
    return this.add('person.update', label, {
      person_id: personId,
      base_version: base,
      changes,
      ...(changeReason ? { change_reason: changeReason } : {}),
      ...(after ? { after } : {}),
    });
  }

  /// Sets a person's photo, or removes it (`photo` null); a photo op (or removal) still waiting
  /// unsent for the person is replaced by this one.
  async photo(
    personId: string,
    baseVersion: number,
    photo: PhotoData | null,
    label: string,
  ): Promise<Op> {
    const waiting = (await this.all()).find(
      (q) =>
        q.op.type === 'person.photo' &&
        q.op.person_id === personId &&
        !q.sent &&
        !this.inFlight.has(q.op.key),
    );
    if (waiting) {
      waiting.op.photo = photo;
      waiting.op.at = this.now().toISOString();
      await this.replace(waiting);
      return waiting.op;
    }
    const { after, base } = await this.startFrom(personId, baseVersion);
    return this.add('person.photo', label, {
      person_id: personId,
      base_version: base,
      photo,
      ...(after ? { after } : {}),
    });
  }

  /// Sends a refused op again as a new op (a new key and seq: the refused key stays refused on
  /// the server), with the content it had.
  async requeue(op: Op, label: string): Promise<Op> {
    const { key: _key, seq: _seq, type, at: _at, ...fields } = op;
    return this.add(type, label, fields);
  }

  /// Opens a service request (`subject`: the person it is for, when the device knows). `key`: the
  /// Idempotency-Key of an online attempt that may have reached the server (opened once). A
  /// request for a person registered on this device and not yet answered for names that
  /// registration in `after` (refused with it, never opened for no one).
  async serviceRequest(
    service: ServiceRequestOp,
    label: string,
    subject?: string,
    key?: string,
  ): Promise<Op> {
    const personId = service.person_id;
    const after =
      personId && (await this.versions())[personId] === undefined
        ? (await this.created())[personId]
        : undefined;
    return this.add(
      'service.request',
      label,
      { service, ...(after ? { after } : {}) },
      subject,
      key,
    );
  }

  /// Records a handover of aid to `subject` (the person id the device found on its list). `key`:
  /// the Idempotency-Key of an online attempt that may have reached the server before the
  /// connection dropped, so that the server recognises it (never twice).
  async handover(handover: HandoverOp, label: string, subject?: string, key?: string): Promise<Op> {
    return this.add('aid.handover', label, { handover }, subject, key);
  }
}

/// The top-level fields of `next` that differ from `before` (JSON equality; `address` and
/// `home` whole, as docs/sync.md compares them). A field in `before` and no longer in `next` was
/// cleared (the form leaves an emptied severity, onset, cause, home, caregiver, account… out of
/// the body): it is sent as null, which the server reads as absent, as PUT does. Except the NIK
/// (PUT's rule: an absent NIK keeps the stored one) and the photo and documents (ops of their own
/// or online only).
export function changedFields(
  before: Record<string, unknown>,
  next: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const skip = new Set(['photo_id', 'documents']);
  for (const [key, value] of Object.entries(next)) {
    if (skip.has(key)) {
      continue;
    }
    if (JSON.stringify(value) !== JSON.stringify(before[key])) {
      out[key] = value;
    }
  }
  for (const [key, value] of Object.entries(before)) {
    if (skip.has(key) || key === 'nik' || key === 'change_reason' || key in next) {
      continue;
    }
    if (value !== null && value !== undefined) {
      out[key] = null;
    }
  }
  return out;
}
