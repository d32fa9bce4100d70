import { describe, expect, it } from 'vitest';

import {
  deliveredShare,
  fitProjection,
  flagInfo,
  flagLabel,
  formatRupiah,
  handoverRefusals,
  HandoverDrafts,
  identify,
  listActions,
  outerRings,
  parseRupiah,
  quotasFrom,
  shareClass,
  stepper,
  type KeyValue,
} from './aid';
import { en } from './strings/en';
import { id, type StringKey } from './strings/id';

class MemoryStorage implements KeyValue {
  readonly map = new Map<string, string>();
  full = false;
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.full && value.length > 200) {
      throw new Error('QuotaExceededError');
    }
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

function keys(): () => string {
  let n = 0;
  return () => `key-${++n}`;
}

describe('flag labels', () => {
  it('gives every flag of the API an icon and words in both languages', () => {
    for (const code of [
      'aid.shared_account',
      'aid.person_inactive',
      'aid.excluded_program',
      'aid.quota_exceeded',
      'aid.far_from_home',
    ]) {
      const f = flagLabel(code);
      expect(f.icon).not.toBe('');
      expect(f.key).not.toBeNull();
      expect(id[f.key as StringKey]).toBeTruthy();
      expect(en[f.key as StringKey]).toBeTruthy();
    }
    const icons = Object.values(flagInfo).map((f) => f.icon);
    expect(new Set(icons).size).toBe(icons.length);
  });
  it('keeps an unknown code as its own words', () => {
    expect(flagLabel('aid.new_flag')).toEqual({ icon: '⚠', key: null, code: 'aid.new_flag' });
  });
  it('has words for every handover refusal', () => {
    for (const key of Object.values(handoverRefusals)) {
      expect(id[key as StringKey], key).toBeTruthy();
      expect(en[key as StringKey], key).toBeTruthy();
    }
  });
});

describe('rupiah', () => {
  it('formats whole rupiah with dots', () => {
    expect(formatRupiah(0)).toBe('Rp 0');
    expect(formatRupiah(950)).toBe('Rp 950');
    expect(formatRupiah(150000)).toBe('Rp 150.000');
    expect(formatRupiah(1234567890)).toBe('Rp 1.234.567.890');
    expect(formatRupiah(-25000)).toBe('-Rp 25.000');
  });
  it('reads what users type', () => {
    expect(parseRupiah('150.000')).toBe(150000);
    expect(parseRupiah('Rp 150.000')).toBe(150000);
    expect(parseRupiah('rp.150,000')).toBe(150000);
    expect(parseRupiah(' 75000 ')).toBe(75000);
    expect(parseRupiah('')).toBeNull();
    expect(parseRupiah('12,5x')).toBeNull();
    expect(parseRupiah('-5')).toBeNull();
  });
});

describe('the list stepper and actions', () => {
  it('marks the steps before the state done', () => {
    expect(stepper('draft').map((s) => s.status)).toEqual(['current', 'todo', 'todo']);
    expect(stepper('proposed').map((s) => s.status)).toEqual(['done', 'current', 'todo']);
    expect(stepper('approved').map((s) => s.status)).toEqual(['done', 'done', 'done']);
  });
  it('offers the buttons the role and state allow', () => {
    expect(listActions('operator', 'draft')).toEqual({
      generate: true,
      edit: true,
      propose: true,
      approve: false,
      return: false,
    });
    expect(listActions('operator', 'proposed').approve).toBe(false);
    expect(listActions('admin', 'proposed', 'u1', 'u2')).toMatchObject({
      approve: true,
      return: true,
      generate: false,
    });
    expect(listActions('admin', 'proposed', 'u1', 'u1').approve).toBe(false);
    expect(Object.values(listActions('viewer', 'draft')).some(Boolean)).toBe(false);
    expect(Object.values(listActions('admin', 'approved')).some(Boolean)).toBe(false);
  });
});

