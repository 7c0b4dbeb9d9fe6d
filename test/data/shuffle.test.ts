import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  randomBelow,
  shuffledIndices,
  splitmix32,
  xoshiro128ss,
  xoshiro128ssFromState,
} from '../../src/data/shuffle.js';

describe('xoshiro128**', () => {
  it('matches the reference C implementation from state [1, 2, 3, 4]', () => {
    // Values printed by Blackman and Vigna's xoshiro128starstar.c, compiled with gcc, from s = {1, 2, 3, 4}.
    const next = xoshiro128ssFromState([1, 2, 3, 4]);
    assert.deepEqual(
      Array.from({ length: 6 }, () => next()),
      [11520, 0, 5927040, 70819200, 2031721883, 1637235492],
    );
  });

  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const take = (seed: number): number[] => {
      const next = xoshiro128ss(seed);
      return Array.from({ length: 8 }, () => next());
    };
    assert.deepEqual(take(42), take(42));
    assert.notDeepEqual(take(42), take(43));
    assert.notDeepEqual(take(0), take(1));
    for (const value of take(7)) assert.ok(Number.isInteger(value) && value >= 0 && value < 2 ** 32);
  });

  it('is not stuck at zero for seed 0', () => {
    const next = xoshiro128ss(0);
    assert.ok(Array.from({ length: 4 }, () => next()).some((v) => v !== 0));
  });

  it('splitmix32 spreads consecutive seeds apart', () => {
    const first = (seed: number): number => splitmix32(seed)();
    assert.notEqual(first(0), first(1));
    assert.notEqual(first(0), 0);
  });
});

describe('randomBelow', () => {
  it('is roughly uniform over a range that does not divide 2^32 (chi-square)', () => {
    const next = xoshiro128ss(123);
    const n = 7;
    const draws = 70000;
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < draws; i++) counts[randomBelow(next, n)]!++;
    const expected = draws / n;
    const chiSquare = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // 6 degrees of freedom: p = 0.001 at 22.46.
    assert.ok(chiSquare < 22.46, `chi-square ${chiSquare} for counts ${counts.join(',')}`);
  });

  it('rejects a bad range', () => {
    assert.throws(() => randomBelow(xoshiro128ss(1), 0), /n must be an integer in 1\.\.2\^32, got 0/);
  });
});

describe('shuffledIndices', () => {
  it('is a permutation of 0..n-1', () => {
    const order = shuffledIndices(1000, 5);
    assert.deepEqual(
      Array.from(order).sort((a, b) => a - b),
      Array.from({ length: 1000 }, (_, i) => i),
    );
  });

  it('depends only on the seed', () => {
    assert.deepEqual(shuffledIndices(100, 9), shuffledIndices(100, 9));
    assert.notDeepEqual(shuffledIndices(100, 9), shuffledIndices(100, 10));
  });

  it('puts each element in each position about equally often', () => {
    // Every one of the 6 orders of 3 elements should appear about 1/6 of the time.
    const seen = new Map<string, number>();
    for (let seed = 0; seed < 6000; seed++) {
      const key = Array.from(shuffledIndices(3, seed)).join('');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    assert.equal(seen.size, 6);
    for (const [order, count] of seen) assert.ok(count > 850 && count < 1150, `${order} seen ${count} times`);
  });
});
