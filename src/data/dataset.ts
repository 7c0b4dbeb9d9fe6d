// Datasets as indexable collections of samples (PyTorch's map-style `Dataset`), adapters from the
// forms data already comes in (an ImageSet, a pair of tensors), subsets, and a seeded random split.
// Pure: no Node imports.
import type { Tensor } from '../tensor/tensor.js';
import type { ImageSet } from './image-set.js';
import { shuffledIndices } from './shuffle.js';
import type { Image } from './transforms/image.js';

/**
 * A map-style dataset: `length` samples, sample `i` returned by `get(i)` for `0 <= i < length`.
 * PyTorch: `torch.utils.data.Dataset` (`__len__` and `__getitem__`).
 */
export interface Dataset<T> {
  readonly length: number;
  get(index: number): T;
}

/** A labelled image: what image datasets return and what augmentation transforms work on. */
export interface ImageSample {
  /** Float pixels [C, H, W], in [0, 1] as loaded. */
  image: Image;
  /** Class index. */
  label: number;
}

/** A labelled feature vector or tensor row: what {@link TensorDataset} and CSV datasets return. */
export interface TensorSample {
  /** The values, row-major, `shape` giving their layout (e.g. `[features]`). */
  input: Float32Array;
  shape: readonly number[];
  /** Class index. */
  label: number;
}

/** What {@link DataLoader} can batch. */
export type Sample = ImageSample | TensorSample;

/** Throws a RangeError unless `index` is an integer in `[0, length)`. */
export function checkIndex(index: number, length: number, where: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`${where}: index ${index} is out of range for ${length} samples`);
  }
}

/** Pixel byte -> float in [0, 1] (float32 of the exact quotient, as PyTorch's `uint8.float() / 255`). */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, value) => value / 255);

/**
 * An {@link ImageSet} (MNIST, Fashion-MNIST) as a dataset of single-channel images: sample `i` is
 * `{ image: [1, rows, cols] floats in [0, 1], label }`, converted on each `get` (nothing is copied
 * up front). torchvision: `datasets.FashionMNIST(transform=ToTensor())`.
 *
 * @example
 * const train = new ImageSetDataset((await loadFashionMnist()).train);
 * train.get(0).image.data.length; // 784
 */
export class ImageSetDataset implements Dataset<ImageSample> {
  constructor(readonly set: ImageSet) {}

  get length(): number {
    return this.set.count;
  }

  get classes(): string[] {
    return this.set.classes;
  }

  get(index: number): ImageSample {
    checkIndex(index, this.set.count, 'ImageSetDataset.get');
    const { rows, cols } = this.set;
    const pixels = rows * cols;
    const data = new Float32Array(pixels);
    const source = this.set.images;
    const start = index * pixels;
    for (let p = 0; p < pixels; p++) data[p] = BYTE_TO_UNIT[source[start + p]!]!;
    return { image: { data, channels: 1, height: rows, width: cols }, label: this.set.labels[index]! };
  }
}

/**
 * Pairs the rows of `inputs` (shape `[N, ...]`) with the class indices in `targets` (shape `[N]`,
 * integers): sample `i` is `{ input: inputs[i] as float32, shape: inputs.shape.slice(1), label }`.
 * PyTorch: `torch.utils.data.TensorDataset(inputs, targets)`.
 */
export class TensorDataset implements Dataset<TensorSample> {
  readonly length: number;
  readonly sampleShape: readonly number[];
  private readonly values: ArrayLike<number>;
  private readonly labels: ArrayLike<number>;
  private readonly size: number;

  constructor(inputs: Tensor, targets: Tensor) {
    if (inputs.ndim < 1) throw new RangeError('TensorDataset: inputs must have a leading sample dimension');
    if (targets.ndim !== 1 || targets.shape[0] !== inputs.shape[0]) {
      throw new RangeError(
        `TensorDataset: targets must have shape [${inputs.shape[0]}] to match inputs [${inputs.shape.join(', ')}], ` +
          `got [${targets.shape.join(', ')}]`,
      );
    }
    const labels = targets.toTypedArray() as ArrayLike<number>;
    for (let i = 0; i < labels.length; i++) {
      if (!Number.isInteger(labels[i]) || labels[i]! < 0) {
        throw new RangeError(`TensorDataset: target ${i} is ${labels[i]}, expected a non-negative integer class index`);
      }
    }
    this.length = inputs.shape[0]!;
    this.sampleShape = inputs.shape.slice(1);
    this.size = this.sampleShape.reduce((a, b) => a * b, 1);
    this.values = inputs.toTypedArray() as ArrayLike<number>;
    this.labels = labels;
  }

  get(index: number): TensorSample {
    checkIndex(index, this.length, 'TensorDataset.get');
    const input = new Float32Array(this.size);
    const start = index * this.size;
    for (let i = 0; i < this.size; i++) input[i] = this.values[start + i]!;
    return { input, shape: this.sampleShape, label: this.labels[index]! };
  }
}

/**
 * The samples of `dataset` at `indices`, in that order. PyTorch: `torch.utils.data.Subset`.
 */
export class Subset<T> implements Dataset<T> {
  readonly indices: Int32Array;

  constructor(
    readonly dataset: Dataset<T>,
    indices: ArrayLike<number>,
  ) {
    this.indices = Int32Array.from(indices as ArrayLike<number>);
    for (let i = 0; i < indices.length; i++) checkIndex(indices[i]!, dataset.length, `Subset: position ${i}`);
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    checkIndex(index, this.indices.length, 'Subset.get');
    return this.dataset.get(this.indices[index]!);
  }
}

/**
 * Splits `dataset` into disjoint random subsets covering it, in an order fixed by `seed`.
 * `lengths` are either sample counts summing to `dataset.length`, or fractions summing to 1: each
 * subset then gets `floor(fraction * length)` samples and the remainder is dealt one by one to the
 * subsets in order (as PyTorch does). PyTorch: `torch.utils.data.random_split(dataset, lengths, generator)`.
 *
 * @example
 * const [train, validation] = randomSplit(dataset, [50_000, 10_000], 0);
 * const [a, b, c] = randomSplit(dataset, [0.8, 0.1, 0.1], 42);
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], seed: number): Subset<T>[] {
  const n = dataset.length;
  if (lengths.length === 0) throw new RangeError('randomSplit: lengths must not be empty');
  const total = lengths.reduce((a, b) => a + b, 0);
  let counts: number[];
  if (lengths.every((l) => l >= 0 && l <= 1) && Math.abs(total - 1) < 1e-9) {
    counts = lengths.map((f) => Math.floor(f * n));
    let remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; remainder > 0; i = (i + 1) % counts.length, remainder--) counts[i]!++;
  } else if (lengths.every((l) => Number.isInteger(l) && l >= 0)) {
    if (total !== n) {
      throw new RangeError(
        `randomSplit: lengths [${lengths.join(', ')}] sum to ${total}, but the dataset has ${n} samples ` +
          `(give counts summing to ${n}, or fractions summing to 1)`,
      );
    }
    counts = [...lengths];
  } else {
    throw new RangeError(
      `randomSplit: lengths must be non-negative integers summing to ${n} or fractions summing to 1, ` +
        `got [${lengths.join(', ')}]`,
    );
  }
  const order = shuffledIndices(n, seed);
  const subsets: Subset<T>[] = [];
  let offset = 0;
  for (const count of counts) {
    subsets.push(new Subset(dataset, order.subarray(offset, offset + count)));
    offset += count;
  }
  return subsets;
}
