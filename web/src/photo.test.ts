import { describe, expect, it } from 'vitest';
import { base64Blob, base64Bytes, fitWithin } from './photo';

describe('photos made small in the browser', () => {
  it('fits a photo within the largest side keeping its shape', () => {
    expect(fitWithin(4000, 3000, 1280)).toEqual({ w: 1280, h: 960 });
    expect(fitWithin(3000, 4000, 1280)).toEqual({ w: 960, h: 1280 });
    expect(fitWithin(800, 600, 1280)).toEqual({ w: 800, h: 600 });
    expect(fitWithin(4000, 3000, 600)).toEqual({ w: 600, h: 450 });
    expect(fitWithin(1, 5000, 600)).toEqual({ w: 1, h: 600 });
  });
  it('counts and decodes base64 bytes', async () => {
    expect(base64Bytes('')).toBe(0);
    expect(base64Bytes('YQ==')).toBe(1);
    expect(base64Bytes('YWI=')).toBe(2);
    expect(base64Bytes('YWJj')).toBe(3);
    const blob = base64Blob('/9j/', 'image/jpeg');
    expect(blob.type).toBe('image/jpeg');
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([0xff, 0xd8, 0xff]);
  });
});
