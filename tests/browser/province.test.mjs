// Browser test of the Provinsi page (docs/province.md): a province instance (harness.mjs with
// `kapal init --province`) that imported the packages of two real city instances, each with its
// own keys, one person registered in both.
//
//   KAPAL_BIN=build/kapal node --test tests/browser/province.test.mjs
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { axe, desktop, Harness, kapal, shot } from './harness.mjs';

const year = String(new Date().getUTCFullYear());
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kapal-province-'));
const header = 'NIK,Nama Lengkap,Jenis Kelamin,Tanggal Lahir,Kelurahan,Ragam\n';
const cities = [
  {
    kota: '64.74',
    csv:
      header +
      '6474011503850001,Ahmad Bontang,L,15/03/1985,Lok Tuan,fisik\n' +
      '6474014703850002,Siti Bontang,P,07/03/1985,Lok Tuan,netra\n',
  },
  {
    kota: '64.72',
    csv: header + '6474011503850001,Ahmad Samarinda,L,15/03/1985,Api Api,fisik\n',
  },
];

function k(args) {
  return execFileSync(kapal, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/// Two cities join the province, send their package of this year; the province imports both.
function prepare(prov) {
  for (const city of cities) {
    const dir = path.join(work, city.kota);
    k(['init', '--data', dir]);
    fs.writeFileSync(path.join(work, 'in.csv'), city.csv);
    k(['import', 'persons', path.join(work, 'in.csv'), '--data', dir]);
    const key = path.join(work, `${city.kota}.key`);
    k(['province', 'issue-key', '--data', prov, '--kota', city.kota, '--out', key]);
    const joined = k(['province', 'join', '--data', dir, '--key', key]).trim().split('\n');
    k(['province', 'enrol', '--data', prov, '--kota', city.kota, '--public-key', joined.at(-1)]);
    const pkg = path.join(work, `${city.kota}.json`);
    k(['province', 'package', '--data', dir, '--period', year, '--out', pkg]);
    k(['province', 'import', '--data', prov, pkg]);
  }
}

const harness = new Harness({ persons: 20, init: ['--province'], prepare });

before(async () => harness.start(), { timeout: 120000 });
after(async () => {
  await harness.stop('server-province.log');
  fs.rmSync(work, { recursive: true, force: true });
});

describe('Provinsi', { timeout: 120000 }, () => {
  it('shows the ten kab/kota side by side, small figures hidden, and the shared person', async () => {
    const context = await harness.newContext(desktop);
    const page = await context.newPage();
    await harness.login(page);
    await page.goto(`${harness.base}/provinsi`);
    await page.locator('#prov-table').waitFor();
    assert.equal(
      await page.getByRole('heading', { level: 1 }).innerText(),
      'Provinsi Kalimantan Timur',
    );
    assert.equal(await page.locator('#prov-table tbody tr').count(), 10);
    const bontang = page.locator('#prov-table tr[data-kota="64.74"]');
    assert.match(await bontang.innerText(), /Kota Bontang/);
    // Two persons: suppressed, shown as <5 and never as 0.
    assert.equal(await bontang.locator('td').first().innerText(), '<5');
    assert.match(
      await page.locator('#prov-table tr[data-kota="64.01"]').innerText(),
      /belum bergabung/,
    );
    assert.equal(await page.locator('#prov-period').inputValue(), year);
    assert.equal(await page.locator('#prov-map circle').count(), 10);
    assert.match(
      await page.locator('#prov-cross').innerText(),
      /1 orang terdaftar di lebih dari satu[\s\S]*64\.72 \+ 64\.74: 1 orang/,
    );
    assert.doesNotMatch(await page.content(), /6474011503850001|Ahmad/);
    await axe(page, 'provinsi');
    await shot(page, 'provinsi');
    await context.close();
  });
});
