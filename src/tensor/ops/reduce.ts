/**
 * Reductions over any set of dimensions, with keepdim, and their gradients. The backend reduces a
 * tensor viewed as [outer, reduced, inner]; reductions over non-adjacent dims first move those dims
 * together with a permute.
 */
import { getBackend, type ReduceOp } from '../../backend/backend.js';
import { record } from '../../autograd/graph.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { isFloat } from '../dtype.js';
import { formatShape, normalizeDim, normalizeDims } from '../shape.js';
import { Tensor } from '../tensor.js';
import { where } from './elementwise.js';

export type Dims = number | readonly number[];

/** The reduced tensor's shape with and without the reduced dims kept as size 1. */
function reducedShapes(shape: readonly number[], dims: number[]): { kept: number[]; dropped: number[] } {
  const kept = shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const dropped = shape.filter((_, i) => !dims.includes(i));
  return { kept, dropped };
}

/** Moves `dims` next to each other (when they are not already) and returns [outer, reduced, inner]. */
function arrange(x: Tensor, dims: number[]): { src: Tensor; outer: number; reduced: number; inner: number } {
  const contiguous = dims.every((d, i) => i === 0 || d === dims[i - 1]! + 1);
  let src = x;
  let first = dims[0] ?? 0;
  if (!contiguous) {
    const rest = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
    src = x.permute([...rest, ...dims]);
    first = rest.length;
  }
  const shape = src.shape;
  let outer = 1;
  let reduced = 1;
  let inner = 1;
  for (let i = 0; i < shape.length; i++) {
    if (i < first) outer *= shape[i]!;
    else if (i < first + dims.length) reduced *= shape[i]!;
    else inner *= shape[i]!;
  }
  return { src, outer, reduced, inner };
}

function reduceKernel(op: ReduceOp, x: Tensor, dims: number[], keepdim: boolean, name: string): Tensor {
  const { kept, dropped } = reducedShapes(x.shape, dims);
  const { src, outer, reduced, inner } = arrange(x, dims);
  if (reduced === 0 && (op === 'max' || op === 'min')) {
    throw new RangeError(
      `${name}: cannot take the ${op} over an empty dimension of a tensor of shape ${formatShape(x.shape)}`,
    );
  }
  const dtype = op === 'sum' && x.dtype === 'bool' ? 'int32' : x.dtype;
  const backend = getBackend();
  const out = backend.allocateUninitialised(dtype, outer * inner);
  backend.reduce(op, src._data, outer, reduced, inner, out);
  return Tensor._fromData(out, keepdim ? kept : dropped);
}

/** Σ over `dim` (all dims when omitted). */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const dims = normalizeDims(dim, x.ndim, 'sum');
  const out = reduceKernel('sum', x, dims, keepdim, 'sum');
  const kept = reducedShapes(x.shape, dims).kept;
  return record(out, [x], 'sum', (g) => [g.reshape(kept).expand(x.shape)]);
}

export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const dims = normalizeDims(dim, x.ndim, 'mean');
  if (!isFloat(x.dtype))
    throw new TypeError(`mean: needs a floating tensor, got ${x.dtype}; convert with .float() first`);
  const count = dims.reduce((n, d) => n * (x.shape[d] ?? 1), 1); // a 0-d tensor's dim 0 counts 1
  return sum(x, dims, keepdim).div(count);
}

/**
 * max/min over dims without indices (torch.amax/amin, and torch.max(x) over everything): ties share the
 * gradient equally.
 */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return extremumAll('max', x, dim, keepdim);
}

export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return extremumAll('min', x, dim, keepdim);
}

function extremumAll(op: 'max' | 'min', x: Tensor, dim: Dims | undefined, keepdim: boolean): Tensor {
  const name = op === 'max' ? 'amax' : 'amin';
  const dims = normalizeDims(dim, x.ndim, name);
  const out = reduceKernel(op, x, dims, keepdim, name);
  const kept = reducedShapes(x.shape, dims).kept;
  return record(
    out,
    [x],
    name,
    (g) => {
      const hit = x.eq(out.reshape(kept)).to(g.dtype);
      const count = hit.sum(dims, true);
      return [hit.div(count).mul(g.reshape(kept))];
    },
    { savesOutput: true },
  );
}

export interface ValuesAndIndices {
  values: Tensor;
  indices: Tensor;
}

