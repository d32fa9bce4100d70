// Kunjungan (/kunjungan): the persons of the user's areas from the device's data (pulled while
// online, docs/sync.md "Pulling"), nearest first from the device's GPS position, or by
// kelurahan and name without one. Works offline: nothing here asks the server.
import { areaNames, nameOf, type AreaName } from '../areas';
import { h, replace } from '../dom';
import { formatInstant, formatNumber, t } from '../i18n';
import { lastPullAt, localPersons, onDeviceChange, unlocked } from '../offline/device';
import type { LocalPerson } from '../offline/sync';

/// Great-circle distance in metres (haversine; plenty for a city).
export function distanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
}

export interface Visit {
  person: LocalPerson;
  distance_m: number | null;
}

/// The visit order: by distance from `from` (persons without a home location last), or by
/// kelurahan name then person name when there is no position.
export function visitOrder(
  persons: LocalPerson[],
  from: { lon: number; lat: number } | null,
  kelurahanName: (code: string) => string = (c) => c,
): Visit[] {
  const visits = persons.map((p) => ({
    person: p,
    distance_m:
      from && p.home
        ? distanceM(from.lon, from.lat, p.home.lon, p.home.lat)
        : (null as number | null),
  }));
  const byName = (a: Visit, b: Visit) =>
    kelurahanName(a.person.address.kelurahan_code).localeCompare(
      kelurahanName(b.person.address.kelurahan_code),
    ) || a.person.full_name.localeCompare(b.person.full_name);
  return visits.sort((a, b) => {
    if (from) {
      if (a.distance_m !== null && b.distance_m !== null) {
        return a.distance_m - b.distance_m;
      }
      if (a.distance_m !== null || b.distance_m !== null) {
        return a.distance_m === null ? 1 : -1;
      }
    }
    return byName(a, b);
  });
}

export function formatDistance(m: number): string {
  return m < 1000
    ? `${formatNumber(Math.round(m))} m`
    : `${formatNumber(Math.round(m / 100) / 10)} km`;
}

/// At most this many persons are listed (the nearest first; the filter narrows).
export const visitShown = 500;

/// How many persons there are, and how many are listed when the list is capped.
export function visitCountText(total: number, filtered: boolean): string {
  if (total === 0 && !filtered) {
    return t('visit.none');
  }
  return total > visitShown
    ? t('visit.count_capped', { count: total, shown: visitShown })
    : t('visit.count', { count: total });
}

export function visitPage(root: HTMLElement): () => void {
  let disposed = false;
  let position: { lon: number; lat: number; accuracy: number } | null = null;
  let kelurahan: AreaName[] = [];
  const status = h(
    'p',
    { class: 'notice', role: 'status', id: 'visit-status' },
    t('visit.no_position'),
  );
  const locate = h('button', { type: 'button', class: 'button' }, t('visit.locate'));
  const filter = h('input', { type: 'search', id: 'visit-filter', autocomplete: 'off' });
  const count = h('p', { id: 'visit-count', 'aria-live': 'polite' });
  const list = h('ol', { class: 'visit-list', 'aria-labelledby': 'visit-list-h' });
  const source = h('p', { class: 'hint' });
  replace(
    root,
    h(
      'div',
      { class: 'page narrow visit-page' },
      h('h1', null, t('visit.title')),
      h('p', null, t('visit.intro')),
      source,
      h('div', { class: 'form-actions' }, locate),
      status,
      h('div', { class: 'field' }, h('label', { for: filter.id }, t('visit.filter')), filter),
      h('h2', { id: 'visit-list-h' }, t('visit.list')),
      count,
      list,
    ),
  );

  async function draw(): Promise<void> {
    if (!unlocked()) {
      source.textContent = '';
      count.textContent = t('sync.locked');
      replace(list);
      return;
    }
    const when = lastPullAt();
    source.textContent = when
      ? t('sync.last_pull', { when: formatInstant(when) })
      : t('sync.never_pulled');
    const q = filter.value.trim().toLowerCase();
    const persons = (await localPersons()).filter(
      (p) =>
        p.status === 'aktif' && !p.merged_into && (!q || p.full_name.toLowerCase().includes(q)),
    );
    if (disposed) {
      return;
    }
    const visits = visitOrder(persons, position, (c) => nameOf(kelurahan, c));
    count.textContent = visitCountText(visits.length, q !== '');
    replace(
      list,
      visits
        .slice(0, visitShown)
        .map((v) =>
          h(
            'li',
            { class: 'visit-item' },
            h('a', { href: `/orang/${v.person.id}` }, v.person.full_name),
            h(
              'span',
              { class: 'visit-where' },
              ` — ${[v.person.address.street, nameOf(kelurahan, v.person.address.kelurahan_code)].filter(Boolean).join(', ')}`,
            ),
            h(
              'span',
              { class: 'visit-distance' },
              ' — ',
              v.distance_m !== null
                ? t('visit.distance', { distance: formatDistance(v.distance_m) })
                : v.person.home
                  ? ''
                  : t('visit.no_home'),
            ),
            v.person.pending && h('span', { class: 'badge pending' }, ` (${t('offline.pending')})`),
          ),
        ),
    );
  }

  locate.addEventListener('click', () => {
    if (!('geolocation' in navigator)) {
      status.textContent = t('visit.locate_failed', { message: '—' });
      return;
    }
    locate.disabled = true;
    status.textContent = t('visit.locating');
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        locate.disabled = false;
        position = {
          lon: pos.coords.longitude,
          lat: pos.coords.latitude,
          accuracy: Math.round(pos.coords.accuracy),
        };
        status.textContent = t('visit.located', { accuracy: position.accuracy });
        void draw();
      },
      (err) => {
        locate.disabled = false;
        status.textContent = t('visit.locate_failed', { message: err.message });
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
    );
  });
  filter.addEventListener('input', () => void draw());
  const stop = onDeviceChange(() => void draw());
  areaNames()
    .then((names) => {
      kelurahan = names.kelurahan;
    })
    .catch(() => undefined)
    .finally(() => void draw());
  return () => {
    disposed = true;
    stop();
  };
}
