/**
 * Ops that move data without arithmetic: reshape, permute, expand, slicing, concatenation, gather.
 * Tensors are always contiguous, so reshape shares the buffer and every other movement copies through
 * the backend's strided copy. Each gradient is the adjoint movement.
 */
import { getBackend } from '../../backend/backend.js';
import { record } from '../../autograd/graph.js';
import { promote } from '../dtype.js';
import { contiguousStrides, formatShape, normalizeDim, sameShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';

/** Resolves one -1 in a requested shape and checks the element count. */
export function inferShape(
  shape: readonly number[],
  numel: number,
  op: string,
  from: readonly number[],
): number[] {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1) throw new RangeError(`${op}: only one dimension can be -1, got ${formatShape(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < -1)
      throw new RangeError(`${op}: invalid dimension ${d} in ${formatShape(shape)}`);
  }
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const out = [...shape];
  if (unknown === 1) {
    if (known === 0 || numel % known !== 0) {
      throw new RangeError(
        `${op}: cannot reshape ${formatShape(from)} (${numel} elements) into ${formatShape(shape)}`,
      );
    }
    out[out.indexOf(-1)] = numel / known;
  } else if (known !== numel) {
    throw new RangeError(
      `${op}: cannot reshape ${formatShape(from)} (${numel} elements) into ${formatShape(shape)} (${known} elements)`,
    );
  }
  return out;
}

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.numel, 'reshape', x.shape);
  if (sameShape(target, x.shape)) return x;
  const out = Tensor._view(x, target);
  return record(out, [x], 'reshape', (g) => [g.reshape(x.shape)]);
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new RangeError(
      `permute: got ${dims.length} dims [${dims.join(', ')}] for a tensor of shape ${formatShape(x.shape)}`,
    );
  }
  const order = dims.map((d) => normalizeDim(d, x.ndim, 'permute'));
  if (new Set(order).size !== order.length)
    throw new RangeError(`permute: dims [${dims.join(', ')}] repeat a dimension`);
  if (order.every((d, i) => d === i)) return x;
  const strides = contiguousStrides(x.shape);
  const shape = order.map((d) => x.shape[d]!);
  const out = strided(
    x,
    0,
    order.map((d) => strides[d]!),
    shape,
  );
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  return record(out, [x], 'permute', (g) => [g.permute(inverse)]);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim(dim0, x.ndim, 'transpose');
  const b = normalizeDim(dim1, x.ndim, 'transpose');
  const order = x.shape.map((_, i) => i);
  order[a] = b;
  order[b] = a;
  return permute(x, order);
}

function strided(x: Tensor, offset: number, strides: readonly number[], shape: readonly number[]): Tensor {
  const backend = getBackend();
  const out = backend.allocate(x.dtype, sizeOf(shape));
  backend.copyStrided(x._data, offset, strides, shape, out);
  return Tensor._fromData(out, [...shape]);
}

/** Broadcasts to `shape` (−1 keeps a dimension); the gradient sums over the broadcast dims. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < x.ndim) {
    throw new RangeError(
      `expand: target ${formatShape(shape)} has fewer dimensions than the tensor's ${formatShape(x.shape)}`,
    );
  }
  const lead = shape.length - x.ndim;
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead]! : d));
  if (target.some((d) => !Number.isInteger(d) || d < 0))
    throw new RangeError(
      `expand: invalid target ${formatShape(shape)} for ${formatShape(x.shape)}: -1 can only keep an existing dimension`,
    );
  const strides = contiguousStrides(x.shape);
  const outStrides = target.map((d, i) => {
    if (i < lead) return 0;
    const own = x.shape[i - lead]!;
    if (own === d) return own === 1 ? 0 : strides[i - lead]!;
    if (own === 1) return 0;
    throw new RangeError(
      `expand: cannot expand ${formatShape(x.shape)} to ${formatShape(shape)}: dimension ${i} is ${own}, which is neither 1 nor ${d}`,
    );
  });
  if (sameShape(target, x.shape)) return x;
  const out = strided(x, 0, outStrides, target);
  return record(out, [x], 'expand', (g) => {
    const dims: number[] = [];
    for (let i = 0; i < target.length; i++)
      if (i < lead || (x.shape[i - lead] === 1 && target[i] !== 1)) dims.push(i);
    return [g.sum(dims, true).reshape(x.shape)];
  });
}

