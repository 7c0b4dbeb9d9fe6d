// AssemblyScript (compiled by scripts/build-wasm.ts, not by tsc): float32 elementwise loops, four
// lanes at a time and a scalar tail. Pointers are byte addresses; n counts elements. Each op has a
// loop of its own (Binaryen does not specialise a shared loop on a constant op code).
//
// Single-precision +, −, ×, ÷ and √ are correctly rounded, so they equal the reference backend's
// float64 result rounded to float32 exactly.

/** Binary op codes, shared with src/backend/wasm/kernels.ts. */
export const ADD: i32 = 0;
export const SUB: i32 = 1;
export const MUL: i32 = 2;
export const DIV: i32 = 3;

/** Unary op codes, shared with src/backend/wasm/kernels.ts. */
export const RELU: i32 = 0;
export const NEG: i32 = 1;
export const ABS: i32 = 2;
export const SQRT: i32 = 3;

/** out[i] = a[i] op b[i]. */
export function binaryF32(op: i32, a: usize, b: usize, out: usize, n: i32): void {
  const end = a + ((<usize>n) << 2);
  const end4 = a + ((<usize>(n & ~3)) << 2);
  const db = b - a;
  const dout = out - a;
  let p = a;
  if (op == ADD) {
    for (; p < end4; p += 16) v128.store(p + dout, f32x4.add(v128.load(p), v128.load(p + db)));
    for (; p < end; p += 4) store<f32>(p + dout, load<f32>(p) + load<f32>(p + db));
  } else if (op == SUB) {
    for (; p < end4; p += 16) v128.store(p + dout, f32x4.sub(v128.load(p), v128.load(p + db)));
    for (; p < end; p += 4) store<f32>(p + dout, load<f32>(p) - load<f32>(p + db));
  } else if (op == MUL) {
    for (; p < end4; p += 16) v128.store(p + dout, f32x4.mul(v128.load(p), v128.load(p + db)));
    for (; p < end; p += 4) store<f32>(p + dout, load<f32>(p) * load<f32>(p + db));
  } else {
    for (; p < end4; p += 16) v128.store(p + dout, f32x4.div(v128.load(p), v128.load(p + db)));
    for (; p < end; p += 4) store<f32>(p + dout, load<f32>(p) / load<f32>(p + db));
  }
}

/** out[i] = a[i] op s, or s op a[i] when `reversed` (for 1 − x and 1 / x). */
export function binaryScalarF32(op: i32, a: usize, s: f32, reversed: i32, out: usize, n: i32): void {
  const end = a + ((<usize>n) << 2);
  const end4 = a + ((<usize>(n & ~3)) << 2);
  const dout = out - a;
  const v = f32x4.splat(s);
  let p = a;
  if (op == ADD) {
    for (; p < end4; p += 16) v128.store(p + dout, f32x4.add(v128.load(p), v));
    for (; p < end; p += 4) store<f32>(p + dout, load<f32>(p) + s);
  } else if (op == MUL) {
    for (; p < end4; p += 16) v128.store(p + dout, f32x4.mul(v128.load(p), v));
    for (; p < end; p += 4) store<f32>(p + dout, load<f32>(p) * s);
  } else if (op == SUB && !reversed) {
    for (; p < end4; p += 16) v128.store(p + dout, f32x4.sub(v128.load(p), v));
    for (; p < end; p += 4) store<f32>(p + dout, load<f32>(p) - s);
  } else if (op == SUB) {
    for (; p < end4; p += 16) v128.store(p + dout, f32x4.sub(v, v128.load(p)));
    for (; p < end; p += 4) store<f32>(p + dout, s - load<f32>(p));
  } else if (!reversed) {
    for (; p < end4; p += 16) v128.store(p + dout, f32x4.div(v128.load(p), v));
    for (; p < end; p += 4) store<f32>(p + dout, load<f32>(p) / s);
  } else {
    for (; p < end4; p += 16) v128.store(p + dout, f32x4.div(v, v128.load(p)));
    for (; p < end; p += 4) store<f32>(p + dout, s / load<f32>(p));
  }
}

/**
 * out[r, j] = a[r, j] op b[j] for r < rows, j < cols: the right operand broadcast over the leading
 * dims (a bias added to every row); or, when `period` > 0, a[r, j] op b[r mod period]: one value per
 * row (a keepdim reduction, period = rows) or per channel (a conv bias over [N, C, H·W], period = C).
 */
export function binaryRowsF32(op: i32, a: usize, b: usize, period: i32, out: usize, rows: i32, cols: i32): void {
  const rowBytes = (<usize>cols) << 2;
  for (let r = 0; r < rows; r++) {
    const offset = <usize>r * rowBytes;
    if (period > 0) binaryScalarF32(op, a + offset, load<f32>(b + ((<usize>(r % period)) << 2)), 0, out + offset, cols);
    else binaryF32(op, a + offset, b, out + offset, cols);
  }
} // prettier-ignore

