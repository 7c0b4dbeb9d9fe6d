/** The rasterizer and its bitmap font: coverage, joins, dashes, text placement and rotation. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { bitmapTextWidth, glyph } from '../../src/report/font.js';
import { fontScale, Raster } from '../../src/report/raster.js';

const BLACK: [number, number, number] = [0, 0, 0];

/** The bounding box of the pixels that are not white: [x0, y0, x1, y1] (exclusive ends), or null. */
function inkBox(r: Raster): [number, number, number, number] | null {
  let box: [number, number, number, number] | null = null;
  for (let y = 0; y < r.height; y++)
    for (let x = 0; x < r.width; x++) {
      if (r.data[(y * r.width + x) * 3] === 255) continue;
      box = box
        ? [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x + 1), Math.max(box[3], y + 1)]
        : [x, y, x + 1, y + 1];
    }
  return box;
}

const pixel = (r: Raster, x: number, y: number) => [
  ...r.data.subarray((y * r.width + x) * 3, (y * r.width + x) * 3 + 3),
];

describe('bitmap font', () => {
  it('has a glyph for every printable ASCII character, and a box for the rest', () => {
    const box = glyph('☃');
    for (let code = 33; code < 127; code++) {
      const g = glyph(String.fromCharCode(code));
      assert.ok(
        g.rows.some((r) => r !== 0),
        `'${String.fromCharCode(code)}' is blank`,
      );
      assert.notEqual(g, box);
    }
    assert.equal(glyph('μ').rows[7], 16, 'μ has a descender');
    assert.ok(glyph('—').rows.some((r) => r !== 0));
    assert.deepEqual(glyph('g').rows.slice(7), [1, 14], 'g has a descender');
  });

  it('spaces glyphs proportionally, digits at full width', () => {
    assert.equal(glyph('1').width, 5);
    assert.equal(glyph('.').width, 2);
    assert.equal(glyph(' ').width, 3);
    assert.equal(bitmapTextWidth('1e-4'), 5 + 1 + 5 + 1 + 3 + 1 + 5);
    assert.equal(bitmapTextWidth(''), 0);
    // The layout reserves 0.6 em a character; the bitmap text never needs more.
    for (const size of [11, 12, 16])
      for (const r of [1, 2, 3]) assert.ok(6 * fontScale(size, r) <= 0.6 * size * r, `${size} px at ${r}x`);
  });
});

describe('Raster', () => {
  it('fills rectangles, covering edge pixels in proportion', () => {
    const r = new Raster(10, 10);
    r.fillRect(2, 2, 4.5, 4, BLACK);
    assert.deepEqual(pixel(r, 2, 2), [0, 0, 0]);
    assert.deepEqual(pixel(r, 4, 3), [128, 128, 128]);
    assert.deepEqual(pixel(r, 5, 3), [255, 255, 255]);
    assert.deepEqual(inkBox(r), [2, 2, 5, 4]);
  });

  it('draws a crisp two-pixel line along pixel edges', () => {
    const r = new Raster(20, 10);
    r.strokePolyline([2, 5, 18, 5], 2, BLACK);
    assert.deepEqual(pixel(r, 10, 4), [0, 0, 0]);
    assert.deepEqual(pixel(r, 10, 5), [0, 0, 0]);
    assert.deepEqual(pixel(r, 10, 3), [255, 255, 255]);
    assert.deepEqual(pixel(r, 10, 6), [255, 255, 255]);
  });

  it('does not darken a translucent polyline where its segments meet', () => {
    const r = new Raster(40, 40);
    r.strokePolyline([5, 20, 20, 20, 20, 35], 4, BLACK, 0.5);
    assert.deepEqual(pixel(r, 20, 20), pixel(r, 12, 20));
    assert.deepEqual(pixel(r, 12, 20), [128, 128, 128]);
  });

  it('anti-aliases a diagonal line', () => {
    const r = new Raster(30, 30);
    r.strokePolyline([2, 3, 27, 22], 1.5, BLACK);
    const greys = new Set<number>();
    for (let i = 0; i < r.data.length; i += 3) if (r.data[i]! > 0 && r.data[i]! < 255) greys.add(r.data[i]!);
    assert.ok(greys.size > 10, `${greys.size} grey levels`);
  });

  it('dashes a line', () => {
    const r = new Raster(40, 5);
    r.strokePolyline([0, 2.5, 40, 2.5], 1, BLACK, 1, [6, 4]);
    const row = Array.from({ length: 40 }, (_, x) => (pixel(r, x, 2)[0]! < 128 ? '#' : '.')).join('');
    assert.equal(row, '######....######....######....######....');
  });

  it('writes text on its baseline, anchored, and turned to read upwards', () => {
    const r = new Raster(200, 100);
    r.drawText('Hg', 100, 50, { scale: 2, color: BLACK, anchor: 'middle' });
    const width = bitmapTextWidth('Hg') * 2;
    // Capitals stand 7 font pixels on the baseline; g's descender hangs 2 below it.
    assert.deepEqual(inkBox(r), [100 - width / 2, 50 - 14, 100 + width / 2, 54]);

    const turned = new Raster(100, 200);
    turned.drawText('Hg', 50, 100, { scale: 2, color: BLACK, anchor: 'start', rotate: -90 });
    assert.deepEqual(inkBox(turned), [50 - 14, 100 - width, 54, 100]);
  });
});