export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const dims =
    dim === undefined
      ? x.shape.map((_, i) => i)
      : (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeDim(d, x.ndim, 'squeeze'));
  return reshape(
    x,
    x.shape.filter((d, i) => !(dims.includes(i) && d === 1)),
  );
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1, 'unsqueeze');
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/**
 * Elements start, start+step, ... < end along `dim` (Python slice semantics: negative indices count from
 * the end, out-of-range bounds are clipped). The gradient scatters back into zeros.
 */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  const d = normalizeDim(dim, x.ndim, 'slice');
  const size = x.shape[d]!;
  if (!Number.isInteger(step) || step <= 0)
    throw new RangeError(`slice: step must be a positive integer, got ${step}`);
  const clip = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = start == null ? 0 : clip(start);
  const e = end == null ? size : clip(end);
  const count = e > s ? Math.ceil((e - s) / step) : 0;
  if (s === 0 && count === size && step === 1) return x;
  const strides = contiguousStrides(x.shape);
  const shape = [...x.shape];
  shape[d] = count;
  const outStrides = [...strides];
  outStrides[d] = strides[d]! * step;
  const out = strided(x, s * strides[d]!, outStrides, shape);
  return record(out, [x], 'slice', (g) => {
    const index = Int32Array.from({ length: count }, (_, i) => s + i * step);
    return [indexAddInto(g, d, index, x.shape)];
  });
}

/** The single index `i` along `dim`, removing that dim (x[:, i] in PyTorch). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim(dim, x.ndim, 'select');
  const size = x.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new RangeError(
      `select: index ${index} is out of range for dimension ${dim} of size ${size} (shape ${formatShape(x.shape)})`,
    );
  }
  const i = index < 0 ? index + size : index;
  return squeeze(slice(x, d, i, i + 1), d);
}

/** Reverses the order along the given dims. */
export function flip(x: Tensor, dims: readonly number[]): Tensor {
  const ds = dims.map((d) => normalizeDim(d, x.ndim, 'flip'));
  const strides = contiguousStrides(x.shape);
  let offset = 0;
  const outStrides = strides.map((s, i) => {
    if (!ds.includes(i)) return s;
    offset += (x.shape[i]! - 1) * s;
    return -s;
  });
  const out = strided(x, offset, outStrides, x.shape);
  return record(out, [x], 'flip', (g) => [g.flip(ds)]);
}

function checkIndex(index: Tensor, size: number, op: string, dim: number): Int32Array {
  if (index.dtype !== 'int32')
    throw new TypeError(`${op}: index must be an int32 tensor, got ${index.dtype}`);
  const data = index._data as Int32Array;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < 0 || v >= size) {
      throw new RangeError(
        `${op}: index ${v} (at position ${i}) is out of range for dimension ${dim} of size ${size}`,
      );
    }
  }
  return data;
}

function aroundDim(shape: readonly number[], d: number): { outer: number; n: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < d; i++) outer *= shape[i]!;
  for (let i = d + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, n: shape[d]!, inner };
}

function indexAddInto(src: Tensor, d: number, index: Int32Array, shape: readonly number[]): Tensor {
  const backend = getBackend();
  const out = backend.allocate(src.dtype, sizeOf(shape));
  const { outer, n, inner } = aroundDim(shape, d);
  backend.indexAdd(src._data, outer, n, inner, index, out);
  return Tensor._fromData(out, [...shape]);
}

