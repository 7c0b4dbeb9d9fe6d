/**
 * The JS side of the WebAssembly kernels (sources in wasm/, built by scripts/build-wasm.ts): one
 * instance of the module, its linear memory, and a scratch area that each backend call lays its
 * operands out in. Operands are copied in and results copied out, so tensors keep plain typed arrays
 * in the JS heap; the copies cost O(n) against GEMM's O(n³), and measured, they still leave the
 * elementwise loops several times faster than the reference loops from a few hundred elements up.
 *
 * Nothing here touches the file system or starts threads: the module is passed in (compiled from
 * bytes read in Node by ./node.ts, or fetched in a browser), and so is the thread pool (./threads.ts).
 */

/** Which build of the kernels: with relaxed-SIMD fused multiply-add, or plain SIMD. */
export type WasmVariant = 'relaxed' | 'simd';

/** The module's exports (wasm/index.ts); pointers are byte addresses, counts are elements. */
export interface KernelExports {
  memory?: WebAssembly.Memory;
  heapBase(): number;
  sgemmWorkspace(): number;
  sgemmRowAlign(): number;
  sgemmColAlign(): number;
  sgemmCols(
    a: number, b: number, c: number, m: number, k: number, n: number, transA: number, transB: number,
    colStart: number, colEnd: number, work: number,
  ): void; // prettier-ignore
  sgemm(
    a: number, b: number, c: number, m: number, k: number, n: number, transA: number, transB: number,
    rowStart: number, rowEnd: number, work: number,
  ): void; // prettier-ignore
  binaryF32(op: number, a: number, b: number, out: number, n: number): void;
  binaryScalarF32(op: number, a: number, s: number, reversed: number, out: number, n: number): void;
  binaryRowsF32(
    op: number,
    a: number,
    b: number,
    period: number,
    out: number,
    rows: number,
    cols: number,
  ): void;
  unaryF32(op: number, x: number, out: number, n: number): void;
  reluGradF32(g: number, x: number, out: number, n: number): void;
  adamF32(
    g: number, m: number, v: number, b1: number, a1: number, b2: number, a2: number, eps: number, c2: number, c1: number,
    mOut: number, vOut: number, u: number, n: number,
  ): void; // prettier-ignore
  compareF32(
    base: number, negate: number, a: number, aScalar: number, b: number, bScalar: number, out: number, n: number,
  ): void; // prettier-ignore
  sumF32(x: number, outer: number, reduced: number, inner: number, out: number, acc: number): void;
  argReduceF32(
    isMax: number, x: number, outer: number, reduced: number, inner: number, values: number, indices: number,
  ): void; // prettier-ignore
  im2colF32(
    x: number, planes: number, height: number, width: number, kh: number, kw: number, sh: number, sw: number,
    pt: number, pl: number, dh: number, dw: number, oh: number, ow: number, pad: number, out: number,
  ): void; // prettier-ignore
  col2imF32(
    cols: number, planes: number, height: number, width: number, kh: number, kw: number, sh: number, sw: number,
    pt: number, pl: number, dh: number, dw: number, oh: number, ow: number, out: number,
  ): void; // prettier-ignore
  maxPool2dF32(
    x: number, planeStart: number, planeEnd: number, height: number, width: number, kh: number, kw: number, sh: number, sw: number,
    pt: number, pl: number, dh: number, dw: number, oh: number, ow: number, values: number, indices: number,
  ): void; // prettier-ignore
  accumulateF64(acc: number, x: number, n: number): void;
  convJobSlots(): number;
  convThread(job: number, index: number): void;
  sumChunksF64(acc: number, chunks: number, size: number, out: number): void;
  roundF64(acc: number, out: number, n: number): void;
  zeroBytes(at: number, bytes: number): void;
}

/** One batched GEMM on operands already in memory (byte addresses; strides in elements). */
export interface GemmJob {
  a: number;
  b: number;
  c: number;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  batch: number;
  strideA: number;
  strideB: number;
}

/** Splits GEMMs by rows of C across threads that share the kernels' memory (./threads.ts). */
export interface GemmPool {
  /** Threads taking part, the caller included. */
  readonly threads: number;
  /**
   * Runs the job split by rows of C (or by columns with `byColumns`), `perThread` each, the caller
   * computing its own share with `own(start, end)`; returns false (having done nothing) when the
   * workers are not ready, and the caller then runs it alone.
   */
  run(
    job: GemmJob,
    perThread: number,
    own: (start: number, end: number) => void,
    byColumns?: boolean,
  ): boolean;
  /**
   * Runs the convolution job written at byte address `job` (wasm/conv-batch.ts) on every thread, the
   * caller's share through `own()`; false (having done nothing) when the workers are not ready.
   */
  runConv(job: number, own: () => void): boolean;
  /** Whether every worker has started and none has failed. */
  ready(): boolean;
  /** Blocks until every worker has started (true), or for at most `timeoutMs` (false). */
  waitUntilReady(timeoutMs: number): boolean;
  /** Stops the workers. */
  close(): void;
}

