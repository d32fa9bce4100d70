// Browser test of the merchant's voucher page (issue 8, item 4 "Voucher"): an admin sets up a
// voucher programme over the API (its list approved by a second admin) and registers the demo
// merchant's e-Warong on the E-warong page (a tap on the map for its place, then typed); the
// merchant, on a 360 px phone, lands on /voucher, chooses the programme and cycle, types the
// beneficiary's card number, sees the name and the balance (Rp 100.000), spends Rp 30.000 with
// a note and sees Rp 70.000 left; a second purchase beyond the balance is refused in words at
// the field. The page is axe-clean and fits the phone; the ledger then holds the issue and the
// one redemption, each summing to zero, and the Tahap page shows what is owed to the e-warong
// and the same ledger.
//
//   KAPAL_BIN=build/kapal node --test tests/browser/voucher.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { apiCall, assertFits, axe, desktop, Harness, phone, shot } from './harness.mjs';

const harness = new Harness({
  persons: 80,
  users: [{ username: 'admin2', name: 'Kepala Dinas', role: 'admin' }],
});

before(async () => harness.start(), { timeout: 60000 });
after(async () => harness.stop('server-voucher.log'));

/// Today ± days as YYYY-MM-DD.
function day(offset) {
  return new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
}

describe('Voucher e-Warong', { timeout: 280000 }, () => {
  let adminContext;
  let admin;
  let cycleId;
  let card;
  let beneficiary;

  before(async () => {
    adminContext = await harness.newContext(desktop);
    admin = await adminContext.newPage();
    await harness.login(admin);
  });
  after(async () => adminContext?.close());

  it('sets up a voucher programme, its approved list and the merchant', async () => {
    const users = (await apiCall(admin, 'GET', '/api/v1/users')).body.items;
    const merchantUser = users.find((u) => u.username === 'merchant');
    assert.ok(merchantUser, 'the demo data has a merchant account');
    const programme = await apiCall(admin, 'POST', '/api/v1/aid/programs', {
      code: 'bpnt_2026',
      name: 'Voucher Pangan 2026',
      source: 'APBN',
      kind: 'voucher',
      channel: 'voucher',
      unit_value: 100000,
      rule: 'status = "aktif"',
      assignees: [merchantUser.id],
    });
    assert.equal(programme.status, 201, JSON.stringify(programme.body));
    const cycle = await apiCall(admin, 'POST', '/api/v1/aid/programs/bpnt_2026/cycles', {
      number: 1,
      name: 'Tahap I',
      starts_on: day(-1),
      ends_on: day(30),
    });
    assert.equal(cycle.status, 201, JSON.stringify(cycle.body));
    cycleId = cycle.body.id;
    const generated = await apiCall(
      admin,
      'POST',
      `/api/v1/aid/cycles/${cycleId}/list/generate`,
      undefined,
      { 'If-Match': cycle.etag },
    );
    assert.equal(generated.status, 200, JSON.stringify(generated.body));
    const proposed = await apiCall(
      admin,
      'POST',
      `/api/v1/aid/cycles/${cycleId}/list/propose`,
      undefined,
      { 'If-Match': generated.etag },
    );
    assert.equal(proposed.status, 200, JSON.stringify(proposed.body));
    const checkerContext = await harness.newContext(desktop);
    const checker = await checkerContext.newPage();
    await harness.login(checker, 'admin2');
    const approved = await apiCall(
      checker,
      'POST',
      `/api/v1/aid/cycles/${cycleId}/list/approve`,
      undefined,
      { 'If-Match': proposed.etag },
    );
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await checkerContext.close();

    // The e-Warong is registered on its page: a tap on the map fills the place, which is then
    // typed exactly.
    await admin.goto(`${harness.base}/ewarong`);
    await admin.getByText('Belum ada e-warong terdaftar.').waitFor();
    await admin.getByRole('button', { name: 'Daftarkan', exact: true }).click();
    assert.equal(await admin.getByLabel('Nama e-warong').getAttribute('aria-invalid'), 'true');
    await admin.getByLabel('Nama e-warong').fill('E-Warong Loktuan');
    await admin.getByLabel('Akun pedagang').selectOption(merchantUser.id);
    await admin.getByLabel('Kelurahan', { exact: true }).selectOption('64.74.01.1003');
    await admin.getByLabel('Alamat').fill('Jl. Bhayangkara No. 5');
    await admin.locator('#merchants-map').click({ position: { x: 220, y: 160 } });
    await admin.getByText('Letak diambil dari peta.').waitFor();
    assert.match(await admin.getByLabel('Lintang (latitude)').inputValue(), /^-?\d+\.\d{6}$/);
    await admin.getByLabel('Lintang (latitude)').fill('0.1322');
    await admin.getByLabel('Bujur (longitude)').fill('117.4951');
    await axe(admin, 'E-warong, registering');
    await admin.getByRole('button', { name: 'Daftarkan', exact: true }).click();
    await admin.getByText('E-warong E-Warong Loktuan sudah didaftarkan.').waitFor();
    const merchants = (await apiCall(admin, 'GET', '/api/v1/aid/merchants')).body.items;
    assert.equal(merchants.length, 1);
    assert.equal(merchants[0].name, 'E-Warong Loktuan');
    assert.equal(merchants[0].user_id, merchantUser.id);
    assert.equal(merchants[0].kelurahan_code, '64.74.01.1003');
    assert.equal(merchants[0].lat, 0.1322);
    assert.equal(merchants[0].lon, 117.4951);
    assert.equal(merchants[0].address, 'Jl. Bhayangkara No. 5');
    // On the map with its name, and in the table.
    await admin.locator('.merchant-label', { hasText: 'E-Warong Loktuan' }).waitFor();
    const row = await admin.locator('#merchants-table tbody tr').first().innerText();
    assert.match(row, /E-Warong Loktuan\s+Lok Tuan\s+Jl\. Bhayangkara No\. 5\s+merchant\s+Aktif/);
    await shot(admin, 'ewarong-desktop');

    const entries = (await apiCall(admin, 'GET', `/api/v1/aid/cycles/${cycleId}/list?limit=10`))
      .body.items;
    assert.ok(entries.length > 0, 'the list holds active persons');
    beneficiary = (await apiCall(admin, 'GET', `/api/v1/persons/${entries[0].person_id}`)).body;
    const issued = await apiCall(admin, 'POST', `/api/v1/persons/${beneficiary.id}/cards`);
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    card = issued.body;
  });

  it('spends part of the voucher on a phone and refuses more than the balance', async () => {
    const context = await harness.newContext(phone);
    const page = await context.newPage();
    await page.goto(`${harness.base}/masuk`);
    await page.getByLabel('Nama pengguna', { exact: true }).fill('merchant');
    await page.getByLabel('Kata sandi', { exact: true }).fill(harness.passwords.merchant);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(/\/voucher$/);
    await page
      .getByLabel('Program', { exact: true })
      .selectOption({ label: 'Voucher Pangan 2026' });
    await page.waitForURL(/program=bpnt_2026/);
    await page.getByLabel('Tahap', { exact: true }).selectOption(cycleId);
    await page.waitForURL(/tahap=/);
    await page.getByRole('button', { name: 'Pindai kartu dengan kamera' }).waitFor();

    await page.getByLabel('Nomor kartu atau teks QR').fill(card.number_formatted);
    await page.getByRole('button', { name: 'Periksa' }).click();
    await page.locator('#voucher-name-shown').waitFor();
    assert.equal(await page.locator('#voucher-name-shown').innerText(), beneficiary.full_name);
    assert.equal(await page.locator('#voucher-balance').innerText(), 'Rp 100.000');
    await page.getByLabel('Jumlah belanja (rupiah)').fill('30.000');
    await page.getByLabel('Barang yang dibeli (singkat)').fill('Beras 5 kg, telur 1 kg');
    await assertFits(page, 'Voucher with the beneficiary');
    await axe(page, 'Voucher on the phone');
    await page.getByRole('button', { name: 'Konfirmasi belanja' }).click();
    await page.locator('#voucher-success').waitFor();
    assert.match(await page.locator('#voucher-success').innerText(), /Rp 30\.000/);
    assert.equal(await page.locator('#voucher-balance').innerText(), 'Rp 70.000');
    await shot(page, 'voucher-phone');

    // More than what is left: refused in words, nothing spent.
    await page.getByRole('button', { name: 'Penerima berikutnya' }).click();
    await page.getByLabel('Nomor kartu atau teks QR').fill(card.number);
    await page.getByRole('button', { name: 'Periksa' }).click();
    await page.locator('#voucher-balance', { hasText: 'Rp 70.000' }).waitFor();
    await page.getByLabel('Jumlah belanja (rupiah)').fill('80.000');
    await page.getByRole('button', { name: 'Konfirmasi belanja' }).click();
    await page.locator('#voucher-alert', { hasText: /\S/ }).waitFor();
    assert.match(await page.locator('#voucher-alert').innerText(), /Saldo voucher tidak cukup/);
    assert.equal(
      await page.getByLabel('Jumlah belanja (rupiah)').getAttribute('aria-invalid'),
      'true',
      'the error is at the field',
    );
    await assertFits(page, 'Voucher after a refusal');
    await axe(page, 'Voucher after a refusal');
    await context.close();

    const ledger = (await apiCall(admin, 'GET', `/api/v1/aid/cycles/${cycleId}/voucher/ledger`))
      .body.items;
    assert.deepEqual(
      ledger.map((t) => [t.kind, t.amount]),
      [
        ['issue', 100000],
        ['redeem', 30000],
      ],
    );
    for (const t of ledger) {
      assert.equal(
        t.postings.reduce((s, p) => s + p.amount, 0),
        0,
        'every transaction sums to zero',
      );
    }

    // The Tahap page tells the office what it owes the e-warong and shows the same ledger.
    await admin.goto(`${harness.base}/bantuan/tahap/${cycleId}`);
    await admin.locator('#voucher-owed').waitFor();
    const owed = await admin.locator('#voucher-owed tbody tr').allInnerTexts();
    assert.equal(owed.length, 1);
    assert.match(owed[0], /E-Warong Loktuan\s+1\s+Rp 30\.000/);
    const rows = admin.locator('#voucher-ledger-table tbody tr');
    assert.equal(await rows.count(), 2);
    assert.match(await rows.nth(0).innerText(), /Penerbitan hak voucher[\s\S]*Rp 100\.000/);
    assert.match(
      await rows.nth(1).innerText(),
      /Penukaran di e-warong\s+E-Warong Loktuan\s+Rp 30\.000/,
    );
    assert.equal(await admin.locator('#voucher-ledger-table .balanced').count(), 2);
    await axe(admin, 'Tahap of a voucher programme');
    assert.deepEqual(harness.consoleErrors, []);
  });
});
