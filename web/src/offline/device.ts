// The device's offline work for the app (docs/sync.md "On the device", docs/web.md "Offline
// work"): the one encrypted store of this device, unlocked with the user's password at sign-in
// and kept in memory only; the queue the pages put changes in when the server cannot be
// reached; sending and pulling when online; the header's count of waiting changes.
import { api, ApiError, hasCsrfToken, request, type Person, type Session } from '../api';
import { keepAreasOffline } from '../areas';
import { isOnline, onConnectionChange, setPendingCount } from '../connection';
import { onSessionSet, session } from '../session';
import { IdbBackend, type Backend } from './backend';
import { Drafts, draftPrefix, type DraftStorage } from './drafts';
import {
  localDevice,
  Queue,
  type HandoverOp,
  type Op,
  type PhotoData,
  type ServiceRequestOp,
} from './queue';
import {
  clearDrafts as clearStoredDrafts,
  LocalStore,
  newKeyMaterial,
  type KeyMaterial,
} from './store';
import { loadCatalogue, refreshForServices, type Catalogue } from './catalogue';
import {
  keys,
  pullAll,
  refreshStale,
  sendQueue,
  type BatchAnswer,
  type ConflictOp,
  type FailureInfo,
  type HandoverList,
  type LocalPerson,
  type PullAnswer,
  type RejectedOp,
  type SyncReport,
  type Transport,
} from './sync';

export type { ConflictOp, HandoverList, LocalPerson, RejectedOp, SyncReport };

/// Roles that keep data on the device (a merchant works online only).
const offlineRoles = new Set(['admin', 'operator', 'auditor', 'viewer', 'penyalur']);

let backend: Backend | null = null;
let store: LocalStore | null = null;
let queue: Queue | null = null;
/// Whose data the device keeps (read from the clear meta record), or null.
let keptUser: string | null = null;
let lastPull: string | null = null;
let lastReport: SyncReport | null = null;
let running: Promise<void> | null = null;
/// The user the server confirmed for this store (a sign-in online), or null: unlocked offline,
/// the browser's cookie may belong to someone else until the server says whose it is.
let confirmedUser: string | null = null;
/// Why the store was locked by the app itself (the browser signed in as someone else), or null.
let lockedFor: string | null = null;
let again = false;
const listeners = new Set<() => void>();
/// The forms' unsent drafts: sealed in the store while it is open, in memory otherwise.
const drafts = new Drafts();
/// A sign-in online whose new password does not open the user's store, which still holds
/// changes not sent: the new key waits (derived, the password itself is not kept) until the
/// previous password opens the store to re-key it, or the user discards the device's data.
let rekeyPending: {
  username: string;
  session: Session;
  material: KeyMaterial;
  ops: number;
  drafts: number;
} | null = null;

function db(): Backend {
  backend ??= new IdbBackend();
  return backend;
}

/// The persons decrypted once (Kunjungan filters on every keystroke), until the data changes.
let personsCache: Promise<LocalPerson[]> | null = null;

function changed(): void {
  personsCache = null;
  listeners.forEach((fn) => fn());
}

/// `fn` runs when the device's data changes (unlocked, synced, pulled, a change queued).
export function onDeviceChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function unlocked(): boolean {
  return store !== null;
}

/// Whose data this device keeps, whether unlocked or not.
export function keptFor(): string | null {
  return keptUser;
}

export function lastPullAt(): string | null {
  return lastPull;
}

export function lastSync(): SyncReport | null {
  return lastReport;
}

/// The user the browser is signed in as on the server, when the device locked itself because it
/// is not the user whose store was open (docs/web.md "Offline").
export function lockedForOtherSession(): string | null {
  return lockedFor;
}

/// Whether the data this device keeps (`kept`, keptFor()) is `username`'s: only then does
/// signing out delete it (another user's changes waiting to be sent stay for that user).
export function ownsDeviceData(kept: string | null, username: string): boolean {
  return kept !== null && kept.toLowerCase() === username.toLowerCase();
}

/// Whether the server's session is the store's user (the server keeps user names in lower case).
export function sameUser(storeUser: string, s: Session | null): boolean {
  return !!s && s.user.username.toLowerCase() === storeUser.toLowerCase();
}

