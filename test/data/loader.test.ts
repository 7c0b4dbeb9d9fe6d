import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ImageSetDataset, TensorDataset, type Dataset, type ImageSample } from '../../src/data/dataset.js';
import { DataLoader, type LoaderBatch } from '../../src/data/loader.js';
import type { ImageSet } from '../../src/data/image-set.js';
import { parseAugmentSpec } from '../../src/data/transforms/spec.js';
import { fromTypedArray } from '../../src/tensor/creation.js';

/** Image i has every pixel (i % 256) / 255 and label i % 10. */
function numbered(count: number, rows = 4, cols = 4): ImageSetDataset {
  const pixels = rows * cols;
  const images = new Uint8Array(count * pixels);
  for (let i = 0; i < count; i++) images.fill(i % 256, i * pixels, (i + 1) * pixels);
  const set: ImageSet = {
    images,
    labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
    count,
    rows,
    cols,
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
  };
  return new ImageSetDataset(set);
}

/** Comparable form of a batch: the sample indices, the input bytes and the targets. */
function fingerprint(batch: LoaderBatch): string {
  return JSON.stringify([
    Array.from(batch.indices),
    batch.inputs.shape,
    Buffer.from(new Uint8Array((batch.inputs.toTypedArray() as Float32Array).buffer)).toString('base64'),
    Array.from(batch.targets.toTypedArray()),
  ]);
}

async function collect(iterable: AsyncIterable<LoaderBatch>): Promise<LoaderBatch[]> {
  const out: LoaderBatch[] = [];
  for await (const batch of iterable) out.push(batch);
  return out;
}

