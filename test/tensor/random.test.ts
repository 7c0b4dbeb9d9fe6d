import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Generator, manualSeed, rand, randint, randn, randperm, uniform } from '../../src/index.js';

const values = (t: { toTypedArray(): ArrayLike<number> }) => Array.from(t.toTypedArray());

describe('seeded random numbers', () => {
  it('manualSeed: the same seed gives the same values for every random function', () => {
    const draw = () => [
      values(rand([5])),
      values(randn([5], { dtype: 'float64' })),
      values(randint(0, 100, [5])),
      values(randperm(8)),
      values(uniform([3], -1, 1)),
    ];
    manualSeed(42);
    const first = draw();
    manualSeed(42);
    assert.deepEqual(draw(), first);
    manualSeed(43);
    assert.notDeepEqual(draw(), first);
  });

  it('the seed resets the pending Box-Muller deviate', () => {
    manualSeed(7);
    const a = values(randn([3], { dtype: 'float64' })); // leaves a spare deviate behind
    manualSeed(7);
    assert.deepEqual(values(randn([3], { dtype: 'float64' })), a);
  });

  it('generator state save/restore resumes the stream exactly, mid-pair included', () => {
    const g = new Generator(123);
    randn([3], { generator: g, dtype: 'float64' }); // an odd count: a spare deviate is pending
    const state = g.getState();
    assert.notEqual(state.spare, null);
    const saved = JSON.parse(JSON.stringify(state)) as typeof state; // survives a checkpoint round trip
    const next = [
      values(randn([5], { generator: g, dtype: 'float64' })),
      values(rand([4], { generator: g })),
    ];
    g.setState(saved);
    assert.deepEqual(
      [values(randn([5], { generator: g, dtype: 'float64' })), values(rand([4], { generator: g }))],
      next,
    );
    const other = new Generator(0);
    other.setState(saved);
    assert.deepEqual(values(randn([5], { generator: other, dtype: 'float64' })), next[0]);
    assert.throws(() => g.setState({ s: [1, 2], spare: null }), /expected \{s: \[4 uint32\], spare\}/);
  });

  it('an explicit generator is independent of the global one', () => {
    const g1 = new Generator(5);
    const g2 = new Generator(5);
    const a = values(rand([4], { generator: g1 }));
    manualSeed(99);
    rand([10]);
    assert.deepEqual(values(rand([4], { generator: g2 })), a);
  });

  it('rand: uniform in [0, 1) with mean 1/2 and variance 1/12', () => {
    manualSeed(1);
    const v = values(rand([100000], { dtype: 'float64' }));
    assert.ok(v.every((x) => x >= 0 && x < 1));
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length;
    assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1 / 12) < 0.002, `variance ${variance}`);
  });

  it('randn: mean ≈ 0 and std ≈ 1 over 100k samples, symmetric tails', () => {
    manualSeed(2);
    const t = randn([100000], { dtype: 'float64' });
    const v = values(t);
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1));
    // Standard error of the mean is 1/√n ≈ 0.003.
    assert.ok(Math.abs(mean) < 0.015, `mean ${mean}`);
    assert.ok(Math.abs(std - 1) < 0.01, `std ${std}`);
    assert.ok(Math.abs(t.mean().item() - mean) < 1e-12);
    assert.ok(Math.abs(t.std().item() - std) < 1e-9);
    // About 4.55% beyond 2σ, split evenly between the tails.
    const above = v.filter((x) => x > 2).length / v.length;
    const below = v.filter((x) => x < -2).length / v.length;
    assert.ok(Math.abs(above - 0.02275) < 0.003 && Math.abs(below - 0.02275) < 0.003, `${above} ${below}`);
    assert.equal(randn([3, 4]).dtype, 'float32');
    assert.deepEqual(randn([3, 4]).shape, [3, 4]);
  });

  it('randint: values in [low, high), every value reached, int32 by default', () => {
    manualSeed(3);
    const t = randint(-3, 4, [20000]);
    assert.equal(t.dtype, 'int32');
    const v = values(t);
    assert.equal(Math.min(...v), -3);
    assert.equal(Math.max(...v), 3);
    const counts = new Map<number, number>();
    for (const x of v) counts.set(x, (counts.get(x) ?? 0) + 1);
    assert.equal(counts.size, 7);
    for (const [, n] of counts) assert.ok(Math.abs(n / v.length - 1 / 7) < 0.015);
    assert.deepEqual(values(randint(5, 6, [4])), [5, 5, 5, 5]);
    assert.equal(randint(0, 2, [2], { dtype: 'float32' }).dtype, 'float32');
    assert.throws(() => randint(3, 3, [2]), /need integers low < high, got low=3, high=3/);
    assert.throws(() => randint(0, 2.5, [2]), /need integers low < high/);
  });

  it('randperm: a permutation of 0..n−1', () => {
    manualSeed(4);
    const p = values(randperm(50));
    assert.deepEqual(
      [...p].sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.notDeepEqual(
      p,
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.deepEqual(values(randperm(0)), []);
    assert.equal(randperm(3).dtype, 'int32');
  });

  it('random float functions refuse integer dtypes', () => {
    assert.throws(() => rand([2], { dtype: 'int32' }), /rand: dtype must be float32 or float64, got int32/);
    assert.throws(() => randn([2], { dtype: 'bool' }), /randn: dtype must be float32 or float64/);
  });
});
