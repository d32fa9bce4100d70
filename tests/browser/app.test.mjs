// Browser tests of the web app (issue 6): Debian's Chromium, driven by playwright-core, against
// a real `kapal serve` on demo data that this file starts itself (free port, its own temporary
// data directory). Run by ctest (label `browser`, tests/browser/CMakeLists.txt) after
// scripts/build-web.sh has built web/dist. Screenshots go to $KAPAL_BROWSER_ARTIFACTS.
//
//   KAPAL_BIN=build/kapal node tests/browser/app.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { axe, desktop, Harness, phone, shot } from './harness.mjs';

const harness = new Harness({
  persons: 600,
  // A hazard zone imported before the server starts, for the map's overlay.
  prepare: (dataDir) => {
    const zone = path.join(dataDir, 'banjir.geojson');
    fs.writeFileSync(
      zone,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: {
              nama: 'Genangan Api-Api',
              bahaya: 'banjir',
              tingkat: 'tinggi',
            },
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [117.48, 0.12],
                  [117.5, 0.12],
                  [117.5, 0.14],
                  [117.48, 0.14],
                  [117.48, 0.12],
                ],
              ],
            },
          },
        ],
      }),
    );
    harness.run(['hazard', 'import', '--data', dataDir, zone]);
  },
});
const newContext = (viewport) => harness.newContext(viewport);
const login = (page, username = 'admin') => harness.login(page, username);

async function clusterCount(page) {
  return page.locator('.leaflet-marker-pane .cluster-badge').count();
}

/// Presses Tab until `selector` matches the focused element (at most `max` times).
async function tabTo(page, selector, max = 8) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
      return;
    }
  }
  const at = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
  throw new Error(`Tab did not reach ${selector} in ${max} presses (at ${at})`);
}

/// With the keyboard only, as a keyboard user would: from the map, Tab to the first cluster
/// and press Enter until the summary shows one person (zooming in; a spot that cannot be
/// split lists its persons, the first of which is chosen).
async function openPersonFromMap(page) {
  for (let i = 0; i < 12; i += 1) {
    if (await page.locator('.person-summary h3').count()) {
      await page.waitForFunction(() => document.activeElement?.matches('.person-summary h3'));
      return page.locator('.person-summary h3').innerText();
    }
    if (await page.locator('.summary .person-list button').count()) {
      await tabTo(page, '.summary .person-list button', 1);
      await page.keyboard.press('Enter');
      await page.locator('.person-summary h3').waitFor();
      continue;
    }
    await page.locator('.leaflet-marker-icon[role=button]').first().waitFor();
    await page.locator('#map').focus();
    await tabTo(page, '.leaflet-marker-icon[role=button]');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(400); // the zoom animation, then the new clusters
    await page.waitForLoadState('networkidle');
  }
  throw new Error('no person summary after 12 steps');
}

