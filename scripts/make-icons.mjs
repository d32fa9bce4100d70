#!/usr/bin/env node
// scripts/make-icons.mjs: draws the web app's install icons web/public/icons/icon-192.png and
// icon-512.png (a white boat — "kapal" — on the brand colour of web/src/style.css), with no
// dependency but Node's zlib. The output is the same on every run; commit what it writes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/public/icons');
const brand = [0x0b, 0x4f, 0x6c]; // --brand
const white = [0xff, 0xff, 0xff];

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) {
    c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/// Whether the point (x, y) in units of the icon's size (0..1) is part of the boat. Everything
/// stays inside the middle 80 % so that a "maskable" icon cut to a circle keeps it whole.
function boat(x, y) {
  // Hull: a trapezoid, wide at the deck (y 0.62), narrow at the keel (y 0.74).
  if (y >= 0.62 && y <= 0.74) {
    const inset = ((y - 0.62) / 0.12) * 0.08;
    if (x >= 0.24 + inset && x <= 0.76 - inset) {
      return true;
    }
  }
  // Mast.
  if (x >= 0.485 && x <= 0.515 && y >= 0.24 && y <= 0.62) {
    return true;
  }
  // Sail: a triangle right of the mast, from the top of the mast down to above the deck.
  if (y >= 0.26 && y <= 0.58 && x >= 0.535) {
    const width = ((y - 0.26) / 0.32) * 0.2;
    return x <= 0.535 + width;
  }
  // Jib: a smaller triangle left of the mast.
  if (y >= 0.34 && y <= 0.58 && x <= 0.465) {
    const width = ((y - 0.34) / 0.24) * 0.14;
    return x >= 0.465 - width;
  }
  return false;
}

function icon(size) {
  const samples = 4; // 4×4 samples a pixel: smooth edges
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 3); // filter byte 0, then RGB
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          if (boat((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size)) {
            hits++;
          }
        }
      }
      const a = hits / (samples * samples);
      for (let c = 0; c < 3; c++) {
        row[1 + px * 3 + c] = Math.round(brand[c] * (1 - a) + white[c] * a);
      }
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

fs.mkdirSync(out, { recursive: true });
for (const size of [192, 512]) {
  fs.writeFileSync(path.join(out, `icon-${size}.png`), icon(size));
}
