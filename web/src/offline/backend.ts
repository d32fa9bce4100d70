// Where the device store keeps its records: IndexedDB in the browser (one database,
// "kapal-offline", with the clear `meta` record and the `sealed` records), or a Map in the tests.
// Everything but `meta` is encrypted before it gets here (store.ts); `meta` holds only what
// unlocking needs: the user name, the salt, the check record and when it was last unlocked.
import type { Sealed } from './crypto';

export interface Meta {
  username: string;
  salt: Uint8Array;
  iterations: number;
  /// A known value sealed with the key: it opens only with the right password.
  check: Sealed;
  /// The last unlock (ISO 8601 UTC): data not unlocked for `wipe_after_days` (7 unless the
  /// server's `offline_wipe_days` said otherwise) is wiped at start.
  unlocked_at: string;
  wipe_after_days?: number;
}

export interface Backend {
  getMeta(): Promise<Meta | null>;
  putMeta(meta: Meta): Promise<void>;
  get(key: string): Promise<Sealed | undefined>;
  /// Writes several records in one transaction (all or none).
  put(entries: [string, Sealed][]): Promise<void>;
  delete(keys: string[]): Promise<void>;
  /// The keys starting with `prefix`, in order.
  keys(prefix: string): Promise<string[]>;
  /// Removes everything, meta included.
  wipe(): Promise<void>;
  /// Writes `meta` and `entries` and deletes `remove` in one transaction over both stores (all
  /// or none): a re-key switches every record and the meta that opens them at once.
  replaceAll(meta: Meta, entries: [string, Sealed][], remove: string[]): Promise<void>;
}

export const databaseName = 'kapal-offline';

function done(request: IDBRequest): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/// Makes the requests of `fill` in `tx` and waits for it to commit. A request refused as it is
/// made (a value that cannot be stored) aborts the whole transaction: otherwise the requests made
/// before it would still be committed, half a write (half a re-key).
async function allOrNone(tx: IDBTransaction, fill: () => void): Promise<void> {
  const done = finished(tx);
  try {
    fill();
  } catch (e) {
    done.catch(() => undefined);
    tx.abort();
    throw e;
  }
  await done;
}

/// The IndexedDB backend. The database opens on first use and closes at wipe.
export class IdbBackend implements Backend {
  private db: Promise<IDBDatabase> | null = null;

  constructor(
    private readonly factory: IDBFactory = indexedDB,
    private readonly name: string = databaseName,
  ) {}

  private open(): Promise<IDBDatabase> {
    if (!this.db) {
      this.db = new Promise((resolve, reject) => {
        const request = this.factory.open(this.name, 1);
        request.onupgradeneeded = () => {
          request.result.createObjectStore('meta');
          request.result.createObjectStore('sealed');
        };
        request.onsuccess = () => {
          const db = request.result;
          // Another tab wiping the store: let it.
          db.onversionchange = () => {
            db.close();
            this.db = null;
          };
          resolve(db);
        };
        request.onerror = () => {
          this.db = null;
          reject(request.error);
        };
      });
    }
    return this.db;
  }

  async getMeta(): Promise<Meta | null> {
    const db = await this.open();
    const value = await done(db.transaction('meta').objectStore('meta').get('meta'));
    return (value as Meta | undefined) ?? null;
  }

  async putMeta(meta: Meta): Promise<void> {
    const db = await this.open();
    const tx = db.transaction('meta', 'readwrite');
    tx.objectStore('meta').put(meta, 'meta');
    await finished(tx);
  }

  async get(key: string): Promise<Sealed | undefined> {
    const db = await this.open();
    return (await done(db.transaction('sealed').objectStore('sealed').get(key))) as
      Sealed | undefined;
  }

  async put(entries: [string, Sealed][]): Promise<void> {
    const db = await this.open();
    const tx = db.transaction('sealed', 'readwrite');
    await allOrNone(tx, () => {
      const store = tx.objectStore('sealed');
      for (const [key, value] of entries) {
        store.put(value, key);
      }
    });
  }

  async delete(keys: string[]): Promise<void> {
    const db = await this.open();
    const tx = db.transaction('sealed', 'readwrite');
    const store = tx.objectStore('sealed');
    for (const key of keys) {
      store.delete(key);
    }
    await finished(tx);
  }

  async keys(prefix: string): Promise<string[]> {
    const db = await this.open();
    const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
    const keys = await done(db.transaction('sealed').objectStore('sealed').getAllKeys(range));
    return (keys as IDBValidKey[]).map(String);
  }

  async replaceAll(meta: Meta, entries: [string, Sealed][], remove: string[]): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(['meta', 'sealed'], 'readwrite');
    await allOrNone(tx, () => {
      const sealed = tx.objectStore('sealed');
      for (const [key, value] of entries) {
        sealed.put(value, key);
      }
      for (const key of remove) {
        sealed.delete(key);
      }
      tx.objectStore('meta').put(meta, 'meta');
    });
  }

  async wipe(): Promise<void> {
    // Clear first (works even if another tab holds the database open), then delete it.
    const db = await this.open();
    const tx = db.transaction(['meta', 'sealed'], 'readwrite');
    tx.objectStore('meta').clear();
    tx.objectStore('sealed').clear();
    await finished(tx);
    db.close();
    this.db = null;
    await new Promise<void>((resolve) => {
      const request = this.factory.deleteDatabase(this.name);
      request.onsuccess = () => resolve();
      request.onerror = () => resolve();
      request.onblocked = () => resolve();
    });
  }
}

/// Records in a Map (tests).
export class MemoryBackend implements Backend {
  meta: Meta | null = null;
  readonly records = new Map<string, Sealed>();

  async getMeta(): Promise<Meta | null> {
    return this.meta;
  }
  async putMeta(meta: Meta): Promise<void> {
    this.meta = meta;
  }
  async get(key: string): Promise<Sealed | undefined> {
    return this.records.get(key);
  }
  async put(entries: [string, Sealed][]): Promise<void> {
    entries.forEach(([k, v]) => this.records.set(k, v));
  }
  async delete(keys: string[]): Promise<void> {
    keys.forEach((k) => this.records.delete(k));
  }
  async keys(prefix: string): Promise<string[]> {
    return [...this.records.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  async wipe(): Promise<void> {
    this.meta = null;
    this.records.clear();
  }
  async replaceAll(meta: Meta, entries: [string, Sealed][], remove: string[]): Promise<void> {
    entries.forEach(([k, v]) => this.records.set(k, v));
    remove.forEach((k) => this.records.delete(k));
    this.meta = meta;
  }
}
