import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import { encodeIdx, parseIdx, type IdxArray } from '../../src/data/idx.js';
import { readIdxFile } from '../../src/data/idx-file.js';
import { temporaryDir } from './fixtures.js';

/** Builds IDX bytes by hand (big-endian), independently of encodeIdx, so the parser is checked against the spec. */
function handMadeIdx(typeCode: number, shape: number[], payload: number[]): Uint8Array {
  const header = [0, 0, typeCode, shape.length];
  for (const size of shape) header.push((size >>> 24) & 255, (size >>> 16) & 255, (size >>> 8) & 255, size & 255);
  return Uint8Array.from([...header, ...payload]);
}

// One case per IDX type code: the bytes as the spec lays them out, and the values they must decode to.
const TYPE_CASES: { code: number; dtype: IdxArray['dtype']; payload: number[]; values: number[] }[] = [
  { code: 0x08, dtype: 'uint8', payload: [0, 1, 127, 128, 254, 255], values: [0, 1, 127, 128, 254, 255] },
  { code: 0x09, dtype: 'int8', payload: [0, 1, 127, 128, 254, 255], values: [0, 1, 127, -128, -2, -1] },
  {
    code: 0x0b,
    dtype: 'int16',
    payload: [0x00, 0x01, 0x01, 0x00, 0x7f, 0xff, 0x80, 0x00, 0xff, 0xfe, 0xff, 0xff],
    values: [1, 256, 32767, -32768, -2, -1],
  },
  {
    code: 0x0c,
    dtype: 'int32',
    payload: [0, 0, 0, 1, 0, 0, 1, 0, 0x7f, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xfe, 0, 1, 0, 0],
    values: [1, 256, 2147483647, -2147483648, -2, 65536],
  },
  {
    code: 0x0d,
    dtype: 'float32',
    // 1.0, -2.5, 0.1f, +inf, 0, 3.0
    payload: [
      0x3f, 0x80, 0, 0, 0xc0, 0x20, 0, 0, 0x3d, 0xcc, 0xcc, 0xcd, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0x40, 0x40, 0, 0,
    ],
    values: [1, -2.5, Math.fround(0.1), Infinity, 0, 3],
  },
  {
    code: 0x0e,
    dtype: 'float64',
    // 1.0, -2.0, 0.1, 1e300, -0.5, 2^-1074
    payload: [
      0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a, 0x7e,
      0x37, 0xe4, 0x3c, 0x88, 0x00, 0x75, 0x9c, 0xbf, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
    ],
    values: [1, -2, 0.1, 1e300, -0.5, 5e-324],
  },
];

describe('parseIdx', () => {
  for (const { code, dtype, payload, values } of TYPE_CASES) {
    it(`decodes type code 0x${code.toString(16).padStart(2, '0')} as ${dtype}, big-endian`, () => {
      const parsed = parseIdx(handMadeIdx(code, [2, 3], payload), 'case');
      assert.equal(parsed.dtype, dtype);
      assert.deepEqual(parsed.shape, [2, 3]);
      assert.deepEqual(Array.from(parsed.data), values);
      assert.equal(parsed.data.constructor.name, `${dtype[0]!.toUpperCase()}${dtype.slice(1)}Array`);
    });

    it(`round-trips ${dtype} through encodeIdx byte for byte`, () => {
      const bytes = handMadeIdx(code, [2, 3], payload);
      assert.deepEqual(encodeIdx(parseIdx(bytes, 'case')), bytes);
    });
  }

  it('reads MNIST-like 3-d images in row-major order', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
    const parsed = parseIdx(handMadeIdx(0x08, [2, 3, 4], Array.from(data)), 'images');
    assert.deepEqual(parsed.shape, [2, 3, 4]);
    assert.equal(parsed.data[1 * 12 + 2 * 4 + 3], (12 + 8 + 3) * 10);
  });

  it('accepts a parse from a view into a larger buffer', () => {
    const inner = handMadeIdx(0x0b, [2], [0x12, 0x34, 0xff, 0x00]);
    const outer = new Uint8Array(inner.length + 3);
    outer.set(inner, 3);
    assert.deepEqual(Array.from(parseIdx(outer.subarray(3), 'view').data), [0x1234, -256]);
  });

  it('accepts a dimension of size 0 (an empty array)', () => {
    const parsed = parseIdx(handMadeIdx(0x08, [0, 28, 28], []), 'empty');
    assert.deepEqual(parsed.shape, [0, 28, 28]);
    assert.equal(parsed.data.length, 0);
  });
});