/// Whether a failed call should go into the queue: the server could not be reached.
export function isNetworkFailure(e: unknown): boolean {
  return (e instanceof ApiError && e.network) || !isOnline();
}

/// Whether changes can be kept on this device for the signed-in user now.
export function canQueue(): boolean {
  return store !== null && queue !== null;
}

/// The header's count: the signed-in user's waiting changes only (another user's store kept on
/// this device is that user's business, and nothing of it is shown).
let countRun = 0;

async function refreshCount(): Promise<void> {
  // Runs overlap (a sign-in, a lock, a batch answered): only the latest one sets the count, and
  // whose the data is is decided when it does (the session may change while the keys are read).
  const run = ++countRun;
  let n = 0;
  try {
    n = keptUser ? (await db().keys('op:')).length : 0;
  } catch {
    n = 0;
  }
  if (run !== countRun) {
    return;
  }
  const s = session();
  const mine = keptUser !== null && s !== null && ownsDeviceData(keptUser, s.user.username);
  setPendingCount(mine ? n : 0);
}

/// Where the forms of `username` keep their drafts (a drop-in for localStorage): sealed in the
/// device's store while it is open for that user, else in this page's memory only.
export function draftStorage(username: string): DraftStorage {
  return drafts.storageFor(username);
}

/// Waits until the drafts typed so far are in the device's store (when it is open).
export function flushDrafts(): Promise<void> {
  return drafts.flush();
}

/// The forms' drafts leave memory (signing out), with any an older version left in
/// localStorage.
export function clearDrafts(): void {
  drafts.clear();
  clearStoredDrafts(localStorage);
}

/// At start: wipes data not unlocked for 7 days and learns whose data is kept.
export async function startDevice(): Promise<void> {
  try {
    await LocalStore.wipeIfStale(db());
    keptUser = (await db().getMeta())?.username ?? null;
  } catch {
    keptUser = null; // No IndexedDB (private mode): the app works online only.
  }
  // Drafts an older version kept in clear leave localStorage now: into their user's store when
  // it is opened in this page, else they are gone with it.
  drafts.adoptLegacy(localStorage);
  await refreshCount();
  onSessionSet(() => void refreshCount());
  onConnectionChange((online) => {
    if (online) {
      void syncNow();
    }
  });
}

/// How many changes wait to be sent (readable while locked: the record keys are not secret).
export async function pendingCount(): Promise<number> {
  try {
    return keptUser ? (await db().keys('op:')).length : 0;
  } catch {
    return 0;
  }
}

/// When the service catalogue and the card keys and revocation list were last refreshed after a
/// pull (0: not since the store was opened). They change rarely, and a sync runs after every
/// change queued online, so they are asked for at most once per `referenceRefreshMs`.
let referenceRefreshedAt = 0;
const referenceRefreshMs = 15 * 60 * 1000;

async function attach(opened: LocalStore, confirmed: boolean): Promise<void> {
  store = opened;
  referenceRefreshedAt = 0;
  confirmedUser = confirmed ? opened.username : null;
  lockedFor = null;
  rekeyPending = null;
  queue = new Queue(opened, localDevice(localStorage));
  keptUser = opened.username;
  await drafts.attach(opened);
}

/// `needs_previous`: the store is this user's, does not open with this password (changed on
/// the server since) and holds changes not sent: waitingUnderPrevious() says how many, and
/// unlockWithPrevious() or discardPrevious() go on.
export type UnlockResult = 'unlocked' | 'not_kept' | 'other_user' | 'needs_previous';

