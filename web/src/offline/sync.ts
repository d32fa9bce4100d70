// Sending the queue and pulling the areas' data (docs/sync.md "Sending", "Pulling"). The
// transport is passed in (the API in the app, a fake in the tests); this module decides what
// goes in a batch and what each answer means for the device.
import type { Person } from '../api';
import type { Op, Queue, QueuedOp } from './queue';
import type { LocalStore } from './store';

/// At most this many ops per batch (the server's limit).
export const maxBatchOps = 100;
/// Stay under the server's 1 MiB body limit with room for the JSON around the ops.
export const maxBatchBytes = 900 * 1024;

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  code?: string;
  detail?: string;
  fields?: { field: string; code?: string; message?: string }[];
  errors?: { field: string; code?: string; message?: string }[];
}

export interface OpResult {
  key: string;
  status: 'applied' | 'merged' | 'conflict' | 'waiting' | 'rejected';
  replayed?: boolean;
  person_id?: string;
  version?: number;
  merged_fields?: string[];
  conflict_id?: string;
  fields?: string[];
  waiting_for?: string;
  delivery_id?: string;
  error?: Problem;
}

export interface BatchAnswer {
  results: OpResult[];
  server_time?: string;
}

export interface HandoverEntry {
  person_id: string;
  name: string;
  kelurahan_code: string;
  card_number: string | null;
  delivered: boolean;
  /// Handed over on this device, not yet confirmed by the server.
  pending?: boolean;
}

export interface HandoverList {
  cycle_id: string;
  program_code: string;
  program_name: string;
  cycle_number: number;
  cycle_name: string;
  starts_on: string;
  ends_on: string;
  entries: HandoverEntry[];
}

export interface PullAnswer {
  persons: Person[];
  removed: string[];
  handover?: HandoverList[];
  next: string;
  more: boolean;
  server_time?: string;
}

/// A person as the device keeps it: the server's, with the device's unsent changes on top.
export type LocalPerson = Person & { pending?: boolean };

/// A change the server refused for good.
export interface RejectedOp {
  key: string;
  type: Op['type'];
  label: string;
  at: string;
  person_id?: string;
  error: Problem;
  /// The op as it was queued (what the user typed), to read, copy or send again.
  op?: Op;
}

/// A change kept on the server as a conflict for a supervisor.
export interface ConflictOp {
  key: string;
  type: Op['type'];
  label: string;
  at: string;
  person_id: string;
  conflict_id: string;
  fields: string[];
}

export interface Transport {
  batch(deviceId: string, ops: Op[]): Promise<BatchAnswer>;
  pull(since: string | null, limit: number): Promise<PullAnswer>;
  /// GET /api/v1/persons/{id}: the server's person, or null when it has none (404).
  person?(id: string): Promise<Person | null>;
}

/// The ops of the next batch: the first ops in order, at most `maxOps` and `maxBytes` of JSON,
/// and an op with a photo's data always alone (it can be half the server's body limit by itself).
export function nextBatch(
  ops: QueuedOp[],
  maxOps: number = maxBatchOps,
  maxBytes: number = maxBatchBytes,
): QueuedOp[] {
  const out: QueuedOp[] = [];
  let bytes = 0;
  for (const q of ops) {
    const size = JSON.stringify(q.op).length;
    // A photo's data can be half the body limit: alone. A removal (no data) is small.
    const photo = q.op.type === 'person.photo' && q.op.photo != null;
    if (out.length > 0 && (photo || out.length >= maxOps || bytes + size > maxBytes)) {
      break;
    }
    out.push(q);
    bytes += size;
    if (photo) {
      break;
    }
  }
  return out;
}

export const keys = {
  person: (id: string) => `person:${id}`,
  handover: (cycleId: string) => `handover:${cycleId}`,
  rejected: 'state:rejected',
  conflicts: 'state:conflicts',
  pull: 'state:pull',
  profile: 'state:profile',
  /// Persons whose device copy may differ from the server's (a conflict, a refusal, a merge):
  /// fetched again once no op of theirs waits.
  stale: 'state:stale',
  /// Persons the server created under another id than the device chose: device id → server id.
  moved: 'state:moved',
};

export interface Outcome {
  applied: number;
  merged: number;
  conflicts: number;
  waiting: number;
  rejected: number;
  /// Ops the server did not answer for (kept to send again).
  kept: number;
}

