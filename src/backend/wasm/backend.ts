/**
 * The WebAssembly SIMD backend: the reference backend with its hot float32 primitives replaced by
 * kernels compiled from wasm/: GEMM in every transpose variant (split across threads where the
 * kernels have a pool); add/sub/mul/div on equal shapes, scalars and rows; comparisons; relu, neg,
 * abs, sqrt and relu's gradient; Adam's update; sums; arg-max/min; im2col/col2im; max pooling; and
 * convolution with its two gradients, one image at a time (its columns built in WebAssembly memory
 * and multiplied there, so the column buffer of the whole batch never exists and only the images,
 * the weights and the result are copied). Every other primitive, every other dtype and every
 * shape these kernels do not cover falls through to the reference, so a primitive added to the
 * interface works here the day it lands in the JS backend. float64 matmul stays on the reference
 * (float64 is for gradient checks, not for speed).
 */
import type { AdamSpec, Backend, BinaryOp, Im2colSpec, MatmulSpec, ReduceOp, UnaryOp } from '../backend.js';
import { convSizes } from '../js/conv.js';
import { adamScalars, createJsBackend } from '../js/index.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { BINARY_CODE, COMPARE_CODE, UNARY_CODE, type WasmKernels } from './kernels.js';

export interface WasmBackendOptions {
  /**
   * Elementwise ops and reductions on fewer elements than this run in the reference loops, where
   * copying into WebAssembly memory and the call cost more than they save (default 256, about where
   * they break even on this machine; matmul always runs in WebAssembly). 0 sends every size through
   * the kernels, as the tests do.
   */
  minElements?: number;
}

const f32 = (x: TypedArray): x is Float32Array => x instanceof Float32Array;

/** bShape, without leading 1s, equals the trailing dims of outShape (a bias over rows). */
function broadcastsOverRows(bShape: readonly number[], outShape: readonly number[]): boolean {
  let s = 0;
  while (s < bShape.length && bShape[s] === 1) s++;
  const dims = bShape.length - s;
  if (dims === 0 || dims > outShape.length) return false;
  for (let d = 0; d < dims; d++) if (bShape[s + d] !== outShape[outShape.length - dims + d]) return false;
  return true;
}

/**
 * bShape, without leading 1s, is [d_i, …, d_{n−2}, 1] for the dims of outShape before its last: one
 * value per row of out viewed as [rows, last dim], repeating with period b.length (a keepdim
 * reduction's result, or a conv bias [C, 1] over [N, C, H·W]).
 */
function broadcastsAlongRows(bShape: readonly number[], outShape: readonly number[]): boolean {
  let s = 0;
  while (s < bShape.length && bShape[s] === 1) s++;
  const dims = bShape.length - s; // the last of them is the 1
  const nd = outShape.length;
  if (dims < 2 || dims > nd || bShape[bShape.length - 1] !== 1) return false;
  for (let d = 0; d < dims - 1; d++) if (bShape[s + d] !== outShape[nd - dims + d]) return false;
  return true;
}

