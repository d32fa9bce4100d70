import { describe, expect, it } from 'vitest';
import { parseSort } from './pages/data';

describe('the Data page order', () => {
  it('reads the sort parameter the API takes', () => {
    expect(parseSort('name')).toEqual({ column: 'name', dir: 1 });
    expect(parseSort('-birth_date')).toEqual({ column: 'birth_date', dir: -1 });
    expect(parseSort('kelurahan')).toEqual({ column: 'kelurahan', dir: 1 });
    expect(parseSort('')).toBeNull();
    expect(parseSort('-')).toBeNull();
    expect(parseSort('status')).toBeNull(); // sorted by no one: not offered
  });
});