/// Applies the server's answer to a batch (docs/sync.md, the table of statuses): every answered
/// op leaves the queue; conflicts and refusals are listed for the user; the versions of persons
/// the server reports are kept so that the next edit starts from them.
export async function handleResults(
  store: LocalStore,
  queue: Queue,
  sent: QueuedOp[],
  results: OpResult[],
): Promise<Outcome> {
  const outcome: Outcome = {
    applied: 0,
    merged: 0,
    conflicts: 0,
    waiting: 0,
    rejected: 0,
    kept: 0,
  };
  const byKey = new Map(results.map((r) => [r.key, r]));
  const stale = new Set<string>();
  const refusedCreates = new Set<string>();
  const answered: Op[] = [];
  const rejected = (await store.get<RejectedOp[]>(keys.rejected)) ?? [];
  const conflicts = (await store.get<ConflictOp[]>(keys.conflicts)) ?? [];
  for (const q of sent) {
    const r = byKey.get(q.op.key);
    if (!r) {
      outcome.kept += 1;
      continue;
    }
    answered.push(q.op);
    const personId = r.person_id ?? q.op.person_id;
    if (
      q.op.type === 'person.create' &&
      q.op.person_id &&
      r.person_id &&
      r.person_id !== q.op.person_id &&
      (r.status === 'applied' || r.status === 'merged')
    ) {
      await rekeyPerson(store, queue, q.op.person_id, r.person_id);
    }
    switch (r.status) {
      case 'applied':
      case 'merged':
        outcome[r.status] += 1;
        if (r.status === 'merged' && personId) {
          stale.add(personId); // others' changes are on the server's copy
        }
        if (personId && typeof r.version === 'number') {
          await queue.settled(personId, r.version);
          await settlePerson(store, queue, personId, r.version, q.op);
        }
        break;
      case 'conflict':
        outcome.conflicts += 1;
        if (personId) {
          stale.add(personId);
        }
        conflicts.push({
          key: q.op.key,
          type: q.op.type,
          label: q.label,
          at: q.op.at,
          person_id: personId ?? '',
          conflict_id: r.conflict_id ?? '',
          fields: r.fields ?? [],
        });
        break;
      case 'waiting':
        // The server keeps it and applies it once the op it waits for arrives.
        outcome.waiting += 1;
        break;
      case 'rejected':
        outcome.rejected += 1;
        if (q.op.type === 'person.create' && q.op.person_id) {
          refusedCreates.add(q.op.person_id);
        } else if (q.op.person_id) {
          stale.add(q.op.person_id);
        }
        rejected.push({
          key: q.op.key,
          type: q.op.type,
          label: q.label,
          at: q.op.at,
          ...(q.op.person_id ? { person_id: q.op.person_id } : {}),
          error: r.error ?? { title: r.status },
          op: q.op,
        });
        break;
      default:
        // A status this device does not know (a newer server): keep the op, never drop it.
        answered.pop();
        outcome.kept += 1;
        break;
    }
  }
  await store.putAll([
    [keys.rejected, rejected],
    [keys.conflicts, conflicts],
  ]);
  await queue.remove(answered);
  await forgetUnapplied(store, queue, stale, refusedCreates);
  return outcome;
}

/// After a batch's answers: a create the server refused leaves the device's persons; a person
/// whose change was kept as a conflict, refused or merged, and has no op waiting any more, loses
/// its pending mark and is listed to be fetched again (a pull skips nothing of it then, but an
/// unchanged person would never come in an incremental pull).
async function forgetUnapplied(
  store: LocalStore,
  queue: Queue,
  stale: Set<string>,
  refusedCreates: Set<string>,
): Promise<void> {
  if (stale.size === 0 && refusedCreates.size === 0) {
    return;
  }
  const busy = new Set((await queue.all()).map((q) => q.op.person_id).filter(Boolean));
  if (refusedCreates.size) {
    await store.delete(...[...refusedCreates].map(keys.person));
  }
  const list = new Set((await store.get<string[]>(keys.stale)) ?? []);
  for (const id of stale) {
    if (busy.has(id) || refusedCreates.has(id)) {
      continue;
    }
    const person = await store.get<LocalPerson>(keys.person(id));
    if (person?.pending) {
      await store.put(keys.person(id), { ...person, pending: false });
    }
    list.add(id);
  }
  await store.put(keys.stale, [...list]);
}

