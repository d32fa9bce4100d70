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
