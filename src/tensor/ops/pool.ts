/**
 * 2-D pooling. Average pooling is composed from the backend's im2col/col2im and other primitives;
 * max pooling, the one in every CNN, has a primitive of its own, whose reference is the same
 * composition and whose fast kernels skip the column buffer:
 *
 *   maxPool2d          the backend's maxPool2d primitive (defined as im2col with −∞ padding and an
 *                      argReduce('max') over the kernel axis, without the column buffer), which gives
 *                      the winners' input positions; the gradient is one indexAdd there.
 *   avgPool2d          im2col with 0 padding, then reduce('sum') over the kernel axis and a per-position
 *                      divisor; the gradient is dy/divisor spread over the window and folded with col2im.
 *   adaptiveAvgPool2d  bins that tile the input evenly are an avgPool2d; uneven (overlapping) bins are
 *                      separable averaging matrices, y = P_H · x · P_Wᵀ, two matmuls with matmul's gradient.
 *
 * The cost of composing avgPool2d is one column buffer the size of the input times kH·kW/(sH·sW),
 * which for the usual 2×2 stride-2 pool is the size of the input.
 */
import { getBackend, type Im2colSpec } from '../../backend/backend.js';
import { record } from '../../autograd/graph.js';
import { isFloat, type DType } from '../dtype.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { asBatch, foldBuffer, pair, unfoldBuffer, type Size2 } from './conv.js';
import { matmul } from './matmul.js';

export interface MaxPool2dOptions {
  /** Step between windows; default (null) the kernel size, so windows do not overlap. */
  stride?: Size2 | null;
  /** −∞ padding on each side, at most half the kernel size; default 0. */
  padding?: Size2;
  /** Spacing between window taps; default 1. */
  dilation?: Size2;
  /** Round the output size up instead of down (a last, partial window); default false. */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  /** Step between windows; default (null) the kernel size. */
  stride?: Size2 | null;
  /** Zero padding on each side, at most half the kernel size; default 0. */
  padding?: Size2;
  /** Round the output size up instead of down; default false. */
  ceilMode?: boolean;
  /** Count the zero padding in the divisor; default true (PyTorch's default). */
  countIncludePad?: boolean;
  /** Divide every window by this number instead; default null. */
  divisorOverride?: number | null;
}

/** PyTorch's pooling output size, including ceil mode's rule that a window may not start in the right padding. */
function pooledSize(size: number, k: number, s: number, p: number, d: number, ceilMode: boolean): number {
  const span = size + 2 * p - d * (k - 1) - 1;
  let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceilMode && (out - 1) * s >= size + p) out--;
  return out;
}

/** Checks pooling arguments and returns the im2col geometry over the N·C planes of x4. */
function poolSpec(
  op: string,
  x4: Tensor,
  kernelSize: Size2,
  options: { stride?: Size2 | null; padding?: Size2; dilation?: Size2; ceilMode?: boolean },
): Im2colSpec {
  if (!isFloat(x4.dtype)) throw new TypeError(`${op}: needs a floating input, got ${x4.dtype}`);
  const kernel = pair(kernelSize, 'kernelSize', op, 1);
  const stride = pair(options.stride ?? kernel, 'stride', op, 1);
  const padding = pair(options.padding ?? 0, 'padding', op, 0);
  const dilation = pair(options.dilation ?? 1, 'dilation', op, 1);
  if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2) {
    throw new RangeError(
      `${op}: padding [${padding.join(', ')}] must be at most half the kernel size [${kernel.join(', ')}]`,
    );
  }
  const [n, c, h, w] = x4.shape as [number, number, number, number];
  const ceil = options.ceilMode ?? false;
  const outH = pooledSize(h, kernel[0], stride[0], padding[0], dilation[0], ceil);
  const outW = pooledSize(w, kernel[1], stride[1], padding[1], dilation[1], ceil);
  if (outH < 1 || outW < 1) {
    throw new RangeError(
      `${op}: the input ${formatShape(x4.shape)} is too small for a ${kernel[0]}x${kernel[1]} window ` +
        `(padding [${padding.join(', ')}], dilation [${dilation.join(', ')}]): the output would be ${outH}x${outW}`,
    );
  }
  return {
    batch: n * c,
    channels: 1,
    height: h,
    width: w,
    kernelH: kernel[0],
    kernelW: kernel[1],
    strideH: stride[0],
    strideW: stride[1],
    padTop: padding[0],
    padLeft: padding[1],
    dilationH: dilation[0],
    dilationW: dilation[1],
    outH,
    outW,
  };
}

