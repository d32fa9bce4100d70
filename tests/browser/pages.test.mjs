// Browser tests of the pages of issue 6's second part: Tambah/Ubah with its never-lose-input
// draft and the edit conflict, Impor, Dasbor and Pengguna; and Laporan (issue 10). A `kapal serve` on demo data of its own
// (harness.mjs); screenshots and the server log go to $KAPAL_BROWSER_ARTIFACTS.
//
//   KAPAL_BIN=build/kapal node --test tests/browser/pages.test.mjs
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
  shot,
  waitForStore,
} from './harness.mjs';

const harness = new Harness({ persons: 300 });
// Where the "device" is when the form asks for GPS: a few metres from where the test taps the
// map (the middle of the form's first view of Bontang), so in the same kelurahan.
const gpsFix = { latitude: 0.13345, longitude: 117.48345, accuracy: 8 };
// A NIK of Bontang Utara (64.74.01) for a woman born 17 May 1990 (day + 40).
const nik = '6474015705900007';
const name = 'Rahmawati Uji Peramban';

before(async () => harness.start(), { timeout: 60000 });
after(async () => harness.stop('server-pages.log'));

describe('Tambah/Ubah', { timeout: 240000 }, () => {
  let context;
  let page;
  let personId;

  before(async () => {
    context = await harness.newContext(desktop, {
      geolocation: gpsFix,
      permissions: ['geolocation'],
    });
    page = await context.newPage();
    await harness.login(page);
  });

  after(async () => context?.close());

  it('shows the API validation errors at their fields, in Indonesian and in English', async () => {
    await page
      .getByRole('navigation', { name: 'Menu utama' })
      .getByRole('link', { name: 'Tambah' })
      .click();
    await page.waitForURL(/\/tambah$/);
    await page.locator('#f-full_name').waitFor();
    // An empty form: the API names what it cannot read at all (sex, date of birth) first.
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    await page.locator('#f-sex-error', { hasText: /\S/ }).waitFor();
    assert.equal(await page.locator('#f-sex-error').innerText(), 'Jenis kelamin harus L atau P');
    assert.equal(await page.locator('#f-sex').getAttribute('aria-invalid'), 'true');
    assert.equal(
      await page.locator('#f-birth_date-error').innerText(),
      'Tanggal lahir tidak valid',
    );
    // The focus went to the first marked field, so a keyboard user is there.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-sex');
    await page.getByLabel('Jenis kelamin *').selectOption('P');
    await page.locator('#f-birth_date').fill('1990-05-17');
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    const nameError = page.locator('#f-full_name-error');
    await nameError.waitFor();
    assert.equal(await page.locator('#f-sex-error').isHidden(), true, 'the old error is gone');
    assert.equal(await nameError.innerText(), 'Nama lengkap wajib diisi');
    assert.equal(await page.locator('#f-full_name').getAttribute('aria-invalid'), 'true');
    assert.match(
      await page.locator('#f-full_name').getAttribute('aria-describedby'),
      /f-full_name-error/,
    );
    // The categories are a group of checkboxes: the error is on the group.
    assert.equal(
      await page
        .locator('fieldset.checks', { has: page.locator('#f-categories-error') })
        .getAttribute('aria-invalid'),
      'true',
    );
    assert.match(
      await page.locator('#form-alert').innerText(),
      /^Data belum tersimpan\. Periksa \d+ isian yang ditandai\.$/,
    );
    await axe(page, 'tambah (with errors)');
    await shot(page, 'tambah-errors-desktop');

    // What was typed survives the switch to English (the page is drawn again).
    await page.locator('#f-birth_place').fill('Bontang');
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.locator('h1', { hasText: 'Add a person' }).waitFor();
    assert.equal(await page.locator('#f-birth_place').inputValue(), 'Bontang');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('#f-full_name-error', { hasText: 'Full name is required' }).waitFor();
    await page.getByRole('button', { name: 'Ganti ke Bahasa Indonesia' }).click();
    await page.locator('h1', { hasText: 'Tambah data' }).waitFor();
  });

  it('adds a person with the home tapped on the map', async () => {
    await page.locator('#f-nik').fill(nik);
    await page.locator('#f-full_name').fill(name);
    await page.getByLabel('Fisik', { exact: true }).check();
    await page.getByLabel('Kursi roda').check();
    await page.locator('#f-address-street').fill('Jl. Uji Coba 7');
    await page.locator('#f-address-rt').fill('007');
    await page.locator('#f-address-rw').fill('002');
    // Tap the map in the middle of its view: the home is set there, "marked on the map".
    const map = page.locator('#form-map');
    await map.scrollIntoViewIfNeeded();
    await page.locator('#form-map .leaflet-overlay-pane path').first().waitFor();
    const box = await map.boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.locator('.home-status', { hasText: 'ditandai di peta' }).waitFor();
    const lat = Number(await page.locator('#f-home-lat').inputValue());
    const lon = Number(await page.locator('#f-home-lon').inputValue());
    assert.ok(Math.abs(lat - 0.1333) < 0.002 && Math.abs(lon - 117.4833) < 0.002, `${lat},${lon}`);
    assert.equal(await page.locator('#form-map path.home-marker').count(), 1);
    await shot(page, 'tambah-isi-desktop');
    // The form's draft is kept meanwhile, sealed in the device's store.
    await waitForStore(page, 'draft:kapal.draft.admin.baru');
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    await page.waitForURL(/\/orang\/[0-9a-f-]+$/);
    personId = page.url().split('/').pop();
    await page.locator('h1', { hasText: name }).waitFor();
    const saved = await apiCall(page, 'GET', `/api/v1/persons/${personId}`);
    assert.equal(saved.body.home.source, 'map');
    assert.ok(Math.abs(saved.body.home.lat - lat) < 1e-6);
    assert.match(saved.body.address.kelurahan_code, /^64\.74\.\d\d\.\d{4}$/, 'from the location');
    assert.deepEqual(saved.body.assistive_devices, ['kursi_roda']);
    // Saved: the draft is gone (it was sealed in the device's store, never in localStorage).
    await waitForStore(page, 'draft:kapal.draft.admin.baru', false);
    assert.deepEqual(
      await page.evaluate(() =>
        Object.keys(localStorage).filter((k) => k.startsWith('kapal.draft')),
      ),
      [],
    );
  });

  it('finds the new person by search', async () => {
    await page.goto(`${harness.base}/data`);
    await page.getByLabel('Cari nama').fill('Rahmawati Uji');
    await page.getByLabel('Cari nama').press('Enter');
    await page.locator(`#data-table a[href="/orang/${personId}"]`).waitFor();
    // The whole list may still be on the page for a moment: wait for the search's answer.
    await page.waitForFunction(
      () => document.querySelectorAll('#data-table tbody tr').length === 1,
    );
    assert.equal(await page.locator('#data-table tbody tr').count(), 1);
  });

  it('edits the person with the GPS of the device', async () => {
    await page.goto(`${harness.base}/orang/${personId}`);
    await page.getByRole('link', { name: 'Ubah data' }).click();
    await page.waitForURL(/\/ubah$/);
    await page.locator('h1', { hasText: `Ubah data: ${name}` }).waitFor();
    // The stored values are in the form; NIK is kept unless typed again.
    assert.equal(await page.locator('#f-full_name').inputValue(), name);
    assert.equal(await page.locator('#f-nik').inputValue(), '');
    assert.equal(await page.getByLabel('Kursi roda').isChecked(), true);
    await page.locator('#f-phone').fill('081234567801');
    await page.getByRole('button', { name: 'Pakai lokasi perangkat (GPS)' }).click();
    await page
      .locator('#gps-status', { hasText: 'Lokasi GPS dipakai (ketelitian ± 8 m).' })
      .waitFor();
    assert.equal(Number(await page.locator('#f-home-lat').inputValue()), gpsFix.latitude);
    await page.locator('#f-change_reason').fill('Nomor telepon baru');
    // A kelurahan other than the one the home lies in: the API warns, the user confirms.
    const kelurahan = page.locator('#f-address-kelurahan_code');
    const located = await kelurahan.inputValue();
    const other = (
      await kelurahan.locator('option').evaluateAll((os) => os.map((o) => o.value))
    ).filter((v) => v && v !== located)[0];
    await kelurahan.selectOption(other);
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    await page.locator('#f-address-kelurahan_code-error', { hasText: /\S/ }).waitFor();
    assert.match(
      await page.locator('#f-address-kelurahan_code-error').innerText(),
      new RegExp(located.replace(/\./g, '\\.')),
      'the warning names the kelurahan of the location',
    );
    await page.getByRole('group', { name: 'Peringatan' }).waitFor();
    await axe(page, 'ubah (warning)');
    await page.getByLabel(/^Sudah diperiksa, data benar/).check();
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    await page.locator('#f-warning_reason-error', { hasText: /\S/ }).waitFor();
    await page.getByLabel('Alasan menyimpan walau ada peringatan *').fill('Alamat KTP lama');
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    await page.waitForURL(new RegExp(`/orang/${personId}$`));
    await page.locator('dd', { hasText: '081234567801' }).waitFor();
    const saved = await apiCall(page, 'GET', `/api/v1/persons/${personId}`);
    assert.equal(saved.body.version, 2);
    assert.deepEqual(saved.body.home, {
      lon: gpsFix.longitude,
      lat: gpsFix.latitude,
      accuracy_m: 8,
      source: 'gps',
    });
    assert.equal(saved.body.nik_masked.slice(0, 4), '6474');
    assert.equal(saved.body.address.kelurahan_code, other);
    assert.deepEqual(saved.body.confirmed_warnings, ['person.kelurahan_mismatch']);
    assert.equal(saved.body.warning_reason, 'Alamat KTP lama');
  });

  it('keeps a draft across a reload and a dropped connection, and clears it once saved', async () => {
    await page.goto(`${harness.base}/orang/${personId}/ubah`);
    // A page load: the device's data (where the draft is kept) opens with the password.
    await harness.unlock(page, 'admin');
    // The warning confirmed in the last edit is shown, ticked, in the catalogue's words.
    const confirmed = page.getByLabel(
      'Sudah diperiksa, data benar: Kelurahan pada alamat berbeda dengan kelurahan lokasi rumah',
    );
    assert.equal(await confirmed.isChecked(), true);
    await page.locator('#f-needs_note').fill('Butuh ramp di depan rumah');
    // Sealed in the device's store; a reload keeps the session, and the password opens the
    // device's data (and the draft) again.
    await waitForStore(page, `draft:kapal.draft.admin.${personId}`);
    await page.waitForTimeout(300);
    await page.reload();
    await harness.unlock(page, 'admin');
    await page.locator('.notice', { hasText: 'dipulihkan' }).waitFor();
    assert.equal(await page.locator('#f-needs_note').inputValue(), 'Butuh ramp di depan rumah');
    // The connection drops while saving: nothing is lost, the change waits on the device and
    // is sent once the connection is back.
    harness.expectOffline = true;
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    await page.waitForURL(new RegExp(`/orang/${personId}\\?luring=1$`));
    await context.setOffline(false);
    harness.expectOffline = false;
    await page.waitForFunction(() => !document.querySelector('.net-status .net-pending'), null, {
      timeout: 30000,
    });
    const saved = await apiCall(page, 'GET', `/api/v1/persons/${personId}`);
    assert.equal(saved.body.needs_note, 'Butuh ramp di depan rumah');
    assert.equal(saved.body.version, 3);
    await page.goto(`${harness.base}/orang/${personId}/ubah`);
    await page.locator('#f-full_name').waitFor();
    assert.equal(await page.locator('.notice').innerText(), '', 'no draft any more');
  });

  it('an edit conflict shows both versions per field and saves what the user chose', async () => {
    await page.goto(`${harness.base}/orang/${personId}/ubah`);
    await page.locator('#f-full_name').waitFor();
    await page.locator('#f-phone').fill('081200000001');
    await page.locator('#f-needs_note').fill('Ramp dan pegangan tangan');
    // Meanwhile someone else saves another phone and another street.
    const current = await apiCall(page, 'GET', `/api/v1/persons/${personId}`);
    const other = {
      ...current.body,
      phone: '081299999999',
      address: { ...current.body.address, street: 'Jl. Lain 9' },
    };
    const put = await apiCall(page, 'PUT', `/api/v1/persons/${personId}`, other, {
      'If-Match': current.etag,
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    const heading = page.getByRole('heading', { name: 'Data ini sudah diubah orang lain' });
    await heading.waitFor();
    assert.equal(await heading.evaluate((el) => el === document.activeElement), true);
    const rows = await page.locator('.conflict-table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        key: tr.dataset.key,
        mine: tr.querySelector('.conflict-mine .conflict-value').textContent,
        theirs: tr.querySelector('.conflict-theirs .conflict-value').textContent,
        chosen: tr.querySelector('input:checked').value,
      })),
    );
    assert.deepEqual(rows, [
      { key: 'phone', mine: '081200000001', theirs: '081299999999', chosen: 'mine' },
      { key: 'address.street', mine: 'Jl. Uji Coba 7', theirs: 'Jl. Lain 9', chosen: 'theirs' },
      {
        key: 'needs_note',
        mine: 'Ramp dan pegangan tangan',
        theirs: 'Butuh ramp di depan rumah',
        chosen: 'mine',
      },
    ]);
    await axe(page, 'ubah (conflict)');
    await shot(page, 'ubah-konflik-desktop');
    // The user takes the other phone number, keeps their note and the other street.
    await page.getByLabel('Pakai versi tersimpan untuk Telepon: 081299999999').check();
    await page.getByRole('button', { name: 'Simpan pilihan ini' }).click();
    await page.waitForURL(new RegExp(`/orang/${personId}$`));
    const saved = await apiCall(page, 'GET', `/api/v1/persons/${personId}`);
    assert.equal(saved.body.version, 5);
    assert.equal(saved.body.phone, '081299999999');
    assert.equal(saved.body.address.street, 'Jl. Lain 9');
    assert.equal(saved.body.needs_note, 'Ramp dan pegangan tangan');
  });

  it('works on a 360 px phone: the form fits and passes axe', async () => {
    const phoneContext = await harness.newContext(phone, {
      geolocation: gpsFix,
      permissions: ['geolocation'],
    });
    const p = await phoneContext.newPage();
    await harness.login(p);
    for (const [shotName, url] of [
      ['tambah-phone', '/tambah'],
      ['ubah-phone', `/orang/${personId}/ubah`],
    ]) {
      await p.goto(`${harness.base}${url}`);
      await p.locator('#f-full_name').waitFor();
      await p.waitForLoadState('networkidle');
      await assertFits(p, shotName);
      await axe(p, shotName);
      await shot(p, shotName);
    }
    await phoneContext.close();
  });

  it('a photo chosen in the form is made small, kept across a reload, sent and shown', async () => {
    // A 1600 x 1200 picture, as a phone camera gives (smaller, but larger than 600 px).
    const file = path.join(os.tmpdir(), `foto-uji-${process.pid}.png`);
    fs.writeFileSync(file, pngOf(1600, 1200, [40, 120, 200]));
    await page.goto(`${harness.base}/orang/${personId}/ubah`);
    await harness.unlock(page, 'admin');
    await page.locator('#f-full_name').waitFor();
    assert.equal(await page.locator('#photo-input').getAttribute('accept'), 'image/*');
    assert.equal(await page.locator('#photo-input').getAttribute('capture'), 'environment');
    assert.equal(await page.locator('#photo-preview').isHidden(), true, 'no photo yet');
    await page.locator('#photo-input').setInputFiles(file);
    await page.locator('#photo-status', { hasText: 'Foto siap' }).waitFor();
    assert.match(await page.locator('#photo-status').innerText(), /600×450 piksel/);
    // Kept with the draft (sealed on the device): a reload, once unlocked, brings it back.
    await waitForStore(page, `draft:kapal.draft.admin.${personId}`);
    await page.waitForTimeout(300);
    await page.reload();
    await harness.unlock(page, 'admin');
    await page.locator('.notice', { hasText: 'dipulihkan' }).waitFor();
    assert.match(await page.locator('#photo-preview').getAttribute('src'), /^data:image\/jpeg/);
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    await page.waitForURL(new RegExp(`/orang/${personId}$`));
    const img = page.getByRole('img', { name: `Foto ${name}` });
    await img.waitFor();
    await page.waitForFunction(() => document.querySelector('#person-photo')?.complete);
    assert.equal(await img.evaluate((el) => el.naturalWidth), 600);
    const saved = await apiCall(page, 'GET', `/api/v1/persons/${personId}`);
    assert.ok(saved.body.photo_id, 'the person names its photo');
    const photo = await page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/persons/${id}/photo`);
      const bytes = new Uint8Array(await r.arrayBuffer());
      return {
        status: r.status,
        type: r.headers.get('Content-Type'),
        first: [...bytes.slice(0, 3)],
      };
    }, personId);
    assert.deepEqual(photo, { status: 200, type: 'image/jpeg', first: [0xff, 0xd8, 0xff] });
    // The history shows the version that set it.
    const versions = await apiCall(page, 'GET', `/api/v1/persons/${personId}/versions`);
    assert.equal(versions.body.items.at(-1).photo_id, saved.body.photo_id);
    assert.equal(versions.body.items.at(-2).photo_id, '');

    // Removed again from the form.
    await page.goto(`${harness.base}/orang/${personId}/ubah`);
    await page.locator('#photo-preview[src]').waitFor();
    await page.getByRole('button', { name: 'Hapus foto' }).click();
    await page.locator('#photo-status', { hasText: 'Foto akan dihapus' }).waitFor();
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    await page.waitForURL(new RegExp(`/orang/${personId}$`));
    await page.locator('#person-photo-none').waitFor();
    const after = await apiCall(page, 'GET', `/api/v1/persons/${personId}`);
    assert.equal(after.body.photo_id, '');
    fs.rmSync(file, { force: true });
  });
});

describe('Impor', { timeout: 120000 }, () => {
  let context;
  let page;
  const file = path.join(os.tmpdir(), `impor-uji-${process.pid}.csv`);

  before(async () => {
    // Two good rows of Lok Tuan and one whose date of birth does not exist.
    fs.writeFileSync(
      file,
      'NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n' +
        '6474011503850001,Ahmad Impor Peramban,L,15/03/1985,Lok Tuan,fisik\n' +
        '6474014703850002,Siti Impor Peramban,P,07/03/1985,Lok Tuan,"netra, rungu"\n' +
        '6474013102900001,Tanggal Salah,L,31/02/1990,Lok Tuan,fisik\n',
    );
    context = await harness.newContext(desktop);
    page = await context.newPage();
    await harness.login(page);
  });
  after(async () => {
    await context?.close();
    fs.rmSync(file, { force: true });
  });

  it('downloads the template, checks a file with a bad row, imports it and gives the rejects', async () => {
    await page
      .getByRole('navigation', { name: 'Menu utama' })
      .getByRole('link', { name: 'Impor' })
      .click();
    await page.waitForURL(/\/impor$/);
    const [template] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Template CSV' }).click(),
    ]);
    assert.equal(template.suggestedFilename(), 'template-penyandang-disabilitas.csv');
    assert.match(fs.readFileSync(await template.path(), 'utf8'), /NIK.*Nama Lengkap/);
    await axe(page, 'impor');

    // Checking without a file says so at the field.
    await page.getByRole('button', { name: 'Periksa (uji coba)' }).click();
    assert.equal(await page.locator('#import-file-error').innerText(), 'Pilih berkas dulu.');
    assert.equal(await page.locator('#import-file').getAttribute('aria-invalid'), 'true');

    // Every status line the page shows while it works is recorded.
    await page.evaluate(() => {
      window.progressSeen = [];
      const el = document.getElementById('import-progress-text');
      new MutationObserver(() => window.progressSeen.push(el.textContent)).observe(el, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await page.locator('#import-file').setInputFiles(file);
    await page.getByRole('button', { name: 'Periksa (uji coba)' }).click();
    await page.getByRole('heading', { name: '3. Hasil uji coba' }).waitFor();
    const seen = await page.evaluate(() => window.progressSeen);
    assert.ok(
      seen.some((s) => /^Mengunggah impor-uji-\d+\.csv… \d+%$/.test(s)),
      JSON.stringify(seen),
    );
    assert.ok(seen.includes('Server memeriksa setiap baris…'), JSON.stringify(seen));
    const count = (name) => page.locator(`dd[data-count="${name}"]`).innerText();
    assert.equal(await count('rows'), '3');
    assert.equal(await count('created'), '2');
    assert.equal(await count('rejected'), '1');
    const reject = await page
      .locator('#import-rejects tbody tr')
      .first()
      .locator('th, td')
      .allInnerTexts();
    assert.equal(reject[0], '4');
    assert.equal(reject[1], 'Tanggal Lahir');
    assert.match(reject[2], /^Tanggal lahir tidak valid/);
    assert.equal(await harness.countPersons(page, 'Impor Peramban'), 0, 'a dry run writes nothing');
    await axe(page, 'impor (preview)');
    await shot(page, 'impor-uji-coba-desktop');

    const [rejects] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Unduh baris yang ditolak (CSV)' }).click(),
    ]);
    assert.match(rejects.suggestedFilename(), /^impor-uji-\d+-ditolak\.csv$/);
    const rejectsCsv = fs.readFileSync(await rejects.path(), 'utf8');
    assert.match(rejectsCsv, /Baris,Alasan/);
    assert.match(rejectsCsv, /Tanggal Salah/);
    assert.doesNotMatch(rejectsCsv, /Ahmad Impor/);

    await page.getByRole('button', { name: 'Impor sekarang' }).click();
    await page.getByRole('heading', { name: 'Hasil impor' }).waitFor();
    assert.equal(
      await page.locator('#import-progress-text').innerText(),
      'Impor selesai: 2 baru, 0 sudah ada, 1 ditolak.',
    );
    assert.equal(await harness.countPersons(page, 'Impor Peramban'), 2);
    await shot(page, 'impor-selesai-desktop');
  });

  it('fits a 360 px phone and passes axe', async () => {
    const phoneContext = await harness.newContext(phone);
    const p = await phoneContext.newPage();
    await harness.login(p);
    await p.goto(`${harness.base}/impor`);
    await p.locator('#import-file').setInputFiles(file);
    await p.getByRole('button', { name: 'Periksa (uji coba)' }).click();
    await p.getByRole('heading', { name: '3. Hasil uji coba' }).waitFor();
    await assertFits(p, 'impor-phone');
    await axe(p, 'impor (phone)');
    await shot(p, 'impor-phone');
    await phoneContext.close();
  });
});

describe('Dasbor', { timeout: 120000 }, () => {
  it('draws every chart with its numbers and a table, as the stats say', async () => {
    const context = await harness.newContext(desktop);
    const page = await context.newPage();
    await harness.login(page);
    await page
      .getByRole('navigation', { name: 'Menu utama' })
      .getByRole('link', { name: 'Dasbor' })
      .click();
    await page.waitForURL(/\/dasbor$/);
    await page.locator('#chart-categories svg').waitFor();
    const stats = await page.evaluate(async () => (await fetch('/api/v1/stats')).json());
    assert.equal(
      await page.locator('.dash-total').innerText(),
      `${stats.total.toLocaleString('id-ID')} penyandang disabilitas (aktif) di wilayah Anda.`,
    );
    // Each chart: one bar per group carrying its number, and the same numbers in a table.
    const charts = {
      'chart-categories': stats.categories,
      'chart-sex': stats.sex,
      'chart-age': stats.age_groups,
      'chart-severity': stats.severity,
      'chart-kecamatan': Object.fromEntries(stats.kecamatan.map((k) => [k.code, k.count])),
    };
    for (const [id, counts] of Object.entries(charts)) {
      const drawn = await page
        .locator(`#${id} svg g`)
        .evaluateAll((gs) =>
          gs.map((g) => [g.dataset.key, g.querySelector('.chart-value').textContent]),
        );
      assert.deepEqual(
        Object.fromEntries(drawn),
        Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v.toLocaleString('id-ID')])),
        id,
      );
      assert.equal(await page.locator(`#${id} svg`).getAttribute('aria-hidden'), 'true');
      const rows = await page.locator(`#${id} table tbody td`).allTextContents();
      assert.deepEqual(
        rows,
        drawn.map(([, v]) => v),
        `${id} table`,
      );
    }
    assert.equal(await page.locator('#chart-categories .bar-fisik').count(), 1);
    // The monthly change: all areas and each kecamatan, twelve months, in a table too.
    const monthly = page.locator('.dash-monthly figure');
    assert.equal(await monthly.count(), 1 + stats.monthly.kecamatan.length);
    const totals = await page.locator('#chart-monthly-total svg .chart-value').allTextContents();
    assert.deepEqual(
      totals,
      stats.monthly.total.map((n) => n.toLocaleString('id-ID')),
    );
    assert.equal(await page.locator('#chart-monthly-total table tbody tr').count(), 12);
    assert.ok(stats.monthly.total.reduce((a, b) => a + b, 0) > 0, 'registrations this year');
    // The change per month: all areas and each kecamatan; the net change over each month, a
    // legend naming every kind, and a table anyone can open with every number.
    const flows = await page.evaluate(async () =>
      (await fetch('/api/v1/stats/flows/monthly?months=12&level=kecamatan')).json(),
    );
    assert.equal(
      await page.locator('.dash-flows figure').count(),
      1 + flows.areas.length,
      'one flow chart per kecamatan and one for all',
    );
    const kinds = ['new', 'moved_in', 'reactivated', 'moved_out', 'deceased', 'deactivated'];
    const net = flows.months.map(
      (_, i) =>
        flows.total.new[i] +
        flows.total.moved_in[i] +
        flows.total.reactivated[i] -
        flows.total.moved_out[i] -
        flows.total.deceased[i] -
        flows.total.deactivated[i],
    );
    const signed = (n) =>
      n > 0 ? `+${n.toLocaleString('id-ID')}` : n < 0 ? `−${(-n).toLocaleString('id-ID')}` : '0';
    assert.deepEqual(
      await page.locator('#chart-flows-total svg .chart-value').allTextContents(),
      net.map(signed),
    );
    assert.equal(await page.locator('#chart-flows-total svg').getAttribute('aria-hidden'), 'true');
    assert.deepEqual(await page.locator('#chart-flows-total .flow-legend li').allTextContents(), [
      '+ Baru',
      '+ Pindah masuk',
      '+ Aktif kembali',
      '− Pindah keluar',
      '− Meninggal',
      '− Nonaktif',
    ]);
    await page.locator('#chart-flows-total summary').click();
    const table = page.locator('#chart-flows-total table');
    await table.waitFor();
    assert.equal(await table.locator('tbody tr').count(), 12);
    const lastRow = await table.locator('tbody tr').last().locator('td').allTextContents();
    assert.deepEqual(lastRow, [
      ...kinds.map((k) => flows.total[k][11].toLocaleString('id-ID')),
      signed(net[11]),
    ]);
    assert.ok(flows.total.new.reduce((a, b) => a + b, 0) > 0, 'new registrations drawn');
    await axe(page, 'dasbor');
    await shot(page, 'dasbor-desktop');

    await page.getByLabel('Status yang dihitung').selectOption('semua');
    await page.waitForURL(/\?status=semua$/);
    await page.locator('.dash-total', { hasText: 'semua status' }).waitFor();
    await context.close();
  });

  it('fits a 360 px phone and passes axe', async () => {
    const context = await harness.newContext(phone);
    const page = await context.newPage();
    await harness.login(page);
    await page.goto(`${harness.base}/dasbor`);
    await page.locator('#chart-monthly-total svg').waitFor();
    await assertFits(page, 'dasbor-phone');
    await axe(page, 'dasbor (phone)');
    await shot(page, 'dasbor-phone');
    await context.close();
  });
});

