/**
 * The backend spec: every primitive of the Backend interface, called directly on typed arrays and
 * compared with naive reference loops written here, in float32 and float64. A new backend (WebAssembly
 * SIMD, WebGPU) passes this file before anything else runs on it:
 *
 *   describeBackendSpec('wasm', () => createWasmBackend());
 *
 * The spec wraps the backend so that it records which primitives it called, and its last test fails
 * if a primitive of the interface was never exercised.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  BINARY_OPS,
  REDUCE_OPS,
  UNARY_OPS,
  type Backend,
  type BinaryOp,
  type Im2colSpec,
  type MatmulSpec,
  type ReduceOp,
  type UnaryOp,
} from '../../src/backend/backend.js';
import type { DType, TypedArray } from '../../src/tensor/dtype.js';

/** Every member of the Backend interface; the type check below fails when the interface grows. */
export const BACKEND_PRIMITIVES = [
  'name',
  'allocate',
  'allocateUninitialised',
  'unary',
  'binary',
  'reluGrad',
  'adam',
  'where',
  'reduce',
  'argReduce',
  'matmul',
  'copyStrided',
  'indexSelect',
  'indexAdd',
  'gather',
  'scatterAdd',
  'cast',
  'im2col',
  'col2im',
  'conv2d',
  'conv2dInputGrad',
  'conv2dWeightGrad',
  'maxPool2d',
] as const satisfies readonly (keyof Backend)[];

type Unlisted = Exclude<keyof Backend, (typeof BACKEND_PRIMITIVES)[number]>;
// A compile error here means a Backend member is missing from BACKEND_PRIMITIVES (and from this spec).
const _everyMemberListed: [Unlisted] extends [never] ? true : Unlisted = true;
void _everyMemberListed;

type FloatDType = 'float32' | 'float64';
const FLOAT_DTYPES: readonly FloatDType[] = ['float32', 'float64'];

// ---- small helpers: a seeded source of test data, shapes, comparison ----

/** mulberry32: deterministic test data independent of the library's own generator. */
function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function typed(dtype: DType, values: ArrayLike<number>): TypedArray {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int32':
      return Int32Array.from(values);
    case 'bool':
      return Uint8Array.from(values);
  }
}

function randomArray(dtype: DType, n: number, rng: () => number, low = -2, high = 2): TypedArray {
  const values = Array.from({ length: n }, () => low + (high - low) * rng());
  if (dtype === 'int32') return typed(dtype, values.map(Math.round));
  if (dtype === 'bool')
    return typed(
      dtype,
      values.map((v) => (v > 0 ? 1 : 0)),
    );
  return typed(dtype, values);
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function contiguous(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** The multi-index of flat position `flat` in a row-major array of `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

/** The flat position in an array of `shape` that broadcasting reads for output multi-index `outIdx`. */
function broadcastRead(outIdx: readonly number[], shape: readonly number[]): number {
  const lead = outIdx.length - shape.length;
  const strides = contiguous(shape);
  let off = 0;
  for (let d = 0; d < shape.length; d++) off += (shape[d] === 1 ? 0 : outIdx[lead + d]!) * strides[d]!;
  return off;
}

function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const nd = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: nd }, (_, i) => {
    let out = 1;
    for (const s of shapes) {
      const d = s[s.length - nd + i] ?? 1;
      if (d !== 1) out = d;
    }
    return out;
  });
}

const f32 = (v: number) => Math.fround(v);
/** What a kernel writing into `dtype` should store for the exact value v. */
function stored(dtype: DType, v: number): number {
  if (dtype === 'float32') return f32(v);
  if (dtype === 'int32') return v | 0;
  if (dtype === 'bool') return v ? 1 : 0;
  return v;
}

interface Tol {
  rtol: number;
  atol: number;
}
const EXACT: Tol = { rtol: 0, atol: 0 };

/** Elementwise |a − e| ≤ atol + rtol·|e|, NaN matching NaN and infinities matching exactly. */
function assertArrayClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tol, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${what}: element ${i} is ${a}, expected NaN`);
      continue;
    }
    if (!Number.isFinite(e)) {
      assert.equal(a, e, `${what}: element ${i} is ${a}, expected ${e}`);
      continue;
    }
    assert.ok(
      Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e),
      `${what}: element ${i} is ${a}, expected ${e} (rtol ${tol.rtol}, atol ${tol.atol})`,
    );
  }
}

// ---- references ----

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** erf by composite Simpson quadrature of 2/√π·e^(−t²) over [0, x]: slow, simple and independent. */
function erfByQuadrature(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) > 6) return Math.sign(x);
  const n = 4000;
  const h = x / n;
  let s = 1 + Math.exp(-x * x);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * Math.exp(-(i * h) * (i * h));
  return ((TWO_OVER_SQRT_PI * h) / 3) * s;
}

function roundHalfToEven(v: number): number {
  if (!Number.isFinite(v)) return v;
  const f = Math.floor(v);
  const diff = v - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

interface UnaryCase {
  ref: (x: number) => number;
  /** Random inputs are drawn from [low, high]. */
  low: number;
  high: number;
  /** Hand-picked inputs: edges, special values. */
  specials: number[];
}

const NON_FINITE = [NaN, Infinity, -Infinity];

const UNARY_REFERENCE: Record<UnaryOp, UnaryCase> = {
  neg: { ref: (x) => -x, low: -3, high: 3, specials: [0, ...NON_FINITE] },
  exp: { ref: Math.exp, low: -5, high: 5, specials: [0, -800, 800, ...NON_FINITE] },
  log: { ref: Math.log, low: 0.01, high: 10, specials: [0, 1, -1, ...NON_FINITE] },
  log1p: { ref: Math.log1p, low: -0.9, high: 5, specials: [0, 1e-12, -1, -2, ...NON_FINITE] },
  sqrt: { ref: Math.sqrt, low: 0, high: 10, specials: [0, 4, -1, ...NON_FINITE] },
  abs: { ref: Math.abs, low: -3, high: 3, specials: [0, -0, ...NON_FINITE] },
  sign: { ref: (x) => (x > 0 ? 1 : x < 0 ? -1 : x), low: -3, high: 3, specials: [0, ...NON_FINITE] },
  tanh: { ref: Math.tanh, low: -4, high: 4, specials: [0, 30, -30, ...NON_FINITE] },
  sigmoid: {
    ref: (x) => 1 / (1 + Math.exp(-x)),
    low: -8,
    high: 8,
    specials: [0, 40, -40, 800, -800, ...NON_FINITE],
  },
  relu: { ref: (x) => (x > 0 || Number.isNaN(x) ? x : 0), low: -3, high: 3, specials: [0, ...NON_FINITE] },
  erf: { ref: erfByQuadrature, low: -4, high: 4, specials: [0, 2.9, 3, 3.1, 5, -5, ...NON_FINITE] },
  sin: { ref: Math.sin, low: -7, high: 7, specials: [0, Math.PI / 2, ...NON_FINITE] },
  cos: { ref: Math.cos, low: -7, high: 7, specials: [0, Math.PI, ...NON_FINITE] },
  floor: { ref: Math.floor, low: -5, high: 5, specials: [-0.5, 2, -2, 2.5, ...NON_FINITE] },
  ceil: { ref: Math.ceil, low: -5, high: 5, specials: [-0.5, 2, -2, 2.5, ...NON_FINITE] },
  round: {
    ref: roundHalfToEven,
    low: -5,
    high: 5,
    specials: [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49, 2.51, 1e6 + 0.5, ...NON_FINITE],
  },
  reciprocal: { ref: (x) => 1 / x, low: 0.1, high: 4, specials: [-2, 0, ...NON_FINITE] },
  // PyTorch: logical_not(nan) is false, since nan is non-zero.
  not: { ref: (x) => (x === 0 ? 1 : 0), low: -1, high: 1, specials: [0, -0, 1, 0.5, ...NON_FINITE] },
};

const BINARY_REFERENCE: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

const COMPARISONS: readonly BinaryOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];

