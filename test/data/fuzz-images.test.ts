// Fuzz tests of every file parser in the data layer: thousands of seeded mutations of valid PNG,
// JPEG, CSV and IDX files (bit flips, byte overwrites, truncation, corrupted chunk lengths and
// markers). Each input must either parse or throw an Error naming the file: no crash, no hang
// (every decode is timed), nothing thrown that is not an Error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { encode as encodePngFile } from 'fast-png';
import jpeg from 'jpeg-js';

import { csvDataset } from '../../src/data/csv.js';
import { decodeImage } from '../../src/data/decode.js';
import { encodeIdx, parseIdx } from '../../src/data/idx.js';
import { Generator } from '../../src/tensor/random.js';

/** Slowest acceptable single parse, in milliseconds: far above the usual < 5 ms, far below a hang. */
const MAX_MS = 1000;

type Mutator = (bytes: Uint8Array, g: Generator) => Uint8Array;

const flipBits: Mutator = (bytes, g) => {
  const out = bytes.slice();
  const flips = 1 + g.integer(0, 8);
  for (let k = 0; k < flips; k++) {
    const i = g.integer(0, out.length);
    out[i] = out[i]! ^ (1 << g.integer(0, 8));
  }
  return out;
};

const overwriteBytes: Mutator = (bytes, g) => {
  const out = bytes.slice();
  const count = 1 + g.integer(0, 4);
  const interesting = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe];
  for (let k = 0; k < count; k++) {
    out[g.integer(0, out.length)] = g.random() < 0.5 ? interesting[g.integer(0, interesting.length)]! : g.integer(0, 256);
  }
  return out;
};

const truncate: Mutator = (bytes, g) => bytes.slice(0, g.integer(0, bytes.length));

const duplicateSpan: Mutator = (bytes, g) => {
  const start = g.integer(0, bytes.length);
  const end = Math.min(bytes.length, start + 1 + g.integer(0, 32));
  const at = g.integer(0, bytes.length);
  const out = new Uint8Array(bytes.length + end - start);
  out.set(bytes.subarray(0, at));
  out.set(bytes.subarray(start, end), at);
  out.set(bytes.subarray(at), at + end - start);
  return out;
};

/** Sets the 4-byte length of a random PNG chunk to a random or extreme value. */
const corruptPngChunkLength: Mutator = (bytes, g) => {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const starts: number[] = [];
  for (let at = 8; at + 12 <= out.length; at += 12 + view.getUint32(at)) starts.push(at);
  if (starts.length === 0) return flipBits(bytes, g);
  const at = starts[g.integer(0, starts.length)]!;
  const choices = [0, 1, 0xffffffff, 0x7fffffff, view.getUint32(at) + 1, view.getUint32(at) - 1, g.nextUint32()];
  view.setUint32(at, choices[g.integer(0, choices.length)]! >>> 0);
  return out;
};

/** Rewrites the IHDR width and height (with a correct CRC, so only the size check can catch it). */
const corruptPngSize: Mutator = (bytes, g) => {
  if (bytes.length < 33) return truncate(bytes, g);
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const sizes = [0, 1, 65535, 0x7fffffff, 0xffffffff, g.nextUint32()];
  view.setUint32(16, sizes[g.integer(0, sizes.length)]!);
  view.setUint32(20, sizes[g.integer(0, sizes.length)]!);
  view.setUint32(29, crc32(out.subarray(12, 29)));
  return out;
};

/** Corrupts the length or contents of a random JPEG marker segment. */
const corruptJpegSegment: Mutator = (bytes, g) => {
  const out = bytes.slice();
  const markers: number[] = [];
  for (let i = 2; i + 3 < out.length; i++) if (out[i] === 0xff && out[i + 1]! >= 0xc0 && out[i + 1]! !== 0xff) markers.push(i);
  if (markers.length === 0) return flipBits(bytes, g);
  const at = markers[g.integer(0, markers.length)]!;
  const choice = g.integer(0, 4);
  if (choice === 0) out[at + 2] = 0xff;
  else if (choice === 1) out[at + 3] = g.integer(0, 256);
  else if (choice === 2) out[at + 1] = g.integer(0xc0, 0xff);
  else out.fill(0xff, at + 4, Math.min(out.length, at + 8));
  return out;
};