describe('Laporan', { timeout: 120000 }, () => {
  const year = String(new Date(Date.now() + 8 * 3600 * 1000).getUTCFullYear());

  async function show(page) {
    await page.getByLabel('Periode').selectOption(year);
    await page.getByRole('button', { name: 'Tampilkan' }).click();
    await page.locator('#rk-summary').waitFor();
  }

  it("shows the period's figures as the API gives them, and downloads the report", async () => {
    const context = await harness.newContext(desktop);
    const page = await context.newPage();
    await harness.login(page);
    await page
      .getByRole('navigation', { name: 'Menu utama' })
      .getByRole('link', { name: 'Laporan' })
      .click();
    await page.waitForURL(/\/laporan$/);
    await show(page);
    const [ind, flows] = await page.evaluate(async (y) => {
      const get = async (u) => (await fetch(u)).json();
      return Promise.all([
        get(`/api/v1/stats/indicators?period=${y}&level=kelurahan&far_m=5000`),
        get(`/api/v1/stats/flows?period=${y}&level=kelurahan`),
      ]);
    }, year);
    assert.equal(ind.total.current.registered, flows.total.end);
    assert.ok(flows.total.end > 0, 'persons registered this year');
    // The summary's first figure, the steps done, one bar per kelurahan, the tables' rows.
    assert.equal(
      await page.locator('#rk-summary .report-figure strong').first().innerText(),
      ind.total.current.registered.toLocaleString('id-ID'),
    );
    assert.equal(await page.locator('#rk-step').innerText(), 'Langkah 3 dari 3: selesai.');
    assert.equal(await page.locator('#rk-progress').isHidden(), true);
    assert.equal(await page.locator('#rk-bars svg g').count(), ind.areas.length);
    const flowRows = page.locator('section[aria-labelledby="rk-flows-heading"] tbody tr');
    assert.equal(await flowRows.count(), flows.areas.length + 1);
    assert.equal(
      await flowRows.last().locator('td').last().innerText(),
      flows.total.end.toLocaleString('id-ID'),
    );
    const indRows = page.locator('section[aria-labelledby="rk-ind-heading"] tbody tr');
    assert.equal(await indRows.count(), ind.areas.length + 1);
    assert.ok(
      (await page.locator('section[aria-labelledby="rk-ind-heading"] code').innerText()).startsWith(
        `/api/v1/stats/indicators?period=${year}&level=kelurahan`,
      ),
    );
    await axe(page, 'laporan');
    await shot(page, 'laporan-desktop');
    for (const [button, ext, magic] of [
      ['Unduh XLSX', 'xlsx', 'PK'],
      ['Unduh PDF', 'pdf', '%PDF-'],
    ]) {
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: button }).click(),
      ]);
      assert.equal(file.suggestedFilename(), `laporan-rakor-${year}.${ext}`);
      const bytes = fs.readFileSync(await file.path());
      assert.equal(bytes.subarray(0, magic.length).toString('latin1'), magic);
      await page
        .locator('#rk-download-status', { hasText: `Tersimpan: laporan-rakor-${year}.${ext}` })
        .waitFor();
    }
    await context.close();
  });

  it('fits a 360 px phone and passes axe', async () => {
    const context = await harness.newContext(phone);
    const page = await context.newPage();
    await harness.login(page);
    await page.goto(`${harness.base}/laporan`);
    await show(page);
    await assertFits(page, 'laporan-phone');
    await axe(page, 'laporan (phone)');
    await shot(page, 'laporan-phone');
    await context.close();
  });
});

