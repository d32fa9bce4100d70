// Laporan Rakor (/laporan; readers): the coordination meeting's figures for a period and the
// user's areas — the indicators beside the previous period's, the flows per kecamatan as a chart
// and per area as a table, the persons registered per area as bars — and the whole report as PDF
// or XLSX. The figures are fetched in three steps with a progress bar; each table names the API
// query that gives it, so anyone can rerun it (docs/reports.md).
import {
  api,
  download,
  type FlowCounts,
  type Flows,
  type IndicatorCounts,
  type Indicators,
} from '../api';
import { barChart, flowChart, flowKinds, type FlowSeries } from '../charts';
import { h, replace, saveBlob } from '../dom';
import { formatBytes, formatDate, formatNumber, languageTag, t, type StringKey } from '../i18n';
import { errorText } from './person_card';

/// A period the form offers: its API label and how it reads.
export interface PeriodChoice {
  value: string;
  label: string;
  group: 'quarter' | 'year' | 'month';
}

const monthNames = (locale: string) =>
  Array.from({ length: 12 }, (_, m) =>
    new Intl.DateTimeFormat(locale, { month: 'long', timeZone: 'UTC' }).format(
      new Date(Date.UTC(2026, m, 1)),
    ),
  );

/// The periods offered on `today` (a WITA calendar date "2026-11-29"): the current quarter and
/// the seven before it, the current year and the two before, and the last twelve months; the
/// current ones first.
export function periodChoices(today: string, locale = 'id-ID'): PeriodChoice[] {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7)); // 1..12
  const out: PeriodChoice[] = [];
  let q = Math.floor((month - 1) / 3) + 1;
  let qy = year;
  for (let i = 0; i < 8; i++) {
    out.push({
      value: `${qy}-Q${q}`,
      label: `${qy} – ${t('report.quarter')} ${q}`,
      group: 'quarter',
    });
    q -= 1;
    if (q === 0) {
      q = 4;
      qy -= 1;
    }
  }
  for (let y = year; y > year - 3; y--) {
    out.push({ value: String(y), label: String(y), group: 'year' });
  }
  const names = monthNames(locale);
  let m = month;
  let my = year;
  for (let i = 0; i < 12; i++) {
    out.push({
      value: `${my}-${String(m).padStart(2, '0')}`,
      label: `${names[m - 1]} ${my}`,
      group: 'month',
    });
    m -= 1;
    if (m === 0) {
      m = 12;
      my -= 1;
    }
  }
  return out;
}

/// A share (0..1) as "12,5 %"; "–" when undefined.
export function percent(share: number | null): string {
  if (share === null) {
    return '–';
  }
  return `${new Intl.NumberFormat(languageTag(), { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(share * 100)} %`;
}

/// Today's date in WITA (UTC+8), "YYYY-MM-DD".
function todayWita(): string {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

function flowSeries(flows: Flows): FlowSeries[] {
  return flowKinds.map((k) => ({
    key: k.key.replace('_', '-'),
    label: t(`dash.flows.kind.${k.key}`),
    values: flows.areas.map((a) => a[k.key]),
    out: k.out,
  }));
}

function table(caption: string, header: string[], rows: (string | number)[][]): HTMLElement {
  // Wide tables scroll sideways on a phone: the box takes the keyboard focus for that.
  return h(
    'div',
    { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      { class: 'data-table' },
      h('caption', null, caption),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          header.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((r) =>
          h(
            'tr',
            null,
            r.map((c, i) =>
              i === 1
                ? h('th', { scope: 'row' }, String(c))
                : h('td', null, typeof c === 'number' ? formatNumber(c) : c),
            ),
          ),
        ),
      ),
    ),
  );
}

function flowTable(flows: Flows, caption: string): HTMLElement {
  const header = [
    t('report.col.code'),
    t('report.col.area'),
    t('report.col.start'),
    ...flowKinds.map((k) => t(`dash.flows.kind.${k.key}`)),
    t('report.col.end'),
  ];
  const row = (code: string, name: string, c: FlowCounts) => [
    code,
    name,
    c.start,
    ...flowKinds.map((k) => c[k.key]),
    c.end,
  ];
  return table(caption, header, [
    ...flows.areas.map((a) => row(a.code, a.name, a)),
    row('', t('report.total'), flows.total),
  ]);
}

type IndicatorKey = 'per_1000' | 'card_share' | 'aid_share' | 'hazard_share' | 'far_share';

function indicatorText(c: IndicatorCounts, key: IndicatorKey): string {
  if (key === 'per_1000') {
    return c.per_1000 === null
      ? '–'
      : new Intl.NumberFormat(languageTag(), { maximumFractionDigits: 2 }).format(c.per_1000);
  }
  return percent(c[key]);
}

