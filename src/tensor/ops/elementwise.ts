/**
 * Elementwise ops and their gradient rules, side by side. Binary ops broadcast (NumPy/PyTorch rules) and
 * their gradients are summed back to each input's shape by `sumTo`.
 */
import { getBackend, type BinaryOp, type UnaryOp } from '../../backend/backend.js';
import { record } from '../../autograd/graph.js';
import { isFloat, promote, type DType } from '../dtype.js';
import { broadcastShapes, sameShape, sizeOf, type Shape } from '../shape.js';
import { Tensor } from '../tensor.js';

export type TensorLike = Tensor | number | boolean;

/** Wraps a JS number as a 0-d tensor; like PyTorch's Python scalars it does not widen a float32 tensor. */
export function asTensor(value: TensorLike, like: Tensor): Tensor {
  if (value instanceof Tensor) return value;
  if (typeof value === 'boolean') return Tensor._fromData(Uint8Array.of(value ? 1 : 0), []);
  let dtype: DType = like.dtype;
  if (!isFloat(dtype) && !Number.isInteger(value)) dtype = 'float32';
  else if (dtype === 'bool') dtype = 'int32';
  const data = getBackend().allocate(dtype, 1);
  data[0] = value;
  return Tensor._fromData(data, []);
}

/** Sums a broadcast gradient back to `shape` (the adjoint of broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const summed = dims.length > 0 ? g.sum(dims, true) : g;
  return summed.reshape([...shape]);
}

export function unaryKernel(op: UnaryOp, x: Tensor, dtype: DType = x.dtype): Tensor {
  const backend = getBackend();
  const src = x.dtype === dtype || op === 'not' ? x : x.to(dtype);
  const out = backend.allocateUninitialised(dtype, x.numel);
  backend.unary(op, src._data, out);
  return Tensor._fromData(out, [...x.shape]);
}

/** Float ops on integer tensors compute in float32, as PyTorch does. */
function floatDType(x: Tensor): DType {
  return isFloat(x.dtype) ? x.dtype : 'float32';
}

function unaryOp(op: UnaryOp, x: Tensor, backward?: (g: Tensor, out: Tensor) => Tensor): Tensor {
  const needsFloat = op !== 'neg' && op !== 'abs' && op !== 'sign' && op !== 'relu' && op !== 'not';
  const out = unaryKernel(op, x, needsFloat ? floatDType(x) : x.dtype);
  if (!backward) return out;
  // The rule may read the output (exp, sqrt, tanh, ...): an in-place change to it must be caught.
  return record(out, [x], op, (g) => [backward(g, out)], { savesOutput: backward.length > 1 });
}

export const neg = (x: Tensor) => unaryOp('neg', x, (g) => g.neg());
export const exp = (x: Tensor) => unaryOp('exp', x, (g, out) => g.mul(out));
export const log = (x: Tensor) => unaryOp('log', x, (g) => g.div(x));
export const log1p = (x: Tensor) => unaryOp('log1p', x, (g) => g.div(x.add(1)));
export const sqrt = (x: Tensor) => unaryOp('sqrt', x, (g, out) => g.div(out.mul(2)));
export const abs = (x: Tensor) => unaryOp('abs', x, (g) => g.mul(x.sign()));
export const sign = (x: Tensor) => unaryOp('sign', x, (g) => g.mul(0));
export const tanh = (x: Tensor) => unaryOp('tanh', x, (g, out) => g.mul(out.mul(out).neg().add(1)));
export const sigmoid = (x: Tensor) => unaryOp('sigmoid', x, (g, out) => g.mul(out.mul(out.neg().add(1))));
/** ReLU; its derivative at exactly 0 is taken as 0, as in PyTorch. */
export const relu = (x: Tensor) => unaryOp('relu', x, (g) => reluGrad(g, x));

/** g·(x > 0): the backend's fused reluGrad when g and x share a float dtype, else composed. */
function reluGrad(g: Tensor, x: Tensor): Tensor {
  if (g.dtype !== x.dtype || !isFloat(g.dtype) || !sameShape(g.shape, x.shape)) return g.mul(x.gt(0));
  const backend = getBackend();
  const out = backend.allocateUninitialised(g.dtype, g.numel);
  backend.reluGrad(g._data, x._data, out);
  return Tensor._fromData(out, [...g.shape]);
}
export const erf = (x: Tensor) =>
  unaryOp('erf', x, (g) =>
    g.mul(
      x
        .mul(x)
        .neg()
        .exp()
        .mul(2 / Math.sqrt(Math.PI)),
    ),
  );
