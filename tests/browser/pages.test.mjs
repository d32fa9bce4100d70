// Browser tests of the pages that write (issue 6, second part): Tambah/Ubah with its
// never-lose-input draft and the edit conflict. A `kapal serve` on demo data of its own
// (harness.mjs); screenshots and the server log go to $KAPAL_BROWSER_ARTIFACTS.
//
//   KAPAL_BIN=build/kapal node --test tests/browser/pages.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { apiCall, assertFits, axe, desktop, Harness, phone, shot } from './harness.mjs';

const harness = new Harness({ persons: 300 });
// Where the "device" is when the form asks for GPS: a few metres from where the test taps the
// map (the middle of the form's first view of Bontang), so in the same kelurahan.
const gpsFix = { latitude: 0.13345, longitude: 117.48345, accuracy: 8 };
// A NIK of Bontang Utara (64.74.01) for a woman born 17 May 1990 (day + 40).
const nik = '6474015705900007';
const name = 'Rahmawati Uji Peramban';

describe('Tambah/Ubah', { timeout: 240000 }, () => {
  let context;
  let page;
  let personId;

  before(async () => {
    await harness.start();
    context = await harness.newContext(desktop, {
      geolocation: gpsFix,
      permissions: ['geolocation'],
    });
    page = await context.newPage();
    await harness.login(page);
  });

  after(async () => {
    await context?.close();
    await harness.stop('server-pages.log');
  });

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
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    await page.waitForURL(/\/orang\/[0-9a-f-]+$/);
    personId = page.url().split('/').pop();
    await page.locator('h1', { hasText: name }).waitFor();
    const saved = await apiCall(page, 'GET', `/api/v1/persons/${personId}`);
    assert.equal(saved.body.home.source, 'map');
    assert.ok(Math.abs(saved.body.home.lat - lat) < 1e-6);
    assert.match(saved.body.address.kelurahan_code, /^64\.74\.\d\d\.\d{4}$/, 'from the location');
    assert.deepEqual(saved.body.assistive_devices, ['kursi_roda']);
    // Saved: the draft is gone.
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
    await page.locator('#f-needs_note').fill('Butuh ramp di depan rumah');
    await page.reload();
    await page.locator('.notice', { hasText: 'dipulihkan' }).waitFor();
    assert.equal(await page.locator('#f-needs_note').inputValue(), 'Butuh ramp di depan rumah');
    // The connection drops while saving: nothing is lost, the user is told.
    harness.expectOffline = true;
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    await page.locator('#form-alert', { hasText: 'server tidak dapat dihubungi' }).waitFor();
    await context.setOffline(false);
    harness.expectOffline = false;
    await page.reload();
    await page.locator('.notice', { hasText: 'dipulihkan' }).waitFor();
    assert.equal(await page.locator('#f-needs_note').inputValue(), 'Butuh ramp di depan rumah');
    await page.getByRole('button', { name: 'Simpan', exact: true }).click();
    await page.waitForURL(new RegExp(`/orang/${personId}$`));
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

  it('loads nothing from the internet but tiles, and logs no console errors', () => {
    assert.deepEqual(harness.foreignRequests, []);
    assert.deepEqual(harness.consoleErrors, []);
  });
});