/** Rewrites the JPEG frame size (SOF0 height and width) to extreme values. */
const corruptJpegSize: Mutator = (bytes, g) => {
  const out = bytes.slice();
  for (let i = 2; i + 9 < out.length; i++) {
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      const sizes = [0, 1, 0xffff, 0x8000, g.integer(0, 0x10000)];
      new DataView(out.buffer).setUint16(i + 5, sizes[g.integer(0, sizes.length)]!);
      new DataView(out.buffer).setUint16(i + 7, sizes[g.integer(0, sizes.length)]!);
      break;
    }
  }
  return out;
};

/** Mutates the data of a random PNG chunk and then repairs its CRC, so the damage reaches the decoder proper. */
const corruptPngChunkData: Mutator = (bytes, g) => {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const chunks: [number, number][] = [];
  for (let at = 8; at + 12 <= out.length && view.getUint32(at) <= out.length - at - 12; at += 12 + view.getUint32(at)) {
    chunks.push([at, view.getUint32(at)]);
  }
  const withData = chunks.filter(([, length]) => length > 0);
  if (withData.length === 0) return flipBits(bytes, g);
  const [at, length] = withData[g.integer(0, withData.length)]!;
  const flips = 1 + g.integer(0, 4);
  for (let k = 0; k < flips; k++) {
    const i = at + 8 + g.integer(0, length);
    out[i] = g.random() < 0.5 ? out[i]! ^ (1 << g.integer(0, 8)) : g.integer(0, 256);
  }
  view.setUint32(at + 8 + length, crc32(out.subarray(at + 4, at + 8 + length)));
  return out;
};

function crc32(bytes: Uint8Array): number {
  let c = ~0 >>> 0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

interface FuzzResult {
  parsed: number;
  rejected: number;
  slowest: number;
}

/** Runs `parse` on `count` seeded mutations of the seeds; asserts the clean-failure property. */
function fuzz(
  seeds: readonly Uint8Array[],
  mutators: readonly Mutator[],
  count: number,
  seed: number,
  parse: (bytes: Uint8Array, name: string) => unknown,
): FuzzResult {
  const g = new Generator(seed);
  const result: FuzzResult = { parsed: 0, rejected: 0, slowest: 0 };
  for (let n = 0; n < count; n++) {
    const original = seeds[n % seeds.length]!;
    // One to three mutations stacked, so damage compounds.
    let bytes = original;
    const rounds = 1 + g.integer(0, 3);
    for (let r = 0; r < rounds && bytes.length > 0; r++) bytes = mutators[g.integer(0, mutators.length)]!(bytes, g);
    const name = `fuzz-${seed}-${n}.bin`;
    const start = performance.now();
    try {
      parse(bytes, name);
      result.parsed++;
    } catch (error) {
      assert.ok(error instanceof Error, `case ${n}: threw a non-Error: ${String(error)}`);
      assert.ok(error.message.includes(name), `case ${n}: the error does not name the file: ${error.message}`);
      result.rejected++;
    }
    const ms = performance.now() - start;
    result.slowest = Math.max(result.slowest, ms);
    assert.ok(ms < MAX_MS, `case ${n}: took ${ms.toFixed(0)} ms`);
  }
  return result;
}

function pngSeeds(): Uint8Array[] {
  const g = new Generator(11);
  const pixels = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => g.integer(0, 256));
  return [
    encodePngFile({ width: 8, height: 6, data: pixels(8 * 6 * 3), channels: 3, depth: 8 }),
    encodePngFile({ width: 7, height: 5, data: pixels(7 * 5), channels: 1, depth: 8 }),
    encodePngFile({ width: 5, height: 4, data: pixels(5 * 4 * 4), channels: 4, depth: 8 }),
    encodePngFile({ width: 4, height: 4, data: Uint16Array.from({ length: 16 }, () => g.integer(0, 65536)), channels: 1, depth: 16 }),
  ];
}

