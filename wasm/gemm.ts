// AssemblyScript (compiled by scripts/build-wasm.ts, not by tsc): single-precision GEMM.
//
// C[m, n] = op(A)[m, k] · op(B)[k, n], every operand in this module's linear memory, row-major.
// The blocked algorithm of Goto and van de Geijn (as in BLIS): a KC × NC block of op(B) is packed
// into panels of NR columns, an MC × KC block of op(A) into panels of MR rows, and a register-blocked
// micro-kernel multiplies one A panel by one B panel into an MR × NR tile of C held in SIMD
// registers. Packing absorbs the transposes, so all four variants run the same micro-kernel on
// contiguous memory, and the packing itself reads the operands with SIMD loads in every variant.

/**
 * Rows of the C tile held in registers. V8 on x64 allocates 15 of the 16 XMM registers to wasm: a
 * 6 × 8 tile (12 accumulators, 2 B vectors, 1 A broadcast) fits with fused multiply-add, but a
 * separate multiply needs one more register for the product, so the plain-SIMD build uses 5 × 8
 * (measured: a 6 × 8 tile spills there and runs at half the speed).
 */
export const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;
/** Columns of the C tile: two f32x4 vectors. */
export const NR: i32 = 8;
/** Depth of one packed block: an MR × KC panel of A and a KC × NR panel of B stay in L1. */
export const KC: i32 = 256;
/** Rows of one packed A block (a multiple of MR): MC × KC floats stay in L2. */
export const MC: i32 = MR * 16;
/** Columns of one packed B block (a multiple of NR): KC × NC floats stay in L2/L3. */
export const NC: i32 = 2048;

/** f32x4 a·b + c: fused where the module is built with relaxed SIMD, else a multiply then an add. */
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * The micro-kernel: the MR × NR tile at c (row stride ldc floats) is set (accumulate = 0) or
 * incremented by the product of the packed panels a ([kc][MR]) and b ([kc][NR]). The accumulators
 * start from C rather than being added to it after the loop: with the addition after the loop, V8's
 * register allocator spills inside the loop (measured: half the speed).
 */
function kernel(kc: i32, a: usize, b: usize, c: usize, ldc: i32, accumulate: i32): void {
  if (MR == 6) kernel6x8(kc, a, b, c, ldc, accumulate);
  else kernel5x8(kc, a, b, c, ldc, accumulate);
}