/// After a sign-in the server accepted: opens this user's store with the password, or makes a
/// new one (none yet, or the password changed since and nothing waits to be sent). A store of
/// this user that the new password does not open while changes wait: 'needs_previous'.
/// Another user's data with changes waiting is left alone (that user must sign in to send them).
export async function unlockOnline(
  username: string,
  password: string,
  s: Session,
): Promise<UnlockResult> {
  // A province instance has no persons of its own to work on in the field.
  if (!offlineRoles.has(s.user.role) || s.instance === 'province') {
    return 'not_kept';
  }
  rekeyPending = null;
  try {
    const result = await LocalStore.open(db(), username, password);
    if (result.status === 'opened') {
      await attach(result.store, true);
    } else {
      if (result.status === 'other_user' && (await db().keys('op:')).length > 0) {
        return 'other_user';
      }
      if (result.status === 'wrong_password') {
        const ops = (await db().keys('op:')).length;
        const kept = (await db().keys(draftPrefix)).length;
        if (ops + kept > 0) {
          rekeyPending = {
            username,
            session: s,
            material: await newKeyMaterial(password),
            ops,
            drafts: kept,
          };
          keptUser = (await db().getMeta())?.username ?? keptUser;
          return 'needs_previous';
        }
      }
      await attach(await LocalStore.create(db(), username, password), true);
    }
  } catch {
    return 'not_kept';
  }
  return openedOnline(s);
}

/// What waits in the store the new password does not open (after 'needs_previous'), or null.
export function waitingUnderPrevious(): { ops: number; drafts: number } | null {
  return rekeyPending ? { ops: rekeyPending.ops, drafts: rekeyPending.drafts } : null;
}

/// The previous password opens the store: it is re-keyed under the new one (store.ts rekey),
/// unlocked, and its changes are sent as after any sign-in.
export async function unlockWithPrevious(
  previous: string,
): Promise<'unlocked' | 'wrong_password' | 'not_kept'> {
  const pending = rekeyPending;
  if (!pending) {
    return 'not_kept';
  }
  try {
    const result = await LocalStore.open(db(), pending.username, previous);
    if (result.status === 'wrong_password') {
      return 'wrong_password';
    }
    if (result.status !== 'opened') {
      rekeyPending = null;
      return 'not_kept';
    }
    await attach(await result.store.rekey(pending.material), true);
  } catch {
    return 'not_kept';
  }
  return (await openedOnline(pending.session)) === 'unlocked' ? 'unlocked' : 'not_kept';
}

/// The user gives up what the device kept under the previous password: it is deleted and a new
/// store made under the new password.
export async function discardPrevious(): Promise<UnlockResult> {
  const pending = rekeyPending;
  if (!pending) {
    return 'not_kept';
  }
  try {
    drafts.clear();
    await attach(await LocalStore.create(db(), pending.username, pending.material), true);
  } catch {
    return 'not_kept';
  }
  return openedOnline(pending.session);
}

/// The store is open after a sign-in online: the profile, the server's wipe setting, then
/// sending and pulling.
async function openedOnline(s: Session): Promise<UnlockResult> {
  try {
    await store!.put(keys.profile, { user: s.user, instance: s.instance, csrf_token: '' });
    await store!.setWipeDays(s.offline_wipe_days);
    lastPull = (await store!.get<{ at: string }>(keys.pull))?.at ?? null;
  } catch {
    return 'not_kept';
  }
  changed();
  void refreshCount();
  void syncNow();
  // The forms' area names, so that Tambah and Ubah open offline (the service worker keeps them);
  // only the registry's writers have the form (a penyalur may not read the areas).
  if (s.user.role === 'admin' || s.user.role === 'operator') {
    void keepAreasOffline().catch(() => undefined);
  }
  return 'unlocked';
}

/// Signing in without the server: the kept store opens with this password, or not. The cached
/// profile of the user is the session the app then runs with (the server decides again on
/// every request once it can be reached).
export async function unlockOffline(
  username: string,
  password: string,
): Promise<Session | 'wrong_password' | 'none'> {
  try {
    const result = await LocalStore.open(db(), username, password);
    if (result.status === 'wrong_password') {
      return 'wrong_password';
    }
    if (result.status !== 'opened') {
      return 'none';
    }
    const profile = await result.store.get<Session>(keys.profile);
    if (!profile) {
      return 'none';
    }
    await attach(result.store, false);
    lastPull = (await result.store.get<{ at: string }>(keys.pull))?.at ?? null;
    changed();
    void refreshCount();
    return profile;
  } catch {
    return 'none';
  }
}

