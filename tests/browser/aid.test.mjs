// Browser test of the social assistance pages (issue 8, item 8, in kind): Bantuan (a programme
// created with its rule previewed — an error at the field with its position, then the counts
// per kelurahan — and a cycle added), Tahap (the list made, proposed by an operator, a stale
// page's click answered 412 and reloaded, approved by a second admin with its hash), and
// Penyaluran on a 360 px phone as the assigned penyalur: a card number typed, the device's GPS,
// a dropped connection that keeps the handover on the device and sends it with its
// Idempotency-Key once online, recorded once, a second attempt told "sudah menerima"; the realisation
// then shows 1 delivered. An admin changes the programme (a stale form reloaded), and a second
// beneficiary's card, drawn by the server, is Chromium's fake camera: scanned on the phone and
// handed over.
//
//   KAPAL_BIN=build/kapal node --test tests/browser/aid.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  apiCall,
  assertFits,
  axe,
  desktop,
  Harness,
  phone,
  rawStorage,
  shot,
  waitForStore,
} from './harness.mjs';

const harness = new Harness({
  persons: 150,
  users: [{ username: 'admin2', name: 'Kepala Dinas', role: 'admin' }],
});

before(async () => harness.start(), { timeout: 60000 });
after(async () => harness.stop('server-aid.log'));

/// Today ± days as YYYY-MM-DD (a cycle running now in WITA whatever the hour).
function day(offset) {
  return new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
}