/** max/min along one dim with the index of the (first) extreme; the gradient goes to that index. */
export function extremumAlong(op: 'max' | 'min', x: Tensor, dim: number, keepdim = false): ValuesAndIndices {
  const d = normalizeDim(dim, x.ndim, op);
  const { kept, dropped } = reducedShapes(x.shape, x.ndim === 0 ? [] : [d]);
  const { src, outer, reduced, inner } = arrange(x, x.ndim === 0 ? [] : [d]);
  if (reduced === 0)
    throw new RangeError(
      `${op}: cannot take the ${op} over the empty dimension ${dim} of ${formatShape(x.shape)}`,
    );
  const backend = getBackend();
  const values = backend.allocate(x.dtype, outer * inner);
  const indices = new Int32Array(outer * inner);
  backend.argReduce(op, src._data, outer, reduced, inner, values, indices);
  const shape = keepdim ? kept : dropped;
  const valuesT = Tensor._fromData(values, shape);
  const indicesT = Tensor._fromData(indices, shape);
  if (x.ndim === 0) return { values: record(valuesT, [x], op, (g) => [g]), indices: indicesT };
  const recorded = record(valuesT, [x], op, (g) => {
    const idx = indicesT.reshape(kept);
    const grad = Tensor._fromData(getBackend().allocate(g.dtype, x.numel), [...x.shape]);
    return [grad.scatterAdd(d, idx, g.reshape(kept))];
  });
  return { values: recorded, indices: indicesT };
}

export function argExtremum(op: 'max' | 'min', x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) return extremumAlong(op, x.reshape([-1]), 0).indices;
  return extremumAlong(op, x, dim, keepdim).indices;
}

export interface VarianceOptions {
  /** Divide by N − 1 (Bessel's correction) rather than N. Default true, as in PyTorch. */
  unbiased?: boolean;
  keepdim?: boolean;
}

/** Variance: Σ(x − mean)² / (N − 1) when unbiased (the default), / N otherwise. */
export function variance(x: Tensor, dim?: Dims, options: VarianceOptions = {}): Tensor {
  const { unbiased = true, keepdim = false } = options;
  const dims = normalizeDims(dim, x.ndim, 'var');
  const count = dims.reduce((n, d) => n * (x.shape[d] ?? 1), 1); // a 0-d tensor's dim 0 counts 1
  const centered = x.sub(x.mean(dims, true));
  return centered
    .mul(centered)
    .sum(dims, keepdim)
    .div(Math.max(count - (unbiased ? 1 : 0), 0));
}

export function std(x: Tensor, dim?: Dims, options: VarianceOptions = {}): Tensor {
  return variance(x, dim, options).sqrt();
}

/** log Σ exp(x), computed as m + log Σ exp(x − m) with m the max, so that large inputs do not overflow. */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  const dims = normalizeDims(dim, x.ndim, 'logsumexp');
  const m = x.detach().amax(dims, true);
  const safeM = where(m.abs().lt(Infinity), m, 0);
  const out = x.sub(safeM).exp().sum(dims, true).log().add(safeM);
  return keepdim ? out : out.squeeze(dims);
}

/**
 * The p-norm (Σ|x|^p)^(1/p) over dims; p may be Infinity or -Infinity. For p = 2 the gradient
 * x/‖x‖ is taken as 0 where the norm is 0, as PyTorch does.
 */
export function norm(x: Tensor, p: number | 'fro' = 2, dim?: Dims, keepdim = false): Tensor {
  const order = p === 'fro' ? 2 : p;
  if (order === Infinity) return x.abs().amax(dim, keepdim);
  if (order === -Infinity) return x.abs().amin(dim, keepdim);
  if (order === 1) return x.abs().sum(dim, keepdim);
  if (order === 2) {
    const dims = normalizeDims(dim, x.ndim, 'norm');
    // The forward runs unrecorded: the gradient rule below replaces the composed one.
    const out = noGrad(() => x.mul(x).sum(dims, keepdim).sqrt());
    const kept = reducedShapes(x.shape, dims).kept;
    return record(
      out,
      [x],
      'norm',
      (g) => {
        const n = out.reshape(kept);
        const scale = where(n.eq(0), 0, g.reshape(kept).div(n));
        return [x.mul(scale)];
      },
      { savesOutput: true },
    );
  }
  if (order === 0)
    return x
      .ne(0)
      .to(isFloat(x.dtype) ? x.dtype : 'float32')
      .sum(dim, keepdim);
  return x
    .abs()
    .pow(order)
    .sum(dim, keepdim)
    .pow(1 / order);
}
