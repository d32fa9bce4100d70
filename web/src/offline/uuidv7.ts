// UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits, with the version and variant
// set. The device chooses the id of a person it registers offline; the time prefix keeps ids in
// creation order and the 74 random bits make two devices colliding practically impossible
// (DESIGN.md §4: offline devices never collide).

/// A new UUIDv7 for the instant `now` (ms since the epoch), with `random` filling 10 bytes.
export function uuidv7(
  now: number = Date.now(),
  random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b),
): string {
  const bytes = new Uint8Array(16);
  let ms = Math.max(0, Math.floor(now));
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes.set(random(new Uint8Array(10)), 6);
  bytes[6] = 0x70 | (bytes[6] & 0x0f); // version 7
  bytes[8] = 0x80 | (bytes[8] & 0x3f); // variant 10
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
