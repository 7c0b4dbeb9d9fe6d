/**
 * 2-D convolution (PyTorch's F.conv2d; like every deep-learning library it computes a cross-correlation)
 * as im2col followed by one batched matmul, with the gradient rule beside it (each line is one backend
 * primitive, conv2d, conv2dInputGrad and conv2dWeightGrad, which a backend may run one image at a time
 * without materialising the columns of the whole batch):
 *
 *   y[n]  = W · cols[n]                 W: [Cout, C/g·kh·kw], cols[n] = im2col(x)[n]: [C/g·kh·kw, oh·ow]
 *   dx    = col2im(Wᵀ · dy[n])          (the backend's transpose flag, no copy of Wᵀ)
 *   dW    = Σₙ dy[n] · cols[n]ᵀ         (cols rebuilt from x, which the graph keeps)
 *   db    = Σ over n, y, x of dy
 *
 * With groups g, the channel rows of cols split into g contiguous blocks, so the product becomes a
 * matmul batched over [n, group] with W viewed as [g, Cout/g, C/g·kh·kw]: no loop over groups.
 * The sliding-window helpers here (argument checks, output sizes, tensors in and out of im2col/col2im)
 * are shared with pooling in ./pool.ts.
 */
import { getBackend, type Im2colSpec } from '../../backend/backend.js';
import { record } from '../../autograd/graph.js';
import { isFloat, promote, type DType, type TypedArray } from '../dtype.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';

/** A 2-D size: one number for both dimensions, or [height, width]. */
export type Size2 = number | readonly number[];

/** Conv2d padding: zeros on every side ([top/bottom, left/right]), or 'valid' (none), or 'same' (output size = input size). */
export type Conv2dPadding = Size2 | 'same' | 'valid';

export interface Conv2dFunctionOptions {
  /** Step between windows; default 1. */
  stride?: Size2;
  /** Zero padding; default 0. 'same' needs stride 1 and puts an odd total's extra row/column at the bottom/right. */
  padding?: Conv2dPadding;
  /** Spacing between kernel taps; default 1. */
  dilation?: Size2;
  /** Split the channels into this many independent groups; default 1 (C for a depthwise convolution). */
  groups?: number;
}

/** Checks a 2-D size argument: [h, w] integers ≥ min. */
export function pair(value: Size2, what: string, op: string, min: number): [number, number] {
  const values = typeof value === 'number' ? [value, value] : [...value];
  if (values.length !== 2 || values.some((v) => !Number.isInteger(v) || v < min)) {
    throw new RangeError(
      `${op}: ${what} must be an integer ≥ ${min} or a pair [h, w] of them, got ${JSON.stringify(value)}`,
    );
  }
  return values as [number, number];
}

/** A 4-D [N, C, H, W] view of a batched or unbatched ([C, H, W]) image input. */
export function asBatch(x: Tensor, op: string): { x4: Tensor; unbatched: boolean } {
  if (x.ndim === 4) return { x4: x, unbatched: false };
  if (x.ndim === 3) return { x4: x.unsqueeze(0), unbatched: true };
  throw new RangeError(
    `${op}: expected a 4-D input [N, C, H, W] or a 3-D input [C, H, W], got ${formatShape(x.shape)}`,
  );
}

/** A buffer's im2col columns, [N, C·kh·kw, oh·ow]. */
export function unfoldBuffer(x: TypedArray, dtype: DType, spec: Im2colSpec): TypedArray {
  const backend = getBackend();
  const { batch, channels, kernelH, kernelW, outH, outW } = spec;
  const cols = backend.allocate(dtype, batch * channels * kernelH * kernelW * outH * outW);
  backend.im2col(x, spec, cols);
  return cols;
}

/** col2im of columns into a fresh zero image buffer of `spec`'s size. */
export function foldBuffer(cols: TypedArray, dtype: DType, spec: Im2colSpec): TypedArray {
  const backend = getBackend();
  const out = backend.allocate(dtype, spec.batch * spec.channels * spec.height * spec.width);
  backend.col2im(cols, spec, out);
  return out;
}

/** Padding as [top, bottom, left, right]. */
function resolvePadding(
  padding: Conv2dPadding,
  kernel: [number, number],
  dilation: [number, number],
  stride: [number, number],
): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new RangeError(
        `conv2d: padding 'same' needs stride 1 (the output could not keep the input's size), got stride [${stride.join(', ')}]`,
      );
    }
    // A total of dilation·(k − 1); PyTorch puts the odd one at the bottom/right.
    const [th, tw] = [dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)];
    return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  }
  if (typeof padding === 'string')
    throw new RangeError(`conv2d: padding must be a number, [h, w], 'same' or 'valid', got '${padding}'`);
  const [ph, pw] = pair(padding, 'padding', 'conv2d', 0);
  return [ph, ph, pw, pw];
}