function outputShape(x: Tensor, spec: Im2colSpec): number[] {
  return [...x.shape.slice(0, -2), spec.outH, spec.outW];
}

/**
 * The max pool, and for each output the flat position (plane·H·W + iy·W + ix) of the input pixel that
 * won (the backend's maxPool2d). The gradient is then one indexAdd of dy at those positions
 * (overlapping windows accumulate).
 */
function maxPoolCore(
  x: Tensor,
  kernelSize: Size2,
  options: MaxPool2dOptions,
): { out: Tensor; spec: Im2colSpec; winners: Int32Array } {
  const { x4 } = asBatch(x, 'maxPool2d');
  const spec = poolSpec('maxPool2d', x4, kernelSize, options);
  const backend = getBackend();
  const planes = spec.batch;
  const values = backend.allocateUninitialised(x.dtype, planes * spec.outH * spec.outW);
  const winners = new Int32Array(values.length);
  backend.maxPool2d(x._data, spec, values, winners);
  const out = record(Tensor._fromData(values, outputShape(x, spec)), [x], 'maxPool2d', (g) => {
    const b = getBackend();
    const gd = g.dtype === x.dtype ? g : g.to(x.dtype);
    const dx = b.allocate(x.dtype, x.numel);
    b.indexAdd(gd._data, 1, x.numel, 1, winners, dx);
    return [Tensor._fromData(dx, x.shape)];
  });
  return { out, spec, winners };
}

/**
 * Max pooling over kernelSize windows of x [N, C, H, W] (or [C, H, W]); padding reads −∞, so a padded
 * position never wins. Ties go to the first maximum in the window (row-major), which gets the whole
 * gradient, as in PyTorch. Output size ⌊(H + 2p − d·(k − 1) − 1) / s⌋ + 1 (⌈·⌉ with ceilMode).
 *
 * @example maxPool2d(x, 2);  // [N, C, 28, 28] -> [N, C, 14, 14]
 */
export function maxPool2d(x: Tensor, kernelSize: Size2, options: MaxPool2dOptions = {}): Tensor {
  return maxPoolCore(x, kernelSize, options).out;
}

/**
 * maxPool2d that also returns, for each output, the flat index iy·W + ix of the winning input pixel
 * within its [H, W] plane (PyTorch's return_indices=True), as int32.
 */
export function maxPool2dWithIndices(
  x: Tensor,
  kernelSize: Size2,
  options: MaxPool2dOptions = {},
): { values: Tensor; indices: Tensor } {
  const { out, spec, winners } = maxPoolCore(x, kernelSize, options);
  const plane = spec.height * spec.width;
  const indices = new Int32Array(winners.length);
  for (let k = 0; k < winners.length; k++) indices[k] = winners[k]! % plane;
  return { values: out, indices: Tensor._fromData(indices, out.shape) };
}

/**
 * Average pooling over kernelSize windows of x [N, C, H, W] (or [C, H, W]). The divisor follows
 * PyTorch: with countIncludePad (the default) the window clipped to the padded input, otherwise the
 * number of real pixels in it; divisorOverride replaces both.
 *
 * @example avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false });
 */
