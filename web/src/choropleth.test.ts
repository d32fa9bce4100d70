import { describe, expect, it } from 'vitest';

import { breaks, classOf, classRanges, colourIndex } from './choropleth';

describe('choropleth classes', () => {
  it('puts about as many areas in each of five classes', () => {
    const values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    const b = breaks(values);
    expect(b).toEqual([30, 50, 70, 90]);
    const perClass = [0, 0, 0, 0, 0];
    values.forEach((v) => (perClass[classOf(v, b)] += 1));
    expect(perClass).toEqual([2, 2, 2, 2, 2]);
  });

  it('merges coinciding breaks so that every class in the legend can occur', () => {
    const b = breaks([5, 5, 5, 5, 5, 5, 5, 5, 9, 12]);
    expect(b).toEqual([5, 9]);
    expect(classRanges(b)).toEqual([
      [0, 4],
      [5, 8],
      [9, null],
    ]);
    const seen = new Set([5, 5, 9, 12, 0].map((v) => classOf(v, b)));
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });

  it('keeps zero in the lightest class and spreads colours from light to dark', () => {
    const b = breaks([0, 0, 0, 3, 8]);
    expect(classOf(0, b)).toBe(0);
    expect(colourIndex(0, b)).toBe(0);
    expect(colourIndex(b.length, b)).toBe(4);
    expect(breaks([])).toEqual([]);
    expect(colourIndex(classOf(7, []), [])).toBe(4);
  });

  it('ranges of rates end one hundredth below the next class', () => {
    const b = breaks([0.5, 1.25, 2.5, 3.75, 5.1]);
    const r = classRanges(b, 0.01);
    for (let i = 1; i < r.length; i += 1) {
      expect(r[i][0] - (r[i - 1][1] as number)).toBeCloseTo(0.01, 10);
    }
    expect(r[r.length - 1][1]).toBeNull();
  });

  it('each range starts where the previous one ended', () => {
    const b = breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const r = classRanges(b);
    for (let i = 1; i < r.length; i += 1) {
      expect(r[i][0]).toBe((r[i - 1][1] as number) + 1);
    }
    for (const v of [1, 4, 7, 13]) {
      const [lo, hi] = r[classOf(v, b)];
      expect(v).toBeGreaterThanOrEqual(lo);
      expect(hi === null || v <= hi).toBe(true);
    }
  });
});
