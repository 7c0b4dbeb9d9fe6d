import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { arange, manualSeed, randn, tensor, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/golden.js';

const f64 = (data: Parameters<typeof tensor>[0]) => tensor(data, { dtype: 'float64' });
const TIGHT = { rtol: 1e-12, atol: 1e-12 };

/** x is [2, 3, 4] = arange(24): x[i][j][k] = 12i + 4j + k. */
const x = () => arange(24, undefined, 1, { dtype: 'float64' }).reshape(2, 3, 4);
const at = (i: number, j: number, k: number) => 12 * i + 4 * j + k;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('sum and mean', () => {
  it('over everything', () => {
    assert.equal(x().sum().item(), 276);
    assert.deepEqual(x().sum().shape, []);
    assert.equal(x().mean().item(), 11.5);
  });

  it('over one dim, with and without keepdim, with negative dims', () => {
    const s1 = range(2).map((i) => range(4).map((k) => range(3).reduce((s, j) => s + at(i, j, k), 0)));
    assert.deepEqual(x().sum(1).toArray(), s1);
    assert.deepEqual(x().sum(-2).toArray(), s1);
    assert.deepEqual(x().sum(1, true).shape, [2, 1, 4]);
    assert.deepEqual(
      x().sum(1, true).toArray(),
      s1.map((row) => [row]),
    );
    const m2 = range(2).map((i) => range(3).map((j) => range(4).reduce((s, k) => s + at(i, j, k), 0) / 4));
    assert.deepEqual(x().mean(-1).toArray(), m2);
    assert.deepEqual(x().mean(2, true).shape, [2, 3, 1]);
  });

  it('over several non-adjacent dims', () => {
    const s02 = range(3).map((j) =>
      range(2).reduce((s, i) => s + range(4).reduce((t, k) => t + at(i, j, k), 0), 0),
    );
    assert.deepEqual(x().sum([0, 2]).toArray(), s02);
    assert.deepEqual(x().sum([-1, 0], true).shape, [1, 3, 1]);
    assert.deepEqual(
      x().mean([0, 2]).toArray(),
      s02.map((v) => v / 8),
    );
    assert.deepEqual(x().sum([0, 1, 2]).toArray(), 276);
  });

  it('0-d tensors reduce over their one implicit dimension', () => {
    const s = tensor(5, { dtype: 'float64' });
    assert.equal(s.sum(0).item(), 5);
    assert.equal(s.mean(0).item(), 5);
    assert.equal(s.mean(-1, true).item(), 5);
    assert.equal(s.var(0, { unbiased: false }).item(), 0);
    assert.deepEqual(s.max(0).indices.toArray(), 0);
  });

  it('int and bool sums are int32; mean of ints is refused', () => {
    assert.equal(tensor(Int32Array.from([1, 2, 3])).sum().dtype, 'int32');
    const b = tensor([true, false, true]);
    assert.equal(b.sum().dtype, 'int32');
    assert.equal(b.sum().item(), 2);
    assert.throws(() => tensor(Int32Array.from([1])).mean(), /mean: needs a floating tensor, got int32/);
  });

  it('empty reductions: the sum of nothing is 0, its mean NaN', () => {
    const e = tensor(new Float32Array(0), { shape: [2, 0] });
    assert.deepEqual(e.sum(1).toArray(), [0, 0]);
    assert.ok(e.mean(1).toTypedArray().every(Number.isNaN));
  });
});

describe('max, min, argmax, argmin', () => {
  const t = () =>
    f64([
      [3, 7, 7, 1],
      [2, -5, 9, 9],
      [4, 4, 4, 4],
    ]);

  it('max/min along a dim give values and the first index of the extreme', () => {
    const mx = t().max(1);
    assert.deepEqual(mx.values.toArray(), [7, 9, 4]);
    assert.deepEqual(mx.indices.toArray(), [1, 2, 0]);
    assert.equal(mx.indices.dtype, 'int32');
    const mn = t().min(0);
    assert.deepEqual(mn.values.toArray(), [2, -5, 4, 1]);
    assert.deepEqual(mn.indices.toArray(), [1, 1, 2, 0]);
    const kd = t().max(-1, true);
    assert.deepEqual(kd.values.shape, [3, 1]);
    assert.deepEqual(kd.indices.toArray(), [[1], [2], [0]]);
  });

  it('max/min/amax/amin over everything and over dims', () => {
    assert.equal(t().max().item(), 9);
    assert.equal(t().min().item(), -5);
    assert.deepEqual(t().amax(0).toArray(), [4, 7, 9, 9]);
    assert.deepEqual(t().amin([0, 1]).toArray(), -5);
    assert.deepEqual(x().amax([0, 2], true).toArray(), [[[15], [19], [23]]]);
  });

  it('argmax/argmin over the flattened tensor and along dims', () => {
    assert.equal(t().argmax().item(), 6); // first of the two 9s
    assert.equal(t().argmin().item(), 5);
    assert.deepEqual(t().argmax(1).toArray(), [1, 2, 0]);
    assert.deepEqual(t().argmin(0, true).toArray(), [[1, 1, 2, 0]]);
    assert.equal(t().argmax().dtype, 'int32');
  });

  it('NaN is the maximum and the minimum, as in PyTorch', () => {
    const n = f64([1, NaN, 3]);
    assert.ok(Number.isNaN(n.max().item()));
    assert.equal(n.argmax().item(), 1);
    assert.equal(n.argmin().item(), 1);
    assert.ok(Number.isNaN(n.amin(0).item()));
  });

  it('an empty dimension has no max', () => {
    const e = tensor(new Float32Array(0), { shape: [2, 0] });
    assert.throws(() => e.max(1), /cannot take the max over the empty dimension 1 of \[2, 0\]/);
    assert.throws(() => e.amax(), /cannot take the max over an empty dimension/);
  });
});

describe('var and std', () => {
  manualSeed(21);
  const r = randn([4, 5, 3], { dtype: 'float64' });
  const data = Array.from(r.toTypedArray());

  const variance = (values: number[], unbiased: boolean) => {
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    return values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - (unbiased ? 1 : 0));
  };

  it('over everything, unbiased by default', () => {
    assertClose([r.var().item()], [variance(data, true)], TIGHT, 'var');
    assertClose([r.var(undefined, { unbiased: false }).item()], [variance(data, false)], TIGHT, 'biased var');
    assertClose([r.std().item()], [Math.sqrt(variance(data, true))], TIGHT, 'std');
  });

  it('along a dim and over dims, with keepdim', () => {
    const along1 = range(4).flatMap((i) =>
      range(3).map((k) =>
        variance(
          range(5).map((j) => data[i * 15 + j * 3 + k]!),
          true,
        ),
      ),
    );
    assertClose(r.var(1), along1, TIGHT, 'var dim 1');
    assert.deepEqual(r.var(1).shape, [4, 3]);
    assert.deepEqual(r.var(1, { keepdim: true }).shape, [4, 1, 3]);
    const over02 = range(5).map((j) =>
      variance(
        range(4).flatMap((i) => range(3).map((k) => data[i * 15 + j * 3 + k]!)),
        false,
      ),
    );
    assertClose(r.var([0, 2], { unbiased: false }), over02, TIGHT, 'biased var dims [0, 2]');
    assertClose(r.std([0, -1], { unbiased: false, keepdim: true }), over02.map(Math.sqrt), TIGHT, 'std');
    assert.deepEqual(r.std([0, -1], { keepdim: true }).shape, [1, 5, 1]);
  });

  it('the unbiased variance of one element is NaN, the biased one 0', () => {
    assert.ok(Number.isNaN(f64([3]).var().item()));
    assert.equal(f64([3]).var(undefined, { unbiased: false }).item(), 0);
  });
});

