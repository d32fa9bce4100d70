// What the browser tests share: a `kapal serve` on demo data in its own temporary directory
// (with extra accounts when a test needs them), Debian's Chromium through playwright-core with
// this machine's flags, contexts that answer basemap tiles themselves and record every other
// request leaving 127.0.0.1 and every console error, signing in and unlocking the device's data,
// what the browser keeps on the device (its encrypted store's records, everything as text),
// axe-core, and screenshots into $KAPAL_BROWSER_ARTIFACTS.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const webRequire = createRequire(path.join(repo, 'web/package.json'));
const { chromium } = webRequire('playwright-core');
const axeSource = fs.readFileSync(webRequire.resolve('axe-core/axe.min.js'), 'utf8');

export const kapal = process.env.KAPAL_BIN ?? path.join(repo, 'build/kapal');
export const dist = path.join(repo, 'web/dist');
export const artifacts =
  process.env.KAPAL_BROWSER_ARTIFACTS ?? path.join(repo, 'build/browser-artifacts');
const chromiumPath = process.env.KAPAL_CHROMIUM ?? '/usr/bin/chromium';
// What this machine's closed network needs (see docs/web.md): no background connections.
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// A 1×1 grey PNG served for every basemap tile: the tests never reach the internet.
const tilePng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==',
  'base64',
);
const tileHost = 'tile.openstreetmap.org';
export const desktop = { width: 1280, height: 800 };
export const phone = { width: 360, height: 740 };

/// A kapal server on demo data and a Chromium: `await h.start()`, then `h.base`,
/// `h.passwords.admin`, `h.newContext(viewport)`, …, and `await h.stop()`.
export class Harness {
  /// `prepare(dataDir)` runs after the demo data is made and before the server starts; `init`
  /// adds options to `kapal init` (e.g. --province); `users` are accounts added to the demo ones
  /// (`{username, name, role}`, with `kapal user add`), their passwords in `passwords` too.
  constructor({ persons = 600, prepare = null, init = [], users = [] } = {}) {
    this.persons = persons;
    this.init = init;
    this.prepare = prepare;
    this.users = users;
    this.tileRequests = 0;
    this.serverLog = '';
    this.consoleErrors = [];
    this.foreignRequests = [];
    this.passwords = {};
    /// Set while a test provokes a refusal on purpose (an ended session, a wrong password, a
    /// disabled account signing in): 401 and 403 answers are expected then.
    this.expectRefusal = false;
  }

