// Duplikat (/duplikat and /duplikat/ID; admin, operator, auditor): the review queue of persons
// who may be registered twice. The list shows each pair with its score; a pair's page puts both
// records side by side (rows that differ are marked in words, not by colour alone), both homes
// on a map with the distance between them, and why the pair scored as it did. An admin, or an
// operator whose areas hold both homes, merges the pair (one record stays, the other becomes
// nonaktif and points to it; both histories are kept) or marks it as two persons (never
// proposed again), with a reason.
import L from 'leaflet';

import { ApiError, type Person } from '../api';
import { areaNames, nameOf, type AreaName } from '../areas';
import { basemapLayer, removeMap } from '../basemap';
import { categoryNames } from '../categories';
import { h, replace, uid } from '../dom';
import {
  duplicateApi,
  distanceMetres,
  type DuplicatePair,
  type DuplicatePairDetail,
  type PairState,
} from '../duplicates_api';
import { formatDate, formatInstant, formatNumber, t, tCode } from '../i18n';
import { navigate, type RouteContext } from '../router';
import { session } from '../session';
import { errorText } from './person_card';

const states: (PairState | '')[] = ['terbuka', 'digabung', 'berbeda', ''];

function stateText(state: string): string {
  return tCode('dup.state', state);
}

function score(n: number): string {
  return n.toFixed(1);
}

/// Whether the signed-in user may decide pairs at all (the server also checks the areas).
function decider(): boolean {
  const role = session()?.user.role;
  return role === 'admin' || role === 'operator';
}

export function duplicatesPage(root: HTMLElement, context: RouteContext): () => void {
  let disposed = false;
  const param = context.query.get('status');
  const wanted: PairState | '' =
    param === 'semua' ? '' : states.includes(param as PairState) ? (param as PairState) : 'terbuka';
  const status = h('p', { class: 'notice', role: 'status', id: 'dup-status' });
  const tableBox = h('div', { 'aria-busy': 'true' }, t('app.loading'));
  const more = h('button', { type: 'button', id: 'dup-more' }, t('dup.more'));
  more.style.display = 'none';
  const stateSelect = h(
    'select',
    { id: 'dup-state', name: 'state' },
    states.map((s) =>
      h('option', { value: s, selected: s === wanted }, s ? stateText(s) : t('dup.state.all')),
    ),
  );
  stateSelect.addEventListener('change', () => {
    const value = stateSelect.value;
    navigate(value === 'terbuka' ? '/duplikat' : `/duplikat?status=${value || 'semua'}`);
  });
  const scanButton = h('button', { type: 'button', id: 'dup-scan' }, t('dup.scan'));
  const isAdmin = session()?.user.role === 'admin';
  replace(
    root,
    h(
      'div',
      { class: 'page duplicates-page' },
      h('h1', null, t('dup.title')),
      h('p', null, t('dup.intro')),
      h(
        'div',
        { class: 'toolbar' },
        h('label', { for: 'dup-state' }, t('dup.state.label')),
        stateSelect,
        isAdmin ? scanButton : null,
      ),
      status,
      tableBox,
      more,
    ),
  );

  const rows = h('tbody');
  let cursor = '';
  let shown = 0;

  async function load(reset: boolean): Promise<void> {
    tableBox.setAttribute('aria-busy', 'true');
    try {
      const page = await duplicateApi.list(wanted, reset ? '' : cursor);
      if (disposed) {
        return;
      }
      if (reset) {
        rows.replaceChildren();
        shown = 0;
      }
      for (const p of page.items) {
        rows.append(pairRow(p));
      }
      shown += page.items.length;
      cursor = page.next_cursor ?? '';
      more.style.display = page.next_cursor ? '' : 'none';
      if (shown === 0) {
        replace(tableBox, h('p', null, t('dup.empty')));
      } else {
        replace(
          tableBox,
          h(
            'table',
            { class: 'data-table', id: 'dup-table' },
            h('caption', null, t('dup.caption', { count: formatNumber(shown) })),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                [
                  'dup.col.score',
                  'dup.col.a',
                  'dup.col.b',
                  'dup.col.source',
                  'dup.col.found',
                  'dup.col.state',
                ].map((k) => h('th', { scope: 'col' }, t(k as Parameters<typeof t>[0]))),
              ),
            ),
            rows,
          ),
        );
      }
    } catch (e) {
      if (!disposed) {
        replace(tableBox, h('p', { class: 'error', role: 'alert' }, errorText(e)));
      }
    } finally {
      tableBox.removeAttribute('aria-busy');
    }
  }

  function pairRow(p: DuplicatePair): HTMLElement {
    const who = (name: string | null | undefined, id: string | null) =>
      id ? (name ?? id) : t('dup.outside');
    return h(
      'tr',
      null,
      h(
        'td',
        { 'data-label': t('dup.col.score') },
        h('a', { href: `/duplikat/${p.id}` }, score(p.score)),
      ),
      h('td', { 'data-label': t('dup.col.a') }, who(p.a_name, p.person_a)),
      h('td', { 'data-label': t('dup.col.b') }, who(p.b_name, p.person_b)),
      h('td', { 'data-label': t('dup.col.source') }, tCode('dup.source', p.source)),
      h('td', { 'data-label': t('dup.col.found') }, formatInstant(p.found_at)),
      h('td', { 'data-label': t('dup.col.state') }, stateText(p.state)),
    );
  }

  more.addEventListener('click', () => void load(false));
  scanButton.addEventListener('click', () => {
    scanButton.disabled = true;
    scanButton.setAttribute('aria-busy', 'true');
    status.textContent = t('dup.scan.busy');
    duplicateApi
      .scan()
      .then((r) => {
        status.textContent = t('dup.scan.done', {
          persons: formatNumber(r.persons),
          compared: formatNumber(r.compared),
          found: formatNumber(r.found),
          added: formatNumber(r.added),
        });
        return load(true);
      })
      .catch((e: unknown) => {
        status.textContent = errorText(e);
      })
      .finally(() => {
        scanButton.disabled = false;
        scanButton.removeAttribute('aria-busy');
      });
  });
  void load(true);
  return () => {
    disposed = true;
  };
}

