import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { arange, cat, stack, tensor } from '../../src/index.js';

/** [2, 3, 4] with x[i][j][k] = 100i + 10j + k, so every value names its position. */
const x = () =>
  tensor(
    Float64Array.from(
      { length: 24 },
      (_, f) => 100 * Math.floor(f / 12) + 10 * (Math.floor(f / 4) % 3) + (f % 4),
    ),
    { shape: [2, 3, 4] },
  );
const m = () =>
  tensor([
    [0, 1, 2, 3],
    [10, 11, 12, 13],
    [20, 21, 22, 23],
  ]);
const i32 = (values: number[], shape = [values.length]) => tensor(Int32Array.from(values), { shape });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const v = (i: number, j: number, k: number) => 100 * i + 10 * j + k;

describe('reshape family', () => {
  it('reshape and view keep row-major order; -1 is inferred', () => {
    const t = arange(6);
    assert.deepEqual(t.reshape(2, 3).toArray(), [
      [0, 1, 2],
      [3, 4, 5],
    ]);
    assert.deepEqual(t.reshape([3, -1]).shape, [3, 2]);
    assert.deepEqual(t.view(-1, 1).shape, [6, 1]);
    assert.deepEqual(tensor([5]).reshape([]).shape, []);
    assert.throws(() => t.reshape([]), /cannot reshape \[6\] \(6 elements\) into \[\]/);
  });

  it('flatten, squeeze, unsqueeze', () => {
    assert.deepEqual(x().flatten().shape, [24]);
    assert.deepEqual(x().flatten(1).shape, [2, 12]);
    assert.deepEqual(x().flatten(0, 1).shape, [6, 4]);
    assert.deepEqual(tensor(5).flatten().shape, [1]);
    const s = tensor(new Float32Array(6), { shape: [1, 2, 1, 3, 1] });
    assert.deepEqual(s.squeeze().shape, [2, 3]);
    assert.deepEqual(s.squeeze(2).shape, [1, 2, 3, 1]);
    assert.deepEqual(s.squeeze(1).shape, [1, 2, 1, 3, 1], 'a dim that is not 1 stays');
    assert.deepEqual(s.squeeze([0, -1]).shape, [2, 1, 3]);
    assert.deepEqual(arange(3).unsqueeze(0).shape, [1, 3]);
    assert.deepEqual(arange(3).unsqueeze(-1).shape, [3, 1]);
    assert.deepEqual(arange(3).unsqueeze(1).toArray(), [[0], [1], [2]]);
  });
});

describe('permute and transpose', () => {
  it('permute moves every value to its new position', () => {
    const p = x().permute(2, 0, 1);
    assert.deepEqual(p.shape, [4, 2, 3]);
    assert.deepEqual(
      p.toArray(),
      range(4).map((k) => range(2).map((i) => range(3).map((j) => v(i, j, k)))),
    );
    assert.deepEqual(x().permute([-1, -3, -2]).toArray(), p.toArray());
  });

  it('transpose and t', () => {
    assert.deepEqual(
      x().transpose(0, 2).toArray(),
      range(4).map((k) => range(3).map((j) => range(2).map((i) => v(i, j, k)))),
    );
    assert.deepEqual(m().t().toArray(), [
      [0, 10, 20],
      [1, 11, 21],
      [2, 12, 22],
      [3, 13, 23],
    ]);
    assert.deepEqual(arange(3).t().toArray(), [0, 1, 2]);
    assert.throws(
      () => x().t(),
      /t: expects a tensor with at most 2 dimensions, got \[2, 3, 4\]; use transpose/,
    );
  });
});

