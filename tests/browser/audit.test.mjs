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