/// The rows compared side by side: label, and each record's text.
function comparedRows(
  a: Person | null,
  b: Person | null,
  kelurahan: AreaName[],
): [string, string, string][] {
  const rows: [string, (p: Person) => string][] = [
    [t('dup.row.name'), (p) => p.full_name],
    [t('person.nik'), (p) => p.nik_masked],
    [t('person.kk'), (p) => p.kk_masked ?? ''],
    [t('person.sex'), (p) => tCode('sex', p.sex)],
    [
      t('person.birth'),
      (p) => [p.birth_place, formatDate(p.birth_date)].filter(Boolean).join(', '),
    ],
    [
      t('dup.row.address'),
      (p) =>
        [
          p.address.street,
          p.address.rt ? `RT ${p.address.rt}` : '',
          p.address.rw ? `RW ${p.address.rw}` : '',
        ]
          .filter(Boolean)
          .join(' '),
    ],
    [t('person.kelurahan'), (p) => nameOf(kelurahan, p.address.kelurahan_code)],
    [t('person.categories'), (p) => categoryNames(p.categories)],
    [t('person.phone'), (p) => p.phone],
    [t('person.caregiver'), (p) => p.caregiver?.name ?? ''],
    [
      t('person.status'),
      (p) => tCode('status', p.status) + (p.status_date ? ` (${formatDate(p.status_date)})` : ''),
    ],
    [t('dup.registered'), (p) => formatInstant(p.created_at)],
  ];
  return rows.map(([label, text]) => [
    label,
    a ? text(a) : t('dup.outside'),
    b ? text(b) : t('dup.outside'),
  ]);
}

