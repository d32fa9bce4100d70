// The device's encrypted store (docs/sync.md "On the device"): records sealed with the key
// derived from the user's password (crypto.ts) in a Backend (IndexedDB). Opening it with a
// password either yields the store or nothing: the check record decrypts only with the right key.
import type { Backend, Meta } from './backend';
import { deriveKey, kdfIterations, randomBytes, seal, unseal, type Sealed } from './crypto';

const checkValue = 'kapal-offline-v1';
/// Data not unlocked for this long is wiped at start, unless the server's setting
/// `offline_wipe_days` (kept in the meta record at each unlock online) says otherwise.
export const defaultWipeDays = 7;
export const wipeAfterMs = defaultWipeDays * 24 * 3600 * 1000;

/// The part of localStorage the drafts live in.
export type DraftStorage = Pick<Storage, 'length' | 'key' | 'removeItem'>;

function defaultStorage(): DraftStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/// The forms' unsent drafts (Tambah/Ubah, Penyaluran) hold personal data in localStorage. The
/// device's id and seq stay (not personal; a seq is never reused).
export function clearDrafts(storage: DraftStorage | null = defaultStorage()): void {
  try {
    if (!storage) {
      return;
    }
    const personal: string[] = [];
    for (let i = 0; i < storage.length; i++) {
      const k = storage.key(i);
      if (k && (k.startsWith('kapal.draft.') || k.startsWith('kapal.handover.'))) {
        personal.push(k);
      }
    }
    personal.forEach((k) => storage.removeItem(k));
  } catch {
    // No storage.
  }
}

/// A key for a store: the salt and rounds kept in its meta record, and the key they derive from
/// the password (non-extractable; the password itself is not kept).
export interface KeyMaterial {
  salt: Uint8Array;
  iterations: number;
  key: CryptoKey;
}

/// A fresh salt and the key `password` derives with it.
export async function newKeyMaterial(
  password: string,
  iterations: number = kdfIterations,
): Promise<KeyMaterial> {
  const salt = randomBytes(16);
  return { salt, iterations, key: await deriveKey(password, salt, iterations) };
}

async function metaFor(
  material: KeyMaterial,
  username: string,
  now: Date,
  wipeAfterDays?: number,
): Promise<Meta> {
  return {
    username,
    salt: material.salt,
    iterations: material.iterations,
    check: await seal(material.key, { check: checkValue, username }, 'check'),
    unlocked_at: now.toISOString(),
    ...(wipeAfterDays !== undefined ? { wipe_after_days: wipeAfterDays } : {}),
  };
}

export type OpenResult =
  | { status: 'opened'; store: LocalStore }
  | { status: 'none' } // nothing kept on this device
  | { status: 'other_user'; username: string }
  | { status: 'wrong_password' };

export class LocalStore {
  private constructor(
    readonly backend: Backend,
    readonly username: string,
    private readonly key: CryptoKey,
  ) {}

  /// A new, empty store for `username` (whatever was kept before is wiped), under `password` or
  /// a key already derived from it.
  static async create(
    backend: Backend,
    username: string,
    password: string | KeyMaterial,
    now: Date = new Date(),
    iterations: number = kdfIterations,
  ): Promise<LocalStore> {
    const material =
      typeof password === 'string' ? await newKeyMaterial(password, iterations) : password;
    await backend.wipe();
    await backend.putMeta(await metaFor(material, username, now));
    return new LocalStore(backend, username, material.key);
  }

  /// Re-keys this (open) store under `next` (the user's new password): every record is
  /// unsealed with the current key and sealed with the new one, then all of them and the meta
  /// record that opens them are written in one transaction. A crash before it ends leaves the
  /// store as it was, under the previous password; after it, under the new one: never a record
  /// under a key no password opens. A record that does not open (damaged) is dropped. The
  /// returned store has the new key; this one must not be used any more.
  async rekey(next: KeyMaterial, now: Date = new Date()): Promise<LocalStore> {
    const meta = await this.backend.getMeta();
    if (!meta || meta.username.toLowerCase() !== this.username.toLowerCase()) {
      throw new Error('the device store changed meanwhile');
    }
    const keys = await this.backend.keys('');
    const entries: [string, Sealed][] = [];
    const remove: string[] = [];
    for (const key of keys) {
      const sealed = await this.backend.get(key);
      let value: unknown;
      try {
        value = sealed ? await unseal<unknown>(this.key, sealed, key) : undefined;
      } catch {
        value = undefined;
      }
      if (value === undefined) {
        remove.push(key);
      } else {
        entries.push([key, await seal(next.key, value, key)]);
      }
    }
    await this.backend.replaceAll(
      await metaFor(next, meta.username, now, meta.wipe_after_days),
      entries,
      remove,
    );
    return new LocalStore(this.backend, meta.username, next.key);
  }

