// Bar charts drawn as SVG by hand (no chart library: a few bars do not need 60 kB, and nothing
// is fetched from the internet). Every chart is an SVG for the eye, hidden from screen
// readers, and a table of the same numbers for them (visually hidden), so that the figures
// are never only a picture. Colours come from CSS classes (the CSP forbids inline styles), and
// every bar carries its number as text, so colour is never the only signal.
import { h } from './dom';
import { formatNumber } from './i18n';

const svgNs = 'http://www.w3.org/2000/svg';

/// An SVG element with attributes and children (text children become text nodes).
export function s(
  tag: string,
  attrs: Record<string, string | number> = {},
  ...children: (Node | string)[]
): SVGElement {
  const el = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) {
    el.setAttribute(k, String(v));
  }
  for (const c of children) {
    el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

export interface Bar {
  key: string;
  label: string;
  value: number;
  /// A CSS class for the bar's fill (e.g. the category's colour).
  cls?: string;
}

/// The top of the value axis: the smallest of 1, 2, 5 × 10^n at or above `max` (at least 1).
export function niceMax(max: number): number {
  if (max <= 1) {
    return 1;
  }
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= max) {
      return step * power;
    }
  }
  return 10 * power;
}

/// The length of each bar in `span` units, proportional to its value on a 0..niceMax scale;
/// a non-zero value gets at least 1 unit so that it stays visible.
export function barLengths(values: number[], span: number): number[] {
  const top = niceMax(Math.max(0, ...values));
  return values.map((v) => (v <= 0 ? 0 : Math.max(1, (v / top) * span)));
}

/// A horizontal bar chart with its table alternative.
export function barChart(
  id: string,
  title: string,
  columns: [string, string],
  bars: Bar[],
): HTMLElement {
  const row = 30;
  const labelWidth = 150;
  const span = 190;
  const height = bars.length * row + 4;
  const lengths = barLengths(
    bars.map((b) => b.value),
    span,
  );
  const svg = s(
    'svg',
    {
      viewBox: `0 0 400 ${height}`,
      class: 'chart',
      'aria-hidden': 'true',
      focusable: 'false',
    },
    ...bars.map((b, i) =>
      s(
        'g',
        { transform: `translate(0 ${i * row + 2})`, 'data-key': b.key },
        s('text', { x: 0, y: 19, class: 'chart-label' }, b.label),
        s('rect', {
          x: labelWidth,
          y: 4,
          width: lengths[i].toFixed(1),
          height: row - 10,
          class: `chart-bar ${b.cls ?? ''}`.trim(),
        }),
        s(
          'text',
          { x: labelWidth + lengths[i] + 6, y: 19, class: 'chart-value' },
          formatNumber(b.value),
        ),
      ),
    ),
  );
  return h(
    'figure',
    { class: 'chart-figure', id },
    h('figcaption', null, title),
    svg,
    table(
      title,
      columns,
      bars.map((b) => [b.label, b.value]),
    ),
  );
}

/// A column chart of values per month (oldest first), with its table alternative. The axis
/// carries the short `axisLabels` ("Des"), the table the full `tableLabels` ("Des 2025").
export function columnChart(
  id: string,
  title: string,
  months: string[],
  axisLabels: string[],
  tableLabels: string[],
  values: number[],
  columns: [string, string],
): HTMLElement {
  const width = 400;
  const top = 16;
  const span = 110;
  const step = width / Math.max(1, months.length);
  const lengths = barLengths(values, span);
  const svg = s(
    'svg',
    {
      viewBox: `0 0 ${width} ${top + span + 22}`,
      class: 'chart',
      'aria-hidden': 'true',
      focusable: 'false',
    },
    s('line', { x1: 0, x2: width, y1: top + span, y2: top + span, class: 'chart-axis' }),
    ...values.map((v, i) =>
      s(
        'g',
        { 'data-month': months[i] },
        s('rect', {
          x: (i * step + step * 0.15).toFixed(1),
          y: (top + span - lengths[i]).toFixed(1),
          width: (step * 0.7).toFixed(1),
          height: lengths[i].toFixed(1),
          class: 'chart-bar chart-bar-month',
        }),
        s(
          'text',
          {
            x: (i * step + step / 2).toFixed(1),
            y: (top + span - lengths[i] - 4).toFixed(1),
            class: 'chart-value',
            'text-anchor': 'middle',
          },
          formatNumber(v),
        ),
        s(
          'text',
          {
            x: (i * step + step / 2).toFixed(1),
            y: top + span + 16,
            class: 'chart-label',
            'text-anchor': 'middle',
          },
          axisLabels[i],
        ),
      ),
    ),
  );
  return h(
    'figure',
    { class: 'chart-figure', id },
    h('figcaption', null, title),
    svg,
    table(
      title,
      columns,
      tableLabels.map((m, i) => [m, values[i]]),
    ),
  );
}

