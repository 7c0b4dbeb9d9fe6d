import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ImageSet } from '../../src/data/image-set.js';
import { trainValidationSplit } from '../../src/data/split.js';

/** Image i has its first pixel = i % 256 and second = floor(i / 256), so each image is identifiable. */
function identifiableSet(count: number): ImageSet {
  const images = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) {
    images[i * 4] = i % 256;
    images[i * 4 + 1] = Math.floor(i / 256);
  }
  const labels = Uint8Array.from({ length: count }, (_, i) => (i * 3) % 10);
  return { images, labels, count, rows: 2, cols: 2, classes: Array.from({ length: 10 }, (_, i) => `c${i}`) };
}

function idsOf(set: ImageSet): number[] {
  return Array.from({ length: set.count }, (_, i) => set.images[i * 4]! + 256 * set.images[i * 4 + 1]!);
}

describe('trainValidationSplit', () => {
  it('by default holds out the last sixth: 50,000 / 10,000 of 60,000', () => {
    const set = identifiableSet(60000);
    const { train, validation } = trainValidationSplit(set);
    assert.equal(train.count, 50000);
    assert.equal(validation.count, 10000);
    assert.deepEqual(idsOf(train).slice(0, 3), [0, 1, 2]);
    assert.equal(idsOf(train)[49999], 49999);
    assert.deepEqual(idsOf(validation).slice(0, 2), [50000, 50001]);
    assert.equal(idsOf(validation)[9999], 59999);
    assert.equal(validation.labels[0], (50000 * 3) % 10);
    assert.deepEqual(validation.classes, set.classes);
    assert.equal(train.rows, 2);
  });

  it('takes an explicit validation count', () => {
    const { train, validation } = trainValidationSplit(identifiableSet(100), 30);
    assert.deepEqual(
      [train.count, validation.count],
      [70, 30],
    );
    assert.deepEqual(idsOf(validation), Array.from({ length: 30 }, (_, i) => 70 + i));
  });

  it('with a seed, holds out a random subset; the parts are disjoint and cover the set', () => {
    const { train, validation } = trainValidationSplit(identifiableSet(1000), 200, 11);
    const trainIds = idsOf(train);
    const validationIds = idsOf(validation);
    assert.equal(trainIds.length, 800);
    assert.equal(validationIds.length, 200);
    const trainSet = new Set(trainIds);
    assert.ok(validationIds.every((id) => !trainSet.has(id)));
    assert.deepEqual(
      [...trainIds, ...validationIds].sort((a, b) => a - b),
      Array.from({ length: 1000 }, (_, i) => i),
    );
    // Random, not the tail: validation images come from all over the set, in ascending order.
    assert.ok(validationIds.some((id) => id < 500) && validationIds.some((id) => id >= 800));
    assert.deepEqual(
      validationIds,
      [...validationIds].sort((a, b) => a - b),
    );
    // Labels travel with their images.
    assert.ok(idsOf(validation).every((id, i) => validation.labels[i] === (id * 3) % 10));
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const set = identifiableSet(500);
    assert.deepEqual(idsOf(trainValidationSplit(set, 50, 1).validation), idsOf(trainValidationSplit(set, 50, 1).validation));
    assert.notDeepEqual(idsOf(trainValidationSplit(set, 50, 1).validation), idsOf(trainValidationSplit(set, 50, 2).validation));
  });

  it('copies, so changing a split leaves the source intact', () => {
    const set = identifiableSet(10);
    const { train } = trainValidationSplit(set, 2);
    train.images[0] = 99;
    assert.equal(set.images[0], 0);
  });

  it('rejects a count outside 0..size', () => {
    assert.throws(
      () => trainValidationSplit(identifiableSet(10), 11),
      /validationCount must be an integer from 0 to 10 \(the set's size\), got 11/,
    );
    assert.throws(() => trainValidationSplit(identifiableSet(10), -1), /got -1/);
  });
});
