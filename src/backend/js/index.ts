/**
 * The reference backend: plain TypeScript loops over typed arrays. It is the definition of what every
 * primitive computes, the fallback where WebAssembly is missing, and the backend the golden tests were
 * first made to pass on. Loops are written for clarity first; the hot ones (matmul, same-shape
 * elementwise) avoid per-element index arithmetic.
 */
import type { AdamSpec, Backend, BinaryOp, MatmulSpec, ReduceOp, UnaryOp } from '../backend.js';
import { registerBackend } from '../backend.js';
import { type DType, type TypedArray } from '../../tensor/dtype.js';
import { pooledAllocate } from '../pool.js';
import { broadcastStrides } from '../../tensor/shape.js';
import { erf } from './special.js';
import * as conv from './conv.js';

type Arr = TypedArray;

function unary(op: UnaryOp, x: Arr, out: Arr): void {
  const n = x.length;
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = -x[i]!; break;
    case 'exp': for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!); break;
    case 'log': for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!); break;
    case 'log1p': for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]!); break;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!); break;
    case 'abs': for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!); break;
    case 'sign': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v > 0 ? 1 : v < 0 ? -1 : v; } break;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!); break;
    case 'sigmoid':
      // Written so that neither branch overflows: for v < 0 use e^v / (1 + e^v).
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else { const e = Math.exp(v); out[i] = e / (1 + e); }
      }
      break;
    // NaN propagates, as in PyTorch.
    case 'relu': for (let i = 0; i < n; i++) { const v = x[i]!; out[i] = v > 0 || v !== v ? v : 0; } break;
    case 'erf': for (let i = 0; i < n; i++) out[i] = erf(x[i]!); break;
    case 'sin': for (let i = 0; i < n; i++) out[i] = Math.sin(x[i]!); break;
    case 'cos': for (let i = 0; i < n; i++) out[i] = Math.cos(x[i]!); break;
    case 'floor': for (let i = 0; i < n; i++) out[i] = Math.floor(x[i]!); break;
    case 'ceil': for (let i = 0; i < n; i++) out[i] = Math.ceil(x[i]!); break;
    // PyTorch rounds half to even.
    case 'round': for (let i = 0; i < n; i++) out[i] = roundHalfEven(x[i]!); break;
    case 'reciprocal': for (let i = 0; i < n; i++) out[i] = 1 / x[i]!; break;
    // Non-zero (NaN included) is true, as in PyTorch; JS truthiness would make NaN false.
    case 'not': for (let i = 0; i < n; i++) out[i] = x[i] === 0 ? 1 : 0; break;
    default: throw new Error(`js backend: unknown unary op '${op as string}'`);
  }
} // prettier-ignore

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The loop over a broadcast result: dims are coalesced where every operand is contiguous across them,
 * so the innermost run is as long as possible; `inner` is called once per run with each operand's
 * starting offset and stride within the run (0 or the operand's stride).
 */
function forEachRun(
  outShape: readonly number[],
  operandStrides: number[][],
  inner: (offsets: number[], runStrides: number[], outOffset: number, length: number) => void,
): void {
  // Coalesce dimensions.
  const shape: number[] = [];
  const strides: number[][] = operandStrides.map(() => []);
  for (let d = 0; d < outShape.length; d++) {
    const size = outShape[d]!;
    if (size === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && operandStrides.every((s, k) => strides[k]![last] === s[d]! * size)) {
      shape[last]! *= size;
      operandStrides.forEach((s, k) => (strides[k]![last] = s[d]!));
    } else {
      shape.push(size);
      operandStrides.forEach((s, k) => strides[k]!.push(s[d]!));
    }
  }
  const total = outShape.reduce((a, b) => a * b, 1);
  if (total === 0) return;
  if (shape.length === 0) {
    inner(
      operandStrides.map(() => 0),
      operandStrides.map(() => 0),
      0,
      1,
    );
    return;
  }
  const nd = shape.length;
  const runLength = shape[nd - 1]!;
  const runStrides = strides.map((s) => s[nd - 1]!);
  const counter = new Array<number>(nd - 1).fill(0);
  const offsets = operandStrides.map(() => 0);
  const runs = total / runLength;
  for (let r = 0; r < runs; r++) {
    inner(offsets, runStrides, r * runLength, runLength);
    // Advance the odometer over the outer dims.
    for (let d = nd - 2; d >= 0; d--) {
      counter[d]!++;
      for (let k = 0; k < offsets.length; k++) offsets[k]! += strides[k]![d]!;
      if (counter[d]! < shape[d]!) break;
      for (let k = 0; k < offsets.length; k++) offsets[k]! -= strides[k]![d]! * shape[d]!;
      counter[d] = 0;
    }
  }
}

type BinaryRun = (
  a: Arr,
  ao: number,
  as: number,
  b: Arr,
  bo: number,
  bs: number,
  out: Arr,
  oo: number,
  n: number,
) => void;

const BINARY_RUNS: Record<BinaryOp, BinaryRun> = {
  add: (a, ao, as, b, bo, bs, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as]! + b[bo + i * bs]!; },
  sub: (a, ao, as, b, bo, bs, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as]! - b[bo + i * bs]!; },
  mul: (a, ao, as, b, bo, bs, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as]! * b[bo + i * bs]!; },
  div: (a, ao, as, b, bo, bs, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as]! / b[bo + i * bs]!; },
  pow: (a, ao, as, b, bo, bs, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = Math.pow(a[ao + i * as]!, b[bo + i * bs]!); },
  // NaN propagates through maximum/minimum, as in PyTorch.
  maximum: (a, ao, as, b, bo, bs, o, oo, n) => { for (let i = 0; i < n; i++) { const x = a[ao + i * as]!, y = b[bo + i * bs]!; o[oo + i] = x > y || x !== x ? x : y; } },
  minimum: (a, ao, as, b, bo, bs, o, oo, n) => { for (let i = 0; i < n; i++) { const x = a[ao + i * as]!, y = b[bo + i * bs]!; o[oo + i] = x < y || x !== x ? x : y; } },
  eq: (a, ao, as, b, bo, bs, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as]! === b[bo + i * bs]! ? 1 : 0; },
  ne: (a, ao, as, b, bo, bs, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as]! !== b[bo + i * bs]! ? 1 : 0; },
  lt: (a, ao, as, b, bo, bs, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as]! < b[bo + i * bs]! ? 1 : 0; },
  le: (a, ao, as, b, bo, bs, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as]! <= b[bo + i * bs]! ? 1 : 0; },
  gt: (a, ao, as, b, bo, bs, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as]! > b[bo + i * bs]! ? 1 : 0; },
  ge: (a, ao, as, b, bo, bs, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as]! >= b[bo + i * bs]! ? 1 : 0; },
}; // prettier-ignore

