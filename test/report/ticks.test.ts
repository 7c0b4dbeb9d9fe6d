/** Tick steps, ranges and labels for linear and log axes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  buildAxis,
  formatNumber,
  formatPowerOfTen,
  formatTick,
  linearTicks,
  logTicks,
  niceLinearDomain,
  niceStep,
} from '../../src/report/ticks.js';

describe('linear ticks', () => {
  it('steps by 1, 2 or 5 × 10^k and prints round values', () => {
    assert.equal(niceStep(1, 5), 0.2);
    assert.equal(niceStep(10, 4), 2);
    assert.equal(niceStep(7, 10), 0.5);
    assert.equal(niceStep(9, 10), 1);
    assert.equal(niceStep(3e-5, 6), 5e-6);
    assert.deepEqual(linearTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(linearTicks(0.25, 0.95, 7), [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    assert.deepEqual(linearTicks(-3, 3, 6), [-3, -2, -1, 0, 1, 2, 3]);
    assert.ok(linearTicks(-1, 1, 4).every((v) => !Object.is(v, -0)));
  });

  it('rounds a range out to its ticks', () => {
    assert.deepEqual(niceLinearDomain(0.13, 2.27, 6), [0, 2.5]);
    assert.deepEqual(niceLinearDomain(5, 5, 6), [4.4, 5.6]);
    const axis = buildAxis([0.31, 2.3, NaN, Infinity], 'linear', undefined, 5);
    assert.deepEqual(axis.domain, [0, 2.5]);
    assert.deepEqual(
      axis.ticks.map((t) => t.label),
      ['0', '0.5', '1.0', '1.5', '2.0', '2.5'],
    );
  });

  it('labels with as many decimals as the step needs, or in 1e-4 notation', () => {
    assert.equal(formatTick(0.30000000000000004, 0.1), '0.3');
    assert.equal(formatTick(1200, 200), '1200');
    assert.equal(formatTick(2.5e-5, 5e-6), '2.5e-5');
    assert.equal(formatTick(300000, 100000), '3e5');
    assert.equal(formatTick(-0, 1), '0');
    assert.equal(formatNumber(0.0031622), '3.162e-3');
    assert.equal(formatNumber(0.04659, 3), '0.0466');
    assert.equal(formatNumber(12.5), '12.5');
  });
});

describe('log ticks', () => {
  it('puts a labelled tick at every power of ten, 1e-4 style, with minor ticks between', () => {
    const ticks = logTicks(1e-7, 10);
    const major = ticks.filter((t) => !t.minor);
    assert.deepEqual(
      major.map((t) => t.value),
      [1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10],
    );
    assert.deepEqual(
      major.map((t) => t.label),
      ['1e-7', '1e-6', '1e-5', '1e-4', '1e-3', '1e-2', '1e-1', '1', '10'],
    );
    const minor = ticks.filter((t) => t.minor);
    assert.equal(minor.length, 8 * 8);
    assert.ok(minor.every((t) => t.label === '' && t.value > 1e-7 && t.value < 10));
    assert.ok(minor.some((t) => t.value === 2e-7) && minor.some((t) => t.value === 9));
    assert.deepEqual(
      ticks.map((t) => t.value),
      [...ticks.map((t) => t.value)].sort((a, b) => a - b),
    );
  });

  it('labels every few powers on a wide range, and 1-2-5 values on a narrow one', () => {
    const wide = logTicks(1e-20, 1e5).filter((t) => t.label);
    assert.deepEqual(
      wide.map((t) => t.label),
      ['1e-18', '1e-15', '1e-12', '1e-9', '1e-6', '1e-3', '1', '1e3'],
    );
    assert.equal(logTicks(1e-20, 1e5).filter((t) => t.minor).length, 0, 'no minor ticks across 26 decades');
    assert.equal(formatPowerOfTen(2), '100');
    assert.equal(formatPowerOfTen(3), '1e3');
    assert.deepEqual(
      logTicks(0.15, 0.9).map((t) => [t.value, t.label]),
      [
        [0.2, '0.2'],
        [0.5, '0.5'],
      ],
    );
    assert.deepEqual(
      logTicks(3, 4.5).map((t) => t.label),
      ['3.0', '3.5', '4.0', '4.5'],
    );
  });

  it('rounds a data range out to whole decades and skips values that are not positive', () => {
    const axis = buildAxis([3e-5, 0.7, 0, -1, NaN], 'log', undefined, 6);
    assert.deepEqual(axis.domain, [1e-5, 1]);
    assert.deepEqual(
      axis.ticks.filter((t) => t.label).map((t) => t.label),
      ['1e-5', '1e-4', '1e-3', '1e-2', '1e-1', '1'],
    );
    assert.deepEqual(buildAxis([5], 'log', undefined, 6).domain, [1, 10]);
    assert.deepEqual(buildAxis([], 'log', undefined, 6).domain, [1, 10]);
    assert.deepEqual(buildAxis([2, 3], 'log', [1e-3, 1e2], 6).domain, [1e-3, 1e2]);
  });
});
