// Detail of one person: identity (masked numbers), disability, address and location, and the
// version history as a timeline; the card and the service requests (pages/person_card.ts).
import L from 'leaflet';

import { api, ApiError, wgDomains, type Person, type PersonVersion } from '../api';
import { basemapLayer, removeMap } from '../basemap';
import { ageYears, areaNames, nameOf } from '../areas';
import { categoryNames, symbol } from '../categories';
import { h, replace } from '../dom';
import { aidSection } from './person_aid';
import { cardSection, servicesSection } from './person_card';
import { formatDate, formatInstant, t, tCode, type StringKey } from '../i18n';
import type { RouteContext } from '../router';
import { session } from '../session';
import { isNetworkFailure, lastPullAt, localPerson } from '../offline/device';
import type { LocalPerson } from '../offline/sync';

export function personPage(root: HTMLElement, context: RouteContext): () => void {
  let disposed = false;
  let homeMap: L.Map | null = null;
  const body = h('div', { class: 'person-body', 'aria-busy': 'true' }, t('app.loading'));
  const heading = h('h1', null, t('person.title'));
  replace(
    root,
    h(
      'div',
      { class: 'page person-page' },
      h('p', null, h('a', { href: '/data' }, `← ${t('person.back')}`)),
      heading,
      body,
    ),
  );

  const id = context.params.id;
  // ?luring=1: just saved on the device (the server gets it when online).
  const savedOffline = context.query.get('luring') === '1';
  const notice = h('p', { class: 'notice', role: 'status', id: 'person-notice' });
  if (savedOffline) {
    notice.textContent = t('offline.saved');
  }
  heading.after(notice);

  /// The person from the device's data (offline, or registered offline and not yet sent).
  async function showLocal(p: LocalPerson): Promise<void> {
    const names = await areaNames().catch(() => ({ kelurahan: [] }));
    if (disposed) {
      return;
    }
    heading.textContent = p.full_name;
    document.title = `${p.full_name} — ${t('app.name')}`;
    const role = session()?.user.role;
    if (role === 'admin' || role === 'operator') {
      notice.after(
        h(
          'p',
          null,
          h('a', { class: 'button primary', href: `/orang/${p.id}/ubah` }, t('person.edit')),
        ),
      );
    }
    const when = lastPullAt();
    body.removeAttribute('aria-busy');
    replace(
      body,
      h(
        'p',
        { class: 'notice', id: 'person-local' },
        when ? t('offline.local', { when: formatInstant(when) }) : t('offline.local.never'),
        p.pending ? ` ${t('offline.pending')}.` : '',
      ),
      details(p, nameOf(names.kelurahan, p.address.kelurahan_code)),
      // Opening a service works offline too (the catalogue kept on the device, the queue).
      (role === 'admin' || role === 'operator') && servicesSection(p.id, true, true),
    );
  }

  // ?asli=1: the record itself even when it was merged into another (its own history).
  const original = context.query.get('asli') === '1';
  api
    .person(id, !original)
    .then((p) => Promise.all([p, api.versions(p.id), areaNames()]))
    .then(([p, versions, names]) => {
      if (disposed) {
        return;
      }
      heading.textContent = p.full_name;
      document.title = `${p.full_name} — ${t('app.name')}`;
      const role = session()?.user.role;
      const canWrite = role === 'admin' || role === 'operator';
      if (canWrite) {
        heading.after(
          h(
            'p',
            null,
            h('a', { class: 'button primary', href: `/orang/${p.id}/ubah` }, t('person.edit')),
          ),
        );
      }
      body.removeAttribute('aria-busy');
      const merged =
        p.id !== id
          ? h(
              'p',
              { class: 'notice', id: 'person-merged' },
              t('person.merged.notice', { old: id }),
              ' ',
              h('a', { href: `/orang/${id}?asli=1` }, t('person.merged.old')),
            )
          : p.merged_into
            ? h(
                'p',
                { class: 'notice', id: 'person-merged' },
                t('person.merged.into'),
                ' ',
                h('a', { href: `/orang/${p.merged_into}` }, t('person.merged.go')),
              )
            : null;
      const mapEl = p.home
        ? h('div', { class: 'home-map', role: 'region', 'aria-label': t('person.home_map') })
        : null;
      const photo = p.photo_id
        ? h(
            'figure',
            { class: 'person-photo' },
            h('img', {
              id: 'person-photo',
              src: api.photoUrl(p.id),
              alt: t('person.photo.alt', { name: p.full_name }),
              width: 150,
            }),
          )
        : h('p', { class: 'hint', id: 'person-photo-none' }, t('person.photo.none'));
      replace(
        body,
        merged,
        photo,
        details(p, nameOf(names.kelurahan, p.address.kelurahan_code)),
        mapEl && h('section', { class: 'panel' }, h('h2', null, t('person.home_map')), mapEl),
        cardSection(p.id, canWrite),
        aidSection(p.id),
        servicesSection(p.id, canWrite),
        history(versions.items),
      );
      if (mapEl && p.home) {
        homeMap = homeMapOf(mapEl, p);
      }
    })
    .catch(async (e: unknown) => {
      if (disposed || (e instanceof ApiError && e.status === 401)) {
        return;
      }
      if (isNetworkFailure(e) || (e instanceof ApiError && e.status === 404)) {
        const local = await localPerson(id).catch(() => null);
        if (local) {
          await showLocal(local);
          return;
        }
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
    if (homeMap) {
      removeMap(homeMap);
    }
  };
}

/// A small map of the person's home: a badge with the first category's colour and letter.
function homeMapOf(el: HTMLElement, p: Person): L.Map {
  const home = p.home as NonNullable<Person['home']>;
  // No animations: the page re-renders (card and service actions, a language switch) and a map
  // removed mid-animation would throw from Leaflet's timers.
  const map = L.map(el, {
    maxZoom: 19,
    zoomAnimation: false,
    fadeAnimation: false,
    markerZoomAnimation: false,
  }).setView([home.lat, home.lon], 16);
  map.attributionControl.setPrefix('Leaflet');
  const cat = p.categories[0] ?? 'fisik';
  const badge = h(
    'span',
    { class: `cluster-badge cat-${cat} size-one` },
    h('span', { class: 'cluster-symbol' }, symbol(cat)),
  );
  L.marker([home.lat, home.lon], {
    icon: L.divIcon({ html: badge, className: 'cluster-icon', iconSize: [24, 24] }),
    title: `${p.full_name}: ${categoryNames(p.categories)}`,
    keyboard: false,
  }).addTo(map);
  void basemapLayer(19).then((layer) => {
    if (layer && map.getContainer().isConnected) {
      layer.addTo(map);
    }
  });
  return map;
}

function section(title: string, rows: [string, string][]): HTMLElement {
  return h(
    'section',
    { class: 'panel' },
    h('h2', null, title),
    h(
      'dl',
      { class: 'fields' },
      rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v || t('person.none'))]),
    ),
  );
}

