// Dasbor: the figures of the user's areas (GET /api/v1/stats) as bar charts — by category,
// sex, age group, severity and kecamatan — and the new registrations per month, for all the
// user's areas and per kecamatan. Each chart has its numbers written on it and a table for
// screen readers (charts.ts). Below them, the registry's change per month (GET
// /api/v1/stats/flows/monthly): new, moved in, reactivated, moved out, deceased and deactivated,
// for all the user's areas and per kecamatan (per kelurahan for a user of single kelurahan).
import {
  api,
  ApiError,
  categories,
  statuses,
  type FlowSeriesSet,
  type MonthlyFlows,
  type Stats,
} from '../api';
import { barChart, columnChart, flowChart, flowKinds, type Bar, type FlowSeries } from '../charts';
import { h, replace, select } from '../dom';
import { formatNumber, languageTag, t, tCode } from '../i18n';
import { navigate, type RouteContext } from '../router';

const ageGroups = ['balita', 'anak', 'dewasa', 'lansia'];
const severityKeys = ['ringan', 'sedang', 'berat', 'tidak_diisi'];

/// "2026-03" as "Mar" (the chart's axis) or "Mar 2026" (its table), in the user's language.
function monthLabel(month: string, withYear: boolean): string {
  const [y, m] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(languageTag(), {
    month: 'short',
    year: withYear ? 'numeric' : undefined,
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, 1)));
}

function bars(counts: Record<string, number>, keys: string[], prefix: string, cls = ''): Bar[] {
  return keys.map((k) => ({
    key: k,
    label: tCode(prefix, k),
    value: counts[k] ?? 0,
    cls: cls ? `${cls}-${k}` : undefined,
  }));
}

export function dashboardPage(root: HTMLElement, context: RouteContext): () => void {
  let disposed = false;
  const controller = new AbortController();
  const status = context.query.get('status') ?? 'aktif';
  const statusSelect = select(
    'dash-status',
    [
      ...statuses.map((s): [string, string] => [s, tCode('status', s)]),
      ['semua', t('dash.status.all')],
    ],
    status,
    null,
  );
  statusSelect.addEventListener('change', () => {
    navigate(statusSelect.value === 'aktif' ? '/dasbor' : `/dasbor?status=${statusSelect.value}`);
  });
  const body = h('div', { class: 'dash-body', 'aria-busy': 'true' }, t('app.loading'));
  replace(
    root,
    h(
      'div',
      { class: 'page dash-page' },
      h('h1', null, t('dash.title')),
      h(
        'div',
        { class: 'field dash-filter' },
        h('label', { for: 'dash-status' }, t('dash.status')),
        statusSelect,
      ),
      body,
    ),
  );

  const flows = api
    .monthlyFlows({ months: '12', level: 'kecamatan' }, controller.signal)
    .then((f) =>
      f.areas.length > 0
        ? f
        : api.monthlyFlows({ months: '12', level: 'kelurahan' }, controller.signal),
    );
  Promise.all([api.stats({ status }, controller.signal), flows])
    .then(([stats, monthly]) => {
      if (!disposed) {
        body.removeAttribute('aria-busy');
        replace(body, ...draw(stats), drawFlows(monthly));
      }
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
          e instanceof ApiError && e.network
            ? t('app.error.network')
            : t('app.error.generic', { message: e instanceof Error ? e.message : String(e) }),
        ),
      );
    });

  return () => {
    disposed = true;
    controller.abort();
  };
}

