/**
 * The Tensor: an n-dimensional array of float32 (default), float64, int32 or bool values, with
 * reverse-mode autograd. Tensors are immutable from the user's side (except the explicit in-place
 * `*_` methods the optimizers use), always contiguous, and need no manual memory management: their
 * buffers are ordinary typed arrays reclaimed by the garbage collector.
 *
 * The methods here are thin: each op, with its gradient rule beside it, lives in src/tensor/ops.
 */
import { getBackend } from '../backend/backend.js';
// The reference backend registers itself; it is always available as the default and fallback.
import '../backend/js/index.js';
import { record as recordFn, runBackward, type BackwardOptions, type GradFn } from '../autograd/graph.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { dtypeOf, isFloat, type DType, type TypedArray } from './dtype.js';
import { broadcastShapes, formatShape, normalizeDim, sizeOf } from './shape.js';
import * as ew from './ops/elementwise.js';
import * as red from './ops/reduce.js';
import * as mv from './ops/movement.js';
import { matmul } from './ops/matmul.js';
import { formatTensor } from './format.js';
import { toNested, type NestedArray } from './nested.js';

export type TensorLike = ew.TensorLike;

export class Tensor {
  /** @internal The contiguous row-major buffer. */
  _data: TypedArray;
  readonly shape: readonly number[];
  /**
   * @internal The version counter, shared by every tensor viewing the same buffer (reshape, detach):
   * bumped by every in-place op; autograd checks it to refuse stale saved values.
   */
  _versionBox: { value: number } = { value: 0 };
  /** @internal */
  get _version(): number {
    return this._versionBox.value;
  }
  set _version(value: number) {
    this._versionBox.value = value;
  }
  /** @internal */
  _requiresGrad = false;
  /** @internal The op that produced this tensor, null for leaves. */
  _gradFn: GradFn | null = null;
  /** @internal */
  _retainsGrad = false;
  /**
   * @internal An activation that only a Sequential and the autograd graph can reach (see
   * Sequential.forward): its buffer is recycled once backward has consumed the graph.
   */
  _ephemeral = false;
  /** Accumulated dLoss/dThis after `backward()`, for leaves that require grad (and non-leaves after `retainGrad()`). */
  grad: Tensor | null = null;

  /** @internal Use `tensor()`, `zeros()` etc.; this wraps an existing buffer without copying. */
  constructor(data: TypedArray, shape: readonly number[]) {
    if (sizeOf(shape) !== data.length) {
      throw new RangeError(
        `Tensor: shape ${formatShape(shape)} needs ${sizeOf(shape)} elements but the buffer has ${data.length}`,
      );
    }
    this._data = data;
    this.shape = Object.freeze([...shape]);
  }

  /** @internal */
  static _fromData(data: TypedArray, shape: readonly number[]): Tensor {
    return new Tensor(data, shape);
  }

  /** @internal A tensor over the same buffer (and version counter) with another shape. */
  static _view(base: Tensor, shape: readonly number[]): Tensor {
    const view = new Tensor(base._data, shape);
    view._versionBox = base._versionBox;
    return view;
  }

