// Browser tests of issue 9's pages: Tambah warns "mungkin duplikat dari …" at the top of the form
// with a link to the other record and a checkbox to confirm; Log audit filters the log for a
// person just edited, shows the change before and after, and the state of the hash chain. A
// `kapal serve` on demo data of its own (harness.mjs).
//
//   KAPAL_BIN=build/kapal node --test tests/browser/audit.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { apiCall, assertFits, axe, desktop, Harness, phone, shot } from './harness.mjs';

const harness = new Harness({ persons: 50 });
// Nur Halimah of Lok Tuan, born 17 May 1990 (a woman: day + 40 in the NIK).
const first = {
  nik: '6474015705900011',
  full_name: 'Nur Halimah Uji Duplikat',
  sex: 'P',
  birth_date: '1990-05-17',
  address: { kelurahan_code: '64.74.01.1003' },
  categories: ['fisik'],
};

before(async () => harness.start(), { timeout: 60000 });
after(async () => harness.stop('server-audit.log'));

describe('Tambah: mungkin duplikat', { timeout: 180000 }, () => {
  let context;
  let page;
  let firstId;

  before(async () => {
    context = await harness.newContext(desktop);
    page = await context.newPage();
    await harness.login(page);
    const created = await apiCall(page, 'POST', '/api/v1/persons', first);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    firstId = created.body.id;
  });

  after(async () => context?.close());

  it('warns at the top with a link to the other record and saves once confirmed', async () => {
    await page.goto(`${harness.base}/tambah`);
    await page.locator('#f-full_name').waitFor();
    await page.locator('#f-nik').fill('6474015705900017'); // one digit off
    await page.locator('#f-full_name').fill('Nur Halima Uji Duplikat');
    await page.getByLabel('Jenis kelamin *').selectOption('P');
    await page.locator('#f-birth_date').fill('1990-05-17');
    await page.locator('#f-address-kelurahan_code').selectOption('64.74.01.1003');
    await page.getByLabel('Fisik', { exact: true }).check();
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    const warnings = page.getByRole('group', { name: 'Peringatan' });
    await warnings.waitFor();
    // At the top of the form: before the identity section.
    assert.equal(
      await page.evaluate(() => {
        const form = document.getElementById('person-form');
        return form.querySelector('fieldset.warnings') === form.querySelector('fieldset');
      }),
      true,
    );
    const text = await warnings.innerText();
    assert.match(text, /Mungkin duplikat dari data lain/);
    assert.match(text, new RegExp(`${firstId} N\\*\\*\\* H\\*\\*\\*`));
    const link = warnings.getByRole('link', { name: `Buka data ${firstId} di tab baru` });
    assert.equal(await link.getAttribute('href'), `/orang/${firstId}`);
    await axe(page, 'tambah (duplikat)');
    await shot(page, 'tambah-duplikat');
    await page.getByLabel(/^Sudah diperiksa, data benar.*Mungkin duplikat/).check();
    await page
      .getByLabel('Alasan menyimpan walau ada peringatan *')
      .fill('Orang berbeda: KTP keduanya diperiksa');
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    await page.waitForURL(/\/orang\/[0-9a-f-]+$/);
    const secondId = page.url().split('/').pop();
    assert.notEqual(secondId, firstId);
    const saved = await apiCall(page, 'GET', `/api/v1/persons/${secondId}`);
    assert.deepEqual(saved.body.confirmed_warnings, ['person.possible_duplicate']);
  });
});