function table(title: string, columns: [string, string], rows: [string, number][]): HTMLElement {
  return h(
    'table',
    { class: 'visually-hidden chart-table' },
    h('caption', null, title),
    h(
      'thead',
      null,
      h('tr', null, h('th', { scope: 'col' }, columns[0]), h('th', { scope: 'col' }, columns[1])),
    ),
    h(
      'tbody',
      null,
      rows.map(([label, value]) =>
        h('tr', null, h('th', { scope: 'row' }, label), h('td', null, formatNumber(value))),
      ),
    ),
  );
}

/// One kind of change in a flow chart: its series (one value per month), its name, and whether
/// it adds to the registry (drawn above the axis) or takes from it (below).
export interface FlowSeries {
  key: string;
  label: string;
  values: number[];
  out: boolean;
}

/// The kinds of change of the registry's flows, in stacking order: what comes in, then what goes
/// out (the names of GET /api/v1/stats/flows and /flows/monthly).
export type FlowKind =
  'new' | 'moved_in' | 'reactivated' | 'moved_out' | 'deceased' | 'deactivated';
export const flowKinds: { key: FlowKind; out: boolean }[] = [
  { key: 'new', out: false },
  { key: 'moved_in', out: false },
  { key: 'reactivated', out: false },
  { key: 'moved_out', out: true },
  { key: 'deceased', out: true },
  { key: 'deactivated', out: true },
];

/// The net change of each month: the "in" series minus the "out" ones.
export function netChanges(series: FlowSeries[], months: number): number[] {
  const net = new Array<number>(months).fill(0);
  for (const s of series) {
    s.values.forEach((v, i) => {
      net[i] += s.out ? -v : v;
    });
  }
  return net;
}

/// "+3", "−2" (a real minus sign), "0".
export function signed(value: number): string {
  if (value > 0) {
    return `+${formatNumber(value)}`;
  }
  if (value < 0) {
    return `−${formatNumber(-value)}`;
  }
  return formatNumber(0);
}

