// Browser test of offline work (issue 11, items 1, 2, 4 and 5; docs/sync.md, docs/web.md
// "Offline: work on the device"): an admin registers (and edits, and photographs) a person and a
// penyalur hands over aid (by the card's QR, and by name) with the network cut, both reload
// offline and open the device's data with their password, and back online everything reaches the
// server exactly once (a person served meanwhile at the office: refused, said); two devices edit the
// same person (different fields merge; the same field becomes a conflict the admin resolves on
// Konflik); a photo removed offline; drafts sealed on the device; a password changed on the
// server while changes wait (the previous one asked for, the store re-keyed, or its data
// deleted); the header counting the signed-in user's changes only; signing out leaves nothing in
// IndexedDB. A `kapal serve` on demo data of its own.
//
//   KAPAL_BIN=build/kapal node --test tests/browser/offline_sync.test.mjs
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
  pngOf,
  rawStorage,
  shot,
  waitForStore,
} from './harness.mjs';
import { go, networkSwitch, pendingText, synced } from './field.mjs';

const harness = new Harness({
  persons: 150,
  users: [{ username: 'admin2', name: 'Kepala Dinas', role: 'admin' }],
});
const { goOffline, goOnline, anyOffline } = networkSwitch(harness);

before(async () => harness.start(), { timeout: 60000 });
after(async () => harness.stop('server-offline-sync.log'));

function day(offset) {
  return new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
}

/// Waits until the service worker controls the page (a reload offline needs its shell).
async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
    timeout: 30000,
  });
}

/// A fresh device (a browser context) of operator.utara, signed in online: it lands on Peta.
async function operatorDevice(viewport) {
  const opContext = await harness.newContext(viewport);
  const op = await opContext.newPage();
  await op.goto(`${harness.base}/masuk`);
  await harness.signIn(op, 'operator.utara', /\/peta$/);
  return { opContext, op };
}