function jpegSeeds(): Uint8Array[] {
  const g = new Generator(12);
  const rgba = (w: number, h: number): Uint8Array => Uint8Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : g.integer(0, 256)));
  return [
    new Uint8Array(jpeg.encode({ width: 8, height: 8, data: rgba(8, 8) }, 90).data),
    new Uint8Array(jpeg.encode({ width: 13, height: 7, data: rgba(13, 7) }, 50).data),
    new Uint8Array(jpeg.encode({ width: 16, height: 16, data: rgba(16, 16) }, 75).data),
  ];
}

describe('fuzzing the file parsers (seeded mutations of valid files)', () => {
  it('PNG: 1,000 mutated files each decode or fail with an Error naming the file', () => {
    const seeds = pngSeeds();
    for (const seed of seeds) assert.ok(decodeImage(seed, 'seed.png').data.length > 0);
    const r = fuzz(
      seeds,
      [flipBits, overwriteBytes, truncate, duplicateSpan, corruptPngChunkLength, corruptPngSize, corruptPngChunkData, corruptPngChunkData],
      1000,
      1,
      (bytes, name) => decodeImage(bytes, name, { maxPixels: 4096 }),
    );
    assert.ok(r.rejected > 800, `most mutations must be caught (CRC, structure), rejected ${r.rejected}`);
  });

  it('JPEG: 1,000 mutated files each decode or fail with an Error naming the file', () => {
    const seeds = jpegSeeds();
    for (const seed of seeds) assert.ok(decodeImage(seed, 'seed.jpg').data.length > 0);
    const r = fuzz(
      seeds,
      [flipBits, overwriteBytes, truncate, duplicateSpan, corruptJpegSegment, corruptJpegSize],
      1000,
      2,
      (bytes, name) => decodeImage(bytes, name, { grayscale: true, maxPixels: 4096 }),
    );
    // JPEG has no checksum, so a flipped bit in the entropy-coded data often still decodes.
    assert.ok(r.rejected > 200 && r.parsed > 100, `parsed ${r.parsed}, rejected ${r.rejected}`);
  });

  it('CSV: 1,000 mutated files each load or fail with an Error naming the file', () => {
    const text =
      'sepal_length,sepal_width,"petal length",species\r\n' +
      '5.1,3.5,1.4,setosa\r\n4.9,3.0,1.4,"setosa"\r\n7.0,3.2,4.7,versicolor\r\n' +
      '6.3,3.3,6.0,"vir,""ginica"""\r\n5.8,2.7,5.1,virginica\r\n';
    const seeds = [new TextEncoder().encode(text), new TextEncoder().encode('a;b;label\n1;2;0\n3;4;1\n5;6;2\n')];
    const decoder = new TextDecoder();
    const r = fuzz(seeds, [flipBits, overwriteBytes, truncate, duplicateSpan], 1000, 3, (bytes, name) =>
      csvDataset(decoder.decode(bytes), name, { delimiter: bytes.includes(0x3b) ? ';' : ',' }),
    );
    assert.ok(r.parsed > 50 && r.rejected > 50, `parsed ${r.parsed}, rejected ${r.rejected}`);
  });

  it('IDX: 1,000 mutated files each parse or fail with an Error naming the file', () => {
    const seeds = [
      encodeIdx({ dtype: 'uint8', shape: [3, 4, 4], data: Uint8Array.from({ length: 48 }, (_, i) => i) }),
      encodeIdx({ dtype: 'uint8', shape: [10], data: Uint8Array.from({ length: 10 }, (_, i) => i % 10) }),
      encodeIdx({ dtype: 'float32', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }),
      encodeIdx({ dtype: 'int16', shape: [5], data: Int16Array.of(-1, 0, 1, 300, -300) }),
    ];
    const r = fuzz(seeds, [flipBits, overwriteBytes, truncate, duplicateSpan], 1000, 4, (bytes, name) => parseIdx(bytes, name));
    assert.ok(r.parsed > 50 && r.rejected > 500, `parsed ${r.parsed}, rejected ${r.rejected}`);
  });
});