/**
 * Pairs of shapes, chosen to hit every path of a broadcasting loop: equal shapes, scalars, trailing and
 * leading broadcasts, size-1 dims in the middle (skipped when coalescing), dims that coalesce for one
 * operand but not the other, different ranks, and empty dims.
 */
const BROADCAST_CASES: [number[], number[]][] = [
  [[2, 3], [2, 3]],
  [[], []],
  [[], [2, 3]],
  [[2, 3], []],
  [[6], [1]],
  [[2, 3, 1], [4]],
  [[3, 1], [1, 4]],
  [[2, 3, 4], [1, 1, 4]],
  [[2, 3, 4], [2, 3, 1]],
  [[2, 1, 4], [2, 3, 1]],
  [[4, 1, 3, 1], [1, 5, 1, 2]],
  [[3, 1, 1], [1, 1, 3]],
  [[1, 1, 5], [5]],
  [[2, 1, 3], [1, 1, 1]],
  [[5, 1], [1, 1, 1, 3]],
  [[2, 3, 4, 5], [3, 1, 5]],
  [[1, 4], [3, 1]],
  [[0, 3], [3]],
  [[2, 0], [1]],
]; // prettier-ignore

function referenceBinary(
  op: BinaryOp,
  a: TypedArray,
  aShape: readonly number[],
  b: TypedArray,
  bShape: readonly number[],
  outDType: DType,
): { out: number[]; shape: number[] } {
  const shape = broadcastShape(aShape, bShape);
  const out: number[] = [];
  for (let i = 0; i < sizeOf(shape); i++) {
    const idx = unravel(i, shape);
    out.push(
      stored(outDType, BINARY_REFERENCE[op](a[broadcastRead(idx, aShape)]!, b[broadcastRead(idx, bShape)]!)),
    );
  }
  return { out, shape };
}

/** Reduces the middle axis of x viewed as [outer, reduced, inner]. */
function referenceReduce(op: ReduceOp, x: ArrayLike<number>, outer: number, reduced: number, inner: number) {
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const column = Array.from({ length: reduced }, (_, r) => x[(o * reduced + r) * inner + i]!);
      let v: number;
      if (op === 'sum') v = column.reduce((s, c) => s + c, 0);
      else if (op === 'prod') v = column.reduce((s, c) => s * c, 1);
      else if (column.some(Number.isNaN)) v = NaN;
      else v = op === 'max' ? Math.max(...column) : Math.min(...column);
      out.push(v);
    }
  }
  return out;
}

function referenceArgReduce(
  op: 'max' | 'min',
  x: ArrayLike<number>,
  outer: number,
  reduced: number,
  inner: number,
) {
  const values: number[] = [];
  const indices: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      for (let r = 0; r < reduced; r++) {
        const v = x[(o * reduced + r) * inner + i]!;
        const b = x[(o * reduced + best) * inner + i]!;
        if (Number.isNaN(b)) break; // the first NaN wins
        if (Number.isNaN(v) || (op === 'max' ? v > b : v < b)) best = r;
      }
      indices.push(best);
      values.push(x[(o * reduced + best) * inner + i]!);
    }
  }
  return { values, indices };
}

function referenceMatmul(a: ArrayLike<number>, b: ArrayLike<number>, s: MatmulSpec): number[] {
  const out: number[] = [];
  for (let p = 0; p < s.batch; p++) {
    for (let i = 0; i < s.m; i++) {
      for (let j = 0; j < s.n; j++) {
        let acc = 0;
        for (let kk = 0; kk < s.k; kk++) {
          const av = a[p * s.strideA + (s.transA ? kk * s.m + i : i * s.k + kk)]!;
          const bv = b[p * s.strideB + (s.transB ? j * s.k + kk : kk * s.n + j)]!;
          acc += av * bv;
        }
        out.push(acc);
      }
    }
  }
  return out;
}

function referenceCopyStrided(x: ArrayLike<number>, offset: number, strides: number[], shape: number[]) {
  const out: number[] = [];
  for (let i = 0; i < sizeOf(shape); i++) {
    const idx = unravel(i, shape);
    out.push(x[offset + idx.reduce((s, v, d) => s + v * strides[d]!, 0)]!);
  }
  return out;
}

/** torch.gather / scatter_add positions: for each element of index, the flat offset it addresses in `other`. */
function gatherOffsets(
  indexShape: number[],
  index: Int32Array,
  otherShape: number[],
  axis: number,
): number[] {
  const strides = contiguous(otherShape);
  return Array.from(index, (v, flat) => {
    const idx = unravel(flat, indexShape);
    idx[axis] = v;
    return idx.reduce((s, c, d) => s + c * strides[d]!, 0);
  });
}

/** The input pixel that column entry (n, c, i, j, oy, ox) of im2col reads, or -1 for padding. */
function windowSource(s: Im2colSpec, n: number, c: number, i: number, j: number, oy: number, ox: number) {
  const iy = oy * s.strideH - s.padTop + i * s.dilationH;
  const ix = ox * s.strideW - s.padLeft + j * s.dilationW;
  if (iy < 0 || iy >= s.height || ix < 0 || ix >= s.width) return -1;
  return ((n * s.channels + c) * s.height + iy) * s.width + ix;
}

/** Every column entry in storage order [n][c][i][j][oy][ox] with the input pixel it reads (-1: padding). */
function windowSources(s: Im2colSpec): number[] {
  const sources: number[] = [];
  for (let n = 0; n < s.batch; n++)
    for (let c = 0; c < s.channels; c++)
      for (let i = 0; i < s.kernelH; i++)
        for (let j = 0; j < s.kernelW; j++)
          for (let oy = 0; oy < s.outH; oy++)
            for (let ox = 0; ox < s.outW; ox++) sources.push(windowSource(s, n, c, i, j, oy, ox));
  return sources;
}

