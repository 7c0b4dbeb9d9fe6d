// AssemblyScript (compiled by scripts/build-wasm.ts, not by tsc): the sliding-window kernels, im2col,
// its adjoint col2im, and max pooling, for float32 planes. The geometry is that of Im2colSpec in
// src/backend/backend.ts: output position (oy, ox) and kernel tap (i, j) read input pixel
// (oy·sh − pt + i·dh, ox·sw − pl + j·dw). Like the reference loops (src/backend/js/conv.ts), they walk
// the column buffer in storage order [plane][i][j][oy][ox] and compute, per kernel column j, the range
// of output columns [first, end) whose input column is inside the image, so the inner loops have no
// bounds test; with stride 1 those ranges are contiguous runs, copied or added four lanes at a time.

/** The first output column whose input column ox·sw + offset is ≥ 0. */
function firstValid(offset: i32, sw: i32, ow: i32): i32 {
  const first = offset >= 0 ? 0 : (-offset + sw - 1) / sw;
  return min(first, ow);
}

/** One past the last output column whose input column ox·sw + offset is < width (at least `first`). */
function endValid(offset: i32, sw: i32, width: i32, ow: i32, first: i32): i32 {
  const end = width - 1 - offset < 0 ? 0 : (width - 1 - offset) / sw + 1;
  return max(first, min(end, ow));
}

/** n floats of value v at p. */
function fill(p: usize, v: f32, n: i32): void {
  const end = p + ((<usize>n) << 2);
  const end4 = p + ((<usize>(n & ~3)) << 2);
  const splat = f32x4.splat(v);
  for (; p < end4; p += 16) v128.store(p, splat);
  for (; p < end; p += 4) store<f32>(p, v);
}

/**
 * im2col of `planes` planes x: [planes, height, width] into out: [planes, kh·kw, oh·ow]; pixels outside
 * the image read `pad`. One image of a convolution is `channels` planes.
 */
export function im2colF32(
  x: usize, planes: i32, height: i32, width: i32, kh: i32, kw: i32, sh: i32, sw: i32,
  pt: i32, pl: i32, dh: i32, dw: i32, oh: i32, ow: i32, pad: f32, out: usize,
): void {
  const planeBytes = (<usize>height * <usize>width) << 2;
  const rowBytes = (<usize>ow) << 2;
  let o = out;
  for (let p = 0; p < planes; p++) {
    const base = x + <usize>p * planeBytes;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const offset = j * dw - pl;
        const first = firstValid(offset, sw, ow);
        const end = endValid(offset, sw, width, ow, first);
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - pt + i * dh;
          if (iy < 0 || iy >= height) {
            fill(o, pad, ow);
            o += rowBytes;
            continue;
          }
          fill(o, pad, first);
          let src = base + ((<usize>(iy * width + first * sw + offset)) << 2);
          let dst = o + ((<usize>first) << 2);
          const stop = o + ((<usize>end) << 2);
          if (sw == 1) {
            for (; dst + 16 <= stop; dst += 16, src += 16) v128.store(dst, v128.load(src));
            for (; dst < stop; dst += 4, src += 4) store<f32>(dst, load<f32>(src));
          } else {
            const step = (<usize>sw) << 2;
            for (; dst < stop; dst += 4, src += step) store<f32>(dst, load<f32>(src));
          }
          fill(stop, pad, ow - end);
          o += rowBytes;
        }
      }
    }
  }
} // prettier-ignore

/**
 * col2im: adds every entry of cols: [planes, kh·kw, oh·ow] into the pixel of out: [planes, height,
 * width] it was read from (entries from the padding are dropped). Each pixel receives its additions in
 * the order of the reference loop, so the float32 sums are the same.
 */
