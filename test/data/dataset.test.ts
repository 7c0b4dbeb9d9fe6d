import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ImageSetDataset, Subset, TensorDataset, randomSplit, type Dataset } from '../../src/data/dataset.js';
import type { ImageSet } from '../../src/data/image-set.js';
import { fromTypedArray } from '../../src/tensor/creation.js';

function numbers(n: number): Dataset<number> {
  return { length: n, get: (i) => i };
}

function all<T>(dataset: Dataset<T>): T[] {
  return Array.from({ length: dataset.length }, (_, i) => dataset.get(i));
}

describe('ImageSetDataset', () => {
  const set: ImageSet = {
    images: Uint8Array.of(0, 51, 102, 255, 255, 255, 0, 0, 0, 0, 0, 0),
    labels: Uint8Array.of(3, 7),
    count: 2,
    rows: 2,
    cols: 3,
    classes: Array.from({ length: 10 }, (_, i) => `c${i}`),
  };

  it('returns [1, rows, cols] float images in [0, 1] and the label', () => {
    const dataset = new ImageSetDataset(set);
    assert.equal(dataset.length, 2);
    const { image, label } = dataset.get(0);
    assert.equal(label, 3);
    assert.deepEqual([image.channels, image.height, image.width], [1, 2, 3]);
    assert.deepEqual(Array.from(image.data), [0, 0.2, 0.4, 1, 1, 1].map(Math.fround));
    assert.equal(dataset.get(1).label, 7);
    assert.deepEqual(dataset.classes, set.classes);
    assert.throws(() => dataset.get(2), /index 2 is out of range for 2 samples/);
  });
});

describe('TensorDataset', () => {
  it('pairs rows of the inputs with integer targets', () => {
    const inputs = fromTypedArray(Float64Array.of(1, 2, 3, 4, 5, 6), [3, 2]);
    const targets = fromTypedArray(Int32Array.of(0, 2, 1), [3]);
    const dataset = new TensorDataset(inputs, targets);
    assert.equal(dataset.length, 3);
    assert.deepEqual(dataset.get(1), { input: Float32Array.of(3, 4), shape: [2], label: 2 });
    assert.throws(() => new TensorDataset(inputs, fromTypedArray(Int32Array.of(0, 1), [2])), /targets must have shape \[3\]/);
    assert.throws(() => new TensorDataset(inputs, fromTypedArray(Float32Array.of(0, 1.5, 1), [3])), /target 1 is 1.5/);
  });
});

describe('randomSplit', () => {
  it('splits into disjoint subsets that cover the dataset, by counts', () => {
    const parts = randomSplit(numbers(100), [70, 20, 10], 0);
    assert.deepEqual(
      parts.map((p) => p.length),
      [70, 20, 10],
    );
    const seen = parts.flatMap(all).sort((a, b) => a - b);
    assert.deepEqual(
      seen,
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  it('splits by fractions, dealing the remainder to the first subsets (as PyTorch)', () => {
    assert.deepEqual(
      randomSplit(numbers(10), [0.5, 0.25, 0.25], 1).map((p) => p.length),
      [6, 2, 2],
    );
    assert.deepEqual(
      randomSplit(numbers(7), [1 / 3, 1 / 3, 1 / 3], 1).map((p) => p.length),
      [3, 2, 2],
    );
  });

  it('is seeded: the same seed gives the same split, another seed another', () => {
    const a = randomSplit(numbers(50), [25, 25], 3).map(all);
    const b = randomSplit(numbers(50), [25, 25], 3).map(all);
    const c = randomSplit(numbers(50), [25, 25], 4).map(all);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('refuses lengths that do not add up', () => {
    assert.throws(() => randomSplit(numbers(10), [5, 4], 0), /sum to 9, but the dataset has 10 samples/);
    assert.throws(() => randomSplit(numbers(10), [0.5, 0.4], 0), /non-negative integers summing to 10 or fractions summing to 1/);
    assert.throws(() => randomSplit(numbers(10), [], 0), /must not be empty/);
  });

  it('Subset reads through to its dataset and checks indices', () => {
    const subset = new Subset(numbers(5), [4, 0, 2]);
    assert.deepEqual(all(subset), [4, 0, 2]);
    assert.throws(() => new Subset(numbers(5), [5]), /position 0: index 5 is out of range/);
  });
});
