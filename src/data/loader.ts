// The DataLoader: batches of a dataset as tensors, in a seeded order that changes every epoch, with
// seeded augmentation that also changes every epoch, an optional one-batch prefetch, and a small
// state object for exact resume. Pure: no Node imports (setImmediate is used when present).
import { fromTypedArray } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Dataset, ImageSample, Sample, TensorSample } from './dataset.js';
import { shuffledIndices } from './shuffle.js';
import type { Image } from './transforms/image.js';
import type { Transform } from './transforms/transform.js';

/** Options for {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Samples per batch (a positive integer). */
  batchSize: number;
  /** Visit samples in a seeded random order, new each epoch (default false, as in PyTorch). */
  shuffle?: boolean;
  /** Seed of the order and of the augmentation (default 0). */
  seed?: number;
  /** Skip the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /**
   * Applied to every image sample as it is batched, drawing from a generator seeded by
   * (seed, epoch, sample index): fresh every epoch, identical on every rerun. Samples that are
   * tensors of shape [C, H, W] are treated as images; other samples refuse a transform.
   */
  transform?: Transform;
  /**
   * Async iteration prepares batch k + 1 while batch k is being used (default true); see
   * {@link DataLoader} for what that overlaps on one JavaScript thread. Sync iteration never prefetches.
   */
  prefetch?: boolean;
}

/** One batch: inputs `[N, ...sampleShape]` (`[N, C, H, W]` for images) and int32 class targets `[N]`. */
export interface LoaderBatch {
  inputs: Tensor;
  targets: Tensor;
  /** The dataset index of each sample. */
  indices: Int32Array;
  /** Samples in this batch. */
  size: number;
  epoch: number;
  /** Position of this batch in its epoch, from 0. */
  index: number;
}

/**
 * Where a loader is, for checkpoints: the next batch to hand out is batch `batch` of epoch `epoch`.
 * The order and the augmentation are pure functions of (seed, epoch, sample index), so this position
 * is the whole random state; the other fields make sure the state is restored into an identical loader.
 */
export interface LoaderState {
  epoch: number;
  batch: number;
  seed: number;
  batchSize: number;
  datasetLength: number;
  shuffle: boolean;
  dropLast: boolean;
}

/** The batches of one epoch: iterate synchronously (`for...of`) or asynchronously (`for await`, with prefetch). */
export interface EpochBatches extends Iterable<LoaderBatch>, AsyncIterable<LoaderBatch> {
  readonly epoch: number;
  /** Batches this iteration yields (from its start batch to the end of the epoch). */
  readonly length: number;
}

/**
 * Batches a {@link Dataset} into tensors. PyTorch: `torch.utils.data.DataLoader`.
 *
 * - **Order**: with `shuffle`, epoch `e` visits the samples in a permutation seeded by (seed, e);
 *   without it, in index order. Every epoch covers every sample once (all but the final partial
 *   batch with `dropLast`).
 * - **Augmentation**: `transform` runs on each sample with a generator seeded by (seed, epoch,
 *   sample index), so a sample is augmented differently every epoch, and identically in every run
 *   with the same seed, whatever the batch size, prefetching or resume point.
 * - **Resume**: `stateDict()` records the position (the next batch to hand out); `loadStateDict`
 *   on a loader built the same way continues with bit-identical batches.
 * - **Prefetch** (async iteration only): when batch k is handed out, batch k + 1 is scheduled as a
 *   macrotask (setImmediate) and is usually ready before it is asked for. JavaScript runs one task
 *   at a time, so this overlaps only with the consumer's *asynchronous* waits (awaited file writes,
 *   logging, checkpoints, GPU readbacks, work in worker threads); a training step that computes
 *   synchronously does not run in parallel with batch assembly, and then the total time is the
 *   same as without prefetch. Batches are identical either way.
 *
 * @example
 * const loader = new DataLoader(new ImageSetDataset(train), {
 *   batchSize: 128, shuffle: true, seed: 0, transform: parseAugmentSpec('rotate=10,crop=2'),
 * });
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for await (const { inputs, targets } of loader.epoch(epoch)) {
 *     // inputs: float32 [128, 1, 28, 28], targets: int32 [128]
 *   }
 * }
 */
export class DataLoader<T extends Sample = Sample> {
  readonly dataset: Dataset<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly transform: Transform | undefined;
  readonly prefetch: boolean;
  private position = { epoch: 0, batch: 0 };
  private readonly generator = new Generator(0);
  private cachedOrder: { epoch: number; order: Int32Array } | undefined;

