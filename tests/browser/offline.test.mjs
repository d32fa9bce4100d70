// Browser test of the installable app shell (issue 11, item 1): the manifest and its icons, the
// service worker /sw.js with its own Content-Security-Policy, the app opening offline from the
// worker's cache (header, "Luring", the password opening the device's data, the areas for the
// form), the persons from the device's encrypted store (never from the caches), and "Daring"
// again back online. A `kapal serve` on demo data
// of its own (harness.mjs).
//
//   KAPAL_BIN=build/kapal node --test tests/browser/offline.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { networkSwitch } from './field.mjs';
import { axe, desktop, Harness, shot, waitUntil } from './harness.mjs';

const harness = new Harness({ persons: 120 });
const { goOffline, goOnline } = networkSwitch(harness);

before(async () => harness.start(), { timeout: 60000 });
after(async () => harness.stop('server-offline.log'));

/// The URLs in every cache of the page's origin.
function cachedUrls(page) {
  return page.evaluate(async () => {
    const urls = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        urls.push(`${name} ${new URL(request.url).pathname}${new URL(request.url).search}`);
      }
    }
    return urls.sort();
  });
}

describe('the app shell offline', { timeout: 240000 }, () => {
  let context;
  let page;

  before(async () => {
    context = await harness.newContext(desktop);
    page = await context.newPage();
    await harness.login(page);
  });

  after(async () => context?.close());

  it('is installable: a manifest with its icons, served with their media types', async () => {
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    assert.equal(href, '/manifest.webmanifest');
    const manifest = await page.evaluate(async (url) => {
      const r = await fetch(url);
      return { type: r.headers.get('Content-Type'), body: await r.json() };
    }, href);
    assert.equal(manifest.type, 'application/manifest+json');
    assert.equal(manifest.body.name, 'Kapal Si Geo');
    assert.equal(manifest.body.start_url, '/');
    assert.equal(manifest.body.display, 'standalone');
    for (const size of ['192x192', '512x512']) {
      const icon = manifest.body.icons.find((i) => i.sizes === size);
      assert.ok(icon, `an icon of ${size}`);
      const got = await page.evaluate(async (src) => {
        const r = await fetch(src);
        const bitmap = await createImageBitmap(await r.blob());
        return { type: r.headers.get('Content-Type'), size: `${bitmap.width}x${bitmap.height}` };
      }, icon.src);
      assert.deepEqual(got, { type: 'image/png', size });
    }
  });

  it('registers /sw.js, which takes control, with a policy that lets it fetch its origin', async () => {
    // Controlled within 30 s, or say what the registration is doing.
    await page
      .waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30000 })
      .catch(async (e) => {
        const state = await page.evaluate(async () => {
          const r = await navigator.serviceWorker.getRegistration();
          return r
            ? `installing ${r.installing?.state} waiting ${r.waiting?.state} active ${r.active?.state}`
            : 'no registration';
        });
        throw new Error(`the service worker does not control the page (${state}): ${e.message}`);
      });
    const worker = await page.evaluate(async () => {
      const r = await fetch('/sw.js', { cache: 'no-store' });
      return {
        script: navigator.serviceWorker.controller.scriptURL,
        type: r.headers.get('Content-Type'),
        csp: r.headers.get('Content-Security-Policy'),
        cache: r.headers.get('Cache-Control'),
      };
    });
    assert.equal(new URL(worker.script).pathname, '/sw.js');
    assert.match(worker.type, /^text\/javascript/);
    assert.match(worker.csp, /connect-src 'self'/);
    assert.match(worker.csp, /default-src 'none'/);
    assert.equal(worker.cache, 'no-cache');
    // The shell of this build is cached.
    const urls = await cachedUrls(page);
    assert.ok(
      urls.some((u) => /^kapal-shell-\S+ \/index\.html$/.test(u)),
      urls.join('\n'),
    );
    assert.ok(urls.some((u) => /^kapal-shell-\S+ \/assets\/index-.*\.js$/.test(u)));
    assert.ok(urls.some((u) => /^kapal-shell-\S+ \/manifest\.webmanifest$/.test(u)));
    // Signed in, the form's areas are kept without opening the form: the app asks for them
    // again once the worker controls the page (the first page's fetches went past it).
    await waitUntil(
      page,
      async () => {
        const cache = await caches.open('kapal-reference');
        const kept = await Promise.all(
          ['kecamatan', 'kelurahan'].map((l) => cache.match(`/api/v1/areas?level=${l}`)),
        );
        return kept.every(Boolean);
      },
      null,
      'the areas for the form are not kept after sign-in',
    );
  });

  it('opens offline: header, "Luring", the areas for the form from the cache', async () => {
    // Signed in, the device pulled the registry into its encrypted store (Sinkron says when).
    await page
      .getByRole('navigation', { name: 'Menu utama' })
      .getByRole('link', { name: 'Sinkron' })
      .click();
    await page.waitForFunction(() => document.querySelector('#sync-last-pull')?.dataset.at);
    // Online once: the form loads the areas, which the worker keeps.
    await page.goto(`${harness.base}/tambah`);
    const kelurahan = page.locator('#f-address-kelurahan_code');
    await kelurahan.waitFor();
    const onlineOptions = await kelurahan.locator('option').allInnerTexts();
    assert.ok(onlineOptions.length > 5, `kelurahan options: ${onlineOptions.join(', ')}`);
    const status = page.getByRole('status').filter({ hasText: /^(Daring|Luring)/ });
    assert.equal(await status.innerText(), 'Daring');
    assert.equal(await status.getAttribute('aria-live'), 'polite');

    await goOffline(context);
    // The browser says so at once, without a reload.
    await page.getByRole('status').filter({ hasText: 'Luring' }).waitFor();
    await page.reload();
    await page.getByRole('banner').waitFor();
    assert.equal(
      await page
        .getByRole('status')
        .filter({ hasText: /^Luring/ })
        .innerText(),
      'Luring',
    );
    // The device keeps this user's data, encrypted: the password opens it again (offline).
    await page.waitForURL(/\/masuk\?unlock=1/);
    await page.getByText('Masuk lagi untuk membuka data').waitFor();
    await page.getByLabel('Kata sandi', { exact: true }).fill(harness.passwords.admin);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await page.waitForURL(/\/tambah$/);
    await page.getByRole('navigation', { name: 'Menu utama' }).waitFor();
    await kelurahan.waitFor();
    assert.deepEqual(await kelurahan.locator('option').allInnerTexts(), onlineOptions);
    await shot(page, 'offline-form');
    await axe(page, 'the form offline');
  });

  it('shows the persons kept on the device offline, and nothing personal is in the caches', async () => {
    await page
      .getByRole('navigation', { name: 'Menu utama' })
      .getByRole('link', { name: 'Data' })
      .click();
    await page.waitForURL(/\/data$/);
    await page.getByText(/^Luring: data dari perangkat ini/).waitFor();
    assert.ok((await page.locator('#data-table tbody tr').count()) > 0, 'rows from the device');
    assert.equal(await page.locator('.net-status').innerText(), 'Luring');
    await axe(page, 'the data page offline');
    await shot(page, 'offline-data');
    // A reload of a page of a person: the shell again (not the browser's error page).
    await page.goto(`${harness.base}/orang/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b`);
    await page.getByRole('banner').waitFor();
    // The reload locked the device's data again: the password opens it, back to that page.
    await page.waitForURL(/\/masuk\?unlock=1/);
    await page.getByLabel('Kata sandi', { exact: true }).fill(harness.passwords.admin);
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await page.waitForURL(/\/orang\//);

    const urls = await cachedUrls(page);
    const api = urls.filter((u) => / \/api\//.test(u));
    assert.ok(api.length > 0, 'the areas are cached');
    for (const u of api) {
      assert.match(u, /^kapal-reference \/api\/v1\/areas(\?|$)/, `cached: ${u}`);
    }
  });

  it('says "Daring" again back online, and forgets the areas at sign-out', async () => {
    await goOnline(context);
    await page
      .getByRole('status')
      .filter({ hasText: /^Daring$/ })
      .waitFor();
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.waitForURL(/\/masuk/);
    await waitUntil(
      page,
      async () => !(await caches.has('kapal-reference')),
      null,
      'the areas are still kept after sign-out',
    );
    const urls = await cachedUrls(page);
    assert.deepEqual(
      urls.filter((u) => / \/api\//.test(u)),
      [],
    );
    assert.deepEqual(harness.consoleErrors, []);
  });
});