  /// Opens the store kept for `username` with `password`.
  static async open(
    backend: Backend,
    username: string,
    password: string,
    now: Date = new Date(),
  ): Promise<OpenResult> {
    const meta = await backend.getMeta();
    if (!meta) {
      return { status: 'none' };
    }
    // User names compare in lower case (the server keeps them so; an older store may have been
    // made under the name as typed).
    if (meta.username.toLowerCase() !== username.toLowerCase()) {
      return { status: 'other_user', username: meta.username };
    }
    const key = await deriveKey(password, meta.salt, meta.iterations);
    try {
      const check = await unseal<{ check: string; username: string }>(key, meta.check, 'check');
      if (
        check.check !== checkValue ||
        check.username.toLowerCase() !== meta.username.toLowerCase()
      ) {
        return { status: 'wrong_password' };
      }
    } catch {
      return { status: 'wrong_password' };
    }
    await backend.putMeta({ ...meta, unlocked_at: now.toISOString() });
    return { status: 'opened', store: new LocalStore(backend, meta.username, key) };
  }

  /// Wipes the kept data when it was not unlocked for `wipeAfterMs`; true when it did.
  /// The forms' drafts in localStorage (personal data too) go with it.
  static async wipeIfStale(
    backend: Backend,
    now: Date = new Date(),
    drafts: DraftStorage | null = defaultStorage(),
  ): Promise<boolean> {
    const meta = await backend.getMeta();
    if (!meta) {
      return false;
    }
    const last = Date.parse(meta.unlocked_at);
    const days = meta.wipe_after_days ?? defaultWipeDays;
    if (Number.isFinite(last) && now.getTime() - last < days * 24 * 3600 * 1000) {
      return false;
    }
    await backend.wipe();
    clearDrafts(drafts);
    return true;
  }

  /// Keeps the server's `offline_wipe_days` (1–90; anything else is ignored) for the check at
  /// start, which runs before anyone unlocks.
  async setWipeDays(days: number | undefined): Promise<void> {
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 90) {
      return;
    }
    const meta = await this.backend.getMeta();
    if (meta && meta.wipe_after_days !== days) {
      await this.backend.putMeta({ ...meta, wipe_after_days: days });
    }
  }

  async get<T>(key: string): Promise<T | null> {
    const sealed = await this.backend.get(key);
    return sealed ? unseal<T>(this.key, sealed, key) : null;
  }

  /// Writes several records at once (one transaction).
  async putAll(entries: [string, unknown][]): Promise<void> {
    const sealed: [string, Awaited<ReturnType<typeof seal>>][] = [];
    for (const [key, value] of entries) {
      sealed.push([key, await seal(this.key, value, key)]);
    }
    await this.backend.put(sealed);
  }

  async put(key: string, value: unknown): Promise<void> {
    await this.putAll([[key, value]]);
  }

  async delete(...keys: string[]): Promise<void> {
    await this.backend.delete(keys);
  }

  /// Every record whose key starts with `prefix`, in key order.
  async list<T>(prefix: string): Promise<{ key: string; value: T }[]> {
    // Decrypted side by side: WebCrypto works off the main thread.
    const keys = await this.backend.keys(prefix);
    const values: (T | null)[] = await Promise.all(keys.map((key) => this.get<T>(key)));
    const out: { key: string; value: T }[] = [];
    keys.forEach((key, i) => {
      const value = values[i];
      if (value !== null) {
        out.push({ key, value });
      }
    });
    return out;
  }
}
