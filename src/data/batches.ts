// Mini-batches of an image set as float pixels and integer labels, in a seeded shuffled order.
import type { ImageSet } from './image-set.js';
import { shuffledIndices } from './shuffle.js';

/** Options for {@link batches}. */
export interface BatchOptions {
  /** Images per batch (a positive integer). */
  batchSize: number;
  /** Visit the images in a seeded random order (default true); false keeps the stored order. */
  shuffle?: boolean;
  /** Seed of the order when shuffling (default 0). Pass `seed + epoch` to get a new order each epoch. */
  seed?: number;
  /** Skip the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

/** One mini-batch. Every array is freshly allocated, so a batch stays valid after the next is produced. */
export interface Batch {
  /** `size * rows * cols` pixels scaled from 0-255 to [0, 1], image after image, row-major. */
  images: Float32Array;
  /** The class index of each image. */
  labels: Int32Array;
  /** Number of images in this batch (`batchSize`, or fewer for the last one). */
  size: number;
  /** The position of each image in the source set. */
  indices: Int32Array;
}

/**
 * Iterates over `set` in mini-batches, visiting every image exactly once (or every image but the
 * final partial batch with `dropLast`). The order depends only on `seed`: the same seed always
 * gives the same batches, so for a fresh order each epoch pass `seed: seed + epoch`.
 *
 * @example
 * for (let epoch = 0; epoch < epochs; epoch++) {
 *   for (const batch of batches(train, { batchSize: 128, seed: seed + epoch })) {
 *     // batch.images: Float32Array of batch.size * 784, batch.labels: Int32Array of batch.size
 *   }
 * }
 */
export function batches(set: ImageSet, options: BatchOptions): Generator<Batch, void, undefined> {
  const { batchSize, shuffle = true, seed = 0, dropLast = false } = options;
  // Checked here rather than in the generator, so a bad option fails at the call, not at the first next().
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`batches: batchSize must be a positive integer, got ${batchSize}`);
  }
  return generateBatches(set, batchSize, shuffle, seed, dropLast);
}

/** Pixel byte -> float in [0, 1]. Float64 division then rounding to float32 equals float32 division
 * (53 >= 2 * 24 + 2 bits), so these match PyTorch's `uint8_tensor.float() / 255` exactly. */
const PIXEL_TO_UNIT = Float32Array.from({ length: 256 }, (_, value) => value / 255);

function* generateBatches(
  set: ImageSet,
  batchSize: number,
  shuffle: boolean,
  seed: number,
  dropLast: boolean,
): Generator<Batch, void, undefined> {
  const order = shuffle ? shuffledIndices(set.count, seed) : identity(set.count);
  const pixels = set.rows * set.cols;
  const end = dropLast ? set.count - (set.count % batchSize) : set.count;
  for (let start = 0; start < end; start += batchSize) {
    const indices = order.slice(start, Math.min(start + batchSize, end));
    const size = indices.length;
    const images = new Float32Array(size * pixels);
    const labels = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const index = indices[i]!;
      const source = index * pixels;
      const target = i * pixels;
      for (let p = 0; p < pixels; p++) images[target + p] = PIXEL_TO_UNIT[set.images[source + p]!]!;
      labels[i] = set.labels[index]!;
    }
    yield { images, labels, size, indices };
  }
}

/** Number of batches {@link batches} yields for a set of `count` images: for progress bars. */
export function batchCount(count: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

function identity(n: number): Int32Array {
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  return indices;
}