  constructor(dataset: Dataset<T>, options: DataLoaderOptions) {
    const { batchSize, shuffle = false, seed = 0, dropLast = false, transform, prefetch = true } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    }
    if (!Number.isSafeInteger(seed)) throw new RangeError(`DataLoader: seed must be an integer, got ${seed}`);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.dropLast = dropLast;
    this.transform = transform;
    this.prefetch = prefetch;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The order in which epoch `epoch` visits the dataset's indices. */
  order(epoch: number): Int32Array {
    checkEpoch(epoch);
    if (this.cachedOrder?.epoch === epoch) return this.cachedOrder.order;
    const n = this.dataset.length;
    const order = this.shuffle ? shuffledIndices(n, orderSeed(this.seed, epoch)) : Int32Array.from({ length: n }, (_, i) => i);
    this.cachedOrder = { epoch, order };
    return order;
  }

  /** Batch `index` of epoch `epoch`, assembled now: a pure function of the loader's options and these two numbers. */
  batch(epoch: number, index: number): LoaderBatch {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`DataLoader.batch: batch ${index} is out of range, an epoch has ${this.length} batches`);
    }
    const order = this.order(epoch);
    const start = index * this.batchSize;
    const indices = order.slice(start, Math.min(start + this.batchSize, order.length));
    return this.assemble(indices, epoch, index);
  }

  /**
   * The batches of epoch `epoch`, from batch `start` (default 0). Iterating moves the loader's
   * position, which {@link stateDict} saves.
   */
  epoch(epoch: number, options: { start?: number } = {}): EpochBatches {
    checkEpoch(epoch);
    const start = options.start ?? 0;
    const count = this.length;
    if (!Number.isInteger(start) || start < 0 || start > count) {
      throw new RangeError(`DataLoader.epoch: start batch ${start} is out of range 0..${count}`);
    }
    return {
      epoch,
      length: count - start,
      [Symbol.iterator]: () => this.iterate(epoch, start, count),
      [Symbol.asyncIterator]: () => (this.prefetch ? this.iteratePrefetching(epoch, start, count) : this.iterateAsync(epoch, start, count)),
    };
  }

  private *iterate(epoch: number, start: number, count: number): IterableIterator<LoaderBatch> {
    for (let k = start; k < count; k++) {
      const batch = this.batch(epoch, k);
      this.position = { epoch, batch: k + 1 };
      yield batch;
    }
    this.position = { epoch: epoch + 1, batch: 0 };
  }

  private async *iterateAsync(epoch: number, start: number, count: number): AsyncGenerator<LoaderBatch, void, undefined> {
    yield* this.iterate(epoch, start, count);
  }

  /** Hands out batch k, having already scheduled batch k + 1 (see the class comment for what overlaps). */
  private async *iteratePrefetching(
    epoch: number,
    start: number,
    count: number,
  ): AsyncGenerator<LoaderBatch, void, undefined> {
    let pending = start < count ? this.later(epoch, start) : undefined;
    for (let k = start; k < count; k++) {
      const batch = await pending!;
      pending = k + 1 < count ? this.later(epoch, k + 1) : undefined;
      this.position = { epoch, batch: k + 1 };
      yield batch;
    }
    this.position = { epoch: epoch + 1, batch: 0 };
  }

  /** Iterates the rest of the current epoch (see {@link stateDict}); the next iteration starts the next epoch. */
  [Symbol.iterator](): Iterator<LoaderBatch> {
    return this.epoch(this.position.epoch, { start: this.position.batch })[Symbol.iterator]();
  }

  /** As the sync iterator, with prefetch when enabled. */
  [Symbol.asyncIterator](): AsyncIterator<LoaderBatch> {
    return this.epoch(this.position.epoch, { start: this.position.batch })[Symbol.asyncIterator]();
  }

  /** The loader's position: the next batch to be handed out. Plain JSON, for checkpoints. */
  stateDict(): LoaderState {
    return {
      epoch: this.position.epoch,
      batch: this.position.batch,
      seed: this.seed,
      batchSize: this.batchSize,
      datasetLength: this.dataset.length,
      shuffle: this.shuffle,
      dropLast: this.dropLast,
    };
  }

  /**
   * Restores a position saved by {@link stateDict}. Refuses a state saved by a loader with another
   * seed, batch size, dataset length, shuffle or dropLast, since resuming would not reproduce the run.
   */
  loadStateDict(state: LoaderState): void {
    const mine = this.stateDict();
    for (const key of ['seed', 'batchSize', 'datasetLength', 'shuffle', 'dropLast'] as const) {
      if (state[key] !== mine[key]) {
        throw new Error(
          `DataLoader.loadStateDict: the state was saved with ${key} ${String(state[key])}, this loader has ` +
            `${String(mine[key])}; resuming would not reproduce the original batches`,
        );
      }
    }
    if (!Number.isInteger(state.epoch) || state.epoch < 0) {
      throw new RangeError(`DataLoader.loadStateDict: epoch must be a non-negative integer, got ${state.epoch}`);
    }
    if (!Number.isInteger(state.batch) || state.batch < 0 || state.batch > this.length) {
      throw new RangeError(`DataLoader.loadStateDict: batch ${state.batch} is out of range 0..${this.length}`);
    }
    this.position = state.batch === this.length ? { epoch: state.epoch + 1, batch: 0 } : { epoch: state.epoch, batch: state.batch };
  }

  /** Batch `index` of `epoch`, assembled in a later macrotask. */
  private later(epoch: number, index: number): Promise<LoaderBatch> {
    const promise = new Promise<LoaderBatch>((resolve, reject) => {
      schedule(() => {
        try {
          resolve(this.batch(epoch, index));
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    // A consumer that stops early never awaits the last prefetched batch; its failure must not
    // surface as an unhandled rejection. Awaiting `promise` itself still sees the error.
    promise.catch(() => {});
    return promise;
  }

  private assemble(indices: Int32Array, epoch: number, index: number): LoaderBatch {
    const size = indices.length;
    let shape: readonly number[] | undefined;
    let inputs: Float32Array | undefined;
    let per = 0;
    const targets = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const datasetIndex = indices[i]!;
      const sample = this.dataset.get(datasetIndex);
      const { values, sampleShape, label } = this.prepare(sample, epoch, datasetIndex);
      if (shape === undefined) {
        shape = sampleShape;
        per = values.length;
        inputs = new Float32Array(size * per);
      } else if (!sameShape(shape, sampleShape)) {
        throw new RangeError(
          `DataLoader: sample ${datasetIndex} has shape [${sampleShape.join(', ')}], but sample ${indices[0]} in the ` +
            `same batch has [${shape.join(', ')}]; resize the images to one size (e.g. loadImageFolder's size option)`,
        );
      }
      if (!Number.isInteger(label) || label < 0 || label > 0x7fffffff) {
        throw new RangeError(`DataLoader: sample ${datasetIndex} has label ${label}, expected a non-negative integer`);
      }
      inputs!.set(values, i * per);
      targets[i] = label;
    }
    return {
      inputs: fromTypedArray(inputs ?? new Float32Array(0), [size, ...(shape ?? [])]),
      targets: fromTypedArray(targets, [size]),
      indices,
      size,
      epoch,
      index,
    };
  }

  private prepare(
    sample: Sample,
    epoch: number,
    datasetIndex: number,
  ): { values: Float32Array; sampleShape: readonly number[]; label: number } {
    let image: Image;
    if ('image' in sample) {
      image = (sample as ImageSample).image;
    } else {
      const { input, shape, label } = sample as TensorSample;
      if (this.transform === undefined) return { values: input, sampleShape: shape, label };
      if (shape.length !== 3) {
        throw new RangeError(
          `DataLoader: a transform needs images [C, H, W], but sample ${datasetIndex} has shape [${shape.join(', ')}]`,
        );
      }
      image = { data: input, channels: shape[0]!, height: shape[1]!, width: shape[2]! };
    }
    if (this.transform !== undefined) {
      this.generator.setState({ s: sampleStreamState(this.seed, epoch, datasetIndex), spare: null });
      image = this.transform.apply(image, this.generator);
    }
    return { values: image.data, sampleShape: [image.channels, image.height, image.width], label: sample.label };
  }
}

function checkEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new RangeError(`DataLoader: epoch must be a non-negative integer, got ${epoch}`);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const schedule: (callback: () => void) => void =
  typeof globalThis.setImmediate === 'function'
    ? (callback) => void globalThis.setImmediate(callback)
    : (callback) => void setTimeout(callback, 0);

/** MurmurHash3's 32-bit finaliser: a bijection on uint32 that mixes every input bit into every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The seed's 32-bit digest (seeds beyond 2^32 fold their high bits in). */
function seedWord(seed: number): number {
  return fmix32((Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32)) >>> 0);
}

/** The seed of epoch `epoch`'s shuffle. */
export function orderSeed(seed: number, epoch: number): number {
  return fmix32((epoch ^ fmix32((seedWord(seed) + 0x632be5ab) >>> 0)) >>> 0);
}

/**
 * The 128-bit generator state for augmenting sample `index` in epoch `epoch`. The map from
 * (seed, epoch, index) (each taken modulo 2^32) to the state is injective, so no two samples of a run
 * share a stream, and every state word depends on all three inputs.
 */
export function sampleStreamState(seed: number, epoch: number, index: number): number[] {
  const w0 = seedWord(seed);
  const w1 = fmix32((epoch ^ fmix32((w0 + 0x9e3779b9) >>> 0)) >>> 0);
  const w2 = fmix32((index ^ fmix32((w1 + 0x7f4a7c15) >>> 0)) >>> 0);
  const s = [fmix32((w0 ^ w2) >>> 0), fmix32((w1 ^ w2 ^ 0x27d4eb2f) >>> 0), w2, fmix32((w0 ^ w1 ^ 0x165667b1) >>> 0)];
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  return s;
}
