import { describe, expect, it } from 'vitest';

import { distanceMetres } from './duplicates_api';

describe('distanceMetres', () => {
  it('is zero for one point and symmetric', () => {
    expect(distanceMetres([117.47, 0.13], [117.47, 0.13])).toBe(0);
    const ab = distanceMetres([117.47, 0.13], [117.48, 0.14]);
    expect(distanceMetres([117.48, 0.14], [117.47, 0.13])).toBeCloseTo(ab, 9);
  });

  it('measures metres on the ground near the equator (Bontang)', () => {
    // 0.00036° of latitude is 40 m; 0.001° of longitude at 0.13° N is about 111 m.
    expect(distanceMetres([117.47, 0.13], [117.47, 0.13036])).toBeCloseTo(40.0, 0);
    expect(distanceMetres([117.47, 0.13], [117.471, 0.13])).toBeCloseTo(111.2, 0);
  });
});
