import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  arange,
  eye,
  fromTypedArray,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  scalar,
  tensor,
  uniform,
  zeros,
  zerosLike,
} from '../../src/index.js';

describe('tensor()', () => {
  it('from nested arrays: shape, float32 by default, values in row-major order', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.dtype, 'float32');
    assert.equal(t.ndim, 2);
    assert.equal(t.numel, 6);
    assert.deepEqual(Array.from(t.toTypedArray()), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(t.toArray(), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('from a 3-D nested array', () => {
    const t = tensor([
      [[1], [2]],
      [[3], [4]],
      [[5], [6]],
    ]);
    assert.deepEqual(t.shape, [3, 2, 1]);
    assert.deepEqual(Array.from(t.toTypedArray()), [1, 2, 3, 4, 5, 6]);
  });

  it('a number gives a 0-d tensor; an empty array a [0] tensor', () => {
    const s = tensor(3.5);
    assert.deepEqual(s.shape, []);
    assert.equal(s.item(), 3.5);
    assert.deepEqual(tensor([]).shape, [0]);
    assert.deepEqual(tensor([[], []]).shape, [2, 0]);
    assert.deepEqual(scalar(2, { dtype: 'float64' }).toArray(), 2);
    assert.equal(scalar(2, { dtype: 'float64' }).dtype, 'float64');
  });

  it('booleans give a bool tensor', () => {
    const t = tensor([
      [true, false],
      [false, true],
    ]);
    assert.equal(t.dtype, 'bool');
    assert.deepEqual(t.toArray(), [
      [true, false],
      [false, true],
    ]);
    assert.deepEqual(Array.from(t.toTypedArray()), [1, 0, 0, 1]);
  });

  it('bool tensors hold 0/1: any non-zero number is true, whatever the route', () => {
    assert.deepEqual(
      tensor([0.5, 256, -1, 0, NaN], { dtype: 'bool' }).toTypedArray(),
      Uint8Array.from([1, 1, 1, 0, 1]),
    );
    assert.deepEqual(
      tensor(Float32Array.from([0.5, 0]), { dtype: 'bool' }).toTypedArray(),
      Uint8Array.from([1, 0]),
    );
    assert.deepEqual(full([2], 0.5, { dtype: 'bool' }).toTypedArray(), Uint8Array.from([1, 1]));
    assert.deepEqual(full([2], 2, { dtype: 'bool' }).eq(true).toArray(), [true, true]);
    const b = zeros([2], { dtype: 'bool' }).fill_(3);
    assert.deepEqual(b.toTypedArray(), Uint8Array.from([1, 1]));
  });

  it('the dtype option converts (float to int32 truncates)', () => {
    const t = tensor([1.9, -1.9, 3], { dtype: 'int32' });
    assert.equal(t.dtype, 'int32');
    assert.deepEqual(t.toArray(), [1, -1, 3]);
    const d = tensor([0.1], { dtype: 'float64' });
    assert.equal(d.item(), 0.1);
    assert.equal(tensor([0.1]).item(), Math.fround(0.1));
  });

  it('from typed arrays: the dtype follows the array, the data is copied', () => {
    const cases = [
      [new Float32Array([1, 2]), 'float32'],
      [new Float64Array([1, 2]), 'float64'],
      [new Int32Array([1, 2]), 'int32'],
      [new Uint8Array([1, 0]), 'bool'],
    ] as const;
    for (const [array, dtype] of cases) {
      const t = tensor(array);
      assert.equal(t.dtype, dtype);
      assert.deepEqual(t.shape, [2]);
      array[0] = 9;
      assert.notEqual(t.toTypedArray()[0], 9, `${dtype}: the tensor owns a copy`);
    }
  });

  it('from a typed array with a shape, or converted to another dtype', () => {
    const t = tensor(Float64Array.from([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
    assert.deepEqual(t.toArray(), [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const f = tensor(Int32Array.from([1, 2]), { dtype: 'float32' });
    assert.equal(f.dtype, 'float32');
    const i = tensor(Float32Array.from([2.7, -2.7]), { dtype: 'int32' });
    assert.deepEqual(i.toArray(), [2, -2]);
    assert.throws(
      () => tensor(Float32Array.from([1, 2, 3]), { shape: [2, 2] }),
      /shape \[2, 2\] needs 4 elements but the typed array has 3/,
    );
  });

  it('nested data with a shape option is reshaped', () => {
    const t = tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.isLeaf, true);
  });

  it('fromTypedArray wraps without copying', () => {
    const data = new Float32Array([1, 2, 3, 4]);
    const t = fromTypedArray(data, [2, 2]);
    data[0] = 9;
    assert.equal(t.toTypedArray()[0], 9);
    assert.throws(() => fromTypedArray(data, [-1, 4]), /invalid shape \[-1, 4\]/);
  });

  it('an unknown dtype is refused with the list of dtypes', () => {
    assert.throws(
      () => tensor([1], { dtype: 'float16' as never }),
      /unknown dtype 'float16'; expected one of float32, float64, int32, bool/,
    );
  });
});

describe('filled tensors', () => {
  it('zeros, ones, full, with dtypes', () => {
    assert.deepEqual(zeros([2, 3]).toArray(), [
      [0, 0, 0],
      [0, 0, 0],
    ]);
    assert.equal(zeros([2]).dtype, 'float32');
    assert.deepEqual(ones([3], { dtype: 'int32' }).toArray(), [1, 1, 1]);
    assert.equal(ones([3], { dtype: 'int32' }).dtype, 'int32');
    assert.deepEqual(full([2, 2], 7.5, { dtype: 'float64' }).toArray(), [
      [7.5, 7.5],
      [7.5, 7.5],
    ]);
    assert.deepEqual(full([], -1).toArray(), -1);
    assert.deepEqual(zeros([0, 3]).shape, [0, 3]);
    assert.equal(ones([2], { requiresGrad: true }).requiresGrad, true);
    assert.throws(() => zeros([2, 1.5]), /invalid shape \[2, 1.5\]/);
    assert.throws(() => ones([-2]), /invalid shape \[-2\]: dimensions must be non-negative integers/);
  });

  it('zerosLike, onesLike, fullLike keep shape and dtype', () => {
    const t = tensor([[1, 2, 3]], { dtype: 'float64' });
    for (const [made, value] of [
      [zerosLike(t), 0],
      [onesLike(t), 1],
      [fullLike(t, 4), 4],
    ] as const) {
      assert.deepEqual(made.shape, [1, 3]);
      assert.equal(made.dtype, 'float64');
      assert.deepEqual(made.toArray(), [[value, value, value]]);
    }
    assert.equal(zerosLike(t, { dtype: 'int32' }).dtype, 'int32');
  });
});

describe('ranges', () => {
  it('arange with one, two and three arguments', () => {
    assert.deepEqual(arange(5).toArray(), [0, 1, 2, 3, 4]);
    assert.deepEqual(arange(2, 5).toArray(), [2, 3, 4]);
    assert.deepEqual(arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75]);
    assert.deepEqual(arange(5, 0, -2).toArray(), [5, 3, 1]);
    assert.deepEqual(arange(3, 3).toArray(), []);
    assert.deepEqual(arange(5, 0).toArray(), []);
    assert.equal(arange(0, 1, 0.1).numel, 10);
    assert.equal(arange(4).dtype, 'float32');
    assert.equal(arange(4, undefined, 1, { dtype: 'int32' }).dtype, 'int32');
    assert.throws(() => arange(0, 5, 0), /step must be a finite non-zero number, got 0/);
  });

  it('linspace includes both ends, the last value exactly', () => {
    assert.deepEqual(linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
    for (const [start, end, steps] of [
      [0, 0.3, 7],
      [-1.1, 2.7, 10],
      [0.1, 0.7, 3],
      [1e-3, 1, 1000],
    ]) {
      const t = linspace(start!, end!, steps!, { dtype: 'float64' });
      const v = t.toTypedArray();
      assert.equal(v.length, steps);
      assert.equal(v[0], start, 'first value is start');
      assert.equal(v[v.length - 1], end, 'last value is exactly end');
      for (let i = 1; i < v.length; i++) {
        const expected = start! + ((end! - start!) * i) / (steps! - 1);
        assert.ok(Math.abs(v[i]! - expected) < 1e-12, `linspace(${start}, ${end}, ${steps})[${i}]`);
      }
    }
    assert.equal(linspace(0, 1, 5).dtype, 'float32');
    assert.equal(linspace(0, 1, 7).toTypedArray()[6], 1);
    assert.deepEqual(linspace(3, 1, 3).toArray(), [3, 2, 1]);
    assert.deepEqual(linspace(0, 1, 0).toArray(), []);
    // One step gives start, as in PyTorch.
    assert.deepEqual(linspace(-2, 10, 1).toArray(), [-2]);
    assert.throws(() => linspace(0, 1, -1), /steps must be a non-negative integer, got -1/);
  });

  it('eye: square and rectangular', () => {
    assert.deepEqual(eye(3).toArray(), [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    assert.deepEqual(eye(2, 3).toArray(), [
      [1, 0, 0],
      [0, 1, 0],
    ]);
    assert.deepEqual(eye(3, 2).toArray(), [
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
    assert.equal(eye(2, 2, { dtype: 'float64' }).dtype, 'float64');
  });

  it('uniform: values in [low, high)', () => {
    const t = uniform([1000], -3, 5);
    const v = t.toTypedArray();
    assert.ok(v.every((x) => x >= -3 && x < 5));
    assert.throws(() => uniform([2], 1, 0), /low 1 must not exceed high 0/);
  });
});
