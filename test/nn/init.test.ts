import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Generator, zeros, type Tensor } from '../../src/index.js';
import { Embedding, init, LayerNorm, Linear } from '../../src/nn/index.js';

function stats(t: Tensor): { mean: number; variance: number; min: number; max: number } {
  const v = t.toTypedArray();
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    sum += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = sum / v.length;
  let sq = 0;
  for (const x of v) sq += (x - mean) ** 2;
  return { mean, variance: sq / (v.length - 1), min, max };
}

describe('default initialisation', () => {
  it('Linear(784, 256): weights and biases within ±1/√fanIn, weight variance 1/(3·fanIn)', () => {
    const fc = new Linear(784, 256, { generator: new Generator(0) });
    const bound = 1 / Math.sqrt(784);
    const w = stats(fc.weight);
    assert.ok(w.min >= -bound && w.max <= bound, `weights in [${w.min}, ${w.max}]`);
    assert.ok(w.max > 0.99 * bound && w.min < -0.99 * bound, 'the whole range is used');
    // 200,704 samples: the sample variance of a uniform is within about 0.2% (one sd) of 1/(3·784).
    const expected = 1 / (3 * 784);
    assert.ok(Math.abs(w.variance / expected - 1) < 0.02, `variance ${w.variance}, expected ${expected}`);
    assert.ok(Math.abs(w.mean) < 3e-4);
    const b = stats(fc.bias!);
    assert.ok(b.min >= -bound && b.max <= bound);
  });

  it('is reproducible from a generator', () => {
    const a = new Linear(10, 5, { generator: new Generator(42) });
    const b = new Linear(10, 5, { generator: new Generator(42) });
    assert.deepEqual([...a.weight.toTypedArray()], [...b.weight.toTypedArray()]);
    assert.deepEqual([...a.bias!.toTypedArray()], [...b.bias!.toTypedArray()]);
  });

  it('Embedding is N(0, 1) with the padding row zero; LayerNorm is weight 1, bias 0', () => {
    const e = stats(new Embedding(1000, 100, { generator: new Generator(5) }).weight);
    assert.ok(Math.abs(e.mean) < 0.01 && Math.abs(Math.sqrt(e.variance) - 1) < 0.01);
    const norm = new LayerNorm([2, 3]);
    assert.deepEqual([...norm.weight!.toTypedArray()], [1, 1, 1, 1, 1, 1]);
    assert.deepEqual([...norm.bias!.toTypedArray()], [0, 0, 0, 0, 0, 0]);
  });
});

describe('init', () => {
  const g = () => new Generator(11);

  it('kaimingNormal_: std = gain/√fan, fanIn or fanOut', () => {
    const w = zeros([256, 784], { dtype: 'float64' });
    init.kaimingNormal_(w, { nonlinearity: 'relu', generator: g() });
    const s = stats(w);
    assert.ok(Math.abs(Math.sqrt(s.variance) / (Math.SQRT2 / 28) - 1) < 0.01, `std ${Math.sqrt(s.variance)}`);
    init.kaimingNormal_(w, { mode: 'fanOut', nonlinearity: 'relu', generator: g() });
    assert.ok(Math.abs(Math.sqrt(stats(w).variance) / (Math.SQRT2 / 16) - 1) < 0.01);
    assert.throws(
      () => init.kaimingNormal_(w, { mode: 'fan_in' as 'fanIn' }),
      /mode must be 'fanIn' or 'fanOut'/,
    );
  });

  it('kaimingUniform_ with the default leaky-ReLU gain: bound √6/√fanIn', () => {
    const w = zeros([64, 100], { dtype: 'float64' });
    init.kaimingUniform_(w, { generator: g() });
    const bound = Math.sqrt(6 / 100);
    const s = stats(w);
    assert.ok(s.min >= -bound && s.max <= bound && s.max > 0.98 * bound);
  });

  it('xavierUniform_ and xavierNormal_', () => {
    const w = zeros([300, 200], { dtype: 'float64' });
    init.xavierUniform_(w, { gain: 2, generator: g() });
    const a = 2 * Math.sqrt(6 / 500);
    const s = stats(w);
    assert.ok(s.min >= -a && s.max <= a && s.max > 0.99 * a);
    init.xavierNormal_(w, { generator: g() });
    assert.ok(Math.abs(Math.sqrt(stats(w).variance) / Math.sqrt(2 / 500) - 1) < 0.01);
  });

  it('uniform_, normal_, constant_, zeros_, ones_ fill in place, also on parameters', () => {
    const fc = new Linear(3, 2);
    assert.equal(init.constant_(fc.weight, 0.5), fc.weight);
    assert.deepEqual([...fc.weight.toTypedArray()], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    init.zeros_(fc.bias!);
    assert.deepEqual([...fc.bias!.toTypedArray()], [0, 0]);
    init.ones_(fc.bias!);
    assert.deepEqual([...fc.bias!.toTypedArray()], [1, 1]);
    const u = init.uniform_(zeros([10000], { dtype: 'float64' }), 2, 3, { generator: g() });
    const su = stats(u);
    assert.ok(su.min >= 2 && su.max < 3 && Math.abs(su.mean - 2.5) < 0.01);
    const n = init.normal_(zeros([10000], { dtype: 'float64' }), 1, 0.5, { generator: g() });
    const sn = stats(n);
    assert.ok(Math.abs(sn.mean - 1) < 0.02 && Math.abs(Math.sqrt(sn.variance) - 0.5) < 0.02);
    assert.throws(() => init.zeros_(zeros([2], { dtype: 'int32' })), /needs a floating tensor, got int32/);
  });

  it('calculateGain and fanInAndFanOut follow PyTorch', () => {
    assert.equal(init.calculateGain('linear'), 1);
    assert.equal(init.calculateGain('sigmoid'), 1);
    assert.equal(init.calculateGain('tanh'), 5 / 3);
    assert.equal(init.calculateGain('relu'), Math.SQRT2);
    assert.equal(init.calculateGain('leakyRelu'), Math.sqrt(2 / (1 + 0.01 ** 2)));
    assert.equal(init.calculateGain('leakyRelu', Math.sqrt(5)), Math.sqrt(1 / 3));
    assert.equal(init.calculateGain('selu'), 0.75);
    assert.throws(
      () => init.calculateGain('swish' as 'relu'),
      /unknown nonlinearity 'swish'; expected one of linear/,
    );
    assert.deepEqual(init.fanInAndFanOut(zeros([256, 784])), { fanIn: 784, fanOut: 256 });
    assert.deepEqual(init.fanInAndFanOut(zeros([16, 3, 5, 5])), { fanIn: 75, fanOut: 400 });
    assert.throws(() => init.fanInAndFanOut(zeros([5])), /at least 2 dimensions, got shape \[5\]/);
  });
});