export const sin = (x: Tensor) => unaryOp('sin', x, (g) => g.mul(x.cos()));
export const cos = (x: Tensor) => unaryOp('cos', x, (g) => g.mul(x.sin().neg()));
export const reciprocal = (x: Tensor) => unaryOp('reciprocal', x, (g, out) => g.mul(out.mul(out)).neg());
// Step functions have zero gradient almost everywhere.
export const floor = (x: Tensor) => unaryOp('floor', x, (g) => g.mul(0));
export const ceil = (x: Tensor) => unaryOp('ceil', x, (g) => g.mul(0));
export const round = (x: Tensor) => unaryOp('round', x, (g) => g.mul(0));
export const logicalNot = (x: Tensor) => unaryKernel('not', x, 'bool');
export const logicalAnd = (a: Tensor, b: TensorLike) =>
  binaryKernel('minimum', a.ne(0), asTensor(b, a).ne(0), 'logicalAnd');
export const logicalOr = (a: Tensor, b: TensorLike) =>
  binaryKernel('maximum', a.ne(0), asTensor(b, a).ne(0), 'logicalOr');

/** Runs a broadcasting binary kernel; inputs are converted to the promoted dtype first. */
export function binaryKernel(op: BinaryOp, a: Tensor, b: Tensor, name: string = op): Tensor {
  const outShape = broadcastShapes(name, a.shape, b.shape);
  let dtype = promote(a.dtype, b.dtype);
  if (op === 'div' || (op === 'pow' && !isFloat(dtype) && b.dtype !== 'bool'))
    dtype = isFloat(dtype) ? dtype : 'float32';
  if (dtype === 'bool' && !isComparison(op) && op !== 'maximum' && op !== 'minimum') dtype = 'int32';
  const ca = a.dtype === dtype ? a : a.to(dtype);
  const cb = b.dtype === dtype ? b : b.to(dtype);
  const backend = getBackend();
  const out = backend.allocateUninitialised(isComparison(op) ? 'bool' : dtype, sizeOf(outShape));
  backend.binary(op, ca._data, ca.shape, cb._data, cb.shape, out, outShape);
  return Tensor._fromData(out, outShape);
}

function isComparison(op: BinaryOp): boolean {
  return op === 'eq' || op === 'ne' || op === 'lt' || op === 'le' || op === 'gt' || op === 'ge';
}

export function add(a: Tensor, bv: TensorLike): Tensor {
  const b = asTensor(bv, a);
  const out = binaryKernel('add', a, b);
  return record(out, [a, b], 'add', (g) => [sumTo(g, a.shape), sumTo(g, b.shape)]);
}

export function sub(a: Tensor, bv: TensorLike): Tensor {
  const b = asTensor(bv, a);
  const out = binaryKernel('sub', a, b);
  return record(out, [a, b], 'sub', (g) => [sumTo(g, a.shape), sumTo(g.neg(), b.shape)]);
}

export function mul(a: Tensor, bv: TensorLike): Tensor {
  const b = asTensor(bv, a);
  const out = binaryKernel('mul', a, b);
  return record(out, [a, b], 'mul', (g) => [
    a.requiresGrad ? sumTo(g.mul(b), a.shape) : null,
    b.requiresGrad ? sumTo(g.mul(a), b.shape) : null,
  ]);
}

export function div(a: Tensor, bv: TensorLike): Tensor {
  const b = asTensor(bv, a);
  const out = binaryKernel('div', a, b);
  return record(
    out,
    [a, b],
    'div',
    (g) => [
      a.requiresGrad ? sumTo(g.div(b), a.shape) : null,
      b.requiresGrad ? sumTo(g.mul(out).div(b).neg(), b.shape) : null,
    ],
    { savesOutput: true },
  );
}

/**
 * a^b. d/da = b·a^(b−1); d/db = a^b·ln(a), taken as 0 where a = 0 and b ≥ 0 (PyTorch's convention,
 * which keeps 0^b differentiable in b where the limit exists).
 */
