/**
 * The backend seam: the short list of primitive kernels that every compute backend implements
 * (STYLE.md rule 1). Tensors, autograd and nn are written against this interface only; every other op
 * is composed from these primitives in src/tensor. A new backend (WebAssembly SIMD, WebGPU) implements
 * this list and nothing else, and the backend spec in test/backend runs unchanged against it.
 *
 * Conventions: buffers are contiguous, row-major typed arrays; `out` is allocated by the caller (through
 * `allocate`) with the right size and dtype; shapes are plain number arrays. Kernels never allocate
 * tensors and never see autograd.
 */
import type { DType, TypedArray } from '../tensor/dtype.js';

export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'log1p'
  | 'sqrt'
  | 'abs'
  | 'sign'
  | 'tanh'
  | 'sigmoid'
  | 'relu'
  | 'erf'
  | 'sin'
  | 'cos'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'reciprocal'
  | 'not';

export type BinaryOp =
  'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export type ReduceOp = 'sum' | 'max' | 'min' | 'prod';

export const UNARY_OPS: readonly UnaryOp[] = [
  'neg', 'exp', 'log', 'log1p', 'sqrt', 'abs', 'sign', 'tanh', 'sigmoid', 'relu', 'erf', 'sin', 'cos', 'floor', 'ceil', 'round', 'reciprocal', 'not',
]; // prettier-ignore
export const BINARY_OPS: readonly BinaryOp[] = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
];
export const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'max', 'min', 'prod'];

/** Batched matrix product: for each batch b, out[b] = op(A[b]) · op(B[b]), op = transpose when flagged. */
export interface MatmulSpec {
  batch: number;
  m: number;
  k: number;
  n: number;
  /** A is stored [k, m] (per batch) and read transposed. */
  transA: boolean;
  /** B is stored [n, k] (per batch) and read transposed. */
  transB: boolean;
  /** Elements between consecutive batches of A and B; 0 broadcasts one matrix over the batch. */
  strideA: number;
  strideB: number;
}

/**
 * The geometry of a 2-D sliding window over a batch of images x: [batch, channels, height, width]
 * (PyTorch's F.unfold). Output position (oy, ox) and kernel tap (i, j) read the input pixel
 *   (oy·strideH − padTop + i·dilationH, ox·strideW − padLeft + j·dilationW),
 * and pixels outside the image read `padValue`. The bottom and right padding are implied by outH and
 * outW, so asymmetric padding ('same' with an even kernel) and ceil-mode pooling need nothing extra.
 */
export interface Im2colSpec {
  batch: number;
  channels: number;
  height: number;
  width: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  /** Rows of padding above the image and columns left of it. */
  padTop: number;
  padLeft: number;
  dilationH: number;
  dilationW: number;
  outH: number;
  outW: number;
  /** What im2col reads outside the image: 0 (the default) for convolution and average pooling, −∞ for max pooling. col2im ignores it. */
  padValue?: number;
}

/** Adam's hyperparameters at one step t (the first step is 1). */
export interface AdamSpec {
  beta1: number;
  beta2: number;
  eps: number;
  step: number;
}

