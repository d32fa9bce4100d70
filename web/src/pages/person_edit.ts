// Tambah/Ubah: the form of one person (every field of the API's person), with
//  - the API's validation errors at their field (aria-invalid, aria-describedby), in the
//    language of the request, and its warnings confirmable with a reason;
//  - the home location by tapping the map, by the device's GPS or typed;
//  - never losing input: every change is kept as a draft, sealed in the device's encrypted store
//    when it is open, else in memory (offline/drafts.ts), and restored after a reload (once
//    unlocked), a language switch, an ended session or a failed save; cleared once saved;
//  - an edit conflict (412): the version saved meanwhile beside the user's, field by field,
//    each chosen, then saved on top of that version.
import L from 'leaflet';

import {
  api,
  ApiError,
  assistiveDevices,
  categories,
  causes,
  consentPurposes,
  onsets,
  severities,
  statuses,
  therapies,
  wgDomains,
  type FieldIssue,
  type Person,
} from '../api';
import { areaNames, nameOf, type AreaName } from '../areas';
import { basemapLayer, removeMap } from '../basemap';
import { h, replace, uid, type Child } from '../dom';
import { formatBytes, formatInstant, t, tCode, type StringKey } from '../i18n';
import {
  clearDraft,
  differences,
  duplicateOf,
  draftStorageKey,
  draftToBody,
  emptyDraft,
  fieldKeyFor,
  loadDraft,
  merge,
  newIdempotencyKey,
  personToDraft,
  saveDraftWithPhoto,
  type Difference,
  type StoredDraft,
  type Value,
} from '../person_form';
import { base64Blob, shrinkPhoto } from '../photo';
import { navigate, type RouteContext } from '../router';
import { session } from '../session';
import { isOnline } from '../connection';
import {
  canQueue,
  draftStorage,
  flushDrafts,
  isNetworkFailure,
  localPerson,
  movedTo,
  queueCreate,
  queuePhoto,
  queueUpdate,
  syncNow,
} from '../offline/device';
import { changedFields } from '../offline/queue';
import type { LocalPerson } from '../offline/sync';

const bontang: L.LatLngTuple = [0.1333, 117.4833];

/// A person's photo is drawn at most this many pixels on its longer side (about 100 KB of
/// JPEG), well under the API's 512 KiB.
const personPhotoSide = 600;
const personPhotoBytes = 500 * 1024;

/// The label of each draft key (also used in the conflict table and the error summary).
const labels: Record<string, StringKey> = {
  nik: 'form.nik',
  kk: 'form.kk',
  full_name: 'form.full_name',
  sex: 'form.sex',
  birth_place: 'form.birth_place',
  birth_date: 'form.birth_date',
  phone: 'form.phone',
  'address.street': 'form.street',
  'address.rt': 'form.rt',
  'address.rw': 'form.rw',
  'address.kelurahan_code': 'form.kelurahan',
  'home.lon': 'form.lon',
  'home.lat': 'form.lat',
  'home.accuracy_m': 'form.accuracy',
  'home.source': 'form.home.map',
  categories: 'form.categories',
  disability_subtype: 'form.subtype',
  severity: 'form.severity',
  'wgss.seeing': 'wg.seeing',
  'wgss.hearing': 'wg.hearing',
  'wgss.walking': 'wg.walking',
  'wgss.cognition': 'wg.cognition',
  'wgss.self_care': 'wg.self_care',
  'wgss.communication': 'wg.communication',
  onset: 'form.onset',
  onset_year: 'form.onset_year',
  cause: 'form.cause',
  cause_note: 'form.cause_note',
  assistive_devices: 'form.devices',
  therapies: 'form.therapies',
  needs_note: 'form.needs_note',
  'caregiver.name': 'form.caregiver.name',
  'caregiver.relationship': 'form.caregiver.relationship',
  'caregiver.phone': 'form.caregiver.phone',
  dtks: 'form.dtks',
  dtks_id: 'form.dtks_id',
  'account.kind': 'form.account.kind',
  'account.provider': 'form.account.provider',
  'account.number': 'form.account.number',
  'account.holder_name': 'form.account.holder',
  'consent.given': 'form.consent.given',
  'consent.date': 'form.consent.date',
  'consent.given_by': 'form.consent.given_by',
  'consent.purposes': 'form.consent.purposes',
  status: 'form.status',
  status_date: 'form.status_date',
  status_reason: 'form.status_reason',
  confirmed_warnings: 'form.warnings.heading',
  warning_reason: 'form.warning_reason',
  change_reason: 'form.change_reason',
};

/// The catalogue prefix of the codes a select or list holds.
const codePrefix: Record<string, string> = {
  sex: 'sex',
  severity: 'severity',
  status: 'status',
  onset: 'onset',
  cause: 'cause',
  'account.kind': 'account',
  'home.source': 'source',
  categories: 'category',
  assistive_devices: 'device',
  therapies: 'therapy',
  'consent.purposes': 'purpose',
};

function label(key: string): string {
  return labels[key] ? t(labels[key]) : key;
}