type SameRun = (a: Arr, b: Arr, out: Arr) => void;
type ScalarRun = (a: Arr, s: number, out: Arr) => void;

const ARITHMETIC: Partial<Record<BinaryOp, { same: SameRun; scalar: ScalarRun }>> = {
  add: {
    same: (a, b, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i]! + b[i]!; },
    scalar: (a, s, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i]! + s; },
  },
  sub: {
    same: (a, b, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i]! - b[i]!; },
    scalar: (a, s, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i]! - s; },
  },
  mul: {
    same: (a, b, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i]! * b[i]!; },
    scalar: (a, s, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i]! * s; },
  },
  div: {
    same: (a, b, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i]! / b[i]!; },
    scalar: (a, s, o) => { for (let i = 0; i < o.length; i++) o[i] = a[i]! / s; },
  },
}; // prettier-ignore

function binary(
  op: BinaryOp,
  a: Arr,
  aShape: readonly number[],
  b: Arr,
  bShape: readonly number[],
  out: Arr,
  outShape: readonly number[],
): void {
  const run = BINARY_RUNS[op];
  if (!run) throw new Error(`js backend: unknown binary op '${op as string}'`);
  // Fast paths for the two common cases (the optimizers' and activations' hot loops): same shape, and
  // a single-element right operand. Both skip the stride arithmetic of the general loop.
  const arith = ARITHMETIC[op];
  if (arith && a.length === out.length && b.length === out.length) {
    arith.same(a, b, out);
    return;
  }
  if (arith && a.length === out.length && b.length === 1) {
    arith.scalar(a, b[0]!, out);
    return;
  }
  if (a.length === out.length && b.length === out.length) {
    run(a, 0, 1, b, 0, 1, out, 0, out.length);
    return;
  }
  const strides = [broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)];
  forEachRun(outShape, strides, (off, rs, oo, n) => run(a, off[0]!, rs[0]!, b, off[1]!, rs[1]!, out, oo, n));
}