describe('expand', () => {
  it('broadcasts size-1 dims and adds leading dims', () => {
    const c = tensor([[1], [2]]);
    assert.deepEqual(c.expand(2, 3).toArray(), [
      [1, 1, 1],
      [2, 2, 2],
    ]);
    assert.deepEqual(c.expand([3, -1, 2]).toArray(), range(3).map(() => [[1, 1], [2, 2]])); // prettier-ignore
    assert.deepEqual(tensor([1, 2]).expandAs(m().narrow(1, 0, 2)).shape, [3, 2]);
    assert.throws(
      () => tensor([1, 2]).expand(-1, 2),
      /expand: invalid target \[-1, 2\] for \[2\]: -1 can only keep an existing dimension/,
    );
    assert.throws(
      () => c.expand(3, 3),
      /expand: cannot expand \[2, 1\] to \[3, 3\]: dimension 0 is 2, which is neither 1 nor 3/,
    );
  });
});

describe('slicing and indexing', () => {
  it('slice with steps, negative and clipped bounds (Python semantics)', () => {
    const r = arange(10);
    assert.deepEqual(r.slice(0, 1, 8, 3).toArray(), [1, 4, 7]);
    assert.deepEqual(r.slice(0, -3).toArray(), [7, 8, 9]);
    assert.deepEqual(r.slice(0, -4, -1).toArray(), [6, 7, 8]);
    assert.deepEqual(r.slice(0, null, null, 4).toArray(), [0, 4, 8]);
    assert.deepEqual(r.slice(0, 5, 100).toArray(), [5, 6, 7, 8, 9]);
    assert.deepEqual(r.slice(0, -100, 2).toArray(), [0, 1]);
    assert.deepEqual(r.slice(0, 7, 3).toArray(), []);
    assert.deepEqual(m().slice(1, 1, 4, 2).toArray(), [
      [1, 3],
      [11, 13],
      [21, 23],
    ]);
    assert.deepEqual(
      x().slice(-1, 1, 3).toArray(),
      range(2).map((i) => range(3).map((j) => [v(i, j, 1), v(i, j, 2)])),
    );
    assert.throws(() => r.slice(0, 0, 5, 0), /step must be a positive integer, got 0/);
    assert.throws(() => r.slice(0, 0, 5, -1), /step must be a positive integer, got -1/);
  });

  it('narrow and select', () => {
    assert.deepEqual(m().narrow(1, 1, 2).toArray(), [
      [1, 2],
      [11, 12],
      [21, 22],
    ]);
    assert.deepEqual(m().narrow(1, -2, 2).toArray(), [
      [2, 3],
      [12, 13],
      [22, 23],
    ]);
    assert.deepEqual(m().narrow(0, 3, 0).shape, [0, 4]);
    assert.throws(
      () => m().narrow(1, 3, 2),
      /narrow: start 3 and length 2 do not fit in dimension 1 of size 4/,
    );
    assert.throws(() => m().narrow(0, -4, 1), /narrow: start -4 and length 1 do not fit/);
    assert.deepEqual(m().select(0, -1).toArray(), [20, 21, 22, 23]);
    assert.deepEqual(m().select(1, 2).toArray(), [2, 12, 22]);
    assert.deepEqual(x().select(1, 1).shape, [2, 4]);
    assert.throws(
      () => m().select(0, 3),
      /select: index 3 is out of range for dimension 0 of size 3 \(shape \[3, 4\]\)/,
    );
  });

  it('index with numbers, string slices and null', () => {
    assert.deepEqual(m().index(0, '1:3').toArray(), [1, 2]);
    assert.deepEqual(m().index(null, '::2').toArray(), [
      [0, 2],
      [10, 12],
      [20, 22],
    ]);
    assert.deepEqual(m().index('-2:', 1).toArray(), [11, 21]);
    assert.deepEqual(m().index(':', -1).toArray(), [3, 13, 23]);
    assert.deepEqual(m().index('1:', '1:4:2').toArray(), [
      [11, 13],
      [21, 23],
    ]);
    assert.equal(m().index(2, 3).item(), 23);
    assert.deepEqual(x().index(1, null, 0).toArray(), [100, 110, 120]);
    assert.throws(() => m().index(0, 0, 0), /index: 3 indices for a tensor with 2 dimensions/);
    assert.throws(() => m().index('1'), /index: '1' is not a slice like '1:3' or '::2'/);
    assert.throws(() => m().index('a:2'), /index: 'a' in 'a:2' is not an integer/);
  });

  it('flip one and several dims', () => {
    assert.deepEqual(arange(4).flip(0).toArray(), [3, 2, 1, 0]);
    assert.deepEqual(m().flip(1).toArray(), [
      [3, 2, 1, 0],
      [13, 12, 11, 10],
      [23, 22, 21, 20],
    ]);
    assert.deepEqual(
      x().flip([0, 2]).toArray(),
      range(2).map((i) => range(3).map((j) => range(4).map((k) => v(1 - i, j, 3 - k)))),
    );
    assert.deepEqual(m().flip(-2).select(0, 0).toArray(), [20, 21, 22, 23]);
  });
});