describe('web app', { timeout: 180000 }, () => {
  before(async () => harness.start());
  after(async () => harness.stop('server.log'));

  it('Masuk: a missing field and a wrong password give clear errors, then the user signs in', async () => {
    const context = await newContext(desktop);
    const page = await context.newPage();
    await page.goto(`${harness.base}/`);
    await page.waitForURL(/\/masuk/);
    assert.equal(await page.locator('h1').innerText(), 'Masuk');
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    const userField = page.getByLabel('Nama pengguna', { exact: true });
    assert.equal(await userField.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#username-error').innerText(), 'Isi nama pengguna.');
    assert.equal(await userField.evaluate((el) => el === document.activeElement), true);

    await userField.fill('admin');
    await page.getByLabel('Kata sandi', { exact: true }).fill('bukan-sandinya');
    await page.getByRole('button', { name: 'Masuk', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    assert.equal(
      await page.locator('#login-alert').innerText(),
      'Nama pengguna atau kata sandi salah.',
    );
    assert.equal(await page.getByLabel('Kata sandi', { exact: true }).inputValue(), '');
    await axe(page, 'masuk (with errors)');
    await shot(page, 'masuk-error-desktop');

    // The rest by keyboard: the focus is back in the password field.
    await page.keyboard.type(harness.passwords.admin);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/peta$/);
    await context.close();
  });

  describe('signed in on a desktop', () => {
    let context;
    let page;
    before(async () => {
      context = await newContext(desktop);
      page = await context.newPage();
      await login(page);
    });
    after(async () => context?.close());

    it('Peta: clusters by category, the kelurahan choropleth and the hazard zone draw', async () => {
      await page.locator('.leaflet-marker-pane .cluster-badge').first().waitFor();
      assert.ok((await clusterCount(page)) > 0);
      // Every cluster has a letter as well as a colour, and a name for screen readers.
      const badges = await page.locator('.leaflet-marker-icon').evaluateAll((els) =>
        els.map((el) => ({
          title: el.getAttribute('title'),
          role: el.getAttribute('role'),
          tab: el.tabIndex,
          symbol: el.querySelector('.cluster-symbol')?.textContent,
          cls: el.querySelector('.cluster-badge')?.className,
        })),
      );
      for (const b of badges) {
        assert.match(b.symbol, /^[FIMNRW]$/, JSON.stringify(b));
        assert.match(b.cls, /cat-(fisik|intelektual|mental|sensorik_\w+)/);
        assert.match(b.title, /orang/);
        assert.equal(b.role, 'button');
        assert.equal(b.tab, 0);
      }
      // 15 kelurahan with their count written on them, summing to the active persons.
      await page.locator('.area-label').nth(14).waitFor();
      const labels = await page.locator('.area-label').allInnerTexts();
      assert.equal(labels.length, 15);
      const sum = labels.reduce((s, l) => s + Number(l.replace(/\./g, '')), 0);
      const aktif = await page.evaluate(async () => {
        const r = await fetch('/api/v1/areas?level=kota&status=aktif');
        return (await r.json()).features[0].properties.total;
      });
      assert.equal(sum, aktif);
      const fills = await page
        .locator('.leaflet-overlay-pane path')
        .evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('fill')))]);
      assert.ok(fills.length >= 3, `choropleth colours: ${fills}`);
      const dashed = await page
        .locator('.leaflet-overlay-pane path[stroke-dasharray="6 4"]')
        .count();
      assert.equal(dashed, 1, 'the imported hazard zone, dashed');
      const total = await page.locator('.map-total').innerText();
      assert.match(total, /^\d[\d.]* orang di area peta ini$/);
      // Basemap tiles were asked for (answered locally here) and attributed.
      assert.ok(harness.tileRequests > 0);
      assert.match(await page.locator('.leaflet-control-attribution').innerText(), /OpenStreetMap/);
      await shot(page, 'peta-desktop');
      await axe(page, 'peta');
    });

    it('Peta: colours the kecamatan per 1,000 residents, as the API computes it', async () => {
      await page.getByLabel('Warna wilayah menurut').selectOption('rate');
      await page.getByRole('heading', { name: /per 1\.000 penduduk, per kecamatan/ }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll('.area-label').length === 3);
      const expected = await page.evaluate(async () => {
        const r = await fetch('/api/v1/areas?level=kecamatan&status=aktif');
        return Object.fromEntries(
          (await r.json()).features.map((f) => [f.properties.name, f.properties.per_1000.total]),
        );
      });
      const rows = await page
        .locator('.area-table tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [tr.querySelector('th').textContent, tr.querySelector('td').textContent]),
        );
      assert.equal(rows.length, 3);
      for (const [name, shown] of rows) {
        // Indonesian decimals: "3,52".
        assert.equal(Number(shown.replace(/\./g, '').replace(',', '.')), expected[name], name);
      }
      assert.match(await page.locator('.legend').innerText(), /Penduduk: data referensi \(BPS\)/);
      await axe(page, 'peta per 1.000 penduduk');
      await page.getByLabel('Warna wilayah menurut').selectOption('count');
      await page.locator('.area-label').nth(14).waitFor();
    });

    it('Peta: without basemap tiles boundaries, clusters and zones still draw', async () => {
      await page.getByLabel('Peta dasar (butuh internet)').uncheck();
      await page.waitForFunction(() => document.querySelectorAll('.leaflet-tile').length === 0);
      assert.ok((await clusterCount(page)) > 0);
      assert.ok((await page.locator('.leaflet-overlay-pane path').count()) >= 16);
      await shot(page, 'peta-tanpa-peta-dasar-desktop');
      await page.reload();
      await page.locator('.leaflet-marker-pane .cluster-badge').first().waitFor();
      assert.equal(
        await page.getByLabel('Peta dasar (butuh internet)').isChecked(),
        false,
        'the choice is remembered',
      );
      assert.equal(await page.locator('.leaflet-tile').count(), 0);
      await page.getByLabel('Peta dasar (butuh internet)').check();
    });

    it('Peta: a filter changes the clusters and the counts', async () => {
      const before = await page.locator('.map-total').innerText();
      await page.getByLabel('Ragam disabilitas').selectOption('sensorik_wicara');
      await page.waitForFunction(
        (b) => document.querySelector('.map-total')?.textContent !== b,
        before,
      );
      const symbols = await page.locator('.cluster-symbol').allInnerTexts();
      assert.ok(symbols.length > 0);
      assert.deepEqual([...new Set(symbols)], ['W']);
      await page.getByLabel('Ragam disabilitas').selectOption('');
      await page.waitForFunction(
        (b) => document.querySelector('.map-total')?.textContent === b,
        before,
      );
    });

    it('Peta: the keyboard opens clusters down to one person and shows a summary', async () => {
      const name = await openPersonFromMap(page);
      assert.ok(name.length > 0);
      await shot(page, 'peta-ringkasan-desktop');
      await tabTo(page, '.person-summary a', 1);
      assert.equal(
        await page.evaluate(() => document.activeElement.textContent),
        'Buka data lengkap',
      );
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/orang\//);
      await page.locator('h1', { hasText: name }).waitFor();
      await page.getByRole('heading', { name: 'Riwayat perubahan' }).waitFor();
      // The home on a small map, with the category's letter.
      assert.match(await page.locator('.home-map .cluster-symbol').innerText(), /^[FIMNRW]$/);
      await axe(page, 'orang');
      await shot(page, 'orang-desktop');
    });

    it('Data: finds a person by name, sorts and pages', async () => {
      const target = await page.evaluate(async () => {
        const r = await fetch('/api/v1/persons?limit=200&status=aktif');
        const items = (await r.json()).items;
        return items.reduce((a, b) => (b.full_name.length > a.full_name.length ? b : a));
      });
      await page
        .getByRole('navigation', { name: 'Menu utama' })
        .getByRole('link', { name: 'Data' })
        .click();
      await page.waitForURL(/\/data$/);
      await page.locator('#data-table tbody tr th a').first().waitFor();
      assert.equal(await page.locator('#data-table tbody tr').count(), 25);
      await axe(page, 'data');
      await shot(page, 'data-desktop');

      // Paging: the second page holds other people.
      const first = await page.locator('#data-table tbody th').allInnerTexts();
      await page.getByRole('button', { name: 'Berikutnya' }).click();
      await page.locator('caption', { hasText: 'halaman 2' }).waitFor();
      const second = await page.locator('#data-table tbody th').allInnerTexts();
      assert.equal(second.length, 25);
      assert.notDeepEqual(second, first);
      await page.getByRole('button', { name: 'Sebelumnya' }).click();
      await page.locator('caption', { hasText: 'halaman 1' }).waitFor();

      // Sorting by name, both ways, on the server: the whole list, so the next page goes on
      // where this one ends. The API folds ASCII case and compares bytes.
      const key = (n) => n.replace(/[A-Z]/g, (c) => c.toLowerCase());
      const byKey = (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
      await page.getByRole('button', { name: /^Nama/ }).click();
      await page.waitForURL(/sort=name/);
      await page.locator('th[aria-sort="ascending"]').waitFor();
      await page.locator('caption', { hasText: 'halaman 1' }).waitFor();
      await page.waitForFunction(() => !document.querySelector('#data-table[aria-busy]'));
      const asc = await page.locator('#data-table tbody th').allInnerTexts();
      assert.deepEqual(asc, [...asc].sort(byKey));
      await page.getByRole('button', { name: 'Berikutnya' }).click();
      await page.locator('caption', { hasText: 'halaman 2' }).waitFor();
      await page.waitForFunction(() => !document.querySelector('#data-table[aria-busy]'));
      const ascNext = await page.locator('#data-table tbody th').allInnerTexts();
      assert.deepEqual(ascNext, [...ascNext].sort(byKey));
      assert.ok(byKey(asc.at(-1), ascNext[0]) <= 0, `${asc.at(-1)} then ${ascNext[0]}`);
      await page.getByRole('button', { name: /^Nama/ }).click();
      await page.waitForURL(/sort=-name/);
      await page.locator('th[aria-sort="descending"]').waitFor();
      await page.locator('caption', { hasText: 'halaman 1' }).waitFor();
      await page.waitForFunction(() => !document.querySelector('#data-table[aria-busy]'));
      const desc = await page.locator('#data-table tbody th').allInnerTexts();
      assert.deepEqual(desc, [...desc].sort(byKey).reverse());
      assert.ok(byKey(desc[0], ascNext.at(-1)) >= 0, 'descending starts at the end of the list');

      // Search.
      await page.getByLabel('Cari nama').fill(target.full_name);
      await page.getByLabel('Cari nama').press('Enter');
      await page.waitForURL(/\?q=/);
      const link = page.locator('#data-table tbody a', { hasText: target.full_name }).first();
      await link.waitFor();
      const names = await page.locator('#data-table tbody th').allInnerTexts();
      for (const n of names) {
        assert.ok(n.toLowerCase().includes(target.full_name.toLowerCase()), n);
      }
      assert.ok((await page.locator(`a[href="/orang/${target.id}"]`).count()) === 1);
      // The export downloads the caller's data, saying how far it got.
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'CSV', exact: true }).click(),
      ]);
      assert.equal(file.suggestedFilename(), 'persons.csv');
      const csv = fs.readFileSync(await file.path(), 'utf8');
      assert.ok(csv.split('\n').length > 600, 'a line per person and a header');
      assert.ok(csv.includes(target.full_name));
      await page
        .locator('.export-status', { hasText: /^persons\.csv \(.+\) sudah diunduh\.$/ })
        .waitFor();
      // The national DTKS layout: its columns, the disability code, NIK masked.
      const [dtks] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'DTKS CSV', exact: true }).click(),
      ]);
      assert.equal(dtks.suggestedFilename(), 'persons-dtks.csv');
      const dtksCsv = fs.readFileSync(await dtks.path(), 'utf8').replace(/^\uFEFF/, '');
      assert.ok(dtksCsv.startsWith('ID DTKS,NIK,No KK,Nama,'), dtksCsv.slice(0, 80));
      assert.ok(dtksCsv.includes(target.full_name));
      assert.ok(dtksCsv.includes('**********'), 'NIK masked');
      await page
        .locator('.export-status', { hasText: /^persons-dtks\.csv \(.+\) sudah diunduh\.$/ })
        .waitFor();
      await shot(page, 'data-cari-desktop');
    });

    it('switches to English, remembers it, and back', async () => {
      await page.getByRole('button', { name: 'Switch to English' }).click();
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      await page.locator('h1', { hasText: 'Persons with disabilities' }).waitFor();
      assert.equal(await page.getByLabel('Search by name').count(), 1);
      await page.reload();
      await page.locator('h1', { hasText: 'Persons with disabilities' }).waitFor();
      await page
        .getByRole('navigation', { name: 'Main menu' })
        .getByRole('link', { name: 'Map' })
        .click();
      await page.locator('.map-total', { hasText: /persons in this map view$/ }).waitFor();
      assert.equal(await page.getByLabel('Disability category').count(), 1);
      assert.ok(
        (await page.locator('.cluster-symbol').allInnerTexts()).every((s) => /^[PIMVHS]$/.test(s)),
      );
      await axe(page, 'map (English)');
      await shot(page, 'map-english-desktop');
      await page.getByRole('button', { name: 'Ganti ke Bahasa Indonesia' }).click();
      await page.locator('.map-total', { hasText: /orang di area peta ini$/ }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), 'id');
    });

    it('an ended session leads to Masuk and, after signing in, back to the same page', async () => {
      await page.goto(`${harness.base}/data?status=aktif`);
      await page.locator('#data-table tbody tr th a').first().waitFor();
      harness.expectRefusal = true;
      await context.clearCookies();
      await page.getByRole('button', { name: 'Berikutnya' }).click();
      await page.waitForURL(/\/masuk\?expired=1/);
      harness.expectRefusal = false;
      assert.equal(
        await page.locator('#login-alert').innerText(),
        'Sesi Anda berakhir. Silakan masuk lagi.',
      );
      await page.getByLabel('Nama pengguna', { exact: true }).fill('admin');
      await page.getByLabel('Kata sandi', { exact: true }).fill(harness.passwords.admin);
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/data\?status=aktif$/);
      await page.locator('#data-table tbody tr th a').first().waitFor();
    });
  });

  it('the merchant lands on its Voucher page and sees no registry pages', async () => {
    const context = await newContext(desktop);
    const page = await context.newPage();
    await page.goto(`${harness.base}/masuk`);
    // Every role has pages now: the merchant's is Voucher (tests/browser/voucher.test.mjs).
    await page.getByLabel('Nama pengguna', { exact: true }).fill('merchant');
    await page.getByLabel('Kata sandi', { exact: true }).fill(harness.passwords.merchant);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/voucher$/);
    await page.getByRole('heading', { name: 'Voucher e-Warong' }).waitFor();
    const nav = await page.getByRole('navigation', { name: 'Menu utama' }).innerText();
    assert.match(nav, /Voucher/);
    assert.doesNotMatch(nav, /Peta|Data|Penyaluran/, 'no registry or handover pages');
    await context.close();
  });

  it('an operator of one kecamatan sees only its kelurahan and persons', async () => {
    const context = await newContext(desktop);
    const page = await context.newPage();
    // First the admin in the same tab, who sees all three kecamatan, then Keluar: nothing the
    // admin loaded may show through to the operator.
    await login(page);
    await page.goto(`${harness.base}/data`);
    await page.locator('#data-kecamatan option').nth(3).waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.waitForURL(/\/masuk$/);
    await page.getByLabel('Nama pengguna', { exact: true }).fill('operator.utara');
    await page.getByLabel('Kata sandi', { exact: true }).fill(harness.passwords['operator.utara']);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/peta$/);
    await page.locator('.area-label').first().waitFor();
    await page.locator('.leaflet-marker-pane .cluster-badge').first().waitFor();
    // Bontang Utara has 6 of the city's 15 kelurahan.
    assert.equal(await page.locator('.area-label').count(), 6);
    const rows = await page.locator('.area-table tbody th').allTextContents();
    assert.deepEqual(rows.sort(), [
      'Api-api',
      'Bontang Baru',
      'Bontang Kuala',
      'Guntung',
      'Gunung Elai',
      'Lok Tuan',
    ]);
    await page.getByRole('link', { name: 'Data', exact: true }).click();
    await page.locator('#data-table tbody tr th a').first().waitFor();
    await page.locator('#data-kecamatan option').nth(1).waitFor({ state: 'attached' });
    const kecamatan = await page.locator('#data-kecamatan option').allTextContents();
    assert.deepEqual(kecamatan, ['Semua', 'Bontang Utara']);
    await page.getByLabel('Baris per halaman').selectOption('100');
    await page.getByRole('button', { name: 'Terapkan' }).click();
    await page.waitForURL(/limit=100/);
    await page.locator('#data-table tbody tr').nth(99).waitFor();
    assert.deepEqual(await page.locator('#data-kecamatan option').allTextContents(), [
      'Semua',
      'Bontang Utara',
    ]);
    const kelurahan = await page
      .locator('#data-table tbody td[data-label="Kelurahan"]')
      .allTextContents();
    assert.equal(kelurahan.length, 100);
    for (const k of kelurahan) {
      assert.ok(rows.includes(k), `${k} is not in Bontang Utara`);
    }
    await context.close();
  });

  it('works on a 360 px phone: no sideways scrolling, every page passes axe', async () => {
    const context = await newContext(phone);
    const page = await context.newPage();
    await page.goto(`${harness.base}/masuk`);
    await axe(page, 'masuk (phone)');
    await shot(page, 'masuk-phone');
    await login(page);
    await page.locator('.leaflet-marker-pane .cluster-badge').first().waitFor();
    const pages = [
      ['peta', '/peta'],
      ['data', '/data'],
    ];
    for (const [name, url] of pages) {
      if (!page.url().endsWith(url)) {
        await page.goto(`${harness.base}${url}`);
      }
      await page.waitForLoadState('networkidle');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= phone.width, `${name} is ${width} px wide on a 360 px phone`);
      await axe(page, `${name} (phone)`);
      await shot(page, `${name}-phone`);
    }
    const href = await page.locator('#data-table tbody a').first().getAttribute('href');
    await page.goto(`${harness.base}${href}`);
    await page.getByRole('heading', { name: 'Riwayat perubahan' }).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= phone.width, `orang is ${width} px wide on a 360 px phone`);
    await axe(page, 'orang (phone)');
    await shot(page, 'orang-phone');
    await context.close();
  });

  it('loads nothing from the internet but tiles, and logs no console errors', () => {
    assert.deepEqual(harness.foreignRequests, []);
    assert.deepEqual(harness.consoleErrors, []);
  });
});