  run(args) {
    return execFileSync(kapal, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  async start() {
    assert.ok(
      fs.existsSync(path.join(dist, 'index.html')),
      `${dist}/index.html is missing: run scripts/build-web.sh first`,
    );
    assert.ok(fs.existsSync(kapal), `no kapal program at ${kapal} (set KAPAL_BIN)`);
    fs.mkdirSync(artifacts, { recursive: true });
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kapal-browser-'));
    this.run(['init', '--data', this.dataDir, ...this.init]);
    const demo = this.run([
      'demo-data',
      '--data',
      this.dataDir,
      '--persons',
      String(this.persons),
      '--seed',
      '1',
      '--accounts',
    ]);
    for (const m of demo.matchAll(/^(\S+)\t(\S+)\t(\S+)\t(\S+)$/gm)) {
      this.passwords[m[1]] = m[4];
    }
    assert.ok(this.passwords.admin, `no admin login in: ${demo}`);
    for (const u of this.users) {
      const out = this.run([
        'user',
        'add',
        '--data',
        this.dataDir,
        '--username',
        u.username,
        '--name',
        u.name,
        '--role',
        u.role,
      ]);
      this.passwords[u.username] = /shown only now\): (\S+)/.exec(out)?.[1] ?? '';
      assert.ok(this.passwords[u.username], `no password for ${u.username} in: ${out}`);
    }
    fs.appendFileSync(path.join(this.dataDir, 'config'), `static_dir = ${dist}\n`);
    this.prepare?.(this.dataDir);
    this.base = await this.startServer();
    this.browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
    });
  }

  /// Closes the browser and starts another with `extraArgs` added (e.g. a fake camera).
  async relaunch(extraArgs) {
    await this.browser?.close();
    this.browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumArgs, ...extraArgs],
    });
  }

  /// A card PNG as a Y4M video (I420, 1280 × 720, the card centred on white), decoded and
  /// converted by Chromium itself so that no image tool is needed.
  async pngToY4m(png, file) {
    const page = await this.browser.newPage();
    const yuv = await page.evaluate(async (b64) => {
      const blob = await (await fetch(`data:image/png;base64,${b64}`)).blob();
      const bitmap = await createImageBitmap(blob);
      const w = 1280;
      const h = 720;
      const canvas = new OffscreenCanvas(w, h);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, w, h);
      ctx.drawImage(bitmap, (w - bitmap.width) / 2, (h - bitmap.height) / 2);
      const rgba = ctx.getImageData(0, 0, w, h).data;
      const out = new Uint8Array((w * h * 3) / 2);
      const luma = (i) => 0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2];
      for (let p = 0; p < w * h; p++) {
        out[p] = Math.round(luma(p * 4));
      }
      // Chroma: the card is nearly grey where it matters; a 2×2 average is plenty.
      let u = w * h;
      let v = u + (w * h) / 4;
      for (let y = 0; y < h; y += 2) {
        for (let x = 0; x < w; x += 2) {
          const i = (y * w + x) * 4;
          const r = rgba[i];
          const g = rgba[i + 1];
          const b = rgba[i + 2];
          const l = luma(i);
          out[u++] = Math.max(0, Math.min(255, Math.round(128 + (b - l) * 0.564)));
          out[v++] = Math.max(0, Math.min(255, Math.round(128 + (r - l) * 0.713)));
          void g;
        }
      }
      let s = '';
      for (let i = 0; i < out.length; i += 0x8000) {
        s += String.fromCharCode(...out.subarray(i, i + 0x8000));
      }
      return btoa(s);
    }, png.toString('base64'));
    await page.close();
    const frame = Buffer.from(yuv, 'base64');
    const header = Buffer.from('YUV4MPEG2 W1280 H720 F10:1 Ip A1:1 C420jpeg\n');
    const frameHeader = Buffer.from('FRAME\n');
    fs.writeFileSync(file, Buffer.concat([header, frameHeader, frame, frameHeader, frame]));
  }

  async stop(logName) {
    await this.browser?.close();
    this.server?.kill('SIGTERM');
    fs.writeFileSync(path.join(artifacts, logName), this.serverLog);
    if (this.dataDir) {
      fs.rmSync(this.dataDir, { recursive: true, force: true });
    }
  }

  startServer() {
    this.server = spawn(kapal, ['serve', '--data', this.dataDir, '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.server.stderr.on('data', (d) => {
      this.serverLog += d;
    });
    return new Promise((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(
        () => reject(new Error(`kapal serve printed no URL: ${this.serverLog}`)),
        20000,
      );
      this.server.stdout.on('data', (d) => {
        this.serverLog += d;
        buffered += d;
        const m = /serving on (http:\/\/[^\s/]+)/.exec(buffered);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      this.server.on('exit', (code) =>
        reject(new Error(`kapal serve exited (${code}): ${this.serverLog}`)),
      );
    });
  }

  /// A context that answers tiles locally and refuses (and records) any other request leaving
  /// 127.0.0.1; `options` go to browser.newContext (geolocation, permissions, locale).
  async newContext(viewport, options = {}) {
    const context = await this.browser.newContext({
      viewport,
      isMobile: viewport.width < 500,
      hasTouch: viewport.width < 500,
      locale: 'id-ID',
      ...options,
    });
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') {
        return route.continue();
      }
      if (url.hostname.endsWith(tileHost)) {
        this.tileRequests += 1;
        return route.fulfill({ status: 200, contentType: 'image/png', body: tilePng });
      }
      this.foreignRequests.push(url.href);
      return route.abort();
    });
    context.on('page', (page) => this.watch(page));
    return context;
  }

  watch(page) {
    page.on('console', (message) => {
      if (message.type() !== 'error') {
        return;
      }
      const where = message.location()?.url ?? '';
      const text = message.text();
      // Chromium logs every failed answer. Expected here: "who is signed in?" before login,
      // what a test provokes on purpose, and the answers a form turns into messages at its
      // fields (422), its conflict view (412) or its offline notice.
      if (
        (/status of 401/.test(text) && /\/api\/v1\/auth\/(me|login)$/.test(where)) ||
        (/status of 40[13]/.test(text) && this.expectRefusal) ||
        (/status of (412|422)/.test(text) && /\/api\/v1\//.test(where)) ||
        (/ERR_INTERNET_DISCONNECTED/.test(text) && this.expectOffline)
      ) {
        return;
      }
      this.consoleErrors.push(`${page.url()}: ${text} (${where})`);
    });
    page.on('pageerror', (error) => this.consoleErrors.push(`${page.url()}: ${error.message}`));
  }

  /// How many persons a name search finds (as the page's user).
  async countPersons(page, q) {
    return page.evaluate(
      async (name) =>
        (await (await fetch(`/api/v1/persons?q=${encodeURIComponent(name)}`)).json()).items.length,
      q,
    );
  }

  async login(page, username = 'admin') {
    await page.goto(`${this.base}/masuk`);
    // A kab/kota instance opens on the map, a province instance on Provinsi.
    await this.signIn(page, username, /\/(peta|provinsi)$/);
  }

  /// After a reload with the server's session kept: the banner's password opens the device's
  /// data again (the key lives in memory only), and the page is drawn again.
  async unlock(page, username) {
    await page.locator('#unlock-password').fill(this.passwords[username]);
    await page.getByRole('button', { name: /^(Buka|Open)$/ }).click();
    await page.locator('.unlock-banner').waitFor({ state: 'detached' });
  }

  /// Signs in on the Masuk page the browser shows (`password`: the account's unless given) and
  /// waits for the page the app goes to (`landing`, a URL pattern).
  async signIn(page, username, landing, password = this.passwords[username]) {
    await page.getByLabel(/^(Nama pengguna|User name)$/).fill(username);
    await page.getByLabel(/^(Kata sandi|Password)$/).fill(password);
    await page.getByRole('button', { name: /^(Masuk|Sign in)$/ }).click();
    await page.waitForURL(landing);
  }
}