export function pow(a: Tensor, bv: TensorLike): Tensor {
  if (typeof bv === 'number') return powScalar(a, bv);
  const b = asTensor(bv, a);
  const out = binaryKernel('pow', a, b);
  return record(
    out,
    [a, b],
    'pow',
    (g) => [
      // Where b = 0 the gradient is 0 (PyTorch's masked_fill), not 0·0^(−1) = NaN.
      a.requiresGrad ? sumTo(where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))), a.shape) : null,
      b.requiresGrad ? sumTo(where(a.eq(0).logicalAnd(b.ge(0)), 0, g.mul(out).mul(a.log())), b.shape) : null,
    ],
    { savesOutput: true },
  );
}

function powScalar(a: Tensor, exponent: number): Tensor {
  const out = binaryKernel('pow', a, asTensor(exponent, a));
  return record(out, [a], 'pow', (g) => [
    exponent === 0 ? g.mul(0) : g.mul(a.pow(exponent - 1)).mul(exponent),
  ]);
}

/** Elementwise maximum; where a = b the gradient is split equally, as in PyTorch. */
export function maximum(a: Tensor, bv: TensorLike): Tensor {
  return extremum('maximum', a, asTensor(bv, a));
}

export function minimum(a: Tensor, bv: TensorLike): Tensor {
  return extremum('minimum', a, asTensor(bv, a));
}

function extremum(op: 'maximum' | 'minimum', a: Tensor, b: Tensor): Tensor {
  const out = binaryKernel(op, a, b);
  return record(out, [a, b], op, (g) => {
    const aWins = op === 'maximum' ? a.gt(b) : a.lt(b);
    const share = aWins.to(g.dtype).add(a.eq(b).to(g.dtype).mul(0.5));
    return [sumTo(g.mul(share), a.shape), sumTo(g.mul(share.neg().add(1)), b.shape)];
  });
}

export const eq = (a: Tensor, b: TensorLike) => binaryKernel('eq', a, asTensor(b, a));
export const ne = (a: Tensor, b: TensorLike) => binaryKernel('ne', a, asTensor(b, a));
export const lt = (a: Tensor, b: TensorLike) => binaryKernel('lt', a, asTensor(b, a));
export const le = (a: Tensor, b: TensorLike) => binaryKernel('le', a, asTensor(b, a));
export const gt = (a: Tensor, b: TensorLike) => binaryKernel('gt', a, asTensor(b, a));
export const ge = (a: Tensor, b: TensorLike) => binaryKernel('ge', a, asTensor(b, a));

/** `cond ? a : b` elementwise, broadcasting all three; the gradient flows to the branch that was taken. */
export function where(cond: Tensor, av: TensorLike, bv: TensorLike): Tensor {
  const ref = av instanceof Tensor ? av : bv instanceof Tensor ? bv : cond;
  let a = asTensor(av, ref);
  let b = asTensor(bv, ref);
  const dtype =
    av instanceof Tensor || bv instanceof Tensor
      ? promote(a.dtype, b.dtype)
      : isFloat(ref.dtype)
        ? ref.dtype
        : 'float32';
  if (a.dtype !== dtype) a = a.to(dtype);
  if (b.dtype !== dtype) b = b.to(dtype);
  const outShape = broadcastShapes('where', cond.shape, a.shape, b.shape);
  const backend = getBackend();
  const out = backend.allocate(dtype, sizeOf(outShape));
  backend.where(cond._data, cond.shape, a._data, a.shape, b._data, b.shape, out, outShape);
  const result = Tensor._fromData(out, outShape);
  const inputs = [av instanceof Tensor ? av : a, bv instanceof Tensor ? bv : b];
  return record(result, inputs, 'where', (g) => [
    sumTo(where(cond, g, 0), a.shape),
    sumTo(where(cond, 0, g), b.shape),
  ]);
}

/**
 * Clamps into [min, max]; the gradient passes where min ≤ x ≤ max (both ends included, as in PyTorch).
 */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new RangeError('clamp: give at least one of min and max');
  }
  if (min != null && max != null && min > max)
    throw new RangeError(`clamp: min ${min} is greater than max ${max}`);
  let out = x;
  if (min != null) out = where(x.lt(min), min, out);
  if (max != null) out = where(x.gt(max), max, out);
  return out;
}
