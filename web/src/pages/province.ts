// Provinsi (a province instance, docs/province.md): the ten kab/kota of Kalimantan Timur side by
// side for a period from the newest package each sent (GET /api/v1/province/summary), the
// registered count of every period as a trend, a schematic map that places each kab/kota at its
// capital's approximate position (no boundaries of the province ship with the program), and, for
// the admin, how many persons are registered in two kab/kota (GET
// /api/v1/province/cross-registered). A suppressed figure is shown as "<5", never as 0.
import {
  api,
  ApiError,
  type ProvinceCounts,
  type ProvinceCrossRegistered,
  type ProvinceSummary,
} from '../api';
import { s } from '../charts';
import { h, replace, select } from '../dom';
import { formatNumber, t } from '../i18n';
import { navigate, type RouteContext } from '../router';
import { session } from '../session';

/// The capital of each kab/kota, approximately (lon, lat): where its circle goes on the map.
export const kCapitals: Record<string, [number, number]> = {
  '64.01': [116.2, -1.9], // Tana Paser
  '64.02': [117.0, -0.42], // Tenggarong
  '64.03': [117.49, 2.15], // Tanjung Redeb
  '64.07': [115.7, -0.23], // Sendawar
  '64.08': [117.55, 0.5], // Sangatta
  '64.09': [116.7, -1.25], // Penajam
  '64.11': [115.0, 0.75], // Ujoh Bilang
  '64.71': [116.83, -1.24], // Balikpapan
  '64.72': [117.15, -0.5], // Samarinda
  '64.74': [117.48, 0.13], // Bontang
};

/// Capitals whose label goes to the left of the circle (a neighbour's label is on the right).
const kLabelLeft = new Set(['64.02', '64.09', '64.07']);

/// The map's frame (lon, lat) and size in SVG units.
const kFrame = { west: 113.6, east: 118.4, south: -2.4, north: 2.6, width: 320, height: 400 };

/// A (lon, lat) as SVG x, y inside the frame.
export function mapPoint(lon: number, lat: number): [number, number] {
  const x = ((lon - kFrame.west) / (kFrame.east - kFrame.west)) * kFrame.width;
  const y = ((kFrame.north - lat) / (kFrame.north - kFrame.south)) * kFrame.height;
  return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
}

/// A figure as shown: "<5" when suppressed, "—" when there is none.
export function figure(counts: ProvinceCounts | undefined, key: keyof ProvinceCounts): string {
  if (!counts) {
    return '—';
  }
  const v = counts[key];
  return v === null ? t('prov.suppressed') : formatNumber(v);
}

/// The registered count of every period the kab/kota sent, oldest first: "120 → 135".
export function trend(
  periods: string[],
  rows: { period: string; counts: ProvinceCounts }[],
): string {
  return periods
    .map((p) => rows.find((r) => r.period === p))
    .filter((r) => r !== undefined)
    .map((r) => figure(r?.counts, 'end'))
    .join(' → ');
}

function mapOf(summary: ProvinceSummary, period: string): Element {
  const max = Math.max(
    1,
    ...summary.kota.map((k) => k.periods.find((p) => p.period === period)?.counts.end ?? 0),
  );
  const marks = summary.kota.flatMap((k) => {
    const at = kCapitals[k.code];
    if (!at) {
      return [];
    }
    const [x, y] = mapPoint(at[0], at[1]);
    const end = k.periods.find((p) => p.period === period)?.counts.end;
    const r = end === undefined ? 3 : end === null ? 5 : 5 + 20 * Math.sqrt(end / max);
    return [
      s('circle', {
        cx: x,
        cy: y,
        r: Math.round(r * 10) / 10,
        class: end === undefined ? 'prov-dot prov-dot-none' : 'prov-dot',
      }),
      s(
        'text',
        kLabelLeft.has(k.code)
          ? { x: x - r - 2, y: y + 4, class: 'prov-label', 'text-anchor': 'end' }
          : { x: x + r + 2, y: y + 4, class: 'prov-label' },
        k.name.replace(/^(Kabupaten|Kota) /, ''),
      ),
    ];
  });
  return s(
    'svg',
    {
      viewBox: `0 0 ${kFrame.width + 90} ${kFrame.height}`,
      class: 'prov-map',
      'aria-hidden': 'true',
      id: 'prov-map',
    },
    s('rect', { x: 0, y: 0, width: kFrame.width + 90, height: kFrame.height, class: 'prov-sea' }),
    ...marks,
  );
}

