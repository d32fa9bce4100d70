// Browser test of the Transfer bank section of the Tahap page (issue 8, item 4 "Transfer"): a
// transfer programme's approved list; the admin makes a batch (lines, total, who was left out
// and why), downloads its CSV (totals and checksum line checked here), uploads the bank's result
// (one paid, one failed, an unknown reference and a malformed row) and sees the reconciliation;
// the same file again says nothing changed; a second batch holds exactly the failed one.
//
//   KAPAL_BIN=build/kapal node --test tests/browser/aid_transfer.test.mjs
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { apiCall, axe, desktop, Harness, shot } from './harness.mjs';

const harness = new Harness({
  persons: 40,
  users: [{ username: 'admin2', name: 'Kepala Dinas', role: 'admin' }],
});

before(async () => harness.start(), { timeout: 60000 });
after(async () => harness.stop('server-aid-transfer.log'));

function day(offset) {
  return new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
}

describe('Transfer bank on the Tahap page', { timeout: 280000 }, () => {
  let context;
  let admin;
  let cycleId;

  before(async () => {
    context = await harness.newContext(desktop, { acceptDownloads: true });
    admin = await context.newPage();
    await harness.login(admin);
    // A transfer programme with cycle 1; its list made and proposed by the admin, approved by
    // the second admin.
    const made = await apiCall(admin, 'POST', '/api/v1/aid/programs', {
      code: 'tunai_2026',
      name: 'Bantuan Tunai 2026',
      source: 'APBD',
      kind: 'tunai',
      channel: 'transfer',
      unit_value: 300000,
      rule: 'true',
    });
    assert.equal(made.status, 201);
    const cycle = await apiCall(admin, 'POST', '/api/v1/aid/programs/tunai_2026/cycles', {
      number: 1,
      name: 'Tahap 1',
      starts_on: day(-1),
      ends_on: day(30),
    });
    assert.equal(cycle.status, 201);
    cycleId = cycle.body.id;
    for (const action of ['generate', 'propose']) {
      const current = await apiCall(admin, 'GET', `/api/v1/aid/cycles/${cycleId}`);
      const r = await apiCall(
        admin,
        'POST',
        `/api/v1/aid/cycles/${cycleId}/list/${action}`,
        undefined,
        {
          'If-Match': current.etag,
        },
      );
      assert.equal(r.status, 200, action);
    }
    const context2 = await harness.newContext(desktop);
    const admin2 = await context2.newPage();
    await harness.login(admin2, 'admin2');
    const current = await apiCall(admin2, 'GET', `/api/v1/aid/cycles/${cycleId}`);
    const approved = await apiCall(
      admin2,
      'POST',
      `/api/v1/aid/cycles/${cycleId}/list/approve`,
      undefined,
      {
        'If-Match': current.etag,
      },
    );
    assert.equal(approved.status, 200);
    await context2.close();
  });
  after(async () => context?.close());

  it('makes a batch, downloads its file, reconciles the result, and re-issues the failed', async () => {
    await admin.goto(`${harness.base}/bantuan/tahap/${cycleId}`);
    await admin.getByRole('heading', { name: 'Transfer bank' }).waitFor();
    await admin.getByRole('button', { name: 'Buat batch' }).click();
    await admin.locator('#transfer-table tbody tr').first().waitFor();
    const batches = (await apiCall(admin, 'GET', `/api/v1/aid/cycles/${cycleId}/batches`)).body
      .items;
    assert.equal(batches.length, 1);
    const batch = batches[0];
    assert.ok(batch.line_count > 1, 'demo persons with an account get a line');
    assert.match(
      await admin.locator('#transfer-status').innerText(),
      new RegExp(`Batch 1 dibuat: ${batch.line_count} baris`),
    );
    const cycle = (await apiCall(admin, 'GET', `/api/v1/aid/cycles/${cycleId}`)).body;
    const leftOut = cycle.list_size - batch.line_count;
    if (leftOut > 0) {
      assert.equal(await admin.locator('#transfer-left-out li').count(), leftOut);
      assert.match(await admin.locator('#transfer-left-out').innerText(), /tidak punya rekening/);
    }
    await axe(admin, 'tahap with a transfer batch');
    await shot(admin, 'aid-transfer-batch');

    // The CSV: header, one line per beneficiary, the totals and the checksum of what precedes.
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('button', { name: 'Unduh CSV batch 1' }).click(),
    ]);
    const bytes = fs.readFileSync(await download.path(), 'utf8');
    const lines = bytes.split('\r\n').filter((l) => l !== '');
    assert.equal(lines.length, batch.line_count + 3);
    const at = bytes.lastIndexOf('SHA256,');
    const sha = createHash('sha256').update(bytes.slice(0, at)).digest('hex');
    assert.equal(lines[lines.length - 1], `SHA256,${sha}`);
    assert.equal(lines[lines.length - 2], `TOTAL,${batch.line_count},${batch.total_amount}`);
    const rows = lines.slice(1, -2).map((l) => l.split(','));
    await admin.getByText(/diunduh \(SHA-256/).waitFor();

    // The bank's answer: the first paid, the second failed, an unknown reference, a bad status.
    const result = [
      'delivery_id,status,reason,bank_reference,paid_at',
      `${rows[0][2]},paid,,BPD-1,2026-11-28T03:00:00Z`,
      `${rows[1][2]},failed,rekening ditutup,BPD-2,`,
      '01900000-0000-7000-8000-0000000000ff,paid,,BPD-3,2026-11-28T03:00:00Z',
      `${rows[1][2]}x,lunas,,,`,
    ].join('\r\n');
    const file = { name: 'hasil-bank.csv', mimeType: 'text/csv', buffer: Buffer.from(result) };
    const row = admin.locator('#transfer-table tbody tr').first();
    await row.locator('.transfer-file').setInputFiles(file);
    await row.getByRole('button', { name: 'Unggah hasil' }).click();
    await admin.locator('#transfer-summary').waitFor();
    assert.match(
      await admin.locator('#transfer-summary').innerText(),
      /1 dibayar, 1 gagal, 0 sudah tercatat, 1 tidak cocok, 1 salah/,
    );
    assert.equal(await admin.locator('#transfer-problems tbody tr').count(), 2);
    assert.match(await admin.locator('#transfer-problems').innerText(), /status/);
    assert.match(await admin.locator('#transfer-failed').innerText(), /rekening ditutup/);
    await axe(admin, 'tahap with a reconciliation');
    await shot(admin, 'aid-transfer-reconciled');

    // The same file again: nothing changed, and the page says so.
    const again = admin.locator('#transfer-table tbody tr').first();
    await again.locator('.transfer-file').setInputFiles(file);
    await again.getByRole('button', { name: 'Unggah hasil' }).click();
    await admin.locator('#transfer-again').waitFor();
    assert.match(
      await admin.locator('#transfer-summary').innerText(),
      /0 dibayar, 0 gagal, 2 sudah/,
    );

    // A second batch holds exactly the failed beneficiary.
    await admin.getByRole('button', { name: 'Buat batch' }).click();
    await admin.getByText(/Batch 2 dibuat: 1 baris/).waitFor();
    const second = (await apiCall(admin, 'GET', `/api/v1/aid/cycles/${cycleId}/batches`)).body
      .items[1];
    const detail = (await apiCall(admin, 'GET', `/api/v1/aid/batches/${second.id}`)).body;
    assert.equal(detail.lines.length, 1);
    assert.equal(detail.lines[0].person_id, rows[1][3]);
  });
});
