import { describe, expect, it } from 'vitest';

import type { Person } from './api';
import {
  clearDraft,
  differences,
  draftStorageKey,
  draftToBody,
  emptyDraft,
  fieldKeyFor,
  loadDraft,
  merge,
  personToDraft,
  saveDraft,
  saveDraftWithPhoto,
  type StoredDraft,
} from './person_form';

const stored: Person = {
  id: '0190a1b2c3d4e5f60718293a4b5c6d7e',
  version: 3,
  created_at: '2026-01-02T03:04:05Z',
  updated_at: '2026-02-02T03:04:05Z',
  created_by: 'admin',
  updated_by: 'operator.utara',
  full_name: 'Siti Aminah',
  sex: 'P',
  birth_place: 'Bontang',
  birth_date: '1990-05-17',
  nik_masked: '6474**********01',
  kk_masked: null,
  phone: '081234567890',
  address: { street: 'Jl. Ahmad Yani 4', rt: '007', rw: '002', kelurahan_code: '64.74.01.1003' },
  kecamatan_code: '64.74.01',
  home: { lon: 117.4987, lat: 0.1342, accuracy_m: 12.5, source: 'gps' },
  categories: ['fisik', 'sensorik_netra'],
  disability_subtype: 'low vision',
  severity: 'sedang',
  wgss: { seeing: 3, walking: 2, hearing: null },
  onset: 'didapat',
  onset_year: 2010,
  cause: 'penyakit',
  cause_note: '',
  assistive_devices: ['kursi_roda'],
  therapies: [],
  needs_note: '',
  caregiver: { name: 'Ani', relationship: 'ibu', phone: '' },
  dtks: true,
  dtks_id: 'D-1',
  account: { kind: 'bank', provider: 'BRI', number_masked: '1234******90', holder_name: 'Siti' },
  photo_id: 'foto-1',
  documents: [{ id: 'doc-1', kind: 'ktp', name: 'ktp.jpg' }],
  consent: { given: true, date: '2026-01-02', given_by: 'Siti', purposes: ['registration'] },
  status: 'aktif',
  status_date: null,
  status_reason: '',
  confirmed_warnings: [],
  warning_reason: '',
};

describe('the person form', () => {
  it('makes the same content back from a stored person (masked numbers left out)', () => {
    const body = draftToBody(personToDraft(stored), stored);
    expect(body).toMatchObject({
      full_name: 'Siti Aminah',
      sex: 'P',
      birth_date: '1990-05-17',
      address: stored.address,
      home: { lon: 117.4987, lat: 0.1342, accuracy_m: 12.5, source: 'gps' },
      categories: ['fisik', 'sensorik_netra'],
      severity: 'sedang',
      wgss: { seeing: 3, walking: 2 },
      onset: 'didapat',
      onset_year: 2010,
      cause: 'penyakit',
      caregiver: { name: 'Ani', relationship: 'ibu', phone: '' },
      dtks: true,
      account: { kind: 'bank', provider: 'BRI', number: '', holder_name: 'Siti' },
      consent: { given: true, date: '2026-01-02', given_by: 'Siti', purposes: ['registration'] },
      photo_id: 'foto-1',
      documents: stored.documents,
      status: 'aktif',
      status_date: null,
    });
    // An empty NIK or KK keeps the stored one (PUT's rule): never sent as "".
    expect(body).not.toHaveProperty('nik');
    expect(body).not.toHaveProperty('kk');
    expect(body.wgss).not.toHaveProperty('hearing');
  });

  it('leaves out what the user did not fill and sends typed numbers as numbers', () => {
    const d = emptyDraft();
    d.full_name = '  Budi  ';
    d['home.lon'] = '117,5';
    d['home.lat'] = '0.13';
    d['home.source'] = 'map';
    d['wgss.walking'] = '4';
    const body = draftToBody(d);
    expect(body.full_name).toBe('Budi');
    expect(body.home).toEqual({ lon: 117.5, lat: 0.13, source: 'map' });
    expect(body.wgss).toEqual({ walking: 4 });
    expect(body).not.toHaveProperty('caregiver');
    expect(body).not.toHaveProperty('account');
    expect(body).not.toHaveProperty('sex');
    expect(body).not.toHaveProperty('photo_id');
    expect(body.status).toBe('aktif');
    expect(body.consent).toEqual({
      given: true,
      date: null,
      given_by: '',
      purposes: ['registration'],
    });
  });

  it('sends text that is not a number as it is, so that the API names the field', () => {
    const d = emptyDraft();
    d['home.lon'] = 'timur';
    d['home.lat'] = '0.1';
    expect((draftToBody(d).home as { lon: unknown }).lon).toBe('timur');
  });

  it('finds the input of an API error', () => {
    expect(fieldKeyFor('address.rt')).toBe('address.rt');
    expect(fieldKeyFor('nik')).toBe('nik');
    expect(fieldKeyFor('home')).toBe('home.lon');
    expect(fieldKeyFor('home.lat')).toBe('home.lat');
    expect(fieldKeyFor('wgss.self_care')).toBe('wgss.self_care');
    expect(fieldKeyFor('consent.purposes')).toBe('consent.purposes');
    expect(fieldKeyFor('documents.0.id')).toBeNull();
    expect(fieldKeyFor('nonsense')).toBeNull();
  });
});

