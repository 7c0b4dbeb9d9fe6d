// AssemblyScript (compiled by scripts/build-wasm.ts, not by tsc): float32 sums.

/**
 * out[o, i] = Σ_r x[o, r, i] over x viewed as [outer, reduced, inner]. Sums are accumulated in
 * float64 and rounded to float32 once, like the reference backend's. `acc` is scratch for `inner`
 * float64 values.
 */
export function sumF32(x: usize, outer: i32, reduced: i32, inner: i32, out: usize, acc: usize): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) store<f32>(out + ((<usize>o) << 2), <f32>sumRow(x + ((<usize>o * <usize>reduced) << 2), reduced));
    return;
  }
  const innerBytes = (<usize>inner) << 2;
  const end = acc + ((<usize>inner) << 3);
  const end4 = acc + ((<usize>(inner & ~3)) << 3);
  for (let o = 0; o < outer; o++) {
    memory.fill(acc, 0, (<usize>inner) << 3);
    let row = x + <usize>o * <usize>reduced * innerBytes;
    for (let r = 0; r < reduced; r++) {

      let a = acc;
      let s = row;
      for (; a < end4; a += 32) {
        const v = v128.load(s);
        v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
        v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3))), 16);
        s += 16;
      }
      for (; a < end; a += 8) {
        store<f64>(a, load<f64>(a) + <f64>load<f32>(s));
        s += 4;
      }
      row += innerBytes;
    }
    const dst = out + <usize>o * innerBytes;
    for (let i = 0; i < inner; i++) store<f32>(dst + ((<usize>i) << 2), <f32>load<f64>(acc + ((<usize>i) << 3)));
  }
} // prettier-ignore

/** Σ of n contiguous floats in float64, four lanes at a time. */
function sumRow(p: usize, n: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(p + ((<usize>i) << 2));
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)));
  }
  let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
  for (; i < n; i++) s += <f64>load<f32>(p + ((<usize>i) << 2));
  return s;
} // prettier-ignore

/**
 * For x viewed as [outer, reduced, inner]: the max (isMax) or min over the middle axis into values
 * [outer, inner] and the index of the first extreme into indices (i32); the first NaN wins, as in
 * the reference backend and PyTorch. Four columns at a time.
 */
export function argReduceF32(
  isMax: i32, x: usize, outer: i32, reduced: i32, inner: i32, values: usize, indices: usize,
): void {
  const innerBytes = (<usize>inner) << 2;
  for (let o = 0; o < outer; o++) {
    const base = x + <usize>o * <usize>reduced * innerBytes;
    const dst = (<usize>o) * innerBytes;
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const col = base + ((<usize>i) << 2);
      let best = v128.load(col);
      let index = i32x4.splat(0);
      for (let r = 1; r < reduced; r++) {
        const v = v128.load(col + <usize>r * innerBytes);
        // Comparisons with a NaN best are false, so a NaN, once taken, stays.
        const better = isMax ? f32x4.gt(v, best) : f32x4.lt(v, best);
        const take = v128.or(better, v128.andnot(f32x4.ne(v, v), f32x4.ne(best, best)));
        best = v128.bitselect(v, best, take);
        index = v128.bitselect(i32x4.splat(r), index, take);
      }
      v128.store(values + dst + ((<usize>i) << 2), best);
      v128.store(indices + dst + ((<usize>i) << 2), index);
    }
    for (; i < inner; i++) {
      const col = base + ((<usize>i) << 2);
      let best = load<f32>(col);
      let index = 0;
      for (let r = 1; r < reduced; r++) {
        const v = load<f32>(col + <usize>r * innerBytes);
        if ((isMax ? v > best : v < best) || (v != v && best == best)) {
          best = v;
          index = r;
        }
      }
      store<f32>(values + dst + ((<usize>i) << 2), best);
      store<i32>(indices + dst + ((<usize>i) << 2), index);
    }
  }
} // prettier-ignore
