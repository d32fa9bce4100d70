// What the browser tests of field work share: cutting the network and bringing it back (for the
// page and its service worker), moving inside the app without a page load, the header's count
// of waiting changes, waiting for a sync, and a card QR whose signature no longer holds.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';

/// The network switch of one harness: `goOffline(context)` cuts it for the page
/// (navigator.onLine, its requests) and for its service worker, whose requests go through the
/// context's routes (the last route added is asked first); the harness accepts "disconnected"
/// errors while any context is offline.
export function networkSwitch(harness) {
  const offline = new Set();
  const offlineRoute = (route) => route.abort('internetdisconnected');
  return {
    async goOffline(context) {
      offline.add(context);
      harness.expectOffline = true;
      await context.setOffline(true);
      await context.route('**/*', offlineRoute);
    },
    async goOnline(context) {
      await context.unroute('**/*', offlineRoute);
      await context.setOffline(false);
      offline.delete(context);
      harness.expectOffline = offline.size > 0;
    },
    /// Whether a context is offline now: what `harness.expectOffline` goes back to after a test
    /// cut a single route for a while.
    anyOffline() {
      return offline.size > 0;
    },
  };
}

/// Navigates inside the app (no page load: the device's key stays in memory).
export async function go(page, path) {
  await page.evaluate((p) => {
    history.pushState(null, '', p);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}

/// What the header says of the waiting changes ('' for none).
export async function pendingText(page) {
  const el = page.locator('.net-status .net-pending');
  return (await el.count()) ? el.innerText() : '';
}

/// Waits until the device sent everything and pulled again (Sinkron says when it last pulled);
/// returns when that was, for the next call's `since`.
export async function synced(page, since = '') {
  await go(page, '/sinkron');
  await page.locator('#sync-waiting-h').waitFor();
  await page.waitForFunction(
    (before) => {
      const pending = document.querySelector('.net-status .net-pending');
      const pulled = document.querySelector('#sync-last-pull')?.dataset.at ?? '';
      return !pending && pulled !== '' && pulled !== before;
    },
    since,
    { timeout: 30000 },
  );
  return page.locator('#sync-last-pull').getAttribute('data-at');
}

const base45Alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

function base45Decode(text) {
  const out = [];
  for (let i = 0; i < text.length; i += 3) {
    const v = [...text.slice(i, i + 3)].map((c) => base45Alphabet.indexOf(c));
    const n = v[0] + 45 * v[1] + (v.length === 3 ? 2025 * v[2] : 0);
    if (v.length === 3) {
      out.push(n >> 8, n & 0xff);
    } else {
      out.push(n);
    }
  }
  return Buffer.from(out);
}

function base45Encode(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i += 2) {
    let n = i + 1 < bytes.length ? bytes[i] * 256 + bytes[i + 1] : bytes[i];
    const digits = i + 1 < bytes.length ? 3 : 2;
    for (let k = 0; k < digits; k++) {
      out += base45Alphabet[n % 45];
      n = Math.floor(n / 45);
    }
  }
  return out;
}

/// The QR text with one letter of the holder's name changed inside the signed payload, then
/// compressed and encoded again: it decodes, but the signature no longer holds.
export function tamper(qr, name) {
  const cose = zlib.inflateSync(base45Decode(qr));
  const at = cose.indexOf(Buffer.from(name, 'utf8'));
  assert.ok(at > 0, `the name ${name} is in the credential`);
  const changed = Buffer.from(cose);
  changed[at] = changed[at] === 0x58 ? 0x59 : 0x58; // X (or Y)
  return base45Encode(zlib.deflateSync(changed, { level: 9 }));
}
