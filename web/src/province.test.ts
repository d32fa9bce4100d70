import { describe, expect, it } from 'vitest';

import { figure, kCapitals, mapPoint, trend } from './pages/province';

const counts = (end: number | null) => ({
  start: 0,
  new: end,
  moved_in: 0,
  reactivated: 0,
  moved_out: 0,
  deceased: null,
  deactivated: 0,
  end,
});

describe('province page', () => {
  it('places the capitals inside the map, north up and east right', () => {
    for (const [lon, lat] of Object.values(kCapitals)) {
      const [x, y] = mapPoint(lon, lat);
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(320);
      expect(y).toBeGreaterThan(0);
      expect(y).toBeLessThan(400);
    }
    const [bx, by] = mapPoint(...kCapitals['64.03']); // Berau, in the north
    const [px, py] = mapPoint(...kCapitals['64.01']); // Paser, in the south-west
    expect(by).toBeLessThan(py);
    expect(bx).toBeGreaterThan(px);
    expect(Object.keys(kCapitals)).toHaveLength(10);
  });

  it('shows a suppressed figure as <5, never as 0, and the trend oldest first', () => {
    expect(figure(counts(null), 'end')).toBe('<5');
    expect(figure(counts(12), 'end')).toBe('12');
    expect(figure(counts(12), 'deceased')).toBe('<5');
    expect(figure(undefined, 'end')).toBe('—');
    expect(
      trend(
        ['2026-Q1', '2026-Q2', '2026-Q3'],
        [
          { period: '2026-Q3', counts: counts(140) },
          { period: '2026-Q1', counts: counts(null) },
        ],
      ),
    ).toBe('<5 → 140');
  });
});