export function duplicatePairPage(root: HTMLElement, context: RouteContext): () => void {
  const id = context.params.id;
  let disposed = false;
  let map: L.Map | null = null;
  const body = h('div', { 'aria-busy': 'true' }, t('app.loading'));
  const status = h('p', { class: 'notice', role: 'status', id: 'pair-status' });
  replace(
    root,
    h(
      'div',
      { class: 'page duplicate-pair-page' },
      h('p', null, h('a', { href: '/duplikat' }, t('dup.back'))),
      h('h1', null, t('dup.pair.title')),
      status,
      body,
    ),
  );

  async function load(message = ''): Promise<void> {
    body.setAttribute('aria-busy', 'true');
    try {
      const [pair, names] = await Promise.all([duplicateApi.get(id), areaNames()]);
      if (disposed) {
        return;
      }
      status.textContent = message;
      show(pair, names.kelurahan);
    } catch (e) {
      if (!disposed) {
        replace(body, h('p', { class: 'error', role: 'alert' }, errorText(e)));
      }
    } finally {
      body.removeAttribute('aria-busy');
    }
  }

  function show(pair: DuplicatePairDetail, kelurahan: AreaName[]): void {
    if (map) {
      removeMap(map);
      map = null;
    }
    const compared = comparedRows(pair.a, pair.b, kelurahan);
    const personLink = (p: Person | null, label: string) =>
      p ? h('a', { href: `/orang/${p.id}?asal=duplikat` }, label) : label;
    const table = h(
      'table',
      { class: 'data-table compare', id: 'pair-compare' },
      h('caption', null, t('dup.compare.caption')),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, t('dup.compare.field')),
          h('th', { scope: 'col' }, personLink(pair.a, t('dup.record', { which: 'A' }))),
          h('th', { scope: 'col' }, personLink(pair.b, t('dup.record', { which: 'B' }))),
          h('th', { scope: 'col' }, t('dup.compare.same')),
        ),
      ),
      h(
        'tbody',
        null,
        compared.map(([label, a, b]) => {
          const same = a === b;
          return h(
            'tr',
            { class: same ? 'same' : 'differs' },
            h('th', { scope: 'row' }, label),
            h('td', { 'data-label': t('dup.record', { which: 'A' }) }, a || t('person.none')),
            h('td', { 'data-label': t('dup.record', { which: 'B' }) }, b || t('person.none')),
            h(
              'td',
              { 'data-label': t('dup.compare.same') },
              same ? t('dup.compare.yes') : t('dup.compare.no'),
            ),
          );
        }),
      ),
    );

    const evidence = h(
      'table',
      { class: 'data-table', id: 'pair-evidence' },
      h('caption', null, t('dup.evidence.caption', { score: score(pair.score) })),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, t('dup.evidence.field')),
          h('th', { scope: 'col' }, t('dup.evidence.level')),
          h('th', { scope: 'col' }, t('dup.evidence.weight')),
        ),
      ),
      h(
        'tbody',
        null,
        pair.explanation.map((e) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, tCode('dup.field', e.field)),
            h('td', { 'data-label': t('dup.evidence.level') }, e.text),
            h(
              'td',
              { class: 'number', 'data-label': t('dup.evidence.weight') },
              (e.weight > 0 ? '+' : '') + e.weight.toFixed(1),
            ),
          ),
        ),
      ),
    );

    const homes = [pair.a, pair.b]
      .map((p, i) => (p?.home ? { p, label: i === 0 ? 'A' : 'B' } : null))
      .filter((x): x is { p: Person; label: string } => x !== null);
    let distance = t('dup.map.nohome');
    if (homes.length === 2) {
      const m = distanceMetres(
        [homes[0].p.home!.lon, homes[0].p.home!.lat],
        [homes[1].p.home!.lon, homes[1].p.home!.lat],
      );
      distance = t('dup.map.distance', { metres: formatNumber(Math.round(m)) });
    }
    const mapEl = h('div', {
      class: 'map pair-map',
      id: 'pair-map',
      role: 'region',
      'aria-label': t('dup.map.label'),
    });

    replace(
      body,
      h(
        'p',
        null,
        t('dup.summary', {
          state: stateText(pair.state),
          source: tCode('dup.source', pair.source),
          found: formatInstant(pair.found_at),
        }),
      ),
      pair.state !== 'terbuka' ? decidedNote(pair) : null,
      table,
      h('h2', null, t('dup.map.title')),
      h('p', { id: 'pair-distance' }, distance),
      mapEl,
      h('h2', null, t('dup.evidence.title')),
      evidence,
      pair.state === 'terbuka' && decider() && pair.a && pair.b ? decisionForm(pair) : null,
    );

    if (homes.length > 0) {
      map = L.map(mapEl, { zoomAnimation: false, fadeAnimation: false, maxZoom: 19 });
      map.attributionControl.setPrefix('Leaflet');
      void basemapLayer(19).then((layer) => {
        if (layer && map) {
          layer.addTo(map);
        }
      });
      const points: L.LatLngExpression[] = [];
      for (const { p, label } of homes) {
        const at: L.LatLngExpression = [p.home!.lat, p.home!.lon];
        points.push(at);
        L.marker(at, {
          icon: L.divIcon({ className: 'pair-marker', html: label, iconSize: [28, 28] }),
          title: `${label}: ${p.full_name}`,
          alt: `${label}: ${p.full_name}`,
          keyboard: true,
        }).addTo(map);
      }
      if (points.length === 2) {
        L.polyline(points, { dashArray: '6 6' }).addTo(map);
        map.fitBounds(L.latLngBounds(points), { padding: [40, 40], maxZoom: 17 });
      } else {
        map.setView(points[0], 16);
      }
    } else {
      mapEl.hidden = true;
    }
  }

  function decidedNote(pair: DuplicatePairDetail): HTMLElement {
    const kept = pair.kept_id === pair.person_a ? 'A' : pair.kept_id === pair.person_b ? 'B' : '';
    return h(
      'p',
      { class: 'notice', id: 'pair-decision' },
      pair.state === 'digabung'
        ? t('dup.decided.merged', {
            which: kept,
            by: pair.decided_by,
            at: pair.decided_at ? formatInstant(pair.decided_at) : '',
            reason: pair.decision_reason,
          })
        : t('dup.decided.distinct', {
            by: pair.decided_by,
            at: pair.decided_at ? formatInstant(pair.decided_at) : '',
            reason: pair.decision_reason,
          }),
    );
  }

  function decisionForm(pair: DuplicatePairDetail): HTMLElement {
    const name = uid('decision');
    const choice = (value: string, label: string) => {
      const inputId = uid('choice');
      return h(
        'div',
        { class: 'choice' },
        h('input', { type: 'radio', name, id: inputId, value, required: true }),
        h('label', { for: inputId }, label),
      );
    };
    const reasonId = uid('reason');
    const reason = h('textarea', {
      id: reasonId,
      name: 'reason',
      required: true,
      minlength: 5,
      maxlength: 500,
      rows: 2,
      'aria-describedby': `${reasonId}-hint`,
    });
    const submit = h('button', { type: 'submit', id: 'pair-submit' }, t('dup.decide.submit'));
    const error = h('p', { class: 'error', role: 'alert', id: 'pair-error' });
    const form = h(
      'form',
      { class: 'panel', id: 'pair-form', novalidate: true },
      h('h2', null, t('dup.decide.title')),
      h(
        'fieldset',
        null,
        h('legend', null, t('dup.decide.legend')),
        choice('keep-a', t('dup.decide.keep', { keep: 'A', gone: 'B' })),
        choice('keep-b', t('dup.decide.keep', { keep: 'B', gone: 'A' })),
        choice('distinct', t('dup.decide.distinct')),
      ),
      h('label', { for: reasonId }, t('dup.decide.reason')),
      h('p', { class: 'hint', id: `${reasonId}-hint` }, t('dup.decide.reason.hint')),
      reason,
      error,
      submit,
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const picked = form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`);
      const text = reason.value.trim();
      if (!picked) {
        error.textContent = t('dup.decide.pick');
        form.querySelector<HTMLInputElement>(`input[name="${name}"]`)?.focus();
        return;
      }
      if (text.length < 5) {
        error.textContent = t('dup.decide.reason.short');
        reason.setAttribute('aria-invalid', 'true');
        reason.focus();
        return;
      }
      reason.removeAttribute('aria-invalid');
      error.textContent = '';
      submit.disabled = true;
      submit.setAttribute('aria-busy', 'true');
      const done =
        picked.value === 'distinct'
          ? duplicateApi.distinct(pair.id, pair.version, text).then(() => t('dup.done.distinct'))
          : duplicateApi
              .merge(
                pair.id,
                pair.version,
                picked.value === 'keep-a' ? pair.a!.id : pair.b!.id,
                text,
              )
              .then(() => t('dup.done.merged'));
      done
        .then((message) => load(message))
        .catch((e: unknown) => {
          if (e instanceof ApiError && (e.status === 412 || e.status === 409)) {
            void load(t('dup.stale'));
            return;
          }
          error.textContent = errorText(e);
        })
        .finally(() => {
          submit.disabled = false;
          submit.removeAttribute('aria-busy');
        });
    });
    return form;
  }

  void load();
  return () => {
    disposed = true;
    if (map) {
      removeMap(map);
    }
  };
}
