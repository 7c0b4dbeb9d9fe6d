/** Making tensors: from data, filled, ranges, identity, and seeded random values. */
import { getBackend } from '../backend/backend.js';
import { allocate, assertDType, dtypeOf, isFloat, type DType, type TypedArray } from './dtype.js';
import { containsBoolean, flattenNested, nestedShape, type NestedArray } from './nested.js';
import { formatShape, sizeOf } from './shape.js';
import { defaultGenerator, type Generator } from './random.js';
import { Tensor } from './tensor.js';

export interface TensorOptions {
  /** Element type; float32 unless the data says otherwise (booleans give bool, an Int32Array int32, ...). */
  dtype?: DType;
  /** Record gradients for this leaf. */
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  /** The generator to draw from; the global one (see `manualSeed`) by default. */
  generator?: Generator;
}

function finish(data: TypedArray, shape: readonly number[], options: TensorOptions): Tensor {
  const t = Tensor._fromData(data, shape);
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

function checkShape(shape: readonly number[], where: string): number[] {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new RangeError(
        `${where}: invalid shape ${formatShape(shape)}: dimensions must be non-negative integers`,
      );
  }
  return [...shape];
}

/**
 * A tensor from nested arrays, a flat typed array with `shape`, or a number. JS numbers carry no
 * int/float distinction, so number data is float32 unless `dtype` says otherwise.
 *
 * @example tensor([[1, 2], [3, 4]]) // shape [2, 2], float32
 */
export function tensor(
  data: NestedArray | TypedArray | readonly number[],
  options: TensorOptions & { shape?: readonly number[] } = {},
): Tensor {
  if (options.dtype) assertDType(options.dtype, 'tensor');
  if (ArrayBuffer.isView(data)) {
    const typed = data as TypedArray;
    const shape = checkShape(options.shape ?? [typed.length], 'tensor');
    if (sizeOf(shape) !== typed.length) {
      throw new RangeError(
        `tensor: shape ${formatShape(shape)} needs ${sizeOf(shape)} elements but the typed array has ${typed.length}`,
      );
    }
    const dtype = options.dtype ?? dtypeOf(typed);
    const out = allocate(dtype, typed.length);
    getBackend().cast(typed, out);
    return finish(out, shape, options);
  }
  const nested = data as NestedArray;
  const shape = nestedShape(nested);
  const dtype = options.dtype ?? (containsBoolean(nested) ? 'bool' : 'float32');
  const out = allocate(dtype, sizeOf(shape));
  if (dtype === 'bool') {
    // Through cast: writing 0.5 or 256 straight into a Uint8Array would store 0 (false).
    const values = new Float64Array(out.length);
    flattenNested(nested, values);
    getBackend().cast(values, out);
  } else flattenNested(nested, out);
  // Reshape before marking requiresGrad, so that the result is a leaf.
  const t = Tensor._fromData(out, shape);
  const shaped = options.shape ? t.reshape([...options.shape]) : t;
  return finish(shaped._data, shaped.shape, options);
}

/** Wraps a typed array without copying (the tensor takes ownership). */
export function fromTypedArray(
  data: TypedArray,
  shape: readonly number[],
  options: Omit<TensorOptions, 'dtype'> = {},
): Tensor {
  return finish(data, checkShape(shape, 'fromTypedArray'), options);
}

/** A 0-d tensor. */
export function scalar(value: number, options: TensorOptions = {}): Tensor {
  return full([], value, options);
}

export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  const s = checkShape(shape, 'full');
  const data = allocate(options.dtype ?? 'float32', sizeOf(s));
  if (value !== 0) data.fill(options.dtype === 'bool' ? 1 : value); // bool holds 0/1 only
  return finish(data, s, options);
}

export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...options });
}

export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...options });
}

export function fullLike(t: Tensor, value: number, options: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...options });
}

/** Values start, start+step, ... below end (one argument: 0..end−1). */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  const [s, e] = end === undefined ? [0, start] : [start, end];
  if (step === 0 || !Number.isFinite(step))
    throw new RangeError(`arange: step must be a finite non-zero number, got ${step}`);
  const n = Math.max(0, Math.ceil((e - s) / step));
  const data = allocate(options.dtype ?? 'float32', n);
  for (let i = 0; i < n; i++) data[i] = s + i * step;
  return finish(data, [n], options);
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const data = allocate(options.dtype ?? 'float32', steps);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Like PyTorch, fill the second half from the end so that the last value is exactly `end`.
  // (A single step is `start`, as in PyTorch.)
  const half = steps === 1 ? 1 : Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) data[i] = i < half ? start + i * delta : end - (steps - 1 - i) * delta;
  return finish(data, [steps], options);
}

/** The n×m identity matrix (m defaults to n). */
export function eye(n: number, m = n, options: TensorOptions = {}): Tensor {
  const t = zeros([n, m], options);
  for (let i = 0; i < Math.min(n, m); i++) t._data[i * m + i] = 1;
  return t;
}

function randomFloat(
  shape: readonly number[],
  options: RandomOptions,
  where: string,
  draw: (g: Generator) => number,
): Tensor {
  const dtype = options.dtype ?? 'float32';
  if (!isFloat(dtype)) throw new TypeError(`${where}: dtype must be float32 or float64, got ${dtype}`);
  const s = checkShape(shape, where);
  const data = allocate(dtype, sizeOf(s));
  const g = options.generator ?? defaultGenerator;
  for (let i = 0; i < data.length; i++) data[i] = draw(g);
  return finish(data, s, options);
}

/** Uniform values in [0, 1). */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  return randomFloat(shape, options, 'rand', (g) => g.random());
}

/** Standard normal values. */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  return randomFloat(shape, options, 'randn', (g) => g.normal());
}

/** Uniform values in [low, high). */
export function uniform(
  shape: readonly number[],
  low: number,
  high: number,
  options: RandomOptions = {},
): Tensor {
  if (!(low <= high)) throw new RangeError(`uniform: low ${low} must not exceed high ${high}`);
  return randomFloat(shape, options, 'uniform', (g) => low + (high - low) * g.random());
}

/** Uniform integers in [low, high), int32 unless `dtype` says otherwise. */
export function randint(
  low: number,
  high: number,
  shape: readonly number[],
  options: RandomOptions = {},
): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || low >= high) {
    throw new RangeError(`randint: need integers low < high, got low=${low}, high=${high}`);
  }
  const s = checkShape(shape, 'randint');
  const data = allocate(options.dtype ?? 'int32', sizeOf(s));
  const g = options.generator ?? defaultGenerator;
  for (let i = 0; i < data.length; i++) data[i] = g.integer(low, high);
  return finish(data, s, options);
}

/** A random permutation of 0..n−1 (Fisher-Yates), int32. */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  const g = options.generator ?? defaultGenerator;
  const data = new Int32Array(n);
  for (let i = 0; i < n; i++) data[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    const tmp = data[i]!;
    data[i] = data[j]!;
    data[j] = tmp;
  }
  return finish(data, [n], {});
}