/// A diverging column chart of the registry's changes per month: what came in stacked above
/// the axis, what went out below it, the net change written over each month. Each kind has its
/// own fill and pattern (classes flow-<key>; the "out" kinds are hatched) and a legend with its
/// name, so colour is never the only signal; a table of every number follows the chart (in a
/// <details> that anyone can open, not only screen readers).
export function flowChart(
  id: string,
  title: string,
  months: string[],
  axisLabels: string[],
  tableLabels: string[],
  series: FlowSeries[],
  columns: { month: string; net: string; show: string },
): HTMLElement {
  const width = 400;
  const top = 18;
  const half = 70;
  const axis = top + half;
  const step = width / Math.max(1, months.length);
  const ins = months.map((_, i) =>
    series.filter((s) => !s.out).reduce((sum, s) => sum + (s.values[i] ?? 0), 0),
  );
  const outs = months.map((_, i) =>
    series.filter((s) => s.out).reduce((sum, s) => sum + (s.values[i] ?? 0), 0),
  );
  const scale = niceMax(Math.max(0, ...ins, ...outs));
  const net = netChanges(series, months.length);
  const columnsSvg = months.map((month, i) => {
    const parts: SVGElement[] = [];
    let up = axis;
    let down = axis;
    for (const x of series) {
      const v = x.values[i] ?? 0;
      if (v <= 0) {
        continue;
      }
      const length = Math.max(1, (v / scale) * half);
      const y = x.out ? down : up - length;
      parts.push(
        flowRect(i * step + step * 0.15, y, step * 0.7, length, `flow-bar flow-${x.key}`, x.key),
      );
      if (x.out) {
        down += length;
      } else {
        up -= length;
      }
    }
    return s(
      'g',
      { 'data-month': month },
      ...parts,
      s(
        'text',
        {
          x: (i * step + step / 2).toFixed(1),
          y: (up - 4).toFixed(1),
          class: 'chart-value',
          'text-anchor': 'middle',
        },
        signed(net[i]),
      ),
      s(
        'text',
        {
          x: (i * step + step / 2).toFixed(1),
          y: axis + half + 16,
          class: 'chart-label',
          'text-anchor': 'middle',
        },
        axisLabels[i],
      ),
    );
  });
  const svg = s(
    'svg',
    {
      viewBox: `0 0 ${width} ${axis + half + 22}`,
      class: 'chart flow-chart',
      'aria-hidden': 'true',
      focusable: 'false',
    },
    s(
      'defs',
      {},
      s(
        'pattern',
        {
          id: `${id}-hatch`,
          width: 6,
          height: 6,
          patternUnits: 'userSpaceOnUse',
          patternTransform: 'rotate(45)',
        },
        s('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'flow-hatch' }),
      ),
    ),
    ...columnsSvg,
    s('line', { x1: 0, x2: width, y1: axis, y2: axis, class: 'chart-axis' }),
  );
  // Hatch the "out" segments: a second rectangle filled with the pattern on top of each.
  for (const rect of Array.from(svg.querySelectorAll('rect.flow-bar'))) {
    const key = rect.getAttribute('data-key');
    if (series.some((x) => x.key === key && x.out)) {
      const over = s('rect', {
        x: rect.getAttribute('x') ?? 0,
        y: rect.getAttribute('y') ?? 0,
        width: rect.getAttribute('width') ?? 0,
        height: rect.getAttribute('height') ?? 0,
        fill: `url(#${id}-hatch)`,
        class: 'flow-hatched',
      });
      rect.after(over);
    }
  }
  const legend = h(
    'ul',
    { class: 'flow-legend' },
    series.map((x) =>
      h(
        'li',
        null,
        h('span', { class: `flow-swatch flow-${x.key}${x.out ? ' flow-swatch-out' : ''}` }),
        `${x.out ? '−' : '+'} ${x.label}`,
      ),
    ),
  );
  const tableEl = h(
    'table',
    { class: 'flow-table' },
    h('caption', { class: 'visually-hidden' }, title),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, columns.month),
        series.map((x) => h('th', { scope: 'col' }, x.label)),
        h('th', { scope: 'col' }, columns.net),
      ),
    ),
    h(
      'tbody',
      null,
      tableLabels.map((m, i) =>
        h(
          'tr',
          { 'data-month': months[i] },
          h('th', { scope: 'row' }, m),
          series.map((x) => h('td', null, formatNumber(x.values[i] ?? 0))),
          h('td', null, signed(net[i])),
        ),
      ),
    ),
  );
  return h(
    'figure',
    { class: 'chart-figure flow-figure', id },
    h('figcaption', null, title),
    svg,
    legend,
    h('details', { class: 'flow-details' }, h('summary', null, columns.show), tableEl),
  );
}

function flowRect(
  x: number,
  y: number,
  width: number,
  height: number,
  cls: string,
  key: string,
): SVGElement {
  return s('rect', {
    x: x.toFixed(1),
    y: y.toFixed(1),
    width: width.toFixed(1),
    height: height.toFixed(1),
    class: cls,
    'data-key': key,
  });
}