function kernel5x8(kc: i32, a: usize, b: usize, c: usize, ldc: i32, accumulate: i32): void {
  const row = (<usize>ldc) << 2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  if (accumulate) {
    let t = c;
    c00 = v128.load(t); c01 = v128.load(t, 16); t += row;
    c10 = v128.load(t); c11 = v128.load(t, 16); t += row;
    c20 = v128.load(t); c21 = v128.load(t, 16); t += row;
    c30 = v128.load(t); c31 = v128.load(t, 16); t += row;
    c40 = v128.load(t); c41 = v128.load(t, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    x = v128.load32_splat(a, 16);
    c40 = madd(x, b0, c40); c41 = madd(x, b1, c41);
    a += 20;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += row;
  v128.store(c, c10); v128.store(c, c11, 16); c += row;
  v128.store(c, c20); v128.store(c, c21, 16); c += row;
  v128.store(c, c30); v128.store(c, c31, 16); c += row;
  v128.store(c, c40); v128.store(c, c41, 16);
} // prettier-ignore

function kernel6x8(kc: i32, a: usize, b: usize, c: usize, ldc: i32, accumulate: i32): void {
  const row = (<usize>ldc) << 2;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  if (accumulate) {
    let t = c;
    c00 = v128.load(t); c01 = v128.load(t, 16); t += row;
    c10 = v128.load(t); c11 = v128.load(t, 16); t += row;
    c20 = v128.load(t); c21 = v128.load(t, 16); t += row;
    c30 = v128.load(t); c31 = v128.load(t, 16); t += row;
    c40 = v128.load(t); c41 = v128.load(t, 16); t += row;
    c50 = v128.load(t); c51 = v128.load(t, 16);
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    x = v128.load32_splat(a, 16);
    c40 = madd(x, b0, c40); c41 = madd(x, b1, c41);
    x = v128.load32_splat(a, 20);
    c50 = madd(x, b0, c50); c51 = madd(x, b1, c51);
    a += 24;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16); c += row;
  v128.store(c, c10); v128.store(c, c11, 16); c += row;
  v128.store(c, c20); v128.store(c, c21, 16); c += row;
  v128.store(c, c30); v128.store(c, c31, 16); c += row;
  v128.store(c, c40); v128.store(c, c41, 16); c += row;
  v128.store(c, c50); v128.store(c, c51, 16);
} // prettier-ignore

/**
 * Transposes the 4 × 4 block whose rows start at s, s + ld, s + 2ld, s + 3ld and writes its columns
 * (4 floats each) at d, d + step, d + 2step, d + 3step.
 */
function transpose4x4(s: usize, ld: usize, d: usize, step: usize): void {
  const r0 = v128.load(s);
  const r1 = v128.load(s + ld);
  const r2 = v128.load(s + 2 * ld);
  const r3 = v128.load(s + 3 * ld);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(d, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(d + step, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(d + 2 * step, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(d + 3 * step, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

/**
 * Packs `width` (≤ w) rows of a row-major matrix (rows `ld` bytes apart, starting at src) over depth
 * [0, kc) into a [kc][w] panel at dst, zero-padding rows width..w. This is the gather that packing
 * needs when the operand is stored with depth contiguous (A untransposed, B transposed).
 */
function packGather(src: usize, ld: usize, width: i32, w: i32, kc: i32, dst: usize): void {
  const step = (<usize>w) << 2;
  let r = 0;
  // Groups of four rows, four depths at a time, through 4 × 4 transposes.
  for (; r + 4 <= width; r += 4) {
    const s = src + <usize>r * ld;
    const d = dst + ((<usize>r) << 2);
    let p = 0;
    for (; p + 4 <= kc; p += 4) transpose4x4(s + ((<usize>p) << 2), ld, d + <usize>p * step, step);
    for (; p < kc; p++) {
      const sp = s + ((<usize>p) << 2);
      const dp = d + <usize>p * step;
      store<f32>(dp, load<f32>(sp));
      store<f32>(dp, load<f32>(sp + ld), 4);
      store<f32>(dp, load<f32>(sp + 2 * ld), 8);
      store<f32>(dp, load<f32>(sp + 3 * ld), 12);
    }
  }
  // The remaining rows one by one, then zeros.
  for (; r < w; r++) {
    const s = src + <usize>r * ld;
    let d = dst + ((<usize>r) << 2);
    if (r < width) {
      for (let p = 0; p < kc; p++) {
        store<f32>(d, load<f32>(s + ((<usize>p) << 2)));
        d += step;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        store<f32>(d, 0);
        d += step;
      }
    }
  }
}

/**
 * Packs `width` (≤ w) contiguous floats per depth (depths `ld` bytes apart, starting at src) over
 * [0, kc) into a [kc][w] panel at dst, zero-padding. This is the copy that packing needs when the
 * operand is stored with its rows (of A) or columns (of B) contiguous.
 */
function packCopy(src: usize, ld: usize, width: i32, w: i32, kc: i32, dst: usize): void {
  const step = (<usize>w) << 2;
  if (width == w) {
    for (let p = 0; p < kc; p++) {
      // w is 5, 6 or 8 floats: one or two vectors and a remainder.
      v128.store(dst, v128.load(src));
      if (w == 8) v128.store(dst, v128.load(src, 16), 16);
      else if (w == 6) store<u64>(dst, load<u64>(src, 16), 16);
      else if (w == 5) store<f32>(dst, load<f32>(src, 16), 16);
      src += ld;
      dst += step;
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    for (let r = 0; r < w; r++)
      store<f32>(dst + ((<usize>r) << 2), r < width ? load<f32>(src + ((<usize>r) << 2)) : 0);
    src += ld;
    dst += step;
  }
}

/** Packs rows [i0, i0 + mc) × depth [p0, p0 + kc) of op(A) into MR-row panels [kc][MR]. */
function packA(a: usize, m: i32, k: i32, transA: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const i = <usize>(i0 + ir);
    const panel = dst + ((<usize>ir * <usize>kc) << 2);
    if (transA) packCopy(a + ((<usize>p0 * <usize>m + i) << 2), (<usize>m) << 2, rows, MR, kc, panel);
    else packGather(a + ((i * <usize>k + <usize>p0) << 2), (<usize>k) << 2, rows, MR, kc, panel);
  }
}

/** Packs depth [p0, p0 + kc) × columns [j0, j0 + nc) of op(B) into NR-column panels [kc][NR]. */
function packB(b: usize, k: i32, n: i32, transB: i32, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const j = <usize>(j0 + jr);
    const panel = dst + ((<usize>jr * <usize>kc) << 2);
    if (transB) packGather(b + ((j * <usize>k + <usize>p0) << 2), (<usize>k) << 2, cols, NR, kc, panel);
    else packCopy(b + ((<usize>p0 * <usize>n + j) << 2), (<usize>n) << 2, cols, NR, kc, panel);
  }
}

/** Bytes of scratch that sgemm needs at `work`: the packed A and B blocks and one edge tile. */
export function sgemmWorkspace(): i32 {
  return (MC * KC + KC * NC + MR * NR) << 2;
}

/**
 * C = op(A) · op(B) for one matrix: a, b, c are byte addresses of row-major float32 arrays; transA
 * means A is stored [k, m], transB that B is stored [n, k]. `work` holds sgemmWorkspace() bytes.
 * Writes rows [rowStart, rowEnd) of C only, so that threads can split one product by rows.
 */
export function sgemm(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: i32, transB: i32,
  rowStart: i32, rowEnd: i32, work: usize,
): void {
  sgemmBlock(a, b, c, m, k, n, transA, transB, rowStart, rowEnd, 0, n, work);
} // prettier-ignore

/**
 * Columns [colStart, colEnd) of every row of C (colStart a multiple of sgemmColAlign()): the split
 * between threads when C has fewer rows than columns, so that each thread packs only its own columns
 * of B (a row split makes every thread pack all of B).
 */
export function sgemmCols(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: i32, transB: i32,
  colStart: i32, colEnd: i32, work: usize,
): void {
  sgemmBlock(a, b, c, m, k, n, transA, transB, 0, m, colStart, colEnd, work);
} // prettier-ignore

/** Column splits between threads are multiples of this, so every thread count computes the same tiles. */
export function sgemmColAlign(): i32 {
  return NR;
}

/** The rows [rowStart, rowEnd) × columns [colStart, colEnd) block of C. */
function sgemmBlock(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transA: i32, transB: i32,
  rowStart: i32, rowEnd: i32, colStart: i32, colEnd: i32, work: usize,
): void {
  if (rowEnd <= rowStart || colEnd <= colStart) return;
  if (k <= 0) {
    for (let r = rowStart; r < rowEnd; r++) {
      memory.fill(c + ((<usize>r * <usize>n + <usize>colStart) << 2), 0, (<usize>(colEnd - colStart)) << 2);
    }
    return;
  }
  const packedA = work;
  const packedB = packedA + ((MC * KC) << 2);
  const tile = packedB + ((KC * NC) << 2);
  for (let j0 = colStart; j0 < colEnd; j0 += NC) {
    const nc = min(NC, colEnd - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      const accumulate = p0 > 0 ? 1 : 0;
      packB(b, k, n, transB, p0, kc, j0, nc, packedB);
      for (let i0 = rowStart; i0 < rowEnd; i0 += MC) {
        const mc = min(MC, rowEnd - i0);
        packA(a, m, k, transA, i0, mc, p0, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bPanel = packedB + ((<usize>jr * <usize>kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const aPanel = packedA + ((<usize>ir * <usize>kc) << 2);
            const cTile = c + ((<usize>(i0 + ir) * <usize>n + <usize>(j0 + jr)) << 2);
            if (rows == MR && cols == NR) {
              kernel(kc, aPanel, bPanel, cTile, n, accumulate);
            } else {
              // An edge tile: compute the full tile aside, then add or copy its valid part.
              kernel(kc, aPanel, bPanel, tile, NR, 0);
              for (let r = 0; r < rows; r++) {
                for (let q = 0; q < cols; q++) {
                  const dst = cTile + ((<usize>r * <usize>n + <usize>q) << 2);
                  const v = load<f32>(tile + (<usize>(r * NR + q) << 2));
                  store<f32>(dst, accumulate ? load<f32>(dst) + v : v);
                }
              }
            }
          }
        }
      }
    }
  }
} // prettier-ignore

/** Row splits between threads are multiples of this, so every thread count computes the same tiles. */
export function sgemmRowAlign(): i32 {
  return MR;
}
