/**
 * The PNG path: checksums against known values and node:zlib, the encoder read back by an independent
 * decoder, and a whole plot: signature, IHDR size, CRC-correct chunks, and the curve's colour on screen.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync, crc32 as zlibCrc32 } from 'node:zlib';

import { adler32, crc32, encodePng, storedZlib } from '../../src/report/png.js';
import { linePlotImage, linePlotPng } from '../../src/report/png-plot.js';
import type { LinePlotSpec } from '../../src/report/spec.js';
import { countColor, decodePng, PNG_SIGNATURE, readChunks } from './decode-png.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('checksums', () => {
  it('computes CRC-32 and Adler-32 as the standards define them', () => {
    assert.equal(crc32(bytes('123456789')), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
    assert.equal(crc32(bytes('IEND')), 0xae426082);
    const random = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 2654435761) >>> 24);
    assert.equal(crc32(random), zlibCrc32(random));
    assert.equal(crc32(random.subarray(5000), crc32(random.subarray(0, 5000))), crc32(random));
    assert.equal(adler32(bytes('Wikipedia')), 0x11e60398);
    assert.equal(adler32(new Uint8Array(0)), 1);
    // Long enough to need the modulo inside the loop; the value is Python's zlib.adler32(b'\xff' * 100000).
    assert.equal(adler32(new Uint8Array(100_000).fill(255)), 0x149a302c);
  });

  it('writes stored zlib streams that inflate back, across block boundaries', () => {
    for (const size of [0, 1, 65535, 65536, 200_000]) {
      const data = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff);
      assert.deepEqual(new Uint8Array(inflateSync(storedZlib(data))), data, `size ${size}`);
    }
  });
});

describe('encodePng', () => {
  const image = {
    width: 3,
    height: 2,
    data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]),
  };

  it('writes signature, IHDR, IDAT and IEND with correct CRCs, and reads back pixel for pixel', () => {
    for (const deflate of [undefined, storedZlib]) {
      const png = encodePng(image, { deflate });
      assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
      const chunks = readChunks(png);
      assert.deepEqual(
        chunks.map((c) => c.type),
        ['IHDR', 'IDAT', 'IEND'],
      );
      assert.ok(chunks.every((c) => c.crcOk));
      const decoded = decodePng(png);
      assert.deepEqual([decoded.width, decoded.height, decoded.bitDepth, decoded.colorType], [3, 2, 8, 2]);
      assert.deepEqual(decoded.pixels, image.data);
    }
  });

  it('refuses a buffer of the wrong size', () => {
    assert.throws(
      () => encodePng({ width: 2, height: 2, data: new Uint8Array(11) }),
      /needs 12 bytes, got 11/,
    );
    assert.throws(() => encodePng({ width: 0, height: 2, data: new Uint8Array(0) }), /positive integers/);
  });
});

describe('linePlotPng', () => {
  const spec: LinePlotSpec = {
    title: 'A test plot',
    xLabel: 'x',
    yLabel: 'y',
    series: [
      { name: 'up', x: [0, 1, 2, 3], y: [0, 1, 4, 9], color: '#d62728' },
      { name: 'flat', x: [0, 1, 2, 3], y: [2, 2, NaN, 2], color: '#2ca02c' },
    ],
    markers: [{ x: 1.5, label: 'here', color: '#1f77b4' }],
    width: 400,
    height: 300,
  };

  it('is a valid PNG of the spec size times the pixel ratio', () => {
    for (const [pixelRatio, w, h] of [
      [undefined, 800, 600],
      [1, 400, 300],
      [3, 1200, 900],
    ] as const) {
      const png = linePlotPng(spec, { pixelRatio });
      assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
      const chunks = readChunks(png);
      assert.equal(chunks[0]!.type, 'IHDR');
      assert.equal(chunks.at(-1)!.type, 'IEND');
      assert.ok(
        chunks.every((c) => c.crcOk),
        'every chunk CRC matches',
      );
      const decoded = decodePng(png);
      assert.deepEqual([decoded.width, decoded.height], [w, h]);
      assert.ok(decoded.filters.every((f) => f === 0));
    }
  });

  it('draws the curves in their colours on a white background, with the text in dark ink', () => {
    const decoded = decodePng(linePlotPng(spec));
    const total = decoded.width * decoded.height;
    assert.ok(countColor(decoded, [255, 255, 255]) > total / 2, 'mostly background');
    assert.ok(countColor(decoded, [0xd6, 0x27, 0x28]) > 500, 'the red curve');
    assert.ok(countColor(decoded, [0x2c, 0xa0, 0x2c]) > 500, 'the green curve');
    assert.ok(countColor(decoded, [0x1f, 0x77, 0xb4]) > 100, 'the blue marker');
    assert.ok(countColor(decoded, [0x22, 0x22, 0x22]) > 500, 'the text');
  });

  it('compresses with node:zlib by default, and can do without it', () => {
    const compressed = linePlotPng(spec);
    const stored = linePlotPng(spec, { deflate: storedZlib });
    assert.ok(compressed.length < stored.length / 10, `${compressed.length} vs ${stored.length}`);
    assert.deepEqual(decodePng(compressed).pixels, decodePng(stored).pixels);
    assert.deepEqual(decodePng(stored).pixels, linePlotImage(spec).data);
  });
});