function referenceIm2col(x: ArrayLike<number>, s: Im2colSpec): number[] {
  return windowSources(s).map((src) => (src < 0 ? (s.padValue ?? 0) : x[src]!));
}

/** col2im's reference: start from `init` and add every column entry into its source pixel. */
function referenceCol2im(cols: ArrayLike<number>, s: Im2colSpec, init: ArrayLike<number>): number[] {
  const out = Array.from(init);
  windowSources(s).forEach((src, k) => {
    if (src >= 0) out[src]! += cols[k]!;
  });
  return out;
}

/** A window geometry from the fields that vary; the rest default to a plain 3×3, stride 1, no padding. */
function im2colSpec(fields: Partial<Im2colSpec> & { height: number; width: number }): Im2colSpec {
  const s: Im2colSpec = {
    batch: 1,
    channels: 1,
    kernelH: 3,
    kernelW: 3,
    strideH: 1,
    strideW: 1,
    padTop: 0,
    padLeft: 0,
    dilationH: 1,
    dilationW: 1,
    outH: 0,
    outW: 0,
    ...fields,
  };
  // Unless given, the output size of symmetric padding (floor mode).
  if (!fields.outH)
    s.outH = Math.floor((s.height + 2 * s.padTop - s.dilationH * (s.kernelH - 1) - 1) / s.strideH) + 1;
  if (!fields.outW)
    s.outW = Math.floor((s.width + 2 * s.padLeft - s.dilationW * (s.kernelW - 1) - 1) / s.strideW) + 1;
  return s;
}

/**
 * Window geometries for im2col/col2im: each exercises a path of a kernel that precomputes the valid
 * output range per kernel column (padding on either side, strides that skip pixels, rows entirely in
 * the padding, asymmetric padding implied by outH/outW).
 */
const IM2COL_CASES: [string, Im2colSpec][] = [
  ['3x3, batch 2, 3 channels, no padding', im2colSpec({ batch: 2, channels: 3, height: 5, width: 6 })],
  ['stride 2, padding 1', im2colSpec({ batch: 2, channels: 2, height: 6, width: 6, strideH: 2, strideW: 2, padTop: 1, padLeft: 1 })],
  ['dilation 2, padding 2', im2colSpec({ channels: 2, height: 7, width: 5, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 2 })],
  ['non-square 3x2 kernel, stride [2, 1], padding [1, 0]', im2colSpec({ batch: 2, channels: 3, height: 6, width: 6, kernelW: 2, strideH: 2, padTop: 1 })],
  ["asymmetric 'same' padding of an even 4x2 kernel (extra row/column at the bottom/right)", im2colSpec({ channels: 2, height: 5, width: 6, kernelH: 4, kernelW: 2, padTop: 1, padLeft: 0, outH: 5, outW: 6 })],
  ['ceil-mode windows hanging past the bottom/right, -inf padding', im2colSpec({ channels: 2, height: 5, width: 5, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, outH: 3, outW: 3, padValue: -Infinity })],
  ['1x1 kernel, stride 2 (skips pixels)', im2colSpec({ batch: 2, channels: 2, height: 5, width: 4, kernelH: 1, kernelW: 1, strideH: 2, strideW: 2 })],
  ['kernel larger than the image: rows and columns entirely in the padding', im2colSpec({ height: 2, width: 2, padTop: 2, padLeft: 2 })],
  ['stride 3 over a 2x2 kernel with padding 1', im2colSpec({ channels: 2, height: 5, width: 7, kernelH: 2, kernelW: 2, strideH: 3, strideW: 3, padTop: 1, padLeft: 1 })],
  ['stride and dilation together, padding 3', im2colSpec({ height: 9, width: 8, strideH: 2, strideW: 3, dilationH: 3, dilationW: 2, padTop: 3, padLeft: 3 })],
  ['a one-column image', im2colSpec({ channels: 2, height: 4, width: 1, kernelH: 2, kernelW: 1 })],
  ['an empty batch', im2colSpec({ batch: 0, channels: 2, height: 4, width: 4 })],
]; // prettier-ignore

/**
 * Convolution geometries: [what, spec, groups, outChannels]. Shapes around the four-lane and GEMM
 * blockings, padding, stride, dilation, groups, and an empty batch.
 */
const CONV_CASES: [string, Im2colSpec, number, number][] = [
  ['3x3 padding 1, batch 3, 2 -> 5 channels', im2colSpec({ batch: 3, channels: 2, height: 7, width: 9, padTop: 1, padLeft: 1 }), 1, 5],
  ['stride 2, dilation 2, padding 2', im2colSpec({ batch: 2, channels: 3, height: 9, width: 8, strideH: 2, strideW: 2, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 2 }), 1, 4],
  ['groups 2 (4 -> 6 channels), non-square kernel', im2colSpec({ batch: 2, channels: 4, height: 6, width: 5, kernelW: 2, padTop: 1 }), 2, 6],
  ['depthwise (groups = channels = 3)', im2colSpec({ batch: 2, channels: 3, height: 5, width: 5, padTop: 1, padLeft: 1 }), 3, 3],
  ['1x1 kernel, 13 output channels', im2colSpec({ batch: 2, channels: 3, height: 4, width: 6, kernelH: 1, kernelW: 1 }), 1, 13],
  ['an empty batch', im2colSpec({ batch: 0, channels: 2, height: 4, width: 4 }), 1, 3],
]; // prettier-ignore

/** conv2d by its definition: y[n, o, p] = Σ over o's group's channels and taps of w · x (padding 0). */
function referenceConv(x: ArrayLike<number>, w: ArrayLike<number>, s: Im2colSpec, groups: number, outChannels: number) {
  const perGroup = outChannels / groups;
  const cg = s.channels / groups;
  const taps = s.kernelH * s.kernelW;
  const spatial = s.outH * s.outW;
  // Each output entry as its list of [weight index, input index] terms: the forward pass and both
  // gradients are sums over these.
  const terms: [number, number, number][] = []; // [output index, weight index, input index]
  for (let n = 0; n < s.batch; n++)
    for (let o = 0; o < outChannels; o++)
      for (let c = 0; c < cg; c++)
        for (let i = 0; i < s.kernelH; i++)
          for (let j = 0; j < s.kernelW; j++)
            for (let oy = 0; oy < s.outH; oy++)
              for (let ox = 0; ox < s.outW; ox++) {
                const channel = Math.floor(o / perGroup) * cg + c;
                const src = windowSource(s, n, channel, i, j, oy, ox);
                if (src >= 0) terms.push([(n * outChannels + o) * spatial + oy * s.outW + ox, (o * cg + c) * taps + i * s.kernelW + j, src]);
              }
  const y = new Float64Array(s.batch * outChannels * spatial);
  for (const [out, wi, xi] of terms) y[out]! += w[wi]! * x[xi]!;
  return { y, terms };
} // prettier-ignore