function where(
  c: Arr,
  cShape: readonly number[],
  a: Arr,
  aShape: readonly number[],
  b: Arr,
  bShape: readonly number[],
  out: Arr,
  outShape: readonly number[],
): void {
  const strides = [
    broadcastStrides(cShape, outShape),
    broadcastStrides(aShape, outShape),
    broadcastStrides(bShape, outShape),
  ];
  forEachRun(outShape, strides, (off, rs, oo, n) => {
    const [co, ao, bo] = off as [number, number, number];
    const [cs, as, bs] = rs as [number, number, number];
    for (let i = 0; i < n; i++) out[oo + i] = c[co + i * cs] ? a[ao + i * as]! : b[bo + i * bs]!;
  });
}

function reduce(op: ReduceOp, x: Arr, outer: number, reduced: number, inner: number, out: Arr): void {
  const init = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity;
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(init);
    const base = o * reduced * inner;
    for (let r = 0; r < reduced; r++) {
      const row = base + r * inner;
      switch (op) {
        case 'sum': for (let i = 0; i < inner; i++) acc[i]! += x[row + i]!; break;
        case 'prod': for (let i = 0; i < inner; i++) acc[i]! *= x[row + i]!; break;
        case 'max': for (let i = 0; i < inner; i++) { const v = x[row + i]!; if (v > acc[i]! || v !== v) acc[i] = v; } break;
        case 'min': for (let i = 0; i < inner; i++) { const v = x[row + i]!; if (v < acc[i]! || v !== v) acc[i] = v; } break;
      }
    }
    out.set(acc, o * inner);
  }
} // prettier-ignore

function argReduce(op: 'max' | 'min', x: Arr, outer: number, reduced: number, inner: number, values: Arr, indices: Int32Array): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * reduced * inner + i;
      let best = x[base]!;
      let bestIndex = 0;
      if (best === best) {
        for (let r = 1; r < reduced; r++) {
          const v = x[base + r * inner]!;
          if (v !== v) { best = v; bestIndex = r; break; } // NaN wins, as in PyTorch
          if (op === 'max' ? v > best : v < best) { best = v; bestIndex = r; }
        }
      }
      values[o * inner + i] = best;
      indices[o * inner + i] = bestIndex;
    }
  }
} // prettier-ignore

/**
 * Packs op(A) as float64 rows [m, k] and op(B)ᵀ as float64 rows [n, k], so that every transpose variant
 * runs the same kernel: dot products of contiguous rows, 4 rows of A by 2 rows of Bᵀ at a time (eight
 * accumulators held in registers). Packing costs O(mk + kn) against the O(mkn) product, makes the inner
 * loop monomorphic (always Float64Array), and accumulates in float64.
 */
function matmul(a: Arr, b: Arr, out: Arr, spec: MatmulSpec): void {
  const { batch, m, k, n, transA, transB, strideA, strideB } = spec;
  const pa = new Float64Array(m * k);
  const pb = new Float64Array(n * k);
  let packedA = -1;
  let packedB = -1;
  for (let p = 0; p < batch; p++) {
    const ao = p * strideA;
    const bo = p * strideB;
    if (ao !== packedA) {
      packRows(a, ao, m, k, transA, pa);
      packedA = ao;
    }
    if (bo !== packedB) {
      packRows(b, bo, n, k, !transB, pb);
      packedB = bo;
    }
    dotKernel(pa, pb, out, p * m * n, m, k, n);
  }
}