describe('joining', () => {
  it('cat along any dim, promoting dtypes', () => {
    const a = tensor([[1, 2]]);
    const b = tensor([
      [3, 4],
      [5, 6],
    ]);
    assert.deepEqual(cat([a, b]).toArray(), [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    assert.deepEqual(cat([b, b.mul(10)], 1).toArray(), [
      [3, 4, 30, 40],
      [5, 6, 50, 60],
    ]);
    assert.deepEqual(cat([x(), x()], -1).shape, [2, 3, 8]);
    assert.deepEqual(cat([x(), x()], -1).select(2, 5).toArray(), x().select(2, 1).toArray());
    const mixed = cat([tensor([1]), tensor([2], { dtype: 'float64' }), i32([3])]);
    assert.equal(mixed.dtype, 'float64');
    assert.deepEqual(mixed.toArray(), [1, 2, 3]);
    assert.throws(() => cat([]), /cat: expected a non-empty list of tensors/);
    assert.throws(() => cat([tensor(1), tensor(2)]), /cat: 0-d tensors cannot be concatenated; use stack/);
    assert.deepEqual(stack([tensor(1), tensor(2)]).toArray(), [1, 2]);
    assert.throws(
      () => cat([a, tensor([1, 2, 3])]),
      /cat: tensor 1 has shape \[3\], which does not match tensor 0's \[1, 2\]/,
    );
  });

  it('stack along a new dim', () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([4, 5, 6]);
    assert.deepEqual(stack([a, b]).toArray(), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(stack([a, b], 1).toArray(), [
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    assert.deepEqual(stack([a, b], -1).shape, [3, 2]);
    assert.throws(() => stack([a, tensor([1])]), /stack: tensor 1 has shape \[1\] but tensor 0 has \[3\]/);
  });
});

describe('gather, scatterAdd, indexSelect, oneHot', () => {
  it('gather along dims 1 and 0, index smaller than the input', () => {
    assert.deepEqual(
      m()
        .gather(1, i32([3, 0, 0, 1, 2, 2], [3, 2]))
        .toArray(),
      [
        [3, 0],
        [10, 11],
        [22, 22],
      ],
    );
    assert.deepEqual(
      m()
        .gather(0, i32([2, 0, 1], [1, 3]))
        .toArray(),
      [[20, 1, 12]],
    );
    assert.deepEqual(
      x()
        .gather(2, i32([3, 0], [1, 1, 2]))
        .toArray(),
      [[[3, 0]]],
    );
  });

  it('scatterAdd accumulates repeated indices and leaves the input unchanged', () => {
    const base = tensor([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    const out = base.scatterAdd(1, i32([0, 0, 2, 1], [2, 2]), tensor([[10, 20], [30, 40]])); // prettier-ignore
    assert.deepEqual(out.toArray(), [
      [31, 1, 1],
      [2, 42, 32],
    ]);
    assert.deepEqual(base.toArray(), [
      [1, 1, 1],
      [2, 2, 2],
    ]);
    assert.throws(
      () => base.scatterAdd(1, i32([0, 1], [1, 2]), tensor([[1, 2, 3]])),
      /scatterAdd: index \[1, 2\] and src \[1, 3\] must have the same shape/,
    );
  });

  it('indexSelect with repeated indices along any dim', () => {
    assert.deepEqual(
      m()
        .indexSelect(0, i32([2, 0, 2]))
        .toArray(),
      [
        [20, 21, 22, 23],
        [0, 1, 2, 3],
        [20, 21, 22, 23],
      ],
    );
    assert.deepEqual(
      m()
        .indexSelect(1, i32([3, 3]))
        .toArray(),
      [
        [3, 3],
        [13, 13],
        [23, 23],
      ],
    );
    assert.deepEqual(m().indexSelect(0, i32([])).shape, [0, 4]);
  });

  it('oneHot: shape [...x.shape, classes], int32', () => {
    const h = i32([2, 0, 1]).oneHot(4);
    assert.equal(h.dtype, 'int32');
    assert.deepEqual(h.toArray(), [
      [0, 0, 1, 0],
      [1, 0, 0, 0],
      [0, 1, 0, 0],
    ]);
    assert.deepEqual(i32([1, 3], [2, 1]).oneHot().shape, [2, 1, 4]);
    // Infers the class count from large inputs without overflowing the stack.
    assert.deepEqual(tensor(new Int32Array(300000)).oneHot().shape, [300000, 1]);
    assert.throws(
      () => i32([0, 5]).oneHot(3),
      /oneHot: class index 5 \(at position 1\) is out of range for 3 classes/,
    );
    assert.throws(() => tensor([1, 2]).oneHot(), /expected an int32 tensor of class indices, got float32/);
  });
});

describe('movement errors', () => {
  it('bad reshapes name both shapes and the element counts', () => {
    assert.throws(
      () => arange(6).reshape(4, 2),
      /reshape: cannot reshape \[6\] \(6 elements\) into \[4, 2\] \(8 elements\)/,
    );
    assert.throws(() => arange(6).reshape(4, -1), /cannot reshape \[6\] \(6 elements\) into \[4, -1\]/);
    assert.throws(() => arange(6).reshape(-1, -1), /only one dimension can be -1, got \[-1, -1\]/);
    assert.throws(() => arange(6).view(2, 1.5, 2), /invalid dimension 1.5 in \[2, 1.5, 2\]/);
  });

  it('out-of-range dims and bad permutations', () => {
    assert.throws(
      () => m().transpose(0, 2),
      /transpose: dimension 2 is out of range for a tensor with 2 dimensions \(expected -2\.\.1\)/,
    );
    assert.throws(() => m().unsqueeze(3), /unsqueeze: dimension 3 is out of range/);
    assert.throws(() => m().permute(0), /permute: got 1 dims \[0\] for a tensor of shape \[3, 4\]/);
    assert.throws(() => m().permute(1, 1), /permute: dims \[1, 1\] repeat a dimension/);
    assert.throws(() => m().flip(-3), /flip: dimension -3 is out of range/);
    assert.throws(() => m().size(2), /size: dimension 2 is out of range/);
    assert.throws(() => cat([m(), m()], 2), /cat: dimension 2 is out of range/);
  });

  it('gather/indexSelect indices out of range name the index, its position and the size', () => {
    assert.throws(
      () => m().gather(1, i32([0, 5, 1], [3, 1])),
      /gather: index 5 \(at position 1\) is out of range for dimension 1 of size 4/,
    );
    assert.throws(() => m().gather(1, i32([-1], [1, 1])), /index -1 \(at position 0\) is out of range/);
    assert.throws(
      () => m().indexSelect(0, i32([3])),
      /indexSelect: index 3 \(at position 0\) is out of range for dimension 0 of size 3/,
    );
    assert.throws(() => m().gather(1, tensor([[0]])), /gather: index must be an int32 tensor, got float32/);
    assert.throws(
      () => m().gather(1, i32([0, 1], [2])),
      /gather: index \[2\] must have as many dims as the tensor \[3, 4\]/,
    );
    assert.throws(
      () => m().gather(1, i32([0, 0, 0, 0], [4, 1])),
      /gather: index \[4, 1\] is larger than the tensor \[3, 4\] in dimension 0/,
    );
  });
});