/** The max pool by its definition (see Backend.maxPool2d): values and winning input positions. */
function referenceMaxPool(x: ArrayLike<number>, s: Im2colSpec): { values: number[]; indices: number[] } {
  const values: number[] = [];
  const indices: number[] = [];
  for (let n = 0; n < s.batch; n++)
    for (let c = 0; c < s.channels; c++)
      for (let oy = 0; oy < s.outH; oy++)
        for (let ox = 0; ox < s.outW; ox++) {
          let best = 0;
          let winner = -2;
          let tap = [0, 0];
          for (let i = 0; i < s.kernelH; i++)
            for (let j = 0; j < s.kernelW; j++) {
              const src = windowSource(s, n, c, i, j, oy, ox);
              const v = src < 0 ? -Infinity : x[src]!;
              if (winner === -2 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) [best, winner, tap] = [v, src, [i, j]];
            }
          if (winner < 0) {
            // Every real value is −∞ and a padding tap came first: the first real row and column.
            let iy = oy * s.strideH - s.padTop + tap[0]! * s.dilationH;
            let ix = ox * s.strideW - s.padLeft + tap[1]! * s.dilationW;
            if (iy < 0 || iy >= s.height) for (iy = oy * s.strideH - s.padTop; iy < 0; ) iy += s.dilationH;
            if (ix < 0 || ix >= s.width) for (ix = ox * s.strideW - s.padLeft; ix < 0; ) ix += s.dilationW;
            winner = ((n * s.channels + c) * s.height + iy) * s.width + ix;
          }
          values.push(best);
          indices.push(winner);
        }
  return { values, indices };
} // prettier-ignore

// ---- the spec ----

/** Wraps a backend so that every primitive call is recorded by name. */
function recording(backend: Backend, called: Set<string>): Backend {
  const wrapped: Record<string, unknown> = {};
  for (const key of Object.keys(backend)) {
    const value = (backend as unknown as Record<string, unknown>)[key];
    wrapped[key] =
      typeof value === 'function'
        ? (...args: unknown[]) => {
            called.add(key);
            return (value as (...a: unknown[]) => unknown).apply(backend, args);
          }
        : value;
  }
  return wrapped as unknown as Backend;
}

