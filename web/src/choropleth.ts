// Classes of the choropleth: breaks at quantiles of the values (counts or rates; about as many
// areas in each class), merged where they coincide, so that every class in the legend can occur.

/// Light to dark (ColorBrewer Blues); style.css has .choropleth-0 … .choropleth-4 for the legend.
export const choroplethColours = ['#eff3ff', '#bdd7e7', '#6baed6', '#3182bd', '#08519c'];

/// The lower bounds of classes 1…n (strictly increasing, each > 0); class 0 starts at 0.
export function breaks(values: number[], classes = choroplethColours.length): number[] {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const out: number[] = [];
  for (let k = 1; k < classes; k += 1) {
    const v = sorted[Math.floor((k * sorted.length) / classes)];
    if (v !== undefined && v > 0 && (out.length === 0 || v > out[out.length - 1])) {
      out.push(v);
    }
  }
  return out;
}

/// The class of `value`: the number of breaks at or below it.
export function classOf(value: number, b: number[]): number {
  let i = 0;
  while (i < b.length && value >= b[i]) {
    i += 1;
  }
  return i;
}

/// The colour index (into choroplethColours) of class `cls` when there are `b.length + 1`
/// classes: spread from the lightest to the darkest.
export function colourIndex(cls: number, b: number[]): number {
  const last = choroplethColours.length - 1;
  return b.length === 0 ? last : Math.round((cls * last) / b.length);
}

/// Each class as [lowest, highest] value, values being multiples of `step` (1 for counts, 0.01
/// for rates with two decimals); the last class has no upper end (null).
export function classRanges(b: number[], step = 1): [number, number | null][] {
  const round = (v: number) => Math.round(v / step) * step;
  return [0, ...b].map((lo, i) => [lo, i < b.length ? round(b[i] - step) : null]);
}