describe('logsumexp', () => {
  const naive = (values: number[]) => Math.log(values.reduce((s, v) => s + Math.exp(v), 0));

  it('matches log Σ exp on moderate values, per dim', () => {
    const t = f64([
      [0.5, -1, 2],
      [3, 3, -4],
    ]);
    assertClose(t.logsumexp(1), [naive([0.5, -1, 2]), naive([3, 3, -4])], TIGHT, 'dim 1');
    assertClose(t.logsumexp(0), [naive([0.5, 3]), naive([-1, 3]), naive([2, -4])], TIGHT, 'dim 0');
    assertClose(t.logsumexp([0, 1]), [naive([0.5, -1, 2, 3, 3, -4])], TIGHT, 'all');
    assert.deepEqual(t.logsumexp(1, true).shape, [2, 1]);
  });

  it('does not overflow or underflow at ±800', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const t = tensor(
        [
          [800, 800],
          [-800, -800],
          [800, -800],
        ],
        { dtype },
      );
      const out = t.logsumexp(1).toTypedArray();
      const tol = dtype === 'float32' ? 1e-4 : 1e-12;
      assert.ok(Math.abs(out[0]! - (800 + Math.LN2)) < tol * 800, `${dtype}: ${out[0]}`);
      assert.ok(Math.abs(out[1]! - (-800 + Math.LN2)) < tol * 800, `${dtype}: ${out[1]}`);
      assert.ok(Math.abs(out[2]! - 800) < tol * 800, `${dtype}: ${out[2]}`);
    }
  });

  it('handles infinite rows', () => {
    const t = f64([
      [-Infinity, -Infinity],
      [Infinity, 1],
      [-Infinity, 0],
    ]);
    assert.deepEqual(t.logsumexp(1).toArray(), [-Infinity, Infinity, 0]);
  });

  it('softmax and logSoftmax are stable for large inputs and sum to one', () => {
    const t = f64([
      [1000, 1001, 1002],
      [-1000, -1000, -1000],
    ]);
    const p = t.softmax(1);
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const z = e[0]! + e[1]! + e[2]!;
    assertClose(p, [...e.map((v) => v / z), 1 / 3, 1 / 3, 1 / 3], TIGHT, 'softmax');
    assertClose(
      t.logSoftmax(1),
      [...e.map((v) => Math.log(v / z)), ...new Array(3).fill(-Math.log(3))],
      TIGHT,
      'logSoftmax',
    );
    assertClose(p.sum(1), [1, 1], TIGHT, 'rows sum to 1');
  });
});

