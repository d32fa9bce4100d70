// E-warong (/ewarong; admin, operator, auditor, viewer): the merchants where voucher holders
// spend their aid, on a map (kelurahan boundaries drawn without tiles, each e-warong a marker
// with its name) and in a table; an admin registers one (its merchant account, kelurahan,
// address, and where it is: tap the map or type the coordinates) and changes it (If-Match: a
// stale form is told so and reloaded).
import L from 'leaflet';

import { api, ApiError, type User } from '../api';
import { areaNames, nameOf, type AreaName } from '../areas';
import { basemapLayer, removeMap } from '../basemap';
import { h, replace, uid } from '../dom';
import { t } from '../i18n';
import { session } from '../session';
import { voucherApi, type Merchant, type MerchantInput } from '../voucher_api';
import { field, placeFieldErrors, type Field } from './aid_form';
import { errorText } from './person_card';

const bontang: [number, number] = [0.13, 117.47];

export function merchantsPage(root: HTMLElement): () => void {
  let disposed = false;
  const isAdmin = session()?.user.role === 'admin';
  const status = h('p', { class: 'notice', role: 'status', id: 'merchants-status' });
  const tableBox = h('div', { 'aria-busy': 'true' }, t('app.loading'));
  const formBox = h('div');
  const mapEl = h('div', {
    class: isAdmin ? 'map merchants-map pickable' : 'map merchants-map',
    id: 'merchants-map',
    role: 'region',
    'aria-label': t('merchants.map'),
  });
  replace(
    root,
    h(
      'div',
      { class: 'page merchants-page' },
      h('h1', null, t('merchants.title')),
      h('p', null, t('merchants.intro')),
      status,
      mapEl,
      formBox,
      h('h2', null, t('merchants.list')),
      tableBox,
    ),
  );

  const map = L.map(mapEl, {
    maxZoom: 19,
    zoomAnimation: false,
    fadeAnimation: false,
    markerZoomAnimation: false,
  }).setView(bontang, 12);
  map.attributionControl.setPrefix('Leaflet');
  void basemapLayer(19).then((layer) => {
    if (layer && !disposed) {
      layer.addTo(map);
    }
  });
  const markers = L.layerGroup().addTo(map);
  let pick: ((lat: number, lon: number) => void) | null = null;
  let pickMarker: L.CircleMarker | null = null;
  map.on('click', (e: L.LeafletMouseEvent) => pick?.(e.latlng.lat, e.latlng.lng));

  let kelurahan: AreaName[] = [];
  let merchantUsers: User[] = [];
  let boundariesDrawn = false;

  async function load(message = ''): Promise<void> {
    tableBox.setAttribute('aria-busy', 'true');
    try {
      const [list, names, areas, users] = await Promise.all([
        voucherApi.merchants(),
        areaNames(),
        boundariesDrawn ? null : api.areas({ level: 'kelurahan' }).catch(() => null),
        isAdmin ? api.users().catch(() => ({ items: [] as User[] })) : { items: [] as User[] },
      ]);
      if (disposed) {
        return;
      }
      kelurahan = names.kelurahan;
      merchantUsers = users.items.filter((u) => u.role === 'merchant' && !u.disabled);
      if (areas && !boundariesDrawn) {
        // Drawn once: a reload after a save only redraws the markers.
        boundariesDrawn = true;
        L.geoJSON(areas as GeoJSON.FeatureCollection, {
          style: { color: '#4a4a4a', weight: 1, fill: false },
          interactive: false,
        }).addTo(map);
      }
      drawMarkers(list.items);
      drawTable(list.items);
      status.textContent = message;
      if (isAdmin) {
        drawForm(null);
      }
    } catch (e) {
      replace(tableBox, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
    } finally {
      tableBox.removeAttribute('aria-busy');
    }
  }

  function drawMarkers(items: Merchant[]): void {
    markers.clearLayers();
    for (const m of items) {
      const marker = L.circleMarker([m.lat, m.lon], {
        radius: 8,
        color: '#0b4f2c',
        weight: 2,
        fillColor: m.active ? '#1b8a4c' : '#9e9e9e',
        fillOpacity: 0.9,
      });
      // The name is written beside the marker: colour is never the only signal.
      marker.bindTooltip(m.active ? m.name : `${m.name} (${t('merchants.inactive')})`, {
        permanent: true,
        direction: 'right',
        className: 'merchant-label',
      });
      markers.addLayer(marker);
    }
    const points = items.map((m) => [m.lat, m.lon] as [number, number]);
    if (points.length > 0) {
      map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: 15 });
    }
  }

  function drawTable(items: Merchant[]): void {
    if (items.length === 0) {
      replace(tableBox, h('p', null, t('merchants.none')));
      return;
    }
    const userName = (id: string) => merchantUsers.find((u) => u.id === id)?.username ?? id;
    replace(
      tableBox,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'data-table', id: 'merchants-table' },
          h('caption', { class: 'visually-hidden' }, t('merchants.list')),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, t('merchants.name')),
              h('th', { scope: 'col' }, t('filter.kelurahan')),
              h('th', { scope: 'col' }, t('merchants.address')),
              isAdmin && h('th', { scope: 'col' }, t('merchants.account')),
              h('th', { scope: 'col' }, t('merchants.status')),
              isAdmin &&
                h(
                  'th',
                  { scope: 'col' },
                  h('span', { class: 'visually-hidden' }, t('merchants.edit')),
                ),
            ),
          ),
          h(
            'tbody',
            null,
            items.map((m) =>
              h(
                'tr',
                { 'data-id': m.id },
                h('th', { scope: 'row' }, m.name),
                h('td', null, nameOf(kelurahan, m.kelurahan_code)),
                h('td', null, m.address ?? ''),
                isAdmin && h('td', null, userName(m.user_id)),
                h('td', null, m.active ? t('merchants.active') : t('merchants.inactive')),
                isAdmin &&
                  h(
                    'td',
                    null,
                    h(
                      'button',
                      { type: 'button', class: 'link', onclick: () => drawForm(m) },
                      t('merchants.edit'),
                      h('span', { class: 'visually-hidden' }, `: ${m.name}`),
                    ),
                  ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  /// The register form, or the change form of `existing`.
  function drawForm(existing: Merchant | null): void {
    // The previous form's chosen place goes with it.
    pickMarker?.remove();
    pickMarker = null;
    const prefix = uid('merchant');
    const input = (name: string, attrs: Record<string, string> = {}) =>
      h('input', { id: `${prefix}-${name}`, name, ...attrs });
    const account = h(
      'select',
      { id: `${prefix}-user_id`, name: 'user_id' },
      h('option', { value: '' }, t('merchants.account.choose')),
      merchantUsers.map((u) =>
        h('option', { value: u.id }, `${u.display_name || u.username} (${u.username})`),
      ),
    );
    const kel = h(
      'select',
      { id: `${prefix}-kelurahan_code`, name: 'kelurahan_code' },
      h('option', { value: '' }, t('merchants.kelurahan.choose')),
      kelurahan.map((k) => h('option', { value: k.code }, k.name)),
    );
    const f: Record<string, Field> = {
      name: field(t('merchants.name'), input('name', { autocomplete: 'off' })),
      user_id: field(
        t('merchants.account'),
        account,
        merchantUsers.length === 0 ? t('merchants.account.none') : t('merchants.account.hint'),
      ),
      kelurahan_code: field(t('filter.kelurahan'), kel),
      address: field(t('merchants.address'), input('address')),
      lat: field(t('merchants.lat'), input('lat', { inputmode: 'decimal', autocomplete: 'off' })),
      lon: field(
        t('merchants.lon'),
        input('lon', { inputmode: 'decimal', autocomplete: 'off' }),
        t('merchants.location.hint'),
      ),
    };
    const active = h('input', {
      type: 'checkbox',
      id: `${prefix}-active`,
      checked: existing ? existing.active : true,
    });
    const formStatus = h('p', { class: 'notice', role: 'status' });
    const submit = h(
      'button',
      { type: 'submit', class: 'button primary' },
      existing ? t('aid.save') : t('merchants.create'),
    );
    const cancel =
      existing &&
      h(
        'button',
        { type: 'button', class: 'button', onclick: () => drawForm(null) },
        t('merchants.cancel'),
      );
    const headingId = `${prefix}-h`;
    const form = h(
      'form',
      { class: 'merchant-form', novalidate: true, 'aria-labelledby': headingId },
      Object.values(f).map((x) => x.row),
      existing &&
        h(
          'div',
          { class: 'field checkbox' },
          active,
          h('label', { for: active.id }, t('merchants.active.label')),
        ),
      h('div', { class: 'form-actions' }, submit, cancel),
      formStatus,
    );
    const showPick = () => {
      const lat = Number(f.lat.control.value.replace(',', '.'));
      const lon = Number(f.lon.control.value.replace(',', '.'));
      pickMarker?.remove();
      pickMarker = null;
      if (f.lat.control.value.trim() && Number.isFinite(lat) && Number.isFinite(lon)) {
        pickMarker = L.circleMarker([lat, lon], {
          radius: 10,
          color: '#b00020',
          weight: 3,
          fill: false,
        }).addTo(map);
      }
    };
    pick = (lat, lon) => {
      f.lat.control.value = lat.toFixed(6);
      f.lon.control.value = lon.toFixed(6);
      showPick();
      formStatus.textContent = t('merchants.location.set');
    };
    f.lat.control.addEventListener('change', showPick);
    f.lon.control.addEventListener('change', showPick);
    if (existing) {
      f.name.control.value = existing.name;
      account.value = existing.user_id;
      kel.value = existing.kelurahan_code;
      f.address.control.value = existing.address ?? '';
      f.lat.control.value = String(existing.lat);
      f.lon.control.value = String(existing.lon);
      showPick();
    }

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      Object.values(f).forEach((x) => x.setError(null));
      const value = (k: string) => f[k].control.value.trim();
      for (const k of ['name', 'user_id', 'kelurahan_code', 'lat', 'lon']) {
        if (!value(k)) {
          f[k].setError(
            t('aid.required', { field: f[k].row.querySelector('label')!.textContent! }),
            true,
          );
          return;
        }
      }
      const lat = Number(value('lat').replace(',', '.'));
      const lon = Number(value('lon').replace(',', '.'));
      if (!Number.isFinite(lat) || Math.abs(lat) > 90) {
        f.lat.setError(t('merchants.lat.bad'), true);
        return;
      }
      if (!Number.isFinite(lon) || Math.abs(lon) > 180) {
        f.lon.setError(t('merchants.lon.bad'), true);
        return;
      }
      const body: MerchantInput = {
        name: value('name'),
        user_id: value('user_id'),
        kelurahan_code: value('kelurahan_code'),
        address: value('address'),
        lat,
        lon,
        active: existing ? active.checked : true,
      };
      submit.disabled = true;
      formStatus.textContent = t('cycle.busy');
      try {
        const saved = existing
          ? await voucherApi.updateMerchant(existing.id, body, existing.version)
          : await voucherApi.createMerchant(body);
        await load(
          t(existing ? 'merchants.saved' : 'merchants.created', {
            name: saved.name,
          }),
        );
      } catch (e) {
        if (e instanceof ApiError && e.status === 412) {
          await load(t('merchants.conflict'));
          return;
        }
        formStatus.textContent = placeFieldErrors(e, f) ? '' : errorText(e);
      } finally {
        submit.disabled = false;
      }
    });
    replace(
      formBox,
      h(
        'section',
        { class: 'panel' },
        h(
          'h2',
          { id: headingId },
          existing ? t('merchants.edit.heading', { name: existing.name }) : t('merchants.new'),
        ),
        form,
      ),
    );
    if (existing) {
      f.name.control.focus();
    }
  }

  void load();
  return () => {
    disposed = true;
    removeMap(map);
  };
}