/// Forgets the key (the data stays, encrypted, for the next sign-in).
export function lock(): void {
  store = null;
  queue = null;
  confirmedUser = null;
  rekeyPending = null;
  drafts.detach();
  void refreshCount();
  changed();
}

/// Signing out: everything this device keeps is deleted, queue included.
export async function wipeDevice(): Promise<void> {
  store = null;
  queue = null;
  keptUser = null;
  confirmedUser = null;
  lockedFor = null;
  lastPull = null;
  lastReport = null;
  rekeyPending = null;
  try {
    await db().wipe();
  } catch {
    // Nothing kept.
  }
  clearDrafts();
  setPendingCount(0);
  changed();
}

const transport: Transport = {
  batch(deviceId: string, ops: Op[]): Promise<BatchAnswer> {
    return request('POST', '/api/v1/sync/batch', { body: { device_id: deviceId, ops } });
  },
  pull(since: string | null, limit: number): Promise<PullAnswer> {
    return request('GET', '/api/v1/sync/pull', { query: { since, limit } });
  },
  async person(id: string): Promise<Person | null> {
    try {
      return await api.person(id);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 403 || e.status === 404 || e.status === 410)) {
        return null;
      }
      throw e;
    }
  },
};

function classify(e: unknown): FailureInfo {
  if (e instanceof ApiError) {
    return {
      network: e.network,
      status: e.status,
      problem: { code: e.code, title: e.title, status: e.status, errors: e.fields },
    };
  }
  return { network: false, status: 500, problem: { title: String(e) } };
}

/// Sends the waiting changes, then pulls. One run at a time; a call during a run runs again
/// after it (a change queued meanwhile is not left behind).
export function syncNow(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      await syncOnce();
    } while (again && store);
  })().finally(() => {
    running = null;
  });
  return running;
}

async function syncOnce(): Promise<void> {
  const s = store;
  const q = queue;
  if (!s || !q || !isOnline()) {
    return;
  }
  if (!hasCsrfToken() || confirmedUser !== s.username) {
    // Opened offline: ask the server who is signed in first (and for the CSRF token). The
    // browser's cookie may be another user's: that user must never send this user's changes.
    let me: Session | null;
    try {
      me = await api.me();
    } catch {
      return;
    }
    if (!me) {
      return;
    }
    if (!sameUser(s.username, me)) {
      lockedFor = me.user.username;
      lock();
      return;
    }
    confirmedUser = s.username;
  }
  try {
    lastReport = await sendQueue(s, q, transport, localDevice(localStorage).id(), classify);
    await refreshCount();
    changed();
    if (lastReport.stopped && lastReport.stopped !== 'server') {
      return;
    }
    await pullAll(s, q, transport, classify);
    lastPull = new Date().toISOString();
    await refreshStale(s, q, transport);
    if (Date.now() - referenceRefreshedAt >= referenceRefreshMs) {
      referenceRefreshedAt = Date.now();
      await refreshForServices(s, () => api.services(), refreshTrust, keys.profile);
    }
  } catch {
    // Unreachable or refused: the next trigger tries again; nothing is lost.
  } finally {
    await refreshCount();
    changed();
  }
}

/// After a change was queued: the count, and sending at once when online.
async function queued(): Promise<void> {
  await refreshCount();
  changed();
  if (isOnline()) {
    void syncNow();
  }
}

function need(): { s: LocalStore; q: Queue } {
  if (!store || !queue) {
    throw new Error('the device store is locked');
  }
  return { s: store, q: queue };
}

function mask(value: unknown): string {
  const v = typeof value === 'string' ? value : '';
  return v.length > 8 ? `${v.slice(0, 6)}${'*'.repeat(v.length - 8)}${v.slice(-2)}` : '';
}