function indicatorTable(ind: Indicators, caption: string): HTMLElement {
  const keys: IndicatorKey[] = ['per_1000', 'card_share', 'aid_share', 'hazard_share', 'far_share'];
  const header = [
    t('report.col.code'),
    t('report.col.area'),
    `${t('report.ind.registered')} ${ind.period}`,
    `${t('report.ind.registered')} ${ind.previous.period}`,
    ...keys.flatMap((k) => {
      const name = t(`report.ind.${k}` as StringKey, { metres: formatNumber(ind.far_m) });
      return [`${name} ${ind.period}`, `${name} ${ind.previous.period}`];
    }),
  ];
  const row = (
    code: string,
    name: string,
    a: { current: IndicatorCounts; previous: IndicatorCounts },
  ) => [
    code,
    name,
    a.current.registered,
    a.previous.registered,
    ...keys.flatMap((k) => [indicatorText(a.current, k), indicatorText(a.previous, k)]),
  ];
  return table(caption, header, [
    ...ind.areas.map((a) => row(a.code, a.name, a)),
    row('', t('report.total'), ind.total),
  ]);
}

/// The summary: each indicator of the union now and in the previous period, with the change
/// in words (not by colour).
function summary(ind: Indicators, flows: Flows): HTMLElement {
  const now = ind.total.current;
  const before = ind.total.previous;
  const items: [string, string, string][] = [
    [t('report.ind.registered'), formatNumber(now.registered), formatNumber(before.registered)],
    [t('report.sum.in'), formatNumber(flows.total.in), ''],
    [t('report.sum.out'), formatNumber(flows.total.out), ''],
    ...(['per_1000', 'card_share', 'aid_share', 'hazard_share', 'far_share'] as IndicatorKey[]).map(
      (k): [string, string, string] => [
        t(`report.ind.${k}` as StringKey, { metres: formatNumber(ind.far_m) }),
        indicatorText(now, k),
        indicatorText(before, k),
      ],
    ),
  ];
  return h(
    'dl',
    { class: 'report-summary', id: 'rk-summary' },
    items.map(([label, value, previous]) =>
      h(
        'div',
        { class: 'report-figure' },
        h('dt', null, label),
        h('dd', null, h('strong', null, value)),
        previous
          ? h(
              'dd',
              { class: 'hint' },
              t('report.previous', { period: ind.previous.period, value: previous }),
            )
          : null,
      ),
    ),
  );
}

export function reportPage(root: HTMLElement): () => void {
  const controller = new AbortController();
  const choices = periodChoices(todayWita());
  const periodSelect = h(
    'select',
    { id: 'rk-period', name: 'period' },
    (['quarter', 'year', 'month'] as const).map((g) =>
      h(
        'optgroup',
        { label: t(`report.group.${g}` as StringKey) },
        choices.filter((c) => c.group === g).map((c) => h('option', { value: c.value }, c.label)),
      ),
    ),
  );
  const levelSelect = h(
    'select',
    { id: 'rk-level', name: 'level' },
    h('option', { value: 'kelurahan' }, t('report.level.kelurahan')),
    h('option', { value: 'kecamatan' }, t('report.level.kecamatan')),
  );
  const farInput = h('input', {
    id: 'rk-far',
    name: 'far_m',
    type: 'number',
    min: '1',
    max: '100000',
    value: '5000',
    inputmode: 'numeric',
  });
  const submit = h('button', { type: 'submit' }, t('report.show'));
  const progress = h('progress', { id: 'rk-progress', max: '3', value: '0' });
  progress.hidden = true;
  const step = h('p', { id: 'rk-step', role: 'status' });
  const results = h('div', { id: 'rk-results' });
  const form = h(
    'form',
    { class: 'toolbar report-form', id: 'rk-form' },
    h('label', { for: 'rk-period' }, t('report.period')),
    periodSelect,
    h('label', { for: 'rk-level' }, t('report.level')),
    levelSelect,
    h('label', { for: 'rk-far' }, t('report.far')),
    farInput,
    submit,
  );
  replace(
    root,
    h(
      'div',
      { class: 'page report-page' },
      h('h1', null, t('report.title')),
      h('p', null, t('report.intro')),
      form,
      progress,
      step,
      results,
    ),
  );

  const show = async () => {
    const period = periodSelect.value;
    const level = levelSelect.value;
    const far = Math.round(Number(farInput.value));
    if (!Number.isFinite(far) || far < 1 || far > 100000) {
      farInput.setAttribute('aria-invalid', 'true');
      replace(step, t('report.far.invalid'));
      farInput.focus();
      return;
    }
    farInput.removeAttribute('aria-invalid');
    submit.disabled = true;
    progress.hidden = false;
    results.setAttribute('aria-busy', 'true');
    const at = (n: number, key: StringKey) => {
      progress.value = n;
      replace(step, t('report.step', { n, of: 3, what: t(key) }));
    };
    try {
      at(0, 'report.step.kecamatan');
      const kecamatan = await api.flows({ period, level: 'kecamatan' }, controller.signal);
      at(1, 'report.step.areas');
      const flows =
        level === 'kecamatan' ? kecamatan : await api.flows({ period, level }, controller.signal);
      at(2, 'report.step.indicators');
      const query = { period, level, far_m: String(far) };
      const ind = await api.indicators(query, controller.signal);
      at(3, 'report.step.done');
      replace(results, ...draw(kecamatan, flows, ind, query));
    } catch (e) {
      if (!controller.signal.aborted) {
        replace(results, h('p', { class: 'alert', role: 'alert' }, errorText(e)));
        replace(step, '');
      }
    } finally {
      submit.disabled = false;
      progress.hidden = true;
      results.removeAttribute('aria-busy');
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void show();
  });
  return () => controller.abort();
}