export interface Backend {
  readonly name: string;
  /** A zero-filled buffer (the js and wasm backends recycle the gradients autograd has freed: pool.ts). */
  allocate(dtype: DType, size: number): TypedArray;
  /**
   * A buffer whose contents are unspecified (a recycled one keeps its old values): only for the `out`
   * of a primitive that writes every element of it, which saves zero-filling it. Every primitive does
   * but `indexAdd` (which adds into out); the spec passes them outs full of garbage to check.
   */
  allocateUninitialised(dtype: DType, size: number): TypedArray;
  /** out[i] = op(x[i]); out may have a different dtype only for 'not' (bool). */
  unary(op: UnaryOp, x: TypedArray, out: TypedArray): void;
  /** out = op(a, b) with broadcasting of aShape and bShape to outShape. Comparisons write 0/1. */
  binary(
    op: BinaryOp,
    a: TypedArray,
    aShape: readonly number[],
    b: TypedArray,
    bShape: readonly number[],
    out: TypedArray,
    outShape: readonly number[],
  ): void;
  /**
   * ReLU's gradient, out[i] = g[i] · (x[i] > 0 ? 1 : 0), all three the same float dtype and size: g
   * where x > 0, else g·0 (±0, or NaN for a NaN or infinite g), exactly what the composed
   * g.mul(x.gt(0)) gives, without its two temporary buffers.
   */
  reluGrad(g: TypedArray, x: TypedArray, out: TypedArray): void;
  /**
   * Adam's moment updates and direction over buffers of one float dtype and size, each operation
   * rounded to the dtype in this order, with every scalar rounded to the dtype first (exactly what the
   * composed tensor ops give, without their ten temporary buffers):
   *   mOut = m·β₁ + g·(1 − β₁)    vOut = v·β₂ + (g·g)·(1 − β₂)
   *   u = mOut / (√vOut / √(1 − β₂ᵗ) + ε) / (1 − β₁ᵗ)
   */
  adam(
    g: TypedArray,
    m: TypedArray,
    v: TypedArray,
    spec: AdamSpec,
    mOut: TypedArray,
    vOut: TypedArray,
    u: TypedArray,
  ): void;
  /** out = cond ? a : b, all three broadcast to outShape. */
  where(
    cond: TypedArray,
    condShape: readonly number[],
    a: TypedArray,
    aShape: readonly number[],
    b: TypedArray,
    bShape: readonly number[],
    out: TypedArray,
    outShape: readonly number[],
  ): void;
  /** Reduces x viewed as [outer, reduced, inner] over the middle axis; out is [outer, inner]. */
  reduce(op: ReduceOp, x: TypedArray, outer: number, reduced: number, inner: number, out: TypedArray): void;
  /** Like reduce with max/min, also writing the index of the first extreme along the reduced axis. */
  argReduce(
    op: 'max' | 'min',
    x: TypedArray,
    outer: number,
    reduced: number,
    inner: number,
    values: TypedArray,
    indices: Int32Array,
  ): void;
  matmul(a: TypedArray, b: TypedArray, out: TypedArray, spec: MatmulSpec): void;
  /** out[idx] = x[offset + Σ idx_d * strides_d] over `shape`: permute, expand, slice, flip all use this. */
  copyStrided(
    x: TypedArray,
    offset: number,
    strides: readonly number[],
    shape: readonly number[],
    out: TypedArray,
  ): void;
  /** x viewed as [outer, n, inner]; out is [outer, index.length, inner] with out[o, j, i] = x[o, index[j], i]. */
  indexSelect(
    x: TypedArray,
    outer: number,
    n: number,
    inner: number,
    index: Int32Array,
    out: TypedArray,
  ): void;
  /** The adjoint of indexSelect: out[o, index[j], i] += src[o, j, i]; out is [outer, n, inner]. */
  indexAdd(
    src: TypedArray,
    outer: number,
    n: number,
    inner: number,
    index: Int32Array,
    out: TypedArray,
  ): void;
  /**
   * torch.gather along `axis`: out has index's shape, out[..i_axis..] = x[..index[..]..]. scatterAdd is
   * its adjoint: out[..index[..]..] += src[..]. Shapes other than along `axis` of index must not exceed x's.
   */
  gather(
    x: TypedArray,
    xShape: readonly number[],
    axis: number,
    index: Int32Array,
    indexShape: readonly number[],
    out: TypedArray,
  ): void;
  scatterAdd(
    src: TypedArray,
    index: Int32Array,
    indexShape: readonly number[],
    axis: number,
    out: TypedArray,
    outShape: readonly number[],
  ): void;
  /** Element type conversion (float to int truncates toward zero). */
  cast(x: TypedArray, out: TypedArray): void;
  /**
   * Unfolds sliding windows into columns: out is [batch, channels·kernelH·kernelW, outH·outW] with
   * out[n, (c·kernelH + i)·kernelW + j, oy·outW + ox] = x[n, c, iy, ix] (see Im2colSpec). Convolution is
   * this followed by a matmul; pooling is this followed by a reduction over the kernel axis.
   */
  im2col(x: TypedArray, spec: Im2colSpec, out: TypedArray): void;
  /**
   * The adjoint of im2col (F.fold): adds every column entry into the input pixel it was read from,
   * out[n, c, iy, ix] += cols[n, (c·kernelH + i)·kernelW + j, oy·outW + ox]; entries read from the
   * padding are dropped. Accumulates into out, like indexAdd and scatterAdd.
   */
  col2im(cols: TypedArray, spec: Im2colSpec, out: TypedArray): void;
  /**
   * Convolution as im2col followed by a matmul, without a column buffer for the whole batch. With
   * rows = (channels/groups)·kernelH·kernelW, cols = im2col(x) viewed as [batch, groups, rows,
   * outH·outW] and w as [groups, outChannels/groups, rows]: out[n, g] = w[g] · cols[n, g], so out is
   * [batch, outChannels, outH·outW] (overwritten), plus bias[o] on every output of channel o when a
   * bias [outChannels] is given (added after the product, as a separate add would). spec.padValue is
   * ignored: the padding is zeros.
   */
  conv2d(
    x: TypedArray,
    w: TypedArray,
    bias: TypedArray | null,
    spec: Im2colSpec,
    groups: number,
    out: TypedArray,
  ): void;
  /** conv2d's input gradient: out = col2im(w[g]ᵀ · dy[n, g]) over every n and g, overwriting out [batch, channels, height, width]. */
  conv2dInputGrad(dy: TypedArray, w: TypedArray, spec: Im2colSpec, groups: number, out: TypedArray): void;
  /**
   * conv2d's weight gradient: out[g] = Σₙ dy[n, g] · cols[n, g]ᵀ ([outChannels, rows], overwritten),
   * each sample's product rounded to the dtype and the sum over n accumulated in float64 in order of n
   * and rounded once, as reduce('sum') would.
   */
  conv2dWeightGrad(x: TypedArray, dy: TypedArray, spec: Im2colSpec, groups: number, out: TypedArray): void;
  /**
   * Max pooling of the batch·channels planes of x over the windows of spec: values [planes, outH, outW]
   * gets each window's maximum and indices the flat input position (plane·height·width + iy·width + ix)
   * of its winner. Taps are visited row-major with padding reading −∞; a larger value or the first NaN
   * takes over (ties go to the first maximum). When a padding tap wins (every real value is −∞), the
   * winner is the window's first real row and column, as in PyTorch. spec.padValue is ignored.
   */
  maxPool2d(x: TypedArray, spec: Im2colSpec, values: TypedArray, indices: Int32Array): void;
}

const registry = new Map<string, () => Backend>();
let current: Backend | null = null;

/** Makes a backend available by name; its factory runs on first use. */
export function registerBackend(name: string, factory: () => Backend): void {
  registry.set(name, factory);
}

export function availableBackends(): string[] {
  return [...registry.keys()];
}

/**
 * Chooses the backend for every later op. The default is taken from the DESCENT_BACKEND environment
 * variable when set, else 'js' (the plain-TypeScript reference backend).
 */
export function setBackend(name: string): Backend {
  const factory = registry.get(name);
  if (!factory)
    throw new RangeError(
      `setBackend: unknown backend '${name}'; available: ${availableBackends().join(', ')}`,
    );
  current = factory();
  return current;
}

export function getBackend(): Backend {
  if (current) return current;
  const env = typeof process !== 'undefined' ? process.env?.DESCENT_BACKEND : undefined;
  if (env && env.length > 0 && !registry.has(env)) {
    // Name the variable: the user never called setBackend, so that message would not point anywhere.
    throw new RangeError(
      `DESCENT_BACKEND='${env}' names an unknown backend; available: ${availableBackends().join(', ')} (unset it for the default 'js')`,
    );
  }
  return setBackend(env && env.length > 0 ? env : 'js');
}