/** out[i] = op(x[i]) for relu (NaN propagates, as in PyTorch), neg, abs and sqrt. */
export function unaryF32(op: i32, x: usize, out: usize, n: i32): void {
  const end = x + ((<usize>n) << 2);
  const end4 = x + ((<usize>(n & ~3)) << 2);
  const dout = out - x;
  let p = x;
  if (op == RELU) {
    // f32x4.max propagates NaN and orders −0 below +0, as the reference's `v > 0 || v !== v ? v : 0`.
    const zero = f32x4.splat(0);
    for (; p < end4; p += 16) v128.store(p + dout, f32x4.max(v128.load(p), zero));
    for (; p < end; p += 4) {
      const v = load<f32>(p);
      store<f32>(p + dout, v > 0 || v != v ? v : 0);
    }
  } else if (op == NEG) {
    for (; p < end4; p += 16) v128.store(p + dout, f32x4.neg(v128.load(p)));
    for (; p < end; p += 4) store<f32>(p + dout, -load<f32>(p));
  } else if (op == ABS) {
    for (; p < end4; p += 16) v128.store(p + dout, f32x4.abs(v128.load(p)));
    for (; p < end; p += 4) store<f32>(p + dout, abs<f32>(load<f32>(p)));
  } else {
    for (; p < end4; p += 16) v128.store(p + dout, f32x4.sqrt(v128.load(p)));
    for (; p < end; p += 4) store<f32>(p + dout, sqrt<f32>(load<f32>(p)));
  }
}

/** out[i] = g[i] where x[i] > 0, else g[i]·0 (±0, or NaN for a NaN or infinite g): ReLU's gradient. */
export function reluGradF32(g: usize, x: usize, out: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    const gv = v128.load(g + o);
    v128.store(out + o, v128.bitselect(gv, f32x4.mul(gv, zero), f32x4.gt(v128.load(x + o), zero)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const gs = load<f32>(g + o);
    store<f32>(out + o, load<f32>(x + o) > 0 ? gs : gs * 0);
  }
}

/**
 * Adam's moments and direction over n floats (see Backend.adam): mOut = m·b1 + g·a1,
 * vOut = v·b2 + (g·g)·a2, u = mOut / (√vOut / c2 + eps) / c1, every operation in float32.
 */
export function adamF32(
  g: usize, m: usize, v: usize, b1: f32, a1: f32, b2: f32, a2: f32, eps: f32, c2: f32, c1: f32,
  mOut: usize, vOut: usize, u: usize, n: i32,
): void {
  const vb1 = f32x4.splat(b1), va1 = f32x4.splat(a1), vb2 = f32x4.splat(b2), va2 = f32x4.splat(a2);
  const veps = f32x4.splat(eps), vc2 = f32x4.splat(c2), vc1 = f32x4.splat(c1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = (<usize>i) << 2;
    const gv = v128.load(g + o);
    const mv = f32x4.add(f32x4.mul(v128.load(m + o), vb1), f32x4.mul(gv, va1));
    const vv = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(f32x4.mul(gv, gv), va2));
    v128.store(mOut + o, mv);
    v128.store(vOut + o, vv);
    v128.store(u + o, f32x4.div(f32x4.div(mv, f32x4.add(f32x4.div(f32x4.sqrt(vv), vc2), veps)), vc1));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const gs = load<f32>(g + o);
    const ms = load<f32>(m + o) * b1 + gs * a1;
    const vs = load<f32>(v + o) * b2 + gs * gs * a2;
    store<f32>(mOut + o, ms);
    store<f32>(vOut + o, vs);
    store<f32>(u + o, ms / (sqrt<f32>(vs) / c2 + eps) / c1);
  }
} // prettier-ignore

/** Comparison codes, shared with src/backend/wasm/kernels.ts: gt, ge and ne are these with swapped or negated operands. */
export const EQ: i32 = 0;
export const LT: i32 = 1;
export const LE: i32 = 2;

function compare(base: i32, x: v128, y: v128): v128 {
  if (base == EQ) return f32x4.eq(x, y);
  if (base == LT) return f32x4.lt(x, y);
  return f32x4.le(x, y);
}

function compareLane(base: i32, x: f32, y: f32): bool {
  if (base == EQ) return x == y;
  if (base == LT) return x < y;
  return x <= y;
}

/**
 * out[i] = (a[i] base b[i]) as a 0/1 byte, negated when `negate` (ne is a negated eq; NaN compares
 * false, as in JS). A scalar operand (aScalar or bScalar) is read once from a[0] or b[0].
 */
export function compareF32(
  base: i32, negate: i32, a: usize, aScalar: i32, b: usize, bScalar: i32, out: usize, n: i32,
): void {
  const as: f32 = load<f32>(a);
  const bs: f32 = load<f32>(b);
  const av = f32x4.splat(as);
  const bv = f32x4.splat(bs);
  const flip = negate ? i8x16.splat(-1) : i8x16.splat(0);
  const one = i8x16.splat(1);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = (<usize>i) << 2;
    const m0 = compare(base, aScalar ? av : v128.load(a + o), bScalar ? bv : v128.load(b + o));
    const m1 = compare(base, aScalar ? av : v128.load(a + o, 16), bScalar ? bv : v128.load(b + o, 16));
    const m2 = compare(base, aScalar ? av : v128.load(a + o, 32), bScalar ? bv : v128.load(b + o, 32));
    const m3 = compare(base, aScalar ? av : v128.load(a + o, 48), bScalar ? bv : v128.load(b + o, 48));
    // Lanes of −1/0 narrowed to bytes, negated when asked, then masked to 1/0.
    const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m0, m1), i16x8.narrow_i32x4_s(m2, m3));
    v128.store(out + <usize>i, v128.and(v128.xor(bytes, flip), one));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const r = compareLane(base, aScalar ? as : load<f32>(a + o), bScalar ? bs : load<f32>(b + o));
    store<u8>(out + <usize>i, (r ? 1 : 0) ^ (negate ? 1 : 0));
  }
} // prettier-ignore
