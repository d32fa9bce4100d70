// Browser test of opening services by card, offline too (docs/web.md "Layanan (pindai kartu)"):
// an operator's phone signed in online once keeps the service catalogue, the card keys and the
// persons; on Layanan (pindai kartu) a card's QR pasted as text opens a request online (with an
// Idempotency-Key), and with the network cut the card is checked on the phone, the request
// queued and a revoked card refused with the reason; the Detail page's Layanan panel opens a
// request offline from the kept catalogue; back online, the server has each request once, with
// the card number. A request whose answer is lost on the way back is queued under the same key
// and opened once. A `kapal serve` on demo data of its own.
//
//   KAPAL_BIN=build/kapal node --test tests/browser/services_scan.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { go, networkSwitch, pendingText, synced, tamper } from './field.mjs';
import { apiCall, assertFits, axe, desktop, Harness, phone, shot } from './harness.mjs';

const harness = new Harness({ persons: 150 });
const { goOffline, goOnline, anyOffline } = networkSwitch(harness);

before(async () => harness.start(), { timeout: 60000 });
after(async () => harness.stop('server-services-scan.log'));

const operator = 'operator.utara';
/// The person's service requests as the server has them.
async function requestsOf(page, personId) {
  const r = await apiCall(page, 'GET', `/api/v1/persons/${personId}/service-requests`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items;
}

describe('Layanan (pindai kartu)', { timeout: 280000 }, () => {
  let adminContext;
  let admin;
  let opContext;
  let op;
  /// Three active persons of the operator's areas with a new card each; the third's is revoked.
  let holders;
  let cards;
  let catalogue;

  before(async () => {
    adminContext = await harness.newContext(desktop);
    admin = await adminContext.newPage();
    await harness.login(admin);
    // The operator's areas: the persons the operator may read.
    const probeContext = await harness.newContext(desktop);
    const probe = await probeContext.newPage();
    await harness.login(probe, operator);
    const mine = (await apiCall(probe, 'GET', '/api/v1/persons?status=aktif&limit=200')).body.items;
    await probeContext.close();
    holders = [];
    cards = [];
    for (const p of mine) {
      const existing = await apiCall(admin, 'GET', `/api/v1/persons/${p.id}/cards`);
      if (existing.body.items.length > 0) {
        continue;
      }
      const issued = await apiCall(admin, 'POST', `/api/v1/persons/${p.id}/cards`);
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      holders.push(p);
      cards.push(issued.body);
      if (holders.length === 3) {
        break;
      }
    }
    assert.equal(holders.length, 3, 'three persons of the operator’s areas without a card');
    const revoked = await apiCall(admin, 'POST', `/api/v1/cards/${cards[2].number}/revoke`, {
      reason: 'hilang',
    });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    // A retired service is never offered.
    const retired = await apiCall(admin, 'PUT', '/api/v1/services/reunifikasi', {
      name: 'Reunifikasi keluarga',
      name_en: 'Family reunification',
      description: '',
      active: false,
      position: 11,
    });
    assert.equal(retired.status, 200, JSON.stringify(retired.body));
    catalogue = (await apiCall(admin, 'GET', '/api/v1/services')).body.items;
  });
  after(async () => {
    await opContext?.close();
    await adminContext?.close();
  });

  it('opens a service by the card online with an Idempotency-Key, and offline from the device: queued, a revoked card refused, sent once', async () => {
    const [holder] = holders;
    opContext = await harness.newContext(phone);
    op = await opContext.newPage();
    await op.goto(`${harness.base}/masuk`);
    await op.getByLabel('Nama pengguna', { exact: true }).fill(operator);
    await op.getByLabel('Kata sandi', { exact: true }).fill(harness.passwords[operator]);
    await op.getByRole('button', { name: 'Masuk', exact: true }).click();
    await op.waitForURL(/\/peta$/);
    // The first sync keeps the persons, the catalogue and the card keys with their revocations.
    await synced(op);
    await op.waitForFunction(
      () =>
        localStorage.getItem('kapal.verify.keys') !== null &&
        localStorage.getItem('kapal.verify.revocations') !== null,
      null,
      { timeout: 30000 },
    );
    await op.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
      timeout: 30000,
    });

    // Online: the card's QR pasted, checked, the request sent with a key made on the device.
    assert.equal(await op.locator('.app-nav a[href="/layanan"]').count(), 1);
    await go(op, '/layanan');
    await op.getByRole('heading', { name: 'Layanan (pindai kartu)' }).waitFor();
    await op.getByLabel('Teks kode QR kartu').fill(cards[0].qr);
    await op.getByRole('button', { name: 'Periksa kartu' }).click();
    await op.locator('#svcscan-card-state', { hasText: 'Kartu sah' }).waitFor();
    assert.equal(await op.locator('#svcscan-name').innerText(), holder.full_name);
    assert.equal(await op.locator('#svcscan-number').innerText(), cards[0].number_formatted);
    // The person is on the device: the details and a link to the record.
    assert.equal(await op.locator('#svcscan-person').getAttribute('href'), `/orang/${holder.id}`);
    // The active services in position order, Indonesian names; the retired one left out.
    const offered = catalogue
      .filter((s) => s.active)
      .sort((a, b) => a.position - b.position)
      .map((s) => s.name);
    const options = await op.locator('#svcscan-service option').allInnerTexts();
    assert.deepEqual(options.slice(1), offered);
    assert.ok(!options.includes('Reunifikasi keluarga'));
    await axe(op, 'Layanan (pindai kartu) online');
    const sent = op.waitForRequest(
      (r) => r.method() === 'POST' && r.url().endsWith('/api/v1/service-requests/scan'),
    );
    await op.getByLabel('Layanan', { exact: true }).selectOption('sandang');
    await op.getByRole('button', { name: 'Ajukan layanan' }).click();
    const key = (await sent).headers()['idempotency-key'] ?? '';
    assert.match(key, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await op.locator('#svcscan-done', { hasText: /sudah diajukan/ }).waitFor();

    // The network is cut.
    await goOffline(opContext);
    await op
      .getByRole('status')
      .filter({ hasText: /^Luring/ })
      .waitFor();
    await op.getByRole('button', { name: 'Kartu berikutnya' }).click();
    await go(op, '/sinkron');
    await go(op, '/layanan');
    await op.locator('#svcscan-source', { hasText: /daftar layanan dari perangkat ini/ }).waitFor();
    // By keyboard: Enter in the QR field checks the card (as a scanner typing it would); the
    // focus then goes to the service.
    await op.getByLabel('Teks kode QR kartu').fill(cards[0].qr);
    await op.getByLabel('Teks kode QR kartu').press('Enter');
    await op.locator('#svcscan-card-state', { hasText: 'Kartu sah' }).waitFor();
    assert.equal(await op.locator('#svcscan-name').innerText(), holder.full_name);
    await op.waitForFunction(() => document.activeElement?.id === 'svcscan-service');
    await shot(op, 'services-scan-checked-offline-phone');
    assert.deepEqual(
      (await op.locator('#svcscan-service option').allInnerTexts()).slice(1),
      offered,
    );
    await op.getByLabel('Layanan', { exact: true }).selectOption('pangan');
    await op.getByLabel('Catatan', { exact: true }).fill('Beras untuk keluarga');
    await op.getByRole('button', { name: 'Ajukan layanan' }).click();
    await op
      .locator('#svcscan-done', { hasText: /Disimpan di perangkat; dikirim saat daring/ })
      .waitFor();
    assert.equal(await pendingText(op), '1 perubahan menunggu dikirim');
    await assertFits(op, 'Layanan (pindai kartu) offline');
    await axe(op, 'Layanan (pindai kartu) offline');
    await shot(op, 'services-scan-offline-phone');

    // A revoked card is refused on the phone, with the reason; nothing to send.
    await op.getByRole('button', { name: 'Kartu berikutnya' }).click();
    await op.getByLabel('Teks kode QR kartu').fill(cards[2].qr);
    await op.getByRole('button', { name: 'Periksa kartu' }).click();
    await op.locator('#svcscan-alert', { hasText: /Kartu ditolak: Kartu dicabut/ }).waitFor();
    assert.match(await op.locator('#svcscan-alert').innerText(), /alasan: Hilang/);
    assert.match(await op.locator('#svcscan-card-state').innerText(), /⊘ Kartu dicabut/);
    assert.equal(await op.locator('#svcscan-name').innerText(), holders[2].full_name);
    assert.equal(await op.getByRole('button', { name: 'Ajukan layanan' }).count(), 0);
    await axe(op, 'Layanan (pindai kartu), revoked card');
    // A forged card, text that is no card, and an empty field are said to be so.
    await op.getByLabel('Teks kode QR kartu').fill(tamper(cards[1].qr, holders[1].full_name));
    await op.getByRole('button', { name: 'Periksa kartu' }).click();
    await op
      .locator('#svcscan-alert', { hasText: /Kartu ditolak: Tanda tangan tidak sah/ })
      .waitFor();
    assert.match(await op.locator('#svcscan-alert').innerText(), /dipalsukan atau diubah/);
    assert.equal(await op.getByRole('button', { name: 'Ajukan layanan' }).count(), 0);
    await op.getByLabel('Teks kode QR kartu').fill('HELLO');
    await op.getByRole('button', { name: 'Periksa kartu' }).click();
    await op.locator('#svcscan-alert', { hasText: /Bukan kode QR kartu/ }).waitFor();
    await op.getByLabel('Teks kode QR kartu').fill('');
    await op.getByRole('button', { name: 'Periksa kartu' }).click();
    await op.getByText('Pindai kartu atau tempel teks kode QR dahulu.').waitFor();
    assert.equal(await op.getByLabel('Teks kode QR kartu').getAttribute('aria-invalid'), 'true');

    // The Detail page's Layanan panel offline: the person from the device, the kept catalogue.
    await go(op, `/orang/${holders[1].id}`);
    await op.locator('#person-local').waitFor();
    const layanan = op.locator('#layanan');
    await layanan.locator('#svc-offline').waitFor();
    const panelOptions = await layanan.getByLabel('Layanan').locator('option').allInnerTexts();
    assert.deepEqual(panelOptions.slice(1), offered);
    await layanan.getByLabel('Layanan').selectOption('alat_bantu');
    await layanan.getByLabel('Catatan', { exact: true }).fill('Kursi roda rusak');
    await layanan.getByRole('button', { name: 'Ajukan' }).click();
    await layanan
      .getByRole('status')
      .filter({ hasText: /Disimpan di perangkat; dikirim saat daring/ })
      .waitFor();
    assert.equal(await pendingText(op), '2 perubahan menunggu dikirim');
    await assertFits(op, 'Detail offline with Layanan');
    await axe(op, 'Detail offline with Layanan');

    // Back online: both are sent by themselves, and each is opened once.
    await goOnline(opContext);
    await synced(op);
    assert.equal(await op.locator('#sync-rejected').count(), 0);
    const first = await requestsOf(admin, holder.id);
    assert.deepEqual(
      first.map((r) => [r.service, r.card_number, r.status]).sort(),
      [
        ['pangan', cards[0].number, 'diajukan'],
        ['sandang', cards[0].number, 'diajukan'],
      ],
      JSON.stringify(first),
    );
    assert.equal(first.find((r) => r.service === 'pangan').note, 'Beras untuk keluarga');
    const second = await requestsOf(admin, holders[1].id);
    assert.deepEqual(
      second.map((r) => [r.service, r.card_number, r.note]),
      [['alat_bantu', null, 'Kursi roda rusak']],
    );
    assert.equal((await requestsOf(admin, holders[2].id)).length, 0);

    // In English the page and the services are named in English (the catalogue's English names).
    await op.getByRole('button', { name: 'Switch to English' }).click();
    await go(op, '/layanan');
    await op.getByRole('heading', { name: 'Services (scan card)' }).waitFor();
    await op.getByLabel('Card QR code text').fill(cards[0].qr);
    await op.getByRole('button', { name: 'Check card' }).click();
    await op.locator('#svcscan-card-state', { hasText: 'Valid card' }).waitFor();
    const english = catalogue
      .filter((s) => s.active)
      .sort((a, b) => a.position - b.position)
      .map((s) => s.name_en || s.name);
    assert.notDeepEqual(english, offered);
    assert.deepEqual(
      (await op.locator('#svcscan-service option').allInnerTexts()).slice(1),
      english,
    );
    await assertFits(op, 'Services (scan card) in English');
    await op.getByRole('button', { name: 'Ganti ke Bahasa Indonesia' }).click();
    await op.getByRole('heading', { name: 'Layanan (pindai kartu)' }).waitFor();
    assert.deepEqual(harness.consoleErrors, []);
    assert.deepEqual(harness.foreignRequests, []);
  });

  it('opens once a request whose answer was lost: queued under the key the server saw', async () => {
    /// Lets the POST reach the server (which opens the request) and loses its answer; records
    /// the Idempotency-Key it carried.
    const keys = [];
    const lose = async (route) => {
      if (route.request().method() !== 'POST') {
        return route.fallback();
      }
      keys.push(route.request().headers()['idempotency-key']);
      const response = await route.fetch();
      assert.equal(response.status(), 201);
      await route.abort('internetdisconnected');
    };
    /// The ops of the next batch (the device sends a queued change at once: it is online).
    const nextBatch = () =>
      op
        .waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/sync/batch'))
        .then((r) => JSON.parse(r.postData()).ops);
    harness.expectOffline = true;

    // By card, on Layanan (pindai kartu).
    await go(op, '/layanan');
    await op.getByLabel('Teks kode QR kartu').fill(cards[1].qr);
    await op.getByRole('button', { name: 'Periksa kartu' }).click();
    await op.locator('#svcscan-card-state', { hasText: 'Kartu sah' }).waitFor();
    await opContext.route('**/api/v1/service-requests/scan', lose);
    await op.getByLabel('Layanan', { exact: true }).selectOption('kedaruratan');
    const scanBatch = nextBatch();
    await op.getByRole('button', { name: 'Ajukan layanan' }).click();
    await op
      .locator('#svcscan-done', { hasText: /Disimpan di perangkat; dikirim saat daring/ })
      .waitFor();
    await opContext.unroute('**/api/v1/service-requests/scan', lose);
    assert.equal(keys.length, 1);
    assert.deepEqual(
      (await scanBatch).map((o) => [o.key, o.type, o.service]),
      [[keys[0], 'service.request', { service: 'kedaruratan', note: '', qr: cards[1].qr }]],
    );

    // By person, on the Detail page's Layanan panel.
    await go(op, `/orang/${holders[0].id}`);
    const layanan = op.locator('#layanan');
    await layanan.getByLabel('Layanan').waitFor();
    await opContext.route('**/api/v1/persons/*/service-requests', lose);
    await layanan.getByLabel('Layanan').selectOption('rujukan');
    await layanan.getByLabel('Catatan', { exact: true }).fill('Ke RSUD');
    const personBatch = nextBatch();
    await layanan.getByRole('button', { name: 'Ajukan' }).click();
    await layanan
      .getByRole('status')
      .filter({ hasText: /Disimpan di perangkat; dikirim saat daring/ })
      .waitFor();
    await opContext.unroute('**/api/v1/persons/*/service-requests', lose);
    assert.equal(keys.length, 2);
    assert.deepEqual(
      (await personBatch).map((o) => [o.key, o.type, o.service]),
      [
        [
          keys[1],
          'service.request',
          { service: 'rujukan', note: 'Ke RSUD', person_id: holders[0].id },
        ],
      ],
    );
    harness.expectOffline = anyOffline();

    // The server opened each once: the op's key is the request's idempotency key.
    await synced(op);
    assert.equal(await op.locator('#sync-rejected').count(), 0);
    const byCard = (await requestsOf(admin, holders[1].id)).filter(
      (r) => r.service === 'kedaruratan',
    );
    assert.equal(byCard.length, 1, JSON.stringify(byCard));
    assert.equal(byCard[0].card_number, cards[1].number);
    const referred = (await requestsOf(admin, holders[0].id)).filter(
      (r) => r.service === 'rujukan',
    );
    assert.equal(referred.length, 1, JSON.stringify(referred));
    assert.deepEqual(harness.consoleErrors, []);
  });
});