export function col2imF32(
  cols: usize, planes: i32, height: i32, width: i32, kh: i32, kw: i32, sh: i32, sw: i32,
  pt: i32, pl: i32, dh: i32, dw: i32, oh: i32, ow: i32, out: usize,
): void {
  const planeBytes = (<usize>height * <usize>width) << 2;
  const rowBytes = (<usize>ow) << 2;
  let c = cols;
  for (let p = 0; p < planes; p++) {
    const base = out + <usize>p * planeBytes;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const offset = j * dw - pl;
        const first = firstValid(offset, sw, ow);
        const end = endValid(offset, sw, width, ow, first);
        for (let oy = 0; oy < oh; oy++, c += rowBytes) {
          const iy = oy * sh - pt + i * dh;
          if (iy < 0 || iy >= height) continue;
          let dst = base + ((<usize>(iy * width + first * sw + offset)) << 2);
          let src = c + ((<usize>first) << 2);
          const stop = c + ((<usize>end) << 2);
          if (sw == 1) {
            for (; src + 16 <= stop; src += 16, dst += 16) v128.store(dst, f32x4.add(v128.load(dst), v128.load(src)));
            for (; src < stop; src += 4, dst += 4) store<f32>(dst, load<f32>(dst) + load<f32>(src));
          } else {
            const step = (<usize>sw) << 2;
            for (; src < stop; src += 4, dst += step) store<f32>(dst, load<f32>(dst) + load<f32>(src));
          }
        }
      }
    }
  }
} // prettier-ignore

/**
 * Max pooling of planes [planeStart, planeEnd) of x: [planes, height, width] into values: [planes, oh,
 * ow], with the flat input position (plane·height·width + iy·width + ix) of each window's winner in
 * indices (i32). Threads pool disjoint ranges of planes (wasm/conv-batch.ts).
 * The taps are visited row-major with padding reading −∞; a larger value or the first NaN takes over,
 * so ties go to the first maximum. When a padding tap wins (every real value is −∞), the winner is the
 * window's first real row and column, as in PyTorch. Windows inside the image take a path without
 * bounds tests, four windows at a time where the stride is 2 and the dilation 1 (the usual pool).
 */
export function maxPool2dF32(
  x: usize, planeStart: i32, planeEnd: i32, height: i32, width: i32, kh: i32, kw: i32, sh: i32, sw: i32,
  pt: i32, pl: i32, dh: i32, dw: i32, oh: i32, ow: i32, values: usize, indices: usize,
): void {
  const plane = height * width;
  // Output columns whose windows are inside the image horizontally: [inFirst, inEnd).
  const inFirst = min(ow, (pl + sw - 1) / sw);
  const lastStart = width - 1 - (kw - 1) * dw + pl; // the largest x0 + pl that stays inside
  const inEnd = max(inFirst, min(ow, lastStart < 0 ? 0 : lastStart / sw + 1));
  let k: usize = (<usize>planeStart * <usize>oh * <usize>ow) << 2;
  for (let p = planeStart; p < planeEnd; p++) {
    const base = p * plane;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - pt;
      const rowsInside = y0 >= 0 && y0 + (kh - 1) * dh < height;
      let ox = 0;
      if (rowsInside) {
        for (; ox < inFirst; ox++, k += 4) poolBorder(x, base, height, width, kh, kw, dh, dw, y0, ox * sw - pl, values + k, indices + k);
        if (sw == 2 && dw == 1) {
          for (; ox + 4 <= inEnd && (ox + 3) * 2 - pl + kw < width; ox += 4, k += 16) pool4Stride2(x, base, width, kh, kw, dh, y0, ox * 2 - pl, values + k, indices + k);
        }
        for (; ox < inEnd; ox++, k += 4) poolInside(x, base, width, kh, kw, dh, dw, y0, ox * sw - pl, values + k, indices + k);
      }
      for (; ox < ow; ox++, k += 4) poolBorder(x, base, height, width, kh, kw, dh, dw, y0, ox * sw - pl, values + k, indices + k);
    }
  }
} // prettier-ignore