export function avgPool2d(x: Tensor, kernelSize: Size2, options: AvgPool2dOptions = {}): Tensor {
  const { x4 } = asBatch(x, 'avgPool2d');
  const spec = poolSpec('avgPool2d', x4, kernelSize, options);
  const { countIncludePad = true, divisorOverride = null } = options;
  if (divisorOverride !== null && !(divisorOverride > 0))
    throw new RangeError(`avgPool2d: divisorOverride must be positive, got ${divisorOverride}`);
  const backend = getBackend();
  const dtype = x.dtype;
  const planes = spec.batch;
  const taps = spec.kernelH * spec.kernelW;
  const spatial = spec.outH * spec.outW;
  const scale = backend.allocate(dtype, spatial);
  const rows = windowCounts(spec.outH, spec.strideH, spec.padTop, spec.kernelH, spec.height);
  const columns = windowCounts(spec.outW, spec.strideW, spec.padLeft, spec.kernelW, spec.width);
  for (let oy = 0; oy < spec.outH; oy++) {
    for (let ox = 0; ox < spec.outW; ox++) {
      const real = rows.real[oy]! * columns.real[ox]!;
      const divisor = divisorOverride ?? (countIncludePad ? rows.padded[oy]! * columns.padded[ox]! : real);
      scale[oy * spec.outW + ox] = real > 0 ? 1 / divisor : 0; // an empty window gives 0, as in PyTorch
    }
  }
  const cols = unfoldBuffer(x._data, dtype, spec);
  const sums = backend.allocate(dtype, planes * spatial);
  backend.reduce('sum', cols, planes, taps, spatial, sums);
  backend.binary('mul', sums, [planes, spatial], scale, [spatial], sums, [planes, spatial]);
  return record(Tensor._fromData(sums, outputShape(x, spec)), [x], 'avgPool2d', (g) => {
    const b = getBackend();
    const gd = g.dtype === dtype ? g : g.to(dtype);
    const scaled = b.allocate(dtype, planes * spatial);
    b.binary('mul', gd._data, [planes, spatial], scale, [spatial], scaled, [planes, spatial]);
    const gcols = b.allocate(dtype, planes * taps * spatial);
    b.copyStrided(scaled, 0, [spatial, 0, 1], [planes, taps, spatial], gcols);
    return [Tensor._fromData(foldBuffer(gcols, dtype, spec), x.shape)];
  });
}

/**
 * For each output row (or column) of an average pool: the window's extent clipped to the padded input
 * (PyTorch's pool_size factor) and clipped to the real input.
 */
function windowCounts(
  outSize: number,
  stride: number,
  pad: number,
  kernel: number,
  size: number,
): { padded: Int32Array; real: Int32Array } {
  const padded = new Int32Array(outSize);
  const real = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const start = o * stride - pad;
    const end = Math.min(start + kernel, size + pad);
    padded[o] = end - start;
    real[o] = Math.max(0, Math.min(end, size) - Math.max(start, 0));
  }
  return { padded, real };
}

/** Adaptive pooling's output size: a number, or [h, w] where null keeps that input dimension. */
export type AdaptiveSize = number | readonly (number | null)[];

/**
 * Average pooling to a fixed output size [oh, ow] whatever the input size (PyTorch's
 * AdaptiveAvgPool2d): output bin i covers input rows [⌊i·H/oh⌋, ⌈(i + 1)·H/oh⌉), so bins overlap when
 * oh does not divide H. outputSize 1 is global average pooling.
 *
 * @example adaptiveAvgPool2d(x, 1);       // [N, C, H, W] -> [N, C, 1, 1]
 * adaptiveAvgPool2d(x, [2, null]);       // [N, C, 5, 7] -> [N, C, 2, 7]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const { x4 } = asBatch(x, 'adaptiveAvgPool2d');
  if (!isFloat(x.dtype)) throw new TypeError(`adaptiveAvgPool2d: needs a floating input, got ${x.dtype}`);
  const [h, w] = x4.shape.slice(2) as [number, number];
  const sizes = typeof outputSize === 'number' ? [outputSize, outputSize] : [...outputSize];
  const [oh, ow] = sizes.map((s, i) => s ?? [h, w][i]!) as [number, number];
  if (sizes.length !== 2 || ![oh, ow].every((s) => Number.isInteger(s) && s >= 1)) {
    throw new RangeError(
      `adaptiveAvgPool2d: outputSize must be a positive integer or a pair [h, w] of them (null keeps the input size), got ${JSON.stringify(outputSize)}`,
    );
  }
  if (h === 0 || w === 0)
    throw new RangeError(`adaptiveAvgPool2d: the input ${formatShape(x.shape)} has an empty plane`);
  if (h % oh === 0 && w % ow === 0) return avgPool2d(x, [h / oh, w / ow]);
  const rows = binMatrix(h, oh, x.dtype, false); // [oh, H]
  const columns = binMatrix(w, ow, x.dtype, true); // [W, ow]
  return matmul(matmul(rows, x), columns);
}

/** The averaging matrix of adaptive bins, [out, size] (or its transpose [size, out]). */
function binMatrix(size: number, out: number, dtype: DType, transposed: boolean): Tensor {
  const data = getBackend().allocate(dtype, size * out);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out);
    const end = Math.ceil(((i + 1) * size) / out);
    for (let k = start; k < end; k++) data[transposed ? k * out + i : i * size + k] = 1 / (end - start);
  }
  return Tensor._fromData(data, transposed ? [size, out] : [out, size]);
}