  get dtype(): DType {
    return dtypeOf(this._data);
  }
  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return this._data.length;
  }
  /** The size of one dimension (negative counts from the end), or the whole shape. */
  size(dim?: number): number {
    if (dim === undefined) return this.numel;
    return this.shape[normalizeDim(dim, this.ndim, 'size')]!;
  }

  // ---- autograd ----

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(value: boolean) {
    this.requiresGrad_(value);
  }
  /** Marks a leaf as needing gradients; returns this. */
  requiresGrad_(value = true): this {
    if (this._gradFn && !value) {
      throw new Error(
        'requiresGrad: only leaf tensors can stop requiring grad; use detach() to get a tensor outside the graph',
      );
    }
    if (value && !isFloat(this.dtype)) {
      throw new TypeError(
        `requiresGrad: only floating tensors can require gradients, this one is ${this.dtype}`,
      );
    }
    this._requiresGrad = value;
    return this;
  }
  /** True for tensors made by the user (not by an op that recorded a gradient rule). */
  get isLeaf(): boolean {
    return this._gradFn === null;
  }
  /** The name of the op that made this tensor, or null for a leaf. */
  get gradFn(): string | null {
    return this._gradFn?.name ?? null;
  }
  /** Keeps `.grad` on this non-leaf tensor during backward. */
  retainGrad(): this {
    if (!this.requiresGrad) throw new Error("retainGrad: this tensor doesn't require grad");
    this._retainsGrad = true;
    return this;
  }

  /**
   * Computes the gradient of this tensor with respect to every leaf that requires grad, and adds it
   * to their `.grad`. A non-scalar tensor needs `gradient` (the upstream dL/dThis, same shape).
   */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    if (!this.requiresGrad) {
      throw new Error(
        "backward: this tensor doesn't require grad and has no gradient rule (was it computed under noGrad, or from tensors without requiresGrad?)",
      );
    }
    if (gradient !== undefined && gradient !== null && !(gradient instanceof Tensor)) {
      throw new TypeError(
        `backward: the gradient must be a Tensor, got ${typeof gradient === 'object' ? JSON.stringify(gradient) : typeof gradient}` +
          '; options go second: backward(undefined, {retainGraph: true})',
      );
    }
    let g = gradient;
    if (!g) {
      if (this.numel !== 1) {
        throw new Error(
          `backward: gradient can be created implicitly only for a single-element output, this one has shape ${formatShape(this.shape)}; pass a gradient of that shape`,
        );
      }
      g = Tensor._fromData(getBackend().allocate(this.dtype, 1).fill(1), this.shape);
    } else if (g.shape.length !== this.shape.length || g.shape.some((d, i) => d !== this.shape[i])) {
      throw new RangeError(
        `backward: gradient has shape ${formatShape(g.shape)} but the tensor has shape ${formatShape(this.shape)}`,
      );
    }
    runBackward(this, g, options);
  }

  /** A tensor sharing this buffer but outside the graph. */
  detach(): Tensor {
    return Tensor._view(this, this.shape);
  }

  // ---- conversion ----

  to(dtype: DType): Tensor {
    if (dtype === this.dtype) return this;
    const backend = getBackend();
    const out = backend.allocate(dtype, this.numel);
    backend.cast(this._data, out);
    const result = Tensor._fromData(out, this.shape);
    if (!isFloat(dtype)) return result;
    return recordCast(result, this);
  }
  float(): Tensor {
    return this.to('float32');
  }
  double(): Tensor {
    return this.to('float64');
  }
  int(): Tensor {
    return this.to('int32');
  }
  bool(): Tensor {
    return this.to('bool');
  }
  /** A copy with its own buffer; gradients flow through it. */
  clone(): Tensor {
    const out = Tensor._fromData(this._data.slice(), this.shape);
    return recordCast(out, this, 'clone');
  }
  /** The single value of a one-element tensor. */
  item(): number {
    if (this.numel !== 1)
      throw new RangeError(
        `item: only one-element tensors can be converted to a number, this one has shape ${formatShape(this.shape)}`,
      );
    return this._data[0]!;
  }
  /** The values as nested arrays (numbers; booleans for bool tensors). */
  toArray(): NestedArray {
    return toNested(this._data, this.shape, this.dtype === 'bool');
  }
  /** A copy of the values as a flat typed array. */
  toTypedArray(): TypedArray {
    return this._data.slice();
  }
  toString(): string {
    return formatTensor(this);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---- in-place updates (optimizers, initialisers): never recorded ----

  private checkInPlace(op: string): void {
    if (isGradEnabled() && this.requiresGrad && this.isLeaf) {
      throw new Error(
        `${op}: a leaf tensor that requires grad cannot be changed in place while gradients are recorded; wrap the update in noGrad()`,
      );
    }
    // In-place ops are not recorded, so changing a non-leaf would silently leave its gradient rule stale.
    if (isGradEnabled() && this.requiresGrad) {
      throw new Error(
        `${op}: in-place ops are not recorded by autograd, so a tensor computed from inputs that require grad cannot be changed in place; use the out-of-place op (e.g. mul instead of mul_)`,
      );
    }
  }
  private assign(op: string, value: Tensor): this {
    this.checkInPlace(op);
    if (value.numel !== this.numel) {
      throw new RangeError(
        `${op}: result of shape ${formatShape(value.shape)} does not fit this tensor's shape ${formatShape(this.shape)}`,
      );
    }
    getBackend().cast(value._data, this._data);
    this._version++;
    return this;
  }
  /** this = this op other, written straight into this buffer (no temporary): the optimizers' hot path. */
  private updateInPlace(op: 'add' | 'sub' | 'mul' | 'div', name: string, other: TensorLike): this {
    this.checkInPlace(name);
    let b = ew.asTensor(other, this);
    if (b.dtype !== this.dtype) b = b.to(this.dtype);
    const shape = broadcastShapes(name, this.shape, b.shape);
    if (shape.length !== this.ndim || shape.some((d, i) => d !== this.shape[i])) {
      throw new RangeError(
        `${name}: result of shape ${formatShape(shape)} does not fit this tensor's shape ${formatShape(this.shape)}`,
      );
    }
    if (!isFloat(this.dtype) && op === 'div') return this.assign(name, ew.div(this.detach(), b));
    getBackend().binary(op, this._data, this.shape, b._data, b.shape, this._data, this.shape);
    this._version++;
    return this;
  }
  /** this += other·alpha */
  add_(other: TensorLike, alpha = 1): this {
    return this.updateInPlace('add', 'add_', alpha === 1 ? other : scaled(other, alpha, this));
  }
  /** this −= other·alpha */
  sub_(other: TensorLike, alpha = 1): this {
    return this.updateInPlace('sub', 'sub_', alpha === 1 ? other : scaled(other, alpha, this));
  }
  mul_(other: TensorLike): this {
    return this.updateInPlace('mul', 'mul_', other);
  }
  div_(other: TensorLike): this {
    return this.updateInPlace('div', 'div_', other);
  }
  copy_(source: Tensor): this {
    const src =
      source.shape.length === this.shape.length && source.numel === this.numel
        ? source
        : source.expand(this.shape);
    return this.assign('copy_', src.detach());
  }
  fill_(value: number): this {
    this.checkInPlace('fill_');
    this._data.fill(this.dtype === 'bool' && value !== 0 ? 1 : value); // bool holds 0/1 only
    this._version++;
    return this;
  }
  zero_(): this {
    return this.fill_(0);
  }

  // ---- elementwise ----

  add(other: TensorLike): Tensor {
    return ew.add(this, other);
  }
  sub(other: TensorLike): Tensor {
    return ew.sub(this, other);
  }
  mul(other: TensorLike): Tensor {
    return ew.mul(this, other);
  }
  div(other: TensorLike): Tensor {
    return ew.div(this, other);
  }
  pow(exponent: TensorLike): Tensor {
    return ew.pow(this, exponent);
  }
  neg(): Tensor {
    return ew.neg(this);
  }
  exp(): Tensor {
    return ew.exp(this);
  }
  log(): Tensor {
    return ew.log(this);
  }
  log1p(): Tensor {
    return ew.log1p(this);
  }
  sqrt(): Tensor {
    return ew.sqrt(this);
  }
  rsqrt(): Tensor {
    return ew.sqrt(this).reciprocal();
  }
  square(): Tensor {
    return ew.mul(this, this);
  }
  abs(): Tensor {
    return ew.abs(this);
  }
  sign(): Tensor {
    return ew.sign(this);
  }
  sin(): Tensor {
    return ew.sin(this);
  }
  cos(): Tensor {
    return ew.cos(this);
  }
  tanh(): Tensor {
    return ew.tanh(this);
  }
  sigmoid(): Tensor {
    return ew.sigmoid(this);
  }
  relu(): Tensor {
    return ew.relu(this);
  }
  erf(): Tensor {
    return ew.erf(this);
  }
  reciprocal(): Tensor {
    return ew.reciprocal(this);
  }
  floor(): Tensor {
    return ew.floor(this);
  }
  ceil(): Tensor {
    return ew.ceil(this);
  }
  round(): Tensor {
    return ew.round(this);
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return ew.clamp(this, min, max);
  }
  maximum(other: TensorLike): Tensor {
    return ew.maximum(this, other);
  }
  minimum(other: TensorLike): Tensor {
    return ew.minimum(this, other);
  }
  eq(other: TensorLike): Tensor {
    return ew.eq(this, other);
  }
  ne(other: TensorLike): Tensor {
    return ew.ne(this, other);
  }
  lt(other: TensorLike): Tensor {
    return ew.lt(this, other);
  }
  le(other: TensorLike): Tensor {
    return ew.le(this, other);
  }
  gt(other: TensorLike): Tensor {
    return ew.gt(this, other);
  }
  ge(other: TensorLike): Tensor {
    return ew.ge(this, other);
  }
  logicalNot(): Tensor {
    return ew.logicalNot(this);
  }
  logicalAnd(other: TensorLike): Tensor {
    return ew.logicalAnd(this, other);
  }
  logicalOr(other: TensorLike): Tensor {
    return ew.logicalOr(this, other);
  }
  /** This where `condition` holds, `other` elsewhere (PyTorch's `x.where(cond, y)`). */
  where(condition: Tensor, other: TensorLike): Tensor {
    return ew.where(condition, this, other);
  }
  isNaN(): Tensor {
    return this.ne(this);
  }
  isFinite(): Tensor {
    return this.abs().lt(Infinity);
  }

  // ---- reductions ----

  sum(dim?: red.Dims, keepdim = false): Tensor {
    return red.sum(this, dim, keepdim);
  }
  mean(dim?: red.Dims, keepdim = false): Tensor {
    return red.mean(this, dim, keepdim);
  }
  /** max over everything (ties share the gradient), or along `dim` with the indices. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): red.ValuesAndIndices;
  max(dim?: number, keepdim = false): Tensor | red.ValuesAndIndices {
    return dim === undefined ? red.amax(this) : red.extremumAlong('max', this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): red.ValuesAndIndices;
  min(dim?: number, keepdim = false): Tensor | red.ValuesAndIndices {
    return dim === undefined ? red.amin(this) : red.extremumAlong('min', this, dim, keepdim);
  }
  amax(dim?: red.Dims, keepdim = false): Tensor {
    return red.amax(this, dim, keepdim);
  }
  amin(dim?: red.Dims, keepdim = false): Tensor {
    return red.amin(this, dim, keepdim);
  }
  /** Index of the largest value along `dim` (over the flattened tensor when omitted). */
  argmax(dim?: number, keepdim = false): Tensor {
    return red.argExtremum('max', this, dim, keepdim);
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return red.argExtremum('min', this, dim, keepdim);
  }
  var(dim?: red.Dims, options?: red.VarianceOptions): Tensor {
    return red.variance(this, dim, options);
  }
  std(dim?: red.Dims, options?: red.VarianceOptions): Tensor {
    return red.std(this, dim, options);
  }
  logsumexp(dim: red.Dims, keepdim = false): Tensor {
    return red.logsumexp(this, dim, keepdim);
  }
  norm(p: number | 'fro' = 2, dim?: red.Dims, keepdim = false): Tensor {
    return red.norm(this, p, dim, keepdim);
  }
  /** exp(x)/Σexp(x) along dim, shifted by the max so that it never overflows. */
  softmax(dim: number): Tensor {
    const e = this.sub(this.detach().amax(dim, true)).exp();
    return e.div(e.sum(dim, true));
  }
  logSoftmax(dim: number): Tensor {
    return this.sub(this.logsumexp(dim, true));
  }

  // ---- linear algebra ----

  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }
  /** Transpose of a 2-D tensor (a 1-D tensor is returned as is). */
  t(): Tensor {
    if (this.ndim > 2)
      throw new RangeError(
        `t: expects a tensor with at most 2 dimensions, got ${formatShape(this.shape)}; use transpose(d0, d1)`,
      );
    return this.ndim < 2 ? this : mv.transpose(this, 0, 1);
  }

  // ---- movement ----

  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return mv.reshape(this, flattenArgs(shape));
  }
  view(...shape: number[] | [readonly number[]]): Tensor {
    return mv.reshape(this, flattenArgs(shape));
  }
  /** Merges dims startDim..endDim into one. */
  flatten(startDim = 0, endDim = -1): Tensor {
    if (this.ndim === 0) return this.reshape([1]);
    const s = normalizeDim(startDim, this.ndim, 'flatten');
    const e = normalizeDim(endDim, this.ndim, 'flatten');
    if (s > e) throw new RangeError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
    const shape = [
      ...this.shape.slice(0, s),
      this.shape.slice(s, e + 1).reduce((a, b) => a * b, 1),
      ...this.shape.slice(e + 1),
    ];
    return this.reshape(shape);
  }
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return mv.permute(this, flattenArgs(dims));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return mv.transpose(this, dim0, dim1);
  }
  squeeze(dim?: number | readonly number[]): Tensor {
    return mv.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return mv.unsqueeze(this, dim);
  }
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return mv.expand(this, flattenArgs(shape));
  }
  expandAs(other: Tensor): Tensor {
    return mv.expand(this, other.shape);
  }
  /** Python-style slice start:end:step along dim. */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return mv.slice(this, dim, start, end, step);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    // A negative start counts from the end (slice(-2, 0) would be empty); the range must fit, as in PyTorch.
    const size = this.shape[normalizeDim(dim, this.ndim, 'narrow')]!;
    const s = start < 0 ? start + size : start;
    if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size)
      throw new RangeError(
        `narrow: start ${start} and length ${length} do not fit in dimension ${dim} of size ${size}`,
      );
    return mv.slice(this, dim, s, s + length);
  }
  select(dim: number, index: number): Tensor {
    return mv.select(this, dim, index);
  }
  /**
   * NumPy-style indexing, one spec per leading dim: a number selects (and removes the dim), a string
   * slice such as '1:3', ':', '::2' or '-2:' slices, null keeps the dim whole.
   * `x.index(0, '1:3')` is PyTorch's `x[0, 1:3]`.
   */
  index(...specs: (number | string | null)[]): Tensor {
    if (specs.length > this.ndim)
      throw new RangeError(`index: ${specs.length} indices for a tensor with ${this.ndim} dimensions`);
    let out = this as Tensor;
    let dim = 0;
    for (const spec of specs) {
      if (spec === null) dim++;
      else if (typeof spec === 'number') out = out.select(dim, spec);
      else {
        const parts = spec.split(':');
        if (parts.length < 2 || parts.length > 3)
          throw new RangeError(`index: '${spec}' is not a slice like '1:3' or '::2'`);
        const num = (s: string | undefined) => {
          if (s === undefined || s.trim() === '') return null;
          const v = Number(s);
          if (!Number.isInteger(v)) throw new RangeError(`index: '${s}' in '${spec}' is not an integer`);
          return v;
        };
        out = out.slice(dim, num(parts[0]), num(parts[1]), num(parts[2]) ?? 1);
        dim++;
      }
    }
    return out;
  }
  flip(...dims: number[] | [readonly number[]]): Tensor {
    return mv.flip(this, flattenArgs(dims));
  }
  gather(dim: number, index: Tensor): Tensor {
    return mv.gather(this, dim, index);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return mv.scatterAdd(this, dim, index, src);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return mv.indexSelect(this, dim, index);
  }
  oneHot(numClasses?: number): Tensor {
    return mv.oneHot(this, numClasses);
  }
}

function scaled(other: TensorLike, alpha: number, like: Tensor): TensorLike {
  return typeof other === 'number' ? other * alpha : ew.mul(ew.asTensor(other, like).detach(), alpha);
}

function flattenArgs(args: number[] | [readonly number[]]): number[] {
  return args.length === 1 && Array.isArray(args[0])
    ? [...(args[0] as readonly number[])]
    : (args as number[]);
}

/** Records an identity-like op (cast, clone) whose gradient is the upstream gradient. */
function recordCast(out: Tensor, input: Tensor, name = 'to'): Tensor {
  return recordFn(out, [input], name, (g) => [g]);
}
