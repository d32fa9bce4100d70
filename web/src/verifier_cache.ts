// What the verifier keeps on the device so that it works offline (docs/card-format.md "In the
// browser"): the key set of /.well-known/kapal-keys.json and the newest signed revocation list
// that verified with it, both in localStorage. The list is stored as the server's bytes and
// checked again every time it is read, so a changed entry in storage is refused like a changed
// download.
import { parseKeySet, readRevocationList, type CardKey, type RevocationList } from './verifier';

const keysStorage = 'kapal.verify.keys';
const listStorage = 'kapal.verify.revocations';

/// What the page checks cards with, and since when the device holds it.
export interface Trust {
  keys: CardKey[];
  keysStoredAt: Date | null;
  list: RevocationList | null;
  /// Set when the server's list (or the stored one) was refused, with the reason.
  listProblem: string | null;
  /// False when the last refresh could not reach the server.
  online: boolean;
}

interface StoredKeys {
  stored_at: string;
  json: unknown;
}

interface StoredList {
  stored_at: string;
  base64: string;
}

function readStorage<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function writeStorage(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or private mode: the page still works while it stays open.
  }
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  bytes.forEach((b) => (s += String.fromCharCode(b)));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/// A fetch that gives up after `ms`: on a poor connection the page checks with what it holds
/// instead of waiting for the network.
export async function fetchWithin(url: string, init: RequestInit, ms = 8000): Promise<Response> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    return await fetch(url, { ...init, signal: abort.signal });
  } finally {
    clearTimeout(timer);
  }
}

/// The newer of two verified lists by their "issued at" (whole seconds). Two lists issued in the
/// same second can still differ — a card revoked between them — and a revocation is never
/// undone, so on a tie the one naming more cards is the later; `current` on a full tie.
export function newerList(
  current: RevocationList | null,
  candidate: RevocationList,
): RevocationList {
  if (!current) {
    return candidate;
  }
  const a = current.issuedAt.getTime();
  const b = candidate.issuedAt.getTime();
  if (a !== b) {
    return a > b ? current : candidate;
  }
  return candidate.revoked.size > current.revoked.size ? candidate : current;
}

/// What the device holds, without the network.
export function storedTrust(): Trust {
  const keys = readStorage<StoredKeys>(keysStorage);
  const parsedKeys = keys ? parseKeySet(keys.json) : [];
  const trust: Trust = {
    keys: parsedKeys,
    keysStoredAt: keys ? new Date(keys.stored_at) : null,
    list: null,
    listProblem: null,
    online: false,
  };
  const list = readStorage<StoredList>(listStorage);
  if (list && parsedKeys.length > 0) {
    try {
      trust.list = readRevocationList(fromBase64(list.base64), parsedKeys);
    } catch (e) {
      trust.listProblem = e instanceof Error ? e.message : String(e);
    }
  }
  return trust;
}

/// Fetches the key set and the revocation list, keeps what verifies, and answers what the
/// device holds afterwards (the stored data when the server cannot be reached).
export async function refreshTrust(): Promise<Trust> {
  const trust = storedTrust();
  let keysJson: unknown;
  try {
    const r = await fetchWithin('/.well-known/kapal-keys.json', { cache: 'no-store' });
    if (!r.ok) {
      return trust;
    }
    keysJson = await r.json();
  } catch {
    return trust;
  }
  const keys = parseKeySet(keysJson);
  if (keys.length === 0) {
    return trust;
  }
  writeStorage(keysStorage, { stored_at: new Date().toISOString(), json: keysJson });
  trust.keys = keys;
  trust.keysStoredAt = new Date();
  trust.online = true;
  // A list stored under a key that is no longer published is dropped below if it fails now.
  try {
    const r = await fetchWithin('/.well-known/kapal-revocations', { cache: 'no-store' });
    if (!r.ok) {
      return trust;
    }
    const bytes = new Uint8Array(await r.arrayBuffer());
    const fresh = readRevocationList(bytes, keys);
    trust.listProblem = null;
    if (newerList(trust.list, fresh) === fresh) {
      trust.list = fresh;
      writeStorage(listStorage, { stored_at: new Date().toISOString(), base64: toBase64(bytes) });
    }
  } catch (e) {
    trust.listProblem = e instanceof Error ? e.message : String(e);
  }
  return trust;
}