/// Runs axe-core in the page and fails on any serious or critical violation, naming them.
export async function axe(page, name) {
  // evaluate() runs through the DevTools protocol, so the page's CSP does not block it.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    (await axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    })),
  );
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `axe on ${name}: ${JSON.stringify(bad, null, 2)}`);
  return result.length;
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

/// The page's width must fit a phone's screen (no sideways scrolling).
export async function assertFits(page, name, width = phone.width) {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width, `${name} is ${scroll} px wide on a ${width} px phone`);
}

/// Calls the API from inside the page with its session and CSRF token (another writer).
export async function apiCall(page, method, url, body, headers = {}) {
  return page.evaluate(
    async ({ method, url, body, headers }) => {
      const me = await (await fetch('/api/v1/auth/me')).json();
      const r = await fetch(url, {
        method,
        headers: {
          'Content-Type': 'application/json',
          'X-CSRF-Token': me.csrf_token,
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await r.text();
      return {
        status: r.status,
        etag: r.headers.get('ETag'),
        body: text ? JSON.parse(text) : null,
      };
    },
    { method, url, body, headers },
  );
}

/// A page function: whether the device's encrypted store (IndexedDB `kapal-offline`,
/// web/src/offline) holding the record `key` is `present`.
async function storeHolds({ key, present }) {
  // (Opening a database that is not there would make an empty one the app could not use.)
  if (!(await indexedDB.databases()).some((d) => d.name === 'kapal-offline')) {
    return !present;
  }
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open('kapal-offline');
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  try {
    if (!db.objectStoreNames.contains('sealed')) {
      return !present;
    }
    const found = await new Promise((resolve) => {
      const r = db.transaction('sealed').objectStore('sealed').getKey(key);
      r.onsuccess = () => resolve(r.result !== undefined);
      r.onerror = () => resolve(false);
    });
    return found === present;
  } finally {
    db.close();
  }
}

/// Everything the browser keeps for the page's origin in localStorage, sessionStorage and
/// IndexedDB, as text (bytes as Latin-1): what someone holding the phone could read.
export async function rawStorage(page) {
  return page.evaluate(async () => {
    const text = (v) => {
      if (v instanceof Uint8Array || v instanceof ArrayBuffer) {
        const bytes = new Uint8Array(v);
        let out = '';
        for (const b of bytes) {
          out += String.fromCharCode(b);
        }
        return out;
      }
      if (v && typeof v === 'object') {
        return Object.entries(v)
          .map(([k, x]) => `${k}:${text(x)}`)
          .join('\n');
      }
      return String(v);
    };
    const parts = [];
    for (const store of [localStorage, sessionStorage]) {
      for (let i = 0; i < store.length; i++) {
        parts.push(store.key(i), store.getItem(store.key(i)));
      }
    }
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      for (const s of [...db.objectStoreNames]) {
        const [keys, values] = await Promise.all(
          ['getAllKeys', 'getAll'].map(
            (how) =>
              new Promise((resolve) => {
                const r = db.transaction(s).objectStore(s)[how]();
                r.onsuccess = () => resolve(r.result);
              }),
          ),
        );
        keys.forEach((k, i) => parts.push(`${name}/${s}/${k}`, text(values[i])));
      }
      db.close();
    }
    return parts.join('\n');
  });
}

/// Waits until the device's store of the page holds the record `key` (or, `present` false, no
/// longer does). (page.waitForFunction does not wait for an async function's answer.)
export async function waitForStore(page, key, present = true, timeoutMs = 30000) {
  await waitUntil(
    page,
    storeHolds,
    { key, present },
    `the device store ${present ? 'never held' : 'still holds'} ${key}`,
    timeoutMs,
  );
}

/// Waits until `fn(arg)`, evaluated in the page, comes to a truthy value; `fn` may be async,
/// which page.waitForFunction does not wait for (a promise is truthy at once). Fails saying
/// `what` after `timeoutMs`.
export async function waitUntil(page, fn, arg, what, timeoutMs = 30000) {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(fn, arg))) {
    assert.ok(Date.now() < end, what);
    await page.waitForTimeout(100);
  }
}

/// A PNG of w x h pixels of one colour (zlib from node; no image library): a photo for the forms.
export function pngOf(w, h, rgb) {
  const row = Buffer.alloc(1 + 3 * w);
  for (let x = 0; x < w; x++) {
    row.set(rgb, 1 + 3 * x);
  }
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