describe('norm', () => {
  const t = () =>
    f64([
      [3, -4, 0],
      [1, 2, -2],
    ]);

  it('p = 2 (default), 1, Infinity, -Infinity, 0, 3 and fro over everything', () => {
    const flat = [3, -4, 0, 1, 2, -2];
    assertClose([t().norm().item()], [Math.sqrt(34)], TIGHT, 'p=2');
    assertClose([t().norm('fro').item()], [Math.sqrt(34)], TIGHT, 'fro');
    assert.equal(t().norm(1).item(), 12);
    assert.equal(t().norm(Infinity).item(), 4);
    assert.equal(t().norm(-Infinity).item(), 0);
    assert.equal(t().norm(0).item(), 5);
    assertClose(
      [t().norm(3).item()],
      [Math.cbrt(flat.reduce((s, v) => s + Math.abs(v) ** 3, 0))],
      TIGHT,
      'p=3',
    );
  });

  it('along a dim, with keepdim', () => {
    assertClose(t().norm(2, 1), [5, 3], TIGHT, 'p=2 dim 1');
    assert.deepEqual(t().norm(1, 0).toArray(), [4, 6, 2]);
    assert.deepEqual(t().norm(Infinity, -1, true).toArray(), [[4], [2]]);
    assert.deepEqual(t().norm(2, 1, true).shape, [2, 1]);
  });

  it('the gradient of the 2-norm at zero is zero, not NaN', () => {
    const z = tensor([0, 0], { dtype: 'float64', requiresGrad: true });
    z.norm().backward();
    assert.deepEqual(z.grad!.toArray(), [0, 0]);
  });
});

describe('reduction errors', () => {
  it('out-of-range and repeated dims', () => {
    const t: Tensor = x();
    assert.throws(
      () => t.sum(3),
      /sum: dimension 3 is out of range for a tensor with 3 dimensions \(expected -3\.\.2\)/,
    );
    assert.throws(() => t.mean(-4), /mean: dimension -4 is out of range/);
    assert.throws(() => t.max(5), /dimension 5 is out of range/);
    assert.throws(() => t.sum([1, -2]), /sum: dimension list \[1, -2\] repeats a dimension/);
    assert.throws(() => t.logsumexp(1.5), /dimension 1.5 is out of range/);
  });
});
