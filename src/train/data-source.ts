/**
 * What the trainer reads: a `DataSource` hands out the batches of any epoch from any batch on, as
 * tensors. Because the batches are a function of (epoch, batch index) only, a run can stop anywhere
 * and resume mid-epoch with the same batches. Adapters here cover an `ImageSet` (through
 * src/data/batches.ts), whole-dataset tensors, and anything shaped like a `DataLoader`
 * (`fromLoader`, typed structurally so this file does not depend on the loader).
 */
import { batchCount, batches } from '../data/batches.js';
import { selectImages, type ImageSet } from '../data/image-set.js';
import { shuffledIndices } from '../data/shuffle.js';
import { fromTypedArray } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { batchTensors } from './loop.js';

/** One batch: inputs [N, ...] and int32 class indices [N]. */
export interface DataBatch {
  inputs: Tensor;
  targets: Tensor;
}

/** A JSON value: what data-source states are made of. */
export type SourceState = null | boolean | number | string | SourceState[] | { [key: string]: SourceState };

/** The trainer's view of a dataset. */
export interface DataSource {
  /** Batches in one epoch. */
  length(): number;
  /**
   * The batches of epoch `epoch` (from 0), from batch `start` (default 0) to the end of the epoch.
   * Must depend only on the arguments (and the source's settings), so that a resumed run sees the
   * batches an uninterrupted one would.
   */
  batches(epoch: number, start?: number): Iterable<DataBatch>;
  /** The settings that fix the data order (seed, batch size...), saved in checkpoints. */
  state?(): SourceState;
  /** Called on resume with a saved `state()`: restores it, or throws if the batches would differ. */
  loadState?(state: SourceState): void;
  /** Splits off the last `fraction` of the samples (unshuffled) as validation data, as Keras does. */
  split?(fraction: number): { train: DataSource; validation: DataSource };
}

export interface ImageSetSourceOptions {
  /** Images per batch (default 32). */
  batchSize?: number;
  /** Visit the images in a new seeded order each epoch (default true). */
  shuffle?: boolean;
  /** Seed of the order: epoch e (from 0) uses seed·1000 + e + 1, as `fit` in fit.ts (default 0). */
  seed?: number;
  /** Skip the last, smaller batch (default false). */
  dropLast?: boolean;
}

function checkSourceState(who: string, expected: Record<string, SourceState>, got: SourceState): void {
  if (typeof got !== 'object' || got === null || Array.isArray(got)) {
    throw new TypeError(`${who}.loadState: expected the object state() returned`);
  }
  for (const [key, value] of Object.entries(expected)) {
    if (got[key] !== value) {
      throw new Error(
        `${who}: the checkpoint was saved with ${key} ${JSON.stringify(got[key])}, this data has ` +
          `${JSON.stringify(value)}; resuming would not reproduce the batches`,
      );
    }
  }
}

/**
 * Batches of flat images from an `ImageSet`: inputs float32 [N, rows·cols] scaled to [0, 1], targets
 * int32 [N]. With the same batch size and seed its batches are those of `fit` in fit.ts.
 *
 * @example
 * const history = fit(model, imageSetSource(train, { batchSize: 128, seed: 1 }), { epochs: 5, optimizer });
 */
export function imageSetSource(set: ImageSet, options: ImageSetSourceOptions = {}): DataSource {
  const { batchSize = 32, shuffle = true, seed = 0, dropLast = false } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`imageSetSource: batchSize must be a positive integer, got ${batchSize}`);
  }
  const settings = { kind: 'image-set', count: set.count, batchSize, shuffle, seed, dropLast };
  return {
    length: () => batchCount(set.count, batchSize, dropLast),
    *batches(epoch: number, start = 0) {
      let index = 0;
      for (const batch of batches(set, { batchSize, shuffle, seed: seed * 1000 + epoch + 1, dropLast })) {
        if (index++ >= start) yield batchTensors(batch);
      }
    },
    state: () => ({ ...settings }),
    loadState: (state) => checkSourceState('imageSetSource', settings, state),
    split(fraction: number) {
      checkFraction(fraction);
      const held = Math.round(set.count * fraction);
      const cut = set.count - held;
      const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
      return {
        train: imageSetSource(selectImages(set, range(0, cut)), options),
        validation: imageSetSource(selectImages(set, range(cut, set.count)), {
          batchSize: Math.max(batchSize, 256),
          shuffle: false,
        }),
      };
    },
  };
}