describe('DataLoader', () => {
  it('yields [N, C, H, W] float32 inputs and int32 targets covering the dataset once per epoch', () => {
    const loader = new DataLoader(numbered(23), { batchSize: 5, shuffle: true, seed: 1 });
    assert.equal(loader.length, 5);
    const batches = [...loader.epoch(0)];
    assert.deepEqual(
      batches.map((b) => b.size),
      [5, 5, 5, 5, 3],
    );
    for (const b of batches) {
      assert.deepEqual(b.inputs.shape, [b.size, 1, 4, 4]);
      assert.equal(b.inputs.dtype, 'float32');
      assert.equal(b.targets.dtype, 'int32');
      const pixels = b.inputs.toTypedArray();
      b.indices.forEach((index, i) => {
        assert.equal(pixels[i * 16], Math.fround(index / 255));
        assert.equal(b.targets.toTypedArray()[i], index % 10);
      });
    }
    const seen = batches.flatMap((b) => Array.from(b.indices)).sort((a, b) => a - b);
    assert.deepEqual(
      seen,
      Array.from({ length: 23 }, (_, i) => i),
    );
  });

  it('keeps index order without shuffle, and drops the partial batch with dropLast', () => {
    const ordered = [...new DataLoader(numbered(7), { batchSize: 3 }).epoch(0)];
    assert.deepEqual(
      ordered.map((b) => Array.from(b.indices)),
      [[0, 1, 2], [3, 4, 5], [6]],
    );
    const dropped = new DataLoader(numbered(7), { batchSize: 3, dropLast: true });
    assert.equal(dropped.length, 2);
    assert.deepEqual(
      [...dropped.epoch(0)].map((b) => b.size),
      [3, 3],
    );
  });

  it('shuffles differently each epoch and identically for the same seed and epoch', () => {
    const order = (seed: number, epoch: number): number[] =>
      [...new DataLoader(numbered(40), { batchSize: 8, shuffle: true, seed }).epoch(epoch)].flatMap((b) => Array.from(b.indices));
    assert.deepEqual(order(0, 0), order(0, 0));
    assert.notDeepEqual(order(0, 0), order(0, 1));
    assert.notDeepEqual(order(0, 0), order(1, 0));
  });

  it('augments freshly each epoch, reproducibly (bit-identical batches for the same seed and epoch)', () => {
    const transform = parseAugmentSpec('brightness=0.4,rotate=15,crop=1,flip,noise=0.02');
    const make = (): DataLoader<ImageSample> => new DataLoader(numbered(12, 6, 6), { batchSize: 4, shuffle: true, seed: 7, transform });
    const a = [...make().epoch(3)].map(fingerprint);
    const b = [...make().epoch(3)].map(fingerprint);
    assert.deepEqual(a, b);
    // Same order (no shuffle) in two epochs, different augmentation.
    const fixed = new DataLoader(numbered(12, 6, 6), { batchSize: 4, seed: 7, transform });
    const e0 = [...fixed.epoch(0)].map(fingerprint);
    const e1 = [...fixed.epoch(1)].map(fingerprint);
    e0.forEach((f, i) => assert.notEqual(f, e1[i]));
    // A sample's augmentation depends on (seed, epoch, index) only, not on the batch size.
    const byIndex = (batchSize: number): Map<number, string> => {
      const map = new Map<number, string>();
      for (const batch of new DataLoader(numbered(12, 6, 6), { batchSize, shuffle: true, seed: 7, transform }).epoch(2)) {
        const data = batch.inputs.toTypedArray();
        batch.indices.forEach((index, i) => map.set(index, String(data.slice(i * 36, (i + 1) * 36))));
      }
      return map;
    };
    assert.deepEqual(byIndex(5), byIndex(3));
  });

  it('prefetching yields exactly the batches of plain iteration', async () => {
    const transform = parseAugmentSpec('rotate=10,erase=0.5');
    const options = { batchSize: 6, shuffle: true, seed: 3, transform };
    const plain = [...new DataLoader(numbered(40, 5, 5), options).epoch(2)].map(fingerprint);
    const prefetched = (await collect(new DataLoader(numbered(40, 5, 5), { ...options, prefetch: true }).epoch(2))).map(fingerprint);
    const unprefetched = (await collect(new DataLoader(numbered(40, 5, 5), { ...options, prefetch: false }).epoch(2))).map(fingerprint);
    assert.deepEqual(prefetched, plain);
    assert.deepEqual(unprefetched, plain);
  });

  it('prefetch assembles the next batch while the consumer awaits', async () => {
    let gets = 0;
    const counting: Dataset<ImageSample> = {
      length: 6,
      get: (i) => {
        gets++;
        return numbered(6).get(i);
      },
    };
    const loader = new DataLoader(counting, { batchSize: 2 });
    const iterator = loader.epoch(0)[Symbol.asyncIterator]();
    await iterator.next();
    assert.equal(gets, 2);
    // The consumer "trains" asynchronously; meanwhile batch 1 is assembled.
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(gets, 4, 'batch 1 was prepared before it was asked for');
    await iterator.return?.();
  });

  it('reports a failing sample through the iteration, and an abandoned prefetch leaves no unhandled rejection', async () => {
    const failing: Dataset<ImageSample> = {
      length: 4,
      get: (i) => {
        if (i === 3) throw new Error('sample 3 is broken');
        return numbered(4).get(i);
      },
    };
    await assert.rejects(collect(new DataLoader(failing, { batchSize: 1 }).epoch(0)), /sample 3 is broken/);
    for await (const batch of new DataLoader(failing, { batchSize: 2 }).epoch(0)) {
      assert.equal(batch.index, 0);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it('saves and restores its position for an exact resume', async () => {
    const transform = parseAugmentSpec('rotate=20,crop=2');
    const options = { batchSize: 5, shuffle: true, seed: 11, transform };
    // Reference: three epochs straight through.
    const reference = new DataLoader(numbered(23, 6, 6), options);
    const expected: string[] = [];
    for (let epoch = 0; epoch < 3; epoch++) for await (const b of reference) expected.push(fingerprint(b));
    assert.equal(expected.length, 15);
    assert.deepEqual(reference.stateDict().epoch, 3);

    // Interrupted after 7 batches (mid epoch 1), state saved as JSON, resumed in a new loader.
    const first = new DataLoader(numbered(23, 6, 6), options);
    const got: string[] = [];
    outer: for (let epoch = 0; epoch < 3; epoch++) {
      for await (const b of first) {
        got.push(fingerprint(b));
        if (got.length === 7) break outer;
      }
    }
    const saved = JSON.parse(JSON.stringify(first.stateDict()));
    assert.deepEqual([saved.epoch, saved.batch], [1, 2]);
    const resumed = new DataLoader(numbered(23, 6, 6), options);
    resumed.loadStateDict(saved);
    while (got.length < 15) for (const b of resumed) got.push(fingerprint(b));
    assert.deepEqual(got, expected);
  });

  it('refuses a state saved by a differently configured loader', () => {
    const state = new DataLoader(numbered(10), { batchSize: 5, seed: 1 }).stateDict();
    assert.throws(
      () => new DataLoader(numbered(10), { batchSize: 4, seed: 1 }).loadStateDict(state),
      /saved with batchSize 5, this loader has 4/,
    );
    assert.throws(() => new DataLoader(numbered(10), { batchSize: 5, seed: 2 }).loadStateDict(state), /seed 1/);
  });

  it('batches tensor datasets as [N, ...shape] and checks options', () => {
    const inputs = fromTypedArray(Float32Array.from({ length: 12 }, (_, i) => i), [4, 3]);
    const loader = new DataLoader(new TensorDataset(inputs, fromTypedArray(Int32Array.of(0, 1, 0, 1), [4])), { batchSize: 3 });
    const [first, second] = [...loader.epoch(0)];
    assert.deepEqual(first!.inputs.shape, [3, 3]);
    assert.deepEqual(Array.from(first!.inputs.toTypedArray()), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(Array.from(second!.targets.toTypedArray()), [1]);
    const augmented = new DataLoader(new TensorDataset(inputs, fromTypedArray(Int32Array.of(0, 1, 0, 1), [4])), {
      batchSize: 2,
      transform: parseAugmentSpec('flip'),
    });
    assert.throws(() => [...augmented.epoch(0)], /a transform needs images \[C, H, W\], but sample 0 has shape \[3\]/);
    assert.throws(() => new DataLoader(numbered(3), { batchSize: 0 }), /batchSize must be a positive integer/);
    assert.throws(() => loader.epoch(-1), /epoch must be a non-negative integer/);
  });

  it('refuses a batch of differently sized images, naming the sample', () => {
    const mixed: Dataset<ImageSample> = {
      length: 2,
      get: (i) => ({ image: { data: new Float32Array(i === 0 ? 4 : 6), channels: 1, height: 2, width: i === 0 ? 2 : 3 }, label: 0 }),
    };
    assert.throws(() => [...new DataLoader(mixed, { batchSize: 2 }).epoch(0)], /sample 1 has shape \[1, 2, 3\], but sample 0/);
  });
});
