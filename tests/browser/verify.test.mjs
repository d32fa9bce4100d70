// Browser test of the public card verifier, /verifikasi (issue 7). A card is issued on demo data
// and drawn by the server (GET /api/v1/cards/{number}/image); its PNG, turned into a Y4M video,
// is Chromium's fake camera. Without signing in: the camera reads it → "Kartu sah" (and a photo
// of it; in English "Valid card"); offline the
// pasted QR text verifies again from the stored keys; the card is revoked, the page reloaded
// online (a fresh revocation list), then offline → "Kartu dicabut" with when and why; a QR text
// whose payload was changed (and compressed again, so that it still decodes) → "Tanda tangan
// tidak sah". axe-core on the page, 360 px.
//
//   KAPAL_BIN=build/kapal node --test tests/browser/verify.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { tamper } from './field.mjs';
import { apiCall, assertFits, axe, desktop, Harness, phone, shot } from './harness.mjs';

const harness = new Harness({ persons: 60 });

describe('Verifikasi kartu, public and offline', { timeout: 280000 }, () => {
  let admin;
  let adminPage;
  let card;
  let person;
  let context;
  let page;
  let photo;
  const video = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kapal-verify-')), 'card.y4m');

  before(
    async () => {
      await harness.start();
      const setup = await harness.newContext(desktop);
      const setupPage = await setup.newPage();
      await harness.login(setupPage);
      const list = await apiCall(setupPage, 'GET', '/api/v1/persons?status=aktif&limit=50');
      person = list.body.items.find((p) => p.full_name.length > 3);
      assert.ok(person, 'an active person in the demo data');
      const issued = await apiCall(setupPage, 'POST', `/api/v1/persons/${person.id}/cards`, {});
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      card = issued.body;
      const png = await setupPage.evaluate(async (number) => {
        const r = await fetch(`/api/v1/cards/${number}/image?side=front`);
        const bytes = new Uint8Array(await r.arrayBuffer());
        let s = '';
        bytes.forEach((b) => (s += String.fromCharCode(b)));
        return btoa(s);
      }, card.number);
      await setup.close();
      photo = path.join(path.dirname(video), 'kartu.png');
      fs.writeFileSync(photo, Buffer.from(png, 'base64'));
      await harness.pngToY4m(Buffer.from(png, 'base64'), video);
      await harness.relaunch([
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      ]);
      admin = await harness.newContext(desktop);
      adminPage = await admin.newPage();
      await harness.login(adminPage);
      context = await harness.newContext(phone, { permissions: ['camera'] });
      page = await context.newPage();
    },
    { timeout: 90000 },
  );

  after(async () => {
    await context?.close();
    await admin?.close();
    await harness.stop('server-verify.log');
    fs.rmSync(path.dirname(video), { recursive: true, force: true });
  });

  const status = () => page.locator('#verify-status');

  async function paste(qr) {
    await page.getByLabel('Teks kode QR').fill(qr);
    await page.getByRole('button', { name: 'Periksa', exact: true }).click();
  }

  it('is linked from the login page and opens without signing in', async () => {
    await page.goto(`${harness.base}/masuk`);
    await page.getByRole('link', { name: 'Verifikasi kartu tanpa masuk' }).click();
    await page.waitForURL(/\/verifikasi$/);
    await page.getByRole('heading', { name: 'Verifikasi kartu', level: 1 }).waitFor();
    await page
      .locator('#verify-trust-list')
      .getByText(/diterbitkan .* berisi \d+ kartu dicabut/)
      .waitFor();
    assert.match(await page.locator('#verify-trust').innerText(), /Kunci publik: 1 kunci/);
    await axe(page, 'verifikasi, empty');
    await assertFits(page, 'verifikasi');
  });

  it('scans the card with the camera and says it is valid, with its summary', async () => {
    await page.getByRole('button', { name: 'Pindai dengan kamera' }).click();
    await status().filter({ hasText: 'Kartu sah' }).waitFor({ timeout: 30000 });
    assert.equal(await page.getByLabel('Teks kode QR').inputValue(), card.qr);
    const result = page.locator('#verify-result');
    assert.equal(await result.getAttribute('role'), 'status');
    const text = await result.innerText();
    assert.match(text, new RegExp(person.full_name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.match(text, new RegExp(card.number_formatted));
    assert.match(text, new RegExp(card.kelurahan_code.replace(/\./g, '\\.')));
    assert.match(text, /✓/);
    await result.getByText(/Status di server: terdaftar dan aktif/).waitFor();
    await axe(page, 'verifikasi, valid');
    await assertFits(page, 'verifikasi, valid');
    await shot(page, 'verify-valid-phone');
  });

  it('reads a photo of the card, and tells the result in English too', async () => {
    await page.getByLabel('Teks kode QR').fill('');
    await page.getByLabel('Pilih foto kartu').setInputFiles({
      name: 'kartu.png',
      mimeType: 'image/png',
      buffer: fs.readFileSync(photo),
    });
    // The camera's result is still on the page: wait for the photo's QR text in the field (it is
    // put there just before the check), then for the server's answer.
    await page.waitForFunction(
      (qr) => document.querySelector('#verify-text')?.value === qr,
      card.qr,
    );
    await page
      .locator('#verify-result')
      .getByText(/Status di server: terdaftar/)
      .waitFor();
    assert.equal(await status().innerText(), 'Kartu sah');
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await status().filter({ hasText: 'Valid card' }).waitFor();
    assert.match(await page.locator('#verify-result').innerText(), /Card number\s+/);
    await page.getByRole('button', { name: 'Ganti ke Bahasa Indonesia' }).click();
    await status().filter({ hasText: 'Kartu sah' }).waitFor();
  });

  it('verifies again offline from the stored keys', async () => {
    await context.setOffline(true);
    harness.expectOffline = true;
    await paste(card.qr);
    await page
      .locator('#verify-result')
      .getByText(/Status di server: tidak diperiksa: perangkat sedang offline/)
      .waitFor();
    assert.equal(await status().innerText(), 'Kartu sah');
    await context.setOffline(false);
    harness.expectOffline = false;
  });

  it('says revoked, when and why, offline from the list stored after the revocation', async () => {
    const revoked = await apiCall(adminPage, 'POST', `/api/v1/cards/${card.number}/revoke`, {
      reason: 'hilang',
    });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    await page.reload();
    await page
      .locator('#verify-trust-list')
      .getByText(/berisi 1 kartu dicabut/)
      .waitFor();
    await context.setOffline(true);
    harness.expectOffline = true;
    await paste(card.qr);
    await status().filter({ hasText: 'Kartu dicabut' }).waitFor();
    const text = await page.locator('#verify-result').innerText();
    assert.match(text, /Dicabut pada .* WITA, alasan: Hilang\./);
    assert.match(text, /⊘/);
    assert.match(text, /perangkat sedang offline/);
    await shot(page, 'verify-revoked-offline');
    await context.setOffline(false);
    harness.expectOffline = false;
  });

  it('says the signature is invalid for a tampered QR text', async () => {
    await paste(tamper(card.qr, person.full_name));
    await status().filter({ hasText: 'Tanda tangan tidak sah' }).waitFor();
    assert.match(await page.locator('#verify-result').innerText(), /dipalsukan atau diubah/);
    await axe(page, 'verifikasi, invalid');
  });

  it('refuses text that is no card, naming the stage, and asks for empty text', async () => {
    await paste('HELLO');
    await status().filter({ hasText: 'Bukan kode QR kartu' }).waitFor();
    await page.getByLabel('Teks kode QR').fill('');
    await page.getByRole('button', { name: 'Periksa', exact: true }).click();
    await page.getByText('Tempel teks kode QR dahulu.').waitFor();
    assert.equal(await page.getByLabel('Teks kode QR').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(harness.consoleErrors, []);
    assert.deepEqual(harness.foreignRequests, []);
  });
});