/// Fetches the persons listed as stale (without waiting ops) from the server into the store.
/// Stops at the first failure (the rest stay listed for the next run); a transport without
/// `person` leaves them to the pulls.
export async function refreshStale(
  store: LocalStore,
  queue: Queue,
  transport: Transport,
): Promise<number> {
  const list = (await store.get<string[]>(keys.stale)) ?? [];
  if (list.length === 0 || !transport.person) {
    return 0;
  }
  const busy = new Set((await queue.all()).map((q) => q.op.person_id).filter(Boolean));
  const left = [...list];
  let done = 0;
  try {
    for (const id of list) {
      if (!busy.has(id)) {
        const p = await transport.person(id);
        if (p) {
          // A merged person answers with the one it was merged into.
          await store.put(keys.person(p.id), p);
        }
        if (!p || p.id !== id) {
          await store.delete(keys.person(id));
        }
        done += 1;
      }
      left.splice(left.indexOf(id), 1);
    }
  } finally {
    await store.put(keys.stale, left);
  }
  return done;
}

/// The server created the person under another id than the device chose (the create an online
/// POST already made): the device's copy and the waiting ops of the person move to that id.
async function rekeyPerson(
  store: LocalStore,
  queue: Queue,
  from: string,
  to: string,
): Promise<void> {
  await queue.rekey(from, to);
  const moved = (await store.get<Record<string, string>>(keys.moved)) ?? {};
  moved[from] = to;
  await store.put(keys.moved, moved);
  const person = await store.get<LocalPerson>(keys.person(from));
  if (person) {
    await store.put(keys.person(to), { ...person, id: to });
    await store.delete(keys.person(from));
  }
}

/// The server wrote the person at `version`: the local copy takes the version (its pending mark
/// goes when no other op of the person waits).
async function settlePerson(
  store: LocalStore,
  queue: Queue,
  personId: string,
  version: number,
  done: Op,
): Promise<void> {
  const person = await store.get<LocalPerson>(keys.person(personId));
  if (!person) {
    return;
  }
  const stillWaiting = (await queue.all()).some(
    (q) => q.op.person_id === personId && q.op.key !== done.key,
  );
  await store.put(keys.person(personId), {
    ...person,
    version: Math.max(person.version, version),
    pending: stillWaiting,
  });
}

export interface SyncReport extends Outcome {
  /// Why sending stopped early: the network, the session, a refusal of the whole batch.
  stopped: 'network' | 'unauthenticated' | 'forbidden' | 'server' | null;
}

/// Error classification the runner needs from whatever the transport throws.
export interface FailureInfo {
  network: boolean;
  status: number;
  problem?: Problem;
}

/// Sends the whole queue, batch after batch, until it is empty or sending fails. A failure of
/// the network (or a 5xx, 429) keeps the unsent ops for the next try; a 400 or 422 for the whole
/// batch (a bug: the op the problem names, or every op when none is named) refuses the op(s) so
/// that the queue does not stick forever.
export async function sendQueue(
  store: LocalStore,
  queue: Queue,
  transport: Transport,
  deviceId: string,
  classify: (e: unknown) => FailureInfo,
): Promise<SyncReport> {
  const report: SyncReport = {
    applied: 0,
    merged: 0,
    conflicts: 0,
    waiting: 0,
    rejected: 0,
    kept: 0,
    stopped: null,
  };
  for (let round = 0; round < 10000; round++) {
    const batch = nextBatch(await queue.all());
    if (batch.length === 0) {
      break;
    }
    batch.forEach((q) => queue.inFlight.add(q.op.key));
    let answer: BatchAnswer;
    try {
      await queue.markSent(batch);
      answer = await transport.batch(
        deviceId,
        batch.map((q) => q.op),
      );
    } catch (e) {
      batch.forEach((q) => queue.inFlight.delete(q.op.key));
      const f = classify(e);
      if (f.status === 400 || f.status === 422) {
        const named = /^ops\[(\d+)\]/.exec(
          f.problem?.errors?.[0]?.field ?? f.problem?.fields?.[0]?.field ?? '',
        );
        const bad = named ? [batch[Number(named[1])]].filter(Boolean) : batch;
        const results: OpResult[] = bad.map((q) => ({
          key: q.op.key,
          status: 'rejected',
          error: f.problem ?? { status: 400 },
        }));
        const o = await handleResults(store, queue, bad, results);
        report.rejected += o.rejected;
        continue;
      }
      report.stopped = f.network
        ? 'network'
        : f.status === 401
          ? 'unauthenticated'
          : f.status === 403
            ? 'forbidden'
            : 'server';
      break;
    }
    let outcome: Outcome;
    try {
      outcome = await handleResults(store, queue, batch, answer.results ?? []);
    } finally {
      batch.forEach((q) => queue.inFlight.delete(q.op.key));
    }
    report.applied += outcome.applied;
    report.merged += outcome.merged;
    report.conflicts += outcome.conflicts;
    report.waiting += outcome.waiting;
    report.rejected += outcome.rejected;
    if (outcome.kept === batch.length) {
      // The server answered for none of them: stop instead of sending the same batch forever.
      report.kept = outcome.kept;
      report.stopped = 'server';
      break;
    }
  }
  return report;
}