describe('Bantuan, Tahap and Penyaluran', { timeout: 280000 }, () => {
  let adminContext;
  let admin;
  let cycleUrl;
  let cycleId;
  let card;
  let beneficiary;

  before(async () => {
    adminContext = await harness.newContext(desktop);
    admin = await adminContext.newPage();
    await harness.login(admin);
  });
  after(async () => adminContext?.close());

  it('creates a programme with its rule previewed, and adds a cycle', async () => {
    await admin.getByRole('link', { name: 'Bantuan', exact: true }).click();
    await admin.waitForURL(/\/bantuan$/);
    await admin.getByText('Belum ada program.').waitFor();
    await admin.getByText('Buat program').click();
    await admin.getByLabel('Kode program').fill('sembako_2026');
    await admin.getByLabel('Nama program').fill('Sembako Disabilitas 2026');
    await admin.getByLabel('Jenis bantuan').selectOption('barang');
    await admin.getByLabel('Cara penyaluran').selectOption('langsung');
    await admin.getByLabel('Nilai per penerima (rupiah)').fill('150.000');

    // A rule cut short: the error at the field, naming the position.
    const rule = admin.getByLabel('Aturan kelayakan');
    await rule.fill('age >= 18 and');
    await admin.getByRole('button', { name: 'Pratinjau' }).click();
    await admin.locator('#program-rule-error:not([hidden])').waitFor();
    assert.match(await admin.locator('#program-rule-error').innerText(), /posisi 14/);
    assert.equal(await rule.getAttribute('aria-invalid'), 'true');
    await axe(admin, 'programme form with a rule error');

    // A good rule: the counts per kelurahan as a table and a chart, equal to the API's.
    const text = '"fisik" in categories and status = "aktif"';
    await rule.fill(text);
    await admin.getByRole('button', { name: 'Pratinjau' }).click();
    await admin.locator('#preview-table tbody tr').first().waitFor();
    const expected = (await apiCall(admin, 'POST', '/api/v1/aid/rules/preview', { rule: text }))
      .body;
    assert.ok(expected.matched > 0, 'the demo data has active persons with a physical disability');
    assert.match(await admin.locator('.preview-total').innerText(), /cocok dengan aturan/);
    const cells = await admin.locator('#preview-table tbody td').allInnerTexts();
    const sum = cells.reduce((s, c) => s + Number(c.replace(/\D/g, '')), 0);
    assert.equal(sum, expected.matched, 'the table adds up to the matched count');
    assert.equal(
      await admin.locator('#preview-table tbody tr').count(),
      Object.keys(expected.per_kelurahan).length,
    );
    assert.equal(
      await admin.locator('#preview-chart svg g').count(),
      Object.keys(expected.per_kelurahan).length,
      'one bar per kelurahan',
    );
    assert.equal(await rule.getAttribute('aria-invalid'), null, 'the error is gone');

    await admin.getByLabel(/\(penyalur, /).check();
    await admin.getByRole('button', { name: 'Simpan program' }).click();
    await admin.getByText('Program Sembako Disabilitas 2026 sudah dibuat.').waitFor();
    const programs = (await apiCall(admin, 'GET', '/api/v1/aid/programs')).body.items;
    assert.equal(programs.length, 1);
    assert.equal(programs[0].unit_value, 150000);
    assert.equal(programs[0].assignees.length, 1);
    assert.match(await admin.locator('.aid-program').innerText(), /Rp 150\.000/);

    // A cycle: the dates are required, then saved.
    await admin.getByText('Tambah tahap').click();
    await admin.getByRole('button', { name: 'Simpan tahap' }).click();
    assert.equal(await admin.getByLabel('Mulai').getAttribute('aria-invalid'), 'true');
    await admin.getByLabel('Mulai').fill(day(-1));
    await admin.getByLabel('Selesai').fill(day(30));
    await admin.getByRole('button', { name: 'Simpan tahap' }).click();
    await admin.getByText('Tahap Tahap 1 sudah ditambahkan.').waitFor();
    const link = admin.getByRole('link', { name: 'Buka tahap 1: Tahap 1' });
    cycleUrl = await link.getAttribute('href');
    cycleId = cycleUrl.split('/').pop();
    await shot(admin, 'aid-bantuan-desktop');
    await link.click();
    await admin.waitForURL(/\/bantuan\/tahap\//);
  });

  it('makes the list, proposed by an operator, a stale click reloaded, approved by another admin', async () => {
    await admin.getByRole('heading', { name: /Sembako Disabilitas 2026 — tahap 1/ }).waitFor();
    assert.equal(
      await admin.locator('#cycle-stepper [aria-current="step"]').getAttribute('data-state'),
      'draft',
    );
    await admin.getByRole('button', { name: 'Buat daftar' }).click();
    await admin.locator('#generate-result').waitFor();
    const made = await admin.locator('#generate-result').innerText();
    const [, matched, listed] = /(\d+) cocok, (\d+) masuk daftar/.exec(made) ?? [];
    assert.ok(Number(listed) > 0 && Number(listed) === Number(matched), made);
    await admin.locator('#entries-table tbody tr').first().waitFor();
    const rows = await admin.locator('#entries-table tbody tr').count();
    assert.equal(rows, Math.min(25, Number(listed)), 'the first page of 25 entries');
    await axe(admin, 'Tahap with a draft list');

    // A person on the list, active, gets a card over the API.
    const entries = (await apiCall(admin, 'GET', `/api/v1/aid/cycles/${cycleId}/list?limit=1000`))
      .body.items;
    for (const e of entries) {
      const p = (await apiCall(admin, 'GET', `/api/v1/persons/${e.person_id}`)).body;
      if (p.status === 'aktif') {
        beneficiary = p;
        break;
      }
    }
    assert.ok(beneficiary, 'an active person on the list');
    const issued = await apiCall(admin, 'POST', `/api/v1/persons/${beneficiary.id}/cards`);
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    card = issued.body;

    // The operator proposes on the page; the admin's page still shows the draft.
    const opContext = await harness.newContext(desktop);
    const op = await opContext.newPage();
    await harness.login(op, 'operator.utara');
    await op.goto(`${harness.base}${cycleUrl}`);
    await op.getByRole('button', { name: 'Usulkan' }).click();
    await op.getByText('Daftar sudah diusulkan untuk disetujui.').waitFor();
    assert.equal(
      await op.locator('#cycle-stepper [aria-current="step"]').getAttribute('data-state'),
      'proposed',
    );
    assert.equal(await op.getByRole('button', { name: 'Setujui' }).count(), 0, 'no approval');
    await opContext.close();

    // The admin's stale page: its click is refused (412), said, and the page reloaded.
    await admin.getByRole('button', { name: 'Usulkan' }).click();
    await admin.getByText(/baru saja diubah orang lain/).waitFor();
    assert.equal(
      await admin.locator('#cycle-stepper [aria-current="step"]').getAttribute('data-state'),
      'proposed',
    );
    assert.match(await admin.locator('#cycle-stepper').innerText(), /oleh Rina/);

    // A second admin approves: frozen, with its hash.
    const context2 = await harness.newContext(desktop);
    const admin2 = await context2.newPage();
    await harness.login(admin2, 'admin2');
    await admin2.goto(`${harness.base}${cycleUrl}`);
    await admin2.getByRole('button', { name: 'Setujui' }).click();
    await admin2.getByText('Daftar sudah disetujui dan dibekukan.').waitFor();
    const hash = await admin2.locator('#cycle-hash').innerText();
    assert.match(hash, /^[0-9a-f]{64}$/);
    const cycle = (await apiCall(admin2, 'GET', `/api/v1/aid/cycles/${cycleId}`)).body;
    assert.equal(cycle.list_state, 'approved');
    assert.equal(cycle.list_hash, hash);
    assert.equal(await admin2.getByRole('button', { name: 'Buat daftar' }).count(), 0);
    assert.equal(await admin2.getByRole('button', { name: 'Keluarkan' }).count(), 0);
    await axe(admin2, 'Tahap approved');
    await shot(admin2, 'aid-tahap-desktop');
    await context2.close();
  });

  it('hands over on a phone by card number, once, keeping the form across a dropped connection', async () => {
    const context = await harness.newContext(phone, {
      geolocation: { latitude: 0.1337, longitude: 117.4998, accuracy: 12 },
      permissions: ['geolocation'],
    });
    const page = await context.newPage();
    await page.goto(`${harness.base}/masuk`);
    await page.getByLabel('Nama pengguna', { exact: true }).fill('penyalur');
    await page.getByLabel('Kata sandi', { exact: true }).fill(harness.passwords.penyalur);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(/\/penyaluran$/);
    await page
      .getByLabel('Program', { exact: true })
      .selectOption({ label: 'Sembako Disabilitas 2026' });
    await page.waitForURL(/program=sembako_2026/);
    await page.getByLabel('Tahap', { exact: true }).selectOption(cycleId);
    await page.waitForURL(/tahap=/);

    await page.getByLabel('Nomor kartu atau teks QR').fill(card.number_formatted);
    await page.getByRole('button', { name: 'Periksa' }).click();
    await page.locator('#who-name').waitFor();
    assert.equal(await page.locator('#who-name').innerText(), beneficiary.full_name);
    assert.match(await page.locator('#who-list').innerText(), /Ya, ada di daftar/);
    assert.match(await page.locator('#who-served').innerText(), /Belum menerima/);
    await page.getByRole('button', { name: 'Pakai lokasi perangkat (GPS)' }).click();
    await page.getByText(/ketelitian 12 m/).waitFor();
    await page.getByLabel('Catatan (tidak wajib)').fill('Diterima oleh anaknya');
    await assertFits(page, 'Penyaluran with the beneficiary');
    await axe(page, 'Penyaluran on the phone');

    // The attempt (with its key) is kept with the form before it is sent: sealed in the
    // device's store, nothing of it in clear.
    const draftRecord = `draft:kapal.handover.penyalur.${cycleId}`;
    await waitForStore(page, draftRecord);
    assert.ok(!(await rawStorage(page)).includes('Diterima oleh anaknya'), 'no note in clear');
    // What the device sends, to see the attempt's key and what the form kept.
    const batches = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/v1/sync/batch')) {
        batches.push(r.postDataJSON());
      }
    });

    // The connection drops: the handover is kept on the device (encrypted, docs/sync.md) and
    // sent by itself once the connection is back, with the attempt's key: recorded once.
    harness.expectOffline = true;
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Catat penyerahan' }).click();
    await page.locator('#handover-success', { hasText: /disimpan di perangkat/ }).waitFor();
    assert.match(await page.locator('.net-status').innerText(), /1 perubahan menunggu dikirim/);
    await context.setOffline(false);
    harness.expectOffline = false;
    await page.waitForFunction(() => !document.querySelector('.net-status .net-pending'), null, {
      timeout: 30000,
    });
    await waitForStore(page, draftRecord, false);
    const sent = batches.flatMap((b) => b.ops).filter((o) => o.type === 'aid.handover');
    assert.ok(sent.length >= 1, 'the handover was sent');
    assert.ok(
      sent.every((o) => o.key === sent[0].key),
      'sent again only under the same key',
    );
    const draft = { key: sent[0].key };
    assert.equal(sent[0].handover.note, 'Diterima oleh anaknya');
    assert.equal(sent[0].handover.accuracy_m, 12);
    await shot(page, 'aid-penyaluran-phone');

    // The same key again: the server answers the first record and writes nothing.
    const replay = await apiCall(
      page,
      'POST',
      `/api/v1/aid/cycles/${cycleId}/handovers`,
      { card_number: card.number },
      { 'Idempotency-Key': draft.key },
    );
    // Either the first record answered again, or refused as delivered: nothing written.
    assert.ok(
      replay.status === 200 ||
        (replay.status === 409 && replay.body.code === 'aid.already_delivered'),
      JSON.stringify(replay.body),
    );

    // A second attempt: told in words that the person was already served.
    await page.getByRole('button', { name: 'Penerima berikutnya' }).click();
    await page.getByLabel('Nomor kartu atau teks QR').fill(card.number);
    await page.getByRole('button', { name: 'Periksa' }).click();
    await page.locator('#handover-alert', { hasText: /\S/ }).waitFor();
    assert.match(await page.locator('#handover-alert').innerText(), /sudah menerima/);
    assert.match(await page.locator('#who-served').innerText(), /Sudah menerima pada/);
    assert.equal(await page.getByRole('button', { name: 'Catat penyerahan' }).count(), 0);
    await assertFits(page, 'Penyaluran after the second attempt');

    const deliveries = (await apiCall(page, 'GET', `/api/v1/aid/cycles/${cycleId}/deliveries`)).body
      .items;
    assert.equal(deliveries.length, 1, 'recorded exactly once');
    assert.equal(deliveries[0].accuracy_m, 12);
    assert.equal(deliveries[0].note, 'Diterima oleh anaknya');
    await context.close();
  });

  it('shows the realisation: 1 delivered', async () => {
    await admin.goto(`${harness.base}${cycleUrl}`);
    await admin.locator('#real-total').waitFor();
    const total = await admin.locator('#real-total td').allInnerTexts();
    assert.equal(total[1], '1', `delivered in the total row: ${total}`);
    const kel = beneficiary.address.kelurahan_code;
    const row = await admin.locator(`#real-table tbody tr[data-code="${kel}"] td`).allInnerTexts();
    assert.equal(row[1], '1', 'one delivered in the beneficiary’s kelurahan');
    assert.match(await admin.locator('#real-amount').innerText(), /Rp 150\.000/);
    assert.match(await admin.locator('#real-chart').innerText(), /1/);
    // The map of the share delivered: every kelurahan drawn, the beneficiary's coloured by its
    // class and carrying its percentage.
    assert.equal(await admin.locator('#real-map path').count(), 15);
    const share = Math.round((1 / Number(row[0])) * 100);
    assert.match(
      await admin.locator(`#real-map path[data-code="${kel}"]`).getAttribute('class'),
      /share-[1-4]/,
    );
    assert.ok(
      (await admin.locator('#real-map text').allTextContents()).includes(`${share}%`),
      `the map says ${share}%`,
    );
    await axe(admin, 'Tahap with the realisation');
    await admin.setViewportSize(phone);
    await admin.reload();
    await admin.locator('#real-total').waitFor();
    const wide = await admin.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter(
          (e) =>
            e.getBoundingClientRect().right > 361 && !e.closest('.table-scroll, .visually-hidden'),
        )
        .map((e) => `${e.tagName}.${e.className}#${e.id}`)
        .slice(0, 8),
    );
    assert.deepEqual(wide, [], 'nothing on Tahap wider than the phone');
    await assertFits(admin, 'Tahap on the phone');
    await admin.goto(`${harness.base}/bantuan`);
    await admin.locator('.aid-program').waitFor();
    await assertFits(admin, 'Bantuan on the phone');
  });

  it('shows the aid received on the beneficiary’s Detail page', async () => {
    await admin.setViewportSize(desktop);
    await admin.goto(`${harness.base}/orang/${beneficiary.id}`);
    const rows = admin.locator('#person-aid-table tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1, 'one delivery');
    const text = await rows.first().innerText();
    assert.match(text, /Rp 150\.000/);
    assert.match(text, /Diterima/);
    assert.match(text, /Diserahkan langsung/);
    await axe(admin, 'Detail with the aid received');
  });

  it('changes a programme: its value and the programmes it excludes; a stale form is reloaded', async () => {
    await admin.setViewportSize(desktop);
    const other = await apiCall(admin, 'POST', '/api/v1/aid/programs', {
      code: 'pkh_2026',
      name: 'PKH Disabilitas 2026',
      source: 'APBN',
      kind: 'tunai',
      channel: 'transfer',
      unit_value: 600000,
      rule: '',
      assignees: [],
    });
    assert.equal(other.status, 201, JSON.stringify(other.body));
    await admin.goto(`${harness.base}/bantuan`);
    const section = admin.getByRole('region', {
      name: 'Sembako Disabilitas 2026 (sembako_2026)',
    });
    const edit = () => section.getByText('Ubah program Sembako Disabilitas 2026');
    await edit().click();
    const code = section.getByLabel('Kode program');
    assert.equal(await code.inputValue(), 'sembako_2026');
    assert.equal(await code.getAttribute('readonly'), '', 'the code cannot change');
    assert.equal(await section.getByLabel('Nama program').inputValue(), 'Sembako Disabilitas 2026');
    assert.ok(await section.getByLabel(/\(penyalur, /).isChecked(), 'the penyalur is ticked');
    await section.getByLabel('Nilai per penerima (rupiah)').fill('175.000');
    await section.getByLabel('PKH Disabilitas 2026 (pkh_2026)').check();
    await axe(admin, 'Bantuan with a programme being changed');
    await section.getByRole('button', { name: 'Simpan perubahan' }).click();
    await admin.getByText('Perubahan program Sembako Disabilitas 2026 sudah disimpan.').waitFor();
    const saved = await apiCall(admin, 'GET', '/api/v1/aid/programs/sembako_2026');
    assert.equal(saved.body.unit_value, 175000);
    assert.deepEqual(saved.body.excludes, ['pkh_2026']);
    assert.equal(saved.body.assignees.length, 1, 'the penyalur stays assigned');
    assert.match(await section.innerText(), /PKH Disabilitas 2026/);
    assert.match(await section.innerText(), /Rp 175\.000/);

    // Someone else changes it after this page loaded: saving the old form is refused (412) and
    // the page shows the latest version, which keeps the other change.
    await edit().click();
    await section.getByLabel('Nama program').fill('Sembako 2026, nama baru');
    const { code: c, name, source, kind, channel, rule, excludes, assignees } = saved.body;
    const meanwhile = await apiCall(
      admin,
      'PUT',
      '/api/v1/aid/programs/sembako_2026',
      { code: c, name, source, kind, channel, unit_value: 180000, rule, excludes, assignees },
      { 'If-Match': saved.etag },
    );
    assert.equal(meanwhile.status, 200, JSON.stringify(meanwhile.body));
    await section.getByRole('button', { name: 'Simpan perubahan' }).click();
    await admin.getByText(/baru saja diubah orang lain/).waitFor();
    const latest = await apiCall(admin, 'GET', '/api/v1/aid/programs/sembako_2026');
    assert.equal(latest.body.name, 'Sembako Disabilitas 2026', 'the stale name was not saved');
    assert.equal(latest.body.unit_value, 180000);
    assert.match(await section.innerText(), /Rp 180\.000/);
  });

  it('hands over on a phone after scanning the card with the camera', async () => {
    // A second active beneficiary gets a card; the server's picture of it is the fake camera.
    const entries = (await apiCall(admin, 'GET', `/api/v1/aid/cycles/${cycleId}/list?limit=1000`))
      .body.items;
    let second = null;
    for (const e of entries) {
      const p = (await apiCall(admin, 'GET', `/api/v1/persons/${e.person_id}`)).body;
      if (p.status === 'aktif' && p.id !== beneficiary.id) {
        second = p;
        break;
      }
    }
    assert.ok(second, 'a second active person on the list');
    const issued = await apiCall(admin, 'POST', `/api/v1/persons/${second.id}/cards`);
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const png = await admin.evaluate(async (number) => {
      const r = await fetch(`/api/v1/cards/${number}/image?side=front`);
      const bytes = new Uint8Array(await r.arrayBuffer());
      let text = '';
      bytes.forEach((b) => (text += String.fromCharCode(b)));
      return btoa(text);
    }, issued.body.number);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kapal-aid-'));
    const video = path.join(dir, 'card.y4m');
    await harness.pngToY4m(Buffer.from(png, 'base64'), video);
    // The browser starts again with the camera (the admin's page is gone with it).
    await harness.relaunch([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ]);
    try {
      const context = await harness.newContext(phone, {
        geolocation: { latitude: 0.1337, longitude: 117.4998, accuracy: 12 },
        permissions: ['camera', 'geolocation'],
      });
      const page = await context.newPage();
      await page.goto(`${harness.base}/masuk`);
      await page.getByLabel('Nama pengguna', { exact: true }).fill('penyalur');
      await page.getByLabel('Kata sandi', { exact: true }).fill(harness.passwords.penyalur);
      await page.getByRole('button', { name: 'Masuk' }).click();
      await page.waitForURL(/\/penyaluran$/);
      await page
        .getByLabel('Program', { exact: true })
        .selectOption({ label: 'Sembako Disabilitas 2026' });
      await page.getByLabel('Tahap', { exact: true }).selectOption(cycleId);
      await page.waitForURL(/tahap=/);
      await page.getByRole('button', { name: 'Pindai kartu dengan kamera' }).click();
      await page.locator('#who-name').waitFor();
      assert.equal(await page.locator('#who-name').innerText(), second.full_name);
      assert.match(await page.locator('#who-list').innerText(), /Ya, ada di daftar/);
      assert.equal(await page.locator('#handover-video').isHidden(), true, 'the camera stopped');
      assert.equal(await page.getByLabel('Nomor kartu atau teks QR').inputValue(), issued.body.qr);
      await axe(page, 'Penyaluran after a camera scan');
      await page.getByRole('button', { name: 'Catat penyerahan' }).click();
      await page.locator('#handover-success').waitFor();
      const deliveries = await apiCall(
        page,
        'GET',
        `/api/v1/aid/cycles/${cycleId}/deliveries?person=${second.id}`,
      );
      assert.equal(deliveries.status, 200, JSON.stringify(deliveries.body));
      assert.equal(deliveries.body.items.length, 1);
      assert.equal(deliveries.body.items[0].card_number, issued.body.number, 'recorded as scanned');
      await context.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves no console error and no request outside 127.0.0.1', () => {
    assert.deepEqual(harness.consoleErrors, []);
    assert.deepEqual(harness.foreignRequests, []);
  });
});
