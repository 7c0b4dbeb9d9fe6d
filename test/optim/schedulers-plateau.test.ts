/** ReduceLROnPlateau properties: patience, cooldown, minLr, eps, thresholds, and its saved state. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { HasParamGroups } from '../../src/optim/param-group.js';
import { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from '../../src/optim/schedulers/index.js';

function sgd(...lrs: number[]): HasParamGroups {
  return { paramGroups: lrs.map((lr) => ({ params: [], lr })) };
}

/** The steps (0-based calls of step(metric)) after which the lr of group 0 changed. */
function drops(metrics: number[], options: ReduceLROnPlateauOptions, lr = 1): number[] {
  const optimizer = sgd(lr);
  const scheduler = new ReduceLROnPlateau(optimizer, options);
  const at: number[] = [];
  metrics.forEach((metric, i) => {
    const before = optimizer.paramGroups[0]!.lr;
    scheduler.step(metric);
    if (optimizer.paramGroups[0]!.lr !== before) at.push(i);
  });
  return at;
}

const flat = (n: number): number[] => Array.from({ length: n }, () => 1);

describe('ReduceLROnPlateau', () => {
  it('drops on the (patience+1)-th bad step in a row, then counts again from zero', () => {
    for (const patience of [0, 1, 3, 5]) {
      // Step 0 sets the best; every later step is bad.
      const expected = [1, 2, 3].map((k) => k * (patience + 1));
      assert.deepEqual(drops(flat(3 * (patience + 1) + 1), { patience }), expected, `patience ${patience}`);
    }
  });

  it('multiplies the lr by factor at each drop', () => {
    const optimizer = sgd(0.1);
    const scheduler = new ReduceLROnPlateau(optimizer, { patience: 1, factor: 0.5 });
    for (const metric of flat(7)) scheduler.step(metric);
    assert.equal(optimizer.paramGroups[0]!.lr, 0.1 * 0.5 * 0.5 * 0.5);
    assert.deepEqual(scheduler.getLastLr(), [0.0125]);
    assert.equal(scheduler.lastStep, 7);
  });

  it('ignores bad steps for `cooldown` steps after a drop', () => {
    for (const [patience, cooldown] of [
      [1, 2],
      [0, 3],
      [2, 1],
    ] as const) {
      const first = patience + 1;
      const period = cooldown + patience + 1;
      const expected = [first, first + period, first + 2 * period];
      assert.deepEqual(
        drops(flat(first + 2 * period + 1), { patience, cooldown }),
        expected,
        `${patience}/${cooldown}`,
      );
    }
  });

  it('never drops while the metric keeps improving by more than the threshold', () => {
    const improving = Array.from({ length: 30 }, (_, i) => 1 - 0.01 * i);
    assert.deepEqual(drops(improving, { patience: 0 }), []);
    const rising = Array.from({ length: 30 }, (_, i) => i);
    assert.deepEqual(drops(rising, { patience: 0, mode: 'max' }), []);
  });

  it('tests improvement relative to the best (rel) or by a margin (abs)', () => {
    const rel = new ReduceLROnPlateau(sgd(1)); // min, rel, threshold 1e-4
    assert.equal(rel.isBetter(0.79999, 0.8), false);
    assert.equal(rel.isBetter(0.7999, 0.8), true);
    const abs = new ReduceLROnPlateau(sgd(1), { mode: 'max', thresholdMode: 'abs', threshold: 0.01 });
    assert.equal(abs.isBetter(0.305, 0.3), false);
    assert.equal(abs.isBetter(0.311, 0.3), true);
    const relMax = new ReduceLROnPlateau(sgd(1), { mode: 'max', threshold: 0.1 });
    assert.equal(relMax.isBetter(1.05, 1), false);
    assert.equal(relMax.isBetter(1.11, 1), true);
  });

  it('never goes below minLr, one value or one per group', () => {
    const optimizer = sgd(1, 1);
    const scheduler = new ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.5, minLr: [0.2, 0] });
    for (const metric of flat(12)) scheduler.step(metric);
    const [a, b] = optimizer.paramGroups;
    assert.equal(a!.lr, 0.2);
    assert.equal(b!.lr, 0.5 ** 11);
    const single = sgd(1, 3);
    const s2 = new ReduceLROnPlateau(single, { patience: 0, factor: 0.1, minLr: 0.05 });
    for (const metric of flat(2)) s2.step(metric);
    assert.deepEqual(
      single.paramGroups.map((g) => g.lr),
      [1 * 0.1, 3 * 0.1],
    );
    for (const metric of flat(10)) s2.step(metric);
    assert.deepEqual(
      single.paramGroups.map((g) => g.lr),
      [0.05, 0.05],
    );
  });

  it('skips a decrease smaller than eps', () => {
    assert.deepEqual(drops(flat(5), { patience: 0, factor: 0.5 }, 1e-8), []);
    assert.deepEqual(drops(flat(3), { patience: 0, factor: 0.5, eps: 1e-10 }, 1e-8), [1, 2]);
  });

  it('round-trips its state through JSON, including a best of ±∞', () => {
    for (const mode of ['min', 'max'] as const) {
      const fresh = new ReduceLROnPlateau(sgd(0.1), { mode });
      const state = JSON.parse(JSON.stringify(fresh.stateDict()));
      assert.equal(state.best, null);
      const other = new ReduceLROnPlateau(sgd(0.1), { mode });
      other.loadStateDict(state);
      assert.equal(other.best, mode === 'min' ? Infinity : -Infinity);
    }
    const metrics = [1, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.7];
    const options = { patience: 1, cooldown: 1, factor: 0.5 };
    const a = sgd(0.1);
    const sa = new ReduceLROnPlateau(a, options);
    metrics.slice(0, 4).forEach((m) => sa.step(m));
    const saved = JSON.parse(JSON.stringify(sa.stateDict()));
    const b = sgd(0.1);
    const sb = new ReduceLROnPlateau(b, options);
    sb.loadStateDict(saved);
    assert.equal(b.paramGroups[0]!.lr, a.paramGroups[0]!.lr);
    for (const m of metrics.slice(4)) {
      sa.step(m);
      sb.step(m);
      assert.equal(b.paramGroups[0]!.lr, a.paramGroups[0]!.lr);
      assert.deepEqual(sb.stateDict(), sa.stateDict());
    }
  });

  it('refuses a missing metric and bad options, naming the option', () => {
    const scheduler = new ReduceLROnPlateau(sgd(0.1));
    assert.throws(() => scheduler.step(), /ReduceLROnPlateau.step needs the metric it watches/);
    assert.throws(
      () => new ReduceLROnPlateau(sgd(0.1), { factor: 1 }),
      /ReduceLROnPlateau: factor must be a number in \(0, 1\), got 1/,
    );
    assert.throws(
      () => new ReduceLROnPlateau(sgd(0.1), { patience: -1 }),
      /patience must be a non-negative integer, got -1/,
    );
    assert.throws(
      () => new ReduceLROnPlateau(sgd(0.1), { mode: 'up' as 'min' }),
      /mode must be one of 'min', 'max', got "up"/,
    );
    assert.throws(
      () => new ReduceLROnPlateau(sgd(0.1), { thresholdMode: 'x' as 'rel' }),
      /thresholdMode must be one of 'rel', 'abs'/,
    );
    assert.throws(
      () => new ReduceLROnPlateau(sgd(0.1, 0.2), { minLr: [0] }),
      /minLr must have one value per parameter group \(2\)/,
    );
  });
});
