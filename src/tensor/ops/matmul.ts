/**
 * torch.matmul semantics: 1-D operands get a dimension prepended (first) or appended (second) and
 * removed afterwards; leading (batch) dimensions broadcast. The gradients are again products:
 * dA = dC·Bᵀ and dB = Aᵀ·dC, computed with the backend's transpose flags instead of copies, and summed
 * over broadcast batch dims.
 */
import { getBackend } from '../../backend/backend.js';
import { record } from '../../autograd/graph.js';
import { promote } from '../dtype.js';
import { broadcastShapes, formatShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { sumTo } from './elementwise.js';

/** C = op(A)·op(B) for 2-D-or-more operands whose batch dims already broadcast to `batchShape`. */
// Exported (without autograd) for the ops that write their own gradient rule: linear, conv2d.
export function product(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const am = a.shape[a.ndim - 2]!;
  const ak = a.shape[a.ndim - 1]!;
  const bk = b.shape[b.ndim - 2]!;
  const bn = b.shape[b.ndim - 1]!;
  const [m, k] = transA ? [ak, am] : [am, ak];
  const [k2, n] = transB ? [bn, bk] : [bk, bn];
  if (k !== k2) throw new Error(`matmul: internal shape mismatch ${k} vs ${k2}`);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batchShape = broadcastShapes('matmul (batch dimensions)', aBatch, bBatch);
  const batch = sizeOf(batchShape);
  // An operand that already covers the whole batch is read in place; one without batch dims is
  // broadcast with stride 0; anything else is expanded first.
  const prepare = (t: Tensor, own: readonly number[]): { data: Tensor; stride: number } => {
    const mat = t.shape[t.ndim - 2]! * t.shape[t.ndim - 1]!;
    if (sizeOf(own) === 1) return { data: t, stride: 0 };
    if (own.length === batchShape.length && own.every((d, i) => d === batchShape[i]))
      return { data: t, stride: mat };
    return { data: t.expand([...batchShape, t.shape[t.ndim - 2]!, t.shape[t.ndim - 1]!]), stride: mat };
  };
  const pa = prepare(a, aBatch);
  const pb = prepare(b, bBatch);
  const backend = getBackend();
  const out = backend.allocateUninitialised(a.dtype, batch * m * n);
  backend.matmul(pa.data._data, pb.data._data, out, {
    batch,
    m,
    k,
    n,
    transA,
    transB,
    strideA: pa.stride,
    strideB: pb.stride,
  });
  return Tensor._fromData(out, [...batchShape, m, n]);
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(
      `matmul: both operands need at least one dimension, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const ka = a.shape[a.ndim - 1]!;
  const kb = b.ndim === 1 ? b.shape[0]! : b.shape[b.ndim - 2]!;
  if (ka !== kb) {
    throw new RangeError(
      `matmul: cannot multiply ${formatShape(a.shape)} by ${formatShape(b.shape)}: the first has ${ka} columns ` +
        `but the second has ${kb} rows (inner dimensions must match)`,
    );
  }
  const dtype = promote(a.dtype, b.dtype);
  const a2 = (a.dtype === dtype ? a : a.to(dtype)).reshape(a.ndim === 1 ? [1, ka] : [...a.shape]);
  const b2 = (b.dtype === dtype ? b : b.to(dtype)).reshape(b.ndim === 1 ? [kb, 1] : [...b.shape]);
  const full = product(a2, b2, false, false);
  let shape = [...full.shape];
  if (a.ndim === 1) shape.splice(shape.length - 2, 1);
  if (b.ndim === 1) shape = shape.slice(0, -1);
  const out = Tensor._fromData(full._data, shape);
  return record(out, [a, b], 'matmul', (g) => {
    const g2 = g.reshape(full.shape);
    return [
      a.requiresGrad ? sumTo(product(g2, b2, false, true), a2.shape).reshape(a.shape) : null,
      b.requiresGrad ? sumTo(product(a2, g2, true, false), b2.shape).reshape(b.shape) : null,
    ];
  });
}

/**
 * The affine map y = x·Wᵀ + b of a Linear layer (PyTorch's F.linear), with W stored [out, in] as in
 * PyTorch. It reads W transposed in place through the backend's transpose flag rather than copying
 * Wᵀ every step, and its gradients are again single products: dx = dy·W, dW = dyᵀ·x, db = Σ dy.
 * x may have any number of leading dims.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.ndim !== 2)
    throw new RangeError(`linear: weight must be 2-D [out, in], got ${formatShape(weight.shape)}`);
  const [outFeatures, inFeatures] = weight.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inFeatures) {
    throw new RangeError(
      `linear: input of shape ${formatShape(x.shape)} does not fit a weight of shape ${formatShape(weight.shape)} ` +
        `(the input's last dimension must be inFeatures = ${inFeatures})`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outFeatures)) {
    throw new RangeError(`linear: bias must have shape [${outFeatures}], got ${formatShape(bias.shape)}`);
  }
  const dtype = [x, weight, ...(bias ? [bias] : [])].map((t) => t.dtype).reduce(promote);
  const cx = x.dtype === dtype ? x : x.to(dtype);
  const cw = weight.dtype === dtype ? weight : weight.to(dtype);
  const x2 = Tensor._fromData(cx._data, [x.numel / inFeatures, inFeatures]);
  const w2 = Tensor._fromData(cw._data, [outFeatures, inFeatures]);
  let y = product(x2, w2, false, true);
  if (bias) {
    const cb = bias.dtype === dtype ? bias : bias.to(dtype);
    getBackend().binary('add', y._data, y.shape, cb._data, cb.shape, y._data, y.shape);
  }
  y = Tensor._fromData(y._data, [...x.shape.slice(0, -1), outFeatures]);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(y, inputs, 'linear', (g) => {
    const g2 = Tensor._fromData(g._data, [g.numel / outFeatures, outFeatures]);
    return [
      x.requiresGrad ? product(g2, w2, false, false).reshape(x.shape) : null,
      weight.requiresGrad ? product(g2, x2, true, false) : null,
      bias && bias.requiresGrad ? g2.sum(0) : null,
    ];
  });
}