function draw(
  kecamatan: Flows,
  flows: Flows,
  ind: Indicators,
  query: Record<string, string>,
): HTMLElement[] {
  const levelName = t(`report.level.${flows.level}` as StringKey);
  const heading = (id: string, key: StringKey) => h('h2', { id }, t(key, { level: levelName }));
  const queryOf = (path: string, q: Record<string, string>) =>
    `${path}?${new URLSearchParams(q).toString()}`;
  const flowsQuery = queryOf('/api/v1/stats/flows', { period: flows.period, level: flows.level });
  const indQuery = queryOf('/api/v1/stats/indicators', query);
  return [
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'rk-sum-heading' },
      h('h2', { id: 'rk-sum-heading' }, t('report.summary', { period: ind.period })),
      h(
        'p',
        { class: 'hint' },
        t('report.range', {
          from: formatDate(ind.from),
          to: formatDate(ind.to),
          previous: ind.previous.period,
        }),
      ),
      summary(ind, flows),
      h('p', { class: 'hint' }, t('report.source'), ' ', h('code', null, indQuery)),
    ),
    kecamatan.areas.length > 0
      ? h(
          'section',
          { class: 'panel', 'aria-labelledby': 'rk-chart-heading' },
          h('h2', { id: 'rk-chart-heading' }, t('report.chart')),
          h(
            'div',
            { class: 'chart-grid' },
            flowChart(
              'rk-chart',
              t('report.chart'),
              kecamatan.areas.map((a) => a.code),
              kecamatan.areas.map((a) => a.name.replace(/^Bontang /, '')),
              kecamatan.areas.map((a) => a.name),
              flowSeries(kecamatan),
              {
                month: t('report.col.area'),
                net: t('dash.flows.net'),
                show: t('dash.flows.table'),
              },
            ),
          ),
        )
      : h('span'),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'rk-bars-heading' },
      heading('rk-bars-heading', 'report.bars'),
      h(
        'div',
        { class: 'chart-grid' },
        barChart(
          'rk-bars',
          t('report.bars', { level: levelName }),
          [t('report.col.area'), t('report.ind.registered')],
          ind.areas.map((a) => ({ key: a.code, label: a.name, value: a.current.registered })),
        ),
      ),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'rk-flows-heading' },
      heading('rk-flows-heading', 'report.flows'),
      flowTable(flows, t('report.flows', { level: levelName })),
      h('p', { class: 'hint' }, t('report.source'), ' ', h('code', null, flowsQuery)),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'rk-ind-heading' },
      heading('rk-ind-heading', 'report.indicators'),
      h('p', { class: 'hint' }, t('report.indicators.intro', { metres: formatNumber(ind.far_m) })),
      indicatorTable(ind, t('report.indicators', { level: levelName })),
      h('p', { class: 'hint' }, t('report.source'), ' ', h('code', null, indQuery)),
    ),
    downloads(query),
  ];
}

/// The PDF and XLSX buttons, each download with its progress.
function downloads(query: Record<string, string>): HTMLElement {
  const status = h('p', { id: 'rk-download-status', role: 'status' });
  const bar = h('progress', { id: 'rk-download-progress', max: '1', value: '0' });
  bar.hidden = true;
  const button = (format: 'pdf' | 'xlsx') => {
    const b = h(
      'button',
      { type: 'button', id: `rk-${format}` },
      t(format === 'pdf' ? 'report.download.pdf' : 'report.download.xlsx'),
    );
    b.addEventListener('click', () => {
      b.disabled = true;
      bar.hidden = false;
      bar.removeAttribute('value');
      replace(status, t('report.download.making'));
      download('/api/v1/reports/rakor', { ...query, format }, (received, total) => {
        if (total) {
          bar.max = total;
          bar.value = received;
        }
        replace(status, t('report.download.received', { size: formatBytes(received) }));
      })
        .then(({ blob, filename }) => {
          saveBlob(blob, filename);
          replace(status, t('report.download.done', { name: filename }));
        })
        .catch((e: unknown) => replace(status, errorText(e)))
        .finally(() => {
          b.disabled = false;
          bar.hidden = true;
        });
    });
    return b;
  };
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'rk-dl-heading' },
    h('h2', { id: 'rk-dl-heading' }, t('report.download')),
    h('p', { class: 'hint' }, t('report.download.intro')),
    h('div', { class: 'toolbar' }, button('pdf'), button('xlsx')),
    bar,
    status,
  );
}