describe('parseIdx errors name the file, what was expected and what was found', () => {
  it('bad magic: non-zero leading bytes', () => {
    assert.throws(
      () => parseIdx(Uint8Array.from([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0]), 'labels.idx'),
      (error: Error) => {
        assert.match(error.message, /^labels\.idx: bad magic number 0x12340801: expected 0x0000TTDD/);
        assert.match(error.message, /first two bytes are 0x12 0x34/);
        return true;
      },
    );
  });

  it('bad magic: gzip bytes passed without decompressing get a hint', () => {
    const gz = gzipSync(handMadeIdx(0x08, [1], [7]));
    assert.throws(() => parseIdx(gz, 'x.gz'), /x\.gz: bad magic number 0x1F8B.*this looks like gzip data/);
  });

  it('unknown type code', () => {
    assert.throws(
      () => parseIdx(Uint8Array.from([0, 0, 0x01, 0x23, 0, 0, 0, 1, 5]), 'weird-idx'),
      (error: Error) => {
        assert.equal(
          error.message,
          'weird-idx: bad magic number 0x00000123: unknown IDX type code 0x01, expected one of ' +
            '0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64',
        );
        return true;
      },
    );
  });

  it('zero dimensions', () => {
    assert.throws(
      () => parseIdx(Uint8Array.from([0, 0, 0x08, 0x00, 1, 2]), 'f'),
      /^Error: f: bad magic number 0x00000800: the number of dimensions is 0, expected 1 to 255$/,
    );
  });

  it('file shorter than the magic number', () => {
    assert.throws(() => parseIdx(Uint8Array.from([0, 0]), 'tiny'), /tiny: not an IDX file: it is 2 bytes long/);
  });

  it('header cut inside the dimensions', () => {
    assert.throws(
      () => parseIdx(Uint8Array.from([0, 0, 0x08, 0x03, 0, 0, 0x27, 0x10, 0, 0]), 'images'),
      /images: truncated IDX header: magic number 0x00000803 announces 3 dimensions, which need a 16-byte header, but the file is only 10 bytes long/,
    );
  });

  it('dimension too large', () => {
    assert.throws(
      () => parseIdx(Uint8Array.from([0, 0, 0x08, 0x01, 0xff, 0xff, 0xff, 0xff]), 'big'),
      /big: bad IDX header: dimension 0 is 4294967295, expected at most 2147483647/,
    );
  });

  it('truncated payload, with the arithmetic spelled out', () => {
    const header = handMadeIdx(0x08, [10000, 28, 28], []);
    const bytes = new Uint8Array(header.length + 512000);
    bytes.set(header);
    assert.throws(
      () => parseIdx(bytes, 't10k-images-idx3-ubyte.gz'),
      (error: Error) => {
        assert.equal(
          error.message,
          't10k-images-idx3-ubyte.gz: truncated IDX file: header says 10000x28x28 = 7840000 bytes of data, ' +
            'but only 512000 follow (the download may be incomplete)',
        );
        return true;
      },
    );
  });

  it('truncated multi-byte payload counts values and bytes', () => {
    assert.throws(
      () => parseIdx(handMadeIdx(0x0e, [3], [0, 0, 0, 0, 0, 0, 0, 0]), 'd'),
      /d: truncated IDX file: header says 3 = 3 float64 values = 24 bytes of data, but only 8 follow/,
    );
  });

  it('trailing bytes', () => {
    assert.throws(
      () => parseIdx(handMadeIdx(0x08, [2, 2], [1, 2, 3, 4, 5, 6, 7]), 'labels'),
      (error: Error) => {
        assert.match(error.message, /^labels: IDX file has 3 unexpected trailing bytes: header says 2x2 = 4 bytes/);
        assert.match(error.message, /but 7 follow/);
        return true;
      },
    );
  });
});

describe('readIdxFile', () => {
  it('reads raw and gzipped files of every type to the same values', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      for (const { code, dtype, payload, values } of TYPE_CASES) {
        const bytes = handMadeIdx(code, [3, 2], payload);
        const rawPath = join(dir, `${dtype}.idx`);
        // A misleading extension on purpose: detection must use the gzip magic number, not the name.
        const gzPath = join(dir, `${dtype}.idx.data`);
        await writeFile(rawPath, bytes);
        await writeFile(gzPath, gzipSync(bytes));
        for (const path of [rawPath, gzPath]) {
          const parsed = await readIdxFile(path);
          assert.equal(parsed.dtype, dtype);
          assert.deepEqual(parsed.shape, [3, 2]);
          assert.deepEqual(Array.from(parsed.data), values);
        }
      }
    } finally {
      await remove();
    }
  });

  it('reports a corrupted gzip stream with the file name', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      const gz = gzipSync(handMadeIdx(0x08, [100], Array.from({ length: 100 }, (_, i) => i)));
      const corrupted = Uint8Array.from(gz);
      for (let i = 12; i < corrupted.length - 8; i++) corrupted[i] ^= 0x5a;
      const path = join(dir, 'train-labels-idx1-ubyte.gz');
      await writeFile(path, corrupted);
      await assert.rejects(readIdxFile(path), (error: Error) => {
        assert.ok(error.message.startsWith(`${path}: not a valid gzip stream: `), error.message);
        assert.match(error.message, /download may be incomplete or corrupted/);
        return true;
      });

      const cut = join(dir, 'cut.gz');
      await writeFile(cut, gz.subarray(0, gz.length - 20));
      await assert.rejects(readIdxFile(cut), new RegExp(`^Error: ${cut}: not a valid gzip stream: unexpected end of file`));
    } finally {
      await remove();
    }
  });

  it('reports IDX problems inside a valid gzip stream with the file path', async () => {
    const { dir, remove } = await temporaryDir();
    try {
      const path = join(dir, 'short.gz');
      await writeFile(path, gzipSync(handMadeIdx(0x08, [5, 2], [1, 2, 3])));
      await assert.rejects(
        readIdxFile(path),
        new RegExp(`^Error: ${path}: truncated IDX file: header says 5x2 = 10 bytes of data, but only 3 follow`),
      );
    } finally {
      await remove();
    }
  });
});