/// A value as the user reads it (conflict table).
function shown(key: string, value: Value, kelurahan: AreaName[]): string {
  if (typeof value === 'boolean') {
    return value ? t('person.yes') : t('person.no');
  }
  if (Array.isArray(value)) {
    const prefix = codePrefix[key];
    const text = value.map((v) => (prefix ? tCode(prefix, v) : v)).join(', ');
    return text || t('form.empty');
  }
  if (value === '') {
    return t('form.empty');
  }
  if (key.startsWith('wgss.')) {
    return tCode('wg', value);
  }
  if (key === 'address.kelurahan_code') {
    return `${nameOf(kelurahan, value)} (${value})`;
  }
  return codePrefix[key] ? tCode(codePrefix[key], value) : value;
}

interface FieldView {
  /// What receives focus when the field has an error.
  focus: HTMLElement;
  /// Where aria-invalid and aria-describedby go.
  target: HTMLElement;
  error: HTMLElement;
  /// Shows a new value (after a conflict merge or a GPS fix).
  set: (value: Value) => void;
}

export function personEditPage(root: HTMLElement, context: RouteContext): () => void {
  const id = context.params.id ?? null;
  const user = session()?.user;
  const storageKey = draftStorageKey(user?.username ?? '', id);
  // Sealed in the device's store when it is open for this user, else in memory (drafts.ts).
  const drafts = draftStorage(user?.username ?? '');
  let disposed = false;
  let map: L.Map | null = null;
  let marker: L.CircleMarker | null = null;

  let record: Person | null = null;
  let kelurahan: AreaName[] = [];
  let kept: StoredDraft = {
    values: emptyDraft(),
    version: null,
    base: null,
    idempotency_key: newIdempotencyKey(),
    saved_at: '',
  };
  let warnings: FieldIssue[] = [];
  const fields = new Map<string, FieldView>();

  const heading = h('h1', null, t(id ? 'form.title.edit' : 'form.title.new'));
  const notice = h('p', { class: 'notice', role: 'status' });
  const alert = h('div', { class: 'alert', role: 'alert', id: 'form-alert', tabindex: '-1' });
  const conflictBox = h('div', { class: 'conflict-box' });
  const body = h('div', { 'aria-busy': 'true' }, t('app.loading'));
  replace(
    root,
    h(
      'div',
      { class: 'page form-page' },
      id && h('p', null, h('a', { href: `/orang/${id}` }, `← ${t('person.back')}`)),
      heading,
      h('p', { class: 'hint' }, t('form.intro')),
      notice,
      alert,
      conflictBox,
      body,
    ),
  );

  function keep(): void {
    kept.saved_at = new Date().toISOString();
    const saved = saveDraftWithPhoto(drafts, storageKey, kept);
    if (saved === 'nothing') {
      notice.textContent = t('form.draft.not_kept');
    } else if (saved === 'without_photo') {
      // The words are safe; the photo lives only in this page until it is saved.
      notice.textContent = t('form.photo.not_kept');
    }
  }

  function change(key: string, value: Value): void {
    kept.values[key] = value;
    keep();
  }

  // ---- field builders: each keeps its input in `fields` and the draft in step with it ----

  function errorOf(key: string): HTMLElement {
    return h('p', { class: 'field-error', id: `f-${key.replace(/\W/g, '-')}-error`, hidden: true });
  }

  function input(
    key: string,
    options: {
      type?: string;
      required?: boolean;
      hint?: string;
      inputmode?: string;
      autocomplete?: string;
      maxlength?: number;
    } = {},
  ): HTMLElement {
    const inputId = `f-${key.replace(/\W/g, '-')}`;
    const el = h('input', {
      id: inputId,
      name: key,
      type: options.type ?? 'text',
      inputmode: options.inputmode,
      autocomplete: options.autocomplete ?? 'off',
      maxlength: options.maxlength,
      'aria-required': options.required ? 'true' : null,
    });
    el.value = String(kept.values[key] ?? '');
    el.addEventListener('input', () => change(key, el.value));
    const error = errorOf(key);
    const hintEl = options.hint
      ? h('p', { class: 'hint', id: `${inputId}-hint` }, options.hint)
      : null;
    if (hintEl) {
      el.setAttribute('aria-describedby', hintEl.id);
    }
    fields.set(key, { focus: el, target: el, error, set: (v) => (el.value = String(v)) });
    return h(
      'div',
      { class: 'field' },
      h(
        'label',
        { for: inputId },
        options.required ? t('form.required', { label: label(key) }) : label(key),
      ),
      hintEl,
      el,
      error,
    );
  }

  function textarea(key: string): HTMLElement {
    const inputId = `f-${key.replace(/\W/g, '-')}`;
    const el = h('textarea', { id: inputId, name: key, rows: 2 });
    el.value = String(kept.values[key] ?? '');
    el.addEventListener('input', () => change(key, el.value));
    const error = errorOf(key);
    fields.set(key, { focus: el, target: el, error, set: (v) => (el.value = String(v)) });
    return h('div', { class: 'field' }, h('label', { for: inputId }, label(key)), el, error);
  }

  function choice(
    key: string,
    options: readonly string[],
    optionLabel: (v: string) => string,
    emptyLabel: string | null,
    required = false,
  ): HTMLElement {
    const inputId = `f-${key.replace(/\W/g, '-')}`;
    const el = h(
      'select',
      { id: inputId, name: key, 'aria-required': required ? 'true' : null },
      emptyLabel !== null && h('option', { value: '' }, emptyLabel),
      options.map((v) => h('option', { value: v }, optionLabel(v))),
    );
    el.value = String(kept.values[key] ?? '');
    el.addEventListener('change', () => change(key, el.value));
    const error = errorOf(key);
    fields.set(key, { focus: el, target: el, error, set: (v) => (el.value = String(v)) });
    return h(
      'div',
      { class: 'field' },
      h(
        'label',
        { for: inputId },
        required ? t('form.required', { label: label(key) }) : label(key),
      ),
      el,
      error,
    );
  }

  function checks(key: string, options: readonly string[], required = false): HTMLElement {
    const prefix = codePrefix[key];
    const error = errorOf(key);
    const boxes = options.map((v) => {
      const boxId = uid('c');
      const box = h('input', { type: 'checkbox', id: boxId, name: key, value: v });
      box.checked = (kept.values[key] as string[]).includes(v);
      box.addEventListener('change', () =>
        change(
          key,
          boxes.filter((b) => b.input.checked).map((b) => b.input.value),
        ),
      );
      return {
        input: box,
        row: h(
          'div',
          { class: 'field checkbox' },
          box,
          h('label', { for: boxId }, tCode(prefix, v)),
        ),
      };
    });
    const group = h(
      'fieldset',
      { class: 'checks' },
      h('legend', null, required ? t('form.required', { label: label(key) }) : label(key)),
      h(
        'div',
        { class: 'check-grid' },
        boxes.map((b) => b.row),
      ),
      error,
    );
    fields.set(key, {
      focus: boxes[0].input,
      target: group,
      error,
      set: (v) => boxes.forEach((b) => (b.input.checked = (v as string[]).includes(b.input.value))),
    });
    return group;
  }

  function checkbox(key: string): HTMLElement {
    const boxId = `f-${key.replace(/\W/g, '-')}`;
    const box = h('input', { type: 'checkbox', id: boxId, name: key });
    box.checked = kept.values[key] === true;
    box.addEventListener('change', () => change(key, box.checked));
    const error = errorOf(key);
    fields.set(key, { focus: box, target: box, error, set: (v) => (box.checked = v === true) });
    return h(
      'div',
      null,
      h('div', { class: 'field checkbox' }, box, h('label', { for: boxId }, label(key))),
      error,
    );
  }

  function section(title: StringKey, ...children: Child[]): HTMLElement {
    return h('fieldset', { class: 'panel form-section' }, h('legend', null, t(title)), children);
  }

  // ---- the photo: chosen or taken with the camera, made small here, sent after the save ----

  const photoStatus = h('p', { class: 'photo-status', role: 'status', id: 'photo-status' });
  const photoProgress = h('progress', { id: 'photo-progress', max: 100, hidden: true });

  function photoReady(p: { w: number; h: number; bytes: number }): string {
    return t('form.photo.ready', { w: p.w, h: p.h, size: formatBytes(p.bytes) });
  }

  function photoSection(): HTMLElement {
    const preview = h('img', { id: 'photo-preview', class: 'photo-preview', alt: '' });
    const file = h('input', {
      id: 'photo-input',
      type: 'file',
      accept: 'image/*',
      capture: 'environment',
    });
    const remove = h(
      'button',
      { type: 'button', class: 'secondary', id: 'photo-remove' },
      t('form.photo.remove'),
    );
    const show = (): void => {
      const pending = kept.photo ?? null;
      if (pending?.action === 'set') {
        preview.src = `data:image/jpeg;base64,${pending.base64}`;
        preview.alt = t('form.photo.alt_new');
      } else if (pending?.action !== 'remove' && record?.photo_id) {
        preview.src = api.photoUrl(record.id);
        preview.alt = t('person.photo.alt', { name: record.full_name });
      } else {
        preview.removeAttribute('src');
      }
      const shown = preview.hasAttribute('src');
      preview.hidden = !shown;
      remove.hidden = !shown;
    };
    file.addEventListener('change', () => {
      const chosen = file.files?.[0];
      if (!chosen) {
        return;
      }
      photoStatus.textContent = t('form.photo.busy');
      shrinkPhoto(chosen, personPhotoSide, personPhotoBytes)
        .then((shrunk) => {
          if (disposed) {
            return;
          }
          kept.photo = { action: 'set', ...shrunk };
          keep();
          photoStatus.textContent = photoReady(shrunk);
          show();
        })
        .catch(() => {
          photoStatus.textContent = t('form.photo.failed');
        });
    });
    remove.addEventListener('click', () => {
      kept.photo = record?.photo_id ? { action: 'remove' } : null;
      file.value = '';
      keep();
      photoStatus.textContent = record?.photo_id ? t('form.photo.will_remove') : '';
      show();
    });
    const pending = kept.photo ?? null;
    if (pending?.action === 'set') {
      photoStatus.textContent = photoReady(pending);
    } else if (pending?.action === 'remove') {
      photoStatus.textContent = t('form.photo.will_remove');
    }
    show();
    return section(
      'form.section.photo',
      preview,
      h('label', { for: 'photo-input' }, t('form.photo.choose')),
      h('p', { class: 'hint' }, t('form.photo.hint')),
      file,
      remove,
      photoStatus,
      photoProgress,
    );
  }

  /// Sends the pending photo of the person just saved; the person as it then is.
  async function sendPhoto(saved: Person): Promise<Person> {
    const pending = kept.photo ?? null;
    if (pending?.action === 'set') {
      photoProgress.hidden = false;
      photoProgress.value = 0;
      photoStatus.textContent = t('form.photo.uploading', { percent: 0 });
      const done = await api.setPhoto(
        saved.id,
        saved.version,
        base64Blob(pending.base64, 'image/jpeg'),
        (sent, total) => {
          const percent = total > 0 ? Math.round((100 * sent) / total) : 0;
          photoProgress.value = percent;
          photoStatus.textContent = t('form.photo.uploading', { percent });
        },
      );
      photoProgress.hidden = true;
      return done;
    }
    if (pending?.action === 'remove' && saved.photo_id) {
      return api.removePhoto(saved.id, saved.version);
    }
    return saved;
  }

  // ---- the home location: map, GPS, typed ----

  const homeStatus = h('p', { class: 'home-status', 'aria-live': 'polite' });

  function showHome(): void {
    const lon = Number(String(kept.values['home.lon']).replace(',', '.'));
    const lat = Number(String(kept.values['home.lat']).replace(',', '.'));
    const has = kept.values['home.lon'] !== '' && Number.isFinite(lon) && Number.isFinite(lat);
    if (has) {
      homeStatus.textContent = t('form.home.set', {
        lat: lat.toFixed(6),
        lon: lon.toFixed(6),
        source: tCode('source', String(kept.values['home.source'] || 'map')),
      });
    } else {
      homeStatus.textContent = t('form.home.none');
    }
    if (!map) {
      return;
    }
    if (has) {
      if (marker) {
        marker.setLatLng([lat, lon]);
      } else {
        marker = L.circleMarker([lat, lon], {
          radius: 10,
          color: '#0b4f6c',
          weight: 3,
          fillColor: '#ffbf47',
          fillOpacity: 0.9,
          className: 'home-marker',
        }).addTo(map);
      }
    } else if (marker) {
      marker.remove();
      marker = null;
    }
  }

  function setHome(lat: number, lon: number, source: string, accuracy: string): void {
    const values: Record<string, string> = {
      'home.lon': lon.toFixed(7),
      'home.lat': lat.toFixed(7),
      'home.accuracy_m': accuracy,
      'home.source': source,
    };
    for (const [k, v] of Object.entries(values)) {
      kept.values[k] = v;
      fields.get(k)?.set(v);
    }
    keep();
    showHome();
  }

  function homeSection(): HTMLElement {
    const mapEl = h('div', {
      class: 'form-map',
      id: 'form-map',
      role: 'region',
      'aria-label': t('form.home.map'),
    });
    const gpsStatus = h('p', { class: 'hint', 'aria-live': 'polite', id: 'gps-status' });
    const gps = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => {
          if (!('geolocation' in navigator)) {
            gpsStatus.textContent = t('form.home.gps.failed', {
              reason: t('form.home.gps.unsupported'),
            });
            return;
          }
          gpsStatus.textContent = t('form.home.gps.busy');
          navigator.geolocation.getCurrentPosition(
            (pos) => {
              if (disposed) {
                return;
              }
              const accuracy = Math.round(pos.coords.accuracy * 10) / 10;
              setHome(pos.coords.latitude, pos.coords.longitude, 'gps', String(accuracy));
              gpsStatus.textContent = t('form.home.gps.done', { meters: accuracy });
              map?.setView([pos.coords.latitude, pos.coords.longitude], 17);
            },
            (err) => {
              gpsStatus.textContent = t('form.home.gps.failed', { reason: err.message });
            },
            { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 },
          );
        },
      },
      t('form.home.gps'),
    );
    const clearButton = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => {
          for (const k of ['home.lon', 'home.lat', 'home.accuracy_m', 'home.source']) {
            kept.values[k] = '';
            fields.get(k)?.set('');
          }
          keep();
          showHome();
        },
      },
      t('form.home.clear'),
    );
    const coords = h(
      'div',
      { class: 'form-row' },
      input('home.lat', { inputmode: 'decimal' }),
      input('home.lon', { inputmode: 'decimal' }),
      input('home.accuracy_m', { inputmode: 'decimal' }),
    );
    // Typed coordinates are "marked on the map" by the user, without a GPS accuracy.
    for (const k of ['home.lat', 'home.lon']) {
      fields.get(k)?.focus.addEventListener('change', () => {
        kept.values['home.source'] = 'map';
        keep();
        showHome();
      });
    }
    fields.set('home.source', {
      focus: mapEl,
      target: mapEl,
      error: errorOf('home.source'),
      set: () => undefined,
    });
    const section = h(
      'div',
      { class: 'home-field' },
      h('p', { class: 'hint', id: 'home-hint' }, t('form.home.hint')),
      mapEl,
      homeStatus,
      h('div', { class: 'form-actions' }, gps, clearButton),
      gpsStatus,
      coords,
    );
    return section;
  }

  function startMap(): void {
    const el = root.querySelector<HTMLElement>('#form-map');
    if (!el) {
      return;
    }
    const lon = Number(kept.values['home.lon']);
    const lat = Number(kept.values['home.lat']);
    const has = kept.values['home.lon'] !== '' && Number.isFinite(lon) && Number.isFinite(lat);
    // No animations: the form's map only moves when told to, and a map removed mid-animation
    // (a language switch, a save that navigates) would throw from Leaflet's timers.
    map = L.map(el, {
      maxZoom: 19,
      zoomAnimation: false,
      fadeAnimation: false,
      markerZoomAnimation: false,
    }).setView(has ? [lat, lon] : bontang, has ? 17 : 12);
    map.attributionControl.setPrefix('Leaflet');
    map.on('click', (e: L.LeafletMouseEvent) => setHome(e.latlng.lat, e.latlng.lng, 'map', ''));
    const m = map;
    void basemapLayer(19).then((layer) => {
      if (layer && m.getContainer().isConnected) {
        layer.addTo(m);
      }
    });
    // The kelurahan boundaries, so that the home can be placed without a basemap.
    void api
      .areas({ level: 'kelurahan' })
      .then((fc) => {
        if (!m.getContainer().isConnected) {
          return;
        }
        L.geoJSON(fc as GeoJSON.FeatureCollection, {
          style: { color: '#4a4a4a', weight: 1, fill: false },
          interactive: false,
        }).addTo(m);
      })
      .catch(() => undefined);
    showHome();
  }

  // ---- warnings the user may confirm ----

  const warningBox = h('div', { class: 'warning-box' });

  function showWarnings(): void {
    const confirmed = kept.values.confirmed_warnings as string[];
    const codes = [...new Set([...warnings.map((w) => w.code), ...confirmed])];
    if (codes.length === 0) {
      replace(warningBox);
      fields.delete('warning_reason');
      return;
    }
    const boxes = codes.map((code) => {
      const boxId = uid('w');
      const box = h('input', { type: 'checkbox', id: boxId, value: code });
      box.checked = confirmed.includes(code);
      box.addEventListener('change', () => {
        const now = new Set(kept.values.confirmed_warnings as string[]);
        if (box.checked) {
          now.add(code);
        } else {
          now.delete(code);
        }
        change('confirmed_warnings', [...now]);
      });
      // The API's own words when it just warned; the catalogue's for a warning confirmed earlier.
      const message = warnings.find((w) => w.code === code)?.message ?? tCode('warning', code);
      // A possible duplicate names each other record the caller may open: a link to each.
      const others = warnings
        .filter((w) => w.code === 'person.possible_duplicate')
        .map((w) => duplicateOf(w.message))
        .filter((other): other is string => other !== null);
      const all = warnings.filter((w) => w.code === code).map((w) => w.message);
      return h(
        'div',
        { class: 'field checkbox' },
        box,
        h(
          'label',
          { for: boxId },
          t('form.warning.confirm', { message: all.length > 1 ? all.join('; ') : message }),
        ),
        code === 'person.possible_duplicate' &&
          others.length > 0 &&
          h(
            'ul',
            { class: 'duplicate-links' },
            others.map((other) =>
              h(
                'li',
                null,
                h(
                  'a',
                  { href: `/orang/${other}`, target: '_blank', rel: 'noopener' },
                  t('form.duplicate.open', { id: other }),
                ),
              ),
            ),
          ),
      );
    });
    replace(
      warningBox,
      h(
        'fieldset',
        { class: 'panel warnings' },
        h('legend', null, t('form.warnings.heading')),
        h('p', null, t('form.warnings.intro')),
        boxes,
        input('warning_reason', { required: true }),
      ),
    );
  }

  // ---- the form ----

  const submit = h('button', { type: 'submit', class: 'primary' }, t('form.save'));

  function buildForm(): HTMLFormElement {
    fields.clear();
    const codes = (prefix: string) => (v: string) => tCode(prefix, v);
    const masked = record?.nik_masked;
    const form = h(
      'form',
      { class: 'person-form', novalidate: true, id: 'person-form' },
      // At the top: after a refused save this is what the operator must read first.
      warningBox,
      section(
        'form.section.identity',
        input('nik', {
          required: !id,
          inputmode: 'numeric',
          maxlength: 16,
          hint: id && masked ? t('form.keep_number', { masked }) : undefined,
        }),
        input('kk', {
          inputmode: 'numeric',
          maxlength: 16,
          hint:
            id && record?.kk_masked
              ? t('form.keep_number', { masked: record.kk_masked })
              : undefined,
        }),
        input('full_name', { required: true, autocomplete: 'off' }),
        choice('sex', ['L', 'P'], codes('sex'), t('form.choose'), true),
        h(
          'div',
          { class: 'form-row' },
          input('birth_place'),
          input('birth_date', { type: 'date', required: true }),
        ),
        input('phone', { type: 'tel', inputmode: 'tel' }),
      ),
      section(
        'form.section.address',
        input('address.street'),
        h(
          'div',
          { class: 'form-row' },
          input('address.rt', { inputmode: 'numeric' }),
          input('address.rw', { inputmode: 'numeric' }),
        ),
        choice(
          'address.kelurahan_code',
          kelurahan.map((k) => k.code),
          (code) => nameOf(kelurahan, code),
          t('form.kelurahan.auto'),
        ),
        homeSection(),
      ),
      section(
        'form.section.disability',
        checks('categories', categories, true),
        input('disability_subtype'),
        choice('severity', severities, codes('severity'), t('form.choose')),
        h(
          'fieldset',
          { class: 'wgss' },
          h('legend', null, t('form.section.wgss')),
          wgDomains.map((d) =>
            choice(`wgss.${d}`, ['1', '2', '3', '4'], codes('wg'), t('form.choose')),
          ),
        ),
        h(
          'div',
          { class: 'form-row' },
          choice('onset', onsets, codes('onset'), t('form.choose')),
          input('onset_year', { inputmode: 'numeric', maxlength: 4 }),
        ),
        choice('cause', causes, codes('cause'), t('form.choose')),
        input('cause_note'),
      ),
      section(
        'form.section.needs',
        checks('assistive_devices', assistiveDevices),
        checks('therapies', therapies),
        textarea('needs_note'),
      ),
      section(
        'form.section.caregiver',
        input('caregiver.name'),
        input('caregiver.relationship'),
        input('caregiver.phone', { type: 'tel', inputmode: 'tel' }),
      ),
      section(
        'form.section.aid',
        checkbox('dtks'),
        input('dtks_id'),
        choice('account.kind', ['bank', 'ewallet'], codes('account'), t('account.none')),
        input('account.provider'),
        input('account.number', {
          inputmode: 'numeric',
          hint: record?.account
            ? t('form.keep_number', { masked: record.account.number_masked })
            : undefined,
        }),
        input('account.holder_name'),
      ),
      section(
        'form.section.consent',
        checkbox('consent.given'),
        h(
          'div',
          { class: 'form-row' },
          input('consent.date', { type: 'date' }),
          input('consent.given_by'),
        ),
        checks('consent.purposes', consentPurposes),
      ),
      photoSection(),
      section(
        'form.section.status',
        choice('status', statuses, codes('status'), null),
        input('status_date', { type: 'date' }),
        input('status_reason'),
        id && input('change_reason'),
      ),
      h(
        'div',
        { class: 'form-actions' },
        submit,
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: async () => {
              clearDraft(drafts, storageKey);
              await flushDrafts();
              navigate(id ? `/orang/${id}` : '/data');
            },
          },
          kept.saved_at ? t('form.discard') : t('form.cancel'),
        ),
      ),
    );
    showWarnings();
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void save();
    });
    return form;
  }

  function render(): void {
    if (map) {
      removeMap(map);
      map = null;
      marker = null;
    }
    body.removeAttribute('aria-busy');
    replace(body, buildForm());
    startMap();
  }

  // ---- saving ----

  function clearErrors(): void {
    alert.textContent = '';
    for (const f of fields.values()) {
      f.error.hidden = true;
      f.error.textContent = '';
      f.target.removeAttribute('aria-invalid');
      const describedBy = (f.target.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .filter((x) => x && x !== f.error.id);
      if (describedBy.length) {
        f.target.setAttribute('aria-describedby', describedBy.join(' '));
      } else {
        f.target.removeAttribute('aria-describedby');
      }
    }
  }

  function showIssues(issues: FieldIssue[]): void {
    let first: HTMLElement | null = null;
    const elsewhere: string[] = [];
    for (const issue of issues) {
      const key = fieldKeyFor(issue.field);
      const f = key ? fields.get(key) : undefined;
      if (!f) {
        elsewhere.push(t('form.error.elsewhere', { field: issue.field, message: issue.message }));
        continue;
      }
      f.error.textContent = f.error.hidden
        ? issue.message
        : `${f.error.textContent}; ${issue.message}`;
      f.error.hidden = false;
      if (issue.level === 'error') {
        f.target.setAttribute('aria-invalid', 'true');
      }
      const describedBy = new Set((f.target.getAttribute('aria-describedby') ?? '').split(' '));
      describedBy.add(f.error.id);
      f.target.setAttribute('aria-describedby', [...describedBy].filter(Boolean).join(' '));
      first ??= f.focus;
    }
    alert.textContent = [t('form.error.summary', { count: issues.length }), ...elsewhere].join(' ');
    (first ?? alert).focus();
  }

  /// The server cannot be reached: the change goes into the device's queue (docs/sync.md), with
  /// only the fields that changed for an edit, and the photo as an op of its own. False when the
  /// device keeps no data for this user (the draft stays, as before).
  /// `createKey`: the Idempotency-Key of an online POST of this same `payload` that failed at
  /// network level (the server may have created the person; the op then finds it).
  async function saveOffline(
    payload: Record<string, unknown>,
    createKey?: string,
  ): Promise<boolean> {
    if (!canQueue()) {
      return false;
    }
    const changeReason = typeof payload.change_reason === 'string' ? payload.change_reason : '';
    let person: LocalPerson;
    if (id) {
      const local = (await localPerson(id)) ?? (record as LocalPerson | null);
      if (!local) {
        return false;
      }
      const before = draftToBody(kept.base ?? personToDraft(local), record);
      const changes = changedFields(before, payload);
      delete changes.change_reason;
      person =
        Object.keys(changes).length > 0
          ? await queueUpdate(local, kept.version ?? local.version, changes, changeReason)
          : local;
    } else {
      person = await queueCreate(payload, user?.username ?? '', createKey);
    }
    if (kept.photo?.action === 'set') {
      await queuePhoto(person, person.version, {
        media_type: 'image/jpeg',
        data: kept.photo.base64,
      });
    } else if (kept.photo?.action === 'remove' && id) {
      // `photo: null`: the server removes the photo unless it was changed meanwhile.
      await queuePhoto(person, person.version, null);
    }
    clearDraft(drafts, storageKey);
    // Gone from the device before the page moves on (a reload then must not bring it back).
    await flushDrafts();
    if (createKey && isOnline()) {
      // The POST may have made the person: the queued create finds it at once when the server
      // answers again, and the page opens the person under the server's id.
      await syncNow();
      const server = await movedTo(person.id);
      if (server !== person.id) {
        if (!disposed) {
          navigate(`/orang/${server}`);
        }
        return true;
      }
    }
    if (!disposed) {
      navigate(`/orang/${person.id}?luring=1`);
    }
    return true;
  }

  async function save(): Promise<void> {
    clearErrors();
    replace(conflictBox);
    submit.disabled = true;
    submit.textContent = t('form.saving');
    body.setAttribute('aria-busy', 'true');
    keep();
    let payload: Record<string, unknown> = {};
    let posted: string | undefined;
    try {
      payload = draftToBody(kept.values, record);
      if (!isOnline() && (await saveOffline(payload))) {
        return;
      }
      const saved =
        id && kept.version !== null
          ? await api.updatePerson(id, kept.version, payload)
          : await api.createPerson(payload, (posted = kept.idempotency_key));
      let final = saved;
      try {
        final = await sendPhoto(saved);
      } catch (e) {
        // The person is saved; the photo is not. The form stays, with the photo, to try again
        // on top of the version just saved.
        photoProgress.hidden = true;
        record = saved;
        kept.version = saved.version;
        kept.base = personToDraft(saved);
        keep();
        const message =
          e instanceof ApiError ? (e.network ? t('form.error.network') : e.title) : String(e);
        photoStatus.textContent = t('form.photo.upload_failed', { message });
        alert.textContent = t('form.photo.saved_without', { message });
        return;
      }
      clearDraft(drafts, storageKey);
      await flushDrafts();
      if (!disposed) {
        navigate(`/orang/${final.id}`);
      }
    } catch (e) {
      if (disposed || !(e instanceof ApiError)) {
        if (!disposed) {
          alert.textContent = t('app.error.generic', { message: String(e) });
        }
        return;
      }
      if (e.network) {
        // A create whose POST may have reached the server goes into the queue with the same
        // key and body: the server answers with the person it made, never a second one.
        const queued = await saveOffline(payload, posted).catch(() => false);
        if (!queued) {
          alert.textContent = t('form.error.network');
        }
      } else if (e.status === 412 && id) {
        await showConflict();
      } else if (e.status === 401) {
        // The app goes to Masuk; the draft stays and comes back after signing in.
      } else if (e.fields.length > 0) {
        const fresh = e.fields.filter((f) => f.level === 'warning');
        if (fresh.length > 0) {
          warnings = fresh;
          showWarnings();
        }
        showIssues(e.fields);
      } else {
        alert.textContent = t('form.error.other', { title: e.title });
      }
    } finally {
      if (!disposed) {
        submit.disabled = false;
        submit.textContent = t('form.save');
        body.removeAttribute('aria-busy');
      }
    }
  }

  // ---- an edit conflict ----

  async function showConflict(): Promise<void> {
    if (!id) {
      return;
    }
    let current: Person;
    try {
      current = await api.person(id);
    } catch {
      alert.textContent = t('form.error.network');
      return;
    }
    const theirs = personToDraft(current);
    const base = kept.base ?? theirs;
    const diffs = differences(base, kept.values, theirs);
    const choices: Record<string, 'mine' | 'theirs'> = {};
    const radios: { diff: Difference; mine: HTMLInputElement; theirs: HTMLInputElement }[] = [];
    for (const d of diffs) {
      choices[d.key] = d.suggested;
    }
    const rows = diffs.map((d) => {
      const name = `conflict-${d.key}`;
      const cell = (side: 'mine' | 'theirs', value: Value) => {
        const radio = h('input', {
          type: 'radio',
          name,
          value: side,
          id: uid('r'),
          'data-key': d.key,
        });
        radio.checked = choices[d.key] === side;
        radio.addEventListener('change', () => {
          choices[d.key] = side;
        });
        return {
          radio,
          td: h(
            'td',
            { class: `conflict-${side}` },
            h(
              'label',
              { for: radio.id, class: 'conflict-choice' },
              radio,
              h(
                'span',
                { class: 'visually-hidden' },
                t(side === 'mine' ? 'form.conflict.choose_mine' : 'form.conflict.choose_theirs', {
                  field: label(d.key),
                }) + ': ',
              ),
              h('span', { class: 'conflict-value' }, shown(d.key, value, kelurahan)),
            ),
          ),
        };
      };
      const mine = cell('mine', d.mine);
      const other = cell('theirs', d.theirs);
      radios.push({ diff: d, mine: mine.radio, theirs: other.radio });
      return h(
        'tr',
        { 'data-key': d.key },
        h('th', { scope: 'row' }, label(d.key)),
        mine.td,
        other.td,
      );
    });
    const setAll = (side: 'mine' | 'theirs') => {
      for (const r of radios) {
        choices[r.diff.key] = side;
        r.mine.checked = side === 'mine';
        r.theirs.checked = side === 'theirs';
      }
    };
    const title = h('h2', { tabindex: '-1', id: 'conflict-heading' }, t('form.conflict.heading'));
    replace(
      conflictBox,
      h(
        'section',
        { class: 'panel conflict', 'aria-labelledby': 'conflict-heading' },
        title,
        h(
          'p',
          null,
          t('form.conflict.intro', {
            version: current.version,
            who: current.updated_by,
            when: formatInstant(current.updated_at),
          }),
        ),
        diffs.length === 0
          ? h('p', null, t('form.conflict.none'))
          : h(
              'div',
              { class: 'table-scroll' },
              h(
                'table',
                { class: 'data-table conflict-table' },
                h('caption', null, t('form.conflict.caption')),
                h(
                  'thead',
                  null,
                  h(
                    'tr',
                    null,
                    h('th', { scope: 'col' }, t('form.conflict.field')),
                    h('th', { scope: 'col' }, t('form.conflict.mine')),
                    h('th', { scope: 'col' }, t('form.conflict.theirs')),
                  ),
                ),
                h('tbody', null, rows),
              ),
            ),
        h(
          'div',
          { class: 'form-actions' },
          diffs.length > 0 &&
            h(
              'button',
              { type: 'button', class: 'secondary', onclick: () => setAll('mine') },
              t('form.conflict.all_mine'),
            ),
          diffs.length > 0 &&
            h(
              'button',
              { type: 'button', class: 'secondary', onclick: () => setAll('theirs') },
              t('form.conflict.all_theirs'),
            ),
          h(
            'button',
            {
              type: 'button',
              class: 'primary',
              onclick: () => {
                kept = {
                  ...kept,
                  values: merge(kept.values, theirs, choices),
                  base: theirs,
                  version: current.version,
                };
                record = current;
                keep();
                render();
                void save();
              },
            },
            t('form.conflict.save'),
          ),
        ),
      ),
    );
    title.focus();
  }

  // ---- start: the stored person (editing), the kelurahan names, a kept draft ----

  // Offline (or registered on this device and not yet sent): the device's copy.
  const load = (personId: string): Promise<Person> =>
    api.person(personId).catch(async (e: unknown) => {
      if (isNetworkFailure(e) || (e instanceof ApiError && e.status === 404)) {
        const local = await localPerson(personId).catch(() => null);
        if (local) {
          return local;
        }
      }
      throw e;
    });
  Promise.all([id ? load(id) : Promise.resolve(null), areaNames()])
    .then(([p, names]) => {
      if (disposed) {
        return;
      }
      record = p;
      kelurahan = names.kelurahan;
      if (p) {
        heading.textContent = `${t('form.title.edit')}: ${p.full_name}`;
      }
      const restored = loadDraft(drafts, storageKey);
      if (restored) {
        kept = restored;
        notice.textContent = t('form.draft.restored', { when: formatInstant(restored.saved_at) });
      } else if (p) {
        const values = personToDraft(p);
        kept = {
          values,
          version: p.version,
          base: personToDraft(p),
          idempotency_key: '',
          saved_at: '',
        };
      }
      render();
    })
    .catch((e: unknown) => {
      if (disposed || (e instanceof ApiError && e.status === 401)) {
        return;
      }
      body.removeAttribute('aria-busy');
      replace(
        body,
        h(
          'div',
          { class: 'alert', role: 'alert' },
          e instanceof ApiError && e.status === 404
            ? t('app.not_found.title')
            : e instanceof ApiError && e.network
              ? t('app.error.network')
              : t('app.error.generic', { message: e instanceof Error ? e.message : String(e) }),
        ),
      );
    });

  return () => {
    disposed = true;
    if (map) {
      removeMap(map);
    }
  };
}