/** Runs the whole primitive spec against the backend that `make` returns. */
export function describeBackendSpec(name: string, make: () => Backend): void {
  describe(`backend spec: ${name}`, () => {
    const called = new Set<string>();
    const backend = recording(make(), called);

    it('has a name and implements every primitive', () => {
      assert.equal(typeof backend.name, 'string');
      assert.ok(backend.name.length > 0);
      for (const p of BACKEND_PRIMITIVES) {
        if (p !== 'name') assert.equal(typeof backend[p], 'function', `${name} lacks the primitive ${p}`);
      }
    });

    it('allocate: zero-filled buffers of the right type and size', () => {
      const kinds: [DType, new (n: number) => TypedArray][] = [
        ['float32', Float32Array],
        ['float64', Float64Array],
        ['int32', Int32Array],
        ['bool', Uint8Array],
      ];
      for (const [dtype, ctor] of kinds) {
        for (const size of [0, 1, 17]) {
          const buf = backend.allocate(dtype, size);
          assert.ok(buf instanceof ctor, `allocate(${dtype}) gives a ${ctor.name}`);
          assert.equal(buf.length, size);
          assert.ok(buf.every((v) => v === 0));
          const any = backend.allocateUninitialised(dtype, size);
          assert.ok(any instanceof ctor, `allocateUninitialised(${dtype}) gives a ${ctor.name}`);
          assert.equal(any.length, size);
        }
      }
    });

    for (const dtype of FLOAT_DTYPES) {
      describe(dtype, () => {
        const tol: Tol = dtype === 'float32' ? { rtol: 1e-6, atol: 1e-7 } : { rtol: 1e-12, atol: 1e-14 };

        it('unary: every op against Math on random and special inputs', () => {
          const listed = new Set<string>(UNARY_OPS);
          assert.deepEqual(Object.keys(UNARY_REFERENCE).sort(), [...listed].sort());
          const rng = makeRng(1);
          for (const op of UNARY_OPS) {
            const { ref, low, high, specials } = UNARY_REFERENCE[op];
            const values = [...specials, ...Array.from({ length: 40 }, () => low + (high - low) * rng())];
            const x = typed(dtype, values);
            const outDType: DType = op === 'not' ? 'bool' : dtype;
            const out = backend.allocate(outDType, x.length).fill(123); // must be overwritten
            backend.unary(op, x, out);
            const expected = Array.from(x, (v) => stored(outDType, ref(v)));
            const opTol = op === 'erf' ? { rtol: tol.rtol, atol: Math.max(tol.atol, 1e-10) } : tol;
            assertArrayClose(out, expected, opTol, `unary ${op} (${dtype})`);
          }
        });

        it('unary erf: known values to 1e-14', () => {
          const known: [number, number][] = [
            [0, 0],
            [1e-10, 1.1283791670955126e-10],
            [0.1, 0.1124629160182849],
            [0.5, 0.5204998778130465],
            [1, 0.8427007929497149],
            [-1.5, -0.9661051464753108],
            [2, 0.9953222650189527],
            [2.9, 0.9999589021219005],
            [3, 0.9999779095030014],
            [3.5, 0.9999992569016276],
            [4, 0.9999999845827421],
            [6, 1],
            [-30, -1],
          ];
          const x = typed(
            dtype,
            known.map(([v]) => v),
          );
          const out = backend.allocate(dtype, x.length);
          backend.unary('erf', x, out);
          const expected = known.map(([v, e]) => (dtype === 'float32' ? f32(erfByQuadrature(f32(v))) : e));
          assertArrayClose(out, expected, dtype === 'float32' ? tol : { rtol: 1e-14, atol: 1e-16 }, 'erf');
        });

        it('binary: every op with broadcasting, including the shapes that coalesce', () => {
          const rng = makeRng(2);
          for (const op of BINARY_OPS) {
            const outDType: DType = COMPARISONS.includes(op) ? 'bool' : dtype;
            const opTol = op === 'pow' ? tol : EXACT;
            for (const [aShape, bShape] of BROADCAST_CASES) {
              const a = randomArray(dtype, sizeOf(aShape), rng);
              const b = randomArray(dtype, sizeOf(bShape), rng);
              // Plant equal values so that eq/le/ge and maximum/minimum ties are exercised.
              if (a.length > 0 && b.length > 0) a[0] = b[0]!;
              const { out: expected, shape } = referenceBinary(op, a, aShape, b, bShape, outDType);
              const out = backend.allocate(outDType, sizeOf(shape)).fill(123); // must be overwritten
              backend.binary(op, a, aShape, b, bShape, out, shape);
              const what = `binary ${op} ${JSON.stringify(aShape)} with ${JSON.stringify(bShape)} (${dtype})`;
              assertArrayClose(out, expected, opTol, what);
            }
          }
        });

        it('binary: NaN and infinities', () => {
          const a = typed(dtype, [NaN, 1, NaN, Infinity, -Infinity, 0, 2, -0]);
          const b = typed(dtype, [1, NaN, NaN, Infinity, 1, 0, Infinity, 0]);
          for (const op of BINARY_OPS) {
            const outDType: DType = COMPARISONS.includes(op) ? 'bool' : dtype;
            const out = backend.allocate(outDType, a.length);
            backend.binary(op, a, [a.length], b, [b.length], out, [a.length]);
            const expected = Array.from(a, (v, i) => stored(outDType, BINARY_REFERENCE[op](v, b[i]!)));
            assertArrayClose(out, expected, EXACT, `binary ${op} on special values (${dtype})`);
          }
        });

        it('reluGrad: g where x > 0, else g·0 (signed zeros, NaN from a NaN or infinite g)', () => {
          const rng = makeRng(15);
          const specials = [0, -0, 1, -1, NaN, Infinity, -Infinity, 2.5e-39];
          for (const n of [1, 7, 16, 37]) {
            const pick = () => (rng() < 0.4 ? specials[Math.floor(rng() * specials.length)]! : 4 * rng() - 2);
            const g = typed(dtype, Array.from({ length: n }, pick));
            const x = typed(dtype, Array.from({ length: n }, pick));
            const out = backend.allocate(dtype, n).fill(123);
            backend.reluGrad(g, x, out);
            const expected = Array.from(g, (v, i) => stored(dtype, v * (x[i]! > 0 ? 1 : 0)));
            assertArrayClose(out, expected, EXACT, `reluGrad n=${n}`);
            for (let i = 0; i < n; i++) {
              assert.ok(
                Object.is(out[i], expected[i]),
                `reluGrad n=${n}: element ${i} is ${out[i]}, expected ${expected[i]} (sign of zero)`,
              );
            }
          }
        });

        it('adam: moments and direction, every operation rounded to the dtype in order (exact)', () => {
          const rng = makeRng(16);
          const s = (v: number) => stored(dtype, v);
          for (const [n, step, beta1, beta2, eps] of [
            [1, 1, 0.9, 0.999, 1e-8],
            [7, 3, 0.8, 0.99, 1e-3],
            [37, 10, 0.9, 0.999, 1e-8],
            [300, 1000, 0.5, 0.9, 0],
          ] as const) {
            const g = randomArray(dtype, n, rng);
            const m = randomArray(dtype, n, rng);
            const v = randomArray(dtype, n, rng, 0, 3);
            g[0] = 0;
            v[0] = 0; // u = 0/(0 + ε)... or 0/0 = NaN when ε is 0
            const [mOut, vOut, u] = [0, 1, 2].map(() => backend.allocate(dtype, n).fill(123));
            backend.adam(g, m, v, { beta1, beta2, eps, step }, mOut!, vOut!, u!);
            const [b1, a1, b2, a2, e] = [beta1, 1 - beta1, beta2, 1 - beta2, eps].map(s) as number[];
            const c2 = s(Math.sqrt(1 - beta2 ** step));
            const c1 = s(1 - beta1 ** step);
            const em = Array.from(g, (gi, i) => s(s(m[i]! * b1!) + s(gi * a1!)));
            const ev = Array.from(g, (gi, i) => s(s(v[i]! * b2!) + s(s(gi * gi) * a2!)));
            const eu = em.map((mi, i) => s(s(mi / s(s(s(Math.sqrt(ev[i]!)) / c2) + e!)) / c1));
            const what = `adam n=${n} step=${step}`;
            assertArrayClose(mOut!, em, EXACT, `${what}: m`);
            assertArrayClose(vOut!, ev, EXACT, `${what}: v`);
            assertArrayClose(u!, eu, EXACT, `${what}: u`);
          }
        });

        it('where: condition and both branches broadcast', () => {
          const rng = makeRng(3);
          const cases: [number[], number[], number[]][] = [
            [
              [2, 3],
              [2, 3],
              [2, 3],
            ],
            [[2, 3], [], [3]],
            [
              [3, 1],
              [1, 4],
              [3, 4],
            ],
            [[4], [2, 3, 1], []],
            [
              [2, 1, 3],
              [1, 5, 1],
              [2, 5, 3],
            ],
            [[], [2, 2], [2, 2]],
            [[0, 2], [2], [1]],
          ];
          for (const [cShape, aShape, bShape] of cases) {
            const c = randomArray('bool', sizeOf(cShape), rng);
            const a = randomArray(dtype, sizeOf(aShape), rng);
            const b = randomArray(dtype, sizeOf(bShape), rng);
            const shape = broadcastShape(cShape, aShape, bShape);
            const expected = Array.from({ length: sizeOf(shape) }, (_, i) => {
              const idx = unravel(i, shape);
              return c[broadcastRead(idx, cShape)]
                ? a[broadcastRead(idx, aShape)]!
                : b[broadcastRead(idx, bShape)]!;
            });
            const out = backend.allocate(dtype, sizeOf(shape));
            backend.where(c, cShape, a, aShape, b, bShape, out, shape);
            assertArrayClose(out, expected, EXACT, `where ${JSON.stringify([cShape, aShape, bShape])}`);
          }
        });

        it('reduce: every op over [outer, reduced, inner], including empty extents', () => {
          const rng = makeRng(4);
          const layouts: [number, number, number][] = [
            [1, 1, 1],
            [1, 7, 1],
            [3, 4, 2],
            [1, 5, 6],
            [4, 5, 1],
            [2, 1, 3],
            [0, 3, 2],
            [2, 3, 0],
          ];
          for (const op of REDUCE_OPS) {
            for (const [outer, reduced, inner] of layouts) {
              const x = randomArray(dtype, outer * reduced * inner, rng, 0.5, 1.5);
              const out = backend.allocate(dtype, outer * inner).fill(123); // must be overwritten
              backend.reduce(op, x, outer, reduced, inner, out);
              const expected = referenceReduce(op, x, outer, reduced, inner).map((v) => stored(dtype, v));
              const rtol =
                op === 'sum' || op === 'prod' ? Math.max(tol.rtol, dtype === 'float32' ? 1e-6 : 0) : 0;
              assertArrayClose(
                out,
                expected,
                { rtol, atol: 0 },
                `reduce ${op} [${outer}, ${reduced}, ${inner}]`,
              );
            }
          }
          // An empty reduction gives the identity of sum and prod.
          for (const [op, identity] of [
            ['sum', 0],
            ['prod', 1],
          ] as const) {
            const out = backend.allocate(dtype, 6);
            out.fill(7);
            backend.reduce(op, typed(dtype, []), 2, 0, 3, out);
            assert.deepEqual(Array.from(out), new Array(6).fill(identity), `${op} over an empty axis`);
          }
        });

        it('reduce: max/min propagate NaN; int32 sums', () => {
          const x = typed(dtype, [1, NaN, 3, 4, 5, 6]);
          for (const op of ['max', 'min'] as const) {
            const out = backend.allocate(dtype, 2);
            backend.reduce(op, x, 1, 3, 2, out); // columns [1, 3, 5] and [NaN, 4, 6]
            assertArrayClose(out, [op === 'max' ? 5 : 1, NaN], EXACT, `${op} with NaN`);
          }
          const ints = typed('int32', [1, -2, 3, 4, 5, -6]);
          const out = backend.allocate('int32', 3);
          backend.reduce('sum', ints, 3, 2, 1, out);
          assert.deepEqual(Array.from(out), [-1, 7, -1]);
        });

        it('argReduce: values and first-extreme indices, ties and NaN', () => {
          const rng = makeRng(5);
          for (const op of ['max', 'min'] as const) {
            for (const [outer, reduced, inner] of [
              [1, 6, 1],
              [3, 4, 2],
              [2, 1, 3],
              [1, 5, 4],
            ] as [number, number, number][]) {
              // Values on a coarse grid, so that ties are common.
              const x = typed(
                dtype,
                Array.from({ length: outer * reduced * inner }, () => Math.floor(rng() * 3)),
              );
              const values = backend.allocate(dtype, outer * inner);
              const indices = new Int32Array(outer * inner);
              backend.argReduce(op, x, outer, reduced, inner, values, indices);
              const ref = referenceArgReduce(op, x, outer, reduced, inner);
              const what = `argReduce ${op} [${outer}, ${reduced}, ${inner}]`;
              assert.deepEqual(Array.from(indices), ref.indices, `${what}: indices`);
              assertArrayClose(values, ref.values, EXACT, `${what}: values`);
            }
            const special: [number[], number][] = [
              [[1, 7, 7, 2], op === 'max' ? 1 : 0],
              [[7, 1, 1, 7], op === 'max' ? 0 : 1],
              [[1, 2, NaN, 9, NaN], 2],
              [[NaN, 5, -5], 0],
              [[-Infinity, -Infinity], 0],
              [[Infinity, 3], op === 'max' ? 0 : 1],
            ];
            for (const [data, index] of special) {
              const values = backend.allocate(dtype, 1);
              const indices = new Int32Array(1);
              backend.argReduce(op, typed(dtype, data), 1, data.length, 1, values, indices);
              assert.equal(indices[0], index, `argReduce ${op} of ${JSON.stringify(data)}: index`);
              assertArrayClose(values, [data[index]!], EXACT, `argReduce ${op} of ${data}: value`);
            }
          }
        });

        it('matmul: all four transpose combinations, batches, broadcast strides 0', () => {
          const rng = makeRng(6);
          const shapes: [number, number, number, number][] = [
            // batch, m, k, n: sizes around the 4x2 blocking of fast kernels, degenerate sizes
            [1, 1, 1, 1],
            [1, 5, 7, 3],
            [1, 4, 6, 2],
            [1, 8, 3, 9],
            [3, 2, 5, 4],
            [2, 9, 1, 5],
            [1, 1, 8, 1],
            [2, 3, 0, 2],
          ];
          const mtol: Tol = dtype === 'float32' ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-12, atol: 1e-12 };
          for (const [batch, m, k, n] of shapes) {
            for (const transA of [false, true]) {
              for (const transB of [false, true]) {
                for (const [shareA, shareB] of [
                  [false, false],
                  [true, false],
                  [false, true],
                ]) {
                  if (batch === 1 && (shareA || shareB)) continue;
                  const a = randomArray(dtype, (shareA ? 1 : batch) * m * k, rng, -1, 1);
                  const b = randomArray(dtype, (shareB ? 1 : batch) * k * n, rng, -1, 1);
                  const spec: MatmulSpec = {
                    batch,
                    m,
                    k,
                    n,
                    transA,
                    transB,
                    strideA: shareA ? 0 : m * k,
                    strideB: shareB ? 0 : k * n,
                  };
                  const out = backend.allocate(dtype, batch * m * n);
                  out.fill(123); // the kernel must overwrite, not accumulate
                  backend.matmul(a, b, out, spec);
                  const expected = referenceMatmul(a, b, spec).map((v) => stored(dtype, v));
                  assertArrayClose(out, expected, mtol, `matmul ${JSON.stringify(spec)}`);
                }
              }
            }
          }
        });

        it('copyStrided: permutes, broadcasts (stride 0), flips (negative strides), offsets', () => {
          const x = typed(
            dtype,
            Array.from({ length: 24 }, (_, i) => i + 0.5),
          );
          const cases: [number, number[], number[]][] = [
            [0, [12, 4, 1], [2, 3, 4]], // identity
            [0, [1, 4, 12], [4, 3, 2]], // full reversal of dims
            [0, [4, 12, 1], [3, 2, 4]], // swap of the two leading dims
            [0, [0, 1], [5, 4]], // broadcast a row
            [0, [1, 0], [4, 5]], // broadcast a column
            [0, [0, 0, 0], [2, 3, 2]], // everything from one element
            [23, [-1], [24]], // flip all
            [3, [12, 4, -1], [2, 2, 4]], // flip the last dim of a slice
            [20, [-12, -4, 1], [2, 2, 4]], // flip two leading dims
            [5, [2, 7], [3, 2]], // step slices with an offset
            [3, [], []], // a single element
            [0, [4, 1], [0, 4]], // empty
            [1, [6, 0, 2], [2, 1, 3]], // size-1 dims with any stride
          ];
          for (const [offset, strides, shape] of cases) {
            const out = backend.allocate(dtype, sizeOf(shape));
            backend.copyStrided(x, offset, strides, shape, out);
            const expected = referenceCopyStrided(x, offset, strides, shape);
            assertArrayClose(
              out,
              expected,
              EXACT,
              `copyStrided offset ${offset} strides [${strides}] shape [${shape}]`,
            );
          }
        });

        it('indexSelect and its adjoint indexAdd, with repeated indices', () => {
          const rng = makeRng(7);
          const layouts: [number, number, number, number[]][] = [
            [1, 5, 1, [4, 0, 4, 2]],
            [2, 3, 4, [2, 2, 2]],
            [3, 4, 1, [0]],
            [1, 6, 3, []],
            [2, 2, 2, [1, 0]],
          ];
          for (const [outer, n, inner, indexValues] of layouts) {
            const index = Int32Array.from(indexValues);
            const m = index.length;
            const x = randomArray(dtype, outer * n * inner, rng);
            const selected = backend.allocate(dtype, outer * m * inner);
            backend.indexSelect(x, outer, n, inner, index, selected);
            const expected: number[] = [];
            for (let o = 0; o < outer; o++)
              for (let j = 0; j < m; j++)
                for (let i = 0; i < inner; i++) expected.push(x[(o * n + index[j]!) * inner + i]!);
            assertArrayClose(selected, expected, EXACT, `indexSelect [${outer}, ${n}, ${inner}] [${index}]`);

            const src = randomArray(dtype, outer * m * inner, rng);
            const out = randomArray(dtype, outer * n * inner, rng); // indexAdd accumulates into out
            const sums = Array.from(out);
            for (let o = 0; o < outer; o++)
              for (let j = 0; j < m; j++)
                for (let i = 0; i < inner; i++)
                  sums[(o * n + index[j]!) * inner + i]! += src[(o * m + j) * inner + i]!;
            backend.indexAdd(src, outer, n, inner, index, out);
            const addTol = dtype === 'float32' ? { rtol: 1e-6, atol: 1e-6 } : EXACT;
            assertArrayClose(
              out,
              sums.map((v) => stored(dtype, v)),
              addTol,
              `indexAdd [${outer}, ${n}, ${inner}] [${index}]`,
            );
          }
        });

        it('gather and its adjoint scatterAdd along every axis, index smaller than x', () => {
          const rng = makeRng(8);
          const xShape = [3, 4, 5];
          const cases: [number, number[]][] = [
            [0, [2, 4, 5]],
            [0, [5, 2, 3]],
            [1, [3, 6, 5]],
            [1, [2, 2, 2]],
            [2, [3, 4, 7]],
            [2, [1, 3, 1]],
            [1, [0, 2, 2]],
          ];
          for (const [axis, indexShape] of cases) {
            const index = Int32Array.from({ length: sizeOf(indexShape) }, () =>
              Math.floor(rng() * xShape[axis]!),
            );
            const x = randomArray(dtype, sizeOf(xShape), rng);
            const offsets = gatherOffsets(indexShape, index, xShape, axis);
            const gathered = backend.allocate(dtype, index.length);
            backend.gather(x, xShape, axis, index, indexShape, gathered);
            const what = `axis ${axis}, index shape [${indexShape}]`;
            assertArrayClose(
              gathered,
              offsets.map((o) => x[o]!),
              EXACT,
              `gather ${what}`,
            );

            const src = randomArray(dtype, index.length, rng);
            const out = randomArray(dtype, sizeOf(xShape), rng);
            const sums = Array.from(out);
            offsets.forEach((o, flat) => (sums[o]! += src[flat]!));
            backend.scatterAdd(src, index, indexShape, axis, out, xShape);
            const addTol = dtype === 'float32' ? { rtol: 1e-6, atol: 1e-6 } : EXACT;
            assertArrayClose(
              out,
              sums.map((v) => stored(dtype, v)),
              addTol,
              `scatterAdd ${what}`,
            );
          }
        });

        it('im2col against a naive loop: stride, padding, dilation, asymmetric padding, pad value', () => {
          const rng = makeRng(10);
          for (const [what, spec] of IM2COL_CASES) {
            const x = randomArray(dtype, spec.batch * spec.channels * spec.height * spec.width, rng);
            const rows = spec.channels * spec.kernelH * spec.kernelW;
            const out = backend.allocate(dtype, spec.batch * rows * spec.outH * spec.outW);
            out.fill(123); // every entry, padding included, must be written
            backend.im2col(x, spec, out);
            assertArrayClose(out, referenceIm2col(x, spec), EXACT, `im2col: ${what}`);
          }
        });

        it('col2im against a naive loop (accumulating into out), and as the adjoint of im2col', () => {
          const rng = makeRng(11);
          const addTol = dtype === 'float32' ? { rtol: 1e-6, atol: 1e-6 } : { rtol: 1e-14, atol: 1e-14 };
          for (const [what, spec] of IM2COL_CASES) {
            const size = spec.batch * spec.channels * spec.height * spec.width;
            const rows = spec.channels * spec.kernelH * spec.kernelW;
            const cols = randomArray(dtype, spec.batch * rows * spec.outH * spec.outW, rng);
            const out = randomArray(dtype, size, rng); // col2im adds into out
            const expected = referenceCol2im(cols, spec, out).map((v) => stored(dtype, v));
            backend.col2im(cols, spec, out);
            assertArrayClose(out, expected, addTol, `col2im: ${what}`);

            // <im2col(x), c> = <x, col2im(c)>, the identity the convolution's input gradient relies on.
            const x = randomArray(dtype, size, rng);
            const unfolded = backend.allocate(dtype, cols.length);
            backend.im2col(x, { ...spec, padValue: 0 }, unfolded);
            const folded = backend.allocate(dtype, size);
            backend.col2im(cols, spec, folded);
            const left = Array.from(unfolded).reduce((acc, v, k) => acc + v * cols[k]!, 0);
            const right = Array.from(folded).reduce((acc, v, k) => acc + v * x[k]!, 0);
            const scale = Math.max(1, Math.abs(left));
            assert.ok(
              Math.abs(left - right) <= (dtype === 'float32' ? 1e-5 : 1e-12) * scale,
              `col2im is the adjoint of im2col (${what}): ${left} vs ${right}`,
            );
          }
        });

        it('conv2d and its input and weight gradients against the definition: padding, stride, dilation, groups', () => {
          const rng = makeRng(13);
          const ctol: Tol = dtype === 'float32' ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-12, atol: 1e-12 };
          for (const [what, spec, groups, outChannels] of CONV_CASES) {
            const rows = (spec.channels / groups) * spec.kernelH * spec.kernelW;
            const x = randomArray(dtype, spec.batch * spec.channels * spec.height * spec.width, rng);
            const w = randomArray(dtype, outChannels * rows, rng);
            const dy = randomArray(dtype, spec.batch * outChannels * spec.outH * spec.outW, rng);
            const { y, terms } = referenceConv(x, w, spec, groups, outChannels);
            const dx = new Float64Array(x.length);
            const dw = new Float64Array(w.length);
            for (const [o, wi, xi] of terms) {
              dx[xi]! += w[wi]! * dy[o]!;
              dw[wi]! += x[xi]! * dy[o]!;
            }
            // Every output is overwritten, whatever it held; a bias is added per output channel.
            const out = backend.allocate(dtype, y.length).fill(123);
            backend.conv2d(x, w, null, spec, groups, out);
            assertArrayClose(
              out,
              Array.from(y, (v) => stored(dtype, v)),
              ctol,
              `conv2d: ${what}`,
            );
            const bias = randomArray(dtype, outChannels, rng);
            const spatial = spec.outH * spec.outW;
            const biased = Array.from(y, (v, i) =>
              stored(dtype, v + bias[Math.floor(i / spatial) % outChannels]!),
            );
            out.fill(123);
            backend.conv2d(x, w, bias, spec, groups, out);
            assertArrayClose(out, biased, ctol, `conv2d with a bias: ${what}`);
            const gx = backend.allocate(dtype, x.length).fill(123);
            backend.conv2dInputGrad(dy, w, spec, groups, gx);
            assertArrayClose(
              gx,
              Array.from(dx, (v) => stored(dtype, v)),
              ctol,
              `conv2dInputGrad: ${what}`,
            );
            const gw = backend.allocate(dtype, w.length).fill(123);
            backend.conv2dWeightGrad(x, dy, spec, groups, gw);
            assertArrayClose(
              gw,
              Array.from(dw, (v) => stored(dtype, v)),
              ctol,
              `conv2dWeightGrad: ${what}`,
            );
          }
        });

        it('maxPool2d against the definition: first maximum, NaN wins, -inf windows, padding, ceil-mode windows', () => {
          const rng = makeRng(14);
          // Besides the im2col geometries, planes wide enough for kernels that pool four windows at once.
          const wide: [string, Im2colSpec][] = [
            ['2x2 stride 2 over 20x21 planes', im2colSpec({ batch: 2, channels: 3, height: 20, width: 21, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2 })],
            ['3x3 stride 2 padding 1 over 19x27 planes', im2colSpec({ batch: 1, channels: 2, height: 19, width: 27, strideH: 2, strideW: 2, padTop: 1, padLeft: 1 })],
            ['3x2 stride [1, 2] dilation [2, 1] over 11x30 planes', im2colSpec({ batch: 1, channels: 2, height: 11, width: 30, kernelW: 2, strideW: 2, dilationH: 2 })],
          ]; // prettier-ignore
          for (const [what, spec] of [...IM2COL_CASES, ...wide]) {
            const size = spec.batch * spec.channels * spec.height * spec.width;
            // Few distinct values, so windows tie; some NaN and −∞.
            const x = typed(dtype, Array.from({ length: size }, () => {
              const r = rng();
              return r < 0.05 ? NaN : r < 0.15 ? -Infinity : Math.round(r * 6) / 2;
            })); // prettier-ignore
            for (const input of [x, backend.allocate(dtype, size).fill(-Infinity)]) {
              const expected = referenceMaxPool(input, spec);
              const values = backend.allocate(dtype, expected.values.length).fill(123);
              const indices = new Int32Array(expected.indices.length).fill(-7);
              backend.maxPool2d(input, spec, values, indices);
              assertArrayClose(values, expected.values, EXACT, `maxPool2d values: ${what}`);
              assert.deepEqual(Array.from(indices), expected.indices, `maxPool2d indices: ${what}`);
            }
          }
        });

        it('cast: to and from every dtype', () => {
          const values = [0, -0, 0.5, -0.5, 1.7, -1.7, 2.5, -2.999, 3, 1e-30, 123456.789, NaN];
          const x = typed(dtype, values);
          const toInt = new Int32Array(x.length);
          backend.cast(x, toInt);
          // Float to int truncates toward zero (NaN is undefined behaviour in C; here it is only required not to throw).
          assert.deepEqual(
            Array.from(toInt).slice(0, -1),
            Array.from(x, (v) => Math.trunc(v))
              .slice(0, -1)
              .map((v) => v | 0),
          );
          const toBool = new Uint8Array(x.length);
          backend.cast(x, toBool);
          // Anything non-zero is true, NaN included (as in PyTorch).
          assert.deepEqual(Array.from(toBool), [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
          const other: FloatDType = dtype === 'float32' ? 'float64' : 'float32';
          const toOther = backend.allocate(other, x.length);
          backend.cast(x, toOther);
          assertArrayClose(
            toOther,
            Array.from(x, (v) => stored(other, v)),
            EXACT,
            `cast ${dtype} -> ${other}`,
          );
          const same = backend.allocate(dtype, x.length);
          backend.cast(x, same);
          assertArrayClose(same, x, EXACT, `cast ${dtype} -> ${dtype}`);

          const ints = Int32Array.from([0, 1, -1, 2147483647, -2147483648, 16777217]);
          const fromInt = backend.allocate(dtype, ints.length);
          backend.cast(ints, fromInt);
          assertArrayClose(
            fromInt,
            Array.from(ints, (v) => stored(dtype, v)),
            EXACT,
            `cast int32 -> ${dtype}`,
          );
          const bools = Uint8Array.from([0, 1, 1, 0]);
          const fromBool = backend.allocate(dtype, bools.length);
          backend.cast(bools, fromBool);
          assert.deepEqual(Array.from(fromBool), [0, 1, 1, 0]);
        });
      });
    }

    it('binary and where on int32 and bool buffers', () => {
      const rng = makeRng(9);
      for (const op of ['add', 'sub', 'mul', 'maximum', 'minimum', ...COMPARISONS] as BinaryOp[]) {
        for (const [aShape, bShape] of BROADCAST_CASES) {
          const a = randomArray('int32', sizeOf(aShape), rng, -5, 5);
          const b = randomArray('int32', sizeOf(bShape), rng, -5, 5);
          const outDType: DType = COMPARISONS.includes(op) ? 'bool' : 'int32';
          const { out: expected, shape } = referenceBinary(op, a, aShape, b, bShape, outDType);
          const out = backend.allocate(outDType, sizeOf(shape));
          backend.binary(op, a, aShape, b, bShape, out, shape);
          assert.deepEqual(Array.from(out), expected, `int32 ${op} ${JSON.stringify([aShape, bShape])}`);
        }
      }
      // bool maximum/minimum are logical or/and.
      const p = Uint8Array.from([0, 0, 1, 1]);
      const q = Uint8Array.from([0, 1, 0, 1]);
      const or = new Uint8Array(4);
      const and = new Uint8Array(4);
      backend.binary('maximum', p, [4], q, [4], or, [4]);
      backend.binary('minimum', p, [4], q, [4], and, [4]);
      assert.deepEqual([...or, ...and], [0, 1, 1, 1, 0, 0, 0, 1]);
      const chosen = new Int32Array(4);
      backend.where(p, [4], Int32Array.from([1, 2, 3, 4]), [4], Int32Array.of(-1), [], chosen, [4]);
      assert.deepEqual(Array.from(chosen), [-1, -1, 3, 4]);
      const notOut = new Uint8Array(4);
      backend.unary('not', Int32Array.from([0, 5, -1, 0]), notOut);
      assert.deepEqual(Array.from(notOut), [1, 0, 0, 1]);
      const ints = Int32Array.from([3, -4, 0]);
      for (const [op, expected] of [
        ['neg', [-3, 4, 0]],
        ['abs', [3, 4, 0]],
        ['sign', [1, -1, 0]],
        ['relu', [3, 0, 0]],
      ] as [UnaryOp, number[]][]) {
        const out = new Int32Array(3);
        backend.unary(op, ints, out);
        assert.deepEqual(Array.from(out), expected, `int32 ${op}`);
      }
    });

    it('exercised every primitive of the interface', () => {
      const missing = BACKEND_PRIMITIVES.filter((p) => p !== 'name' && !called.has(p));
      assert.deepEqual(missing, [], `the spec never called: ${missing.join(', ')}`);
    });
  });
}