function draw(stats: Stats): HTMLElement[] {
  const columns: [string, string] = [t('dash.col.group'), t('dash.col.count')];
  const monthColumns: [string, string] = [t('dash.col.month'), t('dash.col.new')];
  const months = stats.monthly.months;
  const axisLabels = months.map((m) => monthLabel(m, false));
  const tableLabels = months.map((m) => monthLabel(m, true));
  const total =
    stats.status === null
      ? t('dash.total.all', { count: formatNumber(stats.total) })
      : t('dash.total', {
          count: formatNumber(stats.total),
          status: tCode('status', stats.status).toLowerCase(),
        });
  return [
    h('p', { class: 'dash-total', role: 'status' }, total),
    h(
      'div',
      { class: 'chart-grid' },
      h(
        'section',
        { class: 'panel' },
        barChart(
          'chart-categories',
          t('dash.chart.categories'),
          columns,
          bars(stats.categories, categories, 'category', 'bar'),
        ),
        h('p', { class: 'hint' }, t('dash.chart.categories.note')),
      ),
      h(
        'section',
        { class: 'panel' },
        barChart('chart-sex', t('dash.chart.sex'), columns, bars(stats.sex, ['L', 'P'], 'sex')),
      ),
      h(
        'section',
        { class: 'panel' },
        barChart(
          'chart-age',
          t('dash.chart.age'),
          columns,
          bars(stats.age_groups, ageGroups, 'age'),
        ),
      ),
      h(
        'section',
        { class: 'panel' },
        barChart(
          'chart-severity',
          t('dash.chart.severity'),
          columns,
          bars(stats.severity, severityKeys, 'severity'),
        ),
      ),
      h(
        'section',
        { class: 'panel' },
        barChart(
          'chart-kecamatan',
          t('dash.chart.kecamatan'),
          columns,
          stats.kecamatan.map((k) => ({ key: k.code, label: k.name, value: k.count })),
        ),
      ),
    ),
    h(
      'section',
      { class: 'panel dash-monthly', 'aria-labelledby': 'dash-monthly-heading' },
      h('h2', { id: 'dash-monthly-heading' }, t('dash.monthly.heading')),
      h('p', { class: 'hint' }, t('dash.monthly.intro')),
      h(
        'div',
        { class: 'chart-grid' },
        columnChart(
          'chart-monthly-total',
          t('dash.monthly.total'),
          months,
          axisLabels,
          tableLabels,
          stats.monthly.total,
          monthColumns,
        ),
        stats.monthly.kecamatan.map((k) =>
          columnChart(
            `chart-monthly-${k.code.replace(/\W/g, '-')}`,
            t('dash.monthly.kecamatan', { name: k.name }),
            months,
            axisLabels,
            tableLabels,
            k.counts,
            monthColumns,
          ),
        ),
      ),
    ),
  ];
}

function flowSeries(set: FlowSeriesSet): FlowSeries[] {
  return flowKinds.map((k) => ({
    key: k.key.replace('_', '-'),
    label: t(`dash.flows.kind.${k.key}`),
    values: set[k.key],
    out: k.out,
  }));
}

function drawFlows(monthly: MonthlyFlows): HTMLElement {
  const months = monthly.months;
  const axisLabels = months.map((m) => monthLabel(m, false));
  const tableLabels = months.map((m) => monthLabel(m, true));
  const columns = {
    month: t('dash.col.month'),
    net: t('dash.flows.net'),
    show: t('dash.flows.table'),
  };
  const last = months.length - 1;
  const area = monthly.level === 'kelurahan' ? 'dash.flows.kelurahan' : 'dash.flows.kecamatan';
  return h(
    'section',
    { class: 'panel dash-flows', 'aria-labelledby': 'dash-flows-heading' },
    h('h2', { id: 'dash-flows-heading' }, t('dash.flows.heading')),
    h('p', { class: 'hint' }, t('dash.flows.intro')),
    h(
      'p',
      { class: 'dash-flows-now' },
      t('dash.flows.now', {
        count: formatNumber(monthly.total.end[last] ?? 0),
        start: formatNumber(monthly.total.start[0] ?? 0),
      }),
    ),
    h(
      'div',
      { class: 'chart-grid' },
      flowChart(
        'chart-flows-total',
        t('dash.monthly.total'),
        months,
        axisLabels,
        tableLabels,
        flowSeries(monthly.total),
        columns,
      ),
      monthly.areas.map((a) =>
        flowChart(
          `chart-flows-${a.code.replace(/\W/g, '-')}`,
          t(area, { name: a.name }),
          months,
          axisLabels,
          tableLabels,
          flowSeries(a),
          columns,
        ),
      ),
    ),
  );
}