describe('realisation and quotas', () => {
  it('computes the share delivered and its class', () => {
    expect(deliveredShare(0, 0)).toBe(0);
    expect(deliveredShare(1, 3)).toBe(33);
    expect(deliveredShare(3, 3)).toBe(100);
    expect([0, 1, 24, 25, 50, 74, 75, 100].map(shareClass)).toEqual([0, 1, 1, 2, 3, 3, 4, 4]);
  });
  it('reads quotas, skipping empty inputs and naming the first bad one', () => {
    expect(quotasFrom({ a: '', b: ' 12 ', c: '0' })).toEqual({
      quotas: [
        { area_code: 'b', max: 12 },
        { area_code: 'c', max: 0 },
      ],
    });
    expect(quotasFrom({ a: '3', b: '-1', c: 'x' })).toEqual({ bad: 'b' });
    expect(quotasFrom({ a: '2.5' })).toEqual({ bad: 'a' });
  });
  it('identifies card numbers and QR texts', () => {
    expect(identify(' 6474-0000001-8 ')).toEqual({ card_number: '647400000018' });
    expect(identify('KSG1.abc.def')).toEqual({ qr: 'KSG1.abc.def' });
    expect(identify('   ')).toBeNull();
  });
});

describe('the handover draft store', () => {
  it('keeps one Idempotency-Key per attempt across reloads', () => {
    const storage = new MemoryStorage();
    const first = new HandoverDrafts(storage, 'penyalur', keys());
    const d = first.begin('c1', { card_number: '647400000018' }, 'Siti');
    expect(d.key).toBe('key-1');
    d.note = 'diterima anaknya';
    d.lat = 0.13;
    d.lon = 117.5;
    d.accuracy_m = 8;
    first.save(d);
    // A reload: a new store over the same storage, a new key source.
    const again = new HandoverDrafts(storage, 'penyalur', () => 'other');
    const kept = again.load('c1');
    expect(kept).toMatchObject({ key: 'key-1', note: 'diterima anaknya', accuracy_m: 8 });
    // The same person identified again keeps the key (a retry is recognised).
    expect(again.begin('c1', { card_number: '647400000018' }, 'Siti').key).toBe('key-1');
  });
  it('starts a new attempt with a new key for another person or after clearing', () => {
    const storage = new MemoryStorage();
    const drafts = new HandoverDrafts(storage, 'p', keys());
    expect(drafts.begin('c1', { card_number: '1' }, 'A').key).toBe('key-1');
    expect(drafts.begin('c1', { person_id: 'x', search_reason: 'kartu hilang' }, 'B').key).toBe(
      'key-2',
    );
    drafts.clear('c1');
    expect(drafts.load('c1')).toBeNull();
    expect(drafts.begin('c1', { card_number: '1' }, 'A').key).toBe('key-3');
  });
  it('keeps drafts per user and cycle, and survives bad stored text', () => {
    const storage = new MemoryStorage();
    const a = new HandoverDrafts(storage, 'a', keys());
    const b = new HandoverDrafts(storage, 'b', keys());
    a.begin('c1', { card_number: '1' }, 'A');
    expect(b.load('c1')).toBeNull();
    expect(a.load('c2')).toBeNull();
    storage.setItem('kapal.handover.a.c1', '{not json');
    expect(a.load('c1')).toBeNull();
  });
  it('drops the photo rather than the words when storage is full', () => {
    const storage = new MemoryStorage();
    const drafts = new HandoverDrafts(storage, 'p', keys());
    const d = drafts.begin('c1', { card_number: '1' }, 'A');
    storage.full = true;
    drafts.save({ ...d, note: 'catatan', evidence: 'x'.repeat(10000) });
    expect(drafts.load('c1')).toMatchObject({ key: 'key-1', note: 'catatan', evidence: null });
  });
});

describe('the realisation map', () => {
  it('fits rings into the box, north up', () => {
    const square = [
      [117, 0],
      [117.1, 0],
      [117.1, 0.1],
      [117, 0.1],
      [117, 0],
    ];
    const project = fitProjection([square], 100, 100);
    const [x0, y0] = project(117, 0.1);
    const [x1, y1] = project(117.1, 0);
    expect(x0).toBeCloseTo(0, 1);
    expect(y0).toBeCloseTo(0, 5);
    expect(x1).toBeCloseTo(100, 1);
    expect(y1).toBeCloseTo(100, 5);
    expect(outerRings({ type: 'MultiPolygon', coordinates: [[square], [square]] })).toHaveLength(2);
    expect(outerRings({ type: 'Point', coordinates: [1, 2] })).toHaveLength(0);
  });
});