function details(p: Person, kelurahan: string): HTMLElement[] {
  const age = ageYears(p.birth_date);
  return [
    section(t('person.identity'), [
      [t('person.nik'), p.nik_masked],
      [t('person.kk'), p.kk_masked ?? ''],
      [t('person.sex'), tCode('sex', p.sex)],
      [t('person.birth'), `${p.birth_place}, ${formatDate(p.birth_date)}`],
      [t('person.age'), age === null ? '' : t('person.age.value', { years: age })],
      [t('person.phone'), p.phone],
      [
        t('person.status'),
        tCode('status', p.status) + (p.status_date ? ` (${formatDate(p.status_date)})` : ''),
      ],
      [t('person.dtks'), p.dtks ? t('person.yes') : t('person.no')],
      [t('form.dtks_id'), p.dtks_id],
    ]),
    section(t('person.disability'), [
      [t('person.categories'), categoryNames(p.categories)],
      [t('person.subtype'), p.disability_subtype],
      [t('person.severity'), p.severity ? tCode('severity', p.severity) : ''],
      [t('person.devices'), p.assistive_devices.join(', ')],
      [t('person.therapies'), p.therapies.join(', ')],
      [
        t('person.caregiver'),
        p.caregiver
          ? [p.caregiver.name, p.caregiver.relationship, p.caregiver.phone]
              .filter(Boolean)
              .join(', ')
          : '',
      ],
      [
        t('form.onset'),
        p.onset ? tCode('onset', p.onset) + (p.onset_year ? ` (${p.onset_year})` : '') : '',
      ],
      [
        t('form.cause'),
        [p.cause ? tCode('cause', p.cause) : '', p.cause_note].filter(Boolean).join(': '),
      ],
      [t('form.needs_note'), p.needs_note],
      // The Washington Group answers (1 no difficulty … 4 cannot do at all), each named.
      ...wgDomains.map((d): [string, string] => {
        const answer = p.wgss?.[d];
        return [t(`wg.${d}` as StringKey), answer ? tCode('wg', String(answer)) : ''];
      }),
    ]),
    section(t('person.address'), [
      [t('person.street'), p.address.street],
      [t('person.rt_rw'), `${p.address.rt}/${p.address.rw}`],
      [t('person.kelurahan'), kelurahan],
      [t('person.home'), p.home ? `${p.home.lat.toFixed(6)}, ${p.home.lon.toFixed(6)}` : ''],
    ]),
    section(t('person.account_consent'), [
      [
        t('form.account.kind'),
        p.account
          ? [
              tCode('account', p.account.kind),
              p.account.provider,
              p.account.number_masked,
              p.account.holder_name,
            ]
              .filter(Boolean)
              .join(', ')
          : t('account.none'),
      ],
      [t('form.consent.given'), p.consent.given ? t('person.yes') : t('person.no')],
      [t('form.consent.date'), p.consent.date ? formatDate(p.consent.date) : ''],
      [t('form.consent.given_by'), p.consent.given_by],
      [t('form.consent.purposes'), p.consent.purposes.map((x) => tCode('purpose', x)).join(', ')],
    ]),
  ];
}

function history(versions: PersonVersion[]): HTMLElement {
  return h(
    'section',
    { class: 'panel' },
    h('h2', null, t('person.history')),
    h(
      'ol',
      { class: 'timeline', reversed: true },
      [...versions].reverse().map((v) =>
        h(
          'li',
          null,
          h(
            'strong',
            null,
            t('person.version.entry', {
              version: v.version,
              when: formatInstant(v.updated_at),
              who: v.updated_by,
            }),
          ),
          v.change_reason && h('p', null, v.change_reason),
        ),
      ),
    ),
  );
}