/** Op codes of wasm/elementwise.ts. */
export const BINARY_CODE = { add: 0, sub: 1, mul: 2, div: 3 } as const;
export const UNARY_CODE = { relu: 0, neg: 1, abs: 2, sqrt: 3 } as const;
/** Comparisons as one of wasm/elementwise.ts's eq/lt/le, with the operands swapped or the result negated. */
export const COMPARE_CODE = {
  eq: { base: 0, swap: false, negate: false },
  ne: { base: 0, swap: false, negate: true },
  lt: { base: 1, swap: false, negate: false },
  le: { base: 2, swap: false, negate: false },
  gt: { base: 1, swap: true, negate: false },
  ge: { base: 2, swap: true, negate: false },
} as const;

/**
 * The slots (i32) of a job of wasm/conv-batch.ts, by name: the one JS-side copy of its layout.
 * `geometry` starts 12 slots: height, width, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow.
 */
export const CONV_JOB = {
  kind: 0, x: 1, w: 2, y: 3, dx: 4, acc: 5, batch: 6, channels: 7, geometry: 8, groups: 20, perGroup: 21,
  rows: 22, spatial: 23, image: 24, perImage: 25, size: 26, threads: 27, chunks: 28, cols: 29,
  colsStride: 30, tmp: 31, tmpStride: 32, work: 33, workStride: 34,
} as const; // prettier-ignore

/** A job's fields (the slots not given are 0) and its geometry's 12 values. */
export type ConvJobFields = Partial<Record<Exclude<keyof typeof CONV_JOB, 'geometry'>, number>> & {
  geometry: readonly number[];
};

/** Below this many multiply-adds (m·k·n per matrix), a GEMM runs on the calling thread alone. */
const MIN_THREADED_MACS = 1 << 20;

const PAGE = 65536;
const ALIGN = 64;
const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

export interface WasmKernelsOptions {
  /** The memory to import: a shared one for the threaded builds (which import theirs). */
  memory?: WebAssembly.Memory;
  /** Threads that will run GEMMs (the caller included), to reserve a packing workspace for each. */
  threads?: number;
}

export class WasmKernels {
  readonly variant: WasmVariant;
  readonly exports: KernelExports;
  readonly memory: WebAssembly.Memory;
  /** Where each thread's sgemm packing workspace starts (thread i at gemmWork + i·gemmWorkBytes). */
  readonly gemmWork: number;
  readonly gemmWorkBytes: number;
  /** Row splits between threads are multiples of this. */
  readonly rowAlign: number;
  /** Column splits between threads are multiples of this. */
  readonly colAlign: number;
  private readonly scratchBase: number;
  private view: Float32Array;
  private pool: GemmPool | null = null;

  constructor(module: WebAssembly.Module, variant: WasmVariant, options: WasmKernelsOptions = {}) {
    this.variant = variant;
    const imports: WebAssembly.Imports = options.memory ? { env: { memory: options.memory } } : {};
    this.exports = new WebAssembly.Instance(module, imports).exports as unknown as KernelExports;
    const memory = options.memory ?? this.exports.memory;
    if (!memory) throw new Error('wasm backend: the module neither exports nor imports a memory');
    this.memory = memory;
    this.gemmWork = alignUp(this.exports.heapBase());
    this.gemmWorkBytes = alignUp(this.exports.sgemmWorkspace());
    this.rowAlign = this.exports.sgemmRowAlign();
    this.colAlign = this.exports.sgemmColAlign();
    this.scratchBase = this.gemmWork + Math.max(1, options.threads ?? 1) * this.gemmWorkBytes;
    this.ensure(this.scratchBase);
    this.view = new Float32Array(this.memory.buffer);
  }

  /** Attaches the thread pool that GEMMs are split over (null: the calling thread only). */
  setPool(pool: GemmPool | null): void {
    this.pool = pool;
  }

  /** Stops the pool's workers; GEMMs then run on the calling thread. */
  close(): void {
    this.pool?.close();
    this.pool = null;
  }

  /** Blocks until the pool's workers have started (they start in the background), at most `timeoutMs`. */
  waitForThreads(timeoutMs = 10_000): boolean {
    return this.pool ? this.pool.waitUntilReady(timeoutMs) : true;
  }

  /** Whether every worker of the pool has started (true without a pool): a check that never blocks. */
  threadsReady(): boolean {
    return this.pool ? this.pool.ready() : true;
  }

  /** Threads a large GEMM runs on. */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  /**
   * Lays out one call's operands: returns the byte address of a region of each given size (64-byte
   * aligned), growing the memory when needed. Each call reuses the same area, so the regions are
   * valid until the next call; the memory only grows to the largest call's needs.
   */
  scratch(...sizes: number[]): number[] {
    let at = this.scratchBase;
    const addresses = sizes.map((bytes) => {
      const address = at;
      at = alignUp(at + bytes);
      return address;
    });
    this.ensure(at);
    return addresses;
  }