/// Pulls what changed since the last pull (everything the first time), page by page, into the
/// store. Persons with changes still waiting on the device keep the device's copy until those
/// are sent. A token the server no longer reads (422 naming `since`) starts over from nothing.
export async function pullAll(
  store: LocalStore,
  queue: Queue,
  transport: Transport,
  classify: (e: unknown) => FailureInfo,
  limit = 500,
): Promise<{ persons: number; removed: number }> {
  const state = (await store.get<{ next: string | null; at: string }>(keys.pull)) ?? {
    next: null,
    at: '',
  };
  let since = state.next;
  let first = true;
  let persons = 0;
  let removed = 0;
  for (let page = 0; page < 100000; page++) {
    let answer: PullAnswer;
    try {
      answer = await transport.pull(since, limit);
    } catch (e) {
      const status = classify(e).status;
      if (since !== null && (status === 400 || status === 422)) {
        since = null;
        first = true;
        continue;
      }
      throw e;
    }
    const waiting = await queue.all();
    const busy = new Set(waiting.map((q) => q.op.person_id).filter(Boolean));
    const entries: [string, unknown][] = [];
    const skipped: string[] = [];
    for (const p of answer.persons ?? []) {
      if (!busy.has(p.id)) {
        entries.push([keys.person(p.id), p]);
        persons += 1;
      } else {
        skipped.push(p.id);
      }
    }
    if (skipped.length) {
      // The server's newer copy is fetched once the device's ops of the person are answered.
      const stale = new Set((await store.get<string[]>(keys.stale)) ?? []);
      skipped.forEach((id) => stale.add(id));
      entries.push([keys.stale, [...stale]]);
    }
    if (first && Array.isArray(answer.handover)) {
      const current = new Set(answer.handover.map((l) => keys.handover(l.cycle_id)));
      const stale = (await store.backend.keys('handover:')).filter((k) => !current.has(k));
      if (stale.length) {
        await store.delete(...stale);
      }
      for (const list of answer.handover) {
        entries.push([keys.handover(list.cycle_id), markPending(list, waiting)]);
      }
    }
    const gone = (answer.removed ?? []).filter((id) => !busy.has(id)).map(keys.person);
    removed += gone.length;
    entries.push([keys.pull, { next: answer.next, at: answer.server_time ?? '' }]);
    await store.putAll(entries);
    if (gone.length) {
      await store.delete(...gone);
    }
    since = answer.next;
    first = false;
    if (!answer.more) {
      break;
    }
  }
  return { persons, removed };
}

/// A pulled list with the handovers still waiting on the device marked, so that the same person
/// is not handed over twice from this phone before the server has the first.
export function markPending(list: HandoverList, waiting: QueuedOp[]): HandoverList {
  const mine = waiting.filter(
    (q) => q.op.type === 'aid.handover' && q.op.handover?.cycle_id === list.cycle_id,
  );
  return {
    ...list,
    entries: list.entries.map((e) =>
      !e.delivered &&
      mine.some(
        (q) =>
          q.subject === e.person_id ||
          q.op.handover?.person_id === e.person_id ||
          (q.op.handover?.card_number !== undefined && q.op.handover.card_number === e.card_number),
      )
        ? { ...e, delivered: true, pending: true }
        : e,
    ),
  };
}