/** Writes `rows` rows of length k: either a contiguous [rows, k] block or the transpose of a [k, rows] block. */
function packRows(
  src: Arr,
  offset: number,
  rows: number,
  k: number,
  transposed: boolean,
  dst: Float64Array,
): void {
  if (!transposed) {
    for (let t = 0; t < rows * k; t++) dst[t] = src[offset + t]!;
    return;
  }
  for (let kk = 0; kk < k; kk++) {
    const from = offset + kk * rows;
    for (let r = 0; r < rows; r++) dst[r * k + kk] = src[from + r]!;
  }
}

function dotKernel(a: Float64Array, b: Float64Array, out: Arr, oo: number, m: number, k: number, n: number): void {
  const m4 = m - (m % 4);
  const n2 = n - (n % 2);
  for (let i = 0; i < m4; i += 4) {
    const r0 = i * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
    for (let j = 0; j < n2; j += 2) {
      const c0 = j * k, c1 = c0 + k;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      for (let kk = 0; kk < k; kk++) {
        const x0 = b[c0 + kk]!, x1 = b[c1 + kk]!;
        const y0 = a[r0 + kk]!, y1 = a[r1 + kk]!, y2 = a[r2 + kk]!, y3 = a[r3 + kk]!;
        s00 += y0 * x0; s01 += y0 * x1;
        s10 += y1 * x0; s11 += y1 * x1;
        s20 += y2 * x0; s21 += y2 * x1;
        s30 += y3 * x0; s31 += y3 * x1;
      }
      const o = oo + i * n + j;
      out[o] = s00; out[o + 1] = s01;
      out[o + n] = s10; out[o + n + 1] = s11;
      out[o + 2 * n] = s20; out[o + 2 * n + 1] = s21;
      out[o + 3 * n] = s30; out[o + 3 * n + 1] = s31;
    }
    for (let j = n2; j < n; j++) for (let r = i; r < i + 4; r++) out[oo + r * n + j] = dot(a, r * k, b, j * k, k);
  }
  for (let i = m4; i < m; i++) for (let j = 0; j < n; j++) out[oo + i * n + j] = dot(a, i * k, b, j * k, k);
} // prettier-ignore

function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, k: number): number {
  let s = 0;
  for (let kk = 0; kk < k; kk++) s += a[ao + kk]! * b[bo + kk]!;
  return s;
}

function copyStrided(
  x: Arr,
  offset: number,
  strides: readonly number[],
  shape: readonly number[],
  out: Arr,
): void {
  forEachRun(shape, [strides as number[]], (off, rs, oo, n) => {
    const s = rs[0]!;
    const o = offset + off[0]!;
    if (s === 1) {
      for (let i = 0; i < n; i++) out[oo + i] = x[o + i]!;
    } else {
      for (let i = 0; i < n; i++) out[oo + i] = x[o + i * s]!;
    }
  });
}

function indexSelect(x: Arr, outer: number, n: number, inner: number, index: Int32Array, out: Arr): void {
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * n + index[j]!) * inner;
      const dst = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = x[src + i]!;
    }
  }
}

function indexAdd(src: Arr, outer: number, n: number, inner: number, index: Int32Array, out: Arr): void {
  const m = index.length;
  if (inner === 1) {
    // One element per index (max pooling's gradient): a plain scatter, without the inner loop.
    for (let o = 0; o < outer; o++) {
      const dst = o * n;
      const from = o * m;
      for (let j = 0; j < m; j++) out[dst + index[j]!]! += src[from + j]!;
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const dst = (o * n + index[j]!) * inner;
      const from = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i]! += src[from + i]!;
    }
  }
}

/** Visits every position of indexShape with the matching offset into an array of `otherShape` and the index's flat position. */
function forEachGatherPosition(
  indexShape: readonly number[],
  otherShape: readonly number[],
  axis: number,
  index: Int32Array,
  visit: (flat: number, otherOffset: number) => void,
): void {
  const nd = indexShape.length;
  const otherStrides = new Array<number>(nd);
  let s = 1;
  for (let d = nd - 1; d >= 0; d--) {
    otherStrides[d] = s;
    s *= otherShape[d]!;
  }
  const counter = new Array<number>(nd).fill(0);
  const total = index.length;
  for (let flat = 0; flat < total; flat++) {
    let off = 0;
    for (let d = 0; d < nd; d++) off += (d === axis ? index[flat]! : counter[d]!) * otherStrides[d]!;
    visit(flat, off);
    for (let d = nd - 1; d >= 0; d--) {
      if (++counter[d]! < indexShape[d]!) break;
      counter[d] = 0;
    }
  }
}