  /** A float32 view of the whole memory (renewed after the memory grows). */
  f32(): Float32Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }

  /** Copies `data` into memory at byte address `at`. */
  write(at: number, data: Float32Array): void {
    this.f32().set(data, at >>> 2);
  }

  /** Copies `out.length` floats from byte address `at` into `out`. */
  read(at: number, out: Float32Array): void {
    out.set(this.f32().subarray(at >>> 2, (at >>> 2) + out.length));
  }

  /** Copies `out.length` int32s from byte address `at` into `out`. */
  readInt32(at: number, out: Int32Array): void {
    out.set(new Int32Array(this.memory.buffer, at, out.length));
  }

  /** Copies `out.length` bytes from byte address `at` into `out`. */
  readBytes(at: number, out: Uint8Array): void {
    out.set(new Uint8Array(this.memory.buffer, at, out.length));
  }

  /**
   * C = op(A)·op(B) for each batch, split across the pool's threads when it is large enough: by rows
   * of C, or by columns when C has fewer rows than columns. Each thread packs all of the other
   * operand, so the split goes along the side whose duplicated packing is the smaller (a batch of 128
   * times a 784×256 weight: by columns, each thread packs A's 100k floats instead of B's 200k). The
   * split is a multiple of the micro-kernel's rows or columns, so every thread count computes exactly
   * the same tiles and gives bit-identical results.
   */
  gemm(job: GemmJob): void {
    const { m, k, n } = job;
    const pool = this.pool;
    if (pool && pool.threads > 1 && m * k * n >= MIN_THREADED_MACS) {
      const split = (extent: number, align: number) =>
        Math.ceil(Math.ceil(extent / pool.threads) / align) * align;
      if (m < n && n >= 2 * this.colAlign) {
        const perThread = split(n, this.colAlign);
        if (pool.run(job, perThread, (c0, c1) => this.gemmCols(job, c0, c1, this.gemmWork), true)) return;
      } else if (m >= 2 * this.rowAlign) {
        const perThread = split(m, this.rowAlign);
        if (pool.run(job, perThread, (r0, r1) => this.gemmRows(job, r0, r1, this.gemmWork))) return;
      }
    }
    this.gemmRows(job, 0, m, this.gemmWork);
  }

  /**
   * The threads a convolution of `macs` multiply-adds over `batch` images would run on now: the pool's
   * when it is ready and the job is large enough to pay for the dispatch, else 1.
   */
  convThreads(macs: number, batch: number): number {
    const pool = this.pool;
    return pool && pool.threads > 1 && batch > 1 && macs >= MIN_THREADED_MACS && pool.ready()
      ? pool.threads
      : 1;
  }

  /**
   * Writes the job's fields at byte address `job` (wasm/conv-batch.ts reads them there) and runs it
   * on `fields.threads` threads (from convThreads): on the pool, or on the calling thread alone. Each
   * thread's column buffer and one-image gradient lie where the fields say; the packing workspaces
   * are filled in here.
   */
  runConv(job: number, fields: ConvJobFields): void {
    const slots = new Int32Array(this.memory.buffer, job, this.exports.convJobSlots()).fill(0);
    for (const [name, value] of Object.entries(fields)) {
      if (name !== 'geometry') slots[CONV_JOB[name as keyof typeof CONV_JOB]] = value as number;
    }
    slots.set(fields.geometry, CONV_JOB.geometry);
    slots[CONV_JOB.work] = this.gemmWork;
    slots[CONV_JOB.workStride] = this.gemmWorkBytes;
    const threads = fields.threads ?? 1;
    slots[CONV_JOB.threads] = threads;
    if (threads > 1 && this.pool?.runConv(job, () => this.exports.convThread(job, 0))) return;
    // Alone (a worker died since convThreads): thread 0's buffers serve for every share.
    slots[CONV_JOB.threads] = 1;
    this.exports.convThread(job, 0);
  }

  /** Rows [rowStart, rowEnd) of every batch of a GEMM, packing in the workspace at `work`. */
  gemmRows(job: GemmJob, rowStart: number, rowEnd: number, work: number): void {
    this.gemmPart(this.exports.sgemm, job, rowStart, rowEnd, work);
  }

  /** Columns [colStart, colEnd) of every batch of a GEMM, packing in the workspace at `work`. */
  gemmCols(job: GemmJob, colStart: number, colEnd: number, work: number): void {
    this.gemmPart(this.exports.sgemmCols, job, colStart, colEnd, work);
  }

  private gemmPart(
    part: KernelExports['sgemm'],
    job: GemmJob,
    start: number,
    end: number,
    work: number,
  ): void {
    const { a, b, c, m, k, n, batch, strideA, strideB } = job;
    const ta = job.transA ? 1 : 0;
    const tb = job.transB ? 1 : 0;
    for (let p = 0; p < batch; p++) {
      part(a + 4 * p * strideA, b + 4 * p * strideB, c + 4 * p * m * n, m, k, n, ta, tb, start, end, work);
    }
  }

  private ensure(bytes: number): void {
    const missing = bytes - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / PAGE));
  }
}
