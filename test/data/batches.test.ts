import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { batchCount, batches } from '../../src/data/batches.js';
import type { ImageSet } from '../../src/data/image-set.js';

/** A set whose image i has every pixel equal to i % 256, and label i % 10, so batches can be checked exactly. */
function numberedSet(count: number, rows = 2, cols = 3): ImageSet {
  const pixels = rows * cols;
  const images = new Uint8Array(count * pixels);
  for (let i = 0; i < count; i++) images.fill(i % 256, i * pixels, (i + 1) * pixels);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count, rows, cols, classes: Array.from({ length: 10 }, (_, i) => String(i)) };
}

function epochIndices(set: ImageSet, options: Parameters<typeof batches>[1]): number[] {
  return [...batches(set, options)].flatMap((batch) => Array.from(batch.indices));
}

describe('batches', () => {
  it('covers every index exactly once per epoch, in batches of batchSize then the remainder', () => {
    const set = numberedSet(103);
    const all = [...batches(set, { batchSize: 10, seed: 1 })];
    assert.deepEqual(
      all.map((b) => b.size),
      [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3],
    );
    const seen = all.flatMap((b) => Array.from(b.indices)).sort((a, b) => a - b);
    assert.deepEqual(
      seen,
      Array.from({ length: 103 }, (_, i) => i),
    );
    assert.equal(all.length, batchCount(103, 10));
  });

  it('fills images (scaled to [0, 1]) and labels from the indexed images', () => {
    const set = numberedSet(300);
    for (const batch of batches(set, { batchSize: 64, seed: 3 })) {
      assert.equal(batch.images.length, batch.size * 6);
      assert.equal(batch.labels.length, batch.size);
      assert.ok(batch.images instanceof Float32Array && batch.labels instanceof Int32Array);
      for (let i = 0; i < batch.size; i++) {
        const index = batch.indices[i]!;
        assert.equal(batch.labels[i], index % 10);
        for (let p = 0; p < 6; p++) assert.equal(batch.images[i * 6 + p], Math.fround((index % 256) / 255));
      }
    }
  });

  it('scales 0 to 0 and 255 to exactly 1', () => {
    const set = numberedSet(256, 1, 1);
    const [batch] = [...batches(set, { batchSize: 256, shuffle: false })];
    assert.equal(batch!.images[0], 0);
    assert.equal(batch!.images[255], 1);
    assert.equal(batch!.images[51], Math.fround(0.2));
  });

  it('is reproducible for a seed and differs across seeds (seed + epoch)', () => {
    const set = numberedSet(500);
    assert.deepEqual(epochIndices(set, { batchSize: 32, seed: 7 }), epochIndices(set, { batchSize: 32, seed: 7 }));
    const epoch0 = epochIndices(set, { batchSize: 32, seed: 7 + 0 });
    const epoch1 = epochIndices(set, { batchSize: 32, seed: 7 + 1 });
    assert.notDeepEqual(epoch0, epoch1);
    // A real shuffle, not a rotation: most positions change.
    const samePosition = epoch0.filter((index, i) => index === epoch1[i]).length;
    assert.ok(samePosition < 25, `${samePosition} of 500 positions unchanged`);
  });

  it('keeps the stored order without shuffle', () => {
    assert.deepEqual(
      epochIndices(numberedSet(7), { batchSize: 3, shuffle: false }),
      [0, 1, 2, 3, 4, 5, 6],
    );
  });

  it('honours dropLast', () => {
    const set = numberedSet(103);
    const all = [...batches(set, { batchSize: 10, seed: 2, dropLast: true })];
    assert.equal(all.length, 10);
    assert.ok(all.every((b) => b.size === 10));
    assert.equal(batchCount(103, 10, true), 10);
    // The 100 images kept are distinct, and they are the first 100 of the same shuffled order.
    const kept = all.flatMap((b) => Array.from(b.indices));
    assert.equal(new Set(kept).size, 100);
    assert.deepEqual(kept, epochIndices(set, { batchSize: 10, seed: 2 }).slice(0, 100));
    // An exact multiple loses nothing.
    assert.equal([...batches(numberedSet(100), { batchSize: 10, dropLast: true })].length, 10);
  });

  it('returns fresh arrays for each batch', () => {
    const [a, b] = [...batches(numberedSet(20), { batchSize: 10, shuffle: false })];
    assert.notEqual(a!.images.buffer, b!.images.buffer);
    assert.equal(a!.images[0], 0);
    assert.equal(b!.images[0], Math.fround(10 / 255));
  });

  it('rejects a bad batch size at the call', () => {
    assert.throws(() => batches(numberedSet(5), { batchSize: 0 }), /batchSize must be a positive integer, got 0/);
    assert.throws(() => batches(numberedSet(5), { batchSize: 2.5 }), /got 2\.5/);
  });

  it('yields nothing for an empty set', () => {
    assert.equal([...batches(numberedSet(0), { batchSize: 4 })].length, 0);
  });
});