/// The person the device shows for a registration made on it (the server's defaults where the
/// body leaves a field out).
export function personFromBody(
  id: string,
  body: Record<string, unknown>,
  username: string,
  now: string,
): LocalPerson {
  const b = body as Partial<Person> & { nik?: string; kk?: string };
  const address = (b.address ?? {
    street: '',
    rt: '',
    rw: '',
    kelurahan_code: '',
  }) as Person['address'];
  return {
    id,
    version: 1,
    created_at: now,
    updated_at: now,
    created_by: username,
    updated_by: username,
    full_name: b.full_name ?? '',
    sex: (b.sex ?? 'L') as Person['sex'],
    birth_place: b.birth_place ?? '',
    birth_date: b.birth_date ?? '',
    nik_masked: mask(b.nik),
    kk_masked: b.kk ? mask(b.kk) : null,
    phone: b.phone ?? '',
    address,
    kecamatan_code: address.kelurahan_code.split('.').slice(0, 3).join('.'),
    home: (b.home as Person['home']) ?? null,
    categories: b.categories ?? [],
    disability_subtype: b.disability_subtype ?? '',
    severity: b.severity ?? null,
    wgss: b.wgss ?? {},
    onset: b.onset ?? null,
    onset_year: (b.onset_year as number | undefined) ?? null,
    cause: b.cause ?? null,
    cause_note: b.cause_note ?? '',
    assistive_devices: b.assistive_devices ?? [],
    therapies: b.therapies ?? [],
    needs_note: b.needs_note ?? '',
    caregiver: b.caregiver ?? null,
    dtks: b.dtks ?? false,
    dtks_id: b.dtks_id ?? '',
    account: null,
    photo_id: '',
    documents: [],
    consent: b.consent ?? { given: false, date: null, given_by: '', purposes: [] },
    status: b.status ?? 'aktif',
    status_date: b.status_date ?? null,
    status_reason: b.status_reason ?? '',
    confirmed_warnings: b.confirmed_warnings ?? [],
    warning_reason: b.warning_reason ?? '',
    pending: true,
  };
}

/// A person with `changes` (top-level fields as PUT names them) applied, as the device shows it.
export function withChanges(p: LocalPerson, changes: Record<string, unknown>): LocalPerson {
  const next = { ...p, ...changes, pending: true } as LocalPerson & Record<string, unknown>;
  if (typeof changes.nik === 'string') {
    next.nik_masked = mask(changes.nik);
    delete next.nik;
  }
  if (typeof changes.kk === 'string') {
    next.kk_masked = mask(changes.kk);
    delete next.kk;
  } else if (changes.kk === null) {
    next.kk_masked = null;
    delete next.kk;
  }
  if (changes.address) {
    const code = (changes.address as Person['address']).kelurahan_code ?? '';
    next.kecamatan_code = code.split('.').slice(0, 3).join('.');
  }
  if (changes.account && typeof changes.account === 'object') {
    const a = changes.account as { number?: string };
    next.account = {
      ...(changes.account as Person['account'] & object),
      number_masked: mask(a.number),
    };
  }
  delete (next as Record<string, unknown>).change_reason;
  return next;
}

/// Registers a person on the device: the op, and the person shown until the server has it.
/// `key`: the Idempotency-Key of an online POST of this same body that failed at network level
/// (the server may have created the person; the op then names that person, never a second).
export async function queueCreate(
  body: Record<string, unknown>,
  username: string,
  key?: string,
): Promise<LocalPerson> {
  const { s, q } = need();
  const op = await q.create(body, String(body.full_name ?? ''), key);
  const person = personFromBody(op.person_id!, body, username, op.at);
  await s.put(keys.person(person.id), person);
  await queued();
  return person;
}

/// Changes a person on the device (only `changes`, from the version the user started from).
export async function queueUpdate(
  person: LocalPerson,
  baseVersion: number,
  changes: Record<string, unknown>,
  changeReason: string,
): Promise<LocalPerson> {
  const { s, q } = need();
  const next = withChanges(person, changes);
  await q.update(person.id, baseVersion, changes, changeReason, next.full_name);
  await s.put(keys.person(person.id), next);
  await queued();
  return next;
}

/// Sets a person's photo on the device, or removes it (`null`; the device then shows the person
/// without one), sent as an op of its own.
export async function queuePhoto(
  person: LocalPerson,
  baseVersion: number,
  photo: PhotoData | null,
): Promise<void> {
  const { s, q } = need();
  await q.photo(person.id, baseVersion, photo, person.full_name);
  await s.put(keys.person(person.id), {
    ...person,
    ...(photo === null ? { photo_id: '' } : {}),
    pending: true,
  });
  await queued();
}

