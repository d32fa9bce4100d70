// The device store's encryption (docs/sync.md "On the device"): AES-GCM with a 256-bit key
// derived by PBKDF2-SHA-256 from the user's password and a random salt of this device. The key
// is made non-extractable, so that not even this code can write it anywhere: it lives in memory
// until the page closes or the user signs out.

/// PBKDF2 rounds for a new store: OWASP's figure for PBKDF2-HMAC-SHA-256, slow enough to make
/// guessing a stolen phone's password costly. A store keeps the count it was made with (its meta
/// record), so one made with the older 210,000 still opens.
export const kdfIterations = 600_000;

export interface Sealed {
  /// The 12-byte AES-GCM nonce, fresh for every seal.
  iv: Uint8Array;
  /// Ciphertext with its 16-byte tag.
  data: Uint8Array;
}

export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/// The key for `password` with this device's `salt`.
export async function deriveKey(
  password: string,
  salt: Uint8Array,
  iterations: number = kdfIterations,
): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(password),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/// `value` as JSON, encrypted. `context` (the record's key) is bound as additional data, so that
/// a sealed record moved to another key does not open there.
export async function seal(key: CryptoKey, value: unknown, context: string): Promise<Sealed> {
  const iv = randomBytes(12);
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: iv as BufferSource, additionalData: new TextEncoder().encode(context) },
    key,
    new TextEncoder().encode(JSON.stringify(value)),
  );
  return { iv, data: new Uint8Array(data) };
}

/// The value sealed under `context`; throws when the key is wrong or the record was changed.
export async function unseal<T>(key: CryptoKey, sealed: Sealed, context: string): Promise<T> {
  const plain = await crypto.subtle.decrypt(
    {
      name: 'AES-GCM',
      iv: sealed.iv as BufferSource,
      additionalData: new TextEncoder().encode(context),
    },
    key,
    sealed.data as BufferSource,
  );
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}