function gather(
  x: Arr,
  xShape: readonly number[],
  axis: number,
  index: Int32Array,
  indexShape: readonly number[],
  out: Arr,
): void {
  forEachGatherPosition(indexShape, xShape, axis, index, (flat, off) => (out[flat] = x[off]!));
}

function scatterAdd(
  src: Arr,
  index: Int32Array,
  indexShape: readonly number[],
  axis: number,
  out: Arr,
  outShape: readonly number[],
): void {
  forEachGatherPosition(indexShape, outShape, axis, index, (flat, off) => (out[off]! += src[flat]!));
}

function reluGrad(g: Arr, x: Arr, out: Arr): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i]! > 0 ? g[i]! : g[i]! * 0;
}

/** The scalars of Adam at one step, as adam() rounds them: β₁, 1 − β₁, β₂, 1 − β₂, ε, √(1 − β₂ᵗ), 1 − β₁ᵗ. */
export function adamScalars(spec: AdamSpec): number[] {
  const { beta1, beta2, eps, step } = spec;
  return [beta1, 1 - beta1, beta2, 1 - beta2, eps, Math.sqrt(1 - beta2 ** step), 1 - beta1 ** step];
}

function adam(g: Arr, m: Arr, v: Arr, spec: AdamSpec, mOut: Arr, vOut: Arr, u: Arr): void {
  // float32 buffers: every intermediate rounded, as storing each op's result in a buffer would.
  const r = u instanceof Float32Array ? Math.fround : (x: number) => x;
  const [b1, a1, b2, a2, eps, c2, c1] = adamScalars(spec).map(r) as [number, number, number, number, number, number, number];
  for (let i = 0; i < u.length; i++) {
    const gi = g[i]!;
    const mi = r(r(m[i]! * b1) + r(gi * a1));
    const vi = r(r(v[i]! * b2) + r(r(gi * gi) * a2));
    mOut[i] = mi;
    vOut[i] = vi;
    u[i] = r(r(mi / r(r(r(Math.sqrt(vi)) / c2) + eps)) / c1);
  }
} // prettier-ignore

function cast(x: Arr, out: Arr): void {
  if (out instanceof Int32Array && !(x instanceof Int32Array || x instanceof Uint8Array)) {
    for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]!);
  } else if (out instanceof Uint8Array) {
    for (let i = 0; i < x.length; i++) out[i] = x[i] !== 0 ? 1 : 0; // NaN is true, as in PyTorch
  } else {
    out.set(x);
  }
}

export function createJsBackend(): Backend {
  return {
    name: 'js',
    // Zero-filled, recycled from autograd's dead gradients when one of this size is free (../pool.ts).
    allocate: (dtype: DType, size: number) => pooledAllocate(dtype, size),
    allocateUninitialised: (dtype: DType, size: number) => pooledAllocate(dtype, size, false),
    unary,
    binary,
    reluGrad,
    adam,
    where,
    reduce,
    argReduce,
    matmul,
    copyStrided,
    indexSelect,
    indexAdd,
    gather,
    scatterAdd,
    cast,
    im2col: conv.im2col,
    col2im: conv.col2im,
    conv2d: (x, w, bias, spec, groups, out) => conv.conv2d(matmul, x, w, bias, spec, groups, out),
    conv2dInputGrad: (dy, w, spec, groups, out) => conv.conv2dInputGrad(matmul, dy, w, spec, groups, out),
    conv2dWeightGrad: (x, dy, spec, groups, out) =>
      conv.conv2dWeightGrad(matmul, reduce, x, dy, spec, groups, out),
    maxPool2d: conv.maxPool2d,
  };
}

registerBackend('js', createJsBackend);