describe('Log audit', { timeout: 180000 }, () => {
  let context;
  let page;
  let personId;

  before(async () => {
    // The admin registers and edits; the auditor (inspektorat) reads the log.
    const adminContext = await harness.newContext(desktop);
    const admin = await adminContext.newPage();
    await harness.login(admin);
    const created = await apiCall(admin, 'POST', '/api/v1/persons', {
      ...first,
      nik: '6474015705900099',
      full_name: 'Wahyuni Uji Audit',
      birth_date: '1990-05-17',
      address: { kelurahan_code: '64.74.02.1001' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    personId = created.body.id;
    // Edited just now: a new phone number.
    const current = await apiCall(admin, 'GET', `/api/v1/persons/${personId}`);
    const put = await apiCall(
      admin,
      'PUT',
      `/api/v1/persons/${personId}`,
      { ...current.body, phone: '081255501234', change_reason: 'nomor baru' },
      { 'If-Match': current.etag },
    );
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await adminContext.close();
    context = await harness.newContext(desktop);
    page = await context.newPage();
    await harness.login(page, 'auditor');
  });

  after(async () => context?.close());

  it('filters the log for the person just edited and shows the change', async () => {
    await page
      .getByRole('navigation', { name: 'Menu utama' })
      .getByRole('link', { name: 'Log audit' })
      .click();
    await page.waitForURL(/\/audit$/);
    await page.locator('#audit-chain-state', { hasText: /^Log utuh: / }).waitFor();
    await page.getByLabel('Orang (id data)').fill(personId);
    await page.getByLabel('Tindakan').fill('person.update');
    await page.getByRole('button', { name: 'Terapkan' }).click();
    await page.waitForURL(new RegExp(`subject=${personId}`));
    // The filtered answer is in once the results are no longer busy and say one entry.
    await page.locator('#audit-results:not([aria-busy])').waitFor();
    await page.locator('#audit-status', { hasText: /\b1\b/ }).waitFor();
    const rows = page.locator('#audit-table tbody tr[data-seq]');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /person\.update/);
    const show = rows.first().getByRole('button', { name: 'Lihat perubahan' });
    await show.click();
    assert.equal(await show.getAttribute('aria-expanded'), 'true');
    const phoneRow = page.locator('.audit-diff tbody tr', { hasText: 'phone' });
    await phoneRow.waitFor();
    const cells = await phoneRow.locator('td').allInnerTexts();
    assert.deepEqual(cells, ['—', '081255501234']);
    await axe(page, 'audit');
    await shot(page, 'audit-desktop');

    // A window that ends before today holds none of it.
    await page.getByLabel('Sampai tanggal').fill('2020-01-01');
    await page.getByRole('button', { name: 'Terapkan' }).click();
    await page.locator('#audit-status', { hasText: 'Tidak ada entri yang cocok.' }).waitFor();
  });

  it('fits a 360 px phone and passes axe', async () => {
    const phoneContext = await harness.newContext(phone);
    const p = await phoneContext.newPage();
    await harness.login(p, 'auditor');
    await p.goto(`${harness.base}/audit?subject=${personId}`);
    await p.locator('#audit-table tbody tr[data-seq]').first().waitFor();
    await p.locator('#audit-chain-state').waitFor();
    await assertFits(p, 'audit-phone');
    await axe(p, 'audit-phone');
    await shot(p, 'audit-phone');
    await phoneContext.close();
  });

  it('is for admins and auditors only: an operator does not see it', async () => {
    const opContext = await harness.newContext(desktop);
    const p = await opContext.newPage();
    await harness.login(p, 'operator.utara');
    assert.equal(
      await p
        .getByRole('navigation', { name: 'Menu utama' })
        .getByRole('link', { name: 'Log audit' })
        .count(),
      0,
    );
    await opContext.close();
  });
});

describe('Duplikat: the review queue', { timeout: 180000 }, () => {
  let context;
  let page;
  const ids = [];

  before(async () => {
    context = await harness.newContext(desktop);
    page = await context.newPage();
    await harness.login(page);
    // Two registrations of one woman, homes 40 m apart next to a demo person of Lok Tuan.
    const near = await apiCall(page, 'GET', '/api/v1/persons?kelurahan=64.74.01.1003&limit=20');
    const anchor = near.body.items.find((p) => p.home);
    assert.ok(anchor, 'a demo person with a home in Lok Tuan');
    for (const [nik, name, dLat] of [
      ['6474016108880021', 'Sri Wahyuni Uji Gabung', 0],
      ['6474016108880027', 'Sri Wahyuny Uji Gabung', 0.00036],
    ]) {
      const created = await apiCall(page, 'POST', '/api/v1/persons', {
        nik,
        full_name: name,
        sex: 'P',
        birth_date: '1988-08-21',
        // No kelurahan typed: the home sets it (the demo person's may differ from its home's).
        address: { street: 'Jl. Pupuk Raya' },
        home: { lon: anchor.home.lon, lat: anchor.home.lat + dLat, source: 'map' },
        categories: ['rungu'],
        confirmed_warnings: ['person.possible_duplicate'],
        warning_reason: 'didaftarkan dua kali, untuk ditinjau',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      ids.push(created.body.id);
    }
  });

  after(async () => context?.close());

  it('lists the pair, compares both records on a map and merges them', async () => {
    await page
      .getByRole('navigation', { name: 'Menu utama' })
      .getByRole('link', { name: 'Duplikat' })
      .click();
    await page.waitForURL(/\/duplikat$/);
    const row = page.locator('#dup-table tbody tr', { hasText: 'Sri Wahyuny Uji Gabung' });
    await row.waitFor();
    assert.match(await row.innerText(), /Sri Wahyuni Uji Gabung/);
    assert.match(await row.innerText(), /Pendaftaran/);
    await axe(page, 'duplikat');
    await shot(page, 'duplikat-desktop');

    await row.getByRole('link').click();
    await page.waitForURL(/\/duplikat\/[0-9a-f-]+$/);
    const compare = page.locator('#pair-compare');
    await compare.waitFor();
    const nameRow = compare.locator('tbody tr', { hasText: 'Nama lengkap' });
    assert.match(await nameRow.innerText(), /berbeda/);
    const birthRow = compare.locator('tbody tr', { hasText: 'Tempat, tanggal lahir' });
    assert.match(await birthRow.innerText(), /sama/);
    // Both homes on the map, and the distance in words.
    await page.locator('#pair-map .pair-marker').nth(1).waitFor();
    assert.equal(await page.locator('#pair-map .pair-marker').count(), 2);
    assert.match(
      await page.locator('#pair-distance').innerText(),
      /Jarak antara kedua rumah: 40 m/,
    );
    const evidence = await page.locator('#pair-evidence tbody tr').allInnerTexts();
    assert.equal(evidence.length, 8);
    assert.match(evidence.join('\n'), /NIK beda satu angka/);
    await axe(page, 'duplikat-pasangan');
    await shot(page, 'duplikat-pasangan');

    // The reason is required; then keep A.
    const keepA = page.getByLabel(/pertahankan data A/);
    await keepA.check();
    await page.getByRole('button', { name: 'Simpan keputusan' }).click();
    await page.locator('#pair-error', { hasText: 'paling sedikit 5 huruf' }).waitFor();
    await page.getByLabel('Alasan (wajib)').fill('Dicek dengan KTP saat kunjungan rumah');
    await page.getByRole('button', { name: 'Simpan keputusan' }).click();
    await page.locator('#pair-status', { hasText: 'Data digabung' }).waitFor();
    await page.locator('#pair-decision', { hasText: 'data A dipertahankan' }).waitFor();
    const pairId = page.url().split('/').pop();
    const pair = await apiCall(page, 'GET', `/api/v1/duplicates/${pairId}`);
    assert.equal(pair.body.state, 'digabung');
    const kept = pair.body.kept_id;
    const absorbed = kept === pair.body.person_a ? pair.body.person_b : pair.body.person_a;
    assert.deepEqual([kept, absorbed].sort(), [...ids].sort());

    // The old record's page shows the record kept, and says so.
    await page.goto(`${harness.base}/orang/${absorbed}`);
    const notice = page.locator('#person-merged');
    await notice.waitFor();
    assert.match(await notice.innerText(), new RegExp(`Data ${absorbed} telah digabung`));
    assert.equal(await page.locator('h1').innerText(), pair.body.a.full_name);
    await notice.getByRole('link', { name: 'Lihat data lama' }).click();
    await page.locator('#person-merged', { hasText: 'telah digabung ke data lain' }).waitFor();
    await axe(page, 'orang-digabung');
  });

  it('fits a 360 px phone', async () => {
    const phoneContext = await harness.newContext(phone);
    const p = await phoneContext.newPage();
    await harness.login(p);
    await p.goto(`${harness.base}/duplikat?status=semua`);
    await p.locator('#dup-table tbody tr').first().waitFor();
    await assertFits(p, 'duplikat-phone');
    await axe(p, 'duplikat-phone');
    await shot(p, 'duplikat-phone');
    await phoneContext.close();
  });
});