describe('Pengguna', { timeout: 120000 }, () => {
  let context;
  let page;
  before(async () => {
    context = await harness.newContext(desktop);
    page = await context.newPage();
    await harness.login(page);
  });
  after(async () => context?.close());

  /// Signs in as `username` in a fresh context: the alert text, or '' when it worked.
  async function tryLogin(username, password) {
    const other = await harness.newContext(desktop);
    const p = await other.newPage();
    await p.goto(`${harness.base}/masuk`);
    await p.getByLabel('Nama pengguna', { exact: true }).fill(username);
    await p.getByLabel('Kata sandi', { exact: true }).fill(password);
    await p.keyboard.press('Enter');
    await Promise.race([
      p.waitForURL(/\/peta$/),
      p.locator('#login-alert', { hasText: /\S/ }).waitFor(),
    ]);
    const text = p.url().endsWith('/peta') ? '' : await p.locator('#login-alert').innerText();
    await other.close();
    return text;
  }

  it('adds an operator (password shown once), disables, enables and resets it', async () => {
    await page
      .getByRole('navigation', { name: 'Menu utama' })
      .getByRole('link', { name: 'Pengguna' })
      .click();
    await page.waitForURL(/\/pengguna$/);
    await page.locator('#users-table tr[data-username="admin"]').waitFor();
    assert.match(await page.locator('tr[data-username="admin"] th').innerText(), /admin \(Anda\)/);
    assert.equal(
      await page.getByRole('button', { name: 'Nonaktifkan admin' }).count(),
      0,
      'no one disables themselves',
    );
    await axe(page, 'pengguna');

    // An operator without an area: the API's error at the areas.
    await page.getByLabel('Nama pengguna', { exact: true }).fill('operator.baru');
    await page.getByLabel('Nama lengkap').fill('Operator Baru');
    await page.getByLabel('Peran').selectOption('operator');
    await page.getByRole('button', { name: 'Tambah pengguna' }).click();
    await page.locator('#new-area_codes-error', { hasText: /\S/ }).waitFor();
    assert.equal(await page.locator('#new-area_codes').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Kecamatan Bontang Utara').check();
    await page.getByRole('button', { name: 'Tambah pengguna' }).click();
    await page.getByRole('heading', { name: 'Kata sandi baru untuk operator.baru' }).waitFor();
    const first = await page.locator('#new-password').innerText();
    assert.ok(first.length >= 16, first);
    const row = page.locator('tr[data-username="operator.baru"]');
    await row.waitFor();
    assert.match(await row.innerText(), /Bontang Utara/);
    await shot(page, 'pengguna-desktop');
    assert.equal(await tryLogin('operator.baru', first), '');

    await page.getByRole('button', { name: 'Nonaktifkan operator.baru' }).click();
    await page.locator('#users-status', { hasText: 'operator.baru dinonaktifkan' }).waitFor();
    await row.locator('td', { hasText: 'Nonaktif' }).waitFor();
    harness.expectRefusal = true;
    assert.equal(
      await tryLogin('operator.baru', first),
      'Akun ini dinonaktifkan. Hubungi admin Dinas Sosial.',
    );
    harness.expectRefusal = false;
    await page.getByRole('button', { name: 'Aktifkan operator.baru' }).click();
    await row.locator('td', { hasText: /^Aktif$/ }).waitFor();
    assert.equal(await tryLogin('operator.baru', first), '');

    await page.getByRole('button', { name: 'Atur ulang kata sandi operator.baru' }).click();
    await page.getByRole('button', { name: 'Ya, atur ulang' }).click();
    await page.getByRole('heading', { name: 'Kata sandi baru untuk operator.baru' }).waitFor();
    await page.waitForFunction(
      (old) => document.getElementById('new-password')?.textContent !== old,
      first,
    );
    const second = await page.locator('#new-password').innerText();
    harness.expectRefusal = true;
    assert.notEqual(await tryLogin('operator.baru', first), '', 'the old password is gone');
    harness.expectRefusal = false;
    assert.equal(await tryLogin('operator.baru', second), '');
    await axe(page, 'pengguna (after changes)');
  });

  it('is for admins only: an operator is told so', async () => {
    const other = await harness.newContext(desktop);
    const p = await other.newPage();
    await harness.login(p, 'operator.utara');
    assert.equal(await p.getByRole('link', { name: 'Pengguna' }).count(), 0);
    await p.goto(`${harness.base}/pengguna`);
    await p.locator('h1', { hasText: 'Halaman ini bukan untuk peran Anda' }).waitFor();
    await other.close();
  });

  it('fits a 360 px phone and passes axe', async () => {
    const other = await harness.newContext(phone);
    const p = await other.newPage();
    await harness.login(p);
    await p.goto(`${harness.base}/pengguna`);
    await p.locator('#users-table tr[data-username="admin"]').waitFor();
    await assertFits(p, 'pengguna-phone');
    await axe(p, 'pengguna (phone)');
    await shot(p, 'pengguna-phone');
    await other.close();
  });
});

describe('the whole run', () => {
  it('loads nothing from the internet but tiles, and logs no console errors', () => {
    assert.deepEqual(harness.foreignRequests, []);
    assert.deepEqual(harness.consoleErrors, []);
  });
});