/** Rows `index` (a 1-D int tensor) along `dim`; repeated indices accumulate their gradients. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim(dim, x.ndim, 'indexSelect');
  if (index.ndim > 1)
    throw new RangeError(`indexSelect: index must be 1-D, got shape ${formatShape(index.shape)}`);
  const idx = checkIndex(index, x.shape[d]!, 'indexSelect', dim);
  const { outer, n, inner } = aroundDim(x.shape, d);
  const shape = [...x.shape];
  shape[d] = idx.length;
  const backend = getBackend();
  const out = backend.allocate(x.dtype, sizeOf(shape));
  backend.indexSelect(x._data, outer, n, inner, idx, out);
  return record(Tensor._fromData(out, shape), [x], 'indexSelect', (g) => [indexAddInto(g, d, idx, x.shape)]);
}

function checkGatherShapes(op: string, xShape: readonly number[], index: Tensor, d: number): void {
  if (index.ndim !== xShape.length) {
    throw new RangeError(
      `${op}: index ${formatShape(index.shape)} must have as many dims as the tensor ${formatShape(xShape)}`,
    );
  }
  index.shape.forEach((s, i) => {
    if (i !== d && s > xShape[i]!) {
      throw new RangeError(
        `${op}: index ${formatShape(index.shape)} is larger than the tensor ${formatShape(xShape)} in dimension ${i}`,
      );
    }
  });
}

/** torch.gather: out[i][j] = x[i][index[i][j]] for dim 1 (and likewise for any dim). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim(dim, x.ndim, 'gather');
  checkGatherShapes('gather', x.shape, index, d);
  const idx = checkIndex(index, x.shape[d]!, 'gather', dim);
  const backend = getBackend();
  const out = backend.allocate(x.dtype, index.numel);
  backend.gather(x._data, x.shape, d, idx, index.shape, out);
  return record(Tensor._fromData(out, [...index.shape]), [x], 'gather', (g) => {
    const zeros = Tensor._fromData(getBackend().allocate(g.dtype, x.numel), [...x.shape]);
    return [scatterAdd(zeros, d, index, g)];
  });
}

/** A copy of x with src added at the positions `index` names along `dim` (torch.scatter_add). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normalizeDim(dim, x.ndim, 'scatterAdd');
  checkGatherShapes('scatterAdd', x.shape, index, d);
  if (!sameShape(index.shape, src.shape)) {
    throw new RangeError(
      `scatterAdd: index ${formatShape(index.shape)} and src ${formatShape(src.shape)} must have the same shape`,
    );
  }
  const idx = checkIndex(index, x.shape[d]!, 'scatterAdd', dim);
  const out = x.clone();
  const source = src.dtype === x.dtype ? src : src.to(x.dtype);
  getBackend().scatterAdd(source._data, idx, index.shape, d, out._data, x.shape);
  return record(Tensor._fromData(out._data, [...x.shape]), [x, src], 'scatterAdd', (g) => [
    g,
    g.gather(d, index),
  ]);
}

/** Joins tensors along an existing dim; all other dims must match. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('cat: expected a non-empty list of tensors');
  const first = tensors[0]!;
  if (first.ndim === 0)
    throw new RangeError('cat: 0-d tensors cannot be concatenated; use stack or unsqueeze them first');
  const d = normalizeDim(dim, first.ndim, 'cat');
  tensors.forEach((t, k) => {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new RangeError(
        `cat: tensor ${k} has shape ${formatShape(t.shape)}, which does not match tensor 0's ${formatShape(first.shape)} outside dimension ${dim}`,
      );
    }
  });
  const dtype = tensors.map((t) => t.dtype).reduce(promote);
  const shape = [...first.shape];
  shape[d] = tensors.reduce((n, t) => n + t.shape[d]!, 0);
  const { outer, inner } = aroundDim(shape, d);
  const out = getBackend().allocate(dtype, sizeOf(shape));
  let at = 0;
  for (const t of tensors) {
    const src = t.dtype === dtype ? t._data : t.to(dtype)._data;
    const block = t.shape[d]! * inner;
    for (let o = 0; o < outer; o++)
      out.set(src.subarray(o * block, (o + 1) * block), o * shape[d]! * inner + at * inner);
    at += t.shape[d]!;
  }
  const starts: number[] = [];
  let s = 0;
  for (const t of tensors) {
    starts.push(s);
    s += t.shape[d]!;
  }
  return record(Tensor._fromData(out, shape), tensors, 'cat', (g) =>
    tensors.map((t, k) => g.slice(d, starts[k]!, starts[k]! + t.shape[d]!)),
  );
}

/** Joins same-shaped tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('stack: expected a non-empty list of tensors');
  const first = tensors[0]!;
  tensors.forEach((t, k) => {
    if (!sameShape(t.shape, first.shape)) {
      throw new RangeError(
        `stack: tensor ${k} has shape ${formatShape(t.shape)} but tensor 0 has ${formatShape(first.shape)}`,
      );
    }
  });
  const d = normalizeDim(dim, first.ndim + 1, 'stack');
  return cat(
    tensors.map((t) => t.unsqueeze(d)),
    d,
  );
}

/** One-hot encoding of an int tensor of class indices: shape [...x.shape, numClasses]. */
export function oneHot(x: Tensor, numClasses?: number): Tensor {
  if (x.dtype !== 'int32')
    throw new TypeError(`oneHot: expected an int32 tensor of class indices, got ${x.dtype}`);
  const data = x._data as Int32Array;
  // A loop, not Math.max(...data): spreading a large array overflows the call stack.
  const classes = numClasses ?? data.reduce((m, v) => Math.max(m, v + 1), 0);
  const out = new Int32Array(data.length * classes);
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c < 0 || c >= classes)
      throw new RangeError(
        `oneHot: class index ${c} (at position ${i}) is out of range for ${classes} classes`,
      );
    out[i * classes + c] = 1;
  }
  return Tensor._fromData(out, [...x.shape, classes]);
}