/** Checks the arguments of conv2d (without running it) and returns the geometry of its im2col. */
export function conv2dSpec(
  xShape: readonly number[],
  weightShape: readonly number[],
  options: Conv2dFunctionOptions = {},
): Im2colSpec {
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1)
    throw new RangeError(`conv2d: groups must be a positive integer, got ${groups}`);
  if (weightShape.length !== 4) {
    throw new RangeError(
      `conv2d: weight must be 4-D [outChannels, inChannels/groups, kH, kW], got ${formatShape(weightShape)}`,
    );
  }
  const [outChannels, groupChannels, kh, kw] = weightShape as [number, number, number, number];
  const [n, c, h, w] = xShape as [number, number, number, number];
  if (groupChannels * groups !== c) {
    throw new RangeError(
      `conv2d: expected input with ${groupChannels * groups} channels (weight ${formatShape(weightShape)}, groups ${groups}), got ${formatShape(xShape)}`,
    );
  }
  if (outChannels % groups !== 0) {
    throw new RangeError(
      `conv2d: the weight's ${outChannels} output channels do not divide into ${groups} groups`,
    );
  }
  const stride = pair(options.stride ?? 1, 'stride', 'conv2d', 1);
  const dilation = pair(options.dilation ?? 1, 'dilation', 'conv2d', 1);
  const [top, bottom, left, right] = resolvePadding(options.padding ?? 0, [kh, kw], dilation, stride);
  const spanH = dilation[0] * (kh - 1) + 1;
  const spanW = dilation[1] * (kw - 1) + 1;
  if (h + top + bottom < spanH || w + left + right < spanW) {
    throw new RangeError(
      `conv2d: the kernel ${kh}x${kw} (spanning ${spanH}x${spanW} with dilation [${dilation.join(', ')}]) is larger ` +
        `than the padded input ${h + top + bottom}x${w + left + right} (input ${formatShape(xShape)}, padding [${top}, ${bottom}, ${left}, ${right}])`,
    );
  }
  return {
    batch: n,
    channels: c,
    height: h,
    width: w,
    kernelH: kh,
    kernelW: kw,
    strideH: stride[0],
    strideW: stride[1],
    padTop: top,
    padLeft: left,
    dilationH: dilation[0],
    dilationW: dilation[1],
    outH: Math.floor((h + top + bottom - spanH) / stride[0]) + 1,
    outW: Math.floor((w + left + right - spanW) / stride[1]) + 1,
  };
}

/**
 * 2-D convolution of x [N, C, H, W] (or [C, H, W]) with weight [Cout, C/groups, kH, kW] and an optional
 * bias [Cout]: y[n, o] = b[o] + Σ_{c in o's group, i, j} W[o, c, i, j] · x[n, c, y·s − p + i·d, x·s − p + j·d].
 * Gives [N, Cout, oh, ow] with oh = ⌊(H + padding − dilation·(kH − 1) − 1) / stride⌋ + 1.
 *
 * @example
 * conv2d(x, w, b, { stride: 2, padding: 1 });      // x [8, 3, 32, 32], w [16, 3, 3, 3] -> [8, 16, 16, 16]
 * conv2d(x, wDepthwise, null, { groups: 3, padding: 'same' });
 */
export function conv2d(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  options: Conv2dFunctionOptions = {},
): Tensor {
  const { x4, unbatched } = asBatch(x, 'conv2d');
  if (unbatched) return conv2d(x4, weight, bias, options).squeeze(0);
  const spec = conv2dSpec(x.shape, weight.shape, options);
  const groups = options.groups ?? 1;
  const outChannels = weight.shape[0]!;
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outChannels))
    throw new RangeError(`conv2d: bias must have shape [${outChannels}], got ${formatShape(bias.shape)}`);
  const dtype = [x, weight, ...(bias ? [bias] : [])].map((t) => t.dtype).reduce(promote);
  if (!isFloat(dtype)) throw new TypeError(`conv2d: needs floating tensors, got ${dtype}`);
  const cx = x.dtype === dtype ? x : x.to(dtype);
  const cw = weight.dtype === dtype ? weight : weight.to(dtype);

  const { batch: n, outH, outW } = spec;
  const spatial = outH * outW;
  const backend = getBackend();
  const y = backend.allocateUninitialised(dtype, n * outChannels * spatial);
  const cb = bias && (bias.dtype === dtype ? bias : bias.to(dtype));
  backend.conv2d(cx._data, cw._data, cb ? cb._data : null, spec, groups, y);
  const out = Tensor._fromData(y, [n, outChannels, outH, outW]);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  // The backward pass reads x again (the autograd's version check catches an in-place change to x in
  // between), so no column buffer is kept from the forward pass.
  return record(out, inputs, 'conv2d', (gIn) => {
    const b = getBackend();
    const g = gIn.dtype === dtype ? gIn : gIn.to(dtype);
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      const data = b.allocateUninitialised(dtype, cx.numel);
      b.conv2dInputGrad(g._data, cw._data, spec, groups, data);
      dx = Tensor._fromData(data, x.shape);
    }
    let dw: Tensor | null = null;
    if (weight.requiresGrad) {
      const data = b.allocateUninitialised(dtype, weight.numel);
      b.conv2dWeightGrad(cx._data, g._data, spec, groups, data);
      dw = Tensor._fromData(data, weight.shape);
    }
    let db: Tensor | null = null;
    if (bias && bias.requiresGrad) {
      const perChannel = b.allocate(dtype, n * outChannels);
      b.reduce('sum', g._data, n * outChannels, spatial, 1, perChannel);
      const sum = b.allocate(dtype, outChannels);
      b.reduce('sum', perChannel, 1, n, outChannels, sum);
      db = Tensor._fromData(sum, [outChannels]);
    }
    return [dx, dw, db];
  });
}