/// Records a handover on the device; the list entry shows it handed over (waiting to be sent).
export async function queueHandover(
  h: HandoverOp,
  name: string,
  personId: string,
  key?: string,
): Promise<void> {
  const { s, q } = need();
  await q.handover(h, name, personId, key);
  const list = await s.get<HandoverList>(keys.handover(h.cycle_id));
  if (list) {
    list.entries = list.entries.map((e) =>
      e.person_id === personId ? { ...e, delivered: true, pending: true } : e,
    );
    await s.put(keys.handover(h.cycle_id), list);
  }
  await queued();
}

/// Opens a service request on the device (sent when online; the server answers its id).
/// `key`: the Idempotency-Key of the online POST that could not reach the server (it may have
/// opened the request: the server then answers with that one, never a second).
export async function queueServiceRequest(
  service: ServiceRequestOp,
  label: string,
  personId?: string,
  key?: string,
): Promise<void> {
  const { q } = need();
  await q.serviceRequest(service, label, personId, key);
  await queued();
}

/// The service catalogue: the server's (kept on the device when unlocked), or offline the one
/// kept (offline/catalogue.ts).
export function serviceCatalogue(): Promise<Catalogue> {
  return loadCatalogue(store, () => api.services(), isNetworkFailure);
}

/// The card keys and revocation list, refreshed after a pull (the verifier loads on demand).
async function refreshTrust(): Promise<unknown> {
  return (await import('../verifier_cache')).refreshTrust();
}

export async function localPersons(): Promise<LocalPerson[]> {
  if (!store) {
    return [];
  }
  if (!personsCache) {
    const loading = store.list<LocalPerson>('person:').then((rows) => rows.map((r) => r.value));
    personsCache = loading;
    loading.catch(() => {
      if (personsCache === loading) {
        personsCache = null;
      }
    });
  }
  return personsCache;
}

/// The id a person registered on this device has now: the server's, when the server answered
/// its create with the person an online POST had already made (else `id` itself).
export async function movedTo(id: string): Promise<string> {
  const moved = store ? await store.get<Record<string, string>>(keys.moved) : null;
  return moved?.[id] ?? id;
}

export async function localPerson(id: string): Promise<LocalPerson | null> {
  return store ? store.get<LocalPerson>(keys.person(id)) : null;
}

export async function handoverLists(): Promise<HandoverList[]> {
  if (!store) {
    return [];
  }
  return (await store.list<HandoverList>('handover:')).map((r) => r.value);
}

/// The changes waiting to be sent, in order.
export async function waitingOps(): Promise<{ op: Op; label: string }[]> {
  return queue ? queue.all() : [];
}

export async function rejectedOps(): Promise<RejectedOp[]> {
  return store ? ((await store.get<RejectedOp[]>(keys.rejected)) ?? []) : [];
}

export async function conflictOps(): Promise<ConflictOp[]> {
  return store ? ((await store.get<ConflictOp[]>(keys.conflicts)) ?? []) : [];
}

/// Sends a refused change again (as a new op with the content it had); false when it kept no
/// content (refused before the device kept it).
export async function retryRejected(key: string): Promise<boolean> {
  if (!store || !queue) {
    return false;
  }
  const items = (await store.get<RejectedOp[]>(keys.rejected)) ?? [];
  const item = items.find((i) => i.key === key);
  if (!item?.op) {
    return false;
  }
  await queue.requeue(item.op, item.label);
  await store.put(
    keys.rejected,
    items.filter((i) => i.key !== key),
  );
  await queued();
  return true;
}

/// The user has read a refusal (or a conflict note): it leaves the list.
export async function dismiss(list: 'rejected' | 'conflicts', key: string): Promise<void> {
  if (!store) {
    return;
  }
  const name = list === 'rejected' ? keys.rejected : keys.conflicts;
  const items = (await store.get<{ key: string }[]>(name)) ?? [];
  await store.put(
    name,
    items.filter((i) => i.key !== key),
  );
  changed();
}
