// The forms' unsent drafts (Tambah/Ubah, Penyaluran): what the user typed and has not saved yet,
// personal data (NIK, KK, health). They are kept sealed in the device's encrypted store while it
// is open for their user (records `draft:<name>`), and in this page's memory only otherwise (a
// role that keeps no data on the device, before unlocking, another user's store): never in
// clear on the device. Reads are synchronous (the forms restore a draft as they open): the
// drafts of the opened store are read into memory when it is opened, and every change is written
// through to it in the background, in order (flush() waits for it).

/// The part of the open store the drafts need (LocalStore).
export interface DraftVault {
  readonly username: string;
  get<T>(key: string): Promise<T | null>;
  putAll(entries: [string, unknown][]): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  list<T>(prefix: string): Promise<{ key: string; value: T }[]>;
}

/// The record key prefix of drafts in the store.
export const draftPrefix = 'draft:';
/// The localStorage keys drafts were kept under in clear before (`kapal.draft.<user>.<id>`,
/// `kapal.handover.<user>.<cycle>`): the same names are used for them now.
const legacyPrefixes = ['kapal.draft.', 'kapal.handover.'];

/// The few calls of localStorage the forms use for a draft (a drop-in for it).
export interface DraftStorage {
  getItem(name: string): string | null;
  setItem(name: string, value: string): void;
  removeItem(name: string): void;
}

interface Entry {
  user: string;
  /// The draft as the form keeps it (JSON text), or null: removed.
  text: string | null;
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export class Drafts {
  private readonly entries = new Map<string, Entry>();
  /// Names changed in memory and not yet written to the store.
  private readonly dirty = new Set<string>();
  private vault: DraftVault | null = null;
  private running: Promise<void> | null = null;

  /// The store of `vault.username` is open: its drafts are read into memory, and the drafts of
  /// that user kept in memory meanwhile (typed before unlocking, or moved from localStorage)
  /// are written into it; they win over the sealed ones (they are newer).
  async attach(vault: DraftVault): Promise<void> {
    this.vault = vault;
    try {
      for (const { key, value } of await vault.list<string>(draftPrefix)) {
        const name = key.slice(draftPrefix.length);
        if (!this.dirty.has(name) && typeof value === 'string') {
          this.entries.set(name, { user: vault.username, text: value });
        }
      }
    } catch {
      // A record that does not open: the forms start empty.
    }
    this.schedule();
    await this.flush();
  }

  /// The store was locked: what is sealed in it leaves memory; drafts not yet written stay
  /// (for this page's life).
  detach(): void {
    this.vault = null;
    for (const name of [...this.entries.keys()]) {
      if (!this.dirty.has(name)) {
        this.entries.delete(name);
      }
    }
  }

  /// Signing out or a wipe: every draft leaves memory (the store's are deleted with it).
  clear(): void {
    this.vault = null;
    this.entries.clear();
    this.dirty.clear();
  }

  /// The draft `name` of `user` (JSON text), or null.
  get(user: string, name: string): string | null {
    const e = this.entries.get(name);
    return e && same(e.user, user) ? e.text : null;
  }

  set(user: string, name: string, text: string | null): void {
    if (text === null && !this.entries.has(name)) {
      return;
    }
    this.entries.set(name, { user, text });
    this.dirty.add(name);
    this.schedule();
  }

  /// The storage the forms of `user` keep their drafts in.
  storageFor(user: string): DraftStorage {
    return {
      getItem: (name) => this.get(user, name),
      setItem: (name, value) => this.set(user, name, value),
      removeItem: (name) => this.set(user, name, null),
    };
  }

  /// Moves the drafts kept in clear in localStorage by an older version into memory (they go
  /// into their user's store when it is opened in this page, else they are gone with it) and
  /// removes them from localStorage. How many were found.
  adoptLegacy(storage: Pick<Storage, 'length' | 'key' | 'getItem' | 'removeItem'>): number {
    const found: string[] = [];
    try {
      for (let i = 0; i < storage.length; i++) {
        const k = storage.key(i);
        if (k && legacyPrefixes.some((p) => k.startsWith(p))) {
          found.push(k);
        }
      }
      for (const name of found) {
        const text = storage.getItem(name);
        storage.removeItem(name);
        const prefix = legacyPrefixes.find((p) => name.startsWith(p))!;
        // `<prefix><user>.<id>`: the id (a UUID, or `baru`) has no dot; a user name may.
        const rest = name.slice(prefix.length);
        const dot = rest.lastIndexOf('.');
        if (text !== null && dot > 0 && !this.entries.has(name)) {
          this.set(rest.slice(0, dot), name, text);
        }
      }
    } catch {
      // No storage.
    }
    return found.length;
  }

  /// Waits until every change made so far is in the store (when one is open).
  async flush(): Promise<void> {
    while (this.running) {
      await this.running;
    }
  }

  private pending(vault: DraftVault): string[] {
    return [...this.dirty].filter((n) => same(this.entries.get(n)?.user ?? '', vault.username));
  }

  private schedule(): void {
    const vault = this.vault;
    if (this.running || !vault || this.pending(vault).length === 0) {
      return;
    }
    this.running = this.write(vault).finally(() => {
      this.running = null;
      // A change made while the last write finished.
      this.schedule();
    });
  }

  /// Writes the pending changes, in order: each round takes what changed since the last one.
  private async write(vault: DraftVault): Promise<void> {
    while (this.vault === vault) {
      const names = this.pending(vault);
      if (names.length === 0) {
        return;
      }
      names.forEach((n) => this.dirty.delete(n));
      const puts: [string, unknown][] = [];
      const deletes: string[] = [];
      for (const n of names) {
        const text = this.entries.get(n)?.text ?? null;
        if (text === null) {
          deletes.push(draftPrefix + n);
        } else {
          puts.push([draftPrefix + n, text]);
        }
      }
      try {
        if (puts.length) {
          await vault.putAll(puts);
        }
        if (deletes.length) {
          await vault.delete(...deletes);
        }
      } catch {
        // The store refused (full, closed): these stay in memory for this page's life.
        names.forEach((n) => {
          if (this.entries.has(n)) {
            this.dirty.add(n);
          }
        });
        return;
      }
      // A removal written: nothing of it is left to remember (unless it changed meanwhile).
      for (const k of deletes) {
        const n = k.slice(draftPrefix.length);
        if (!this.dirty.has(n) && this.entries.get(n)?.text === null) {
          this.entries.delete(n);
        }
      }
    }
  }
}