export function createWasmBackend(kernels: WasmKernels, options: WasmBackendOptions = {}): Backend {
  const js = createJsBackend();
  const minElements = options.minElements ?? 256;
  const k = kernels.exports;

  function matmul(a: TypedArray, b: TypedArray, out: TypedArray, spec: MatmulSpec): void {
    if (!f32(a) || !f32(b) || !f32(out)) return js.matmul(a, b, out, spec);
    const { batch, m, k: depth, n, transA, transB, strideA, strideB } = spec;
    if (batch <= 0 || m <= 0 || n <= 0) return;
    // Only the extent the batches read is copied: a stride of 0 copies one matrix.
    const extentA = Math.min(a.length, (batch - 1) * strideA + m * depth);
    const extentB = Math.min(b.length, (batch - 1) * strideB + depth * n);
    const [pa, pb, pc] = kernels.scratch(4 * extentA, 4 * extentB, 4 * batch * m * n);
    kernels.write(pa!, extentA === a.length ? a : a.subarray(0, extentA));
    kernels.write(pb!, extentB === b.length ? b : b.subarray(0, extentB));
    kernels.gemm({ a: pa!, b: pb!, c: pc!, m, k: depth, n, transA, transB, batch, strideA, strideB });
    kernels.read(pc!, out.length === batch * m * n ? out : out.subarray(0, batch * m * n));
  }

  function unary(op: UnaryOp, x: TypedArray, out: TypedArray): void {
    const code = UNARY_CODE[op as keyof typeof UNARY_CODE];
    if (code === undefined || !f32(x) || !f32(out) || x.length < minElements) return js.unary(op, x, out);
    const [px, po] = kernels.scratch(4 * x.length, 4 * x.length);
    kernels.write(px!, x);
    k.unaryF32(code, px!, po!, x.length);
    kernels.read(po!, out);
  }

  function binary(
    op: BinaryOp,
    a: TypedArray,
    aShape: readonly number[],
    b: TypedArray,
    bShape: readonly number[],
    out: TypedArray,
    outShape: readonly number[],
  ): void {
    const n = out.length;
    if (op in COMPARE_CODE && out instanceof Uint8Array && f32(a) && f32(b) && n >= minElements) {
      if (compare(op as keyof typeof COMPARE_CODE, a, b, out)) return;
    }
    const code = BINARY_CODE[op as keyof typeof BINARY_CODE];
    if (code === undefined || !f32(a) || !f32(b) || !f32(out) || n < minElements) {
      return js.binary(op, a, aShape, b, bShape, out, outShape);
    }
    if (a.length === n && b.length === n) {
      const [pa, pb, po] = kernels.scratch(4 * n, 4 * n, 4 * n);
      kernels.write(pa!, a);
      kernels.write(pb!, b);
      k.binaryF32(code, pa!, pb!, po!, n);
      kernels.read(po!, out);
    } else if ((a.length === n && b.length === 1) || (a.length === 1 && b.length === n)) {
      const reversed = a.length === 1;
      const [px, po] = kernels.scratch(4 * n, 4 * n);
      kernels.write(px!, reversed ? b : a);
      k.binaryScalarF32(code, px!, reversed ? a[0]! : b[0]!, reversed ? 1 : 0, po!, n);
      kernels.read(po!, out);
    } else if (
      a.length === n &&
      (broadcastsOverRows(bShape, outShape) || broadcastsAlongRows(bShape, outShape))
    ) {
      const perRow = !broadcastsOverRows(bShape, outShape);
      const cols = perRow ? outShape[outShape.length - 1]! : b.length;
      const [pa, pb, po] = kernels.scratch(4 * n, 4 * b.length, 4 * n);
      kernels.write(pa!, a);
      kernels.write(pb!, b);
      k.binaryRowsF32(code, pa!, pb!, perRow ? b.length : 0, po!, n / cols, cols);
      kernels.read(po!, out);
    } else {
      js.binary(op, a, aShape, b, bShape, out, outShape);
    }
  }

  function reluGrad(g: TypedArray, x: TypedArray, out: TypedArray): void {
    const n = out.length;
    if (!f32(g) || !f32(x) || !f32(out) || n < minElements) return js.reluGrad(g, x, out);
    const [pg, px, po] = kernels.scratch(4 * n, 4 * n, 4 * n);
    kernels.write(pg!, g);
    kernels.write(px!, x);
    k.reluGradF32(pg!, px!, po!, n);
    kernels.read(po!, out);
  }

  function adam(
    g: TypedArray,
    m: TypedArray,
    v: TypedArray,
    spec: AdamSpec,
    mOut: TypedArray,
    vOut: TypedArray,
    u: TypedArray,
  ): void {
    const n = u.length;
    if (![g, m, v, mOut, vOut, u].every(f32) || n < minElements) return js.adam(g, m, v, spec, mOut, vOut, u);
    const [pg, pm, pv, pmo, pvo, pu] = kernels.scratch(4 * n, 4 * n, 4 * n, 4 * n, 4 * n, 4 * n);
    kernels.write(pg!, g as Float32Array);
    kernels.write(pm!, m as Float32Array);
    kernels.write(pv!, v as Float32Array);
    const [b1, a1, b2, a2, eps, c2, c1] = adamScalars(spec).map(Math.fround);
    k.adamF32(pg!, pm!, pv!, b1!, a1!, b2!, a2!, eps!, c2!, c1!, pmo!, pvo!, pu!, n);
    kernels.read(pmo!, mOut as Float32Array);
    kernels.read(pvo!, vOut as Float32Array);
    kernels.read(pu!, u as Float32Array);
  }

  /** A comparison of equal shapes or against a scalar into 0/1 bytes; false for other broadcasts. */
  function compare(
    op: keyof typeof COMPARE_CODE,
    a: Float32Array,
    b: Float32Array,
    out: Uint8Array,
  ): boolean {
    const n = out.length;
    if (!((a.length === n || a.length === 1) && (b.length === n || b.length === 1))) return false;
    const { base, swap, negate } = COMPARE_CODE[op];
    const [x, y] = swap ? [b, a] : [a, b];
    const [px, py, po] = kernels.scratch(4 * x.length, 4 * y.length, n);
    kernels.write(px!, x);
    kernels.write(py!, y);
    k.compareF32(base, negate ? 1 : 0, px!, x.length < n ? 1 : 0, py!, y.length < n ? 1 : 0, po!, n);
    kernels.readBytes(po!, out);
    return true;
  }

  function reduce(
    op: ReduceOp,
    x: TypedArray,
    outer: number,
    reduced: number,
    inner: number,
    out: TypedArray,
  ): void {
    if (op !== 'sum' || !f32(x) || !f32(out) || x.length < minElements || x.length === 0) {
      return js.reduce(op, x, outer, reduced, inner, out);
    }
    const [px, po, acc] = kernels.scratch(4 * x.length, 4 * outer * inner, 8 * inner);
    kernels.write(px!, x);
    k.sumF32(px!, outer, reduced, inner, po!, acc!);
    kernels.read(po!, out);
  }

  function argReduce(
    op: 'max' | 'min',
    x: TypedArray,
    outer: number,
    reduced: number,
    inner: number,
    values: TypedArray,
    indices: Int32Array,
  ): void {
    if (!f32(x) || !f32(values) || x.length < minElements || reduced === 0) {
      return js.argReduce(op, x, outer, reduced, inner, values, indices);
    }
    const [px, pv, pi] = kernels.scratch(4 * x.length, 4 * outer * inner, 4 * outer * inner);
    kernels.write(px!, x);
    k.argReduceF32(op === 'max' ? 1 : 0, px!, outer, reduced, inner, pv!, pi!);
    kernels.read(pv!, values);
    kernels.readInt32(pi!, indices);
  }

  /** The geometry arguments of the sliding-window kernels, after the planes count. */
  const geometry = (s: Im2colSpec) =>
    [s.height, s.width, s.kernelH, s.kernelW, s.strideH, s.strideW, s.padTop, s.padLeft, s.dilationH, s.dilationW, s.outH, s.outW] as const; // prettier-ignore

  function im2col(x: TypedArray, spec: Im2colSpec, out: TypedArray): void {
    if (!f32(x) || !f32(out) || out.length === 0) return js.im2col(x, spec, out);
    const planes = spec.batch * spec.channels;
    const [px, po] = kernels.scratch(4 * x.length, 4 * out.length);
    kernels.write(px!, x);
    k.im2colF32(px!, planes, ...geometry(spec), spec.padValue ?? 0, po!);
    kernels.read(po!, out);
  }

  function col2im(cols: TypedArray, spec: Im2colSpec, out: TypedArray): void {
    if (!f32(cols) || !f32(out) || cols.length === 0) return js.col2im(cols, spec, out);
    const planes = spec.batch * spec.channels;
    const [pc, po] = kernels.scratch(4 * cols.length, 4 * out.length);
    kernels.write(pc!, cols);
    kernels.write(po!, out);
    k.col2imF32(pc!, planes, ...geometry(spec), po!);
    kernels.read(po!, out);
  }

  function maxPool2d(x: TypedArray, spec: Im2colSpec, values: TypedArray, indices: Int32Array): void {
    if (!f32(x) || !f32(values) || values.length === 0) return js.maxPool2d(x, spec, values, indices);
    const planes = spec.batch * spec.channels;
    const threads = kernels.convThreads(x.length, planes);
    const [job, px, pv, pi] = kernels.scratch(
      4 * k.convJobSlots(),
      4 * x.length,
      4 * values.length,
      4 * values.length,
    );
    kernels.write(px!, x);
    // A job of wasm/conv-batch.ts (kind 3): the planes shared out between threads.
    kernels.runConv(job!, {
      kind: 3, x: px!, y: pv!, dx: pi!, batch: planes, channels: 1, geometry: geometry(spec), threads,
    }); // prettier-ignore
    kernels.read(pv!, values);
    kernels.readInt32(pi!, indices);
  }

  /** Byte stride between threads' copies of a per-thread buffer of `bytes`. */
  const perThread = (bytes: number) => Math.ceil(bytes / 64) * 64;
  /** Images of a weight gradient are summed in this many fixed chunks (see wasm/conv-batch.ts). */
  const WEIGHT_GRAD_CHUNKS = 8;

  interface ConvJob {
    kind: 0 | 1 | 2;
    x?: number;
    w?: number;
    y: number;
    dx?: number;
    acc?: number;
    spec: Im2colSpec;
    groups: number;
    sizes: ReturnType<typeof convSizes>;
    size: number;
    threads: number;
    chunks?: number;
    cols: number;
    tmp?: number;
    tmpStride?: number;
  }

  /** Runs a convolution job of wasm/conv-batch.ts, its sizes derived from the spec. */
  function runConv(at: number, job: ConvJob): void {
    const { spec, groups, sizes, ...fields } = job;
    kernels.runConv(at, {
      ...fields,
      batch: spec.batch,
      channels: spec.channels,
      geometry: geometry(spec),
      groups,
      perGroup: sizes.perGroup,
      rows: sizes.rows,
      spatial: sizes.spatial,
      image: sizes.image,
      perImage: groups * sizes.perGroup * sizes.spatial,
      colsStride: perThread(4 * sizes.cols),
    });
  }

  /** Threads for a convolution pass: its multiply-adds are batch·groups·perGroup·rows·spatial. */
  const convThreads = (spec: Im2colSpec, groups: number, sizes: ReturnType<typeof convSizes>) =>
    kernels.convThreads(spec.batch * groups * sizes.perGroup * sizes.rows * sizes.spatial, spec.batch);

  function conv2d(
    x: TypedArray,
    w: TypedArray,
    bias: TypedArray | null,
    spec: Im2colSpec,
    groups: number,
    out: TypedArray,
  ): void {
    if (!f32(x) || !f32(w) || !f32(out) || (bias && !f32(bias)) || out.length === 0)
      return js.conv2d(x, w, bias, spec, groups, out);
    const sizes = convSizes(w.length, spec, groups);
    const outChannels = groups * sizes.perGroup;
    const threads = convThreads(spec, groups, sizes);
    const [job, px, pw, py, pb, pc] = kernels.scratch(
      4 * k.convJobSlots(),
      4 * x.length,
      4 * w.length,
      4 * out.length,
      4 * outChannels,
      threads * perThread(4 * sizes.cols),
    );
    kernels.write(px!, x);
    kernels.write(pw!, w);
    runConv(job!, {
      kind: 0,
      x: px!,
      w: pw!,
      y: py!,
      spec,
      groups,
      sizes,
      size: w.length,
      threads,
      cols: pc!,
    });
    // The bias, one value per row of out viewed as [batch·outChannels, spatial].
    if (bias) {
      kernels.write(pb!, bias as Float32Array);
      k.binaryRowsF32(BINARY_CODE.add, py!, pb!, outChannels, py!, spec.batch * outChannels, sizes.spatial);
    }
    kernels.read(py!, out);
  }

  function conv2dInputGrad(
    dy: TypedArray,
    w: TypedArray,
    spec: Im2colSpec,
    groups: number,
    out: TypedArray,
  ): void {
    if (!f32(dy) || !f32(w) || !f32(out) || out.length === 0)
      return js.conv2dInputGrad(dy, w, spec, groups, out);
    const sizes = convSizes(w.length, spec, groups);
    const threads = convThreads(spec, groups, sizes);
    const [job, pdy, pw, pdx, pc] = kernels.scratch(
      4 * k.convJobSlots(),
      4 * dy.length,
      4 * w.length,
      4 * out.length,
      threads * perThread(4 * sizes.cols),
    );
    kernels.write(pdy!, dy);
    kernels.write(pw!, w);
    runConv(job!, {
      kind: 1,
      w: pw!,
      y: pdy!,
      dx: pdx!,
      spec,
      groups,
      sizes,
      size: w.length,
      threads,
      cols: pc!,
    });
    kernels.read(pdx!, out);
  }

  function conv2dWeightGrad(
    x: TypedArray,
    dy: TypedArray,
    spec: Im2colSpec,
    groups: number,
    out: TypedArray,
  ): void {
    if (!f32(x) || !f32(dy) || !f32(out) || out.length === 0)
      return js.conv2dWeightGrad(x, dy, spec, groups, out);
    const sizes = convSizes(out.length, spec, groups);
    const size = out.length;
    const threads = convThreads(spec, groups, sizes);
    const chunks = Math.max(1, Math.min(spec.batch, WEIGHT_GRAD_CHUNKS));
    const tmpStride = perThread(4 * size);
    const [job, px, pdy, pout, acc, pc, tmp] = kernels.scratch(
      4 * k.convJobSlots(),
      4 * x.length,
      4 * dy.length,
      4 * size,
      chunks * 8 * size,
      threads * perThread(4 * sizes.cols),
      threads * tmpStride,
    );
    kernels.write(px!, x);
    kernels.write(pdy!, dy);
    runConv(job!, {
      kind: 2, x: px!, y: pdy!, acc: acc!, spec, groups, sizes, size, threads, chunks, cols: pc!, tmp: tmp!, tmpStride,
    }); // prettier-ignore
    k.sumChunksF64(acc!, chunks, size, pout!);
    kernels.read(pout!, out);
  }

  return {
    ...js,
    name: 'wasm',
    matmul,
    unary,
    binary,
    reluGrad,
    adam,
    reduce,
    argReduce,
    im2col,
    col2im,
    maxPool2d,
    conv2d,
    conv2dInputGrad,
    conv2dWeightGrad,
  };
}