describe('offline work', { timeout: 280000 }, () => {
  let adminContext;
  let admin;
  let cycleId;
  let card;
  let beneficiary;
  /// A second person on the list, with a name no one else on it has.
  let second;
  let newId;
  const newName = 'Siti Luring Uji';

  before(async () => {
    adminContext = await harness.newContext(desktop, {
      geolocation: { latitude: 0.1333, longitude: 117.4833, accuracy: 9 },
      permissions: ['geolocation'],
    });
    admin = await adminContext.newPage();
    await harness.login(admin);
    // A programme handed over in kind, assigned to the penyalur, with an approved list.
    const users = (await apiCall(admin, 'GET', '/api/v1/users')).body.items;
    const penyalurId = users.find((u) => u.username === 'penyalur').id;
    const made = await apiCall(admin, 'POST', '/api/v1/aid/programs', {
      code: 'sembako_luring',
      name: 'Sembako Luring',
      source: 'APBD',
      kind: 'barang',
      channel: 'langsung',
      unit_value: 150000,
      rule: 'status = "aktif"',
      assignees: [penyalurId],
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const cycle = await apiCall(admin, 'POST', '/api/v1/aid/programs/sembako_luring/cycles', {
      number: 1,
      name: 'Tahap 1',
      starts_on: day(-1),
      ends_on: day(30),
    });
    assert.equal(cycle.status, 201, JSON.stringify(cycle.body));
    cycleId = cycle.body.id;
    for (const action of ['generate', 'propose']) {
      const current = await apiCall(admin, 'GET', `/api/v1/aid/cycles/${cycleId}`);
      const r = await apiCall(
        admin,
        'POST',
        `/api/v1/aid/cycles/${cycleId}/list/${action}`,
        undefined,
        { 'If-Match': current.etag },
      );
      assert.equal(r.status, 200, action);
    }
    const entries = (await apiCall(admin, 'GET', `/api/v1/aid/cycles/${cycleId}/list?limit=1000`))
      .body.items;
    beneficiary = (await apiCall(admin, 'GET', `/api/v1/persons/${entries[0].person_id}`)).body;
    // The names of everyone on the list (the device's name search looks at all of them).
    const everyone = (await apiCall(admin, 'GET', '/api/v1/persons?limit=1000')).body.items;
    const onList = new Set(entries.map((e) => e.person_id));
    const listed = everyone.filter((p) => onList.has(p.id));
    second = listed.find(
      (p) =>
        p.id !== beneficiary.id &&
        listed.filter((q) => q.full_name.toLowerCase().includes(p.full_name.toLowerCase()))
          .length === 1,
    );
    assert.ok(second, 'a second beneficiary with a name of its own');
    const issued = await apiCall(admin, 'POST', `/api/v1/persons/${beneficiary.id}/cards`);
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    card = issued.body;
    const context2 = await harness.newContext(desktop);
    const admin2 = await context2.newPage();
    await harness.login(admin2, 'admin2');
    const current = await apiCall(admin2, 'GET', `/api/v1/aid/cycles/${cycleId}`);
    const approved = await apiCall(
      admin2,
      'POST',
      `/api/v1/aid/cycles/${cycleId}/list/approve`,
      undefined,
      { 'If-Match': current.etag },
    );
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await context2.close();
  });
  after(async () => adminContext?.close());

  it('registers a person and hands over aid offline, reopens after a reload offline, and sends everything once', async () => {
    // The penyalur's phone: signed in online once (the lists pulled, the card keys stored).
    const penyalurContext = await harness.newContext(phone, {
      geolocation: { latitude: 0.1337, longitude: 117.4998, accuracy: 12 },
      permissions: ['geolocation'],
    });
    const penyalur = await penyalurContext.newPage();
    await penyalur.goto(`${harness.base}/masuk`);
    await harness.signIn(penyalur, 'penyalur', /\/penyaluran$/);
    await penyalur.getByLabel('Program', { exact: true }).selectOption('sembako_luring');
    await penyalur.getByLabel('Tahap', { exact: true }).selectOption(cycleId);
    await penyalur.locator('#handover-card').waitFor();
    await penyalur.waitForFunction(() => localStorage.getItem('kapal.verify.keys') !== null);
    await synced(penyalur);
    await controlled(penyalur);
    // The admin's device has the registry pulled, and the form's areas.
    await synced(admin);
    await controlled(admin);
    await go(admin, '/tambah');
    await admin.locator('#f-address-kelurahan_code option').nth(2).waitFor({ state: 'attached' });

    // Both lose the network.
    await goOffline(penyalurContext);
    await goOffline(adminContext);
    await penyalur
      .getByRole('status')
      .filter({ hasText: /^Luring/ })
      .waitFor();

    // Penyaluran offline: the card's QR checked on the phone, found on the pulled list.
    await go(penyalur, `/penyaluran?program=sembako_luring&tahap=${cycleId}`);
    await penyalur.getByText(/Luring: daftar penerima dari perangkat ini/).waitFor();
    await penyalur.getByLabel('Nomor kartu atau teks QR').fill(card.qr);
    await penyalur.getByRole('button', { name: 'Periksa' }).click();
    await penyalur.locator('#who-name').waitFor();
    assert.equal(await penyalur.locator('#who-name').innerText(), beneficiary.full_name);
    await penyalur.getByRole('button', { name: 'Pakai lokasi perangkat (GPS)' }).click();
    await penyalur.getByText(/ketelitian 12 m/).waitFor();
    await penyalur.getByLabel('Catatan (tidak wajib)').fill('Diserahkan tanpa sinyal');
    await penyalur.getByRole('button', { name: 'Catat penyerahan' }).click();
    await penyalur.locator('#handover-success').waitFor();
    assert.match(
      await penyalur.locator('#handover-success').innerText(),
      /disimpan di perangkat; dikirim saat daring/,
    );
    assert.equal(await pendingText(penyalur), '1 perubahan menunggu dikirim');
    await assertFits(penyalur, 'Penyaluran offline');
    await axe(penyalur, 'Penyaluran offline');
    await shot(penyalur, 'offline-handover-phone');
    // The same card again: handed over on this phone already, no second handover.
    await penyalur.getByRole('button', { name: 'Penerima berikutnya' }).click();
    await penyalur.getByLabel('Nomor kartu atau teks QR').fill(card.number);
    await penyalur.getByRole('button', { name: 'Periksa' }).click();
    await penyalur.locator('#handover-alert', { hasText: /menunggu dikirim/ }).waitFor();
    assert.equal(await penyalur.getByRole('button', { name: 'Catat penyerahan' }).count(), 0);
    // Without a card: found by name on the device's list, with a reason.
    await penyalur.getByText('Tanpa kartu: cari nama di daftar').click();
    await penyalur.getByLabel('Alasan mencari tanpa kartu').fill('Kartu tertinggal di rumah');
    await penyalur.getByLabel('Nama (minimal 3 huruf)').fill(second.full_name);
    await penyalur.getByRole('button', { name: 'Cari', exact: true }).click();
    await penyalur.getByRole('button', { name: `Pilih ${second.full_name}` }).click();
    await penyalur.locator('#who-name', { hasText: second.full_name }).waitFor();
    await penyalur.getByRole('button', { name: 'Catat penyerahan' }).click();
    await penyalur.locator('#handover-success', { hasText: second.full_name }).waitFor();
    assert.equal(await pendingText(penyalur), '2 perubahan menunggu dikirim');
    // Meanwhile the same person is served at the office: the phone's handover will be refused.
    const officeContext = await harness.newContext(desktop);
    const office = await officeContext.newPage();
    await harness.login(office, 'admin2');
    const served = await apiCall(
      office,
      'POST',
      `/api/v1/aid/cycles/${cycleId}/handovers`,
      { person_id: second.id, search_reason: 'Datang ke kantor dinas' },
      { 'Idempotency-Key': crypto.randomUUID() },
    );
    assert.equal(served.status, 201, JSON.stringify(served.body));
    await officeContext.close();

    // Tambah offline: saved on the device with an id of its own (a UUIDv7).
    await go(admin, '/tambah');
    await admin.locator('#f-full_name').waitFor();
    // A NIK of Bontang Utara (64.74.01) for a woman born 9 March 1988 (day + 40).
    await admin.locator('#f-nik').fill('6474014903880007');
    await admin.locator('#f-full_name').fill(newName);
    await admin.getByLabel('Jenis kelamin *').selectOption('P');
    await admin.locator('#f-birth_date').fill('1988-03-09');
    await admin.getByLabel('Fisik', { exact: true }).check();
    await admin.locator('#f-address-street').fill('Jl. Tanpa Sinyal 3');
    const kelurahan = await admin
      .locator('#f-address-kelurahan_code option')
      .evaluateAll((os) => os.map((o) => o.value).filter((v) => v.startsWith('64.74.01.')));
    await admin.locator('#f-address-kelurahan_code').selectOption(kelurahan[0]);
    // A photo with it: sent as an op of its own after the registration.
    const photo = path.join(os.tmpdir(), `foto-luring-${process.pid}.png`);
    fs.writeFileSync(photo, pngOf(800, 600, [200, 120, 40]));
    await admin.locator('#photo-input').setInputFiles(photo);
    await admin.locator('#photo-status', { hasText: 'Foto siap' }).waitFor();
    fs.rmSync(photo, { force: true });
    await admin.getByRole('button', { name: 'Simpan', exact: true }).click();
    await admin.waitForURL(/\/orang\/[0-9a-f-]+\?luring=1$/);
    newId = new URL(admin.url()).pathname.split('/').pop();
    assert.match(newId, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(
      await admin.locator('#person-notice').innerText(),
      'Disimpan di perangkat; dikirim saat daring',
    );
    await admin.locator('h1', { hasText: newName }).waitFor();
    assert.equal(await pendingText(admin), '2 perubahan menunggu dikirim');
    // Ubah offline: folded into the waiting registration (still two changes waiting).
    await go(admin, `/orang/${newId}/ubah`);
    await admin.locator('#f-phone').waitFor();
    assert.equal(await admin.locator('#f-full_name').inputValue(), newName);
    await admin.locator('#f-phone').fill('081234500001');
    await admin.getByRole('button', { name: 'Simpan', exact: true }).click();
    await admin.waitForURL(new RegExp(`/orang/${newId}\\?luring=1$`));
    assert.equal(await pendingText(admin), '2 perubahan menunggu dikirim');
    // Data and Kunjungan from the device.
    await go(admin, `/data?q=${encodeURIComponent('Luring Uji')}`);
    await admin.locator(`#data-table a[href="/orang/${newId}"]`).waitFor();
    await go(admin, '/kunjungan');
    await admin.getByRole('link', { name: newName }).waitFor();
    await admin.getByRole('button', { name: 'Urutkan dari posisi saya' }).click();
    await admin
      .locator('#visit-status', { hasText: 'Diurutkan dari posisi Anda (±9 m)' })
      .waitFor();
    await admin
      .locator('.visit-distance', { hasText: /dari Anda/ })
      .first()
      .waitFor();
    await axe(admin, 'Kunjungan offline');

    // A reload offline: the data is locked until the password opens it.
    await penyalur.reload();
    await penyalur.waitForURL(/\/masuk\?unlock=1/);
    await penyalur.getByText('Masuk lagi untuk membuka data').waitFor();
    // No one is signed in yet: the header says nothing of the device's changes.
    assert.equal(await pendingText(penyalur), '');
    await penyalur.getByLabel('Kata sandi', { exact: true }).fill('salah-sekali');
    await penyalur.getByRole('button', { name: 'Masuk', exact: true }).click();
    await penyalur.locator('#login-alert', { hasText: 'salah' }).waitFor();
    await harness.signIn(penyalur, 'penyalur', /\/penyaluran/);
    await penyalur.locator('.net-pending', { hasText: '2 perubahan menunggu dikirim' }).waitFor();
    await admin.reload();
    await admin.waitForURL(/\/masuk\?unlock=1/);
    await harness.signIn(admin, 'admin', /\/kunjungan$/);
    await admin.getByRole('link', { name: newName }).waitFor();

    // Back online: both devices send by themselves.
    await goOnline(penyalurContext);
    await goOnline(adminContext);
    await synced(penyalur);
    await synced(admin);
    assert.equal(
      await admin.locator('#sync-rejected').count(),
      0,
      `nothing refused: ${await admin.locator('.sync-page').innerText()}`,
    );
    // Never twice: the phone's handover of the person served meanwhile is refused, and said.
    const refused = await penyalur.locator('#sync-rejected li').allInnerTexts();
    assert.equal(refused.length, 1, refused.join('\n'));
    assert.match(refused[0], new RegExp(`^Penyerahan bantuan: ${second.full_name}`));
    assert.match(refused[0], /Alasan: \S/);
    await axe(penyalur, 'Sinkron with a refusal');
    await penyalur
      .getByRole('button', { name: `Tandai sudah dibaca: ${second.full_name}` })
      .click();
    await penyalur.getByText('Tidak ada perubahan yang ditolak.').waitFor();
    const person = await apiCall(admin, 'GET', `/api/v1/persons/${newId}`);
    assert.equal(person.status, 200, JSON.stringify(person.body));
    assert.equal(person.body.full_name, newName);
    assert.equal(person.body.phone, '081234500001');
    assert.ok(person.body.photo_id, 'the photo was sent');
    const versions = (await apiCall(admin, 'GET', `/api/v1/persons/${newId}/versions`)).body.items;
    assert.equal(versions.length, 2, 'the registration (with the edit folded in) and the photo');
    assert.equal(person.body.version, 2);
    assert.equal(await harness.countPersons(admin, newName), 1, 'registered once');
    const deliveries = (await apiCall(admin, 'GET', `/api/v1/aid/cycles/${cycleId}/deliveries`))
      .body.items;
    assert.equal(deliveries.length, 2, 'each person handed over once');
    const first = deliveries.filter((d) => d.person_id === beneficiary.id);
    assert.equal(first.length, 1);
    assert.equal(first[0].note, 'Diserahkan tanpa sinyal');
    assert.equal(first[0].accuracy_m, 12);
    assert.equal(deliveries.filter((d) => d.person_id === second.id).length, 1);
    assert.equal(await pendingText(admin), '');
    await penyalurContext.close();
  });

  it('merges edits of different fields from two devices, and makes a conflict of the same field that the admin resolves', async () => {
    const { opContext, op } = await operatorDevice(phone);
    const mine = (await apiCall(op, 'GET', '/api/v1/persons?status=aktif&limit=1')).body.items[0];
    assert.ok(mine, 'a person in the operator’s areas');
    await synced(op);
    let adminPulled = await synced(admin);

    const edit = async (page, field, value) => {
      await go(page, `/orang/${mine.id}/ubah`);
      await page.locator(field).waitFor();
      await page.locator(field).fill(value);
      await page.getByRole('button', { name: 'Simpan', exact: true }).click();
      await page.waitForURL(new RegExp(`/orang/${mine.id}\\?luring=1$`));
    };

    // Different fields: both kept, the second merged on top of the first.
    await goOffline(adminContext);
    await goOffline(opContext);
    await edit(admin, '#f-phone', '081100000001');
    await edit(op, '#f-needs_note', 'Kursi roda baru');
    await goOnline(adminContext);
    adminPulled = await synced(admin, adminPulled);
    await goOnline(opContext);
    await synced(op);
    let now = (await apiCall(admin, 'GET', `/api/v1/persons/${mine.id}`)).body;
    assert.equal(now.phone, '081100000001');
    assert.equal(now.needs_note, 'Kursi roda baru');
    assert.equal(now.version, mine.version + 2);

    // The same field: the second device's edit waits for a supervisor.
    await goOffline(adminContext);
    await goOffline(opContext);
    await edit(admin, '#f-phone', '081100000002');
    await edit(op, '#f-phone', '081100000003');
    await goOnline(adminContext);
    await synced(admin, adminPulled);
    await goOnline(opContext);
    await synced(op);
    await op.locator('#sync-conflicts li').first().waitFor();
    assert.match(await op.locator('#sync-conflicts').innerText(), /menunggu supervisor/);
    await assertFits(op, 'Sinkron at 360 px');
    await axe(op, 'Sinkron with a conflict');
    now = (await apiCall(admin, 'GET', `/api/v1/persons/${mine.id}`)).body;
    assert.equal(now.phone, '081100000002', 'nothing overwritten silently');

    // Konflik: both versions side by side, the device's chosen by keyboard, with a reason.
    await admin.setViewportSize(phone);
    await go(admin, '/konflik');
    await admin.getByRole('link', { name: `Buka konflik ${now.full_name}` }).click();
    await admin.locator('#conflict-fields').waitFor();
    const row = admin.locator('#conflict-fields tr[data-field="phone"]');
    assert.match(await row.innerText(), /081100000002/);
    assert.match(await row.innerText(), /081100000003/);
    await assertFits(admin, 'Konflik at 360 px');
    await axe(admin, 'Konflik');
    await shot(admin, 'offline-conflict-phone');
    await admin
      .getByRole('radio', { name: /Pakai versi perangkat untuk/ })
      .first()
      .focus();
    await admin.keyboard.press('Space');
    await admin.getByLabel('Alasan keputusan').fill('Nomor baru dikonfirmasi lewat telepon');
    await admin.getByRole('button', { name: 'Selesaikan konflik' }).click();
    await admin.locator('#conflict-done').waitFor();
    now = (await apiCall(admin, 'GET', `/api/v1/persons/${mine.id}`)).body;
    assert.equal(now.phone, '081100000003');
    await admin.setViewportSize(desktop);
    await opContext.close();
  });

  it('registers once when the online answer was lost, and clears a field emptied offline', async () => {
    await synced(admin);
    // Tambah online, and the answer lost on its way back: the server made the person, the page
    // saw a network failure and kept it on the device with the same key and body.
    const lostName = 'Rina Jawaban Hilang';
    let posted = 0;
    const lose = async (route) => {
      if (route.request().method() !== 'POST') {
        return route.fallback();
      }
      posted += 1;
      await route.fetch();
      return route.abort('internetdisconnected');
    };
    harness.expectOffline = true;
    await adminContext.route('**/api/v1/persons', lose);
    await go(admin, '/tambah');
    await admin.locator('#f-address-kelurahan_code option').nth(2).waitFor({ state: 'attached' });
    await admin.locator('#f-nik').fill('6474014903880023');
    await admin.locator('#f-full_name').fill(lostName);
    await admin.getByLabel('Jenis kelamin *').selectOption('P');
    await admin.locator('#f-birth_date').fill('1988-03-09');
    await admin.getByLabel('Fisik', { exact: true }).check();
    await admin.locator('#f-address-street').fill('Jl. Jawaban Hilang 5');
    const kelurahan = await admin
      .locator('#f-address-kelurahan_code option')
      .evaluateAll((os) => os.map((o) => o.value).filter((v) => v.startsWith('64.74.01.')));
    await admin.locator('#f-address-kelurahan_code').selectOption(kelurahan[0]);
    await admin.getByRole('button', { name: 'Simpan', exact: true }).click();
    // The queued create is answered with the person the POST made: the page opens it.
    await admin.waitForURL(/\/orang\/[0-9a-f-]+$/);
    await admin.locator('h1', { hasText: lostName }).waitFor();
    await adminContext.unroute('**/api/v1/persons', lose);
    harness.expectOffline = anyOffline();
    assert.equal(posted, 1);
    await synced(admin);
    assert.equal(await admin.locator('#sync-rejected').count(), 0);
    assert.equal(await harness.countPersons(admin, lostName), 1, 'registered once, not twice');

    // A severity cleared offline reaches the server as cleared (sent as null).
    const everyone = (await apiCall(admin, 'GET', '/api/v1/persons?status=aktif&limit=200')).body
      .items;
    const graded = everyone.find((p) => p.severity);
    assert.ok(graded, 'a person with a severity');
    await goOffline(adminContext);
    await go(admin, `/orang/${graded.id}/ubah`);
    await admin.locator('#f-severity').waitFor();
    await admin.locator('#f-severity').selectOption('');
    await admin.getByRole('button', { name: 'Simpan', exact: true }).click();
    await admin.waitForURL(new RegExp(`/orang/${graded.id}\\?luring=1$`));
    await goOnline(adminContext);
    await synced(admin);
    const cleared = (await apiCall(admin, 'GET', `/api/v1/persons/${graded.id}`)).body;
    assert.equal(cleared.severity, null, 'the severity was cleared');
    assert.equal(cleared.version, graded.version + 1);

    // A photo removed offline: a person.photo op with photo null waits, the device shows the
    // person without a photo meanwhile, and online the server removes it.
    const withPhoto = (await apiCall(admin, 'GET', `/api/v1/persons/${newId}`)).body;
    assert.ok(withPhoto.photo_id, 'the person has a photo to remove');
    await goOffline(adminContext);
    await go(admin, `/orang/${newId}/ubah`);
    await admin.locator('#f-phone').waitFor();
    await admin.getByRole('button', { name: 'Hapus foto' }).click();
    await admin.getByRole('button', { name: 'Simpan', exact: true }).click();
    await admin.waitForURL(new RegExp(`/orang/${newId}\\?luring=1$`));
    assert.equal(await pendingText(admin), '1 perubahan menunggu dikirim');
    await go(admin, '/sinkron');
    await admin.locator('#sync-waiting', { hasText: `Hapus foto: ${newName}` }).waitFor();
    // The device's copy has no photo now: Ubah shows none, and nothing to remove.
    await go(admin, `/orang/${newId}/ubah`);
    await admin.locator('#f-phone').waitFor();
    assert.deepEqual(
      await admin.evaluate(() => ({
        remove: document.querySelector('#photo-remove').hidden,
        preview: document.querySelector('#photo-preview').getAttribute('src'),
      })),
      { remove: true, preview: null },
    );
    await go(admin, `/orang/${newId}?luring=1`);
    // (The page's request to the server has failed, and been reported, before going online.)
    await admin.locator('#person-local').waitFor();
    await goOnline(adminContext);
    await synced(admin);
    assert.equal(
      await admin.locator('#sync-rejected').count(),
      0,
      `nothing refused: ${await admin.locator('.sync-page').innerText()}`,
    );
    const removed = (await apiCall(admin, 'GET', `/api/v1/persons/${newId}`)).body;
    assert.ok(!removed.photo_id, `the photo was removed on the server: ${removed.photo_id}`);
    assert.equal(removed.version, withPhoto.version + 1);

    // Layanan: a request opened while the server cannot be reached goes into the queue as a
    // service.request op and is opened once, when online.
    await go(admin, `/orang/${graded.id}`);
    const layanan = admin.locator('#layanan');
    await layanan.getByLabel('Layanan').waitFor();
    const cut = (route) =>
      route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.fallback();
    harness.expectOffline = true;
    await adminContext.route('**/api/v1/persons/*/service-requests', cut);
    await layanan.getByLabel('Layanan').selectOption('alat_bantu');
    await layanan.getByLabel('Catatan', { exact: true }).fill('Diajukan tanpa sinyal');
    await layanan.getByRole('button', { name: 'Ajukan' }).click();
    await layanan
      .getByRole('status')
      .filter({ hasText: /Disimpan di perangkat; dikirim saat daring/ })
      .waitFor();
    await adminContext.unroute('**/api/v1/persons/*/service-requests', cut);
    harness.expectOffline = anyOffline();
    await synced(admin);
    assert.equal(await admin.locator('#sync-rejected').count(), 0);
    const opened = (await apiCall(admin, 'GET', `/api/v1/persons/${graded.id}/service-requests`))
      .body.items;
    assert.equal(
      opened.filter((r) => r.service === 'alat_bantu' && r.status === 'diajukan').length,
      1,
      JSON.stringify(opened),
    );
  });

  it('never sends one user’s changes with another user’s session, nor wipes them at that user’s sign-out', async () => {
    const { opContext, op } = await operatorDevice(desktop);
    const someone = (await apiCall(op, 'GET', '/api/v1/persons?status=aktif&limit=1')).body
      .items[0];
    await synced(op);
    await controlled(op);
    const operatorId = (await apiCall(admin, 'GET', '/api/v1/users')).body.items.find(
      (u) => u.username === 'operator.utara',
    ).id;
    const stored = () =>
      op.evaluate(async () => {
        const db = await new Promise((resolve, reject) => {
          const r = indexedDB.open('kapal-offline');
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        let n = 0;
        for (const s of [...db.objectStoreNames]) {
          n += await new Promise((resolve) => {
            const r = db.transaction(s).objectStore(s).count();
            r.onsuccess = () => resolve(r.result);
          });
        }
        db.close();
        return n;
      });
    // An edit offline, then a reload offline: the data opened with the password, no server.
    await goOffline(opContext);
    await go(op, `/orang/${someone.id}/ubah`);
    await op.locator('#f-needs_note').waitFor();
    await op.locator('#f-needs_note').fill('Dari operator, bukan admin2');
    await op.getByRole('button', { name: 'Simpan', exact: true }).click();
    await op.waitForURL(/luring=1$/);
    await op.reload();
    await op.waitForURL(/\/masuk\?unlock=1/);
    await harness.signIn(op, 'operator.utara', /\/orang\//);
    // Meanwhile the browser's cookie becomes another user's (admin2 signed in elsewhere in it).
    const other = await opContext.request.post(`${harness.base}/api/v1/auth/login`, {
      data: { username: 'admin2', password: harness.passwords.admin2 },
    });
    assert.equal(other.status(), 200);
    await goOnline(opContext);
    // Back online, the app and the device ask the server who is signed in: admin2, not the
    // operator. Nothing is sent. Either the device locked itself first and its banner says why
    // (the operator's password signs in again), or the app already runs as admin2 (who signs
    // out, leaving the operator's data); whichever came first, the operator then sends.
    const banner = op.locator('#unlock-other', { hasText: /sebagai admin2/ });
    const asAdmin2 = op.getByText(/Masuk sebagai Kepala Dinas/);
    await banner.or(asAdmin2).first().waitFor();
    // The header counts the signed-in user's changes only: the operator's while the app still
    // runs as the operator, none once it runs as admin2 (the tab's session says which).
    await op.waitForFunction(
      () =>
        (document.querySelector('.net-status .net-pending')?.textContent ?? '') ===
        (JSON.parse(sessionStorage.getItem('kapal.session') ?? 'null')?.user.username ===
        'operator.utara'
          ? '1 perubahan menunggu dikirim'
          : ''),
    );
    let now = (await apiCall(op, 'GET', `/api/v1/persons/${someone.id}`)).body;
    assert.notEqual(now.needs_note, 'Dari operator, bukan admin2');
    assert.equal(now.version, someone.version);
    if (await banner.isVisible()) {
      await axe(op, 'the unlock banner after another user’s session');
      await op.locator('#unlock-password').fill(harness.passwords['operator.utara']);
      await op.getByRole('button', { name: 'Buka', exact: true }).click();
    } else {
      // (What the page was loading for admin2 may come back 401 once signed out.)
      harness.expectRefusal = true;
      await op.getByRole('button', { name: 'Keluar' }).click();
      await op.waitForURL(/\/masuk/);
      await op.waitForTimeout(500);
      harness.expectRefusal = false;
      assert.ok((await stored()) > 1, 'the operator’s data is kept');
      await go(op, '/masuk?next=%2Fsinkron');
      await harness.signIn(op, 'operator.utara', /\/sinkron$/);
    }
    await synced(op);
    now = (await apiCall(op, 'GET', `/api/v1/persons/${someone.id}`)).body;
    assert.equal(now.needs_note, 'Dari operator, bukan admin2');
    assert.equal(now.updated_by, operatorId);

    // Another change waits (reload offline: locked); admin2 signs in on this browser, then out:
    // the operator's data stays for the operator (no warning: it is not admin2's to lose).
    await goOffline(opContext);
    await go(op, `/orang/${someone.id}/ubah`);
    await op.locator('#f-needs_note').waitFor();
    await op.locator('#f-needs_note').fill('Menunggu operator');
    await op.getByRole('button', { name: 'Simpan', exact: true }).click();
    await op.waitForURL(/luring=1$/);
    await op.reload();
    await op.waitForURL(/\/masuk\?unlock=1/);
    await goOnline(opContext);
    await go(op, '/masuk?next=%2Fsinkron');
    await harness.signIn(op, 'admin2', /\/sinkron$/);
    await op.getByText('Data perangkat terkunci atau belum disiapkan.').waitFor();
    // The header counts admin2's changes only: none (the operator's are not admin2's to see).
    assert.equal(await pendingText(op), '');
    await op.getByRole('button', { name: 'Keluar' }).click();
    await op.waitForURL(/\/masuk/);
    assert.ok((await stored()) > 1, 'the operator’s data is kept');
    assert.equal(await pendingText(op), '');
    // (Straight to Sinkron: leaving the map while it still draws upsets Leaflet.)
    await go(op, '/masuk?next=%2Fsinkron');
    await harness.signIn(op, 'operator.utara', /\/sinkron$/);
    await synced(op);
    now = (await apiCall(op, 'GET', `/api/v1/persons/${someone.id}`)).body;
    assert.equal(now.needs_note, 'Menunggu operator');
    assert.equal(now.updated_by, operatorId);
    await opContext.close();
  });

  it('keeps a Tambah draft sealed on the device, never in clear, and restores it after a reload once unlocked', async () => {
    await synced(admin);
    await go(admin, '/tambah');
    await admin.locator('#f-full_name').waitFor();
    const nik = '6474014903880031';
    const name = 'Draf Tersegel Uji';
    await admin.locator('#f-nik').fill(nik);
    await admin.locator('#f-full_name').fill(name);
    await admin.locator('#f-needs_note').fill('Catatan kesehatan rahasia');
    const draftKey = 'draft:kapal.draft.admin.baru';
    await waitForStore(admin, draftKey);
    // (The last keystroke's write: sealed in the background right after it.)
    await admin.waitForTimeout(300);
    const raw = await rawStorage(admin);
    assert.ok(raw.includes(draftKey), 'the draft is kept on the device');
    for (const typed of [nik, name, 'Catatan kesehatan rahasia']) {
      assert.ok(!raw.includes(typed), `"${typed}" is nowhere in clear on the device`);
    }
    // A reload: the server's session stays, the key does not; the password opens the data and
    // the form comes back as it was.
    await admin.reload();
    await harness.unlock(admin, 'admin');
    await admin.waitForFunction(() => document.querySelector('#f-nik')?.value !== '');
    assert.equal(await admin.locator('#f-nik').inputValue(), nik);
    assert.equal(await admin.locator('#f-full_name').inputValue(), name);
    await admin.getByText(/Isian yang belum tersimpan dipulihkan dari perangkat ini/).waitFor();
    // Discarded: gone from the device too.
    await admin.getByRole('button', { name: 'Buang draf' }).click();
    await admin.waitForURL(/\/data$/);
    await waitForStore(admin, draftKey, false);
  });

  it('asks for the previous password when it was changed while changes wait, re-keys the device and sends them once', async () => {
    const { opContext, op } = await operatorDevice(desktop);
    const [p1, p2] = (await apiCall(op, 'GET', '/api/v1/persons?status=aktif&limit=2')).body.items;
    await synced(op);
    await controlled(op);
    const previous = harness.passwords['operator.utara'];
    // Two changes wait on the device, which is locked after a reload offline.
    await goOffline(opContext);
    for (const [p, note] of [
      [p1, 'Sebelum sandi diganti (1)'],
      [p2, 'Sebelum sandi diganti (2)'],
    ]) {
      await go(op, `/orang/${p.id}/ubah`);
      await op.locator('#f-needs_note').waitFor();
      await op.locator('#f-needs_note').fill(note);
      await op.getByRole('button', { name: 'Simpan', exact: true }).click();
      await op.waitForURL(new RegExp(`/orang/${p.id}\\?luring=1$`));
    }
    assert.equal(await pendingText(op), '2 perubahan menunggu dikirim');
    await op.reload();
    await op.waitForURL(/\/masuk\?unlock=1/);
    // Meanwhile an admin gives the operator a new password (which ends the operator's sessions).
    const changed = await apiCall(admin, 'POST', '/api/v1/users/operator.utara/password');
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    const fresh = changed.body.password;
    assert.ok(fresh && fresh !== previous);
    harness.passwords['operator.utara'] = fresh;

    // Online, the new password signs in; it does not open the device's data: the previous one
    // is asked for, by keyboard (the field has the focus), a wrong one first.
    await goOnline(opContext);
    await op.getByLabel('Nama pengguna', { exact: true }).fill('operator.utara');
    await op.getByLabel('Kata sandi', { exact: true }).fill(fresh);
    await op.getByRole('button', { name: 'Masuk', exact: true }).click();
    const panel = op.getByRole('region', { name: 'Kata sandi Anda telah diubah' });
    await panel.waitFor();
    assert.match(await panel.innerText(), /2 perubahan yang belum terkirim/);
    assert.match(await panel.innerText(), /Hapus data perangkat \(2 perubahan hilang\)/);
    await axe(op, 'the previous password');
    await op.waitForFunction(() => document.activeElement?.id === 'previous-password');
    await op.keyboard.type('bukan-sandi-lama');
    await op.keyboard.press('Enter');
    await op.locator('#rekey-error', { hasText: 'Kata sandi sebelumnya salah' }).waitFor();
    const field = op.getByLabel('Kata sandi sebelumnya', { exact: true });
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.match(await field.getAttribute('aria-describedby'), /rekey-error/);
    await op.keyboard.type(previous);
    await op.keyboard.press('Enter');
    await op.waitForURL((u) => !u.pathname.startsWith('/masuk'));
    // Sent as usual, each change once.
    await synced(op);
    assert.equal(
      await op.locator('#sync-rejected').count(),
      0,
      `nothing refused: ${await op.locator('.sync-page').innerText()}`,
    );
    for (const [p, note] of [
      [p1, 'Sebelum sandi diganti (1)'],
      [p2, 'Sebelum sandi diganti (2)'],
    ]) {
      const now = (await apiCall(op, 'GET', `/api/v1/persons/${p.id}`)).body;
      assert.equal(now.needs_note, note);
      assert.equal(now.version, p.version + 1, 'applied exactly once');
    }
    // Offline now, the new password opens the device's data, and the previous one no longer.
    await goOffline(opContext);
    await op.reload();
    await op.waitForURL(/\/masuk\?unlock=1/);
    await op.getByLabel('Kata sandi', { exact: true }).fill(previous);
    await op.getByRole('button', { name: 'Masuk', exact: true }).click();
    await op.locator('#login-alert', { hasText: 'salah' }).waitFor();
    await harness.signIn(op, 'operator.utara', /\/sinkron$/);
    await op.locator('#sync-waiting-h').waitFor();
    await goOnline(opContext);
    await opContext.close();
  });

  it('starts afresh when nothing waits, and deletes the changes kept under the previous password when the user chooses to, after saying how many', async () => {
    const { opContext, op } = await operatorDevice(desktop);
    const someone = (await apiCall(op, 'GET', '/api/v1/persons?status=aktif&limit=3')).body
      .items[2];
    await synced(op);
    await controlled(op);
    /// An admin gives the operator a new password (ending the operator's sessions).
    const newPassword = async () => {
      const r = await apiCall(admin, 'POST', '/api/v1/users/operator.utara/password');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      harness.passwords['operator.utara'] = r.body.password;
    };
    // Nothing waits: the new password simply makes a new store, no question asked.
    await op.reload();
    await newPassword();
    await op.goto(`${harness.base}/masuk`);
    await harness.signIn(op, 'operator.utara', /\/peta$/);
    assert.equal(await op.locator('#rekey').count(), 0);
    await synced(op);

    // A change waits, and the previous password is not known: the device's data is deleted.
    await goOffline(opContext);
    await go(op, `/orang/${someone.id}/ubah`);
    await op.locator('#f-needs_note').waitFor();
    await op.locator('#f-needs_note').fill('Hilang bersama data perangkat');
    await op.getByRole('button', { name: 'Simpan', exact: true }).click();
    await op.waitForURL(/luring=1$/);
    await op.reload();
    await op.waitForURL(/\/masuk\?unlock=1/);
    await newPassword();
    await goOnline(opContext);
    await op.getByLabel('Nama pengguna', { exact: true }).fill('operator.utara');
    await op.getByLabel('Kata sandi', { exact: true }).fill(harness.passwords['operator.utara']);
    await op.getByRole('button', { name: 'Masuk', exact: true }).click();
    const discard = op.getByRole('button', { name: 'Hapus data perangkat (1 perubahan hilang)' });
    await discard.waitFor();
    assert.match(
      await op.locator('#rekey-discard-warning').innerText(),
      /membuang 1 perubahan yang belum terkirim/,
    );
    // Cancelled: nothing deleted, still asked.
    let dialog = op.waitForEvent('dialog');
    let clicked = discard.click();
    let warning = await dialog;
    assert.match(warning.message(), /^1 perubahan yang belum terkirim akan hilang untuk selamanya/);
    await warning.dismiss();
    await clicked;
    assert.equal(await op.locator('#rekey').count(), 1);
    // Confirmed: a new store under the new password, nothing of the change sent.
    dialog = op.waitForEvent('dialog');
    clicked = discard.click();
    warning = await dialog;
    await warning.accept();
    await clicked;
    await op.waitForURL((u) => !u.pathname.startsWith('/masuk'));
    await synced(op);
    const now = (await apiCall(op, 'GET', `/api/v1/persons/${someone.id}`)).body;
    assert.notEqual(now.needs_note, 'Hilang bersama data perangkat');
    assert.equal(now.version, someone.version);
    assert.equal(await pendingText(op), '');
    await opContext.close();
  });

  it('wipes the device at sign-out, after warning of changes not sent', async () => {
    const { opContext, op } = await operatorDevice(desktop);
    const someone = (await apiCall(op, 'GET', '/api/v1/persons?status=aktif&limit=1')).body
      .items[0];
    await synced(op);
    const stored = () =>
      op.evaluate(async () => {
        const names = (await indexedDB.databases()).map((d) => d.name);
        if (!names.includes('kapal-offline')) {
          return 0;
        }
        const db = await new Promise((resolve, reject) => {
          const r = indexedDB.open('kapal-offline');
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        const stores = [...db.objectStoreNames];
        let n = 0;
        for (const s of stores) {
          n += await new Promise((resolve) => {
            const r = db.transaction(s).objectStore(s).count();
            r.onsuccess = () => resolve(r.result);
          });
        }
        db.close();
        return n;
      });
    assert.ok((await stored()) > 1, 'the device keeps the pulled persons');
    await goOffline(opContext);
    await go(op, `/orang/${someone.id}/ubah`);
    await op.locator('#f-needs_note').waitFor();
    await op.locator('#f-needs_note').fill('Belum terkirim');
    await op.getByRole('button', { name: 'Simpan', exact: true }).click();
    await op.waitForURL(/luring=1$/);
    // A registration begun and not saved: its draft is kept (sealed) on the device meanwhile.
    await go(op, '/tambah');
    await op.locator('#f-full_name').fill('Draf belum disimpan');
    await waitForStore(op, 'draft:kapal.draft.operator.utara.baru');
    // Keluar: the warning names the waiting change; "cancel" keeps everything.
    // (The click settles only once the dialog is answered.)
    const dialog = op.waitForEvent('dialog');
    const clicked = op.getByRole('button', { name: 'Keluar' }).click();
    const warning = await dialog;
    assert.match(warning.message(), /^1 perubahan belum terkirim/);
    await warning.dismiss();
    await clicked;
    assert.equal(await pendingText(op), '1 perubahan menunggu dikirim');
    op.once('dialog', (d) => d.accept());
    await op.getByRole('button', { name: 'Keluar' }).click();
    await op.waitForURL(/\/masuk/);
    assert.equal(await stored(), 0, 'nothing left in IndexedDB');
    assert.deepEqual(
      await op.evaluate(() =>
        Object.keys(localStorage).filter((k) => /^kapal\.(draft|handover)\./.test(k)),
      ),
      [],
      'no drafts left',
    );
    assert.equal(await pendingText(op), '');
    await goOnline(opContext);
    await opContext.close();
    assert.deepEqual(harness.consoleErrors, []);
  });
});