/** One window anywhere: padding taps read −∞. */
function poolBorder(
  x: usize, base: i32, height: i32, width: i32, kh: i32, kw: i32, dh: i32, dw: i32, y0: i32, x0: i32,
  value: usize, index: usize,
): void {
  let best: f32 = -Infinity;
  let bi = -1;
  let bj = -1;
  for (let i = 0; i < kh; i++) {
    const iy = y0 + i * dh;
    const rowInside = iy >= 0 && iy < height;
    for (let j = 0; j < kw; j++) {
      const ix = x0 + j * dw;
      const v: f32 = rowInside && ix >= 0 && ix < width ? load<f32>(x + ((<usize>(base + iy * width + ix)) << 2)) : -Infinity;
      if (bi < 0 || v > best || (v != v && best == best)) {
        best = v;
        bi = i;
        bj = j;
      }
    }
  }
  let iy = y0 + bi * dh;
  let ix = x0 + bj * dw;
  if (iy < 0 || iy >= height) for (iy = y0; iy < 0;) iy += dh;
  if (ix < 0 || ix >= width) for (ix = x0; ix < 0;) ix += dw;
  store<f32>(value, best);
  store<i32>(index, base + iy * width + ix);
} // prettier-ignore

/** One window inside the image. */
function poolInside(
  x: usize, base: i32, width: i32, kh: i32, kw: i32, dh: i32, dw: i32, y0: i32, x0: i32, value: usize, index: usize,
): void {
  let at = base + y0 * width + x0;
  let best = load<f32>(x + ((<usize>at) << 2));
  let winner = at;
  for (let i = 0; i < kh; i++) {
    const row = base + (y0 + i * dh) * width + x0;
    for (let j = i == 0 ? 1 : 0; j < kw; j++) {
      at = row + j * dw;
      const v = load<f32>(x + ((<usize>at) << 2));
      if (v > best || (v != v && best == best)) {
        best = v;
        winner = at;
      }
    }
  }
  store<f32>(value, best);
  store<i32>(index, winner);
} // prettier-ignore

/**
 * Four adjacent windows inside the image, stride 2 and dilation 1 along the row: tap j of window q reads
 * x0 + 2q + j, the even lanes of the eight floats from x0 + j.
 */
function pool4Stride2(
  x: usize, base: i32, width: i32, kh: i32, kw: i32, dh: i32, y0: i32, x0: i32, value: usize, index: usize,
): void {
  const lanes = i32x4(0, 2, 4, 6);
  let best = f32x4.splat(0);
  let winner = i32x4.splat(0);
  for (let i = 0; i < kh; i++) {
    const row = base + (y0 + i * dh) * width + x0;
    for (let j = 0; j < kw; j++) {
      const p = x + ((<usize>(row + j)) << 2);
      const v = i32x4.shuffle(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
      const at = i32x4.add(i32x4.splat(row + j), lanes);
      if (i == 0 && j == 0) {
        best = v;
        winner = at;
      } else {
        // Comparisons with a NaN best are false, so a NaN, once taken, stays.
        const take = v128.or(f32x4.gt(v, best), v128.andnot(f32x4.ne(v, v), f32x4.ne(best, best)));
        best = v128.bitselect(v, best, take);
        winner = v128.bitselect(at, winner, take);
      }
    }
  }
  v128.store(value, best);
  v128.store(index, winner);
} // prettier-ignore

/** acc[i] += x[i] in float64 (acc: n float64s, x: n float32s): a sum over a batch rounded once. */
export function accumulateF64(acc: usize, x: usize, n: i32): void {
  const end = acc + ((<usize>n) << 3);
  const end4 = acc + ((<usize>(n & ~3)) << 3);
  let a = acc;
  let s = x;
  for (; a < end4; a += 32, s += 16) {
    const v = v128.load(s);
    v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
    v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3))), 16);
  }
  for (; a < end; a += 8, s += 4) store<f64>(a, load<f64>(a) + <f64>load<f32>(s));
} // prettier-ignore

/** out[i] = acc[i] rounded to float32. */
export function roundF64(acc: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(out + ((<usize>i) << 2), <f32>load<f64>(acc + ((<usize>i) << 3)));
}

/** n bytes of zeros at p. */
export function zeroBytes(p: usize, n: usize): void {
  memory.fill(p, 0, n);
}