function table(summary: ProvinceSummary, period: string): HTMLElement {
  const head = (key: Parameters<typeof t>[0]) => h('th', { scope: 'col' }, t(key));
  return h(
    'table',
    { id: 'prov-table', class: 'data-table' },
    h('caption', null, t('prov.table.caption', { period })),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        head('prov.col.kota'),
        head('prov.col.end'),
        head('prov.col.new'),
        head('prov.col.in'),
        head('prov.col.out'),
        head('prov.col.deceased'),
        head('prov.col.trend'),
      ),
    ),
    h(
      'tbody',
      null,
      summary.kota.map((k) => {
        const row = k.periods.find((p) => p.period === period);
        const name = h('th', { scope: 'row' }, k.name);
        if (!k.enrolled || !row) {
          return h(
            'tr',
            { 'data-kota': k.code },
            name,
            h(
              'td',
              { colspan: '6', class: 'hint' },
              k.enrolled ? t('prov.no_package') : t('prov.not_enrolled'),
            ),
          );
        }
        return h(
          'tr',
          { 'data-kota': k.code },
          name,
          h('td', { class: 'num' }, figure(row.counts, 'end')),
          h('td', { class: 'num' }, figure(row.counts, 'new')),
          h('td', { class: 'num' }, figure(row.counts, 'moved_in')),
          h('td', { class: 'num' }, figure(row.counts, 'moved_out')),
          h('td', { class: 'num' }, figure(row.counts, 'deceased')),
          h('td', null, trend(summary.periods, k.periods)),
        );
      }),
    ),
  );
}

function crossOf(cross: ProvinceCrossRegistered): HTMLElement {
  return h(
    'section',
    { class: 'panel', id: 'prov-cross', 'aria-labelledby': 'prov-cross-heading' },
    h('h2', { id: 'prov-cross-heading' }, t('prov.cross.heading')),
    h('p', null, t('prov.cross.total', { count: formatNumber(cross.persons) })),
    cross.groups.length > 0 &&
      h(
        'ul',
        null,
        cross.groups.map((g) =>
          h(
            'li',
            null,
            t('prov.cross.group', { kota: g.kota.join(' + '), count: formatNumber(g.persons) }),
          ),
        ),
      ),
  );
}

export function provincePage(root: HTMLElement, context: RouteContext): () => void {
  let disposed = false;
  const alert = h('div', { class: 'alert', role: 'alert', id: 'prov-alert', tabindex: '-1' });
  const body = h('div', { id: 'prov-body', 'aria-busy': 'true' }, t('app.loading'));
  replace(
    root,
    h(
      'div',
      { class: 'page' },
      h('h1', null, t('prov.title')),
      h('p', { class: 'hint' }, t('prov.intro')),
      alert,
      body,
    ),
  );

  async function load(): Promise<void> {
    try {
      const summary = await api.provinceSummary();
      const cross = session()?.user.role === 'admin' ? await api.provinceCrossRegistered() : null;
      if (disposed) {
        return;
      }
      body.removeAttribute('aria-busy');
      if (summary.periods.length === 0) {
        replace(body, h('p', { class: 'notice' }, t('prov.none')));
        return;
      }
      const asked = context.query.get('periode');
      const period =
        asked && summary.periods.includes(asked)
          ? asked
          : summary.periods[summary.periods.length - 1];
      const periods = select(
        'prov-period',
        summary.periods.map((p): [string, string] => [p, p]),
        period,
        null,
      );
      periods.addEventListener('change', () => navigate(`/provinsi?periode=${periods.value}`));
      replace(
        body,
        h('div', { class: 'field' }, h('label', { for: 'prov-period' }, t('prov.period')), periods),
        table(summary, period),
        h('p', { class: 'hint', id: 'prov-suppressed-note' }, t('prov.suppressed.note')),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'prov-map-heading' },
          h('h2', { id: 'prov-map-heading' }, t('prov.map.heading')),
          mapOf(summary, period),
          h('p', { class: 'hint' }, t('prov.map.note')),
        ),
        cross && crossOf(cross),
      );
    } catch (e) {
      if (disposed || (e instanceof ApiError && e.status === 401)) {
        return;
      }
      body.removeAttribute('aria-busy');
      if (e instanceof ApiError && e.status === 404) {
        replace(body, h('p', { class: 'notice', id: 'prov-not-province' }, t('prov.not_province')));
        return;
      }
      replace(body);
      alert.textContent =
        e instanceof ApiError && e.network
          ? t('app.error.network')
          : t('prov.error', { title: e instanceof ApiError ? e.title : String(e) });
      alert.focus();
    }
  }
  void load();
  return () => {
    disposed = true;
  };
}
