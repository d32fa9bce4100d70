// Browser test of issue 7's web pages: the card and the services on a person's Detail page and
// the Cetak kartu page (print queue). One walk: issue a card, find it in the queue, mark it
// printed and handed over, reissue it (the old one shows revoked), revoke with a confirmation,
// open and complete a service request, a stale If-Match (412) explained and reloaded; then
// the read-only view of a viewer, a 360 px phone and axe-core on every new view.
//
//   KAPAL_BIN=build/kapal node --test tests/browser/card.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { apiCall, assertFits, axe, desktop, Harness, phone, shot } from './harness.mjs';

const harness = new Harness({ persons: 120 });

before(async () => harness.start(), { timeout: 60000 });
after(async () => harness.stop('server-card.log'));

describe('Kartu, Cetak kartu and Layanan', { timeout: 280000 }, () => {
  let context;
  let page;
  let person;
  let first;
  let second;

  before(async () => {
    context = await harness.newContext(desktop);
    page = await context.newPage();
    await harness.login(page);
    // An active person of Bontang Utara without a card.
    const list = await apiCall(page, 'GET', '/api/v1/persons?status=aktif&limit=100');
    for (const p of list.body.items) {
      const cards = await apiCall(page, 'GET', `/api/v1/persons/${p.id}/cards`);
      if (cards.body.items.length === 0 && p.address.kelurahan_code.startsWith('64.74.01')) {
        person = p;
        break;
      }
    }
    assert.ok(person, 'an active person without a card in the demo data');
  });

  after(async () => context?.close());

  it('issues a card from the Detail page and shows it with its faces', async () => {
    await page.goto(`${harness.base}/orang/${person.id}`);
    const kartu = page.locator('#kartu');
    await kartu.getByText('Orang ini belum punya kartu.').waitFor();
    assert.equal(await kartu.getByRole('button', { name: 'Cabut kartu' }).count(), 0);
    await axe(page, 'detail without a card');
    await kartu.getByRole('button', { name: 'Terbitkan kartu' }).click();
    await kartu
      .getByRole('status')
      .filter({ hasText: /sudah diterbitkan/ })
      .waitFor();
    const cards = await apiCall(page, 'GET', `/api/v1/persons/${person.id}/cards`);
    assert.equal(cards.body.items.length, 1);
    first = cards.body.items[0];
    assert.equal(first.stage, 'to_print');
    const text = await kartu.locator('dl').innerText();
    assert.match(text, new RegExp(first.number_formatted));
    assert.match(text, /Aktif/);
    assert.match(text, /Belum dicetak/);
    assert.match(text, /WITA sampai .* WITA/);
    assert.equal(
      await kartu.getByRole('button', { name: 'Terbitkan kartu', exact: true }).count(),
      0,
      'no second issue while a card is active',
    );
    const front = kartu.getByRole('img', { name: `Kartu ${first.number_formatted}, sisi depan` });
    await front.waitFor();
    await page.waitForFunction(
      (alt) => document.querySelector(`img[alt="${alt}"]`)?.naturalWidth === 1011,
      `Kartu ${first.number_formatted}, sisi depan`,
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      kartu.getByRole('button', { name: 'Unduh PDF kartu' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `kartu-${first.number_formatted}.pdf`);
    const pdf = fs.readFileSync(await download.path());
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    await axe(page, 'detail with a card');
    await shot(page, 'card-detail-desktop');
  });

  it('finds the card in the print queue, marks it printed and then handed over', async () => {
    await page
      .getByRole('navigation', { name: 'Menu utama' })
      .getByRole('link', { name: 'Cetak kartu' })
      .click();
    await page.waitForURL(/\/cetak$/);
    await page.getByLabel('Kelurahan', { exact: true }).selectOption(first.kelurahan_code);
    await page.waitForURL(/\/cetak\?kelurahan=/);
    const toPrint = page.locator('#stage-to_print');
    const box = toPrint.getByRole('checkbox', { name: `Pilih kartu ${first.number_formatted}` });
    await box.waitFor();
    assert.match(await toPrint.locator('h2').innerText(), /^Belum dicetak \(1\)$/);
    const mark = toPrint.getByRole('button', { name: /^Tandai sudah dicetak/ });
    assert.equal(await mark.isDisabled(), true, 'nothing selected yet');
    await axe(page, 'cetak kartu');
    await shot(page, 'card-queue-desktop');

    const sheet = page.getByRole('button', { name: /lembar A4/ });
    const [download] = await Promise.all([page.waitForEvent('download'), sheet.click()]);
    const pdf = fs.readFileSync(await download.path());
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.match(pdf.toString('latin1'), /\/MediaBox \[\s*0 0 595/, 'an A4 page');
    await page
      .locator('.export-status', { hasText: /lembar-kartu\.pdf .* sudah diunduh/ })
      .waitFor();

    // Keyboard: Space on the focused checkbox selects the card.
    await box.focus();
    await page.keyboard.press('Space');
    assert.equal(await box.isChecked(), true);
    await toPrint.getByRole('button', { name: 'Tandai sudah dicetak (1)' }).click();
    await page.getByRole('status').filter({ hasText: '1 kartu ditandai sudah dicetak.' }).waitFor();
    assert.match(await toPrint.innerText(), /Tidak ada kartu di tahap ini\./);
    const toHand = page.locator('#stage-to_hand_over');
    await toHand.getByLabel('Pilih semua').check();
    await toHand.getByRole('button', { name: 'Tandai sudah diserahkan (1)' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: '1 kartu ditandai sudah diserahkan.' })
      .waitFor();
    const card = await apiCall(page, 'GET', `/api/v1/cards/${first.number}`);
    assert.equal(card.body.stage, 'handed_over');
    assert.ok(card.body.printed_at && card.body.handed_over_at);
  });

  it('reissues the card for a reason: the old card shows revoked in the history', async () => {
    await page.goto(`${harness.base}/orang/${person.id}`);
    const kartu = page.locator('#kartu');
    await kartu.locator('dl', { hasText: 'Sudah diserahkan' }).waitFor();
    await kartu.getByRole('button', { name: 'Terbitkan ulang' }).click();
    // Without a reason the form says so at the field.
    await kartu.getByRole('button', { name: 'Terbitkan kartu baru' }).click();
    const reason = kartu.getByLabel('Alasan');
    assert.equal(await reason.getAttribute('aria-invalid'), 'true');
    assert.match(await kartu.locator('.field-error:visible').innerText(), /Pilih alasan/);
    await reason.selectOption('hilang');
    await kartu.getByRole('button', { name: 'Terbitkan kartu baru' }).click();
    await kartu
      .getByRole('status')
      .filter({ hasText: /kartu lama dicabut/ })
      .waitFor();
    const cards = (await apiCall(page, 'GET', `/api/v1/persons/${person.id}/cards`)).body.items;
    second = cards.find((c) => c.status === 'active');
    const old = cards.find((c) => c.number === first.number);
    assert.ok(second && second.number !== first.number);
    assert.equal(old.status, 'revoked');
    assert.equal(old.revoke_reason, 'hilang');
    assert.match(await kartu.locator('dl').innerText(), new RegExp(second.number_formatted));
    const history = await kartu.locator('.card-history').innerText();
    assert.match(history, new RegExp(`${first.number_formatted}: Dicabut`));
    assert.match(history, /alasan: Hilang/);
  });

  it('revokes only after the reason, the note for "lainnya" and a confirmation', async () => {
    const kartu = page.locator('#kartu');
    await kartu.getByRole('button', { name: 'Cabut kartu' }).click();
    await kartu.getByRole('button', { name: 'Cabut', exact: true }).click();
    assert.equal(await kartu.getByLabel('Alasan').getAttribute('aria-invalid'), 'true');
    await kartu.getByLabel('Alasan').selectOption('lainnya');
    await kartu.getByRole('button', { name: 'Cabut', exact: true }).click();
    assert.equal(await kartu.getByLabel('Catatan').getAttribute('aria-invalid'), 'true');
    await kartu.getByLabel('Catatan').fill('Kartu tertukar dengan saudara');
    // Dismissing the confirmation keeps the card.
    page.once('dialog', (d) => d.dismiss());
    await kartu.getByRole('button', { name: 'Cabut', exact: true }).click();
    let card = await apiCall(page, 'GET', `/api/v1/cards/${second.number}`);
    assert.equal(card.body.status, 'active');
    let message = '';
    page.once('dialog', (d) => {
      message = d.message();
      return d.accept();
    });
    await kartu.getByRole('button', { name: 'Cabut', exact: true }).click();
    await kartu
      .getByRole('status')
      .filter({ hasText: /sudah dicabut/ })
      .waitFor();
    assert.match(message, new RegExp(`Cabut kartu ${second.number_formatted}\\?`));
    card = await apiCall(page, 'GET', `/api/v1/cards/${second.number}`);
    assert.equal(card.body.status, 'revoked');
    assert.equal(card.body.revoke_note, 'Kartu tertukar dengan saudara');
    assert.match(await kartu.locator('dl').innerText(), /Dicabut/);
    await kartu.getByRole('button', { name: 'Terbitkan kartu' }).waitFor();
  });

  it('opens a service request and completes it, step by step', async () => {
    const layanan = page.locator('#layanan');
    await layanan.getByText('Belum ada permintaan layanan.').waitFor();
    await layanan.getByRole('button', { name: 'Ajukan' }).click();
    assert.equal(await layanan.getByLabel('Layanan').getAttribute('aria-invalid'), 'true');
    await layanan.getByLabel('Layanan').selectOption('alat_bantu');
    await layanan.getByLabel('Catatan', { exact: true }).fill('Kursi roda rusak');
    await layanan.getByRole('button', { name: 'Ajukan' }).click();
    await layanan
      .getByRole('status')
      .filter({ hasText: /sudah diajukan/ })
      .waitFor();
    const request = layanan.locator('.service-request').first();
    assert.match(await request.locator('h3').innerText(), / — diajukan$/);
    assert.match(await request.locator('.timeline').innerText(), /Kursi roda rusak/);
    await axe(page, 'detail with a service request');
    await request.getByLabel('Catatan langkah berikutnya').fill('Diukur oleh pendamping');
    await request.getByRole('button', { name: 'Ubah jadi diproses' }).click();
    await layanan
      .getByRole('status')
      .filter({ hasText: /sekarang diproses/ })
      .waitFor();
    const again = layanan.locator('.service-request').first();
    await again.getByRole('button', { name: 'Ubah jadi selesai' }).click();
    await layanan
      .getByRole('status')
      .filter({ hasText: /sekarang selesai/ })
      .waitFor();
    const done = layanan.locator('.service-request').first();
    assert.match(await done.locator('h3').innerText(), / — selesai$/);
    assert.equal(await done.getByRole('button').count(), 0, 'a final request has no buttons');
    assert.equal(await done.locator('.timeline li').count(), 3);
    const requests = await apiCall(page, 'GET', `/api/v1/persons/${person.id}/service-requests`);
    assert.equal(requests.body.items[0].status, 'selesai');
    assert.deepEqual(
      requests.body.items[0].history.map((s) => s.status),
      ['diajukan', 'diproses', 'selesai'],
    );
    await shot(page, 'card-services-desktop');
  });

  it('says when someone else moved the request meanwhile (412) and reloads it', async () => {
    const layanan = page.locator('#layanan');
    await layanan.getByLabel('Layanan').selectOption('pangan');
    await layanan.getByRole('button', { name: 'Ajukan' }).click();
    await layanan
      .getByRole('status')
      .filter({ hasText: /sudah diajukan/ })
      .waitFor();
    const items = (await apiCall(page, 'GET', `/api/v1/persons/${person.id}/service-requests`)).body
      .items;
    const open = items.find((r) => r.status === 'diajukan');
    const moved = await apiCall(
      page,
      'POST',
      `/api/v1/service-requests/${open.id}/status`,
      { status: 'diproses', note: 'oleh orang lain' },
      { 'If-Match': `"${open.version}"` },
    );
    assert.equal(moved.status, 200);
    const stale = layanan
      .locator('.service-request', { has: page.locator('h3', { hasText: /diajukan$/ }) })
      .first();
    await stale.getByRole('button', { name: 'Ubah jadi ditolak' }).click();
    await layanan
      .getByRole('status')
      .filter({ hasText: /baru saja diubah orang lain/ })
      .waitFor();
    const reloaded = await apiCall(page, 'GET', `/api/v1/service-requests/${open.id}`);
    assert.equal(reloaded.body.status, 'diproses', 'the stale click changed nothing');
    assert.match(await layanan.locator('.service-request h3').first().innerText(), /diproses$/);
  });

  it('shows a viewer the card and services without any write button', async () => {
    const viewer = await harness.newContext(desktop);
    const v = await viewer.newPage();
    await harness.login(v, 'viewer');
    await v.goto(`${harness.base}/orang/${person.id}`);
    await v.locator('#kartu dl').waitFor();
    await v.locator('#layanan .service-request').first().waitFor();
    assert.equal(await v.locator('#kartu button').count(), 0);
    assert.equal(await v.locator('#layanan button, #layanan form').count(), 0);
    assert.equal(
      await v
        .getByRole('navigation', { name: 'Menu utama' })
        .getByRole('link', { name: 'Cetak kartu' })
        .count(),
      0,
    );
    await viewer.close();
  });

  it('fits a 360 px phone, in both languages', async () => {
    const mobile = await harness.newContext(phone);
    const m = await mobile.newPage();
    await harness.login(m);
    await m.goto(`${harness.base}/orang/${person.id}`);
    await m.locator('#kartu dl').waitFor();
    await m.locator('#layanan .service-request').first().waitFor();
    await assertFits(m, 'detail with card and services');
    await axe(m, 'detail on a phone');
    await shot(m, 'card-detail-phone');
    await m.goto(`${harness.base}/cetak?kelurahan=${first.kelurahan_code}`);
    await m.locator('#stage-to_print h2').waitFor();
    await assertFits(m, 'cetak kartu');
    await axe(m, 'cetak kartu on a phone');
    await m.getByRole('button', { name: 'Switch to English' }).click();
    await m.locator('h1', { hasText: 'Print cards' }).waitFor();
    await m.locator('#stage-to_print h2', { hasText: /^To print \(\d+\)$/ }).waitFor();
    await shot(m, 'card-queue-phone-en');
    await mobile.close();
  });

  it('sent nothing outside 127.0.0.1 and logged no errors', () => {
    assert.deepEqual(harness.foreignRequests, []);
    assert.deepEqual(harness.consoleErrors, []);
  });
});
