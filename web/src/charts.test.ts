import { describe, expect, it } from 'vitest';

import { barLengths, netChanges, niceMax, signed } from './charts';

describe('chart scales', () => {
  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(1)).toBe(1);
    expect(niceMax(3)).toBe(5);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(10)).toBe(10);
    expect(niceMax(11)).toBe(20);
    expect(niceMax(250)).toBe(500);
    expect(niceMax(501)).toBe(1000);
  });

  it('draws bars in proportion, keeps a small one visible and a zero empty', () => {
    expect(barLengths([50, 25, 0], 200)).toEqual([200, 100, 0]);
    const [big, tiny] = barLengths([1000, 1], 100);
    expect(big).toBe(100);
    expect(tiny).toBe(1);
  });
});

describe('flow chart', () => {
  it('nets what came in against what went out, month by month', () => {
    const series = [
      { key: 'new', label: 'Baru', values: [3, 0, 1], out: false },
      { key: 'moved-in', label: 'Pindah masuk', values: [1, 0, 0], out: false },
      { key: 'deceased', label: 'Meninggal', values: [1, 2, 1], out: true },
      { key: 'moved-out', label: 'Pindah keluar', values: [0, 1, 0], out: true },
    ];
    expect(netChanges(series, 3)).toEqual([3, -3, 0]);
  });

  it('writes the net change with its sign, a real minus', () => {
    expect(signed(3)).toBe('+3');
    expect(signed(-2)).toBe('−2');
    expect(signed(0)).toBe('0');
  });
});