describe('an edit conflict', () => {
  const base = personToDraft(stored);
  it('lists the fields that differ, suggesting the other version where the user left it', () => {
    const mine = { ...base, full_name: 'Siti Aminah S.', phone: '0811111111' };
    const theirs = { ...base, phone: '0822222222', 'address.rt': '008' };
    const diff = differences(base, mine, theirs);
    expect(diff.map((d) => [d.key, d.suggested])).toEqual([
      ['full_name', 'mine'],
      ['phone', 'mine'],
      ['address.rt', 'theirs'],
    ]);
    expect(diff[1]).toMatchObject({ mine: '0811111111', theirs: '0822222222' });
  });

  it('compares lists as sets and never shows private numbers', () => {
    const mine = { ...base, categories: ['sensorik_netra', 'fisik'], nik: '6474011705900001' };
    expect(differences(base, mine, base)).toEqual([]);
  });

  it('merges per field, keeping the private numbers of the user', () => {
    const mine = { ...base, full_name: 'A', phone: 'B', nik: '6474015705900001' };
    const theirs = { ...base, full_name: 'C', phone: 'D' };
    const merged = merge(mine, theirs, { full_name: 'mine', phone: 'theirs' });
    expect(merged.full_name).toBe('A');
    expect(merged.phone).toBe('D');
    expect(merged.nik).toBe('6474015705900001');
  });
});

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  full = false;
  /// Refuses any item longer than this (a quota), when set.
  maxItem = Infinity;
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    if (this.full || value.length > this.maxItem) {
      throw new DOMException('full', 'QuotaExceededError');
    }
    this.items.set(key, value);
  }
}

describe('kept drafts', () => {
  it('are kept per user and per person, restored with every key, and cleared', () => {
    const storage = new MemoryStorage();
    const key = draftStorageKey('operator.utara', null);
    expect(key).toBe('kapal.draft.operator.utara.baru');
    const values = emptyDraft();
    values.full_name = 'Budi';
    delete values.needs_note; // a draft kept by an older form
    const draft: StoredDraft = {
      values,
      version: null,
      base: null,
      idempotency_key: 'k-1',
      saved_at: '2026-11-28T10:00:00Z',
    };
    expect(saveDraft(storage, key, draft)).toBe(true);
    const back = loadDraft(storage, key);
    expect(back?.values.full_name).toBe('Budi');
    expect(back?.values.needs_note).toBe('');
    expect(back?.idempotency_key).toBe('k-1');
    expect(loadDraft(storage, draftStorageKey('admin', null))).toBeNull();
    clearDraft(storage, key);
    expect(loadDraft(storage, key)).toBeNull();
  });

  it('survive a broken entry and a full storage without throwing', () => {
    const storage = new MemoryStorage();
    storage.setItem('k', '{not json');
    expect(loadDraft(storage, 'k')).toBeNull();
    storage.full = true;
    expect(
      saveDraft(storage, 'k', {
        values: emptyDraft(),
        version: 1,
        base: null,
        idempotency_key: '',
        saved_at: '',
      }),
    ).toBe(false);
  });

  it('keep a chosen photo with the words, or the words alone when the photo does not fit', () => {
    const storage = new MemoryStorage();
    const values = emptyDraft();
    values.full_name = 'Budi';
    const draft: StoredDraft = {
      values,
      photo: { action: 'set', base64: 'A'.repeat(4000), w: 600, h: 450, bytes: 3000 },
      version: 2,
      base: null,
      idempotency_key: '',
      saved_at: '',
    };
    expect(saveDraftWithPhoto(storage, 'k', draft)).toBe('all');
    expect(loadDraft(storage, 'k')?.photo).toEqual(draft.photo);
    storage.maxItem = 3000;
    expect(saveDraftWithPhoto(storage, 'k', draft)).toBe('without_photo');
    const back = loadDraft(storage, 'k');
    expect(back?.values.full_name).toBe('Budi');
    expect(back?.photo).toBeNull();
    expect(draft.photo?.action).toBe('set'); // still in memory
    storage.full = true;
    expect(saveDraftWithPhoto(storage, 'k', draft)).toBe('nothing');
    // A removal is small and always kept with the words.
    storage.full = false;
    expect(saveDraftWithPhoto(storage, 'k', { ...draft, photo: { action: 'remove' } })).toBe('all');
    expect(loadDraft(storage, 'k')?.photo).toEqual({ action: 'remove' });
  });
});