function checkFraction(fraction: number): void {
  if (!(fraction > 0 && fraction < 1)) {
    throw new RangeError(`validationSplit must be a fraction in (0, 1), got ${fraction}`);
  }
}

export type TensorSourceOptions = ImageSetSourceOptions;

/**
 * Batches of whole-dataset tensors: `inputs` [count, ...] and `targets` [count] (int32 class
 * indices), in a new seeded order each epoch (epoch e uses seed·1000 + e + 1).
 *
 * @example
 * const data = tensorSource(randn([512, 8]), labels, { batchSize: 32, seed: 0 });
 */
export function tensorSource(inputs: Tensor, targets: Tensor, options: TensorSourceOptions = {}): DataSource {
  const { batchSize = 32, shuffle = true, seed = 0, dropLast = false } = options;
  const count = inputs.shape[0] ?? 0;
  if (inputs.shape.length < 1 || targets.shape.length !== 1 || targets.shape[0] !== count) {
    throw new RangeError(
      `tensorSource: inputs [count, ...] and targets [count] must agree, got [${inputs.shape.join(', ')}] and [${targets.shape.join(', ')}]`,
    );
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`tensorSource: batchSize must be a positive integer, got ${batchSize}`);
  }
  const settings = { kind: 'tensors', count, batchSize, shuffle, seed, dropLast };
  const total = batchCount(count, batchSize, dropLast);
  return {
    length: () => total,
    *batches(epoch: number, start = 0) {
      const order = shuffle
        ? shuffledIndices(count, seed * 1000 + epoch + 1)
        : Int32Array.from({ length: count }, (_, i) => i);
      for (let b = start; b < total; b++) {
        const index = fromTypedArray(order.slice(b * batchSize, Math.min((b + 1) * batchSize, count)), [
          Math.min((b + 1) * batchSize, count) - b * batchSize,
        ]);
        yield { inputs: inputs.indexSelect(0, index), targets: targets.indexSelect(0, index) };
      }
    },
    state: () => ({ ...settings }),
    loadState: (state) => checkSourceState('tensorSource', settings, state),
    split(fraction: number) {
      checkFraction(fraction);
      const cut = count - Math.round(count * fraction);
      return {
        train: tensorSource(inputs.narrow(0, 0, cut), targets.narrow(0, 0, cut), options),
        validation: tensorSource(inputs.narrow(0, cut, count - cut), targets.narrow(0, cut, count - cut), {
          batchSize: Math.max(batchSize, 256),
          shuffle: false,
        }),
      };
    },
  };
}

/** True for an `ImageSet` (rather than a `DataSource`). */
export function isImageSet(data: unknown): data is ImageSet {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as ImageSet).images instanceof Uint8Array &&
    typeof (data as ImageSet).count === 'number'
  );
}

/** What `fromLoader` needs: the surface of src/data/loader.ts's `DataLoader` (epochs from 0). */
export interface LoaderLike {
  /** Batches per epoch. */
  readonly length: number;
  epoch(epoch: number, options?: { start?: number }): Iterable<DataBatch>;
  stateDict(): object;
  loadStateDict(state: never): void;
}

/**
 * A data source over a `DataLoader`: its order and augmentation are functions of (seed, epoch,
 * sample), so resuming mid-epoch gives the same batches; its state is saved in checkpoints and
 * checked on resume.
 *
 * @example
 * fit(model, fromLoader(new DataLoader(dataset, { batchSize: 128, shuffle: true, seed: 1 })), { epochs, optimizer });
 */
export function fromLoader(loader: LoaderLike): DataSource {
  return {
    length: () => loader.length,
    batches: (epoch, start = 0) => loader.epoch(epoch, { start }),
    state: () => loader.stateDict() as SourceState,
    loadState: (state) => loader.loadStateDict(state as never),
  };
}
