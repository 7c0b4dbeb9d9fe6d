import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { manualSeed, matmul, randn, tensor, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/golden.js';

const TIGHT = { rtol: 1e-12, atol: 1e-12 };

/** torch.matmul written out: promote 1-D operands, broadcast batch dims with explicit loops, drop the added dims. */
function naiveMatmul(a: Tensor, b: Tensor): { shape: number[]; data: number[] } {
  const as = a.ndim === 1 ? [1, a.shape[0]!] : [...a.shape];
  const bs = b.ndim === 1 ? [b.shape[0]!, 1] : [...b.shape];
  const [m, k] = as.slice(-2) as [number, number];
  const n = bs[bs.length - 1]!;
  const ab = as.slice(0, -2);
  const bb = bs.slice(0, -2);
  const nd = Math.max(ab.length, bb.length);
  const pad = (s: number[]) => [...new Array<number>(nd - s.length).fill(1), ...s];
  const pa = pad(ab);
  const pb = pad(bb);
  const batch = pa.map((d, i) => Math.max(d, pb[i]!));
  const ad = a.toTypedArray();
  const bd = b.toTypedArray();
  const batchOffset = (idx: number[], s: number[]) =>
    idx.reduce((acc, v, d) => acc * s[d]! + (s[d] === 1 ? 0 : v), 0);
  const data: number[] = [];
  const total = batch.reduce((x, y) => x * y, 1);
  for (let f = 0; f < total; f++) {
    const idx: number[] = [];
    let rest = f;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d] = rest % batch[d]!;
      rest = Math.floor(rest / batch[d]!);
    }
    const ao = batchOffset(idx, pa) * m * k;
    const bo = batchOffset(idx, pb) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let kk = 0; kk < k; kk++) s += ad[ao + i * k + kk]! * bd[bo + kk * n + j]!;
        data.push(s);
      }
  }
  const shape = [...batch, ...(a.ndim === 1 ? [] : [m]), ...(b.ndim === 1 ? [] : [n])];
  return { shape, data };
}

describe('matmul values', () => {
  manualSeed(31);
  const cases: [string, number[], number[], number[]][] = [
    ['1-D @ 1-D: dot product, 0-d result', [3], [3], []],
    ['1-D @ 2-D', [3], [3, 4], [4]],
    ['2-D @ 1-D', [2, 3], [3], [2]],
    ['2-D @ 2-D', [2, 3], [3, 4], [2, 4]],
    ['1-D @ 3-D', [3], [5, 3, 4], [5, 4]],
    ['3-D @ 1-D', [5, 2, 3], [3], [5, 2]],
    ['3-D @ 2-D', [5, 2, 3], [3, 4], [5, 2, 4]],
    ['2-D @ 3-D', [2, 3], [5, 3, 4], [5, 2, 4]],
    ['3-D @ 3-D', [5, 2, 3], [5, 3, 4], [5, 2, 4]],
    ['batch broadcast [2, 1, 3, 4] @ [5, 4, 2]', [2, 1, 3, 4], [5, 4, 2], [2, 5, 3, 2]],
    ['batch broadcast [1, 3, 4] @ [2, 4, 5]', [1, 3, 4], [2, 4, 5], [2, 3, 5]],
    ['batch broadcast [3, 1, 2, 2] @ [1, 4, 2, 3]', [3, 1, 2, 2], [1, 4, 2, 3], [3, 4, 2, 3]],
    ['sizes around the kernel blocking', [7, 9], [9, 5], [7, 5]],
    ['inner dimension 0', [2, 0], [0, 3], [2, 3]],
  ];
  for (const [name, sa, sb, expectedShape] of cases) {
    it(name, () => {
      const a = randn(sa, { dtype: 'float64' });
      const b = randn(sb, { dtype: 'float64' });
      const out = a.matmul(b);
      const ref = naiveMatmul(a, b);
      assert.deepEqual(out.shape, expectedShape);
      assert.deepEqual(ref.shape, expectedShape);
      assertClose(out, ref.data, TIGHT, name);
      assertClose(matmul(a, b), ref.data, TIGHT, `${name} (function)`);
    });
  }

  it('exact small products', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([
      [5, 6],
      [7, 8],
    ]);
    assert.deepEqual(a.matmul(b).toArray(), [
      [19, 22],
      [43, 50],
    ]);
    assert.equal(
      tensor([1, 2, 3])
        .matmul(tensor([4, 5, 6]))
        .item(),
      32,
    );
    assert.deepEqual(tensor([1, 2]).matmul(a).toArray(), [7, 10]);
    assert.deepEqual(a.matmul(tensor([1, 2])).toArray(), [5, 11]);
  });

  it('promotes dtypes and multiplies int tensors', () => {
    const f = tensor([[1, 2]]);
    const d = tensor([[3], [4]], { dtype: 'float64' });
    assert.equal(f.matmul(d).dtype, 'float64');
    assert.equal(f.matmul(d).item(), 11);
    const i = tensor(Int32Array.from([1, 2, 3, 4]), { shape: [2, 2] });
    assert.equal(i.matmul(i).dtype, 'int32');
    assert.deepEqual(i.matmul(i).toArray(), [
      [7, 10],
      [15, 22],
    ]);
  });

  it('float32 products accumulate accurately', () => {
    const n = 4096;
    const ones = tensor(new Float32Array(n).fill(0.1));
    const expected = n * Math.fround(0.1) * Math.fround(0.1);
    assert.ok(Math.abs(ones.matmul(ones).item() - expected) / expected < 1e-6);
  });
});

describe('matmul errors', () => {
  it('names both shapes when inner dimensions differ', () => {
    const a = tensor(new Float32Array(128 * 784), { shape: [128, 784] });
    const b = tensor(new Float32Array(256 * 10), { shape: [256, 10] });
    assert.throws(
      () => a.matmul(b),
      (e: Error) =>
        e instanceof RangeError &&
        e.message.includes('[128, 784]') &&
        e.message.includes('[256, 10]') &&
        /cannot multiply \[128, 784\] by \[256, 10\]: the first has 784 columns but the second has 256 rows/.test(
          e.message,
        ),
    );
    assert.throws(() => tensor([1, 2]).matmul(tensor([1, 2, 3])), /cannot multiply \[2\] by \[3\]/);
  });

  it('refuses 0-d operands and unbroadcastable batches', () => {
    assert.throws(
      () => tensor(2).matmul(tensor([1])),
      /both operands need at least one dimension, got \[\] and \[1\]/,
    );
    const a = tensor(new Float32Array(2 * 2 * 3), { shape: [2, 2, 3] });
    const b = tensor(new Float32Array(3 * 3 * 4), { shape: [3, 3, 4] });
    assert.throws(
      () => a.matmul(b),
      /matmul \(batch dimensions\): shapes \[2\] and \[3\] cannot be broadcast/,
    );
  });
});
